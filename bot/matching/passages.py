"""Term-weighted retrieval (BM25) over knowledge passages: each answer entry's title, example phrasings
and answer text. It copes with long messages, where the example matcher's whole-message similarity is
diluted by the story around the question."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from bot.content.knowledge import Knowledge
from bot.language.normaliser import Normaliser

K1 = 1.2  # how quickly repeats of a word stop adding weight
B = 0.75  # how much a long passage is discounted


@dataclass(frozen=True)
class Passage:
    """One entry's searchable text, as normalised words with their counts."""

    entry: str
    counts: Counter[str]
    length: int


class PassageIndex:
    """BM25 scores of a message against every answer entry's passage."""

    def __init__(self, knowledge: Knowledge, normaliser: Normaliser):
        self.normaliser = normaliser
        passages = []
        for entry in knowledge.entries.values():
            if entry.kind != "answer":
                continue
            texts = [entry.title, *entry.examples, entry.answer]
            words = [w for text in texts for w in normaliser.normalise(text).canon]
            passages.append(Passage(entry.id, Counter(words), len(words)))
        self.passages = tuple(passages)
        count = len(passages)
        self.average = sum(p.length for p in passages) / count if count else 1.0
        df: Counter[str] = Counter(w for p in passages for w in p.counts)
        self.idf = {w: math.log(1 + (count - n + 0.5) / (n + 0.5)) for w, n in df.items()}
        self._cached = lru_cache(maxsize=256)(self._scores)

    def scores(self, words: tuple[str, ...], among: tuple[str, ...] | None = None) -> dict[str, float]:
        """BM25 score per entry (only entries in `among`, when given) for normalised words; a message's
        parts ask for the same words more than once, so the last few answers are kept."""
        return dict(self._cached(words, among))

    def _scores(self, words: tuple[str, ...], among: tuple[str, ...] | None) -> tuple[tuple[str, float], ...]:
        """`scores` as a tuple, so it can be kept."""
        query = Counter(w for w in words if w in self.idf)
        wanted = set(among) if among is not None else None
        found: dict[str, float] = {}
        for passage in self.passages:
            if wanted is not None and passage.entry not in wanted:
                continue
            score = 0.0
            norm = K1 * (1 - B + B * passage.length / self.average)
            for word, times in query.items():
                tf = passage.counts.get(word, 0)
                if tf:
                    score += times * self.idf[word] * tf * (K1 + 1) / (tf + norm)
            if score > 0:
                found[passage.entry] = score
        return tuple(found.items())
