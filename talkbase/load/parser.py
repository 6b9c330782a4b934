"""Parsing one YAML file: compose it with PyYAML's safe (C-accelerated when available) loader and walk the
nodes into located values, with syntax errors, bad tags, duplicate keys, depth and alias bombs as problems.

Only a cache miss needs this module: it is imported on the first parse, so that a command answered from the
parse cache never imports PyYAML. Nothing is ever constructed from a YAML tag: unknown and unsafe tags are
reported, not executed.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import yaml

from talkbase.load.nodes import MAX_DEPTH, REPORTED, YList, YMap
from talkbase.records.problems import Problem

try:
    from yaml import CSafeLoader as SafeLoader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

    HAVE_LIBYAML = False

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP = _TAG + "str", _TAG + "seq", _TAG + "map"
_PLAIN = "\0plain"  # our marker for an untagged plain scalar; no tag written in a file can contain a NUL
_SCALARS = yaml.constructor.SafeConstructor()
_CONVERTERS = {
    _TAG + "int": _SCALARS.construct_yaml_int,
    _TAG + "float": _SCALARS.construct_yaml_float,
    _TAG + "bool": _SCALARS.construct_yaml_bool,
    _TAG + "null": _SCALARS.construct_yaml_null,
}
_IMPLICIT = yaml.resolver.Resolver.yaml_implicit_resolvers  # YAML 1.1 rules by first character, as PyYAML's

# What a file's values may expand to, aliases included: each value costs 1, a scalar also its length. Without
# aliases a file costs at most its length (every value takes at least one character more than its text), so
# this leaves honest aliases (a shared list of sources) ample room, while an alias bomb, or a big text aliased
# over and over, is refused before it is expanded: the cost bounds the memory of the values and the size of
# every output made from them.
EXPANSION = 2
EXPANSION_SLACK = 10_000


class _Loader(SafeLoader):  # type: ignore[misc, valid-type]
    """The safe loader, except that plain scalars are left unresolved while composing: the walker resolves
    only values (never keys), and only those whose first character can start a number, bool or null."""

    def resolve(self, kind: type, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            return _PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


def _plain_value(node: yaml.Node) -> Any:
    """What a plain scalar means under YAML 1.1, except that dates (timestamps) stay text as written."""
    text = node.value
    for tag, pattern in _IMPLICIT.get(text[:1], ()):
        if pattern.match(text):
            convert = _CONVERTERS.get(tag)
            return convert(node) if convert else text
    return text


def parse_document(text: str, shown: str) -> tuple[Any, list[Problem]]:
    """Compose one YAML document and walk it into located values; syntax errors become problems."""
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        return None, _syntax_problems(exc, text, shown)
    except yaml.reader.ReaderError as exc:
        return None, [_bad_character(exc.character, text, shown)]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, 1, 1, "yaml-syntax", f"invalid YAML: {exc}")]
    except RecursionError:
        return None, [_too_deep(shown, 1, 1)]
    if node is None:
        return None, []  # an empty or comments-only file holds no records
    walker = _Walker(shown, budget=EXPANSION * len(text) + EXPANSION_SLACK)
    try:
        return walker.value(node, 0), walker.problems
    except _AliasBomb as exc:
        message = f"YAML aliases expand the file to more than {EXPANSION} times its size (an alias bomb?)"
        hint = "write the values out, or alias only short ones such as a list of sources"
        return None, [Problem(shown, exc.line, exc.col, "alias-bomb", message, hint)]


def _syntax_problems(exc: yaml.MarkedYAMLError, text: str, shown: str) -> list[Problem]:
    tabs = list(_tab_indents(text, shown))
    mark = exc.problem_mark or exc.context_mark
    line, col = _within(text, (mark.line + 1, mark.column + 1) if mark else (1, 1))
    if any(p.line == line for p in tabs):
        return tabs
    problem = exc.problem or "syntax error"
    if "maximum nesting depth" in problem:
        return [*tabs, _too_deep(shown, line, col)]
    message = f"{exc.context}{_started_at(exc.context_mark, line)}, {problem}" if exc.context else problem
    hint = "a talkbase file holds one YAML document; remove the extra `---`" if "single document" in message else ""
    return [*tabs, Problem(shown, line, col, "yaml-syntax", f"invalid YAML: {message}", hint)]


def _bad_character(character: Any, text: str, shown: str) -> Problem:
    """A character YAML does not allow (a control character), at its first place in the text. libyaml counts
    its position in bytes and PyYAML in characters, so the place is found from the character itself."""
    char = chr(character) if isinstance(character, int) else str(character)[:1]
    at = max(text.find(char), 0) if char else 0
    line, col = text.count("\n", 0, at) + 1, at - (text.rfind("\n", 0, at) + 1) + 1
    message = f"invalid YAML: character U+{ord(char or chr(0)):04X} is not allowed in a YAML file"
    hint = f'remove it, or write it as an escape in double quotes: "\\u{ord(char or chr(0)):04x}"'
    return Problem(shown, line, col, "yaml-syntax", message, hint)


def _within(text: str, place: tuple[int, int]) -> tuple[int, int]:
    """The place, or the end of the text when libyaml points past it (it does at an unexpected end of file
    without a final line break), so that editors jump to a line that exists."""
    last = text.count("\n") + 1
    if place[0] <= last:
        return place
    return last, len(text) - (text.rfind("\n") + 1) + 1


def _started_at(mark: yaml.Mark | None, line: int) -> str:
    return f" (from line {mark.line + 1})" if mark and mark.line + 1 != line else ""


def _tab_indents(text: str, shown: str) -> Iterator[Problem]:
    for number, line in enumerate(text.splitlines(), start=1):
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            col = indent.index("\t") + 1
            yield Problem(
                shown,
                number,
                col,
                "tab",
                "tab character in indentation",
                "YAML indents with spaces",
            )


def _too_deep(shown: str, line: int, col: int) -> Problem:
    return Problem(
        shown,
        line,
        col,
        "too-deep",
        f"values are nested more than {MAX_DEPTH} levels deep",
    )


class _AliasBomb(Exception):
    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line, self.col = line, col


class _Walker:
    """Turns a node tree into YMap / YList / scalars, checking tags, duplicate keys, depth and alias expansion."""

    def __init__(self, shown: str, budget: int) -> None:
        self.shown = shown
        self.budget = budget  # what the values may still cost (see EXPANSION)
        self.problems: list[Problem] = []

    def value(self, node: yaml.Node, depth: int) -> Any:
        tag = node.tag
        if tag is _PLAIN or tag in (_PLAIN, _STR):
            text = node.value
            self.budget -= 1 + len(text)
            if self.budget < 0:
                raise _AliasBomb(node.start_mark.line + 1, node.start_mark.column + 1)
            if tag == _STR:
                return text
            return _plain_value(node) if text[:1] in _IMPLICIT or not text else text
        self.budget -= 1
        if self.budget < 0:
            raise _AliasBomb(node.start_mark.line + 1, node.start_mark.column + 1)
        if depth > MAX_DEPTH:
            self.problems.append(_too_deep(self.shown, node.start_mark.line + 1, node.start_mark.column + 1))
            return REPORTED
        if tag == _MAP and node.__class__ is yaml.MappingNode:
            return self._mapping(node, depth)
        if tag == _SEQ and node.__class__ is yaml.SequenceNode:
            return self._sequence(node, depth)
        self._bad_tag(node)
        return REPORTED

    def _bad_tag(self, node: yaml.Node) -> None:
        tag = node.tag.replace(_TAG, "!!")
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if tag.startswith("!!python/"):
            message = f"unsafe YAML tag `{tag}`: talkbase never builds Python objects from data"
            self.problems.append(Problem(self.shown, line, col, "unsafe-tag", message, "remove the tag"))
        else:
            message, hint = f"unsupported YAML tag `{tag}`", "remove the tag; plain YAML values need none"
            self.problems.append(Problem(self.shown, line, col, "unknown-tag", message, hint))

    def _mapping(self, node: yaml.MappingNode, depth: int) -> YMap:
        mark = node.start_mark
        result = YMap(mark.line + 1, mark.column + 1)
        places = result._at
        for key_node, value_node in node.value:
            key_mark, value_mark = key_node.start_mark, value_node.start_mark
            key = key_node.value
            if key_node.__class__ is not yaml.ScalarNode or (key == "<<" and key_node.tag is _PLAIN):
                self._bad_key(key_node)
                continue
            if key in result:
                first = result.key_at(key)[0]
                message = f"duplicate key `{key}` (first at line {first}); YAML would silently keep only the last"
                self.problems.append(
                    Problem(self.shown, key_mark.line + 1, key_mark.column + 1, "duplicate-key", message)
                )
                continue
            result[key] = self.value(value_node, depth + 1)
            places.extend((key_mark.line + 1, key_mark.column + 1, value_mark.line + 1, value_mark.column + 1))
        return result

    def _bad_key(self, node: yaml.Node) -> None:
        message = (
            "keys must be words"
            if node.__class__ is not yaml.ScalarNode
            else "YAML merge keys (`<<`) are not supported"
        )
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        self.problems.append(Problem(self.shown, line, col, "bad-key", message))

    def _sequence(self, node: yaml.SequenceNode, depth: int) -> YList:
        mark = node.start_mark
        result = YList(mark.line + 1, mark.column + 1)
        places = result._at
        for item in node.value:
            result.append(self.value(item, depth + 1))
            item_mark = item.start_mark
            places.extend((item_mark.line + 1, item_mark.column + 1))
        return result
