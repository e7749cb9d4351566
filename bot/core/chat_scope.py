"""Private chats and groups: what is personal, and deep links into a private chat.

In a group, personal actions (check-up, diary, history, reminders, time zone, privacy, export,
forget) are refused with a button that opens a private chat with the bot at the same feature, and
a group chat's session keeps nothing personal. `/start <payload>` (what a t.me deep link sends)
opens a feature directly. Pure: no telegram import."""

from __future__ import annotations

import re
from dataclasses import replace

from bot.content.messages import Messages
from bot.core import actions
from bot.core import content_ids as ids
from bot.core.replies import Choice, Reply
from bot.core.session import Event, Press, Session, Text

# deep-link payload -> the action it opens in a private chat (the payload is the menu item's name)
DEEP_LINKS = {name: actions.menu(name) for name in ("checkup", "cramp", "log", "diary", "history", "reminders",
                                                    "timezone", "export", "forget", "privacy", "plan", "summary")}
# personal menu actions -> the deep-link payload that opens them in a private chat
PERSONAL_MENU = {"checkup": "checkup", "restart": "checkup", "resume": "checkup", "log": "log", "log_relief": "log",
                 "diary": "diary", "history": "history", "reminders": "reminders", "reminders_setup": "reminders",
                 "timezone": "timezone", "privacy": "privacy", "export": "export", "forget": "forget",
                 "plan": "plan", "plan_more": "plan", "remind_bedtime": "reminders", "remind_hydration": "reminders",
                 "summary": "summary",
                 # the always-there 🆘 button is for a private chat: in a group it would sit under everyone's typing
                 "show_sos": "cramp", "hide_sos": "cramp"}
PERSONAL_KINDS = {actions.DIARY: "diary", actions.REMIND: "reminders", actions.FORGET: "forget"}  # diary:* ...
PERSONAL_FLOWS = {ids.CHECKUP: "checkup", ids.DIARY: "log", ids.REMINDERS: "reminders", ids.ZONE: "timezone"}  # f:*
GROUP_FLOWS = frozenset({ids.RELIEF})  # the only flow a group chat may be in
PAYLOAD = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def in_group(event: Event) -> bool:
    """True for a message or button press in a group chat."""
    return isinstance(event, (Text, Press)) and event.in_group


def private_link(action: str) -> str | None:
    """The deep-link payload for a personal action (None: the action is fine in a group). A broken action
    of a personal kind (say, a flow button with a part missing) is refused all the same."""
    press = actions.parse(action)
    if isinstance(press, actions.Menu):
        return PERSONAL_MENU.get(press.name)
    if isinstance(press, actions.FlowPress):
        return PERSONAL_FLOWS.get(press.flow)
    if isinstance(press, actions.Unknown) and press.kind == actions.FLOW:
        return PERSONAL_FLOWS.get(press.fields[0])
    return PERSONAL_KINDS.get(press.kind)


def deep_link_action(text: str) -> str | None:
    """The action a `/start <payload>` message opens (None: no payload, or one we do not know)."""
    parts = text.split(maxsplit=1)
    payload = parts[1].strip() if len(parts) == 2 else ""
    return DEEP_LINKS.get(payload) if PAYLOAD.match(payload) else None


def group_safe(session: Session) -> Session:
    """A group chat's session: marked as a group, with nothing personal in it (no check-up, plan, diary,
    reminders, time zone, red flags raised, last eased cramp, whom and which muscle the last question was
    about, or the words of a message a safety question was asked about); a running relief sequence, the last
    topic and a safety question waiting for its yes or no stay."""
    active = session.active if session.active is not None and session.active.flow in GROUP_FLOWS else None
    recent = replace(session.recent, who=None, muscles=(), sports=()) if session.recent else None
    triage = replace(session.triage, text="") if session.triage else None
    return session.with_(active=active, paused=None, diary=(), next_entry_id=1, zone=None,
                         reminders=(), last_relief=None, confirm=None, in_group=True, recent=recent,
                         triage=triage, plan=None, flags=())


def private_only(messages: Messages, payload: str) -> Reply:
    """The kind refusal of a personal action in a group, with a button that opens a private chat."""
    button = Choice("", messages.buttons["open_private"], link=payload)
    return Reply(messages.text("private_only"), "smalltalk", (button,), intent="private_only")


def public_commands(messages: Messages) -> list[tuple[str, str]]:
    """The (command, description) pairs that also make sense in a group: the personal ones left out."""
    return [(c.command, c.description) for c in messages.commands if private_link(c.action) is None]
