"""Text to tokens, shared by safety, matching and the flows: the normaliser (normaliser.py), the phrase
grammar (phrases.py), and times and durations (times.py). Pure."""
