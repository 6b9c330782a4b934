"""Hostile text in records is shown literally and safely by every command, in every format, piped or on a
terminal: Rich markup stays as typed, escape sequences (ANSI colours, screen clearing, OSC titles, hyperlinks
and clipboard writes), bidirectional overrides, zero-width characters and carriage returns never reach the
output raw, and very long lines and thousands of aliases cost little.
"""

from __future__ import annotations

import os
import re
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from talkbase.cli import app

from conftest import REPO

MARKUP = "[bold red]Evil[/bold red] [link=https://evil.example]click[/link] :skull:"
ESCAPES = [
    "\x1b[31mred\x1b[0m",  # ANSI colour
    "\x1b[2J\x1b[H",  # clear the screen
    "\x1b]0;pwned title\x07",  # OSC: set the window title
    "\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\",  # OSC 8: a hidden hyperlink
    "\x1b]52;c;ZXZpbA==\x07",  # OSC 52: write the clipboard
    "\x9b31m",  # a C1 control sequence introducer
    "safe\rEVIL",  # a carriage return that overwrites the line
    "\x08\x08",  # backspaces
]
INVISIBLE = ["\u202eevil\u202c", "\u2066isolate\u2069", "zero\u200bwidth\u200d", "\ufeffbom", "\u2060join"]
HOSTILE = MARKUP + " " + " ".join(ESCAPES + INVISIBLE)
# Characters that must never reach the output raw: C0 controls but tab and newline (CR only in CRLF), DEL, C1
# controls, bidirectional overrides and isolates, zero-width characters and the byte-order mark.
UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]|\r(?!\n)")
LONG = "long " * 4_000  # a 20,000-character line
ALIASES = 10_000


def hostile(tag: str) -> str:
    return f"{tag} {HOSTILE}"


def hostile_kb() -> dict[str, Any]:
    """A valid knowledge base with hostile text in every text field, a very long claim and many aliases."""
    return {
        "actors": [
            {
                "id": "evil",
                "name": hostile("Actor"),
                "kind": "person",
                "aliases": [hostile("Alias"), *(f"alias {i} \x1b[{i % 108}m" for i in range(ALIASES))],
                "affiliation": "land",
                "roles": [{"title": hostile("Role"), "since": "2025"}],
                "description": hostile("Description"),
            },
            {"id": "land", "name": hostile("Land"), "kind": "state"},
        ],
        "sources": [
            {"id": "src", "title": hostile("Source"), "publisher": hostile("Publisher"), "date": "2025-07"},
            {"id": "src2", "title": "Plain", "url": "https://example.org/", "date": "2025-07-20"},
        ],
        "topics": [{"id": "topic", "name": hostile("Topic"), "description": hostile("About")}],
        "events": [
            {
                "id": "meeting",
                "title": hostile("Event"),
                "date": "2025-07-21",
                "status": "scheduled",
                "kind": "talks",
                "location": hostile("Location"),
                "participants": ["evil", "land"],
                "topics": ["topic"],
                "summary": hostile("Summary"),
                "sources": ["src"],
                "history": [{"date": "2025-07-20", "status": "scheduled", "sources": ["src2"], "note": hostile("N")}],
            }
        ],
        "positions": [
            {
                "id": "claim-for",
                "actor": "evil",
                "topic": "topic",
                "stance": "supports",
                "claim": hostile("Claim") + " " + LONG,
                "quote": hostile("Quote"),
                "date": "2025-07-21",
                "event": "meeting",
                "sources": ["src", "src2"],
            },
            {
                "id": "claim-against",
                "actor": "land",
                "topic": "topic",
                "stance": "disputes",
                "claim": hostile("Counter"),
                "date": "2025-07-22",
                "contests": ["meeting", "claim-for"],
                "sources": ["src"],
            },
        ],
    }


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    text = yaml.safe_dump(hostile_kb(), allow_unicode=True, sort_keys=False, width=10**6)
    (folder / "kb.yaml").write_text(text, encoding="utf-8")
    return folder


FORMATS = ["table", "json", "jsonl", "csv", "markdown"]
LISTINGS = [
    ["timeline", "--positions"],
    ["actors"],
    ["positions"],
    ["grep", "Evil"],
    ["sources"],
    ["sources", "--sole"],
    ["topics"],
    ["matrix"],
    ["history"],
    ["disputes"],
]
OTHERS = [
    ["check"],
    ["show", "evil"],
    ["show", "meeting", "--format", "json"],
    ["show", "topic", "--format", "jsonl"],
    ["show", "claim-for"],
    ["show", "src"],
    ["export", "json"],
    ["export", "ics"],
    ["export", "timelinejs"],
    ["timeline", "--actor", "alias 9999 \x1b[63m"],  # an alias, typed with its escape
]
CASES = [[*args, "--format", fmt] for args in LISTINGS for fmt in FORMATS] + OTHERS


def assert_safe(text: str, where: str) -> None:
    found = UNSAFE.search(text)
    if found is not None:
        context = text[max(0, found.start() - 60) :][:120]
        raise AssertionError(f"{where}: raw {found.group()!r} at {found.start()}: {context!r}")


@pytest.mark.parametrize("args", CASES, ids=lambda args: " ".join(args).replace("\x1b", "ESC"))
def test_piped_output_is_literal_and_safe(kb: Path, args: list[str]) -> None:
    started = time.monotonic()
    result = CliRunner().invoke(app, [*args, "--data", str(kb)], env={"NO_COLOR": "1"})
    assert time.monotonic() - started < 10  # thousands of aliases and a 20,000-character line cost little
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 0, result.output
    assert_safe(result.stdout, "stdout")
    assert_safe(result.stderr, "stderr")
    ids_only = args[0] == "matrix" and args[-1] in ("json", "jsonl", "csv")  # one row per cell, by id
    out = re.sub(r"\r?\n ", "", result.stdout) if args[-1] == "ics" else result.stdout  # unfold iCalendar lines
    if args[0] != "check" and not ids_only:
        assert "[bold red]Evil[/bold red]" in out  # markup is text, shown as typed
        assert "[link=https://evil.example]click[/link]" in out
        assert ":skull:" in out and "\U0001f480" not in out  # no emoji codes either
        assert "\\x1b[31mred" in out or "\\u001b[31mred" in out  # escapes are visible


def test_the_very_long_line_and_the_aliases_are_kept_whole(kb: Path) -> None:
    result = CliRunner().invoke(app, ["show", "evil", "--format", "json", "--data", str(kb)])
    assert result.stdout.count("alias ") >= ALIASES
    claim = CliRunner().invoke(app, ["grep", "-l", "long long", "--data", str(kb)])
    assert claim.stdout.split() == ["claim-for"]
    table = CliRunner().invoke(app, ["positions", "--data", str(kb)])
    assert LONG.strip() in table.stdout  # piped, a cell is never cut


def problems_kb(folder: Path) -> Path:
    """A knowledge base whose mistakes quote hostile text: keys, values, ids and even the file's name."""
    text = yaml.safe_dump(
        {
            "topics": [{"id": "t", "name": hostile("Topic"), hostile("key"): 1, "sources": ["\x1b[2Jsrc"]}],
            "events": [{"id": "e\x1b]0;x\x07", "title": MARKUP, "date": "\x1b[31m2025", "sources": []}],
            "sources": [{"id": "s", "title": "S", "url": "https://x/\x1b]8;;evil\x07", "kind": hostile("kind")}],
        },
        allow_unicode=True,
        width=10**6,
    )
    (folder / "evil \x1b[31m\u202e[bold]name.yaml").write_text(text, encoding="utf-8")
    (folder / "raw.yaml").write_bytes(b"topics:\n  - id: r\n    name: raw \x1b[2J escape\n")
    return folder


@pytest.mark.parametrize("args", [["check"], ["check", "--strict"], ["timeline"], ["grep", "x"], ["show", "t"]])
def test_problems_quoting_hostile_text_are_safe(tmp_path: Path, args: list[str]) -> None:
    result = CliRunner().invoke(app, [*args, "--data", str(problems_kb(tmp_path))])
    assert result.exit_code in (1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert_safe(result.stdout, "stdout")
    assert_safe(result.stderr, "stderr")
    shown = result.stdout + result.stderr
    assert "evil \\x1b[31m\\u202e[bold]name.yaml:" in shown  # the file's name too, as an escape
    assert "raw.yaml:3:" in shown  # a raw control character in a file is a located problem


def test_a_hostile_data_directory_name_is_shown_safely(tmp_path: Path) -> None:
    folder = tmp_path / "kb\x1b]0;title\x07"
    folder.mkdir()
    result = CliRunner().invoke(app, ["check", "--data", str(folder)])
    assert_safe(result.stdout, "stdout")
    assert_safe(result.stderr, "stderr")
    assert "kb\\x1b]0;title\\x07" in result.stdout


def test_saved_pictures_are_literal(kb: Path, tmp_path: Path) -> None:
    for name in ("timeline.svg", "matrix.html"):
        args = [name.split(".")[0], "--save", str(tmp_path / name), "--data", str(kb)]
        assert CliRunner().invoke(app, args).exit_code == 0
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert_safe(text.replace("\r\n", "\n"), name)
        assert "[bold red]Evil[/bold red]" in text.replace("&#160;", " ").replace("\xa0", " ")


# ---------------------------------------------------------------------------------------- on a terminal

SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours and styles Rich itself writes


def on_terminal(*args: str) -> str:
    """What `talkbase ARGS` writes to a real (pseudo-)terminal, 250 columns wide."""
    pty = pytest.importorskip("pty")  # POSIX only
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TALKBASE_", "NO_COLOR", "FORCE_COLOR"))}
    env.update({"TERM": "xterm-256color", "COLUMNS": "250", "LINES": "50", "PYTHONIOENCODING": "utf-8"})
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "talkbase", *args], cwd=REPO, env=env, stdin=follower, stdout=follower, stderr=follower
    )
    os.close(follower)
    chunks = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed: the command ended
                break
            if not chunk:
                break
            chunks.append(chunk)
        elif process.poll() is not None:
            break
    os.close(leader)
    assert process.wait(timeout=10) == 0
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize(
    "args",
    [*LISTINGS, ["show", "evil"], ["show", "meeting"], ["check"]],
    ids=lambda args: " ".join(args),
)
def test_terminal_output_is_literal_and_safe(kb: Path, args: list[str]) -> None:
    shown = on_terminal(*args, "--data", str(kb))
    assert "\x1b[" in shown or args[0] == "check"  # a terminal does get Rich's colours...
    plain = SGR.sub("", shown)
    assert_safe(plain, "terminal")  # ...but nothing else: no escape from the data, raw or hidden
    if args[0] != "check":
        assert "[bold red]Evil[/bold red]" in plain
        assert "\\x1b]0;pwned title\\x07" in plain or args[0] == "matrix"  # matrix shortens cells to fit
