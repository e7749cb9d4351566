"""Reads and checks knowledge/caveats.yaml: who must not follow some advice, the phrases that recognise
them, and what to tell them instead."""

from __future__ import annotations

from pathlib import Path

from bot.content.knowledge import ADVICE
from bot.content.strict_yaml import SNAKE_CASE, Checker, checked_text, read_yaml
from bot.core.caveats import Caveat


def load_caveats(path: Path, label: str) -> tuple[Caveat, ...]:
    """Read knowledge/caveats.yaml; raise ContentError naming the file and caveat."""
    doc = read_yaml(path, label)
    check = Checker(label)
    caveats: list[Caveat] = []
    if check.version(doc) and check.mapping(doc, None, {"version": int, "caveats": list}):
        for item in doc["caveats"]:
            name = item.get("id") if isinstance(item, dict) else None
            if not check.mapping(item, name, {"id": str, "mentions": list, "advice": list, "text": str,
                                              "sources": list}, {"instead": str, "withhold": bool}):
                continue
            name = checked_text(item, "id")
            if not SNAKE_CASE.match(name):
                check.add("id must be snake_case (a-z, 0-9, _)", name, item)
            mentions = check.strings(item["mentions"], "mentions", name, item)
            advice = check.strings(item["advice"], "advice", name, item)
            sources = check.strings(item["sources"], "sources", name, item)
            check.known(advice, ADVICE, "advice", name, item)
            if not mentions or not advice or not sources:
                check.add("mentions, advice and sources must each name at least one", name, item)
            caveats.append(Caveat(name, tuple(mentions), tuple(advice), item["text"].strip(), tuple(sources),
                                  item.get("instead"), item.get("withhold", False)))
        check.unique((c.id for c in caveats), "caveat id")
    check.raise_if_any()
    return tuple(caveats)
