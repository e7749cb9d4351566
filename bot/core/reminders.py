"""Daily reminders: which ones a user asked for, when each is next due in their own time zone,
snoozing, and whether a due reminder should still be sent. Pure functions over plain data."""

from __future__ import annotations

from dataclasses import replace

from bot.core import actions
from bot.core.session import Reminder
from bot.language.times import next_at, parse_clock

KINDS = ("bedtime", "hydration", "checkin")
DEFAULT_BEDTIME = "22:00"  # when the set-up skipped the bedtime question
DEFAULT_CHECKIN = "08:00"  # when the set-up skipped the morning check-in's time
SET_UP_TOGETHER = {"checkin": ("checkin",)}  # the kinds a set-up is about (any other: bedtime and hydration)
LATE_GRACE = 2 * 3600.0  # a reminder missed by more than this (bot was down) is skipped, not sent late


def from_answers(answers: dict[str, tuple[str, ...]], hydration_times: tuple[str, ...], zone: str | None,
                 now: float) -> tuple[Reminder, ...]:
    """The reminders chosen in the set-up flow, each due at its next local time."""
    what = (answers.get("what") or ("both",))[0]
    limited = fluid_limited(answers)
    reminders = []
    if what in ("bedtime", "both"):
        # t<HHMM>: a button or a typed time
        clock = actions.clock_of((answers.get("bedtime_time") or ("",))[0]) or DEFAULT_BEDTIME
        reminders.append(schedule(Reminder("bedtime", (clock,), 0.0), zone, now))
    if what in ("hydration", "both") and not limited:
        reminders.append(schedule(Reminder("hydration", hydration_times, 0.0), zone, now))
    if what == "checkin":
        clock = actions.clock_of((answers.get("checkin_time") or ("",))[0]) or DEFAULT_CHECKIN
        reminders.append(schedule(Reminder("checkin", (clock,), 0.0), zone, now))
    return tuple(reminders)


def merged(current: tuple[Reminder, ...], chosen: tuple[Reminder, ...],
           answers: dict[str, tuple[str, ...]]) -> tuple[Reminder, ...]:
    """The reminders after a set-up: it replaces the kinds it is about and keeps the others (setting up the
    morning check-in keeps the bedtime stretches, and changing those keeps the check-in)."""
    what = (answers.get("what") or ("both",))[0]
    about = SET_UP_TOGETHER.get(what, ("bedtime", "hydration"))
    return (*(r for r in current if r.kind not in about), *chosen)


def fluid_limited(answers: dict[str, tuple[str, ...]]) -> bool:
    """True when the person said a doctor has limited their fluids (no drink reminders for them)."""
    return "yes" in (*answers.get("fluid_limit", ()), *answers.get("fluid_limit_both", ()))


def clock_answer(text: str) -> str | None:
    """A typed time of day as a bedtime answer id ("10pm" -> "t2200"), like the buttons' ids."""
    clock = parse_clock(text)
    return actions.bedtime(clock) if clock else None


def schedule(reminder: Reminder, zone: str | None, after: float) -> Reminder:
    """The reminder with `next_at` set to its next local clock time after `after`."""
    return replace(reminder, next_at=min(next_at(t, zone, after) for t in reminder.times))


def snooze(reminders: tuple[Reminder, ...], kind: str, now: float, minutes: int) -> tuple[Reminder, ...]:
    """Bring one reminder back in `minutes` (its daily schedule resumes after that)."""
    return tuple(replace(r, next_at=now + minutes * 60) if r.kind == kind else r for r in reminders)


SNOOZE_WINDOW = 3 * 3600.0  # only a reminder sent in the last few hours can be snoozed


def can_snooze(reminders: tuple[Reminder, ...], kind: str, now: float) -> bool:
    """True when that reminder was just sent (an old Snooze button must not move tomorrow's)."""
    return any(r.kind == kind and now - r.last_sent <= SNOOZE_WINDOW for r in reminders)


def is_set(reminders: tuple[Reminder, ...], kind: str) -> bool:
    """True when a reminder of that kind is set."""
    return any(r.kind == kind for r in reminders)


def stop(reminders: tuple[Reminder, ...], kind: str | None = None) -> tuple[Reminder, ...]:
    """Without one kind of reminder (or without any when kind is None)."""
    return tuple(r for r in reminders if kind is not None and r.kind != kind)


def due(reminders: tuple[Reminder, ...], kind: str, due_at: float, now: float,
        zone: str | None) -> tuple[bool, tuple[Reminder, ...]]:
    """Handle a reminder whose time came: (send it?, reminders with the next time set). Stale or
    repeated calls (the reminder already moved on) send nothing and change nothing, so a restart
    can never double a reminder; one missed for hours is skipped rather than sent late."""
    current = next((r for r in reminders if r.kind == kind), None)
    if current is None or abs(current.next_at - due_at) > 1.0 or due_at > now + 1.0:
        return False, reminders
    send = now - due_at <= LATE_GRACE
    moved = replace(schedule(current, zone, max(now, due_at)), last_sent=now if send else current.last_sent)
    return send, tuple(moved if r.kind == kind else r for r in reminders)
