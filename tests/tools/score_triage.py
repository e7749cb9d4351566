"""Score CrampBot's safety triage on a fresh triage set (tests/data/triage_fresh_*.yaml), black-box, from
`crampbot ask --json` output.

usage: python tests/tools/score_triage.py FILE [--cmd "crampbot ask --json"] [-v]
Each case has a `level` (1, 2, 3 or none) and a `category`. The first reply is read as:
level 1 (call emergency services), level 2 (get help today), a yes/no triage question (and the level a
"yes" gives), "book" (not urgent, and the reply says to book an appointment or see the GP, midwife or
prescriber) or none. Figures:
- levels 1 and 2: caught = the first reply gives that level or a more urgent one; "after a tap" also
  counts a triage question whose "yes" gives it; "lower" counts replies at a less urgent level;
- level 3: told to book = "book" in the first reply (level 2 or 1 counted apart, as over-triage);
- look-alikes: raised = the first reply is level 1 or 2 (questions counted apart).
The last line is 'score: X/Y'; the judge is also used by the tests."""

from __future__ import annotations

import re
import sys
from collections import Counter
from typing import Any

import yaml

from tests.tools.runs import arguments, replies

CHOICE_LINE = re.compile(r"^\s+\d+\) .*$", re.M)  # a numbered button line is not advice
BOOK = re.compile(r"appointment|see (?:a|your) (?:doctor|gp)|\bgp\b|midwife|prescriber|kidney team", re.I)
RANK = {"call_emergency": 1, "get_help_today": 2}
PASSING = ("caught", "booked", "quiet", "asked")  # caught_after_tap is counted apart, not as a pass


def reading(out: dict[str, Any]) -> tuple[str, int | None]:
    """What a reply does: ('urgent', rank), ('ask', rank a yes gives), ('book', None) or ('none', None)."""
    kind, intent = out.get("kind"), out.get("intent") or ""
    if kind == "urgent":
        return "urgent", RANK.get(intent, 2)
    if kind == "triage_question":
        return "ask", RANK.get(intent, 2)
    text = CHOICE_LINE.sub("", out.get("reply") or "")
    return ("book", None) if BOOK.search(text) else ("none", None)


def judge(case: dict[str, Any], out: dict[str, Any]) -> str:
    """The verdict for one case: 'caught', 'caught_after_tap', 'lower', 'missed', 'booked', 'over',
    'not_booked', 'raised', 'asked' or 'quiet'."""
    level = str(case["level"])
    what, rank = reading(out)
    if level in ("1", "2"):
        want = int(level)
        if what == "urgent" and rank is not None:
            return "caught" if rank <= want else "lower"
        if what == "ask" and rank is not None and rank <= want:
            return "caught_after_tap"
        return "missed"
    if level == "3":
        if what == "urgent":
            return "over"
        return "booked" if what == "book" else "not_booked"
    if what == "urgent":
        return "raised"
    return "asked" if what == "ask" else "quiet"


def main() -> int:
    """Run the set through the command and print the figures."""
    args = arguments()
    with open(args.cases) as file:
        cases = yaml.safe_load(file)["cases"]
    outs = replies(args.cmd, [str(c["text"]) for c in cases])
    if outs is None:
        return 1
    verdicts: dict[str, Counter[str]] = {}
    good = 0
    for case, out in zip(cases, outs, strict=True):
        verdict = judge(case, out)
        verdicts.setdefault(case["category"], Counter())[verdict] += 1
        ok = verdict in PASSING
        good += ok
        if args.v and not ok:
            what, rank = reading(out)
            print(f"{verdict.upper():8s} {case['id']} L{case['level']} got {what}{rank or ''}: "
                  f"{' '.join(str(case['text']).split())[:160]!r}")
    for category, counts in verdicts.items():
        total = sum(counts.values())
        print(f"  {category:10s} {total:4d}  " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print(f"score: {good}/{len(cases)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
