"""Reads and checks knowledge/safety.yaml: the levels of care, the red-flag and active-cramp rules as
written, the masks, and the $term lists the rules are spelled with."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.strict_yaml import Checker, checked_text, read_yaml
from bot.safety.rules import Level

CONTEXTS = ("cramp_in_progress",)  # a relief sequence is running: "it's been going an hour" is that cramp


@dataclass(frozen=True)
class RawRule:
    """A rule as written in YAML, before its phrases are normalised."""

    id: str
    why: str  # an active-cramp rule's reason; a red flag's comes from its criterion (knowledge/triage.yaml)
    level: str | None
    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]
    unless_anywhere: tuple[str, ...] = ()
    criterion: str | None = None
    context: str | None = None  # checked only when the conversation is in this situation (CONTEXTS)
    unless_sentence: tuple[str, ...] = ()


@dataclass(frozen=True)
class SafetyData:
    """Everything in knowledge/safety.yaml, not yet compiled."""

    levels: dict[str, Level]
    red_flags: tuple[RawRule, ...]
    active_cramp: tuple[RawRule, ...]
    mask: tuple[str, ...] = ()
    still_going: tuple[str, ...] = ()
    routine: tuple[RawRule, ...] = ()  # level 3: a routine appointment, said beside the answer

    def phrases(self) -> list[str]:
        """Every phrase in every rule (for the spelling vocabulary)."""
        out: list[str] = [*self.mask, *self.still_going]
        for rule in (*self.red_flags, *self.active_cramp, *self.routine):
            for group in rule.groups:
                out.extend(group)
            out.extend(rule.unless)
        return out


def load_safety(path: Path, label: str) -> SafetyData:
    """Read and check knowledge/safety.yaml."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(
        doc, None, {"version": int, "levels": list, "red_flags": list, "active_cramp": list},
        {"terms": dict, "mask": list, "still_going": list, "routine": list},
    )):
        check.raise_if_any()
    written = {str(name): check.strings(phrases, f"term ${name}", f"${name}", doc["terms"])
               for name, phrases in (doc.get("terms") or {}).items()}
    terms = _resolve_terms(written, check)
    levels: dict[str, Level] = {}
    for item in doc["levels"]:
        name = item.get("id") if isinstance(item, dict) else None
        if check.mapping(item, name, {"id": str, "rank": int, "title": str, "text": str, "sources": list}):
            name = checked_text(item, "id")
            if name in levels:
                check.add("duplicate level id", name, item)
            levels[name] = Level(name, item["rank"], item["title"].strip(), item["text"].strip(),
                                 tuple(check.strings(item["sources"], "sources", name, item)))
    red = tuple(r for r in (_raw_rule(i, check, levels, terms, True) for i in doc["red_flags"]) if r)
    routine = tuple(r for r in (_raw_rule(i, check, levels, terms, True) for i in doc.get("routine", [])) if r)
    active = tuple(r for r in (_raw_rule(i, check, levels, terms, False) for i in doc["active_cramp"]) if r)
    mask = _expand(check.strings(doc.get("mask", []), "mask", "mask"), terms, check, "mask")
    still = _expand(check.strings(doc.get("still_going", []), "still_going", "still_going"), terms, check,
                    "still_going")
    check.unique((r.id for r in (*red, *active, *routine)), "rule id")
    check.raise_if_any()
    return SafetyData(levels, red, active, tuple(mask), tuple(still), routine)


def _expand(phrases: list[str], terms: dict[str, tuple[str, ...]], check: Checker, where: str | None) -> list[str]:
    """Replace each $NAME word by every phrase of that term list ("chest ... $pain" -> "chest ... ache*", ...)."""
    out: list[str] = []
    for phrase in phrases:
        variants = [""]
        for word in phrase.split():
            if len(word) > 1 and word.startswith("$"):
                if word[1:] not in terms:
                    check.add(f"unknown term {word!r}", where)
                options = terms.get(word[1:], ())
            else:
                options = (word,)
            variants = [f"{v} {o}".strip() for v in variants for o in options]
        out.extend(variants)
    return out


def _resolve_terms(written: dict[str, list[str]], check: Checker) -> dict[str, tuple[str, ...]]:
    """Term lists with the $NAME words inside them replaced by those lists' phrases (a term list may
    build on another, in any order); a list that names itself, directly or not, is an error."""
    resolved: dict[str, tuple[str, ...]] = {}
    visiting: set[str] = set()

    def resolve(name: str) -> tuple[str, ...]:
        """One term list, fully expanded."""
        if name in resolved:
            return resolved[name]
        if name in visiting:
            check.add(f"term ${name} names itself (through ${' / $'.join(sorted(visiting))})", f"${name}")
            return ()
        visiting.add(name)
        named = {w[1:] for phrase in written[name] for w in phrase.split() if len(w) > 1 and w.startswith("$")}
        known = {n: resolve(n) for n in named if n in written}
        resolved[name] = tuple(_expand(written[name], known, check, f"${name}"))
        visiting.discard(name)
        return resolved[name]

    for name in written:
        resolve(name)
    return resolved


def _raw_rule(item: Any, check: Checker, levels: dict[str, Level], terms: dict[str, tuple[str, ...]],
              red_flag: bool) -> RawRule | None:
    """One rule as written, its $terms expanded; None when it is not a mapping of the right shape. A red
    flag (or routine) rule has a level and names its criterion; an active-cramp rule says why."""
    name = item.get("id") if isinstance(item, dict) else None
    required: dict[str, type | tuple[type, ...]] = {"id": str, "all": list}
    if red_flag:
        required |= {"level": str, "criterion": str}
    else:
        required["why"] = str
    if not check.mapping(item, name, required, {"unless": list, "unless_anywhere": list, "unless_sentence": list,
                                                "context": str}):
        return None
    name = checked_text(item, "id")
    if item.get("context") not in (None, *CONTEXTS):
        check.add(f"unknown context {item['context']!r} (known: {', '.join(CONTEXTS)})", name, item)
    if red_flag and item["level"] not in levels:
        check.add(f"unknown level {item['level']!r}", name, item)
    groups = []
    for group in item["all"]:
        phrases = _expand(check.strings(group, "each group in 'all'", name, item), terms, check, name)
        if not phrases:
            check.add("a group in 'all' is empty", name, item)
        groups.append(tuple(phrases))
    if not groups:
        check.add("'all' needs at least one group", name, item)
    unless = tuple(_expand(check.strings(item.get("unless", []), "unless", name, item), terms, check, name))
    anywhere = tuple(_expand(check.strings(item.get("unless_anywhere", []), "unless_anywhere", name, item), terms,
                             check, name))
    sentence = tuple(_expand(check.strings(item.get("unless_sentence", []), "unless_sentence", name, item), terms,
                             check, name))
    return RawRule(name, str(item.get("why", "")).strip(), item.get("level"), tuple(groups), unless, anywhere,
                   item.get("criterion"), item.get("context"), sentence)

