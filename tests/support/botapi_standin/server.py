"""The stand-in itself: a Bot API server on 127.0.0.1 that answers CrampBot's calls, keeps every chat, and
acts as the users (see the package docstring)."""

from __future__ import annotations

import copy
import itertools
import json
import mimetypes
import re
import socket
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from tests.support.botapi_standin.faults import Fault, FaultPlan
from tests.support.botapi_standin.model import (
    BLOCKED_BY_USER,
    BOT_COMMAND_NAME_RE,
    BOT_FIRST_NAME,
    BOT_USERNAME,
    COMMAND_RE,
    DEFAULT_BOT_ID,
    DEFAULT_GROUP_USER_ID,
    DEFAULT_UPDATE_TYPES,
    INLINE_BUTTON_ACTIONS,
    KICKED_FROM_GROUP,
    KNOWN_UPDATE_TYPES,
    MAX_CALLBACK_ANSWER,
    MAX_CALLBACK_DATA,
    MAX_CAPTION,
    MAX_TEXT,
    NOT_MODIFIED,
    QUERY_TOO_OLD,
    SECRET_TOKEN_RE,
    ApiError,
    BotMessage,
    Call,
    ChatState,
    Edit,
    UploadedFile,
    WaitTimeout,
    bad,
    plain_text,
    utf16_len,
)
from tests.support.botapi_standin.wire import (
    ClientGone,
    Handler,
    Server,
    norm_chat_id,
    norm_markup,
    parse_request,
    peer_closed,
    read_body,
    update_type,
    write_answer,
)


class BotApiStandIn:
    """A Telegram Bot API server on 127.0.0.1 for tests (see the package docstring).

    Options:
      reject_token: every call answers 401 Unauthorized (PTB raises InvalidToken).
      privacy_mode: like a real bot with privacy mode on (getMe says can_read_all_group_messages
        false), group messages reach the bot only when they are commands, mention
        @crampbot_test_bot or reply to the bot; others are not queued (see ``privacy_filtered``).
      require_https_webhook: setWebhook refuses non-HTTPS URLs, as Telegram does.
    A chat the bot sends to before any user wrote from it is created, as a private chat for a
    positive id. After setWebhook, queued updates are POSTed to the webhook URL.
    """

    def __init__(
        self,
        *,
        reject_token: bool = False,
        privacy_mode: bool = True,
        require_https_webhook: bool = False,
        host: str = "127.0.0.1",
        webhook_connections: int = 1,
    ) -> None:
        self.reject_token = reject_token
        #: How many updates are POSTed to a webhook at once (Telegram's setWebhook max_connections); each
        #: chat's updates still go one at a time, in order.
        self.webhook_connections = webhook_connections
        self.privacy_mode = privacy_mode
        self.require_https_webhook = require_https_webhook
        self.host = host
        #: Tracebacks of bugs inside the stand-in (answered as 500); tests can assert it is empty.
        self.internal_errors: list[str] = []

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._chat_waiters: dict[Any, list] = {}
        self._stop_event = threading.Event()
        self._server: Server | None = None
        self._thread: threading.Thread | None = None
        self._webhook_threads: list[threading.Thread] = []
        self._webhook_inflight: set[Any] = set()  # chats with an update being POSTed to the webhook
        self._connections: set[socket.socket] = set()

        self._token: str | None = None
        self._tokens: list[str] = []
        self._calls: list[Call] = []
        self._chats: dict[int | str, ChatState] = {}
        self._updates: list[dict] = []
        self._update_ids = itertools.count(100_000_001)
        self._delivered: dict[int, float] = {}
        self._privacy_filtered: set[int] = set()
        self._allowed_updates: frozenset[str] = DEFAULT_UPDATE_TYPES
        self._poll_generation = 0
        self._polling = 0
        self._webhook: dict[str, Any] = {}
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._descriptions: dict[str, dict[str, str]] = {"description": {}, "short_description": {}}
        self._chat_actions: list[tuple[int | str, str]] = []
        self._queries: dict[str, dict] = {}
        self._query_ids = itertools.count(4_123_456_789_000_001)
        self._file_ids = itertools.count(1)
        self._files: dict[str, dict] = {}
        self._faults = FaultPlan()
        self._inflight: dict[Any, int] = defaultdict(int)
        self._last_activity: dict[Any, float] = {}

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> BotApiStandIn:
        """Start serving in a background thread; returns self."""
        if self._server is not None:
            return self
        self._stop_event.clear()
        server = Server((self.host, 0), Handler)
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="botapi-standin", daemon=True)
        self._thread.start()
        self._webhook_threads = [threading.Thread(target=self._webhook_loop, name=f"botapi-standin-webhook-{n}",
                                                  daemon=True) for n in range(self.webhook_connections)]
        for thread in self._webhook_threads:
            thread.start()
        return self

    def stop(self) -> None:
        """Stop serving: wake long polls, close every connection, join the threads."""
        server = self._server
        if server is None:
            return
        self._stop_event.set()
        with self._cond:
            self._cond.notify_all()
        server.shutdown()
        server.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        for thread in (self._thread, *self._webhook_threads):
            if thread is not None:
                thread.join(timeout=5)
        self._server = None

    def __enter__(self) -> BotApiStandIn:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        """The TCP port the server listens on."""
        if self._server is None:
            raise RuntimeError("BotApiStandIn is not started")
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/bot``: give it to PTB as ``base_url``."""
        return f"http://{self.host}:{self.port}/bot"

    @property
    def token(self) -> str | None:
        """The token of the most recent call (None before any call)."""
        with self._lock:
            return self._token

    @property
    def tokens(self) -> list[str]:
        """Every distinct token seen, in order of first use."""
        with self._lock:
            return list(self._tokens)

    @property
    def bot_id(self) -> int:
        """The bot's user id: the number before ':' in the token, as on Telegram."""
        with self._lock:
            token = self._token or ""
        prefix = token.split(":", 1)[0]
        return int(prefix) if prefix.isdigit() else DEFAULT_BOT_ID

    def bot_user(self) -> dict:
        """The bot as a User object (``from`` of its messages)."""
        return {"id": self.bot_id, "is_bot": True, "first_name": BOT_FIRST_NAME, "username": BOT_USERNAME}

    @staticmethod
    def now() -> float:
        """The clock used for ``Call.time`` (``time.monotonic()``), e.g. for ``since=``."""
        return time.monotonic()

    # ---- HTTP entry point --------------------------------------------------------------------

    def track_connection(self, conn: socket.socket, alive: bool) -> None:
        """Keep the open connections (called by the HTTP server), to close them when stopping."""
        with self._lock:
            if alive:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def serve_request(self, handler: Handler) -> None:
        """Answer one Bot API request (called by the HTTP server for each)."""
        started = time.monotonic()
        url = urllib.parse.urlsplit(handler.path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z0-9_]+)/?", url.path)
        if not match:
            write_answer(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, raw_method = match.groups()
        method = _CANONICAL.get(raw_method.lower(), raw_method)
        try:
            params = parse_request(handler.headers.get("Content-Type", ""), read_body(handler), url.query)
        except Exception:  # noqa: BLE001 - a malformed body is the client's problem
            params = None

        with self._cond:
            if token not in self._tokens:
                self._tokens.append(token)
            self._token = token
            chat = self._chat_of(method, params or {})
            self._inflight[chat] += 1
            self._last_activity[chat] = started
            fault = None if (self.reject_token or params is None) else self._faults.take(method, chat)
            self._cond.notify_all()

        status, payload = 0, None
        try:
            if fault is not None and fault.kind == "delay" and self._sleep_unless_gone(handler, fault.delay):
                raise ClientGone
            with self._cond:
                try:
                    if self.reject_token:
                        raise ApiError(401, "Unauthorized")
                    if params is None:
                        raise bad("can't parse request body")
                    if fault is not None and fault.kind == "error":
                        raise fault.error()
                    func = _METHODS.get(method)
                    if func is None:
                        raise ApiError(404, "Not Found: method not found")
                    outcome = func(self, params, handler)
                    result, description = outcome if isinstance(outcome, tuple) else (outcome, None)
                    status = 200
                    payload = {"ok": True, "result": result}
                    if description:
                        payload["description"] = description
                except ApiError as exc:
                    status, payload = exc.status, exc.payload()
                    fault_label = exc.fault or ("delay" if fault is not None else None)
                except ClientGone:
                    raise
                except Exception:  # noqa: BLE001 - a bug in the stand-in: answer 500, keep the trace
                    self.internal_errors.append(traceback.format_exc())
                    status = 500
                    payload = {"ok": False, "error_code": 500, "description": "Internal Server Error: stand-in bug"}
                    fault_label = None
                else:
                    fault_label = "delay" if fault is not None else None
                self._record(method, params or {}, status, token, chat, started, payload, fault_label)
        except ClientGone:
            with self._cond:
                self._record(method, params or {}, 0, token, chat, started, None,
                             "timeout" if fault is not None else None)
            handler.close_connection = True
            return
        finally:
            with self._cond:
                self._inflight[chat] -= 1
                self._last_activity[chat] = time.monotonic()
                self._cond.notify_all()

        written = write_answer(handler, status, payload)
        if written and method == "getUpdates" and status == 200:
            with self._cond:
                stamp = time.monotonic()
                for update in payload["result"]:
                    if isinstance(update, dict):
                        self._delivered.setdefault(update.get("update_id"), stamp)
                self._cond.notify_all()

    def _sleep_unless_gone(self, handler: Handler, seconds: float) -> bool:
        """Sleep ``seconds``; return True early if the client hung up (or the server stops)."""
        deadline = time.monotonic() + seconds
        while True:
            if peer_closed(handler.connection) or self._stop_event.is_set():
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self._stop_event.wait(min(0.02, remaining))

    def _record(self, method: str, params: dict, status: int, token: str, chat: Any,
                started: float, payload: dict | None, fault: str | None) -> Call:
        description = None
        result = None
        if payload is not None:
            if payload.get("ok"):
                result = payload.get("result")
            else:
                description = payload.get("description")
        call = Call(method, copy.deepcopy(params), time.monotonic(), status, seq=len(self._calls),
                    token=token, chat_id=chat, started=started, result=copy.deepcopy(result),
                    description=description, fault=fault)
        self._calls.append(call)
        self._cond.notify_all()
        if status == 200 and method in ("sendMessage", "sendPhoto", "sendDocument") and chat is not None:
            waiter = self._chat_waiters.setdefault(chat, [0, threading.Condition(threading.Lock())])
            with waiter[1]:
                waiter[0] += 1
                waiter[1].notify_all()
        return call

    def sent_count(self, chat_id: int | str) -> int:
        """How many messages the bot has sent to this chat (cheap; for load tests)."""
        waiter = self._chat_waiters.get(norm_chat_id(chat_id))
        return waiter[0] if waiter else 0

    def wait_sent(self, chat_id: int | str, count: int, timeout: float = 30.0) -> bool:
        """Block until the bot has sent at least `count` messages to this chat, waking only for this
        chat (load tests with many users); False on timeout."""
        chat = norm_chat_id(chat_id)
        with self._lock:
            waiter = self._chat_waiters.setdefault(chat, [0, threading.Condition(threading.Lock())])
        with waiter[1]:
            return waiter[1].wait_for(lambda: waiter[0] >= count, timeout)

    def _chat_of(self, method: str, params: dict) -> Any:
        if method == "answerCallbackQuery":
            query = self._queries.get(str(params.get("callback_query_id")))
            return query["chat_id"] if query else None
        return norm_chat_id(params.get("chat_id"))

    # ---- faults ------------------------------------------------------------------------------

    def fail(self, method: str, times: int = 1, status: int = 500, retry_after: int | None = None,
             delay: float | None = None, *, chat_id: int | str | None = None,
             description: str | None = None) -> None:
        """Make the next ``times`` calls of ``method`` (to ``chat_id`` only, if given) fail.

        Without ``delay``: answer HTTP ``status`` with the Telegram error envelope; a 429 carries
        ``parameters.retry_after`` (``retry_after`` alone implies 429; default 1 s).
        With ``delay``: wait ``delay`` seconds before answering normally, so a client with a
        shorter read timeout times out. If the client hangs up meanwhile, nothing is applied and
        the call is recorded with http_status 0 and fault "timeout".
        A faulted call never changes state."""
        if delay is not None:
            fault = Fault("delay", delay=delay, chat_id=norm_chat_id(chat_id), remaining=times)
        else:
            if retry_after is not None and status == 500:
                status = 429
            if status == 429 and retry_after is None:
                retry_after = 1
            fault = Fault("error", status=status, retry_after=retry_after, description=description,
                           chat_id=norm_chat_id(chat_id), remaining=times)
        with self._lock:
            self._faults.add(_CANONICAL.get(method.lower(), method), fault)

    def fail_ratio(self, share: float, kinds: Iterable[str] = ("500", "429", "timeout"), seed: int | None = None,
                   *, methods: Iterable[str] | None = None, exclude: Iterable[str] = ("getUpdates",),
                   retry_after: int = 1, delay: float = 6.0) -> None:
        """Make a random ``share`` (0..1) of calls fail with one of ``kinds``: an HTTP status as a
        string ("500", "502", "429", ...) or "timeout" (answer after ``delay`` seconds, which
        should exceed the client's read timeout). ``methods`` limits it to those methods;
        ``exclude`` (getUpdates by default) is never faulted. ``share=0`` switches it off.
        Explicit ``fail`` faults are used first. Faulted calls never change state."""
        kinds = tuple(kinds)
        for kind in kinds:
            if kind != "timeout" and not kind.isdigit():
                raise ValueError(f"unknown fault kind {kind!r}")
        with self._lock:
            self._faults.set_random(share, kinds, seed, frozenset(methods) if methods is not None else None,
                                    frozenset(exclude), retry_after, delay)

    def clear_faults(self) -> None:
        """Forget every pending fault and switch ``fail_ratio`` off."""
        with self._lock:
            self._faults.clear()

    # ---- recorded calls and waiting ----------------------------------------------------------

    def calls(self, method: str | None = None, chat_id: int | str | None = None,
              since: float | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally only of ``method``, to ``chat_id`` and
        answered at or after ``since`` (a ``now()`` value)."""
        chat = norm_chat_id(chat_id)
        with self._lock:
            return [c for c in self._calls
                    if (method is None or c.method == method)
                    and (chat_id is None or c.chat_id == chat)
                    and (since is None or c.time >= since)]

    @property
    def call_count(self) -> int:
        """Number of calls recorded so far (the ``seq`` the next call will get)."""
        with self._lock:
            return len(self._calls)

    def calls_after(self, seq: int) -> list[Call]:
        """Calls with ``seq >= seq``."""
        with self._lock:
            return self._calls[seq:]

    def wait_for(self, predicate: Callable[[], Any], timeout: float = 10, message: str | None = None) -> Any:
        """Wait until ``predicate()`` is truthy and return its value; re-checked on every
        recorded call or queued update (and every 50 ms). Raises WaitTimeout (an
        AssertionError) after ``timeout`` seconds. The predicate runs under the stand-in's lock:
        keep it quick and free of I/O (it may call the stand-in's own methods)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    what = message or getattr(predicate, "__name__", "condition")
                    recent = "\n  ".join(str(c) for c in self._calls[-12:]) or "(none)"
                    raise WaitTimeout(f"timed out after {timeout}s waiting for {what}; last calls:\n  {recent}")
                self._cond.wait(min(remaining, 0.05))

    def wait_calls(self, method: str, chat_id: int | str | None = None, count: int = 1,
                   since: float | None = None, timeout: float = 10, ok: bool | None = None) -> list[Call]:
        """Wait until at least ``count`` calls of ``method`` (to ``chat_id``, answered at or after
        ``since``; only successful ones if ``ok`` is True, only failed ones if False) were
        recorded; return all of them."""

        def enough() -> list[Call] | None:
            found = [c for c in self.calls(method, chat_id, since) if ok is None or c.ok == ok]
            return found if len(found) >= count else None

        return self.wait_for(enough, timeout, f"{count} x {method} (chat {chat_id})")

    def last_activity(self, chat_id: int | str | None) -> float | None:
        """When a call for this chat last arrived or was answered (``now()`` clock)."""
        with self._lock:
            return self._last_activity.get(norm_chat_id(chat_id))

    def busy(self, chat_id: int | str | None) -> bool:
        """True while a call for this chat is being answered."""
        with self._lock:
            return self._inflight.get(norm_chat_id(chat_id), 0) > 0

    def is_quiet(self, chat_id: int | str | None, seconds: float) -> bool:
        """True when no call for this chat is in flight and none arrived for ``seconds``."""
        with self._lock:
            if self.busy(chat_id):
                return False
            last = self.last_activity(chat_id)
            return last is None or time.monotonic() - last >= seconds

    @property
    def polling(self) -> int:
        """Number of getUpdates long polls currently waiting."""
        with self._lock:
            return self._polling

    # ---- chats and messages ------------------------------------------------------------------

    def _ensure_chat(self, chat_id: Any, chat_type: str | None = None, first_name: str = "Test",
                     title: str | None = None) -> ChatState:
        state = self._chats.get(chat_id)
        if state is not None:
            return state
        if chat_type is None:
            if isinstance(chat_id, int) and chat_id < 0:
                chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
            elif isinstance(chat_id, str):
                chat_type = "channel"
            else:
                chat_type = "private"
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = first_name
        else:
            chat["title"] = title or "Test group"
        state = ChatState(chat=chat)
        self._chats[chat_id] = state
        return state

    def chat(self, chat_id: int | str) -> ChatState | None:
        """A snapshot of one chat's state (None if unknown)."""
        with self._lock:
            state = self._chats.get(norm_chat_id(chat_id))
            return copy.deepcopy(state) if state else None

    def messages(self, chat_id: int | str) -> list[BotMessage]:
        """Snapshots of the bot's messages in this chat, oldest first."""
        with self._lock:
            state = self._chats.get(norm_chat_id(chat_id))
            if state is None:
                return []
            return [copy.deepcopy(m) for m in state.bot_messages.values()]

    def message(self, chat_id: int | str, message_id: int) -> BotMessage | None:
        """A snapshot of one bot message, or None."""
        with self._lock:
            state = self._chats.get(norm_chat_id(chat_id))
            msg = state.bot_messages.get(int(message_id)) if state else None
            return copy.deepcopy(msg) if msg else None

    def last_message(self, chat_id: int | str) -> BotMessage | None:
        """The newest bot message in this chat, or None."""
        found = self.messages(chat_id)
        return found[-1] if found else None

    def screen(self, chat_id: int | str) -> list[str | None]:
        """What the user sees now: the content of every bot message, oldest first."""
        return [m.content for m in self.messages(chat_id)]

    def user_messages(self, chat_id: int | str) -> list[dict]:
        """Messages the test users sent in this chat (as Message dicts), oldest first."""
        with self._lock:
            state = self._chats.get(norm_chat_id(chat_id))
            return copy.deepcopy(list(state.user_messages.values())) if state else []

    def block(self, chat_id: int | str, notify: bool = True) -> dict | None:
        """The user blocked the bot (or removed it from the group): every send or edit to this
        chat now answers 403. With ``notify``, a my_chat_member update (status "kicked") is
        queued, as Telegram does; it is returned."""
        with self._cond:
            state = self._ensure_chat(norm_chat_id(chat_id))
            state.blocked = True
            if not notify:
                return None
            return self._push(self._member_update(state, "member", "kicked"))

    def _member_update(self, state: ChatState, old: str, new: str) -> dict:
        user_id = state.id if state.type == "private" else DEFAULT_GROUP_USER_ID

        def member(status: str) -> dict:
            body = {"user": self.bot_user(), "status": status}
            if status == "kicked":
                body["until_date"] = 0
            return body
        return {"my_chat_member": {
            "chat": dict(state.chat), "from": self._user(user_id), "date": int(time.time()),
            "old_chat_member": member(old), "new_chat_member": member(new),
        }}

    def commands(self, scope: dict | None = None, language_code: str = "") -> list[dict]:
        """The bot's command list for a scope (default scope) and language, as set by setMyCommands."""
        with self._lock:
            return copy.deepcopy(self._commands.get(self._scope_key(scope, language_code), []))

    def description(self, short: bool = False, language_code: str = "") -> str:
        """The bot's description (or short description) for a language, as set by setMyDescription or
        setMyShortDescription: the screen a person sees before /start."""
        with self._lock:
            return self._descriptions["short_description" if short else "description"].get(language_code, "")

    @property
    def allowed_updates(self) -> frozenset[str]:
        """The update types the bot last asked for (getUpdates or setWebhook `allowed_updates`)."""
        with self._lock:
            return self._allowed_updates

    def chat_actions(self, chat_id: int | str | None = None) -> list[str]:
        """The chat actions ("typing", "upload_photo", ...) sent, to one chat or to any, in order."""
        with self._lock:
            return [action for chat, action in self._chat_actions if chat_id is None or str(chat) == str(chat_id)]

    @staticmethod
    def _scope_key(scope: Any, language_code: Any) -> tuple[str, str]:
        scope = scope if isinstance(scope, dict) else {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(language_code or "")

    def callback_answer(self, query_id: str) -> dict | None:
        """The parameters of answerCallbackQuery for this query (None while unanswered)."""
        with self._lock:
            query = self._queries.get(str(query_id))
            return copy.deepcopy(query["answer"]) if query and query["answered"] else None

    @property
    def webhook(self) -> dict:
        """The current webhook settings (empty when none is set)."""
        with self._lock:
            return dict(self._webhook)

    # ---- updates -----------------------------------------------------------------------------

    def pending_updates(self) -> list[dict]:
        """Updates queued and not yet confirmed by the bot (via getUpdates offset or webhook)."""
        with self._lock:
            return copy.deepcopy(self._updates)

    def delivered(self, update_id: int) -> float | None:
        """When this update was handed to the bot (getUpdates answer written or webhook answered
        2xx), on the ``now()`` clock; None if not yet."""
        with self._lock:
            return self._delivered.get(update_id)

    def privacy_filtered(self, update_id: int) -> bool:
        """True if this group update was never queued because of privacy mode."""
        with self._lock:
            return update_id in self._privacy_filtered

    def _push(self, body: dict, *, queue: bool = True) -> dict:
        update = {"update_id": next(self._update_ids), **body}
        if queue:
            self._updates.append(update)
        else:
            self._privacy_filtered.add(update["update_id"])
        self._cond.notify_all()
        return copy.deepcopy(update)

    def raw_update(self, update: dict) -> dict:
        """Queue any update dict as-is (an update_id is added only if missing); returns it."""
        with self._cond:
            update = copy.deepcopy(update)
            if isinstance(update, dict) and "update_id" not in update:
                update = {"update_id": next(self._update_ids), **update}
            elif isinstance(update, dict) and isinstance(update["update_id"], int):
                nxt = next(self._update_ids)
                self._update_ids = itertools.count(max(nxt, update["update_id"] + 1))
            self._updates.append(update)
            self._cond.notify_all()
            return copy.deepcopy(update)

    def _take_updates(self, limit: int) -> list[dict]:
        kept = []
        for update in self._updates:
            kind = update_type(update) if isinstance(update, dict) else None
            if kind in KNOWN_UPDATE_TYPES and kind not in self._allowed_updates:
                continue  # Telegram drops update types the bot did not ask for
            kept.append(update)
        self._updates = kept
        return copy.deepcopy(kept[:limit])

    def _next_for_webhook(self) -> dict | None:
        """The oldest update to POST whose chat has none in flight (a copy), or None (the lock is held)."""
        self._take_updates(0)  # drops the update types the bot did not ask for
        for update in self._updates:
            if _chat_key(update) not in self._webhook_inflight:
                return copy.deepcopy(update)
        return None

    def _confirm(self, offset: int) -> None:
        if offset < 0:
            self._updates = self._updates[offset:]
        else:
            self._updates = [u for u in self._updates
                             if not isinstance(u, dict) or not isinstance(u.get("update_id"), int)
                             or u["update_id"] >= offset]

    # ---- acting as users ---------------------------------------------------------------------

    @staticmethod
    def _user(user_id: int, first_name: str = "Test", is_bot: bool = False) -> dict:
        return {"id": user_id, "is_bot": is_bot, "first_name": first_name, "language_code": "en"}

    def _new_file(self, prefix: str, **info: Any) -> tuple[str, str]:
        number = next(self._file_ids)
        file_id = f"{prefix}{number:08d}TestFileIdForTheStandIn"
        unique_id = f"AQAD{number:08d}"
        self._files[file_id] = {"file_unique_id": unique_id, **info}
        return file_id, unique_id

    def _user_message(self, chat_id: int | str, content: dict, user_id: int | None, chat_type: str,
                      first_name: str, is_bot: bool, message_id: int | None,
                      reply_to_message_id: int | None) -> dict:
        chat_key = norm_chat_id(chat_id)
        state = self._ensure_chat(chat_key, None if chat_type == "private" else chat_type, first_name)
        if user_id is None:
            user_id = chat_key if state.type == "private" and isinstance(chat_key, int) else DEFAULT_GROUP_USER_ID
        if message_id is None:
            message_id = state.next_message_id
        state.next_message_id = max(state.next_message_id, message_id + 1)
        message: dict[str, Any] = {
            "message_id": message_id, "date": int(time.time()), "chat": dict(state.chat),
            "from": self._user(user_id, first_name, is_bot),
        }
        reply_to_bot = False
        if reply_to_message_id is not None:
            original = state.bot_messages.get(reply_to_message_id)
            if original is not None:
                message["reply_to_message"] = self._message_dict(original)
                reply_to_bot = True
            elif reply_to_message_id in state.user_messages:
                message["reply_to_message"] = copy.deepcopy(state.user_messages[reply_to_message_id])
        message.update(content)
        state.user_messages[message_id] = copy.deepcopy(message)
        visible = True
        if self.privacy_mode and state.type in ("group", "supergroup") and not reply_to_bot:
            entities = message.get("entities") or message.get("caption_entities") or []
            visible = any(e.get("type") == "bot_command" and e.get("offset") == 0 for e in entities) or (
                f"@{BOT_USERNAME}".casefold() in (message.get("text") or message.get("caption") or "").casefold())
        return self._push({"message": message}, queue=visible)

    @staticmethod
    def text_entities(text: str) -> list[dict]:
        """The entities Telegram's client adds to a typed ``text``: a bot_command at offset 0 for
        "/cmd" or "/cmd@bot", and a mention for every "@crampbot_test_bot"."""
        entities: list[dict] = []
        command_end = 0
        match = COMMAND_RE.match(text)
        if match and (len(text) == match.end() or not text[match.end()].isalnum()):
            command_end = match.end()
            entities.append({"type": "bot_command", "offset": 0, "length": utf16_len(match.group(0))})
        for found in re.finditer(re.escape(f"@{BOT_USERNAME}") + r"\b", text, re.IGNORECASE):
            if found.start() >= command_end:
                entities.append({"type": "mention", "offset": utf16_len(text[:found.start()]),
                                 "length": utf16_len(found.group(0))})
        return entities

    def user_text(self, chat_id: int | str, text: str, user_id: int | None = None, chat_type: str = "private",
                  first_name: str = "Test", is_bot: bool = False, entities: list | None = None,
                  message_id: int | None = None, *, reply_to_message_id: int | None = None) -> dict:
        """A user writes ``text``; returns the queued Update dict. Commands ("/start",
        "/help@crampbot_test_bot") get a bot_command entity and "@crampbot_test_bot" a mention
        entity, unless ``entities`` is given. Negative chat ids are groups ("supergroup" for
        -100..., else "group"; or pass ``chat_type``). In private chats the user id defaults to
        the chat id."""
        with self._cond:
            content: dict[str, Any] = {"text": text}
            found = list(entities) if entities is not None else self.text_entities(text)
            if found:
                content["entities"] = found
            return self._user_message(chat_id, content, user_id, chat_type, first_name, is_bot,
                                      message_id, reply_to_message_id)

    def user_sticker(self, chat_id: int | str, emoji: str = "\U0001F600", user_id: int | None = None,
                     **kwargs: Any) -> dict:
        """A user sends a sticker; returns the Update dict."""
        with self._cond:
            file_id, unique = self._new_file("CAACAgIAAxkBAAI", kind="sticker", size=12_000)
            sticker = {"file_id": file_id, "file_unique_id": unique, "type": "regular", "width": 512,
                       "height": 512, "is_animated": False, "is_video": False, "emoji": emoji,
                       "set_name": "TestStickers", "file_size": 12_000}
            return self._media(chat_id, {"sticker": sticker}, user_id, **kwargs)

    def user_photo(self, chat_id: int | str, caption: str | None = None, user_id: int | None = None,
                   **kwargs: Any) -> dict:
        """A user sends a photo (three sizes), with an optional caption; returns the Update dict."""
        with self._cond:
            sizes = []
            for width, height, size in ((90, 67, 1_500), (320, 240, 15_000), (800, 600, 60_000)):
                file_id, unique = self._new_file("AgACAgIAAxkBAAI", kind="photo", size=size)
                sizes.append({"file_id": file_id, "file_unique_id": unique, "width": width,
                              "height": height, "file_size": size})
            content: dict[str, Any] = {"photo": sizes}
            self._add_caption(content, caption)
            return self._media(chat_id, content, user_id, **kwargs)

    def user_voice(self, chat_id: int | str, duration: int = 3, user_id: int | None = None, **kwargs: Any) -> dict:
        """A user sends a voice message; returns the Update dict."""
        with self._cond:
            file_id, unique = self._new_file("AwACAgIAAxkBAAI", kind="voice", size=9_000)
            voice = {"file_id": file_id, "file_unique_id": unique, "duration": duration,
                     "mime_type": "audio/ogg", "file_size": 9_000}
            return self._media(chat_id, {"voice": voice}, user_id, **kwargs)

    def user_video(self, chat_id: int | str, caption: str | None = None, duration: int = 5,
                   user_id: int | None = None, **kwargs: Any) -> dict:
        """A user sends a video; returns the Update dict."""
        with self._cond:
            file_id, unique = self._new_file("BAACAgIAAxkBAAI", kind="video", size=500_000)
            video = {"file_id": file_id, "file_unique_id": unique, "width": 640, "height": 360,
                     "duration": duration, "mime_type": "video/mp4", "file_size": 500_000}
            content: dict[str, Any] = {"video": video}
            self._add_caption(content, caption)
            return self._media(chat_id, content, user_id, **kwargs)

    def user_location(self, chat_id: int | str, latitude: float = 52.52, longitude: float = 13.405,
                      user_id: int | None = None, **kwargs: Any) -> dict:
        """A user shares a location; returns the Update dict."""
        with self._cond:
            return self._media(chat_id, {"location": {"latitude": latitude, "longitude": longitude}},
                               user_id, **kwargs)

    def user_contact(self, chat_id: int | str, phone_number: str = "+15550100", first_name: str = "Friend",
                     contact_user_id: int | None = None, user_id: int | None = None, **kwargs: Any) -> dict:
        """A user shares a contact; returns the Update dict."""
        with self._cond:
            contact: dict[str, Any] = {"phone_number": phone_number, "first_name": first_name}
            if contact_user_id is not None:
                contact["user_id"] = contact_user_id
            return self._media(chat_id, {"contact": contact}, user_id, **kwargs)

    def user_document(self, chat_id: int | str, file_name: str = "notes.pdf", caption: str | None = None,
                      mime_type: str | None = None, user_id: int | None = None, **kwargs: Any) -> dict:
        """A user sends a document; returns the Update dict."""
        with self._cond:
            mime = mime_type or mimetypes.guess_type(file_name)[0] or "application/octet-stream"
            file_id, unique = self._new_file("BQACAgIAAxkBAAI", kind="document", size=20_000, filename=file_name)
            document = {"file_id": file_id, "file_unique_id": unique, "file_name": file_name,
                        "mime_type": mime, "file_size": 20_000}
            content: dict[str, Any] = {"document": document}
            self._add_caption(content, caption)
            return self._media(chat_id, content, user_id, **kwargs)

    def _add_caption(self, content: dict, caption: str | None) -> None:
        if caption is not None:
            content["caption"] = caption
            entities = self.text_entities(caption)
            if entities:
                content["caption_entities"] = entities

    def _media(self, chat_id: int | str, content: dict, user_id: int | None, *, chat_type: str = "private",
               first_name: str = "Test", is_bot: bool = False, message_id: int | None = None,
               reply_to_message_id: int | None = None) -> dict:
        return self._user_message(chat_id, content, user_id, chat_type, first_name, is_bot, message_id,
                                  reply_to_message_id)

    def edit_user_message(self, chat_id: int | str, message_id: int, new_text: str) -> dict:
        """A user edits one of their text messages; queues an edited_message update."""
        with self._cond:
            state = self._ensure_chat(norm_chat_id(chat_id))
            original = state.user_messages.get(message_id)
            if original is None:
                user_id = state.id if state.type == "private" else DEFAULT_GROUP_USER_ID
                original = {"message_id": message_id, "date": int(time.time()), "chat": dict(state.chat),
                            "from": self._user(user_id)}
            message = {k: v for k, v in copy.deepcopy(original).items() if k != "entities"}
            message["text"] = new_text
            message["edit_date"] = int(time.time())
            entities = self.text_entities(new_text)
            if entities:
                message["entities"] = entities
            state.user_messages[message_id] = copy.deepcopy(message)
            return self._push({"edited_message": message})

    def press(self, chat_id: int | str, message_id: int, callback_data: str, user_id: int | None = None,
              *, first_name: str = "Test") -> dict:
        """A user presses an inline button with ``callback_data`` under bot message
        ``message_id``; returns the callback_query Update. ``message`` is the stored bot message
        as it is now (an InaccessibleMessage with date 0 if unknown). Nothing checks
        that the button exists: use it to forge presses of old or fake buttons."""
        with self._cond:
            chat_key = norm_chat_id(chat_id)
            state = self._ensure_chat(chat_key)
            if user_id is None:
                user_id = chat_key if state.type == "private" and isinstance(chat_key, int) else DEFAULT_GROUP_USER_ID
            stored = state.bot_messages.get(int(message_id))
            if stored is not None:
                message = self._message_dict(stored)
            else:
                message = {"message_id": int(message_id), "date": 0, "chat": dict(state.chat)}
            query_id = str(next(self._query_ids))
            self._queries[query_id] = {"chat_id": chat_key, "message_id": int(message_id), "data": callback_data,
                                       "answered": False, "answer": None, "time": time.monotonic()}
            query = {"id": query_id, "from": self._user(user_id, first_name),
                     "chat_instance": f"-{abs(hash(('chat', chat_key))) % 10**18}",
                     "data": callback_data, "message": message}
            return self._push({"callback_query": query})

    # ---- webhook delivery --------------------------------------------------------------------

    def post_update_to(self, url: str, update: Any, secret: str | None = None, timeout: float = 10.0) -> int:
        """POST ``update`` (a dict, or an object with ``to_dict()``) as JSON to a bot's webhook
        URL, with X-Telegram-Bot-Api-Secret-Token when ``secret`` is given; return the HTTP
        status. Connection failures raise ``urllib.error.URLError``."""
        data = update.to_dict() if hasattr(update, "to_dict") else update
        request = urllib.request.Request(url, data=json.dumps(data).encode("utf-8"), method="POST",
                                         headers={"Content-Type": "application/json"})
        if secret is not None:
            request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
                return response.status
        except urllib.error.HTTPError as exc:
            exc.read()
            return exc.code

    def _webhook_loop(self) -> None:
        backoff = 0.05
        while not self._stop_event.is_set():
            with self._cond:
                target = None
                if self._webhook.get("url"):
                    update = self._next_for_webhook()
                    if update is not None:
                        target = (self._webhook["url"], self._webhook.get("secret_token"), update)
                        self._webhook_inflight.add(_chat_key(update))
                if target is None:
                    self._cond.wait(0.1)
                    continue
            url, secret, update = target
            try:
                status = self.post_update_to(url, update, secret)
                error = None if 200 <= status < 300 else f"Wrong response from the webhook: {status} {_phrase(status)}"
            except (OSError, urllib.error.URLError) as exc:
                status, error = 0, f"Connection failed: {getattr(exc, 'reason', exc)}"
            with self._cond:
                self._webhook_inflight.discard(_chat_key(update))
                if error is None:
                    self._updates = [u for u in self._updates if u is not update and
                                     u.get("update_id") != update.get("update_id")]
                    self._delivered.setdefault(update.get("update_id"), time.monotonic())
                    backoff = 0.05
                else:
                    self._webhook["last_error_date"] = int(time.time())
                    self._webhook["last_error_message"] = error
                self._cond.notify_all()
            if error is not None:
                self._stop_event.wait(backoff)
                backoff = min(backoff * 2, 2.0)

    # ---- building messages -------------------------------------------------------------------

    def _message_dict(self, msg: BotMessage) -> dict:
        state = self._chats[msg.chat_id]
        body: dict[str, Any] = {"message_id": msg.message_id, "date": msg.date, "chat": dict(state.chat),
                                "from": self.bot_user()}
        if msg.text is not None:
            body["text"] = msg.text
            if msg.entities:
                body["entities"] = copy.deepcopy(msg.entities)
        if msg.photo is not None:
            body["photo"] = copy.deepcopy(msg.photo)
        if msg.document is not None:
            body["document"] = dict(msg.document)
        if msg.caption is not None:
            body["caption"] = msg.caption
            if msg.entities:
                body["caption_entities"] = copy.deepcopy(msg.entities)
        if norm_markup(msg.reply_markup):
            body["reply_markup"] = copy.deepcopy(msg.reply_markup)
        if msg.edit_date:
            body["edit_date"] = msg.edit_date
        if msg.reply_to_message_id is not None:
            original = state.user_messages.get(msg.reply_to_message_id)
            if original is not None:
                body["reply_to_message"] = copy.deepcopy(original)
        return body

    def _target_chat(self, params: dict) -> ChatState:
        chat_id = norm_chat_id(params.get("chat_id"))
        if chat_id is None:
            raise bad("chat_id is empty")
        state = self._chats.get(chat_id)
        if state is None:
            state = self._ensure_chat(chat_id)
        if state.blocked:
            raise ApiError(403, BLOCKED_BY_USER if state.type == "private" else KICKED_FROM_GROUP)
        return state

    @staticmethod
    def _check_markup(markup: Any, inline_only: bool = False) -> dict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise bad("can't parse inline keyboard button: Field \"text\" must be of type String")
                    if not any(key in INLINE_BUTTON_ACTIONS for key in button):
                        raise bad("can't parse inline keyboard button: "
                                  "Text buttons are unallowed in the inline keyboard")
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                            raise bad("BUTTON_DATA_INVALID")
                    if "url" in button and not button["url"]:
                        raise bad("BUTTON_URL_INVALID")
            return markup
        if inline_only:
            raise bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            return markup
        if markup.get("remove_keyboard") or "force_reply" in markup:
            return markup
        raise bad("can't parse reply keyboard markup JSON object")

    def _new_bot_message(self, state: ChatState, params: dict, kind: str, **fields: Any) -> BotMessage:
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = params.get("reply_to_message_id")
        if isinstance(params.get("reply_parameters"), dict):
            reply_to = params["reply_parameters"].get("message_id", reply_to)
        msg = BotMessage(chat_id=state.id, message_id=state.next_message_id, date=int(time.time()), kind=kind,
                         reply_markup=markup, reply_to_message_id=reply_to if isinstance(reply_to, int) else None,
                         sent_reply_markup=copy.deepcopy(markup), seq=len(self._calls), time=time.monotonic(),
                         **fields)
        msg.sent_text, msg.sent_caption = msg.text, msg.caption
        if isinstance(markup, dict):
            if "keyboard" in markup:
                state.reply_keyboard = [[b if isinstance(b, str) else b.get("text", "") for b in row]
                                        for row in markup["keyboard"]]
            elif markup.get("remove_keyboard"):
                state.reply_keyboard = None
        state.next_message_id += 1
        state.bot_messages[msg.message_id] = msg
        return msg

    def _caption(self, params: dict) -> tuple[str | None, list[dict]]:
        caption = params.get("caption")
        if caption is None:
            return None, []
        text, entities = plain_text(str(caption), params, "caption_entities")
        if utf16_len(text) > MAX_CAPTION:
            raise bad("message caption is too long")
        return text, entities

    def _find_bot_message(self, params: dict) -> BotMessage:
        if params.get("inline_message_id") is not None:
            raise bad("MESSAGE_ID_INVALID")
        state = self._target_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise bad("message identifier is not specified")
        msg = state.bot_messages.get(message_id)
        if msg is None and message_id in state.user_messages:
            raise bad("message can't be edited")
        if msg is None:
            raise bad("message to edit not found")
        return msg

    def _apply_edit(self, msg: BotMessage, text: str, entities: list[dict], markup: dict | None) -> dict:
        if (text, entities) == (msg.text, msg.entities) and norm_markup(markup) == norm_markup(msg.reply_markup):
            raise bad(NOT_MODIFIED[len("Bad Request: "):])
        msg.text, msg.entities, msg.reply_markup = text, entities, copy.deepcopy(markup)
        msg.edit_date = int(time.time())
        msg.edits.append(Edit(time.monotonic(), text, copy.deepcopy(markup)))
        return self._message_dict(msg)

    def _file_stub(self, value: Any, kind: str, params: dict) -> tuple[str, str, dict]:
        """Return (file_id, file_unique_id, info) for a sent photo/document value."""
        if isinstance(value, UploadedFile):
            info = {"source": "upload", "filename": value.filename, "size": value.size,
                    "content_type": value.content_type}
            file_id, unique = self._new_file("AgACAgIAAxkBAAI" if kind == "photo" else "BQACAgIAAxkBAAI",
                                             kind=kind, **info)
            return file_id, unique, info
        if not isinstance(value, str) or not value:
            raise bad(f"there is no {kind} in the request")
        if value in self._files:
            known = self._files[value]
            return value, known["file_unique_id"], {**known, "source": "file_id"}
        if value.startswith(("http://", "https://")):
            info = {"source": "url", "filename": value.rsplit("/", 1)[-1] or None, "size": 0}
            file_id, unique = self._new_file("AgACAgIAAxkBAAI" if kind == "photo" else "BQACAgIAAxkBAAI",
                                             kind=kind, **info)
            return file_id, unique, info
        # A file_id the stand-in never issued (e.g. one from production): accept it as Telegram
        # would accept a valid one, and remember it.
        info = {"source": "file_id", "filename": None, "size": 0}
        unique = f"AQAD{next(self._file_ids):08d}"
        self._files[value] = {"file_unique_id": unique, "kind": kind, "filename": None, "size": 0}
        return value, unique, info

    # ---- Bot API methods (each takes params and the request handler; returns result or
    #      (result, description); raises ApiError). They run under the lock. -------------------

    def _api_getMe(self, params: dict, handler: Handler) -> dict:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    def _api_deleteWebhook(self, params: dict, handler: Handler) -> tuple[bool, str]:
        had = bool(self._webhook.get("url"))
        self._webhook = {}
        if params.get("drop_pending_updates"):
            self._updates = []
        return True, "Webhook was deleted" if had else "Webhook is already deleted"

    def _api_setWebhook(self, params: dict, handler: Handler) -> tuple[bool, str]:
        url = params.get("url") or ""
        if not url:
            return self._api_deleteWebhook(params, handler)
        parts = urllib.parse.urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise bad("bad webhook: Failed to resolve host: Name or service not known")
        if self.require_https_webhook and parts.scheme != "https":
            raise bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates = []
        self._set_allowed(params.get("allowed_updates"))
        self._webhook = {"url": str(url), "secret_token": secret,
                         "max_connections": params.get("max_connections", 40),
                         "ip_address": params.get("ip_address")}
        self._cond.notify_all()
        return True, "Webhook was set"

    def _set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise bad("can't parse allowed updates: must be an Array")
        self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES

    def _api_getUpdates(self, params: dict, handler: Handler) -> list[dict]:
        if self._webhook.get("url"):
            raise ApiError(409, "Conflict: can't use getUpdates method while webhook is active; "
                                "use deleteWebhook to delete the webhook first")
        offset = params.get("offset")
        limit = params.get("limit", 100)
        limit = min(max(int(limit), 1), 100) if isinstance(limit, (int, float)) else 100
        timeout = params.get("timeout", 0)
        timeout = float(timeout) if isinstance(timeout, (int, float)) else 0.0
        self._set_allowed(params.get("allowed_updates"))
        if isinstance(offset, int):
            self._confirm(offset)
        self._poll_generation += 1
        generation = self._poll_generation
        deadline = time.monotonic() + max(timeout, 0.0)
        self._polling += 1
        try:
            while True:
                if generation != self._poll_generation:
                    raise ApiError(409, "Conflict: terminated by other getUpdates request; "
                                        "make sure that only one bot instance is running")
                updates = self._take_updates(limit)
                remaining = deadline - time.monotonic()
                if updates or remaining <= 0 or self._stop_event.is_set():
                    return updates
                self._cond.wait(min(remaining, 0.05))
                if peer_closed(handler.connection):
                    raise ClientGone
        finally:
            self._polling -= 1

    @staticmethod
    def _checked_text(params: dict, too_long: str) -> tuple[str, list[dict]]:
        """The call's text and its entities; refused as Telegram does when empty or over 4096
        UTF-16 units (``too_long`` is the wording)."""
        text, entities = plain_text(str(params.get("text") or ""), params, "entities")
        if not text.strip():
            raise bad("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise bad(too_long)
        return text, entities

    def _api_sendMessage(self, params: dict, handler: Handler) -> dict:
        state = self._target_chat(params)
        text, entities = self._checked_text(params, "message is too long")
        msg = self._new_bot_message(state, params, "text", text=text, entities=entities)
        return self._message_dict(msg)

    def _api_sendPhoto(self, params: dict, handler: Handler) -> dict:
        state = self._target_chat(params)
        caption, entities = self._caption(params)
        file_id, unique, info = self._file_stub(params.get("photo"), "photo", params)
        size = info.get("size") or 0
        photo = [{"file_id": f"{file_id}{suffix}" if suffix else file_id, "file_unique_id": f"{unique}{suffix}",
                  "width": width, "height": height, "file_size": max(1, size * width // 1280)}
                 for suffix, width, height in (("_s", 90, 60), ("_m", 320, 213), ("", 1280, 853))]
        upload = params.get("photo") if isinstance(params.get("photo"), UploadedFile) else None
        msg = self._new_bot_message(state, params, "photo", caption=caption, entities=entities, photo=photo,
                                    upload=upload)
        return self._message_dict(msg)

    def _api_sendDocument(self, params: dict, handler: Handler) -> dict:
        state = self._target_chat(params)
        caption, entities = self._caption(params)
        file_id, unique, info = self._file_stub(params.get("document"), "document", params)
        name = info.get("filename") or "document"
        mime_type = info.get("content_type") or mimetypes.guess_type(name)[0] or "application/octet-stream"
        document = {"file_id": file_id, "file_unique_id": unique, "file_name": name, "mime_type": mime_type,
                    "file_size": info.get("size") or 0}
        upload = params.get("document") if isinstance(params.get("document"), UploadedFile) else None
        msg = self._new_bot_message(state, params, "document", caption=caption, entities=entities,
                                    document=document, upload=upload)
        return self._message_dict(msg)

    def _api_editMessageText(self, params: dict, handler: Handler) -> dict:
        msg = self._find_bot_message(params)
        if msg.kind != "text":
            raise bad("there is no text in the message to edit")
        text, entities = self._checked_text(params, "MESSAGE_TOO_LONG")
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(msg, text, entities, markup)

    def _api_answerCallbackQuery(self, params: dict, handler: Handler) -> bool:
        query = self._queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise bad(QUERY_TOO_OLD[len("Bad Request: "):])
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER:
            raise bad("MESSAGE_TOO_LONG")
        query["answered"] = True
        query["answer"] = copy.deepcopy(params)
        return True

    def _api_setMyDescription(self, params: dict, handler: Handler) -> bool:
        return self._set_description("description", 512, params)

    def _api_setMyShortDescription(self, params: dict, handler: Handler) -> bool:
        return self._set_description("short_description", 120, params)

    def _set_description(self, field: str, limit: int, params: dict) -> bool:
        text = str(params.get(field) or "")
        if len(text) > limit:
            raise bad(f"{field.upper()}_INVALID")
        self._descriptions[field][str(params.get("language_code") or "")] = text
        return True

    _ACTIONS = frozenset({"typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
                          "upload_document", "choose_sticker", "find_location", "record_video_note",
                          "upload_video_note"})

    def _api_sendChatAction(self, params: dict, handler: Handler) -> bool:
        state = self._target_chat(params)
        action = str(params.get("action") or "")
        if action not in self._ACTIONS:
            raise bad("wrong parameter action in request")
        self._chat_actions.append((state.chat["id"], action))
        return True

    def _api_setMyCommands(self, params: dict, handler: Handler) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("too many commands")
        for command in commands:
            if not isinstance(command, dict) or not BOT_COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise bad("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._scope_key(params.get("scope"), params.get("language_code"))] = copy.deepcopy(commands)
        return True


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


_METHODS: dict[str, Callable[..., Any]] = {
    name[len("_api_"):]: func for name, func in vars(BotApiStandIn).items() if name.startswith("_api_")
}
_CANONICAL: dict[str, str] = {name.lower(): name for name in _METHODS}


def _chat_key(update: Any) -> Any:
    """The chat an update belongs to (its id when it has none): a webhook gets each chat's updates in turn."""
    if isinstance(update, dict):
        for kind in ("message", "edited_message", "channel_post", "callback_query"):
            item = update.get(kind)
            if isinstance(item, dict):
                message = item.get("message", item) if kind == "callback_query" else item
                chat = message.get("chat") if isinstance(message, dict) else None
                if isinstance(chat, dict) and "id" in chat:
                    return chat["id"]
        return ("update", update.get("update_id"))
    return ("update", id(update))
