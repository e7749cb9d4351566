"""Per-chat queues (bot/telegram_queues.py) on their own: order, one slot per chat, urgent updates
ahead of their chat's backlog, a flooding chat's excess skipped. Plain asyncio, no network."""

from __future__ import annotations

import asyncio

from telegram import Update

from bot.telegram_shell.queues import ChatLocks, ChatQueues


def update(update_id: int, chat_id: int, text: str = "hi") -> Update:
    chat_type = "private" if chat_id > 0 else "supergroup"
    return Update.de_json({"update_id": update_id, "message": {
        "message_id": update_id, "date": 1, "text": text, "chat": {"id": chat_id, "type": chat_type},
        "from": {"id": abs(chat_id), "is_bot": False, "first_name": "A"}}}, None)


class Recorder:
    """Handles updates one `step` of the event loop each, recording the order they ran in."""

    def __init__(self) -> None:
        self.ran: list[tuple[int, int]] = []  # (chat, update id)
        self.skipped: list[tuple[int, bool]] = []  # (update id, first for its chat)
        self.running = 0
        self.most_at_once = 0

    async def handle(self, item: Update, seconds: float = 0.001) -> None:
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        await asyncio.sleep(seconds)
        self.ran.append((item.effective_chat.id, item.update_id))
        self.running -= 1

    async def skip(self, item: Update, first: bool) -> None:
        self.skipped.append((item.update_id, first))


def run(queues: ChatQueues, items: list[Update], recorder: Recorder, seconds: float = 0.001) -> None:
    """Hand every update to the processor at once, as PTB does (one task each), and wait for all."""
    async def main() -> None:
        await asyncio.gather(*(queues.process_update(u, recorder.handle(u, seconds)) for u in items))

    asyncio.run(main())


def test_each_chat_keeps_its_order_and_holds_one_slot_at_a_time():
    recorder = Recorder()
    queues = ChatQueues(8)
    items = [update(n, chat) for n in range(30) for chat in (1, 2, 3)]
    run(queues, items, recorder)
    for chat in (1, 2, 3):
        assert [n for c, n in recorder.ran if c == chat] == list(range(30))
    assert recorder.most_at_once == 3, "three chats at once, never two updates of one chat"
    # no public count of the chats it remembers: the leak check looks inside
    assert queues.waiting(1) == 0 and len(queues._turns) == 0, "nothing kept about chats with no queue"  # noqa: SLF001


def test_a_flooding_chat_is_skipped_past_the_limit_and_told_once():
    recorder = Recorder()
    queues = ChatQueues(8, skipped=recorder.skip, max_waiting=5)
    run(queues, [update(n, 1) for n in range(20)] + [update(100, 2)], recorder)
    assert [n for c, n in recorder.ran if c == 1] == [0, 1, 2, 3, 4]
    assert (2, 100) in recorder.ran
    assert [n for n, _ in recorder.skipped] == list(range(5, 20))
    assert [first for _, first in recorder.skipped].count(True) == 1


def test_a_group_is_flooding_sooner():
    recorder = Recorder()
    queues = ChatQueues(8, skipped=recorder.skip, max_waiting=50, max_waiting_group=3)
    run(queues, [update(n, -100_1) for n in range(10)], recorder)
    assert len(recorder.ran) == 3 and len(recorder.skipped) == 7


def test_an_urgent_update_goes_ahead_of_its_chats_backlog_and_is_not_skipped():
    recorder = Recorder()
    urgent = {"my leg is cold and blue"}
    queues = ChatQueues(8, must_keep=lambda u: u.message.text in urgent, skipped=recorder.skip, max_waiting=5)
    items = [update(n, 1) for n in range(10)] + [update(50, 1, "my leg is cold and blue")]
    run(queues, items, recorder)
    order = [n for _, n in recorder.ran]
    assert order[:2] == [0, 50], "next after the one being handled"
    assert 50 not in [n for n, _ in recorder.skipped]


def test_a_flood_of_urgent_updates_from_one_chat_does_not_hold_up_another():
    recorder = Recorder()
    queues = ChatQueues(8, must_keep=lambda u: True, skipped=recorder.skip, max_waiting=50)
    items = [update(n, 1, "sos") for n in range(500)] + [update(1000, 2)]
    run(queues, items, recorder, seconds=0.0005)
    assert recorder.most_at_once == 2, "the urgent ones wait in their chat's queue, not in the slots"
    assert recorder.ran.index((2, 1000)) < 3, "the other chat is served at once"
    assert len(recorder.skipped) == 500 - 50 * 4, "even urgent ones are skipped past four times the limit"


def test_a_chat_lock_cancelled_while_waiting_leaves_the_others_in_order():
    async def main() -> list[str]:
        locks, ran = ChatLocks(), []

        async def hold(name: str, urgent: bool = False) -> None:
            async with locks.hold(7, urgent):
                ran.append(name)
                await asyncio.sleep(0.01)

        first = asyncio.create_task(hold("first"))
        await asyncio.sleep(0)
        cancelled = asyncio.create_task(hold("cancelled"))
        later = asyncio.create_task(hold("later"))
        urgent = asyncio.create_task(hold("urgent", urgent=True))
        await asyncio.sleep(0)
        cancelled.cancel()
        await asyncio.gather(first, later, urgent, return_exceptions=True)
        assert len(locks) == 0
        return ran

    assert asyncio.run(main()) == ["first", "urgent", "later"]


def test_group_chatter_the_bot_ignores_is_not_queued_and_never_counts_as_a_flood():
    recorder = Recorder()
    queues = ChatQueues(8, skipped=recorder.skip, relevant=lambda u: u.message.text.startswith("/"),
                        max_waiting_group=3)
    items = [update(n, -100_2, "lunch anyone?") for n in range(20)] + [update(99, -100_2, "/tips")]
    run(queues, items, recorder)
    assert not recorder.skipped and len(recorder.ran) == 21
