"""Polling that survives malformed updates: PTB parses a whole getUpdates batch at once, and one
update it cannot read makes it fetch the same batch forever (logging the raw text at CRITICAL).
This bot class parses each update on its own and replaces an unreadable one by a bare Update with
only its id, which the bot ignores, so polling moves on and nothing the user wrote reaches the logs."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram._utils.defaultvalue import DEFAULT_NONE, DefaultValue
from telegram.ext import ExtBot

log = logging.getLogger("crampbot.telegram")


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


class TolerantBot(ExtBot):
    """ExtBot whose getUpdates never stalls on one bad update (the request itself is PTB's own), with
    lean sendMessage and editMessageText calls that take the keyboard as ready JSON."""

    async def send_text(self, chat_id: int, text: str, keyboard: str | None = None) -> dict[str, Any]:
        """sendMessage (through PTB's request, retries and rate limiter) returning the raw message:
        only its id is needed, so no Message object is built from the answer."""
        data: dict[str, Any] = {"chat_id": chat_id, "text": text}
        if keyboard:
            data["reply_markup"] = keyboard
        return await self._post("sendMessage", data)

    async def edit_text(self, chat_id: int, message_id: int, text: str, keyboard: str | None = None) -> Any:
        """editMessageText the same lean way (no keyboard: the message loses its buttons)."""
        data: dict[str, Any] = {"chat_id": chat_id, "message_id": message_id, "text": text}
        if keyboard:
            data["reply_markup"] = keyboard
        return await self._post("editMessageText", data)

    async def get_updates(self, offset=None, limit=None, timeout=None, allowed_updates=None, *,
                          read_timeout=DEFAULT_NONE, write_timeout=DEFAULT_NONE, connect_timeout=DEFAULT_NONE,
                          pool_timeout=DEFAULT_NONE, api_kwargs=None) -> tuple[Update, ...]:
        """Fetch updates exactly as PTB does (same long-poll read timeout), but parse them one by one."""
        base = self._request[0].read_timeout if isinstance(read_timeout, DefaultValue) else read_timeout
        seconds = timeout.total_seconds() if hasattr(timeout, "total_seconds") else (timeout or 0)
        raw = await self._post("getUpdates", {"timeout": timeout, "offset": offset, "limit": limit,
                                              "allowed_updates": allowed_updates},
                               read_timeout=(base or 0) + seconds, write_timeout=write_timeout,
                               connect_timeout=connect_timeout, pool_timeout=pool_timeout, api_kwargs=api_kwargs)
        return read_updates(raw or [], self)
