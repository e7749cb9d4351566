"""Reading the time zone a person names: a place, an offset, or the time on their clock now."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.language.zones import parse_timezone

NOON_UTC = datetime(2026, 12, 5, 12, 0, tzinfo=UTC).timestamp()


def test_a_city_a_country_or_a_nickname_gives_its_zone():
    assert parse_timezone("Berlin", NOON_UTC) == "Europe/Berlin"
    assert parse_timezone("I live in the UK", NOON_UTC) == "Europe/London"
    assert parse_timezone("nyc", NOON_UTC) == "America/New_York"


def test_an_offset_is_kept_as_an_offset_and_an_impossible_one_is_refused():
    assert parse_timezone("UTC+2", NOON_UTC) == "UTC+02:00"
    assert parse_timezone("gmt -5:30", NOON_UTC) == "UTC-05:30"
    assert parse_timezone("utc", NOON_UTC) == "UTC+00:00"
    assert parse_timezone("UTC+15", NOON_UTC) is None


def test_the_time_on_their_clock_gives_the_offset_to_the_nearest_quarter_hour():
    assert parse_timezone("it's 14:05 here", NOON_UTC) == "UTC+02:00"
    assert parse_timezone("its 6:31 am", NOON_UTC) == "UTC-05:30"


def test_words_that_end_a_zone_name_but_mean_something_else_are_no_place():
    assert parse_timezone("east", NOON_UTC) is None
    assert parse_timezone("hello there", NOON_UTC) is None
