"""What the safety scan works with and finds: levels of care, compiled rules, red flags and the assessment of
one message."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class RedFlag:
    """A red flag found in a message: the rule and the level of care it calls for."""

    rule: Rule
    level: Level


@dataclass(frozen=True)
class Assessment:
    """What the safety scan found in one message."""

    red_flag: RedFlag | None
    active_cramp: Rule | None
