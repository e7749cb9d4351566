"""The time zone a person names: a city or country ("Berlin"), a UTC offset ("UTC+2"), or their local time
now ("it's 14:05 here"). Pure; `now` is passed in."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import available_timezones

from bot.language.times import parse_clock

_OFFSET = re.compile(r"\b(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b")
# Words that are also the last part of a zone name but mean something else in a sentence.
_NOT_PLACES = frozenset({"wake", "easter", "east", "west", "north", "south", "central", "pacific", "mountain",
                         "eastern", "western", "universal", "zulu", "navajo", "greenwich", "current", "general",
                         "casey", "davis", "mawson", "palmer", "troll", "vostok", "macquarie", "rothera", "syowa",
                         "jersey", "guernsey", "man", "isle", "island", "islands", "faroe", "saipan", "truk",
                         "chuuk", "ponape", "yap", "uct", "zero", "kiev", "eire", "gb", "nz", "prc", "roc", "rok"})


@lru_cache(maxsize=1)
def _cities() -> dict[str, str]:
    """City (and zone) names people type -> IANA zone, from the zone database itself."""
    found: dict[str, str] = {}
    for name in available_timezones():
        if "/" not in name or name.startswith(("Etc/", "SystemV/", "posix/", "right/")):
            continue
        city = name.rsplit("/", 1)[1].replace("_", " ").lower()
        found.setdefault(city, name)
    extra = {"uk": "Europe/London", "england": "Europe/London", "scotland": "Europe/London", "wales": "Europe/London",
             "ireland": "Europe/Dublin", "germany": "Europe/Berlin", "france": "Europe/Paris", "spain": "Europe/Madrid",
             "italy": "Europe/Rome", "netherlands": "Europe/Amsterdam", "india": "Asia/Kolkata",
             "delhi": "Asia/Kolkata", "mumbai": "Asia/Kolkata", "japan": "Asia/Tokyo", "china": "Asia/Shanghai",
             "beijing": "Asia/Shanghai", "new york": "America/New_York", "nyc": "America/New_York",
             "los angeles": "America/Los_Angeles", "la": "America/Los_Angeles", "san francisco": "America/Los_Angeles",
             "seattle": "America/Los_Angeles", "boston": "America/New_York", "washington": "America/New_York",
             "miami": "America/New_York", "texas": "America/Chicago", "houston": "America/Chicago",
             "dallas": "America/Chicago", "sydney": "Australia/Sydney", "melbourne": "Australia/Melbourne",
             "auckland": "Pacific/Auckland", "moscow": "Europe/Moscow", "kyiv": "Europe/Kyiv",
             "new jersey": "America/New_York", "east coast": "America/New_York", "west coast": "America/Los_Angeles",
             "singapore": "Asia/Singapore",
             "kiev": "Europe/Kyiv", "brazil": "America/Sao_Paulo", "sao paulo": "America/Sao_Paulo"}
    found.update(extra)
    return found


def parse_timezone(text: str, now: float) -> str | None:
    """The user's zone: a city or country ("Berlin"), a UTC offset ("UTC+2"), or their current local
    time ("it's 14:05 here"), which gives the offset rounded to a quarter hour."""
    lowered = " ".join(re.findall(r"[a-z0-9+:.-]+", text.lower()))
    offset = _OFFSET.search(lowered)
    if offset:
        sign, hours, minutes = offset.group(1), int(offset.group(2)), int(offset.group(3) or 0)
        if hours <= 14 and minutes < 60:
            return f"UTC{sign}{hours:02d}:{minutes:02d}"
        return None  # "UTC+15" is no zone on Earth; not a clock time either
    if lowered in ("utc", "gmt", "utc 0", "gmt 0"):
        return "UTC+00:00"
    clock = parse_clock(text)
    cities = _cities()
    words = re.findall(r"[a-z]+", lowered)
    if clock is None or re.search(r"\b(in|from|near|live|living)\b", lowered):
        for size in (3, 2, 1):
            for i in range(len(words) - size + 1):
                name = " ".join(words[i:i + size])
                if name in cities and (size > 1 or name not in _NOT_PLACES):
                    return cities[name]
    if clock is not None:
        hour, minute = map(int, clock.split(":"))
        utc_now = datetime.fromtimestamp(now, UTC)
        local = utc_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        difference = (local - utc_now).total_seconds() / 60
        difference = (difference + 12 * 60) % (24 * 60) - 12 * 60  # nearest: between -12 h and +12 h
        quarters = round(difference / 15) * 15
        sign = "+" if quarters >= 0 else "-"
        return f"UTC{sign}{abs(quarters) // 60:02d}:{abs(quarters) % 60:02d}"
    return None
