"""The conversation core: one pure function from (session, event, now) to (session, replies).

Order on every typed message: red flags, then commands, then an active cramp, the running dialog,
"more", and finally the knowledge base. Never imports telegram; wording lives in ReplyWriter."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.content import Content
from bot.dialog_engine import NAV_PREFIX, FlowEngine, Step, parse_action
from bot.language import Normalised
from bot.replies import Reply
from bot.reply_writer import ReplyWriter
from bot.session import Event, FlowPosition, NonText, Press, Session, Text, TimerDone

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
    """Decides what happens next. Holds only content; all per-chat state is passed in and returned."""

    def __init__(self, content: Content):
        self.content = content
        self.write = ReplyWriter(content)
        self.engines = {flow.id: FlowEngine(flow, content.normaliser) for flow in (content.checkup, content.relief)}

    # -- entry points ----------------------------------------------------------------------------

    def respond(self, session: Session, event: Event, now: float) -> Outcome:
        """Handle one event for one chat."""
        session = self._still_valid(session)
        if isinstance(event, Text):
            return self._on_text(session, event.text, now)
        if isinstance(event, Press):
            return self._on_press(session, event.action, now)
        if isinstance(event, TimerDone):
            return self._on_timer(session, event.timer_id)
        if isinstance(event, NonText):
            return self._on_non_text(session)
        raise TypeError(f"unknown event {event!r}")

    def classify(self, text: str) -> Reply:
        """Answer one message with a fresh session (stateless `ask`); returns the first reply."""
        return self.respond(Session(), Text(text), 0.0).replies[0]

    def expects_amount(self, session: Session) -> bool:
        """True when the current question takes a number ("3 glasses"), so a typed digit is an answer."""
        active = session.active
        return bool(active and self.engines[active.flow].state(active).number)

    def _still_valid(self, session: Session) -> Session:
        """Drop positions that name a flow or state the content no longer has (content changed since)."""
        def known(position: FlowPosition | None) -> bool:
            """True when the position (if any) still exists in the loaded flows."""
            engine = self.engines.get(position.flow) if position else None
            return position is None or (engine is not None and position.state in engine.flow.states)

        if known(session.active) and known(session.paused):
            return session
        return session.with_(active=session.active if known(session.active) else None,
                             paused=session.paused if known(session.paused) else None)

    # -- typed text ------------------------------------------------------------------------------

    def _on_text(self, session: Session, text: str, now: float) -> Outcome:
        text = (text or "")[:MAX_SAFETY_SCAN]
        message = self.content.normaliser.normalise(text)
        found = self.content.triggers.assess(message)
        if found.red_flag is not None:
            checkup = session.active if session.active and session.active.flow == "checkup" else None
            paused = replace(checkup, timer=None) if checkup else session.paused
            reply = self.write.urgent(found.red_flag, checkup_paused=checkup is not None)
            return Outcome(session.with_(active=None, paused=paused, last_intent=None, more_shown=0), (reply,))
        if text.strip().startswith("/"):
            return self._command(session, text.strip(), now)
        if found.active_cramp is not None:
            return self._cramp_now(session, now, 100.0)
        if len(text) > MAX_MATCHED:
            text = text[:MAX_MATCHED]
            message = self.content.normaliser.normalise(text)
        if session.active is not None:
            return self._in_flow(session, message, text, now)
        if not message.tokens:
            return Outcome(session, (self.write.menu(self.write.text("empty"), "fallback"),))
        if message.key in MORE_KEYS and session.last_intent:
            return self._more(session, session.last_intent, session.more_shown + 1)
        return self._from_matcher(session, message, now)

    def _from_matcher(self, session: Session, message: Normalised, now: float) -> Outcome:
        match = self.content.matcher.match(message)
        entry = self.content.knowledge.get(match.intent) if match.intent else None
        if entry is None or entry.kind == "fallback":
            text = entry.answer if entry else self.write.text("fallback")
            reply = self.write.menu(text, "fallback", score=match.score)
            return Outcome(session.with_(last_intent=None, more_shown=0), (reply,))
        if entry.kind == "emergency":
            return self._cramp_now(session, now, match.score)
        return Outcome(session.with_(last_intent=entry.id, more_shown=0), (self.write.entry(entry, match.score),))

    def _command(self, session: Session, text: str, now: float) -> Outcome:
        name = text[1:].split()[0].split("@")[0].lower() if len(text) > 1 else ""
        action = self.content.messages.command_action(name)
        if action is None:
            return Outcome(session, (self.write.unknown_command(name),))
        return self._on_press(session, action, now)

    def _on_non_text(self, session: Session) -> Outcome:
        """A sticker, photo, voice note...: say so kindly, and show where we were (or the menu)."""
        if session.active is not None:
            return self._reprompt(session, self.write.text("non_text"))
        return Outcome(session, (self.write.menu(self.write.text("non_text"), "fallback"),))

    # -- button presses --------------------------------------------------------------------------

    def _on_press(self, session: Session, action: str, now: float) -> Outcome:
        kind, _, rest = action.partition(":")
        if kind == "menu":
            return self._menu_action(session, rest, now)
        if kind == "ask" and rest in self.content.knowledge.entries:
            entry = self.content.knowledge.get(rest)
            if entry.kind == "emergency":
                return self._cramp_now(session, now, 100.0)
            return Outcome(session.with_(last_intent=entry.id, more_shown=0), (self.write.entry(entry, 100.0),))
        if kind == "more":
            entry_id, _, number = rest.partition(":")
            if entry_id in self.content.knowledge.entries and number.isdigit() and len(number) < 4:
                return self._more(session, entry_id, int(number))
        parsed = parse_action(action)
        if parsed and session.active and (parsed[0], parsed[1]) == (session.active.flow, session.active.state):
            return self._flow_press(session, parsed[2], now)
        return self._stale(session)

    def _menu_action(self, session: Session, name: str, now: float) -> Outcome:
        text = self.write.text
        simple = {"start": lambda: self.write.greeting(),
                  "main": lambda: self.write.menu(text("menu_prompt"), "smalltalk", intent="menu"),
                  "help": lambda: self.write.menu(text("help"), "smalltalk", intent="help")}
        if name in simple:
            return Outcome(session, (simple[name](),))
        if name == "cramp":
            return self._cramp_now(session, now, 100.0)
        if name in ("checkup", "restart"):
            return self._start_checkup(session, now, restart=name == "restart")
        if name == "resume":
            return self._resume(session)
        if name == "cancel":
            return self._cancel(session)
        return self._stale(session)

    # -- flows -----------------------------------------------------------------------------------

    def _start_checkup(self, session: Session, now: float, restart: bool) -> Outcome:
        current = session.active if session.active and session.active.flow == "checkup" else session.paused
        if current is not None and not restart:
            return Outcome(session, (self.write.resume_or_restart(),))
        engine = self.engines["checkup"]
        step = engine.start(now)
        assert step.position is not None
        paused = session.paused if session.paused and session.paused.flow != "checkup" else None
        prefix = self.write.text("checkup_restart") if restart else ""
        return Outcome(session.with_(active=step.position, paused=paused),
                       (self.write.prompt(engine, step.position, prefix),))

    def _resume(self, session: Session) -> Outcome:
        if session.active and session.active.flow == "checkup":
            return self._reprompt(session, "")
        if session.paused is None:
            return Outcome(session, (self.write.menu(self.write.text("no_checkup_to_resume"), "smalltalk",
                                                     intent="menu"),))
        position = replace(session.paused, timer=None)
        engine = self.engines[position.flow]
        return Outcome(session.with_(active=position, paused=None), (self.write.prompt(engine, position),))

    def _cancel(self, session: Session) -> Outcome:
        if session.active is None and session.paused is None:
            return Outcome(session, (self.write.menu(self.write.text("nothing_to_cancel"), "smalltalk",
                                                     intent="cancel"),))
        return Outcome(Session(), (self.write.menu(self.write.text("cancelled"), "smalltalk", intent="cancel"),))

    def _cramp_now(self, session: Session, now: float, score: float) -> Outcome:
        if session.active and session.active.flow == "relief":
            # A cramp mentioned again mid-sequence is "still hurts": the clock keeps running.
            return self._flow_choose(session, ("still",), now, prefix=self.write.text("relief_already"))
        opener = self.write.cramp_entry.answer
        paused = session.paused
        if session.active and session.active.flow == "checkup":
            paused = replace(session.active, timer=None)
            opener = f"{opener} {self.write.text('checkup_paused')}"
        engine = self.engines["relief"]
        step = engine.start(now)
        assert step.position is not None
        reply = self.write.prompt(engine, step.position, opener, score=score)
        return Outcome(session.with_(active=step.position, paused=paused, last_intent=None, more_shown=0), (reply,))

    def _in_flow(self, session: Session, message: Normalised, raw: str, now: float) -> Outcome:
        assert session.active is not None
        engine = self.engines[session.active.flow]
        state = engine.state(session.active)
        reading = engine.read(state, message, raw)
        if reading.nav:
            return self._flow_step(session, engine.navigate(session.active, reading.nav, now))
        if reading.choices:
            return self._flow_choose(session, reading.choices, now)
        # Not an answer: maybe a question or a cramp; answer it, then show where we were.
        match = self.content.matcher.match(message) if message.tokens else None
        entry = self.content.knowledge.get(match.intent) if match and match.intent else None
        if entry is not None and entry.kind == "emergency":
            return self._cramp_now(session, now, match.score if match else 100.0)
        if entry is not None and entry.kind == "answer" and len(message.tokens) >= 3:
            answered = self.write.without_buttons((self.write.entry(entry, match.score if match else 0.0),))
            back = self._reprompt(session.with_(last_intent=entry.id, more_shown=0),
                                  self.write.text("question_in_flow"))
            return Outcome(back.session, (*answered, *back.replies))
        return self._reprompt(session, state.reask or engine.flow.reask)

    def _flow_press(self, session: Session, choice: str, now: float) -> Outcome:
        assert session.active is not None
        engine = self.engines[session.active.flow]
        if choice.startswith(NAV_PREFIX):
            return self._flow_step(session, engine.navigate(session.active, choice[1:], now))
        if engine.state(session.active).choice(choice) is None:
            return self._stale(session)
        return self._flow_choose(session, (choice,), now)

    def _flow_choose(self, session: Session, choices: tuple[str, ...], now: float, prefix: str = "") -> Outcome:
        assert session.active is not None
        step = self.engines[session.active.flow].choose(session.active, choices, now)
        return self._flow_step(session, step, prefix)

    def _flow_step(self, session: Session, step: Step, prefix: str = "") -> Outcome:
        assert session.active is not None
        flow_id = session.active.flow
        if step.cancelled:
            keep = session.paused if flow_id == "relief" else None
            reply = self.write.menu(self.write.text("cancelled"), "smalltalk", intent="cancel")
            return Outcome(session.with_(active=None, paused=keep), (reply,))
        assert step.position is not None
        if not step.ended:
            reply = self.write.prompt(self.engines[flow_id], step.position, prefix)
            return Outcome(session.with_(active=step.position), (reply,))
        if step.state.end == "plan":
            return Outcome(session.with_(active=None), (self.write.plan(step.position.answers),))
        reply = self.write.relief_end(step.state, prefix, checkup_paused=session.paused is not None)
        return Outcome(session.with_(active=None), (reply,))

    def _reprompt(self, session: Session, prefix: str) -> Outcome:
        assert session.active is not None
        reply = self.write.prompt(self.engines[session.active.flow], session.active, prefix, with_timer=False)
        return Outcome(session, (reply,))

    def _on_timer(self, session: Session, timer_id: str) -> Outcome:
        if session.active is None:
            return Outcome(session, ())
        engine = self.engines[session.active.flow]
        position = engine.timer_done(session.active, timer_id)
        if position is None:
            return Outcome(session, ())
        return Outcome(session.with_(active=position), (self.write.timer_done(engine, engine.state(position)),))

    # -- knowledge follow-ups and stale buttons -------------------------------------------------

    def _more(self, session: Session, entry_id: str, number: int) -> Outcome:
        reply = self.write.more(self.content.knowledge.get(entry_id), number)
        if reply is None:
            reply = self.write.menu(self.write.text("more_none"), "smalltalk", intent=entry_id)
            return Outcome(session.with_(last_intent=None, more_shown=0), (reply,))
        return Outcome(session.with_(last_intent=entry_id, more_shown=number), (reply,))

    def _stale(self, session: Session) -> Outcome:
        note = self.write.text("stale_button")
        if session.active is not None:
            return self._reprompt(session, note)
        return Outcome(session, (self.write.menu(f"{note} {self.write.text('menu_prompt')}", "fallback"),))
