"""cli — the command line: thin Typer wiring over the other stages.

Takes in: argv. Gives out: text on stdout and stderr, and an exit status (0 done, 1 errors in the data or a
failed write, 2 usage). Never imports: PyYAML, and nothing imports it; it computes no answers and builds no
tables itself (load, ask, show and write do).

`app.py` holds the app and what commands share; each other module registers a group of commands. They are
imported when Typer first reads the commands: all of them, except that `main` imports only the module of the
command the command line names, and has Typer build only that command's options.
"""

import os
import re
import signal
import sys

from talkbase.cli.app import COMMAND_MODULES, app

# Which module registers each command (tests/test_startup.py checks this against the modules themselves).
COMMANDS = {
    **dict.fromkeys(
        ("check", "timeline", "actors", "positions", "grep", "show", "sources", "topics", "query"), "listing"
    ),
    **dict.fromkeys(("matrix", "history", "disputes"), "analysis"),
    **dict.fromkeys(("export", "schema"), "export"),
    **dict.fromkeys(("site", "serve"), "site"),
    **dict.fromkeys(("init", "edit", "add"), "entry"),
    **dict.fromkeys(("mv", "rm"), "keeping"),
    "import": "importing",
}
ROOT_FLAGS = ("--no-cache", "--follow-symlinks")  # the root options that may come before a command

app.defer(COMMAND_MODULES)


def invoked_command(argv: list[str]) -> str | None:
    """The command this command line runs, or None for anything else (help, --version, completion, a mistyped
    command), which then gets every command, so that it behaves exactly as before."""
    if any(key.startswith("_") and key.endswith("_COMPLETE") for key in os.environ):
        return None  # shell completion lists every command
    words = [word for word in argv if word not in ROOT_FLAGS]
    return words[0] if words and words[0] in COMMANDS else None


# The commands that take a QUERY after their options.
QUERY_COMMANDS = frozenset(
    ("timeline", "actors", "positions", "grep", "sources", "topics", "query", "matrix", "history", "disputes",
     "export", "site", "serve")
)  # fmt: skip
_NEGATED_TERM = re.compile(r"-(?:[A-Za-z_][\w-]*:|[(\"/@])")


def negations_as_words(argv: list[str]) -> list[str]:
    """`-stance:rejects`, `-(a or b)`: a query word that starts with `-` reads as an option to the command line
    parser; given as `not ...` it reads as the query it is (the same meaning: `-X` is `not X`). Only a field
    term, a parenthesis, a phrase, a regex or a saved query is taken so, not `-c`, which stays an option."""
    words = [word for word in argv if word not in ROOT_FLAGS]
    if not words or words[0] not in QUERY_COMMANDS or "--" in argv:
        return argv
    return [f"not {word[1:]}" if _NEGATED_TERM.match(word) else word for word in argv]


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


_COMPLETION_FLAGS = ("--show-completion", "--install-completion")
_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")


def _use_talkbase_completion(argv: list[str]) -> list[str]:
    """talkbase's own bash completion script, and the words bash split at ':' joined again. A shell named after
    --show-completion or --install-completion (`--show-completion bash`, `=bash`) is the one used: Typer's flag
    takes no value and asks the process tree, which outside an interactive shell (a script, make, cron) names
    none. The argument list is given back without that word."""
    completing = os.environ.get("_TALKBASE_COMPLETE")
    if not completing and not set(_COMPLETION_FLAGS) & {w.partition("=")[0] for w in argv}:
        return argv
    from talkbase.cli.options import bash_words_from_line, use_shell, use_talkbase_bash_script

    use_talkbase_bash_script()
    if completing == "complete_bash" and "COMP_LINE" in os.environ:
        bash_words_from_line(os.environ)
    words = list(argv)
    for i, word in enumerate(words):
        flag, equals, value = word.partition("=")
        if flag in _COMPLETION_FLAGS and equals and value in _SHELLS:
            use_shell(value)
            words[i] = flag
        elif word in _COMPLETION_FLAGS and i + 1 < len(words) and words[i + 1] in _SHELLS:
            use_shell(words.pop(i + 1))
        else:
            continue
        break
    return words


def main() -> int:
    """The console script: run the app and turn its exit into a status code.

    `kill` (SIGTERM) and a closed terminal (SIGHUP) unwind like Ctrl-C does, so a write in progress removes
    its temporary file and leaves the original as it was. A reader that stops early (`| head`) ends the
    command quietly, as it does for other Unix tools."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    sys.argv[1:] = negations_as_words(sys.argv[1:])
    sys.argv[1:] = _use_talkbase_completion(sys.argv[1:])
    command = invoked_command(sys.argv[1:])
    app.defer((COMMANDS[command],) if command else COMMAND_MODULES)
    try:
        with app.narrowed(command):
            app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    except Exception as exc:
        from talkbase.load.cache import CacheMismatch  # a forged parse cache over files that changed since

        if not isinstance(exc, CacheMismatch):
            raise
        print(f"talkbase: error: {exc}; run the command again", file=sys.stderr)
        return 2
    finally:  # a later reader of `app` in this process (a test) still gets every command
        app.defer(tuple(m for m in COMMAND_MODULES if f"talkbase.cli.{m}" not in sys.modules))
    return 0
