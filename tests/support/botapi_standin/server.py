"""A fake Telegram Bot API server for tests: no network, no Telegram.

``BotApiStandIn`` listens on 127.0.0.1 (an ephemeral port) in a background thread and answers
the Bot API calls CrampBot makes, the way Telegram does: the same envelope, the same HTTP status
codes, the same error descriptions for the mistakes a bot can make (editing a message to the
same content, answering a callback query twice, a too long text, callback data over 64 bytes,
HTML that does not parse, a user who blocked the bot...).

Point the bot at it with ``ApplicationBuilder().base_url(standin.base_url)`` (or
``telegram.Bot(token, base_url=standin.base_url)``); PTB appends ``{token}/{method}``.

Tests act as users (``user_text``, ``press``, ``user_photo``...), which queues updates for
``getUpdates`` (or delivers them to a webhook set with ``setWebhook``), and then look at what
the bot did: every call is recorded (``calls``), and every chat keeps the messages the bot sent
with their edits (``messages``), so a test can ask what the user sees now.

Faults can be injected (``fail``, ``fail_ratio``): HTTP errors, flood control (429 with
retry_after) and slow answers that make the client time out. A faulted call changes nothing.

Everything is thread-safe: one lock guards all state, and a Condition on it is notified on every
recorded call and every queued update, which the ``wait_*`` helpers use (no fixed sleeps).
"""

from __future__ import annotations

import copy
import itertools
import json
import math
import mimetypes
import random
import re
import select
import socket
import sys
import threading
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

BOT_FIRST_NAME = "CrampBot"
BOT_USERNAME = "crampbot_test_bot"
DEFAULT_BOT_ID = 5_000_000_001
DEFAULT_GROUP_USER_ID = 111_111

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query ID is invalid"
BLOCKED_BY_USER = "Forbidden: bot was blocked by the user"
KICKED_FROM_GROUP = "Forbidden: bot was kicked from the group chat"

#: Methods that put a new message in a chat.
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument"})
#: Methods that change a message already in a chat.
EDIT_METHODS = frozenset({"editMessageText", "editMessageReplyMarkup", "editMessageCaption"})
#: Everything a user can notice in the chat (the typing indicator included).
VISIBLE_METHODS = SEND_METHODS | EDIT_METHODS | {"deleteMessage", "sendChatAction"}

KNOWN_UPDATE_TYPES = frozenset({
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages",
    "message_reaction", "message_reaction_count", "inline_query", "chosen_inline_result",
    "callback_query", "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll",
    "poll_answer", "my_chat_member", "chat_member", "chat_join_request", "chat_boost",
    "removed_chat_boost",
})
#: What Telegram sends when allowed_updates was never set (or set to an empty list).
DEFAULT_UPDATE_TYPES = KNOWN_UPDATE_TYPES - {"chat_member", "message_reaction", "message_reaction_count"}

CHAT_ACTIONS = frozenset({
    "typing", "upload_photo", "record_video", "upload_video", "record_voice", "upload_voice",
    "upload_document", "choose_sticker", "find_location", "record_video_note", "upload_video_note",
})

# Parameters whose values are plain strings on the wire and must never be JSON-decoded
# (a user may well send the text "123" or "true").
_STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url", "secret_token",
    "action", "ip_address", "language_code", "description", "short_description", "name", "title",
    "emoji", "query", "photo", "document", "video", "audio", "voice", "sticker", "animation",
    "thumbnail", "file_id", "message_effect_id", "business_connection_id", "first_name",
    "last_name", "phone_number", "vcard", "address", "question", "explanation", "payload",
    "currency", "start_parameter", "provider_token", "custom_title", "certificate",
})
# Parameters that carry JSON (if a JSON body sends them as strings, decode them).
_JSON_FIELDS = frozenset({
    "reply_markup", "entities", "caption_entities", "allowed_updates", "commands", "scope",
    "reply_parameters", "link_preview_options", "media",
})
_INLINE_BUTTON_ACTIONS = frozenset({
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
})
_COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
_BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
_SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


# --------------------------------------------------------------------------------------------
# Records


@dataclass(frozen=True)
class UploadedFile:
    """A file that arrived in a multipart request (sendPhoto/sendDocument uploads)."""

    field: str
    filename: str | None
    content: bytes
    content_type: str | None = None

    @property
    def size(self) -> int:
        """Number of bytes uploaded."""
        return len(self.content)


@dataclass
class Call:
    """One Bot API call as the stand-in saw it.

    ``time`` is ``time.monotonic()`` when the call was answered (or given up on), ``started`` when
    it arrived. ``http_status`` is 0 when the client hung up before an answer was written (a
    timeout). ``fault`` names an injected fault ("500", "429", "timeout", "delay", ...).
    """

    method: str
    params: dict
    time: float
    http_status: int
    seq: int = 0
    token: str = ""
    chat_id: int | str | None = None
    started: float = 0.0
    result: Any = None
    description: str | None = None
    fault: str | None = None

    @property
    def ok(self) -> bool:
        """True when the call was answered with a 2xx status."""
        return 200 <= self.http_status < 300

    def __str__(self) -> str:
        extra = f" -> {self.description}" if self.description else ""
        fault = f" [fault {self.fault}]" if self.fault else ""
        return f"#{self.seq} {self.method}(chat={self.chat_id}) {self.http_status}{fault}{extra}"


@dataclass
class Edit:
    """One successful edit of a bot message: the content after the edit."""

    time: float
    method: str
    text: str | None
    caption: str | None
    reply_markup: dict | None

    @property
    def content(self) -> str | None:
        """Text, or caption for media messages."""
        return self.text if self.text is not None else self.caption


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (after edits).

    ``text``/``caption`` are what the user reads (formatting tags parsed away; ``raw_text`` is
    what the bot sent). ``reply_markup`` is the markup as sent (inline or reply keyboard).
    ``sent_text``/``sent_caption``/``sent_reply_markup`` keep the original before any edit.
    ``seq`` is the sequence number of the call that created it.
    """

    chat_id: int | str
    message_id: int
    date: int
    kind: str = "text"
    text: str | None = None
    caption: str | None = None
    entities: list = field(default_factory=list)
    reply_markup: dict | None = None
    parse_mode: str | None = None
    raw_text: str | None = None
    photo: list | None = None
    document: dict | None = None
    upload: UploadedFile | None = None
    reply_to_message_id: int | None = None
    sent_text: str | None = None
    sent_caption: str | None = None
    sent_reply_markup: dict | None = None
    edits: list[Edit] = field(default_factory=list)
    edit_date: int | None = None
    deleted: bool = False
    seq: int = 0
    time: float = 0.0

    @property
    def content(self) -> str | None:
        """Text, or caption for media messages."""
        return self.text if self.text is not None else self.caption

    @property
    def history(self) -> list[str | None]:
        """The content as first sent, then after each edit."""
        first = self.sent_text if self.sent_text is not None else self.sent_caption
        return [first] + [e.content for e in self.edits]

    @property
    def inline_keyboard(self) -> list[list[dict]]:
        """Rows of inline buttons (empty without an inline keyboard)."""
        if isinstance(self.reply_markup, dict):
            return self.reply_markup.get("inline_keyboard") or []
        return []

    @property
    def buttons(self) -> list[str]:
        """Labels of the inline buttons, row by row."""
        return [b.get("text", "") for row in self.inline_keyboard for b in row]

    @property
    def callback_data(self) -> dict[str, str]:
        """Label -> callback_data of the inline callback buttons."""
        return {b["text"]: b["callback_data"] for row in self.inline_keyboard for b in row
                if "callback_data" in b}

    def find_button(self, label: str) -> dict | None:
        """The inline button whose label equals ``label`` (case-insensitive), else the first
        whose label contains it; None when there is none."""
        wanted = label.casefold()
        buttons = [b for row in self.inline_keyboard for b in row]
        for b in buttons:
            if b.get("text", "").casefold() == wanted:
                return b
        for b in buttons:
            if wanted in b.get("text", "").casefold():
                return b
        return None


@dataclass
class ChatState:
    """Everything the stand-in knows about one chat."""

    chat: dict
    next_message_id: int = 1
    bot_messages: dict[int, BotMessage] = field(default_factory=dict)
    user_messages: dict[int, dict] = field(default_factory=dict)
    deleted_user_messages: set[int] = field(default_factory=set)
    blocked: bool = False
    reply_keyboard: list[list[str]] | None = None
    actions: list[str] = field(default_factory=list)

    @property
    def id(self) -> int | str:
        """The chat id."""
        return self.chat["id"]

    @property
    def type(self) -> str:
        """private, group, supergroup or channel."""
        return self.chat["type"]


class ApiError(Exception):
    """An error answer: HTTP status, description and optional ``parameters``."""

    def __init__(self, status: int, description: str, parameters: dict | None = None, fault: str | None = None):
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters
        self.fault = fault

    def payload(self) -> dict:
        """The JSON envelope Telegram sends for this error."""
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


class WaitTimeout(AssertionError):
    """A ``wait_*`` helper ran out of time (an AssertionError, so pytest reports it plainly)."""


class _ClientGone(Exception):
    """The client closed the connection before the answer was ready."""


def _bad(description: str) -> ApiError:
    return ApiError(400, f"Bad Request: {description}")


@dataclass
class _Fault:
    kind: str  # "error" or "delay"
    status: int = 500
    retry_after: int | None = None
    delay: float = 0.0
    description: str | None = None
    chat_id: int | str | None = None
    remaining: int = 1

    @property
    def label(self) -> str:
        return "delay" if self.kind == "delay" else str(self.status)

    def error(self) -> ApiError:
        params = {"retry_after": self.retry_after} if self.status == 429 else None
        if self.description:
            desc = self.description
        elif self.status == 429:
            desc = f"Too Many Requests: retry after {self.retry_after}"
        elif self.status == 400:
            desc = "Bad Request: injected fault"
        elif self.status == 403:
            desc = "Forbidden: injected fault"
        else:
            try:
                desc = HTTPStatus(self.status).phrase
            except ValueError:
                desc = "Injected fault"
        return ApiError(self.status, desc, params, fault=str(self.status))


@dataclass
class _Ratio:
    share: float
    kinds: tuple[str, ...]
    rng: random.Random
    methods: frozenset[str] | None
    exclude: frozenset[str]
    retry_after: int
    delay: float


# --------------------------------------------------------------------------------------------
# Text formatting (parse_mode) the way Telegram parses it


class _EntityError(Exception):
    pass


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for lengths and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(src: str, index: int) -> int:
    return len(src[:index].encode("utf-8"))


_HTML_TYPES = {
    "b": "bold", "strong": "bold", "i": "italic", "em": "italic", "u": "underline",
    "ins": "underline", "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
    "tg-spoiler": "spoiler", "span": "spoiler", "a": "text_link", "code": "code", "pre": "pre",
    "blockquote": "blockquote", "tg-emoji": "custom_emoji",
}
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)([^<>]*)>")
_ATTR_RE = re.compile(r"""([A-Za-z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_HTML_ENTITY_RE = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|lt|gt|amp|quot);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _parse_html(src: str) -> tuple[str, list[dict]]:
    out: list[str] = []
    entities: list[dict] = []
    stack: list[dict] = []
    pos = 0
    i = 0
    while i < len(src):
        char = src[i]
        if char == "<":
            match = _TAG_RE.match(src, i)
            if not match:
                name = re.match(r"[^\s<>]*", src[i + 1:]).group(0)[:32]
                raise _EntityError(f'Unsupported start tag "{name}" at byte offset {_byte_offset(src, i)}')
            closing, name, rest = match.group(1) == "/", match.group(2).lower(), match.group(3)
            where = _byte_offset(src, i)
            if name not in _HTML_TYPES:
                raise _EntityError(f'Unsupported {"end" if closing else "start"} tag "{name}" at byte offset {where}')
            if closing:
                if not stack:
                    raise _EntityError(f"Unexpected end tag at byte offset {where}")
                top = stack.pop()
                if top["tag"] != name:
                    raise _EntityError(
                        f'Unmatched end tag at byte offset {where}, expected "</{top["tag"]}>", found "</{name}>"')
                entity = top["entity"]
                if name == "code" and stack and stack[-1]["tag"] == "pre":
                    lang = top["attrs"].get("class", "")
                    if lang.startswith("language-"):
                        stack[-1]["entity"]["language"] = lang[len("language-"):]
                elif pos > entity["offset"]:
                    entity["length"] = pos - entity["offset"]
                    entities.append(entity)
            else:
                attrs = {k.lower(): a or b or c for k, a, b, c in _ATTR_RE.findall(rest)}
                entity: dict[str, Any] = {"type": _HTML_TYPES[name], "offset": pos}
                if name == "a":
                    entity["url"] = attrs.get("href", "")
                elif name == "span" and attrs.get("class") != "tg-spoiler":
                    raise _EntityError(f'Unsupported start tag "span" at byte offset {where}')
                elif name == "tg-emoji":
                    entity["custom_emoji_id"] = attrs.get("emoji-id", "")
                elif name == "blockquote" and re.search(r"\bexpandable\b", rest):
                    entity["type"] = "expandable_blockquote"
                stack.append({"tag": name, "entity": entity, "attrs": attrs})
            i = match.end()
            continue
        if char == "&":
            match = _HTML_ENTITY_RE.match(src, i)
            if match:
                ref = match.group(1)
                if ref.startswith(("#x", "#X")):
                    char = chr(int(ref[2:], 16))
                elif ref.startswith("#"):
                    char = chr(int(ref[1:]))
                else:
                    char = _NAMED[ref]
                out.append(char)
                pos += utf16_len(char)
                i = match.end()
                continue
        out.append(char)
        pos += utf16_len(char)
        i += 1
    if stack:
        raise _EntityError(f'Can\'t find end tag corresponding to start tag "{stack[-1]["tag"]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


_MD2_RESERVED = frozenset("_*[]()~`>#+-=|{}.!")
_MD_ENTITY_NAMES = {
    "bold": "Bold", "italic": "Italic", "underline": "Underline", "strikethrough": "Strikethrough",
    "spoiler": "Spoiler", "code": "Code", "pre": "Pre", "text_link": "TextUrl",
}


def _parse_markdown(src: str, v2: bool) -> tuple[str, list[dict]]:
    """MarkdownV2 (``v2``) or legacy Markdown, close enough to Telegram to catch the usual
    mistakes: unescaped reserved characters (V2) and unclosed entities."""
    out: list[str] = []
    entities: list[dict] = []
    opened: list[dict] = []
    pos = 0
    i = 0
    n = len(src)

    def emit(text: str) -> None:
        nonlocal pos
        out.append(text)
        pos += utf16_len(text)

    def close(entity: dict) -> None:
        opened.remove(entity)
        if pos > entity["offset"]:
            entity = {k: v for k, v in entity.items() if k != "byte"}
            entity["length"] = pos - entity["offset"]
            entities.append(entity)

    def toggle(kind: str) -> None:
        for entity in reversed(opened):
            if entity["type"] == kind:
                close(entity)
                return
        opened.append({"type": kind, "offset": pos, "byte": _byte_offset(src, i)})

    while i < n:
        char = src[i]
        in_code = bool(opened) and opened[-1]["type"] in ("code", "pre")
        if char == "\\" and i + 1 < n and (
            (v2 and 1 <= ord(src[i + 1]) <= 126) or (not v2 and src[i + 1] in "_*`[")
        ):
            emit(src[i + 1])
            i += 2
            continue
        if in_code:
            top = opened[-1]
            if top["type"] == "pre" and src.startswith("```", i):
                close(top)
                i += 3
            elif top["type"] == "code" and char == "`":
                close(top)
                i += 1
            else:
                emit(char)
                i += 1
            continue
        if src.startswith("```", i):
            entity = {"type": "pre", "offset": pos, "byte": _byte_offset(src, i)}
            end_of_line = src.find("\n", i + 3)
            lang = src[i + 3:end_of_line] if end_of_line != -1 else ""
            if lang and re.fullmatch(r"[\w+#.-]+", lang):
                entity["language"] = lang
                i = end_of_line + 1
            else:
                i += 3
            opened.append(entity)
            continue
        if char == "`":
            opened.append({"type": "code", "offset": pos, "byte": _byte_offset(src, i)})
            i += 1
        elif char == "*":
            toggle("bold")
            i += 1
        elif v2 and src.startswith("__", i):
            toggle("underline")
            i += 2
        elif char == "_":
            toggle("italic")
            i += 1
        elif v2 and char == "~":
            toggle("strikethrough")
            i += 1
        elif v2 and src.startswith("||", i):
            toggle("spoiler")
            i += 2
        elif char == "[":
            opened.append({"type": "text_link", "offset": pos, "byte": _byte_offset(src, i)})
            i += 1
        elif char == "]" and any(e["type"] == "text_link" for e in opened):
            link = [e for e in opened if e["type"] == "text_link"][-1]
            if src[i + 1:i + 2] != "(":
                if v2:
                    raise _EntityError("Character ']' is reserved and must be escaped with the preceding '\\'")
                opened.remove(link)
                i += 1
                continue
            j = i + 2
            url: list[str] = []
            while j < n and src[j] != ")":
                if src[j] == "\\" and j + 1 < n:
                    url.append(src[j + 1])
                    j += 2
                else:
                    url.append(src[j])
                    j += 1
            if j >= n:
                raise _EntityError(f"Can't find end of a URL at byte offset {_byte_offset(src, i + 1)}")
            link["url"] = "".join(url)
            close(link)
            i = j + 1
        elif v2 and char == ">" and (i == 0 or src[i - 1] == "\n"):
            i += 1  # a quote line marker; the quote itself is not modelled
        elif v2 and char in _MD2_RESERVED:
            raise _EntityError(f"Character '{char}' is reserved and must be escaped with the preceding '\\'")
        else:
            emit(char)
            i += 1
    if opened:
        first = opened[0]
        if v2:
            name = _MD_ENTITY_NAMES.get(first["type"], first["type"])
            raise _EntityError(f"Can't find end of {name} entity at byte offset {first['byte']}")
        raise _EntityError(f"Can't find end of the entity starting at byte offset {first['byte']}")
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def format_text(text: str, parse_mode: str | None = None, entities: list | None = None) -> tuple[str, list[dict]]:
    """Return ``(plain text, entities)`` as Telegram would store them for ``text`` sent with
    ``parse_mode`` (HTML, MarkdownV2, Markdown) or explicit ``entities``.
    Raises ApiError 400 "can't parse entities: ..." like Telegram."""
    if entities:
        return text, list(entities)
    mode = (parse_mode or "").lower()
    try:
        if mode == "html":
            return _parse_html(text)
        if mode == "markdownv2":
            return _parse_markdown(text, v2=True)
        if mode == "markdown":
            return _parse_markdown(text, v2=False)
    except _EntityError as exc:
        raise _bad(f"can't parse entities: {exc}") from None
    if mode:
        raise _bad("unsupported parse_mode")
    return text, []


# --------------------------------------------------------------------------------------------
# Request parsing


def _decode_value(key: str, value: str) -> Any:
    """JSON-decode form values that are JSON (numbers, booleans, objects, arrays); keep strings."""
    if key in _STRING_FIELDS:
        return value

    def no_constants(name: str) -> Any:
        raise ValueError(name)

    try:
        decoded = json.loads(value, parse_constant=no_constants)
    except ValueError:
        return value
    if isinstance(decoded, str):
        return value
    return decoded


def _header_params(value: str) -> dict[str, str]:
    params: dict[str, str] = {}
    for match in re.finditer(r'''([\w*-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))''', value):
        key = match.group(1).lower()
        raw = match.group(2) if match.group(2) is not None else (match.group(3) or "").strip()
        if key.endswith("*"):  # RFC 5987: charset''percent-encoded
            key = key[:-1]
            _charset, _, encoded = raw.partition("''")
            raw = urllib.parse.unquote(encoded or raw)
        params[key] = raw.replace('\\"', '"')
    return params


def _parse_multipart(body: bytes, content_type: str) -> tuple[dict[str, str], dict[str, UploadedFile]]:
    boundary = _header_params(content_type).get("boundary")
    if not boundary:
        raise ValueError("multipart body without boundary")
    fields: dict[str, str] = {}
    files: dict[str, UploadedFile] = {}
    for part in (b"\r\n" + body).split(b"\r\n--" + boundary.encode("latin-1"))[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part[2:].partition(b"\r\n\r\n")
        headers: dict[str, str] = {}
        for line in head.decode("utf-8", "replace").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        disposition = _header_params(headers.get("content-disposition", ""))
        name = disposition.get("name", "")
        if "filename" in disposition:
            files[name] = UploadedFile(name, disposition["filename"], content, headers.get("content-type"))
        else:
            fields[name] = content.decode("utf-8", "replace")
    return fields, files


def parse_request(content_type: str, body: bytes, query: str = "") -> dict[str, Any]:
    """Decode a Bot API request (query string plus a form, multipart or JSON body) into a dict.

    Form values that are JSON are decoded (``"123"`` -> 123, ``reply_markup`` -> dict), except
    for string parameters such as ``text``. Uploaded files become ``UploadedFile`` objects;
    ``attach://name`` references are resolved."""
    params: dict[str, Any] = {}
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        params[key] = _decode_value(key, value)
    ctype = content_type.lower()
    files: dict[str, UploadedFile] = {}
    if body:
        if ctype.startswith("application/json"):
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict):
                raise ValueError("JSON body is not an object")
            for key, value in data.items():
                if key in _JSON_FIELDS and isinstance(value, str):
                    value = _decode_value(key, value)
                params[key] = value
        elif ctype.startswith("multipart/form-data"):
            fields, files = _parse_multipart(body, content_type)
            for key, value in fields.items():
                params[key] = _decode_value(key, value)
        else:
            for key, value in urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True):
                params[key] = _decode_value(key, value)
    for key, upload in files.items():
        params.setdefault(key, upload)
    for key, value in list(params.items()):
        if isinstance(value, str) and value.startswith("attach://") and value[9:] in files:
            params[key] = files[value[9:]]
            if value[9:] != key:
                params.pop(value[9:], None)
    return params


def _norm_chat_id(value: Any) -> int | str | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = str(value).strip()
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _peer_closed(sock: socket.socket) -> bool:
    """True when the client has closed its side of the connection."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def _norm_markup(markup: Any) -> str | None:
    """A comparable form of the inline keyboard (None when there is none)."""
    if not isinstance(markup, dict) or not markup.get("inline_keyboard"):
        return None
    return json.dumps(markup["inline_keyboard"], sort_keys=True)


def _update_type(update: dict) -> str | None:
    for key in update:
        if key != "update_id":
            return key
    return None


# --------------------------------------------------------------------------------------------
# HTTP plumbing


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "BotApiStandIn/1.0"
    sys_version = ""
    disable_nagle_algorithm = True  # small answers must not wait for delayed ACKs

    def setup(self) -> None:
        super().setup()
        self.server.standin._track_connection(self.connection, True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.standin._track_connection(self.connection, False)  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.server.standin._handle(self)  # type: ignore[attr-defined]

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # many parallel connects (PTB's pool is large) must not overflow

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # client went away: not our problem
            return
        self.standin.internal_errors.append(traceback.format_exc())  # type: ignore[attr-defined]


def _read_body(handler: BaseHTTPRequestHandler) -> bytes:
    if "chunked" in handler.headers.get("Transfer-Encoding", "").lower():
        chunks = []
        while True:
            size = int(handler.rfile.readline(65537).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while handler.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(chunks)
            chunks.append(handler.rfile.read(size))
            handler.rfile.readline(65537)
    length = int(handler.headers.get("Content-Length") or 0)
    return handler.rfile.read(length) if length > 0 else b""


def _write(handler: BaseHTTPRequestHandler, status: int, payload: dict) -> bool:
    try:
        body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (a poison update under test): escaped, as JSON allows
        body = json.dumps(payload).encode("ascii")
    try:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)
        handler.wfile.flush()
        return True
    except OSError:
        handler.close_connection = True
        return False


# --------------------------------------------------------------------------------------------
# The stand-in


class BotApiStandIn:
    """A Telegram Bot API server on 127.0.0.1 for tests (see the module docstring).

    Options:
      reject_token: every call answers 401 Unauthorized (PTB raises InvalidToken).
      privacy_mode: like a real bot with privacy mode on (getMe says can_read_all_group_messages
        false), group messages reach the bot only when they are commands, mention
        @crampbot_test_bot or reply to the bot; others are not queued (see ``privacy_filtered``).
      strict_chats: sending to a chat no user ever wrote from answers 400 "chat not found"
        (otherwise such a chat is created as a private chat on first use; see ``add_chat``).
      deliver_webhooks: after setWebhook, queued updates are POSTed to the webhook URL.
      require_https_webhook: setWebhook refuses non-HTTPS URLs, as Telegram does.
      per_chat_limit / global_limit: ``(count, seconds)`` flood control for sends and edits;
        going over answers 429 with retry_after, as Telegram does.
      callback_ttl: seconds after which a callback query can no longer be answered.
    """

    def __init__(
        self,
        *,
        reject_token: bool = False,
        privacy_mode: bool = True,
        strict_chats: bool = False,
        deliver_webhooks: bool = True,
        require_https_webhook: bool = False,
        per_chat_limit: tuple[int, float] | None = None,
        global_limit: tuple[int, float] | None = None,
        callback_ttl: float | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.reject_token = reject_token
        self.privacy_mode = privacy_mode
        self.strict_chats = strict_chats
        self.deliver_webhooks = deliver_webhooks
        self.require_https_webhook = require_https_webhook
        self.per_chat_limit = per_chat_limit
        self.global_limit = global_limit
        self.callback_ttl = callback_ttl
        self.host = host
        #: Tracebacks of bugs inside the stand-in (answered as 500); tests can assert it is empty.
        self.internal_errors: list[str] = []

        self._lock = threading.RLock()
        self._cond = threading.Condition(self._lock)
        self._chat_waiters: dict[Any, list] = {}
        self._stop_event = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._webhook_thread: threading.Thread | None = None
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
        self._webhook_log: list[tuple[int, int, float]] = []
        self._commands: dict[tuple[str, str], list[dict]] = {}
        self._queries: dict[str, dict] = {}
        self._query_ids = itertools.count(4_123_456_789_000_001)
        self._file_ids = itertools.count(1)
        self._files: dict[str, dict] = {}
        self._faults: dict[str, list[_Fault]] = defaultdict(list)
        self._ratio: _Ratio | None = None
        self._inflight: dict[Any, int] = defaultdict(int)
        self._last_activity: dict[Any, float] = {}
        self._send_times: dict[Any, deque] = defaultdict(deque)
        self._all_send_times: deque = deque()
        self.logged_out = False
        self.closed = False

    # ---- lifecycle ---------------------------------------------------------------------------

    def start(self) -> BotApiStandIn:
        """Start serving in a background thread; returns self."""
        if self._server is not None:
            return self
        self._stop_event.clear()
        server = _Server((self.host, 0), _Handler)
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="botapi-standin", daemon=True)
        self._thread.start()
        self._webhook_thread = threading.Thread(target=self._webhook_loop, name="botapi-standin-webhook",
                                                daemon=True)
        self._webhook_thread.start()
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
        for thread in (self._thread, self._webhook_thread):
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

    def _track_connection(self, conn: socket.socket, alive: bool) -> None:
        with self._lock:
            if alive:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def _handle(self, handler: _Handler) -> None:
        started = time.monotonic()
        url = urllib.parse.urlsplit(handler.path)
        match = re.fullmatch(r"/bot([^/]+)/([A-Za-z0-9_]+)/?", url.path)
        if not match:
            _write(handler, 404, {"ok": False, "error_code": 404, "description": "Not Found"})
            return
        token, raw_method = match.groups()
        method = _CANONICAL.get(raw_method.lower(), raw_method)
        try:
            params = parse_request(handler.headers.get("Content-Type", ""), _read_body(handler), url.query)
        except Exception:  # noqa: BLE001 - a malformed body is the client's problem
            params = None

        with self._cond:
            if token not in self._tokens:
                self._tokens.append(token)
            self._token = token
            chat = self._chat_of(method, params or {})
            self._inflight[chat] += 1
            self._last_activity[chat] = started
            fault = None if (self.reject_token or params is None) else self._take_fault(method, chat)
            self._cond.notify_all()

        status, payload = 0, None
        try:
            if fault is not None and fault.kind == "delay":
                if self._sleep_unless_gone(handler, fault.delay):
                    raise _ClientGone
            with self._cond:
                try:
                    if self.reject_token:
                        raise ApiError(401, "Unauthorized")
                    if params is None:
                        raise _bad("can't parse request body")
                    if fault is not None and fault.kind == "error":
                        raise fault.error()
                    func = _METHODS.get(method)
                    if func is None:
                        raise ApiError(404, "Not Found: method not found")
                    self._check_flood(method, chat)
                    outcome = func(self, params, handler)
                    result, description = outcome if isinstance(outcome, tuple) else (outcome, None)
                    if method in SEND_METHODS or method in EDIT_METHODS:
                        self._note_send(chat)
                    status = 200
                    payload = {"ok": True, "result": result}
                    if description:
                        payload["description"] = description
                except ApiError as exc:
                    status, payload = exc.status, exc.payload()
                    fault_label = exc.fault or ("delay" if fault is not None else None)
                except _ClientGone:
                    raise
                except Exception:  # noqa: BLE001 - a bug in the stand-in: answer 500, keep the trace
                    self.internal_errors.append(traceback.format_exc())
                    status = 500
                    payload = {"ok": False, "error_code": 500, "description": "Internal Server Error: stand-in bug"}
                    fault_label = None
                else:
                    fault_label = "delay" if fault is not None else None
                self._record(method, params or {}, status, token, chat, started, payload, fault_label)
        except _ClientGone:
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

        written = _write(handler, status, payload)
        if written and method == "getUpdates" and status == 200:
            with self._cond:
                stamp = time.monotonic()
                for update in payload["result"]:
                    if isinstance(update, dict):
                        self._delivered.setdefault(update.get("update_id"), stamp)
                self._cond.notify_all()

    def _sleep_unless_gone(self, handler: _Handler, seconds: float) -> bool:
        """Sleep ``seconds``; return True early if the client hung up (or the server stops)."""
        deadline = time.monotonic() + seconds
        while True:
            if _peer_closed(handler.connection) or self._stop_event.is_set():
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
        waiter = self._chat_waiters.get(_norm_chat_id(chat_id))
        return waiter[0] if waiter else 0

    def wait_sent(self, chat_id: int | str, count: int, timeout: float = 30.0) -> bool:
        """Block until the bot has sent at least `count` messages to this chat, waking only for this
        chat (load tests with many users); False on timeout."""
        chat = _norm_chat_id(chat_id)
        with self._lock:
            waiter = self._chat_waiters.setdefault(chat, [0, threading.Condition(threading.Lock())])
        with waiter[1]:
            return waiter[1].wait_for(lambda: waiter[0] >= count, timeout)

    def _chat_of(self, method: str, params: dict) -> Any:
        if method == "answerCallbackQuery":
            query = self._queries.get(str(params.get("callback_query_id")))
            return query["chat_id"] if query else None
        return _norm_chat_id(params.get("chat_id"))

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
            fault = _Fault("delay", delay=delay, chat_id=_norm_chat_id(chat_id), remaining=times)
        else:
            if retry_after is not None and status == 500:
                status = 429
            if status == 429 and retry_after is None:
                retry_after = 1
            fault = _Fault("error", status=status, retry_after=retry_after, description=description,
                           chat_id=_norm_chat_id(chat_id), remaining=times)
        with self._lock:
            self._faults[_CANONICAL.get(method.lower(), method)].append(fault)

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
            if share <= 0 or not kinds:
                self._ratio = None
                return
            self._ratio = _Ratio(share, kinds, random.Random(seed),
                                 frozenset(methods) if methods is not None else None,
                                 frozenset(exclude), retry_after, delay)

    def clear_faults(self) -> None:
        """Forget every pending fault and switch ``fail_ratio`` off."""
        with self._lock:
            self._faults.clear()
            self._ratio = None

    def _take_fault(self, method: str, chat: Any) -> _Fault | None:
        queue = self._faults.get(method)
        if queue:
            for index, fault in enumerate(queue):
                if fault.chat_id is None or fault.chat_id == chat:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        del queue[index]
                    return fault
        ratio = self._ratio
        if ratio and method not in ratio.exclude and (ratio.methods is None or method in ratio.methods):
            if ratio.rng.random() < ratio.share:
                kind = ratio.rng.choice(ratio.kinds)
                if kind == "timeout":
                    return _Fault("delay", delay=ratio.delay)
                status = int(kind)
                return _Fault("error", status=status, retry_after=ratio.retry_after if status == 429 else None)
        return None

    def _check_flood(self, method: str, chat: Any) -> None:
        if method not in SEND_METHODS and method not in EDIT_METHODS:
            return
        now = time.monotonic()
        for limit, times in ((self.per_chat_limit, self._send_times[chat]), (self.global_limit, self._all_send_times)):
            if not limit:
                continue
            count, window = limit
            while times and now - times[0] >= window:
                times.popleft()
            if len(times) >= count:
                retry = max(1, math.ceil(window - (now - times[0])))
                raise ApiError(429, f"Too Many Requests: retry after {retry}", {"retry_after": retry})

    def _note_send(self, chat: Any) -> None:
        now = time.monotonic()
        self._send_times[chat].append(now)
        self._all_send_times.append(now)

    # ---- recorded calls and waiting ----------------------------------------------------------

    def calls(self, method: str | None = None, chat_id: int | str | None = None,
              since: float | None = None) -> list[Call]:
        """Recorded calls, oldest first, optionally only of ``method``, to ``chat_id`` and
        answered at or after ``since`` (a ``now()`` value)."""
        chat = _norm_chat_id(chat_id)
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
            return self._last_activity.get(_norm_chat_id(chat_id))

    def busy(self, chat_id: int | str | None) -> bool:
        """True while a call for this chat is being answered."""
        with self._lock:
            return self._inflight.get(_norm_chat_id(chat_id), 0) > 0

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

    def add_chat(self, chat_id: int | str, chat_type: str | None = None, *, title: str | None = None,
                 first_name: str = "Test") -> ChatState:
        """Make a chat known (a private chat for positive ids, a group for negative ids, unless
        ``chat_type`` says otherwise). Returns a snapshot."""
        with self._lock:
            return copy.deepcopy(self._ensure_chat(_norm_chat_id(chat_id), chat_type, first_name, title))

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
            state = self._chats.get(_norm_chat_id(chat_id))
            return copy.deepcopy(state) if state else None

    def chats(self) -> list[int | str]:
        """Ids of every known chat."""
        with self._lock:
            return list(self._chats)

    def messages(self, chat_id: int | str, include_deleted: bool = False) -> list[BotMessage]:
        """Snapshots of the bot's messages in this chat, oldest first (deleted ones only if asked)."""
        with self._lock:
            state = self._chats.get(_norm_chat_id(chat_id))
            if state is None:
                return []
            return [copy.deepcopy(m) for m in state.bot_messages.values() if include_deleted or not m.deleted]

    def message(self, chat_id: int | str, message_id: int) -> BotMessage | None:
        """A snapshot of one bot message (deleted ones included), or None."""
        with self._lock:
            state = self._chats.get(_norm_chat_id(chat_id))
            msg = state.bot_messages.get(int(message_id)) if state else None
            return copy.deepcopy(msg) if msg else None

    def last_message(self, chat_id: int | str) -> BotMessage | None:
        """The newest visible bot message in this chat, or None."""
        found = self.messages(chat_id)
        return found[-1] if found else None

    def screen(self, chat_id: int | str) -> list[str | None]:
        """What the user sees now: the content of every visible bot message, oldest first."""
        return [m.content for m in self.messages(chat_id)]

    def user_messages(self, chat_id: int | str) -> list[dict]:
        """Messages the test users sent in this chat (as Message dicts), oldest first."""
        with self._lock:
            state = self._chats.get(_norm_chat_id(chat_id))
            return copy.deepcopy(list(state.user_messages.values())) if state else []

    def block(self, chat_id: int | str, notify: bool = True) -> dict | None:
        """The user blocked the bot (or removed it from the group): every send or edit to this
        chat now answers 403. With ``notify``, a my_chat_member update (status "kicked") is
        queued, as Telegram does; it is returned."""
        with self._cond:
            state = self._ensure_chat(_norm_chat_id(chat_id))
            state.blocked = True
            if not notify:
                return None
            return self._push(self._member_update(state, "member", "kicked"))

    def unblock(self, chat_id: int | str, notify: bool = True) -> dict | None:
        """The user unblocked the bot; with ``notify`` a my_chat_member update is queued."""
        with self._cond:
            state = self._ensure_chat(_norm_chat_id(chat_id))
            state.blocked = False
            if not notify:
                return None
            return self._push(self._member_update(state, "kicked", "member"))

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

    @property
    def webhook_deliveries(self) -> list[tuple[int, int, float]]:
        """``(update_id, http_status, time)`` for every webhook delivery attempt (status 0: no
        connection)."""
        with self._lock:
            return list(self._webhook_log)

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
            kind = _update_type(update) if isinstance(update, dict) else None
            if kind in KNOWN_UPDATE_TYPES and kind not in self._allowed_updates:
                continue  # Telegram drops update types the bot did not ask for
            kept.append(update)
        self._updates = kept
        return copy.deepcopy(kept[:limit])

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
        chat_key = _norm_chat_id(chat_id)
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
        match = _COMMAND_RE.match(text)
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
            state = self._ensure_chat(_norm_chat_id(chat_id))
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
        as it is now (an InaccessibleMessage with date 0 if unknown or deleted). Nothing checks
        that the button exists: use it to forge presses of old or fake buttons."""
        with self._cond:
            chat_key = _norm_chat_id(chat_id)
            state = self._ensure_chat(chat_key)
            if user_id is None:
                user_id = chat_key if state.type == "private" and isinstance(chat_key, int) else DEFAULT_GROUP_USER_ID
            stored = state.bot_messages.get(int(message_id))
            if stored is not None and not stored.deleted:
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
                if self.deliver_webhooks and self._webhook.get("url"):
                    pending = self._take_updates(1)
                    if pending:
                        target = (self._webhook["url"], self._webhook.get("secret_token"), pending[0])
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
                self._webhook_log.append((update.get("update_id"), status, time.monotonic()))
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
        if _norm_markup(msg.reply_markup):
            body["reply_markup"] = copy.deepcopy(msg.reply_markup)
        if msg.edit_date:
            body["edit_date"] = msg.edit_date
        if msg.reply_to_message_id is not None:
            original = state.user_messages.get(msg.reply_to_message_id)
            if original is not None:
                body["reply_to_message"] = copy.deepcopy(original)
        return body

    def _target_chat(self, params: dict) -> ChatState:
        chat_id = _norm_chat_id(params.get("chat_id"))
        if chat_id is None:
            raise _bad("chat_id is empty")
        state = self._chats.get(chat_id)
        if state is None:
            if self.strict_chats:
                raise _bad("chat not found")
            state = self._ensure_chat(chat_id)
        if state.blocked:
            raise ApiError(403, BLOCKED_BY_USER if state.type == "private" else KICKED_FROM_GROUP)
        return state

    @staticmethod
    def _check_markup(markup: Any, inline_only: bool = False) -> dict | None:
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
            for row in rows:
                for button in row:
                    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
                        raise _bad("can't parse inline keyboard button: Field \"text\" must be of type String")
                    if not any(key in _INLINE_BUTTON_ACTIONS for key in button):
                        raise _bad("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
                    if "callback_data" in button:
                        data = button["callback_data"]
                        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA:
                            raise _bad("BUTTON_DATA_INVALID")
                    if "url" in button and not button["url"]:
                        raise _bad("BUTTON_URL_INVALID")
            return markup
        if inline_only:
            raise _bad("inline keyboard expected")
        if "keyboard" in markup:
            rows = markup["keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('field "keyboard" of the ReplyKeyboardMarkup must be an Array of Arrays')
            return markup
        if markup.get("remove_keyboard") or "force_reply" in markup:
            return markup
        raise _bad("can't parse reply keyboard markup JSON object")

    def _new_bot_message(self, state: ChatState, params: dict, kind: str, **fields: Any) -> BotMessage:
        markup = self._check_markup(params.get("reply_markup"))
        reply_to = params.get("reply_to_message_id")
        if isinstance(params.get("reply_parameters"), dict):
            reply_to = params["reply_parameters"].get("message_id", reply_to)
        msg = BotMessage(chat_id=state.id, message_id=state.next_message_id, date=int(time.time()), kind=kind,
                         reply_markup=markup, parse_mode=params.get("parse_mode"),
                         reply_to_message_id=reply_to if isinstance(reply_to, int) else None,
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
        text, entities = format_text(str(caption), params.get("parse_mode"), params.get("caption_entities"))
        if utf16_len(text) > MAX_CAPTION:
            raise _bad("message caption is too long")
        return text, entities

    def _find_bot_message(self, params: dict) -> BotMessage:
        if params.get("inline_message_id") is not None:
            raise _bad("MESSAGE_ID_INVALID")
        state = self._target_chat(params)
        message_id = params.get("message_id")
        if not isinstance(message_id, int):
            raise _bad("message identifier is not specified")
        msg = state.bot_messages.get(message_id)
        if msg is None and message_id in state.user_messages:
            raise _bad("message can't be edited")
        if msg is None or msg.deleted:
            raise _bad("message to edit not found")
        return msg

    def _apply_edit(self, msg: BotMessage, method: str, text: str | None, caption: str | None,
                    entities: list[dict], markup: dict | None) -> dict:
        same_content = (text, caption, entities) == (msg.text, msg.caption, msg.entities)
        if same_content and _norm_markup(markup) == _norm_markup(msg.reply_markup):
            raise _bad(NOT_MODIFIED[len("Bad Request: "):])
        msg.text, msg.caption, msg.entities, msg.reply_markup = text, caption, entities, copy.deepcopy(markup)
        msg.edit_date = int(time.time())
        msg.edits.append(Edit(time.monotonic(), method, text, caption, copy.deepcopy(markup)))
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
            raise _bad(f"there is no {kind} in the request")
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

    def _api_getMe(self, params: dict, handler: _Handler) -> dict:
        return {**self.bot_user(), "can_join_groups": True, "can_read_all_group_messages": not self.privacy_mode,
                "supports_inline_queries": False, "can_connect_to_business": False, "has_main_web_app": False}

    def _api_logOut(self, params: dict, handler: _Handler) -> bool:
        self.logged_out = True
        return True

    def _api_close(self, params: dict, handler: _Handler) -> bool:
        self.closed = True
        return True

    def _api_deleteWebhook(self, params: dict, handler: _Handler) -> tuple[bool, str]:
        had = bool(self._webhook.get("url"))
        self._webhook = {}
        if params.get("drop_pending_updates"):
            self._updates = []
        return True, "Webhook was deleted" if had else "Webhook is already deleted"

    def _api_setWebhook(self, params: dict, handler: _Handler) -> tuple[bool, str]:
        url = params.get("url") or ""
        if not url:
            return self._api_deleteWebhook(params, handler)
        parts = urllib.parse.urlsplit(str(url))
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _bad("bad webhook: Failed to resolve host: Name or service not known")
        if self.require_https_webhook and parts.scheme != "https":
            raise _bad("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not _SECRET_TOKEN_RE.fullmatch(str(secret)):
            raise _bad("secret token contains unallowed characters")
        if params.get("drop_pending_updates"):
            self._updates = []
        self._set_allowed(params.get("allowed_updates"))
        self._webhook = {"url": str(url), "secret_token": secret,
                         "max_connections": params.get("max_connections", 40),
                         "ip_address": params.get("ip_address")}
        self._cond.notify_all()
        return True, "Webhook was set"

    def _api_getWebhookInfo(self, params: dict, handler: _Handler) -> dict:
        info: dict[str, Any] = {"url": self._webhook.get("url", ""), "has_custom_certificate": False,
                                "pending_update_count": len(self._updates)}
        if self._webhook.get("url"):
            info["max_connections"] = self._webhook.get("max_connections", 40)
            if self._allowed_updates != DEFAULT_UPDATE_TYPES:
                info["allowed_updates"] = sorted(self._allowed_updates)
            for key in ("ip_address", "last_error_date", "last_error_message"):
                if self._webhook.get(key) is not None:
                    info[key] = self._webhook[key]
        return info

    def _set_allowed(self, allowed: Any) -> None:
        if allowed is None:
            return
        if not isinstance(allowed, list):
            raise _bad("can't parse allowed updates: must be an Array")
        self._allowed_updates = frozenset(allowed) if allowed else DEFAULT_UPDATE_TYPES

    def _api_getUpdates(self, params: dict, handler: _Handler) -> list[dict]:
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
                if _peer_closed(handler.connection):
                    raise _ClientGone
        finally:
            self._polling -= 1

    @staticmethod
    def _checked_text(params: dict, too_long: str) -> tuple[str, str, list[dict]]:
        """The call's text as sent, as shown, and its entities; refused as Telegram does when empty
        (before or after formatting) or over 4096 UTF-16 units (``too_long`` is the wording)."""
        raw = params.get("text")
        if raw is None or str(raw) == "":
            raise _bad("message text is empty")
        text, entities = format_text(str(raw), params.get("parse_mode"), params.get("entities"))
        if not text.strip():
            raise _bad("message text is empty")
        if utf16_len(text) > MAX_TEXT:
            raise _bad(too_long)
        return str(raw), text, entities

    def _api_sendMessage(self, params: dict, handler: _Handler) -> dict:
        state = self._target_chat(params)
        raw, text, entities = self._checked_text(params, "message is too long")
        msg = self._new_bot_message(state, params, "text", text=text, entities=entities, raw_text=raw)
        return self._message_dict(msg)

    def _api_sendPhoto(self, params: dict, handler: _Handler) -> dict:
        state = self._target_chat(params)
        caption, entities = self._caption(params)
        file_id, unique, info = self._file_stub(params.get("photo"), "photo", params)
        size = info.get("size") or 0
        photo = [{"file_id": f"{file_id}{suffix}" if suffix else file_id, "file_unique_id": f"{unique}{suffix}",
                  "width": width, "height": height, "file_size": max(1, size * width // 1280)}
                 for suffix, width, height in (("_s", 90, 60), ("_m", 320, 213), ("", 1280, 853))]
        upload = params.get("photo") if isinstance(params.get("photo"), UploadedFile) else None
        msg = self._new_bot_message(state, params, "photo", caption=caption, entities=entities, photo=photo,
                                    upload=upload, raw_text=params.get("caption"))
        return self._message_dict(msg)

    def _api_sendDocument(self, params: dict, handler: _Handler) -> dict:
        state = self._target_chat(params)
        caption, entities = self._caption(params)
        file_id, unique, info = self._file_stub(params.get("document"), "document", params)
        name = info.get("filename") or "document"
        document = {"file_id": file_id, "file_unique_id": unique, "file_name": name,
                    "mime_type": info.get("content_type") or mimetypes.guess_type(name)[0] or "application/octet-stream",
                    "file_size": info.get("size") or 0}
        upload = params.get("document") if isinstance(params.get("document"), UploadedFile) else None
        msg = self._new_bot_message(state, params, "document", caption=caption, entities=entities,
                                    document=document, upload=upload, raw_text=params.get("caption"))
        return self._message_dict(msg)

    def _api_editMessageText(self, params: dict, handler: _Handler) -> dict:
        msg = self._find_bot_message(params)
        if msg.kind != "text":
            raise _bad("there is no text in the message to edit")
        raw, text, entities = self._checked_text(params, "MESSAGE_TOO_LONG")
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        msg.raw_text = raw
        return self._apply_edit(msg, "editMessageText", text, None, entities, markup)

    def _api_editMessageCaption(self, params: dict, handler: _Handler) -> dict:
        msg = self._find_bot_message(params)
        if msg.kind == "text":
            raise _bad("there is no caption in the message to edit")
        caption, entities = self._caption(params)
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(msg, "editMessageCaption", None, caption, entities, markup)

    def _api_editMessageReplyMarkup(self, params: dict, handler: _Handler) -> dict:
        msg = self._find_bot_message(params)
        markup = self._check_markup(params.get("reply_markup"), inline_only=True)
        return self._apply_edit(msg, "editMessageReplyMarkup", msg.text, msg.caption, msg.entities, markup)

    def _api_deleteMessage(self, params: dict, handler: _Handler) -> bool:
        state = self._target_chat(params)
        message_id = params.get("message_id")
        msg = state.bot_messages.get(message_id) if isinstance(message_id, int) else None
        if msg is not None and not msg.deleted:
            msg.deleted = True
            return True
        if message_id in state.user_messages and message_id not in state.deleted_user_messages:
            state.deleted_user_messages.add(message_id)
            return True
        raise _bad("message to delete not found")

    def _api_sendChatAction(self, params: dict, handler: _Handler) -> bool:
        state = self._target_chat(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        state.actions.append(action)
        return True

    def _api_answerCallbackQuery(self, params: dict, handler: _Handler) -> bool:
        query = self._queries.get(str(params.get("callback_query_id")))
        if query is None or query["answered"]:
            raise _bad(QUERY_TOO_OLD[len("Bad Request: "):])
        if self.callback_ttl is not None and time.monotonic() - query["time"] > self.callback_ttl:
            raise _bad(QUERY_TOO_OLD[len("Bad Request: "):])
        text = params.get("text")
        if text is not None and utf16_len(str(text)) > MAX_CALLBACK_ANSWER:
            raise _bad("MESSAGE_TOO_LONG")
        query["answered"] = True
        query["answer"] = copy.deepcopy(params)
        return True

    def _api_setMyCommands(self, params: dict, handler: _Handler) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands")
        for command in commands:
            if not isinstance(command, dict) or not _BOT_COMMAND_NAME_RE.fullmatch(str(command.get("command", ""))):
                raise _bad("BOT_COMMAND_INVALID")
            description = command.get("description")
            if not isinstance(description, str) or not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
        self._commands[self._scope_key(params.get("scope"), params.get("language_code"))] = copy.deepcopy(commands)
        return True

    def _api_getMyCommands(self, params: dict, handler: _Handler) -> list[dict]:
        return copy.deepcopy(self._commands.get(self._scope_key(params.get("scope"), params.get("language_code")), []))

    def _api_deleteMyCommands(self, params: dict, handler: _Handler) -> bool:
        self._commands.pop(self._scope_key(params.get("scope"), params.get("language_code")), None)
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
