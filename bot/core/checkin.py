"""The morning check-in ("Any cramps last night?"): a reminder kind whose answers are diary data. None is a
cramp-free night (an ISO date in Session.quiet_nights: the morning the night ended); One or Several with a
place is an entry for "last night" without a clock time (Several: count 2, meaning two or more). Pure."""

from __future__ import annotations

from bot.core.session import DiaryEntry, Reminder
from bot.language.times import local_time, read_when

KIND = "checkin"
ANSWERS = ("none", "one", "several", "bad")
PLACES: dict[str, tuple[str | None, str | None]] = {  # button -> (where, side) in the diary's answer ids
    "left_calf": ("calf", "left"), "right_calf": ("calf", "right"), "left_foot": ("foot", "left"),
    "right_foot": ("foot", "right"), "both": (None, "both"), "other": (None, None),
}
ANSWER_FOR = 18 * 3600.0  # a check-in can be answered this long after it was sent (not the next morning's)
MAX_NIGHTS = 400  # cramp-free nights kept


def answerable(reminders: tuple[Reminder, ...], now: float) -> bool:
    """True when a check-in was sent recently enough that "last night" still means the night it asked about."""
    return any(r.kind == KIND and r.last_sent and 0 <= now - r.last_sent <= ANSWER_FOR for r in reminders)


def morning(now: float, zone: str | None) -> str:
    """The ISO date of this morning in the person's zone: the key of the night that has just ended."""
    return local_time(now, zone).date().isoformat()


def with_quiet_night(nights: tuple[str, ...], now: float, zone: str | None) -> tuple[str, ...]:
    """The cramp-free nights with last night added (once; the oldest dropped past MAX_NIGHTS)."""
    today = morning(now, zone)
    return (*(n for n in nights if n != today), today)[-MAX_NIGHTS:]


def without_quiet_night(nights: tuple[str, ...], now: float, zone: str | None) -> tuple[str, ...]:
    """The cramp-free nights without last night (a cramp was logged for it after all)."""
    today = morning(now, zone)
    return tuple(n for n in nights if n != today)


def last_night_answer_time(now: float, zone: str | None) -> tuple[float, str | None, str | None]:
    """(epoch, part, words) for "last night": the moment stored, the part of the day and the words kept."""
    read = read_when("last night", now, zone)
    assert read is not None, "'last night' is always read"
    return read.at, read.part, read.said


def night_entry(entry_id: int, now: float, zone: str | None, answer: str, place: str) -> DiaryEntry:
    """A cramp (or several) last night at the place tapped, with no clock time."""
    at, part, said = last_night_answer_time(now, zone)
    where, side = PLACES.get(place, (None, None))
    return DiaryEntry(entry_id, at, where, side=side, time_known=False, part=part, said=said,
                      count=2 if answer == "several" else 1)
