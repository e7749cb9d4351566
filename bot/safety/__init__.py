"""Red flags and "a cramp happening now": the rules compiled from knowledge/safety.yaml and the emergency numbers. Pure."""
