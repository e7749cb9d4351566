"""Diary, history chart, reminders and privacy end to end: the real adapter against the stand-in."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager

import pytest

from bot.language.times import local_time
from tests.support.telegram_harness import RunningBot, ShiftedClock, settings_for
from tests.support.telegram_user import TelegramUser


@contextmanager
def polling_bot(standin, tmp_path, clock=None):
    """The bot in a thread, polling the stand-in, for the length of the block (stopped whatever happens)."""
    with RunningBot(settings_for(standin, tmp_path / "data"), clock=clock) as running:
        standin.wait_for(lambda: standin.polling, timeout=15)
        yield running


@pytest.fixture
def bot(standin, tmp_path):
    with polling_bot(standin, tmp_path) as running:
        yield running


def zoned(user: TelegramUser) -> TelegramUser:
    user.send("/timezone")
    user.send("I live in London")
    assert "Time zone saved" in user.last_text
    return user


def test_log_in_one_tap_after_the_relief_sequence(standin, bot):
    user = zoned(TelegramUser(standin, 701))
    user.send("/cramp")
    user.press("It's gone")
    assert "log this cramp" in user.last_text.lower()
    user.press("Log this cramp")
    assert "Saved in your diary" in user.last_text, "saved at once, no question first"
    assert "➕ How bad" in user.buttons and "➕ Which side" in user.buttons
    user.press("How bad")
    user.press("3")
    assert "updated" in user.last_text and "3/5" in user.last_text
    user.press("Which side")
    user.press("Left")
    assert " · left · " in user.last_text


def test_log_by_free_text_then_edit_and_delete(standin, bot):
    user = zoned(TelegramUser(standin, 702))
    user.send("had a cramp last night in my left foot")
    assert "How bad" in user.last_text
    for answer in ("4", "a couple of minutes", "rubbing it"):  # when, where, side and "in bed" came from the message
        user.send(answer)
    assert "#1 last night" in user.last_text and "foot or sole (left)" in user.last_text
    user.send("/diary")
    user.press("✏️ #1")
    user.press("Where")
    user.press("Toes")
    assert "updated" in user.last_text and "toes (left)" in user.last_text
    user.send("/diary")
    user.press("✏️ #1")
    user.press("Delete #1")
    user.press("Yes, delete it")
    assert "Deleted" in user.last_text
    user.send("/history")
    assert "diary is empty" in user.last_text


def test_history_sends_a_summary_and_a_readable_chart(standin, bot):
    user = zoned(TelegramUser(standin, 703))
    for _ in range(2):
        user.send("/log")
        for label in ("Last night", "Calf", "Left", "4", "1 to 5", "Stretching", "In bed"):
            user.press(label)
    user.send("/history")
    standin.wait_calls("sendPhoto", chat_id=703, timeout=30)  # drawing the chart can outlast the quiet period
    texts = [m.text or "" for m in user.messages]
    assert any("Last 7 days: 2 cramps" in t for t in texts)
    photos = standin.calls("sendPhoto", chat_id=703)
    assert len(photos) == 1 and photos[0].ok
    photo = standin.messages(703)[-1]
    assert photo.upload is not None and photo.upload.content[:8] == b"\x89PNG\r\n\x1a\n"
    width = int.from_bytes(photo.upload.content[16:20], "big")
    height = int.from_bytes(photo.upload.content[20:24], "big")
    assert height > width >= 700, "portrait and big enough to read on a phone"
    assert standin.chat_actions(703) == ["upload_photo"], "the chat shows it is coming while it is drawn"


def test_export_sends_the_data_as_json_and_the_diary_as_csv(standin, bot):
    user = zoned(TelegramUser(standin, 704))
    user.send("/log")
    for label in ("Just now", "Arch", "Right", "2", "Under a minute", "It passed", "Sitting"):
        user.press(label)
    user.send("/export")
    standin.wait_for(lambda: sum(m.upload is not None for m in standin.messages(704)) == 2, timeout=15)
    json_doc, csv_doc = [m.upload for m in standin.messages(704) if m.upload is not None]
    assert json_doc.filename.endswith(".json") and csv_doc.filename.endswith(".csv")
    assert standin.chat_actions(704) == ["upload_document", "upload_document"]
    (row,) = json.loads(json_doc.content)["diary"]
    assert (row["where"], row["side"], row["severity_1_to_5"], row["how_long"], row["doing"]) == \
        ("Arch", "Right", 2, "Under a minute", "Sitting")
    assert row["date_time"].endswith("+00:00") and row["date_time"].startswith("20"), "ISO 8601 with the offset"
    header, line = csv_doc.content.decode().splitlines()
    assert header.startswith("number,date,time,date_time") and ",Right,Arch,2,Under a minute," in line


def test_the_diary_pages_to_its_oldest_entry(standin, bot):
    user = zoned(TelegramUser(standin, 709))
    for where in ("Toes", "Calf", "Calf", "Calf", "Calf", "Calf", "Calf"):
        user.send("/log")
        for label in ("Just now", where, "Skip", "Skip", "Skip", "Skip", "Skip"):
            user.press(label)
    user.send("/diary")
    assert "#7 to #3 of 7" in user.last_text and "✏️ #3" in user.buttons and "Older ➡️" in user.buttons
    user.press("Older")
    assert "#2 to #1 of 7" in user.last_text and "toes" in user.last_text.splitlines()[-1]
    assert "✏️ #1" in user.buttons and "⬅️ Newer" in user.buttons
    user.press("✏️ #1")
    assert "What would you like to change?" in user.last_text and "🗑 Delete #1" in user.buttons


def test_forget_after_confirming_leaves_no_row_about_the_user(standin, bot):
    user = zoned(TelegramUser(standin, 705))
    user.send("/log")
    user.press("Just now")
    user.press("Calf")
    user.send("/forget")
    assert bot.in_loop(lambda: bot.storage.rows_about(705)) > 0
    user.press("Yes, delete everything")
    assert "everything I stored about you is deleted" in user.last_text
    assert bot.in_loop(lambda: bot.storage.rows_about(705)) == 0


def test_privacy_says_what_is_stored_and_why(standin, bot):
    user = TelegramUser(standin, 706)
    user.send("/privacy")
    assert "What I keep about you" in user.last_text and "/forget" in user.last_text


def set_bedtime(user: TelegramUser) -> None:
    user.send("/reminders")
    user.press("Bedtime stretches")
    user.send("22:30")
    user.send("Berlin")
    assert "Bedtime stretches at 22:30" in user.last_text


def reminders_sent(user: TelegramUser) -> int:
    """How many bedtime reminders the user has been sent."""
    return sum("time for your bedtime stretches" in (m.sent_text or "").lower() for m in user.messages)


def wait_reminders(standin, user: TelegramUser, count: int) -> None:
    """Wait until `count` bedtime reminders were sent to the user in all (the job can fire before a
    test could start watching for "the next message", so count them instead)."""
    standin.wait_for(lambda: reminders_sent(user) >= count, timeout=15)


def test_reminder_arrives_at_local_time_with_snooze_and_stop(standin, tmp_path):
    clock = ShiftedClock()
    with polling_bot(standin, tmp_path, clock) as bot:
        user = TelegramUser(standin, 707, timeout=20)
        set_bedtime(user)
        due = bot.in_loop(lambda: bot.storage.reminders())[0][2]
        assert local_time(due, "Europe/Berlin").strftime("%H:%M") == "22:30"
        clock.offset += due + 0.5 - clock()  # it is now just after 22:30 in Berlin
        bot.in_loop(bot.shell.resume_reminders)
        wait_reminders(standin, user, 1)
        user.press("Snooze")
        standin.wait_for(lambda: any("remind you again in 15 minutes" in (m.text or "") for m in user.messages))
        clock.offset += 15 * 60 + 0.5
        bot.in_loop(bot.shell.resume_reminders)
        wait_reminders(standin, user, 2)
        user.press("Stop this reminder")
        assert bot.in_loop(lambda: bot.storage.reminders()) == []


def test_a_restart_never_loses_or_doubles_a_reminder(standin, tmp_path):
    clock = ShiftedClock()
    with polling_bot(standin, tmp_path, clock) as bot:
        user = TelegramUser(standin, 708, timeout=20)
        set_bedtime(user)
        due = bot.in_loop(lambda: bot.storage.reminders())[0][2]
    clock.offset += due + 60 - clock()  # down over 22:30, and back a minute later
    with polling_bot(standin, tmp_path, clock) as bot:
        wait_reminders(standin, user, 1)  # a reminder due while the bot was down is sent at start-up
        tomorrow = bot.in_loop(lambda: bot.storage.reminders())[0][2]
        assert tomorrow == pytest.approx(due + 86400), "and moves to tomorrow"
    with polling_bot(standin, tmp_path, clock):  # another restart right away
        user.expect_silence(1.0)
        assert reminders_sent(user) == 1, "never doubled"


def test_saved_data_that_cannot_be_read_is_set_aside_the_user_told_and_the_diary_kept(standin, tmp_path):
    settings = settings_for(standin, tmp_path / "data")
    with RunningBot(settings):
        standin.wait_for(lambda: standin.polling, timeout=15)
        user = zoned(TelegramUser(standin, 720))
        user.send("had a cramp last night in my left foot")
        for answer in ("4", "a couple of minutes", "rubbing it"):
            user.send(answer)
        user.send("/checkup")
        user.press("At night")
    with sqlite3.connect(settings.database) as db:  # the saved session cut short
        db.execute("UPDATE sessions SET data = substr(data, 1, length(data) - 5) WHERE chat_id = 720")
    with RunningBot(settings):
        standin.wait_for(lambda: standin.polling, timeout=15)
        user.send("/diary")
        texts = [m.text or "" for m in user.last_reply]
        assert "could not be read" in texts[0], "told first, once"
        assert any("#1" in text and "foot" in text for text in texts), "the diary survived"
        user.send("/diary")
        assert not any("could not be read" in (m.text or "") for m in user.last_reply)
    with sqlite3.connect(settings.database) as db:
        assert db.execute("SELECT COUNT(*) FROM damaged_rows WHERE chat_id = 720").fetchone()[0] == 1


def test_a_follow_up_after_a_restart_is_read_in_the_context_of_the_question_before(standin, tmp_path):
    settings = settings_for(standin, tmp_path / "data")
    with RunningBot(settings):
        standin.wait_for(lambda: standin.polling, timeout=15)
        user = TelegramUser(standin, 730)
        user.send("Why do my calves cramp at night after I've been cycling?")
        assert "cycling" in user.last_text.lower()
    with RunningBot(settings):
        standin.wait_for(lambda: standin.polling, timeout=15)
        user.send("and for my husband?")
        assert "The same advice holds for them" in user.last_text and "For cycling" in user.last_text
