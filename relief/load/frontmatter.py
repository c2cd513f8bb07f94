"""Source files in, parsed values with positions out.

``decode`` reads a file's bytes as text (UTF-8, with or without a byte-order mark, any line ends);
``split_front_matter`` separates YAML front matter from the Markdown body; ``parse_yaml``
returns the data together with the file line and column of every key and list item, so
that schema errors can point at the exact place in the *file* (not in the front matter).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from ..errors import ContentError

try:  # the C loader is several times faster; fall back where libyaml is missing
    _SafeLoader: type = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _SafeLoader = yaml.SafeLoader


class _Impossible(yaml.MarkedYAMLError):
    """A value written like a date or number that cannot be one, e.g. ``2026-02-30``."""


class _Loader(_SafeLoader):  # type: ignore[misc, valid-type]
    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)
        except (ValueError, OverflowError) as exc:  # PyYAML lets these out without a place
            kind = {"timestamp": "date", "int": "number", "float": "number"}.get(node.tag.rsplit(":", 1)[-1], "value")
            why = "far too long" if len(node.value) > 30 else str(exc)
            raise _Impossible(problem=f"'{shortened(node.value)}' is not a valid {kind} ({why})",
                              problem_mark=node.start_mark) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """YAML 1.1 reads ``045`` as octal 37 and ``1:30`` as 90: a clinician means 45, and seconds."""
        value = str(node.value)
        if value.isascii() and value.isdigit():  # as nearly every number of front matter: 30, 045
            return int(value, 10)
        value = value.replace("_", "")
        if _LEADING_ZERO.fullmatch(value):
            return int(value, 10)
        if ":" in value:
            raise _Impossible(problem=f"'{node.value}' reads as minutes:seconds in YAML; write the number of "
                              "seconds (e.g. 90 for 1:30)", problem_mark=node.start_mark)
        return int(super().construct_yaml_int(node))


    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        """PyYAML's tag of a node. The C loader asks this Python method for every scalar, and the same field names
        and small numbers come back in every file: a plain scalar's tag, which depends on its text alone (a safe
        loader has no path resolvers), is looked up once."""
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:
            return str(super().resolve(kind, value, implicit))
        key = (value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            if len(_TAGS) > 10_000:
                _TAGS.clear()
            tag = _TAGS[key] = super().resolve(kind, value, implicit)
        return tag


_LEADING_ZERO = re.compile(r"[-+]?0[0-9]+")
_TAGS: dict[tuple[str, tuple[bool, bool]], str] = {}  # a scalar's text and implicitness -> its tag
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)


def shortened(text: str, limit: int = 40) -> str:
    """``text`` cut to ``limit`` characters for a one-line message."""
    return text if len(text) <= limit else text[: limit - 1] + "…"

Key = tuple[str | int, ...]


@dataclass(frozen=True)
class Located:
    """Parsed YAML plus where each value starts: ``where[("groups", 0, "id")] == (12, 9)``."""

    data: Any
    path: Path
    where: dict[Key, tuple[int, int]] = field(default_factory=dict)
    raw: dict[Key, str] = field(default_factory=dict)  # each plain scalar as written: "yes", "045", "null"

    def at(self, *key: str | int) -> tuple[int, int]:
        """Line and column of ``key``, or of its nearest located parent."""
        while key not in self.where and key:
            key = key[:-1]
        return self.where.get(key, (1, 1))

    def error(self, key: Key, message: str) -> ContentError:
        line, column = self.at(*key)
        return ContentError(self.path, line, column, message)


@dataclass(frozen=True)
class SourceFile:
    path: Path
    front: str | None  # None: the file has no front matter
    front_line: int  # file line of the front matter's first line
    body: str
    body_line: int  # file line of the body's first line


def decode(path: Path, data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ContentError(
            path, line, column, "is not UTF-8 text; save the file with UTF-8 encoding"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {"\x00": "NUL", "\x0b": "vertical tab", "\x0c": "form feed", "\x1b": "escape", "\x7f": "delete"}


def check_characters(path: Path, text: str) -> str:
    """``text``, if it holds no control character (a tab and line ends are fine); else one error at the first."""
    found = _CONTROL.search(text)
    if found is None:
        return text
    line = text.count("\n", 0, found.start()) + 1
    column = found.start() - text.rfind("\n", 0, found.start())
    char = found.group()
    name = _CONTROL_NAMES.get(char, "control character")
    more = len(_CONTROL.findall(text)) - 1
    others = f" ({more} more in this file)" if more else ""
    raise ContentError(path, line, column, f"holds an invisible {name} (U+{ord(char):04X}) here{others}, "
                       "often pasted in from a word processor; delete it")


def split_front_matter(path: Path, text: str) -> SourceFile:
    """Split ``---``-fenced YAML front matter from the body."""
    if not text.strip():
        raise ContentError(path, 1, 1, "the file is empty; give it front matter and a body")
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        return SourceFile(path, None, 1, text, 1)
    for index, line in enumerate(lines[1:], start=1):
        if line.rstrip() in ("---", "..."):
            return SourceFile(
                path,
                front="\n".join(lines[1:index]),
                front_line=2,
                body="\n".join(lines[index + 1 :]),
                body_line=index + 2,
            )
    raise ContentError(
        path, 1, 1, "the front matter opened here is never closed; add a line '---' after it"
    )


def parse_yaml(path: Path, text: str, first_line: int = 1) -> Located:
    """Parse one YAML document; positions are file positions (``first_line`` = text's line 1)."""
    offset = first_line - 1
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return Located(None, path, {}, {})
        quick = _walk(loader, node, offset)  # front matter as nearly every file has it: one walk
        if quick is not None:
            return Located(quick[0], path, *quick[1:])
        data = loader.construct_document(node)
    except _Impossible as exc:
        line, column = exc.problem_mark.line + 1 + offset, exc.problem_mark.column + 1
        raise ContentError(path, line, column, f"{exc.problem}; correct it, or quote it if it is text") from None
    except RecursionError:
        raise ContentError(path, first_line, 1, "the front matter is nested hundreds of levels deep; "
                           "a stretch needs one or two levels: check the brackets and indentation") from None
    except yaml.MarkedYAMLError as exc:
        # an unclosed bracket, quote or key ("while parsing a flow sequence") is noticed far
        # below, often at the end of the text: point where it opened. Otherwise (indentation,
        # a tab, a stray '-') the problem mark is the line to fix.
        opened = exc.context is not None and any(w in exc.context for w in ("flow", "quoted", "simple key"))
        mark = (exc.context_mark if opened else None) or exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1 + offset, mark.column + 1) if mark else (first_line, 1)
        what = "; ".join(part for part in (exc.context, exc.problem) if part) or "not valid"
        raise ContentError(path, line, column, f"YAML error: {what}; {_hint(exc, text)}") from None
    except yaml.YAMLError as exc:
        raise ContentError(path, first_line, 1, f"YAML error: {exc}") from None
    finally:
        loader.dispose()
    where: dict[Key, tuple[int, int]] = {}
    raw: dict[Key, str] = {}
    try:
        _locate(path, node, (), offset, where, raw, set())
    except RecursionError:
        raise ContentError(path, first_line, 1, "the front matter is nested hundreds of levels deep; "
                           "a stretch needs one or two levels: check the brackets and indentation") from None
    return Located(data, path, where, raw)


_MAP, _SEQ, _STR = "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq", "tag:yaml.org,2002:str"
_PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp"))
_QUICK_DEPTH = 20  # deeper than any front matter: left to the full walk, which says what is wrong


def _walk(loader: _Loader, root: yaml.Node, offset: int,
          ) -> tuple[Any, dict[Key, tuple[int, int]], dict[Key, str]] | None:
    """The data of ``root`` with every key's place and every plain scalar as written, in one walk of the nodes
    (PyYAML's constructor, then ``_locate``, walk them twice, and its machinery costs more than the YAML parse).

    It takes only what front matter holds: mappings with scalar keys, lists, and strings, numbers, booleans,
    nulls and dates, each made by the loader's own constructor for its tag. Anything else (an alias, a merge
    key ``<<``, another tag, a duplicate key, a value that cannot be what it looks like, deep nesting) gives
    None: then the full walk makes the data and says what is wrong, exactly as before."""
    where: dict[Key, tuple[int, int]] = {}
    raw: dict[Key, str] = {}
    constructors = loader.yaml_constructors
    seen: set[int] = set()

    def value(node: yaml.Node, key: Key) -> Any:
        if id(node) in seen or len(key) > _QUICK_DEPTH:
            raise _Unusual
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            if node.tag not in _PLAIN_TAGS:
                raise _Unusual
            if not node.style:  # plain, not quoted
                raw[key] = node.value
            return node.value if node.tag == _STR else constructors[node.tag](loader, node)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            data: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in _PLAIN_TAGS:
                    raise _Unusual  # a merge key, a list as a key, ...
                child = (*key, key_node.value)
                if child in where:
                    raise _Unusual  # a duplicate: the full walk names it
                where[child] = (value_node.start_mark.line + 1 + offset, value_node.start_mark.column + 1)
                item = value(value_node, child)
                name = key_node.value if key_node.tag == _STR else constructors[key_node.tag](loader, key_node)
                if name in data:  # 1 and 01, say: the same key, written two ways
                    raise _Unusual
                data[name] = item
                # point at the key itself, which is where an editor looks
                where[child] = (key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
            return data
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            items = []
            for index, item in enumerate(node.value):
                child = (*key, index)
                where[child] = (item.start_mark.line + 1 + offset, item.start_mark.column + 1)
                items.append(value(item, child))
            return items
        raise _Unusual

    where[()] = (root.start_mark.line + 1 + offset, root.start_mark.column + 1)
    try:
        data = value(root, ())
    except (_Unusual, yaml.YAMLError, ValueError, OverflowError, TypeError, RecursionError):
        return None
    return data, where, raw


class _Unusual(Exception):
    """Front matter that ``_walk`` leaves to PyYAML's constructor and ``_locate``."""


def _hint(exc: yaml.MarkedYAMLError, text: str) -> str:
    """What to do about a YAML syntax error, in the editor's words."""
    problem = exc.problem or ""
    if "'\\t'" in problem or "\\t" in problem or "tab" in problem:
        return "indent with spaces, not tabs"
    if "mapping values are not allowed" in problem:
        return "a value with a colon in it (Neck: roll) must be put in quotes: title: \"Neck: roll\""
    if exc.problem_mark is not None:
        line = text.split("\n")[exc.problem_mark.line] if exc.problem_mark.line < text.count("\n") + 1 else ""
        if "\t" in line[: exc.problem_mark.column + 1]:
            return "indent with spaces, not tabs"
    return "check indentation, colons, brackets and quotes (a value with ':' or '#' in it needs quotes)"


def _locate(path: Path, node: yaml.Node, key: Key, offset: int, where: dict[Key, tuple[int, int]],
            raw: dict[Key, str], seen: set[int]) -> None:
    where[key] = (node.start_mark.line + 1 + offset, node.start_mark.column + 1)
    if isinstance(node, yaml.ScalarNode) and not node.style:  # plain, not quoted
        raw[key] = node.value
    if id(node) in seen:  # an alias: walking it again could loop forever or blow up exponentially
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                child = (*key, key_node.value)
                here = (key_node.start_mark.line + 1 + offset, key_node.start_mark.column + 1)
                if child in where:  # PyYAML keeps the last silently; the editor meant one of them
                    raise ContentError(path, *here, f"duplicate key '{key_node.value}' (first on line "
                                       f"{where[child][0]}); keep only one")
                _locate(path, value_node, child, offset, where, raw, seen)
                # point at the key itself, which is where an editor looks
                where[child] = here
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _locate(path, item, (*key, index), offset, where, raw, seen)
