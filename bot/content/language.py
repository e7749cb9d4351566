"""Reads and checks knowledge/language.yaml: contractions, misspellings, synonyms, stopwords, number
words, negation and emoji."""

from __future__ import annotations

from pathlib import Path

from bot.content.strict_yaml import Checker, read_yaml
from bot.language.normaliser import LanguageData, emoji_key


def load_language(path: Path, label: str) -> LanguageData:
    """Read and check knowledge/language.yaml."""
    doc = read_yaml(path, label)
    check = Checker(label)
    if check.version(doc):
        check.mapping(
            doc,
            None,
            required={"version": int, "contractions": dict, "misspellings": dict, "synonyms": dict,
                      "stopwords": list, "numbers": dict, "negation": dict},
            optional={"protected": list, "emoji": dict},
        )
    check.raise_if_any()

    def pairs(name: str) -> dict[str, str]:
        """Read a word -> replacement table."""
        table: dict[str, str] = {}
        for raw, replacement in doc[name].items():
            if not isinstance(raw, str) or not isinstance(replacement, (str, int)):
                check.add(f"{name}: {raw!r} -> {replacement!r} must map text to text", name, doc[name])
                continue
            table[raw.lower()] = str(replacement).lower()
        return table

    synonyms: dict[tuple[str, ...], str] = {}
    for canonical, variants in doc["synonyms"].items():
        for variant in check.strings(variants, f"synonyms of {canonical!r}", "synonyms", doc["synonyms"]):
            phrase = tuple(variant.lower().split())
            if phrase in synonyms and synonyms[phrase] != canonical:
                check.add(f"{variant!r} is a synonym of both {synonyms[phrase]!r} and {canonical!r}",
                          "synonyms", doc["synonyms"])
            synonyms[phrase] = str(canonical).lower()
    stopwords = frozenset(w.lower() for w in check.strings(doc["stopwords"], "stopwords", "stopwords"))
    protected = frozenset(w.lower() for w in check.strings(doc.get("protected", []), "protected", "protected"))
    negation = doc["negation"]
    lists = ("words", "through", "undo", "double", "weak")
    words: dict[str, frozenset[str]] = {key: frozenset() for key in lists}
    window = 0
    if check.mapping(negation, "negation", {"words": list, "window": int, "through": list},
                     {"undo": list, "double": list, "weak": list}):
        for key in lists:
            words[key] = frozenset(w.lower() for w in check.strings(negation.get(key, []), f"negation {key}",
                                                                    "negation"))
        window = negation["window"]
    emoji: dict[str, str] = {}
    for raw, meaning in (doc.get("emoji") or {}).items():
        key = emoji_key(raw) if isinstance(raw, str) else ""
        if not key or any(ch.isalnum() or ch.isspace() for ch in key) or not isinstance(meaning, str) \
                or not meaning.strip():
            check.add(f"emoji: {raw!r} -> {meaning!r} must map emoji (no letters, digits or spaces) to words",
                      "emoji", doc["emoji"])
            continue
        emoji[key] = meaning.lower()
    data = LanguageData(pairs("contractions"), pairs("misspellings"), synonyms, stopwords,
                        pairs("numbers"), protected, words["words"], window, words["through"], words["undo"],
                        words["double"], words["weak"], emoji)
    check.raise_if_any()
    return data
