"""The command line: thin Typer wiring over the query and render layers.

`app.py` holds the app and what commands share; each other module registers a group of commands.
"""

import signal
from importlib import import_module

from talkbase.cli.app import app

# Each module registers its commands on import; this order is the order `talkbase --help` lists them in.
for _module in ("listing", "analysis", "export", "entry"):
    import_module(f"talkbase.cli.{_module}")


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def main() -> int:
    """The console script: run the app and turn its exit into a status code.

    `kill` (SIGTERM) and a closed terminal (SIGHUP) unwind like Ctrl-C does, so a write in progress removes
    its temporary file and leaves the original as it was. A reader that stops early (`| head`) ends the
    command quietly, as it does for other Unix tools."""
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _exit_on_signal)
    if hasattr(signal, "SIGPIPE"):
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    try:
        app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0
