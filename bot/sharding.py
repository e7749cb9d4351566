"""Which worker process owns which chat, when the Telegram bot runs as one poller and N workers.

Every chat belongs to exactly one worker (`shard_of`): its updates are routed there, and only that
worker resumes its countdowns, reminders, unsent replies and inbox after a start. No telegram import: the
poller routes raw update JSON without building PTB objects."""

from __future__ import annotations

from typing import Any

from bot.storage import Countdown, Outgoing, Received, Storage


def shard_of(chat_id: int, count: int) -> int:
    """The worker (0..count-1) that owns a chat; group chats (negative ids) included."""
    return chat_id % count


def chat_of(update: Any) -> int | None:
    """The chat a raw Bot API update belongs to, as PTB's `effective_chat` sees it (the chat of the
    message, or of the message a button sits under), or None when it has none or is malformed."""
    if not isinstance(update, dict):
        return None
    for key, value in update.items():
        if key == "update_id" or not isinstance(value, dict):
            continue
        chat = value.get("chat")
        if chat is None and isinstance(value.get("message"), dict):
            chat = value["message"].get("chat")
        if isinstance(chat, dict):
            chat_id = chat.get("id")
            if isinstance(chat_id, int) and not isinstance(chat_id, bool):
                return chat_id
        return None
    return None


class ShardStorage:
    """A worker's view of the shared storage: the same rows and methods, but the start-up queries
    (inbox, unsent replies, countdowns, reminders) only return the chats this worker owns."""

    def __init__(self, storage: Storage, index: int, count: int):
        self.storage = storage
        self.index = index
        self.count = count

    def __getattr__(self, name: str) -> Any:
        return getattr(self.storage, name)  # load, seen, record_turn, mark_sent, forget, close, ...

    def _mine(self, chat_id: int) -> bool:
        return shard_of(chat_id, self.count) == self.index

    def unsent(self, chat_id: int | None = None) -> list[Outgoing]:
        """Unsent replies of one chat, or of every chat this worker owns, oldest first."""
        return [o for o in self.storage.unsent(chat_id) if self._mine(o.chat_id)]

    def countdowns(self) -> list[Countdown]:
        """The running countdowns of the chats this worker owns."""
        return [c for c in self.storage.countdowns() if self._mine(c.chat_id)]

    def inbox(self) -> list[Received]:
        """Updates fetched but not handled yet that this worker owns (no chat: worker 0's)."""
        return [r for r in self.storage.inbox() if self._mine(0 if r.chat_id is None else r.chat_id)]

    def reminders(self) -> list[tuple[int, str, float]]:
        """The reminders of the chats this worker owns."""
        return [r for r in self.storage.reminders() if self._mine(r[0])]
