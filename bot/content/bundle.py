"""Load and cross-check all content (knowledge/ and dialogs/) into one ready-to-use bundle."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from bot.content.caveats import load_caveats
from bot.content.context import load_context
from bot.content.emergency_numbers import load_numbers
from bot.content.flows import Flow, load_flow
from bot.content.knowledge import Knowledge, Source, load_knowledge
from bot.content.language import load_language
from bot.content.messages import Messages, load_messages
from bot.content.paths import content_root
from bot.content.plan_rules import PlanRules, load_plan_rules
from bot.content.reading import check_topics, load_reading
from bot.content.relief_content import ReliefMuscles, ReliefWords, load_relief_muscles, load_relief_words
from bot.content.safety import SafetyData, load_safety
from bot.content.strict_yaml import ContentError, Problem
from bot.content.triage import TriageData, load_triage
from bot.core.answer_context import Context
from bot.core.caveats import Caveat, Caveats
from bot.core.content_ids import ENTRIES as ENTRIES_NAMED_IN_CODE
from bot.language.english import common_words
from bot.language.normaliser import LanguageData, Normaliser, words_in
from bot.language.reading import Reader
from bot.matching.matcher import Matcher, MatcherSettings
from bot.matching.passages import PassageIndex
from bot.safety.emergency_numbers import EmergencyNumbers
from bot.safety.scanner import Triggers

T = TypeVar("T")
FLOWS = ("checkup", "relief", "diary", "reminders", "zone")
# What a level of care's text may name: filled in per person (bot.safety.emergency_numbers)
LEVEL_FIELDS = {"emergency_number": "", "same_day": ""}


@dataclass(frozen=True)
class Content:
    """Everything the core needs, loaded and checked once at start-up."""

    root: Path
    knowledge: Knowledge
    language: LanguageData
    safety: SafetyData
    flows: dict[str, Flow]
    plan: PlanRules
    messages: Messages
    normaliser: Normaliser
    triggers: Triggers
    matcher: Matcher
    caveats: Caveats
    numbers: EmergencyNumbers
    reader: Reader
    context: Context
    passages: PassageIndex
    relief_muscles: ReliefMuscles  # the relief steps fitted to each muscle (dialogs/relief_muscles.yaml)
    relief_words: ReliefWords  # what typed words mean while relief runs (dialogs/relief_words.yaml)

    @property
    def checkup(self) -> Flow:
        """The check-up flow."""
        return self.flows["checkup"]

    @property
    def relief(self) -> Flow:
        """The emergency relief flow."""
        return self.flows["relief"]



def load_content(root: Path | None = None, settings: MatcherSettings | None = None) -> Content:
    """Load every content file, check it, and build the matcher; raise ContentError listing all problems."""
    root = root or content_root()
    problems: list[Problem] = []

    def attempt(load: Callable[[], T]) -> T | None:
        """Run one loader, collecting its problems instead of stopping at the first file."""
        try:
            return load()
        except ContentError as exc:
            problems.extend(exc.problems)
            return None

    kdir, ddir = root / "knowledge", root / "dialogs"
    knowledge = attempt(lambda: load_knowledge(kdir))
    language = attempt(lambda: load_language(kdir / "language.yaml", "knowledge/language.yaml"))
    safety = attempt(lambda: load_safety(kdir / "safety.yaml", "knowledge/safety.yaml"))
    triage = attempt(lambda: load_triage(kdir / "triage.yaml", "knowledge/triage.yaml", set(safety.levels))) \
        if safety else None
    caveats = attempt(lambda: load_caveats(kdir / "caveats.yaml", "knowledge/caveats.yaml"))
    numbers = attempt(lambda: load_numbers(kdir / "emergency_numbers.yaml", "knowledge/emergency_numbers.yaml"))
    flows = {name: attempt(partial(load_flow, ddir / f"{name}.yaml", f"dialogs/{name}.yaml")) for name in FLOWS}
    checkup, relief = flows["checkup"], flows["relief"]
    messages = attempt(lambda: load_messages(ddir / "messages.yaml", "dialogs/messages.yaml"))
    plan = attempt(lambda: load_plan_rules(ddir / "plan.yaml", "dialogs/plan.yaml", checkup)) if checkup else None
    reading = attempt(lambda: load_reading(kdir / "reading.yaml", "knowledge/reading.yaml", checkup)) \
        if checkup else None
    context = attempt(lambda: load_context(kdir / "context.yaml", "knowledge/context.yaml", reading,
                                           tuple(t.id for t in reading.topics))) if reading else None
    muscles = attempt(lambda: load_relief_muscles(ddir / "relief_muscles.yaml", "dialogs/relief_muscles.yaml",
                                                  relief, tuple(reading.muscles))) if relief and reading else None
    words = attempt(lambda: load_relief_words(ddir / "relief_words.yaml", "dialogs/relief_words.yaml"))
    if problems:
        raise ContentError(problems)
    assert muscles is not None and words is not None
    assert knowledge and language and safety and checkup and relief and messages and plan and numbers
    assert caveats is not None and reading is not None and context is not None and triage is not None
    loaded = {name: flow for name, flow in flows.items() if flow is not None}

    problems.extend(_cross_check(knowledge, safety, loaded, messages, plan))
    problems.extend(_check_caveats(caveats, knowledge))
    ids = {caveat.id for caveat in caveats}
    problems.extend(Problem("dialogs/plan.yaml", f"caveat: {rule.caveat!r} is not in knowledge/caveats.yaml", rule.id)
                    for rule in plan.rules if rule.caveat is not None and rule.caveat not in ids)
    problems.extend(_check_criteria(safety, triage, knowledge.sources))
    problems.extend(check_topics(reading, knowledge, "knowledge/reading.yaml"))
    for line in context.lines:
        problems.extend(unknown_sources("knowledge/context.yaml", line.id, line.sources, knowledge.sources))
    problems.extend(unknown_sources("knowledge/emergency_numbers.yaml", None, numbers.sources, knowledge.sources))
    problems.extend(unknown_sources("dialogs/relief_muscles.yaml", None, muscles.sources, knowledge.sources))
    problems.extend(unknown_sources("dialogs/relief_words.yaml", None, words.sources, knowledge.sources))
    for question in words.questions:
        problems.extend(unknown_sources("dialogs/relief_words.yaml", question.id, question.sources, knowledge.sources))
    normaliser = Normaliser(language, english=common_words())
    texts = [e for entry in knowledge.entries.values() for e in entry.examples]
    texts += safety.phrases()
    texts += [m for caveat in caveats for m in caveat.mentions]
    texts += [p for region in numbers.regions for p in region.places]
    texts += reading.phrases()
    texts += triage.phrases()
    texts += [s for muscle in muscles.muscles.values() for s in muscle.says] + words.phrases()
    for flow in loaded.values():
        texts += [s for state in flow.states.values() for c in state.choices for s in c.says]
        texts += [s for nav in flow.navigation.values() for s in nav.says]
    normaliser.set_vocabulary({normaliser.known_form(w) for w in words_in(texts, normaliser)})
    with normaliser.remembering():  # the checks, the matcher and the passages read the same examples
        problems.extend(_duplicate_examples(knowledge, normaliser))
        if problems:
            raise ContentError(problems)
        triggers = Triggers(safety, triage, normaliser)
        matcher = Matcher(knowledge, normaliser, settings)
        passages = PassageIndex(knowledge, normaliser)
    return Content(root, knowledge, language, safety, loaded, plan, messages, normaliser, triggers, matcher,
                   Caveats(caveats, normaliser), EmergencyNumbers(numbers, normaliser), Reader(reading, normaliser),
                   context, passages, muscles, words)


def _check_criteria(safety: SafetyData, triage: TriageData, sources: dict[str, Source]) -> list[Problem]:
    """Every red-flag and routine rule names a criterion of knowledge/triage.yaml at the rule's own level,
    and every criterion cites known sources."""
    problems: list[Problem] = []
    for rule in (*safety.red_flags, *safety.routine):
        criterion = triage.criteria.get(rule.criterion or "")
        if criterion is None:
            problems.append(Problem("knowledge/safety.yaml", f"unknown criterion {rule.criterion!r}", rule.id))
        elif criterion.level != rule.level:
            problems.append(Problem("knowledge/safety.yaml",
                                    f"level {rule.level!r} but its criterion {criterion.id!r} is {criterion.level!r}",
                                    rule.id))
    for criterion in triage.criteria.values():
        problems.extend(unknown_sources("knowledge/triage.yaml", criterion.id, criterion.sources, sources))
    return problems


def unknown_sources(file: str, entry: str | None, cited: tuple[str, ...], known: dict[str, Source]) -> list[Problem]:
    """A problem for each cited source that knowledge/sources.yaml does not list."""
    return [Problem(file, f"source {s!r} is not in knowledge/sources.yaml", entry) for s in cited if s not in known]


def _check_caveats(caveats: tuple[Caveat, ...], knowledge: Knowledge) -> list[Problem]:
    """Every caveat cites known sources, and some answer gives the advice it is about."""
    problems: list[Problem] = []
    given = {kind for entry in knowledge.entries.values() for kind in entry.advice}
    for caveat in caveats:
        problems.extend(unknown_sources("knowledge/caveats.yaml", caveat.id, caveat.sources, knowledge.sources))
        if caveat.instead is not None and caveat.instead not in knowledge.entries:
            problems.append(Problem("knowledge/caveats.yaml", f"instead: {caveat.instead!r} is not a knowledge entry",
                                    caveat.id))
        if given and not set(caveat.advice) & given:
            problems.append(Problem("knowledge/caveats.yaml",
                                    "no knowledge entry gives the advice this caveat is about", caveat.id))
    return problems


def _cross_check(knowledge: Knowledge, safety: SafetyData, flows: dict[str, Flow], messages: Messages,
                 plan: PlanRules) -> list[Problem]:
    """References between files: entry ids, levels and sources must exist."""
    problems: list[Problem] = []
    entries, sources = knowledge.entries, knowledge.sources
    for name, flow in flows.items():
        if flow.id != name:
            problems.append(Problem(f"dialogs/{name}.yaml", f"the flow in {name}.yaml must be named {name!r}"))
    if not any(e.kind == "emergency" for e in entries.values()):
        problems.append(Problem("knowledge", "no entry of kind 'emergency' (the active-cramp intent)"))
    for entry_id in ENTRIES_NAMED_IN_CODE:
        if entry_id not in entries:
            problems.append(Problem("knowledge", f"no entry {entry_id!r}, which the code names (core/content_ids.py)"))
    for action in [c.action for c in messages.commands] + [m.action for m in messages.menu]:
        if action.startswith("ask:") and action[4:] not in entries:
            problems.append(Problem("dialogs/messages.yaml", f"action {action!r} names an unknown entry"))
    for rule in plan.rules:
        if rule.see and rule.see not in entries:
            problems.append(Problem("dialogs/plan.yaml", f"see: {rule.see!r} is not a knowledge entry", rule.id))
        problems.extend(unknown_sources("dialogs/plan.yaml", rule.id, rule.sources, sources))
    for name, tip in [*(("general_tips", t) for t in plan.general), ("safety_net", plan.safety_net)]:
        if tip.see and tip.see not in entries:
            problems.append(Problem("dialogs/plan.yaml", f"see: {tip.see!r} is not a knowledge entry", name))
        problems.extend(unknown_sources("dialogs/plan.yaml", name, tip.sources, sources))
    for level in safety.levels.values():
        try:
            level.text.format(**LEVEL_FIELDS)
        except (KeyError, IndexError, ValueError) as exc:
            problems.append(Problem("knowledge/safety.yaml", f"level text has an unknown or broken placeholder "
                                    f"({exc}); allowed: {', '.join('{' + k + '}' for k in LEVEL_FIELDS)}", level.id))
        problems.extend(unknown_sources("knowledge/safety.yaml", level.id, level.sources, sources))
    for flow in flows.values():
        for state in flow.states.values():
            if state.level and state.level not in safety.levels:
                problems.append(Problem(flow.file, f"unknown level {state.level!r}", state.id))
            if state.kind == "urgent" and not state.level:
                problems.append(Problem(flow.file, "an urgent end state needs a level", state.id))
    return problems


def _duplicate_examples(knowledge: Knowledge, normaliser: Normaliser) -> list[Problem]:
    """The same phrasing (after normalisation) under two entries would make matching a coin toss."""
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for entry in knowledge.entries.values():
        for example in entry.examples:
            key = normaliser.normalise(example).key
            other = owner.setdefault(key, entry.id)
            if other != entry.id:
                problems.append(Problem(entry.file, f"example {example!r} also belongs to {other!r}", entry.id))
    return problems
