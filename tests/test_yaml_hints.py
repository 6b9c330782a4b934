"""The fixes the YAML syntax hints propose are right: the quoted value reads back as the text written, and the
line the hint shows, put in place of the bad one, makes the file parse to what the curator meant."""

from __future__ import annotations

import re

import yaml
from hypothesis import given
from hypothesis import strategies as st

from talkbase.load.loader import parse_document
from talkbase.load.yaml_hints import quoted

# One line of text as a curator types it: printable, no line breaks, no surrounding spaces.
line_text = (
    st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")), min_size=1, max_size=60)
    .map(str.strip)
    .filter(bool)
)


@given(line_text)
def test_a_quoted_value_reads_back_as_written(value: str) -> None:
    assert yaml.safe_load(f"claim: {quoted(value)}\n") == {"claim": value}


def _fixed(text: str) -> str:
    """The file with the line the hint names replaced by the line it shows."""
    _, problems = parse_document(text, "f.yaml")
    [problem] = problems
    shown = re.search(r"`(.*)`\Z", problem.hint)
    assert shown, problem.hint
    lines = text.split("\n")
    indent = lines[problem.line - 1][: len(lines[problem.line - 1]) - len(lines[problem.line - 1].lstrip())]
    lines[problem.line - 1] = indent + shown.group(1)
    return "\n".join(lines)


@given(st.sampled_from(["Paisley said", "Talks", 'He said "no"', "It's over", "a\\b"]), line_text)
def test_the_quoted_line_a_colon_hint_shows_makes_the_file_parse(before: str, after: str) -> None:
    value = f"{before}: {after}"
    text = f"positions:\n  - id: p1\n    claim: {value}\n"
    plain = yaml.safe_load(text) if _parses(text) else None
    if plain is not None:  # the value happens to be valid YAML (e.g. after a `#`): no hint to check
        return
    fixed = _fixed(text)
    value_read = yaml.safe_load(fixed)["positions"][0]["claim"]
    assert value_read == value.split(" #")[0].rstrip() or value_read == value


def _parses(text: str) -> bool:
    try:
        yaml.safe_load(text)
    except yaml.YAMLError:
        return False
    return True


def test_text_after_a_closing_quote_gets_the_whole_value_quoted() -> None:
    text = "sources:\n  - id: s\n    title: 'Paisley''s \"No\"' at Stormont\n"
    fixed = _fixed(text)
    assert yaml.safe_load(fixed)["sources"][0]["title"] == "'Paisley''s \"No\"' at Stormont"


def test_a_missing_space_after_a_colon_is_reported_where_it_is_not_a_line_later() -> None:
    _, [problem] = parse_document("positions:\n  - id: p1\n    stance:supports\n    claim: x\n", "f.yaml")
    assert (problem.line, problem.col) == (3, 12)
    assert problem.hint.endswith("write `stance: supports`")
