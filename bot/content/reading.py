"""Reads and checks knowledge/reading.yaml: the vocabulary that reads a message into a case (topics,
people, sports, muscles, times, distress, other languages) and the check-up answers a message can give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.content.flows import Flow
from bot.content.knowledge import ADVICE, Knowledge
from bot.content.strict_yaml import Checker, Problem, read_yaml
from bot.language.reading import SPORT, ReadingData, Topic

TABLES = ("people", "sports", "muscles", "sides", "when")
WHEN = ("now", "last_night", "recurring", "during_activity", "past")  # bot.language.reading reads these


def load_reading(path: Path, label: str, checkup: Flow) -> ReadingData:
    """Read knowledge/reading.yaml; raise ContentError naming the file and entry."""
    doc = read_yaml(path, label)
    check = Checker(label)
    fields: dict[str, type | tuple[type, ...]] = {
        "version": int, "question_starts": list, "question_phrases": list, "topics": dict, "people": dict,
        "older_from": int, "child_under": int,
        "sports": dict, "competitive": list, "muscles": dict, "sides": dict, "when": dict,
        "distress": dict, "languages": dict, "facts": dict, "also": dict, "on_topic": list, "elsewhere": list,
        "generic": list, "medicine_endings": dict, "story_topics": list, "not_specific": list,
        "group_entries": dict, "doing": dict, "already": dict, "follow_starts": list, "back_words": list,
        "told_entries": dict}
    if not (check.version(doc) and check.mapping(doc, None, fields, {"told_not": dict, "third_person": list,
                                                                   "elsewhere_first": dict})):
        check.raise_if_any()
    topics = []
    for name, item in doc["topics"].items():
        optional: dict[str, type | tuple[type, ...]] = {"weak": list, "yields_to": list}
        if check.mapping(item, name, {"heading": str, "says": list, "entries": list}, optional):
            topics.append(Topic(name, item["heading"].strip(), tuple(check.strings(item["says"], "says", name, item)),
                                tuple(check.strings(item["entries"], "entries", name, item)),
                                tuple(check.strings(item.get("weak", []), "weak", name, item)),
                                tuple(check.strings(item.get("yields_to", []), "yields_to", name, item))))
    tables = {table: _table(check, doc[table], table) for table in TABLES}
    check.known(doc["doing"], ADVICE, "advice kind", "doing")
    check.known(doc["already"], ADVICE, "advice kind", "already")
    for topic in topics:
        for other in topic.yields_to:
            if other not in doc["topics"]:
                check.add(f"yields_to names {other!r}, which is not a topic", f"topics.{topic.id}")
    for when in WHEN:
        if when not in tables["when"]:
            check.add(f"`when` needs a list named {when!r}", "when")
    distress = doc["distress"]
    if check.mapping(distress, "distress", {"words": list, "max_words": int, "needs": list, "marks": list,
                                            "filler": list, "not_alone": list}):
        words = tuple(check.strings(distress["words"], "words", "distress"))
        needs = tuple(check.strings(distress["needs"], "needs", "distress"))
        marks = tuple(check.strings(distress["marks"], "marks", "distress"))
    languages: dict[str, tuple[frozenset[str], str]] = {}
    for name, item in doc["languages"].items():
        if check.mapping(item, f"languages.{name}", {"words": list, "reply": str}):
            words_ = frozenset(w.lower() for w in check.strings(item["words"], "words", f"languages.{name}"))
            languages[name] = (words_, item["reply"].strip())
    facts = _facts(check, doc["facts"], doc["also"], checkup)
    check.raise_if_any()
    return ReadingData(
        question_starts=frozenset(check.strings(doc["question_starts"], "question_starts", None)),
        question_phrases=tuple(check.strings(doc["question_phrases"], "question_phrases", None)),
        topics=tuple(topics), people=tables["people"], older_from=doc["older_from"], child_under=doc["child_under"],
        sports=tables["sports"],
        competitive=tuple(check.strings(doc["competitive"], "competitive", None)), muscles=tables["muscles"],
        sides=tables["sides"], when=tables["when"], distress_words=words, distress_needs=needs,
        distress_marks=marks, distress_max_words=distress["max_words"],
        distress_filler=frozenset(check.strings(distress["filler"], "filler", "distress")),
        distress_not_alone=frozenset(" ".join(p.split()) for p in check.strings(distress["not_alone"], "not_alone",
                                                                                  "distress")), languages=languages,
        facts=facts,
        on_topic=tuple(check.strings(doc["on_topic"], "on_topic", None)),
        elsewhere=tuple(check.strings(doc["elsewhere"], "elsewhere", None)),
        elsewhere_first=_table(check, doc.get("elsewhere_first", {}), "elsewhere_first"),
        generic=tuple(check.strings(doc["generic"], "generic", None)),
        story_topics=frozenset(check.strings(doc["story_topics"], "story_topics", None)),
        not_specific=frozenset(check.strings(doc["not_specific"], "not_specific", None)),
        group_entries=_groups(check, doc["group_entries"]),
        told_entries=_table(check, doc["told_entries"], "told_entries"),
        told_not=_table(check, doc.get("told_not", {}), "told_not"),
        doing=_table(check, doc["doing"], "doing"),
        already=_table(check, doc["already"], "already"),
        follow_starts=tuple(tuple(s.split()) for s in check.strings(doc["follow_starts"], "follow_starts", None)),
        back_words=frozenset(check.strings(doc["back_words"], "back_words", None)),
        third_person=frozenset(check.strings(doc.get("third_person", []), "third_person", None)),
        endings=_endings(check, doc["medicine_endings"], checkup))


def _table(check: Checker, table: Any, name: str) -> dict[str, tuple[str, ...]]:
    """A mapping of label -> phrases."""
    return {label: tuple(check.strings(phrases, "phrases", f"{name}.{label}")) for label, phrases in table.items()}


def _facts(check: Checker, facts: Any, also: Any, checkup: Flow) -> dict[tuple[str, str], tuple[str, ...]]:
    """Check-up answers a message can give, each with the phrases that give it."""
    found: dict[tuple[str, str], tuple[str, ...]] = {}
    states = {state.answer: state for state in checkup.states.values() if state.answer}
    for question, choices in facts.items():
        state = states.get(question)
        if state is None:
            check.add(f"no check-up question stores {question!r}", f"facts.{question}")
            continue
        for choice_id in check.strings(choices, "choices", f"facts.{question}"):
            choice = state.choice(choice_id)
            if choice is None:
                check.add(f"the check-up question {question!r} has no choice {choice_id!r}", f"facts.{question}")
            else:
                found[(question, choice_id)] = tuple(choice.says)
    for key, phrases in also.items():
        question, _, choice_id = str(key).partition(".")
        state = states.get(question)
        if state is None or state.choice(choice_id) is None:
            check.add("must name a check-up question and one of its choices, as question.choice", f"also.{key}")
            continue
        found[(question, choice_id)] = (*found.get((question, choice_id), ()),
                                        *check.strings(phrases, "phrases", f"also.{key}"))
    return found


def _endings(check: Checker, table: Any, checkup: Flow) -> tuple[tuple[str, str, str], ...]:
    """(ending, question, choice) for medicine names recognised by how they end."""
    states = {state.answer: state for state in checkup.states.values() if state.answer}
    found = []
    for key, endings in table.items():
        question, _, choice_id = str(key).partition(".")
        state = states.get(question)
        if state is None or state.choice(choice_id) is None:
            check.add("must name a check-up question and one of its choices, as question.choice",
                      f"medicine_endings.{key}")
            continue
        found += [(ending.lower(), question, choice_id)
                  for ending in check.strings(endings, "endings", f"medicine_endings.{key}")]
    return tuple(found)


GROUPS = ("child", "older", "pregnant")  # bot.language.reading.Reading.group reads these


def _groups(check: Checker, table: Any) -> dict[str, str]:
    """Entries written for one group of people, and the group."""
    check.known(table.values(), GROUPS, "group", "group_entries")
    return {str(entry): str(group) for entry, group in table.items()}


def check_topics(data: ReadingData, knowledge: Knowledge, label: str) -> list[Problem]:
    """Every entry a topic names must exist and be an answer."""
    problems = [Problem(label, f"entry {entry!r} is not an answer entry", "group_entries")
                for entry in data.group_entries if entry not in knowledge.entries]
    problems += [Problem(label, f"entry {entry!r} is not an answer entry", f"told_entries.{told}")
                 for told, entries in data.told_entries.items() for entry in entries
                 if entry not in knowledge.entries or knowledge.entries[entry].kind != "answer"]
    problems += [Problem(label, f"{told!r} is not a `when` label", "told_entries")
                 for told in data.told_entries if told not in data.when and told != SPORT]
    problems += [Problem(label, f"entry {entry!r} is not an answer entry", f"told_not.{told}")
                 for told, entries in data.told_not.items() for entry in entries
                 if entry not in knowledge.entries or knowledge.entries[entry].kind != "answer"]
    problems += [Problem(label, f"{told!r} is not a `when` label", "told_not")
                 for told in data.told_not if told not in data.when and told != SPORT]
    problems += [Problem(label, f"entry {entry!r} is not an off-topic (fallback) entry", f"elsewhere_first.{entry}")
                 for entry in data.elsewhere_first
                 if entry not in knowledge.entries or knowledge.entries[entry].kind != "fallback"]
    for topic in data.topics:
        for entry in topic.entries:
            if entry not in knowledge.entries or knowledge.entries[entry].kind != "answer":
                problems.append(Problem(label, f"entry {entry!r} is not an answer entry", f"topics.{topic.id}"))
    return problems
