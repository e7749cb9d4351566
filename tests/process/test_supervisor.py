"""The supervisor that keeps the one-process bot running (bot/supervisor.py): first with stand-in
children that crash on cue, then with the real bot on the Bot API stand-in."""

from __future__ import annotations

import os
import signal
import sys
import textwrap
import threading
import time
from pathlib import Path

from bot.process.supervisor import EXIT_GAVE_UP, EXIT_UNREACHABLE, FAILED_STARTS, RESTARTS_PER_MINUTE, Supervisor
from tests.support.telegram_harness import alive, child_pids, kill, running_process
from tests.support.telegram_user import TelegramUser

# A child that counts its runs in a file and, on run n, does the n-th step of its plan (the last
# step repeats): "ready:1" says ready then exits 1, "fail:2" exits 2 without saying ready,
# "hang:0" never says ready, "kill:9" says ready then dies of signal 9.
CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    runs = Path(sys.argv[1])
    n = int(runs.read_text()) + 1 if runs.exists() else 1
    # write, then rename: a child stopped by SIGTERM mid-write must not leave an empty count behind
    Path(str(runs) + ".new").write_text(str(n))
    os.replace(str(runs) + ".new", runs)
    plan = sys.argv[2].split(",")
    what, code = plan[min(n, len(plan)) - 1].split(":")
    if what == "ready":
        os.write(int(os.environ["CRAMPBOT_READY_FD"]), b"ready\\n")
    if what == "hang":
        time.sleep(60)
    if what == "kill":
        os.write(int(os.environ["CRAMPBOT_READY_FD"]), b"ready\\n")
        os.kill(os.getpid(), int(code))
    if what == "stubborn":  # ready, then deaf to SIGTERM
        import signal
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        os.write(int(os.environ["CRAMPBOT_READY_FD"]), b"ready\\n")
        time.sleep(60)
    sys.exit(int(code))
""")


def supervised(tmp_path: Path, plan: str, **kwargs) -> tuple[int, int]:
    """Run a stand-in child with `plan` under a supervisor: (exit code, how many times it started)."""
    runs = tmp_path / "runs"
    code = Supervisor([sys.executable, "-c", CHILD, str(runs), plan], retry_pause=0.01, **kwargs).run()
    return code, int(runs.read_text())


def test_a_bot_that_crashes_after_it_was_ready_is_started_again(tmp_path):
    assert supervised(tmp_path, "ready:1,ready:1,ready:0") == (0, 3), "two crashes, then a clean stop"


def test_a_bot_killed_by_a_signal_is_started_again(tmp_path):
    assert supervised(tmp_path, "kill:9,ready:0") == (0, 2)


def test_a_bot_that_keeps_crashing_stops_the_supervisor(tmp_path):
    code, starts = supervised(tmp_path, "ready:1")
    assert code == EXIT_GAVE_UP
    assert starts == 1 + RESTARTS_PER_MINUTE, "five restarts in a minute are allowed, not a sixth"


def test_a_first_start_that_fails_returns_the_bots_own_exit_code(tmp_path):
    assert supervised(tmp_path, "fail:2") == (2, 1), "a bad token or setting: no retries, the bot said why"


def test_a_restart_that_keeps_failing_gives_up_after_a_few_tries(tmp_path):
    code, starts = supervised(tmp_path, "ready:1,fail:1")
    assert code == EXIT_GAVE_UP and starts == 1 + FAILED_STARTS


def test_a_restart_waits_for_the_bot_api_while_it_cannot_be_reached(tmp_path):
    """Exit 5 (Bot API unreachable) is an outage, not a broken bot: tried again, longer apart, not given up."""
    unreachable = ",".join([f"fail:{EXIT_UNREACHABLE}"] * (FAILED_STARTS + 2))
    assert supervised(tmp_path, f"ready:1,{unreachable},ready:0") == (0, FAILED_STARTS + 4)


def signal_me(*seconds: float) -> list[threading.Timer]:
    """Send this process SIGTERM after each of `seconds` (the supervisor under test handles it);
    cancel the timers once the supervisor has returned, so none can reach pytest itself."""
    timers = [threading.Timer(delay, os.kill, (os.getpid(), signal.SIGTERM)) for delay in seconds]
    for timer in timers:
        timer.start()
    return timers


def test_sigterm_while_waiting_to_try_again_stops_at_once_with_exit_0(tmp_path):
    timers = signal_me(1.0)
    started = time.monotonic()
    code, starts = supervised(tmp_path, f"ready:1,fail:{EXIT_UNREACHABLE}")
    for timer in timers:
        timer.cancel()
    assert code == 0 and time.monotonic() - started < 10
    assert starts >= 2


def test_a_second_sigterm_kills_a_bot_that_does_not_stop(tmp_path):
    timers = signal_me(1.0, 2.0)
    started = time.monotonic()
    code, starts = supervised(tmp_path, "stubborn:0")
    for timer in timers:
        timer.cancel()
    assert code == -signal.SIGKILL and starts == 1
    assert time.monotonic() - started < 10


def test_a_bot_that_never_says_ready_is_killed(tmp_path):
    started = time.monotonic()
    code, starts = supervised(tmp_path, "hang:0", start_timeout=1.0)
    assert code == -signal.SIGKILL and starts == 1
    assert time.monotonic() - started < 30


def serving_child(process) -> int:
    """The pid of the bot the supervisor runs, waiting for a new one to appear."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        pids = child_pids(process, b"telegram-serve")
        if pids:
            return pids[0]
        time.sleep(0.01)
    raise AssertionError("the supervisor runs no bot")


def test_the_real_bot_killed_mid_checkup_is_restarted_and_carries_on(standin, tmp_path):
    process = running_process(standin, tmp_path / "data")
    try:
        user = TelegramUser(standin, 861)
        user.send("/checkup")
        user.press("At night")
        assert "Question 2 of 8" in user.last_text
        first = serving_child(process)
        os.kill(first, signal.SIGKILL)
        standin.wait_for(lambda: not alive(first), timeout=10)
        second = serving_child(process)
        assert second != first and process.poll() is None
        user.send("most nights")  # sent once the old bot is gone: the new one answers it
        assert "Question 3 of 8" in user.last_text, "continues at the same step"
    finally:
        process.terminate()
        process.wait(20)
    assert process.returncode == 0, "SIGTERM reaches the bot through the supervisor and stops it cleanly"
    assert not alive(second)
    assert "stopped unexpectedly (killed by signal 9); starting it again" in process.stderr.read()


def test_killing_the_supervisor_takes_the_bot_with_it(standin, tmp_path):
    process = running_process(standin, tmp_path / "data")
    bot = serving_child(process)
    kill(process)
    deadline = time.monotonic() + 10
    while alive(bot) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not alive(bot), "no bot left polling behind a dead supervisor"
