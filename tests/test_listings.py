"""actors, positions, grep, show, sources, topics and --format on the fixture KB: exact ids in order,
key table lines, exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, REPO, run, write_kb

SMALL = str(FIXTURES / "kb-small")


def tb(*args: str):
    return run(*args, "--data", SMALL)


def json_ids(*args: str) -> list[str]:
    result = tb(*args, "--format", "json")
    assert result.code in (0, 1), result.err
    return [row["id"] for row in json.loads(result.out)]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["actors"], ["northland", "southland", "nordin", "sudov", "mediator", "south-delegation", "daily-planet"]),
        (["actors", "--kind", "person"], ["nordin", "sudov", "mediator"]),
        (["actors", "--kind", "state", "--kind", "delegation"], ["northland", "southland", "south-delegation"]),
        (["actors", "--affiliation", "Southland"], ["sudov", "south-delegation"]),
        (["actors", "--search", "судов"], ["sudov"]),
        (["actors", "--search", "asa"], ["nordin"]),
        (["actors", "--search", "ERDOG"], ["mediator"]),
        # same first day, same span: as written in the files
        (["positions"], ["sudov-ceasefire-may", "nordin-ceasefire-may", "sudov-ceasefire-july", "planet-analysis",
                         "nordin-summit", "sudov-no-date"]),
        (["positions", "--actor", "Судов"], ["sudov-ceasefire-may", "sudov-ceasefire-july", "sudov-no-date"]),
        (["positions", "--topic", "ceasefire", "--stance", "rejects"], ["sudov-ceasefire-july"]),
        # a 2025-07 claim may be of 21 July or later
        (["positions", "--since", "2025-07-21"], ["sudov-ceasefire-july", "planet-analysis", "nordin-summit",
                                                  "sudov-no-date"]),
        (["positions", "--until", "2025-05"], ["sudov-ceasefire-may", "nordin-ceasefire-may"]),
        (["positions", "--source", "nordin-address"], ["nordin-summit"]),
        (["positions", "--as-of", "2025-06"], ["sudov-ceasefire-may", "nordin-ceasefire-may"]),
        # Sudov's July rejection may not be stated by 21 or 22 July: his May stance may still be the one he held
        (["positions", "--as-of", "2025-07-21", "--topic", "ceasefire"],
         ["sudov-ceasefire-may", "nordin-ceasefire-may", "sudov-ceasefire-july"]),
        (["positions", "--as-of", "2025-07-22", "--stance", "conditional"], ["sudov-ceasefire-may"]),
        (["positions", "--as-of", "2025-07-31", "--stance", "conditional"], []),
        (["sources"], ["planet-may", "planet-july", "nordin-address"]),
        (["topics"], ["ceasefire", "prisoners", "summit"]),
        (["grep", "ceasefire"], ["sudov-ceasefire-may", "nordin-ceasefire-may", "sudov-ceasefire-july"]),
        (["timeline", "--positions", "--actor", "nordin"],
         ["summit-2025", "nordin-ceasefire-may", "address", "nordin-summit"]),
    ],
)  # fmt: skip
def test_json_ids_in_order(args: list[str], expected: list[str]) -> None:
    assert json_ids(*args) == expected


def test_json_carries_the_record_format_field_names_and_dates_as_written() -> None:
    rows = json.loads(tb("positions", "--actor", "sudov", "--format", "json").out)
    assert list(rows[0]) == [
        "id", "actor", "topic", "stance", "claim", "quote", "date", "event", "contests", "sources", "after", "before"
    ]  # fmt: skip
    assert rows[0]["date"] == "2025-05"
    assert rows[1]["quote"] == "on the battlefield"
    actors = json.loads(tb("actors", "--format", "json").out)
    sudov = next(a for a in actors if a["id"] == "sudov")
    assert sudov["roles"] == [
        {"title": "Foreign Minister", "since": "2019-03", "until": "2024-12"},
        {"title": "Chief negotiator", "since": "2025-01", "until": None},
    ]
    assert (sudov["current_role"], sudov["events_count"], sudov["positions_count"]) == ("Chief negotiator", 1, 3)


def test_jsonl_is_one_record_per_line() -> None:
    lines = tb("topics", "--format", "jsonl").out.splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["ceasefire", "prisoners", "summit"]


def test_csv_has_a_header_and_joins_lists() -> None:
    out = tb("positions", "--topic", "summit", "--format", "csv").out
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["id"] for r in rows] == ["planet-analysis", "nordin-summit", "sudov-no-date"]
    assert rows[1]["sources"] == "nordin-address; planet-july"
    assert rows[0]["claim"] == "A breakthrough is unlikely.\\x0dOVERWRITTEN"


def test_markdown_is_a_pipe_table() -> None:
    lines = tb("topics", "--format", "markdown").out.splitlines()
    assert lines[0] == "| id | name | positions | events | description |"
    assert lines[1] == "| --- | --- | --- | --- | --- |"
    assert lines[2] == "| ceasefire | Ceasefire | 3 | 1 |  |"


def test_machine_formats_have_no_escape_codes_even_with_colour_forced() -> None:
    for fmt in ("json", "jsonl", "csv", "markdown"):
        out = run("positions", "--data", SMALL, "--format", fmt, env={"FORCE_COLOR": "1", "TERM": "xterm"}).out
        assert "\x1b" not in out, fmt


def test_empty_results_say_so_on_stderr_only() -> None:
    result = tb("positions", "--since", "2030")
    assert (result.code, result.out, result.err) == (0, "", "no positions match\n")
    result = tb("positions", "--since", "2030", "--format", "json")
    assert (result.code, result.out) == (0, "[]\n")


@pytest.mark.parametrize("command", ["positions", "matrix"])
def test_an_empty_result_in_a_machine_format_is_still_that_format(command: str) -> None:
    """CSV keeps its header row (a script reading the columns by name finds them), JSON is an empty list."""
    expected = {"json": "[]\n", "jsonl": ""}
    for fmt in ("csv", "json", "jsonl"):
        result = tb(command, "--since", "2030", "--format", fmt)
        assert (result.code, result.err) == (0, "no positions match\n")
        if fmt == "csv":
            assert result.out.count("\n") == 1 and result.out.startswith(
                "id,actor,topic," if command == "positions" else "actor,topic,stance,"
            )
        else:
            assert result.out == expected[fmt]


def test_actors_table() -> None:
    lines = tb("actors").out.splitlines()
    assert lines[0].split() == ["id", "name", "kind", "affiliation", "role", "events", "positions"]
    sudov = next(line for line in lines if line.startswith("sudov "))
    assert sudov.split() == ["sudov", "Ivan", "Sudov", "person", "Southland", "Chief", "negotiator", "1", "3"]


def test_positions_table_shows_stance_date_claim_sources() -> None:
    lines = tb("positions", "--actor", "nordin").out.splitlines()
    assert lines[0].split() == ["actor", "topic", "stance", "date", "claim", "sources"]
    assert "Åsa Nordin" in lines[2] and "supports" in lines[2] and "2025-07-21" in lines[2]
    assert lines[2].endswith("nordin-address, planet-july")
    assert "[bold]now[/bold]" in lines[2]


@pytest.mark.parametrize(
    ("args", "code", "out"),
    [
        (["grep", "CEASEFIRE", "--count"], 1, "0\n"),
        (["grep", "CEASEFIRE", "-i", "--count"], 0, "3\n"),
        (["grep", "Ceasefire", "--case-sensitive", "--count"], 1, "0\n"),
        (["grep", "ceasefire", "--case-sensitive", "--count"], 0, "3\n"),
        (["grep", "ceasefire", "--count"], 0, "3\n"),
        (["grep", "round", "-l"], 0, "round-1\nround-2\nsudov-no-date\nround-3\n"),
        (["grep", "cease", "-l"], 0, "sudov-ceasefire-may\nnordin-ceasefire-may\nsudov-ceasefire-july\n"),
        (["grep", "cease", "-w", "-l"], 1, ""),
        (["grep", "ceasefire proposal", "-w", "-l"], 0, "sudov-ceasefire-july\n"),
        (["grep", "30-day", "-F", "-l"], 0, "nordin-ceasefire-may\n"),
        (["grep", "[bold]", "-F", "-l"], 0, "round-1\nnordin-summit\n"),
        (["grep", "battlefield", "-l"], 0, "sudov-ceasefire-july\n"),
        (["grep", "ceasefire", "--actor", "nordin", "-l"], 0, "nordin-ceasefire-may\n"),
        (["grep", "ceasefire", "--since", "2025-07", "-l"], 0, "sudov-ceasefire-july\n"),
        (["grep", "round", "--source", "planet-july", "-l"], 0, "round-2\nsudov-no-date\nround-3\n"),
        (["grep", "round", "--topic", "prisoners", "-l"], 0, "round-1\nround-2\nround-3\n"),
        (["grep", "zebra"], 1, ""),
    ],
)
def test_grep(args: list[str], code: int, out: str) -> None:
    result = tb(*args)
    assert (result.code, result.out) == (code, out)


def test_grep_bad_regex_is_exit_2_with_a_clear_message() -> None:
    result = tb("grep", "cease(fire")
    assert result.code == 2
    assert "invalid regular expression `cease(fire`: missing ): cease(fire" in result.err


def test_grep_on_broken_data_is_exit_2() -> None:
    assert run("grep", "x", "--data", str(FIXTURES / "errors" / "dangling-ref")).code == 2


def test_grep_table_and_json_show_matches() -> None:
    lines = tb("grep", "battlefield").out.splitlines()
    assert lines[0].split() == ["date", "id", "who", "field", "text"]
    assert len(lines) == 3  # the claim and the quote of one position
    rows = json.loads(tb("grep", "battlefield", "--format", "json").out)
    assert [(r["id"], r["field"], r["matches"]) for r in rows] == [
        ("sudov-ceasefire-july", "claim", [[66, 77]]),
        ("sudov-ceasefire-july", "quote", [[7, 18]]),
    ]


def test_show_an_actor_lists_its_events_and_positions_and_where_it_is_defined() -> None:
    out = tb("show", "sudov").out
    assert out.splitlines()[0] == "actor sudov  tests/fixtures/kb-small/actors.yaml:17"
    assert "affiliation  Southland (southland)" in out
    assert "Foreign Minister (2019-03 – 2024-12); Chief negotiator (since 2025-01)" in out
    for record_id in ("summit-2025", "sudov-ceasefire-may", "sudov-ceasefire-july", "sudov-no-date"):
        assert record_id in out


def test_show_by_name_or_alias() -> None:
    assert tb("show", "Судов").out.splitlines()[0].startswith("actor sudov")
    assert tb("show", "Leaders' summit").out.splitlines()[0].startswith("topic summit")


def test_show_a_topic_says_who_stands_where() -> None:
    out = tb("show", "ceasefire").out
    section = out.split("Where each actor stands (latest position):", 1)[1].split("Referred to by:")[0]
    rows = [line.split()[:3] for line in section.strip().splitlines()[1:]]
    assert rows == [["Åsa", "Nordin", "proposes"], ["Ivan", "Sudov", "rejects"]]


def test_show_a_source_lists_every_claim_citing_it() -> None:
    data = json.loads(tb("show", "nordin-address", "--format", "json").out)
    assert [r["id"] for r in data["referred_to_by"]] == ["address", "nordin-summit"]
    assert data["defined_at"]["line"] == 14


def test_show_an_event_lists_what_contests_it() -> None:
    data = json.loads(tb("show", "round-3", "--format", "json").out)
    assert [r["id"] for r in data["referred_to_by"]] == ["sudov-no-date"]


def test_show_unknown_id_suggests() -> None:
    result = tb("show", "round-4")
    assert result.code == 2
    assert "no record `round-4` (did you mean `round-3`, `round-2`, `round-1`?)" in result.err


@pytest.mark.parametrize(
    "command", ["timeline", "actors", "positions", "grep", "show", "sources", "topics", "matrix", "history", "disputes"]
)
def test_help_has_examples_and_format(command: str) -> None:
    out = run(command, "--help").out
    assert "Examples:" in out and f"talkbase {command}" in out
    assert "--data" in out
    if command != "show":
        assert "--format" in out


def test_shell_completion_suggests_ids() -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    script = Path(sys.executable).parent / "talkbase"
    env = {**os.environ, "_TALKBASE_COMPLETE": "complete_bash", "COMP_CWORD": "5",
           "COMP_WORDS": f"talkbase timeline --data {SMALL} --actor s"}  # fmt: skip
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["south-delegation", "southland", "sudov"]


def test_no_color_is_honoured_even_when_colour_is_forced() -> None:
    coloured = run("positions", "--data", SMALL, env={"FORCE_COLOR": "1", "TERM": "xterm"}).out
    assert "\x1b[33mconditional" in coloured  # the stance colour, so the next assertion means something
    plain = run("positions", "--data", SMALL, env={"FORCE_COLOR": "1", "TERM": "xterm", "NO_COLOR": "1"}).out
    assert "\x1b[33m" not in plain and "\x1b[36m" not in plain


HOSTILE = "Rich [bold red]markup[/] \x1b[31mESC\x1b[0m \x9b31m CSI \r CR \u202e RLO \u200b ZWSP \x7f DEL"


@pytest.mark.parametrize("fmt", ["table", "json", "jsonl", "csv", "markdown"])
def test_hostile_text_is_shown_literally_in_every_format(tmp_path, fmt: str) -> None:
    from conftest import write_kb

    kb = write_kb(
        tmp_path,
        {
            "kb.yaml": f"""
        actors:
          - id: a
            name: A
            kind: person
        topics:
          - id: t
            name: T
        sources:
          - id: s
            title: S
            publisher: P
        positions:
          - id: p
            actor: a
            topic: t
            stance: supports
            claim: {json.dumps(HOSTILE)}
            date: 2025
            sources: [s]
        """
        },
    )
    for command in (["positions"], ["grep", "ESC"], ["show", "p"], ["timeline", "--positions"]):
        if command[0] == "show" and fmt not in ("table", "json", "jsonl"):
            continue
        result = run(*command, "--data", str(kb), "--format", fmt, env={"FORCE_COLOR": "1", "TERM": "xterm"})
        assert result.code == 0, (command, result.err)
        data_text = result.out.replace("\x1b[", "")  # colour codes talkbase itself adds in a terminal
        for char in ("\x1b", "\x9b", "\r", "\u202e", "\u200b", "\x7f"):
            assert char not in data_text, (command, fmt, repr(char))
        shown = r"\[bold red\]markup\[/\]" if fmt == "markdown" else "[bold red]markup[/]"  # Markdown escapes
        assert shown in result.out, (command, fmt)
        if fmt in ("json", "jsonl"):
            first = json.loads(result.out.splitlines()[0] if fmt == "jsonl" else result.out)
            record = first if isinstance(first, dict) else first[0]
            assert HOSTILE in (record.get("claim"), record.get("text")), (command, fmt)


def _terminal_table(width: int) -> str:
    """The actors table as a terminal of `width` columns shows it (without colours)."""
    import io

    from rich.console import Console

    from talkbase.ask.query import actor_counts, list_actors
    from talkbase.load.kb import DataLocation, open_kb
    from talkbase.show.formats import write_table
    from talkbase.show.views import actors_listing

    kb = open_kb(DataLocation(REPO / "data", "--data"), use_cache=False).kb
    assert kb is not None
    console = Console(file=io.StringIO(), width=width, force_terminal=True, color_system=None)
    write_table(actors_listing(kb, list_actors(kb), actor_counts(kb)), console)
    return console.file.getvalue()


def test_a_terminal_with_room_wraps_between_words_not_inside_them() -> None:
    wide = _terminal_table(100)
    assert "Volodymyr" in wide and "Secretary of" in wide and "affiliation" in wide
    assert all(len(line) <= 100 for line in wide.splitlines())
    # too narrow for whole words: every column is still there, the ids cut first
    narrow = _terminal_table(60)
    assert "zelens" in narrow and "events" in narrow and "Volody" in narrow
    assert all(len(line) <= 60 for line in narrow.splitlines())


def test_markdown_output_never_carries_html_links_or_emphasis_from_the_data(tmp_path: Path) -> None:
    kb = write_kb(
        tmp_path / "kb",
        {
            "kb.yaml": """
            actors:
              - {id: a, name: "<img src=x onerror=alert(1)> A", kind: person}
            sources:
              - {id: s, title: S, publisher: P, date: "2025"}
            topics:
              - {id: t, name: "[x](javascript:alert(1))"}
            positions:
              - {id: p, actor: a, topic: t, stance: supports, date: "2025", sources: [s],
                 claim: "**bold** <svg onload=alert(2)> &lt;b&gt; ~~gone~~ `code`"}
            """
        },
    )
    out = run("positions", "--data", str(kb), "--format", "markdown").out
    row = out.splitlines()[2]
    assert row == (
        r"| \<img src=x onerror=alert(1)\> A | \[x\](javascript:alert(1)) | supports | 2025 | "
        r"\*\*bold\*\* \<svg onload=alert(2)\> \&lt;b\&gt; \~\~gone\~\~ \`code\` | s |"
    )


@pytest.mark.parametrize(
    "args", [["show", ""], ["show", "   "], ["timeline", "--actor", ""], ["positions", "--topic", " "]]
)
def test_an_empty_name_is_not_ambiguous_among_all_records(args: list[str]) -> None:
    result = run(*args, "--data", str(FIXTURES / "kb-small"))
    assert result.code == 2 and "ambiguous" not in result.err
    assert "no record" in result.err or "named by an empty text" in result.err


cells_strategy = st.text(alphabet="ab é字\n", max_size=5)


@given(
    st.lists(st.lists(cells_strategy, min_size=3, max_size=3), max_size=6),
    st.lists(st.booleans(), min_size=3, max_size=3),
)
@settings(max_examples=300, deadline=None)
def test_piped_tables_pad_every_line_of_every_cell_to_its_column_in_terminal_cells(
    rows: list[list[str]], right: list[bool]
) -> None:
    from rich.cells import cell_len

    from talkbase.show.render import column_widths, plain_rows

    widths = column_widths(rows)
    assert (
        widths
        == [max([cell_len(line) for row in rows for line in row[i].split("\n")], default=0) for i in range(3)][
            : len(widths)
        ]
    )
    expected = []
    for row in rows:  # each cell a column of lines; a short cell padded with empty lines
        lines = [cell.split("\n") for cell in row]
        for n in range(max(map(len, lines))):
            parts = [cell[n] if n < len(cell) else "" for cell in lines]
            pads = [" " * (width - cell_len(part)) for part, width in zip(parts, widths)]
            padded = [pad + part if flush else part + pad for part, pad, flush in zip(parts, pads, right)]
            expected.append("  ".join(padded).rstrip() + "\n")
    assert plain_rows(rows, widths, right) == "".join(expected)
    if not any(right):
        assert plain_rows(rows, widths) == "".join(expected)


@given(st.text(alphabet="a ~é→字\u0301\u200d\ufe0f\x1b\x7f👍#", max_size=12))
@settings(max_examples=500, deadline=None)
def test_a_lines_width_is_what_rich_measures_whatever_characters_it_holds(line: str) -> None:
    """text_width gives Rich only a line's characters other than printable ASCII, except with a joiner in it."""
    from rich.cells import cell_len

    from talkbase.show.render import text_width

    assert text_width(line) == cell_len(line)


piece_strategy = st.text(alphabet="ab [/]\n\x1b\x07\u202e字", max_size=6)


@given(st.lists(st.one_of(piece_strategy, st.tuples(piece_strategy, st.sampled_from(["", "bold", "dim red"])))))
@settings(max_examples=300, deadline=None)
def test_styled_is_text_assemble_of_the_pieces_shown_literally(parts: list[str | tuple[str, str]]) -> None:
    from rich.text import Text

    from talkbase.records.text import escape_controls
    from talkbase.show.render import literal, styled

    reference = Text.assemble(*[literal(p) if isinstance(p, str) else literal(p[0], p[1]) for p in parts])
    made = styled(*parts)
    assert made.plain == reference.plain == "".join(escape_controls(p if isinstance(p, str) else p[0]) for p in parts)
    assert [(s.start, s.end, str(s.style)) for s in made.spans] == [
        (s.start, s.end, str(s.style)) for s in reference.spans if s.end > s.start
    ]


def test_a_line_break_in_a_name_cannot_forge_a_row_of_history_or_the_matrix_legend(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    text = (FIXTURES / "kb-views" / "kb.yaml").read_text(encoding="utf-8")
    forged = '    name: "Summit\\n2025-07-30  rejects  forged row"\n'
    (kb / "kb.yaml").write_text(text.replace("    name: Summit\n", forged, 1), encoding="utf-8")
    for args in (["history", "--topic", "summit"], ["matrix"]):
        result = run(*args, "--data", str(kb))
        assert result.code == 0 and "Summit\\n2025-07-30  rejects  forged row" in result.out
        assert not any(line.startswith("2025-07-30") for line in result.out.splitlines())


def test_a_line_break_in_an_actor_name_or_a_title_is_shown_on_one_line_in_every_listing(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    kb.mkdir()
    text = (FIXTURES / "kb-views" / "kb.yaml").read_text(encoding="utf-8")
    text = text.replace("    name: Alphaland\n", '    name: "Alphaland\\nforged"\n', 1)
    text = text.replace("    title: Talks begin\n", '    title: "Talks begin\\nforged"\n', 1)
    (kb / "kb.yaml").write_text(text, encoding="utf-8")
    for args in (["matrix"], ["positions"], ["actors"], ["timeline"], ["positions", "--actor", "land"]):
        result = run(*args, "--data", str(kb))
        shown = result.out + result.err
        assert "Alphaland\\nforged" in shown or "Talks begin\\nforged" in shown, args
        assert not any(line.lstrip().startswith("forged") for line in shown.splitlines()), args
    ambiguous = run("positions", "--actor", "land", "--data", str(kb))
    assert ambiguous.code == 2 and "alpha (Alphaland\\nforged), beta (Betaland)" in ambiguous.err
