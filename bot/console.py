"""Console chat: the same core as Telegram, in a terminal. Choices are numbered; timers count down."""

from __future__ import annotations

import os
import queue
import threading
import time
from collections.abc import Callable
from typing import TextIO

from bot.core import actions
from bot.core.brain import Brain
from bot.core.diary import text_chart
from bot.core.replies import Choice, Reply, render_text
from bot.core.session import Event, Press, Session, Text, TimerDone
from bot.core.templates import fill

Clock = Callable[[], float]


class ConsoleChat:
    """One console conversation: keeps the session, prints replies, tracks the running timer."""

    def __init__(self, brain: Brain, out: TextIO, clock: Clock = time.time, live: bool = False):
        self.brain = brain
        self.out = out
        self.clock = clock
        self.live = live
        self.session = Session()
        self.choices: tuple[Choice, ...] = ()
        self._last_shown: int | None = None
        self.texts = brain.content.messages.texts
        self.quit_words = frozenset(self.texts["console_quit_words"].casefold().split())
        self.bye = self.texts["console_bye"]
        self.you = self.texts["console_you"]

    def send(self, event: Event) -> tuple[Reply, ...]:
        """Pass an event to the core, print what it says, and remember the new session."""
        outcome = self.brain.respond(self.session, event, self.clock())
        self.session = outcome.session
        for reply in outcome.replies:
            if reply.keyboard is None:  # the always-there buttons are Telegram's: the console has none to show
                self._print_reply(reply)
        return outcome.replies

    def user_line(self, line: str) -> tuple[Reply, ...]:
        """Handle one typed line: a number picks a listed choice, anything else is text."""
        text = line.strip()
        if not self.live:
            self._write(f"\n{self.you} {text}\n")
        if (text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= len(self.choices)
                and not self.brain.expects_amount(self.session)):
            choice = self.choices[int(text) - 1]
            self._write(f"  → {choice.label}\n")
            return self.send(Press(choice.action))
        return self.send(Text(line))

    def wants_to_quit(self, line: str) -> bool:
        """True when the whole line is one of the quit words ("quit", "exit"), nothing more."""
        return line.strip().casefold() in self.quit_words

    def say_bye(self) -> None:
        """Print the goodbye."""
        self._write(f"\n{self.bye}\n")

    def seconds_left(self) -> float | None:
        """Seconds until the running timer ends (None when there is none)."""
        timer = self.session.timer
        return None if timer is None else max(0.0, timer.ends_at - self.clock())

    def tick(self) -> None:
        """Update the countdown, and fire the timer when it has run out."""
        timer = self.session.timer
        if timer is None:
            return
        left = timer.ends_at - self.clock()
        if left <= 0:
            if self.live:
                self._write("\r" + " " * 40 + "\r")
            self._write(fill(self.texts, "console_timer_done", label=timer.label) + "\n")
            self._last_shown = None
            self.send(TimerDone(timer.timer_id))
            return
        whole = int(left + 0.999)
        if self.live and whole != self._last_shown:
            shown = fill(self.texts, "console_timer_left", label=timer.label, seconds=f"{whole:>3}")
            self._write(f"\r{shown} ")
            self._last_shown = whole

    def _print_reply(self, reply: Reply) -> None:
        if self.live and self._last_shown is not None:
            self._write("\n")
            self._last_shown = None
        self._write("\n" + render_text(reply) + "\n")
        if reply.chart is not None:
            self._write(text_chart(reply.chart, self.texts) + "\n")
        if reply.summary is not None:
            summary = reply.summary
            lines = [summary.title, summary.intro] + [f"{s.heading}\n" + "\n".join(f"  {line}" for line in s.lines)
                                                      for s in summary.sections]
            self._write("\n".join([*lines, summary.footer, self.texts["summary_console"]]) + "\n")
        if reply.attachment is not None:
            start = fill(self.texts, "console_file_start", filename=reply.attachment.filename)
            self._write(f"{start}\n{reply.attachment.content}\n{self.texts['console_file_end']}\n")
        self.choices = reply.choices

    def _write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()


def _own_reader(stdin: TextIO) -> TextIO:
    """The same input through a file object of its own (a duplicate of its descriptor). The input thread
    is still waiting for a line when the chat ends; if it held sys.stdin's lock, Python would abort at
    exit ("could not acquire lock for stdin"). In-memory streams are returned as they are."""
    try:
        fd = stdin.fileno()
    except (AttributeError, OSError, ValueError):
        return stdin
    return open(os.dup(fd), encoding=getattr(stdin, "encoding", None), errors=getattr(stdin, "errors", None))


def run_console(brain: Brain, stdin: TextIO, out: TextIO, clock: Clock = time.time, live: bool | None = None) -> int:
    """Chat until end of input. Live countdowns when attached to a terminal."""
    live = stdin.isatty() and out.isatty() if live is None else live
    chat = ConsoleChat(brain, out, clock, live)
    chat.send(Press(actions.menu("start")))
    out.write(brain.content.messages.text("console_hint") + "\n")
    lines: queue.Queue[str | None] = queue.Queue()

    source = _own_reader(stdin)

    def read() -> None:
        """Feed typed lines to the main loop; None marks the end of input."""
        try:
            for line in source:
                lines.put(line)
        finally:
            lines.put(None)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    try:
        while True:
            left = chat.seconds_left()
            if left is not None and left <= 0:
                chat.tick()
                continue
            wait = None if left is None else (min(1.0, left) if live else left)
            if live and left is None:
                out.write(f"{chat.you} ")
                out.flush()
            try:
                line = lines.get(timeout=wait)
            except queue.Empty:
                chat.tick()
                continue
            if line is None:
                break
            if chat.wants_to_quit(line):
                if not live:
                    out.write(f"\n{chat.you} {line.strip()}\n")
                chat.say_bye()
                break
            chat.user_line(line)
    except KeyboardInterrupt:
        chat.say_bye()
    return 0
