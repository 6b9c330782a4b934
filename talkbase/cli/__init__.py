"""The command line: thin Typer wiring over the query and render layers.

`app.py` holds the app and what commands share; each other module registers a group of commands.
"""

from talkbase.cli import analysis, listing  # noqa: F401  (they register their commands)
from talkbase.cli.app import app


def main() -> int:
    """The console script: run the app and turn its exit into a status code."""
    try:
        app()
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    return 0
