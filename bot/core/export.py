"""The /export files: everything kept about a person, readable by a person. The diary comes as JSON and as
a CSV table, with dates in ISO 8601 in the person's time zone (with its offset) and the answers as the words
the buttons show, never epoch seconds or choice ids. The columns are described in docs/content.md#export."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from bot.content.flows import Flow
from bot.core.diary import moment, numbers, part_of
from bot.core.replies import Attachment
from bot.core.session import DiaryEntry, FlowPosition, LastRelief, Session
from bot.language.times import local_time

JSON_NAME, CSV_NAME = "crampbot-my-data.json", "crampbot-diary.csv"
COLUMNS = ("number", "date", "time", "date_time", "time_known", "when_said", "part_of_day", "side", "where",
           "severity_1_to_5", "how_long", "what_helped", "doing", "cramps")


def iso(epoch: float, zone: str | None) -> str:
    """A moment in ISO 8601, in the person's zone with its offset: '2027-01-15T03:00:00+01:00'."""
    return local_time(epoch, zone).isoformat(timespec="seconds")


def entry_row(entry: DiaryEntry, number: int, zone: str | None, labels: dict[tuple[str, str], str]) -> dict[str, Any]:
    """One diary entry as readable fields (the CSV's columns; JSON keeps lists and numbers as they are)."""
    when = local_time(entry.at, zone)

    def label(question: str, answer: str | None) -> str | None:
        """The words a button shows for an answer (None when not given)."""
        return labels.get((question, answer), answer) if answer else None

    return {
        "number": number,
        "date": when.date().isoformat(),
        "time": when.strftime("%H:%M") if entry.time_known else None,
        "date_time": iso(entry.at, zone) if entry.time_known else None,
        "time_known": entry.time_known,
        "when_said": None if entry.time_known else moment(entry, zone),
        "part_of_day": part_of(entry, zone),
        "side": label("side", entry.side),
        "where": label("where", entry.where),
        "severity_1_to_5": entry.severity,
        "how_long": label("duration", entry.duration),
        "what_helped": [label("helped", h) for h in entry.helped],
        "doing": label("doing", entry.doing),
        "cramps": entry.count,
    }


def diary_rows(diary: tuple[DiaryEntry, ...], zone: str | None, diary_flow: Flow) -> list[dict[str, Any]]:
    """Every entry as readable fields, oldest first, numbered as /diary numbers them."""
    labels = diary_flow.answer_labels()
    places = numbers(diary)
    return [entry_row(e, places[e.id], zone, labels) for e in diary]


def diary_csv(rows: list[dict[str, Any]]) -> str:
    """The diary rows as CSV (a header row; what helped joined with "; "; yes/no for the time being known)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        cells = {**row, "what_helped": "; ".join(h for h in row["what_helped"] if h),
                 "time_known": "yes" if row["time_known"] else "no"}
        writer.writerow({k: "" if v is None else v for k, v in cells.items()})
    return out.getvalue()


def _position(position: FlowPosition | None, zone: str | None) -> dict[str, Any] | None:
    """A conversation under way: which one, where, since when, and the answers given so far (as stored)."""
    if position is None:
        return None
    return {"conversation": position.flow, "step": position.state, "since": iso(position.started_at, zone),
            "answers_so_far": {k: list(v) for k, v in position.answers.items()}}


def _relief(relief: LastRelief | None, zone: str | None) -> dict[str, Any] | None:
    if relief is None:
        return None
    return {"started": iso(relief.started_at, zone), "eased": iso(relief.ended_at, zone),
            "step_that_helped": relief.helped}


def export_files(session: Session, now: float, diary_flow: Flow,
                 reminder_names: dict[str, str]) -> tuple[Attachment, Attachment]:
    """Everything kept about the person as JSON, and the diary as a CSV table."""
    zone = session.zone
    rows = diary_rows(session.diary, zone, diary_flow)
    data = {
        "exported_at": iso(now, zone),
        "time_zone": zone or "UTC",
        "diary": rows,
        "cramp_free_nights": [{"morning_of": day} for day in session.quiet_nights],
        "reminders": [{"reminder": reminder_names.get(r.kind, r.kind), "times": list(r.times),
                       "next": iso(r.next_at, zone)} for r in session.reminders],
        "check_up_behind_the_plan": None if session.plan is None else {
            "done": iso(session.plan.made_at, zone),
            "answers": {k: list(v) for k, v in session.plan.answers.items()},
            "look_back_due": iso(session.plan.review_at, zone) if session.plan.review_at is not None else None},
        "safety_warnings_given": [{"when": iso(f.at, zone), "level_of_care": f.level, "why": f.why}
                                  for f in session.flags],
        "last_topic_asked": session.last_intent,
        "last_cramp_eased": _relief(session.last_relief, zone),
        "conversation_in_progress": _position(session.active, zone),
        "paused_check_up": _position(session.paused, zone),
    }
    return (Attachment(JSON_NAME, json.dumps(data, indent=2, ensure_ascii=False)),
            Attachment(CSV_NAME, diary_csv(rows)))
