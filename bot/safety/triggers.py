"""Red-flag and active-cramp detection: phrase rules from knowledge/safety.yaml, checked on every
message before anything else."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.language.normaliser import Normalised, Normaliser, PhraseIndex
from bot.content.strict_yaml import Checker, read_yaml

DURATION = "<duration10>"
_MINUTES = re.compile(r"^(\d+)(?:m|min|mins|minute|minutes)$")
_HOURS = re.compile(r"^(\d+)(?:h|hr|hrs|hour|hours)$")
_MINUTE_WORDS = {"m", "min", "mins", "minute", "minutes"}
_HOUR_WORDS = {"h", "hr", "hrs", "hour", "hours"}
_LONG_WORDS = {"ages", "forever", "hours"}
_TENS = {20, 30, 40, 50}  # "twenty", "thirty"... before a digit: one number ("twenty five")
# "since 3", "since 3am", "since 0300", "since 2330": four digits are a 24-hour time unless they could
# be a year ("since 2015", "since 1998": 1900 to 2099)
_FOUR_DIGIT_TIME = r"(?:0\d|1[0-8]|2[1-3])[0-5]\d"
_CLOCK = re.compile(rf"^(\d{{1,2}}(am|pm)?|{_FOUR_DIGIT_TIME}|noon|midnight|lunch|lunchtime|breakfast|dinner|teatime)$")


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
    """A trigger: every group must match (by phrase index) in clauses without an `unless` phrase, and
    no `unless_anywhere` phrase may be affirmed anywhere in the message."""

    id: str
    why: str
    level: str | None
    groups: tuple[frozenset[int], ...]
    unless: frozenset[int]
    unless_anywhere: frozenset[int] = frozenset()


@dataclass(frozen=True)
class RawRule:
    """A rule as written in YAML, before its phrases are normalised."""

    id: str
    why: str
    level: str | None
    groups: tuple[tuple[str, ...], ...]
    unless: tuple[str, ...]
    unless_anywhere: tuple[str, ...] = ()


@dataclass(frozen=True)
class SafetyData:
    """Everything in knowledge/safety.yaml, not yet compiled."""

    levels: dict[str, Level]
    red_flags: tuple[RawRule, ...]
    active_cramp: tuple[RawRule, ...]
    mask: tuple[str, ...] = ()
    still_going: tuple[str, ...] = ()

    def phrases(self) -> list[str]:
        """Every phrase in every rule (for the spelling vocabulary)."""
        out: list[str] = [*self.mask, *self.still_going]
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


@dataclass(frozen=True)
class Assessment:
    """What the safety scan found in one message."""

    red_flag: RedFlag | None
    active_cramp: Rule | None


def load_safety(path: Path, label: str) -> SafetyData:
    """Read and check knowledge/safety.yaml."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(
        doc, None, {"version": int, "levels": list, "red_flags": list, "active_cramp": list},
        {"terms": dict, "mask": list, "still_going": list},
    )):
        check.raise_if_any()
    written = {str(name): check.strings(phrases, f"term ${name}", f"${name}", doc["terms"])
               for name, phrases in (doc.get("terms") or {}).items()}
    terms = _resolve_terms(written, check)
    levels: dict[str, Level] = {}
    for item in doc["levels"]:
        name = item.get("id") if isinstance(item, dict) else None
        if check.mapping(item, name, {"id": str, "rank": int, "title": str, "text": str, "sources": list}):
            if name in levels:
                check.add("duplicate level id", name, item)
            levels[name] = Level(name, item["rank"], item["title"].strip(), item["text"].strip(),
                                 tuple(check.strings(item["sources"], "sources", name, item)))
    red = tuple(r for r in (_raw_rule(i, check, levels, terms, True) for i in doc["red_flags"]) if r)
    active = tuple(r for r in (_raw_rule(i, check, levels, terms, False) for i in doc["active_cramp"]) if r)
    mask = _expand(check.strings(doc.get("mask", []), "mask", "mask"), terms, check, "mask")
    still = _expand(check.strings(doc.get("still_going", []), "still_going", "still_going"), terms, check,
                    "still_going")
    check.unique((r.id for r in (*red, *active)), "rule id")
    check.raise_if_any()
    return SafetyData(levels, red, active, tuple(mask), tuple(still))


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
              needs_level: bool) -> RawRule | None:
    name = item.get("id") if isinstance(item, dict) else None
    required = {"id": str, "why": str, "all": list}
    if needs_level:
        required["level"] = str
    if not check.mapping(item, name, required, {"unless": list, "unless_anywhere": list}):
        return None
    if needs_level and item["level"] not in levels:
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
    return RawRule(name, item["why"].strip(), item.get("level"), tuple(groups), unless, anywhere)


class Triggers:
    """Compiled trigger rules; answers 'is this a red flag?' and 'is a cramp happening now?'."""

    def __init__(self, data: SafetyData, normaliser: Normaliser):
        self.data = data
        self.normaliser = normaliser
        self._phrases: dict[tuple[str, ...], int] = {}
        self._index = PhraseIndex()
        self._mask = PhraseIndex()
        for key, text in enumerate(data.mask):
            self._mask.add(key, normaliser.phrase(text))
        self._still_going = PhraseIndex()
        for key, text in enumerate(data.still_going):
            self._still_going.add(key, normaliser.phrase(text))
        self.red_flags = tuple(self._compile(r, normaliser) for r in data.red_flags)
        self.active_cramp = tuple(self._compile(r, normaliser) for r in data.active_cramp)

    def _compile(self, raw: RawRule, normaliser: Normaliser) -> Rule:
        groups = tuple(frozenset(self._phrase_id(p, normaliser) for p in g) for g in raw.groups)
        unless = frozenset(self._phrase_id(p, normaliser) for p in raw.unless)
        anywhere = frozenset(self._phrase_id(p, normaliser) for p in raw.unless_anywhere)
        return Rule(raw.id, raw.why, raw.level, groups, unless, anywhere)

    def _phrase_id(self, text: str, normaliser: Normaliser) -> int:
        phrase = normaliser.phrase(text)
        if phrase in self._phrases:
            return self._phrases[phrase]
        pid = len(self._phrases)
        self._phrases[phrase] = pid
        self._index.add(pid, phrase)
        return pid

    def scan(self, clauses: tuple[tuple[str, ...], ...]) -> list[tuple[frozenset[int], frozenset[int]]]:
        """Phrases present and not negated, clause by clause: (after masking, for rule groups; before
        masking, for `unless`)."""
        found_in: list[tuple[frozenset[int], frozenset[int]]] = []
        marked = [mark_durations(clause) for clause in mark_clock_gaps(clauses)]
        for i, clause in enumerate(marked):
            hidden = self._masked(clause, marked[i + 1] if i + 1 < len(marked) else ())
            found = frozenset(self._collect(hidden))
            found_in.append((found, found if hidden == clause else frozenset(self._collect(clause))))
        return found_in

    def _collect(self, clause: tuple[str, ...]) -> set[int]:
        found: set[int] = set()
        for pid, start, _ in self._index.matches(clause):
            if pid not in found and not self.normaliser.negated(clause, start):
                found.add(pid)
        return found

    def _masked(self, clause: tuple[str, ...], following: tuple[str, ...] = ()) -> tuple[str, ...]:
        """Blank out words covered by a mask phrase ("hot water bottle", "lead to") so they cannot trigger.
        A duration stays when this clause or the `following` one says the cramp is still there
        ("cramped mid-swim and it's been 15 min, still rock hard"; "stretching it for 15 minutes, it's still tight")."""
        tokens = list(clause)
        keep_durations: bool | None = None  # looked up only when a mask names a duration
        for key, start, end in self._mask.matches(clause):
            names_duration = DURATION in self.data.mask[key]
            if names_duration and keep_durations is None:
                keep_durations = any(next(iter(self._still_going.matches(part)), None) is not None
                                     for part in (clause, following))
            if names_duration and keep_durations:
                continue  # "stretched it for 20 minutes and it is still tight": the cramp has lasted that long
            for i in range(start, end):  # a mask naming a duration hides only the duration
                if not names_duration or clause[i] == DURATION:
                    tokens[i] = ""
        return tuple(tokens)

    def assess(self, message: Normalised) -> Assessment:
        """Scan a message: its most urgent red flag and whether a cramp is happening now. When spelling
        correction changed a word, the words as typed are scanned too and the more urgent finding wins."""
        found = self._assess(message.clauses)
        if message.uncorrected is None:
            return found
        typed = self._assess(message.uncorrected)
        return Assessment(_more_urgent(found.red_flag, typed.red_flag), found.active_cramp or typed.active_cramp)

    def _assess(self, clauses: tuple[tuple[str, ...], ...]) -> Assessment:
        found_in = self.scan(clauses)
        affirmed = frozenset().union(*(found for found, _ in found_in))
        best: RedFlag | None = None
        for rule in self.red_flags:
            if _fires(rule, affirmed, found_in):
                best = _more_urgent(best, RedFlag(rule, self.data.levels[rule.level or ""]))
        active = next((rule for rule in self.active_cramp if _fires(rule, affirmed, found_in)), None)
        return Assessment(best, active)


def _more_urgent(best: RedFlag | None, other: RedFlag | None) -> RedFlag | None:
    """The red flag with the more urgent level of care (the first one on a tie)."""
    if other is None or (best is not None and best.level.rank <= other.level.rank):
        return best
    return other


def _fires(rule: Rule, affirmed: frozenset[int],
           found_in: list[tuple[frozenset[int], frozenset[int]]]) -> bool:
    """Every group has an affirmed phrase, found only in clauses without any of the rule's `unless`
    phrases: "my calves are swollen from sunburn" is not raised, but in "got a bit sunburnt at the
    beach, but now only my left calf is swollen" the second clause is evidence enough ("not my
    period" is not an exception either). `unless` looks at each clause before masking, so "hot
    weather" can both hide "hot" and explain swelling. An `unless_anywhere` phrase clears the whole
    message ("my stomach is cramping, i think it's my period")."""
    if not all(group & affirmed for group in rule.groups):
        return False
    if rule.unless_anywhere and any(rule.unless_anywhere & context for _, context in found_in):
        return False
    if not rule.unless:
        return True
    cleared = [bool(rule.unless & context) for _, context in found_in]
    if not any(cleared):  # most messages: no exception at all
        return True
    clean = frozenset().union(*(found for (found, _), gone in zip(found_in, cleared) if not gone))
    return all(group & clean for group in rule.groups)


_HOUR = re.compile(r"^(\d{1,2})(am|pm)?$", re.ASCII)
_FOUR_DIGITS = re.compile(rf"^{_FOUR_DIGIT_TIME}$", re.ASCII)
_MINUTE_PART = re.compile(r"^([0-5]\d)(am|pm)?$", re.ASCII)
_START_WORDS = {"at", "since", "from", "around"}
MAX_CLOCK_GAP = 360  # minutes: a "now" further on (or earlier, read round the clock) is more likely a count than a time
_CLOCK_OFFSETS = {"half": 30, "quarter": 15}  # minutes past (or to) the hour
_CLOCK_STARTS = {*_CLOCK_OFFSETS, "noon", "midnight"}  # words a clock time can begin with
_AFTER_A_BARE_HOUR = {"am", "pm", "oclock", "o", "and", "but", "still", "its", "it", "is", "now", "in", "this", "my",
                      "the", "last", "tonight", "today"}
RECENT_START = "<recent>"  # a start time the time now shows to be under ten minutes ago


@dataclass(frozen=True)
class ClockTime:
    """A time read from a message: minutes after 12 o'clock on a 12-hour clock, and which half of the
    day (0 morning, 1 afternoon) when the message says ("4pm", "16:30"), or None ("4", "half past 4")."""

    minutes: int
    half: int | None = None

    def minutes_until(self, later: "ClockTime") -> int:
        """Minutes from this time on to `later`: round a 24-hour clock when both say which half of the day
        they are in ("11am" to "11pm" is 720), else round a 12-hour one."""
        if self.half is not None and later.half is not None:
            return (later.minutes + 720 * later.half - self.minutes - 720 * self.half) % 1440
        return (later.minutes - self.minutes) % 720


def _hour(token: str) -> tuple[int, int | None] | None:
    """The hour on a 12-hour clock (12 is 0) of "4", "4am", "12pm" or "16" (and its half of the day,
    when the token says); None for anything else."""
    found = _HOUR.match(token)
    if not found:
        return None
    hour, suffix = int(found.group(1)), found.group(2)
    if 1 <= hour <= 12:
        return hour % 12, None if suffix is None else int(suffix == "pm")
    if suffix is None and (hour == 0 or 13 <= hour <= 23) and len(token) == 2:  # "16", "00": a 24-hour clock
        return hour % 12, int(hour >= 12)
    return None


def _clock_at(clauses: tuple[tuple[str, ...], ...], c: int, t: int) -> tuple[ClockTime, list[tuple[int, int]]] | None:
    """A clock time starting at clauses[c][t] ("4", "4am", "4:30", "16:30", "2330", "half past 4",
    "quarter to 5", "10 past 3", "noon") and the (clause, token) places it covers, or None. "4:30" and
    "4.30" arrive as two clauses ("... 4" and "30 ..."): the colon and the full stop split clauses."""
    clause = clauses[c]
    word, nxt, after = clause[t], clause[t + 1] if t + 1 < len(clause) else "", clause[t + 2] if t + 2 < len(clause) else ""
    if word in ("noon", "midnight"):
        return ClockTime(0, int(word == "noon")), [(c, t)]
    if _FOUR_DIGITS.match(word):  # "2330", "0245"
        hours = int(word[:2])
        return ClockTime(hours % 12 * 60 + int(word[2:]), int(hours >= 12)), [(c, t)]
    small = word.isascii() and word.isdigit() and len(word) <= 2  # "10" (not "፩": int() refuses it)
    amount = _CLOCK_OFFSETS.get(word, int(word) if small and 1 <= int(word) < 60 else None)
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
        minute = _MINUTE_PART.match(clauses[c + 1][0])
        if minute:
            half = hour[1] if minute.group(2) is None else int(minute.group(2) == "pm")
            return ClockTime(hour[0] * 60 + int(minute.group(1)), half), [(c, t), (c + 1, 0)]
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
            clock = _clock_at(clauses, c, t)
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


def _replace_with_duration(clauses: tuple[tuple[str, ...], ...], places: list[tuple[int, int]]) -> tuple[tuple[str, ...], ...]:
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
        if token in _LONG_WORDS or _HOURS.match(token) or (minutes and _at_least_10(minutes.group(1))):
            out.append(DURATION)
            i += 1
        elif token == "half" and nxt in ("an", "a") and after in _HOUR_WORDS:
            out.append(DURATION)
            i += 3
        elif token == "quarter" and nxt == "of" and after in ("an", "a"):
            out.append(DURATION)
            i += 4
        elif token in ("half", "an", "a") and nxt in _HOUR_WORDS:
            out.append(DURATION)
            i += 2
        elif token == "all" and nxt in ("night", "day", "evening", "morning", "afternoon"):
            out += ["all", DURATION]
            i += 2
        elif token == "since" and _CLOCK.match(nxt):
            out += ["since", DURATION]
            i += 2
        elif (token.isdecimal() and len(token) == 2 and nxt.isdecimal() and len(nxt) == 1 and int(token) in _TENS
              and (after in _MINUTE_WORDS or after in _HOUR_WORDS)):
            out.append(DURATION)  # "twenty five minutes" arrives as "20 5 minutes"
            i += 3
        elif token.isdecimal() and (nxt in _HOUR_WORDS or (nxt in _MINUTE_WORDS and _at_least_10(token))):
            out.append(DURATION)
            i += 2
        else:
            out.append(token)
            i += 1
    return tuple(out)
