"""The parse cache's columns: packed prose (talkbase.records.texts), the one-pass search of a plain pattern over
it, and commands answering the same from the cache's columns as from the files."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkbase.ask.pattern import compile_pattern
from talkbase.records.texts import Texts, Words

from conftest import FIXTURES, run

texts_strategy = st.lists(st.one_of(st.none(), st.text(alphabet="ab\nAé ", max_size=8)), max_size=12)


@given(texts_strategy)
@settings(max_examples=300, deadline=None)
def test_packed_texts_give_back_what_was_packed(values: list[str | None]) -> None:
    texts = Texts.of(values)
    assert len(texts) == len(values)
    assert texts.values() == values
    assert [texts[i] for i in range(len(values))] == values


@given(texts_strategy, st.text(alphabet="abAé ", min_size=1, max_size=3))
@settings(max_examples=500, deadline=None)
def test_a_plain_pattern_finds_in_packed_texts_what_it_finds_in_each(values: list[str | None], typed: str) -> None:
    pattern = compile_pattern(typed)
    texts = Texts.of(values)
    each = [i for i, value in enumerate(values) if value and pattern.found(value)]
    at_once = pattern.rows_in(texts)
    if at_once is None:  # not ASCII, or not a plain pattern: each text is asked
        assert not texts.joined.isascii() or pattern.literal is None
    else:
        assert at_once == each


@given(
    st.lists(st.one_of(st.none(), st.text(alphabet="aB. \n\té", max_size=10)), max_size=12),
    st.text(alphabet="aB.\n é", min_size=1, max_size=3),
)
@settings(max_examples=500, deadline=None)
def test_the_rows_of_the_words_holding_a_needle_are_the_rows_of_the_texts_holding_it(
    values: list[str | None], needle: str
) -> None:
    words = Words.of(values)
    assert words.ascii == all(value.isascii() for value in values if value)
    found, found_lower = words.rows_holding(needle), words.rows_holding(needle.lower(), lower=True)
    if any(c.isspace() for c in needle):
        assert found is None and found_lower is None  # a needle across words is looked for in the texts
        return
    assert found == [i for i, value in enumerate(values) if value and needle in value]
    assert found_lower == [i for i, value in enumerate(values) if value and needle.lower() in value.lower()]


@given(
    st.lists(st.lists(st.sampled_from(["a", "b", "b-2", "c.d", "é"]), max_size=4).map(tuple), max_size=12),
    st.sets(st.sampled_from(["a", "b", "b-2", "c", "é", "zz"]), max_size=3),
)
@settings(max_examples=300, deadline=None)
def test_the_rows_holding_any_wanted_item_are_found_by_items(rows: list[tuple[str, ...]], wanted: set[str]) -> None:
    items = Words.of_items(rows)
    assert items.rows_with_any(wanted) == [i for i, row in enumerate(rows) if not wanted.isdisjoint(row)]
    assert items.ascii == all(item.isascii() for row in rows for item in row)


def test_a_pattern_is_looked_up_by_words_only_when_plain_ascii_and_without_a_space() -> None:
    ascii_words, other = Words.of(["a ceasefire.", None, "no"]), Words.of(["a ceasefire", "Erdoğan"])
    assert compile_pattern("ceasefire").rows_by_words(ascii_words) == [0]
    assert compile_pattern("Ceasefire").rows_by_words(ascii_words) == []  # smart case: a capital is meant
    assert compile_pattern("CEASEFIRE", ignore_case=True).rows_by_words(ascii_words) == [0]
    assert compile_pattern("fire.", fixed=True).rows_by_words(ascii_words) == [0]
    assert compile_pattern("a ceasefire").rows_by_words(ascii_words) is None
    assert compile_pattern("cease.ire").rows_by_words(ascii_words) is None  # a regex
    assert compile_pattern("ceasefire").rows_by_words(other) is None  # folded text is asked text by text


@pytest.mark.parametrize("dense", [True, False], ids=["row-by-row", "match-by-match"])
@pytest.mark.parametrize("line_break_inside", [False, True])
def test_a_needle_in_many_rows_or_in_few_is_found_in_the_same_rows(
    monkeypatch: pytest.MonkeyPatch, dense: bool, line_break_inside: bool
) -> None:
    import talkbase.records.texts as texts_module

    monkeypatch.setattr(texts_module, "DENSE", 10**9 if dense else 0)  # every needle judged dense, or none
    values = [None if i % 7 == 0 else f"claim {i}: {'a ceasefire' if i % 3 else 'talks'} x" for i in range(400)]
    if line_break_inside:  # then the texts cannot be split at the separator: the match-by-match search is used
        values[5] = "one line\nand a ceasefire on the next"
    texts = Texts.of(values)
    expected = [i for i, value in enumerate(values) if value and "ceasefire" in value]
    assert texts.rows_holding("ceasefire") == expected
    assert texts.rows_holding("CEASEFIRE", texts.joined.upper()) == expected  # a haystack changed letter by letter
    assert texts.rows_holding("x") == [i for i, value in enumerate(values) if value]
    assert texts.rows_holding("nowhere") == []


def test_only_plain_patterns_over_ascii_text_are_searched_at_once() -> None:
    ascii_texts, other = Texts.of(["a ceasefire", None, "no"]), Texts.of(["a ceasefire", "Erdoğan"])
    assert compile_pattern("ceasefire").rows_in(ascii_texts) == [0]
    assert compile_pattern("Ceasefire").rows_in(ascii_texts) == []  # smart case: a capital is meant
    assert compile_pattern("cease.ire").rows_in(ascii_texts) is None  # a regex
    assert compile_pattern("").rows_in(ascii_texts) is None  # matches every text, even an empty one
    assert compile_pattern("ceasefire").rows_in(other) is None  # folded text is asked text by text


MIXED = """positions:
  - id: p-plain
    actor: nordin
    topic: ceasefire
    stance: proposes
    claim: A ceasefire now.
    date: 2025-05-16
    sources: [planet-may]
  - id: p-lines
    actor: sudov
    topic: ceasefire
    stance: rejects
    claim: "First line\\nCeasefire on the second"
    quote: "ceasefire\\nis refused"
    date: 2025-05-17
    sources: [planet-july]
  - id: p-across
    actor: sudov
    topic: summit
    stance: supports
    claim: "ends with cease"
    quote: "fire starts the quote"
    date: 2025-05-18
    sources: [planet-july]
  - id: p-folded
    actor: nordin
    topic: summit
    stance: supports
    claim: "Erdoğan hosts a “ceasefire” meeting"
    date: 2025-05-19
    sources: [planet-may]
"""


@pytest.fixture(params=["with-non-ascii", "ascii-only"])
def mixed_kb(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """Positions whose prose is all ASCII (searched at once, packed) or not (searched text by text)."""
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb-small", kb)
    positions = MIXED if request.param == "with-non-ascii" else MIXED[: MIXED.index("  - id: p-folded")]
    (kb / "positions.yaml").write_text(positions, encoding="utf-8")
    return kb


@pytest.mark.parametrize(
    "command",
    [
        ["grep", "ceasefire", "--count"],
        ["grep", "ceasefire", "--ids"],
        ["grep", "Ceasefire", "--ids"],
        ["grep", "ceasefire"],
        ["grep", "cease", "--source", "planet-july", "--ids"],
        ["grep", "ceasefire", "actor:sudov", "--format", "json"],
        ["grep", "cease.?fire", "--ids"],
        ["grep", "-F", "now.", "--ids"],  # a word as written holds its full stop
        ["grep", "a ceasefire", "--count"],  # a space: looked for in the texts, not among the words
        ["grep", "ceasefire", "--count", "--since", "2025-05-17"],
        ["positions", "source:planet-july"],
        ["positions", "source:planet-july,planet-may", "actor:sudov"],
        ["timeline", "source:planet-july"],  # events' sources, found by their items
        ["timeline", "--actor", "nordin"],  # events' participants
        ["timeline", "topic:ceasefire", "--format", "json"],  # events' topics
        ["grep", "e", "source:planet-may", "--ids"],
        ["timeline", "--limit", "2"],
        ["timeline", "--positions", "--reverse", "--limit", "3"],
    ],
)
def test_commands_answer_the_same_from_the_cache_columns_as_from_the_files(mixed_kb: Path, command: list[str]) -> None:
    files = run("--no-cache", *command, "--data", str(mixed_kb))
    assert run("check", "--data", str(mixed_kb)).code == 0  # writes the snapshot
    cached = run(*command, "--data", str(mixed_kb))
    assert (cached.code, cached.out, cached.err) == (files.code, files.out, files.err)
    assert files.code == 0 and files.out.strip()


def test_a_plain_search_in_packed_text_never_matches_across_two_texts(mixed_kb: Path) -> None:
    assert run("check", "--data", str(mixed_kb)).code == 0
    assert run("grep", "cease fire", "--ids", "--data", str(mixed_kb)).code == 1  # claim ends, quote starts
    across = run("grep", "-F", "cease\nfire", "--ids", "--data", str(mixed_kb))
    assert "p-across" not in across.out
    found = run("grep", "ceasefire", "--ids", "--data", str(mixed_kb))
    assert found.out.split()[:2] == ["p-plain", "p-lines"]
