"""PTB's HTTP requests made with aiohttp instead of httpx. python-telegram-bot lets a bot bring its
own `BaseRequest`; PTB still builds every call, reads every answer and raises its own errors (retry
after, bad request, forbidden...), this only moves the bytes. httpx and httpcore took more than
half of the bot's CPU time under load (a pure-Python HTTP parser, and a pool that checks every
connection on every request); aiohttp parses HTTP in C (bench/run.py measures both)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import aiohttp
from telegram._utils.defaultvalue import DefaultValue
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class AiohttpRequest(BaseRequest):
    """A pool of up to `connection_pool_size` keep-alive connections, with PTB's four timeouts:
    waiting for a free connection plus connecting, writing and reading (the whole call is bounded
    by their sum, as aiohttp has no timeout for writing alone)."""

    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0) -> None:
        self.pool_size = connection_pool_size
        self._timeouts = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (PTB adds the long-poll time to it for getUpdates)."""
        return self._timeouts["read"]

    def _open(self) -> aiohttp.ClientSession:
        """The session, (re)made on the running event loop when there is none or it was closed."""
        if self._session is None or self._session.closed:
            headers = {"User-Agent": self.USER_AGENT}
            connector = aiohttp.TCPConnector(limit=self.pool_size, limit_per_host=0)
            self._session = aiohttp.ClientSession(connector=connector, headers=headers, trust_env=False)
        return self._session

    async def initialize(self) -> None:
        """Open the connection pool."""
        self._open()

    async def shutdown(self) -> None:
        """Close the connection pool (a later request opens a new one)."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def _timeout(self, read: Any, write: Any, connect: Any, pool: Any, files: bool) -> aiohttp.ClientTimeout:
        """PTB's timeouts for one call (its defaults where the call leaves them unset)."""
        given = {"read": read, "write": write, "connect": connect, "pool": pool}
        seconds = {k: self._timeouts[k] if isinstance(v, DefaultValue) else v for k, v in given.items()}
        if files and isinstance(write, DefaultValue):
            seconds["write"] = max(20.0, seconds["write"] or 0.0)  # as PTB's media_write_timeout
        waiting = None if seconds["pool"] is None or seconds["connect"] is None else \
            seconds["pool"] + seconds["connect"]
        total = None if None in seconds.values() else sum(seconds.values())
        return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=seconds["connect"],
                                     sock_read=seconds["read"])

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE, write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """Send one call; its HTTP status and body (PTB turns them into a result or an error)."""
        files = request_data.multipart_data if request_data else None
        fields = request_data.json_parameters if request_data else {}
        headers = None
        if files:
            body: Any = aiohttp.FormData(fields)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        else:
            body, headers = urlencode(fields).encode(), FORM
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, bool(files))
        try:
            async with self._open().request(method, url, data=body, headers=headers, timeout=timeout) as response:
                return response.status, await response.read()
        except TimeoutError as err:  # aiohttp raises its connect and read timeouts as TimeoutErrors
            raise TimedOut from err
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {err}") from err
