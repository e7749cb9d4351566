"""Text normalisation for matching and the safety scan: case, Unicode, punctuation, contractions,
misspellings, spelling correction against the domain vocabulary, synonyms and negation (all word lists
are data, from knowledge/language.yaml)."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import DamerauLevenshtein

from bot.language.phrases import GAP

LIST_ITEM = 3  # words: a clause this short after a comma may be an item of a list ("redness or heat")
INFLECTIONS = frozenset({"", "s", "es", "d", "ed", "ing", "er", "ers", "ly", "y"})  # grammar endings of a word

_TOKEN = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
_CLAUSE_BREAK = re.compile(r"[.,;:!?\n]+|\bbut\b|\bhowever\b|\bthough\b")
_SENTENCE_END = re.compile(r"[.!?\n]")
# "3.5 hours", "a 4.5 hour run": a decimal point is not the end of a clause (a clock time has two digits after
# its point, "4.30", and is read across the break)
_DECIMAL_POINT = re.compile(r"(?<=\d)\.(?=\d(?!\d))")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})


@dataclass(frozen=True)
class LanguageData:
    """Word lists from knowledge/language.yaml."""

    contractions: dict[str, str]
    misspellings: dict[str, str]
    synonyms: dict[tuple[str, ...], str]
    stopwords: frozenset[str]
    numbers: dict[str, str]
    protected: frozenset[str] = field(default_factory=frozenset)
    negation_words: frozenset[str] = field(default_factory=frozenset)
    negation_window: int = 3
    negation_through: frozenset[str] = field(default_factory=frozenset)
    negation_undo: frozenset[str] = field(default_factory=frozenset)
    negation_double: frozenset[str] = field(default_factory=frozenset)
    negation_weak: frozenset[str] = field(default_factory=frozenset)  # turn a `double` back, like a negation
    emoji: dict[str, str] = field(default_factory=dict)  # emoji (as emoji_key leaves them) -> words


@dataclass(frozen=True)
class Normalised:
    """A message after normalisation: clauses of corrected tokens, and the matching key.
    `uncorrected` holds the clauses before spelling correction, when correction changed a word
    (the safety scan reads both, so "throbbing" still counts when it was corrected to "throwing")."""

    clauses: tuple[tuple[str, ...], ...]
    canon: tuple[str, ...]
    key: str
    uncorrected: tuple[tuple[str, ...], ...] | None = None
    starts: tuple[bool, ...] = ()  # per clause: True when it begins a sentence (the first one always does)
    guessed: tuple[tuple[str, ...], ...] | None = None  # also correcting real words ("cheat" -> "chest"), if any

    def sentence_starts(self) -> tuple[bool, ...]:
        """Per clause, True when it begins a sentence (every clause does when the breaks are not known)."""
        return self.starts if len(self.starts) == len(self.clauses) else (True,) * len(self.clauses)

    @property
    def tokens(self) -> tuple[str, ...]:
        """All corrected tokens, in order, across clauses."""
        return tuple(token for clause in self.clauses for token in clause)


class Normaliser:
    """Turns raw user text into comparable tokens; built once per content load."""

    def __init__(self, data: LanguageData, vocabulary: Iterable[str] = (), english: Iterable[str] = ()):
        self.data = data
        self._max_phrase = max((len(p) for p in data.synonyms), default=1)
        # longest first, so a sequence ("face exhaling", three code points) wins over its first emoji
        self._emoji = re.compile("|".join(map(re.escape, sorted(data.emoji, key=len, reverse=True)))) \
            if data.emoji else None
        self.vocabulary: frozenset[str] = frozenset()
        self.english = frozenset(english)  # real words: never "corrected" into another word ("squats", "father")
        self._vocab_list: list[str] = []
        # A cache per normaliser (not one on the class, which would keep every normaliser alive);
        # set_vocabulary empties it, since a correction depends on the vocabulary.
        self._correct = lru_cache(maxsize=65536)(self._nearest_word)
        self._memo: dict[str, Normalised] | None = None  # see `remembering`
        self.set_vocabulary(vocabulary)

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """Set the domain words that misspelt tokens are corrected towards."""
        vocab = {w for w in words if w.isalpha()}
        vocab |= set(self.data.stopwords) | set(self.data.protected)
        self.vocabulary = frozenset(vocab)
        self._vocab_list = sorted(w for w in vocab if len(w) >= 4)
        self._correct.cache_clear()

    def raw_tokens(self, text: str) -> list[list[str]]:
        """Split text into clauses of lower-case tokens with contractions expanded (no correction)."""
        return self._split(text)[0]

    def _split(self, text: str) -> tuple[list[list[str]], list[bool]]:
        """Clauses of tokens, and per clause whether it begins a sentence (after . ! ? or a new line)."""
        text = _DECIMAL_POINT.sub(" ", _clean(text))
        clauses: list[list[str]] = []
        starts: list[bool] = []
        new_sentence, at = True, 0
        after_comma: list[bool] = []  # per clause: the break before it was a comma
        comma = False
        for brk in [*_CLAUSE_BREAK.finditer(text), None]:
            part = text[at:brk.start()] if brk else text[at:]
            tokens: list[str] = []
            for token in _TOKEN.findall(part):
                expanded = self.data.contractions.get(token)
                if expanded is None and "'" in token:
                    expanded = self.data.contractions.get(token.replace("'", ""))
                    if expanded is None:
                        expanded = token.split("'")[0]
                tokens.extend((expanded or token).split())
            if tokens:
                clauses.append(tokens)
                starts.append(new_sentence or not clauses[:-1])
                after_comma.append(comma and not starts[-1])
                new_sentence = False
            if brk is not None:
                new_sentence = new_sentence or bool(_SENTENCE_END.search(brk.group()))
                comma = brk.group() == ","
                at = brk.end()
        if any(after_comma):  # most text: no comma inside a sentence
            clauses, starts = self._join_negated_lists(clauses, starts, after_comma)
        if self._emoji is not None:
            # What the emoji say ("🦵🎈": leg balloon) comes as a clause of its own at the end, so the
            # words as written keep their places ("now sob 🆘" still ends with "sob") and no mask or
            # phrase of theirs reaches an emoji's word
            said = [word for found in self._emoji.findall(text.replace("\ufe0f", ""))
                    for word in self.data.emoji[found].split()]
            if said:
                clauses.append(said)
                starts.append(True)
        return clauses, starts

    def _join_negated_lists(self, clauses: list[list[str]], starts: list[bool],
                            after_comma: list[bool]) -> tuple[list[list[str]], list[bool]]:
        """A list split by commas after a negation is one clause again, joined by "or", so the negation
        reaches every item: "no swelling, redness or heat" -> "no swelling or redness or heat". Only short
        items, and only when the list ends with "or"/"nor" ("not swollen, calf red" stays two clauses)."""
        negation = self.data.negation_words
        out: list[list[str]] = []
        out_starts: list[bool] = []
        i = 0
        while i < len(clauses):
            clause = clauses[i]
            last, j = 0, i + 1  # the last short item of the list that holds "or" ("..., heat or pain")
            while j < len(clauses) and after_comma[j] and len(clauses[j]) <= LIST_ITEM:
                last = j if _ends_list(clauses[j]) else last
                j += 1
            if last and any(t in negation for t in clause):
                joined = list(clause)
                for item in clauses[i + 1:last + 1]:
                    joined += ["or", *item] if item[0] not in ("or", "nor") else item
                out.append(joined)
                out_starts.append(starts[i])
                i = last + 1
                continue
            out.append(clause)
            out_starts.append(starts[i])
            i += 1
        return out, out_starts

    @contextmanager
    def remembering(self) -> Iterator[None]:
        """Within this block each distinct text is normalised once (loading the content, where the matcher, the
        passages and the checks read the same examples); nothing is kept after it, so no message is."""
        self._memo = {}
        try:
            yield
        finally:
            self._memo = None

    def normalise(self, text: str) -> Normalised:
        """Normalise a message into corrected clauses, canonical tokens and a matching key."""
        memo = self._memo
        if memo is None:
            return self._normalised(text)
        found = memo.get(text)
        if found is None:
            found = memo[text] = self._normalised(text)
        return found

    def _normalised(self, text: str) -> Normalised:
        """`normalise`, worked out."""
        raw, starts = self._split(text)
        plain = tuple(tuple(self.known_form(t) for t in clause) for clause in raw)
        clauses = tuple(tuple(self._corrected(t) for t in clause) for clause in plain)
        guessed = tuple(tuple(self._corrected(t, guess=True) for t in clause) for clause in plain)
        flat = [t for clause in clauses for t in clause]
        canon = tuple(self.canonical(flat))
        key = " ".join(t for t in canon if t not in self.data.stopwords) or " ".join(canon)
        return Normalised(clauses, canon, key, None if plain == clauses else plain, tuple(starts),
                          None if guessed == clauses else guessed)

    def canonical(self, tokens: list[str]) -> list[str]:
        """Replace synonym phrases (longest first) with their canonical word."""
        out: list[str] = []
        i = 0
        synonyms = self.data.synonyms
        while i < len(tokens):
            for size in range(min(self._max_phrase, len(tokens) - i), 0, -1):
                phrase = tuple(tokens[i:i + size])
                if phrase in synonyms:
                    out.append(synonyms[phrase])
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def negated(self, clause: tuple[str, ...], start: int) -> bool:
        """True when a negation word stands just before position `start` of a clause, with only light
        words between ("no swelling", "don't have chest pain"; not "can't move my foot")."""
        data = self.data
        if any(t in data.negation_undo for t in clause[start:]):
            return False
        i, budget = start - 1, data.negation_window
        while i >= 0 and budget > 0:
            token = clause[i]
            if token in data.negation_words:
                # "can't walk ten steps without getting out of breath", "can hardly get up the stairs
                # without getting out of breath": an earlier negation (or a weak one) turns it back
                return not (token in data.negation_double
                            and any(t in data.negation_words or t in data.negation_weak for t in clause[:i]))
            if token in ("or", "nor") and i > 0:
                i -= 2  # "no numbness or weakness": the negation reaches across the list
            elif token in data.negation_through:
                i -= 1
            else:
                return False
            budget -= 1
        return False

    def phrase(self, text: str) -> tuple[str, ...]:
        """Normalise a content phrase like user text; words ending in * stay as prefixes."""
        tokens: list[str] = []
        for word in text.lower().split():
            if word.endswith("*") or word in ("^", "$", GAP) or (word.startswith("<") and word.endswith(">")):
                tokens.append(word)
                continue
            if word.isascii() and word.isalpha() and word not in self.data.contractions:
                tokens.append(self.fix_token(word))  # a plain word: no cleaning or splitting to do
                continue
            for clause in self.raw_tokens(word):
                tokens.extend(self.fix_token(t) for t in clause)
        return tuple(tokens)

    def known_form(self, token: str) -> str:
        """Map number words to digits and fix known typos (no guessing)."""
        token = self.data.numbers.get(token, token)
        return self.data.misspellings.get(token, token)

    def fix_token(self, token: str) -> str:
        """Map number words to digits, fix known typos, and correct near-misses to domain words."""
        return self._corrected(self.known_form(token))

    def _corrected(self, token: str, guess: bool = False) -> str:
        """A word outside the vocabulary corrected to its nearest domain word. A real English word becomes
        only another form of itself ("cords" -> "cord"), unless `guess` ("cheat" -> "chest": the safety
        scan may ask about it, for one slipped letter); "squats" never becomes "squits"."""
        if token in self.vocabulary or len(token) < 5 or not token.isalpha():
            return token
        corrected: str = self._correct(token)
        if token not in self.english or _inflected(corrected, token) or _inflected(token, corrected):
            return corrected
        if guess and token not in corrected and DamerauLevenshtein.distance(token, corrected) == 1:
            return corrected  # a slip of one letter; "conscious" is never guessed to be "unconscious"
        return token

    def _nearest_word(self, token: str) -> str:
        """Correct a word outside the vocabulary to its nearest domain word (one edit, or two if long)."""
        allowed = 1 if len(token) < 9 else 2
        best = process.extractOne(
            token, self._vocab_list, scorer=DamerauLevenshtein.distance, score_cutoff=allowed
        )
        if best is None:
            return token
        candidate = best[0]
        if candidate[0] != token[0] and allowed == 1:
            return token  # first letters rarely go wrong; guessing there corrupts real words
        return candidate


def _inflected(longer: str, stem: str) -> bool:
    """True when `longer` is `stem` with an ending of grammar ("cords" of "cord"), not another word that
    starts the same ("cloth" is not a form of "clot")."""
    return longer.startswith(stem) and longer[len(stem):] in INFLECTIONS


def _ends_list(clause: list[str]) -> bool:
    """True for the last item of a list: "redness or heat", "or numb"."""
    return "or" in clause or "nor" in clause


def emoji_key(text: str) -> str:
    """Text as the emoji table is keyed: cleaned, without the emoji-style variation selector."""
    return _clean(text).replace("\ufe0f", "")


def _clean(text: str) -> str:
    """Lower-case, NFKC-fold, drop invisible and control characters, unify apostrophes."""
    if text.isascii() and text.isprintable():
        return text.translate(_APOSTROPHES).lower()  # nothing to fold or drop
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    chars = []
    for ch in text:
        category = unicodedata.category(ch)
        if category == "Cf":
            continue
        chars.append(" " if category.startswith("C") and ch != "\n" else ch)
    return "".join(chars)


def words_in(texts: Iterable[str], normaliser: Normaliser) -> set[str]:
    """All raw tokens in `texts` (used to build the correction vocabulary)."""
    words: set[str] = set()
    for word in {word for text in texts for word in text.split()}:  # each word once: phrases share most words
        for clause in normaliser.raw_tokens(word):
            words.update(clause)
    return words
