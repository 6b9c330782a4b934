"""Questions asked of a knowledge base: pure functions from a KnowledgeBase and filters to lists of records.

Names given on the command line (actors, topics, sources) are resolved here too, so every command
understands them the same way.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from talkbase.dates import PartialDate
from talkbase.hints import close_matches
from talkbase.model import Actor, Event, KnowledgeBase, Position, Topic


class QueryError(Exception):
    """A name or value on the command line that does not fit the knowledge base (a usage error)."""


def fold(text: str) -> str:
    """Case- and diacritic-insensitive form of a name: `Erdoğan` and `erdogan` fold alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).strip()


def _resolve(kind: str, wanted: str, candidates: dict[str, list[str]], labels: dict[str, str]) -> str:
    """Pick the one id whose names fold to `wanted`, else the one containing it; else a helpful error."""
    key = fold(wanted)
    exact = [record_id for record_id, names in candidates.items() if key in names]
    if len(exact) == 1:
        return exact[0]
    partial = exact or [rid for rid, names in candidates.items() if any(key in name for name in names)]
    if len(partial) == 1:
        return partial[0]
    if partial:
        could_be = ", ".join(f"{rid} ({labels[rid]})" for rid in sorted(partial))
        raise QueryError(f"{kind} `{wanted}` is ambiguous: it could be {could_be}")
    suggestions = close_matches(key, [n for names in candidates.values() for n in names])
    named = sorted({rid for rid, names in candidates.items() if set(names) & set(suggestions)})
    hint = f" (did you mean {', '.join(f'`{n}`' for n in named)}?)" if named else ""
    raise QueryError(f"{kind} `{wanted}` not found{hint}")


def resolve_actor(kb: KnowledgeBase, wanted: str) -> str:
    """An actor's id from its id, name or any alias, ignoring case and diacritics."""
    names = {a.id: [fold(n) for n in (a.id, a.name, *a.aliases)] for a in kb.actors}
    return _resolve("actor", wanted, names, {a.id: a.name for a in kb.actors})


def resolve_topic(kb: KnowledgeBase, wanted: str) -> str:
    """A topic's id from its id or name, ignoring case and diacritics."""
    names = {t.id: [fold(t.id), fold(t.name)] for t in kb.topics}
    return _resolve("topic", wanted, names, {t.id: t.name for t in kb.topics})


def resolve_sources(kb: KnowledgeBase, wanted: str) -> set[str]:
    """Source ids matching an id, or a case-insensitive substring of publisher, title or URL host."""
    if wanted in kb.by_id and any(s.id == wanted for s in kb.sources):
        return {wanted}
    key = fold(wanted)
    matched = {
        s.id for s in kb.sources if any(key in fold(text) for text in (s.id, s.publisher or "", s.title, _host(s.url)))
    }
    if not matched:
        suggestions = close_matches(wanted, [s.id for s in kb.sources])
        hint = f" (did you mean {', '.join(f'`{n}`' for n in suggestions)}?)" if suggestions else ""
        raise QueryError(f"no source matches `{wanted}`{hint}")
    return matched


def _host(url: str | None) -> str:
    return urlsplit(url).hostname or "" if url else ""


@dataclass(slots=True)
class Filters:
    """What the user asked to narrow a listing to; empty means everything."""

    since: PartialDate | None = None
    until: PartialDate | None = None
    actors: set[str] = field(default_factory=set)
    topics: set[str] = field(default_factory=set)
    sources: set[str] | None = None
    statuses: set[str] = field(default_factory=set)
    kinds: set[str] = field(default_factory=set)


def in_period(first: PartialDate, last: PartialDate, filters: Filters) -> bool:
    """A record from `first` to `last` is in range when it overlaps [since, until]; partial dates at their start."""
    if filters.since and last.start < filters.since.start:
        return False
    return not (filters.until and first.start > filters.until.end)


def event_matches(event: Event, filters: Filters) -> bool:
    return (
        in_period(event.date, event.end or event.date, filters)
        and (not filters.actors or bool(filters.actors & set(event.participants)))
        and (not filters.topics or bool(filters.topics & set(event.topics)))
        and (filters.sources is None or bool(filters.sources & set(event.sources)))
        and (not filters.statuses or event.status in filters.statuses)
        and (not filters.kinds or event.kind in filters.kinds)
    )


def position_matches(position: Position, filters: Filters) -> bool:
    return (
        in_period(position.date, position.date, filters)
        and (not filters.actors or position.actor in filters.actors)
        and (not filters.topics or position.topic in filters.topics)
        and (filters.sources is None or bool(filters.sources & set(position.sources)))
    )


TimelineItem = Event | Position


def timeline(
    kb: KnowledgeBase,
    filters: Filters,
    with_positions: bool = False,
    reverse: bool = False,
    limit: int | None = None,
) -> list[TimelineItem]:
    """Events (and, if asked, positions) in date order; partial dates sort at their earliest day."""
    items: list[TimelineItem] = [e for e in kb.events if event_matches(e, filters)]
    if with_positions and not filters.statuses and not filters.kinds:
        items.extend(p for p in kb.positions if position_matches(p, filters))
    items.sort(key=lambda item: item.date.sort_key(), reverse=reverse)
    return items[:limit] if limit is not None else items


def actor_names(kb: KnowledgeBase, ids: Iterable[str]) -> list[str]:
    return [_name_of(kb, i) for i in ids]


def _name_of(kb: KnowledgeBase, record_id: str) -> str:
    record = kb.by_id.get(record_id)
    if isinstance(record, (Actor, Topic)):
        return record.name
    return record_id
