"""The ics export: the selected events as an iCalendar (RFC 5545) file of all-day events, for any calendar app.

Only events known to the day can be placed on a calendar: an event whose `date` or `end` has only a year or a
month is left out, with a note saying so, unless after/before leave a one-day event a single day. Statuses map
to iCalendar's three: held is CONFIRMED, scheduled TENTATIVE, cancelled CANCELLED; postponed is TENTATIVE (the
meeting is still expected, not on that day), and its SUMMARY starts with "Postponed: " so the calendar shows it.
With no event to hold, there is no calendar (RFC 5545 requires one component): NothingToWrite.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from talkbase import __version__
from talkbase.records.dates import Span
from talkbase.records.model import Event, KnowledgeBase, Source
from talkbase.records.text import escape_controls
from talkbase.show.exports import Document, Export, NothingToWrite

STATUSES = {"held": "CONFIRMED", "scheduled": "TENTATIVE", "postponed": "TENTATIVE", "cancelled": "CANCELLED"}
PRODID = f"-//talkbase//talkbase {__version__}//EN"
_FOLD_AT = 75  # octets per line, CRLF not counted (RFC 5545, 3.1)


def render(export: Export) -> Document:
    """The calendar (CRLF line endings, lines folded) and one note per event left out. A calendar needs at least
    one event (RFC 5545, 3.6), so without one this raises NothingToWrite."""
    events: list[str] = []
    notes = []
    for event in export.events:
        days = _days(event, export.narrowed.get(event.id))
        if isinstance(days, str):
            notes.append(f"left out {event.id}: {days}")
        else:
            events += _vevent(export.kb, event, export.stamp, *days)
    if not events:
        raise NothingToWrite("no events with a day match" if notes else "no events match", tuple(notes))
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", *events, "END:VCALENDAR"]
    return Document("".join(fold(line) + "\r\n" for line in lines), tuple(notes))


def _days(event: Event, narrowed: Span | None) -> tuple[dt.date, dt.date] | str:
    """The first and last day of the event, or why it cannot be placed on days: a date without a day, unless
    after/before leave a one-day event a single day."""
    if event.end is None and narrowed is not None and narrowed.first == narrowed.last:
        return narrowed.first, narrowed.first
    for name, date in (("date", event.date), ("end", event.end)):
        if date is not None and date.precision != "day":
            return f"its {name} {date} has no day"
    return event.date.start, (event.end or event.date).end


def _vevent(kb: KnowledgeBase, event: Event, stamp: dt.datetime, first: dt.date, last: dt.date) -> Iterator[str]:
    yield "BEGIN:VEVENT"
    yield f"UID:{event.id}@talkbase"
    yield f"DTSTAMP:{stamp.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}"
    yield f"DTSTART;VALUE=DATE:{first:%Y%m%d}"
    yield f"DTEND;VALUE=DATE:{last + dt.timedelta(days=1):%Y%m%d}"  # DTEND is exclusive
    prefix = "Postponed: " if event.status == "postponed" else ""
    yield f"SUMMARY:{text(prefix + event.title)}"
    if event.location:
        yield f"LOCATION:{text(event.location)}"
    yield f"DESCRIPTION:{text(_description(kb, event))}"
    if event.kind:
        yield f"CATEGORIES:{text(event.kind)}"
    yield f"STATUS:{STATUSES[event.status]}"
    yield "END:VEVENT"


def _description(kb: KnowledgeBase, event: Event) -> str:
    parts = [event.summary] if event.summary else []
    if event.status != "held":
        parts.append(f"Status: {event.status}.")
    sources = [s for s in (kb.by_id.get(i) for i in event.sources) if isinstance(s, Source)]
    parts.append("Sources:\n" + "\n".join(f"- {_source_line(s)}" for s in sources))
    return "\n\n".join(parts)


def _source_line(source: Source) -> str:
    details = ", ".join(str(d) for d in (source.publisher, source.date) if d)
    line = f"{source.title} ({details})" if details else source.title
    return f"{line} {source.url}" if source.url else line


def text(value: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped; other control characters shown
    as visible escapes (iCalendar allows none), as talkbase shows them everywhere."""
    value = escape_controls(value)
    for char, escaped in (("\\", "\\\\"), (";", "\\;"), (",", "\\,"), ("\n", "\\n")):
        value = value.replace(char, escaped)
    return value


def fold(line: str) -> str:
    """Fold a content line into lines of at most 75 octets, never inside a UTF-8 character; each continuation
    line starts with one space."""
    if len(line.encode("utf-8")) <= _FOLD_AT:
        return line
    pieces, piece, size, limit = [], "", 0, _FOLD_AT
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            pieces.append(piece)
            piece, size, limit = "", 0, _FOLD_AT - 1  # the leading space counts
        piece += char
        size += width
    pieces.append(piece)
    return "\r\n ".join(pieces)
