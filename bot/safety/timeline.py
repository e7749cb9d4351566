"""When each clause of a message happens: now (or back), over (long ago), settled (it went away or was
explained), unsure (past but not said to be over) or habit (what usually happens), from the timing words of
knowledge/triage.yaml."""

from __future__ import annotations

import datetime
from functools import lru_cache

from bot.content.triage import TriageData
from bot.language.normaliser import Normaliser
from bot.language.phrases import PhraseIndex

NOW, OVER, SETTLED, UNSURE, EXERTION, HABIT, PLAIN = "now", "over", "settled", "unsure", "exertion", "habit", ""
TOLD = "past"  # no timing word, told in the past tense, in a story with no time named: counted, but not as now
TODAY = "today"  # a clause's own mark only: placed as told (PLAIN), and ends a story's carried time
_KINDS = ("now", "back", "over", "settled", "unsure", "exertion", "habit", "today", "past_tense", "present_tense")
_YEAR_WORDS = ("in", "during", "around")
THIS_YEAR = datetime.date.today().year


class Timeline:
    """Places each clause of a message in time (pure; built once per content load)."""

    def __init__(self, triage: TriageData, normaliser: Normaliser):
        self._index = PhraseIndex()
        self._negated = normaliser.negated
        self._denied = frozenset(normaliser.phrase(text) for text in triage.timing["denied"])
        # each clause is placed for the message as written, corrected and guessed: its words are found once
        self._timing = lru_cache(maxsize=16384)(self._all_timing)
        self._kind: list[str] = []
        for kind in _KINDS:
            for text in triage.timing[kind]:
                self._index.add(len(self._kind), normaliser.phrase(text))
                self._kind.append(kind)

    def split(self, clauses: tuple[tuple[str, ...], ...],
              starts: tuple[bool, ...]) -> tuple[tuple[tuple[str, ...], ...], tuple[bool, ...]]:
        """Clauses cut where a "now" word follows a past one in the same clause ("last month I had chest pain
        and now my calf cramps": the cramp is now, the chest pain is not)."""
        cuts = [self._cut(clause) for clause in clauses]
        if not any(cuts):
            return clauses, starts
        out: list[tuple[str, ...]] = []
        out_starts: list[bool] = []
        for clause, start, cut in zip(clauses, starts, cuts, strict=True):
            parts = (clause[:cut], clause[cut:]) if cut else (clause,)
            out.extend(parts)
            out_starts.extend((start, False)[:len(parts)])
        return tuple(out), tuple(out_starts)

    def _cut(self, clause: tuple[str, ...]) -> int:
        """Where a "now" word starts after an over, settled or unsure word in this clause (0: no cut)."""
        timing = self._timing(clause)
        found = sorted((start, kind) for kind, start, _ in timing)
        past = next((start for start, kind in found if kind in (OVER, SETTLED, UNSURE, EXERTION, HABIT)), None)
        if past is None or next(kind for _, kind in found if not kind.endswith("_tense")) in ("now", "back"):
            return 0  # "it's now Wednesday and the pain is still there" is now throughout
        settled = [(s, e) for kind, s, e in timing if kind != "now"]
        return next((start for start, kind in found if kind in ("now", "back") and start > past
                     and not any(a <= start < b for a, b in settled)), 0)

    def place(self, clauses: tuple[tuple[str, ...], ...], starts: tuple[bool, ...]) -> tuple[str, ...]:
        """Per clause: NOW, OVER, UNSURE or PLAIN (no timing word: told as current). A clause marked "over"
        or "unsure" carries that to the clauses after it in the same sentence that are told in the past
        tense or have no verb, and to the next sentences while they are told in the past tense ("this
        morning" ends that); a "settled" clause ("but fine now") is SETTLED, and so is the clause just
        before it when that one is not told in the present tense. A "back" clause ("it's happened again")
        is NOW, and so are the rest of its sentence and the clause before it, unless that one is settled."""
        marks = [self._marks(clause) for clause in clauses]
        placed: list[str] = []
        carry = PLAIN
        today = False  # a "this morning" or "an hour ago" told before: the story after it is today's
        for i, (own, tense, _) in enumerate(marks):
            if starts[i] and not (own == PLAIN and tense == "past"):
                carry = PLAIN  # a story told on in the past tense keeps its time across sentences
            today = today or own == TODAY
            if own == NOW or (own == PLAIN and tense == "present"):
                placed.append(NOW if own == NOW else PLAIN)
                carry = PLAIN
                continue
            if own == SETTLED or (starts[i] and clauses[i] in self._denied):
                placed.append(SETTLED)
                if i and placed[i - 1] not in (NOW, OVER) and marks[i - 1][1] != "present":
                    placed[i - 1] = SETTLED
                continue
            if own in (OVER, UNSURE, EXERTION, HABIT, TODAY):
                carry = own if own != TODAY else PLAIN  # "this morning": told as current, whatever came before
            told = carry == PLAIN and own == PLAIN and tense == "past" and not today
            placed.append(TOLD if told else own if own not in (PLAIN, TODAY) else carry)
        for i, (_, _, back) in enumerate(marks):
            if back:  # "I used to get a clot, I think it's back": the clause before counts again (not one said
                # to be settled), and the rest of the sentence
                placed[i] = NOW
                if i and placed[i - 1] in (OVER, UNSURE):
                    placed[i - 1] = NOW
                j = i + 1
                while j < len(placed) and not starts[j]:
                    placed[j] = NOW
                    j += 1
        return tuple(placed)

    def _marks(self, clause: tuple[str, ...]) -> tuple[str, str, bool]:
        """The clause's own timing (now, over, settled, unsure or plain), its tense (past, present or none)
        and whether it says a symptom is back. A "now" word inside a settled phrase ("fine now") does not
        count as now."""
        found: dict[str, list[tuple[int, int]]] = {}
        for kind, start, end in self._timing(clause):
            if kind in ("settled", "habit", "over") and self._negated(clause, start):
                continue  # "won't go away", "not normally", "never used to": not settled, a habit or over
            found.setdefault(kind, []).append((start, end))
        if _names_a_past_year(clause):
            found.setdefault("over", []).append((0, 0))
        settled = found.get("settled", [])
        others = [span for kind in ("settled", "habit") for span in found.get(kind, [])]
        # a "now" or "back" word inside another timing phrase does not count ("fine now", "now and then",
        # "back to normal")
        now = [s for s in found.get("now", []) if not any(a < s[1] and s[0] < b for a, b in others)]
        back = any(not any(a < s[1] and s[0] < b for a, b in others) for s in found.get("back", []))
        if now or back:
            own = NOW
        elif "over" in found:
            own = OVER
        elif settled:
            own = SETTLED
        elif "unsure" in found:
            own = UNSURE
        elif "exertion" in found:
            own = EXERTION
        elif "habit" in found:
            own = HABIT
        elif "today" in found:
            own = TODAY
        else:
            own = PLAIN
        tense = "present" if "present_tense" in found else "past" if "past_tense" in found else "none"
        return own, tense, back


    def _all_timing(self, clause: tuple[str, ...]) -> tuple[tuple[str, int, int], ...]:
        """(kind, start, end) of every timing phrase in a clause."""
        return tuple((self._kind[key], start, end) for key, start, end in self._index.matches(clause))


def _names_a_past_year(clause: tuple[str, ...]) -> bool:
    """True for "in 2021", "during 2019": a year before this one, after a word that places it in time."""
    for i, token in enumerate(clause[1:], 1):
        if len(token) == 4 and token.isdecimal() and 1950 <= int(token) < THIS_YEAR and clause[i - 1] in _YEAR_WORDS:
            return True
    return False
