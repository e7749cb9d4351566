"""Dialog flows as data (dialogs/*.yaml): states, prompts, choices and transitions, checked at load."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.strict_yaml import SNAKE_CASE, Checker, checked_text, read_yaml
from bot.core.replies import KINDS

BACK = "back"  # the navigation that returns to the previous question (not offered on a first one)
DONE = "done"  # the button that finishes a question whose buttons tick (`tick: true`)
ALONE = ("none", "neither")  # choices that mean "none of these": never taken together with another
NAVIGATION = (BACK, "skip", "cancel")
END_TYPES = ("plan", "message", "diary", "reminders", "zone")
PARSERS = ("past_time", "clock", "timezone")
MAX_LABEL = 40


@dataclass(frozen=True)
class FlowChoice:
    """One option of a question: what the button says, what free text selects it, where it leads."""

    id: str
    label: str
    says: tuple[str, ...]
    next: str | None
    range: tuple[float, float] | None = None
    not_with: tuple[str, ...] = ()  # words that, in the same clause, mean this choice is not meant ("at weekends")


@dataclass(frozen=True)
class NumberSpec:
    """How to read a number in free text ("3 glasses", "2 litres") for choices with ranges."""

    units: dict[str, float]
    bare: bool


@dataclass(frozen=True)
class HoldTimer:
    """A timed hold in a step."""

    seconds: int
    label: str
    done: str


@dataclass(frozen=True)
class FlowState:
    """A step: a question with choices, or an end."""

    id: str
    prompt: str
    choices: tuple[FlowChoice, ...] = ()
    next: str | None = None
    answer: str | None = None
    multi: bool = False
    number: NumberSpec | None = None
    timer: HoldTimer | None = None
    reask: str | None = None
    end: str | None = None
    kind: str | None = None
    level: str | None = None
    parse: str | None = None
    tick: bool = False  # buttons tick on and off (several answers), and Done moves on

    def choice(self, choice_id: str) -> FlowChoice | None:
        """The choice with this id, or None."""
        return next((c for c in self.choices if c.id == choice_id), None)


@dataclass(frozen=True)
class NavCommand:
    """back / skip / cancel: the button label and the words that mean it."""

    id: str
    label: str
    says: tuple[str, ...]


@dataclass(frozen=True)
class Ticks:
    """How a question whose buttons tick looks: the mark on a ticked choice and the Done button."""

    mark: str
    done: NavCommand


@dataclass(frozen=True)
class Escalation:
    """After `after_seconds`, choosing one of `on` goes to state `to` instead."""

    after_seconds: int
    on: tuple[str, ...]
    to: str


@dataclass(frozen=True)
class Flow:
    """A whole dialog: its states, navigation words and defaults."""

    id: str
    kind: str
    start: str
    states: dict[str, FlowState]
    navigation: dict[str, NavCommand]
    reask: str
    escalation: Escalation | None
    file: str
    ticks: Ticks | None = None
    echo: str | None = None  # said before the next message after a typed answer: "Got it: {answer}."
    holds_wait: bool = False  # a timed hold starts only when the person taps ▶️ Start (or types "start")

    def answer_labels(self) -> dict[tuple[str, str], str]:
        """The label of every choice, by (the answer it is stored under, its id): how a stored answer reads."""
        return {(s.answer, c.id): c.label for s in self.states.values() if s.answer for c in s.choices}


def load_flow(path: Path, label: str) -> Flow:
    """Read one flow file and check its graph; raise ContentError naming the file and state."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(
        doc, None,
        required={"version": int, "flow": str, "kind": str, "start": str, "reask": str, "states": dict},
        optional={"navigation": dict, "escalation": dict, "ticks": dict, "echo": str, "holds_wait_for_start": bool},
    )):
        check.raise_if_any()
    if doc["kind"] not in KINDS:
        check.add(f"kind must be one of {', '.join(KINDS)}", None, doc)
    navigation = _navigation(doc.get("navigation") or {}, check)
    states = {sid: s for sid, s in ((sid, _state(sid, node, check)) for sid, node in doc["states"].items()) if s}
    escalation = None
    if "escalation" in doc:
        node = doc["escalation"]
        if check.mapping(node, "escalation", {"after_seconds": int, "on": list, "to": str}):
            escalation = Escalation(node["after_seconds"], tuple(check.strings(node["on"], "on", "escalation")),
                                    node["to"])
    ticks = _ticks(doc["ticks"], check) if "ticks" in doc else None
    echo = _echo(doc["echo"], check) if "echo" in doc else None
    flow = Flow(doc["flow"], doc["kind"], doc["start"], states, navigation, doc["reask"].strip(), escalation, label,
                ticks, echo, doc.get("holds_wait_for_start", False))
    _check_graph(flow, check)
    _check_ticks(flow, check)
    check.raise_if_any()
    return flow


def _navigation(node: dict[str, Any], check: Checker) -> dict[str, NavCommand]:
    commands: dict[str, NavCommand] = {}
    for name, item in node.items():
        if name not in NAVIGATION:
            check.add(f"unknown navigation command {name!r} (allowed: {', '.join(NAVIGATION)})", "navigation", node)
            continue
        if check.mapping(item, f"navigation.{name}", {"label": str, "says": list}):
            commands[name] = NavCommand(name, item["label"].strip(),
                                        tuple(check.strings(item["says"], "says", f"navigation.{name}", item)))
    return commands


def _ticks(node: Any, check: Checker) -> Ticks | None:
    """The `ticks:` block: the mark on a ticked button and the Done button (its label and typed words)."""
    if not check.mapping(node, "ticks", {"mark": str, "done": dict}):
        return None
    done = node["done"]
    if not check.mapping(done, "ticks.done", {"label": str, "says": list}):
        return None
    says = tuple(check.strings(done["says"], "says", "ticks.done", done))
    return Ticks(node["mark"].strip(), NavCommand(DONE, done["label"].strip(), says))


def _echo(text: str, check: Checker) -> str | None:
    """The `echo:` text: it names the answer read, as {answer}, and nothing else in braces."""
    text = text.strip()
    try:
        filled = text.format(answer="")
    except (KeyError, IndexError, ValueError) as exc:
        check.add(f"echo: unknown or broken placeholder ({exc}); allowed: {{answer}}", "echo")
        return None
    if filled == text:
        check.add("echo: must name the answer read, as {answer}", "echo")
        return None
    return text


def _check_ticks(flow: Flow, check: Checker) -> None:
    """A question whose buttons tick takes several answers (`multi`), and its flow says how ticks look."""
    for state in flow.states.values():
        if state.tick and not state.multi:
            check.add("tick: true needs multi: true (ticked buttons give several answers)", state.id)
        if state.tick and flow.ticks is None:
            check.add("tick: true needs a ticks: block in the flow (the mark and the Done button)", state.id)


def _state(state_id: str, node: Any, check: Checker) -> FlowState | None:
    if not isinstance(state_id, str) or not SNAKE_CASE.match(state_id):
        check.add("state ids must be snake_case", str(state_id), node)
    ok = check.mapping(
        node, state_id, required={},
        optional={"prompt": str, "choices": list, "next": str, "answer": str, "multi": bool, "number": dict,
                  "timer": dict, "reask": str, "end": str, "kind": str, "level": str, "parse": str,
                  "tick": bool},
    )
    if not ok:
        return None
    prompt = (node.get("prompt") or "").strip()
    if not prompt:
        check.add("missing prompt", state_id, node)
    end = node.get("end")
    if end is not None and end not in END_TYPES:
        check.add(f"end must be one of {', '.join(END_TYPES)}", state_id, node)
    if node.get("kind") is not None and node["kind"] not in KINDS:
        check.add(f"kind must be one of {', '.join(KINDS)}", state_id, node)
    choices = tuple(c for c in (_choice(state_id, c, check) for c in node.get("choices") or []) if c)
    parse = node.get("parse")
    if parse is not None and parse not in PARSERS:
        check.add(f"parse must be one of {', '.join(PARSERS)}", state_id, node)
    if not end and not choices and not parse:
        check.add("a state that is not an end needs choices (or a parse: for free text)", state_id, node)
    if parse and not node.get("answer"):
        check.add("a state with parse: needs an answer key to store what was read", state_id, node)
    if end and (choices or node.get("next")):
        check.add("an end state cannot have choices or next", state_id, node)
    check.unique((c.id for c in choices), "choice id", state_id)
    number = None
    if "number" in node and check.mapping(node["number"], state_id, {"units": dict}, {"bare": bool}):
        number = NumberSpec({str(k).lower(): float(v) for k, v in node["number"]["units"].items()},
                            bool(node["number"].get("bare", True)))
        if not all(c.range for c in choices):
            check.add("with 'number', every choice needs a 'range'", state_id, node)
    timer = None
    if "timer" in node and check.mapping(node["timer"], state_id, {"seconds": int, "label": str, "done": str}):
        t = node["timer"]
        if not 1 <= t["seconds"] <= 3600:
            check.add("timer seconds must be 1-3600", state_id, node)
        timer = HoldTimer(t["seconds"], t["label"].strip(), t["done"].strip())
    return FlowState(state_id, prompt, choices, node.get("next"), node.get("answer"), node.get("multi", False),
                     number, timer, (node.get("reask") or "").strip() or None, end, node.get("kind"),
                     node.get("level"), parse, node.get("tick", False))


def _choice(state_id: str, node: Any, check: Checker) -> FlowChoice | None:
    name = node.get("id") if isinstance(node, dict) else None
    where = f"{state_id}.{name}"
    if not check.mapping(node, where, {"id": str, "label": str},
                         {"says": list, "next": str, "range": list, "not_with": list}):
        return None
    name = checked_text(node, "id")
    if not SNAKE_CASE.match(name):
        check.add("choice ids must be snake_case", where, node)
    label = node["label"].strip()
    if not label or len(label) > MAX_LABEL:
        check.add(f"label must be 1-{MAX_LABEL} characters", where, node)
    span = None
    if "range" in node:
        r = node["range"]
        if len(r) != 2 or not all(isinstance(v, (int, float)) for v in r) or r[0] > r[1]:
            check.add("range must be [low, high] numbers", where, node)
        else:
            span = (float(r[0]), float(r[1]))
    not_with = tuple(check.strings(_flatten(node.get("not_with", [])), "not_with", where, node))
    return FlowChoice(name, label, tuple(check.strings(_flatten(node.get("says", [])), "says", where, node)),
                      node.get("next"), span, not_with)


def _flatten(values: object) -> object:
    """Lists of phrases may nest one level, so a YAML anchor can be reused and extended:
    `says: [*next_says, [no heat pad]]`."""
    if not isinstance(values, list):
        return values
    return [v for item in values for v in (item if isinstance(item, list) else [item])]


def _check_graph(flow: Flow, check: Checker) -> None:
    """Unknown next states, unreachable states and missing targets are errors."""
    if flow.start not in flow.states:
        check.add(f"start state {flow.start!r} does not exist", "start")
    targets: dict[str, list[str]] = {}
    for state in flow.states.values():
        nexts = [state.next] if state.next else []
        nexts += [c.next for c in state.choices if c.next]
        for choice in state.choices:
            if not choice.next and not state.next:
                check.add(f"choice {choice.id!r} has no next state (and the state has no default)", state.id)
        if state.parse and not state.next:
            check.add("a state with parse: needs a default next state", state.id)
        for target in nexts:
            if target not in flow.states:
                check.add(f"unknown next state {target!r}", state.id)
        targets[state.id] = [t for t in nexts if t in flow.states]
    if flow.escalation:
        if flow.escalation.to not in flow.states:
            check.add(f"escalation goes to unknown state {flow.escalation.to!r}", "escalation")
        else:
            for state_id in flow.states:
                if not flow.states[state_id].end:
                    targets.setdefault(state_id, []).append(flow.escalation.to)
    reachable: set[str] = set()
    queue = deque([flow.start] if flow.start in flow.states else [])
    while queue:
        state_id = queue.popleft()
        if state_id in reachable:
            continue
        reachable.add(state_id)
        queue.extend(targets.get(state_id, []))
    for state_id in flow.states:
        if state_id not in reachable:
            check.add("unreachable state (no path from the start leads here)", state_id)
    if not any(s.end for s in flow.states.values()):
        check.add("the flow has no end state")
    check.unique((s.answer for s in flow.states.values() if s.answer), "answer key (two states store it)")
