"""Score CrampBot on a clinical case set (tests/data/clinical_fresh_*.yaml) through `crampbot ask --json`.

usage: python tests/tools/score_clinical.py FILE [--cmd "crampbot ask --json"] [-v]
A case passes when the reply has the expected level of care (urgent call_emergency / get_help_today, or
no red flag), starts the relief sequence when `relief` is true, contains one of `must_include_any` and
none of `must_not_include`. Prints per-category figures and 'score: X/Y'."""

from __future__ import annotations

import sys
from collections import Counter
from typing import Any

import yaml

from tests.tools.runs import arguments, replies


def judge(case: dict[str, Any], kind: str | None, intent: str | None, reply: str) -> list[str]:
    """Why a reply fails its case (an empty list when it passes)."""
    why = []
    level = case.get("level", "none")
    got = intent if kind == "urgent" else "none"
    if got != level:
        why.append(f"level {got} (want {level})")
    if case.get("relief") and kind != "emergency":
        why.append(f"kind {kind} (want the relief sequence)")
    text = reply.lower()
    wanted = [w.lower() for w in case.get("must_include_any") or []]
    if wanted and not any(w in text for w in wanted):
        why.append(f"none of {wanted}")
    why.extend(f"has {w!r}" for w in (case.get("must_not_include") or []) if w.lower() in text)
    return why


def main() -> int:
    """Run the set through the command and print the figures."""
    args = arguments()
    with open(args.cases) as file:
        cases = yaml.safe_load(file)["cases"]
    outs = replies(args.cmd, [str(c["text"]) for c in cases], timeout=300)
    if outs is None:
        return 1
    good, total = Counter(), Counter()
    for case, out in zip(cases, outs, strict=True):
        why = judge(case, out.get("kind"), out.get("intent"), out.get("reply") or "")
        total[case["category"]] += 1
        good[case["category"]] += not why
        if why and args.v:
            print(f"FAIL {case['id']} [{case['category']}] {case['text'][:110]!r}: {'; '.join(why)}")
    for category in total:
        print(f"  {category:20s} {good[category]}/{total[category]}")
    print(f"score: {sum(good.values())}/{sum(total.values())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
