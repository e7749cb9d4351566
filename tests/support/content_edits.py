"""Editing a copy of the content in a test, and reading the problems the loader reports."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.content.bundle import load_content
from bot.content.strict_yaml import ContentError


def edit(path: Path, old: str, new: str) -> None:
    """Replace the first `old` in a content file by `new` (the test fails if `old` is not there)."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def problems(root: Path) -> str:
    """The loader's report for content that must not load."""
    with pytest.raises(ContentError) as caught:
        load_content(root)
    return str(caught.value)
