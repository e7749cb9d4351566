"""Times people type: a time of day ("10pm", "22:30"), a moment in the past ("last night", "2 hours
ago", "at 3am"), and their time zone ("it's 14:05 here", "Berlin", "UTC+2"). Pure functions; `now`
is always passed in."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

_CLOCK = re.compile(r"\b(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?(?!\s*(?:min|hour|hr|day|week|glass))\b")
_OFFSET = re.compile(r"\b(?:utc|gmt)\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?\b")
_AGO = re.compile(r"\b(\d{1,4}|an?|one|two|three|four|five|six|seven)\s*"
                  r"(min|mins|minutes?|h|hrs?|hours?|days?|weeks?)\s*ago\b")
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_UNIT_SECONDS = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_PAST_DAYS = 90  # a diary entry further back than this is almost certainly a typo
# Words that are also the last part of a zone name but mean something else in a sentence.
_NOT_PLACES = frozenset({"wake", "easter", "east", "west", "north", "south", "central", "pacific", "mountain",
                         "eastern", "western", "universal", "zulu", "navajo", "greenwich", "current", "general",
                         "casey", "davis", "mawson", "palmer", "troll", "vostok", "macquarie", "rothera", "syowa",
                         "jersey", "guernsey", "man", "isle", "island", "islands", "faroe", "saipan", "truk",
                         "chuuk", "ponape", "yap", "uct", "zero", "kiev", "eire", "gb", "nz", "prc", "roc", "rok"})


def zone(name: str | None) -> tzinfo:
    """The tzinfo for a stored zone name ("Europe/Berlin" or "UTC+02:00"); UTC when unknown."""
    if not name:
        return timezone.utc
    match = re.fullmatch(r"UTC([+-])(\d{2}):(\d{2})", name)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return timezone.utc


def parse_clock(text: str) -> str | None:
    """A time of day as "HH:MM" ("10pm" -> "22:00", "22.30" -> "22:30", "half ten" is not understood)."""
    lowered = text.lower()
    if "midnight" in lowered:
        return "00:00"
    if "noon" in lowered or "midday" in lowered:
        return "12:00"
    for hour_text, minute_text, meridiem in _CLOCK.findall(lowered):
        hour, minute = int(hour_text), int(minute_text or 0)
        if meridiem:
            if not 1 <= hour <= 12:
                continue
            hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
        elif not minute_text and hour > 24:
            continue
        if hour == 24:
            hour = 0
        if 0 <= hour <= 23 and 0 <= minute <= 59:
            return f"{hour:02d}:{minute:02d}"
    return None


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
        utc_now = datetime.fromtimestamp(now, timezone.utc)
        local = utc_now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        difference = (local - utc_now).total_seconds() / 60
        difference = (difference + 12 * 60) % (24 * 60) - 12 * 60  # nearest: between -12 h and +12 h
        quarters = round(difference / 15) * 15
        sign = "+" if quarters >= 0 else "-"
        return f"UTC{sign}{abs(quarters) // 60:02d}:{abs(quarters) % 60:02d}"
    return None


def parse_when(text: str, now: float, zone_name: str | None) -> float | None:
    """A past moment ("just now", "20 minutes ago", "this morning", "last night", "yesterday",
    "at 3am") as epoch seconds, in the user's zone; None when the text names no time."""
    lowered = text.lower()
    local_now = datetime.fromtimestamp(now, zone(zone_name))
    ago = _AGO.search(lowered)
    clock = parse_clock(lowered) if re.search(r"\b(at|around|about)\s+\d", lowered) else None
    if ago:
        amount = _WORD_NUMBERS.get(ago.group(1)) or int(ago.group(1))
        seconds = amount * _UNIT_SECONDS[ago.group(2)[0]]
        if seconds > MAX_PAST_DAYS * 86400:
            return None
        moment = now - seconds
        if clock and ago.group(2)[0] in "dw":  # "2 days ago at 3am"
            hour, minute = map(int, clock.split(":"))
            day = datetime.fromtimestamp(moment, zone(zone_name))
            moment = day.replace(hour=hour, minute=minute, second=0, microsecond=0).timestamp()
        return min(moment, now)
    weekday = next((d for d in _WEEKDAYS if d in lowered), None)
    if weekday is not None:
        back = (local_now.weekday() - _WEEKDAYS.index(weekday)) % 7 or 7
        hour, minute = map(int, clock.split(":")) if clock else (12, 0)
        day = local_now - timedelta(days=back)
        return day.replace(hour=hour, minute=minute, second=0, microsecond=0).timestamp()
    if re.search(r"\b(just now|right now|now|a moment ago|just)\b", lowered) and "last" not in lowered:
        return now

    def at(day_offset: int, hour: int, minute: int = 0) -> float:
        """A local clock time `day_offset` days from today, never in the future."""
        moment = (local_now + timedelta(days=day_offset)).replace(hour=hour, minute=minute, second=0, microsecond=0)
        return min(moment.timestamp(), now)

    if clock:
        hour, minute = map(int, clock.split(":"))
        day = -1 if "yesterday" in lowered or (hour, minute) > (local_now.hour, local_now.minute) else 0
        return at(day, hour, minute)
    if "last night" in lowered or "overnight" in lowered or "in the night" in lowered:
        return at(0, 3) if local_now.hour >= 6 else now - 3600
    if "yesterday" in lowered:
        for word, hour in (("morning", 9), ("afternoon", 15), ("evening", 20), ("night", 23)):
            if word in lowered:
                return at(-1, hour)
        return at(-1, 12)
    for word, hour in (("this morning", 8), ("this afternoon", 15), ("this evening", 19), ("tonight", 21),
                       ("earlier today", max(local_now.hour - 2, 0)), ("earlier", max(local_now.hour - 2, 0))):
        if word in lowered:
            return at(0, hour)
    return None


def next_at(clock: str, zone_name: str | None, after: float) -> float:
    """The next moment after `after` when it is `clock` ("22:30") in the user's zone (DST-aware)."""
    hour, minute = map(int, clock.split(":"))
    tz = zone(zone_name)
    local = datetime.fromtimestamp(after, tz)
    for days in range(0, 3):
        day = (local + timedelta(days=days)).date()
        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).timestamp()
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a clock time recurs within three days")


def local_time(epoch: float, zone_name: str | None) -> datetime:
    """An epoch moment in the user's zone."""
    return datetime.fromtimestamp(epoch, zone(zone_name))
