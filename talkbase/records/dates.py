"""Dates and order: the one module that does date arithmetic.

A partial date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) is parsed once, kept as written, and stands for an interval of
days: `2025-07` is 1-31 July. A record (an event, a position) occupies a `Span` of days: its date's interval,
widened by an event's `end`, narrowed by the curator's `after`/`before`. One record is certainly before another
only when its span ends before the other's begins, or when `after`/`before` say so (directly or through a chain);
otherwise their order is unknown. `Chronology` holds those facts for a knowledge base and answers every question
about order that a command asks: is A before B, what may be the latest, was it stated by a day, in what order to
list records.
"""

from __future__ import annotations

import bisect
import datetime as dt
import heapq
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, TypeVar

T = TypeVar("T")

# ASCII digits only: `\d` and int() would also take ２０２５ or ٢٠٢٥, which no reader of the file sees as a date
_DATE_RE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
DATE_FORMAT_HINT = "write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-07 or 2025-07-23"


class DateError(ValueError):
    """A date that is malformed (2025-7-3) or impossible (2025-02-30)."""


@dataclass(frozen=True, slots=True, order=False)
class PartialDate:
    """A date at year, month or day precision; `text` is exactly what the curator wrote."""

    text: str
    start: dt.date
    end: dt.date

    @property
    def precision(self) -> str:
        return ("year", "month", "day")[self.text.count("-")]

    def __str__(self) -> str:
        return self.text


@lru_cache(maxsize=16384)  # a knowledge base repeats its dates; PartialDate is immutable, so sharing is safe
def parse_date(text: str) -> PartialDate:
    """Parse a partial date, raising DateError with a message that says what is wrong.

    Only the ASCII form is a date, exactly as written: no other digits and no spaces around it (the JSON
    Schema says the same), so `" 2025"` or `"２０２５"` is malformed rather than silently read."""
    match = _DATE_RE.fullmatch(text)
    if not match:
        raise DateError(f"malformed date `{text}`")
    year, month, day = (int(g) if g else None for g in match.groups())
    if month is not None and not 1 <= month <= 12:
        raise DateError(f"impossible date `{text}`: there is no month {month}")
    try:
        if month is None:
            return PartialDate(text, dt.date(year, 1, 1), dt.date(year, 12, 31))
        if day is None:
            last = 31 if month == 12 else (dt.date(year, month + 1, 1) - dt.timedelta(days=1)).day
            return PartialDate(text, dt.date(year, month, 1), dt.date(year, month, last))
        day_date = dt.date(year, month, day)
    except ValueError as exc:
        raise DateError(f"impossible date `{text}`: {exc}") from None
    return PartialDate(text, day_date, day_date)


DAY = dt.timedelta(days=1)
# Bit masks of a group's orders take time and memory quadratic in it. A group that after/before link is read with
# them up to this many records; one without links, up to MASKED_UNLINKED (beyond, its dates alone answer in time
# linear in it, slightly more cautiously). Groups that large (one actor, one topic) are hostile data more than a
# negotiation.
MASKED_GROUP = 20000
MASKED_UNLINKED = 3000
# What a curator means as a date in `after`/`before` (a slug such as `round-3` is an id); malformed ones included,
# so that `2025-7-3` is reported as a bad date rather than as an unknown record.
DATE_LIKE = re.compile(r"[0-9]{4}(?:-[0-9]+){0,2}")


def looks_like_date(value: str) -> bool:
    """Whether an `after`/`before` item is meant as a date rather than a record id."""
    return DATE_LIKE.fullmatch(value) is not None


@dataclass(frozen=True, slots=True)
class Span:
    """The days a record may fall on, first and last included."""

    first: dt.date
    last: dt.date

    def before(self, other: Span) -> bool:
        """Certainly before: this span ends before the other begins."""
        return self.last < other.first

    def stated_by(self, day: PartialDate) -> str:
        """'yes' when the span ends by the end of `day`, 'no' when it begins after it, else 'maybe'."""
        if self.last <= day.end:
            return "yes"
        return "no" if self.first > day.end else "maybe"

    def overlaps(self, since: PartialDate | None, until: PartialDate | None) -> bool:
        """Whether the span shares a day with the period from `since` to `until` (either may be open)."""
        return not ((since is not None and self.last < since.start) or (until is not None and self.first > until.end))

    def width(self) -> int:
        return (self.last - self.first).days + 1


def span_of(date: PartialDate, end: PartialDate | None = None) -> Span:
    """The days a record dated `date` (through `end`, for a multi-day event) may fall on."""
    return Span(date.start, (end or date).end)


def at_or_before(date: PartialDate, day: PartialDate) -> bool:
    """Whether all of `date` is over by the end of `day`: a source of July is certainly out on 31 July only."""
    return date.end <= day.end


def last_written(items: Iterable[T], date_of: Callable[[T], PartialDate]) -> T | None:
    """The latest of dated entries (roles, status history), read in file order: an entry replaces the one so far
    unless it is certainly before it, so where the dates leave the order open the entry written last wins."""
    latest: T | None = None
    for item in items:
        if latest is None or not span_of(date_of(item)).before(span_of(date_of(latest))):
            latest = item
    return latest


def soonest_over(dates: Iterable[PartialDate]) -> PartialDate:
    """Of several dates, the one certainly over first (the earliest last day): when a reader could first know."""
    return min(dates, key=lambda d: d.end)


@dataclass(frozen=True, slots=True)
class Timed:
    """What the chronology needs of a record: its id, its span as dated, and the order its curator gave."""

    id: str
    span: Span
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    # A multi-day event takes all its days: it begins on a day of `date` and ends on a day of `end`. What comes
    # after it begins after it ends, and an `after` bound moves its beginning, never into its own days.
    latest_start: dt.date | None = None  # the last day it may begin (default: span.last, one day somewhere)
    earliest_end: dt.date | None = None  # the first day it may end (default: span.first)

    @property
    def begins_by(self) -> dt.date:
        return self.latest_start or self.span.last

    @property
    def ends_from(self) -> dt.date:
        return self.earliest_end or self.span.first


def timed(record: Any) -> Timed:
    """A record as the chronology sees it."""
    end = getattr(record, "end", None)
    span = span_of(record.date, end)
    order = getattr(record, "after", ()), getattr(record, "before", ())
    if end is None:
        return Timed(record.id, span, *order)
    return Timed(record.id, span, *order, latest_start=record.date.end, earliest_end=end.start)


@dataclass(frozen=True, slots=True)
class Conflict:
    """An order the curator gave that the dates (or the other orders) rule out; `index` is the item of
    `field` at fault, or None when only the combination is impossible."""

    record: str
    field: str
    index: int | None
    message: str


class Chronology:
    """The order of records: spans narrowed by `after`/`before`, and which record is certainly before which.

    Built from the records that give an order and the records they name; every other record keeps the span of
    its date. `cycles` and `conflicts` are what `check` reports; a valid knowledge base has neither."""

    def __init__(self, nodes: Iterable[Timed]) -> None:
        self.narrowed: dict[str, Span] = {}
        self.cycles: list[list[str]] = []
        self.conflicts: list[Conflict] = []
        self._later: dict[str, set[str]] = {}  # explicit order: id -> ids said to come after it
        self._reach: dict[str, frozenset[str]] = {}
        given = list(nodes)
        self._nodes = {node.id: node for node in given}
        bounds = {node.id: [node.span.first, node.span.last, "", ""] for node in given}
        for node in given:
            self._read_order(node, bounds)
        targets = {t for laters in self._later.values() for t in laters}
        self._linked = targets | self._later.keys()  # records in an explicit order
        looped = self._find_cycles([node.id for node in given])
        failed = {c.record for c in self.conflicts}
        self._topo = self._topological_ids(looped)
        self._narrow(bounds, looped | failed)  # what is already wrong is reported once, not again downstream
        for node in given:
            first, last, why_first, why_last = bounds[node.id]
            # Reported where an order is written: the end of every chain that empties a record writes one.
            if not _possible(node, first, last):
                if (node.after or node.before) and node.id not in failed | looped:
                    message = (
                        f"its {_fields(node)} no day for it: on or after {first} ({why_first or 'its date'}) "
                        f"and on or before {last} ({why_last or 'its date'})"
                    )
                    self.conflicts.append(Conflict(node.id, "after" if node.after else "before", None, message))
            elif (first, last) != (node.span.first, node.span.last):
                self.narrowed[node.id] = Span(first, last)

    def _read_order(self, node: Timed, bounds: dict[str, list[Any]]) -> None:
        """The bounds a node's own `after`/`before` give, its edges, and the items the dates rule out."""
        mine = bounds[node.id]
        for name, items in (("after", node.after), ("before", node.before)):
            for index, item in enumerate(items):
                if looks_like_date(item):
                    try:
                        date = parse_date(item)
                    except DateError:
                        continue  # reported by validation
                    problem = self._date_bound(node, name, date, mine)
                elif item in self._nodes:
                    problem = self._record_bound(node, name, item)
                else:
                    continue  # not a dated record: validation reports the reference
                if problem:
                    self.conflicts.append(Conflict(node.id, name, index, problem))

    def _date_bound(self, node: Timed, name: str, date: PartialDate, mine: list[Any]) -> str:
        written = _shown(node.span)
        if name == "after":
            if date.end >= node.begins_by:
                return f"`after: {date}` contradicts its date: {_begins(node, written)}, which is not after {date}"
            if date.end + DAY > mine[0]:
                mine[0], mine[2] = date.end + DAY, f"after {date}"
        else:
            if date.start <= node.ends_from:
                return f"`before: {date}` contradicts its date: {_ends(node, written)}, which is not before {date}"
            if date.start - DAY < mine[1]:
                mine[1], mine[3] = date.start - DAY, f"before {date}"
        return ""

    def _record_bound(self, node: Timed, name: str, other: str) -> str:
        earlier, later = (other, node.id) if name == "after" else (node.id, other)
        self._later.setdefault(earlier, set()).add(later)
        first, then = self._nodes[earlier], self._nodes[later]
        if then.begins_by < first.ends_from:  # it must begin after the other has ended
            how = "certainly comes before" if then.latest_start is first.earliest_end is None else "begins before"
            ends = "" if first.earliest_end is None else " ends"
            return (
                f"`{name}: {other}` contradicts the dates: `{later}` ({_shown(then.span)}) {how} "
                f"`{earlier}` ({_shown(first.span)}){ends}"
            )
        return ""

    def _find_cycles(self, order: list[str]) -> set[str]:
        """Every loop of `after`/`before` (a after b after a), as the records in it; returns all looped ids."""
        rank = {record_id: i for i, record_id in enumerate(order)}
        looped: set[str] = set()
        for component in _strong_components(self._later, order):
            if len(component) > 1 or component[0] in self._later.get(component[0], ()):
                members = sorted(component, key=rank.__getitem__)
                self.cycles.append(_loop_through(members, self._later))
                looped.update(members)
        return looped

    def _topological_ids(self, looped: set[str]) -> list[str]:
        """The linked records outside loops, each after every record said to come before it (Kahn's algorithm)."""
        waiting = dict.fromkeys(self._linked - looped, 0)
        for earlier, laters in self._later.items():
            for later in laters:
                if earlier in waiting and later in waiting:
                    waiting[later] += 1
        free = sorted(i for i, n in waiting.items() if not n)
        order = []
        while free:
            record_id = free.pop()
            order.append(record_id)
            for later in self._later.get(record_id, ()):
                if later in waiting:
                    waiting[later] -= 1
                    if not waiting[later]:
                        free.append(later)
        return order

    def _narrow(self, bounds: dict[str, list[Any]], left_out: set[str]) -> None:
        """Push bounds along the explicit order: what comes after X begins no earlier than X ends, and X ends no
        later than what comes after it may begin. One pass forward and one back, in topological order, settle
        it. Records in a loop or with a wrong order of their own (`left_out`) neither push nor are pushed."""
        for earlier in self._topo:
            low, first = bounds[earlier], self._nodes[earlier]
            if earlier in left_out or not _possible(first, low[0], low[1]):
                continue
            ends_from = max(first.ends_from, low[0])
            for later in self._later.get(earlier, ()):
                high = bounds[later]
                if later not in left_out and ends_from > high[0]:
                    high[0], high[2] = ends_from, f"after `{earlier}`" + (f", which is {low[2]}" if low[2] else "")
        for earlier in reversed(self._topo):
            if earlier in left_out:
                continue
            low = bounds[earlier]
            for later in self._later.get(earlier, ()):
                high, then = bounds[later], self._nodes[later]
                begins_by = min(then.begins_by, high[1])
                if later not in left_out and _possible(then, high[0], high[1]) and begins_by < low[1]:
                    low[1], low[3] = begins_by, f"before `{later}`" + (f", which is {high[3]}" if high[3] else "")

    def span(self, record: Any) -> Span:
        """The days a record may fall on: its date's span, narrowed by any order given."""
        found = self.narrowed.get(record.id)
        return found if found is not None else span_of(record.date, getattr(record, "end", None))

    def reach(self, record_id: str) -> frozenset[str]:
        """The ids said (directly or through a chain) to come after `record_id`."""
        if record_id not in self._later:
            return frozenset()
        found = self._reach.get(record_id)
        if found is None:
            seen: set[str] = set()
            stack = [record_id]
            while stack:
                for nxt in self._later.get(stack.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
            found = self._reach[record_id] = frozenset(seen)
        return found

    def beginning(self, record: Any) -> Span:
        """The days a record may begin on: its span, up to the last day of its date (an event lasts to its end)."""
        days = self.span(record)
        return Span(days.first, min(record.date.end, days.last))

    def linked(self, record: Any) -> bool:
        """Whether an after/before names the record or is its own."""
        return record.id in self._linked

    def before(self, a: Any, b: Any) -> bool:
        """Whether `a` certainly comes before `b`."""
        return self.span(a).before(self.span(b)) or b.id in self.reach(a.id)

    def ordered(self, records: Iterable[T]) -> list[T]:
        """Records in time order: by the first day they may fall on, a wider span (a coarser date) before a
        narrower one on the same day, then as written; every certain order and every `after`/`before` respected."""
        items = list(records)
        keys = [(s.first, -s.width(), i) for i, s in enumerate(map(self.span, items))]
        if not any(r.id in self._linked for r in items):
            return [items[k[2]] for k in sorted(keys)]
        return [items[i] for i in self._kahn(items, keys)]

    def _kahn(self, items: list[Any], keys: list[Any]) -> list[int]:
        # Kahn's algorithm over the direct orders, always taking the smallest key that is free: since what comes
        # after X never begins before X does, a record certainly before another by the dates is taken first too.
        # Linked records not asked for take part unlisted, so that a chain through them still counts.
        index = {r.id: i for i, r in enumerate(items)}
        for record_id in self._topo:
            if record_id not in index:
                index[record_id] = len(keys)
                days = self.narrowed.get(record_id) or self._nodes[record_id].span
                keys.append((days.first, -days.width(), len(keys)))
        later = {index[a]: [index[b] for b in bs if b in index] for a, bs in self._later.items() if a in index}
        # A record that must come first takes the earliest key of what waits for it, so that it is not held back
        # behind records the dates put later (the order stays one the dates and orders allow).
        for record_id in reversed(self._topo):
            i = index[record_id]
            keys[i] = (*min([keys[i], *(keys[t] for t in later.get(i, ()))])[:2], i)
        waiting = [0] * len(keys)
        for targets in later.values():
            for t in targets:
                waiting[t] += 1
        free = [keys[i] for i in range(len(keys)) if not waiting[i]]
        heapq.heapify(free)
        result = []
        while free:
            i = heapq.heappop(free)[2]
            if i < len(items):
                result.append(i)
            for t in later.get(i, ()):
                waiting[t] -= 1
                if not waiting[t]:
                    heapq.heappush(free, keys[t])
        return result

    def _explicit_masks(self, ids: list[str]) -> tuple[list[int], list[int]]:
        """For records with these ids, the masks of those said (through any chain) to come after and before each."""
        bit = {record_id: 1 << i for i, record_id in enumerate(ids)}
        down: dict[str, int] = {}
        for record_id in reversed(self._topo):
            mask = 0
            for later in self._later.get(record_id, ()):
                mask |= down.get(later, 0) | bit.get(later, 0)
            down[record_id] = mask
        up: dict[str, int] = {}
        for record_id in self._topo:
            mask = up.get(record_id, 0) | bit.get(record_id, 0)
            for later in self._later.get(record_id, ()):
                up[later] = up.get(later, 0) | mask
        own = {record_id: up.get(record_id, 0) & ~bit.get(record_id, 0) for record_id in ids}
        return [down.get(i, 0) for i in ids], [own[i] for i in ids]

    def relations(self, records: Sequence[Any]) -> Relations:
        """The certain orders among `records`, as bit masks (bit i: the i-th record)."""
        return Relations(self, records)

    def latest(self, records: Sequence[T], superseding: Sequence[T] | None = None) -> list[T]:
        """Those of `records` that may be the latest: certainly before none of `superseding` (default: of
        `records` themselves). In the order given."""
        others = list(records if superseding is None else superseding)
        if any(r.id in self._linked for r in (*records, *others)):
            group = list({id(r): r for r in (*others, *records)}.values())
            relations, at = self.relations(group), {id(r): i for i, r in enumerate(group)}
            mask = sum(1 << at[id(r)] for r in others)
            return [r for r in records if not relations.after[at[id(r)]] & mask]
        firsts = sorted(((self.span(r).first, i) for i, r in enumerate(others)), reverse=True)[:2]
        where = {id(r): i for i, r in enumerate(others)}
        result = []
        for record in records:
            own = where.get(id(record))
            top = next((first for first, i in firsts if i != own), None)
            if top is None or self.span(record).last >= top:
                result.append(record)
        return result

    def masked(self, records: Sequence[Any]) -> bool:
        """Whether a group is small enough to be read with bit masks (see MASKED_GROUP)."""
        limit = MASKED_GROUP if any(r.id in self._linked for r in records) else MASKED_UNLINKED
        return len(records) <= limit

    def unordered_pairs(self, records: Sequence[T], kind: Callable[[T], str]) -> dict[int, int]:
        """Every pair (i, j), i < j, of records of different `kind` whose order is unknown, as {i: mask of the j}.
        A group too large for masks gives each record that has such a peer one of them."""
        if not self.masked(records):
            return {i: 1 << j for i, j in self.unordered_peers(records, kind).items()}
        kinds = [kind(r) for r in records]
        relations = self.relations(records)
        of_kind: dict[str, int] = {}
        for i, name in enumerate(kinds):
            of_kind[name] = of_kind.get(name, 0) | 1 << i
        found = {}
        for i, name in enumerate(kinds):
            later = relations.unordered(i) & ~of_kind[name] & ~((2 << i) - 1)  # peers after i in the list
            if later:
                found[i] = later
        return found

    def unordered_peers(self, records: Sequence[T], kind: Callable[[T], str]) -> dict[int, int]:
        """For each record (by index) that has a peer of another `kind` whose order against it is unknown, one
        such peer's index."""
        if any(r.id in self._linked for r in records):
            return self.relations(records).unordered_peers([kind(r) for r in records])
        spans = [self.span(r) for r in records]
        kinds = [kind(r) for r in records]
        by_first = sorted(range(len(records)), key=lambda i: spans[i].first)
        found: dict[int, int] = {}
        # Earlier-starting peers overlap when they end on or after this one begins; later-starting ones when they
        # begin on or before it ends: one sweep each way, keeping the widest reach of each kind.
        for sweep, reaches, better in (
            (by_first, lambda j, i: spans[j].last >= spans[i].first, lambda j, k: spans[j].last > spans[k].last),
            (
                by_first[::-1],
                lambda j, i: spans[j].first <= spans[i].last,
                lambda j, k: spans[j].first < spans[k].first,
            ),
        ):
            best: dict[str, int] = {}
            for i in sweep:
                if i not in found:
                    peer = next((j for k, j in best.items() if k != kinds[i] and reaches(j, i)), None)
                    if peer is not None:
                        found[i] = peer
                held = best.get(kinds[i])
                if held is None or better(i, held):
                    best[kinds[i]] = i
        return found


class Relations:
    """The certain orders among a group of records as bit masks, bit i standing for the i-th record: `after[i]`
    holds the records certainly after it (by the dates, or by after/before through any chain), `before[i]` those
    certainly before it. Answers in time linear in the group for each record, where pairs would be quadratic."""

    def __init__(self, chron: Chronology, records: Sequence[Any]) -> None:
        spans = [chron.span(r) for r in records]
        self.size = len(records)
        self.after, self.before = chron._explicit_masks([r.id for r in records])
        by_last = sorted(range(self.size), key=lambda i: spans[i].last)
        by_first = sorted(range(self.size), key=lambda i: spans[i].first)
        lasts, firsts = [spans[i].last for i in by_last], [spans[i].first for i in by_first]
        ended = [0]  # ended[m]: the m records that end first
        for i in by_last:
            ended.append(ended[-1] | 1 << i)
        begun = [0] * (self.size + 1)  # begun[m]: the records from the m-th to begin on
        for m in range(self.size - 1, -1, -1):
            begun[m] = begun[m + 1] | 1 << by_first[m]
        for i, days in enumerate(spans):
            self.before[i] |= ended[bisect.bisect_left(lasts, days.first)]
            self.after[i] |= begun[bisect.bisect_right(firsts, days.last)]

    def unordered(self, i: int) -> int:
        """The records whose order against the i-th is unknown."""
        return ((1 << self.size) - 1) & ~(1 << i) & ~(self.after[i] | self.before[i])

    def unordered_peers(self, kinds: list[str]) -> dict[int, int]:
        of_kind: dict[str, int] = {}
        for i, kind in enumerate(kinds):
            of_kind[kind] = of_kind.get(kind, 0) | 1 << i
        found = {}
        for i, kind in enumerate(kinds):
            others = self.unordered(i) & ~of_kind[kind]
            if others:
                found[i] = (others & -others).bit_length() - 1
        return found


def _possible(node: Timed, first: dt.date, last: dt.date) -> bool:
    """Whether a record may still begin on or after `first` and end by `last`, on its own days."""
    return first <= min(node.begins_by, last) and max(node.ends_from, first) <= last


def _fields(node: Timed) -> str:
    """`after` leaves, `after` and `before` leave: the fields a record gives its order in, and the verb."""
    named = [f"`{name}`" for name in ("after", "before") if getattr(node, name)]
    return " and ".join(named) + (" leave" if len(named) > 1 else " leaves")


def _begins(node: Timed, written: str) -> str:
    return f"it is dated {written}" if node.latest_start is None else f"it begins by {node.latest_start}"


def _ends(node: Timed, written: str) -> str:
    return f"it is dated {written}" if node.earliest_end is None else f"it ends on or after {node.earliest_end}"


def _shown(span: Span) -> str:
    return str(span.first) if span.first == span.last else f"{span.first} to {span.last}"


def _strong_components(edges: dict[str, set[str]], order: list[str]) -> list[list[str]]:
    """Tarjan's strongly connected components of the graph `edges`, iteratively (no recursion limit)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for root in [n for n in order if n in edges]:
        if root in index:
            continue
        work = [(root, iter(sorted(edges.get(root, ()))))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(component)
    return components


def _loop_through(members: list[str], edges: dict[str, set[str]]) -> list[str]:
    """A shortest loop from the first member back to itself inside the component, then any members it missed:
    [a, b, c] for a before b before c before a."""
    inside = set(members)
    start = members[0]
    came_from: dict[str, str] = {}
    queue = [start]
    for node in queue:
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                loop = path[::-1]
                return loop + [m for m in members if m not in loop]
            if nxt in inside and nxt not in came_from:
                came_from[nxt] = node
                queue.append(nxt)
    return members
