"""Small pieces on their own: language, safety scan, storage, settings, pacing."""
