"""The cramp diary: entries from diary answers, the 7- and 30-day summary tied back to the
knowledge, and the data for the history chart. Pure functions over plain data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.content.flows import Flow
from bot.core import actions
from bot.core import content_ids as ids
from bot.core.replies import HistoryChart
from bot.core.session import DiaryEntry, LastRelief
from bot.core.templates import fill
from bot.language.times import PastTime, local_time, read_when

MAX_ENTRIES = 1000
DAY = 86400.0
WHEN_WORDS = {"just_now": "just now", "earlier_today": "earlier today", "last_night": "last night",
              "yesterday": "yesterday"}
RELIEF_HELPED = {"stretch": "stretch", "press": "massage", "warmth": "heat", "move": "moving", "last": "moving",
                 "keep_going": "moving"}  # the relief step that was showing when the cramp eased
# the relief steps' muscle (dialogs/relief_muscles.yaml) -> the diary's "where" (dialogs/diary.yaml)
RELIEF_WHERE = {"calf": "calf", "foot": "foot", "shin": "other", "thigh": "other", "thigh_front": "other",
                "thigh_back": "other"}
PARTS_OF_DAY = (("night", 22, 6), ("morning", 6, 12), ("afternoon", 12, 18), ("evening", 18, 22))
PARTS = tuple(part for part, _, _ in PARTS_OF_DAY)
SIDES = ("left", "right", "both")


@dataclass(frozen=True)
class Summary:
    """The history in words, the knowledge entries it points to, and whether to see a doctor."""

    text: str
    see: tuple[str, ...]
    chart: HistoryChart | None
    doctor: bool = False  # it says to see a doctor


def when_answer(text: str, now: float, zone: str | None) -> str | None:
    """A typed "when" as an answer: at:<epoch> for a clock time, about:... for a day or part of one."""
    read = read_when(text, now, zone)
    if read is None:
        return None
    return actions.at(read.at) if read.exact else actions.about(read.at, read.part, read.said)


def when_of(answer: str | None, now: float, zone: str | None) -> PastTime:
    """The moment an answer to "when" stands for (a button, a typed time, or words read only now)."""
    exact = actions.when_of(answer)
    if exact is not None:
        return PastTime(exact)
    about = actions.about_of(answer)
    if about is not None:
        return PastTime(about[0], exact=False, part=about[1], said=about[2])
    told = actions.words_of(answer)
    words = told if told is not None else WHEN_WORDS.get(answer or "")
    return (read_when(words, now, zone) if words else None) or PastTime(now)


def entry_from_answers(answers: dict[str, tuple[str, ...]], entry_id: int, now: float,
                       zone: str | None) -> DiaryEntry:
    """Turn the diary flow's answers into an entry (skipped questions stay empty)."""
    def one(key: str) -> str | None:
        """The single answer to a question, or None when skipped."""
        values = answers.get(key) or ()
        return values[0] if values else None

    when = when_of(one("when"), now, zone)
    side = one("side")
    return DiaryEntry(entry_id, when.at, one("where"), actions.severity_of(one("severity")),
                      one("duration"), tuple(answers.get("helped") or ()), one("doing"),
                      side=side if side in SIDES else None, time_known=when.exact, part=when.part, said=when.said)


def answers_from_entry(entry: DiaryEntry) -> dict[str, tuple[str, ...]]:
    """An entry as diary answers (to edit it: every answer filled in except the one to change)."""
    when = actions.at(entry.at) if entry.time_known else actions.about(entry.at, entry.part, entry.said)
    answers: dict[str, tuple[str, ...]] = {"when": (when,)}
    for key, value in (("where", entry.where), ("side", entry.side), ("duration", entry.duration),
                       ("doing", entry.doing)):
        answers[key] = (value,) if value else ()
    answers["severity"] = (actions.severity(entry.severity),) if entry.severity else ()
    answers["helped"] = entry.helped
    return answers


def answers_from_relief(relief: LastRelief) -> dict[str, tuple[str, ...]]:
    """What a just-finished relief sequence already tells the diary: when, how long, what helped, and where
    when the steps were fitted to a muscle."""
    minutes = (relief.ended_at - relief.started_at) / 60
    duration = "seconds" if minutes < 1 else "minutes" if minutes <= 5 else "long" if minutes <= 10 else "very_long"
    helped: tuple[str, ...] = (relief.helped,) if relief.helped else ()
    answers: dict[str, tuple[str, ...]] = {"when": (actions.at(relief.started_at),), "duration": (duration,),
                                           "helped": helped}
    where = RELIEF_WHERE.get(relief.muscle or "")
    return {**answers, "where": (where,)} if where else answers


def add_or_replace(diary: tuple[DiaryEntry, ...], entry: DiaryEntry) -> tuple[DiaryEntry, ...]:
    """The diary with `entry` added (or replacing the one with its id), oldest first, capped in size."""
    kept = [e for e in diary if e.id != entry.id] + [entry]
    kept.sort(key=lambda e: (e.at, e.id))
    return tuple(kept[-MAX_ENTRIES:])


def moment(entry: DiaryEntry, zone: str | None) -> str:
    """When an entry was, as the person gave it: 'Tue 14 Jan 03:00', or 'last night (Tue 14 Jan)'."""
    day = local_time(entry.at, zone)
    if entry.time_known:
        return day.strftime("%a %d %b %H:%M")
    return f"{entry.said or entry.part or ''} ({day.strftime('%a %d %b')})".strip()


def part_of(entry: DiaryEntry, zone: str | None) -> str | None:
    """The part of the day an entry falls in: from its clock time, or the part that was said (None: not said)."""
    return part_of_day(local_time(entry.at, zone).hour) if entry.time_known else entry.part


def describe(entry: DiaryEntry, diary_flow: Flow, zone: str | None, texts: dict[str, str],
             number: int | None = None) -> str:
    """One line for an entry: '#3 Tue 14 Jan 03:00 · calf (left) · 4/5 · 1 to 5 minutes · helped: stretching'
    (#: its place in the diary, oldest first; the id when no place is given)."""
    labels = diary_flow.answer_labels()
    parts = [f"#{entry.id if number is None else number} {moment(entry, zone)}"]
    if entry.count > 1:
        parts.append(texts["diary_line_several"])
    where = labels.get(("where", entry.where), entry.where).lower() if entry.where else None
    side = labels.get(("side", entry.side), entry.side).lower() if entry.side else None
    if where or side:
        parts.append(f"{where} ({side})" if where and side else where or side or "")
    if entry.severity:
        parts.append(f"{entry.severity}/5")
    if entry.duration:
        parts.append(labels.get(("duration", entry.duration), entry.duration).lower())
    if entry.helped:
        helped = ", ".join(labels.get(("helped", h), h).lower() for h in entry.helped)
        parts.append(fill(texts, "diary_line_helped", helped=helped))
    return " · ".join(parts)


def numbers(diary: tuple[DiaryEntry, ...]) -> dict[int, int]:
    """Each entry's place in the diary, oldest first from 1 (entry id -> number): the numbers the person sees."""
    return {entry.id: place for place, entry in enumerate(diary, 1)}


def summarise(diary: tuple[DiaryEntry, ...], now: float, zone: str | None, diary_flow: Flow,
              texts: dict[str, str], quiet_nights: tuple[str, ...] = ()) -> Summary:
    """The last 7 and 30 days in words, with pointers to the knowledge and, when the pattern calls
    for it, the safety reference's advice to book an appointment. An entry counts `count` cramps; nights
    the morning check-in called cramp-free are counted beside them."""
    if not diary and not quiet_nights:
        return Summary(texts["history_empty"], (), None)
    labels = diary_flow.answer_labels()
    week = [e for e in diary if now - e.at <= 7 * DAY]
    month = [e for e in diary if now - e.at <= 30 * DAY]
    lines = [texts["history_heading"], fill(texts, "history_last_7_days", count=_count(cramps(week), texts)),
             fill(texts, "history_last_30_days", count=_count(cramps(month), texts))]
    today = local_time(now, zone).date()
    quiet = {day: (today - day).days for day in _dates(quiet_nights)}
    quiet_week, quiet_month = (sum(1 for ago in quiet.values() if 0 <= ago < days) for days in (7, 30))
    if quiet_month:
        lines.append(fill(texts, "history_quiet_nights", week=quiet_week, month=quiet_month))
    if not month:
        return Summary("\n".join(lines + ["", texts["history_quiet_month"]]), (), chart_data(diary, now, zone))
    recent = month
    parts = parts_counted(recent, zone)
    when = ", ".join(f"{texts[f'part_of_day_{part}']} {n}" for part, n in parts.most_common())
    lines.append(fill(texts, "history_when", parts=when))
    helped = Counter(h for e in recent for h in e.helped if h not in ("nothing",))
    if helped:
        best, _ = helped.most_common(1)[0]
        lines.append(fill(texts, "history_helped_most", helped=labels.get(("helped", best), best).lower()))
    severities = [e.severity for e in recent if e.severity]
    if severities:
        lines.append(fill(texts, "history_average_severity", average=f"{sum(severities) / len(severities):.1f}"))
    see: list[str] = []
    notes: list[str] = []
    nights = {local_time(e.at, zone).date() for e in week if part_of(e, zone) == "night"}
    if len(nights) >= 4:  # cramps on most nights of the week, not many in one bad night
        notes.append(texts["history_most_nights"])
        see.append(ids.FREQUENT_CRAMPS)
    if any(e.duration == "very_long" for e in recent):
        notes.append(texts["history_long_cramp"])
        see.append(ids.WHEN_TO_SEE_DOCTOR)
    doing = Counter(e.doing for e in recent if e.doing)
    at_night = sum(1 for e in recent if part_of(e, zone) == "night" or e.doing == "bed")
    if at_night * 2 >= len(recent):
        notes.append(texts["history_pattern_night"])
        see.append(ids.BEDTIME_STRETCHES)
    if doing.get("exercise", 0) * 2 >= len(recent):
        notes.append(texts["history_pattern_exercise"])
        see.append(ids.WARM_UP)
    if doing.get("sitting", 0) * 2 >= len(recent):
        notes.append(texts["history_pattern_sitting"])
        see.append(ids.POSTURE_SITTING)
    if notes:
        lines += [""] + notes
    doctor = ids.FREQUENT_CRAMPS in see or ids.WHEN_TO_SEE_DOCTOR in see
    return Summary("\n".join(lines), tuple(dict.fromkeys(see)), chart_data(diary, now, zone), doctor)


def chart_data(diary: tuple[DiaryEntry, ...], now: float, zone: str | None, days: int = 30) -> HistoryChart:
    """Cramps per day for the last `days` days and per hour of day, in the user's zone; cramps whose time
    was not given exactly count by the part of the day that was said (or as not said), not at an hour."""
    today = local_time(now, zone).date()
    first = today - timedelta(days=days - 1)
    per_day: Counter[date] = Counter()
    per_hour: Counter[int] = Counter()
    by_part: Counter[str | None] = Counter()
    for e in diary:
        day = local_time(e.at, zone).date()
        per_day[day] += e.count
        if day >= first and e.time_known:
            per_hour[local_time(e.at, zone).hour] += e.count
        elif day >= first:
            by_part[e.part if e.part in PARTS else None] += e.count
    dates = [first + timedelta(days=i) for i in range(days)]
    return HistoryChart(tuple(d.strftime("%d %b") for d in dates), tuple(per_day.get(d, 0) for d in dates),
                        tuple(per_hour.get(h, 0) for h in range(24)), zone or "UTC",
                        tuple(by_part.get(p, 0) for p in PARTS), by_part.get(None, 0))


def text_chart(chart: HistoryChart, texts: dict[str, str], width: int = 30) -> str:
    """The chart as text, for the console: a bar per day (last 14) and per part of the day, scaled
    so the longest bar is at most `width` characters."""
    days = list(zip(chart.days, chart.per_day, strict=True))[-14:]
    parts = []
    approximate = chart.by_part or (0,) * len(PARTS)
    for (part, start, end), told in zip(PARTS_OF_DAY, approximate, strict=True):
        hours = range(start, end) if start < end else [*range(start, 24), *range(end)]
        parts.append((texts[f"part_of_day_{part}"], sum(chart.per_hour[h] for h in hours) + told))
    if chart.untimed:
        parts.append((texts["part_of_day_unknown"], chart.untimed))
    top = max([1] + [n for _, n in days] + [n for _, n in parts])

    def bar(count: int) -> str:
        """A bar of length proportional to count, with the number after it."""
        return f"{'█' * max(1 if count else 0, round(count * width / top))} {count}" if count else ""

    lines = [texts["chart_per_day"]] + [f"  {day}  {bar(n)}" for day, n in days]
    lines += [texts["chart_by_time"]] + [f"  {part:<9} {bar(n)}" for part, n in parts]
    return "\n".join(lines)


def part_of_day(hour: int) -> str:
    """The part of the day (night, morning, afternoon, evening) an hour falls in."""
    for part, start, end in PARTS_OF_DAY:
        if (start <= hour < end) if start < end else (hour >= start or hour < end):
            return part
    return "night"


def cramps(entries: Iterable[DiaryEntry]) -> int:
    """How many cramps the entries stand for ("Several" counts two)."""
    return sum(e.count for e in entries)


def parts_counted(entries: Iterable[DiaryEntry], zone: str | None) -> Counter[str]:
    """Cramps by the part of the day they came in ("unknown" where only the day was said)."""
    parts: Counter[str] = Counter()
    for entry in entries:
        parts[part_of(entry, zone) or "unknown"] += entry.count
    return parts


def _dates(isodates: tuple[str, ...]) -> list[date]:
    """The readable ISO dates of a list (a damaged one is left out)."""
    out = []
    for text in isodates:
        try:
            out.append(date.fromisoformat(text))
        except ValueError:
            continue
    return out


def _count(n: int, texts: dict[str, str]) -> str:
    return texts["cramps_none"] if n == 0 else texts["cramps_one"] if n == 1 else fill(texts, "cramps_many", count=n)
