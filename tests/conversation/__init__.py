"""Whole conversations with the pure core through ChatClient (no Telegram, no I/O)."""
