"""Lines that fit an answer to the person (knowledge/context.yaml): sport, a child or partner, age; and
which of them apply to a reading."""

from __future__ import annotations

from dataclasses import dataclass

from bot.language.reading import Reading

WHEN_KEYS = ("sport", "who", "older", "competitive", "told", "muscle")


@dataclass(frozen=True)
class ContextLine:
    """A line shown with an answer when the reading matches `when` and one of `topics` was asked."""

    id: str
    sports: tuple[str, ...]
    who: tuple[str, ...]
    older: bool
    competitive: bool
    topics: tuple[str, ...]
    text: str
    advice: tuple[str, ...]
    sources: tuple[str, ...]
    told: tuple[str, ...] = ()  # the reading's `when` labels, any of which must be there ("long")
    muscles: tuple[str, ...] = ()  # the reading's muscles, any of which must be named ("foot")

    def applies(self, reading: Reading, topics: tuple[str, ...]) -> bool:
        """True when the line fits this reading and the topics being answered."""
        person = reading.person
        return ((not self.sports or bool(set(self.sports) & set(person.sports)))
                and (not self.who or person.who in self.who)
                and (not self.older or person.older)
                and (not self.competitive or person.competitive)
                and (not self.told or bool(set(self.told) & set(reading.when)))
                and (not self.muscles or bool(set(self.muscles) & set(reading.muscles)))
                and (not self.topics or bool(set(self.topics) & set(topics))))


@dataclass(frozen=True)
class Context:
    """knowledge/context.yaml: the lines, and the words that mark a line of an answer as one to keep when
    the answer is cut short."""

    lines: tuple[ContextLine, ...]
    keep_when_short: tuple[str, ...]
    lead: frozenset[str] = frozenset()  # ids of lines said before the answer and never dropped (an injury)

    def leads(self, reading: Reading, topics: tuple[str, ...] = ()) -> tuple[ContextLine, ...]:
        """The lines said first that fit this reading ("felt a pop": it may be an injury, not a cramp)."""
        return tuple(line for line in self.lines if line.id in self.lead and line.applies(reading, topics))


def context_lines(lines: tuple[ContextLine, ...], reading: Reading, topics: tuple[str, ...]) -> tuple[ContextLine, ...]:
    """The lines that apply, in file order, except that the lines for sports come in the order the sports
    were named ("while swimming ... my run and bike training": swimming first), so the one the message is
    about is the last to go from a long reply."""
    fitting = [line for line in lines if line.applies(reading, topics)]
    named = reading.person.sports
    sport_lines = sorted((line for line in fitting if line.sports),
                         key=lambda line: min(named.index(s) for s in line.sports if s in named))
    order = iter(sport_lines)
    return tuple(next(order) if line.sports else line for line in fitting)
