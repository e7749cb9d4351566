"""Run the real CrampBot Telegram adapter against the Bot API stand-in: in a background thread (its
own event loop), or as a `crampbot` subprocess that can be killed."""

from __future__ import annotations

import asyncio
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from bot.content.bundle import load_content
from bot.core.brain import Brain
from bot.settings import Settings
from bot.storage.postgres import PostgresStorage
from bot.storage.sqlite import SQLiteStorage
from bot.telegram_shell.serve import serve
from bot.telegram_shell.shell import TelegramShell
from bot.telegram_shell.webhook import Webhook

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
TOKEN = "123456789:TEST-token_abcdefghijklmnopqrstuv"
# The waits of bot.settings, short: a failed call is tried 8 times within about a second, the outbox every
# second, and a locked database is reported after half a second. Telegram needs the defaults; the stand-in
# does not, and no test should sit through a real back-off.
SHORT_WAITS = {"send_attempts": 8, "retry_first_seconds": 0.02, "retry_max_seconds": 0.2,
               "outbox_retry_seconds": 1.0, "db_lock_wait_seconds": 0.5}
SHORT_WAITS_ENV = {f"CRAMPBOT_{name.upper()}": str(value) for name, value in SHORT_WAITS.items()}
# The bot's own defaults, for a test that measures the bot as it runs against Telegram.
TELEGRAM_WAITS_ENV = {f"CRAMPBOT_{name.upper()}": str(getattr(Settings, name)) for name in SHORT_WAITS}


def settings_for(standin, data_dir: Path, content_dir: Path | None = None, **changes) -> Settings:
    """Settings pointing the bot at the stand-in, with its own data folder and short waits (`changes`
    set any field, e.g. Telegram's own retry_first_seconds=0.5 for a test about slow retries)."""
    return Settings(telegram_token=TOKEN, log_level="INFO", content_dir=str(content_dir) if content_dir else None,
                    base_url=standin.base_url, data_dir=str(data_dir), **{**SHORT_WAITS, **changes})


def free_port() -> int:
    """A TCP port nothing listens on, below the range the system hands out for outgoing connections (so no
    client connection of this or another test takes it before the test listens on it)."""
    try:
        lowest = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        lowest = 32768
    for _ in range(100):
        port = random.randrange(10_000, max(10_001, lowest))
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
    raise AssertionError("no free port found")


def content_with_short_timers(tmp_path: Path, seconds: int = 3, check_in_after: int | None = None) -> Path:
    """A copy of the content whose relief holds last `seconds` (so countdown tests take seconds, not minutes),
    and whose relief check-in (a reminder kept in storage) comes `check_in_after` seconds after the start."""
    target = tmp_path / "content"
    for folder in ("dialogs", "knowledge"):
        shutil.copytree(ROOT / folder, target / folder)
    relief = target / "dialogs" / "relief.yaml"
    text = relief.read_text(encoding="utf-8")
    for original in ("15", "180", "300", "60"):
        text = text.replace(f"      seconds: {original}\n", f"      seconds: {seconds}\n")
    if check_in_after is not None:
        assert "  after_seconds: 600\n" in text
        text = text.replace("  after_seconds: 600\n", f"  after_seconds: {check_in_after}\n")
    relief.write_text(text, encoding="utf-8")
    return target


class ShiftedClock:
    """Real time plus an offset tests can move ("it is now 22:29 in Berlin"), without sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


class RunningBot:
    """The PTB application with our shell, served in a thread until stopped."""

    def __init__(self, settings: Settings, webhook: Webhook | None = None, clock: ShiftedClock | None = None):
        self.settings = settings
        self.webhook = webhook
        self.content = load_content(Path(settings.content_dir) if settings.content_dir else ROOT)
        self.storage: SQLiteStorage | PostgresStorage = (
            PostgresStorage(settings.database_url) if settings.database_url
            else SQLiteStorage(settings.database, lock_wait=settings.db_lock_wait_seconds))
        self.clock = clock or ShiftedClock()
        self.shell = TelegramShell(Brain(self.content), self.storage, settings, clock=self.clock, read_timeout=2.0)
        self.loop: asyncio.AbstractEventLoop | None = None
        self.stop_event: asyncio.Event | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="crampbot-under-test", daemon=True)

    def _run(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            self.stop_event = asyncio.Event()
            self.ready.set()
            await serve(self.shell, self.stop_event, self.webhook)

        try:
            asyncio.run(main())
        except BaseException as exc:  # noqa: BLE001 - surfaced by stop()
            self.error = exc
            self.ready.set()

    def __enter__(self) -> RunningBot:
        self.thread.start()
        self.ready.wait(10)
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def in_loop(self, function: Callable[[], T]) -> T:
        """Run a plain function on the bot's event loop thread and return its result: the way to re-schedule
        jobs or read the bot's storage, whose one connection the bot is using from that thread."""
        assert self.loop is not None
        done = threading.Event()
        results: list[T] = []
        failures: list[BaseException] = []

        def run() -> None:
            try:
                results.append(function())
            except BaseException as exc:  # noqa: BLE001 - re-raised in the test's thread below
                failures.append(exc)
            finally:
                done.set()

        self.loop.call_soon_threadsafe(run)
        assert done.wait(10), "the bot's event loop did not get to run the function"
        if failures:
            raise failures[0]
        return results[0]

    def stop(self) -> None:
        """Stop serving and wait for the thread; re-raise anything that crashed it."""
        if self.loop and self.stop_event and self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.stop_event.set)
        self.thread.join(20)
        self.storage.close()
        if self.error:
            raise self.error


def start_process(standin, data_dir: Path, content_dir: Path | None = None, extra_env: dict | None = None,
                  args: tuple[str, ...] = ()) -> subprocess.Popen:
    """`crampbot` as a real subprocess talking to the stand-in, with the short waits of `settings_for`."""
    env = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN, "TELEGRAM_BASE_URL": standin.base_url,
           "CRAMPBOT_DATA_DIR": str(data_dir), "CRAMPBOT_LOG_LEVEL": "INFO", "PYTHONUNBUFFERED": "1",
           **SHORT_WAITS_ENV}
    env.pop("CRAMPBOT_CONTENT_DIR", None)
    if content_dir:
        env["CRAMPBOT_CONTENT_DIR"] = str(content_dir)
    env.update(extra_env or {})
    return subprocess.Popen([sys.executable, "-m", "bot", *args], env=env, cwd=data_dir.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def running_process(standin, data_dir: Path, content_dir: Path | None = None, **kwargs) -> subprocess.Popen:
    """`start_process`, then wait until it polls; it is killed (and the wait's error raised) if it
    never does, and its stderr is shown if it stopped instead."""
    process = start_process(standin, data_dir, content_dir, **kwargs)
    try:
        standin.wait_for(lambda: standin.polling or process.poll() is not None, timeout=30)
    except AssertionError:
        kill(process)
        raise
    assert process.poll() is None, process.stderr.read()
    return process


def child_processes(process: subprocess.Popen, marker: bytes) -> list[tuple[int, list[bytes]]]:
    """The live child processes of `process` whose command line has `marker`: (pid, command line)."""
    found = []
    for listing in Path(f"/proc/{process.pid}/task").glob("*/children"):
        for pid in listing.read_text().split():
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if marker in command and alive(int(pid)):
                found.append((int(pid), command))
    return found


def child_pids(process: subprocess.Popen, marker: bytes) -> list[int]:
    """The live child processes of `process` whose command line has `marker`."""
    return [pid for pid, _ in child_processes(process, marker)]


def alive(pid: int) -> bool:
    """True while a process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def kill(process: subprocess.Popen) -> None:
    """SIGKILL: no clean-up, no flushing; what was committed is all that survives."""
    process.send_signal(signal.SIGKILL)
    process.wait(10)


def settings_copy(settings: Settings, **changes) -> Settings:
    """Settings with some fields changed."""
    return replace(settings, **changes)
