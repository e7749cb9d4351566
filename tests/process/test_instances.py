"""Three webhook instances on one PostgreSQL database behind a round-robin proxy, one of them killed with
SIGKILL mid-conversation: no reply lost, none sent twice, no diary entry lost, and every countdown and
reminder (the relief check-in) still runs once, on whichever instance is left."""

from __future__ import annotations

import itertools
import json
import os
import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.support.round_robin import RoundRobinProxy
from tests.support.telegram_harness import content_with_short_timers, free_port, kill, start_process
from tests.support.telegram_user import TelegramUser
from tests.telegram.test_telegram_webhook import text_update

SECRET = "several-instances-42"
HOLD_SECONDS = 5
CHECK_IN_SECONDS = 12  # the relief check-in: a reminder kept in the database, due this long after the start
USERS = 15
# typed, not tapped: a tap's "→ choice" edit can come after the next tap was sent on a busy machine,
# and would be taken for that tap's reply
LOG_ANSWERS = ("just now", "calf", "right", "2", "under a minute", "it passed by itself", "sitting")


class Instances:
    """N `crampbot telegram-serve --webhook` processes sharing one database, each on its own port."""

    def __init__(self, standin, tmp_path: Path, database_url: str, content: Path, count: int):
        self.standin, self.tmp_path, self.database_url, self.content = standin, tmp_path, database_url, content
        self.ports = [free_port() for _ in range(count)]
        self.processes: list = []

    def start(self, proxy_port: int) -> None:
        """Start every instance and wait until each listens."""
        url = f"http://127.0.0.1:{proxy_port}/hook"
        for i, port in enumerate(self.ports):
            env = {"CRAMPBOT_DATABASE_URL": self.database_url, "TELEGRAM_WEBHOOK_SECRET": SECRET,
                   "TELEGRAM_WEBHOOK_PORT": str(port)}
            self.processes.append(start_process(self.standin, self.tmp_path / f"instance{i}", self.content, env,
                                                ("telegram-serve", "--parent", str(os.getpid()), "--webhook", url)))
        for process, port in zip(self.processes, self.ports, strict=True):
            wait_until(lambda p=port, pr=process: listening(p) or pr.poll() is not None, 30)
            assert process.poll() is None, process.stderr.read()

    def stop(self) -> None:
        """SIGKILL whatever still runs."""
        for process in self.processes:
            if process.poll() is None:
                kill(process)


def listening(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_until(condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.05)


def texts(user: TelegramUser) -> list[str]:
    """Every message the bot sent the user, as first sent (edits not included), oldest first."""
    return [m.text for m in user.messages if m.text is not None]


def repeated(user: TelegramUser) -> list[str]:
    """Messages the bot sent twice in a row to the user (a reply sent twice)."""
    sent = texts(user)
    return [a for a, b in itertools.pairwise(sent) if a == b]


@pytest.fixture
def three_instances(standin, tmp_path, postgres_url):
    content = content_with_short_timers(tmp_path, HOLD_SECONDS, CHECK_IN_SECONDS)
    instances = Instances(standin, tmp_path, postgres_url, content, 3)
    with RoundRobinProxy(instances.ports) as proxy:
        try:
            instances.start(proxy.port)
            yield instances, proxy
        finally:
            instances.stop()


def test_three_instances_one_killed_mid_conversation_lose_nothing_and_double_nothing(standin, three_instances):
    instances, proxy = three_instances
    users = [TelegramUser(standin, 9100 + n) for n in range(USERS)]

    def before_the_kill(user: TelegramUser) -> None:
        user.send("/timezone")
        user.send("I live in London")
        user.send("/log")
        for answer in LOG_ANSWERS:
            user.send(answer)
        user.send("/cramp")
        user.press("Start")

    with ThreadPoolExecutor(USERS) as pool:
        list(pool.map(before_the_kill, users))
    assert all(proxy.answered[port] > 0 for port in instances.ports), "the proxy spread the updates"
    kill(instances.processes[1])  # mid-conversation: every countdown is running, check-ins are due soon

    def after_the_kill(user: TelegramUser) -> None:
        standin.wait_for(lambda: any("let go slowly" in t for t in texts(user)), timeout=30)
        standin.wait_for(lambda: any("It's been about 10 minutes" in t for t in texts(user)), timeout=30)
        user.send("/log")
        for answer in LOG_ANSWERS:
            user.send(answer)
        user.send("/export")
        standin.wait_for(lambda: sum(m.upload is not None for m in user.messages) == 2, timeout=30)

    with ThreadPoolExecutor(USERS) as pool:
        list(pool.map(after_the_kill, users))
    for user in users:
        sent = texts(user)
        assert sum("let go slowly" in t for t in sent) == 1, "each countdown ended once"
        assert sum("It's been about 10 minutes" in t for t in sent) == 1, "each check-in was sent once"
        export = next(m.upload for m in user.messages if m.upload and m.upload.filename.endswith(".json"))
        rows = json.loads(export.content)["diary"]
        assert len(rows) == 2, "no diary entry lost, none doubled"
        assert {(row["where"], row["side"], row["severity_1_to_5"]) for row in rows} == {("Calf", "Right", 2)}
        assert repeated(user) == [], "no reply sent twice"
    survivors = [process for i, process in enumerate(instances.processes) if i != 1]
    assert all(process.poll() is None for process in survivors), "the others kept running"
    instances.stop()
    logs = "".join(process.stderr.read() for process in survivors)
    assert "took over a countdown no instance was running" in logs, "the killed instance's countdowns moved"


def test_a_chats_updates_spread_over_the_instances_are_handled_once_and_in_order(standin, three_instances):
    instances, _ = three_instances
    user = TelegramUser(standin, 9200)
    words = ["/checkup", "at night", "most nights", "desk job", "/checkup"]
    hooks = [f"http://127.0.0.1:{port}/hook" for port in instances.ports]
    for n, text in enumerate(words):  # each POST returns once the update is in the shared inbox
        assert standin.post_update_to(hooks[n % 3], text_update(900_000_000 + n, 9200, text), SECRET) == 200
    again = text_update(900_000_002, 9200, "most nights")  # delivered twice, to two other instances
    assert {standin.post_update_to(hooks[1], again, SECRET), standin.post_update_to(hooks[2], again, SECRET)} == {200}
    standin.wait_for(lambda: len(texts(user)) >= 5, timeout=30)
    user.expect_silence(1.5)
    sent = texts(user)
    assert len(sent) == 5, "each update handled once, the one delivered twice included"
    assert [re.findall(r"uestion (\d) of 8", t) for t in sent[:4]] == [["1"], ["2"], ["3"], ["4"]], \
        "handled in the order they arrived, whichever instance took them"
    assert "carry on with your check-up" in sent[4]


def test_a_countdown_run_by_one_instance_is_stopped_by_a_press_another_instance_handles(standin, three_instances):
    user = TelegramUser(standin, 9300)  # each of the user's updates goes to the next instance in turn
    user.send("/cramp")
    user.press("Start")
    first = user.last_message
    standin.wait_for(lambda: len(standin.message(9300, first.message_id).edits) >= 1, timeout=15)
    user.press("Next step")
    user.press("None of these")
    edits_then = len(standin.message(9300, first.message_id).edits)
    user.press("Start")
    second = user.last_message
    standin.wait_for(lambda: standin.message(9300, second.message_id).text.endswith("done ✓")
                     and user.last_message.message_id != second.message_id, timeout=30)  # and its follow-up
    user.expect_silence(1.5)
    assert len(standin.message(9300, first.message_id).edits) == edits_then, "the first countdown stopped at once"
    assert sum("let go slowly" in t for t in texts(user)) == 0, "the first hold never ended: the user moved on"
    assert repeated(user) == []
