"""Command-line options shared by several commands, declared once: data, filters, --format, completion.

Typer reads these annotations at run time, so they use `Optional[...]` (also valid on Python 3.10).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from talkbase.records.schema import EVENT_STATUSES, STANCES

Format = Enum("Format", {name: name for name in ("table", "json", "jsonl", "csv", "markdown")}, type=str)
CheckFormat = Enum("CheckFormat", {name: name for name in ("text", "json")}, type=str)
ShowFormat = Enum("ShowFormat", {name: name for name in ("table", "json", "jsonl")}, type=str)


def choice(enum: type[Enum], what: str = "format") -> Callable[[Any], Any]:
    """A parser for an option taking one of an Enum's words in any case, or a prefix only one has (as `add`
    takes vocabulary words): `-f JSON`, `-f md`... with talkbase's own error, listing the choices."""
    from talkbase.records.hints import choose_word

    words = [member.value for member in enum]  # type: ignore[attr-defined]

    def parse(value: Any) -> Any:
        if isinstance(value, enum):
            return value
        try:
            return enum(choose_word(str(value), words, what))
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from None

    return parse


def _complete(ctx: typer.Context, incomplete: str, kinds: tuple[str, ...]) -> list[str]:
    """Ids (and actor/topic names) of the knowledge base that start with what was typed so far."""
    try:
        from talkbase.load.kb import locate, open_kb

        kb = open_kb(locate(ctx.params.get("data"))).kb
    except Exception:  # completion must never break the shell
        return []
    if kb is None:
        return []
    key = incomplete.casefold()
    found = [r.id for kind in kinds for r in getattr(kb, kind) if r.id.startswith(key)]
    return sorted(found)


def complete_actor(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete(ctx, incomplete, ("actors",))


def complete_topic(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete(ctx, incomplete, ("topics",))


def complete_source(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete(ctx, incomplete, ("sources",))


def complete_actor_kind(ctx: typer.Context, incomplete: str) -> list[str]:
    """The actor kinds, built in and declared in the knowledge base's talkbase.yaml, that start as typed."""
    try:
        from talkbase.load.kb import locate
        from talkbase.load.settings import read_settings
        from talkbase.records.schema import with_vocabulary

        declared, _ = read_settings(locate(ctx.params.get("data")).path)
        vocab = with_vocabulary(declared)["actors"].field("kind").vocab  # type: ignore[union-attr]
    except Exception:  # completion must never break the shell
        return []
    return [word for word in vocab if word.startswith(incomplete.casefold())]


def complete_stance(incomplete: str) -> list[str]:
    return [word for word in STANCES if word.startswith(incomplete.casefold())]


def complete_status(incomplete: str) -> list[str]:
    return [word for word in EVENT_STATUSES if word.startswith(incomplete.casefold())]


def complete_query(ctx: typer.Context, incomplete: str) -> list[str]:
    """A query word as typed so far: a field (`act` -> `actor:`), a field's value (`stance:re` -> `stance:rejects`,
    `actor:pes` -> `actor:peskov`), or a saved query (`@ru` -> `@russia-no`); in a quoted query of several terms
    (`'actor:russia stance:re`), its last term, after a space or a parenthesis."""
    cut = max(incomplete.rfind(c) for c in " \t()") + 1
    return [incomplete[:cut] + word for word in _query_candidates(ctx, incomplete[cut:])]


# bash breaks the words it completes at ':' and '@' (COMP_WORDBREAKS), so `actor:pe` would reach talkbase as
# `actor`, `:`, `pe`. talkbase's bash script therefore also passes the line itself, from which the words are read
# again (bash_words_from_line), and cuts each answer to the part of the word readline replaces: what follows
# the word's last ':' (bash-completion's __ltrim_colon_completions does the same). A field name (`actor:`) is
# completed without the space after it, so that its value can follow.
BASH_COMPLETION_SCRIPT = """
%(complete_func)s() {
    local IFS=$'\\n'
    COMPREPLY=( $( env COMP_WORDS="${COMP_WORDS[*]}" COMP_CWORD=$COMP_CWORD \\
                   COMP_LINE="$COMP_LINE" COMP_POINT=$COMP_POINT \\
                   %(autocomplete_var)s=complete_bash $1 ) )
    local line=${COMP_LINE:0:COMP_POINT}
    local sq="'" dq='"'
    local word=${line##*[[:space:]]} singles=${line//[^$sq]/} doubles=${line//[^$dq]/}
    # (inside quotes readline replaces the whole quoted word, so nothing is cut there)
    if [[ $word == *:* && $COMP_WORDBREAKS == *:* ]] && (( ${#singles} %% 2 == 0 && ${#doubles} %% 2 == 0 )); then
        local written=${word%%"${word##*:}"}
        COMPREPLY=( "${COMPREPLY[@]#"$written"}" )
    fi
    if [[ ${#COMPREPLY[@]} == 1 && ${COMPREPLY[0]} == *: ]]; then
        compopt -o nospace  # `actor:` goes on to its value
    fi
    return 0
}

complete -o default -F %(complete_func)s %(prog_name)s
"""


def use_shell(shell: str) -> None:
    """Have `--show-completion` and `--install-completion` use `shell` rather than the one Typer detects."""
    from typer import _completion_shared, completion

    completion._get_shell_name = _completion_shared._get_shell_name = lambda: shell


def use_talkbase_bash_script() -> None:
    """Have `--show-completion bash` and `--install-completion bash` give BASH_COMPLETION_SCRIPT. Typer offers no
    setting for it; tests/test_query.py completes in a real bash, so a Typer that moves these fails there."""
    from typer import _completion_classes, _completion_shared

    _completion_shared._completion_scripts["bash"] = BASH_COMPLETION_SCRIPT
    _completion_classes.BashComplete.source_template = BASH_COMPLETION_SCRIPT


def bash_words_from_line(environ: dict[str, str]) -> None:
    """Set COMP_WORDS and COMP_CWORD from COMP_LINE up to the cursor, split as the shell splits words (an
    unclosed quote ends the last word), so that `actor:pe` is one word again."""
    import shlex

    line = environ["COMP_LINE"][: int(environ.get("COMP_POINT") or len(environ["COMP_LINE"]))]
    lexer = shlex.shlex(line, posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    try:
        words.extend(lexer)
    except ValueError:  # an unclosed quote: the word typed so far
        words.append(lexer.token)
    if not line or line[-1].isspace():
        words.append("")
    environ["COMP_WORDS"] = shlex.join(words)
    environ["COMP_CWORD"] = str(len(words) - 1)


def _query_candidates(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        from talkbase.records.expr import FIELDS

        if incomplete.startswith("@"):
            from talkbase.load.kb import locate
            from talkbase.load.settings import read_queries

            names = read_queries(locate(ctx.params.get("data")).path)
            return [f"@{name}" for name in sorted(names) if name.startswith(incomplete[1:])]
        negated = "-" if incomplete.startswith("-") else ""
        word = incomplete[len(negated) :]
        if ":" not in word:
            return [f"{negated}{name}:" for name in FIELDS if name.startswith(word.casefold())]
        name, _, value = word.partition(":")
        done, _, typed = value.rpartition(",")  # alternatives already written stay as they are
        start = f"{negated}{name}:{done + ',' if done else ''}"
        types = ("actor", "source", "topic", "event", "position")
        vocab = {"stance": STANCES, "status": EVENT_STATUSES, "kind": _kinds(ctx) if name == "kind" else (),
                 "type": types}.get(name)  # fmt: skip
        if vocab is not None:
            return [start + w for w in vocab if w.startswith(typed.casefold())]
        every = ("actors", "sources", "topics", "events", "positions")
        kinds = {"actor": ("actors",), "affiliation": ("actors",), "topic": ("topics",), "source": ("sources",),
                 "event": ("events",), "id": every}.get(name)  # fmt: skip
        return [start + i for i in _complete(ctx, typed, kinds)] if kinds else []
    except Exception:  # completion must never break the shell
        return []


def _kinds(ctx: typer.Context, of: tuple[str, ...] = ("events", "actors", "sources")) -> list[str]:
    """Every kind a record (of these kinds) may have in the knowledge base: the vocabularies, and those it uses."""
    from talkbase.ask.filter import kind_vocabularies
    from talkbase.load.kb import locate, open_kb

    kb = open_kb(locate(ctx.params.get("data"))).kb
    if kb is None:
        return []
    from talkbase.records.text import escape_controls

    found = {w for kind, words in kind_vocabularies(kb, {}).items() if kind in of for w in words}
    # An event's kind is free text: one with a space or a control character is no word for the shell to offer.
    return sorted(w for w in found if w == escape_controls(w, one_line=True) and not any(c.isspace() for c in w))


def complete_event_kind(ctx: typer.Context, incomplete: str) -> list[str]:
    try:
        return [word for word in _kinds(ctx, ("events",)) if word.startswith(incomplete.casefold())]
    except Exception:  # completion must never break the shell
        return []


def complete_any(ctx: typer.Context, incomplete: str) -> list[str]:
    return _complete(ctx, incomplete, ("actors", "sources", "topics", "events", "positions"))


DataOption = Annotated[
    Optional[str],  # noqa: UP045  (a str, so that an empty --data '' is not taken for the current directory)
    typer.Option(
        "--data",
        metavar="PATH",
        help="Knowledge base directory or file. Default: $TALKBASE_DATA, else the nearest data/ folder, "
        "else the bundled knowledge base.",
        show_default=False,
    ),
]
FormatOption = Annotated[
    Format,
    typer.Option(
        "--format",
        "-f",
        metavar="[table|json|jsonl|csv|markdown]",
        parser=choice(Format),
        help="Output format. json, jsonl and csv use the record format's field names.",
    ),
]
CsvSafeOption = Annotated[
    bool,
    typer.Option(
        "--csv-safe",
        help="With --format csv: start a cell that begins with =, +, -, @, a tab or a carriage return with ' so "
        "that spreadsheets show it as text instead of running it as a formula.",
    ),
]
SinceOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--since",
        metavar="DATE",
        help="Only what may fall on this date or later (YYYY, YYYY-MM or YYYY-MM-DD): a 2025 record is kept "
        "by --since 2025-06.",
    ),
]
UntilOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--until",
        metavar="DATE",
        help="Only what may fall up to this date, inclusive: 2025-07 includes 2025-07-31.",
    ),
]
ActorOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--actor",
        "-a",
        metavar="NAME",
        help="Actor id, name or alias; repeat for several.",
        autocompletion=complete_actor,
    ),
]
TopicOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--topic", "-t", metavar="NAME", help="Topic id or name; repeat for several.", autocompletion=complete_topic
    ),
]
SourceOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--source",
        "-s",
        metavar="SOURCE",
        help="Source id, or part of its publisher, title or URL host; a source known through it (via) counts as it.",
        autocompletion=complete_source,
    ),
]
StanceOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--stance",
        metavar="STANCE",
        help=f"Only this stance ({', '.join(STANCES)}; any case, or a prefix only it has: rej); repeat for several.",
        autocompletion=complete_stance,
    ),
]
StatusOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--status",
        metavar="STATUS",
        help=f"Only events with this status ({', '.join(EVENT_STATUSES)}; or a prefix only it has); repeat for "
        "several.",
        autocompletion=complete_status,
    ),
]
QueryArgument = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Argument(
        metavar="QUERY",
        autocompletion=complete_query,
        help="A query: terms such as actor:russia,peskov stance:rej date:2025-06..2025-08, words to search, "
        "not, or, ( ) (see `talkbase query --help`).",
        show_default=False,
    ),
]


def _rows(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise typer.BadParameter(f"`{text}` is not a number: give a number of rows of 1 or more") from None
    if value < 1:
        raise typer.BadParameter(f"{value} rows: give a number of rows of 1 or more")
    return value


LimitOption = Annotated[
    Optional[int],  # noqa: UP045
    typer.Option("--limit", "-n", metavar="N", help="Show at most N rows (1 or more).", parser=_rows),
]
KnownAtOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--known-at",
        metavar="DATE",
        help="Only what the sources had published by DATE (each event with the status known then).",
    ),
]
AsOfOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--as-of",
        metavar="DATE",
        help="As things stood at the end of DATE: a position counts as stated only when its date is over by then "
        "(one that may have been is shown marked).",
    ),
]
SaveOption = Annotated[
    Optional[Path],  # noqa: UP045
    typer.Option(
        "--save", metavar="FILE", help="Write what is shown as a picture (FILE.svg) or page (FILE.html) instead."
    ),
]
RecordArgument = Annotated[
    str,
    typer.Argument(metavar="ID", help="A record id, or an actor's or topic's name.", autocompletion=complete_any),
]
