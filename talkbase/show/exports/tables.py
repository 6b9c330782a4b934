"""The relational layout shared by the csv and sqlite exports, derived from the field specs in talkbase.records.schema.

One table per kind holds its scalar fields, under the record format's names. Every list becomes a link table
named `<singular>_<field>` (event_participants, event_topics, position_contests, actor_aliases, actor_roles,
event_history, event_after, position_before: a record and its kind, or a date), except `sources`, which every
kind that cites sources shares in one table, record_sources
(record, kind, source). A list of entries whose items hold lists of their own (event history) numbers its
entries from 1, and those inner lists get their own table keyed by (owner, entry): event_history_sources.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from talkbase.records.dates import looks_like_date, parse_date
from talkbase.records.model import KnowledgeBase, Record, kind_key
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
    Field,
    Kind,
)
from talkbase.show.exports import Export

SCALARS = {TEXT, ID, DATE, CHOICE, REF, URL, WIKIDATA}
# Kinds always exported in full, so a reference to one of them always resolves and can be a foreign key.
# Events and positions may be filtered out, so references to them (a position's `event`, `contests`) stay
# plain ids.
WHOLE = ("actors", "sources", "topics")
_ITEM_NAMES = {"aliases": "alias"}  # the column for one item of a list of text


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool = True
    integer: bool = False


@dataclass(frozen=True, slots=True)
class ForeignKey:
    columns: tuple[str, ...]
    table: str
    target: tuple[str, ...] = ("id",)


@dataclass(frozen=True, slots=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    rows: list[tuple[Any, ...]]  # model values: text, None, PartialDate, int
    key: tuple[str, ...] = ()  # primary key
    foreign_keys: tuple[ForeignKey, ...] = ()
    indexes: tuple[str, ...] = ()  # columns of ids that joins go through

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]


def tables(export: Export) -> list[Table]:
    """Every table of the export: the kinds' tables first, then the link tables, each in a fixed order."""
    records = export.records()
    kind_tables = [_kind_table(kind, records[key], export.kb) for key, kind in KINDS.items()]
    link_tables = [t for key, kind in KINDS.items() for t in _link_tables(kind, records[key], export.kb)]
    return [*kind_tables, _sources_table(records), *link_tables]


def table_names() -> list[str]:
    """The names of the tables an export writes, whatever the data."""
    empty = Export(KnowledgeBase(), [], [], stamp=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
    return [t.name for t in tables(empty)]


def _kind_table(kind: Kind, records: Sequence[Record], kb: KnowledgeBase) -> Table:
    specs = [f for f in kind.fields if f.type in SCALARS]
    refs = [f for f in specs if f.type == REF]
    columns = tuple(Column(f.name, f.required) for f in specs)
    rows = [tuple(getattr(r, f.name) for f in specs) for r in records]
    if kind.key in ORIGIN_COUNTED:
        from talkbase.ask.query import origins_of

        columns += (Column("origins", integer=True),)
        rows = [(*row, len(origins_of(kb, r.sources))) for row, r in zip(rows, records)]  # type: ignore[attr-defined]
    return Table(
        kind.key,
        columns,
        rows,
        key=("id",),
        foreign_keys=tuple(ForeignKey((f.name,), f.refs[0]) for f in refs if _whole(f)),
        indexes=tuple(f.name for f in refs),
    )


def _whole(spec: Field) -> bool:
    return all(kind in WHOLE for kind in spec.refs)


def _sources_table(records: dict[str, Sequence[Record]]) -> Table:
    citing = [key for key, kind in KINDS.items() if any(f.name == "sources" and f.type == REFS for f in kind.fields)]
    rows = [(record.id, key, source) for key in citing for record in records[key] for source in record.sources]
    columns = (Column("record"), Column("kind"), Column("source"))
    sources_key = ForeignKey(("source",), "sources")
    return Table("record_sources", columns, rows, foreign_keys=(sources_key,), indexes=("record", "source"))


def _link_tables(kind: Kind, records: Sequence[Record], kb: KnowledgeBase) -> Iterator[Table]:
    owner = Column(kind.singular)
    owner_key = ForeignKey((owner.name,), kind.key)
    for spec in kind.fields:
        name = f"{owner.name}_{spec.name}"
        if spec.type == REFS and spec.name != "sources":
            lists = [(r.id, getattr(r, spec.name)) for r in records]
            yield _refs_table(name, (owner,), owner_key, spec, lists, kb)
        elif spec.type == TEXTS:
            item = Column(_ITEM_NAMES.get(spec.name, "value"))
            rows = [(r.id, value) for r in records for value in getattr(r, spec.name)]
            yield Table(name, (owner, item), rows, foreign_keys=(owner_key,), indexes=(owner.name,))
        elif spec.type == ENTRIES:
            yield from _entries_tables(name, owner, owner_key, spec, records, kb)
        elif spec.type == ORDER:
            yield _order_table(name, owner, owner_key, spec, records, kb)


def _order_table(
    name: str, owner: Column, owner_key: ForeignKey, spec: Field, records: Sequence[Record], kb: KnowledgeBase
) -> Table:
    """`after`/`before`: one row per item, a record (with its kind) or a date, in the order written."""
    rows = [
        (r.id, None, None, parse_date(item)) if looks_like_date(item) else (r.id, item, kind_key(kb.by_id[item]), None)
        for r in records
        for item in getattr(r, spec.name)
    ]
    columns = (owner, Column("record", required=False), Column("kind", required=False), Column("date", required=False))
    return Table(name, columns, rows, foreign_keys=(owner_key,), indexes=(owner.name, "record"))


def _refs_table(
    name: str,
    head: tuple[Column, ...],
    parent: ForeignKey,
    spec: Field,
    lists: list[tuple[Any, ...]],
    kb: KnowledgeBase,
) -> Table:
    """A link table for lists of references, from rows (head values..., ids): one row per id, with the target's
    kind when it may be one of several."""
    if len(spec.refs) == 1:
        target, extra = Column(KINDS[spec.refs[0]].singular), ()
        rows = [(*values, ref) for *values, refs in lists for ref in refs]
    else:
        target, extra = Column("record"), (Column("kind"),)
        rows = [(*values, ref, kind_key(kb.by_id[ref])) for *values, refs in lists for ref in refs]
    keys = (parent, *([ForeignKey((target.name,), spec.refs[0])] if _whole(spec) else []))
    return Table(name, (*head, target, *extra), rows, foreign_keys=keys, indexes=(head[0].name, target.name))


def _entries_tables(
    name: str, owner: Column, owner_key: ForeignKey, spec: Field, records: Sequence[Record], kb: KnowledgeBase
) -> Iterator[Table]:
    """A table of entries (roles, history). Entries that hold lists are numbered from 1, and each of their
    lists gets a table keyed by (owner, entry)."""
    scalars = [f for f in spec.subfields if f.type in SCALARS]
    lists = [f for f in spec.subfields if f.type == REFS]
    entry = Column("entry", integer=True)
    head = (owner, entry) if lists else (owner,)
    entries = [(r.id, n, e) for r in records for n, e in enumerate(getattr(r, spec.name), start=1)]
    rows = [(rid, n, *(getattr(e, f.name) for f in scalars)) for rid, n, e in entries]
    yield Table(
        name,
        (*head, *(Column(f.name, f.required) for f in scalars)),
        rows if lists else [(rid, *values) for rid, _n, *values in rows],
        key=tuple(c.name for c in head) if lists else (),
        foreign_keys=(owner_key,),
        indexes=(owner.name,),
    )
    entry_key = ForeignKey((owner.name, entry.name), name, (owner.name, entry.name))
    for sub in lists:
        sub_lists = [(rid, n, getattr(e, sub.name)) for rid, n, e in entries]
        yield _refs_table(f"{name}_{sub.name}", head, entry_key, sub, sub_lists, kb)
