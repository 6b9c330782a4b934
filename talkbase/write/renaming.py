"""Renaming a record: the new text of every file that writes its id, with only the id scalars' characters changed
(found at the positions the loader recorded), each file parsed again to prove that nothing else changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talkbase.records.dates import looks_like_date
from talkbase.records.schema import ID_RE
from talkbase.write.changes import FileChange, KeepError, Source, apply_edits, meaning, read_source, verify
from talkbase.write.references import Reference, ids_written

_AFTER_PLAIN = frozenset(" \t\r\n,]}#")  # what may follow a plain scalar that ends where the id ends


@dataclass
class Rename:
    """What `mv` would do: each file's change, and how many references (besides the id itself) it holds."""

    changes: list[FileChange]
    references: int


def check_new_id(new: str) -> None:
    if not ID_RE.fullmatch(new):
        raise KeepError(f"`{new}` is not a valid id: lowercase letters, digits, `.`, `_` and `-`, starting with a "
                        "letter or digit")  # fmt: skip
    if looks_like_date(new):
        raise KeepError(f"`{new}` reads as a date, so it cannot be told from one in `after`/`before`")


def plan_rename(files: Iterable[tuple[Path, str]], old: str, new: str) -> Rename:
    """The new bytes of each of `files` (path, path as shown) that writes `old` as an id."""
    changes, count = [], 0
    for path, shown in files:
        source = read_source(path, shown)
        written = [r for record in source.records for r in ids_written(record) if r.target == old]
        if not written:
            continue
        edits = [id_edit(source, ref, new) for ref in written]
        text = apply_edits(source.text, edits)
        verify(source, text, renamed(source, written, new))
        changes.append(FileChange(path, shown, source.data, source.encoded(text)))
        count += sum(ref.field != "id" for ref in written)
    return Rename(changes, count)


def scalar_span(source: Source, line: int, col: int, value: str) -> tuple[int, int, str]:
    """Where the scalar `value` is written at line:col: (start, end, quote), for a plain, 'single' or "double"
    quoted scalar that holds the id literally; anything else (an escape, an alias, a tag) is refused."""
    start = source.offset(line, col)
    text = source.text
    quote = text[start : start + 1]
    if quote in ("'", '"'):
        end = start + 1 + len(value)
        if text[start + 1 : end] == value and text[end : end + 1] == quote:
            return start, end + 1, quote
    elif text[start : start + len(value)] == value:
        end = start + len(value)
        if end == len(text) or text[end] in _AFTER_PLAIN:
            return start, end, ""
    shown = text[start:].split("\n", 1)[0].rstrip("\r")
    shown = shown if len(shown) <= 40 else shown[:40] + "…"
    raise KeepError(
        f"{source.shown}:{line}:{col}: `{value}` is written as `{shown}`, which talkbase does not edit "
        "(an escape, an alias or a tag); write it as a plain id and retry"
    )


def id_edit(source: Source, ref: Reference, new: str) -> tuple[int, int, str]:
    start, end, quote = scalar_span(source, ref.line, ref.col, ref.target)
    return start, end, f"{quote}{new}{quote}"


def renamed(source: Source, refs: list[Reference], new: str) -> list[tuple[str, Any]]:
    """The file's records as they must read after the rename: the same, with `new` at each of `refs`."""
    expected = meaning(source.records)
    index = {id(record): i for i, record in enumerate(source.records)}
    for ref in refs:
        data = expected[index[id(ref.record)]][1]
        if ref.entry is not None and ref.entry_spec is not None:
            data = data[ref.entry_spec.name][ref.entry]
        if ref.item is None:
            data[ref.field] = new
        else:
            data[ref.field][ref.item] = new
    return expected
