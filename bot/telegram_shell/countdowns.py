"""Live countdowns in Telegram: a timed step's message is edited as the hold runs (at most once a
second), stopped when the user moves on, resumed after a restart, and reported to the core at zero.

On a shared database (several instances) the stored countdown row is the truth: the instance that claims
it (Storage.try_claim_countdown) runs it, checking the row in the chat's turn before each edit; a turn on
any instance stops it by clearing the row and freezing the message; and a countdown whose instance died
(its claim ends with its database connection) is adopted by the next instance's sweep (`adopt`)."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Any, cast

from telegram.ext import ContextTypes, JobQueue

from bot.storage import Countdown, Storage, StorageError
from bot.telegram_shell.render import tick_interval, with_countdown, without_countdown

log = logging.getLogger("crampbot.telegram")
Edit = Callable[[int, int, str, Any, Callable[[], bool]], Awaitable[None]]
Done = Callable[[int, str], Awaitable[None]]
Claim = Callable[..., AbstractAsyncContextManager[bool]]  # ChatTurns.claim(chat, wait=False)


class Countdowns:
    """Every running countdown, one per chat, kept in storage so a restart can pick it up."""

    def __init__(self, storage: Storage, clock: Callable[[], float], edit: Edit, done: Done, claim: Claim):
        self.storage = storage
        self.clock = clock
        self.edit = edit
        self.done = done
        self.claim = claim
        self.running: dict[int, Countdown] = {}
        self.shown: dict[int, str] = {}
        self.claimed: set[int] = set()  # shared database: chats whose countdown this instance claimed
        self.jobs: JobQueue[ContextTypes.DEFAULT_TYPE] | None = None

    def _current(self, chat_id: int) -> Countdown | None:
        """The chat's countdown: the stored row on a shared database (it may run on another instance),
        else the one running here."""
        if self.storage.shared:
            try:
                return self.storage.countdown(chat_id)
            except StorageError:
                pass  # the turn that asks has already been saved: go by what runs here
        return self.running.get(chat_id)

    def timer_of(self, chat_id: int) -> str | None:
        """The timer id whose countdown runs in this chat, if any."""
        countdown = self._current(chat_id)
        return countdown.timer_id if countdown else None

    def message_of(self, chat_id: int) -> int | None:
        """The message being counted down in this chat, if any."""
        countdown = self._current(chat_id)
        return countdown.message_id if countdown else None

    def start(self, countdown: Countdown, label: str, seconds: int) -> None:
        """Count down on `countdown.message_id` (replacing any countdown in the chat). On a shared database
        another instance may hold the chat's claim (an older countdown of the chat): the row is stored, and
        that instance, or the next sweep once it lets go, runs it."""
        assert self.jobs is not None
        self._unschedule(countdown.chat_id)
        self.storage.set_countdown(countdown)
        if self.storage.shared and not self._claim(countdown.chat_id):
            self.running.pop(countdown.chat_id, None)
            return
        self.running[countdown.chat_id] = countdown
        self.shown[countdown.chat_id] = countdown.text
        interval = tick_interval(seconds)
        self.jobs.run_repeating(self._tick, interval=interval, first=interval, name=f"countdown:{countdown.chat_id}",
                                chat_id=countdown.chat_id, data=(countdown.timer_id, label))

    async def stop(self, chat_id: int, freeze: bool = True) -> Countdown | None:
        """The user moved on: stop editing; `freeze` leaves the message without its countdown and buttons."""
        self._unschedule(chat_id)
        countdown = self.running.pop(chat_id, None) or (self._current(chat_id) if self.storage.shared else None)
        self.shown.pop(chat_id, None)
        self.storage.clear_countdown(chat_id)
        self._let_go(chat_id)
        if countdown and freeze:
            await self.edit(chat_id, countdown.message_id, without_countdown(countdown.text), None, lambda: True)
        return countdown

    async def resume(self) -> None:
        """After a restart: continue countdowns still running, finish those that ended meanwhile."""
        for countdown in self.storage.countdowns():
            timer = self.storage.load(countdown.chat_id).timer
            if timer is None or timer.timer_id != countdown.timer_id:
                self.storage.clear_countdown(countdown.chat_id)
            elif countdown.ends_at <= self.clock():
                await self._finish(countdown, timer.label)
            else:
                self.start(countdown, timer.label, timer.seconds)

    async def adopt(self) -> None:
        """Shared database (the sweep): run each stored countdown that no instance has claimed, as `resume`
        does after a restart (the instance running it died, or let it go)."""
        for countdown in self.storage.countdowns():
            chat_id = countdown.chat_id
            if chat_id in self.running or not self._claim(chat_id):
                continue
            async with self.claim(chat_id, wait=False) as held:
                current = self.storage.countdown(chat_id) if held else None
                timer = self.storage.load(chat_id).timer if current else None
                if current is None or timer is None or timer.timer_id != current.timer_id:
                    if current is not None:  # no longer the chat's timer: as `resume` does, it goes
                        self.storage.clear_countdown(chat_id)
                    self._let_go(chat_id)  # or busy (tried at the next sweep), or gone
                    continue
                log.info("chat=%s: took over a countdown no instance was running", chat_id)
                if current.ends_at > self.clock():
                    self.start(current, timer.label, timer.seconds)
                    continue
            await self._finish(current, timer.label)

    async def _tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One step: edit the message when the shown value changes; finish at zero. On a shared database
        the step runs in the chat's turn, and only while the stored row is still this countdown."""
        assert context.job is not None
        chat_id = context.job.chat_id
        timer_id, label = cast("tuple[str, str]", context.job.data)  # as start() schedules it
        countdown = self.running.get(chat_id) if chat_id is not None else None
        if chat_id is None or countdown is None or countdown.timer_id != timer_id:
            context.job.schedule_removal()
            return
        if not self.storage.shared:
            await self._step(countdown, label, context)
            return
        async with self.claim(chat_id, wait=False) as held:
            if not held:
                return  # a turn of the chat runs now (here or elsewhere): the next tick looks again
            try:
                stored = self.storage.countdown(chat_id)
            except StorageError:
                return
            if stored is None or stored.timer_id != timer_id:  # stopped, or replaced, by a turn somewhere
                context.job.schedule_removal()
                self.running.pop(chat_id, None)
                self.shown.pop(chat_id, None)
                self._let_go(chat_id)  # a replacing countdown is adopted at the next sweep
                return
            if countdown.ends_at > self.clock():
                await self._step(countdown, label, context)
                return
        await self._step(countdown, label, context)  # its end: the core's turn takes the chat's turn itself

    async def _step(self, countdown: Countdown, label: str, context: ContextTypes.DEFAULT_TYPE) -> None:
        chat_id = countdown.chat_id
        left = countdown.ends_at - self.clock()
        if left <= 0:
            assert context.job is not None
            context.job.schedule_removal()
            await self._finish(countdown, label)
            return
        text = with_countdown(countdown.text, label, left)
        if text != self.shown.get(chat_id):
            self.shown[chat_id] = text
            await self.edit(chat_id, countdown.message_id, text, countdown.markup,
                            lambda: self.running.get(chat_id) is countdown)  # a late retry must not undo a press

    async def _finish(self, countdown: Countdown, label: str) -> None:
        """Show 'done' (the buttons move to the follow-up question) and tell the core the timer ended."""
        self.running.pop(countdown.chat_id, None)
        self.shown.pop(countdown.chat_id, None)
        self.storage.clear_countdown(countdown.chat_id)
        self._let_go(countdown.chat_id)
        await self.edit(countdown.chat_id, countdown.message_id, with_countdown(countdown.text, label, 0), None,
                        lambda: True)
        await self.done(countdown.chat_id, countdown.timer_id)

    def _claim(self, chat_id: int) -> bool:
        """Shared database: claim the running of the chat's countdown (True: this instance runs it)."""
        if chat_id in self.claimed:
            return True
        try:
            taken = self.storage.try_claim_countdown(chat_id)
        except StorageError:
            return False
        if taken:
            self.claimed.add(chat_id)
        return taken

    def _let_go(self, chat_id: int) -> None:
        """Shared database: give back this instance's claim on the chat's countdown, if it has one."""
        if chat_id in self.claimed:
            self.claimed.discard(chat_id)
            try:
                self.storage.release_countdown(chat_id)
            except StorageError:
                pass  # a lost connection has given it back already

    def _unschedule(self, chat_id: int) -> None:
        if self.jobs is not None:
            for job in self.jobs.get_jobs_by_name(f"countdown:{chat_id}"):
                job.schedule_removal()
