"""The commands that check and list the knowledge base: check, timeline, actors, positions, grep, show,
sources and topics. Each parses its options, calls a query, and hands the result to a renderer."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from talkbase.cli.app import (
    Query,
    app,
    as_option,
    build_filters,
    check_save,
    date_option,
    fail,
    load_valid,
    open_data,
    opened_location,
    output,
    vocabulary_words,
)
from talkbase.cli.options import (
    ActorOption,
    AsOfOption,
    CheckFormat,
    CsvSafeOption,
    DataOption,
    Format,
    FormatOption,
    KnownAtOption,
    LimitOption,
    QueryArgument,
    RecordArgument,
    SaveOption,
    ShowFormat,
    SinceOption,
    SourceOption,
    StanceOption,
    StatusOption,
    TopicOption,
    UntilOption,
    choice,
    complete_actor,
    complete_actor_kind,
    complete_event_kind,
    complete_source,
)
from talkbase.records.schema import ACTOR_KINDS

if TYPE_CHECKING:
    from talkbase.load.kb import Opened
    from talkbase.records.model import KnowledgeBase, Source
    from talkbase.records.problems import Problem
    from talkbase.records.quotes import Passage


@app.command()
def check(
    path: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Argument(
            metavar="[PATH]",
            help="A file or folder of the knowledge base: report its problems only (checked with the whole base).",
            show_default=False,
        ),
    ] = None,
    data: DataOption = None,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as errors.")] = False,
    fmt: Annotated[
        CheckFormat,
        typer.Option(
            "--format",
            "-f",
            metavar="[text|json]",
            parser=choice(CheckFormat),
            help="text: one `path:line:col: severity: message (hint)` line each; json: a list of objects with "
            "path, line, column, severity, code, message, hint.",
        ),
    ] = CheckFormat.text,
) -> None:
    """Find every mistake in the knowledge base, each as path:line:col.

    Each problem has a stable code (README lists them). With PATH, the whole knowledge base is read (so ids
    other files define are known) and only the problems in PATH are reported.

    Exit status: 0 when there are no errors, 1 when the data has errors, 2 for usage errors.

    \b
    Examples:
      talkbase check
      talkbase check data/positions/ukraine.yaml     only that file's problems
      talkbase check --strict --data ~/my-kb
      talkbase check --format json                   for editors and CI
    """
    from talkbase.load.parser import HAVE_LIBYAML
    from talkbase.records.problems import UNREAD_FILE, unread_files
    from talkbase.records.text import escape_controls, json_text
    from talkbase.show.render import make_console, print_problems

    opened = open_data(data, containing=path)  # warnings become errors here, after the saved queries are tried
    problems, files = opened.problems, opened.files
    if opened.kb is not None:
        problems = sorted([*problems, *_saved_query_problems(opened)], key=lambda p: p.sort_key())
    problems = [p.as_warning_or_error(strict) for p in problems]
    if path is not None:
        files = _files_within(opened, path)
        problems = [p for p in problems if p.path in set(files) or _repeats_one_in(p, files)]
    errors = [p for p in problems if p.is_error]
    if not HAVE_LIBYAML:
        typer.echo("note: PyYAML has no libyaml here, so loading is about 10x slower; a PyYAML wheel has it", err=True)
    if fmt == CheckFormat.json:
        typer.echo(json_text([_as_json(p) for p in problems], indent=2))
    else:
        console = make_console()
        print_problems(console, problems)
        summary = _summary(opened, len(files), errors, len(problems) - len(errors), path)
        console.print(escape_controls(summary), highlight=False)  # the path may hold anything
    unread = unread_files(problems)
    if unread and any(p.code not in UNREAD_FILE for p in problems):
        typer.echo(
            f"note: {_count(len(unread), 'file')} could not be read (listed first); problems about the records "
            f"in {'them' if len(unread) > 1 else 'it'} may follow from that",
            err=True,
        )
    if errors:
        raise typer.Exit(1)


def _saved_query_problems(opened: Opened) -> list[Problem]:
    """Saved queries that read well but fit nothing in the knowledge base (`actor:nobody`): a warning each, at its
    query in talkbase.yaml, since a command using one would stop there."""
    from talkbase.ask.filter import BindError, bind
    from talkbase.cli.app import declared_kinds, saved_queries
    from talkbase.load.settings import query_places
    from talkbase.records.expr import ExprError, parse, with_column
    from talkbase.records.problems import Problem, Severity

    saved = saved_queries()
    if not saved or opened.kb is None:
        return []
    places = query_places(opened.location.path)
    found = []
    for name, expression in saved.items():
        try:
            bind(opened.kb, parse(expression), saved, declared_kinds)
        except (BindError, ExprError) as exc:
            path, line, col = places.get(name, ("talkbase.yaml", 1, 1))
            at = f"at column {exc.column}"
            said = with_column(exc.message, exc.column).replace(at, f"{at} of it")
            message = f"saved query `{name}` fits nothing here: {said}"
            found.append(Problem(path, line, col, "bad-query", message, severity=Severity.WARNING))
    return found


def _files_within(opened: Opened, path: Path) -> list[str]:
    """The files of the knowledge base at or below `path` (as problems name them); a usage error when `path` is
    not part of it."""
    from talkbase.load.kb import settings_path
    from talkbase.load.loader import EDITOR_LOCK, display_path
    from talkbase.records.text import escape_controls

    wanted = path.resolve()
    settings = settings_path(opened.location.path)
    candidates = opened.files + ([display_path(settings)] if settings else [])
    files = [shown for shown in candidates if wanted == (real := Path(shown).resolve()) or wanted in real.parents]
    if not files:
        location = opened.location
        kb = location.describe() if location.origin == "bundled" else f"the knowledge base {location.describe()}"
        if not path.exists():
            reason = f"no such file or folder (searched {kb})"
        elif path.is_dir():
            reason = f"no YAML file of {kb} is in this folder"
        elif path.name.startswith(EDITOR_LOCK):
            reason = f"an editor's lock beside a file being edited, not a file of {kb}"
        else:
            reason = f"not a file of {kb}, which is made of the *.yaml and *.yml files in it"
        raise fail(escape_controls(f"{path}: {reason}"))
    return files


def _repeats_one_in(problem: Problem, files: list[str]) -> bool:
    """A duplicate warning, placed on the later record, about one of these files' records: PATH's problem too."""
    from talkbase.records.problems import DUPLICATE_CODES

    return problem.code in DUPLICATE_CODES and any(f" at {shown}:" in problem.message for shown in files)


def _as_json(problem: Problem) -> dict[str, object]:
    return {
        "path": problem.path,
        "line": problem.line,
        "column": problem.col,
        "severity": problem.severity.value,
        "code": problem.code,
        "message": problem.message,
        "hint": problem.hint,
    }


def _summary(opened: Opened, files: int, errors: list[Problem], warnings: int, path: Path | None) -> str:
    counts = ", ".join(_count(n, kind[:-1]) for kind, n in opened.record_counts.items())
    found = f"{_count(len(errors), 'error')}, {_count(warnings, 'warning')}"
    if path is not None:
        return f"{path} ({_count(files, 'file')}): {found} — checked with {opened.location.describe()}"
    return f"{_count(files, 'file')}, {counts}: {found} — {opened.location.describe()}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' * (n != 1)}"


@app.command()
def timeline(
    query: QueryArgument = None,
    data: DataOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    status: StatusOption = None,
    kind: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--kind",
            "-k",
            metavar="KIND",
            help="Event kind: talks, summit, address, ...; repeat for several.",
            autocompletion=complete_event_kind,
        ),
    ] = None,
    source: SourceOption = None,
    positions: Annotated[bool, typer.Option("--positions", "-p", help="Interleave stated positions.")] = False,
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Newest first.")] = False,
    limit: LimitOption = None,
    known_at: KnownAtOption = None,
    save: SaveOption = None,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """Events in time order, grouped by month.

    Scheduled, postponed and cancelled events stand out from held ones. A partial date (2025, 2025-07) is
    shown as written and listed at the first day it may fall on, under a heading that says what is known
    ("2025, date unknown", "Jul 2025, day unknown"); an order given with after/before is always respected
    (see "Honest time" in the README).

    \b
    Examples:
      talkbase timeline
      talkbase timeline --positions --actor zelensky
      talkbase timeline --since 2025-06 --status scheduled --format json
    """
    check_save(save, fmt)
    from talkbase.ask.query import chronology
    from talkbase.ask.query import timeline as query_timeline
    from talkbase.show.views import timeline_listing

    asked = Query(query, known_at)
    kb = load_valid(data, known_at=asked.known_at)
    filters = build_filters(kb, since, until, actor, topic, source, status, kind, query=asked, lists=("events",))
    chron = chronology(kb)
    items = query_timeline(kb, filters, with_positions=positions, reverse=reverse, limit=limit, chron=chron)
    output(timeline_listing(kb, items, chron), fmt, save, csv_safe=csv_safe)


@app.command()
def actors(
    query: QueryArgument = None,
    data: DataOption = None,
    kind: Annotated[
        Optional[list[str]],  # noqa: UP045
        typer.Option(
            "--kind",
            "-k",
            metavar="KIND",
            help=f"Only actors of this kind ({', '.join(ACTOR_KINDS)}, or one talkbase.yaml declares); repeat for "
            "several.",
            autocompletion=complete_actor_kind,
        ),
    ] = None,
    affiliation: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--affiliation",
            metavar="ACTOR",
            help="Only actors affiliated with this actor (id, name or alias).",
            autocompletion=complete_actor,
        ),
    ] = None,
    search: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--search", "-q", metavar="TEXT", help="Only actors whose name or alias contains TEXT."),
    ] = None,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """Actors: id, name, kind, affiliation, current role, and how many events and positions each has.

    \b
    Examples:
      talkbase actors
      talkbase actors --kind person --affiliation russia
      talkbase actors --search zelensk --format json
    """
    from talkbase.ask.query import actor_counts, list_actors
    from talkbase.show.views import actors_listing

    asked = Query(query)
    kb = load_valid(data, known_at=asked.known_at)
    kinds = sorted(vocabulary_words("--kind", kind, "actor_kinds"))
    affiliations = [affiliation] if affiliation is not None else None
    matches = build_filters(kb, kinds=kinds, affiliations=affiliations, query=asked, lists=("actors",)).test("actors")
    chosen = [a for a in list_actors(kb, search) if matches(a)]
    output(actors_listing(kb, chosen, actor_counts(kb)), fmt, csv_safe=csv_safe)


@app.command()
def positions(
    query: QueryArgument = None,
    data: DataOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    stance: StanceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    source: SourceOption = None,
    as_of: AsOfOption = None,
    known_at: KnownAtOption = None,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """Stated positions: who holds which stance on what, when, and according to which sources.

    In time order. With --as-of DATE, what each actor may have held on each topic at the end of DATE; an
    "as of" column (certainly_stated, certainly_latest in json and csv) marks a position that may not be
    stated yet by then, or may not be the latest.

    \b
    Examples:
      talkbase positions --actor peskov
      talkbase positions --topic ceasefire --stance rejects
      talkbase positions --as-of 2025-07-21 --format csv
    """
    from talkbase.ask.query import chronology, positions_held
    from talkbase.show.views import positions_listing

    asked = Query(query, known_at)
    kb = load_valid(data, known_at=asked.known_at)
    filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked)
    day = as_option("--as-of", date_option, as_of)
    chron = chronology(kb)
    chosen = positions_held(kb, filters, day, chron)
    held = dict((p.id, how) for p, how in chosen) if day is not None else None
    output(positions_listing(kb, [p for p, _ in chosen], held, chron), fmt, csv_safe=csv_safe)


@app.command()
def grep(
    pattern: Annotated[
        str, typer.Argument(metavar="PATTERN", help="A regular expression, RE2 syntax (or, with -F, a fixed string).")
    ],
    query: QueryArgument = None,
    data: DataOption = None,
    ignore_case: Annotated[bool, typer.Option("--ignore-case", "-i", help="Ignore case.")] = False,
    case_sensitive: Annotated[bool, typer.Option("--case-sensitive", help="Respect case.")] = False,
    no_fold: Annotated[
        bool,
        typer.Option(
            "--no-fold",
            help="Tell letters with diacritics apart, and typographic dashes and quotes from plain ones (by default"
            " `e` finds `é` too, and `-` finds `–`).",
        ),
    ] = False,
    fixed: Annotated[bool, typer.Option("--fixed-strings", "-F", help="PATTERN is a plain string.")] = False,
    word: Annotated[bool, typer.Option("--word-regexp", "-w", help="Match whole words only.")] = False,
    count: Annotated[bool, typer.Option("--count", "-c", help="Print only how many records match.")] = False,
    ids_only: Annotated[bool, typer.Option("--ids", "-l", help="Print only the ids of matching records.")] = False,
    source: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--source",
            "-s",
            metavar="SOURCE",
            help="Only records citing this source (id, or part of publisher, title or URL host), or one known "
            "through it (via).",
            autocompletion=complete_source,
        ),
    ] = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    stance: StanceOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    known_at: KnownAtOption = None,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """Search the claims: positions' claim and quote, events' title, summary and location.

    Like ripgrep: smart case (case-insensitive unless PATTERN has a capital letter; -i and --case-sensitive
    force either), and the empty pattern or ^ matches every record. Diacritics are ignored (`sinn fein` finds
    Sinn Féin) and typographic dashes and quotes read as plain ones (`Ukraine-Russia` finds Ukraine–Russia)
    unless --no-fold. A QUERY after PATTERN narrows the records searched (talkbase query --help).
    Exit status: 0 when something matched, 1 when nothing did, 2 on an error.

    \b
    Examples:
      talkbase grep ceasefire
      talkbase grep -w summit --source kyiv-independent
      talkbase grep "no (final )?date" -l
      talkbase grep ceasefire actor:russia,peskov stance:rejects --count
    """
    from talkbase.ask.query import chronology, compile_pattern, grep_count, grep_ids
    from talkbase.ask.query import grep as query_grep

    regex = as_option(
        "PATTERN", lambda p: compile_pattern(p, ignore_case, case_sensitive, fixed, word, not no_fold), pattern
    )
    asked = Query(query, known_at)
    kb = load_valid(data, error_code=2, known_at=asked.known_at)
    filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked, lists=("events",))
    if count:
        found = grep_count(kb, regex, filters)
        if fmt in (Format.json, Format.jsonl):
            typer.echo(json.dumps({"count": found}))
        elif fmt is Format.csv:
            typer.echo(f"count\n{found}")
        else:
            typer.echo(found)
        if not found:
            raise typer.Exit(1)
        return
    if ids_only:
        matched = grep_ids(kb, regex, filters)
        if fmt is Format.json:
            typer.echo(json.dumps(matched))
        elif fmt is Format.jsonl:
            for record_id in matched:
                typer.echo(json.dumps(record_id))
        else:
            for record_id in matched:
                typer.echo(record_id)
        if not matched:
            raise typer.Exit(1)
        return
    from talkbase.show.views import grep_listing  # not needed for --count and --ids

    hits = query_grep(kb, regex, filters)
    output(grep_listing(kb, hits, chronology(kb)), fmt, csv_safe=csv_safe)
    if not hits:
        raise typer.Exit(1)


@app.command()
def show(
    record_id: RecordArgument,
    data: DataOption = None,
    fmt: Annotated[
        ShowFormat,
        typer.Option("--format", "-f", metavar="[table|json|jsonl]", parser=choice(ShowFormat), help="Output format."),
    ] = ShowFormat.table,
) -> None:
    """One record in full, its references resolved, everything that refers to it, and where it is defined.

    \b
    Examples:
      talkbase show istanbul-round-3
      talkbase show Zelensky
      talkbase show leaders-summit --format json
    """
    from talkbase.ask.query import resolve_record
    from talkbase.records.text import json_text
    from talkbase.show.render import make_console, print_table
    from talkbase.show.views import show_dict, show_renderable

    kb = load_valid(data)
    record = as_option("ID", lambda i: resolve_record(kb, i), record_id)
    passage = _quote_passage(kb, record)
    if fmt is ShowFormat.table:
        print_table(make_console(), show_renderable(kb, record, passage))
    else:
        indent = 2 if fmt is ShowFormat.json else None
        typer.echo(json_text(show_dict(kb, record, passage), indent=indent))


def _quote_passage(kb: KnowledgeBase, record: object) -> tuple[str, Passage] | None:
    """Where a position's quote stands in the text of a source it cites (read from the knowledge base's files)."""
    if not getattr(record, "quote", None):
        return None
    from talkbase.ask.query import quote_passage
    from talkbase.load.texts import TextReader, source_text

    reader = TextReader(opened_location().path)
    return quote_passage(kb, record, lambda source: source_text(source, reader))  # type: ignore[arg-type]


@app.command()
def sources(
    query: QueryArgument = None,
    data: DataOption = None,
    sole: Annotated[
        bool,
        typer.Option(
            "--sole",
            help="List the claims that rest on a single origin (one source, or several all known through one via"
            " another), with that origin.",
        ),
    ] = False,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """Sources: how many claims (positions) and events cite each, and how many claims rest on it alone.

    A source known through another (`via`) is not an independent origin: a claim citing a speech and the
    article that reports it rests on the article alone, and counts in the article's `sole`. So an origin's
    `sole` may exceed its `claims`, which counts only the claims citing it by name.

    \b
    Examples:
      talkbase sources
      talkbase sources --sole
      talkbase sources --format csv
    """
    from talkbase.ask.analysis import sole_source_claims
    from talkbase.ask.query import chronology, origins_finder, source_counts
    from talkbase.show.views import sole_listing, sources_listing

    asked = Query(query)
    kb = load_valid(data, known_at=asked.known_at)
    test = build_filters(kb, query=asked, lists=("positions",) if sole else ("sources",))
    claims = sole_source_claims(kb)
    found = origins_finder(kb)
    origin = {p.id: found(p.sources)[0] for p in claims}  # the one origin each rests on
    if sole:  # the query chooses among the claims
        chosen = list(filter(test.test("positions"), claims))
        output(sole_listing(kb, chosen, origin, chronology(kb)), fmt, csv_safe=csv_safe)
        return
    alone = Counter(origin.values())
    chosen = list(filter(test.test("sources"), _published(kb.sources, asked.known_at)))
    output(sources_listing(chosen, source_counts(kb), alone), fmt, csv_safe=csv_safe)


def _published(sources: list[Source], known_at: str | None) -> list[Source]:
    """With `known:`, only the sources out by then."""
    if known_at is None:
        return sources
    from talkbase.ask.query import published_by

    day = date_option(known_at)
    return [s for s in sources if published_by(s, day)]


@app.command()
def topics(
    query: QueryArgument = None,
    data: DataOption = None,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """Topics, with how many positions are stated on each and how many events touch it.

    \b
    Examples:
      talkbase topics
      talkbase topics --format markdown
    """
    from talkbase.ask.query import topic_counts
    from talkbase.show.views import topics_listing

    asked = Query(query)
    kb = load_valid(data, known_at=asked.known_at)
    chosen = list(filter(build_filters(kb, query=asked).test("topics"), kb.topics))
    output(topics_listing(chosen, topic_counts(kb)), fmt, csv_safe=csv_safe)


@app.command()
def query(
    query: QueryArgument = None,
    explain: Annotated[
        bool, typer.Option("--explain", help="Print how the query was read (every operator spelled out), and stop.")
    ] = False,
    saved: Annotated[bool, typer.Option("--list", help="List the saved queries (talkbase.yaml `queries:`).")] = False,
    data: DataOption = None,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """Every record a query matches, of every kind; or how a query is read (--explain); or the saved ones (--list).

    The same QUERY every listing takes after its options (timeline, positions, grep, matrix, history,
    disputes, export, actors, sources, topics):

    \b
      actor:russia,peskov       a field: actor topic source event stance status kind affiliation location
                                date known id type (names, aliases, unique prefixes, any case; a comma for
                                alternatives); type:position,event keeps records of those kinds
      date:2025-06..2025-08     a period (date:2025, date:..2025-07, date:2025-06..); known:DATE as --known-at
      ceasefire "no changes"    words and phrases in the text (claims, quotes, titles, summaries, names)
      /battle.?field/           a regular expression, as grep's PATTERN
      not X, -X, X and Y, X Y   not binds tightest, then and (also by juxtaposition), then or
      X or Y, ( ... )           parentheses group
      @name                     a query saved in talkbase.yaml (queries: {name: "..."})

    \b
    Examples:
      talkbase query 'actor:russia,peskov stance:rejects,disputes'
      talkbase query --explain 'actor:russia or actor:peskov stance:rej -topic:ceasefire'
      talkbase positions '(topic:ceasefire or topic:leaders-summit) date:2025-06..2025-08'
      talkbase timeline kind:talks location:istanbul
      talkbase query kind:speech                  every source, actor or event of that kind
    """
    from talkbase.records.expr import explain as explained
    from talkbase.records.expr import parse
    from talkbase.records.text import escape_controls

    if saved and (query or explain):
        raise typer.BadParameter("lists every saved query: give it no query, nor --explain", param_hint="'--list'")
    if saved:
        _list_saved(data, fmt, csv_safe)
        return
    asked = Query(query)
    if explain:
        from talkbase.records.expr import saved_names

        tree = parse(asked.text)
        typer.echo(escape_controls(explained(tree), one_line=True))
        names = saved_names(tree)
        if names:  # and what each saved query it names reads as
            from talkbase.cli.app import saved_queries

            open_data(data)
            saved = saved_queries()
            for name in dict.fromkeys(names):
                reading = explained(parse(saved[name])) if name in saved else "(not saved)"
                typer.echo(escape_controls(f"@{name} = {reading}", one_line=True))
        return
    from talkbase.ask.query import chronology
    from talkbase.show.views import records_listing

    kb = load_valid(data, known_at=asked.known_at)
    test = build_filters(kb, query=asked)
    whole = [*filter(test, kb.actors), *filter(test, _published(kb.sources, asked.known_at)), *filter(test, kb.topics)]
    timed = chronology(kb).ordered([r for kind in ("events", "positions") for r in getattr(kb, kind) if test(r)])
    output(records_listing(kb, [*whole, *timed]), fmt, csv_safe=csv_safe)


def _list_saved(data: str | None, fmt: Format, csv_safe: bool) -> None:
    from talkbase.cli.app import saved_queries
    from talkbase.show.formats import Column, Listing
    from talkbase.show.render import literal

    open_data(data)
    named = sorted(saved_queries().items())
    columns = [Column("name", lambda q: literal(f"@{q[0]}"), wrap=False), Column("query", lambda q: literal(q[1]))]
    output(Listing("saved queries", named, columns, lambda q: {"name": q[0], "query": q[1]}), fmt, csv_safe=csv_safe)
