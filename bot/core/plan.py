"""The personal plan: rules from dialogs/plan.yaml applied to check-up answers."""

from __future__ import annotations

from dataclasses import dataclass

from bot.content.flows import Flow
from bot.content.plan_rules import PlanRules


@dataclass(frozen=True)
class PlanTip:
    """A tip chosen for this user and the answer labels it comes from."""

    text: str
    because: tuple[str, ...]
    see: str | None
    sources: tuple[str, ...]
    doctor: bool
    caveat: str | None = None  # the caveat (knowledge/caveats.yaml) that says the same, in an answer
    offers: str | None = None  # the daily reminder that helps keep this tip
    reason: str | None = None  # the rule's own reason, shown instead of "because you said" (then `because` is empty)


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

    @property
    def offers(self) -> tuple[str, ...]:
        """The daily reminders the plan's tips offer, in order, without repeats."""
        return tuple(dict.fromkeys(t.offers for t in self.tips if t.offers))



def build_plan(rules: PlanRules, flow: Flow, answers: dict[str, tuple[str, ...]]) -> Plan:
    """Pick the tips that apply to these answers: all doctor advice, and the top tips by priority."""
    labels = flow.answer_labels()
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
            because = () if rule.reason else tuple(reasons)  # an answer that is no reason for the tip is not quoted
            tip = PlanTip(rule.tip, because, rule.see, rule.sources, rule.doctor, rule.caveat, rule.offers,
                          rule.reason)
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
    """The plan's first screen: any doctor advice first, then the top tips and the safety net; every tip
    says which answer it comes from (the rest is `render_more`)."""
    lines = [rules.general_intro if plan.general else rules.intro]
    if plan.doctor:
        lines += ["", rules.doctor_heading]
        lines += [line for tip in plan.doctor for line in _tip_lines(rules, tip)]
        lines.append("")
    lines += [line for tip in plan.tips[:rules.first_tips] for line in _tip_lines(rules, tip)]
    return "\n".join([*lines, "", plan.safety_net.text, "", rules.outro])


def render_more(rules: PlanRules, plan: Plan) -> str | None:
    """The tips behind the plan's "More" button (None: the first screen showed them all)."""
    rest = plan.tips[rules.first_tips:]
    if not rest:
        return None
    return "\n".join([rules.more_intro, *(line for tip in rest for line in _tip_lines(rules, tip))])


def _tip_lines(rules: PlanRules, tip: PlanTip) -> list[str]:
    """A tip and, below it, why it is there."""
    return [f"• {tip.text}", *why_lines(rules, tip)]


def repr_label(label: str) -> str:
    """Quote an answer label for display."""
    return f"“{label}”"


def why_lines(rules: PlanRules, tip: PlanTip) -> list[str]:
    """The line under a tip saying why it is there: the answers it comes from, quoted as the labels picked
    ("because you said: “At night / in bed”"), or the rule's own reason; none for a general tip."""
    if tip.reason:
        return [f"   ↳ {tip.reason}"]
    if tip.because:
        return [f"   ↳ {rules.because}: {', '.join(repr_label(b) for b in tip.because)}"]
    return []
