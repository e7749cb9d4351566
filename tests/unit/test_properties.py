"""Property-based tests (hypothesis): arbitrary Unicode never breaks the matcher or the dialogs;
every reply has one of the five kinds and fits Telegram's limits."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.replies import KINDS
from bot.core.session import Press, Session, Text, TimerDone
from bot.telegram_shell.render import MAX_CALLBACK_BYTES, MAX_TEXT, payloads, telegram_length

SPECIAL = ["\u200b", "\u200d", "\u202e", "\u2066", "\ufeff", "\x00", "\x07", "\x1b[31m", "\r\n", "\t", "😖", "🦶🏽",
           "👩‍⚕️", "مرحبا", "שלום", "ऐंठन", "судорога", "ｃｒａｍｐ", "ǆ", "ﬀ", "İ", "\U0001f9b5" * 3, "%s", "{0}",
           "/", "/start@", "@", "cramp", "chest pain", "right now"]
texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(SPECIAL) | st.text(max_size=5), max_size=40).map("".join),
    st.text(alphabet=st.characters(exclude_categories=("Cs",)), min_size=5000, max_size=10000),
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])


def check_replies(replies) -> None:
    for reply in replies:
        assert reply.kind in KINDS
        for item in payloads(reply):
            if "text" in item:
                assert 0 < telegram_length(item["text"]) <= MAX_TEXT
            for row in item.get("buttons", []):
                for label, data in row:
                    assert label and len(data.encode()) <= MAX_CALLBACK_BYTES


@FAST
@given(text=texts)
def test_any_message_gets_a_reply_of_a_known_kind_within_limits(brain, text):
    outcome = brain.respond(Session(), Text(text), 1_800_000_000.0)
    assert outcome.replies
    check_replies(outcome.replies)
    assert Session.from_dict(json.loads(json.dumps(outcome.session.to_dict()))) == outcome.session


@FAST
@given(text=texts)
def test_the_matcher_never_fails_and_scores_stay_in_range(content, text):
    match = content.matcher.match(content.normaliser.normalise(text))
    assert 0.0 <= match.score <= 100.0
    assert match.intent is None or match.intent in content.knowledge.entries


STARTS = ["/checkup", "/cramp", "/log", "/reminders", "/diary", "/forget", "hello"]
events = st.lists(
    st.one_of(
        texts.map(Text),
        st.sampled_from(["skip", "back", "cancel", "next", "it's gone", "still hurts", "3", "at night", "yes", "no",
                         "more", "22:30", "Berlin", "last night"]).map(Text),
        st.integers(min_value=0, max_value=12).map(lambda i: ("button", i)),
        st.text(max_size=70).map(Press),
        st.just(("timer",)),
    ),
    max_size=25,
)


@FAST
@given(start=st.sampled_from(STARTS), steps=events)
def test_any_sequence_of_events_keeps_the_dialogs_consistent(brain, start, steps):
    now = 1_800_000_000.0
    session = Session()
    outcome = brain.respond(session, Text(start), now)
    for step in steps:
        now += 7
        session = outcome.session
        if isinstance(step, tuple) and step[0] == "button":
            buttons = [c for r in outcome.replies for c in r.choices]
            event = Press(buttons[step[1] % len(buttons)].action) if buttons else Text("menu")
        elif isinstance(step, tuple):
            event = TimerDone(session.timer.timer_id) if session.timer else TimerDone("none")
        else:
            event = step
        outcome = brain.respond(session, event, now)
        check_replies(outcome.replies)
        active = outcome.session.active
        if active is not None:
            assert active.state in brain.engines[active.flow].flow.states
        restored = Session.from_dict(json.loads(json.dumps(outcome.session.to_dict())))
        assert restored == outcome.session


# Digits that str.isdigit() accepts but int() refuses (superscripts, Ethiopic numerals), and ones
# int() reads (Arabic-Indic): a message or a forged button must never crash a turn.
ODD_DIGITS = ["²", "፩", "፩፩", "٣٠", "𝟙𝟘", "①"]


@given(digits=st.sampled_from(ODD_DIGITS), unit=st.sampled_from(["minutes", "mins", "hours", "min"]))
def test_durations_in_unusual_digits_never_crash_the_safety_scan(brain, digits, unit):
    outcome = brain.respond(Session(), Text(f"cramp for {digits} {unit} and it's still tight"), 1_800_000_000.0)
    check_replies(outcome.replies)


@given(digits=st.sampled_from(ODD_DIGITS),
       action=st.sampled_from(["diary:edit:{}", "diary:delete:{}", "diary:edit:{}:when", "more:night_cramps:{}",
                               "more:stretching:{}"]))
def test_forged_buttons_with_unusual_digits_never_crash_a_turn(brain, digits, action):
    outcome = brain.respond(Session(), Press(action.format(digits)), 1_800_000_000.0)
    check_replies(outcome.replies)


# Button data shaped like the bot's own ("diary:edit:3:when", "f:checkup:activity:often", "more:id:2")
# with odd parts: a modified client can send any callback data for a message the bot sent.
ACTION_HEADS = ["diary", "remind", "forget", "more", "ask", "f", "menu", "zone"]
ACTION_PARTS = ["edit", "delete", "confirm", "keep", "snooze", "stop", "yes", "no", "when", "bedtime", "hydration",
                "checkup", "relief", "start", "main", "cramp", "night_cramps", "", "-1", "0", "9" * 25, *ODD_DIGITS]
shaped_actions = st.builds(lambda head, rest: ":".join([head, *rest]), st.sampled_from(ACTION_HEADS),
                           st.lists(st.sampled_from(ACTION_PARTS) | st.text(max_size=3), max_size=5))


@FAST
@given(start=st.sampled_from(STARTS), actions=st.lists(shaped_actions, max_size=8))
def test_forged_buttons_shaped_like_ours_never_break_a_dialog(brain, start, actions):
    now = 1_800_000_000.0
    outcome = brain.respond(Session(), Text(start), now)
    for action in actions:
        now += 5
        outcome = brain.respond(outcome.session, Press(action), now)
        check_replies(outcome.replies)
        assert Session.from_dict(json.loads(json.dumps(outcome.session.to_dict()))) == outcome.session


def test_a_normaliser_remembers_texts_only_while_content_loads(content):
    normaliser = content.normaliser
    with normaliser.remembering():
        first = normaliser.normalise("my calf cramps at night")
        assert normaliser.normalise("my calf cramps at night") is first
    assert normaliser.normalise("my calf cramps at night") is not first  # nothing kept after loading
    assert normaliser.normalise("my calf cramps at night") == first
