"""The bot's HTTP client (bot.telegram_http.AiohttpRequest) under PTB's own Bot, against the stand-in:
calls and uploads arrive intact, PTB's errors and timeouts come out as PTB raises them for httpx."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
import traceback

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, InputFile
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.telegram_shell.http import AiohttpRequest, client_timeout, without_token
from tests.support.telegram_harness import free_port

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"
CHAT = 5151


def make_bot(base_url: str, **request) -> Bot:
    """A PTB Bot whose calls (getUpdates included) go through AiohttpRequest."""
    return Bot(TOKEN, base_url=base_url, request=AiohttpRequest(**request),
               get_updates_request=AiohttpRequest(read_timeout=5))


async def test_calls_arrive_with_their_fields_and_answers_come_back(standin):
    """Text with emoji and an ampersand, and a keyboard, survive the JSON body and the answer."""
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
        await bot.send_photo(CHAT, InputFile(png, filename="cramp history é.png"), caption="Your week")
    photo = standin.messages(CHAT)[-1]
    assert photo.kind == "photo" and photo.caption == "Your week"
    assert photo.upload is not None and photo.upload.content == png and photo.upload.filename == "cramp history é.png"


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


async def test_a_call_waiting_for_a_busy_pool_times_out_unsent(standin):
    """With the one connection held by a slow call, a second call waits for pool + connect time,
    then raises TimedOut saying it was not sent, and its URL (with the token) is nowhere in it."""
    standin.fail("sendMessage", delay=3)
    async with make_bot(standin.base_url, connection_pool_size=1, read_timeout=5, pool_timeout=0.3,
                        connect_timeout=0.3) as bot:
        slow = asyncio.create_task(bot.send_message(CHAT, "slow"))
        await asyncio.to_thread(standin.wait_for, lambda: standin.busy(CHAT), 5)
        started = time.monotonic()
        with pytest.raises(TimedOut, match="not sent") as caught:
            await bot.send_message(CHAT, "queued")
        assert 0.5 <= time.monotonic() - started < 2.5
        assert (await slow).text == "slow"
    assert TOKEN not in "".join(traceback.format_exception(caught.value))
    assert [m.content for m in standin.messages(CHAT)] == ["slow"]


async def test_no_server_is_a_network_error_without_the_token():
    """A refused connection, and a base URL that is not HTTP at all, raise NetworkError; neither
    the message nor the traceback carries the token."""
    for base_url in (f"http://127.0.0.1:{free_port()}/bot", "htp://127.0.0.1/bot"):
        request = AiohttpRequest(connect_timeout=1)
        await request.initialize()
        try:
            with pytest.raises(NetworkError) as caught:
                await Bot(TOKEN, base_url=base_url, request=request).get_me()
        finally:
            await request.shutdown()
        assert not isinstance(caught.value, TimedOut)
        assert TOKEN not in "".join(traceback.format_exception(caught.value))


async def test_a_long_poll_waits_for_an_update_and_returns_it(standin):
    """getUpdates with a long-poll timeout goes through the same client and returns the text a
    user types while it waits."""
    async with make_bot(standin.base_url) as bot:
        poll = asyncio.create_task(bot.get_updates(timeout=5))
        await asyncio.to_thread(standin.wait_for, lambda: standin.polling > 0, 5)
        standin.user_text(CHAT, "cramp in my calf")
        updates = await asyncio.wait_for(poll, 5)
    assert [u.message.text for u in updates] == ["cramp in my calf"]


async def test_used_before_initialize_or_after_shutdown_it_says_so(standin):
    """Like PTB's own request: a call without an open pool fails saying so (PTB passes that on as
    a NetworkError), instead of a silent new pool that nobody closes; initialized again, it works."""
    request = AiohttpRequest()
    bot = Bot(TOKEN, base_url=standin.base_url, request=request, get_updates_request=AiohttpRequest())
    with pytest.raises(NetworkError, match="not initialized"):
        await request.post(f"{standin.base_url}{TOKEN}/getMe")
    async with bot:
        await bot.send_message(CHAT, "one")
    with pytest.raises(NetworkError, match="not initialized"):
        await bot.send_message(CHAT, "lost")
    async with bot:
        assert (await bot.send_message(CHAT, "two")).text == "two"
    assert [m.content for m in standin.messages(CHAT)] == ["one", "two"]


def test_a_pool_made_on_one_event_loop_is_made_again_on_the_next(standin):
    """Each asyncio.run is a new event loop: initializing there opens a new pool instead of using
    one tied to a loop that has ended."""
    request = AiohttpRequest()

    async def send(text: str) -> str:
        await request.initialize()
        try:
            return (await Bot(TOKEN, base_url=standin.base_url, request=request).send_message(CHAT, text)).text
        finally:
            await request.shutdown()

    async def send_keeping_it_open(text: str) -> str:
        await request.initialize()
        return (await Bot(TOKEN, base_url=standin.base_url, request=request).send_message(CHAT, text)).text

    assert asyncio.run(send_keeping_it_open("first loop")) == "first loop"
    assert asyncio.run(send("second loop")) == "second loop"


@pytest.mark.parametrize(("read", "write", "connect", "pool", "expected"), [
    (10, 10, 5, 10, {"total": 35, "connect": 15, "sock_connect": 5, "sock_read": 10}),
    (40, 5, 5, 1, {"total": 51, "connect": 6, "sock_connect": 5, "sock_read": 40}),  # a 30 s long poll
    (None, 5, 5, 1, {"total": None, "connect": 6, "sock_connect": 5, "sock_read": None}),
    (10, 5, None, 1, {"total": None, "connect": None, "sock_connect": None, "sock_read": 10}),
    (0, 0, 0, 0, {"total": 0.004, "connect": 0.002, "sock_connect": 0.001, "sock_read": 0.001}),
])
def test_ptbs_timeouts_as_aiohttps(read, write, connect, pool, expected):
    """Pool wait and connect together, connect alone, read, and the sum as the whole call's bound
    (none when any is unlimited); 0 stays "do not wait", never aiohttp's "no limit"."""
    timeout = client_timeout(read, write, connect, pool)
    got = {name: getattr(timeout, name) for name in expected}
    assert got == pytest.approx(expected) if None not in expected.values() else got == expected


def test_tokens_are_taken_out_of_error_texts():
    """The token part of a Bot API URL is replaced wherever it appears."""
    text = f"Cannot connect to host 127.0.0.1:9 ssl:default [http://127.0.0.1:9/bot{TOKEN}/getMe]"
    assert without_token(text) == "Cannot connect to host 127.0.0.1:9 ssl:default [http://127.0.0.1:9/bot[redacted]/getMe]"
