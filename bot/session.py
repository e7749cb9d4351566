"""A chat's conversation state and the events that move it: plain, JSON-serialisable data."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from typing import Any, Union


@dataclass(frozen=True)
class Text:
    """The user typed something."""

    text: str


@dataclass(frozen=True)
class Press:
    """The user pressed a button carrying `action`."""

    action: str


@dataclass(frozen=True)
class TimerDone:
    """A timer the core asked for has run out."""

    timer_id: str


@dataclass(frozen=True)
class NonText:
    """The user sent something that is not text: a sticker, photo, voice note, location..."""

    what: str


Event = Union[Text, Press, TimerDone, NonText]


@dataclass(frozen=True)
class PendingTimer:
    """A running countdown: its id and when it ends (epoch seconds)."""

    timer_id: str
    ends_at: float
    seconds: int
    label: str


@dataclass(frozen=True)
class FlowPosition:
    """Where a user is inside a dialog flow, and the answers given so far."""

    flow: str
    state: str
    started_at: float
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    history: tuple[str, ...] = ()
    timer: PendingTimer | None = None
    step_no: int = 0


@dataclass(frozen=True)
class Session:
    """Everything the bot remembers about one chat between messages."""

    active: FlowPosition | None = None
    paused: FlowPosition | None = None
    last_intent: str | None = None
    more_shown: int = 0

    @property
    def timer(self) -> PendingTimer | None:
        """The countdown that should be running for this chat, if any."""
        return self.active.timer if self.active else None

    def with_(self, **changes: Any) -> "Session":
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> "Session":
        """Rebuild a session from `to_dict` output; broken parts are dropped, never raised."""
        if not isinstance(data, dict):
            return cls()
        last = data.get("last_intent")
        try:
            more = int(data.get("more_shown") or 0)
        except (TypeError, ValueError):
            more = 0
        return cls(active=_position(data.get("active")), paused=_position(data.get("paused")),
                   last_intent=last if isinstance(last, str) else None, more_shown=more)


def _position(data: Any) -> FlowPosition | None:
    if not isinstance(data, dict):
        return None
    try:
        return _read_position(data)
    except (KeyError, TypeError, ValueError):
        return None


def _read_position(data: dict[str, Any]) -> FlowPosition:
    timer = data.get("timer")
    return FlowPosition(
        flow=data["flow"],
        state=data["state"],
        started_at=float(data["started_at"]),
        answers={k: tuple(v) for k, v in (data.get("answers") or {}).items()},
        history=tuple(data.get("history") or ()),
        timer=PendingTimer(**timer) if timer else None,
        step_no=int(data.get("step_no") or 0),
    )
