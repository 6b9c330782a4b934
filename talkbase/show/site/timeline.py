"""The timeline's geometry: where each event and position is drawn on a time axis, in lanes per actor or per
topic, as plain numbers the SVG template draws (and the page's script re-scales when zooming).

A record is drawn over every day it may fall on: a partial date (`2025-07`) as a bar over its month, narrowed
by any `after`/`before` order (the Chronology's spans), so the picture never claims more than the dates say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from talkbase.records.dates import Chronology, Span
from talkbase.records.model import Event, Position

WIDTH = 1000.0  # the axis, in SVG units (the page scales the drawing to its width)
GUTTER = 190.0  # lane names, left of the axis
ROW = 16.0  # one row of marks
GAP = 10.0  # between lanes
MIN_MARK = 5.0  # a one-day mark is drawn at least this wide, so that it can be seen and clicked


@dataclass(frozen=True, slots=True)
class Mark:
    """One record on the axis: its days (`first`..`last`, as ordinal day numbers), where it is drawn, and what
    it says; `css` names its status or stance, `partial` a date coarser than a day (drawn as a span)."""

    record_id: str
    kind: str  # "event" or "position"
    label: str
    css: str
    first: int
    last: int
    x: float
    width: float
    y: float
    partial: bool


@dataclass(frozen=True, slots=True)
class Lane:
    title: str
    record_id: str | None  # the actor or topic the lane is for (None: the events' lane)
    kind: str  # "actor", "topic" or "events"
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class Tick:
    x: float
    day: int
    label: str


@dataclass
class Drawing:
    """A laid-out timeline: its days, its lanes and marks, and the ticks of its axis."""

    start: int
    end: int
    lanes: list[Lane] = field(default_factory=list)
    marks: list[Mark] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    height: float = 0.0
    width: float = WIDTH + GUTTER


def days_of(records: Iterable[Event | Position], chron: Chronology) -> tuple[int, int] | None:
    """The first and last day any of the records may fall on, as ordinals (None for no records)."""
    spans = [chron.span(r) for r in records]
    if not spans:
        return None
    return min(s.first for s in spans).toordinal(), max(s.last for s in spans).toordinal()


def lay_out(
    events: Sequence[Event],
    positions: Sequence[Position],
    chron: Chronology,
    lanes_of: Callable[[Position], tuple[str, str]],
    lane_title: Callable[[str], str],
    lane_kind: str,
    period: tuple[int, int] | None = None,
) -> Drawing:
    """Events in a lane of their own, then the positions in a lane per `lanes_of(position)` = (key, order)."""
    if period is None:  # the records' own days, with one of room either side
        found = days_of([*events, *positions], chron)
        if found is None:  # nothing to draw: an empty drawing, the same whatever the day
            return Drawing(0, 0)
        period = (found[0] - 1, found[1] + 1)
    start, end = period
    drawing = Drawing(start, end)
    scale = WIDTH / max(end - start + 1, 1)
    y = 24.0  # below the axis labels
    groups: dict[str, list[Position]] = {}
    for p in positions:
        groups.setdefault(lanes_of(p)[0], []).append(p)
    order = sorted(groups, key=lambda key: lanes_of(groups[key][0])[1])
    lanes: list[tuple[str | None, str, str, Sequence[Event | Position]]] = []
    if events:
        lanes.append((None, "Events", "events", events))
    lanes += [(key, lane_title(key), lane_kind, groups[key]) for key in order]
    for key, title, kind, records in lanes:
        rows = _packed([(_within(chron.span(r), start, end), r) for r in records], start, scale)
        for row, (span, record) in rows:
            x = GUTTER + (span.first.toordinal() - start) * scale
            drawing.marks.append(
                Mark(
                    record.id,
                    "event" if isinstance(record, Event) else "position",
                    _label(record),
                    f"status-{record.status}" if isinstance(record, Event) else f"stance-{record.stance}",
                    chron.span(record).first.toordinal(),  # the record's own days, for the script's zoom
                    chron.span(record).last.toordinal(),
                    round(x, 2),
                    round(max(span.width() * scale, MIN_MARK), 2),
                    y + row * ROW,
                    record.date.precision != "day",
                )
            )
        height = (max((row for row, _ in rows), default=0) + 1) * ROW
        drawing.lanes.append(Lane(title, key, kind, y, height))
        y += height + GAP
    drawing.height = y + 4
    drawing.ticks = ticks(start, end, scale)
    return drawing


Placed = tuple[Span, Event | Position]


def _within(span: Span, start: int, end: int) -> Span:
    """The part of a record's days a drawing of the days `start`..`end` shows (a month page cuts a year's bar)."""
    first, last = max(span.first.toordinal(), start), min(span.last.toordinal(), end)
    return Span(dt.date.fromordinal(first), dt.date.fromordinal(max(first, last)))


def _packed(items: list[Placed], start: int, scale: float) -> list[tuple[int, Placed]]:
    """Each item with the row it goes in: the first row where it overlaps nothing drawn (in time order)."""
    ends: list[float] = []  # the right edge of the last mark in each row
    placed = []
    for item in sorted(items, key=lambda pair: (pair[0].first, pair[0].last)):
        span = item[0]
        left = (span.first.toordinal() - start) * scale
        right = left + max(span.width() * scale, MIN_MARK)
        row = next((i for i, edge in enumerate(ends) if edge + 1 < left), len(ends))
        if row == len(ends):
            ends.append(right)
        else:
            ends[row] = right
        placed.append((row, item))
    return placed


def _label(record: Event | Position) -> str:
    if isinstance(record, Event):
        return f"{record.title} ({record.status}, {record.date}{'–' + str(record.end) if record.end else ''})"
    return f"{record.stance}: {record.claim} ({record.date})"


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def ticks(start: int, end: int, scale: float) -> list[Tick]:
    """Axis ticks for the days `start`..`end`: days, months or years, whichever gives a readable number."""
    first, last = dt.date.fromordinal(start), dt.date.fromordinal(end)
    days = end - start
    found: list[Tick] = []
    if days <= 45:
        step = 1 if days <= 14 else 7
        day = first
        while day <= last:
            year = f" {day.year}" if not found else ""
            found.append(Tick(0, day.toordinal(), f"{day.day} {_MONTHS[day.month - 1]}{year}"))
            day += dt.timedelta(days=step)
    elif days <= 800:
        step = 1 if days <= 400 else 3
        month = dt.date(first.year, first.month, 1)
        while month <= last:
            if month >= first:
                name = _MONTHS[month.month - 1] + (f" {month.year}" if month.month == 1 or not found else "")
                found.append(Tick(0, month.toordinal(), name))
            year, index = divmod(month.month - 1 + step, 12)
            month = dt.date(month.year + year, index + 1, 1)
    else:
        step = max(1, (last.year - first.year) // 12)
        for year in range(first.year + 1, last.year + 1, step):
            found.append(Tick(0, dt.date(year, 1, 1).toordinal(), str(year)))
    placed = [Tick(round(GUTTER + (t.day - start) * scale, 2), t.day, t.label) for t in found]
    return [t for t in placed if t.x <= GUTTER + WIDTH - 6 * len(t.label)]  # a label that would run off the edge
