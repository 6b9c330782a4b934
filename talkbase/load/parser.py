"""Parsing one YAML file: read the events of PyYAML's safe (C-accelerated when available) parser straight into
located values, with syntax errors, bad tags, duplicate keys, depth and alias bombs as problems.

No node tree is ever composed (it cost about 19 bytes per byte of YAML, three times the finished values): one
loop turns each event into its value, keeping a table of anchors, and charges every value, an alias at the full
cost of what it stands for, against the file's expansion budget. Only a cache miss needs this module: it is
imported on the first parse, so that a command answered from the parse cache never imports PyYAML. Nothing is
ever constructed from a YAML tag: unknown and unsafe tags are reported, not executed.
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Callable, Iterator
from sys import intern
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from talkbase.load.nodes import MAX_DEPTH, REPORTED, YList, YMap
from talkbase.load.yaml_hints import explain
from talkbase.records.problems import Problem

try:
    from yaml import CSafeLoader as SafeLoader

    HAVE_LIBYAML = True
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader  # type: ignore[assignment]

    HAVE_LIBYAML = False

_TAG = "tag:yaml.org,2002:"
_STR, _SEQ, _MAP, _INT = _TAG + "str", _TAG + "seq", _TAG + "map", _TAG + "int"
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

# Where a collection's value goes when it ends (see _Builder.run): into its parent; REPORTED into its parent
# (too deep, or a bad tag); nowhere, as a key (the key's value is then skipped); nowhere, as a skipped value.
_PLACE, _REPORT, _AS_KEY, _SKIPPED = 0, 1, 2, 3
_ITEM = object()  # the "key" while in a sequence: the next value is an item
_SKIP = object()  # the "key" after a refused key: its value is read (for its anchors) but not kept
_OPEN = object()  # the value of an anchor whose collection has not ended yet (an alias to it is recursive)
_MERGE = object()  # the "key" after a merge key `<<`: the next value's keys are merged into the mapping
# A plain scalar this short (ids, stances, dates, source ids: they recur across records) is kept as one string
# per file however often it is written: at 100,000 positions, a tenth of a cold load's memory.
_SHARED_UP_TO = 48


# The record format has no numeric field: a number matters only as a bare year (`date: 2025`). So only plain
# decimal digits make an integer; YAML 1.1's other spellings of one (0x7E9, 03751, 0b11111101001, 2_025, +2025,
# the base-60 1:33:45) stay text as written, for the checks to see what the file says.
_DECIMAL = re.compile(r"0|[1-9][0-9]*")


def _plain_value(text: str) -> Any:
    """What a plain scalar means under YAML 1.1, except that dates (timestamps) stay text as written, and so do
    integers not written in plain decimal digits."""
    for tag, pattern in _IMPLICIT.get(text[:1], ()):
        if pattern.match(text):
            if tag == _INT and not _DECIMAL.fullmatch(text):
                return text
            convert = _CONVERTERS.get(tag)
            return convert(yaml.ScalarNode(tag, text)) if convert else text
    return text


def parse_document(source: str | bytes, shown: str, length: int | None = None) -> tuple[Any, list[Problem]]:
    """Parse one YAML document (its text, or its UTF-8 bytes and their `length` in characters) into located
    values; syntax errors become problems."""
    size = len(source) if length is None else length
    builder = _Builder(shown, limit=EXPANSION * size + EXPANSION_SLACK)
    source, breaks = _without_false_breaks(source, shown)
    builder.problems.extend(breaks)
    try:
        return builder.run(SafeLoader(source).get_event), builder.problems
    except yaml.MarkedYAMLError as exc:
        return None, _syntax_problems(exc, _text(source), shown)
    except yaml.reader.ReaderError as exc:
        return None, [_bad_character(exc.character, _text(source), shown)]
    except yaml.YAMLError as exc:
        return None, [Problem(shown, 1, 1, "yaml-syntax", f"invalid YAML: {exc}")]
    except _AliasBomb as exc:
        message = f"YAML aliases expand the file to more than {EXPANSION} times its size (an alias bomb?)"
        hint = "write the values out, or alias only short ones such as a list of sources"
        return None, [Problem(shown, exc.line, exc.col, "alias-bomb", message, hint)]


# Characters YAML (PyYAML, libyaml) reads as line breaks but editors, `grep -n` and YAML 1.2 do not: written
# raw, they make a file mean something else than it shows (a comment that ends mid-line) and every line number
# after them wrong. A carriage return alone (not before a line feed) is one too: YAML ends a line there, `grep -n`
# and most editors do not. Each one is reported, then read as a space so that the rest of the file is checked at
# the lines an editor shows (one character for one, so columns and the file's length stay).
_FALSE_BREAKS = {
    "\r": "a carriage return not followed by a line feed",
    "\x85": "a raw U+0085 (next line)",
    "\u2028": "a raw U+2028 (line separator)",
    "\u2029": "a raw U+2029 (paragraph separator)",
}
_FALSE_BREAK_BYTES = re.compile(b"\r(?!\n)|\xc2\x85|\xe2\x80\xa8|\xe2\x80\xa9")  # the four, in UTF-8


def _without_false_breaks(source: str | bytes, shown: str) -> tuple[str | bytes, list[Problem]]:
    data = source.encode("utf-8", "surrogatepass") if isinstance(source, str) else source
    found = list(_FALSE_BREAK_BYTES.finditer(data))
    if not found:
        return source, []
    problems = []
    for match in found:
        char = match.group().decode("utf-8")
        start = data.rfind(b"\n", 0, match.start()) + 1
        line = data.count(b"\n", 0, match.start()) + 1
        col = len(data[start : match.start()].decode("utf-8", "replace")) + 1
        message = (
            f"invalid YAML: {_FALSE_BREAKS[char]}: YAML reads it as a line break, editors and `grep -n` do not, "
            "so the file does not mean what it shows"
        )
        hint = f'remove it, or write it as an escape in double quotes: "\\u{ord(char):04x}"'
        if char == "\r":
            hint = "save the file with LF or CRLF line endings"
        problems.append(Problem(shown, line, col, "line-break", message, hint))
    cleaned = _FALSE_BREAK_BYTES.sub(b" ", data)
    return (cleaned.decode("utf-8", "surrogatepass") if isinstance(source, str) else cleaned), problems


def _text(source: str | bytes) -> str:
    return source if isinstance(source, str) else source.decode("utf-8")


def _syntax_problems(exc: yaml.MarkedYAMLError, text: str, shown: str) -> list[Problem]:
    tabs = list(_tab_indents(text, shown))
    mark = exc.problem_mark or exc.context_mark
    line, col = _within(text, (mark.line + 1, mark.column + 1) if mark else (1, 1))
    if any(p.line == line for p in tabs):
        return tabs
    problem = exc.problem or "syntax error"
    if "maximum nesting depth" in problem:
        return [*tabs, _too_deep(shown, line, col)]
    context_line = exc.context_mark.line + 1 if exc.context_mark else 0
    explained = explain(problem, exc.context or "", line, col, context_line, text)
    if explained:
        return [*tabs, Problem(shown, *explained[:2], "yaml-syntax", *explained[2:])]
    message = f"{exc.context}{_started_at(exc.context_mark, line)}, {problem}" if exc.context else problem
    hint = "a talkbase file holds one YAML document; remove the extra `---`" if "single document" in message else ""
    hint = exc.hint if isinstance(exc, _UndefinedAlias) else hint
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
    for number, line in enumerate(text.split("\n"), start=1):  # the lines an editor shows (see _FALSE_BREAKS)
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


class _UndefinedAlias(ComposerError):
    """An alias to no anchor defined above it, with the anchors it may have meant."""

    def __init__(self, name: str, anchors: dict[str, Any], mark: yaml.Mark) -> None:
        super().__init__(None, None, f"the alias `*{name}` names no anchor `&{name}` defined above it", mark)
        from talkbase.records.hints import did_you_mean

        self.hint = did_you_mean(name, anchors).replace("`", "`*", 1) or "define the anchor (`&name`) before its alias"


class _AliasBomb(Exception):
    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line, self.col = line, col


class _Builder:
    """Turns the parser's events into YMap / YList / scalars, checking tags, duplicate keys, depth and the
    alias expansion as it goes; the whole file is parsed before any of its own problems count, so that a
    syntax error anywhere is reported alone, as a composing parser would.

    A value that is not kept (a refused key, the value of a duplicate key, what lies below a value too deep or
    wrongly tagged) is still built, silently and at no cost, since an alias elsewhere may name an anchor in it.
    An alias stands for the very value of its anchor (shared, not copied), charged at that value's full cost;
    its problems are reported at the alias, and those inside the anchored value once, where they are written."""

    def __init__(self, shown: str, limit: int) -> None:
        self.shown = shown
        self.limit = limit  # what the values may cost in all (see EXPANSION); raised by what is not kept
        self.problems: list[Problem] = []
        # anchor -> (value, cost, height, start mark, text and plainness when a scalar): height is how many
        # levels of collections lie below the value (-1 for a scalar), so an alias knows if it nests too deep
        self.anchors: dict[str, tuple[Any, int, int, yaml.Mark, str | None, bool]] = {}
        self.root_mark: yaml.Mark | None = None
        self.merged_records: set[int] = set()  # ids of mappings that hold a record missing its `- `
        self.merged: dict[int, set[str]] = {}  # id of a mapping -> the keys merge keys gave it (see _merge)
        self.repeated_keys: dict[int, list[tuple[str, Problem]]] = {}  # id of a mapping -> its keys written twice

    def run(self, get: Callable[[], Any]) -> Any:
        try:
            value = self._build(get)
        except _AliasBomb:
            self._drain(get)  # a syntax error later in the file still comes first
            raise
        return value

    def _build(self, get: Callable[[], Any]) -> Any:
        # The state of the collection being read is kept in locals (a frame is saved on the stack when a child
        # collection starts); the document's root is read as the single item of a sequence `holder`.
        problems, anchors, too_deep, report_key = self.problems, self.anchors, self._too_deep, self._key
        stack: list[tuple[Any, ...]] = []
        holder: list[Any] = []
        cur: Any = holder
        at, key, kl, kc = array("I"), _ITEM, 0, 0
        holder_at = at
        cdepth, muted, height, spent = 0, False, 0, 0
        implicit, plain_value = _IMPLICIT, _plain_value
        scalar_cls, alias_cls = ScalarEvent, AliasEvent
        shared: dict[str, str] = {}
        while True:
            ev = get()
            cls = ev.__class__
            if cls is scalar_cls:
                anchor = ev.anchor
                if anchor is not None and anchor in anchors:
                    self._duplicate_anchor(anchor, ev.start_mark)
                mark = ev.start_mark
                if key is None:  # a mapping's key: never resolved, never charged
                    text = intern(ev.value)  # `id`, `claim`... once each, not once per record
                    if anchor is not None:
                        self._scalar_anchor(anchor, ev, cdepth)
                    key, kl, kc = text, mark.line + 1, mark.column + 1
                    if text in cur or text == "<<":
                        key = report_key(cur, text, ev.implicit[0] and ev.tag in (None, "!"), mark, muted)
                    continue
                if key is _SKIP:  # the value of a refused key
                    if anchor is not None:
                        self._scalar_anchor(anchor, ev, cdepth)
                    key = None
                    continue
                tag = ev.tag
                text = ev.value
                if tag is None:
                    value = plain_value(text) if ev.implicit[0] and (not text or text[:1] in implicit) else text
                    cost = 1 + len(text)
                    if cost <= _SHARED_UP_TO and value.__class__ is str:  # ids, stances, dates recur: kept once
                        value = shared.setdefault(value, value)
                else:
                    value, cost = self._tagged(ev, cdepth, muted)
                if anchor is not None:
                    anchors[anchor] = (value, cost, -1, mark, text, bool(ev.implicit[0] and tag in (None, "!")))
                spent += cost
                if spent > self.limit and not muted:
                    raise _AliasBomb(mark.line + 1, mark.column + 1)
                if key is _ITEM:
                    cur.append(value)
                    at.extend((mark.line + 1, mark.column + 1))
                elif key is _MERGE:
                    self._merge(cur, value, mark, muted)
                    key = None
                else:
                    cur[key] = value
                    at.extend((kl, kc, mark.line + 1, mark.column + 1))
                    key = None
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                mark = ev.start_mark
                anchor = ev.anchor
                if anchor is not None:
                    if anchor in anchors:
                        self._duplicate_anchor(anchor, mark)
                    anchors[anchor] = (_OPEN, 1, -1, mark, None, False)
                if not stack:
                    self.root_mark = mark
                is_map = cls is MappingStartEvent
                opened, child_muted, mute_from = spent, True, spent
                if key is None:
                    mode = _AS_KEY
                    if not muted:
                        problems.append(
                            Problem(self.shown, mark.line + 1, mark.column + 1, "bad-key", "keys must be words")
                        )
                elif key is _SKIP:
                    mode = _SKIPPED
                else:
                    spent += 1
                    if spent > self.limit and not muted:
                        raise _AliasBomb(mark.line + 1, mark.column + 1)
                    mode, child_muted, mute_from = _PLACE, muted, spent
                    tag = ev.tag
                    if cdepth > MAX_DEPTH:
                        mode, child_muted = _REPORT, True
                        if not muted:
                            too_deep(mark.line + 1, mark.column + 1)
                    elif tag is not None and tag != "!" and tag != (_MAP if is_map else _SEQ):
                        mode, child_muted = _REPORT, True
                        if not muted:
                            self._bad_tag(tag, mark.line + 1, mark.column + 1)
                stack.append((cur, at, key, kl, kc, muted, height, mode, anchor, opened, mute_from, mark))
                cur = YMap(mark.line + 1, mark.column + 1) if is_map else YList(mark.line + 1, mark.column + 1)
                at, key, muted, height = cur._at, None if is_map else _ITEM, child_muted, 0
                cdepth += 1
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                done, done_height, done_muted = cur, height, muted
                cur, at, key, kl, kc, muted, height, mode, anchor, opened, mute_from, mark = stack.pop()
                cdepth -= 1
                if done_muted and not muted:
                    self.limit += spent - mute_from  # what is not kept costs nothing
                if done_height >= height:
                    height = done_height + 1
                value = done if mode == _PLACE else REPORTED
                if anchor is not None:
                    anchors[anchor] = (value, spent - opened, done_height if mode == _PLACE else -1, mark, None, False)
                if mode == _AS_KEY:
                    key = _SKIP
                elif mode == _SKIPPED:
                    key = None
                elif key is _ITEM:
                    cur.append(value)
                    at.extend((mark.line + 1, mark.column + 1))
                elif key is _MERGE:
                    self._merge(cur, value, mark, muted)
                    key = None
                else:
                    cur[key] = value
                    at.extend((kl, kc, mark.line + 1, mark.column + 1))
                    key = None
            elif cls is alias_cls:
                mark = ev.start_mark
                entry = anchors.get(ev.anchor)
                if entry is None:
                    raise _UndefinedAlias(ev.anchor, anchors, mark)
                value, cost, below, _, text, plain = entry
                line, col = mark.line + 1, mark.column + 1
                if key is None:
                    if text is None:
                        if not muted:
                            problems.append(Problem(self.shown, line, col, "bad-key", "keys must be words"))
                        key = _SKIP
                    else:
                        key, kl, kc = text, line, col
                        if text in cur or text == "<<":
                            key = report_key(cur, text, plain, mark, muted)
                    continue
                if key is _SKIP:
                    key = None
                    continue
                spent += cost
                if spent > self.limit and not muted:
                    raise _AliasBomb(line, col)
                if value is _OPEN or cdepth + below > MAX_DEPTH:  # an alias inside its own anchor, or too deep
                    if not muted:
                        too_deep(line, col)
                    value = REPORTED
                if key is _ITEM:
                    cur.append(value)
                    at.extend((line, col))
                elif key is _MERGE:
                    self._merge(cur, value, mark, muted)
                    key = None
                else:
                    cur[key] = value
                    at.extend((kl, kc, line, col))
                    key = None
            elif cls is DocumentStartEvent and holder:
                self._second_document(holder_at, ev.start_mark)
            elif cls is StreamEndEvent:
                return holder[0] if holder else None

    def _tagged(self, ev: Any, cdepth: int, muted: bool) -> tuple[Any, int]:
        """The value and cost of a scalar with a tag: `!` and `!!str` are fine, any other is reported."""
        tag, text = ev.tag, ev.value
        if tag == "!":
            plain = ev.implicit[0] and (not text or text[:1] in _IMPLICIT)
            return (_plain_value(text) if plain else text), 1 + len(text)
        if tag == _STR:
            return text, 1 + len(text)
        if not muted:
            mark = ev.start_mark
            if cdepth > MAX_DEPTH:
                self._too_deep(mark.line + 1, mark.column + 1)
            else:
                self._bad_tag(tag, mark.line + 1, mark.column + 1)
        return REPORTED, 1

    def _scalar_anchor(self, anchor: str, ev: Any, cdepth: int) -> None:
        """An anchor on a key: what an alias to it stands for, as a key or (resolved) as a value."""
        text, tag = ev.value, ev.tag
        plain = bool(ev.implicit[0] and tag in (None, "!"))
        if tag is None:
            value = _plain_value(text) if plain and (not text or text[:1] in _IMPLICIT) else text
            cost = 1 + len(text)
        else:
            value, cost = self._tagged(ev, cdepth, True)
        self.anchors[anchor] = (value, cost, -1, ev.start_mark, text, plain)

    def _key(self, mapping: YMap, key: str, plain: bool, mark: yaml.Mark, muted: bool) -> Any:
        """The key; _MERGE for a merge key; _SKIP (its value is not kept) for a key written twice. A key that
        only a merge gave the mapping is not written twice: written, it replaces the merged value."""
        line, col = mark.line + 1, mark.column + 1
        if key == "<<" and plain:
            if id(mapping) not in self.merged:
                return _MERGE
            if not muted:
                message = "a second merge key `<<` in one mapping; YAML would keep only one of them"
                hint = "merge a list instead, `<<: [*first, *second]`; where both have a key, the first wins"
                self.problems.append(Problem(self.shown, line, col, "duplicate-key", message, hint))
            return _SKIP
        if key not in mapping:
            return key
        merged = self.merged.get(id(mapping))
        if merged and key in merged:
            merged.discard(key)
            mapping.drop(key)
            return key
        if id(mapping) in self.merged_records:  # a record missing its `- `, reported once
            return _SKIP
        if not muted and key == next(iter(mapping)) and col > 2:
            self._missing_dash(mapping, key, line, col)
        elif not muted:
            first = mapping.key_at(key)[0]
            message = f"duplicate key `{key}` (first at line {first}); YAML would silently keep only the last"
            repeated = Problem(self.shown, line, col, "duplicate-key", message)
            self.problems.append(repeated)
            self.repeated_keys.setdefault(id(mapping), []).append((key, repeated))
        return _SKIP

    def _merge(self, mapping: YMap, value: Any, mark: yaml.Mark, muted: bool) -> None:
        """`<<: *defaults` (or a list of such): each key of the merged mappings that the mapping does not have
        yet, with the places where it was written; the first mapping of a list wins, as keys written in the
        mapping itself do, before or after the `<<`."""
        if value is REPORTED:
            return
        sources = value if isinstance(value, YList) else [value]
        if not all(isinstance(source, YMap) for source in sources):
            if not muted:
                message = "a merge key `<<` takes a mapping, such as `<<: *defaults`, or a list of them"
                hint = "anchor a mapping with `&name`, then merge it with `<<: *name`"
                self.problems.append(Problem(self.shown, mark.line + 1, mark.column + 1, "bad-key", message, hint))
            return
        merged = self.merged.setdefault(id(mapping), set())
        for source in sources:
            for key, item in source.items():
                if key not in mapping:
                    mapping.put(key, item, source.places(key))
                    merged.add(key)

    def _missing_dash(self, mapping: YMap, key: str, line: int, col: int) -> None:
        """The first key of a record again, at the column of its keys: a new record written without its `- `,
        which YAML reads as the same record with every key written twice. One error says so, not one a key."""
        self.merged_records.add(id(mapping))
        earlier = self.repeated_keys.pop(id(mapping), [])  # the new record's keys before this one: part of it
        for _, problem in earlier:
            self.problems.remove(problem)
        if earlier:
            key, line, col = earlier[0][0], earlier[0][1].line, earlier[0][1].col
        first = mapping.line
        message = (
            f"a new record inside the record that starts at line {first} (`{key}` again): a record must start "
            "with `- `, or YAML reads it as more of the record above"
        )
        hint = f"write `- ` before `{key}`, at column {col - 2}, or before the new record's first line, if above"
        self.problems.append(Problem(self.shown, line, col, "missing-dash", message, hint))

    def _too_deep(self, line: int, col: int) -> None:
        self.problems.append(_too_deep(self.shown, line, col))

    def _bad_tag(self, tag: str, line: int, col: int) -> None:
        tag = tag.replace(_TAG, "!!")
        if tag.startswith("!!python/"):
            message = f"unsafe YAML tag `{tag}`: talkbase never builds Python objects from data"
            self.problems.append(Problem(self.shown, line, col, "unsafe-tag", message, "remove the tag"))
        else:
            message, hint = f"unsupported YAML tag `{tag}`", "remove the tag; plain YAML values need none"
            self.problems.append(Problem(self.shown, line, col, "unknown-tag", message, hint))

    def _duplicate_anchor(self, anchor: str, mark: yaml.Mark) -> None:
        first = self.anchors[anchor][3]
        raise ComposerError("found duplicate anchor; first occurrence", first, "second occurrence", mark)

    def _second_document(self, holder_at: array[int], mark: yaml.Mark) -> None:
        """A composing parser's error for a second document, from the place of the first one's root."""
        first = self.root_mark
        if first is None:  # the root is a scalar
            first = yaml.Mark(mark.name, 0, holder_at[0] - 1, holder_at[1] - 1, None, None) if holder_at else mark
        raise ComposerError("expected a single document in the stream", first, "but found another document", mark)

    def _drain(self, get: Callable[[], Any]) -> None:
        """Read the rest of the file after an alias bomb, for the errors a composing parser would find first:
        syntax errors, undefined or duplicate anchors, a second document."""
        anchors = self.anchors
        while True:
            ev = get()
            cls = ev.__class__
            if cls is StreamEndEvent:
                return
            if cls is DocumentStartEvent:
                self._second_document(array("I"), ev.start_mark)
            anchor = getattr(ev, "anchor", None)
            if anchor is None:
                continue
            if cls is AliasEvent:
                if anchor not in anchors:
                    raise _UndefinedAlias(anchor, anchors, ev.start_mark)
            elif anchor in anchors:
                self._duplicate_anchor(anchor, ev.start_mark)
            else:
                anchors[anchor] = (None, 0, -1, ev.start_mark, None, False)
