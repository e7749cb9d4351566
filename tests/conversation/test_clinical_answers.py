"""What the knowledge answers say, checked against the clinical review: honest about causes, caveats for
people whose self-care advice must change, the right level of care, and the questions that need their
own answer (fluid limits, dialysis, emergency numbers, hand and arm cramps)."""

from __future__ import annotations

import re

import pytest

from tests.support.chat_client import ChatClient

LIMIT_LINE = ("If a doctor has limited your fluids, salt or potassium (heart, kidney or liver conditions, some "
              "water pills), follow their advice and ask them about cramps.")
NEGATED = re.compile(r"\b(don't|do not|never|not|no|isn't|aren't|won't|skip|unless|avoid)\b", re.I)
# Text that gives advice of a kind (in a sentence that is not negated) must be tagged with that kind, so
# the caveat for people who must not follow it can be shown (knowledge/caveats.yaml).
ADVICE_WORDS = {
    "fluids": r"\b(sip|drink|drinking)\b[^.;]*\b(water|enough|fluids?|drink)\b|\bsports drink|\belectrolyte drink",
    "salt": r"\bsalt(y|ed)? (drink|water)|\bsports drink|\bsalty\b",
    "potassium": r"\bbanana|\bpotassium-rich|\bfoods? with potassium|\bpotassium\b[^.;]*\bfoods?\b",
    "heat": r"\bheat(ing)? pad|\bhot.water bottle|\bwarm towel|\bwarmth\b|\bwarm it\b|\bheat\b",
    "barefoot": r"\bbarefoot",
    "compression": r"\bcompression",
    "elevation": r"\brais\w* (your )?legs|\belevat",
    "massage": r"\bmassag|\brub\b|\brubbing",
    "stretching": r"\bstretch(es|ing)?\b",
}


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;:])\s+|\n", text) if s.strip()]


def entry_texts(content) -> list[tuple[str, str]]:
    """(entry id, sentence) for every sentence of every knowledge answer and More page."""
    return [(e.id, s) for e in content.knowledge.entries.values() for t in (e.answer, *e.more) for s in sentences(t)]


def full_text(content, entry_id: str) -> str:
    entry = content.knowledge.get(entry_id)
    return "\n".join((entry.answer, *entry.more))


# -- honest about causes and evidence ------------------------------------------------------------------

OVERCLAIMS = [
    r"one of the (most common|commonest)", r"\bvery rich\b", r"\bvery high in\b", r"restore (the )?balance",
    r"ease cramping", r"never (start|jump into) (a|any) workout", r"food works too",
    r"\bbig cramp trigger", r"do a lot to prevent",
]


def test_no_answer_overstates_causes_or_food_and_supplement_benefits(content):
    found = [(where, s) for where, s in entry_texts(content) for pattern in OVERCLAIMS if re.search(pattern, s, re.I)]
    assert found == []


def test_vitamin_e_is_only_mentioned_as_unproven(content):
    mentions = [(where, s) for where, s in entry_texts(content) if re.search(r"vitamins? e\b", s, re.I)]
    assert mentions, "the question about vitamin E has an honest answer"
    assert [(w, s) for w, s in mentions if not re.search(r"unproven|not shown|no good evidence", s, re.I)] == []


def test_water_pills_are_not_said_to_drain_calcium(content):
    found = [(where, s) for where, s in entry_texts(content)
             if re.search(r"diuretic|water pill", s, re.I) and re.search(r"calcium", s, re.I)]
    assert found == []


def test_smoking_is_linked_through_the_arteries_not_dehydration(content):
    smoking = [(where, s) for where, s in entry_texts(content) if re.search(r"\bsmok", s, re.I)]
    assert [(w, s) for w, s in smoking if re.search(r"dehydrat|dry you out", s, re.I)] == []
    assert any(re.search(r"arter", s, re.I) for _, s in smoking)


def test_dehydration_is_a_possible_factor_and_most_night_cramps_have_no_known_cause(content):
    dehydration = content.knowledge.get("dehydration").answer
    assert "can play a part" in dehydration and "no clear cause" in dehydration
    assert "no clear cause is found" in content.knowledge.get("causes_overview").answer


# -- caveats for people whose self-care advice must change --------------------------------------------

def test_the_safety_critical_advice_is_tagged_where_it_is_given(content):
    """An entry whose text advises a kind of self-care carries that kind in `advice:`."""
    untagged = [(where, kind, s) for where, s in entry_texts(content) for kind, pattern in ADVICE_WORDS.items()
                if content.knowledge.get(where).kind == "answer" and re.search(pattern, s, re.I)
                and not NEGATED.search(s) and kind not in content.knowledge.get(where).advice]
    assert untagged == []


@pytest.mark.parametrize("entry_id, kinds", [
    ("dehydration", {"fluids", "salt"}), ("sports_drinks", {"fluids", "salt", "potassium"}),
    ("relief_fluids", {"fluids", "salt"}), ("diet_foods", {"potassium", "supplements"}),
    ("relief_heat", {"heat"}), ("cold", {"heat"}), ("circulation", {"compression", "elevation", "exercise"}),
    ("foot_strength", {"barefoot", "exercise"}), ("exercises_overview", {"barefoot"}),
    ("relief_massage", {"massage"}), ("stretching_routine", {"stretching", "exercise"}),
])
def test_entries_say_which_self_care_they_advise(content, entry_id, kinds):
    assert kinds <= set(content.knowledge.get(entry_id).advice)


def test_every_fluid_salt_potassium_or_supplement_answer_carries_the_limit_line(content):
    tagged = [e for e in content.knowledge.entries.values()
              if {"fluids", "salt", "potassium", "supplements"} & set(e.advice)]
    assert len(tagged) >= 8
    assert [e.id for e in tagged if LIMIT_LINE not in full_text(content, e.id)] == []


def test_every_heat_answer_warns_about_numb_feet(content):
    tagged = [e for e in content.knowledge.entries.values() if "heat" in e.advice]
    assert {"relief_heat", "cold"} <= {e.id for e in tagged}
    assert [e.id for e in tagged if not re.search(r"numb", full_text(content, e.id))] == []
    for entry_id in ("relief_heat", "cold"):
        answer = content.knowledge.get(entry_id).answer
        assert "numb" in answer and "Never fall asleep on one" in answer


def test_barefoot_walking_is_never_suggested_without_the_numb_feet_exception(content):
    for entry_id in ("foot_strength", "exercises_overview"):
        text = full_text(content, entry_id)
        assert "barefoot" in text
        assert re.search(r"not (if you have|with) diabetes, numb feet or poor circulation", text, re.I)


def test_compression_and_raised_legs_are_only_for_vein_problems_after_the_arteries_are_checked(content):
    mentions = [(where, s) for where, s in entry_texts(content)
                if re.search(ADVICE_WORDS["compression"] + "|" + ADVICE_WORDS["elevation"], s, re.I)]
    assert mentions
    assert [(w, s) for w, s in mentions if not (re.search(r"vein", s) and re.search(r"arter", s))
            and not NEGATED.search(s)] == []
    assert re.search(r"walking exercise and stopping smoking", content.knowledge.get("circulation").answer)


def test_the_quad_stretch_is_done_holding_a_chair_or_wall(content):
    assert re.search(r"holding a chair or wall", content.knowledge.get("quad_stretch").answer)


def test_heart_failure_on_a_fluid_limit_is_not_told_to_drink_more(chat: ChatClient):
    chat.send("i'm on a fluid restriction for heart failure, should i drink more for cramps")
    first = chat.text.split("\n")[0]
    assert "limit" in first
    assert not re.search(r"good start|drink more through|lightly salted drink or a sports drink may", chat.text)


def test_kidney_disease_gets_the_limit_advice_and_no_banana_push(chat: ChatClient):
    chat.send("i have kidney disease, should i eat bananas")
    assert "limit" in chat.text.split("\n")[0]
    bananas = [s for s in sentences(chat.text) if "banana" in s.lower()]
    assert [s for s in bananas if not re.search(r"\bnot\b|\bno\b|don't", s)] == []


def test_a_low_salt_diet_is_not_offered_a_sports_drink(chat: ChatClient):
    chat.send("i'm on a low salt diet, can i have a sports drink")
    assert "limit" in chat.text.split("\n")[0]
    assert chat.last[0].intent in ("fluid_limits", "sports_drinks")


def test_dialysis_cramps_go_to_the_kidney_team(chat: ChatClient):
    chat.send("cramps after my dialysis")
    reply = chat.last[0]
    assert reply.kind == "answer" and reply.intent == "dialysis_cramps"
    assert "kidney team the same day" in chat.text and "Don't add extra fluids" in chat.text


def test_supplement_question_on_dialysis_gets_the_limit_answer_not_the_supplement_one(chat: ChatClient):
    chat.send("i'm on dialysis, should i take magnesium for cramps")
    assert chat.last[0].intent in ("fluid_limits", "dialysis_cramps")
    assert "supplements" in chat.text and ("kidney team" in chat.text or "care team" in chat.text)


def test_a_high_potassium_level_gets_the_limit_answer_instead_of_sports_drinks(chat: ChatClient):
    chat.send("my potassium was high last month, which electrolyte drink is best for cramps")
    assert chat.last[0].intent == "fluid_limits"
    assert "sports drink" in chat.text and "care team" in chat.text


def test_a_diabetic_asking_about_barefoot_walking_is_told_to_keep_shoes_on(chat: ChatClient):
    chat.send("can i walk barefoot on the beach to strengthen my feet, i'm diabetic")
    assert chat.last[0].kind == "answer"
    assert "no walking barefoot" in chat.text.split("\n")[0]
    assert "keep your shoes on" in chat.text


# -- the right level of care, in plain words ---------------------------------------------------------

def level_for(content, pattern: str) -> list[tuple[str, str, str]]:
    """(entry id, line, level) for each answer line matching `pattern`; the level is the one the line names,
    or else the nearest one named above it (a list under "Call emergency services now if:")."""
    found = []
    for entry in content.knowledge.entries.values():
        for chunk in (entry.answer, *entry.more):
            lines = chunk.splitlines()
            for at, line in enumerate(lines):
                if not re.search(pattern, line, re.I):
                    continue
                for candidate in (line, *reversed(lines[:at])):
                    levels = re.findall(r"emergency|today|same day", candidate, re.I)
                    if levels:
                        found.append((entry.id, line, "emergency" if "emergency" in levels else "today"))
                        break
                else:
                    found.append((entry.id, line, "none"))
    return found


def test_a_suddenly_cold_pale_or_unmovable_leg_is_always_an_emergency(content):
    ischaemia = level_for(content, r"suddenly (turns|goes) cold")
    assert len(ischaemia) >= 4
    assert [(where, line) for where, line, level in ischaemia if level != "emergency"] == []


def test_stroke_signs_are_an_emergency(content):
    stroke = level_for(content, r"slurred")
    assert len(stroke) >= 3
    assert [(where, line) for where, line, level in stroke if level != "emergency"] == []


def test_the_ten_minute_rule_is_only_on_the_relief_and_doctor_pages_and_says_same_day(content):
    ten = [(e, s) for e in content.knowledge.entries.values() for t in (e.answer, *e.more) for s in sentences(t)
           if re.search(r"(?<!-)\b10 minutes\b", s) and not re.search(r"5.10 minutes", s)]
    assert ten
    assert [e.id for e, _ in ten if not (e.file.endswith("doctor.yaml") or e.id == "relief_overview")] == []
    assert [s for _, s in ten if "get medical help today" in s] == []


def test_medical_terms_come_after_plain_words(content):
    for where, s in entry_texts(content):
        if "DVT" in s:
            assert "blood clot in a leg vein (DVT)" in s, where
        if re.search(r"peripheral arter", s, re.I):
            assert re.search(r"narrow\w* (the )?leg arteries \(peripheral artery disease", s), where
        assert "deep vein thrombosis" not in s.lower(), where
        assert "venous insufficiency" not in s or "(venous insufficiency)" in s, where
        assert "tarsal tunnel syndrome" not in s or "(tarsal tunnel syndrome)" in s, where


def test_when_to_see_a_doctor_first_screen_is_short_bullets(content):
    answer = content.knowledge.get("when_to_see_doctor").answer
    assert max(len(line.split()) for line in answer.splitlines()) <= 16
    assert "emergency number now" in answer and "same day" in answer


def test_soreness_that_lasts_or_a_swollen_calf_is_on_the_first_screen(chat: ChatClient):
    chat.send("my calf still hurts 3 days after a cramp")
    assert chat.last[0].intent == "soreness_after"
    assert "more than a day or two" in chat.text and "swollen, warm or red" in chat.text


def test_medicines_answer_names_other_medicines_and_the_pharmacist(content):
    answer = content.knowledge.get("medications").answer
    assert "other medicines too" in answer and "any new medicine, ask your pharmacist" in answer
    assert "never stop it on your own" in answer


def test_out_of_scope_health_questions_say_where_to_go(chat: ChatClient):
    chat.send("my heel hurts first thing in the morning, is it plantar fasciitis")
    assert chat.last[0].kind == "fallback"
    for who in ("pharmacist", "podiatrist", "physiotherapist", "doctor"):
        assert who in chat.text


def test_people_who_cannot_reach_their_toes_get_another_way_to_stretch(chat: ChatClient):
    chat.send("i can't reach my toes when my foot cramps")
    assert chat.last[0].intent == "relief_stretch"
    assert "towel or belt" in chat.text and "lean into a wall" in chat.text


def test_standing_on_the_leg_or_walking_it_off_is_offered(chat: ChatClient):
    chat.send("should i stand up and walk on it when i get a cramp")
    assert chat.last[0].intent == "relief_move"
    assert "walking it off" in chat.text


# -- questions that need their own answer -------------------------------------------------------------

@pytest.mark.parametrize("text, number", [
    ("what's the emergency number in australia", "000"),
    ("who do i call in the us", "911"),
    ("what number do i ring for an ambulance", "112"),
    ("i'm in new zealand, what number do i call", "111"),
])
def test_emergency_number_questions_get_the_numbers_not_a_red_flag(chat: ChatClient, text, number):
    chat.send(text)
    reply = chat.last[0]
    assert reply.kind == "answer" and reply.intent == "emergency_numbers"
    assert number in chat.text


def test_a_hand_cramp_from_writing_is_not_a_red_flag(chat: ChatClient):
    chat.send("my hand cramps when i write a lot")
    reply = chat.last[0]
    assert reply.kind == "answer" and reply.intent == "arm_hand_cramps"
    assert "keep coming back or come with weakness" in chat.text
