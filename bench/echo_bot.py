"""The ceiling for the full-stack benchmark: the smallest useful bot built with the same library,
the same HTTP settings and the same concurrency, answering every text with the same text. It sends
the way CrampBot does (PTB's request, without building a Message from the answer), so the ceiling
does not pay a cost CrampBot avoids; with ECHO_HTTP=aiohttp it also uses CrampBot's HTTP client
(bot.telegram_http), otherwise PTB's default (httpx). With ECHO_REPLY (a JSON file with "text" and
"reply_markup") it sends that instead of the user's text (bench/breakdown.py uses it). With
ECHO_PACING=1 it paces its turns as CrampBot does (bot.turn_pacing), to see whether that helps it too."""

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
        await context.bot._post("sendMessage", {"chat_id": update.message.chat.id, **data})


def main() -> None:
    """Poll the Bot API at TELEGRAM_BASE_URL until killed."""
    builder = ApplicationBuilder()
    if os.environ.get("ECHO_HTTP") == "aiohttp":
        builder = (builder.request(sending_request(int(os.environ.get("ECHO_POOL", "8"))))
                   .get_updates_request(long_poll_request()))
    else:
        builder = (builder.connection_pool_size(int(os.environ.get("ECHO_POOL", "8"))).connect_timeout(5)
                   .read_timeout(10).write_timeout(10).pool_timeout(10).get_updates_read_timeout(30))
    app = (builder.token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(os.environ["TELEGRAM_BASE_URL"])
           .concurrent_updates(int(os.environ.get("ECHO_CONCURRENCY", "256")))
           .build())
    app.add_handler(TypeHandler(Update, echo))
    app.run_polling(allowed_updates=Update.ALL_TYPES, poll_interval=float(os.environ.get("ECHO_POLL_INTERVAL", "0")))


if __name__ == "__main__":
    main()
