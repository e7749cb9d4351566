"""A fake Telegram Bot API server for tests: no network, no Telegram.

``BotApiStandIn`` listens on 127.0.0.1 (an ephemeral port) in a background thread and answers
the Bot API calls CrampBot makes, the way Telegram does: the same envelope, the same HTTP status
codes, the same error descriptions for the mistakes a bot can make (editing a message to the
same content, answering a callback query twice, a too long text, callback data over 64 bytes,
a user who blocked the bot...). CrampBot sends plain text, so a call with a ``parse_mode`` is
refused (400): a change that starts formatting messages has to teach the stand-in first.

Point the bot at it with ``ApplicationBuilder().base_url(standin.base_url)`` (or
``telegram.Bot(token, base_url=standin.base_url)``); PTB appends ``{token}/{method}``.

Tests act as users (``user_text``, ``press``, ``user_photo``...), which queues updates for
``getUpdates`` (or delivers them to a webhook set with ``setWebhook``), and then look at what
the bot did: every call is recorded (``calls``), and every chat keeps the messages the bot sent
with their edits (``messages``), so a test can ask what the user sees now.

Faults can be injected (``fail``, ``fail_ratio``): HTTP errors, Telegram's flood control (429
with retry_after) and slow answers that make the client time out. A faulted call changes nothing.

Everything is thread-safe: one lock guards all state, and a Condition on it is notified on every
recorded call and every queued update, which the ``wait_*`` helpers use (no fixed sleeps).

The parts: ``server`` (BotApiStandIn: the Bot API methods, the chats, the users), ``model`` (what it
keeps and Telegram's limits), ``faults`` (what a test can make go wrong) and ``wire`` (HTTP and
request decoding).
"""

from tests.support.botapi_standin.model import (
    BOT_USERNAME,
    EDIT_METHODS,
    NOT_MODIFIED,
    SEND_METHODS,
    VISIBLE_METHODS,
    ApiError,
    BotMessage,
    Call,
    ChatState,
    Edit,
    UploadedFile,
    WaitTimeout,
)
from tests.support.botapi_standin.server import BotApiStandIn

__all__ = ["BOT_USERNAME", "EDIT_METHODS", "NOT_MODIFIED", "SEND_METHODS", "VISIBLE_METHODS", "ApiError",
           "BotApiStandIn", "BotMessage", "Call", "ChatState", "Edit", "UploadedFile", "WaitTimeout"]
