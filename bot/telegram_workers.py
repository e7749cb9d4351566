"""The Telegram bot spread over processes: one poller and N workers, each chat owned by one worker.

The poller (`serve_with_workers`) long-polls the Bot API, keeps each batch in the storage's inbox,
and passes each update, as the raw JSON it came in, to the worker that owns its chat
(`bot.sharding.shard_of`), one line per update on that worker's stdin. It never parses an update
into PTB objects or runs the core, so it costs little per update. Each worker (`serve_worker`) is a whole TelegramShell
without an updater: it reads its lines, and answers, stores, sends, counts down and reminds for
its own chats exactly as the one-process bot does, all workers sharing one SQLite file.

One chat's updates always reach the same worker in the order Telegram sent them, so per-chat
order holds. A worker that dies is started again at once and given its latest updates once more
(those it had already handled are recognised in storage and skipped). When the poller is killed,
its workers are killed with it (Linux), or stop when their stdin closes. The poller puts every
fetched batch in the storage's inbox before asking for the next (which tells Telegram the batch
arrived), and a worker takes its chats' unhandled updates from there when it starts, so a kill at
any moment loses no update."""

from __future__ import annotations

import asyncio
import collections
import json
import logging
import os
import sys
import time
from dataclasses import dataclass, field
from typing import Any

from telegram import Update
from telegram.ext import Updater

from bot.settings import Settings
from bot.sharding import shard_of
from bot.storage import Received, Storage
# The same restart rules as the one-process bot's supervisor
from bot.supervisor import FAILED_STARTS, READY, RESTARTS_PER_MINUTE, RETRY_PAUSE, START_TIMEOUT
from bot.telegram_adapter import STARTUP_RETRIES, TelegramShell, _polling_error
from bot.telegram_http import AiohttpRequest, long_poll_request
from bot.telegram_updates import TolerantBot, keep_in_inbox, read_updates

log = logging.getLogger("crampbot.telegram")
REPLAY = 512  # latest updates per worker kept to hand again to a restarted worker
BUFFER_HIGH = 1 << 20  # bytes waiting in a worker's pipe before the poller waits for it to read


class WorkerFailed(Exception):
    """A worker could not start, or keeps dying."""


class RelayBot(TolerantBot):
    """The poller's bot: getUpdates as TolerantBot does it (kept, paused while busy), but the
    updates are handed on unparsed, as inbox items (PTB's Updater only reads their update_id)."""

    def _handed_on(self, raw: list[Any], received: list[Received]) -> tuple[Received, ...]:
        """Each update as raw JSON with its chat (one without an update_id is dropped)."""
        if len(received) < len(raw):
            log.warning("dropping %s update(s) without an update_id", len(raw) - len(received))
        return tuple(received)


def worker_command(index: int, count: int) -> list[str]:
    """How the poller starts worker `index` of `count`."""
    return [sys.executable, "-m", "bot", "telegram-worker", "--shard", str(index), "--of", str(count),
            "--parent", str(os.getpid())]


@dataclass
class Worker:
    """One worker process as the poller sees it: its pipe, and the updates lately routed to it."""

    index: int
    count: int
    process: asyncio.subprocess.Process | None = None
    ready: bool = False  # started and handed everything routed to it so far
    recent: collections.deque = field(default_factory=lambda: collections.deque(maxlen=REPLAY))
    restarts: collections.deque = field(default_factory=lambda: collections.deque(maxlen=RESTARTS_PER_MINUTE))

    async def start(self) -> None:
        """Spawn the process, wait until it says it is ready (its own start-up checks passed), then
        hand it the updates lately routed here (after a restart: those its predecessor may have
        died with; ones already handled are recognised in storage and skipped)."""
        self.ready = False
        self.process = await asyncio.create_subprocess_exec(
            *worker_command(self.index, self.count), stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE, stderr=None)
        assert self.process.stdout is not None and self.process.stdin is not None
        try:
            line = await asyncio.wait_for(self.process.stdout.readline(), START_TIMEOUT)
        except TimeoutError:
            line = b""
        if line != READY:
            if self.process.returncode is None:
                self.process.kill()
            code = await self.process.wait()
            raise WorkerFailed(f"worker {self.index} of {self.count} did not start (exit code {code})")
        for old in self.recent:
            self.process.stdin.write(old)
        self.ready = True

    def _pipe(self) -> asyncio.StreamWriter | None:
        """The worker's stdin while it is ready and alive."""
        pipe = self.process.stdin if self.process and self.ready else None
        return pipe if pipe is not None and not pipe.is_closing() else None

    def send(self, line: bytes) -> None:
        """Pass one update line to the worker (kept to hand again if the worker dies)."""
        self.recent.append(line)
        if pipe := self._pipe():
            pipe.write(line)

    async def keep_up(self) -> None:
        """Wait while the worker is far behind reading its pipe."""
        pipe = self._pipe()
        if pipe is not None and pipe.transport.get_write_buffer_size() > BUFFER_HIGH:
            try:
                await pipe.drain()
            except ConnectionError:
                pass  # it died: the watcher starts it again and hands it these updates

    async def restart(self) -> None:
        """Start a dead worker again, unless it keeps dying. A start that fails (killed by the
        system while starting, say) is tried again after a short wait; FAILED_STARTS in a row,
        however slowly they fail, mean it cannot start: its chats would go unanswered, so the bot
        stops (WorkerFailed) rather than look alive."""
        for attempt in range(1, FAILED_STARTS + 1):
            self.ready = False
            now = time.monotonic()
            if len(self.restarts) == self.restarts.maxlen and now - self.restarts[0] < 60:
                raise WorkerFailed(f"worker {self.index} of {self.count} keeps stopping; giving up")
            self.restarts.append(now)
            try:
                await self.start()
                return
            except WorkerFailed as exc:
                if attempt == FAILED_STARTS:
                    raise WorkerFailed(f"{exc}, {FAILED_STARTS} times in a row; giving up") from None
                log.error("%s; trying again in %.1f s", exc, RETRY_PAUSE * attempt)
                await asyncio.sleep(RETRY_PAUSE * attempt)

    async def stop(self, timeout: float = 20.0) -> None:
        """Close its stdin (it finishes what it has and exits), then wait; kill it if it hangs."""
        self.ready = False
        if self.process is None or self.process.returncode is not None:
            return
        assert self.process.stdin is not None
        self.process.stdin.close()
        try:
            await asyncio.wait_for(self.process.wait(), timeout)
        except TimeoutError:
            log.warning("worker %s did not stop in %.0f s; killing it", self.index, timeout)
            self.process.kill()
            await self.process.wait()


class WorkerPool:
    """The poller's workers: route each raw update to its chat's worker; restart any that dies."""

    def __init__(self, count: int):
        self.workers = [Worker(i, count) for i in range(count)]
        self.stopping = False
        self.failed: asyncio.Future | None = None
        self._watchers: list[asyncio.Task] = []

    async def start(self) -> None:
        """Start every worker at once and wait for all of them (any failure stops them all)."""
        self.failed = asyncio.get_running_loop().create_future()
        results = await asyncio.gather(*(w.start() for w in self.workers), return_exceptions=True)
        problem = next((r for r in results if isinstance(r, BaseException)), None)
        if problem is not None:
            await self.stop()
            raise problem
        self._watchers = [asyncio.create_task(self._watch(w)) for w in self.workers]

    def route(self, update: Received) -> Worker:
        """Pass one update to the worker owning its chat (updates without a chat: worker 0)."""
        chat = update.chat_id
        worker = self.workers[0 if chat is None else shard_of(chat, len(self.workers))]
        worker.send(update.raw_json.encode("utf-8") + b"\n")
        return worker

    async def _watch(self, worker: Worker) -> None:
        while not self.stopping:
            assert worker.process is not None
            code = await worker.process.wait()
            if self.stopping:
                return
            log.error("worker %s stopped unexpectedly (exit code %s); starting it again", worker.index, code)
            try:
                await worker.restart()
            except (WorkerFailed, OSError) as exc:
                if self.failed and not self.failed.done():
                    self.failed.set_exception(exc)
                return

    async def stop(self) -> None:
        """Let every worker finish and exit."""
        self.stopping = True
        for task in self._watchers:
            task.cancel()
        await asyncio.gather(*(w.stop() for w in self.workers), return_exceptions=True)


async def relay(queue: asyncio.Queue, pool: WorkerPool) -> None:
    """Move updates from the Updater's queue to the workers, waiting when one falls far behind."""
    while True:
        update = await queue.get()
        await pool.route(update).keep_up()
        queue.task_done()


async def serve_with_workers(settings: Settings, storage: Storage, count: int, stop: asyncio.Event) -> None:
    """The poller: check the token (getMe), start the workers, poll and relay until `stop` is set
    or a worker keeps failing (WorkerFailed). Each fetched batch goes to the inbox in `storage`
    first, so nothing Telegram counts as delivered is lost if a worker or the poller is killed."""
    assert settings.telegram_token
    bot = RelayBot(settings.telegram_token, base_url=settings.base_url,
                   request=AiohttpRequest(connection_pool_size=2, connect_timeout=5, read_timeout=10),
                   get_updates_request=long_poll_request())
    bot.keep_fetched(lambda received: keep_in_inbox(storage, received))
    queue: asyncio.Queue = asyncio.Queue()
    updater = Updater(bot, queue)
    pool = WorkerPool(count)
    async with updater:  # getMe: a wrong token fails here, before any worker starts
        await pool.start()
        relaying = asyncio.create_task(relay(queue, pool))
        try:
            await updater.start_polling(allowed_updates=Update.ALL_TYPES, bootstrap_retries=STARTUP_RETRIES,
                                        error_callback=_polling_error)
            assert pool.failed is not None
            stopped = asyncio.create_task(stop.wait())
            await asyncio.wait({stopped, pool.failed}, return_when=asyncio.FIRST_COMPLETED)
            stopped.cancel()
            if pool.failed.done():
                pool.failed.result()  # raises WorkerFailed
        finally:
            if updater.running:
                await updater.stop()
            if not relaying.done():
                await queue.join()  # every update fetched has gone to its worker
            relaying.cancel()
            await pool.stop()


async def serve_worker(shell: TelegramShell, stop: asyncio.Event, out=sys.stdout.buffer) -> None:
    """A worker: serve the updates read from stdin (one JSON object a line) until stdin closes or
    `stop` is set; say "ready" on stdout once started."""
    app = shell.build(polling=False)
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=1 << 24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    async with app:
        await shell.started(app)
        await app.start()
        out.write(READY)
        out.flush()

        async def read() -> None:
            """Each line from the poller into the Application's queue, in order."""
            while line := await reader.readline():
                try:
                    item = json.loads(line)
                except ValueError:
                    log.warning("worker got a line that is not JSON; skipping it")
                    continue
                for update in read_updates([item], app.bot):
                    await app.update_queue.put(update)

        reading = asyncio.create_task(read())
        stopped = asyncio.create_task(stop.wait())
        try:
            await asyncio.wait({reading, stopped}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            reading.cancel()
            stopped.cancel()
            await app.stop()
