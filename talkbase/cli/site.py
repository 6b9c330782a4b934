"""The command that shows the knowledge base as web pages: site (a static site in a folder)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Optional

import typer

from talkbase.cli.app import (
    Query,
    app,
    as_option,
    build_filters,
    date_option,
    fail,
    load_valid,
    opened_location,
    tell_written,
)
from talkbase.cli.options import (
    ActorOption,
    DataOption,
    KnownAtOption,
    QueryArgument,
    SinceOption,
    SourceOption,
    StanceOption,
    TopicOption,
    UntilOption,
)

TitleOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--title", metavar="TEXT", help="The name at the top of every page. Default: the knowledge base's."),
]


def _base_url(value: str | None) -> str | None:
    from talkbase.records.text import web_url

    if value is not None and web_url(value) is None:
        raise typer.BadParameter(f"`{value}` is not an http(s) address, e.g. https://example.org/talks/")
    return value


@app.command()
def site(
    output: Annotated[
        Path,
        typer.Argument(
            metavar="OUT",
            help="The folder to write (created, or replaced if it holds an earlier site).",
            show_default=False,
        ),
    ],
    query: QueryArgument = None,
    data: DataOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    source: SourceOption = None,
    stance: StanceOption = None,
    known_at: KnownAtOption = None,
    title: TitleOption = None,
    base_url: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--base-url",
            metavar="URL",
            callback=_base_url,
            help="Make links absolute under URL, for publishing (default: relative links, which work from the "
            "folder itself, file:// included).",
        ),
    ] = None,
) -> None:
    """Write the knowledge base as a static web site to the folder OUT: a drawn timeline, a page per record,
    each topic's stance matrix and history, disputes, audits and a search, all readable from file:// with no
    network (open OUT/index.html) and publishable on any web host.

    A query or the filter options select the events and positions shown (actors, sources and topics are always
    all there). The folder is replaced in one step: a failed build leaves the earlier site as it was, and
    OUT must be new, empty or an earlier site. With SOURCE_DATE_EPOCH set, pages say that build time and
    files carry it; the same knowledge base always gives the same bytes.

    \b
    Examples:
      talkbase site public/
      talkbase site public/ topic:ceasefire,summit
      talkbase site public/ --base-url https://example.org/talks/
    """
    from talkbase.show.exports import ExportError, check_replaceable, export_time, select
    from talkbase.show.site import SiteOptions, build, site_names
    from talkbase.write.atomic import atomic_path

    asked = Query(query, known_at)
    day = as_option("--known-at", date_option, asked.known_at)
    kb = load_valid(data)
    filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked)
    try:
        stamp = export_time(os.environ) if os.environ.get("SOURCE_DATE_EPOCH", "").strip() else None
        chosen = select(kb, filters, stamp or export_time({}), day)
    except ExportError as exc:
        raise fail(str(exc)) from None
    files = build(chosen, SiteOptions(title or knowledge_base_name(), base_url, stamp))
    target = Path(os.path.abspath(output))
    try:
        check_replaceable(target, site_names())
        with atomic_path(target, directory=True) as temp:
            for path, content in files.items():
                where = temp / path
                where.parent.mkdir(parents=True, exist_ok=True)
                where.write_bytes(content)
                if stamp is not None:
                    os.utime(where, (stamp.timestamp(), stamp.timestamp()))
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}", 1) from None
    pages = sum(1 for path in files if path.endswith(".html"))
    size = sum(len(content) for content in files.values())
    largest = max(files, key=lambda path: len(files[path]))
    tell_written("wrote", output)
    typer.echo(
        f"{pages} pages, {size / 1e6:.1f} MB in all (largest: {largest}, {len(files[largest]) / 1e3:.0f} kB); "
        f"open {Path(output) / 'index.html'}",
        err=True,
    )


def knowledge_base_name() -> str:
    """What the knowledge base is called: its folder's name (the folder holding it, when that is `data/`)."""
    path = opened_location().path
    folder = path if path.is_dir() else path.parent
    if folder.name in ("data", "bundled") and folder.parent.name:
        folder = folder.parent
    return folder.name or "talkbase"
