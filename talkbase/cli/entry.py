"""Entering records: `talkbase add KIND` (prompts or options) and `talkbase edit ID` (your editor, then check).

`add` has one subcommand per kind, with one option per field of the record format, made from the schema so
they never drift apart. Answers are checked by talkbase.write.answers, the record is placed and checked by
talkbase.write.adding, and the file is replaced atomically by talkbase.write.atomic.
"""

from __future__ import annotations

import inspect
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, Optional

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
from talkbase.cli.options import DataOption, RecordArgument
from talkbase.records.hints import with_article
from talkbase.records.schema import CHOICE, DATE, ENTRIES, ID, KINDS, ORDER, REF, REFS, TEXTS, Field, Kind, field_help

if TYPE_CHECKING:
    from talkbase.write.adding import Plan, Workspace
    from talkbase.write.answers import Known

add_app = typer.Typer(
    name="add",
    no_args_is_help=True,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
    help="""Add a record: talkbase asks for each field, or takes them all from options.

    The record is appended to a YAML file of the knowledge base (the rest of the file is kept byte for
    byte), after checking that the knowledge base has no new error with it. A record that would add an
    error is not written; it is saved as a draft whose path is shown.

    \b
    Examples:
      talkbase add position            asks for each field, with completion of ids
      talkbase add topic --name "Energy infrastructure" --source kyiv-independent-2025-07-talks-resume
      talkbase add position --from ~/.local/state/talkbase/drafts/position-x.yaml
    """,
)
app.add_typer(add_app, name="add")

# A list field also takes its singular as option name: --source a --source b.
_SINGULAR = {"aliases": "alias", "participants": "participant", "topics": "topic", "sources": "source", "roles": "role"}
_EXAMPLES = {
    "actors": 'talkbase add actor --name "Hakan Fidan" --kind person --affiliation turkey --source SOURCE',
    "sources": 'talkbase add source --title "..." --publisher Reuters --url https://... --date 2025-07-23\n'
    '      talkbase add source --title "Evening address" --kind speech --date 2025-07-21 --via ARTICLE-ID\n'
    '      talkbase add source --title "..." --text-file texts/article.md    with its text, to check quotes',
    "topics": 'talkbase add topic --name "Energy infrastructure" --description "..." --source SOURCE',
    "events": 'talkbase add event --title "Third round" --date 2025-07-23 --status scheduled --source SOURCE',
    "positions": 'talkbase add position --actor zelensky --topic ceasefire --stance rejects --claim "..." \\\n'
    "          --date 2025-07-21 --source SOURCE",
}


def option_names(spec: Field) -> list[str]:
    names = [f"--{spec.name}"]
    if spec.name in _SINGULAR:
        names.insert(0, f"--{_SINGULAR[spec.name]}")
    if "_" in spec.name:  # `--text-file`, as options are spelled, besides the field's own name
        names.insert(0, f"--{spec.name.replace('_', '-')}")
    return names


_ID_SOURCE = {
    "actors": "name",
    "topics": "name",
    "sources": "title",
    "events": "title",
    "positions": "actor-topic-date",
}


def _option(kind: Kind, spec: Field) -> Any:
    many = spec.type in (REFS, TEXTS, ENTRIES, ORDER)
    if spec.type == ID:
        help_text = f"A new lowercase slug; default: made from the {_ID_SOURCE[kind.key]}"
    else:
        described = field_help(spec)
        if spec.type != ENTRIES:  # entries show their keys, which are lowercase
            described = described[0].upper() + described[1:]
        help_text = described + (" (required)" if spec.required else "")
    if many:
        help_text += "; or repeat the option"
    metavar = {REF: "ID", REFS: "ID", DATE: "DATE", ENTRIES: "ENTRY", CHOICE: "WORD", ORDER: "ID|DATE"}.get(
        spec.type, "TEXT"
    )
    option = typer.Option(*option_names(spec), help=help_text, metavar=metavar, show_default=False)
    kind = Optional[list[str]] if many else Optional[str]  # noqa: UP045
    return Annotated[kind, option]


_COMMON: list[tuple[str, Any]] = [
    (
        "file",
        Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option(
                "--file",
                metavar="PATH",
                help="The YAML file to add to (made if missing). Default: where most records like it are.",
            ),
        ],
    ),
    (
        "draft",
        Annotated[
            Optional[Path],  # noqa: UP045
            typer.Option(
                "--from",
                metavar="DRAFT",
                help="Start from the record in a draft file (-: standard input, never asking); options override it.",
            ),
        ],
    ),
    ("dry_run", Annotated[bool, typer.Option("--dry-run", help="Print the YAML that would be added; write nothing.")]),
    (
        "allow_duplicate",
        Annotated[
            bool,
            typer.Option(
                "--allow-duplicate",
                help="Add it even if it repeats a record (a position's actor, topic, stance, date and claim; "
                "a source's URL or title), which is otherwise refused.",
            ),
        ],
    ),
    (
        "no_input",
        Annotated[bool, typer.Option("--no-input", help="Never prompt, even on a terminal (as when piped).")],
    ),
    ("data", DataOption),
]


def _make_add_command(kind: Kind) -> Any:
    def command(**options: Any) -> None:
        common = {name: options.pop(name) for name, _ in _COMMON}
        add_record(kind, {k: v for k, v in options.items() if v not in (None, [])}, **common)

    parameters = [
        inspect.Parameter(spec.name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=_option(kind, spec))
        for spec in kind.fields
    ]
    for name, annotation in _COMMON:
        default = False if name in ("dry_run", "no_input", "allow_duplicate") else None
        parameters.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        )
    command.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters}
    required = ", ".join(f.name for f in kind.fields if f.required and f.type != ID)
    command.__doc__ = f"""Add {with_article(kind.singular)}, from options or by asking for each field.

    On a terminal, talkbase asks for every field not given as an option. Required: {required}; without a
    terminal (or with --no-input) all of them must be given as options.

    \b
    Examples:
      talkbase add {kind.singular}
      {_EXAMPLES[kind.key]}
      talkbase add {kind.singular} --dry-run ...     show the YAML, write nothing
    """
    return command


for _kind in KINDS.values():
    add_app.command(name=_kind.singular)(_make_add_command(_kind))


def add_record(
    kind: Kind,
    options: dict[str, Any],
    file: Path | None,
    draft: Path | None,
    dry_run: bool,
    allow_duplicate: bool,
    no_input: bool,
    data: str | None,
) -> None:
    from talkbase.write.adding import AddError, DraftError, check_target, open_workspace, values_from_draft

    root = writable_location(data).path
    refuse_while_journal_pending(root)
    workspace = open_workspace(root)
    refuse_unreadable(workspace.problems, "add")
    kind = workspace.kinds[kind.key]  # with the kinds talkbase.yaml declares
    values: dict[str, Any] = {}
    try:
        if draft is not None:
            # `--from -` reads the draft from standard input, which then cannot answer questions
            stdin = sys.stdin.buffer if str(draft) == "-" else None
            no_input = no_input or stdin is not None
            drafted = values_from_draft(draft, kind.key, stdin)
            drafted = {name: value for name, value in drafted.items() if name not in options}  # options win
            values.update(_checked_values(kind, drafted, workspace.known, "the draft"))
        values.update(_checked_values(kind, options, workspace.known, "options"))
        target = check_target(workspace, file) if file is not None else None  # before any question is asked
    except DraftError as exc:
        print_problems_to_stderr(exc.problems)
        count = len(exc.problems)
        raise fail(f"the draft has {count} problem{'s' * (count != 1)} (above); nothing was written") from None
    except AddError as exc:
        raise fail(str(exc)) from None
    session = _Session(kind, values, draft, file, dry_run, allow_duplicate)
    try:
        if sys.stdin.isatty() and not no_input:
            _ask_missing(session, workspace.known)
        else:
            _require_all(kind, values, workspace.known)
        session.add(root, target)
    except (KeyboardInterrupt, EOFError, SystemExit) as exc:
        # Ctrl-C, Ctrl-D, kill or a closed terminal (see talkbase.cli.main) at any moment: keep what was given.
        if isinstance(exc, SystemExit) and exc.code not in _SIGNAL_EXITS:
            raise
        session.interrupted(exc.code if isinstance(exc, SystemExit) else 130)


_SIGNAL_EXITS = {128 + 1, 128 + 15}  # SIGHUP, SIGTERM
_ATTEMPTS = 5  # placings of a record in a file that others keep changing, before giving up


def _checked_values(kind: Kind, given: dict[str, Any], known: Known, origin: str) -> dict[str, Any]:
    """Every given value checked as if typed (names resolved, words completed); all bad ones reported
    together as usage errors (exit 2)."""
    from talkbase.write.answers import AnswerError, check_in_record

    values: dict[str, Any] = {}
    errors: list[str] = []
    for name, value in given.items():
        spec = kind.field(name)
        assert spec is not None
        label = option_names(spec)[0] if origin == "options" else f"{origin}: `{name}`"
        try:
            checked = _checked_value(spec, value, known)
            if checked != [] or spec.required:  # `--contests ''` gives nothing to write, not `contests: []`
                values[name] = checked
            if origin != "options" and checked != value:  # a name resolved to an id, a word completed
                _note(f"{label}: {_as_written(value)} read as {_as_written(checked)}")
        except AnswerError as exc:
            said = str(exc)
            named = origin != "options" and said.startswith(f"`{name}`")  # the draft: `date`: ..., said once
            errors.append(f"{origin}: {said}" if named else f"{label}: {said}")
    try:
        check_in_record(kind.key, values)
    except AnswerError as exc:
        errors.append(str(exc))
    if errors:
        _report_usage_errors(errors)
    return values


def _as_written(value: Any) -> str:
    return f"[{', '.join(map(str, value))}]" if isinstance(value, list) else f"`{value}`"


def _note(message: str) -> None:
    from talkbase.records.text import escape_controls

    typer.echo(f"talkbase: note: {escape_controls(message)}", err=True)


def _checked_value(spec: Field, value: Any, known: Known) -> Any:
    from talkbase.write.answers import parse_answer

    if spec.type == ENTRIES:  # from options: `title=...; since=...` texts; from a draft: mappings
        return [e for item in value for e in (parse_answer(spec, item, known) if isinstance(item, str) else [item])]
    if isinstance(value, list):
        parsed = [v for text in value for v in parse_answer(spec, str(text), known)]
        return list(dict.fromkeys(parsed)) if spec.type in (REFS, ORDER) else parsed
    return parse_answer(spec, str(value), known)


def _report_usage_errors(errors: list[str]) -> None:
    from talkbase.records.text import escape_controls

    for error in errors:
        typer.echo(f"talkbase: error: {escape_controls(error)}", err=True)
    raise typer.Exit(2)


def _require_all(kind: Kind, values: dict[str, Any], known: Known) -> None:
    from talkbase.write.answers import suggest_id

    if "id" not in values:
        suggested = suggest_id(kind.key, values, known)
        if suggested:
            values["id"] = suggested
    missing = [f for f in kind.fields if f.required and f.name not in values]
    if missing:
        if len(missing) > 1:  # the id is made from the others; ask for them first
            missing = [f for f in missing if f.type != ID]
        _report_usage_errors(
            [
                f"{with_article(kind.singular)} needs {', '.join(option_names(f)[0] for f in missing)}; stdin is not a "
                "terminal (or --no-input was given), so talkbase add does not ask for them"
            ]
        )


def _new_draft_path(kind: Kind, values: dict[str, Any]) -> Path:
    import time

    from talkbase.write.adding import state_dir

    stamp = time.strftime("%Y%m%d-%H%M%S")
    name = values.get("id") if isinstance(values.get("id"), str) else "unnamed"
    return state_dir() / "drafts" / f"{kind.singular}-{name}-{stamp}-{os.getpid()}.yaml"


@dataclass
class _Session:
    """One record being added, and where it is kept if it cannot be."""

    kind: Kind
    values: dict[str, Any]
    resumed: Path | None  # the draft given with --from
    file: Path | None  # --file as given, to repeat in the command that resumes a draft
    dry_run: bool
    allow_duplicate: bool
    _draft: Path | None = None
    _kept: bool = True  # False once a draft could not be saved (the record was printed instead)

    @property
    def draft(self) -> Path:
        """Where the record is kept if it cannot be added: the draft it was resumed from, if that is one of
        ours, else a new one named after the record (decided when first needed, once the id is known)."""
        from talkbase.write.adding import state_dir

        if self._draft is None:
            ours = self.resumed is not None and self.resumed.resolve().parent == (state_dir() / "drafts").resolve()
            self._draft = self.resumed if ours and self.resumed else _new_draft_path(self.kind, self.values)
        return self._draft

    def add(self, root: Path, target: Path | None) -> None:
        """Check and write the record while holding the knowledge base's lock (on its data directory, where
        every writer meets), so that two adds at once cannot lose a record or both take one id: the second sees
        the first one's record. A file changed by a program that does not take the lock is read again and the
        record placed anew, a few times at most."""
        from talkbase.write.atomic import FileChangedError, LateWriteError, locked, replace_file_atomic

        with locked(root if root.is_dir() else root.parent):
            for attempt in range(_ATTEMPTS):
                plan = self._plan(root, target)
                if plan is None:
                    return
                try:
                    replace_file_atomic(plan.target, plan.new, plan.old)
                    break
                except FileChangedError:
                    if attempt + 1 < _ATTEMPTS:
                        continue
                    self._not_written(plan, "it kept changing while the record was being added (by another program)")
                except LateWriteError as exc:
                    shown, kept = shown_path(plan.target), shown_path(exc.kept)
                    typer.echo(
                        f"talkbase: {shown} was changed by another program at the moment the record was written; "
                        f"its version is kept in {kept}: compare the two and merge by hand",
                        err=True,
                    )
                    break
                except OSError as exc:
                    self._not_written(plan, exc.strerror or str(exc))
        self._drop_resumed_draft()
        from talkbase.records.text import escape_controls

        shown = escape_controls(f"{shown_path(plan.target)}:{plan.line}")
        typer.echo(f"added {self.kind.singular} `{self.values['id']}` to {shown}")
        print_problems_to_stderr(plan.warnings)

    def _plan(self, root: Path, target: Path | None) -> Plan | None:
        """The record placed in the knowledge base as it is now; None after a dry run (which it shows)."""
        from talkbase.write.adding import AddError, default_file, open_workspace, plan_add

        workspace = open_workspace(root)  # again: files may have changed while questions were answered
        target = target or default_file(workspace, self.kind.key, self.values)
        try:
            plan = plan_add(workspace, self.kind.key, self.values, target, shown_path(self.draft), self.allow_duplicate)
        except AddError as exc:
            self._keep(str(exc))
            raise fail(f"{exc}\nNothing was written. {self._resume_hint()}", 1) from None
        if self.dry_run:
            self._show_dry_run(plan)
            return None
        if plan.errors:
            self._refuse(plan)
        return plan

    def _not_written(self, plan: Plan, reason: str) -> NoReturn:
        self._keep(f"Not added: {reason}.")
        shown = shown_path(plan.target)
        raise fail(f"cannot write {shown}: {reason}; talkbase did not change it.\n{self._resume_hint()}", 1) from None

    def _show_dry_run(self, plan: Plan) -> None:
        from talkbase.records.text import escape_controls

        where = f"{shown_path(plan.target)}:{plan.line}" if not plan.errors else shown_path(plan.target)
        typer.echo(f"# would add this {self.kind.singular} to {escape_controls(where)}", err=True)
        typer.echo(escape_controls(plan.item), nl=False)  # YAML keeps U+202E and its kin raw
        if plan.errors:  # the problems point into the draft, so it must exist
            self._keep(f"Not added (a dry run) to {shown_path(plan.target)}.")
            print_problems_to_stderr(plan.errors + plan.warnings)
            raise fail(f"{self._errors(plan)} (a dry run: nothing was written).\n{self._resume_hint()}", 1)
        print_problems_to_stderr(plan.warnings)

    def _refuse(self, plan: Plan) -> None:
        self._keep(f"Not added to {shown_path(plan.target)}: {self._errors(plan)}.")
        print_problems_to_stderr(plan.errors + plan.warnings)
        raise fail(f"not added: {self._errors(plan)}; nothing was written.\n{self._resume_hint()}", 1)

    def _errors(self, plan: Plan) -> str:
        count = len(plan.errors)
        return f"{count} error{'s' * (count != 1)} with this {self.kind.singular} in the knowledge base"

    def interrupted(self, code: int) -> None:
        typer.echo("", err=True)
        if not self.values:
            raise typer.Exit(code)
        self._keep("Interrupted before it was added.")
        raise fail(f"interrupted.\n{self._resume_hint()}", code)

    def _resume_hint(self) -> str:
        file = f" --file {shlex.quote(str(self.file))}" if self.file is not None else ""
        if not self._kept:
            return (
                "Your record is printed above: save it in a file, fix it there if need be, then run\n"
                f"  talkbase add {self.kind.singular} --from FILE{file}"
            )
        shown = shown_path(self.draft)
        return (
            f"Your record is saved in {shown}: fix it there if need be, then run\n"
            f"  talkbase add {self.kind.singular} --from {shlex.quote(shown)}{file}"
        )

    def _keep(self, note: str) -> None:
        """Save what the user gave, so a refused or interrupted add loses nothing."""
        from talkbase.write.adding import draft_text
        from talkbase.write.atomic import write_text_atomic

        try:
            self.draft.parent.mkdir(parents=True, exist_ok=True)
            write_text_atomic(self.draft, draft_text(self.kind.key, self.values, note))
        except OSError as exc:
            self._kept = False
            from talkbase.write.writer import new_file_text

            typer.echo(f"talkbase: cannot save the draft ({exc.strerror or exc}); here is your record:", err=True)
            typer.echo(new_file_text(self.kind.key, self.values), err=True, nl=False)

    def _drop_resumed_draft(self) -> None:
        if self._draft is not None and self._draft == self.resumed:  # a draft of ours, now added
            self._draft.unlink(missing_ok=True)


# Prompts --------------------------------------------------------------------------------------------------


def prompt_order(kind: Kind) -> list[Field]:
    """The fields in the record format's order, but the id after what it is made from (so it can be offered)."""
    fields = [f for f in kind.fields if f.name != "id"]
    after = "date" if kind.key == "positions" else ("name" if kind.field("name") else "title")
    at = next(i for i, f in enumerate(fields) if f.name == after) + 1
    return [*fields[:at], kind.fields[0], *fields[at:]]


def _ask_missing(session: _Session, known: Known) -> None:
    """Ask for every field not given yet (interruptions are handled by add_record)."""
    from talkbase.show.render import make_console
    from talkbase.write.prompts import Asker

    asker = Asker(known, make_console(stderr=True))
    asker.intro(session.kind, session.values)
    for spec in prompt_order(session.kind):
        if spec.name not in session.values:
            answer = asker.ask(session.kind, spec, session.values)
            if answer not in (None, []):
                session.values[spec.name] = answer


# edit -----------------------------------------------------------------------------------------------------


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(metavar="[DIR]", help="Where to start it (made if missing). Default: here.")
    ] = Path("."),
    bare: Annotated[bool, typer.Option("--bare", help="An empty data/ folder, without the example records.")] = False,
) -> None:
    """Start your own knowledge base: DIR/data/ with one commented file per kind, each holding an example
    record that `talkbase check` accepts, to edit or delete.

    Refuses to overwrite anything: a data/ folder that already holds files is left as it is (exit 1).

    \b
    Examples:
      talkbase init good-friday-talks
      talkbase init --bare
    """
    from talkbase.records.text import escape_controls
    from talkbase.write.starting import StartError, start_knowledge_base

    try:
        data = start_knowledge_base(directory, bare)
    except StartError as exc:
        raise fail(str(exc), 1) from None
    except OSError as exc:
        raise fail(f"cannot start a knowledge base in {directory}: {exc.strerror or exc}", 1) from None
    examples = len([p for p in data.iterdir() if p.name != "talkbase.yaml"])
    made = "an empty knowledge base" if bare else f"a knowledge base with {examples} example files and talkbase.yaml"
    typer.echo(f"made {made} in {escape_controls(str(data))}")
    typer.echo("next:")
    if directory.resolve() != Path.cwd().resolve():
        typer.echo(f"  cd {escape_controls(shlex.quote(str(directory)))}")
    first = "talkbase add actor --name NAME --kind person" if bare else "talkbase check"
    for command in (first, "talkbase add position", "talkbase timeline --positions"):
        typer.echo(f"  {command}")


@app.command()
def edit(
    record_id: RecordArgument,
    data: DataOption = None,
) -> None:
    """Open the file where a record is defined in $VISUAL or $EDITOR, at its line; then check the knowledge base.

    Works on a knowledge base with errors too (that is when you need it). Exit status: that of `check`
    after the editor closes (0 clean, 1 errors), or 2 when the record or the editor cannot be found.

    \b
    Examples:
      talkbase edit zelensky-leaders-level
      EDITOR="code --wait" talkbase edit istanbul-round-3
    """
    import subprocess

    from talkbase.cli.listing import check
    from talkbase.write.adding import open_workspace

    workspace = open_workspace(writable_location(data).path)
    path, line = _place_of(workspace, record_id)
    editor = _editor()
    try:
        argv = editor_command(editor, path, line)
    except ValueError as exc:  # shlex: an unbalanced quote
        raise fail(f"cannot read the editor command `{editor}`: {exc} (check $VISUAL and $EDITOR)") from None
    try:
        status = subprocess.run(argv, check=False).returncode
    except OSError as exc:
        raise fail(f"cannot run the editor `{argv[0]}`: {exc.strerror or exc} (set $VISUAL or $EDITOR)") from None
    if status != 0:
        typer.echo(f"note: the editor exited with status {status}", err=True)
    check(data=data, strict=False)


def _place_of(workspace: Workspace, wanted: str) -> tuple[str, int]:
    """Where a record is defined: by id or name among the records read, else by its `id:` line in the text
    of every file (a file that does not parse still has its records' lines)."""
    from talkbase.ask.query import QueryError, resolve_among
    from talkbase.write.adding import find_id_line

    known = workspace.known
    if wanted in known.places:
        path, _, line = known.places[wanted].rpartition(":")
        return path, int(line)
    found = find_id_line(workspace.files, wanted)
    if found is not None:
        return found
    try:
        record_id = resolve_among("record", wanted, known.names, known.labels)
    except QueryError as exc:
        raise fail(str(exc)) from None
    path, _, line = known.places[record_id].rpartition(":")
    return path, int(line)


def _editor() -> str:
    import shutil

    for variable in ("VISUAL", "EDITOR"):
        if os.environ.get(variable, "").strip():
            return os.environ[variable]
    for fallback in ("vi", "nano"):
        if shutil.which(fallback):
            return fallback
    raise fail("no editor: set $VISUAL or $EDITOR, e.g. export EDITOR=nano")


# How editors are told the line to open at; most take `+LINE FILE` (vi, vim, nvim, nano, emacs, micro, kak).
_GOTO_FLAG = {"code": "--goto", "code-insiders": "--goto", "codium": "--goto", "cursor": "--goto"}
_COLON_LINE = {"subl", "zed", "hx", "helix", "kate"}
_WAIT_FLAG = {"code", "code-insiders", "codium", "cursor", "subl", "zed"}


_END_OF_OPTIONS = {"vi", "vim", "nvim", "gvim", "view", "nano"}  # editors known to take `--` before files


def editor_command(editor: str, path: str, line: int) -> list[str]:
    """The argv that opens `path` at `line` in `editor` (a command line, possibly with arguments).

    The path comes from the knowledge base, so it is made absolute: a file named `+!cmd.yaml` or `-c…` must
    never be read as an option or an editor command. The line goes as its own argument, and editors that
    take it get `--` before the file."""
    argv = shlex.split(editor)
    name = Path(argv[0]).name
    path = os.path.abspath(path)
    if name in _WAIT_FLAG and not {"-w", "--wait"} & set(argv):
        argv.append("--wait")  # without it the editor returns at once and the check runs too early
    if name in _GOTO_FLAG:
        return [*argv, _GOTO_FLAG[name], f"{path}:{line}"]
    if name in _COLON_LINE:
        return [*argv, f"{path}:{line}"]
    if name in _END_OF_OPTIONS:
        return [*argv, f"+{line}", "--", path]
    return [*argv, f"+{line}", path]
