"""The check-up's questions with several answers, end to end: the real adapter against the stand-in. A tap
ticks a button on the same message (edited in place, no new message); Done moves on and shows what was ticked."""

from __future__ import annotations

import pytest

from tests.support.botapi_standin import BotApiStandIn
from tests.support.telegram_harness import RunningBot, settings_for
from tests.support.telegram_user import TelegramUser


@pytest.fixture
def standin():
    with BotApiStandIn(privacy_mode=False) as server:
        yield server


def to_medicines(user: TelegramUser) -> None:
    user.send("/checkup")
    for label in ["At night", "Most nights", "Mostly sitting", "Less than 4"]:
        user.press(label)
    assert "Question 5 of 8" in user.last_text


def test_tapping_answers_of_a_several_answer_question_ticks_them_on_the_same_message(standin, tmp_path):
    with RunningBot(settings_for(standin, tmp_path / "data")):
        standin.wait_for(lambda: standin.polling, timeout=15)
        user = TelegramUser(standin, 1201)
        to_medicines(user)
        question, count = user.last_message, user.mark()
        user.press("Water pills")
        user.press("Statins")
        assert user.mark() == count, "no new message: the question's buttons change where they are"
        shown = standin.message(user.chat_id, question.message_id)
        assert "Question 5 of 8" in shown.text
        assert "✅ Water pills (diuretics)" in shown.buttons and "✅ Statins (for cholesterol)" in shown.buttons
        assert "Spironolactone or similar" in shown.buttons and "Done ✔️" in shown.buttons
        user.press("Water pills")  # a second tap takes the tick away
        shown = standin.message(user.chat_id, question.message_id)
        assert "Water pills (diuretics)" in shown.buttons and "✅ Statins (for cholesterol)" in shown.buttons
        user.press("Water pills")
        user.press("Done")
        shown = standin.message(user.chat_id, question.message_id)
        assert "→ Water pills (diuretics), Statins (for cholesterol)" in shown.text and not shown.buttons
        assert "Question 6 of 8" in user.last_text
        for label in ["None of these", "Comfy", "Neither"]:
            user.press(label)
        plan = user.last_text
        assert "“Water pills (diuretics)”" in plan and "“Statins (for cholesterol)”" in plan


def test_ticks_survive_a_restart_in_the_middle_of_the_question(standin, tmp_path):
    settings = settings_for(standin, tmp_path / "data")
    with RunningBot(settings):
        standin.wait_for(lambda: standin.polling, timeout=15)
        user = TelegramUser(standin, 1202)
        to_medicines(user)
        user.press("Water pills")
    with RunningBot(settings):
        standin.wait_for(lambda: standin.polling, timeout=15)
        user.press("Statins")  # the same message's buttons still work, and remember the first tick
        assert "✅ Water pills (diuretics)" in user.buttons and "✅ Statins (for cholesterol)" in user.buttons
        user.press("Done")
        assert "Question 6 of 8" in user.last_text
        for label in ["None of these", "Comfy", "Neither"]:
            user.press(label)
        assert "“Water pills (diuretics)”" in user.last_text and "“Statins (for cholesterol)”" in user.last_text
