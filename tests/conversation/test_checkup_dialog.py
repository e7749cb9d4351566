"""The check-up, as a user goes through it: buttons, free text, back, skip, cancel, re-asks, plan."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.core.session import Session
from tests.conversation.test_plan_personas import whole_plan
from tests.support.chat_client import ChatClient

QUESTIONS = ["timing", "frequency", "activity", "hydration", "medications", "conditions", "footwear", "lifestyle"]


def start(chat: ChatClient) -> None:
    chat.send("/checkup")
    assert chat.state == ("checkup", "timing")
    assert "question 1 of 8" in chat.text


def test_full_checkup_by_buttons_gives_a_plan_citing_each_answer(chat):
    start(chat)
    for label in ["At night", "Most nights", "Mostly sitting", "Less than 4", "Water pills", "Done", "None of these",
                  "High heels", "Neither"]:
        chat.press(label)
    assert chat.state is None
    plan = chat.last[0]
    assert plan.kind == "answer" and plan.intent == "checkup_plan"
    text = whole_plan(chat)
    for answer in ["At night / in bed", "Less than 4 glasses", "Mostly sitting", "High heels or tight shoes",
                   "Water pills (diuretics)"]:
        assert f"because you said: “{answer}”" in text
    # doctor advice the answers call for
    assert "book a routine doctor's appointment" in text
    assert "do not stop or change the medicine on your own" in text
    assert plan.sources, "a plan names its sources"
    assert any("Menu" in b for b in chat.buttons)


def test_every_tip_in_the_plan_names_the_answer_it_comes_from(chat):
    start(chat)
    for label in ["During or after exercise", "A few times a week", "Just started", "4 to 7", "Statins", "Done",
                  "Diabetes", "Done", "Sports shoes", "I smoke", "Done"]:
        chat.press(label)
    lines = whole_plan(chat).splitlines()
    tips = [i for i, line in enumerate(lines) if line.startswith("• ")]
    assert len(tips) >= 4
    for i in tips:
        assert lines[i + 1].strip().startswith("↳ because you said:"), lines[i]


def test_full_checkup_by_free_text(chat):
    start(chat)
    chat.send("mostly at night, they wake me up")
    chat.send("most nights honestly")
    chat.send("I work at a desk all day")
    chat.send("maybe 3 glasses a day")
    assert chat.session.active.answers["hydration"] == ("low",)
    chat.send("I'm on water pills")
    chat.send("I have type 2 diabetes")
    chat.send("usually trainers")
    assert chat.session.active.answers == {
        "timing": ("night",), "frequency": ("nightly",), "activity": ("sitting",), "hydration": ("low",),
        "medications": ("diuretic",), "conditions": ("diabetes",), "footwear": ("sport",),
    }
    chat.send("I smoke but don't drink")
    assert chat.state is None  # finished
    text = whole_plan(chat)
    for answer in ["At night / in bed", "Most nights or daily", "Mostly sitting", "Less than 4 glasses",
                   "Water pills (diuretics)", "Diabetes"]:
        assert f"“{answer}”" in text


@pytest.mark.parametrize(
    "said, expected",
    [
        ("about 2 litres", "high"),
        ("less than 4 glasses", "low"),  # the button's own words, typed
        ("under 4 cups", "low"),
        ("not even 4 glasses", "low"),
        ("1.5 litres", "medium"),
        ("five cups", "medium"),
        ("hardly any", "low"),
        ("10", "high"),
        ("a couple of glasses", "low"),
        ("two to three litres", "high"),
        ("3 or 4 glasses", "low"),
    ],
)
def test_hydration_understands_amounts(chat, said, expected):
    start(chat)
    for _ in range(3):
        chat.press("Skip")
    assert chat.state == ("checkup", "hydration")
    chat.send(said)
    assert chat.session.active.answers["hydration"] == (expected,)


@pytest.mark.parametrize(
    "said, expected",
    [
        ("water pills and statins", ("diuretic", "statin")),
        ("I'm on furosemide", ("diuretic",)),
        ("no, nothing", ("none",)),
        ("I don't take any statins", ("none",)),
        ("atorvastatin for my cholesterol", ("statin",)),
        ("statins but no water pills", ("statin",)),
        ("spironolactone", ("k_sparing",)),
        ("furosemide and spironolactone", ("diuretic", "k_sparing")),
        ("I take aldactone", ("k_sparing",)),
    ],
)
def test_medications_accept_free_text_and_several_answers(chat, said, expected):
    start(chat)
    for _ in range(4):
        chat.press("Skip")
    assert chat.state == ("checkup", "medications")
    chat.send(said)
    assert chat.session.active.answers["medications"] == expected


@pytest.mark.parametrize(
    "said, expected",
    [
        ("heart failure", ("fluid_limit",)),
        ("I'm on a low salt diet", ("fluid_limit",)),
        ("my doctor put me on a fluid restriction", ("fluid_limit",)),
        ("my heart doctor told me no more than 1.5 litres a day", ("fluid_limit",)),
        ("no, but I'm not allowed to drink much", ("fluid_limit",)),
        ("none really, cardiologist says max 1.5 litres", ("fluid_limit",)),
        ("none except my heart pumps weakly", ("fluid_limit",)),
        ("30 wks preg", ("pregnant",)),
        ("I'm on dialysis", ("kidney",)),
        ("cirrhosis", ("liver",)),
        ("kidney disease and type 2 diabetes", ("diabetes", "kidney")),
    ],
)
def test_conditions_include_kidney_disease_and_fluid_or_salt_limits(chat, said, expected):
    start(chat)
    for _ in range(5):
        chat.press("Skip")
    assert chat.state == ("checkup", "conditions")
    assert "limit on fluids, salt or potassium" in chat.text
    chat.send(said)
    assert chat.session.active.answers["conditions"] == expected


@pytest.mark.parametrize(
    "question, said, expected",
    [
        ("timing", "at night after a long day at work", ("night",)),
        ("activity", "not very active, I only walk a little to the shops", ("sitting",)),
        ("activity", "I only walk a little", ("sitting",)),
        ("timing", "I still get them at night", ("night",)),  # "still" is not sitting still
        ("timing", "when I'm lying still in bed", ("night",)),
        ("timing", "at night, and when sitting still", ("night", "rest")),
    ],
)
def test_everyday_answers_mean_what_the_user_meant(chat, question, said, expected):
    start(chat)
    for _ in range(QUESTIONS.index(question)):
        chat.press("Skip")
    chat.send(said)
    assert chat.session.active.answers[question] == expected


@pytest.mark.parametrize("step", range(len(QUESTIONS)))
def test_back_skip_and_cancel_work_at_every_step(brain, step):
    def at_step() -> ChatClient:
        chat = ChatClient(brain)
        start(chat)
        for _ in range(step):
            chat.press("Skip")
        assert chat.state == ("checkup", QUESTIONS[step])
        return chat

    chat = at_step()
    chat.send("back")
    assert chat.state == ("checkup", QUESTIONS[max(0, step - 1)])

    chat = at_step()
    if step == 0:  # nothing to go back to: no Back button on the first question
        assert not any("Back" in label for label in chat.buttons)
    else:
        chat.press("Back")
        assert chat.state == ("checkup", QUESTIONS[step - 1])

    chat = at_step()
    chat.send("skip")
    expected = ("checkup", QUESTIONS[step + 1]) if step + 1 < len(QUESTIONS) else None
    assert chat.state == expected
    if expected is not None:
        assert chat.session.active.answers[QUESTIONS[step]] == ()

    chat = at_step()
    chat.send("cancel")
    assert chat.state is None and chat.session.paused is None
    assert "stopped" in chat.text.lower()

    chat = at_step()
    chat.press("Cancel")
    assert chat.state is None


@pytest.mark.parametrize(
    "said, expected",
    [
        ("I quit smoking years ago", ("neither",)),
        ("ex smoker", ("neither",)),
        ("I stopped drinking", ("neither",)),
        ("I don't smoke but I drink daily", ("alcohol",)),
        ("both, I smoke and drink", ("alcohol", "smoke")),
    ],
)
def test_lifestyle_understands_quitting_and_mixed_answers(chat, said, expected):
    start(chat)
    for _ in range(7):
        chat.press("Skip")
    assert chat.state == ("checkup", "lifestyle")
    chat.send(said)
    assert chat.state is None, "understood, so the check-up is finished"
    plan = chat.last[0].text
    assert ("“Alcohol most days”" in plan) == ("alcohol" in expected)
    assert ("“I smoke”" in plan) == ("smoke" in expected)


def test_a_negated_medicine_is_not_recorded_as_taken(chat):
    start(chat)
    for _ in range(4):
        chat.press("Skip")
    chat.send("I'm not on water pills")
    assert chat.state == ("checkup", "medications"), "nothing named that is taken: ask again"
    chat.send("just statins")
    assert chat.session.active.answers["medications"] == ("statin",)


def test_back_keeps_earlier_answers_and_lets_you_change_one(chat):
    start(chat)
    chat.press("At night")
    chat.press("Now and then")
    chat.send("go back")
    assert chat.state == ("checkup", "frequency")
    chat.press("Most nights")
    assert chat.session.active.answers == {"timing": ("night",), "frequency": ("nightly",)}


def test_skipping_everything_gives_general_tips_not_an_empty_plan(chat):
    start(chat)
    for _ in QUESTIONS:
        chat.press("Skip")
    text = chat.text
    assert "You skipped most questions" in text
    assert text.count("• ") >= 2
    assert "unless a doctor has limited your fluids" in text
    assert "banana" not in text.lower()


@pytest.mark.parametrize("answers", [["Skip"] * 8, ["Any time", "Now and then", "Some walking", "8 glasses",
                                                    "None of these", "None of these", "Comfy", "Neither"]])
def test_every_plan_ends_with_the_safety_net(chat, answers):
    start(chat)
    for label in answers:
        chat.press(label)
    lines = chat.last[0].text.splitlines()
    tips = [i for i, line in enumerate(lines) if line.startswith("• ")]
    net = next(line for line in lines[tips[-1]:] if line.startswith("⚠️"))
    assert "one calf becomes swollen, red or warm" in net and "get medical help today" in net.lower()
    assert "call emergency services for chest pain or breathlessness" in net.lower()


def test_an_answer_that_cannot_be_understood_gets_a_short_reask(chat):
    start(chat)
    chat.send("purple monkey dishwasher")
    assert chat.state == ("checkup", "timing")
    assert "didn't catch that" in chat.text
    assert "At night / in bed" in chat.buttons


def test_an_ambiguous_single_answer_is_reasked_not_guessed(chat):
    start(chat)
    chat.press("Skip")
    chat.send("rarely, every night")  # two different frequencies at once
    assert chat.state == ("checkup", "frequency")
    assert "didn't catch that" in chat.text


def test_a_question_mid_checkup_is_answered_then_the_question_is_repeated(chat):
    start(chat)
    chat.send("do bananas help with cramps?")
    assert chat.last[0].intent == "diet_foods"
    assert chat.last[-1].text.endswith(chat.brain.content.checkup.states["timing"].prompt)
    assert chat.state == ("checkup", "timing")


def test_a_button_from_an_earlier_question_is_ignored_safely(chat):
    start(chat)
    old = chat.button("At night").action
    chat.press("At night")
    assert chat.state == ("checkup", "frequency")
    chat.press_action(old)
    assert chat.state == ("checkup", "frequency")
    assert "earlier message" in chat.text


def test_checkup_command_while_one_is_paused_offers_resume_or_restart(chat):
    start(chat)
    chat.press("At night")
    chat.send("/cramp")
    chat.press("Stop")
    chat.send("/checkup")
    assert "carry on with your check-up" in chat.text
    chat.press("Start check-up again")
    assert chat.state == ("checkup", "timing")
    assert chat.session.active.answers == {}


def test_resume_command_without_a_paused_checkup_says_so(chat):
    chat.send("/resume")
    assert "no check-up to resume" in chat.text.lower()


# -- questions with several answers: buttons tick, Done moves on ------------------------------------------------

def to_question(chat: ChatClient, question: str) -> None:
    start(chat)
    for _ in range(QUESTIONS.index(question)):
        chat.press("Skip")
    assert chat.state == ("checkup", question)


def test_a_question_with_several_answers_ticks_each_tapped_button_until_done(chat):
    to_question(chat, "medications")
    chat.press("Water pills")
    assert chat.state == ("checkup", "medications"), "a tap ticks; it does not move on"
    assert chat.last[0].in_place and "Question 5 of 8" in chat.text
    chat.press("Statins")
    assert "✅ Water pills (diuretics)" in chat.buttons and "✅ Statins (for cholesterol)" in chat.buttons
    assert "Spironolactone or similar" in chat.buttons and "Done ✔️" in chat.buttons
    chat.press("Water pills")  # a second tap takes the tick away
    assert "Water pills (diuretics)" in chat.buttons and "✅ Statins (for cholesterol)" in chat.buttons
    chat.press("Done")
    assert chat.state == ("checkup", "conditions")
    assert chat.session.active.answers["medications"] == ("statin",)


@pytest.mark.parametrize("question, alone", [("medications", "None of these"), ("conditions", "None of these"),
                                             ("lifestyle", "Neither")])
def test_none_of_these_stays_alone_and_answers_at_once(chat, question, alone):
    to_question(chat, question)
    first = next(label for label in chat.buttons if label not in (alone, "Done ✔️"))
    chat.press(first)
    chat.press(alone)
    assert chat.state != ("checkup", question), "one tap on 'none of these' answers the question"
    answers = chat.session.active.answers if chat.session.active else None
    if answers is not None:
        assert answers[question] == ("none",)
    else:  # the last question: the plan
        assert "“Alcohol most days”" not in chat.text and "“I smoke”" not in chat.text


def test_done_with_nothing_ticked_skips_the_question(chat):
    to_question(chat, "conditions")
    chat.press("Done")
    assert chat.state == ("checkup", "footwear")
    assert chat.session.active.answers["conditions"] == ()


def test_questions_with_one_answer_still_move_on_at_one_tap(chat):
    start(chat)
    chat.press("At night")
    assert chat.state == ("checkup", "frequency")
    assert not any("Done" in label for label in chat.buttons)


def test_typing_after_ticking_adds_to_the_ticks_and_done_can_be_typed(chat):
    to_question(chat, "medications")
    chat.press("Water pills")
    chat.send("and statins")
    assert chat.state == ("checkup", "conditions")
    assert chat.session.active.answers["medications"] == ("diuretic", "statin")
    chat.press("Diabetes")
    chat.send("that's it")
    assert chat.session.active.answers["conditions"] == ("diabetes",)


def test_several_answers_typed_in_one_message_still_move_on(chat):
    to_question(chat, "medications")
    chat.send("water pills and statins")
    assert chat.session.active.answers["medications"] == ("diuretic", "statin")


def test_a_check_up_saved_in_the_middle_of_ticking_carries_on_after_a_restart(brain):
    chat = ChatClient(brain)
    to_question(chat, "medications")
    chat.press("Water pills")
    statins = chat.button("Statins")
    saved = json.loads(json.dumps(chat.session.to_dict()))
    restarted = ChatClient(brain, session=Session.from_dict(saved), last=chat.last)
    restarted.press_action(statins.action)
    assert "✅ Water pills (diuretics)" in restarted.buttons and "✅ Statins (for cholesterol)" in restarted.buttons
    restarted.press("Done")
    assert restarted.session.active.answers["medications"] == ("diuretic", "statin")


def test_a_session_saved_before_ticks_existed_still_reads(brain):
    chat = ChatClient(brain)
    to_question(chat, "medications")
    saved = chat.session.to_dict()
    del saved["active"]["ticked"]
    restarted = ChatClient(brain, session=Session.from_dict(saved), last=chat.last)
    restarted.press("Statins")
    restarted.press("Done")
    assert restarted.session.active.answers["medications"] == ("statin",)


def test_back_to_a_question_with_several_answers_shows_what_was_ticked(chat):
    to_question(chat, "medications")
    chat.press("Water pills")
    chat.press("Statins")
    chat.press("Done")
    chat.press("Back")
    assert chat.state == ("checkup", "medications")
    assert "✅ Water pills (diuretics)" in chat.buttons and "✅ Statins (for cholesterol)" in chat.buttons
    chat.press("Statins")
    chat.press("Done")
    assert chat.session.active.answers["medications"] == ("diuretic",)


def test_a_done_button_on_a_question_with_one_answer_is_an_old_button(chat):
    start(chat)
    chat.press("At night")
    chat.press_action("f:checkup:frequency:~done")
    assert chat.state == ("checkup", "frequency") and "earlier message" in chat.text


# -- typed answers are said back -------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "question, said, heard",
    [
        ("frequency", "a few times a week", "“A few times a week”"),
        ("hydration", "maybe 3 glasses a day", "“Less than 4 glasses”"),
        ("medications", "furosemide and atorvastatin", "“Water pills (diuretics)” and “Statins (for cholesterol)”"),
        ("lifestyle", "I smoke", "“I smoke”"),
    ],
)
def test_a_typed_answer_is_said_back_first_so_a_misreading_shows_at_once(chat, question, said, heard):
    to_question(chat, question)
    chat.send(said)
    assert chat.text.startswith(f"Got it: {heard}.\n\n")
    if chat.state is not None:
        assert chat.state != ("checkup", question)
    else:  # the last question: the plan follows the echo
        assert chat.last[0].intent == "checkup_plan" and "Here is your plan" in chat.text


def test_a_misread_answer_said_back_can_be_put_right_with_back(chat):
    to_question(chat, "frequency")
    chat.send("every night pretty much")
    assert chat.text.startswith("Got it: “Most nights or daily”.")
    chat.press("Back")
    chat.press("Now and then")
    assert chat.session.active.answers["frequency"] == ("rarely",)


def test_a_button_answer_is_not_said_back(chat):
    to_question(chat, "frequency")
    chat.press("A few times a week")
    assert "Got it" not in chat.text and chat.text.startswith("Question 3 of 8")
    chat.press("Mostly sitting")
    chat.press("4 to 7")
    chat.press("Statins")
    chat.press("Done")
    assert "Got it" not in chat.text


def test_back_skip_and_questions_typed_mid_checkup_are_not_said_back(chat):
    to_question(chat, "frequency")
    chat.send("skip")
    assert "Got it" not in chat.text
    chat.send("back")
    assert "Got it" not in chat.text
    chat.send("do bananas help with cramps?")
    assert "Got it" not in chat.text


def test_an_echo_that_does_not_name_the_answer_fails_at_load(tmp_path):
    from bot.content.flows import load_flow
    from bot.content.strict_yaml import ContentError

    root = Path(__file__).resolve().parents[2]
    text = (root / "dialogs/checkup.yaml").read_text(encoding="utf-8")
    assert 'echo: "Got it: {answer}."' in text
    for broken, message in [('echo: "Got it."', "must name the answer"), ('echo: "Got it: {label}."', "{answer}")]:
        path = tmp_path / "checkup.yaml"
        path.write_text(text.replace('echo: "Got it: {answer}."', broken), encoding="utf-8")
        with pytest.raises(ContentError) as caught:
            load_flow(path, "dialogs/checkup.yaml")
        assert "dialogs/checkup.yaml" in str(caught.value) and message in str(caught.value)


# -- answers read as meant ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "said, expected",
    [
        ("just wine at weekends", ("neither",)),  # the first-use review's example
        ("a glass of wine now and then", ("neither",)),
        ("I drink socially", ("neither",)),
        ("the odd beer", ("neither",)),
        ("I have a drink once a week", ("neither",)),
        ("I smoke, and beer at the weekend", ("smoke",)),
        ("I smoked years ago", ("neither",)),
        ("wine with dinner most nights", ("alcohol",)),
        ("I drink, not just at weekends", ("alcohol",)),
        ("a glass or two most evenings", ("alcohol",)),
    ],
)
def test_drinking_now_and_then_is_not_alcohol_most_days(chat, said, expected):
    to_question(chat, "lifestyle")
    chat.send(said)
    assert chat.state is None
    labels = {"alcohol": "Alcohol most days", "smoke": "I smoke", "neither": "Neither"}
    heard = " and ".join(f"“{labels[e]}”" for e in expected)
    assert chat.text.startswith(f"Got it: {heard}.")
    assert ("“Alcohol most days”" in chat.text) == ("alcohol" in expected)


def test_water_is_not_alcohol(chat):
    to_question(chat, "lifestyle")
    chat.send("I drink plenty of water")
    assert chat.state == ("checkup", "lifestyle") and "didn't catch that" in chat.text


@pytest.mark.parametrize("said", ["once or twice a week", "every other night", "every few days"])
def test_cramps_every_few_days_are_a_few_times_a_week(chat, said):
    to_question(chat, "frequency")
    chat.send(said)
    assert chat.text.startswith("Got it: “A few times a week”.")
