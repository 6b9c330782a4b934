"""The command line: thin Typer wiring over the query and render layers.

`app.py` holds the app and what commands share; each other module registers a group of commands.
"""

from importlib import import_module

from talkbase.cli.app import app

# Each module registers its commands on import; this order is the order `talkbase --help` lists them in.
for _module in ("listing", "analysis", "export", "entry"):
    import_module(f"talkbase.cli.{_module}")


def main() -> int:
    """The console script: run the app and turn its exit into a status code."""
    try:
        app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0
