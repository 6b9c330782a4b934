"""talkbase schema: a JSON Schema generated from the field specs, which accepts every knowledge base talkbase
accepts and rejects the mistakes a single file shows (checked with the jsonschema package); named by `$id`, every
field described, every pattern one RE2 compiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from talkbase.records.schema import KINDS, with_vocabulary
from talkbase.show.schema_json import json_schema, settings_schema

from conftest import FIXTURES, REPO, run

ERRORS = FIXTURES / "errors"


class EditorLoader(yaml.SafeLoader):
    """YAML as the YAML language server reads it (YAML 1.2): `2025-07-23` is text, not a date object.

    yaml.safe_load would turn unquoted days into datetime.date (and fail on 2025-02-30), which no editor does."""


EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(path: Path) -> Any:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=EditorLoader)  # a SafeLoader


@pytest.fixture(scope="module")
def validator() -> Draft202012Validator:
    schema = json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def failures(validator: Draft202012Validator, document: Any) -> list[tuple[str, str]]:
    """(path of the failing value, the JSON Schema keyword that failed) for every error."""
    return sorted(("/".join(map(str, e.absolute_path)), e.validator) for e in validator.iter_errors(document))


def test_the_schema_is_generated_from_the_field_specs(validator: Draft202012Validator) -> None:
    schema = json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert list(schema["properties"]) == list(KINDS)
    for kind in KINDS.values():
        record = schema["$defs"][kind.singular]
        assert list(record["properties"]) == kind.field_names
        assert record["required"] == [f.name for f in kind.fields if f.required]
        assert record["additionalProperties"] is False
        for spec in kind.fields:
            if spec.vocab:
                assert record["properties"][spec.name]["enum"] == list(spec.vocab)
    history = schema["$defs"]["event"]["properties"]["history"]["items"]
    assert list(history["properties"]) == ["date", "status", "sources", "note"]
    assert history["required"] == ["date", "status", "sources"]


@pytest.mark.parametrize(
    "root", [REPO / "data", FIXTURES / "kb-small", FIXTURES / "kb-views"], ids=["bundled", "kb-small", "kb-views"]
)
def test_accepts_every_file_of_the_valid_knowledge_bases(validator: Draft202012Validator, root: Path) -> None:
    files = sorted(p for p in root.rglob("*") if p.suffix in (".yaml", ".yml"))
    assert files
    for path in files:
        assert failures(validator, load_yaml(path)) == [], path


REJECTED = {
    "unknown-field": [("events/0", "additionalProperties"), ("sources/0", "additionalProperties")],
    "missing-field": [("actors/0", "required"), ("events/0", "required"), ("positions/0", "required"),
                      ("positions/0", "required")],
    "bad-id": [("actors/0/id", "pattern"), ("actors/1/id", "pattern"), ("actors/2/id", "pattern"),
               ("actors/3/id", "type")],
    "unknown-vocabulary": [("actors/0/kind", "enum"), ("events/0/status", "enum"), ("positions/0/stance", "enum"),
                           ("sources/0/kind", "enum")],
    "wrong-type": [("actors/0/aliases", "type"), ("actors/1/affiliation", "type"), ("actors/1/name", "type"),
                   ("actors/1/roles", "type"), ("actors/2/aliases/1", "type"), ("actors/2/description", "type"),
                   ("actors/2/roles/0", "required"), ("events/0/sources", "type"), ("events/0/summary", "type"),
                   ("events/1/participants/1", "type"), ("events/1/sources", "minItems"), ("sources/0/date", "anyOf"),
                   ("sources/0/url", "pattern")],
    # 2025-02-30 has the shape of a date; only `talkbase check` knows February has no 30th.
    "bad-date": [("events/1/date", "anyOf"), ("events/2/date", "anyOf"), ("events/3/date", "anyOf"),
                 ("events/5/date", "anyOf"), ("events/6/date", "anyOf"), ("events/7/date", "anyOf"),
                 ("sources/0/date", "anyOf")],
    "unknown-top-level-key": [("", "additionalProperties")],
    "kind-not-a-list": [("actors", "type")],
    "empty-record": [("actors/1", "type"), ("actors/2", "required"), ("actors/2", "required"),
                     ("actors/2", "required"), ("actors/3", "type"), ("topics/0", "type")],
}  # fmt: skip


@pytest.mark.parametrize("name", list(REJECTED))
def test_rejects_the_mistakes_a_single_file_shows(validator: Draft202012Validator, name: str) -> None:
    assert failures(validator, load_yaml(ERRORS / name / "kb.yaml")) == REJECTED[name]


@pytest.mark.parametrize(
    ("value", "valid"),
    [(2025, True), ("2025", True), ("2025-07", True), ("2025-07-23", True), (999, False), ("0000", False),
     ("2025-7", False), ("2025-07-32", False), ("23.07.2025", False), (True, False), (2025.5, False)],
)  # fmt: skip
def test_dates_as_written_or_a_bare_year(validator: Draft202012Validator, value: Any, valid: bool) -> None:
    document = {"sources": [{"id": "s", "title": "T", "date": value}]}
    assert (failures(validator, document) == []) is valid


def test_empty_files_and_empty_kinds_are_fine(validator: Draft202012Validator) -> None:
    assert failures(validator, None) == []
    assert failures(validator, {"events": None, "actors": []}) == []
    assert failures(validator, {"topics": [{"id": "t", "name": "  "}]}) == [("topics/0/name", "pattern")]


def test_schema_command_prints_it_or_writes_it_atomically(tmp_path: Path) -> None:
    printed = run("schema")
    assert (printed.code, printed.err) == (0, "")
    assert json.loads(printed.out) == json_schema()
    target = tmp_path / "talkbase.schema.json"
    written = run("schema", "-o", str(target))
    assert (written.code, written.out, written.err) == (0, "", f"wrote {target}\n")
    assert target.read_text(encoding="utf-8") == printed.out
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def walk(value: Any, path: str = "") -> list[tuple[str, str, Any]]:
    """(path, key, value) for every key of every mapping in a schema."""
    if isinstance(value, dict):
        return [item for k, v in value.items() for item in [(path, k, v), *walk(v, f"{path}/{k}")]]
    if isinstance(value, list):
        return [item for i, v in enumerate(value) for item in walk(v, f"{path}/{i}")]
    return []


SCHEMAS = {
    "kb": json_schema(),
    "declared": json_schema(with_vocabulary((("actor_kinds", ("party",)),))),
    "settings": settings_schema(),
}


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_pattern_compiles_in_re2(name: str) -> None:
    """No look-ahead or other backtracking-only syntax: validators built on RE2 (or Go's and Rust's regex) accept
    the schema as well."""
    import re2

    patterns = [value for _, key, value in walk(SCHEMAS[name]) if key == "pattern"]
    assert patterns
    for pattern in patterns:
        re2.compile(pattern)  # raises re2.error on a look-ahead


@pytest.mark.parametrize("name", list(SCHEMAS))
def test_every_field_is_described_and_the_schema_has_an_id(name: str) -> None:
    schema = SCHEMAS[name]
    assert schema["$id"].startswith("urn:talkbase:schema:") and " " not in schema["$id"]
    fields = [(f"{path}/{field}", spec) for path, key, value in walk(schema) if key == "properties"
              for field, spec in value.items()]  # fmt: skip
    assert len(fields) >= (3 if name == "settings" else 60)
    for where, spec in fields:
        description = spec.get("description", "")
        assert description[:1].isupper() and description.endswith((".", "...")), where


@pytest.mark.parametrize(
    ("item", "valid"),
    [("round-2", True), ("2025-07", True), ("2025-07-23", True), (2025, True), ("v2025", True),
     ("2025-13", False), ("2025-1", False), ("2025-07-40", False), ("0000", False)],
)  # fmt: skip
def test_after_and_before_take_ids_or_dates(validator: Draft202012Validator, item: Any, valid: bool) -> None:
    """An item shaped like a date is read as a date (as `check` reads it), so a date that is not one is no id."""
    document = {"events": [{"id": "e", "title": "T", "date": "2025", "sources": ["s"], "after": [item]}]}
    assert (failures(validator, document) == []) is valid


@pytest.mark.parametrize(("value", "valid"), [("0001", True), ("0999", True), ("1000", True), ("9999-12-31", True)])
def test_years_from_0001(validator: Draft202012Validator, value: str, valid: bool) -> None:
    assert (failures(validator, {"sources": [{"id": "s", "title": "T", "date": value}]}) == []) is valid


def test_settings_schema_takes_every_setting(tmp_path: Path) -> None:
    Draft202012Validator.check_schema(settings_schema())
    validator = Draft202012Validator(settings_schema())
    good = {"actor_kinds": ["party"], "source_kinds": None, "queries": {"ceasefire": "topic:ceasefire", "r.2": "@x"}}
    assert failures(validator, good) == []
    assert failures(validator, {"queries": {"Bad Name": "x"}}) == [("queries", "pattern")]
    assert failures(validator, {"queries": {"x": 1}}) == [("queries/x", "type")]
    assert failures(validator, {"query": {}}) == [("", "additionalProperties")]
    assert run("init", str(tmp_path / "talks")).code == 0  # the settings file it writes, comments and all
    assert failures(validator, load_yaml(tmp_path / "talks" / "data" / "talkbase.yaml")) == []
