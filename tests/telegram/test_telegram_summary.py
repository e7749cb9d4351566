"""The summary for a doctor end to end: /summary sends a one-page PDF through the real adapter, and the PDF
read back holds the diary, the check-up and the warnings, with the chart."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from bot.core.doctor_summary import FLAGS_SHOWN
from bot.core.replies import DoctorSummary, SummarySection
from bot.telegram_shell.summary_pdf import summary_pdf
from tests.support.telegram_harness import RunningBot, settings_for
from tests.support.telegram_user import TelegramUser


@pytest.fixture
def bot(standin, tmp_path):
    with RunningBot(settings_for(standin, tmp_path / "data")) as running:
        standin.wait_for(lambda: standin.polling, timeout=15)
        yield running


def pdf_text(content: bytes) -> tuple[int, str, int]:
    """Pages, text and images of a PDF."""
    reader = PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split()), sum(len(page.images) for page in reader.pages)


def test_summary_sends_a_one_page_pdf_with_the_diary_the_check_up_and_the_warnings(standin, bot):
    user = TelegramUser(standin, 811)
    user.send("/timezone")
    user.send("I live in London")
    # typed, not tapped: each message waits for its reply, so a slow machine cannot outrun the test
    user.send("cramp in my left calf last night around 3am, lasted 5 to 10 minutes, 4/5, stretching helped")
    assert "Saved in your diary" in user.last_text
    user.send("/checkup")
    for said in ("at night", "most nights", "mostly sitting", "less than 4 glasses", "statins", "thyroid problem",
                 "comfy shoes", "neither"):
        user.send(said)
    assert "Here is your plan" in user.last_text
    user.send("my calf is swollen, red and hot")
    user.send("/summary")
    standin.wait_for(lambda: standin.messages(811)[-1].upload is not None, timeout=30)
    document = standin.messages(811)[-1]
    assert document.upload is not None and document.upload.filename == "crampbot-summary-for-doctor.pdf"
    assert "upload_document" in standin.chat_actions(811), "the chat shows it is coming while it is made"
    pages, text, images = pdf_text(document.upload.content)
    assert pages == 1 and images == 1, "one page, with the chart"
    for expected in ("Leg cramps: a summary for the doctor", "1 cramp logged from", "Longest: 5 to 10 minutes",
                     "calf 1; left 1", "Medicines taken regularly: Statins", "Health conditions: Thyroid",
                     "Get medical help today", "times in Europe/London", "not a diagnosis"):
        assert expected in text, expected


def test_a_long_summary_still_fits_one_page():
    """The most a summary holds: every section, each check-up answer, and the latest warnings (the core lists
    at most FLAGS_SHOWN), each long enough to wrap."""
    many = tuple(f"Mon 0{i % 9 + 1} Nov 2026: Get medical help today. A cramp that lasts over ten minutes should "
                 "be looked at, and this line is long enough to wrap twice on the page, or even three times if "
                 "the font is large." for i in range(FLAGS_SHOWN + 1))
    checkup = tuple(f"Answer {i}: several of the longest choice labels there are, one after another." for i in range(8))
    sections = (SummarySection("How often", ("40 cramps logged.", "Last 4 weeks: 3 a week.")),
                *(SummarySection(name, ("night 12, morning 7, afternoon 8, evening 3",))
                  for name in ("Time of day", "Where", "What helped", "What they were doing")),
                SummarySection("How long and how bad", ("Lasted: a lot.", "Longest: long.", "How bad: 3.")),
                SummarySection("From the check-up", checkup), SummarySection("Safety warnings CrampBot gave", many))
    summary = DoctorSummary("s.pdf", "Leg cramps: a summary for the doctor", "Made by CrampBot.", sections,
                            tuple(f"{i:02d} Nov" for i in range(12)), (3,) * 12, (("night", 30), ("morning", 10)),
                            "Cramps per week", "By time of day", "Counts include only the cramps the person logged.")
    pages, text, _ = pdf_text(summary_pdf(summary))
    assert pages == 1
    assert "Counts include only" in text
