"""What one turn of the conversation returns: the new session and the replies to show."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.replies import Reply
from bot.core.session import Session


@dataclass(frozen=True)
class Outcome:
    """The new session and the replies to show, in order."""

    session: Session
    replies: tuple[Reply, ...]
    forget: bool = False  # the user asked to delete everything stored about them
    stale_press: bool = False  # a button from an earlier message was pressed and ignored
    chose: str | None = None  # what the pressed button chose, when not its own label (Done: the ticked choices)
