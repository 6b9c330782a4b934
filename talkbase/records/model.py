"""Plain typed records, built from validated raw records; every record knows the file and line it came from."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol

from talkbase.records.dates import PartialDate, parse_date


@dataclass(frozen=True, slots=True)
class Loc:
    """Where a record is written: its file (as shown), line and column."""

    path: str
    line: int
    col: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """An office an actor holds or held, from `since` until `until`."""

    title: str
    since: PartialDate | None = None
    until: PartialDate | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class HistoryEntry:
    """A change of an event's status on a day, with the sources that report it."""

    date: PartialDate
    status: str
    sources: tuple[str, ...]
    note: str | None = None


# Fields are declared in the record format's order, so machine output lists them in that order too.
@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """A person, state, organization, delegation or group that takes positions."""

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
    """An article, speech or briefing that records cite."""

    id: str
    title: str
    publisher: str | None = None
    url: str | None = None
    date: PartialDate | None = None
    kind: str | None = None
    via: str | None = None  # the source this one is known through
    retrieved: PartialDate | None = None
    archive: str | None = None
    text: str | None = None
    text_file: str | None = None  # as written: relative to the folder of the file that defines the source
    loc: Loc


@dataclass(frozen=True, slots=True, kw_only=True)
class Topic:
    """What positions are about: a ceasefire, prisoner exchanges."""

    id: str
    name: str
    description: str | None = None
    sources: tuple[str, ...] = ()
    loc: Loc


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """A talk round, address or summit, with its dates and status."""

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
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    loc: Loc


@dataclass(frozen=True, slots=True, kw_only=True)
class Position:
    """What an actor said on a topic, when, with which stance, according to which sources."""

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
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    loc: Loc


Record = Actor | Source | Topic | Event | Position


KINDS_IN_ORDER = ("actors", "sources", "topics", "events", "positions")


def _deferred_kind(kind: str) -> Any:
    """The property for one kind of records: built on first use when the knowledge base is deferred."""
    private = "_" + kind

    def get(self: KnowledgeBase) -> list[Any]:
        if kind in self._pending:
            self._built(kind)
        return getattr(self, private)

    def put(self: KnowledgeBase, records: list[Any]) -> None:
        self._pending.pop(kind, None)
        setattr(self, private, records)

    return property(get, put, doc=f"The {kind}, in file order.")


class KnowledgeBase:
    """All records of a valid knowledge base, by kind, in file order; `by_id` reaches any of them.

    One read from the parse cache builds each kind's records only when first asked for (see `deferred`), so a
    command that lists events never pays for a hundred thousand positions."""

    __slots__ = ("_actors", "_by_id", "_events", "_keeper", "_memo", "_pending", "_positions", "_sources", "_topics")

    def __init__(
        self,
        actors: list[Actor] | None = None,
        sources: list[Source] | None = None,
        topics: list[Topic] | None = None,
        events: list[Event] | None = None,
        positions: list[Position] | None = None,
        by_id: Mapping[str, Record] | None = None,
    ) -> None:
        self._actors = [] if actors is None else actors
        self._sources = [] if sources is None else sources
        self._topics = [] if topics is None else topics
        self._events = [] if events is None else events
        self._positions = [] if positions is None else positions
        self._by_id = {} if by_id is None else by_id
        self._pending: dict[str, Callable[[], list[Any]]] = {}
        self._memo: dict[str, Any] = {}
        self._keeper: Keeper | None = None

    @classmethod
    def deferred(
        cls,
        builders: dict[str, Callable[[], list[Any]]],
        index: Callable[[KnowledgeBase], Mapping[str, Record]],
        keeper: Keeper | None = None,
    ) -> KnowledgeBase:
        """A knowledge base whose kinds are built by `builders[kind]()` on first use; `index(kb)` is its by_id.
        `keeper` keeps what `memo(..., keep=True)` makes for the next command over the same records."""
        kb = cls()
        kb._pending = dict(builders)
        kb._by_id = index(kb)
        kb._keeper = keeper
        return kb

    def where(self, kind: str, names: tuple[str, ...], test: Callable[..., Any]) -> list[Any]:
        """The records of `kind` for which `test(*their values of the fields names)` is true, in file order.

        A kind not built yet is not built whole: its builder may test the stored values and build only the
        records that pass (a builder without a `select`, or one that can't test those fields, builds all)."""
        pending = self._pending.get(kind)
        select = getattr(pending, "select", None)
        chosen = select(names, test) if select is not None else None
        if chosen is not None:
            return chosen
        if len(names) == 1:
            name = names[0]
            return [r for r in getattr(self, kind) if test(getattr(r, name))]
        return [r for r in getattr(self, kind) if test(*[getattr(r, n) for n in names])]

    def with_ids(self, kind: str, ids: Iterable[str]) -> list[Any]:
        """The records of `kind` whose ids are among `ids`, in file order: `where` of their ids, unless a kind not
        built yet can find a few by id without reading every one (the parse cache keeps its ids sorted)."""
        wanted = set(ids)
        pending = self._pending.get(kind)
        find = getattr(pending, "with_ids", None)
        found = find(wanted) if find is not None else None
        return found if found is not None else self.where(kind, ("id",), wanted.__contains__)

    def values(
        self, kind: str, names: tuple[str, ...], test: Callable[..., Any], fields: tuple[str, ...]
    ) -> list[tuple[Any, ...]]:
        """The values of `fields`, as tuples, of the records `where(kind, names, test)` gives, in file order.

        A kind not built yet is not built at all when its builder can read those values from what it stores
        (the parse cache keeps plain fields and dates so); otherwise the records are built and read."""
        pending = self._pending.get(kind)
        read = getattr(pending, "values", None)
        found = read(names, test, fields) if read is not None else None
        if found is not None:
            return found
        return [tuple([getattr(r, f) for f in fields]) for r in self.where(kind, names, test)]

    def _built(self, kind: str) -> None:
        build_kind = self._pending.pop(kind)
        setattr(self, "_" + kind, build_kind())

    actors = _deferred_kind("actors")
    sources = _deferred_kind("sources")
    topics = _deferred_kind("topics")
    events = _deferred_kind("events")
    positions = _deferred_kind("positions")

    @property
    def by_id(self) -> Mapping[str, Record]:
        return self._by_id

    @by_id.setter
    def by_id(self, value: Mapping[str, Record]) -> None:
        self._by_id = value

    def memo(self, key: str, make: Callable[[], Any], keep: bool = False) -> Any:
        """What `make()` derives from the records, made once: a knowledge base's records never change. With
        `keep` (for plain data: tuples, lists, dicts, str, int, bool, None), what was made is also kept by the
        parse cache, for the next command over the same records; `key` must then name what `make` makes and
        how (change the key when that changes)."""
        if key not in self._memo:
            kept = self._keeper.get(key) if keep and self._keeper is not None else None
            if kept is None:
                with collector_paused():  # (what it makes lives as long as the records)
                    kept = make()
                if keep and self._keeper is not None:
                    self._keeper.put(key, kept)
            self._memo[key] = kept
        return self._memo[key]

    def counts(self) -> dict[str, int]:
        return {kind: len(getattr(self, kind)) for kind in KINDS_IN_ORDER}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KnowledgeBase):
            return NotImplemented
        mine = [getattr(self, kind) for kind in KINDS_IN_ORDER]
        return mine == [getattr(other, kind) for kind in KINDS_IN_ORDER] and dict(self.by_id) == dict(other.by_id)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"KnowledgeBase({', '.join(f'{k}={len(getattr(self, k))}' for k in KINDS_IN_ORDER)})"


@contextmanager
def collector_paused() -> Iterator[None]:
    """The cyclic collector off while a hundred thousand fresh objects (which hold no cycles) are made:
    rescanning them again and again would take longer than making them."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # What was just made lives as long as the knowledge base: moved out of the collector's sight, the
        # collections that re-enabling would set off never scan it (on L: 0.8 -> 0.6 s for positions --actor).
        gc.freeze()
        if was_enabled:
            gc.enable()


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
        elif key in _ORDER_FIELDS:  # a year may be written as a bare number: `before: [2026]`
            value = tuple(str(item) for item in value)
        elif isinstance(value, list):
            value = tuple(value)
        result[key] = value
    return result


def _role(data: dict[str, Any]) -> Role:
    return Role(title=data["title"], since=_date(data.get("since")), until=_date(data.get("until")))


def _history_entry(data: dict[str, Any]) -> HistoryEntry:
    date = parse_date(str(data["date"]))
    return HistoryEntry(date=date, status=data["status"], sources=tuple(data["sources"]), note=data.get("note"))


_DATE_FIELDS = {"date", "end", "retrieved"}
_ORDER_FIELDS = {"after", "before"}
_CLASSES = {"actors": Actor, "sources": Source, "topics": Topic, "events": Event, "positions": Position}


_KEYS = {cls: key for key, cls in _CLASSES.items()}


def kind_key(record: Record) -> str:
    """The top-level key of a record's kind: `actors` for an Actor."""
    return _KEYS[type(record)]


class Keeper(Protocol):
    """Where a knowledge base keeps what it derived from its records (talkbase.load.cache keeps it beside the
    snapshot of those records): `get` gives None for what it does not hold."""

    def get(self, key: str) -> Any: ...

    def put(self, key: str, value: Any) -> None: ...


class Written(Protocol):
    """A record as the loader read it (talkbase.load.nodes.RawRecord): what `build` needs of it."""

    kind: str
    data: Any
    path: str
    line: int
    col: int


def build(records: Iterable[Written], consume: bool = False) -> KnowledgeBase:
    """Turn raw records that passed validation into typed records. With `consume`, each raw record's data is
    dropped once it is built, so that at 100,000 positions the two forms are never all held at once."""
    kinds: dict[str, list[Any]] = {kind: [] for kind in KINDS_IN_ORDER}
    by_id: dict[str, Record] = {}
    for raw in records:
        record = _CLASSES[raw.kind](**_converted(raw.data), loc=Loc(raw.path, raw.line, raw.col))
        kinds[raw.kind].append(record)
        by_id[record.id] = record
        if consume:
            raw.data = None
    return KnowledgeBase(**kinds, by_id=by_id)
