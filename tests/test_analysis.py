"""matrix, history, disputes, --known-at, the sources audit and --save on the views fixture KB."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import FIXTURES, run

VIEWS = str(FIXTURES / "kb-views")


def tb(*args: str):
    return run(*args, "--data", VIEWS)


def as_json(*args: str) -> list[dict]:
    result = tb(*args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_matrix_cells_are_each_actors_latest_stance() -> None:
    cells = {(c["actor"], c["topic"]): (c["stance"], c["date"], c["position"]) for c in as_json("matrix")}
    assert cells == {
        ("alpha", "ceasefire"): ("rejects", "2025-07-18", "alpha-ceasefire-july"),
        ("beta", "ceasefire"): ("proposes", "2025-05-09", "beta-ceasefire-may"),
        ("beta", "exchange"): ("supports", "2025-07-01", "beta-exchange-july"),
        ("beta", "summit"): ("disputes", "2025-06-20", "beta-summit-no-date"),
        ("gamma", "summit"): ("supports", "2025-06-15", "gamma-summit"),
        ("chronicle", "exchange"): ("undecided", "2025-06", "chronicle-exchange"),
    }


def test_matrix_as_of_shows_the_grid_as_it_stood() -> None:
    cells = {(c["actor"], c["topic"]): c["stance"] for c in as_json("matrix", "--as-of", "2025-06-10")}
    assert cells == {
        ("alpha", "ceasefire"): "supports",
        ("beta", "ceasefire"): "proposes",
        ("beta", "exchange"): "conditional",
        ("chronicle", "exchange"): "undecided",
    }


def test_matrix_narrowed_by_actor_and_topic() -> None:
    cells = [(c["actor"], c["topic"]) for c in as_json("matrix", "--actor", "beta", "--topic", "summit")]
    assert cells == [("beta", "summit")]


def test_matrix_table_has_numbered_topics_and_a_legend() -> None:
    lines = tb("matrix").out.splitlines()
    assert lines[0].split() == ["actor", "1", "2", "3"]
    assert lines[1].split() == ["Alphaland", "rej", "2025-07-18"]
    assert "topics: 1=Ceasefire  2=Prisoner exchange  3=Summit" in lines
    assert any(line.startswith("stances: sup=supports") for line in lines)


def test_matrix_csv_and_markdown() -> None:
    csv_lines = tb("matrix", "--format", "csv").out.splitlines()
    assert csv_lines[0] == "actor,topic,stance,date,position,certainly_latest,certainly_stated"
    assert "alpha,ceasefire,rejects,2025-07-18,alpha-ceasefire-july,true,true" in csv_lines
    md = tb("matrix", "--format", "markdown").out.splitlines()
    assert md[0] == "| actor | Ceasefire | Prisoner exchange | Summit |"
    assert md[3] == "| Betaland | proposes 2025-05-09 | supports 2025-07-01 | disputes 2025-06-20 |"


def test_matrix_fits_an_80_column_terminal_on_the_bundled_kb() -> None:
    import io

    from rich.console import Console
    from rich.text import Text

    from talkbase.ask.analysis import matrix
    from talkbase.ask.filter import Filter
    from talkbase.load.kb import DataLocation, bundled_path, open_kb
    from talkbase.show.views import matrix_panels

    kb = open_kb(DataLocation(bundled_path(), "bundled")).kb
    grid = matrix(kb, Filter())
    console = Console(width=80, file=io.StringIO(), force_terminal=True)
    console.print(matrix_panels(grid, 80))
    lines = Text.from_ansi(console.file.getvalue()).plain.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 80
    assert sum(line.startswith("actor") for line in lines) >= 2  # nine topics need more than one panel
    assert any(line.startswith("Volodymyr Zelensky") for line in lines)


def test_history_flags_reversals_and_changes() -> None:
    steps = {s["id"]: (s["previous_stance"], s["change"]) for s in as_json("history")}
    assert steps["alpha-ceasefire-july"] == ("supports", "reversal")
    assert steps["beta-exchange-july"] == ("conditional", "changed")
    assert steps["alpha-ceasefire-may"] == (None, None)


def test_history_changes_only_keeps_pairs_whose_stance_changed() -> None:
    ids = [s["id"] for s in as_json("history", "--changes-only")]
    assert ids == ["alpha-ceasefire-may", "alpha-ceasefire-july", "beta-exchange-june", "beta-exchange-july"]


def test_history_table_groups_by_actor_and_topic() -> None:
    lines = tb("history", "--actor", "alpha").out.splitlines()
    assert lines[1] == "Alphaland · Ceasefire"
    assert "reversal (supports 2025-05-09 → rejects)" in lines[3]


def test_disputes_contests_and_opposed_stances() -> None:
    found = [(d["type"], d["claim"], d["other"]) for d in as_json("disputes")]
    assert found == [
        ("contests", "beta-summit-no-date", "summit-1"),
        ("opposed", "beta-ceasefire-may", "alpha-ceasefire-july"),
        ("opposed", "gamma-summit", "beta-summit-no-date"),
    ]


def test_disputes_as_of_and_filters() -> None:
    found = [(d["type"], d["claim"]) for d in as_json("disputes", "--as-of", "2025-06-30")]
    assert found == [("contests", "beta-summit-no-date"), ("opposed", "gamma-summit")]
    assert [d["claim"] for d in as_json("disputes", "--topic", "ceasefire")] == ["beta-ceasefire-may"]
    assert [d["claim"] for d in as_json("disputes", "--actor", "gamma")] == ["beta-summit-no-date", "gamma-summit"]


def test_disputes_side_by_side_with_sources() -> None:
    out = tb("disputes", "--topic", "summit").out
    row = next(line for line in out.splitlines() if line.startswith("contests"))
    assert "Betaland disputes 2025-06-20" in row and "event postponed 2025-08-01" in row
    assert "[s-july]" in out and "[s-june]" in out


def test_known_at_shows_only_what_was_published_and_the_status_known_then() -> None:
    before = {e["id"]: e["status"] for e in as_json("timeline", "--known-at", "2025-06-30")}
    assert before == {"talks-1": "held", "exchange-1": "held", "summit-1": "scheduled"}
    after = {e["id"]: e["status"] for e in as_json("timeline", "--known-at", "2025-07-25")}
    assert after["summit-1"] == "postponed"
    assert [e["id"] for e in as_json("timeline", "--known-at", "2025-05-09")] == []


def test_known_at_positions_need_their_sources_published_and_the_statement_made() -> None:
    ids = [p["id"] for p in as_json("positions", "--known-at", "2025-06-18")]
    # beta-summit-no-date (stated 06-20, published 07-20) and alpha-ceasefire-july (stated 07-18, also
    # citing the May source) are not yet known; the undated source counts from its record's own date, and
    # that date (2025-06) from its last day, so chronicle-exchange is known only from 06-30.
    assert ids == ["alpha-ceasefire-may", "beta-ceasefire-may", "beta-exchange-june", "gamma-summit"]
    assert "chronicle-exchange" in [p["id"] for p in as_json("positions", "--known-at", "2025-06-30")]


def test_known_at_never_shows_an_event_held_before_it_took_place() -> None:
    # The bundled article (dated 2025-07) reports the address of 21 July as held: on 07-21 the address's
    # own source is out, and the talks of 07-23 are still ahead.
    early = run("timeline", "--known-at", "2025-07-21", "--format", "json")
    statuses = {e["id"]: e["status"] for e in json.loads(early.out)}
    assert statuses == {"zelensky-address-2025-07-21": "held", "istanbul-round-3": "scheduled"}
    assert json.loads(run("timeline", "--known-at", "2025-07-01", "--format", "json").out) == []


def test_known_at_differs_from_as_of() -> None:
    as_of = {(c["actor"], c["topic"]) for c in as_json("matrix", "--as-of", "2025-06-25")}
    known = {(c["actor"], c["topic"]) for c in as_json("matrix", "--known-at", "2025-06-25")}
    assert ("beta", "summit") in as_of  # stated on 06-20 ...
    assert ("beta", "summit") not in known  # ... but published only on 07-20


@pytest.mark.parametrize("command", ["timeline", "positions", "matrix", "history", "disputes", "grep"])
def test_known_at_is_on_every_view_and_checks_its_date(command: str) -> None:
    args = [command, "x"] if command == "grep" else [command]
    result = tb(*args, "--known-at", "2025-13")
    assert result.code == 2
    assert "invalid value for '--known-at'" in result.err


def test_sources_audit_counts_sole_claims() -> None:
    rows = {s["id"]: (s["claims_count"], s["sole_claims_count"], s["events_count"]) for s in as_json("sources")}
    assert rows == {"s-may": (3, 2, 1), "s-june": (2, 2, 1), "s-july": (3, 2, 0), "s-undated": (1, 1, 1)}


def test_sources_sole_lists_single_source_claims() -> None:
    ids = [p["id"] for p in as_json("sources", "--sole")]
    assert "alpha-ceasefire-july" not in ids  # it cites two sources
    assert len(ids) == 7


def test_show_prints_an_events_history() -> None:
    out = tb("show", "summit-1").out
    assert "history       2025-06-15 scheduled [s-june]" in out
    assert "2025-07-20 postponed — No new date. [s-july]" in out


@pytest.mark.parametrize("suffix", ["svg", "html"])
@pytest.mark.parametrize("command", ["timeline", "matrix"])
def test_save_writes_a_picture_or_page(tmp_path: Path, command: str, suffix: str) -> None:
    target = tmp_path / f"out.{suffix}"
    result = tb(command, "--save", str(target))
    assert result.code == 0
    assert result.out == ""
    assert result.err == f"saved {target}\n"
    text = target.read_text(encoding="utf-8")
    assert text.startswith("<svg") if suffix == "svg" else "<html" in text.lower()
    assert "Betaland" in text
    assert [p.name for p in tmp_path.iterdir()] == [f"out.{suffix}"]  # no temporary file left behind
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask  # the usual mode, not the temporary file's 0600


def test_save_refuses_other_suffixes_and_unwritable_places(tmp_path: Path) -> None:
    result = tb("timeline", "--save", str(tmp_path / "out.png"))
    assert result.code == 2 and "must end in .svg or .html" in result.err
    result = tb("timeline", "--save", str(tmp_path / "missing-dir" / "out.svg"))
    assert result.code == 1 and "cannot write" in result.err


def test_history_names_both_stances_of_a_change_and_markdown_keeps_the_sections() -> None:
    out = tb("history", "--format", "markdown").out
    assert out.startswith("**") and "**\n\n| date | stance | change | claim | sources |\n| --- |" in out
    sections = [line for line in out.splitlines() if line.startswith("**")]
    assert len(sections) >= 2 and all(" · " in line for line in sections)
    plain = tb("history").out
    assert "changed (conditional 2025-06-01 → supports)" in plain
    assert "reversal (supports 2025-05-09 → rejects)" in plain
