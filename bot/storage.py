"""Durable per-chat state behind a small interface, and its SQLite implementation.

Each update is written to the inbox as it was fetched, before Telegram is told it arrived (the
next getUpdates), and leaves the inbox in the transaction that handles it, so an update fetched
just before the process was killed is handled at the next start instead of lost.
Everything one update changes (the chat's session, the fact that the update was handled, and the
replies still to send) is written in one transaction before anything is sent, so a process killed
at any point restarts where it was: handled updates are not handled twice, unsent replies are sent.
A shared server database can replace SQLite by implementing `Storage`."""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from bot.session import Session

SCHEMA_VERSION = 2  # 2: the inbox
KEEP_UPDATE_IDS = 10_000


_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sessions (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL, updated REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS handled_updates (update_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS reminders (chat_id INTEGER NOT NULL, kind TEXT NOT NULL, next_at REAL NOT NULL, "
    "PRIMARY KEY (chat_id, kind))",
    "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, "
    "payload TEXT NOT NULL, created REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS countdowns (chat_id INTEGER PRIMARY KEY, timer_id TEXT NOT NULL, "
    "message_id INTEGER NOT NULL, ends_at REAL NOT NULL, text TEXT NOT NULL, markup TEXT)",
    "CREATE TABLE IF NOT EXISTS inbox (update_id INTEGER PRIMARY KEY, chat_id INTEGER, data TEXT NOT NULL, "
    "received REAL NOT NULL)",
)


TABLES = ("sessions", "handled_updates", "reminders", "outbox", "countdowns", "inbox")


class StorageError(Exception):
    """The database cannot be opened or written; the message says why in plain words."""


@dataclass(frozen=True)
class Outgoing:
    """A reply waiting to be sent (payload is adapter-specific plain data)."""

    id: int
    chat_id: int
    payload: dict[str, Any]


@dataclass(frozen=True)
class Received:
    """An update in the inbox: fetched from Telegram, not handled yet (data is its raw JSON)."""

    update_id: int
    chat_id: int | None
    data: dict[str, Any]

    @cached_property
    def raw_json(self) -> str:
        """`data` as compact JSON, encoded once: the inbox stores it and the poller relays it."""
        return json.dumps(self.data, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class Countdown:
    """A live countdown shown by editing one message."""

    chat_id: int
    timer_id: str
    message_id: int
    ends_at: float
    text: str
    markup: Any


class Storage(Protocol):
    """What the adapters need from storage."""

    def load(self, chat_id: int) -> Session:
        """The chat's session (a fresh one when there is none)."""

    def seen(self, update_id: int) -> bool:
        """True when this update was already handled."""

    def receive(self, updates: list[Received]) -> None:
        """Put fetched updates in the inbox (one transaction; ones already there are kept)."""

    def inbox(self) -> list[Received]:
        """Updates fetched but not handled yet, oldest first."""

    def done(self, update_id: int) -> None:
        """Take an update out of the inbox without a turn (it was ignored, or could not be saved)."""

    def record_turn(self, chat_id: int, update_id: int | None, session: Session,
                    outgoing: list[dict[str, Any]]) -> list[int]:
        """Atomically save the session, mark the update handled (and out of the inbox) and queue
        replies; return outbox ids."""

    def mark_sent(self, outbox_id: int) -> None:
        """Forget a reply once it was delivered (or could never be)."""

    def unsent(self, chat_id: int | None = None) -> list[Outgoing]:
        """Replies queued but not yet sent (for one chat, or all), oldest first."""

    def set_countdown(self, countdown: Countdown) -> None:
        """Remember the countdown running for a chat (replacing any older one)."""

    def clear_countdown(self, chat_id: int) -> None:
        """The chat has no countdown any more."""

    def countdowns(self) -> list[Countdown]:
        """Every countdown that was running."""

    def reminders(self) -> list[tuple[int, str, float]]:
        """Every (chat, kind, next due time) to schedule at start-up."""

    def forget(self, chat_id: int) -> None:
        """Delete every row about this chat."""

    def close(self) -> None:
        """Release the database."""


class SQLiteStorage:
    """Storage in one SQLite file (WAL mode; each turn is one transaction)."""

    def __init__(self, path: Path | str, clock=time.time):
        self.path = Path(path)
        self.clock = clock
        try:
            if str(path) != ":memory:":
                self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(path), timeout=5.0, isolation_level=None, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"cannot open the database {self.path}: {exc}") from exc
        except OSError as exc:
            raise StorageError(f"cannot create the data folder for {self.path}: {exc}") from exc

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StorageError(f"{self.path} was written by a newer CrampBot (schema {version})")
        with self._transaction():
            for statement in _SCHEMA:
                self.db.execute(statement)
            self.db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _transaction(self) -> "_Transaction":
        return _Transaction(self.db, self.path)

    def load(self, chat_id: int) -> Session:
        """The chat's session (a fresh one when there is none or it cannot be read)."""
        row = self._read("SELECT data FROM sessions WHERE chat_id = ?", (chat_id,))
        if not row:
            return Session()
        try:
            return Session.from_dict(json.loads(row[0][0]))
        except (ValueError, KeyError, TypeError):
            return Session()  # a damaged row must not stop the chat; the user starts over

    def seen(self, update_id: int) -> bool:
        """True when this update was already handled."""
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
        received = []
        for update_id, chat_id, data in self._read("SELECT update_id, chat_id, data FROM inbox ORDER BY update_id", ()):
            try:
                received.append(Received(update_id, chat_id, json.loads(data)))
            except ValueError:
                continue
        return received

    def done(self, update_id: int) -> None:
        """Take an update out of the inbox without a turn (it was ignored, or could not be saved)."""
        try:
            self.db.execute("DELETE FROM inbox WHERE update_id = ?", (update_id,))
        except sqlite3.DatabaseError as exc:
            raise StorageError(_explain(exc, self.path)) from exc

    def record_turn(self, chat_id: int, update_id: int | None, session: Session,
                    outgoing: list[dict[str, Any]]) -> list[int]:
        """Atomically save the session, mark the update handled (and out of the inbox) and queue
        replies; return outbox ids."""
        now = self.clock()
        ids: list[int] = []
        with self._transaction():
            self.db.execute(
                "INSERT INTO sessions (chat_id, data, updated) VALUES (?, ?, ?) "
                "ON CONFLICT(chat_id) DO UPDATE SET data = excluded.data, updated = excluded.updated",
                (chat_id, json.dumps(session.to_dict()), now))
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
                ids.append(int(cursor.lastrowid))
        return ids

    def mark_sent(self, outbox_id: int) -> None:
        """Forget a reply once it was delivered (or could never be)."""
        try:  # one statement is its own transaction
            self.db.execute("DELETE FROM outbox WHERE id = ?", (outbox_id,))
        except sqlite3.DatabaseError as exc:
            raise StorageError(_explain(exc, self.path)) from exc

    def unsent(self, chat_id: int | None = None) -> list[Outgoing]:
        """Replies queued but not yet sent (for one chat, or all), oldest first."""
        if chat_id is None:
            rows = self._read("SELECT id, chat_id, payload FROM outbox ORDER BY id", ())
        else:
            rows = self._read("SELECT id, chat_id, payload FROM outbox WHERE chat_id = ? ORDER BY id", (chat_id,))
        return [Outgoing(r[0], r[1], json.loads(r[2])) for r in rows]

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
        """Every countdown that was running."""
        rows = self._read("SELECT chat_id, timer_id, message_id, ends_at, text, markup FROM countdowns", ())
        return [Countdown(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]) if r[5] else None) for r in rows]

    def reminders(self) -> list[tuple[int, str, float]]:
        """Every (chat, kind, next due time) to schedule at start-up."""
        return [(r[0], r[1], r[2]) for r in self._read("SELECT chat_id, kind, next_at FROM reminders", ())]

    def forget(self, chat_id: int) -> None:
        """Delete every row about this chat, in every table."""
        with self._transaction():
            for table in TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE chat_id = ?", (chat_id,))  # noqa: S608 - fixed names

    def rows_about(self, chat_id: int) -> int:
        """How many rows in any table concern this chat (0 after `forget`)."""
        return sum(self._read(f"SELECT COUNT(*) FROM {t} WHERE chat_id = ?", (chat_id,))[0][0] for t in TABLES)

    def close(self) -> None:
        """Release the database."""
        self.db.close()

    def _read(self, sql: str, args: tuple) -> list[tuple]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as exc:
            raise StorageError(f"cannot read {self.path}: {exc}") from exc


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any error, with errors in plain words."""

    def __init__(self, db: sqlite3.Connection, path: Path):
        self.db = db
        self.path = path

    def __enter__(self) -> None:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.DatabaseError as exc:
            raise StorageError(_explain(exc, self.path)) from exc

    def __exit__(self, kind, exc, tb) -> bool:
        if kind is None:
            try:
                self.db.execute("COMMIT")
                return False
            except sqlite3.DatabaseError as error:
                self.db.execute("ROLLBACK")
                raise StorageError(_explain(error, self.path)) from error
        self.db.execute("ROLLBACK")
        if isinstance(exc, sqlite3.DatabaseError):
            raise StorageError(_explain(exc, self.path)) from exc
        return False


def _explain(exc: sqlite3.DatabaseError, path: Path) -> str:
    text = str(exc)
    if "locked" in text:
        return f"the database {path} is locked by another program ({text})"
    if "readonly" in text:
        return f"the database {path} is read-only ({text})"
    if "full" in text:
        return f"the disk holding {path} is full ({text})"
    return f"cannot write the database {path}: {text}"
