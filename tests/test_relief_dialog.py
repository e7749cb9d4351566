"""The emergency relief sequence: from anywhere, one step at a time, timed holds, escalation."""

from __future__ import annotations

import pytest



@pytest.mark.parametrize("how", ["my foot is cramping right now", "/cramp", "button"])
def test_relief_starts_from_a_phrase_a_command_or_one_tap(chat, how):
    if how == "button":
        chat.send("/start")
        chat.press("Cramp right now")
    else:
        chat.send(how)
    reply = chat.last[0]
    assert reply.kind == "emergency" and reply.intent == "cramp_now"
    assert "Step 1 of 5" in reply.text and "pull them gently towards you" in reply.text
    assert reply.timer is not None and reply.timer.seconds == 15
    assert chat.buttons[:3] == ["➡️ Next step", "✅ It's gone", "😣 Still hurts"]


def test_steps_come_one_at_a_time_with_the_documented_timings(chat):
    chat.send("/cramp")
    steps = [(chat.last[0].text, chat.last[0].timer)]
    for _ in range(4):
        chat.press("Next step")
        steps.append((chat.last[0].text, chat.last[0].timer))
    texts = [t for t, _ in steps]
    assert [f"Step {i} of 5" in t for i, t in enumerate(texts, 1)] == [True] * 5
    assert "3 to 5 minutes" in texts[1]
    assert "5 to 10 minutes" in texts[2]
    assert "10 times one way, then 10 times the other" in texts[3]
    assert "water" in texts[4]
    assert [t.seconds if t else None for _, t in steps] == [15, 180, 300, 60, None]


def test_a_finished_hold_asks_how_it_is_now(chat):
    chat.send("/cramp")
    assert chat.wait(14) == ()  # not yet
    replies = chat.wait(1)
    assert replies and "let go slowly" in replies[0].text
    assert chat.session.timer is None
    assert chat.state == ("relief", "stretch")


def test_moving_on_before_a_timer_ends_replaces_it_and_the_old_one_is_ignored(chat):
    chat.send("/cramp")
    first = chat.session.timer
    chat.press("Next step")
    second = chat.session.timer
    assert second is not None and second.timer_id != first.timer_id
    from bot.session import TimerDone

    assert chat._run(TimerDone(first.timer_id)) == ()  # a stale timer says nothing
    assert chat.session.timer == second


def test_its_gone_ends_kindly_with_a_note_about_soreness(chat):
    chat.send("cramp in my calf right now")
    chat.send("it's gone")
    assert chat.state is None
    assert "tender for up to a day" in chat.text
    assert chat.last[0].kind == "emergency"


def test_still_hurts_moves_to_the_next_step(chat):
    chat.send("/cramp")
    chat.press("Still hurts")
    assert chat.state == ("relief", "press")


def test_a_cramp_still_there_after_ten_minutes_escalates_to_same_day_care(chat):
    chat.send("/cramp")
    chat.clock.advance(9 * 60)
    chat.press("Still hurts")
    assert chat.state == ("relief", "press"), "before ten minutes, keep going"
    chat.clock.advance(61)
    chat.send("still hurts")
    reply = chat.last[0]
    assert reply.kind == "urgent" and reply.intent == "get_help_today"
    assert "Get medical help today" in reply.text or "get medical help today" in reply.text
    assert chat.state is None


def test_last_step_still_hurting_loops_back_to_the_stretch(chat):
    chat.send("/cramp")
    for _ in range(4):
        chat.press("Next step")
    chat.press("Still hurts")
    assert chat.state == ("relief", "stretch")


def test_saying_cramp_again_during_relief_does_not_restart_the_clock(chat):
    chat.send("/cramp")
    started = chat.session.active.started_at
    chat.clock.advance(30)
    chat.send("my calf is cramping right now")
    assert chat.session.active.started_at == started
    assert chat.state == ("relief", "press")


def test_emergency_mid_checkup_pauses_it_and_it_can_be_resumed(chat):
    chat.send("/checkup")
    chat.press("At night")
    chat.press("Most nights")
    assert chat.state == ("checkup", "activity")
    chat.send("ow my foot is cramping right now")
    assert chat.state == ("relief", "stretch")
    assert "check-up is paused" in chat.text
    chat.press("It's gone")
    assert "carry on with your check-up" in chat.text
    chat.press("Resume check-up")
    assert chat.state == ("checkup", "activity")
    assert chat.session.active.answers == {"timing": ("night",), "frequency": ("nightly",)}


def test_stop_ends_relief_but_keeps_a_paused_checkup(chat):
    chat.send("/checkup")
    chat.press("At night")
    chat.send("/cramp")
    chat.send("stop")
    assert chat.state is None
    assert chat.session.paused is not None
    chat.send("/resume")
    assert chat.state == ("checkup", "frequency")


def test_cancel_command_stops_everything(chat):
    chat.send("/checkup")
    chat.send("/cramp")
    chat.send("/cancel")
    assert chat.state is None and chat.session.paused is None
    chat.send("/cancel")
    assert "nothing to cancel" in chat.text.lower()


def test_a_question_during_relief_is_answered_and_the_step_shown_again(chat):
    chat.send("/cramp")
    chat.send("should I use ice?")
    assert chat.last[0].intent == "relief_ice"
    assert chat.last[0].choices == ()
    assert "Step 1 of 5" in chat.last[-1].text
    assert chat.session.timer is not None, "the running hold keeps counting"


def test_relief_buttons_from_an_old_sequence_are_ignored(chat):
    chat.send("/cramp")
    old = chat.button("Next step").action
    chat.press("It's gone")
    chat.press_action(old)
    assert chat.state is None
    assert "earlier message" in chat.text


@pytest.mark.parametrize("said, state", [("no pain now", None), ("a bit better", ("relief", "press")),
                                         ("it doesn't hurt any more", None), ("not gone", ("relief", "press"))])
def test_relief_reads_partial_and_negated_answers(chat, said, state):
    chat.send("/cramp")
    chat.send(said)
    assert chat.state == state


def test_a_sticker_mid_relief_gets_a_kind_note_and_the_step_again(chat):
    from bot.session import NonText

    chat.send("/cramp")
    chat._run(NonText("sticker"))
    assert "only read typed words" in chat.text and "Step 1 of 5" in chat.text
    assert chat.state == ("relief", "stretch")


def test_a_photo_outside_a_dialog_gets_the_menu(chat):
    from bot.session import NonText

    chat._run(NonText("photo"))
    assert chat.last[0].kind == "fallback" and "Cramp right now" in " ".join(chat.buttons)
