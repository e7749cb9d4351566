"""A reading of one message: its sentences, what is asked (topics, in order), and the story around it:
who it is about, where, when and for how long. Pure data, built from knowledge/reading.yaml."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.language.normaliser import Normalised, Normaliser
from bot.language.phrases import PhraseIndex

NOT_A_SPORT = "not_a_sport"  # knowledge/reading.yaml sports: phrases where a sport word means something else
SELF = "self"
HABIT = "habit"  # the `when` label of what usually happens, read per clause
OVER_NOW = "over_now"  # the `when` label of a cramp said to be over ("it's gone now")
RIGHT_NOW = "right_now"  # the `when` label of words said of this very moment ("right now", "as we speak")
NOW_LABELS = frozenset({"now", RIGHT_NOW})  # the `when` labels that say a cramp is happening now
LATER_ASKS = frozenset({"prevention", "cause"})  # topics asked about cramps to come, not the one now
SPORT = "sport"  # a label of Reading.told: the message names a sport (knowledge/reading.yaml told_entries, told_not)
ANIMAL = "animal"  # the people label (knowledge/reading.yaml) of a pet: CrampBot covers people only
_SENTENCE = re.compile(r"[^.!?\n;]+[.!?;]*|[.!?]+")
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?", re.UNICODE)
_SUB_QUESTION = re.compile(r",?\s+(?:and|or|but|also|plus)\s+(?=(?:how|what|why|where|when|which|can|could|should|is|"
                           r"are|do|does|will|would|any)\b)", re.IGNORECASE)
_CYRILLIC = re.compile(r"[\u0400-\u04FF]")
_AGE = re.compile(r"\b(\d{1,3}|[a-z]+(?:[- ][a-z]+)?)[- ]?(?:years?|yrs?)[- ]?old\b"
                  r"|\b(?:i'?m|i am|aged|age) (\d{1,3})\b(?! ?(?:weeks?|wks?|months?|days?|hours?|hrs?|min|minutes?|"
                  r"miles?|km|kg|kilos?|lbs?|stone|percent|%))|\b(\d{1,3}) ?(?:yo|y/o|y\.o\.)\b")
HAND = "hand"  # the muscles label (knowledge/reading.yaml) of a hand, fingers or forearm: not a leg
FOOT = "foot"  # the muscles label of the foot, arch, sole and heel
_DURATION = re.compile(r"\b(?:for |lasted |lasts |lasting |about |over |nearly |almost )?"
                       r"(\d+|a few|a couple of|several|an?|half an?|ten|five|two|three|twenty|thirty|fifteen)"
                       r" ?(seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?)\b")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
            "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
            "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
            "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}


@dataclass(frozen=True)
class Topic:
    """Something people ask about (cause, relief, prevention...): the words that ask it, the knowledge
    entries that can answer it, and the heading of its part in a many-part answer."""

    id: str
    heading: str
    says: tuple[str, ...]
    entries: tuple[str, ...]
    weak: tuple[str, ...] = ()  # phrases that ask this only when the sentence asks nothing more specific
    yields_to: tuple[str, ...] = ()  # topics that stand for this one when the same words ask both


@dataclass(frozen=True)
class ReadingData:
    """The vocabulary of knowledge/reading.yaml, plus the check-up answers a message can give."""

    question_starts: frozenset[str]
    question_phrases: tuple[str, ...]
    topics: tuple[Topic, ...]
    people: dict[str, tuple[str, ...]]
    older_from: int
    child_under: int
    sports: dict[str, tuple[str, ...]]
    competitive: tuple[str, ...]
    muscles: dict[str, tuple[str, ...]]
    sides: dict[str, tuple[str, ...]]
    when: dict[str, tuple[str, ...]]
    distress_words: tuple[str, ...]
    distress_needs: tuple[str, ...]
    distress_marks: tuple[str, ...]
    distress_max_words: int
    distress_filler: frozenset[str]
    distress_not_alone: frozenset[str]
    on_topic: tuple[str, ...]
    elsewhere: tuple[str, ...]
    generic: tuple[str, ...]
    languages: dict[str, tuple[frozenset[str], str]]  # language -> (common words, a line in that language)
    facts: dict[tuple[str, str], tuple[str, ...]] = field(default_factory=dict)  # (question, choice) -> phrases
    endings: tuple[tuple[str, str, str], ...] = ()  # (word ending, question, choice) naming a kind of medicine
    story_topics: frozenset[str] = frozenset()  # topics a story names for a generic question ("what do you advise?")
    not_specific: frozenset[str] = frozenset()  # words that do not make a question specific ("where", "so much")
    group_entries: dict[str, str] = field(default_factory=dict)  # entry -> the group of people it is written for
    told_entries: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `when` label -> entries it favours
    told_not: dict[str, tuple[str, ...]] = field(default_factory=dict)  # `when` label -> entries it rules out
    doing: dict[str, tuple[str, ...]] = field(default_factory=dict)  # advice kind -> phrases of doing it
    already: dict[str, tuple[str, ...]] = field(default_factory=dict)  # advice kind -> "I already do that" phrases
    follow_starts: tuple[tuple[str, ...], ...] = ()  # words that start a follow-up ("what about", "and")
    back_words: frozenset[str] = frozenset()  # words that point back to the cramp talked about ("it")
    third_person: frozenset[str] = frozenset()  # "his legs": a cramp of someone named in another sentence
    # off-topic entry -> words that make a message about it even when an answer matches well ("period cramps")
    elsewhere_first: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def phrases(self) -> list[str]:
        """Every phrase, for the spelling corrector's vocabulary."""
        groups = [self.question_phrases, self.competitive, self.distress_words, self.distress_needs, self.on_topic,
                  self.elsewhere, *self.facts.values(), *self.elsewhere_first.values()]
        groups += [t.says for t in self.topics] + [t.weak for t in self.topics]
        for table in (self.people, self.sports, self.muscles, self.sides, self.when):
            groups += list(table.values())
        return [p for group in groups for p in group if not p.endswith("*")]


@dataclass(frozen=True)
class Ask:
    """One thing asked: its topic, the sentence (index into Reading.sentences) that asks it, and the
    words of that sentence that ask it ("where do they come from" of "where do they come from and how
    can I avoid them?")."""

    topic: str
    sentence: int
    words: str = ""
    specific: bool = True  # names something beyond the asking words and the cramp ("at night", "magnesium")


@dataclass(frozen=True)
class Person:
    """Who the message is about, and what it says about them."""

    who: str = SELF
    age: int | None = None
    sports: tuple[str, ...] = ()
    competitive: bool = False
    facts: tuple[tuple[str, str, str], ...] = ()  # check-up answers the message gives: (question, choice, words)
    older: bool = False  # an age at or above knowledge/reading.yaml's `older_from`


@dataclass(frozen=True)
class Reading:
    """What one message says and asks."""

    sentences: tuple[str, ...] = ()
    questions: tuple[int, ...] = ()
    asks: tuple[Ask, ...] = ()
    person: Person = Person()
    muscles: tuple[str, ...] = ()
    side: str | None = None
    when: tuple[str, ...] = ()
    duration: str | None = None
    distress: bool = False
    language: str | None = None
    words: int = 0
    on_topic: bool = False  # names cramps (knowledge/reading.yaml `on_topic`)
    elsewhere: bool = False  # names something other than leg cramps (period cramps, a bunion...)
    generic: bool = False  # talks of cramps in general ("cramps", "the toe cramp thing"), not of one cramp
    doing: tuple[str, ...] = ()  # advice kinds the person says they do or asks about ("a hot water bottle": heat)
    already: tuple[str, ...] = ()  # advice kinds the person says they already follow ("I drink plenty": fluids)
    elsewhere_entry: str | None = None  # the off-topic entry the message is about ("period cramps"), if named

    @property
    def topics(self) -> tuple[str, ...]:
        """The topics asked, in order, each once."""
        return tuple(dict.fromkeys(a.topic for a in self.asks))

    @property
    def told(self) -> tuple[str, ...]:
        """The `when` labels, and SPORT when a sport is named: what the story tells, for the entries it favours
        or rules out."""
        return (*self.when, SPORT) if self.person.sports else self.when

    @property
    def for_relief(self) -> tuple[str, ...]:
        """The `when` labels, and "pregnant" when the message says so: what the relief steps' first lines fit."""
        return (*self.when, "pregnant") if self.in_group("pregnant") else self.when

    @property
    def history(self) -> bool:
        """True for a story of cramps that have ended or keep coming back, not one happening now."""
        return "now" not in self.when and bool({"past", "last_night", "recurring"} & set(self.when))

    def in_group(self, group: str) -> bool:
        """True when the message is about this group of people: child, older or pregnant."""
        person = self.person
        return {"child": person.who == "child", "older": person.older,
                "pregnant": ("conditions", "pregnant") in {(q, c) for q, c, _ in person.facts}}.get(group, False)

    @property
    def about_legs(self) -> bool:
        """True when the message names a leg or foot muscle (so it is on topic even if nothing is asked)."""
        return any(muscle != HAND for muscle in self.muscles)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (`crampbot ask --json` shows it as `reading`)."""
        person = self.person
        return {
            "questions": [self.sentences[i] for i in self.questions],
            "asks": [{"topic": a.topic, "sentence": a.words or self.sentences[a.sentence]} for a in self.asks],
            "who": person.who, "age": person.age, "older": person.older, "sports": list(person.sports),
            "competitive": person.competitive,
            "facts": [f"{q}:{c} ({said})" for q, c, said in person.facts],
            "muscles": list(self.muscles), "side": self.side, "when": list(self.when), "duration": self.duration,
            "history": self.history, "distress": self.distress, "language": self.language, "on_topic": self.on_topic,
            "elsewhere": self.elsewhere, "elsewhere_entry": self.elsewhere_entry, "generic": self.generic,
            "doing": list(self.doing), "already": list(self.already),
        }


class Reader:
    """Reads messages with the vocabulary of knowledge/reading.yaml."""

    def __init__(self, data: ReadingData, normaliser: Normaliser):
        self.data = data
        self.normaliser = normaliser
        # One index over every table, looked up once per clause (a message's clauses are read by many
        # tables: a phrase index per table would walk each clause a dozen times).
        self._keys: list[tuple[str, str]] = []  # key -> (table, label)
        self._all = PhraseIndex()
        self._hits = lru_cache(maxsize=4096)(self._hits_in)
        self._yields = {topic.id: topic.yields_to for topic in data.topics}
        self._question_phrases = self._index("question", {"q": data.question_phrases})
        self._topics = self._index("topic", {t.id: t.says for t in data.topics})
        self._weak = self._index("weak", {t.id: t.weak for t in data.topics if t.weak})
        self._people = self._index("people", data.people)
        self._sports = self._index("sports", data.sports)
        self._competitive = self._index("competitive", {"yes": data.competitive})
        self._muscles = self._index("muscles", data.muscles)
        self._sides = self._index("sides", data.sides)
        self._when = self._index("when", data.when)
        self._distress = self._index("distress", {"word": data.distress_words})
        self._needs = self._index("needs", {"need": data.distress_needs})
        self._on_topic = self._index("on_topic", {"yes": data.on_topic})
        self._elsewhere = self._index("elsewhere", {"yes": data.elsewhere})
        self._elsewhere_first = self._index("elsewhere_first", data.elsewhere_first)
        self._generic = self._index("generic", {"yes": data.generic})
        self._doing = self._index("doing", data.doing)
        self._already = self._index("already", data.already)
        self._facts = self._index("facts", {f"{q}:{c}": says for (q, c), says in data.facts.items()})

    def _index(self, name: str, table: dict[str, tuple[str, ...]]) -> str:
        for label, phrases in table.items():
            key = len(self._keys)
            self._keys.append((name, label))
            for text in phrases:
                self._all.add(key, self.normaliser.phrase(text))
        return name

    def _hits_in(self, clause: tuple[str, ...]) -> tuple[tuple[str, str, int, int, bool], ...]:
        """(table, label, start, end, negated) of every phrase of every table in a clause, by start."""
        found = sorted(self._all.matches(clause), key=lambda hit: (hit[1], hit[0]))  # by start, then file order
        return tuple((*self._keys[key], start, end, self.normaliser.negated(clause, start))
                     for key, start, end in found)

    def _spans(self, table: str, clause: tuple[str, ...]) -> list[tuple[str, int, int]]:
        """(label, start, end) of every phrase of one table in a clause, negated ones too."""
        return [(label, start, end) for label, start, end, _ in self._table_hits(table, clause)]

    def _found(self, table: str, clause: tuple[str, ...]) -> list[tuple[int, str]]:
        """(position, label) of every phrase of a table in a clause, in order, negations left out."""
        return [(start, label) for label, start, _, negated in self._table_hits(table, clause) if not negated]

    def _table_hits(self, table: str, clause: tuple[str, ...]) -> list[tuple[str, int, int, bool]]:
        """(label, start, end, negated) of every phrase of one table in a clause; for the topics, a phrase
        inside a longer one of another topic does not count ("water" in "water pill" is not about drinks)."""
        hits = [(label, start, end, negated) for name, label, start, end, negated in self._hits(clause)
                if name == table]
        if table != self._topics:
            return hits
        return [(label, start, end, negated) for label, start, end, negated in hits
                if not any(other != label and s <= start and end <= e and e - s > end - start
                           for other, s, e, _ in hits)]

    def _sports_named(self, clauses: list[tuple[str, ...]]) -> tuple[str, ...]:
        """The sports a message names, leaving out a negated one ("never on my runs") and a sport word inside
        a phrase of `not_a_sport` ("tears running", "running late")."""
        named: list[str] = []
        for clause in clauses:
            hits = [(label, start, end, negated) for name, label, start, end, negated in self._hits(clause)
                    if name == self._sports]
            other = [(start, end) for label, start, end, _ in hits if label == NOT_A_SPORT]
            named += [label for label, start, end, negated in hits if label != NOT_A_SPORT and not negated
                      and not any(a <= start and end <= b for a, b in other)]
        return tuple(dict.fromkeys(named))

    def _labels(self, table: str, clauses: list[tuple[str, ...]]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(label for clause in clauses for _, label in self._found(table, clause)))

    def read(self, text: str, message: Normalised | None = None) -> Reading:
        """Read one message (raw text as typed; `message`: the same text already normalised, reused
        when the message is one sentence)."""
        text = text or ""
        language = self.language(text)
        sentences = tuple(s.strip() for s in _SENTENCE.findall(text) if s.strip(" .!?;"))
        if message is not None and len(sentences) == 1:
            parts = [message.clauses]
        else:
            parts = [self.normaliser.normalise(s).clauses for s in sentences]
        clauses = [tuple(t for c in part for t in c) for part in parts]
        questions, asks = self._asks(sentences, clauses, parts)
        times = [self._labels("when", [sentence]) for sentence in clauses]  # per sentence: its `when` labels
        when = tuple(dict.fromkeys(label for labels in times for label in labels if label not in NOW_LABELS))
        if "long" not in when and _long_time(text.lower()):
            when = (*when, "long")
        # a sentence soon after one naming a cramp (not a habit) may say it is still going without naming it: when
        # told, or when asked of this very moment ("what do I tell her to do right now?"), not of what comes later
        later = {ask.sentence for ask in asks if ask.topic in LATER_ASKS}
        abouts = [self._about(part) for part in parts]  # per sentence, per clause: names a cramp or a muscle
        # a cramp named in one of the two sentences before; for a question of this very moment ("...what do i do
        # right now??"), in any sentence before
        told_after = [any(any(abouts[k]) and "recurring" not in times[k]
                          for k in range(0 if RIGHT_NOW in times[i] and i in questions else max(0, i - 2), i))
                      and (not sentences[i].endswith("?") or (RIGHT_NOW in times[i] and i not in later))
                      for i in range(len(parts))]
        now_at = [i for i, (part, about, timing, after) in enumerate(zip(parts, abouts, times, told_after, strict=True))
                  if self._now_in(part, about, timing, after)]
        # "...thrashing about with a leg cramp. It's gone now, but how do I stop them?": over by the time they wrote
        if now_at and not any(OVER_NOW in labels for labels in times[now_at[-1]:]):
            when = ("now", *when)
        elif now_at:
            when = tuple(label for label in when if label != OVER_NOW) + ("past",)
        # whom the cramps are about: a person named beside a cramp, a muscle or a question, not in passing
        # ("early menopause runs on my mum's side")
        about = [clause for number, clause in enumerate(clauses) if number in questions
                 or self._found("on_topic", clause) or self._found("muscles", clause)]
        people = self._labels("people", about)
        if not people and any(set(clause) & self.data.third_person for clause in about):
            # "My husband is 74. ... circulation disease in his legs": the person named in another sentence
            people = tuple(label for label in self._labels("people", clauses) if label != SELF)[:1]
        age = _age(text.lower())
        child = age is not None and age < self.data.child_under
        person = Person(
            who=SELF if SELF in people else people[0] if people else ("child" if child else SELF),
            age=age,
            older=age is not None and age >= self.data.older_from,
            sports=self._sports_named(clauses),
            competitive=bool(self._labels("competitive", clauses)),
            facts=self._facts_in(clauses),
        )
        sides = self._labels("sides", clauses)
        duration = _DURATION.search(text.lower())
        words = len(_WORD.findall(text))
        return Reading(sentences, questions, asks, person, self._labels("muscles", clauses),
                       sides[0] if len(sides) == 1 else ("both" if sides else None), when,
                       duration.group(0).strip() if duration else None,
                       self._distressed(text, clauses, words, bool(questions)), language, words,
                       bool(self._labels("on_topic", clauses)), bool(self._labels("elsewhere", clauses)),
                       bool(self._labels("generic", clauses)), self._labels("doing", clauses),
                       self._labels("already", clauses), next(iter(self._labels("elsewhere_first", clauses)), None))

    def _now_in(self, part: tuple[tuple[str, ...], ...], about: list[bool], timing: tuple[str, ...],
                after_cramp: bool = False) -> bool:
        """True when this sentence (its clauses, what each names, its `when` labels) says a cramp is happening
        now: a "now" phrase in a clause that names a cramp or muscle, or beside one that does, or anywhere in a
        sentence soon after one that names them ("both legs have just locked. they won't let go"); not in a sentence
        about what usually happens ("right now I sometimes...") or about something else ("he is on 10mg a day
        at the moment and his doctor told him..., he still has terrible cramps")."""
        if "recurring" in timing or not NOW_LABELS.intersection(timing):
            return False
        for i, clause in enumerate(part):
            labels = {label for _, label in self._found("when", clause)}
            if NOW_LABELS & labels and HABIT not in labels \
                    and (any(about[max(0, i - 1):i + 2]) or (after_cramp and not any(about))):
                return True
        return False

    def _about(self, part: tuple[tuple[str, ...], ...]) -> list[bool]:
        """Per clause of a sentence: whether it names a cramp or a muscle."""
        return [bool(self._found(self._on_topic, c) or self._found(self._muscles, c)) for c in part]

    def _facts_in(self, clauses: list[tuple[str, ...]]) -> tuple[tuple[str, str, str], ...]:
        """Check-up answers the message gives, each with the words that gave it ("thyroxine")."""
        found: dict[str, str] = {}
        for clause in clauses:
            for label, start, end in self._spans("facts", clause):
                if not self.normaliser.negated(clause, start):
                    found.setdefault(label, " ".join(clause[start:end]))
            for start, token in enumerate(clause):
                for ending, question, choice in self.data.endings:
                    if len(token) > len(ending) + 2 and token.endswith(ending) \
                            and not self.normaliser.negated(clause, start):
                        found.setdefault(f"{question}:{choice}", token)
        return tuple((*label.split(":", 1), said) for label, said in found.items())  # type: ignore[misc]

    def _asks(self, sentences: tuple[str, ...], clauses: list[tuple[str, ...]],
              parts: list[tuple[tuple[str, ...], ...]]) -> tuple[tuple[int, ...], tuple[Ask, ...]]:
        """Which sentences ask something, and the topics each asks, in the order written."""
        questions = [number for number, (sentence, clause) in enumerate(zip(sentences, clauses, strict=True))
                     if sentence.rstrip().endswith("?")
                     or any(_starts_a_question(part, self.data.question_starts) for part in parts[number])
                     or self._found(self._question_phrases, clause)]
        asks = [ask for number in questions for ask in self._asked_in(number, sentences[number], clauses[number])]
        # "what should I do?" asks for prevention unless another question already asks what to do
        doing = {"relief", "prevention"} & {ask.topic for ask in asks}
        asked = {ask.sentence for ask in asks}
        generic = [number for number in questions if number not in asked]
        asks += [Ask(self._this_moment(topic, clauses[number]), number, sentences[number], False)
                 for number in generic if not doing
                 for topic in dict.fromkeys(label for _, label in self._found(self._weak, clauses[number]))]
        if generic and not asked:  # "I'm on magnesium... what would you advise?": the story names the subject
            named = {ask.topic for ask in asks}
            story = [label for number, clause in enumerate(clauses) if number not in questions
                     for _, label in self._found(self._topics, clause)]
            if any(question == "medications" for question, _, _ in self._facts_in(clauses)):
                story.append("medicines")  # a medicine named by its own name ("atorvastatin")
            asks += [Ask(topic, generic[-1], sentences[generic[-1]], False) for topic in dict.fromkeys(story)
                     if topic in self.data.story_topics and topic not in named]
        medicine_named = any(question == "medications" for question, _, _ in self._facts_in(clauses))
        if {"supplements", "medicines"} <= {ask.topic for ask in asks} and not medicine_named:
            # "magnesium tablets, are they ok to take?": a supplement asked about, not a medicine
            asks = [ask for ask in asks if ask.topic != "medicines"]
        return tuple(questions), tuple(sorted(asks, key=lambda ask: ask.sentence))

    def _this_moment(self, topic: str, clause: tuple[str, ...]) -> str:
        """The topic a generic question asks: "what do I do right now?" asks how to ease the cramp now, not
        how to prevent cramps to come."""
        if topic == "prevention" and any(label == RIGHT_NOW for _, label in self._found(self._when, clause)):
            return "relief"
        return topic

    def _asked_in(self, number: int, sentence: str, clause: tuple[str, ...]) -> list[Ask]:
        """The topics one question sentence asks, each with the part of the sentence that asks it: a
        sentence is cut before "and how", "or what"... so each question keeps its own words."""
        asks: dict[str, Ask] = {}
        pieces = _SUB_QUESTION.split(sentence)
        for part in pieces:
            tokens = clause if len(pieces) == 1 else \
                tuple(t for c in self.normaliser.normalise(part).clauses for t in c)
            for topic, start, end in self._spans("topic", tokens):
                if topic not in asks and not self.normaliser.negated(tokens, start):
                    asks[topic] = Ask(topic, number, part.strip(" ,"), self._names_more(tokens, start, end))
        for _, topic in self._found(self._topics, clause):  # a phrase that spans the cut
            asks.setdefault(topic, Ask(topic, number, sentence))
        if asks and len(pieces) > 1:  # "why at night, and what can I do?": a generic second question
            asked = {ask.words for ask in asks.values()}
            for part in pieces:
                if part.strip(" ,") not in asked:
                    tokens = tuple(t for c in self.normaliser.normalise(part).clauses for t in c)
                    for _, topic in self._found(self._weak, tokens):
                        asks.setdefault(topic, Ask(topic, number, part.strip(" ,"), False))
        return [ask for ask in asks.values() if not any(other in asks and asks[other].words == ask.words
                                                        for other in self._yields.get(ask.topic, ()))]

    def _names_more(self, tokens: tuple[str, ...], start: int, end: int) -> bool:
        """True when a question names more than its asking words (tokens start:end), the cramp, a leg or
        foot muscle and small words: "why do my legs cramp" names nothing more, "why at night" does."""
        plain = set(range(start, end))
        for table in ("on_topic", "muscles", "question"):
            plain.update(i for _, s, e in self._spans(table, tokens) for i in range(s, e))
        small = self.normaliser.data.stopwords | self.data.question_starts | self.data.not_specific
        return any(i not in plain and token not in small for i, token in enumerate(tokens))

    def _distressed(self, text: str, clauses: list[tuple[str, ...]], words: int, asking: bool) -> bool:
        """A short cry of pain without textbook words: "help my leg", "owww", "my foot!!!", "😭"."""
        marks = any(mark in text for mark in self.data.distress_marks)
        if words > self.data.distress_max_words or (asking and not marks):
            return False
        tokens = [t for clause in clauses for t in clause if t not in self.data.distress_filler]
        if not tokens:
            return marks
        if self._labels("elsewhere", clauses):
            return False
        if not marks and " ".join(t for clause in clauses for t in clause) in self.data.distress_not_alone:
            return False
        covered: set[int] = set()
        offset = 0
        for clause in clauses:
            kept = [i for i, t in enumerate(clause) if t not in self.data.distress_filler]
            for _, start, end in self._spans("distress", clause):
                covered.update(offset + i for i in kept if start <= i < end)
            offset += len(kept)
        needs = any(self._found(self._needs, clause) for clause in clauses)
        body = bool(self._labels("muscles", clauses))
        return (marks and body) or (needs and len(covered) >= len(tokens))

    def language(self, text: str) -> str | None:
        """The language of a message that is not English (by its common words), or None."""
        if len(_CYRILLIC.findall(text)) >= 3 and "ru" in self.data.languages:
            return "ru"
        words = [w.lower() for w in _WORD.findall(text)]
        if not words:
            return None
        best, hits = None, 0
        for language, (common, _) in self.data.languages.items():
            stems = tuple(w[:-1] for w in common if w.endswith("*"))
            count = sum(w in common or w.startswith(stems) for w in words) if stems else sum(w in common for w in words)
            if count > hits:
                best, hits = language, count
        return best if hits >= 2 and hits * 2 >= len(words) else None


def _starts_a_question(clause: tuple[str, ...], starts: frozenset[str]) -> bool:
    """True when a clause starts with a question word, after a joining word ("and what exercises help")."""
    words = clause[1:] if clause[:1] in (("and",), ("or",), ("but",), ("also",), ("plus",), ("so",)) else clause
    return bool(words) and words[0] in starts


def _long_time(text: str) -> bool:
    """True when the message names a time of ten minutes or more, up to hours ("15 minutes", "half an hour")."""
    for found in _DURATION.finditer(text):
        amount, unit = found.group(1), found.group(2)
        number = (int(amount[:6]) if amount.isdecimal() else  # more digits than that is a lot of minutes
                  _NUMBERS.get(amount, 1 if amount in ("a", "an") else 0))
        if unit.startswith(("hour", "hr")) or (unit.startswith("min") and number >= 10):
            return True
    return False


def _age(text: str) -> int | None:
    """The age a message gives ("I'm 70", "70 years old", "my seven-year-old son"), or None."""
    for found in _AGE.finditer(text):
        for group in found.groups():
            if not group:
                continue
            words = re.split(r"[- ]", group)
            for start in range(len(words)):  # "my seven" -> "seven"
                value = _number("-".join(words[start:]))
                if value is not None and 0 < value < 120:
                    return value
    return None


def _number(text: str) -> int | None:
    """A number written in digits or words ("70", "seven", "twenty-five")."""
    if text.isdigit():
        return int(text)
    parts = re.split(r"[- ]", text)
    if all(p in _NUMBERS for p in parts):
        return sum(_NUMBERS[p] for p in parts)
    return None
