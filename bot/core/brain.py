"""The conversation core: one pure function from (session, event, now) to (session, replies).

Order on every typed message: red flags, then commands, then an active cramp, the running dialog,
"more", and finally the knowledge base. Never imports telegram; wording lives in ReplyWriter."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from bot.content import flows
from bot.content.bundle import Content
from bot.content.messages import MENU_ACTIONS
from bot.core import actions, doctor_summary
from bot.core import content_ids as ids
from bot.core import diary as diaries
from bot.core.chat_scope import deep_link_action, group_safe, in_group, private_link, private_only
from bot.core.flow_engine import FlowEngine, ReadContext, Step
from bot.core.free_text import FreeText, Turn
from bot.core.kept_plan import OFFERS, KeptPlan
from bot.core.outcome import Outcome
from bot.core.personal import PersonalData
from bot.core.relief_turn import ReliefTurn
from bot.core.reminders import clock_answer
from bot.core.replies import Reply
from bot.core.reply_writer import RELIEF_AGAIN, ReplyWriter
from bot.core.session import (
    PLAN_REVIEW,
    RELIEF_CHECK,
    Escalated,
    Event,
    FlowPosition,
    LastRelief,
    NonText,
    Press,
    ReminderDue,
    Session,
    Text,
    TimerDone,
)
from bot.core.templates import word_list
from bot.core.triage_turn import TRIAGE_NO, TRIAGE_YES, TriageTurn
from bot.language.normaliser import Normalised
from bot.language.reading import SELF, Reading
from bot.language.zones import parse_timezone
from bot.matching.matcher import Match
from bot.safety.rules import Assessment

PARSERS = {
    "past_time": lambda raw, ctx: diaries.when_answer(raw, ctx.now, ctx.zone),
    "clock": lambda raw, ctx: clock_answer(raw),
    "timezone": lambda raw, ctx: actions.zone(z) if (z := parse_timezone(raw, ctx.now)) else None,
}
RELIEF_ACTIONS = (actions.menu("cramp"), actions.menu(RELIEF_AGAIN))  # what starts the relief steps: never skipped
# menu items only the bot's own buttons carry, never content's
OUR_OWN_MENUS = ("log_relief", "reminders_setup", "checkin_setup", "plan_more", "remind_bedtime",
                 "remind_hydration", TRIAGE_YES, TRIAGE_NO, RELIEF_AGAIN)
MAX_SAFETY_SCAN = 20_000  # characters scanned for red flags (Telegram allows 4,096 per message)
MAX_MATCHED = 2_000  # characters used for intent matching
# labels of the reading (`when` labels, and "pregnant") whose relief steps start with a line for that place or
# person: stop safely first, when a long cramp needs a check, tell the dialysis nurse, the signs that need the
# midwife; at most two, in this order
RELIEF_FIRST = ("at_the_wheel", "on_the_bike", "in_the_water", "on_a_hill", "unsteady", "long", "at_dialysis",
                "pregnant")
FIRST_LINES = 2
MenuHandler = Callable[[Session, float], Outcome]
EndHandler = Callable[[Session, Step, float, str], Outcome]


class Brain:
    """Decides what happens next. Holds only content; all per-chat state is passed in and returned."""

    def __init__(self, content: Content, can_remind: bool = True):
        self.content = content
        self.can_remind = can_remind  # the console cannot send anything later
        self.write = ReplyWriter(content)
        self.engines = {flow.id: FlowEngine(flow, content.normaliser, PARSERS) for flow in content.flows.values()}
        self.personal = PersonalData(self.write, self.engines, content.knowledge, can_remind, conversation=self)
        self.kept_plan = KeptPlan(content, self.write, can_remind)
        self.free = FreeText(content, self.write, self._cramp_now, self._from_matcher)
        self.triage = TriageTurn(content, self.write, self.free.beside_care)
        self.relief = ReliefTurn(content, self.write, self.engines[ids.RELIEF], self._flow_step, self.reprompt)
        self.more_words = word_list(self.write.text("more_words"))  # typed alone: more of the last answer
        self.yes_words = word_list(self.write.text("yes_words"))  # typed answers to "delete ...?"
        self.no_words = word_list(self.write.text("no_words"))
        self._menus = self._menu_table()
        self._ends = self._end_table()
        self._check_lists_agree()

    def _menu_table(self) -> dict[str, MenuHandler]:
        """What each menu:<name> action does."""
        text, personal = self.write.text, self.personal

        return {
            "start": self._start,
            "show_sos": lambda session, now: Outcome(session, (self._sos(shown=True),)),
            "hide_sos": lambda session, now: Outcome(session, (self._sos(shown=False),)),
            "main": lambda session, now: Outcome(session, (self.write.menu(text("menu_prompt"), "smalltalk",
                                                                           intent="menu"),)),
            "help": lambda session, now: Outcome(session, (self.write.menu(text("help"), "smalltalk", intent="help"),)),
            "cramp": lambda session, now: self._cramp_now(session, now, 100.0),
            "checkup": lambda session, now: self._start_checkup(session, now, restart=False),
            "restart": lambda session, now: self._start_checkup(session, now, restart=True),
            "resume": lambda session, now: self._resume(session),
            "cancel": lambda session, now: self._cancel(session),
            "log": lambda session, now: personal.start_log(session, now),
            "log_relief": personal.quick_log,
            "diary": lambda session, now: personal.list_entries(session),
            "history": personal.history,
            "reminders": personal.reminders_menu,
            "reminders_setup": personal.setup_reminders,
            "plan": self.kept_plan.show,
            "plan_more": lambda session, now: self.kept_plan.more(session),
            "summary": self._summary,
            **{item: _offered_reminder(personal, kind) for kind, item in OFFERS.items()},
            "checkin_setup": personal.setup_checkin,
            "privacy": lambda session, now: personal.privacy(session),
            "timezone": lambda session, now: personal.start(session, ids.ZONE, now),
            "export": personal.export,
            "forget": lambda session, now: personal.ask_forget(session),
            TRIAGE_YES: lambda session, now: self._triage_press(session, True, now),
            TRIAGE_NO: lambda session, now: self._triage_press(session, False, now),
            RELIEF_AGAIN: self._relief_again,
        }

    def _start(self, session: Session, now: float) -> Outcome:
        """The greeting; in a private chat, the always-there 🆘 button comes with it."""
        if session.in_group:
            return Outcome(session, (self.write.greeting(),))
        return Outcome(session, (self.write.greeting(), self._sos(shown=True)))

    def _summary(self, session: Session, now: float) -> Outcome:
        """/summary: the one-page summary for a doctor (a PDF in Telegram), once there is anything in it."""
        write = self.write
        if not doctor_summary.has_anything(session):
            buttons = (write.menu_button("log_new", "log"), write.menu_button("start_checkup", "checkup"))
            return Outcome(session, (Reply(write.text("summary_empty"), "answer", buttons, intent="summary"),))
        summary = doctor_summary.build(self.content, session, now)
        reply = Reply(write.text("summary_ready"), "answer", (write.menu_button("menu", "main"),), intent="summary",
                      summary=summary)
        return Outcome(session, (reply,))

    def _sos(self, shown: bool) -> Reply:
        """Show the always-there 🆘 button at the bottom of the chat, or take it away."""
        messages = self.content.messages
        if not shown:
            return Reply(messages.text("sos_hidden"), "smalltalk", intent="hide_sos", keyboard=())
        return Reply(messages.text("sos_shown"), "smalltalk", intent="show_sos",
                     keyboard=(messages.buttons["sos_keyboard"],))

    def _end_table(self) -> dict[str, EndHandler]:
        """What each kind of flow end (`end:` in dialogs/*.yaml) does."""
        return {
            "plan": self._plan_ready,
            "message": self._relief_ended,
            "diary": lambda session, step, now, prefix: self.personal.save_entry(session, step, now),
            "reminders": lambda session, step, now, prefix: self.personal.save_reminders(session, step, now),
            "zone": lambda session, step, now, prefix: self.personal.save_zone(session, step, now),
        }

    def _check_lists_agree(self) -> None:
        """Lists kept in other modules must agree with what this one handles: stop at start, not on a press."""
        content_menus = [actions.parse(a) for a in MENU_ACTIONS]
        _must_agree("menu actions content may use (bot.content.messages.MENU_ACTIONS) and Brain's menu table",
                    [m.name for m in content_menus if isinstance(m, actions.Menu)] + list(OUR_OWN_MENUS),
                    self._menus)
        _must_agree("free-text parsers named by flows (bot.content.flows.PARSERS) and Brain's PARSERS",
                    flows.PARSERS, PARSERS)
        _must_agree("flow end types (bot.content.flows.END_TYPES) and Brain's end table", flows.END_TYPES,
                    self._ends)
        _must_agree("flows loaded (bot.content.bundle) and flows the code names (bot.core.content_ids)",
                    self.engines, ids.FLOWS)

    # -- entry points ----------------------------------------------------------------------------

    def respond(self, session: Session, event: Event, now: float) -> Outcome:
        """Handle one event for one chat; a group chat's session never keeps anything personal."""
        if in_group(event) or session.in_group:
            outcome = self._respond(group_safe(session), event, now)
            return self._with_relief_check(replace(outcome, session=group_safe(outcome.session)))
        return self._with_relief_check(self._respond(session, event, now))

    def _with_relief_check(self, outcome: Outcome) -> Outcome:
        """While a relief sequence runs, a check-in is due ten minutes after its start (silence is not
        "it has eased"); at any other time there is none."""
        active, escalation = outcome.session.active, self.content.relief.escalation
        due = None
        if self.can_remind and escalation and active is not None and active.flow == ids.RELIEF:
            due = active.started_at + escalation.after_seconds
        if outcome.session.relief_check_at == due:
            return outcome
        return replace(outcome, session=outcome.session.with_(relief_check_at=due))

    def _respond(self, session: Session, event: Event, now: float) -> Outcome:
        session = self._still_valid(session)
        # A question like "delete everything?" holds only for the very next message or press.
        pending, session = session.confirm, session.with_(confirm=None)
        if isinstance(event, Text):
            return self._on_text(session, event.text, now, pending)
        if isinstance(event, Press):
            return self._on_press(session, event.action, now, pending)
        if isinstance(event, TimerDone):
            return self._on_timer(session, event.timer_id)
        if isinstance(event, NonText):
            return self._on_non_text(session)
        if isinstance(event, ReminderDue) and event.kind == RELIEF_CHECK:
            return self._relief_check(session, event.due_at, now)
        if isinstance(event, ReminderDue) and event.kind == PLAN_REVIEW:
            return self.kept_plan.review_due(session, event.due_at, now)
        if isinstance(event, ReminderDue):
            return self.personal.reminder_due(session, event.kind, event.due_at, now)
        raise TypeError(f"unknown event {event!r}")

    def classify(self, text: str) -> Reply:
        """Answer one message with a fresh session (stateless `ask`); returns the first reply."""
        return self.respond(Session(), Text(text), 0.0).replies[0]

    def must_answer(self, event: Event) -> bool:
        """True when an event may never be skipped, however busy its chat: a message with a red flag
        or about a cramp happening now, or asking for the relief steps (command, button or deep link)."""
        if isinstance(event, Press):
            return event.action in RELIEF_ACTIONS
        if not isinstance(event, Text):
            return False
        text = (event.text or "")[:MAX_SAFETY_SCAN]
        found = self.content.triggers.assess(self.content.normaliser.normalise(text))
        if found.red_flag is not None or found.active_cramp is not None or found.unsure is not None:
            return True
        text = text.strip()
        return text.startswith("/") and self._command_action(text)[1] in RELIEF_ACTIONS

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

    def _on_text(self, session: Session, text: str, now: float, pending: str | None = None,
                 asking: bool = True) -> Outcome:
        text = (text or "")[:MAX_SAFETY_SCAN]
        message = self.content.normaliser.normalise(text)
        found = self.content.triggers.assess(message, self.triage.context(session))
        step = self.triage.check(session, text, message, found, now, asking)
        if step.outcome is not None:
            return step.outcome
        session = step.session
        if step.replay is not None:
            return self._on_text(session, step.replay, now, asking=False)
        return self.triage.with_routine(self._after_triage(session, text, message, found, now, pending), found)

    def _after_triage(self, session: Session, text: str, message: Normalised, found: Assessment, now: float,
                      pending: str | None) -> Outcome:
        """A typed message with no red flag: a command, a cramp now, an answer, the dialog, or free text."""
        if text.strip().startswith("/"):
            return self._command(session, text.strip(), now)
        if len(text) > MAX_MATCHED:
            text = text[:MAX_MATCHED]
            message = self.content.normaliser.normalise(text)
        turn = self.free.read(text, message)
        heard = self.relief.hear(session, text, message, turn.reading, now)  # mid-relief, or just after it escalated
        if heard is not None:
            return heard
        if found.active_cramp is not None and not self.free.story_not_now(turn) and not self.free.not_the_legs(turn) \
                and not self.free.asks_for_later(turn):
            return self._cramp_now(session, now, 100.0, turn.reading.for_relief, turn)
        if pending and message.tokens:
            answer = self._yes_or_no(message)
            if answer is not None:
                pressed = actions.confirm_yes(pending) if answer else actions.forget(False)
                return self._on_press(session, pressed, now, pending) if pressed else self.stale(session)
        if session.active is not None:
            return self._in_flow(session, message, text, now)
        if not message.tokens and not turn.reading.distress:
            return Outcome(session, (self.write.menu(self.write.text("empty"), "fallback"),))
        if message.key in self.more_words and session.last_intent:
            return self._more(session, session.last_intent, session.more_shown + 1)
        told = self._told_cramp(session, turn.reading, message, text, now)
        if told is not None:  # "woke up with one in my right foot at 2am, lasted 10 min, 5/5": into the diary
            return self.personal.start_log(session, now, told)
        return self.free.respond(session, turn, now)

    def _told_cramp(self, session: Session, reading: Reading, message: Normalised, text: str,
                    now: float) -> dict[str, tuple[str, ...]] | None:
        """The diary answers of a message that tells one past cramp of the person's own, when and at least one
        more thing about it, and asks nothing; None for anything else (a question, a cramp now, a habit)."""
        if session.in_group or "past" not in reading.when or reading.questions or reading.asks or reading.distress \
                or reading.generic or reading.elsewhere or reading.person.who != SELF \
                or {"now", "right_now", "recurring"} & set(reading.when) or self.content.context.leads(reading, ()):
            return None
        answers = self.personal.told(session, message, text, reading.side, now)
        return answers if "when" in answers and {"where", "side", "severity", "duration", "helped"} & set(answers) \
            else None

    def _triage_press(self, session: Session, yes: bool, now: float) -> Outcome:
        """The Yes or No button of a safety question."""
        step = self.triage.press(session, yes, now)
        if step.outcome is not None:
            return step.outcome
        if step.replay is not None:
            return self._on_text(step.session, step.replay, now, asking=False)
        return self.stale(step.session)

    def _from_matcher(self, session: Session, message: Normalised, raw: str, now: float,
                      match: Match | None = None) -> Outcome:
        match = match or self.content.matcher.match(message)
        entry = self.content.knowledge.get(match.intent) if match.intent else None
        if entry is None or entry.kind == "fallback":
            text = entry.answer if entry else self.write.text("fallback")
            reply = self.write.menu(text, "fallback", score=match.score)
            return Outcome(session.with_(last_intent=None, more_shown=0), (reply,))
        if entry.kind == "emergency":
            return self._cramp_now(session, now, match.score)
        if entry.kind == "action" and entry.action == actions.menu("log") and not session.in_group:
            side = self.free.read(raw, message).reading.side
            return self.personal.start_log(session, now, self.personal.told(session, message, raw, side, now))
        if entry.kind == "action" and entry.action:
            return self._on_press(session, entry.action, now)
        reply = self.write.entry(entry, match.score, message, session.zone)
        return Outcome(session.with_(last_intent=reply.intent, more_shown=0), (reply,))

    def _command_action(self, text: str) -> tuple[str, str | None]:
        """A slash command's name and the action it runs (`/start <payload>`: the deep link's), or None."""
        name = text[1:].split()[0].split("@")[0].lower() if len(text) > 1 else ""
        action = self.content.messages.command_action(name)
        if name == "start":
            action = deep_link_action(text) or action
        return name, action

    def _command(self, session: Session, text: str, now: float) -> Outcome:
        name, action = self._command_action(text)
        if action is None:
            return Outcome(session, (self.write.unknown_command(name),))
        return self._on_press(session, action, now)

    def _on_non_text(self, session: Session) -> Outcome:
        """A sticker, photo, voice note...: say so kindly, and show where we were (or the menu)."""
        if session.active is not None:
            return self.reprompt(session, self.write.text("non_text"))
        return Outcome(session, (self.write.menu(self.write.text("non_text"), "fallback"),))

    # -- button presses --------------------------------------------------------------------------

    def _on_press(self, session: Session, action: str, now: float, pending: str | None = None) -> Outcome:
        link = private_link(action) if session.in_group else None
        if link is not None:
            return Outcome(session, (private_only(self.content.messages, link),))
        press = actions.parse(action)
        entries = self.content.knowledge.entries
        if isinstance(press, actions.Menu):
            handler = self._menus.get(press.name)
            return handler(session, now) if handler else self.stale(session)
        if isinstance(press, actions.Ask) and press.entry in entries:
            entry = self.content.knowledge.get(press.entry)
            if entry.kind == "emergency":
                return self._cramp_now(session, now, 100.0)
            return Outcome(session.with_(last_intent=entry.id, more_shown=0), (self.write.entry(entry, 100.0),))
        if isinstance(press, actions.More) and press.entry in entries:
            return self._more(session, press.entry, press.number)
        if isinstance(press, actions.PersonalPress):
            handled = self.personal.on_action(session, press, now, pending)
            return handled if handled is not None else self.stale(session)
        active = session.active
        if isinstance(press, actions.FlowPress) and active and (press.flow, press.state) == (active.flow, active.state):
            return self._flow_press(session, press, now)
        return self.stale(session)

    # -- flows -----------------------------------------------------------------------------------

    def _start_checkup(self, session: Session, now: float, restart: bool) -> Outcome:
        current = session.active if session.active and session.active.flow == ids.CHECKUP else session.paused
        if current is not None and not restart:
            return Outcome(session, (self.write.resume_or_restart(),))
        engine = self.engines[ids.CHECKUP]
        step = engine.start(now)
        assert step.position is not None
        paused = session.paused if session.paused and session.paused.flow != ids.CHECKUP else None
        prefix = self.write.text("checkup_restart") if restart else ""
        return Outcome(session.with_(active=step.position, paused=paused),
                       (self.write.prompt(engine, step.position, prefix),))

    def _resume(self, session: Session) -> Outcome:
        if session.active and session.active.flow == ids.CHECKUP:
            return self.reprompt(session, "")
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

    def _cramp_now(self, session: Session, now: float, score: float, when: tuple[str, ...] = (),
                   turn: Turn | None = None, muscle: str | None = None) -> Outcome:
        """Start the relief steps (or carry on with them); a cramp at the wheel, on a bike, in the water or on a
        hill first says to stop safely, one that has someone off their feet how to avoid a fall, one told as long
        when to get it checked, one on dialysis to tell the nurse,
        one in pregnancy when to call the midwife (`when`: the reading's labels, see RELIEF_FIRST). The steps fit
        the `muscle`, or the one the message (`turn`) names."""
        if session.active and session.active.flow == ids.RELIEF:
            # A cramp mentioned again mid-sequence is "still hurts": the clock keeps running (bot.core.relief_turn).
            return self.relief.still(session, now, self.write.text("relief_already"))
        opener = self.write.cramp_entry.answer
        first = [self.write.text(f"relief_first_{label}") for label in RELIEF_FIRST if label in when]
        if first:
            opener = "\n".join(first[:FIRST_LINES]) + f"\n\n{opener}"
        paused = session.paused
        if session.active and session.active.flow == ids.CHECKUP:
            paused = replace(session.active, timer=None)
            opener = f"{opener} {self.write.text('checkup_paused')}"
        engine = self.engines[ids.RELIEF]
        step = engine.start(now)
        assert step.position is not None
        if muscle is None and turn is not None:
            muscle = self.relief.muscle_named(turn.message, turn.reading)
        position = self.relief.start_position(step.position, muscle)
        reply = self.write.prompt(engine, position, opener, score=score)
        return Outcome(session.with_(active=position, paused=paused, last_intent=None, more_shown=0, escalated=None),
                       (reply,))

    def _relief_again(self, session: Session, now: float) -> Outcome:
        """🆘 Relief steps again, after an escalation: the steps for the same muscle, from the start."""
        muscle = session.escalated.muscle if session.escalated else None
        return self._cramp_now(session, now, 100.0, muscle=muscle)

    def _in_flow(self, session: Session, message: Normalised, raw: str, now: float) -> Outcome:
        assert session.active is not None
        engine = self.engines[session.active.flow]
        state = engine.state(session.active)
        zone = actions.zone_from(session.active.answers) or session.zone  # a zone given earlier in this same flow
        reading = engine.read(state, message, raw, ReadContext(now, zone))
        if reading.nav:
            return self._flow_step(session, engine.navigate(session.active, reading.nav, now), now)
        if reading.choices:  # typed: said back first, so a misreading shows at once
            chosen = engine.with_ticked(session.active, reading.choices)
            return self._flow_choose(session, chosen, now, prefix=self.write.echo(engine, session.active, chosen))
        if session.active.flow == ids.DIARY:  # "2 minutes" typed at "how bad": noted as how long, asked again
            noted = self.personal.note_other(session, message, raw, now)
            if noted is not None:
                return noted
        # Not an answer: maybe a question or a cramp; answer it, then show where we were.
        match = self.content.matcher.match(message) if message.tokens else None
        entry = self.content.knowledge.get(match.intent) if match and match.intent else None
        if entry is not None and entry.kind == "emergency":
            return self._cramp_now(session, now, match.score if match else 100.0)
        if entry is not None and entry.kind == "answer" and len(message.tokens) >= 3:
            answer = self.write.entry(entry, match.score if match else 0.0, message, session.zone)
            answered = self.write.without_buttons((answer,))
            back = self.reprompt(session.with_(last_intent=answer.intent, more_shown=0),
                                  self.write.text("question_in_flow"))
            return Outcome(back.session, (*answered, *back.replies))
        return self.reprompt(session, state.reask or engine.flow.reask)

    def _flow_press(self, session: Session, press: actions.FlowPress, now: float) -> Outcome:
        assert session.active is not None
        engine = self.engines[session.active.flow]
        relief = self.relief.on_press(session, press, now)  # a relief step's ▶️ Start or muscle button
        if relief is not None:
            return relief
        tapped = engine.tap(session.active, press.choice, now)  # a question whose buttons tick
        if tapped is not None:
            chose = engine.labels(session.active, session.active.ticked) if press.nav == flows.DONE else ()
            return replace(self._flow_step(session, tapped, now), chose=", ".join(chose) or None)
        if press.nav in flows.NAVIGATION:
            return self._flow_step(session, engine.navigate(session.active, press.nav, now), now)
        if engine.state(session.active).choice(press.choice) is None:
            return self.stale(session)
        return self._flow_choose(session, (press.choice,), now)

    def _flow_choose(self, session: Session, choices: tuple[str, ...], now: float, prefix: str = "") -> Outcome:
        assert session.active is not None
        step = self.engines[session.active.flow].choose(session.active, choices, now)
        return self._flow_step(session, step, now, prefix)

    def _flow_step(self, session: Session, step: Step, now: float, prefix: str = "") -> Outcome:
        assert session.active is not None
        flow_id = session.active.flow
        if step.cancelled:
            keep = session.paused if flow_id == ids.RELIEF else None
            said = self.write.text("relief_stopped" if flow_id == ids.RELIEF else "cancelled")
            reply = self.write.menu(said, "smalltalk", intent="cancel")
            return Outcome(session.with_(active=None, paused=keep), (reply,))
        assert step.position is not None
        if not step.ended:
            reply = self.write.prompt(self.engines[flow_id], step.position, prefix, in_place=step.in_place)
            return Outcome(session.with_(active=step.position), (reply,))
        return self.finish_flow(session, step, now, prefix)

    def finish_flow(self, session: Session, step: Step, now: float, prefix: str = "") -> Outcome:
        """A flow reached its end: the plan, the relief outcome, a diary entry, reminders or the time zone."""
        assert step.position is not None and session.active is not None and step.state.end is not None
        return self._ends[step.state.end](session, step, now, prefix)

    def _plan_ready(self, session: Session, step: Step, now: float, prefix: str) -> Outcome:
        """The check-up ended: the personal plan, kept for /plan."""
        assert step.position is not None
        return self.kept_plan.made(session, step.position.answers, now, prefix)

    def _relief_ended(self, session: Session, step: Step, now: float, prefix: str) -> Outcome:
        """The relief sequence ended: eased (remember it, to log it in one tap) or escalated."""
        assert session.active is not None
        done = session.with_(active=None)
        eased = step.state.kind != "urgent"
        last = LastRelief(session.active.started_at, now, diaries.RELIEF_HELPED.get(session.active.state),
                          actions.muscle_from(session.active.answers)) \
            if eased else None
        escalation = self.content.relief.escalation
        timed_out = escalation is not None and step.state.id == escalation.to  # not a clot: the steps may go on
        escalated = Escalated(now, actions.muscle_from(session.active.answers)) if timed_out else None
        reply = self.write.relief_end(step.state, prefix, checkup_paused=session.paused is not None,
                                      offer_log=eased and not session.in_group, zone=session.zone, again=timed_out)
        if not eased and step.state.level:  # remembered for the doctor's summary
            done = done.with_flag(now, step.state.level, step.state.prompt.split("\n")[0])
        return Outcome(done.with_(last_relief=last, escalated=escalated), (reply,))

    def reprompt(self, session: Session, prefix: str) -> Outcome:
        """Show the current step again (without restarting its timer), after `prefix`."""
        assert session.active is not None
        reply = self.write.prompt(self.engines[session.active.flow], session.active, prefix, with_timer=False)
        return Outcome(session, (reply,))

    def _relief_check(self, session: Session, due_at: float, now: float) -> Outcome:
        """Ten minutes into a relief sequence that nobody said has eased: escalate to the level of care
        (a check-in for a sequence that has ended, or an earlier one, says nothing)."""
        active, escalation = session.active, self.content.relief.escalation
        if (active is None or active.flow != ids.RELIEF or escalation is None or session.relief_check_at is None
                or abs(session.relief_check_at - due_at) > 1.0):
            return Outcome(session, ())
        late = max(now, active.started_at + escalation.after_seconds)
        step = self.engines[ids.RELIEF].choose(active, escalation.on[:1], late)
        return self._flow_step(session, step, now, prefix=self.write.text("relief_check_in"))

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

    def stale(self, session: Session) -> Outcome:
        """A button from an earlier message (or forged data): say so, and show where we are."""
        note = self.write.text("stale_button")
        if session.active is not None:
            return replace(self.reprompt(session, note), stale_press=True)
        return Outcome(session, (self.write.menu(f"{note} {self.write.text('menu_prompt')}", "fallback"),),
                       stale_press=True)

    def _yes_or_no(self, message: Normalised) -> bool | None:
        """A typed answer to a confirmation question: True, False, or None when it is neither."""
        words = " ".join(message.tokens)
        if words in self.yes_words:
            return True
        if words in self.no_words:
            return False
        return None


def _offered_reminder(personal: PersonalData, kind: str) -> MenuHandler:
    """The menu handler of a plan's "remind me" button: the reminder set-up with that reminder chosen."""
    return lambda session, now: personal.setup_reminders(session, now, kind)


def _must_agree(what: str, ours: Iterable[str], theirs: Iterable[str]) -> None:
    """Stop with the differences when two lists that must hold the same names do not."""
    only_ours, only_theirs = sorted(set(ours) - set(theirs)), sorted(set(theirs) - set(ours))
    if only_ours or only_theirs:
        raise RuntimeError(f"{what} differ: only in the first: {only_ours}; only in the second: {only_theirs}")

