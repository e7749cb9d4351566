"""The bot's Prometheus metrics, in a registry of its own per shell (so several bots in one process, as in the
tests, never count into each other): updates by kind, reply time, red flags by level of care, Bot API retries
and failures, the outbox backlog and reminders sent. Also when the Bot API last answered, for /readyz."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)

from bot.core.outcome import Outcome
from bot.core.session import Event, ReminderDue

# Seconds from an update taken to its turn done (replies sent): a few ms in the core, ~0.1 s per Bot API round
# trip, up to a minute while Telegram is failing and the calls are retried.
REPLY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
NO_REPLY = ("ignored", "double tap", "duplicate", "failed", "skipped")  # update kinds that are no turn answered
RED_FLAG = "urgent"  # the reply kind that gives a level of care (its intent is the level's id)


class BotMetrics:
    """One bot's counters, gauges and histogram, and the time (monotonic) the Bot API last answered."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        disable_created_metrics()  # type: ignore[no-untyped-call]  # no *_created series (process-wide)
        self.registry = CollectorRegistry()
        registry = self.registry
        self.updates = Counter("crampbot_updates", "Updates handled, by what came of them (the kind= of the log "
                               "line: a reply kind, ignored, duplicate, skipped, unsaved...)", ["kind"],
                               registry=registry)
        self.reply_seconds = Histogram("crampbot_reply_seconds", "Seconds from an update taken to its turn done "
                                       "(replies sent)", buckets=REPLY_BUCKETS, registry=registry)
        self.red_flags = Counter("crampbot_red_flags", "Levels of care given for a red flag (or a cramp that did "
                                 "not ease), by level", ["level"], registry=registry)
        self.send_retries = Counter("crampbot_send_retries", "Bot API calls tried again after a timeout, a "
                                    "network error, a 5xx or a 429", registry=registry)
        self.send_failures = Counter("crampbot_send_failures", "Bot API calls given up: unreachable (every try "
                                     "failed; a reply waits in the outbox), refused (400) or blocked (403)",
                                     ["reason"], registry=registry)
        self.outbox_backlog = Gauge("crampbot_outbox_backlog", "Replies stored but not sent yet (read at each "
                                    "scrape; NaN while the database cannot be read)", registry=registry)
        self.reminders_sent = Counter("crampbot_reminders_sent", "Reminder turns that sent something, by "
                                      "reminder", ["kind"], registry=registry)
        self.api_answered_at: float | None = None

    def update(self, kind: str, seconds: float) -> None:
        """One update handled: counted by kind, and timed when it was a turn answered."""
        self.updates.labels(kind=kind).inc()
        if kind not in NO_REPLY:
            self.reply_seconds.observe(seconds)

    def turn(self, event: Event, outcome: Outcome) -> None:
        """What a turn's outcome raised: a red flag per level of care given, a reminder that says something."""
        for reply in outcome.replies:
            if reply.kind == RED_FLAG:
                self.red_flags.labels(level=reply.intent or "unknown").inc()
        if isinstance(event, ReminderDue) and outcome.replies:
            self.reminders_sent.labels(kind=event.kind).inc()

    def retried(self) -> None:
        """A Bot API call failed and will be tried again."""
        self.send_retries.inc()

    def failed(self, reason: str) -> None:
        """A Bot API call given up ("unreachable", "refused" or "blocked")."""
        self.send_failures.labels(reason=reason).inc()

    def api_answered(self) -> None:
        """The Bot API answered a call just now (readiness)."""
        self.api_answered_at = self.clock()

    def api_silent_for(self) -> float:
        """Seconds since the Bot API last answered (infinite when it never did)."""
        return math.inf if self.api_answered_at is None else self.clock() - self.api_answered_at

    def exposition(self, backlog: Callable[[], int]) -> bytes:
        """The metrics in Prometheus' text format, with the outbox backlog read now (`backlog()`)."""
        try:
            self.outbox_backlog.set(backlog())
        except Exception:  # noqa: BLE001 - a database that cannot be read must not break the scrape
            self.outbox_backlog.set(math.nan)
        return generate_latest(self.registry)
