"""Output formats: one registry from format name to writer, shared by every listing command.

A Listing says what to show (rows, table columns, the machine form of a row); a writer says how. `table`
and `markdown` show the columns people read; `json`, `jsonl` and `csv` carry the record format's field
names, dates exactly as written and references as ids.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import groupby, pairwise
from typing import Any, Generic, TypeVar

from rich.console import Console
from rich.table import Table
from rich.text import Text

from talkbase.records.dates import PartialDate
from talkbase.records.text import escape_controls, json_text, markdown_text, spreadsheet_text
from talkbase.show.render import column_widths, plain_rows, print_table, text_width

R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Column(Generic[R]):
    """One column of a listing: its header and how to show a row's cell, as a Text, or as a str when it has no
    style (data in it already shown literally by `escape_controls`): piped, a listing of 100,000 claims then
    makes no Text for them."""

    header: str
    cell: Callable[[R], Text | str]
    wrap: bool = True  # long free text wraps at spaces in a terminal; dates never do
    justify: str = "left"  # "right" for counts
    ids: bool = False  # ids: in a narrow terminal they give way first (breaking after a `-`, as any long word)

    def text(self, row: R) -> Text:
        """The row's cell as a Text, for Rich to lay out."""
        cell = self.cell(row)
        return Text(cell) if type(cell) is str else cell


def plain_cells(columns: Sequence[Column[R]], rows: Sequence[R]) -> list[list[str]]:
    """Each row's cells as plain text, for pipes and files."""
    makers = [column.cell for column in columns]
    return [[cell if type(cell := make(row)) is str else cell.plain for make in makers] for row in rows]


@dataclass(frozen=True, slots=True)
class Listing(Generic[R]):
    """Rows to show, in every output format: as a table's columns, and as dicts."""

    noun: str  # plural, for "no positions match"
    rows: Sequence[R]
    columns: Sequence[Column[R]]
    as_dict: Callable[[R], dict[str, Any]]
    section: Callable[[R], str] | None = None  # a heading row whenever this changes (table only)
    fields: Sequence[str] = ()  # the machine form's field names: a CSV header even when no row has them


def fields_of(*kinds: type, extra: Sequence[str] = ()) -> tuple[str, ...]:
    """The field names record_dict gives records of these classes (in order, each once), then `extra`."""
    names = (f.name for kind in kinds for f in dataclasses.fields(kind) if f.name != "loc")
    return tuple(dict.fromkeys([*names, *extra]))


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
    plan = _shared_plan(listing, console)
    print_table(console, _table(listing.columns, [], plan))
    for label, group in groupby(listing.rows, key=listing.section):
        shown = escape_controls(label, one_line=True)  # labels hold names: a line break in one is shown as `\n`
        console.print(Text(shown, style="bold cyan"), overflow="fold")
        print_table(console, _table(listing.columns, list(group), plan, show_header=False))


def _write_plain(listing: Listing[Any], console: Console) -> None:
    header = [c.header for c in listing.columns]
    cells = plain_cells(listing.columns, listing.rows)
    widths = column_widths([header, *cells])
    right = [c.justify == "right" for c in listing.columns]
    if listing.section is None:
        console.file.write(plain_rows([header, *cells], widths, right))
        return
    parts = [plain_rows([header], widths, right)]
    for label, group in groupby(zip(listing.rows, cells), key=lambda pair: listing.section(pair[0])):
        shown = escape_controls(label, one_line=True)
        parts.append(shown + "\n" + plain_rows([row_cells for _, row_cells in group], widths, right))
    console.file.write("".join(parts))


@dataclass(frozen=True, slots=True)
class Plan:
    """How a table is laid out in a terminal: each column's width, and the blank cells between columns."""

    widths: list[int]
    gap: int = 2


def _shared_plan(listing: Listing[Any], console: Console) -> Plan:
    """Column widths that fit every row; in a terminal, planned to its width (see `plan_widths`)."""
    cells = [[c.text(r) for c in listing.columns] for r in listing.rows]
    if not console.is_terminal:
        widths = [max(_width(c.header), *(_width(row[i]) for row in cells), 1) for i, c in enumerate(listing.columns)]
        return Plan(widths)
    return plan_widths(listing.columns, cells, console.width)


def _table(
    columns: Sequence[Column[Any]],
    rows: Sequence[Any],
    plan: Plan | None = None,
    show_header: bool = True,
    room: int | None = None,
) -> Table:
    """A Rich table of the rows, laid out by the plan, or planned for the `room` it has."""
    cells = [[column.text(row) for column in columns] for row in rows]
    if plan is None and room:
        plan = plan_widths(columns, cells, room)
    padding = (0, 1) if plan is None or plan.gap == 2 else (0, 1, 0, 0)
    table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold", show_header=show_header,
                  padding=padding)  # fmt: skip
    for index, column in enumerate(columns):
        width = plan.widths[index] if plan else None
        table.add_column(column.header, overflow="fold", no_wrap=not column.wrap, width=width, justify=column.justify)
    for row_cells in cells:
        if plan:
            row_cells = [
                _broken_words(c, plan.widths[i]) if col.wrap else c
                for i, (col, c) in enumerate(zip(columns, row_cells))
            ]
        table.add_row(*row_cells)
    return table


_WORD_LIMIT = 24  # a longer word (a URL) may be cut: no column is kept wider than this for one word


def plan_widths(columns: Sequence[Column[Any]], cells: list[list[Text]], room: int) -> Plan:
    """Widths for the columns in `room` terminal cells. Columns that do not wrap (stances, counts) keep theirs;
    when the rest does not fit, id columns give way first, down to their longest part between hyphens; then
    the short text columns, down to their longest word (or part of a hyphenated word); then the long ones (the
    claim, the title: the widest and any at least half as wide) likewise, in proportion. When even that is
    too wide, one blank cell instead of two between columns; only when all that is not enough are words cut."""
    natural = [max(_width(c.header), *(_width(row[i]) for row in cells), 1) for i, c in enumerate(columns)]
    floors = [_floor(c, [c.header, *(row[i].plain for row in cells)]) for i, c in enumerate(columns)]
    widths = list(natural)
    gap = 2 if sum(floors) + 2 * (len(columns) - 1) <= room else 1
    excess = sum(widths) + gap * (len(widths) - 1) - room
    wrapping = [i for i, c in enumerate(columns) if c.wrap]
    if excess <= 0 or not wrapping:
        return Plan(widths, gap)
    texts = [i for i in wrapping if not columns[i].ids]
    widest = max(natural[i] for i in texts) if texts else 0
    long = [i for i in texts if natural[i] * 2 >= widest]  # the claim, and any half as wide: in proportion
    stages = [
        [i for i in wrapping if columns[i].ids],
        [i for i in texts if i not in long],
        long,
    ]
    for stage in stages:
        excess = _shrink(widths, floors, stage, excess)
        if excess <= 0:
            return Plan(widths, gap)
    narrowest = [min(w, _NARROWEST) for w in widths]
    excess = _shrink(widths, narrowest, stages[0], excess)  # ids are cut before any word is
    _shrink(widths, narrowest, wrapping, excess)  # nothing else gives: words are cut
    return Plan(widths, gap)


_NARROWEST = 6  # a wrapping column is cut no narrower than this
# A word may break after a hyphen or an en dash (`kyiv-|independent`, `Ukraine–|Russia`), but not inside a date
# (`2025-07-21`) nor after a leading one.
_BREAKS = re.compile(r"(?<=.[-\u2013])(?!(?<=[0-9]-)[0-9])(?=.)")


def _floor(column: Column[Any], texts: list[str]) -> int:
    """The narrowest a column can be without cutting a word (a hyphenated one may break after its hyphens)."""
    if not column.wrap:
        return max(_width(t) for t in texts)
    pieces = (p for t in texts for word in t.split() for p in _BREAKS.split(word))
    return min(max((text_width(p) for p in pieces), default=1), _WORD_LIMIT)


def _shrink(widths: list[int], floors: list[int], chosen: list[int], excess: int) -> int:
    """Take up to `excess` cells from the chosen columns, each down to its floor, in proportion to what each can
    give; what is still to take."""
    room = {i: widths[i] - floors[i] for i in chosen if widths[i] > floors[i]}
    total = sum(room.values())
    if total <= 0:
        return excess
    take = min(excess, total)
    given = {i: room[i] * take // total for i in room}
    left = take - sum(given.values())
    for i in sorted(room, key=lambda i: room[i] - given[i], reverse=True):  # the rounding, one cell each
        if left and given[i] < room[i]:
            given[i] += 1
            left -= 1
    for i, cells in given.items():
        widths[i] -= cells
    return excess - take


def _broken_words(cell: Text, width: int) -> Text:
    """A cell whose words wider than its column are broken after their hyphens into lines that fit (Rich
    wraps only at spaces, and would cut them anywhere); a part longer than the column is left for Rich to fold."""
    if _width(cell) <= width:
        return cell
    cuts: list[int] = []
    for word in re.finditer(r"\S+", cell.plain):
        if text_width(word.group()) <= width:
            continue
        offset, line = word.start(), 0
        for piece in _BREAKS.split(word.group()):
            if line and line + text_width(piece) > width:
                cuts.append(offset)
                line = 0
            line += text_width(piece)
            offset += len(piece)
    if not cuts:
        return cell
    bounds = [0, *cuts, len(cell.plain)]
    return Text("\n", style=cell.style).join(cell[a:b] for a, b in pairwise(bounds))


def listing_table(listing: Listing[Any]) -> Table:
    """A listing's rows as one Rich table (for composing into larger views such as `show`)."""
    return _table(listing.columns, listing.rows)


def _width(text: str | Text) -> int:
    """The widest line of a cell, in terminal columns."""
    plain = text.plain if isinstance(text, Text) else text
    return max((text_width(line) for line in plain.splitlines()), default=0)


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
    lines += [_md_row(cells) for cells in plain_cells(columns, rows)]
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
    import csv

    dicts = [listing.as_dict(r) for r in listing.rows]
    names = list(dict.fromkeys(key for d in dicts for key in d)) or list(listing.fields)
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
