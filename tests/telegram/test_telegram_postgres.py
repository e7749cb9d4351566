"""The Telegram bot polling on PostgreSQL (one instance, as Telegram allows one poller): the same dialogs,
with the shared database's turn locks, sweep-run reminders and claimed countdowns."""

from __future__ import annotations

import time
from dataclasses import replace

import pytest

from bot.storage import Countdown
from tests.support.telegram_harness import RunningBot, ShiftedClock, content_with_short_timers, settings_for
from tests.support.telegram_user import TelegramUser


@pytest.fixture
def clock():
    return ShiftedClock()


@pytest.fixture
def bot_on_postgres(standin, tmp_path, postgres_url, clock):
    content = content_with_short_timers(tmp_path, seconds=2, check_in_after=5)
    settings = replace(settings_for(standin, tmp_path / "data", content), database_url=postgres_url)
    with RunningBot(settings, clock=clock) as running:
        yield running


def test_a_check_up_and_a_diary_entry_are_kept_in_postgresql(standin, bot_on_postgres):
    user = TelegramUser(standin, 8301)
    user.send("/checkup")
    user.press("At night")
    user.send("most nights")
    assert "Question 3 of 8" in user.last_text
    user.press("Back")
    assert "Question 2 of 8" in user.last_text, "the step and its history were read back from PostgreSQL"
    assert bot_on_postgres.in_loop(lambda: bot_on_postgres.storage.load(8301).active) is not None


def test_a_countdown_ends_once_and_the_relief_check_in_comes_once(standin, bot_on_postgres):
    user = TelegramUser(standin, 8302)
    user.send("/cramp")
    user.press("Start")
    step = user.last_message
    standin.wait_for(lambda: any("let go slowly" in (m.text or "") for m in user.messages), timeout=20)
    assert standin.message(8302, step.message_id).text.endswith("done ✓"), "counted down on the same message"
    standin.wait_for(lambda: any("It's been about 10 minutes" in (m.text or "") for m in user.messages), timeout=20)
    user.expect_silence(1.5)
    texts = [m.text or "" for m in user.messages]
    assert sum("let go slowly" in t for t in texts) == 1 and sum("It's been about 10" in t for t in texts) == 1


def test_a_bedtime_reminder_is_found_by_the_sweep_and_sent_once(standin, bot_on_postgres, clock):
    user = TelegramUser(standin, 8303, timeout=20)
    user.send("/reminders")
    user.press("Bedtime stretches")
    user.send("22:30")
    user.send("Berlin")
    (chat, kind, due), = bot_on_postgres.in_loop(bot_on_postgres.storage.reminders)
    assert (chat, kind) == (8303, "bedtime")
    clock.offset += due + 0.5 - clock()  # just after 22:30 in Berlin: no job was scheduled, the sweep finds it
    standin.wait_for(lambda: any("time for" in (m.text or "").lower() for m in user.messages), timeout=15)
    user.expect_silence(2.5)  # two more sweeps: nothing more is due
    assert sum("time for" in (m.text or "").lower() for m in user.messages) == 1
    (_, _, then), = bot_on_postgres.in_loop(bot_on_postgres.storage.reminders)
    assert 23 * 3600 < then - due <= 25 * 3600, "moved on to the next evening"


def test_a_stored_countdown_that_is_no_longer_the_chats_is_cleared_by_the_sweep_not_run(standin, bot_on_postgres):
    user = TelegramUser(standin, 8304)
    user.send("/start")
    storage = bot_on_postgres.storage
    stale = Countdown(8304, "relief.not_any_more", user.last_message.message_id, time.time() + 60, "Hold\n⏱", None)
    bot_on_postgres.in_loop(lambda: storage.set_countdown(stale))
    deadline = time.monotonic() + 10
    while bot_on_postgres.in_loop(lambda: storage.countdown(8304)) is not None:
        assert time.monotonic() < deadline, "the sweep never cleared it"
        time.sleep(0.2)
    user.expect_silence(1.0)  # and nothing was counted down
