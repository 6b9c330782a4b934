"""The README stays true: its console examples are real output, its field tables match schema.py,
and its quick start is exactly the two lines CI runs."""

from __future__ import annotations

import re
import shlex

import pytest

from talkbase.records.schema import KINDS

from conftest import REPO, run

README = (REPO / "README.md").read_text(encoding="utf-8")


def console_examples() -> list[tuple[str, str]]:
    """(command, expected output) for each ```console block that runs talkbase."""
    examples = []
    for block in re.findall(r"```console\n(.*?)```", README, flags=re.S):
        command, _, output = block.partition("\n")
        examples.append((command.removeprefix("$ "), output))
    return examples


@pytest.mark.parametrize(("command", "expected"), console_examples())
def test_console_examples_are_real_output(command: str, expected: str) -> None:
    words = shlex.split(command)
    assert words[0] == "talkbase"
    result = run(*words[1:])
    assert result.out == expected


def test_quick_start_is_exactly_two_lines_and_ci_runs_the_second() -> None:
    quick_start = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = re.search(r"```sh\n(.*?)```", quick_start, flags=re.S)
    assert block is not None
    lines = block.group(1).splitlines()
    assert len(lines) == 2
    assert lines[0].endswith("pip install . && talkbase timeline")
    assert lines[1].endswith("pip install '.[test]' && pytest")
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert 'grep -m1 -E "^python3 -m venv \\.venv && .*pytest" README.md' in ci
    assert re.match(r"^python3 -m venv \.venv && .*pytest", lines[1])


@pytest.mark.parametrize("kind", list(KINDS))
def test_field_tables_match_the_schema(kind: str) -> None:
    section = README.split(f"### {kind}\n", 1)[1].split("###", 1)[0]
    rows = re.findall(r"^\| `(\w+)` \| (yes|no) \|", section, flags=re.M)
    assert rows == [(f.name, "yes" if f.required else "no") for f in KINDS[kind].fields]
    for spec in KINDS[kind].fields:
        row = re.search(rf"^\| `{spec.name}` \|.*$", section, flags=re.M).group(0)
        assert all(re.search(rf"\b{word}\b", row) for word in spec.vocab), row


def test_sql_examples_run_on_an_export_of_the_bundled_kb(tmp_path) -> None:
    import sqlite3

    database = tmp_path / "kb.db"
    assert run("export", "sqlite", "-o", str(database)).code == 0
    blocks = re.findall(r"```sql\n(.*?)```", README, flags=re.S)
    code = "\n".join(line for block in blocks for line in block.splitlines() if not line.startswith("--"))
    statements = [s for s in code.split(";") if s.strip()]
    assert len(statements) >= 2
    with sqlite3.connect(database) as db:
        for statement in statements:
            assert db.execute(statement).fetchall(), statement
