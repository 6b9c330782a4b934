"""Parsing JSON into located values (YMap, YList and scalars, as the YAML parser makes), so that records read
from JSON carry the line and column of every key and value, and mistakes in them are reported there.

Strict JSON only (RFC 8259): no NaN or Infinity, no comments, no trailing commas; a key written twice, nesting
deeper than MAX_DEPTH and a number too long to read are problems, never exceptions.
"""

from __future__ import annotations

import bisect
import json.decoder
import re
from typing import Any

from talkbase.load.nodes import MAX_DEPTH, YList, YMap
from talkbase.records.problems import Problem

_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_SPACE = re.compile(r"[ \t\n\r]*")
_SURROGATE = re.compile("[\ud800-\udfff]")
_LITERALS = {"true": True, "false": False, "null": None}


class _Stop(Exception):
    def __init__(self, offset: int, message: str, code: str = "json-syntax") -> None:
        super().__init__(message)
        self.offset, self.message, self.code = offset, message, code


class _Reader:
    def __init__(self, text: str, shift: int) -> None:
        self.text, self.shift = text, shift
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]
        self.problems: list[tuple[int, str, str]] = []  # offset, code, message: kept going after these

    def place(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line + self.shift, offset - self.starts[line - 1] + 1

    def skip(self, at: int) -> int:
        return _SPACE.match(self.text, at).end()  # type: ignore[union-attr]

    def value(self, at: int, depth: int) -> tuple[Any, int]:
        text = self.text
        char = text[at : at + 1]
        if char in ("{", "["):
            if depth >= MAX_DEPTH:
                raise _Stop(at, f"values are nested more than {MAX_DEPTH} levels deep", "too-deep")
            return self.mapping(at, depth + 1) if char == "{" else self.sequence(at, depth + 1)
        if char == '"':
            return self.string(at)
        for word, value in _LITERALS.items():
            if text.startswith(word, at):
                return value, at + len(word)
        number = _NUMBER.match(text, at)
        if number and number.end() > at:
            return self.number(number), number.end()
        raise _Stop(at, "expected a value" if char else "unexpected end of the text: a value is missing")

    def number(self, match: re.Match[str]) -> Any:
        try:
            return float(match.group()) if match.group(1) or match.group(2) else int(match.group())
        except ValueError:  # more digits than Python reads (sys.int_info)
            raise _Stop(match.start(), "a number too long to read") from None

    def string(self, at: int) -> tuple[str, int]:
        try:
            value, end = json.decoder.scanstring(self.text, at + 1, True)
        except json.JSONDecodeError as exc:
            message = exc.msg.lower().removesuffix(" at")
            message = "a string that never ends" if message.startswith("unterminated") else message
            raise _Stop(exc.pos, message) from None
        if _SURROGATE.search(value):  # `\ud800` alone stands for no character: it could never be written out
            raise _Stop(at, "a \\u escape of half a surrogate pair, which is no character")
        return value, end

    def mapping(self, at: int, depth: int) -> tuple[YMap, int]:
        result = YMap(*self.place(at))
        at = self.skip(at + 1)
        if self.text.startswith("}", at):
            return result, at + 1
        while True:
            if not self.text.startswith('"', at):
                raise _Stop(at, "expected a key in double quotes")
            key_at = at
            key, at = self.string(at)
            at = self.skip(at)
            if not self.text.startswith(":", at):
                raise _Stop(at, "expected `:` after the key")
            at = self.skip(at + 1)
            value_at = at
            value, at = self.value(at, depth)
            if key in result:
                first = result.key_at(key)[0]
                self.problems.append((key_at, "duplicate-key", f"duplicate key `{key}` (first at line {first})"))
            else:
                result[key] = value
                result._at.extend((*self.place(key_at), *self.place(value_at)))
            at = self.after_item(at, "}")
            if at < 0:
                return result, -at

    def sequence(self, at: int, depth: int) -> tuple[YList, int]:
        result = YList(*self.place(at))
        at = self.skip(at + 1)
        if self.text.startswith("]", at):
            return result, at + 1
        while True:
            item, end = self.value(at, depth)
            result.append(item)
            result._at.extend(self.place(at))
            at = self.after_item(end, "]")
            if at < 0:
                return result, -at

    def after_item(self, at: int, closing: str) -> int:
        """Past the comma to the next item, or minus the offset past the closing bracket."""
        at = self.skip(at)
        if self.text.startswith(closing, at):
            return -(at + 1)
        if not self.text.startswith(",", at):
            raise _Stop(at, f"expected `,` or `{closing}`")
        at = self.skip(at + 1)
        if self.text.startswith(closing, at):
            raise _Stop(at, "a comma before a closing bracket (JSON allows no trailing comma)")
        return at


def parse_json(text: str, shown: str, first_line: int = 1) -> tuple[Any, list[Problem]]:
    """One JSON value with its places (lines counted from `first_line`), or None and the problem that stopped
    the parse; problems that did not stop it (a key written twice) come with the value."""
    reader = _Reader(text, first_line - 1)

    def problem(offset: int, code: str, message: str) -> Problem:
        line, col = reader.place(offset)
        return Problem(shown, line, col, code, f"invalid JSON: {message}" if code == "json-syntax" else message)

    try:
        value, end = reader.value(reader.skip(0), 0)
        end = reader.skip(end)
        if end < len(text):
            raise _Stop(end, "more after the end of the value")
    except _Stop as stop:
        return None, [problem(stop.offset, stop.code, stop.message)]
    except RecursionError:  # not reached with MAX_DEPTH levels, but never a traceback
        return None, [problem(0, "too-deep", "values are nested too deep")]
    return value, [problem(offset, code, message) for offset, code, message in reader.problems]
