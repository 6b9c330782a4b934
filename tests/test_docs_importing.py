"""docs/importing.md stays true: every `talkbase` command in its ```sh blocks runs, in a fresh knowledge base
where it would write, and its table of CSV files names exactly the tables the CSV reader knows."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from talkbase.write.import_csv import TABLES

from conftest import REPO, talkbase_env

DOC = (REPO / "docs" / "importing.md").read_text(encoding="utf-8")


def test_the_shell_examples_run(tmp_path: Path) -> None:
    shutil.copytree(REPO / "data", tmp_path / "data")
    for empty in ("empty-kb", "new-kb", "csv-kb"):  # the knowledge bases the examples import into
        (tmp_path / empty / "data").mkdir(parents=True)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "talkbase").write_text(f'#!/bin/sh\nexec {sys.executable} -m talkbase "$@"\n', encoding="utf-8")
    (bin_dir / "talkbase").chmod(0o755)
    env = talkbase_env({"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "PYTHONPATH": str(REPO)})
    blocks = re.findall(r"```sh\n(.*?)```", DOC, flags=re.S)
    assert len(blocks) >= 5
    for block in blocks:
        for line in block.strip().splitlines():
            done = subprocess.run(["sh", "-ec", line], cwd=tmp_path, env=env, capture_output=True, text=True)
            assert done.returncode == 0, (line, done.stderr)
    assert (tmp_path / "empty-kb" / "data" / "positions.yaml").exists()
    assert (tmp_path / "csv-kb" / "data" / "positions.yaml").exists()
    assert (tmp_path / "new-kb" / "data" / "sources.yaml").exists()


def test_the_csv_table_lists_every_link_table() -> None:
    named = set(re.findall(r"`(\w+)`", DOC.split("## CSV", 1)[1].split("## add", 1)[0]))
    assert {name for name, layout in TABLES.items() if layout.field} <= named
