"""A chat's conversation state and the events that move it: plain, JSON-serialisable data."""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from typing import Any


@dataclass(frozen=True)
class Text:
    """The user typed something (in a group chat when `in_group`)."""

    text: str
    in_group: bool = False


@dataclass(frozen=True)
class Press:
    """The user pressed a button carrying `action` (in a group chat when `in_group`)."""

    action: str
    in_group: bool = False


@dataclass(frozen=True)
class TimerDone:
    """A timer the core asked for has run out."""

    timer_id: str


@dataclass(frozen=True)
class ReminderDue:
    """A reminder's time has come (the shell scheduled it for `due_at`)."""

    kind: str
    due_at: float


@dataclass(frozen=True)
class NonText:
    """The user sent something that is not text: a sticker, photo, voice note, location..."""

    what: str


Event = Text | Press | TimerDone | NonText | ReminderDue
RELIEF_CHECK = "relief_check"  # the ReminderDue kind that checks in on a relief sequence at ten minutes
PLAN_REVIEW = "plan_review"  # the ReminderDue kind that looks back at the diary two weeks after a plan
MAX_FLAGS = 50  # red flags kept for the doctor's summary (the latest)


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
    target: int | None = None
    ticked: tuple[str, ...] = ()  # choices ticked so far on a question whose buttons tick (not yet Done)
    hold_waiting: bool = False  # a timed hold that starts only when the person taps ▶️ Start


@dataclass(frozen=True)
class DiaryEntry:
    """One logged cramp. Answer fields hold choice ids from dialogs/diary.yaml (None: not given); the
    fields are described for readers of the data in docs/content.md#diary-entries."""

    id: int
    at: float
    where: str | None = None
    severity: int | None = None
    duration: str | None = None
    helped: tuple[str, ...] = ()
    doing: str | None = None
    side: str | None = None  # "left", "right" or "both"
    time_known: bool = True  # False: `at` stands for the day (and `part` of it) that was said, not a clock time
    part: str | None = None  # "night", "morning", "afternoon" or "evening", when only that was said
    said: str | None = None  # the words for when, when they gave no clock time ("last night", "yesterday")
    count: int = 1  # cramps this entry stands for: "Several" at the morning check-in is 2, meaning two or more


@dataclass(frozen=True)
class Reminder:
    """An opt-in daily reminder: its kind, local clock times, and when it is next due (epoch)."""

    kind: str
    times: tuple[str, ...]
    next_at: float
    last_sent: float = 0.0


@dataclass(frozen=True)
class SavedPlan:
    """The check-up's answers behind the personal plan (the plan is rebuilt from them with today's rules),
    when it was made, and when the diary look-back is due (None: done, or not wanted)."""

    made_at: float
    answers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    review_at: float | None = None


@dataclass(frozen=True)
class RaisedFlag:
    """A red flag the bot raised in this chat: when, the level of care it pointed to, and why (in words)."""

    at: float
    level: str
    why: str


@dataclass(frozen=True)
class LastRelief:
    """The relief sequence that just ended, so it can be logged in one tap."""

    started_at: float
    ended_at: float
    helped: str | None
    muscle: str | None = None  # the muscle the steps were fitted to (dialogs/relief_muscles.yaml), if one was


@dataclass(frozen=True)
class Escalated:
    """A relief sequence that ended in "get medical help today": when, and the muscle it eased, so what is
    said next is read in that light and the steps can start again for the same muscle."""

    at: float
    muscle: str | None = None


@dataclass(frozen=True)
class Recent:
    """What the last few turns were about, so a follow-up ("what about at night?", "and for my
    husband?", "yes") is read in context: the topics and entry answered, whom and which muscles they
    were about, the question the bot itself asked (if any), and when."""

    at: float
    topics: tuple[str, ...] = ()
    entry: str | None = None
    who: str | None = None
    muscles: tuple[str, ...] = ()
    sports: tuple[str, ...] = ()
    asked: str | None = None  # "clarify" or "relief_offer": the bot's own question awaiting an answer


@dataclass(frozen=True)
class TriageAsk:
    """A yes/no safety question awaiting its answer: the red flag a "yes" (or no answer) gives, the one a
    "no" leaves (if any), with the words each fired on, and the message asked about (answered after a "no";
    cleared at the next turn whatever it is)."""

    at: float
    yes: str
    yes_said: tuple[str, ...] = ()
    no: str | None = None
    no_said: tuple[str, ...] = ()
    text: str = ""


@dataclass(frozen=True)
class Session:
    """Everything the bot remembers about one chat between messages."""

    active: FlowPosition | None = None
    paused: FlowPosition | None = None
    last_intent: str | None = None
    more_shown: int = 0
    diary: tuple[DiaryEntry, ...] = ()
    next_entry_id: int = 1
    zone: str | None = None
    reminders: tuple[Reminder, ...] = ()
    last_relief: LastRelief | None = None
    confirm: str | None = None
    in_group: bool = False  # a group chat: nothing personal is kept (bot.chat_scope)
    relief_check_at: float | None = None  # when to check in on a relief sequence nobody said has eased
    recent: Recent | None = None  # what the last turns were about (bot.core.follow_up)
    triage: TriageAsk | None = None  # a safety question awaiting its answer (bot.core.triage_turn)
    plan: SavedPlan | None = None  # the last finished check-up (bot.core.plan_review)
    flags: tuple[RaisedFlag, ...] = ()  # red flags raised, for the doctor's summary (latest MAX_FLAGS)
    zone_asked: bool = False  # the diary asked the time zone once (answered or skipped): never again
    quiet_nights: tuple[str, ...] = ()  # ISO dates of mornings whose check-in said "no cramps last night"
    escalated: Escalated | None = None  # relief that just escalated to same-day care (bot.core.relief_turn)

    def due_times(self) -> tuple[tuple[str, float], ...]:
        """(kind, epoch) of everything the shell must wake the core for: reminders, the plan's look-back
        and the relief check-in."""
        due = tuple((r.kind, r.next_at) for r in self.reminders)
        if self.plan is not None and self.plan.review_at is not None:
            due = (*due, (PLAN_REVIEW, self.plan.review_at))
        return due if self.relief_check_at is None else (*due, (RELIEF_CHECK, self.relief_check_at))

    @property
    def timer(self) -> PendingTimer | None:
        """The countdown that should be running for this chat, if any."""
        return self.active.timer if self.active else None

    def with_flag(self, at: float, level: str, why: str) -> Session:
        """A copy that remembers a red flag raised now (the latest MAX_FLAGS are kept; none in a group)."""
        if self.in_group:
            return self
        return replace(self, flags=(*self.flags, RaisedFlag(at, level, why))[-MAX_FLAGS:])

    def with_(self, **changes: Any) -> Session:
        """A copy with some fields changed."""
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what `dataclasses.asdict` gives, without its deep copies: every
        session is saved on every update, so this is on the hot path)."""
        plain: dict[str, Any] = _plain(self)  # a dataclass comes back as a dict
        return plain

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Session:
        """Rebuild a session from `to_dict` output; broken parts are dropped, never raised."""
        if not isinstance(data, dict):
            return cls()
        return cls(
            active=_safely(_read_position, data.get("active")),
            paused=_safely(_read_position, data.get("paused")),
            last_intent=_text(data.get("last_intent")),
            more_shown=_safely(int, data.get("more_shown")) or 0,
            diary=tuple(e for e in (_safely(_read_entry, d) for d in _list(data.get("diary"))) if e),
            next_entry_id=_safely(int, data.get("next_entry_id")) or 1,
            zone=_text(data.get("zone")),
            reminders=tuple(r for r in (_safely(_read_reminder, d) for d in _list(data.get("reminders"))) if r),
            last_relief=_safely(lambda d: LastRelief(float(d["started_at"]), float(d["ended_at"]),
                                                     _text(d.get("helped")), _text(d.get("muscle"))),
                                data.get("last_relief")),
            confirm=_text(data.get("confirm")),
            in_group=data.get("in_group") is True,
            relief_check_at=_safely(float, data.get("relief_check_at")),
            recent=_safely(_read_recent, data.get("recent")),
            triage=_safely(_read_triage, data.get("triage")),
            plan=_safely(_read_plan, data.get("plan")),
            flags=tuple(f for f in (_safely(_read_flag, d) for d in _list(data.get("flags"))) if f),
            zone_asked=data.get("zone_asked") is True,
            quiet_nights=tuple(d for d in _list(data.get("quiet_nights")) if isinstance(d, str)),
            escalated=_safely(lambda d: Escalated(float(d["at"]), _text(d.get("muscle"))), data.get("escalated")),
        )


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    """Dataclasses as dicts, tuples as lists, all the way down; other values as they are (they are
    immutable: strings, numbers, None)."""
    kind = type(value)
    if kind in (str, int, float, bool) or value is None:
        return value
    if kind is tuple or kind is list:
        return [_plain(v) for v in value]
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(value))
    return {name: _plain(getattr(value, name)) for name in names}


def _safely(read: Any, data: Any) -> Any:
    """`read(data)`, or None when the data is missing or damaged."""
    if data is None:
        return None
    try:
        return read(data)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


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
        target=int(data["target"]) if data.get("target") is not None else None,
        ticked=tuple(str(t) for t in _list(data.get("ticked"))),
        hold_waiting=data.get("hold_waiting") is True,
    )


def _read_entry(data: dict[str, Any]) -> DiaryEntry:
    severity = data.get("severity")
    return DiaryEntry(int(data["id"]), float(data["at"]), _text(data.get("where")),
                      int(severity) if severity is not None else None, _text(data.get("duration")),
                      tuple(str(h) for h in _list(data.get("helped"))), _text(data.get("doing")),
                      side=_text(data.get("side")), time_known=data.get("time_known") is not False,
                      part=_text(data.get("part")), said=_text(data.get("said")),
                      count=max(1, int(data.get("count") or 1)))


def _read_reminder(data: dict[str, Any]) -> Reminder:
    return Reminder(str(data["kind"]), tuple(str(t) for t in _list(data.get("times"))), float(data["next_at"]),
                    float(data.get("last_sent") or 0.0))


def _read_recent(data: dict[str, Any]) -> Recent:
    return Recent(float(data["at"]), tuple(str(t) for t in _list(data.get("topics"))), _text(data.get("entry")),
                  _text(data.get("who")), tuple(str(m) for m in _list(data.get("muscles"))),
                  tuple(str(s) for s in _list(data.get("sports"))), _text(data.get("asked")))


def _read_triage(data: dict[str, Any]) -> TriageAsk:
    return TriageAsk(float(data["at"]), str(data["yes"]), tuple(str(s) for s in _list(data.get("yes_said"))),
                     _text(data.get("no")), tuple(str(s) for s in _list(data.get("no_said"))),
                     str(data.get("text") or ""))


def _read_plan(data: dict[str, Any]) -> SavedPlan:
    review = data.get("review_at")
    return SavedPlan(float(data["made_at"]), {str(k): tuple(str(c) for c in v)
                                              for k, v in (data.get("answers") or {}).items()},
                     float(review) if review is not None else None)


def _read_flag(data: dict[str, Any]) -> RaisedFlag:
    return RaisedFlag(float(data["at"]), str(data["level"]), str(data.get("why") or ""))
