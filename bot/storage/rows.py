"""What both storage backends do with a row's bytes: read the JSON object a row holds, write a diary
entry's row text, tell the readable diary rows from the damaged ones, put a chat's session back together
from its rows, work out which diary rows a turn changes, and log rows set aside or skipped (one line,
never their content). A damaged row is a `Damaged` tuple: its table, its diary entry id, its bytes."""

from __future__ import annotations

import json
import logging
from collections import Counter
from dataclasses import fields
from typing import Any

from bot.core.session import DiaryEntry, Session
from bot.storage import Outgoing, Received

Damaged = tuple[str, int | None, bytes]  # a row to set aside: its table, its diary entry id, its bytes

log = logging.getLogger("crampbot.storage")


def json_object(raw: bytes) -> dict[str, Any] | None:
    """The JSON object a row holds, or None when its bytes are not UTF-8 JSON of an object."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):  # UnicodeDecodeError is a ValueError
        return None
    return data if isinstance(data, dict) else None


_ENTRY_FIELDS = tuple(field.name for field in fields(DiaryEntry))


def entry_json(entry: DiaryEntry) -> str:
    """The row text of a diary entry (ASCII; the same entry always gives the same text)."""
    return json.dumps({name: getattr(entry, name) for name in _ENTRY_FIELDS})


def session_json(session: Session) -> str:
    """The row text of a session: everything but its diary, which has rows of its own."""
    data = session.with_(diary=()).to_dict()
    del data["diary"]
    return json.dumps(data)


def report_set_aside(chat_id: int, damaged: list[Damaged]) -> None:
    """One ERROR line for the rows of a chat just set aside: the tables and how many (never the content)."""
    counts = Counter(table for table, _, _ in damaged)
    log.error("chat %s: saved rows that could not be read were set aside in damaged_rows (%s)", chat_id,
              ", ".join(f"{table}: {count}" for table, count in counts.items()))


def report_skipped(skipped: int, what: str) -> None:
    """One WARNING line when unreadable rows of a kind were skipped."""
    if skipped:
        log.warning("skipped %d saved %s row(s) that could not be read", skipped, what)


def read_entries(rows: list[tuple[Any, ...]], damaged: list[Damaged]) -> list[DiaryEntry]:
    """The diary entries of (entry_id, raw bytes) rows; each row that cannot be read, or holds another
    entry's id, is added to `damaged`."""
    readable = []
    for entry_id, raw in rows:
        data = json_object(raw)
        if data is None:
            damaged.append(("diary", entry_id, raw))
        else:
            readable.append((entry_id, raw, data))
    entries = Session.from_dict({"diary": [data for _, _, data in readable]}).diary  # drops what it cannot read
    if [e.id for e in entries] == [entry_id for entry_id, _, _ in readable]:
        return list(entries)
    kept = []
    for entry_id, raw, data in readable:  # some row is damaged: find which
        entry = Session.from_dict({"diary": [data]}).diary
        if entry and entry[0].id == entry_id:
            kept.append(entry[0])
        else:
            damaged.append(("diary", entry_id, raw))
    return kept


def session_from_rows(session_row: bytes | None, entry_rows: list[tuple[Any, ...]],
                      damaged: list[Damaged]) -> Session:
    """A chat's session from its session row (None when it has none) and its (entry_id, raw bytes) diary
    rows; the rows that cannot be read are added to `damaged` and the rest is kept (a damaged session
    row keeps its diary)."""
    session = Session()
    if session_row is not None:
        data = json_object(session_row)
        if data is None:
            damaged.append(("sessions", None, session_row))
        else:
            session = Session.from_dict(data)
    entries = read_entries(entry_rows, damaged)
    diary = tuple(sorted(entries, key=lambda e: (e.at, e.id)))  # oldest first, as bot.diary keeps them
    return session.with_(diary=diary, next_entry_id=max([session.next_entry_id, *(e.id + 1 for e in diary)]))


def diary_changes(stored: dict[int, bytes], session_row: bytes | None, diary: tuple[DiaryEntry, ...]) -> tuple[
        list[Damaged], list[tuple[int, str]], list[int]]:
    """Compared with a chat's diary rows as the table holds them (entry id -> bytes) and its session row:
    the rows that cannot be read and a turn would overwrite or delete, the (id, JSON) of each entry that
    is new or differs, and the ids the diary no longer has."""
    texts = {entry.id: entry_json(entry) for entry in diary}
    changed = [(entry_id, text) for entry_id, text in texts.items() if stored.get(entry_id) != text.encode()]
    gone = [entry_id for entry_id in stored if entry_id not in texts]
    touched = [entry_id for entry_id, _ in changed if entry_id in stored] + gone
    damaged: list[Damaged] = [("diary", entry_id, stored[entry_id]) for entry_id in touched
                              if json_object(stored[entry_id]) is None]
    if session_row is not None and json_object(session_row) is None:
        damaged.insert(0, ("sessions", None, session_row))
    return damaged, changed, gone


def received_from_rows(rows: list[tuple[Any, ...]]) -> list[Received]:
    """Inbox rows (update_id, chat_id, JSON text or bytes) as Received; an unreadable row is skipped."""
    received = []
    for update_id, chat_id, data in rows:
        try:
            received.append(Received(update_id, chat_id, json.loads(data)))  # bytes: not UTF-8 is a ValueError
        except ValueError:
            continue
    return received


def outgoing_from_rows(rows: list[tuple[Any, ...]]) -> list[Outgoing]:
    """Outbox rows (id, chat_id, JSON text or bytes) as Outgoing; an unreadable row is skipped."""
    unsent = []
    for outbox_id, chat, payload in rows:
        try:
            unsent.append(Outgoing(outbox_id, chat, json.loads(payload)))
        except ValueError:
            continue
    return unsent
