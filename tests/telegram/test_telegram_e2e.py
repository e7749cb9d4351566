"""End to end: the real PTB Application with our adapter, over HTTP, against the Bot API stand-in.
Users type, press buttons and send stickers; assertions are on what the chat shows."""

from __future__ import annotations

import io
import logging
import threading
from itertools import pairwise

import pytest

from bot.settings import Settings
from bot.wiring import configure_logging
from tests.support.botapi_standin import BotApiStandIn
from tests.support.telegram_harness import TOKEN, RunningBot, content_with_short_timers, settings_for
from tests.support.telegram_user import TelegramUser


@pytest.fixture
def standin():
    with BotApiStandIn(privacy_mode=False) as server:
        yield server


@pytest.fixture
def bot(standin, tmp_path):
    with RunningBot(settings_for(standin, tmp_path / "data")) as running:
        standin.wait_for(lambda: standin.polling, timeout=15)
        yield running


@pytest.fixture
def user(standin, bot):
    return TelegramUser(standin, 1001)


def test_start_greets_says_not_a_doctor_and_shows_the_menu(user, standin):
    greeting, sos = user.send("/start")
    assert "CrampBot" in (greeting.text or "") and "not a doctor" in (greeting.text or "")
    assert "🆘" in (sos.text or "") and user.reply_keyboard == ["🆘 Cramp now"]
    assert user.buttons == ["🆘 Cramp right now", "🩺 Check-up", "⚡ Quick relief", "🛡️ Prevention tips",
                            "👩‍⚕️ When to see a doctor"]
    in_private = [c["command"] for c in standin.commands({"type": "all_private_chats"})]
    assert in_private == ["cramp", "checkup", "plan", "diary", "history", "reminders", "help"]  # at most 7
    everywhere = [c["command"] for c in standin.commands()]  # the default scope, which groups see
    assert everywhere == ["cramp", "help"], "personal commands are offered in private chats only"


def test_help_reaches_every_command_the_menu_leaves_out(user, standin):
    user.send("/help")
    every = {"start", "cramp", "checkup", "tips", "relief", "doctor", "resume", "log", "diary", "history",
             "reminders", "timezone", "privacy", "export", "forget", "help", "menu", "cancel"}
    in_menu = {c["command"] for c in standin.commands({"type": "all_private_chats"})}
    assert all(f"/{name}" in user.last_text for name in every - in_menu - {"start", "help"})
    for name in sorted(every - in_menu - {"forget", "cancel"}):  # each still works when typed
        user.send(f"/{name}")
        assert "I don't know the command" not in (user.last_text or ""), name


def test_the_screen_before_start_says_what_it_is_that_it_is_not_a_doctor_and_the_emergency_numbers(user, standin):
    user.send("/start")  # the bot has started and registered itself
    long, short = standin.description(), standin.description(short=True)
    assert "cramp" in long and "not a doctor" in long and all(n in long for n in ("112", "911", "999"))
    assert 0 < len(short) <= 120 and "Not a doctor" in short and "112" in short


def test_the_bot_asks_telegram_only_for_messages_and_button_presses(user, standin):
    user.send("hello")
    standin.wait_for(lambda: standin.polling, message="polling")
    assert standin.allowed_updates == {"message", "callback_query"}


def test_checkup_by_buttons_answers_every_press_and_shows_the_choice(user, standin):
    user.send("/checkup")
    for label in ["At night", "Most nights", "Mostly sitting", "Less than 4", "Water pills", "Done", "None of these",
                  "High heels", "Neither"]:
        pressed = user.last_message
        user.press(label)
        shown = standin.message(user.chat_id, pressed.message_id)
        if label == "Water pills":  # several answers: the button ticks, on the same message
            assert "✅ Water pills (diuretics)" in shown.buttons
            continue
        chose = "Water pills (diuretics)" if label == "Done" else label
        assert f"→ {chose}" in shown.text and not shown.buttons, "the chosen answer stays visible"
    assert "because you said: “At night / in bed”" in user.last_text
    answers = standin.calls("answerCallbackQuery")
    assert len(answers) == 9 and all(c.ok for c in answers), "no spinning buttons"


def test_checkup_by_free_text(user):
    user.send("/checkup")
    for text in ["at night mostly", "most nights", "desk job", "maybe 3 glasses a day", "I'm on water pills",
                 "none", "trainers", "neither"]:
        user.send(text)
    assert "“Water pills (diuretics)”" in user.last_text and "“Less than 4 glasses”" in user.last_text


def test_emergency_mid_checkup_then_resume(user):
    user.send("/checkup")
    user.press("At night")
    user.send("my calf is cramping right now")
    assert "Step 1 of 5" in user.last_text and "paused" in user.last_text
    user.press("It's gone")
    user.press("Resume check-up")
    assert "Question 2 of 8" in user.last_text


def test_free_text_questions_and_fallback_offer_the_menu(user):
    user.send("do bananas help with cramps?")
    assert "banana" in user.last_text.lower()
    user.send("what's the weather in Paris")
    assert "Cramp right now" in " ".join(user.buttons)


def test_what_people_really_write_over_telegram(user):
    """A cry of pain, a story, a vague message and another language, as a user sees them in Telegram."""
    user.send("I'm scared")
    assert "tap 🆘" in user.last_text
    user.press("Start step-by-step relief")
    assert "Step 1 of 5" in user.last_text
    user.press("Stop")
    user.send("For years my calves cramp at night and wake me. I'm 70 and take atorvastatin. "
              "Why does it happen, and what can I do?")
    assert "Step 1 of" not in user.last_text and "Because you said “atorvastatin”" in user.last_text
    user.send("legs again")
    assert "Is one happening right now" in user.last_text
    user.press("Why they happen")
    assert "no clear cause" in user.last_text
    user.send("tengo un calambre en la pierna, ayuda")
    assert "solo respondo en inglés" in user.last_text and user.buttons == ["🆘 Start step-by-step relief"]


def test_red_flag_names_the_level_of_care(user):
    user.send("my calf is swollen and red and I'm short of breath")
    assert "call emergency services now" in user.last_text.lower()
    assert "you said “calf”, “swollen” and “short of breath”" in user.last_text


def test_the_safety_question_is_asked_with_buttons_and_yes_calls_for_help(user):
    """Breathless after a run: asked first, over Telegram, with the emergency number in the question."""
    user.send("I was out of breath after my run and my calf cramped")
    assert "Right now, are you short of breath" in user.last_text and "call emergency services now" in user.last_text
    assert user.buttons == ["Yes, right now", "No"]
    user.press("Yes, right now")
    assert "Please call emergency services now" in user.last_text
    user.send("had chest pain years ago, turned out to be reflux. why do my calves cramp at night?")
    assert "emergency" not in user.last_text.lower().split("why:")[0][:60]
    assert "Right now, are you" not in user.last_text


# -- countdowns --------------------------------------------------------------------------------

@pytest.fixture
def quick_bot(standin, tmp_path):
    content = content_with_short_timers(tmp_path, seconds=4)
    with RunningBot(settings_for(standin, tmp_path / "data", content)) as running:
        standin.wait_for(lambda: standin.polling, timeout=15)
        yield running


def test_the_countdown_starts_only_when_start_is_pressed_then_edits_its_message_and_asks_how_it_is(quick_bot,
                                                                                                     standin):
    user = TelegramUser(standin, 2001)
    user.send("/cramp")
    step = user.last_message
    assert "⏱" not in step.text and "▶️ Start" in user.buttons
    user.expect_silence(0.5)  # no countdown runs while the person gets into position
    assert standin.calls("editMessageText", chat_id=user.chat_id) == []
    user.press("Start")
    hold = user.last_message
    assert hold.message_id != step.message_id and "⏱ Hold the stretch: 4 s" in hold.text
    assert "→ ▶️ Start" in standin.message(user.chat_id, step.message_id).text
    standin.wait_for(lambda: any("let go slowly" in (m.text or "") for m in user.messages), timeout=10)
    edits = [c for c in standin.calls("editMessageText", chat_id=user.chat_id)
             if c.params["message_id"] == hold.message_id]
    shown = [c.params["text"].rsplit("\n", 1)[-1] for c in edits]
    assert "⏱ Hold the stretch: 3 s" in shown and "⏱ Hold the stretch: done ✓" in shown
    times = [c.time for c in edits]
    assert all(b - a >= 0.8 for a, b in pairwise(times)), "about one edit per second at most"
    assert all(c.ok for c in edits), "no 'message is not modified' or other refused edits"
    assert not standin.message(user.chat_id, hold.message_id).buttons, "buttons moved to the follow-up"


def test_a_new_step_cancels_the_old_countdown(quick_bot, standin):
    user = TelegramUser(standin, 2002)
    user.send("/cramp")
    user.press("Start")
    first = user.last_message
    user.press("Next step")
    user.press("None of these")
    frozen = standin.message(user.chat_id, first.message_id)
    edits_then = len(frozen.edits)
    user.press("Start")
    standin.wait_for(lambda: any("How does it feel" in (m.text or "") or "That's 3 minutes" in (m.text or "")
                                 or "How is it" in (m.text or "") for m in user.messages), timeout=10)
    assert len(standin.message(user.chat_id, first.message_id).edits) == edits_then, "old countdown stopped"


# -- awkward input -----------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["sticker", "photo", "voice", "video", "location", "contact", "document"])
def test_non_text_messages_get_a_kind_reply(user, kind):
    getattr(user, kind)()
    assert "only read typed words" in user.last_text


def test_a_red_flag_in_a_photo_caption_is_not_missed(user):
    user.photo(caption="my calf is swollen, red and hot and I'm short of breath")
    assert "call emergency services now" in user.last_text.lower()


def test_a_double_tap_answers_once(user, standin):
    user.send("/checkup")
    question = user.last_message
    data = question.callback_data["At night / in bed"]
    standin.press(user.chat_id, question.message_id, data)
    standin.press(user.chat_id, question.message_id, data)
    standin.wait_calls("answerCallbackQuery", chat_id=user.chat_id, count=2)
    user.expect_silence(0.5)
    assert sum("Question 2 of 8" in (m.text or "") for m in user.messages) == 1
    assert not any("earlier message" in (m.text or "") for m in user.messages)


def test_a_storage_failure_says_sorry_and_leaves_nothing_half_done(user, bot, monkeypatch):
    from bot.storage import StorageError

    user.send("/checkup")
    question = user.last_message
    real = bot.storage.record_turn
    calls = {"n": 0}

    def failing_once(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise StorageError("the disk holding data is full")
        return real(*args, **kwargs)

    monkeypatch.setattr(bot.storage, "record_turn", failing_once)
    user.press("At night")
    assert "couldn't save that" in user.last_text
    assert "At night / in bed" in standin_buttons(user, question.message_id), "the question keeps its buttons"
    user.press("At night")
    assert "Question 2 of 8" in user.last_text, "the same button works once storage is back"


def standin_buttons(user: TelegramUser, message_id: int) -> list[str]:
    return user.standin.message(user.chat_id, message_id).buttons


def test_replies_arrive_in_order_even_after_a_long_outage(standin, bot):
    user = TelegramUser(standin, 1006, timeout=40)
    standin.fail("sendMessage", times=8, status=502)  # every attempt of the first reply fails
    standin.user_text(1006, "/checkup")
    standin.wait_calls("sendMessage", chat_id=1006, count=8, ok=False, timeout=40)
    user.send("/tips")
    texts = [m.text or "" for m in user.messages]
    assert "question 1 of 8" in texts[0] and "cramps less likely" in texts[1], "the queued reply went first"


def test_an_edited_message_is_deliberately_ignored(user, standin):
    """Telegram is not even asked for edits (allowed_updates): the bot never sees one."""
    user.send("hello")
    mine = standin.user_messages(user.chat_id)[-1]
    update = standin.edit_user_message(user.chat_id, mine["message_id"], "my chest hurts")
    user.expect_silence(0.5)
    assert standin.delivered(update["update_id"]) is None


def test_emoji_only_and_very_long_messages_get_sensible_replies(user):
    user.send("🙂🙂🙂")
    assert "didn't get any words" in user.last_text
    user.send("why do I get cramps " * 300)
    assert user.last_text


def test_old_and_forged_buttons_are_handled(user, standin):
    user.send("/checkup")
    question = user.last_message
    user.send("at night")  # answered by typing: the old question still shows its buttons
    user.press_data(question.message_id, "f:checkup:timing:night")
    assert "earlier message" in user.last_text and "Question 2 of 8" in user.last_text
    assert not standin.message(user.chat_id, question.message_id).buttons, "the dead buttons are taken away"
    current = user.last_message
    user.press_data(current.message_id, "totally:forged:data")
    assert "earlier message" in user.last_text


def test_messages_from_other_bots_are_ignored(standin, bot):
    standin.user_text(1003, "hello", is_bot=True)
    TelegramUser(standin, 1003).expect_silence(0.5)


def test_in_groups_only_commands_and_mentions_are_answered(standin, bot):
    group = TelegramUser(standin, -5001, chat_type="group")
    group.send("chatting about cramps with friends", expect_reply=False)
    group.expect_silence(0.5)
    group.send("/tips@crampbot_test_bot")
    assert "cramps less likely" in group.last_text
    group.send("@crampbot_test_bot why do I get cramps at night?")
    assert group.last_text
    group.send("@CrampBot_Test_Bot help")
    assert "Step 1 of 5" not in group.last_text and "in your own words" in group.last_text
    group.send("/tips@someotherbot", expect_reply=False)
    group.expect_silence(0.5)


def test_personal_commands_in_a_group_send_members_to_a_private_chat(standin, bot):
    ann = TelegramUser(standin, -5002, user_id=501, first_name="Ann")
    ben = TelegramUser(standin, -5002, user_id=502, first_name="Ben")

    def private_link() -> str:
        (row,) = ann.last_message.inline_keyboard
        (button,) = row
        assert "callback_data" not in button, "a URL button: it moves the member to a private chat"
        return button["url"]

    ann.send("/log@crampbot_test_bot")
    assert "private chat" in ann.last_text and private_link() == "https://t.me/crampbot_test_bot?start=log"
    ann.send("log my cramp @crampbot_test_bot")
    assert private_link().endswith("?start=log")
    ann.send("/export@crampbot_test_bot")
    assert private_link().endswith("?start=export")
    ben.send("/forget@crampbot_test_bot")
    assert private_link().endswith("?start=forget")
    ben.send("/export@crampbot_test_bot")
    ben.send("/start@crampbot_test_bot")
    ben.press("Check-up")
    assert private_link().endswith("?start=checkup")
    assert not standin.calls("sendDocument", chat_id=-5002), "no one's data is posted to the group"
    group_texts = " ".join(m.text or "" for m in ann.messages)
    assert "deletes everything" not in group_texts and "Logging a cramp" not in group_texts
    ann.send("my calf is cramping right now @crampbot_test_bot")
    assert "Step 1 of 5" in ann.last_text, "relief still works in the group"

    alone = TelegramUser(standin, 501, first_name="Ann")
    alone.send("/start log")  # what the link sends
    assert "Logging a cramp" in alone.last_text
    alone.send("/cancel")
    alone.send("/export")
    standin.wait_calls("sendDocument", chat_id=501)
    alone.send("/forget")
    assert "deletes everything" in alone.last_text


def test_a_user_who_blocked_the_bot_does_not_stop_it(standin, bot):
    blocked = TelegramUser(standin, 1004)
    standin.block(1004)
    standin.user_text(1004, "/start")
    standin.wait_calls("sendMessage", chat_id=1004, ok=False)
    other = TelegramUser(standin, 1005)
    assert "CrampBot" in (other.send("/start")[0].text or "")
    assert blocked


# -- faults, load ------------------------------------------------------------------------------

def test_injected_faults_every_reply_is_delivered(standin, bot):
    standin.fail("sendMessage", times=2, status=500)
    standin.fail("sendMessage", times=1, retry_after=1)
    standin.fail("answerCallbackQuery", times=1, status=502)
    user = TelegramUser(standin, 1101, timeout=30)
    user.send("/checkup")
    assert "question 1 of 8" in user.last_text
    user.press("At night")
    assert "Question 2 of 8" in user.last_text
    standin.fail_ratio(0.3, kinds=("500", "429"), seed=7, methods=("sendMessage", "editMessageText"))
    script = [("Now and then", "Mostly sitting"), ("Mostly sitting", "4 to 7"), ("4 to 7", "Statins"),
              ("Statins", "✅ Statins"), ("Done", "Diabetes"), ("Diabetes", "✅ Diabetes"), ("Done", "High heels"),
              ("High heels", "Neither"), ("Neither", "Menu")]
    for label, next_button in script:
        user.press(label)  # retries can outlast the quiet period: wait for the next question itself
        standin.wait_for(lambda next_button=next_button: any(next_button in b for b in user.buttons), timeout=30)
    standin.clear_faults()
    assert "your plan" in user.last_text.lower()
    delivered = [m.text for m in user.messages]
    assert sum("uestion" in (t or "") and " of 8" in (t or "") for t in delivered) == 8
    assert len([t for t in delivered if t and t.startswith("Thanks, that's everything")]) == 1, "no duplicates"


def test_timeouts_and_a_failing_poll_do_not_lose_replies_or_stop_polling(standin, bot):
    user = TelegramUser(standin, 1102, timeout=30)
    standin.fail("sendMessage", times=1, delay=3)  # longer than the client's 2 s read timeout
    assert "CrampBot" in (user.send("/start")[0].text or "")
    standin.fail("getUpdates", times=3, status=502)
    user.send("/tips")  # fetched by the poll already waiting; the three after it fail
    assert "cramps less likely" in user.last_text
    standin.wait_for(lambda: len([c for c in standin.calls("getUpdates") if c.http_status == 502]) == 3, timeout=30)
    user.send("/help")
    assert "in your own words" in user.last_text, "still polling"


def test_many_users_at_once_without_cross_talk(standin, bot):
    answers = ["At night", "During or after exercise", "Sitting or resting", "Any time"]
    users = [TelegramUser(standin, 3000 + i, timeout=30) for i in range(16)]
    errors: list[BaseException] = []

    def run(i: int, person: TelegramUser) -> None:
        try:
            person.send("/checkup")
            person.press(answers[i % 4])
            person.send("cancel")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors[0]
    for i, person in enumerate(users):
        texts = [m.text for m in person.messages]
        assert any(f"→ {answers[i % 4]}" in (t or "") for t in texts)
        assert not any(f"→ {answers[(i + 1) % 4]}" in (t or "") for t in texts)


# -- logs --------------------------------------------------------------------------------------

def test_logs_never_contain_the_token_or_message_text(standin, tmp_path):
    stream = io.StringIO()
    settings = settings_for(standin, tmp_path / "data")
    handler = configure_logging(Settings(**{**settings.__dict__, "log_level": "DEBUG"}), stream)
    for chatty in ("aiohttp", "httpx", "httpcore", "telegram", "apscheduler"):
        logging.getLogger(chatty).setLevel(logging.DEBUG)  # even the URL-logging libraries, at DEBUG
    try:
        with RunningBot(settings):
            standin.wait_for(lambda: standin.polling, timeout=15)
            user = TelegramUser(standin, 4001)
            user.send("my secret question about bananas")
            user.send("/checkup")
            user.press("At night")
    finally:
        logging.getLogger().removeHandler(handler)
    text = stream.getvalue()
    assert "getUpdates" in text or "sendMessage" in text, "the HTTP libraries really logged"
    assert TOKEN not in text and TOKEN.split(":")[1] not in text
    info = [line for line in text.splitlines() if " INFO crampbot.telegram" in line]
    assert any("chat=4001" in line and "kind=" in line and "ms=" in line for line in info)
    assert not any("bananas" in line for line in info), "message text never logged at INFO"


def test_the_sos_button_stays_under_the_typing_field_until_hidden_and_starts_relief(user, standin):
    user.send("/start")
    assert user.reply_keyboard == ["🆘 Cramp now"]
    user.send("🆘 Cramp now")  # what tapping it sends
    assert "Step 1 of" in user.last_text
    user.send("/cancel")
    user.send("/hidebutton")
    assert user.reply_keyboard == [] and "/showbutton" in user.last_text
    user.send("/showbutton")
    assert user.reply_keyboard == ["🆘 Cramp now"]


def test_a_group_never_gets_the_sos_button(standin, bot):
    group = TelegramUser(standin, -4242, chat_type="group")
    group.send("/start@crampbot_test_bot")
    assert "CrampBot" in group.last_text and group.reply_keyboard == []
    group.send("/showbutton@crampbot_test_bot")
    assert group.reply_keyboard == [] and "private chat" in group.last_text.lower()


@pytest.mark.parametrize("payload,expected", [("cramp", "Step 1 of"), ("checkup", "uestion 1 of"),
                                              ("log", "Logging a cramp")])
def test_a_deep_link_opens_relief_the_check_up_or_the_diary_directly(user, payload, expected):
    user.send(f"/start {payload}")  # what t.me/<bot>?start=<payload> sends
    assert expected in user.last_text and "Hi, I'm CrampBot" not in user.last_text
