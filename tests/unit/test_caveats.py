"""Caveats on self-care advice: when a message mentions someone whose advice must change (a fluid limit,
numb feet, artery disease, a possible clot, pregnancy), the answer carries the line that tells them how."""

from __future__ import annotations

import pytest

from tests.support.content_edits import edit, problems


def answer_to(brain, content, entry_id: str, text: str) -> str:
    """What the bot shows for this entry as the answer to this message."""
    return brain.write.entry(content.knowledge.get(entry_id), 100.0, content.normaliser.normalise(text)).text


def entries_advising(content, kind: str) -> list[str]:
    return [e.id for e in content.knowledge.entries.values() if kind in e.advice]


@pytest.mark.parametrize("said", ["i have heart failure", "my dad is on dialysis", "I take spironolactone",
                                  "i'm on a fluid restriction", "stage 3 CKD", "on a low salt diet"])
def test_someone_with_a_limit_gets_the_limit_answer_instead_of_fluid_salt_or_potassium_advice(brain, content, said):
    advising = entries_advising(content, "fluids") + entries_advising(content, "potassium")
    assert len(advising) >= 4, "the fluid, sports-drink and diet answers say what they advise"
    limits = content.knowledge.get("fluid_limits").answer
    for entry_id in advising:
        reply = brain.write.entry(content.knowledge.get(entry_id), 100.0,
                                  content.normaliser.normalise(f"{said}, what should i do about cramps"))
        assert reply.intent == "fluid_limits" and limits in reply.text, entry_id


def test_no_caveat_for_someone_who_says_they_have_no_such_condition(brain, content):
    entry_id = entries_advising(content, "fluids")[0]
    text = answer_to(brain, content, entry_id, "i have no kidney problems, should i drink more")
    assert not text.startswith("⚠️")


def test_no_caveat_on_an_answer_that_does_not_give_that_advice(brain, content):
    text = answer_to(brain, content, "what_is_cramp", "i have kidney disease, what is a cramp")
    assert "⚠️" not in text


@pytest.mark.parametrize("said, kind, line", [
    ("i'm diabetic and my feet are numb", "heat", "no hot-water bottle, heat pad or hot soak"),
    ("i'm diabetic", "barefoot", "no walking barefoot"),
    ("i have PAD and get pain when i walk", "compression", "Compression stockings and raising the legs are for vein"),
    ("calf has ached since my long flight", "massage", "don't rub, heat or stretch it"),
    ("i'm 28 weeks pregnant", "exercise", "agree exercise plans and any supplement with your midwife"),
])
def test_each_group_gets_its_caveat_on_the_advice_that_could_harm_them(brain, content, said, kind, line):
    advising = entries_advising(content, kind)
    assert advising, f"some entry advises {kind}"
    for entry_id in advising:
        assert line in answer_to(brain, content, entry_id, said), entry_id


def test_the_caveat_is_shown_in_a_real_conversation(chat):
    chat.send("my mum is on dialysis, would a sports drink help her cramps?")
    assert chat.last[0].kind == "answer"
    assert "follow that limit" in chat.text or "kidney team" in chat.text
    assert "reference/safety.md" in chat.last[0].sources


def test_a_caveat_about_unknown_advice_is_refused_at_load(copy):
    edit(copy / "knowledge" / "caveats.yaml", "advice: [heat, barefoot]", "advice: [heat, sunbathing]")
    assert "[numb_feet]: advice 'sunbathing' unknown" in problems(copy)


def test_low_sodium_as_a_cause_is_not_read_as_a_low_salt_diet(chat):
    chat.send("is low sodium a cause of cramping")
    assert chat.last[0].intent != "fluid_limits"
    chat.send("i'm on a low salt diet, would a sports drink help")
    assert chat.last[0].intent == "fluid_limits"


def test_a_plan_tip_naming_an_unknown_caveat_is_refused_at_load(copy):
    edit(copy / "dialogs" / "plan.yaml", "caveat: numb_feet", "caveat: numb_hands")
    assert "[diabetes_feet]: caveat: 'numb_hands' is not in knowledge/caveats.yaml" in problems(copy)


def test_a_withholding_caveat_must_say_true_or_false(copy):
    edit(copy / "knowledge" / "caveats.yaml", "    withhold: true", "    withhold: yes please")
    assert "[possible_clot]: 'withhold' must be true/false" in problems(copy)
