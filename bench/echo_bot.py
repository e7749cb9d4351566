"""The yardstick for bench/run.py's throughput: the smallest useful bot built with python-telegram-bot,
answering every text with the same text, so that what it costs is the library and the network and
nothing else. It sends the way CrampBot does (PTB's request, without building a Message from the
answer), so it does not pay a cost CrampBot avoids.

Settings (environment): ECHO_HTTP=aiohttp uses CrampBot's HTTP client (bot.telegram_shell.http),
anything else PTB's default (httpx); ECHO_PACING=1 paces turns as CrampBot does
(bot.telegram_shell.pacing); ECHO_CONCURRENCY (updates at once), ECHO_POOL (HTTP connections) and
ECHO_POLL_INTERVAL (seconds between two getUpdates calls); ECHO_REPLY (a JSON file with "text" and
"reply_markup") is sent instead of the user's text (bench/breakdown.py uses it)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

from bot.telegram_shell.http import long_poll_request, sending_request
from bot.telegram_shell.pacing import TurnPacer

REPLY = json.loads(Path(os.environ["ECHO_REPLY"]).read_text(encoding="utf-8")) if os.environ.get("ECHO_REPLY") else None
PACER = TurnPacer() if os.environ.get("ECHO_PACING") == "1" else None


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text straight back (or the fixed reply)."""
    if PACER is not None:
        await PACER.turn()
    if update.message and update.message.text:
        data = REPLY or {"text": update.message.text}
        # PTB's own request without building a Message from the answer, as CrampBot sends
        # (bot/telegram_shell/updates.py lists the PTB internals it relies on)
        await context.bot._post("sendMessage", {"chat_id": update.message.chat.id, **data})  # noqa: SLF001


def main() -> None:
    """Poll the Bot API at TELEGRAM_BASE_URL until killed."""
    builder = ApplicationBuilder()
    if os.environ.get("ECHO_HTTP") == "aiohttp":
        builder = (builder.request(sending_request(int(os.environ.get("ECHO_POOL", "8"))))
                   .get_updates_request(long_poll_request()))
    else:  # PTB's HTTPXRequest, with timeouts wider than its own so a busy moment on the machine is not an error
        builder = (builder.connection_pool_size(int(os.environ.get("ECHO_POOL", "8"))).connect_timeout(5)
                   .read_timeout(10).write_timeout(10).pool_timeout(10).get_updates_read_timeout(30))
    app = (builder.token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(os.environ["TELEGRAM_BASE_URL"])
           .concurrent_updates(int(os.environ.get("ECHO_CONCURRENCY", "256")))
           .build())
    app.add_handler(TypeHandler(Update, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=float(os.environ.get("ECHO_POLL_INTERVAL", "0")))


if __name__ == "__main__":
    main()
