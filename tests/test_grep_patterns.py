"""grep's engine (RE2) finishes in linear time on patterns that make a backtracking engine hang, refuses the
ones it cannot compile with the reason (exit 2, no traceback), and keeps grep's habits: -w, smart case, spans."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import Result, run, write_kb

CLAIM = "a" * 31 + "!"  # 31 characters for (a+)+$ to try every way of splitting
KB = f"""
actors:
  - {{id: x, name: X, kind: person}}
sources:
  - {{id: s, title: S, date: "2025"}}
topics:
  - {{id: t, name: T}}
positions:
  - {{id: runs, actor: x, topic: t, stance: supports, claim: "{CLAIM}", date: "2025-01", sources: [s]}}
  - {{id: words, actor: x, topic: t, stance: supports, claim: "foo foo-bar foobar Мир мирный", date: "2025-02",
      sources: [s]}}
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "kb", {"kb.yaml": KB})


def timed_grep(kb: Path, *args: str) -> tuple[Result, float]:
    started = time.monotonic()
    result = run("grep", *args, "--data", str(kb))
    return result, time.monotonic() - started


def bound(kb: Path) -> float:
    """How long a hostile pattern may take: 5 s, or four times a harmless grep on a busy machine (a backtracking
    engine takes minutes on these patterns, so either bound tells the two apart)."""
    _, harmless = timed_grep(kb, "zzz")
    return max(5.0, 4 * harmless)


@pytest.mark.parametrize("pattern", ["(a+)+$", "(a|a)+$", "(a|aa)+$", "((a+)+)+$", "(a*)*z"])
def test_catastrophic_backtracking_patterns_finish_at_once(kb: Path, pattern: str) -> None:
    limit = bound(kb)
    result, seconds = timed_grep(kb, pattern)
    assert seconds < limit, f"{pattern} took {seconds:.1f} s"
    assert (result.code, result.out) == (1, "")  # nothing ends in `a`: no match, and no error
    assert "Traceback" not in result.err


def test_a_count_too_large_is_a_usage_error_naming_the_pattern(kb: Path) -> None:
    limit = bound(kb)
    result, seconds = timed_grep(kb, "a{4294967296}")
    assert seconds < limit
    assert result.code == 2
    assert "invalid regular expression `a{4294967296}`: repetition count 4294967296 is over the limit" in result.err
    assert "Traceback" not in result.err and "OverflowError" not in result.err


def test_a_5000_deep_pattern_is_matched_without_recursion(kb: Path) -> None:
    limit = bound(kb)
    result, seconds = timed_grep(kb, "(" * 5000 + "a" + ")" * 5000, "--ids")
    assert seconds < limit
    assert (result.code, result.out.split()) == (0, ["runs", "words"])
    assert "Traceback" not in result.err and "RecursionError" not in result.err


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        ("(?<=a)b", "invalid perl operator: (?<="),
        ("(a)\\1", "invalid escape sequence: \\1"),
        ("(?:a{1000}){1000}", "invalid repetition size"),
        ("(\x1b]0;title\x07", "missing ): (\\x1b]0;title\\x07"),
    ],
)
def test_a_pattern_re2_cannot_compile_exits_2_with_the_reason(kb: Path, pattern: str, reason: str) -> None:
    limit = bound(kb)
    result, seconds = timed_grep(kb, pattern)
    assert seconds < limit
    assert result.code == 2
    assert "invalid regular expression `" in result.err and reason in result.err, result.err
    assert "\x1b" not in result.err and "Traceback" not in result.err


def spans(kb: Path, *args: str) -> dict[str, list[list[int]]]:
    result = run("grep", *args, "--format", "json", "--data", str(kb))
    assert result.code == 0, result.err
    return {row["id"]: row["matches"] for row in json.loads(result.out)}


def test_whole_words_smart_case_and_spans_are_kept(kb: Path) -> None:
    assert spans(kb, "-w", "foo") == {"words": [[0, 3], [4, 7]]}  # not the foo of foobar
    assert spans(kb, "-w", "-F", "foo-bar") == {"words": [[4, 11]]}
    assert spans(kb, "-w", "мир") == {"words": [[19, 22]]}  # Unicode words: not the мир of мирный
    assert spans(kb, "мир") == {"words": [[19, 22], [23, 26]]}  # smart case: lower case ignores case
    assert spans(kb, "Мир") == {"words": [[19, 22]]}  # a capital: case-sensitive
    assert spans(kb, "Мир", "-i") == {"words": [[19, 22], [23, 26]]}
    assert run("grep", "--case-sensitive", "FOO", "--data", str(kb)).code == 1
    assert spans(kb, "FOO", "-i") == {"words": [[0, 3], [4, 7], [12, 15]]}
    assert run("grep", "-c", "o", "--data", str(kb)).out == "1\n"


def test_a_huge_pattern_is_quoted_short_in_its_error(kb: Path) -> None:
    result = run("grep", "[" * 100_000, "--data", str(kb))
    assert result.code == 2 and len(result.err) < 1_000, len(result.err)
    assert "more characters)" in result.err


@pytest.mark.parametrize(
    "pattern", [r"\x{2013}", r"foo\x{2D}bar", r"[\x{2000}-\x{2FFF}]", "[{2025}]", r"\Q{2025}\E", r"\p{Cyrillic}{3}"]
)
def test_braces_that_are_no_count_are_not_taken_for_one(kb: Path, pattern: str) -> None:
    result = run("grep", pattern, "--data", str(kb))
    assert result.code in (0, 1) and "repetition count" not in result.err, result.err


def test_an_escaped_code_point_finds_its_character(kb: Path) -> None:
    assert spans(kb, r"foo\x{2D}bar") == {"words": [[4, 11]]}


@settings(max_examples=400, deadline=None)
@given(
    st.text(alphabet="abcKkſSsßİiı é\u212a-", max_size=4),
    st.text(alphabet="abcKkſSsßİiı é\u212aÉ-\n", max_size=12),
    st.booleans(),
    st.booleans(),
)
def test_plain_text_patterns_find_what_re2_finds(pattern: str, text: str, fixed: bool, fold: bool) -> None:
    """The substring search a plain pattern takes first gives RE2's answer, whatever the case and the letters
    whose case RE2 folds otherwise than ASCII (the Kelvin sign, the long s, the dotted I)."""
    import dataclasses

    from talkbase.ask.pattern import compile_pattern

    compiled = compile_pattern(pattern, fixed=fixed, fold=fold)
    by_re2 = dataclasses.replace(compiled, literal=None)
    assert compiled.found(text) == by_re2.found(text)
