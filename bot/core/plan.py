"""The personal plan: rules from dialogs/plan.yaml applied to check-up answers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from bot.content.flows import Flow, FlowState
from bot.content.strict_yaml import Checker, read_yaml


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


@dataclass(frozen=True)
class PlanTip:
    """A tip chosen for this user and the answer labels it comes from."""

    text: str
    because: tuple[str, ...]
    see: str | None
    sources: tuple[str, ...]
    doctor: bool


@dataclass(frozen=True)
class Plan:
    """The personal plan: chosen tips, doctor advice, the safety net, and the entries to offer next."""

    tips: tuple[PlanTip, ...]
    doctor: tuple[PlanTip, ...]
    general: bool
    safety_net: PlanTip

    @property
    def sources(self) -> tuple[str, ...]:
        """Every source behind the plan, without repeats."""
        seen: dict[str, None] = {}
        for tip in (*self.doctor, *self.tips, self.safety_net):
            seen.update(dict.fromkeys(tip.sources))
        return tuple(seen)

    @property
    def see_also(self) -> tuple[str, ...]:
        """Knowledge entries linked from the plan, in order, without repeats."""
        return tuple(dict.fromkeys(t.see for t in (*self.doctor, *self.tips, self.safety_net) if t.see))


def load_plan_rules(path: Path, label: str, flow: Flow) -> PlanRules:
    """Read dialogs/plan.yaml and check every rule refers to real questions and choices."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(
        doc, None,
        {"version": int, "max_tips": int, "intro": str, "doctor_heading": str, "because": str,
         "general_intro": str, "outro": str, "rules": list, "general_tips": list, "safety_net": dict},
    )):
        check.raise_if_any()
    questions = {s.answer: s for s in flow.states.values() if s.answer}
    rules: list[PlanRule] = []
    for item in doc["rules"]:
        name = item.get("id") if isinstance(item, dict) else None
        if not check.mapping(item, name, {"id": str, "when": dict, "tip": str, "sources": list},
                             {"see": str, "doctor": bool, "priority": int, "unless": dict}):
            continue
        when = _answer_condition(check, questions, item, "when", name)
        unless = _answer_condition(check, questions, item, "unless", name) if "unless" in item else {}
        sources = tuple(check.strings(item["sources"], "sources", name, item))
        if not sources:
            check.add("sources must name at least one document", name, item)
        if not item.get("doctor") and "priority" not in item:
            check.add("a tip that is not doctor advice needs a priority", name, item)
        rules.append(PlanRule(name, when, item["tip"].strip(), item.get("see"), sources,
                              bool(item.get("doctor", False)), int(item.get("priority", 0)), unless))
    check.unique((r.id for r in rules), "rule id")
    general = [tip for tip in (_general_tip(check, item, "general_tips") for item in doc["general_tips"]) if tip]
    if not general:
        check.add("general_tips needs at least one tip")
    safety_net = _general_tip(check, doc["safety_net"], "safety_net")
    check.raise_if_any()
    assert safety_net is not None
    return PlanRules(doc["max_tips"], doc["intro"].strip(), doc["doctor_heading"].strip(), doc["because"].strip(),
                     doc["general_intro"].strip(), doc["outro"].strip(), tuple(rules), tuple(general), safety_net)


def _answer_condition(check: Checker, questions: dict[str, FlowState], item: dict, key: str,
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


def build_plan(rules: PlanRules, flow: Flow, answers: dict[str, tuple[str, ...]]) -> Plan:
    """Pick the tips that apply to these answers: all doctor advice, and the top tips by priority."""
    labels = _answer_labels(flow)
    doctor: list[PlanTip] = []
    tips: list[tuple[int, int, PlanTip]] = []
    for order, rule in enumerate(rules.rules):
        if any(c in excluded for question, excluded in rule.unless.items() for c in answers.get(question, ())):
            continue
        reasons: list[str] = []
        for question, accepted in rule.when.items():
            given = [c for c in answers.get(question, ()) if c in accepted]
            if not given:
                break
            reasons.extend(labels[(question, c)] for c in given)
        else:
            tip = PlanTip(rule.tip, tuple(reasons), rule.see, rule.sources, rule.doctor)
            if rule.doctor:
                doctor.append(tip)
            else:
                tips.append((-rule.priority, order, tip))
    chosen = tuple(t for _, _, t in sorted(tips)[: rules.max_tips])
    net = rules.safety_net
    safety_net = PlanTip(net.tip, (), net.see, net.sources, False)
    if chosen or doctor:
        return Plan(chosen, tuple(doctor), general=False, safety_net=safety_net)
    general = tuple(PlanTip(g.tip, (), g.see, g.sources, False) for g in rules.general)
    return Plan(general, (), general=True, safety_net=safety_net)


def render_plan(rules: PlanRules, plan: Plan) -> str:
    """The plan as a phone-sized message; every tip says which answer it comes from."""
    lines = [rules.general_intro if plan.general else rules.intro]
    for tip in plan.tips:
        lines.append(f"• {tip.text}")
        if tip.because:
            lines.append(f"   ↳ {rules.because}: {', '.join(repr_label(b) for b in tip.because)}")
    if plan.doctor:
        lines.append("")
        lines.append(rules.doctor_heading)
        for tip in plan.doctor:
            lines.append(f"• {tip.text}")
            lines.append(f"   ↳ {rules.because}: {', '.join(repr_label(b) for b in tip.because)}")
    lines.append("")
    lines.append(plan.safety_net.text)
    lines.append("")
    lines.append(rules.outro)
    return "\n".join(lines)


def repr_label(label: str) -> str:
    """Quote an answer label for display."""
    return f"“{label}”"


def _answer_labels(flow: Flow) -> dict[tuple[str, str], str]:
    return {(s.answer, c.id): c.label for s in flow.states.values() if s.answer for c in s.choices}
