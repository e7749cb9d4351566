"""The matcher's sentence vectors: wordllama's model comes from the installed package, never from the network,
and the words-near-in-meaning signal finds answers the bag of words and the spelling similarity miss."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot.core.brain import Brain
from bot.matching.embeddings import DIMENSIONS, load_embedder
from bot.matching.matcher import Matcher, MatcherSettings

ROOT = Path(__file__).resolve().parents[2]

NO_NETWORK = """
import socket
class NoSocket(socket.socket):  # a class still, since ssl subclasses it at import
    def __init__(self, *args, **kwargs):
        raise OSError("network access attempted")
def refuse(*args, **kwargs):
    raise OSError("network access attempted")
socket.socket = NoSocket
socket.create_connection = refuse
socket.getaddrinfo = refuse
"""


class NoSocket(socket.socket):
    """A socket that cannot be made (still a class: ssl and the like subclass socket.socket)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")


def run_python(code: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter with an empty home and cache, so nothing cached earlier can help."""
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "HF_HOME": str(home / "hf")}
    for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE"):
        env.pop(name, None)  # offline because the code never asks, not because the hub library was told to be
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)


def test_the_model_loads_and_embeds_in_a_fresh_process_that_cannot_open_a_socket(tmp_path):
    code = NO_NETWORK + (
        "from bot.matching.embeddings import load_embedder\n"
        "vectors = load_embedder().embed(['my calf cramps every night'])\n"
        "print(vectors.shape, round(float((vectors ** 2).sum()), 3))\n"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[0] == f"(1, {DIMENSIONS}) 1.0"
    assert list(tmp_path.iterdir()) == [], "nothing was downloaded or cached in the home folder"


def test_loading_again_with_every_network_call_refused_still_gives_a_vector(monkeypatch):
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket, "socket", NoSocket)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    import requests

    monkeypatch.setattr(requests, "get", refuse)
    monkeypatch.setattr(requests.Session, "request", refuse)
    embedder = load_embedder.__wrapped__()  # a new load, not the one cached for this process
    vector = embedder.embed(["a cramp in my foot"])[0]
    assert vector.shape == (DIMENSIONS,)
    assert float(vector @ vector) == pytest.approx(1.0, abs=1e-5)


def test_importing_wordllama_leaves_the_bots_logging_as_it_was(tmp_path):
    code = (
        "import logging\n"
        "from bot.matching.embeddings import load_embedder\n"
        "load_embedder()\n"
        "root = logging.getLogger()\n"
        "print(root.handlers, logging.getLevelName(root.level))\n"
    )
    result = run_python(code, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[] WARNING"


def test_a_text_the_model_has_no_words_for_gives_zeros_not_nan():
    vectors = load_embedder().embed(["", "a cramp"])
    assert not np.isnan(vectors).any()
    assert not vectors[0].any()
    assert float(vectors[1] @ vectors[1]) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize(("text", "intent"), [
    ("nighty night, off to bed", "bye"),
    ("how often should i stand up from my desk", "posture_sitting"),
    ("is overdoing exercise a cause of cramps", "overexertion"),
    ("does broccoli help prevent cramps", "diet_foods"),
])
def test_a_question_in_words_near_the_examples_in_meaning_gets_its_answer(brain, text, intent):
    reply = brain.classify(text)
    assert reply.intent == intent


def test_without_the_sentence_vectors_those_questions_go_elsewhere(content):
    plain = Matcher(content.knowledge, content.normaliser, MatcherSettings(embedding_weight=0.0, threshold=30.0))
    brain = Brain(replace(content, matcher=plain))
    texts = ("nighty night, off to bed", "does broccoli help prevent cramps")
    assert [brain.classify(text).intent for text in texts] == ["bedtime_stretches", "daily_exercise"]


def test_every_score_the_answer_builder_reads_includes_the_sentence_vectors(content):
    matcher, normalise = content.matcher, content.normaliser.normalise
    plain = Matcher(content.knowledge, content.normaliser, replace(matcher.settings, embedding_weight=0.0))
    for text in ("does broccoli help prevent cramps", "my calf cramps at night", "how often should i stretch"):
        message = normalise(text)
        scores, found = matcher.scores(message), matcher.best(message)
        assert found is not None
        top = max(scores, key=lambda intent: scores[intent])
        assert (top, scores[top]) == (matcher.intents[found[0]], found[1])
        assert scores != plain.scores(message)
        assert all(0 <= score <= 100 for score in scores.values())
