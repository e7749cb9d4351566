"""Durable per-chat state behind a small interface, and its SQLite implementation.

Each update is written to the inbox as it was fetched, before Telegram is told it arrived (the
next getUpdates), and leaves the inbox in the transaction that handles it, so an update fetched
just before the process was killed is handled at the next start instead of lost.
Everything one update changes (the chat's session, the fact that the update was handled, and the
replies still to send) is written in one transaction before anything is sent, so a process killed
at any point restarts where it was: handled updates are not handled twice, unsent replies are sent.

Diary entries are rows of their own, so a turn rewrites only the entries it changed, and a damaged
session row cannot take the diary with it. A session row that is not UTF-8 JSON of an object, and a
diary row that is not that or not an entry (no readable id and time, or another entry's id), is
moved to `damaged_rows`, never overwritten, logged (one line per chat, no content), and the chat is
flagged (`damaged`) until a saved turn has told the user; a readable session row keeps what
`Session.from_dict` can read of it (a damaged field is dropped). Unreadable inbox, outbox, countdown
and reminder rows are skipped. The file is checked (`PRAGMA quick_check`) before anything is written.
Deleted rows are overwritten with zeros (`secure_delete`), and `forget` empties the write-ahead log.
Every database problem, a full disk included, reaches the caller as `StorageError`.
The interface and records are in bot.storage."""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, cast

from bot.core.session import DiaryEntry, Session
from bot.storage import INTEGER_RANGE, Countdown, Outgoing, Received, StorageError
from bot.storage.rows import Damaged as _Damaged  # the row helpers both backends share, under their old names here
from bot.storage.rows import diary_changes, outgoing_from_rows, received_from_rows, session_from_rows, session_json
from bot.storage.rows import entry_json as _entry_json
from bot.storage.rows import json_object as _json_object
from bot.storage.rows import report_set_aside as _report
from bot.storage.rows import report_skipped as _report_skipped

SCHEMA_VERSION = 4  # the newest step in MIGRATIONS (below)
KEEP_UPDATE_IDS = 10_000
BUSY_WAIT_MS = 5000  # how long a statement waits for another program's lock
CHECKPOINT_WAIT_MS = 100  # how long `forget` waits for readers before leaving the write-ahead log as it is
_FAULTS = (sqlite3.Error, OverflowError, UnicodeEncodeError)  # what binding or running a statement raises

log = logging.getLogger("crampbot.storage")


TABLES = ("sessions", "diary", "handled_updates", "reminders", "outbox", "countdowns", "inbox", "damaged_rows")
_SET_ASIDE = "INSERT INTO damaged_rows (table_name, chat_id, entry_id, data, found) VALUES (?, ?, ?, ?, ?)"


# -- Schema migrations ----------------------------------------------------------------------------
# Each step brings a file from the schema before it to its own, inside the one transaction `_migrate`
# opens (a fresh file runs them all). A step is never changed once released: a new schema is a new step
# at the end, and SCHEMA_VERSION is its number. Each returns what it set aside, by chat.

def _schema_1_first_tables(db: sqlite3.Connection, now: float) -> dict[int, list[_Damaged]]:
    """Schema 1: sessions, handled updates, reminders, the outbox and countdowns."""
    db.execute("CREATE TABLE IF NOT EXISTS sessions (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL, "
               "updated REAL NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS handled_updates (update_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS reminders (chat_id INTEGER NOT NULL, kind TEXT NOT NULL, "
               "next_at REAL NOT NULL, PRIMARY KEY (chat_id, kind))")
    db.execute("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, "
               "payload TEXT NOT NULL, created REAL NOT NULL)")
    db.execute("CREATE TABLE IF NOT EXISTS countdowns (chat_id INTEGER PRIMARY KEY, timer_id TEXT NOT NULL, "
               "message_id INTEGER NOT NULL, ends_at REAL NOT NULL, text TEXT NOT NULL, markup TEXT)")
    return {}


def _schema_2_inbox(db: sqlite3.Connection, now: float) -> dict[int, list[_Damaged]]:
    """Schema 2: the inbox of updates fetched but not handled yet."""
    db.execute("CREATE TABLE IF NOT EXISTS inbox (update_id INTEGER PRIMARY KEY, chat_id INTEGER, "
               "data TEXT NOT NULL, received REAL NOT NULL)")
    return {}


def _schema_3_diary_table(db: sqlite3.Connection, now: float) -> dict[int, list[_Damaged]]:
    """Schema 3: each session's diary leaves its JSON for rows of the diary table, and unreadable rows get
    a table to be set aside in. A diary item that is not an entry, or repeats an entry's id, is set aside
    as JSON; a session row that cannot be read stays as it is, to be set aside by `load`."""
    db.execute("CREATE TABLE IF NOT EXISTS diary (chat_id INTEGER NOT NULL, entry_id INTEGER NOT NULL, "
               "data TEXT NOT NULL, PRIMARY KEY (chat_id, entry_id))")
    db.execute("CREATE TABLE IF NOT EXISTS damaged_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, "
               "table_name TEXT NOT NULL, chat_id INTEGER NOT NULL, entry_id INTEGER, data BLOB NOT NULL, "
               "found REAL NOT NULL, told INTEGER NOT NULL DEFAULT 0)")
    set_aside: dict[int, list[_Damaged]] = {}
    for chat_id, raw in db.execute("SELECT chat_id, CAST(data AS BLOB) FROM sessions").fetchall():
        data = _json_object(raw)
        if data is None or "diary" not in data:
            continue
        items = data.pop("diary")
        damaged: list[_Damaged] = []
        if not isinstance(items, list):
            damaged.append(("diary", None, json.dumps(items).encode()))
            items = []
        entries: dict[int, DiaryEntry] = {}
        for item in items:
            read = Session.from_dict({"diary": [item]}).diary
            entry = read[0] if read and read[0].id in INTEGER_RANGE else None
            if entry is None or entry.id in entries:
                damaged.append(("diary", None if entry is None else entry.id, json.dumps(item).encode()))
            else:
                entries[entry.id] = entry
        db.executemany("INSERT OR REPLACE INTO diary (chat_id, entry_id, data) VALUES (?, ?, ?)",
                       [(chat_id, entry.id, _entry_json(entry)) for entry in entries.values()])
        db.execute("UPDATE sessions SET data = ? WHERE chat_id = ?", (json.dumps(data), chat_id))
        if damaged:
            db.executemany(_SET_ASIDE, [(table, chat_id, entry_id, raw, now) for table, entry_id, raw in damaged])
            set_aside[chat_id] = damaged
    return set_aside


def _schema_4_indexes(db: sqlite3.Connection, now: float) -> dict[int, list[_Damaged]]:
    """Schema 4: indexes for the queries a shared database needs: the inbox by time received (stale_inbox)
    and by chat (inbox_of, forget), and reminders by due time (due_reminders)."""
    db.execute("CREATE INDEX IF NOT EXISTS inbox_by_received ON inbox (received, chat_id)")
    db.execute("CREATE INDEX IF NOT EXISTS inbox_by_chat ON inbox (chat_id, update_id)")
    db.execute("CREATE INDEX IF NOT EXISTS reminders_by_due_time ON reminders (next_at)")
    return {}


MIGRATIONS: tuple[tuple[int, Callable[[sqlite3.Connection, float], dict[int, list[_Damaged]]]], ...] = (
    (1, _schema_1_first_tables),
    (2, _schema_2_inbox),
    (3, _schema_3_diary_table),
    (4, _schema_4_indexes),
)


class SQLiteStorage:
    """Storage in one SQLite file (WAL mode; each turn is one transaction), for one bot process."""

    shared = False  # one process (bot.storage.data_lock): its locks and claims are always granted

    def __init__(self, path: Path | str, clock: Callable[[], float] = time.time,
                 lock_wait: float = BUSY_WAIT_MS / 1000):
        self.path = Path(path)
        self.clock = clock
        self._busy_ms = round(lock_wait * 1000)  # how long a statement waits for another program's lock
        self._damaged: set[int] = set()  # chats with rows set aside that the user was not told about
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=lock_wait, isolation_level=None,
                                      check_same_thread=False)
        except sqlite3.Error as exc:
            raise StorageError(f"cannot open the database {self.path}: {exc}") from exc
        except OSError as exc:
            raise StorageError(f"cannot create the data folder for {self.path}: {exc}") from exc
        try:
            self._check()
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA secure_delete=ON")  # deleted rows are overwritten, not left in free space
            self._migrate()
            self._damaged = {row[0] for row in self.db.execute(
                "SELECT DISTINCT chat_id FROM damaged_rows WHERE told = 0").fetchall()}
        except sqlite3.Error as exc:
            self.db.close()
            raise StorageError(f"cannot open the database {self.path}: {exc}") from exc
        except StorageError:
            self.db.close()
            raise

    def _check(self) -> None:
        """Refuse a damaged file, or one from a newer CrampBot, before anything is written to it (WAL mode
        included)."""
        try:
            problems = [row[0] for row in self.db.execute("PRAGMA quick_check").fetchall()]
        except sqlite3.OperationalError:
            raise  # locked, unreadable...: said as such by the caller
        except sqlite3.DatabaseError as exc:
            if exc.sqlite_errorcode == sqlite3.SQLITE_NOTADB:
                raise  # not a database at all: said as such by the caller
            problems = [str(exc)]
        if problems != ["ok"]:
            found = "; ".join(line for problem in problems for line in problem.splitlines()
                              if not line.startswith("***"))
            raise StorageError(f"the database {self.path} is damaged (quick_check: {found[:300]}); "
                               "restore it from a backup or move it away")
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(f"{self.path} was written by a newer CrampBot (schema {version})")

    def _migrate(self) -> None:
        """Bring the file to SCHEMA_VERSION: every step in MIGRATIONS newer than its `user_version`, in
        order, in one transaction (all of them or none); `_check` has refused a file from a newer CrampBot."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        set_aside: dict[int, list[_Damaged]] = {}
        with self._transaction():
            for step_version, step in MIGRATIONS:
                if step_version > version:
                    set_aside.update(step(self.db, self.clock()))
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        for chat_id, damaged in set_aside.items():
            _report(chat_id, damaged)

    def _transaction(self) -> _Transaction:
        return _Transaction(self.db, self.path)

    def load(self, chat_id: int) -> Session:
        """The chat's session with its diary (a fresh one when there is none); rows that cannot be read
        are set aside and the rest is kept (a damaged session row keeps its diary)."""
        rows = self._read("SELECT CAST(data AS BLOB) FROM sessions WHERE chat_id = ?", (chat_id,))
        entry_rows = self._read("SELECT entry_id, CAST(data AS BLOB) FROM diary WHERE chat_id = ?", (chat_id,))
        damaged: list[_Damaged] = []
        session = session_from_rows(rows[0][0] if rows else None, entry_rows, damaged)
        if damaged:
            self._set_aside(chat_id, damaged)
        return session

    def damaged(self, chat_id: int) -> bool:
        """True while this chat has saved data set aside that the user has not been told about (asking
        does not clear it: the next turn saved for the chat does)."""
        return chat_id in self._damaged

    def _set_aside(self, chat_id: int, damaged: list[_Damaged]) -> None:
        """Move unreadable rows, as they are, into damaged_rows (one transaction), flag the chat and log
        it (one line, never the content)."""
        with self._transaction():
            self._move_aside(chat_id, damaged)
        self._damaged.add(chat_id)
        _report(chat_id, damaged)

    def _move_aside(self, chat_id: int, damaged: list[_Damaged]) -> None:
        """Copy unreadable rows into damaged_rows and delete them where they were (inside the caller's
        transaction)."""
        now = self.clock()
        for table, entry_id, raw in damaged:
            self.db.execute(_SET_ASIDE, (table, chat_id, entry_id, raw, now))
            if table == "sessions":
                self.db.execute("DELETE FROM sessions WHERE chat_id = ? AND CAST(data AS BLOB) = ?", (chat_id, raw))
            else:
                self.db.execute("DELETE FROM diary WHERE chat_id = ? AND entry_id = ?", (chat_id, entry_id))

    def seen(self, update_id: int) -> bool:
        """True when this update was already handled (an id SQLite cannot hold never was)."""
        if update_id not in INTEGER_RANGE:
            return False
        return bool(self._read("SELECT 1 FROM handled_updates WHERE update_id = ?", (update_id,)))

    def receive(self, updates: list[Received]) -> None:
        """Put fetched updates in the inbox (one transaction; ones already there are kept)."""
        if not updates:
            return
        now = self.clock()
        with self._transaction():
            self.db.executemany("INSERT OR IGNORE INTO inbox (update_id, chat_id, data, received) VALUES (?, ?, ?, ?)",
                                [(u.update_id, u.chat_id, u.raw_json, now) for u in updates])

    def inbox(self) -> list[Received]:
        """Updates fetched but not handled yet, oldest first (an unreadable row is skipped)."""
        return received_from_rows(self._read("SELECT update_id, chat_id, CAST(data AS BLOB) FROM inbox "
                                             "ORDER BY update_id", ()))

    def done(self, update_id: int) -> None:
        """Take an update out of the inbox without a turn (it was ignored, or could not be saved)."""
        if update_id in INTEGER_RANGE:  # an id SQLite cannot hold is not in the inbox
            self._write("DELETE FROM inbox WHERE update_id = ?", (update_id,))

    def record_turn(self, chat_id: int, update_id: int | None, session: Session,
                    outgoing: list[dict[str, Any]]) -> list[int]:
        """Atomically save the session, mark the update handled (and out of the inbox) and queue
        replies; return outbox ids. Data set aside for the chat counts as told once this is saved.
        Only the diary entries that differ from the table's are written; a session or diary row this
        would overwrite or delete that is not UTF-8 JSON of an object is set aside first."""
        now = self.clock()
        telling = chat_id in self._damaged
        ids: list[int] = []
        with self._transaction():
            if telling:
                self.db.execute("UPDATE damaged_rows SET told = 1 WHERE chat_id = ? AND told = 0", (chat_id,))
            damaged, changed, gone = self._diary_changes(chat_id, session.diary)
            self._move_aside(chat_id, damaged)
            self.db.execute(
                "INSERT INTO sessions (chat_id, data, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET data = excluded.data, updated = excluded.updated",
                (chat_id, session_json(session), now))
            self.db.executemany("INSERT INTO diary (chat_id, entry_id, data) VALUES (?, ?, ?) "
                                "ON CONFLICT(chat_id, entry_id) DO UPDATE SET data = excluded.data",
                                [(chat_id, entry_id, text) for entry_id, text in changed])
            self.db.executemany("DELETE FROM diary WHERE chat_id = ? AND entry_id = ?",
                                [(chat_id, entry_id) for entry_id in gone])
            self.db.execute("DELETE FROM reminders WHERE chat_id = ?", (chat_id,))
            self.db.executemany("INSERT INTO reminders (chat_id, kind, next_at) VALUES (?, ?, ?)",
                                [(chat_id, kind, at) for kind, at in session.due_times()])
            if update_id is not None:
                self.db.execute("INSERT OR IGNORE INTO handled_updates (update_id, chat_id) VALUES (?, ?)",
                                (update_id, chat_id))
                self.db.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))
                if update_id % 1000 == 0:
                    self.db.execute("DELETE FROM handled_updates WHERE update_id < ?",
                                    (update_id - KEEP_UPDATE_IDS,))
            for payload in outgoing:
                cursor = self.db.execute("INSERT INTO outbox (chat_id, payload, created) VALUES (?, ?, ?)",
                                         (chat_id, json.dumps(payload), now))
                ids.append(cast("int", cursor.lastrowid))  # an INSERT always sets it
        if telling:
            self._damaged.discard(chat_id)
        if damaged:
            self._damaged.add(chat_id)
            _report(chat_id, damaged)
        return ids

    def _diary_changes(self, chat_id: int, diary: tuple[DiaryEntry, ...]) -> tuple[
            list[_Damaged], list[tuple[int, str]], list[int]]:
        """Compared with the chat's rows as the table holds them (inside the turn's transaction): the
        rows that cannot be read and would be overwritten or deleted, the (id, JSON) of each entry
        that is new or differs, and the ids the diary no longer has."""
        stored = dict(self.db.execute("SELECT entry_id, CAST(data AS BLOB) FROM diary WHERE chat_id = ?",
                                      (chat_id,)).fetchall())
        row = self.db.execute("SELECT CAST(data AS BLOB) FROM sessions WHERE chat_id = ?", (chat_id,)).fetchone()
        return diary_changes(stored, None if row is None else row[0], diary)

    def mark_sent(self, outbox_id: int) -> None:
        """Forget a reply once it was delivered (or could never be)."""
        self._write("DELETE FROM outbox WHERE id = ?", (outbox_id,))

    def unsent(self, chat_id: int | None = None) -> list[Outgoing]:
        """Replies queued but not yet sent (for one chat, or all), oldest first (an unreadable row is skipped)."""
        if chat_id is None:
            rows = self._read("SELECT id, chat_id, CAST(payload AS BLOB) FROM outbox ORDER BY id", ())
        else:
            rows = self._read("SELECT id, chat_id, CAST(payload AS BLOB) FROM outbox WHERE chat_id = ? ORDER BY id",
                              (chat_id,))
        return outgoing_from_rows(rows)

    def set_countdown(self, countdown: Countdown) -> None:
        """Remember the countdown running for a chat (replacing any older one)."""
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO countdowns (chat_id, timer_id, message_id, ends_at, text, markup) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (countdown.chat_id, countdown.timer_id, countdown.message_id, countdown.ends_at, countdown.text,
                 json.dumps(countdown.markup)))

    def clear_countdown(self, chat_id: int) -> None:
        """The chat has no countdown any more."""
        with self._transaction():
            self.db.execute("DELETE FROM countdowns WHERE chat_id = ?", (chat_id,))

    def countdowns(self) -> list[Countdown]:
        """Every countdown that was running (an unreadable row is skipped, with a warning)."""
        countdowns, skipped = [], 0
        rows = self._read(f"SELECT chat_id, CAST(timer_id AS BLOB), {_number('message_id')}, {_number('ends_at')}, "  # noqa: S608 - fixed names
                          "CAST(text AS BLOB), CAST(markup AS BLOB) FROM countdowns", ())
        for chat_id, timer_id, message_id, ends_at, text, markup in rows:
            try:
                if message_id is None or ends_at is None:
                    raise ValueError("not a number")
                countdowns.append(Countdown(chat_id, timer_id.decode(), message_id, ends_at, text.decode(),
                                            json.loads(markup) if markup else None))
            except ValueError:  # UnicodeDecodeError is a ValueError
                skipped += 1
        _report_skipped(skipped, "countdown")
        return countdowns

    def reminders(self) -> list[tuple[int, str, float]]:
        """Every (chat, kind, next due time) to schedule at start-up (an unreadable row is skipped, with
        a warning)."""
        reminders, skipped = [], 0
        rows = self._read(f"SELECT {_number('chat_id')}, CAST(kind AS BLOB), {_number('next_at')} FROM reminders", ())  # noqa: S608 - fixed names
        for chat_id, kind, next_at in rows:
            try:
                if chat_id is None or next_at is None:
                    raise ValueError("not a number")
                reminders.append((chat_id, kind.decode(), next_at))
            except ValueError:
                skipped += 1
        _report_skipped(skipped, "reminder")
        return reminders

    def forget(self, chat_id: int) -> None:
        """Delete every row about this chat, in every table, and empty the write-ahead log so no copy
        of them is left in it (deleted rows are overwritten with zeros: secure_delete)."""
        with self._transaction():
            for table in TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))  # noqa: S608 - fixed names
        self._damaged.discard(chat_id)
        try:
            self.db.execute(f"PRAGMA busy_timeout={CHECKPOINT_WAIT_MS}")  # readers are not waited for
            try:
                busy = self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
            finally:
                self.db.execute(f"PRAGMA busy_timeout={self._busy_ms}")
        except sqlite3.Error as exc:
            log.warning("a chat was forgotten, but the write-ahead log could not be emptied: %s", exc)
            return
        if busy:
            log.warning("a chat was forgotten, but other readers kept the write-ahead log from being emptied; "
                        "its old copies are overwritten as the bot goes on")

    def ping(self) -> None:
        """Raise StorageError unless the database answers now (the readiness check)."""
        self._read("SELECT 1", ())

    def countdown(self, chat_id: int) -> Countdown | None:
        """The countdown stored for this chat, if any (an unreadable row counts as none)."""
        return next((c for c in self.countdowns() if c.chat_id == chat_id), None)

    def due_reminders(self, now: float, limit: int = 100) -> list[tuple[int, str, float]]:
        """(chat, kind, due time) of stored reminders due at `now` or before, earliest first."""
        return sorted((r for r in self.reminders() if r[2] <= now), key=lambda r: r[2])[:limit]

    def inbox_of(self, chat_id: int) -> list[Received]:
        """This chat's updates in the inbox, oldest first."""
        return received_from_rows(self._read("SELECT update_id, chat_id, CAST(data AS BLOB) FROM inbox "
                                             "WHERE chat_id = ? ORDER BY update_id", (chat_id,)))

    def stale_inbox(self, older_than: float) -> list[int]:
        """Chats with updates that have waited in the inbox since before `older_than` (epoch seconds)."""
        rows = self._read("SELECT DISTINCT chat_id FROM inbox WHERE received < ? AND chat_id IS NOT NULL "
                          "ORDER BY chat_id", (older_than,))
        return [row[0] for row in rows]

    def try_lock_chat(self, chat_id: int) -> bool:
        """Always True: one process uses the file, and its in-process locks keep each chat's turns apart."""
        return True

    def unlock_chat(self, chat_id: int) -> None:
        """Nothing to give back (see try_lock_chat)."""

    def try_claim_countdown(self, chat_id: int) -> bool:
        """Always True: the one process runs every countdown."""
        return True

    def release_countdown(self, chat_id: int) -> None:
        """Nothing to give back (see try_claim_countdown)."""

    def try_lock_polling(self) -> bool:
        """Always True: the data-folder lock (bot.storage.data_lock) already keeps a second bot away."""
        return True

    def rows_about(self, chat_id: int) -> int:
        """How many rows in any table concern this chat (0 after `forget`)."""
        return sum(self._read(f"SELECT COUNT(*) FROM {t} WHERE chat_id = ?", (chat_id,))[0][0]  # noqa: S608 - fixed names
                   for t in TABLES)

    def close(self) -> None:
        """Release the database."""
        self.db.close()

    def _read(self, sql: str, args: tuple[Any, ...]) -> list[tuple[Any, ...]]:
        """The rows of one query, read outside any transaction: one left open by a rollback that failed
        is rolled back first, so writes never committed are never read (never called inside one of
        our own transactions)."""
        try:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            return self.db.execute(sql, args).fetchall()
        except _FAULTS as exc:
            raise StorageError(_explain(exc, self.path, "read")) from exc

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._transaction():
            self.db.execute(sql, args)


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error (unless SQLite already did, as it does when
    the disk is full), with database errors raised as StorageError in plain words. Transactions do not
    nest: one left open by a rollback that failed is rolled back before the next begins."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self.db = db
        self.path = path

    def __enter__(self) -> None:
        try:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
            self.db.execute("BEGIN IMMEDIATE")
        except _FAULTS as exc:
            raise StorageError(_explain(exc, self.path)) from exc

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        if kind is None:
            try:
                self.db.execute("COMMIT")
                return False
            except _FAULTS as error:
                exc = error
        fault = exc if isinstance(exc, _FAULTS) else None
        try:
            if self.db.in_transaction:
                self.db.execute("ROLLBACK")
        except _FAULTS as error:
            fault = fault or error
        if fault is not None:
            raise StorageError(_explain(fault, self.path)) from fault
        return False


def _explain(exc: BaseException, path: Path, doing: str = "write") -> str:
    """A database error in one plain line (never the content of a row)."""
    if isinstance(exc, OverflowError):
        return f"cannot {doing} the database {path}: a number is too large for it ({exc})"
    if isinstance(exc, UnicodeEncodeError):
        return f"cannot {doing} the database {path}: the text holds a lone surrogate, which is not valid Unicode"
    text = str(exc)
    if text.startswith("Could not decode to UTF-8"):
        text = "a row holds text that is not UTF-8"
    if "locked" in text:
        return f"the database {path} is locked by another program ({text})"
    if "readonly" in text:
        return f"the database {path} is read-only ({text})"
    if "full" in text:
        return f"the disk holding {path} is full ({text})"
    return f"cannot {doing} the database {path}: {text}"


def _number(column: str) -> str:
    """SQL for a column's value when it is a number, else NULL (damaged text is never decoded)."""
    return f"CASE WHEN typeof({column}) IN ('integer', 'real') THEN {column} END"
