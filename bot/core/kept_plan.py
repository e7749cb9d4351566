"""The plan that is kept: saved when the check-up ends, shown again with /plan (doctor advice first, the rest
behind "More"), the daily reminders it offers, and the look-back at the diary two weeks later."""

from __future__ import annotations

from bot.content.bundle import Content
from bot.core import actions
from bot.core import plan_review as reviews
from bot.core import reminders as schedules
from bot.core.outcome import Outcome
from bot.core.plan import Plan, build_plan, render_more, render_plan
from bot.core.replies import Choice, Reply
from bot.core.reply_writer import ReplyWriter
from bot.core.session import SavedPlan, Session
from bot.language.times import local_time

MAX_TOPICS = 3  # knowledge buttons under the plan
OFFERS = {"bedtime": "remind_bedtime", "hydration": "remind_hydration"}  # reminder kind -> its menu item


class KeptPlan:
    """The plan's turns: made, shown, "More", the reminders it offers and the two-week look-back."""

    def __init__(self, content: Content, write: ReplyWriter, can_remind: bool):
        self.content = content
        self.write = write
        self.can_remind = can_remind

    def _build(self, saved: SavedPlan) -> Plan:
        return build_plan(self.content.plan, self.content.checkup, saved.answers)

    def made(self, session: Session, answers: dict[str, tuple[str, ...]], now: float, prefix: str = "") -> Outcome:
        """The check-up ended: keep its answers and show the plan after `prefix` (the last typed answer said
        back); its look-back is due in two weeks."""
        saved = SavedPlan(now, dict(answers), now + reviews.REVIEW_AFTER if self.can_remind else None)
        new = session.with_(active=None, plan=saved)
        plan = self._build(saved)
        text = f"{self.content.checkup.states['plan'].prompt}\n\n{render_plan(self.content.plan, plan)}"
        text = f"{prefix}\n\n{text}" if prefix else text
        if self.can_remind:
            text += f"\n\n{self.write.text('plan_kept')}"
        if self._offers(new, plan):
            text += f"\n{self.write.text('plan_offer')}"
        return Outcome(new, (self._reply(new, text),))

    def show(self, session: Session, now: float) -> Outcome:
        """/plan: the kept plan again, with how it is going once two weeks have passed."""
        saved = session.plan
        if saved is None:
            buttons = (self.write.menu_button("start_checkup", "checkup"), self.write.menu_button("menu", "main"))
            return Outcome(session, (Reply(self.write.text("plan_none"), "answer", buttons, intent="plan"),))
        heading = self.write.fill("plan_heading", date=self._date(saved.made_at, session))
        text = f"{heading}\n\n{render_plan(self.content.plan, self._build(saved))}"
        look_back = self._look_back(session, saved, now)
        if look_back:
            text += f"\n\n{look_back}"
        return Outcome(session, (self._reply(session, text),))

    def more(self, session: Session) -> Outcome:
        """The tips behind "More" (a plan replaced since, or none kept: the plan as it is now)."""
        saved = session.plan
        plan = self._build(saved) if saved else None
        rest = render_more(self.content.plan, plan) if plan else None
        if saved is None or plan is None or rest is None:
            return self.show(session, saved.made_at if saved else 0.0)
        buttons = (*self._topics(plan), self.write.menu_button("menu", "main"))
        return Outcome(session, (Reply(rest, "answer", buttons, intent="plan_more", sources=plan.sources),))

    def review_due(self, session: Session, due_at: float, now: float) -> Outcome:
        """Two weeks after the plan: say from the diary whether it is working, and what next (once)."""
        saved = session.plan
        if saved is None or saved.review_at is None or abs(saved.review_at - due_at) > 1.0:
            return Outcome(session, ())  # an old or repeated wake-up: the look-back was done or moved
        new = session.with_(plan=SavedPlan(saved.made_at, saved.answers, None))
        found = reviews.review(session.diary, saved.made_at, now)
        text = f"{self.write.text('review_heading')}\n{self._look_back(session, saved, now, found)}"
        return Outcome(new, (Reply(text, "answer", self._review_buttons(session, found), intent="plan_review"),))

    def _look_back(self, session: Session, saved: SavedPlan, now: float,
                   found: reviews.Review | None = None) -> str:
        """The diary's answer to "is it working?" (`found`, or worked out here) and the next step ("" before
        two weeks have passed)."""
        if now - saved.made_at < reviews.REVIEW_AFTER:
            return ""
        found = found or reviews.review(session.diary, saved.made_at, now)
        if found is None:
            return self.write.text("review_log_more")
        before, after = reviews.per_week(found.before), reviews.per_week(found.after)
        if found.weeks == "first":
            counts = self.write.fill("review_first_weeks", before=before, after=after)
        else:
            since = self.write.text("review_since_bedtime") if _stretching(session) else \
                self.write.fill("review_since_plan", date=self._date(saved.made_at, session))
            counts = self.write.fill("review_counts", since=since, before=before, after=after)
        lines = [f"{counts} {self.write.text('review_counts_note')}", self.write.text(f"review_{found.verdict}")]
        if found.verdict != "better":
            if not _stretching(session):
                lines.append(self.write.text("review_next_stretch"))
            lines.append(self.write.text("review_doctor"))
        return "\n".join(lines)

    def _review_buttons(self, session: Session, found: reviews.Review | None) -> tuple[Choice, ...]:
        buttons: list[Choice] = []
        if found is not None and found.verdict != "better":
            buttons.append(self.write.menu_button("summary", "summary"))
            if not _stretching(session) and self.can_remind:
                buttons.append(self.write.menu_button("remind_bedtime", OFFERS["bedtime"]))
        if found is None:
            buttons.append(self.write.menu_button("log_new", "log"))
        return (*buttons, self.write.menu_button("my_plan", "plan"))

    def _reply(self, session: Session, text: str) -> Reply:
        """The plan's first screen with its buttons: More, the reminders it offers, topics, the menu."""
        assert session.plan is not None
        plan = self._build(session.plan)
        buttons: list[Choice] = []
        if render_more(self.content.plan, plan) is not None:
            buttons.append(self.write.menu_button("plan_more", "plan_more"))
        buttons += self._offers(session, plan)
        if plan.doctor:  # it says to see a doctor: what to show them
            buttons.append(self.write.menu_button("summary", "summary"))
        buttons += self._topics(plan)
        buttons.append(self.write.menu_button("menu", "main"))
        return Reply(text, "answer", tuple(buttons), intent="checkup_plan", sources=plan.sources)

    def _offers(self, session: Session, plan: Plan) -> list[Choice]:
        """A button for each reminder the plan's tips offer that is not set yet (none where none can be sent)."""
        if not self.can_remind:
            return []
        return [self.write.menu_button(OFFERS[kind], OFFERS[kind]) for kind in plan.offers
                if not schedules.is_set(session.reminders, kind)]

    def _topics(self, plan: Plan) -> list[Choice]:
        entries = self.content.knowledge.entries
        return [Choice(actions.ask(s), entries[s].title) for s in plan.see_also[:MAX_TOPICS]]

    def _date(self, at: float, session: Session) -> str:
        return local_time(at, session.zone).strftime("%a %d %b")


def _stretching(session: Session) -> bool:
    """True when the bedtime stretch reminder is on."""
    return schedules.is_set(session.reminders, "bedtime")
