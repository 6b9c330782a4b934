"""Output formats: one registry from format name to writer, shared by every listing command.

A Listing says what to show (rows, table columns, the machine form of a row); a writer says how. `table`
and `markdown` show the columns people read; `json`, `jsonl` and `csv` carry the record format's field
names, dates exactly as written and references as ids.
"""

from __future__ import annotations

import csv
import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from rich.console import Console
from rich.table import Table
from rich.text import Text

from talkbase.dates import PartialDate
from talkbase.render import escape_controls, print_table

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    header: str
    cell: Callable[[R], Text]
    wrap: bool = True  # long free text folds in a terminal; ids and dates never do


@dataclass(frozen=True, slots=True)
class Listing(Generic[R]):
    noun: str  # plural, for "no positions match"
    rows: Sequence[R]
    columns: Sequence[Column[R]]
    as_dict: Callable[[R], dict[str, Any]]
    section: Callable[[R], str] | None = None  # a heading row whenever this changes (table only)


def plain(value: Any) -> Any:
    """A model value in JSON terms: dates as written, tuples as lists, nested records as dicts."""
    if isinstance(value, PartialDate):
        return value.text
    if isinstance(value, (tuple, list)):
        return [plain(v) for v in value]
    if dataclasses.is_dataclass(value):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value) if f.name != "loc"}
    return value


def record_dict(record: Any) -> dict[str, Any]:
    """A record with the record format's field names (its file position left out)."""
    return plain(record)


def write_table(listing: Listing[Any], console: Console) -> None:
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
    for column in listing.columns:
        table.add_column(column.header, overflow="fold", no_wrap=not column.wrap)
    current = None
    for row in listing.rows:
        if listing.section is not None and listing.section(row) != current:
            current = listing.section(row)
            table.add_row(Text(current, style="bold cyan"))  # short enough to keep the first column narrow
        table.add_row(*(column.cell(row) for column in listing.columns))
    print_table(console, table)


def write_markdown(listing: Listing[Any], console: Console) -> None:
    lines = [_md_row([c.header for c in listing.columns]), _md_row(["---"] * len(listing.columns))]
    lines += [_md_row([c.cell(row).plain for c in listing.columns]) for row in listing.rows]
    console.file.write("\n".join(lines) + "\n")


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(c.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ") for c in cells) + " |"


def write_json(listing: Listing[Any], console: Console) -> None:
    json.dump([listing.as_dict(r) for r in listing.rows], console.file, ensure_ascii=False, indent=2)
    console.file.write("\n")


def write_jsonl(listing: Listing[Any], console: Console) -> None:
    for row in listing.rows:
        console.file.write(json.dumps(listing.as_dict(row), ensure_ascii=False) + "\n")


def write_csv(listing: Listing[Any], console: Console) -> None:
    dicts = [listing.as_dict(r) for r in listing.rows]
    names = list(dict.fromkeys(key for d in dicts for key in d))
    writer = csv.DictWriter(console.file, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: _csv_cell(v) for k, v in d.items()} for d in dicts)


def _csv_cell(value: Any) -> str:
    """Lists of ids join with `; `; nested values (roles) are JSON; control characters are escaped."""
    if value is None:
        return ""
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        text = "; ".join(value)
    elif isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False)
    else:
        text = str(value)
    return escape_controls(text)


FORMATS: dict[str, Callable[[Listing[Any], Console], None]] = {
    "table": write_table,
    "json": write_json,
    "jsonl": write_jsonl,
    "csv": write_csv,
    "markdown": write_markdown,
}


def emit(listing: Listing[Any], fmt: str, console: Console) -> None:
    FORMATS[fmt](listing, console)
