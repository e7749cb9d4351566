"""SQLite schema upgrades: a database written by each earlier CrampBot, full of data, opens with every row
still there and readable; all steps run in one transaction; a database from a newer CrampBot is refused.

The CREATE statements below are the ones each earlier schema ran, copied from the history of
bot/storage.py and bot/storage/sqlite.py: they are fixtures, never taken from the code under test."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pytest

import bot.storage.sqlite as sqlite_storage
from bot.core.session import DiaryEntry, Reminder, Session
from bot.storage import Countdown, Received, StorageError
from bot.storage.sqlite import MIGRATIONS, SCHEMA_VERSION, SQLiteStorage

SCHEMA_1 = (  # bot/storage.py, SCHEMA_VERSION = 1
    "CREATE TABLE IF NOT EXISTS sessions (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL, updated REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS handled_updates (update_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL)",
    ("CREATE TABLE IF NOT EXISTS reminders (chat_id INTEGER NOT NULL, kind TEXT NOT NULL, next_at REAL NOT NULL, "
    "PRIMARY KEY (chat_id, kind))"),
    ("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, "
    "payload TEXT NOT NULL, created REAL NOT NULL)"),
    ("CREATE TABLE IF NOT EXISTS countdowns (chat_id INTEGER PRIMARY KEY, timer_id TEXT NOT NULL, "
    "message_id INTEGER NOT NULL, ends_at REAL NOT NULL, text TEXT NOT NULL, markup TEXT)"),
)
SCHEMA_2 = (*SCHEMA_1,  # bot/storage.py, SCHEMA_VERSION = 2: the inbox
            ("CREATE TABLE IF NOT EXISTS inbox (update_id INTEGER PRIMARY KEY, chat_id INTEGER, data TEXT NOT NULL, "
            "received REAL NOT NULL)"))
SCHEMA_3 = (*SCHEMA_2,  # bot/storage/sqlite.py, SCHEMA_VERSION = 3: the diary table and damaged_rows
            ("CREATE TABLE IF NOT EXISTS diary (chat_id INTEGER NOT NULL, entry_id INTEGER NOT NULL, "
            "data TEXT NOT NULL, PRIMARY KEY (chat_id, entry_id))"),
            ("CREATE TABLE IF NOT EXISTS damaged_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, "
            "chat_id INTEGER NOT NULL, entry_id INTEGER, data BLOB NOT NULL, found REAL NOT NULL, "
            "told INTEGER NOT NULL DEFAULT 0)"))
OLD_SCHEMAS = {1: SCHEMA_1, 2: SCHEMA_2, 3: SCHEMA_3}
CHATS = range(1001, 1061)  # sixty chats


@dataclass
class Written:
    """What a test wrote into an old database, as the storage should give it back."""

    sessions: dict[int, Session] = field(default_factory=dict)
    unsent: list[tuple[int, int, dict]] = field(default_factory=list)
    reminders: set[tuple[int, str, float]] = field(default_factory=set)
    countdowns: list[Countdown] = field(default_factory=list)
    handled: list[int] = field(default_factory=list)
    inbox: list[tuple[int, int | None, dict]] = field(default_factory=list)
    damaged: list[tuple] = field(default_factory=list)


def diary(chat_id: int) -> tuple[DiaryEntry, ...]:
    """A different diary for each chat: up to 24 entries with sides, times said in words and what helped."""
    return tuple(DiaryEntry(i, 1_700_000_000.0 + chat_id * 1000 + i * 3600, ("calf", "foot", "thigh")[i % 3],
                            1 + i % 5, "1_5min", ("stretch",) if i % 2 else ("walk", "heat"),
                            side=("left", "right", "both")[i % 3], time_known=i % 4 != 0,
                            part="night" if i % 4 == 0 else None, said="last night" if i % 4 == 0 else None)
                 for i in range(1, chat_id % 25 + 1))


def session(chat_id: int) -> Session:
    """A chat's session: its diary, a time zone, reminders and a next entry id past the diary."""
    entries = diary(chat_id)
    reminders = (Reminder("bedtime_stretch", ("21:30",), 1_800_000_000.0 + chat_id),
                 Reminder("drink", ("10:00", "16:00"), 1_800_000_500.0 + chat_id)) if chat_id % 3 else ()
    return Session(diary=entries, next_entry_id=len(entries) + 1 + chat_id % 2,
                   zone=("Europe/Oslo", "Asia/Tokyo", "America/Chicago")[chat_id % 3], reminders=reminders)


def old_database(path: Path, version: int) -> Written:
    """A database made by schema `version`'s CREATE statements, full of data the way that version kept it
    (the diary inside the session's JSON before schema 3, in its own rows since)."""
    db = sqlite3.connect(path)
    for statement in OLD_SCHEMAS[version]:
        db.execute(statement)
    written = Written()
    update_id = 500_000
    for chat_id in CHATS:
        kept = session(chat_id)
        written.sessions[chat_id] = kept
        data = kept.to_dict()
        if version >= 3:
            entries = data.pop("diary")
            db.executemany("INSERT INTO diary VALUES (?, ?, ?)",
                           [(chat_id, entry["id"], json.dumps(entry)) for entry in entries])
        db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (chat_id, json.dumps(data), 1_700_000_000.0))
        for kind, at in kept.due_times():
            db.execute("INSERT INTO reminders VALUES (?, ?, ?)", (chat_id, kind, at))
            written.reminders.add((chat_id, kind, at))
        for n in range(chat_id % 3):
            payload = {"text": f"reply {n} to chat {chat_id} ✅", "buttons": [["Next", "f:relief:next"]]}
            cursor = db.execute("INSERT INTO outbox (chat_id, payload, created) VALUES (?, ?, ?)",
                                (chat_id, json.dumps(payload), 1_700_000_100.0))
            written.unsent.append((cursor.lastrowid, chat_id, payload))
        if chat_id % 4 == 0:
            countdown = Countdown(chat_id, "relief.stretch.2", 40 + chat_id, 1_700_000_200.0 + chat_id,
                                  "Hold the stretch\n⏱ 30 s", [[["▶️ Start", "f:relief:start"]]])
            db.execute("INSERT INTO countdowns VALUES (?, ?, ?, ?, ?, ?)",
                       (chat_id, countdown.timer_id, countdown.message_id, countdown.ends_at, countdown.text,
                        json.dumps(countdown.markup)))
            written.countdowns.append(countdown)
        for _ in range(2):
            update_id += 1
            db.execute("INSERT INTO handled_updates VALUES (?, ?)", (update_id, chat_id))
            written.handled.append(update_id)
        if version >= 2 and chat_id % 5 == 0:
            update_id += 1
            update = {"update_id": update_id, "message": {"chat": {"id": chat_id}, "text": "cramp in my calf"}}
            db.execute("INSERT INTO inbox VALUES (?, ?, ?, ?)", (update_id, chat_id, json.dumps(update),
                                                                 1_700_000_300.0 + chat_id))
            written.inbox.append((update_id, chat_id, update))
    if version >= 2:
        update_id += 1
        db.execute("INSERT INTO inbox VALUES (?, NULL, ?, 1700000400.0)",
                   (update_id, json.dumps({"update_id": update_id})))
        written.inbox.append((update_id, None, {"update_id": update_id}))
    if version >= 3:
        db.execute("INSERT INTO damaged_rows (table_name, chat_id, entry_id, data, found, told) "
                   "VALUES ('diary', 1010, 77, X'ff00', 1700000500.0, 0)")
        written.damaged.append(("diary", 1010, 77, b"\xff\x00", 0))
    db.execute(f"PRAGMA user_version={version}")
    db.commit()
    db.close()
    return written


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
