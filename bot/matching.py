"""Intent matching over the knowledge base's example phrasings.

Two signals, blended: an IDF-weighted bag of words and word pairs compared with each intent's
examples as a whole (what the intent is about), and a rapidfuzz similarity (ratio) against the
nearest single example (how people phrase it). Misspellings are corrected to the domain vocabulary
with rapidfuzz before either runs. Scorers, weights and thresholds were picked by measurement on
the labelled set (`crampbot eval --sweep`); see README."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.knowledge import Knowledge
from bot.language import Normalised, Normaliser

SCORERS = {
    "ratio": fuzz.ratio,
    "wratio": fuzz.WRatio,
    "token_sort": fuzz.token_sort_ratio,
    "token_set": fuzz.token_set_ratio,
    "partial": fuzz.partial_ratio,
}


@dataclass(frozen=True)
class MatcherSettings:
    """How the two signals are blended and when to give up (chosen by measurement)."""

    scorer: str = "ratio"
    fuzzy_weight: float = 0.35
    threshold: float = 30.0
    min_known: float = 0.5


@dataclass(frozen=True)
class Match:
    """The best intent for a message and how sure the matcher is (0-100)."""

    intent: str | None
    score: float


def features(tokens: tuple[str, ...]) -> set[str]:
    """Words and adjacent word pairs of a message."""
    found = set(tokens)
    found.update(f"{a}_{b}" for a, b in zip(tokens, tokens[1:]))
    return found


class Matcher:
    """Finds the knowledge entry whose examples are nearest to a message."""

    def __init__(self, knowledge: Knowledge, normaliser: Normaliser, settings: MatcherSettings | None = None):
        self.settings = settings or MatcherSettings()
        self.normaliser = normaliser
        self._scorer = SCORERS[self.settings.scorer]
        self._keys: list[str] = []
        self._key_intents: list[str] = []
        per_intent: dict[str, list[set[str]]] = defaultdict(list)
        for entry in knowledge.entries.values():
            for example in entry.examples:
                message = normaliser.normalise(example)
                per_intent[entry.id].append(features(message.canon))
                if message.key:
                    self._keys.append(message.key)
                    self._key_intents.append(entry.id)
        self.intents = sorted(per_intent)
        count = len(self.intents)
        df: dict[str, int] = defaultdict(int)
        for intent in self.intents:
            for feature in set().union(*per_intent[intent]):
                df[feature] += 1
        self.idf = {f: math.log((count + 1) / (n + 0.5)) for f, n in df.items()}
        self._unknown_weight = math.log((count + 1) / 0.5)
        # Each intent's centroid: how often a feature shows up in its examples, times its IDF.
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        self._norms: list[float] = []
        for index, intent in enumerate(self.intents):
            examples = per_intent[intent]
            tf: dict[str, int] = defaultdict(int)
            for feats in examples:
                for feature in feats:
                    tf[feature] += 1
            weights = {f: (n / len(examples)) * self.idf[f] for f, n in tf.items()}
            self._norms.append(math.sqrt(sum(w * w for w in weights.values())) or 1.0)
            for feature, weight in weights.items():
                self._postings[feature].append((index, weight))

    def known_share(self, message: Normalised) -> float:
        """How much of the message (by word weight) is vocabulary the knowledge base uses."""
        known = unknown = 0.0
        for token in set(message.canon):
            if token in self.idf:
                known += self.idf[token]
            else:
                unknown += self._unknown_weight
        return known / (known + unknown) if known + unknown else 0.0

    def scores(self, message: Normalised) -> dict[str, float]:
        """Blended 0-100 score for every intent that shares anything with the message."""
        feats = features(message.canon)
        query = {f: self.idf[f] for f in feats if f in self.idf}
        qnorm = math.sqrt(sum(w * w for w in query.values()))
        if not qnorm:
            return {}
        dots: dict[int, float] = defaultdict(float)
        for feature, qweight in query.items():
            for index, weight in self._postings[feature]:
                dots[index] += qweight * weight
        topical = {self.intents[i]: dot / (qnorm * self._norms[i]) for i, dot in dots.items()}
        nearest: dict[str, float] = {}
        if message.key and self.settings.fuzzy_weight > 0:
            for _, score, index in process.extract(message.key, self._keys, scorer=self._scorer,
                                                   processor=None, limit=40):
                intent = self._key_intents[index]
                nearest[intent] = max(nearest.get(intent, 0.0), score / 100)
        weight = self.settings.fuzzy_weight
        return {intent: 100 * ((1 - weight) * topical.get(intent, 0.0) + weight * nearest.get(intent, 0.0))
                for intent in set(topical) | set(nearest)}

    def match(self, message: Normalised) -> Match:
        """Best intent for a normalised message; intent None when nothing is close enough."""
        if not message.canon:
            return Match(None, 0.0)
        scores = self.scores(message)
        if not scores:
            return Match(None, 0.0)
        intent, score = max(scores.items(), key=lambda kv: kv[1])
        score = round(min(100.0, score), 1)
        if score < self.settings.threshold or self.known_share(message) < self.settings.min_known:
            return Match(None, score)
        return Match(intent, score)
