"""`crampbot` as a real process against the Bot API stand-in: start-up, SIGKILL and restart."""

from __future__ import annotations

import time
from types import SimpleNamespace

from tests.support.botapi_standin import BotApiStandIn
from tests.support.telegram_harness import (
    TOKEN,
    content_with_short_timers,
    free_port,
    kill,
    running_process,
    start_process,
)
from tests.support.telegram_user import TelegramUser


def test_crampbot_with_a_token_runs_the_telegram_bot(standin, tmp_path):
    process = running_process(standin, tmp_path / "data")
    try:
        user = TelegramUser(standin, 501)
        assert "not a doctor" in (user.send("/start")[0].text or "")
    finally:
        process.terminate()
        process.wait(20)
    assert process.returncode == 0, "SIGTERM stops it cleanly"
    logs = process.stderr.read()
    assert TOKEN not in logs and "chat=501" in logs


def test_sigkill_mid_checkup_loses_nothing(standin, tmp_path):
    process = running_process(standin, tmp_path / "data")
    user = TelegramUser(standin, 502)
    user.send("/checkup")
    user.press("At night")
    user.send("most nights")
    assert "Question 3 of 8" in user.last_text
    kill(process)
    process = running_process(standin, tmp_path / "data")
    try:
        user.send("desk job")
        assert "Question 4 of 8" in user.last_text, "continues at the same step"
        user.press("Back")
        assert "Question 3 of 8" in user.last_text, "earlier answers and history survived too"
    finally:
        kill(process)


def test_sigkill_mid_countdown_resumes_it(standin, tmp_path):
    content = content_with_short_timers(tmp_path, seconds=6)
    process = running_process(standin, tmp_path / "data", content)
    user = TelegramUser(standin, 503)
    user.send("/cramp")
    user.press("Start")
    step = user.last_message
    standin.wait_for(lambda: len(standin.message(503, step.message_id).edits) >= 1, timeout=10)
    kill(process)
    process = running_process(standin, tmp_path / "data", content)
    try:
        standin.wait_for(lambda: any("let go slowly" in (m.text or "") for m in user.messages), timeout=20)
        final = standin.message(503, step.message_id)
        assert final.text.endswith("done ✓"), "the same message was counted down to the end"
        assert sum("let go slowly" in (m.text or "") for m in user.messages) == 1
    finally:
        kill(process)


def test_a_countdown_that_ended_while_the_bot_was_down_ends_cleanly(standin, tmp_path):
    content = content_with_short_timers(tmp_path, seconds=2)
    process = running_process(standin, tmp_path / "data", content)
    user = TelegramUser(standin, 504)
    user.send("/cramp")
    user.press("Start")
    kill(process)
    time.sleep(2.5)
    process = running_process(standin, tmp_path / "data", content)
    try:
        standin.wait_for(lambda: any("let go slowly" in (m.text or "") for m in user.messages), timeout=20)
        user.press("It's gone")
        assert "tender for up to a day" in user.last_text
    finally:
        kill(process)


def test_a_wrong_token_fails_fast_with_a_clear_message(tmp_path):
    with BotApiStandIn(reject_token=True) as refusing:
        process = start_process(refusing, tmp_path / "data")
        process.wait(30)
    assert process.returncode == 4
    err = process.stderr.read()
    assert "Telegram refused the token" in err and TOKEN not in err


def test_an_unreachable_bot_api_at_start_fails_with_exit_5(tmp_path):
    """Nothing listens at the address: one clear line and exit 5 (which the supervisor, when it is
    restarting a bot that was running, waits out instead of giving up)."""
    nowhere = SimpleNamespace(base_url=f"http://127.0.0.1:{free_port()}/bot")
    process = start_process(nowhere, tmp_path / "data")
    process.wait(60)
    assert process.returncode == 5
    err = process.stderr.read()
    assert "cannot reach the Bot API" in err and TOKEN not in err


def test_broken_content_fails_fast_before_any_network_call(standin, tmp_path):
    content = content_with_short_timers(tmp_path)
    (content / "knowledge" / "causes.yaml").write_text("version: 1\nentries: [oops\n")
    process = start_process(standin, tmp_path / "data", content)
    process.wait(30)
    assert process.returncode == 3 and "knowledge/causes.yaml" in process.stderr.read()
    assert not standin.calls()


def test_a_second_bot_on_the_same_data_folder_refuses_to_start(standin, tmp_path):
    first = running_process(standin, tmp_path / "data")
    try:
        second = start_process(standin, tmp_path / "data")
        second.wait(30)
        err = second.stderr.read()
        assert second.returncode == 4
        assert "already running on the data folder" in err and "Traceback" not in err
        user = TelegramUser(standin, 506)
        user.send("/start")
        assert sum("not a doctor" in (m.text or "") for m in user.messages) == 1, "answered once, by the first"
    finally:
        kill(first)
    again = running_process(standin, tmp_path / "data")  # a killed bot leaves no stale lock
    kill(again)
