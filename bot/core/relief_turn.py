"""The relief steps listening, after the safety triage: typed words mid-sequence ("it's worse", "a bit better",
"I can't reach my toes", "now it's in my thigh", "should I stand up?", "ready"), the muscle the steps fit, the
▶️ Start and muscle buttons, and what is said just after the steps escalated to same-day care. Words and
texts: dialogs/relief_words.yaml and dialogs/relief_muscles.yaml."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from bot.content.bundle import Content
from bot.core import actions
from bot.core import content_ids as ids
from bot.core.flow_engine import FlowEngine, Step
from bot.core.outcome import Outcome
from bot.core.replies import Choice, Reply
from bot.core.reply_writer import RELIEF_AGAIN, ReplyWriter
from bot.core.session import Escalated, FlowPosition, Session
from bot.language.normaliser import Normalised
from bot.language.phrases import phrase_end
from bot.language.reading import Reading

Phrases = list[tuple[tuple[str, ...], str]]  # (normalised phrase, what it means)
FlowStepper = Callable[[Session, Step, float, str], Outcome]
Reprompt = Callable[[Session, str], Outcome]
Negated = Callable[[tuple[str, ...], int], bool]
SHORT = 4  # words: a message this short that names another muscle ("thigh", "its my hamstring") moves the steps
GONE, STILL = "gone", "still"  # the relief steps' choices for "it has eased" and "it still hurts"


class ReliefTurn:
    """What typed words and the relief buttons do while the steps run, and just after they escalated."""

    def __init__(self, content: Content, write: ReplyWriter, engine: FlowEngine, flow_step: FlowStepper,
                 reprompt: Reprompt):
        self.content = content
        self.write = write
        self.engine = engine
        self.flow_step = flow_step
        self.reprompt = reprompt
        self.muscles = content.relief_muscles
        self.words = content.relief_words
        phrase = content.normaliser.phrase
        self.negated: Negated = content.normaliser.negated
        self._hears: Phrases = [(phrase(p), h.id) for h in self.words.hears.values() if h.id != "start"
                                for p in h.says]
        self._muscle_says: Phrases = [(phrase(p), m.id) for m in self.muscles.muscles.values() for p in m.says]
        self._questions: Phrases = [(phrase(p), q.id) for q in self.words.questions for p in q.says]
        self._hurts: Phrases = [(phrase(p), "hurts") for p in self.words.hurts.says]
        self._start = {phrase(p) for p in self.words.hears["start"].says}
        self._calm = {phrase(p) for p in self.words.calm.says}
        self._answers = {q.id: q.answer for q in self.words.questions}

    # -- the muscle --------------------------------------------------------------------------------

    def muscle_named(self, message: Normalised, reading: Reading) -> str | None:
        """The muscle a message names: the relief words first ("hamstring", "front of my thigh"), then the
        muscles the reading found ("my calf"); None when it names none."""
        found = _found(self._muscle_says, message, self.negated)
        return self.muscles.of_named(found) or self.muscles.from_reading(reading.muscles)

    def _other_muscle(self, message: Normalised, reading: Reading, current: str) -> str | None:
        """The last muscle named that is not the one being eased ("from my calf to my thigh": the thigh)."""
        named = [m for m in _found(self._muscle_says, message, self.negated) if m != current]
        if named:
            return named[-1]
        other = self.muscles.from_reading(tuple(label for label in reading.muscles
                                                if self.muscles.from_reading((label,)) != current))
        return other

    # -- typed words -------------------------------------------------------------------------------

    def hear(self, session: Session, raw: str, message: Normalised, reading: Reading, now: float) -> Outcome | None:
        """What a typed message means while the relief steps run (or just after they escalated), or None when
        it is none of these words (it then goes on as before)."""
        active = session.active
        if active is None:
            return self._after_escalation(session, message, reading, now)
        if active.flow != ids.RELIEF or not message.tokens:
            return None
        state = self.engine.state(active)
        own = self.engine.read(state, message, raw)
        if state.choice(STILL) is None and (own.choices or own.nav):
            return None  # the clot check's own answers come first ("red foot", "it's worse and hot" is a clot sign)
        heard = set(_found(self._hears, message, self.negated))
        current = self.muscles.get(actions.muscle_from(active.answers)).id
        if "cant_reach" in heard:
            note = f"{self.words.hears['cant_reach'].reply}\n{self.muscles.get(current).cant_reach}"
            return Outcome(session, (self.write.step_note(self.engine, active, note),))
        other = self._other_muscle(message, reading, current)
        if other is not None and ("moved" in heard or len(message.tokens) <= SHORT):
            said = self.words.hears["moved"].reply.replace("{muscle}", self.muscles.muscles[other].name)
            return self.switch(session, other, now, said.strip())
        if "worse" in heard:
            return self.still(session, now, self.words.hears["worse"].reply)
        if "better" in heard:
            return self._eased(session, now)
        if "partly" in heard:
            return self._partly(session, raw, message, now)
        asked = _found(self._questions, message, self.negated)
        if asked:
            return Outcome(session, (self.write.step_note(self.engine, active, self._answers[asked[0]]),))
        if active.hold_waiting and self._whole(message, self._start):
            return self.start_hold(session, now)
        return None

    def still(self, session: Session, now: float, prefix: str) -> Outcome:
        """It still hurts (or worse): the step again with its hold, and ten minutes after the start the level
        of care. A step without that answer (the clot check) is asked again, never skipped, until then."""
        active = session.active
        assert active is not None
        escalation = self.engine.flow.escalation
        late = escalation is not None and now - active.started_at >= escalation.after_seconds
        if not late and self.engine.state(active).choice(STILL) is None:
            return self.reprompt(session, prefix)
        return self.flow_step(session, self.engine.choose(active, (STILL,), now), now, prefix)

    def _eased(self, session: Session, now: float) -> Outcome:
        """It has eased: the end the steps' "It's gone" leads to, from any step."""
        active = session.active
        assert active is not None
        gone = self.engine.state(active).choice(GONE) or self.engine.flow.states[self.engine.flow.start].choice(GONE)
        if gone is None or gone.next is None:
            return self.reprompt(session, "")
        return self.flow_step(session, self.engine.jump(active, gone.next, now), now,
                              self.words.hears["better"].reply)

    def _partly(self, session: Session, raw: str, message: Normalised, now: float) -> Outcome:
        """A little better: the step's own answer for it (usually the next step), said after a kind word."""
        active = session.active
        assert active is not None
        said = self.words.hears["partly"].reply
        choices = self.engine.read(self.engine.state(active), message, raw).choices
        if not choices:
            return self.reprompt(session, said)
        return self.flow_step(session, self.engine.choose(active, choices, now), now, said)

    def switch(self, session: Session, muscle: str, now: float, prefix: str) -> Outcome:
        """The steps fitted to another muscle, from its stretch (the clot check is not asked twice); ten minutes
        after the start a cramp still going is what "Still hurts" says then."""
        active = session.active
        assert active is not None
        escalation = self.engine.flow.escalation
        if escalation is not None and now - active.started_at >= escalation.after_seconds:
            return self.still(session, now, prefix)
        answers = {**active.answers, actions.MUSCLE_ANSWER: (muscle,)}
        step = self.engine.jump(replace(active, answers=answers), self.engine.flow.start, now)
        return self.flow_step(session, step, now, prefix)

    def start_hold(self, session: Session, now: float) -> Outcome | None:
        """▶️ Start (or a typed "ready"): the hold's countdown begins; None when no hold is waiting."""
        active = session.active
        assert active is not None
        started = self.engine.start_hold(active, now)
        if started is None:
            return None
        return Outcome(session.with_(active=started), (self.write.hold_started(self.engine, started),))

    def on_press(self, session: Session, press: actions.FlowPress, now: float) -> Outcome | None:
        """A relief step's ▶️ Start or muscle button; None for any other button."""
        active = session.active
        if active is None or active.flow != ids.RELIEF:
            return None
        if press.hold_start:
            return self.start_hold(session, now)
        muscle = press.muscle
        if muscle is not None and muscle in self.muscles.muscles:
            return self.switch(session, muscle, now, "")
        return None

    def start_position(self, position: FlowPosition, muscle: str | None) -> FlowPosition:
        """A new relief sequence's position, fitted to the muscle named (if any)."""
        if muscle is None or muscle not in self.muscles.muscles:
            return position
        return replace(position, answers={**position.answers, actions.MUSCLE_ANSWER: (muscle,)})

    # -- after an escalation -----------------------------------------------------------------------

    def escalated(self, session: Session, now: float) -> Escalated | None:
        """The escalation this session is still in the light of (within the minutes of relief_words.yaml)."""
        escalated = session.escalated
        if escalated is None or now - escalated.at > self.words.after_seconds:
            return None
        return escalated

    def _after_escalation(self, session: Session, message: Normalised, reading: Reading,
                          now: float) -> Outcome | None:
        """Just after "get medical help today": "it still hurts so much" gets care and the steps again, a
        bare "ok" a calm word; anything else goes on as before."""
        if self.escalated(session, now) is None or not message.tokens:
            return None
        if self._whole(message, self._calm):
            reply = Reply(self.words.calm.reply, "smalltalk", self._after_buttons(session), intent="escalated_ok")
            return Outcome(session, (reply,))
        if not _found(self._hurts, message, self.negated) or set(reading.topics) - {"relief"}:
            return None  # a question about something else ("what causes cramps?") is answered as ever
        level = self.content.safety.levels[self._escalate_level()]
        text = (f"{self.words.hurts.reply}\n\n{self.write.level_text(level, message, session.zone)}\n\n"
                f"{self.words.meanwhile}")
        return Outcome(session, (Reply(text, "urgent", self._after_buttons(session), intent=level.id,
                                       sources=level.sources),))

    def _escalate_level(self) -> str:
        """The level of care the relief steps escalate to."""
        escalation = self.engine.flow.escalation
        assert escalation is not None
        level = self.engine.flow.states[escalation.to].level
        assert level is not None, "an urgent end names its level (checked at load)"
        return level

    def _after_buttons(self, session: Session) -> tuple[Choice, ...]:
        """🆘 Relief steps again, ▶️ Resume check-up when one is paused, and the menu."""
        buttons = [Choice(actions.menu(RELIEF_AGAIN), self.words.again_button)]
        if session.paused is not None:
            buttons.append(self.write.menu_button("resume_checkup", "resume"))
        buttons.append(self.write.menu_button("menu", "main"))
        return tuple(buttons)

    @staticmethod
    def _whole(message: Normalised, phrases: set[tuple[str, ...]]) -> bool:
        """True when the whole message is one of the phrases (with "please", "now" or "ok" around it)."""
        tokens = tuple(t for t in message.tokens if t not in ("please", "pls", "now"))
        return tokens in phrases or (len(tokens) > 1 and tokens[0] in ("ok", "okay") and tokens[1:] in phrases)


def _found(phrases: Phrases, message: Normalised, negated: Negated) -> list[str]:
    """What the phrases found in a message mean, in the order they come, each once; where two overlap the
    longer wins, and a negated phrase ("not better") claims its words without meaning anything."""
    hits: list[tuple[int, int, str | None]] = []
    offset = 0
    for clause in message.clauses:
        for phrase, meaning in phrases:
            for start in range(len(clause)):
                end = phrase_end(clause, start, phrase)
                if end is not None:
                    hits.append((offset + start, end - start, None if negated(clause, start) else meaning))
        offset += len(clause)
    hits.sort(key=lambda h: (-h[1], h[0]))
    covered: set[int] = set()
    kept: list[tuple[int, str]] = []
    for start, length, hit in hits:
        span = set(range(start, start + length))
        if span & covered:
            continue
        covered |= span
        if hit is not None:
            kept.append((start, hit))
    return list(dict.fromkeys(meaning for _, meaning in sorted(kept)))
