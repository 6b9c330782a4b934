"""The command that shows the knowledge base as web pages: site (a static site in a folder)."""

from __future__ import annotations

import os
import signal
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from talkbase.cli.app import (
    Query,
    app,
    as_option,
    build_filters,
    date_option,
    fail,
    knowledge_base_name,
    load_valid,
    open_data,
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

if TYPE_CHECKING:
    from talkbase.records.model import KnowledgeBase
    from talkbase.records.problems import Problem

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
    from talkbase.show.exports import ExportError, export_time, select
    from talkbase.show.site import SiteOptions, build
    from talkbase.write.atomic import atomic_path

    target = _site_folder(output)

    asked = Query(query, known_at)
    day = as_option("--known-at", date_option, asked.known_at)
    kb = load_valid(data)
    filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked, lists=("events",))
    try:
        stamp = export_time(os.environ) if os.environ.get("SOURCE_DATE_EPOCH", "").strip() else None
        chosen = select(kb, filters, stamp or export_time({}), day)
    except ExportError as exc:
        raise fail(str(exc)) from None
    selection = _selection(query, since=since, until=until, actor=actor, topic=topic, source=source, stance=stance,
                           known_at=known_at)  # fmt: skip
    options = SiteOptions(title or knowledge_base_name(), base_url, selection, stamp, opened_location().path)
    files = build(chosen, options)
    if not chosen.events and not chosen.positions:
        typer.echo("note: no events or positions match; the site shows the actors, topics and sources", err=True)
    try:
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
    largest = max((path for path in files if path.endswith(".html")), key=lambda path: len(files[path]))
    tell_written("wrote", output)
    from talkbase.records.text import escape_controls

    said = f"{pages} pages, {size / 1e6:.1f} MB in all (largest page: {largest}, {len(files[largest]) / 1e3:.0f} kB)"
    typer.echo(escape_controls(f"{said}; open {Path(output) / 'index.html'}", one_line=True), err=True)


def _selection(query: list[str] | None, **options: str | list[str] | None) -> str:
    """The query and filter options as given, to say on the site what it shows (`topic:ceasefire --since 2025`)."""
    given = [*(query or [])]
    for name, value in options.items():
        for one in value if isinstance(value, list) else [value] if value is not None else []:
            given += [f"--{name.replace('_', '-')}", one]
    return " ".join(given)


def _site_folder(output: Path) -> Path:
    """OUT, checked before anything is built: a folder to create, an empty one, or an earlier site (its manifest
    lists every file in it), never the current folder (replaced, it would leave the shell in a deleted one), a
    folder of other files, a file or a device."""
    from talkbase.records.text import escape_controls
    from talkbase.show.site import foreign_files
    from talkbase.write.atomic import TargetError, destination

    if not str(output).strip():
        raise typer.BadParameter("give the folder to write, e.g. public/", param_hint="'OUT'")
    target = Path(os.path.abspath(output))
    if target == Path.cwd() or target in Path.cwd().parents:
        raise fail(f"cannot write {escape_controls(str(output))}: it is the current folder or holds it; name a "
                   "folder of its own, e.g. public/", 1)  # fmt: skip
    try:
        real = destination(target, directory=True).path
    except TargetError as exc:
        raise fail(f"cannot write {escape_controls(str(output))}: {exc.strerror}", 1) from None
    others = foreign_files(real) if real.is_dir() else []
    if others:
        shown = ", ".join(escape_controls(name, one_line=True) for name in others[:3])
        more = f" and {len(others) - 3} more" if len(others) > 3 else ""
        raise fail(f"cannot write {escape_controls(str(output))}: it holds files no earlier site wrote, or changed "
                   f"since ({shown}{more}); choose a new or empty folder", 1)  # fmt: skip
    try:
        target.parent.mkdir(parents=True, exist_ok=True)  # OUT is created, and the folders it is in
    except OSError as exc:
        raise fail(f"cannot write {escape_controls(str(output))}: {exc.strerror or exc}", 1) from None
    return target


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise typer.BadParameter(f"`{text}` is not a port number: give 1 to 65535, or 0 for a free one") from None
    if not 0 <= value <= 65535:
        raise typer.BadParameter(f"{value} is not a port number: give 1 to 65535, or 0 for a free one")
    return value


@app.command()
def serve(
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
    port: Annotated[
        int,
        typer.Option(
            "--port",
            metavar="PORT",
            parser=_port,
            help="The port to listen on. Default: 0, a free port (the URL printed says which).",
        ),
    ] = 0,
    host: Annotated[
        str,
        typer.Option(
            "--host",
            metavar="HOST",
            help="The address to listen on. Default: 127.0.0.1, this machine only; any other address "
            "lets others read the knowledge base, and talkbase warns so.",
        ),
    ] = "127.0.0.1",
    open_browser: Annotated[bool, typer.Option("--open", help="Open the site in the web browser.")] = False,
) -> None:
    """Serve the site of the knowledge base on this machine, as `talkbase site` writes it, built again as you
    edit: save a file and reload the page. While the knowledge base has errors, every page lists them
    (path:line:col), as `talkbase check` does. Nothing is ever written: the server only reads.

    Prints the address (http://127.0.0.1:PORT/) on stdout and each request on stderr; Ctrl-C stops it.

    \b
    Examples:
      talkbase serve --open
      talkbase serve --port 8000 actor:zelensky
    """
    from talkbase.load import cache
    from talkbase.load.kb import open_kb, settings_path
    from talkbase.load.texts import discover_with_texts
    from talkbase.records.text import escape_controls
    from talkbase.show.exports import export_time, select
    from talkbase.show.site import SiteOptions, build, problems_page, static_files
    from talkbase.show.site.serve import Built, LiveSite, is_loopback
    from talkbase.show.site.serve import serve as start

    asked = Query(query, known_at)
    day = as_option("--known-at", date_option, asked.known_at)
    opened = open_data(data)
    location = opened.location
    selection = _selection(query, since=since, until=until, actor=actor, topic=topic, source=source, stance=stance,
                           known_at=known_at)  # fmt: skip
    options = SiteOptions(title or knowledge_base_name(), None, selection, None, location.path)
    where = escape_controls(location.describe())

    def problems(lines: list[str]) -> Built:
        return Built(static_files(), problems_page(lines, where, options))

    def built(kb: KnowledgeBase | None, errors: list[Problem]) -> Built:
        if kb is None:
            return problems([p.format() for p in errors])
        filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked, lists=("events",))
        return Built(build(select(kb, filters, export_time({}), day), options))

    def rebuild() -> Built:
        reopened = open_kb(location)
        try:
            return built(reopened.kb, reopened.errors)
        except (typer.BadParameter, typer.Exit) as exc:  # the query names what an edit took away
            return problems([f"the query no longer fits the knowledge base: {getattr(exc, 'message', exc)}"])

    def stamp() -> object:
        files, texts = discover_with_texts(location.path)
        settings = settings_path(location.path)
        return cache.signature(files + ([settings] if settings else []) + texts)

    typer.echo("building the site…", err=True)
    first = built(opened.kb, opened.errors)  # a query that does not fit is a usage error, now
    if opened.kb is None:
        from talkbase.show.render import make_console, print_problems

        print_problems(make_console(stderr=True), opened.errors)
    site_now = LiveSite(rebuild, stamp, first)
    try:
        server = start(site_now, host, port, lambda line: typer.echo(line, err=True))
    except OSError as exc:
        raise fail(f"cannot listen on {host} port {port}: {exc.strerror or exc}", 1) from None
    address = server.server_address
    shown_host = f"[{address[0]}]" if ":" in address[0] else address[0]
    if address[0] in ("0.0.0.0", "::"):  # every address: this machine's own is one to open
        shown_host = "127.0.0.1"
    url = f"http://{shown_host}:{address[1]}/"
    if not is_loopback(host):
        typer.echo(f"talkbase: warning: listening on {host}: anyone who can reach this machine can read the "
                   "knowledge base", err=True)  # fmt: skip
    typer.echo(f"serving {escape_controls(location.describe())} at {url} (Ctrl-C stops)")
    sys.stdout.flush()
    if hasattr(signal, "SIGPIPE"):  # a client that hangs up is a BrokenPipeError to handle, not the end of talkbase
        signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    if open_browser:
        import webbrowser

        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        typer.echo("stopped", err=True)
    finally:
        server.server_close()
