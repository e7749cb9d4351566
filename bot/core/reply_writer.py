"""Builds the replies the user sees (text, buttons, timer, kind, sources) from content. It decides
wording and buttons only; the conversation decides which reply is due and what state follows."""

from __future__ import annotations

from dataclasses import replace

from bot.content.bundle import Content
from bot.content.flows import FlowState
from bot.content.knowledge import LOCAL_NUMBER, Entry
from bot.core import actions
from bot.core import content_ids as ids
from bot.core.caveats import giving
from bot.core.flow_engine import FlowEngine
from bot.core.replies import Choice, Reply, Timer
from bot.core.session import FlowPosition
from bot.core.templates import fill, quoted
from bot.language.normaliser import Normalised
from bot.language.reading import Person
from bot.safety.rules import Level, RedFlag

RELIEF_AGAIN = "relief_again"  # the menu item that starts the relief steps again after an escalation
MENTIONED = ("conditions", "medications")  # the facts of a reading worth telling whoever helps
MAX_ANSWER_BUTTONS = 3  # buttons for more on the answer under a level of care (then the menu)


class ReplyWriter:
    """Turns content into replies; holds no per-chat state."""

    def __init__(self, content: Content):
        self.content = content
        self.messages = content.messages
        self.cramp_entry = next(e for e in content.knowledge.entries.values() if e.kind == "emergency")

    def text(self, key: str) -> str:
        """A fixed text from dialogs/messages.yaml."""
        return self.messages.text(key)

    def fill(self, key: str, **fields: object) -> str:
        """A fixed text from dialogs/messages.yaml with its {fields} filled in."""
        return fill(self.messages.texts, key, **fields)

    def button(self, key: str, action: str) -> Choice:
        """A fixed button from dialogs/messages.yaml."""
        return Choice(action, self.messages.buttons[key])

    def menu_button(self, key: str, name: str) -> Choice:
        """A fixed button from dialogs/messages.yaml that opens the menu item `name`."""
        return self.button(key, actions.menu(name))

    # -- menu and fixed messages ---------------------------------------------------------------

    def menu(self, text: str, kind: str, intent: str | None = None, score: float | None = None) -> Reply:
        """A message with the main menu under it (fallbacks score 0 unless the matcher said more)."""
        if score is None:
            score = 0.0 if kind == "fallback" else 100.0
        return Reply(text, kind, self.messages.menu, None, intent, score, ())

    def greeting(self) -> Reply:
        """/start: hello, the not-a-doctor sentence, and the menu."""
        text = f"{self.text('greeting')}\n{self.text('disclaimer')}\n\n{self.text('menu_prompt')}"
        return self.menu(text, "smalltalk", intent="start")

    def unknown_command(self, name: str) -> Reply:
        """An unknown /command, shown safely (letters, digits and _ only, at most 32)."""
        shown = "".join(ch for ch in name if ch.isalnum() or ch == "_")[:32]
        return self.menu(f"{self.fill('unknown_command', command=shown)} {self.text('menu_prompt')}", "fallback")

    def resume_or_restart(self) -> Reply:
        """Asked for a check-up while one is paused or running."""
        buttons = (self.menu_button("resume_checkup", "resume"), self.menu_button("restart_checkup", "restart"))
        return Reply(self.text("resume_offer"), "answer", buttons, intent="checkup")

    # -- knowledge answers -----------------------------------------------------------------------

    def entry(self, entry: Entry, score: float, message: Normalised | None = None, zone: str | None = None) -> Reply:
        """A knowledge answer with More, the offered flows and related topics as buttons; above it, the
        caveats for someone the message mentions (a fluid limit, numb feet...) whose advice must change,
        or, where a caveat names one, the entry written for those people instead. A {local_number} line in
        the answer names the number for where the person is (or goes)."""
        mentioned = self.content.caveats.mentioned(message) if message is not None else ()
        caveats = giving(mentioned, entry.advice)
        instead = next((c.instead for c in caveats if c.instead and c.instead != entry.id), None)
        if instead is not None:
            entry = self.content.knowledge.get(instead)
            caveats = giving(mentioned, entry.advice)
        caveats = tuple(c for c in caveats if c.instead != entry.id)  # the entry written for them says it
        buttons: list[Choice] = []
        if entry.more:
            buttons.append(Choice(actions.more(entry.id, 1), self.text("more_label")))
        if ids.RELIEF in entry.offer:
            buttons.append(self.menu_button("start_relief", "cramp"))
        if ids.CHECKUP in entry.offer:
            buttons.append(self.menu_button("start_checkup", "checkup"))
        buttons += self._related(entry)
        if entry.id == ids.CAPABILITIES:
            buttons += list(self.messages.menu)
        text = "\n\n".join((*(c.text for c in caveats), self.answer_text(entry, message, zone)))
        sources = tuple(dict.fromkeys((*entry.sources, *(s for c in caveats for s in c.sources))))
        return Reply(text, entry.kind, tuple(buttons), None, entry.id, score, sources)

    def answer_text(self, entry: Entry, message: Normalised | None, zone: str | None) -> str:
        """An entry's answer with its {local_number} line naming the number for where the person is (or
        goes), or without that line when no region is known."""
        answer = entry.answer
        if LOCAL_NUMBER in answer:
            region = self.content.numbers.region(message, zone)
            local = self.content.numbers.local_line(region)
            answer = answer.replace(LOCAL_NUMBER, local) if local else answer.replace(f"{LOCAL_NUMBER}\n", "")
        return answer

    def more(self, entry: Entry, number: int) -> Reply | None:
        """The `number`th follow-up chunk of an answer (1-based), or None when there is no such chunk."""
        if not 1 <= number <= len(entry.more):
            return None
        buttons: list[Choice] = []
        if number < len(entry.more):
            buttons.append(Choice(actions.more(entry.id, number + 1), self.text("more_label")))
        buttons += self._related(entry)
        return Reply(entry.more[number - 1], entry.kind, tuple(buttons), None, entry.id, 100.0, entry.sources)

    def _related(self, entry: Entry) -> list[Choice]:
        entries = self.content.knowledge.entries
        return [Choice(actions.ask(r), entries[r].title) for r in entry.related]

    # -- safety ----------------------------------------------------------------------------------

    def urgent(self, flag: RedFlag, checkup_paused: bool, message: Normalised | None = None,
               zone: str | None = None, person: Person | None = None, lead: tuple[str, ...] = (),
               answer: Reply | None = None, first: tuple[Choice, ...] = ()) -> Reply:
        """A red flag: the level of care first (with the number for where the person is), then why, the
        conditions and medicines the message names (to tell whoever helps), the `lead` lines (it may be an
        injury; how to ease a cramp now), the short `answer` to what they asked (if any), then the honest
        footer; the `first` buttons (relief), the answer's and the menu."""
        note = f"\n\n{self.text('red_flag_checkup_paused')}" if checkup_paused else ""
        level = flag.level
        why = self.fill("red_flag_said", said=quoted(flag.said), why=flag.rule.why) if flag.said \
            else self.fill("red_flag_why", why=flag.rule.why)
        why += "".join(f"\n{other}" for other in flag.also)  # another situation found at the same level
        mention = self._mention(person) if person is not None else ""
        leads = "".join(f"\n\n{line}" for line in lead)
        if answer is not None:
            leads += f"\n\n{self.text('urgent_answer')}\n{answer.text}"
        text = f"{self.level_text(level, message, zone)}\n\n{why}{mention}{leads}\n\n{self.text('urgent_footer')}{note}"
        more = answer.choices[:MAX_ANSWER_BUTTONS] if answer is not None else ()
        sources = (*level.sources, *(answer.sources if answer is not None else ()))
        return Reply(text, "urgent", (*first, *more, self.menu_button("menu", "main")), None, level.id, 100.0,
                     self._with_number_sources(tuple(dict.fromkeys(sources))))

    def _mention(self, person: Person) -> str:
        """The line naming the conditions and medicines a message told, in its words (empty when none)."""
        said = tuple(dict.fromkeys(words for question, _, words in person.facts if question in MENTIONED))
        if not said:
            return ""
        medicine = any(question == "medications" for question, _, _ in person.facts)
        return "\n\n" + self.fill("red_flag_mention_medicine" if medicine else "red_flag_mention", said=quoted(said))

    def level_text(self, level: Level, message: Normalised | None, zone: str | None) -> str:
        """A level of care's text with the emergency number (and same-day line) for the person's region:
        a place named in the message first, then their saved time zone, else every number."""
        numbers = self.content.numbers
        region = numbers.region(message, zone)
        return level.text.format(emergency_number=numbers.number_text(region), same_day=numbers.same_day_text(region))

    def emergency_number(self, message: Normalised | None, zone: str | None) -> str:
        """The emergency number (or numbers) for where the person is."""
        numbers = self.content.numbers
        return numbers.number_text(numbers.region(message, zone))

    def routine_line(self, flag: RedFlag) -> str:
        """The line under an answer that says to book a routine appointment, and why, in the person's words."""
        if flag.said:
            return self.fill("routine_said", said=quoted(flag.said), why=flag.rule.why)
        return self.fill("routine_why", why=flag.rule.why)

    def _with_number_sources(self, sources: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*sources, *self.content.numbers.data.sources)))

    # -- flows -----------------------------------------------------------------------------------

    def prompt(self, engine: FlowEngine, position: FlowPosition, prefix: str = "", with_timer: bool = True,
               score: float = 100.0, in_place: bool = False) -> Reply:
        """A flow step: its prompt, its buttons (ticked ones marked) and (when it has one) the running timer;
        `in_place`: the same question after a button was ticked, shown in place of the pressed message."""
        state = engine.state(position)
        body, extra = self._step_view(engine, position)
        text = f"{prefix}\n\n{body}" if prefix else body
        timer = None
        if with_timer and position.timer is not None:
            pending = position.timer
            timer = Timer(pending.timer_id, pending.seconds, pending.ends_at, pending.label)
        intent, sources = self._flow_identity(engine)
        buttons = engine.buttons(state, can_go_back=bool(position.history), ticked=position.ticked,
                                 first=self._hold_button(engine, position), extra=extra)
        return Reply(text, engine.flow.kind, buttons, timer, intent, score, sources, in_place=in_place)

    def echo(self, engine: FlowEngine, position: FlowPosition, chosen: tuple[str, ...]) -> str:
        """A typed answer said back ("Got it: “A few times a week”."), in a flow that says answers back;
        else (or for an answer without a label, like a typed time) nothing."""
        labels = engine.labels(position, chosen)
        return engine.flow.echo.format(answer=quoted(labels)) if engine.flow.echo and labels else ""

    def _step_view(self, engine: FlowEngine, position: FlowPosition) -> tuple[str, tuple[Choice, ...]]:
        """A step's words and its own extra buttons: a relief step in the words for the muscle it is fitted
        to, and on the first step the buttons for another muscle (dialogs/relief_muscles.yaml)."""
        state = engine.state(position)
        if engine.flow.id != ids.RELIEF:
            return state.prompt, ()
        muscles = self.content.relief_muscles
        muscle = muscles.get(actions.muscle_from(position.answers))
        body = muscle.steps.get(state.id, state.prompt)
        if state.id != engine.flow.start or not muscle.switch:
            return body, ()
        others = tuple(Choice(actions.flow_muscle(engine.flow.id, state.id, key), muscles.muscles[key].label)
                       for key in muscle.switch)
        return f"{body}\n\n{muscles.ask_where}", others

    def _hold_button(self, engine: FlowEngine, position: FlowPosition) -> tuple[Choice, ...]:
        """▶️ Start, while the step's hold waits for it."""
        if not position.hold_waiting:
            return ()
        return (Choice(actions.flow_hold_start(engine.flow.id, position.state), self.content.relief_words.hold_button),)

    def step_note(self, engine: FlowEngine, position: FlowPosition, text: str) -> Reply:
        """A short line said on a step (another way to stretch, an answer), with the step's buttons; its hold
        keeps running."""
        state = engine.state(position)
        intent, sources = self._flow_identity(engine)
        buttons = engine.buttons(state, can_go_back=bool(position.history), first=self._hold_button(engine, position),
                                 extra=self._step_view(engine, position)[1])
        return Reply(text, engine.flow.kind, buttons, None, intent, 100.0, sources)

    def hold_started(self, engine: FlowEngine, position: FlowPosition) -> Reply:
        """▶️ Start was tapped: the countdown, with the step's buttons."""
        assert position.timer is not None
        pending = position.timer
        intent, sources = self._flow_identity(engine)
        return Reply(self.content.relief_words.hold_started, engine.flow.kind, engine.buttons(engine.state(position)),
                     Timer(pending.timer_id, pending.seconds, pending.ends_at, pending.label), intent, 100.0, sources)

    def timer_done(self, engine: FlowEngine, state: FlowState) -> Reply:
        """A hold has ended: ask how it is now, with the step's buttons."""
        intent, sources = self._flow_identity(engine)
        done = state.timer.done if state.timer else ""
        return Reply(done, engine.flow.kind, engine.buttons(state), None, intent, 100.0, sources)

    def relief_end(self, state: FlowState, prefix: str, checkup_paused: bool, offer_log: bool = False,
                   zone: str | None = None, again: bool = False) -> Reply:
        """The relief sequence ended: eased (kind words, log it?), or escalated to the level of care (`again`:
        ten minutes went by, so what to do meanwhile, and the steps can start again)."""
        buttons = [self.menu_button("log_cramp", "log_relief")] if offer_log else []
        if again:
            buttons.append(Choice(actions.menu(RELIEF_AGAIN), self.content.relief_words.again_button))
        if checkup_paused:
            buttons.append(self.menu_button("resume_checkup", "resume"))
        buttons.append(self.menu_button("menu", "main"))
        text = f"{prefix}\n\n{state.prompt}" if prefix else state.prompt
        if state.kind == "urgent" and state.level:
            level = self.content.safety.levels[state.level]
            meanwhile = f"\n\n{self.content.relief_words.meanwhile}" if again else ""
            text = f"{text}\n\n{self.level_text(level, None, zone)}{meanwhile}\n\n{self.text('urgent_footer')}"
            return Reply(text, "urgent", tuple(buttons), intent=level.id,
                         sources=self._with_number_sources(level.sources))
        if offer_log:
            text += f"\n\n{self.text('log_offer')}"
        if checkup_paused:
            text += f"\n\n{self.text('resume_offer')}"
        return Reply(text, "emergency", tuple(buttons), intent=self.cramp_entry.id, sources=self.cramp_entry.sources)

    def without_buttons(self, replies: tuple[Reply, ...]) -> tuple[Reply, ...]:
        """The same replies with no buttons (an answer given mid-flow, before the flow's own buttons)."""
        return tuple(replace(r, choices=()) for r in replies)

    def _flow_identity(self, engine: FlowEngine) -> tuple[str, tuple[str, ...]]:
        if engine.flow.id == ids.RELIEF:
            return self.cramp_entry.id, self.cramp_entry.sources
        return engine.flow.id, ()
