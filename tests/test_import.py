"""`talkbase import` and `talkbase add --from -`, run as real commands on small and bundled knowledge bases."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from conftest import REPO, run

SOURCE = "kyiv-independent-2025-07-talks-resume"
EPOCH = {"SOURCE_DATE_EPOCH": "0"}


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "data", tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def empty(tmp_path: Path) -> Path:
    (tmp_path / "empty" / "data").mkdir(parents=True)
    return tmp_path / "empty" / "data"


@pytest.fixture
def state(tmp_path: Path) -> dict[str, str]:
    return {"XDG_STATE_HOME": str(tmp_path / "state")}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def records(data: Path) -> str:
    return run("export", "json", "--data", str(data), env=EPOCH).out


POSITION = {
    "actor": "zelensky",
    "topic": "ceasefire",
    "stance": "rejects",
    "claim": "No freeze of the front.",
    "date": "2025-07-22",
    "sources": [SOURCE],
}


# Round trips ------------------------------------------------------------------------------------------------


def test_export_json_then_import_into_an_empty_kb_gives_the_same_records(tmp_path: Path, empty: Path) -> None:
    exported = tmp_path / "all.json"
    exported.write_text(records(REPO / "data"), encoding="utf-8")
    result = run("import", str(exported), "--data", str(empty))
    assert result.code == 0, result.err
    # 16 actors (with the summary's unnamed author), 3 sources, 11 topics, 4 events, 24 positions
    assert result.out.startswith("imported 58 records into 5 files\n")
    assert records(empty) == records(REPO / "data")


def test_export_csv_then_import_into_an_empty_kb_gives_the_same_records(tmp_path: Path, empty: Path) -> None:
    assert run("export", "csv", "-o", str(tmp_path / "csv")).code == 0
    result = run("import", str(tmp_path / "csv"), "--data", str(empty))
    assert result.code == 0, result.err
    assert records(empty) == records(REPO / "data")


def test_jsonl_with_types_and_yaml_round_trip(tmp_path: Path, empty: Path) -> None:
    document = json.loads(records(REPO / "data"))
    lines = [json.dumps({"type": kind, **r}) for kind in document if kind != "format_version" for r in document[kind]]
    (tmp_path / "all.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert run("import", str(tmp_path / "all.jsonl"), "--data", str(empty)).code == 0
    assert records(empty) == records(REPO / "data")
    # The import wrote one file per kind: together they are one YAML file of the record format.
    together = "".join(path.read_text(encoding="utf-8") for path in sorted(empty.glob("*.yaml")))
    again = tmp_path / "again" / "data"
    again.mkdir(parents=True)
    assert run("import", "-", "--format", "yaml", "--data", str(again), stdin=together).code == 0
    assert records(again) == records(REPO / "data")


def test_what_show_and_the_listings_print_imports_without_their_computed_fields(tmp_path: Path, empty: Path) -> None:
    kinds = {"sources": "source", "topics": "topic", "actors": "actor"}  # each refers to those before it
    shutil.copytree(REPO / "data" / "texts", empty / "texts")  # the sources' texts, which listings name
    for command, kind in kinds.items():
        out = run(command, "--format", "jsonl").out
        result = run("import", "-", "--format", "jsonl", "--kind", kind, "--data", str(empty), stdin=out)
        assert result.code == 0, result.err
    for event in json.loads(records(REPO / "data"))["events"]:
        shown = run("show", event["id"], "--format", "json").out
        assert run("import", "-", "--format", "json", "--data", str(empty), stdin=shown).code == 0
    sole = run("sources", "--sole", "--format", "json").out  # each with its `origin`
    result = run("import", "-", "-f", "json", "--kind", "position", "--dry-run", "--data", str(empty), stdin=sole)
    assert result.code == 0, result.err
    positions = run("positions", "--format", "json").out
    result = run("import", "-", "--format", "json", "--kind", "position", "--data", str(empty), stdin=positions)
    assert result.code == 0, result.err
    for kind in ("actors", "sources", "topics", "events", "positions"):
        got, want = json.loads(records(empty))[kind], json.loads(records(REPO / "data"))[kind]
        assert sorted(got, key=lambda r: r["id"]) == sorted(want, key=lambda r: r["id"])


def test_the_csv_reader_knows_every_table_the_export_writes() -> None:
    from talkbase.records.model import KnowledgeBase
    from talkbase.show.exports import Export
    from talkbase.show.exports.tables import tables
    from talkbase.write.import_csv import TABLES

    empty = Export(KnowledgeBase(), [], [], stamp=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))
    exported = {t.name: tuple(t.column_names) for t in tables(empty)}
    assert exported == {n: tuple(c for c in t.columns if c not in t.lists) for n, t in TABLES.items()}


# Each format, ids, duplicates ----------------------------------------------------------------------------------


def test_yaml_from_stdin_gets_ids_made_as_add_makes_them(kb: Path) -> None:
    text = f"""\
topics:
  - name: Energy grid
  - name: Energy grid
positions:
  - {{actor: zelensky, topic: energy-grid, stance: supports, claim: Grid., date: 2025-07, sources: [{SOURCE}]}}
"""
    result = run("import", "-", "--format", "yaml", "--allow-duplicate", "--data", str(kb), stdin=text)  # two alike
    assert result.code == 0, result.err
    assert result.out.splitlines()[0] == "imported 3 records into 2 files"
    topics = (kb / "topics.yaml").read_text(encoding="utf-8")
    assert "- id: energy-grid\n" in topics and "- id: energy-grid-2\n" in topics
    assert "id: zelensky-energy-grid-2025-07" in (kb / "positions" / "ukraine.yaml").read_text(encoding="utf-8")
    assert run("check", "--data", str(kb)).code == 0


def test_a_csv_table_alone_is_known_by_its_header(kb: Path) -> None:
    text = "id,name,description\r\nenergy,Energy,'=SUM(A1)\r\n"
    result = run("import", "-", "--format", "csv", "--data", str(kb), stdin=text)
    assert result.code == 0, result.err
    assert "description: =SUM(A1)" in (kb / "topics.yaml").read_text(encoding="utf-8")


def test_dry_run_says_where_and_writes_nothing(kb: Path, tmp_path: Path) -> None:
    before = snapshot(kb)
    (tmp_path / "p.json").write_text(json.dumps({"positions": [POSITION]}), encoding="utf-8")
    result = run("import", str(tmp_path / "p.json"), "--dry-run", "--data", str(kb))
    assert result.code == 0, result.err
    assert result.out.splitlines()[:2] == ["would import 1 record into 1 file", f"  {kb}/positions/ukraine.yaml: 1"]
    assert "position `zelensky-ceasefire-2025-07-22` at line" in result.out
    assert snapshot(kb) == before


def test_a_duplicate_is_refused_unless_allowed(kb: Path, tmp_path: Path, state: dict[str, str]) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"positions": [POSITION, POSITION]}), encoding="utf-8")
    before = snapshot(kb)
    refused = run("import", str(tmp_path / "p.json"), "--data", str(kb), env=state)
    assert refused.code == 1
    assert "duplicate-position" in refused.err or "repeats" in refused.err
    assert snapshot(kb) == before
    allowed = run("import", str(tmp_path / "p.json"), "--allow-duplicate", "--data", str(kb), env=state)
    assert allowed.code == 0, allowed.err
    text = (kb / "positions" / "ukraine.yaml").read_text(encoding="utf-8")
    assert "zelensky-ceasefire-2025-07-22\n" in text and "zelensky-ceasefire-2025-07-22-2\n" in text


def test_import_into_a_named_file(kb: Path, tmp_path: Path) -> None:
    (tmp_path / "p.jsonl").write_text(json.dumps({"type": "position", **POSITION}) + "\n", encoding="utf-8")
    result = run("import", str(tmp_path / "p.jsonl"), "--file", str(kb / "new.yaml"), "--data", str(kb))
    assert result.code == 0, result.err
    assert (kb / "new.yaml").read_text(encoding="utf-8").startswith("positions:\n  - id: zelensky-ceasefire-2025")


# Bad rows: nothing written, the place in the import file ------------------------------------------------------


BAD = {
    "yaml": ("p.yaml", "positions:\n  - id: a1\n    actor: zelensky\n    topic: nowhere\n", "p.yaml:4:12: error"),
    "json": ("p.json", '{"positions": [\n  {"id": "a1", "actor": "nobody"}\n]}\n', "p.json:2:"),
    "jsonl": (
        "p.jsonl",
        '{"type": "topic", "name": "Fine"}\n{"type": "topic", "nme": "Typo"}\n',
        "p.jsonl:2:19: error",
    ),
    "csv": ("topics.csv", "id,name,descripton\r\nok,Fine,\r\n", "topics.csv:1:3: error: unknown column `descripton`"),
}


@pytest.mark.parametrize("fmt", list(BAD))
def test_a_bad_record_leaves_every_file_untouched_and_is_shown_in_place(
    fmt: str, kb: Path, tmp_path: Path, state: dict[str, str]
) -> None:
    name, text, expected = BAD[fmt]
    (tmp_path / name).write_text(text, encoding="utf-8")
    before = snapshot(kb)
    result = run("import", str(tmp_path / name), "--data", str(kb), cwd=tmp_path, env=state)
    assert result.code == 1
    assert expected in result.err, result.err
    assert "nothing was written" in result.err
    assert snapshot(kb) == before


def test_a_bad_cell_in_a_csv_folder_points_at_its_file_row_and_column(
    tmp_path: Path, empty: Path, state: dict[str, str]
) -> None:
    folder = tmp_path / "csv"
    assert run("export", "csv", "-o", str(folder)).code == 0
    links = folder / "event_participants.csv"
    links.write_text(links.read_text(encoding="utf-8") + "istanbul-round-1,nobody\r\n", encoding="utf-8")
    lines = links.read_text(encoding="utf-8").count("\n")
    result = run("import", "csv", "--data", str(empty), cwd=tmp_path, env=state)
    assert result.code == 1
    assert f"csv/event_participants.csv:{lines}:2: error" in result.err, result.err
    assert not list(empty.iterdir())
    assert "talkbase import " in result.err  # how to resume from the draft
    draft = tmp_path / result.err.split("talkbase import ")[-1].strip()
    assert draft.read_text(encoding="utf-8").startswith("# A talkbase draft")


def test_a_refused_import_can_be_resumed_from_its_draft(kb: Path, tmp_path: Path, state: dict[str, str]) -> None:
    (tmp_path / "p.json").write_text(json.dumps({"positions": [{**POSITION, "topic": "energy"}]}), encoding="utf-8")
    result = run("import", str(tmp_path / "p.json"), "--data", str(kb), env=state)
    assert result.code == 1
    draft = Path(result.err.split("talkbase import ")[-1].strip())  # absolute: outside the current folder
    draft.write_text(draft.read_text(encoding="utf-8").replace("topic: energy", "topic: ceasefire"), encoding="utf-8")
    resumed = run("import", str(draft), "--data", str(kb), env=state)
    assert resumed.code == 0, resumed.err
    assert not draft.exists()


HOSTILE = {
    "formula": ("t.csv", b"id,name,description\r\nx,=HYPERLINK(),\r\n", "t.csv:2:2: error: a cell starting with `=`"),
    "not utf-8": ("t.yaml", b"topics:\n  - id: x\n    name: \xff\n", "t.yaml:3:11: error: file is not valid UTF-8"),
    "a number": ("t.json", b"42\n", "t.json:1:1: error: a JSON import must be an object"),
    "unsafe tag": ("t.yaml", b"topics:\n  - !!python/object:os.system {}\n", "unsafe YAML tag"),
    "merge key": (
        "t.yaml",
        b"topics:\n  - &a {id: x, name: X}\n  - <<: *a\n",
        "is written once but read twice",
    ),  # merged whole, the id too
    "bad json": ("t.json", b'{"topics": [1,]}', "t.json:1:15: error: invalid JSON"),
    "deep json": ("t.json", b"[" * 100 + b"]" * 100, "nested more than"),
    "huge": ("t.csv", b"id,name\n" + b"x" * 1_100_000 + b",y\n", "longer than"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_input_is_a_clear_error(case: str, kb: Path, tmp_path: Path) -> None:
    name, data, expected = HOSTILE[case]
    (tmp_path / name).write_bytes(data)
    before = snapshot(kb)
    result = run("import", name, "--data", str(kb), cwd=tmp_path)
    assert result.code == 1, result.err
    assert expected in result.err and "Traceback" not in result.err
    assert snapshot(kb) == before


def test_control_characters_in_data_are_escaped_in_what_is_printed(kb: Path) -> None:
    text = '{"type": "topic", "id": "x", "name": "\\u001b[31mred", "bogus\\u001b]0;": 1}\n'
    result = run("import", "-", "--format", "jsonl", "--data", str(kb), stdin=text)
    assert result.code == 1
    assert "\x1b" not in result.err and "\\x1b" in result.err


def test_usage_errors(kb: Path, tmp_path: Path) -> None:
    assert "--format" in run("import", "-", "--data", str(kb)).err
    (tmp_path / "x.txt").write_text("", encoding="utf-8")
    assert run("import", str(tmp_path / "x.txt"), "--data", str(kb)).code == 2
    assert "did you mean" in run("import", "-", "-f", "jsonl", "--kind", "positon", "--data", str(kb)).err


# add --from - ------------------------------------------------------------------------------------------------


def test_add_from_stdin_takes_the_draft_and_never_asks(kb: Path) -> None:
    draft = "positions:\n  - actor: zelensky\n    topic: ceasefire\n    stance: rejects\n    claim: No.\n"
    draft += f"    date: 2025-07-23\n    sources: [{SOURCE}]\n"
    result = run("add", "position", "--from", "-", "--data", str(kb), stdin=draft)
    assert result.code == 0, result.err
    assert "added position `zelensky-ceasefire-2025-07-23`" in result.out
    missing = run("add", "position", "--from", "-", "--data", str(kb), stdin="positions:\n  - actor: zelensky\n")
    assert missing.code == 2
    assert "--topic" in missing.err


BARE = f"actor: Volodymyr Zelensky\ntopic: ceasefire\nstance: rej\nclaim: No.\ndate: 2025-07-23\nsources: [{SOURCE}]\n"


@pytest.mark.parametrize("draft", [BARE, "- " + BARE.replace("\n", "\n  ").rstrip() + "\n"], ids=["fields", "item"])
def test_add_from_stdin_takes_a_record_alone_and_says_what_it_read_otherwise(kb: Path, draft: str) -> None:
    result = run("add", "position", "--from", "-", "--dry-run", "--data", str(kb), stdin=draft)
    assert result.code == 0, result.err
    assert "    actor: zelensky\n    topic: ceasefire\n    stance: rejects\n" in result.out
    assert "talkbase: note: the draft: `actor`: `Volodymyr Zelensky` read as `zelensky`" in result.err
    assert "talkbase: note: the draft: `stance`: `rej` read as `rejects`" in result.err


def test_a_bad_draft_gets_every_problem_at_its_place_and_no_doubled_labels(kb: Path) -> None:
    unknown = run("add", "position", "--from", "-", "--data", str(kb), stdin="actr: zelensky\n")
    assert unknown.code == 2
    assert unknown.err.startswith("<stdin>:1:1: error: unknown field `actr` (did you mean `actor`?)\n")
    assert unknown.err.endswith("talkbase: error: the draft has 1 problem (above); nothing was written\n")
    bad_date = run("add", "position", "--from", "-", "--data", str(kb), stdin=BARE.replace("2025-07-23", "2025-7-23"))
    assert bad_date.code == 2
    assert "talkbase: error: the draft: `date`: malformed date `2025-7-23`" in bad_date.err
    two = run("add", "position", "--from", "-", "--data", str(kb), stdin="positions:\n  - {id: a}\n  - {id: b}\n")
    assert "a draft holds one position: its fields, or `positions:` with one record under it; found 2" in two.err


def test_an_import_killed_half_way_is_put_back_whole_and_blocks_other_writers(tmp_path: Path, empty: Path) -> None:
    """Two new files and one changed one: killed after the first is written, the journal makes `add` and
    `import` wait, and `talkbase mv --recover` leaves the knowledge base exactly as it was."""
    (empty / "actors.yaml").write_text("actors:\n  - id: a\n    name: A\n    kind: person\n", encoding="utf-8")
    before = snapshot(empty)
    batch = tmp_path / "batch.yaml"
    batch.write_text(
        "actors:\n  - id: b\n    name: B\n    kind: person\n"
        "topics:\n  - id: t\n    name: T\n"
        "sources:\n  - id: s\n    title: S\n    publisher: P\n"
        "positions:\n  - {id: p, actor: b, topic: t, stance: supports, claim: Yes., date: 2025, sources: [s]}\n",
        encoding="utf-8",
    )
    killed = run("import", str(batch), "--data", str(empty), env={"TALKBASE_TEST_KILL_AFTER_REPLACING": "1"})
    assert killed.code == -9
    assert snapshot(empty) != before  # one file was replaced, and the journal is there
    for blocked in (
        run("add", "topic", "--name", "U", "--data", str(empty)),
        run("import", str(batch), "--data", str(empty)),
    ):
        assert blocked.code == 1
        assert "left its journal in" in blocked.err and "talkbase mv --recover" in blocked.err
    recovered = run("mv", "--recover", "--data", str(empty))
    assert recovered.code == 0, recovered.err
    assert snapshot(empty) == before
    assert run("import", str(batch), "--data", str(empty)).code == 0
    assert run("check", "--data", str(empty)).code == 0


def test_a_hand_written_csv_needs_no_id_column_and_may_list_in_one_cell(tmp_path: Path, empty: Path) -> None:
    topics = tmp_path / "topics.csv"
    topics.write_text("name\nPolicing\nParades\n", encoding="utf-8")
    assert run("import", str(topics), "--data", str(empty)).code == 0
    positions = tmp_path / "positions.csv"  # a listing's CSV: `talkbase positions --format csv`
    positions.write_text(run("positions", "--format", "csv").out, encoding="utf-8")
    rest = json.loads(records(REPO / "data"))
    del rest["positions"]
    (tmp_path / "rest.json").write_text(json.dumps(rest), encoding="utf-8")
    assert run("import", str(tmp_path / "rest.json"), "--data", str(empty)).code == 0
    result = run("import", str(positions), "--data", str(empty))
    assert result.code == 0, result.err
    bundled = {p["id"]: p for p in json.loads(records(REPO / "data"))["positions"]}
    imported = {p["id"]: p for p in json.loads(records(empty))["positions"]}
    assert imported == bundled


def test_no_draft_is_kept_when_part_of_the_file_could_not_be_read(tmp_path: Path, kb: Path, state: dict) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"type": "topic", "name": "Prisoner releases"}\n{"type": "topic", "name": "Policing", }\n')
    result = run("import", str(bad), "--data", str(kb), env=state)
    assert result.code == 1
    assert "bad.jsonl:2:39: error: invalid JSON" in result.err
    assert "could not be read (above), so no draft was kept: fix it, then import it." in result.err
    assert not list(Path(state["XDG_STATE_HOME"]).rglob("*.yaml"))


def test_an_option_replaces_the_drafts_value_even_a_bad_one(kb: Path) -> None:
    draft = BARE.replace(f"[{SOURCE}]", "[Nowhere Times]")
    result = run("add", "position", "--from", "-", "--source", SOURCE, "--dry-run", "--data", str(kb), stdin=draft)
    assert result.code == 0, result.err
    assert f"    sources: [{SOURCE}]\n" in result.out


def test_import_makes_an_id_even_when_a_name_is_written_for_an_id(kb: Path, tmp_path: Path) -> None:
    record = {"type": "position", **POSITION, "actor": "Volodymyr Zelensky"}
    (tmp_path / "p.jsonl").write_text(json.dumps(record) + "\n")
    result = run("import", str(tmp_path / "p.jsonl"), "--data", str(kb))
    assert result.code == 1
    assert "missing required field `id`" not in result.err
    wanted = "actor `Volodymyr Zelensky` not found (that names `zelensky`, but references are by id: write `zelensky`)"
    assert wanted in result.err
