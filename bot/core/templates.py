"""Texts in dialogs/messages.yaml with {fields} to fill in: the fields each is given, filling them, and the
check at start that a wording change names no field the code does not give."""

from __future__ import annotations

TEMPLATES = {
    "unknown_command": ("command",), "red_flag_why": ("why",), "diary_line_helped": ("helped",),
    "diary_edit_button": ("id",), "diary_delete_button": ("id",), "history_last_7_days": ("count",),
    "history_last_30_days": ("count",), "history_when": ("parts",), "history_helped_most": ("helped",),
    "history_average_severity": ("average",), "cramps_many": ("count",), "reminder_line": ("name", "times", "next"),
    "reminders_zone": ("zone",), "zone_line": ("zone", "time"), "console_timer_done": ("label",),
    "console_timer_left": ("label", "seconds"), "console_file_start": ("filename",),
}


def fill(texts: dict[str, str], key: str, **fields: object) -> str:
    """The text `key` with its {fields} filled in."""
    return texts[key].format(**fields)


def check_templates(texts: dict[str, str]) -> None:
    """Stop, naming the text and the fields it may use, when a text names a field it is never given (or has
    a stray brace), so a wording change cannot break a reply at run time."""
    for key, names in TEMPLATES.items():
        try:
            texts[key].format(**dict.fromkeys(names, ""))
        except (KeyError, IndexError, ValueError) as exc:
            allowed = ", ".join("{" + name + "}" for name in names)
            raise ValueError(f"dialogs/messages.yaml, texts.{key}: unknown or broken placeholder ({exc}); "
                             f"allowed: {allowed}") from None
