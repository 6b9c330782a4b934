"""Reading records to import from YAML, JSON or JSON Lines (CSV: talkbase.write.import_csv) into raw records
that keep the line and column of every value in the import file, so problems are reported there.

JSON takes the record format's shape (an object of kinds, each a list of records: what `talkbase export json`
writes, its `format_version` included), a list of records, or one record; a record outside an object of kinds
names its kind with `type` (`"type": "position"`, as `talkbase show --format json` writes it) unless --kind
says it. JSON Lines is one such record per line. `null` and `[]` mean the field is absent (the export writes
every field), and the fields `show` and the listings add (`defined_at`, `events_count`, ...) are left out.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from talkbase.load.jsontext import parse_json
from talkbase.load.loader import Loaded, display_path, load_text, read_stream, read_utf8
from talkbase.load.nodes import RawRecord, YList, YMap
from talkbase.records.hints import did_you_mean
from talkbase.records.problems import Problem
from talkbase.records.schema import KINDS

FORMATS = ("yaml", "json", "jsonl", "csv")
SUFFIXES = {".yaml": "yaml", ".yml": "yaml", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv"}
EXPORT_VERSION = 1  # talkbase.show.exports.json FORMAT_VERSION, the only layout read
# Fields that `show --format json` and the listings' json/jsonl/csv add to a record, computed from the knowledge
# base; an import leaves them out (tests/test_import.py checks that each command's output imports cleanly).
EXPORT_ONLY = frozenset(
    {
        "type",
        "defined_at",
        "days",
        "referred_to_by",
        "resting_on_it",
        "latest_positions",
        "current_role",
        "events_count",
        "positions_count",
        "claims_count",
        "sole_claims_count",
        "certainly_stated",
        "certainly_latest",
        "origins",
        "origin",
        "quoted_in",
    }
)


class ReadError(Exception):
    """An import that cannot start: no format to read it with, a kind that does not exist."""


@dataclass
class Batch:
    """The records read from an import file, and the problems met reading them."""

    shown: str
    records: list[RawRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    parts: list[tuple[int, str]] = field(default_factory=list)  # a CSV folder: (first line, file) per file

    def located(self, problem: Problem) -> Problem:
        """The problem at its real file and line (a CSV folder's files are read as one run of lines)."""
        if not self.parts or problem.path != self.shown:
            return problem
        at = bisect.bisect_right([base for base, _ in self.parts], problem.line - 1) - 1
        base, shown = self.parts[max(at, 0)]
        return replace(problem, path=shown, line=problem.line - base)


def format_of(source: Path, given: str | None) -> str:
    """The format given, or the one the file's suffix names (a folder: csv, as `export csv` writes)."""
    if given:
        return given
    if str(source) == "-":
        raise ReadError("say which format standard input is in: --format yaml, json, jsonl or csv")
    if source.is_dir():
        return "csv"
    fmt = SUFFIXES.get(source.suffix.lower())
    if fmt is None:
        suffixes = ", ".join(SUFFIXES)
        raise ReadError(f"cannot tell the format of {source} from its name ({suffixes}): give --format")
    return fmt


def kind_key(word: str | None) -> str | None:
    """`position` or `positions` -> `positions`; None stays None; anything else is a ReadError."""
    if word is None:
        return None
    for key, kind in KINDS.items():
        if word in (key, kind.singular):
            return key
    hint = did_you_mean(word, [k.singular for k in KINDS.values()]) or "one of " + ", ".join(KINDS)
    raise ReadError(f"no kind `{word}` ({hint})")


def read_batch(source: Path, fmt: str, kind: str | None, stdin: Any, csv_exact: bool = False) -> Batch:
    """Every record in `source` (`-`: the binary stream `stdin`) read as `fmt`."""
    if fmt == "csv":
        from talkbase.write.import_csv import read_csv

        return read_csv(source, kind, stdin, csv_exact)
    shown = "<stdin>" if str(source) == "-" else display_path(source)
    data, _, problems = read_stream(stdin, shown) if str(source) == "-" else read_utf8(source, shown)
    batch = Batch(shown, problems=problems)
    if data is None:
        return batch
    if fmt == "yaml":
        loaded = Loaded()
        load_text(data.decode("utf-8"), shown, loaded)
        batch.records, batch.problems = loaded.records, loaded.problems
    elif fmt == "json":
        _read_json(data.decode("utf-8"), batch, kind)
    else:
        _read_jsonl(data.decode("utf-8"), batch, kind)
    return batch


def _read_json(text: str, batch: Batch, kind: str | None) -> None:
    value, problems = parse_json(text, batch.shown)
    batch.problems.extend(problems)
    if value is None and problems:
        return
    if isinstance(value, YMap) and "type" not in value and (kind is None or set(value) & {*KINDS, "format_version"}):
        _read_kinds(value, batch)
    elif isinstance(value, YMap):
        _typed(value, batch, kind)
    elif isinstance(value, YList):
        for item, (line, col) in zip(value, value.item_pos):
            _typed(item, batch, kind, line, col)
    else:
        message = f"a JSON import must be an object of kinds or a list of records, not {_what(value)}"
        batch.problems.append(Problem(batch.shown, 1, 1, "not-a-mapping", message, "see docs/importing.md"))


def _read_jsonl(text: str, batch: Batch, kind: str | None) -> None:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip():
            value, problems = parse_json(line, batch.shown, number)
            batch.problems.extend(problems)
            if value is not None or not problems:
                _typed(value, batch, kind, number, 1)


def _read_kinds(document: YMap, batch: Batch) -> None:
    for key, items in document.items():
        line, col = document.key_at(key)
        if key == "format_version":
            if items != EXPORT_VERSION:
                message = f"`format_version` {items!r}: this talkbase reads version {EXPORT_VERSION} of the export"
                batch.problems.append(Problem(batch.shown, *document.value_at(key), "unknown-field", message))
        elif key not in KINDS:
            hint = did_you_mean(key, KINDS) or f"the kinds are {', '.join(KINDS)}"
            batch.problems.append(
                Problem(batch.shown, line, col, "unknown-kind", f"unknown top-level key `{key}`", hint)
            )
        elif isinstance(items, YList):
            for item, (item_line, item_col) in zip(items, items.item_pos):
                _typed(item, batch, key, item_line, item_col, typed=False)
        elif items is not None:
            message = f"`{key}` must be a list of records"
            batch.problems.append(Problem(batch.shown, *document.value_at(key), "not-a-list", message))


def _typed(item: Any, batch: Batch, kind: str | None, line: int = 1, col: int = 1, typed: bool = True) -> None:
    """One record: its kind from `type` (or the kind given), without the fields exports add."""
    if not isinstance(item, YMap):
        message = f"a record must be an object, not {_what(item)}"
        batch.problems.append(Problem(batch.shown, line, col, "not-a-mapping", message))
        return
    found, problem, where = kind, "", (item.line, item.col)
    if "type" in item:
        said, where = item["type"], item.value_at("type")
        try:
            found = kind_key(said) if isinstance(said, str) else None
            problem = "" if found else f"`type` must name a kind, not be {_what(said)}"
        except ReadError as exc:
            problem = f"`type`: {exc}"
        if found and kind and found != kind:
            found, problem = None, f"{KINDS[found].singular} where {kind} are read"
    elif typed and kind is None:
        problem = "a record without `type` to say its kind"
    if not found or problem:
        hint = "give each record a `type` (actor, source, topic, event, position), or pass --kind"
        batch.problems.append(Problem(batch.shown, *where, "unknown-kind", problem, hint))
        return
    batch.records.append(RawRecord(found, _without_export_fields(item), batch.shown, item.line, item.col))


def _without_export_fields(item: YMap, top: bool = True) -> YMap:
    """The record without null or empty fields and, at its top, without the fields only exports add."""
    kept = YMap(item.line, item.col)
    for key, value in item.items():
        if value is None or value == [] or (top and key in EXPORT_ONLY):
            continue
        if isinstance(value, YList) and any(isinstance(v, YMap) for v in value):
            value = _entries(value)
        kept[key] = value
        kept._at.extend(item.places(key))
    return kept


def _entries(items: YList) -> YList:
    kept = YList(items.line, items.col)
    for item, place in zip(items, items.item_pos):
        kept.append(_without_export_fields(item, top=False) if isinstance(item, YMap) else item)
        kept._at.extend(place)
    return kept


def _what(value: Any) -> str:
    if isinstance(value, YList):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return "null" if value is None else "a number" if isinstance(value, (int, float)) else "a single value"
