"""Live countdowns in Telegram: a timed step's message is edited as the hold runs (at most once a
second), stopped when the user moves on, resumed after a restart, and reported to the core at zero."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, cast

from telegram.ext import ContextTypes, JobQueue

from bot.storage import Countdown, Storage
from bot.telegram_shell.render import tick_interval, with_countdown, without_countdown

Edit = Callable[[int, int, str, Any, Callable[[], bool]], Awaitable[None]]
Done = Callable[[int, str], Awaitable[None]]


class Countdowns:
    """Every running countdown, one per chat, kept in storage so a restart can pick it up."""

    def __init__(self, storage: Storage, clock: Callable[[], float], edit: Edit, done: Done):
        self.storage = storage
        self.clock = clock
        self.edit = edit
        self.done = done
        self.running: dict[int, Countdown] = {}
        self.shown: dict[int, str] = {}
        self.jobs: JobQueue[ContextTypes.DEFAULT_TYPE] | None = None

    def timer_of(self, chat_id: int) -> str | None:
        """The timer id whose countdown runs in this chat, if any."""
        countdown = self.running.get(chat_id)
        return countdown.timer_id if countdown else None

    def message_of(self, chat_id: int) -> int | None:
        """The message being counted down in this chat, if any."""
        countdown = self.running.get(chat_id)
        return countdown.message_id if countdown else None

    def start(self, countdown: Countdown, label: str, seconds: int) -> None:
        """Count down on `countdown.message_id` (replacing any countdown in the chat)."""
        assert self.jobs is not None
        self._unschedule(countdown.chat_id)
        self.storage.set_countdown(countdown)
        self.running[countdown.chat_id] = countdown
        self.shown[countdown.chat_id] = countdown.text
        interval = tick_interval(seconds)
        self.jobs.run_repeating(self._tick, interval=interval, first=interval, name=f"countdown:{countdown.chat_id}",
                                chat_id=countdown.chat_id, data=(countdown.timer_id, label))

    async def stop(self, chat_id: int, freeze: bool = True) -> Countdown | None:
        """The user moved on: stop editing; `freeze` leaves the message without its countdown and buttons."""
        self._unschedule(chat_id)
        countdown = self.running.pop(chat_id, None)
        self.shown.pop(chat_id, None)
        self.storage.clear_countdown(chat_id)
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

    async def _tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One step: edit the message when the shown value changes; finish at zero."""
        assert context.job is not None
        chat_id = context.job.chat_id
        timer_id, label = cast("tuple[str, str]", context.job.data)  # as start() schedules it
        countdown = self.running.get(chat_id) if chat_id is not None else None
        if chat_id is None or countdown is None or countdown.timer_id != timer_id:
            context.job.schedule_removal()
            return
        left = countdown.ends_at - self.clock()
        if left <= 0:
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
        await self.edit(countdown.chat_id, countdown.message_id, with_countdown(countdown.text, label, 0), None,
                        lambda: True)
        await self.done(countdown.chat_id, countdown.timer_id)

    def _unschedule(self, chat_id: int) -> None:
        if self.jobs is not None:
            for job in self.jobs.get_jobs_by_name(f"countdown:{chat_id}"):
                job.schedule_removal()
