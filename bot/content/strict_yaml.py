"""Strict YAML loading for content files: duplicate keys, unknown keys and wrong types are errors
that name the file, the entry and the line."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

if TYPE_CHECKING:  # both loaders share the safe constructor and resolver that _StrictLoader adds to
    _BaseLoader = yaml.CSafeLoader
else:
    try:  # the C parser is several times faster; the constructor (ours) stays in Python
        _BaseLoader = yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - PyYAML built without libyaml
        _BaseLoader = yaml.SafeLoader


SNAKE_CASE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a content file."""

    file: str
    message: str
    entry: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        if self.entry:
            where += f" [{self.entry}]"
        return f"{where}: {self.message}"


class ContentError(Exception):
    """Raised when content files are broken; carries every problem found."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class Mapping(dict[Any, Any]):
    """A YAML mapping that remembers the line it started on."""

    line: int = 0


class Sequence(list[Any]):
    """A YAML sequence that remembers the line it started on."""

    line: int = 0


class _StrictLoader(_BaseLoader):
    """Safe loader that rejects duplicate keys and records line numbers."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> Mapping:
    loader.flatten_mapping(node)
    result = Mapping()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, (str, int, float, bool)) and key is not None:
            raise yaml.constructor.ConstructorError(
                None, None, f"unhashable key {key!r}", key_node.start_mark
            )
        if key in result:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {result.line})",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
    return result


def _construct_sequence(loader: _StrictLoader, node: yaml.SequenceNode) -> Sequence:
    result = Sequence(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    return result


# YAML 1.1 reads yes/no/on/off as booleans ("the Norway problem"); content is full of those words
# ("no", "on my feet"), so only true/false are booleans here, as in YAML 1.2.
_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in _BaseLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def read_yaml(path: Path, label: str) -> Any:
    """Parse one YAML file strictly; raise ContentError naming `label` on any syntax problem."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError([Problem(label, f"cannot read file: {exc}")]) from exc
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - strict *safe* loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        message = exc.problem or str(exc)
        if exc.context:
            message = f"{exc.context}: {message}"
        raise ContentError([Problem(label, f"invalid YAML: {message}", line=line)]) from exc
    except yaml.YAMLError as exc:
        raise ContentError([Problem(label, f"invalid YAML: {exc}")]) from exc


class Checker:
    """Collects problems for one file while its entries are being read."""

    def __init__(self, label: str):
        self.label = label
        self.problems: list[Problem] = []

    def add(self, message: str, entry: str | None = None, node: Any = None) -> None:
        """Record a problem, taking the line from `node` when it has one."""
        self.problems.append(Problem(self.label, message, entry, getattr(node, "line", None)))

    def known(self, values: Iterable[str], allowed: Iterable[str], what: str, entry: str | None = None,
              node: Any = None) -> None:
        """Record every value that is not one of `allowed` ("advice 'x' unknown (allowed: ...)")."""
        allowed = tuple(allowed)
        for value in values:
            if value not in allowed:
                self.add(f"{what} {value!r} unknown (allowed: {', '.join(allowed)})", entry, node)

    def mapping(
        self,
        node: Any,
        entry: str | None,
        required: dict[str, type | tuple[type, ...]],
        optional: dict[str, type | tuple[type, ...]] | None = None,
    ) -> bool:
        """Check a mapping has the required keys, no unknown keys, and the right value types."""
        optional = optional or {}
        if not isinstance(node, dict):
            self.add(f"expected a mapping, got {type(node).__name__}", entry, node)
            return False
        ok = True
        for key in node:
            if key not in required and key not in optional:
                allowed = ", ".join(sorted([*required, *optional]))
                self.add(f"unknown key {key!r} (allowed: {allowed})", entry, node)
                ok = False
        for key in required:
            if key not in node:
                self.add(f"missing key {key!r}", entry, node)
                ok = False
        for key, kind in {**required, **optional}.items():
            if key in node and not isinstance(node[key], kind) and not (
                node[key] is None and kind is type(None)
            ):
                self.add(
                    f"{key!r} must be {_type_name(kind)}, got {type(node[key]).__name__}",
                    entry,
                    node,
                )
                ok = False
        return ok

    def strings(self, values: Any, what: str, entry: str | None, node: Any = None) -> list[str]:
        """Check `values` is a list of non-empty strings and return it (empty list when broken)."""
        if not isinstance(values, list):
            self.add(f"{what} must be a list", entry, node)
            return []
        good: list[str] = []
        for value in values:
            if not isinstance(value, str) or not value.strip():
                self.add(f"{what} must hold non-empty strings, got {value!r}", entry, node)
            else:
                good.append(value.strip())
        return good

    def unique(self, names: Iterable[str], what: str, entry: str | None = None) -> None:
        """Report every name that occurs more than once ("duplicate choice id 'night'")."""
        counts = Counter(names)
        for name in sorted(n for n, count in counts.items() if count > 1):
            self.add(f"duplicate {what} {name!r}", entry)

    def version(self, document: Any, supported: int = 1) -> bool:
        """Check the file is a mapping carrying the supported `version:`."""
        if not isinstance(document, dict):
            self.add("the file must be a YAML mapping with a 'version' key")
            return False
        if document.get("version") != supported:
            self.add(f"'version' must be {supported}, got {document.get('version')!r}", node=document)
            return False
        return True

    def raise_if_any(self) -> None:
        """Raise ContentError when problems were collected."""
        if self.problems:
            raise ContentError(self.problems)


def checked_text(node: Any, key: str) -> str:
    """`node[key]` once `Checker.mapping` has passed it as text."""
    value = node[key]
    assert isinstance(value, str), f"{key!r} was not checked as text"
    return value


def _type_name(kind: type | tuple[type, ...]) -> str:
    names = {str: "text", int: "a number", float: "a number", bool: "true/false", list: "a list",
             dict: "a mapping", type(None): "null"}
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(names.get(k, k.__name__) for k in kinds)
