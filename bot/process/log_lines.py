"""How log lines look on stderr (CRAMPBOT_LOG_FORMAT): plain text for people, or one JSON object a line for
machines. Both the bot and its supervisor use these, so a run's stderr is all in one format."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# The per-update line's values (bot/telegram_shell/shell.py passes them as `extra`), as keys of their own
UPDATE_FIELDS = ("update", "chat", "kind", "ms")


class JsonLines(logging.Formatter):
    """One JSON object a line: time (ISO 8601, UTC), level, logger, message (as the filters left it: the
    token redacted), the per-update line's fields as keys, and an exception as one string."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as one line of JSON (newlines inside values are escaped)."""
        stamp = datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")
        entry: dict[str, Any] = {"time": stamp.replace("+00:00", "Z"), "level": record.levelname,
                                 "logger": record.name, "message": record.getMessage()}
        entry.update({name: getattr(record, name) for name in UPDATE_FIELDS if hasattr(record, name)})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for CRAMPBOT_LOG_FORMAT: "json", or "text" (anything else)."""
    return JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT)
