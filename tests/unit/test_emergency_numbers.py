"""Urgent replies give the emergency number for where the person is (a place they name, or their saved
time zone), and always "or your local emergency number"; without either they give every number."""

from __future__ import annotations

import pytest

from tests.support.content_edits import edit, problems

LUNGS = "my calf is swollen and I can't breathe"
TETANUS = "stepped on a rusty nail and now my calf keeps cramping"


def in_zone(chat, zone: str):
    """The same chat with a saved time zone (as /timezone or the reminders set-up store it)."""
    chat.session = chat.session.with_(zone=zone)
    return chat


@pytest.mark.parametrize("zone, number, others", [
    ("Australia/Sydney", "000 (Australia)", ["911", "999"]),
    ("Pacific/Auckland", "111 (New Zealand)", ["911", "000"]),
    ("America/Chicago", "911 (the US and Canada)", ["999", "000"]),
    ("Europe/London", "999 (the UK)", ["911", "000"]),
    ("Europe/Berlin", "112 (Europe)", ["911", "000"]),
])
def test_a_saved_time_zone_gives_that_countrys_number_first(chat, zone, number, others):
    in_zone(chat, zone).send(LUNGS)
    reply = chat.last[0]
    assert reply.intent == "call_emergency"
    assert f"call emergency services now: {number}, or your local emergency number" in reply.text
    assert not any(other in reply.text for other in others)


def test_without_a_place_every_number_is_given_with_the_local_one(chat):
    chat.send(LUNGS)
    text = chat.text
    for number in ("112", "911", "999", "000", "111"):
        assert number in text
    assert "or your local emergency number" in text


def test_a_place_named_in_the_message_wins_over_the_saved_zone(chat):
    in_zone(chat, "Europe/London").send(f"on holiday in auckland and {LUNGS}")
    assert "111 (New Zealand)" in chat.text and "999" not in chat.text


def test_same_day_care_names_nhs_111_only_where_it_exists(chat):
    in_zone(chat, "Europe/London").send(TETANUS)
    assert chat.last[0].intent == "get_help_today"
    assert "or NHS 111" in chat.text and "999 (the UK), or your local emergency number" in chat.text
    in_zone(chat, "Australia/Perth").send(TETANUS)
    assert "NHS 111" not in chat.text and "000 (Australia)" in chat.text


def test_the_relief_escalation_gives_the_local_number_too(chat):
    in_zone(chat, "Australia/Melbourne").send("/cramp")
    chat.wait(600)
    assert chat.last[-1].intent == "get_help_today" and "000 (Australia)" in chat.last[-1].text


@pytest.mark.parametrize("question, number", [
    ("what's the emergency number in australia", "In Australia, call 000."),
    ("i'm in new zealand, what number do i call", "In New Zealand, call 111."),
    ("is 111 the emergency number in the uk?", "In the UK, call 999."),
])
def test_asking_for_the_emergency_number_answers_it_for_that_country(chat, question, number):
    chat.send(question)
    reply = chat.last[0]
    assert reply.kind == "answer" and reply.intent == "emergency_numbers"
    assert reply.text.startswith(f"📞 {number}")


def test_the_number_question_without_a_place_lists_them_all(chat):
    chat.send("what number do i ring for an ambulance")
    assert chat.last[0].intent == "emergency_numbers"
    assert "📞" not in chat.text and "000: Australia" in chat.text


def test_a_level_text_with_an_unknown_placeholder_is_refused_at_load(copy):
    edit(copy / "knowledge" / "safety.yaml", "{emergency_number}.", "{emergency_phone}.")
    assert "knowledge/safety.yaml [call_emergency]: level text has an unknown or broken placeholder" in problems(copy)


def test_an_answer_with_an_unknown_placeholder_is_refused_at_load(copy):
    edit(copy / "knowledge" / "doctor.yaml", "{local_number}", "{local_phone}")
    assert "[emergency_numbers]: unknown placeholder {local_phone}" in problems(copy)
