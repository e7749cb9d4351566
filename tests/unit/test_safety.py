"""Red flags win over everything else and name the right level of care. A miss is the worst bug."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.brain import Brain
from tests.support.chat_client import ChatClient

CALL_EMERGENCY = [
    "my calf is swollen and I'm short of breath",
    "leg cramp and chest pain",
    "pain in my chest and my leg hurts",
    "my chest feels really tight and my calf is sore",
    "i cant breathe properly and my leg is swollen",
    "cant breath, calf hurts",
    "struggling to breathe after my leg swelled up",
    "coughing up blood and my leg hurts",
    "my legs cramping and I'm breathless",
    "CHEST PAIN",
    "swolen calf and shortnes of breath",  # typos
    "never had chest pain before but now I do with this cramp",
    "I fainted after the cramp",
    "leg cramp, and my lips are turning blue",
]

HELP_TODAY = [
    # possible clot
    "my left calf is swollen, red and warm to the touch",
    "one leg is puffy and hot and it throbs",
    "the veins in my calf feel hard and sore",
    "my calf has gone a darker colour and it's swollen",
    # a cramp that will not ease
    "my cramp has lasted 20 minutes",
    "calf cramp for over half an hour",
    "it's been cramping for 15 mins and stretching hasn't helped",
    "cramp wont go away after 10 mins",
    "the cramp has not eased after 10 minutes",
    "cramp hasnt eased in 10 minutes",
    "cramp for 15 minutes and it won't go away",
    # wound, toxin
    "I stepped on a rusty nail last week and now my legs are cramping",
    "could this be tetanus",
    "cramps after working with pesticides all day",
    "we have lead pipes and I get cramps",
    # weakness or numbness
    "my foot cramps and then goes numb",
    "I can't feel my toes after the cramp",
    "cramping and my leg feels weak",
    "I lost all feeling in my foot",
    # elsewhere, fluid loss
    "my arms are cramping too",
    "stomach cramps and my calves",
    "cramps after a day of vomiting",
    "I've had diarrhoea all week and now I get cramps",
    # pregnancy
    "I'm pregnant and one calf is swollen",
    "32 weeks pregnant, left leg red and sore",
]

NOT_RED_FLAGS = [
    "why do I get cramps at night",
    "how do I stretch my calf",
    "is warm water good for a cramp",
    "no swelling, no chest pain, just cramps at night",
    "I don't feel short of breath, my calves just cramp",
    "I stretch for 10 minutes every day to prevent cramps",
    "how long should I hold a calf stretch",
    "my feet are always cold",
    "what foods help with cramps",
    "period cramps",
    "my calf cramped an hour ago and is still sore",
    "my ankles swell in hot weather",
    "what can cause swollen ankles",
    "cramp in my hand when writing",
    "I had a DVT years ago",
    "what does a blood clot feel like",
    "cramp in my sole and it won't let go",
]


@pytest.mark.parametrize("text", CALL_EMERGENCY)
def test_breathing_or_chest_symptoms_say_call_emergency_services(brain: Brain, text):
    reply = brain.classify(text)
    assert (reply.kind, reply.intent) == ("urgent", "call_emergency"), text
    assert "emergency services now" in reply.text
    assert "112" in reply.text and "911" in reply.text and "999" in reply.text


@pytest.mark.parametrize("text", HELP_TODAY)
def test_same_day_red_flags_say_get_help_today(brain: Brain, text):
    reply = brain.classify(text)
    assert (reply.kind, reply.intent) == ("urgent", "get_help_today"), text
    assert "get medical help today" in reply.text
    assert reply.sources[0] == "reference/safety.md"  # then the sources of any short answer below it


@pytest.mark.parametrize("text", NOT_RED_FLAGS)
def test_ordinary_questions_and_negated_symptoms_are_not_red_flags(brain: Brain, text):
    assert brain.classify(text).kind != "urgent", text


def test_a_red_flag_hidden_in_an_ordinary_question_still_wins(brain: Brain):
    reply = brain.classify("what stretches help? also my calf has been hot and swollen since yesterday")
    assert reply.kind == "urgent"


def test_a_red_flag_wins_over_an_active_cramp(brain: Brain):
    reply = brain.classify("my calf is cramping right now and my chest hurts")
    assert (reply.kind, reply.intent) == ("urgent", "call_emergency")


def test_red_flags_are_checked_even_in_a_command(brain: Brain):
    assert brain.classify("/cramp my chest is tight").kind == "urgent"


def test_a_red_flag_mid_checkup_pauses_it(chat: ChatClient):
    chat.send("/checkup")
    chat.press("At night")
    chat.send("actually my leg is swollen and red and I feel breathless")
    assert chat.last[0].kind == "urgent" and chat.last[0].intent == "call_emergency"
    assert chat.state is None
    assert chat.session.paused is not None and chat.session.paused.state == "frequency"
    assert "paused your check-up" in chat.text


def test_a_red_flag_mid_relief_ends_the_sequence_and_its_timer(chat: ChatClient):
    chat.send("/cramp")
    chat.press("Start")
    assert chat.session.timer is not None
    chat.send("my foot went numb")
    assert chat.last[0].kind == "urgent"
    assert chat.session.timer is None and chat.state is None


def test_a_real_word_is_never_corrected_into_another_and_still_counts(brain: Brain, content):
    """"throbbing" is not in the vocabulary, but it is a real English word: it stays as written (it would
    otherwise become "throwing"; "squats" would become "squits", diarrhoea)."""
    text = "lying in bed and my left calf is hot and throbbing"
    assert "throbbing" in content.normaliser.normalise(text).tokens
    assert "squats" in content.normaliser.normalise("my leg cramps after squats").tokens
    assert brain.classify("my leg cramps after squats at the gym").kind != "urgent"
    reply = brain.classify(text)
    assert (reply.kind, reply.intent) == ("urgent", "get_help_today")
    assert brain.classify("got a gash on my foot and now my leg keeps twitching").intent == "get_help_today"


def test_an_earlier_negation_turns_without_back(brain: Brain):
    """"can't ... without" affirms: the negation words come from knowledge/language.yaml (negation: double)."""
    reply = brain.classify("cant walk 10 steps without getting out of breath and my calf is killing me")
    assert (reply.kind, reply.intent) == ("urgent", "call_emergency")
    assert brain.classify("calf cramp at night without any swelling or redness").kind != "urgent"


def test_a_strong_negation_idiom_still_counts(brain: Brain):
    for text in ("ive never felt so out of breath in my life and my calf is swollen",
                 "ive never had chest pain like this and my leg is swollen"):
        assert brain.classify(text).intent == "call_emergency", text
    assert brain.classify("no chest pain, not short of breath, just a calf cramp").kind != "urgent"


def test_a_duration_counts_when_the_cramp_is_still_there_after_self_care(brain: Brain):
    """Masks hide "stretch for 15 minutes" (advice, routine) but not a cramp still there after it."""
    assert brain.classify("ive stretched for 20 min and the cramp is still there").intent == "get_help_today"
    assert brain.classify("massaged it for half an hour and my calf is still knotted").intent == "get_help_today"
    assert brain.classify("I stretch for 15 minutes every night before bed").kind != "urgent"


def test_a_duration_counts_when_the_next_clause_says_the_cramp_is_still_there(brain: Brain):
    assert brain.classify("my calf cramped mid swim and it's been 15 min since i got out, still rock hard").intent \
        == "get_help_today"
    assert brain.classify("swam for 20 minutes, then a calf cramp that went in a minute").kind != "urgent"


@pytest.mark.parametrize("text", [
    "cramp woke me at 4 its now quarter to 5 still tight",
    "it started at 3:15am, it is now 3:50 and my calf is still knotted",
    "it began at half past two and now its ten past three, still cramping",
    "woke at 2am its now 3am still locked",
    "woke at 2 with a foot cramp, rubbed it, walked about, it's now 2:25 and it is still in a knot",
])
def test_a_cramp_told_by_the_clock_counts_as_long_when_the_times_are_ten_minutes_apart(brain: Brain, text):
    """The start time and the time now, ten minutes or more apart: the cramp has lasted that long."""
    assert brain.classify(text).intent == "get_help_today", text


def test_clock_times_close_together_or_numbers_that_are_not_times_do_not_count(brain: Brain):
    assert brain.classify("cramp at 4, its now 4:05 still tight").kind == "emergency", "five minutes: relief"
    assert brain.classify("had a cramp at 3 and now 2 more tonight").kind != "urgent"
    assert brain.classify("had 2 cramps at 4, now 3").kind != "urgent", "a count, or a 'now' before the start"
    assert brain.classify("leg cramp since ፩ and now 5").kind, "a digit int() refuses does not crash the scan"
    assert brain.classify("cramp at " + "9" * 5000 + " now 5").kind


@pytest.mark.parametrize("text", [
    "cramp for twenty five minutes now", "my calf has been cramping for thirty-five mins",
    "cramp in my foot, fifteen minutes at least and still tight",
])
def test_a_duration_written_in_words_counts(brain: Brain, text):
    """Numbers in words arrive as digits ("twenty five" as "20 5"): together, ten minutes or more."""
    assert brain.classify(text).intent == "get_help_today", text


def test_a_short_duration_in_words_or_two_unrelated_numbers_do_not_count(brain: Brain):
    assert brain.classify("cramp for five minutes, it's gone now").kind != "urgent"
    assert brain.classify("my calf cramped 2 5 minutes ago").kind != "urgent", "not tens and a digit: not one number"


def test_a_number_too_long_for_int_is_still_read_as_a_duration(brain: Brain):
    """Python's int() refuses strings of over 4,300 digits; the scan reads up to 20,000 characters."""
    huge = "9" * 5000
    assert brain.classify(f"cramp for {huge} minutes").intent == "get_help_today"
    assert brain.classify(f"cramp for {huge}mins").intent == "get_help_today"
    assert brain.classify(f"cramp for {huge} 5 minutes").kind


def test_breathing_trouble_in_any_words_with_a_swollen_leg_is_an_emergency(brain: Brain):
    """Leg swelling with a breathing problem told in words no list has: call emergency services."""
    assert brain.classify("leg twice the size of the other and i keep stopping to get my breath back").intent \
        == "call_emergency"
    assert brain.classify("my leg swole up and i have to sit up to breathe").intent == "call_emergency"
    assert brain.classify("my ankle is a bit swollen after the flight, breathing is fine").intent == "get_help_today"


def test_emoji_that_stand_for_symptoms_are_read_as_words(brain: Brain, content):
    """🦵🎈 is "leg balloon", in a clause of its own at the end; emoji also used for feelings (❤️, 😭) stay out."""
    assert content.normaliser.normalise("🦵🎈 only the left one").clauses == (("only", "the", "left", "1"),
                                                                             ("leg", "balloon"))
    assert brain.classify("calf cramp, now sob 🆘").intent == "call_emergency", "the words keep their places"
    assert brain.classify("cramp in my calf 🧊 15 min now").intent == "get_help_today"
    assert brain.classify("🦵🔥🎈 just the left one").intent == "get_help_today"
    assert brain.classify("🤮🤮 all night and now 🦵⚡").intent == "get_help_today"
    assert brain.classify("leg 🎈🎈 chest 💥").intent == "call_emergency"
    assert brain.classify("cramp ❤️ gone now, the pain is gone").kind != "urgent"
    assert brain.classify("cramp gone 😮‍💨").kind != "urgent"


@pytest.mark.parametrize("text, intent", [("it's gone blue", "call_emergency"), ("it's gone white", "call_emergency"),
                                          ("it's gone red and hot now", "get_help_today"),
                                          ("it has gone purple and swollen", "get_help_today")])
def test_a_leg_that_changed_colour_counts_without_naming_the_leg(brain: Brain, text, intent):
    """In a chat about a cramp, "it" is the leg or foot: pale or blue is a blocked blood supply, red or swollen a
    clot."""
    assert brain.classify(text).intent == intent, text


def test_the_weather_and_a_cramp_that_has_gone_are_not_a_colour_change(brain: Brain):
    assert brain.classify("it went cold outside and my calves cramped").kind != "urgent"
    assert brain.classify("it's gone now, thank god").kind != "urgent"


def test_a_24_hour_time_with_its_leading_zero_is_a_start_time(brain: Brain):
    assert brain.classify("cramp since 0245, still locked").intent == "get_help_today"
    assert brain.classify("i've had cramps since 2015").kind != "urgent", "a year, not a time"


@pytest.mark.parametrize("with_flag, without", [
    ("Got a bit sunburnt at the beach but now only my left calf is swollen, red and throbbing",
     "my calves are a bit swollen and red from sunburn"),
    ("I stepped on a rusty nail yesterday and now my calf keeps cramping, can tetanus cause this?",
     "can tetanus cause leg cramps?"),
    ("What causes this? My calf has gone red and swollen and it's throbbing", "what causes calf cramps at night?"),
])
def test_an_exception_only_clears_the_clause_it_is_in(brain: Brain, with_flag, without):
    """A harmless cause or a general question in one clause does not hide a red flag told in another."""
    assert brain.classify(with_flag).intent == "get_help_today", with_flag
    assert brain.classify(without).kind != "urgent", without


def test_a_period_named_anywhere_explains_stomach_cramps(brain: Brain):
    assert brain.classify("my stomach is cramping, i think it's my period, and my legs ache").kind != "urgent"
    assert brain.classify("my stomach is cramping badly, my legs cramp too").intent == "get_help_today"


def test_hardly_or_till_today_turn_a_negation_back(brain: Brain):
    assert brain.classify("I can hardly get up the stairs without getting out of breath").intent == "call_emergency"
    assert brain.classify("I can walk up the stairs without getting out of breath, just calf cramps").kind \
        != "urgent"
    assert brain.classify("I've never passed out till today and my leg is really painful").intent \
        == "call_emergency"
    assert brain.classify("I've never passed out, I just get calf cramps").kind != "urgent"


def test_a_red_flag_at_the_end_of_a_very_long_message_is_found(brain: Brain):
    text = "I have a question about cramps. " * 120 + "My calf is swollen and red."
    assert len(text) > 3000
    assert brain.classify(text).kind == "urgent"


def test_no_example_phrasing_of_an_answer_trips_a_red_flag_or_the_cramp_now_rules(content):
    """Guards against rules so broad they would hijack ordinary questions."""
    wrong = []
    for entry in content.knowledge.entries.values():
        if entry.kind in ("emergency", "fallback"):
            continue
        for example in entry.examples:
            message = content.normaliser.normalise(example)
            found = content.triggers.assess(message)
            if found.red_flag or found.active_cramp:
                wrong.append((entry.id, example))
    assert wrong == []


def test_every_cramp_now_example_starts_the_relief_sequence(brain: Brain, content):
    entry = next(e for e in content.knowledge.entries.values() if e.kind == "emergency")
    missed = [x for x in entry.examples if brain.classify(x).kind != "emergency"]
    assert missed == []


def red_team_set():
    import yaml

    path = Path(__file__).resolve().parents[1] / "data" / "red_flags.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["utterances"]


def test_red_team_set_every_red_flag_is_caught_at_the_right_level(brain: Brain):
    """tests/data/red_flags.yaml: phrasings written to break the rules (slang, typos, buried symptoms). Each
    is raised at its level for the criterion it names; breathlessness put down to exercise ("out of breath
    after my run") is asked about first, and the "yes" gives that level (tests/conversation/test_triage.py)."""
    items = [u for u in red_team_set() if u["kind"] == "urgent"]
    assert len(items) >= 150
    wrong, asked = [], []
    for u in items:
        reply = brain.classify(u["text"])
        found = brain.content.triggers.assess(brain.content.normaliser.normalise(u["text"]))
        flag = found.red_flag if reply.kind == "urgent" else found.unsure
        if reply.kind == "triage_question":
            asked.append(u["text"])
        if reply.kind not in ("urgent", "triage_question") or reply.intent != u["intent"] \
                or flag is None or flag.criterion.id != u["criterion"]:
            wrong.append((u["text"], u["intent"], u["criterion"], reply.kind, reply.intent))
    assert wrong == []
    assert asked == ["I was out of breath after my run and my calf cramped"]


def test_red_team_set_look_alikes_are_not_red_flags(brain: Brain):
    items = [u for u in red_team_set() if u["kind"] == "not_urgent"]
    assert len(items) >= 60
    alarms = [u["text"] for u in items if brain.classify(u["text"]).kind == "urgent"]
    assert alarms == []


def test_the_phrase_index_finds_what_trying_every_phrase_everywhere_finds():
    from bot.language.phrases import PhraseIndex, phrase_at

    phrases = [("a*", "pain"), ("c*",), ("sw*", "leg"), ("chest", "pain"), ("^", "numb*"), ("leg", "sw*")]
    index = PhraseIndex()
    for key, phrase in enumerate(phrases):
        index.add(key, phrase)
    for clause in [("awful", "pain", "in", "my", "chest"), ("chest", "pain"), ("numb", "leg", "swollen"),
                   ("my", "leg", "swells"), ("x",), ("swollen", "leg", "cold")]:
        found = {(key, start) for key, start, _ in index.matches(clause)}
        expected = {(key, start) for key, phrase in enumerate(phrases) for start in range(len(clause))
                    if phrase_at(clause, start, phrase)}
        assert found == expected, clause


MEDICINE_QUESTIONS = [  # from the 2026-12-03 review: each used to get the fallback, which names no one to ask
    "can i just skip my water pill for a few days to stop the cramps",
    "is it ok to halve my simvastatin dose",
    "my gp wants me on atorvastatin but I'm scared of cramps, should I refuse it",
    "i stopped my statin last week and the cramps have gone, can i stay off it?",
    "should I take gabapentin for leg cramps",
    "how much calcium should I take a day",
    "could crestor cause leg cramps? I started it last month",
]


@pytest.mark.parametrize("text", MEDICINE_QUESTIONS)
def test_a_medicine_question_is_answered_with_who_to_ask(brain: Brain, text):
    reply = brain.classify(text)
    assert reply.kind == "answer", (text, reply.kind)
    assert "doctor" in reply.text or "pharmacist" in reply.text


def test_leg_pain_on_walking_that_eases_with_rest_says_book_an_appointment(brain: Brain):
    reply = brain.classify("legs ache after walking about 100 yards then its fine once I rest")
    assert reply.intent == "walking_pain"
    assert "Book a doctor's appointment" in reply.text
    assert "don't use compression stockings or raise your legs" in reply.text, "never suggested for walking pain"


@pytest.mark.parametrize("text", ["cramp since 2330, still going",
                                  "cramp since 4:30am and it's now 4:35pm, still tight"])
def test_four_digit_24_hour_and_half_day_times_are_read(brain: Brain, text):
    """"since 2330" is a time (1900-2099 stay years); "4:30am" to "4:35pm" is twelve hours, not five minutes."""
    assert brain.classify(text).intent == "get_help_today", text


@pytest.mark.parametrize("text", ["cramp since 4.30 and it's now 4.35",
                                  "cramp since 2330 and its now 2336, still tight",
                                  "cramp since 16:30 and it's now 16:34, still tight",
                                  "since 11:55pm cramping, now its 12:03am", "calf cramping for 5 minutes"])
def test_a_start_time_minutes_ago_is_a_cramp_now_not_a_long_one(brain: Brain, text):
    assert brain.classify(text).kind == "emergency", text


def test_cramps_that_go_on_for_weeks_are_not_a_cramp_now(brain: Brain):
    assert brain.classify("my calves keep cramping for weeks").kind != "emergency"


def test_a_cramp_said_to_be_over_in_its_clause_is_not_read_as_happening_now(content):
    """The cramp-now rules only (the matcher can still pick the relief sequence: see docs/safety-rules.md)."""
    for text in ("my foot was cramping up and is fine now", "my toes curled up and it is better now"):
        assert content.triggers.assess(content.normaliser.normalise(text)).active_cramp is None, text


ACUTE_LIMB_ISCHAEMIA = [
    "my foot went cold and blue and is agony",
    "my foot went cold and white and i can't move it",
    "i suddenly can't move my leg",
    "my foot has suddenly gone cold and pale",
    "my toes turned blue",
    "can't move my leg at all since this morning",
    "my leg feels dead and cold",
    "my calf hurts like crazy even when I'm lying still, it's not a cramp",
    "can't find a pulse in my foot",
    "my leg suddenly went numb",
    "my foot has gone really white and it's freezing",
]


@pytest.mark.parametrize("text", ACUTE_LIMB_ISCHAEMIA)
def test_a_leg_that_suddenly_turns_cold_pale_or_blue_or_will_not_move_is_an_emergency(brain: Brain, text):
    """reference/safety.md level 1: the blood supply to the leg may be blocked, and hours matter."""
    reply = brain.classify(text)
    assert (reply.kind, reply.intent) == ("urgent", "call_emergency"), text
    assert "blood supply" in reply.text and "Hours matter" in reply.text


def test_cold_feet_a_bruise_or_a_foot_stuck_in_a_cramp_are_not_called_an_emergency(brain: Brain):
    """Level 1 needs two signs together, or a change of colour: one everyday word is at most a same-day check."""
    assert brain.classify("my feet are ice cold and my calf hurts").intent == "call_emergency"
    for text in ("my feet are always ice cold", "i have a bruise on my shin, it's blue",
                 "my feet are ice cold and my calves ache", "my calf cramps are agony when i am lying still",
                 "cramp in my foot and i can't move my toes", "I went pale from the calf cramp pain",
                 "my calf cramped and the air went blue", "my foot suddenly went numb after sitting cross legged"):
        assert brain.classify(text).intent != "call_emergency", text


@pytest.mark.parametrize("text", [
    "leg cramp and my face is drooping",
    "my leg suddenly went numb and weak and my speech is slurred",
    "my left arm and leg are weak and my calf cramps",
    "one side of my body went numb",
    "my mum's speech is slurred and her leg cramped",
    "my arm suddenly went weak",
    "i had a stroke years ago and now my face is drooping again",
    "my husband can't find his words and his mouth is hanging down on one side",
    "she keeps mixing up her words and her smile looks wonky",
    "my leg gave way, and now my arm on the same side feels useless",
])
def test_stroke_signs_say_call_emergency_services_now(brain: Brain, text):
    """NHS "act FAST": face, arms, speech. Any one of them is a reason to call now."""
    reply = brain.classify(text)
    assert (reply.kind, reply.intent) == ("urgent", "call_emergency"), text
    assert "stroke" in reply.text and "note the time" in reply.text


def test_a_stroke_named_in_a_question_or_an_arm_slept_on_is_not_a_stroke_alarm(brain: Brain):
    assert brain.classify("leg cramp and my face is drooping").intent == "call_emergency"
    for text in ("can a stroke cause leg cramps", "when cramps strike at night what do i do",
                 "my arm went numb after sleeping on it",
                 "my speech has been slurred since my stroke, and my calves cramp"):
        assert brain.classify(text).intent != "call_emergency", text


@pytest.mark.parametrize("text", ["what's the emergency number in australia",
                                  "i'm in new zealand, what number do i call",
                                  "whats the number for the doctor", "my number one question about foot cramps"])
def test_the_word_number_is_not_read_as_numb(brain: Brain, text):
    """Spelling correction used to turn "number" into "numbed", a red-flag word."""
    assert brain.classify(text).kind != "urgent", text


def test_a_list_of_signs_denied_after_commas_stays_one_clause(content, brain: Brain):
    """"no swelling, redness or heat": every item is denied; "not swollen, calf red" is two clauses."""
    assert content.normaliser.normalise("no swelling, redness or heat").clauses == (
        ("no", "swelling", "or", "redness", "or", "heat"),)
    assert len(content.normaliser.normalise("not swollen, calf red").clauses) == 2
    assert brain.classify("my left calf is not swollen, but it is red, hot and sore").kind == "urgent"


def test_a_real_word_becomes_only_a_grammar_form_of_another(content):
    """"cords" is read as "cord", but "cloth" is not a form of "clot": a cold cloth is no clot."""
    assert content.normaliser.normalise("my cords").tokens == ("my", "cord")
    assert content.normaliser.normalise("a cold cloth").tokens == ("a", "cold", "cloth")


def test_ordinary_words_are_not_spelling_corrected_into_red_flag_words(brain: Brain, content):
    """knowledge/language.yaml `protected`: these real words are one edit from a red-flag word
    ("tiredness" -> "redness", "father" -> "fatter", "mature" -> "manure", "shifting" -> "shitting")."""
    for word in ("number", "numbers", "tiredness", "father", "mature", "shifting", "splitting", "spitting", "spelling",
                 "suits", "warmed"):
        assert content.normaliser.normalise(f"my {word}").tokens == ("my", word), word
    for text in ("legs ache and general tiredness", "my father gets leg cramps", "mature adults and leg cramps",
                 "i was shifting my weight and my calf cramped", "my calf is splitting with pain"):
        assert brain.classify(text).kind != "urgent", text


@pytest.mark.parametrize("text", ["My cramp won't go away", "the cramp wont stop", "foot cramp, it keeps going",
                                  "cramp for 2 minutes and it's not easing", "it's not gone",
                                  "the cramp won't stop no matter what I do", "severe cramp that isn't going away"])
def test_a_cramp_that_will_not_go_away_with_no_time_given_starts_relief(chat: ChatClient, text):
    """reference/safety.md: "it won't go away" with no time given is not yet level 2: relief first."""
    chat.send(text)
    assert chat.last[0].kind == "emergency", text
    assert chat.state is not None and chat.state[0] == "relief" and chat.session.active.hold_waiting


def test_not_gone_mid_relief_keeps_the_sequence_going(chat: ChatClient):
    chat.send("/cramp")
    chat.clock.advance(20)
    chat.send("it's not gone")
    assert chat.last[0].kind == "emergency" and chat.state is not None and chat.state[0] == "relief"


def test_typing_that_it_wont_stop_ten_minutes_into_relief_escalates_to_same_day_care(chat: ChatClient):
    """"It won't stop" is no red flag on its own: the relief sequence's ten-minute rule gives the level of care."""
    chat.send("/cramp")
    chat.clock.advance(20)
    chat.send("it's not gone")
    assert chat.last[0].kind == "emergency", "under ten minutes: keep easing it"
    chat.clock.advance(600)
    chat.send("it's still not gone, it won't stop")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "get_help_today")
    assert chat.state is None


def test_cramping_that_will_not_stop_for_ten_minutes_or_days_or_despite_self_care_is_still_same_day(brain: Brain):
    for text in ("cramp not easing after stretching and massage for 15 mins", "cramp 4 20 mins and it wont ease!!!!",
                 "my legs wont stop cramping, one after another for the last hour",
                 "my calf cramp has not stopped for 3 days",
                 "worst cramp of my life, stretched and rubbed it and it won't stop"):
        assert brain.classify(text).intent == "get_help_today", text
    assert brain.classify("worst cramp of my life and it won't stop").kind == "emergency"


@pytest.mark.parametrize("text", ["hand cramp from playing guitar", "my forearm cramps when i grip the steering wheel",
                                  "hand cramp while typing", "my hand keeps cramping", "my biceps keep cramping"])
def test_a_hand_or_arm_cramp_on_its_own_is_not_a_red_flag(brain: Brain, text):
    """reference/safety.md level 3: common, an appointment only when it keeps coming back or comes with weakness."""
    assert brain.classify(text).kind != "urgent", text


def test_arm_cramps_with_the_legs_or_the_belly_or_in_both_arms_or_with_weakness_stay_same_day(brain: Brain):
    """Many muscles at once, the belly, or new weakness or numbness: still level 2."""
    assert brain.classify("my hand keeps cramping").kind != "urgent"
    for text in ("my arms and legs are cramping at the same time", "cramps in my stomach and legs",
                 "my hand keeps cramping and my grip is weak now", "my hand cramped and now two fingers are numb",
                 "cramps in both arms at night", "my abs cramped up really bad"):
        assert brain.classify(text).intent == "get_help_today", text


@pytest.mark.parametrize("text", ["i have diabetes and numb feet, can i use a heat pad",
                                  "my feet have been numb for years from neuropathy",
                                  "numbness in my toes comes and goes with the cramps",
                                  "pins and needles from my neuropathy and cramps",
                                  "my feet have been numb for ages from neuropathy, and i get cramps at night"])
def test_long_standing_numbness_is_not_a_same_day_red_flag(brain: Brain, text):
    """reference/safety.md: level 2 is NEW weakness or numbness; numbness that comes and goes is routine care."""
    assert brain.classify(text).kind != "urgent", text


def test_new_or_sudden_numbness_still_counts_with_diabetes_or_neuropathy(brain: Brain):
    for text in ("i've had numb feet for years but today it's much worse",
                 "i'm diabetic and my foot went numb this morning",
                 "i'm diabetic for years and now my foot is numb", "my foot went numb"):
        assert brain.classify(text).intent == "get_help_today", text
    for text in ("i'm diabetic and my leg suddenly went numb", "i'm diabetic and my foot is numb and cold"):
        assert brain.classify(text).intent == "call_emergency", text


@pytest.mark.parametrize("text", ["my left calf is swollen, red and warm to the touch", "it's gone red and hot now",
                                  "I'm pregnant and one calf is swollen", "could I have a DVT in my leg",
                                  "I had a clot in this leg before and it feels the same again"])
def test_a_possible_clot_says_what_a_dvt_is_and_not_to_rub_heat_or_stretch(brain: Brain, text):
    reply = brain.classify(text)
    assert reply.intent == "get_help_today", text
    assert "blood clot in a leg vein (DVT)" in reply.text or "earlier blood clot" in reply.text
    assert "Don't rub, heat or stretch the leg until it has been checked." in reply.text


def test_red_team_set_cramps_that_will_not_ease_with_no_long_time_start_relief(brain: Brain):
    """tests/data/red_flags.yaml, kind emergency: a cramp now ("won't stop", "one after another"), no time given."""
    items = [u for u in red_team_set() if u["kind"] == "emergency"]
    assert len(items) >= 60
    wrong = [u["text"] for u in items if brain.classify(u["text"]).kind != "emergency"]
    assert wrong == []


def test_calf_pain_for_days_after_a_flight_or_an_operation_is_checked_today(brain: Brain):
    """reference/safety.md level 2: calf pain that lasts for days after a long flight or an operation (possible DVT)."""
    for text in ("my calf has ached since i got off the plane on monday",
                 "my calf has hurt for days since my operation"):
        reply = brain.classify(text)
        assert reply.intent == "get_help_today", text
        assert "Don't rub, heat or stretch" in reply.text
    for text in ("how do i avoid calf pain on long flights", "i get calf cramps after long flights"):
        assert brain.classify(text).kind != "urgent", text


def test_bending_down_or_hours_at_a_desk_are_not_a_leg_that_cannot_move_or_a_long_cramp(brain: Brain):
    """"can't bend down" is the back or a bump, not the leg; "writing for 2 hours" is how long they wrote."""
    assert brain.classify("i'm pregnant and can't bend down to reach my foot, calf cramp right now").kind == "emergency"
    assert brain.classify("i had a calf cramp after writing for 2 hours at my desk").kind != "urgent"
    assert brain.classify("calf locked solid and wont release").kind == "emergency"


@pytest.mark.parametrize("text", ["on dialysis and my cramps have got much worse this week",
                                  "mum has kidney failure and these leg cramps are new, never had them before"])
def test_new_or_much_worse_cramps_on_dialysis_call_the_kidney_team_today(brain: Brain, text):
    reply = brain.classify(text)
    assert (reply.kind, reply.intent) == ("urgent", "get_help_today")
    assert "kidney team" in reply.text


@pytest.mark.parametrize("text", ["cramps after dialysis, same as always, what helps",
                                  "on dialysis, can i eat a banana for cramps"])
def test_usual_dialysis_cramps_are_answered_not_raised(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


def test_numbness_said_to_be_nothing_new_is_not_a_new_numbness(brain: Brain):
    assert brain.classify("feet numb for years from my neuropathy, nothing new, can i use a heat pad").kind != "urgent"
    assert brain.classify("feet numb for years but today the numbness is new in my hands").kind == "urgent"


def test_a_pain_in_the_neck_is_not_a_neck_cramp(brain: Brain):
    assert brain.classify("my hand cramps when i write, it's a pain in the neck").kind != "urgent"
    assert brain.classify("my neck and stomach keep cramping").intent == "get_help_today"


@pytest.mark.parametrize("text", [
    "my left hand keeps dropping things and my left leg feels weak, all since this afternoon",
    "had a cramp earlier, now his right arm is numb and his right foot drags a bit",
    "she speaks not clear since this morning and her leg hurts",
    "he sounds drunk but he hasn't touched a drop, and his calf cramped last night",
    "the right side of her face is down and she had leg cramps all night",
])
def test_one_side_weak_or_speech_that_sounds_drunk_is_a_possible_stroke(brain: Brain, text):
    assert brain.classify(text).intent == "call_emergency"


@pytest.mark.parametrize("text", ["was drunk last night and slurring, today my calf cramps",
                                  "slept on my left arm and it's numb, my left leg cramped too"])
def test_being_drunk_or_a_slept_on_arm_is_not_read_as_a_stroke(brain: Brain, text):
    assert brain.classify(text).intent != "call_emergency"


def test_a_cold_foot_turning_violet_or_toes_that_cannot_move_is_an_emergency(brain: Brain):
    assert brain.classify("grandad's foot is cold and going violet").intent == "call_emergency"
    assert brain.classify("her foot is freezing cold and she can't move her toes").intent == "call_emergency"


@pytest.mark.parametrize("text", [
    "hip replaced 2 weeks ago and my calf has been cramping and aching for days",
    "fractured my foot, in a boot for a month, and the calf above it has ached for 3 days",
])
def test_calf_cramping_for_days_after_an_operation_or_a_broken_leg_is_checked_today(brain: Brain, text):
    reply = brain.classify(text)
    assert reply.intent == "get_help_today" and "blood clot in a leg vein" in reply.text


@pytest.mark.parametrize("text", ["i just had a baby 5 days ago and my calf is really sore",
                                  "my calf has been cramping since my c-section",
                                  "stuck in bed for 2 weeks with a broken ankle and my other calf aches",
                                  "on the pill and my left calf feels warm and has been sore for two days"])
def test_calf_pain_after_a_birth_or_days_laid_up_or_a_warm_calf_is_checked_today(brain: Brain, text):
    assert brain.classify(text).intent == "get_help_today"


@pytest.mark.parametrize("text", ["i can't feel my foot and it is ice cold", "cannot feel my leg and it's freezing",
                                  "after my cramp my leg went numb and won't work"])
def test_a_leg_that_cannot_be_felt_and_is_cold_or_will_not_work_is_an_emergency(brain: Brain, text):
    assert brain.classify(text).intent == "call_emergency"


def test_a_leg_denied_in_the_message_is_not_counted_and_a_heat_pack_explains_warmth(brain: Brain):
    assert brain.classify("not my legs this time, my forearms cramp when i climb").kind != "urgent"
    assert brain.classify("put a heat pack on my calf after the cramp and now it feels warm").kind != "urgent"


@pytest.mark.parametrize("text", ["i want to kill myself", "these cramps make me want to end it all",
                                  "i've taken an overdose of my tablets"])
def test_thoughts_of_suicide_or_an_overdose_say_call_emergency_services(brain: Brain, text):
    reply = brain.classify(text)
    assert reply.intent == "call_emergency" and "You don't have to go through this alone" in reply.text


def test_asking_about_a_safe_amount_is_not_an_overdose(brain: Brain):
    assert brain.classify("how many magnesium tablets is too many").kind != "urgent"


def test_numbness_from_diabetes_most_of_the_time_is_not_same_day(brain: Brain):
    assert brain.classify("my feet tingle and feel numb most of the time because of my sugar").kind != "urgent"


@pytest.mark.parametrize("text", ["foot is icy cold and white even with 2 pairs of socks on and i cant feel my toes",
                                  "he has thick socks on yet his foot is marble white and cold"])
def test_socks_do_not_explain_a_leg_that_is_both_cold_and_white_or_numb(brain: Brain, text):
    assert brain.classify(text).intent == "call_emergency"


def test_socks_or_nail_varnish_still_explain_a_colour_on_its_own(brain: Brain):
    assert brain.classify("my grey socks make my feet look grey").kind != "urgent"
    assert brain.classify("my toenails are blue from nail varnish").kind != "urgent"


@pytest.mark.parametrize("text", ["calf cramp and now my words won't come out right",
                                  "can't raise his arm and his leg is dragging",
                                  "she can't lift her arm and she's mumbling",
                                  "his mouth looks twisted and his leg gave way"])
def test_more_ways_of_telling_a_stroke_say_call_emergency_services(brain: Brain, text):
    assert brain.classify(text).intent == "call_emergency"


def test_mumbling_or_a_sore_arm_after_the_gym_alone_is_not_a_stroke(brain: Brain):
    assert brain.classify("he was mumbling in his sleep and his calf cramped").kind != "urgent"
    assert brain.classify("arm is weak after the gym and my leg feels weak too from leg day").intent != "call_emergency"


@pytest.mark.parametrize("text", ["calf swollen since the flight and i feel like i might pass out",
                                  "calf sore since my flight and a stabbing pain in my side when i breathe in",
                                  "no chest pain but my calf is swollen and i'm a bit puffed"])
def test_faintness_or_breathing_trouble_with_a_clot_sign_say_call_emergency_services(brain: Brain, text):
    assert brain.classify(text).intent == "call_emergency"


@pytest.mark.parametrize("text", ["had a hysterectomy last week and my calf is sore, can i use a heat pad",
                                  "gave birth on monday, my calf is really achy, can i massage it"])
def test_calf_pain_in_the_weeks_after_an_operation_or_a_birth_is_checked_today(brain: Brain, text):
    reply = brain.classify(text)
    assert reply.intent == "get_help_today" and "Don't rub, heat or stretch" in reply.text


def test_an_operation_or_a_birth_years_ago_is_not_a_clot_warning(brain: Brain):
    assert brain.classify("i had a c-section 3 years ago and get calf cramps").kind != "urgent"


@pytest.mark.parametrize("text", ["just want to go to sleep and not wake up", "i took all my sleeping tablets",
                                  "my son drank some antifreeze"])
def test_more_ways_of_telling_suicidal_thoughts_or_a_poisoning_say_call_now(brain: Brain, text):
    assert brain.classify(text).intent == "call_emergency"


def test_not_waking_up_with_a_cramp_is_not_a_suicidal_thought(brain: Brain):
    assert brain.classify("what can i stretch before bed so i dont wake up with a charley horse").kind != "urgent"


@pytest.mark.parametrize("text", ["her words are coming out muddled and her leg is weak",
                                  "my husband is struggling to speak and his leg gave way",
                                  "she is struggling to talk"])
def test_muddled_words_or_struggling_to_speak_say_call_emergency_services(brain: Brain, text):
    assert brain.classify(text).intent == "call_emergency"


def test_struggling_to_speak_to_someone_is_not_a_stroke(brain: Brain):
    assert brain.classify("i was struggling to speak to my doctor about my cramps, he never listens").kind != "urgent"


@pytest.mark.parametrize("text", ["I've never felt chest pain this bad", "never had my leg swell up this bad before"])
def test_never_this_bad_is_not_a_negation(brain: Brain, text):
    assert brain.classify(text).kind == "urgent"


@pytest.mark.parametrize("text", [
    "had my colonoscopy this morning and now I've got stomach cramps and bloating, how long will this last?",
    "why does my stomach cramp after i eat",
])
def test_a_digestive_upset_is_not_cramps_beyond_the_legs(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


@pytest.mark.parametrize("text", [
    "my calves cramp in the last 15 minutes of nearly every football game, why?",
    "type 2 diabetic, my feet feel like walking on marbles and they cramp at night",
])
def test_a_time_window_of_a_game_or_walking_on_marbles_raise_nothing(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


@pytest.mark.parametrize("text", [
    "type 2 diabetic here, my feet tingle and are a bit numb these days, and my calves cramp at night",
    ("at my diabetes check the doctor found I couldn't feel the vibration. I had no clue my feet had gone numb! "
     "Will I get cramps now?"),
    "my toe goes numb when I walk any distance, why is that?",
])
def test_numbness_of_some_time_or_that_comes_and_goes_is_not_raised_for_today(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


def test_new_numbness_with_a_cramp_is_still_checked_today(brain: Brain):
    assert brain.classify("since this morning's cramp my foot has gone numb and weak").intent == "get_help_today"


@pytest.mark.parametrize("text", [
    "the aid stations were handing out whole bottles of water, could drinking too much have caused my cramps?",
    "my calf cramped so badly I dropped to the floor clutching my foot, how do I stop it mid class?",
])
def test_water_bottles_at_a_race_and_going_down_with_a_cramp_are_not_emergencies(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


def test_a_jaw_that_locks_with_cramps_is_checked_today_for_tetanus(brain: Brain):
    text = ("Driving home from the shops my jaw locked and I couldn't move it. Half a mile later my right leg "
            "cramped from the toes up and stayed like that for ages. It's eased now. What is going on?")
    assert brain.classify(text).intent == "get_help_today"
    assert brain.classify("my jaw clicks and locked when I yawned this morning, why?").kind != "urgent"


@pytest.mark.parametrize("text", [
    "my toes cramp in aqua fit when I float on the pool noodles, what can I do during the class?",
    "I'm on Lasix for swollen ankles and I get leg cramps. Should I eat more bananas?",
    "every morning my first step feels like stepping on broken glass under my heel, is it a foot cramp?",
    "since my last flare my left leg has some numbness and my calves cramp at night, what helps?",
])
def test_likenesses_and_known_conditions_told_in_passing_raise_nothing(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


@pytest.mark.parametrize("text", [
    "I slept nearly 10 hours after the race and my calves cramped in the night, why?",
    "whenever I ride hard for more than 3-4 hours my quads start to cramp, what can I do?",
    "on dialysis my legs cramped at 3.5 hours into my 4.5 hour session, how do I stop it?",
    "my husband wakes with a calf cramp and then he can't get back to sleep for ages, what helps?",
    "at mile 18 my legs cramped, I stopped after 3 hours 20 with 3 hours still on the clock",
])
def test_a_time_that_belongs_to_sleep_a_ride_or_a_race_is_not_a_cramp_that_lasts(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


@pytest.mark.parametrize("text", [
    "I rode for an hour and now my calf has been cramping for 20 minutes",
    "my calf cramp has lasted 3.5 hours",
    "I slept badly, this calf cramp has been going for 20 minutes now",
])
def test_a_cramp_that_lasts_is_still_checked_today_next_to_other_times(brain: Brain, text):
    assert brain.classify(text).intent == "get_help_today"


@pytest.mark.parametrize("text", [
    "got stomach cramps and the runs since last night, could it be something I ate?",
    "had a takeaway and now I've got stomach cramps and diarrhoea, is it food poisoning?",
])
def test_a_stomach_upset_is_not_a_leg_cramp_red_flag(brain: Brain, text):
    assert brain.classify(text).kind == "fallback"


@pytest.mark.parametrize("text", [
    "stomach cramps and diarrhoea for three days and now my legs keep cramping",
    "I've had diarrhoea since Monday and my calves cramp",
])
def test_leg_cramps_with_a_stomach_upset_are_still_checked_today(brain: Brain, text):
    assert brain.classify(text).intent == "get_help_today"


@pytest.mark.parametrize("text", [
    "calf cramp so bad I can't move my toes, every night this pregnancy, what can I do?",
    "my calf locks so hard I can't move my foot and my whole body freezes, mid swim. why?",
])
def test_a_cramp_that_stops_the_foot_moving_is_the_cramp(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


def test_a_leg_that_cannot_move_after_a_cramp_is_still_an_emergency(brain: Brain):
    assert brain.classify("the cramp has gone but I can't move my foot").intent == "call_emergency"


def test_swelling_said_of_both_legs_is_asked_about_even_with_a_calf_named_elsewhere(brain: Brain):
    reply = brain.classify("now both ankles are puffy by the evening and I'm getting calf cramps at night")
    assert reply.kind == "triage_question"
    assert brain.classify("my calf is swollen and both feet cramp at night").kind == "urgent"


@pytest.mark.parametrize("text", [
    "type 2 here, my feet tingle like pins and needles at night, is that the same as cramps?",
    "I'm hardly new to running but my toes cramp on long runs, why?",
    "I read magnesium can give you floppy newborns, is it safe for my pregnancy leg cramps?",
    "which magnesium is best for leg cramps without giving me the runs?",
])
def test_diabetic_tingling_and_words_in_passing_are_not_raised_for_today(brain: Brain, text):
    assert brain.classify(text).kind != "urgent"


def test_calf_pain_after_flights_that_grows_through_the_day_is_checked_today(brain: Brain):
    text = ("back from three weeks away, 9 flights. my right calf is hard and hurting more as the day goes on, "
            "no redness. is it just a cramp?")
    assert brain.classify(text).intent == "get_help_today"


def test_calves_with_back_and_shoulder_muscles_cramping_too_are_many_muscles(brain: Brain):
    text = "at swim practice both calves went into spasm and my back and shoulder muscles were cramping too. why?"
    assert brain.classify(text).intent == "get_help_today"


@pytest.mark.parametrize("text", [
    "30 weeks. my right calf looks a bit puffier than the left today and feels kind of warm, is that the cramp?",
    "after last night's cramp my left calf feels a bit warm and looks more swollen than the other",
])
def test_a_swollen_or_warm_calf_told_softly_is_still_checked_today(brain: Brain, text):
    assert brain.classify(text).intent == "get_help_today"


def test_numbness_a_known_neuropathy_explains_is_routine_but_new_numbness_is_not(brain: Brain):
    known = ("I've got peripheral neuropathy, my feet burn and I can't feel much on the soles. Now I also get "
             "cramps in my calves in bed. Would a heat pad help?")
    assert brain.classify(known).kind != "urgent"
    assert brain.classify("I have neuropathy and since this morning my left foot is numb and weak").intent \
        == "get_help_today"
    assert brain.classify("I have neuropathy and today my legs gave way").intent == "get_help_today"


@pytest.mark.parametrize("text", [
    "my toes cramp up in bed and go all twisted, happening a few nights a week and I'm shattered. any tips?",
])
def test_cramps_told_as_a_few_nights_a_week_are_not_a_cramp_now(brain: Brain, text):
    assert brain.classify(text).kind == "answer"


@pytest.mark.parametrize("text", [
    "after a heavy leg day (squats and lunges) my legs cramp in bed hours later, should I be worried?",
    "a site says take magnesium at night and lower it if you get the runs. my calves cramp most nights. ok to try?",
])
def test_exercise_names_and_a_side_effect_read_about_raise_nothing(brain: Brain, text):
    assert brain.classify(text).kind == "answer"
