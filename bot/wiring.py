"""The one place where settings, content, the core, storage and the adapters are put together."""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Callable, Coroutine
from typing import Any, TextIO

from bot.content.bundle import Content, load_content
from bot.content.paths import content_root
from bot.core.brain import Brain
from bot.process.log_lines import formatter
from bot.process.supervisor import EXIT_UNREACHABLE
from bot.settings import Settings, token_problem, url_secrets
from bot.storage import Storage
from bot.storage.data_lock import AlreadyRunning, hold_data_folder

EXIT_TELEGRAM = 4
ANOTHER_POLLER = ("another CrampBot is already polling Telegram with this database; Telegram allows one poller: "
                  "stop it, or run several instances in webhook mode")
_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class RedactSecrets(logging.Filter):
    """Replace the bot token and the webhook secret wherever they would appear in a log line: the
    message, its arguments, and any traceback (with its chained causes)."""

    def __init__(self, *secrets: str | None):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        """The text with every secret replaced by [redacted]."""
        for secret in self.secrets:
            text = text.replace(secret, "[redacted]")
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Rewrite the record without secrets; never drops a record."""
        if not self.secrets:
            return True
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        if record.exc_info and record.exc_info[0] is not None:
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = self.redact(text)  # the formatter prints exc_text instead of re-formatting
        return True


def configure_logging(settings: Settings, stream: TextIO | None = None) -> logging.Handler:
    """Log to stderr at the configured level and in the configured format (text, or a JSON object a line),
    token redacted; HTTP libraries (which log URLs, or a line per refused request) at WARNING."""
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(settings.log_format))
    handler.addFilter(RedactSecrets(settings.telegram_token, settings.webhook_secret,
                                    *url_secrets(settings.database_url or "")))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    for noisy in ("aiohttp", "httpx", "httpcore", "apscheduler", "tornado"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return handler


def build_content(settings: Settings) -> Content:
    """Load and check all content (raises ContentError naming every broken file and entry)."""
    return load_content(content_root(settings.content_dir))


def build_brain(settings: Settings, can_remind: bool = True) -> Brain:
    """The conversation core over freshly loaded content (the console cannot send reminders)."""
    return Brain(build_content(settings), can_remind=can_remind)


def run_telegram(settings: Settings, webhook_url: str | None = None) -> int:
    """Start the Telegram bot (polling, or webhook when a URL is given) until SIGINT/SIGTERM, telling
    its supervisor when it is serving."""
    from bot.process.supervisor import announce_ready
    from bot.telegram_shell.serve import serve_until_signal
    from bot.telegram_shell.shell import TelegramShell
    from bot.telegram_shell.webhook import Webhook

    problem = token_problem(settings.telegram_token)
    webhook_url = webhook_url or settings.webhook_url
    if problem is None and webhook_url:
        if not webhook_url.startswith(("https://", "http://")):
            problem = f"the webhook URL must start with https:// (got {webhook_url!r})"
        elif not settings.webhook_secret or not _SECRET.match(settings.webhook_secret):
            problem = ("webhook mode needs TELEGRAM_WEBHOOK_SECRET: 1-256 characters of letters, digits, _ or - "
                       "(Telegram sends it with every update; requests without it are refused)")
    if problem:
        print(f"crampbot: {problem}", file=sys.stderr)
        return 2
    configure_logging(settings)
    brain = build_brain(settings)  # broken content stops us here, before touching the network
    try:  # and a second bot on the same SQLite file (a shared PostgreSQL database has locks of its own)
        lock = None if settings.database_url else hold_data_folder(settings.database.parent)
    except AlreadyRunning as exc:
        print(f"crampbot: {exc}", file=sys.stderr)
        return EXIT_TELEGRAM
    storage = _open_storage(settings)  # and a corrupt or locked database
    if storage is None or (not webhook_url and not _only_poller(storage)):
        if lock is not None:
            lock.close()
        return EXIT_TELEGRAM
    shell = TelegramShell(brain, storage, settings)
    webhook = Webhook(webhook_url, settings.webhook_secret or "", settings.webhook_listen,
                      settings.webhook_port) if webhook_url else None
    try:
        return _run_until_stopped(settings, lambda: serve_until_signal(shell, webhook, announce_ready),
                                  webhook is not None)
    finally:
        storage.close()
        if lock is not None:
            lock.close()


def _open_storage(settings: Settings) -> Storage | None:
    """The PostgreSQL storage when CRAMPBOT_DATABASE_URL is set, else the SQLite file; or None after saying
    in one line why it cannot be opened."""
    from bot.storage import StorageError

    try:
        if settings.database_url:
            from bot.storage.postgres import PostgresStorage

            return PostgresStorage(settings.database_url, lock_wait=settings.db_lock_wait_seconds)
        from bot.storage.sqlite import SQLiteStorage

        return SQLiteStorage(settings.database, lock_wait=settings.db_lock_wait_seconds)
    except StorageError as exc:
        print(f"crampbot: {exc}", file=sys.stderr)
        return None


def _only_poller(storage: Storage) -> bool:
    """Take the polling lock; when another bot polls with this database, say so in one line, close the
    storage and return False."""
    from bot.storage import StorageError

    try:
        if storage.try_lock_polling():
            return True
        print(f"crampbot: {ANOTHER_POLLER}", file=sys.stderr)
    except StorageError as exc:
        print(f"crampbot: {exc}", file=sys.stderr)
    storage.close()
    return False


def _run_until_stopped(settings: Settings, main: Callable[[], Coroutine[Any, Any, None]], webhook: bool = False) -> int:
    """Run a bot's main loop; turn the ways it can fail into one clear line and exit code 4."""
    from bot.storage import StorageError
    from bot.telegram_shell.serve import stopping_reason

    try:
        asyncio.run(main())
    except StorageError as exc:
        print(f"crampbot: {exc}", file=sys.stderr)
        return EXIT_TELEGRAM
    except Exception as exc:  # noqa: BLE001 - anything that ends the run becomes one line and an exit code
        reason = stopping_reason(exc)
        if reason is None:
            return _unexpected(settings, exc, webhook)
        print(f"crampbot: {reason[0]}", file=sys.stderr)
        return EXIT_UNREACHABLE if reason[1] else EXIT_TELEGRAM
    return 0


def _unexpected(settings: Settings, exc: Exception, webhook: bool) -> int:
    """One clear line and exit code 4 for an error that is not Telegram's (never a traceback, which
    could carry the token)."""
    if isinstance(exc, OSError):
        where = f"the webhook server on {settings.webhook_listen}:{settings.webhook_port}" if webhook else "the bot"
        print(f"crampbot: cannot start {where} ({exc.strerror or exc})", file=sys.stderr)
    else:
        redact = RedactSecrets(settings.telegram_token, settings.webhook_secret,
                               *url_secrets(settings.database_url or "")).redact
        print(f"crampbot: stopped by an unexpected error: {type(exc).__name__}: {redact(str(exc))}", file=sys.stderr)
    return EXIT_TELEGRAM
