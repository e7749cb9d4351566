"""The bot's HTTP client (bot.telegram_http.AiohttpRequest) under PTB's own Bot, against the stand-in:
calls and uploads arrive intact, PTB's errors and timeouts come out as PTB raises them for httpx."""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.telegram_http import AiohttpRequest
from tests.botapi_standin import BotApiStandIn

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
CHAT = 5151


@pytest.fixture
def standin():
    """A running stand-in; fails the test if the stand-in itself hit a bug."""
    with BotApiStandIn() as server:
        yield server
        assert server.internal_errors == []


def make_bot(base_url: str, **request) -> Bot:
    """A PTB Bot whose calls (getUpdates included) go through AiohttpRequest."""
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest(**request),
               get_updates_request=AiohttpRequest(read_timeout=5))


async def test_calls_arrive_with_their_fields_and_answers_come_back(standin):
    """Text with emoji and an ampersand, and a keyboard, survive the form encoding both ways."""
    async with make_bot(standin.base_url) as bot:
        me = await bot.get_me()
        keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("✅ Done", callback_data="f:relief:step:done")]])
        sent = await bot.send_message(CHAT, "Stretch & breathe 🦶 — hold 30 s", reply_markup=keyboard)
    assert me.username and sent.text == "Stretch & breathe 🦶 — hold 30 s"
    [message] = standin.messages(CHAT)
    assert message.content == "Stretch & breathe 🦶 — hold 30 s"
    assert message.callback_data == {"✅ Done": "f:relief:step:done"}


async def test_an_upload_arrives_byte_for_byte(standin):
    """sendPhoto goes as multipart: the stand-in receives the same bytes, name and caption."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
    async with make_bot(standin.base_url) as bot:
        await bot.send_photo(CHAT, InputFile(png, filename="cramp-history.png"), caption="Your week")
    photo = standin.messages(CHAT)[-1]
    assert photo.kind == "photo" and photo.caption == "Your week"
    assert photo.upload is not None and photo.upload.content == png and photo.upload.filename == "cramp-history.png"


async def test_telegram_errors_are_ptbs_own(standin):
    """A 400 is BadRequest, a 429 is RetryAfter with its delay, a 500 a NetworkError: PTB reads them."""
    standin.fail("sendMessage", status=400, description="Bad Request: chat not found")
    standin.fail("sendMessage", retry_after=3)
    standin.fail("sendMessage", status=500)
    async with make_bot(standin.base_url) as bot:
        with pytest.raises(BadRequest, match="(?i)chat not found"):
            await bot.send_message(CHAT, "a")
        with pytest.raises(RetryAfter) as caught:
            await bot.send_message(CHAT, "b")
        with pytest.raises(NetworkError) as failed:
            await bot.send_message(CHAT, "c")
    assert caught.value.retry_after in (3, dt.timedelta(seconds=3))
    assert type(failed.value) is NetworkError
    assert standin.messages(CHAT) == []


async def test_a_slow_answer_times_out_at_the_read_timeout(standin):
    """Past the read timeout the call raises TimedOut (not a hang), and the call is not applied."""
    standin.fail("sendMessage", delay=3)
    async with make_bot(standin.base_url, read_timeout=0.3) as bot:
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "slow")
        assert time.monotonic() - started < 2
        assert (await bot.send_message(CHAT, "next")).text == "next"  # the pool is still usable
    calls = await asyncio.to_thread(standin.wait_calls, "sendMessage", CHAT, 2, None, 6)
    assert sorted(str(call.fault) for call in calls) == ["None", "timeout"]
    assert [m.content for m in standin.messages(CHAT)] == ["next"]  # the abandoned call was not applied


async def test_a_call_waiting_for_a_busy_pool_times_out(standin):
    """With one connection held by a slow call, a second call gives up after pool + connect time."""
    standin.fail("sendMessage", delay=3)
    async with make_bot(standin.base_url, connection_pool_size=1, read_timeout=5, pool_timeout=0.2,
                        connect_timeout=0.2) as bot:
        slow = asyncio.create_task(bot.send_message(CHAT, "slow"))
        await asyncio.sleep(0.2)
        started = time.monotonic()
        with pytest.raises(TimedOut):
            await bot.send_message(CHAT, "queued")
        assert time.monotonic() - started < 1.5
        assert (await slow).text == "slow"


async def test_no_server_is_a_network_error_without_the_token():
    """A refused connection raises NetworkError; its message does not carry the token."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens here once the socket is closed
    bot = make_bot(f"http://127.0.0.1:{port}/bot", connect_timeout=1)
    with pytest.raises(NetworkError) as caught:
        await bot.get_me()
    assert not isinstance(caught.value, TimedOut) and TOKEN not in str(caught.value)
    await bot.shutdown()


async def test_shut_down_then_used_again_opens_a_new_pool(standin):
    """After shutdown a request opens a fresh session instead of failing on a closed one."""
    request = AiohttpRequest()
    bot = Bot(TOKEN, base_url=standin.base_url, request=request)
    async with bot:
        await bot.send_message(CHAT, "one")
    await request.initialize()
    await bot.initialize()
    assert (await bot.send_message(CHAT, "two")).text == "two"
    await request.shutdown()
    assert [m.content for m in standin.messages(CHAT)] == ["one", "two"]
