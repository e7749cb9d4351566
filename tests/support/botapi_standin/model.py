"""What the stand-in keeps and checks: Telegram's limits and error texts, the chats with the bot's messages
and their edits, every recorded call, and the error answer a Bot API call can end with."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
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
EDIT_METHODS = frozenset({"editMessageText"})
#: Everything a user can notice in the chat.
VISIBLE_METHODS = SEND_METHODS | EDIT_METHODS
PARSE_MODE_REFUSED = "parse_mode is not supported by the stand-in: CrampBot sends plain text"

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

INLINE_BUTTON_ACTIONS = frozenset({
    "url", "callback_data", "web_app", "login_url", "switch_inline_query",
    "switch_inline_query_current_chat", "switch_inline_query_chosen_chat", "copy_text",
    "callback_game", "pay",
})
COMMAND_RE = re.compile(r"/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{1,64})?")
BOT_COMMAND_NAME_RE = re.compile(r"[a-z0-9_]{1,32}")
SECRET_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,256}")


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
    """One successful edit of a bot message's text: the text and keyboard after the edit."""

    time: float
    text: str
    reply_markup: dict | None


@dataclass
class BotMessage:
    """A message the bot sent, in its current state (after edits).

    ``text``/``caption`` are what the user reads. ``reply_markup`` is the markup as sent (inline
    or reply keyboard). ``sent_text``/``sent_caption``/``sent_reply_markup`` keep the original
    before any edit. ``seq`` is the sequence number of the call that created it.
    """

    chat_id: int | str
    message_id: int
    date: int
    kind: str = "text"
    text: str | None = None
    caption: str | None = None
    entities: list = field(default_factory=list)
    reply_markup: dict | None = None
    photo: list | None = None
    document: dict | None = None
    upload: UploadedFile | None = None
    reply_to_message_id: int | None = None
    sent_text: str | None = None
    sent_caption: str | None = None
    sent_reply_markup: dict | None = None
    edits: list[Edit] = field(default_factory=list)
    edit_date: int | None = None
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
        return [first] + [e.text for e in self.edits]

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
    blocked: bool = False
    reply_keyboard: list[list[str]] | None = None

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


def bad(description: str) -> ApiError:
    """A 400 answer with Telegram's "Bad Request: " before the description."""
    return ApiError(400, f"Bad Request: {description}")


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, the unit Telegram uses for lengths and entity offsets."""
    return len(text.encode("utf-16-le")) // 2


def plain_text(text: str, params: dict, entities_field: str) -> tuple[str, list[dict]]:
    """The text as Telegram stores it and its entities (sent explicitly, or none); a parse_mode is refused."""
    if params.get("parse_mode") is not None:
        raise bad(PARSE_MODE_REFUSED)
    return text, list(params.get(entities_field) or [])
