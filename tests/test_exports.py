"""talkbase export: every format read back by a real reader (json, csv, sqlite3, icalendar, TimelineJS's documented
format), the filters, empty selections, the usage errors, and atomic replacement; and pictures saved with --save,
which must refer to nothing outside themselves."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from talkbase.records.model import KnowledgeBase
from talkbase.records.schema import KINDS
from talkbase.show.formats import record_dict

from conftest import FIXTURES, REPO, run, write_kb

SMALL = FIXTURES / "kb-small"
VIEWS = FIXTURES / "kb-views"
EPOCH = {"SOURCE_DATE_EPOCH": "1750000000"}  # 2025-06-15 15:06:40 UTC
CSV_HEADERS = {
    "actors": ["id", "name", "kind", "affiliation", "description", "wikidata"],
    "sources": ["id", "title", "publisher", "url", "date", "kind", "via", "retrieved", "archive", "text", "text_file"],
    "topics": ["id", "name", "description"],
    "events": ["id", "title", "date", "end", "status", "kind", "location", "summary", "origins"],
    "positions": ["id", "actor", "topic", "stance", "claim", "quote", "date", "event", "origins"],
    "record_sources": ["record", "kind", "source"],
    "actor_aliases": ["actor", "alias"],
    "actor_roles": ["actor", "title", "since", "until"],
    "event_participants": ["event", "actor"],
    "event_topics": ["event", "topic"],
    "event_history": ["event", "entry", "date", "status", "note"],
    "event_history_sources": ["event", "entry", "source"],
    "position_contests": ["position", "record", "kind"],
    "event_after": ["event", "record", "kind", "date"],
    "event_before": ["event", "record", "kind", "date"],
    "position_after": ["position", "record", "kind", "date"],
    "position_before": ["position", "record", "kind", "date"],
}


def load(path: Path) -> KnowledgeBase:
    from talkbase.load.kb import DataLocation, open_kb

    opened = open_kb(DataLocation(path, "test"))
    assert opened.kb is not None, opened.errors
    return opened.kb


def kb_dicts(kb: KnowledgeBase, origins: bool = True) -> dict[str, list[dict[str, Any]]]:
    """Every record as the exports hold it: events and positions in time order, with their number of independent
    origins (unless not `origins`: the records alone)."""
    from talkbase.ask.query import chronology, origins_of

    timed = {"events", "positions"}
    ordered = lambda kind: chronology(kb).ordered(getattr(kb, kind)) if kind in timed else getattr(kb, kind)  # noqa: E731
    counted = lambda kind, r: {"origins": len(origins_of(kb, r.sources))} if origins and kind in timed else {}  # noqa: E731
    return {kind: [{**record_dict(r), **counted(kind, r), **_inlined(r)} for r in ordered(kind)] for kind in KINDS}


def _inlined(record: Any) -> dict[str, Any]:
    """A source's text kept in a file, as the exports write it: in `text`."""
    name = getattr(record, "text_file", None)
    if not name:
        return {}
    return {"text": (Path(record.loc.path).parent / name).read_text(encoding="utf-8"), "text_file": None}


def export(*args: str, data: Path | None = None, env: dict[str, str] | None = None):
    return run("export", *args, *(["--data", str(data)] if data else []), env=env)


def export_json(*args: str, data: Path | None = None) -> dict[str, Any]:
    result = export("json", *args, data=data)
    assert result.code == 0, result.err
    return json.loads(result.out)


def ids(records: list[dict[str, Any]]) -> list[str]:
    return [r["id"] for r in records]


@pytest.fixture(scope="module")
def small_json() -> dict[str, Any]:
    return export_json(data=SMALL)


# json


def written(value: Any) -> Any:
    """An exported value as a curator would write it: absent fields (null, []) left out."""
    if isinstance(value, dict):
        return {k: written(v) for k, v in value.items() if v is not None and v != []}
    if isinstance(value, list):
        return [written(v) for v in value]
    return value


@pytest.mark.parametrize("data", [SMALL, VIEWS, REPO / "data"], ids=["kb-small", "kb-views", "bundled"])
def test_json_round_trips_through_the_loader(tmp_path: Path, data: Path) -> None:
    document = export_json(data=data)
    assert list(document) == ["format_version", "actors", "sources", "topics", "events", "positions"]
    assert document["format_version"] == 1
    original = kb_dicts(load(data))
    assert {kind: document[kind] for kind in KINDS} == original
    # JSON is YAML: the records, absent fields (and the computed `origins`) left out, load back as the same
    # knowledge base.
    alone = lambda record: {k: v for k, v in record.items() if k != "origins"}  # noqa: E731
    records = {kind: [alone(r) for r in written(document[kind])] for kind in KINDS}
    (tmp_path / "kb.yaml").write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    assert kb_dicts(load(tmp_path)) == original


def test_json_keeps_dates_as_written_and_references_as_ids(small_json: dict[str, Any]) -> None:
    events = {e["id"]: e for e in small_json["events"]}
    assert (events["summit-2025"]["date"], events["round-2"]["date"], events["round-0"]["end"]) == (
        "2025",
        "2025-06",
        "2025-05-02",
    )
    assert events["round-1"]["participants"] == ["northland", "southland", "mediator"]
    assert events["round-0"]["title"] == "Preliminary contacts \x1b[31mred\x1b[0m"  # data is exact in exports


def test_json_to_a_file_is_the_same_document(tmp_path: Path, small_json: dict[str, Any]) -> None:
    target = tmp_path / "kb.json"
    result = export("json", "-o", str(target), data=SMALL)
    assert (result.code, result.out, result.err) == (0, "", f"wrote {target}\n")
    assert json.loads(target.read_text(encoding="utf-8")) == small_json
    assert os.listdir(tmp_path) == ["kb.json"]


# csv


def read_csv_dir(folder: Path) -> dict[str, list[dict[str, Any]]]:
    """Every CSV file read back with csv.DictReader; an empty cell is an absent value."""
    tables = {}
    for path in sorted(folder.iterdir()):
        assert path.suffix == ".csv", path
        assert not path.read_bytes().startswith(codecs.BOM_UTF8)
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = [{k: v if v != "" else None for k, v in row.items()} for row in reader]
            assert reader.fieldnames == CSV_HEADERS[path.stem], path.name
        tables[path.stem] = rows
    return tables


def rebuild(tables: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """Records in the record format's shape, from the kinds' CSV files and the link files."""

    def linked(table: str, owner: str, rid: str, column: str) -> list[Any]:
        return [row[column] for row in tables[table] if row[owner] == rid]

    def sources(kind: str, rid: str) -> list[str]:
        return [r["source"] for r in tables["record_sources"] if (r["kind"], r["record"]) == (kind, rid)]

    def order(table: str, owner: str, rid: str) -> list[str]:
        return [row["record"] or row["date"] for row in tables[table] if row[owner] == rid]

    def history(event: str) -> list[dict[str, Any]]:
        entries = [r for r in tables["event_history"] if r["event"] == event]
        cited = tables["event_history_sources"]
        return [
            {
                "date": e["date"],
                "status": e["status"],
                "note": e["note"],
                "sources": [s["source"] for s in cited if (s["event"], s["entry"]) == (event, e["entry"])],
            }
            for e in entries
        ]

    return {
        "actors": [
            {
                **a,
                "aliases": linked("actor_aliases", "actor", a["id"], "alias"),
                "roles": [{k: r[k] for k in ("title", "since", "until")} for r in tables["actor_roles"]
                          if r["actor"] == a["id"]],
                "sources": sources("actors", a["id"]),
            }
            for a in tables["actors"]
        ],
        "sources": tables["sources"],
        "topics": [{**t, "sources": sources("topics", t["id"])} for t in tables["topics"]],
        "events": [
            {
                **e,
                "origins": int(e["origins"]),
                "participants": linked("event_participants", "event", e["id"], "actor"),
                "topics": linked("event_topics", "event", e["id"], "topic"),
                "sources": sources("events", e["id"]),
                "history": history(e["id"]),
                "after": order("event_after", "event", e["id"]),
                "before": order("event_before", "event", e["id"]),
            }
            for e in tables["events"]
        ],
        "positions": [
            {
                **p,
                "origins": int(p["origins"]),
                "contests": linked("position_contests", "position", p["id"], "record"),
                "sources": sources("positions", p["id"]),
                "after": order("position_after", "position", p["id"]),
                "before": order("position_before", "position", p["id"]),
            }
            for p in tables["positions"]
        ],
    }  # fmt: skip


@pytest.fixture(scope="module", params=[SMALL, VIEWS], ids=["kb-small", "kb-views"])
def csv_export(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the knowledge base, the directory it was exported to as CSV)"""
    target = tmp_path_factory.mktemp("csv") / "out"
    result = export("csv", "-o", str(target), data=request.param)
    assert (result.code, result.out, result.err) == (0, "", f"wrote {target}\n")
    return request.param, target


def test_csv_round_trips_every_field(csv_export: tuple[Path, Path]) -> None:
    data, target = csv_export
    assert sorted(p.name for p in target.iterdir()) == sorted(f"{name}.csv" for name in CSV_HEADERS)
    tables = read_csv_dir(target)
    kb = load(data)
    assert rebuild(tables) == kb_dicts(kb)  # control characters, quotes and non-ASCII text come back exactly
    for row in tables["position_contests"]:
        assert row["kind"] == {"Event": "events", "Position": "positions"}[type(kb.by_id[row["record"]]).__name__]


def test_csv_is_utf8_with_crlf_rows(csv_export: tuple[Path, Path]) -> None:
    data, target = csv_export
    if data == SMALL:
        raw = (target / "actor_aliases.csv").read_bytes()
        assert raw.decode("utf-8").startswith("actor,alias\r\nnordin,Asa Nordin\r\nnordin,Нордин\r\n")


def test_csv_reexport_replaces_the_directory_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "out"
    assert export("csv", "-o", str(target), data=SMALL).code == 0
    assert export("csv", "-o", str(target), "--actor", "nordin", data=SMALL).code == 0
    tables = read_csv_dir(target)
    assert ids(tables["events"]) == ["summit-2025", "address"]  # in time order: 2025 where 2025 begins
    assert os.listdir(tmp_path) == ["out"]


def test_csv_of_an_empty_selection_still_has_every_header(tmp_path: Path) -> None:
    target = tmp_path / "out"
    result = export("csv", "-o", str(target), "--since", "2030", data=SMALL)
    assert (result.code, result.err) == (0, f"wrote {target}\n")
    for name, header in CSV_HEADERS.items():
        raw = (target / f"{name}.csv").read_bytes()
        assert raw.startswith(",".join(header).encode() + b"\r\n"), name
        if name.startswith(("event", "position")):  # nothing selected: the header alone
            assert raw == ",".join(header).encode() + b"\r\n", name
    assert read_csv_dir(target)["events"] == []


def test_csv_refuses_to_replace_a_folder_of_other_files(tmp_path: Path) -> None:
    folder = write_kb(tmp_path / "mine", {"notes.txt": "keep me", "actors.csv": "mine too"})
    result = export("csv", "-o", str(folder), data=SMALL)
    assert result.code == 1
    assert "holds files an export did not write (notes.txt)" in result.err
    assert (folder / "notes.txt").read_text() == "keep me"
    assert (folder / "actors.csv").read_text() == "mine too"
    plain_file = write_kb(tmp_path, {"file.csv": "x"}) / "file.csv"
    result = export("csv", "-o", str(plain_file), data=SMALL)
    assert result.code == 1
    assert "is a file, and this writes a folder" in result.err and plain_file.read_text() == "x"


def test_csv_follows_a_link_to_an_earlier_export_and_keeps_the_folders_mode(tmp_path: Path) -> None:
    real = tmp_path / "exports" / "csv"
    real.parent.mkdir()
    assert export("csv", "-o", str(real), data=SMALL).code == 0
    real.chmod(0o750)
    link = tmp_path / "latest"
    link.symlink_to(real)
    result = export("csv", "-o", str(link), "--actor", "nordin", data=SMALL)
    assert result.code == 0, result.err
    assert link.is_symlink() and ids(read_csv_dir(real)["events"]) == ["summit-2025", "address"]
    assert real.stat().st_mode & 0o777 == 0o750


# csv: formulas in the data

# A cell a spreadsheet would run as a formula: each trigger character, with the classic DDE payload.
FORMULAS = {
    "=": "=cmd|' /C calc'!A0",
    "+": "+1+cmd|' /C calc'!A0",
    "-": "-2+3",
    "@": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}
HARMLESS = ["a=b", "x -1", " =1", "'=1"]  # a trigger inside, after a space or after a quote stays as it is


def formula_kb(folder: Path) -> Path:
    """One actor per cell above, as its name and as its alias (a link table)."""
    names = [*FORMULAS.values(), *HARMLESS]
    actors = "".join(
        f"  - id: a{i}\n    name: {json.dumps(n)}\n    kind: person\n    aliases: [{json.dumps(n)}]\n"
        for i, n in enumerate(names)
    )
    return write_kb(folder, {"kb.yaml": "actors:\n" + actors})


def test_csv_export_neutralises_formulas_by_default_and_is_exact_on_request(tmp_path: Path) -> None:
    data = formula_kb(tmp_path / "kb")
    for name, args in (("default", []), ("safe", ["--csv-safe"]), ("exact", ["--csv-exact"])):
        result = export("csv", "-o", str(tmp_path / name), *args, data=data)
        assert (result.code, result.err) == (0, f"wrote {tmp_path / name}\n")
    exact = [*FORMULAS.values(), *HARMLESS]
    guarded = [*("'" + cell for cell in FORMULAS.values()), *HARMLESS]
    for name, expected in (("default", guarded), ("safe", guarded), ("exact", exact)):
        tables = read_csv_dir(tmp_path / name)
        assert [r["name"] for r in tables["actors"]] == expected, name
        assert [r["alias"] for r in tables["actor_aliases"]] == expected, name
        assert [r["id"] for r in tables["actors"]] == [f"a{i}" for i in range(len(exact))], name


def test_format_csv_in_a_pipe_is_exact_unless_csv_safe_is_given(tmp_path: Path) -> None:
    data = str(formula_kb(tmp_path / "kb"))
    exact = run("actors", "--format", "csv", "--data", data)
    safe = run("actors", "--format", "csv", "--csv-safe", "--data", data)
    assert exact.code == safe.code == 0
    # --format csv shows a carriage return as the escape \x0d (as everywhere), which starts no formula.
    triggers = [cell for key, cell in FORMULAS.items() if key != "cr"]
    shown = [*triggers, "\\x0d=1+1", *HARMLESS]
    guarded = [*("'" + cell for cell in triggers), "\\x0d=1+1", *HARMLESS]
    for result, expected in ((exact, shown), (safe, guarded)):
        rows = list(csv.DictReader(io.StringIO(result.out)))
        assert [r["id"] for r in rows] == [f"a{i}" for i in range(len(shown))]
        assert [r["name"] for r in rows] == expected
        assert [r["aliases"] for r in rows] == expected


def test_sqlite_keeps_formula_text_exact(tmp_path: Path) -> None:
    data, db = formula_kb(tmp_path / "kb"), tmp_path / "kb.db"
    assert export("sqlite", "-o", str(db), data=data).code == 0
    with sqlite3.connect(db) as connection:
        names = [name for (name,) in connection.execute("SELECT name FROM actors ORDER BY rowid")]
    assert names == [*FORMULAS.values(), *HARMLESS]


@pytest.mark.parametrize("command", [["actors"], ["timeline", "--kind", "talks"], ["export", "json"]])
def test_csv_safe_is_refused_where_it_means_nothing(command: list[str]) -> None:
    option, message = (
        ("--csv-exact", "is for csv, not json") if command[0] == "export" else ("--csv-safe", "is for --format csv")
    )
    result = run(*command, option, "--data", str(SMALL))
    assert (result.code, result.out) == (2, "")
    assert option in result.err and message in result.err, result.err


@pytest.mark.parametrize("command", ["actors", "export"])
def test_help_says_how_csv_guards_against_formulas(command: str) -> None:
    out = run(command, "--help").out
    assert "--csv-safe" in out and "formula" in out
    assert ("--csv-exact" in out) == (command == "export")


# sqlite


@pytest.fixture(scope="module")
def views_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("sqlite") / "views.db"
    result = export("sqlite", "-o", str(target), data=VIEWS)
    assert (result.code, result.out, result.err) == (0, "", f"wrote {target}\n")
    return target


def query(db: Path, sql: str, *params: Any) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(sql, params).fetchall()


def test_sqlite_has_a_table_per_kind_and_per_link_with_every_row(views_db: Path) -> None:
    tables = {name for (name,) in query(views_db, "SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(CSV_HEADERS) | {"positions_fts", "events_fts"} <= tables
    kb = load(VIEWS)
    for kind, n in kb.counts().items():
        assert query(views_db, f"SELECT count(*) FROM {kind}") == [(n,)], kind
    citations = sum(len(r.sources) for kind in ("actors", "topics", "events", "positions") for r in getattr(kb, kind))
    assert query(views_db, "SELECT count(*) FROM record_sources") == [(citations,)] == [(12,)]


def test_sqlite_columns_keep_dates_as_written_and_add_sortable_days(views_db: Path) -> None:
    columns = [row[1] for row in query(views_db, "PRAGMA table_info(events)")]
    assert columns == [*CSV_HEADERS["events"], "date_start", "date_end", "time_order"]
    rows = query(views_db, "SELECT id, date, date_start, date_end FROM events ORDER BY time_order")
    assert rows == [
        ("talks-1", "2025-05-09", "2025-05-09", "2025-05-09"),
        ("exchange-1", "2025-06", "2025-06-01", "2025-06-30"),
        ("summit-1", "2025-08-01", "2025-08-01", "2025-08-01"),
    ]
    assert query(views_db, "SELECT date, date_start FROM sources WHERE id = 's-undated'") == [(None, None)]
    indexes = {name for (name,) in query(views_db, "SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"events_date_start", "positions_date_start", "positions_actor", "event_participants_actor"} <= indexes
    assert {"events_time_order", "positions_time_order"} <= indexes


def test_sqlite_days_and_time_order_follow_after_and_before(tmp_path: Path) -> None:
    """`late` is after `early` on the same day, and `vague` (2025) after the talks of 16 May: date_start and
    date_end are the days each may fall on, time_order keeps the order within a day."""
    data = write_kb(
        tmp_path / "kb",
        {
            "kb.yaml": """
        actors: [{id: a, name: A, kind: person}]
        topics: [{id: t, name: T}]
        sources: [{id: s, title: S, publisher: P}]
        events: [{id: talks, title: Talks, date: 2025-05-16, sources: [s]}]
        positions:
          - {id: late, actor: a, topic: t, stance: rejects, claim: x, date: 2025-05-16, sources: [s], after: [early]}
          - {id: early, actor: a, topic: t, stance: supports, claim: x, date: 2025-05-16, sources: [s]}
          - {id: vague, actor: a, topic: t, stance: supports, claim: x, date: 2025, sources: [s], after: [talks]}
    """
        },
    )
    target = tmp_path / "kb.db"
    assert export("sqlite", "-o", str(target), data=data).code == 0
    rows = query(target, "SELECT id, date, date_start, date_end, time_order FROM positions ORDER BY time_order")
    assert rows == [
        ("vague", "2025", "2025-05-16", "2025-12-31", 2),  # from the same first day, the wider span first
        ("early", "2025-05-16", "2025-05-16", "2025-05-16", 3),
        ("late", "2025-05-16", "2025-05-16", "2025-05-16", 4),
    ]
    assert query(target, "SELECT id, time_order FROM events") == [("talks", 1)]  # one ranking across both tables


def test_sqlite_joins_through_link_tables(views_db: Path) -> None:
    names = query(
        views_db,
        "SELECT a.name FROM event_participants p JOIN actors a ON a.id = p.actor WHERE p.event = ? ORDER BY a.name",
        "summit-1",
    )
    assert names == [("Alphaland",), ("Betaland",), ("Gamma Mediator",)]
    history = query(
        views_db,
        "SELECT h.entry, h.status, s.title FROM event_history h JOIN event_history_sources hs USING (event, entry) "
        "JOIN sources s ON s.id = hs.source WHERE h.event = 'summit-1' ORDER BY h.entry",
    )
    assert history == [(1, "scheduled", "Summit planned"), (2, "postponed", "Summit postponed")]
    contested = query(views_db, "SELECT position, record, kind FROM position_contests")
    assert contested == [("beta-summit-no-date", "summit-1", "events")]


def test_sqlite_full_text_search_over_claims(views_db: Path) -> None:
    found = query(
        views_db,
        "SELECT p.id FROM positions_fts JOIN positions p ON p.rowid = positions_fts.rowid "
        "WHERE positions_fts MATCH ? ORDER BY p.id",
        "ceasefire",
    )
    assert found == [("alpha-ceasefire-july",), ("alpha-ceasefire-may",), ("beta-ceasefire-may",)]
    # Datasette's own test for a table's search index: a virtual table declaring content="<table>".
    datasette_sql = "SELECT name FROM sqlite_master WHERE rootpage = 0 AND sql LIKE ?"
    assert query(views_db, datasette_sql, '%VIRTUAL TABLE%USING FTS%content="positions"%') == [("positions_fts",)]
    assert query(views_db, "SELECT id FROM events WHERE rowid IN "
                 "(SELECT rowid FROM events_fts WHERE events_fts MATCH 'summit')") == [("summit-1",)]  # fmt: skip


def fts_matches(connection: sqlite3.Connection, fts: str, content: str, words: str) -> list[str]:
    sql = f"SELECT c.id FROM {fts} JOIN {content} c ON c.rowid = {fts}.rowid WHERE {fts} MATCH ? ORDER BY c.id"
    return [row_id for (row_id,) in connection.execute(sql, (words,))]


def test_sqlite_full_text_search_follows_edits(views_db: Path, tmp_path: Path) -> None:
    """The triggers keep the index right: an updated claim is found by its new words only, a deleted one not at
    all, an inserted one at once; FTS5's own check against the table agrees."""
    db = tmp_path / "edited.db"
    shutil.copy(views_db, db)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE positions SET claim = 'A zebra crossing.' WHERE id = 'beta-ceasefire-may'")
        connection.execute("UPDATE events SET summary = 'Okapi talks.' WHERE id = 'talks-1'")
        connection.execute("DELETE FROM positions WHERE id = 'alpha-ceasefire-may'")
        connection.execute(
            "INSERT INTO positions (id, actor, topic, stance, claim, quote, date, origins, time_order) "
            "VALUES ('new', 'gamma', 'summit', 'supports', 'A ceasefire first.', 'Quagga', '2025', 1, 99)"
        )
        assert fts_matches(connection, "positions_fts", "positions", "zebra") == ["beta-ceasefire-may"]
        assert fts_matches(connection, "positions_fts", "positions", "ceasefire") == ["alpha-ceasefire-july", "new"]
        assert fts_matches(connection, "positions_fts", "positions", "quagga") == ["new"]
        assert fts_matches(connection, "events_fts", "events", "okapi") == ["talks-1"]
        for fts in ("positions_fts", "events_fts"):  # rank 1: the index is compared with the table's rows
            connection.execute(f"INSERT INTO {fts} ({fts}, rank) VALUES ('integrity-check', 1)")
    triggers = query(db, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name")
    assert triggers == [(f"{t}_{s}",) for t in ("events", "positions") for s in ("ad", "ai", "au")]


def test_sqlite_utils_finds_the_search_index(views_db: Path, tmp_path: Path) -> None:
    """sqlite-utils (a check, when installed: not a dependency) finds the FTS table and its triggers by their
    names and searches through them."""
    sqlite_utils = pytest.importorskip("sqlite_utils")
    db = tmp_path / "kb.db"
    shutil.copy(views_db, db)
    database = sqlite_utils.Database(db)
    assert database["positions"].detect_fts() == "positions_fts"
    assert database["events"].detect_fts() == "events_fts"
    database.execute("UPDATE positions SET claim = 'A zebra crossing.' WHERE id = 'gamma-summit'")
    assert [row["id"] for row in database["positions"].search("zebra")] == ["gamma-summit"]
    database["positions"].disable_fts()  # it knows the triggers as its own: none is left to write to a lost table
    assert database.triggers == [t for t in database.triggers if t.table == "events"]


def test_sqlite_positions_named_view(views_db: Path, tmp_path: Path) -> None:
    rows = query(
        views_db,
        "SELECT id, actor, actor_name, topic, topic_name, event, event_title, source_titles "
        "FROM positions_named ORDER BY time_order",
    )
    assert len(rows) == query(views_db, "SELECT count(*) FROM positions")[0][0]
    named = {row[0]: row[1:] for row in rows}
    assert named["alpha-ceasefire-may"] == (
        "alpha", "Alphaland", "ceasefire", "Ceasefire", "talks-1", "First talks", "Talks begin"
    )  # fmt: skip
    assert named["alpha-ceasefire-july"][-1] == "Summit postponed; Talks begin"  # in the order cited
    assert named["gamma-summit"][:2] == ("gamma", "Gamma Mediator") and named["gamma-summit"][4:6] == (None, None)
    # An event a filter left out has no title to show, but the position is still there.
    target = tmp_path / "alpha.db"
    assert export("sqlite", "-o", str(target), "--since", "2025-07", data=VIEWS).code == 0
    assert query(target, "SELECT id, event, event_title FROM positions_named WHERE event IS NOT NULL") == []
    assert query(views_db, "SELECT type FROM sqlite_master WHERE name = 'positions_named'") == [("view",)]


def test_sqlite_search_ignores_case_and_diacritics(tmp_path: Path) -> None:
    from talkbase.ask.filter import Filter
    from talkbase.show.exports import select, write_export

    kb = write_kb(tmp_path / "kb", {"kb.yaml": """
        actors:
          - {id: erdogan, name: Recep Tayyip Erdoğan, kind: person}
        topics:
          - {id: talks, name: Talks}
        sources:
          - {id: s, title: S, publisher: P}
        positions:
          - {id: p, actor: erdogan, topic: talks, stance: proposes, claim: Erdoğan offered Istanbul., date: 2025,
             sources: [s]}
        """})  # fmt: skip
    target = tmp_path / "kb.db"
    write_export("sqlite", select(load(kb), Filter(), dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)), target)
    assert query(target, "SELECT rowid FROM positions_fts WHERE positions_fts MATCH 'ERDOGAN'") == [(1,)]


def test_sqlite_foreign_keys_are_declared_and_enforced(views_db: Path) -> None:
    assert query(views_db, "PRAGMA foreign_key_check") == []
    declared = lambda table: {(row[3], row[2]) for row in query(views_db, f"PRAGMA foreign_key_list({table})")}  # noqa: E731
    assert declared("positions") == {("actor", "actors"), ("topic", "topics")}  # event: it may be filtered out
    assert declared("actors") == {("affiliation", "actors")} and declared("sources") == {("via", "sources")}
    assert declared("event_participants") == {("event", "events"), ("actor", "actors")}
    with sqlite3.connect(views_db) as connection:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("INSERT INTO event_participants VALUES ('talks-1', 'gamma')")
        for sql in (
            "INSERT INTO event_participants VALUES ('talks-1', 'nobody')",
            "INSERT INTO positions (id, actor, topic, stance, claim, date) VALUES ('p', 'nobody', 'summit', "
            "'supports', 'c', '2025')",
            "INSERT INTO event_history_sources VALUES ('summit-1', 9, 's-may')",
        ):
            with pytest.raises(sqlite3.IntegrityError):
                connection.execute(sql)
        connection.rollback()


def test_sqlite_reexport_replaces_the_file_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "kb.db"
    assert export("sqlite", "-o", str(target), data=VIEWS).code == 0
    held_open = sqlite3.connect(target)  # a reader of the old file keeps reading the old file
    assert export("sqlite", "-o", str(target), "--actor", "gamma", data=VIEWS).code == 0
    assert query(target, "SELECT id FROM events") == [("summit-1",)]
    assert held_open.execute("SELECT count(*) FROM events").fetchone() == (3,)
    held_open.close()
    assert os.listdir(tmp_path) == ["kb.db"]
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask  # as shareable as any file written plainly


def test_sqlite_filtered_export_keeps_references_to_events_left_out(tmp_path: Path) -> None:
    target = tmp_path / "nordin.db"
    assert export("sqlite", "-o", str(target), "--actor", "nordin", data=SMALL).code == 0
    assert query(target, "SELECT id FROM events") == [("address",), ("summit-2025",)]
    # round-1 is not exported, but the position still says where it was stated.
    assert query(target, "SELECT event FROM positions WHERE id = 'nordin-ceasefire-may'") == [("round-1",)]
    assert query(target, "PRAGMA foreign_key_check") == []


def test_an_interrupted_export_leaves_the_old_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from talkbase.ask.filter import Filter
    from talkbase.show.exports import csv as csv_export
    from talkbase.show.exports import select, sqlite, write_export

    chosen = select(load(VIEWS), Filter(), dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc))
    db, folder = tmp_path / "kb.db", tmp_path / "csv"
    write_export("sqlite", chosen, db)
    write_export("csv", chosen, folder)
    before = (db.read_bytes(), sorted(p.read_bytes() for p in folder.iterdir()))

    def interrupted(_export: Any, path: Path) -> None:
        (path / "actors.csv" if path.is_dir() else path).write_bytes(b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(sqlite, "write", interrupted)
    monkeypatch.setattr(csv_export, "write", interrupted)
    for name, target in (("sqlite", db), ("csv", folder)):
        with pytest.raises(KeyboardInterrupt):
            write_export(name, chosen, target)
    assert (db.read_bytes(), sorted(p.read_bytes() for p in folder.iterdir())) == before
    assert sorted(os.listdir(tmp_path)) == ["csv", "kb.db"]


# ics


def export_bytes(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    """`talkbase export ARGS` with stdout as bytes, to see its line endings as they are."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBASE_")}
    command = [sys.executable, "-m", "talkbase", "export", *args]
    return subprocess.run(command, cwd=REPO, env={**full_env, **env}, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def small_ics() -> tuple[bytes, str]:
    done = export_bytes("ics", "--data", str(SMALL), env=EPOCH)
    assert done.returncode == 0, done.stderr
    return done.stdout, done.stderr.decode("utf-8")


def vevents(raw: bytes) -> dict[str, Any]:
    from icalendar import Calendar

    calendar = Calendar.from_ical(raw)
    assert (str(calendar["VERSION"]), str(calendar["PRODID"]).startswith("-//talkbase//")) == ("2.0", True)
    return {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_ics_has_all_day_events_with_stable_uids(small_ics: tuple[bytes, str]) -> None:
    events = vevents(small_ics[0])
    assert sorted(events) == ["address@talkbase", "round-0@talkbase", "round-1@talkbase", "round-3@talkbase"]
    first = events["round-1@talkbase"]
    assert (first["DTSTART"].dt, first["DTEND"].dt) == (dt.date(2025, 5, 16), dt.date(2025, 5, 17))
    assert not isinstance(first["DTSTART"].dt, dt.datetime)
    assert first["DTSTART"].params["VALUE"] == "DATE"
    assert (str(first["SUMMARY"]), str(first["LOCATION"])) == ("First round of talks", "Harbourtown")
    assert str(first["DESCRIPTION"]) == (
        "The first direct talks in three years; a [bold]prisoner exchange[/bold] was agreed.\n\n"
        "Sources:\n- Talks open in Harbourtown (The Daily Planet, 2025-05-17) https://dailyplanet.example/talks-open"
    )
    assert first["DTSTAMP"].dt == dt.datetime(2025, 6, 15, 15, 6, 40, tzinfo=dt.timezone.utc)
    # A multi-day event ends the day after its last day (DTEND is exclusive).
    several = events["round-0@talkbase"]
    assert (several["DTSTART"].dt, several["DTEND"].dt) == (dt.date(2025, 4, 30), dt.date(2025, 5, 3))
    assert str(several["SUMMARY"]) == "Preliminary contacts \\x1b[31mred\\x1b[0m"  # no control characters


def test_ics_status_mapping(small_ics: tuple[bytes, str]) -> None:
    events = vevents(small_ics[0])
    statuses = {uid.split("@")[0]: str(e["STATUS"]) for uid, e in events.items()}
    assert statuses == {"round-1": "CONFIRMED", "address": "CONFIRMED", "round-3": "TENTATIVE", "round-0": "CANCELLED"}
    postponed = vevents(export_bytes("ics", "--data", str(VIEWS), env={}).stdout)["summit-1@talkbase"]
    assert (str(postponed["STATUS"]), str(postponed["SUMMARY"])) == ("TENTATIVE", "Postponed: Summit of leaders")
    assert "Status: postponed." in str(postponed["DESCRIPTION"])


def test_ics_leaves_out_events_without_a_day_and_says_so(small_ics: tuple[bytes, str]) -> None:
    assert small_ics[1] == (
        "note: left out summit-2025: its date 2025 has no day\nnote: left out round-2: its date 2025-06 has no day\n"
    )


def test_ics_leaves_out_an_event_whose_end_has_no_day(tmp_path: Path) -> None:
    from talkbase.ask.filter import Filter
    from talkbase.show.exports import render, select

    kb = write_kb(tmp_path, {"kb.yaml": """
        sources:
          - {id: s, title: S, publisher: P}
        events:
          - {id: e, title: Late July into August, date: 2025-07-30, end: 2025-08, sources: [s]}
          - {id: f, title: On a day, date: 2025-09-01, sources: [s]}
        """})  # fmt: skip
    document = render("ics", select(load(kb), Filter(), dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)))
    assert document.notes == ("left out e: its end 2025-08 has no day",)
    assert list(vevents(document.text.encode("utf-8"))) == ["f@talkbase"]


# ics and timelinejs: nothing to write

EARLIER = "an earlier export, kept"


@pytest.mark.parametrize("fmt", ["ics", "timelinejs"])
def test_an_empty_selection_writes_nothing_and_says_so_as_a_listing_does(tmp_path: Path, fmt: str) -> None:
    """An iCalendar file needs an event (RFC 5545) and TimelineJS refuses a timeline without one: no document,
    said as `timeline` says it, with its exit code; a file named with -o is not made, or kept as it was."""
    listing = run("timeline", "--since", "2030", "--data", str(SMALL))
    assert (listing.code, listing.out, listing.err) == (0, "", "no events match\n")
    piped = export(fmt, "--since", "2030", data=SMALL)
    assert (piped.code, piped.out, piped.err) == (listing.code, "", listing.err)
    target = tmp_path / f"talks.{fmt}"
    result = export(fmt, "--since", "2030", "-o", str(target), data=SMALL)
    assert (result.code, result.out, result.err) == (listing.code, "", listing.err)
    assert os.listdir(tmp_path) == []
    target.write_text(EARLIER)
    assert export(fmt, "--since", "2030", "-o", str(target), data=SMALL).code == 0
    assert target.read_text() == EARLIER and os.listdir(tmp_path) == [target.name]


def test_ics_with_no_event_on_a_day_writes_nothing_and_says_why(tmp_path: Path) -> None:
    target = tmp_path / "talks.ics"
    target.write_text(EARLIER)
    result = export("ics", "--actor", "Nordin", "--until", "2025-06", "-o", str(target), data=SMALL)
    assert (result.code, result.out) == (0, "")
    assert result.err == "note: left out summit-2025: its date 2025 has no day\nno events with a day match\n"
    assert target.read_text() == EARLIER


def test_ics_lines_are_crlf_folded_and_escaped(small_ics: tuple[bytes, str]) -> None:
    raw = small_ics[0]
    lines = raw.split(b"\r\n")
    assert lines[-1] == b"" and b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 75 for line in lines)
    assert all(line.decode("utf-8") for line in lines if line)  # never folded inside a character
    text = raw.decode("utf-8")
    assert "DESCRIPTION:The first direct talks in three years\\; a [bold]" in text
    assert "(The Daily Planet\\, 2025-05-17)" in text.replace("\r\n ", "")


def test_ics_fold_counts_octets_not_characters() -> None:
    from talkbase.show.exports.ics import fold

    line = "SUMMARY:" + "Зеленський, " * 30
    folded = fold(line).encode("utf-8").split(b"\r\n")
    assert all(len(part) <= 75 for part in folded)
    assert all(part.startswith(b" ") for part in folded[1:])
    assert b"".join(part[1:] if i else part for i, part in enumerate(folded)).decode("utf-8") == line
    assert fold("SHORT:x") == "SHORT:x"


def test_ics_to_a_file_is_reproducible_and_a_bad_source_date_epoch_is_refused(
    tmp_path: Path, small_ics: tuple[bytes, str]
) -> None:
    target = tmp_path / "talks.ics"
    result = export("ics", "-o", str(target), data=SMALL, env=EPOCH)
    assert (result.code, result.out) == (0, "")
    assert result.err == small_ics[1] + f"wrote {target}\n"
    assert target.read_bytes() == small_ics[0]  # the same bytes in another run: SOURCE_DATE_EPOCH is DTSTAMP
    bad = export("ics", data=SMALL, env={"SOURCE_DATE_EPOCH": "yesterday"})
    assert bad.code == 2
    assert "SOURCE_DATE_EPOCH must be a whole number of seconds" in bad.err


# timelinejs


def test_timelinejs_slides_at_each_dates_precision() -> None:
    result = export("timelinejs", data=SMALL)
    assert result.code == 0
    document = json.loads(result.out)
    assert document["title"]["text"]["headline"]
    slides = {s["unique_id"]: s for s in document["events"]}
    assert list(slides) == ["summit-2025", "round-0", "round-1", "round-2", "address", "round-3"]  # time order
    assert slides["round-1"]["start_date"] == {"year": 2025, "month": 5, "day": 16}
    assert slides["round-2"]["start_date"] == {"year": 2025, "month": 6}
    assert slides["summit-2025"]["start_date"] == {"year": 2025}
    assert slides["round-0"]["end_date"] == {"year": 2025, "month": 5, "day": 2}
    assert "end_date" not in slides["round-1"]
    assert {s["group"] for s in slides.values()} == {"talks", "address", "summit"}
    assert slides["round-3"]["text"]["headline"] == "Third round of talks"
    assert "<em>Scheduled</em>" in slides["round-3"]["text"]["text"]
    text = slides["round-1"]["text"]["text"]
    assert text.startswith("<p>The first direct talks in three years; a [bold]prisoner exchange[/bold] was agreed.</p>")
    assert '<a href="https://dailyplanet.example/talks-open">Talks open in Harbourtown</a>' in text


# TimelineJS3's JSON format as its documentation describes it (timeline.knightlab.com/docs/json-format.html):
# `events` required, slides with a `start_date` (but the title), dates of whole numbers, text as two strings.
_TL_DATE = {
    "type": "object",
    "required": ["year"],
    "properties": {
        **{part: {"type": "integer"} for part in ("year", "month", "day", "hour", "minute", "second", "millisecond")},
        "display_date": {"type": "string"},
    },
    "additionalProperties": False,
}
_TL_TEXT = {"type": "object", "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
            "additionalProperties": False}  # fmt: skip
_TL_SLIDE = {
    "type": "object",
    "properties": {
        "start_date": _TL_DATE, "end_date": _TL_DATE, "text": _TL_TEXT, "group": {"type": "string"},
        "display_date": {"type": "string"}, "unique_id": {"type": "string"}, "autolink": {"type": "boolean"},
        "media": {"type": "object", "required": ["url"]}, "background": {"type": "object"},
    },
    "additionalProperties": False,
}  # fmt: skip
TIMELINEJS_FORMAT = {
    "type": "object",
    "required": ["events"],
    "properties": {
        "title": _TL_SLIDE,
        "events": {"type": "array", "minItems": 1, "items": {**_TL_SLIDE, "required": ["start_date"]}},
        "eras": {"type": "array"},
        "scale": {"enum": ["human", "cosmological"]},
    },
    "additionalProperties": False,
}


@pytest.mark.parametrize("data", [SMALL, VIEWS, REPO / "data"], ids=["kb-small", "kb-views", "bundled"])
def test_timelinejs_follows_the_documented_format(data: Path) -> None:
    from jsonschema import Draft202012Validator

    result = export("timelinejs", data=data)
    assert result.code == 0, result.err
    document = json.loads(result.out)
    assert list(Draft202012Validator(TIMELINEJS_FORMAT).iter_errors(document)) == []
    slides = document["events"]
    assert len({s["unique_id"] for s in slides}) == len(slides)  # TimelineJS needs them unique
    for slide in slides:
        for end in ("start_date", "end_date"):
            if end in slide:  # a real day, as TimelineJS's Date would read it
                date = slide[end]
                dt.date(date["year"], date.get("month", 1), date.get("day", 1))


@pytest.mark.parametrize(
    ("folder", "data", "name"),
    [
        ("talks/data", "talks/data", "talks"),  # as `talkbase init talks` makes it
        ("negotiations", "negotiations", "negotiations"),
        ("one", "one/talks-2025.yaml", "one"),
        (
            "<img src=x onerror=f()> Q&A/data",
            "<img src=x onerror=f()> Q&A/data",
            "&lt;img src=x onerror=f()&gt; Q&amp;A",
        ),
    ],
)
def test_timelinejs_title_slide_names_the_knowledge_base(tmp_path: Path, folder: str, data: str, name: str) -> None:
    records = "sources: [{id: s, title: S}]\nevents: [{id: e, title: Talks, date: 2025-07-01, sources: [s]}]\n"
    write_kb(tmp_path / folder, {Path(data).name if data.endswith(".yaml") else "kb.yaml": records})
    result = run("export", "timelinejs", "--data", str(tmp_path / data))
    assert result.code == 0, result.err
    title = json.loads(result.out)["title"]["text"]
    assert title == {"headline": name, "text": "1 event, from talkbase"}


def test_timelinejs_keeps_the_line_breaks_of_a_summary(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", {"kb.yaml": """
        sources:
          - {id: s, title: S}
        events:
          - id: e
            title: Talks
            date: 2025-07-01
            summary: |-
              First <b>line</b>.

              Second & last.
            sources: [s]
        """})  # fmt: skip
    text = json.loads(export("timelinejs", data=kb).out)["events"][0]["text"]["text"]
    assert text.startswith("<p>First &lt;b&gt;line&lt;/b&gt;.<br><br>Second &amp; last.</p>")
    assert "\n" not in text


def test_timelinejs_escapes_html_from_the_data(tmp_path: Path) -> None:
    kb = write_kb(tmp_path, {"kb.yaml": """
        sources:
          - id: s
            title: Q&A <live>
            url: https://example.org/?a=1&b="2"
        events:
          - id: e
            title: <script>alert("1")</script>
            date: 2025-07-01
            summary: Fish & chips
            sources: [s]
          - id: f
            title: '&lt;b&gt; &amp;lt;'
            date: 2025-07-02
            kind: '&lt;img src=x onerror=alert(1)&gt;'
            sources: [s]
        """})  # fmt: skip
    slide, entity = json.loads(export("timelinejs", data=kb).out)["events"]
    assert slide["text"]["headline"] == "&lt;script&gt;alert(&quot;1&quot;)&lt;/script&gt;"
    assert slide["text"]["text"] == (
        '<p>Fish &amp; chips</p><p>Sources: <a href="https://example.org/?a=1&amp;b=&quot;2&quot;">Q&amp;A &lt;live&gt;'
        "</a></p>"
    )
    assert "group" not in slide
    assert entity["text"]["headline"] == "&amp;lt;b&amp;gt; &amp;amp;lt;"  # entities in the data stay text
    # TimelineJS takes the text of `group` (one unescape) and then writes that as HTML: escaped twice.
    assert entity["group"] == "&amp;amp;lt;img src=x onerror=alert(1)&amp;amp;gt;"


def test_timelinejs_writes_no_string_from_the_data_unescaped(tmp_path: Path) -> None:
    hostile = json.dumps("<img src=x onerror='a'> &lt;i&gt; &amp;lt; \"q\" \u202e")  # a YAML "string" too
    kb = write_kb(tmp_path, {"kb.yaml": f"""
        sources:
          - id: s
            title: {hostile}
            publisher: {hostile}
            url: https://example.org/?q="x"&y=<z>
        events:
          - id: e
            title: {hostile}
            date: 2025-07-01
            status: postponed
            kind: {hostile}
            location: {hostile}
            summary: {hostile}
            sources: [s]
        """})  # fmt: skip
    result = export("timelinejs", data=kb)
    assert result.code == 0, result.err

    def strings(value: Any) -> list[str]:
        if isinstance(value, dict):
            return [s for v in value.values() for s in strings(v)]
        if isinstance(value, list):
            return [s for v in value for s in strings(v)]
        return [value] if isinstance(value, str) else []

    found = strings(json.loads(result.out))
    assert sum(text.count("onerror") for text in found) == 6  # title, kind, summary, location, source, publisher
    for text in found:
        bare = re.sub(r'</?(p|em)>|<br>|<a href="[^"<>]*">|</a>', "", text)  # talkbase's own markup
        assert not re.search(r"[<>\"']|&(?!(amp|lt|gt|quot|#x27);)", bare), text
        assert "\u202e" not in bare  # control characters are shown as escapes, as everywhere


# filters


def test_filters_narrow_events_and_positions_as_the_timeline_does() -> None:
    for args in (["--actor", "Судов"], ["--since", "2025-07", "--until", "2025-07-21"],
                 ["--topic", "summit", "--source", "planet-july"]):  # fmt: skip
        document = export_json(*args, data=SMALL)
        shown = json.loads(run("timeline", "--positions", *args, "--format", "json", "--data", str(SMALL)).out)
        for kind, singular in (("events", "event"), ("positions", "position")):
            expected = [{k: v for k, v in r.items() if k != "type"} for r in shown if r["type"] == singular]
            exported = [{k: v for k, v in r.items() if k != "origins"} for r in document[kind]]  # the export adds it
            assert sorted(exported, key=lambda r: r["id"]) == sorted(expected, key=lambda r: r["id"]), args
            assert expected, args
        assert [len(document[k]) for k in ("actors", "sources", "topics")] == [7, 3, 3], args  # always whole


def test_known_at_exports_what_was_known_then() -> None:
    document = export_json("--known-at", "2025-06-20", data=VIEWS)
    events = {e["id"]: e for e in document["events"]}
    # exchange-1 (2025-06, an undated source) is known only from the end of June
    assert list(events) == ["talks-1", "summit-1"]
    # Published by 2025-06-20: the summit was scheduled; the postponement came on 2025-07-20.
    assert events["summit-1"]["status"] == "scheduled"
    assert [h["status"] for h in events["summit-1"]["history"]] == ["scheduled"]
    known = json.loads(run("positions", "--known-at", "2025-06-20", "--format", "json", "--data", str(VIEWS)).out)
    assert sorted(ids(document["positions"])) == sorted(ids(known))
    assert "beta-summit-no-date" not in ids(document["positions"])  # stated 06-20, published 07-20
    assert len(load(VIEWS).positions) > len(known)


# usage


@pytest.mark.parametrize("fmt", ["csv", "sqlite"])
def test_csv_and_sqlite_need_an_output_path(fmt: str) -> None:
    result = export(fmt, data=SMALL)
    assert (result.code, result.out) == (2, "")
    assert f"{fmt} writes a" in result.err and "-o PATH" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["xml"], "unknown format `xml` (use one of json, csv, sqlite, ics, timelinejs)"),
        (["SQ"], "sqlite writes a file: say where with -o PATH"),  # any case, a prefix
        (["json", "--since", "July"], "malformed date `July`"),
        (["json", "--actor", "nobody"], "actor `nobody` not found"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = export(*args, data=SMALL)
    assert (result.code, result.out) == (2, "")
    assert message in result.err


def test_an_unwritable_place_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    result = export("json", "-o", str(tmp_path / "missing" / "kb.json"), data=SMALL)
    assert result.code == 1
    assert result.err.startswith("talkbase: error: cannot write ")
    assert "Traceback" not in result.err


def test_help_examples_run_on_the_bundled_kb(tmp_path: Path) -> None:
    for command in ("export", "schema"):
        out = run(command, "--help").out
        assert "--data" in out or command == "schema"
        block = out.split("Examples:", 1)[1].split("\n\n", 1)[0]
        for line in block.strip().splitlines():
            words = line.split()
            assert words[0] == "talkbase"
            result = run(*words[1:], cwd=tmp_path)
            assert result.code == 0, (line, result.err)
            if "-o" in words:
                target = words[words.index("-o") + 1]
                assert (tmp_path / target).exists(), line
                assert re.search(rf"wrote {re.escape(target)}\n$", result.err), line


def test_dash_means_stdout_for_text_formats_and_is_refused_for_the_others() -> None:
    result = run("export", "json", "-o", "-")
    assert result.code == 0 and json.loads(result.out)["format_version"] == 1
    assert not (REPO / "-").exists()
    refused = run("export", "csv", "-o", "-")
    assert refused.code == 2 and "csv writes a directory" in refused.err and "Traceback" not in refused.err


# saved pictures (--save)


@pytest.mark.parametrize("command", ["timeline", "matrix"])
@pytest.mark.parametrize("suffix", ["svg", "html"])
def test_saved_pictures_refer_to_nothing_outside_themselves(tmp_path: Path, command: str, suffix: str) -> None:
    """No web font, style sheet, script or image to fetch: a saved picture opens offline, and opening it tells no
    server. The SVG is well-formed XML; its one http URL is the SVG namespace, a name that nothing fetches."""
    target = tmp_path / f"picture.{suffix}"
    result = run(command, "--save", str(target), "--data", str(VIEWS))
    assert (result.code, result.err) == (0, f"saved {target}\n")
    text = target.read_text(encoding="utf-8")
    assert re.findall(r"https?://[^\s\"'<>()]*", text) == (["http://www.w3.org/2000/svg"] if suffix == "svg" else [])
    assert "@import" not in text and "<link" not in text.lower() and "<script" not in text.lower()
    assert all(u.startswith("#") for u in re.findall(r"url\(\s*([^)]*)\)", text))  # the SVG's own clip paths
    assert not re.search(r"\b(src|href)\s*=", text)
    assert 'ui-monospace, "Cascadia Code", "DejaVu Sans Mono"' in text
    if suffix == "svg":
        root = ElementTree.fromstring(text)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert "Betaland" in "".join(root.itertext()).replace("\xa0", " ")
