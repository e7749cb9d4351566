"""The phrase grammar that rules, caveats, places and choices are written in, and an index that finds
them in a clause: a word ending in * is a prefix, ^ and $ stand for the start and end of the clause, and
... skips up to four words."""

from __future__ import annotations

from collections.abc import Iterable

GAP = "..."
MAX_GAP = 4


def phrase_end(tokens: tuple[str, ...], start: int, phrase: tuple[str, ...]) -> int | None:
    """Where a match of `phrase` starting at `start` ends (exclusive), or None when it does not match.
    A phrase word ending in * is a prefix; ^ and $ stand for the start and end of the clause; ...
    skips up to four words (the shortest match wins)."""
    if not phrase:
        return start
    want, rest = phrase[0], phrase[1:]
    if want == "^":
        return phrase_end(tokens, start, rest) if start == 0 else None
    if want == "$":
        return phrase_end(tokens, start, rest) if start == len(tokens) else None
    if want == GAP:
        for skip in range(MAX_GAP + 1):
            if start + skip <= len(tokens):
                end = phrase_end(tokens, start + skip, rest)
                if end is not None:
                    return end
        return None
    if start >= len(tokens):
        return None
    got = tokens[start]
    if want.endswith("*"):
        if not got.startswith(want[:-1]):
            return None
    elif got != want:
        return None
    return phrase_end(tokens, start + 1, rest)


class PhraseIndex:
    """Phrases looked up by their first word (exact, or the first two letters of a prefix word), so a
    message is checked against the few phrases that can start at each word, not all of them. A prefix
    shorter than two letters ("a*") is tried at every word."""

    def __init__(self) -> None:
        self._exact: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self._stems: dict[str, list[tuple[int, tuple[str, ...]]]] = {}
        self._anywhere: list[tuple[int, tuple[str, ...]]] = []

    def add(self, key: int, phrase: tuple[str, ...]) -> None:
        """Index one phrase under `key`."""
        words = [w for w in phrase if w not in ("^", "$", GAP)]
        if not words:
            return
        first = words[0]
        if first.endswith("*") and len(first) < 3:
            self._anywhere.append((key, phrase))
        elif first.endswith("*"):
            self._stems.setdefault(first[:2], []).append((key, phrase))
        else:
            self._exact.setdefault(first, []).append((key, phrase))

    def matches(self, clause: tuple[str, ...]) -> Iterable[tuple[int, int, int]]:
        """(key, start, end) for every phrase occurring in the clause."""
        for start, token in enumerate(clause):
            if not token:
                continue
            for key, phrase in (*self._exact.get(token, ()), *self._stems.get(token[:2], ()), *self._anywhere):
                end = phrase_end(clause, start, phrase)
                if end is not None:
                    yield key, start, end


def phrase_at(tokens: tuple[str, ...], start: int, phrase: tuple[str, ...]) -> bool:
    """True when `phrase` occurs in `tokens` at `start` (see phrase_end for the syntax)."""
    return phrase_end(tokens, start, phrase) is not None
