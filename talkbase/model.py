"""Plain typed records, built from validated raw records; every record knows the file and line it came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from talkbase.dates import PartialDate, parse_date
from talkbase.loader import RawRecord


@dataclass(frozen=True, slots=True)
class Loc:
    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    title: str
    since: PartialDate | None = None
    until: PartialDate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEntry:
    date: PartialDate
    status: str
    sources: tuple[str, ...]
    note: str | None = None


# Fields are declared in the record format's order, so machine output lists them in that order too.
@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    id: str
    name: str
    kind: str
    aliases: tuple[str, ...] = ()
    affiliation: str | None = None
    roles: tuple[Role, ...] = ()
    description: str | None = None
    wikidata: str | None = None
    sources: tuple[str, ...] = ()
    loc: Loc


@dataclass(frozen=True, slots=True, kw_only=True)
class Source:
    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: PartialDate | None = None
    kind: str | None = None
    loc: Loc


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    id: str
    name: str
    description: str | None = None
    sources: tuple[str, ...] = ()
    loc: Loc


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    id: str
    title: str
    date: PartialDate
    end: PartialDate | None = None
    status: str = "held"
    kind: str | None = None
    location: str | None = None
    participants: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    summary: str | None = None
    sources: tuple[str, ...]
    history: tuple[HistoryEntry, ...] = ()
    loc: Loc


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    id: str
    actor: str
    topic: str
    stance: str
    claim: str
    quote: str | None = None
    date: PartialDate
    event: str | None = None
    contests: tuple[str, ...] = ()
    sources: tuple[str, ...]
    loc: Loc


Record = Actor | Source | Topic | Event | Position


@dataclass(slots=True)
class KnowledgeBase:
    """All records of a valid knowledge base, by kind, in file order; `by_id` reaches any of them."""

    actors: list[Actor] = field(default_factory=list)
    sources: list[Source] = field(default_factory=list)
    topics: list[Topic] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    positions: list[Position] = field(default_factory=list)
    by_id: dict[str, Record] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {kind: len(getattr(self, kind)) for kind in ("actors", "sources", "topics", "events", "positions")}


def _date(value: Any) -> PartialDate | None:
    return None if value is None else parse_date(str(value))


def _converted(data: dict[str, Any]) -> dict[str, Any]:
    """Field values as the model holds them: dates parsed, lists as tuples, roles and history as records."""
    result: dict[str, Any] = {}
    for key, value in data.items():
        if key in _DATE_FIELDS:
            value = _date(value)
        elif key == "roles":
            value = tuple(_role(r) for r in value)
        elif key == "history":
            value = tuple(_history_entry(e) for e in value)
        elif isinstance(value, list):
            value = tuple(value)
        result[key] = value
    return result


def _role(data: dict[str, Any]) -> Role:
    return Role(title=data["title"], since=_date(data.get("since")), until=_date(data.get("until")))


def _history_entry(data: dict[str, Any]) -> HistoryEntry:
    date = parse_date(str(data["date"]))
    return HistoryEntry(date=date, status=data["status"], sources=tuple(data["sources"]), note=data.get("note"))


_DATE_FIELDS = {"date", "end"}
_CLASSES = {"actors": Actor, "sources": Source, "topics": Topic, "events": Event, "positions": Position}


_KEYS = {cls: key for key, cls in _CLASSES.items()}


def kind_key(record: Record) -> str:
    """The top-level key of a record's kind: `actors` for an Actor."""
    return _KEYS[type(record)]


def build(records: list[RawRecord]) -> KnowledgeBase:
    """Turn raw records that passed validation into typed records."""
    kb = KnowledgeBase()
    for raw in records:
        record = _CLASSES[raw.kind](**_converted(raw.data), loc=Loc(raw.path, raw.line, raw.col))
        getattr(kb, raw.kind).append(record)
        kb.by_id[record.id] = record
    return kb
