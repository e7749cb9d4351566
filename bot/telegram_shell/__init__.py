"""The Telegram adapter: the only package that imports `telegram`. Turns updates into core events,
saves each turn before sending, delivers replies, countdowns and reminders."""
