"""The safety triage in a conversation, before anything else on a typed message: the reply to a red flag;
a yes/no question when the message touches a red flag but cannot tell whether it is happening now; the
answer to that question; and the routine-appointment line under an answer (level 3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.content.bundle import Content
from bot.core import actions
from bot.core import content_ids as ids
from bot.core.outcome import Outcome
from bot.core.replies import Choice, Reply
from bot.core.reply_writer import ReplyWriter
from bot.core.session import Session, TriageAsk
from bot.core.templates import word_list
from bot.language.normaliser import Normalised
from bot.language.reading import Reading
from bot.safety.rules import Assessment, RedFlag

ASK_FOR = 30 * 60  # seconds a safety question waits for its answer
TRIAGE_YES, TRIAGE_NO = "triage_yes", "triage_no"  # the question's buttons (menu actions)
NO_LINE_KINDS = ("urgent", "emergency", "triage_question")  # replies that never carry the appointment line
MAX_ANSWERED = 2_000  # characters at most of a message whose questions get a short answer under a level of care
MAX_URGENT = 1400  # characters a same-day level of care with its short answer aims for (about three phone screens)
MAX_WITH_LINE = 1500  # characters an answer with the appointment line aims for: the diary offer goes first


@dataclass(frozen=True)
class TriageStep:
    """What the triage decided for a typed message: a reply that ends the turn (`outcome`), or the session
    to go on with; `replay` is the message asked about, to answer now that the person said "no"."""

    session: Session
    outcome: Outcome | None = None
    replay: str | None = None


class TriageTurn:
    """Red flags, safety questions and the appointment line, for one chat's typed messages."""

    def __init__(self, content: Content, write: ReplyWriter,
                 beside: Callable[[Reading, Normalised, str | None, int], Reply | None] | None = None):
        self.content = content
        self.write = write
        self.beside = beside  # the short answer to what a message asks, said under a same-day level of care
        self.yes = word_list(write.text("yes_words")) | word_list(write.text("now_words"))
        self.no = word_list(write.text("no_words")) | word_list(write.text("not_now_words"))
        self.already_booked = word_list(write.text("routine_already_said"))
        self._top = min(level.rank for level in content.safety.levels.values())  # the most urgent level
        self.doctor_tips = tuple(rule.tip for rule in content.plan.rules if rule.doctor)  # the plan's "see someone"

    def context(self, session: Session) -> frozenset[str]:
        """The situations of the conversation that rules may depend on: a cramp being eased now."""
        active = session.active
        return frozenset({"cramp_in_progress"}) if active and active.flow == ids.RELIEF else frozenset()

    def check(self, session: Session, text: str, message: Normalised, found: Assessment, now: float,
              asking: bool = True) -> TriageStep:
        """A pending question answered (yes: its level; no: the message asked about, answered), or not
        answered (the safer reading: its level); a red flag; or a question to ask. `asking` is False when
        the message is the one a "no" was just given for."""
        pending, session = _pending(session, now)
        flag = found.red_flag
        if pending is not None:
            if flag is None and self.answer(message) is False:
                return self._said_no(session, pending, message, now)
            flag = _more_urgent(flag, self.content.triggers.flag(pending.yes, pending.yes_said))
            text = pending.text
        if pending is None and found.unsure is not None and asking:
            # more urgent than any red flag told as now ("chest pain yesterday, my calf is swollen"): asked
            # first; a "no" gives the red flag told as now
            return TriageStep(session, self.ask(session, found, text, message, now))
        if flag is not None:
            now_cramp = found.active_cramp is not None
            return TriageStep(session, self.urgent(session, flag, message, now, text, cramp_now=now_cramp))
        return TriageStep(session)

    def answer(self, message: Normalised) -> bool | None:
        """A typed answer to the yes/no question, whole or as its first clause ("no, that was last month"):
        True, False, or None when it is neither."""
        for words in (" ".join(message.tokens), " ".join(message.clauses[0]) if message.clauses else ""):
            if words in self.yes:
                return True
            if words in self.no:
                return False
        return None

    def press(self, session: Session, yes: bool, now: float) -> TriageStep:
        """A tap on the question's Yes or No button; with no question waiting (a stale button), nothing."""
        pending, session = _pending(session, now)
        if pending is None:
            return TriageStep(session)
        if not yes:
            return self._said_no(session, pending, None, now)
        flag = self.content.triggers.flag(pending.yes, pending.yes_said)
        return TriageStep(session, self.urgent(session, flag, None, now, pending.text) if flag else None)

    def _said_no(self, session: Session, pending: TriageAsk, message: Normalised | None, now: float) -> TriageStep:
        """"No": the level the rest of the message gives, if any; else the message asked about, answered."""
        left = self.content.triggers.flag(pending.no, pending.no_said) if pending.no else None
        if left is not None:
            return TriageStep(session, self.urgent(session, left, message, now, pending.text))
        if not pending.text:  # a group chat keeps no words: the menu instead of the answer
            menu = self.write.menu(self.write.text("menu_prompt"), "smalltalk")
            return TriageStep(session, Outcome(session, (menu,)))
        return TriageStep(session, replay=pending.text)

    def urgent(self, session: Session, flag: RedFlag, message: Normalised | None, now: float, text: str = "",
               cramp_now: bool = False) -> Outcome:
        """The level of care for a red flag (with the conditions and medicines `text` names, to tell whoever
        helps); below the most urgent level, a cramp happening now (`cramp_now`) also gets how to ease it and
        the relief button. A check-up under way is paused, to be resumed later; the flag is remembered for the
        doctor's summary."""
        checkup = session.active if session.active and session.active.flow == ids.CHECKUP else None
        paused = replace(checkup, timer=None) if checkup else session.paused
        message = message if message is not None or not text else self.content.normaliser.normalise(text)
        reading = self.content.reader.read(text, message) if text else None
        below_top = flag.level.rank != self._top and flag.criterion.answers  # never beside a possible clot
        # "on dialysis right now, cramp creeping up my calf, getting worse": the kidney team today, and the cramp
        # eased meanwhile
        ease = (self.write.text("urgent_cramp_now"),) if cramp_now and below_top else ()
        lead = (*ease, *self._lead(flag, reading))
        relief = (self.write.menu_button("start_relief", "cramp"),) if ease else ()
        reply = self.write.urgent(flag, checkup_paused=checkup is not None, message=message, zone=session.zone,
                                  person=reading.person if reading else None, lead=lead, first=relief)
        if below_top and reading is not None and message is not None and self.beside is not None \
                and len(text) <= MAX_ANSWERED:
            # the level of care and why first; the short answer fits in what they leave
            answer = self.beside(reading, message, session.zone, MAX_URGENT - len(reply.text))
            if answer is not None:  # without the lead lines said already ("it may be an injury")
                answer = replace(answer, text="\n\n".join(b for b in answer.text.split("\n\n") if b not in lead))
                reply = self.write.urgent(flag, checkup_paused=checkup is not None, message=message, zone=session.zone,
                                          person=reading.person, lead=lead, first=relief, answer=answer)
        session = session.with_flag(now, flag.level.id, flag.rule.why)
        return Outcome(session.with_(active=None, paused=paused, last_intent=None, more_shown=0, triage=None),
                       (reply,))

    def _lead(self, flag: RedFlag, reading: Reading | None) -> tuple[str, ...]:
        """The lines said first in an answer that fit the message ("felt a pop": it may be an injury), for a
        red flag below the most urgent level, where there is room to say what else it may be."""
        if reading is None or flag.level.rank == self._top:
            return ()
        return tuple(line.text for line in self.content.context.leads(reading))

    def ask(self, session: Session, found: Assessment, text: str, message: Normalised, now: float) -> Outcome:
        """One yes/no question with buttons; the emergency number is in it, so nobody waits on the bot."""
        unsure = found.unsure
        assert unsure is not None
        criterion = unsure.criterion
        question = (criterion.ask or "").format(emergency_number=self.write.emergency_number(message, session.zone))
        buttons = (Choice(actions.menu(TRIAGE_YES), self.write.messages.buttons["triage_yes"]),
                   Choice(actions.menu(TRIAGE_NO), self.write.messages.buttons["triage_no"]))
        reply = Reply(question, "triage_question", buttons, None, unsure.level.id, 100.0, criterion.sources)
        best = found.red_flag
        pending = TriageAsk(now, unsure.rule.id, unsure.said, best.rule.id if best else None,
                            best.said if best else (), text[:2000])
        return Outcome(session.with_(triage=pending), (reply,))

    def with_routine(self, outcome: Outcome, found: Assessment) -> Outcome:
        """An answer with the routine-appointment line below it, when the message gives a reason for one."""
        routine = found.routine
        if routine is None or not outcome.replies or outcome.replies[0].kind in NO_LINE_KINDS:
            return outcome
        first = outcome.replies[0]
        line = self.write.routine_line(routine)
        if line in first.text or (not routine.said and any(w in first.text.lower() for w in self.already_booked)):
            return outcome  # said already; a line that names their own words is always worth adding
        sources = tuple(dict.fromkeys((*first.sources, *routine.criterion.sources)))
        tip = self.write.fill("tip", tip="").strip()  # a general 💡 tip to book an appointment: the line says it
        kept = [b for b in first.text.split("\n\n")
                if not (b.startswith(tip) and any(w in b.lower() for w in self.already_booked))]
        # "Because you said “statins”: tell your doctor..." says again what the line says of “statins”
        again = {self.write.fill("because_you_said", said=word, tip=tip) for word in routine.said
                 for tip in self.doctor_tips}
        kept = [b for b in kept if b not in again]
        offer = self.write.text("history_log_offer")  # a courtesy: the diary button stays
        if sum(len(b) + 2 for b in kept) + len(line) > MAX_WITH_LINE and offer in kept:
            kept.remove(offer)
        return replace(outcome, replies=(replace(first, text="\n\n".join([*kept, line]), sources=sources),
                                         *outcome.replies[1:]))


def _pending(session: Session, now: float) -> tuple[TriageAsk | None, Session]:
    """The safety question still waiting for its answer (if any), and the session without it: a question
    is answered, or not, in the very next turn."""
    pending = session.triage if session.triage and now - session.triage.at <= ASK_FOR else None
    return pending, session.with_(triage=None) if session.triage is not None else session


def _more_urgent(one: RedFlag | None, other: RedFlag | None) -> RedFlag | None:
    """The red flag with the more urgent level of care (the first on a tie)."""
    if other is None or (one is not None and one.level.rank <= other.level.rank):
        return one
    return other
