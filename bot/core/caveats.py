"""Caveats on self-care advice (knowledge/caveats.yaml): who must not follow some advice, how to
recognise them in a message, and what to tell them instead."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.knowledge import ADVICE
from bot.language.normaliser import Normalised, Normaliser, PhraseIndex
from bot.content.strict_yaml import SNAKE_CASE, Checker, read_yaml


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


def load_caveats(path: Path, label: str) -> tuple[Caveat, ...]:
    """Read knowledge/caveats.yaml; raise ContentError naming the file and caveat."""
    doc = read_yaml(path, label)
    check = Checker(label)
    caveats: list[Caveat] = []
    if check.version(doc) and check.mapping(doc, None, {"version": int, "caveats": list}):
        for item in doc["caveats"]:
            name = item.get("id") if isinstance(item, dict) else None
            if not check.mapping(item, name, {"id": str, "mentions": list, "advice": list, "text": str,
                                              "sources": list}, {"instead": str}):
                continue
            if not SNAKE_CASE.match(name):
                check.add("id must be snake_case (a-z, 0-9, _)", name, item)
            mentions = check.strings(item["mentions"], "mentions", name, item)
            advice = check.strings(item["advice"], "advice", name, item)
            sources = check.strings(item["sources"], "sources", name, item)
            for value in advice:
                if value not in ADVICE:
                    check.add(f"advice {value!r} unknown (allowed: {', '.join(ADVICE)})", name, item)
            if not mentions or not advice or not sources:
                check.add("mentions, advice and sources must each name at least one", name, item)
            caveats.append(Caveat(name, tuple(mentions), tuple(advice), item["text"].strip(), tuple(sources),
                                  item.get("instead")))
        check.unique((c.id for c in caveats), "caveat id")
    check.raise_if_any()
    return tuple(caveats)


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


def giving(caveats: tuple[Caveat, ...], advice: tuple[str, ...]) -> tuple[Caveat, ...]:
    """The caveats about any of the kinds of advice an answer gives."""
    return tuple(c for c in caveats if set(c.advice) & set(advice))
