"""SQLite storage: one transaction per turn, outbox, countdowns, clear errors."""

from __future__ import annotations

import json
import sqlite3

import pytest

from bot.session import Session
from bot.storage import SCHEMA_VERSION, Countdown, Received, SQLiteStorage, StorageError
from tests.storage_faults import FailingWrites


def test_a_turn_is_saved_as_a_whole_and_survives_reopening(tmp_path, chat):
    chat.send("/checkup")
    chat.press("At night")
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    ids = db.record_turn(7, 1001, chat.session, [{"text": "one"}, {"text": "two"}])
    db.close()
    again = SQLiteStorage(tmp_path / "x.sqlite3")
    assert again.load(7) == chat.session
    assert again.seen(1001) and not again.seen(1002)
    assert [o.payload["text"] for o in again.unsent()] == ["one", "two"]
    again.mark_sent(ids[0])
    assert [o.payload["text"] for o in again.unsent()] == ["two"]


def test_unknown_chats_and_damaged_rows_give_a_fresh_session(tmp_path):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    assert db.load(1) == Session()
    db.db.execute("INSERT INTO sessions VALUES (2, 'not json', 0)")
    assert db.load(2) == Session()


def test_countdowns_are_remembered_until_cleared(tmp_path):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
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


def test_fetched_updates_wait_in_the_inbox_until_a_turn_or_done_takes_them_out(tmp_path):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    db.receive([Received(3, 7, {"update_id": 3, "message": {"text": "b"}}), Received(2, None, {"update_id": 2})])
    db.receive([Received(3, 7, {"update_id": 3, "changed": True})])  # fetched again: the first copy stays
    again = SQLiteStorage(tmp_path / "x.sqlite3")
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


def test_a_database_from_before_the_inbox_gains_it_and_keeps_its_chats(tmp_path):
    path = tmp_path / "x.sqlite3"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE sessions (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL, updated REAL NOT NULL)")
    old.execute("INSERT INTO sessions VALUES (9, ?, 0)", (json.dumps(Session(next_entry_id=4).to_dict()),))
    old.execute("PRAGMA user_version=1")
    old.commit()
    old.close()
    db = SQLiteStorage(path)
    assert db.load(9).next_entry_id == 4 and db.inbox() == []
    assert db.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2

