"""Times and durations people type, read with one clock grammar and one table of unit words. A whole answer
gives a time of day (`parse_clock`: "10pm", "22:30") or a past moment (`parse_when`: "2 hours ago", "last
night", "at 3am"); time zones people name are read in bot.language.zones. A message's
tokens give the safety rules their clock times and durations (`mark_clock_gaps`, `mark_durations`). Pure
functions; `now` is always passed in."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The grammar. Unit words, and what each unit is.
UNIT_WORDS = {**dict.fromkeys(("m", "min", "mins", "minute", "minutes"), "minute"),
              **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), "hour"),
              **dict.fromkeys(("day", "days"), "day"), **dict.fromkeys(("week", "weeks"), "week")}
MINUTE_WORDS = tuple(word for word, unit in UNIT_WORDS.items() if unit == "minute")
HOUR_WORDS = tuple(word for word, unit in UNIT_WORDS.items() if unit == "hour")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400, "week": 7 * 86400}
# A clock time: an hour, optional minutes and am/pm ("4", "4pm", "4 pm", "16:30", "4.30 p.m.", "16h30")
CLOCK = r"(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?"
# Four digits are a 24-hour time ("0300", "2330") unless they could be a year ("2015", "1998": 1900 to 2099);
# only the safety scan reads them: `parse_clock` takes "23:30" but not "2330".
FOUR_DIGIT_TIME = r"(?:0\d|1[0-8]|2[1-3])[0-5]\d"
NAMED_HOURS = {"midnight": 0, "noon": 12}
MEALS = ("lunch", "lunchtime", "breakfast", "dinner", "teatime")
CLOCK_OFFSETS = {"half": 30, "quarter": 15}  # minutes past (or to) the hour

# Read in running text, a clock time is no count of units or glasses ("3 mins", "2 days", "3 glasses"). The
# words are matched as word beginnings, so the one-letter units are left out ("at 3 maybe" is a time).
_CLOCK_IN_TEXT = re.compile(rf"\b{CLOCK}(?!\s*(?:{'|'.join(w for w in UNIT_WORDS if len(w) > 1)}|glass))\b")
_CLOCK_WORD = re.compile(CLOCK)
_FOUR_DIGITS = re.compile(FOUR_DIGIT_TIME)
# Every unit word but a lone "m": "5 m ago" is not read here, while the safety scan reads "15m" as minutes.
_AGO = re.compile(r"\b(\d{1,4}|an?|one|two|three|four|five|six|seven)\s*"
                  rf"({'|'.join(w for w in UNIT_WORDS if w != 'm')})\s*ago\b")
_WORD_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MAX_PAST_DAYS = 90  # a diary entry further back than this is almost certainly a typo


def zone(name: str | None) -> tzinfo:
    """The tzinfo for a stored zone name ("Europe/Berlin" or "UTC+02:00"); UTC when unknown."""
    if not name:
        return UTC
    match = re.fullmatch(r"UTC([+-])(\d{2}):(\d{2})", name)
    if match:
        sign = 1 if match.group(1) == "+" else -1
        return timezone(sign * timedelta(hours=int(match.group(2)), minutes=int(match.group(3))))
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_clock(text: str) -> str | None:
    """A time of day as "HH:MM" ("10pm" -> "22:00", "22.30" -> "22:30", "half ten" is not understood)."""
    lowered = text.lower()
    for name, hour in {**NAMED_HOURS, "midday": 12}.items():  # "midday" too; the safety scan reads noon only
        if name in lowered:
            return f"{hour:02d}:00"
    for hour_text, minute_text, meridiem in _CLOCK_IN_TEXT.findall(lowered):
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


def parse_when(text: str, now: float, zone_name: str | None) -> float | None:
    """A past moment ("just now", "20 minutes ago", "this morning", "last night", "yesterday",
    "at 3am") as epoch seconds, in the user's zone; None when the text names no time."""
    lowered = text.lower()
    local_now = datetime.fromtimestamp(now, zone(zone_name))
    ago = _AGO.search(lowered)
    clock = parse_clock(lowered) if re.search(r"\b(at|around|about)\s+\d", lowered) else None
    if ago:
        amount = _WORD_NUMBERS.get(ago.group(1)) or int(ago.group(1))
        unit = UNIT_WORDS[ago.group(2)]
        seconds = amount * _UNIT_SECONDS[unit]
        if seconds > MAX_PAST_DAYS * 86400:
            return None
        moment = now - seconds
        if clock and unit in ("day", "week"):  # "2 days ago at 3am"
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
        offset = -1 if "yesterday" in lowered or (hour, minute) > (local_now.hour, local_now.minute) else 0
        return at(offset, hour, minute)
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


@dataclass(frozen=True)
class PastTime:
    """A past moment read from words, and how exactly they gave it: a clock time or "20 minutes ago" is
    `exact`; "last night", "yesterday" or "3 days ago" give a day (and maybe its `part`), and `said` keeps
    those words, so the moment is never shown as a clock time nobody said."""

    at: float
    exact: bool = True
    part: str | None = None  # "night", "morning", "afternoon" or "evening"
    said: str | None = None


_APPROXIMATE = (  # (words, part of the day, what to keep as said); the first found wins
    ("yesterday morning", "morning", None), ("yesterday afternoon", "afternoon", None),
    ("yesterday evening", "evening", None), ("last night", "night", None), ("overnight", "night", "last night"),
    ("in the night", "night", "last night"), ("yesterday", None, None), ("this morning", "morning", None),
    ("this afternoon", "afternoon", None), ("this evening", "evening", None), ("tonight", "evening", None),
    ("earlier today", None, None), ("earlier", None, "earlier today"), ("today", None, "earlier today"),
)
_DAYS_AGO = re.compile(r"\b(?:\d{1,4}|an?|one|two|three|four|five|six|seven)\s*(?:days?|weeks?)\s*ago\b")
_WEEKDAY = re.compile(rf"\b(?:last\s+)?(?:{'|'.join(_WEEKDAYS)})\b")


def read_when(text: str, now: float, zone_name: str | None) -> PastTime | None:
    """`parse_when`, and whether the words gave a clock time: "at 3am", "2 hours ago" and "just now" do;
    "last night" (part: night), "yesterday", "last monday" and "3 days ago" give a day, kept as said."""
    at = parse_when(text, now, zone_name)
    if at is None:
        return None
    lowered = " ".join(text.lower().split())
    clock = re.search(r"\b(at|around|about)\s+\d", lowered) and parse_clock(lowered)
    ago = _AGO.search(lowered)
    if clock or (ago and UNIT_WORDS[ago.group(2)] in ("minute", "hour")):
        return PastTime(at)
    if re.search(r"\b(just now|right now|now|a moment ago|just)\b", lowered) and "last" not in lowered:
        return PastTime(at)
    for pattern in (_DAYS_AGO, _WEEKDAY):
        found = pattern.search(lowered)
        if found:
            return PastTime(at, exact=False, said=found.group(0))
    for words, part, said in _APPROXIMATE:
        if re.search(rf"\b{words}\b", lowered):
            return PastTime(at, exact=False, part=part, said=said or words)
    return PastTime(at)


def next_at(clock: str, zone_name: str | None, after: float) -> float:
    """The next moment after `after` when it is `clock` ("22:30") in the user's zone (DST-aware)."""
    hour, minute = map(int, clock.split(":"))
    tz = zone(zone_name)
    local = datetime.fromtimestamp(after, tz)
    for days in range(3):
        day = (local + timedelta(days=days)).date()
        candidate = datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz).timestamp()
        if candidate > after:
            return candidate
    raise AssertionError("unreachable: a clock time recurs within three days")


def local_time(epoch: float, zone_name: str | None) -> datetime:
    """An epoch moment in the user's zone."""
    return datetime.fromtimestamp(epoch, zone(zone_name))


# Clock times and durations among a message's tokens, marked for the safety rules. "4:30" and "4.30" arrive
# as two clauses ("... 4" and "30 ..."): the colon and the full stop split clauses.
DURATION = "<duration10>"  # a time of ten minutes or more
RECENT_START = "<recent>"  # a start time the time now shows to be under ten minutes ago
METRES_FROM = 100  # "100m", "1500m": a lone "m" after a number this big is a distance, not minutes
MAX_CLOCK_GAP = 360  # minutes: a "now" further on (or earlier, read round the clock) is more likely a count than a time
_START_WORDS = {"at", "since", "from", "around"}
_CLOCK_STARTS = {*CLOCK_OFFSETS, *NAMED_HOURS}  # words a clock time can begin with
_AFTER_A_BARE_HOUR = {"am", "pm", "oclock", "o", "and", "but", "still", "its", "it", "is", "now", "in", "this", "my",
                      "with", "the", "last", "tonight", "today"}
_LONG_WORDS = {"ages", "forever", "hours"}
_TENS = {20, 30, 40, 50}  # "twenty", "thirty"... before a digit: one number ("twenty five")
_MINUTES = re.compile(rf"^(\d+)(?:{'|'.join(MINUTE_WORDS)})$")
_HOURS = re.compile(rf"^(\d+)(?:{'|'.join(HOUR_WORDS)})$")


@dataclass(frozen=True)
class ClockTime:
    """A time read from a message: minutes after 12 o'clock on a 12-hour clock, and which half of the
    day (0 morning, 1 afternoon) when the message says ("4pm", "16:30"), or None ("4", "half past 4")."""

    minutes: int
    half: int | None = None

    def minutes_until(self, later: ClockTime) -> int:
        """Minutes from this time on to `later`: round a 24-hour clock when both say which half of the day
        they are in ("11am" to "11pm" is 720), else round a 12-hour one."""
        if self.half is not None and later.half is not None:
            return (later.minutes + 720 * later.half - self.minutes - 720 * self.half) % 1440
        return (later.minutes - self.minutes) % 720


def _hour_word(token: str) -> tuple[str, str | None] | None:
    """The digits and am/pm of a token that is a whole clock time without minutes ("4", "4pm", "16"), else
    None. A token holds no colon or full stop; minutes in one ("4h30") are read by `parse_clock` only."""
    found = _CLOCK_WORD.fullmatch(token)
    return (found.group(1), found.group(3)) if found and found.group(2) is None else None


def _hour(token: str) -> tuple[int, int | None] | None:
    """The hour on a 12-hour clock (12 is 0) of "4", "4am", "12pm" or "16" (and its half of the day,
    when the token says); None for anything else."""
    found = _hour_word(token) if token.isascii() else None  # ASCII only; after "since" any digits count ("since ٣")
    if not found:
        return None
    hour, suffix = int(found[0]), found[1]
    if 1 <= hour <= 12:
        return hour % 12, None if suffix is None else int(suffix == "pm")
    if suffix is None and (hour == 0 or 13 <= hour <= 23) and len(token) == 2:  # "16", "00": a 24-hour clock
        return hour % 12, int(hour >= 12)
    return None


def clock_at(clauses: tuple[tuple[str, ...], ...], c: int, t: int) -> tuple[ClockTime, list[tuple[int, int]]] | None:
    """A clock time starting at clauses[c][t] ("4", "4am", "4:30", "16:30", "2330", "half past 4",
    "quarter to 5", "10 past 3", "half 3", "noon") and the (clause, token) places it covers, or None."""
    clause = clauses[c]
    word = clause[t]
    nxt, after = clause[t + 1] if t + 1 < len(clause) else "", clause[t + 2] if t + 2 < len(clause) else ""
    if word in NAMED_HOURS:
        return ClockTime(NAMED_HOURS[word] % 12 * 60, int(NAMED_HOURS[word] >= 12)), [(c, t)]
    if word.isascii() and _FOUR_DIGITS.fullmatch(word):  # "2330", "0245"
        hours = int(word[:2])
        return ClockTime(hours % 12 * 60 + int(word[2:]), int(hours >= 12)), [(c, t)]
    small = word.isascii() and word.isdigit() and len(word) <= 2  # "10" (not "፩": int() refuses it)
    amount = CLOCK_OFFSETS.get(word, int(word) if small and 1 <= int(word) < 60 else None)
    of = _hour(after)
    if amount is not None and nxt in ("past", "to", "after") and of is not None:
        sign = -1 if nxt == "to" else 1
        return ClockTime((of[0] * 60 + sign * amount) % 720), [(c, t), (c, t + 1), (c, t + 2)]
    half_of = _hour(nxt) if word == "half" else None
    if half_of is not None:  # "half 3": half past three (UK)
        return ClockTime(half_of[0] * 60 + 30), [(c, t), (c, t + 1)]
    hour = _hour(word)
    if hour is None:
        return None
    if t == len(clause) - 1 and c + 1 < len(clauses) and clauses[c + 1]:
        minute = _hour_word(clauses[c + 1][0]) if clauses[c + 1][0].isascii() else None
        if minute and len(minute[0]) == 2 and int(minute[0]) < 60:  # "4:30", "4:30pm": the minutes begin a clause
            half = hour[1] if minute[1] is None else int(minute[1] == "pm")
            return ClockTime(hour[0] * 60 + int(minute[0]), half), [(c, t), (c + 1, 0)]
    if nxt and not word.endswith(("am", "pm")) and nxt not in _AFTER_A_BARE_HOUR:
        return None  # "now 2 more", "at 4 weeks": a number, not a time
    if nxt in ("am", "pm") and hour[1] is None:
        return ClockTime(hour[0] * 60, int(nxt == "pm")), [(c, t)]
    return ClockTime(hour[0] * 60, hour[1]), [(c, t)]


def mark_clock_gaps(clauses: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """When a message gives a start time ("woke me at 4", "since half 3") and the time now ("it's now
    quarter to 5", "its 2:40", "its gone 4 now") ten minutes or more apart, the time now becomes
    <duration10>: the cramp has lasted that long. When they are under ten minutes apart ("since 4:30,
    it's now 4:35"), the start time becomes <recent>, so "since 4:30" is not read as a long time either."""
    if not any(_START_WORDS.intersection(clause) for clause in clauses):
        return clauses  # most messages: no start time
    start: tuple[ClockTime, tuple[int, int]] | None = None
    for c, clause in enumerate(clauses):
        for t, word in enumerate(clause):
            if not (word[:1].isdigit() or word in _CLOCK_STARTS):
                continue
            before = clause[max(0, t - 2):t]
            starts = bool(before) and before[-1] in _START_WORDS
            says_now = "now" in before or before[-1:] in (("its",), ("gone",)) or before == ("it", "is")
            if not (starts or says_now or "now" in clause[t + 1:t + 4]):
                continue
            clock = clock_at(clauses, c, t)
            if clock is None:
                continue
            time, places = clock
            last_c, last_t = places[-1]
            says_now = says_now or clauses[last_c][last_t + 1:last_t + 2] == ("now",)
            if starts:
                start = time, (c, t)
            elif says_now and start is not None:
                gap = start[0].minutes_until(time)
                if 10 <= gap <= MAX_CLOCK_GAP:
                    return _replace_with_duration(clauses, places)
                if 0 < gap < 10:
                    return _replace_start(clauses, start[1])
    return clauses


def _replace_start(clauses: tuple[tuple[str, ...], ...], place: tuple[int, int]) -> tuple[tuple[str, ...], ...]:
    """The clauses with the start time's first token at `place` replaced by <recent>."""
    c, t = place
    return (*clauses[:c], (*clauses[c][:t], RECENT_START, *clauses[c][t + 1:]), *clauses[c + 1:])


def _replace_with_duration(clauses: tuple[tuple[str, ...], ...],
                           places: list[tuple[int, int]]) -> tuple[tuple[str, ...], ...]:
    """The clauses with the time now at `places` replaced by "now <duration10>" (one "now" only), which
    the rules read as a cramp that has lasted ten minutes or more."""
    out = [list(clause) for clause in clauses]
    first_c, first_t = places[0]
    for c, t in places:
        out[c][t] = ""
    out[first_c][first_t] = DURATION if out[first_c][first_t - 1:first_t] == ["now"] else f"now {DURATION}"
    return tuple(tuple(word for token in clause if token for word in token.split(" ")) for clause in out)


def _at_least_10(digits: str) -> bool:
    """Whether a run of decimal digits is 10 or more (without int(), which refuses over 4,300 digits)."""
    significant = digits.lstrip("0")
    return len(significant) > 2 or int(significant or "0") >= 10


def _names_a_time(word: str) -> bool:
    """Whether a word after "since" is a time of day: an hour ("3", "3am", "45"; digits of any script), four
    digits ("0300", "2330"), noon, midnight or a meal ("since lunch")."""
    return (_hour_word(word) is not None or _FOUR_DIGITS.fullmatch(word) is not None or word in NAMED_HOURS
            or word in MEALS)


def _metres(number: str) -> bool:
    """True when a number before a lone "m" is more likely metres than minutes: 100 or more ("400m", "1500 m")."""
    return int(number) >= METRES_FROM


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
        if minutes and token.endswith("m") and _metres(minutes.group(1)):
            minutes = None  # "the first 1500m": a distance
        if token in _LONG_WORDS or _HOURS.match(token) or (minutes and _at_least_10(minutes.group(1))):
            out.append(DURATION)
            i += 1
        elif token == "half" and nxt in ("an", "a") and after in HOUR_WORDS:
            out.append(DURATION)
            i += 3
        elif token == "quarter" and nxt == "of" and after in ("an", "a"):
            out.append(DURATION)
            i += 4
        elif token in ("half", "an", "a") and nxt in HOUR_WORDS:
            out.append(DURATION)
            i += 2
        elif token == "all" and nxt in ("night", "day", "evening", "morning", "afternoon"):
            out += ["all", DURATION]
            i += 2
        elif token == "since" and _names_a_time(nxt):
            out += ["since", DURATION]
            i += 2
        elif (token.isdecimal() and len(token) == 2 and nxt.isdecimal() and len(nxt) == 1 and int(token) in _TENS
              and (after in MINUTE_WORDS or after in HOUR_WORDS)):
            out.append(DURATION)  # "twenty five minutes" arrives as "20 5 minutes"
            i += 3
        elif token.isdecimal() and (nxt in HOUR_WORDS or (nxt in MINUTE_WORDS and _at_least_10(token)
                                                          and not (nxt == "m" and _metres(token)))):
            out.append(DURATION)
            i += 2
        else:
            out.append(token)
            i += 1
    return tuple(out)
