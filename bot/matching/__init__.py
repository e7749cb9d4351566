"""Which knowledge entry a question is about (rapidfuzz over the entries' examples) and `crampbot eval`. Pure."""
