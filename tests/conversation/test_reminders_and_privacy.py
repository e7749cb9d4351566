"""Reminders at the user's local time (injected clock, no sleeping) and the privacy commands."""

from __future__ import annotations

import json
from datetime import datetime

from bot.core.brain import Brain
from bot.core.session import ReminderDue
from bot.language.times import zone
from tests.support.chat_client import ChatClient

NOW = 1_800_000_000.0  # 2027-01-15 08:00 UTC


def local(epoch: float, zone_name: str) -> datetime:
    return datetime.fromtimestamp(epoch, zone(zone_name))


def set_bedtime(chat: ChatClient, time_text: str = "22:30", where: str = "Berlin") -> None:
    chat.send("/reminders")
    chat.press("Bedtime stretches")
    chat.send(time_text)
    chat.send(where)


def test_bedtime_reminder_is_due_at_local_time(chat):
    set_bedtime(chat, "10:30pm", "I'm in Berlin")
    (reminder,) = chat.session.reminders
    assert chat.session.zone == "Europe/Berlin"
    assert reminder.times == ("22:30",)
    assert local(reminder.next_at, "Europe/Berlin").strftime("%d %H:%M") == "15 22:30"
    assert "Bedtime stretches at 22:30" in chat.text


def test_time_zone_from_the_users_current_time(chat):
    chat.send("/reminders")
    chat.press("Drink reminders")
    chat.press("No limit")
    chat.send("it's 14:05 here")
    assert chat.session.zone == "UTC+06:00"
    assert [r.kind for r in chat.session.reminders] == ["hydration"]


def test_the_time_zone_is_asked_only_once(chat):
    set_bedtime(chat)
    chat.send("/reminders")
    chat.press("Change reminders")
    chat.press("Both")
    chat.press("No limit")
    chat.press("22:00")
    assert chat.state is None, "no second time-zone question"
    assert sorted(r.kind for r in chat.session.reminders) == ["bedtime", "hydration"]


def test_drink_reminders_are_not_set_for_someone_whose_fluids_a_doctor_limits(chat):
    chat.send("/reminders")
    chat.press("Drink reminders")
    assert "has a doctor limited how much you drink" in chat.text
    chat.send("yes, i'm on dialysis")
    assert chat.state is None and chat.session.reminders == ()
    assert "keep to the fluid, salt or potassium limit your care team gave you" in chat.text
    set_bedtime(chat)
    chat.send("/reminders")
    chat.press("Change reminders")
    chat.press("Both")
    chat.press("Yes, I have a limit")
    chat.press("22:00")
    assert [r.kind for r in chat.session.reminders] == ["bedtime"], "the bedtime stretches only"


def test_the_drink_reminder_does_not_overstate_and_names_the_fluid_limit(content):
    text = content.messages.text("reminder_hydration")
    assert "keep cramps away" not in text and "limited your fluids" in text


def fire(chat: ChatClient, kind: str, at: float) -> None:
    chat.clock.now = at
    chat.deliver(ReminderDue(kind, at))


def test_a_due_reminder_is_sent_once_and_moves_to_the_next_day(chat):
    set_bedtime(chat)
    due = chat.session.reminders[0].next_at
    fire(chat, "bedtime", due)
    assert "bedtime stretches" in chat.text.lower() and "Hold 15-30 seconds" in chat.text
    assert chat.buttons == ["😴 Snooze 15 min", "🔕 Stop this reminder"]
    assert chat.session.reminders[0].next_at == due + 86400
    fire(chat, "bedtime", due)  # the same due time again (a restart, a duplicate job)
    assert chat.last == (), "never doubled"


def test_snooze_and_stop_from_the_reminder_itself(chat):
    set_bedtime(chat)
    due = chat.session.reminders[0].next_at
    fire(chat, "bedtime", due)
    chat.press("Snooze")
    assert chat.session.reminders[0].next_at == due + 15 * 60
    fire(chat, "bedtime", due + 15 * 60)
    assert "bedtime stretches" in chat.text.lower()
    chat.press("Stop this reminder")
    assert chat.session.reminders == ()


def test_a_reminder_missed_for_hours_is_skipped_not_sent_late(chat):
    set_bedtime(chat)
    due = chat.session.reminders[0].next_at
    chat.clock.now = due + 5 * 3600
    chat.deliver(ReminderDue("bedtime", due))
    assert chat.last == ()
    assert chat.session.reminders[0].next_at > chat.clock.now


def test_the_console_says_reminders_need_telegram(content):
    chat = ChatClient(Brain(content, can_remind=False))
    chat.send("/reminders")
    assert "Telegram" in chat.text and chat.session.reminders == ()


def test_privacy_explains_what_is_kept(chat):
    chat.send("/privacy")
    assert "diary" in chat.text and "time zone" in chat.text and "/forget" in chat.text


def test_export_gives_the_users_data_as_json(chat):
    chat.send("/log")
    chat.send("Berlin")
    for label in ("Just now", "Calf", "3", "Under a minute", "Stretching", "In bed"):
        chat.press(label)
    set_bedtime(chat)
    chat.send("/export")
    attachment = chat.last[0].attachment
    data = json.loads(attachment.content)
    assert attachment.filename.endswith(".json")
    assert data["diary"][0]["where"] == "calf" and data["reminders"][0]["times"] == ["22:30"]
    assert data["time_zone"] == "Europe/Berlin"


def test_forget_needs_confirmation_then_clears_everything(chat):
    set_bedtime(chat)
    chat.send("/forget")
    assert chat.session.reminders, "nothing deleted yet"
    chat.press("Keep my data")
    assert chat.session.reminders
    chat.send("/forget")
    confirmed = chat.brain.respond(chat.session, chat_event(chat.button("Yes, delete everything").action), NOW)
    assert confirmed.forget and confirmed.session == type(chat.session)()
    chat.session = confirmed.session
    outcome = chat.brain.respond(chat.session, chat_event("forget:yes"), NOW)
    assert not outcome.forget, "a stale confirmation button deletes nothing"


def chat_event(action: str):
    from bot.core.session import Press

    return Press(action)


def test_typed_yes_and_no_answer_a_confirmation(chat):
    set_bedtime(chat)
    chat.send("/forget")
    chat.send("no")
    assert chat.session.reminders
    chat.send("/forget")
    chat.send("yes")
    assert chat.session.reminders == () and "deleted" in chat.text


def test_an_old_snooze_button_cannot_move_tomorrows_reminder(chat):
    set_bedtime(chat)
    due = chat.session.reminders[0].next_at
    fire(chat, "bedtime", due)
    snooze = chat.button("Snooze").action
    chat.clock.advance(12 * 3600)  # the next morning
    chat.press_action(snooze)
    assert chat.session.reminders[0].next_at == due + 86400, "still tomorrow at 22:30"


def test_a_forged_stop_does_not_claim_success(chat):
    set_bedtime(chat)
    chat.press_action("remind:stop:xyz")
    assert "stopped" not in chat.text and chat.session.reminders


def test_the_time_zone_can_be_changed_and_reminders_follow(chat):
    set_bedtime(chat)
    assert "your time now: 09:00" in chat.text
    chat.send("/timezone")
    chat.send("I live in New York")
    assert chat.session.zone == "America/New_York"
    assert local(chat.session.reminders[0].next_at, "America/New_York").strftime("%H:%M") == "22:30"


def test_export_includes_the_last_topic_and_last_relief(chat):
    chat.send("do bananas help?")
    chat.send("/cramp")
    chat.press("It's gone")
    chat.send("/export")
    data = json.loads(chat.last[0].attachment.content)
    assert data["last_cramp_eased"] is not None and "last_topic_asked" in data
