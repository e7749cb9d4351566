"""Durable per-chat state: the records and the interface the adapters use (`Storage`), with two
implementations: one SQLite file for one bot process (bot.storage.sqlite, the default) and PostgreSQL,
which several bot processes can share (bot.storage.postgres). `Storage.shared` tells them apart; the
locks and claims below only do anything on a shared database (one process needs none of them)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol

from bot.core.session import Session

INTEGER_RANGE = range(-(2**63), 2**63)  # what an SQLite INTEGER holds


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

    shared: bool  # True when several bot processes may use the database at once (PostgreSQL)

    def load(self, chat_id: int) -> Session:
        """The chat's session (a fresh one when there is none)."""

    def damaged(self, chat_id: int) -> bool:
        """True while this chat has saved data set aside that the user has not been told about (asking
        does not clear it: the next turn saved for the chat does)."""

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
        replies; return outbox ids. Data set aside for the chat counts as told once this is saved."""

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

    def ping(self) -> None:
        """Raise StorageError unless the database answers now (the readiness check)."""

    def countdown(self, chat_id: int) -> Countdown | None:
        """The countdown stored for this chat, if any (an unreadable row counts as none)."""

    def due_reminders(self, now: float, limit: int = 100) -> list[tuple[int, str, float]]:
        """(chat, kind, due time) of stored reminders due at `now` or before, earliest first."""

    def inbox_of(self, chat_id: int) -> list[Received]:
        """This chat's updates in the inbox, oldest first."""

    def stale_inbox(self, older_than: float) -> list[int]:
        """Chats with updates that have waited in the inbox since before `older_than` (epoch seconds)."""

    def try_lock_chat(self, chat_id: int) -> bool:
        """Take this chat's lock for this process without waiting: True when taken (always, when not shared).
        Whoever holds it alone handles the chat's updates, timers and reminders and sends its replies."""

    def unlock_chat(self, chat_id: int) -> None:
        """Give back a chat's lock taken with try_lock_chat."""

    def try_claim_countdown(self, chat_id: int) -> bool:
        """Claim the running of this chat's countdown for this process, without waiting: True when
        claimed (always, when not shared). A claim ends with release_countdown or with its process."""

    def release_countdown(self, chat_id: int) -> None:
        """Give back a countdown claimed with try_claim_countdown."""

    def try_lock_polling(self) -> bool:
        """Become the one process polling Telegram with this database, without waiting: False when another
        one already is (Telegram allows one poller per bot; always True when not shared). Held until close."""
