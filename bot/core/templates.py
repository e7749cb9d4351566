"""Texts in dialogs/messages.yaml with {fields} to fill in: the fields the code gives each, and filling them.
Loading the content checks that no text names a field it is not given (`template_problem`)."""

from __future__ import annotations

TEMPLATES = {
    "unknown_command": ("command",), "red_flag_why": ("why",), "diary_line_helped": ("helped",),
    "diary_edit_button": ("id",), "diary_delete_button": ("id",), "history_last_7_days": ("count",),
    "history_last_30_days": ("count",), "history_when": ("parts",), "history_helped_most": ("helped",),
    "history_average_severity": ("average",), "cramps_many": ("count",), "reminder_line": ("name", "times", "next"),
    "reminders_zone": ("zone",), "zone_line": ("zone", "time"), "console_timer_done": ("label",),
    "console_timer_left": ("label", "seconds"), "console_file_start": ("filename",),
    "because_you_said": ("said", "tip"), "tip": ("tip",), "red_flag_said": ("said", "why"),
    "red_flag_mention": ("said",), "red_flag_mention_medicine": ("said",),
    "routine_said": ("said", "why"), "routine_why": ("why",),
    # the kept plan, its look-back and the doctor's summary
    "plan_heading": ("date",), "review_since_plan": ("date",), "review_counts": ("since", "before", "after"),
    "review_first_weeks": ("before", "after"), "summary_intro": ("date", "zone"),
    "summary_count": ("count", "first", "last"), "summary_rate": ("recent", "before"),
    "summary_rate_recent": ("recent",),
    "summary_durations": ("counts",), "summary_longest": ("duration", "date"), "summary_severity": ("average", "worst"),
    "summary_checkup": ("date",), "summary_answer": ("question", "answers"), "summary_flag": ("date", "level", "why"),
    "summary_flags_earlier": ("count",), "summary_quiet_nights": ("count",),
    "diary_page_heading": ("first", "last", "total"), "diary_noted": ("noted",),
    "history_quiet_nights": ("week", "month"),
}


def word_list(text: str) -> frozenset[str]:
    """The words or phrases of a comma-separated list in dialogs/messages.yaml ("more, tell more, go on")."""
    return frozenset(phrase.strip() for phrase in text.split(","))


def quoted(words: tuple[str, ...]) -> str:
    """The person's words, each in quotes, as a list: “calf is swollen” and “short of breath”."""
    marks = [f"“{w}”" for w in words]
    return " and ".join(marks) if len(marks) < 3 else f"{', '.join(marks[:-1])} and {marks[-1]}"


def fill(texts: dict[str, str], key: str, **fields: object) -> str:
    """The text `key` with its {fields} filled in."""
    return texts[key].format(**fields)


def template_problem(key: str, text: str) -> str | None:
    """Why a text cannot be filled with the fields the code gives it (an unknown field or a stray brace), or
    None when it can; a wording change must not break a reply at run time."""
    names = TEMPLATES.get(key, ())
    try:
        text.format(**dict.fromkeys(names, ""))
    except (KeyError, IndexError, ValueError) as exc:
        allowed = ", ".join("{" + name + "}" for name in names) or "none"
        return f"unknown or broken placeholder ({exc}); allowed: {allowed}"
    return None
