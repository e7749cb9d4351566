"""Faults a test injects into the stand-in: the next calls of a method failing (an HTTP error, a 429 with
retry_after, or a slow answer the client gives up on), and a random share of all calls failing."""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from tests.support.botapi_standin.model import ApiError


@dataclass
class Fault:
    """One injected fault: an error answer, or a delay before the normal answer."""

    kind: str  # "error" or "delay"
    status: int = 500
    retry_after: int | None = None
    delay: float = 0.0
    description: str | None = None
    chat_id: int | str | None = None
    remaining: int = 1

    @property
    def label(self) -> str:
        """How the call is recorded: "delay", or the HTTP status."""
        return "delay" if self.kind == "delay" else str(self.status)

    def error(self) -> ApiError:
        """The error answer, in Telegram's words for its status."""
        params = {"retry_after": self.retry_after} if self.status == 429 else None
        if self.description:
            desc = self.description
        elif self.status == 429:
            desc = f"Too Many Requests: retry after {self.retry_after}"
        elif self.status == 400:
            desc = "Bad Request: injected fault"
        elif self.status == 403:
            desc = "Forbidden: injected fault"
        else:
            try:
                desc = HTTPStatus(self.status).phrase
            except ValueError:
                desc = "Injected fault"
        return ApiError(self.status, desc, params, fault=str(self.status))


@dataclass
class RandomFaults:
    """A share of calls failing at random, with one of the given kinds."""

    share: float
    kinds: tuple[str, ...]
    rng: random.Random
    methods: frozenset[str] | None
    exclude: frozenset[str]
    retry_after: int
    delay: float


class FaultPlan:
    """The faults still to come: queued per method (used first), then a random share of all calls. Not
    thread-safe on its own: the stand-in calls it under its lock."""

    def __init__(self) -> None:
        self.queued: dict[str, list[Fault]] = defaultdict(list)
        self.random: RandomFaults | None = None

    def add(self, method: str, fault: Fault) -> None:
        """Queue a fault for the next call(s) of `method`."""
        self.queued[method].append(fault)

    def set_random(self, share: float, kinds: tuple[str, ...], seed: int | None, methods: frozenset[str] | None,
                   exclude: frozenset[str], retry_after: int, delay: float) -> None:
        """Fail a random `share` of calls from now on (none when `share` is 0)."""
        self.random = (RandomFaults(share, kinds, random.Random(seed), methods, exclude, retry_after, delay)
                       if share > 0 and kinds else None)

    def clear(self) -> None:
        """Forget every queued fault and stop the random ones."""
        self.queued.clear()
        self.random = None

    def take(self, method: str, chat: Any) -> Fault | None:
        """The fault for this call, if any (a queued one for the method and chat first)."""
        queue = self.queued.get(method)
        if queue:
            for index, fault in enumerate(queue):
                if fault.chat_id is None or fault.chat_id == chat:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        del queue[index]
                    return fault
        ratio = self.random
        if (ratio and method not in ratio.exclude and (ratio.methods is None or method in ratio.methods)
                and ratio.rng.random() < ratio.share):
            kind = ratio.rng.choice(ratio.kinds)
            if kind == "timeout":
                return Fault("delay", delay=ratio.delay)
            status = int(kind)
            return Fault("error", status=status, retry_after=ratio.retry_after if status == 429 else None)
        return None

