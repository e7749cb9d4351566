"""The fresh triage sets (tests/data/triage_fresh_*.yaml, each written by someone who saw only
reference/safety.md, never the rules) kept as regression tests: every case that passes keeps passing,
and the known misses are listed with their pattern, so a fix shows up too."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.replies import render_text
from tests.tools.score_triage import PASSING, judge

DATA = Path(__file__).resolve().parents[1] / "data"

# Known misses, by pattern:
#   a self-corrected time ("5 minutes, no wait ... more like 15 now"): ta-097
#   a blue foot that cannot be felt, in second-language English, given level 2 not 1: tb-048
#   the FAST signs recited from a poster, "nothing like that going on": tb-200
#   a long cramp told as a boxing round ("25 minutes in"): te-094
#   swelling of both legs that goes by morning, told without a word the rules know ("by the end of a hot day",
#   "in the afternoons ... gone after a night in bed"): te-140 te-142
#   cramps in hands and calves with cirrhosis read as many muscles at once (level 2, labelled 3): te-161
#   "preggo ... calves are cramping at night" read as a cramp now (the relief steps, no appointment line): te-164
#   a brother's clot "in January", cleared, still read as a clot sign: te-176
KNOWN_MISSES: dict[str, set[str]] = {
    "a": {"ta-097"},
    "b": {"tb-048", "tb-200"},
    "c": set(),
    "d": set(),
    "e": {"te-094", "te-140", "te-142", "te-161", "te-164", "te-176"},
}


def cases(name: str) -> list[dict]:
    return yaml.safe_load((DATA / f"triage_fresh_{name}.yaml").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("name", sorted(KNOWN_MISSES))
def test_every_case_of_a_fresh_triage_set_that_passed_still_passes(brain, name):
    failing = set()
    for case in cases(name):
        reply = brain.classify(" ".join(str(case["text"]).split()))
        out = {"kind": reply.kind, "intent": reply.intent, "reply": render_text(reply)}
        if judge(case, out) not in PASSING:
            failing.add(case["id"])
    assert failing <= KNOWN_MISSES[name], f"new misses: {sorted(failing - KNOWN_MISSES[name])}"
    assert KNOWN_MISSES[name] <= failing, f"fixed, take off the list: {sorted(KNOWN_MISSES[name] - failing)}"


def test_a_set_has_every_level_and_look_alikes(name="a"):
    categories = {case["category"] for case in cases(name)}
    assert categories == {"level1", "level2", "level3", "lookalike"}
