"""A throw-away PostgreSQL server for the tests: initdb and pg_ctl on a temporary folder (as the `postgres`
user when the tests run as root, since the server refuses to run as root), listening on a free loopback
port and on a socket in that folder, with durability off for speed. One server per test session (per
worker under pytest-xdist), stopped and deleted at the end even when tests fail; each test that asks for
`postgres_url` gets a fresh empty database on it. Without PostgreSQL's binaries the tests fail, saying
how to install them: they are never skipped."""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

INSTALL = ("PostgreSQL's server binaries (initdb, pg_ctl) were not found on PATH or in /usr/lib/postgresql/*/bin: "
           "install them with `apt-get install postgresql` (the storage tests start a throw-away server)")
PASSWORD_USER = "crampbot_pw"  # a role that must give its password (the others are trusted on loopback)
PASSWORD = "s3cret-Pa55/word"  # what tests check never reaches an error message


def server_binaries() -> Path | None:
    """The folder holding initdb and pg_ctl: on PATH, else the newest /usr/lib/postgresql/*/bin."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]) if
                   Path(p).parts[-3].isdecimal() else 0)
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PostgresServer:
    """One running server in its own temporary folder."""

    def __init__(self, binaries: Path, speed_over_safety: bool = True):
        self.binaries = binaries
        # tests: fsync and full-page writes off; the benchmark keeps them (and, like the SQLite file's
        # synchronous=NORMAL, commits without waiting for the disk: a crash of the bot loses nothing)
        self.durability = ("-c fsync=off -c full_page_writes=off" if speed_over_safety else "")
        self.as_root = os.geteuid() == 0
        self.folder = Path(tempfile.mkdtemp(prefix="crampbot-pg-"))  # in /tmp: the postgres user can reach it
        self.data = self.folder / "data"
        self.port = 0
        self._names = itertools.count(1)
        if self.as_root:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        result = subprocess.run([str(self.binaries / args[0]), *args[1:]], capture_output=True, text=True,
                                timeout=120, user="postgres" if self.as_root else None, cwd=self.folder)
        if result.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({result.returncode}): {result.stdout}{result.stderr}".strip())

    def start(self) -> None:
        """initdb, then pg_ctl start on a free port (another one when the first was taken meanwhile)."""
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
                  "--no-sync")
        hba = self.data / "pg_hba.conf"
        hba.write_text(f"local all all trust\nhost all {PASSWORD_USER} 127.0.0.1/32 scram-sha-256\n"
                       "host all all 127.0.0.1/32 trust\n", encoding="utf-8")
        for attempt in range(5):
            self.port = _free_port()
            options = (f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder} "
                       f"-c synchronous_commit=off {self.durability} -c max_connections=200")
            try:
                self._run("pg_ctl", "start", "-D", str(self.data), "-w", "-t", "60", "-l",
                          str(self.folder / "server.log"), "-o", options)
                break
            except RuntimeError:
                if attempt == 4:
                    raise
        with self.admin() as db:
            db.execute(f"CREATE ROLE {PASSWORD_USER} LOGIN SUPERUSER PASSWORD '{PASSWORD}'")

    def stop(self) -> None:
        """Stop the server at once and delete its folder."""
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "stop", "-D", str(self.data), "-m", "immediate", "-w")
        shutil.rmtree(self.folder, ignore_errors=True)

    def url(self, database: str = "postgres", user: str = "postgres", password: str | None = None) -> str:
        """A postgresql:// URL to a database on this server over TCP."""
        login = f"{user}:{quote(password, safe='')}" if password else user
        return f"postgresql://{login}@127.0.0.1:{self.port}/{database}"

    def admin(self) -> psycopg.Connection:
        """An autocommit connection as the superuser to the `postgres` database."""
        return psycopg.connect(self.url(), autocommit=True)

    def create_database(self) -> str:
        """A new empty database's name."""
        name = f"test_{next(self._names)}"
        with self.admin() as db:
            db.execute(f"CREATE DATABASE {name}")
        return name

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting whoever is still on it."""
        with self.admin() as db:
            db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """The session's throw-away PostgreSQL server (fails the test, saying how to install it, when missing)."""
    binaries = server_binaries()
    if binaries is None:
        pytest.fail(INSTALL, pytrace=False)
    server = PostgresServer(binaries)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> Iterator[str]:
    """The URL of a fresh, empty database of the throw-away server, dropped after the test."""
    name = postgres_server.create_database()
    yield postgres_server.url(name)
    postgres_server.drop_database(name)
