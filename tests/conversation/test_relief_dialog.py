"""The emergency relief sequence: from anywhere, one step at a time, timed holds, escalation."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("how", ["my foot is cramping right now", "/cramp", "button", "🆘", "SOS"])
def test_relief_starts_from_a_phrase_a_command_or_one_tap(chat, how):
    if how == "button":
        chat.send("/start")
        chat.press("Cramp right now")
    else:
        chat.send(how)
    reply = chat.last[0]
    assert reply.kind == "emergency" and reply.intent == "cramp_now"
    assert "Step 1 of 5" in reply.text and "your toes" in reply.text and "towards you" in reply.text
    assert reply.timer is None, "the hold waits for ▶️ Start"
    assert chat.buttons[:4] == ["▶️ Start", "➡️ Next step", "✅ It's gone", "😣 Still hurts"]
    chat.press("Start")
    assert chat.last[0].timer is not None and chat.last[0].timer.seconds == 15


@pytest.mark.parametrize(("said", "first"), [
    ("driving on the motorway and my right calf is cramping right now, what do i do", "pull over where it is safe"),
    ("cramp in my foot right now, I'm in the pool", "float on your back or hold on to the side"),
    ("on my bike and my quad is cramping right now", "get off the bike first"),
    ("halfway down the mountain and both my thighs are cramping right now, help", "stop somewhere steady"),
    ("on dialysis right now and my calf just cramped, what do i do", "tell the nurse or the dialysis team now"),
    ("32 weeks pregnant and my calf is cramping right now, cant reach my foot", "call your midwife"),
    ("my calf cramp started about 20 mins ago. I stretched it and rubbed it. still hard as a rock", "checked today"),
])
def test_a_cramp_where_it_matters_or_for_who_it_is_begins_with_a_line_for_it(chat, said, first):
    """At the wheel, on a bike, in the water or on a hill: stop safely first; on dialysis: tell the nurse; in
    pregnancy: when to call the midwife; told as long: when to get it checked."""
    chat.send(said)
    reply = chat.last[0]
    assert reply.kind == "emergency" and "▶️ Start" in chat.buttons
    assert first in reply.text.split("\n\n")[0] and "Step 1 of 5" in reply.text


def test_a_cramp_at_home_has_no_line_on_stopping_safely(chat):
    chat.send("my calf is cramping right now")
    assert chat.text.startswith("Let's ease it step by step")


def test_an_sos_inside_a_question_is_not_a_cramp_now(chat):
    chat.send("what does sos mean")
    assert chat.last[0].intent != "cramp_now"


def test_the_first_step_offers_the_simple_tricks_for_someone_who_cannot_reach_their_toes(chat):
    chat.send("/cramp")
    step = chat.text
    assert "towel or belt" in step and "lean in with the heel down" in step
    assert "Standing on the leg or walking it off" in step


def relief_to_the_last_step(chat) -> None:
    """Start relief and tap through every step (no clot signs) to the last one."""
    chat.send("/cramp")
    chat.press("Next step")
    chat.press("None of these")
    for _ in range(3):
        chat.press("Next step")


def step_and_hold(chat) -> tuple[str, object]:
    """The step just shown, and the hold its ▶️ Start begins (None when it has no hold)."""
    text = chat.last[0].text
    if "▶️ Start" not in chat.buttons:
        return text, None
    chat.press("Start")
    return text, chat.last[0].timer


def test_steps_come_one_at_a_time_with_the_documented_timings(chat):
    chat.send("/cramp")
    steps = [step_and_hold(chat)]
    chat.press("Next step")
    chat.press("None of these")
    steps.append(step_and_hold(chat))
    for _ in range(3):
        chat.press("Next step")
        steps.append(step_and_hold(chat))
    texts = [t for t, _ in steps]
    assert [f"Step {i} of 5" in t for i, t in enumerate(texts, 1)] == [True] * 5
    assert "3 to 5 minutes" in texts[1] and "moderate pressure" in texts[1] and "firmly" not in texts[1]
    assert "5 to 10 minutes" in texts[2]
    assert "10 times one way, then 10 times the other" in texts[3]
    assert "water" in texts[4] and "Has it eased?" in texts[4]
    assert [t.seconds if t else None for _, t in steps] == [15, 180, 300, 60, None]


def test_before_massage_and_heat_one_question_checks_for_a_clot(chat):
    chat.send("/cramp")
    chat.press("Next step")
    assert chat.state == ("relief", "clot_check")
    assert "swollen, red or hot" in chat.text and "short of breath" in chat.text and "an operation" in chat.text
    assert chat.buttons[:4] == ["👍 No, none of these", "🦵 Swollen, red or hot", "✈️ After a flight or operation",
                                "😮‍💨 Breathless or chest pain"]


@pytest.mark.parametrize("said", ["no, but i had surgery last week", "nope. flew back from sydney yesterday though",
                                  "none of those but i gave birth 10 days ago"])
def test_a_no_that_names_a_flight_an_operation_or_a_birth_is_not_taken_as_no(chat, said):
    chat.send("/cramp")
    chat.press("Next step")
    chat.send(said)
    reply = chat.last[0]
    assert (reply.kind, reply.intent) == ("urgent", "get_help_today") and "don't rub, heat or stretch" in reply.text


def test_a_swollen_red_or_hot_calf_stops_the_rubbing_and_goes_to_same_day_care(chat):
    chat.send("/cramp")
    chat.press("Next step")
    chat.press("Swollen, red or hot")
    reply = chat.last[0]
    assert reply.kind == "urgent" and reply.intent == "get_help_today"
    assert "don't rub, heat or stretch" in reply.text and "blood clot in a leg vein" in reply.text
    assert chat.state is None and chat.session.relief_check_at is None


def test_breathlessness_at_the_clot_check_says_call_emergency_services(chat):
    chat.send("/cramp")
    chat.press("Next step")
    chat.press("Breathless or chest pain")
    reply = chat.last[0]
    assert reply.kind == "urgent" and reply.intent == "call_emergency"
    assert "call emergency services now" in reply.text


def test_warmth_warns_people_with_numb_feet_and_the_last_step_respects_fluid_limits(chat):
    relief_to_the_last_step(chat)
    last = chat.text
    assert "limited your fluids" in last
    assert "sports drink" not in last and "salted" not in last
    warmth = next(r.text for r in chat.seen if "Step 3 of 5" in r.text)
    assert "numb" in warmth and "Never fall asleep on a heat pad" in warmth


def test_a_finished_hold_asks_how_it_is_now(chat):
    chat.send("/cramp")
    chat.press("Start")
    assert chat.wait(14) == ()  # not yet
    replies = chat.wait(1)
    assert replies and "let go slowly" in replies[0].text
    assert chat.session.timer is None
    assert chat.state == ("relief", "stretch")


def test_moving_on_before_a_timer_ends_replaces_it_and_the_old_one_is_ignored(chat):
    chat.send("/cramp")
    chat.press("Start")
    first = chat.session.timer
    chat.press("Next step")
    chat.press("None of these")
    assert chat.session.timer is None, "the old hold is gone; the new one waits for ▶️ Start"
    chat.press("Start")
    second = chat.session.timer
    assert second is not None and second.timer_id != first.timer_id
    from bot.core.session import TimerDone

    assert chat.deliver(TimerDone(first.timer_id)) == ()  # a stale timer says nothing
    assert chat.session.timer == second


def test_its_gone_ends_kindly_with_a_note_about_soreness(chat):
    chat.send("cramp in my calf right now")
    chat.send("it's gone")
    assert chat.state is None
    assert "tender for up to a day" in chat.text
    assert chat.last[0].kind == "emergency"


def test_still_hurts_stays_with_the_step_and_next_step_moves_on(chat):
    chat.send("/cramp")
    chat.clock.advance(5)
    chat.press("Still hurts")
    assert chat.state == ("relief", "stretch") and chat.last[0].timer is not None, "the hold again"
    chat.press("Next step")
    assert chat.state == ("relief", "clot_check")
    chat.press("None of these")
    chat.clock.advance(60)  # a minute into the 3-minute massage
    chat.press("Still hurts")
    assert chat.state == ("relief", "press") and chat.last[0].timer.seconds == 180, "never cut short"
    chat.press("Next step")
    assert chat.state == ("relief", "warmth")


def test_a_cramp_still_there_after_ten_minutes_escalates_to_same_day_care(chat):
    chat.send("/cramp")
    chat.clock.advance(9 * 60)
    chat.press("Still hurts")
    assert chat.state == ("relief", "stretch"), "before ten minutes, keep going"
    chat.press("Next step")
    chat.press("None of these")
    chat.clock.advance(61)
    chat.send("still hurts")
    reply = chat.last[0]
    assert reply.kind == "urgent" and reply.intent == "get_help_today"
    assert "Get medical help today" in reply.text or "get medical help today" in reply.text
    assert chat.state is None


def test_the_last_step_asks_has_it_eased_and_no_keeps_going_instead_of_starting_over(chat):
    relief_to_the_last_step(chat)
    assert chat.buttons[:2] == ["✅ Yes, it has eased", "😣 No, it still hurts"]
    chat.press("No, it still hurts")
    assert chat.state == ("relief", "keep_going")
    assert "10-minute mark" in chat.text
    chat.send("yes")
    assert chat.state is None and "glad it has eased" in chat.text


@pytest.mark.parametrize("said", ["a bit better", "it's easing", "sort of", "eased a bit", "yes a little"])
def test_a_cramp_only_partly_better_at_the_last_step_keeps_going(chat, said):
    relief_to_the_last_step(chat)
    chat.send(said)
    assert chat.state == ("relief", "keep_going") and "glad it has eased" not in chat.text


@pytest.mark.parametrize("said", ["ok", "okay", "thanks", "thank you", "done", "next"])
def test_ok_or_thanks_at_the_last_step_is_not_taken_as_eased(chat, said):
    relief_to_the_last_step(chat)
    chat.send(said)
    assert chat.state == ("relief", "last")
    assert "glad it has eased" not in chat.text and "Has the cramp eased?" in chat.text


def test_silence_for_ten_minutes_escalates_unless_the_person_said_it_has_eased(chat):
    relief_to_the_last_step(chat)
    assert chat.session.relief_check_at == chat.session.active.started_at + 600
    chat.send("ok")
    chat.wait(600)
    reply = chat.last[0]
    assert reply.kind == "urgent" and reply.intent == "get_help_today"
    assert "haven't heard that the cramp has eased" in reply.text
    assert chat.state is None and chat.session.relief_check_at is None


def test_no_check_in_comes_after_the_person_said_it_has_eased_or_stopped(chat):
    relief_to_the_last_step(chat)
    due = chat.session.relief_check_at
    chat.press("Yes, it has eased")
    assert chat.session.relief_check_at is None
    from bot.core.session import RELIEF_CHECK, ReminderDue

    assert chat.deliver(ReminderDue(RELIEF_CHECK, due)) == (), "a check-in for a finished sequence says nothing"
    chat.send("/cramp")
    chat.send("stop")
    assert chat.session.relief_check_at is None
    assert "10 minutes" in chat.text and "get medical help today" in chat.text


def test_the_check_in_survives_being_saved_and_loaded(chat):
    from bot.core.session import Session

    chat.send("/cramp")
    stored = Session.from_dict(chat.session.to_dict())
    assert stored.relief_check_at == chat.session.relief_check_at
    assert ("relief_check", chat.session.relief_check_at) in stored.due_times()


def test_saying_cramp_again_during_relief_does_not_restart_the_clock(chat):
    chat.send("/cramp")
    started = chat.session.active.started_at
    chat.clock.advance(30)
    chat.send("my calf is cramping right now")
    assert chat.session.active.started_at == started
    assert chat.state == ("relief", "stretch"), "still cramping: the stretch again"
    chat.press("Next step")
    chat.send("my calf is cramping right now")
    assert chat.state == ("relief", "clot_check"), "the clot check is asked again, never skipped"
    assert "swollen, red or hot" in chat.text


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
    chat.press("Start")
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


@pytest.mark.parametrize("said, state", [("no pain now", None), ("a bit better", ("relief", "clot_check")),
                                         ("it doesn't hurt any more", None), ("not gone", ("relief", "stretch"))])
def test_relief_reads_partial_and_negated_answers(chat, said, state):
    chat.send("/cramp")
    chat.send(said)
    assert chat.state == state


def test_a_sticker_mid_relief_gets_a_kind_note_and_the_step_again(chat):
    from bot.core.session import NonText

    chat.send("/cramp")
    chat.deliver(NonText("sticker"))
    assert "only read typed words" in chat.text and "Step 1 of 5" in chat.text
    assert chat.state == ("relief", "stretch")


def test_a_photo_outside_a_dialog_gets_the_menu(chat):
    from bot.core.session import NonText

    chat.deliver(NonText("photo"))
    assert chat.last[0].kind == "fallback" and "Cramp right now" in " ".join(chat.buttons)


def test_what_is_never_skipped_in_a_flood(brain):
    from bot.core.session import Press, Text

    never = [Text("my foot is cramping right now"), Text("my leg is cold, pale and numb"), Text("/cramp"),
             Text("/cramp@crampbot_test_bot"), Text("/start cramp"), Text("🆘"), Press("menu:cramp")]
    may = [Text("hi"), Text("/tips"), Text("/start"), Text("do bananas help?"), Press("menu:checkup")]
    assert all(brain.must_answer(event) for event in never)
    assert not any(brain.must_answer(event) for event in may)


@pytest.mark.parametrize("said", [
    "help!! my toes are curling into a claw by themselves and when I straighten them they just curl back",
    "calf cramp woke me and the muscle just keeps flexing, I can't straighten my leg, what do I do",
])
def test_a_cramp_told_in_new_words_while_it_happens_starts_relief(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "emergency"


def test_a_cramp_that_has_someone_off_their_feet_starts_relief_with_how_not_to_fall(chat):
    chat.send("My mum (84) just woke me, she's on the edge of the bed gripping her calf and can't stand up on it, "
              "the muscle is rock hard. What do I do right now?")
    reply = chat.last[0]
    assert reply.kind == "emergency" and "▶️ Start" in chat.buttons
    assert reply.text.startswith("🪑 If the leg won't hold you (or them)")


# -- the steps listen: typed words mid-sequence ---------------------------------------------------

@pytest.mark.parametrize("said", ["it's worse", "getting worse", "it's even more painful now"])
def test_worse_mid_relief_is_acknowledged_and_stays_with_the_step(chat, said):
    chat.send("/cramp")
    chat.clock.advance(20)
    chat.send(said)
    assert "sorry it's getting worse" in chat.text and "with you" in chat.text
    assert chat.state == ("relief", "stretch") and chat.last[0].timer is not None, "the hold again, at once"


def test_worse_counts_like_still_hurts_and_escalates_after_ten_minutes(chat):
    chat.send("/cramp")
    chat.press("Next step")
    chat.send("it's getting worse")
    assert chat.state == ("relief", "clot_check"), "the clot check is asked again, never skipped"
    assert "sorry it's getting worse" in chat.text and "swollen, red or hot" in chat.text
    chat.clock.advance(601)
    chat.send("it's getting worse")
    reply = chat.last[0]
    assert (reply.kind, reply.intent) == ("urgent", "get_help_today") and chat.state is None


@pytest.mark.parametrize("said", ["better now thanks", "feels much better now", "it's gone now"])
def test_better_mid_relief_ends_it_from_any_step(chat, said):
    chat.send("/cramp")
    chat.press("Next step")
    assert chat.state == ("relief", "clot_check")
    chat.send(said)
    assert chat.state is None and "glad it has eased" in chat.text


def test_a_bit_better_is_acknowledged_and_moves_on(chat):
    chat.send("/cramp")
    chat.send("a bit better")
    assert "starting to ease" in chat.text and chat.state == ("relief", "clot_check")


def test_cant_reach_the_toes_gets_the_other_way_for_that_muscle_and_stays_on_the_step(chat):
    chat.send("/cramp")
    chat.press("Start")
    running = chat.session.timer
    chat.send("I can't reach my toes")
    assert len(chat.last) == 1 and "another way" in chat.text
    assert "towel" in chat.text and "wall" in chat.text and "walking it off" in chat.text
    assert "Sit down with both legs" not in chat.text, "not the move they just said they can't do"
    assert chat.state == ("relief", "stretch") and chat.session.timer == running, "the hold keeps counting"
    assert "Next step" in " ".join(chat.buttons)


def test_cant_reach_for_the_back_of_the_thigh_keeps_the_knee_straight(chat):
    chat.send("my hamstring is cramping right now")
    chat.send("can't reach")
    assert "towel or belt" in chat.text and "knee straight" in chat.text


@pytest.mark.parametrize(("said", "words"), [
    ("it moved to my thigh", "Front of the thigh"),
    ("now it's in my hamstring", "keep the leg straight"),
    ("now it's in my shin", "point your foot and toes"),
])
def test_a_cramp_that_moves_switches_to_that_muscles_steps(chat, said, words):
    chat.send("my calf is cramping right now")
    started = chat.session.active.started_at
    chat.clock.advance(30)
    chat.send(said)
    assert "Okay, now it's the" in chat.text and words in chat.text
    assert chat.state == ("relief", "stretch") and chat.session.active.started_at == started, "the clock runs on"


def test_a_moved_cramp_is_not_asked_the_clot_check_twice(chat):
    chat.send("my calf is cramping right now")
    chat.press("Next step")
    chat.press("None of these")
    assert chat.state == ("relief", "press")
    chat.send("now it's in my thigh")
    assert chat.state == ("relief", "stretch")
    chat.press("Next step")
    assert chat.state == ("relief", "press") and "thigh" in chat.text


@pytest.mark.parametrize(("said", "answer"), [
    ("should I stand up?", "standing with your weight on the leg"),
    ("can I walk on it", "walking it off slowly"),
    ("should I drink some water", "limited your fluids"),
    ("how long will this last?", "within seconds or a few minutes"),
])
def test_a_question_mid_relief_gets_a_short_answer_and_stays_on_the_step(chat, said, answer):
    chat.send("/cramp")
    chat.send(said)
    assert len(chat.last) == 1 and answer in chat.text
    assert chat.state == ("relief", "stretch") and "Next step" in " ".join(chat.buttons)


@pytest.mark.parametrize("said", ["foot is hot", "thigh is warm", "it's worse and it's red"])
def test_at_the_clot_check_its_own_answers_come_before_the_words_of_the_steps(chat, said):
    chat.send("my calf is cramping right now")
    chat.press("Next step")
    chat.send(said)
    reply = chat.last[0]
    assert (reply.kind, reply.intent) == ("urgent", "get_help_today") and "don't rub, heat or stretch" in reply.text


def test_a_red_flag_mid_relief_still_wins_over_the_words_of_the_steps(chat):
    chat.send("/cramp")
    chat.send("it's worse and now my calf is hot, red and swollen")
    assert chat.last[0].kind == "urgent" and chat.state is None


# -- steps that fit the muscle ----------------------------------------------------------------------

@pytest.mark.parametrize(("said", "words"), [
    ("my thigh is cramping right now", ("Front of the thigh", "Back of the thigh")),
    ("hamstring cramp right now", ("keep the leg straight", "lean forward gently from the hips")),
    ("quad cramp now", ("bend the knee", "heel up towards your bottom", "for balance")),
    ("cramp in my shin right now", ("point your foot and toes away from you",)),
])
def test_the_first_step_fits_the_muscle_named(chat, said, words):
    chat.send(said)
    assert "Step 1 of 5" in chat.text and all(w in chat.text for w in words)
    assert "pull them gently towards you" not in chat.text


def test_the_later_steps_fit_the_muscle_too_and_keep_their_caveats(chat):
    chat.send("my quad is cramping right now")
    chat.press("Next step")
    assert "swollen, red or hot" in chat.text, "the clot check before rubbing or heat"
    chat.press("None of these")
    assert "tightest spot of the thigh" in chat.text
    chat.press("Next step")
    assert "on the thigh" in chat.text and "numb" in chat.text and "Never fall asleep on a heat pad" in chat.text
    chat.press("Next step")
    assert "bend and straighten the knee" in chat.text
    chat.press("Next step")
    assert "limited your fluids" in chat.text


def test_a_button_on_the_first_step_fits_the_steps_to_another_muscle(chat):
    chat.send("/cramp")
    assert "Somewhere else?" in chat.text and {"🦶 Foot", "Shin", "Thigh"} <= set(chat.buttons)
    chat.press("Thigh")
    assert "Front of the thigh" in chat.text and chat.state == ("relief", "stretch")
    chat.press("Back of thigh")
    assert "keep the leg straight" in chat.text and "Front of thigh" in chat.buttons


# -- the first hold starts on ▶️ Start --------------------------------------------------------------

def test_next_gone_and_still_work_without_starting_the_hold(chat):
    chat.send("/cramp")
    assert chat.session.timer is None and "▶️ Start" in chat.buttons
    chat.press("Still hurts")
    assert chat.state == ("relief", "stretch") and chat.session.timer is not None, "still hurts: the hold at once"
    chat.press("Next step")
    chat.press("None of these")
    assert chat.session.timer is None and "▶️ Start" in chat.buttons
    chat.press("It's gone")
    assert chat.state is None


@pytest.mark.parametrize("said", ["start", "go", "ready", "ok go", "I'm ready"])
def test_a_typed_start_word_starts_the_waiting_hold(chat, said):
    chat.send("/cramp")
    chat.send(said)
    assert chat.session.timer is not None and chat.last[0].timer.seconds == 15 and "timer runs" in chat.text
    assert chat.state == ("relief", "stretch") and "▶️ Start" not in chat.buttons


def test_go_on_still_means_the_next_step(chat):
    chat.send("/cramp")
    chat.send("go on")
    assert chat.state == ("relief", "clot_check")


# -- after the ten-minute escalation -------------------------------------------------------------

def escalate(chat, start: str = "my hamstring is cramping right now") -> None:
    """Start relief and stay silent for ten minutes."""
    chat.send(start)
    chat.wait(600)
    assert chat.last[0].intent == "get_help_today"


def test_the_escalation_says_what_to_do_meanwhile_and_keeps_the_steps_at_hand(chat):
    chat.send("/checkup")
    chat.press("At night")
    escalate(chat)
    text = chat.text
    assert "get medical help today" in text and "call emergency services" in text and "999" in text
    assert "While you arrange care" in text and "keep stretching gently" in text and "walk it off" in text
    assert "not if one calf is swollen, red or hot" in text
    assert chat.buttons[:2] == ["🆘 Relief steps again", "▶️ Resume check-up"]


def test_relief_steps_again_restart_for_the_same_muscle(chat):
    escalate(chat)
    chat.press("Relief steps again")
    assert chat.state == ("relief", "stretch") and "keep the leg straight" in chat.text
    assert chat.session.relief_check_at == chat.clock.now + 600, "a new ten minutes"


def test_after_the_escalation_it_still_hurts_gets_care_and_the_steps_not_the_fallback(chat):
    escalate(chat)
    chat.send("it still hurts so much")
    reply = chat.last[0]
    assert (reply.kind, reply.intent) == ("urgent", "get_help_today")
    assert "sorry it still hurts" in reply.text and "get medical help today" in reply.text
    assert "not sure" not in reply.text and "🆘 Relief steps again" in chat.buttons


def test_after_the_escalation_ok_gets_no_cheery_anything_else(chat):
    escalate(chat)
    chat.send("ok")
    assert "Anything else" not in chat.text and "get it checked today" in chat.text
    assert "🆘 Relief steps again" in chat.buttons


def test_a_question_after_the_escalation_is_answered_as_ever(chat):
    escalate(chat)
    chat.send("what causes cramps?")
    assert chat.last[0].kind == "answer"


def test_a_possible_clot_never_offers_the_steps_again(chat):
    chat.send("/cramp")
    chat.press("Next step")
    chat.press("Swollen, red or hot")
    assert "Relief steps again" not in " ".join(chat.buttons)
    chat.send("it still hurts")
    assert "sorry it still hurts" not in chat.text
