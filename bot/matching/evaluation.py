"""Accuracy of the whole answer pipeline on a labelled set of user utterances (`crampbot eval`)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from bot.content.bundle import Content
from bot.content.strict_yaml import Checker, read_yaml
from bot.core.brain import Brain
from bot.core.replies import KINDS
from bot.matching.matcher import SCORERS, Matcher, MatcherSettings

TARGET_OVERALL = 0.95
TARGET_STRICT = {"urgent": 1.0, "emergency": 1.0}


@dataclass(frozen=True)
class Labelled:
    """One utterance and the reply kind and intent it should get."""

    text: str
    kind: str
    intent: str | None


@dataclass(frozen=True)
class Outcome:
    """What the bot did with one labelled utterance."""

    item: Labelled
    kind: str
    intent: str | None
    score: float

    @property
    def correct(self) -> bool:
        """Kind and intent both as labelled."""
        return self.kind == self.item.kind and self.intent == self.item.intent


@dataclass(frozen=True)
class Report:
    """Accuracy overall, per kind and per intent, with the confusions."""

    outcomes: tuple[Outcome, ...]

    @property
    def accuracy(self) -> float:
        """Share of utterances answered exactly as labelled."""
        return sum(o.correct for o in self.outcomes) / max(1, len(self.outcomes))

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind -> (correct, total)."""
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for o in self.outcomes:
            table[o.item.kind][0] += o.correct
            table[o.item.kind][1] += 1
        return {k: (v[0], v[1]) for k, v in table.items()}

    def by_intent(self) -> dict[str, tuple[int, int]]:
        """intent (or '(fallback)') -> (correct, total)."""
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for o in self.outcomes:
            key = o.item.intent or "(fallback)"
            table[key][0] += o.correct
            table[key][1] += 1
        return {k: (v[0], v[1]) for k, v in table.items()}

    def confusions(self) -> Counter[tuple[str, str]]:
        """(expected, got) -> count, for the mistakes."""
        return Counter((_label(o.item.kind, o.item.intent), _label(o.kind, o.intent))
                       for o in self.outcomes if not o.correct)

    def failures(self) -> list[str]:
        """Targets that are not met, in words (empty when all are met)."""
        problems = []
        if self.accuracy < TARGET_OVERALL:
            problems.append(f"overall accuracy {self.accuracy:.1%} is below {TARGET_OVERALL:.0%}")
        for kind, target in TARGET_STRICT.items():
            good, total = self.by_kind().get(kind, (0, 0))
            if total == 0 or good / total < target:
                problems.append(f"{kind}: {good}/{total} correct, target {target:.0%}")
        return problems


def _label(kind: str, intent: str | None) -> str:
    return f"{kind}:{intent}" if intent else kind


def default_set() -> Path:
    """The labelled set in the source checkout (an installed wheel has no tests: use --file)."""
    return Path(__file__).resolve().parents[2] / "tests" / "data" / "labelled.yaml"


def load_labelled(path: Path) -> list[Labelled]:
    """Read a labelled set (version 1: utterances with text, kind, intent)."""
    label = str(path)
    doc = read_yaml(path, label)
    check = Checker(label)
    items: list[Labelled] = []
    if check.version(doc) and check.mapping(doc, None, {"version": int, "utterances": list}):
        for node in doc["utterances"]:
            text = node.get("text") if isinstance(node, dict) else None
            if not check.mapping(node, text, {"text": str, "kind": str, "intent": (str, type(None))}):
                continue
            if node["kind"] not in KINDS:
                check.add(f"unknown kind {node['kind']!r}", text, node)
            items.append(Labelled(node["text"], node["kind"], node["intent"]))
    check.raise_if_any()
    return items


def evaluate(content: Content, items: Iterable[Labelled]) -> Report:
    """Answer every utterance with a fresh session and compare with its label."""
    brain = Brain(content)
    outcomes = []
    for item in items:
        reply = brain.classify(item.text)
        intent = reply.intent if reply.kind != "fallback" else None
        outcomes.append(Outcome(item, reply.kind, intent, reply.score))
    return Report(tuple(outcomes))


def format_report(report: Report, verbose: bool = False) -> str:
    """A readable table: overall, per kind, per intent (worst first), confusions."""
    lines = [f"overall: {report.accuracy:.1%} ({sum(o.correct for o in report.outcomes)}/{len(report.outcomes)})",
             "", "per kind:"]
    for kind in KINDS:
        good, total = report.by_kind().get(kind, (0, 0))
        if total:
            lines.append(f"  {kind:<10} {good / total:7.1%}  ({good}/{total})")
    lines += ["", "per intent (worst first):"]
    for intent, (good, total) in sorted(report.by_intent().items(), key=lambda kv: (kv[1][0] / kv[1][1], kv[0])):
        lines.append(f"  {intent:<22} {good / total:7.1%}  ({good}/{total})")
    confusions = report.confusions()
    lines += ["", f"confusions ({sum(confusions.values())}):"]
    for (expected, got), count in confusions.most_common():
        lines.append(f"  {expected:<30} -> {got:<30} x{count}")
    if verbose:
        lines += ["", "mistakes:"]
        for o in report.outcomes:
            if not o.correct:
                lines.append(f"  {o.item.text!r}: expected {_label(o.item.kind, o.item.intent)}, "
                             f"got {_label(o.kind, o.intent)} ({o.score:.0f})")
    failures = report.failures()
    lines += ["", "targets: " + ("met" if not failures else "NOT met: " + "; ".join(failures))]
    return "\n".join(lines)


def sweep(content: Content, items: list[Labelled]) -> list[tuple[MatcherSettings, float]]:
    """Accuracy of every scorer blended at several weights and thresholds (with the sentence vectors at
    the shipped weight), and of each scorer alone (weight 1.0, thresholds on its own scale); best first."""
    base = content.matcher.settings
    grid = [(scorer, weight, threshold) for scorer in SCORERS for weight in (0.0, 0.2, 0.35, 0.5, 0.65)
            for threshold in (30.0, 35.0, 40.0, 42.0, 45.0)]
    grid += [(scorer, 1.0, threshold) for scorer in SCORERS for threshold in (50.0, 60.0, 70.0, 80.0)]
    results = []
    for scorer, weight, threshold in grid:
        settings = replace(base, scorer=scorer, fuzzy_weight=weight, threshold=threshold)
        matcher = Matcher(content.knowledge, content.normaliser, settings)
        results.append((settings, evaluate(replace(content, matcher=matcher), items).accuracy))
    return sorted(results, key=lambda r: -r[1])
