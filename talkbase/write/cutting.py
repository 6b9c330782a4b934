"""Where each cut of a removal lies in a file's text: a whole list item (a record, an entry, an id of a block or
[flow] list) or a `key: value` of a block mapping, as exact character spans, with the comments indented under
it and the blank line that set it apart; a layout it cannot cut cleanly is refused, never guessed."""

from __future__ import annotations

import re

import yaml

from talkbase.write.changes import KeepError, Source
from talkbase.write.removing import Cut

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DASH = re.compile(r" *- +")

Span = tuple[int, int, str]


def cut_spans(source: Source, cuts: list[Cut]) -> list[Span]:
    """The (start, end, "") span of every cut, found in the file's node tree."""
    root = yaml.compose(source.text, Loader=_LOADER)
    items = {
        (item.start_mark.line + 1, item.start_mark.column + 1): (seq, index)
        for _, seq in (root.value if isinstance(root, yaml.MappingNode) else ())
        if isinstance(seq, yaml.SequenceNode)
        for index, item in enumerate(seq.value)
    }
    spans: list[Span] = []
    for cut in cuts:
        place = items.get((cut.record.line, cut.record.col))
        if place is None:
            raise KeepError(f"{source.shown}:{cut.record.line}:{cut.record.col}: cannot find this record's text")
        seq, index = place
        if cut.field is None:
            spans += item_spans(source, seq, (index,))
            continue
        node = seq.value[index]
        if cut.entry is not None and cut.entries is not None:
            node = _list_of(source, node, cut.entries).value[cut.entry]
        if cut.items:
            spans += item_spans(source, _list_of(source, node, cut.field), cut.items)
        else:
            spans.append(key_span(source, node, cut.field))
    return spans


def _value_of(source: Source, node: yaml.Node, key: str) -> tuple[yaml.Node, yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key:
                return k, v
    raise KeepError(
        f"{_at(source, node.start_mark)}: this record's `{key}` comes from a YAML merge (`<<: *name`) or alias, "
        "shared with other records, so talkbase will not edit it: edit it by hand (or remove the record), then "
        "run the command again"
    )


def _list_of(source: Source, node: yaml.Node, key: str) -> yaml.SequenceNode:
    _, value = _value_of(source, node, key)
    if not isinstance(value, yaml.SequenceNode):
        raise KeepError(f"{_at(source, value.start_mark)}: `{key}` is not written as a list here")
    return value


def _at(source: Source, mark: yaml.Mark) -> str:
    return f"{source.shown}:{mark.line + 1}:{mark.column + 1}"


def _offset(source: Source, mark: yaml.Mark) -> int:
    return source.offset(mark.line + 1, mark.column + 1)


def item_spans(source: Source, seq: yaml.SequenceNode, cut: tuple[int, ...]) -> list[Span]:
    if seq.flow_style:
        return _flow_spans(source, seq, set(cut))
    return [_block_item_span(source, seq, index) for index in cut]


def _flow_spans(source: Source, seq: yaml.SequenceNode, cut: set[int]) -> list[Span]:
    """`a, ` before a kept item goes with the item; the last items go with the `, ` before them."""
    items, spans = seq.value, []
    kept = [i for i in range(len(items)) if i not in cut]
    for index in sorted(cut):
        later = [i for i in kept if i > index]
        if later:
            start, end = _offset(source, items[index].start_mark), _offset(source, items[index + 1].start_mark)
        else:
            start, end = _offset(source, items[kept[-1]].end_mark), _offset(source, items[index].end_mark)
        between = source.text[start:end]
        if "#" in between or between.count(",") != 1:
            raise KeepError(f"{_at(source, items[index].start_mark)}: cannot cut this item cleanly; edit it by hand")
        spans.append((start, end, ""))
    return spans


def _block_item_span(source: Source, seq: yaml.SequenceNode, index: int) -> Span:
    """The item's lines (from its `- `), the comments just above it (at its indentation, no blank line between)
    and those indented under it, and the blank lines on one side."""
    node = seq.value[index]
    text, line = source.text, node.start_mark.line
    start, at = source.starts[line], _offset(source, node.start_mark)
    if not _DASH.fullmatch(text[start:at]):
        raise KeepError(f"{_at(source, node.start_mark)}: not written as `- ` then the item on one line; edit by hand")
    dash_col = len(text[start:at]) - len(text[start:at].lstrip(" "))
    end = _end_after(source, _last_content_end(node), dash_col)
    while line > 0 and _is_comment_at(source, line - 1, dash_col):  # the comments just above it describe it
        line -= 1
    start = source.starts[line]
    before_blank = line > 0 and _is_blank(source, line - 1)
    if before_blank or (index == 0 and len(seq.value) > 1):
        end = _skip_blank_lines(source, end)
    if end == len(text) and before_blank:
        while line > 0 and _is_blank(source, line - 1):
            line -= 1
        start = source.starts[line]
    return start, end, ""


def key_span(source: Source, mapping: yaml.Node, key: str) -> Span:
    """A `key: value` of a block mapping on lines of its own, with the comments indented under it."""
    k, v = _value_of(source, mapping, key)
    start, at = source.starts[k.start_mark.line], _offset(source, k.start_mark)
    if mapping.flow_style or source.text[start:at].strip(" "):
        raise KeepError(f"{_at(source, k.start_mark)}: `{key}` does not start its own line; edit it by hand")
    return start, _end_after(source, _last_content_end(v), k.start_mark.column), ""


def _last_content_end(node: yaml.Node) -> yaml.Mark:
    """Where the last value inside `node` ends (a block collection's own end mark lies at the next token)."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark


def _end_after(source: Source, mark: yaml.Mark, indent: int) -> int:
    """The start of the line after `mark` (a block scalar ends at a line's start already) and after the comment
    lines indented deeper than `indent`, which describe what is cut."""
    line = mark.line if mark.column == 0 else mark.line + 1
    while line < len(source.starts):
        text = _line(source, line)
        stripped = text.lstrip(" ")
        if not stripped.startswith("#") or len(text) - len(stripped) <= indent:
            break
        line += 1
    return source.starts[line] if line < len(source.starts) else len(source.text)


def _skip_blank_lines(source: Source, offset: int) -> int:
    line = source.starts.index(offset) if offset in source.starts else len(source.starts)
    while line < len(source.starts) and _is_blank(source, line):
        line += 1
    return source.starts[line] if line < len(source.starts) else len(source.text)


def _line(source: Source, line: int) -> str:
    end = source.starts[line + 1] if line + 1 < len(source.starts) else len(source.text)
    return source.text[source.starts[line] : end]


def _is_blank(source: Source, line: int) -> bool:
    return line < len(source.starts) and not _line(source, line).strip()


def _is_comment_at(source: Source, line: int, indent: int) -> bool:
    text = _line(source, line)
    stripped = text.lstrip(" ")
    return stripped.startswith("#") and len(text) - len(stripped) == indent
