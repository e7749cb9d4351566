"""Polling that survives malformed updates: PTB parses a whole getUpdates batch at once, and one
update it cannot read makes it fetch the same batch forever (logging the raw text at CRITICAL).
This bot class parses each update on its own and replaces an unreadable one by a bare Update with
only its id, which the bot ignores, so polling moves on and nothing the user wrote reaches the logs."""

# What the shell relies on beyond PTB's documented API (check each before upgrading PTB past the
# version in requirements.lock; tests/telegram exercise all of them):
# - Bot._post (protected), here: TolerantBot.send_text and edit_text call sendMessage and
#   editMessageText through it, keeping PTB's request, error mapping, retries and rate limiter but
#   building no Message object from the answer (only its id is needed); get_updates calls
#   getUpdates through it so each update can be parsed on its own (see above).
# - Bot._request[0] (protected), here: the getUpdates request, whose default read timeout PTB's own
#   get_updates adds to the long-poll time; the public Bot.request is the other one, for every
#   other call.
# - ExtBot.get_updates overridden with PTB's signature (the Updater calls it by keyword).
# - BaseUpdateProcessor.process_update, which PTB marks final, is overridden in queues.py so an
#   update waits for its chat's turn before it takes one of PTB's slots.
# - Private attributes set on a bot after it is built (keep_fetched): PTB freezes its objects'
#   public attributes only.
# The timeouts PTB leaves unset arrive as the public BaseRequest.DEFAULT_NONE (http.py); ruff bans
# imports from telegram._utils (pyproject.toml).

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import re
import time
from collections.abc import Callable, Sequence
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, ExtBot, JobQueue
from telegram.request import BaseRequest

from bot.storage import INTEGER_RANGE, Received, Storage, StorageError
from bot.telegram_shell.throttled_log import Throttled

log = logging.getLogger("crampbot.telegram")
# Seconds a busy bot waits between two getUpdates calls: each call costs about as much CPU as
# sending a reply, and under load this makes one call bring several updates (bench/run.py). At
# most this much is added to a reply's time, and only while more than BUSY_RATE updates a second
# arrive (measured over the last second or so); a bot answering people at a human pace never waits.
BATCH_PAUSE = 0.02
BUSY_RATE = 50.0
# While fetched batches cannot be kept (a full disk, say), the poller waits before the next call:
# half a second, doubling up to KEEP_FAILED_PAUSE. Updates not fetched yet wait safely at Telegram
# for space to return; the cap keeps an emergency's answer (sent even unsaved) within seconds.
KEEP_FAILED_PAUSE = 5.0


SURROGATE = re.compile("[\ud800-\udfff]")  # never valid alone: such text cannot be encoded as UTF-8


def _storable(value: Any) -> bool:
    """True when a decoded JSON value can be stored and sent: every integer fits in 64 bits (as
    SQLite's do) and no text, keys included, holds a lone surrogate."""
    if isinstance(value, str):
        return not SURROGATE.search(value)
    if isinstance(value, int):
        return value in INTEGER_RANGE
    if isinstance(value, dict):
        return all(_storable(k) and _storable(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_storable(v) for v in value)
    return True


def without_poison(raw: list[Any]) -> list[Any]:
    """The batch with every update that could never be stored or sent (text that is not valid
    Unicode, such as a lone surrogate, or a number beyond 64 bits) replaced by a bare
    {"update_id": id}, which is skipped like any other unreadable update, with one warning naming
    only its id."""
    clean = []
    for item in raw:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if isinstance(update_id, int) and not isinstance(update_id, bool) and not _storable(item):
            log.warning("skipping an update that cannot be stored (invalid text or a number out of range): "
                        "update=%s", update_id)
            item = {"update_id": update_id}
        clean.append(item)
    return clean


_inbox_trouble = Throttled(log)


def keep_in_inbox(storage: Storage, received: list[Received]) -> bool:
    """Put fetched updates in the inbox before Telegram is told they arrived (the next getUpdates,
    or a webhook's 200); False if storage failed: they are handled all the same (each turn then
    tells its user it could not save, and the poller waits a little before fetching more)."""
    try:
        storage.receive(received)
        return True
    except Exception as exc:  # noqa: BLE001 - whatever it is, updates must go on (never re-fetched forever)
        _inbox_trouble("could not keep fetched updates in the inbox: %s", exc if isinstance(exc, StorageError)
                       else type(exc).__name__)
        return False


def received_from(raw: list[Any]) -> list[Received]:
    """A fetched batch (without poison) as inbox items, each with the chat it belongs to (one
    without an update_id cannot be kept or confirmed: it is dropped)."""
    received = []
    for item in raw:
        update_id = item.get("update_id") if isinstance(item, dict) else None
        if isinstance(update_id, int) and not isinstance(update_id, bool):
            received.append(Received(update_id, chat_of(item), item))
    return received


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


def read_updates(raw: list[Any], bot: Any) -> tuple[Update, ...]:
    """Parse each update independently; unreadable ones become Update(update_id) (or are dropped)."""
    updates = []
    for item in raw:
        try:
            updates.append(Update.de_json(item, bot))
        except Exception:  # noqa: BLE001 - any failure to parse means: skip it, keep polling
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if isinstance(update_id, int):
                log.warning("skipping an update the library cannot read: update=%s", update_id)
                updates.append(Update(update_id))
            else:
                log.warning("dropping an update without an update_id")
    return tuple(updates)


class TolerantBot(ExtBot[int]):  # int: the max_retries AIORateLimiter takes per call
    """ExtBot whose getUpdates never stalls on one bad update (the request itself is PTB's own) and
    batches when busy, with lean sendMessage and editMessageText calls that take the keyboard as
    a plain reply_markup object."""

    batch_pause = BATCH_PAUSE
    _pause = 0.0
    _clock = staticmethod(time.monotonic)
    _window: tuple[float, int] | None = None  # (since when, updates fetched since then)
    _on_fetch: Callable[[list[Received]], bool] | None = None
    _on_answer: Callable[[], None] | None = None
    _keep_failed = 0.0  # seconds to wait before the next call while batches cannot be kept

    def keep_fetched(self, callback: Callable[[list[Received]], bool]) -> None:
        """Have `callback` keep each fetched batch before the next call tells Telegram it came
        (it returns False when it could not)."""
        self._on_fetch = callback  # PTB's bot objects only take private attributes once built

    def on_answer(self, callback: Callable[[], None]) -> None:
        """Have `callback` called whenever getUpdates is answered (the Bot API is reachable: readiness)."""
        self._on_answer = callback

    async def send_text(self, chat_id: int, text: str, keyboard: dict[str, Any] | None = None) -> dict[str, Any]:
        """sendMessage (through PTB's request, retries and rate limiter) returning the raw message:
        only its id is needed, so no Message object is built from the answer."""
        data: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if keyboard:
            data["reply_markup"] = keyboard
        message: dict[str, Any] = await self._post("sendMessage", data)
        return message

    async def edit_text(self, chat_id: int, message_id: int, text: str, keyboard: dict[str, Any] | None = None) -> Any:
        """editMessageText the same lean way (no keyboard: the message loses its buttons)."""
        data: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
        if keyboard:
            data["reply_markup"] = keyboard
        return await self._post("editMessageText", data)

    def _note_rate(self, fetched: int) -> None:
        """Count fetched updates per window of a second or more; pause while the last was busy."""
        now = self._clock()
        since, count = self._window or (now, 0)
        count += fetched
        if now - since >= 1.0:
            self._pause = self.batch_pause if count / (now - since) > BUSY_RATE else 0.0
            since, count = now, 0
        self._window = (since, count)

    async def get_updates(  # the signature is PTB's
            self, offset: int | None = None, limit: int | None = None,
            timeout: int | dt.timedelta | None = None,  # noqa: ASYNC109 - the long-poll time, not ours to change
            allowed_updates: Sequence[str] | None = None, *, read_timeout: Any = BaseRequest.DEFAULT_NONE,
            write_timeout: Any = BaseRequest.DEFAULT_NONE, connect_timeout: Any = BaseRequest.DEFAULT_NONE,
            pool_timeout: Any = BaseRequest.DEFAULT_NONE, api_kwargs: dict[str, Any] | None = None,
    ) -> tuple[Update, ...]:
        """getUpdates exactly as PTB sends it (same long-poll read timeout); the batch is kept (see
        keep_fetched) before it is returned, parsed one by one. While more than BUSY_RATE updates a
        second come in, it first waits `batch_pause`, so updates come in fewer, larger batches; a
        bot that is not that busy never waits."""
        if self._pause or self._keep_failed:
            await asyncio.sleep(max(self._pause, self._keep_failed))
        base = self._request[0].read_timeout if read_timeout is BaseRequest.DEFAULT_NONE else read_timeout
        seconds = timeout.total_seconds() if isinstance(timeout, dt.timedelta) else (timeout or 0)
        raw = await self._post("getUpdates", {"timeout": timeout, "offset": offset, "limit": limit,
                                              "allowed_updates": allowed_updates},
                               read_timeout=(base or 0) + seconds, write_timeout=write_timeout,
                               connect_timeout=connect_timeout, pool_timeout=pool_timeout, api_kwargs=api_kwargs)
        if self._on_answer is not None:
            self._on_answer()
        raw = without_poison(raw if isinstance(raw, list) else [])
        self._note_rate(len(raw))
        received = received_from(raw)
        storable = [r for r in received if r.update_id in INTEGER_RANGE]
        if storable and self._on_fetch is not None:
            kept = self._on_fetch(storable)
            self._keep_failed = 0.0 if kept else min(max(0.5, self._keep_failed * 2), KEEP_FAILED_PAUSE)
        return read_updates(raw, self)


# The Application the shell builds: TolerantBot with PTB's default context, data and job queue types.
# The update types the bot handles (Shell._relevant); Telegram is asked for these only, by polling and webhook
HANDLED_UPDATES = ("message", "callback_query")

App = Application[TolerantBot, ContextTypes.DEFAULT_TYPE, dict[Any, Any], dict[Any, Any], dict[Any, Any],
                  JobQueue[ContextTypes.DEFAULT_TYPE]]
