"""Settings from the environment and an optional .env file (the environment wins)."""

from __future__ import annotations

import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from dotenv import dotenv_values

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
LOG_FORMATS = ("text", "json")
DEFAULT_BASE_URL = "https://api.telegram.org/bot"
_TOKEN = re.compile(r"^\d{1,20}:[A-Za-z0-9_-]{10,}$")
DATABASE_URL_SCHEMES = ("postgresql", "postgres")


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    telegram_token: str | None
    log_level: str
    content_dir: str | None
    base_url: str = DEFAULT_BASE_URL
    data_dir: str = "data"
    webhook_url: str | None = None
    webhook_secret: str | None = None
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    rate_limit: bool = True
    # The health, readiness and metrics endpoints (bot/telegram_shell/health.py): a port of their own, or
    # None (served by the webhook server in webhook mode, not at all in polling mode)
    http_port: int | None = None
    http_listen: str = "127.0.0.1"
    log_format: str = "text"  # or "json": one JSON object a line
    # How long the bot waits on Telegram and on its database. The defaults suit Telegram; the tests
    # shorten them so that no test sits through a real back-off.
    send_attempts: int = 6  # tries of one Bot API call before its reply waits for the outbox retry
    retry_first_seconds: float = 0.5  # the wait after a failed call, doubled after each failure...
    retry_max_seconds: float = 8.0  # ...up to this
    outbox_retry_seconds: float = 15.0  # how often replies that could not be sent yet are tried again
    db_lock_wait_seconds: float = 5.0  # how long a database statement waits for another program's lock
    # PostgreSQL instead of the SQLite file in data_dir (postgresql://user:password@host:5432/database)
    database_url: str | None = field(default=None, repr=False)

    @property
    def database(self) -> Path:
        """The SQLite file holding every chat's state."""
        return Path(self.data_dir) / "crampbot.sqlite3"


def load_settings(env_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from `environ` (default os.environ) over the .env file in the working directory."""
    env_file = env_file if env_file is not None else Path.cwd() / ".env"
    values: dict[str, str | None] = dict(dotenv_values(env_file)) if env_file.is_file() else {}
    values.update(environ if environ is not None else os.environ)

    def get(name: str, default: str | None = None) -> str | None:
        """A stripped setting, or the default when unset or empty."""
        value = (values.get(name) or "").strip()
        return value or default

    level = (get("CRAMPBOT_LOG_LEVEL") or "WARNING").upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"CRAMPBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    port = get("TELEGRAM_WEBHOOK_PORT", "8443") or "8443"
    if not port.isdecimal() or not 1 <= int(port) <= 65535:
        raise ValueError(f"TELEGRAM_WEBHOOK_PORT must be a port number, got {port!r}")
    http_port = get("CRAMPBOT_HTTP_PORT")
    if http_port is not None and (not http_port.isdecimal() or not 1 <= int(http_port) <= 65535):
        raise ValueError(f"CRAMPBOT_HTTP_PORT must be a port number from 1 to 65535, got {http_port!r}")
    log_format = get("CRAMPBOT_LOG_FORMAT") or "text"
    if log_format.lower() not in LOG_FORMATS:
        raise ValueError(f"CRAMPBOT_LOG_FORMAT must be text or json, got {log_format!r}")
    limit = (get("TELEGRAM_RATE_LIMIT", "on") or "on").lower()
    if limit not in ("on", "off"):
        raise ValueError(f"TELEGRAM_RATE_LIMIT must be on or off, got {limit!r}")
    attempts = get("CRAMPBOT_SEND_ATTEMPTS") or str(Settings.send_attempts)
    if not attempts.isdecimal() or not 1 <= int(attempts) <= 100:
        raise ValueError(f"CRAMPBOT_SEND_ATTEMPTS must be a whole number from 1 to 100, got {attempts!r}")

    def seconds(name: str, default: float, zero_allowed: bool = False) -> float:
        """A duration setting in seconds (a decimal number; 0 only where it means "do not wait")."""
        raw = get(name)
        if raw is None:
            return default
        try:
            value = float(raw)
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0 or (value == 0 and not zero_allowed) or value > 3600:
            least = "0" if zero_allowed else "more than 0"
            raise ValueError(f"{name} must be a number of seconds from {least} to 3600, got {raw!r}")
        return value

    first = seconds("CRAMPBOT_RETRY_FIRST_SECONDS", Settings.retry_first_seconds)
    longest = seconds("CRAMPBOT_RETRY_MAX_SECONDS", Settings.retry_max_seconds)
    if longest < first:
        raise ValueError(f"CRAMPBOT_RETRY_MAX_SECONDS ({longest:g}) must not be below "
                         f"CRAMPBOT_RETRY_FIRST_SECONDS ({first:g})")
    return Settings(
        telegram_token=get("TELEGRAM_BOT_TOKEN"),
        log_level=level,
        content_dir=get("CRAMPBOT_CONTENT_DIR"),
        base_url=get("TELEGRAM_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL,
        data_dir=get("CRAMPBOT_DATA_DIR", "data") or "data",
        webhook_url=get("TELEGRAM_WEBHOOK_URL"),
        webhook_secret=get("TELEGRAM_WEBHOOK_SECRET"),
        webhook_listen=get("TELEGRAM_WEBHOOK_LISTEN", "127.0.0.1") or "127.0.0.1",
        webhook_port=int(port),
        rate_limit=limit == "on",
        http_port=int(http_port) if http_port is not None else None,
        http_listen=get("CRAMPBOT_HTTP_LISTEN", "127.0.0.1") or "127.0.0.1",
        log_format=log_format.lower(),
        send_attempts=int(attempts),
        retry_first_seconds=first,
        retry_max_seconds=longest,
        outbox_retry_seconds=seconds("CRAMPBOT_OUTBOX_RETRY_SECONDS", Settings.outbox_retry_seconds),
        db_lock_wait_seconds=seconds("CRAMPBOT_DB_LOCK_WAIT_SECONDS", Settings.db_lock_wait_seconds, True),
        database_url=database_url(get("CRAMPBOT_DATABASE_URL")),
    )


def database_url(value: str | None) -> str | None:
    """A checked CRAMPBOT_DATABASE_URL (None when unset): a postgresql:// or postgres:// URL. The error
    never repeats the value, which holds a password."""
    if value is None:
        return None
    try:
        scheme = urlsplit(value).scheme.lower()
    except ValueError:
        scheme = ""
    if scheme not in DATABASE_URL_SCHEMES or "://" not in value:
        shown = f"a URL starting {scheme}://" if scheme and "://" in value else "something that is not a URL"
        raise ValueError("CRAMPBOT_DATABASE_URL must be a PostgreSQL URL, postgresql://user:password@host:5432/"
                         f"database (or postgres://...), got {shown}; leave it empty to keep the SQLite file in the "
                         "data folder")
    return value


def url_secrets(url: str) -> tuple[str, ...]:
    """The password a database URL holds, in every spelling it may be shown in (as written and decoded;
    from the user part and from a password= parameter), longest first, for redaction."""
    found: set[str] = set()
    address, _, query = url.partition("?")
    userinfo = address.split("://", 1)[-1].rpartition("@")[0]
    if ":" in userinfo:
        password = userinfo.split(":", 1)[1]
        found.add(password)
        found.update(piece for piece in re.split(r"[/#]", password) if len(piece) > 3)  # unencoded, a / or #
        # cuts it short, and a parser may show a piece of it
    found.update(value for name, value in parse_qsl(query, keep_blank_values=True) if name == "password")
    found.update(re.findall(r"(?:^|&)password=([^&]*)", query))
    found |= {unquote(secret) for secret in found}
    return tuple(sorted((secret for secret in found if secret), key=len, reverse=True))


def token_problem(token: str | None) -> str | None:
    """Why a bot token cannot be right, or None when it looks like one ("123456:ABC-def...")."""
    if not token:
        return "TELEGRAM_BOT_TOKEN is not set (get one from @BotFather, then put it in .env)"
    if not _TOKEN.match(token):
        return "TELEGRAM_BOT_TOKEN does not look like a bot token (expected digits, a colon, then letters)"
    return None
