"""Damaged rows in the database: set aside (never overwritten), logged once, and the rest kept.

The tests taking `filled` or `make_storage` run on SQLite and on PostgreSQL. PostgreSQL's text columns hold
only UTF-8, so there bytes that are not UTF-8 arrive as replacement characters (still not JSON). The tests
that open SQLiteStorage themselves need what only SQLite allows (a failing commit, text in a number column)
and run on SQLite only."""

from __future__ import annotations

import json
import logging

import pytest

from bot.core.session import DiaryEntry, Session
from bot.storage import Countdown, StorageError
from bot.storage.sqlite import SQLiteStorage
from tests.support.storage_faults import FailingCommit
from tests.support.storages import StorageMaker

USERS = 200


def diary(chat_id: int) -> tuple[DiaryEntry, ...]:
    """Twenty entries of one user's diary."""
    return tuple(DiaryEntry(i, 1_000.0 + chat_id + i, "calf", 1 + i % 5, "1_5min", ("stretch",)) for i in range(1, 21))


def session(chat_id: int) -> Session:
    return Session(diary=diary(chat_id), next_entry_id=21, zone="Europe/Lisbon", last_intent=f"intent{chat_id}")


def fill(make_storage: StorageMaker) -> StorageMaker:
    """Its database, now holding 200 users with twenty diary entries each."""
    db = make_storage()
    for chat_id in range(1, USERS + 1):
        db.record_turn(chat_id, chat_id, session(chat_id), [])
    db.close()
    return make_storage


@pytest.fixture
def filled(make_storage):
    """Opens a database holding 200 users with twenty diary entries each (on each backend)."""
    return fill(make_storage)


@pytest.fixture
def filled_sqlite(tmp_path):
    """Opens an SQLite file holding 200 users with twenty diary entries each."""
    maker = StorageMaker("sqlite", lambda clock: SQLiteStorage(tmp_path / "x.sqlite3", clock=clock))
    yield fill(maker)
    maker.close_all()


def damage(filled, table: str, where: str, spoil) -> bytes:
    """Replace one row's data with `spoil(its bytes)`, the way a bad disk block would; return the bytes the
    row now holds."""
    db = filled()
    # S608 cannot see that `table` and `where` are this test's own literals, never outside input
    if filled.postgres:
        raw = filled.sql(db, f"SELECT data FROM {table} WHERE {where}")[0][0].encode()  # noqa: S608
        filled.sql(db, f"UPDATE {table} SET data = ? WHERE {where}", (spoil(raw).decode("utf-8", "replace"),))  # noqa: S608
        spoiled = filled.sql(db, f"SELECT data FROM {table} WHERE {where}")[0][0].encode()  # noqa: S608
    else:
        raw = db.db.execute(f"SELECT CAST(data AS BLOB) FROM {table} WHERE {where}").fetchone()[0]  # noqa: S608
        spoiled = spoil(raw)
        db.db.execute(f"UPDATE {table} SET data = CAST(? AS TEXT) WHERE {where}", (spoiled,))  # noqa: S608
    db.close()
    return spoiled


def hashes(raw: bytes) -> bytes:
    return raw[:10] + b"########" + raw[18:]


def not_utf8(raw: bytes) -> bytes:
    return raw[:10] + b"\xff\xfe\xc3(" + raw[14:]


def not_a_dict(raw: bytes) -> bytes:
    return b"[" + raw + b"]"


def test_damaged_session_rows_are_set_aside_and_the_diaries_survive(filled, caplog):
    spoiled = {17: damage(filled, "sessions", "chat_id = 17", hashes),
               90: damage(filled, "sessions", "chat_id = 90", not_utf8),
               151: damage(filled, "sessions", "chat_id = 151", not_a_dict)}
    db = filled()
    with caplog.at_level(logging.DEBUG, logger="crampbot.storage"):
        for chat_id in range(1, USERS + 1):
            loaded = db.load(chat_id)
            if chat_id in spoiled:
                assert loaded == Session(diary=diary(chat_id), next_entry_id=21), "the diary is kept, the rest lost"
            else:
                assert loaded == session(chat_id)
                assert not db.damaged(chat_id)
        for chat_id in spoiled:
            db.load(chat_id)  # read again: nothing new to set aside
    errors = [r for r in caplog.records if r.name == "crampbot.storage" and r.levelno >= logging.ERROR]
    assert sorted(r.getMessage() for r in errors) == sorted(
        f"chat {c}: saved rows that could not be read were set aside in damaged_rows (sessions: 1)" for c in spoiled)
    assert "intent" not in caplog.text and "calf" not in caplog.text
    rows = filled.sql(db, "SELECT table_name, chat_id, data FROM damaged_rows ORDER BY chat_id")
    assert rows == [("sessions", c, spoiled[c]) for c in sorted(spoiled)]
    for chat_id in spoiled:
        assert db.damaged(chat_id) is True and db.damaged(chat_id) is True  # until a turn tells the user
    for chat_id in spoiled:
        db.record_turn(chat_id, 1000 + chat_id, db.load(chat_id).with_(zone="Asia/Tokyo"), [{"text": "ok"}])
        assert not db.damaged(chat_id)
    db.close()
    again = filled()
    for chat_id in spoiled:
        assert again.load(chat_id) == Session(diary=diary(chat_id), next_entry_id=21, zone="Asia/Tokyo")
        assert not again.damaged(chat_id)
    assert filled.sql(again, "SELECT data FROM damaged_rows WHERE chat_id = 90")[0][0] == spoiled[90]
    assert again.load(5) == session(5)


def test_a_damaged_diary_row_is_set_aside_and_the_other_entries_kept(filled, caplog):
    bad_utf8 = damage(filled, "diary", "chat_id = 4 AND entry_id = 7", not_utf8)
    bad_json = damage(filled, "diary", "chat_id = 4 AND entry_id = 9", hashes)
    wrong_id = damage(filled, "diary", "chat_id = 4 AND entry_id = 11",
                      lambda raw: raw.replace(b'"id": 11', b'"id": 12'))
    db = filled()
    with caplog.at_level(logging.ERROR, logger="crampbot.storage"):
        loaded = db.load(4)
    assert loaded == session(4).with_(diary=tuple(e for e in diary(4) if e.id not in (7, 9, 11)))
    assert db.damaged(4)
    assert [r.getMessage() for r in caplog.records] == [
        "chat 4: saved rows that could not be read were set aside in damaged_rows (diary: 3)"]
    rows = filled.sql(db, "SELECT table_name, chat_id, data FROM damaged_rows")
    assert sorted(rows) == sorted([("diary", 4, bad_utf8), ("diary", 4, bad_json), ("diary", 4, wrong_id)])
    db.record_turn(4, 5000, loaded, [])
    assert not db.damaged(4)
    assert filled().load(4) == loaded


def test_a_damaged_row_met_first_by_a_turn_is_set_aside_not_overwritten(filled):
    spoiled = damage(filled, "sessions", "chat_id = 3", hashes)
    db = filled()
    db.record_turn(3, 9000, session(3).with_(zone="Asia/Tokyo"), [])
    assert filled.sql(db, "SELECT data FROM damaged_rows WHERE chat_id = 3")[0][0] == spoiled
    assert db.damaged(3) and db.load(3) == session(3).with_(zone="Asia/Tokyo")


def test_the_damaged_flag_stays_until_a_turn_is_saved_across_a_failed_turn_and_a_restart_on_sqlite(filled_sqlite):
    filled = filled_sqlite  # a failing COMMIT is faked on SQLite's connection (PostgreSQL: test_storage_postgres.py)
    damage(filled, "sessions", "chat_id = 17", hashes)
    db = filled()
    assert not db.damaged(17), "not found yet"
    loaded = db.load(17)
    assert db.damaged(17) and db.damaged(17), "asking does not clear it"
    real = db.db
    db.db = FailingCommit(real)
    with pytest.raises(StorageError):
        db.record_turn(17, 5000, loaded, [{"text": "told"}])
    db.db = real
    assert db.damaged(17)
    db.close()
    db = filled()
    assert db.damaged(17) and not db.damaged(18), "found at open"
    db.record_turn(17, 5001, db.load(17), [{"text": "told"}])
    assert not db.damaged(17)
    db.close()
    again = filled()
    assert not again.damaged(17)
    assert again.db.execute("SELECT told FROM damaged_rows WHERE chat_id = 17").fetchall() == [(1,)]


def test_rows_set_aside_by_a_turn_are_not_taken_as_told(filled):
    db = filled()
    db.load(3)
    damage(filled, "diary", "chat_id = 3 AND entry_id = 5", not_utf8)
    db.record_turn(3, 9000, session(3).with_(diary=diary(3)[5:]), [])
    assert db.damaged(3)
    db.close()
    assert filled().damaged(3)


def test_unreadable_countdown_and_reminder_rows_are_skipped_with_a_warning_on_sqlite(tmp_path, caplog):
    """SQLite only: its columns take text of any type and bytes that are not UTF-8."""
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    db.set_countdown(Countdown(5, "relief.stretch.1", 42, 123.0, "Step", None))
    db.db.execute("INSERT INTO countdowns VALUES (6, 't', 1, 0, CAST(x'53746570ff' AS TEXT), NULL)")
    db.db.execute("INSERT INTO countdowns VALUES (7, 't', 1, 0, 'Step', CAST(x'5bff5d' AS TEXT))")
    db.db.execute("INSERT INTO countdowns VALUES (8, 't', CAST(x'31ff' AS TEXT), 0, 'Step', NULL)")
    db.db.execute("INSERT INTO reminders VALUES (5, 'water', 100.0)")
    db.db.execute("INSERT INTO reminders VALUES (6, CAST(x'77ff' AS TEXT), 100.0)")
    db.db.execute("INSERT INTO reminders VALUES (7, 'water', CAST(x'31ff' AS TEXT))")
    with caplog.at_level(logging.DEBUG, logger="crampbot.storage"):
        assert [c.chat_id for c in db.countdowns()] == [5]
        assert db.reminders() == [(5, "water", 100.0)]
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("WARNING", "skipped 3 saved countdown row(s) that could not be read"),
        ("WARNING", "skipped 2 saved reminder row(s) that could not be read")]


def test_forget_deletes_the_rows_set_aside_too(filled):
    damage(filled, "sessions", "chat_id = 8", not_utf8)
    db = filled()
    db.load(8)
    assert db.rows_about(8) == 1 + 1 + 20  # the row set aside, the handled update, twenty entries
    db.forget(8)
    assert db.rows_about(8) == 0 and not db.damaged(8)
    other = filled.sql(db, "SELECT data FROM sessions WHERE chat_id = 9")[0][0]
    assert json.loads(other)["zone"] == "Europe/Lisbon"
