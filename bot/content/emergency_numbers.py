"""Reads and checks knowledge/emergency_numbers.yaml: each region's emergency number, the zones and
places that identify it, and the wording when the region is unknown."""

from __future__ import annotations

from pathlib import Path

from bot.content.strict_yaml import SNAKE_CASE, Checker, checked_text, read_yaml
from bot.safety.emergency_numbers import NumbersData, Region


def load_numbers(path: Path, label: str) -> NumbersData:
    """Read the emergency numbers; raise ContentError naming the file and region."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(
            doc, None, {"version": int, "unknown": str, "local": str, "same_day_unknown": str, "sources": list,
                        "regions": list})):
        check.raise_if_any()
    regions: list[Region] = []
    for item in doc["regions"]:
        name = item.get("id") if isinstance(item, dict) else None
        if not check.mapping(item, name, {"id": str, "name": str, "number": str, "zones": list, "places": list},
                             {"same_day": str}):
            continue
        name = checked_text(item, "id")
        if not SNAKE_CASE.match(name):
            check.add("id must be snake_case (a-z, 0-9, _)", name, item)
        if not item["number"].isdecimal():
            check.add("number must be digits only", name, item)
        regions.append(Region(name, item["name"].strip(), item["number"], item.get("same_day", "").strip(),
                              tuple(check.strings(item["zones"], "zones", name, item)),
                              tuple(check.strings(item["places"], "places", name, item))))
    check.unique((r.id for r in regions), "region id")
    sources = tuple(check.strings(doc["sources"], "sources", None, doc))
    if not regions or not sources:
        check.add("needs at least one region and one source")
    check.raise_if_any()
    return NumbersData(doc["unknown"].strip(), doc["local"].strip(), doc["same_day_unknown"].strip(), sources,
                       tuple(regions))
