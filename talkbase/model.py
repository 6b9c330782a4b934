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


@dataclass(frozen=True, slots=True)
class Role:
    title: str
    since: PartialDate | None = None
    until: PartialDate | None = None


@dataclass(frozen=True, slots=True)
class Actor:
    id: str
    name: str
    kind: str
    loc: Loc
    aliases: tuple[str, ...] = ()
    affiliation: str | None = None
    roles: tuple[Role, ...] = ()
    description: str | None = None
    wikidata: str | None = None


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    title: str
    loc: Loc
    publisher: str | None = None
    url: str | None = None
    date: PartialDate | None = None
    kind: str | None = None


@dataclass(frozen=True, slots=True)
class Topic:
    id: str
    name: str
    loc: Loc
    description: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    id: str
    title: str
    date: PartialDate
    sources: tuple[str, ...]
    loc: Loc
    end: PartialDate | None = None
    status: str = "held"
    kind: str | None = None
    location: str | None = None
    participants: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True, slots=True)
class Position:
    id: str
    actor: str
    topic: str
    stance: str
    claim: str
    date: PartialDate
    sources: tuple[str, ...]
    loc: Loc
    quote: str | None = None
    event: str | None = None
    contests: tuple[str, ...] = ()


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


def _tuple(value: Any) -> tuple[str, ...]:
    return tuple(value) if value else ()


def _actor(d: dict, loc: Loc) -> Actor:
    roles = tuple(Role(r["title"], _date(r.get("since")), _date(r.get("until"))) for r in d.get("roles") or ())
    return Actor(
        d["id"], d["name"], d["kind"], loc, _tuple(d.get("aliases")), d.get("affiliation"), roles,
        d.get("description"), d.get("wikidata"),
    )  # fmt: skip


def _source(d: dict, loc: Loc) -> Source:
    return Source(d["id"], d["title"], loc, d.get("publisher"), d.get("url"), _date(d.get("date")), d.get("kind"))


def _topic(d: dict, loc: Loc) -> Topic:
    return Topic(d["id"], d["name"], loc, d.get("description"))


def _event(d: dict, loc: Loc) -> Event:
    return Event(
        d["id"], d["title"], parse_date(str(d["date"])), tuple(d["sources"]), loc, _date(d.get("end")),
        d.get("status") or "held", d.get("kind"), d.get("location"), _tuple(d.get("participants")),
        _tuple(d.get("topics")), d.get("summary"),
    )  # fmt: skip


def _position(d: dict, loc: Loc) -> Position:
    return Position(
        d["id"], d["actor"], d["topic"], d["stance"], d["claim"], parse_date(str(d["date"])),
        tuple(d["sources"]), loc, d.get("quote"), d.get("event"), _tuple(d.get("contests")),
    )  # fmt: skip


_BUILDERS = {"actors": _actor, "sources": _source, "topics": _topic, "events": _event, "positions": _position}


def build(records: list[RawRecord]) -> KnowledgeBase:
    """Turn raw records that passed validation into typed records."""
    kb = KnowledgeBase()
    for raw in records:
        record = _BUILDERS[raw.kind](raw.data, Loc(raw.path, raw.line, raw.col))
        getattr(kb, raw.kind).append(record)
        kb.by_id[record.id] = record
    return kb
