"""The Telegram shell around the core (python-telegram-bot 22): turns updates into events, stores
each chat's state before anything is sent, delivers replies with retries, and runs live countdowns.

PTB's ConversationHandler and persistence are deliberately not used: the core owns the dialog
state and storage writes it on every update, so a killed process loses nothing."""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, TypeVar

from telegram import (BotCommand, InlineKeyboardButton, InlineKeyboardMarkup, InputFile, Message, MessageEntity,
                      Update)
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, TypeHandler

from bot.charts import history_png
from bot.conversation import Brain
from bot.replies import HistoryChart
from bot.session import Event, NonText, Press, ReminderDue, Session, Text, TimerDone
from bot.settings import Settings
from bot.storage import Countdown, Storage
from bot.telegram_render import payloads, tick_interval, with_countdown

log = logging.getLogger("crampbot.telegram")
T = TypeVar("T")
NON_TEXT = ("sticker", "photo", "voice", "video", "video_note", "audio", "animation", "document", "location",
            "venue", "contact", "poll", "dice", "game")
OUTBOX_RETRY_SECONDS = 15.0


@dataclass
class Delivery:
    """How a Bot API call ended: its result, or whether it failed for good (no point retrying)."""

    result: Any = None
    ok: bool = False
    permanent: bool = False


class TelegramShell:
    """Wires one Brain and one Storage to a PTB Application."""

    def __init__(self, brain: Brain, storage: Storage, settings: Settings, clock: Callable[[], float] = time.time,
                 max_attempts: int = 6, read_timeout: float = 10.0):
        self.brain = brain
        self.storage = storage
        self.settings = settings
        self.clock = clock
        self.max_attempts = max_attempts
        self.read_timeout = read_timeout
        self.locks: dict[int, asyncio.Lock] = defaultdict(asyncio.Lock)
        self.countdowns: dict[int, Countdown] = {}
        self.shown: dict[int, str] = {}
        self.username = ""
        self.app: Application | None = None

    # -- building and starting ---------------------------------------------------------------

    def build(self) -> Application:
        """The PTB Application: base URL from settings, rate limiter, concurrent updates, our handler."""
        assert self.settings.telegram_token
        app = (ApplicationBuilder().token(self.settings.telegram_token).base_url(self.settings.base_url)
               .rate_limiter(AIORateLimiter(max_retries=0)).concurrent_updates(64)
               .connection_pool_size(64).connect_timeout(5).read_timeout(self.read_timeout)
               .write_timeout(self.read_timeout).pool_timeout(10)
               .get_updates_read_timeout(30).build())
        app.add_handler(TypeHandler(Update, self.on_update))
        app.add_error_handler(self._on_error)
        self.app = app
        return app

    async def started(self, app: Application) -> None:
        """Register the command menu, remember our username, resend unsent replies, resume countdowns."""
        self.username = (app.bot.username or "").lower()
        commands = [BotCommand(c.command, c.description) for c in self.brain.content.messages.commands]
        await self._call(lambda: app.bot.set_my_commands(commands))
        await self.flush_outbox()
        await self.resume_countdowns()
        self.resume_reminders()
        assert app.job_queue is not None
        app.job_queue.run_repeating(self._flush_job, interval=OUTBOX_RETRY_SECONDS, first=OUTBOX_RETRY_SECONDS,
                                    name="outbox")

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log errors raised in handlers without message text; the bot keeps running."""
        error = context.error
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        log.error("error handling update chat=%s: %s", chat, type(error).__name__,
                  exc_info=error if not isinstance(error, TelegramError) else None)

    # -- updates -----------------------------------------------------------------------------

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One line of log per update: chat, what happened, how long it took (never the text)."""
        started = time.perf_counter()
        chat_id, kind = None, "ignored"
        try:
            chat_id, kind = await self._dispatch(update)
        finally:
            log.info("update=%s chat=%s kind=%s ms=%.1f", update.update_id, chat_id, kind,
                     (time.perf_counter() - started) * 1000)

    async def _dispatch(self, update: Update) -> tuple[int | None, str]:
        query = update.callback_query
        if query is not None:
            await self._call(lambda: query.answer())  # stop the button spinner at once
            message = query.message
            if not isinstance(message, Message) or not query.data or (query.from_user and query.from_user.is_bot):
                return None, "ignored"
            chat_id = message.chat.id
            await self._show_choice(chat_id, message, query.data)
            return chat_id, await self.turn(chat_id, update.update_id, Press(query.data))
        message = update.message
        if message is None or message.from_user is None or message.from_user.is_bot:
            return (update.effective_chat.id if update.effective_chat else None), "ignored"
        chat_id = message.chat.id
        event = self._event_for(message)
        if event is None:
            return chat_id, "ignored"
        return chat_id, await self.turn(chat_id, update.update_id, event)

    def _event_for(self, message: Message) -> Event | None:
        """Text (with our @mention removed), a non-text notice, or None for what we ignore in groups."""
        text = message.text
        if message.chat.type in ("group", "supergroup"):
            if text is None or not self._addressed_to_us(message):
                return None
            text = text.replace(f"@{self.username}", " ").replace(f"@{self.username.capitalize()}", " ").strip()
            return Text(text or "/help")
        if text is not None:
            return Text(text)
        what = next((kind for kind in NON_TEXT if getattr(message, kind, None)), "other")
        return NonText(what)

    def _addressed_to_us(self, message: Message) -> bool:
        """In a group: a command (for us or for every bot) or a message mentioning us."""
        text = message.text or ""
        for entity in message.entities or ():
            part = text[entity.offset:entity.offset + entity.length].lower()
            if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
                return "@" not in part or part.endswith(f"@{self.username}")
            if entity.type == MessageEntity.MENTION and part == f"@{self.username}":
                return True
        return False

    async def turn(self, chat_id: int, update_id: int | None, event: Event) -> str:
        """Run the core for one event, store the result, then deliver the replies; returns the reply kind.
        A reminder job and a timer go through here too, so everything for a chat happens in order."""
        async with self.locks[chat_id]:
            if update_id is not None and self.storage.seen(update_id):
                return "duplicate"
            before = self.storage.load(chat_id)
            outcome = self.brain.respond(before, event, self.clock())
            items = [p for reply in outcome.replies for p in payloads(reply)]
            ids = self.storage.record_turn(chat_id, update_id, outcome.session, items)
            if chat_id in self.countdowns and (outcome.session.timer is None
                                               or outcome.session.timer.timer_id != self.countdowns[chat_id].timer_id):
                await self._stop_countdown(chat_id)
            timer_id = outcome.session.timer.timer_id if outcome.session.timer else None
            for outbox_id, item in zip(ids, items):
                await self._deliver(chat_id, outbox_id, item, timer_id)
            if outcome.forget:
                await self._stop_countdown(chat_id, edit=False)
                self.storage.forget(chat_id)
            if outcome.forget or before.reminders != outcome.session.reminders:
                self._schedule_reminders(chat_id, outcome.session)
        return outcome.replies[0].kind if outcome.replies else "silent"

    # -- reminders ---------------------------------------------------------------------------

    def _schedule_reminders(self, chat_id: int, session: Session) -> None:
        """One job per reminder, at its next due time (old jobs for the chat are replaced)."""
        assert self.app and self.app.job_queue
        for kind in ("bedtime", "hydration"):
            for job in self.app.job_queue.get_jobs_by_name(f"reminder:{chat_id}:{kind}"):
                job.schedule_removal()
        for reminder in session.reminders:
            self._schedule_reminder(chat_id, reminder.kind, reminder.next_at)

    def _schedule_reminder(self, chat_id: int, kind: str, due_at: float) -> None:
        assert self.app and self.app.job_queue
        self.app.job_queue.run_once(self._reminder_job, when=max(0.0, due_at - self.clock()),
                                    name=f"reminder:{chat_id}:{kind}", chat_id=chat_id, data=(kind, due_at))

    async def _reminder_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reminder's time came: the core decides whether to send it (never twice) and when next."""
        assert context.job is not None
        kind, due_at = context.job.data
        await self.turn(context.job.chat_id, None, ReminderDue(kind, due_at))

    def resume_reminders(self) -> None:
        """At start-up: schedule every stored reminder (missed ones fire at once and are judged by the core)."""
        for chat_id, kind, due_at in self.storage.reminders():
            self._schedule_reminder(chat_id, kind, due_at)

    # -- sending -----------------------------------------------------------------------------

    async def _deliver(self, chat_id: int, outbox_id: int, item: dict[str, Any], timer_id: str | None) -> bool:
        """Send one queued message; start its countdown if its timer is still the chat's; forget it once
        sent (or failed for good)."""
        assert self.app is not None
        sent = await self._send_item(chat_id, item)
        if not sent.ok and not sent.permanent:
            return False  # stays in the outbox; the flush job tries again
        self.storage.mark_sent(outbox_id)
        timer = item.get("timer")
        if sent.ok and timer and timer["id"] == timer_id:
            countdown = Countdown(chat_id, timer["id"], sent.result.message_id, timer["ends_at"], item["text"],
                                  item.get("buttons"))
            self._start_countdown(countdown, timer["label"], timer["seconds"])
        return sent.ok

    async def _send_item(self, chat_id: int, item: dict[str, Any]) -> Delivery:
        """One outbox item: a text message (with buttons), the history chart, or the data export."""
        assert self.app is not None
        bot = self.app.bot
        if "chart" in item:
            png = await asyncio.to_thread(history_png, HistoryChart(**{k: tuple(v) if isinstance(v, list) else v
                                                                        for k, v in item["chart"].items()}))
            return await self._call(lambda: bot.send_photo(chat_id, InputFile(png, filename="cramp-history.png")))
        if "document" in item:
            data = item["document"]["content"].encode("utf-8")
            return await self._call(lambda: bot.send_document(chat_id, InputFile(data, item["document"]["filename"])))
        markup = _markup(item.get("buttons"))
        return await self._call(lambda: bot.send_message(chat_id, item["text"], reply_markup=markup))

    async def flush_outbox(self) -> None:
        """Send replies stored but not delivered (after a crash or a long outage), oldest first."""
        for outgoing in self.storage.unsent():
            async with self.locks[outgoing.chat_id]:
                if any(o.id == outgoing.id for o in self.storage.unsent()):
                    timer = self.storage.load(outgoing.chat_id).timer
                    await self._deliver(outgoing.chat_id, outgoing.id, outgoing.payload,
                                        timer.timer_id if timer else None)

    async def _flush_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Periodic retry of replies that could not be delivered yet."""
        await self.flush_outbox()

    async def _call(self, make: Callable[[], Awaitable[T]]) -> Delivery:
        """Call the Bot API, retrying timeouts, 5xx and 429 (after retry_after) with backoff."""
        delay = 0.5
        for attempt in range(1, self.max_attempts + 1):
            try:
                return Delivery(await make(), ok=True)
            except RetryAfter as exc:
                with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
                    warnings.simplefilter("ignore")
                    wait = exc.retry_after
                await asyncio.sleep((wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)) + 0.1)
            except Forbidden:
                log.info("a user has blocked the bot; not sending")
                return Delivery(permanent=True)
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    log.warning("Bot API refused a call: %s", exc)
                return Delivery(permanent=True)
            except (TimedOut, NetworkError) as exc:
                log.debug("Bot API call failed (attempt %s): %s", attempt, type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 8.0)
        log.warning("Bot API call still failing after %s attempts; will retry later", self.max_attempts)
        return Delivery()

    async def _show_choice(self, chat_id: int, message: Message, data: str) -> None:
        """Make the pressed answer visible: the message keeps its text, loses its buttons, gains '→ choice'."""
        assert self.app is not None
        label = next((b.text for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
                      for b in row if b.callback_data == data), None)
        if label is None:
            return
        countdown = self.countdowns.get(chat_id)
        text = message.text or ""
        if countdown and countdown.message_id == message.message_id:
            await self._stop_countdown(chat_id, edit=False)
            text = countdown.text.rsplit("\n", 1)[0].rstrip()
        await self._call(lambda: self.app.bot.edit_message_text(f"{text}\n\n→ {label}", chat_id,
                                                                message.message_id, reply_markup=None))

    # -- countdowns --------------------------------------------------------------------------

    def _start_countdown(self, countdown: Countdown, label: str, seconds: int) -> None:
        """Edit the step's message as the hold runs, then tell the core the timer is done."""
        assert self.app and self.app.job_queue
        for job in self.app.job_queue.get_jobs_by_name(f"countdown:{countdown.chat_id}"):
            job.schedule_removal()
        self.storage.set_countdown(countdown)
        self.countdowns[countdown.chat_id] = countdown
        self.shown[countdown.chat_id] = countdown.text
        interval = tick_interval(seconds)
        self.app.job_queue.run_repeating(self._tick, interval=interval, first=interval,
                                         name=f"countdown:{countdown.chat_id}", chat_id=countdown.chat_id,
                                         data=(countdown.timer_id, label))

    async def _tick(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """One countdown step: edit the message when the shown value changes; finish at zero."""
        assert context.job is not None and self.app is not None
        chat_id = context.job.chat_id
        timer_id, label = context.job.data
        countdown = self.countdowns.get(chat_id)
        if countdown is None or countdown.timer_id != timer_id:
            context.job.schedule_removal()
            return
        left = countdown.ends_at - self.clock()
        text = with_countdown(countdown.text, label, left)
        if left <= 0:
            context.job.schedule_removal()
            await self._finish_countdown(countdown, text)
            return
        if text != self.shown.get(chat_id):
            self.shown[chat_id] = text
            await self._call(lambda: self.app.bot.edit_message_text(text, chat_id, countdown.message_id,
                                                                    reply_markup=_markup(countdown.markup)))

    async def _finish_countdown(self, countdown: Countdown, final_text: str) -> None:
        """Show 'done' (buttons move to the follow-up question) and pass TimerDone to the core."""
        assert self.app is not None
        self.countdowns.pop(countdown.chat_id, None)
        self.storage.clear_countdown(countdown.chat_id)
        await self._call(lambda: self.app.bot.edit_message_text(final_text, countdown.chat_id, countdown.message_id,
                                                                reply_markup=None))
        await self.turn(countdown.chat_id, None, TimerDone(countdown.timer_id))

    async def _stop_countdown(self, chat_id: int, edit: bool = True) -> None:
        """The user moved on: stop editing, freeze the message without its countdown line and buttons."""
        assert self.app and self.app.job_queue
        for job in self.app.job_queue.get_jobs_by_name(f"countdown:{chat_id}"):
            job.schedule_removal()
        countdown = self.countdowns.pop(chat_id, None)
        self.storage.clear_countdown(chat_id)
        if countdown and edit:
            body = countdown.text.rsplit("\n", 1)[0].rstrip()
            await self._call(lambda: self.app.bot.edit_message_text(body, chat_id, countdown.message_id,
                                                                    reply_markup=None))

    async def resume_countdowns(self) -> None:
        """After a restart: continue countdowns still running, finish those that ended meanwhile."""
        for countdown in self.storage.countdowns():
            timer = self.storage.load(countdown.chat_id).timer
            if timer is None or timer.timer_id != countdown.timer_id:
                self.storage.clear_countdown(countdown.chat_id)
                continue
            if countdown.ends_at <= self.clock():
                await self._finish_countdown(countdown, with_countdown(countdown.text, timer.label, 0))
            else:
                self._start_countdown(countdown, timer.label, timer.seconds)


def _markup(rows: list[list[list[str]]] | None) -> InlineKeyboardMarkup | None:
    """Button rows (label, data) as an inline keyboard."""
    if not rows:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in row]
                                 for row in rows])


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: the public URL Telegram posts to, the secret it must send, where to listen."""

    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8443


async def serve(shell: TelegramShell, stop: asyncio.Event, webhook: Webhook | None = None) -> None:
    """Run the bot until `stop` is set: long polling, or a webhook server that enforces the secret."""
    app = shell.build()
    async with app:  # getMe: a wrong token fails here with InvalidToken
        await shell.started(app)
        await app.start()
        assert app.updater is not None
        if webhook is None:
            await app.updater.start_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1,
                                            error_callback=_polling_error)
        else:
            path = webhook.url.rstrip("/").rsplit("/", 1)[-1] if "/" in webhook.url.split("://", 1)[-1] else ""
            await app.updater.start_webhook(listen=webhook.listen, port=webhook.port, url_path=path,
                                            webhook_url=webhook.url, secret_token=webhook.secret,
                                            allowed_updates=Update.ALL_TYPES, bootstrap_retries=-1)
        try:
            await stop.wait()
        finally:
            await app.updater.stop()
            await app.stop()


def _polling_error(error: TelegramError) -> None:
    """Network trouble while polling: PTB retries by itself; we only log it, without details."""
    log.warning("polling problem: %s (retrying)", type(error).__name__)
