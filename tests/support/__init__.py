"""What the tests drive the bot with: the user-level chat client, the Bot API stand-in and the process harness."""
