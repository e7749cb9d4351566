"""How replies look in Telegram, as plain data: split text, button rows, countdown lines.
No telegram import here; the adapter turns these into PTB objects."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from bot.core.replies import Choice, Reply

MAX_TEXT = 4096
MAX_CALLBACK_BYTES = 64
SHORT_LABEL = 18


def telegram_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (an emoji is usually two)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split text into chunks Telegram accepts (at most `limit` UTF-16 units each), at paragraph,
    line, sentence or word boundaries (never mid-word unless a single word is longer than the limit)."""
    text = text.strip() or "…"
    chunks: list[str] = []
    while telegram_length(text) > limit:
        fits = _fitting_prefix(text, limit)
        window = text[:fits + 1]
        cut = -1
        for separator in ("\n\n", "\n", ". ", " "):
            cut = window.rfind(separator, 0, fits)
            if cut > fits // 4:
                cut += len(separator) if separator == ". " else 0
                break
        if cut <= 0:
            cut = fits
        chunks.append(text[:cut].rstrip())
        text = text[cut:].lstrip()
    chunks.append(text)
    return [c for c in chunks if c]


def _fitting_prefix(text: str, limit: int) -> int:
    """How many characters from the start fit in `limit` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return index
    return len(text)


Button = tuple[str, Any]  # (label, callback data) or (label, {"url": link})


def button_rows(choices: list[Button]) -> list[list[Button]]:
    """Lay out (label, data) buttons: two per row when both labels are short, otherwise one."""
    rows: list[list[Button]] = []
    for label, data in choices:
        if isinstance(data, str) and len(data.encode()) > MAX_CALLBACK_BYTES:
            raise ValueError(f"button data over {MAX_CALLBACK_BYTES} bytes: {data!r}")
        last = rows[-1] if rows else None
        if last is not None and len(last) == 1 and len(last[0][0]) <= SHORT_LABEL and len(label) <= SHORT_LABEL:
            last.append((label, data))
        else:
            rows.append([(label, data)])
    return rows


def countdown_line(label: str, seconds_left: float) -> str:
    """The live line under a timed step: '⏱ Hold the stretch: 12 s' or '⏱ Warmth: 4:30'."""
    left = max(0, math.ceil(seconds_left))
    if left == 0:
        return f"⏱ {label}: done ✓"
    shown = f"{left // 60}:{left % 60:02d}" if left >= 60 else f"{left} s"
    return f"⏱ {label}: {shown}"


def tick_interval(total_seconds: int) -> float:
    """How often to edit a countdown: every second for short holds, less often for long ones
    (Telegram allows about one edit per second per chat)."""
    return 1.0 if total_seconds <= 60 else 5.0


def deep_link(bot_username: str, payload: str) -> str:
    """The t.me link that opens a private chat with the bot and sends it /start <payload>."""
    return f"https://t.me/{bot_username}?start={payload}"


def _button(choice: Choice, bot_username: str) -> Button | None:
    """A choice as (label, data); a link button needs the bot's username (None without it)."""
    if choice.link is None:
        return choice.label, choice.action
    return (choice.label, {"url": deep_link(bot_username, choice.link)}) if bot_username else None


def payloads(reply: Reply, bot_username: str = "") -> list[dict[str, Any]]:
    """A reply as the messages to send: text chunks, with buttons and the timer on the last one
    (link buttons point at a private chat with `bot_username`)."""
    text = reply.text
    if reply.timer is not None:
        text = f"{text}\n\n{countdown_line(reply.timer.label, reply.timer.seconds)}"
    out: list[dict[str, Any]] = [{"text": chunk} for chunk in split_text(text)]
    if reply.timer is not None:
        out[-1]["timer"] = {"id": reply.timer.timer_id, "ends_at": reply.timer.ends_at,
                            "seconds": reply.timer.seconds, "label": reply.timer.label}
    buttons = [b for b in (_button(c, bot_username) for c in reply.choices) if b is not None]
    if buttons:
        out[-1]["buttons"] = button_rows(buttons)
    if reply.keyboard is not None:
        out[-1]["keyboard"] = list(reply.keyboard)
    if reply.chart is not None:
        out.append({"chart": asdict(reply.chart)})
    if reply.summary is not None:
        out.append({"summary": asdict(reply.summary)})
    if reply.attachment is not None:
        out.append({"document": {"filename": reply.attachment.filename, "content": reply.attachment.content}})
    return out


def without_countdown(text: str) -> str:
    """A timed step's text without its last line (the countdown)."""
    return text.rsplit("\n", 1)[0].rstrip() if "\n" in text else text


def with_countdown(text: str, label: str, seconds_left: float) -> str:
    """Replace the last line (the countdown) of a timed step's text with the current value."""
    return f"{without_countdown(text)}\n\n{countdown_line(label, seconds_left)}"
