"""Webhook mode's own server (bot.telegram_webhook): an acknowledged update survives a SIGKILL, the
secret is checked before the body is read, slow or idle connections are closed, malformed bodies
never reach the logs, and the secret is compared in constant time."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import select
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from telegram.error import BadRequest, InvalidToken, NetworkError

import bot.telegram_shell.updates as telegram_updates
import bot.telegram_shell.webhook as telegram_webhook
from bot.storage import StorageError
from bot.telegram_shell.throttled_log import Throttled
from bot.telegram_shell.webhook import Webhook, WebhookRefused, set_webhook
from tests.support.botapi_standin import BotApiStandIn
from tests.support.telegram_harness import RunningBot, alive, child_pids, free_port, settings_for, start_process

SECRET = "s3cret-Token_42"
PATH = "/bots/crampbot/hook"
HEADER = "X-Telegram-Bot-Api-Secret-Token"


def text_update(update_id: int, chat_id: int, text: str) -> dict:
    """What Telegram posts when a user in a private chat writes `text`."""
    update = {"update_id": update_id,
              "message": {"message_id": update_id, "date": 1_800_000_000, "text": text,
                          "chat": {"id": chat_id, "type": "private", "first_name": "Web"},
                          "from": {"id": chat_id, "is_bot": False, "first_name": "Web"}}}
    if text.startswith("/"):
        update["message"]["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
    return update


def wait_listening(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listened on {port}")


def connect(port: int) -> socket.socket:
    return socket.create_connection(("127.0.0.1", port), timeout=5)


def head(length: int | None, secret: str | None = None, path: str = PATH, chunked: bool = False) -> bytes:
    """A POST's request line and headers."""
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json"]
    if length is not None:
        lines.append(f"Content-Length: {length}")
    if chunked:
        lines.append("Transfer-Encoding: chunked")
    if secret is not None:
        lines.append(f"{HEADER}: {secret}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def status_of(sock: socket.socket, timeout: float) -> int | None:
    """The HTTP status the server answered within `timeout` (None: no answer yet)."""
    deadline = time.monotonic() + timeout
    got = b""
    while b"\r\n" not in got:
        left = deadline - time.monotonic()
        if left <= 0 or not select.select([sock], [], [], left)[0]:
            return None
        try:
            chunk = sock.recv(4096)
        except ConnectionResetError:
            break
        if not chunk:
            break
        got += chunk
    return int(got.split()[1]) if got.startswith(b"HTTP/") else None


def closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> float | None:
    """How long until the server closed the connection (None: still open after `seconds`); with
    `trickle`, one byte of it is sent every 0.2 s meanwhile."""
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < seconds:
        if select.select([sock], [], [], 0.2)[0]:
            try:
                if sock.recv(4096) == b"":
                    return time.monotonic() - started
            except ConnectionResetError:
                return time.monotonic() - started
        elif trickle:
            try:
                sock.sendall(trickle[sent % len(trickle):sent % len(trickle) + 1])
            except OSError:
                return time.monotonic() - started
            sent += 1
    return None


def rss_peak_kb(pid: int) -> int:
    """The process's peak resident memory (VmHWM) in kB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


@pytest.fixture
def webhook_bot(standin, tmp_path):
    """The bot in webhook mode, in a thread: (bot, port, url)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    with RunningBot(settings_for(standin, tmp_path / "data"), Webhook(url, SECRET, "127.0.0.1", port)) as running:
        standin.wait_for(lambda: standin.webhook.get("url") == url, timeout=15)
        wait_listening(port)
        yield running, port, url


def start_webhook_process(standin, data_dir: Path, port: int, url: str):
    """`crampbot` (supervisor and bot, one process) in webhook mode; returns once it listens."""
    env = {"TELEGRAM_WEBHOOK_URL": url, "TELEGRAM_WEBHOOK_SECRET": SECRET, "TELEGRAM_WEBHOOK_PORT": str(port),
           "TELEGRAM_WEBHOOK_LISTEN": "127.0.0.1"}
    process = start_process(standin, data_dir, extra_env=env)
    try:
        standin.wait_for(lambda: (standin.calls("setWebhook") and len(child_pids(process, b"telegram-serve")) == 1)
                         or process.poll() is not None, timeout=30)
        assert process.poll() is None, process.stderr.read()
        wait_listening(port)
    except BaseException:
        process.kill()
        process.wait(10)
        raise
    return process


def stop_process(process) -> str:
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    return process.stderr.read()


# -- 1. an acknowledged update is never lost -------------------------------------------------------

def test_every_acknowledged_update_is_answered_after_a_sigkill(standin, tmp_path):
    """Forty people write at once; each update gets its 200; the bot is SIGKILLed the moment the
    last 200 arrives, then started again: every one of them gets an answer."""
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    data = tmp_path / "data"
    process = start_webhook_process(standin, data, port, url)
    chats = list(range(7001, 7041))
    try:
        bot_pid = child_pids(process, b"telegram-serve")[0]
        with ThreadPoolExecutor(len(chats)) as pool:
            statuses = list(pool.map(lambda chat: standin.post_update_to(
                url, text_update(50_000 + chat, chat, "/start" if chat % 2 else "what causes night cramps?"),
                secret=SECRET), chats))
        process.send_signal(signal.SIGKILL)  # at once: the supervisor and the bot
        os.kill(bot_pid, signal.SIGKILL)
        process.wait(10)
    except BaseException:
        process.kill()
        raise
    assert statuses == [200] * len(chats)
    deadline = time.monotonic() + 5
    while alive(bot_pid) and time.monotonic() < deadline:
        time.sleep(0.01)
    answered_before = {chat for chat in chats if standin.calls("sendMessage", chat_id=chat)}
    process = start_webhook_process(standin, data, port, url)
    try:
        standin.wait_for(lambda: all(standin.calls("sendMessage", chat_id=chat) for chat in chats), timeout=30,
                         message=f"answered before the kill: {len(answered_before)}/{len(chats)}")
    finally:
        stop_process(process)


# -- 2. the secret before the body; body size ------------------------------------------------------

def test_the_secret_is_checked_before_the_body_is_read_and_big_bodies_are_refused(standin, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    process = start_webhook_process(standin, tmp_path / "data", port, url)
    try:
        bot_pid = child_pids(process, b"telegram-serve")[0]
        for secret in ("wrong", None):  # 50 MB announced, 1 KB sent: refused without waiting for the rest
            with connect(port) as sock:
                sock.sendall(head(50_000_000, secret) + b"{" + b" " * 1023)
                assert status_of(sock, 2.0) == 403, f"secret {secret!r}"
        with connect(port) as sock:  # authenticated, but over the limit
            sock.sendall(head(2_000_000, SECRET) + b"{" + b" " * 1023)
            assert status_of(sock, 2.0) == 413
        with connect(port) as sock:  # the same without a Content-Length: counted as it comes
            sock.sendall(head(None, SECRET, chunked=True))
            piece = b" " * 65536
            try:
                for _ in range(24):  # 1.5 MB
                    sock.sendall(b"%x\r\n" % len(piece) + piece + b"\r\n")
            except OSError:
                pass  # refused and closed before all of it was sent
            assert status_of(sock, 2.0) == 413

        before = rss_peak_kb(bot_pid)
        body = b" " * (1 << 20)
        for _ in range(4):  # 4 x 50 MB really sent, without the secret
            with connect(port) as sock:
                sock.sendall(head(50 * len(body), "wrong"))
                try:
                    for _ in range(50):
                        sock.sendall(body)
                except OSError:
                    pass
                assert status_of(sock, 5.0) in (403, None)
        grown = rss_peak_kb(bot_pid) - before
        assert grown < 8_000, f"peak memory grew by {grown} kB"

        assert standin.post_update_to(url, text_update(60_001, 7101, "/start"), secret=SECRET) == 200
        standin.wait_calls("sendMessage", chat_id=7101)
    finally:
        stop_process(process)
    assert process.returncode == 0, "SIGTERM stops it cleanly"


# -- 3. slow and idle connections ------------------------------------------------------------------

def test_idle_and_slow_connections_are_closed_while_updates_are_answered(standin, tmp_path, monkeypatch):
    monkeypatch.setattr(telegram_webhook, "HEADER_TIMEOUT", 1.0)
    monkeypatch.setattr(telegram_webhook, "BODY_TIMEOUT", 1.0)
    port = free_port()
    url = f"http://127.0.0.1:{port}{PATH}"
    with RunningBot(settings_for(standin, tmp_path / "data"), Webhook(url, SECRET, "127.0.0.1", port)):
        standin.wait_for(lambda: standin.webhook.get("url") == url, timeout=15)
        wait_listening(port)
        idle, headers, body = connect(port), connect(port), connect(port)
        try:
            body.sendall(head(500, SECRET) + b"{")
            with ThreadPoolExecutor(3) as pool:
                waits = [pool.submit(closed_within, idle, 4.0),
                         pool.submit(closed_within, headers, 4.0, head(100, SECRET)),
                         pool.submit(closed_within, body, 4.0, b" ")]
                time.sleep(0.3)
                assert standin.post_update_to(url, text_update(61_001, 7201, "/start"), secret=SECRET) == 200
                standin.wait_calls("sendMessage", chat_id=7201)
                closed = [wait.result() for wait in waits]
        finally:
            for sock in (idle, headers, body):
                sock.close()
    assert all(seconds is not None and seconds < 3.0 for seconds in closed), closed


def test_the_webhook_server_raises_the_open_file_limit(standin, tmp_path):
    """Each connection takes a file descriptor: a typical soft limit of 1024 is raised to the hard limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    lowered = min(1024, soft if hard == resource.RLIM_INFINITY else hard - 1)
    resource.setrlimit(resource.RLIMIT_NOFILE, (lowered, hard))
    try:
        port = free_port()
        url = f"http://127.0.0.1:{port}{PATH}"
        with RunningBot(settings_for(standin, tmp_path / "data"), Webhook(url, SECRET, "127.0.0.1", port)):
            standin.wait_for(lambda: standin.webhook.get("url") == url, timeout=15)
            wait_listening(port)
            raised = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert raised > lowered and (raised == hard or hard == resource.RLIM_INFINITY)


# -- 4. malformed bodies ---------------------------------------------------------------------------

def test_malformed_bodies_are_refused_and_never_logged(webhook_bot, standin, caplog):
    _, port, url = webhook_bot
    caplog.set_level(logging.DEBUG)
    bodies = [b"not json at all PIIMARKER1 my calves hurt",
              json.dumps(["PIIMARKER2", "my diary"]).encode(),
              json.dumps({"message": {"text": "PIIMARKER3 my secret diary text"}}).encode(),
              json.dumps({"update_id": "7", "message": {"text": "PIIMARKER4 my secret"}}).encode(),
              json.dumps({"update_id": True, "message": {"text": "PIIMARKER5"}}).encode(),
              b"\xff\xfe PIIMARKER6 \x00",
              b"[" * 200_000]
    for body in bodies:
        with connect(port) as sock:
            sock.sendall(head(len(body), SECRET) + body)
            assert status_of(sock, 5.0) == 400, body[:40]
    # the right shape, but nothing the library can read: kept and skipped (Telegram need not retry it)
    unreadable = {"update_id": 62_002, "message": {"message_id": 1, "date": "soon", "chat": "PIIMARKER7",
                                                   "text": "my secret diary text PIIMARKER7"}}
    assert standin.post_update_to(url, unreadable, secret=SECRET) == 200
    assert standin.post_update_to(url, text_update(62_003, 7301, "/start"), secret=SECRET) == 200
    standin.wait_calls("sendMessage", chat_id=7301)
    logged = caplog.text + "".join(str(r.exc_info) + (r.exc_text or "") for r in caplog.records)
    assert "PIIMARKER" not in logged and "my calves" not in logged
    refusals = [r for r in caplog.records if "not a Telegram update" in r.getMessage()]
    assert len(refusals) == 7 and all(r.levelno == logging.WARNING for r in refusals)


def test_an_update_that_cannot_be_kept_is_still_handled_as_in_polling(webhook_bot, standin, caplog, monkeypatch):
    """The inbox write fails (a full disk, say): as in polling mode the update is still handled, so
    its user hears at once (the turn itself tells them if it cannot be saved either); the trouble
    is logged once a minute, without the text."""
    running, _, url = webhook_bot
    # the once-a-minute count is kept per process: start it afresh, whatever an earlier test logged
    monkeypatch.setattr(telegram_updates, "_inbox_trouble", Throttled(telegram_updates.log))
    calls = []

    def failing(received):
        calls.append(received)
        raise StorageError("the disk holding crampbot.sqlite3 is full")

    running.storage.receive = failing
    for n in range(3):
        assert standin.post_update_to(url, text_update(63_001 + n, 7401 + n, "/start PIIMARKER8"), secret=SECRET) == 200
    for n in range(3):
        standin.wait_calls("sendMessage", chat_id=7401 + n)
    assert len(calls) == 3
    errors = [r for r in caplog.records if r.levelno == logging.ERROR and "inbox" in r.getMessage()]
    assert len(errors) == 1
    assert not any("PIIMARKER" in r.getMessage() for r in caplog.records if r.levelno >= logging.INFO)


def test_other_paths_and_methods_are_refused(webhook_bot, standin):
    _, port, _ = webhook_bot
    assert standin.post_update_to(f"http://127.0.0.1:{port}/elsewhere", text_update(1, 1, "/start"),
                                  secret=SECRET) == 404
    with connect(port) as sock:
        sock.sendall(f"GET {PATH} HTTP/1.1\r\nHost: x\r\n{HEADER}: {SECRET}\r\n\r\n".encode())
        assert status_of(sock, 5.0) == 405
    assert not standin.calls("sendMessage")


# -- 5. constant-time comparison -------------------------------------------------------------------

def test_the_secret_is_compared_in_constant_time(webhook_bot, standin, monkeypatch):
    _, _, url = webhook_bot
    compared = []
    real = telegram_webhook.hmac.compare_digest

    def spy(given, expected):
        compared.append((given, expected))
        return real(given, expected)

    monkeypatch.setattr(telegram_webhook.hmac, "compare_digest", spy)
    assert standin.post_update_to(url, text_update(64_001, 7501, "/start"), secret="s3cret-Token_43") == 403
    assert standin.post_update_to(url, text_update(64_002, 7502, "/start"), secret=SECRET) == 200
    assert (b"s3cret-Token_43", SECRET.encode()) in compared and (SECRET.encode(), SECRET.encode()) in compared


# -- setting the webhook ---------------------------------------------------------------------------

class FakeBot:
    """set_webhook that fails with the given errors first."""

    def __init__(self, *errors: Exception):
        self.errors = list(errors)
        self.calls: list[dict] = []

    async def set_webhook(self, url, **kwargs):
        self.calls.append({"url": url, **kwargs})
        if self.errors:
            raise self.errors.pop(0)
        return True


def test_setting_the_webhook_tries_again_after_network_errors_only(monkeypatch):
    async def no_wait(seconds):
        return None

    monkeypatch.setattr(telegram_webhook.asyncio, "sleep", no_wait)
    flaky = FakeBot(NetworkError("Bad Gateway"), NetworkError("Bad Gateway"))
    asyncio.run(set_webhook(flaky, "https://example.org/hook", SECRET, retries=5))
    assert len(flaky.calls) == 3 and flaky.calls[-1]["secret_token"] == SECRET
    down = FakeBot(*[NetworkError("Bad Gateway")] * 10)
    with pytest.raises(NetworkError):
        asyncio.run(set_webhook(down, "https://example.org/hook", SECRET, retries=5))
    assert len(down.calls) == 6
    for error, raised in ((InvalidToken(), InvalidToken), (BadRequest("bad webhook: HTTPS URL"), WebhookRefused)):
        refused = FakeBot(error)
        with pytest.raises(raised):
            asyncio.run(set_webhook(refused, "https://example.org/hook", SECRET, retries=5))
        assert len(refused.calls) == 1


def test_a_webhook_url_telegram_refuses_stops_the_bot_at_once(tmp_path):
    with BotApiStandIn(require_https_webhook=True) as strict:
        port = free_port()
        env = {"TELEGRAM_WEBHOOK_URL": f"http://127.0.0.1:{port}{PATH}", "TELEGRAM_WEBHOOK_SECRET": SECRET,
               "TELEGRAM_WEBHOOK_PORT": str(port)}
        started = time.monotonic()
        process = start_process(strict, tmp_path / "data", extra_env=env)
        process.wait(60)
        took = time.monotonic() - started
        assert len(strict.calls("setWebhook")) == 1
    err = process.stderr.read()
    assert process.returncode == 4 and "Telegram refused the webhook URL" in err and "https url" in err.lower()
    assert took < 10


def test_webhook_accepts_the_right_secret_and_refuses_a_wrong_one(standin, tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}/bots/crampbot/hook/"
    settings = settings_for(standin, tmp_path / "data")
    with RunningBot(settings, Webhook(url, "s3cret-token", "127.0.0.1", port)):
        standin.wait_calls("setWebhook")
        assert standin.calls("setWebhook")[-1].params["secret_token"] == "s3cret-token"
        wait_listening(port)
        wrong = standin.post_update_to(url, text_update(9001, 77, "/start"), secret="wrong")
        missing = standin.post_update_to(url, text_update(9002, 77, "/start"))
        assert wrong == 403 and missing == 403
        ok = standin.post_update_to(url, text_update(9003, 78, "/start"), secret="s3cret-token")
        assert ok == 200
        standin.wait_calls("sendMessage", chat_id=78)
        assert not standin.calls("sendMessage", chat_id=77)
