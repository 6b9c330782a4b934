"""Where records refer to one another by id: every reference field of the schema, found in raw records with the
line and column the loader recorded for each value, for `mv` and `rm`."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from talkbase.load.nodes import RawRecord, YList, YMap
from talkbase.records.dates import looks_like_date
from talkbase.records.schema import ENTRIES, ID_RE, KINDS, ORDER, REF, REFS, Field

ID_TYPES = (REF, REFS, ORDER)  # the field types whose values are (or, for ORDER, may be) record ids


@dataclass(frozen=True, slots=True)
class Reference:
    """One id written in a record: its own `id`, or a value of a reference field (`field`; for a field of a
    list entry such as an event's history, `entry` is the entry's index and `field` the subfield)."""

    record: RawRecord
    field: str  # "id" for the record's own id
    target: str
    line: int
    col: int
    spec: Field | None = None  # None for the record's own id
    entry: int | None = None  # the index of the list entry (history) holding the field
    item: int | None = None  # the index in a list field; None for a single reference

    @property
    def where(self) -> str:
        return f"{self.record.path}:{self.line}:{self.col}"

    @property
    def holder(self) -> str:
        """`position zelensky-x`: the record the reference is written in."""
        return f"{KINDS[self.record.kind].singular} {record_id(self.record) or '(no id)'}"

    @property
    def field_label(self) -> str:
        if self.entry is None:
            return self.field
        return f"{self.entry_spec.name}[{self.entry + 1}].{self.field}" if self.entry_spec else self.field

    @property
    def entry_spec(self) -> Field | None:
        kind = KINDS[self.record.kind]
        return next((f for f in kind.fields if f.type == ENTRIES and self.spec in f.subfields), None)


def record_id(record: RawRecord) -> str | None:
    data = record.data
    value = data.get("id") if isinstance(data, YMap) else None
    return value if isinstance(value, str) else None


def reference_fields(fields: Iterable[Field]) -> list[Field]:
    """The fields whose values are ids, as the schema declares them (REF, REFS, ORDER)."""
    return [f for f in fields if f.type in ID_TYPES]


def ids_written(record: RawRecord) -> Iterator[Reference]:
    """The record's own id and every id its reference fields hold, with the position of each value."""
    data = record.data
    if not isinstance(data, YMap) or record.kind not in KINDS:
        return
    own = record_id(record)
    if own is not None:
        yield Reference(record, "id", own, *data.value_at("id"))
    for spec in KINDS[record.kind].fields:
        if spec.type in ID_TYPES:
            yield from _field_ids(record, data, spec, None)
        elif spec.type == ENTRIES and isinstance(data.get(spec.name), YList):
            for index, entry in enumerate(data[spec.name]):
                if isinstance(entry, YMap):
                    for sub in reference_fields(spec.subfields):
                        yield from _field_ids(record, entry, sub, index)


def _field_ids(record: RawRecord, data: YMap, spec: Field, entry: int | None) -> Iterator[Reference]:
    value = data.get(spec.name)
    if spec.type == REF:
        if isinstance(value, str):
            yield Reference(record, spec.name, value, *data.value_at(spec.name), spec=spec, entry=entry)
        return
    if not isinstance(value, YList):
        return
    for index, (item, (line, col)) in enumerate(zip(value, value.item_pos)):
        if is_id(spec, item):
            yield Reference(record, spec.name, item, line, col, spec=spec, entry=entry, item=index)


def is_id(spec: Field, item: Any) -> bool:
    """Whether a list item is meant as an id (an `after`/`before` item may be a date instead, as the
    validator reads it)."""
    if not isinstance(item, str):
        return False
    return spec.type != ORDER or not (looks_like_date(item) or (item[:4].isdigit() and not ID_RE.fullmatch(item)))


def references_to(records: Iterable[RawRecord], targets: set[str]) -> list[Reference]:
    """Every reference (not the records' own ids) to one of `targets`, in file order."""
    return [r for record in records for r in ids_written(record) if r.field != "id" and r.target in targets]
