"""Reading records to import from CSV as `talkbase export csv` writes it: a folder with one file per table (each
kind's scalar fields; each list in a link table such as record_sources or event_participants), or one table.

Values keep their places: a cell's line is its row's and its column is the cell's number in the row (1 for the
first), in the file it is in. An empty cell is an absent value. Cells are read as `--csv-safe` writes them: a
leading `'` before =, +, -, @, a tab or a carriage return is dropped, and a cell starting with one of those
without it is refused (it cannot come from the export, and a spreadsheet would run it); `--csv-exact` reads
every cell exactly. The export's `kind` columns (the kind of the record a row names) and the tables' names
say nothing the ids do not, and are not needed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talkbase.load.loader import display_path, read_stream, read_utf8
from talkbase.load.nodes import RawRecord, YList, YMap
from talkbase.records.hints import did_you_mean
from talkbase.records.problems import Problem
from talkbase.records.schema import (
    CHOICE,
    DATE,
    ENTRIES,
    ID,
    KINDS,
    ORDER,
    ORIGIN_COUNTED,
    REF,
    REFS,
    TEXT,
    TEXTS,
    URL,
    WIKIDATA,
)
from talkbase.write.import_read import Batch

SCALARS = {TEXT, ID, DATE, CHOICE, REF, URL, WIKIDATA}  # what a kind's own table holds (show.exports.tables)
LISTS = {REFS, ORDER, TEXTS}  # what a hand-written or listing (`--format csv`) table may hold in one cell too
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_START = {"\t": "a tab", "\r": "a carriage return"}


@dataclass(frozen=True, slots=True)
class Layout:
    """One table of the export: whose rows it holds and which column holds what."""

    name: str
    columns: tuple[str, ...]
    kind: str = ""  # the kind of the records its rows belong to ("": any, record_sources)
    field: str = ""  # the list field its rows are items of ("": a kind's own table)
    owner: str = "id"  # the column naming the record
    items: tuple[str, ...] = ()  # the columns holding an item (a record or a date for after/before)
    sub: str = ""  # a list inside entries (event_history_sources): its subfield
    entries: bool = False  # each row is an entry (a role, a history entry) of `field`
    lists: tuple[str, ...] = ()  # a kind's own table: list fields written in one cell, items separated by `;`
    computed: tuple[str, ...] = ()  # columns the export computes (`origins`): read past


def _layouts() -> dict[str, Layout]:
    tables = {}
    for key, k in KINDS.items():
        lists = tuple(f.name for f in k.fields if f.type in LISTS)  # as listings write them: `a; b`
        columns = tuple(f.name for f in k.fields if f.type in SCALARS or f.name in lists)
        computed = ("origins",) if key in ORIGIN_COUNTED else ()
        tables[key] = Layout(key, columns + computed, key, lists=lists, computed=computed)
    tables["record_sources"] = Layout(
        "record_sources", ("record", "kind", "source"), "", "sources", "record", ("source",)
    )
    for key, kind in KINDS.items():
        owner = kind.singular
        for spec in kind.fields:
            name = f"{owner}_{spec.name}"
            if spec.type == REFS and spec.name != "sources":
                target = KINDS[spec.refs[0]].singular if len(spec.refs) == 1 else "record"
                columns = (owner, target) if len(spec.refs) == 1 else (owner, "record", "kind")
                tables[name] = Layout(name, columns, key, spec.name, owner, (target,))
            elif spec.type == TEXTS:
                item = "alias" if spec.name == "aliases" else "value"
                tables[name] = Layout(name, (owner, item), key, spec.name, owner, (item,))
            elif spec.type == ORDER:
                tables[name] = Layout(
                    name, (owner, "record", "kind", "date"), key, spec.name, owner, ("record", "date")
                )
            elif spec.type == ENTRIES:
                lists = [f for f in spec.subfields if f.type == REFS]
                head = (owner, "entry") if lists else (owner,)
                scalars = tuple(f.name for f in spec.subfields if f.type in SCALARS)
                tables[name] = Layout(name, head + scalars, key, spec.name, owner, scalars, entries=True)
                for sub in lists:
                    target = KINDS[sub.refs[0]].singular
                    tables[f"{name}_{sub.name}"] = Layout(
                        f"{name}_{sub.name}", (*head, target), key, spec.name, owner, (target,), sub.name
                    )
    return tables


TABLES = _layouts()


@dataclass
class _Reading:
    """The batch being filled, the records by id, and the entries by (owner id, entry number)."""

    batch: Batch
    exact: bool
    by_id: dict[str, tuple[str, YMap]]
    entries: dict[tuple[str, str], YMap]


def read_csv(source: Path, kind: str | None, stdin: Any, exact: bool) -> Batch:
    """The records in a CSV folder, or in one CSV file (`-`: the binary stream `stdin`)."""
    if str(source) != "-" and source.is_dir():
        return _read_folder(source, exact)
    shown = "<stdin>" if str(source) == "-" else display_path(source)
    reading = _Reading(Batch(shown), exact, {}, {})
    text = _text(source, shown, stdin, reading.batch)
    if text is not None:
        rows = list(_rows(text, shown, reading.batch))
        layout = _layout_of(source, rows, kind, shown, reading.batch)
        if layout is not None:
            _read_table(layout, rows, shown, 0, reading)
    return reading.batch


def _read_folder(folder: Path, exact: bool) -> Batch:
    reading = _Reading(Batch(display_path(folder)), exact, {}, {})
    found = {path.stem: path for path in sorted(folder.glob("*.csv"))}
    for name, path in found.items():
        if name not in TABLES:
            hint = did_you_mean(name, TABLES) or "a folder of `talkbase export csv` holds only its tables"
            reading.batch.problems.append(
                Problem(display_path(path), 1, 1, "unknown-table", f"no table `{name}`", hint)
            )
    base = 0
    for name in (n for n in TABLES if n in found):
        shown = display_path(found[name])
        text = _text(found[name], shown, None, reading.batch)
        if text is None:
            continue
        rows = list(_rows(text, shown, reading.batch))
        reading.batch.parts.append((base, shown))
        _read_table(TABLES[name], rows, shown, base, reading)
        base += text.count("\n") + 2  # each file's lines after the last one's
    if not found:
        message = "no CSV files here; import a folder that `talkbase export csv -o FOLDER` wrote"
        reading.batch.problems.append(Problem(reading.batch.shown, 1, 1, "unreadable", message))
    return reading.batch


def _text(source: Path, shown: str, stdin: Any, batch: Batch) -> str | None:
    data, _, problems = (
        read_stream(stdin, shown) if stdin is not None and str(source) == "-" else read_utf8(source, shown)
    )
    batch.problems.extend(problems)
    return None if data is None else data.decode("utf-8")


def _rows(text: str, shown: str, batch: Batch) -> Iterator[tuple[int, list[str]]]:
    """(line, cells) of each row that holds anything; invalid CSV ends the file with a problem."""
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    line = 1
    try:
        for row in reader:
            if any(cell for cell in row):
                yield line, row
            line = reader.line_num + 1
    except csv.Error as exc:
        batch.problems.append(Problem(shown, line, 1, "csv-syntax", f"invalid CSV: {exc}"))


def _layout_of(
    source: Path, rows: list[tuple[int, list[str]]], kind: str | None, shown: str, batch: Batch
) -> Layout | None:
    """The table a single file holds: by its name, by --kind, or by its header (a kind's own table)."""
    if source.stem in TABLES:
        return TABLES[source.stem]
    if kind is not None:
        return TABLES[kind]
    header = set(rows[0][1]) if rows else set()
    for key in KINDS:
        table = TABLES[key]
        if set(table.columns) - set(table.lists) - set(table.computed) <= header <= set(table.columns):
            return table
    message = "cannot tell which table this is"
    hint = "name the file after a table of `talkbase export csv` (positions.csv, ...) or pass --kind"
    batch.problems.append(Problem(shown, 1, 1, "unknown-table", message, hint))
    return None


def _read_table(layout: Layout, rows: list[tuple[int, list[str]]], shown: str, base: int, reading: _Reading) -> None:
    if not rows:
        return
    header_line, header = rows[0]
    columns = _checked_header(layout, header, header_line, shown, reading.batch)
    if columns is None:
        return
    for line, row in rows[1:]:
        cells = _cells(row, columns, line, shown, reading)
        if cells is not None:
            at = (line + base, 1)
            if not layout.field:
                _own_row(layout, cells, at, reading)
            else:
                _link_row(layout, cells, line, shown, base, reading)


def _checked_header(layout: Layout, header: list[str], line: int, shown: str, batch: Batch) -> list[str] | None:
    problems = []
    for number, name in enumerate(header, start=1):
        if name not in layout.columns:
            hint = did_you_mean(name, layout.columns) or f"{layout.name} has {', '.join(layout.columns)}"
            problems.append(Problem(shown, line, number, "unknown-field", f"unknown column `{name}`", hint))
        elif header.index(name) != number - 1:
            problems.append(Problem(shown, line, number, "duplicate-key", f"column `{name}` twice"))
    needed = [layout.owner, *layout.items[:1]] if layout.field else []  # a record without an id gets one
    for name in needed:
        if name not in header:
            problems.append(Problem(shown, line, 1, "missing-field", f"{layout.name} needs a column `{name}`"))
    batch.problems.extend(problems)
    return None if problems else header


def _cells(row: list[str], columns: list[str], line: int, shown: str, reading: _Reading) -> dict[str, Any] | None:
    """Column -> (value, cell number) of the row's non-empty cells; None if one is refused."""
    if len(row) > len(columns):
        message = f"{len(row)} cells in a row under a header of {len(columns)}"
        reading.batch.problems.append(Problem(shown, line, len(columns) + 1, "csv-syntax", message))
        return None
    cells: dict[str, Any] = {}
    for number, (name, text) in enumerate(zip(columns, row), start=1):
        if text and not reading.exact and text.startswith(_FORMULA):
            message = (
                f"a cell starting with {_START.get(text[0], f'`{text[0]}`')}, which a spreadsheet runs as a formula"
            )
            hint = "exports write a ' before it (--csv-safe); if this file was written with --csv-exact, pass it too"
            reading.batch.problems.append(Problem(shown, line, number, "csv-formula", message, hint))
            return None
        if text and not reading.exact and text.startswith("'") and text[1:].startswith(_FORMULA):
            text = text[1:]
        if text:
            cells[name] = (text, number)
    return cells


def _put(mapping: YMap, key: str, value: Any, line: int, col: int) -> None:
    mapping[key] = value
    mapping._at.extend((line, col, line, col))


def _own_row(layout: Layout, cells: dict[str, Any], at: tuple[int, int], reading: _Reading) -> None:
    record = YMap(*at)
    for name, (value, number) in cells.items():
        if name in layout.computed:
            continue
        if name in layout.lists:
            items = YList(at[0], number)
            for item in (part.strip() for part in value.split(";")):
                if item:
                    items.append(item)
                    items._at.extend((at[0], number))
            value = items
        _put(record, name, value, at[0], number)
    reading.batch.records.append(RawRecord(layout.kind, record, reading.batch.shown, *at))
    record_id = cells.get("id", ("", 0))[0]
    if record_id and record_id not in reading.by_id:
        reading.by_id[record_id] = (layout.kind, record)


def _link_row(layout: Layout, cells: dict[str, Any], line: int, shown: str, base: int, reading: _Reading) -> None:
    """An item of a record's list (or of an entry's), appended where it belongs."""
    owner_id, owner_col = cells.get(layout.owner, ("", 1))
    kind, record = reading.by_id.get(owner_id, ("", None))
    problem = ""
    if record is None or (layout.kind and kind != layout.kind):
        noun = KINDS[layout.kind].singular if layout.kind else "record"
        problem = f"no {noun} `{owner_id}` among the records imported" if owner_id else f"no {layout.owner} named"
    vline = line + base
    items = [(cells[name], name) for name in layout.items if name in cells]
    holder = record
    if layout.sub:
        entry = cells.get("entry", ("", 1))[0]
        holder = reading.entries.get((owner_id, entry))
        problem = problem or ("" if holder is not None else f"no entry {entry} of `{owner_id}` in {layout.field}")
    if problem:
        reading.batch.problems.append(Problem(shown, line, owner_col, "unknown-reference", problem))
        return
    assert holder is not None
    if layout.entries:
        entry = YMap(vline, 1)
        for (value, number), name in items:
            _put(entry, name, value, vline, number)
        _append(holder, layout.field, entry, vline, 1)
        if "entry" in cells:
            reading.entries[(owner_id, cells["entry"][0])] = entry
        return
    if len(items) != 1:
        message = f"a row of {layout.name} needs one of {' or '.join(layout.items)}"
        message = message if not items else "a record or a date, not both"
        reading.batch.problems.append(Problem(shown, line, 1, "csv-syntax", message))
        return
    (value, number), _ = items[0]
    _append(holder, layout.sub or layout.field, value, vline, number)


def _append(mapping: YMap, key: str, value: Any, line: int, col: int) -> None:
    if key not in mapping:
        _put(mapping, key, YList(line, col), line, col)
    items = mapping[key]
    if isinstance(items, YList):
        items.append(value)
        items._at.extend((line, col))
