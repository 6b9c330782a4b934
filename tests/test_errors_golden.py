"""Every error class `talkbase check` must catch: one fixture KB each, with the exact expected lines.

Each folder under fixtures/errors holds a knowledge base and `expected.txt`, the exact problem lines
`talkbase check` prints for it when run from fixtures/errors. The summary line is checked separately.
"""

from __future__ import annotations

import re

import pytest

from conftest import FIXTURES, run

ERRORS = FIXTURES / "errors"
CASES = sorted(p.name for p in ERRORS.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_check_prints_exactly_the_expected_problems(case: str) -> None:
    expected = (ERRORS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = run("check", "--data", case, cwd=ERRORS)
    lines = result.out.splitlines()
    assert lines[:-1] == expected
    assert "Traceback" not in result.out + result.err
    has_errors = any(": error: " in line for line in expected)
    assert result.code == (1 if has_errors else 0)
    errors = sum(": error: " in line for line in expected)
    assert re.search(rf"\b{errors} errors?\b", lines[-1])


def test_every_fixture_names_its_file_line_and_column() -> None:
    for case in CASES:
        for line in (ERRORS / case / "expected.txt").read_text(encoding="utf-8").splitlines():
            assert re.match(rf"{re.escape(case)}/[\w.-]+\.ya?ml:\d+:\d+: (error|warning): \S", line), line


def test_strict_turns_warnings_into_errors() -> None:
    result = run("check", "--strict", "--data", "warnings", cwd=ERRORS)
    assert result.code == 1
    assert result.out.count(": error: ") == 3
    assert ": warning: " not in result.out


def test_unsafe_tag_is_never_executed(tmp_path) -> None:
    marker = tmp_path / "pwned"
    kb = tmp_path / "kb"
    kb.mkdir()
    (kb / "a.yaml").write_text(
        f'actors:\n  - id: x\n    name: !!python/object/apply:os.system ["touch {marker}"]\n    kind: person\n'
    )
    result = run("check", "--data", str(kb))
    assert result.code == 1
    assert "unsafe YAML tag `!!python/object/apply:os.system`" in result.out
    assert not marker.exists()
