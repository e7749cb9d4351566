"""Each chat's updates wait in their own queue, so one chat can never hold up another.

PTB runs up to `slots` updates at once, but it takes the slot first: a chat that sends hundreds of
messages would fill every slot with updates that only wait for that chat's earlier ones, and every
other chat would queue behind them. Here an update first waits for its chat's turn (one update
per chat at a time, in arrival order) and only then takes a slot. A chat with more than
`MAX_WAITING` updates waiting (`MAX_WAITING_GROUP` in a group, whose replies Telegram lets out at
20 a minute) is flooding: its further updates are skipped (`skipped` is told, so the shell can
take them out of the inbox and say "slow down" once). A message `must_keep` says may never be
skipped (a red flag, a cramp happening now) is not: when its chat has a backlog it goes ahead of
it, next after the update being handled."""

from __future__ import annotations

import asyncio
from collections import Counter
from typing import Any, Awaitable, Callable

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_WAITING = 50  # one chat's updates waiting for their turn before more are skipped
MAX_WAITING_GROUP = 10  # in a group: half a minute of replies at Telegram's 20 a minute


class ChatQueues(BaseUpdateProcessor):
    """Up to `slots` updates at once, one per chat, each chat's in order; a flooding chat's excess
    is skipped (see the module docstring)."""

    def __init__(self, slots: int, must_keep: Callable[[Update], bool] = lambda update: True,
                 skipped: Callable[[Update, bool], Awaitable[None]] | None = None,
                 max_waiting: int = MAX_WAITING, max_waiting_group: int = MAX_WAITING_GROUP):
        super().__init__(slots)
        self.must_keep = must_keep
        self.skipped = skipped
        self.max_waiting = max_waiting
        self.max_waiting_group = max_waiting_group
        self._turns = ChatLocks()
        self._warned: set[int] = set()  # chats told to slow down since their queue last emptied

    def waiting(self, chat_id: int) -> int:
        """How many of this chat's updates are queued or running."""
        return self._turns.users(chat_id)

    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's turn, then for a free slot, then run; or skip a flooding chat's update."""
        where = update.effective_chat if isinstance(update, Update) else None
        chat = where.id if where else None
        if chat is None or (self.waiting(chat) and self.must_keep(update)):
            await super().process_update(update, coroutine)  # no chat, or urgent: ahead of the backlog
            return
        limit = self.max_waiting_group if where.type in ("group", "supergroup") else self.max_waiting
        if self.waiting(chat) >= limit:
            _close(coroutine)
            first = chat not in self._warned
            self._warned.add(chat)
            if self.skipped is not None:
                await self.skipped(update, first)
            return
        try:
            async with self._turns.hold(chat):
                await super().process_update(update, coroutine)
        finally:
            if not self.waiting(chat):
                self._warned.discard(chat)

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers (the slot is held)."""
        await coroutine

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""


def _close(coroutine: Awaitable[Any]) -> None:
    """Discard a coroutine that will never run (without Python warning it was never awaited)."""
    close = getattr(coroutine, "close", None)
    if close is not None:
        close()


class ChatLocks:
    """One asyncio lock per chat, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[int, asyncio.Lock] = {}
        self._users: Counter[int] = Counter()

    def __len__(self) -> int:
        return len(self._locks)

    def users(self, chat_id: int) -> int:
        """How many hold or wait for this chat's lock."""
        return self._users.get(chat_id, 0)

    def hold(self, chat_id: int) -> "_Held":
        """`async with locks.hold(chat):` runs the block while no other holds this chat's lock."""
        return _Held(self, chat_id)


class _Held:
    def __init__(self, locks: ChatLocks, chat_id: int):
        self.locks, self.chat_id = locks, chat_id

    async def __aenter__(self) -> None:
        locks, chat = self.locks, self.chat_id
        lock = locks._locks.setdefault(chat, asyncio.Lock())
        locks._users[chat] += 1
        try:
            await lock.acquire()
        except BaseException:
            self._leave()
            raise

    async def __aexit__(self, *exc: object) -> None:
        self.locks._locks[self.chat_id].release()
        self._leave()

    def _leave(self) -> None:
        locks, chat = self.locks, self.chat_id
        locks._users[chat] -= 1
        if not locks._users[chat]:
            del locks._users[chat]
            locks._locks.pop(chat, None)
