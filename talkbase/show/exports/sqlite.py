"""The sqlite export: the relational layout as a SQLite database with foreign keys, indexes and full-text search.

Dates stay as written in TEXT columns; a table with a `date` also gets `date_start` and `date_end` (ISO days, the
first and last day it covers; for an event, through its `end`; for an event or position, as `after`/`before`
narrow it) to compare by, and `events` and `positions` get `time_order`, their rank in talkbase's time order
(one ranking across both tables, which also respects an order within one day), to sort by. `positions_fts` (claim,
quote) and `events_fts` (title, summary) are external-content FTS5 tables over their tables' rows, declared with
`content="..."` so that Datasette and sqlite-utils find them, and kept right by triggers on their tables as
sqlite-utils makes them, so an edit of the database is searchable at once. The view `positions_named` shows each
position with its actor's, topic's, event's and sources' names.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from talkbase.records.dates import PartialDate, Span, span_of
from talkbase.show.exports import Export
from talkbase.show.exports.tables import Table, tables

# (FTS table, content table, columns searched)
FULL_TEXT = (("positions_fts", "positions", ("claim", "quote")), ("events_fts", "events", ("title", "summary")))
_TOKENIZER = "unicode61 remove_diacritics 2"  # Erdogan finds Erdoğan, as everywhere in talkbase

# Views for reading without joins. positions_named: each position with the names of its actor and topic, the
# title of its event (when that event is exported) and the titles of its sources, in the order cited.
VIEWS = {
    "positions_named": """
SELECT p.id, p.date, p.actor, a.name AS actor_name, p.topic, t.name AS topic_name, p.stance, p.claim, p.quote,
  p.event, e.title AS event_title,
  (SELECT group_concat(title, '; ') FROM (
     SELECT s.title FROM record_sources r JOIN sources s ON s.id = r.source
     WHERE r.kind = 'positions' AND r.record = p.id ORDER BY r.rowid)) AS source_titles,
  p.time_order
FROM positions p
LEFT JOIN actors a ON a.id = p.actor
LEFT JOIN topics t ON t.id = p.topic
LEFT JOIN events e ON e.id = p.event""",
}


def write(export: Export, path: Path) -> None:
    """Build the database in the (new, empty) file `path`."""
    with contextlib.closing(sqlite3.connect(path, isolation_level=None)) as db:
        # The file is a temporary one that is renamed into place once complete, so no journal is needed on disk
        # (nothing to leave behind on an interrupt) and no syncing until the end.
        db.execute("PRAGMA journal_mode = MEMORY")
        db.execute("PRAGMA synchronous = OFF")
        db.execute("PRAGMA foreign_keys = ON")
        db.execute("BEGIN")
        db.execute("PRAGMA defer_foreign_keys = ON")  # an actor may name its affiliation before it is defined
        for table in tables(export):
            _create(db, table, export)
        for fts, content, columns in FULL_TEXT:
            _create_full_text(db, fts, content, columns)
        for name, select in VIEWS.items():
            db.execute(f"CREATE VIEW {_q(name)} AS {select.strip()}")
        db.execute("COMMIT")


_TIMED = ("events", "positions")  # ranked together in `time_order`


def _create(db: sqlite3.Connection, table: Table, export: Export) -> None:
    dated = "date" in table.column_names
    timed = table.name in _TIMED
    columns = [f"{_q(c.name)} {'INTEGER' if c.integer else 'TEXT'}{' NOT NULL' * c.required}" for c in table.columns]
    if dated:
        columns += ['"date_start" TEXT', '"date_end" TEXT']
    if timed:
        columns.append('"time_order" INTEGER NOT NULL')
    if table.key:
        columns.append(f"PRIMARY KEY ({_names(table.key)})")
    for fk in table.foreign_keys:
        columns.append(f"FOREIGN KEY ({_names(fk.columns)}) REFERENCES {_q(fk.table)} ({_names(fk.target)})")
    db.execute(f"CREATE TABLE {_q(table.name)} ({', '.join(columns)})")
    rows = [_row(table, row, export.narrowed if timed else {}) for row in table.rows]
    if timed:  # one rank across events and positions, so that a join of both sorts by it too
        rows = [(*row, export.ranks[row[0]]) for row in rows]
    width = len(table.columns) + 2 * dated + timed
    db.executemany(f"INSERT INTO {_q(table.name)} VALUES ({', '.join('?' * width)})", rows)
    for column in (*table.indexes, *(["date_start"] if dated else []), *(["time_order"] if timed else [])):
        db.execute(f"CREATE INDEX {_q(f'{table.name}_{column}')} ON {_q(table.name)} ({_q(column)})")


def _row(table: Table, row: tuple[Any, ...], narrowed: Mapping[str, Span]) -> tuple[Any, ...]:
    values = tuple(v.text if isinstance(v, PartialDate) else v for v in row)
    if "date" not in table.column_names:
        return values
    fields = dict(zip(table.column_names, row))
    if fields["date"] is None:
        return (*values, None, None)
    days = narrowed.get(fields.get("id", "")) or span_of(fields["date"], fields.get("end"))
    return (*values, days.first.isoformat(), days.last.isoformat())


def _create_full_text(db: sqlite3.Connection, fts: str, content: str, columns: tuple[str, ...]) -> None:
    """An external-content FTS5 table over `content`, filled from its rows, and the triggers that keep it right
    when a row is inserted, updated or deleted, as sqlite-utils' `enable_fts(create_triggers=True)` makes them
    (named <table>_ai, _ad, _au, so that sqlite-utils' `disable-fts` and `enable-fts --replace` know them)."""
    db.execute(
        f"CREATE VIRTUAL TABLE {_q(fts)} USING fts5({_names(columns)}, "
        f"content={_q(content)}, content_rowid='rowid', tokenize='{_TOKENIZER}')"
    )
    db.execute(f"INSERT INTO {_q(fts)} ({_q(fts)}) VALUES ('rebuild')")  # index the content table's rows
    new = ", ".join(f"new.{_q(c)}" for c in columns)
    old = ", ".join(f"old.{_q(c)}" for c in columns)
    add = f"INSERT INTO {_q(fts)} (rowid, {_names(columns)}) VALUES (new.rowid, {new});"
    drop = f"INSERT INTO {_q(fts)} ({_q(fts)}, rowid, {_names(columns)}) VALUES ('delete', old.rowid, {old});"
    for suffix, when, body in (("ai", "INSERT", add), ("ad", "DELETE", drop), ("au", "UPDATE", f"{drop} {add}")):
        db.execute(f"CREATE TRIGGER {_q(f'{content}_{suffix}')} AFTER {when} ON {_q(content)} BEGIN {body} END")


def _q(name: str) -> str:
    """A quoted SQL identifier (`end` is a keyword)."""
    return '"' + name.replace('"', '""') + '"'


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(_q(n) for n in names)
