"""The record writer: YAML in the house style, spliced into a file without changing a byte of what is there."""

from __future__ import annotations

import pytest
import yaml

from talkbase.load.loader import Loaded, load_text
from talkbase.write.writer import AppendError, insert_record, record_yaml

POSITION = {
    "id": "new-one",
    "actor": "zelensky",
    "topic": "ceasefire",
    "stance": "rejects",
    "claim": "Said: no 'freeze' # not a comment",
    "date": "2025-07-21",
    "sources": ["a", "b"],
}


def records_of(text: str) -> Loaded:
    loaded = Loaded()
    load_text(text, "f.yaml", loaded)
    return loaded


def test_record_yaml_is_in_the_house_style() -> None:
    assert record_yaml("positions", POSITION) == (
        "- id: new-one\n"
        "  actor: zelensky\n"
        "  topic: ceasefire\n"
        "  stance: rejects\n"
        "  claim: 'Said: no ''freeze'' # not a comment'\n"
        "  date: 2025-07-21\n"
        "  sources: [a, b]\n"
    )


def test_record_yaml_orders_fields_as_the_record_format_does() -> None:
    shuffled = dict(reversed(list(POSITION.items())))
    assert record_yaml("positions", shuffled) == record_yaml("positions", POSITION)


@pytest.mark.parametrize(
    "value",
    ["yes", "no", "null", "~", "123", "1e3", "2025-07-21", "- item", "key: value", "[x]", "@at", "%p", "'q'", "a #b"],
)
def test_text_that_yaml_would_read_as_something_else_is_quoted(value: str) -> None:
    text = record_yaml("topics", {"id": "t", "name": value})
    assert yaml.safe_load(text) == [{"id": "t", "name": value}]


def test_dates_are_written_unquoted_and_read_back_as_written() -> None:
    for date in ("2025", "2025-07", "2025-07-21"):
        text = record_yaml("events", {"id": "e", "title": "T", "date": date, "sources": ["s"]})
        assert f"date: {date}\n" in text
        assert str(records_of(f"events:\n{text}").records[0].data["date"]) == date


def test_several_lines_of_text_become_a_literal_block() -> None:
    text = record_yaml("topics", {"id": "t", "name": "N", "description": "line one\nline two"})
    assert "description: |-\n    line one\n    line two\n" in text


def test_roles_and_history_are_block_lists_under_their_key() -> None:
    values = {"id": "a", "name": "A", "kind": "person", "roles": [{"title": "Minister", "since": "2024"}]}
    assert "  roles:\n    - title: Minister\n      since: 2024\n" in record_yaml("actors", values)


def test_the_record_goes_after_the_last_of_its_kind_and_the_rest_is_kept() -> None:
    old = (
        "# Positions, hand-kept.\n"
        "positions:\n"
        "  - id: first\n"
        "    claim: One.  # a comment\n"
        "\n"
        "  - id: second\n"
        "    claim: Two.\n"
        "\n"
        "# Actors follow.\n"
        "actors:\n"
        "  - id: x\n"
    )
    inserted = insert_record(old, "positions", POSITION)
    start = old.index("\n# Actors")
    assert inserted.text == old[:start] + "\n" + _indented(record_yaml("positions", POSITION)) + old[start:]
    assert inserted.text.splitlines()[inserted.line - 1] == "  - id: new-one"


def _indented(text: str) -> str:
    return "".join("  " + line for line in text.splitlines(keepends=True))


def test_items_without_blank_lines_get_none() -> None:
    old = "topics:\n  - id: a\n    name: A\n  - id: b\n    name: B\n"
    inserted = insert_record(old, "topics", {"id": "c", "name": "C"})
    assert inserted.text == old + "  - id: c\n    name: C\n"
    assert inserted.line == 6


def test_a_file_without_the_kind_gets_it_at_the_end() -> None:
    old = "actors:\n  - id: a\n    name: A\n    kind: person"  # no final newline
    inserted = insert_record(old, "topics", {"id": "t", "name": "T"})
    assert inserted.text == old + "\n\ntopics:\n  - id: t\n    name: T\n"
    assert inserted.line == 7


def test_an_empty_or_comment_only_file_gets_the_kind() -> None:
    assert insert_record("", "topics", {"id": "t", "name": "T"}).text == "topics:\n  - id: t\n    name: T\n"
    assert insert_record("# notes\n", "topics", {"id": "t", "name": "T"}).text == (
        "# notes\ntopics:\n  - id: t\n    name: T\n"
    )


def test_a_kind_with_nothing_under_it_gets_the_record_below_its_key() -> None:
    old = "topics:\nactors: []\n"
    inserted = insert_record(old, "topics", {"id": "t", "name": "T"})
    assert inserted.text == "topics:\n  - id: t\n    name: T\nactors: []\n"
    assert inserted.line == 2


def test_comments_indented_under_the_last_item_stay_with_it() -> None:
    old = "topics:\n  - id: a\n    name: A\n    # about a\nactors: []\n"
    inserted = insert_record(old, "topics", {"id": "t", "name": "T"})
    assert inserted.text == "topics:\n  - id: a\n    name: A\n    # about a\n  - id: t\n    name: T\nactors: []\n"


def test_a_block_scalar_at_the_end_of_the_list_keeps_its_text() -> None:
    old = "events:\n  - id: a\n    summary: >-\n      Folded\n      text.\nactors: []\n"
    inserted = insert_record(old, "events", {"id": "b", "title": "B", "date": "2025", "sources": ["s"]})
    loaded = records_of(inserted.text)
    assert [r.data["id"] for r in loaded.records if r.kind == "events"] == ["a", "b"]
    assert loaded.records[0].data["summary"] == "Folded text."


def test_crlf_files_get_crlf_lines() -> None:
    old = "topics:\r\n  - id: a\r\n    name: A\r\n"
    inserted = insert_record(old, "topics", {"id": "t", "name": "T"})
    assert inserted.text == old + "  - id: t\r\n    name: T\r\n"


def test_deeper_indented_lists_are_matched() -> None:
    old = "topics:\n    -   id: a\n        name: A\n"
    inserted = insert_record(old, "topics", {"id": "t", "name": "T"})
    assert [r.data for r in records_of(inserted.text).records] == [{"id": "a", "name": "A"}, {"id": "t", "name": "T"}]


@pytest.mark.parametrize(
    ("old", "message"),
    [
        ("topics: [{id: a, name: A}]\n", "flow"),
        ("topics: none\n", "not a list"),
        ("- a\n- b\n", "top level"),
        ("{topics: []}\n", "top level"),
        ("topics:\n  - id: a\n---\ntopics: []\n", "not valid YAML"),
        ("topics: [\n", "not valid YAML"),
    ],
)
def test_layouts_that_cannot_take_a_record_are_refused(old: str, message: str) -> None:
    with pytest.raises(AppendError, match=message):
        insert_record(old, "topics", {"id": "t", "name": "T"})
