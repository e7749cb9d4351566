"""Resilience: Bot API faults, SIGKILL at random moments, malformed updates, and storage trouble.
The real adapter (in a thread or as a `crampbot` process) against the Bot API stand-in."""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections import Counter

import pytest

from bot.core.session import Session
from bot.storage.sqlite import SQLiteStorage
from tests.support.storage_faults import FailingWrites, fill_up, tiny_disk
from tests.support.telegram_harness import RunningBot, kill, running_process, settings_for, start_process
from tests.support.telegram_user import TelegramUser


def wait_polling(standin, process=None):
    standin.wait_for(lambda: standin.polling or (process is not None and process.poll() is not None), timeout=30)
    if process is not None:
        assert process.poll() is None, process.stderr.read()


# -- Bot API faults ----------------------------------------------------------------------------

SCRIPT = [("send", "/start", "CrampBot"), ("send", "do bananas help with cramps?", "banana"),
          ("send", "/checkup", "question 1 of 8"), ("press", "At night", "Question 2 of 8"),
          ("press", "Most nights", "Question 3 of 8"), ("send", "/tips", "cramps less likely"),
          ("send", "cancel", "stopped")]


def test_with_a_quarter_of_calls_failing_every_reply_arrives_and_duplicates_stay_near_zero(standin, tmp_path):
    with RunningBot(settings_for(standin, tmp_path / "data")):
        wait_polling(standin)
        standin.fail_ratio(0.25, kinds=("500", "429", "timeout"), seed=11, delay=2.5, retry_after=1,
                           methods=("sendMessage", "editMessageText", "answerCallbackQuery"))
        users = [TelegramUser(standin, 6000 + i, timeout=60) for i in range(6)]
        errors: list[BaseException] = []

        def converse(user: TelegramUser) -> None:
            try:
                for action, what, expected in SCRIPT:
                    (user.send if action == "send" else user.press)(what)
                    standin.wait_for(lambda expected=expected: any(expected in (m.text or "") for m in user.messages),
                                     timeout=60)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        threads = [threading.Thread(target=converse, args=(u,)) for u in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(180)
        standin.clear_faults()
        assert not any(t.is_alive() for t in threads), "a conversation got stuck"
        assert not errors, errors[0]
        faulted = [c for c in standin.calls() if not c.ok]
        assert len(faulted) > 20, "the faults really happened"
        per_user = [Counter(m.sent_text for m in u.messages) for u in users]  # as sent, before edits
        sent = sum(sum(c.values()) for c in per_user)
        duplicates = sum(n - 1 for c in per_user for n in c.values())
        print(f"faulted calls: {len(faulted)}, replies: {sent}, duplicates: {duplicates}")
        assert duplicates <= max(1, sent // 50)


def test_chats_whose_replies_keep_failing_never_hold_up_an_emergency(standin, tmp_path):
    telegrams_waits = {"retry_first_seconds": 0.5, "retry_max_seconds": 8.0}  # each stuck chat holds its slot
    with RunningBot(settings_for(standin, tmp_path / "data", **telegrams_waits)):
        wait_polling(standin)
        stuck = [6100 + i for i in range(24)]  # more than a small pool of update slots would have
        for chat in stuck:
            standin.fail("sendMessage", times=1000, status=502, chat_id=chat)
            standin.user_text(chat, "do bananas help?")
        standin.wait_for(lambda: all(standin.calls("sendMessage", chat_id=c) for c in stuck), timeout=30)
        user = TelegramUser(standin, 6199, timeout=5)
        started = time.monotonic()
        user.send("my calf is swollen and my chest hurts")
        assert "emergency" in user.last_text.lower()
        assert time.monotonic() - started < 5
        standin.clear_faults()


def test_replies_left_unsent_by_a_crash_go_before_new_ones(standin, tmp_path):
    storage = SQLiteStorage(tmp_path / "data" / "crampbot.sqlite3")
    storage.record_turn(6201, None, Session(), [{"text": "The reply the crash left unsent"}])
    storage.close()
    standin.user_text(6201, "/tips")  # waiting when the bot comes back
    with RunningBot(settings_for(standin, tmp_path / "data")):
        standin.wait_for(lambda: len(standin.messages(6201)) >= 2, timeout=30)
        texts = [m.text or "" for m in standin.messages(6201)]
    assert texts[0] == "The reply the crash left unsent"
    assert "cramps less likely" in texts[1]


def test_each_reply_is_marked_sent_as_soon_as_it_went(standin, tmp_path):
    """A turn with several replies whose second keeps failing: a crash now must not resend the first."""
    with RunningBot(settings_for(standin, tmp_path / "data")) as bot:
        wait_polling(standin)
        standin.fail("sendDocument", times=1000, status=502, chat_id=6301)
        standin.user_text(6301, "/export")  # a caption, the JSON file, a caption, the CSV file
        standin.wait_for(lambda: standin.calls("sendMessage", chat_id=6301) and
                         len(standin.calls("sendDocument", chat_id=6301)) >= 2, timeout=30)
        waiting = bot.in_loop(lambda: bot.storage.unsent(6301))
        standin.clear_faults()
    assert [("document" in o.payload) for o in waiting] == [True, False, True], \
        "the first caption went and is not resent; the first file and what follows it wait, in order"


# -- SIGKILL at random moments -----------------------------------------------------------------

CONVERSATION = ["/checkup", "at night", "most nights", "desk job", "3 glasses", "none", "none", "trainers",
                "neither", "/log", "I live in London", "just now", "calf", "left", "3", "2 minutes", "stretching",
                "in bed", "/log", "earlier today", "toes", "right", "2", "under a minute", "massage", "sitting"]
MILESTONES = ["question 1 of 8", "Question 2 of 8", "Question 3 of 8", "Question 4 of 8", "Question 5 of 8",
              "Question 6 of 8", "Question 7 of 8", "question 8 of 8", "Here is your plan"]


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_sigkill_at_random_points_loses_nothing(standin, tmp_path, seed):
    rng = random.Random(seed)
    chat = 7100 + seed
    process = running_process(standin, tmp_path / "data")
    kills = 0
    try:
        for text in CONVERSATION:
            standin.user_text(chat, text)
            time.sleep(rng.uniform(0.0, 0.35))
            if rng.random() < 0.35:
                kill(process)
                kills += 1
                process = running_process(standin, tmp_path / "data")
        standin.wait_for(lambda: sum("Saved in your diary" in (m.text or "") for m in standin.messages(chat)) >= 2,
                         timeout=60)
    finally:
        kill(process)
    assert kills >= 2, "the script really killed the bot"
    texts = [m.text or "" for m in standin.messages(chat)]
    positions = [next(i for i, t in enumerate(texts) if milestone in t) for milestone in MILESTONES]
    assert positions == sorted(positions), "the check-up went on from where it was, never backwards"
    storage = SQLiteStorage(tmp_path / "data" / "crampbot.sqlite3")
    diary = storage.load(chat).diary
    storage.close()
    assert sorted((e.where, e.severity) for e in diary) == [("calf", 3), ("toes", 2)], "no diary entry lost"


# -- malformed updates -------------------------------------------------------------------------

def test_malformed_and_unknown_updates_do_not_stop_polling(standin, tmp_path):
    with RunningBot(settings_for(standin, tmp_path / "data")):
        wait_polling(standin)
        standin.raw_update({"update_id": 900001, "message": {"message_id": 1, "date": "not a date", "chat": "x"}})
        standin.raw_update({"update_id": 900002, "poll_answer": {"poll_id": "no user and no options"}})
        standin.raw_update({"update_id": 900003, "a_type_from_the_future": {"anything": [1, 2, 3]}})
        standin.raw_update({"update_id": 900004, "message": {"message_id": 2, "date": 1,
                                                             "chat": {"id": 7201, "type": "private"}}})
        standin.raw_update({"update_id": 900005, "callback_query": {"id": "q1", "chat_instance": "c",
                                                                    "from": {"id": 7202, "is_bot": False,
                                                                             "first_name": "X"}}})
        user = TelegramUser(standin, 7203)
        assert "CrampBot" in (user.send("/start")[0].text or "")


def test_updates_that_cannot_be_stored_are_skipped_with_one_warning_each(standin, tmp_path, caplog):
    """A lone surrogate in a name or text, or a chat id beyond 64 bits, could never go in the inbox:
    polling skips each by its id with one warning and goes on, instead of fetching them again."""
    chat = {"id": 7401, "type": "private"}
    person = {"id": 7401, "is_bot": False, "first_name": "Zorbula\ud83d"}
    with RunningBot(settings_for(standin, tmp_path / "data")):
        wait_polling(standin)
        standin.raw_update({"message": {"message_id": 1, "date": 1, "chat": chat, "from": person, "text": "hi"}})
        standin.raw_update({"message": {"message_id": 2, "date": 1, "chat": {"id": 7402, "type": "private"},
                                        "text": "hello \ud83d quokka"}})
        standin.raw_update({"message": {"message_id": 3, "date": 1, "chat": {"id": 2 ** 64, "type": "private"},
                                        "text": "hi"}})
        user = TelegramUser(standin, 7403)
        assert "CrampBot" in (user.send("/start")[0].text or "")
        standin.wait_for(lambda: not standin.pending_updates(), timeout=10)
    warnings = [r for r in caplog.records if "cannot be stored" in r.getMessage()]
    assert len(warnings) == 3 and all(r.levelname == "WARNING" for r in warnings)
    assert not [r for r in caplog.records if r.levelno >= 40], "no error, no traceback"
    shown = [r.getMessage() for r in caplog.records if r.levelno >= 20]
    assert not any("quokka" in line or "Zorbula" in line for line in shown), "nothing they wrote is logged"


# -- storage trouble ---------------------------------------------------------------------------

def test_a_full_disk_mid_conversation_apologises_and_loses_nothing(standin, tmp_path):
    with RunningBot(settings_for(standin, tmp_path / "data")) as bot:
        wait_polling(standin)
        user = TelegramUser(standin, 7301)
        user.send("/checkup")
        user.press("At night")
        before = bot.in_loop(lambda: bot.storage.load(7301))
        real = bot.storage.db
        bot.storage.db = FailingWrites(real, "database or disk is full")
        user.send("most nights")
        assert "couldn't save that" in user.last_text
        after = bot.in_loop(lambda: bot.storage.load(7301))
        assert after == before, "the earlier answers are still there, nothing half-written"
        bot.storage.db = real  # space again
        user.send("most nights")
        assert "Question 3 of 8" in user.last_text


def test_a_really_full_disk_apologises_to_everyone_and_recovers_by_itself(standin, tmp_path):
    """The data folder on a small real file system, filled while people are mid-conversation."""
    with tiny_disk(tmp_path / "disk") as disk:
        process = running_process(standin, disk / "data")
        try:
            users = [TelegramUser(standin, 7500 + i) for i in range(4)]
            for user in users:
                user.send("/checkup")
                user.press("At night")
            filler = fill_up(disk)
            polls = len(standin.calls("getUpdates"))
            for user in users:
                user.send("most nights")
                assert "couldn't save that" in user.last_text
            worried = TelegramUser(standin, 7599)
            worried.send("my calf is swollen, red and hot since my flight yesterday")
            texts = [m.text or "" for m in worried.last_reply]
            assert any("get medical help today" in text for text in texts), "urgent advice goes out unsaved"
            assert "couldn't save that" in texts[-1]
            assert len(standin.calls("getUpdates")) - polls < 30, "no polling storm"
            filler.unlink()  # space again: the same process goes on where each person was
            for user in users:
                user.send("most nights")
                assert "Question 3 of 8" in user.last_text
        finally:
            process.terminate()
            process.wait(20)
    err = process.stderr.read()
    errors = [line for line in err.splitlines() if " ERROR " in line]
    assert "CRITICAL" not in err and "Traceback" not in err
    assert 1 <= len(errors) <= 5, "each kind of storage trouble is logged once a minute, not once per update"


def test_a_corrupt_database_is_refused_at_start_and_kept_for_inspection(standin, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "crampbot.sqlite3").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    process = start_process(standin, data)
    process.wait(30)
    assert process.returncode == 4 and "crampbot.sqlite3" in process.stderr.read()
    assert (data / "crampbot.sqlite3").read_bytes().startswith(b"SQLite format 3"), "not overwritten"
    assert not standin.calls(), "refused before talking to Telegram"


def test_a_locked_database_at_start_is_reported_not_waited_on_forever(standin, tmp_path):
    data = tmp_path / "data"
    SQLiteStorage(data / "crampbot.sqlite3").close()
    holder = sqlite3.connect(data / "crampbot.sqlite3", isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        process = start_process(standin, data)
        process.wait(60)
        err = process.stderr.read()
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert process.returncode == 4 and "locked" in err
