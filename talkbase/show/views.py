"""What each command shows: its table columns, its machine form and its empty-result noun, as Listings.

The styles that make stance and status visible live here too; how a Listing is written out is formats.py's job.
"""

from __future__ import annotations

from collections.abc import Callable
from operator import itemgetter
from typing import TYPE_CHECKING, Any, TypeVar

from rich.text import Text

from talkbase.ask.query import Counts, Held, Hit, TimelineItem, actor_names, current_role
from talkbase.records.dates import Chronology, Span, span_of
from talkbase.records.model import Actor, Event, KnowledgeBase, Position, Source, Topic
from talkbase.records.text import escape_controls
from talkbase.show.formats import Column, Listing, fields_of, listing_table, record_dict
from talkbase.show.render import literal, styled

if TYPE_CHECKING:  # only named in annotations; timeline and grep need nothing of talkbase.ask.analysis
    from talkbase.ask.analysis import Dispute, Matrix, Step
    from talkbase.ask.query import Standing
    from talkbase.records.quotes import Passage

STATUS_STYLES = {"held": "", "scheduled": "bold yellow", "postponed": "magenta", "cancelled": "red strike"}
STANCE_STYLES = {
    "supports": "green",
    "proposes": "cyan",
    "conditional": "yellow",
    "undecided": "dim",
    "opposes": "red",
    "rejects": "bold red",
    "disputes": "magenta",
}


# A listing of 50,000 positions shows a few stances and the names of a few hundred actors over and over: each
# is made once and shown again (showing a Text never changes it).
_STANCES: dict[str, Text] = {}
_STATUSES: dict[str, Text] = {}
K = TypeVar("K")


def once(made: dict[K, Text], key: K, make: Callable[[], Text]) -> Text:
    """`made[key]`, made by `make()` the first time it is asked for."""
    found = made.get(key)
    if found is None:
        found = made[key] = make()
    return found


def stance_text(stance: str) -> Text:
    return once(_STANCES, stance, lambda: Text(stance, style=STANCE_STYLES.get(stance, "")))


def status_text(status: str) -> Text:
    return once(_STATUSES, status, lambda: Text(status, style=STATUS_STYLES.get(status, "")))


def names(kb: KnowledgeBase, ids: tuple[str, ...] | list[str]) -> Text:
    shown = kb.memo("names shown", dict)
    return once(shown, tuple(ids), lambda: literal(", ".join(actor_names(kb, ids)), one_line=True))


def ids(values: tuple[str, ...]) -> str:
    return escape_controls(", ".join(values))


def time_label(item: Event | Position, chron: Chronology) -> str:
    """The heading a timeline row goes under: its month, or, for a record whose day is unknown, the period it
    may begin in, said so (a `2025` item is listed where 2025 begins, but it is not of 1 January)."""
    days = chron.beginning(item)
    first, last = days.first, days.last
    if first == last:
        return f"{first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%b %Y}, day unknown"
    if (first.month, first.day, last.month, last.day) == (1, 1, 12, 31) and first.year == last.year:
        return f"{first.year}, date unknown"
    return f"{first:%b}{'' if first.year == last.year else f' {first.year}'}–{last:%b %Y}, date unknown"


def span(event: Event) -> str:
    return f"{event.date}…{event.end}" if event.end else str(event.date)


def when(item: Event | Position, chron: Chronology | None) -> Text:
    """A record's date as written; when `after`/`before` narrow it, the days it may fall on after it."""
    written = span(item) if isinstance(item, Event) else str(item.date)
    narrowed = chron.narrowed.get(item.id) if chron is not None else None
    if narrowed is None:
        return Text(written)
    written_span = span_of(item.date, getattr(item, "end", None))
    start, end = written_span.first, written_span.last
    if narrowed.first == narrowed.last:
        days = str(narrowed.first)
    elif narrowed.last == end:
        days = f"from {narrowed.first}"
    elif narrowed.first == start:
        days = f"by {narrowed.last}"
    else:
        days = f"{narrowed.first}…{narrowed.last}"
    return Text.assemble(written, (f" ({days})", "dim"))


def _typed(kind: str, record: Any) -> dict[str, Any]:
    return {"type": kind, **record_dict(record)}


def timeline_listing(
    kb: KnowledgeBase, items: list[TimelineItem], chron: Chronology | None = None
) -> Listing[TimelineItem]:
    """Events (and positions) in time order under month headings; status and stance visibly marked."""

    def cells(item: TimelineItem) -> list[Text]:
        if isinstance(item, Event):
            italic = "italic" if item.status != "held" else ""
            return [
                when(item, chron), status_text(item.status), literal(item.kind),
                literal(item.title, italic, one_line=True), literal(item.location), names(kb, item.participants),
            ]  # fmt: skip
        topic = actor_names(kb, [item.topic])[0]
        return [
            when(item, chron), stance_text(item.stance), Text("position", style="dim"),
            literal(f"{item.claim} [{topic}]"), Text(""), names(kb, [item.actor]),
        ]  # fmt: skip

    order = chron if chron is not None else Chronology([])
    with_positions = any(isinstance(item, Position) for item in items)
    headers = ("date", "status/stance" if with_positions else "status", "kind", "title", "location", "participants")
    columns = [
        _nth(h, i, cells, wrap=h in ("date", "title", "location", "participants")) for i, h in enumerate(headers)
    ]
    return Listing(
        "events",
        items,
        columns,
        lambda item: _typed("event" if isinstance(item, Event) else "position", item),
        section=lambda item: time_label(item, order),
        fields=("type", *fields_of(Event, *((Position,) if with_positions else ()))),
    )


def _nth(header: str, index: int, cells: Any, wrap: bool = True) -> Column[Any]:
    return Column(header, lambda row: cells(row)[index], wrap)


def count_column(header: str, counts: dict[str, Counts], which: str) -> Column[Any]:
    """A right-aligned column of how many events or positions involve each row's record."""
    return Column(header, lambda r: Text(str(getattr(counts.get(r.id, Counts()), which))), False, "right")


def actors_listing(kb: KnowledgeBase, actors: list[Actor], counts: dict[str, Counts]) -> Listing[Actor]:
    def as_dict(a: Actor) -> dict[str, Any]:
        c = counts.get(a.id, Counts())
        return {**record_dict(a), "current_role": current_role(a) or None, "events_count": c.events,
                "positions_count": c.positions}  # fmt: skip

    columns = [
        Column("id", lambda a: literal(a.id), ids=True),
        Column("name", lambda a: literal(a.name, one_line=True)),
        Column("kind", lambda a: Text(a.kind), wrap=False),
        Column("affiliation", lambda a: names(kb, [a.affiliation]) if a.affiliation else Text("")),
        Column("role", lambda a: literal(current_role(a))),
        count_column("events", counts, "events"),
        count_column("positions", counts, "positions"),
    ]
    return Listing("actors", actors, columns, as_dict,
                   fields=fields_of(Actor, extra=("current_role", "events_count", "positions_count")))  # fmt: skip


def positions_listing(
    kb: KnowledgeBase, positions: list[Position], held: dict[str, Held] | None = None, chron: Chronology | None = None
) -> Listing[Position]:
    """Positions; with `held` (from --as-of), a column and two fields saying how sure each one is."""
    columns = [
        Column("actor", lambda p: names(kb, [p.actor])),
        Column("topic", lambda p: names(kb, [p.topic])),
        Column("stance", lambda p: stance_text(p.stance), wrap=False),
        Column("date", lambda p: when(p, chron)),
        Column("claim", lambda p: escape_controls(p.claim)),
        Column("sources", lambda p: ids(p.sources), ids=True),
    ]
    if held is None:
        return Listing("positions", positions, columns, record_dict, fields=fields_of(Position))

    def as_dict(p: Position) -> dict[str, Any]:
        return {**record_dict(p), "certainly_stated": held[p.id].stated, "certainly_latest": held[p.id].latest}

    columns.insert(4, Column("as of", lambda p: held_text(held[p.id])))
    return Listing("positions", positions, columns, as_dict,
                   fields=fields_of(Position, extra=("certainly_stated", "certainly_latest")))  # fmt: skip


def sole_listing(
    kb: KnowledgeBase, claims: list[Position], origin: dict[str, str], chron: Chronology | None = None
) -> Listing[Position]:
    """Claims resting on a single origin, each with that origin: the source every citation leads back to. Dates
    are shown as `positions` shows them (with `chron`, narrowed by after/before: `2025 (by 2025-07-31)`)."""
    listing = positions_listing(kb, claims, chron=chron)
    columns = [*listing.columns, Column("origin", lambda p: literal(origin[p.id]), ids=True)]
    return Listing("positions", claims, columns, lambda p: {**record_dict(p), "origin": origin[p.id]},
                   fields=fields_of(Position, extra=("origin",)))  # fmt: skip


def held_text(held: Held) -> Text:
    """How sure a position listed as of a day is, in words."""
    if not held.stated:
        return Text("may not be stated yet", style="yellow")
    return Text("") if held.latest else Text("may not be the latest", style="yellow")


def sources_listing(sources: list[Source], counts: dict[str, Counts], sole: dict[str, int]) -> Listing[Source]:
    """Sources with how many claims and events cite them, and how many claims rest on them alone."""

    def as_dict(s: Source) -> dict[str, Any]:
        c = counts.get(s.id, Counts())
        return {**record_dict(s), "claims_count": c.positions, "sole_claims_count": sole.get(s.id, 0),
                "events_count": c.events}  # fmt: skip

    columns = [
        Column("id", lambda s: literal(s.id), ids=True),
        Column("title", lambda s: literal(s.title, one_line=True)),
        Column("publisher", lambda s: literal(s.publisher)),
        Column("date", lambda s: Text(str(s.date or "")), wrap=False),
        Column("kind", lambda s: literal(s.kind), wrap=False),
        count_column("claims", counts, "positions"),
        Column("sole", lambda s: Text(str(sole.get(s.id, 0))), wrap=False, justify="right"),
        count_column("events", counts, "events"),
    ]
    return Listing("sources", sources, columns, as_dict,
                   fields=fields_of(Source, extra=("claims_count", "sole_claims_count", "events_count")))  # fmt: skip


def topics_listing(topics: list[Topic], counts: dict[str, Counts]) -> Listing[Topic]:
    def as_dict(t: Topic) -> dict[str, Any]:
        c = counts.get(t.id, Counts())
        return {**record_dict(t), "positions_count": c.positions, "events_count": c.events}

    columns = [
        Column("id", lambda t: literal(t.id), ids=True),
        Column("name", lambda t: literal(t.name, one_line=True)),
        count_column("positions", counts, "positions"),
        count_column("events", counts, "events"),
        Column("description", lambda t: literal(t.description)),
    ]
    return Listing(
        "topics", topics, columns, as_dict, fields=fields_of(Topic, extra=("positions_count", "events_count"))
    )


def highlighted(hit: Hit) -> Text:
    """The matched text with every match highlighted (visible in a terminal; plain in a pipe)."""
    text, done = Text(), 0
    for start, end in hit.spans:
        text.append(escape_controls(hit.text[done:start]))
        text.append(escape_controls(hit.text[start:end]), style="bold red")
        done = end
    text.append(escape_controls(hit.text[done:]))
    return text


def grep_listing(kb: KnowledgeBase, hits: list[Hit], chron: Chronology | None = None) -> Listing[Hit]:
    def who(hit: Hit) -> Text:
        record = hit.record
        return names(kb, [record.actor] if isinstance(record, Position) else record.participants)

    def as_dict(hit: Hit) -> dict[str, Any]:
        record = hit.record
        position = isinstance(record, Position)
        return {"type": "position" if position else "event", "id": record.id, "date": record.date.text,
                "actor": record.actor if position else None, "participants": [] if position else
                list(record.participants), "field": hit.field, "text": hit.text,
                "matches": [list(s) for s in hit.spans]}  # fmt: skip

    columns = [
        Column("date", lambda h: when(h.record, chron)),
        Column("id", lambda h: literal(h.record.id), ids=True),
        Column("who", who),
        Column("field", lambda h: Text(h.field), wrap=False),
        Column("text", highlighted),
    ]
    grep_fields = ("type", "id", "date", "actor", "participants", "field", "text", "matches")
    return Listing("records", hits, columns, as_dict, fields=grep_fields)


def _label(kb: KnowledgeBase, record_id: str) -> str:
    """How `show` names a referenced record: its name or title (a position: who said what) and its id."""
    record = kb.by_id.get(record_id)
    if isinstance(record, Position):
        return f"{actor_names(kb, [record.actor])[0]}: {record.claim} ({record_id})"
    name = getattr(record, "name", None) or getattr(record, "title", None)
    return f"{name} ({record_id})" if name else record_id


def field_rows(kb: KnowledgeBase, record: Any) -> list[tuple[str, Text]]:
    """(field, value) for each field the record has, references shown with their names; each source cited with
    the chain it is known through (`speech ← article`), and the independent origins they come to."""
    from talkbase.ask.query import origins_of

    rows = []
    for key, value in record_dict(record).items():
        if value in (None, [], ""):
            continue
        text = _sources_text(kb, [value] if key == "via" else value) if key in ("sources", "via") else None
        text = text or _field_text(kb, key, value)
        rows.append((key, text))
        if key == "sources" and not isinstance(record, Source):
            found = origins_of(kb, value)
            rows.append(("origins", literal(f"{len(found)} independent: {', '.join(found)}")))
    return rows


def _sources_text(kb: KnowledgeBase, sources: list[str]) -> Text:
    """Each cited source on a line, with the sources it is known through: `speech ← article`."""
    from talkbase.ask.query import source_chain

    return Text("\n").join(literal(" ← ".join(_label(kb, s) for s in source_chain(kb, source))) for source in sources)


_REFERENCE_FIELDS = {
    "actor", "topic", "event", "affiliation", "participants", "topics", "sources", "contests", "after", "before", "via",
}  # fmt: skip


def _field_text(kb: KnowledgeBase, key: str, value: Any) -> Text:
    if key == "stance":
        return stance_text(value)
    if key == "status":
        return status_text(value)
    if key == "roles":
        return literal("; ".join(_role(r) for r in value))
    if key == "history":
        return Text("\n").join(_history_line(entry) for entry in value)
    if key in _REFERENCE_FIELDS:
        refs = value if isinstance(value, list) else [value]
        return literal("; ".join(_label(kb, r) for r in refs))
    if isinstance(value, list):
        return literal(", ".join(value))
    return literal(str(value))


def _history_line(entry: dict[str, Any]) -> Text:
    note = f" — {entry['note']}" if entry.get("note") else ""
    return Text.assemble(
        (entry["date"], "dim"), " ", status_text(entry["status"]), literal(f"{note} [{', '.join(entry['sources'])}]")
    )


def _role(role: dict[str, Any]) -> str:
    period = " – ".join(p for p in (role.get("since") or "", role.get("until") or "") if p)
    if role.get("since") and not role.get("until"):
        period = f"since {role['since']}"
    return f"{role['title']} ({period})" if period else role["title"]


def kind_of(record: Any) -> str:
    return type(record).__name__.lower()


def records_listing(kb: KnowledgeBase, records: list[Any]) -> Listing[Any]:
    """Records of any kinds (those referring to the one shown; those a query matches): their kind, id, date,
    stance or status, and what they say."""

    def state(r: Any) -> Text:
        if isinstance(r, Position):
            return stance_text(r.stance)
        return status_text(r.status) if isinstance(r, Event) else Text("")

    def says(r: Any) -> Text:
        if isinstance(r, Position):
            return literal(f"{actor_names(kb, [r.actor])[0]}: {r.claim}")
        return literal(getattr(r, "title", None) or getattr(r, "name", ""))

    columns = [
        Column("kind", lambda r: Text(kind_of(r)), wrap=False),
        Column("id", lambda r: literal(r.id), ids=True),
        Column("date", lambda r: Text(str(getattr(r, "date", "") or "")), wrap=False),
        Column("stance/status", state, wrap=False),
        Column("text", says),
    ]
    return Listing("records", records, columns, lambda r: {"type": kind_of(r), **record_dict(r)}, fields=("type", "id"))


def standing_listing(kb: KnowledgeBase, positions: list[Position], unsure: set[str]) -> Listing[Position]:
    """Who stands where on a topic: each actor's latest position, or every one that may be (`unsure`)."""
    columns = [
        Column("actor", lambda p: names(kb, [p.actor])),
        Column("stance", lambda p: stance_text(p.stance), wrap=False),
        Column("date", lambda p: Text(str(p.date)), wrap=False),
        Column("latest", lambda p: Text("maybe", style="yellow") if p.id in unsure else Text("yes"), wrap=False),
        Column("claim", lambda p: escape_controls(p.claim)),
    ]
    return Listing(
        "positions",
        positions,
        columns,
        lambda p: {**record_dict(p), "certainly_latest": p.id not in unsure},
        fields=fields_of(Position, extra=("certainly_latest",)),
    )


def show_sections(kb: KnowledgeBase, record: Any) -> list[tuple[str, Listing[Any]]]:
    """The listings shown under a record: who refers to it, and for a topic, where each actor stands."""
    from talkbase.ask.query import chronology, referrers, resting_on, standings

    sections: list[tuple[str, Listing[Any]]] = []
    chron = chronology(kb)
    if isinstance(record, Topic):
        cells = standings(chron, [p for p in kb.positions if p.topic == record.id]).values()
        latest = chron.ordered(p for cell in cells for p in cell.candidates)
        unsure = {p.id for cell in cells if not cell.certain for p in cell.candidates}
        sections.append(("Where each actor stands (latest position)", standing_listing(kb, latest, unsure)))
    found = referrers(kb, record.id)
    kinds = {kind: [r for r in found if kind_of(r) == kind] for kind in sorted({kind_of(r) for r in found})}
    found = [
        r
        for rows in kinds.values()
        for r in (chron.ordered(rows) if isinstance(rows[0], (Event, Position)) else sorted(rows, key=lambda r: r.id))
    ]
    sections.append(("Referred to by", records_listing(kb, found)))
    if isinstance(record, Source):
        indirect = resting_on(kb, record.id)
        sections.append((RESTING, records_listing(kb, chron.ordered(indirect))))
    return sections


RESTING = "Citing a source known through it (via)"
SECTION_KEYS = {
    "Referred to by": "referred_to_by",
    RESTING: "resting_on_it",
    "Where each actor stands (latest position)": "latest_positions",
}


UNCHECKED_QUOTE = "not checked: a source it cites has no text (nor has one it is known through)"


def show_renderable(kb: KnowledgeBase, record: Any, passage: tuple[str, Passage] | None = None) -> Any:
    """A record's fields, where it is defined, and the listings under it, as one Rich renderable; `passage` is
    where a position's quote stands in a source's text (source id, the words around it)."""
    from rich.console import Group
    from rich.table import Table

    fields = Table(box=None, show_header=False, pad_edge=False)
    fields.add_column(style="bold", no_wrap=True)
    fields.add_column(overflow="fold")
    for key, value in field_rows(kb, record):
        fields.add_row(key, value)
    if passage is not None:
        source, around = passage
        words = Text.assemble(literal(around.before), literal(around.quote, "bold"), literal(around.after))
        fields.add_row("quoted in", Text.assemble(literal(_label(kb, source)), ": ", words))
    elif getattr(record, "quote", None):
        fields.add_row("quoted in", Text(UNCHECKED_QUOTE, style="yellow"))
    days = _days(kb, record)
    if days is not None and days != span_of(record.date, getattr(record, "end", None)):
        shown = str(days.first) if days.first == days.last else f"{days.first}…{days.last}"
        fields.add_row("may fall on", Text(f"{shown} (as orders given with after/before narrow it)"))
    where = Text(escape_controls(str(record.loc), one_line=True), "dim")  # a file name: on one line
    title = Text.assemble((kind_of(record), "bold"), " ", literal(record.id), "  ", where)
    parts: list[Any] = [title, fields]
    for heading, listing in show_sections(kb, record):
        parts.append(Text(f"\n{heading}:", style="bold"))
        parts.append(listing_table(listing) if listing.rows else Text("  (none)", style="dim"))
    return Group(*parts)


def _days(kb: KnowledgeBase, record: Any) -> Span | None:
    from talkbase.ask.query import chronology

    return chronology(kb).span(record) if isinstance(record, (Event, Position)) else None


def show_dict(kb: KnowledgeBase, record: Any, passage: tuple[str, Passage] | None = None) -> dict[str, Any]:
    """The machine form of `show`: the record, where it is defined, its sources' origins, where its quote stands
    in a source's text, and the ids of what refers to it."""
    from talkbase.ask.query import origins_of

    result: dict[str, Any] = {"type": kind_of(record), **record_dict(record)}
    result["defined_at"] = {"path": record.loc.path, "line": record.loc.line, "column": record.loc.col}
    if not isinstance(record, Source) and getattr(record, "sources", None) is not None:
        result["origins"] = origins_of(kb, record.sources)
    if passage is not None:
        source, around = passage
        result["quoted_in"] = {"source": source, **around._asdict()}  # the words before, the quote, those after
    elif getattr(record, "quote", None):
        result["quoted_in"] = None  # no text to check the quote against
    days = _days(kb, record)
    if days is not None:  # the days it may fall on: its date's, narrowed by after/before
        result["days"] = {"first": days.first.isoformat(), "last": days.last.isoformat()}
    for heading, listing in show_sections(kb, record):
        result[SECTION_KEYS[heading]] = [listing.as_dict(r) for r in listing.rows]
    return result


STANCE_ABBREVIATIONS = {
    "supports": "sup",
    "proposes": "prop",
    "conditional": "cond",
    "undecided": "und",
    "opposes": "opp",
    "rejects": "rej",
    "disputes": "disp",
}


def matrix_grid(kb: KnowledgeBase, m: Matrix, short: bool = False) -> Listing[list[str]]:
    """Actors down, topics across, each cell the latest stance and its date; a cell whose latest is uncertain
    lists every candidate, each marked `?`. `short` numbers the topic columns and abbreviates stances (see
    `matrix_legend`), as in the terminal. A row is the actor's name and its cells, made at once (300,000 cells
    at L: a column's function asked of each actor was most of the grid's time)."""
    column_of = {topic.id: i for i, topic in enumerate(m.topics, start=1)}
    rows = {actor.id: [escape_controls(actor.name, one_line=True), *[""] * len(m.topics)] for actor in m.actors}
    for (actor, topic), found in m.cells.items():
        rows[actor][column_of[topic]] = _cell_words(found, short)
    topics = (str(i) if short else escape_controls(t.name, one_line=True) for i, t in enumerate(m.topics, start=1))
    headers = ["actor", *topics]
    columns = [Column(header, itemgetter(i)) for i, header in enumerate(headers)]
    return Listing("positions", list(rows.values()), columns, lambda row: dict(zip(headers, row)), fields=headers)


def _cell_words(found: Standing, short: bool) -> str:
    """A cell's stances and dates, shown literally as all data is (printable ASCII, checked when loaded, at once)."""
    mark = "" if found.certain else "?"
    stance = STANCE_ABBREVIATIONS.__getitem__ if short else str
    if len(found.candidates) == 1:  # (most cells: 85,000 at L)
        only = found.candidates[0]
        return escape_controls(f"{stance(only.stance)}{mark} {only.date.text}")
    return escape_controls(" | ".join(f"{stance(p.stance)}{mark} {p.date.text}" for p in found.candidates))


def matrix_panels(m: Matrix, width: int) -> Any:
    """The grid for a terminal of `width` columns: topics numbered, stances abbreviated, and when the topics
    do not fit side by side, several panels of as many topics as fit, one below the other."""
    from rich.console import Group
    from rich.table import Table

    dates = [len(str(p.date)) + (not c.certain) for c in m.cells.values() for p in c.candidates] or [4]
    name_width = min(24, max(len(a.name) for a in m.actors))
    one_line = max(len(a) for a in STANCE_ABBREVIATIONS.values()) + 1 + max(dates)
    two_lines = max(5, max(dates))
    fits_on_one_line = name_width + len(m.topics) * (one_line + 2) <= width
    cell_width = one_line if fits_on_one_line else two_lines
    per_panel = max(1, (width - name_width - 2) // (cell_width + 2))
    parts: list[Any] = []
    for start in range(0, len(m.topics), per_panel):
        chunk = list(enumerate(m.topics, start=1))[start : start + per_panel]
        table = Table(box=None, pad_edge=False, show_edge=False, header_style="bold")
        table.add_column("actor", overflow="fold", max_width=name_width)
        for number, _ in chunk:
            table.add_column(str(number), no_wrap=True, width=cell_width)
        for actor in m.actors:
            cells = [m.cell(actor.id, topic.id) for _, topic in chunk]
            if any(cells):
                sep = " " if fits_on_one_line else "\n"
                table.add_row(literal(actor.name, one_line=True), *(_matrix_cell(c, sep) for c in cells))
        parts += [table, Text("")]
    parts.append(matrix_legend(m))
    return Group(*parts)


def _matrix_cell(found: Standing | None, sep: str) -> Text:
    if found is None:
        return Text("")
    mark = "" if found.certain else "?"
    lines = [
        Text.assemble((STANCE_ABBREVIATIONS[p.stance] + mark, STANCE_STYLES[p.stance]), sep, (str(p.date), "dim"))
        for p in found.candidates
    ]
    return Text("\n").join(lines)


def matrix_legend(m: Matrix) -> Text:
    topics = "  ".join(f"{i}={t.name}" for i, t in enumerate(m.topics, start=1))
    stances = "  ".join(f"{short}={word}" for word, short in STANCE_ABBREVIATIONS.items())
    shown = escape_controls(topics, one_line=True)  # names: a line break in one is shown as `\n`
    legend = Text.assemble(("topics: ", "bold"), shown, "\n", ("stances: ", "bold"), stances)
    if any(not c.certain for c in m.cells.values()):
        legend.append("\n")
        legend.append("?", style="bold")
        legend.append(" = may be the latest: which came last is unknown, or it may not be stated yet")
    return legend


def matrix_cells(kb: KnowledgeBase, m: Matrix) -> Listing[Position]:
    """The matrix in long form for machines: one row per filled cell, or per candidate of an uncertain one."""
    sure = {p.id: c.certain for c in m.cells.values() for p in c.candidates}
    unstated = {i for c in m.cells.values() for i in c.unstated}

    def as_dict(p: Position) -> dict[str, Any]:
        return {"actor": p.actor, "topic": p.topic, "stance": p.stance, "date": p.date.text, "position": p.id,
                "certainly_latest": sure[p.id], "certainly_stated": p.id not in unstated}  # fmt: skip

    cells = [p for a in m.actors for t in m.topics if (a.id, t.id) in m.cells for p in m.cells[(a.id, t.id)].candidates]
    cell_fields = ("actor", "topic", "stance", "date", "position", "certainly_latest", "certainly_stated")
    return Listing("positions", cells, positions_listing(kb, cells).columns, as_dict, fields=cell_fields)


CHANGE_WORDS = {"reversal": "reversal", "changed": "changed", "order-unknown": "order unknown"}


def history_listing(
    kb: KnowledgeBase, steps: list[Step], as_of: bool = False, chron: Chronology | None = None
) -> Listing[Step]:
    """Each actor × topic as a section; a change of stance is marked, a reversal loudly, and a differing stance
    whose order is unknown says so; with `as_of`, a position that may not yet be stated says so too."""

    def change(step: Step) -> Text:
        if not step.change or step.previous is None:
            return Text("")
        before, now = step.previous.stance, step.position.stance
        if step.change == "order-unknown":
            return Text(f"order unknown against {before} {step.previous.date}", style="magenta")
        style = "bold red" if step.change == "reversal" else "yellow"
        # Against the latest position certainly before, which need not be the row above: its date says which.
        return Text(f"{CHANGE_WORDS[step.change]} ({before} {step.previous.date} → {now})", style=style)

    def as_dict(step: Step) -> dict[str, Any]:
        previous = step.previous
        row = {**record_dict(step.position), "previous_stance": previous.stance if previous else None,
               "previous": previous.id if previous else None, "change": step.change or None}  # fmt: skip
        if as_of:
            row["certainly_stated"] = step.stated
        return row

    columns = [
        Column("date", lambda s: when(s.position, chron)),
        Column("stance", lambda s: stance_text(s.position.stance), wrap=False),
        Column("change", change),
        Column("claim", lambda s: escape_controls(s.position.claim)),
        Column("sources", lambda s: ids(s.position.sources), ids=True),
    ]
    if as_of:
        columns.insert(2, Column("as of", lambda s: held_text(Held(s.stated, True))))
    section = lambda s: f"{actor_names(kb, [s.position.actor])[0]} · {actor_names(kb, [s.position.topic])[0]}"  # noqa: E731
    extra = ("previous_stance", "previous", "change", *(("certainly_stated",) if as_of else ()))
    return Listing("positions", steps, columns, as_dict, section=section, fields=fields_of(Position, extra=extra))


def _side(kb: KnowledgeBase, record: Event | Position) -> Text:
    """One side of a dispute: who said what, when, with its stance (or an event's title and status)."""
    if isinstance(record, Position):
        who, said = actor_names(kb, [record.actor])[0], (record.stance, STANCE_STYLES.get(record.stance, ""))
        head, body = ((who, "bold"), " ", said, " ", (str(record.date), "dim")), record.claim
    else:
        status = (record.status, STATUS_STYLES.get(record.status, ""))
        head, body = (("event", "bold"), " ", status, " ", (span(record), "dim")), record.title
    return styled(*head, "\n", body, "\n", (f"[{', '.join(record.sources)}]", "dim"))


def disputes_listing(kb: KnowledgeBase, found: list[Dispute]) -> Listing[Dispute]:
    def as_dict(d: Dispute) -> dict[str, Any]:
        other = d.other
        is_position = isinstance(other, Position)
        return {
            "type": d.kind,
            "topic": d.topic,
            "claim": d.claim.id,
            "claim_actor": d.claim.actor,
            "claim_stance": d.claim.stance,
            "claim_date": d.claim.date.text,
            "claim_text": d.claim.claim,
            "claim_sources": list(d.claim.sources),
            "other": other.id,
            "other_type": "position" if is_position else "event",
            "other_actor": other.actor if is_position else None,
            "other_stance": other.stance if is_position else other.status,
            "other_date": other.date.text,
            "other_text": other.claim if is_position else other.title,
            "other_sources": list(other.sources),
        }

    # A record is a side of many disputes (a dozen each at 10,000 positions), and a kind of dispute of most: each
    # cell is made once and shown again (a Text is never changed by showing it).
    kinds: dict[str, Text] = {}
    sides: dict[str, Text] = {}
    columns = [
        Column("dispute", lambda d: once(kinds, d.kind, lambda: Text(d.kind)), wrap=False),
        Column("topic", lambda d: names(kb, [d.topic])),
        Column("claim", lambda d: once(sides, d.claim.id, lambda: _side(kb, d.claim))),
        Column("against", lambda d: once(sides, d.other.id, lambda: _side(kb, d.other))),
    ]
    dispute_fields = (
        "type",
        "topic",
        "claim",
        "claim_actor",
        "claim_stance",
        "claim_date",
        "claim_text",
        "claim_sources",
        "other",
        "other_type",
        "other_actor",
        "other_stance",
        "other_date",
        "other_text",
        "other_sources",
    )
    return Listing("disputes", found, columns, as_dict, fields=dispute_fields)
