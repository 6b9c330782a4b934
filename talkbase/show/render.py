"""Rendering for the terminal: the one place that makes Rich consoles, tables and problem listings.

Text from the data always goes through `literal()`: Rich markup stays literal text and control
characters (escape sequences, carriage returns, bidirectional overrides) are shown as escapes, so a
record can never style or control the terminal.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Iterable
from typing import IO, Any

from rich.cells import cell_len
from rich.console import Console, RenderableType
from rich.text import Text

from talkbase.records.problems import Problem
from talkbase.records.text import escape_controls

_PLAIN_WIDTH = 100_000  # when piped, a table line is never cut or wrapped


def literal(text: str | None, style: str = "") -> Text:
    """Data text as a Rich Text that is shown exactly as written (no markup, no control characters)."""
    return Text(escape_controls(text or ""), style=style)


def make_console(stream: IO[str] | None = None, stderr: bool = False) -> Console:
    """The Console every command prints through; a pipe or file gets plain, unwrapped text."""
    target = stream or (sys.stderr if stderr else sys.stdout)
    is_tty = target.isatty()
    return Console(
        file=target,
        width=None if is_tty else _PLAIN_WIDTH,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=not is_tty,
    )  # Rich itself honours NO_COLOR and leaves out escape codes when the target is not a terminal


def print_table(console: Console, table: RenderableType) -> None:
    """Print a table (or any renderable); in a pipe, without the padding Rich leaves at the end of lines."""
    if console.is_terminal:
        console.print(table)
        return
    with console.capture() as capture:
        console.print(table)
    lines = capture.get().splitlines()
    console.file.write("".join(line.rstrip() + "\n" for line in lines))


def print_problems(console: Console, problems: Iterable[Problem]) -> None:
    for problem in problems:
        style = "red" if problem.is_error else "yellow"
        console.print(Text(escape_controls(problem.format()), style=style if console.is_terminal else ""))


PICTURE_WIDTH = 120


def export_picture(render: Any, svg: bool) -> str:
    """What `render(width)` shows in a colour terminal of PICTURE_WIDTH columns, as SVG or HTML text."""
    console = Console(record=True, width=PICTURE_WIDTH, force_terminal=True, file=io.StringIO(),
                      highlight=False, markup=False, emoji=False, color_system="truecolor")  # fmt: skip
    shown = render(PICTURE_WIDTH)
    shown(console) if callable(shown) else console.print(shown)
    return console.export_svg(title="talkbase") if svg else console.export_html()


def column_widths(rows: list[list[str]]) -> list[int]:
    """The widest line of each column, in terminal cells."""
    widths: list[int] = []
    for row in rows:
        for index, cell in enumerate(row):
            width = max((cell_len(line) for line in cell.split("\n")), default=0)
            if index == len(widths):
                widths.append(width)
            elif width > widths[index]:
                widths[index] = width
    return widths


def plain_rows(rows: list[list[str]], widths: list[int], right: list[bool] | None = None) -> str:
    """Rows as aligned plain text (two spaces between columns, no trailing spaces), for pipes and files.

    Much faster than Rich for large outputs, and never cuts or wraps a cell; a cell with several lines
    makes its row that many lines tall."""
    out: list[str] = []
    for row in rows:
        cells = [cell.split("\n") for cell in row]
        for line_no in range(max(len(c) for c in cells)):
            parts = [c[line_no] if line_no < len(c) else "" for c in cells]
            pads = [" " * (width - cell_len(part)) for part, width in zip(parts, widths)]
            padded = [
                pad + part if right and right[i] else part + pad for i, (part, pad) in enumerate(zip(parts, pads))
            ]
            out.append("  ".join(padded).rstrip())
    return "".join(line + "\n" for line in out)
