"""The walk-through in docs/using.md: scenes run through the core and written as a phone shows them
(`you ▸` typed or tapped, `bot ▸` the reply, `[…]` its buttons). A test checks the doc still matches;
`python -m tests.tools.walkthrough checkin|plan` prints a scene."""

from __future__ import annotations

import sys

from bot.content.bundle import load_content
from bot.core.brain import Brain
from bot.core.session import PLAN_REVIEW, Event, ReminderDue
from tests.support.chat_client import ChatClient, FakeClock

DAY = 86400.0
START = 1_795_000_000.0  # a fixed moment, so the scenes always read the same
CHECKUP = ["At night", "Most nights", "Mostly sitting", "Less than 4", "Water pills", "Done", "None of these",
           "Comfy"]


class Scene:
    """A chat whose visible turns are written down as text."""

    def __init__(self, brain: Brain):
        self.chat = ChatClient(brain, FakeClock(START))
        self.lines: list[str] = []

    def say(self, text: str) -> None:
        """Type a message and write down what the bot said."""
        self.lines.append(f"you ▸ {text}")
        self.chat.send(text)
        self._replies()

    def tap(self, label: str) -> None:
        """Tap a button (its exact label first, else the first label containing it) and write it down."""
        exact = [c for r in self.chat.last for c in r.choices if c.label == label]
        button = exact[0] if exact else self.chat.button(label)
        self.lines.append(f"you ▸ [{button.label}]")
        self.chat.press_action(button.action)
        self._replies()

    def wake(self, event: Event, note: str) -> None:
        """Time passes and the bot is woken (a reminder, the look-back): write down what it sent."""
        self.lines.append(f"({note})\n")
        self.chat.deliver(event)
        self._replies()

    def _replies(self) -> None:
        for reply in self.chat.last:
            self.lines += [f"bot ▸ {line}" if line else "bot ▸" for line in reply.text.splitlines()]
            if reply.choices:
                self.lines.append("      " + " ".join(f"[{c.label}]" for c in reply.choices))
            if reply.summary is not None:
                self.lines.append(f"      📎 {reply.summary.filename} (one-page PDF)")
        self.lines.append("")

    def quietly(self, *labels: str, said: str | None = None) -> None:
        """Type and tap without writing it down."""
        if said:
            self.chat.send(said)
        for label in labels:
            self.chat.press(label)

    def log_cramp(self) -> None:
        """Log a cramp an hour ago with /log, skipping the rest, without writing it down."""
        self.chat.send("/log")
        while self.chat.state is not None and self.chat.state[0] == "diary":
            self.chat.send("1 hour ago") if self.chat.state[1] == "when" else self.chat.press("Skip")

    def text(self) -> str:
        """What was written down."""
        return "\n".join(self.lines).rstrip()


def checkin(brain: Brain) -> str:
    """Setting up the morning check-in, one cramp, then a quiet night."""
    scene = Scene(brain)
    scene.quietly(said="/timezone")
    scene.quietly(said="London")
    scene.say("/reminders")
    scene.tap("Morning check-in")
    scene.tap("07:00")
    for note, answer in (("next morning, 07:00", "One"), ("the morning after", "None")):
        due = next(r.next_at for r in scene.chat.session.reminders if r.kind == "checkin")
        scene.chat.clock.now = due
        scene.wake(ReminderDue("checkin", due), note)
        scene.tap(answer)
        if answer == "One":
            scene.tap("Left calf")
    return scene.text()


def plan(brain: Brain) -> tuple[str, str, str]:
    """The plan at the end of the check-up and a reminder from it; two weeks on with no change, the look-back;
    and the summary's text."""
    scene = Scene(brain)
    scene.quietly(said="/timezone")
    scene.quietly(said="London")
    for _ in range(10):  # five cramps a week before the check-up
        scene.chat.clock.advance(1.4 * DAY)
        scene.log_cramp()
    scene.quietly(*CHECKUP, said="/checkup")
    scene.tap("Neither")
    scene.tap("Remind me to stretch at bedtime")
    scene.tap("22:00")
    made = scene.text()
    scene.lines = []
    for _ in range(10):  # and five a week since
        scene.chat.clock.advance(1.4 * DAY)
        scene.log_cramp()
    due = scene.chat.session.plan.review_at
    scene.chat.clock.now = due
    scene.wake(ReminderDue(PLAN_REVIEW, due), "two weeks later")
    scene.tap("Summary for my doctor")
    summary = scene.chat.last[0].summary
    lines = [summary.title, summary.intro, f"[chart: {summary.chart_weeks} | {summary.chart_parts}]"]
    for section in summary.sections:
        lines += [section.heading, *(f"  {line}" for line in section.lines)]
    return made, scene.text(), "\n".join([*lines, summary.footer])


if __name__ == "__main__":
    core = Brain(load_content())
    print(checkin(core) if sys.argv[1:] == ["checkin"] else "\n\n".join(plan(core)))
