"""Running the Telegram bot: long polling or the webhook server until a signal, and the plain reason
when it stops because of Telegram (a refused token, an unreachable Bot API, a refused webhook)."""

from __future__ import annotations

import asyncio
import gc
import logging
import signal
from collections.abc import Awaitable, Callable

from telegram.error import InvalidToken, NetworkError, TelegramError

from bot.telegram_shell.health import (
    Health,
    HttpServerFailed,
    close_health_server,
    health_routes,
    start_health_server,
)
from bot.telegram_shell.shell import TelegramShell
from bot.telegram_shell.updates import HANDLED_UPDATES
from bot.telegram_shell.webhook import Webhook, WebhookRefused, start_webhook

log = logging.getLogger("crampbot.telegram")
STARTUP_RETRIES = 5  # tries to reach the Bot API at start before giving up with one clear line


async def serve(shell: TelegramShell, stop: asyncio.Event, webhook: Webhook | None = None,
                ready: Callable[[], None] = lambda: None) -> None:
    """Run the bot until `stop` is set: long polling, or a webhook server that enforces the secret;
    `ready()` once it is serving. Start-up gives up after a few failed tries instead of hanging.
    /healthz, /readyz and /metrics are served on CRAMPBOT_HTTP_PORT when it is set, else by the webhook
    server (none in polling mode)."""
    app = shell.build()
    health = Health(shell.storage, shell.metrics, lambda: app.bot.get_me())
    async with app:  # getMe: a wrong token fails here with InvalidToken
        await shell.started(app)
        await app.start()
        assert app.updater is not None
        server = endpoints = None
        try:
            if shell.settings.http_port is not None:
                endpoints = start_health_server(health, shell.settings.http_port, shell.settings.http_listen)
            if webhook is None:
                await app.updater.start_polling(allowed_updates=list(HANDLED_UPDATES),
                                                bootstrap_retries=STARTUP_RETRIES, error_callback=_polling_error)
            else:  # our own server: an update is in the inbox before Telegram gets its 200
                extra = health_routes(health) if endpoints is None else []
                server = await start_webhook(app, shell.storage, webhook, STARTUP_RETRIES, extra)
            ready()
            await stop.wait()
        finally:
            if endpoints is not None:
                await close_health_server(endpoints)
            if server is not None:  # no update comes in once the application stops taking them
                await server.close()
            if app.updater.running:
                await app.updater.stop()
            await app.stop()


async def until_signal(serving: Callable[[asyncio.Event], Awaitable[None]],
                       signals: tuple[int, ...] = (signal.SIGINT, signal.SIGTERM)) -> None:
    """A bot process's main loop: run `serving(stop)`, with `stop` set by one of the signals."""
    # Everything loaded so far (content, matcher, libraries) lives as long as the process: keep it
    # out of the garbage collector's scans, which otherwise cost ~5% of the CPU time per update
    # (measured with bench/breakdown.py).
    gc.freeze()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    await serving(stop)


async def serve_until_signal(shell: TelegramShell, webhook: Webhook | None = None,
                             ready: Callable[[], None] = lambda: None) -> None:
    """The one-process bot: `serve` until SIGINT or SIGTERM."""
    await until_signal(lambda stop: serve(shell, stop, webhook, ready))


def stopping_reason(exc: BaseException) -> tuple[str, bool] | None:
    """One plain line for a Telegram error that stopped the bot, and whether it means the Bot API
    could not be reached (rather than refused us); None when `exc` is not such an error."""
    if isinstance(exc, InvalidToken):
        return "Telegram refused the token (401 Unauthorized). Check TELEGRAM_BOT_TOKEN.", False
    if isinstance(exc, NetworkError):
        return f"cannot reach the Bot API at the configured address ({type(exc).__name__}).", True
    if isinstance(exc, (WebhookRefused, HttpServerFailed)):
        return str(exc), False
    return None


def _polling_error(error: TelegramError) -> None:
    """Network trouble while polling: PTB retries by itself; we only log it, without details."""
    log.warning("polling problem: %s (retrying)", type(error).__name__)
