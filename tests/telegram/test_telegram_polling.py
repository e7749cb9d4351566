"""How CrampBot's bot class polls: each batch kept before the next call confirms it, and a pause
between calls only while updates come together."""

from __future__ import annotations

import asyncio

from bot.telegram_shell.updates import BATCH_PAUSE, BUSY_RATE, TolerantBot
from tests.support.telegram_harness import TOKEN


def scripted(bot_class, batches):
    """A bot whose getUpdates answers the given batches in turn; records pauses and kept batches."""
    bot = bot_class(TOKEN, base_url="http://127.0.0.1:9/bot")
    answers = iter(batches)
    pauses, kept = [], []

    async def post(method, data, **kwargs):
        assert method == "getUpdates"
        return next(answers)

    bot._post = post  # noqa: SLF001 - the one call under test; nothing reaches the network
    bot.keep_fetched(lambda batch: kept.append(batch) or True)
    return bot, pauses, kept


def test_a_busy_bot_pauses_before_the_next_poll_and_a_quiet_one_never_does(monkeypatch):
    """Each call here takes a quarter of a second (4 a second): a second of one update a call, a
    second of ten times the busy rate, then two seconds of one update a call again."""
    quiet = [[{"update_id": n}] for n in range(4)]
    busy = [[{"update_id": 100 + n * 1000 + i} for i in range(int(BUSY_RATE * 10 / 4))] for n in range(4)]
    calm = [[{"update_id": 9000 + n}] for n in range(8)]
    batches = quiet + busy + calm
    bot, pauses, kept = scripted(TolerantBot, batches)
    clock = iter(n / 4 for n in range(100))
    bot._clock = lambda: next(clock)  # noqa: SLF001 - a fake clock
    real_sleep = asyncio.sleep
    slept_before: list[int] = []

    async def sleep(seconds):
        pauses.append(seconds)
        slept_before.append(len(kept))
        await real_sleep(0)

    monkeypatch.setattr(asyncio, "sleep", sleep)

    async def poll_each_batch():
        return [await bot.get_updates(timeout=0) for _ in batches]

    results = asyncio.run(poll_each_batch())
    assert [[u.update_id for u in r] for r in results] == [[u["update_id"] for u in b] for b in batches]
    assert set(pauses) == {BATCH_PAUSE}
    # The rate is judged each second, at calls 4, 8 and 12: busy at 4 (the first busy batch came
    # in), busy at 8, calm again at 12. So it paused before calls 5 to 12 and never otherwise.
    assert slept_before == list(range(5, 13))
    assert [[r.data for r in batch] for batch in kept] == batches, "each batch kept before it was returned"


def test_unreadable_updates_become_bare_ids_and_the_relay_keeps_them_raw(monkeypatch):
    bad = {"update_id": 7, "message": {"message_id": 1, "date": "not a date", "chat": "x"}}
    bot, _, kept = scripted(TolerantBot, [[bad, {"no": "id"}]])
    (update,) = asyncio.run(bot.get_updates(timeout=0))
    assert update.update_id == 7 and update.message is None
    assert [r.update_id for r in kept[0]] == [7], "the one without an id cannot be kept"


def test_updates_that_cannot_be_stored_are_skipped_by_id_and_never_kept():
    text = {"update_id": 8, "message": {"message_id": 1, "date": 1, "text": "hello \ud83d there",
                                        "chat": {"id": 5, "type": "private"}}}
    big_chat = {"update_id": 9, "message": {"message_id": 2, "date": 1, "text": "hi",
                                            "chat": {"id": 2 ** 64, "type": "private"}}}
    big_id = {"update_id": 2 ** 63 + 1, "message": {"message_id": 3, "date": 1, "text": "hi",
                                                    "chat": {"id": 6, "type": "private"}}}
    bot, _, kept = scripted(TolerantBot, [[text, big_chat, big_id]])
    updates = asyncio.run(bot.get_updates(timeout=0))
    assert [u.update_id for u in updates] == [8, 9, 2 ** 63 + 1], "the offset moves past every one of them"
    assert all(u.message is None for u in updates), "each is a bare id, which the bot ignores"
    assert [[r.data for r in batch] for batch in kept] == [[{"update_id": 8}, {"update_id": 9}]]


def test_a_batch_that_cannot_be_kept_is_handed_on_and_the_next_poll_waits(monkeypatch):
    from bot.telegram_shell import updates as telegram_updates

    bot, _, _ = scripted(TolerantBot, [[{"update_id": n}] for n in range(1, 7)])
    results = iter([False, False, False, False, True, True])
    bot.keep_fetched(lambda batch: next(results))
    slept = []

    async def sleep(seconds):
        slept.append(seconds)

    monkeypatch.setattr(telegram_updates.asyncio, "sleep", sleep)

    async def poll():
        return [await bot.get_updates(timeout=0) for _ in range(6)]

    batches = asyncio.run(poll())
    assert [b[0].update_id for b in batches] == [1, 2, 3, 4, 5, 6], "every batch handed on all the same"
    assert slept == [0.5, 1.0, 2.0, 4.0], "waits double while keeping fails and stop once it works again"
