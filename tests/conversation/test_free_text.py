"""Free text read into a case: long stories answered part by part, context lines, no relief timer for a
history, a relief offer for a cry of pain, a question back when unsure, follow-ups, other languages."""

from __future__ import annotations

import pytest

from bot.core.session import Session

RUNNER = ("When I run marathons I always cramp up badly by about mile 20. I train well and drink on the way. "
          "Why does it happen, and how can I stop it happening next time?")


def test_a_long_story_with_two_questions_gets_an_answer_and_a_line_for_runners_not_the_timer(chat):
    chat.send(RUNNER)
    reply = chat.last[0]
    assert reply.kind == "answer" and "Step 1 of" not in reply.text and reply.timer is None
    assert "Tired, overworked muscles" in reply.text and "For running" in reply.text


def test_two_questions_on_two_topics_get_two_headed_parts_in_the_order_asked(chat):
    chat.send("My feet cramp in bed most nights. Is it serious? And what foods help?")
    text = chat.text
    assert "▸ Is it serious?" in text and "▸ Food and drink" in text
    assert text.index("Is it serious?") < text.index("Food and drink")


def test_a_medicine_named_in_the_story_brings_the_check_up_plans_own_doctor_tip(chat):
    chat.send("I'm 68 and I take atorvastatin. For months my calves cramp at night. Could it be the tablets?")
    text = chat.text
    assert "Because you said “atorvastatin”" in text and "keep taking the medicine" in text


def test_a_story_of_a_past_cramp_never_starts_the_timer_and_offers_the_diary(chat):
    chat.send("Woke up last night with a terrible cramp in my left calf, it took ages to go. What causes that?")
    reply = chat.last[0]
    assert reply.kind == "answer" and reply.timer is None
    assert "📝 Log a cramp" in chat.buttons


def test_a_cry_of_pain_offers_relief_in_one_tap_with_the_red_flag_check(chat):
    chat.send("help my leg")
    assert "tap 🆘" in chat.text and "call emergency services" in chat.text
    chat.press("Start step-by-step relief")
    assert "Step 1 of 5" in chat.text


def test_yes_to_the_relief_offer_starts_relief(chat):
    chat.send("it hurts")
    chat.send("yes")
    assert chat.last[0].kind == "emergency" and "Step 1 of 5" in chat.text


def test_about_cramps_but_unsure_asks_back_with_buttons(chat):
    chat.send("legs again")
    assert chat.last[0].intent == "clarify"
    assert chat.buttons == ["🆘 It's happening now", "❓ Why they happen", "🛡️ Stop them coming back",
                            "🩺 Is it serious?"]
    chat.press("Why they happen")
    assert chat.last[0].intent == "causes_overview"


def test_really_off_topic_is_declined_with_where_to_go(chat):
    chat.send("how do i get rid of a bunion")
    assert chat.last[0].kind == "fallback" and "podiatrist" in chat.text


def test_a_follow_up_keeps_the_topic_and_changes_the_person(chat):
    chat.send("Why do my calves cramp at night when I've been cycling?")
    chat.send("and for my husband?")
    reply = chat.last[0]
    assert reply.kind == "answer" and "The same advice holds for them" in reply.text


def test_the_context_survives_a_restart(chat):
    chat.send("Why do my calves cramp at night when I've been cycling?")
    saved = chat.session.to_dict()
    assert Session.from_dict(saved).recent == chat.session.recent
    assert chat.session.recent is not None and chat.session.recent.topics == ("cause",)


def test_another_language_gets_a_short_reply_and_the_relief_button(chat):
    chat.send("ayuda, tengo un calambre en el pie")
    assert "solo respondo en inglés" in chat.text and "only answer in English" in chat.text
    assert chat.buttons == ["🆘 Start step-by-step relief"]


def test_numb_feet_and_a_hot_water_bottle_get_the_burn_warning(chat):
    chat.send("My dad has diabetes and can't feel his feet very well. He puts a hot water bottle on his feet for "
              "his night cramps. Is that ok?")
    assert "burn" in chat.text and chat.last[0].kind == "answer"


def test_an_entry_for_children_never_answers_about_an_adult(chat):
    chat.send("My husband gets cramps in his calves at night and it wakes us both. What can he do?")
    assert "children" not in chat.text.lower() and "The same advice holds for them" in chat.text


def test_a_general_cramp_word_is_asked_about_and_one_tap_starts_relief(chat):
    chat.send("cramps?")
    assert chat.last[0].intent == "clarify"
    chat.press("It's happening now")
    assert "Step 1 of 5" in chat.text


def test_it_is_the_cramp_talked_about_and_a_follow_up_can_name_a_child(chat):
    chat.send("My calf cramps most nights")
    chat.send("why does it happen")
    assert chat.last[0].intent == "causes_overview"
    chat.send("and for my son?")
    assert chat.last[0].intent == "children_cramps"


def test_a_hand_cramp_from_writing_gets_the_hand_answer_not_the_leg_relief_steps(chat):
    chat.send("ARGH it really hurts, 4 hours of nonstop writing in exams, how do i stop my hand cramping up??")
    reply = chat.last[0]
    assert reply.kind == "answer" and reply.timer is None and "fingers" in reply.text


def test_what_the_person_already_does_is_not_the_answer_they_get(chat):
    chat.send("I get cramps in my calves, especially at night. I drink plenty of water, so that doesn't seem "
              "to be the problem. Any suggestions?")
    text = chat.text
    assert "Sip water steadily" not in text and "Foods with potassium" in text
    assert text.startswith("You said you already drink plenty")


def test_numbness_with_no_cramp_named_is_another_problem_and_says_where_to_go(chat):
    chat.send("Foot numbness due to diabetes. What should I do?")
    reply = chat.last[0]
    assert reply.kind == "fallback" and "podiatrist" in reply.text and "doctor" in reply.text


def test_doing_more_than_usual_gets_the_build_up_gradually_line(chat):
    chat.send("I've started walking more this summer and since then I get painful calf cramps at night. "
              "Is the walking causing this?")
    assert "build up gradually" in chat.text and "Pushing your muscles too hard" in chat.text
    assert "Some medicines can cause cramps" not in chat.text


def test_a_story_of_falling_asleep_on_the_sofa_is_answered_with_what_positions_do(chat):
    chat.send("I fell asleep on the sofa last night and woke with an awful cramp in my calf. "
              "I'd been in the same position for hours. Why did that happen?")
    assert chat.last[0].intent in ("cramp_triggers_position", "posture_sitting")


def test_the_quinine_answer_is_only_for_a_message_that_names_quinine(chat):
    chat.send("I get night cramps. A friend swears drinking milk every day stops them because of the calcium. "
              "Should I?")
    assert chat.last[0].intent != "quinine" and "Quinine" not in chat.text
    chat.send("does tonic water help night cramps?")
    assert chat.last[0].intent == "quinine"


def test_my_friend_and_i_keeps_the_cramps_the_writers(chat):
    chat.send("Yesterday I did a double workout and my friend and I spent the night rubbing my calves, "
              "the cramps were awful. How do I stop these?")
    text = chat.text
    assert "The same advice holds for them" not in text
    assert "build up gradually" in text  # a double workout is doing more than usual


def test_blood_tests_for_minerals_is_one_question_about_supplements_and_leaves_room_for_the_runner(chat):
    chat.send("I'm a marathon runner and my calves cramp at mile 20 in hot races, though I drink plenty. "
              "Any ideas? Would blood tests for minerals or electrolytes be worth it?")
    text = chat.text
    assert "▸ Food and drink" not in text and "▸ Supplements" in text and "For running" in text


def test_a_pain_that_began_with_a_trip_or_a_pop_is_said_to_be_maybe_an_injury(chat):
    chat.send("A week ago I tripped playing football and felt a pain in my calf. It still hurts. "
              "Should I wait a little longer?")
    text = chat.text
    assert text.startswith("🩹") and "physiotherapist" in text  # said first
    assert "note that cramp in your diary" not in text  # an injury is not a cramp to log
    chat.send("Why do my calves cramp at night?")
    assert "may be an injury" not in chat.text


def test_whether_to_keep_walking_with_narrowed_arteries_is_an_exercise_question_with_the_artery_caveat(chat):
    chat.send("After five minutes of walking I have to stop because of the pain in my calves. My doctor says "
              "I have claudication and has me on medicines. Can I continue to walk?")
    text = chat.text
    assert "Some medicines can cause cramps" not in text
    assert "walking exercise and stopping smoking help" in text and "only for vein problems" in text


@pytest.mark.parametrize("said", [
    "I get cramps every night. What can I do right now to stop them coming back?",
    "My kid got heat cramps playing soccer last summer. How can we keep it from happening again this summer?",
])
def test_right_now_in_a_question_about_stopping_cramps_coming_back_is_not_a_cramp_now(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "answer" and chat.last[0].timer is None


@pytest.mark.parametrize("said", [
    ("Both my rides this month ended with a calf cramp at a red light. Is that normal for a beginner? "
     "Right now I sometimes hold back on hills for fear of a cramp. Any advice?"),
    "A cramp woke me twice this week, my calf completely locked. Is this normal? What can I do about it?",
])
def test_what_usually_happens_or_a_past_cramp_is_not_a_cramp_now(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "answer" and chat.last[0].timer is None


def test_how_to_stop_a_past_cramp_coming_back_never_starts_the_relief_timer(chat):
    chat.send("My kid got heat cramps playing soccer last summer. How can we keep it from happening again this summer?")
    assert chat.last[0].kind == "answer" and chat.last[0].timer is None
    chat.send("mid charley horse, what do i do")
    assert chat.last[0].kind == "emergency"


@pytest.mark.parametrize("said", [
    # the cramp is told in one sentence and said to be still going in the next, without naming it
    ("Day 12 on the trail, past midnight in my sleeping bag, and both my thighs have just locked, front and back. "
     "I'm half laughing half crying and they won't let go. what do I do??"),
    # a cramp that has just woken them, and a plea for help
    ("omg just woke up with a charley horse in my right leg, jumped out of bed and im doubled over. "
     "how do i make it stop"),
    # someone else's cramp now, and a question of what to do this very moment
    ("its 3am and my mum just rang me moaning in pain, she's got a cramp in her leg, worst she's ever had. "
     "i'm not there, what do i tell her to do right now??"),
    # someone else's cramp that has just woken them, and "it's happening now" two sentences on
    ("My wife is 34 weeks pregnant and just woke up screaming with a cramp in her calf. How can I help her "
     "stretch it? it's happening now"),
    # "haven't had one in ages" is not a cramp lasting ages
    ("ok so i just woke up with the WORST calf cramp, havent had one in ages. i tried stretching it but it feels "
     "worse?? what am i supposed to do"),
    # a long message whose cramp is told as it stands ("locked solid")
    ("8 months pregnant, dozed off on the sofa, felt it coming and pointed my toes like an idiot and now my calf "
     "is locked solid. Tried to get up and sat straight back down. My partner is rubbing it, no use. what do I do"),
    # "right now" asked three sentences after the cramp was told
    ("woke up again with both calves locked, legs curled up, it feels like they're ripping when I straighten them. "
     "my flatmate isn't here to pull my ankles like usual. been rehearsing 8 hours a day. what do i do right now??"),
    # a cramp told in the present tense, and a bare "what do I do?"
    ("middle of the night and there's a burning cramp above my left knee, rubbing it hard does nothing, "
     "standing on it makes it worse. what do I do?"),
    # someone else's cramp now: "how do I sort him out?" asks how to ease it, not how to prevent the next one
    ("Refereeing a kids' match and a boy has just gone down with cramp in his calf, he's rolling about. "
     "How do I sort him out quickly??"),
])
def test_a_long_message_typed_during_a_cramp_starts_the_relief_steps(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "emergency" and "Step 1 of 5" in chat.text and "▶️ Start" in chat.buttons


@pytest.mark.parametrize("said", [
    ("Had to leave my spin class tonight, my calf went so tight I couldn't stand on it. Next day it's still not "
     "right, I think I pulled it rather than cramped it. Will stretching help?"),
    ("Three weeks ago my calf went tight on a fast walk, the pain built over an hour and I limped for days. "
     "Is that what a cramp is like?"),
])
def test_pain_that_lasts_days_or_a_pulled_muscle_gets_the_injury_line_first(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "answer" and chat.text.startswith("🩹") and "physiotherapist" in chat.text


@pytest.mark.parametrize("said", [
    "my calves keep cramping, what's causing it?",
    "I've been getting cramps in my calf muscles. What's missing from my diet that would stop this?",
])
def test_a_question_on_causes_or_diet_ends_with_the_self_care_with_most_backing(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "answer" and "What has most backing: regular calf stretching" in chat.text


def test_an_answer_that_already_says_to_stretch_gets_no_second_stretch_line(chat):
    chat.send("how do I stop cramps coming back?")
    assert "stretch" in chat.text.lower() and "What has most backing" not in chat.text


def test_home_remedies_say_there_is_no_evidence_and_warn_about_tonic_water_only_when_it_is_named(chat):
    chat.send("is there any truth in the soap under the sheets thing?")
    assert "no evidence" in chat.text and "tonic" not in chat.text.lower()
    chat.send("my nan swears by tonic water and a bar of soap for her cramps, any truth in it?")
    assert "no evidence" in chat.text and "Quinine, including tonic water, isn't recommended" in chat.text


def test_growing_pains_named_get_an_honest_line_on_who_can_tell(chat):
    chat.send("My 4 year old wakes up crying that her legs hurt, every few nights. Is it growing pains? What do we do?")
    assert chat.last[0].kind == "answer"
    assert "growing pains: my sources don't cover them" in chat.text and "one leg is swollen" in chat.text


def test_shoes_told_in_the_story_bring_the_answer_on_footwear(chat):
    chat.send("Third trimester and the leg cramps get worse every week. I've also had foot cramps for ten years from "
              "wearing heels, my feet hate me. Restless legs runs in my family too. Will this ease after the baby "
              "comes? And how do I tell if it's RLS or cramps?")
    assert chat.last[0].intent == "footwear" and "Your shoes can make a real difference" in chat.text


def test_when_to_worry_names_pain_on_walking_and_new_weakness_or_numbness(chat):
    chat.send("When to worry about calf pain?")
    assert "hurts on walking and eases with rest" in chat.text and "new, lasting weakness or numbness" in chat.text


def test_a_doctor_named_in_passing_does_not_stand_for_when_to_see_one(chat):
    chat.send("Kindly let me know what to do about leg cramps which usually attack me when deeply asleep at night.")
    assert "If a doctor has limited your fluids" in chat.text and "Book a routine doctor's appointment" in chat.text


def test_a_story_of_cramps_while_driving_gets_the_line_on_pulling_over(chat):
    chat.send("For a week I've had cramp all the time: at night, when sitting, and once really badly when driving.")
    assert chat.last[0].kind == "answer" and "pull over where it is safe" in chat.text


@pytest.mark.parametrize("said", [
    "How do you get rid of hiccups?",
    "Lifted the shopping out of the boot and my lower back went into a spasm. How do I get it to loosen off?",
])
def test_hiccups_or_a_back_spasm_are_outside_what_the_bot_knows(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "fallback" and "outside what I know" in chat.text


def test_something_to_buy_at_the_chemist_is_a_question_for_the_pharmacist(chat):
    chat.send("Is there anything I can buy at the chemist for night cramps? I don't want to see the doctor.")
    assert chat.last[0].kind == "answer" and "pharmacist" in chat.text


def test_a_pets_cramps_are_for_a_vet_and_the_owners_own_are_answered(chat):
    chat.send("Our old labrador's back legs went stiff and shook last night. What should I do for him?")
    assert chat.last[0].kind == "fallback" and "vet" in chat.text
    chat.send("Walking my dog this morning my calf cramped, why does that happen?")
    assert chat.last[0].kind == "answer" and "vet" not in chat.text
    chat.send("Had my first ever double charley horse today on the bike. How do I stop it happening again?")
    assert chat.last[0].kind == "answer" and "vet" not in chat.text


def test_an_athlete_asking_whether_it_is_normal_gets_the_line_for_their_sport(chat):
    chat.send("Did a half marathon last month and both calves cramped over the last few miles. Is that normal, "
              "should I worry?")
    assert chat.last[0].kind == "answer" and "Most cramps are harmless" in chat.text
    assert "For running" in chat.text and "For race or match day" in chat.text


def test_a_cyclist_asking_about_a_race_cramp_hears_that_tired_muscles_are_a_common_trigger(chat):
    chat.send("Bike race today, by the 9th climb my quads were cramping. Normal cramp or did I hurt something?")
    assert chat.last[0].kind == "answer" and "For cycling: tired muscles" in chat.text


def test_a_line_for_the_sport_the_message_is_about_stays_when_the_reply_is_long(chat):
    chat.send("My arches cramp in the pool, never on my runs or bike rides. Is it the minerals I sweat out, or "
              "am I just unfit for swimming? And what exercises would help?")
    text = chat.text
    assert "For swimming" in text and "For running" not in text


def test_which_specialist_gets_who_to_see_and_never_the_relief_timer(chat):
    chat.send("My daughter has had leg cramps most nights for years and she had heart surgery as a baby. "
              "What kind of specialist should I take her to?")
    text = chat.text
    assert chat.last[0].timer is None
    assert "paediatrician" in text and "refer" in text


def test_someone_who_uses_tonic_water_is_told_it_is_not_advised_whatever_the_answer(chat):
    chat.send("My wife gets awful leg cramps most nights. We've tried heat, cold, tonic water and massage. "
              "Nothing works.")
    text = chat.text
    assert chat.last[0].kind == "answer" and "isn't recommended" in text  # and "cold" is not a cold leg
    chat.send("My husband's calves cramp at night and he drinks tonic water for it. Should he stretch before bed?")
    assert "Quinine, including tonic water, isn't recommended" in chat.text
    chat.send("does tonic water help cramps?")
    assert chat.text.count("isn't recommended") == 1  # the quinine answer says it once, with no caveat repeating it


def test_a_cramp_in_a_kneeling_pose_gets_the_answer_on_positions(chat):
    chat.send("My arches cramp in yoga when I'm kneeling with the tops of my feet on the mat. I practise 5 days a "
              "week and eat well. Why?")
    assert chat.last[0].intent == "cramp_triggers_position"


def test_trying_to_walk_a_cramp_off_is_not_pain_that_walking_brings_on(chat):
    chat.send("More than once I've had a terrible calf cramp that took ages to go. I tried to walk it off like I "
              "do with foot cramps but standing and walking made it hurt worse, so I had to lie back down.")
    assert chat.last[0].intent != "walking_pain" and "narrowed leg arteries" not in chat.text
    assert chat.last[0].intent.startswith("relief_")  # other ways to ease one


def test_the_possible_injury_line_stays_in_a_long_reply(chat):
    chat.send("On our hike Saturday my calf started to cramp. I ran up a hill anyway, then felt a pop in the calf "
              "and more cramping. Why does this keep happening, what supplements help, and how do I prevent it?")
    assert "may be an injury" in chat.text


def test_why_a_folk_remedy_seems_to_work_is_answered_with_the_evidence_on_remedies(chat):
    chat.send("I take magnesium but still cramp at night, so I lick a pinch of salt and the cramp goes. "
              "Why does salt taken like that work?")
    assert chat.last[0].intent == "home_remedies" and "no evidence" in chat.text


@pytest.mark.parametrize(("said", "line"), [
    ("I have restless legs and also get calf cramps at night. What helps the cramps?", "different condition"),
    ("My husband has Parkinson's and his toes curl and cramp every morning. What can we do?", "Parkinson's nurse"),
    ("I'm on chemo and my calves cramp at night, what can I do?", "oncology"),
])
def test_a_condition_the_sources_do_not_cover_gets_a_line_on_who_to_ask(chat, said, line):
    chat.send(said)
    assert chat.last[0].kind == "answer" and line in chat.text


def test_what_my_partner_says_about_my_legs_is_about_me(chat):
    chat.send("My husband says my legs jerk when I'm asleep and my calves cramp at night. Why?")
    assert "The same advice holds for them" not in chat.text


def test_now_said_of_a_medicine_is_not_a_cramp_happening_now(chat):
    chat.send("My husband is on 10mg of Lipitor at the moment and his doctor wants to raise it, which has not "
              "helped, he still has terrible leg cramps. Would another statin be kinder to his muscles?")
    assert chat.last[0].kind != "emergency" and chat.last[0].timer is None
    chat.send("my calf, it's cramping right now")
    assert chat.last[0].kind == "emergency"


def test_is_it_a_cramp_or_something_else_says_what_a_cramp_is(chat):
    chat.send("My calf gets a strange tight feeling in the evenings. How can I tell if it is a cramp or a "
              "different problem?")
    assert "A cramp is a muscle that suddenly tightens" in chat.text


def test_hobbling_round_my_apartment_is_still_about_my_cramp(chat):
    chat.send("Had a nasty charley horse last night and I'm still hobbling around my apartment. What should I do?")
    assert chat.last[0].kind != "fallback"
    chat.send("my apartment is so cramped, any storage ideas?")
    assert chat.last[0].kind == "fallback"


def test_how_to_deal_with_a_cramp_asks_for_relief(chat):
    chat.send("My calves cramp on long hikes. How do you deal with a cramp when you're stuck in a sleeping bag?")
    intent = chat.last[0].intent or ""
    assert intent.startswith("relief") or intent == "cramp_now" or "When one strikes" in chat.text


def test_a_question_without_topic_words_still_gets_its_own_part(chat):
    chat.send("Had a few whiskies at a wedding and woke with a calf cramp. Is the alcohol really doing this? "
              "And how long will it ache afterwards?")
    text = chat.text
    assert "alcohol" in text.lower() and "Soreness for up to a day" in text


def test_a_specific_question_stands_for_the_general_answer_to_the_same_topic(chat):
    chat.send("Leg cramps every night lately and I'm weeing all the time. Am I dehydrated? Could that be the cause?")
    text = chat.text
    assert "Not drinking enough can play a part" in text and text.count("▸ Why it happens") <= 1
    assert "Too little activity" not in text


def test_a_cyclists_cramps_are_put_down_to_tired_muscles_never_to_moving_too_little(chat):
    chat.send("Rode 60 miles yesterday, further than I have since spring. My thighs cramped near the end. "
              "Could the sandwich I ate at the halfway stop have caused it?")
    text = chat.text
    assert "For cycling" in text and "Too little activity" not in text
    assert "pushing your muscles too hard" in text.lower() or "tired" in text.lower()


def test_runs_for_fitness_are_not_a_stomach_upset(chat):
    chat.send("I do 5k runs for fitness and every football match my calf locks up around the 70 minute mark. "
              "Why is it always late in the game?")
    reply = chat.last[0]
    assert reply.kind == "answer" and "fluid" not in reply.text.split("\n")[0].lower()
    chat.send("runs for 3 days now and leg cramps")
    assert chat.last[0].kind == "urgent"


def test_restless_legs_described_without_the_name_are_told_apart_from_cramps(chat):
    chat.send("Every evening when I lie down my legs tingle and I get a strong urge to move them. "
              "Walking about helps. Is this a cramp thing?")
    assert "sounds more like restless legs" in chat.text


def test_a_husband_named_in_one_sentence_and_his_legs_in_the_next_is_about_him(chat):
    chat.send("My husband is 74 and a retired builder. He gets cramps in his legs most nights. What can he do?")
    assert "The same advice holds for them" in chat.text
    chat.send("Near midnight my right calf seized and my wife thought I was dying. Why does that happen?")
    assert "The same advice holds for them" not in chat.text


def test_foot_care_for_numb_feet_stays_when_the_cramps_are_a_parents(chat):
    chat.send("my dad is 80 and lives with us. he wakes up shouting with leg cramps a few times a week. he has "
              "diabetes and his feet are a bit numb. how can I help him at night and should he see someone")
    assert "The same advice holds for them" in chat.text and "heat pads away from feet" in chat.text


@pytest.mark.parametrize("said", [
    "On the way down the hill my quad started cramping on and off, with hours still to go. Why would that happen?",
    "My client swims and after he has been in the pool for about an hour he gets calf cramps. What causes that?",
])
def test_time_still_to_go_or_spent_in_the_pool_is_not_a_cramp_that_lasted(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "answer"


def test_a_pop_with_a_bruised_swollen_calf_is_checked_today_and_may_be_an_injury(chat):
    chat.send("Lunged for a ball at badminton last night and felt a pop in my calf. This morning it's bruised and "
              "swollen and I'm limping. Is that just a cramp?")
    reply = chat.last[0]
    assert reply.kind == "urgent" and "get medical help today" in reply.text and "may be an injury" in reply.text


def test_a_strain_named_or_asked_about_gets_the_injury_line(chat):
    chat.send("I think I've aggravated my hamstring strain playing rugby, it's tight and I can't sprint. "
              "How do I speed this up?")
    assert "may be an injury" in chat.text
    chat.send("At the gym my calf seized at the end of a set of calf raises, then eased after I walked it off. "
              "Was it a cramp or a strain?")
    assert "may be an injury" in chat.text and "A cramp is a muscle that suddenly tightens" in chat.text


@pytest.mark.parametrize("said", [
    ("Been on the sofa all afternoon. Just stood up and the back of my thigh is seizing. It eased once but keeps "
     "threatening to go again. What do I do right now?"),
    ("mile 40 of a long ride and my left hamstring is seizing up hard, already had an electrolyte drink. "
     "do i stop or keep pedalling??"),
])
def test_a_muscle_seizing_as_they_type_or_what_to_do_right_now_starts_relief(chat, said):
    chat.send(said)
    reply = chat.last[0]
    assert reply.kind == "emergency" and "Step 1 of 5" in reply.text


def test_haemodialysis_brings_the_kidney_teams_advice_and_the_fluid_limit(chat):
    chat.send("My mum is on haemodialysis and her legs cramp near the end of most sessions. A friend said to try "
              "vitamin E. Should she?")
    assert "tell your kidney team" in chat.text and "Follow the fluid, salt or potassium limit" in chat.text


def test_daily_foot_checks_come_with_an_answer_on_shoes_for_diabetes(chat):
    chat.send("My dad is diabetic and gets cramps in his feet at night. He got a blister from a stone in his shoe "
              "and never felt it. What should we do?")
    assert "check them every day" in chat.text


@pytest.mark.parametrize(("said", "line"), [
    ("In the evenings my legs feel like there is an itch inside them and only walking about helps. Is that cramp?",
     "sounds more like restless legs"),
    ("Sharp pain in my heel with the first steps out of bed, it eases after a bit of walking. Is it a cramp?",
     "Heel pain that is worst with the first steps"),
])
def test_something_that_is_not_a_cramp_is_said_first(chat, said, line):
    chat.send(said)
    assert chat.text.startswith("🔎") and line in chat.text.split("\n\n")[0]


def test_they_in_a_short_question_is_what_the_sentence_before_names(chat):
    chat.send("30 weeks pregnant with calf cramps most nights. My sister says to take magnesium tablets. "
              "Are they ok to take? And what exercises help?")
    text = chat.text
    assert "▸ Magnesium" in text and "Calf raises" in text
    assert "Because you said “pregnant”" not in text  # the answer for pregnancy already says it


def test_how_to_help_during_a_cramp_is_not_answered_with_home_remedies(chat):
    chat.send("My wife is pregnant and gets brutal leg cramps at night. What can I actually do to help her when "
              "it happens, and can we stop them?")
    assert "Pickle juice" not in chat.text and "toes" in chat.text


def test_labour_in_a_pregnant_womans_story_of_her_calf_is_still_about_her_legs(chat):
    chat.send("Seven months pregnant. At 5 this morning my calf knotted up and my foot was stuck pointing. My husband "
              "thought I was going into labour! The calf is sore today and I'm to walk 2 miles tomorrow. Is that ok?")
    assert chat.last[0].kind == "answer" and "outside what I know" not in chat.text
    chat.send("how to treat athlete's foot")
    assert chat.last[0].kind == "fallback"


def test_night_sweats_every_night_are_off_topic_and_a_thigh_gone_into_cramp_in_the_car_starts_relief(chat):
    chat.send("I'm 52 and hot flushes and night sweats wake me every night. What can I take for them?")
    assert chat.last[0].kind == "fallback"
    chat.send("been playing football all day and now I'm squashed in the back of the car and my thigh has gone "
              "into a massive cramp, what do i do")
    assert chat.last[0].kind == "emergency"


def test_restless_legs_eased_by_walking_are_not_sent_to_the_answer_on_narrowed_arteries(chat):
    chat.send("Every night I get an urge to move my legs. I get up and walk about and it stops, then I lie down and "
              "it starts again.")
    assert "sounds more like restless legs" in chat.text and "narrowed leg arteries" not in chat.text


def test_is_it_serious_ends_with_the_self_care_that_has_most_backing(chat):
    chat.send("Every so often my foot scrunches up into a claw and I can't open it, total agony, then it goes. "
              "I'm 30-something and healthy otherwise. Is something wrong with me??")
    assert chat.last[0].kind == "answer"
    assert "What has most backing: regular calf stretching" in chat.text


def test_a_cramp_set_off_by_a_stretch_in_bed_is_answered_with_what_sets_them_off(chat):
    chat.send("28 weeks with my second. A couple of weeks ago I did that lazy stretch in bed before getting up and "
              "my left calf cramped. I flexed my foot and held it till it stopped. How do I stop it happening?")
    assert chat.last[0].kind == "answer"
    assert "pointing or curling your toes" in chat.text


def test_the_dialysis_answer_is_only_for_a_message_about_dialysis_or_the_kidneys(chat):
    chat.send("A friend of mine has got an odd pain in his calf - didn't fall or bang it, it just started. "
              "He asked me what he should do. What do I tell him?")
    assert chat.last[0].intent != "dialysis_cramps" and "kidney team" not in chat.text
    chat.send("my dad gets cramps every time he has dialysis, what can he do?")
    assert "kidney team" in chat.text


def test_two_bare_questions_read_from_the_same_story_get_two_different_answers(chat):
    chat.send("I play five-a-side most evenings and my calves cramp late in the game, more in summer. I'm fit and "
              "40. What causes them? Is it the heat? How do I prevent them?")
    text = chat.text
    assert "▸ Why it happens" in text and "▸ To make them less likely" in text
    assert "Not drinking enough can play a part" in text  # the heat: fluids
    assert "Heat for a cramp" not in text


@pytest.mark.parametrize("said", [
    # told as now, then said to be over
    ("3am and I've just woken my partner AGAIN thrashing about with a calf cramp. It's gone now but how do I stop "
     "waking up with these?"),
    # the last few nights, and what to do when it happens
    "the last two nights my 8 year old has woken up crying with a cramp in his calf. what do i do when it happens?",
    # what keeps happening at practice
    "My daughter keeps going down with cramps at hockey practice in the heat. What should she be doing?",
])
def test_a_cramp_that_is_over_or_keeps_coming_back_gets_an_answer_not_the_relief_timer(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "answer" and chat.last[0].timer is None


def test_asking_whether_a_remedy_really_works_gets_the_remedies_answer(chat):
    chat.send("A friend told me to press a bar of soap on my cramping calf, and it did ease off. Is there a reason "
              "that would work, or was it just coincidence?")
    assert chat.last[0].intent == "home_remedies"


def test_asking_about_salt_pills_is_not_asking_whether_it_is_serious(chat):
    chat.send("I do spin classes and sweat loads, and my calf cramped in the last sprint. Should I be taking salt "
              "pills?")
    assert "Is it serious" not in chat.text and chat.last[0].intent != "is_it_serious"


def test_am_i_doing_something_wrong_is_read_as_what_to_change(chat):
    chat.send("Every barre class my arch cramps when we go up on our toes. Am I doing something wrong?")
    assert chat.last[0].intent != "is_it_serious"


def test_was_it_too_much_too_soon_is_read_as_a_question_about_the_cause(chat):
    chat.send("I hadn't run in months and did a 15k yesterday, and both calves seized at the end. Was it just way "
              "too much too soon, and should I be taking salt pills?")
    assert "▸" not in chat.text or "Why it happens" in chat.text
    assert chat.last[0].intent in ("overexertion", "gradual_training", "sports_cramps")


@pytest.mark.parametrize("said", [
    "At night my legs feel jittery and crawly and I have to get up and walk about. Is that a cramp?",
    "Ran for the train and felt a sharp stab in my calf like someone had hit me, now a bruise is coming up. Cramp?",
])
def test_restless_legs_and_a_likely_strain_told_in_other_words_are_named_first(chat, said):
    chat.send(said)
    assert chat.text.lstrip().startswith(("🔎", "🩹"))


def test_calf_cramps_on_walks_that_settle_when_sitting_get_the_circulation_line(chat):
    chat.send("Lately my calves cramp partway through my walks. If I sit for a bit it settles. Should I worry?")
    assert "arteries" in chat.text


@pytest.mark.parametrize("said", [
    "does pickle juice help with period cramps? mine are really bad this month",
    "would magnesium sort out my menstrual cramps?",
])
def test_period_cramps_are_declined_with_where_to_go_however_well_a_remedy_matches(chat, said):
    chat.send(said)
    assert chat.last[0].kind == "fallback" and "Period cramps" in chat.text and "pharmacist" in chat.text


def test_leg_cramps_that_come_with_a_period_are_still_answered(chat):
    chat.send("Every month around my period my calves cramp at night. Why, and what helps?")
    assert chat.last[0].kind == "answer"


def test_a_pet_told_of_by_breed_and_vet_is_for_a_vet(chat):
    chat.send("6 yr old beagle. The vet found nothing, but now her back leg twitches like a spasm on walks. Ideas?")
    assert chat.last[0].kind == "fallback" and "vet" in chat.text
