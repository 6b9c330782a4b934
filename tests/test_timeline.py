"""`talkbase timeline` on the fixture KB: order, month groups, statuses, filters, literal text, pipes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, run, write_kb

SMALL = str(FIXTURES / "kb-small")


def titles(out: str) -> list[str]:
    """The date column of each data row (rows that start with a date; headings have no column gap)."""
    return [line.split("  ")[0] for line in out.splitlines() if line[:4].isdigit() and "  " in line]


def timeline(*args: str):
    return run("timeline", "--data", SMALL, *args)


def test_events_in_date_order_grouped_by_month_with_partial_dates_first() -> None:
    result = timeline()
    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].split() == ["date", "status", "kind", "title", "location", "participants"]
    groups = [line for line in lines if "  " not in line]
    assert groups == ["2025, date unknown", "Apr 2025", "May 2025", "Jun 2025, day unknown", "Jul 2025"]
    dates = titles(result.out)
    assert dates == ["2025", "2025-04-30…2025-05-02", "2025-05-16", "2025-06", "2025-07-21", "2025-07-23"]


def test_status_is_shown_for_every_event() -> None:
    out = timeline().out
    assert any("scheduled" in line and "Third round" in line for line in out.splitlines())
    assert any("postponed" in line and "Leaders' summit" in line for line in out.splitlines())
    assert any("cancelled" in line and "Preliminary" in line for line in out.splitlines())


def test_control_characters_and_markup_are_shown_literally() -> None:
    out = timeline("--positions").out
    assert "\x1b" not in out and "\r" not in out
    assert "Preliminary contacts \\x1b[31mred\\x1b[0m" in out
    assert "A breakthrough is unlikely.\\x0dOVERWRITTEN" in out
    assert "can end the war [bold]now[/bold]." in out


def test_positions_are_interleaved_in_date_order() -> None:
    out = timeline("--positions", "--since", "2025-07").out
    rows = [line for line in out.splitlines() if line[:4].isdigit() and "  " in line]
    assert [r.split()[0] for r in rows] == [
        "2025",  # the postponed summit of 2025 may fall in July
        "2025-07",
        "2025-07",
        "2025-07-21",
        "2025-07-21",
        "2025-07-22",
        "2025-07-23",
    ]
    assert "supports" in rows[4] and "Åsa Nordin" in rows[4]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--since", "2025-06"], ["2025", "2025-06", "2025-07-21", "2025-07-23"]),  # 2025 may be after June
        (["--until", "2025-05"], ["2025", "2025-04-30…2025-05-02", "2025-05-16"]),
        (["--since", "2025-05-01", "--until", "2025-05-31"], ["2025", "2025-04-30…2025-05-02", "2025-05-16"]),
        (["--status", "scheduled", "--status", "postponed"], ["2025", "2025-07-23"]),
        (["--kind", "address"], ["2025-07-21"]),
        (["--actor", "asa nordin"], ["2025", "2025-07-21"]),
        (["--actor", "Нордин"], ["2025", "2025-07-21"]),
        (["--actor", "erdoglu"], ["2025-05-16"]),
        (["--actor", "Kemal Erdoğlu"], ["2025-05-16"]),
        (["--topic", "prisoner exchange"], ["2025-05-16", "2025-06", "2025-07-23"]),
        (["--source", "nordin-address"], ["2025-07-21"]),
        (["--source", "talks open"], ["2025-04-30…2025-05-02", "2025-05-16"]),
        (
            ["--source", "dailyplanet.example"],
            ["2025", "2025-04-30…2025-05-02", "2025-05-16", "2025-06", "2025-07-21", "2025-07-23"],
        ),
        (["--reverse", "--limit", "2"], ["2025-07-23", "2025-07-21"]),
    ],
)
def test_filters(args: list[str], expected: list[str]) -> None:
    result = timeline(*args)
    assert result.code == 0, result.err
    assert titles(result.out) == expected


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "2025-7"], "malformed date `2025-7`"),
        (["--until", "2025-02-30"], "impossible date `2025-02-30`"),
        (["--actor", "nobody"], "invalid value for '--actor': actor `nobody` not found"),
        (["--actor", "nordn"], "did you mean `nordin`?"),
        (["--topic", "ceasfire"], "did you mean `ceasefire`?"),
        (["--source", "nowhere"], "no source matches `nowhere`"),
        (["--status", "planned"], "unknown status `planned` (use one of held, scheduled, postponed, cancelled)"),
        (["--kind", "st"], "unknown kind `st` (use one of address, summit, talks)"),
        (["--limit", "0"], "0 rows: give a number of rows of 1 or more"),
    ],
)
def test_bad_filter_values_are_usage_errors(args: list[str], message: str) -> None:
    result = timeline(*args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_an_ambiguous_name_lists_the_candidates() -> None:
    result = timeline("--actor", "land")
    assert result.code == 2
    could_be = "northland (Northland), south-delegation (Southland delegation), southland (Southland)"
    assert f"actor `land` is ambiguous: it could be {could_be}" in result.err


def test_no_match_says_so_on_stderr_and_exits_zero() -> None:
    result = timeline("--since", "2030")
    assert (result.code, result.out, result.err) == (0, "", "no events match\n")


def test_piped_output_has_no_escape_codes_and_no_trailing_padding() -> None:
    out = timeline("--positions").out
    assert "\x1b[" not in out
    assert all(line == line.rstrip() for line in out.splitlines())


def test_closing_the_pipe_early_is_quiet(tmp_path: Path) -> None:
    events = "".join(
        f"  - id: e{i}\n    title: Event {i}\n    date: 2025-01-01\n    sources: [s]\n" for i in range(3000)
    )
    kb = write_kb(tmp_path, {"kb.yaml": "sources:\n  - id: s\n    title: S\n    publisher: P\nevents:\n" + events})
    import subprocess
    import sys

    done = subprocess.run(
        f"'{sys.executable}' -m talkbase timeline --data '{kb}' | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.startswith("date")
    assert done.stderr == ""
