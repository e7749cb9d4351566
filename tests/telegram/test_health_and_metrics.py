"""Health, readiness and metrics (bot/telegram_shell/health.py, metrics.py), as an operator's probes and
Prometheus see them: the real bot against the Bot API stand-in, in polling and webhook mode."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.telegram_shell.health import Health, HttpServerFailed
from bot.telegram_shell.webhook import Webhook
from tests.support.botapi_standin import BotApiStandIn
from tests.support.telegram_harness import RunningBot, ShiftedClock, free_port, settings_for
from tests.support.telegram_user import TelegramUser

SECRET = "s3cret-Token_42"
PATH = "/bots/crampbot/hook"


def get(port: int, path: str) -> tuple[int, str, str]:
    """GET http://127.0.0.1:port/path: (status, content type, body)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode()


def readiness(port: int) -> tuple[int, dict]:
    """/readyz: its status and its JSON body."""
    status, kind, body = get(port, "/readyz")
    assert kind.startswith("application/json")
    return status, json.loads(body)


def metric(port: int, name: str, **labels: str) -> float:
    """One sample's value from /metrics (0 when the series does not exist yet)."""
    status, _, body = get(port, "/metrics")
    assert status == 200
    for family in text_string_to_metric_families(body):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return sample.value
    return 0.0


def reaches(port: int, name: str, value: float, **labels: str) -> bool:
    """True once the sample has `value` (within 10 s: a turn is counted when it has ended, a moment after its
    last reply arrived), False if it does not get there."""
    deadline = time.monotonic() + 10
    while metric(port, name, **labels) != value:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def listening_ports() -> set[int]:
    """The TCP ports this test process listens on (read from /proc: its sockets in the LISTEN state)."""
    inodes = set()
    for fd in Path("/proc/self/fd").iterdir():
        try:
            target = fd.readlink().as_posix()
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    ports = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A" and fields[9] in inodes:  # 0A: LISTEN
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return ports


def polling_bot(standin: BotApiStandIn, tmp_path: Path, http_port: int | None, clock: ShiftedClock | None = None):
    """The bot polling the stand-in (not started yet), with its endpoints on `http_port` if given."""
    return RunningBot(settings_for(standin, tmp_path / "data", http_port=http_port), clock=clock)


@pytest.fixture
def port() -> int:
    return free_port()


@pytest.fixture
def bot(standin, tmp_path, port):
    with polling_bot(standin, tmp_path, port) as running:
        standin.wait_for(lambda: standin.polling, timeout=15)
        yield running


# -- health and readiness ----------------------------------------------------------------------

def test_a_polling_bot_with_an_http_port_is_alive_and_ready(bot, port):
    assert get(port, "/healthz")[0::2] == (200, "ok\n")
    assert readiness(port) == (200, {"ready": True, "database": "ok", "bot_api": "ok"})


def test_readyz_names_the_database_when_it_cannot_be_reached(bot, port):
    bot.in_loop(bot.storage.close)
    status, body = readiness(port)
    assert (status, body["database"], body["bot_api"]) == (503, "failing", "ok")
    assert get(port, "/healthz")[0] == 200, "the process still serves"


def test_readyz_names_the_bot_api_when_it_stops_answering(standin, tmp_path, port, monkeypatch):
    monkeypatch.setattr(Health, "recent_seconds", 1.0)  # Telegram's default: a few minutes
    with polling_bot(standin, tmp_path, port):
        standin.wait_for(lambda: standin.polling, timeout=15)
        assert readiness(port)[0] == 200
        standin.stop()
        deadline = time.monotonic() + 20
        status, body = readiness(port)
        while status == 200 and time.monotonic() < deadline:  # until the last answer is over a second old
            time.sleep(0.1)
            status, body = readiness(port)
        assert (status, body["bot_api"], body["database"]) == (503, "failing", "ok")
        assert readiness(port)[0] == 503, "asked again at most every 30 s: still failing, without waiting"


def test_readyz_asks_the_bot_api_itself_when_it_heard_nothing_recently_but_not_more_than_every_30_s(
        standin, bot, port, monkeypatch):
    monkeypatch.setattr(Health, "recent_seconds", 0.0)  # no answer counts as recent
    before = len(standin.calls("getMe"))
    assert readiness(port)[0] == 200, "getMe answered"
    assert len(standin.calls("getMe")) == before + 1
    assert readiness(port)[0] == 503, "not asked again so soon, and nothing recent"
    assert len(standin.calls("getMe")) == before + 1


def test_a_polling_bot_without_the_setting_listens_on_no_port(standin, tmp_path):
    before = listening_ports()
    with polling_bot(standin, tmp_path, None) as running:
        standin.wait_for(lambda: standin.polling, timeout=15)
        TelegramUser(standin, 2001).send("/start")
        assert running.settings.http_port is None
        assert listening_ports() == before


def test_an_http_port_in_use_stops_the_bot_with_a_clear_reason(standin, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        running = polling_bot(standin, tmp_path, taken.getsockname()[1])
        with pytest.raises(HttpServerFailed, match="CRAMPBOT_HTTP_PORT"), running:
            running.thread.join(20)


# -- metrics -----------------------------------------------------------------------------------

def test_metrics_count_updates_by_kind_and_time_each_reply(standin, bot, port):
    user = TelegramUser(standin, 2002)
    user.send("/start")
    user.send("do bananas help with cramps?")
    user.send("why do I get cramps at night?")
    status, kind, _ = get(port, "/metrics")
    assert status == 200 and kind.startswith("text/plain")
    assert reaches(port, "crampbot_updates_total", 1, kind="smalltalk")
    assert reaches(port, "crampbot_updates_total", 2, kind="answer")
    assert reaches(port, "crampbot_reply_seconds_count", 3)
    assert reaches(port, "crampbot_outbox_backlog", 0), "every reply went out"


def test_a_red_flag_is_counted_by_its_level_of_care(standin, bot, port):
    user = TelegramUser(standin, 2003)
    user.send("my chest hurts and I cannot breathe")
    assert "112" in user.last_text
    assert reaches(port, "crampbot_red_flags_total", 1, level="call_emergency")
    user.send("I had a DVT two years ago and now my calf is swollen and red again")
    assert reaches(port, "crampbot_red_flags_total", 1, level="get_help_today")
    assert reaches(port, "crampbot_updates_total", 2, kind="urgent")
    user.send("do bananas help with cramps?")
    assert reaches(port, "crampbot_updates_total", 1, kind="answer")
    assert metric(port, "crampbot_red_flags_total", level="call_emergency") == 1, "an answer raises none"


def test_a_reminder_sent_is_counted(standin, tmp_path, port):
    clock = ShiftedClock()
    with polling_bot(standin, tmp_path, port, clock) as running:
        standin.wait_for(lambda: standin.polling, timeout=15)
        user = TelegramUser(standin, 2004, timeout=20)
        user.send("/reminders")
        user.press("Bedtime stretches")
        user.send("22:30")
        user.send("Berlin")
        assert reaches(port, "crampbot_reminders_sent_total", 0, kind="bedtime")
        due = running.in_loop(lambda: running.storage.reminders())[0][2]
        clock.offset += due + 0.5 - clock()  # just after 22:30 in Berlin
        running.in_loop(running.shell.resume_reminders)
        standin.wait_for(lambda: any("bedtime stretches" in (m.sent_text or "").lower() and "time for" in
                                     (m.sent_text or "").lower() for m in user.messages), timeout=15)
        user.expect_silence(0.5)
        assert reaches(port, "crampbot_reminders_sent_total", 1, kind="bedtime")


def test_send_retries_and_failures_are_counted_when_telegram_fails(standin, bot, port):
    user = TelegramUser(standin, 2005, timeout=30)
    standin.fail("sendMessage", times=2, status=500)
    user.send("/tips")
    assert reaches(port, "crampbot_send_retries_total", 2)
    assert reaches(port, "crampbot_send_failures_total", 0, reason="unreachable")
    attempts = bot.settings.send_attempts
    standin.fail("sendMessage", times=attempts, status=502)  # every try of the next reply fails
    shown = standin.sent_count(2005)
    standin.user_text(2005, "/doctor")
    assert standin.wait_sent(2005, shown + 1), "sent later, from the outbox"
    assert reaches(port, "crampbot_send_failures_total", 1, reason="unreachable")
    assert reaches(port, "crampbot_send_retries_total", 2 + attempts - 1)
    assert reaches(port, "crampbot_outbox_backlog", 0)
    standin.block(2005)
    standin.user_text(2005, "/tips")
    assert reaches(port, "crampbot_send_failures_total", 1, reason="blocked"), "blocked (403): not tried again"


def test_two_bots_in_one_process_keep_their_own_counts(standin, tmp_path, bot, port):
    other_port = free_port()
    with BotApiStandIn() as other_standin, polling_bot(other_standin, tmp_path / "other", other_port):
        other_standin.wait_for(lambda: other_standin.polling, timeout=15)
        TelegramUser(standin, 2006).send("do bananas help with cramps?")
        assert reaches(port, "crampbot_updates_total", 1, kind="answer")
        assert reaches(other_port, "crampbot_updates_total", 0, kind="answer")


# -- webhook mode ------------------------------------------------------------------------------

def post(standin: BotApiStandIn, url: str, secret: str, update_id: int, chat_id: int, text: str) -> int:
    """What Telegram does: POST one update to the webhook URL with the secret header."""
    update = {"update_id": update_id, "message": {
        "message_id": update_id, "date": 1_800_000_000, "text": text,
        "chat": {"id": chat_id, "type": "private", "first_name": "Web"},
        "from": {"id": chat_id, "is_bot": False, "first_name": "Web"}}}
    return standin.post_update_to(url, update, secret)


def webhook_bot(standin, tmp_path, http_port: int | None = None):
    """The bot in webhook mode (not started yet): (bot, webhook port, webhook url)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    settings = settings_for(standin, tmp_path / "data", http_port=http_port)
    return RunningBot(settings, Webhook(url, SECRET, "127.0.0.1", port)), port, url


def test_webhook_mode_serves_the_endpoints_on_the_webhook_port(standin, tmp_path):
    running, port, url = webhook_bot(standin, tmp_path)
    with running:
        standin.wait_for(lambda: standin.webhook.get("url") == url, timeout=15)
        user = TelegramUser(standin, 2101)
        user.send("do bananas help with cramps?")  # the stand-in posts it to the webhook path
        assert "banana" in user.last_text.lower()
        assert get(port, "/healthz")[0::2] == (200, "ok\n")
        assert readiness(port) == (200, {"ready": True, "database": "ok", "bot_api": "ok"})
        assert reaches(port, "crampbot_updates_total", 1, kind="answer")
        assert post(standin, url, "wrong", 9_000_001, 2102, "/start") == 403, "the webhook path still wants the secret"
        assert post(standin, url, SECRET, 9_000_002, 2102, "/start") == 200
        standin.wait_for(lambda: standin.messages(2102), timeout=15)
        assert get(port, "/nothing-here")[0] == 404


def test_webhook_mode_with_an_http_port_serves_the_endpoints_there_only(standin, tmp_path):
    own = free_port()
    running, port, url = webhook_bot(standin, tmp_path, http_port=own)
    with running:
        standin.wait_for(lambda: standin.webhook.get("url") == url, timeout=15)
        assert get(own, "/healthz")[0] == 200 and readiness(own)[0] == 200
        assert get(port, "/healthz")[0] == 404, "the public webhook port shows nothing but the webhook"
        assert post(standin, url, SECRET, 9_000_003, 2103, "/start") == 200
        standin.wait_for(lambda: standin.messages(2103), timeout=15)
        assert reaches(own, "crampbot_updates_total", 1, kind="smalltalk")
