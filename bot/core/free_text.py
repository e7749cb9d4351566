"""Typed messages outside a dialog, read into a case (bot.language.reading): another language, a cry
of pain, an answer to the bot's own question, a follow-up, a question (short ones by the example
matcher, long ones part by part), or a short question back when the reading is unsure."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Protocol

from bot.content.bundle import Content
from bot.core import actions
from bot.core.answer_builder import AnswerBuilder, Part
from bot.core.caveats import giving, withheld
from bot.core.content_ids import ANIMALS
from bot.core.outcome import Outcome
from bot.core.replies import Choice, Reply
from bot.core.reply_writer import ReplyWriter
from bot.core.session import Recent, Session
from bot.core.templates import word_list
from bot.language.normaliser import Normalised
from bot.language.reading import ANIMAL, FOOT, HAND, SELF, Reading
from bot.matching.matcher import Match

LATER_TOPICS = frozenset({"cause", "doctor", "medicines", "supplements", "food", "remedies", "exercise"})
SURE = 50.0  # a matcher score this high is trusted over words that point elsewhere ("plantar flexion")
SHORT_WORDS = 12  # at most this many words in one sentence: the example matcher reads it whole
TOO_LONG_FOR_NOW = 80  # words: nobody types this much while a cramp is happening
LONG_STORY = 40  # words: a message this long that never says "now" tells a story, it is not a cry for help
RECENT_FOR = 30 * 60  # seconds a previous turn still gives context to a follow-up
CLARIFY, RELIEF_OFFER = "clarify", "relief_offer"
MIN_BESIDE = 300  # characters at least left under a level of care for a short answer, or none is given


@dataclass(frozen=True)
class Turn:
    """One typed message, read: the raw text, its normalised form and its reading."""

    raw: str
    message: Normalised
    reading: Reading


class CrampNow(Protocol):
    """Starts the relief steps: (session, now, score, the reading's labels for the first lines, the message)."""

    def __call__(self, session: Session, now: float, score: float, when: tuple[str, ...] = (),
                 turn: Turn | None = None) -> Outcome:
        """Start (or carry on with) the relief steps."""


class FreeText:
    """Answers typed messages that are not commands, red flags or answers inside a dialog."""

    def __init__(self, content: Content, write: ReplyWriter,
                 cramp_now: CrampNow,
                 from_matcher: Callable[[Session, Normalised, str, float, Match | None], Outcome]):
        self.content = content
        self.write = write
        self.builder = AnswerBuilder(content, write)
        self.cramp_now = cramp_now
        self.from_matcher = from_matcher
        self.yes = word_list(write.text("now_words"))  # typed answers to "is one happening right now?"
        self.no = word_list(write.text("not_now_words"))

    def read(self, raw: str, message: Normalised) -> Turn:
        """Read one message."""
        return Turn(raw, message, self.content.reader.read(raw, message))

    def story_not_now(self, turn: Turn) -> bool:
        """True for a story of past or recurring cramps (more than a short sentence, nothing said to be
        happening now), or any message too long to be typed during a cramp: never the relief timer (the
        answer still carries the relief button when it mentions a cramp now)."""
        reading = turn.reading
        if reading.words > TOO_LONG_FOR_NOW:
            return True
        return (reading.history or reading.words > LONG_STORY) and reading.words > SHORT_WORDS \
            and "now" not in reading.when

    def asks_for_later(self, turn: Turn) -> bool:
        """True for a question about why cramps come, which doctor to see, medicines, supplements, food,
        remedies or exercise, or about how to stop them coming back told of past or recurring cramps, with
        nothing said to be happening now ("he got cramps last summer, how can we keep it from happening
        again?"): never the relief timer."""
        reading = turn.reading
        if "now" in reading.when:
            return False
        return bool(LATER_TOPICS & set(reading.topics)) or (
            "prevention" in reading.topics and bool({"past", "recurring"} & set(reading.when)))

    def not_the_legs(self, turn: Turn) -> bool:
        """True when the message is about a cramp somewhere else (a hand, a period) and names no leg or foot:
        the relief steps are for legs."""
        reading = turn.reading
        return (reading.elsewhere or HAND in reading.muscles) and not reading.about_legs

    def respond(self, session: Session, turn: Turn, now: float) -> Outcome:
        """Answer a typed message outside any dialog."""
        reading, message = turn.reading, turn.message
        recent = session.recent if session.recent and now - session.recent.at <= RECENT_FOR else None
        if reading.language:
            return self._other_language(session, reading.language)
        if reading.person.who == ANIMAL:
            return self._decline(session, message, turn.raw, now, Match(ANIMALS, 100.0))
        if recent and recent.asked:
            answered = self._answer_to_our_question(session, recent, message, now)
            if answered is not None:
                return answered
        match = self.content.matcher.match(message)
        entry = self.content.knowledge.get(match.intent) if match.intent else None
        # "...going into labour!" in a pregnant woman's story of her calf, a leg that wakes them at night: about
        # the legs all the same (a foot alone may be athlete's foot or a bunion)
        told = {question for question, _, _ in reading.person.facts} & {"conditions", "timing"}
        legs = any(muscle not in (HAND, FOOT) for muscle in reading.muscles)
        elsewhere = reading.elsewhere and not (reading.about_legs and (reading.on_topic or (told and legs)))
        if entry is not None and entry.kind == "emergency" and not reading.history and not elsewhere:
            vague = bool(reading.questions) or reading.generic or "recurring" in reading.when
            if reading.distress or "now" in reading.when or not vague:
                return self.cramp_now(session, now, match.score, reading.for_relief, turn)
            if not reading.asks or not (reading.words > SHORT_WORDS or len(reading.sentences) > 1):
                return self._clarify(session, now)  # "cramps?", "the toe cramp thing": its first button is 🆘
            # a story with questions of its own ("is that normal? any advice?"): answered below
        # "...has just gone down with cramp. How do I sort him out?": a bare "what do I do" about a cramp now asks
        # how to ease it, not how to prevent the next one
        later = {ask.topic for ask in reading.asks if ask.topic != "prevention" or ask.specific}
        if "now" in reading.when and (reading.on_topic or reading.about_legs) and not reading.history \
                and not reading.elsewhere and not {"cause", "prevention"} & later:
            return self.cramp_now(session, now, 100.0, reading.for_relief, turn)  # a cramp now, in other words
        if reading.distress:
            return self._offer_relief(session, now)
        follow = self._follow_up(turn, recent)
        if follow:
            return self._compose(session, turn, now, follow, recent)
        long = reading.words > SHORT_WORDS or len(reading.sentences) > 1
        sure = entry is not None and entry.kind != "fallback" and match.score >= SURE
        if elsewhere and reading.elsewhere_entry:  # "does pickle juice help with period cramps?": however it matches
            return self._decline(session, message, turn.raw, now, Match(reading.elsewhere_entry, 100.0))
        if (entry is not None and entry.kind == "fallback" and not (reading.about_legs or reading.on_topic)) or \
                (elsewhere and not sure):
            return self._decline(session, message, turn.raw, now, match)  # about something else
        answerable = entry is not None and entry.kind not in ("fallback", "emergency")  # a cramp now: above
        several = len({ask.words for ask in reading.asks}) > 1  # "why ... and how ...?": two questions in one
        if not long and (len(reading.topics) < 2 or (sure and not several)) and answerable:
            return self._matched(session, turn, now, match)
        back = self.content.reader.data.back_words  # "why does it happen?": it is the cramp talked about
        refers_back = recent is not None and bool(reading.questions) and bool(set(message.tokens) & back)
        topical = (reading.on_topic or reading.about_legs or bool(reading.person.facts)
                   or "numbers" in reading.topics or refers_back)  # "why does it happen?": "it" is the cramp
        groups = self.content.reader.data.group_entries  # "my 5 year old...": a question for the child's entry
        fits = entry is not None and all(entry.id in self.builder.topics[t].entries for t in reading.topics
                                         if set(self.builder.topics[t].entries) <= set(groups))
        tells = any(label in self.content.reader.data.told_entries for label in reading.when)
        if long and sure and fits and entry is not None and entry.kind == "answer" and len(reading.topics) <= 1 \
                and not reading.history and not tells:
            return self._matched(session, turn, now, match)  # one clear question in a few sentences
        if long and topical:
            return self._compose(session, turn, now, (), recent)
        if topical and (reading.asks or reading.questions):
            return self._compose(session, turn, now, (), recent)
        if answerable:
            return self._matched(session, turn, now, match)  # a long message on a topic of its own
        if reading.on_topic or reading.about_legs:
            return self._clarify(session, now)
        return self._decline(session, message, turn.raw, now, match)

    def beside_care(self, reading: Reading, message: Normalised, zone: str | None, budget: int) -> Reply | None:
        """The short answer to what a message asks, in about `budget` characters, said under a same-day level of
        care ("get help today; meanwhile: why it happens..."), with as many parts as fit; the lines a caveat
        withholds there are said instead of the advice. None when the message asks nothing the knowledge
        answers, or there is no room for it."""
        if budget < MIN_BESIDE or not (reading.asks or reading.questions) or reading.language \
                or reading.person.who == ANIMAL:
            return None
        # "...after a long flight. Can I massage it?": no massage, heat or stretching until it has been checked
        mentioned = self.content.caveats.mentioned(message)
        withhold = withheld(mentioned)
        found = self.builder.parts(reading, message)
        parts = tuple(p for p in found if not set(p.entry.advice) & withhold)
        held = tuple(c for c in giving(mentioned, tuple(a for p in found for a in p.entry.advice)) if c.withhold)
        if not parts:  # all it asked about is what must wait: say so
            return Reply("\n\n".join(c.text for c in held), "answer", (), None, None, 100.0,
                         tuple(dict.fromkeys(s for c in held for s in c.sources))) if held else None
        for shown in range(len(parts), 0, -1):  # the parts left out stay as ➕ buttons
            reply = self.builder.reply(reading, parts[:shown], message, zone, budget=budget, doctor=False)
            if len(reply.text) <= budget or shown == 1:
                more = tuple(Choice(actions.ask(p.entry.id), f"➕ {p.entry.title}") for p in parts[shown:])
                text = "\n\n".join((*(c.text for c in held if c.text not in reply.text), reply.text))
                return replace(reply, text=text, choices=(*reply.choices, *more))
        return None

    def _matched(self, session: Session, turn: Turn, now: float, match: Match) -> Outcome:
        """The example matcher's entry for the whole message, with the lines for the person's context."""
        outcome = self.from_matcher(session, turn.message, turn.raw, now, match)
        first = self.builder.with_context(outcome.replies[0], turn.reading, turn.message)
        return self._remember(replace(outcome, replies=(first, *outcome.replies[1:])), turn.reading, now,
                              turn.reading.topics, outcome.replies[0].intent)

    def _compose(self, session: Session, turn: Turn, now: float, follow: tuple[str, ...],
                 recent: Recent | None) -> Outcome:
        """A many-part answer from the reading; a question back when nothing fits but it is about cramps."""
        reading, message = turn.reading, turn.message
        if recent and follow:
            reading = _with_recent(reading, recent)
        parts = self.builder.parts(reading, message, follow)
        about_them = bool(reading.person.facts or reading.person.sports) or reading.person.who != SELF \
            or any(label in self.content.reader.data.told_entries for label in reading.when)  # the story says what
        if not parts or not (reading.asks or follow or _confident(parts) or about_them):
            return self._clarify(session, now)
        extra: list[Choice] = []
        if "now" in reading.when or ("relief" in reading.topics and not reading.history):
            extra.append(self.write.menu_button("start_relief", "cramp"))
        reply = self.builder.reply(reading, parts, message, session.zone, tuple(extra))
        context = self.content.context  # a possible injury is not a cramp to log
        leads = bool(context.leads(reading, reading.topics))
        if reading.history and {"past", "last_night"} & set(reading.when) and not session.in_group and not leads:
            reply = Reply(f"{reply.text}\n\n{self.write.text('history_log_offer')}", reply.kind,
                          (*reply.choices[:3], self.write.menu_button("log_new", "log")), reply.timer, reply.intent,
                          reply.score, reply.sources)
        topics = tuple(p.topic for p in parts if p.topic) or follow
        outcome = Outcome(session.with_(last_intent=reply.intent, more_shown=0), (reply,))
        return self._remember(outcome, reading, now, topics, reply.intent)

    def _remember(self, outcome: Outcome, reading: Reading, now: float, topics: tuple[str, ...],
                  entry: str | None, asked: str | None = None) -> Outcome:
        """Keep what this turn was about, for the next message's follow-up."""
        old = outcome.session.recent
        recent = Recent(now, topics or (old.topics if old else ()), entry,
                        reading.person.who if reading.person.who != SELF or not old else old.who,
                        reading.muscles or (old.muscles if old else ()),
                        reading.person.sports or (old.sports if old else ()), asked)
        return Outcome(outcome.session.with_(recent=recent), outcome.replies, outcome.forget, outcome.stale_press)

    def _follow_up(self, turn: Turn, recent: Recent | None) -> tuple[str, ...]:
        """The previous topics when this message follows up on them ("what about at night?", "and for my
        husband?") without naming a topic of its own; empty otherwise."""
        tokens = turn.message.tokens
        groups = set(self.content.reader.data.group_entries)
        # "and for my son?" names a person, not a new question: the children topic alone still follows up
        new_topics = [t for t in turn.reading.topics if not set(self.builder.topics[t].entries) <= groups]
        if recent is None or new_topics or len(tokens) > SHORT_WORDS:
            return ()
        topics = recent.topics or self._topics_of(recent.entry)
        starts = any(tokens[:len(start)] == start for start in self.content.reader.data.follow_starts)
        return topics if starts else ()

    def _topics_of(self, entry: str | None) -> tuple[str, ...]:
        """The topics whose answers include this entry (a follow-up on a short answer's subject)."""
        return tuple(topic.id for topic in self.content.reader.data.topics if entry in topic.entries)[:1]

    def _answer_to_our_question(self, session: Session, recent: Recent, message: Normalised,
                                now: float) -> Outcome | None:
        """A typed reply to the bot's own question ("Is one happening right now?"): yes starts relief."""
        words = " ".join(message.tokens)
        if words in self.yes:
            return self.cramp_now(session.with_(recent=None), now, 100.0, ())
        if words in self.no and recent.asked == RELIEF_OFFER:
            return self._clarify(session, now)
        if words in self.no:
            return self._remember(Outcome(session, (self._clarify_reply(),)), Reading(), now, (), None, CLARIFY)
        return None

    def _offer_relief(self, session: Session, now: float) -> Outcome:
        """A cry of pain without textbook words: the relief steps one tap away, with the red-flag check."""
        text = f"{self.write.text('relief_offer')}\n\n{self.write.text('relief_offer_check')}"
        buttons = (self.write.menu_button("start_relief", "cramp"), self.write.menu_button("menu", "main"))
        reply = Reply(text, "smalltalk", buttons, intent=RELIEF_OFFER)
        return self._remember(Outcome(session, (reply,)), Reading(), now, (), None, RELIEF_OFFER)

    def _clarify_reply(self) -> Reply:
        buttons = (Choice(actions.menu("cramp"), self.write.messages.buttons["clarify_now"]),
                   Choice(actions.ask("causes_overview"), self.write.messages.buttons["clarify_why"]),
                   Choice(actions.ask("prevention_overview"), self.write.messages.buttons["clarify_prevent"]),
                   Choice(actions.ask("is_it_serious"), self.write.messages.buttons["clarify_serious"]))
        return Reply(self.write.text("clarify"), "fallback", buttons, intent=CLARIFY, score=0.0)

    def _clarify(self, session: Session, now: float) -> Outcome:
        """About cramps, but unclear what is wanted: one short question with buttons."""
        return self._remember(Outcome(session, (self._clarify_reply(),)), Reading(), now, (), None, CLARIFY)

    def _decline(self, session: Session, message: Normalised, raw: str, now: float,
                 match: Match | None = None) -> Outcome:
        """Really off topic: say so, and where to go instead (an off-topic entry's own words when the
        matcher found one)."""
        match = match or self.content.matcher.match(message)
        entry = self.content.knowledge.get(match.intent) if match.intent else None
        if entry is not None and entry.kind == "fallback":
            return self.from_matcher(session, message, raw, now, match)
        reply = self.write.menu(self.write.text("fallback"), "fallback", score=match.score)
        return Outcome(session.with_(last_intent=None, more_shown=0), (reply,))

    def _other_language(self, session: Session, language: str) -> Outcome:
        """Not English: say so in that language and in English, with the relief button."""
        _, line = self.content.reader.data.languages[language]
        buttons = (self.write.menu_button("start_relief", "cramp"),)
        return Outcome(session, (Reply(f"{line}\n{self.write.text('other_language')}", "fallback", buttons,
                                       intent="other_language", score=0.0),))


def _confident(parts: tuple[Part, ...]) -> bool:
    return any(p.score >= 40 for p in parts)


def _with_recent(reading: Reading, recent: Recent) -> Reading:
    """A follow-up's reading with the earlier turn's muscles and sport where it names none."""
    person = reading.person if reading.person.sports else replace(reading.person, sports=recent.sports)
    return replace(reading, muscles=reading.muscles or recent.muscles, person=person)
