"""What only PostgreSQL storage has: locks and claims shared by several bot processes (and freed when a
process dies), the one-poller rule, its versioned schema, and errors that never show the password.
Its behaviour shared with SQLite is tested on both in test_storage.py and test_storage_damage.py."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from bot.core.session import DiaryEntry, Session
from bot.settings import Settings, load_settings
from bot.storage import StorageError
from bot.storage.postgres import CHAT, COUNTDOWN, POLLER, SCHEMA_VERSION, PostgresStorage, lock_key
from bot.wiring import ANOTHER_POLLER, EXIT_TELEGRAM, run_telegram
from tests.support.postgres import PASSWORD, PASSWORD_USER

ROOT = Path(__file__).resolve().parents[2]
GROUP = -1001234567890  # a supergroup's chat id


def entries(count: int) -> tuple[DiaryEntry, ...]:
    return tuple(DiaryEntry(i, 1_000.0 + i, "calf", 3) for i in range(1, count + 1))


def eventually(check, within: float = 30.0) -> bool:
    """True as soon as `check()` is; False when it still is not after `within` seconds."""
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_chat_locked_by_one_process_cannot_be_locked_by_another_until_it_gives_it_back(postgres_url):
    a, b = PostgresStorage(postgres_url), PostgresStorage(postgres_url)
    assert a.try_lock_chat(7) and a.try_lock_chat(7), "asking again while held is granted, not taken twice"
    assert not b.try_lock_chat(7) and b.try_lock_chat(8) and b.try_lock_chat(GROUP)
    assert not a.try_lock_chat(GROUP)
    assert b.try_claim_countdown(7), "a countdown claim is not the chat's lock"
    assert not a.try_claim_countdown(7)
    a.unlock_chat(7)  # one give-back frees it
    assert b.try_lock_chat(7) and not a.try_lock_chat(7)
    b.release_countdown(7)
    assert a.try_claim_countdown(7) and not b.try_claim_countdown(7)
    a.unlock_chat(12345)  # not held: nothing to give back
    a.close()
    assert b.try_claim_countdown(7), "closing gives back every claim"
    b.close()


def test_closing_a_storage_frees_its_locks_for_another(postgres_url):
    a, b = PostgresStorage(postgres_url), PostgresStorage(postgres_url)
    assert a.try_lock_chat(1) and a.try_claim_countdown(1) and a.try_lock_polling()
    assert not b.try_lock_chat(1) and not b.try_claim_countdown(1) and not b.try_lock_polling()
    a.close()
    assert b.try_lock_chat(1) and b.try_claim_countdown(1) and b.try_lock_polling()
    b.close()


def test_a_process_killed_with_sigkill_loses_its_locks_at_once(postgres_url):
    holder = (
        "import sys, time\n"
        "from bot.storage.postgres import PostgresStorage\n"
        f"db = PostgresStorage({postgres_url!r})\n"
        f"assert db.try_lock_chat({GROUP}) and db.try_claim_countdown(5) and db.try_lock_polling()\n"
        "print('held', flush=True)\n"
        "time.sleep(600)\n"
    )
    child = subprocess.Popen([sys.executable, "-c", holder], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                             env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == "held"
        mine = PostgresStorage(postgres_url)
        assert not mine.try_lock_chat(GROUP) and not mine.try_claim_countdown(5) and not mine.try_lock_polling()
        child.kill()
        child.wait(timeout=30)
        assert eventually(lambda: mine.try_lock_chat(GROUP)), "the server frees the dead process's locks"
        assert mine.try_claim_countdown(5) and mine.try_lock_polling()
        mine.close()
    finally:
        child.kill()
        child.wait(timeout=30)


def test_lock_keys_of_telegram_ids_never_collide_across_namespaces():
    largest = 2**52 - 1
    assert lock_key(CHAT, largest) < lock_key(COUNTDOWN, -largest) < lock_key(COUNTDOWN, largest) < lock_key(
        POLLER, -largest)
    assert lock_key(POLLER, largest) < 2**63
    with pytest.raises(StorageError, match="too large for a lock key"):
        lock_key(CHAT, 2**52)


def run_polling(settings: Settings, capsys) -> tuple[int, str]:
    """Start the bot in polling mode as `crampbot telegram` would; its exit code and what it printed."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    try:
        code = run_telegram(settings)
    finally:
        root.handlers[:], root.level = handlers, level
    return code, capsys.readouterr().err


def test_a_second_bot_polling_with_the_same_database_stops_at_start_with_one_line(postgres_url, tmp_path, capsys):
    running = PostgresStorage(postgres_url)
    assert running.try_lock_polling()  # the first bot, polling
    settings = load_settings(tmp_path / "none", environ={
        "TELEGRAM_BOT_TOKEN": "123456:ABCDEFGHIJKLMNOP", "CRAMPBOT_DATABASE_URL": postgres_url,
        "CRAMPBOT_DATA_DIR": str(tmp_path / "data"), "TELEGRAM_BASE_URL": "http://127.0.0.1:9/bot"})
    code, printed = run_polling(settings, capsys)
    assert code == EXIT_TELEGRAM and printed == f"crampbot: {ANOTHER_POLLER}\n"
    assert not (tmp_path / "data").exists(), "no data-folder lock is taken with PostgreSQL"
    running.close()


def test_an_empty_database_gets_the_schema_and_its_version(postgres_url):
    db = PostgresStorage(postgres_url)
    tables = {row[0] for row in db.db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").fetchall()}
    assert tables == {"crampbot_schema", "sessions", "diary", "handled_updates", "reminders", "outbox",
                      "countdowns", "inbox", "damaged_rows"}
    assert db.db.execute("SELECT version FROM crampbot_schema").fetchall() == [(1,)] and SCHEMA_VERSION == 1
    indexes = {row[0] for row in db.db.execute("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")}
    assert {"inbox_by_chat", "inbox_by_received_time", "reminders_by_due_time"} <= indexes
    db.record_turn(1, 1, Session(zone="Europe/Oslo"), [])
    db.close()
    again = PostgresStorage(postgres_url)  # opening again changes nothing
    assert again.db.execute("SELECT version FROM crampbot_schema").fetchall() == [(1,)]
    assert again.load(1).zone == "Europe/Oslo"
    again.close()


def test_a_database_from_a_newer_crampbot_is_refused_in_one_line(postgres_url):
    db = PostgresStorage(postgres_url)
    db.db.execute("INSERT INTO crampbot_schema (version, applied) VALUES (%s, 0)", (SCHEMA_VERSION + 1,))
    db.close()
    with pytest.raises(StorageError) as refused:
        PostgresStorage(postgres_url)
    line = str(refused.value)
    assert "was written by a newer CrampBot (schema 2; this one knows up to 1): upgrade CrampBot" in line
    assert line.startswith("the PostgreSQL database test_") and "\n" not in line


def test_several_bots_opening_one_fresh_database_at_once_all_work(postgres_url):
    start = threading.Barrier(4)
    opened: list[PostgresStorage] = []
    failed: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            opened.append(PostgresStorage(postgres_url))
        except BaseException as exc:  # noqa: BLE001 - reported by the assert below
            failed.append(exc)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failed == [] and len(opened) == 4
    for number, db in enumerate(opened):
        db.record_turn(number, number, Session(next_entry_id=number + 1), [])
    assert [opened[0].load(n).next_entry_id for n in range(4)] == [1, 2, 3, 4]
    assert opened[0].db.execute("SELECT version FROM crampbot_schema").fetchall() == [(1,)]
    for db in opened:
        db.close()


def test_the_password_never_appears_in_an_error(postgres_server, postgres_url, caplog):
    database = postgres_url.rsplit("/", 1)[1]
    wrong = postgres_server.url(database, PASSWORD_USER, PASSWORD + "x")
    bad_escape = wrong.replace(quote(PASSWORD + "x", safe=""), PASSWORD.replace("/", "%2F") + "%zz")
    closed_port = f"postgresql://{PASSWORD_USER}:{quote(PASSWORD, safe='')}@127.0.0.1:9/{database}"
    in_query = f"postgresql://{PASSWORD_USER}@127.0.0.1:9/{database}?password={PASSWORD}&sslmode=bogus"
    unquoted = f"postgresql://{PASSWORD_USER}:{PASSWORD}@127.0.0.1:9/{database}"  # the / ends the host part
    echoed = f"postgresql://{PASSWORD_USER}:{quote(PASSWORD, safe='')}@[::1/{database}"  # libpq quotes this URL
    with caplog.at_level(logging.DEBUG):
        for url in (wrong, bad_escape, closed_port, in_query, unquoted, echoed):
            with pytest.raises(StorageError) as refused:
                PostgresStorage(url)
            line = str(refused.value)
            assert PASSWORD not in line and quote(PASSWORD, safe="") not in line and PASSWORD[:8] not in line, line
            assert "\n" not in line
            assert line.startswith("cannot open the PostgreSQL database "), line
        right = postgres_server.url(database, PASSWORD_USER, PASSWORD)
        db = PostgresStorage(right)
        db.record_turn(1, 1, Session(), [])
        with postgres_server.admin() as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s "
                          "AND application_name = 'crampbot'", (database,))
        with pytest.raises(StorageError) as lost:
            db.ping()
        assert PASSWORD not in str(lost.value) and "\n" not in str(lost.value)
        db.ping()  # the next call connects again
        assert db.seen(1)
        db.close()
    assert PASSWORD not in caplog.text


def test_a_turn_rewrites_only_the_diary_rows_that_changed(postgres_url):
    db = PostgresStorage(postgres_url)
    db.record_turn(1, 1, Session(diary=entries(50), next_entry_id=51), [])

    def versions() -> dict[int, str]:
        """entry id -> the transaction that last wrote its row"""
        return dict(db.db.execute("SELECT entry_id, xmin::text FROM diary WHERE chat_id = 1").fetchall())

    before = versions()
    session = db.load(1)
    changed = tuple(e if e.id != 10 else DiaryEntry(10, e.at, "arch", 5) for e in session.diary if e.id != 3)
    db.record_turn(1, 2, session.with_(diary=(*changed, DiaryEntry(51, 9_000.0, "foot")), next_entry_id=52), [])
    after = versions()
    assert {entry_id for entry_id in after if before.get(entry_id) != after[entry_id]} == {10, 51}
    assert 3 not in after
    db.record_turn(1, 3, db.load(1).with_(zone="Asia/Tokyo"), [])
    assert versions() == after
    db.close()


def test_a_failed_turn_keeps_the_damaged_flag_which_every_process_sees(postgres_url):
    a, b = PostgresStorage(postgres_url), PostgresStorage(postgres_url)
    a.record_turn(17, 1, Session(diary=entries(3), next_entry_id=4, zone="Europe/Oslo"), [])
    a.db.execute("UPDATE sessions SET data = 'not json' WHERE chat_id = 17")
    assert not a.damaged(17)
    loaded = a.load(17)
    assert loaded == Session(diary=entries(3), next_entry_id=4) and a.damaged(17) and b.damaged(17)
    a.db.execute("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                 "RAISE EXCEPTION 'the outbox refuses'; END $$")
    a.db.execute("CREATE TRIGGER refuse BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION refuse()")
    with pytest.raises(StorageError, match="the outbox refuses"):
        b.record_turn(17, 2, loaded, [{"text": "told"}])
    assert a.damaged(17) and b.damaged(17) and not b.seen(2)
    a.db.execute("DROP TRIGGER refuse ON outbox")
    b.record_turn(17, 3, loaded, [{"text": "told"}])  # another process handles the chat now, and tells
    assert not a.damaged(17) and not b.damaged(17)
    assert a.db.execute("SELECT told FROM damaged_rows WHERE chat_id = 17").fetchall() == [(True,)]
    a.close()
    b.close()


def test_the_database_url_setting_accepts_postgresql_urls_only_and_never_repeats_the_password(tmp_path):
    assert load_settings(tmp_path / "none", environ={}).database_url is None
    for url in ("postgresql://bot:pw@db.example:5432/crampbot", "postgres://bot@localhost/crampbot"):
        settings = load_settings(tmp_path / "none", environ={"CRAMPBOT_DATABASE_URL": url})
        assert settings.database_url == url and "pw@" not in repr(settings)
    for wrong in ("mysql://bot:hunter2-secret@db/crampbot", "sqlite:///data/x.sqlite3", "hunter2-secret",
                  "postgresql:hunter2-secret"):
        with pytest.raises(ValueError, match="CRAMPBOT_DATABASE_URL must be a PostgreSQL URL") as refused:
            load_settings(tmp_path / "none", environ={"CRAMPBOT_DATABASE_URL": wrong})
        assert "hunter2" not in str(refused.value) and "\n" not in str(refused.value)
