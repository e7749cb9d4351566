"""Keeps the one-process Telegram bot running: `crampbot telegram` starts the bot as a child process
(`crampbot telegram-serve`) and starts it again when it dies after it was ready, so a crash does not
leave users unanswered. The supervisor does no bot work itself: it only waits, restarts and passes
on SIGTERM and Ctrl-C. No telegram import here (it stays small)."""

from __future__ import annotations

import collections
import ctypes
import logging
import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from types import FrameType

from bot.process.log_lines import formatter

READY = b"ready\n"
READY_FD = "CRAMPBOT_READY_FD"  # the child says READY on this descriptor once it is serving
START_TIMEOUT = 60.0  # seconds for the child to become ready
RESTARTS_PER_MINUTE = 5  # the bot dying more often than this stops it (a bug, not bad luck)
FAILED_STARTS = 3  # restarts in a row that fail before the bot is ready stop it too
RETRY_PAUSE = 0.5  # seconds before the next try after a failed restart (then 1 s)
EXIT_GAVE_UP = 4
EXIT_UNREACHABLE = 5  # the bot could not reach the Bot API (bot.wiring): a restart waits for it, not giving up
UNREACHABLE_PAUSE = 60.0  # the longest wait between two tries while the Bot API cannot be reached

log = logging.getLogger("crampbot.supervisor")


def serve_command(parent: int, webhook: str | None = None) -> list[str]:
    """How the supervisor starts the bot itself."""
    return [sys.executable, "-m", "bot", "telegram-serve", "--parent", str(parent),
            *(["--webhook", webhook] if webhook else [])]


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when its parent dies (Linux); exit now if it already did."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)


def announce_ready() -> None:
    """Tell the supervisor (if any) that the bot is serving; once, then the descriptor is closed."""
    fd = os.environ.pop(READY_FD, None)
    if fd is None or not fd.isdecimal():
        return
    try:
        os.write(int(fd), READY)
        os.close(int(fd))
    except OSError:
        pass  # no supervisor listening any more: nothing to tell


def _how_it_ended(code: int) -> str:
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"


class Supervisor:
    """Runs `command` until it stops cleanly or is told to stop; restarts it when it dies after it
    was ready. A first start that fails returns the child's own exit code (it has said why)."""

    def __init__(self, command: list[str], clock: Callable[[], float] = time.monotonic,
                 start_timeout: float = START_TIMEOUT, retry_pause: float = RETRY_PAUSE):
        self.command = command
        self.clock = clock
        self.start_timeout = start_timeout
        self.retry_pause = retry_pause
        self.child: subprocess.Popen[bytes] | None = None
        self.stopping = False
        self.restarts: collections.deque[float] = collections.deque(maxlen=RESTARTS_PER_MINUTE)

    def run(self) -> int:
        """Supervise until done; the exit code for the whole bot."""
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)}
        try:
            code, ready = self._start()
            if not ready:
                return self._stopped(code) if self.stopping else code
            while True:
                assert self.child is not None  # started and ready
                code = self.child.wait()
                if self.stopping or code == 0:
                    return self._stopped(code)
                log.error("the bot stopped unexpectedly (%s); starting it again", _how_it_ended(code))
                gave_up = self._restart()
                if gave_up is not None:
                    return gave_up
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if self.child is not None and self.child.poll() is None:
                self.child.kill()
                self.child.wait()

    def _restart(self) -> int | None:
        """Start the bot again: None once it is ready, or the exit code when giving up. While the
        Bot API cannot be reached (exit 5), it keeps trying, up to a minute apart: an outage should
        not leave the bot down for good. Other failed starts give up after FAILED_STARTS."""
        failed = unreachable = 0
        while not self.stopping:
            now = self.clock()
            if len(self.restarts) == self.restarts.maxlen and now - self.restarts[0] < 60:
                log.error("the bot keeps stopping (%s times in a minute); giving up", RESTARTS_PER_MINUTE + 1)
                return EXIT_GAVE_UP
            code, ready = self._start()
            if ready:
                self.restarts.append(now)
                return None
            if self.stopping:
                break  # type: ignore[unreachable]  # mypy misses that _start's wait lets a signal set `stopping`
            if code == EXIT_UNREACHABLE:
                unreachable += 1
                pause = min(UNREACHABLE_PAUSE, self.retry_pause * 2 ** min(unreachable, 8))
                log.error("the bot cannot reach the Bot API; trying again in %.1f s", pause)
            else:
                self.restarts.append(now)
                failed += 1
                if failed == FAILED_STARTS:
                    log.error("the bot could not start again (%s), %s times in a row; giving up",
                              _how_it_ended(code), FAILED_STARTS)
                    return EXIT_GAVE_UP
                pause = self.retry_pause * failed
                log.error("the bot could not start again (%s); trying again in %.1f s", _how_it_ended(code), pause)
            self._pause(pause)
        return 0

    def _pause(self, seconds: float) -> None:
        """Wait, but no longer once told to stop."""
        deadline = time.monotonic() + seconds
        while not self.stopping and time.monotonic() < deadline:
            time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))

    @staticmethod
    def _stopped(code: int) -> int:
        """The exit code once told to stop: 0 when the bot stopped because it was told to."""
        return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code

    def _start(self) -> tuple[int, bool]:
        """Spawn the child and wait until it says it is ready: (exit code if it died, ready)."""
        read_end, write_end = os.pipe()
        try:
            self.child = subprocess.Popen(self.command, env={**os.environ, READY_FD: str(write_end)},
                                          pass_fds=(write_end,))
        except OSError as exc:  # no memory or processes left, say: a failed start like any other
            log.error("cannot start the bot: %s", exc)
            self.child = None
            os.close(read_end)
            return 1, False
        finally:
            os.close(write_end)
        try:
            if self.stopping:  # told to stop while it was being spawned
                self.child.terminate()
            line = self._read_ready(read_end)
        finally:
            os.close(read_end)
        if line == READY:
            return 0, True
        if self.child.poll() is None:
            self.child.kill()  # never said ready in time
        return self.child.wait(), False

    def _read_ready(self, fd: int) -> bytes:
        """What the child wrote before becoming ready or dying (EOF) or the time running out."""
        deadline = self.clock() + self.start_timeout
        got = b""
        while not got.endswith(b"\n"):
            left = deadline - self.clock()
            if left <= 0:
                return got
            readable, _, _ = select.select([fd], [], [], left)
            if not readable:
                continue
            chunk = os.read(fd, 64)
            if not chunk:
                return got  # the child died (or closed it) before saying ready
            got += chunk
        return got

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        """SIGTERM, SIGHUP or Ctrl-C: pass SIGTERM on to the bot, which finishes what it is doing and
        stops. A second one while it is stopping kills it."""
        again = self.stopping
        self.stopping = True
        if self.child is not None and self.child.returncode is None:
            if again:
                self.child.kill()
            else:
                self.child.send_signal(signal.SIGTERM)


def supervise(command: list[str], log_format: str = "text") -> int:
    """Run the bot under a supervisor (logging its restarts to stderr, as text or JSON lines like the bot's);
    the bot's exit code."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    code = Supervisor(command).run()
    return 128 - code if code < 0 else code  # killed by signal N: exit 128 + N, as a shell reports it
