"""Databases as each earlier CrampBot schema wrote them, full of data, for the upgrade and restore tests.

The CREATE statements are the ones each earlier schema ran, copied from the history of bot/storage.py and
bot/storage/sqlite.py: they are fixtures, never taken from the code under test."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from bot.core.session import DiaryEntry, Reminder, Session
from bot.storage import Countdown

SCHEMA_1 = (  # bot/storage.py, SCHEMA_VERSION = 1
    "CREATE TABLE IF NOT EXISTS sessions (chat_id INTEGER PRIMARY KEY, data TEXT NOT NULL, updated REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS handled_updates (update_id INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL)",
    ("CREATE TABLE IF NOT EXISTS reminders (chat_id INTEGER NOT NULL, kind TEXT NOT NULL, next_at REAL NOT NULL, "
    "PRIMARY KEY (chat_id, kind))"),
    ("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, chat_id INTEGER NOT NULL, "
    "payload TEXT NOT NULL, created REAL NOT NULL)"),
    ("CREATE TABLE IF NOT EXISTS countdowns (chat_id INTEGER PRIMARY KEY, timer_id TEXT NOT NULL, "
    "message_id INTEGER NOT NULL, ends_at REAL NOT NULL, text TEXT NOT NULL, markup TEXT)"),
)
SCHEMA_2 = (*SCHEMA_1,  # bot/storage.py, SCHEMA_VERSION = 2: the inbox
            ("CREATE TABLE IF NOT EXISTS inbox (update_id INTEGER PRIMARY KEY, chat_id INTEGER, data TEXT NOT NULL, "
            "received REAL NOT NULL)"))
SCHEMA_3 = (*SCHEMA_2,  # bot/storage/sqlite.py, SCHEMA_VERSION = 3: the diary table and damaged_rows
            ("CREATE TABLE IF NOT EXISTS diary (chat_id INTEGER NOT NULL, entry_id INTEGER NOT NULL, "
            "data TEXT NOT NULL, PRIMARY KEY (chat_id, entry_id))"),
            ("CREATE TABLE IF NOT EXISTS damaged_rows (id INTEGER PRIMARY KEY AUTOINCREMENT, table_name TEXT NOT NULL, "
            "chat_id INTEGER NOT NULL, entry_id INTEGER, data BLOB NOT NULL, found REAL NOT NULL, "
            "told INTEGER NOT NULL DEFAULT 0)"))
OLD_SCHEMAS = {1: SCHEMA_1, 2: SCHEMA_2, 3: SCHEMA_3}
CHATS = range(1001, 1061)  # sixty chats


@dataclass
class Written:
    """What a test wrote into an old database, as the storage should give it back."""

    sessions: dict[int, Session] = field(default_factory=dict)
    unsent: list[tuple[int, int, dict]] = field(default_factory=list)
    reminders: set[tuple[int, str, float]] = field(default_factory=set)
    countdowns: list[Countdown] = field(default_factory=list)
    handled: list[int] = field(default_factory=list)
    inbox: list[tuple[int, int | None, dict]] = field(default_factory=list)
    damaged: list[tuple] = field(default_factory=list)


def diary(chat_id: int) -> tuple[DiaryEntry, ...]:
    """A different diary for each chat: up to 24 entries with sides, times said in words and what helped."""
    return tuple(DiaryEntry(i, 1_700_000_000.0 + chat_id * 1000 + i * 3600, ("calf", "foot", "thigh")[i % 3],
                            1 + i % 5, "1_5min", ("stretch",) if i % 2 else ("walk", "heat"),
                            side=("left", "right", "both")[i % 3], time_known=i % 4 != 0,
                            part="night" if i % 4 == 0 else None, said="last night" if i % 4 == 0 else None)
                 for i in range(1, chat_id % 25 + 1))


def session(chat_id: int) -> Session:
    """A chat's session: its diary, a time zone, reminders and a next entry id past the diary."""
    entries = diary(chat_id)
    reminders = (Reminder("bedtime_stretch", ("21:30",), 1_800_000_000.0 + chat_id),
                 Reminder("drink", ("10:00", "16:00"), 1_800_000_500.0 + chat_id)) if chat_id % 3 else ()
    return Session(diary=entries, next_entry_id=len(entries) + 1 + chat_id % 2,
                   zone=("Europe/Oslo", "Asia/Tokyo", "America/Chicago")[chat_id % 3], reminders=reminders)


def old_database(path: Path, version: int) -> Written:
    """A database made by schema `version`'s CREATE statements, full of data the way that version kept it
    (the diary inside the session's JSON before schema 3, in its own rows since)."""
    db = sqlite3.connect(path)
    for statement in OLD_SCHEMAS[version]:
        db.execute(statement)
    written = Written()
    update_id = 500_000
    for chat_id in CHATS:
        kept = session(chat_id)
        written.sessions[chat_id] = kept
        data = kept.to_dict()
        if version >= 3:
            entries = data.pop("diary")
            db.executemany("INSERT INTO diary VALUES (?, ?, ?)",
                           [(chat_id, entry["id"], json.dumps(entry)) for entry in entries])
        db.execute("INSERT INTO sessions VALUES (?, ?, ?)", (chat_id, json.dumps(data), 1_700_000_000.0))
        for kind, at in kept.due_times():
            db.execute("INSERT INTO reminders VALUES (?, ?, ?)", (chat_id, kind, at))
            written.reminders.add((chat_id, kind, at))
        for n in range(chat_id % 3):
            payload = {"text": f"reply {n} to chat {chat_id} ✅", "buttons": [["Next", "f:relief:next"]]}
            cursor = db.execute("INSERT INTO outbox (chat_id, payload, created) VALUES (?, ?, ?)",
                                (chat_id, json.dumps(payload), 1_700_000_100.0))
            written.unsent.append((cursor.lastrowid, chat_id, payload))
        if chat_id % 4 == 0:
            countdown = Countdown(chat_id, "relief.stretch.2", 40 + chat_id, 1_700_000_200.0 + chat_id,
                                  "Hold the stretch\n⏱ 30 s", [[["▶️ Start", "f:relief:start"]]])
            db.execute("INSERT INTO countdowns VALUES (?, ?, ?, ?, ?, ?)",
                       (chat_id, countdown.timer_id, countdown.message_id, countdown.ends_at, countdown.text,
                        json.dumps(countdown.markup)))
            written.countdowns.append(countdown)
        for _ in range(2):
            update_id += 1
            db.execute("INSERT INTO handled_updates VALUES (?, ?)", (update_id, chat_id))
            written.handled.append(update_id)
        if version >= 2 and chat_id % 5 == 0:
            update_id += 1
            update = {"update_id": update_id, "message": {"chat": {"id": chat_id}, "text": "cramp in my calf"}}
            db.execute("INSERT INTO inbox VALUES (?, ?, ?, ?)", (update_id, chat_id, json.dumps(update),
                                                                 1_700_000_300.0 + chat_id))
            written.inbox.append((update_id, chat_id, update))
    if version >= 2:
        update_id += 1
        db.execute("INSERT INTO inbox VALUES (?, NULL, ?, 1700000400.0)",
                   (update_id, json.dumps({"update_id": update_id})))
        written.inbox.append((update_id, None, {"update_id": update_id}))
    if version >= 3:
        db.execute("INSERT INTO damaged_rows (table_name, chat_id, entry_id, data, found, told) "
                   "VALUES ('diary', 1010, 77, X'ff00', 1700000500.0, 0)")
        written.damaged.append(("diary", 1010, 77, b"\xff\x00", 0))
    db.execute(f"PRAGMA user_version={version}")
    db.commit()
    db.close()
    return written
