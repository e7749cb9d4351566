"""The one codec for button actions and coded answers: what today's buttons and stored answers say is read
back to the same fields, what is built is byte for byte what older versions built, and anything broken or
forged is read as Unknown instead of raising."""

from __future__ import annotations

import pytest

from bot.content import flows
from bot.core import actions
from bot.core import brain as brain_module
from bot.core.actions import Ask, DiaryKeep, DiaryPress, FlowPress, ForgetPress, Menu, More, RemindPress, Unknown, parse
from bot.core.brain import Brain

# Strings as the bot has always sent them (and as they sit in chats' old messages and stored outbox rows)
TODAYS_ACTIONS = {
    "menu:cramp": Menu("cramp"),
    "menu:log_relief": Menu("log_relief"),
    "ask:when_to_see_doctor": Ask("when_to_see_doctor"),
    "more:night_cramps:2": More("night_cramps", 2),
    "f:checkup:activity:desk": FlowPress("checkup", "activity", "desk"),
    "f:reminders:bedtime_time:t2200": FlowPress("reminders", "bedtime_time", "t2200"),
    "f:diary:when:~skip": FlowPress("diary", "when", "~skip"),
    "diary:edit:3": DiaryPress("edit", 3),
    "diary:field:3:severity": DiaryPress("field", 3, "severity"),
    "diary:delete:12": DiaryPress("delete", 12),
    "diary:confirm:3": DiaryPress("confirm", 3),
    "diary:keep": DiaryKeep(),
    "remind:snooze:bedtime": RemindPress("snooze", "bedtime"),
    "remind:stop:hydration": RemindPress("stop", "hydration"),
    "remind:stop:all": RemindPress("stop", "all"),
    "forget:yes": ForgetPress("yes"),
    "forget:no": ForgetPress("no"),
    "dpage:2": actions.DiaryPage(2),
    "checkin:none": actions.CheckinPress("none"),
    "checkin:several:left_calf": actions.CheckinPress("several", "left_calf"),
}


@pytest.mark.parametrize("text, expected", TODAYS_ACTIONS.items(), ids=list(TODAYS_ACTIONS))
def test_todays_actions_read_to_their_fields_and_write_back_the_same(text, expected):
    assert parse(text) == expected
    assert str(expected) == text


def test_the_builders_write_todays_strings():
    assert actions.menu("checkup") == "menu:checkup"
    assert actions.ask("relief_overview") == "ask:relief_overview"
    assert actions.more("night_cramps", 1) == "more:night_cramps:1"
    assert actions.flow_choice("checkup", "activity", "desk") == "f:checkup:activity:desk"
    assert actions.flow_nav("diary", "when", "back") == "f:diary:when:~back"
    assert actions.diary("delete", 4) == "diary:delete:4"
    assert actions.diary("field", 4, "when") == "diary:field:4:when"
    assert actions.diary_keep() == "diary:keep"
    assert actions.remind("snooze", "bedtime") == "remind:snooze:bedtime"
    assert (actions.forget(True), actions.forget(False)) == ("forget:yes", "forget:no")


def test_a_flow_button_says_whether_it_navigates():
    assert parse("f:diary:when:~skip").nav == "skip"
    assert parse("f:checkup:activity:desk").nav is None
    assert parse("f:diary:when:~").nav == ""  # a bare "~" goes back, as it always did


@pytest.mark.parametrize("text", [
    "", ":", "zzz", "f", "f:x", "f:checkup:activity", "f:checkup::desk", "f:a:b:c:d", "more", "more:x",
    "more:x:", "more:x:1234", "more:x:two", "more:x:-1", "diary", "diary:x", "diary:edit", "diary:edit:x",
    "remind:snooze", "remind:foo:bedtime", "remind:stop:a:b", "forget", "forget:yes:really",
    "callback:from:an:old:version", "🦵:🦵",
])
def test_broken_or_forged_actions_read_as_unknown_and_keep_their_kind(text):
    press = parse(text)
    assert isinstance(press, Unknown)
    assert press.kind == text.partition(":")[0]
    assert str(press) == text


def test_menu_and_ask_take_whatever_follows_and_leave_the_check_to_the_conversation():
    assert parse("menu") == Menu("")
    assert parse("menu:no_such_item") == Menu("no_such_item")
    assert parse("ask:no_such_entry") == Ask("no_such_entry")


def test_a_diary_button_ignores_parts_after_the_field_as_it_always_did():
    assert parse("diary:field:1:when:extra") == DiaryPress("field", 1, "when")


def test_a_typed_yes_or_no_stands_for_the_button_of_the_question_waiting():
    assert actions.confirm_yes(actions.FORGET_PENDING) == "forget:yes"
    assert actions.deleting(3) == "delete:3"
    assert actions.confirm_yes("delete:3") == "diary:confirm:3"
    assert actions.deleting_of("delete:3") == 3
    assert actions.confirm_yes("delete:x") is None and actions.confirm_yes("something else") is None
    assert actions.deleting_of(None) is None and actions.deleting_of("forget") is None


def test_coded_answers_round_trip():
    assert actions.at(1733390000.5) == "at:1733390000.5"
    assert actions.when_of("at:1733390000.5") == 1733390000.5
    assert actions.when_of(actions.at(1800000000.0)) == 1800000000.0
    assert actions.zone("Europe/London") == "zone:Europe/London"
    assert actions.zone_of("zone:Europe/London") == "Europe/London"
    assert actions.bedtime("22:00") == "t2200"
    assert actions.clock_of("t2200") == "22:00" and actions.clock_of(actions.bedtime("07:05")) == "07:05"
    assert actions.severity(3) == "s3"
    assert actions.severity_of("s3") == 3


def test_the_zone_in_a_flows_answers():
    assert actions.zone_from({"zone": ("zone:America/New_York",), "when": ("just_now",)}) == "America/New_York"
    assert actions.zone_from({"when": ("just_now",)}) is None
    assert actions.zone_from({"zone": ()}) is None


@pytest.mark.parametrize("reader, text", [
    (actions.when_of, "at:soon"), (actions.when_of, "just_now"), (actions.when_of, None),
    (actions.zone_of, "Europe/London"), (actions.zone_of, None),
    (actions.clock_of, "thyroid"), (actions.clock_of, "t22"), (actions.clock_of, "t22:0"), (actions.clock_of, None),
    (actions.severity_of, "s"), (actions.severity_of, "sx"), (actions.severity_of, "s-1"),
    (actions.severity_of, "none"),
])
def test_a_broken_answer_reads_as_none(reader, text):
    assert reader(text) is None


@pytest.mark.parametrize("module, name, extra, named", [
    (brain_module, "MENU_ACTIONS", "menu:dance", "'dance'"),  # a menu item content may use, with nothing behind it
    (flows, "END_TYPES", "party", "'party'"),  # a flow end the loader accepts but nothing finishes
    (flows, "PARSERS", "weather", "'weather'"),  # a free-text parser a flow may name but none reads
])
def test_lists_kept_in_two_modules_must_agree_or_the_bot_does_not_start(content, monkeypatch, module, name, extra,
                                                                         named):
    monkeypatch.setattr(module, name, (*getattr(module, name), extra))
    with pytest.raises(RuntimeError, match=named):
        Brain(content)


def test_a_day_said_in_words_round_trips_as_an_answer():
    answer = actions.about(1_800_000_000.0, "night", "last night")
    assert answer == "about:1800000000.0:night:last night"
    assert actions.about_of(answer) == (1_800_000_000.0, "night", "last night")
    assert actions.about_of(actions.about(5.0, None, None)) == (5.0, None, None)
    assert actions.about_of("about:x::") is None and actions.when_of(answer) is None
    assert actions.words_of(actions.words("at 3am")) == "at 3am" and actions.words_of("at:3") is None


@pytest.mark.parametrize("text", ["dpage:", "dpage:x", "dpage:1234", "checkin:", "checkin:one:", "checkin:a:b:c"])
def test_broken_page_and_check_in_buttons_are_unknown(text):
    assert isinstance(parse(text), Unknown)
