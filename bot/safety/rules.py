"""What the safety scan works with and finds: levels of care, compiled rules, red flags and the assessment of
one message."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.triage import Criterion


@dataclass(frozen=True)
class Level:
    """A level of care from the safety reference."""

    id: str
    rank: int
    title: str
    text: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    """A trigger: every group must match (by phrase index) in clauses without an `unless` phrase, and
    no `unless_anywhere` phrase may be affirmed anywhere in the message."""

    id: str
    why: str
    level: str | None
    groups: tuple[frozenset[int], ...]
    unless: frozenset[int]
    unless_anywhere: frozenset[int] = frozenset()
    criterion: Criterion | None = None  # a red flag's or routine rule's situation (knowledge/triage.yaml)
    context: str | None = None  # checked only in this situation of the conversation ("cramp_in_progress")
    unless_sentence: frozenset[int] = frozenset()  # clears the whole sentence it is in ("...cramping, can't stand")


@dataclass(frozen=True)
class RedFlag:
    """A red flag found in a message: the rule, the level of care it calls for, and the person's own
    words that made it fire (one quote per group of the rule)."""

    rule: Rule
    level: Level
    said: tuple[str, ...] = ()
    also: tuple[str, ...] = ()  # the whys of other situations found at the same level ("heavy fluid loss")

    @property
    def criterion(self) -> Criterion:
        """The situation this red flag is raised for."""
        assert self.rule.criterion is not None  # every red-flag rule names one (checked at load)
        return self.rule.criterion


@dataclass(frozen=True)
class Assessment:
    """What the safety scan found in one message: the most urgent red flag told as happening now; a cramp
    happening now; a red flag that counts only if a yes/no question is answered "yes" (`unsure`, more urgent
    than `red_flag`); and a situation that calls for a routine appointment (level 3)."""

    red_flag: RedFlag | None
    active_cramp: Rule | None
    unsure: RedFlag | None = None
    routine: RedFlag | None = None


@dataclass(frozen=True)
class Explanation:
    """What the scan saw in one message, for `crampbot explain`: each clause with its place in time (now,
    over, settled, unsure, or "" when not placed), every rule that fired, and the assessment."""

    clauses: tuple[tuple[str, str], ...]
    fired: tuple[RedFlag, ...]
    assessment: Assessment
