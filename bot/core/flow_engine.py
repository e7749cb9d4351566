"""Runs a dialog flow: reads free text or button presses as choices, moves between states,
starts timed holds. Pure and synchronous: (position, input, now) -> (new position, what to show)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from rapidfuzz import fuzz

from bot.content.flows import ALONE, BACK, DONE, Flow, FlowChoice, FlowState
from bot.core import actions
from bot.core.replies import Choice
from bot.core.session import FlowPosition, PendingTimer
from bot.language.normaliser import Normalised, Normaliser
from bot.language.phrases import phrase_at


@dataclass(frozen=True)
class ReadContext:
    """What a free-text parser may need besides the text: the time and the user's zone."""

    now: float
    zone: str | None


Parser = Callable[[str, ReadContext], "str | None"]
_NUMBER = re.compile(r"(?<![\d.])(\d{1,4}(?:[.,]\d{1,2})?)\s*([a-z]+)?")
_BELOW = re.compile(r"\b(?:less than|fewer than|under|below|not even)\s*$")  # "less than 4 glasses": under 4
_ABOVE = re.compile(r"\b(?:more than|over|above)\s*$")  # "more than 7 glasses": over 7
NUDGE = 0.01  # how far a bound said with "less than" or "more than" moves the amount
_SCORE = re.compile(r"(?<![\d.])(\d{1,2})\s*(?:/|out of)\s*(\d{1,2})(?![\d.])")  # "4/5", "3 out of 5"
_RANGE_WORDS = {"to", "or", "and"}
_FUZZY_MIN = 90


@dataclass(frozen=True)
class Reading:
    """What a free-text message means inside a state: a navigation command, choices, or nothing."""

    nav: str | None = None
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class Step:
    """The result of moving a flow on: the new position (with every answer, also when the flow has
    ended; None only when it was cancelled) and the state to show."""

    position: FlowPosition | None
    state: FlowState
    ended: bool = False
    cancelled: bool = False
    in_place: bool = False  # a button was ticked or unticked: the same question, shown in place of the pressed one


class FlowEngine:
    """Interprets input for one flow and computes transitions."""

    def __init__(self, flow: Flow, normaliser: Normaliser, parsers: dict[str, Parser] | None = None):
        self.flow = flow
        self.normaliser = normaliser
        self.parsers = parsers or {}
        self._says: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        self._not_with: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for state in flow.states.values():
            phrases = [(normaliser.phrase(s), c.id) for c in state.choices for s in (*c.says, c.label)]
            self._says[state.id] = [(p, cid) for p, cid in phrases if p]
            vetoes = [(normaliser.phrase(s), c.id) for c in state.choices for s in c.not_with]
            self._not_with[state.id] = [(p, cid) for p, cid in vetoes if p]
        commands = [*flow.navigation.values(), *([flow.ticks.done] if flow.ticks else [])]
        self._nav = {cmd.id: [normaliser.phrase(s) for s in (*cmd.says, cmd.label)] for cmd in commands}
        # unit words of the flow's other amounts: "2 minutes" answers how long, never how bad
        units = {unit for state in flow.states.values() if state.number for unit in state.number.units}
        self._foreign_units = {state.id: units - set(state.number.units) for state in flow.states.values()
                               if state.number}

    # -- positions -------------------------------------------------------------------------

    def start(self, now: float, answers: dict[str, tuple[str, ...]] | None = None,
              target: int | None = None) -> Step:
        """Begin the flow at its start state; questions already answered in `answers` are skipped."""
        position = FlowPosition(self.flow.id, self.flow.start, now, dict(answers or {}), (), None, 1, target)
        return self._enter(position, self.flow.start, now, push=False, skip_answered=True)

    def state(self, position: FlowPosition) -> FlowState:
        """The state a position points at."""
        return self.flow.states[position.state]

    def _enter(self, position: FlowPosition, state_id: str, now: float, push: bool = True,
               skip_answered: bool = False, again: bool = False) -> Step:
        """Move to a state (`again`: the same step once more, so its hold runs at once, never waiting for
        ▶️ Start: the person is already in position)."""
        state = self.flow.states[state_id]
        while skip_answered and not state.end and state.answer and state.answer in position.answers:
            state = self.flow.states[self._next_of(state, position.answers[state.answer])]
        state_id = state.id
        history = (*position.history, position.state) if push else position.history
        step_no = position.step_no + 1 if push else position.step_no
        timer = None
        waiting = bool(state.timer) and self.flow.holds_wait and not again
        if state.timer and not waiting:
            timer = PendingTimer(f"{self.flow.id}.{state_id}.{step_no}", now + state.timer.seconds,
                                 state.timer.seconds, state.timer.label)
        ticked = position.answers.get(state.answer, ()) if state.tick and state.answer else ()  # shown again: ticked
        moved = replace(position, state=state_id, history=history, timer=timer, step_no=step_no, ticked=ticked,
                        hold_waiting=waiting)
        return Step(moved, state, ended=bool(state.end))

    def start_hold(self, position: FlowPosition, now: float) -> FlowPosition | None:
        """Start the hold that waits for ▶️ Start; None when none is waiting."""
        state = self.state(position)
        if not position.hold_waiting or state.timer is None:
            return None
        timer = PendingTimer(f"{self.flow.id}.{state.id}.{position.step_no}", now + state.timer.seconds,
                             state.timer.seconds, state.timer.label)
        return replace(position, timer=timer, hold_waiting=False)

    def jump(self, position: FlowPosition, state_id: str, now: float) -> Step:
        """Go straight to a state (a steps' start for another muscle, the end when it has eased); states
        already answered are passed over."""
        return self._enter(position, state_id, now, skip_answered=True)

    def choose(self, position: FlowPosition, choice_ids: tuple[str, ...], now: float) -> Step:
        """Record the chosen option(s) and move to the next state (or escalate when it is time)."""
        state = self.state(position)
        answers = dict(position.answers)
        if state.answer:
            answers[state.answer] = choice_ids
        target = self._next_of(state, choice_ids)
        esc = self.flow.escalation
        if esc and any(c in esc.on for c in choice_ids) and now - position.started_at >= esc.after_seconds:
            target = esc.to
        return self._enter(replace(position, answers=answers), target, now, skip_answered=True,
                           again=target == position.state)

    def _next_of(self, state: FlowState, choice_ids: tuple[str, ...]) -> str:
        """Where an answer leads: the first chosen option's own next, else the state's default."""
        first: FlowChoice | None = state.choice(choice_ids[0]) if choice_ids else None
        target = (first.next if first and first.next else None) or state.next
        if target is None and state.choices:
            target = state.choices[0].next
        assert target is not None, "flows are checked at load: every choice has a next state"
        return target

    def navigate(self, position: FlowPosition, command: str, now: float) -> Step:
        """Apply back / skip / cancel, or Done on a question whose buttons tick (nothing ticked: skipped)."""
        state = self.state(position)
        if command == DONE and position.ticked:
            return self.choose(position, position.ticked, now)
        if command == "cancel":
            return Step(None, state, ended=True, cancelled=True)
        if command in ("skip", DONE):
            answers = dict(position.answers)
            if state.answer:
                answers[state.answer] = ()
            return self._enter(replace(position, answers=answers), self._next_of(state, ()), now,
                               skip_answered=True)
        # back
        if not position.history:
            return self._enter(position, position.state, now, push=False)
        previous = position.history[-1]
        moved = replace(position, history=position.history[:-1])
        return self._enter(moved, previous, now, push=False)

    def tap(self, position: FlowPosition, choice: str, now: float) -> Step | None:
        """A button pressed on a question whose buttons tick: a choice ticks or unticks (shown in place), Done
        moves on with the ticked choices (nothing ticked: skipped), and "none of these" answers at once. None
        when this question's buttons do not tick, or for any other button (back, skip, cancel)."""
        state = self.state(position)
        if not state.tick:
            return None
        if choice == f"{actions.NAV_PREFIX}{DONE}":
            return self.navigate(position, DONE, now)
        if state.choice(choice) is None:
            return None
        if choice in ALONE:
            return self.choose(position, (choice,), now)
        ticked = set(position.ticked) - set(ALONE)
        ticked ^= {choice}
        order = [c.id for c in state.choices]
        moved = replace(position, ticked=tuple(sorted(ticked, key=order.index)))
        return Step(moved, state, in_place=True)

    def with_ticked(self, position: FlowPosition, typed: tuple[str, ...]) -> tuple[str, ...]:
        """A typed answer on a question whose buttons tick, with what is ticked already ("none of these"
        typed alone stands alone)."""
        if not self.state(position).tick or not position.ticked or all(c in ALONE for c in typed):
            return typed
        order = [c.id for c in self.state(position).choices]
        both = {*position.ticked, *typed} - set(ALONE)
        return tuple(sorted(both, key=order.index))

    def labels(self, position: FlowPosition, choices: tuple[str, ...]) -> tuple[str, ...]:
        """The labels of these choices of the current question (a coded answer, like a typed time, has none)."""
        state = self.state(position)
        return tuple(c.label for c in (state.choice(i) for i in choices) if c is not None)

    def timer_done(self, position: FlowPosition, timer_id: str) -> FlowPosition | None:
        """Clear the timer if `timer_id` is the running one; None when it is stale."""
        if position.timer is None or position.timer.timer_id != timer_id:
            return None
        return replace(position, timer=None)

    # -- reading input -----------------------------------------------------------------------

    def prefill(self, message: Normalised, raw: str, context: ReadContext) -> dict[str, tuple[str, ...]]:
        """Answers a message already gives ("had a cramp last night in my left foot": when, where).
        Only clear phrases, typed times and numbers with units count here; no guessing."""
        answers: dict[str, tuple[str, ...]] = {}
        for state in self.flow.states.values():
            if state.answer and not state.end:
                reading = self.read(state, message, raw, context, careful=True)
                if reading.choices:
                    answers[state.answer] = reading.choices
        return answers

    def read(self, state: FlowState, message: Normalised, raw: str, context: ReadContext | None = None,
             careful: bool = False) -> Reading:
        """Work out which command or choice(s) a free-text message means in this state (`careful`:
        no navigation words, bare numbers or fuzzy guesses, for reading answers out of other text)."""
        tokens = message.tokens
        nav = None if careful else self._navigation(tokens, state)
        if nav:
            return Reading(nav=nav)
        if state.parse and state.parse in self.parsers and context is not None:
            parsed = self.parsers[state.parse](raw, context)
            if parsed:
                return Reading(choices=(parsed,))
        scored = self._by_score(state, raw) if state.number else None
        if scored:
            return Reading(choices=(scored,))
        if state.number and not (careful and state.number.bare):
            picked = self._by_number(state, raw)
            if picked:
                return Reading(choices=(picked,))
        if state.number and self._foreign_amount(state, raw):
            return Reading()  # "2 minutes" at "how bad": not the label "2"
        found = self._by_phrase(state, message, careful)
        if len(found) > 1 and not state.multi:
            return Reading()  # two different answers to a one-answer question: ask again, don't guess
        if found:
            return Reading(choices=found)
        return Reading(choices=() if careful else self._by_fuzzy(state, message))

    def _navigation(self, tokens: tuple[str, ...], state: FlowState) -> str | None:
        if not tokens or len(tokens) > 5:
            return None
        for name, phrases in self._nav.items():
            if name == DONE and not state.tick:
                continue
            for phrase in phrases:
                if phrase and tuple(tokens[: len(phrase)]) == phrase and len(tokens) - len(phrase) <= 2:
                    return name
        return None

    def _by_number(self, state: FlowState, raw: str) -> str | None:
        """An amount such as "3 glasses", "1.5 litres" or "2 to 3 litres" (a range counts as its middle)."""
        assert state.number is not None
        text = " ".join(self.normaliser.data.numbers.get(w, w) for w in raw.lower().split())
        found = [(float(m.group(1).replace(",", ".")) + _bound(text[:m.start()]), m.group(2) or "")
                 for m in _NUMBER.finditer(text)]
        amounts: list[float] = []
        for index, (value, unit) in enumerate(found):
            if unit in self._foreign_units[state.id]:
                continue  # "2 minutes" typed at "how bad": an answer to another question
            factor = state.number.units.get(unit) if unit else None
            if factor is None and index + 1 < len(found) and unit in _RANGE_WORDS:
                factor = state.number.units.get(found[index + 1][1])  # "2 to 3 litres": litres for both
            if factor is None and not state.number.bare:
                continue
            amounts.append(value * (factor if factor is not None else 1.0))
        if not amounts:
            return None
        amount = sum(amounts[:2]) / len(amounts[:2])
        return next((c.id for c in state.choices if c.range and c.range[0] <= amount <= c.range[1]), None)

    def _foreign_amount(self, state: FlowState, raw: str) -> bool:
        """True when the text gives an amount in another question's units ("2 minutes" at "how bad")."""
        text = " ".join(self.normaliser.data.numbers.get(w, w) for w in raw.lower().split())
        return any(unit in self._foreign_units[state.id] for _, unit in _NUMBER.findall(text))

    def _by_score(self, state: FlowState, raw: str) -> str | None:
        """A score out of the scale's top ("4/5", "3 out of 5") on a scale whose choices are whole numbers."""
        tops = [c.range[1] for c in state.choices if c.range]
        found = _SCORE.search(raw.lower())
        if not found or not tops or float(found.group(2)) != max(tops) or max(tops) > 10:
            return None
        value = float(found.group(1))
        return next((c.id for c in state.choices if c.range and c.range[0] <= value <= c.range[1]), None)

    def _by_phrase(self, state: FlowState, message: Normalised, careful: bool = False) -> tuple[str, ...]:
        """Choices whose phrases occur in the message; the longest phrase wins where they overlap, and a
        negated phrase ("not on water pills"), or one whose choice a `not_with` phrase of the same clause rules
        out ("wine at weekends" is not alcohol most days), claims its words without choosing anything
        (`careful`: not a bare number or a lone no-word, which mean something else inside other text: "3am",
        "no idea why")."""
        hits: list[tuple[int, int, str | None]] = []  # (position, length, choice or None when negated)
        offset = 0
        negations = self.normaliser.data.negation_words
        for clause in message.clauses:
            ruled_out = self._ruled_out(state, clause)
            for phrase, choice_id in self._says[state.id]:
                if careful and len(phrase) == 1 and (phrase[0].isdecimal() or phrase[0] in negations):
                    continue
                for start in range(len(clause)):
                    if phrase_at(clause, start, phrase):
                        negated = self.normaliser.negated(clause, start) or choice_id in ruled_out
                        hits.append((offset + start, len(phrase), None if negated else choice_id))
            offset += len(clause)
        hits.sort(key=lambda h: (-h[1], h[0], h[2] is not None))
        covered: set[int] = set()
        chosen: list[str] = []
        for start, length, hit in hits:
            span = set(range(start, start + length))
            if span & covered:
                continue
            covered |= span
            if hit is not None and hit not in chosen:
                chosen.append(hit)
        if state.multi and len(chosen) > 1:
            negatives = {c.id for c in state.choices if c.id in ALONE}
            chosen = [c for c in chosen if c not in negatives] or chosen
        order = [c.id for c in state.choices]
        return tuple(sorted(chosen, key=order.index))

    def _ruled_out(self, state: FlowState, clause: tuple[str, ...]) -> set[str]:
        """The choices a `not_with` phrase in this clause rules out (a negated one rules out nothing: "I drink,
        and not just at weekends")."""
        return {choice_id for phrase, choice_id in self._not_with[state.id] for start in range(len(clause))
                if phrase_at(clause, start, phrase) and not self.normaliser.negated(clause, start)}

    def _by_fuzzy(self, state: FlowState, message: Normalised) -> tuple[str, ...]:
        """Last resort: a typo'd label or phrase ("hig heels") close enough to exactly one choice."""
        text = " ".join(message.tokens)
        if not text:
            return ()
        scores: dict[str, float] = {}
        for phrase, choice_id in self._says[state.id]:
            if len(" ".join(phrase)) < 5 or any(p.endswith("*") for p in phrase):
                continue
            score = fuzz.ratio(text, " ".join(phrase))
            scores[choice_id] = max(scores.get(choice_id, 0.0), score)
        good = [cid for cid, score in scores.items() if score >= _FUZZY_MIN]
        return tuple(good) if len(good) == 1 else ()

    # -- rendering -------------------------------------------------------------------------

    def buttons(self, state: FlowState, can_go_back: bool = True, ticked: tuple[str, ...] = (),
                first: tuple[Choice, ...] = (), extra: tuple[Choice, ...] = ()) -> tuple[Choice, ...]:
        """The state's choices (after `first`, before `extra`) plus the flow's navigation buttons (no Back on a
        first question); on a question whose buttons tick, the ticked choices marked and the Done button after
        the choices."""
        flow, ticks = self.flow.id, self.flow.ticks if state.tick else None
        choices = [*first, *(Choice(actions.flow_choice(flow, state.id, c.id),
                                    f"{ticks.mark} {c.label}" if ticks and c.id in ticked else c.label)
                             for c in state.choices), *extra]
        if ticks is not None:
            choices.append(Choice(actions.flow_nav(flow, state.id, DONE), ticks.done.label))
        choices += [Choice(actions.flow_nav(flow, state.id, n.id), n.label) for n in self.flow.navigation.values()
                    if can_go_back or n.id != BACK]
        return tuple(choices)



def _bound(before: str) -> float:
    """How far the words before an amount move it: "less than 4" is just under 4, "more than 7" just over."""
    return -NUDGE if _BELOW.search(before) else NUDGE if _ABOVE.search(before) else 0.0
