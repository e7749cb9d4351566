"""Which emergency number to give (knowledge/emergency_numbers.yaml): the person's region from a place
named in their message or from their saved time zone, else the whole list; always "or your local
emergency number"."""

from __future__ import annotations

from dataclasses import dataclass

from bot.language.normaliser import Normalised, Normaliser
from bot.language.phrases import PhraseIndex


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
