"""Groups and private chats: personal things (check-up, diary, history, reminders, time zone,
privacy, export, forget) are refused in a group with a link to a private chat, and nothing personal
is kept for a group; deep links (/start <payload>) open a feature in a private chat."""

from __future__ import annotations

import json

import pytest

from bot.core.replies import Choice, Reply, render_text
from bot.core.session import DiaryEntry, FlowPosition, LastRelief, Reminder, Session
from bot.telegram_shell.render import payloads
from tests.support.chat_client import ChatClient, FakeClock

PERSONAL_COMMANDS = [("/checkup", "checkup"), ("/resume", "checkup"), ("/log", "log"), ("/diary", "diary"),
                     ("/history", "history"), ("/reminders", "reminders"), ("/timezone", "timezone"),
                     ("/privacy", "privacy"), ("/export", "export"), ("/forget", "forget")]


@pytest.fixture
def group(brain) -> ChatClient:
    return ChatClient(brain, FakeClock(), in_group=True)


def assert_sent_to_a_private_chat(chat: ChatClient, payload: str) -> None:
    (reply,) = chat.last
    assert "private chat" in reply.text and reply.attachment is None and reply.chart is None
    assert [(c.link, c.action) for c in reply.choices] == [(payload, "")], "one button: the deep link"


def assert_nothing_personal(session: Session) -> None:
    assert session.in_group
    assert (session.diary, session.reminders, session.zone, session.paused, session.last_relief,
            session.confirm) == ((), (), None, None, None, None)
    assert session.active is None or session.active.flow == "relief"
    recent = session.recent
    assert recent is None or (recent.who, recent.muscles, recent.sports) == (None, (), ()), "whom it was about"


@pytest.mark.parametrize("command,payload", PERSONAL_COMMANDS)
def test_personal_commands_in_a_group_point_to_a_private_chat(group, command, payload):
    group.send(command)
    assert_sent_to_a_private_chat(group, payload)
    assert_nothing_personal(group.session)


@pytest.mark.parametrize("action,payload", [
    ("menu:checkup", "checkup"), ("menu:restart", "checkup"), ("menu:log_relief", "log"),
    ("menu:reminders_setup", "reminders"), ("diary:delete:1", "diary"), ("diary:confirm:1", "diary"),
    ("remind:stop:all", "reminders"), ("remind:snooze:bedtime", "reminders"), ("forget:yes", "forget"),
    ("f:checkup:timing:night", "checkup"), ("f:diary:where:foot", "log"), ("f:zone:zone:~skip", "timezone"),
])
def test_personal_buttons_in_a_group_point_to_a_private_chat(group, action, payload):
    group.press_action(action)
    assert_sent_to_a_private_chat(group, payload)


def test_the_check_up_button_under_the_group_menu_points_to_a_private_chat(group):
    group.send("/start")
    assert "CrampBot" in group.text, "the greeting is not personal"
    group.press("Check-up")
    assert_sent_to_a_private_chat(group, "checkup")


def test_free_text_that_asks_for_the_diary_is_refused_in_a_group(group):
    group.send("log my cramp")
    assert_sent_to_a_private_chat(group, "log")
    assert group.session.active is None


def test_relief_questions_and_red_flags_still_work_in_a_group(group):
    group.send("why does my husband's calf cramp at night when he cycles?")
    assert "night" in group.text.lower() and group.kinds == ["answer"]
    assert_nothing_personal(group.session)
    group.send("my calf is swollen and red and I'm short of breath")
    assert group.kinds == ["urgent"]
    group.send("my calf is cramping right now")
    assert "Step 1 of 5" in group.text
    group.wait(15)
    group.press("It's gone")
    assert "log this cramp" not in group.text.lower()
    assert not any("Log" in label for label in group.buttons), "no one-tap log of a group member's cramp"
    assert group.session.last_relief is None
    assert_nothing_personal(group.session)


def test_a_group_session_stored_before_keeps_nothing_personal(group):
    old = Session(paused=FlowPosition("checkup", "timing", 1.0, {"meds": ("diuretic",)}),
                  diary=(DiaryEntry(1, 2.0, "calf", 3),), next_entry_id=2, zone="Europe/Berlin",
                  reminders=(Reminder("bedtime", ("22:30",), 3.0),), last_relief=LastRelief(1.0, 2.0, None),
                  confirm="forget")
    group.session = old
    group.send("yes")
    assert_nothing_personal(group.session)
    assert not any(r.attachment for r in group.last) and "deletes everything" not in group.text
    stored = Session.from_dict(json.loads(json.dumps(group.session.to_dict())))
    assert stored == group.session and stored.in_group, "a group stays a group after a restart"


def test_a_relief_countdown_ending_in_a_group_stays_a_group_turn(group):
    group.send("/cramp")
    group.wait(15)  # a timer event carries no chat type: the stored session says it is a group
    assert group.session.in_group
    group.press("It's gone")
    assert group.session.last_relief is None


def test_the_same_commands_are_refused_in_a_group_and_work_in_a_private_chat(group, chat):
    for person in (group, chat):
        person.send("/checkup")
        person.send("/export")
    assert_sent_to_a_private_chat(group, "export")
    assert chat.last[0].attachment is not None and not chat.session.in_group
    assert chat.state == ("checkup", "timing") and group.state is None


@pytest.mark.parametrize("text,state", [
    ("/start checkup", ("checkup", "timing")), ("/start cramp", ("relief", "stretch")),
    ("/start log", ("diary", "zone")), ("/start reminders", ("reminders", "what")),
    ("/start timezone", ("zone", "zone")),
])
def test_deep_links_open_a_flow_in_a_private_chat(chat, text, state):
    chat.send(text)
    assert chat.state == state


@pytest.mark.parametrize("text,expected", [
    ("/start diary", "Your diary is empty"), ("/start history", "Your diary is empty"),
    ("/start privacy", "What I keep about you"), ("/start forget", "This deletes everything"),
    ("/start export", "as a JSON file"),
])
def test_deep_links_open_a_page_in_a_private_chat(chat, text, expected):
    chat.send(text)
    assert expected in chat.text


@pytest.mark.parametrize("text", ["/start", "/start leaflet", "/start ../../etc", "/start " + "c" * 65,
                                  "/start checkup now", "/start CHECKUP"])
def test_only_known_well_formed_deep_links_open_a_feature(chat, text):
    chat.send("/start checkup")
    assert chat.state == ("checkup", "timing")
    chat.send("/cancel")
    chat.send(text)
    assert "CrampBot" in chat.text and chat.state is None, "anything else: the greeting"


def test_a_deep_link_in_a_group_is_still_refused(group):
    group.send("/start export")
    assert_sent_to_a_private_chat(group, "export")


def test_link_buttons_become_url_buttons_and_text_elsewhere():
    reply = Reply("That's personal", "smalltalk", (Choice("", "🔒 Open a private chat", link="log"),
                                                  Choice("menu:main", "☰ Menu")))
    (item,) = payloads(reply, "crampbot_test_bot")
    assert item["buttons"] == [[("🔒 Open a private chat", {"url": "https://t.me/crampbot_test_bot?start=log"})],
                               [("☰ Menu", "menu:main")]]
    (without_name,) = payloads(reply)
    assert without_name["buttons"] == [[("☰ Menu", "menu:main")]], "no broken link without the bot's username"
    assert "/start log" in render_text(reply)


def test_a_safety_question_in_a_group_keeps_no_words_and_still_takes_its_answer(group):
    group.send("I was out of breath after my run and my calf cramped")
    assert group.last[0].kind == "triage_question"
    assert group.session.triage is not None and group.session.triage.text == ""
    group.press_action("menu:triage_no")
    assert group.last[0].kind == "smalltalk"
    group.send("I was out of breath after my run and my calf cramped")
    group.press_action("menu:triage_yes")
    assert (group.last[0].kind, group.last[0].intent) == ("urgent", "call_emergency")


def test_start_in_a_private_chat_brings_the_always_there_sos_button_and_hidebutton_takes_it_away(chat):
    chat.send("/start")
    assert [r.keyboard for r in chat.last] == [None, ("🆘 Cramp now",)]
    chat.send("/hidebutton")
    assert chat.last[0].keyboard == () and "/showbutton" in chat.text
    chat.send("/showbutton")
    assert chat.last[0].keyboard == ("🆘 Cramp now",)
