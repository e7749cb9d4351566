"""The clock and duration grammar of bot.language.times, read in its two places: a whole answer (the diary,
reminders and time zone: `parse_clock`, `parse_when`) and a message's tokens (the safety scan: `clock_at`,
`mark_durations`, `mark_clock_gaps`)."""

from __future__ import annotations

import re

import pytest

from bot.language.times import (
    DURATION,
    RECENT_START,
    ClockTime,
    clock_at,
    mark_clock_gaps,
    mark_durations,
    parse_clock,
    parse_when,
)

NOW = 1_800_000_000.0


def tokens(text: str) -> tuple[tuple[str, ...], ...]:
    """Clauses of words as the normaliser gives them for plain lower-case text: a colon or a full stop
    starts a new clause ("4:30" is "4" and "30")."""
    return tuple(tuple(part.split()) for part in re.split(r"[:.]", text) if part.split())


def clock(text: str) -> ClockTime | None:
    """The clock time the safety scan reads at the start of `text`."""
    found = clock_at(tokens(text), 0, 0)
    return found[0] if found else None


@pytest.mark.parametrize("text, answer, scan", [
    ("3am", "03:00", ClockTime(180, 0)),
    ("3 am", "03:00", ClockTime(180, 0)),
    ("3pm", "15:00", ClockTime(180, 1)),
    ("03:30", "03:30", ClockTime(210)),
    ("16:30", "16:30", ClockTime(270, 1)),
    ("noon", "12:00", ClockTime(0, 1)),
    ("midnight", "00:00", ClockTime(0, 0)),
])
def test_a_time_of_day_reads_the_same_in_an_answer_and_in_the_safety_scan(text, answer, scan):
    assert parse_clock(text) == answer
    assert clock(text) == scan


@pytest.mark.parametrize("text, scan", [
    ("2330", ClockTime(11 * 60 + 30, 1)),
    ("0245", ClockTime(2 * 60 + 45, 0)),
    ("half 3", ClockTime(3 * 60 + 30)),
    ("half past 4", ClockTime(4 * 60 + 30)),
    ("quarter to 5", ClockTime(4 * 60 + 45)),
    ("10 past 3", ClockTime(3 * 60 + 10)),
])
def test_the_safety_scan_reads_four_digits_and_times_told_in_words(text, scan):
    assert clock(text) == scan


def test_the_safety_scan_knows_which_words_a_clock_time_covers():
    assert clock_at(tokens("quarter to 5 now"), 0, 0) == (ClockTime(285), [(0, 0), (0, 1), (0, 2)])
    assert clock_at(tokens("at 4:30 still"), 0, 1) == (ClockTime(270), [(0, 1), (1, 0)])


def test_a_year_is_not_a_four_digit_time():
    assert clock("2015") is None
    assert mark_durations(("since", "2015")) == ("since", "2015")


@pytest.mark.parametrize("text, place", [("3 glasses of water", 0), ("size 10 shoes", 1), ("at 4 weeks", 1)])
def test_a_number_followed_by_a_thing_is_not_a_time(text, place):
    assert clock_at(tokens(text), 0, place) is None
    assert DURATION not in mark_durations(tokens(text)[0])


def test_an_answer_with_a_count_of_things_or_units_names_no_time_of_day():
    assert parse_clock("3 glasses of water") is None
    assert parse_clock("for 3 mins") is None
    assert parse_clock("2 days") is None


@pytest.mark.parametrize("text", ["10 minutes", "15m", "an hour", "half an hour", "quarter of an hour", "2 hours",
                                  "ages", "20 5 minutes"])
def test_ten_minutes_or_more_is_marked_as_a_long_duration(text):
    assert mark_durations(tokens(text)[0]) == (DURATION,)


@pytest.mark.parametrize("text", ["5 minutes", "9 mins", "3 glasses", "size 10", "20 5 glasses", "1500m", "400 m"])
def test_a_short_duration_a_count_or_a_distance_is_left_as_it_is(text):
    assert mark_durations(tokens(text)[0]) == tokens(text)[0]


@pytest.mark.parametrize("text", ["since 3", "since 3am", "since 0300", "since noon", "since lunch"])
def test_since_a_time_of_day_is_a_long_duration(text):
    assert mark_durations(tokens(text)[0]) == ("since", DURATION)


@pytest.mark.parametrize("text, seconds", [("10 minutes ago", 600), ("an hour ago", 3600), ("5 min ago", 300),
                                           ("2 hrs ago", 7200), ("2 days ago", 2 * 86400)])
def test_a_past_moment_counts_back_by_the_same_unit_words(text, seconds):
    assert parse_when(text, NOW, None) == NOW - seconds


def test_a_start_time_and_the_time_now_ten_minutes_apart_become_a_duration():
    assert mark_clock_gaps(tokens("woke at 4 its now quarter to 5")) == (("woke", "at", "4", "its", "now", DURATION),)
    assert mark_clock_gaps(tokens("since 2330 and its now 0015")) == (("since", "2330", "and", "its", "now", DURATION),)


def test_a_start_time_a_few_minutes_ago_is_marked_recent():
    assert mark_clock_gaps(tokens("cramp at 4 its now 4:05")) == (("cramp", "at", RECENT_START, "its", "now", "4"),
                                                                  ("05",))


def test_the_two_readers_differ_where_the_comments_in_times_say():
    """Each difference is kept so that neither the safety scan nor the diary changes what it reads."""
    assert (parse_clock("2330"), clock("2330")) == (None, ClockTime(690, 1))
    assert (parse_clock("4h30"), clock("4h30")) == ("04:30", None)
    assert (parse_clock("midday"), clock("midday")) == ("12:00", None)
    assert parse_when("5 m ago", NOW, None) is None and mark_durations(("15m",)) == (DURATION,)
