"""Each chat's updates wait in their own queue, so one chat can never hold up another.

PTB runs up to `slots` updates at once, but it takes the slot first: a chat that sends hundreds of
messages would fill every slot with updates that only wait for that chat's earlier ones, and every
other chat would queue behind them. Here an update first waits for its chat's turn (one update
per chat at a time, in arrival order) and only then takes a slot, so one chat holds at most one.

A chat with `MAX_WAITING` updates waiting (`MAX_WAITING_GROUP` in a group, whose replies Telegram
lets out at 20 a minute) is flooding: its further updates are skipped (`skipped` is told, so the
shell can take them out of the inbox and say "slow down" once). An update `must_keep` accepts (a
red flag, a cramp happening now) waits at the head of its chat's queue instead, next after the one
being handled, and is skipped only past URGENT_ROOM times the limit. Updates the bot ignores
whatever its chat's state (`relevant` says no: group chatter not meant for it) are not queued."""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

MAX_WAITING = 50  # one chat's updates waiting for their turn before more are skipped
MAX_WAITING_GROUP = 10  # in a group: half a minute of replies at Telegram's 20 a minute
URGENT_ROOM = 4  # urgent updates are skipped only past this many times the limit (a flood of them)


class ChatQueues(BaseUpdateProcessor):
    """Up to `slots` updates at once, one per chat, each chat's in order (urgent ones first); a
    flooding chat's excess is skipped (see the module docstring)."""

    def __init__(self, slots: int, must_keep: Callable[[Update], bool] = lambda update: False,
                 skipped: Callable[[Update, bool], Awaitable[None]] | None = None,
                 relevant: Callable[[Update], bool] = lambda update: True,
                 max_waiting: int = MAX_WAITING, max_waiting_group: int = MAX_WAITING_GROUP):
        super().__init__(slots)
        self.must_keep = must_keep
        self.skipped = skipped
        self.relevant = relevant
        self.max_waiting = max_waiting
        self.max_waiting_group = max_waiting_group
        self._turns = ChatLocks()
        self._warned: set[int] = set()  # chats told to slow down since their queue last emptied

    def waiting(self, chat_id: int) -> int:
        """How many of this chat's updates are queued or running."""
        return self._turns.users(chat_id)

    # PTB marks process_update final; it is overridden so an update takes a slot only once its chat's turn came
    async def process_update(self, update: object, coroutine: Awaitable[Any]) -> None:  # type: ignore[misc]
        """Wait for the chat's turn, then for a free slot, then run; or skip a flooding chat's update."""
        if not isinstance(update, Update) or (where := update.effective_chat) is None or not self.relevant(update):
            await super().process_update(update, coroutine)  # nothing to keep in order
            return
        chat, waiting = where.id, self.waiting(where.id)
        urgent = bool(waiting) and self.must_keep(update)  # only asked when there is a queue to jump
        limit = self.max_waiting_group if where.type in ("group", "supergroup") else self.max_waiting
        if waiting >= limit * (URGENT_ROOM if urgent else 1):
            _close(coroutine)
            first = chat not in self._warned
            self._warned.add(chat)
            if self.skipped is not None:
                await self.skipped(update, first)
            return
        try:
            async with self._turns.hold(chat, urgent):
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


class _Turn:
    """One chat's lock: held by one at a time; waiters in arrival order, urgent ones first."""

    __slots__ = ("held", "users", "urgent", "waiting")

    def __init__(self) -> None:
        self.held = False
        self.users = 0  # holding or waiting
        self.urgent: deque[asyncio.Future[None]] = deque()
        self.waiting: deque[asyncio.Future[None]] = deque()

    def pass_on(self) -> None:
        """Release: the next live waiter (urgent first) holds it now, or nobody does."""
        for queue in (self.urgent, self.waiting):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)
                    return
        self.held = False


class ChatLocks:
    """One lock per chat, kept only while someone holds or waits for it."""

    def __init__(self) -> None:
        self._turns: dict[int, _Turn] = {}

    def __len__(self) -> int:
        return len(self._turns)

    def users(self, chat_id: int) -> int:
        """How many hold or wait for this chat's lock."""
        turn = self._turns.get(chat_id)
        return turn.users if turn else 0

    def hold(self, chat_id: int, urgent: bool = False) -> _Held:
        """`async with locks.hold(chat):` runs the block while nobody else holds this chat's lock;
        `urgent` waits ahead of the others."""
        return _Held(self, chat_id, urgent)

    def _leave(self, chat_id: int, turn: _Turn) -> None:
        turn.users -= 1
        if not turn.users:
            del self._turns[chat_id]


class _Held:
    def __init__(self, locks: ChatLocks, chat_id: int, urgent: bool):
        self.locks, self.chat_id, self.urgent = locks, chat_id, urgent
        self.turn: _Turn | None = None

    async def __aenter__(self) -> None:
        turn = self.turn = self.locks._turns.setdefault(self.chat_id, _Turn())  # noqa: SLF001 - ChatLocks' own
        turn.users += 1
        if not turn.held:
            turn.held = True
            return
        waiter = asyncio.get_running_loop().create_future()
        (turn.urgent if self.urgent else turn.waiting).append(waiter)
        try:
            await waiter
        except BaseException:
            if waiter.done() and not waiter.cancelled():
                turn.pass_on()  # it was handed to us as we were cancelled: hand it on
            else:
                waiter.cancel()  # pass_on skips it
            self.locks._leave(self.chat_id, turn)  # noqa: SLF001
            raise

    async def __aexit__(self, *exc: object) -> None:
        assert self.turn is not None
        self.turn.pass_on()
        self.locks._leave(self.chat_id, self.turn)  # noqa: SLF001
