"""The bot's own words outside the knowledge base (dialogs/messages.yaml): texts, menu, commands."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.content.strict_yaml import Checker, checked_text, read_yaml
from bot.core.replies import Choice
from bot.core.templates import TEMPLATES, template_problem

TEXT_KEYS: tuple[str, ...] = (
    "greeting", "disclaimer", "menu_prompt", "help", "fallback", "empty", "stale_button", "cancelled",
    "nothing_to_cancel", "checkup_paused", "resume_offer", "no_checkup_to_resume", "checkup_restart", "more_none",
    "more_label", "relief_already", "relief_stopped", "relief_check_in", "red_flag_checkup_paused",
    "question_in_flow", "urgent_footer", "non_text", "history_empty", "history_heading", "history_most_nights",
    "history_long_cramp", "history_pattern_night", "history_pattern_exercise", "history_pattern_sitting",
    "diary_list_heading", "diary_saved", "diary_updated", "diary_deleted", "diary_no_entry", "diary_confirm_delete",
    "diary_edit_which", "log_offer", "reminders_set", "reminders_none", "reminders_current", "reminders_stopped",
    "reminders_stopped_all", "reminders_snoozed", "reminders_console", "console_quit_words", "console_hint",
    "console_bye", "privacy", "export_caption", "forget_confirm", "forget_done", "forget_kept", "reminder_bedtime",
    "reminder_hydration", "reminders_fluid_limit", "hydration_times", "storage_problem", "diary_long_cramp",
    "diary_relief_running", "zone_saved", "history_quiet_month", "private_only", "saved_data_damaged", "too_fast",
    "unknown_command", "red_flag_why", "diary_line_helped", "diary_edit_button", "diary_delete_button",
    "diary_field_when", "diary_field_where", "diary_field_severity", "diary_field_duration", "diary_field_helped",
    "diary_field_doing", "history_last_7_days", "history_last_30_days", "history_when", "history_helped_most",
    "history_average_severity", "cramps_none", "cramps_one", "cramps_many", "part_of_day_night", "part_of_day_morning",
    "part_of_day_afternoon", "part_of_day_evening", "chart_per_day", "chart_by_time", "reminder_name_bedtime",
    "reminder_name_hydration", "reminder_line", "reminders_zone", "zone_line", "privacy_export_label",
    "privacy_forget_label", "more_words", "yes_words", "no_words", "console_you", "console_timer_done",
    "console_timer_left", "console_file_start", "console_file_end", "relief_offer", "relief_offer_check", "clarify",
    "because_you_said", "tip", "doctor_line", "stretch_line", "relief_first_at_the_wheel",
    "relief_first_on_the_bike", "relief_first_in_the_water", "relief_first_on_a_hill", "relief_first_at_dialysis",
    "relief_first_pregnant", "relief_first_long", "relief_first_unsteady", "history_log_offer", "other_language",
    "now_words",
    "not_now_words",
    "already_fluids", "already_stretching",
    "red_flag_said", "urgent_answer", "urgent_cramp_now", "red_flag_mention", "red_flag_mention_medicine",
    "routine_said", "routine_why",
    "routine_already_said", "bot_description", "bot_short_description", "sos_shown", "sos_hidden",
    # the kept plan and its look-back
    "plan_none", "plan_heading", "plan_kept", "plan_offer", "review_heading", "review_since_plan",
    "review_since_bedtime", "review_counts", "review_first_weeks", "review_better", "review_same", "review_worse",
    "review_next_stretch", "review_doctor", "review_log_more", "review_counts_note",
    # the doctor's summary
    "summary_ready", "summary_empty", "summary_console", "summary_title", "summary_intro", "summary_how_often",
    "summary_count", "summary_rate", "summary_rate_recent", "summary_when", "summary_where", "summary_how_long",
    "summary_durations", "summary_longest", "summary_severity", "summary_helped", "summary_doing", "summary_checkup",
    "summary_checkup_none", "summary_answer", "summary_flags", "summary_flag", "summary_no_flags", "summary_nothing",
    "summary_flags_earlier", "summary_quiet_nights", "summary_none",
    "summary_chart_weeks", "summary_chart_parts", "summary_footer", "summary_q_timing", "summary_q_frequency",
    "summary_q_activity", "summary_q_hydration", "summary_q_medications", "summary_q_conditions", "summary_q_footwear",
    "summary_q_lifestyle",
)
TEXT_KEYS += (  # the diary's pages, quick entries, export and the morning check-in
    "diary_page_heading", "diary_line_several", "diary_add_more", "diary_zone_later", "diary_noted",
    "history_quiet_nights", "part_of_day_unknown", "export_csv_caption", "reminder_checkin", "reminder_name_checkin",
    "checkin_none", "checkin_where_one", "checkin_where_several", "checkin_saved", "diary_field_side",
)
BUTTON_KEYS: tuple[str, ...] = (
               "resume_checkup", "restart_checkup", "start_relief", "start_checkup", "menu", "log_cramp", "log_new",
               "history", "diary", "snooze", "stop_reminder", "stop_all_reminders", "change_reminders", "forget_yes",
               "forget_no", "delete_yes", "delete_no", "open_private", "clarify_now", "clarify_why", "clarify_prevent",
               "clarify_serious", "triage_yes", "triage_no", "sos_keyboard",
               "plan_more", "remind_bedtime", "remind_hydration", "summary", "my_plan")
BUTTON_KEYS += ("diary_newer", "diary_older", "add_severity", "add_side", "add_where", "add_doing", "set_zone",
                "checkin_setup", "checkin_none", "checkin_one", "checkin_several", "checkin_bad", "checkin_left_calf",
                "checkin_right_calf", "checkin_left_foot", "checkin_right_foot", "checkin_both", "checkin_other")
MENU_ACTIONS = ("menu:start", "menu:main", "menu:cramp", "menu:checkup", "menu:resume", "menu:restart", "menu:help",
                "menu:cancel", "menu:log", "menu:diary", "menu:history", "menu:reminders", "menu:privacy",
                "menu:export", "menu:forget", "menu:timezone", "menu:show_sos", "menu:hide_sos", "menu:plan",
                "menu:summary")
_COMMAND = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
MENU_COMMANDS = 7  # at most this many commands in Telegram's command menu; the rest are in /help and buttons
DESCRIPTION_LIMITS = {"bot_description": 512, "bot_short_description": 120}  # Telegram's lengths


@dataclass(frozen=True)
class Command:
    """A slash command: its name, the menu description and the action it runs."""

    command: str
    description: str
    action: str
    in_menu: bool = False  # shown in Telegram's command menu (at most MENU_COMMANDS are)


@dataclass(frozen=True)
class Messages:
    """All of the bot's fixed texts, buttons, menu and commands."""

    texts: dict[str, str]
    buttons: dict[str, str]
    menu: tuple[Choice, ...]
    commands: tuple[Command, ...]

    def text(self, key: str) -> str:
        """A fixed text by key."""
        return self.texts[key]

    def command_action(self, name: str) -> str | None:
        """The action behind /name, or None when there is no such command."""
        return next((c.action for c in self.commands if c.command == name), None)


def load_messages(path: Path, label: str) -> Messages:
    """Read and check dialogs/messages.yaml."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if not (check.version(doc) and check.mapping(
        doc, None, {"version": int, "texts": dict, "buttons": dict, "menu": list, "commands": list}
    )):
        check.raise_if_any()
    texts = _keyed(doc["texts"], TEXT_KEYS, "texts", check)
    for key in TEMPLATES:  # a text naming a field the code never gives would fail mid-conversation
        problem = template_problem(key, texts[key]) if key in texts else None
        if problem:
            check.add(problem, f"texts.{key}", doc["texts"])
    buttons = _keyed(doc["buttons"], BUTTON_KEYS, "buttons", check)
    menu = []
    for item in doc["menu"]:
        if check.mapping(item, "menu", {"action": str, "label": str}):
            menu.append(Choice(item["action"], item["label"].strip()))
    commands = []
    for item in doc["commands"]:
        name = item.get("command") if isinstance(item, dict) else None
        if check.mapping(item, f"/{name}", {"command": str, "description": str, "action": str}, {"menu": bool}):
            name = checked_text(item, "command")
            if not _COMMAND.match(name):
                check.add("command names are 1-32 lower-case letters, digits or _", f"/{name}", item)
            if not 3 <= len(item["description"]) <= 256:
                check.add("command descriptions must be 3-256 characters", f"/{name}", item)
            commands.append(Command(name, item["description"].strip(), item["action"], item.get("menu", False)))
    check.unique((c.command for c in commands), "command")
    if not 1 <= sum(c.in_menu for c in commands) <= MENU_COMMANDS:
        check.add(f"between 1 and {MENU_COMMANDS} commands may have `menu: true` (the rest are in /help)", "commands")
    for key, limit in DESCRIPTION_LIMITS.items():
        if len(texts.get(key, "")) > limit:
            check.add(f"Telegram takes at most {limit} characters here", f"texts.{key}")
    for action in [c.action for c in commands] + [m.action for m in menu]:
        if action.startswith("menu:") and action not in MENU_ACTIONS:
            check.add(f"unknown action {action!r} (allowed: {', '.join(MENU_ACTIONS)} or ask:<entry id>)")
        elif not action.startswith(("menu:", "ask:")):
            check.add(f"unknown action {action!r}")
    check.raise_if_any()
    return Messages(texts, buttons, tuple(menu), tuple(commands))


def _keyed(node: dict[str, Any], keys: tuple[str, ...], what: str, check: Checker) -> dict[str, str]:
    values: dict[str, str] = {}
    for key in keys:
        if not isinstance(node.get(key), str) or not node[key].strip():
            check.add(f"missing text {key!r}", what, node)
        else:
            values[key] = node[key].strip()
    for key in node:
        if key not in keys:
            check.add(f"unknown key {key!r}", what, node)
    return values
