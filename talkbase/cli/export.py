"""The commands that carry the knowledge base into other tools: export (JSON, CSV, SQLite, iCalendar, TimelineJS)
and schema (a JSON Schema of the YAML files, for editors)."""

from __future__ import annotations

from enum import Enum
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
    choice,
)
from talkbase.show.exports import FORMATS, TEXT

if TYPE_CHECKING:
    from talkbase.records.model import KnowledgeBase
    from talkbase.records.schema import Kind

ExportFormat = Enum("ExportFormat", {name: name for name in FORMATS}, type=str)


@app.command()
def export(
    fmt: Annotated[
        ExportFormat,
        typer.Argument(
            metavar="FORMAT",
            parser=choice(ExportFormat),
            help="json (one document), csv (a directory of tables), sqlite (a database), ics (a calendar of the "
            "events) or timelinejs (TimelineJS3 JSON).",
            show_default=False,
        ),
    ],
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help="Write here (csv: a directory; sqlite: a file) instead of stdout (also: -); replaced atomically.",
        ),
    ] = None,
    query: QueryArgument = None,
    data: DataOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    actor: ActorOption = None,
    topic: TopicOption = None,
    source: SourceOption = None,
    stance: StanceOption = None,
    known_at: KnownAtOption = None,
    csv_safe: Annotated[
        Optional[bool],  # noqa: UP045
        typer.Option(
            "--csv-safe/--csv-exact",
            help="csv: start a cell that begins with =, +, -, @, a tab or a carriage return with ' so that "
            "spreadsheets show it as text instead of running it as a formula (the default), or write every cell "
            "exactly as in the data.",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Export the knowledge base for other tools: JSON, CSV for spreadsheets, SQLite, iCalendar or TimelineJS.

    Actors, sources and topics are always exported whole; the filters narrow the events and positions.
    json, ics and timelinejs go to stdout unless -o is given; csv (a directory) and sqlite (a file) need -o.
    A re-export replaces the old file or directory in one step; an interrupted one leaves it as it was.
    ics and timelinejs need an event: when none is left, they write nothing and say so.
    csv guards spreadsheets against formulas in the data: a cell starting with =, +, -, @, a tab or a
    carriage return gets a leading ' (--csv-exact turns that off).

    \b
    Examples:
      talkbase export sqlite -o talks.db
      talkbase export csv -o talks-csv --since 2025-07
      talkbase export ics --actor zelensky -o zelensky.ics
    """
    import dataclasses
    import os

    from talkbase.show.exports import ExportError, NothingToWrite, export_time, render, select, write_export

    kind = FORMATS[fmt.value]
    if output is not None and str(output) == "-":
        output = None  # the usual name for stdout
    if output is None and kind != TEXT:
        raise typer.BadParameter(f"{fmt.value} writes a {kind}: say where with -o PATH", param_hint="'--output'")
    if csv_safe is not None and fmt.value != "csv":
        raise typer.BadParameter(f"is for csv, not {fmt.value}", param_hint="'--csv-safe' / '--csv-exact'")
    asked = Query(query, known_at)
    day = as_option("--known-at", date_option, asked.known_at)
    kb = load_valid(data)
    filters = build_filters(kb, since, until, actor, topic, source, stances=stance, query=asked, lists=("events",))
    try:
        chosen = select(kb, filters, export_time(os.environ), day)
        chosen = dataclasses.replace(
            chosen, csv_safe=csv_safe is not False, texts=_texts_in_files(kb), name=knowledge_base_name()
        )
        if output is None:
            document = render(fmt.value, chosen)
            notes = document.notes
            typer.echo(document.text.encode("utf-8"), nl=False)  # bytes: CRLF and UTF-8 whatever the locale
        else:
            notes = write_export(fmt.value, chosen, output)
    except NothingToWrite as empty:  # as a listing with no rows: said on stderr, exit 0, and no file touched
        _tell(empty.notes)
        typer.echo(empty.message, err=True)
        return
    except ExportError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}", 1) from None
    _tell(notes)
    if output is not None:
        tell_written("wrote", output)


def _tell(notes: tuple[str, ...]) -> None:
    """What an export could not hold (an event without a day), on stderr."""
    for note in notes:
        typer.echo(f"note: {note}", err=True)


def _texts_in_files(kb: KnowledgeBase) -> dict[str, str]:
    """The text of each source that keeps it in a `text_file` (check has read them all)."""
    from talkbase.cli.app import opened_location
    from talkbase.load.texts import TextReader, source_text

    reader = TextReader(opened_location().path)
    texts = {s.id: source_text(s, reader) for s in kb.sources if s.text_file is not None}
    return {source_id: text for source_id, text in texts.items() if text is not None}


@app.command()
def schema(
    data: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--data",
            metavar="PATH",
            help="The knowledge base whose talkbase.yaml adds kinds to the schema. Default: as for every command.",
        ),
    ] = None,
    settings: Annotated[
        bool, typer.Option("--settings", help="The schema of the settings file, talkbase.yaml, instead.")
    ] = False,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output", "-o", metavar="FILE", help="Write the schema to FILE (atomically) instead of stdout."),
    ] = None,
) -> None:
    """Print a JSON Schema of knowledge-base files, so editors check and complete the YAML as you type.

    It is generated from the same field specs `talkbase check` uses, with the actor and source kinds the
    knowledge base's talkbase.yaml declares, and checks each file on its own (references between records
    and duplicate ids need `talkbase check`). With the YAML language server (VS Code's YAML extension and
    others), write it once and name it, relative to the YAML file, on its first line:

    \b
      # yaml-language-server: $schema=./talkbase.schema.json

    \b
    Examples:
      talkbase schema -o talkbase.schema.json
      talkbase schema
      talkbase schema --settings -o talkbase.settings.schema.json
    """
    import json

    from talkbase.show.schema_json import json_schema, settings_schema
    from talkbase.write.atomic import write_text_atomic

    document = settings_schema() if settings else json_schema(_declared_kinds(data))
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    if output is None or str(output) == "-":
        typer.echo(text, nl=False)
        return
    try:
        write_text_atomic(output, text)
    except OSError as exc:
        raise fail(f"cannot write {output}: {exc.strerror or exc}", 1) from None
    tell_written("wrote", output)


def _declared_kinds(data: Path | None) -> dict[str, Kind]:
    """The record format with the kinds the knowledge base's settings declare; exit 1 on a bad settings file."""
    from talkbase.load.kb import DataLocationError, locate
    from talkbase.load.settings import read_settings
    from talkbase.records.schema import with_vocabulary

    try:
        location = locate(data)
    except DataLocationError as exc:
        raise fail(str(exc)) from None
    declared, problems = read_settings(location.path)
    if problems:
        from talkbase.show.render import make_console, print_problems

        print_problems(make_console(stderr=True), problems)
        raise fail("fix the settings file first (talkbase check)", 1)
    return with_vocabulary(declared)
