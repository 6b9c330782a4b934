"""The pages of the site, each rendered from its template with what it shows (see the package's docstring)."""

from __future__ import annotations

import datetime as dt
import hashlib
import posixpath
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from talkbase.ask.analysis import contested, history, matrix, opposed_sides, sole_source_claims
from talkbase.ask.filter import filter_of
from talkbase.ask.query import chronology, current_role, origins_of, source_chain
from talkbase.records.hints import fold
from talkbase.records.model import Actor, Event, KnowledgeBase, Position, Record, Source, Topic, kind_key
from talkbase.records.schema import KINDS, ORDER, REF, REFS
from talkbase.records.text import escape_controls, script_json, web_url
from talkbase.show.exports import Export
from talkbase.show.formats import record_dict
from talkbase.show.site.timeline import Drawing, lay_out

FOLDERS = {Actor: "actors", Source: "sources", Topic: "topics", Event: "events", Position: "positions"}
PAGE_ROWS = 500  # rows of a listing page; more go on the next page
DISPUTE_ROWS = 200  # disputes (two records side by side) on one page
SECTION_ROWS = 300  # records listed under one heading of a record's page ("cited by"); the rest are counted
TIMELINE_MARKS = 1500  # marks one timeline page draws; a larger knowledge base gets a page per year or month
STATIC = ("site.css", "site.js")


@dataclass(frozen=True)
class SiteOptions:
    title: str  # the knowledge base's name, at the top of every page
    base_url: str | None = None  # absolute links under this address (publishing); relative links without it
    selection: str = ""  # the query and filter options that chose the events and positions, as given
    built: dt.datetime | None = None  # SOURCE_DATE_EPOCH's time, shown on every page; None shows none
    data_root: Path | None = None  # where the records' files are named from ("Defined in actors.yaml")


MANIFEST = ".talkbase-site"  # every file a site holds, with its SHA-256: what a later build may replace


def build(export: Export, options: SiteOptions) -> dict[str, bytes]:
    """Every file of the site by its path: pages, the search index, the style sheet and script, and the
    manifest that lists them all."""
    files = _Site(export, options).files()
    lines = [f"{hashlib.sha256(content).hexdigest()}  {path}\n" for path, content in files.items()]
    files[MANIFEST] = "".join(lines).encode("utf-8")
    return files


def foreign_files(folder: Path) -> list[str]:
    """The files and folders in `folder` an earlier build did not write, or that were changed since (by its
    manifest): every one, when it has none. A site is replaced only when this is empty, so that no file of the
    user's, and no edit to a page, is ever lost."""
    import os

    try:
        lines = (folder / MANIFEST).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        lines = []
    digests = {path: digest for digest, _, path in (line.partition("  ") for line in lines)}
    folders = _parents({posixpath.dirname(path) for path in digests})
    found = []
    for root, dirs, names in os.walk(folder):
        relative = os.path.relpath(root, folder).replace(os.sep, "/")
        base = "" if relative == "." else relative + "/"
        found += [base + d for d in dirs if base + d not in folders]
        found += [base + n for n in names if base + n != MANIFEST and not _unchanged(folder, base + n, digests)]
    return sorted(found)


def _unchanged(folder: Path, path: str, digests: dict[str, str]) -> bool:
    """Whether the file is one the manifest lists, with the content it was written with."""
    if path not in digests:
        return False
    try:
        return hashlib.sha256((folder / path).read_bytes()).hexdigest() == digests[path]
    except OSError:
        return False


def _parents(folders: set[str]) -> set[str]:
    return {"/".join(f.split("/")[: i + 1]) for f in folders if f for i in range(f.count("/") + 1)}


def environment() -> Environment:
    """The templates, escaping every value they print (see _finalize)."""
    return Environment(
        loader=PackageLoader("talkbase.show.site", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        finalize=_finalize,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def problems_page(problems: Sequence[str], where: str, options: SiteOptions) -> bytes:
    """The page `talkbase serve` shows while the knowledge base has errors: each as `path:line:col: error: ...`."""
    template = environment().get_template("problems.html")
    return template.render(site_title=options.title, heading="The knowledge base has errors", problems=problems,
                           where=where, built=None, nav=[], url=lambda target: "/" + quote(target),
                           page_path="problems.html").encode("utf-8")  # fmt: skip


# Escaping and links ------------------------------------------------------------------------------------------


def _finalize(value: Any) -> Any:
    """Every value a template prints: control and bidi characters made visible; autoescaping does the rest."""
    if isinstance(value, str) and not isinstance(value, Markup):
        return escape_controls(value)
    return value


def page_of(record: Record) -> str:
    """A record's page in the site, named by its id (its permalink); an id too long for a file name is
    shortened and given a hash, so that it stays unique."""
    name = record.id
    if len(name.encode("utf-8")) > 150:
        name = name[:100] + "-" + hashlib.sha256(record.id.encode("utf-8")).hexdigest()[:16]
    return f"{FOLDERS[type(record)]}/{name}.html"


# What refers to a record, said by the field it refers with.
BACKLINK_HEADINGS = {
    "sources": "Cited by",
    "via": "Known through it (via)",
    "actor": "Its positions",
    "participants": "Events it took part in",
    "affiliation": "Affiliated with it",
    "topic": "Positions on this topic",
    "topics": "Events on this topic",
    "event": "Positions stated at this event",
    "contests": "Contested by",
    "after": "Said to come after it",
    "before": "Said to come before it",
}


def backlinks(records: Iterable[Record]) -> dict[str, dict[str, list[Record]]]:
    """For each id, the records referring to it, by the field they refer with (one pass over every record)."""
    found: dict[str, dict[str, list[Record]]] = {}
    for record in records:
        for spec in KINDS[kind_key(record)].fields:
            value = getattr(record, spec.name)
            if spec.type == REF and value:
                targets: Iterable[str] = (value,)
            elif spec.type in (REFS, ORDER) and value:
                targets = value
            else:
                continue
            for target in dict.fromkeys(targets):
                found.setdefault(target, {}).setdefault(spec.name, []).append(record)
    return found


# The site ---------------------------------------------------------------------------------------------------


@dataclass
class _Page:
    path: str
    template: str
    context: dict[str, Any] = field(default_factory=dict)


class _Site:
    def __init__(self, export: Export, options: SiteOptions) -> None:
        self.export = export
        self.kb: KnowledgeBase = export.kb
        self.options = options
        self.chron = chronology(self.kb)
        records = export.records()
        self.actors: list[Actor] = list(records["actors"])
        self.sources: list[Source] = list(records["sources"])
        self.topics: list[Topic] = list(records["topics"])
        self.events: list[Event] = list(export.events)
        self.positions: list[Position] = list(export.positions)
        self.by_id = {r.id: r for r in (*self.actors, *self.sources, *self.topics, *self.events, *self.positions)}
        self.pages_of: dict[str, str] = {record_id: page_of(r) for record_id, r in self.by_id.items()}
        self.refs = backlinks(self.by_id.values())
        self.sole = {p.id for p in sole_source_claims(self.kb)} & {p.id for p in self.positions}
        self.opposed = {topic: (pro, con) for topic, (pro, con) in opposed_sides(self.kb, self.chron).items()
                        if any(p.id in self.by_id for p in (*pro, *con))}  # fmt: skip
        self.env = environment()

    # Links, relative to the page being written (or absolute under --base-url) ------------------------------

    def _root(self, path: str) -> str:
        if self.options.base_url:
            return self.options.base_url.rstrip("/") + "/"
        depth = path.count("/")
        return "../" * depth

    def _helpers(self, path: str) -> dict[str, Any]:
        root = self._root(path)

        def url(target: str) -> str:
            return root + quote(target)

        def link(record_id: str, text: str | None = None) -> Markup:
            """A link to a record's page by its name, or the name alone when the site has no page for it."""
            record = self.by_id.get(record_id)
            shown = text if text is not None else self.name(record_id)
            if record is None:
                return Markup("<span>" + escape(escape_controls(shown)) + "</span>")
            return Markup(f'<a href="{escape(url(self.pages_of[record_id]))}">{escape(escape_controls(shown))}</a>')

        return {"url": url, "link": link, "web_url": web_url, "page_path": path, "mark_pages": self.pages_of}

    def name(self, record_id: str) -> str:
        record = self.by_id.get(record_id) or self.kb.by_id.get(record_id)
        if record is None:
            return record_id
        return getattr(record, "name", None) or getattr(record, "title", None) or record.id

    def render(self, page: _Page) -> bytes:
        template = self.env.get_template(page.template)
        context = {
            "site_title": self.options.title,
            "built": self.options.built.strftime("%Y-%m-%d %H:%M UTC") if self.options.built else None,
            "nav": self.nav(),
            **self._helpers(page.path),
            **page.context,
        }
        return template.render(**context).encode("utf-8")

    def nav(self) -> list[tuple[str, str]]:
        return [
            ("Timeline", "index.html"),
            ("Actors", "actors/index.html"),
            ("Topics", "topics/index.html"),
            ("Events", "events/index.html"),
            ("Sources", "sources/index.html"),
            ("Positions", "positions/index.html"),
            ("Disputes", "disputes/index.html"),
            ("Audits", "audits/index.html"),
            ("Search", "search.html"),
        ]

    # Pages --------------------------------------------------------------------------------------------------

    def files(self) -> dict[str, bytes]:
        files = {page.path: self.render(page) for page in self.pages()}
        files["search-index.js"] = self.search_index()
        return dict(sorted({**files, **static_files()}.items()))

    def pages(self) -> Iterator[_Page]:
        yield from self.timeline_pages()
        yield from self.listing_pages()
        for record in self.by_id.values():
            yield self.record_page(record)
        yield from self.disputes_pages()
        yield from self.audits_pages()
        yield _Page("search.html", "search.html", {"heading": "Search"})

    def timeline_pages(self) -> Iterator[_Page]:
        """The timeline: all of it on the front page, or, for a large knowledge base, the events there and a
        page per year (per month where a year holds too many) for the positions."""
        periods = _periods([*self.events, *self.positions], self.chron, TIMELINE_MARKS)
        counts = {"events": len(self.events), "positions": len(self.positions), "actors": len(self.actors),
                  "topics": len(self.topics), "sources": len(self.sources)}  # fmt: skip
        if len(periods) <= 1:
            yield _Page("index.html", "index.html", {**self.drawings(self.events, self.positions), "counts": counts,
                                                     "periods": [], "heading": self.options.title,
                                                     "selection": self.options.selection})  # fmt: skip
            return
        links = [(label, f"timeline/{slug}.html") for label, slug, _, _ in periods]
        yield _Page("index.html", "index.html", {**self.drawings(self.events, []), "counts": counts,
                                                 "periods": links, "heading": self.options.title,
                                                 "selection": self.options.selection})  # fmt: skip
        for label, slug, first, last in periods:
            events = [e for e in self.events if _within(self.chron.span(e), first, last)]
            positions = [p for p in self.positions if _within(self.chron.span(p), first, last)]
            context = {**self.drawings(events, positions, (first, last)), "counts": None, "periods": links,
                       "heading": f"Timeline: {label}", "selection": self.options.selection}  # fmt: skip
            yield _Page(f"timeline/{slug}.html", "index.html", context)

    def drawings(
        self, events: Sequence[Event], positions: Sequence[Position], period: tuple[int, int] | None = None
    ) -> dict[str, Drawing]:
        actor_rank = {a.id: i for i, a in enumerate(self.actors)}
        topic_rank = {t.id: i for i, t in enumerate(self.topics)}
        by_actor = lay_out(events, positions, self.chron, lambda p: (p.actor, actor_rank.get(p.actor, 0)),
                           self.name, "actor", period)  # fmt: skip
        by_topic = lay_out(events, positions, self.chron, lambda p: (p.topic, topic_rank.get(p.topic, 0)),
                           self.name, "topic", period)  # fmt: skip
        return {"by_actor": by_actor, "by_topic": by_topic}

    def listing_pages(self) -> Iterator[_Page]:
        yield self.listing("actors", "Actors", ["name", "kind", "affiliation", "role", "positions"], [
            [self.cell(a.id), a.kind, self.cell(a.affiliation), current_role(a), len(self._refs(a.id, "actor"))]
            for a in self.actors
        ])  # fmt: skip
        yield self.listing("topics", "Topics", ["name", "positions", "events", "description"], [
            [self.cell(t.id), len(self._refs(t.id, "topic")), len(self._refs(t.id, "topics")), t.description or ""]
            for t in self.topics
        ])  # fmt: skip
        yield self.listing("sources", "Sources", ["title", "publisher", "date", "kind", "known through", "cited by"], [
            [self.cell(s.id), s.publisher or "", str(s.date or ""), s.kind or "", ("chain", self.chain(s.id)[1:]),
             len(self._refs(s.id, "sources"))]
            for s in self.sources
        ])  # fmt: skip
        yield self.listing("events", "Events", ["date", "title", "status", "kind", "location"], [
            [_dates(e), self.cell(e.id), ("status", e.status), e.kind or "", e.location or ""]
            for e in self.events
        ])  # fmt: skip
        yield from self.listing_pages_of("positions", "Positions", ["date", "actor", "topic", "stance", "claim"], [
            [str(p.date), self.cell(p.actor), self.cell(p.topic), ("stance", p.stance), self.cell(p.id, p.claim)]
            for p in self.positions
        ])  # fmt: skip

    def listing(self, folder: str, heading: str, columns: list[str], rows: list[list[Any]]) -> _Page:
        return next(self.listing_pages_of(folder, heading, columns, rows))

    def listing_pages_of(self, folder: str, heading: str, columns: list[str], rows: list[list[Any]]) -> Iterator[_Page]:
        yield from _paged(folder, "listing.html", rows, PAGE_ROWS, {"heading": heading, "columns": columns})

    def cell(self, record_id: str | None, text: str | None = None) -> tuple[str, str, str] | str:
        """A table cell naming a record: ("link", id, shown text)."""
        if not record_id:
            return ""
        return ("link", record_id, text if text is not None else self.name(record_id))

    def chain(self, source_id: str) -> list[str]:
        return source_chain(self.kb, source_id)

    def _refs(self, record_id: str, name: str) -> list[Record]:
        return self.refs.get(record_id, {}).get(name, [])

    def record_page(self, record: Record) -> _Page:
        kind = type(record).__name__.lower()
        context: dict[str, Any] = {
            "heading": self.name(record.id),
            "kind": kind,
            "record": record,
            "fields": self.fields(record),
            "sections": self.sections(record),
            "days": None,
            "origins": None,
            "sole": record.id in self.sole,
            "matrix_rows": None,
            "chart": None,
            "steps": None,
            "opposed": None,
            "defined_in": self.defined_in(record),
        }
        if isinstance(record, (Event, Position)):
            days = self.chron.span(record)
            context["days"] = (days.first.isoformat(), days.last.isoformat())
            context["origins"] = origins_of(self.kb, record.sources)
        if isinstance(record, Topic):
            context.update(self.topic_parts(record))
        if isinstance(record, Actor):
            mine = [p for p in self._refs(record.id, "actor") if isinstance(p, Position)]
            topic_rank = {t.id: i for i, t in enumerate(self.topics)}
            context["chart"] = lay_out([], self.chron.ordered(mine), self.chron,
                                       lambda p: (p.topic, topic_rank.get(p.topic, 0)), self.name, "topic")  # fmt: skip
        return _Page(self.pages_of[record.id], "record.html", context)

    def defined_in(self, record: Record) -> str:
        """The record's file, named from the knowledge base's folder (never where the builder keeps it)."""
        import os

        root = self.options.data_root
        path = Path(record.loc.path)
        if root is None:
            return path.name
        base = root if root.is_dir() else root.parent
        try:
            shown = os.path.relpath(path.resolve(), base.resolve())
        except ValueError:  # another drive
            return path.name
        return path.name if shown.startswith("..") else shown.replace(os.sep, "/")

    def topic_parts(self, topic: Topic) -> dict[str, Any]:
        """A topic's stance matrix (each actor's latest stance, colour and word) and its history per actor."""
        on_topic = filter_of(topic=[topic.id])
        grid = matrix(self.kb, on_topic)
        rows = []
        for actor in grid.actors:
            standing = grid.cell(actor.id, topic.id)
            if standing is None:
                continue
            shown = [self.by_id[p.id] for p in standing.candidates if p.id in self.by_id]  # views: the records
            rows.append({"actor": actor.id, "certain": standing.certain, "candidates": shown})
        steps = [s for s in history(self.kb, on_topic) if s.position.id in self.by_id]
        positions = self.chron.ordered(s.position for s in steps)
        actor_rank = {a.id: i for i, a in enumerate(self.actors)}
        chart = lay_out([], positions, self.chron, lambda p: (p.actor, actor_rank.get(p.actor, 0)), self.name,
                        "actor")  # fmt: skip
        pro, con = self.opposed.get(topic.id, ([], []))
        return {"matrix_rows": rows, "chart": chart, "steps": steps, "opposed": (pro, con) if pro else None}

    def fields(self, record: Record) -> list[tuple[str, Any]]:
        """(field, value) for every field the record has, in the record format's order: ("refs", ids),
        ("sources", chains), ("url", address), ("text", str), ("roles", ...), ("history", ...)."""
        shown: list[tuple[str, Any]] = []
        specs = {spec.name: spec for spec in KINDS[kind_key(record)].fields}
        for key, value in record_dict(record).items():
            if value in (None, [], ""):
                continue
            spec = specs.get(key)
            if key in ("sources", "via"):
                shown.append((key, ("chains", [self.chain(s) for s in ([value] if key == "via" else value)])))
            elif spec is not None and spec.type in (REF, REFS):
                shown.append((key, ("refs", [value] if isinstance(value, str) else value)))
            elif spec is not None and spec.type == ORDER:
                shown.append((key, ("order", value)))
            elif key in ("url", "archive"):
                shown.append((key, ("url", value)))
            elif key in ("stance", "status"):
                shown.append((key, (key, value)))
            elif key == "roles":
                shown.append((key, ("roles", value)))
            elif key == "history":
                shown.append((key, ("history", value)))
            elif isinstance(value, list):
                shown.append((key, ("text", ", ".join(map(str, value)))))
            else:
                shown.append((key, ("text", str(value))))
        return shown

    def sections(self, record: Record) -> list[dict[str, Any]]:
        """The records referring to this one, under a heading per field they refer with."""
        found = []
        for name, heading in BACKLINK_HEADINGS.items():
            rows = self._refs(record.id, name)
            if not rows:
                continue
            dated = [r for r in rows if isinstance(r, (Event, Position))]
            others = sorted((r for r in rows if not isinstance(r, (Event, Position))), key=lambda r: r.id)
            ordered = [*self.chron.ordered(dated), *others]
            found.append({"heading": heading, "rows": ordered[:SECTION_ROWS], "more": len(ordered) - SECTION_ROWS})
        return found

    def disputes_pages(self) -> Iterator[_Page]:
        """Positions that contest another record, side by side (a page per 200), and, on the first page, the
        topics where the actors' latest stances are opposed (each topic's page shows the two sides)."""
        pairs = [d for d in contested(self.kb, self.chron) if d.claim.id in self.by_id]
        opposed = [(topic, len(pro), len(con)) for topic, (pro, con) in self.opposed.items()]
        yield from _paged("disputes", "disputes.html", pairs, DISPUTE_ROWS, {"heading": "Disputes", "opposed": opposed})

    def audits_pages(self) -> Iterator[_Page]:
        """Claims resting on a single origin (a page per 500), and quotes no text can confirm."""
        sole = [p for p in self.positions if p.id in self.sole]
        unchecked = [p for p in self.positions if p.quote and not any(self._has_text(s) for s in p.sources)]
        context = {"heading": "Audits", "origin": {p.id: origins_of(self.kb, p.sources)[0] for p in sole},
                   "unchecked": unchecked[:SECTION_ROWS], "unchecked_more": len(unchecked) - SECTION_ROWS}  # fmt: skip
        yield from _paged("audits", "audits.html", sole, PAGE_ROWS, context)

    def _has_text(self, source_id: str) -> bool:
        return any(getattr(self.kb.by_id.get(s), "text", None) or getattr(self.kb.by_id.get(s), "text_file", None)
                   for s in source_chain(self.kb, source_id))  # fmt: skip

    def search_index(self) -> bytes:
        """Every record's text, folded as the command line folds it (case and diacritics), for the search page's
        script: a JavaScript file, so that it loads from `file://` too, where a page may not fetch JSON."""
        entries = []
        for record in self.by_id.values():
            words = [record.id, self.name(record.id), *getattr(record, "aliases", ()), getattr(record, "claim", None),
                     getattr(record, "quote", None), getattr(record, "description", None),
                     getattr(record, "summary", None), getattr(record, "location", None),
                     getattr(record, "publisher", None)]  # fmt: skip
            shown = self.name(record.id)
            if isinstance(record, Position):  # found by who said it and on what, shown by what was said
                words += [self.name(record.actor), self.name(record.topic)]
                shown = f"{self.name(record.actor)}: {record.claim}"
            text = " ".join(w for w in words if w)
            entries.append(
                {
                    "kind": type(record).__name__.lower(),
                    "name": escape_controls(shown if len(shown) <= 160 else shown[:159] + "…"),
                    "page": self.pages_of[record.id],
                    "text": fold(text),
                }
            )
        return f"window.talkbaseSearch = {script_json(entries)};\n".encode()


def static_files() -> dict[str, bytes]:
    """The style sheet and the script, as every page links them."""
    from importlib.resources import files

    return {name: files("talkbase.show.site").joinpath("static", name).read_bytes() for name in STATIC}


def _paged(folder: str, template: str, rows: Sequence[Any], size: int, context: dict[str, Any]) -> Iterator[_Page]:
    """`folder/index.html`, `folder/page-2.html`, ...: the rows, `size` a page, each page knowing its neighbours."""
    chunks = [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
    names = [f"{folder}/index.html"] + [f"{folder}/page-{n}.html" for n in range(2, len(chunks) + 1)]
    for n, (path, chunk) in enumerate(zip(names, chunks)):
        pager = {"previous": names[n - 1] if n else None, "next": names[n + 1] if n + 1 < len(names) else None,
                 "number": n + 1, "of": len(names)}  # fmt: skip
        yield _Page(path, template, {**context, "rows": chunk, "total": len(rows), "pager": pager})


def _dates(event: Event) -> str:
    return f"{event.date}–{event.end}" if event.end else str(event.date)


def _within(span: Any, first: int, last: int) -> bool:
    return span.last.toordinal() >= first and span.first.toordinal() <= last


def _periods(records: Sequence[Event | Position], chron: Any, limit: int) -> list[tuple[str, str, int, int]]:
    """(label, slug, first day, last day) of the timeline's pages: one when the records fit on it, else a year
    each, and a month each in a year that holds more than `limit` (a record is drawn on every page its days
    touch)."""
    if len(records) <= limit:
        return []
    spans = [chron.span(r) for r in records]
    years = sorted({y for s in spans for y in range(s.first.year, s.last.year + 1)})
    found = []
    for year in years:
        first, last = dt.date(year, 1, 1).toordinal(), dt.date(year, 12, 31).toordinal()
        if sum(1 for s in spans if _within(s, first, last)) <= limit:
            found.append((str(year), str(year), first, last))
            continue
        for month in range(1, 13):
            start = dt.date(year, month, 1)
            end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
            if any(_within(s, start.toordinal(), end.toordinal()) for s in spans):
                found.append((f"{start:%B %Y}", f"{start:%Y-%m}", start.toordinal(), end.toordinal()))
    return found
