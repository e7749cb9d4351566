"""The user's own data in the conversation: the cramp diary (log, list, edit, delete, history),
reminders (set up, due, snooze, stop) and privacy (what is kept, export, forget). Pure: every
method takes the session and returns the new session with the replies."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from bot.content.flows import Flow
from bot.content.knowledge import Knowledge
from bot.core import actions
from bot.core import checkin as checkins
from bot.core import content_ids as ids
from bot.core import diary as diaries
from bot.core import reminders as schedules
from bot.core.export import export_files
from bot.core.flow_engine import FlowEngine, ReadContext, Step
from bot.core.outcome import Outcome
from bot.core.replies import Attachment, Choice, HistoryChart, Reply
from bot.core.reply_writer import ReplyWriter
from bot.core.session import DiaryEntry, Session
from bot.language.normaliser import Normalised
from bot.language.times import local_time

TOLD_LIMIT = 500  # characters of a message kept to read its time once the zone is known
NOTED = ("where", "side", "severity", "duration", "helped", "doing")  # answers noted when typed at another question
EDITABLE = ("when", "where", "side", "severity", "duration", "helped", "doing")  # diary answers; labels: diary_field_*
ADDABLE = ("severity", "side", "where", "doing")  # offered as "➕" buttons under an entry saved without asking them
LISTED = 5  # entries on a page of /diary
SNOOZE_MINUTES = 15


class Conversation(Protocol):
    """What the personal actions need from the conversation they run in."""

    def reprompt(self, session: Session, prefix: str) -> Outcome:
        """Show the current step again, after `prefix`."""

    def finish_flow(self, session: Session, step: Step, now: float, prefix: str = "") -> Outcome:
        """A flow reached its end: do what its end says."""


@dataclass(frozen=True)
class PersonalData:
    """Diary, reminders and privacy actions, within a conversation."""

    write: ReplyWriter
    engines: dict[str, FlowEngine]
    knowledge: Knowledge
    can_remind: bool  # the console cannot send anything later
    conversation: Conversation

    @property
    def diary_flow(self) -> Flow:
        """The diary flow (its choice labels describe entries)."""
        return self.engines[ids.DIARY].flow

    def _describe(self, entry: DiaryEntry, session: Session) -> str:
        number = diaries.numbers(session.diary).get(entry.id)
        return diaries.describe(entry, self.diary_flow, session.zone, self.write.messages.texts, number)

    def _outcome(self, session: Session, *replies: Reply, forget: bool = False) -> Outcome:
        return Outcome(session, tuple(replies), forget)

    def _reply(self, text: str, buttons: list[Choice], intent: str, *, attachment: Attachment | None = None,
               chart: HistoryChart | None = None) -> Reply:
        return Reply(text, "answer", tuple(buttons), None, intent, 100.0, (), attachment, chart)

    # -- diary -------------------------------------------------------------------------------

    def start(self, session: Session, flow_id: str, now: float, answers: dict[str, tuple[str, ...]] | None = None,
              target: int | None = None) -> Outcome:
        """Open a flow, skipping questions already answered; a running check-up is paused for it, and
        a running relief sequence is never cut short."""
        if session.active and session.active.flow == ids.RELIEF:
            return self.conversation.reprompt(session, self.write.text("diary_relief_running"))
        engine = self.engines[flow_id]
        paused = session.paused
        if session.active and session.active.flow == ids.CHECKUP:
            paused = replace(session.active, timer=None)
        known = dict(answers or {})
        zone_asked = actions.ZONE_ANSWER in {s.answer for s in engine.flow.states.values()}
        if session.zone and flow_id != ids.ZONE and zone_asked:
            known.setdefault(actions.ZONE_ANSWER, (actions.zone(session.zone),))
        if flow_id == ids.DIARY and (session.zone_asked or target is not None):  # asked once; never for an edit
            known.setdefault(actions.ZONE_ANSWER, (actions.zone(session.zone or ""),))
        step = engine.start(now, known, target)
        assert step.position is not None
        new = session.with_(active=step.position, paused=paused)
        if step.ended:  # everything was already known
            return self.conversation.finish_flow(new, step, now)
        return self._outcome(new, self.write.prompt(engine, step.position))

    def start_log(self, session: Session, now: float, answers: dict[str, tuple[str, ...]] | None = None,
                  target: int | None = None) -> Outcome:
        """Open the diary questions, skipping what is already known."""
        return self.start(session, ids.DIARY, now, answers, target)

    def save_entry(self, session: Session, step: Step, now: float) -> Outcome:
        """The diary questions ended: store the answers as a new entry (or over the edited one, if it still
        exists)."""
        assert step.position is not None
        session, answers, target = session.with_(active=None), step.position.answers, step.position.target
        edited = next((e for e in session.diary if e.id == target), None)
        if target is not None and edited is None:
            return self._outcome(session, self.write.menu(self.write.text("diary_no_entry"), "smalltalk"))
        zone = actions.zone_from(answers) or session.zone
        entry_id = target or session.next_entry_id
        entry = diaries.entry_from_answers(answers, entry_id, now, zone)
        if edited is not None:
            entry = replace(entry, count=edited.count)
        session = session.with_(zone_asked=session.zone_asked or actions.ZONE_ANSWER in answers)
        return self._saved(session, entry, zone, "diary_updated" if target else "diary_saved",
                           offer_more=target is not None)

    def _saved(self, session: Session, entry: DiaryEntry, zone: str | None, said: str,
               offer_more: bool) -> Outcome:
        """Store an entry and show it (with "➕" buttons for what it lacks, when `offer_more`)."""
        diary = diaries.add_or_replace(session.diary, entry)
        new = session.with_(diary=diary, next_entry_id=max(session.next_entry_id, entry.id + 1), last_relief=None,
                            zone=zone, quiet_nights=checkins.without_quiet_night(session.quiet_nights, entry.at, zone)
                            if not entry.time_known and entry.part == "night" else session.quiet_nights)
        text = f"{self.write.text(said)}\n{self._describe(entry, new)}"
        if entry.duration == "very_long":
            text += f"\n\n{self.write.text('diary_long_cramp')}"
        buttons: list[Choice] = []
        missing = [key for key in ADDABLE if not getattr(entry, key)] if offer_more else []
        if missing:
            text += f"\n\n{self.write.text('diary_add_more')}"
            buttons += [Choice(actions.diary("field", entry.id, key), self.write.messages.buttons[f"add_{key}"])
                        for key in missing]
        if offer_more and not new.zone and not new.zone_asked:
            text += f"\n{self.write.text('diary_zone_later')}"
            buttons.append(self.write.menu_button("set_zone", "timezone"))
        buttons += [self.write.menu_button("history", "history"), self.write.menu_button("diary", "diary")]
        if session.paused is not None:
            buttons.insert(0, self.write.menu_button("resume_checkup", "resume"))
        return self._outcome(new, self._reply(text, buttons, "diary"))

    def quick_log(self, session: Session, now: float) -> Outcome:
        """"Log this cramp" after the relief steps: saved at once with what they know (start, how long, what
        helped), then optional buttons for the rest; no question in the way."""
        if session.last_relief is None:
            return self.start_log(session, now)
        answers = diaries.answers_from_relief(session.last_relief)
        entry = diaries.entry_from_answers(answers, session.next_entry_id, now, session.zone)
        return self._saved(session, entry, session.zone, "diary_saved", offer_more=True)

    def told(self, session: Session, message: Normalised, raw: str, side: str | None,
             now: float) -> dict[str, tuple[str, ...]]:
        """The diary answers a message gives ("had a bad one in my left calf at 3am"): when, where, the side the
        reading found, how bad, how long, what helped and what they were doing. Before the zone was ever asked,
        the time is kept as the words, and read once the zone is known."""
        answers = self.engines[ids.DIARY].prefill(message, raw, ReadContext(now, session.zone))
        answers.pop(actions.ZONE_ANSWER, None)
        answers.pop("side", None)  # "right now", "I left work": the reading knows which words name a leg
        if side in diaries.SIDES:
            answers["side"] = (side,)
        if "when" in answers and session.zone is None and not session.zone_asked:
            answers["when"] = (actions.words(raw[:TOLD_LIMIT]),)
        return answers

    def note_other(self, session: Session, message: Normalised, raw: str, now: float) -> Outcome | None:
        """An answer typed at another diary question ("2 minutes" at "how bad"): noted for the question it
        answers (one not answered yet), and the question asked again; None when it answers none."""
        active = session.active
        assert active is not None
        engine = self.engines[ids.DIARY]
        found = engine.prefill(message, raw, ReadContext(now, session.zone))
        asked = engine.state(active).answer
        new = {k: v for k, v in found.items() if k in NOTED and k not in active.answers and k != asked}
        if not new:
            return None
        labels = self.diary_flow.answer_labels()
        noted = ", ".join(labels.get((k, v), v).lower() for k, values in new.items() for v in values)
        position = replace(active, answers={**active.answers, **new})
        return self.conversation.reprompt(session.with_(active=position), self.write.fill("diary_noted", noted=noted))

    def list_entries(self, session: Session, page: int = 1) -> Outcome:
        """A page of the diary, newest first, numbered in order; a ✏️ button per entry shown (edit or delete)
        and ⬅️ Newer / Older ➡️ to page through all of it."""
        if not session.diary:
            reply = self._reply(self.write.text("history_empty"), [self.write.menu_button("log_new", "log")], "diary")
            return self._outcome(session, reply)
        pages = (len(session.diary) + LISTED - 1) // LISTED
        page = min(max(page, 1), pages)
        newest_first = list(reversed(session.diary))
        shown = newest_first[(page - 1) * LISTED:page * LISTED]
        places = diaries.numbers(session.diary)
        heading = self.write.fill("diary_page_heading", first=places[shown[0].id], last=places[shown[-1].id],
                                  total=len(session.diary))
        lines = [heading] + [self._describe(e, session) for e in shown]
        buttons = [Choice(actions.diary("edit", e.id), self.write.fill("diary_edit_button", id=places[e.id]))
                   for e in shown]
        if page > 1:
            buttons.append(Choice(actions.diary_page(page - 1), self.write.messages.buttons["diary_newer"]))
        if page < pages:
            buttons.append(Choice(actions.diary_page(page + 1), self.write.messages.buttons["diary_older"]))
        buttons += [self.write.menu_button("log_new", "log"), self.write.menu_button("history", "history")]
        return self._outcome(session, self._reply("\n".join(lines), buttons, "diary"))

    def on_action(self, session: Session, press: actions.PersonalPress, now: float,
                  pending: str | None) -> Outcome | None:
        """A diary, reminder or forget button; None when it no longer applies (a stale button)."""
        if isinstance(press, actions.DiaryPress):
            return self._diary_action(session, press.verb, press.entry, press.field, now, pending)
        if isinstance(press, actions.DiaryKeep):
            return self._outcome(session, self.write.menu(self.write.text("forget_kept"), "smalltalk"))
        if isinstance(press, actions.RemindPress):
            return self._reminder_action(session, press.verb, press.reminder, now)
        if isinstance(press, actions.DiaryPage):
            return self.list_entries(session, press.page)
        if isinstance(press, actions.CheckinPress):
            return self._checkin_answer(session, press, now)
        return self._forget(session, press.yes and pending == actions.FORGET_PENDING)

    def _diary_action(self, session: Session, verb: str, entry_id: int, field: str | None, now: float,
                      pending: str | None) -> Outcome | None:
        entry = next((e for e in session.diary if e.id == entry_id), None)
        if entry is None:
            return self._outcome(session, self.write.menu(self.write.text("diary_no_entry"), "smalltalk"))
        if verb == "edit":
            buttons = [Choice(actions.diary("field", entry_id, key), self.write.text(f"diary_field_{key}"))
                       for key in EDITABLE]
            number = diaries.numbers(session.diary)[entry_id]
            buttons += [Choice(actions.diary("delete", entry_id), self.write.fill("diary_delete_button", id=number)),
                        self.write.menu_button("diary", "diary")]
            line = self._describe(entry, session)
            return self._outcome(session, self._reply(f"{line}\n\n{self.write.text('diary_edit_which')}", buttons,
                                                      "diary"))
        if verb == "field" and field in EDITABLE:
            answers = diaries.answers_from_entry(entry)
            answers.pop(field)
            return self.start_log(session, now, answers, target=entry_id)
        if verb == "delete":
            line = self._describe(entry, session)
            buttons = [Choice(actions.diary("confirm", entry_id), self.write.messages.buttons["delete_yes"]),
                       Choice(actions.diary_keep(), self.write.messages.buttons["delete_no"])]
            return self._outcome(session.with_(confirm=actions.deleting(entry_id)),
                                 self._reply(f"{self.write.text('diary_confirm_delete')}\n{line}", buttons, "diary"))
        if verb == "confirm" and pending == actions.deleting(entry_id):
            kept = tuple(e for e in session.diary if e.id != entry_id)
            reply = self._reply(self.write.text("diary_deleted"), [self.write.menu_button("diary", "diary")], "diary")
            return self._outcome(session.with_(diary=kept), reply)
        return None

    def history(self, session: Session, now: float) -> Outcome:
        """The 7- and 30-day summary, the chart data and pointers to the knowledge it calls for."""
        summary = diaries.summarise(session.diary, now, session.zone, self.diary_flow, self.write.messages.texts,
                                    session.quiet_nights)
        entries = self.knowledge.entries
        buttons = [Choice(actions.ask(s), entries[s].title) for s in summary.see]
        buttons += [self.write.menu_button("log_new", "log"), self.write.menu_button("diary", "diary")]
        if summary.doctor:  # it says to see a doctor: what to show them
            buttons.append(self.write.menu_button("summary", "summary"))
        return self._outcome(session, self._reply(summary.text, buttons, "history", chart=summary.chart))

    # -- reminders ---------------------------------------------------------------------------

    def reminders_menu(self, session: Session, now: float) -> Outcome:
        """Show the reminders set (with change/stop), or start setting them up."""
        if not self.can_remind:
            return self._outcome(session, self.write.menu(self.write.text("reminders_console"), "smalltalk"))
        if not session.reminders:
            return self.setup_reminders(session, now)
        buttons = [self.write.menu_button("change_reminders", "reminders_setup"),
                   Choice(actions.remind("stop", actions.ALL_REMINDERS),
                          self.write.messages.buttons["stop_all_reminders"])]
        if not schedules.is_set(session.reminders, checkins.KIND):
            buttons.insert(1, self.write.menu_button("checkin_setup", "checkin_setup"))
        text = f"{self.write.text('reminders_current')}\n{self._describe_reminders(session, now)}"
        return self._outcome(session, self._reply(text, buttons, "reminders"))

    def setup_reminders(self, session: Session, now: float, what: str | None = None) -> Outcome:
        """Start the set-up questions (the time zone is asked only once; /timezone changes it); `what` is
        the reminder already chosen (a plan's offer)."""
        if not self.can_remind:
            return self._outcome(session, self.write.menu(self.write.text("reminders_console"), "smalltalk"))
        return self.start(session, ids.REMINDERS, now, {"what": (what,)} if what else None)

    def save_zone(self, session: Session, step: Step, now: float) -> Outcome:
        """The time zone question ended: store the zone on its own; reminders move to the new local times."""
        assert step.position is not None
        session, answers = session.with_(active=None), step.position.answers
        zone = actions.zone_from(answers) or session.zone
        reminders = tuple(schedules.schedule(r, zone, now) for r in session.reminders)
        new = session.with_(zone=zone, reminders=reminders)
        return self._outcome(new, self._reply(f"{self.write.text('zone_saved')}: {self._zone_line(new, now)}",
                                              [self.write.menu_button("menu", "main")], "timezone"))

    def save_reminders(self, session: Session, step: Step, now: float) -> Outcome:
        """The reminder set-up ended: store the chosen reminders, due at their next local time."""
        assert step.position is not None
        session, answers = session.with_(active=None), step.position.answers
        zone = actions.zone_from(answers) or session.zone
        hydration = tuple(self.write.text("hydration_times").split())
        chosen = schedules.from_answers(answers, hydration, zone, now)
        new = session.with_(zone=zone, reminders=schedules.merged(session.reminders, chosen, answers))
        text = f"{self.write.text('reminders_set')}\n{self._describe_reminders(new, now)}"
        if schedules.fluid_limited(answers):
            text += f"\n\n{self.write.text('reminders_fluid_limit')}"
        buttons = [self.write.menu_button("menu", "main")]
        return self._outcome(new, self._reply(text, buttons, "reminders"))

    def reminder_due(self, session: Session, kind: str, due_at: float, now: float) -> Outcome:
        """A reminder's time came: send it once (with snooze and stop) and set the next time."""
        send, updated = schedules.due(session.reminders, kind, due_at, now, session.zone)
        new = session.with_(reminders=updated)
        if not send:
            return self._outcome(new)
        buttons = [Choice(actions.remind("snooze", kind), self.write.messages.buttons["snooze"]),
                   Choice(actions.remind("stop", kind), self.write.messages.buttons["stop_reminder"])]
        if kind == checkins.KIND:
            buttons[:0] = [Choice(actions.checkin(answer), self.write.messages.buttons[f"checkin_{answer}"])
                           for answer in checkins.ANSWERS]
        return self._outcome(new, self._reply(self.write.text(f"reminder_{kind}"), buttons, "reminder"))

    def _reminder_action(self, session: Session, verb: str, kind: str, now: float) -> Outcome | None:
        if verb == "snooze" and schedules.can_snooze(session.reminders, kind, now):
            updated = schedules.snooze(session.reminders, kind, now, SNOOZE_MINUTES)
            return self._outcome(session.with_(reminders=updated),
                                 self._reply(self.write.text("reminders_snoozed"), [], "reminders"))
        every = kind == actions.ALL_REMINDERS
        if verb == "stop" and (every or schedules.is_set(session.reminders, kind)):
            updated = schedules.stop(session.reminders, None if every else kind)
            key = "reminders_stopped_all" if every or not updated else "reminders_stopped"
            return self._outcome(session.with_(reminders=updated), self._reply(self.write.text(key), [], "reminders"))
        return None

    def _describe_reminders(self, session: Session, now: float) -> str:
        names = {kind: self.write.text(f"reminder_name_{kind}") for kind in schedules.KINDS}
        lines = []
        for reminder in session.reminders:
            upcoming = local_time(reminder.next_at, session.zone).strftime("%a %H:%M")
            lines.append(self.write.fill("reminder_line", name=names.get(reminder.kind, reminder.kind),
                                         times=", ".join(reminder.times), next=upcoming))
        return "\n".join(lines + [self.write.fill("reminders_zone", zone=self._zone_line(session, now))])

    def _zone_line(self, session: Session, now: float) -> str:
        """The zone and the local time it gives now, so a wrong guess is easy to spot."""
        return self.write.fill("zone_line", zone=session.zone or "UTC",
                               time=local_time(now, session.zone).strftime("%H:%M"))

    # -- privacy -----------------------------------------------------------------------------

    def privacy(self, session: Session) -> Outcome:
        """What is stored and why, in plain words."""
        buttons = [Choice(actions.menu("export"), self.write.text("privacy_export_label")),
                   Choice(actions.menu("forget"), self.write.text("privacy_forget_label"))]
        return self._outcome(session, self._reply(self.write.text("privacy"), buttons, "privacy"))

    def export(self, session: Session, now: float) -> Outcome:
        """Everything stored about the user as a JSON file, and the diary as a CSV table (readable dates and
        answers; docs/content.md#export)."""
        names = {kind: self.write.text(f"reminder_name_{kind}") for kind in schedules.KINDS}
        everything, table = export_files(session, now, self.diary_flow, names)
        return self._outcome(session,
                             self._reply(self.write.text("export_caption"), [], "export", attachment=everything),
                             self._reply(self.write.text("export_csv_caption"), [], "export", attachment=table))

    def ask_forget(self, session: Session) -> Outcome:
        """Ask for confirmation before deleting everything."""
        buttons = [Choice(actions.forget(True), self.write.messages.buttons["forget_yes"]),
                   Choice(actions.forget(False), self.write.messages.buttons["forget_no"])]
        reply = self._reply(self.write.text("forget_confirm"), buttons, "privacy")
        return self._outcome(session.with_(confirm=actions.FORGET_PENDING), reply)

    def _forget(self, session: Session, confirmed: bool) -> Outcome:
        if confirmed:
            return self._outcome(Session(), self.write.menu(self.write.text("forget_done"), "smalltalk"), forget=True)
        return self._outcome(session, self.write.menu(self.write.text("forget_kept"), "smalltalk"))

    # -- the morning check-in ----------------------------------------------------------------

    def setup_checkin(self, session: Session, now: float) -> Outcome:
        """Set up the morning check-in (its time, and the time zone if it is not known yet)."""
        if not self.can_remind:
            return self._outcome(session, self.write.menu(self.write.text("reminders_console"), "smalltalk"))
        return self.start(session, ids.REMINDERS, now, {"what": (checkins.KIND,)})

    def _checkin_answer(self, session: Session, press: actions.CheckinPress, now: float) -> Outcome | None:
        """An answer to "Any cramps last night?": a quiet night, a place for one or several, or the full entry."""
        if press.answer not in checkins.ANSWERS or not checkins.answerable(session.reminders, now):
            return None
        zone = session.zone
        if press.answer == "none":
            nights = checkins.with_quiet_night(session.quiet_nights, now, zone)
            buttons = [self.write.menu_button("history", "history")]
            return self._outcome(session.with_(quiet_nights=nights),
                                 self._reply(self.write.text("checkin_none"), buttons, "diary"))
        if press.answer == "bad":
            at, part, said = checkins.last_night_answer_time(now, zone)
            return self.start_log(session, now, {"when": (actions.about(at, part, said),)})
        if press.place is None:
            buttons = [Choice(actions.checkin(press.answer, place), self.write.messages.buttons[f"checkin_{place}"])
                       for place in checkins.PLACES]
            return self._outcome(session, self._reply(self.write.text(f"checkin_where_{press.answer}"), buttons,
                                                      "diary"))
        if press.place not in checkins.PLACES:
            return None
        entry = checkins.night_entry(session.next_entry_id, now, zone, press.answer, press.place)
        return self._saved(session, entry, zone, "checkin_saved", offer_more=True)

