"""Tests of the Bot API stand-in itself, driven by PTB's own ``telegram.Bot`` (no CrampBot)."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
import urllib.error
import urllib.request
import warnings

import pytest
from telegram import Bot, BotCommandScopeAllPrivateChats, InlineKeyboardButton, InlineKeyboardMarkup, Message
from telegram.error import (
    BadRequest,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.support.botapi_standin import BOT_USERNAME, NOT_MODIFIED, BotApiStandIn
from tests.support.telegram_user import TelegramUser

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
CHAT = 4242


def make_bot(standin: BotApiStandIn, **kwargs) -> Bot:
    """A PTB Bot pointed at the stand-in."""
    return Bot(TOKEN, base_url=standin.base_url, **kwargs)


def keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    """One row of callback buttons from (label, data) pairs."""
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=data) for label, data in pairs]])


async def test_get_me_describes_the_bot_and_records_the_token(standin):
    """getMe answers the bot user the spec describes; the token is recorded."""
    async with make_bot(standin) as bot:
        me = await bot.get_me()
    assert me.is_bot and me.first_name == "CrampBot" and me.username == BOT_USERNAME
    assert me.id == 123456  # the token's prefix, as on Telegram
    assert me.can_read_all_group_messages is False and me.supports_inline_queries is False
    assert standin.token == TOKEN
    assert all(c.ok for c in standin.calls("getMe"))


async def test_send_message_returns_a_message_ptb_accepts_and_keeps_chat_state(standin):
    """sendMessage returns a full Message (keyboard echoed) and the chat keeps it."""
    async with make_bot(standin) as bot:
        first = await bot.send_message(CHAT, "Stretch your calf & breathe",
                                       reply_markup=keyboard(("Done", "done"), ("Help", "help")))
        second = await bot.send_message(CHAT, "123")
    assert isinstance(first, Message)
    assert first.text == "Stretch your calf & breathe"
    assert first.chat.id == CHAT and first.chat.type == "private"
    assert first.from_user.is_bot and first.from_user.username == BOT_USERNAME
    assert first.reply_markup.inline_keyboard[0][1].callback_data == "help"
    assert second.message_id == first.message_id + 1
    assert second.text == "123"  # string parameters are never JSON-decoded

    call = standin.calls("sendMessage", chat_id=CHAT)[0]
    assert call.params["chat_id"] == CHAT and isinstance(call.params["reply_markup"], dict)
    stored = standin.messages(CHAT)
    assert [m.text for m in stored] == ["Stretch your calf & breathe", "123"]
    assert stored[0].buttons == ["Done", "Help"]


async def test_edit_to_the_same_content_raises_bad_request_like_telegram(standin):
    """An edit that changes neither text nor keyboard is refused with Telegram's words."""
    markup = keyboard(("Next", "next"))
    async with make_bot(standin) as bot:
        sent = await bot.send_message(CHAT, "Step 1", reply_markup=markup)
        with pytest.raises(BadRequest, match="(?i)message is not modified"):
            await bot.edit_message_text("Step 1", chat_id=CHAT, message_id=sent.message_id, reply_markup=markup)
        edited = await bot.edit_message_text("Step 2", chat_id=CHAT, message_id=sent.message_id,
                                             reply_markup=markup)
        # Same text, keyboard dropped: that is a change.
        await bot.edit_message_text("Step 2", chat_id=CHAT, message_id=sent.message_id)
        with pytest.raises(BadRequest, match="(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=CHAT, message_id=999)
    assert edited.text == "Step 2" and edited.edit_date is not None
    not_modified = standin.calls("editMessageText")[0]
    assert not_modified.http_status == 400 and not_modified.description == NOT_MODIFIED
    msg = standin.message(CHAT, sent.message_id)
    assert msg.history == ["Step 1", "Step 2", "Step 2"] and msg.buttons == []


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_injected_429_raises_retry_after_and_sends_nothing(standin):
    """An injected 429 becomes RetryAfter with the right delay; the faulted send changes nothing."""
    standin.fail("sendMessage", status=429, retry_after=7)
    async with make_bot(standin) as bot:
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "hello")
        await bot.send_message(CHAT, "again")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecation notice about int retry_after
        assert caught.value.retry_after in (7, dtm.timedelta(seconds=7))
    failed, ok = standin.calls("sendMessage")
    assert (failed.http_status, failed.fault) == (429, "429") and ok.ok
    assert [m.text for m in standin.messages(CHAT)] == ["again"]


async def test_injected_500_raises_network_error(standin):
    """An injected 500 becomes a plain NetworkError."""
    standin.fail("sendMessage", status=500)
    async with make_bot(standin) as bot:
        with pytest.raises(NetworkError) as caught:
            await bot.send_message(CHAT, "hello")
    assert type(caught.value) is NetworkError  # not BadRequest / TimedOut (its subclasses)
    assert standin.messages(CHAT) == []


async def test_injected_delay_beyond_the_read_timeout_raises_timed_out(standin):
    """A slow answer makes the client time out; the abandoned call is not applied."""
    standin.fail("sendMessage", delay=3)
    async with make_bot(standin, request=HTTPXRequest(read_timeout=0.3)) as bot:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "slow")
        assert time.monotonic() - started < 2
    call = (await asyncio.to_thread(standin.wait_calls, "sendMessage", CHAT, 1, None, 5))[0]
    assert (call.http_status, call.fault) == (0, "timeout")
    assert standin.messages(CHAT) == []  # the client gave up: nothing was applied


async def test_get_updates_long_poll_returns_a_queued_command_at_once(standin):
    """A waiting long poll returns as soon as a user types a command; offset confirms it."""
    async with make_bot(standin) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.to_thread(standin.wait_for, lambda: standin.polling > 0, 5)
        queued_at = time.monotonic()
        queued = standin.user_text(CHAT, "/start")
        updates = await asyncio.wait_for(poll, 5)
        assert time.monotonic() - queued_at < 1.5
        assert [u.update_id for u in updates] == [queued["update_id"]]
        message = updates[0].message
        assert message.text == "/start" and message.chat.id == CHAT and message.from_user.id == CHAT
        assert [(e.type, e.offset, e.length) for e in message.entities] == [("bot_command", 0, 6)]
        # Not confirmed yet: fetched again; confirmed by the next offset.
        assert len(await bot.get_updates(timeout=0)) == 1
        assert await bot.get_updates(offset=queued["update_id"] + 1, timeout=0) == ()
    assert standin.pending_updates() == []


async def test_client_dropping_a_long_poll_breaks_nothing(standin):
    """A client hanging up mid-poll is recorded (status 0) and the server carries on."""
    async with make_bot(standin) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=10))
        await asyncio.to_thread(standin.wait_for, lambda: standin.polling > 0, 5)
        poll.cancel()
        with pytest.raises(asyncio.CancelledError):
            await poll
        dropped = await asyncio.to_thread(standin.wait_calls, "getUpdates", None, 1, None, 5)
        assert dropped[0].http_status == 0
        standin.user_text(CHAT, "still there?")
        updates = await bot.get_updates(timeout=1)
    assert updates[0].message.text == "still there?"


async def test_blocked_chat_raises_forbidden(standin):
    """After the user blocks the bot, sends and edits answer 403 and a my_chat_member update is queued."""
    async with make_bot(standin) as bot:
        sent = await bot.send_message(CHAT, "hi")
        standin.block(CHAT)
        with pytest.raises(Forbidden, match="(?i)bot was blocked by the user"):
            await bot.send_message(CHAT, "are you there?")
        with pytest.raises(Forbidden):
            await bot.edit_message_text("edit", chat_id=CHAT, message_id=sent.message_id)
        updates = await bot.get_updates(timeout=0)
    assert updates[-1].my_chat_member.new_chat_member.status == "kicked"
    assert standin.screen(CHAT) == ["hi"]


async def test_rejected_token_raises_invalid_token():
    """reject_token=True makes getMe (run by Bot.initialize) raise InvalidToken."""
    with BotApiStandIn(reject_token=True) as standin:
        with pytest.raises(InvalidToken):
            async with make_bot(standin):
                pass
        assert standin.calls("getMe")[0].http_status == 401


async def test_callback_query_is_answered_once_and_message_is_the_stored_one(standin):
    """A press carries the stored message; a query can be answered once, with at most 200 characters."""
    async with make_bot(standin) as bot:
        sent = await bot.send_message(CHAT, "Pick", reply_markup=keyboard(("A", "a")))
        standin.press(CHAT, sent.message_id, "a")
        query = (await bot.get_updates(timeout=0))[0].callback_query
        assert query.data == "a" and query.message.text == "Pick" and query.message.message_id == sent.message_id
        with pytest.raises(BadRequest, match="(?i)message_too_long"):
            await bot.answer_callback_query(query.id, text="x" * 201)  # too long: not answered
        assert await query.answer("ok")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await query.answer("twice")
        with pytest.raises(BadRequest, match="(?i)query is too old"):
            await bot.answer_callback_query("never-issued")
    assert standin.callback_answer(query.id)["text"] == "ok"


async def test_telegram_limits_are_enforced(standin):
    """Text length, empty text and callback_data size are refused like Telegram does."""
    async with make_bot(standin) as bot:
        with pytest.raises(BadRequest, match="(?i)message is too long"):
            await bot.send_message(CHAT, "x" * 4097)
        with pytest.raises(BadRequest, match="(?i)message text is empty"):
            await bot.send_message(CHAT, "")
        with pytest.raises(BadRequest, match="(?i)BUTTON_DATA_INVALID"):
            await bot.send_message(CHAT, "keys", reply_markup=keyboard(("Long", "d" * 65)))
        await bot.send_message(CHAT, "x" * 4096)
    assert len(standin.messages(CHAT)) == 1


async def test_formatted_text_is_refused_so_a_bot_that_starts_formatting_is_noticed(standin):
    """CrampBot sends plain text; the stand-in does not parse formatting, so it refuses any
    parse_mode (for a text, an edit or a caption) instead of showing the markup as if it were text."""
    async with make_bot(standin) as bot:
        sent = await bot.send_message(CHAT, "Step 1")
        for mode in ("HTML", "MarkdownV2", "Markdown"):
            with pytest.raises(BadRequest, match="(?i)parse_mode is not supported"):
                await bot.send_message(CHAT, "<b>Stretch</b>", parse_mode=mode)
        with pytest.raises(BadRequest, match="(?i)parse_mode is not supported"):
            await bot.edit_message_text("*Step 2*", chat_id=CHAT, message_id=sent.message_id, parse_mode="Markdown")
        with pytest.raises(BadRequest, match="(?i)parse_mode is not supported"):
            await bot.send_photo(CHAT, b"\x89PNG", caption="<i>week</i>", parse_mode="HTML")
    assert standin.screen(CHAT) == ["Step 1"]


async def test_uploads_are_kept_with_filename_and_bytes(standin):
    """Multipart uploads keep filename and exact bytes; returned file ids can be sent again."""
    payload = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) + b"\r\n--not-a-boundary"
    async with make_bot(standin) as bot:
        photo = await bot.send_photo(CHAT, payload, caption="Calf stretch", filename="calf.png")
        again = await bot.send_photo(CHAT, photo.photo[-1].file_id)
        doc = await bot.send_document(CHAT, b"plan", filename="plan.txt")
    stored = standin.message(CHAT, photo.message_id)
    assert stored.upload.content == payload and stored.upload.filename == "calf.png"
    assert stored.caption == "Calf stretch" and photo.caption == "Calf stretch"
    assert again.photo[-1].file_unique_id == photo.photo[-1].file_unique_id
    assert doc.document.file_name == "plan.txt" and doc.document.file_size == 4


async def test_commands_are_kept_per_scope_and_bad_names_refused(standin):
    """setMyCommands keeps each scope's list (read back with ``commands``); a bad name is refused."""
    async with make_bot(standin) as bot:
        await bot.set_my_commands([("start", "Begin"), ("help", "What I can do")])
        await bot.set_my_commands([("checkup", "Personal plan")], scope=BotCommandScopeAllPrivateChats())
        with pytest.raises(BadRequest, match="(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([("Bad-Name", "x")])
    assert [c["command"] for c in standin.commands()] == ["start", "help"]
    assert [c["command"] for c in standin.commands({"type": "all_private_chats"})] == ["checkup"]


async def test_methods_the_bot_never_calls_are_not_found(standin):
    """Only the methods CrampBot calls are answered; any other is 404, as an unknown method is."""
    async with make_bot(standin) as bot:
        sent = await bot.send_message(CHAT, "Step 1")
        with pytest.raises(InvalidToken, match="method not found"):  # PTB reads any 404 as a bad token
            await bot.delete_message(CHAT, sent.message_id)
    assert standin.calls("deleteMessage")[0].http_status == 404
    assert standin.screen(CHAT) == ["Step 1"]


def test_unknown_method_and_raw_http(standin):
    """Unknown methods answer 404 with Telegram's envelope; JSON bodies are accepted too."""
    request = urllib.request.Request(f"{standin.base_url}{TOKEN}/sendTelepathy", data=b"", method="POST")
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=5)
    assert caught.value.code == 404
    assert json.loads(caught.value.read()) == {"ok": False, "error_code": 404,
                                               "description": "Not Found: method not found"}
    body = json.dumps({"chat_id": CHAT, "text": "json body"}).encode()
    request = urllib.request.Request(f"{standin.base_url}{TOKEN}/sendMessage", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["result"]["text"] == "json body"


def test_user_actions_build_valid_updates():
    """User actions build updates with the right entities; privacy mode filters plain group chatter."""
    with BotApiStandIn() as standin:
        group = -1001234567
        command = standin.user_text(group, "/help@crampbot_test_bot now", user_id=7)
        assert command["message"]["chat"]["type"] == "supergroup"
        assert command["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 23}]
        mention = standin.user_text(group, "hey @crampbot_test_bot", user_id=7)
        assert mention["message"]["entities"] == [{"type": "mention", "offset": 4, "length": 18}]
        chatter = standin.user_text(group, "just chatting", user_id=7)
        assert standin.privacy_filtered(chatter["update_id"])
        for update in (standin.user_photo(CHAT, caption="my leg"), standin.user_sticker(CHAT),
                       standin.user_voice(CHAT), standin.user_video(CHAT), standin.user_location(CHAT),
                       standin.user_contact(CHAT), standin.user_document(CHAT),
                       standin.edit_user_message(CHAT, 1, "edited")):
            assert update["update_id"]
        raw = standin.raw_update({"update_id": 1, "weird_new_type": {}})
        queued = [u["update_id"] for u in standin.pending_updates()]
        assert chatter["update_id"] not in queued and raw["update_id"] in queued
        assert len(queued) == len(set(queued)) == 11


@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
async def test_fail_ratio_faults_never_change_state(standin):
    """With random faults, exactly the successful sends leave a message."""
    async with make_bot(standin) as bot:
        standin.fail_ratio(0.5, kinds=("500", "429"), seed=3)
        sent = 0
        for number in range(30):
            try:
                await bot.send_message(CHAT, f"message {number}")
                sent += 1
            except (NetworkError, RetryAfter):
                pass
    calls = standin.calls("sendMessage")
    assert 0 < sent < 30 and len(calls) == 30
    assert len(standin.messages(CHAT)) == sent == sum(c.ok for c in calls)
    assert {c.fault for c in calls if not c.ok} <= {"500", "429"}


async def test_telegram_user_drives_a_tiny_ptb_app(standin):
    """TelegramUser against a minimal PTB application (an echo with one button), not CrampBot."""
    from telegram.ext import (
        ApplicationBuilder,
        CallbackQueryHandler,
        CommandHandler,
        MessageHandler,
        filters,
    )

    async def start(update, context):
        """/start: a greeting with one button."""
        await update.message.reply_text("Hello", reply_markup=keyboard(("Relief now", "relief")))

    async def echo(update, context):
        """Echo any text."""
        await update.message.reply_text(f"echo: {update.message.text}")

    async def button(update, context):
        """Answer the press and edit the message."""
        await update.callback_query.answer("noted")
        await update.callback_query.edit_message_text(f"chose {update.callback_query.data}")

    app = ApplicationBuilder().token(TOKEN).base_url(standin.base_url).build()
    app.add_handlers([CommandHandler("start", start), MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
                      CallbackQueryHandler(button)])
    user = TelegramUser(standin, CHAT, quiet=0.2, timeout=5)
    async with app:
        await app.start()
        await app.updater.start_polling(timeout=5)
        try:
            replies = await asyncio.to_thread(user.send, "/start")
            assert [m.text for m in replies] == ["Hello"] and user.buttons == ["Relief now"]
            assert await asyncio.to_thread(user.press, "relief") == []
            assert user.last_text == "chose relief" and user.last_answer["text"] == "noted"
            mark = user.mark()
            await asyncio.to_thread(user.send, "cramp")
            assert user.texts_since(mark) == ["echo: cramp"]
            await asyncio.to_thread(user.sticker, expect_reply=False)
            await asyncio.to_thread(user.expect_silence, 0.3)
        finally:
            await app.updater.stop()
            await app.stop()
