"""The cramp diary: entries from diary answers, the 7- and 30-day summary tied back to the
knowledge, and the data for the history chart. Pure functions over plain data."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

from bot.content.flows import Flow
from bot.core import actions
from bot.core import content_ids as ids
from bot.core.replies import HistoryChart
from bot.core.session import DiaryEntry, LastRelief
from bot.core.templates import fill
from bot.language.times import local_time, parse_when

MAX_ENTRIES = 1000
DAY = 86400.0
WHEN_WORDS = {"just_now": "just now", "earlier_today": "earlier today", "last_night": "last night",
              "yesterday": "yesterday"}
RELIEF_HELPED = {"stretch": "stretch", "press": "massage", "warmth": "heat", "move": "moving", "last": "moving",
                 "keep_going": "moving"}  # the relief step that was showing when the cramp eased
PARTS_OF_DAY = (("night", 22, 6), ("morning", 6, 12), ("afternoon", 12, 18), ("evening", 18, 22))


@dataclass(frozen=True)
class Summary:
    """The history in words, the knowledge entries it points to, and whether to see a doctor."""

    text: str
    see: tuple[str, ...]
    chart: HistoryChart | None
    doctor: bool = False  # it says to see a doctor


def entry_from_answers(answers: dict[str, tuple[str, ...]], entry_id: int, now: float,
                       zone: str | None) -> DiaryEntry:
    """Turn the diary flow's answers into an entry (skipped questions stay empty)."""
    def one(key: str) -> str | None:
        """The single answer to a question, or None when skipped."""
        values = answers.get(key) or ()
        return values[0] if values else None

    when = one("when")
    at = actions.when_of(when)
    if at is None and when in WHEN_WORDS:
        at = parse_when(WHEN_WORDS[when], now, zone) or now
    return DiaryEntry(entry_id, now if at is None else at, one("where"), actions.severity_of(one("severity")),
                      one("duration"), tuple(answers.get("helped") or ()), one("doing"))


def answers_from_entry(entry: DiaryEntry) -> dict[str, tuple[str, ...]]:
    """An entry as diary answers (to edit it: every answer filled in except the one to change)."""
    answers: dict[str, tuple[str, ...]] = {"when": (actions.at(entry.at),)}
    for key, value in (("where", entry.where), ("duration", entry.duration), ("doing", entry.doing)):
        answers[key] = (value,) if value else ()
    answers["severity"] = (actions.severity(entry.severity),) if entry.severity else ()
    answers["helped"] = entry.helped
    return answers


def answers_from_relief(relief: LastRelief) -> dict[str, tuple[str, ...]]:
    """What a just-finished relief sequence already tells the diary: when, how long, what helped."""
    minutes = (relief.ended_at - relief.started_at) / 60
    duration = "seconds" if minutes < 1 else "minutes" if minutes <= 5 else "long" if minutes <= 10 else "very_long"
    helped = (relief.helped,) if relief.helped else ()
    return {"when": (actions.at(relief.started_at),), "duration": (duration,), "helped": helped}


def add_or_replace(diary: tuple[DiaryEntry, ...], entry: DiaryEntry) -> tuple[DiaryEntry, ...]:
    """The diary with `entry` added (or replacing the one with its id), oldest first, capped in size."""
    kept = [e for e in diary if e.id != entry.id] + [entry]
    kept.sort(key=lambda e: (e.at, e.id))
    return tuple(kept[-MAX_ENTRIES:])


def describe(entry: DiaryEntry, diary_flow: Flow, zone: str | None, texts: dict[str, str]) -> str:
    """One line for an entry: '#3 Tue 14 Jan 03:00 · calf · 4/5 · 1 to 5 minutes · helped: stretching'."""
    labels = diary_flow.answer_labels()
    moment = local_time(entry.at, zone).strftime("%a %d %b %H:%M")
    parts = [f"#{entry.id} {moment}"]
    if entry.where:
        parts.append(labels.get(("where", entry.where), entry.where).lower())
    if entry.severity:
        parts.append(f"{entry.severity}/5")
    if entry.duration:
        parts.append(labels.get(("duration", entry.duration), entry.duration).lower())
    if entry.helped:
        helped = ", ".join(labels.get(("helped", h), h).lower() for h in entry.helped)
        parts.append(fill(texts, "diary_line_helped", helped=helped))
    return " · ".join(parts)


def summarise(diary: tuple[DiaryEntry, ...], now: float, zone: str | None, diary_flow: Flow,
              texts: dict[str, str]) -> Summary:
    """The last 7 and 30 days in words, with pointers to the knowledge and, when the pattern calls
    for it, the safety reference's advice to book an appointment."""
    if not diary:
        return Summary(texts["history_empty"], (), None)
    labels = diary_flow.answer_labels()
    week = [e for e in diary if now - e.at <= 7 * DAY]
    month = [e for e in diary if now - e.at <= 30 * DAY]
    lines = [texts["history_heading"], fill(texts, "history_last_7_days", count=_count(len(week), texts)),
             fill(texts, "history_last_30_days", count=_count(len(month), texts))]
    if not month:
        return Summary("\n".join(lines + ["", texts["history_quiet_month"]]), (), chart_data(diary, now, zone))
    recent = month
    parts = Counter(part_of_day(local_time(e.at, zone).hour) for e in recent)
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
    nights = {local_time(e.at, zone).date() for e in week if part_of_day(local_time(e.at, zone).hour) == "night"}
    if len(nights) >= 4:  # cramps on most nights of the week, not many in one bad night
        notes.append(texts["history_most_nights"])
        see.append(ids.FREQUENT_CRAMPS)
    if any(e.duration == "very_long" for e in recent):
        notes.append(texts["history_long_cramp"])
        see.append(ids.WHEN_TO_SEE_DOCTOR)
    doing = Counter(e.doing for e in recent if e.doing)
    at_night = sum(1 for e in recent if part_of_day(local_time(e.at, zone).hour) == "night" or e.doing == "bed")
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
    """Cramps per day for the last `days` days and per hour of day, in the user's zone."""
    today = local_time(now, zone).date()
    first = today - timedelta(days=days - 1)
    per_day = Counter(local_time(e.at, zone).date() for e in diary)
    per_hour = Counter(local_time(e.at, zone).hour for e in diary if local_time(e.at, zone).date() >= first)
    dates = [first + timedelta(days=i) for i in range(days)]
    return HistoryChart(tuple(d.strftime("%d %b") for d in dates), tuple(per_day.get(d, 0) for d in dates),
                        tuple(per_hour.get(h, 0) for h in range(24)), zone or "UTC")


def text_chart(chart: HistoryChart, texts: dict[str, str], width: int = 30) -> str:
    """The chart as text, for the console: a bar per day (last 14) and per part of the day, scaled
    so the longest bar is at most `width` characters."""
    days = list(zip(chart.days, chart.per_day, strict=True))[-14:]
    parts = []
    for part, start, end in PARTS_OF_DAY:
        hours = range(start, end) if start < end else [*range(start, 24), *range(end)]
        parts.append((texts[f"part_of_day_{part}"], sum(chart.per_hour[h] for h in hours)))
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


def _count(n: int, texts: dict[str, str]) -> str:
    return texts["cramps_none"] if n == 0 else texts["cramps_one"] if n == 1 else fill(texts, "cramps_many", count=n)
