"""A new record as YAML text, and where it goes in an existing file without changing a byte of what is there.

`record_yaml` writes one record in the house style of the bundled files (fields in the record format's
order, lists of ids in brackets, dates unquoted). `insert_record` finds the end of the kind's list in a
file's text and splices the record in there; the text before and after the insertion point is kept as is,
so comments, blank lines, quoting and line endings all survive. A layout it cannot extend safely (a flow
list, several documents) is an `AppendError`, never a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from talkbase.load.nodes import REPORTED
from talkbase.records.dates import looks_like_date
from talkbase.records.schema import DATE, KINDS, ORDER, Field

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a line break


class AppendError(Exception):
    """The file's layout leaves no safe place to add a record of this kind."""


class _Dumper(yaml.SafeDumper):
    """Block lists indented under their key, as people write them (PyYAML's default is flush left)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        return super().increase_indent(flow, False)


class _Plain(str):
    """A value that YAML may read as another type (a date, a bare year) and still means the same to us."""


def _represent_plain(dumper: yaml.SafeDumper, value: _Plain) -> yaml.ScalarNode:
    # Tagging the scalar with the type YAML would resolve it to lets the emitter leave it unquoted.
    tag = dumper.resolve(yaml.ScalarNode, str(value), (True, False))
    return dumper.represent_scalar(tag, str(value))


def _represent_text(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None  # several lines read best as a literal block
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    flow = all(isinstance(item, str) and "\n" not in item for item in value)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(_Plain, _represent_plain)
_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(list, _represent_list)
# A value the loader refused (a bad tag) is kept out of drafts: an empty value, for the curator to fill in.
_Dumper.add_representer(type(REPORTED), lambda dumper, _value: dumper.represent_none(None))


def ordered_record(kind_key: str, values: dict[str, Any]) -> dict[str, Any]:
    """The given fields in the record format's order (and subfields of entries in theirs)."""
    return _ordered(KINDS[kind_key].fields, values)


def _ordered(fields: tuple[Field, ...], values: dict[str, Any]) -> dict[str, Any]:
    record: dict[str, Any] = {}
    for spec in fields:
        if spec.name not in values:
            continue
        value = values[spec.name]
        if spec.subfields:
            value = [_ordered(spec.subfields, entry) for entry in value]
        elif spec.type == DATE:
            value = _Plain(value)
        elif spec.type == ORDER:  # dates as the curator writes them, `2025-07-20` like `2025-08`: unquoted
            value = [_Plain(item) if looks_like_date(item) else item for item in value]
        record[spec.name] = value
    return record


def record_yaml(kind_key: str, values: dict[str, Any]) -> str:
    """One record as a YAML block-list item (`- id: ...`), each line ending in a newline."""
    text = yaml.dump(
        [ordered_record(kind_key, values)],
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=1_000_000,  # long claims stay on one line, as curators write them
        default_flow_style=False,
    )
    return text


def new_file_text(kind_key: str, values: dict[str, Any], header: str = "") -> str:
    """A whole YAML file holding just this record (for a new file or a draft)."""
    return f"{header}{kind_key}:\n{_indented(record_yaml(kind_key, values), 2)}"


def _indented(text: str, by: int) -> str:
    pad = " " * by
    return "".join(pad + line if line.strip() else line for line in text.splitlines(keepends=True))


@dataclass(frozen=True, slots=True)
class Insertion:
    text: str  # the whole new text of the file
    line: int  # the 1-based line the (first) new record starts on
    offset: int  # where, in the old text, the new text was put
    lines: tuple[int, ...] = ()  # the line each new record starts on


def insert_record(old: str, kind_key: str, values: dict[str, Any]) -> Insertion:
    """The file's text with the record added at the end of its `kind_key` list (made if missing)."""
    return insert_records(old, kind_key, [values])


def insert_records(old: str, kind_key: str, records: list[dict[str, Any]]) -> Insertion:
    """The file's text with the records added, in order, at the end of its `kind_key` list (made if missing)."""
    newline = "\r\n" if "\r\n" in old else "\n"
    try:
        root = yaml.compose(old, Loader=_LOADER)
    except yaml.YAMLError as exc:
        raise AppendError(f"the file is not valid YAML ({_first_line(exc)})") from None
    starts = _line_starts(old)
    items = [record_yaml(kind_key, values) for values in records]
    spaced = False
    if root is None:  # empty, or comments only
        offset, addition = len(old), f"{kind_key}:\n{_indented(''.join(items), 2)}"
    elif not isinstance(root, yaml.MappingNode) or root.flow_style:
        raise AppendError("the file's top level is not a block mapping of kinds (`positions:` and so on)")
    else:
        offset, addition, spaced = _addition(old, root, kind_key, items, starts)
    if offset == len(old) and old and not _ends_with_break(old):
        addition = "\n" + addition
    addition = addition.replace("\n", newline)
    text = old[:offset] + addition + old[offset:]
    first = len(addition) - len(addition.lstrip("\r\n"))
    line = _line_of(text, offset + first)
    if kind_key not in _top_keys(root):
        line += 1  # the new record starts below the kind's key
    lines = [line]
    for item in items[:-1]:
        lines.append(lines[-1] + item.count("\n") + spaced)
    return Insertion(text, line, offset, tuple(lines))


def _addition(
    old: str, root: yaml.MappingNode, kind_key: str, items: list[str], starts: list[int]
) -> tuple[int, str, bool]:
    """Where the records go, their text, and whether a blank line goes before each (as between the others)."""
    matches = [(k, v) for k, v in root.value if isinstance(k, yaml.ScalarNode) and k.value == kind_key]
    if not matches:
        key_col = root.start_mark.column
        blank = "\n" if old.strip() else ""
        return len(old), f"{blank}{' ' * key_col}{kind_key}:\n{_indented(''.join(items), key_col + 2)}", False
    key, value = matches[-1]
    where = f"`{kind_key}` (line {key.start_mark.line + 1})"
    if isinstance(value, yaml.ScalarNode) and value.tag == "tag:yaml.org,2002:null" and not value.value:
        # `positions:` with nothing under it yet
        return _end_of_line(old, starts, key.end_mark.line), _indented("".join(items), key.start_mark.column + 2), False
    if not isinstance(value, yaml.SequenceNode):
        raise AppendError(f"{where} holds {_node_kind(value)}, not a list of records")
    if value.flow_style:
        raise AppendError(f"{where} is written as a [flow, list]; add the record by hand or pick another --file")
    last = value.value[-1]
    offset = _after(old, starts, _last_content_end(last), value.start_mark.column)
    spaced = len(value.value) > 1 and _blank_line_before(old, starts, last.start_mark.line)
    blank = "\n" if spaced else ""
    return offset, "".join(blank + _indented(item, value.start_mark.column) for item in items), spaced


def _top_keys(root: yaml.Node | None) -> set[str]:
    if not isinstance(root, yaml.MappingNode):
        return set()
    return {k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)}


def _node_kind(node: yaml.Node) -> str:
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    return "a single value" if isinstance(node, yaml.ScalarNode) else "something else"


def _last_content_end(node: yaml.Node) -> yaml.Mark:
    """Where the last value inside `node` ends: the end of a block collection itself is often only found
    at the next token, past comments and blank lines that belong to what follows."""
    while isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and not node.flow_style and node.value:
        last = node.value[-1]
        node = last[1] if isinstance(node, yaml.MappingNode) else last
    return node.end_mark


def _after(old: str, starts: list[int], mark: yaml.Mark, dash_col: int) -> int:
    """The offset just past the line where `mark` is, and past comment lines indented under the item
    (they describe it); a block scalar's end mark is at the start of the following line already."""
    line = mark.line if mark.column == 0 else mark.line + 1
    while line < len(starts) - 1:
        text = old[starts[line] : starts[line + 1]]
        stripped = text.lstrip(" ")
        if not stripped.startswith("#") or len(text) - len(stripped) <= dash_col:
            break
        line += 1
    return starts[line] if line < len(starts) else len(old)


def _line_starts(text: str) -> list[int]:
    """Offsets where each line begins, counting line breaks as YAML does, and a last entry at the end."""
    starts = [0, *(m.end() for m in _BREAKS.finditer(text))]
    if starts[-1] != len(text):
        starts.append(len(text))
    return starts


def _end_of_line(old: str, starts: list[int], line: int) -> int:
    return starts[line + 1] if line + 1 < len(starts) else len(old)


def _blank_line_before(old: str, starts: list[int], line: int) -> bool:
    """Whether the line above the item's first line (skipping its own comments) is blank."""
    line -= 1
    while line > 0 and old[starts[line] : starts[line + 1]].strip().startswith("#"):
        line -= 1
    return line > 0 and not old[starts[line] : starts[line + 1]].strip()


def _ends_with_break(text: str) -> bool:
    return text[-1] in "\r\n\x85\u2028\u2029"


def _line_of(text: str, offset: int) -> int:
    return len(_BREAKS.findall(text[:offset])) + 1


def _first_line(exc: yaml.YAMLError) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def batch_text(records: list[tuple[str, Any]], header: str = "") -> str:
    """Records of any kinds as one file of the record format (a draft of an import), each kind's in the order
    given; fields the format does not know are kept after the others, so that nothing given is lost."""
    by_kind: dict[str, list[Any]] = {}
    for kind_key, values in records:
        by_kind.setdefault(kind_key, []).append(_loose(kind_key, values))
    document = {key: by_kind[key] for key in KINDS if key in by_kind}
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=1_000_000)
    return header + text


def _loose(kind_key: str, values: Any) -> Any:
    if not isinstance(values, dict):
        return values
    known = {k: v for k, v in values.items() if k in KINDS[kind_key].field_names}
    try:
        record = ordered_record(kind_key, known)
    except (TypeError, AttributeError, ValueError):  # a value of the wrong shape: as it was given
        record = dict(known)
    return {**record, **{k: v for k, v in values.items() if k not in record}}
