"""A knowledge base's settings file, talkbase.yaml: the actor and source kinds a curator adds, used by check,
add, the actors filter, completion and the JSON Schema; its own mistakes reported like any file's."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from conftest import run, talkbase_env, write_kb

PARTIES = """
actors:
  - id: uup
    name: Ulster Unionist Party
    kind: party
  - id: trimble
    name: David Trimble
    kind: person
    affiliation: uup
sources:
  - id: gfa
    title: The Belfast Agreement
    publisher: UK Government
    kind: agreement-text
topics:
  - id: decommissioning
    name: Decommissioning
positions:
  - id: uup-decommissioning
    actor: uup
    topic: decommissioning
    stance: conditional
    claim: No government with Sinn Féin before decommissioning starts.
    date: 1998-04
    sources: [gfa]
"""
SETTINGS = "# what this knowledge base adds\nactor_kinds: [party]\nsource_kinds: [agreement-text]\n"


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    write_kb(tmp_path / "data", {"records.yaml": PARTIES, "talkbase.yaml": SETTINGS})
    return tmp_path


def test_declared_kinds_are_accepted_and_the_settings_file_is_no_records_file(kb: Path) -> None:
    result = run("check", cwd=kb)
    assert result.code == 0, result.out
    assert result.out.startswith("1 file, 2 actors, 1 source, 1 topic, 0 events, 1 position: 0 errors, 0 warnings")


def test_without_the_declaration_a_kind_is_an_error_that_says_how_to_declare_it(kb: Path) -> None:
    (kb / "data" / "talkbase.yaml").write_text("source_kinds: [agreement-text]\n", encoding="utf-8")
    result = run("check", cwd=kb)
    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "data/records.yaml:4:11: error: unknown kind `party` (use one of person, state, organization, delegation, "
        "group, or declare it in talkbase.yaml: `actor_kinds: [party]`)"
    )


def test_a_changed_settings_file_is_seen_through_the_parse_cache(kb: Path) -> None:
    assert run("check", cwd=kb).code == 0
    settings = kb / "data" / "talkbase.yaml"
    settings.write_text("actor_kinds: []\nsource_kinds: [agreement-text]\n", encoding="utf-8")
    assert run("check", cwd=kb).code == 1
    settings.write_text(SETTINGS, encoding="utf-8")
    assert run("check", cwd=kb).code == 0
    settings.unlink()
    assert run("check", cwd=kb).code == 1


WORD = "is not a word of lowercase letters, digits, `.`, `_` and `-` (e.g. `party`)"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("actor_kind: [party]\n", "1:1: error: unknown setting `actor_kind` (did you mean `actor_kinds`?)"),
        ("actor_kinds: party\n", "1:14: error: `actor_kinds` must be a list of words, e.g. `actor_kinds: [party]`"),
        ("actor_kinds: [Party]\n", f"1:15: error: `actor_kinds`: 'Party' {WORD}"),
        (
            "actor_kinds: [party\n",
            "1:14: error: invalid YAML: the `[` that opens `actor_kinds`'s value is not closed (close it: "
            "`actor_kinds: [party]`)",
        ),
        ("- x\n", "1:1: error: the settings file must be a mapping of settings (write e.g. `actor_kinds: [party]`)"),
    ],
)
def test_mistakes_in_the_settings_file_are_located(kb: Path, text: str, expected: str) -> None:
    (kb / "data" / "talkbase.yaml").write_text(text, encoding="utf-8")
    result = run("check", cwd=kb)
    assert result.code == 1
    assert f"data/talkbase.yaml:{expected}" in result.out.splitlines()


def test_the_actors_filter_takes_declared_kinds(kb: Path) -> None:
    result = run("actors", "--kind", "party", "--format", "csv", cwd=kb)
    assert result.code == 0, result.err
    assert result.out.splitlines()[1].startswith("uup,Ulster Unionist Party,party,")
    assert len(result.out.splitlines()) == 2
    wrong = run("actors", "--kind", "partie", cwd=kb)
    assert wrong.code == 2
    assert "unknown kind `partie` (did you mean `party`?)" in wrong.err


def test_add_takes_declared_kinds_and_refuses_others(kb: Path) -> None:
    added = run("add", "actor", "--name", "Social Democratic and Labour Party", "--kind", "party", cwd=kb)
    assert added.code == 0, added.err
    assert "kind: party" in (kb / "data" / "records.yaml").read_text(encoding="utf-8")
    wrong = run("add", "actor", "--name", "Sinn Féin", "--kind", "partyy", cwd=kb)
    assert wrong.code == 2
    assert "--kind: unknown kind `partyy` (did you mean `party`?)" in wrong.err


def test_completion_offers_declared_kinds(kb: Path) -> None:
    script = Path(sys.executable).parent / "talkbase"
    env = {**talkbase_env(), "_TALKBASE_COMPLETE": "complete_bash", "COMP_CWORD": "3"}
    env["COMP_WORDS"] = "talkbase actors --kind p"
    done = subprocess.run([str(script)], env=env, cwd=kb, capture_output=True, text=True, timeout=60)
    assert done.stdout.split() == ["person", "party"]


def test_the_json_schema_has_the_declared_kinds_and_one_for_the_settings_file(kb: Path) -> None:
    schema = json.loads(run("schema", cwd=kb).out)
    assert "party" in schema["$defs"]["actor"]["properties"]["kind"]["enum"]
    assert "agreement-text" in schema["$defs"]["source"]["properties"]["kind"]["enum"]
    settings = Draft202012Validator(json.loads(run("schema", "--settings", cwd=kb).out))
    assert settings.is_valid({"actor_kinds": ["party"], "source_kinds": ["agreement-text"]})
    assert not settings.is_valid({"actor_kind": ["party"]})
    assert not settings.is_valid({"actor_kinds": ["Party"]})


def test_check_of_the_settings_file_alone(kb: Path) -> None:
    (kb / "data" / "talkbase.yaml").write_text("actor_kinds: [party]\nsource_kind: [x]\n", encoding="utf-8")
    result = run("check", "data/talkbase.yaml", cwd=kb)
    assert result.code == 1
    assert result.out.splitlines()[0].startswith("data/talkbase.yaml:2:1: error: unknown setting `source_kind`")
    assert "data/records.yaml" not in result.out
