"""The user's own data in the conversation: the cramp diary (log, list, edit, delete, history),
reminders (set up, due, snooze, stop) and privacy (what is kept, export, forget). Pure: every
method takes the session and returns the new session with the replies."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from bot.core import diary as diaries
from bot.core import reminders as schedules
from bot.core.replies import Attachment, Choice, Reply
from bot.core.session import Session
from bot.language.times import local_time

if TYPE_CHECKING:
    from bot.core.brain import Brain, Outcome

EDITABLE = (("when", "When"), ("where", "Where"), ("severity", "How bad"), ("duration", "How long"),
            ("helped", "What helped"), ("doing", "What you were doing"))
LISTED = 5
SNOOZE_MINUTES = 15


@dataclass
class PersonalData:
    """Diary, reminders and privacy actions, on behalf of the Brain."""

    brain: "Brain"

    @property
    def write(self):
        """The Brain's reply writer."""
        return self.brain.write

    def _outcome(self, session: Session, *replies: Reply, forget: bool = False) -> "Outcome":
        from bot.core.brain import Outcome

        return Outcome(session, tuple(replies), forget)

    def _reply(self, text: str, buttons: list[Choice], intent: str, **extra) -> Reply:
        return Reply(text, "answer", tuple(buttons), None, intent, 100.0, (), **extra)

    # -- diary -------------------------------------------------------------------------------

    def start(self, session: Session, flow_id: str, now: float, answers: dict[str, tuple[str, ...]] | None = None,
              target: int | None = None) -> "Outcome":
        """Open a flow, skipping questions already answered; a running check-up is paused for it, and
        a running relief sequence is never cut short."""
        if session.active and session.active.flow == "relief":
            return self.brain.reprompt(session, self.write.text("diary_relief_running"))
        engine = self.brain.engines[flow_id]
        paused = session.paused
        if session.active and session.active.flow == "checkup":
            paused = replace(session.active, timer=None)
        known = dict(answers or {})
        if session.zone and flow_id != "zone" and "zone" in {s.answer for s in engine.flow.states.values()}:
            known.setdefault("zone", (f"zone:{session.zone}",))
        step = engine.start(now, known, target)
        assert step.position is not None
        new = session.with_(active=step.position, paused=paused)
        if step.ended:  # everything was already known
            return self.brain.finish_flow(new, step, now)
        return self._outcome(new, self.write.prompt(engine, step.position))

    def start_log(self, session: Session, now: float, answers: dict[str, tuple[str, ...]] | None = None,
                  target: int | None = None) -> "Outcome":
        """Open the diary questions, skipping what is already known."""
        return self.start(session, "diary", now, answers, target)

    def save_entry(self, session: Session, answers: dict[str, tuple[str, ...]], target: int | None,
                   now: float) -> tuple[Session, Reply]:
        """Store the answers as a new diary entry (or over the edited one, if it still exists)."""
        if target is not None and not any(e.id == target for e in session.diary):
            return session, self.write.menu(self.write.text("diary_no_entry"), "smalltalk")
        zone = zone_from(answers) or session.zone
        entry_id = target or session.next_entry_id
        entry = diaries.entry_from_answers(answers, entry_id, now, zone)
        diary = diaries.add_or_replace(session.diary, entry)
        new = session.with_(diary=diary, next_entry_id=max(session.next_entry_id, entry_id + 1), last_relief=None,
                            zone=zone)
        text = self.write.text("diary_updated" if target else "diary_saved")
        line = diaries.describe(entry, self.brain.content.flows["diary"], zone)
        if entry.duration == "very_long":
            line += f"\n\n{self.write.text('diary_long_cramp')}"
        buttons = [self.write.button("history", "menu:history"), self.write.button("diary", "menu:diary")]
        if session.paused is not None:
            buttons.insert(0, self.write.button("resume_checkup", "menu:resume"))
        return new, self._reply(f"{text}\n{line}", buttons, "diary")

    def list_entries(self, session: Session) -> "Outcome":
        """The latest entries, with edit and delete buttons for the newest ones."""
        if not session.diary:
            reply = self._reply(self.write.text("history_empty"), [self.write.button("log_new", "menu:log")], "diary")
            return self._outcome(session, reply)
        flow = self.brain.content.flows["diary"]
        latest = list(reversed(session.diary[-LISTED:]))
        lines = [self.write.text("diary_list_heading")] + [diaries.describe(e, flow, session.zone) for e in latest]
        buttons = []
        for entry in latest[:3]:
            buttons += [Choice(f"diary:edit:{entry.id}", f"✏️ Edit #{entry.id}"),
                        Choice(f"diary:delete:{entry.id}", f"🗑 Delete #{entry.id}")]
        buttons += [self.write.button("log_new", "menu:log"), self.write.button("history", "menu:history")]
        return self._outcome(session, self._reply("\n".join(lines), buttons, "diary"))

    def on_action(self, session: Session, action: str, now: float, pending: str | None) -> "Outcome | None":
        """diary:edit|field|delete|confirm, remind:snooze|stop, forget:yes|no; None when not ours."""
        parts = action.split(":")
        head = parts[0]
        if head == "diary" and len(parts) >= 3 and parts[2].isdecimal():
            return self._diary_action(session, parts[1], int(parts[2]), parts[3] if len(parts) > 3 else None, now,
                                      pending)
        if head == "diary" and parts[1:] == ["keep"]:
            return self._outcome(session, self.write.menu(self.write.text("forget_kept"), "smalltalk"))
        if head == "remind" and len(parts) == 3 and parts[1] in ("snooze", "stop"):
            return self._reminder_action(session, parts[1], parts[2], now)
        if head == "forget" and len(parts) == 2:
            return self._forget(session, parts[1] == "yes" and pending == "forget")
        return None

    def _diary_action(self, session: Session, verb: str, entry_id: int, field: str | None, now: float,
                      pending: str | None) -> "Outcome":
        entry = next((e for e in session.diary if e.id == entry_id), None)
        if entry is None:
            return self._outcome(session, self.write.menu(self.write.text("diary_no_entry"), "smalltalk"))
        if verb == "edit":
            buttons = [Choice(f"diary:field:{entry_id}:{key}", label) for key, label in EDITABLE]
            line = diaries.describe(entry, self.brain.content.flows["diary"], session.zone)
            return self._outcome(session, self._reply(f"{line}\n\n{self.write.text('diary_edit_which')}", buttons,
                                                      "diary"))
        if verb == "field" and field in dict(EDITABLE):
            answers = diaries.answers_from_entry(entry)
            answers.pop(field)
            return self.start_log(session, now, answers, target=entry_id)
        if verb == "delete":
            line = diaries.describe(entry, self.brain.content.flows["diary"], session.zone)
            buttons = [Choice(f"diary:confirm:{entry_id}", self.write.messages.buttons["delete_yes"]),
                       Choice("diary:keep", self.write.messages.buttons["delete_no"])]
            return self._outcome(session.with_(confirm=f"delete:{entry_id}"),
                                 self._reply(f"{self.write.text('diary_confirm_delete')}\n{line}", buttons, "diary"))
        if verb == "confirm" and pending == f"delete:{entry_id}":
            kept = tuple(e for e in session.diary if e.id != entry_id)
            reply = self._reply(self.write.text("diary_deleted"), [self.write.button("diary", "menu:diary")], "diary")
            return self._outcome(session.with_(diary=kept), reply)
        return self.brain.stale(session)

    def history(self, session: Session, now: float) -> "Outcome":
        """The 7- and 30-day summary, the chart data and pointers to the knowledge it calls for."""
        summary = diaries.summarise(session.diary, now, session.zone, self.brain.content.flows["diary"],
                                    self.write.messages.texts)
        entries = self.brain.content.knowledge.entries
        buttons = [Choice(f"ask:{s}", entries[s].title) for s in summary.see]
        buttons += [self.write.button("log_new", "menu:log"), self.write.button("diary", "menu:diary")]
        return self._outcome(session, self._reply(summary.text, buttons, "history", chart=summary.chart))

    # -- reminders ---------------------------------------------------------------------------

    def reminders_menu(self, session: Session, now: float) -> "Outcome":
        """Show the reminders set (with change/stop), or start setting them up."""
        if not self.brain.can_remind:
            return self._outcome(session, self.write.menu(self.write.text("reminders_console"), "smalltalk"))
        if not session.reminders:
            return self.setup_reminders(session, now)
        buttons = [self.write.button("change_reminders", "menu:reminders_setup"),
                   Choice("remind:stop:all", self.write.messages.buttons["stop_all_reminders"])]
        text = f"{self.write.text('reminders_current')}\n{self._describe_reminders(session, now)}"
        return self._outcome(session, self._reply(text, buttons, "reminders"))

    def setup_reminders(self, session: Session, now: float) -> "Outcome":
        """Start the set-up questions (the time zone is asked only once; /timezone changes it)."""
        if not self.brain.can_remind:
            return self._outcome(session, self.write.menu(self.write.text("reminders_console"), "smalltalk"))
        return self.start(session, "reminders", now)

    def save_zone(self, session: Session, answers: dict[str, tuple[str, ...]], now: float) -> tuple[Session, Reply]:
        """Store the time zone on its own; reminders move to the new local times."""
        zone = zone_from(answers) or session.zone
        reminders = tuple(schedules.schedule(r, zone, now) for r in session.reminders)
        new = session.with_(zone=zone, reminders=reminders)
        return new, self._reply(f"{self.write.text('zone_saved')}: {self._zone_line(new, now)}",
                                [self.write.button("menu", "menu:main")], "timezone")

    def save_reminders(self, session: Session, answers: dict[str, tuple[str, ...]], now: float) -> tuple[Session, Reply]:
        """Store the chosen reminders, due at their next local time."""
        zone = zone_from(answers) or session.zone
        hydration = tuple(self.write.text("hydration_times").split())
        chosen = schedules.from_answers(answers, hydration, zone, now)
        new = session.with_(zone=zone, reminders=chosen)
        text = f"{self.write.text('reminders_set')}\n{self._describe_reminders(new, now)}"
        if schedules.fluid_limited(answers):
            text += f"\n\n{self.write.text('reminders_fluid_limit')}"
        buttons = [self.write.button("menu", "menu:main")]
        return new, self._reply(text, buttons, "reminders")

    def reminder_due(self, session: Session, kind: str, due_at: float, now: float) -> "Outcome":
        """A reminder's time came: send it once (with snooze and stop) and set the next time."""
        send, updated = schedules.due(session.reminders, kind, due_at, now, session.zone)
        new = session.with_(reminders=updated)
        if not send:
            return self._outcome(new)
        buttons = [Choice(f"remind:snooze:{kind}", self.write.messages.buttons["snooze"]),
                   Choice(f"remind:stop:{kind}", self.write.messages.buttons["stop_reminder"])]
        return self._outcome(new, self._reply(self.write.text(f"reminder_{kind}"), buttons, "reminder"))

    def _reminder_action(self, session: Session, verb: str, kind: str, now: float) -> "Outcome":
        if verb == "snooze" and schedules.can_snooze(session.reminders, kind, now):
            updated = schedules.snooze(session.reminders, kind, now, SNOOZE_MINUTES)
            return self._outcome(session.with_(reminders=updated),
                                 self._reply(self.write.text("reminders_snoozed"), [], "reminders"))
        if verb == "stop" and (kind == "all" or any(r.kind == kind for r in session.reminders)):
            updated = schedules.stop(session.reminders, None if kind == "all" else kind)
            key = "reminders_stopped_all" if kind == "all" or not updated else "reminders_stopped"
            return self._outcome(session.with_(reminders=updated), self._reply(self.write.text(key), [], "reminders"))
        return self.brain.stale(session)

    def _describe_reminders(self, session: Session, now: float) -> str:
        names = {"bedtime": "Bedtime stretches", "hydration": "Drink reminders"}
        lines = []
        for reminder in session.reminders:
            upcoming = local_time(reminder.next_at, session.zone).strftime("%a %H:%M")
            lines.append(f"• {names.get(reminder.kind, reminder.kind)} at {', '.join(reminder.times)} "
                         f"(next: {upcoming})")
        return "\n".join(lines + [f"Time zone: {self._zone_line(session, now)}"])

    def _zone_line(self, session: Session, now: float) -> str:
        """The zone and the local time it gives now, so a wrong guess is easy to spot."""
        return (f"{session.zone or 'UTC'} (your time now: {local_time(now, session.zone).strftime('%H:%M')}; "
                f"wrong? /timezone)")

    # -- privacy -----------------------------------------------------------------------------

    def privacy(self, session: Session) -> "Outcome":
        """What is stored and why, in plain words."""
        buttons = [Choice("menu:export", "📦 Export my data"), Choice("menu:forget", "🗑 Delete my data")]
        return self._outcome(session, self._reply(self.write.text("privacy"), buttons, "privacy"))

    def export(self, session: Session, now: float) -> "Outcome":
        """Everything stored about the user, as a JSON file."""
        stored = session.to_dict()
        data = {"exported_at": local_time(now, session.zone).isoformat(), "time_zone": session.zone,
                "diary": stored["diary"], "reminders": stored["reminders"],
                "last_topic_asked": session.last_intent,
                "last_cramp_eased": stored["last_relief"],
                "conversation_in_progress": stored["active"],
                "paused_check_up": stored["paused"]}
        attachment = Attachment("crampbot-my-data.json", json.dumps(data, indent=2, ensure_ascii=False))
        return self._outcome(session, self._reply(self.write.text("export_caption"), [], "export",
                                                  attachment=attachment))

    def ask_forget(self, session: Session) -> "Outcome":
        """Ask for confirmation before deleting everything."""
        buttons = [Choice("forget:yes", self.write.messages.buttons["forget_yes"]),
                   Choice("forget:no", self.write.messages.buttons["forget_no"])]
        return self._outcome(session.with_(confirm="forget"), self._reply(self.write.text("forget_confirm"),
                                                                           buttons, "privacy"))

    def _forget(self, session: Session, confirmed: bool) -> "Outcome":
        if confirmed:
            return self._outcome(Session(), self.write.menu(self.write.text("forget_done"), "smalltalk"), forget=True)
        return self._outcome(session, self.write.menu(self.write.text("forget_kept"), "smalltalk"))


def zone_from(answers: dict[str, tuple[str, ...]]) -> str | None:
    """The zone name in a flow's answers ("zone:Europe/Berlin"), or None."""
    value = (answers.get("zone") or ("",))[0]
    return value[len("zone:"):] if value.startswith("zone:") else None
