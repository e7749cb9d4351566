"""Medical-safety and quality rules for everything the bot can say."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHINGLE_WORDS = 8
# The safety reference itself prescribes this caveat word for word; it is the only allowed repeat.
REQUIRED_WORDING = ["ask your doctor or pharmacist first they can interact with medicines"]
_WORD = re.compile(r"[a-z0-9]+")


def all_texts(content) -> list[tuple[str, str]]:
    """Every user-facing text: (where, text)."""
    texts = []
    for entry in content.knowledge.entries.values():
        texts += [(entry.id, t) for t in (entry.answer, *entry.more, entry.title)]
    texts += [(rule.id, rule.tip) for rule in content.plan.rules]
    texts += [("general_tips", tip.tip) for tip in content.plan.general]
    for flow in content.flows.values():
        for state in flow.states.values():
            texts.append((f"{flow.id}.{state.id}", state.prompt))
            if state.timer:
                texts.append((f"{flow.id}.{state.id}.timer", state.timer.done))
            texts += [(f"{flow.id}.{state.id}.{c.id}", c.label) for c in state.choices]
    texts += [(level.id, level.text) for level in content.safety.levels.values()]
    texts += [(rule.id, rule.why) for rule in content.safety.red_flags]
    texts += list(content.messages.texts.items())
    texts += content.relief_muscles.texts() + content.relief_words.texts()
    return texts


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?;:])\s+|\n", text) if s.strip()]


def test_no_text_gives_a_dose_or_amount_of_a_drug_or_supplement(content):
    dose = re.compile(r"\b\d+(?:[.,]\d+)?\s*(?:mg|milligrams?|mcg|µg|micrograms?|g|grams?|iu|ml|mmol|"
                      r"tablets?|capsules?|pills?|doses?)\b", re.I)
    found = [(where, text) for where, text in all_texts(content) if dose.search(text)]
    assert found == []


def test_quinine_and_tonic_water_are_only_ever_advised_against(content):
    negative = re.compile(r"\bnot\b|n't\b|\bnever\b|\bno\b|\bavoid|\bagainst\b|\bwarn", re.I)
    mentions = [(where, s) for where, text in all_texts(content) for s in sentences(text)
                if re.search(r"quinine|tonic", s, re.I)]
    assert mentions, "the quinine question has an answer"
    assert [(w, s) for w, s in mentions if not negative.search(s)] == []


def test_no_text_tells_anyone_to_start_or_stop_a_medicine(content):
    # advice ("stop taking...", "you should start...") as opposed to description ("cramps that began...")
    verb = re.compile(r"(^\W*|\b(should|try|try to|can|could|please|just|then|and)\s+)(stop|start|quit|come off|switch)"
                      r"\w*\s+(taking|using|your|the|a|any|it|them)\b", re.I)
    medicine = re.compile(r"medic|pill|tablet|statin|diuretic|drug|prescri|quinine", re.I)
    guard = re.compile(r"\b(don't|do not|never|not|n't|without|on your own|yourself|ask|talk|check)\b", re.I)
    risky = [(where, s) for where, text in all_texts(content) for s in sentences(text)
             if verb.search(s) and medicine.search(s) and not guard.search(s)]
    assert risky == []


def test_supplement_advice_always_carries_the_doctor_or_pharmacist_caveat(content):
    for entry_id in ("supplements", "magnesium"):
        entry = content.knowledge.get(entry_id)
        text = " ".join((entry.answer, *entry.more)).lower()
        assert "doctor or pharmacist" in text and "interact" in text, entry_id


def test_the_not_a_doctor_line_is_said_plainly(content):
    assert "not a doctor" in content.messages.text("disclaimer")
    assert "not a doctor" in content.knowledge.get("about_bot").answer


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower().replace("\u2019", "").replace("'", ""))


def source_runs() -> set[str]:
    """Hashes of every eight-word run in the source documents."""
    lines = (ROOT / "tests/data/source_shingles.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip() for line in lines if line and not line.startswith("#")}


def copied_runs(text: str, source: set[str]) -> list[list[str]]:
    """Every eight-word run of `text` that also appears in a source document."""
    w = words(text)
    runs = (w[i:i + SHINGLE_WORDS] for i in range(len(w) - SHINGLE_WORDS + 1))
    return [run for run in runs
            if hashlib.blake2b(" ".join(run).encode(), digest_size=8).hexdigest() in source]


def test_no_sentence_is_copied_from_the_source_documents(content):
    """No run of eight words from a seed document or the safety reference appears in our texts."""
    source = source_runs()
    assert len(source) > 1000
    allowed = {tuple(words(w)) for w in REQUIRED_WORDING}
    copied = [(where, " ".join(run)) for where, text in all_texts(content) for run in copied_runs(text, source)
              if not any(_inside(run, a) for a in allowed)]
    assert copied == []


def _inside(run: list[str], allowed: tuple[str, ...]) -> bool:
    n = len(run)
    return any(list(allowed[i:i + n]) == run for i in range(len(allowed) - n + 1))


def test_shingle_check_would_catch_a_copied_sentence():
    # the check above is only worth something if a real copy is found by it
    copied = "Ice can also help with pain but remember not to directly apply it to the skin."
    assert copied_runs(copied, source_runs())


def test_every_entry_cites_at_least_one_source_document(content):
    for entry in content.knowledge.entries.values():
        assert entry.sources and all(s in content.knowledge.sources for s in entry.sources), entry.id


def test_answers_fit_a_phone_screen(content):
    for entry in content.knowledge.entries.values():
        for text in (entry.answer, *entry.more):
            assert len(text) <= 700, entry.id
            assert len(text.splitlines()) <= 14, entry.id


# Every fact the documents give should be somewhere in what the bot can say.
FACTS = {
    # causes
    "dehydration": r"dehydrat", "potassium": r"potassium", "magnesium": r"magnesium", "calcium": r"calcium",
    "sodium": r"sodium", "vitamin D and calcium": r"vitamin D", "minerals lost in sweat": r"sweat",
    "overexertion and fatigue": r"overdo|overuse|overwork", "dancers and athletes": r"dancer|athlete",
    "long standing": r"standing", "inactivity": r"inactiv|sitting still|not moving|sedentary",
    "circulation": r"circulation|blood flow", "peripheral artery disease": r"peripheral arter",
    "venous insufficiency": r"venous insufficiency", "compression stockings": r"compression stocking",
    "raising the legs": r"rais\w* (your )?legs|elevat", "diuretics": r"diuretic", "water pills": r"water pills",
    "statins": r"statin", "injury": r"injur|hurt your foot", "anaemia": r"an(a)?emi", "diabetes": r"diabet",
    "thyroid": r"thyroid", "peripheral neuropathy": r"neuropathy", "sciatica": r"sciatica",
    "tarsal tunnel": r"tarsal tunnel", "high heels": r"high heel", "wide toe box": r"toe box",
    "arch support": r"arch support|supports? (your|the) arch", "ventilation": r"ventilat|breathe",
    "cold": r"\bcold\b", "keep feet warm": r"feet warm", "night cramps": r"night",
    "alcohol": r"alcohol", "smoking": r"smok",
    # relief
    "pull toes 10-15 s": r"10.{1,3}15 s", "press 3-5 minutes": r"3 (to|-|–) ?5 minutes",
    "heat 5-10 minutes": r"5 (to|-|–) ?10 minutes", "heating pad": r"heating pad|heat pad",
    "hot water bottle": r"hot.water bottle", "warm not hot": r"warm,? not hot|warm \(not hot\)",
    "ice in a towel": r"towel", "ankle circles 10 each way": r"10 times one way|10 (circles|rotations)",
    "bend and straighten the knee": r"straighten", "sports drink": r"sports drink",
    "light salty drink": r"salt", "painkillers too slow": r"too slow", "quinine not recommended": r"quinine",
    # prevention
    "bananas": r"banana", "oranges": r"orange", "spinach": r"spinach", "broccoli": r"broccoli",
    "nuts": r"\bnuts\b", "yogurt": r"yog(h)?urt", "milk": r"milk", "leafy greens": r"leafy",
    "vitamin E": r"vitamin E|vitamins E", "vitamin B6": r"B6", "supplement caveat": r"interact",
    "read the label": r"label", "stretching routine": r"routine", "stretch before bed": r"before bed",
    "yoga twice a week": r"twice a week|two sessions a week", "downward dog": r"downward dog",
    "calf raises": r"calf raise",
    "toe lifts": r"toe lift", "hold about 30 s": r"30 s(econds)?", "15-30 s": r"15.{1,3}30 s",
    "10-15 circles": r"10.{1,3}15 (circles|each|times)", "wall calf stretch": r"wall",
    "towel scrunch": r"scrunch", "quad stretch": r"quad|thigh", "marbles": r"marble",
    "barefoot on sand": r"sand", "flex and curl toes 10-15 minutes": r"10.{1,3}15 minutes",
    "walking": r"walk", "swimming or water aerobics": r"water aerobics", "10% a week": r"10 ?%",
    "fatigue signs": r"light.?headed", "very sore next day": r"next day", "rest": r"\brest\b",
    "avoid same position": r"same position|one position", "posture": r"posture", "warm up": r"warm.?up",
    # when to see a doctor
    "call 112/911/999": r"112", "same-day care": r"today", "book an appointment": r"appointment",
    "tetanus": r"tetanus", "toxin such as lead": r"\blead\b", "numbness": r"numb",
    "pregnancy clot risk": r"pregnan", "clot": r"clot", "sore up to a day": r"up to a day",
    "magnesium evidence weak": r"placebo|Cochrane", "seconds to minutes": r"seconds",
}


@pytest.mark.parametrize("fact", sorted(FACTS))
def test_every_fact_from_the_documents_is_covered(content, fact):
    corpus = "\n".join(text for _, text in all_texts(content))
    assert re.search(FACTS[fact], corpus, re.I), fact


def test_no_answer_opens_with_words_that_need_the_question(content):
    """An answer is also a part of a longer reply, under a heading ("▸ Why it happens"): it must not
    lean on the question it was written for ("It can play a part.", "Yes, ...")."""
    leaning = re.compile(r"^(it|yes|no|they|that|this)\b", re.I)
    assert [e.id for e in content.knowledge.entries.values()
            if e.kind == "answer" and leaning.match(e.answer.strip())] == []
