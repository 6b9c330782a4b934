"""Property: no command asserts an order that the dates and the curator's `after`/`before` do not imply.

Each example is a hidden true history: every record happened at a moment (a day and a time in it). The
knowledge base written from it only coarsens what is true (a day may be written as its month or its year) and
states only true orders (`after`/`before` between records, or against dates). The hidden history is then one
of the histories the knowledge base allows, so anything talkbase claims as certain must hold in it: an order,
a change of stance, the latest stance, a position stated by a day. The listing order must respect every order
the dates or the curator give. A longer run: `TALKBASE_FUZZ_EXAMPLES=5000 pytest tests/test_time_properties.py`.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from talkbase.ask.analysis import history, matrix
from talkbase.ask.filter import Filter
from talkbase.ask.query import chronology, positions_held, timeline
from talkbase.load.kb import DataLocation, open_kb
from talkbase.records.dates import parse_date, span_of
from talkbase.records.schema import STANCES, stance_change

EXAMPLES = int(os.environ.get("TALKBASE_FUZZ_EXAMPLES", "0")) or 150
START = dt.date(2025, 1, 1)


@st.composite
def hidden_histories(draw: Any) -> dict[str, Any]:
    """Records with true moments, the dates written for them, and true orders written as after/before."""
    count = draw(st.integers(2, 7))
    records = []
    for i in range(count):
        day = START + dt.timedelta(days=draw(st.integers(0, 120)))  # four months: many overlaps
        moment = (day.toordinal(), draw(st.floats(0, 1, exclude_max=True)), i)  # distinct even on one day
        kind = draw(st.sampled_from(["positions", "positions", "positions", "events"]))
        last = moment
        record = {"id": f"r{i}", "kind": kind, "date": coarsened(draw, day), "after": [], "before": []}
        if kind == "events" and draw(st.booleans()):  # a multi-day event: it takes every day to its end
            end_day = day + dt.timedelta(days=draw(st.integers(1, 20)))
            last = (end_day.toordinal(), draw(st.floats(0, 1, exclude_max=True)), i)
            record["end"] = coarsened(draw, end_day)
        records.append({**record, "moment": moment, "last": last})
    for _ in range(draw(st.integers(0, 4))):  # true orders between records: one ends before the other begins
        a, b = draw(st.sampled_from(records)), draw(st.sampled_from(records))
        if a is not b and (a["last"] < b["moment"] or b["last"] < a["moment"]):
            early, late = (a, b) if a["last"] < b["moment"] else (b, a)
            if draw(st.booleans()):
                late["after"].append(early["id"])
            else:
                early["before"].append(late["id"])
    for record in draw(st.lists(st.sampled_from(records), max_size=3)):  # true orders against dates
        day, end = dt.date.fromordinal(record["moment"][0]), dt.date.fromordinal(record["last"][0])
        if draw(st.booleans()) and day.day > 1:
            record["after"].append((day - dt.timedelta(days=draw(st.integers(1, day.day - 1)))).isoformat())
        elif end.month < 12:
            record["before"].append(f"{end.year}-{end.month + 1:02d}")
    for record in records:
        if record["kind"] == "positions":
            record["actor"] = draw(st.sampled_from(["a1", "a2"]))
            record["stance"] = draw(st.sampled_from(STANCES))
    return {"records": records, "as_of": START + dt.timedelta(days=draw(st.integers(0, 130)))}


def coarsened(draw: Any, day: dt.date) -> str:
    """A true day as a curator may write it: the day, its month or its year."""
    precision = draw(st.sampled_from(["day", "day", "month", "year"]))
    return {"day": day.isoformat(), "month": day.isoformat()[:7], "year": str(day.year)}[precision]


def write(example: dict[str, Any], folder: Path) -> None:
    events, positions = [], []
    for r in example["records"]:
        order = {k: r[k] for k in ("after", "before") if r[k]}
        if r["kind"] == "events":
            end = {"end": r["end"]} if "end" in r else {}
            events.append({"id": r["id"], "title": r["id"], "date": r["date"], **end, "sources": ["s"], **order})
        else:
            positions.append({"id": r["id"], "actor": r["actor"], "topic": "t", "stance": r["stance"],
                              "claim": r["id"], "date": r["date"], "sources": ["s"], **order})  # fmt: skip
    document = {
        "actors": [{"id": "a1", "name": "One", "kind": "person"}, {"id": "a2", "name": "Two", "kind": "person"}],
        "sources": [{"id": "s", "title": "S", "publisher": "P"}],
        "topics": [{"id": "t", "name": "T"}],
        "events": events,
        "positions": positions,
    }
    (folder / "kb.yaml").write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hidden_histories(), st.booleans())
def test_nothing_is_claimed_that_the_hidden_history_contradicts(example: dict[str, Any], large: bool) -> None:
    """With `large`, history reads every group as it reads one of thousands of positions (by the dates alone)."""
    import talkbase.records.dates

    limits = talkbase.records.dates.MASKED_GROUP, talkbase.records.dates.MASKED_UNLINKED
    if large:
        talkbase.records.dates.MASKED_GROUP = talkbase.records.dates.MASKED_UNLINKED = 0
    try:
        claims_hold(example)
    finally:
        talkbase.records.dates.MASKED_GROUP, talkbase.records.dates.MASKED_UNLINKED = limits


def claims_hold(example: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        write(example, Path(tmp))
        opened = open_kb(DataLocation(Path(tmp), "--data"), use_cache=False)
    assert opened.kb is not None, [str(p) for p in opened.errors]  # true orders never loop or contradict
    kb = opened.kb
    truth = {r["id"]: r["moment"] for r in example["records"]}  # when it began (a position: when it was said)
    last = {r["id"]: r["last"] for r in example["records"]}  # when it ended
    chron = chronology(kb)
    dated = [*kb.events, *kb.positions]

    # The chronology's certain orders hold in the hidden history.
    for a in dated:
        for b in dated:
            if chron.before(a, b):
                assert last[a.id] < truth[b.id], (a.id, b.id)

    # Listings respect every order the dates or the curator give.
    listed = [r.id for r in timeline(kb, Filter(), with_positions=True)]
    where = {rid: i for i, rid in enumerate(listed)}
    for a in dated:
        for b in dated:
            told = b.id in chron.reach(a.id)
            if span_of(a.date, getattr(a, "end", None)).before(span_of(b.date, getattr(b, "end", None))) or told:
                assert where[a.id] < where[b.id], (a.id, b.id, listed)

    # history asserts a change only against a position truly before, and names it rightly.
    for step in history(kb, Filter()):
        if step.change in ("changed", "reversal", "") and step.previous is not None:
            assert truth[step.previous.id] < truth[step.position.id]
            assert stance_change(step.previous.stance, step.position.stance) == step.change

    # matrix and positions --as-of: a certain latest stance is the true latest one's; a certainly stated position
    # was stated by the end of the day.
    day = parse_date(example["as_of"].isoformat())
    for as_of in (None, day):
        grid = matrix(kb, Filter(), as_of)
        for (actor, _topic), cell in grid.cells.items():
            said = [p for p in kb.positions if p.actor == actor]
            if as_of is not None:
                said = [p for p in said if truth[p.id][0] <= day.end.toordinal()]
            if cell.certain:
                latest = max(said, key=lambda p: truth[p.id])
                assert latest.stance == cell.candidates[0].stance
    for p, held in positions_held(kb, Filter(), day):  # without --as-of, every position is listed
        if held.stated:
            assert truth[p.id][0] <= day.end.toordinal()
        if held.latest and held.stated:
            said = [q for q in kb.positions if q.actor == p.actor and truth[q.id][0] <= day.end.toordinal()]
            assert max(said, key=lambda q: truth[q.id]).stance == p.stance
