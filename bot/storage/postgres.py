"""Storage in a PostgreSQL database (psycopg 3, synchronous), which several bot processes can share.

The same semantics as bot.storage.sqlite: updates wait in the inbox until the turn that handles them,
each turn is one transaction (session, diary rows that changed, reminders, handled update, replies),
unreadable session and diary rows are set aside in `damaged_rows` and the chat flagged until a saved
turn has told the user, unreadable countdown rows are skipped, and `forget` deletes every row of the
chat. The flag lives in the database, so whichever process handles the chat next tells the user.

Locks and claims are session-level advisory locks held on a second connection of their own, so a
process that dies (even by SIGKILL) loses them all at once, when the server sees its connection close.
Both connections use TCP keepalives and a connect timeout, so a dead peer is noticed in seconds.
The schema is versioned in `crampbot_schema` and brought up to date at start, in one transaction under
an advisory lock, so processes starting together do not race. Every database problem reaches the
caller as `StorageError` in one plain line that never holds the password."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit

import psycopg
from psycopg import errors as pg_errors

from bot.core.session import Session
from bot.settings import url_secrets
from bot.storage import INTEGER_RANGE, Countdown, Outgoing, Received, StorageError
from bot.storage.rows import (
    Damaged,
    diary_changes,
    outgoing_from_rows,
    received_from_rows,
    report_set_aside,
    report_skipped,
    session_from_rows,
    session_json,
)

KEEP_UPDATE_IDS = 10_000
CONNECT_TIMEOUT = 10  # seconds to reach the server before giving up
KEEPALIVE_IDLE = 10  # seconds of silence before the first keepalive probe; then 3 probes 5 s apart, so a dead
TCP_USER_TIMEOUT_MS = 30_000  # peer is noticed in about 25 s when idle, and in 30 s when a write goes unanswered

# Advisory lock keys: (namespace << 56) + id. Telegram ids stay below 2**52 in size, so no two keys collide.
CHAT, COUNTDOWN, POLLER, SCHEMA = 1, 2, 3, 4
_ID_LIMIT = 2**52

log = logging.getLogger("crampbot.storage")

# The schema, one step per version: step n brings a database from version n - 1 to n. Never edit a step
# that was released: add one.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (  # 1: the tables of SQLite schema 3, typed
        "CREATE TABLE sessions (chat_id BIGINT PRIMARY KEY, data TEXT NOT NULL, updated DOUBLE PRECISION NOT NULL)",
        "CREATE TABLE handled_updates (update_id BIGINT PRIMARY KEY, chat_id BIGINT NOT NULL)",
        "CREATE INDEX handled_updates_by_chat ON handled_updates (chat_id)",
        ("CREATE TABLE reminders (chat_id BIGINT NOT NULL, kind TEXT NOT NULL, next_at DOUBLE PRECISION NOT NULL, "
         "PRIMARY KEY (chat_id, kind))"),
        "CREATE INDEX reminders_by_due_time ON reminders (next_at)",
        ("CREATE TABLE outbox (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, chat_id BIGINT NOT NULL, "
         "payload TEXT NOT NULL, created DOUBLE PRECISION NOT NULL)"),
        "CREATE INDEX outbox_by_chat ON outbox (chat_id, id)",
        ("CREATE TABLE countdowns (chat_id BIGINT PRIMARY KEY, timer_id TEXT NOT NULL, message_id BIGINT NOT NULL, "
         "ends_at DOUBLE PRECISION NOT NULL, text TEXT NOT NULL, markup TEXT)"),
        ("CREATE TABLE inbox (update_id BIGINT PRIMARY KEY, chat_id BIGINT, data TEXT NOT NULL, "
         "received DOUBLE PRECISION NOT NULL)"),
        "CREATE INDEX inbox_by_chat ON inbox (chat_id, update_id)",
        "CREATE INDEX inbox_by_received_time ON inbox (received)",
        ("CREATE TABLE diary (chat_id BIGINT NOT NULL, entry_id BIGINT NOT NULL, data TEXT NOT NULL, "
         "PRIMARY KEY (chat_id, entry_id))"),
        ("CREATE TABLE damaged_rows (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, table_name TEXT NOT NULL, "
         "chat_id BIGINT NOT NULL, entry_id BIGINT, data BYTEA NOT NULL, found DOUBLE PRECISION NOT NULL, "
         "told BOOLEAN NOT NULL DEFAULT FALSE)"),
        "CREATE INDEX damaged_rows_by_chat ON damaged_rows (chat_id)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
TABLES = ("sessions", "diary", "handled_updates", "reminders", "outbox", "countdowns", "inbox", "damaged_rows")
_SET_ASIDE = "INSERT INTO damaged_rows (table_name, chat_id, entry_id, data, found) VALUES (%s, %s, %s, %s, %s)"
_FAULTS = (psycopg.Error, UnicodeEncodeError)  # what connecting, binding or running a statement raises


def lock_key(namespace: int, chat_id: int) -> int:
    """The advisory lock key of a chat in a namespace (CHAT, COUNTDOWN, POLLER, SCHEMA)."""
    if not -_ID_LIMIT < chat_id < _ID_LIMIT:
        raise StorageError(f"cannot lock chat {chat_id}: the id is too large for a lock key")
    return (namespace << 56) + chat_id


def describe(url: str) -> str:
    """Where a URL points, in words, without its user or password ("the PostgreSQL database crampbot on
    db.example:5432")."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or "localhost"
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        return "the PostgreSQL database in CRAMPBOT_DATABASE_URL"
    name = parts.path.lstrip("/") or "(default)"
    return f"the PostgreSQL database {name} on {host}{port}"


class PostgresStorage:
    """Storage in a PostgreSQL database that several bot processes may share (each turn is one transaction)."""

    shared = True  # several processes: locks and claims are advisory locks on the lock connection

    def __init__(self, url: str, clock: Callable[[], float] = time.time, lock_wait: float = 5.0):
        self.url = url
        self.clock = clock
        self.where = describe(url)
        self._secrets = url_secrets(url)
        self._lock_wait_ms = max(1, round(lock_wait * 1000))  # how long a statement waits for another's lock
        self._held: set[int] = set()  # advisory lock keys this process holds on the lock connection
        self._locks: psycopg.Connection[tuple[Any, ...]] | None = None
        self.db = self._connect()
        try:
            self._migrate()
        except StorageError:
            self.db.close()
            raise

    def _connect(self) -> psycopg.Connection[tuple[Any, ...]]:
        """A new autocommit connection with keepalives, waiting at most lock_wait for other's locks."""
        try:
            db = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT,
                                 application_name="crampbot", keepalives=1, keepalives_idle=KEEPALIVE_IDLE,
                                 keepalives_interval=5, keepalives_count=3, tcp_user_timeout=TCP_USER_TIMEOUT_MS)
        except _FAULTS as exc:
            raise StorageError(f"cannot open {self.where}: {self._plain(exc)}") from None  # the cause may hold it
        try:
            db.execute("SELECT set_config('lock_timeout', %s, false)", (f"{self._lock_wait_ms}ms",))
        except _FAULTS as exc:
            db.close()
            raise StorageError(f"cannot open {self.where}: {self._plain(exc)}") from None
        return db

    def _migrate(self) -> None:
        """Bring the schema up to date in one transaction, under an advisory lock (instances starting
        together take turns); refuse a database written by a newer CrampBot."""
        with self._transaction("open"):
            self.db.execute("SELECT pg_advisory_xact_lock(%s)", (lock_key(SCHEMA, 0),))
            self.db.execute("CREATE TABLE IF NOT EXISTS crampbot_schema (version INTEGER PRIMARY KEY, "
                            "applied DOUBLE PRECISION NOT NULL)")
            row = self.db.execute("SELECT max(version) FROM crampbot_schema").fetchone()
            version = row[0] if row and row[0] is not None else 0
            if version > SCHEMA_VERSION:
                raise StorageError(f"{self.where} was written by a newer CrampBot (schema {version}; this one "
                                   f"knows up to {SCHEMA_VERSION}): upgrade CrampBot")
            for number, step in enumerate(MIGRATIONS[version:], start=version + 1):
                for statement in step:
                    self.db.execute(statement)
                self.db.execute("INSERT INTO crampbot_schema (version, applied) VALUES (%s, %s)",
                                (number, self.clock()))

    @contextmanager
    def _transaction(self, doing: str = "write") -> Iterator[None]:
        """One transaction on the main connection (a lost connection is made again first); database errors
        become StorageError in plain words."""
        try:
            if self.db.closed or self.db.broken:
                self.db = self._connect()
            with self.db.transaction():
                yield
        except _FAULTS as exc:
            raise StorageError(self._explain(exc, doing)) from exc

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """The rows of one query (outside any transaction of ours)."""
        try:
            if self.db.closed or self.db.broken:
                self.db = self._connect()
            return self.db.execute(sql, args).fetchall()
        except _FAULTS as exc:
            raise StorageError(self._explain(exc, "read")) from exc

    def _write(self, sql: str, args: tuple[Any, ...]) -> None:
        with self._transaction():
            self.db.execute(sql, args)

    def _plain(self, exc: BaseException) -> str:
        """An error's text on one line, without the password."""
        text = "; ".join(line.strip() for line in str(exc).splitlines() if line.strip()) or type(exc).__name__
        text = text.replace(self.url, "CRAMPBOT_DATABASE_URL")  # libpq may quote the URL it could not read
        for secret in self._secrets:
            text = text.replace(secret, "[password]")
        return text

    def _explain(self, exc: BaseException, doing: str) -> str:
        """A database error in one plain line (never the content of a row, never the password)."""
        if isinstance(exc, UnicodeEncodeError):
            return f"cannot {doing} {self.where}: the text holds a lone surrogate, which is not valid Unicode"
        if isinstance(exc, pg_errors.NumericValueOutOfRange):
            return f"cannot {doing} {self.where}: a number is too large for it ({self._plain(exc)})"
        if isinstance(exc, pg_errors.LockNotAvailable):
            return f"{self.where} is locked by another program ({self._plain(exc)})"
        if isinstance(exc, pg_errors.ReadOnlySqlTransaction):
            return f"{self.where} is read-only ({self._plain(exc)})"
        if isinstance(exc, pg_errors.DiskFull):
            return f"the disk holding {self.where} is full ({self._plain(exc)})"
        return f"cannot {doing} {self.where}: {self._plain(exc)}"

    def _check_ids(self, *ids: int) -> None:
        """Refuse an id a BIGINT cannot hold, as SQLite does."""
        if any(i not in INTEGER_RANGE for i in ids):
            raise StorageError(f"cannot use {self.where}: a number is too large for it")

    def load(self, chat_id: int) -> Session:
        """The chat's session with its diary (a fresh one when there is none); rows that cannot be read
        are set aside and the rest is kept (a damaged session row keeps its diary)."""
        self._check_ids(chat_id)
        rows = self._read("SELECT data FROM sessions WHERE chat_id = %s", (chat_id,))
        entry_rows = self._read("SELECT entry_id, data FROM diary WHERE chat_id = %s", (chat_id,))
        damaged: list[Damaged] = []
        session = session_from_rows(rows[0][0].encode() if rows else None,
                                    [(entry_id, text.encode()) for entry_id, text in entry_rows], damaged)
        if damaged:
            with self._transaction():
                self._move_aside(chat_id, damaged)
            report_set_aside(chat_id, damaged)
        return session

    def damaged(self, chat_id: int) -> bool:
        """True while this chat has saved data set aside that the user has not been told about (asking
        does not clear it: the next turn saved for the chat does). Asked of the database, which every
        process shares."""
        return bool(self._read("SELECT 1 FROM damaged_rows WHERE chat_id = %s AND NOT told LIMIT 1", (chat_id,)))

    def _move_aside(self, chat_id: int, damaged: list[Damaged]) -> None:
        """Copy unreadable rows into damaged_rows and delete them where they were (inside the caller's
        transaction)."""
        now = self.clock()
        for table, entry_id, raw in damaged:
            self.db.execute(_SET_ASIDE, (table, chat_id, entry_id, raw, now))
            if table == "sessions":
                self.db.execute("DELETE FROM sessions WHERE chat_id = %s AND data = %s", (chat_id, raw.decode()))
            else:
                self.db.execute("DELETE FROM diary WHERE chat_id = %s AND entry_id = %s", (chat_id, entry_id))

    def seen(self, update_id: int) -> bool:
        """True when this update was already handled (an id a BIGINT cannot hold never was)."""
        if update_id not in INTEGER_RANGE:
            return False
        return bool(self._read("SELECT 1 FROM handled_updates WHERE update_id = %s", (update_id,)))

    def receive(self, updates: list[Received]) -> None:
        """Put fetched updates in the inbox (one transaction; ones already there are kept)."""
        if not updates:
            return
        now = self.clock()
        with self._transaction(), self.db.cursor() as cursor:
            cursor.executemany("INSERT INTO inbox (update_id, chat_id, data, received) VALUES (%s, %s, %s, %s) "
                               "ON CONFLICT (update_id) DO NOTHING",
                               [(u.update_id, u.chat_id, u.raw_json, now) for u in updates])

    def inbox(self) -> list[Received]:
        """Updates fetched but not handled yet, oldest first (an unreadable row is skipped)."""
        return received_from_rows(self._read("SELECT update_id, chat_id, data FROM inbox ORDER BY update_id"))

    def done(self, update_id: int) -> None:
        """Take an update out of the inbox without a turn (it was ignored, or could not be saved)."""
        if update_id in INTEGER_RANGE:  # an id a BIGINT cannot hold is not in the inbox
            self._write("DELETE FROM inbox WHERE update_id = %s", (update_id,))

    def record_turn(self, chat_id: int, update_id: int | None, session: Session,
                    outgoing: list[dict[str, Any]]) -> list[int]:
        """Atomically save the session, mark the update handled (and out of the inbox) and queue
        replies; return outbox ids. Data set aside for the chat counts as told once this is saved.
        Only the diary entries that differ from the table's are written; a session or diary row this
        would overwrite or delete that cannot be read is set aside first."""
        self._check_ids(chat_id, *([] if update_id is None else [update_id]))
        now = self.clock()
        ids: list[int] = []
        with self._transaction():
            self.db.execute("UPDATE damaged_rows SET told = TRUE WHERE chat_id = %s AND NOT told", (chat_id,))
            stored = {entry_id: text.encode() for entry_id, text in self.db.execute(
                "SELECT entry_id, data FROM diary WHERE chat_id = %s", (chat_id,)).fetchall()}
            row = self.db.execute("SELECT data FROM sessions WHERE chat_id = %s FOR UPDATE", (chat_id,)).fetchone()
            damaged, changed, gone = diary_changes(stored, None if row is None else row[0].encode(), session.diary)
            self._move_aside(chat_id, damaged)
            self.db.execute("INSERT INTO sessions (chat_id, data, updated) VALUES (%s, %s, %s) ON CONFLICT (chat_id) "
                            "DO UPDATE SET data = excluded.data, updated = excluded.updated",
                            (chat_id, session_json(session), now))
            with self.db.cursor() as cursor:
                cursor.executemany("INSERT INTO diary (chat_id, entry_id, data) VALUES (%s, %s, %s) "
                                   "ON CONFLICT (chat_id, entry_id) DO UPDATE SET data = excluded.data",
                                   [(chat_id, entry_id, text) for entry_id, text in changed])
                cursor.executemany("DELETE FROM diary WHERE chat_id = %s AND entry_id = %s",
                                   [(chat_id, entry_id) for entry_id in gone])
                self.db.execute("DELETE FROM reminders WHERE chat_id = %s", (chat_id,))
                cursor.executemany("INSERT INTO reminders (chat_id, kind, next_at) VALUES (%s, %s, %s)",
                                   [(chat_id, kind, at) for kind, at in session.due_times()])
            if update_id is not None:
                self.db.execute("INSERT INTO handled_updates (update_id, chat_id) VALUES (%s, %s) "
                                "ON CONFLICT (update_id) DO NOTHING", (update_id, chat_id))
                self.db.execute("DELETE FROM inbox WHERE update_id = %s", (update_id,))
                if update_id % 1000 == 0:
                    self.db.execute("DELETE FROM handled_updates WHERE update_id < %s",
                                    (update_id - KEEP_UPDATE_IDS,))
            for payload in outgoing:
                added = self.db.execute("INSERT INTO outbox (chat_id, payload, created) VALUES (%s, %s, %s) "
                                        "RETURNING id", (chat_id, json.dumps(payload), now)).fetchone()
                ids.append(added[0] if added else 0)  # RETURNING always gives the row
        if damaged:
            report_set_aside(chat_id, damaged)
        return ids

    def mark_sent(self, outbox_id: int) -> None:
        """Forget a reply once it was delivered (or could never be)."""
        self._write("DELETE FROM outbox WHERE id = %s", (outbox_id,))

    def unsent(self, chat_id: int | None = None) -> list[Outgoing]:
        """Replies queued but not yet sent (for one chat, or all), oldest first (an unreadable row is skipped)."""
        if chat_id is None:
            rows = self._read("SELECT id, chat_id, payload FROM outbox ORDER BY id")
        else:
            rows = self._read("SELECT id, chat_id, payload FROM outbox WHERE chat_id = %s ORDER BY id", (chat_id,))
        return outgoing_from_rows(rows)

    def set_countdown(self, countdown: Countdown) -> None:
        """Remember the countdown running for a chat (replacing any older one)."""
        self._write(
            "INSERT INTO countdowns (chat_id, timer_id, message_id, ends_at, text, markup) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (chat_id) DO UPDATE SET timer_id = excluded.timer_id, "
            "message_id = excluded.message_id, ends_at = excluded.ends_at, text = excluded.text, "
            "markup = excluded.markup",
            (countdown.chat_id, countdown.timer_id, countdown.message_id, countdown.ends_at, countdown.text,
             json.dumps(countdown.markup)))

    def clear_countdown(self, chat_id: int) -> None:
        """The chat has no countdown any more."""
        self._write("DELETE FROM countdowns WHERE chat_id = %s", (chat_id,))

    def countdowns(self) -> list[Countdown]:
        """Every countdown that was running (an unreadable row is skipped, with a warning)."""
        return self._countdowns(self._read(f"SELECT {_COUNTDOWN} FROM countdowns"))  # noqa: S608 - fixed names

    def _countdowns(self, rows: list[tuple[Any, ...]]) -> list[Countdown]:
        countdowns, skipped = [], 0
        for chat_id, timer_id, message_id, ends_at, text, markup in rows:
            try:
                countdowns.append(Countdown(chat_id, timer_id, message_id, ends_at, text,
                                            json.loads(markup) if markup else None))
            except ValueError:
                skipped += 1
        report_skipped(skipped, "countdown")
        return countdowns

    def reminders(self) -> list[tuple[int, str, float]]:
        """Every (chat, kind, next due time) to schedule at start-up."""
        return [(chat_id, kind, at) for chat_id, kind, at in self._read("SELECT chat_id, kind, next_at FROM reminders")]

    def forget(self, chat_id: int) -> None:
        """Delete every row about this chat, in every table (the server reuses their space as it vacuums)."""
        with self._transaction():
            for table in TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE chat_id = %s", (chat_id,))  # noqa: S608 - fixed names

    def ping(self) -> None:
        """Raise StorageError unless the database answers now (the readiness check)."""
        self._read("SELECT 1")

    def countdown(self, chat_id: int) -> Countdown | None:
        """The countdown stored for this chat, if any (an unreadable row counts as none)."""
        rows = self._read(f"SELECT {_COUNTDOWN} FROM countdowns WHERE chat_id = %s", (chat_id,))  # noqa: S608 - fixed names
        return next(iter(self._countdowns(rows)), None)

    def due_reminders(self, now: float, limit: int = 100) -> list[tuple[int, str, float]]:
        """(chat, kind, due time) of stored reminders due at `now` or before, earliest first."""
        rows = self._read("SELECT chat_id, kind, next_at FROM reminders WHERE next_at <= %s "
                          "ORDER BY next_at, chat_id, kind LIMIT %s", (now, limit))
        return [(chat_id, kind, at) for chat_id, kind, at in rows]

    def inbox_of(self, chat_id: int) -> list[Received]:
        """This chat's updates in the inbox, oldest first."""
        return received_from_rows(self._read("SELECT update_id, chat_id, data FROM inbox WHERE chat_id = %s "
                                    "ORDER BY update_id", (chat_id,)))

    def stale_inbox(self, older_than: float) -> list[int]:
        """Chats with updates that have waited in the inbox since before `older_than` (epoch seconds)."""
        rows = self._read("SELECT DISTINCT chat_id FROM inbox WHERE received < %s AND chat_id IS NOT NULL "
                          "ORDER BY chat_id", (older_than,))
        return [row[0] for row in rows]

    def try_lock_chat(self, chat_id: int) -> bool:
        """Take this chat's lock for this process without waiting: True when taken (or already held here).
        Whoever holds it alone handles the chat's updates, timers and reminders and sends its replies."""
        return self._try_lock(lock_key(CHAT, chat_id))

    def unlock_chat(self, chat_id: int) -> None:
        """Give back a chat's lock taken with try_lock_chat."""
        self._unlock(lock_key(CHAT, chat_id))

    def try_claim_countdown(self, chat_id: int) -> bool:
        """Claim the running of this chat's countdown for this process, without waiting: True when
        claimed (or already claimed here). A claim ends with release_countdown or with its process."""
        return self._try_lock(lock_key(COUNTDOWN, chat_id))

    def release_countdown(self, chat_id: int) -> None:
        """Give back a countdown claimed with try_claim_countdown."""
        self._unlock(lock_key(COUNTDOWN, chat_id))

    def try_lock_polling(self) -> bool:
        """Become the one process polling Telegram with this database: False when another one already is
        (Telegram allows one poller per bot). Held until this storage closes or its process ends."""
        return self._try_lock(lock_key(POLLER, 0))

    def _lock_connection(self) -> psycopg.Connection[tuple[Any, ...]]:
        """The connection holding this process's locks and claims, made on first use. When it was lost,
        the server gave every lock of it back: they are forgotten here too, with a warning."""
        if self._locks is not None and (self._locks.closed or self._locks.broken):
            if self._held:
                log.warning("the connection holding this process's chat locks was lost: its %d lock(s) and "
                            "claim(s) were given up", len(self._held))
            self._held.clear()
            self._locks.close()
            self._locks = None
        if self._locks is None:
            self._locks = self._connect()
        return self._locks

    def _try_lock(self, key: int) -> bool:
        connection = self._lock_connection()  # notices a lost connection, and forgets its locks with it
        if key in self._held:
            return True
        try:
            row = connection.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()
        except _FAULTS as exc:
            raise StorageError(self._explain(exc, "lock")) from exc
        if row is not None and row[0]:
            self._held.add(key)
            return True
        return False

    def _unlock(self, key: int) -> None:
        if key not in self._held:
            return
        self._held.discard(key)
        if self._locks is None or self._locks.closed or self._locks.broken:
            return  # the server already gave it back with its connection
        try:
            self._locks.execute("SELECT pg_advisory_unlock(%s)", (key,))
        except _FAULTS as exc:
            raise StorageError(self._explain(exc, "unlock")) from exc

    def rows_about(self, chat_id: int) -> int:
        """How many rows in any table concern this chat (0 after `forget`)."""
        return sum(self._read(f"SELECT COUNT(*) FROM {t} WHERE chat_id = %s", (chat_id,))[0][0]  # noqa: S608 - fixed names
                   for t in TABLES)

    def close(self) -> None:
        """Release the database, and every lock and claim of this process: given back before the lock
        connection closes, so they are free when this returns (the server frees a closed connection's locks
        a moment later)."""
        if self._held and self._locks is not None and not (self._locks.closed or self._locks.broken):
            try:
                self._locks.execute("SELECT pg_advisory_unlock_all()")
            except _FAULTS:
                pass  # a lost connection: the server gives them back itself
        self._held.clear()
        for connection in (self._locks, self.db):
            if connection is not None:
                connection.close()
        self._locks = None


_COUNTDOWN = "chat_id, timer_id, message_id, ends_at, text, markup"
