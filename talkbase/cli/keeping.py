"""Keeping a knowledge base: `talkbase mv OLD NEW` renames a record everywhere, `talkbase rm ID` removes one;
both change every file or none (talkbase.write.transaction) and show a diff with --dry-run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from talkbase.cli.app import app, fail, print_problems_to_stderr, shown_path, writable_location
from talkbase.cli.options import DataOption

if TYPE_CHECKING:
    from talkbase.load.kb import DataLocation
    from talkbase.write.adding import Workspace
    from talkbase.write.changes import FileChange
    from talkbase.write.references import Reference

DryRun = Annotated[bool, typer.Option("--dry-run", help="Print the changes as a unified diff; write nothing.")]
Recover = Annotated[
    bool,
    typer.Option(
        "--recover",
        help="After a crash or kill in the middle of mv or rm: put every file back as it was before it, then stop.",
    ),
]
RECOVER_HINT = "run `talkbase mv --recover` to put every file back as it was before it, then run the command again"


@app.command(name="mv")
def mv(
    old: Annotated[str, typer.Argument(metavar="OLD", help="The id to rename.")] = "",
    new: Annotated[str, typer.Argument(metavar="NEW", help="The new id: a lowercase slug not used yet.")] = "",
    dry_run: DryRun = False,
    recover: Recover = False,
    data: DataOption = None,
) -> None:
    """Rename a record's id, and every reference to it in every file of the knowledge base.

    Only the characters of the id are changed, wherever it is written (the record's `id` and every field that
    refers by id: actor, topic, sources, participants, after, before, ...); every other byte of every file stays
    as it is. Every file is changed, or none: if anything fails half-way, the files already changed are put
    back. If the command is killed half-way, `talkbase mv --recover` puts every file back as it was.

    \b
    Examples:
      talkbase mv zelensky volodymyr-zelensky --dry-run    show the diff, write nothing
      talkbase mv istanbul-round-3 istanbul-2025-07-23
      talkbase mv --recover                               after a crash: every file as it was
    """
    location = writable_location(data)
    root = location.path
    if recover:
        _recover(root)
        return
    if not old or not new:
        raise fail("give the id to rename and the new id: talkbase mv OLD NEW")
    from talkbase.write.changes import KeepError
    from talkbase.write.renaming import check_new_id, plan_rename

    def plan(ws: Workspace) -> tuple[list[FileChange], str, list[str]]:
        _one_record(ws, old, location)
        try:
            check_new_id(new)
        except KeepError as exc:
            raise fail(str(exc)) from None
        if new in ws.known.kinds:
            from talkbase.records.schema import singular

            where = f"{singular(ws.known.kinds[new])} at {ws.known.places[new]}"
            raise fail(f"`{new}` is already the id of {where}: pick another id")
        rename = plan_rename(_files_writing(ws, {old}), old, new)
        files = len(rename.changes)
        refs = f"{rename.references} reference{'s' * (rename.references != 1)}"
        return rename.changes, f"renamed `{old}` to `{new}`: {refs} in {files} file{'s' * (files != 1)}", []

    _run(root, plan, dry_run, f"talkbase mv {old} {new}")


def _recover(root: Path) -> None:
    from talkbase.records.text import escape_controls
    from talkbase.write.atomic import locked
    from talkbase.write.transaction import journal_of, lock_dir, recover

    with locked(lock_dir(root)):
        if not journal_of(root).exists():
            typer.echo("nothing to recover: no interrupted mv, rm or import left a journal here")
            return
        done = recover(root)
    for line in done:
        typer.echo(escape_controls(line))
    typer.echo(f"recovered: every file is as it was before the interrupted command ({len(done)} put back)")


def _run(
    root: Path, plan: Callable[[Workspace], tuple[list[FileChange], str, list[str]]], dry_run: bool, command: str
) -> None:
    """Under the knowledge base's lock: refuse while a journal is pending or files cannot be read, plan the
    changes from the files as they are now, then show them (--dry-run) or commit them all or none."""
    from talkbase.records.text import escape_controls
    from talkbase.write.adding import open_workspace
    from talkbase.write.atomic import FileChangedError, locked
    from talkbase.write.changes import KeepError, hiding_problems, unified_diff
    from talkbase.write.transaction import JournalPending, commit, journal_of, lock_dir

    with locked(lock_dir(root)):
        if journal_of(root).exists():
            left = f"an interrupted mv, rm or import left its journal in {shown_path(journal_of(root))}"
            raise fail(f"{left}; {RECOVER_HINT}", 1)
        ws = open_workspace(root)
        hiding = hiding_problems(ws.problems)
        if hiding:
            print_problems_to_stderr(hiding)
            raise fail("some records cannot be read (see above): fix that first, so no reference is missed", 1)
        try:
            changes, summary, details = plan(ws)
            if dry_run:
                typer.echo(escape_controls(unified_diff(changes)), nl=False)
                for line in (f"(dry run: nothing written) would have {summary}", *details):
                    typer.echo(escape_controls(line), err=True)
                return
            commit(root, changes, command)
        except KeepError as exc:
            raise fail(str(exc), 1) from None
        except FileChangedError as exc:
            raise fail(f"{exc}; nothing was changed", 1) from None
        except JournalPending as exc:
            left = f"an interrupted mv, rm or import left its journal in {shown_path(exc.journal)}"
            raise fail(f"{left}; {RECOVER_HINT}", 1) from None
        except OSError as exc:
            raise fail(f"cannot write: {exc.strerror or exc}; every file is as it was", 1) from None
    for line in (summary, *details, *(f"  {change.shown}" for change in changes)):
        typer.echo(escape_controls(line))


def _one_record(ws: Workspace, wanted: str, location: DataLocation) -> None:
    """`wanted` is the id of exactly one record, or a usage error (with a "did you mean")."""
    from talkbase.records.hints import did_you_mean
    from talkbase.write.references import record_id

    count = sum(record_id(r) == wanted for r in ws.loaded.records)
    if count == 0:
        hint = did_you_mean(wanted, ws.known.kinds)
        hint = f" ({hint})" if hint else ""
        raise fail(f"no record `{wanted}`{hint}; searched {location.describe()}")
    if count > 1:
        raise fail(f"`{wanted}` is the id of {count} records; run `talkbase check` and make them unique first", 1)


def _files_writing(ws: Workspace, ids: set[str]) -> list[tuple[Path, str]]:
    """The files (path, path as shown) whose records write one of `ids`, as the workspace read them."""
    from talkbase.write.references import ids_written

    shown = {r.path for r in ws.loaded.records for ref in ids_written(r) if ref.target in ids}
    return [(path, name) for name, path in ws.shown_files.items() if name in shown]


@app.command(name="rm")
def rm(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="The id of the record to remove.")] = "",
    cascade: Annotated[
        bool,
        typer.Option(
            "--cascade",
            help="Also remove the records that would miss a required reference without it, and edit the "
            "other references to it out of their records; each is listed.",
        ),
    ] = False,
    dry_run: DryRun = False,
    recover: Recover = False,
    data: DataOption = None,
) -> None:
    """Remove a record: its whole list item, keeping every other byte of the file (other records' comments too).

    Refuses while anything refers to it, and lists each reference as path:line:col. With --cascade, a record
    that would miss a required reference (a position whose actor, topic or only source goes; an event whose
    only source goes) is removed too, and any other reference (an optional one, or one id of a list that keeps
    others) is edited out; everything it removes or edits is listed. Every file is changed, or none; after a
    crash, `talkbase rm --recover` puts every file back as it was.

    \b
    Examples:
      talkbase rm zelensky-leaders-level --dry-run       show the diff, write nothing
      talkbase rm kyiv-independent-2025-07-talks-resume --cascade --dry-run
      talkbase rm --recover                              after a crash: every file as it was
    """
    location = writable_location(data)
    root = location.path
    if recover:
        _recover(root)
        return
    if not record_id:
        raise fail("give the id of the record to remove: talkbase rm ID")

    def plan(ws: Workspace) -> tuple[list[FileChange], str, list[str]]:
        from talkbase.write.references import record_id as id_of
        from talkbase.write.references import references_to
        from talkbase.write.removing import plan_removal, removal_set

        _one_record(ws, record_id, location)
        refs = references_to([r for r in ws.loaded.records if id_of(r) != record_id], {record_id})
        if refs and not cascade:
            _refuse_referred(record_id, refs)
        relayed = [ref for ref in refs if ref.field == "via"]
        if relayed and cascade:
            _refuse_via(record_id, relayed)
        removed = removal_set(ws.loaded.records, record_id) if cascade else {record_id}
        removal = plan_removal(_files_writing(ws, removed), removed)
        also = len(removed) - 1
        summary = f"removed `{record_id}`" + (f" and {also} record{'s' * (also != 1)} with it" if also else "")
        details = [cut.describe() for cut in removal.cuts if cut.field is not None or id_of(cut.record) != record_id]
        return removal.changes, summary, details

    _run(root, plan, dry_run, f"talkbase rm {record_id}")


def _refuse_via(record_id: str, refs: list[Reference]) -> None:
    """Editing `via` out would make a source known through this one an origin of its own, and so count its
    claims as independent of everything else: the curator says where it is known from instead."""
    from talkbase.records.text import escape_controls

    for ref in refs:
        typer.echo(escape_controls(f"{ref.where}: {ref.holder} is known through it (via)"), err=True)
    raise fail(
        f"`{record_id}` is how other sources are known (above): removing it would make them origins of their own; "
        "point their `via` at the source they are really known through first (talkbase edit ID)",
        1,
    )


def _refuse_referred(record_id: str, refs: list[Reference]) -> None:
    from talkbase.records.text import escape_controls

    for ref in refs:
        typer.echo(escape_controls(f"{ref.where}: {ref.holder} refers to it in {ref.field_label}"), err=True)
    count = f"{len(refs)} reference{'s' * (len(refs) != 1)}"
    raise fail(f"`{record_id}` is still referred to ({count} above): remove them first, or use --cascade", 1)
