"""The cramp diary as a user uses it: log (tap, command, free text), list, edit, delete, history."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core import diary as diaries
from tests.support.chat_client import ChatClient

HOUR = 3600.0


def in_london(chat: ChatClient) -> ChatClient:
    """Set the time zone once (London is UTC in January, like the fake clock)."""
    chat.send("/timezone")
    chat.send("I live in London")
    assert chat.session.zone == "Europe/London"
    return chat


def log_by_buttons(chat: ChatClient, when="Just now", where="Calf", severity="4", duration="1 to 5",
                   helped="Stretching", doing="In bed", side="Left") -> None:
    chat.send("/log")
    for label in (when, where, side, severity, duration, helped, doing):
        chat.press(label)


def test_the_first_log_asks_the_time_zone_once(chat):
    chat.send("/log")
    assert chat.state == ("diary", "zone")
    chat.send("it's 9:00am here")
    assert chat.session.active.answers["zone"] == ("zone:UTC+01:00",)
    assert chat.state == ("diary", "when")
    chat.send("cancel")
    chat.send("/log")
    assert chat.state == ("diary", "zone"), "cancelled before saving: nothing stored yet"
    chat.press("Skip")
    for label in ("Just now", "Calf", "Left", "4", "1 to 5", "Stretching", "In bed"):
        chat.press(label)
    chat.send("/log")
    assert chat.state == ("diary", "when"), "skipped once: not asked again on every /log"
    chat.send("cancel")
    chat.send("/timezone")
    chat.send("Paris")
    assert chat.session.zone == "Europe/Paris"
    chat.send("/log")
    assert chat.state == ("diary", "when"), "known now: not asked again"


def test_a_zone_answered_while_logging_is_kept_and_not_asked_again(chat):
    chat.send("/log")
    chat.send("Paris")
    for label in ("Just now", "Calf", "Left", "4", "1 to 5", "Stretching", "In bed"):
        chat.press(label)
    assert chat.session.zone == "Europe/Paris"
    chat.send("/log")
    assert chat.state == ("diary", "when")


def test_log_a_cramp_by_command_and_buttons(chat):
    in_london(chat)
    log_by_buttons(chat)
    assert "Saved in your diary" in chat.text
    (entry,) = chat.session.diary
    assert (entry.where, entry.side, entry.severity, entry.duration, entry.helped, entry.doing) == \
        ("calf", "left", 4, "minutes", ("stretch",), "bed")
    assert entry.at == chat.clock.now and entry.time_known
    assert "#1" in chat.text and "calf (left)" in chat.text and "4/5" in chat.text


def test_free_text_fills_in_what_it_says_and_asks_the_rest(chat):
    in_london(chat)
    chat.send("had a cramp last night in my left foot")
    assert chat.state == ("diary", "severity"), "when, where and the side came from the message"
    assert chat.session.active.answers["where"] == ("foot",)
    assert chat.session.active.answers["side"] == ("left",)
    chat.send("3")
    chat.send("about 2 minutes")
    chat.send("rubbing it helped")
    (entry,) = chat.session.diary
    assert datetime.fromtimestamp(entry.at, UTC).date() == datetime.fromtimestamp(chat.clock.now, UTC).date()
    assert (entry.time_known, entry.part, entry.said) == (False, "night", "last night"), "no made-up 03:00"
    assert (entry.where, entry.side, entry.severity, entry.duration, entry.helped, entry.doing) == \
        ("foot", "left", 3, "minutes", ("massage",), "bed")
    assert "last night (Fri 15 Jan)" in chat.text and "03:00" not in chat.text


def test_one_tap_after_the_relief_sequence_logs_what_is_already_known(chat):
    in_london(chat)
    chat.send("/cramp")
    chat.press("Next step")
    chat.press("None of these")
    chat.clock.advance(3 * 60)
    chat.press("It's gone")
    assert "log this cramp" in chat.text.lower()
    chat.press("Log this cramp")
    assert chat.state is None and "Saved in your diary" in chat.text, "saved at once, no question in the way"
    (entry,) = chat.session.diary
    assert entry.helped == ("massage",) and entry.duration == "minutes"
    assert entry.at == chat.clock.now - 3 * 60 and entry.time_known
    assert {"➕ How bad", "➕ Which side", "➕ What you were doing"} <= set(chat.buttons)
    chat.press("How bad")
    assert chat.state == ("diary", "severity"), "only the question tapped"
    chat.press("3")
    chat.press("Which side")
    chat.press("Right")
    (entry,) = chat.session.diary
    assert (entry.severity, entry.side, entry.helped, entry.duration) == (3, "right", ("massage",), "minutes")
    assert "➕ How bad" not in chat.buttons and "➕ What you were doing" in chat.buttons


@pytest.mark.parametrize("said, where", [("my foot is cramping right now", "foot"),
                                         ("hamstring cramp right now!!", "other"),
                                         ("cramp in my calf right now", "calf")])
def test_one_tap_after_relief_fitted_to_a_muscle_logs_where_it_was(chat, said, where):
    in_london(chat)
    chat.send(said)
    chat.press("It's gone")
    chat.press("Log this cramp")
    (entry,) = chat.session.diary
    assert entry.where == where
    assert "➕ Where" not in chat.buttons, "where is known: not asked"


def test_the_relief_muscles_map_to_diary_places(content):
    places = {c.id for c in content.flows["diary"].states["where"].choices}
    assert set(diaries.RELIEF_WHERE) == set(content.relief_muscles.muscles)
    assert set(diaries.RELIEF_WHERE.values()) <= places


def test_typed_times_are_understood(chat):
    in_london(chat)
    chat.send("/log")
    chat.send("2 hours ago")
    assert chat.session.active.answers["when"] == (f"at:{chat.clock.now - 2 * HOUR}",)


def test_entries_can_be_edited(chat):
    in_london(chat)
    log_by_buttons(chat)
    chat.send("/diary")
    chat.press("✏️ #1")
    chat.press("How bad")
    assert chat.state == ("diary", "severity")
    chat.press("2")
    assert "updated" in chat.text
    (entry,) = chat.session.diary
    assert entry.severity == 2 and entry.where == "calf", "only the chosen answer changed"


def test_entries_can_be_deleted_after_confirming(chat):
    in_london(chat)
    log_by_buttons(chat)
    log_by_buttons(chat, where="Toes")
    chat.send("/diary")
    chat.press("✏️ #1")
    chat.press("Delete #1")
    assert len(chat.session.diary) == 2, "nothing deleted before confirming"
    chat.press("Yes, delete it")
    assert [e.id for e in chat.session.diary] == [2]


def test_a_forged_delete_confirmation_does_nothing(chat):
    in_london(chat)
    log_by_buttons(chat)
    chat.press_action("diary:confirm:1")
    assert len(chat.session.diary) == 1


def test_cancel_while_logging_saves_nothing(chat):
    in_london(chat)
    chat.send("/log")
    chat.press("Last night")
    chat.send("cancel")
    assert chat.session.diary == ()


def test_history_summarises_7_and_30_days_with_a_chart(chat):
    in_london(chat)
    for _ in range(6):
        log_by_buttons(chat, when="Just now")
        chat.clock.advance(HOUR)
    chat.send("/history")
    reply = chat.last[0]
    assert "Last 7 days: 6 cramps" in reply.text and "Last 30 days: 6 cramps" in reply.text
    assert "What helped most: stretching" in reply.text
    assert reply.chart is not None and sum(reply.chart.per_day) == 6 and len(reply.chart.per_day) == 30


def test_history_points_to_a_doctor_when_cramps_come_most_nights(brain):
    chat = in_london(ChatClient(brain))
    for night in range(5):
        chat.clock.now = 1_800_000_000.0 + night * 86400  # 08:00 UTC each day; "last night" = 03:00
        log_by_buttons(chat, when="Last night")
    chat.send("/history")
    assert "book a routine doctor's appointment" in chat.text
    assert any("before bed" in r.text for r in chat.last) and "Stretches before bed" in chat.buttons


def test_a_long_cramp_in_the_diary_is_flagged(chat):
    in_london(chat)
    log_by_buttons(chat, duration="Over 10")
    assert "get medical help today" in chat.text, "said as soon as it is logged"
    chat.send("/history")
    assert "over 10 minutes" in chat.text


def test_empty_history_says_how_to_start(chat):
    chat.send("/history")
    assert "diary is empty" in chat.text
    assert chat.last[0].chart is None


def test_text_chart_for_the_console(chat):
    in_london(chat)
    log_by_buttons(chat)
    chart = diaries.chart_data(chat.session.diary, chat.clock.now, None)
    text = diaries.text_chart(chart, chat.brain.content.messages.texts)
    assert "█ 1" in text and "Cramps per day" in text


def test_a_late_yes_never_deletes_anything(chat):
    in_london(chat)
    log_by_buttons(chat)
    chat.send("/forget")
    chat.send("/tips")
    chat.send("ok")
    assert chat.session.diary, "the forget question expired with the next message"
    chat.send("/diary")
    chat.press("✏️ #1")
    chat.press("Delete #1")
    chat.send("why do cramps happen?")
    chat.send("sure")
    assert len(chat.session.diary) == 1


def test_a_typed_yes_works_even_mid_checkup(chat):
    in_london(chat)
    log_by_buttons(chat)
    chat.send("/checkup")
    chat.send("/forget")
    chat.send("yes")
    assert chat.session.diary == () and "deleted" in chat.text


def test_editing_an_entry_deleted_meanwhile_does_not_bring_it_back(chat):
    in_london(chat)
    log_by_buttons(chat)
    chat.send("/diary")
    chat.press("✏️ #1")
    chat.press("How bad")
    chat.press_action("diary:delete:1")
    chat.press_action("diary:confirm:1")
    assert chat.session.diary == ()
    chat.send("/log")  # any flow: the stale edit is gone with the new start
    chat.send("cancel")
    assert chat.session.diary == ()


def test_an_edit_finished_after_a_delete_is_refused(brain):
    chat = in_london(ChatClient(brain))
    log_by_buttons(chat)
    chat.send("/diary")
    chat.press("✏️ #1")
    chat.press("How bad")
    editing = chat.session
    chat.session = editing.with_(diary=())  # deleted from another device meanwhile
    chat.press("2")
    assert chat.session.diary == () and "can't find that diary entry" in chat.text


def test_logging_during_the_relief_steps_does_not_cut_them_short(chat):
    chat.send("/cramp")
    chat.send("/log")
    assert chat.state == ("relief", "stretch") and "ease the cramp first" in chat.text


def test_absurd_times_are_asked_again_not_stored(chat):
    in_london(chat)
    chat.send("/log")
    chat.send("99999999999 hours ago")
    assert chat.state == ("diary", "when")
    chat.send("3 days ago")
    assert chat.state == ("diary", "where")
    assert chat.session.active.answers["when"] == (f"about:{chat.clock.now - 3 * 86400}::3 days ago",), \
        "a day, not a clock time"


def test_history_ignores_old_entries_and_one_bad_night(brain):
    chat = in_london(ChatClient(brain))
    for _ in range(5):
        log_by_buttons(chat, when="Last night")  # five in one night
    chat.send("/history")
    assert "appointment" not in chat.text, "one bad night is not 'most nights'"
    chat.clock.advance(40 * 86400)
    chat.send("/history")
    assert "No cramps logged in the last 30 days" in chat.text and "before bed" not in chat.text


# -- /diary pages through every entry -------------------------------------------------------------------------


def test_the_diary_pages_through_every_entry_newest_first_in_order(chat):
    in_london(chat)
    for _ in range(11):
        log_by_buttons(chat)
        chat.clock.advance(HOUR)
    log_by_buttons(chat, when="Last night", where="Toes")  # logged last, but the oldest
    chat.send("/diary")
    lines = chat.text.splitlines()
    assert "#12 to #8 of 12" in lines[0]
    assert [line.split()[0] for line in lines[1:]] == ["#12", "#11", "#10", "#9", "#8"]
    assert chat.buttons[:5] == ["✏️ #12", "✏️ #11", "✏️ #10", "✏️ #9", "✏️ #8"]
    assert "Older ➡️" in chat.buttons and "⬅️ Newer" not in chat.buttons
    chat.press("Older")
    assert [line.split()[0] for line in chat.text.splitlines()[1:]] == ["#7", "#6", "#5", "#4", "#3"]
    assert "Older ➡️" in chat.buttons and "⬅️ Newer" in chat.buttons
    chat.press("Older")
    assert [line.split()[0] for line in chat.text.splitlines()[1:]] == ["#2", "#1"]
    assert "last night" in chat.text.splitlines()[-1] and "toes" in chat.text.splitlines()[-1]
    assert "Older ➡️" not in chat.buttons
    chat.press("✏️ #1")
    assert "toes" in chat.text and "🗑 Delete #1" in chat.buttons and "How bad" in chat.buttons
    chat.press("Delete #1")
    chat.press("Yes, delete it")
    assert len(chat.session.diary) == 11 and all(e.where == "calf" for e in chat.session.diary)
    chat.press("Diary")
    assert "of 11" in chat.text


def test_an_old_edit_button_still_opens_its_entry(chat):
    in_london(chat)
    log_by_buttons(chat)
    chat.press_action("diary:edit:1")  # the "✏️ Edit #1" of an older message
    assert "What would you like to change?" in chat.text and "🗑 Delete #1" in chat.buttons


# -- one sentence keeps everything it says ----------------------------------------------------------------------


def test_a_past_cramp_told_in_one_sentence_is_logged_with_all_it_says_and_no_alarm(chat):
    in_london(chat)
    chat.send("woke up with a cramp in my right foot yesterday around 2am, lasted 10 min, 5/5")
    assert all(r.kind not in ("urgent", "emergency") for r in chat.last)
    assert chat.state == ("diary", "helped"), "only what is missing is asked"
    chat.send("stretching")
    (entry,) = chat.session.diary
    assert (entry.side, entry.where, entry.severity, entry.duration, entry.helped, entry.doing) == \
        ("right", "foot", 5, "long", ("stretch",), "bed")
    assert entry.time_known and datetime.fromtimestamp(entry.at, UTC).strftime("%d %H:%M") == "14 02:00"
    assert "get medical help" not in chat.text, "10 minutes is not over 10 minutes"


def test_a_time_told_before_the_zone_is_known_is_read_in_that_zone_and_not_asked_again(chat):
    chat.send("had a bad one in my left calf at 3am")
    assert chat.state == ("diary", "zone")
    chat.send("Berlin")
    assert chat.state == ("diary", "duration"), "when, where, the side and how bad came from the message"
    for label in ("1 to 5", "Stretching", "In bed"):
        chat.press(label)
    (entry,) = chat.session.diary
    assert (entry.side, entry.where, entry.severity) == ("left", "calf", 4)
    assert local(entry.at, "Europe/Berlin") == "15 03:00" and entry.time_known


def local(epoch: float, zone_name: str) -> str:
    from bot.language.times import local_time

    return local_time(epoch, zone_name).strftime("%d %H:%M")


def test_minutes_typed_at_how_bad_are_noted_as_how_long_not_as_a_severity(chat):
    in_london(chat)
    chat.send("/log")
    for label in ("Just now", "Calf", "Left"):
        chat.press(label)
    chat.send("2 minutes")
    assert chat.state == ("diary", "severity"), "asked again"
    assert "1 to 5 minutes" in chat.text and "How bad" in chat.text
    assert chat.session.active.answers["duration"] == ("minutes",)
    chat.send("4")
    assert chat.state == ("diary", "helped"), "how long is not asked again"
    chat.press("Stretching")
    chat.press("In bed")
    (entry,) = chat.session.diary
    assert (entry.severity, entry.duration) == (4, "minutes")


def test_history_counts_last_night_as_night_and_an_unknown_time_as_not_said(chat):
    in_london(chat)
    log_by_buttons(chat, when="Last night")
    log_by_buttons(chat, when="Yesterday")
    chat.send("/history")
    assert "night 1" in chat.text and "time of day not said 1" in chat.text
    assert "afternoon" not in chat.text, "'yesterday' has no time of day"
    chart = chat.last[0].chart
    assert sum(chart.per_hour) == 0 and chart.by_part == (1, 0, 0, 0) and chart.untimed == 1
    chat.send("/diary")
    assert "yesterday (Thu 14 Jan)" in chat.text and "last night (Fri 15 Jan)" in chat.text


def test_a_typed_day_is_kept_as_said(chat):
    in_london(chat)
    chat.send("/log")
    chat.send("last monday")
    for label in ("Calf", "Left", "3", "1 to 5", "Stretching", "In bed"):
        chat.press(label)
    assert "last monday (Mon 11 Jan)" in chat.text and "12:00" not in chat.text


def test_one_tap_without_a_time_zone_saves_first_and_offers_the_zone_after(chat):
    chat.send("/cramp")
    chat.clock.advance(60)
    chat.press("It's gone")
    chat.press("Log this cramp")
    assert chat.state is None and len(chat.session.diary) == 1, "no time-zone question in the way"
    assert "UTC until you tell me your time zone" in chat.text and "🌍 Set my time zone" in chat.buttons
    chat.press("Set my time zone")
    chat.send("Berlin")
    assert chat.session.zone == "Europe/Berlin"
    chat.send("/diary")
    assert "Fri 15 Jan 09:00" in chat.text, "the time kept exactly, shown in the zone given later"
