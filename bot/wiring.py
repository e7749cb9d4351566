"""The one place where settings, content, the core and the adapters are put together."""

from __future__ import annotations

import logging
from bot.content import Content, load_content
from bot.content_paths import content_root
from bot.conversation import Brain
from bot.settings import Settings


def configure_logging(settings: Settings) -> None:
    """Log to stderr at the configured level; keep chatty HTTP loggers (they print URLs) quiet."""
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def build_content(settings: Settings) -> Content:
    """Load and check all content (raises ContentError naming every broken file and entry)."""
    return load_content(content_root(settings.content_dir))


def build_brain(settings: Settings) -> Brain:
    """The conversation core over freshly loaded content."""
    return Brain(build_content(settings))
