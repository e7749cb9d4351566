"""Storage: one transaction per turn, outbox, countdowns, clear errors.

A test taking `make_storage` is about behaviour and runs twice, on SQLite and on PostgreSQL (a throw-away
server). A test that builds SQLiteStorage itself is about the SQLite file (locking, WAL, file damage, full
disk, read-only file, failing commits, migrations of old files) and runs on SQLite only.
tests/unit/test_storage_postgres.py holds what only PostgreSQL has (locks between processes, its schema)."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import asdict
from pathlib import Path

import pytest

from bot.core.session import DiaryEntry, FlowPosition, Reminder, Session
from bot.storage import Countdown, Received, StorageError
from bot.storage.sqlite import SCHEMA_VERSION, SQLiteStorage
from tests.support.chat_client import FakeClock
from tests.support.storage_faults import FailingCommit, FailingRollback, FailingWrites, fill_up, tiny_disk


def test_a_turn_is_saved_as_a_whole_and_survives_reopening(make_storage, chat):
    chat.send("/checkup")
    chat.press("At night")
    db = make_storage()
    ids = db.record_turn(7, 1001, chat.session, [{"text": "one"}, {"text": "two"}])
    db.close()
    again = make_storage()
    assert again.load(7) == chat.session
    assert again.seen(1001) and not again.seen(1002)
    assert [o.payload["text"] for o in again.unsent()] == ["one", "two"]
    again.mark_sent(ids[0])
    assert [o.payload["text"] for o in again.unsent()] == ["two"]


def test_unknown_chats_and_damaged_rows_give_a_fresh_session(make_storage):
    db = make_storage()
    assert db.load(1) == Session()
    make_storage.sql(db, "INSERT INTO sessions VALUES (2, 'not json', 0)")
    assert db.load(2) == Session()


def test_countdowns_are_remembered_until_cleared(make_storage):
    db = make_storage()
    db.set_countdown(Countdown(5, "relief.stretch.1", 42, 123.0, "Step\n⏱", [[["Next", "f:x"]]]))
    assert db.countdowns()[0].markup == [[["Next", "f:x"]]]
    db.clear_countdown(5)
    assert db.countdowns() == []


def test_a_locked_database_is_reported_in_plain_words(tmp_path):
    path = tmp_path / "x.sqlite3"
    db = SQLiteStorage(path)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    db.db.execute("PRAGMA busy_timeout=100")
    with pytest.raises(StorageError, match="locked"):
        db.record_turn(1, 1, Session(), [])
    other.execute("ROLLBACK")
    db.record_turn(1, 1, Session(), [])  # works again once the lock is gone


def test_a_file_that_is_not_a_database_is_refused_at_start(tmp_path):
    path = tmp_path / "x.sqlite3"
    path.write_bytes(b"this is not sqlite at all" * 100)
    with pytest.raises(StorageError, match="cannot open"):
        SQLiteStorage(path)


@pytest.mark.parametrize("message, words", [("attempt to write a readonly database", "is read-only"),
                                            ("database or disk is full", "is full")])
def test_write_failures_are_explained_and_leave_the_old_state(tmp_path, message, words, chat):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    chat.send("/checkup")
    db.record_turn(1, 1, chat.session, [])
    db.db = FailingWrites(db.db, message)
    with pytest.raises(StorageError, match=words):
        db.record_turn(1, 2, Session(), [{"text": "lost?"}])
    db.db = db.db.real
    assert db.load(1) == chat.session and db.unsent() == [] and not db.seen(2)


def test_a_reply_that_cannot_be_marked_sent_says_why_and_stays_queued(tmp_path):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    ids = db.record_turn(1, 1, Session(), [{"text": "hello"}])
    db.db = FailingWrites(db.db, "attempt to write a readonly database")
    with pytest.raises(StorageError, match="is read-only"):
        db.mark_sent(ids[0])
    db.db = db.db.real
    assert [o.payload["text"] for o in db.unsent()] == ["hello"]


def test_a_read_only_database_is_refused_at_start(tmp_path, monkeypatch):
    path = tmp_path / "x.sqlite3"
    SQLiteStorage(path).close()
    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: FailingWrites(real_connect(*a, **k),
                                                                          "attempt to write a readonly database"))
    with pytest.raises(StorageError, match="readonly"):
        SQLiteStorage(path)


def test_fetched_updates_wait_in_the_inbox_until_a_turn_or_done_takes_them_out(make_storage):
    db = make_storage()
    db.receive([Received(3, 7, {"update_id": 3, "message": {"text": "b"}}), Received(2, None, {"update_id": 2})])
    db.receive([Received(3, 7, {"update_id": 3, "changed": True})])  # fetched again: the first copy stays
    again = make_storage()
    assert [(r.update_id, r.chat_id, r.data) for r in again.inbox()] == [
        (2, None, {"update_id": 2}), (3, 7, {"update_id": 3, "message": {"text": "b"}})]
    again.record_turn(7, 3, Session(), [{"text": "answer"}])
    assert [r.update_id for r in again.inbox()] == [2]
    again.done(2)
    assert again.inbox() == []
    again.receive([Received(4, 7, {"update_id": 4})])
    again.forget(7)
    assert again.inbox() == [] and again.rows_about(7) == 0


def test_an_inbox_that_cannot_be_written_says_why(tmp_path):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    db.db = FailingWrites(db.db, "database or disk is full")
    with pytest.raises(StorageError, match="is full"):
        db.receive([Received(1, 1, {"update_id": 1})])
    with pytest.raises(StorageError, match="is full"):
        db.done(1)


def entries(count: int, severity: int = 3) -> tuple[DiaryEntry, ...]:
    """`count` diary entries, oldest first."""
    return tuple(DiaryEntry(i, 1_000.0 + i, "calf", severity, "1_5min", ("stretch",)) for i in range(1, count + 1))


def test_a_full_database_refuses_a_turn_and_new_updates_in_plain_words_and_recovers_by_itself(tmp_path, chat):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    chat.send("/checkup")
    db.record_turn(1, 1, chat.session, [{"text": "kept"}])
    db.receive([Received(2, 1, {"update_id": 2})])
    pages = db.db.execute("PRAGMA page_count").fetchone()[0]
    db.db.execute(f"PRAGMA max_page_count={pages}")  # a real SQLITE_FULL: SQLite rolls the transaction back itself
    big = Session(diary=entries(400), next_entry_id=401)
    updates = [Received(i, 1, {"update_id": i, "text": "y" * 3000}) for i in range(10, 60)]
    with pytest.raises(StorageError, match="the disk holding .* is full"):
        db.record_turn(1, 2, big, [{"text": "x" * 3000}])
    with pytest.raises(StorageError, match="the disk holding .* is full"):
        db.receive(updates)
    assert db.load(1) == chat.session and [o.payload for o in db.unsent()] == [{"text": "kept"}]
    assert not db.seen(2) and [r.update_id for r in db.inbox()] == [2]
    db.db.execute("PRAGMA max_page_count=1073741823")
    db.record_turn(1, 2, big, [{"text": "x" * 3000}])
    db.receive(updates)
    assert db.load(1) == big and db.seen(2) and len(db.inbox()) == 50


def test_a_full_disk_fails_the_commit_with_a_storage_error_and_recovers_once_space_is_freed(tmp_path, chat):
    with tiny_disk(tmp_path / "small", "1m") as small:
        db = SQLiteStorage(small / "x.sqlite3")
        chat.send("/checkup")
        db.record_turn(1, 1, chat.session, [{"text": "kept"}])
        big = Session(diary=entries(400), next_entry_id=401)
        updates = [Received(i, 1, {"update_id": i, "text": "y" * 3000}) for i in range(10, 60)]
        filler = fill_up(small)
        with pytest.raises(StorageError, match="the disk holding .* is full"):
            db.record_turn(1, 2, big, [{"text": "x" * 3000}])
        with pytest.raises(StorageError, match="the disk holding .* is full"):
            db.receive(updates)
        assert db.load(1) == chat.session and [o.payload for o in db.unsent()] == [{"text": "kept"}]
        assert not db.seen(2) and db.inbox() == []
        filler.unlink()
        db.record_turn(1, 2, big, [{"text": "x" * 3000}])
        db.receive(updates)
        assert db.load(1) == big and db.seen(2) and len(db.inbox()) == 50
        db.close()


def test_a_rollback_that_fails_still_gives_a_storage_error_and_the_next_turn_works(tmp_path):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    db.record_turn(1, 1, Session(zone="Europe/Paris"), [])
    db.db = FailingRollback(db.db, "disk I/O error")
    with pytest.raises(StorageError, match="disk I/O error"):
        db.record_turn(1, 2, Session(zone="Europe/Rome"), [{"text": "lost"}])
    db.db = db.db.real
    db.record_turn(1, 3, Session(zone="Asia/Tokyo"), [])
    assert db.load(1).zone == "Asia/Tokyo" and db.unsent() == [] and not db.seen(2)


def test_after_a_commit_and_rollback_that_fail_nothing_uncommitted_is_read_and_no_entry_is_lost(tmp_path):
    path = tmp_path / "x.sqlite3"
    db = SQLiteStorage(path)
    db.record_turn(1, 1, Session(diary=entries(2), next_entry_id=3), [])
    real = db.db
    db.db = FailingCommit(real)
    logged = db.load(1).with_(diary=(*entries(2), DiaryEntry(3, 5_000.0, "foot", 2)), next_entry_id=4)
    with pytest.raises(StorageError, match="disk I/O error"):
        db.record_turn(1, 2, logged, [{"text": "lost"}])
    with pytest.raises(StorageError, match="cannot read .* disk I/O error"):
        db.seen(2)  # the failed turn's writes are still open, and cannot be rolled back yet
    db.db = real
    assert not db.seen(2)
    before = db.load(1)
    assert before == Session(diary=entries(2), next_entry_id=3) and db.unsent() == []
    saved = before.with_(diary=(*before.diary, DiaryEntry(before.next_entry_id, 6_000.0, "calf", 4)),
                         next_entry_id=before.next_entry_id + 1)
    db.record_turn(1, 3, saved, [])
    db.close()
    assert SQLiteStorage(path).load(1) == saved


def test_numbers_too_big_and_lone_surrogates_give_a_storage_error_not_a_crash(make_storage):
    db = make_storage()
    with pytest.raises(StorageError, match="lone surrogate"):
        db.receive([Received(1, 7, {"update_id": 1, "message": {"text": "hello \ud83d there"}})])
    with pytest.raises(StorageError, match="too large"):
        db.receive([Received(2**63, 7, {"update_id": 2**63})])
    with pytest.raises(StorageError, match="too large"):
        db.receive([Received(3, 2**64, {"update_id": 3})])
    with pytest.raises(StorageError, match="too large"):
        db.record_turn(2**64, 4, Session(), [])
    with pytest.raises(StorageError, match="too large"):
        db.load(-(2**64))
    assert db.seen(2**64) is False
    db.done(2**64)  # nothing to take out
    db.receive([Received(5, 7, {"update_id": 5, "big": 2**70})])  # inside the JSON it is only text
    db.record_turn(7, 6, Session(last_intent="\ud83d"), [{"text": "odd \udcff"}])
    assert db.inbox()[0].data["big"] == 2**70 and db.load(7).last_intent == "\ud83d"
    assert db.unsent()[0].payload == {"text": "odd \udcff"}


def filled_file(path: Path) -> None:
    """A closed database of about 240 KB."""
    db = SQLiteStorage(path)
    for chat_id in range(1, 120):
        db.record_turn(chat_id, chat_id, Session(diary=entries(7), zone="Europe/Berlin"), [])
    db.close()
    assert path.stat().st_size > 200_000 and not Path(f"{path}-wal").exists()


def overwrite_last_pages(path: Path) -> None:
    with path.open("r+b") as file:
        file.seek(-3 * 4096, os.SEEK_END)
        file.write(b"#" * 3 * 4096)


def wrong_freelist_count(path: Path) -> None:
    with path.open("r+b") as file:
        file.seek(36)
        file.write((3).to_bytes(4, "big"))


@pytest.mark.parametrize("journal", ["WAL", "DELETE"])  # DELETE: a file that opening in WAL mode would rewrite
@pytest.mark.parametrize("damage, words", [(overwrite_last_pages, "malformed"),
                                           (wrong_freelist_count, "freelist: size is 0 but should be 3")])
def test_a_damaged_file_is_refused_at_start_with_one_line_naming_it_and_left_unchanged(tmp_path, damage, words,
                                                                                       journal):
    path = tmp_path / "x.sqlite3"
    filled_file(path)
    sqlite3.connect(path).execute(f"PRAGMA journal_mode={journal}").connection.close()
    damage(path)
    damaged = path.read_bytes()
    with pytest.raises(StorageError) as refused:
        SQLiteStorage(path)
    line = str(refused.value)
    assert line.startswith(f"the database {path} is damaged (quick_check: ") and words in line.lower()
    assert line.endswith("restore it from a backup or move it away") and "\n" not in line
    assert path.read_bytes() == damaged and sorted(p.name for p in tmp_path.iterdir()) == ["x.sqlite3"]


def test_an_empty_file_and_a_sound_database_still_open(tmp_path):
    empty = tmp_path / "empty.sqlite3"
    empty.write_bytes(b"")
    SQLiteStorage(empty).close()
    path = tmp_path / "x.sqlite3"
    filled_file(path)
    assert SQLiteStorage(path).load(5).zone == "Europe/Berlin"


def test_forget_leaves_nothing_of_the_chat_in_the_file_or_its_write_ahead_log(tmp_path):
    path = tmp_path / "x.sqlite3"
    db = SQLiteStorage(path)
    people = {7: ("FORGETME-MARKER-7781", "Ulrike-Marker", "ulrike_marker"),
              8: ("KEEPME-MARKER-4242", "Kept-Name", "kept_user")}
    for chat_id, (marker, first_name, username) in people.items():
        for n in range(4):
            update_id = chat_id * 100 + n
            db.receive([Received(update_id, chat_id, {"update_id": update_id, "message": {
                "chat": {"id": chat_id}, "from": {"first_name": first_name, "username": username},
                "text": f"my calves cramp every night {marker}"}})])
            if n == 3:
                break  # the last one stays in the inbox
            session = Session(active=FlowPosition("checkup", "ask", 0.0, answers={"other": (marker,)}),
                              diary=(DiaryEntry(1, 1_000.0, marker),), next_entry_id=2, zone=f"Europe/{first_name}")
            db.record_turn(chat_id, update_id, session, [{"text": f"Hello {first_name} ({username}) {marker} {n}"}])
    wal = Path(f"{path}-wal")
    assert people[7][0].encode() in path.read_bytes() + wal.read_bytes()
    db.forget(7)
    stored = path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")
    for secret in people[7]:
        assert secret.encode() not in stored, secret
    assert db.load(8).diary[0].where == "KEEPME-MARKER-4242" and len(db.unsent(8)) == 3
    assert db.rows_about(7) == 0


def test_forget_goes_on_with_a_warning_when_a_reader_keeps_the_write_ahead_log(tmp_path, caplog):
    path = tmp_path / "x.sqlite3"
    db = SQLiteStorage(path)
    db.record_turn(1, 1, Session(zone="Europe/Paris"), [])
    db.record_turn(2, 2, Session(zone="Europe/Rome"), [])
    reader = sqlite3.connect(path, isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT COUNT(*) FROM sessions").fetchone()
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="crampbot.storage"):
        db.forget(1)
    assert time.monotonic() - started < 1.0, "the reader is not waited for"
    assert db.db.execute("PRAGMA busy_timeout").fetchone()[0] == 5000, "other statements still wait for locks"
    assert "write-ahead log" in caplog.text and db.rows_about(1) == 0
    reader.execute("COMMIT")
    db.forget(2)
    assert Path(f"{path}-wal").stat().st_size == 0


V2_SCHEMA = (
    "CREATE TABLE sessions (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL, updated REAL NOT NULL)",
    "CREATE TABLE handled_updates (update_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL)",
    ("CREATE TABLE reminders (chat_id INTEGER NOT NULL, kind TEXT NOT NULL, next_at REAL NOT NULL, "
     "PRIMARY KEY (chat_id, kind))"),
    ("CREATE TABLE outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, "
     "payload TEXT NOT NULL, created REAL NOT NULL)"),
    ("CREATE TABLE countdowns (chat_id INTEGER PRIMARY KEY, timer_id TEXT NOT NULL, "
     "message_id INTEGER NOT NULL, ends_at REAL NOT NULL, text TEXT NOT NULL, markup TEXT)"),
    "CREATE TABLE inbox (update_id INTEGER PRIMARY KEY, chat_id INTEGER, data TEXT NOT NULL, received REAL NOT NULL)",
)


def test_a_database_from_schema_2_moves_every_diary_entry_into_its_own_table(tmp_path):
    path = tmp_path / "x.sqlite3"
    old = sqlite3.connect(path)
    for statement in V2_SCHEMA:
        old.execute(statement)
    sessions = {chat_id: Session(diary=entries(chat_id * 3), next_entry_id=chat_id * 3 + 5, zone="Europe/Oslo")
                for chat_id in range(1, 30)}
    for chat_id, session in sessions.items():
        old.execute("INSERT INTO sessions VALUES (?, ?, 0)", (chat_id, json.dumps(session.to_dict())))
    old.execute("INSERT INTO inbox VALUES (5, 3, '{\"update_id\": 5}', 0)")
    old.execute("PRAGMA user_version=2")
    old.commit()
    old.close()
    db = SQLiteStorage(path)
    assert db.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert all(db.load(chat_id) == session for chat_id, session in sessions.items())
    assert db.db.execute("SELECT COUNT(*) FROM diary").fetchone()[0] == sum(3 * c for c in sessions)
    assert not any("diary" in json.loads(data) for (data,) in db.db.execute("SELECT data FROM sessions"))
    assert [r.update_id for r in db.inbox()] == [5]
    db.close()
    assert SQLiteStorage(path).load(29) == sessions[29]


def test_diary_items_the_schema_3_move_cannot_read_are_set_aside_and_the_chat_flagged(tmp_path, caplog):
    path = tmp_path / "x.sqlite3"
    old = sqlite3.connect(path)
    for statement in V2_SCHEMA:
        old.execute(statement)
    bad = [{"id": "seven", "at": 1.0}, {"at": 2.0}, "just text", {"id": 2**70, "at": 3.0}, {"id": 2, "at": 4.0}]
    old.execute("INSERT INTO sessions VALUES (1, ?, 0)", (json.dumps(
        {"diary": [*(asdict(e) for e in entries(3)), *bad], "next_entry_id": 4, "zone": "Europe/Oslo"}),))
    old.execute("INSERT INTO sessions VALUES (2, ?, 0)", (json.dumps({"diary": "not a list", "zone": "Asia/Tokyo"}),))
    old.execute("INSERT INTO sessions VALUES (3, ?, 0)",
                (json.dumps(Session(diary=entries(2), next_entry_id=3).to_dict()),))
    old.execute("PRAGMA user_version=2")
    old.commit()
    old.close()
    with caplog.at_level(logging.ERROR, logger="crampbot.storage"):
        db = SQLiteStorage(path)
    assert db.load(1) == Session(diary=entries(3), next_entry_id=4, zone="Europe/Oslo")
    assert db.load(2) == Session(zone="Asia/Tokyo") and db.load(3) == Session(diary=entries(2), next_entry_id=3)
    rows = db.db.execute("SELECT chat_id, table_name, entry_id, data FROM damaged_rows ORDER BY id").fetchall()
    assert rows == [(1, "diary", None, json.dumps(bad[0]).encode()), (1, "diary", None, json.dumps(bad[1]).encode()),
                    (1, "diary", None, b'"just text"'), (1, "diary", None, json.dumps(bad[3]).encode()),
                    (1, "diary", 2, json.dumps(bad[4]).encode()), (2, "diary", None, b'"not a list"')]
    assert db.damaged(1) and db.damaged(2) and not db.damaged(3)
    assert [r.getMessage() for r in caplog.records] == [
        "chat 1: saved rows that could not be read were set aside in damaged_rows (diary: 5)",
        "chat 2: saved rows that could not be read were set aside in damaged_rows (diary: 1)"]


def diary_writes(db: SQLiteStorage) -> list[str]:
    """Start recording the statements that change diary rows."""
    seen: list[str] = []
    db.db.set_trace_callback(lambda sql: seen.append(sql) if " diary" in sql and not sql.startswith("SELECT") else None)
    return seen


def test_a_turn_writes_only_the_diary_entries_that_changed(tmp_path):
    path = tmp_path / "x.sqlite3"
    db = SQLiteStorage(path)
    db.record_turn(1, 1, Session(diary=entries(1000), next_entry_id=1001), [])
    assert db.db.execute("SELECT COUNT(*) FROM diary WHERE chat_id = 1").fetchone()[0] == 1000
    db.close()
    db = SQLiteStorage(path)  # nothing loaded yet: the turn compares with the table
    writes = diary_writes(db)
    added = Session(diary=(*entries(1000), DiaryEntry(1001, 5_000.0, "foot", 2)), next_entry_id=1002)
    db.record_turn(1, 2, added, [])
    assert len(writes) == 1 and "1001" in writes[0]
    session = db.load(1)
    assert session == added
    writes.clear()
    db.record_turn(1, 3, session.with_(zone="Europe/Rome"), [])
    assert writes == []
    changed = tuple(e if e.id != 500 else DiaryEntry(500, e.at, "arch", 5) for e in session.diary if e.id != 3)
    db.record_turn(1, 4, session.with_(diary=changed), [])
    assert len(writes) == 2
    db.close()
    again = SQLiteStorage(path).load(1)
    assert len(again.diary) == 1000 and again.diary[498] == DiaryEntry(500, 1_500.0, "arch", 5)
    assert 3 not in {e.id for e in again.diary}


def test_a_turn_leaves_exactly_its_diary_in_the_table_whatever_was_there(make_storage):
    db = make_storage()
    db.record_turn(1, 1, Session(diary=entries(3), next_entry_id=4), [])
    session = db.load(1)
    make_storage.sql(db, "INSERT INTO diary VALUES (1, 9, ?)", (json.dumps(asdict(DiaryEntry(9, 9_000.0))),))
    make_storage.sql(db, "UPDATE diary SET data = ? WHERE chat_id = 1 AND entry_id = 2",
                     (json.dumps(asdict(DiaryEntry(2, 1_002.0, "arch"))),))
    db.record_turn(1, 2, session.with_(zone="Europe/Rome"), [])
    assert db.load(1) == session.with_(zone="Europe/Rome")


def test_forget_deletes_the_diary_rows_too(make_storage):
    db = make_storage()
    db.record_turn(1, 1, Session(diary=entries(5)), [])
    db.record_turn(2, 2, Session(diary=entries(2)), [])
    assert db.rows_about(1) == 1 + 1 + 5  # the session, the handled update, five entries
    db.forget(1)
    assert db.rows_about(1) == 0 and db.load(1) == Session() and len(db.load(2).diary) == 2
    db.record_turn(1, 3, Session(diary=entries(1)), [])
    assert db.load(1).diary == entries(1)


def test_unreadable_outbox_inbox_and_countdown_rows_are_skipped(make_storage):
    db = make_storage()
    db.record_turn(1, 1, Session(), [{"text": "fine"}])
    make_storage.sql(db, "INSERT INTO outbox (chat_id, payload, created) VALUES (1, '{broken', 0)")
    make_storage.sql(db, "INSERT INTO inbox VALUES (8, 1, '{\"update_id\": ', 0)")
    if not make_storage.postgres:  # PostgreSQL's text is always UTF-8
        db.db.execute("INSERT INTO outbox (chat_id, payload, created) VALUES (1, CAST(x'7b22ff223a317d' AS TEXT), 0)")
        db.db.execute("INSERT INTO inbox VALUES (9, 1, CAST(x'7bff' AS TEXT), 0)")
    db.set_countdown(Countdown(5, "relief.stretch.1", 42, 123.0, "Step", None))
    make_storage.sql(db, "INSERT INTO countdowns VALUES (6, 't', 1, 0, 'x', '[oops')")
    assert [o.payload for o in db.unsent()] == [{"text": "fine"}] and db.inbox() == [] and db.inbox_of(1) == []
    assert [c.chat_id for c in db.countdowns()] == [5] and db.countdown(6) is None


def test_the_shell_asks_for_one_chats_inbox_countdown_and_due_reminders_and_for_updates_left_waiting(make_storage):
    clock = FakeClock(100.0)
    db = make_storage(clock=clock)
    db.ping()
    db.receive([Received(1, 7, {"update_id": 1}), Received(2, 8, {"update_id": 2}),
                Received(3, None, {"update_id": 3})])
    clock.advance(100)
    db.receive([Received(4, 7, {"update_id": 4})])
    assert [r.update_id for r in db.inbox_of(7)] == [1, 4] and db.inbox_of(9) == []
    assert db.stale_inbox(100.0) == [] and db.stale_inbox(150.0) == [7, 8] and db.stale_inbox(250.0) == [7, 8]
    db.record_turn(8, 2, Session(), [])
    assert db.stale_inbox(250.0) == [7]
    shown = Countdown(5, "relief.stretch.1", 42, 123.0, "Step", [[["Next", "f:x"]]])
    db.set_countdown(shown)
    assert db.countdown(5) == shown and db.countdown(6) is None
    db.record_turn(1, None, Session(reminders=(Reminder("water", ("09:00",), 500.0),), relief_check_at=300.0), [])
    db.record_turn(2, None, Session(reminders=(Reminder("stretch", ("21:00",), 400.0),)), [])
    assert db.due_reminders(299.0) == []
    assert db.due_reminders(450.0) == [(1, "relief_check", 300.0), (2, "stretch", 400.0)]
    assert db.due_reminders(1000.0, limit=1) == [(1, "relief_check", 300.0)]
    db.record_turn(1, None, Session(), [])  # the reminders are rewritten with each turn
    assert db.due_reminders(1000.0) == [(2, "stretch", 400.0)]


def test_locks_and_claims_are_granted_to_the_one_process_of_an_unshared_database(make_storage):
    db = make_storage()
    assert db.try_lock_polling() and db.try_lock_chat(-1001234567890) and db.try_claim_countdown(5)
    assert db.try_lock_chat(-1001234567890), "asking again while held is granted"
    db.unlock_chat(-1001234567890)
    db.release_countdown(5)
    assert db.shared is make_storage.postgres
