"""The Telegram shell around the core (python-telegram-bot 22): turns updates into events, stores
each chat's state before anything is sent, delivers replies in order with retries, and schedules
countdowns and reminders.

PTB's ConversationHandler and persistence are deliberately not used: the core owns the dialog
state and storage writes it on every update, so a killed process loses nothing."""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

from telegram import (
    BotCommand,
    BotCommandScopeAllPrivateChats,
    InputFile,
    Message,
    MessageEntity,
    Update,
)
from telegram.constants import ChatAction
from telegram.error import (
    BadRequest,
    Forbidden,
    NetworkError,
    RetryAfter,
    TelegramError,
    TimedOut,
)
from telegram.ext import (
    AIORateLimiter,
    ApplicationBuilder,
    ContextTypes,
    TypeHandler,
)

from bot.core.brain import Brain
from bot.core.chat_scope import public_commands
from bot.core.outcome import Outcome
from bot.core.reminders import KINDS as REMINDER_KINDS
from bot.core.replies import URGENT_KINDS, HistoryChart
from bot.core.session import (
    PLAN_REVIEW,
    RELIEF_CHECK,
    Event,
    NonText,
    Press,
    ReminderDue,
    Session,
    Text,
    TimerDone,
)
from bot.settings import Settings
from bot.storage import Countdown, Outgoing, Storage, StorageError
from bot.telegram_shell.charts import history_png
from bot.telegram_shell.chat_turns import ChatTurns
from bot.telegram_shell.countdowns import Countdowns
from bot.telegram_shell.http import long_poll_request, retry_seconds, sending_request
from bot.telegram_shell.metrics import BotMetrics
from bot.telegram_shell.pacing import TurnPacer
from bot.telegram_shell.queues import ChatQueues
from bot.telegram_shell.render import payloads, without_countdown
from bot.telegram_shell.summary_pdf import summary_from_dict, summary_pdf
from bot.telegram_shell.throttled_log import Throttled
from bot.telegram_shell.updates import App, TolerantBot, keep_in_inbox, read_updates

log = logging.getLogger("crampbot.telegram")
T = TypeVar("T")
GROUP_TYPES = ("group", "supergroup")
NON_TEXT = ("sticker", "photo", "voice", "video", "video_note", "audio", "animation", "document", "location",
            "venue", "contact", "poll", "dice", "game")
# Updates handled at once: many, because a chat whose replies keep failing holds its slot while
# `_call` waits between retries (up to about a minute), and other chats, an emergency among them,
# must never queue behind a few of those. A chat's updates wait for their turn before they take a
# slot (bot.telegram_queues), so one chat holds at most one. HTTP connections to the Bot API (bot.telegram_http): 8
# requests in flight at Telegram's ~100 ms round trip is well above its limit of 30 messages a second.
CONCURRENT_UPDATES = 256
CONNECTIONS = 8
NOT_RECORDED = ("ignored", "double tap", "duplicate", "unsaved", "failed", "skipped")  # outcomes that store no turn
# On a shared database (several instances): how often each instance looks for due reminders, countdowns
# nobody runs and updates left in the inbox, and how long an update waits there before another instance
# takes it (its own instance handles it within milliseconds, unless it died).
SWEEP_SECONDS = 1.0
ORPHAN_AFTER_SECONDS = 5.0


@dataclass
class Delivery:
    """How a Bot API call ended: its result, or whether it failed for good (no point retrying)."""

    result: Any = None
    ok: bool = False
    permanent: bool = False


class TelegramShell:
    """Wires one Brain and one Storage to a PTB Application."""

    def __init__(self, brain: Brain, storage: Storage, settings: Settings, clock: Callable[[], float] = time.time,
                 read_timeout: float = 10.0):
        self.brain = brain
        self.storage = storage
        self.settings = settings  # the retry timings (send_attempts, retry_*_seconds...) included
        self.clock = clock
        self.read_timeout = read_timeout
        self.trouble = Throttled(log)  # storage errors repeat on every update: logged once a minute
        # one turn at a time per chat (its updates, timers and reminders), across instances on a shared database
        self.turns = ChatTurns(storage, self.trouble)
        self.pacer = TurnPacer()  # one turn's synchronous work per pass of the event loop
        self.countdowns = Countdowns(storage, clock, self._edit, self._timer_done, self.turns.claim)
        self.reminders_tried: dict[tuple[int, str, float], float] = {}  # shared database: (chat, kind, due) -> when
        self.answered: set[tuple[int, int]] = set()  # (chat, message) whose button was already taken
        self.delivered: set[int] = set()  # outbox ids sent even if marking them sent failed
        self.blocked: set[int] = set()
        self.backlog: set[int] = set()  # chats with replies that could not be sent yet
        self.username = ""
        self.app: App | None = None
        self.metrics = BotMetrics()  # what /metrics shows, and when the Bot API last answered (/readyz)

    # -- building and starting ---------------------------------------------------------------

    def build(self) -> App:
        """The PTB Application: base URL from settings, rate limiter, concurrent updates, our handler."""
        assert self.settings.telegram_token
        bot = TolerantBot(
            self.settings.telegram_token, base_url=self.settings.base_url,
            request=sending_request(CONNECTIONS, self.read_timeout),
            get_updates_request=long_poll_request(),
            # Telegram's limits (about 30 messages a second); a local Bot API server has none
            rate_limiter=AIORateLimiter(overall_max_rate=30, max_retries=3) if self.settings.rate_limit
            else None)
        bot.keep_fetched(lambda received: keep_in_inbox(self.storage, received))
        bot.on_answer(self.metrics.api_answered)
        queues = ChatQueues(CONCURRENT_UPDATES, self._must_keep, self._skipped, self._relevant)
        builder = ApplicationBuilder().bot(bot).concurrent_updates(queues)
        app = builder.build()
        app.add_handler(TypeHandler(Update, self.on_update))
        app.add_error_handler(self._on_error)
        self.app = app
        self.countdowns.jobs = app.job_queue
        return app

    async def started(self, app: App) -> None:
        """Register the bot's description (the screen before /start) and command menus (the `menu: true`
        commands in private chats; elsewhere, groups included, those of them that are not personal; the rest
        are in /help), remember our username, resume countdowns and reminders, and send what was left unsent
        (in the background, so a network outage cannot block start-up)."""
        self.username = (app.bot.username or "").lower()
        messages = self.brain.content.messages
        shown = {c.command for c in messages.commands if c.in_menu}
        private = [BotCommand(c.command, c.description) for c in messages.commands if c.in_menu]
        public = [BotCommand(name, description) for name, description in public_commands(messages) if name in shown]
        await self._call(lambda: app.bot.set_my_commands(private, scope=BotCommandScopeAllPrivateChats()))
        await self._call(lambda: app.bot.set_my_commands(public))
        await self._call(lambda: app.bot.set_my_description(messages.text("bot_description")))
        await self._call(lambda: app.bot.set_my_short_description(messages.text("bot_short_description")))
        # Chats with replies left unsent by a crash: their new replies wait behind those (sent by
        # the flush job below), never overtake them.
        self._note_backlog()
        assert app.job_queue is not None
        if self.storage.shared:  # other instances run what is theirs: take only what nobody runs (the sweep)
            app.job_queue.run_repeating(self._sweep_job, interval=SWEEP_SECONDS, first=0.1, name="sweep")
        else:
            await self.countdowns.resume()
            self.resume_reminders()
            for received in self.storage.inbox():  # fetched before a crash, never handled: first in line
                for update in read_updates([received.data], app.bot):
                    app.update_queue.put_nowait(update)
        app.job_queue.run_repeating(self._flush_job, interval=self.settings.outbox_retry_seconds, first=0.1,
                                    name="outbox")

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log errors raised in handlers without message text; the bot keeps running."""
        error = context.error
        chat = update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
        log.error("error handling update chat=%s: %s", chat, type(error).__name__,
                  exc_info=error if not isinstance(error, TelegramError) else None)

    # -- updates -----------------------------------------------------------------------------

    async def on_update(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Handle one update in its chat's turn (one at a time per chat)."""
        chat = update.effective_chat.id if update.effective_chat else None
        if chat is None or not self._relevant(update):
            await self._handle(update, chat)
            return
        async with self.turns.hold(chat):
            if self.storage.shared:
                await self._catch_up(chat, update.update_id)
            await self._handle(update, chat)

    async def _handle(self, update: Update, chat: int | None) -> None:
        """One update (its chat's turn held): one line of log, with the chat, what happened and how long it
        took (never the text); out of the inbox when no turn was saved for it."""
        started = time.perf_counter()
        kind = "failed"  # until handled
        try:
            kind = "ignored" if chat is None or not self._relevant(update) else await self._dispatch(update, chat)
        finally:
            if kind in NOT_RECORDED:
                self._done(update.update_id)
            seconds = time.perf_counter() - started
            self.metrics.update(kind, seconds)
            log.info("update=%s chat=%s kind=%s ms=%.1f", update.update_id, chat, kind, seconds * 1000,
                     extra={"update": update.update_id, "chat": chat, "kind": kind, "ms": round(seconds * 1000, 1)})

    async def _catch_up(self, chat_id: int, before: int | None = None) -> None:
        """Shared database (the chat's turn held): first the chat's updates that reached the inbox earlier
        (through another instance, or left by one that died), oldest first, so the chat's updates are
        handled in order whichever instance received them (all of them when `before` is None)."""
        try:
            waiting = self.storage.inbox_of(chat_id)
        except StorageError as exc:
            self.trouble("could not read the inbox (chat=%s): %s", chat_id, exc)
            return
        for received in waiting:
            if before is not None and received.update_id >= before:
                break
            updates = read_updates([received.data], self._bot)
            if not updates:
                self._done(received.update_id)
            for update in updates:
                await self._handle(update, chat_id)

    def _done(self, update_id: int) -> None:
        try:
            self.storage.done(update_id)
        except StorageError as exc:
            self.trouble("could not take an update out of the inbox: %s", exc)

    def _relevant(self, update: Update) -> bool:
        """False for a message the bot ignores whatever its chat's state: from a bot, not a new
        message (an edit, a channel post...), or group chatter not meant for us."""
        if update.callback_query is not None:
            return True
        message = update.message
        return (message is not None and message.from_user is not None and not message.from_user.is_bot
                and self._event_for(message) is not None)

    def _must_keep(self, update: Update) -> bool:
        """True for an update that is never skipped, however fast its chat writes (bot.telegram_queues)."""
        query, message = update.callback_query, update.message
        if query is not None:
            return self.brain.must_answer(Press(query.data)) if query.data else False
        event = self._event_for(message) if message is not None else None
        return event is not None and self.brain.must_answer(event)

    async def _skipped(self, update: Update, first: bool) -> None:
        """A flooding chat's update skipped: out of the inbox (a button's spinner stopped); the first
        time, ask the chat to slow down."""
        chat = update.effective_chat.id if update.effective_chat else None
        self._done(update.update_id)
        self.metrics.update("skipped", 0.0)
        if (query := update.callback_query) is not None:
            await self._call(lambda: query.answer())
        log.log(logging.INFO if first else logging.DEBUG, "update=%s chat=%s kind=skipped (the chat sends faster "
                "than it is answered; its updates are skipped until it catches up)", update.update_id, chat,
                extra={"update": update.update_id, "chat": chat, "kind": "skipped"})
        if first and chat is not None:
            await self._call(lambda: self._bot.send_text(chat, self.brain.write.text("too_fast")), chat)

    async def _dispatch(self, update: Update, chat_id: int) -> str:
        """Route one update (the chat's lock is held): a button press, a message, or nothing."""
        query = update.callback_query
        if query is not None:
            await self._call(lambda: query.answer())  # stop the button spinner at once
            if not query.data or query.message is None or (query.from_user and query.from_user.is_bot):
                return "ignored"
            message = query.message if isinstance(query.message, Message) else None  # None: too old to edit
            if message is not None and (chat_id, message.message_id) in self.answered:
                return "double tap"
            in_group = query.message.chat.type in GROUP_TYPES
            return await self._turn(chat_id, update.update_id, Press(query.data, in_group), message)
        # a message that is not ignored (see _relevant)
        event = self._event_for(update.message) if update.message is not None else None
        assert event is not None
        return await self._turn(chat_id, update.update_id, event)

    def _event_for(self, message: Message) -> Event | None:
        """Text (a photo's caption counts as text; our @mention removed), a non-text notice, or None
        for group chatter not meant for us."""
        text = message.text if message.text is not None else message.caption
        if message.chat.type in GROUP_TYPES:
            if text is None or not self._addressed_to_us(message):
                return None
            text = re.sub(rf"@{re.escape(self.username)}\b", " ", text, flags=re.IGNORECASE).strip()
            return Text(text or "/help", in_group=True)
        if text is not None:
            return Text(text)
        what = next((kind for kind in NON_TEXT if getattr(message, kind, None)), "other")
        return NonText(what)

    def _addressed_to_us(self, message: Message) -> bool:
        """In a group: a command (for us or for every bot) or a message mentioning us."""
        text = message.text or message.caption or ""
        for entity in (message.entities or message.caption_entities or ()):
            part = text[entity.offset:entity.offset + entity.length].lower()
            if entity.type == MessageEntity.BOT_COMMAND and entity.offset == 0:
                return "@" not in part or part.endswith(f"@{self.username}")
            if entity.type == MessageEntity.MENTION and part == f"@{self.username}":
                return True
        return False

    async def turn(self, chat_id: int, update_id: int | None, event: Event) -> str:
        """Run one event for a chat (timers and reminders come in here), in order with its updates."""
        async with self.turns.hold(chat_id):
            return await self._turn(chat_id, update_id, event)

    async def _turn(self, chat_id: int, update_id: int | None, event: Event, pressed: Message | None = None) -> str:
        """Core, then storage (one transaction), then delivery, then the look of the `pressed` message (whose
        button this event is, when it can still be edited); the chat's lock is held."""
        await self.pacer.turn()  # replies already sent are read first (bot.telegram_shell.pacing)
        outcome = None
        try:
            if update_id is not None and self.storage.seen(update_id):
                return "duplicate"
            before = self.storage.load(chat_id)
            damaged = self.storage.damaged(chat_id)
            outcome = self.brain.respond(before, event, self.clock())
            self.metrics.turn(event, outcome)
            items, urgent = self._payloads(outcome, pressed)
            if damaged:  # saved data that could not be read was set aside: say so, after any urgent advice
                items.insert(urgent, {"text": self.brain.write.text("saved_data_damaged")})
            ids = self.storage.record_turn(chat_id, update_id, outcome.session, items)
        except StorageError as exc:
            self.trouble("storage failed (chat=%s and maybe others): %s", chat_id, exc)
            await self._unsaved(chat_id, event, outcome)
            return "unsaved"
        new_timer = outcome.session.timer.timer_id if outcome.session.timer else None
        if self.countdowns.timer_of(chat_id) not in (None, new_timer):
            await self.countdowns.stop(chat_id)
        fresh = [Outgoing(i, chat_id, p) for i, p in zip(ids, items, strict=True)]  # one id per item stored
        await self._deliver_pending(chat_id, new_timer, fresh)
        if outcome.forget:
            await self.countdowns.stop(chat_id, freeze=False)
            self.storage.forget(chat_id)
            self.answered = {key for key in self.answered if key[0] != chat_id}
            self.blocked.discard(chat_id)
        if not self.storage.shared and (outcome.forget or before.due_times() != outcome.session.due_times()):
            self._schedule_reminders(chat_id, outcome.session)  # shared database: found by the sweep
        if pressed is not None and isinstance(event, Press):
            await self._after_press(chat_id, pressed, event.action, outcome)
        if outcome.stale_press:
            return "stale"
        return outcome.replies[0].kind if outcome.replies else "silent"

    async def _after_press(self, chat_id: int, pressed: Message, action: str, outcome: Outcome) -> None:
        """The pressed message: dead buttons taken away (stale), left as edited (a ticked button), or showing
        the answer ("→ choice") without buttons."""
        if outcome.stale_press:
            await self._edit(chat_id, pressed.message_id, pressed.text or "", None, lambda: True)
        elif not any(reply.in_place for reply in outcome.replies):
            await self._show_choice(chat_id, pressed, action, outcome.chose)

    async def _unsaved(self, chat_id: int, event: Event, outcome: Outcome | None) -> None:
        """A turn storage could not save: nothing changed, and the user is told so; but a red flag's
        or an emergency's advice is still sent (worked out on a fresh session if the saved one could
        not even be read)."""
        if outcome is None:
            outcome = self.brain.respond(Session(), event, self.clock())
            self.metrics.turn(event, outcome)
        items, urgent = self._payloads(outcome)
        for item in [*items[:urgent], {"text": self.brain.write.text("storage_problem")}]:
            await self._send_item(chat_id, item)

    def _payloads(self, outcome: Outcome, pressed: Message | None = None) -> tuple[list[dict[str, Any]], int]:
        """The outcome's replies as messages to send, in order, and how many of them, from the
        first, are urgent advice (an emergency's or a red flag's). A reply shown in place of the `pressed`
        message is an edit of it: its text stays, its buttons change."""
        items: list[dict[str, Any]] = []
        urgent = None
        for reply in outcome.replies:
            if urgent is None and reply.kind not in URGENT_KINDS:
                urgent = len(items)
            made = payloads(reply, self.username)
            if reply.in_place and pressed is not None and pressed.text and len(made) == 1:
                made = [{**made[0], "text": pressed.text, "edit": pressed.message_id}]
            items.extend(made)
        return items, len(items) if urgent is None else urgent

    async def _timer_done(self, chat_id: int, timer_id: str) -> None:
        await self.turn(chat_id, None, TimerDone(timer_id))

    @property
    def _bot(self) -> TolerantBot:
        assert self.app is not None
        return self.app.bot

    # -- reminders ---------------------------------------------------------------------------

    def _schedule_reminders(self, chat_id: int, session: Session) -> None:
        """One job per reminder and for the relief check-in, at its due time (old jobs for the chat are replaced)."""
        assert self.app and self.app.job_queue
        for kind in (*REMINDER_KINDS, RELIEF_CHECK, PLAN_REVIEW):
            for job in self.app.job_queue.get_jobs_by_name(f"reminder:{chat_id}:{kind}"):
                job.schedule_removal()
        for kind, due_at in session.due_times():
            self._schedule_reminder(chat_id, kind, due_at)

    def _schedule_reminder(self, chat_id: int, kind: str, due_at: float) -> None:
        assert self.app and self.app.job_queue
        self.app.job_queue.run_once(self._reminder_job, when=max(0.0, due_at - self.clock()),
                                    name=f"reminder:{chat_id}:{kind}", chat_id=chat_id, data=(kind, due_at))

    async def _reminder_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A reminder's time came: the core decides whether to send it (never twice) and when next."""
        assert context.job is not None and context.job.chat_id is not None
        kind, due_at = cast("tuple[str, float]", context.job.data)  # as _schedule_reminder sets it
        await self.turn(context.job.chat_id, None, ReminderDue(kind, due_at))

    def resume_reminders(self) -> None:
        """At start-up: schedule every stored reminder (missed ones fire at once and are judged by the core)."""
        for chat_id, kind, due_at in self.storage.reminders():
            self._schedule_reminder(chat_id, kind, due_at)

    # -- a shared database: what no instance runs is taken by one ----------------------------

    async def _sweep_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Every SWEEP_SECONDS on a shared database: due reminders, countdowns nobody runs (their instance
        died), and updates left in the inbox by an instance that died."""
        try:
            await self.sweep()
        except StorageError as exc:
            self.trouble("sweep failed: %s", exc)

    async def sweep(self) -> None:
        """One pass of the shared database's sweep (see _sweep_job)."""
        await self.run_due_reminders()
        await self.countdowns.adopt()
        for chat_id in self.storage.stale_inbox(self.clock() - ORPHAN_AFTER_SECONDS):
            async with self.turns.claim(chat_id, wait=False) as held:
                if held:
                    await self._catch_up(chat_id)

    async def run_due_reminders(self) -> None:
        """Shared database: each due reminder is run by the one instance that takes its chat's turn first
        (the turn moves it on, so the others find nothing due; the core never sends one twice)."""
        now = self.clock()
        self.reminders_tried = {key: at for key, at in self.reminders_tried.items() if now - at < 600}
        for chat_id, kind, due_at in self.storage.due_reminders(now):
            if (chat_id, kind, due_at) in self.reminders_tried:
                continue  # tried and still due: the core kept it (it waits for something); not again and again
            async with self.turns.claim(chat_id, wait=False) as held:
                if held:
                    self.reminders_tried[(chat_id, kind, due_at)] = now
                    await self._turn(chat_id, None, ReminderDue(kind, due_at))

    # -- sending -----------------------------------------------------------------------------

    async def _deliver_pending(self, chat_id: int, timer_id: str | None,
                               fresh: list[Outgoing] | None = None) -> None:
        """Send this chat's queued replies oldest first; stop at the first that cannot go yet, so the
        user never sees a later reply before an earlier one. `fresh`: the replies just queued, when
        nothing older is waiting (saves reading them back)."""
        queue = (fresh if fresh is not None and chat_id not in self.backlog and not self.storage.shared
                 else self.storage.unsent(chat_id))  # shared: another instance may have left replies unsent
        self.backlog.add(chat_id)  # until all of it has gone: whatever stops us, later replies wait
        for outgoing in queue:
            if outgoing.id in self.delivered:
                continue
            sent = await self._send_item(chat_id, outgoing.payload)
            if not sent.ok and not sent.permanent:
                return  # stays queued; the flush job tries again
            self.delivered.add(outgoing.id)
            try:
                self.storage.mark_sent(outgoing.id)  # at once: a crash later in the turn resends nothing
                self.delivered.discard(outgoing.id)
            except StorageError as exc:
                self.trouble("could not mark a reply as sent (chat=%s): %s", chat_id, exc)
            timer = outgoing.payload.get("timer")
            if sent.ok and timer and timer["id"] == timer_id:
                self.countdowns.start(Countdown(chat_id, timer["id"], sent.result["message_id"], timer["ends_at"],
                                                outgoing.payload["text"], outgoing.payload.get("buttons")),
                                      timer["label"], timer["seconds"])
        self.backlog.discard(chat_id)

    async def _send_item(self, chat_id: int, item: dict[str, Any]) -> Delivery:
        """One outbox item: a text message (with buttons), the history chart, the doctor's summary (a PDF) or
        the data export."""
        if chat_id in self.blocked:
            return Delivery(permanent=True)
        bot = self._bot
        if "chart" in item:
            fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in item["chart"].items()}
            chart = HistoryChart(**fields)
            await self._call(lambda: bot.send_chat_action(chat_id, ChatAction.UPLOAD_PHOTO))  # while it is drawn
            png = await asyncio.to_thread(history_png, chart)
            return await self._call(lambda: bot.send_photo(chat_id, InputFile(png, filename="cramp-history.png")),
                                    chat_id)
        if "summary" in item:
            summary = summary_from_dict(item["summary"])
            await self._call(lambda: bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT))  # while it is made
            pdf = await asyncio.to_thread(summary_pdf, summary)
            return await self._call(lambda: bot.send_document(chat_id, InputFile(pdf, summary.filename)), chat_id)
        if "document" in item:
            await self._call(lambda: bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT))
            data = item["document"]["content"].encode("utf-8")
            return await self._call(lambda: bot.send_document(chat_id, InputFile(data, item["document"]["filename"])),
                                    chat_id)
        keyboard = _inline_keyboard(item.get("buttons")) or _reply_keyboard(item.get("keyboard"))
        if "edit" in item:  # the pressed message, with new buttons
            return await self._call(lambda: bot.edit_text(chat_id, item["edit"], item["text"], keyboard), chat_id)
        return await self._call(lambda: bot.send_text(chat_id, item["text"], keyboard), chat_id)

    def _note_backlog(self) -> set[int]:
        """Chats with stored replies not yet delivered (remembered in `backlog`)."""
        waiting = {o.chat_id for o in self.storage.unsent()}
        self.backlog |= waiting
        return waiting

    async def flush_outbox(self) -> None:
        """Send replies stored but not delivered (after a crash or an outage), chat by chat, in order."""
        for chat_id in sorted(self._note_backlog()):
            async with self.turns.claim(chat_id, wait=not self.storage.shared) as held:  # shared: busy ones later
                if held:
                    timer = self.storage.load(chat_id).timer
                    await self._deliver_pending(chat_id, timer.timer_id if timer else None)

    async def _flush_job(self, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Periodic retry of replies that could not be delivered yet."""
        try:
            await self.flush_outbox()
        except StorageError as exc:
            self.trouble("outbox flush failed: %s", exc)

    async def _edit(self, chat_id: int, message_id: int, text: str, markup: Any,
                    still_wanted: Callable[[], bool]) -> None:
        keyboard = _inline_keyboard(markup)
        await self._call(lambda: self._bot.edit_text(chat_id, message_id, text, keyboard), chat_id, still_wanted)

    async def _call(self, make: Callable[[], Awaitable[T]], chat_id: int | None = None,
                    still_wanted: Callable[[], bool] = lambda: True) -> Delivery:
        """Call the Bot API, retrying timeouts, 5xx and 429 (after retry_after) with backoff; give up
        at once on 403 (blocked) and 400 (refused), or when the call is no longer wanted."""
        delay = self.settings.retry_first_seconds
        for attempt in range(1, self.settings.send_attempts + 1):
            if not still_wanted():
                return Delivery(permanent=True)
            try:
                result = await make()
                self.metrics.api_answered()
                return Delivery(result, ok=True)
            except RetryAfter as exc:
                self._retrying(attempt)
                await asyncio.sleep(retry_seconds(exc))
            except Forbidden:
                self.metrics.failed("blocked")
                if chat_id is not None and chat_id not in self.blocked:
                    self.blocked.add(chat_id)
                    log.info("chat=%s has blocked the bot; not sending to it", chat_id)
                return Delivery(permanent=True)
            except BadRequest as exc:
                if "not modified" not in str(exc).lower():
                    self.metrics.failed("refused")
                    log.warning("Bot API refused a call for chat=%s: %s", chat_id, exc)
                return Delivery(permanent=True)
            except (TimedOut, NetworkError) as exc:
                self._retrying(attempt)
                log.debug("Bot API call failed (attempt %s): %s", attempt, type(exc).__name__)
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.retry_max_seconds)
        self.metrics.failed("unreachable")
        log.warning("Bot API call for chat=%s still failing after %s attempts; will retry later", chat_id,
                    self.settings.send_attempts)
        return Delivery()

    def _retrying(self, attempt: int) -> None:
        """Count a failed try of a Bot API call that will be tried again (metrics)."""
        if attempt < self.settings.send_attempts:
            self.metrics.retried()

    async def _show_choice(self, chat_id: int, message: Message, data: str, chose: str | None = None) -> None:
        """Make the pressed answer visible: the message keeps its text, loses its buttons, gains '→ choice'
        (`chose`: what the button chose, when not its label: Done's ticked choices)."""
        label = next((b.text for row in (message.reply_markup.inline_keyboard if message.reply_markup else ())
                      for b in row if b.callback_data == data), None)
        label = chose if label is not None and chose else label
        if label is None:
            return
        self.answered.add((chat_id, message.message_id))
        text = message.text or ""
        if self.countdowns.message_of(chat_id) == message.message_id:
            stopped = await self.countdowns.stop(chat_id, freeze=False)
            text = without_countdown(stopped.text) if stopped else text
        elif "\n⏱ " in text:
            text = without_countdown(text)
        await self._edit(chat_id, message.message_id, f"{text}\n\n→ {label}", None, lambda: True)


def _reply_keyboard(labels: list[str] | None) -> dict[str, Any] | None:
    """The always-there buttons under the typing field (one per row, kept small and shown until taken away),
    or the markup that takes them away (an empty list); None leaves them as they are."""
    if labels is None:
        return None
    if not labels:
        return {"remove_keyboard": True}
    return {"keyboard": [[{"text": label}] for label in labels], "resize_keyboard": True, "is_persistent": True}


def _inline_keyboard(rows: list[list[list[Any]]] | None) -> dict[str, Any] | None:
    """Button rows (label, data) as the reply_markup object of an inline keyboard; data {"url": ...}
    makes a link button."""
    if not rows:
        return None
    return {"inline_keyboard": [[{"text": label, "url": data["url"]} if isinstance(data, dict)
                                 else {"text": label, "callback_data": data} for label, data in row] for row in rows]}
