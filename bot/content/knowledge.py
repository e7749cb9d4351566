"""The knowledge base: entries (intents with example phrasings and answers) and their sources."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from bot.content.strict_yaml import SNAKE_CASE, Checker, ContentError, Problem, checked_text, read_yaml

KINDS = ("answer", "smalltalk", "emergency", "fallback", "action")
OFFERS = ("relief", "checkup")
LOCAL_NUMBER = "{local_number}"  # in an answer: a line naming the emergency number where the person is
PLACEHOLDERS = (LOCAL_NUMBER,)  # filled in per person by bot.reply_writer
_PLACEHOLDER = re.compile(r"\{[^{}\s]*\}")
MAX_TITLE = 30
MAX_TEXT = 700
MIN_EXAMPLES = {"answer": 12, "smalltalk": 8, "emergency": 20, "fallback": 20, "action": 10}
SPECIAL_FILES = ("sources.yaml", "language.yaml", "safety.yaml", "caveats.yaml", "emergency_numbers.yaml",
                 "reading.yaml", "context.yaml", "triage.yaml")
# What kind of self-care an answer advises, so a caveat for people who must not follow it can be added
# (knowledge/caveats.yaml)
ADVICE = ("fluids", "salt", "potassium", "supplements", "heat", "barefoot", "compression", "elevation",
          "massage", "stretching", "exercise", "quinine")


@dataclass(frozen=True)
class Source:
    """A document the knowledge is written from."""

    id: str
    about: str


@dataclass(frozen=True)
class Entry:
    """One intent: how people ask it and what the bot answers."""

    id: str
    kind: str
    title: str
    examples: tuple[str, ...]
    answer: str
    more: tuple[str, ...]
    related: tuple[str, ...]
    offer: tuple[str, ...]
    sources: tuple[str, ...]
    file: str
    action: str | None = None
    advice: tuple[str, ...] = ()
    named: tuple[str, ...] = ()  # words one of which the message must name for this entry to answer it

    def fits(self, tokens: tuple[str, ...]) -> bool:
        """True when the entry names no words it needs, or the message (its canonical tokens) has one of them
        ("quinine*": a word starting with "quinine")."""
        return not self.named or any(t == w or (w.endswith("*") and t.startswith(w[:-1]))
                                     for w in self.named for t in tokens)


@dataclass(frozen=True)
class Knowledge:
    """All entries by id, plus the list of allowed sources."""

    entries: dict[str, Entry]
    sources: dict[str, Source]

    def get(self, entry_id: str) -> Entry:
        """Return the entry with this id (KeyError when unknown)."""
        return self.entries[entry_id]


def load_sources(path: Path, label: str) -> dict[str, Source]:
    """Read knowledge/sources.yaml: the documents entries may cite."""
    doc = read_yaml(path, label)
    check = Checker(label)
    sources: dict[str, Source] = {}
    if check.version(doc) and check.mapping(doc, None, {"version": int, "sources": list}):
        for item in doc["sources"]:
            name = item.get("id") if isinstance(item, dict) else None
            if not check.mapping(item, name, {"id": str, "about": str}):
                continue
            name = checked_text(item, "id")
            if name in sources:
                check.add("duplicate source id", name, item)
            sources[name] = Source(name, item["about"].strip())
    check.raise_if_any()
    return sources


def load_knowledge(folder: Path, label_prefix: str = "knowledge") -> Knowledge:
    """Load every entry file in `folder`, check the schema and cross-references, or raise."""
    sources = load_sources(folder / "sources.yaml", f"{label_prefix}/sources.yaml")
    problems: list[Problem] = []
    entries: dict[str, Entry] = {}
    where: dict[str, str] = {}
    files = sorted(p for p in folder.glob("*.yaml") if p.name not in SPECIAL_FILES)
    if not files:
        problems.append(Problem(label_prefix, "no knowledge entry files found"))
    for path in files:
        label = f"{label_prefix}/{path.name}"
        try:
            doc = read_yaml(path, label)
        except ContentError as exc:
            problems.extend(exc.problems)
            continue
        check = Checker(label)
        if check.version(doc) and check.mapping(doc, None, {"version": int, "entries": list}):
            for item in doc["entries"]:
                entry = _read_entry(item, label, check, sources)
                if entry is None:
                    continue
                if entry.id in entries:
                    check.add(f"duplicate id (also in {where[entry.id]})", entry.id, item)
                    continue
                entries[entry.id] = entry
                where[entry.id] = label
        problems.extend(check.problems)
    for entry in entries.values():
        for ref in entry.related:
            if ref not in entries:
                problems.append(Problem(entry.file, f"related entry {ref!r} does not exist", entry.id))
            elif ref == entry.id:
                problems.append(Problem(entry.file, "an entry cannot be related to itself", entry.id))
    if problems:
        raise ContentError(problems)
    return Knowledge(entries, sources)


def _read_entry(item: object, label: str, check: Checker, sources: dict[str, Source]) -> Entry | None:
    name = item.get("id") if isinstance(item, dict) else None
    name = name if isinstance(name, str) else None
    ok = check.mapping(
        item,
        name,
        required={"id": str, "title": str, "examples": list, "answer": str, "sources": list},
        optional={"kind": str, "more": list, "related": list, "offer": list, "action": str, "advice": list,
                  "named": list},
    )
    if not ok:
        return None
    assert isinstance(item, dict)
    entry_id = item["id"]
    if not SNAKE_CASE.match(entry_id):
        check.add("id must be snake_case (a-z, 0-9, _)", entry_id, item)
    kind = item.get("kind", "answer")
    if kind not in KINDS:
        check.add(f"kind must be one of {', '.join(KINDS)}", entry_id, item)
        return None
    title = item["title"].strip()
    if not title or len(title) > MAX_TITLE:
        check.add(f"title must be 1-{MAX_TITLE} characters", entry_id, item)
    examples = check.strings(item["examples"], "examples", entry_id, item)
    if len(examples) < MIN_EXAMPLES[kind]:
        check.add(f"needs at least {MIN_EXAMPLES[kind]} examples, has {len(examples)}", entry_id, item)
    answer = item["answer"].strip()
    more = check.strings(item.get("more", []), "more", entry_id, item)
    for text in (answer, *more):
        if not text or len(text) > MAX_TEXT:
            check.add(f"answer and each 'more' chunk must be 1-{MAX_TEXT} characters "
                      f"(one is {len(text)})", entry_id, item)
    for placeholder in _PLACEHOLDER.findall(" ".join((answer, *more))):
        if placeholder not in PLACEHOLDERS:
            check.add(f"unknown placeholder {placeholder} (allowed: {', '.join(PLACEHOLDERS)})", entry_id, item)
    related = check.strings(item.get("related", []), "related", entry_id, item)
    offer = check.strings(item.get("offer", []), "offer", entry_id, item)
    check.known(offer, OFFERS, "offer", entry_id, item)
    cited = check.strings(item["sources"], "sources", entry_id, item)
    if not cited:
        check.add("sources must name at least one document", entry_id, item)
    for source in cited:
        if source not in sources:
            check.add(f"source {source!r} is not listed in knowledge/sources.yaml", entry_id, item)
    action = item.get("action")
    if (kind == "action") != (action is not None):
        check.add("an entry of kind 'action' needs an 'action' (and only those may have one)", entry_id, item)
    advice = check.strings(item.get("advice", []), "advice", entry_id, item)
    check.known(advice, ADVICE, "advice", entry_id, item)
    named = check.strings(item.get("named", []), "named", entry_id, item)
    if any(" " in word for word in named):
        check.add("named takes single words (word* for a prefix)", entry_id, item)
    return Entry(entry_id, kind, title, tuple(examples), answer, tuple(more), tuple(related),
                 tuple(offer), tuple(cited), label, action, tuple(advice), tuple(named))
