"""The Typer app and what every command shares: finding and loading the data, filters, output.

Heavy modules (the YAML loader, Rich tables) are imported inside the functions that use them, so
`talkbase --help` and `--version` start fast.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from typer.core import TyperGroup

from talkbase import __version__
from talkbase.cli.options import Format

if TYPE_CHECKING:
    from talkbase.ask.filter import Filter
    from talkbase.load.kb import DataLocation, Opened
    from talkbase.records.dates import PartialDate
    from talkbase.records.expr import Node
    from talkbase.records.model import KnowledgeBase
    from talkbase.records.problems import Problem
    from talkbase.show.formats import Listing

T = TypeVar("T")

# The modules that register commands, in the order `talkbase --help` lists their commands.
COMMAND_MODULES = ("listing", "analysis", "export", "site", "entry", "importing", "keeping")


class LazyTyper(typer.Typer):
    """A Typer app whose command modules are imported when Typer first reads its commands, not before, so that
    `talkbase timeline` can import (and Typer build the options of) only the module that defines `timeline`.

    `defer(modules)` names the modules still to import. However the modules come to be imported, the commands
    stay in COMMAND_MODULES order (sorted in place, so that the decorators append to the same list).
    `narrowed(command)` goes further while one command runs: Typer then builds that command's options only."""

    def __init__(self, **kwargs: Any) -> None:
        self._pending: tuple[str, ...] = ()
        super().__init__(**kwargs)

    def defer(self, modules: tuple[str, ...]) -> None:
        self._pending = modules

    def _import_pending(self) -> None:
        pending, self._pending = self._pending, ()  # cleared first: importing a module reads the commands again
        for module in pending:
            import_module(f"talkbase.cli.{module}")

    @contextmanager
    def narrowed(self, command: str | None) -> Iterator[None]:
        """While running one command, Typer builds only that command (or group), not its module's others;
        whatever is registered meanwhile joins the full list again afterwards. None narrows nothing."""
        if command is None:
            yield
            return
        self._import_pending()
        full_commands, full_groups = self._commands, self._groups
        self._commands = [c for c in full_commands if command_name(c) == command]
        self._groups = [g for g in full_groups if g.name == command]
        chosen = [*self._commands, *self._groups]
        try:
            yield
        finally:
            added = [c for c in self._commands if not any(c is k for k in chosen)]
            self._commands = full_commands + added
            self._groups = full_groups + [g for g in self._groups if not any(g is k for k in chosen)]

    @property  # type: ignore[override]
    def registered_commands(self) -> list[Any]:
        self._import_pending()
        order = {f"talkbase.cli.{name}": i for i, name in enumerate(COMMAND_MODULES)}
        self._commands.sort(key=lambda info: order.get(getattr(info.callback, "__module__", ""), len(order)))
        return self._commands

    @registered_commands.setter
    def registered_commands(self, value: list[Any]) -> None:
        self._commands = value

    @property  # type: ignore[override]
    def registered_groups(self) -> list[Any]:
        self._import_pending()
        return self._groups

    @registered_groups.setter
    def registered_groups(self, value: list[Any]) -> None:
        self._groups = value


class EscapedErrorsGroup(TyperGroup):
    """The root command. Every usage error, whoever raised it (a name that is ambiguous or not found, a bad
    pattern, an option Click refuses), passes here on its way to Click's printing, and its message goes
    through escape_controls: names and values from the data, and what was typed, are shown literally."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        with _escaped_usage_errors():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: Any) -> Any:
        with _escaped_usage_errors():
            return super().invoke(ctx)


@contextmanager
def _escaped_usage_errors() -> Iterator[None]:
    try:
        yield
    except typer.TyperException as exc:  # what Click prints as an error: its message (and a parameter hint)
        from talkbase.records.text import escape_controls

        possible, option = getattr(exc, "possibilities", None), getattr(exc, "option_name", None)
        if possible and option:  # Click's "(Possible options: ...)", said as everywhere else in talkbase
            # unless talkbase knows what was meant (`--no-cache` after the command is not `--known-at`)
            known = _usage_hint(option, sys.argv[1:])
            exc.message = f"no such option: {option}" + (
                "" if known else f" (did you mean {' or '.join(sorted(possible))}?)"
            )
            exc.possibilities = []  # type: ignore[attr-defined]  # else Click adds them again
        exc.message = escape_controls(exc.message)
        if isinstance(exc, typer.BadParameter) and isinstance(exc.param_hint, str):
            exc.param_hint = escape_controls(exc.param_hint)
        if type(exc).__name__ != "NoArgsIsHelpError":  # `talkbase` alone: its help, as Click shows it
            exc.show = partial(_show_error, exc)  # type: ignore[method-assign]
        raise


def _show_error(exc: typer.TyperException, file: Any = None) -> None:
    """A usage error as talkbase says every error, `talkbase: error: ...`, then the command's usage line and
    where its help is (Click would print the usage first and end with its own `Error: ...`)."""
    message = exc.format_message()
    if len(message) > 1000:  # an option or value of 100,000 characters: its start and end say enough
        message = f"{message[:800]}…{message[-100:]}"
    lines = [f"talkbase: error: {message[:1].lower()}{message[1:]}"]
    unknown = type(exc).__name__ == "NoSuchOption"  # (not an option given without its value: `--since` alone)
    hint = _usage_hint(getattr(exc, "option_name", None) if unknown else None, sys.argv[1:])
    if hint:
        lines.append(f"hint: {hint}")
    ctx = getattr(exc, "ctx", None)
    if ctx is not None:
        lines += [ctx.get_usage(), f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help."]
    typer.echo("\n".join(lines), err=True)


_TERM_OPTIONS = {"--actor": "actor", "--topic": "topic", "--source": "source", "--stance": "stance",
                 "--status": "status", "--kind": "kind", "--affiliation": "affiliation", "--since": "date",
                 "--until": "date", "--known-at": "known"}  # fmt: skip


def _usage_hint(option: str | None, argv: list[str]) -> str:
    """What was probably meant: a word to leave out written `-summit` (read as `-s ummit`), or a filter option a
    command does not have, which its query takes as a term."""
    from talkbase.records.text import escape_controls

    negated = next((w for w in argv if re.fullmatch(r"-[^\W\d_][\w.'’-]+", w) and not w.startswith("--")), None)
    if negated is not None:
        word = escape_controls(negated[1:], one_line=True)
        return f"to leave out records holding a word, write `not {word}`: `{escape_controls(negated)}` reads as options"
    if option in ("--data", "--format", "-f") and argv and argv[0].partition("=")[0] == option:
        return f"give {option} after the command: talkbase COMMAND {option} ..."
    if option in ("--no-cache", "--follow-symlinks", "--version") and argv and argv[0] != option:
        return f"give {option} before the command: talkbase {option} COMMAND ..."
    if option in _TERM_OPTIONS:
        value = next((argv[i + 1] for i, w in enumerate(argv[:-1]) if w == option), "VALUE")
        return f"write it in the query: {_TERM_OPTIONS[option]}:{escape_controls(value, one_line=True)}"
    return ""


def command_name(info: Any) -> str:
    """The name a registered command goes by on the command line, as Typer derives it."""
    return info.name or info.callback.__name__.lower().replace("_", "-")


app = LazyTyper(
    name="talkbase",
    cls=EscapedErrorsGroup,
    no_args_is_help=True,
    add_completion=True,
    rich_markup_mode=None,
    pretty_exceptions_show_locals=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"talkbase {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
    no_cache: Annotated[
        bool,
        typer.Option(
            "--no-cache", help="Read every YAML file afresh instead of the parse cache (also: TALKBASE_NO_CACHE=1)."
        ),
    ] = False,
    follow_symlinks: Annotated[
        bool,
        typer.Option(
            "--follow-symlinks",
            help="Also read files that symbolic links in the data directory lead to outside it "
            "(also: TALKBASE_FOLLOW_SYMLINKS=1). Without it such links are reported, not read.",
        ),
    ] = False,
) -> None:
    """A knowledge base of negotiations: events, actors, sources, topics and stated positions, kept as YAML.

    \b
    Examples:
      talkbase timeline                       what happened and what is coming, in order
      talkbase positions --topic ceasefire    who stands where on one topic
      talkbase grep "no (final )?date"        search the claims
      talkbase positions 'actor:peskov -stance:sup'  ask with a query (talkbase query --help)
      talkbase show peskov                    one record and everything that refers to it
      talkbase check                          find every mistake in the YAML files
      talkbase add position                   add a record, asked field by field
      talkbase edit zelensky                  open a record's file at its line in $EDITOR
      talkbase timeline --data ~/my-kb        use another knowledge base
    """
    if no_cache:
        os.environ["TALKBASE_NO_CACHE"] = "1"  # read by talkbase.load.cache for this process
    if follow_symlinks:
        os.environ["TALKBASE_FOLLOW_SYMLINKS"] = "1"  # read by talkbase.load.loader for this process


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print a one-line error to stderr; the caller raises the returned Exit."""
    from talkbase.records.text import escape_controls

    typer.echo(f"talkbase: error: {escape_controls(message)}", err=True)
    return typer.Exit(code)


def tell_written(verb: str, path: Path) -> None:
    """`wrote PATH` on stderr, escaped like every error, unless PATH is a stream (a descriptor, device or FIFO)
    where the note could land in the very data it announces (`-o /dev/stderr`)."""
    from talkbase.records.text import escape_controls
    from talkbase.write.atomic import destination

    try:
        where = destination(path)
        stream = where.through or where.descriptor is not None
    except OSError:  # a folder (the csv export): not a stream
        stream = False
    if not stream:
        typer.echo(escape_controls(f"{verb} {path}"), err=True)


# The knowledge base this command opened, so that a name not found in it can say where it was looked for (one
# command runs per process).
_SEARCHED: list[DataLocation] = []


def opened_location() -> DataLocation:
    """The knowledge base this command opened (one command runs per process)."""
    return _SEARCHED[0]


def open_data(data: str | None, strict: bool = False, containing: Path | None = None) -> Opened:
    """The knowledge base the options name (or the one `containing` a path the command was given), opened."""
    from talkbase.load.kb import DataLocationError, locate, open_kb
    from talkbase.show.progress import LoadProgress

    progress = LoadProgress()
    try:
        location = locate(data, containing)
        _SEARCHED[:] = [location]
        opened = open_kb(location, strict=strict, progress=progress)
    except DataLocationError as exc:
        raise fail(str(exc)) from None
    finally:
        progress.close()
    if not opened.files:
        from talkbase.records.text import escape_controls

        where = escape_controls(str(opened.location.path))
        first = "talkbase add actor --name NAME --kind person"
        typer.echo(f"note: the knowledge base {where} is empty (no *.yaml or *.yml files): add a first record "
                   f"with `{first}`", err=True)  # fmt: skip
    elif opened.location.origin == "bundled" and sys.stdout.isatty():
        from talkbase.show.render import make_console

        # One line, only for a person at a terminal: pipes and scripts get the data alone, as before.
        make_console(stderr=True).print(
            "using the bundled knowledge base: no data/ folder here or above",
            style="dim",
            markup=False,
            highlight=False,
        )
    return opened


def load_valid(data: str | None, error_code: int = 1, known_at: str | None = None) -> KnowledgeBase:
    """The knowledge base (as known on `known_at`, if given), or exit 1 after printing every error in it.

    Warnings are for `check`; the date is checked first, so a typo in it is reported before any loading."""
    day = as_option("--known-at", date_option, known_at)
    opened = open_data(data)
    if opened.kb is None:
        from talkbase.show.render import make_console, print_problems

        errors = opened.errors
        print_problems(make_console(stderr=True), errors)
        count = "1 error; fix it" if len(errors) == 1 else f"{len(errors)} errors; fix them"
        raise fail(f"{opened.location.describe()} has {count} and retry", error_code)
    if day is None:
        return opened.kb
    from talkbase.ask.query import as_known_at

    return as_known_at(opened.kb, day)


def knowledge_base_name() -> str:
    """What the knowledge base is called: its folder's name (the folder holding it, when that is `data/`)."""
    path = opened_location().path
    folder = path if path.is_dir() else path.parent
    if folder.name in ("data", "bundled") and folder.parent.name:
        folder = folder.parent
    return folder.name or "talkbase"


def date_option(value: str) -> PartialDate:
    from talkbase.ask.query import QueryError
    from talkbase.records.dates import DATE_FORMAT_HINT, DateError, parse_date

    try:
        return parse_date(value)
    except DateError as exc:
        raise QueryError(f"{exc}; {DATE_FORMAT_HINT}") from None


class Query:
    """The query expression a command was given as its trailing words: its text, its tree (without `known:`),
    and the day `known:` (or --known-at) names."""

    def __init__(self, words: list[str] | None = None, known_at: str | None = None) -> None:
        from talkbase.ask.filter import known_at_of
        from talkbase.records.expr import ExprError, join_words, parse

        self.text = join_words(words or ())
        try:
            self.tree, known = known_at_of(parse(self.text))
            days = {value: at for term in known for value, at in zip(term.values, term.value_at)}
            for value, at in days.items():
                check_date(value, at)
            if len(days) > 1 or (days and known_at is not None and known_at not in days):
                given = [*days, *([known_at] if known_at is not None else [])]
                raise ExprError(f"`known:` names one day, not {' and '.join(given)}", known[-1].at)
        except ExprError as exc:
            raise expression_error(self.text, exc.column, str(exc)) from None
        self.known_at = known_at if known_at is not None else next(iter(days), None)


def check_date(value: str, column: int) -> None:
    from talkbase.records.expr import ExprError

    try:
        date_option(value)
    except Exception as exc:  # a QueryError saying what a date looks like
        raise ExprError(str(exc), column) from None


def expression_error(text: str, column: int, message: str) -> typer.Exit:
    """A usage error in a query expression: the message, then the expression with a caret under the column."""
    from rich.cells import cell_len  # wide characters (CJK, emoji) take two columns of the terminal

    from talkbase.records.text import escape_controls

    start, end = max(0, column - 1 - _AROUND), column - 1 + _AROUND  # a long query: the part around the column
    shown = ("…" if start else "") + escape_controls(text[start:end], one_line=True) + ("…" if end < len(text) else "")
    before = ("…" if start else "") + escape_controls(text[start : column - 1], one_line=True)
    typer.echo(f"talkbase: error: {escape_controls(message)}\n  {shown}\n  {' ' * cell_len(before)}^", err=True)
    return typer.Exit(2)


_AROUND = 60  # characters of a query shown either side of an error's column


def build_filters(
    kb: KnowledgeBase,
    since: str | None = None,
    until: str | None = None,
    actors: list[str] | None = None,
    topics: list[str] | None = None,
    source: str | None = None,
    statuses: list[str] | None = None,
    kinds: list[str] | None = None,
    stances: list[str] | None = None,
    query: Query | None = None,
    affiliations: list[str] | None = None,
    lists: tuple[str, ...] = (),
) -> Filter:
    """The one filter of the query expression and the options standing for its terms, resolved against the
    knowledge base; a bad value is a usage error (exit 2) naming its option, or pointing into the expression.
    `lists` names the kinds of record the command lists (`kind:` is read among theirs; all without it)."""
    from talkbase.ask.filter import BindError, bind
    from talkbase.records.dates import span_of
    from talkbase.records.expr import And, Field

    first, last = as_option("--since", date_option, since), as_option("--until", date_option, until)
    if first and last and span_of(last).before(span_of(first)):
        message = f"{first} is after --until {last}: nothing could match"
        raise typer.BadParameter(message, param_hint="'--since'")
    terms: list[Node] = []
    for name, option, values in (
        ("actor", "--actor", actors),
        ("topic", "--topic", topics),
        ("source", "--source", [source] if source is not None else None),
        ("status", "--status", statuses),
        ("kind", "--kind", kinds),
        ("stance", "--stance", stances),
        ("affiliation", "--affiliation", affiliations),
    ):
        if values:  # repeated, an option names alternatives: one term
            scope = (lists or ("events",))[0] if name == "kind" else ""
            terms.append(Field(name, tuple(values), option=option, scope=scope))
    if first or last:
        option = "--since" if first else "--until"
        terms.append(Field("date", (f"{since or ''}..{until or ''}",), option=option))
    if query is not None and query.tree is not None:
        terms.append(query.tree)
    tree = terms[0] if len(terms) == 1 else And(tuple(terms)) if terms else None
    try:
        saved = saved_queries() if query is not None and "@" in query.text else {}
        return bind(kb, tree, saved, declared_kinds, lists)
    except BindError as exc:
        option = getattr(exc.term, "option", "")
        if option:
            raise typer.BadParameter(searched(exc.message), param_hint=f"'{option}'") from None
        from talkbase.records.expr import with_column

        text = query.text if query is not None else ""
        raise expression_error(text, exc.column, searched(with_column(exc.message, exc.column))) from None


def declared_kinds() -> dict[str, list[str]]:
    """The kinds the settings (talkbase.yaml) of the knowledge base this command opened add to the built-in ones,
    by kind of record (`actors`, `sources`)."""
    if not _SEARCHED:
        return {}
    from talkbase.load.settings import read_settings
    from talkbase.records.schema import EXTENSIBLE

    declared, _ = read_settings(_SEARCHED[0].path)
    return {EXTENSIBLE[key][0]: list(words) for key, words in declared}


def saved_queries() -> dict[str, str]:
    """The saved queries (talkbase.yaml `queries:`) of the knowledge base this command opened, by name."""
    if not _SEARCHED:
        return {}
    from talkbase.load.settings import read_queries

    return read_queries(_SEARCHED[0].path)


def searched(message: str) -> str:
    """A "not found" message with the knowledge base that was searched."""
    if _SEARCHED and ("not found" in message or message.startswith(("no record", "no source matches"))):
        return f"{message}; searched {_SEARCHED[0].describe()}"
    return message


def as_option(option: str, convert: Callable[[str], T], value: str | None) -> T | None:
    """Convert one option's value, turning a query or date error into a usage error naming the option."""
    from talkbase.ask.query import QueryError

    if value is None:
        return None
    try:
        return convert(value)
    except QueryError as exc:
        raise typer.BadParameter(searched(str(exc)), param_hint=f"'{option}'") from None


def vocabulary_words(option: str, words: list[str] | None, setting: str) -> set[str]:
    """The words given for a vocabulary a knowledge base may extend (`--kind party`): each must be built in or
    declared in the settings of the knowledge base this command opened (read only for a word not built in)."""
    from talkbase.records.hints import vocabulary_word
    from talkbase.records.schema import EXTENSIBLE, with_vocabulary

    kind_key, name = EXTENSIBLE[setting]
    vocab = with_vocabulary(())[kind_key].field(name).vocab  # type: ignore[union-attr]
    chosen = {vocabulary_word(w, vocab) or w for w in words or ()}  # any case, a prefix only one word has
    if chosen <= set(vocab):
        return chosen
    from talkbase.load.settings import read_settings
    from talkbase.records.hints import did_you_mean

    declared, _ = read_settings(_SEARCHED[0].path) if _SEARCHED else ((), [])
    vocab = with_vocabulary(declared)[kind_key].field(name).vocab  # type: ignore[union-attr]
    chosen = {vocabulary_word(w, vocab) or w for w in chosen}
    for word in sorted(chosen - set(vocab)):
        hint = did_you_mean(word, vocab) or f"the kinds are {', '.join(vocab)}, and those talkbase.yaml declares"
        raise typer.BadParameter(f"unknown kind `{word}` ({hint})", param_hint=f"'{option}'")
    return chosen


def output(listing: Listing, fmt: Format, save: Path | None = None, csv_safe: bool = False) -> None:
    """Write a listing in the chosen format, or with `save` into an SVG or HTML file. An empty listing says
    so on stderr instead of drawing an empty table."""
    from talkbase.show.formats import emit, write_table
    from talkbase.show.render import make_console

    check_csv_safe(csv_safe, fmt)
    if not listing.rows:
        typer.echo(f"no {listing.noun} match", err=True)
        if fmt not in (Format.json, Format.csv):  # JSON says [], CSV its header: what a program reading it expects
            return
    if save is not None:
        save_picture(lambda _width: lambda console: write_table(listing, console), save)
        return
    emit(listing, fmt.value, make_console(), csv_safe=csv_safe)


def check_csv_safe(csv_safe: bool, fmt: Format) -> None:
    """--csv-safe changes CSV cells only, so with another --format it is a usage error, not ignored."""
    if csv_safe and fmt is not Format.csv:
        raise typer.BadParameter(f"--csv-safe is for --format csv, not {fmt.value}", param_hint="'--csv-safe'")


def check_save(save: Path | None, fmt: Format) -> None:
    """--save draws the table, so it cannot be combined with another --format (a usage error, not ignored)."""
    if save is not None and fmt is not Format.table:
        raise typer.BadParameter(f"--save draws the table; drop --format {fmt.value} or --save", param_hint="'--save'")


def save_picture(render: Callable[[int], Any], path: Path) -> None:
    """Render what the terminal would show, in colour, to an SVG or HTML file, atomically.

    `render(width)` returns a Rich renderable, or a function that prints onto a given console."""
    from talkbase.show.render import export_picture
    from talkbase.write.atomic import write_text_atomic

    suffix = path.suffix.lower()
    if suffix not in (".svg", ".html", ".htm"):
        raise typer.BadParameter(f"`{path}`: the file must end in .svg or .html", param_hint="'--save'")
    try:
        write_text_atomic(path, export_picture(render, svg=suffix == ".svg"))
    except OSError as exc:
        raise fail(f"cannot write {path}: {exc.strerror or exc}", 1) from None
    tell_written("saved", path)


# What the commands that write (add, edit, import, mv, rm) share -----------------------------------------------


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to here when below it, with control characters escaped."""
    from talkbase.load.loader import display_path
    from talkbase.records.text import escape_controls

    return escape_controls(display_path(path), one_line=True)


def print_problems_to_stderr(problems: list[Problem]) -> None:
    if problems:
        from talkbase.show.render import make_console, print_problems

        print_problems(make_console(stderr=True), problems)


def writable_location(data: str | None) -> DataLocation:
    """The knowledge base a writing command changes: never the bundled one, which is part of the program."""
    from talkbase.load.kb import DataLocationError, locate

    try:
        location = locate(data)
    except DataLocationError as exc:
        raise fail(str(exc)) from None
    if location.origin == "bundled":
        raise fail(
            "no knowledge base of yours here to write to (only the bundled one, which is part of the installed "
            "program); pass --data PATH, set TALKBASE_DATA, or run in a folder with a data/ folder"
        )
    return location


def refuse_while_journal_pending(root: Path) -> None:
    """A rename, removal or import killed half-way left files to put back: writing more first could lose them."""
    from talkbase.write.transaction import journal_of

    journal = journal_of(root)
    if journal.exists():
        raise fail(
            f"an interrupted mv, rm or import left its journal in {shown_path(journal)}; run `talkbase mv "
            "--recover` to put every file back as it was before it, then run the command again",
            1,
        )


def refuse_unreadable(problems: list[Problem], doing: str) -> None:
    """A file that cannot be read hides its records, so what is written could clash with them unseen."""
    from talkbase.records.problems import UNREAD_FILE

    unread = [p for p in problems if p.code in UNREAD_FILE]
    if unread:
        print_problems_to_stderr(unread)
        message = f"cannot {doing} while a file of the knowledge base cannot be read: fix it first (talkbase check)"
        raise fail(message, 1)
