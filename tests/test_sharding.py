"""Which worker owns which chat, how a raw update finds its chat, and each worker's view of storage."""

from __future__ import annotations

import pytest
from telegram import Update

from bot.session import Reminder, Session
from bot.sharding import ShardStorage, chat_of, shard_of
from bot.storage import Countdown, Received, SQLiteStorage

USER = {"id": 5, "is_bot": False, "first_name": "Ann"}
PRIVATE = {"id": 5, "type": "private"}
GROUP = {"id": -100123, "type": "supergroup", "title": "Runners"}
MESSAGE = {"message_id": 1, "date": 1, "chat": PRIVATE, "from": USER, "text": "hi"}

UPDATES = [
    {"update_id": 1, "message": MESSAGE},
    {"update_id": 2, "edited_message": {**MESSAGE, "edit_date": 2}},
    {"update_id": 3, "message": {**MESSAGE, "chat": GROUP}},
    {"update_id": 4, "callback_query": {"id": "q", "from": USER, "chat_instance": "c", "data": "x",
                                        "message": {**MESSAGE, "chat": GROUP}}},
    {"update_id": 5, "callback_query": {"id": "q", "from": USER, "chat_instance": "c", "data": "x",
                                        "inline_message_id": "m"}},
    {"update_id": 6, "poll_answer": {"poll_id": "p", "user": USER, "option_ids": [0], "option_persistent_ids": ["a"]}},
    {"update_id": 7, "my_chat_member": {"chat": GROUP, "from": USER, "date": 1,
                                        "old_chat_member": {"status": "left", "user": USER},
                                        "new_chat_member": {"status": "member", "user": USER}}},
]


@pytest.mark.parametrize("raw", UPDATES, ids=lambda u: next(k for k in u if k != "update_id"))
def test_the_chat_of_a_raw_update_is_the_one_ptb_would_see(raw):
    chat = Update.de_json(raw, None).effective_chat
    assert chat_of(raw) == (chat.id if chat else None)


@pytest.mark.parametrize("raw", [
    {"update_id": 8, "message": {"message_id": 1, "date": "not a date", "chat": "x"}},
    {"update_id": 9, "message": {"chat": {"id": True}}},
    {"update_id": 10, "message": {"chat": {"id": "5"}}},
    {"update_id": 11, "some_future_type": {"chat": None}},
    {"update_id": 12},
    "not an object",
    None,
])
def test_a_malformed_update_has_no_chat_and_never_raises(raw):
    assert chat_of(raw) is None


def test_every_chat_belongs_to_exactly_one_worker_group_chats_too():
    for count in (1, 2, 3, 4):
        for chat in (5, 6, 7, -100123, -1, 0, 10**12):
            owners = [i for i in range(count) if shard_of(chat, count) == i]
            assert len(owners) == 1
    assert shard_of(-1, 2) == 1 and shard_of(-2, 2) == 0


def test_each_worker_resumes_only_its_own_chats_and_sees_everything_else(tmp_path):
    db = SQLiteStorage(tmp_path / "x.sqlite3")
    chats = [10, 11, 12, 13, -7, -8]
    for n, chat in enumerate(chats):
        session = Session(reminders=(Reminder("bedtime", ("22:30",), 1000.0 + n),))
        db.record_turn(chat, 500 + n, session, [{"text": f"reply for {chat}"}])
        db.set_countdown(Countdown(chat, f"t{chat}", 1, 2000.0, "Step", None))
    db.receive([Received(900 + n, chat, {"update_id": 900 + n}) for n, chat in enumerate(chats)]
               + [Received(999, None, {"update_id": 999})])
    views = [ShardStorage(db, i, 2) for i in range(2)]
    for view in views:
        mine = {c for c in chats if shard_of(c, 2) == view.index}
        assert {o.chat_id for o in view.unsent()} == mine
        assert {c.chat_id for c in view.countdowns()} == mine
        assert {r[0] for r in view.reminders()} == mine
        assert {r.chat_id for r in view.inbox()} == (mine | {None} if view.index == 0 else mine)
        assert view.seen(500) and view.load(11).reminders  # the rest is the shared storage itself
    assert sorted(o.id for v in views for o in v.unsent()) == sorted(o.id for o in db.unsent())
