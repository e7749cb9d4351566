"""The labelled set: what it must contain, that it measures generalisation, and the accuracy targets."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from bot.matching.evaluation import evaluate, format_report, load_labelled
from bot.matching.matcher import Matcher, MatcherSettings

ROOT = Path(__file__).resolve().parents[2]
LABELLED = ROOT / "tests/data/labelled.yaml"
HOLDOUT = ROOT / "tests/data/holdout.yaml"


@pytest.fixture(scope="module")
def items():
    return load_labelled(LABELLED)


@pytest.fixture(scope="module")
def report(content, items):
    return evaluate(content, items)


def test_the_set_is_big_and_varied_enough(items):
    kinds = [i.kind for i in items]
    assert len(items) >= 250
    assert kinds.count("fallback") >= 40
    assert kinds.count("urgent") >= 20
    assert kinds.count("emergency") >= 20
    assert kinds.count("smalltalk") >= 10
    assert len({i.text.lower() for i in items}) == len(items), "no duplicates"


def test_labels_name_real_intents(content, items):
    levels = set(content.safety.levels)
    for item in items:
        if item.kind == "fallback":
            assert item.intent is None, item.text
        elif item.kind == "urgent":
            assert item.intent in levels, item.text
        else:
            assert content.knowledge.get(item.intent).kind == item.kind, item.text


def test_every_answer_intent_is_tested(content, items):
    tested = {i.intent for i in items}
    untested = [e.id for e in content.knowledge.entries.values() if e.kind == "answer" and e.id not in tested]
    assert untested == []


def light(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


def test_the_sets_differ_from_the_training_phrasings(content, items):
    """They measure generalisation: apart from one-word small talk ("hi", "thanks"), no labelled or
    held-out utterance is also one of the knowledge base's example phrasings."""
    examples = {light(x) for e in content.knowledge.entries.values() for x in e.examples}
    both = [*items, *load_labelled(HOLDOUT)]
    same = [i.text for i in both if i.kind != "smalltalk" and light(i.text) and light(i.text) in examples]
    assert same == []


def test_accuracy_targets_are_met(report):
    print(format_report(report, verbose=True))
    assert report.failures() == [], format_report(report, verbose=True)


def test_red_flags_and_active_cramps_are_all_caught(report):
    by_kind = report.by_kind()
    assert by_kind["urgent"][0] == by_kind["urgent"][1]
    assert by_kind["emergency"][0] == by_kind["emergency"][1]


def test_the_accuracy_gate_fails_when_matching_gets_worse(content, items):
    broken = Matcher(content.knowledge, content.normaliser, MatcherSettings(threshold=101.0))
    worse = evaluate(replace(content, matcher=broken), items)
    assert worse.accuracy < 0.95
    assert worse.failures()


def _full_argmax(matcher, message):
    vector = matcher.score_vector(message)
    if vector is None:
        return None
    top = int(vector.argmax())
    return top, float(vector[top])


def test_the_pruned_search_finds_what_comparing_every_example_finds(content, items, monkeypatch):
    """`best` skips intents that cannot win; it must give the very index and score of the full search."""
    matcher, normalise = content.matcher, content.normaliser.normalise
    texts = [i.text for i in items + load_labelled(HOLDOUT)]
    texts += [" ".join(example.split()[::-1]) for entry in content.knowledge.entries.values()
              for example in entry.examples]  # reversed phrasings: close to several intents at once
    full_searches = []
    real = Matcher.score_vector
    monkeypatch.setattr(matcher, "score_vector",
                        lambda message: full_searches.append(message) or real(matcher, message))
    pruned = 0
    for text in texts:
        message = normalise(text)
        before = len(full_searches)
        found = matcher.best(message)
        pruned += len(full_searches) == before and found is not None and bool(message.key)
        assert found == _full_argmax(matcher, message), text
    assert pruned > 500  # most messages took the pruned path, so the comparison covers it
