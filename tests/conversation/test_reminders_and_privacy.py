"""Reminders at the user's local time (injected clock, no sleeping) and the privacy commands."""

from __future__ import annotations

import csv
import io
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


def test_export_gives_the_users_data_as_readable_json_and_csv(chat):
    chat.send("/log")
    chat.send("Berlin")
    for label in ("Just now", "Calf", "Right", "3", "1 to 5"):
        chat.press(label)
    chat.send("stretching and rubbing it")
    chat.press("In bed")
    chat.send("had a cramp last night in my left foot")
    for label in ("Skip", "Skip", "Skip"):
        chat.press(label)
    set_bedtime(chat)
    chat.send("/export")
    json_file, csv_file = (reply.attachment for reply in chat.last)
    assert json_file.filename.endswith(".json") and csv_file.filename.endswith(".csv")
    data = json.loads(json_file.content)
    assert data["time_zone"] == "Europe/Berlin" and data["reminders"][0]["times"] == ["22:30"]
    assert data["reminders"][0]["reminder"] == "Bedtime stretches"
    assert data["reminders"][0]["next"] == "2027-01-15T22:30:00+01:00", "ISO 8601, local, with the offset"
    night, timed = data["diary"]  # oldest first
    assert timed["date_time"] == "2027-01-15T09:00:00+01:00" and timed["time_known"] is True
    assert (timed["side"], timed["where"], timed["severity_1_to_5"], timed["how_long"]) == \
        ("Right", "Calf", 3, "1 to 5 minutes")
    assert timed["what_helped"] == ["Stretching", "Pressing or massage"] and timed["doing"] == "In bed / asleep"
    assert night["date_time"] is None and night["time"] is None and night["time_known"] is False
    assert night["when_said"] == "last night (Fri 15 Jan)" and night["part_of_day"] == "night"
    assert (night["side"], night["where"]) == ("Left", "Foot or sole")
    assert "1796" not in json_file.content and "1800000" not in json_file.content, "no epoch seconds"
    rows = list(csv.DictReader(io.StringIO(csv_file.content)))
    assert [r["number"] for r in rows] == ["1", "2"]
    assert rows[1]["date_time"] == "2027-01-15T09:00:00+01:00" and rows[1]["what_helped"] == \
        "Stretching; Pressing or massage"
    assert rows[0]["time"] == "" and rows[0]["when_said"] == "last night (Fri 15 Jan)" and rows[0]["time_known"] == "no"


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


# -- the morning check-in --------------------------------------------------------------------------------------


def set_checkin(chat: ChatClient, time_label: str = "07:00") -> float:
    """Set up the morning check-in (London), and return when it is first due."""
    chat.send("/reminders")
    chat.press("Morning check-in")
    assert "morning check-in arrive" in chat.text
    chat.press(time_label)
    if chat.state == ("reminders", "zone"):
        chat.send("London")
    return next(r.next_at for r in chat.session.reminders if r.kind == "checkin")


def press_exactly(chat: ChatClient, label: str) -> None:
    """Press the button whose label is exactly `label`."""
    (action,) = [c.action for r in chat.last for c in r.choices if c.label == label]
    chat.press_action(action)


def test_the_morning_check_in_is_offered_in_reminders_beside_the_others(chat):
    set_bedtime(chat)
    chat.send("/reminders")
    assert "🌅 Morning check-in" in chat.buttons
    chat.press("Morning check-in")
    chat.send("7:15am")
    assert sorted(r.kind for r in chat.session.reminders) == ["bedtime", "checkin"], "the bedtime stretches stay"
    assert "Morning check-in at 07:15" in chat.text
    due = next(r.next_at for r in chat.session.reminders if r.kind == "checkin")
    assert local(due, "Europe/Berlin").strftime("%d %H:%M") == "16 07:15"
    chat.send("/reminders")
    assert "🌅 Morning check-in" not in chat.buttons, "set already"


def test_a_cramp_free_night_is_one_tap_and_counted(chat):
    due = set_checkin(chat)
    fire(chat, "checkin", due)
    assert "Any cramps last night?" in chat.text
    assert chat.buttons == ["😌 None", "One", "Several", "😣 A bad one", "😴 Snooze 15 min", "🔕 Stop this reminder"]
    none = chat.button("None").action
    chat.press("None")
    assert "night without cramps" in chat.text and chat.session.diary == ()
    assert chat.session.quiet_nights == ("2027-01-16",)
    chat.press_action(none)  # a second tap counts the night once
    assert chat.session.quiet_nights == ("2027-01-16",)
    chat.send("/history")
    assert "Nights without cramps (morning check-in): 1 in the last 7 days" in chat.text


def test_one_cramp_at_the_check_in_takes_one_more_tap_and_is_saved_as_last_night(chat):
    due = set_checkin(chat)
    fire(chat, "checkin", due)
    press_exactly(chat, "One")  # "None" has "one" in it
    assert chat.buttons == ["Left calf", "Right calf", "Left foot", "Right foot", "Both legs", "Other"]
    chat.press("Left calf")
    (entry,) = chat.session.diary
    assert (entry.where, entry.side, entry.count, entry.time_known, entry.part, entry.said) == \
        ("calf", "left", 1, False, "night", "last night")
    assert "last night (Sat 16 Jan)" in chat.text and "➕ How bad" in chat.buttons
    chat.send("/history")
    assert "Last 7 days: 1 cramp" in chat.text and "night 1" in chat.text


def test_several_cramps_are_stored_as_one_entry_counting_two_or_more(chat):
    due = set_checkin(chat)
    fire(chat, "checkin", due)
    chat.press("Several")
    chat.press("Both legs")
    (entry,) = chat.session.diary
    assert (entry.count, entry.side, entry.where) == (2, "both", None)
    assert "several cramps" in chat.text and "➕ Where" in chat.buttons
    chat.send("/history")
    assert "Last 7 days: 2 cramps" in chat.text


def test_a_bad_one_opens_the_full_entry_with_last_night_filled_in(chat):
    due = set_checkin(chat)
    fire(chat, "checkin", due)
    chat.press("A bad one")
    assert chat.state == ("diary", "where"), "when is known: last night; the time zone is known too"
    for label in ("Calf", "Right", "5", "Over 10", "Stretching", "In bed"):
        chat.press(label)
    (entry,) = chat.session.diary
    assert (entry.severity, entry.side, entry.said, entry.time_known) == (5, "right", "last night", False)
    assert "get medical help today" in chat.text, "a long cramp is flagged as any logged one is"


def test_the_check_in_snoozes_and_stops_like_other_reminders_and_an_old_one_is_not_answered(chat):
    due = set_checkin(chat)
    fire(chat, "checkin", due)
    chat.press("Snooze")
    fire(chat, "checkin", due + 15 * 60)
    assert "Any cramps last night?" in chat.text
    old_none = chat.button("None").action
    chat.clock.advance(20 * 3600)  # the next day, before the next check-in
    chat.press_action(old_none)
    assert chat.session.quiet_nights == () and "earlier message" in chat.text, "not yesterday's question"
    fire(chat, "checkin", chat.session.reminders[0].next_at)
    chat.press("Stop this reminder")
    assert chat.session.reminders == ()
