"""The cramp diary as a user uses it: log (tap, command, free text), list, edit, delete, history."""

from __future__ import annotations

from datetime import UTC, datetime

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
                   helped="Stretching", doing="In bed") -> None:
    chat.send("/log")
    for label in (when, where, severity, duration, helped, doing):
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
    for label in ("Just now", "Calf", "4", "1 to 5", "Stretching", "In bed"):
        chat.press(label)
    chat.send("/log")
    assert chat.state == ("diary", "zone"), "skipped: still unknown, asked again next time"
    chat.send("Paris")
    for label in ("Just now", "Calf", "4", "1 to 5", "Stretching", "In bed"):
        chat.press(label)
    assert chat.session.zone == "Europe/Paris"
    chat.send("/log")
    assert chat.state == ("diary", "when"), "known now: not asked again"


def test_log_a_cramp_by_command_and_buttons(chat):
    in_london(chat)
    log_by_buttons(chat)
    assert "Saved in your diary" in chat.text
    (entry,) = chat.session.diary
    assert (entry.where, entry.severity, entry.duration, entry.helped, entry.doing) == \
        ("calf", 4, "minutes", ("stretch",), "bed")
    assert entry.at == chat.clock.now
    assert "#1" in chat.text and "calf" in chat.text and "4/5" in chat.text


def test_free_text_fills_in_what_it_says_and_asks_the_rest(chat):
    in_london(chat)
    chat.send("had a cramp last night in my left foot")
    assert chat.state == ("diary", "severity"), "when and where came from the message"
    assert chat.session.active.answers["where"] == ("foot",)
    chat.send("3")
    chat.send("about 2 minutes")
    chat.send("rubbing it helped")
    chat.send("I was asleep")
    (entry,) = chat.session.diary
    night = datetime.fromtimestamp(entry.at, UTC)
    assert night.hour == 3 and entry.at < chat.clock.now
    assert (entry.where, entry.severity, entry.duration, entry.helped, entry.doing) == \
        ("foot", 3, "minutes", ("massage",), "bed")


def test_one_tap_after_the_relief_sequence_logs_what_is_already_known(chat):
    in_london(chat)
    chat.send("/cramp")
    chat.press("Next step")
    chat.press("None of these")
    chat.clock.advance(3 * 60)
    chat.press("It's gone")
    assert "log this cramp" in chat.text.lower()
    chat.press("Log this cramp")
    assert chat.state == ("diary", "where"), "time, duration and what helped came from the relief steps"
    chat.press("Arch")
    chat.press("3")
    chat.press("In bed")
    (entry,) = chat.session.diary
    assert entry.helped == ("massage",) and entry.duration == "minutes"
    assert entry.at == chat.clock.now - 3 * 60


def test_typed_times_are_understood(chat):
    in_london(chat)
    chat.send("/log")
    chat.send("2 hours ago")
    assert chat.session.active.answers["when"] == (f"at:{chat.clock.now - 2 * HOUR}",)


def test_entries_can_be_edited(chat):
    in_london(chat)
    log_by_buttons(chat)
    chat.send("/diary")
    chat.press("Edit #1")
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
    chat.press("Edit #1")
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
    chat.press("Edit #1")
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
    assert chat.session.active.answers["when"] == (f"at:{chat.clock.now - 3 * 86400}",)


def test_history_ignores_old_entries_and_one_bad_night(brain):
    chat = in_london(ChatClient(brain))
    for _ in range(5):
        log_by_buttons(chat, when="Last night")  # five in one night
    chat.send("/history")
    assert "appointment" not in chat.text, "one bad night is not 'most nights'"
    chat.clock.advance(40 * 86400)
    chat.send("/history")
    assert "No cramps logged in the last 30 days" in chat.text and "before bed" not in chat.text
