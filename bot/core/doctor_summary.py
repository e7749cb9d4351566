"""The one-page summary for a doctor: the diary of the last 12 weeks, the check-up's answers and the safety
warnings given, as plain data (the shell draws the PDF). Pure functions over the session."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from datetime import timedelta

from bot.content.bundle import Content
from bot.core.diary import DAY, PARTS_OF_DAY, cramps, parts_counted
from bot.core.replies import DoctorSummary, SummarySection
from bot.core.session import DiaryEntry, Session
from bot.core.templates import fill
from bot.language.times import local_time

WEEKS = 12  # the weeks the summary covers
RATE_WEEKS = 4  # cramps a week over the last 4 weeks, and the 4 before
CHECKUP_ORDER = ("medications", "conditions", "frequency", "timing", "activity", "hydration", "footwear", "lifestyle")
FLAGS_SHOWN = 6  # the latest warnings listed (a line says how many earlier ones there were), so it fits one page
FILENAME = "crampbot-summary-for-doctor.pdf"
NONE_CHOICES = ("none", "neither")  # "None of these" means none, whatever the question
PART_NAMES = tuple(part for part, _, _ in PARTS_OF_DAY)
DateText = Callable[[float], str]  # a moment as the summary writes it
Counts = Callable[[Iterable[tuple[str, int]], str], str]  # (answer, cramps) of a diary question, in words


def has_anything(session: Session) -> bool:
    """True when there is something to summarise: diary entries, cramp-free nights, a check-up or a warning."""
    return bool(session.diary or session.plan or session.flags or session.quiet_nights)


def build(content: Content, session: Session, now: float) -> DoctorSummary:
    """The summary's words and chart numbers, in the person's time zone."""
    texts, zone = content.messages.texts, session.zone
    labels = content.flows["diary"].answer_labels()
    start = now - WEEKS * 7 * DAY
    entries = [e for e in session.diary if start <= e.at <= now]

    def date(at: float) -> str:
        """A day as people write it: 'Tue 03 Dec 2026'."""
        return local_time(at, zone).strftime("%a %d %b %Y")

    def counts(values: Iterable[tuple[str, int]], question: str) -> str:
        """'calf 5, foot 2': each answer's label and how many cramps it was given for, most first."""
        found: Counter[str] = Counter()
        for value, count in values:
            found[value] += count
        return ", ".join(f"{labels.get((question, v), v).lower()} {n}" for v, n in found.most_common())

    first_day = local_time(start, zone).date().isoformat()
    quiet = sum(1 for day in session.quiet_nights if day >= first_day)
    sections = [_how_often(texts, entries, now, date, quiet)]
    parts = parts_counted(entries, zone)
    if entries:
        sections.append(SummarySection(texts["summary_when"], (", ".join(
            f"{texts[f'part_of_day_{part}']} {parts[part]}" for part in (*PART_NAMES, "unknown") if parts[part]),)))
        where = counts(((e.where, e.count) for e in entries if e.where), "where")
        sides = counts(((e.side, e.count) for e in entries if e.side), "side")
        sections.append(_section(texts["summary_where"], "; ".join(w for w in (where, sides) if w), texts))
        sections.append(_how_long(texts, entries, labels, date, counts))
        sections.append(_section(texts["summary_helped"],
                                 counts(((h, e.count) for e in entries for h in e.helped), "helped"), texts))
        sections.append(_section(texts["summary_doing"],
                                 counts(((e.doing, e.count) for e in entries if e.doing), "doing"), texts))
    sections.append(_checkup(content, session, date))
    raised = [f for f in session.flags if f.at >= start]
    flags = [fill(texts, "summary_flag", date=date(f.at), level=_level_title(content, f.level), why=f.why)
             for f in raised[-FLAGS_SHOWN:]]
    if len(raised) > FLAGS_SHOWN:
        flags.insert(0, fill(texts, "summary_flags_earlier", count=len(raised) - FLAGS_SHOWN))
    sections.append(SummarySection(texts["summary_flags"], tuple(flags) or (texts["summary_no_flags"],)))
    weeks, per_week = _weeks(entries, now, zone)
    parts_chart = tuple((texts[f"part_of_day_{part}"], parts[part]) for part in PART_NAMES)
    intro = fill(texts, "summary_intro", date=date(now), zone=zone or "UTC")
    return DoctorSummary(FILENAME, texts["summary_title"], intro, tuple(sections), weeks, per_week, parts_chart,
                         texts["summary_chart_weeks"], texts["summary_chart_parts"], texts["summary_footer"])


def _section(heading: str, line: str, texts: dict[str, str]) -> SummarySection:
    return SummarySection(heading, (line or texts["summary_nothing"],))


def _how_often(texts: dict[str, str], entries: list[DiaryEntry], now: float, date: DateText,
               quiet: int) -> SummarySection:
    """How many cramps in the 12 weeks, a week's worth lately and before, and the nights the morning check-in
    called cramp-free."""
    nights = (fill(texts, "summary_quiet_nights", count=quiet),) if quiet else ()
    if not entries:
        return SummarySection(texts["summary_how_often"], (texts["summary_nothing"], *nights))
    logged = cramps(entries)
    total = texts["cramps_one"] if logged == 1 else fill(texts, "cramps_many", count=logged)
    lines = [fill(texts, "summary_count", count=total[0].upper() + total[1:], first=date(entries[0].at),
                  last=date(entries[-1].at))]
    window = RATE_WEEKS * 7 * DAY
    recent = cramps(e for e in entries if e.at > now - window) / RATE_WEEKS
    before = cramps(e for e in entries if now - 2 * window < e.at <= now - window) / RATE_WEEKS
    if entries[0].at <= now - window:
        lines.append(fill(texts, "summary_rate", recent=f"{recent:g}", before=f"{before:g}"))
    else:
        lines.append(fill(texts, "summary_rate_recent", recent=f"{recent:g}"))
    return SummarySection(texts["summary_how_often"], (*lines, *nights))


def _how_long(texts: dict[str, str], entries: list[DiaryEntry], labels: dict[tuple[str, str], str],
              date: DateText, counts: Counts) -> SummarySection:
    """How long the cramps lasted, the longest, and how bad they were."""
    lines = []
    order = [choice for question, choice in labels if question == "duration"]
    timed = [e for e in entries if e.duration in order]
    if timed:
        lines.append(fill(texts, "summary_durations",
                          counts=counts(((e.duration or "", e.count) for e in timed), "duration")))
        longest = max(timed, key=lambda e: (order.index(e.duration or ""), e.at))
        lines.append(fill(texts, "summary_longest", duration=labels[("duration", longest.duration or "")].lower(),
                          date=date(longest.at)))
    rated = [e.severity for e in entries if e.severity]
    if rated:
        lines.append(fill(texts, "summary_severity", average=f"{sum(rated) / len(rated):.1f}", worst=f"{max(rated)}/5"))
    return SummarySection(texts["summary_how_long"], tuple(lines) or (texts["summary_nothing"],))


def _checkup(content: Content, session: Session, date: DateText) -> SummarySection:
    """The check-up's answers, medicines and conditions first, in the words of its buttons."""
    texts = content.messages.texts
    if session.plan is None:
        return SummarySection(texts["summary_checkup"].split(" on {")[0], (texts["summary_checkup_none"],))
    labels = content.checkup.answer_labels()
    lines = []
    for question in CHECKUP_ORDER:
        given = [texts["summary_none"] if c in NONE_CHOICES else labels[(question, c)]
                 for c in session.plan.answers.get(question, ()) if (question, c) in labels]
        if given:
            lines.append(fill(texts, "summary_answer", question=texts[f"summary_q_{question}"],
                              answers="; ".join(given)))
    heading = fill(texts, "summary_checkup", date=date(session.plan.made_at))
    return SummarySection(heading, tuple(lines) or (texts["summary_checkup_none"],))


def _level_title(content: Content, level: str) -> str:
    found = content.safety.levels.get(level)
    return found.title if found else level


def _weeks(entries: list[DiaryEntry], now: float, zone: str | None) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Cramps in each of the last 12 weeks (each ending on a day of today's weekday), oldest first."""
    today = local_time(now, zone).date()
    starts = [today - timedelta(days=7 * (WEEKS - i) - 1) for i in range(WEEKS)]
    per_week = [0] * WEEKS
    for entry in entries:
        day = local_time(entry.at, zone).date()
        index = (day - starts[0]).days // 7
        if 0 <= index < WEEKS:
            per_week[index] += entry.count
    return tuple(d.strftime("%d %b") for d in starts), tuple(per_week)
