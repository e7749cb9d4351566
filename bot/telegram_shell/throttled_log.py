"""Log lines for trouble that repeats on every update (a full disk, say): once a minute per kind,
saying how many like it were held back, instead of one line per update."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

INTERVAL = 60.0


class Throttled:
    """Logs each message format at most once per `interval` seconds, then counts the repeats."""

    def __init__(self, logger: logging.Logger, level: int = logging.ERROR, interval: float = INTERVAL,
                 clock: Callable[[], float] = time.monotonic):
        self.logger = logger
        self.level = level
        self.interval = interval
        self.clock = clock
        self._last: dict[str, tuple[float, int]] = {}  # format -> (when last logged, held back since)

    def __call__(self, message: str, *args: object) -> bool:
        """Log `message % args` unless the same format was logged less than `interval` ago; True if logged."""
        now = self.clock()
        last = self._last.get(message)
        if last is not None and now - last[0] < self.interval:
            self._last[message] = (last[0], last[1] + 1)
            return False
        held = last[1] if last else 0
        suffix = f" ({held} more like this since the last such line)" if held else ""
        self.logger.log(self.level, message + suffix, *args)  # noqa: G003 - extends the caller's format
        self._last[message] = (now, 0)
        return True
