"""Is the plan working? Cramps a week from the diary, before the plan and now. Pure functions over plain data.

With diary entries from before the plan, the two weeks before it are compared with the last two weeks;
without, the first week after the plan is compared with the last week. Only logged cramps count, so the
words say so."""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.diary import DAY, cramps
from bot.core.session import DiaryEntry

WEEK = 7 * DAY
REVIEW_AFTER = 14 * DAY  # how long after the plan the diary is looked at
BETTER = 0.75  # a week with at most this share of the cramps before (and at least half a cramp fewer) is better
WORSE = 1.25


@dataclass(frozen=True)
class Review:
    """Cramps a week before and after, how they were compared, and the verdict: better, same or worse."""

    before: float
    after: float
    weeks: str  # "around" (two weeks before the plan vs the last two) or "first" (first week after vs last)
    verdict: str


def review(diary: tuple[DiaryEntry, ...], made_at: float, now: float) -> Review | None:
    """The look-back, or None when it is too early or the diary holds nothing to go on."""
    if now - made_at < REVIEW_AFTER:
        return None

    def between(start: float, end: float) -> list[DiaryEntry]:
        """The entries from `start` up to (not including) `end`."""
        return [e for e in diary if start <= e.at < end]

    if any(e.at < made_at for e in diary):
        before = cramps(between(made_at - REVIEW_AFTER, made_at)) / 2
        after = cramps(between(now - REVIEW_AFTER, now + 1)) / 2
        weeks = "around"
    else:
        before = float(cramps(between(made_at, made_at + WEEK)))
        after = float(cramps(between(now - WEEK, now + 1)))
        weeks = "first"
    if before == 0 and after == 0:
        return None
    return Review(before, after, weeks, _verdict(before, after))


def _verdict(before: float, after: float) -> str:
    """Better, same or worse: a change of under half a cramp a week is no change."""
    if after <= before * BETTER and before - after >= 0.5:
        return "better"
    if after >= before * WORSE and after - before >= 0.5:
        return "worse"
    return "same"


def per_week(count: float) -> str:
    """A weekly count as people say it: "5", "2.5"."""
    return f"{count:g}"
