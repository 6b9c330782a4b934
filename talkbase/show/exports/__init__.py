"""Exports: the knowledge base (or the part the filters select) in formats other tools read, one module each.

A text format (json, ics, timelinejs) has `render(export) -> Document`, or raises NothingToWrite when the
document would be one its readers refuse; a file or directory format (sqlite, csv) has `write(export, path)`,
which fills a fresh path that `write_export` then moves into place atomically.
Format modules are imported only when used, so each pays only for what it needs (sqlite3, csv, ...), and
importing this package (as the command line does for the list of formats) loads nothing heavy.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from talkbase.ask.filter import Filter
    from talkbase.records.dates import PartialDate, Span
    from talkbase.records.model import Event, KnowledgeBase, Position, Record

TEXT = "text"  # one document: stdout, or a file with -o
FILE = "file"  # a binary file that needs -o
DIRECTORY = "directory"  # a directory of files that needs -o

# The registry: format name -> what it writes. The module of the same name under talkbase.show.exports does it.
FORMATS: dict[str, str] = {
    "json": TEXT,
    "csv": DIRECTORY,
    "sqlite": FILE,
    "ics": TEXT,
    "timelinejs": TEXT,
}


@dataclass(frozen=True, slots=True)
class Export:
    """What an export writes: every actor, source and topic of `kb`, and the events and positions selected, in
    time order."""

    kb: KnowledgeBase
    events: list[Event]
    positions: list[Position]
    stamp: dt.datetime  # when the export was made (ICS needs it as DTSTAMP)
    csv_safe: bool = True  # csv: cells a spreadsheet would run as a formula start with ' (--csv-safe)
    narrowed: Mapping[str, Span] = field(default_factory=dict)  # the days after/before leave a record, by id
    ranks: Mapping[str, int] = field(default_factory=dict)  # events and positions together in time order, from 1
    texts: Mapping[str, str] = field(default_factory=dict)  # the text of each source that keeps it in a text_file
    name: str = ""  # the knowledge base's name, for a title (timelinejs); "" when unknown

    def records(self) -> dict[str, Sequence[Record]]:
        """The exported records by kind: actors, sources and topics in the knowledge base's order, events and
        positions in time order (as `talkbase timeline` lists them). A source's text kept in a file is written in
        `text`, so that the export holds it (the file's name means nothing beside the export)."""
        kb = self.kb
        sources = [
            dataclasses.replace(s, text=self.texts[s.id], text_file=None) if s.id in self.texts else s
            for s in kb.sources
        ]
        return {
            "actors": kb.actors,
            "sources": sources,
            "topics": kb.topics,
            "events": self.events,
            "positions": self.positions,
        }


@dataclass(frozen=True, slots=True)
class Document:
    """A text format's output, and notes for the user about what it could not hold."""

    text: str
    notes: tuple[str, ...] = ()


class ExportError(ValueError):
    """A setting that makes an export impossible (an unreadable SOURCE_DATE_EPOCH, a non-export directory)."""


class NothingToWrite(Exception):
    """A text format that would be empty, which its readers refuse (an iCalendar file without an event, a
    TimelineJS file without a slide): nothing is written, and the command says so as a listing does (`no events
    match`, exit 0). `notes` are the render's notes until then (the events it left out)."""

    def __init__(self, message: str, notes: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.notes = notes


def select(kb: KnowledgeBase, filters: Filter, stamp: dt.datetime, known_at: PartialDate | None = None) -> Export:
    """The events and positions matching `filters` (as known on `known_at`, if given); all other records whole.

    With `known_at`, an event keeps only the history entries published by then, so the export holds nothing a
    reader could not have known that day."""
    from talkbase.ask.query import as_known_at, chronology

    seen = as_known_at(kb, known_at) if known_at else kb
    chron = chronology(kb)
    events = chron.ordered(filter(filters.test("events"), seen.events))
    if known_at:
        events = [_history_known_at(kb, e, known_at) for e in events]
    positions = chron.ordered(filter(filters.test("positions"), seen.positions))
    ranks = {record.id: n for n, record in enumerate(chron.ordered([*events, *positions]), start=1)}
    return Export(kb, events, positions, stamp, narrowed=chron.narrowed, ranks=ranks)


def _history_known_at(kb: KnowledgeBase, event: Event, day: PartialDate) -> Event:
    import dataclasses

    from talkbase.ask.query import known_from
    from talkbase.records.dates import at_or_before

    # As everywhere with --known-at: a source of July is out for certain only at the end of July.
    known = tuple(h for h in event.history if at_or_before(known_from(kb, h.sources, h.date), day))
    return dataclasses.replace(event, history=known)


def export_time(environ: Mapping[str, str]) -> dt.datetime:
    """SOURCE_DATE_EPOCH (seconds since 1970, for reproducible output) when set, else the current UTC time."""
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (ValueError, OverflowError, OSError):
        raise ExportError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, not `{epoch}`") from None


def render(name: str, export: Export) -> Document:
    """A text format's document."""
    return importlib.import_module(f"talkbase.show.exports.{name}").render(export)


def write_export(name: str, export: Export, target: Path) -> tuple[str, ...]:
    """Write `export` to `target` atomically (an interrupted export leaves the old one); return the notes. A text
    format is rendered before `target` is touched, so NothingToWrite leaves whatever is there as it was."""
    from talkbase.write.atomic import atomic_path

    kind = FORMATS[name]
    module = importlib.import_module(f"talkbase.show.exports.{name}")
    if kind == DIRECTORY:
        check_replaceable(target, module.FILE_NAMES)
    target = Path(os.path.abspath(target))  # `-o .` names a directory by its real name, beside which temp goes
    if kind == TEXT:
        document = module.render(export)
        with atomic_path(target) as temp:
            temp.write_bytes(document.text.encode("utf-8"))  # bytes: ICS's CRLF must stay as it is on any OS
        return document.notes
    with atomic_path(target, directory=kind == DIRECTORY) as temp:
        module.write(export, temp)
    return ()


def check_replaceable(target: Path, names: frozenset[str]) -> None:
    """Refuse to replace anything but a missing or empty folder or a previous export (`names` only), so a
    mistyped -o never swaps away a folder of the user's own files. A link is followed to the folder it names;
    a file, a device or anything else where the folder goes is refused (write.atomic.destination)."""
    from talkbase.write.atomic import TargetError, destination

    real = destination(target, directory=True).path
    if not real.is_dir():
        return
    others = sorted(p.name for p in real.iterdir() if p.name not in names)
    if others:
        shown = ", ".join(others[:3]) + (", ..." if len(others) > 3 else "")
        raise TargetError(target, f"holds files an export did not write ({shown}); choose a new or empty folder")
