"""docs/keeping.md stays true: its console examples, run in order on a copy of kb-small, print exactly what it
shows (standard output and standard error together, as a terminal shows them)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, REPO, talkbase_env

DOC = (REPO / "docs" / "keeping.md").read_text(encoding="utf-8")
KILLED = "<!-- test: the command below is first killed (SIGKILL) after replacing one of its two files -->\n"


def examples() -> list[tuple[bool, str, str]]:
    """(killed first?, command, expected output) for each ```console block, in order."""
    found = []
    for match in re.finditer(r"(<!--[^\n]*-->\n)?```console\n(.*?)```", DOC, flags=re.S):
        command, _, output = match.group(2).partition("\n")
        found.append((match.group(1) == KILLED, command.removeprefix("$ "), output))
    return found


def terminal(folder: Path, words: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "talkbase", *words],
        cwd=folder,
        env=talkbase_env(env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        timeout=60,
    )


def test_every_example_prints_what_the_doc_shows(tmp_path: Path) -> None:
    shutil.copytree(FIXTURES / "kb-small", tmp_path / "data")
    found = examples()
    assert len(found) == 7 and sum(killed for killed, _, _ in found) == 1
    for killed, command, expected in found:
        words = shlex.split(command)
        assert words[0] == "talkbase"
        if killed:
            crash = terminal(tmp_path, words[1:], {"TALKBASE_TEST_KILL_AFTER_REPLACING": "1"})
            assert crash.returncode == -9
        assert terminal(tmp_path, words[1:]).stdout == expected, command
    assert terminal(tmp_path, ["check"]).returncode == 0
