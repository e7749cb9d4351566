"""Shared fixtures: content is loaded once; each test gets a fresh chat, and a Bot API stand-in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.content.bundle import Content, load_content
from bot.core.brain import Brain
from tests.support.botapi_standin import BotApiStandIn
from tests.support.chat_client import ChatClient, FakeClock

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
