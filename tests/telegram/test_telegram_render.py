"""How replies are cut and laid out for Telegram (pure functions)."""

from __future__ import annotations

from bot.core.replies import Choice, Reply, Timer
from bot.telegram_shell.render import (
    MAX_TEXT,
    button_rows,
    countdown_line,
    payloads,
    split_text,
    tick_interval,
    with_countdown,
)


def test_long_text_is_split_at_boundaries_never_mid_word():
    words = [f"word{i}" for i in range(2500)]
    text = " ".join(words)
    chunks = split_text(text)
    assert len(chunks) > 1 and all(len(c) <= MAX_TEXT for c in chunks)
    assert " ".join(chunks).split() == words, "nothing lost, no word cut in two"


def test_paragraphs_are_preferred_over_words():
    text = ("a" * 3000) + "\n\n" + ("b " * 1000)
    first, *_ = split_text(text)
    assert first == "a" * 3000


def test_a_single_giant_word_is_cut_hard_rather_than_rejected():
    chunks = split_text("x" * 9000)
    assert [len(c) for c in chunks] == [4096, 4096, 808]


def test_buttons_pair_short_labels_and_keep_long_ones_alone():
    rows = button_rows([("Yes", "a"), ("No", "b"), ("A much longer label here", "c"), ("Ok", "d")])
    assert [[label for label, _ in row] for row in rows] == [["Yes", "No"], ["A much longer label here"], ["Ok"]]


def test_button_data_over_64_bytes_is_refused_before_telegram_sees_it():
    import pytest

    with pytest.raises(ValueError):
        button_rows([("x", "y" * 65)])


def test_countdown_lines_and_edit_cadence():
    assert countdown_line("Hold", 14.2) == "⏱ Hold: 15 s"
    assert countdown_line("Warmth", 270) == "⏱ Warmth: 4:30"
    assert countdown_line("Hold", 0) == "⏱ Hold: done ✓"
    assert tick_interval(15) == 1.0 and tick_interval(300) == 5.0
    assert with_countdown("Step\n\n⏱ Hold: 15 s", "Hold", 9) == "Step\n\n⏱ Hold: 9 s"


def test_payloads_put_buttons_and_timer_on_the_last_chunk():
    reply = Reply("x " * 3000, "emergency", (Choice("f:relief:stretch:next", "Next"),),
                  Timer("t1", 15, 100.0, "Hold"))
    items = payloads(reply)
    assert len(items) == 2 and "buttons" not in items[0] and "timer" not in items[0]
    assert items[-1]["buttons"] == [[("Next", "f:relief:stretch:next")]]
    assert items[-1]["text"].endswith("⏱ Hold: 15 s") and items[-1]["timer"]["id"] == "t1"


def test_every_action_the_core_can_produce_fits_in_callback_data(content):
    actions = [c.action for c in content.messages.menu]
    for flow in content.flows.values():
        for state in flow.states.values():
            actions += [f"f:{flow.id}:{state.id}:{c.id}" for c in state.choices]
            actions += [f"f:{flow.id}:{state.id}:~{n}" for n in flow.navigation]
    actions += [f"ask:{e}" for e in content.knowledge.entries] + [f"more:{e}:99" for e in content.knowledge.entries]
    assert max(len(a.encode()) for a in actions) <= 64


def test_length_is_counted_as_telegram_does_so_emoji_cannot_overflow():
    from bot.telegram_shell.render import telegram_length

    chunks = split_text("Cramp relief 💪🦵 " * 400)
    assert len(chunks) > 1 and all(telegram_length(c) <= MAX_TEXT for c in chunks)
