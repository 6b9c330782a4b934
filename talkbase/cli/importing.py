"""`talkbase import FILE|-`: records from YAML, JSON, JSON Lines or CSV (as `talkbase export` writes them),
checked with the whole knowledge base and appended all at once, or not at all."""

from __future__ import annotations

import shlex
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from talkbase.cli.app import (
    app,
    fail,
    print_problems_to_stderr,
    refuse_unreadable,
    refuse_while_journal_pending,
    shown_path,
    writable_location,
)
from talkbase.cli.options import DataOption, choice

if TYPE_CHECKING:
    from talkbase.write.importing import ImportPlan

ImportFormat = Enum("ImportFormat", {name: name for name in ("yaml", "json", "jsonl", "csv")}, type=str)
_ATTEMPTS = 5  # plannings of the import against files that others keep changing, before giving up


@app.command(name="import")
def import_records(
    source: Annotated[
        Path,
        typer.Argument(
            metavar="FILE|-",
            help="A .yaml/.yml, .json, .jsonl or .csv file, a folder written by `talkbase export csv`, or - for "
            "standard input (with --format).",
            show_default=False,
        ),
    ],
    fmt: Annotated[
        Optional[ImportFormat],  # noqa: UP045
        typer.Option(
            "--format",
            "-f",
            metavar="[yaml|json|jsonl|csv]",
            parser=choice(ImportFormat),
            help="The format, when the file's name does not say it (- needs it).",
        ),
    ] = None,
    kind: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--kind",
            metavar="KIND",
            help="The kind of records without a `type` (JSON, JSON Lines) or in a CSV table the name does not say.",
        ),
    ] = None,
    file: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--file", metavar="PATH", help="Add every record to this YAML file. Default: where `add` would."),
    ] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Say what would be added where; write nothing.")] = False,
    allow_duplicate: Annotated[
        bool,
        typer.Option("--allow-duplicate", help="Import records that repeat others, which are otherwise refused."),
    ] = False,
    csv_exact: Annotated[
        bool,
        typer.Option("--csv-exact", help="CSV written with `export csv --csv-exact`: take every cell as it is."),
    ] = False,
    data: DataOption = None,
) -> None:
    """Import records: YAML in the record format, JSON (what `talkbase export json` writes), JSON Lines, or
    CSV (what `talkbase export csv` writes).

    The whole knowledge base is checked with every imported record in it first: any new error (or a record
    that repeats another) and nothing is written; the problems are shown at their line and column in the
    import file, and the records are kept in a draft to fix and import. Otherwise each record is appended
    where `talkbase add` would put it (or to --file), ids made where missing as `add` makes them, and all the
    files are written together: all or none. See docs/importing.md for the formats.

    \b
    Examples:
      talkbase import new-positions.yaml
      talkbase export json --data ../other-kb > all.json && talkbase import all.json
      talkbase export csv -o talks-csv && talkbase import talks-csv --data empty-kb/data
      talkbase positions --format jsonl | talkbase import - -f jsonl --kind position --data other-kb/data
    """
    from talkbase.write.import_read import ReadError, format_of, kind_key, read_batch

    root = writable_location(data).path
    try:
        chosen = format_of(source, fmt.value if fmt else None)
        kind_read = kind_key(kind)
    except ReadError as exc:
        raise fail(str(exc)) from None
    if str(source) != "-" and not source.exists():
        raise fail(f"no such file or folder: {shown_path(source)}")
    batch = read_batch(source, chosen, kind_read, sys.stdin.buffer, csv_exact)
    from talkbase.write.adding import AddError, check_target, open_workspace
    from talkbase.write.atomic import FileChangedError, locked
    from talkbase.write.transaction import commit, lock_dir

    with locked(lock_dir(root)):
        refuse_while_journal_pending(root)
        for attempt in range(_ATTEMPTS):
            workspace = open_workspace(root)
            refuse_unreadable(workspace.problems, "import")
            try:
                from talkbase.write.importing import plan_import

                target = check_target(workspace, file) if file is not None else None
                plan = plan_import(workspace, batch, target, allow_duplicate)
            except AddError as exc:
                raise fail(f"{exc}\nNothing was written.", 1) from None
            if plan.errors:
                _refuse(plan, source)
            if dry_run or not plan.changes:
                _tell(plan, dry_run)
                return
            try:
                commit(root, [c.change for c in plan.changes], "talkbase import")
                break
            except FileChangedError:
                if attempt + 1 == _ATTEMPTS:
                    _refuse(plan, source, "the files kept changing while the records were imported")
            except OSError as exc:
                _refuse(plan, source, f"cannot write: {exc.strerror or exc}")
    _drop_draft(source)
    _tell(plan, False)


def _tell(plan: ImportPlan, dry_run: bool) -> None:
    from talkbase.records.text import escape_controls

    if not plan.records:
        typer.echo("nothing to import: no records")
        return
    count, files = len(plan.records), len(plan.changes)
    verb = "would import" if dry_run else "imported"
    typer.echo(f"{verb} {count} record{'s' * (count != 1)} into {files} file{'s' * (files != 1)}")
    for change in plan.changes:
        typer.echo(f"  {shown_path(change.target)}: {len(change.added)}")
        if dry_run:
            for kind_key, record_id, line in change.added:
                from talkbase.records.schema import KINDS

                typer.echo(f"    {KINDS[kind_key].singular} `{escape_controls(record_id)}` at line {line}")
    print_problems_to_stderr(plan.warnings)


def _refuse(plan: ImportPlan, source: Path, reason: str = "") -> None:
    """Show the problems, keep the records in a draft, and stop (exit 1)."""

    print_problems_to_stderr(plan.errors + plan.warnings)
    count = len(plan.errors)
    why = reason or f"{count} error{'s' * (count != 1)} with the imported records in the knowledge base"
    raise fail(f"not imported: {why}; nothing was written.{_keep(plan, source, why)}", 1)


def _keep(plan: ImportPlan, source: Path, why: str) -> str:
    from talkbase.write.atomic import write_text_atomic
    from talkbase.write.importing import draft_path, import_draft_text, is_draft

    if not plan.fully_read:  # a draft would lack what could not be read: the import file is the one to fix
        where = "the standard input" if str(source) == "-" else shown_path(source)
        return f"\nPart of {where} could not be read (above), so no draft was kept: fix it, then import it."
    if not plan.records:
        return ""
    if is_draft(source):
        draft = source
    else:
        draft = draft_path()
        try:
            draft.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(draft, import_draft_text(plan.records, f"Not imported: {why}."))
        except OSError as exc:
            return f"\n(the records could not be kept in a draft: {exc.strerror or exc})"
    shown = shown_path(draft)
    return f"\nThe records are saved in {shown}: fix them there (or in the import file), then run\n  " + (
        f"talkbase import {shlex.quote(shown)}"
    )


def _drop_draft(source: Path) -> None:
    from talkbase.write.importing import is_draft

    if is_draft(source):
        source.unlink(missing_ok=True)
