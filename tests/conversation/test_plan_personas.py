"""The personal plan for the four people of the clinical review (2026-12-05), who type their answers in
their own words, and what their GP says each plan must and must not contain. Also the plan rules'
`unless` and how it is checked at load."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.content.flows import load_flow
from bot.content.plan_rules import load_plan_rules
from bot.content.strict_yaml import ContentError
from bot.core.brain import Brain
from bot.core.plan import build_plan, render_plan
from tests.support.chat_client import ChatClient

ROOT = Path(__file__).resolve().parents[2]

OLDER_ON_FUROSEMIDE = ["at night", "most nights", "not very active, I only walk a little to the shops",
                       "about 3 cups of tea", "furosemide water tablets", "none", "slippers", "neither"]
PREGNANT_RUNNER = ["at night and after my runs", "a few times a week", "running a lot, training for a half marathon",
                   "about 2 litres", "none", "I am 28 weeks pregnant", "running shoes", "neither"]
DIABETIC_BUILDER = ["at night after a long day on site", "several times a week",
                    "on my feet all day, I work construction",
                    "not much, maybe 2 cans of coke and a coffee", "metformin", "type 2 diabetes",
                    "steel toe work boots", "a few beers most nights and I smoke"]
KIDNEY_ON_SPIRONOLACTONE = ["at night", "most nights", "mostly sitting", "2 glasses", "spironolactone",
                            "kidney disease", "comfortable shoes", "neither"]

SAFETY_NET = ["get medical help today if one calf becomes swollen, red or warm",
              "call emergency services for chest pain or breathlessness"]
MORE = "➕ More of my plan"
LIMIT_TIP = "follow the fluid, salt or potassium limit your care team gave you, and ask them about your cramps"


def plan_for(brain: Brain, answers: list[str]) -> tuple[ChatClient, str]:
    """Go through the check-up typing each answer; every answer must be understood the first time."""
    chat = ChatClient(brain)
    chat.send("/checkup")
    for said in answers:
        asked = chat.state
        chat.send(said)
        assert chat.state != asked, f"{said!r} was asked again: {chat.text}"
    assert chat.state is None and chat.last[0].intent == "checkup_plan"
    return chat, whole_plan(chat).lower()


def whole_plan(chat: ChatClient) -> str:
    """The plan as the person reads it all: its first screen and, when there is one, what "More" shows."""
    first = chat.last[0].text
    if MORE not in chat.buttons:
        return first
    chat.press(MORE)
    return f"{first}\n{chat.last[0].text}"


def bullet(plan: str, *words: str) -> str:
    """The one tip of the plan that contains all these words."""
    found = [line for line in plan.splitlines() if line.startswith("• ") and all(w in line for w in words)]
    assert len(found) == 1, f"tips with {words}: {found}\n{plan}"
    return found[0]


# -- persona 1: 70, furosemide, mostly sitting, about 3 cups a day, slippers, cramps most nights -------------

def test_older_person_on_furosemide_is_understood_in_their_own_words(brain):
    # "not very active, I only walk a little to the shops" is mostly sitting: a little walking is not exercise
    _, plan = plan_for(brain, OLDER_ON_FUROSEMIDE)
    assert "because you said: “mostly sitting”" in plan
    assert "“water pills (diuretics)”" in plan and "“flat or worn-out shoes”" in plan


def test_older_person_on_furosemide_is_told_to_drink_more_only_if_no_doctor_limited_fluids(brain):
    _, plan = plan_for(brain, OLDER_ON_FUROSEMIDE)
    fluids = bullet(plan, "drink")
    assert "unless a doctor has limited your fluids" in fluids
    assert "commonest cause" not in plan and "most common cause" not in plan


def test_older_person_on_furosemide_keeps_the_diuretic_advice_and_gets_the_safety_net(brain):
    _, plan = plan_for(brain, OLDER_ON_FUROSEMIDE)
    doctor = plan.split("worth talking to a doctor or pharmacist")[1]
    assert "water pills (diuretics) can make cramps more likely" in doctor
    assert "do not stop or change the medicine on your own" in doctor
    for line in SAFETY_NET:
        assert line in plan


# -- persona 2: 28 weeks pregnant, training for a half marathon, about 2 litres a day ------------------------

def test_pregnant_runner_is_asked_to_agree_her_training_with_the_midwife(brain):
    _, plan = plan_for(brain, PREGNANT_RUNNER)
    assert "keep active, but agree your training with your midwife" in bullet(plan, "training")


def test_pregnant_runner_gets_the_pregnancy_warning_signs(brain):
    _, plan = plan_for(brain, PREGNANT_RUNNER)
    signs = bullet(plan, "pregnan", "same day")
    for sign in ("swelling, redness or pain in one leg", "checked the same day"):
        assert sign in signs, sign
    assert "agree exercise and any supplement with your midwife or doctor" in signs


def test_pregnant_runner_is_not_told_to_replace_minerals(brain):
    _, plan = plan_for(brain, PREGNANT_RUNNER)
    assert "mineral" not in plan
    assert "light-headed after workouts" not in plan, "dizziness in pregnancy is a warning sign, not overtraining"


# -- persona 3: type 2 diabetes, metformin, construction in steel-toe boots, cola and coffee, beer, smokes ----

def test_diabetic_builder_gets_foot_care_that_survives_the_tip_limit(brain):
    _, plan = plan_for(brain, DIABETIC_BUILDER)
    feet = bullet(plan, "feet", "barefoot")
    for point in ("check them every day", "never walk barefoot", "hot-water bottles and heat pads",
                  "can't feel heat properly"):
        assert point in feet, point
    assert re.search(r"shoes or boots.*socks", feet)


def test_diabetic_smoker_hears_about_arteries_and_walking_pain_not_dehydration(brain):
    _, plan = plan_for(brain, DIABETIC_BUILDER)
    doctor = plan.split("worth talking to a doctor or pharmacist")[1]
    smoking = bullet(doctor, "smok")
    assert "arteries" in smoking
    assert "walk" in smoking and "rest" in smoking
    assert "support to stop smoking" in smoking
    assert "dehydrat" not in plan


def test_diabetic_builder_is_told_water_not_sugary_drinks(brain):
    _, plan = plan_for(brain, DIABETIC_BUILDER)
    assert "water rather than sugary drinks" in bullet(plan, "drink", "water")


# -- persona 4: kidney disease, spironolactone, 2 glasses a day, cramps every night, mostly sitting ----------

def test_kidney_patient_on_spironolactone_is_never_told_to_drink_more(brain):
    _, plan = plan_for(brain, KIDNEY_ON_SPIRONOLACTONE)
    assert "drink more" not in plan and "drink a bit more" not in plan
    assert "“less than 4 glasses”" not in plan, "no tip comes from how little they drink"
    assert "sports drink" not in plan.replace("salty or sports drinks", "")


def test_kidney_patient_on_spironolactone_is_not_sent_to_bananas_or_potassium(brain):
    _, plan = plan_for(brain, KIDNEY_ON_SPIRONOLACTONE)
    assert "banana" not in plan
    assert "foods with potassium" not in plan
    potassium = [line for line in plan.splitlines() if "potassium" in line]
    assert potassium and all(LIMIT_TIP in line for line in potassium)


def test_kidney_patient_on_spironolactone_follows_their_limit_and_tells_the_kidney_team(brain):
    _, plan = plan_for(brain, KIDNEY_ON_SPIRONOLACTONE)
    doctor = plan.split("worth talking to a doctor or pharmacist")[1]
    assert LIMIT_TIP in doctor
    assert doctor.count(LIMIT_TIP) == 1, "kidney disease and spironolactone: the limit tip once"
    assert "kidney team" in bullet(doctor, "kidney team")


@pytest.mark.parametrize("said", ["heart failure", "I'm on a fluid restriction", "low salt diet"])
def test_anyone_with_a_fluid_or_salt_limit_gets_the_limit_tip_instead_of_drink_more(brain, said):
    answers = [*KIDNEY_ON_SPIRONOLACTONE]
    answers[4], answers[5] = "furosemide", said
    _, plan = plan_for(brain, answers)
    assert LIMIT_TIP in plan
    assert "drink more" not in plan and "drink a bit more" not in plan and "banana" not in plan


# -- the tip limit and the rules file ------------------------------------------------------------------------

def test_safety_tips_are_kept_when_many_other_tips_apply(content):
    crowded = {"timing": ("night", "exercise", "rest"), "frequency": ("nightly",), "activity": ("intense",),
               "hydration": ("low",), "medications": ("none",), "conditions": ("diabetes", "pregnant"),
               "footwear": ("heels",), "lifestyle": ("alcohol", "smoke")}
    plan = build_plan(content.plan, content.checkup, crowded)
    assert len(plan.tips) == content.plan.max_tips
    texts = " ".join(t.text for t in plan.tips)
    assert "never walk barefoot" in texts
    assert "agree your training with your midwife" in texts


def write_plan_with_unless(tmp_path: Path, unless: str) -> Path:
    text = (ROOT / "dialogs/plan.yaml").read_text(encoding="utf-8")
    rule = "  - id: night_bedtime\n"
    assert rule in text
    path = tmp_path / "plan.yaml"
    path.write_text(text.replace(rule, f"{rule}    unless: {unless}\n", 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "unless, message",
    [
        ("{moods: [sad]}", "'unless' names unknown question 'moods'"),
        ("{conditions: [gout]}", "'unless': question 'conditions' has no choice 'gout'"),
    ],
)
def test_an_unless_naming_an_unknown_question_or_choice_fails_at_load(tmp_path, unless, message):
    flow = load_flow(ROOT / "dialogs/checkup.yaml", "dialogs/checkup.yaml")
    path = write_plan_with_unless(tmp_path, unless)
    with pytest.raises(ContentError) as caught:
        load_plan_rules(path, "dialogs/plan.yaml", flow)
    assert "dialogs/plan.yaml" in str(caught.value) and "[night_bedtime]" in str(caught.value)
    assert message in str(caught.value)


def test_an_unless_answer_switches_the_rule_off(tmp_path):
    flow = load_flow(ROOT / "dialogs/checkup.yaml", "dialogs/checkup.yaml")
    rules = load_plan_rules(write_plan_with_unless(tmp_path, "{conditions: [pregnant]}"), "dialogs/plan.yaml", flow)
    bedtime = "gentle calf stretch and toe stretch just before bed"
    assert any(bedtime in t.text for t in build_plan(rules, flow, {"timing": ("night",)}).tips)
    plan = build_plan(rules, flow, {"timing": ("night",), "conditions": ("pregnant",)})
    assert not any(bedtime in t.text for t in plan.tips)


# -- "because you said": only what was said, and only where it is the reason --------------------------------

def test_wine_at_weekends_is_never_quoted_back_as_alcohol_most_days(brain):
    # the first-use review: "just wine at weekends" became "because you said: “Alcohol most days”" and heavy drinking
    _, plan = plan_for(brain, ["at night", "a few times a week", "desk job", "about 6 glasses", "none", "none",
                               "trainers", "just wine at weekends"])
    assert "alcohol most days" not in plan
    assert "heavy drinking" not in plan and "cutting down" not in plan


def test_drinking_most_days_is_not_called_heavy_drinking(content):
    plan = render_plan(content.plan, build_plan(content.plan, content.checkup, {"lifestyle": ("alcohol",)}))
    lines = plan.splitlines()
    tips = [line for line in lines if line.startswith("• ") and ("alcohol" in line.lower() or "drink" in line.lower())]
    assert tips and "because you said: “Alcohol most days”" in plan
    for tip in tips:
        assert not re.match(r"• (heavy drinking|your drinking)", tip.lower()), tip
        assert "heavy drinking" not in tip.lower() or "if you drink a lot" in tip.lower(), tip


def test_a_tip_the_answer_is_no_reason_for_gives_its_own_reason(content):
    plan = build_plan(content.plan, content.checkup, {"frequency": ("weekly",)})
    diet = next(tip for tip in plan.tips if "balanced diet" in tip.text)
    assert diet.because == ()
    text = render_plan(content.plan, plan)
    after = text.splitlines()[text.splitlines().index(f"• {diet.text}") + 1]
    assert after.strip() == "↳ for cramps that come often"
    assert "because you said: “A few times a week”" not in text


def every_answer_set(content):
    """Each check-up answer on its own, every other question skipped."""
    for state in content.checkup.states.values():
        if state.answer and not state.end:
            for choice in state.choices:
                yield {state.answer: (choice.id,)}


def test_every_because_quotes_only_labels_of_answers_given_and_every_tip_says_why(content):
    labels = content.checkup.answer_labels()
    for answers in every_answer_set(content):
        plan = build_plan(content.plan, content.checkup, answers)
        given = {labels[(q, c)] for q, chosen in answers.items() for c in chosen}
        for tip in (*plan.tips, *plan.doctor):
            assert set(tip.because) <= given, (answers, tip.text)
            if not plan.general:
                assert tip.because or tip.reason, (answers, tip.text)
