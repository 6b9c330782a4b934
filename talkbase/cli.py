"""The command line: thin Typer wiring that parses options, calls a query, hands the result to a renderer.

Heavy modules (the YAML loader, Rich tables) are imported inside the commands that use them, so
`talkbase --help` and `--version` start fast.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional, TypeVar

import typer

from talkbase import __version__

if TYPE_CHECKING:
    from talkbase.dates import PartialDate
    from talkbase.kb import Opened
    from talkbase.model import KnowledgeBase
    from talkbase.query import Filters

T = TypeVar("T")

app = typer.Typer(
    name="talkbase",
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

DataOption = Annotated[
    Optional[Path],  # noqa: UP045 - Typer reads the annotation at run time, also on Python 3.10
    typer.Option(
        "--data",
        metavar="PATH",
        help="Knowledge base directory or file. Default: $TALKBASE_DATA, else the nearest data/ folder, "
        "else the bundled knowledge base.",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"talkbase {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """A knowledge base of negotiations: events, actors, sources, topics and stated positions, kept as YAML.

    \b
    Examples:
      talkbase timeline                  what happened and what is coming, in order
      talkbase check                     find every mistake in the YAML files
      talkbase timeline --data ~/my-kb   use another knowledge base
    """


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr; the caller raises the returned Exit."""
    from talkbase.render import escape_controls

    typer.echo(f"talkbase: error: {escape_controls(message)}", err=True)
    return typer.Exit(code)


def open_data(data: Path | None, strict: bool = False) -> Opened:
    from talkbase.kb import DataLocationError, locate, open_kb

    try:
        return open_kb(locate(data), strict=strict)
    except DataLocationError as exc:
        raise fail(str(exc)) from None


def load_valid(data: Path | None) -> KnowledgeBase:
    """The knowledge base, or exit 1 after printing every error in it (warnings are for `check`)."""
    opened = open_data(data)
    if opened.kb is None:
        from talkbase.render import make_console, print_problems

        errors = opened.errors
        print_problems(make_console(stderr=True), errors)
        noun = "error" if len(errors) == 1 else "errors"
        raise fail(f"{opened.location.describe()} has {len(errors)} {noun}; fix them and retry", 1)
    return opened.kb


@app.command()
def check(
    data: DataOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
) -> None:
    """Find every mistake in the knowledge base, each as path:line:col.

    Exit status: 0 when there are no errors, 1 when the data has errors, 2 for usage errors.

    \b
    Examples:
      talkbase check
      talkbase check --strict
      talkbase check --data ~/negotiations/data
    """
    from talkbase.render import make_console, print_problems

    opened = open_data(data, strict=strict)
    console = make_console()
    print_problems(console, opened.problems)
    console.print(_summary(opened), highlight=False)
    if opened.errors:
        raise typer.Exit(1)


def _summary(opened: Opened) -> str:
    errors = len(opened.errors)
    warnings = len(opened.problems) - errors
    records = ", ".join(_count(n, kind[:-1]) for kind, n in opened.record_counts.items())
    return (
        f"{_count(len(opened.files), 'file')}, {records}: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
        f" — {opened.location.describe()}"
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


def _date_option(value: str) -> PartialDate:
    from talkbase.dates import DATE_FORMAT_HINT, DateError, parse_date
    from talkbase.query import QueryError

    try:
        return parse_date(value)
    except DateError as exc:
        raise QueryError(f"{exc}; {DATE_FORMAT_HINT}") from None


SinceOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--since", metavar="DATE", help="Only from this date on (YYYY, YYYY-MM or YYYY-MM-DD)."),
]
UntilOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--until", metavar="DATE", help="Only up to this date, inclusive: 2025-07 includes 2025-07-31."),
]
ActorOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--actor", "-a", help="Actor id, name or alias; repeat for several."),
]
TopicOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option("--topic", "-t", help="Topic id or name; repeat for several."),
]
SourceOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--source", "-s", help="Source id, or part of its publisher, title or URL host."),
]


def build_filters(
    kb: KnowledgeBase,
    since: str | None = None,
    until: str | None = None,
    actors: list[str] | None = None,
    topics: list[str] | None = None,
    source: str | None = None,
    statuses: list[str] | None = None,
    kinds: list[str] | None = None,
) -> Filters:
    """Resolve the command line's names and dates into query Filters; a bad value is a usage error (exit 2)."""
    from talkbase.query import Filters, resolve_actor, resolve_sources, resolve_topic

    return Filters(
        since=_as_option("--since", _date_option, since),
        until=_as_option("--until", _date_option, until),
        actors={_as_option("--actor", lambda a: resolve_actor(kb, a), a) for a in actors or ()},
        topics={_as_option("--topic", lambda t: resolve_topic(kb, t), t) for t in topics or ()},
        sources=_as_option("--source", lambda s: resolve_sources(kb, s), source) if source else None,
        statuses=set(statuses or ()),
        kinds=set(kinds or ()),
    )


def _as_option(option: str, convert: Callable[[str], T], value: str | None) -> T | None:
    """Convert one option's value, turning a query or date error into a usage error naming the option."""
    from talkbase.query import QueryError

    if value is None:
        return None
    try:
        return convert(value)
    except QueryError as exc:
        raise typer.BadParameter(str(exc), param_hint=f"'{option}'") from None


@app.command()
def timeline(
    data: DataOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    status: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--status", help="held, scheduled, postponed or cancelled; repeat for several."),
    ] = None,
    kind: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option("--kind", "-k", help="Event kind: talks, summit, address, ...; repeat for several."),
    ] = None,
    source: SourceOption = None,
    positions: Annotated[bool, typer.Option("--positions", "-p", help="Interleave stated positions.")] = False,
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")] = False,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--limit", "-n", min=1, help="Show at most N rows."),
    ] = None,
) -> None:
    """Events in date order, grouped by month.

    Scheduled, postponed and cancelled events stand out from held ones.

    Partial dates (2025, 2025-07) sort at their earliest day and are shown as written.

    \b
    Examples:
      talkbase timeline
      talkbase timeline --positions --actor zelensky
      talkbase timeline --since 2025-06 --status scheduled
    """
    from talkbase.query import timeline as query_timeline
    from talkbase.render import make_console, print_table, timeline_table
    from talkbase.schema import EVENT_STATUSES

    for word in status or ():
        if word not in EVENT_STATUSES:
            message = f"unknown status `{word}`; use one of {', '.join(EVENT_STATUSES)}"
            raise typer.BadParameter(message, param_hint="'--status'")
    kb = load_valid(data)
    filters = build_filters(kb, since, until, actor, topic, source, status, kind)
    items = query_timeline(kb, filters, with_positions=positions, reverse=reverse, limit=limit)
    if not items:
        typer.echo("no events match", err=True)
        return
    print_table(make_console(), timeline_table(kb, items))


def main() -> int:
    """The console script: run the app and turn its exit into a status code."""
    try:
        app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0
