"""`crampbot` as a poller and worker processes against the Bot API stand-in: chats shared out,
a killed worker restarted without losing the chat, workers dying with the poller, and updates
fetched but never handled (the inbox) answered at the next start."""

from __future__ import annotations

import re
import signal
import time

import pytest

from bot.sharding import shard_of
from bot.storage import Received, SQLiteStorage
from bot.telegram_workers import FAILED_STARTS, RESTARTS_PER_MINUTE
from tests.telegram_harness import alive, kill, running_process, worker_pids
from tests.telegram_user import TelegramUser


def test_two_workers_share_the_chats_and_stop_cleanly_with_the_poller(standin, tmp_path):
    process = running_process(standin, tmp_path / "data")
    try:
        workers = worker_pids(process)
        assert sorted(workers) == [0, 1]
        for chat in (811, 812):  # one on each worker
            user = TelegramUser(standin, chat)
            user.send("/start")
            assert "not a doctor" in user.last_text
            user.send("/checkup")
            user.press("At night")
            assert "Question 2 of 8" in user.last_text
    finally:
        process.terminate()
        process.wait(30)
    assert process.returncode == 0, "SIGTERM stops the poller and its workers cleanly"
    assert not any(alive(pid) for pid in workers.values())
    logs = process.stderr.read()
    assert "chat=811" in logs and "chat=812" in logs


def test_a_worker_killed_mid_checkup_is_started_again_and_the_chat_goes_on(standin, tmp_path):
    process = running_process(standin, tmp_path / "data")
    chat = 813
    try:
        user = TelegramUser(standin, chat, timeout=30)
        user.send("/checkup")
        user.press("At night")
        owner = worker_pids(process)[shard_of(chat, 2)]
        other = worker_pids(process)[1 - shard_of(chat, 2)]
        kill_pid(owner)
        user.send("most nights")  # sent while its worker is down
        assert "Question 3 of 8" in user.last_text
        user.send("desk job")
        assert "Question 4 of 8" in user.last_text
        assert process.poll() is None, "the poller kept running"
        workers = worker_pids(process)
        assert workers[shard_of(chat, 2)] != owner and workers[1 - shard_of(chat, 2)] == other
        other_user = TelegramUser(standin, chat + 1)
        other_user.send("/tips")
        assert "cramps less likely" in other_user.last_text
    finally:
        kill(process)
    assert "stopped unexpectedly" in process.stderr.read()


def test_killing_the_poller_takes_its_workers_with_it(standin, tmp_path):
    process = running_process(standin, tmp_path / "data")
    workers = worker_pids(process)
    assert len(workers) == 2
    kill(process)
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers.values()) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers.values()), "no worker outlives its poller"


@pytest.mark.parametrize("workers", [1, 2])
def test_an_update_fetched_but_never_handled_is_answered_at_the_next_start(standin, tmp_path, workers):
    """The process was killed after getUpdates brought the message (so Telegram will not send it
    again) but before it was handled: the inbox still has it."""
    chats = (821, 822)
    storage = SQLiteStorage(tmp_path / "data" / "crampbot.sqlite3")
    storage.receive([Received(5000 + chat, chat, {"update_id": 5000 + chat, "message": {
        "message_id": 1, "date": int(time.time()), "chat": {"id": chat, "type": "private", "first_name": "T"},
        "from": {"id": chat, "is_bot": False, "first_name": "T"}, "text": "/tips",
        "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}}) for chat in chats])
    storage.close()
    process = running_process(standin, tmp_path / "data", workers=workers)
    try:
        for chat in chats:
            standin.wait_for(lambda chat=chat: any("cramps less likely" in (m.text or "")
                                                   for m in standin.messages(chat)), timeout=30)
        TelegramUser(standin, chats[0]).send("/start")  # and the chat goes on as usual
    finally:
        kill(process)
    storage = SQLiteStorage(tmp_path / "data" / "crampbot.sqlite3")
    assert storage.inbox() == [] and all(storage.seen(5000 + chat) for chat in chats)
    storage.close()
    assert all(sum("cramps less likely" in (m.text or "") for m in standin.messages(c)) == 1 for c in chats)


def test_malformed_and_unknown_updates_reach_no_worker_harmfully(standin, tmp_path):
    process = running_process(standin, tmp_path / "data")
    try:
        standin.raw_update({"update_id": 910001, "message": {"message_id": 1, "date": "not a date", "chat": "x"}})
        standin.raw_update({"update_id": 910002, "poll_answer": {"poll_id": "p"}})
        standin.raw_update({"update_id": 910003, "something_new": {"chat": {"id": 831}}})
        standin.raw_update({"update_id": 910004, "callback_query": {"id": "q", "data": "x"}})
        for chat in (831, 832):
            user = TelegramUser(standin, chat)
            user.send("/start")
            assert "not a doctor" in user.last_text
        assert process.poll() is None and len(worker_pids(process)) == 2
    finally:
        kill(process)


def chat_on_shard(shard: int, start: int = 840) -> int:
    """A chat id that worker `shard` of two owns."""
    return next(chat for chat in range(start, start + 10) if shard_of(chat, 2) == shard)


def new_worker(process, shard: int, old: int | None) -> int | None:
    """The pid of worker `shard` once one other than `old` runs (None if the poller stopped first)."""
    deadline = time.monotonic() + 30
    while process.poll() is None and time.monotonic() < deadline:
        pid = worker_pids(process).get(shard)
        if pid is not None and pid != old:
            return pid
        time.sleep(0.005)
    return None


def test_a_worker_that_keeps_dying_stops_the_bot_with_one_clear_line(standin, tmp_path):
    """Five restarts in a minute are bad luck at most; a sixth death means a bug: the poller stops
    its other worker and exits 4 saying which worker keeps stopping, instead of looping forever.
    Each time, the worker first answers its chat, so every death is of a worker that was ready."""
    process = running_process(standin, tmp_path / "data")
    user = TelegramUser(standin, chat_on_shard(0), timeout=30)
    try:
        other, pid = worker_pids(process)[1], None
        for death in range(RESTARTS_PER_MINUTE + 1):
            pid = new_worker(process, 0, pid)
            assert pid is not None, f"the bot gave up after only {death} deaths"
            user.send("/tips")
            assert "cramps less likely" in user.last_text
            kill_pid(pid)
        process.wait(30)
    finally:
        if process.poll() is None:
            kill(process)
    assert process.returncode == 4
    assert "worker 0 of 2 keeps stopping; giving up" in process.stderr.read()
    assert not alive(other), "the healthy worker is stopped too"


def test_a_worker_killed_while_starting_again_is_tried_once_more(standin, tmp_path):
    """Killed, then killed again before its restart is ready (as the system might): the bot does
    not stop; the next try comes up and the chat is answered."""
    process = running_process(standin, tmp_path / "data")
    user = TelegramUser(standin, chat_on_shard(0), timeout=30)
    try:
        first = worker_pids(process)[0]
        kill_pid(first)
        starting = new_worker(process, 0, first)
        assert starting is not None
        kill_pid(starting)  # within milliseconds of its start: long before it is ready
        user.send("/tips")
        assert "cramps less likely" in user.last_text
        assert process.poll() is None
    finally:
        kill(process)
    logs = process.stderr.read()
    assert "worker 0 of 2 did not start" in logs and "trying again" in logs


def test_a_worker_that_cannot_start_again_stops_the_bot(standin, tmp_path):
    """Three restarts in a row that never get ready (each killed while starting): its chats would
    go unanswered, so the bot exits 4 and says so, instead of looking alive."""
    process = running_process(standin, tmp_path / "data")
    try:
        pid = worker_pids(process)[0]
        for _ in range(FAILED_STARTS + 1):
            kill_pid(pid)
            pid = new_worker(process, 0, pid)
            if pid is None:
                break
        process.wait(30)
    finally:
        if process.poll() is None:
            kill(process)
    assert process.returncode == 4
    assert re.search(rf"worker 0 of 2 did not start \(exit code -?\d+\), {FAILED_STARTS} times in a row; giving up",
                     process.stderr.read())


def kill_pid(pid: int) -> None:
    """SIGKILL one worker and wait until it is gone."""
    import os

    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
