"""Text to tokens, shared by safety, matching and the flows: the normaliser, the phrase grammar and reading times and durations. Pure."""
