"""Reads and checks dialogs/plan.yaml: the plan's tips, the answers each one applies to, and the plan's
fixed wording; every rule must name real check-up questions and choices."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.content.flows import Flow, FlowState
from bot.content.strict_yaml import Checker, checked_text, read_yaml

REMINDER_KINDS = ("bedtime", "hydration")  # what a tip may offer (bot.core.reminders.KINDS, checked there)


@dataclass(frozen=True)
class PlanRule:
    """A tip that applies when the answers match `when` (question -> accepted choice ids) and give none
    of the answers in `unless` (same shape)."""

    id: str
    when: dict[str, tuple[str, ...]]
    tip: str
    see: str | None
    sources: tuple[str, ...]
    doctor: bool = False
    priority: int = 0
    unless: dict[str, tuple[str, ...]] = field(default_factory=dict)
    caveat: str | None = None  # a caveat of knowledge/caveats.yaml that says the same: shown once, as that caveat
    offers: str | None = None  # the daily reminder (bot.core.reminders.KINDS) that helps keep this tip
    reason: str | None = None  # why the tip is given, where the answer alone is not ("for cramps that come often")


@dataclass(frozen=True)
class GeneralTip:
    """A tip that does not depend on the answers (the skipped-questions tips, the safety net)."""

    tip: str
    see: str | None
    sources: tuple[str, ...]


@dataclass(frozen=True)
class PlanRules:
    """All plan rules and the plan's fixed wording."""

    max_tips: int
    intro: str
    doctor_heading: str
    because: str
    general_intro: str
    outro: str
    rules: tuple[PlanRule, ...]
    general: tuple[GeneralTip, ...]
    safety_net: GeneralTip
    first_tips: int = 2  # tips on the first screen (after any doctor advice); the rest behind "More"
    more_intro: str = ""



def load_plan_rules(path: Path, label: str, flow: Flow) -> PlanRules:
    """Read dialogs/plan.yaml and check every rule refers to real questions and choices."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(
        doc, None,
        {"version": int, "max_tips": int, "intro": str, "doctor_heading": str, "because": str,
         "general_intro": str, "outro": str, "rules": list, "general_tips": list, "safety_net": dict,
         "first_tips": int, "more_intro": str},
    )):
        check.raise_if_any()
    questions = {s.answer: s for s in flow.states.values() if s.answer}
    rules: list[PlanRule] = []
    for item in doc["rules"]:
        name = item.get("id") if isinstance(item, dict) else None
        if not check.mapping(item, name, {"id": str, "when": dict, "tip": str, "sources": list},
                             {"see": str, "doctor": bool, "priority": int, "unless": dict, "caveat": str,
                              "offers": str, "reason": str}):
            continue
        name = checked_text(item, "id")
        when = _answer_condition(check, questions, item, "when", name)
        unless = _answer_condition(check, questions, item, "unless", name) if "unless" in item else {}
        sources = tuple(check.strings(item["sources"], "sources", name, item))
        if not sources:
            check.add("sources must name at least one document", name, item)
        if not item.get("doctor") and "priority" not in item:
            check.add("a tip that is not doctor advice needs a priority", name, item)
        if item.get("offers") not in (None, *REMINDER_KINDS):
            check.add(f"'offers' must be one of {', '.join(REMINDER_KINDS)}", name, item)
        rules.append(PlanRule(name, when, item["tip"].strip(), item.get("see"), sources,
                              bool(item.get("doctor", False)), int(item.get("priority", 0)), unless,
                              item.get("caveat"), item.get("offers"), (item.get("reason") or "").strip() or None))
    check.unique((r.id for r in rules), "rule id")
    general = [tip for tip in (_general_tip(check, item, "general_tips") for item in doc["general_tips"]) if tip]
    if not general:
        check.add("general_tips needs at least one tip")
    safety_net = _general_tip(check, doc["safety_net"], "safety_net")
    check.raise_if_any()
    assert safety_net is not None
    return PlanRules(doc["max_tips"], doc["intro"].strip(), doc["doctor_heading"].strip(), doc["because"].strip(),
                     doc["general_intro"].strip(), doc["outro"].strip(), tuple(rules), tuple(general), safety_net,
                     doc["first_tips"], doc["more_intro"].strip())


def _answer_condition(check: Checker, questions: dict[str, FlowState], item: dict[str, Any], key: str,
                      name: str | None) -> dict[str, tuple[str, ...]]:
    """Read a rule's `when` or `unless` (question -> choice ids); every question and choice must exist."""
    condition: dict[str, tuple[str, ...]] = {}
    for question, accepted in item[key].items():
        state = questions.get(question)
        if state is None:
            check.add(f"'{key}' names unknown question {question!r}", name, item)
            continue
        values = check.strings(accepted, f"{key}.{question}", name, item)
        for value in values:
            if state.choice(value) is None:
                check.add(f"'{key}': question {question!r} has no choice {value!r}", name, item)
        condition[question] = tuple(values)
    if not condition:
        check.add(f"'{key}' needs at least one question", name, item)
    return condition


def _general_tip(check: Checker, item: object, where: str) -> GeneralTip | None:
    """A tip that applies to everyone: text, sources and an optional `see` entry."""
    if not check.mapping(item, where, {"tip": str, "sources": list}, {"see": str}):
        return None
    assert isinstance(item, dict)
    sources = tuple(check.strings(item["sources"], "sources", where, item))
    if not sources:
        check.add("sources must name at least one document", where, item)
    return GeneralTip(item["tip"].strip(), item.get("see"), sources)
