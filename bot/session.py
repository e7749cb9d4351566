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


Event = Union[Text, Press, TimerDone]


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
        """Rebuild a session from `to_dict` output (unknown or broken parts are dropped)."""
        if not data:
            return cls()
        return cls(
            active=_position(data.get("active")),
            paused=_position(data.get("paused")),
            last_intent=data.get("last_intent"),
            more_shown=int(data.get("more_shown") or 0),
        )


def _position(data: dict[str, Any] | None) -> FlowPosition | None:
    if not data:
        return None
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
