"""Sessions survive a JSON round trip (for storage); settings come from the environment and .env."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from bot.core.session import DiaryEntry, LastRelief, Reminder, Session
from bot.settings import load_settings


def test_a_session_mid_checkup_with_a_running_relief_timer_round_trips_through_json(chat):
    chat.send("/checkup")
    chat.press("At night")
    chat.send("my calf is cramping right now")
    chat.press("Start")
    assert chat.session.timer is not None and chat.session.paused is not None
    stored = json.dumps(chat.session.to_dict())
    restored = Session.from_dict(json.loads(stored))
    assert restored == chat.session
    chat.session = restored
    chat.press("It's gone")
    chat.press("Resume check-up")
    assert chat.state == ("checkup", "frequency")


def test_a_session_is_stored_exactly_as_dataclasses_would_write_it(chat):
    # to_dict is hand-written for speed; what it stores must not drift from the plain dataclass view
    chat.send("/checkup")
    chat.press("At night")
    chat.send("my calf is cramping right now")
    full = chat.session.with_(diary=(DiaryEntry(1, 5.0, "calf", 3, "minutes", ("stretch", "walk"), "bed"),),
                              reminders=(Reminder("bedtime", ("22:30", "23:00"), 9.0, 1.0),), zone="Europe/Paris",
                              last_relief=LastRelief(1.0, 2.0, None), more_shown=2, last_intent="night_cramps")
    for session in (Session(), chat.session, full):
        assert json.dumps(session.to_dict()) == json.dumps(asdict(session))
    assert list(full.to_dict()["paused"]["answers"].values()) == [["night"]]


def test_an_empty_missing_or_damaged_session_is_read_without_raising():
    assert Session.from_dict(None) == Session()
    assert Session.from_dict({}) == Session()
    assert Session.from_dict({"active": {"flow": "checkup"}}) == Session()
    assert Session.from_dict({"active": "x", "more_shown": "a"}) == Session()
    assert Session.from_dict([1, 2]) == Session()


def test_a_stored_state_that_no_longer_exists_starts_over(chat):
    damaged = Session.from_dict({"active": {"flow": "checkup", "state": "gone_state", "started_at": 0}})
    assert damaged.active is not None
    chat.session = damaged
    chat.send("hello")
    assert chat.state is None and chat.last[0].kind == "smalltalk"


def test_settings_read_dotenv_and_the_environment_wins(tmp_path):
    env_file = tmp_path / ".env"
    env_file.write_text("TELEGRAM_BOT_TOKEN=from-file\nCRAMPBOT_LOG_LEVEL=debug\n")
    assert load_settings(env_file, environ={}).telegram_token == "from-file"
    assert load_settings(env_file, environ={}).log_level == "DEBUG"
    assert load_settings(env_file, environ={"TELEGRAM_BOT_TOKEN": "from-env"}).telegram_token == "from-env"
    assert load_settings(tmp_path / "missing.env", environ={}).telegram_token is None


def test_a_bad_log_level_is_refused(tmp_path):
    import pytest

    with pytest.raises(ValueError, match="CRAMPBOT_LOG_LEVEL"):
        load_settings(tmp_path / "none", environ={"CRAMPBOT_LOG_LEVEL": "chatty"})


def test_the_removed_workers_setting_is_ignored(tmp_path):
    """An .env written for an older release (CRAMPBOT_WORKERS=auto) still starts the one-process bot."""
    settings = load_settings(tmp_path / "none", environ={"CRAMPBOT_WORKERS": "auto"})
    assert not hasattr(settings, "workers")


def test_the_waits_are_telegrams_unless_set_and_tests_can_shorten_them(tmp_path):
    """Send retries, the outbox retry and the database lock wait: today's values by default."""
    default = load_settings(tmp_path / "none", environ={})
    assert (default.send_attempts, default.retry_first_seconds, default.retry_max_seconds,
            default.outbox_retry_seconds, default.db_lock_wait_seconds) == (6, 0.5, 8.0, 15.0, 5.0)
    short = load_settings(tmp_path / "none", environ={
        "CRAMPBOT_SEND_ATTEMPTS": "8", "CRAMPBOT_RETRY_FIRST_SECONDS": "0.02", "CRAMPBOT_RETRY_MAX_SECONDS": ".2",
        "CRAMPBOT_OUTBOX_RETRY_SECONDS": "1", "CRAMPBOT_DB_LOCK_WAIT_SECONDS": "0"})
    assert (short.send_attempts, short.retry_first_seconds, short.retry_max_seconds, short.outbox_retry_seconds,
            short.db_lock_wait_seconds) == (8, 0.02, 0.2, 1.0, 0.0)


@pytest.mark.parametrize(("name", "value"), [
    ("CRAMPBOT_SEND_ATTEMPTS", "0"), ("CRAMPBOT_SEND_ATTEMPTS", "2.5"), ("CRAMPBOT_RETRY_FIRST_SECONDS", "0"),
    ("CRAMPBOT_RETRY_FIRST_SECONDS", "soon"), ("CRAMPBOT_RETRY_MAX_SECONDS", "-1"),
    ("CRAMPBOT_OUTBOX_RETRY_SECONDS", "nan"), ("CRAMPBOT_OUTBOX_RETRY_SECONDS", "0"),
    ("CRAMPBOT_DB_LOCK_WAIT_SECONDS", "inf"), ("CRAMPBOT_DB_LOCK_WAIT_SECONDS", "5s"),
])
def test_a_wait_that_is_not_a_sensible_number_is_refused_in_one_line(tmp_path, name, value):
    with pytest.raises(ValueError, match=name) as caught:
        load_settings(tmp_path / "none", environ={name: value})
    assert "\n" not in str(caught.value) and repr(value) in str(caught.value)


def test_the_http_endpoints_are_off_and_logs_are_text_unless_set(tmp_path):
    default = load_settings(tmp_path / "none", environ={})
    assert (default.http_port, default.http_listen, default.log_format) == (None, "127.0.0.1", "text")
    chosen = load_settings(tmp_path / "none", environ={"CRAMPBOT_HTTP_PORT": "9464", "CRAMPBOT_HTTP_LISTEN": "0.0.0.0",
                                                       "CRAMPBOT_LOG_FORMAT": "JSON"})
    assert (chosen.http_port, chosen.http_listen, chosen.log_format) == (9464, "0.0.0.0", "json")


@pytest.mark.parametrize(("name", "value"), [
    ("CRAMPBOT_HTTP_PORT", "0"), ("CRAMPBOT_HTTP_PORT", "70000"), ("CRAMPBOT_HTTP_PORT", "metrics"),
    ("CRAMPBOT_LOG_FORMAT", "YAML"), ("CRAMPBOT_LOG_FORMAT", "logfmt"),
])
def test_a_bad_http_port_or_log_format_is_refused_naming_the_setting(tmp_path, name, value):
    with pytest.raises(ValueError, match=name) as caught:
        load_settings(tmp_path / "none", environ={name: value})
    assert "\n" not in str(caught.value) and repr(value) in str(caught.value)


def test_the_longest_retry_wait_cannot_be_below_the_first(tmp_path):
    with pytest.raises(ValueError, match="CRAMPBOT_RETRY_MAX_SECONDS .* must not be below"):
        load_settings(tmp_path / "none", environ={"CRAMPBOT_RETRY_FIRST_SECONDS": "10"})


def test_a_diary_entry_saved_before_sides_and_approximate_times_is_read_as_a_timed_entry_without_a_side():
    old = {"diary": [{"id": 1, "at": 1_800_000_000.0, "where": "calf", "severity": 3, "duration": "minutes",
                      "helped": ["stretch"], "doing": "bed"}], "next_entry_id": 2}
    (entry,) = Session.from_dict(old).diary
    assert (entry.side, entry.time_known, entry.part, entry.said, entry.count) == (None, True, None, None, 1)
    session = Session.from_dict(old)
    assert (session.zone_asked, session.quiet_nights) == (False, ())
    assert Session.from_dict(session.to_dict()) == session


def test_a_session_saved_before_start_buttons_and_escalations_still_loads():
    old = {"active": {"flow": "relief", "state": "stretch", "started_at": 5.0, "answers": {}, "history": [],
                      "timer": None, "step_no": 1, "target": None}, "zone": "Europe/Paris"}
    session = Session.from_dict(old)
    assert session.active is not None and session.active.hold_waiting is False and session.escalated is None
    assert session.zone == "Europe/Paris"
