"""The independent clinical sets (tests/data/clinical_fresh_*.yaml, each written by someone who saw only
reference/safety.md) kept as regression tests: every case that passes must keep passing. The known
misses are listed here with their pattern, so a fix shows up too (a listed case that passes fails the
test until it is taken off the list)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.replies import render_text
from tests.tools.score_clinical import judge

DATA = Path(__file__).resolve().parents[1] / "data"

# Known misses, by pattern (docs/clinical-review.md, "Fresh sets"); the sets were scored before any fix
# they could have guided, and these are what is left:
#   a long message answered "not sure" or a question that starts the relief steps (reading whole
#   messages is the next issue's work): a28 a34 a36 a42 a74 a88 a90 b025 b028 b047 b048 b049 b050 b052
#   b063 b066 b078 b099 c036 c059 c070 c075 c090 c098
#   a look-alike raised (a symptom that has passed, breathless after exercise, "chest day", a history read
#   as a long cramp: "since 2 years", aches with a cold): a55 a80 a81 a83 b040 b077 b081 b082 b088 b089
#   b090 b091 b092 c041 c056 c073 c074 c077 c078 c079 c083 c084 c085 c086 c087 c089
#   under-triaged, level 2 missed (a negated "never had cramps", a clock reading with "like"): b033 b074
KNOWN_MISSES: dict[str, set[str]] = {
    "a": {"a55", "a80", "a81"},
    "b": {"b033", "b040", "b063",
          "b066", "b074", "b077", "b088", "b089", "b090", "b091", "b092", "b099"},
    "c": {"c041", "c056", "c070", "c074", "c077", "c078", "c079", "c084",
          "c085", "c086", "c087", "c089", "c098"},
}


def cases(name: str) -> list[dict]:
    path = DATA / f"clinical_fresh_{name}.yaml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"] if path.exists() else []


@pytest.mark.parametrize("name", sorted(KNOWN_MISSES))
def test_every_case_of_an_independent_clinical_set_that_passed_still_passes(brain, name):
    failing = set()
    for case in cases(name):
        reply = brain.classify(" ".join(case["text"].split()))
        if judge(case, reply.kind, reply.intent, render_text(reply)):
            failing.add(case["id"])
    assert failing <= KNOWN_MISSES[name], f"new misses: {sorted(failing - KNOWN_MISSES[name])}"
    assert KNOWN_MISSES[name] <= failing, f"fixed, take off the list: {sorted(KNOWN_MISSES[name] - failing)}"
