"""Caveats on self-care advice (knowledge/caveats.yaml): who must not follow some advice, how to
recognise them in a message, and what to tell them instead."""

from __future__ import annotations

from dataclasses import dataclass

from bot.language.normaliser import Normalised, Normaliser
from bot.language.phrases import PhraseIndex


@dataclass(frozen=True)
class Caveat:
    """A group of people (recognised by the phrases in `mentions`) for whom advice of the kinds in
    `advice` must change, and the line that tells them how."""

    id: str
    mentions: tuple[str, ...]
    advice: tuple[str, ...]
    text: str
    sources: tuple[str, ...]
    instead: str | None = None  # a knowledge entry that answers these people better than the advice would
    withhold: bool = False  # beside a level of care, advice of these kinds is not given at all (checked first)


class Caveats:
    """Finds the caveats that apply to a message and an answer."""

    def __init__(self, caveats: tuple[Caveat, ...], normaliser: Normaliser):
        self.all = caveats
        self.normaliser = normaliser
        self._index = PhraseIndex()
        for key, caveat in enumerate(caveats):
            for text in caveat.mentions:
                self._index.add(key, normaliser.phrase(text))

    def mentioned(self, message: Normalised) -> tuple[Caveat, ...]:
        """Caveats whose group the message mentions (not negated: "no kidney problems" does not count)."""
        keys: set[int] = set()
        for clause in message.clauses:
            for key, start, _ in self._index.matches(clause):
                if not self.normaliser.negated(clause, start):
                    keys.add(key)
        return tuple(self.all[k] for k in sorted(keys))


def withheld(caveats: tuple[Caveat, ...]) -> frozenset[str]:
    """The kinds of advice not given at all beside a level of care, for the caveats a message mentions."""
    return frozenset(a for c in caveats if c.withhold for a in c.advice)


def giving(caveats: tuple[Caveat, ...], advice: tuple[str, ...]) -> tuple[Caveat, ...]:
    """The caveats about any of the kinds of advice an answer gives."""
    return tuple(c for c in caveats if set(c.advice) & set(advice))
