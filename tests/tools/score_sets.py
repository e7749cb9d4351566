"""Score CrampBot on the real-question and first-use sets, black-box, from `crampbot ask --json` output.

usage: python tests/tools/score_sets.py FILE [--cmd "crampbot ask --json"] [-v]
FILE is either a real-question set (`cases:` with q, kind, any, none: tests/data/real_questions.yaml)
or a first-use set (`messages:` with text and expect: tests/data/first_use_fresh.yaml). Prints the
figures per kind or label and a last line 'score: X/Y (Z%)'. The judges are also used by the tests."""

from __future__ import annotations

import re
import sys
from collections import Counter
from typing import Any

import yaml

from tests.tools.runs import arguments, replies

CHOICE_LINE = re.compile(r"^\s+\d+\) .*$", re.M)  # a numbered button line: a button is not advice
MAX_REPLY = 1800  # characters: longer than this is not a phone-sized answer
RELIEF = "menu:cramp"


def judge_question(case: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Why a reply fails a real-question case (empty when it passes): its kind must be allowed, each
    `any` group needs one of its words in the reply text (buttons not counted), no `none` word."""
    kinds = case["kind"] if isinstance(case["kind"], list) else [case["kind"]]
    reply = CHOICE_LINE.sub("", out.get("reply") or "").lower()
    why = [] if out.get("kind") in kinds else [f"kind {out.get('kind')!r} not in {kinds}"]
    why.extend(f"none of {group[:5]}" for group in case.get("any") or []
               if not any(str(word).lower() in reply for word in group))
    why.extend(f"has {word!r}" for word in case.get("none") or [] if str(word).lower() in reply)
    if len(reply) > MAX_REPLY:
        why.append(f"reply {len(reply)} chars")
    return why


def judge_first_use(case: dict[str, Any], out: dict[str, Any]) -> list[str]:
    """Why a reply fails a first-use message (empty when it passes), by its `expect` label."""
    expect, kind, intent = case["expect"], out.get("kind"), out.get("intent")
    actions = out.get("actions") or []
    if expect == "relief":
        ok = kind == "emergency" or (intent == "relief_offer" and RELIEF in actions)
    elif expect == "clarify":
        ok = intent == "clarify" or kind == "answer"
    elif expect == "answer":
        ok = kind == "answer" and intent != "clarify"
    elif expect == "decline":
        ok = kind == "fallback" and intent != "other_language"
    elif expect == "other_language":
        ok = intent == "other_language" and RELIEF in actions
    elif expect == "urgent":
        ok = kind == "urgent"
    else:
        return [f"unknown label {expect!r}"]
    return [] if ok else [f"{kind} {intent}"]


def load(path: str) -> tuple[list[dict[str, Any]], str]:
    """The cases of a set file and which judge fits it ('question' or 'first_use')."""
    with open(path) as file:
        data = yaml.safe_load(file)
    if "cases" in data:
        return data["cases"], "question"
    return data["messages"], "first_use"


def text_of(case: dict[str, Any]) -> str:
    """The message of a case, on one line."""
    return " ".join(str(case.get("q", case.get("text"))).split())


def main() -> int:
    """Run the set through the command and print the figures."""
    args = arguments()
    cases, form = load(args.cases)
    judge = judge_question if form == "question" else judge_first_use
    outs = replies(args.cmd, [text_of(c) for c in cases])
    if outs is None:
        print(f"score: got too few replies for {len(cases)} messages")
        return 1
    good: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for case, out in zip(cases, outs, strict=True):
        label = str(case.get("category") if form == "question" else case.get("expect"))
        why = judge(case, out)
        total[label] += 1
        good[label] += not why
        if why and args.v:
            print(f"FAIL [{label}] {case.get('id', '')} {text_of(case)[:120]!r}: {'; '.join(why)}\n"
                  f"    -> {out.get('kind')} {out.get('intent')} {(out.get('reply') or '')[:150]!r}")
    for label in sorted(total):
        print(f"  {label:15s} {good[label]}/{total[label]}")
    for part in sorted({str(c["set"]) for c in cases if "set" in c}):
        mine = [(c, out) for c, out in zip(cases, outs, strict=True) if c.get("set") == part]
        print(f"  set {part}: {sum(not judge(c, out) for c, out in mine)}/{len(mine)}")
    score = sum(good.values())
    print(f"score: {score}/{len(cases)} ({score / len(cases):.0%})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
