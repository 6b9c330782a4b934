"""Hostile text in records is shown literally and safely by every command, in every format, piped or on a
terminal: Rich markup stays as typed, escape sequences (ANSI colours, screen clearing, OSC titles, hyperlinks
and clipboard writes), bidirectional overrides, zero-width characters and carriage returns never reach the
output raw, and very long lines and thousands of aliases cost little.
"""

from __future__ import annotations

import json
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

from conftest import REPO, run

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
# Invisible, direction-changing or line-breaking characters that are not controls: the Arabic letter mark, soft
# hyphen, Mongolian vowel separator, Hangul fillers, interlinear annotation marks, the combining grapheme joiner,
# variation selectors (BMP and supplementary), tag characters and the line and paragraph separators.
INVISIBLE += [
    "\u061cmark",
    "soft\u00adhyphen",
    "mongolian\u180esep",
    "\u115ffill\u3164",
    "\ufff9note\ufffaruby\ufffb",
    "cgj\u034f",
    "vs\ufe0f\U000e0100",
    "\U000e0001tag\U000e0041\U000e007f",
    "line\u2028para\u2029",
]
HOSTILE = MARKUP + " " + " ".join(ESCAPES + INVISIBLE)
# Characters that must never reach the output raw: C0 controls but tab and newline (CR only in CRLF), DEL, C1
# controls, bidirectional overrides and isolates, zero-width characters, the byte-order mark and the invisible
# characters above.
UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069"
    "\u3164\ufe00-\ufe0f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef]|\r(?!\n)"
)
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
    if args[-1] == "markdown":
        out = re.sub(r"\\(.)", r"\1", out)  # what a Markdown viewer shows: the text, its escapes undone
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


def test_a_file_name_that_is_not_utf8_is_shown_as_its_bytes(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    with open(os.path.join(os.fsencode(data), b"bad\xff.yaml"), "w", encoding="utf-8") as handle:
        handle.write("topics:\n  - id: [\n")
    text = run("check", cwd=tmp_path)
    assert "data/bad\\xff.yaml:" in text.out and "\udcff" not in text.out
    assert text.out.encode("utf-8")  # nothing that cannot be written as UTF-8
    listed = json.loads(run("check", "--format", "json", cwd=tmp_path).out)
    assert listed[0]["path"] == "data/bad\\xff.yaml"


def test_saved_pictures_are_literal(kb: Path, tmp_path: Path) -> None:
    for name in ("timeline.svg", "matrix.html"):
        args = [name.split(".")[0], "--save", str(tmp_path / name), "--data", str(kb)]
        assert CliRunner().invoke(app, args).exit_code == 0
        text = (tmp_path / name).read_text(encoding="utf-8")
        assert_safe(text.replace("\r\n", "\n"), name)
        assert "[bold red]Evil[/bold red]" in text.replace("&#160;", " ").replace("\xa0", " ")


# ---------------------------------------------------------------------------------------- on a terminal

SGR = re.compile(r"\x1b\[[0-9;]*m")  # the colours and styles Rich itself writes


def on_terminal(*args: str, code: int = 0) -> str:
    """What `talkbase ARGS` writes to a real (pseudo-)terminal, 250 columns wide; it must exit with `code`."""
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
    assert process.wait(timeout=10) == code
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


# ------------------------------------------------------------------- every command, every byte it writes

# What a payload must never be seen as in any output: distinct data-derived sequences (Rich writes only SGR
# colour sequences, `ESC [ ... m`, so these cannot be Rich's own).
MARKERS = ["\x1b]0;", "\x1b]8;;", "\x1b]52;", "\x1b[2J", "\x1b[31mred", "\x9b31m", "\x1b[H"]
ZED = "Zed \x1b]0;pwned title\x07 \x1b[2J"  # a name several records share, with escapes in it


def zed(tag: str) -> str:
    return f"{ZED} {tag} {HOSTILE}"


def everywhere_kb() -> dict[str, Any]:
    """Hostile text in every name, alias, value and URL; names shared so that `zed` is ambiguous."""
    return {
        "actors": [
            {"id": "zed-one", "name": zed("One"), "kind": "person", "aliases": [zed("alias")],
             "affiliation": "zed-land", "roles": [{"title": hostile("Role"), "since": "2025"}],
             "description": hostile("About")},
            {"id": "zed-two", "name": zed("Two"), "kind": "person", "affiliation": "zed-land"},
            {"id": "zed-land", "name": zed("Land"), "kind": "state"},
        ],
        "sources": [
            {"id": "src", "title": hostile("Source"), "publisher": hostile("Publisher"), "date": "2025-07",
             "url": "https://evil.example/\x1b]8;;x\x07/\u202e"},
        ],
        "topics": [
            {"id": "zed-topic", "name": zed("Topic"), "description": hostile("About")},
            {"id": "zed-other", "name": zed("Other")},
        ],
        "events": [
            {"id": "meeting", "title": hostile("Event"), "date": "2025-07-21", "status": "held", "kind": "talks",
             "location": hostile("Location"), "participants": ["zed-one", "zed-two"],
             "topics": ["zed-topic", "zed-other"], "summary": hostile("Summary"), "sources": ["src"],
             "history": [{"date": "2025-07-20", "status": "held", "sources": ["src"], "note": hostile("N")}]},
        ],
        "positions": [
            {"id": "for", "actor": "zed-one", "topic": "zed-topic", "stance": "supports", "claim": hostile("Claim"),
             "quote": hostile("Quote"), "date": "2025-07-21", "event": "meeting", "sources": ["src"]},
            {"id": "against", "actor": "zed-two", "topic": "zed-topic", "stance": "opposes", "claim": hostile("No"),
             "date": "2025-07-22", "contests": ["for"], "sources": ["src"]},
            {"id": "turn", "actor": "zed-one", "topic": "zed-topic", "stance": "rejects", "claim": hostile("Turn"),
             "date": "2025-07-23", "sources": ["src"]},
        ],
    }  # fmt: skip


DIR_NAME = "kb \x1b]0;folder\x07 \u202e\u2028"
FILE_NAME = "sub \x1b[2J/records \x1b]8;;evil\x07 \U000e0041\u061c.yaml"  # a folder, and a file in it


@pytest.fixture(scope="module")
def everywhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The knowledge base of everywhere_kb(), in a folder and a file whose names carry escapes too."""
    folder = tmp_path_factory.mktemp("everywhere") / DIR_NAME
    path = folder / FILE_NAME
    path.parent.mkdir(parents=True)
    text = yaml.safe_dump(everywhere_kb(), allow_unicode=True, sort_keys=False, width=10**6)
    path.write_text(text, encoding="utf-8")
    return folder


ALL_COMMANDS: list[tuple[list[str], int]] = [
    *(([*args, "--format", fmt], 0) for args in LISTINGS for fmt in FORMATS if args[0] != "grep"),
    *((["grep", "claim", "--format", fmt], 0) for fmt in FORMATS),
    (["timeline"], 0),
    (["grep", "-c", "claim"], 0),
    (["grep", "-l", "claim"], 0),
    (["check"], 0),
    (["check", "--strict"], 0),
    *((["show", record], 0) for record in ("zed-one", "zed-land", "src", "zed-topic", "meeting", "for")),
    (["show", "for", "--format", "json"], 0),
    (["show", "meeting", "--format", "jsonl"], 0),
    *((["export", fmt], 0) for fmt in ("json", "ics", "timelinejs")),
    (["schema"], 0),
    (["add", "topic", "--name", zed("new"), "--source", "src", "--dry-run", "--no-input"], 0),
    (["add", "position", "--actor", "zed", "--topic", "zed", "--stance", "supports", "--claim", "x", "--date",
      "2025", "--source", "src", "--dry-run", "--no-input"], 2),
    (["mv", "zed-one", "zed-first", "--dry-run"], 0),
    (["rm", "src", "--cascade", "--dry-run"], 0),
    (["rm", "src"], 1),
    (["mv", "nobody \x1b]0;typed\x07", "x"], 2),
    # the error paths: names that are ambiguous (their candidates' names carry escapes) or unknown (as typed)
    (["timeline", "--actor", "zed"], 2),
    (["timeline", "--topic", "zed"], 2),
    (["positions", "--actor", "zed \x1b[2J"], 2),
    (["show", "zed"], 2),
    (["actors", "--affiliation", "zed"], 2),
    (["show", "nobody \x1b]0;typed\x07"], 2),
    (["timeline", "--actor", "nobody \x1b]8;;x\x07"], 2),
    (["sources", "--format", "table \x1b[2J"], 2),
    (["grep", "(\x1b[2J"], 2),
    (["grep", "-F", "no such text \x1b[2J"], 1),
    (["export", "json", "--source", "nowhere \x1b]52;c;x\x07"], 2),
]  # fmt: skip


def case_id(case: tuple[list[str], int]) -> str:
    return " ".join(case[0]).encode("unicode_escape").decode("ascii")[:80]


def assert_no_markers(text: str, where: str) -> None:
    for marker in MARKERS:
        assert marker not in text, f"{where}: the data's {marker!r} reached the output raw"


@pytest.mark.parametrize("case", ALL_COMMANDS, ids=case_id)
def test_every_command_piped_writes_no_control_character(everywhere: Path, case: tuple[list[str], int]) -> None:
    args, code = case
    result = CliRunner().invoke(app, [*args, "--data", str(everywhere)], env={"NO_COLOR": "1"})
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == code, result.output
    for name, text in (("stdout", result.stdout), ("stderr", result.stderr)):
        assert "\x1b" not in text, f"{name}: an ESC in piped output: {text[:300]!r}"
        assert_safe(text, name)
    assert result.stdout or result.stderr  # every case says something


@pytest.mark.parametrize("case", ALL_COMMANDS, ids=case_id)
def test_every_command_on_a_terminal_writes_no_data_derived_sequence(
    everywhere: Path, case: tuple[list[str], int]
) -> None:
    args, code = case
    if "--format" in args and args[args.index("--format") + 1] not in ("table", "json"):
        pytest.skip("the other formats are the same text as piped")
    shown = on_terminal(*args, "--data", str(everywhere), code=code)
    assert shown.strip()
    assert_no_markers(shown, "terminal")  # not even an escape sequence that looks like Rich's colours
    assert_safe(SGR.sub("", shown), "terminal")  # and, Rich's colours aside, no control character at all


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["timeline", "--actor", "zed"], "actor `zed` is ambiguous: it could be zed-land (Zed \\x1b]0;pwned title"),
        (["show", "zed"], "actor `zed` is ambiguous"),
        (["actors", "--affiliation", "zed"], "actor `zed` is ambiguous"),
        (["show", "nobody \x1b]0;x\x07"], "no record `nobody \\x1b]0;x\\x07`"),
    ],
)
def test_ambiguous_and_unknown_names_are_shown_escaped(everywhere: Path, args: list[str], expected: str) -> None:
    result = run(*args, "--data", str(everywhere))
    assert result.code == 2
    assert expected in result.err
    assert "\x1b" not in result.err


def test_show_prints_the_defining_file_escaped(everywhere: Path) -> None:
    result = run("show", "for", "--data", str(everywhere))
    assert result.code == 0
    assert "records \\x1b]8;;evil\\x07 \\U000e0041\\u061c.yaml:" in result.out


def test_json_output_escapes_every_invisible_character_and_parses_back_to_the_same_text(everywhere: Path) -> None:
    shown = CliRunner().invoke(app, ["show", "for", "--format", "json", "--data", str(everywhere)]).stdout
    assert "\\udb40\\udc01tag\\udb40\\udc41\\udb40\\udc7f" in shown  # tags as surrogate pairs, which JSON has
    assert "\\u061cmark soft\\u00adhyphen mongolian\\u180esep" in shown
    assert_safe(shown, "json")
    assert json.loads(shown)["claim"] == hostile("Claim")  # the same text, every character of it
    exported = json.loads(CliRunner().invoke(app, ["export", "json", "--data", str(everywhere)]).stdout)
    assert {a["name"] for a in exported["actors"]} == {a["name"] for a in everywhere_kb()["actors"]}


def test_a_line_break_in_a_file_name_stays_on_one_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "two\nlines.yaml").write_text("topics:\n  - id: t\n    name: T\n", encoding="utf-8")
    result = run("show", "t", cwd=tmp_path)
    assert result.code == 0
    assert "data/two\\nlines.yaml:2" in result.out.splitlines()[0]
    added = run("add", "topic", "--name", "U", "--file", "data/two\nlines.yaml", cwd=tmp_path)
    assert added.code == 0, added.err
    assert added.out == "added topic `u` to data/two\\nlines.yaml:4\n"
