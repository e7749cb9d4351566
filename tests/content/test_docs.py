"""The documentation keeps up with the code: a short README that starts with the two set-up commands,
an accuracy table in docs/matching.md that is what `crampbot eval` computes today, and links that lead
somewhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.matching.evaluation import Report, default_set, evaluate, load_labelled
from tests.tools import walkthrough

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MATCHING = ROOT / "docs" / "matching.md"
HOLDOUT = ROOT / "tests" / "data" / "holdout.yaml"
MAX_README_LINES = 150
SETUP_COMMANDS = ["make run", "make test"]
FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.MULTILINE | re.DOTALL)
# | overall | **96.1%** (418/435) | **95.0%** (226/238) |
ACCURACY_ROW = re.compile(r"^\|\s*(overall|emergency|urgent|answer|smalltalk|fallback)\b[^|]*"
                          r"\|\s*\**([\d.]+%)\**\s*\((\d+/\d+)\)\s*\|\s*\**([\d.]+%)\**\s*\((\d+/\d+)\)\s*\|\s*$",
                          re.MULTILINE)
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def first_code_block(text: str) -> list[str]:
    """The non-empty lines of the first fenced code block."""
    found = FENCE.search(text)
    assert found, "no code block"
    return [line for line in found.group(1).splitlines() if line.strip()]


def test_the_readme_is_a_short_guide():
    lines = README.read_text(encoding="utf-8").splitlines()
    assert len(lines) <= MAX_README_LINES, f"README.md has {len(lines)} lines; move detail into docs/"


def test_the_readme_opens_with_exactly_the_two_setup_commands():
    block = first_code_block(README.read_text(encoding="utf-8"))
    commands = [line.split("#", 1)[0].strip() for line in block]
    assert commands == SETUP_COMMANDS


def test_the_readme_lists_every_command_the_bot_has(content):
    """The command table is written by hand from dialogs/messages.yaml; a command added there must be
    added here too."""
    text = README.read_text(encoding="utf-8")
    missing = [f"/{c.command}" for c in content.messages.commands if f"| `/{c.command}` |" not in text]
    assert missing == []


SETTING = re.compile(r"\b(?:CRAMPBOT|TELEGRAM)_[A-Z_]+[A-Z]\b")


def test_the_readme_settings_are_the_ones_the_bot_reads():
    """Every setting bot/settings.py reads is in the README's settings, and the README names no other."""
    read = set(SETTING.findall((ROOT / "bot" / "settings.py").read_text(encoding="utf-8")))
    section = README.read_text(encoding="utf-8").split("## Settings", 1)[1].split("\n## ", 1)[0]
    named = set(SETTING.findall(section))
    assert (sorted(read - named), sorted(named - read)) == ([], [])


def accuracy_table(text: str) -> dict[str, tuple[str, str, str, str]]:
    """kind -> (labelled %, labelled n/m, held-out %, held-out n/m) as the doc quotes them."""
    return {row[0]: row[1:] for row in ACCURACY_ROW.findall(text)}


def as_printed(report: Report) -> dict[str, tuple[str, str]]:
    """kind -> (percentage, correct/total), formatted as `crampbot eval` prints them."""
    correct = sum(o.correct for o in report.outcomes)
    figures = {"overall": (f"{report.accuracy:.1%}", f"{correct}/{len(report.outcomes)}")}
    for kind, (good, total) in report.by_kind().items():
        figures[kind] = (f"{good / total:.1%}", f"{good}/{total}")
    return figures


@pytest.fixture(scope="module")
def computed(content) -> tuple[dict[str, tuple[str, str]], dict[str, tuple[str, str]]]:
    """What `crampbot eval` and `crampbot eval --file tests/data/holdout.yaml` compute today."""
    return (as_printed(evaluate(content, load_labelled(default_set()))),
            as_printed(evaluate(content, load_labelled(HOLDOUT))))


def test_the_accuracy_quoted_in_the_docs_is_todays(computed):
    labelled, held_out = computed
    quoted = accuracy_table(MATCHING.read_text(encoding="utf-8"))
    assert set(quoted) == set(labelled) | {"overall"}, "docs/matching.md needs a row per kind and one overall"
    for kind, (l_share, l_count, h_share, h_count) in quoted.items():
        assert (l_share, l_count) == labelled[kind], f"labelled set, {kind}: run `crampbot eval`"
        assert (h_share, h_count) == held_out[kind], f"held-out set, {kind}: run `crampbot eval --file {HOLDOUT}`"


def test_the_accuracy_check_reads_the_table_it_guards():
    row = "| overall | **96.1%** (418/435) | **95.0%** (226/238) |\n| answer | 94.5% (239/253) | 94.3% (148/157) |"
    assert accuracy_table(row) == {"overall": ("96.1%", "418/435", "95.0%", "226/238"),
                                   "answer": ("94.5%", "239/253", "94.3%", "148/157")}


def documents() -> list[Path]:
    """The README and every page in docs/."""
    return [README, *sorted((ROOT / "docs").glob("*.md"))]


def relative_links(text: str) -> list[str]:
    """Link targets that point into the repository (not web addresses or anchors on the same page),
    outside code."""
    text = FENCE.sub("", text)
    text = re.sub(r"`[^`\n]*`", "", text)
    targets = [target.split("#", 1)[0] for target in LINK.findall(text)]
    return [t for t in targets if t and not re.match(r"^[a-z][a-z0-9+.-]*:", t)]


@pytest.mark.parametrize("doc", documents(), ids=lambda path: path.name)
def test_every_relative_link_points_to_a_file_that_exists(doc):
    broken = [target for target in relative_links(doc.read_text(encoding="utf-8"))
              if not (doc.parent / target).exists()]
    assert broken == []


def test_the_link_check_sees_links_but_not_code_or_web_addresses():
    text = "[a](docs/x.md#part) [b](https://t.me) [c](#here) `[d](no.md)`\n```\n[e](nope.md)\n```\n"
    assert relative_links(text) == ["docs/x.md"]


def test_the_walk_through_in_using_md_is_what_the_bot_says_today(brain):
    """docs/using.md shows the check-in, the plan's look-back and the summary as real runs; a change in wording
    or behaviour must be shown there too (`python -m tests.tools.walkthrough checkin|plan` prints them)."""
    text = (ROOT / "docs" / "using.md").read_text(encoding="utf-8")
    for scene in (walkthrough.checkin(brain), *walkthrough.plan(brain)):
        assert f"```text\n{scene}\n```" in text, scene[:200]
