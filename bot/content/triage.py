"""Reads and checks knowledge/triage.yaml: the criteria of the safety triage (the rule book) and the words
that place a symptom in time (now, over, settled, unsure)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.content.strict_yaml import Checker, checked_text, read_yaml

SIDES = ("one", "single", "both")
TIMINGS = ("now", "back", "over", "settled", "unsure", "exertion", "habit", "today", "denied", "past_tense",
           "present_tense")


@dataclass(frozen=True)
class Criterion:
    """One situation of the safety reference that raises a level of care."""

    id: str
    level: str
    plain: str
    why: str
    sources: tuple[str, ...]
    past_counts: bool = False
    settled_counts: bool = False
    habit_counts: bool = True
    told_together: bool = False
    now_only: bool = False
    one_side: bool = False
    ask: str | None = None
    fires: tuple[str, ...] = ()
    quiet: tuple[str, ...] = ()
    one_sentence: bool = False  # as told_together, but in one sentence, not also the next
    answers: bool = True  # below the most urgent level, the reply also answers what the message asked


@dataclass(frozen=True)
class TriageData:
    """Everything in knowledge/triage.yaml."""

    criteria: dict[str, Criterion]
    timing: dict[str, tuple[str, ...]]
    sides: dict[str, tuple[str, ...]]

    def phrases(self) -> list[str]:
        """Every timing and side phrase (for the spelling vocabulary)."""
        return [p for table in (self.timing, self.sides) for phrases in table.values() for p in phrases]


def load_triage(path: Path, label: str, levels: set[str]) -> TriageData:
    """Read and check knowledge/triage.yaml; `levels` are the level ids a criterion may name."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(doc, None, {"version": int, "criteria": list, "timing": dict,
                                                             "sides": dict})):
        check.raise_if_any()
    criteria: dict[str, Criterion] = {}
    for item in doc["criteria"]:
        name = item.get("id") if isinstance(item, dict) else None
        if not check.mapping(item, name, {"id": str, "level": str, "plain": str, "why": str, "sources": list},
                             {"past_counts": bool, "settled_counts": bool, "habit_counts": bool,
                              "told_together": bool, "one_sentence": bool, "now_only": bool, "one_side": bool,
                              "ask": str, "fires": list, "quiet": list, "answers": bool}):
            continue
        name = checked_text(item, "id")
        try:
            str(item.get("ask") or "").format(emergency_number="")
        except (KeyError, IndexError, ValueError) as exc:
            check.add(f"'ask' may name only {{emergency_number}} ({exc})", name, item)
        if item.get("one_side") and not item.get("ask"):
            check.add("one_side needs an 'ask' question", name, item)
        if name in criteria:
            check.add("duplicate criterion id", name, item)
        if item["level"] not in levels:
            check.add(f"unknown level {item['level']!r}", name, item)
        criteria[name] = Criterion(
            name, item["level"], checked_text(item, "plain"), checked_text(item, "why"),
            tuple(check.strings(item["sources"], "sources", name, item)), item.get("past_counts", False),
            item.get("settled_counts", False), item.get("habit_counts", True), item.get("told_together", False),
            item.get("now_only", False), item.get("one_side", False), item.get("ask"),
            tuple(check.strings(item.get("fires", []), "fires", name, item)),
            tuple(check.strings(item.get("quiet", []), "quiet", name, item)),
            one_sentence=item.get("one_sentence", False), answers=item.get("answers", True))
    timing = doc["timing"]
    check.mapping(timing, "timing", dict.fromkeys(TIMINGS, list))
    words = {name: tuple(check.strings(timing.get(name, []), name, "timing", timing)) for name in TIMINGS}
    check.mapping(doc["sides"], "sides", dict.fromkeys(SIDES, list))
    sides = {name: tuple(check.strings(doc["sides"].get(name, []), name, "sides", doc["sides"])) for name in SIDES}
    check.raise_if_any()
    return TriageData(criteria, words, sides)
