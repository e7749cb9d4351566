"""`crampbot backup` and `crampbot restore` as an operator runs them: a backup taken while a bot writes is one
consistent copy (what the write-ahead log holds included) and never overwrites a file; a restore is refused
while a bot runs or for a file that is not a sound CrampBot database, keeps the database it replaces, and an
old schema it puts in place is upgraded at the next start."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.core.session import Session
from bot.storage.sqlite import SCHEMA_VERSION, SQLiteStorage
from tests.support.old_schemas import old_database

ROOT = Path(__file__).resolve().parents[2]

# A stand-in for a running bot: it holds the data folder as the bot does and writes turns for ten chats,
# round after round, each turn one transaction saving the session (next_entry_id = the round) and one reply
# ("round N"); nothing is checkpointed, so everything it writes stays in the write-ahead log.
WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from bot.core.session import Session
    from bot.storage.data_lock import hold_data_folder
    from bot.storage.sqlite import SQLiteStorage
    folder, stop = Path(sys.argv[1]), Path(sys.argv[2])
    lock = hold_data_folder(folder)
    db = SQLiteStorage(folder / "crampbot.sqlite3")
    db.db.execute("PRAGMA wal_autocheckpoint=0")
    n = 0
    while not stop.exists():
        n += 1
        for chat in range(1, 11):
            db.record_turn(chat, n * 100 + chat, Session(next_entry_id=n), [{"text": f"round {n}"}])
        if n == 20:
            print("writing", flush=True)
""")


HOLDER = ("import sys, time; from pathlib import Path; from bot.storage.data_lock import hold_data_folder; "
          "h = hold_data_folder(Path(sys.argv[1])); print('held', flush=True); time.sleep(60)")


def crampbot(data: Path, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`crampbot ARGS` with its data folder at `data`."""
    environ = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "CRAMPBOT_DATA_DIR": str(data), "PYTHONPATH": str(ROOT), **env}
    return subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=environ,
                          cwd=data.parent, timeout=60)


def rounds_by_chat(path: Path) -> dict[int, tuple[int, int]]:
    """Each chat's (round its session says, replies queued) in a database file, opened read-only."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert db.execute("PRAGMA quick_check").fetchone()[0] == "ok"
        replies = dict(db.execute("SELECT chat_id, COUNT(*) FROM outbox GROUP BY chat_id").fetchall())
        return {chat: (json.loads(data)["next_entry_id"], replies.get(chat, 0))
                for chat, data in db.execute("SELECT chat_id, data FROM sessions")}
    finally:
        db.close()


def test_backups_taken_while_a_bot_writes_are_each_one_consistent_copy_with_the_write_ahead_log(tmp_path):
    data = tmp_path / "data"
    stop = tmp_path / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(data), str(stop)], stdout=subprocess.PIPE,
                              text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert writer.stdout is not None and writer.stdout.readline() == "writing\n"
        results = []
        for n in range(3):
            assert Path(f"{data}/crampbot.sqlite3-wal").stat().st_size > 0, "the turns are in the write-ahead log"
            results.append(crampbot(data, "backup", str(tmp_path / f"backup-{n}.sqlite3")))
    finally:
        stop.touch()
        writer.wait(30)
    assert writer.returncode == 0
    seen = []
    for n, result in enumerate(results):
        assert result.returncode == 0, result.stderr
        path = tmp_path / f"backup-{n}.sqlite3"
        assert result.stdout.startswith(f"backed up {data / 'crampbot.sqlite3'} to {path} (")
        assert f"schema {SCHEMA_VERSION})" in result.stdout and result.stderr == ""
        assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith((f"backup-{n}", f".backup-{n}"))) == \
            [path.name], "one file, no write-ahead log or partial copy beside it"
        chats = rounds_by_chat(path)
        assert sorted(chats) == list(range(1, 11))
        assert all(session_round == replies for session_round, replies in chats.values()), chats
        rounds = [chats[chat][0] for chat in range(1, 11)]
        assert rounds == sorted(rounds, reverse=True) and rounds[0] - rounds[-1] <= 1, "a moment between turns"
        seen.append(rounds[0])
    assert seen[0] >= 20 and seen == sorted(seen)


def test_a_backup_never_overwrites_a_file(tmp_path):
    data = tmp_path / "data"
    SQLiteStorage(data / "crampbot.sqlite3").close()
    target = tmp_path / "kept.sqlite3"
    target.write_bytes(b"last week's backup")
    result = crampbot(data, "backup", str(target))
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == f"crampbot: {target} already exists; give a new file name (a backup never overwrites)\n"
    assert target.read_bytes() == b"last week's backup"


def test_a_backup_with_nothing_to_copy_or_nowhere_to_write_says_so(tmp_path):
    data = tmp_path / "data"
    result = crampbot(data, "backup", str(tmp_path / "b.sqlite3"))
    assert result.returncode == 2
    assert "there is no database at" in result.stderr and "CRAMPBOT_DATA_DIR" in result.stderr
    assert not data.exists(), "a backup creates no database"
    SQLiteStorage(data / "crampbot.sqlite3").close()
    result = crampbot(data, "backup", str(tmp_path / "missing" / "b.sqlite3"))
    assert result.returncode == 2 and result.stderr == f"crampbot: the folder {tmp_path / 'missing'} does not exist\n"
    assert crampbot(data, "backup").returncode == 2


def test_with_postgresql_backup_and_restore_give_the_pg_dump_and_pg_restore_commands_and_never_the_password(
        tmp_path):
    """Needs CRAMPBOT_DATABASE_URL (Settings.database_url), which the PostgreSQL storage adds."""
    url = "postgresql://crampbot:s3cret-pw@db.example:5432/crampbot"
    for command in ("backup", "restore"):
        result = crampbot(tmp_path / "data", command, str(tmp_path / "x.dump"), CRAMPBOT_DATABASE_URL=url)
        assert result.returncode == 2, result.stderr
        assert 'pg_dump --format=custom --file=PATH "$CRAMPBOT_DATABASE_URL"' in result.stderr
        assert 'pg_restore --clean --if-exists --no-owner --dbname="$CRAMPBOT_DATABASE_URL" PATH' in result.stderr
        assert "s3cret-pw" not in result.stderr + result.stdout and not (tmp_path / "x.dump").exists()


def filled(path: Path, chats: range) -> None:
    """A database of today's schema with a session for each chat."""
    db = SQLiteStorage(path)
    for chat in chats:
        db.record_turn(chat, chat, Session(next_entry_id=chat, zone="Europe/Oslo"), [{"text": f"hi {chat}"}])
    db.close()


def test_a_restore_is_refused_while_a_bot_runs_on_the_data_folder(tmp_path):
    data = tmp_path / "data"
    filled(data / "crampbot.sqlite3", range(1, 4))
    backup = tmp_path / "backup.sqlite3"
    assert crampbot(data, "backup", str(backup)).returncode == 0
    filled(data / "crampbot.sqlite3", range(4, 6))
    before = (data / "crampbot.sqlite3").read_bytes()
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(data)],
                              stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = crampbot(data, "restore", str(backup))
    finally:
        holder.kill()
        holder.wait(10)
    assert result.returncode == 4 and result.stdout == ""
    assert f"another CrampBot (process {holder.pid}) is already running on the data folder" in result.stderr
    assert result.stderr.endswith("; nothing was changed\n")
    assert (data / "crampbot.sqlite3").read_bytes() == before
    assert sorted(p.name for p in data.iterdir()) == ["crampbot.lock", "crampbot.sqlite3"]


def test_a_restore_keeps_the_database_it_replaces_and_gives_back_the_backups_chats(tmp_path):
    data = tmp_path / "data"
    filled(data / "crampbot.sqlite3", range(1, 4))
    backup = tmp_path / "backup.sqlite3"
    assert crampbot(data, "backup", str(backup)).returncode == 0
    filled(data / "crampbot.sqlite3", range(4, 8))  # written after the backup
    SQLiteStorage(data / "crampbot.sqlite3").forget(2)
    result = crampbot(data, "restore", str(backup))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"restored {backup} (schema {SCHEMA_VERSION}, ")
    (kept,) = [p for p in data.iterdir() if ".before-restore-" in p.name and not p.name.endswith(("-wal", "-shm"))]
    assert lines[1] == f"the database it replaced is kept as {kept}: delete it once the restore is checked"
    assert "/forget after this backup" in lines[2]
    restored = SQLiteStorage(data / "crampbot.sqlite3")
    assert [restored.load(chat).next_entry_id for chat in range(1, 8)] == [1, 2, 3, 1, 1, 1, 1]
    old = SQLiteStorage(kept)
    assert [old.load(chat).next_entry_id for chat in range(1, 8)] == [1, 1, 3, 4, 5, 6, 7]


def test_a_backup_of_an_older_schema_is_restored_as_it_is_and_upgraded_by_the_next_start(tmp_path):
    data = tmp_path / "data"
    old = tmp_path / "from-last-year.sqlite3"
    written = old_database(old, 2)
    result = crampbot(data, "restore", str(old))
    assert result.returncode == 0, result.stderr
    assert f"the bot upgrades it from schema 2 to {SCHEMA_VERSION} when it next starts" in result.stdout
    assert "kept as" not in result.stdout, "there was no database to keep"
    assert sqlite3.connect(data / "crampbot.sqlite3").execute("PRAGMA user_version").fetchone()[0] == 2
    db = SQLiteStorage(data / "crampbot.sqlite3")
    assert all(db.load(chat) == session for chat, session in written.sessions.items())
    assert [(o.id, o.chat_id, o.payload) for o in db.unsent()] == written.unsent


def overwrite_last_page(path: Path) -> None:
    with path.open("r+b") as file:
        file.seek(-4096, os.SEEK_END)
        file.write(b"\xa5" * 4096)


def newer_schema(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.close()


def someone_elses_database(path: Path) -> None:
    path.unlink()
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    db.execute("PRAGMA user_version=3")
    db.close()


def not_sqlite(path: Path) -> None:
    path.write_bytes(b"this is a CSV export, not a database\n" * 200)


@pytest.mark.parametrize("spoil, words", [
    (overwrite_last_page, "is damaged ("),
    (newer_schema, (f"is not a CrampBot database of a known schema: its schema is {SCHEMA_VERSION + 1}, this "
                   f"CrampBot knows 1 to {SCHEMA_VERSION} (written by a newer CrampBot?)")),
    (someone_elses_database, "is not a CrampBot database of schema 3: missing "),
    (not_sqlite, "is not a SQLite database"),
])
def test_a_restore_refuses_a_file_that_is_not_a_sound_crampbot_database_and_changes_nothing(tmp_path, spoil, words):
    data = tmp_path / "data"
    filled(data / "crampbot.sqlite3", range(1, 30))
    backup = tmp_path / "backup.sqlite3"
    assert crampbot(data, "backup", str(backup)).returncode == 0
    spoil(backup)
    before = {p.name: p.read_bytes() for p in data.iterdir()}
    result = crampbot(data, "restore", str(backup))
    (data / "crampbot.lock").unlink()  # taken for the restore
    assert result.returncode == 4 and result.stdout == ""
    assert result.stderr.startswith(f"crampbot: {backup} {words}") and result.stderr.endswith("; nothing was changed\n")
    assert len(result.stderr.splitlines()) == 1
    assert {p.name: p.read_bytes() for p in data.iterdir()} == before


def test_a_damaged_database_is_replaced_by_its_backup_and_kept_as_it_was(tmp_path):
    data = tmp_path / "data"
    filled(data / "crampbot.sqlite3", range(1, 30))
    backup = tmp_path / "backup.sqlite3"
    assert crampbot(data, "backup", str(backup)).returncode == 0
    sqlite3.connect(data / "crampbot.sqlite3").execute("PRAGMA journal_mode=DELETE").connection.close()
    overwrite_last_page(data / "crampbot.sqlite3")
    damaged = (data / "crampbot.sqlite3").read_bytes()
    result = crampbot(data, "restore", str(backup))
    assert result.returncode == 0, result.stderr
    (kept,) = [p for p in data.iterdir() if ".before-restore-" in p.name]
    assert kept.read_bytes() == damaged
    assert SQLiteStorage(data / "crampbot.sqlite3").load(29).next_entry_id == 29


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_a_restore_run_as_root_gives_the_database_to_the_data_folders_owner(tmp_path):
    """As when restoring into the folder of a service that runs as its own user (systemd's DynamicUser, Docker)."""
    data = tmp_path / "data"
    filled(data / "crampbot.sqlite3", range(1, 3))
    backup = tmp_path / "backup.sqlite3"
    assert crampbot(data, "backup", str(backup)).returncode == 0
    assert backup.stat().st_mode & 0o777 == 0o600
    os.chown(data, 61234, 61234)
    assert crampbot(data, "restore", str(backup)).returncode == 0
    restored = (data / "crampbot.sqlite3").stat()
    assert (restored.st_uid, restored.st_gid, restored.st_mode & 0o777) == (61234, 61234, 0o600)
