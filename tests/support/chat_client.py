"""A user-level test client for the core: send text, press buttons, let time pass, look at what the
user saw. No event loop and no sleeping: time is a fake clock."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.core.brain import Brain
from bot.core.replies import Choice, Reply
from bot.core.session import RELIEF_CHECK, Event, Press, ReminderDue, Session, Text, TimerDone


@dataclass
class FakeClock:
    """A clock tests move by hand."""

    now: float = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class ChatClient:
    """One user talking to the core (in a group chat when `in_group`)."""

    brain: Brain
    clock: FakeClock = field(default_factory=FakeClock)
    session: Session = field(default_factory=Session)
    in_group: bool = False
    seen: list[Reply] = field(default_factory=list)
    last: tuple[Reply, ...] = ()

    def _run(self, event) -> tuple[Reply, ...]:
        outcome = self.brain.respond(self.session, event, self.clock())
        self.session = outcome.session
        self.last = outcome.replies
        self.seen.extend(outcome.replies)
        return outcome.replies

    def send(self, text: str) -> tuple[Reply, ...]:
        """Type a message."""
        return self._run(Text(text, self.in_group))

    def press(self, label: str) -> tuple[Reply, ...]:
        """Press the button on the latest message whose label contains `label` (case-insensitive)."""
        button = self.button(label)
        assert button.link is None, f"{button.label!r} is a link to a private chat, not a button that answers here"
        return self._run(Press(button.action, self.in_group))

    def deliver(self, event: Event) -> tuple[Reply, ...]:
        """Hand the core an event as the shell would: a timer or reminder firing, a sticker, a photo."""
        return self._run(event)

    def press_action(self, action: str) -> tuple[Reply, ...]:
        """Press a button by its raw action (old or forged buttons)."""
        return self._run(Press(action, self.in_group))

    def button(self, label: str) -> Choice:
        """Find a button on the latest message that has buttons."""
        for reply in reversed(self.last):
            for choice in reply.choices:
                if label.lower() in choice.label.lower():
                    return choice
        raise AssertionError(f"no button {label!r}; buttons are {self.buttons}")

    def wait(self, seconds: float) -> tuple[Reply, ...]:
        """Let time pass; fire the running timer if it ends in that time, then the relief check-in if it
        is due (as the shell would)."""
        self.clock.advance(seconds)
        replies: tuple[Reply, ...] = ()
        timer = self.session.timer
        if timer is not None and timer.ends_at <= self.clock():
            replies = self._run(TimerDone(timer.timer_id))
        check = self.session.relief_check_at
        if check is not None and check <= self.clock():
            replies += self._run(ReminderDue(RELIEF_CHECK, check))
            self.last = replies
        return replies

    @property
    def text(self) -> str:
        """Everything the latest event made the bot say."""
        return "\n".join(r.text for r in self.last)

    @property
    def buttons(self) -> list[str]:
        """Labels of the buttons on the latest message that has any."""
        for reply in reversed(self.last):
            if reply.choices:
                return [c.label for c in reply.choices]
        return []

    @property
    def kinds(self) -> list[str]:
        """Kinds of the latest replies."""
        return [r.kind for r in self.last]

    @property
    def state(self) -> tuple[str, str] | None:
        """(flow, state) the user is in, or None."""
        active = self.session.active
        return (active.flow, active.state) if active else None
