"""Settings from the environment and an optional .env file (the environment wins)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from dotenv import dotenv_values

LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    telegram_token: str | None
    log_level: str
    content_dir: str | None


def load_settings(env_file: Path | None = None, environ: dict[str, str] | None = None) -> Settings:
    """Read settings from `environ` (default os.environ) over the .env file in the working directory."""
    env_file = env_file if env_file is not None else Path.cwd() / ".env"
    values: dict[str, str | None] = dict(dotenv_values(env_file)) if env_file.is_file() else {}
    values.update(environ if environ is not None else os.environ)
    level = (values.get("CRAMPBOT_LOG_LEVEL") or "WARNING").upper()
    if level not in LOG_LEVELS:
        raise ValueError(f"CRAMPBOT_LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}")
    return Settings(
        telegram_token=(values.get("TELEGRAM_BOT_TOKEN") or "").strip() or None,
        log_level=level,
        content_dir=values.get("CRAMPBOT_CONTENT_DIR") or None,
    )
