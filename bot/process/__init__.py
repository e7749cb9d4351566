"""Keeping the bot process running: the supervisor that starts, watches and restarts it."""
