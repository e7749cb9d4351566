"""Reads and checks knowledge/context.yaml: lines that fit an answer to the person (sport, a child or
partner, age)."""

from __future__ import annotations

from pathlib import Path

from bot.content.knowledge import ADVICE
from bot.content.strict_yaml import SNAKE_CASE, Checker, checked_text, read_yaml
from bot.core.answer_context import WHEN_KEYS, Context, ContextLine
from bot.language.reading import ReadingData

WHO = ("child", "partner", "parent", "other")


def load_context(path: Path, label: str, reading: ReadingData, topics: tuple[str, ...]) -> Context:
    """Read knowledge/context.yaml; raise ContentError naming the file and line."""
    doc = read_yaml(path, label)
    check = Checker(label)
    lines: list[ContextLine] = []
    keep: list[str] = []
    lead: list[str] = []
    if check.version(doc) and check.mapping(doc, None, {"version": int, "lines": list, "keep_when_short": list},
                                            {"lead": list}):
        keep = check.strings(doc["keep_when_short"], "keep_when_short", None)
        lead = check.strings(doc.get("lead", []), "lead", None)
        for item in doc["lines"]:
            name = item.get("id") if isinstance(item, dict) else None
            if not check.mapping(item, name, {"id": str, "when": dict, "topics": list, "text": str, "advice": list,
                                              "sources": list}):
                continue
            name = checked_text(item, "id")
            if not SNAKE_CASE.match(name):
                check.add("id must be snake_case (a-z, 0-9, _)", name, item)
            when = item["when"]
            for key in when:
                if key not in WHEN_KEYS:
                    check.add(f"`when` may name only {', '.join(WHEN_KEYS)}", name, item)
            sports = check.strings(when.get("sport", []), "when.sport", name, item)
            who = check.strings(when.get("who", []), "when.who", name, item)
            for sport in sports:
                if sport not in reading.sports:
                    check.add(f"sport {sport!r} is not in knowledge/reading.yaml", name, item)
            check.known(who, WHO, "who", name, item)
            asked = check.strings(item["topics"], "topics", name, item)
            for topic in asked:
                if topic not in topics:
                    check.add(f"topic {topic!r} is not in knowledge/reading.yaml", name, item)
            advice = check.strings(item["advice"], "advice", name, item)
            check.known(advice, ADVICE, "advice", name, item)
            sources = check.strings(item["sources"], "sources", name, item)
            if not sources:
                check.add("sources must name at least one", name, item)
            told = check.strings(when.get("told", []), "when.told", name, item)
            check.known(told, tuple(reading.when), "when.told", name, item)
            muscles = check.strings(when.get("muscle", []), "when.muscle", name, item)
            check.known(muscles, tuple(reading.muscles), "when.muscle", name, item)
            lines.append(ContextLine(name, tuple(sports), tuple(who), when.get("older") is True,
                                     when.get("competitive") is True, tuple(asked), item["text"].strip(),
                                     tuple(advice), tuple(sources), tuple(told), tuple(muscles)))
        check.unique((line.id for line in lines), "line id")
        check.known(lead, tuple(line.id for line in lines), "lead", None)
    check.raise_if_any()
    return Context(tuple(lines), tuple(k.lower() for k in keep), frozenset(lead))
