"""The common words of English (from pyspellchecker's word-frequency list), so that spelling correction
never turns one real word into another ("squats" into "squits", "father" into "fatter")."""

from __future__ import annotations

from functools import lru_cache

from spellchecker import SpellChecker

MIN_COUNT = 100  # how often a word must occur in the list to count as a real word ("calve": 66, corrected)


@lru_cache(maxsize=4)
def common_words(min_count: int = MIN_COUNT) -> frozenset[str]:
    """English words that occur at least `min_count` times in pyspellchecker's frequency list."""
    counts = SpellChecker(language="en", distance=1).word_frequency.dictionary
    return frozenset(word for word, count in counts.items() if count >= min_count and word.isalpha())
