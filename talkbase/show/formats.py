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
from itertools import groupby
from typing import Any, Generic, TypeVar

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from talkbase.records.dates import PartialDate
from talkbase.records.text import escape_controls, json_text, markdown_text, spreadsheet_text
from talkbase.show.render import column_widths, plain_rows, print_table

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    header: str
    cell: Callable[[R], Text]
    wrap: bool = True  # long free text folds in a terminal; ids and dates never do
    justify: str = "left"  # "right" for counts


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
    """A table; with sections, a heading line above each group of rows, every group in the same columns.

    In a terminal Rich draws it (colours, folding to the width); in a pipe it is plain aligned text."""
    if not console.is_terminal:
        _write_plain(listing, console)
        return
    if listing.section is None:
        print_table(console, _table(listing.columns, listing.rows, room=console.width))
        return
    widths = _shared_widths(listing, console)
    print_table(console, _table(listing.columns, [], widths))
    for label, group in groupby(listing.rows, key=listing.section):
        console.print(Text(escape_controls(label), style="bold cyan"), overflow="fold")  # labels hold names
        print_table(console, _table(listing.columns, list(group), widths, show_header=False))


def _write_plain(listing: Listing[Any], console: Console) -> None:
    header = [c.header for c in listing.columns]
    cells = [[c.cell(row).plain for c in listing.columns] for row in listing.rows]
    widths = column_widths([header, *cells])
    right = [c.justify == "right" for c in listing.columns]
    if listing.section is None:
        console.file.write(plain_rows([header, *cells], widths, right))
        return
    parts = [plain_rows([header], widths, right)]
    for label, group in groupby(zip(listing.rows, cells), key=lambda pair: listing.section(pair[0])):
        parts.append(escape_controls(label) + "\n" + plain_rows([row_cells for _, row_cells in group], widths, right))
    console.file.write("".join(parts))


def _shared_widths(listing: Listing[Any], console: Console) -> list[int]:
    """Column widths that fit every row; in a terminal, wrapping columns share what the others leave."""
    full = [max(_width(c.header), *(_width(c.cell(r)) for r in listing.rows), 1) for c in listing.columns]
    if not console.is_terminal:
        return full
    wrapping = [i for i, c in enumerate(listing.columns) if c.wrap]
    fixed = sum(w for i, w in enumerate(full) if i not in wrapping)
    room = console.width - fixed - 2 * (len(full) - 1)
    base = {i: min(full[i], 8) for i in wrapping}  # every wrapping column keeps a readable minimum
    rest = room - sum(base.values())
    extra = {i: full[i] - base[i] for i in wrapping}
    if sum(full[i] for i in wrapping) <= room or rest <= 0:
        return full  # it fits, or nothing can make it fit: Rich folds what it must
    shares = {i: base[i] + extra[i] * rest // sum(extra.values()) for i in wrapping}
    return [shares.get(i, w) for i, w in enumerate(full)]


def _table(
    columns: Sequence[Column[Any]],
    rows: Sequence[Any],
    widths: list[int] | None = None,
    show_header: bool = True,
    room: int | None = None,
) -> Table:
    """A Rich table of the rows. Given the `room` it has, wrapping columns keep their longest word whole when
    everything still fits that way (Rich would otherwise break words, or drop columns that cannot fit)."""
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", show_header=show_header)
    cells = [[column.cell(row) for column in columns] for row in rows]
    least = _least_widths(columns, cells, room) if room and not widths else [None] * len(columns)
    for index, column in enumerate(columns):
        width = widths[index] if widths else None
        table.add_column(
            column.header,
            overflow="fold",
            no_wrap=not column.wrap,
            width=width,
            min_width=least[index],
            justify=column.justify,
        )
    for row_cells in cells:
        table.add_row(*row_cells)
    return table


_WORD_LIMIT = 14  # a column is not squeezed below its longest word, up to this many cells


def _least_widths(columns: Sequence[Column[Any]], cells: list[list[Text]], room: int) -> list[int | None]:
    least: list[int | None] = []
    needed = 2 * (len(columns) - 1)
    for index, column in enumerate(columns):
        texts = [column.header, *(row[index].plain for row in cells)]
        if column.wrap:
            words = (word for text in texts for word in text.split())
            least.append(min(max((cell_len(w) for w in words), default=1), _WORD_LIMIT))
        else:
            least.append(None)
        needed += least[-1] or max(_width(t) for t in texts)
    return least if needed <= room else [None] * len(columns)


def listing_table(listing: Listing[Any]) -> Table:
    """A listing's rows as one Rich table (for composing into larger views such as `show`)."""
    return _table(listing.columns, listing.rows)


def _width(text: str | Text) -> int:
    """The widest line of a cell, in terminal columns."""
    plain = text.plain if isinstance(text, Text) else text
    return max((cell_len(line) for line in plain.splitlines()), default=0)


def write_markdown(listing: Listing[Any], console: Console) -> None:
    """A pipe table; with sections, a bold heading line above each section's own table."""
    if listing.section is None:
        console.file.write(_md_table(listing.columns, listing.rows))
        return
    parts = [
        f"**{markdown_text(label)}**\n\n{_md_table(listing.columns, list(group))}"
        for label, group in groupby(listing.rows, key=listing.section)
    ]
    console.file.write("\n".join(parts))


def _md_table(columns: Sequence[Column[Any]], rows: Sequence[Any]) -> str:
    lines = [_md_row([c.header for c in columns]), "| " + " | ".join(["---"] * len(columns)) + " |"]
    lines += [_md_row([c.cell(row).plain for c in columns]) for row in rows]
    return "\n".join(lines) + "\n"


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(markdown_text(c) for c in cells) + " |"


def write_json(listing: Listing[Any], console: Console) -> None:
    console.file.write(json_text([listing.as_dict(r) for r in listing.rows], indent=2) + "\n")


def write_jsonl(listing: Listing[Any], console: Console) -> None:
    for row in listing.rows:
        console.file.write(json_text(listing.as_dict(row)) + "\n")


def write_csv(listing: Listing[Any], console: Console, safe: bool = False) -> None:
    """CSV with a header; with `safe`, a cell a spreadsheet would run as a formula starts with `'`."""
    dicts = [listing.as_dict(r) for r in listing.rows]
    names = list(dict.fromkeys(key for d in dicts for key in d))
    writer = csv.DictWriter(console.file, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    cell = (lambda v: spreadsheet_text(_csv_cell(v))) if safe else _csv_cell
    writer.writerows({k: cell(v) for k, v in d.items()} for d in dicts)


def _csv_cell(value: Any) -> str:
    """Lists of ids join with `; `; nested values (roles) are JSON, and so are true and false; control
    characters are escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
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


def emit(listing: Listing[Any], fmt: str, console: Console, csv_safe: bool = False) -> None:
    """Write `listing` in format `fmt`; `csv_safe` (--csv-safe) applies to csv only."""
    if fmt == "csv":
        write_csv(listing, console, safe=csv_safe)
    else:
        FORMATS[fmt](listing, console)
