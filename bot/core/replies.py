"""What the core asks the shell to show: text, choices (buttons) and timers. Plain data only."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("emergency", "urgent", "triage_question", "answer", "smalltalk", "fallback")
URGENT_KINDS = ("emergency", "urgent", "triage_question")  # sent first and even when the turn cannot be saved


@dataclass(frozen=True)
class Choice:
    """A button: the label the user sees and the action sent back when it is pressed. With `link` (a
    deep-link payload) it sends nothing back: it opens a private chat with the bot at /start <link>."""

    action: str
    label: str
    link: str | None = None


@dataclass(frozen=True)
class Timer:
    """A timed hold the shell should count down; when it ends the shell sends TimerDone(timer_id)."""

    timer_id: str
    seconds: int
    ends_at: float
    label: str


@dataclass(frozen=True)
class Attachment:
    """A file to send with a reply (the user's data export)."""

    filename: str
    content: str


@dataclass(frozen=True)
class HistoryChart:
    """What the history picture shows: cramps per day (oldest first) and per hour of day; cramps logged
    with only a part of the day (night, morning, afternoon, evening: `by_part`) or no time of day (`untimed`)
    are counted apart, never at an hour nobody said."""

    days: tuple[str, ...]
    per_day: tuple[int, ...]
    per_hour: tuple[int, ...]
    zone: str
    by_part: tuple[int, ...] = ()
    untimed: int = 0


@dataclass(frozen=True)
class SummarySection:
    """A part of the doctor's summary: a heading and its lines."""

    heading: str
    lines: tuple[str, ...]


@dataclass(frozen=True)
class DoctorSummary:
    """The one-page summary for a doctor, as plain data (the shell draws it as a PDF): the words, and the
    chart's numbers (cramps per week, oldest first, and per part of the day)."""

    filename: str
    title: str
    intro: str
    sections: tuple[SummarySection, ...]
    weeks: tuple[str, ...]
    per_week: tuple[int, ...]
    parts: tuple[tuple[str, int], ...]
    chart_weeks: str
    chart_parts: str
    footer: str


@dataclass(frozen=True)
class Reply:
    """One message to the user, with its kind and where its facts come from."""

    text: str
    kind: str
    choices: tuple[Choice, ...] = ()
    timer: Timer | None = None
    intent: str | None = None
    score: float = 100.0
    sources: tuple[str, ...] = field(default_factory=tuple)
    attachment: Attachment | None = None
    chart: HistoryChart | None = None
    summary: DoctorSummary | None = None  # the doctor's summary, sent as a PDF
    # the always-there buttons at the bottom of a private chat: their labels ("🆘 Cramp now"), () to take
    # them away, None to leave them as they are; a message carries them or inline choices, not both
    keyboard: tuple[str, ...] | None = None
    # shown in place of the message whose button was pressed (a ticked button): in Telegram that message keeps its
    # text and takes these buttons; elsewhere it is shown as any reply
    in_place: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown reply kind {self.kind!r}")
        if self.keyboard is not None and self.choices:
            raise ValueError("a reply carries the always-there buttons or inline choices, not both")


def render_text(reply: Reply) -> str:
    """The reply as plain text with its choices listed (console and `crampbot ask`)."""
    lines = [reply.text]
    if reply.timer is not None:
        lines.append(f"⏱ {reply.timer.label}: {reply.timer.seconds} s")
    lines.extend(f"  {i}) {c.label}" + (f": /start {c.link} in a private chat" if c.link else "")
                 for i, c in enumerate(reply.choices, 1))
    return "\n".join(lines)
