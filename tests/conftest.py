"""Shared fixtures: content is loaded once; each test gets a fresh chat, and a Bot API stand-in; storage tests
get each backend (`make_storage`: SQLite, and PostgreSQL on a throw-away server). Under pytest-xdist, a test
marked `alone` runs while no other test does."""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.content.bundle import Content, load_content
from bot.core.brain import Brain
from tests.support.botapi_standin import BotApiStandIn
from tests.support.chat_client import ChatClient, FakeClock
from tests.support.postgres import postgres_server, postgres_url  # noqa: F401 - fixtures for every test
from tests.support.storages import make_storage  # noqa: F401 - a fixture: the storage suite on both backends

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A copy of the content folders that a test may break."""
    for folder in ("dialogs", "knowledge"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture(scope="session")
def content() -> Content:
    return load_content(ROOT)


@pytest.fixture(scope="session")
def brain(content: Content) -> Brain:
    return Brain(content)


@pytest.fixture
def chat(brain: Brain) -> ChatClient:
    return ChatClient(brain, FakeClock())


@pytest.fixture
def standin():
    """A running Bot API stand-in on 127.0.0.1; fails the test if the stand-in itself hit a bug."""
    with BotApiStandIn() as server:
        yield server
        assert server.internal_errors == []


# Slow kinds first, so that under pytest-xdist the long tests start early and the many quick ones fill the
# gaps at the end; tests that run alone come before all of them, while the other workers have little to
# finish before they can start.
_KIND_ORDER = ("process", "telegram", "content", "conversation", "unit")


def pytest_collection_modifyitems(config, items: list[pytest.Item]) -> None:
    """Put tests marked `alone` first, then the test folders from the slowest kind to the quickest."""
    def rank(item: pytest.Item) -> tuple[int, int]:
        kind = Path(str(item.path)).parent.name
        return (0 if item.get_closest_marker("alone") else 1,
                _KIND_ORDER.index(kind) if kind in _KIND_ORDER else len(_KIND_ORDER))

    items.sort(key=rank)  # stable: the order inside each kind is kept


@contextmanager
def _turn(folder: Path, alone: bool) -> Iterator[None]:
    """Hold the run's test lock: shared by the tests that run side by side, exclusive for one that runs
    alone. Whoever asks for it passes the gate first, and a test waiting to run alone keeps the gate
    closed behind it, so the tests that keep starting on other workers cannot keep it waiting."""
    with open(folder / "tests.gate", "a") as gate, open(folder / "tests.lock", "a") as lock:
        fcntl.flock(gate, fcntl.LOCK_EX)
        try:
            fcntl.flock(lock, fcntl.LOCK_EX if alone else fcntl.LOCK_SH)
        finally:
            if not alone:
                fcntl.flock(gate, fcntl.LOCK_UN)
        yield  # the locks go with the files


@pytest.fixture(autouse=True)
def _one_turn(request, tmp_path_factory) -> Iterator[None]:
    """Under pytest-xdist, every test holds the run's test lock while it runs: shared, or exclusive for a
    test marked `alone` (it measures how fast the bot answers, which other tests' CPU use would spoil)."""
    if "PYTEST_XDIST_WORKER" not in os.environ:
        yield
        return
    shared_folder = tmp_path_factory.getbasetemp().parent  # every worker's base folder is in it
    with _turn(shared_folder, alone=request.node.get_closest_marker("alone") is not None):
        yield
