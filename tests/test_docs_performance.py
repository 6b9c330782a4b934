"""docs/performance.md stays true: the benchmark commands it shows use options benchmarks/run.py and floors.py
have, and the run it shows has a row for every command the benchmark times, with issue 17's goal."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys

import pytest

from conftest import REPO

DOC = (REPO / "docs" / "performance.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("script", ["run.py", "floors.py"])
def test_every_benchmark_command_shown_uses_options_the_script_has(script: str) -> None:
    shown = re.findall(rf"^(?:\$ )?python benchmarks/{re.escape(script)}(.*?)(?:\s+#.*)?$", DOC, flags=re.M)
    assert len(shown) >= 2
    usage = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), "--help"], capture_output=True, text=True, check=True
    ).stdout
    for arguments in shown:
        for word in shlex.split(arguments):
            if word.startswith("--"):
                assert word in usage, word


def test_the_run_shown_covers_every_command_with_its_goal() -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import run
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    shown = DOC.split("## The latest run", 1)[1].split("## ", 1)[0]
    for size in ("S", "M", "L"):
        table = shown.split(f"\n{size}: plain yaml.load", 1)[1].split("\n\n", 1)[0]
        for name in run.COMMANDS:
            row = next((line for line in table.splitlines() if line.startswith(name)), None)
            assert row is not None, (size, name)
            goal = run.goal_of(name, size)
            if goal and "not run" not in row:
                assert f" {goal} " in row, row
            if not goal:  # the issue sets no goal at this size: the row shows none
                assert not re.search(r" [0-9.]+x +-?[0-9.]+ +[0-9,]+$", row), row
