"""One turn at a time per chat: in this process (bot.telegram_shell.queues.ChatLocks) and, when several
bot processes share one database (PostgreSQL, webhook mode behind a load balancer), across all of them
through the database's lock for the chat (Storage.try_lock_chat).

Whoever holds a chat's turn alone handles its updates, its timers and reminders, and sends its replies,
so a chat's updates are handled one at a time and in order whichever instance received them. The
database lock is taken without waiting and tried again after a short pause, so the event loop never
blocks on another process. A database that cannot be reached does not stop a turn: the turn goes on,
fails to save, and says so, with any urgent advice still sent (bot.telegram_shell.shell)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from bot.storage import Storage, StorageError
from bot.telegram_shell.queues import ChatLocks
from bot.telegram_shell.throttled_log import Throttled

FIRST_PAUSE = 0.005  # seconds before trying a chat lock held by another process again...
LONGEST_PAUSE = 0.1  # ...doubling up to this


class ChatTurns:
    """The per-chat turn: `hold` waits for it, `claim` takes it only when it is free now."""

    def __init__(self, storage: Storage, trouble: Throttled, locks: ChatLocks | None = None):
        self.storage = storage
        self.trouble = trouble
        self.locks = locks or ChatLocks()

    @asynccontextmanager
    async def hold(self, chat_id: int, urgent: bool = False) -> AsyncIterator[None]:
        """`async with turns.hold(chat):` runs the block as the chat's only turn (`urgent` goes first here)."""
        async with self.locks.hold(chat_id, urgent):
            taken = await self._take(chat_id)
            try:
                yield
            finally:
                if taken:
                    self._give_back(chat_id)

    @asynccontextmanager
    async def claim(self, chat_id: int, wait: bool = True) -> AsyncIterator[bool]:
        """Like `hold` when `wait`; otherwise the turn only when nobody has it now, here or in another
        process: `async with turns.claim(chat, wait=False) as held:` (held False: run nothing)."""
        if wait:
            async with self.hold(chat_id):
                yield True
            return
        if self.locks.users(chat_id):
            yield False
            return
        async with self.locks.hold(chat_id):
            taken = self._try(chat_id)
            if taken is False:
                yield False
                return
            try:
                yield True
            finally:
                if taken:
                    self._give_back(chat_id)

    async def _take(self, chat_id: int) -> bool:
        """The database's lock for the chat, waiting for it (True: taken and to be given back)."""
        pause = FIRST_PAUSE
        while (taken := self._try(chat_id)) is False:
            await asyncio.sleep(pause)
            pause = min(pause * 2, LONGEST_PAUSE)
        return bool(taken)

    def _try(self, chat_id: int) -> bool | None:
        """One try at the database's lock: True taken, False held elsewhere, None when there is none to
        take (one process) or the database failed (the turn goes on and reports it)."""
        if not self.storage.shared:
            return None
        try:
            return self.storage.try_lock_chat(chat_id)
        except StorageError as exc:
            self.trouble("could not take a chat's turn in the database (chat=%s): %s", chat_id, exc)
            return None

    def _give_back(self, chat_id: int) -> None:
        try:
            self.storage.unlock_chat(chat_id)
        except StorageError as exc:
            self.trouble("could not give back a chat's turn in the database (chat=%s): %s", chat_id, exc)
