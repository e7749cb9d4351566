"""CrampBot: a chat bot for foot and leg cramps (relief, causes, prevention, check-up)."""

__version__ = "0.1.0"
