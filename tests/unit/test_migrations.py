"""SQLite schema upgrades: a database written by each earlier CrampBot (tests/support/old_schemas.py, made with
that schema's own CREATE statements), full of data, opens with every row still there and readable; all steps run
in one transaction; a database from a newer CrampBot is refused."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict

import pytest

import bot.storage.sqlite as sqlite_storage
from bot.core.session import DiaryEntry, Session
from bot.storage import Received, StorageError
from bot.storage.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStorage
from tests.support.old_schemas import CHATS, OLD_SCHEMAS, diary, old_database, session


def shape(db: sqlite3.Connection) -> dict[str, object]:
    """Every table's columns (name, type, not null, default, key) and every index's columns, by name."""
    names = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE "
                                          "'sqlite_%' ORDER BY name")]
    tables = {name: db.execute(f"PRAGMA table_info({name})").fetchall() for name in names}
    indexes = {name: (table, [c[2] for c in db.execute(f"PRAGMA index_info({name})")])
               for name, table in db.execute("SELECT name, tbl_name FROM sqlite_master WHERE type = 'index' AND name "
                                             "NOT LIKE 'sqlite_%'")}
    return {"tables": tables, "indexes": indexes}


@pytest.mark.parametrize("version", sorted(OLD_SCHEMAS))
def test_a_database_full_of_data_from_each_older_schema_opens_with_every_row_readable(tmp_path, version):
    path = tmp_path / "crampbot.sqlite3"
    written = old_database(path, version)
    db = SQLiteStorage(path)
    assert db.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    for chat_id, kept in written.sessions.items():
        assert db.load(chat_id) == kept, f"chat {chat_id}"
        assert not db.damaged(chat_id) or chat_id == 1010
    assert [(o.id, o.chat_id, o.payload) for o in db.unsent()] == written.unsent
    assert set(db.reminders()) == written.reminders
    assert sorted(db.countdowns(), key=lambda c: c.chat_id) == written.countdowns
    assert all(db.seen(update_id) for update_id in written.handled)
    assert [(r.update_id, r.chat_id, r.data) for r in db.inbox()] == written.inbox
    assert db.db.execute("SELECT table_name, chat_id, entry_id, data, told FROM damaged_rows").fetchall() == \
        written.damaged
    assert db.db.execute("SELECT COUNT(*) FROM diary").fetchone()[0] == sum(len(diary(c)) for c in CHATS)
    db.close()

    again = SQLiteStorage(path)  # upgraded once: opening again changes nothing
    assert all(again.load(chat_id) == kept for chat_id, kept in written.sessions.items())
    assert [(o.id, o.chat_id, o.payload) for o in again.unsent()] == written.unsent


@pytest.mark.parametrize("version", sorted(OLD_SCHEMAS))
def test_an_upgraded_database_has_the_same_tables_columns_and_indexes_as_a_new_one(tmp_path, version):
    old_database(tmp_path / "old.sqlite3", version)
    SQLiteStorage(tmp_path / "old.sqlite3").close()
    SQLiteStorage(tmp_path / "new.sqlite3").close()
    upgraded, new = (sqlite3.connect(tmp_path / name) for name in ("old.sqlite3", "new.sqlite3"))
    assert shape(upgraded) == shape(new)
    assert set(shape(new)["indexes"]) >= {"inbox_by_received", "inbox_by_chat", "reminders_by_due_time"}


def test_the_steps_are_numbered_one_by_one_up_to_the_schema_version():
    assert [version for version, _ in MIGRATIONS] == list(range(1, SCHEMA_VERSION + 1))


def plan(db: sqlite3.Connection, sql: str) -> str:
    """How SQLite runs a statement (EXPLAIN QUERY PLAN's details, joined)."""
    return " | ".join(row[3] for row in db.execute(f"EXPLAIN QUERY PLAN {sql}"))


def test_the_shared_database_queries_use_the_new_indexes(tmp_path):
    path = tmp_path / "crampbot.sqlite3"
    old_database(path, 3)
    db = SQLiteStorage(path)
    db.db.execute("ANALYZE")
    ran: list[str] = []
    db.db.set_trace_callback(ran.append)
    assert db.stale_inbox(1_700_000_300.0 + 1030) == [1005, 1010, 1015, 1020, 1025]
    db.forget(1005)
    db.db.set_trace_callback(None)
    (stale,) = [sql for sql in ran if "received <" in sql]
    (forget_inbox,) = [sql for sql in ran if sql.startswith("DELETE FROM inbox WHERE chat_id")]
    assert "inbox_by_received" in plan(db.db, stale)
    assert "inbox_by_chat" in plan(db.db, forget_inbox)
    due = "SELECT chat_id, kind, next_at FROM reminders WHERE next_at <= 1800000000.0 + 1020 ORDER BY next_at LIMIT 100"
    assert "reminders_by_due_time" in plan(db.db, due)


def test_the_steps_run_in_one_transaction_so_a_failing_step_leaves_the_file_as_it_was(tmp_path, monkeypatch):
    path = tmp_path / "crampbot.sqlite3"
    written = old_database(path, 1)

    def broken(db: sqlite3.Connection, now: float) -> dict:
        db.execute("CREATE TABLE half_done (x)")
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(sqlite_storage, "MIGRATIONS", (*MIGRATIONS, (SCHEMA_VERSION + 1, broken)))
    monkeypatch.setattr(sqlite_storage, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with pytest.raises(StorageError, match="disk I/O error"):
        SQLiteStorage(path)
    monkeypatch.undo()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert tables == {"sessions", "handled_updates", "reminders", "outbox", "countdowns", "sqlite_sequence"}
    assert all("diary" in json.loads(data) for (data,) in db.execute("SELECT data FROM sessions"))
    db.close()
    assert SQLiteStorage(path).load(1020) == written.sessions[1020]  # the real steps still upgrade it


def test_a_database_from_a_newer_crampbot_is_refused_and_left_unchanged(tmp_path):
    path = tmp_path / "crampbot.sqlite3"
    first = SQLiteStorage(path)
    first.record_turn(5, 1, Session(zone="Europe/Oslo"), [{"text": "hi"}])
    first.close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    db.execute("PRAGMA journal_mode=DELETE")  # one file to compare, byte for byte
    db.close()
    before = path.read_bytes()
    with pytest.raises(StorageError, match=f"written by a newer CrampBot \\(schema {SCHEMA_VERSION + 1}\\)"):
        SQLiteStorage(path)
    assert path.read_bytes() == before


def test_a_diary_entry_written_by_schema_3_reads_back_field_for_field(tmp_path):
    """Schema 3 wrote each entry as the JSON of all its fields; today's reader takes them as they are."""
    path = tmp_path / "crampbot.sqlite3"
    old_database(path, 3)
    entry = DiaryEntry(99, 1_700_123_456.0, "foot", 4, "5_15min", ("massage",), "sitting", "left", False, "night",
                       "last night", 2)
    db = sqlite3.connect(path)
    db.execute("INSERT INTO diary VALUES (1001, 99, ?)", (json.dumps(asdict(entry)),))
    db.commit()
    db.close()
    assert entry in SQLiteStorage(path).load(1001).diary


def test_a_fresh_database_gets_every_step(tmp_path):
    db = SQLiteStorage(tmp_path / "new" / "crampbot.sqlite3")
    db.receive([Received(1, 7, {"update_id": 1})])
    db.record_turn(7, 1, session(1007), [{"text": "ok"}])
    assert db.load(7) == session(1007) and db.inbox() == []
    assert db.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
