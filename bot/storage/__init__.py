"""Durable per-chat state: the records and the interface the adapters use (`Storage`). Today's only
implementation is SQLite (bot.storage.sqlite); a shared server database can replace it by implementing
`Storage`."""

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
