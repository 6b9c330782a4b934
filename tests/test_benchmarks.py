"""benchmarks/floors.py keeps working, and measures what it says: its matrix floor prints the grid talkbase prints.

Nothing is timed here; the figures are for people to read (docs/performance.md)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

FLOORS = REPO / "benchmarks" / "floors.py"


def test_floors_prints_a_figure_for_every_answer_over_its_goal(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(FLOORS), "--large", "S", "--medium", "S", "--runs", "1", "--workdir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    timed = r"[0-9.]+ s = [0-9.]+x \(CPU [0-9.]+x\)"
    matrix = rf"^matrix \(S\), goal 2\.0x: the Typer app [0-9.]+ s, talkbase {timed}; a Typer command .* {timed}$"
    assert re.search(matrix, out, re.M), out
    for name in ("history --changes-only", "disputes"):
        row = next(line for line in out.splitlines() if line.startswith(f"{name} (S), goal 2.0x"))
        assert re.search(r"padding its ready cells \([0-9.]+ MB\) [0-9.]+ s = [0-9.]+x;", row), row
        assert re.search(r"with finding too [0-9.]+x$", row), row
        assert re.search(rf"goal 2\.0x: the Typer app [0-9.]+ s, talkbase {timed};", row), row
    cold = next(line for line in out.splitlines() if line.startswith("cold (S), goal 0.3x"))
    assert re.search(r"PyYAML's C parser making every file's events [0-9.]+ s", cold), cold


def test_the_matrix_floor_prints_the_grid_talkbase_prints(tmp_path: Path) -> None:
    sys.path.insert(0, str(REPO / "benchmarks"))
    try:
        import floors
        from generate import generate
    finally:
        sys.path.remove(str(REPO / "benchmarks"))
    kb = tmp_path / "kb"
    generate("S", kb)
    app = tmp_path / "matrix_floor.py"
    app.write_text(floors.MATRIX_FLOOR, encoding="utf-8")
    env = dict(os.environ, COLUMNS="80")
    matrix = [sys.executable, "-m", "talkbase", "matrix", "--data", str(kb)]
    subprocess.run(matrix, capture_output=True, env=env, check=True)  # the snapshot, for the next to keep its standings
    talkbase = subprocess.run(matrix, capture_output=True, text=True, env=env)
    assert talkbase.returncode == 0, talkbase.stderr
    floor = subprocess.run([sys.executable, str(app), str(kb)], capture_output=True, text=True, env=env)
    assert floor.returncode == 0, floor.stderr
    grid = talkbase.stdout.split("\ntopics: ", 1)[0] + "\n"  # the legend follows the grid
    assert floor.stdout == grid
    assert len(grid.splitlines()) > 5
