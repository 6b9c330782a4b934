"""The csv export: a directory with one UTF-8 CSV file per table of the relational layout, each with a header."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from talkbase.records.text import spreadsheet_text
from talkbase.show.exports import Export
from talkbase.show.exports.tables import table_names, tables

FILE_NAMES = frozenset(f"{name}.csv" for name in table_names())


def write(export: Export, path: Path) -> None:
    """Fill the (new, empty) directory `path` with one CSV per table: scalar fields, then link tables."""
    for table in tables(export):
        # RFC 4180: CRLF between rows; newline="" keeps line breaks inside quoted cells exactly as written.
        with open(path / f"{table.name}.csv", "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(table.column_names)
            writer.writerows([_cell(value, export.csv_safe) for value in row] for row in table.rows)


def _cell(value: Any, safe: bool) -> str:
    """Text exactly as written (dates too), or with `safe` a `'` before what a spreadsheet would take for a
    formula; an absent value is an empty cell."""
    text = "" if value is None else str(value)
    return spreadsheet_text(text) if safe else text
