"""The commands that show the negotiation at a glance: matrix, history and disputes."""

from __future__ import annotations

from typing import Annotated

import typer

from talkbase.cli.app import (
    Query,
    app,
    as_option,
    build_filters,
    check_csv_safe,
    check_save,
    date_option,
    load_valid,
    output,
    save_picture,
)
from talkbase.cli.options import (
    ActorOption,
    AsOfOption,
    CsvSafeOption,
    DataOption,
    Format,
    FormatOption,
    KnownAtOption,
    QueryArgument,
    SaveOption,
    SinceOption,
    SourceOption,
    StanceOption,
    TopicOption,
    UntilOption,
)


@app.command()
def matrix(
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
    save: SaveOption = None,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """Actors × topics: each cell the actor's latest stance on the topic, with its date.

    A cell shows one stance only when it is certainly the latest; when positions with different stances may
    each be the latest (their order is unknown, or one may not be stated yet by --as-of), it lists them all,
    marked "?". --actor and --topic narrow the grid; --stance, --since, --until and --source choose cells by
    their latest position (--stance rejects: who rejects now, not who once did; --as-of shows an earlier stance).
    In a table, topics are numbered and stances abbreviated (a legend follows) so the grid fits a terminal;
    --format markdown gives the full grid; json, jsonl and csv give one row per filled cell (one per candidate,
    with certainly_latest).

    \b
    Examples:
      talkbase matrix
      talkbase matrix --as-of 2025-07-20 --topic ceasefire
      talkbase matrix --save matrix.svg
    """
    check_save(save, fmt)
    check_csv_safe(csv_safe, fmt)
    from talkbase.ask.analysis import matrix as query_matrix
    from talkbase.show.formats import emit
    from talkbase.show.render import make_console, print_table
    from talkbase.show.views import matrix_cells, matrix_grid, matrix_legend, matrix_panels

    asked = Query(query, known_at)
    kb = load_valid(data, known_at=asked.known_at)
    filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked)
    grid = query_matrix(kb, filters, as_of=as_option("--as-of", date_option, as_of))
    if not grid.cells and fmt in (Format.json, Format.jsonl, Format.csv):
        output(matrix_cells(kb, grid), fmt, csv_safe=csv_safe)  # [], nothing, or the header, as other listings
    elif not grid.cells:
        typer.echo("no positions match", err=True)
    elif save is not None:
        save_picture(lambda width: matrix_panels(grid, width), save)
    elif fmt is Format.table:
        console = make_console()
        if console.is_terminal:
            print_table(console, matrix_panels(grid, console.width))
        else:  # in a pipe: one plain grid, however wide
            emit(matrix_grid(kb, grid, short=True), "table", console)
            console.print(matrix_legend(grid))
    elif fmt is Format.markdown:
        output(matrix_grid(kb, grid), fmt, csv_safe=csv_safe)
    else:
        output(matrix_cells(kb, grid), fmt, csv_safe=csv_safe)


@app.command()
def history(
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
    changes_only: Annotated[
        bool, typer.Option("--changes-only", help="Only actor × topic pairs whose stance changed.")
    ] = False,
    fmt: FormatOption = Format.table,
    csv_safe: CsvSafeOption = False,
) -> None:
    """How each actor's stance on each topic changed over time; reversals are flagged.

    A change is asserted only against a position certainly before (by its dates, or by after/before). A
    reversal is a turn from for (supports, proposes) to against (opposes, rejects) or back; a move to or from
    conditional, undecided or disputes is "changed"; supports → proposes is no change. Where two differing
    stances may have come in either order, both say "order unknown" and neither change is asserted.

    \b
    Examples:
      talkbase history
      talkbase history --changes-only --format json
      talkbase history --actor zelensky --topic leaders-summit
    """
    from talkbase.ask.analysis import history as query_history
    from talkbase.ask.query import chronology
    from talkbase.show.views import history_listing

    asked = Query(query, known_at)
    kb = load_valid(data, known_at=asked.known_at)
    filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked)
    day = as_option("--as-of", date_option, as_of)
    chron = chronology(kb)
    steps = query_history(kb, filters, day, changes_only, chron)
    output(history_listing(kb, steps, as_of=day is not None, chron=chron), fmt, csv_safe=csv_safe)


@app.command()
def disputes(
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
    """Contradictions, side by side with their sources.

    First the positions that contest another record (an event or a position), next to it; then topics
    where actors' latest stances oppose each other (supports or proposes against opposes, rejects or
    disputes).

    \b
    Examples:
      talkbase disputes
      talkbase disputes --topic ceasefire --format json
      talkbase disputes --known-at 2025-07-31
    """
    from talkbase.ask.analysis import disputes as query_disputes
    from talkbase.show.views import disputes_listing

    asked = Query(query, known_at)
    kb = load_valid(data, known_at=asked.known_at)
    filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked)
    found = query_disputes(kb, filters, as_option("--as-of", date_option, as_of))
    output(disputes_listing(kb, found), fmt, csv_safe=csv_safe)
