"""The command line as a user runs it: ask (text and JSON), help, bad arguments, eval."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "PYTHONIOENCODING": "utf-8"}


def crampbot(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
                          env=ENV, cwd=ROOT, timeout=60)


def test_ask_json_has_reply_kind_intent_score_and_sources():
    result = crampbot("ask", "--json", "do bananas help with cramps?")
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) >= {"reply", "kind", "intent", "score", "sources"}
    assert record["kind"] == "answer" and record["intent"] == "diet_foods"
    assert 0 <= record["score"] <= 100
    assert record["sources"] and all(s.startswith(("seeds/", "reference/")) for s in record["sources"])
    assert "banana" in record["reply"].lower()


def test_explain_shows_when_each_clause_happens_and_which_criteria_fired_and_why():
    result = crampbot("explain", "I had chest pain years ago, it turned out to be reflux. Now my left calf is "
                                 "swollen and red, and I get cramps every night")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "over     i had chest pain years ago" in out and "settled  it turned out to be reflux" in out
    assert "dvt_signs (get_help_today) by rule clot_signs: you said “calf”, “swollen”" in out
    assert "frequent_cramps (book_appointment)" in out and "clot_in_lungs" not in out
    assert "Why: you said “calf” and “swollen”." in out


def test_ask_json_reply_includes_the_choices():
    record = json.loads(crampbot("ask", "--json", "/cramp").stdout)
    assert record["kind"] == "emergency"
    assert "Next step" in record["reply"] and "It's gone" in record["reply"]


def test_ask_reads_each_stdin_line_with_a_fresh_state():
    lines = "/checkup\nat night\nmy calf is swollen and red\nwhat's the weather\n"
    result = crampbot("ask", "--json", stdin=lines)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 4
    assert records[0]["intent"] == "checkup"
    assert records[1]["intent"] != "checkup", "'at night' is not read as a check-up answer: fresh state"
    assert records[2]["kind"] == "urgent" and records[2]["intent"] == "get_help_today"
    assert records[3]["kind"] == "fallback" and records[3]["intent"] is None


def test_ask_text_mode_prints_one_line_per_input_line():
    result = crampbot("ask", stdin="hello\nwhy do my feet cramp at night\nasdfgh\n")
    assert result.returncode == 0
    assert len(result.stdout.splitlines()) == 3


def test_ask_single_text_prints_the_reply_with_numbered_choices():
    result = crampbot("ask", "hello")
    assert "CrampBot" in result.stdout
    assert "  1) " in result.stdout


@pytest.mark.parametrize("command", [[], ["console"], ["ask"], ["eval"], ["knowledge"], ["knowledge", "check"],
                                     ["diagrams"]])
def test_every_command_has_help(command):
    result = crampbot(*command, "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: crampbot")


@pytest.mark.parametrize("args", [["frobnicate"], ["ask", "--nope"], ["eval", "--file"], ["knowledge"],
                                  ["knowledge", "fix"], ["ask", "a", "b"]])
def test_bad_arguments_give_one_line_and_exit_code_2(args):
    result = crampbot(*args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("crampbot") and "error" in lines[0]


def test_eval_prints_per_kind_and_per_intent_accuracy():
    result = crampbot("eval")
    assert "per kind:" in result.stdout and "per intent" in result.stdout and "confusions" in result.stdout
    assert result.returncode in (0, 1)


def test_eval_with_a_missing_file_is_a_usage_error(tmp_path):
    result = crampbot("eval", "--file", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2 and "not found" in result.stderr


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "crampbot"
    assert script.exists()
    result = subprocess.run([str(script), "ask", "--json", "hi"], capture_output=True, text=True, env=ENV,
                            timeout=60)
    assert json.loads(result.stdout)["kind"] == "smalltalk"


def test_a_malformed_token_fails_fast_with_a_clear_line_and_without_echoing_it():
    env = {**ENV, "TELEGRAM_BOT_TOKEN": "not-a-token-abc"}
    result = subprocess.run([sys.executable, "-m", "bot"], input="", capture_output=True, text=True, env=env,
                            cwd=ROOT, timeout=60)
    assert result.returncode == 2
    assert "does not look like a bot token" in result.stderr
    assert "not-a-token-abc" not in result.stderr + result.stdout


def test_telegram_command_without_a_token_says_what_to_do():
    result = crampbot("telegram")
    assert result.returncode == 2 and "TELEGRAM_BOT_TOKEN is not set" in result.stderr


def test_webhook_mode_without_a_secret_is_refused():
    env = {**ENV, "TELEGRAM_BOT_TOKEN": "123456:ABCdefGHIjklMNOpqr", "TELEGRAM_WEBHOOK_SECRET": ""}
    result = subprocess.run([sys.executable, "-m", "bot", "telegram", "--webhook", "https://example.org/hook"],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 2 and "TELEGRAM_WEBHOOK_SECRET" in result.stderr


def test_ask_survives_invalid_utf8_and_control_characters():
    result = subprocess.run([sys.executable, "-m", "bot", "ask", "--json"], input=b"cramp\xff now\n/\x1b[31mboom\n",
                            capture_output=True, env=ENV, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    records = [json.loads(line) for line in result.stdout.decode().splitlines()]
    assert len(records) == 2
    assert "\x1b" not in records[1]["reply"]
