"""Honest time: a vague date never becomes a false order.

Every date is an interval; one record is certainly before another only when its interval ends before the
other's begins, or when `after`/`before` say so. These tests build small knowledge bases for each case
(overlapping months, a year against a day, same-day pairs, chains, a loop, contradictions) and assert the exact
answers of check, history, matrix, positions --as-of and timeline, then the Chronology itself.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from talkbase.records.dates import Chronology, Timed, parse_date, span_of

from conftest import REPO, run, write_kb

HEAD = """
actors:
  - {id: adams, name: Gerry Adams, kind: person}
  - {id: trimble, name: David Trimble, kind: person}
topics:
  - {id: decommissioning, name: Decommissioning}
sources:
  - {id: paper, title: Report, publisher: The Daily Planet}
events:
  - {id: talks, title: Talks, date: 1998-04-10, sources: [paper]}
"""


def position(pid: str, stance: str, date: str, *extra: str, actor: str = "adams") -> str:
    lines = [
        f"  - id: {pid}",
        f"    actor: {actor}",
        "    topic: decommissioning",
        f"    stance: {stance}",
        f"    claim: {pid}.",
        f"    date: {date}",
        "    sources: [paper]",
        *(f"    {e}" for e in extra),
    ]
    return "\n".join(lines) + "\n"


def kb(tmp_path: Path, *positions: str, events: str = "") -> Path:
    text = HEAD + events + "positions:\n" + "".join(positions)
    return write_kb(tmp_path / "kb", {"kb.yaml": text})


def tb(data: Path, *args: str):
    return run(*args, "--data", str(data))


def as_json(data: Path, *args: str) -> list[dict]:
    result = tb(data, *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


def history_rows(data: Path, *args: str) -> list[tuple]:
    return [
        (r["id"], r["stance"], r["change"], r["previous"], r["previous_stance"])
        for r in as_json(data, "history", *args)
    ]


def matrix_rows(data: Path, *args: str) -> list[tuple]:
    return [(r["position"], r["stance"], r["certainly_latest"]) for r in as_json(data, "matrix", *args)]


def test_matrix_as_of_says_which_candidates_may_not_be_stated_yet(tmp_path: Path) -> None:
    data = kb(tmp_path, position("a-rejects", "rejects", "1998-04-02"), position("a-supports", "supports", "1998-04"))
    rows = as_json(data, "matrix", "--as-of", "1998-04-15")
    assert [(r["position"], r["certainly_latest"], r["certainly_stated"]) for r in rows] == [
        ("a-supports", False, False),
        ("a-rejects", False, True),
    ]


# The issue's own example: rejects on 2 April, supports "later that month" (1998-04).


@pytest.fixture
def adams(tmp_path: Path) -> Path:
    return kb(tmp_path, position("a-rejects", "rejects", "1998-04-02"), position("a-supports", "supports", "1998-04"))


def test_a_month_against_a_day_in_it_is_no_reversal(adams: Path) -> None:
    assert history_rows(adams) == [
        ("a-supports", "supports", "order-unknown", "a-rejects", "rejects"),
        ("a-rejects", "rejects", "order-unknown", "a-supports", "supports"),
    ]
    out = tb(adams, "history").out
    assert "reversal" not in out and "order unknown against rejects 1998-04-02" in out


def test_the_matrix_shows_every_stance_that_may_be_the_latest(adams: Path) -> None:
    assert matrix_rows(adams) == [("a-supports", "supports", False), ("a-rejects", "rejects", False)]
    out = tb(adams, "matrix").out
    assert "sup? 1998-04 | rej? 1998-04-02" in out
    assert "? = may be the latest" in out


def test_as_of_a_day_inside_the_month_the_month_is_not_yet_certainly_stated(adams: Path) -> None:
    rows = as_json(adams, "positions", "--as-of", "1998-04-01")
    assert [(r["id"], r["certainly_stated"], r["certainly_latest"]) for r in rows] == [("a-supports", False, False)]
    rows = as_json(adams, "positions", "--as-of", "1998-04-15")
    assert [(r["id"], r["certainly_stated"], r["certainly_latest"]) for r in rows] == [
        ("a-supports", False, False),
        ("a-rejects", True, False),
    ]
    rows = as_json(adams, "positions", "--as-of", "1998-04")  # the end of April: both stated, order unknown
    assert [(r["id"], r["certainly_stated"], r["certainly_latest"]) for r in rows] == [
        ("a-supports", True, False),
        ("a-rejects", True, False),
    ]
    table = tb(adams, "positions", "--as-of", "1998-04-01").out
    assert "may not be stated yet" in table


def test_history_as_of_marks_what_may_not_be_stated_yet(adams: Path) -> None:
    rows = as_json(adams, "history", "--as-of", "1998-04-15")
    assert [(r["id"], r["certainly_stated"], r["change"]) for r in rows] == [
        ("a-supports", False, "order-unknown"),
        ("a-rejects", True, "order-unknown"),
    ]
    assert as_json(adams, "history", "--as-of", "1998-03") == []


def test_check_warns_where_precision_is_missing_and_strict_makes_it_an_error(adams: Path) -> None:
    result = tb(adams, "check")
    assert result.code == 0
    assert "kb/kb.yaml:16:11: warning: positions `a-rejects` (rejects, 1998-04-02) and `a-supports` (supports, " in (
        result.out.replace(str(adams.parent) + "/", "")
    )
    assert "give a more precise date, or `after: [a-supports]` or `before: [a-supports]`" in result.out
    assert tb(adams, "check", "--strict").code == 1


def test_after_settles_the_order_and_the_reversal_is_certain(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("a-rejects", "rejects", "1998-04-02"),
        position("a-supports", "supports", "1998-04", "after: [a-rejects]"),
    )
    assert history_rows(data) == [
        ("a-rejects", "rejects", None, None, None),
        ("a-supports", "supports", "reversal", "a-rejects", "rejects"),
    ]
    assert matrix_rows(data) == [("a-supports", "supports", True)]
    assert tb(data, "check", "--strict").code == 0
    timeline = as_json(data, "timeline", "--positions")
    assert [r["id"] for r in timeline] == ["a-rejects", "a-supports", "talks"]  # from 2 April, then 10 April


# A year against a day, overlapping months, the same day.


@pytest.mark.parametrize(
    ("first", "second"),
    [("1998", "1998-06-01"), ("1998-05", "1998-05-31"), ("1998-04-30", "1998-04-30")],
    ids=["year-and-day", "month-and-its-last-day", "same-day"],
)
def test_overlapping_dates_leave_the_order_unknown(tmp_path: Path, first: str, second: str) -> None:
    data = kb(tmp_path, position("p1", "supports", first), position("p2", "opposes", second))
    assert [row[2] for row in history_rows(data)] == ["order-unknown", "order-unknown"]
    assert {row[2] for row in matrix_rows(data)} == {False}


def test_dates_apart_are_ordered_whatever_their_precision(tmp_path: Path) -> None:
    data = kb(tmp_path, position("p1", "supports", "1997"), position("p2", "opposes", "1998-01"))
    assert history_rows(data) == [
        ("p1", "supports", None, None, None),
        ("p2", "opposes", "reversal", "p1", "supports"),
    ]
    assert matrix_rows(data) == [("p2", "opposes", True)]


@pytest.mark.parametrize(
    ("before", "after", "change"),
    [
        ("supports", "proposes", None),  # one side: no change of stance
        ("opposes", "rejects", None),
        ("supports", "rejects", "reversal"),
        ("rejects", "proposes", "reversal"),
        ("supports", "disputes", "changed"),  # disputes, conditional and undecided are sides of their own
        ("disputes", "rejects", "changed"),
        ("conditional", "supports", "changed"),
        ("undecided", "opposes", "changed"),
    ],
)
def test_what_counts_as_a_change(tmp_path: Path, before: str, after: str, change: str | None) -> None:
    data = kb(tmp_path, position("p1", before, "1998-01"), position("p2", after, "1998-02"))
    assert history_rows(data)[1][2] == change
    changes_only = as_json(data, "history", "--changes-only")
    assert len(changes_only) == (2 if change else 0)


def test_a_change_is_asserted_against_the_latest_position_certainly_before(tmp_path: Path) -> None:
    """p2's order against p1 and p3 is unknown; p1 is certainly before p3, so p3's reversal is certain."""
    data = kb(
        tmp_path,
        position("p1", "supports", "1998-07-01"),
        position("p2", "rejects", "1998-07"),
        position("p3", "rejects", "1998-07-20"),
    )
    assert history_rows(data) == [
        ("p2", "rejects", "order-unknown", "p1", "supports"),
        ("p1", "supports", "order-unknown", "p2", "rejects"),
        ("p3", "rejects", "reversal", "p1", "supports"),
    ]
    assert matrix_rows(data) == [("p3", "rejects", True)]  # p2 may be later, but has the same stance


# after / before chains


def test_a_chain_of_after_orders_a_month_and_the_timeline_respects_it(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("c", "rejects", "1998-05", "after: [b]"),
        position("b", "supports", "1998-05", "after: [a]"),
        position("a", "rejects", "1998-05"),
        position("t", "supports", "1998-05", "before: [1998-05-10]", actor="trimble"),
    )
    assert [r["id"] for r in as_json(data, "timeline", "--positions", "--since", "1998-05")] == ["a", "b", "c", "t"]
    assert [r["id"] for r in as_json(data, "timeline", "--positions", "--since", "1998-05", "--reverse")] == [
        "t",
        "c",
        "b",
        "a",
    ]
    assert [r["id"] for r in as_json(data, "positions")] == ["a", "b", "c", "t"]
    assert history_rows(data, "--actor", "adams") == [
        ("a", "rejects", None, None, None),
        ("b", "supports", "reversal", "a", "rejects"),
        ("c", "rejects", "reversal", "b", "supports"),
    ]
    assert matrix_rows(data) == [("c", "rejects", True), ("t", "supports", True)]
    # `before: [1998-05-10]` narrows Trimble's May to its first nine days: stated by 9 May for certain.
    rows = as_json(data, "positions", "--as-of", "1998-05-09", "--actor", "trimble")
    assert [(r["id"], r["certainly_stated"]) for r in rows] == [("t", True)]
    table = tb(data, "timeline", "--positions", "--actor", "trimble").out
    assert "1998-05 (by 1998-05-09)" in table


def test_an_order_through_an_event_and_a_date(tmp_path: Path) -> None:
    """after the talks of 10 April and before a date: the interval narrows from both ends."""
    data = kb(tmp_path, position("p", "supports", "1998", "after: [talks]", "before: [1998-06]"))
    table = tb(data, "timeline", "--positions").out
    assert "1998 (1998-04-10…1998-05-31)" in table
    ids = [r["id"] for r in as_json(data, "timeline", "--positions")]
    assert ids == ["talks", "p"]  # the same first day: the talks first, as `after` says


def test_same_day_records_keep_the_order_given(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("later", "rejects", "1998-04-10", "after: [talks, earlier]"),
        position("earlier", "supports", "1998-04-10"),
    )
    assert [r["id"] for r in as_json(data, "timeline", "--positions")] == ["talks", "earlier", "later"]
    assert history_rows(data)[1] == ("later", "rejects", "reversal", "earlier", "supports")


# Errors: references, loops, contradictions


def problems(data: Path) -> tuple[int, str]:
    result = tb(data, "check")
    return result.code, result.out.replace(str(data) + "/", "")


def error_messages(data: Path) -> list[str]:
    """check's errors without their places; check must fail."""
    code, out = problems(data)
    assert code == 1
    return [line.split(": error: ")[1] for line in out.splitlines()[:-1]]


def test_after_and_before_are_checked_like_references(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("p1", "supports", "1998", "after: [talkz, adams, 1998-4, [x]]"),
        position("p2", "supports", "1998", "before: p1"),
    )
    code, out = problems(data)
    assert code == 1
    assert "kb.yaml:18:13: error: record `talkz` not found (did you mean `talks`?)" in out
    assert "kb.yaml:18:20: error: `after` refers to `adams`, which is an actor, not an event or position" in out
    assert "kb.yaml:18:27: error: `after`: malformed date `1998-4`" in out
    assert "kb.yaml:18:35: error: `after` must be an id or a date, not a list" in out
    assert "kb.yaml:26:13: error: `before` must be a list (write `[p1]`)" in out


def test_a_loop_names_every_record_in_it_and_commands_refuse(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("p1", "supports", "1998", "after: [p3]"),
        position("p2", "supports", "1998", "after: [p1]"),
        position("p3", "supports", "1998", "after: [p2]"),
    )
    code, out = problems(data)
    assert code == 1
    assert out.splitlines()[0] == (
        "kb.yaml:18:12: error: a loop of `after`/`before`: `p1` → `p2` → `p3` → `p1` (each before the next), so "
        "none of them can come first (remove the `after` or `before` that a source does not support)"
    )
    assert tb(data, "timeline").code == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            "after: [talks]",
            "kb.yaml:18:13: error: `after: talks` contradicts the dates: `p` (1998-04-02) certainly comes before "
            "`talks` (1998-04-10)",
        ),
        (
            "before: [1998-04]",
            "kb.yaml:18:14: error: `before: 1998-04` contradicts its date: it is dated 1998-04-02, which is not "
            "before 1998-04",
        ),
        (
            "after: [1998-04-02]",
            "kb.yaml:18:13: error: `after: 1998-04-02` contradicts its date: it is dated 1998-04-02, which is not "
            "after 1998-04-02",
        ),
    ],
)
def test_an_order_the_dates_rule_out_is_an_error(tmp_path: Path, extra: str, message: str) -> None:
    data = kb(tmp_path, position("p", "supports", "1998-04-02", extra))
    code, out = problems(data)
    assert code == 1
    assert out.startswith(message), out


def test_orders_that_leave_no_day_are_an_error(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("p1", "supports", "1998-05", "after: [p2]"),
        position("p2", "supports", "1998", "after: [1998-06]"),
    )
    code, out = problems(data)
    assert code == 1
    assert out.splitlines()[0] == (
        "kb.yaml:18:12: error: its `after` leaves no day for it: on or after 1998-07-01 (after `p2`, "
        "which is after 1998-06) and on or before 1998-05-31 (its date) (check the dates, or remove this "
        "`after`/`before`)"
    )


# add, the JSON Schema, the bundled knowledge base


def test_add_takes_after_and_before_as_options(tmp_path: Path) -> None:
    data = kb(tmp_path, position("p1", "supports", "1998-04-02"))
    result = run(
        "add", "position", "--data", str(data), "--actor", "adams", "--topic", "decommissioning",
        "--stance", "rejects", "--claim", "No.", "--date", "1998-04", "--sources", "paper",
        "--after", "p1, Talks", "--before", "1998-05",
        env={"XDG_STATE_HOME": str(tmp_path / "state")},
    )  # fmt: skip
    assert result.code == 0, result.err
    assert "    after: [p1, talks]\n    before: [1998-05]\n" in (data / "kb.yaml").read_text()
    assert history_rows(data)[1][2] == "reversal"
    bad = run(
        "add", "position", "--data", str(data), "--actor", "adams", "--topic", "decommissioning",
        "--stance", "rejects", "--claim", "No.", "--date", "1998-04", "--sources", "paper", "--after", "p9",
        env={"XDG_STATE_HOME": str(tmp_path / "state")},
    )  # fmt: skip
    assert bad.code == 2 and "not found" in bad.err


def test_the_json_schema_knows_after_and_before() -> None:
    import jsonschema

    schema = json.loads(run("schema").out)
    for kind in ("event", "position"):
        for name in ("after", "before"):
            assert schema["$defs"][kind]["properties"][name]["type"] == "array"
    items = schema["$defs"]["position"]["properties"]["after"]["items"]
    for good in ("round-3", "2025-07", 2025):
        jsonschema.validate(good, items)
    for bad in ("Round 3", "2025-13", True, ["x"]):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, items)


def test_the_bundled_misreadings_are_gone() -> None:
    matrix = json.loads(run("matrix", "--as-of", "2025-01-01", "--format", "json").out)
    russia = [r for r in matrix if r["actor"] == "russia"]
    assert russia == [
        {"actor": "russia", "topic": "ceasefire", "stance": "rejects", "date": "2025",
         "position": "russia-rejects-ceasefire", "certainly_latest": False, "certainly_stated": False},
    ]  # fmt: skip
    assert json.loads(run("history", "--changes-only", "--format", "json").out) == []
    ids = [r["id"] for r in json.loads(run("timeline", "--positions", "--format", "json").out)]
    # The article gives Peskov's denial no day and does not say it answered the 21 July announcement: it is dated
    # only to 2025 (by July), so it is listed at the first day it may fall on, not after the announcement.
    assert ids.index("peskov-no-final-date") < ids.index("zelensky-third-round-announced")
    table = run("timeline", "--positions").out
    assert "2025, date unknown" in table.splitlines()[1]
    assert run("check", "--strict").code == 1  # Zelensky: supports and proposes, in an order no source gives


# The Chronology itself


def node(record_id: str, date: str, end: str | None = None, after: tuple = (), before: tuple = ()) -> Timed:
    return Timed(record_id, span_of(parse_date(date), parse_date(end) if end else None), after, before)


class Rec:
    def __init__(self, record_id: str, date: str, end: str | None = None) -> None:
        self.id, self.date, self.end = record_id, parse_date(date), parse_date(end) if end else None


def test_certainly_before_needs_the_whole_interval_before() -> None:
    chron = Chronology([])
    june, july, july_2 = Rec("a", "2025-06"), Rec("b", "2025-07"), Rec("c", "2025-07-02")
    assert chron.before(june, july) and chron.before(june, july_2)
    assert not chron.before(july, july_2) and not chron.before(july_2, july)
    week = Rec("w", "2025-06-28", "2025-07-02")  # an event's end widens it
    assert not chron.before(week, july_2) and not chron.before(week, july) and chron.before(june, Rec("x", "2025-08"))


def test_explicit_order_is_transitive_and_narrows() -> None:
    chron = Chronology([node("a", "2025"), node("b", "2025", after=("a",)), node("c", "2025", after=("b", "2025-03"))])
    a, b, c = Rec("a", "2025"), Rec("b", "2025"), Rec("c", "2025")
    assert chron.before(a, b) and chron.before(b, c) and chron.before(a, c)
    assert not chron.before(c, a)
    assert chron.narrowed["c"].first.isoformat() == "2025-04-01"
    assert chron.reach("a") == {"b", "c"}


def test_cycles_and_conflicts_are_found() -> None:
    chron = Chronology([node("x", "2025", after=("y",)), node("y", "2025", after=("x",))])
    assert chron.cycles == [["x", "y"]]
    chron = Chronology([node("x", "2025-07", before=("2025-07",))])
    assert [c.message for c in chron.conflicts] == [
        "`before: 2025-07` contradicts its date: it is dated 2025-07-01 to 2025-07-31, which is not before 2025-07"
    ]


def test_ordered_respects_constraints_whatever_the_file_order() -> None:
    chron = Chronology([node("late", "2025-07-01", after=("early",)), node("early", "2025-07-01")])
    records = [Rec("late", "2025-07-01"), Rec("early", "2025-07-01"), Rec("year", "2025"), Rec("june", "2025-06")]
    assert [r.id for r in chron.ordered(records)] == ["year", "june", "early", "late"]


def test_readme_example_knowledge_base_is_the_documented_one() -> None:
    assert (REPO / "docs" / "examples" / "honest-time" / "kb.yaml").is_file()


def test_show_says_which_days_a_narrowed_record_may_fall_on(tmp_path: Path) -> None:
    data = kb(tmp_path, position("p", "supports", "1998", "after: [talks]", "before: [1998-06]"))
    shown_days = "may fall on  1998-04-10…1998-05-31 (as orders given with after/before narrow it)"
    assert shown_days in tb(data, "show", "p").out
    shown = json.loads(tb(data, "show", "p", "--format", "json").out)
    assert (shown["after"], shown["before"], shown["days"]) == (
        ["talks"],
        ["1998-06"],
        {"first": "1998-04-10", "last": "1998-05-31"},
    )
    assert json.loads(tb(data, "show", "talks", "--format", "json").out)["days"] == {
        "first": "1998-04-10",
        "last": "1998-04-10",
    }


def test_a_chain_that_leaves_no_day_is_reported_where_an_order_is_written(tmp_path: Path) -> None:
    """X has no order of its own: A (20 July) is before it and B (10 July) after it, so neither X nor B has a day
    left; B wrote the order that closes the chain."""
    data = kb(
        tmp_path,
        position("x", "supports", "1998-07"),
        position("a", "supports", "1998-07-20", "before: [x]", actor="trimble"),
        position("b", "supports", "1998-07-10", "after: [x]", actor="trimble"),
    )
    code, out = problems(data)
    assert code == 1
    assert out.splitlines()[0] == (
        "kb.yaml:33:12: error: its `after` leaves no day for it: on or after 1998-07-20 (after `x`, "
        "which is after `a`) and on or before 1998-07-10 (its date) (check the dates, or remove this "
        "`after`/`before`)"
    )
    assert len(out.splitlines()) == 2


def test_a_wrong_order_is_reported_once_not_again_where_it_would_lead(tmp_path: Path) -> None:
    data = kb(tmp_path, position("p1", "supports", "1997-02-28"), position("p2", "supports", "1998", "before: [p1]"))
    code, out = problems(data)
    assert code == 1
    assert [line.split(": error: ")[1][:24] for line in out.splitlines()[:-1]] == ["`before: p1` contradicts"]


def test_a_multi_day_event_takes_all_its_days(tmp_path: Path) -> None:
    """A conference of 10-15 July begins on the 10th: it cannot be after the 12th, nor after a record of the 24th
    end before it; a record after it begins on the 15th at the earliest."""
    conference = "  - {id: conf, title: Conference, date: 1998-07-10, end: 1998-07-15, sources: [paper]%s}\n"
    data = kb(tmp_path, position("p", "supports", "1998-07", "after: [conf]"), events=conference % "")
    assert "1998-07 (from 1998-07-15)" in tb(data, "timeline", "--positions").out
    assert [r["id"] for r in as_json(data, "timeline", "--positions")] == ["talks", "conf", "p"]
    wrong = kb(tmp_path / "2", position("p", "supports", "1998-07"), events=conference % ", after: [1998-07-12]")
    code, out = problems(wrong)
    assert code == 1
    assert (
        "error: `after: 1998-07-12` contradicts its date: it begins by 1998-07-10, which is not after 1998-07-12" in out
    )
    before = kb(tmp_path / "3", position("p", "supports", "1998-07-24", "before: [conf]"), events=conference % "")
    code, out = problems(before)
    assert code == 1
    assert (
        "`before: conf` contradicts the dates: `conf` (1998-07-10 to 1998-07-15) begins before `p` (1998-07-24)" in out
    )


def test_since_and_until_compare_the_period_with_narrowed_dates(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("early", "supports", "1998", "before: [1998-05]"),
        position("late", "supports", "1998-04", "after: [talks]"),
    )
    assert [r["id"] for r in as_json(data, "positions", "--since", "1998-05")] == []
    assert [r["id"] for r in as_json(data, "positions", "--until", "1998-04-09")] == ["early"]
    assert [r["id"] for r in as_json(data, "timeline", "--positions", "--since", "1998-04-10")] == [
        "early",
        "talks",
        "late",
    ]


def test_items_that_are_neither_dates_nor_ids_say_so(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("p1", "supports", "1998", "after: [1998-07-21T10:00, 'round 3', null, P2]"),
        position("p2", "supports", "1997"),
    )
    assert error_messages(data) == [
        "`after`: malformed date `1998-07-21T10:00` (write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-07 or 2025-07-23)",
        "`after`: `round 3` is neither a date nor a record id (write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-07 or "
        "2025-07-23, or give an event's or a position's id)",
        "an empty item in `after` (remove it, or give an id or a date)",
        "record `P2` not found (did you mean `p2`?)",
    ]


def test_two_days_of_unknown_order_ask_for_an_order_not_a_more_precise_date(tmp_path: Path) -> None:
    data = kb(tmp_path, position("p1", "supports", "1998-04-02"), position("p2", "rejects", "1998-04-02"))
    out = tb(data, "check").out
    assert "(`after: [p2]` or `before: [p2]` where a source says which)" in out
    assert "more precise" not in out


def test_add_refuses_a_date_order_its_own_date_rules_out_and_leaves_out_an_empty_one(tmp_path: Path) -> None:
    data = kb(tmp_path, position("p1", "supports", "1998-04-02"))
    base = ["add", "position", "--data", str(data), "--actor", "adams", "--topic", "decommissioning",
            "--stance", "rejects", "--claim", "No.", "--date", "1998-04-20", "--sources", "paper"]  # fmt: skip
    env = {"XDG_STATE_HOME": str(tmp_path / "state")}
    before = (data / "kb.yaml").read_text()
    wrong = run(*base, "--before", "1998-04", env=env)
    assert wrong.code == 2
    assert "`before: 1998-04` contradicts its date: it is dated 1998-04-20, which is not before 1998-04" in wrong.err
    assert (data / "kb.yaml").read_text() == before
    empty = run(*base, "--after", "", "--contests", "", "--dry-run", env=env)
    assert empty.code == 0 and "after" not in empty.out and "contests" not in empty.out


def test_history_and_grep_show_narrowed_dates(tmp_path: Path) -> None:
    data = kb(tmp_path, position("p", "supports", "1998", "after: [talks]"))
    assert "1998 (from 1998-04-10)" in tb(data, "history").out
    assert "1998 (from 1998-04-10)" in tb(data, "grep", "p").out


def test_timelinejs_keeps_the_precision_and_says_between_which_days(tmp_path: Path) -> None:
    events = "  - {id: later, title: Later talks, date: 1998-04, after: [talks], sources: [paper]}\n"
    data = kb(tmp_path, position("p", "supports", "1998-04-02"), events=events)
    slides = {s["unique_id"]: s for s in json.loads(run("export", "timelinejs", "--data", str(data)).out)["events"]}
    assert slides["later"]["start_date"] == {"year": 1998, "month": 4}
    assert "<p>Date: 1998-04-10 to 1998-04-30, as far as is known</p>" in slides["later"]["text"]["text"]
    assert "Date:" not in slides["talks"]["text"]["text"]


def test_a_long_chain_of_after_is_read_in_time_linear_in_it(tmp_path: Path) -> None:
    """2,000 positions of one actor on one topic, each after the one before (quadratic work took minutes)."""
    chain = "".join(
        position(f"p{i}", ("rejects", "supports")[i % 2], "1998", *([f"after: [p{i - 1}]"] if i else []))
        for i in range(2000)
    )
    data = kb(tmp_path, chain)
    assert tb(data, "check").code == 0
    changes = [r["change"] for r in as_json(data, "history")]
    assert changes == [None] + ["reversal"] * 1999
    assert [r["position"] for r in as_json(data, "matrix")] == ["p1999"]


def test_check_reports_every_pair_of_unknown_order_at_once(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("b1", "supports", "1998-07-15"),
        position("b2", "rejects", "1998-07-15"),
        position("b3", "undecided", "1998-07"),
    )
    lines = tb(data, "check").out.splitlines()[:-1]
    warnings = [line.split(": warning: ")[1].split(" of `adams`")[0] for line in lines]
    assert warnings == [
        "positions `b1` (supports, 1998-07-15), `b2` (rejects, 1998-07-15) and `b3` (undecided, 1998-07)",
        "positions `b2` (rejects, 1998-07-15) and `b3` (undecided, 1998-07)",
    ]


def test_disputes_as_of_counts_only_stances_certainly_the_latest_by_then(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("south-no", "opposes", "1998-03-11"),
        position("south-yes", "supports", "1998-04"),
        position("north-yes", "supports", "1998-03", actor="trimble"),
    )
    assert as_json(data, "disputes", "--as-of", "1998-04-15") == []  # Adams may already say yes by then
    opposed = as_json(data, "disputes", "--as-of", "1998-03-31")
    assert [(d["claim"], d["other"]) for d in opposed] == [("north-yes", "south-no")]


def test_look_alike_characters_are_named(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        # a fullwidth p, a Cyrillic er, a non-breaking hyphen
        position("p1", "supports", "1998", "after: [ｐ2, р2, 1998‑07]"),
        position("p2", "supports", "1997"),
    )
    assert error_messages(data) == [
        "record `ｐ2` not found (did you mean `p2`?)",
        "`after`: `р2` is neither a date nor a record id (`р` is U+0440 CYRILLIC SMALL LETTER ER)",
        "`after`: malformed date `1998‑07` (write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-07 or 2025-07-23; `‑` is "
        "U+2011 NON-BREAKING HYPHEN)",
    ]


def test_timeline_headings_say_the_period_a_narrowed_date_may_begin_in(tmp_path: Path) -> None:
    data = kb(
        tmp_path,
        position("spring", "supports", "1998", "before: [1998-06]"),
        position("late", "supports", "1998-04", "after: [talks]"),
        position("year", "supports", "1998"),
    )
    headings = [line for line in tb(data, "timeline", "--positions").out.splitlines() if "  " not in line]
    assert headings == ["1998, date unknown", "Jan–May 1998, date unknown", "Apr 1998", "Apr 1998, day unknown"]


def test_a_long_loop_is_named_in_one_readable_line(tmp_path: Path) -> None:
    loop = "".join(position(f"q{i}", "supports", "1998", f"after: [q{(i - 1) % 30}]") for i in range(30))
    code, out = problems(kb(tmp_path, loop))
    assert code == 1
    assert "`q0` → `q1` → `q2` → `q3` → `q4` → `q5` → `q6` → `q7` → `q8` → … 20 more … → `q29` → `q0`" in out


def test_ics_places_an_event_that_after_and_before_leave_one_day(tmp_path: Path) -> None:
    events = (
        "  - {id: pinned, title: Pinned, date: 1998-04, after: [1998-04-14], before: [1998-04-16], sources: [paper]}\n"
        "  - {id: vague, title: Vague, date: 1998-04, sources: [paper]}\n"
    )
    data = kb(tmp_path, position("p", "supports", "1998-04-02"), events=events)
    result = run("export", "ics", "--data", str(data))
    assert result.code == 0
    assert "UID:pinned@talkbase\nDTSTAMP:" in result.out  # run() reads text: CRLF arrives as \n
    assert "DTSTART;VALUE=DATE:19980415\nDTEND;VALUE=DATE:19980416\nSUMMARY:Pinned\n" in result.out
    assert result.err == "note: left out vague: its date 1998-04 has no day\n"


def test_known_at_weighs_narrowed_dates_and_a_self_loop_is_named_so(tmp_path: Path) -> None:
    data = kb(tmp_path, position("p", "supports", "1998", "after: [1998-06]"))
    assert as_json(data, "positions", "--known-at", "1998-02") == []  # stated in July at the earliest
    assert [r["id"] for r in as_json(data, "positions", "--known-at", "1998-12")] == ["p"]
    looped = kb(tmp_path / "2", position("p", "supports", "1998", "after: [p]"))
    code, out = problems(looped)
    assert code == 1 and "error: `p` is said to come after (or before) itself (remove it from its own" in out
    spaced = kb(tmp_path / "3", position("p", "supports", "1998", "before: ['1998-07 ']"))
    expected = "malformed date `1998-07 ` (write YYYY, YYYY-MM or YYYY-MM-DD, e.g. 2025-07 or 2025-07-23; it has spaces"
    assert expected in problems(spaced)[1]
