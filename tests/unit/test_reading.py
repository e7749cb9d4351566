"""The reading of a message: what is asked (in order), who, where, when, distress and language."""

from __future__ import annotations

import pytest


@pytest.fixture
def read(content):
    return content.reader.read


def test_two_questions_in_one_sentence_are_read_in_the_order_asked(read):
    reading = read("I get cramps most nights. Why does this happen, and how can I prevent them?")
    assert reading.topics[:2] == ("cause", "prevention")
    assert reading.questions == (1,) and "recurring" in reading.when and reading.history


def test_the_story_says_who_how_old_which_sport_and_which_medicine(read):
    child = read("My seven-year-old son gets calf cramps after swimming lessons. What can we do?")
    assert (child.person.who, child.person.age, child.person.sports, child.muscles) == ("child", 7, ("swimming",),
                                                                                        ("calf",))
    older = read("I'm 74 and take atorvastatin for my cholesterol. Could that be why my legs cramp?")
    assert older.person.older and ("medications", "statin", "atorvastatin") in older.person.facts
    assert read("my husband runs marathons and cramps at mile 20").person.competitive


def test_a_negated_medicine_is_not_a_fact(read):
    assert read("I'm not on any statins, why do I cramp?").person.facts == ()


@pytest.mark.parametrize("text", ["help my leg", "owww", "my foot!!!", "🆘", "it hurts", "I'm scared",
                                  "fuck this cramp", "🦵😭", "make it stoppp"])
def test_a_cry_of_pain_without_textbook_words_is_distress(read, text):
    assert read(text).distress


@pytest.mark.parametrize("text", ["why do I get cramps at night?", "heartburn again ugh", "cramp tips",
                                  "foot pain stuff", "period cramps killing me"])
def test_a_question_or_another_complaint_is_not_distress(read, text):
    assert not read(text).distress


@pytest.mark.parametrize(("text", "language"), [
    ("ayuda, tengo un calambre en el pie", "es"), ("Hilfe, ich habe einen Wadenkrampf", "de"),
    ("j'ai une crampe au mollet", "fr"), ("tenho uma câimbra na perna", "pt"), ("у меня судорога в ноге", "ru"),
    ("mam skurcz w nodze", "pl"), ("I have a cramp in my left calf", None), ("je suis", None)])
def test_other_languages_are_recognised(read, text, language):
    assert read(text).language == language


def test_a_cramp_now_is_not_a_history_and_a_past_one_is(read):
    assert not read("my calf is cramping right now").history
    past = read("Had a cramp in my right foot last night, it lasted 10 minutes")
    assert past.history and past.side == "right" and past.duration == "lasted 10 minutes"


def test_the_reading_is_plain_json_ready_data(read):
    data = read("Why do my feet cramp when I swim?").to_dict()
    assert data["asks"] == [{"topic": "cause", "sentence": "Why do my feet cramp when I swim?"}]
    assert data["sports"] == ["swimming"] and data["muscles"] == ["foot"]


def test_a_sentence_asking_two_things_is_cut_into_its_questions(read):
    reading = read("Where do leg cramps come from and how can I avoid them?")
    assert [(a.topic, a.words) for a in reading.asks] == [("cause", "Where do leg cramps come from"),
                                                         ("prevention", "how can I avoid them?")]
    assert not reading.asks[0].specific, "it names nothing but its topic: the general answer"
    assert read("Why do my calves cramp when I swim?").asks[0].specific


def test_a_generic_question_takes_its_subject_from_the_story(read):
    reading = read("I'm on magnesium tablets but the cramps still wake me. What would you advise?")
    assert "supplements" in reading.topics


def test_self_care_the_person_does_is_read_for_the_caveats(read):
    assert "heat" in read("He puts a hot water bottle on his feet at night").doing
    assert read("my feet get cold").doing == ()


def test_medicine_names_are_read_by_their_endings(read):
    facts = read("I came off my quinapril and metoprolol last month").person.facts
    assert ("medications", "other", "quinapril") in facts


def test_is_it_ok_asks_about_seriousness_only_at_the_end(read):
    assert "serious" in read("my calf cramps a lot, is it ok?").topics
    assert "serious" not in read("is it ok to eat bananas for cramps").topics


def test_a_person_named_in_passing_is_not_whom_the_cramps_are_about(read):
    reading = read("I get leg cramps at night. Early menopause runs on my mum's side. What can I do?")
    assert reading.person.who == "self"
    assert read("My mum gets leg cramps at night. What can she do?").person.who == "parent"


def test_a_young_age_or_my_older_son_is_a_child(read):
    assert read("my 5 year old wakes with leg pains at night").person.who == "child"
    assert read("My older son gets leg cramps after football").person.who == "child"


def test_self_care_already_followed_is_read_apart_from_what_is_done_now(read):
    reading = read("I drink plenty of water and I stretch every night, but I still cramp. Why?")
    assert set(reading.already) == {"fluids", "stretching"}


@pytest.mark.parametrize(("text", "topic", "not_topic"), [
    ("So is it my diet or something else?", "cause", "identify"),
    ("How can I tell if it is a cramp or a different problem?", "identify", None),
    ("I can't relax it myself. What actually helps?", "relief", "food"),
    ("How am I supposed to stretch it when I can't get anywhere near my toes?", "relief", None),
])
def test_what_a_question_asks(read, text, topic, not_topic):
    topics = read(text).topics
    assert topic in topics and not_topic not in topics


@pytest.mark.parametrize(("text", "sports"), [
    ("tears running down my face, my calf cramped so badly", ()),
    ("I was running late for work and my foot cramped", ()),
    ("I go running every morning and my calves cramp", ("running",)),
    ("my arches cramp in the pool, never on my runs", ("swimming",)),
])
def test_a_sport_word_in_another_sense_is_no_sport(read, text, sports):
    assert read(text).person.sports == sports


@pytest.mark.parametrize("text, who", [
    ("My husband is 74. He gets cramps in his legs most nights.", "partner"),
    ("Dad's on dialysis and the cramps in his legs are getting worse.", "parent"),
    ("Our boy plays football. He cramps in the second half.", "child"),
    ("Near midnight my right calf seized and my wife thought I was dying.", "self"),
    ("My friend came round. I get cramps in my calves at night.", "self"),
])
def test_who_the_cramps_belong_to(read, text, who):
    assert read(text).person.who == who


@pytest.mark.parametrize("text", ["I'm 6 weeks out from a knee replacement and my calves cramp",
                                  "I'm 34 weeks pregnant with cramps at night"])
def test_weeks_after_an_operation_or_into_a_pregnancy_are_not_an_age(read, text):
    reading = read(text)
    assert reading.person.age is None and reading.person.who == "self"


def test_riding_a_bike_is_a_sport_and_a_car_ride_is_not(read):
    assert read("Rode 48 miles yesterday and my thighs cramped").person.sports == ("cycling",)
    assert read("After a long car ride my calf cramped").person.sports == ()
    assert read("after a long car ride my calf cramped").told == read("after a long car ride my calf cramped").when
    assert "sport" in read("played 5 a side and my calf cramped").told


def test_what_to_do_right_now_asks_for_relief_not_prevention(read):
    reading = read("My calf is seizing. What do I do right now?")
    assert reading.topics == ("relief",) and "now" in reading.when
    assert read("My calves cramp every night. What do I do?").topics == ("prevention",)


def test_a_question_joined_by_and_is_a_question_and_a_supplement_is_not_a_medicine(read):
    reading = read("my friend said to take magnesium tablets. are they ok to take? and what exercises help")
    assert "and what exercises help" in [reading.sentences[i] for i in reading.questions]
    assert "exercise" in reading.topics and "medicines" not in reading.topics
