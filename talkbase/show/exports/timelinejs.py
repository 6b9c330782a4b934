"""The timelinejs export: the selected events as TimelineJS3 JSON, which the TimelineJS viewer loads as is.

Each event is a slide dated at its precision (a year, a month or a day, as written), grouped by its kind, with
its summary, status (when not held), location and linked sources as the slide's text. Positions are not
included: a timeline of what happened stays readable, and `talkbase timeline --positions` interleaves claims.
"""

from __future__ import annotations

import html
from typing import Any

from talkbase.records.dates import PartialDate
from talkbase.records.model import Event, KnowledgeBase, Source
from talkbase.records.text import escape_controls, json_text
from talkbase.show.exports import Document, Export


def render(export: Export) -> Document:
    events = export.events
    title = {"text": {"headline": "Timeline", "text": f"{len(events)} event{'s' * (len(events) != 1)}, from talkbase"}}
    document = {"title": title, "events": [_slide(export.kb, e) for e in events]}
    return Document(json_text(document, indent=2) + "\n")


def date_object(date: PartialDate) -> dict[str, int]:
    """A TimelineJS date at the date's precision: {year}, {year, month} or {year, month, day}."""
    parts = {"year": date.start.year, "month": date.start.month, "day": date.start.day}
    return dict(list(parts.items())[: 1 + date.text.count("-")])


def _slide(kb: KnowledgeBase, event: Event) -> dict[str, Any]:
    slide: dict[str, Any] = {"start_date": date_object(event.date)}
    if event.end:
        slide["end_date"] = date_object(event.end)
    slide["text"] = {"headline": _escape(event.title), "text": _text(kb, event)}
    if event.kind:
        slide["group"] = escape_controls(event.kind)
    slide["unique_id"] = event.id
    return slide


def _text(kb: KnowledgeBase, event: Event) -> str:
    """The slide's HTML: data is escaped, so a record's text can never become markup."""
    paragraphs = [_escape(event.summary)] if event.summary else []
    if event.status != "held":
        paragraphs.append(f"<em>{_escape(event.status.capitalize())}</em>")
    if event.location:
        paragraphs.append(f"Location: {_escape(event.location)}")
    sources = [s for s in (kb.by_id.get(i) for i in event.sources) if isinstance(s, Source)]
    paragraphs.append("Sources: " + "; ".join(_source(s) for s in sources))
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _source(source: Source) -> str:
    title = _escape(source.title)
    linked = f'<a href="{html.escape(source.url)}">{title}</a>' if source.url else title
    details = ", ".join(_escape(str(d)) for d in (source.publisher, source.date) if d)
    return f"{linked} ({details})" if details else linked


def _escape(text: str) -> str:
    return html.escape(escape_controls(text), quote=False)
