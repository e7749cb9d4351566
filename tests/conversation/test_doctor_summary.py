"""/summary: a one-page summary a person can show their GP, made from their diary, their check-up and the
safety warnings the bot gave (the core's part: what goes in it)."""

from __future__ import annotations

import json

from bot.core.doctor_summary import FLAGS_SHOWN
from bot.core.replies import DoctorSummary
from tests.conversation.test_reminders_and_privacy import fire, set_checkin
from tests.support.chat_client import ChatClient

DAY = 86400.0


def log(chat: ChatClient, *labels: str) -> None:
    """Log a cramp by buttons (skipping the time zone question)."""
    chat.send("/log")
    if chat.state == ("diary", "zone"):
        chat.press("Skip")
    for label in labels:
        chat.press(label)
    while chat.state is not None and chat.state[0] == "diary":
        chat.press("Skip")


def lines(summary: DoctorSummary) -> dict[str, tuple[str, ...]]:
    """Each section's lines by its heading."""
    return {s.heading: s.lines for s in summary.sections}


def test_summary_with_nothing_stored_says_how_to_fill_it(chat):
    chat.send("/summary")
    assert chat.last[0].summary is None
    assert "nothing to summarise yet" in chat.text
    assert "📝 Log a cramp" in chat.buttons and "🩺 Do the check-up" in chat.buttons


def test_summary_holds_the_diary_the_check_up_and_the_warnings(chat):
    chat.send("/timezone")
    chat.send("London")
    log(chat, "Just now", "Calf", "Left", "4", "5 to 10 minutes", "Stretching", "In bed")
    chat.clock.advance(3 * DAY)
    log(chat, "Just now", "Arch", "Right", "2", "Under a minute", "It passed", "Sitting")
    chat.clock.advance(2 * DAY)
    log(chat, "Just now", "Calf", "Left", "5", "Over 10 minutes", "Stretching", "In bed")
    chat.send("/checkup")
    for label in ["At night", "Most nights", "Mostly sitting", "Less than 4", "Water pills", "Done", "Diabetes", "Done",
                  "High heels", "Neither"]:
        chat.press(label)
    chat.send("my calf is swollen, red and hot")
    assert chat.kinds == ["urgent"]
    chat.send("/summary")
    assert "one-page summary to show your doctor" in chat.text
    summary = chat.last[0].summary
    assert summary is not None and summary.filename.endswith(".pdf")
    found = lines(summary)
    assert found["How often"][0].startswith("3 cramps logged from ")
    assert found["Where"] == ("calf 2, arch 1; left 2, right 1",)
    how_long = " ".join(found["How long and how bad"])
    assert "Longest: over 10 minutes" in how_long and "worst 5/5" in how_long and "average 3.7" in how_long
    assert found["What helped"][0].startswith("stretching 2, ")
    checkup = next(v for k, v in found.items() if k.startswith("From the check-up on"))
    assert "Medicines taken regularly: Water pills (diuretics)." in checkup
    assert "Health conditions: Diabetes." in checkup
    assert "Alcohol and smoking: none." in checkup
    warnings = found["Safety warnings CrampBot gave"]
    assert len(warnings) == 1 and "Get medical help today" in warnings[0]
    assert sum(summary.per_week) == 3 and len(summary.per_week) == 12
    assert sum(n for _, n in summary.parts) == 3
    assert "(times in Europe/London)" in summary.intro


def test_a_relief_escalation_is_among_the_warnings(chat):
    chat.send("/cramp")
    chat.wait(11 * 60)
    assert "urgent" in chat.kinds
    chat.send("/summary")
    warnings = lines(chat.last[0].summary)["Safety warnings CrampBot gave"]
    assert len(warnings) == 1 and "Get medical help today" in warnings[0]


def test_a_group_keeps_no_warnings_and_refuses_the_summary(brain):
    group = ChatClient(brain, in_group=True)
    group.send("my calf is swollen, red and hot")
    assert group.kinds == ["urgent"] and group.session.flags == ()
    group.send("/summary")
    assert "private chat" in group.text


def test_only_the_latest_warnings_are_listed_and_the_earlier_ones_counted(chat):
    for _ in range(FLAGS_SHOWN + 2):
        chat.send("my calf is swollen, red and hot")
        chat.clock.advance(DAY)
    chat.send("/summary")
    warnings = lines(chat.last[0].summary)["Safety warnings CrampBot gave"]
    assert warnings[0] == "2 earlier warnings; the latest:"
    assert len(warnings) == FLAGS_SHOWN + 1


def test_the_plan_and_the_history_offer_the_summary_where_they_advise_a_doctor(chat):
    chat.send("/checkup")
    for label in ["At night", "Most nights", "Mostly sitting", "Less than 4", "Water pills", "Done", "None of these",
                  "High heels", "Neither"]:
        chat.press(label)
    assert "📄 Summary for my doctor" in chat.buttons
    chat.send("/checkup")
    for label in ["Any time", "Now and then", "Some walking", "8 glasses", "None of these", "None of these",
                  "Comfy", "Neither"]:
        chat.press(label)
    assert "📄 Summary for my doctor" not in chat.buttons, "no doctor advice, no summary button"
    for _ in range(5):  # cramps on most nights
        log(chat, "Last night", "Calf")
        chat.clock.advance(DAY)
    chat.send("/history")
    assert "most nights" in chat.text and "📄 Summary for my doctor" in chat.buttons


def test_morning_check_ins_count_in_the_summary(chat):
    due = set_checkin(chat)
    fire(chat, "checkin", due)
    chat.press("Several")
    chat.press("Left calf")
    due = next(r.next_at for r in chat.session.reminders if r.kind == "checkin")
    fire(chat, "checkin", due)
    chat.press("None")
    chat.send("/summary")
    summary = chat.last[0].summary
    how_often = lines(summary)["How often"]
    assert how_often[0].startswith("2 cramps logged"), "Several counts two"
    assert "Nights without cramps, from the morning check-in: 1." in how_often
    assert lines(summary)["Time of day"] == ("night 2",)
    assert lines(summary)["Where"] == ("calf 2; left 2",)
    assert sum(summary.per_week) == 2


def test_the_export_holds_the_plan_answers_and_the_warnings_too(chat):
    chat.send("/checkup")
    for label in ["At night", "Most nights", "Mostly sitting", "Less than 4", "Statins", "Done", "None of these",
                  "Comfy", "Neither"]:
        chat.press(label)
    chat.send("my calf is swollen, red and hot")
    chat.send("/export")
    data = json.loads(next(r.attachment.content for r in chat.last if r.attachment and r.attachment.filename.endswith(
        ".json")))
    assert data["check_up_behind_the_plan"]["answers"]["medications"] == ["statin"]
    (warning,) = data["safety_warnings_given"]
    assert warning["level_of_care"] == "get_help_today" and warning["when"].endswith("+00:00")
