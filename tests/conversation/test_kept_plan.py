"""The plan that is kept: /plan shows it again (doctor advice first, the rest behind "More"), it offers the
reminders it recommends, and two weeks later it looks at the diary with the person."""

from __future__ import annotations

from bot.core.plan_review import REVIEW_AFTER
from bot.core.session import PLAN_REVIEW, ReminderDue, Session
from tests.support.chat_client import ChatClient

DAY = 86400.0
MORE = "➕ More of my plan"
NIGHTS_AND_WATER_PILLS = ["At night", "Most nights", "Mostly sitting", "Less than 4", "Water pills", "Done",
                          "Diabetes", "Done", "High heels", "Neither"]


def checkup(chat: ChatClient, answers: list[str]) -> str:
    """Do the check-up by buttons; the plan's first screen."""
    chat.send("/checkup")
    for label in answers:
        chat.press(label)
    assert chat.state is None and chat.last[0].intent == "checkup_plan"
    return chat.text


def log_cramp(chat: ChatClient) -> None:
    """Log a cramp that happened an hour ago, skipping every other question."""
    chat.send("/log")
    while chat.state is not None and chat.state[0] == "diary":
        if chat.state[1] == "when":
            chat.send("1 hour ago")
        else:
            chat.press("Skip")
    assert "Saved" in chat.text


def look_back(chat: ChatClient) -> str:
    """Let the two weeks pass as the shell would: wake the core at the plan's look-back time."""
    due = chat.session.plan.review_at
    chat.clock.now = max(chat.clock.now, due)
    chat.deliver(ReminderDue(PLAN_REVIEW, due))
    return chat.text


def test_the_plan_puts_doctor_advice_first_and_keeps_the_rest_behind_more(chat):
    first = checkup(chat, NIGHTS_AND_WATER_PILLS)
    lines = first.splitlines()
    doctor = lines.index("🩺 Worth talking to a doctor or pharmacist:")
    first_tip = next(i for i, line in enumerate(lines) if line.startswith("• "))
    assert first_tip == doctor + 1, "doctor advice comes before any other tip"
    assert "book a routine doctor's appointment" in first
    assert len(first) < 2000, "the first screen fits a phone"
    shown = [line for line in lines if line.startswith("• ")]
    chat.press(MORE)
    more = chat.text
    assert more.startswith("📋 More from your plan:")
    assert [line for line in more.splitlines() if line.startswith("• ")], "More holds the other tips"
    assert not set(more.splitlines()) & set(shown), "nothing is said twice"
    assert "↳ because you said" in more


def test_plan_shows_the_kept_plan_again_with_its_date(chat):
    checkup(chat, NIGHTS_AND_WATER_PILLS)
    first = chat.text
    chat.send("what's the weather like")  # anything else in between
    chat.clock.advance(3 * DAY)
    chat.send("/plan")
    assert chat.text.startswith("📋 Your plan from the check-up on ")
    for line in (line for line in first.splitlines() if line.startswith("• ")):
        assert line in chat.text
    assert MORE in chat.buttons


def test_plan_without_a_check_up_offers_one(chat):
    chat.send("/plan")
    assert "don't have a plan yet" in chat.text
    chat.press("Do the check-up")
    assert chat.state == ("checkup", "timing")


def test_the_plan_offers_the_reminders_it_recommends_and_a_tap_sets_them_up(chat):
    checkup(chat, NIGHTS_AND_WATER_PILLS)
    assert "⏰ Remind me to stretch at bedtime" in chat.buttons
    assert "💧 Remind me to drink" in chat.buttons
    chat.press("Remind me to stretch at bedtime")
    assert chat.state == ("reminders", "bedtime_time"), "the reminder is already chosen: only its time is asked"
    chat.press("22:30")
    chat.send("Berlin")
    assert chat.session.reminders[0].kind == "bedtime" and chat.session.reminders[0].times == ("22:30",)
    chat.send("/plan")
    assert "⏰ Remind me to stretch at bedtime" not in chat.buttons, "a reminder already set is not offered"
    assert "💧 Remind me to drink" in chat.buttons


def test_no_drink_reminder_is_offered_to_someone_with_a_fluid_limit(chat):
    checkup(chat, ["At night", "Most nights", "Mostly sitting", "Less than 4", "None of these", "Kidney", "Done",
                   "High heels", "Neither"])
    assert "💧 Remind me to drink" not in chat.buttons
    assert "drink a bit more" not in chat.text.lower()


def test_the_drink_reminder_offer_still_asks_about_a_fluid_limit(chat):
    checkup(chat, NIGHTS_AND_WATER_PILLS)
    chat.press("Remind me to drink")
    assert chat.state == ("reminders", "fluid_limit_drinks")


def test_two_weeks_on_the_diary_says_the_plan_is_working(chat):
    for _ in range(10):  # two weeks of about five cramps a week before the plan
        chat.clock.advance(1.4 * DAY)
        log_cramp(chat)
    checkup(chat, NIGHTS_AND_WATER_PILLS)
    assert chat.session.plan.review_at == chat.clock.now + REVIEW_AFTER
    for _ in range(4):  # two cramps a week since
        chat.clock.advance(3.4 * DAY)
        log_cramp(chat)
    said = look_back(chat)
    assert "Two weeks on" in said
    assert "5 → 2 cramps a week" in said
    assert "going the right way" in said
    assert "doctor" not in said
    assert chat.session.plan.review_at is None, "the look-back comes once"
    assert chat.deliver(ReminderDue(PLAN_REVIEW, chat.clock.now)) == ()


def test_two_weeks_on_no_change_suggests_the_next_step_and_a_doctor_with_the_summary(chat):
    for _ in range(6):
        chat.clock.advance(2.3 * DAY)
        log_cramp(chat)
    checkup(chat, NIGHTS_AND_WATER_PILLS)
    for _ in range(6):
        chat.clock.advance(2.3 * DAY)
        log_cramp(chat)
    said = look_back(chat)
    assert "3 → 3 cramps a week" in said
    assert "hasn't changed much" in said
    assert "bedtime stretch every night" in said
    assert "routine doctor's appointment" in said
    assert "📄 Summary for my doctor" in chat.buttons
    chat.press("Summary for my doctor")
    assert chat.last[0].summary is not None


def test_the_look_back_with_an_empty_diary_asks_to_log(chat):
    checkup(chat, NIGHTS_AND_WATER_PILLS)
    said = look_back(chat)
    assert "enough in your diary" in said
    assert "📝 Log a cramp" in chat.buttons


def test_plan_tells_how_it_is_going_after_two_weeks(chat):
    checkup(chat, NIGHTS_AND_WATER_PILLS)
    for _ in range(3):
        chat.clock.advance(2 * DAY)
        log_cramp(chat)
    chat.send("/plan")
    assert "Two weeks" not in chat.text and "From your diary" not in chat.text, "too early to tell"
    chat.clock.advance(10 * DAY)
    log_cramp(chat)
    chat.send("/plan")
    assert "From your diary: 3 cramps in your first week after the plan, 1 in the last week." in chat.text


def test_the_kept_plan_survives_a_restart_and_a_group_keeps_none(chat, brain):
    checkup(chat, NIGHTS_AND_WATER_PILLS)
    restored = ChatClient(brain, chat.clock, Session.from_dict(chat.session.to_dict()))
    restored.send("/plan")
    assert restored.text.startswith("📋 Your plan from the check-up on ")
    assert Session.from_dict({"diary": []}).plan is None, "a session saved before plans were kept still loads"
    group = ChatClient(brain, chat.clock, in_group=True)
    group.send("/plan")
    assert "private chat" in group.text
    assert group.session.plan is None
