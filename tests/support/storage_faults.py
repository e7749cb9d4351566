"""Storage faults for tests: a connection whose writes fail the way SQLite's do (read-only file, full
disk...), and a real small file system that a test can fill."""

from __future__ import annotations

import contextlib
import sqlite3
import subprocess
from pathlib import Path

import pytest


class FailingWrites:
    """A connection whose writes fail with a given SQLite error (reads still work)."""

    def __init__(self, real: sqlite3.Connection, message: str):
        self.real, self.message = real, message

    def execute(self, sql: str, *args):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE", "CREATE", "PRAGMA USER_VERSION=")):
            raise sqlite3.OperationalError(self.message)
        return self.real.execute(sql, *args)

    def executemany(self, sql: str, *args):
        if sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError(self.message)
        return self.real.executemany(sql, *args)

    def __getattr__(self, name):
        return getattr(self.real, name)


class FailingRollback(FailingWrites):
    """A connection whose writes fail and whose ROLLBACK fails too (the transaction stays open)."""

    def execute(self, sql: str, *args):
        if sql.strip().upper() == "ROLLBACK":
            raise sqlite3.OperationalError("disk I/O error")
        return super().execute(sql, *args)


class FailingCommit:
    """A connection whose writes go through but whose COMMIT and ROLLBACK fail (the transaction, with
    its writes, stays open)."""

    def __init__(self, real: sqlite3.Connection):
        self.real = real

    def execute(self, sql: str, *args):
        if sql.strip().upper() in ("COMMIT", "ROLLBACK"):
            raise sqlite3.OperationalError("disk I/O error")
        return self.real.execute(sql, *args)

    def __getattr__(self, name):
        return getattr(self.real, name)


@contextlib.contextmanager
def tiny_disk(folder: Path, size: str = "2m"):
    """A real, small file system mounted at `folder` (tmpfs) for as long as the block runs; the test
    is skipped where this machine does not let it mount one (not root, or in a restricted sandbox)."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
                             capture_output=True, check=False)
    if mounted.returncode != 0:
        pytest.skip("cannot mount a small file system here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


def fill_up(folder: Path) -> Path:
    """Write a file into `folder` until its file system is full; returns it (delete it to free the space)."""
    filler = folder / "filler"
    with open(filler, "wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass
    return filler
