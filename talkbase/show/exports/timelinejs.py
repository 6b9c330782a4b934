"""The timelinejs export: the selected events as TimelineJS3 JSON, which the TimelineJS viewer loads as is.

The title slide bears the knowledge base's name. Each event is a slide dated at its precision (a year, a month or
a day, as written), grouped by its kind, with its summary (its line breaks kept), the days it falls between when
`after`/`before` narrow its date, status (when not held), location and linked sources as the slide's text.
Positions are not included: a timeline of what happened stays readable, and `talkbase timeline --positions`
interleaves claims. Without events there is no timeline (TimelineJS refuses one): NothingToWrite.

TimelineJS shows every string of its JSON as HTML, so every string from the data goes through `html_text` (or
`html_lines`, which keeps line breaks as <br>), the one HTML escaping: a record's text shows as written and
never becomes markup.
"""

from __future__ import annotations

from typing import Any

from talkbase.records.dates import PartialDate, Span
from talkbase.records.model import Event, KnowledgeBase, Source
from talkbase.records.text import html_lines, html_text, json_text
from talkbase.show.exports import Document, Export, NothingToWrite


def render(export: Export) -> Document:
    """The TimelineJS document: a title slide named after the knowledge base, then one slide per event.
    TimelineJS refuses a timeline without events, so without one this raises NothingToWrite."""
    events = export.events
    if not events:
        raise NothingToWrite("no events match")
    count = f"{len(events)} event{'s' * (len(events) != 1)}, from talkbase"
    title = {"text": {"headline": html_text(export.name or "Timeline"), "text": html_text(count)}}
    document = {"title": title, "events": [_slide(export.kb, e, export.narrowed.get(e.id)) for e in events]}
    return Document(json_text(document, indent=2) + "\n")


def date_object(date: PartialDate) -> dict[str, int]:
    """A TimelineJS date at the date's precision: {year}, {year, month} or {year, month, day}."""
    parts = {"year": date.start.year, "month": date.start.month, "day": date.start.day}
    return dict(list(parts.items())[: 1 + date.text.count("-")])


def _slide(kb: KnowledgeBase, event: Event, narrowed: Span | None) -> dict[str, Any]:
    slide: dict[str, Any] = {"start_date": date_object(event.date)}
    if event.end:
        slide["end_date"] = date_object(event.end)
    slide["text"] = {"headline": html_text(event.title), "text": _text(kb, event, narrowed)}
    if event.kind:
        slide["group"] = _stripped_then_html(event.kind)
    slide["unique_id"] = event.id
    return slide


def _text(kb: KnowledgeBase, event: Event, narrowed: Span | None) -> str:
    """The slide's HTML: data is escaped, so a record's text can never become markup. A slide is placed at its
    date's first day; when after/before narrow the date, the text says between which days it falls."""
    paragraphs = [html_lines(event.summary)] if event.summary else []  # a summary's line breaks stay
    if narrowed is not None:
        paragraphs.append(f"Date: {narrowed.first} to {narrowed.last}, as far as is known")
    if event.status != "held":
        paragraphs.append(f"<em>{html_text(event.status.capitalize())}</em>")
    if event.location:
        paragraphs.append(f"Location: {html_text(event.location)}")
    sources = [s for s in (kb.by_id.get(i) for i in event.sources) if isinstance(s, Source)]
    paragraphs.append("Sources: " + "; ".join(_source(s) for s in sources))
    return "".join(f"<p>{p}</p>" for p in paragraphs)


def _source(source: Source) -> str:
    title = html_text(source.title)
    linked = f'<a href="{html_text(source.url)}">{title}</a>' if source.url else title
    details = ", ".join(html_text(str(d)) for d in (source.publisher, source.date) if d)
    return f"{linked} ({details})" if details else linked


def _stripped_then_html(text: str) -> str:
    """A field TimelineJS (3.9) first strips of markup, taking the text of the HTML (which turns `&lt;` back
    into `<`), and then writes into the page as HTML: `group` (and display dates, which talkbase does not
    write). Escaped once, `&lt;img onerror=...&gt;` would run; escaped twice, it arrives escaped once."""
    return html_text(html_text(text))
