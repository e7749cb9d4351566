"""Safety triage from the user's side: symptoms that are over do not raise alarms, a yes/no question when the
message cannot tell whether it is happening now, the conversation's cramp escalating after a long time,
every "why" quoting what the person said, and level 3 said under the answer."""

from __future__ import annotations

import pytest

from bot.core.session import Session

ASKED = "I was out of breath after my run and my calf cramped"


@pytest.mark.parametrize("said", [
    "I had chest pain years ago, it turned out to be reflux. Now my calves cramp at night, why?",
    "was breathless after my run but fine now, then my calf cramped. normal?",
    "out of breath at the top of the mountain like everyone, and my calf cramped on the way down",
    "my leg was swollen last year after a fall, all cleared up. What stretches stop night cramps?",
    "In 2021 I had covid and was breathless for weeks. Do cramps have anything to do with that?",
])
def test_a_symptom_that_is_long_over_or_explained_raises_no_alarm(chat, said):
    chat.send(said)
    assert chat.last[0].kind not in ("urgent", "triage_question")


@pytest.mark.parametrize("said", [
    "I had a DVT two years ago and now my calf is swollen and red again",
    "had chest pain years ago, turned out to be nothing, but now my chest hurts and my calf is swollen",
    "half an hour ago my face went numb on one side and my words came out jumbled, seems fine now",
])
def test_a_symptom_that_is_back_or_a_stroke_sign_that_passed_still_raises_the_alarm(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "urgent"


def test_breathless_after_exercise_is_asked_about_and_yes_gives_the_emergency_at_once(chat):
    chat.send(ASKED)
    reply = chat.last[0]
    assert reply.kind == "triage_question" and reply.text.startswith("Right now, are you short of breath")
    assert "call emergency services now: 112" in reply.text  # nobody waits on the bot
    assert chat.buttons == ["Yes, right now", "No"]
    chat.press("Yes, right now")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "call_emergency")
    assert "you said “out of breath”" in chat.text


def test_no_to_the_question_answers_what_was_asked(chat):
    chat.send(ASKED)
    chat.press_action("menu:triage_no")  # the "No" button ("No" is also in "Yes, right now")
    reply = chat.last[0]
    assert reply.kind in ("answer", "fallback") and "I can help with cramps" in reply.text


def test_a_past_chest_pain_with_a_swollen_calf_now_asks_first_and_no_gives_same_day_care(chat):
    chat.send("chest pain yesterday, my calf is swollen")
    assert (chat.last[0].kind, chat.last[0].intent) == ("triage_question", "call_emergency")
    chat.send("no")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "get_help_today")
    assert "you said “calf” and “swollen”" in chat.text


def test_a_typed_no_with_more_words_is_a_no(chat):
    chat.send(ASKED)
    chat.send("no, that was earlier")
    assert chat.last[0].kind not in ("urgent", "triage_question")


def test_no_answer_to_the_question_keeps_the_safer_reading(chat):
    chat.send(ASKED)
    chat.send("what stretches help?")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "call_emergency")


def test_the_question_waits_half_an_hour_and_survives_a_restart(chat):
    chat.send(ASKED)
    saved = Session.from_dict(chat.session.to_dict())
    assert saved.triage is not None and saved.triage.yes
    chat.clock.advance(31 * 60)
    chat.send("yes")
    assert chat.last[0].kind != "urgent"


def test_an_old_button_of_the_question_is_stale(chat):
    chat.send(ASKED)
    chat.press_action("menu:triage_no")
    chat.press_action("menu:triage_yes")
    assert chat.last[0].kind != "urgent"


def test_swelling_of_both_legs_asks_whether_it_is_one_and_no_answers_the_question(chat):
    chat.send("both my ankles are swollen and my calves cramp at night. why?")
    reply = chat.last[0]
    assert reply.kind == "triage_question" and reply.text.startswith("Is it only one leg")
    assert "call emergency services now: 112" in reply.text
    chat.press_action("menu:triage_no")
    assert chat.last[0].kind == "answer"


def test_swelling_that_comes_by_evening_and_goes_overnight_is_a_routine_appointment(chat):
    chat.send("both my ankles are swollen by the evening and back to normal by morning, and my calves cramp")
    assert chat.last[0].kind == "answer" and "📅" in chat.text


def test_yes_one_leg_gives_same_day_care(chat):
    chat.send("my legs are swollen and red")
    chat.send("yes")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "get_help_today")
    assert "you said “legs” and “swollen”" in chat.text


def test_one_leg_named_is_not_asked_about(chat):
    chat.send("my left calf is swollen")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "get_help_today")


def test_a_cramp_being_relieved_that_has_been_going_an_hour_gets_same_day_care(chat):
    chat.send("/cramp")
    chat.send("it's been going for an hour")
    reply = chat.last[0]
    assert (reply.kind, reply.intent) == ("urgent", "get_help_today")
    assert "you said “been going for an hour”" in reply.text


def test_the_same_words_outside_a_cramp_are_not_that_cramp(chat):
    chat.send("how long should I stretch my calves for? I did it for an hour yesterday")
    assert chat.last[0].kind != "urgent"


def test_the_why_names_only_what_the_person_said(chat):
    chat.send("my ribs are sore")
    text = chat.text
    assert "you said “ribs” and “sore”" in text and "together with leg symptoms" not in text
    chat.send("my left calf is swollen and red")
    assert "you said “calf” and “swollen”" in chat.text


def test_the_level_of_care_names_the_conditions_and_medicines_told_and_no_joining_words(chat):
    chat.send("I have an underactive thyroid and take levothyroxine. "
              "Cramps in my neck and my thigh and my hands, all at once")
    text = chat.text
    assert chat.last[0].kind == "urgent"
    assert "tell them about “underactive thyroid” and “levothyroxine”" in text
    assert "Don't stop or change a prescribed medicine on your own" in text
    assert "“and”" not in text


def test_the_level_of_care_without_conditions_or_medicines_has_no_such_line(chat):
    chat.send("my left calf is swollen and red")
    assert chat.last[0].kind == "urgent" and "tell them about" not in chat.text


def test_faints_counted_in_the_past_are_asked_about_not_raised(chat):
    chat.send("My calf cramps at night are so painful that twice I have fainted. I'm 69. What can I do?")
    assert chat.last[0].kind == "triage_question" and "call emergency services now" in chat.text


def test_breathing_hard_in_a_story_told_in_the_past_is_asked_about_not_raised(chat):
    # a story told on in the past tense keeps its time across sentences
    chat.send("Monday was hard. I was panting away on the run. Today my arches cramped, why?")
    assert chat.last[0].kind == "triage_question"


@pytest.mark.parametrize("said", [
    # "conscious" is a real word, never guessed to be "unconscious"
    "I'm really health conscious and drink loads of water but my feet still cramp. Why?",
    # a scan that found no clot settles the clot
    ("I was terrified it was a blood clot so we went to the ER. They did an ultrasound, no clot. "
     "It still feels like a charley horse, can it be my back?"),
    # a hypothetical long cramp is not one
    "My thighs cramped near the end of the hike. If I'd had hours left I'd have been in trouble. What helps?",
    # legs that give out a mile into every run, and recover, come and go: a routine appointment, not today
    "Every time I run, about a mile in my arches cramp and my legs just give out. I walk and then run again. Why?",
    # the physio's fingers are not a hand cramping
    "There's a knot deep in my calf that spasms. My physio would dig his fingers in to find it. Should I use a roller?",
    # a tent that collapsed is not a person
    ("Worst calf cramp ever at 3am in my sleeping bag. I stuck my legs in the air and half collapsed the tent. "
     "How do you deal with a cramp in a sleeping bag?"),
    # a chest infection is not chest pain
    "She has a chest infection and painful cramps in her calves at night, what helps?",
    # how long something went on, told in a past story, is not a cramp still going
    ("Hard group ride over the hills, 45 min in a huge calf cramp, I had to abandon and my calves felt tight "
     "for hours. Does pickle juice work?"),
    # 1500m is a distance, not 1500 minutes
    "Erg test today. Felt fine for the first 1500m then in the home stretch both arches seized up. Why?",
    # hands that hold the foot, or a likeness, are not hands cramping
    ("The cramp in my arch grabbed me again. Finally I took my foot in my hands and kneaded it from ball to "
     "heel. Why does this happen?"),
    "I wake up hobbling, a foot cramp I think, like waking up with your hands all scrunched. Good sign?",
    # a calf muscle's name and a diet's are not fluid loss or a pale leg
    "A calf cramp woke me (gastrocnemius and soleus, thanks PT school). Should I stretch more?",
    "Diet is basically all Paleo and I lift most days. Some nights my calves cramp. What would cause that?",
    # an idiom, and walking held back by soreness rather than weakness
    "Two weeks later my calf tightened in the same spot and it was the same thing all over again. Is that a cramp?",
    "First cramp during a race today. Now I'm home and can barely walk, the calf is so sore. How long till I run?",
    # "my body" in one sentence, a cramp in the next: not cramps all over the body
    "Stressful few weeks and I think my body is feeling it. Yesterday my hamstring cramped on the stairs, why?",
    # a clot read about in a leaflet; numbness from sitting in lotus, or that a doctor has explained
    ("My pill's leaflet says calf pain can be a sign of a blood clot, so every ache after the gym worries me. "
     "How do I know when it's serious?"),
    "Sitting in half lotus for meditation makes my right leg go numb and tingly. Is my cushion wrong?",
    "My dad has diabetes and now his feet have gone numb, the doctor says it's nerve damage. What should he do?",
    # the weather is not a cold leg; a day on the couch is not a cramp lasting all day
    "Went for a run this morning and it's freezing out. Now my calf cramps every time I stand, why?",
    "Snow day so I've been on the couch all day. Just got up and my hamstring cramped, why does that happen?",
    # twitching for hours is not a cramp that will not ease
    "On a long hike my calves have been twitching since lunch. Is that low salt? What should I do?",
    # a list of signs denied after commas: the negation reaches every item
    "My left calf aches after the gym, no swelling, redness or heat. Is it just tight?",
    # a cloth is not a clot
    "On dialysis today I asked for a cold cloth, then my calves cramped. How do I stop this happening?",
])
def test_words_that_only_look_like_an_emergency_raise_nothing(chat, said):
    chat.send(said)
    assert chat.last[0].kind not in ("urgent", "triage_question")


@pytest.mark.parametrize("said", [
    # "this morning" and "an hour ago" are told as now, whatever the story before them
    "My husband had a bypass years ago. He was fine at tea time, then an hour ago his foot turned pale and cold",
    "I came out of hospital last week. This morning I was so breathless on the stairs I had to sit down",
    "My mum had a stroke in 2012, in a nursing home now. Her legs cramp all over and this evening she is not speaking",
])
def test_a_sign_told_as_today_after_an_old_story_still_calls_for_help(chat, said):
    chat.send(said)
    assert chat.last[0].kind in ("urgent", "triage_question")
    assert chat.last[0].intent == "call_emergency"


@pytest.mark.parametrize("said", [
    "calf cramp started at 2:10, its now 2:35 and still going",
    "had a cramp in my arch for the last 25 minutes",
    "my calf has been cramping for 15m",
    "my calf cramped for 20 minutes and won't let go",
    "lying in bed for 20 minutes with my calf cramping",
    "on the couch for 20 minutes with my calf cramping",
])
def test_a_cramp_still_going_after_ten_minutes_gets_same_day_care(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "urgent" and chat.last[0].intent == "get_help_today"


@pytest.mark.parametrize("said", [
    "my calves cramp and then my hands joined in",
    "cramp in my foot and my forearm",
    "Gettin cramps in ma belly an ma legs an ma hauns aw at the same time",
    "had gastroenteritis all week and now both calves are cramping",
    "Everything is cramping, calves, feet, fingers",
    # a leg that gave way stays weakness, even said with "can't stand up straight"
    "my leg gave way and now I can't stand up straight",
    # "could lead" before a noun is the metal, not "could lead to"
    "I sand old painted woodwork all day and my legs cramp at night. Could lead from the paint be causing it?",
])
def test_cramps_in_many_muscles_or_after_fluid_loss_get_same_day_care(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "urgent" and chat.last[0].intent == "get_help_today"


def test_two_situations_at_the_same_level_are_both_named(chat):
    chat.send("been throwing up for hours and now everything cramps at once, toes, calves, even my fingers")
    assert chat.last[0].kind == "urgent"
    assert "many muscles at once" in chat.text and "losing a lot of fluid" in chat.text


@pytest.mark.parametrize(("said", "why"), [
    ("I get calf cramps every night, what can I do?", "most nights"),
    ("my calf hurts when I walk and goes away when I stop to rest", "arteries"),
    ("I'm diabetic and get foot cramps at night, why?", "routine doctor's appointment"),
    ("had a bad cramp and my calf is still sore for 3 days, is that normal?", "more than a day or two"),
])
def test_a_reason_for_a_routine_appointment_answers_and_says_to_book_one(chat, said, why):
    chat.send(said)
    reply = chat.last[0]
    assert reply.kind == "answer"
    assert ("📅 You said" in reply.text and why in reply.text) or "appointment" in reply.text.lower()
    assert reply.text.index("appointment") > 40  # the answer comes first


def test_the_routine_line_replaces_a_general_tip_to_book_an_appointment(chat):
    chat.send("I never used to get cramp but this last week I've had it all the time, at night and sitting down")
    text = chat.text
    assert "📅 You said" in text
    assert not any(b.startswith("💡") and "appointment" in b for b in text.split("\n\n"))


STATIN_AND_DIABETES = ("Last night my calf cramped so badly I cried. I have type 2 diabetes and take metformin and a "
                       "statin, and I'm on my feet all day at work. It took ages to settle and the calf is still a bit "
                       "sore today. Why does this keep happening to me, and what can I do to stop it?")


def test_what_the_routine_line_says_of_a_medicine_is_said_once_and_the_diary_offer_stays_a_button(chat):
    chat.send(STATIN_AND_DIABETES)
    text = chat.text
    assert "📅 You said “cramped” and “statins”" in text
    assert "Because you said “statins”" not in text  # the line says to talk to the prescriber
    assert "Because you said “metformin”" in text  # a medicine the line does not name keeps its tip
    assert "note that cramp in your diary" not in text and "📝 Log a cramp" in chat.buttons


def test_the_foot_care_caveat_is_said_once(chat):
    chat.send(STATIN_AND_DIABETES)
    assert chat.text.count("Check your feet every day") + chat.text.count("check them every day") == 1


def test_the_routine_line_is_not_added_to_the_relief_steps(chat):
    chat.send("my calf is cramping right now, I'm diabetic")
    assert chat.last[0].kind == "emergency" and "📅" not in chat.text


def test_an_aching_leg_weeks_after_a_hip_operation_gets_same_day_care(chat):
    chat.send("27 days since my hip op and my whole leg aches and spasms all day. Anyone got tips?")
    assert chat.last[0].intent == "get_help_today"


def test_legs_newly_harder_to_move_get_same_day_care(chat):
    chat.send("My resident's leg pain is worse today and it's now harder for her to move her legs. What should I do?")
    assert chat.last[0].intent == "get_help_today"


def test_same_day_care_also_answers_what_was_asked_after_the_level_of_care(chat):
    chat.send("Dad's on dialysis and his leg cramps are getting much worse. He thinks he should drink more "
              "water to stop them. Is he right?")
    text = chat.text
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "get_help_today")
    assert text.index("get medical help today") < text.index("Meanwhile, about what you asked:")
    assert "Keep to the limit your care team gave you" in text  # the answer written for fluid limits
    assert "Sip water" not in text
    assert "routine doctor's appointment" not in text  # the family line would contradict "today"


@pytest.mark.parametrize("said", [
    "Long flight last week and sat for hours. Now a painful knot in my calf that won't go away. Can I massage it out?",
    ("Sprained my ankle 10 days ago, then a flight sat on the runway for hours. Now a painful knot in my calf that "
     "won't go away. Can I massage it out?"),
])
def test_beside_a_possible_clot_no_massage_is_described_only_why_it_must_wait(chat, said):
    chat.send(said)
    text = chat.text
    assert chat.last[0].kind == "urgent"
    assert "rub, heat or stretch" in text.lower()
    assert "Press on it with your thumb" not in text and "Stretch:" not in text


def test_the_answer_under_same_day_care_fits_in_what_the_level_leaves_and_says_seeing_someone_once(chat):
    chat.send("About a month ago I started getting serious cramps in my feet, legs and hands. I take statins and "
              "a steroid. Could my medicines be doing this?")
    text = chat.text
    assert chat.last[0].kind == "urgent" and "Meanwhile, about what you asked:" in text
    assert "Some medicines can cause cramps" in text
    assert "Because you said" not in text  # "tell them about “statins” and “steroid”" says it once
    assert len(text) <= 1400


def test_the_most_urgent_level_says_nothing_but_the_emergency(chat):
    chat.send("my calf is swollen and now I'm short of breath, what stretches help?")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "call_emergency")
    assert "Meanwhile" not in chat.text and "stretch" not in chat.text.lower()


def test_a_same_day_flag_with_no_question_asked_adds_no_answer(chat):
    chat.send("my foot went numb yesterday and it's still numb and weak today")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "get_help_today")
    assert "Meanwhile" not in chat.text


def test_a_cramp_now_under_same_day_care_gets_how_to_ease_it_and_one_tap_relief(chat):
    chat.send("on dialysis right now, cramp started in my left foot and it's creeping up into my calf, "
              "rubbing it isn't helping, getting worse")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "get_help_today")
    assert "ease the cramp: gently pull your toes up" in chat.text
    chat.press("🆘 Start step-by-step relief")
    assert chat.last[0].kind == "emergency" and "Step 1 of" in chat.text


def test_a_cramp_now_with_a_possible_clot_gets_no_self_care(chat):
    chat.send("my left calf is swollen and red and it's cramping right now")
    assert chat.last[0].kind == "urgent"
    assert "ease the cramp" not in chat.text and "Start step-by-step relief" not in chat.buttons


def test_a_very_long_message_with_a_same_day_flag_gets_the_level_of_care_without_a_long_answer(chat):
    story = "Some background on my dad's health over the years. " * 45
    chat.send(f"{story} He's on dialysis and his cramps are getting much worse. Should he drink more water?")
    assert (chat.last[0].kind, chat.last[0].intent) == ("urgent", "get_help_today")
    assert "Meanwhile" not in chat.text
