"""The README stays true: its console examples are real output, its field tables match schema.py,
and its quick start is exactly the two lines CI runs."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from talkbase.records.schema import KINDS

from conftest import REPO, console_examples, run

README = (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(("command", "expected"), console_examples(README))
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


def test_start_your_own_walkthrough_runs_exactly_as_shown(tmp_path) -> None:
    """README's "Start your own knowledge base": each `$` line run as typed (by bash, with the talkbase this
    Python has installed), in an empty folder, prints what the README shows, stdout and stderr together."""
    import os
    import subprocess
    import sys

    section = README.split("## Start your own knowledge base\n", 1)[1].split("\n## ", 1)[0]
    transcript = re.search(r"```shell-session\n(.*?)```", section, flags=re.S).group(1)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBASE_")}
    env.update({"PYTHONIOENCODING": "utf-8", "NO_COLOR": "", "TERM": "dumb"})
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    folder, shown = tmp_path, []
    for line in transcript.splitlines():
        if not line.startswith("$ "):
            continue
        command = line.removeprefix("$ ")
        shown.append(line)
        if command.startswith("cd "):
            folder = folder / command.removeprefix("cd ")
            continue
        done = subprocess.run(
            ["bash", "-c", command], cwd=folder, env=env, capture_output=False, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, encoding="utf-8", timeout=60,
        )  # fmt: skip
        assert done.returncode == 0, (command, done.stdout)
        if done.stdout:
            shown.append(done.stdout.rstrip("\n").replace(str(tmp_path), "/home/you"))
    assert "\n".join(shown) + "\n" == transcript
    assert sum(line.startswith("$ talkbase add ") for line in transcript.splitlines()) == 7
    check = transcript.split("$ talkbase check\n", 1)[1].splitlines()[0]
    assert "2 actors, 1 source, 1 topic, 1 event, 2 positions: 0 errors, 0 warnings" in check
