"""Answers built from a reading: every topic asked gets a short part, in the order asked, from the
knowledge entry retrieved for that question; then lines that use what the message says about the
person (the check-up's plan rules for medicines and conditions, knowledge/context.yaml for sport, a
child or partner, age) and the caveats for anyone whose self-care advice must change."""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.content.bundle import Content
from bot.content.knowledge import Entry
from bot.core import actions
from bot.core.answer_context import context_lines
from bot.core.caveats import giving
from bot.core.plan import build_plan
from bot.core.replies import Choice, Reply
from bot.core.reply_writer import ReplyWriter
from bot.language.normaliser import Normalised
from bot.language.reading import Reading

MAX_PARTS = 3
SHORT_PART = 400  # characters of an entry's answer kept when a reply has several parts
MAX_REPLY = 1400  # characters a many-part answer aims for (about three phone screens); safety lines always stay
MIN_BEST = 18.0  # blended score below which nothing retrieved counts as an answer
UNREAD_MIN = 50.0  # blended score that answers a question the topic words did not read ("was it the capsules?")
BACK_WORDS = 8  # words at most in such a question that points back ("are they ok?") to the sentence before
# Weights of the three signals for one question: the example matcher on the question's words, BM25 over
# passages on the question's words, and BM25 on the whole message (the story around the question);
# the topic's general entry gets a small head start, so only a clearly better entry replaces it.
WEIGHTS = (0.5, 0.35, 0.15)
WHOLE_WEIGHTS = (0.8, 0.2, 0.0)  # for a whole story with no topic: the matcher reads meaning, BM25 only words
GENERAL_FIRST = 8.0
STORY_GENERAL = 16.0  # the general entry's head start when a bare question ("any suggestions?") is read from its story
GENERAL_SCORE = 60.0  # how sure a question that names nothing but its topic is of the topic's general entry
ALREADY_KEYS = ("already_fluids", "already_stretching")  # "I drink plenty": said back before the answer
MAX_BUTTONS = 4
TIPS = 1  # the check-up plan's other tips (not doctor advice) shown with an answer
NAMED = ("medications", "conditions")
SAFETY = "reference/safety.md"  # the source of the caveats that are always shown when they apply
# Answers to these topics end with when to see a doctor (reference/safety.md, levels 2 and 3), unless
# they already say it.
DOCTOR_TOPICS = {"cause", "prevention", "serious"}
# words that say when to see someone ("book a doctor's appointment", "get it checked"); a doctor named in
# passing ("if a doctor has limited your fluids") is not that
DOCTOR_WORDS = ("appointment", "see a doctor", "see your doctor", "see their doctor", "checked", "midwife", " gp",
                "tell your doctor", "talk to your doctor", "ask your doctor")
# Answers to these topics end with the self-care that has most backing (reference/safety.md: regular calf
# stretching; during a cramp, the toes pulled up or standing on the leg), unless they already say to stretch.
STRETCH_TOPICS = {"cause", "prevention", "food", "supplements", "serious", "relief", "medicines"}


@dataclass(frozen=True)
class Part:
    """One part of an answer: the topic asked (None when read from the whole message) and its entry."""

    topic: str | None
    entry: Entry
    score: float
    titled: bool = False  # headed by the entry's own title: the question did not name its topic ("does my age matter?")


class AnswerBuilder:
    """Retrieves knowledge per question and writes the many-part answer."""

    def __init__(self, content: Content, write: ReplyWriter):
        self.content = content
        self.write = write
        self.topics = {t.id: t for t in content.reader.data.topics}

    def parts(self, reading: Reading, message: Normalised, follow: tuple[str, ...] = ()) -> tuple[Part, ...]:
        """The entries that answer each topic asked (or the whole message when no topic is named);
        `follow` are the topics of the previous answer, for a follow-up that names none."""
        asks = [(a.topic, a.words or reading.sentences[a.sentence], a.specific) for a in reading.asks]
        if not asks and follow:
            asks = [(topic, " ".join(reading.sentences), True) for topic in follow[:1]]
        parts: list[Part] = []
        groups = self.content.reader.data.group_entries
        if follow:  # "and for my son?": the answer written for that group of people, if there is one
            parts += [Part(None, self.content.knowledge.get(entry), GENERAL_SCORE) for entry, group in groups.items()
                      if reading.in_group(group)][:1]
        for topic, sentence, specific in asks:
            if any(p.topic == topic for p in parts):
                continue  # one part per topic: "why... and why me?" is one question
            # "what causes them? how do I prevent them?" after a story of heat: two bare questions read from the same
            # story get one answer on fluids, and the next best for the other question (a question that names
            # something of its own, "is it ok to drink pickle juice?", may share the answer of another)
            used = frozenset(p.entry.id for p in parts)
            if specific:
                part = self._retrieve(topic, sentence, message, reading)
            elif len(reading.sentences) > 1 and not reading.already:  # "...a hot water bottle on his feet. Is that ok?"
                story = " ".join(reading.sentences)
                part = self._retrieve(topic, story, message, reading, general=STORY_GENERAL, exclude=used)
                if part is None or part.score < MIN_BEST + GENERAL_FIRST:
                    whole = self._retrieve(None, story, message, reading, exclude=used)
                    part = Part(topic, whole.entry, whole.score) if whole else part
            else:
                part = Part(topic, self.content.knowledge.get(self.topics[topic].entries[0]), GENERAL_SCORE)
            if part is not None and all(p.entry.id != part.entry.id for p in parts):
                parts.append(part)
        parts = self._unread(reading, message, parts)
        if not parts:
            whole = self._retrieve(None, " ".join(reading.sentences), message, reading)
            if whole is None and (reading.person.facts or reading.person.sports):
                # a story of cramps that keep coming, with a medicine, condition or sport in it: how to make
                # them less likely, and the lines for that context
                whole = Part(None, self.content.knowledge.get(self.topics["prevention"].entries[0]), MIN_BEST)
            if whole is not None:
                parts.append(whole)
        return tuple(parts[:MAX_PARTS])

    def _unread(self, reading: Reading, message: Normalised, parts: list[Part]) -> list[Part]:
        """The parts with one more for each question the topic words did not read ("was it the capsules?"),
        where retrieval on that question alone is sure of an entry; in the order asked."""
        asked = {a.sentence for a in reading.asks}
        order = {a.topic: a.sentence for a in reversed(reading.asks)}  # the sentence that first asks each topic
        found: list[tuple[int, Part]] = []
        for number in reading.questions:
            sentence = reading.sentences[number]
            if number in asked or not sentence.rstrip().endswith("?"):
                continue
            part = self._retrieve(None, sentence, message, reading)
            words = sentence.lower().replace("?", " ").split()
            if (part is None or part.score < UNREAD_MIN) and number and len(words) <= BACK_WORDS \
                    and set(words) & self.content.reader.data.back_words:
                # "...take calcium and magnesium tablets. are they ok to take?": "they" is what the sentence
                # before names
                part = self._retrieve(None, f"{reading.sentences[number - 1]} {sentence}", message, reading)
            if part is None or part.score < UNREAD_MIN or any(p.entry.id == part.entry.id for p in parts):
                continue
            topic = next((t.id for t in self.topics.values() if part.entry.id in t.entries), None)
            same = next((i for i, p in enumerate(parts) if topic and p.topic == topic), None)
            if same is None:
                found.append((number, Part(topic, part.entry, part.score, titled=True)))
            elif parts[same].entry.id == self.topics[topic or ""].entries[0] or order.get(topic or "") == number + 1:
                # "am I dehydrated?? could that be why?": the question just before says what "that" is, and its
                # answer stands for the topic's general one
                parts[same] = Part(topic, part.entry, part.score)
        if not found:
            return parts
        merged = [(order.get(p.topic or "", 0), p) for p in parts] + found
        return [p for _, p in sorted(merged, key=lambda pair: pair[0])]

    def _retrieve(self, topic: str | None, sentence: str, message: Normalised, reading: Reading | None = None,
                  general: float = GENERAL_FIRST, exclude: frozenset[str] = frozenset()) -> Part | None:
        """The best answer entry for one question: example matcher on the question's own words, plus
        BM25 over passages on the question and the whole message, among the topic's entries (not those in
        `exclude`, the answers to questions before it)."""
        among = tuple(e for e in self.topics[topic].entries if e not in exclude) if topic else None
        if topic and not among:
            return None  # every entry of the topic answers a question before it already
        general = general if among and topic and among[0] == self.topics[topic].entries[0] else 0.0
        asked = self.content.normaliser.normalise(sentence)
        fuzzy = self.content.matcher.scores(asked) if asked.canon else {}
        passages = self.content.passages
        question = _scaled(passages.scores(asked.canon))
        story = _scaled(passages.scores(message.canon))
        knowledge = self.content.knowledge.entries
        candidates = among or tuple(e for e in fuzzy if knowledge[e].kind == "answer" and e not in exclude)
        # "a friend swears by milk": the quinine entry answers only a message that names quinine
        tokens = (*asked.canon, *message.canon)
        candidates = tuple(e for e in candidates if knowledge[e].fits(tokens))
        groups = self.content.reader.data.group_entries
        if reading is not None:  # an entry written for children answers only about a child
            candidates = tuple(e for e in candidates if e not in groups or reading.in_group(groups[e]))
        if reading is not None and reading.already:  # "I drink plenty": not answered with "drink enough"
            kept = tuple(e for e in candidates if (among and e == among[0])
                         or not set(knowledge[e].advice) & set(reading.already))
            candidates = kept or candidates
        told_not = self.content.reader.data.told_not  # "walking it off made it worse" is not pain on walking
        ruled_out = {e for label in (reading.told if reading else ()) for e in told_not.get(label, ())}
        candidates = tuple(e for e in candidates if e not in ruled_out) or candidates
        told = self.content.reader.data.told_entries  # "since I've been walking more": doing more than usual
        # a sport favours its entries only for a question asked, not a whole story read for its subject
        labels = (reading.told if among else reading.when) if reading else ()
        favoured = {e for label in labels for e in told.get(label, ())}
        candidates = tuple(e for e in candidates if e in favoured) or candidates
        best: tuple[float, str] | None = None
        weights = WEIGHTS if topic else WHOLE_WEIGHTS
        for rank, entry_id in enumerate(candidates):
            score = (weights[0] * fuzzy.get(entry_id, 0.0) + weights[1] * question.get(entry_id, 0.0)
                     + weights[2] * story.get(entry_id, 0.0) + (general if among and rank == 0 else 0.0))
            if best is None or score > best[0]:
                best = (score, entry_id)
        if best is None:
            return None
        score, entry_id = best
        if score < MIN_BEST:
            if topic is None:
                return None
            entry_id = self.topics[topic].entries[0]  # nothing fits well: the topic's general answer
        return Part(topic, knowledge[entry_id], score)

    def reply(self, reading: Reading, parts: tuple[Part, ...], message: Normalised, zone: str | None,
              extra: tuple[Choice, ...] = (), budget: int = MAX_REPLY, doctor: bool = True) -> Reply:
        """The answer: caveats first, then each part (headed when there are several), then the lines that
        use the person's context; buttons for more on each part, then `extra`. `budget` is the length it
        aims for; `doctor` False leaves out the line on when to see a doctor and the plan's tips to talk to one
        (a level of care said it)."""
        mentioned = self.content.caveats.mentioned(message)
        chosen: list[Entry] = []
        for part in parts:
            entry = part.entry
            instead = next((c.instead for c in giving(mentioned, entry.advice) if c.instead), None)
            entry = self.content.knowledge.get(instead) if instead and instead != entry.id else entry
            if entry not in chosen:
                chosen.append(entry)
        topics = tuple(p.topic for p in parts if p.topic) or reading.topics
        lines = context_lines(self.content.context.lines, reading, topics)
        advice = {a for entry in chosen for a in entry.advice} | {a for line in lines for a in line.advice}
        advice |= set(reading.doing)  # "he puts a hot water bottle on his numb feet": the heat caveat too
        caveats = tuple(c for c in giving(mentioned, tuple(sorted(advice))) if c.instead not in {e.id for e in chosen})
        tips = self._plan_tips(reading, chosen, others=not any(line.advice for line in lines), doctor=doctor,
                               shown_caveats={c.id for c in caveats})
        several = len(chosen) > 1
        lead_ids = self.content.context.lead  # "may be an injury": said first, never dropped
        lead = [line.text for line in lines if line.id in lead_ids]
        lines = tuple(line for line in lines if line.id not in lead_ids)
        caveats_text = [c.text for c in caveats] + lead
        # under a level of care, a line telling them when to book an appointment would contradict it
        extras = [line.text for line in lines if doctor or not any(w in line.text.lower() for w in DOCTOR_WORDS)]
        already = [self.write.text(f"already_{kind}") for kind in reading.already if f"already_{kind}" in ALREADY_KEYS]
        shown = len(chosen)
        while True:
            for short in (several, True):  # a long reply: every part cut to its first lines, then fewer extras
                blocks = caveats_text + already
                said: set[str] = set()
                for part, entry in list(zip(parts, chosen, strict=False))[:shown]:
                    body = _unsaid(self._answer(entry, message, zone, short=short), said)
                    heading = (self.topics[part.topic].heading if part.topic and not part.titled else entry.title) \
                        if several else ""
                    blocks.append(f"▸ {heading}\n{body}" if heading else body)
                blocks += tips
                if sum(len(b) for b in blocks + extras) <= budget:
                    break
            if not extras or shown <= 2 or sum(len(b) for b in blocks + extras) <= budget:
                break
            shown -= 1  # a line for their sport or family goes before a third part, which stays a ➕ button
        if already and sum(len(b) for b in blocks + extras) > budget:
            blocks = [b for b in blocks if b not in already]  # a courtesy; the answer comes first
        tip_mark = self.write.fill("tip", tip="").strip()
        if extras and sum(len(b) for b in blocks + extras) > budget:
            blocks = [b for b in blocks if not b.startswith(tip_mark)]  # the general tip goes before a line for them
        while extras and sum(len(b) for b in blocks + extras) > budget:
            extras.pop()  # sport, age and family lines go before anything about safety or medicines
        blocks += extras
        stretch = self._stretch_line(topics, " ".join(blocks))
        if stretch and sum(len(b) for b in blocks) + len(stretch) <= budget:  # not in a reply long enough already
            blocks.append(stretch)
        line = self._doctor_line(topics, " ".join(blocks)) if doctor else ""
        if line:
            blocks.append(line)
        buttons = list(extra)
        if several:
            buttons += [Choice(actions.ask(e.id), f"➕ {e.title}") for e in chosen]
        elif chosen and chosen[0].more:
            buttons.append(Choice(actions.more(chosen[0].id, 1), self.write.text("more_label")))
        sources = tuple(dict.fromkeys(s for e in chosen for s in e.sources))
        sources += tuple(s for line in lines for s in line.sources if s not in sources)
        sources += tuple(s for c in caveats for s in c.sources if s not in sources)
        first = chosen[0].id if chosen else None
        score = max((p.score for p in parts), default=0.0)
        return Reply("\n\n".join(blocks), "answer", tuple(buttons[:MAX_BUTTONS]), None, first, min(100.0, score),
                     sources)

    def with_context(self, reply: Reply, reading: Reading, message: Normalised) -> Reply:
        """A single knowledge answer with the lines that use the person's context added below it (the
        plan's doctor tips, knowledge/context.yaml), and the caveats those lines need."""
        entry = self.content.knowledge.entries.get(reply.intent or "")
        if entry is None or entry.kind != "answer":
            return reply
        lines = context_lines(self.content.context.lines, reading, reading.topics or ("cause", "prevention"))
        tips = self._plan_tips(reading, [entry], others=False)
        stretch = self._stretch_line(reading.topics, reply.text)
        if stretch:
            tips.append(stretch)  # the self-care with most backing, after the answer
        doctor = self._doctor_line(reading.topics, reply.text + stretch)
        if doctor:
            tips.append(doctor)  # when to see a doctor, unless the answer says it
        if not lines and not tips and not set(reading.doing) - set(entry.advice):
            return reply
        mentioned = self.content.caveats.mentioned(message)
        given = {a for line in lines for a in line.advice} | set(reading.doing)
        new_advice = tuple(sorted(given - set(entry.advice)))
        caveats = tuple(c for c in giving(mentioned, new_advice) if c.text not in reply.text)
        lead_ids = self.content.context.lead  # "may be an injury": said before the answer
        blocks = [*(line.text for line in lines if line.id in lead_ids), reply.text, *(c.text for c in caveats)]
        blocks += [*tips, *(line.text for line in lines if line.id not in lead_ids)]
        sources = tuple(dict.fromkeys((*reply.sources, *(s for line in lines for s in line.sources),
                                       *(s for c in caveats for s in c.sources))))
        return replace(reply, text="\n\n".join(blocks), sources=sources)

    def _answer(self, entry: Entry, message: Normalised, zone: str | None, short: bool) -> str:
        """An entry's answer, its {local_number} filled in; cut to its first lines when `short`."""
        text = self.write.answer_text(entry, message, zone)
        if not short or len(text) <= SHORT_PART:
            return text
        lines = text.splitlines()
        kept: list[str] = []
        for line in lines:
            if kept and sum(len(k) + 1 for k in kept) + len(line) > SHORT_PART:
                break
            kept.append(line)
        while len(kept) > 1 and kept[-1].rstrip().endswith(":"):
            kept.pop()  # a heading whose list was cut off
        keep = self.content.context.keep_when_short  # a limit, numb feet, when to get help: never cut
        kept += [line for line in lines[len(kept):] if any(word in line.lower() for word in keep)]
        return "\n".join(kept)

    def _doctor_line(self, topics: tuple[str, ...], said: str) -> str:
        """The line on when to see a doctor, for an answer to these topics that does not say it (empty otherwise)."""
        if DOCTOR_TOPICS & set(topics) and not any(word in said.lower() for word in DOCTOR_WORDS):
            return self.write.text("doctor_line")
        return ""

    def _stretch_line(self, topics: tuple[str, ...], said: str) -> str:
        """The line on the self-care with most backing, for an answer to these topics that does not already
        say to stretch (empty otherwise)."""
        return self.write.text("stretch_line") if STRETCH_TOPICS & set(topics) and "stretch" not in said.lower() else ""

    def _plan_tips(self, reading: Reading, chosen: list[Entry], others: bool, doctor: bool = True,
                   shown_caveats: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """The check-up's doctor tips for the medicines and conditions the message names, and its best
        other tip for when and how the cramps come (`others`: no context line says it already, and no part
        covers it), as lines quoting what the person said (the plan's own rules, so plan and answers agree);
        `doctor` False leaves the doctor tips out; a tip that says what a caveat in `shown_caveats` says is left out."""
        if not reading.person.facts:
            return []
        answers: dict[str, tuple[str, ...]] = {}
        said: dict[str, str] = {}
        labels = self.content.checkup.answer_labels()
        for question, choice, words in reading.person.facts:
            answers[question] = (*answers.get(question, ()), choice)
            if question in NAMED:  # a medicine or condition, quoted in the person's own words
                said[labels[(question, choice)]] = words
        plan = build_plan(self.content.plan, self.content.checkup, answers)
        shown = {entry.id for entry in chosen}
        # A doctor tip that points to the answer written for the person's group, shown here, says it again; another
        # tip whose entry is shown says nothing new, unless it is a safety caveat ("check your feet every day" is
        # not in the answer on shoes).
        groups = self.content.reader.data.group_entries
        # a tip whose only source is the safety reference is a caveat for this person ("check your feet every
        # day" with diabetes): always shown
        caveats = [tip for tip in plan.tips if tuple(tip.sources) == (SAFETY,) and tip.caveat not in shown_caveats]
        doctors = plan.doctor if doctor else ()  # under a level of care, seeing someone is said already
        tips = [*(tip for tip in doctors if not (tip.see in shown and tip.see in groups)), *caveats,
                *(tip for tip in plan.tips[:TIPS] if others and tip not in caveats and tip.caveat not in shown_caveats
                  and (tip.see not in shown or SAFETY in tip.sources))]
        lines = []
        for tip in tips:
            quoted = " and ".join(dict.fromkeys(said[label] for label in tip.because if label in said))
            lines.append(self.write.fill("because_you_said", said=quoted, tip=tip.text) if quoted
                         else self.write.fill("tip", tip=tip.text))
        return lines


def _scaled(scores: dict[str, float]) -> dict[str, float]:
    """BM25 scores as 0-100, relative to the best entry of the whole knowledge base for the same words."""
    top = max(scores.values(), default=0.0)
    return {entry: 100 * score / top for entry, score in scores.items()} if top else {}


def _unsaid(body: str, said: set[str]) -> str:
    """An answer part without the lines an earlier part of the same reply already gave (two entries that end
    with the same caveat say it once); the lines given are added to `said`."""
    kept = [line for line in body.splitlines() if not (line.strip() and line in said)]
    said.update(line for line in kept if line.strip())
    return "\n".join(kept)
