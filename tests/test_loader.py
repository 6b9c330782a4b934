"""The loader and validator on small inline knowledge bases: positions, problems as values, edge cases."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from talkbase.load.kb import DataLocation, open_kb
from talkbase.load.loader import load_tree, parse_document
from talkbase.load.validate import validate

from conftest import run

VALID = """
actors:
  - id: zelensky
    name: Volodymyr Zelensky
    aliases: [Zelenskyy, Зеленський]
    kind: person
    affiliation: ukraine
    roles:
      - title: President of Ukraine
        since: 2019-05-20
  - id: ukraine
    name: Ukraine
    kind: state
    wikidata: Q212
sources:
  - id: ki
    title: Ukraine and Russia to resume peace talks on July 23
    publisher: The Kyiv Independent
    url: https://kyivindependent.com/
    date: 2025-07
    kind: article
topics:
  - id: leaders-summit
    name: Leaders' summit
events:
  - id: round-3
    title: Third round
    date: 2025-07-23
    status: scheduled
    participants: [ukraine]
    topics: [leaders-summit]
    sources: [ki]
positions:
  - id: zelensky-leaders
    actor: zelensky
    topic: leaders-summit
    stance: supports
    claim: Truly effective talks can only take place at the level of leaders.
    date: 2025-07
    event: round-3
    contests: [round-3]
    sources: [ki]
"""


def problems_for(text: str, tmp_path: Path) -> list[tuple[int, int, str]]:
    """(line, col, code) of every problem in one inline YAML file."""
    path = tmp_path / "kb.yaml"
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    loaded = load_tree(path)
    return sorted((p.line, p.col, p.code) for p in loaded.problems + validate(loaded.records))


def test_a_valid_kb_has_no_problems_and_builds_typed_records(tmp_path: Path) -> None:
    (tmp_path / "kb.yaml").write_text(VALID, encoding="utf-8")
    opened = open_kb(DataLocation(tmp_path, "--data"))
    assert opened.problems == []
    kb = opened.kb
    assert kb is not None
    assert opened.record_counts == {"actors": 2, "sources": 1, "topics": 1, "events": 1, "positions": 1}
    zelensky = kb.by_id["zelensky"]
    assert zelensky.roles[0].since.text == "2019-05-20"
    assert zelensky.aliases == ("Zelenskyy", "Зеленський")
    event = kb.by_id["round-3"]
    assert (event.date.text, event.status, event.loc.line, event.loc.col) == ("2025-07-23", "scheduled", 26, 5)
    assert kb.by_id["ukraine"].loc.line == 11
    assert kb.by_id["leaders-summit"].loc.line == 23
    assert kb.by_id["ki"].date.text == "2025-07"


def test_status_defaults_to_held(tmp_path: Path) -> None:
    text = VALID.replace("    status: scheduled\n", "")
    (tmp_path / "kb.yaml").write_text(text, encoding="utf-8")
    kb = open_kb(DataLocation(tmp_path, "--data")).kb
    assert kb is not None and kb.by_id["round-3"].status == "held"


def test_dates_are_kept_exactly_as_written_quoted_or_not(tmp_path: Path) -> None:
    text = VALID.replace("date: 2025-07-23", "date: '2025-07-23'").replace(
        "    date: 2025-07\n    kind", "    date: 2025\n    kind"
    )
    (tmp_path / "kb.yaml").write_text(text, encoding="utf-8")
    kb = open_kb(DataLocation(tmp_path, "--data")).kb
    assert kb is not None
    assert kb.by_id["round-3"].date.text == "2025-07-23"
    assert kb.by_id["ki"].date.text == "2025"


@pytest.mark.parametrize("content", [b"", b"# only a comment\n# and another\n", b"\xef\xbb\xbf" + VALID.encode()])
def test_empty_comment_only_and_bom_files_are_fine(tmp_path: Path, content: bytes) -> None:
    (tmp_path / "kb.yaml").write_bytes(content)
    assert open_kb(DataLocation(tmp_path, "--data")).problems == []


def test_an_empty_kind_list_is_fine(tmp_path: Path) -> None:
    assert problems_for("actors:\nevents: []\n", tmp_path) == []


def test_all_problems_are_collected_in_one_run(tmp_path: Path) -> None:
    text = """
    actors:
      - id: a
        name: A
        kind: persn
      - id: b
        kind: person
        nmae: B
    """
    assert problems_for(text, tmp_path) == [
        (4, 11, "unknown-kind"),
        (5, 5, "missing-field"),
        (7, 5, "unknown-field"),
    ]


def test_duplicate_key_is_reported_at_the_second_occurrence(tmp_path: Path) -> None:
    text = """
    topics:
      - id: t
        name: One
        description: x
        name: Two
    """
    assert problems_for(text, tmp_path) == [(2, 5, "unused-topic"), (5, 5, "duplicate-key")]


MERGED = """
x-kyiv: &kyiv
  topic: leaders-summit
  sources: [ki]
x-dated: &dated
  date: 2025-07-21
  stance: proposes
positions:
  - <<: [*kyiv, *dated]
    id: zelensky-leaders-level
    actor: zelensky
    stance: supports
    claim: Truly effective talks can only take place at the level of national leaders.
  - id: zelensky-again
    <<: *kyiv
    actor: zelensky
    topic: ceasefire
    stance: rejects
    claim: No freeze.
    date: 2025-07-22
"""


def test_merge_keys_give_the_shared_values_with_the_places_they_were_written() -> None:
    document, problems = parse_document(textwrap.dedent(MERGED).lstrip("\n"), "f.yaml")
    assert problems == []
    first, second = document["positions"]
    assert dict(first) == {
        "topic": "leaders-summit",
        "sources": ["ki"],
        "date": "2025-07-21",
        "id": "zelensky-leaders-level",
        "actor": "zelensky",
        "stance": "supports",  # written in the record: it wins over the merged `proposes`
        "claim": "Truly effective talks can only take place at the level of national leaders.",
    }
    assert first.places("topic") == (2, 3, 2, 10)  # where `topic:` is written, under x-kyiv
    assert first.places("date") == (5, 3, 5, 9)
    assert first.value_at("stance") == (11, 13)
    assert second["topic"] == "ceasefire" and second.value_at("topic") == (16, 12)
    assert second["sources"] == ["ki"] and second.value_at("sources") == (3, 12)


def test_a_mistake_in_a_merged_value_is_reported_once_where_it_is_written(tmp_path: Path) -> None:
    text = MERGED.replace("sources: [ki]", "sources: [kii]")
    assert problems_for(text, tmp_path).count((3, 13, "unknown-ref")) == 1  # merged into two records


@pytest.mark.parametrize("value", ["nope", "[*base, 3]", "[nope]"])
def test_a_merge_of_something_else_than_mappings_is_an_error(tmp_path: Path, value: str) -> None:
    text = f"""
    topics:
      - &base
        id: t
        name: T
      - <<: {value}
        id: u
    """
    assert (5, 9, "bad-key") in problems_for(text, tmp_path)


def test_a_quoted_merge_key_is_just_an_unknown_field(tmp_path: Path) -> None:
    text = """
    topics:
      - id: t
        name: T
        "<<": x
    """
    assert (4, 5, "unknown-field") in problems_for(text, tmp_path)


def test_other_files_in_the_tree_are_ignored_and_hidden_folders_skipped(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not: [yaml", encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config.yaml").write_text("garbage: [", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "kb.yml").write_text(VALID, encoding="utf-8")
    opened = open_kb(DataLocation(tmp_path, "--data"))
    assert opened.problems == []
    assert [Path(f).name for f in opened.files] == ["kb.yml"]


def test_an_editors_lock_beside_a_file_being_edited_is_not_read(tmp_path: Path) -> None:
    """Emacs links `.#kb.yaml` to `user@host.pid` (no such file) while kb.yaml has unsaved changes; where it
    cannot make a link, it writes a file of that name."""
    (tmp_path / "kb.yaml").write_text(VALID, encoding="utf-8")
    (tmp_path / ".#kb.yaml").symlink_to("curator@laptop.4242:1764590000")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".#more.yml").write_text("curator@laptop.4242:1764590000", encoding="utf-8")
    opened = open_kb(DataLocation(tmp_path, "--data"))
    assert opened.problems == []
    assert [Path(f).name for f in opened.files] == ["kb.yaml"]
    assert run("check", "--data", str(tmp_path)).code == 0
    named = run("check", str(tmp_path / "sub" / ".#more.yml"), "--data", str(tmp_path))
    assert named.code == 2 and "an editor's lock beside a file being edited" in named.err


def test_a_dangling_symlink_is_an_unreadable_file(tmp_path: Path) -> None:
    (tmp_path / "broken.yaml").symlink_to(tmp_path / "nowhere.yaml")
    problems = load_tree(tmp_path).problems
    assert [(p.line, p.col, p.code) for p in problems] == [(1, 1, "unreadable")]
    assert "cannot read file" in problems[0].message


def test_a_fifo_is_reported_not_read(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "pipe.yaml")
    problems = load_tree(tmp_path).problems
    assert [(p.code, p.message) for p in problems] == [("unreadable", "cannot read file: not a regular file")]


def test_alias_bomb_fails_fast(tmp_path: Path) -> None:
    import time

    lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]']
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]" for i in range(9)]
    started = time.monotonic()
    document, problems = parse_document("\n".join(lines), "bomb.yaml")
    assert time.monotonic() - started < 2
    assert document is None
    assert [p.code for p in problems] == ["alias-bomb"]


def test_small_honest_aliases_are_allowed(tmp_path: Path) -> None:
    text = """
    actors:
      - id: ukraine
        name: Ukraine
        kind: &k state
      - id: russia
        name: Russia
        kind: *k
    """
    assert problems_for(text, tmp_path) == []


def test_an_alias_stands_for_its_anchor_s_value_placed_where_the_alias_is() -> None:
    document, problems = parse_document("a: &x [1, two]\nb: *x\n", "f.yaml")
    assert problems == []
    assert document["b"] is document["a"] == [1, "two"]  # shared, not copied
    assert document.value_at("b") == (2, 4)


def test_alias_problems_are_reported_at_the_alias() -> None:
    text = "a: &x " + "[" * 60 + "]" * 60 + "\nb: [[[[[[*x]]]]]]\nc: &k [k]\n*k : v\n"
    _, problems = parse_document(text, "f.yaml")
    assert [(p.line, p.col, p.code) for p in problems] == [(2, 10, "too-deep"), (4, 1, "bad-key")]


def test_a_str_tag_on_a_collection_is_an_unsupported_tag() -> None:
    _, problems = parse_document("a: !!str [1]\nb: !!str {c: 1}\nd: !!str 5\n", "f.yaml")
    assert [(p.line, p.col, p.code) for p in problems] == [(1, 4, "unknown-tag"), (2, 4, "unknown-tag")]


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029", "\r"])
def test_a_raw_yaml_only_line_break_is_reported_and_later_lines_keep_their_numbers(char: str) -> None:
    """A comment that YAML 1.1 would end at the character must not hide a record, and the line numbers after it
    are an editor's."""
    text = f"topics:\n  - id: t1\n    name: T1 # note{char}    bad: 1\n  - id: t2\n    nme: T2\n"
    document, problems = parse_document(text.encode(), "kb.yaml", len(text))
    assert [(p.line, p.col, p.code) for p in problems] == [(3, 20, "line-break")]
    assert "bad" not in document["topics"][0]
    assert document["topics"][1].key_at("nme") == (5, 5)


@pytest.mark.parametrize("written", ["0x7E9", "03751", "0b11111101001", "2_025", "+2025", "1:33:45", "0o3751"])
def test_other_spellings_of_an_integer_stay_text_so_a_date_check_sees_them(written: str, tmp_path: Path) -> None:
    """YAML 1.1 reads all of these as 2025 (or 5625); the record format has no numbers but a bare year."""
    document, problems = parse_document(f"date: {written}\n", "kb.yaml")
    assert document["date"] == written and not problems
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "kb.yaml").write_text(f"sources:\n  - id: s\n    title: S\n    publisher: P\n    date: {written}\n")
    result = run("--no-cache", "check", "--data", str(kb))
    assert result.code == 1 and f"kb.yaml:5:11: error: `date`: malformed date `{written}`" in result.out


def test_plain_decimal_integers_are_still_numbers() -> None:
    document, _ = parse_document("a: 2025\nb: 0\nc: -3\n", "kb.yaml")
    assert document == {"a": 2025, "b": 0, "c": "-3"}


@pytest.mark.parametrize(
    "a, b, same",
    [
        ("https://www.Example.com/x/", "http://example.com/x", True),
        ("https://example.com:443/x#part", "https://example.com/x", True),
        ("https://example.com/x?id=1", "https://example.com/x?id=2", False),
        ("https://example.com:8080/x", "https://example.com/x", False),
        ("https://example.com/X", "https://example.com/x", False),  # paths are case-sensitive
    ],
)
def test_two_spellings_of_one_url_are_the_same_address(a: str, b: str, same: bool) -> None:
    from talkbase.load.validate import same_url

    assert (same_url(a) == same_url(b)) is same


def test_a_list_where_an_actors_kind_goes_is_reported_not_a_crash(tmp_path: Path) -> None:
    text = """
    actors:
      - id: a
        name: A
        kind: [person]
      - id: b
        name: A
        kind: [person]
    """
    assert (4, 11, "wrong-type") in problems_for(text, tmp_path)


@pytest.mark.parametrize(
    "case", ["", *sorted(p.name for p in (Path(__file__).parent / "fixtures" / "errors").iterdir() if p.is_dir())]
)
def test_records_checked_a_file_at_a_time_in_any_order_give_the_problems_validate_gives(case: str) -> None:
    from itertools import groupby

    from talkbase.load.validate import Validation
    from talkbase.records.problems import sorted_problems

    loaded = load_tree(Path(__file__).parent / "fixtures" / "errors" / case)  # "": every case, as one
    assert case or len({record.path for record in loaded.records}) > 20
    whole = validate(loaded.records)
    validation = Validation()
    files = [list(group) for _, group in groupby(loaded.records, key=lambda record: record.path)]
    for records in reversed(files):  # as parses arrive from several workers
        validation.check(records)
    assert sorted_problems(validation.finish(loaded.records)) == sorted_problems(whole)
