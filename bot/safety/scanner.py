"""The safety scan: the rules of knowledge/safety.yaml compiled into phrase indexes, and every message
checked against them, before anything else, for a red flag and for a cramp happening now."""

from __future__ import annotations

from bot.content.safety import RawRule, SafetyData
from bot.language.normaliser import Normalised, Normaliser
from bot.language.phrases import PhraseIndex
from bot.language.times import DURATION, mark_clock_gaps, mark_durations
from bot.safety.rules import Assessment, RedFlag, Rule


class Triggers:
    """Compiled trigger rules; answers 'is this a red flag?' and 'is a cramp happening now?'."""

    def __init__(self, data: SafetyData, normaliser: Normaliser):
        self.data = data
        self.normaliser = normaliser
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

    def _compile(self, raw: RawRule, normaliser: Normaliser) -> Rule:
        groups = tuple(frozenset(self._phrase_id(p, normaliser) for p in g) for g in raw.groups)
        unless = frozenset(self._phrase_id(p, normaliser) for p in raw.unless)
        anywhere = frozenset(self._phrase_id(p, normaliser) for p in raw.unless_anywhere)
        return Rule(raw.id, raw.why, raw.level, groups, unless, anywhere)

    def _phrase_id(self, text: str, normaliser: Normaliser) -> int:
        phrase = normaliser.phrase(text)
        if phrase in self._phrases:
            return self._phrases[phrase]
        pid = len(self._phrases)
        self._phrases[phrase] = pid
        self._index.add(pid, phrase)
        return pid

    def scan(self, clauses: tuple[tuple[str, ...], ...]) -> list[tuple[frozenset[int], frozenset[int]]]:
        """Phrases present and not negated, clause by clause: (after masking, for rule groups; before
        masking, for `unless`)."""
        found_in: list[tuple[frozenset[int], frozenset[int]]] = []
        marked = [mark_durations(clause) for clause in mark_clock_gaps(clauses)]
        for i, clause in enumerate(marked):
            hidden = self._masked(clause, marked[i + 1] if i + 1 < len(marked) else ())
            found = frozenset(self._collect(hidden))
            found_in.append((found, found if hidden == clause else frozenset(self._collect(clause))))
        return found_in

    def _collect(self, clause: tuple[str, ...]) -> set[int]:
        found: set[int] = set()
        for pid, start, _ in self._index.matches(clause):
            if pid not in found and not self.normaliser.negated(clause, start):
                found.add(pid)
        return found

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

    def assess(self, message: Normalised) -> Assessment:
        """Scan a message: its most urgent red flag and whether a cramp is happening now. When spelling
        correction changed a word, the words as typed are scanned too and the more urgent finding wins."""
        found = self._assess(message.clauses)
        if message.uncorrected is None:
            return found
        typed = self._assess(message.uncorrected)
        return Assessment(_more_urgent(found.red_flag, typed.red_flag), found.active_cramp or typed.active_cramp)

    def _assess(self, clauses: tuple[tuple[str, ...], ...]) -> Assessment:
        found_in = self.scan(clauses)
        affirmed = frozenset().union(*(found for found, _ in found_in))
        best: RedFlag | None = None
        for rule in self.red_flags:
            if _fires(rule, affirmed, found_in):
                best = _more_urgent(best, RedFlag(rule, self.data.levels[rule.level or ""]))
        active = next((rule for rule in self.active_cramp if _fires(rule, affirmed, found_in)), None)
        return Assessment(best, active)


def _more_urgent(best: RedFlag | None, other: RedFlag | None) -> RedFlag | None:
    """The red flag with the more urgent level of care (the first one on a tie)."""
    if other is None or (best is not None and best.level.rank <= other.level.rank):
        return best
    return other


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

