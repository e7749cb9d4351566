"""`pip install .` gives a working bot: the YAML content ships inside the wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(out), str(ROOT)], check=True, capture_output=True, timeout=300)
    (built,) = out.glob("crampbot-*.whl")
    return built


def test_wheel_contains_code_content_and_diagrams(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "bot/core/brain.py" in names and "bot/telegram_shell/shell.py" in names
    for folder in ("dialogs", "knowledge"):
        for path in (ROOT / folder).glob("*"):
            if path.suffix in (".yaml", ".mmd"):
                assert f"bot/_content/{folder}/{path.name}" in names
    assert not any(n.startswith("tests/") for n in names)


def test_installed_wheel_answers_from_anywhere(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(target), "TELEGRAM_BOT_TOKEN": "", "PYTHONIOENCODING": "utf-8"}
    env.pop("CRAMPBOT_CONTENT_DIR", None)
    code = "import bot, bot.content.paths as p; print(bot.__file__); print(p.content_root())"
    where = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=elsewhere,
                           check=True).stdout.splitlines()
    assert where[0].startswith(str(target)), "the installed copy is used, not the checkout"
    assert where[1] == str(target / "bot" / "_content")
    ask = subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "how do I stop a calf cramp?"],
                         capture_output=True, text=True, env=env, cwd=elsewhere, timeout=60)
    assert ask.returncode == 0, ask.stderr
    assert json.loads(ask.stdout)["kind"] in ("answer", "emergency")
    check = subprocess.run([sys.executable, "-m", "bot", "knowledge", "check"], capture_output=True, text=True,
                           env=env, cwd=elsewhere, timeout=60)
    assert check.returncode == 0 and check.stdout.startswith("ok:")


def test_installed_copy_explains_dev_only_commands(wheel, tmp_path):
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True, capture_output=True, timeout=300)
    env = {**os.environ, "PYTHONPATH": str(target), "TELEGRAM_BOT_TOKEN": ""}
    env.pop("CRAMPBOT_CONTENT_DIR", None)
    for args in (["eval"], ["diagrams", "--write"]):
        result = subprocess.run([sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env,
                                cwd=tmp_path, timeout=60)
        assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1, result.stderr
