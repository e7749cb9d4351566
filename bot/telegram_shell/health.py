"""Health, readiness and metrics over HTTP (tornado, on the bot's own event loop): GET /healthz (the process
serves), /readyz (the database answers and the Bot API answered recently) and /metrics (Prometheus' text
format). Served by the webhook server in webhook mode, or on a port of their own (CRAMPBOT_HTTP_PORT)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.web
from prometheus_client import CONTENT_TYPE_LATEST
from tornado.httpserver import HTTPServer

from bot.storage import Storage
from bot.telegram_shell.metrics import BotMetrics

Routes = list[tuple[str, type[tornado.web.RequestHandler], dict[str, Any]]]
IDLE_TIMEOUT = 10.0  # seconds a connection may take to send its request, or sit idle
MAX_HEADERS = 16 * 1024  # bytes for the request line and headers (these requests have no body)


class HttpServerFailed(Exception):
    """The health and metrics server could not listen on its address (the port is taken, say)."""


class Health:
    """What /readyz checks. The database: `storage.ping()` now. The Bot API: it answered a call within the
    last `recent_seconds` (getUpdates answers every few seconds while polling); when it did not, /readyz asks
    it with getMe itself, at most once every `probe_seconds`, waiting up to `probe_timeout`."""

    recent_seconds = 180.0
    probe_seconds = 30.0
    probe_timeout = 5.0

    def __init__(self, storage: Storage, metrics: BotMetrics, ask_bot_api: Callable[[], Awaitable[object]],
                 clock: Callable[[], float] = time.monotonic):
        self.storage = storage
        self.metrics = metrics
        self.ask_bot_api = ask_bot_api
        self.clock = clock
        self.probed_at: float | None = None
        self.probe: asyncio.Future[bool] | None = None  # a getMe under way, shared by requests meanwhile

    def database_ok(self) -> bool:
        """True when the database answers now."""
        try:
            self.storage.ping()
        except Exception:  # noqa: BLE001 - whatever it is, the database does not answer
            return False
        return True

    async def bot_api_ok(self) -> bool:
        """True when the Bot API answered recently, or answers getMe now (asked at most every probe_seconds)."""
        if self.metrics.api_silent_for() <= self.recent_seconds:
            return True
        if self.probe is None:
            now = self.clock()
            if self.probed_at is not None and now - self.probed_at < self.probe_seconds:
                return False
            self.probed_at = now
            self.probe = asyncio.ensure_future(self._ask())
        probe = self.probe
        try:
            return await asyncio.shield(probe)
        finally:
            if probe.done() and self.probe is probe:
                self.probe = None

    async def _ask(self) -> bool:
        try:
            await asyncio.wait_for(self.ask_bot_api(), self.probe_timeout)
        except Exception:  # noqa: BLE001 - a timeout, a network error, a refused token: not ready
            return False
        self.metrics.api_answered()
        return True

    async def readiness(self) -> dict[str, str]:
        """Each check's state, "ok" or "failing" (never an error's text: it could name files or addresses)."""
        database = self.database_ok()
        bot_api = await self.bot_api_ok()
        return {"database": "ok" if database else "failing", "bot_api": "ok" if bot_api else "failing"}

    def metrics_text(self) -> bytes:
        """The metrics in Prometheus' text format (the outbox backlog read now)."""
        return self.metrics.exposition(lambda: len(self.storage.unsent()))


class _Endpoint(tornado.web.RequestHandler):
    """GET only; nothing cached by proxies."""

    SUPPORTED_METHODS = ("GET",)

    def initialize(self, health: Health) -> None:
        """Per request (tornado's hook): the checks this server answers for."""
        self.health = health

    def set_default_headers(self) -> None:
        """Headers on every answer (tornado's hook)."""
        self.set_header("Cache-Control", "no-store")


class _Alive(_Endpoint):
    def get(self) -> None:
        """200 "ok" while the process serves."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish("ok\n")


class _Ready(_Endpoint):
    async def get(self) -> None:
        """200 when every check passes, else 503; the body says which failed."""
        checks = await self.health.readiness()
        ready = all(state == "ok" for state in checks.values())
        self.set_status(200 if ready else 503)
        self.set_header("Content-Type", "application/json")
        self.finish(json.dumps({"ready": ready, **checks}) + "\n")


class _Metrics(_Endpoint):
    def get(self) -> None:
        """The metrics in Prometheus' text format."""
        self.set_header("Content-Type", CONTENT_TYPE_LATEST)
        self.finish(self.health.metrics_text())


def health_routes(health: Health) -> Routes:
    """The three endpoints, as tornado routes (for the webhook server, or a server of their own)."""
    return [("/healthz", _Alive, {"health": health}), ("/readyz", _Ready, {"health": health}),
            ("/metrics", _Metrics, {"health": health})]


def start_health_server(health: Health, port: int, address: str) -> HTTPServer:
    """Listen on `address:port` for the endpoints only (CRAMPBOT_HTTP_PORT); raises HttpServerFailed when
    the address cannot be used. Stop it with `close_health_server`."""
    web = tornado.web.Application(health_routes(health), log_function=lambda handler: None)
    server = HTTPServer(web, idle_connection_timeout=IDLE_TIMEOUT, body_timeout=IDLE_TIMEOUT, max_body_size=0,
                        max_header_size=MAX_HEADERS)
    try:
        server.listen(port, address=address)
    except OSError as exc:
        raise HttpServerFailed(f"cannot start the health and metrics server on {address}:{port} "
                               f"({exc.strerror or exc}); check CRAMPBOT_HTTP_PORT") from exc
    return server


async def close_health_server(server: HTTPServer) -> None:
    """Stop accepting connections, then close the open ones."""
    server.stop()
    await server.close_all_connections()
