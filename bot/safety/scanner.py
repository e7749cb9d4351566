"""The safety scan: the rules of knowledge/safety.yaml compiled into phrase indexes, and every message
checked against them, before anything else, for a red flag and for a cramp happening now."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache

from bot.content.safety import RawRule, SafetyData
from bot.content.triage import TriageData
from bot.language.normaliser import Normalised, Normaliser
from bot.language.phrases import PhraseIndex
from bot.language.times import DURATION, mark_clock_gaps, mark_durations
from bot.safety.rules import Assessment, Explanation, RedFlag, Rule
from bot.safety.timeline import EXERTION, HABIT, NOW, OVER, PLAIN, SETTLED, TOLD, UNSURE, Timeline

Clauses = tuple[tuple[str, ...], ...]
Found = list[tuple[frozenset[int], frozenset[int]]]
LASTED = "lasted"  # a clause told in the past tense that says how long ("my calves felt tight for hours")
ALL = frozenset({NOW, PLAIN, TOLD, LASTED, OVER, SETTLED, UNSURE, EXERTION, HABIT})  # which clauses a rule reads
COUNTED = frozenset({NOW, PLAIN, TOLD, LASTED, UNSURE, EXERTION, HABIT})  # not long over, not settled
SURE = frozenset({NOW, PLAIN, TOLD, LASTED})  # told as happening (a past-tense story with no time named counts)
NOTHING: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())  # a clause not read


class Triggers:
    """Compiled trigger rules; answers 'is this a red flag?', 'is a cramp happening now?' and 'is this a
    reason for a routine appointment?'. Red flags count only in clauses told as happening now (or not
    placed in time): "years ago", "turned out to be reflux" and "fine now" clear what they are said of."""

    def __init__(self, data: SafetyData, triage: TriageData, normaliser: Normaliser):
        self.data = data
        self.triage = triage
        self.normaliser = normaliser
        self.timeline = Timeline(triage, normaliser)
        self._phrases: dict[tuple[str, ...], int] = {}
        self._index = PhraseIndex()
        self._mask = PhraseIndex()
        for key, text in enumerate(data.mask):
            self._mask.add(key, normaliser.phrase(text))
        self._still_going = PhraseIndex()
        for key, text in enumerate(data.still_going):
            self._still_going.add(key, normaliser.phrase(text))
        self.red_flags = tuple(self._compile(r, normaliser) for r in data.red_flags)
        self.active_cramp = tuple(self._compile(r, normaliser) for r in data.active_cramp)
        self.routine = tuple(self._compile(r, normaliser) for r in data.routine)
        # the same clause is read several times (as written, corrected, and for each place in time): its
        # phrases are found once
        self._matches = lru_cache(maxsize=16384)(self._all_matches)
        self._sides = PhraseIndex()
        self._side_of: list[str] = []
        for name, phrases in triage.sides.items():
            for text in phrases:
                self._sides.add(len(self._side_of), normaliser.phrase(text))
                self._side_of.append(name)

    def flag(self, rule_id: str, said: tuple[str, ...] = ()) -> RedFlag | None:
        """The red flag of a rule by its id (a stored question's), or None when no rule has that id now."""
        rule = next((r for r in self.red_flags if r.id == rule_id), None)
        return RedFlag(rule, self.data.levels[rule.level or ""], said) if rule else None

    def _compile(self, raw: RawRule, normaliser: Normaliser) -> Rule:
        groups = tuple(frozenset(self._phrase_id(p, normaliser) for p in g) for g in raw.groups)
        unless = frozenset(self._phrase_id(p, normaliser) for p in raw.unless)
        anywhere = frozenset(self._phrase_id(p, normaliser) for p in raw.unless_anywhere)
        criterion = self.triage.criteria.get(raw.criterion) if raw.criterion else None
        why = criterion.why if criterion else raw.why
        sentence = frozenset(self._phrase_id(p, normaliser) for p in raw.unless_sentence)
        return Rule(raw.id, why, raw.level, groups, unless, anywhere, criterion, raw.context, sentence)

    def _phrase_id(self, text: str, normaliser: Normaliser) -> int:
        phrase = normaliser.phrase(text)
        if phrase in self._phrases:
            return self._phrases[phrase]
        pid = len(self._phrases)
        self._phrases[phrase] = pid
        self._index.add(pid, phrase)
        return pid

    def scan(self, clauses: Clauses, marked: list[tuple[str, ...]] | None = None) -> Found:
        """Phrases present and not negated, clause by clause: (after masking, for rule groups; before
        masking, for `unless`). `marked`: the clauses with their times marked, when already done."""
        found_in: Found = []
        marked = marked if marked is not None else _marked(clauses)
        for i, clause in enumerate(marked):
            hidden = self._masked(clause, marked[i + 1] if i + 1 < len(marked) else ())
            found = frozenset(self._collect(hidden))
            found_in.append((found, found if hidden == clause else frozenset(self._collect(clause))))
        return found_in

    def _all_matches(self, clause: tuple[str, ...]) -> tuple[tuple[int, int, int], ...]:
        """(phrase, start, end) of every phrase in a clause that no negation stands before."""
        return tuple((pid, start, end) for pid, start, end in self._index.matches(clause)
                     if not self.normaliser.negated(clause, start))

    def _collect(self, clause: tuple[str, ...]) -> set[int]:
        return {pid for pid, _, _ in self._matches(clause)}

    def _masked(self, clause: tuple[str, ...], following: tuple[str, ...] = ()) -> tuple[str, ...]:
        """Blank out words covered by a mask phrase ("hot water bottle", "lead to") so they cannot trigger.
        A duration stays when this clause or the `following` one says the cramp is still there
        ("cramped mid-swim and it's been 15 min, still rock hard"; "stretching it for 15 minutes, it's still tight")."""
        tokens = list(clause)
        keep_durations: bool | None = None  # looked up only when a mask names a duration
        for key, start, end in self._mask.matches(clause):
            names_duration = DURATION in self.data.mask[key]
            if names_duration and keep_durations is None:
                keep_durations = any(next(iter(self._still_going.matches(part)), None) is not None
                                     for part in (clause, following))
            if names_duration and keep_durations:
                continue  # "stretched it for 20 minutes and it is still tight": the cramp has lasted that long
            for i in range(start, end):  # a mask naming a duration hides only the duration
                if not names_duration or clause[i] == DURATION:
                    tokens[i] = ""
        return tuple(tokens)

    def assess(self, message: Normalised, context: frozenset[str] = frozenset()) -> Assessment:
        """Scan a message: its most urgent red flag, whether a cramp is happening now, a red flag that needs
        a yes/no answer first, and a reason for a routine appointment. When spelling correction changed a
        word, the words as typed are scanned too and the more urgent finding wins. `context` names the
        situations of the conversation ("cramp_in_progress") whose rules apply too."""
        starts = message.sentence_starts()
        found = self._assess(message.clauses, starts, context)
        if message.uncorrected is None and message.guessed is None:
            return found
        typed = self._assess(message.uncorrected, starts, context) if message.uncorrected else found
        best = _more_urgent(found.red_flag, typed.red_flag)
        unsure = _more_urgent(found.unsure, typed.unsure)
        if message.guessed is not None:  # "cheat pain": a real word that may be a slip for "chest" is asked about
            guess = self._assess(message.guessed, starts, context).red_flag
            if guess is not None and guess.criterion.ask:
                unsure = _more_urgent(unsure, guess)
        return Assessment(best, found.active_cramp or typed.active_cramp,
                          unsure if unsure is not None and _more_urgent(best, unsure) is unsure else None,
                          found.routine or typed.routine)

    def explain(self, message: Normalised, context: frozenset[str] = frozenset()) -> Explanation:
        """What the scan saw, for a person: each clause and its place in time, every red-flag and routine
        rule that fired (with the words it fired on), and the assessment."""
        every: list[RedFlag] = []
        clauses, starts = self.timeline.split(message.clauses, message.sentence_starts())
        self._assess(message.clauses, message.sentence_starts(), context, every)
        placed = tuple(zip((" ".join(c) for c in clauses), self._place(clauses, starts), strict=True))
        return Explanation(placed, tuple(every), self.assess(message, context))

    def _assess(self, written: Clauses, starts: tuple[bool, ...], context: frozenset[str],
                every: list[RedFlag] | None = None) -> Assessment:
        marked_written = _marked(written)
        whole = self.scan(written, marked_written)
        clauses, starts = self.timeline.split(written, starts)
        marked = marked_written if clauses is written else _marked(clauses)
        places = self._place(clauses, starts, marked)
        full = whole if clauses is written else self.scan(clauses, marked)
        scans: dict[frozenset[str], tuple[Clauses, Found]] = {ALL: (clauses, full)}

        def scanned(kept: frozenset[str]) -> tuple[Clauses, Found]:
            """The clauses placed as `kept` (the others blanked), and what the scan found in them."""
            kept = kept if any(p not in kept for p in places) else ALL
            if kept not in scans:
                only = tuple(c if p in kept else () for c, p in zip(clauses, places, strict=True))
                scans[kept] = only, [f if p in kept else NOTHING for f, p in zip(full, places, strict=True)]
            return scans[kept]

        def on(rule: Rule, if_yes: bool = False) -> frozenset[str]:
            """Which clauses a rule reads: all of them for events over by nature (a wound, a flight); for a
            stroke sign, also those said to have got better; for a criterion with a question, only those
            told as now (all but the long-past ones when asking what a "yes" gives); else all but the past."""
            criterion = rule.criterion
            if criterion is None:
                return COUNTED
            if criterion.past_counts:
                return ALL
            kept = COUNTED | {SETTLED} if criterion.settled_counts else COUNTED
            if not criterion.habit_counts:
                kept -= {HABIT}
            if criterion.now_only:
                # "a cramp for 15 minutes after football" is a cramp now; "it felt tight for hours" is over
                kept = SURE - {LASTED} | {EXERTION}
            asks_when = criterion.ask and not criterion.one_side  # its question is about time, not sides
            return SURE if asks_when and not if_yes else kept

        sentences = (_sentences(starts), _sentences(starts, 1))  # a sentence and the next; one sentence
        red_flags = [r for r in self.red_flags if r.context is None or r.context in context]
        best = self._most_urgent(red_flags, scanned, on, every=every, sentences=sentences)
        unsure = None
        if best is not None and best.criterion.one_side and (self._no_side(clauses)
                                                             or self._both_said(best.rule, clauses)):
            # "my ankles are swollen": one leg or both? Asked; what else the message holds stands
            unsure = best
            best = self._most_urgent([r for r in red_flags if r.criterion != unsure.criterion], scanned, on,
                                     sentences=sentences)
            if best is not None and _more_urgent(best, unsure) is best:
                unsure = None
        if unsure is None and (UNSURE in places or EXERTION in places or HABIT in places):
            maybe = self._most_urgent([r for r in red_flags if r.criterion and r.criterion.ask
                                       and not r.criterion.one_side], scanned,
                                      lambda rule: on(rule, if_yes=True), sentences=sentences)
            if maybe is not None and _more_urgent(best, maybe) is maybe:
                unsure = maybe
        active = next((rule for rule in self.active_cramp if _fires(rule, _affirmed(whole), whole)), None)
        def unmasked(kept: frozenset[str]) -> tuple[Clauses, Found]:
            """As `scanned`, with no words masked: the masks keep red flags from firing on "still sore";
            the reasons for a routine appointment may use those words."""
            only, found_in = scanned(kept)
            return only, [(context, context) for _, context in found_in]

        routine = self._most_urgent(self.routine, unmasked, on, masked=False, every=every, sentences=sentences)
        return Assessment(best, active, unsure, routine)

    def _place(self, clauses: Clauses, starts: tuple[bool, ...],
               marked: list[tuple[str, ...]] | None = None) -> tuple[str, ...]:
        """Each clause's place in time (the timeline's), where a clause of a past-tense story that says how
        long something went on is LASTED: a time told of what is over, not of a cramp still going."""
        places = self.timeline.place(clauses, starts)
        if TOLD not in places:
            return places
        marked = marked if marked is not None else _marked(clauses)
        # "it started 20 minutes ago" says when a cramp began, not how long something went on that is over
        return tuple(LASTED if place == TOLD and DURATION in mark and "ago" not in clause else place
                     for place, mark, clause in zip(places, marked, clauses, strict=True))

    def _most_urgent(self, rules: Iterable[Rule], scanned: Callable[[frozenset[str]], tuple[Clauses, Found]],
                     on: Callable[[Rule], frozenset[str]], masked: bool = True,
                     every: list[RedFlag] | None = None,
                     sentences: tuple[tuple[range, ...], tuple[range, ...]] = ((), ())) -> RedFlag | None:
        """The most urgent of the rules that fire, each on the clauses it reads, with the words it fired on."""
        affirmed: dict[frozenset[str], frozenset[int]] = {}
        fired: list[tuple[Rule, Clauses]] = []
        for rule in rules:
            kept = on(rule)
            clauses, found = scanned(kept)
            if kept not in affirmed:
                affirmed[kept] = _affirmed(found)
            if rule.unless_sentence:  # "both legs cramping right now, can't stand up": the sentence is the cramp
                found = _without_sentences(found, rule.unless_sentence, sentences[1])
                if not _fires(rule, _affirmed(found), found):
                    continue
            elif not _fires(rule, affirmed[kept], found):
                continue
            criterion = rule.criterion
            windows = sentences[1] if criterion is not None and criterion.one_sentence else sentences[0]
            if criterion is not None and (criterion.told_together or criterion.one_sentence) and not any(
                    _fires(rule, _affirmed(found[r.start:r.stop]), found[r.start:r.stop]) for r in windows):
                continue  # "cramp" early in a story, "for 2 hours" of something else much later
            fired.append((rule, clauses))
            if every is not None:
                every.append(RedFlag(rule, self.data.levels[rule.level or ""], self.said(rule, clauses, masked)))
        if not fired:
            return None
        rule, _ = min(fired, key=lambda pair: self._order(pair[0]))  # the first of the most urgent
        # the words quoted are those of every rule of the same criterion that fired ("calf", "swollen" and
        # "short of breath"), in the order said
        quotes = sorted({q for other, clauses in fired if other.criterion == rule.criterion
                         for q in self._quotes(other, clauses, masked)})
        words: list[str] = []
        for _, _, text in quotes:
            if all(text not in w and w not in text for w in words):
                words.append(text)
        level = self.data.levels[rule.level or ""]
        # another situation found at the same level is named too ("cramps everywhere" after days of vomiting:
        # many muscles, and heavy fluid loss)
        also = tuple(dict.fromkeys(other.why for other, _ in fired if other.criterion != rule.criterion
                                   and other.level == rule.level and other.why != rule.why))
        return RedFlag(rule, level, tuple(words), also[:2])

    def _no_side(self, clauses: Clauses) -> bool:
        """True when the message names both legs ("ankles", "both legs") and no single leg or side."""
        return self._sides_named(clauses) == {"both"}

    def _sides_named(self, clauses: Clauses) -> set[str]:
        """Which kinds of side the message names: "one" (left, one leg), "single" (calf), "both" (ankles)."""
        return {self._side_of[key] for clause in clauses for key, _, _ in self._sides.matches(clause)}

    def _both_said(self, rule: Rule, clauses: Clauses) -> bool:
        """True when the leg named nearest a one-sided sign is said to be both ("both ankles are puffy, and calf
        cramps at night") and the message names no side ("left", "one leg"): asked, like legs with no side named."""
        quotes = self._quotes(rule, clauses, masked=True)
        if len(quotes) < 2 or len(rule.groups) < 2 or "one" in self._sides_named(clauses):
            return False
        c, sign = quotes[1][0], quotes[1][1]  # the clause and place of the sign (the group after the leg's)
        nearest = min(self._sides.matches(clauses[c]), key=lambda spot: abs(spot[1] - sign), default=None)
        if nearest is None or self._side_of[nearest[0]] != "both":
            return False
        return "both" in clauses[c][max(0, nearest[1] - 2):nearest[2]]

    def _order(self, rule: Rule) -> int:
        """Rules compared by their level of care (on a tie, the first in the file wins: a more specific rule,
        like pregnancy's, is written before the general one)."""
        return self.data.levels[rule.level or ""].rank

    def said(self, rule: Rule, clauses: Clauses, masked: bool = True) -> tuple[str, ...]:
        """The person's words that matched each group of a rule, in the order said ("still there after
        20 minutes": a marked time is quoted as written)."""
        return tuple(text for _, _, text in sorted(self._quotes(rule, clauses, masked)))

    def _quotes(self, rule: Rule, clauses: Clauses, masked: bool) -> list[tuple[int, int, str]]:
        """(clause, position, words) of the first match of each group of a rule."""
        marked = _marked(clauses)
        quotes: list[tuple[int, int, str]] = []
        for group in rule.groups:
            spot = next(((c, start, end) for c, clause in enumerate(marked)
                         for pid, start, end in self._matches(self._masked(clause) if masked else clause)
                         if pid in group), None)
            if spot is None:
                continue
            c, start, end = spot
            spans = _unmarked_spans(clauses[c], marked[c])
            words = " ".join(clauses[c][spans[start][0]:spans[end - 1][1]])
            if words in self.normaliser.data.stopwords:
                continue  # "and", "it": a joining word is not worth quoting back
            if words and all(words not in q for _, _, q in quotes):
                quotes.append((c, start, words))
        return quotes


def _unmarked_spans(original: tuple[str, ...], marked: tuple[str, ...]) -> list[tuple[int, int]]:
    """For each token of a clause after times were marked (<duration10>), the span of the words as written
    that it stands for ("20 minutes" for one <duration10>)."""
    spans: list[tuple[int, int]] = []
    j = 0
    for k, token in enumerate(marked):
        if not (token.startswith("<") and token.endswith(">")):
            spans.append((j, j + 1))
            j += 1
            continue
        following = next((t for t in marked[k + 1:] if not t.startswith("<")), None)
        end = j + 1
        while end < len(original) and original[end] != following:
            end += 1
        spans.append((j, end))
        j = end
    return spans


def _marked(clauses: Clauses) -> list[tuple[str, ...]]:
    """Each clause with its times marked: a start and a time now ten minutes or more apart, and any time of
    ten minutes or more, become <duration10>."""
    return [mark_durations(clause) for clause in mark_clock_gaps(clauses)]


def _more_urgent(best: RedFlag | None, other: RedFlag | None) -> RedFlag | None:
    """The red flag with the more urgent level of care (the first one on a tie)."""
    if other is None or (best is not None and best.level.rank <= other.level.rank):
        return best
    return other


def _sentences(starts: tuple[bool, ...], size: int = 2) -> tuple[range, ...]:
    """The clause numbers of every `size` sentences in a row (two: a sentence and the next; a message of one
    sentence: that one), where words told together must be found."""
    firsts = [i for i, start in enumerate(starts) if start or i == 0]
    ends = [*firsts[1:], len(starts)][:len(firsts)]
    return tuple(range(firsts[i], ends[min(i + size - 1, len(ends) - 1)]) for i in range(len(firsts)))


def _without_sentences(found: Found, phrases: frozenset[int], sentences: tuple[range, ...]) -> Found:
    """The scan with every clause of a sentence that holds one of `phrases` (unmasked) left out."""
    cleared = {i for sentence in sentences if any(phrases & found[i][1] for i in sentence) for i in sentence}
    return [NOTHING if i in cleared else pair for i, pair in enumerate(found)] if cleared else found


def _affirmed(found: Found) -> frozenset[int]:
    """Every phrase found (after masking) in any clause."""
    return frozenset().union(*(phrases for phrases, _ in found))


def _fires(rule: Rule, affirmed: frozenset[int],
           found_in: list[tuple[frozenset[int], frozenset[int]]]) -> bool:
    """Every group has an affirmed phrase, found only in clauses without any of the rule's `unless`
    phrases: "my calves are swollen from sunburn" is not raised, but in "got a bit sunburnt at the
    beach, but now only my left calf is swollen" the second clause is evidence enough ("not my
    period" is not an exception either). `unless` looks at each clause before masking, so "hot
    weather" can both hide "hot" and explain swelling. An `unless_anywhere` phrase clears the whole
    message ("my stomach is cramping, i think it's my period")."""
    if not all(group & affirmed for group in rule.groups):
        return False
    if rule.unless_anywhere and any(rule.unless_anywhere & context for _, context in found_in):
        return False
    if not rule.unless:
        return True
    cleared = [bool(rule.unless & context) for _, context in found_in]
    if not any(cleared):  # most messages: no exception at all
        return True
    clean = frozenset().union(*(found for (found, _), gone in zip(found_in, cleared, strict=True) if not gone))
    return all(group & clean for group in rule.groups)

