"""CRAMPBOT_LOG_FORMAT=json: a run's stderr, the bot's and its supervisor's lines alike, is one JSON object a
line, with the per-update fields as keys of their own, never the message text, never the token."""

from __future__ import annotations

import io
import json
import logging
import os
import signal

from bot.settings import Settings
from bot.wiring import configure_logging
from tests.support.telegram_harness import TOKEN, alive, child_pids, running_process
from tests.support.telegram_user import TelegramUser

KEYS = {"time", "level", "logger", "message"}


def test_a_json_run_writes_only_json_lines_without_text_or_token(standin, tmp_path):
    process = running_process(standin, tmp_path / "data", extra_env={"CRAMPBOT_LOG_FORMAT": "json"})
    try:
        user = TelegramUser(standin, 871)
        user.send("my neighbour Zebediah says pickle juice stops calf cramps, does it?")
        (first,) = child_pids(process, b"telegram-serve")
        os.kill(first, signal.SIGKILL)  # the supervisor logs the restart
        standin.wait_for(lambda: not alive(first), timeout=10)
        standin.wait_for(lambda: child_pids(process, b"telegram-serve") and standin.polling, timeout=30)
        user.send("/tips")
    finally:
        process.terminate()
        process.wait(20)
    err = process.stderr.read()
    lines = [json.loads(line) for line in err.splitlines()]  # each line is JSON, or this raises
    assert lines and all(isinstance(entry, dict) and entry.keys() >= KEYS for entry in lines)
    assert all(entry["time"].endswith("Z") and "T" in entry["time"] for entry in lines), "ISO 8601, UTC"
    updates = [entry for entry in lines if "kind" in entry]
    assert len(updates) == 2 and all(entry["chat"] == 871 and isinstance(entry["update"], int)
                                     and isinstance(entry["ms"], float) for entry in updates)
    assert any(entry["logger"] == "crampbot.supervisor" and entry["level"] == "ERROR" for entry in lines)
    assert "Zebediah" not in err and "pickle" not in err and TOKEN not in err


def test_an_error_with_its_traceback_is_one_json_line_with_the_token_redacted():
    stream = io.StringIO()
    settings = Settings(telegram_token=TOKEN, log_level="INFO", content_dir=None, log_format="json")
    configure_logging(settings, stream)
    try:
        try:
            raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
        except ConnectionError:
            logging.getLogger("crampbot.telegram").exception("failed with token %s", TOKEN)
    finally:
        logging.getLogger().handlers.clear()
    (line,) = stream.getvalue().splitlines()
    entry = json.loads(line)
    assert (entry["level"], entry["logger"], entry["message"]) == ("ERROR", "crampbot.telegram",
                                                                   "failed with token [redacted]")
    assert entry["exception"].startswith("Traceback") and "ConnectionError" in entry["exception"]
    assert TOKEN not in line
