"""Reads and checks the relief steps' extra content: the steps fitted to each muscle
(dialogs/relief_muscles.yaml) and what typed words mean while relief runs and just after it escalated
(dialogs/relief_words.yaml). Errors name the file and the entry."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.flows import Flow
from bot.content.strict_yaml import SNAKE_CASE, Checker, checked_text, read_yaml

HEARS = ("cant_reach", "moved", "worse", "better", "partly", "start")  # in the order they are tried
MUSCLE_FIELD = "{muscle}"  # the one field the `moved` reply may name


@dataclass(frozen=True)
class Muscle:
    """One muscle's relief steps: its button, the words that name it, the reading's labels it stands for,
    the muscles offered instead on its first step, what to do when the stretch is out of reach, and its
    prompts by relief state."""

    id: str
    label: str
    name: str
    says: tuple[str, ...]
    reading: tuple[str, ...]
    switch: tuple[str, ...]
    cant_reach: str
    steps: dict[str, str]
    covers: tuple[str, ...] = ()  # the muscles these steps stand for when more than one of them is named


@dataclass(frozen=True)
class ReliefMuscles:
    """Every muscle's steps, and which one to use when none is named."""

    default: str
    ask_where: str
    muscles: dict[str, Muscle]
    sources: tuple[str, ...]

    def get(self, muscle: str | None) -> Muscle:
        """The muscle with this key, or the default one (also for a key the content no longer has)."""
        return self.muscles.get(muscle or self.default) or self.muscles[self.default]

    def of_named(self, named: list[str]) -> str | None:
        """The muscle for those named in a message: the first, or the one that covers them all ("hamstrings
        and quads": the thigh)."""
        if len(set(named)) > 1:
            covering = [m.id for m in self.muscles.values() if set(named) <= set(m.covers)]
            if covering:
                return covering[0]
        return named[0] if named else None

    def from_reading(self, labels: tuple[str, ...]) -> str | None:
        """The first muscle that stands for one of the reading's muscle labels, in the order they were named."""
        for label in labels:
            for muscle in self.muscles.values():
                if label in muscle.reading:
                    return muscle.id
        return None

    def texts(self) -> list[tuple[str, str]]:
        """Every user-facing text: (where, text)."""
        found = [("relief_muscles.ask_where", self.ask_where)]
        for muscle in self.muscles.values():
            where = f"relief_muscles.{muscle.id}"
            found += [(f"{where}.label", muscle.label), (f"{where}.name", muscle.name),
                      (f"{where}.cant_reach", muscle.cant_reach)]
            found += [(f"relief_muscles.{muscle.id}.{state}", text) for state, text in muscle.steps.items()]
        return found


@dataclass(frozen=True)
class Heard:
    """A kind of thing said mid-sequence: its phrases and the line said first (may be empty)."""

    id: str
    says: tuple[str, ...]
    reply: str


@dataclass(frozen=True)
class Question:
    """A question asked mid-sequence with a short answer of its own."""

    id: str
    says: tuple[str, ...]
    answer: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class ReliefWords:
    """What typed words mean while relief runs (`hears`, `questions`), the Start button's words, and what is
    said and offered after an escalation."""

    hears: dict[str, Heard]
    questions: tuple[Question, ...]
    hold_button: str
    hold_started: str
    meanwhile: str
    again_button: str
    after_seconds: int
    hurts: Heard
    calm: Heard
    sources: tuple[str, ...]

    def phrases(self) -> list[str]:
        """Every phrase, for the spelling corrector's vocabulary."""
        groups = [h.says for h in (*self.hears.values(), self.hurts, self.calm)] + [q.says for q in self.questions]
        return [p for group in groups for p in group if not p.endswith("*")]

    def texts(self) -> list[tuple[str, str]]:
        """Every user-facing text: (where, text)."""
        found = [(f"relief_words.hears.{h.id}", h.reply) for h in self.hears.values() if h.reply]
        found += [(f"relief_words.questions.{q.id}", q.answer) for q in self.questions]
        found += [("relief_words.hold.button", self.hold_button), ("relief_words.hold.started", self.hold_started),
                  ("relief_words.escalated.meanwhile", self.meanwhile),
                  ("relief_words.escalated.again_button", self.again_button),
                  ("relief_words.escalated.hurts", self.hurts.reply), ("relief_words.escalated.calm", self.calm.reply)]
        return found


def load_relief_muscles(path: Path, label: str, relief: Flow, reading_muscles: tuple[str, ...]) -> ReliefMuscles:
    """Read dialogs/relief_muscles.yaml, checked against the relief flow's states and the reading's muscles."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(doc, None, {"version": int, "default": str, "ask_where": str,
                                                            "muscles": dict, "sources": list})):
        check.raise_if_any()
    muscles: dict[str, Muscle] = {}
    steps_allowed = tuple(s.id for s in relief.states.values() if not s.end)
    for key, node in doc["muscles"].items():
        muscle = _muscle(str(key), node, check, steps_allowed, reading_muscles)
        if muscle is not None:
            muscles[muscle.id] = muscle
    known = tuple(doc["muscles"])
    check.known([doc["default"]], known, "muscle key", "default", doc)
    for muscle in muscles.values():
        check.known((*muscle.switch, *muscle.covers), known, "muscle key", muscle.id, doc["muscles"][muscle.id])
        if muscle.id in muscle.switch:
            check.add("a muscle's buttons cannot offer the muscle itself", muscle.id, doc["muscles"][muscle.id])
    sources = tuple(check.strings(doc["sources"], "sources", None, doc))
    check.raise_if_any()
    return ReliefMuscles(doc["default"], doc["ask_where"].strip(), muscles, sources)


def _muscle(key: str, node: Any, check: Checker, steps_allowed: tuple[str, ...],
            reading_muscles: tuple[str, ...]) -> Muscle | None:
    if not SNAKE_CASE.match(key):
        check.add("muscle keys must be snake_case", key, node)
    if not check.mapping(node, key, {"label": str, "name": str, "says": list, "reading": list, "switch": list,
                                     "cant_reach": str, "steps": dict}, {"covers": list}):
        return None
    reading = check.strings(node["reading"], "reading", key, node) if node["reading"] else []
    check.known(reading, reading_muscles, "reading muscle label (knowledge/reading.yaml muscles)", key, node)
    steps = {str(state): text.strip() for state, text in node["steps"].items() if isinstance(text, str)}
    if len(steps) != len(node["steps"]):
        check.add("every step must be a text", key, node)
    check.known(steps, steps_allowed, "relief state (dialogs/relief.yaml)", key, node)
    switch = check.strings(node["switch"], "switch", key, node)
    covers = check.strings(node.get("covers", []), "covers", key, node)
    says = tuple(check.strings(node["says"], "says", key, node))
    return Muscle(key, checked_text(node, "label").strip(), checked_text(node, "name").strip(), says,
                  tuple(reading), tuple(switch), node["cant_reach"].strip(), steps, tuple(covers))


def load_relief_words(path: Path, label: str) -> ReliefWords:
    """Read dialogs/relief_words.yaml; raise ContentError naming the file and entry."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(doc, None, {"version": int, "sources": list, "hears": dict,
                                                            "questions": list, "hold": dict, "escalated": dict})):
        check.raise_if_any()
    hears = {str(k): h for k, h in ((k, _heard(str(k), v, check)) for k, v in doc["hears"].items()) if h}
    check.known(hears, HEARS, "hears", "hears", doc["hears"])
    for missing in sorted(set(HEARS) - set(doc["hears"])):
        check.add(f"missing {missing!r}", "hears", doc["hears"])
    moved = hears.get("moved")
    if moved is not None and moved.reply.replace(MUSCLE_FIELD, "").count("{"):
        check.add(f"the moved reply may name only {MUSCLE_FIELD}", "hears.moved", doc["hears"])
    questions = tuple(q for q in (_question(node, check) for node in doc["questions"]) if q)
    check.unique((q.id for q in questions), "question id", "questions")
    hold, escalated = doc["hold"], doc["escalated"]
    check.mapping(hold, "hold", {"button": str, "started": str})
    check.mapping(escalated, "escalated", {"meanwhile": str, "again_button": str, "minutes": int, "hurts": dict,
                                           "calm": dict})
    hurts = _heard("hurts", escalated.get("hurts"), check)
    calm = _heard("calm", escalated.get("calm"), check)
    sources = tuple(check.strings(doc["sources"], "sources", None, doc))
    check.raise_if_any()
    assert hurts is not None and calm is not None
    return ReliefWords(hears, questions, hold["button"].strip(), hold["started"].strip(),
                       escalated["meanwhile"].strip(), escalated["again_button"].strip(),
                       int(escalated["minutes"]) * 60, hurts, calm, sources)


def _heard(key: str, node: Any, check: Checker) -> Heard | None:
    if not check.mapping(node, key, {"says": list, "reply": str}):
        return None
    says = check.strings(node["says"], "says", key, node)
    if not says:
        check.add("says must name at least one phrase", key, node)
    return Heard(key, tuple(says), node["reply"].strip())


def _question(node: Any, check: Checker) -> Question | None:
    name = node.get("id") if isinstance(node, dict) else None
    if not check.mapping(node, name, {"id": str, "says": list, "answer": str, "sources": list}):
        return None
    name = checked_text(node, "id")
    return Question(name, tuple(check.strings(node["says"], "says", name, node)), node["answer"].strip(),
                    tuple(check.strings(node["sources"], "sources", name, node)))
