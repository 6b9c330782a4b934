"""The common mistakes of hand-written YAML, recognised from PyYAML's error and the lines around it, said in the
curator's terms with the fix: a colon inside a plain value, a missing space after a colon, text after a closing
quote, a missing `- `, a line indented to the wrong column.

PyYAML names what its grammar expected ("mapping values are not allowed in this context"), often a line after
the mistake. Each function here looks at the text where the error points and returns a better message and
hint, placed on the line to fix, or None when the mistake is not one it knows (the raw message is kept then).
"""

from __future__ import annotations

import re
from typing import NamedTuple

# A line that starts a key: its indent, an optional `- ` (a list item), and a plain word as key.
_KEY_LINE = re.compile(r"(?P<indent> *)(?P<dash>- +)?(?P<key>[A-Za-z_][\w-]*):(?P<gap> +|$)(?P<value>.*)")
_GLUED_KEY = re.compile(r"(?P<indent> *)(?P<dash>- +)?(?P<key>[A-Za-z_][\w-]*):(?P<value>[^\s:].*)")
_DASH_LINE = re.compile(r"(?P<indent> *)- ")


class Explained(NamedTuple):
    """A syntax error in the curator's terms: where to fix it, what is wrong, and how to fix it."""

    line: int
    col: int
    message: str
    hint: str


def explain(problem: str, context: str, line: int, col: int, context_line: int, text: str) -> Explained | None:
    """A better message for a PyYAML syntax error at line:col (1-based; `context_line` is where the
    construct it was reading began), or None when it is not a mistake this module knows."""
    lines = text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    if "could not find expected ':'" in problem and 1 <= context_line <= len(lines):
        return _glued_colon(context_line, lines[context_line - 1])
    if "mapping values are not allowed" in problem:
        return _colon_in_value(line, col, lines)
    if "flow sequence" in context or "flow mapping" in context:
        return _unclosed_bracket(context_line, lines)
    if "quoted scalar" in context:
        return _unclosed_quote(context_line, context_line, lines)
    if "did not find expected" in problem or "expected <block end>" in problem:
        return (
            _after_quote(line, col, lines[line - 1])
            or _unclosed_quote(context_line, line - 1, lines)
            or _missing_dash(line, lines, context_line)
            or _first_record_without_dash(line, lines)
            or _indent(line, lines)
        )
    return None


def _glued_colon(line: int, text: str) -> Explained | None:
    """`stance:supports`: without a space after it, a colon does not end a key, so YAML reads the whole line as
    one word and fails at the next line."""
    match = _GLUED_KEY.fullmatch(text.rstrip())
    if not match:
        return None
    col = match.end("key") + 1
    fixed = f"{match['key']}: {match['value']}"
    message = f"invalid YAML: no space after the colon in `{match['key']}:{match['value']}`"
    return Explained(line, col + 1, message, f"a key needs a colon and a space: write `{fixed}`")


def _colon_in_value(line: int, col: int, lines: list[str]) -> Explained | None:
    """`claim: Paisley said: no`: a colon and a space inside a plain value start another key, which YAML
    refuses there. A key line deeper than its siblings gets the same error: YAML read it as more of the value
    above."""
    text = lines[line - 1]
    match = _KEY_LINE.fullmatch(text.rstrip())
    if match and col == match.end("key") + 1:
        return _indent(line, lines)
    if not match or not match["value"] or match["value"][0] in "\"'[{|>&*!%@`":
        hint = "a colon followed by a space ends a key: put the whole value in quotes"
        return Explained(line, col, "invalid YAML: a colon followed by a space inside a plain value", hint)
    value = match["value"]
    comment = re.search(r" +#", value)
    value, trail = (value[: comment.start()], value[comment.start() :]) if comment else (value, "")
    fixed = f"{match['indent']}{match['dash'] or ''}{match['key']}: {quoted(value)}{trail}"
    message = f"invalid YAML: a colon followed by a space inside the plain value of `{match['key']}`"
    return Explained(line, col, message, f"put the value in quotes: `{fixed.strip()}`")


def quoted(value: str) -> str:
    """A value in YAML quotes that reads back as the same text, in the quotes that need fewer escapes: double
    quotes (`\\` and `"` escaped) or single quotes (`'` doubled)."""
    if value.count('"') + value.count("\\") > value.count("'"):
        return "'" + value.replace("'", "''") + "'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _after_quote(line: int, col: int, text: str) -> Explained | None:
    """`claim: "He said: no" and left`: the quotes end the value, so the words after them are out of place."""
    match = _KEY_LINE.fullmatch(text.rstrip())
    if not match or match["value"][:1] not in ("'", '"'):
        return None
    start = match.start("value")
    end = _closing_quote(text, start)
    if end is None or col <= end + 1 or not text[end + 1 :].strip() or text[end + 1 :].lstrip().startswith("#"):
        return None
    value = text[start:].rstrip()
    mark = value[0]
    if len(value) > 2 and value.endswith(mark):  # quoted as a whole: the quote inside is text, an apostrophe
        inner = value[1:-1]
        text_meant = inner.replace(mark * 2, mark) if mark == "'" else inner
        fixed = f"{match['key']}: {quoted(text_meant)}"
        message = f"invalid YAML: the {_QUOTES[mark]} quote inside `{match['key']}`'s value ends it early"
        return Explained(line, end + 1, message, f"quote the whole value so that it reads back as written: `{fixed}`")
    fixed = f"{match['key']}: {quoted(value)}"
    message = f"invalid YAML: text after the closing quote of `{match['key']}`'s value"
    return Explained(line, end + 2, message, f"quote the whole value: `{fixed}`")


_QUOTES = {"'": "single", '"': "double"}


def _unclosed_quote(first: int, last: int, lines: list[str]) -> Explained | None:
    """`claim: "The agreement is a betrayal`: a value whose quote is not closed on its line swallows the lines
    after it, and YAML fails where the next quote happens to be. The first such line from `first` to `last`."""
    for number in range(max(first, 1), min(last, len(lines)) + 1):
        text = lines[number - 1]
        match = _KEY_LINE.fullmatch(text.rstrip())
        if match and match["value"][:1] in _QUOTES and _closing_quote(text, match.start("value")) is None:
            value = match["value"].rstrip()
            mark = value[0]
            fixed = f"{match['key']}: {value}{mark}"
            message = f"invalid YAML: the {_QUOTES[mark]} quote that opens `{match['key']}`'s value is not closed"
            return Explained(number, match.start("value") + 1, message, f"close it at the end of the value: `{fixed}`")
    return None


def _unclosed_bracket(line: int, lines: list[str]) -> Explained | None:
    """`sources: [a, b`: a list (or mapping) in brackets must close on its line, as talkbase files write them."""
    if not 1 <= line <= len(lines):
        return None
    match = _KEY_LINE.fullmatch(lines[line - 1].rstrip())
    if not match or match["value"][:1] not in "[{" or not match["value"]:
        return None
    value = match["value"].rstrip()
    closing = "]" if value[0] == "[" else "}"
    if closing in value:
        return None
    message = f"invalid YAML: the `{value[0]}` that opens `{match['key']}`'s value is not closed"
    return Explained(line, match.start("value") + 1, message, f"close it: `{match['key']}: {value}{closing}`")


def _first_record_without_dash(line: int, lines: list[str]) -> Explained | None:
    """The first record of a list written without its `- ` (`topics:` then `    id: x`), found at the next
    record's `-`, which YAML then cannot place."""
    dash = _DASH_LINE.match(lines[line - 1])
    if not dash or any(_DASH_LINE.match(above) for above in lines[: line - 1]):
        return None
    column = len(dash["indent"])
    for number in range(line - 1, 0, -1):
        key = _KEY_LINE.fullmatch(lines[number - 1].rstrip())
        if key and len(key["indent"]) < column and not key["value"]:  # the list's key: `topics:`
            first = next((n for n in range(number + 1, line) if _KEY_LINE.fullmatch(lines[n - 1].rstrip())), None)
            if first is None:
                return None
            record = _KEY_LINE.fullmatch(lines[first - 1].rstrip())
            assert record is not None
            message = "invalid YAML: the first record of the list must start with `- ` too"
            hint = f"write `- ` before `{record['key']}`, at column {column + 1}"
            return Explained(first, len(record["indent"]) + 1, message, hint)
    return None


def _closing_quote(text: str, start: int) -> int | None:
    """The index of the quote that closes the quoted scalar opening at `start`, or None."""
    mark, at = text[start], start + 1
    while at < len(text):
        if mark == '"' and text[at] == "\\":
            at += 2
            continue
        if text[at] == mark:
            if mark == "'" and text[at + 1 : at + 2] == "'":  # '' is a quote inside single quotes
                at += 2
                continue
            return at
        at += 1
    return None


def _missing_dash(line: int, lines: list[str], context_line: int) -> Explained | None:
    """A record written at the column of the list's `-` without one: `id: p2` under `- id: p1`."""
    match = _KEY_LINE.fullmatch(lines[line - 1].rstrip())
    if not match or match["dash"] or not 1 <= context_line <= len(lines):
        return None
    opening = _KEY_LINE.fullmatch(lines[context_line - 1].rstrip())
    if not opening or not opening["dash"] or len(opening["indent"]) != len(match["indent"]):
        return None
    if match["key"] not in ("id", opening["key"]):
        return None
    fields_col = len(opening["indent"]) + len(opening["dash"]) + 1
    message = "invalid YAML: a new record must start with `- `"
    hint = f"write `- {match['key']}: {match['value']}` and indent the fields below it to column {fields_col}"
    return Explained(line, len(match["indent"]) + 1, message, hint)


def _indent(line: int, lines: list[str]) -> Explained | None:
    """A line indented to a column none of its kind above uses: say which column the nearest ones use."""
    text = lines[line - 1]
    col = len(text) - len(text.lstrip(" ")) + 1
    is_item = bool(_DASH_LINE.match(text))
    seen: dict[int, int] = {}  # column -> the last line above that has a key (or a `-`) there
    for number, above in enumerate(lines[: line - 1], start=1):
        if is_item:
            dash = _DASH_LINE.match(above)
            if dash:
                seen[len(dash["indent"]) + 1] = number
            continue
        key = _KEY_LINE.fullmatch(above.rstrip())
        if key:
            seen[key.start("key") + 1] = number
    if not seen or col in seen:
        return None
    expected = min(seen, key=lambda c: (abs(c - col), -seen[c]))
    what = "list item" if is_item else "field"
    example = lines[seen[expected] - 1][expected - 1 :].strip()  # `title: x`, not `- title: x`, for column 9
    message = f"invalid YAML: this line is indented to column {col}, where no {what} above it is"
    return Explained(line, col, message, f"indent it to column {expected}, like `{example}` on line {seen[expected]}")
