"""CrampBot's Telegram shell with parts of the work taken away, for bench/breakdown.py only:
BREAKDOWN=cached  the core's answer to each text computed once and reused, nothing stored;
BREAKDOWN=core    the real core on every update, nothing stored.
Everything else (polling, dispatch, locks, rendering, sending, the main loop) is the real bot's."""

from __future__ import annotations

import asyncio
import itertools
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.core.session import Session
from bot.settings import load_settings
from bot.telegram_shell.serve import serve_until_signal
from bot.telegram_shell.shell import TelegramShell
from bot.wiring import build_brain


class NoStorage:
    """Storage that keeps nothing: every chat starts fresh, nothing is ever waiting to be sent."""

    def __init__(self) -> None:
        self.ids = itertools.count(1)

    def load(self, chat_id: int) -> Session:
        """Always a fresh session."""
        return Session()

    def damaged(self, chat_id: int) -> bool:
        """Nothing was ever set aside."""
        return False

    def seen(self, update_id: int) -> bool:
        """No update was handled before."""
        return False

    def record_turn(self, chat_id, update_id, session, outgoing) -> list[int]:
        """Hand out outbox ids; store nothing."""
        return [next(self.ids) for _ in outgoing]

    def mark_sent(self, outbox_id: int) -> None:
        """Nothing to forget."""

    def receive(self, updates) -> None:
        """The inbox is not kept."""

    def inbox(self) -> list:
        """Nothing waits in the inbox."""
        return []

    def done(self, update_id: int) -> None:
        """Nothing to take out."""

    def set_countdown(self, countdown) -> None:
        """Countdowns are not kept."""

    def clear_countdown(self, chat_id: int) -> None:
        """Nothing to clear."""

    def forget(self, chat_id: int) -> None:
        """Nothing to delete."""

    def close(self) -> None:
        """Nothing to release."""

    def unsent(self, chat_id: int | None = None) -> list:
        """Nothing waits."""
        return []

    def countdowns(self) -> list:
        """No countdowns."""
        return []

    def reminders(self) -> list:
        """No reminders."""
        return []


def main() -> None:
    """Serve on TELEGRAM_BASE_URL until SIGTERM."""
    settings = load_settings()
    brain = build_brain(settings)
    if os.environ.get("BREAKDOWN") == "cached":
        answers: dict = {}
        respond = brain.respond

        def cached(session, event, now):
            """The first answer to this event, reused."""
            if event not in answers:
                answers[event] = respond(session, event, now)
            return answers[event]

        brain.respond = cached
    shell = TelegramShell(brain, NoStorage(), settings)
    asyncio.run(serve_until_signal(shell))


if __name__ == "__main__":
    main()
