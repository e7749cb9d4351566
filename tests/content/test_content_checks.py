"""Broken content stops the bot at start with a message naming the file and the entry."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from bot.content.bundle import load_content
from tests.support.content_edits import edit, problems

ROOT = Path(__file__).resolve().parents[2]


def test_the_shipped_content_loads(copy):
    content = load_content(copy)
    assert len(content.knowledge.entries) > 50


def test_unknown_key_names_file_entry_and_line(copy):
    edit(copy / "knowledge/causes.yaml", "    title: \"Dehydration\"", "    title: \"Dehydration\"\n    colour: blue")
    message = problems(copy)
    assert "knowledge/causes.yaml:" in message and "[dehydration]" in message
    assert "unknown key 'colour'" in message


def test_duplicate_ids_across_files_are_errors(copy):
    text = (copy / "knowledge/causes.yaml").read_text(encoding="utf-8")
    assert "  - id: cold\n" in text
    edit(copy / "knowledge/causes.yaml", "  - id: cold\n", "  - id: magnesium\n")
    message = problems(copy)
    assert "[magnesium]" in message and "duplicate id (also in knowledge/" in message


def test_duplicate_yaml_keys_are_errors_not_silently_overwritten(copy):
    edit(copy / "knowledge/causes.yaml", "    title: \"Dehydration\"",
         "    title: \"Dehydration\"\n    title: \"Thirst\"")
    message = problems(copy)
    assert "knowledge/causes.yaml" in message and "duplicate key 'title'" in message


def test_an_emoji_entry_that_could_rewrite_words_is_an_error(copy):
    edit(copy / "knowledge/language.yaml", '  "🦵": leg\n', '  "🦵": leg\n  "calf": chest\n')
    message = problems(copy)
    assert "knowledge/language.yaml" in message and "'calf'" in message and "emoji" in message


def test_dangling_related_reference_is_an_error(copy):
    path = copy / "knowledge/prevention.yaml"
    text = path.read_text(encoding="utf-8")
    first = text.index("    related: [")
    path.write_text(text[:first] + "    related: [no_such_entry, " + text[first + len("    related: ["):],
                    encoding="utf-8")
    assert "related entry 'no_such_entry' does not exist" in problems(copy)


def test_renaming_an_entry_the_code_points_to_stops_loading(copy):
    # warm_up and every reference to it renamed, as an editor might: only the code still names the old id
    for path in [*(copy / "knowledge").glob("*.yaml"), copy / "dialogs/plan.yaml"]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"\bwarm_up\b", "warming_up", text), encoding="utf-8")
    message = problems(copy)
    assert "no entry 'warm_up', which the code names" in message
    assert message.count("\n") == 0, message


def test_a_text_naming_a_field_the_code_never_gives_stops_loading(copy):
    edit(copy / "dialogs/messages.yaml", '"{count} cramps"', '"{number} cramps"')
    message = problems(copy)
    assert "dialogs/messages.yaml" in message and "[texts.cramps_many]" in message
    assert "unknown or broken placeholder" in message and "allowed: {count}" in message


def test_missing_sources_is_an_error(copy):
    path = copy / "knowledge/smalltalk.yaml"
    text = path.read_text(encoding="utf-8")
    start = text.index("    sources:")
    end = text.index("\n  - id:", start) if "\n  - id:" in text[start:] else len(text)
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert "missing key 'sources'" in problems(copy)


def test_unknown_source_is_an_error(copy):
    edit(copy / "knowledge/emergency.yaml", "seeds/004_cf58aa571624ffc3.txt", "seeds/999_made_up.txt")
    assert "source 'seeds/999_made_up.txt' is not listed" in problems(copy)


def test_yaml_syntax_error_names_the_line(copy):
    (copy / "knowledge/doctor.yaml").write_text("version: 1\nentries:\n  - id: x\n    title: [unclosed\n")
    assert "knowledge/doctor.yaml:" in problems(copy) and "invalid YAML" in problems(copy)


def test_flow_with_unknown_next_state_fails(copy):
    edit(copy / "dialogs/checkup.yaml", "    next: frequency\n", "    next: frequenzy\n")
    assert "unknown next state 'frequenzy'" in problems(copy)


def test_flow_with_unreachable_state_fails(copy):
    edit(copy / "dialogs/checkup.yaml", "    next: frequency\n", "    next: activity\n")
    message = problems(copy)
    assert "dialogs/checkup.yaml" in message and "[frequency]" in message and "unreachable" in message


def drop_prompt(path: Path, state: str) -> None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = lines.index(f"  {state}:\n")
    assert lines[at + 1].startswith("    prompt: ")
    del lines[at + 1]
    path.write_text("".join(lines), encoding="utf-8")


def test_flow_state_without_prompt_fails(copy):
    drop_prompt(copy / "dialogs/relief.yaml", "press")
    message = problems(copy)
    assert "[press]" in message and "missing prompt" in message


def test_plan_rule_naming_a_missing_choice_fails(copy):
    edit(copy / "dialogs/plan.yaml", "when: {timing: [night]}", "when: {timing: [midnight]}")
    assert "question 'timing' has no choice 'midnight'" in problems(copy)


def test_yes_no_on_are_words_not_booleans(copy, content):
    # "no" and "on" appear as words in content; YAML 1.1 would turn them into booleans.
    medications = content.checkup.states["medications"]
    assert "no" in medications.choice("none").says
    assert "on" in content.language.stopwords


def test_all_problems_are_reported_at_once(copy):
    edit(copy / "knowledge/causes.yaml", "    title: \"Dehydration\"", "    title: \"Dehydration\"\n    colour: blue")
    edit(copy / "dialogs/checkup.yaml", "    next: frequency\n", "    next: frequenzy\n")
    message = problems(copy)
    assert "colour" in message and "frequenzy" in message


def run_check(root: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "CRAMPBOT_CONTENT_DIR": str(root)}
    return subprocess.run([sys.executable, "-m", "bot", "knowledge", "check"], capture_output=True, text=True,
                          env=env, cwd=root)


def test_knowledge_check_command_passes_on_good_content(copy):
    result = run_check(copy)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_knowledge_check_command_fails_with_the_problem(copy):
    edit(copy / "knowledge/causes.yaml", "    title: \"Dehydration\"", "    title: \"Dehydration\"\n    colour: blue")
    result = run_check(copy)
    assert result.returncode != 0
    assert "knowledge/causes.yaml" in result.stderr and "unknown key 'colour'" in result.stderr


def test_the_bot_refuses_to_start_on_broken_content(copy):
    drop_prompt(copy / "dialogs/relief.yaml", "press")
    env = {**os.environ, "CRAMPBOT_CONTENT_DIR": str(copy), "TELEGRAM_BOT_TOKEN": ""}
    result = subprocess.run([sys.executable, "-m", "bot", "console"], input="hi\n", capture_output=True,
                            text=True, env=env, cwd=copy)
    assert result.returncode != 0
    assert "cannot start" in result.stderr and "dialogs/relief.yaml" in result.stderr
    assert "Hi, I'm CrampBot" not in result.stdout


def test_a_term_list_may_name_another_but_not_itself(copy, content):
    one_side = content.triggers.data.red_flags
    weak = next(r for r in one_side if r.id == "stroke_same_side_arm_and_leg").groups[2]
    assert "numb" in weak and "weak" in weak, "$weak_or_numb inside one_side_weak is expanded"
    edit(copy / "knowledge" / "safety.yaml", "  left_lower: [left leg, left foot]",
         "  left_lower: [left leg, $left_lower]")
    assert "[$left_lower]: term $left_lower names itself" in problems(copy)


def test_a_reading_topic_naming_an_unknown_entry_stops_loading(copy):
    edit(copy / "knowledge/reading.yaml", "entries: [children_cramps]", "entries: [children_cramps, kids_corner]")
    message = problems(copy)
    assert "knowledge/reading.yaml" in message and "[topics.children]" in message and "kids_corner" in message


def test_a_reading_answer_must_be_a_real_check_up_choice(copy):
    edit(copy / "knowledge/reading.yaml", "  frequency: [nightly]", "  frequency: [hourly]")
    message = problems(copy)
    assert "[facts.frequency]" in message and "'hourly'" in message


def test_self_care_in_the_reading_must_be_an_advice_kind(copy):
    edit(copy / "knowledge/reading.yaml", "  barefoot: [barefoot,", "  sandals: [barefoot,")
    message = problems(copy)
    assert "[doing]" in message and "advice kind 'sandals' unknown" in message


def test_a_context_line_for_an_unknown_sport_or_person_stops_loading(copy):
    edit(copy / "knowledge/context.yaml", "when: {sport: [swimming]}", "when: {sport: [curling]}")
    edit(copy / "knowledge/context.yaml", "when: {who: [child]}", "when: {who: [cat]}")
    message = problems(copy)
    assert "knowledge/context.yaml" in message and "[swimmers]" in message and "'curling'" in message
    assert "[child]" in message and "who 'cat' unknown" in message


def test_the_words_an_entry_needs_named_are_single_words(copy):
    edit(copy / "knowledge/relief.yaml", "    named: [quinine*, tonic*, qualaquin]", "    named: [tonic water]")
    message = problems(copy)
    assert "knowledge/relief.yaml" in message and "[quinine]" in message and "named takes single words" in message


def test_a_story_label_ruling_out_an_unknown_entry_stops_loading(copy):
    edit(copy / "knowledge/reading.yaml", "  tried_relief: [walking_pain]", "  tried_relief: [walking_pains]")
    message = problems(copy)
    assert "knowledge/reading.yaml" in message and "told_not.tried_relief" in message and "walking_pains" in message


def test_a_line_said_first_must_be_a_line(copy):
    edit(copy / "knowledge/context.yaml", "lead: [injury,", "lead: [injuries,")
    message = problems(copy)
    assert "knowledge/context.yaml" in message and "'injuries'" in message


def test_an_off_topic_reading_must_name_an_off_topic_entry(copy):
    edit(copy / "knowledge/reading.yaml", "  out_of_scope_period: [period,", "  magnesium: [period,")
    message = problems(copy)
    assert "knowledge/reading.yaml" in message and "elsewhere_first.magnesium" in message


def test_more_than_seven_commands_in_telegrams_menu_stop_loading(copy):
    edit(copy / "dialogs/messages.yaml", '    action: "ask:prevention_overview"\n',
         '    action: "ask:prevention_overview"\n    menu: true\n')
    message = problems(copy)
    assert "dialogs/messages.yaml" in message and "menu: true" in message


def test_an_unknown_muscle_key_in_the_relief_steps_stops_loading(copy):
    edit(copy / "dialogs/relief_muscles.yaml", "    switch: [foot, shin, thigh]", "    switch: [foot, shin, knee]")
    edit(copy / "dialogs/relief_muscles.yaml", "    reading: [shin]", "    reading: [shinbone]")
    edit(copy / "dialogs/relief_muscles.yaml", "      stretch: \"Step 1 of 5 · Stretch 🦶", "      strech: \"Step 1")
    message = problems(copy)
    assert "dialogs/relief_muscles.yaml" in message and "[calf]" in message and "muscle key 'knee' unknown" in message
    assert "[shin]" in message and "'shinbone' unknown" in message
    assert "[foot]" in message and "relief state (dialogs/relief.yaml) 'strech' unknown" in message


def test_the_words_heard_mid_relief_must_all_be_there(copy):
    edit(copy / "dialogs/relief_words.yaml", "  partly:\n", "  partially:\n")
    message = problems(copy)
    assert "dialogs/relief_words.yaml" in message and "[hears]" in message and "'partially' unknown" in message
    assert "missing 'partly'" in message
