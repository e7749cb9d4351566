"""The conversation core: one pure function from (session, event, now) to (session, replies).

Order on every typed message: red flags, then an active cramp, then commands, the running dialog,
"more", and finally the knowledge base. Never imports telegram."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.content import Content
from bot.dialog_engine import NAV_PREFIX, FlowEngine, Step, parse_action
from bot.knowledge import Entry
from bot.language import Normalised
from bot.plan import build_plan, render_plan
from bot.replies import Choice, Reply
from bot.session import Event, FlowPosition, Press, Session, Text, TimerDone
from bot.triggers import RedFlag

MORE_KEYS = frozenset({"more", "tell more", "more please", "more info", "more information", "more detail",
                       "more details", "go on", "continue", "keep going", "and"})
MAX_SAFETY_SCAN = 20_000  # characters scanned for red flags (Telegram allows 4,096 per message)
MAX_MATCHED = 2_000  # characters used for intent matching


@dataclass(frozen=True)
class Outcome:
    """The new session and the replies to show, in order."""

    session: Session
    replies: tuple[Reply, ...]


class Brain:
    """Decides what to say. Holds only content; all per-chat state is passed in and returned."""

    def __init__(self, content: Content):
        self.content = content
        self.messages = content.messages
        self.engines = {"checkup": FlowEngine(content.checkup, content.normaliser),
                        "relief": FlowEngine(content.relief, content.normaliser)}
        self._cramp_entry = next(e for e in content.knowledge.entries.values() if e.kind == "emergency")

    # -- entry point ---------------------------------------------------------------------------

    def respond(self, session: Session, event: Event, now: float) -> Outcome:
        """Handle one event for one chat."""
        if isinstance(event, Text):
            return self._on_text(session, event.text, now)
        if isinstance(event, Press):
            return self._on_press(session, event.action, now)
        if isinstance(event, TimerDone):
            return self._on_timer(session, event.timer_id, now)
        raise TypeError(f"unknown event {event!r}")

    def classify(self, text: str) -> Reply:
        """Answer one message with a fresh session (stateless `ask`); returns the first reply."""
        outcome = self.respond(Session(), Text(text), 0.0)
        return outcome.replies[0]

    # -- typed text ----------------------------------------------------------------------------

    def _on_text(self, session: Session, text: str, now: float) -> Outcome:
        text = (text or "")[:MAX_SAFETY_SCAN]
        message = self.content.normaliser.normalise(text)
        found = self.content.triggers.assess(message)
        if found.red_flag is not None:
            return self._urgent(session, found.red_flag)
        stripped = text.strip()
        if stripped.startswith("/"):
            return self._command(session, stripped, now)
        if found.active_cramp is not None:
            return self._cramp_now(session, now, 100.0)
        if len(text) > MAX_MATCHED:
            text = text[:MAX_MATCHED]
            message = self.content.normaliser.normalise(text)
        if session.active is not None:
            return self._in_flow(session, message, text, now)
        if not message.tokens:
            return Outcome(session, (self._menu_reply(self.messages.text("empty"), "fallback"),))
        if message.key in MORE_KEYS and session.last_intent:
            return self._more(session, session.last_intent, session.more_shown + 1)
        return self._answer_from_matcher(session, message, now)

    def _answer_from_matcher(self, session: Session, message: Normalised, now: float) -> Outcome:
        match = self.content.matcher.match(message)
        if match.intent is None:
            reply = self._menu_reply(self.messages.text("fallback"), "fallback", score=match.score)
            return Outcome(session.with_(last_intent=None, more_shown=0), (reply,))
        entry = self.content.knowledge.get(match.intent)
        if entry.kind == "emergency":
            return self._cramp_now(session, now, match.score)
        if entry.kind == "fallback":
            reply = self._menu_reply(entry.answer, "fallback", score=match.score)
            return Outcome(session.with_(last_intent=None, more_shown=0), (reply,))
        return self._entry(session, entry, match.score)

    def _command(self, session: Session, text: str, now: float) -> Outcome:
        name = text[1:].split()[0].split("@")[0].lower() if len(text) > 1 else ""
        action = self.messages.command_action(name)
        if action is None:
            reply = self._menu_reply(f"I don't know the command /{name}. " + self.messages.text("menu_prompt"),
                                     "fallback", intent=None, score=0.0)
            return Outcome(session, (reply,))
        return self._on_press(session, action, now, from_command=True)

    # -- button presses ------------------------------------------------------------------------

    def _on_press(self, session: Session, action: str, now: float, from_command: bool = False) -> Outcome:
        if action.startswith("menu:"):
            return self._menu_action(session, action[5:], now)
        if action.startswith("ask:"):
            entry = self.content.knowledge.entries.get(action[4:])
            if entry is not None:
                if entry.kind == "emergency":
                    return self._cramp_now(session, now, 100.0)
                return self._entry(session, entry, 100.0)
        if action.startswith("more:"):
            _, entry_id, _, number = (action.split(":") + ["", "", ""])[:4]
            if entry_id in self.content.knowledge.entries and number.isdigit():
                return self._more(session, entry_id, int(number))
        parsed = parse_action(action)
        if parsed and session.active and (parsed[0], parsed[1]) == (session.active.flow, session.active.state):
            return self._flow_press(session, parsed[2], now)
        return self._stale(session)

    def _menu_action(self, session: Session, name: str, now: float) -> Outcome:
        text = self.messages.text
        if name == "start":
            greeting = f"{text('greeting')}\n{text('disclaimer')}\n\n{text('menu_prompt')}"
            return Outcome(session, (self._menu_reply(greeting, "smalltalk", intent="start"),))
        if name == "main":
            return Outcome(session, (self._menu_reply(text("menu_prompt"), "smalltalk", intent="menu"),))
        if name == "help":
            return Outcome(session, (self._menu_reply(text("help"), "smalltalk", intent="help"),))
        if name == "cramp":
            return self._cramp_now(session, now, 100.0)
        if name == "checkup":
            return self._start_checkup(session, now)
        if name == "resume":
            return self._resume(session, now)
        if name == "restart":
            return self._start_checkup(session, now, restart=True)
        if name == "cancel":
            return self._cancel(session)
        return self._stale(session)

    # -- flows ---------------------------------------------------------------------------------

    def _start_checkup(self, session: Session, now: float, restart: bool = False) -> Outcome:
        current = session.active if session.active and session.active.flow == "checkup" else session.paused
        if current is not None and not restart:
            buttons = (Choice("menu:resume", self.messages.buttons["resume_checkup"]),
                       Choice("menu:restart", self.messages.buttons["restart_checkup"]))
            reply = Reply(self.messages.text("resume_offer"), "answer", buttons, intent="checkup")
            return Outcome(session, (reply,))
        engine = self.engines["checkup"]
        step = engine.start(now)
        assert step.position is not None
        paused = session.paused if session.paused and session.paused.flow != "checkup" else None
        new = session.with_(active=step.position, paused=paused)
        prefix = self.messages.text("checkup_restart") if restart else ""
        return Outcome(new, (engine.prompt(step.position, step.state, "checkup", (), prefix),))

    def _resume(self, session: Session, now: float) -> Outcome:
        if session.active and session.active.flow == "checkup":
            return self._reprompt(session, "")
        if session.paused is None:
            reply = self._menu_reply(self.messages.text("no_checkup_to_resume"), "smalltalk", intent="menu")
            return Outcome(session, (reply,))
        position = replace(session.paused, timer=None)
        engine = self.engines[position.flow]
        new = session.with_(active=position, paused=None)
        return Outcome(new, (engine.prompt(position, engine.state(position), position.flow, ()),))

    def _cancel(self, session: Session) -> Outcome:
        if session.active is None and session.paused is None:
            reply = self._menu_reply(self.messages.text("nothing_to_cancel"), "smalltalk", intent="cancel")
            return Outcome(session, (reply,))
        reply = self._menu_reply(self.messages.text("cancelled"), "smalltalk", intent="cancel")
        return Outcome(Session(), (reply,))

    def _cramp_now(self, session: Session, now: float, score: float) -> Outcome:
        entry = self._cramp_entry
        if session.active and session.active.flow == "relief":
            return self._flow_choose(session, ("still",), now, prefix=self.messages.text("relief_already"))
        paused = session.paused
        prefix = entry.answer
        if session.active and session.active.flow == "checkup":
            paused = replace(session.active, timer=None)
            prefix = f"{entry.answer} {self.messages.text('checkup_paused')}"
        engine = self.engines["relief"]
        step = engine.start(now)
        assert step.position is not None
        reply = engine.prompt(step.position, step.state, entry.id, entry.sources, prefix)
        reply = replace(reply, score=score)
        new = session.with_(active=step.position, paused=paused, last_intent=None, more_shown=0)
        return Outcome(new, (reply,))

    def _in_flow(self, session: Session, message: Normalised, raw: str, now: float) -> Outcome:
        assert session.active is not None
        engine = self.engines[session.active.flow]
        state = engine.state(session.active)
        reading = engine.read(state, message, raw)
        if reading.nav:
            return self._flow_step(session, engine.navigate(session.active, reading.nav, now), now)
        if reading.choices:
            return self._flow_choose(session, reading.choices, now)
        # Not an answer: maybe a question or a cramp; answer it, then show where we were.
        match = self.content.matcher.match(message) if message.tokens else None
        if match and match.intent:
            entry = self.content.knowledge.get(match.intent)
            if entry.kind == "emergency":
                return self._cramp_now(session, now, match.score)
            if entry.kind == "answer" and len(message.tokens) >= 3:
                answered = self._entry(session, entry, match.score)
                back = self._reprompt(answered.session, self.messages.text("question_in_flow"))
                plain = tuple(replace(r, choices=()) for r in answered.replies)  # the flow's buttons follow
                return Outcome(back.session, (*plain, *back.replies))
        reask = state.reask or engine.flow.reask
        return self._reprompt(session, reask)

    def _flow_press(self, session: Session, choice: str, now: float) -> Outcome:
        assert session.active is not None
        engine = self.engines[session.active.flow]
        if choice.startswith(NAV_PREFIX):
            return self._flow_step(session, engine.navigate(session.active, choice[1:], now), now)
        if engine.state(session.active).choice(choice) is None:
            return self._stale(session)
        return self._flow_choose(session, (choice,), now)

    def _flow_choose(self, session: Session, choices: tuple[str, ...], now: float, prefix: str = "") -> Outcome:
        assert session.active is not None
        step = self.engines[session.active.flow].choose(session.active, choices, now)
        return self._flow_step(session, step, now, prefix)

    def _flow_step(self, session: Session, step: Step, now: float, prefix: str = "") -> Outcome:
        assert session.active is not None
        flow_id = session.active.flow
        engine = self.engines[flow_id]
        if step.cancelled:
            keep = session.paused if flow_id == "relief" else None
            reply = self._menu_reply(self.messages.text("cancelled"), "smalltalk", intent="cancel")
            return Outcome(session.with_(active=None, paused=keep), (reply,))
        if not step.ended:
            assert step.position is not None
            intent = "cramp_now" if flow_id == "relief" else "checkup"
            sources = self._cramp_entry.sources if flow_id == "relief" else ()
            return Outcome(session.with_(active=step.position),
                           (engine.prompt(step.position, step.state, intent, sources, prefix),))
        if step.state.end == "plan":
            assert step.position is not None
            return self._finish_checkup(session, step.position.answers)
        return self._finish_relief(session, step, prefix)

    def _finish_checkup(self, session: Session, answers: dict[str, tuple[str, ...]]) -> Outcome:
        plan_rules = self.content.plan
        plan = build_plan(plan_rules, self.content.checkup, answers)
        text = f"{self.content.checkup.states['plan'].prompt}\n\n{render_plan(plan_rules, plan)}"
        entries = self.content.knowledge.entries
        buttons = tuple(Choice(f"ask:{s}", entries[s].title) for s in plan.see_also[:4])
        buttons += (Choice("menu:main", self.messages.buttons["menu"]),)
        reply = Reply(text, "answer", buttons, intent="checkup_plan", sources=plan.sources)
        return Outcome(session.with_(active=None), (reply,))

    def _finish_relief(self, session: Session, step: Step, prefix: str) -> Outcome:
        state = step.state
        buttons: list[Choice] = []
        if session.paused is not None:
            buttons.append(Choice("menu:resume", self.messages.buttons["resume_checkup"]))
        buttons.append(Choice("menu:main", self.messages.buttons["menu"]))
        if state.kind == "urgent" and state.level:
            level = self.content.safety.levels[state.level]
            text = f"{state.prompt}\n\n{level.text}\n\n{self.messages.text('urgent_footer')}"
            reply = Reply(text, "urgent", tuple(buttons), intent=level.id, sources=level.sources)
        else:
            text = f"{prefix}\n\n{state.prompt}" if prefix else state.prompt
            resume = f"\n\n{self.messages.text('resume_offer')}" if session.paused else ""
            reply = Reply(text + resume, "emergency", tuple(buttons), intent="cramp_now",
                          sources=self._cramp_entry.sources)
        return Outcome(session.with_(active=None), (reply,))

    def _reprompt(self, session: Session, prefix: str) -> Outcome:
        assert session.active is not None
        engine = self.engines[session.active.flow]
        intent = "cramp_now" if session.active.flow == "relief" else "checkup"
        reply = engine.prompt(session.active, engine.state(session.active), intent, (), prefix)
        return Outcome(session, (replace(reply, timer=None),))

    def _on_timer(self, session: Session, timer_id: str, now: float) -> Outcome:
        if session.active is None:
            return Outcome(session, ())
        engine = self.engines[session.active.flow]
        position = engine.timer_done(session.active, timer_id)
        if position is None:
            return Outcome(session, ())
        state = engine.state(position)
        done = state.timer.done if state.timer else ""
        reply = Reply(done, engine.flow.kind, engine.buttons(state), None, "cramp_now", 100.0,
                      self._cramp_entry.sources)
        return Outcome(session.with_(active=position), (reply,))

    # -- knowledge answers ---------------------------------------------------------------------

    def _entry(self, session: Session, entry: Entry, score: float) -> Outcome:
        buttons: list[Choice] = []
        if entry.more:
            buttons.append(Choice(f"more:{entry.id}:1", self.messages.text("more_label")))
        if "relief" in entry.offer:
            buttons.append(Choice("menu:cramp", self.messages.buttons["start_relief"]))
        if "checkup" in entry.offer:
            buttons.append(Choice("menu:checkup", self.messages.buttons["start_checkup"]))
        entries = self.content.knowledge.entries
        buttons += [Choice(f"ask:{r}", entries[r].title) for r in entry.related]
        if entry.id == "capabilities":
            buttons += list(self.messages.menu)
        reply = Reply(entry.answer, entry.kind, tuple(buttons), None, entry.id, score, entry.sources)
        return Outcome(session.with_(last_intent=entry.id, more_shown=0), (reply,))

    def _more(self, session: Session, entry_id: str, number: int) -> Outcome:
        entry = self.content.knowledge.get(entry_id)
        if not 1 <= number <= len(entry.more):
            reply = self._menu_reply(self.messages.text("more_none"), "smalltalk", intent=entry_id)
            return Outcome(session.with_(last_intent=None, more_shown=0), (reply,))
        buttons: list[Choice] = []
        if number < len(entry.more):
            buttons.append(Choice(f"more:{entry.id}:{number + 1}", self.messages.text("more_label")))
        entries = self.content.knowledge.entries
        buttons += [Choice(f"ask:{r}", entries[r].title) for r in entry.related]
        reply = Reply(entry.more[number - 1], entry.kind, tuple(buttons), None, entry.id, 100.0, entry.sources)
        return Outcome(session.with_(last_intent=entry.id, more_shown=number), (reply,))

    # -- safety and fallbacks ------------------------------------------------------------------

    def _urgent(self, session: Session, flag: RedFlag) -> Outcome:
        paused = session.paused
        note = ""
        if session.active and session.active.flow == "checkup":
            paused = replace(session.active, timer=None)
            note = f"\n\n{self.messages.text('red_flag_checkup_paused')}"
        level = flag.level
        text = f"{level.text}\n\nWhy: {flag.rule.why}\n\n{self.messages.text('urgent_footer')}{note}"
        buttons = [Choice("menu:main", self.messages.buttons["menu"])]
        reply = Reply(text, "urgent", tuple(buttons), None, level.id, 100.0, level.sources)
        return Outcome(session.with_(active=None, paused=paused, last_intent=None, more_shown=0), (reply,))

    def _stale(self, session: Session) -> Outcome:
        note = self.messages.text("stale_button")
        if session.active is not None:
            return self._reprompt(session, note)
        return Outcome(session, (self._menu_reply(f"{note} {self.messages.text('menu_prompt')}", "fallback"),))

    def _menu_reply(self, text: str, kind: str, intent: str | None = None, score: float = 100.0) -> Reply:
        choices = list(self.messages.menu)
        return Reply(text, kind, tuple(choices), None, intent, score if kind != "fallback" else score, ())
