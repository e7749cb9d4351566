"""The rule book (knowledge/triage.yaml) holds what it claims: each criterion's `fires` examples raise it and
its `quiet` examples do not; each criterion is looked for by at least one rule; a question is asked only for
criteria that have one."""

from __future__ import annotations

import pytest

from bot.content.bundle import Content


def _criteria(content: Content, text: str) -> set[str]:
    found = content.triggers.assess(content.normaliser.normalise(text))
    return {flag.criterion.id for flag in (found.red_flag, found.unsure, found.routine) if flag is not None}


def _examples(content: Content, kind: str) -> list[tuple[str, str]]:
    return [(c.id, text) for c in content.triggers.triage.criteria.values() for text in getattr(c, kind)]


def test_every_criterion_has_examples_both_ways_and_a_rule_that_looks_for_it(content: Content):
    rules = {r.criterion.id for r in (*content.triggers.red_flags, *content.triggers.routine) if r.criterion}
    for criterion in content.triggers.triage.criteria.values():
        assert criterion.fires and criterion.quiet, criterion.id
        assert criterion.id in rules, f"no rule in knowledge/safety.yaml looks for {criterion.id}"


def test_every_example_that_should_fire_raises_its_criterion(content: Content):
    missed = [(cid, text) for cid, text in _examples(content, "fires") if cid not in _criteria(content, text)]
    assert missed == []


def test_no_example_that_should_stay_quiet_raises_its_criterion(content: Content):
    raised = [(cid, text) for cid, text in _examples(content, "quiet") if cid in _criteria(content, text)]
    assert raised == []


@pytest.mark.parametrize(("text", "places"), [
    ("I had chest pain years ago, it turned out to be reflux", ("over", "settled")),
    ("was breathless after my run but fine now", ("settled", "settled")),
    ("last month I had chest pain and now my calf cramps", ("unsure", "now")),
    ("I used to get a clot in my leg, I think it's happened again", ("now", "now")),
    ("In 2021 I had covid, was breathless for weeks. My calf is swollen", ("over", "over", "")),
    ("I can't breathe. My cramp went away", ("", "settled")),
])
def test_the_timeline_places_each_clause(content: Content, text: str, places: tuple[str, ...]):
    message = content.normaliser.normalise(text)
    timeline = content.triggers.timeline
    clauses, starts = timeline.split(message.clauses, message.sentence_starts())
    assert timeline.place(clauses, starts) == places
