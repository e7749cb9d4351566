"""Red-flag and active-cramp detection: phrase rules from knowledge/safety.yaml, checked on every
message before anything else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.language import GAP, Normalised, Normaliser, phrase_at
from bot.loading import Checker, read_yaml

DURATION = "<duration10>"
_MINUTES = re.compile(r"^(\d+)(?:m|min|mins|minute|minutes)$")
_HOURS = re.compile(r"^(\d+)(?:h|hr|hrs|hour|hours)$")
_MINUTE_WORDS = {"m", "min", "mins", "minute", "minutes"}
_HOUR_WORDS = {"h", "hr", "hrs", "hour", "hours"}
_LONG_WORDS = {"ages", "forever", "hours"}


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
    """A trigger: every group must match (by phrase index) and no `unless` phrase may be present."""

    id: str
    why: str
    level: str | None
    groups: tuple[frozenset[int], ...]
    unless: frozenset[int]


@dataclass(frozen=True)
class RawRule:
    """A rule as written in YAML, before its phrases are normalised."""

    id: str
    why: str
    level: str | None
    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]


@dataclass(frozen=True)
class SafetyData:
    """Everything in knowledge/safety.yaml, not yet compiled."""

    levels: dict[str, Level]
    red_flags: tuple[RawRule, ...]
    active_cramp: tuple[RawRule, ...]

    def phrases(self) -> list[str]:
        """Every phrase in every rule (for the spelling vocabulary)."""
        out: list[str] = []
        for rule in (*self.red_flags, *self.active_cramp):
            for group in rule.groups:
                out.extend(group)
            out.extend(rule.unless)
        return out


@dataclass(frozen=True)
class RedFlag:
    """A red flag found in a message: the rule and the level of care it calls for."""

    rule: Rule
    level: Level


def load_safety(path: Path, label: str) -> SafetyData:
    """Read and check knowledge/safety.yaml."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(
        doc, None, {"version": int, "levels": list, "red_flags": list, "active_cramp": list}
    )):
        check.raise_if_any()
    levels: dict[str, Level] = {}
    for item in doc["levels"]:
        name = item.get("id") if isinstance(item, dict) else None
        if check.mapping(item, name, {"id": str, "rank": int, "title": str, "text": str, "sources": list}):
            if name in levels:
                check.add("duplicate level id", name, item)
            levels[name] = Level(name, item["rank"], item["title"].strip(), item["text"].strip(),
                                 tuple(check.strings(item["sources"], "sources", name, item)))
    red = tuple(r for r in (_raw_rule(i, check, levels, True) for i in doc["red_flags"]) if r)
    active = tuple(r for r in (_raw_rule(i, check, levels, False) for i in doc["active_cramp"]) if r)
    ids = [r.id for r in (*red, *active)]
    for dup in sorted({i for i in ids if ids.count(i) > 1}):
        check.add("duplicate rule id", dup)
    check.raise_if_any()
    return SafetyData(levels, red, active)


def _raw_rule(item: Any, check: Checker, levels: dict[str, Level], needs_level: bool) -> RawRule | None:
    name = item.get("id") if isinstance(item, dict) else None
    required = {"id": str, "why": str, "all": list}
    if needs_level:
        required["level"] = str
    if not check.mapping(item, name, required, {"unless": list}):
        return None
    if needs_level and item["level"] not in levels:
        check.add(f"unknown level {item['level']!r}", name, item)
    groups = []
    for group in item["all"]:
        phrases = check.strings(group, "each group in 'all'", name, item)
        if not phrases:
            check.add("a group in 'all' is empty", name, item)
        groups.append(tuple(phrases))
    if not groups:
        check.add("'all' needs at least one group", name, item)
    unless = tuple(check.strings(item.get("unless", []), "unless", name, item))
    return RawRule(name, item["why"].strip(), item.get("level"), tuple(groups), unless)


class Triggers:
    """Compiled trigger rules; answers 'is this a red flag?' and 'is a cramp happening now?'."""

    def __init__(self, data: SafetyData, normaliser: Normaliser):
        self.data = data
        self.normaliser = normaliser
        self._phrases: dict[tuple[str, ...], int] = {}
        self._by_first: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self._by_prefix: list[tuple[int, tuple[str, ...]]] = []
        self.red_flags = tuple(self._compile(r, normaliser) for r in data.red_flags)
        self.active_cramp = tuple(self._compile(r, normaliser) for r in data.active_cramp)

    def _compile(self, raw: RawRule, normaliser: Normaliser) -> Rule:
        groups = tuple(frozenset(self._phrase_id(p, normaliser) for p in g) for g in raw.groups)
        unless = frozenset(self._phrase_id(p, normaliser) for p in raw.unless)
        return Rule(raw.id, raw.why, raw.level, groups, unless)

    def _phrase_id(self, text: str, normaliser: Normaliser) -> int:
        phrase = normaliser.phrase(text)
        if phrase in self._phrases:
            return self._phrases[phrase]
        pid = len(self._phrases)
        self._phrases[phrase] = pid
        words = [w for w in phrase if w not in ("^", "$", GAP)]
        if not words:
            return pid
        if words[0].endswith("*"):
            self._by_prefix.append((pid, phrase))
        else:
            self._by_first.setdefault(words[0], []).append((pid, phrase))
        return pid

    def scan(self, message: Normalised) -> tuple[frozenset[int], frozenset[int]]:
        """Return (phrases present, phrases present and not negated) for a message."""
        present: set[int] = set()
        affirmed: set[int] = set()
        for raw_clause in message.clauses:
            clause = mark_durations(raw_clause)
            for i, token in enumerate(clause):
                candidates = self._by_first.get(token, [])
                for pid, phrase in (*candidates, *self._by_prefix):
                    if phrase_at(clause, i, phrase):
                        present.add(pid)
                        if not self.normaliser.negated(clause, i):
                            affirmed.add(pid)
        return frozenset(present), frozenset(affirmed)

    def red_flag(self, message: Normalised) -> RedFlag | None:
        """Return the most urgent red flag in the message, or None."""
        present, affirmed = self.scan(message)
        best: RedFlag | None = None
        for rule in self.red_flags:
            if _fires(rule, present, affirmed):
                level = self.data.levels[rule.level or ""]
                if best is None or level.rank < best.level.rank:
                    best = RedFlag(rule, level)
        return best

    def active_cramp_rule(self, message: Normalised) -> Rule | None:
        """Return the rule saying a cramp is happening right now, or None."""
        present, affirmed = self.scan(message)
        for rule in self.active_cramp:
            if _fires(rule, present, affirmed):
                return rule
        return None


def _fires(rule: Rule, present: frozenset[int], affirmed: frozenset[int]) -> bool:
    return all(group & affirmed for group in rule.groups) and not (rule.unless & present)


def mark_durations(clause: tuple[str, ...]) -> tuple[str, ...]:
    """Replace any time of ten minutes or more ("15 mins", "half an hour", "2 hours", "ages") with
    the token <duration10>, so rules can place it in phrases ("for <duration10>")."""
    out: list[str] = []
    i = 0
    while i < len(clause):
        token = clause[i]
        nxt = clause[i + 1] if i + 1 < len(clause) else ""
        after = clause[i + 2] if i + 2 < len(clause) else ""
        minutes = _MINUTES.match(token)
        if token in _LONG_WORDS or _HOURS.match(token) or (minutes and int(minutes.group(1)) >= 10):
            out.append(DURATION)
            i += 1
        elif token == "half" and nxt in ("an", "a") and after in _HOUR_WORDS:
            out.append(DURATION)
            i += 3
        elif token in ("half", "an", "a") and nxt in _HOUR_WORDS:
            out.append(DURATION)
            i += 2
        elif token == "all" and nxt in ("night", "day", "evening", "morning"):
            out.append(DURATION)
            i += 2
        elif token.isdigit() and (nxt in _HOUR_WORDS or (nxt in _MINUTE_WORDS and int(token) >= 10)):
            out.append(DURATION)
            i += 2
        else:
            out.append(token)
            i += 1
    return tuple(out)
