"""The Telegram shell against the Bot API stand-in over HTTP, in this process."""
