"""PTB's HTTP requests made with aiohttp instead of httpx. python-telegram-bot lets a bot bring its
own `BaseRequest`; PTB still builds every call, reads every answer and raises its own errors (retry
after, bad request, forbidden...), this only moves the bytes. httpx and httpcore took more than
half of the bot's CPU time under load (a pure-Python HTTP parser, and a pool that checks every
connection on every request); aiohttp parses HTTP in C (bench/run.py measures both)."""

from __future__ import annotations

import asyncio
import json
import re
import warnings
from typing import Any

import aiohttp
from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

JSON = {"Content-Type": "application/json"}
TOKEN_IN_URL = re.compile(r"/bot[^/\s'\"]+")  # Bot API paths are /bot<token>/<method>
SHORTEST = 0.001  # aiohttp reads a timeout of 0 as "none"; PTB's 0 means "do not wait"
NOT_SENT = "Timed out waiting for a free connection or connecting: the request was not sent to Telegram"


def without_token(text: str) -> str:
    """The text with the token part of any Bot API URL in it replaced."""
    return TOKEN_IN_URL.sub("/bot[redacted]", text)


def client_timeout(read: float | None, write: float | None, connect: float | None,
                   pool: float | None) -> aiohttp.ClientTimeout:
    """PTB's four timeouts (None: no limit) as aiohttp's: waiting for a free connection and
    connecting together, connecting alone, and reading; aiohttp cannot time writing alone, so the
    whole call is bounded by the sum of all four (no bound when one of them has none)."""
    read, write, connect, pool = (None if s is None else max(SHORTEST, s) for s in (read, write, connect, pool))
    waiting = None if pool is None or connect is None else pool + connect
    total = None if read is None or write is None or connect is None or pool is None else read + write + connect + pool
    return aiohttp.ClientTimeout(total=total, connect=waiting, sock_connect=connect, sock_read=read)


class AiohttpRequest(BaseRequest):
    """A pool of up to `connection_pool_size` keep-alive connections with PTB's timeouts (see
    client_timeout). Like PTB's own request it must be initialized before use; a proxy set in the
    environment (HTTPS_PROXY, NO_PROXY...) is used, looked up once per server."""

    def __init__(self, connection_pool_size: int = 1, read_timeout: float | None = 5.0,
                 write_timeout: float | None = 5.0, connect_timeout: float | None = 5.0,
                 pool_timeout: float | None = 1.0) -> None:
        self.pool_size = connection_pool_size
        self._timeouts = {"read": read_timeout, "write": write_timeout, "connect": connect_timeout,
                          "pool": pool_timeout}
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._proxies: dict[str, tuple[URL | None, aiohttp.BasicAuth | None]] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds (PTB adds the long-poll time to it for getUpdates)."""
        return self._timeouts["read"]

    async def initialize(self) -> None:
        """Open the connection pool on the running event loop (again, if it was closed or made on
        another loop)."""
        loop = asyncio.get_running_loop()
        if self._session is not None and not self._session.closed and self._loop is loop:
            return
        connector = aiohttp.TCPConnector(limit=self.pool_size, limit_per_host=0)
        self._session = aiohttp.ClientSession(connector=connector, headers={"User-Agent": self.USER_AGENT},
                                              cookie_jar=aiohttp.DummyCookieJar())
        self._loop = loop

    async def shutdown(self) -> None:
        """Close the connection pool; the request can be initialized again."""
        if self._session is not None and not self._session.closed and self._loop is asyncio.get_running_loop():
            await self._session.close()
        self._session = None

    def _proxy(self, url: str) -> tuple[URL | None, aiohttp.BasicAuth | None]:
        """The environment's proxy for this URL's server and its login, if any (looked up once
        per server, not on every call as aiohttp's trust_env would)."""
        server = url.split("/bot", 1)[0]
        if server not in self._proxies:
            try:
                self._proxies[server] = aiohttp.helpers.get_env_proxy_for_url(URL(server))
            except LookupError:
                self._proxies[server] = (None, None)
        return self._proxies[server]

    def _timeout(self, read: Any, write: Any, connect: Any, pool: Any, files: bool) -> aiohttp.ClientTimeout:
        """PTB's timeouts for one call, its defaults where the call leaves them unset (PTB passes
        BaseRequest.DEFAULT_NONE for "not set"; None means "no limit")."""
        given = {"read": read, "write": write, "connect": connect, "pool": pool}
        seconds = {k: self._timeouts[k] if v is BaseRequest.DEFAULT_NONE else v for k, v in given.items()}
        if files and write is BaseRequest.DEFAULT_NONE and seconds["write"] is not None:
            seconds["write"] = max(20.0, seconds["write"])  # as PTB's media_write_timeout
        return client_timeout(seconds["read"], seconds["write"], seconds["connect"], seconds["pool"])

    async def do_request(self, url: str, method: str, request_data: RequestData | None = None,
                         read_timeout: Any = BaseRequest.DEFAULT_NONE, write_timeout: Any = BaseRequest.DEFAULT_NONE,
                         connect_timeout: Any = BaseRequest.DEFAULT_NONE,
                         pool_timeout: Any = BaseRequest.DEFAULT_NONE) -> tuple[int, bytes]:
        """Send one call; its HTTP status and body (PTB turns them into a result or an error).
        Errors never carry the token: timeouts and network errors are raised without the
        aiohttp error (whose text holds the URL) attached."""
        if self._session is None or self._session.closed or self._loop is not asyncio.get_running_loop():
            raise RuntimeError("This AiohttpRequest is not initialized (on this event loop)!")
        files = request_data.multipart_data if request_data is not None else None
        headers = None
        body: aiohttp.FormData | bytes = b""
        if request_data is not None and files:  # file contents as bytes (the bot never passes open files)
            body = aiohttp.FormData(request_data.json_parameters, quote_fields=False)
            for name, (filename, content, mimetype) in files.items():
                body.add_field(name, content, filename=filename, content_type=mimetype)
        elif request_data is not None and (fields := request_data.parameters):
            # JSON, which the Bot API takes for every call without a file: about a tenth of the CPU
            # time of the form encoding PTB's own request uses, for a long reply
            body, headers = json.dumps(fields, ensure_ascii=False).encode(), JSON
        timeout = self._timeout(read_timeout, write_timeout, connect_timeout, pool_timeout, bool(files))
        proxy, proxy_auth = self._proxy(url)
        try:
            async with self._session.request(method, url, data=body, headers=headers, timeout=timeout, proxy=proxy,
                                             proxy_auth=proxy_auth, allow_redirects=False) as response:
                return response.status, await response.read()
        except aiohttp.ConnectionTimeoutError:
            raise TimedOut(NOT_SENT) from None
        except TimeoutError:  # reading (or the whole call) took too long
            raise TimedOut from None
        except aiohttp.ClientError as err:
            raise NetworkError(f"aiohttp.{err.__class__.__name__}: {without_token(str(err))}") from None


def retry_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked us to wait after a 429, in seconds (plus a little margin)."""
    with warnings.catch_warnings():  # PTB 22 warns that the type will become timedelta
        warnings.simplefilter("ignore")
        wait = exc.retry_after
    return (wait.total_seconds() if hasattr(wait, "total_seconds") else float(wait)) + 0.1


def long_poll_request() -> AiohttpRequest:
    """The request getUpdates goes through: two connections, and 30 s beyond the long poll to read."""
    return AiohttpRequest(connection_pool_size=2, connect_timeout=5, read_timeout=30)


def sending_request(connections: int, timeout: float = 10.0) -> AiohttpRequest:
    """The request replies go through: `connections` keep-alive connections, 5 s to connect,
    `timeout` to write and to read, 10 s to wait for a free connection."""
    return AiohttpRequest(connection_pool_size=connections, connect_timeout=5, read_timeout=timeout,
                          write_timeout=timeout, pool_timeout=10)
