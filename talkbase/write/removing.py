"""Removing a record: what refers to it, what `--cascade` removes with it (a record whose required reference
would dangle) or edits (an optional reference, or one id of a list that keeps others), and each file's new text,
parsed again to prove that only that changed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talkbase.load.nodes import RawRecord, YList, YMap
from talkbase.records.schema import ENTRIES, KINDS, REF, Field
from talkbase.write.changes import FileChange, apply_edits, meaning, read_source, verify
from talkbase.write.references import ID_TYPES, is_id, record_id, reference_fields


@dataclass(frozen=True)
class Cut:
    """One thing taken out of a record: the whole record (no `field`), a field, or some items of a list field;
    inside an entry (a history entry) when `entries` names the entries field and `entry` its index."""

    record: RawRecord
    field: str | None = None
    items: tuple[int, ...] = ()
    entries: str | None = None
    entry: int | None = None
    names: tuple[str, ...] = ()  # the removed ids this cut is for; for a whole record, the fields they empty

    def describe(self) -> str:
        record = self.record
        label = f"{KINDS[record.kind].singular} `{record_id(record)}` ({record.path}:{record.line})"
        named = ", ".join(f"`{n}`" for n in self.names)
        if self.field is None:
            because = " and ".join(f"its {name}" for name in self.names)
            return f"removes {label}: {because} would be gone" if because else f"removes {label}"
        if self.entries is not None and self.entry is None:
            if self.items:
                return (
                    f"edits {label}: removes its {self.entries} entries {_numbers(self.items)}, which cite only {named}"
                )
            return f"edits {label}: removes its {self.entries}, whose every entry cites only {named}"
        where = self.field if self.entry is None else f"{self.field} of its {self.entries} entry {self.entry + 1}"
        what = f"drops {named} from {where}" if self.items else f"removes its {where} (it named {named})"
        return f"edits {label}: {what}"


def _numbers(items: tuple[int, ...]) -> str:
    return ", ".join(str(i + 1) for i in items)


def removal_set(records: list[RawRecord], target: str) -> set[str]:
    """`target` and every record that would then miss a required reference, and so on until none does."""
    removed, grew = {target}, True
    while grew:
        grew = False
        for record in records:
            rid = record_id(record)
            if rid is not None and rid not in removed and _dangles(record, removed):
                removed.add(rid)
                grew = True
    return removed


def _dangles(record: RawRecord, removed: set[str]) -> bool:
    data = record.data
    if not isinstance(data, YMap) or record.kind not in KINDS:
        return False
    for spec in reference_fields(KINDS[record.kind].fields):
        if spec.required and _emptied(spec, data.get(spec.name), removed):
            return True
    return False


def _doomed_by(record: RawRecord, data: YMap, removed: set[str]) -> tuple[str, ...]:
    """`actor`, `sources`: the required fields that removing `removed` empties (none for the record asked for)."""
    fields = reference_fields(KINDS[record.kind].fields)
    return tuple(s.name for s in fields if s.required and _emptied(s, data.get(s.name), removed))


def _cut_items(spec: Field, value: Any, removed: set[str]) -> tuple[int, ...]:
    if spec.type == REF:
        return (0,) if isinstance(value, str) and value in removed else ()
    if not isinstance(value, YList):
        return ()
    return tuple(i for i, item in enumerate(value) if is_id(spec, item) and item in removed)


def _emptied(spec: Field, value: Any, removed: set[str]) -> bool:
    """Whether removing `removed` leaves the field with nothing (a single reference, or every item)."""
    cut = _cut_items(spec, value, removed)
    return bool(cut) and (spec.type == REF or len(cut) == len(value))


def record_cuts(record: RawRecord, removed: set[str]) -> list[Cut]:
    """What removing `removed` takes out of this record: all of it, or its references to them."""
    data = record.data
    if not isinstance(data, YMap) or record.kind not in KINDS:
        return []
    if record_id(record) in removed:
        return [Cut(record, names=_doomed_by(record, data, removed))]
    cuts = []
    for spec in KINDS[record.kind].fields:
        if spec.type in ID_TYPES:
            cuts += _field_cuts(record, data, spec, removed)
        elif spec.type == ENTRIES and isinstance(data.get(spec.name), YList):
            cuts += _entry_cuts(record, data[spec.name], spec, removed)
    return cuts


def _field_cuts(record: RawRecord, data: YMap, spec: Field, removed: set[str], **entry: Any) -> list[Cut]:
    value = data.get(spec.name)
    cut = _cut_items(spec, value, removed)
    if not cut:
        return []
    names = tuple(dict.fromkeys((value,) if spec.type == REF else (value[i] for i in cut)))
    if _emptied(spec, value, removed):
        return [Cut(record, spec.name, names=names, **entry)]
    return [Cut(record, spec.name, cut, names=names, **entry)]


def _entry_cuts(record: RawRecord, entries: YList, spec: Field, removed: set[str]) -> list[Cut]:
    """In each entry, an optional reference is edited out; an entry left without a required one goes."""
    gone, cuts, names = [], [], []
    for index, entry in enumerate(entries):
        if not isinstance(entry, YMap):
            continue
        subs = reference_fields(spec.subfields)
        doomed = [s for s in subs if s.required and _emptied(s, entry.get(s.name), removed)]
        if doomed:
            gone.append(index)
            names += [v for s in doomed for v in _values(entry.get(s.name))]
            continue
        for sub in subs:
            cuts += _field_cuts(record, entry, sub, removed, entries=spec.name, entry=index)
    if gone:
        whole = len(gone) == len(entries)
        cut_names = tuple(dict.fromkeys(names))
        cuts.append(Cut(record, spec.name, () if whole else tuple(gone), names=cut_names, entries=spec.name))
    return cuts


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, YList) else [value]


@dataclass
class Removal:
    changes: list[FileChange]
    cuts: list[Cut]


def plan_removal(files: Iterable[tuple[Path, str]], removed: set[str]) -> Removal:
    """The new bytes of each of `files` (path, path as shown) that holds or cites one of `removed`."""
    from talkbase.write.cutting import cut_spans

    changes, all_cuts = [], []
    for path, shown in files:
        source = read_source(path, shown)
        cuts = [cut for record in source.records for cut in record_cuts(record, removed)]
        if not cuts:
            continue
        text = apply_edits(source.text, cut_spans(source, cuts))
        verify(source, text, expected_after(source.records, cuts))
        changes.append(FileChange(path, shown, source.data, source.encoded(text)))
        all_cuts += cuts
    return Removal(changes, all_cuts)


def expected_after(records: list[RawRecord], cuts: list[Cut]) -> list[tuple[str, Any]]:
    """The records as they must read once the cuts are made, worked out on plain values."""
    expected = meaning(records)
    index = {id(record): i for i, record in enumerate(records)}
    dropped = set()
    for cut in sorted(cuts, key=lambda c: (c.entry is None, tuple(-i for i in c.items))):
        position = index[id(cut.record)]
        data = expected[position][1]
        if cut.field is None:
            dropped.add(position)
            continue
        if cut.entry is not None and cut.entries is not None:
            data = data[cut.entries][cut.entry]
        if not cut.items:
            del data[cut.field]
        else:
            for item in sorted(cut.items, reverse=True):
                del data[cut.field][item]
    return [record for i, record in enumerate(expected) if i not in dropped]
