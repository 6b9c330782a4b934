"""Questions asked of a knowledge base: pure functions from a KnowledgeBase and filters to lists of records.

Names given on the command line (actors, topics, sources) are resolved here too, so every command
understands them the same way.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import cache
from operator import add
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from talkbase.records.dates import (
    Chronology,
    PartialDate,
    at_or_before,
    last_written,
    looks_like_date,
    parse_date,
    soonest_over,
    timed,
)
from talkbase.records.hints import abbreviated, close_matches, fold
from talkbase.records.model import Actor, Event, KnowledgeBase, Position, Record, Source, collector_paused, kind_key
from talkbase.records.provenance import chain, origins
from talkbase.records.quotes import Passage, find_quote, passage_around
from talkbase.records.schema import KINDS, ORDER, REF, REFS

if TYPE_CHECKING:
    from talkbase.ask.filter import Filter
    from talkbase.ask.pattern import Pattern
    from talkbase.records.texts import Texts, Words


class QueryError(Exception):
    """A name or value on the command line that does not fit the knowledge base (a usage error)."""


def resolve_among(kind: str, wanted: str, candidates: dict[str, list[str]], labels: dict[str, str]) -> str:
    """Pick the id `wanted` itself, else the one id whose names fold to `wanted`, else the one containing it;
    else a helpful error. (An id is never ambiguous: another record's alias equal to it does not hide it.)"""
    key = fold(wanted)
    if not key.strip():  # every name contains the empty text: not a choice among them all
        raise QueryError(f"no {kind} is named by an empty text; give an id or a name")
    if wanted in candidates:
        return wanted
    exact = [record_id for record_id, names in candidates.items() if key in names]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [rid for rid, names in candidates.items() if any(key in name for name in names)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        raise QueryError(f"{kind} `{wanted}` is ambiguous: it could be {_could_be(sorted(partial), labels)}")
    suggestions = close_matches(key, [n for names in candidates.values() for n in names])
    named = sorted({rid for rid, names in candidates.items() if set(names) & set(suggestions)})
    hint = f" (did you mean {', '.join(f'`{n}`' for n in named)}?)" if named else ""
    raise QueryError(f"{kind} `{wanted}` not found{hint}")


def _could_be(ids: list[str], labels: dict[str, str], shown: int = 8) -> str:
    """The ids a name could mean, each with its name (on one line) where that differs: the first `shown`, and
    how many more."""
    from talkbase.records.text import escape_controls

    named = [i if labels[i] == i else f"{i} ({escape_controls(labels[i], one_line=True)})" for i in ids[:shown]]
    more = f" and {len(ids) - shown} more (give more of the name, or an id)" if len(ids) > shown else ""
    return ", ".join(named) + more


def resolve_actor(kb: KnowledgeBase, wanted: str) -> str:
    """An actor's id from its id, name or any alias, ignoring case and diacritics."""
    return resolve_among("actor", wanted, *_names_folded(kb, "actors"))


def resolve_topic(kb: KnowledgeBase, wanted: str) -> str:
    """A topic's id from its id or name, ignoring case and diacritics."""
    return resolve_among("topic", wanted, *_names_folded(kb, "topics"))


def resolve_event(kb: KnowledgeBase, wanted: str) -> str:
    """An event's id from its id or title (or a part only it has), ignoring case and diacritics."""
    return resolve_among("event", wanted, *_names_folded(kb, "events"))


def _names_folded(kb: KnowledgeBase, kind: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    """What `resolve_among` picks from: each record's id and names folded (an actor's name and aliases, a
    topic's name, an event's title), and its name or title. Kept by the parse cache: folding 10,000 titles
    costs more than reading them folded."""
    return kb.memo(f"names folded 2 {kind}", lambda: _fold_names(kb, kind), keep=True)


def _fold_names(kb: KnowledgeBase, kind: str) -> tuple[dict[str, list[str]], dict[str, str]]:
    if kind == "actors":  # read, not built
        named = [(i, name, (name, *aliases)) for i, name, aliases in kb.values(kind, ("id",), anything, _ACTOR_NAMES)]
    else:
        label = "title" if kind == "events" else "name"
        named = [(i, name, (name,)) for i, name in kb.values(kind, ("id",), anything, ("id", label))]
    return {i: [fold(n) for n in (i, *names)] for i, _, names in named}, {i: name for i, name, _ in named}


_ACTOR_NAMES = ("id", "name", "aliases")


def resolve_id(kb: KnowledgeBase, wanted: str) -> str:
    """A record's id, or the one id starting with `wanted`."""
    if wanted in kb.by_id:
        return wanted
    starting = sorted(i for i in kb.by_id if i.startswith(wanted)) if wanted else []
    if len(starting) == 1:
        return starting[0]
    if starting:
        raise QueryError(f"id `{wanted}` is ambiguous: it could be {', '.join(starting[:10])}")
    suggestions = close_matches(wanted, kb.by_id)
    hint = f" (did you mean {', '.join(f'`{n}`' for n in suggestions)}?)" if suggestions else ""
    raise QueryError(f"no record `{wanted}`{hint}")


def resolve_sources(kb: KnowledgeBase, wanted: str) -> set[str]:
    """Source ids matching an id, or a case-insensitive substring of publisher, title or URL host."""
    if isinstance(kb.by_id.get(wanted), Source):
        return {wanted}
    key = fold(wanted)
    if not key.strip():  # every source's title holds the empty text: not a choice among them all
        raise QueryError("no source is named by an empty text; give an id, or part of a publisher, title or URL")

    def named(*texts: str | None) -> bool:
        return any(key in fold(text) for text in texts if text)

    def matches(record_id: str, publisher: str | None, title: str, url: str | None) -> bool:
        # the host is part of the URL: split only a URL that holds the name (20,000 splits were 0.25 s)
        return named(record_id, publisher, title) or (url is not None and named(url) and named(_host(url)))

    fields = ("id", "publisher", "title", "url")
    matched = {record_id for (record_id,) in kb.values("sources", fields, matches, ("id",))}
    if not matched:
        suggestions = close_matches(wanted, [s.id for s in kb.sources])
        hint = f" (did you mean {', '.join(f'`{n}`' for n in suggestions)}?)" if suggestions else ""
        raise QueryError(f"no source matches `{wanted}`{hint}")
    return matched


def _host(url: str | None) -> str:
    return urlsplit(url).hostname or "" if url else ""


TimelineItem = Event | Position


def chronology(kb: KnowledgeBase) -> Chronology:
    """The order of the knowledge base's events and positions (see talkbase/records/dates.py): only the records
    that give an order with `after`/`before`, and those they name, are read for it; made once."""
    return kb.memo("chronology", lambda: _chronology(kb))


def _chronology(kb: KnowledgeBase) -> Chronology:
    fields = ("after", "before")
    # add: the two joined, empty (false) unless an order is given; asked in C of each record's pair
    ordering = [*kb.where("events", fields, add), *kb.where("positions", fields, add)]
    named = {item for record in ordering for item in (*record.after, *record.before)}
    named -= {record.id for record in ordering}
    # Looked up by id through `with_ids`, which builds only those records.
    nodes: list[Event | Position] = [*ordering]
    if named:
        nodes += kb.with_ids("events", named) + kb.with_ids("positions", named)
    return Chronology(timed(r) for r in nodes)


def timeline(
    kb: KnowledgeBase,
    filters: Filter,
    with_positions: bool = False,
    reverse: bool = False,
    limit: int | None = None,
    chron: Chronology | None = None,
) -> list[TimelineItem]:
    """Events (and, if asked, positions) in time order (see `Chronology.ordered`). They are ordered as views
    holding only what the order and the filter read, and only those listed are built (`--limit 50` of 10,000
    events builds 50, when the knowledge base comes from the cache). Unfiltered, the order is kept by the parse
    cache between commands (each record's kind and id): ordering 10,000 events costs more than reading it."""

    def ordered() -> list[Any]:
        views = passing_views(kb, "events", filters, ("id",), anything)
        if with_positions:
            views += passing_views(kb, "positions", filters, ("id",), anything)
        return (chron or chronology(kb)).ordered(views)

    if not filters.empty:
        views = ordered()
    else:
        key = f"timeline 1 {'events and positions' if with_positions else 'events'}"
        views = kb.memo(key, lambda: [(view._record_kind, view.id) for view in ordered()], keep=True)[:]
    if reverse:
        views.reverse()
    chosen = views[:limit] if limit is not None else views
    if filters.empty:  # (kind, id) pairs: views of the records listed, only
        makers = {"events": id_views(Event), "positions": id_views(Position)}
        chosen = [makers[kind]((record_id,)) for kind, record_id in chosen]
    return records_of(kb, chosen)


def anything(_value: Any) -> bool:
    """The test every value passes (with `kb.values`: every record's)."""
    return True


@cache
def _view(cls: type, fields: tuple[str, ...]) -> type:
    """A named tuple standing in for a record of `cls` in a filter's test and in the chronology's order: only
    the fields they read. Its `_record_kind` is the kind of record it stands for."""
    view = namedtuple(f"{cls.__name__}View", fields)  # type: ignore[misc]
    view._record_kind = {Event: "events", Position: "positions"}[cls]  # no field starts with _
    return view


def id_views(cls: type) -> Callable[[tuple[str]], Any]:
    """The maker of views of records of `cls` that hold their id alone, `(id,)`: what `records_of` needs."""
    return _view(cls, ("id",))._make


def passing_views(
    kb: KnowledgeBase,
    kind: str,
    filters: Filter,
    names: tuple[str, ...],
    test: Callable[..., Any],
    ordered: bool = True,
) -> list[Any]:
    """Views (id and dates unless not `ordered`, and the fields the filter reads) of the records of `kind`, in
    file order, whose fields `names` pass `test` and which pass the filters; a knowledge base from the cache
    builds no record for them."""
    narrowing = filters.narrowing(kind)
    if narrowing is not None:  # the stored field asked first: the test proper only of the records it leaves
        name, member = narrowing
        names, test = ((name,), member) if test is anything else ((name, *names), _After(member, test))
    return list(filter(filters.test(kind), views_of(kb, kind, filters.fields(kind), names, test, ordered)))


def views_of(
    kb: KnowledgeBase,
    kind: str,
    fields: Iterable[str] = (),
    names: tuple[str, ...] = ("id",),
    test: Callable[..., Any] = anything,
    ordered: bool = True,
) -> list[Any]:
    """Views of the records of `kind` (events or positions) whose fields `names` pass `test`, in file order:
    named tuples of their id and dates (which put them in order; neither read unless `ordered`) and `fields`,
    read from the parse cache's columns without building a record."""
    cls = {"events": Event, "positions": Position}[kind]
    order = ({"id", "date", "end"} if cls is Event else {"id", "date"}) if ordered else set()
    chosen = tuple(sorted({*order, *fields}))
    return list(map(_view(cls, chosen)._make, kb.values(kind, names, test, chosen)))


@dataclass(frozen=True, slots=True)
class _After:
    """A test in two steps: `first` of the first field, then `then` of the others, only where `first` passed
    (the parse cache reads the others of those records only)."""

    first: Callable[[Any], bool]
    then: Callable[..., bool]

    def __call__(self, value: Any, *rest: Any) -> bool:
        return self.first(value) and self.then(*rest)


def records_of(kb: KnowledgeBase, views: list[Any]) -> list[Any]:
    """The records the views stand for, in their order; only those are built."""
    found = {}
    for kind in ("events", "positions"):
        wanted = {view.id for view in views if view._record_kind == kind}
        if wanted:
            found.update((r.id, r) for r in kb.with_ids(kind, wanted))
    return [found[view.id] for view in views]


def actor_names(kb: KnowledgeBase, ids: Iterable[str]) -> list[str]:
    return [_name_of(kb, i) for i in ids]


def _name_of(kb: KnowledgeBase, record_id: str) -> str:
    names = kb.memo("names", lambda: _names(kb))
    return names.get(record_id, record_id)


def _names(kb: KnowledgeBase) -> dict[str, str]:
    """Every actor's and topic's name by id: one dict, read from the cache's columns (not by_id)."""
    pairs = ("id", "name")
    return dict([*kb.values("actors", ("id",), anything, pairs), *kb.values("topics", ("id",), anything, pairs)])


def current_role(actor: Actor) -> str:
    """The title of the actor's latest role that has not ended, or ''."""
    open_roles = [r for r in actor.roles if r.until is None]
    if not open_roles:
        return ""
    dated = [r for r in open_roles if r.since is not None]
    latest = last_written(dated, lambda r: r.since) if dated else open_roles[-1]
    return latest.title if latest is not None else ""


@dataclass(frozen=True, slots=True)
class Counts:
    """How many events and positions involve, cite or touch a record."""

    events: int = 0
    positions: int = 0


def _count(pairs: Iterable[tuple[str, str]]) -> dict[str, Counts]:
    """From (id, 'events' | 'positions') pairs, the counts per id."""
    counts: dict[str, list[int]] = {}
    for record_id, kind in pairs:
        slot = counts.setdefault(record_id, [0, 0])
        slot[0 if kind == "events" else 1] += 1
    return {rid: Counts(*n) for rid, n in counts.items()}


def actor_counts(kb: KnowledgeBase) -> dict[str, Counts]:
    """Events each actor took part in and positions it stated."""
    pairs = [(a, "events") for e in kb.events for a in set(e.participants)]
    pairs += [(p.actor, "positions") for p in kb.positions]
    return _count(pairs)


def source_counts(kb: KnowledgeBase) -> dict[str, Counts]:
    """Events and positions (claims) citing each source."""
    pairs = [(s, "events") for e in kb.events for s in set(e.sources)]
    pairs += [(s, "positions") for p in kb.positions for s in set(p.sources)]
    return _count(pairs)


def topic_counts(kb: KnowledgeBase) -> dict[str, Counts]:
    """Events touching each topic and positions stated on it."""
    pairs = [(t, "events") for e in kb.events for t in set(e.topics)]
    pairs += [(p.topic, "positions") for p in kb.positions]
    return _count(pairs)


def list_actors(kb: KnowledgeBase, search: str | None = None) -> list[Actor]:
    """Actors whose id, name or alias contains `search` (folded); every actor without it."""
    key = fold(search) if search else ""
    return [a for a in kb.actors if not key or any(key in fold(name) for name in (a.id, a.name, *a.aliases))]


@dataclass(frozen=True, slots=True)
class Standing:
    """Where an actor stands on a topic (by a day, or now): the positions that may be its latest. `certain` when
    one stance is certainly the latest; `unstated` holds the ids of candidates perhaps not yet stated by the day."""

    candidates: tuple[Position, ...]
    certain: bool
    unstated: frozenset[str] = frozenset()


def standing(chron: Chronology, group: list[Position], as_of: PartialDate | None = None) -> Standing | None:
    """The standing of one actor on one topic from its positions (None when none was stated by `as_of`).

    A position counts as stated by the day only when its span ends by then; one that may have been is a
    candidate too, never a certain one. A candidate is any position certainly before no stated one."""
    if len(group) == 1:  # most actors say one thing on a topic: nothing to order
        only = group[0]
        when = "yes" if as_of is None else chron.span(only).stated_by(as_of)
        if when == "no":
            return None
        return Standing((only,), when == "yes", frozenset({only.id}) if when == "maybe" else frozenset())
    if as_of is None:
        stated, maybe = group, []
    else:
        said = [(p, chron.span(p).stated_by(as_of)) for p in group]
        stated = [p for p, when in said if when == "yes"]
        maybe = [p for p, when in said if when == "maybe"]
    pool = chron.ordered([*stated, *maybe])
    if not pool:
        return None
    candidates = chron.latest(pool, superseding=stated)
    unsure = {p.id for p in maybe}
    sure = [p for p in candidates if p.id not in unsure]
    if sure and len({p.stance for p in candidates}) == 1:
        return Standing((sure[-1],), True)
    return Standing(tuple(candidates), False, frozenset(p.id for p in candidates if p.id in unsure))


def standings(
    chron: Chronology, positions: Iterable[Position], as_of: PartialDate | None = None
) -> dict[tuple[str, str], Standing]:
    """The standing of every actor on every topic it has a position on, in the order first met."""
    groups: dict[tuple[str, str], list[Position]] = {}
    for p in positions:
        groups.setdefault((p.actor, p.topic), []).append(p)
    found = {key: standing(chron, group, as_of) for key, group in groups.items()}
    return {key: cell for key, cell in found.items() if cell is not None}


_NO_IDS: frozenset[str] = frozenset()
_KEPT_STANDINGS = "standings 1"  # what latest_standings keeps, and how: change it when either changes
_STANDING_FIELDS = ("actor", "date", "id", "stance", "topic")  # the views' fields, in their order (views_of)


def latest_standings(kb: KnowledgeBase) -> dict[tuple[str, str], Standing]:
    """`standings` of all the knowledge base's positions, now: what the matrix shows unfiltered. Ordering
    100,000 positions costs more than reading what it found, so the parse cache keeps that between commands
    (each candidate's id, date and stance). The candidates are views of positions, as `views_of` makes them."""

    def make() -> list[tuple[Any, ...]]:
        found = standings(chronology(kb), views_of(kb, "positions", _STANDING_FIELDS))
        return [(actor, topic, cell.certain, [(p.id, p.date.text, p.stance) for p in cell.candidates])
                for (actor, topic), cell in found.items()]  # fmt: skip

    view = _view(Position, _STANDING_FIELDS)._make
    kept = kb.memo(_KEPT_STANDINGS, make, keep=True)
    with collector_paused():  # 85,000 standings at L: the collector scanning them as they are made took 40%
        return {
            (actor, topic): Standing(
                tuple([view((actor, parse_date(date), i, stance, topic)) for i, date, stance in candidates]),
                certain,
                _NO_IDS,
            )
            for actor, topic, certain, candidates in kept
        }


@dataclass(frozen=True, slots=True)
class Held:
    """How sure a position listed `--as-of` a day is: certainly stated by then, and certainly the latest."""

    stated: bool
    latest: bool


def list_positions(kb: KnowledgeBase, filters: Filter, as_of: PartialDate | None = None) -> list[Position]:
    """Positions matching the filter, in time order; with `as_of`, what each actor may have held on each topic
    then (see `positions_held` for how sure each one is)."""
    return [p for p, _ in positions_held(kb, filters, as_of)]


def positions_held(
    kb: KnowledgeBase,
    filters: Filter,
    as_of: PartialDate | None = None,
    chron: Chronology | None = None,
) -> list[tuple[Position, Held]]:
    """`list_positions` with how sure each one is (always sure without `as_of`)."""
    # Asking for one actor's positions builds only those, when the knowledge base is read from the cache.
    narrowing = filters.narrowing("positions")
    pool = kb.where("positions", (narrowing[0],), narrowing[1]) if narrowing is not None else kb.positions
    chron = chron or chronology(kb)
    chosen = list(filter(filters.test("positions"), pool))
    if as_of is None:
        return [(p, Held(True, True)) for p in chron.ordered(chosen)]
    wanted = {(p.actor, p.topic) for p in chosen}
    mine = [p for p in kb.positions if (p.actor, p.topic) in wanted]  # the whole group decides what was held
    held: dict[str, Held] = {}
    for cell in standings(chron, mine, as_of).values():
        for p in cell.candidates:
            held[p.id] = Held(p.id not in cell.unstated, cell.certain)
    return [(p, held[p.id]) for p in chron.ordered(p for p in chosen if p.id in held)]


def compile_pattern(pattern: str, *options: bool, **named: bool) -> Pattern:
    """grep's PATTERN compiled (talkbase.ask.pattern.compile_pattern, which says what the options are); one
    RE2 cannot compile is a QueryError."""
    from talkbase.ask.pattern import PatternError
    from talkbase.ask.pattern import compile_pattern as compile_re2

    try:
        return compile_re2(pattern, *options, **named)
    except PatternError as exc:
        raise QueryError(f"invalid regular expression `{abbreviated(pattern)}`: {abbreviated(str(exc))}") from None


@dataclass(frozen=True, slots=True)
class Hit:
    """One field of one record where the pattern matched, with the matched spans."""

    record: Event | Position
    field: str
    text: str
    spans: tuple[tuple[int, int], ...]


GREP_FIELDS = {Position: ("claim", "quote"), Event: ("title", "summary", "location")}


class Mentions:
    """The test of whether a record's searched texts mention a pattern: called with one record's texts, or,
    through `rows`, given whole packed columns of them (as the parse cache keeps prose), which a plain pattern
    searches in one pass."""

    def __init__(self, pattern: Pattern) -> None:
        self.pattern = pattern
        # plain text cannot match across a line break: one search a record, over its texts joined
        self.joined = pattern.literal is not None and "\n" not in pattern.literal

    def __call__(self, *texts: str | None) -> bool:  # called on every record, so kept short
        if self.joined:
            present = [text for text in texts if text]
            return bool(present) and self.pattern.found("\n".join(present))
        return any(text and self.pattern.found(text) for text in texts)

    def rows(self, *columns: Texts) -> list[int] | None:
        """The rows where a text of any column is mentioned, in order; None when the pattern cannot search
        packed text (see `Pattern.rows_in`)."""
        return _union([self.pattern.rows_in(column) for column in columns])

    def rows_by_words(self, *columns: Words) -> list[int] | None:
        """What `rows` gives, from the columns' words (see `Words`), without reading their texts; None when
        the pattern cannot be looked up by words."""
        return _union([self.pattern.rows_by_words(column) for column in columns])


def _union(found: list[list[int] | None]) -> list[int] | None:
    """The rows found in any column, in order; None when a column could not be searched so."""
    if any(rows is None for rows in found):
        return None
    return sorted(set().union(*found))  # type: ignore[arg-type]


def _grep_candidates(kb: KnowledgeBase, pattern: Pattern, filters: Filter) -> list[Event | Position]:
    """Records (positions, then events, in file order) passing the filters where the pattern finds anything
    in a searched field; only these are built, when the knowledge base comes from the cache."""
    mentioned = Mentions(pattern)
    views = passing_views(kb, "positions", filters, GREP_FIELDS[Position], mentioned)
    return records_of(kb, views + passing_views(kb, "events", filters, GREP_FIELDS[Event], mentioned))


def grep(kb: KnowledgeBase, pattern: Pattern, filters: Filter) -> list[Hit]:
    """Every claim, quote, event title and summary matching `pattern`, in date order."""
    hits = []
    for record in _grep_candidates(kb, pattern, filters):
        for name in GREP_FIELDS[type(record)]:
            text = getattr(record, name)
            spans = pattern.spans(text) if text else ()
            if spans:  # as ripgrep, an empty match is a match: `^` and the empty pattern match every record
                hits.append(Hit(record, name, text, spans))
    records = {id(h.record): h.record for h in hits}.values()
    order = {id(r): i for i, r in enumerate(chronology(kb).ordered(records))}
    return sorted(hits, key=lambda hit: order[id(hit.record)])


def grep_ids(kb: KnowledgeBase, pattern: Pattern, filters: Filter) -> list[str]:
    """The ids of the records `grep` has hits in, each once, in the order of their first hit (for --ids). Only
    the fields the filter tests are read (with the id and date, for the order), so a knowledge base from the
    cache builds no record."""
    return [view.id for view in chronology(kb).ordered(_grep_views(kb, pattern, filters, ordered=True))]


def grep_count(kb: KnowledgeBase, pattern: Pattern, filters: Filter) -> int:
    """How many records `grep` has hits in (for --count): no id or date is read, only what the filter tests."""
    if filters.empty:  # the pattern is the only test: its hits are counted, and no view is made of them
        hit = Mentions(pattern)
        kinds = (("positions", Position), ("events", Event))
        return sum(len(kb.values(kind, GREP_FIELDS[cls], hit, ())) for kind, cls in kinds)
    return len(_grep_views(kb, pattern, filters, ordered=False))


def _grep_views(kb: KnowledgeBase, pattern: Pattern, filters: Filter, ordered: bool) -> list[Any]:
    hit = Mentions(pattern)
    return [
        *passing_views(kb, "positions", filters, GREP_FIELDS[Position], hit, ordered),
        *passing_views(kb, "events", filters, GREP_FIELDS[Event], hit, ordered),
    ]


def resolve_record(kb: KnowledgeBase, wanted: str) -> Record:
    """Any record by id; else an actor or topic by name; else an error with suggestions."""
    if wanted in kb.by_id:
        return kb.by_id[wanted]
    for resolve in (resolve_actor, resolve_topic):
        try:
            return kb.by_id[resolve(kb, wanted)]
        except QueryError as exc:
            if "ambiguous" in str(exc):
                raise  # `vladimir` is two actors: say which, rather than "no record"
            continue
    suggestions = close_matches(wanted, kb.by_id)
    hint = f" (did you mean {', '.join(f'`{n}`' for n in suggestions)}?)" if suggestions else ""
    raise QueryError(f"no record `{wanted}`{hint}")


def referrers(kb: KnowledgeBase, record_id: str) -> list[Record]:
    """Every record that names `record_id` in one of its reference fields."""
    every = (*kb.actors, *kb.sources, *kb.topics, *kb.events, *kb.positions)
    return [record for record in every if record_id in references_of(record)]


def references_of(record: Record) -> set[str]:
    """The ids a record names in its reference fields, as the schema lists them."""
    found: set[str] = set()
    for spec in KINDS[kind_key(record)].fields:
        value = getattr(record, spec.name)
        if spec.type == REF and value:
            found.add(value)
        elif spec.type == REFS:
            found.update(value)
        elif spec.type == ORDER:  # `after`/`before` name records, and dates, which are no reference
            found.update(item for item in value if not looks_like_date(item))
    return found


def known_from(kb: KnowledgeBase, sources: tuple[str, ...], own_date: PartialDate) -> PartialDate:
    """When a reader could first know something: the earliest publication date among its sources
    (a source without a date counts as published on the record's own date)."""
    dates = [getattr(kb.by_id.get(s), "date", None) or own_date for s in sources] or [own_date]
    return soonest_over(dates)


def _known(kb: KnowledgeBase, sources: tuple[str, ...], own_date: PartialDate, day: PartialDate) -> bool:
    # A source dated only to a month (or year) is certainly out only at the end of it: counting it from its
    # first day would show readers on 1 July what an article of late July reported.
    return at_or_before(known_from(kb, sources, own_date), day)


def published_by(source: Source, day: PartialDate) -> bool:
    """Whether a source was certainly out on `day` (one without a date is taken as out)."""
    return source.date is None or at_or_before(source.date, day)


def known_status(kb: KnowledgeBase, event: Event, day: PartialDate) -> str:
    """The event's status as a reader knew it on `day`: its latest history entry published by then. An event
    that had not yet taken place on `day` was at most scheduled, whatever was reported later."""
    known = [h for h in event.history if _known(kb, h.sources, h.date, day)]
    latest = last_written(known, lambda h: h.date)
    status = latest.status if latest is not None else event.status
    if status == "held" and not at_or_before(event.date, day):
        return "scheduled"
    return status


def event_known(kb: KnowledgeBase, event: Event, day: PartialDate) -> bool:
    return _known(kb, event.sources, event.date, day) or any(_known(kb, h.sources, h.date, day) for h in event.history)


def as_known_at(kb: KnowledgeBase, day: PartialDate) -> KnowledgeBase:
    """The knowledge base as a reader could have known it on `day`: only events and positions whose sources
    were published by then, each event with the status known that day. Actors, topics and sources stay."""
    events = [replace(e, status=known_status(kb, e, day)) for e in kb.events if event_known(kb, e, day)]
    # A statement cannot be read before it was made (as its date and any after/before put it), whatever older
    # source is also cited for it.
    chron = chronology(kb)
    positions = [p for p in kb.positions if _known(kb, p.sources, p.date, day) and chron.span(p).stated_by(day) != "no"]
    known = KnowledgeBase(actors=kb.actors, sources=kb.sources, topics=kb.topics, events=events, positions=positions)
    known.by_id = {r.id: r for r in (*kb.actors, *kb.sources, *kb.topics, *events, *positions)}
    return known


def _vias(kb: KnowledgeBase) -> dict[str, str | None]:
    """The source each source is known through (`via`), every source's, in one dict made once per knowledge
    base from the stored values (at 100,000 positions, a look-up through `by_id` for every citation was a second
    of `sources --sole`, and building every source a fifth of `grep --source`)."""
    return kb.memo("via", lambda: dict(kb.values("sources", ("id",), anything, ("id", "via"))))


def _via_of(kb: KnowledgeBase) -> Callable[[str], str | None]:
    return _vias(kb).get


def resting_on_any(kb: KnowledgeBase, named: set[str]) -> set[str]:
    """The sources that are, or are known through, one of the `named` (what rests on them)."""
    via_of = _via_of(kb)  # (a source known through none is its own chain: no walk for most of them)
    found = _vias(kb).items()
    return {s for s, via in found if s in named or (via is not None and not named.isdisjoint(chain(s, via_of)))}


def source_chain(kb: KnowledgeBase, source_id: str) -> list[str]:
    """The source, the source it is known through, and so on to its origin."""
    return chain(source_id, _via_of(kb))


def origins_of(kb: KnowledgeBase, source_ids: Iterable[str]) -> list[str]:
    """The independent origins of these citations: sources known through one another count once."""
    return origins_finder(kb)(source_ids)


def origins_finder(kb: KnowledgeBase) -> Callable[[Iterable[str]], list[str]]:
    """`origins_of`, to ask of many records' citations."""
    origin = kb.memo("origins", lambda: _origins(kb)).get  # (a source not in it is its own origin, as in `chain`)
    return lambda source_ids: list(dict.fromkeys([origin(source, source) for source in source_ids]))


def _origins(kb: KnowledgeBase) -> dict[str, str]:
    """Each source's origin, every source's, found once per knowledge base (100,000 claims cite 20,000 sources:
    `sources --sole` asked each citation's chain again)."""
    via_of = _via_of(kb)
    return {source: source if via is None else origins([source], via_of)[0] for source, via in _vias(kb).items()}


def resting_on(kb: KnowledgeBase, source_id: str) -> list[Event | Position]:
    """The events and claims that cite a source known through this one (`via`, at any depth), not this one."""
    through = {s.id for s in kb.sources if s.id != source_id and source_id in source_chain(kb, s.id)}
    return [
        record
        for record in (*kb.events, *kb.positions)
        if source_id not in record.sources and not through.isdisjoint(record.sources)
    ]


def quote_passage(
    kb: KnowledgeBase, position: Position, text_of: Callable[[Any], str | None]
) -> tuple[str, Passage] | None:
    """The source whose text holds the position's quote (one it cites, or one those are known through), and
    the passage around the quote there; None when no such text holds it."""
    if not position.quote:
        return None
    for cited in position.sources:
        for source_id in source_chain(kb, cited):
            text = text_of(kb.by_id[source_id]) if source_id in kb.by_id else None
            found = find_quote(position.quote, text) if text else None
            if found is not None and text is not None:
                return source_id, passage_around(found, text)
    return None
