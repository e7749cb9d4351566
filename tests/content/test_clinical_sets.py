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

# Known misses, by pattern; the sets were scored before any fix they could have guided, and these are
# what is left:
#   a sign read as more urgent than it is (a chest-muscle cramp read as chest pain; a higher diuretic dose
#   read as a new medicine's cramps lasting): a55 b040 c056
#   a look-alike raised (numbness from lying on an arm or sitting, a dead leg from a knock, achy with a cold,
#   slurring when drunk told in another clause, sore chest after the gym, breathless at a parkrun finish,
#   drooping eyes from tiredness, a leg that cannot move during a cramp): a81 b088 b090
#   c074 c077 c078 c079 c085 c087
#   under-triaged, level 2 missed (a negated "never had cramps", a clock reading with "like", "before half
#   hour"): b033 b074 c070
#   advice missing for numb feet (no "burn", no shoes): b091 b092 b099 c098
KNOWN_MISSES: dict[str, set[str]] = {
    "a": {"a55", "a81"},
    "b": {"b033", "b040", "b074", "b088", "b090", "b091", "b092", "b099"},
    "c": {"c056", "c070", "c074", "c077", "c078", "c079", "c085", "c087", "c098"},
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
