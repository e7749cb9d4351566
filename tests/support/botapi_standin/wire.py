"""The Bot API on the wire: requests decoded from a query string and a form, multipart or JSON body; answers
written in Telegram's envelope; the threaded HTTP server the stand-in runs on."""

from __future__ import annotations

import json
import re
import select
import socket
import sys
import traceback
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.support.botapi_standin.model import UploadedFile


class ClientGone(Exception):
    """The client closed the connection before the answer was ready."""

# Parameters whose values are plain strings on the wire and must never be JSON-decoded
# (a user may well send the text "123" or "true").
_STRING_FIELDS = frozenset({
    "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url", "secret_token",
    "ip_address", "language_code", "description", "short_description", "name", "title",
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


def norm_chat_id(value: Any) -> int | str | None:
    """A chat id as the stand-in keys chats: an int, or a @channel name; None when missing."""
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


def peer_closed(sock: socket.socket) -> bool:
    """True when the client has closed its side of the connection."""
    try:
        readable, _, _ = select.select([sock], [], [], 0)
        if not readable:
            return False
        return sock.recv(1, socket.MSG_PEEK) == b""
    except (OSError, ValueError):
        return True


def norm_markup(markup: Any) -> str | None:
    """A comparable form of the inline keyboard (None when there is none)."""
    if not isinstance(markup, dict) or not markup.get("inline_keyboard"):
        return None
    return json.dumps(markup["inline_keyboard"], sort_keys=True)


def update_type(update: dict) -> str | None:
    """The kind of an update: its one key besides update_id."""
    for key in update:
        if key != "update_id":
            return key
    return None


class Handler(BaseHTTPRequestHandler):
    """One HTTP connection (keep-alive) to the stand-in: each request goes to its ``serve_request``."""

    protocol_version = "HTTP/1.1"
    server_version = "BotApiStandIn/1.0"
    sys_version = ""
    disable_nagle_algorithm = True  # small answers must not wait for delayed ACKs

    def setup(self) -> None:
        super().setup()
        self.server.standin.track_connection(self.connection, True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.standin.track_connection(self.connection, False)  # type: ignore[attr-defined]

    def do_POST(self) -> None:
        self.server.standin.serve_request(self)  # type: ignore[attr-defined]

    do_GET = do_POST

    def log_message(self, format: str, *args: Any) -> None:
        pass


class Server(ThreadingHTTPServer):
    """A thread per connection; a bug in the stand-in is kept in its ``internal_errors``."""

    daemon_threads = True
    block_on_close = False
    request_queue_size = 256  # many parallel connects (PTB's pool is large) must not overflow

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # client went away: not our problem
            return
        self.standin.internal_errors.append(traceback.format_exc())  # type: ignore[attr-defined]


def read_body(handler: BaseHTTPRequestHandler) -> bytes:
    """The request body, with a Content-Length or chunked."""
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


def write_answer(handler: BaseHTTPRequestHandler, status: int, payload: dict) -> bool:
    """Write a JSON answer; False when the client has gone."""
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
