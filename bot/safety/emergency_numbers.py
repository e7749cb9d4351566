"""Which emergency number to give (knowledge/emergency_numbers.yaml): the person's region from a place
named in their message or from their saved time zone, else the whole list; always "or your local
emergency number"."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from bot.language.normaliser import Normalised, Normaliser, PhraseIndex
from bot.content.strict_yaml import SNAKE_CASE, Checker, read_yaml


@dataclass(frozen=True)
class Region:
    """Where one emergency number applies."""

    id: str
    name: str
    number: str
    same_day: str
    zones: tuple[str, ...]
    places: tuple[str, ...]

    def covers_zone(self, zone: str) -> bool:
        """True when this IANA zone name lies in the region ("Australia/" covers "Australia/Perth")."""
        return any(zone.startswith(z) if z.endswith("/") else zone == z for z in self.zones)


@dataclass(frozen=True)
class NumbersData:
    """Everything in knowledge/emergency_numbers.yaml."""

    unknown: str
    local: str
    same_day_unknown: str
    sources: tuple[str, ...]
    regions: tuple[Region, ...]


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


class EmergencyNumbers:
    """Picks the region for a message and a saved zone, and words the numbers for a reply."""

    def __init__(self, data: NumbersData, normaliser: Normaliser):
        self.data = data
        self._places = PhraseIndex()
        for key, region in enumerate(data.regions):
            for place in region.places:
                self._places.add(key, normaliser.phrase(place))

    def region(self, message: Normalised | None, zone: str | None) -> Region | None:
        """The region a place in the message names (the first one), else the saved zone's, else None."""
        if message is not None:
            for clause in message.clauses:
                found = sorted((start, key) for key, start, _ in self._places.matches(clause))
                if found:
                    return self.data.regions[found[0][1]]
        if zone:
            return next((r for r in self.data.regions if r.covers_zone(zone)), None)
        return None

    def number_text(self, region: Region | None) -> str:
        """"000 (Australia), or your local emergency number", or the whole list when the region is unknown."""
        if region is None:
            return f"{self.data.unknown}, {self.data.local}"
        return f"{region.number} ({region.name}), {self.data.local}"

    def local_line(self, region: Region | None) -> str:
        """"📞 In Australia, call 000." for a known region; empty when it is unknown."""
        return f"📞 In {region.name}, call {region.number}." if region else ""

    def same_day_text(self, region: Region | None) -> str:
        """The same-day advice line's regional part (", or NHS 111"), empty when there is none."""
        line = self.data.same_day_unknown if region is None else region.same_day
        return f", {line}" if line else ""
