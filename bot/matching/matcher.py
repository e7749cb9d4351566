"""Intent matching over the knowledge base's example phrasings.

Three signals, blended: an IDF-weighted bag of words and word pairs compared with each intent's
examples as a whole (what the intent is about), a rapidfuzz similarity (ratio) against the
nearest single example (how people phrase it), and the cosine similarity of sentence vectors
(wordllama, bot/matching/embeddings.py) to the nearest single example (words near in meaning).
Misspellings are corrected to the domain vocabulary with rapidfuzz before any runs. Scorers,
weights and thresholds were picked by measurement on the labelled set (`crampbot eval --sweep`);
see docs/matching.md."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
from rapidfuzz import fuzz, process

from bot.content.knowledge import Knowledge
from bot.language.normaliser import Normalised, Normaliser
from bot.matching.embeddings import load_embedder

SCORERS = {
    "ratio": fuzz.ratio,
    "wratio": fuzz.WRatio,
    "token_sort": fuzz.token_sort_ratio,
    "token_set": fuzz.token_set_ratio,
    "partial": fuzz.partial_ratio,
}


FEW_CANDIDATES = 8  # above this many intents still in the running, compare with every example at once


@dataclass(frozen=True)
class MatcherSettings:
    """How the signals are blended and when to give up (chosen by measurement). The bag of words and
    the rapidfuzz similarity make a 0-100 score; the sentence-vector similarity is added to it at
    `embedding_weight` x 100 and the sum divided by 1 + `embedding_weight`, so it stays 0-100
    (weight 0: no model is loaded and the score is the first two alone)."""

    scorer: str = "ratio"
    fuzzy_weight: float = 0.35
    threshold: float = 42.0
    min_known: float = 0.5
    embedding_weight: float = 0.5


@dataclass(frozen=True)
class Match:
    """The best intent for a message and how sure the matcher is (0-100)."""

    intent: str | None
    score: float


def features(tokens: tuple[str, ...]) -> set[str]:
    """Words and adjacent word pairs of a message."""
    found = set(tokens)
    found.update(f"{a}_{b}" for a, b in pairwise(tokens))
    return found


def embedded_text(message: Normalised) -> str:
    """What of a message the sentence vector is made from: all its canonical words, in order (stopwords
    too: the model reads "why" and "how" as well as the topic)."""
    return " ".join(message.canon)


class Matcher:
    """Finds the knowledge entry whose examples are nearest to a message."""

    def __init__(self, knowledge: Knowledge, normaliser: Normaliser, settings: MatcherSettings | None = None):
        self.settings = settings or MatcherSettings()
        self.normaliser = normaliser
        self._scorer = SCORERS[self.settings.scorer]
        per_intent: dict[str, list[set[str]]] = defaultdict(list)
        keys: dict[str, list[str]] = defaultdict(list)
        texts: dict[str, list[str]] = defaultdict(list)
        for entry in knowledge.entries.values():
            for example in entry.examples:
                message = normaliser.normalise(example)
                per_intent[entry.id].append(features(message.canon))
                texts[entry.id].append(embedded_text(message))
                if message.key:
                    keys[entry.id].append(message.key)
        self.intents = sorted(per_intent)
        count = len(self.intents)
        df: dict[str, int] = defaultdict(int)
        for intent in self.intents:
            for feature in set().union(*per_intent[intent]):
                df[feature] += 1
        self.idf = {f: math.log((count + 1) / (n + 0.5)) for f, n in df.items()}
        self._unknown_weight = math.log((count + 1) / 0.5)
        # Each intent's centroid: how often a feature shows up in its examples, times its IDF,
        # scaled to length 1. Stored feature by feature (a dense features x intents matrix of a few
        # MB), so a message's few features are a few contiguous rows: in the bot the CPU caches are
        # cold at every update, and what is read together should lie together.
        column_of = {f: i for i, f in enumerate(sorted(self.idf))}
        centroids = np.zeros((count, len(column_of)))
        for row, intent in enumerate(self.intents):
            examples = per_intent[intent]
            for feats in examples:
                for feature in feats:
                    centroids[row, column_of[feature]] += self.idf[feature] / len(examples)
        norms = np.linalg.norm(centroids, axis=1, keepdims=True)
        centroids /= np.where(norms == 0, 1.0, norms)
        self._by_feature = np.ascontiguousarray(centroids.T)
        self._feature = {f: (column, self.idf[f]) for f, column in column_of.items()}  # one lookup, not two
        # Example keys grouped by intent, so the best example per intent is one reduceat away. They
        # are fresh copies made one after another, so they lie together in memory: cdist reads every
        # key for every message, and in the bot the work between two updates has pushed them out of
        # the CPU caches.
        self._keys = [k.encode().decode() for intent in self.intents for k in keys[intent]]
        # Segment starts into the similarities plus one trailing 0, so every start is a valid index
        # and an intent without keys (masked out by _has_keys) never shortens its neighbour's segment.
        starts, position = [], 0
        self._has_keys = np.array([bool(keys[intent]) for intent in self.intents])
        for intent in self.intents:
            starts.append(position)
            position += len(keys[intent])
        self._starts = np.array(starts)
        self._spans = [(start, start + len(keys[intent])) for start, intent in zip(starts, self.intents, strict=True)]
        # Every example's sentence vector, grouped by intent like the keys (every intent has examples, so
        # no segment is empty), embedded here so there is no cache file to keep in step with the content.
        self._embedder = load_embedder() if self.settings.embedding_weight else None
        self._vectors = np.zeros((0, 0), dtype=np.float32)
        self._vector_starts = np.zeros(0, dtype=np.intp)
        # The last message's similarities: one turn matches the same message several times (the free-text
        # path, then the reply). One tuple, replaced whole, so a reader never sees half of an update.
        self._last: tuple[str, np.ndarray | None] = ("", None)
        if self._embedder is not None:
            self._vectors = self._embedder.embed([t for intent in self.intents for t in texts[intent]])
            self._vector_starts = np.cumsum([0] + [len(texts[intent]) for intent in self.intents[:-1]])

    def known_share(self, message: Normalised) -> float:
        """How much of the message (by word weight) is vocabulary the knowledge base uses."""
        known = unknown = 0.0
        for token in set(message.canon):
            if token in self.idf:
                known += self.idf[token]
            else:
                unknown += self._unknown_weight
        return known / (known + unknown) if known + unknown else 0.0

    def topical(self, message: Normalised) -> np.ndarray | None:
        """The bag-of-words similarity (0-1) per intent, or None when nothing is shared."""
        present = [self._feature[f] for f in features(message.canon) if f in self._feature]
        if not present:
            return None
        columns, idf = zip(*present, strict=True)
        weights = np.array(idf)
        norm = math.sqrt(weights @ weights)  # as np.linalg.norm
        similarity: np.ndarray = weights @ self._by_feature[list(columns)] / norm
        return similarity

    def semantic(self, message: Normalised) -> np.ndarray | None:
        """Cosine similarity (0-1, negatives as 0) of the message's sentence vector to each intent's nearest
        example, or None without a model or when the model knows none of the message's words."""
        if self._embedder is None:
            return None
        text = embedded_text(message)
        last_text, last = self._last
        if text == last_text and text:
            return last
        vector = self._embedder.embed([text])[0]
        nearest: np.ndarray | None = None
        if vector.any():
            # einsum, not `@`: a matrix-vector product this size runs on OpenBLAS's threads, and on a busy
            # machine waking them costs milliseconds; einsum stays on this thread and takes about 0.1 ms.
            similarity = np.einsum("ij,j->i", self._vectors, vector)
            nearest = np.maximum(np.maximum.reduceat(similarity, self._vector_starts), 0.0).astype(np.float64)
        self._last = (text, nearest)
        return nearest

    def _meaning(self, message: Normalised) -> np.ndarray:
        """The sentence-vector part of every intent's score, before dividing by 1 + the weight."""
        weight = self.settings.embedding_weight
        semantic = self.semantic(message) if weight else None
        if semantic is None:
            return np.zeros(len(self.intents))
        return 100 * weight * semantic

    def score_vector(self, message: Normalised) -> np.ndarray | None:
        """Blended 0-100 score per intent (in `self.intents` order), or None when nothing is shared."""
        topical = self.topical(message)
        if topical is None:
            return None
        return self._total(self._blend(message.key, topical), self._meaning(message))

    def _total(self, blend: np.ndarray, meaning: np.ndarray) -> np.ndarray:
        """The first two signals' blend with the sentence-vector part added, back on the 0-100 scale."""
        total: np.ndarray = (blend + meaning) / (1 + self.settings.embedding_weight)
        return total

    def _blend(self, key: str, topical: np.ndarray) -> np.ndarray:
        """The first two signals' 0-100 blend per intent, from the message's key and its bag-of-words similarity."""
        weight = self.settings.fuzzy_weight
        if not key or weight == 0:
            return 100 * (1 - weight) * topical
        similarity = process.cdist([key], self._keys, scorer=self._scorer, processor=None)[0]
        nearest: np.ndarray = np.maximum.reduceat(np.append(similarity, 0.0), self._starts) * self._has_keys / 100
        return 100 * ((1 - weight) * topical + weight * nearest)

    def best(self, message: Normalised) -> tuple[int, float] | None:
        """The index and blended score of the top intent: what `score_vector` gives at its argmax,
        without comparing the message's key with the examples of intents that cannot win. The
        rapidfuzz similarity adds at most `fuzzy_weight` x 100 before the division, so once one
        intent's score is known, only the intents whose other parts plus that much could still
        reach it need comparing (the sentence vector is compared with every example: it is cheap)."""
        topical = self.topical(message)
        if topical is None:
            return None
        weight = self.settings.fuzzy_weight
        meaning = self._meaning(message)
        if not message.key or weight == 0:
            vector = self._total(100 * (1 - weight) * topical, meaning)
            top = int(np.argmax(vector))
            return top, float(vector[top])
        base = (1 - weight) * topical
        lead = int(np.argmax(100 * base + meaning))
        lead_score = self._blended(message.key, float(base[lead]), float(meaning[lead]), lead)
        # The margin keeps rounding in `reach` from ever dropping an intent that ties the leader.
        reach = self._total(100 * (base + weight * self._has_keys), meaning)
        candidates = np.flatnonzero(reach >= lead_score - 1e-6).tolist()
        if len(candidates) > FEW_CANDIDATES:  # one call over every example is cheaper then
            vector = self._total(self._blend(message.key, topical), meaning)
            top = int(np.argmax(vector))
            return top, float(vector[top])
        scores = [lead_score if row == lead else self._blended(message.key, float(base[row]), float(meaning[row]), row)
                  for row in candidates]
        top = scores.index(max(scores))  # candidates are in intent order: ties go to the first, as in argmax
        return candidates[top], scores[top]

    def _blended(self, key: str, base: float, meaning: float, row: int) -> float:
        """One intent's score, with the same arithmetic (and float32 similarities) as `score_vector`,
        so both give the same number."""
        start, end = self._spans[row]
        nearest = 0.0
        if end > start:
            similarity = process.cdist([key], self._keys[start:end], scorer=self._scorer, processor=None)[0]
            nearest = float(similarity.max()) / 100
        return (100 * (base + self.settings.fuzzy_weight * nearest) + meaning) / (1 + self.settings.embedding_weight)

    def scores(self, message: Normalised) -> dict[str, float]:
        """Blended 0-100 score for every intent that shares anything with the message."""
        vector = self.score_vector(message)
        if vector is None:
            return {}
        return {intent: float(score) for intent, score in zip(self.intents, vector, strict=True) if score > 0}

    def match(self, message: Normalised) -> Match:
        """Best intent for a normalised message; intent None when nothing is close enough."""
        if not message.canon:
            return Match(None, 0.0)
        found = self.best(message)
        if found is None:
            return Match(None, 0.0)
        intent, score = self.intents[found[0]], round(min(100.0, found[1]), 1)
        if score < self.settings.threshold or self.known_share(message) < self.settings.min_known:
            return Match(None, score)
        return Match(intent, score)
