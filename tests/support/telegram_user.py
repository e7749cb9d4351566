"""A user-level Telegram test client on top of ``BotApiStandIn``.

``TelegramUser`` is one user in one chat. It types, presses buttons and sends media the way a
person would, waits until the bot has answered and gone quiet, and reads what is on the screen::

    user = TelegramUser(standin, chat_id=42)
    replies = user.send("/start")
    assert "cramp" in user.last_text.lower()
    user.press("Relief")            # an inline button whose label contains "Relief"
    user.expect_silence(0.5)

Waiting is event-driven (the stand-in's Condition), never a fixed sleep; every wait has a
timeout and fails with an AssertionError that lists the last calls the bot made.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from tests.support.botapi_standin import (
    BOT_USERNAME,
    SEND_METHODS,
    VISIBLE_METHODS,
    BotApiStandIn,
    BotMessage,
    Call,
    WaitTimeout,
)


class TelegramUser:
    """One user talking to the bot in one chat (private by default; a negative ``chat_id`` is a
    group, where ``user_id`` tells who is speaking).

    ``quiet`` is how long the chat must stay without bot calls before an action counts as
    answered; ``timeout`` bounds every wait.
    """

    def __init__(self, standin: BotApiStandIn, chat_id: int, user_id: int | None = None, *,
                 first_name: str = "Test", chat_type: str | None = None, quiet: float = 0.3,
                 timeout: float = 10.0) -> None:
        self.standin = standin
        self.chat_id = chat_id
        self.user_id = user_id
        self.first_name = first_name
        if chat_type is None:
            chat_type = "private" if chat_id > 0 else ("supergroup" if str(chat_id).startswith("-100") else "group")
        self.chat_type = chat_type
        self.quiet = quiet
        self.timeout = timeout
        #: Every update this user caused, oldest first.
        self.updates: list[dict] = []
        #: The parameters of the bot's answerCallbackQuery for the last press (toast/alert text).
        self.last_answer: dict | None = None
        #: The messages returned by the last action.
        self.last_reply: list[BotMessage] = []

    def __repr__(self) -> str:
        return f"TelegramUser(chat_id={self.chat_id}, user_id={self.user_id})"

    # ---- acting --------------------------------------------------------------------------------

    def _who(self) -> dict[str, Any]:
        return {"user_id": self.user_id, "chat_type": self.chat_type, "first_name": self.first_name}

    def _act(self, push: Callable[[], dict], what: str, *, expect_reply: bool, timeout: float | None,
             wait_answer: bool = False) -> list[BotMessage]:
        """Push an update, wait until the bot is done with it, return the bot's new messages."""
        start = self.standin.call_count
        update = push()
        self.updates.append(update)
        update_id = update.get("update_id")
        if self.standin.privacy_filtered(update_id):
            raise AssertionError(
                f"{what}: the bot never receives this group message (privacy mode: not a command, "
                f"no @{BOT_USERNAME} mention, not a reply to the bot)")
        query_id = str(update["callback_query"]["id"]) if wait_answer else None
        chat = self.chat_id

        def settled() -> bool:
            calls = self.standin.calls_after(start)
            if query_id is not None and not any(
                    c.method == "answerCallbackQuery" and str(c.params.get("callback_query_id")) == query_id
                    and c.ok for c in calls):  # a failed answer may still be retried by the bot
                return False
            if expect_reply:
                if not any(c.method in SEND_METHODS and c.ok and c.chat_id == chat for c in calls):
                    return False
            elif query_id is None:
                delivered = self.standin.delivered(update_id)
                if delivered is None or time.monotonic() - delivered < self.quiet:
                    return False
            return self.standin.is_quiet(chat, self.quiet)

        try:
            self.standin.wait_for(settled, timeout if timeout is not None else self.timeout,
                                  f"the bot to handle {what} in chat {chat}")
        except WaitTimeout as exc:
            raise WaitTimeout(f"{exc}{self._failures(start)}") from None
        if query_id is not None:
            answers = [c for c in self.standin.calls_after(start) if c.method == "answerCallbackQuery"
                       and str(c.params.get("callback_query_id")) == query_id]
            if not any(c.ok for c in answers):
                raise AssertionError(f"{what}: answerCallbackQuery failed: {[str(c) for c in answers]}")
            self.last_answer = self.standin.callback_answer(query_id)
        self.last_reply = [m for m in self.standin.messages(chat) if m.seq >= start]
        return list(self.last_reply)

    def _failures(self, start: int) -> str:
        failed = [str(c) for c in self.standin.calls_after(start) if c.chat_id == self.chat_id and not c.ok]
        return ("\nfailed calls for this chat:\n  " + "\n  ".join(failed)) if failed else ""

    def send(self, text: str, *, expect_reply: bool = True, reply_to: int | None = None,
             timeout: float | None = None) -> list[BotMessage]:
        """Type ``text`` (commands get their bot_command entity); wait until the bot has sent at
        least one message here and the chat is quiet; return the messages sent meanwhile (as they
        are now). With ``expect_reply=False`` only wait until the bot
        fetched the update and stayed quiet. ``reply_to`` replies to a message id."""
        return self._act(lambda: self.standin.user_text(self.chat_id, text, reply_to_message_id=reply_to,
                                                        **self._who()),
                         f"text {text!r}", expect_reply=expect_reply, timeout=timeout)

    def press(self, label: str, *, timeout: float | None = None) -> list[BotMessage]:
        """Press the inline button whose label contains ``label`` (case-insensitive; an exact
        label wins) on the newest bot message that has one; wait until the bot answered the
        callback query and the chat is quiet; return new messages (edits show in ``last_text``)."""
        for msg in reversed(self.messages):
            button = msg.find_button(label) if msg.inline_keyboard else None
            if button is not None:
                break
        else:
            raise AssertionError(f"no inline button matching {label!r} in chat {self.chat_id}; "
                                 f"buttons on the newest keyboard: {self.buttons}")
        if "callback_data" not in button:
            raise AssertionError(f"button {button.get('text')!r} is not a callback button: {button}")
        return self.press_data(msg.message_id, button["callback_data"], timeout=timeout)

    def press_data(self, message_id: int, data: str, *, expect_answer: bool = True,
                   timeout: float | None = None) -> list[BotMessage]:
        """Press a button with any ``data`` under any message id (old or forged buttons). With
        ``expect_answer`` (default) the bot must answer the callback query successfully."""
        return self._act(lambda: self.standin.press(self.chat_id, message_id, data, user_id=self.user_id,
                                                    first_name=self.first_name),
                         f"button data {data!r} on message {message_id}", expect_reply=False,
                         timeout=timeout, wait_answer=expect_answer)

    def _media(self, name: str, push: Callable[..., dict], expect_reply: bool, timeout: float | None,
               **kwargs: Any) -> list[BotMessage]:
        return self._act(lambda: push(self.chat_id, **kwargs, **self._who()), name,
                         expect_reply=expect_reply, timeout=timeout)

    def sticker(self, *, expect_reply: bool = True, timeout: float | None = None) -> list[BotMessage]:
        """Send a sticker (see ``send`` for waiting and the result)."""
        return self._media("a sticker", self.standin.user_sticker, expect_reply, timeout)

    def photo(self, caption: str | None = None, *, expect_reply: bool = True,
              timeout: float | None = None) -> list[BotMessage]:
        """Send a photo, with an optional caption."""
        return self._media("a photo", self.standin.user_photo, expect_reply, timeout, caption=caption)

    def voice(self, *, expect_reply: bool = True, timeout: float | None = None) -> list[BotMessage]:
        """Send a voice message."""
        return self._media("a voice message", self.standin.user_voice, expect_reply, timeout)

    def video(self, caption: str | None = None, *, expect_reply: bool = True,
              timeout: float | None = None) -> list[BotMessage]:
        """Send a video."""
        return self._media("a video", self.standin.user_video, expect_reply, timeout, caption=caption)

    def location(self, latitude: float = 52.52, longitude: float = 13.405, *, expect_reply: bool = True,
                 timeout: float | None = None) -> list[BotMessage]:
        """Share a location."""
        return self._media("a location", self.standin.user_location, expect_reply, timeout,
                           latitude=latitude, longitude=longitude)

    def contact(self, phone_number: str = "+15550100", *, expect_reply: bool = True,
                timeout: float | None = None) -> list[BotMessage]:
        """Share a contact."""
        return self._media("a contact", self.standin.user_contact, expect_reply, timeout,
                           phone_number=phone_number)

    def document(self, file_name: str = "notes.pdf", caption: str | None = None, *, expect_reply: bool = True,
                 timeout: float | None = None) -> list[BotMessage]:
        """Send a document."""
        return self._media("a document", self.standin.user_document, expect_reply, timeout,
                           file_name=file_name, caption=caption)

    def edit(self, message_id: int, new_text: str, *, expect_reply: bool = False,
             timeout: float | None = None) -> list[BotMessage]:
        """Edit one of this user's messages (an edited_message update); by default only wait
        until the bot fetched it and stayed quiet."""
        return self._act(lambda: self.standin.edit_user_message(self.chat_id, message_id, new_text),
                         f"an edit of message {message_id}", expect_reply=expect_reply, timeout=timeout)

    def block(self) -> None:
        """Block the bot: from now on every send or edit to this chat answers 403."""
        self.standin.block(self.chat_id)

    def expect_silence(self, seconds: float = 1.0) -> None:
        """Assert the bot does not send or edit a message in this chat for ``seconds`` (failed
        attempts count too: the bot tried)."""
        start = self.standin.call_count
        chat = self.chat_id

        def noise() -> list[Call]:
            return [c for c in self.standin.calls_after(start) if c.chat_id == chat and c.method in VISIBLE_METHODS]

        try:
            found = self.standin.wait_for(noise, seconds, "silence")
        except WaitTimeout:
            return
        raise AssertionError(f"expected silence in chat {chat} for {seconds}s, but the bot made: "
                             f"{[str(c) for c in found]}")

    # ---- looking at the chat -------------------------------------------------------------------

    @property
    def messages(self) -> list[BotMessage]:
        """Every message the bot sent in this chat, oldest first, as it is now."""
        return self.standin.messages(self.chat_id)

    @property
    def last_message(self) -> BotMessage | None:
        """The newest bot message."""
        messages = self.messages
        return messages[-1] if messages else None

    @property
    def last_text(self) -> str | None:
        """Text (or caption) of the newest bot message, after edits."""
        msg = self.last_message
        return msg.content if msg else None

    @property
    def buttons(self) -> list[str]:
        """Labels of the inline buttons on the newest message that has an inline keyboard."""
        for msg in reversed(self.messages):
            if msg.inline_keyboard:
                return msg.buttons
        return []

    @property
    def reply_keyboard(self) -> list[str]:
        """Labels of the reply keyboard currently shown (empty when none)."""
        state = self.standin.chat(self.chat_id)
        rows = state.reply_keyboard if state else None
        return [label for row in rows or [] for label in row]

    def mark(self) -> int:
        """The current number of bot messages, for ``texts_since``."""
        return len(self.messages)

    def texts_since(self, n: int) -> list[str | None]:
        """Texts (or captions) of the bot messages from index ``n`` on."""
        return [m.content for m in self.messages[n:]]

    @property
    def all_texts(self) -> list[str | None]:
        """Texts of every bot message, oldest first."""
        return [m.content for m in self.messages]
