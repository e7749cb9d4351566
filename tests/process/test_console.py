"""The console chat: a real subprocess with piped input, and the countdown with a fake clock."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

from bot.console import ConsoleChat
from tests.support.chat_client import FakeClock

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "TELEGRAM_BOT_TOKEN": "", "PYTHONIOENCODING": "utf-8"}


def console(stdin: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bot", "console"], input=stdin, capture_output=True, text=True,
                          env=ENV, cwd=ROOT, timeout=60)


def test_piped_conversation_reads_to_the_end_and_exits_zero():
    result = console("2\nat night\nwhy do I get cramps at night?\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.index("Hi, I'm CrampBot") < out.index("you> 2")
    assert "not a doctor" in out
    assert "question 1 of 8" in out, "'2' picked the second numbered choice (the check-up)"
    assert "Question 2 of 8" in out, "typed answer accepted"
    assert "Back to where we were" in out, "a question mid check-up is answered, then the check-up goes on"


def test_choices_are_numbered_and_pickable_by_number_or_by_typing():
    result = console("/checkup\n1\nmost nights\n")
    out = result.stdout
    assert "  1) At night / in bed" in out
    assert "→ At night / in bed" in out
    assert "Question 3 of 8" in out


def test_emergency_mid_checkup_then_resume_in_the_console():
    result = console("/checkup\nat night\nmy foot is cramping right now\nit's gone\n2\n")
    out = result.stdout
    assert "Step 1 of 5" in out and "check-up is paused" in out
    assert "▶️ Resume check-up" in out
    assert out.rstrip().endswith("✖️ Cancel") and "Question 2 of 8" in out.split("Resume check-up")[-1]


def test_empty_input_just_greets_and_exits():
    result = console("")
    assert result.returncode == 0 and "CrampBot" in result.stdout


def test_timer_counts_down_and_fires_in_live_mode(brain):
    clock, out = FakeClock(), io.StringIO()
    chat = ConsoleChat(brain, out, clock, live=True)
    chat.user_line("/cramp")
    assert chat.seconds_left() is None, "the hold waits for ▶️ Start"
    chat.user_line("start")
    assert chat.seconds_left() == 15
    clock.advance(5)
    chat.tick()
    assert "Hold the stretch:  10 s left" in out.getvalue()
    clock.advance(10)
    chat.tick()
    text = out.getvalue()
    assert "Hold the stretch: done" in text and "let go slowly" in text
    assert chat.session.timer is None


def test_a_typed_number_at_the_amount_question_is_an_amount_not_a_button():
    out = console("/checkup\nskip\nskip\nskip\n6\n").stdout
    assert "Question 5 of 8" in out, "6 glasses answered the question (it did not press button 6, Cancel)"
    assert "stopped" not in out.lower()


def test_odd_input_never_crashes_the_console():
    result = subprocess.run([sys.executable, "-m", "bot", "console"],
                            input="²\n①\n".encode() + b"9" * 5000 + b"\ncramp\xff now\n\x1b[31m\n\n",
                            capture_output=True, env=ENV, cwd=ROOT, timeout=60)
    assert result.returncode == 0
    assert b"Traceback" not in result.stderr
    assert result.stdout.count(b"you> ") == 6


def test_quit_ends_the_chat_with_a_goodbye_and_nothing_after_it_is_read():
    result = console("why do I get cramps at night?\nquit\nmy foot is cramping right now\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "type quit to leave" in out.casefold(), "the console says how to leave"
    assert "you> quit" in out and "Bye, take care" in out
    assert "Step 1 of 5" not in out, "lines after quit are not read"
    assert out.index("night") < out.index("you> quit")


def test_quit_while_the_input_stays_open_exits_cleanly():
    """A terminal never ends its input: quitting must not wait on (or crash over) the line reader."""
    proc = subprocess.Popen([sys.executable, "-m", "bot", "console"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=ENV, cwd=ROOT)
    try:
        proc.stdin.write("hi\nquit\n")
        proc.stdin.flush()
        proc.wait(timeout=60)  # stdin is still open, as a terminal's would be
        out, err = proc.stdout.read(), proc.stderr.read()
    finally:
        proc.kill()
        proc.stdin.close()
    assert "Bye, take care" in out
    assert proc.returncode == 0 and "Fatal Python error" not in err, err


def test_quit_inside_a_sentence_is_a_message_not_a_way_out():
    result = console("I want to quit running because of cramps\nexit\n")
    out = result.stdout
    asked, left = out.index("you> I want to quit running because of cramps"), out.index("you> exit")
    assert len(out[asked:left].strip().splitlines()) > 1, "the sentence got an answer"
    assert out.count("Bye, take care") == 1 and out.rstrip().endswith('type "cramp".')
