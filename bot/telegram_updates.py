"""Polling that survives malformed updates: PTB parses a whole getUpdates batch at once, and one
update it cannot read makes it fetch the same batch forever (logging the raw text at CRITICAL).
This request class replaces each unreadable update by a bare {"update_id": N}, which the bot
ignores, so polling moves on and nothing the user wrote reaches the logs."""

from __future__ import annotations

import json
import logging
from typing import Any

from telegram import Update
from telegram.request import HTTPXRequest

log = logging.getLogger("crampbot.telegram")


def sanitise_updates(payload: bytes) -> bytes:
    """A getUpdates response body with every update PTB cannot parse reduced to its update_id."""
    try:
        body = json.loads(payload)
    except ValueError:
        return payload
    if not isinstance(body, dict) or not isinstance(body.get("result"), list):
        return payload
    cleaned: list[Any] = []
    changed = False
    for item in body["result"]:
        try:
            Update.de_json(item, None)
            cleaned.append(item)
        except Exception:  # noqa: BLE001 - any failure to parse means: skip it, keep polling
            update_id = item.get("update_id") if isinstance(item, dict) else None
            if isinstance(update_id, int):
                log.warning("skipping an update the library cannot read: update=%s", update_id)
                cleaned.append({"update_id": update_id})
            else:
                log.warning("dropping an update without an update_id")
            changed = True
    if not changed:
        return payload
    body["result"] = cleaned
    return json.dumps(body).encode()


class TolerantUpdatesRequest(HTTPXRequest):
    """HTTPXRequest for getUpdates that drops unreadable updates instead of stalling polling."""

    async def do_request(self, url: str, method: str, request_data=None, read_timeout=HTTPXRequest.DEFAULT_NONE,
                         write_timeout=HTTPXRequest.DEFAULT_NONE, connect_timeout=HTTPXRequest.DEFAULT_NONE,
                         pool_timeout=HTTPXRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """Send the request; clean the body when it is a successful getUpdates answer."""
        status, payload = await super().do_request(url, method, request_data, read_timeout, write_timeout,
                                                   connect_timeout, pool_timeout)
        if status == 200 and url.endswith("/getUpdates"):
            payload = sanitise_updates(payload)
        return status, payload
