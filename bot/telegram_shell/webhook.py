"""Webhook mode's HTTP server (tornado): Telegram POSTs each update to our URL with the secret token.

An update is written to the inbox before Telegram gets its 200 (Telegram never sends an update
again after a 200), so a crash after the 200 loses nothing: the inbox is read back at start-up.
If the inbox cannot be written (a full disk), the update is handled all the same, as in polling:
its user hears at once, and is told if the turn cannot be saved either.
The secret is checked, in constant time, before any of the body is read; bodies, header reads,
body reads and idle connections are limited; a request body never reaches the logs."""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlparse

import tornado.web
from telegram.error import BadRequest, NetworkError, RetryAfter
from tornado.httpserver import HTTPServer

from bot.storage import INTEGER_RANGE, Storage
from bot.telegram_shell.http import retry_seconds
from bot.telegram_shell.throttled_log import Throttled
from bot.telegram_shell.updates import HANDLED_UPDATES, App, keep_in_inbox, read_updates, received_from, without_poison

if sys.platform != "win32":  # Windows has no resource module
    import resource

log = logging.getLogger("crampbot.telegram")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1024 * 1024  # bytes: an update is a few KB (a message's text is at most 4096 characters)
MAX_HEADERS = 16 * 1024  # bytes for the request line and headers together
HEADER_TIMEOUT = 10.0  # seconds to send all headers; also the longest a connection may sit idle
BODY_TIMEOUT = 10.0  # seconds to send the whole body


@dataclass(frozen=True)
class Webhook:
    """Webhook mode: the public URL Telegram posts to, the secret it must send, where to listen."""

    url: str
    secret: str
    listen: str = "127.0.0.1"
    port: int = 8443

    @property
    def path(self) -> str:
        """The path the local server answers on: the URL's whole path ("bots/crampbot/hook")."""
        return urlparse(self.url).path.strip("/")


class WebhookRefused(Exception):
    """Telegram refused to set the webhook (a wrong URL, say): retrying cannot help."""


class WebhookServer:
    """The HTTP server for one bot: it answers POSTs on the webhook's path, and the `extra` routes (the
    health and metrics endpoints, when they have no port of their own)."""

    def __init__(self, app: App, storage: Storage, path: str, secret: str, extra: Sequence[Any] = ()):
        route = f"/{re.escape(path)}/?" if path else "/"
        web = tornado.web.Application([(route, _UpdateHandler, {"server": self}), *extra],
                                      log_function=lambda handler: None)  # refusals are logged below
        self.app = app
        self.storage = storage
        self.secret = secret.encode()
        self.refusals = Throttled(log, logging.INFO)  # anyone can send those: a line a minute at most
        # tornado's own body limit is a backstop (it answers 400 and hangs up); ours answers 413
        self.http = HTTPServer(web, idle_connection_timeout=HEADER_TIMEOUT, body_timeout=BODY_TIMEOUT,
                               max_body_size=2 * MAX_BODY, max_header_size=MAX_HEADERS)

    def listen(self, port: int, address: str) -> None:
        """Start accepting connections (raises OSError when the address cannot be used)."""
        raise_file_limit()
        self.http.listen(port, address=address)

    async def close(self) -> None:
        """Stop accepting connections, then close the open ones."""
        self.http.stop()
        await self.http.close_all_connections()

    def keep(self, data: Any) -> int:
        """Handle one authenticated body (parsed JSON): the HTTP status to answer. 200 once the
        update is in the inbox (or storage failed: then, as in polling, it is handled all the same
        and its turn tells the user it could not be saved) and queued for handling."""
        if not self.app.running:
            return 503  # shutting down: Telegram sends it again, to the next bot
        data = without_poison([data])[0] if isinstance(data, dict) else None  # unstorable: kept bare
        received = received_from([data]) if data is not None else []
        if not received:
            log.warning("webhook: refused a request body that is not a Telegram update")
            return 400
        if received[0].update_id in INTEGER_RANGE:  # beyond it: skipped like any unstorable update
            keep_in_inbox(self.storage, received)  # failing, as in polling: handled all the same
        for update in read_updates([data], self.app.bot):
            self.app.update_queue.put_nowait(update)
        return 200


@tornado.web.stream_request_body
class _UpdateHandler(tornado.web.RequestHandler):
    """One POST from Telegram: headers checked first, then the body streamed in (up to MAX_BODY)."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, server: WebhookServer) -> None:
        """Per request (tornado's hook): the server this request belongs to."""
        self.server = server
        self.chunks: list[bytes] = []
        self.size = 0

    def prepare(self) -> None:
        """Runs once the headers are in, before any of the body is read: the secret, then the size."""
        given = self.request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self.server.secret):
            self.server.refusals("webhook: refused a request without the right secret token (403)")
            self._answer(403)
            return
        length = self.request.headers.get("Content-Length", "0")
        if not length.isdecimal() or int(length) > MAX_BODY:
            self.server.refusals("webhook: refused a request body over %s bytes (413)", MAX_BODY)
            self._answer(413)

    def data_received(self, chunk: bytes) -> None:
        """A piece of the body (a chunked body has no Content-Length: its size is counted here)."""
        if self._finished:
            return
        self.size += len(chunk)
        if self.size > MAX_BODY:
            self.chunks.clear()
            self.server.refusals("webhook: refused a request body over %s bytes (413)", MAX_BODY)
            self._answer(413)
            return
        self.chunks.append(chunk)

    def post(self) -> None:
        """The whole body is in: keep the update, then answer."""
        if self._finished:
            return
        try:
            data = json.loads(b"".join(self.chunks))
        except (ValueError, RecursionError):
            data = None
        self.chunks.clear()
        self._answer(self.server.keep(data))

    def _answer(self, status: int) -> None:
        self.set_status(status)
        self.finish()

    def log_exception(self, typ: type[BaseException] | None, value: BaseException | None,
                      tb: TracebackType | None) -> None:
        """Unexpected errors: their type only (a traceback could carry the body)."""
        if not isinstance(value, tornado.web.HTTPError):
            log.error("webhook: error handling a request: %s", typ.__name__ if typ else "unknown")


async def start_webhook(app: App, storage: Storage, webhook: Webhook, retries: int,
                        extra: Sequence[Any] = ()) -> WebhookServer:
    """Listen on the webhook's address (serving the `extra` routes too), then tell Telegram the URL and
    secret (trying again on network errors, `retries` times); close the server returned before stopping
    `app`. Raises OSError when the address cannot be used, InvalidToken or NetworkError as the Bot API
    does, WebhookRefused."""
    server = WebhookServer(app, storage, webhook.path, webhook.secret, extra)
    server.listen(webhook.port, webhook.listen)
    try:
        await set_webhook(app.bot, webhook.url, webhook.secret, retries)
    except BaseException:
        await server.close()
        raise
    return server


async def set_webhook(bot: Any, url: str, secret: str, retries: int) -> None:
    """setWebhook for the update types the bot handles; network errors and 429 are tried again `retries` times
    (pausing 1 s, then longer), anything else is raised at once (a refused URL as WebhookRefused)."""
    pause = 1.0
    for attempt in range(retries + 1):
        try:
            await bot.set_webhook(url, secret_token=secret, allowed_updates=list(HANDLED_UPDATES))
            return
        except BadRequest as exc:
            raise WebhookRefused(f"Telegram refused the webhook URL: {exc}") from exc
        except (NetworkError, RetryAfter) as exc:
            if attempt == retries:
                raise
            seconds = retry_seconds(exc) if isinstance(exc, RetryAfter) else pause
            log.warning("could not set the webhook (%s); trying again in %.0f s", type(exc).__name__, seconds)
            await asyncio.sleep(seconds)
            pause = min(pause * 1.5, 30.0)


def raise_file_limit() -> None:
    """Raise this process's open-file limit to its hard limit (many connections need many files);
    best effort."""
    if sys.platform == "win32":
        return
    try:
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        unlimited = resource.RLIM_INFINITY
        target = hard if hard != unlimited else 65536  # an unlimited hard limit may not be a valid soft one
        if soft == unlimited or soft >= target:
            return
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        log.info("open-file limit raised from %s to %s", soft, target)
    except (ValueError, OSError) as exc:
        log.info("could not raise the open-file limit: %s", exc)
