"""What talkbase changes on disk, run as root as CI runs it: the data directory (add, edit), the parse cache, the
state folder and the `-o`/`--save` targets, and nothing else — not the current folder, the home folder, the
temporary folder, /dev, nor the repository talkbase runs from."""

from __future__ import annotations

import os
import shutil
import stat
import sys
from pathlib import Path

import pytest

from conftest import REPO, run

SKIPPED = {".venv", "__pycache__", ".pytest_cache", ".ruff_cache", ".git", ".hypothesis"}


def tree(root: Path, skip: set[Path] = frozenset()) -> dict[str, tuple[int, int, int]]:
    """Every entry under root (not following links) with its mode, size and modification time."""
    found = {}
    for folder, folders, files in os.walk(root):
        folders[:] = [f for f in folders if f not in SKIPPED and Path(folder, f) not in skip]
        for name in [*folders, *files]:
            info = os.lstat(Path(folder, name))
            found[str(Path(folder, name))] = (info.st_mode, info.st_size, info.st_mtime_ns)
    return found


def dev_entries() -> dict[str, int]:
    return {entry.name: entry.stat(follow_symlinks=False).st_mode for entry in os.scandir("/dev")}


def test_commands_change_nothing_but_the_data_the_cache_the_state_and_the_output(tmp_path: Path) -> None:
    home, work, tmp = tmp_path / "home", tmp_path / "work", tmp_path / "tmp"
    cache, state, out = tmp_path / "cache", tmp_path / "state", tmp_path / "out"
    for folder in (home, work, tmp, cache, state, out):
        folder.mkdir()
    data = work / "data"
    shutil.copytree(REPO / "data", data)
    (work / "notes.txt").write_text("mine\n")
    editor = tmp_path / "editor.py"
    editor.write_text("import sys\n")
    env = {
        "HOME": str(home),
        "TMPDIR": str(tmp),
        "XDG_CACHE_HOME": str(cache),
        "XDG_STATE_HOME": str(state),
        "EDITOR": f"{sys.executable} {editor}",
        "VISUAL": "",
    }
    if os.geteuid() != 0:
        pytest.skip("runs as root, as CI does: it makes a device node")
    null = out / "null"  # a device like /dev/null, made here so that a regression cannot replace the real one
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    kept = {data, cache, state, out}
    before = (tree(tmp_path, kept), tree(REPO), dev_entries())
    commands = [
        ["check"],
        ["timeline", "--positions"],
        ["actors"],
        ["positions", "--format", "csv"],
        ["grep", "ceasefire"],
        ["show", "zelensky"],
        ["sources", "--sole"],
        ["topics"],
        ["matrix"],
        ["history"],
        ["disputes"],
        ["export", "json", "-o", str(out / "kb.json")],
        ["export", "csv", "-o", str(out / "csv")],
        ["export", "sqlite", "-o", str(out / "kb.db")],
        ["export", "ics", "-o", str(null)],
        ["export", "timelinejs", "-o", str(out / "timeline.json")],
        ["schema", "-o", str(out / "schema.json")],
        ["timeline", "--save", str(out / "timeline.svg")],
        ["add", "topic", "--name", "Footprint", "--dry-run"],
        ["add", "topic", "--name", "Footprint"],
        ["edit", "footprint"],
        ["--no-cache", "timeline"],
    ]
    for command in commands:
        result = run(*command, cwd=work, env=env)
        assert result.code == 0, (command, result.err)
    after = (tree(tmp_path, kept), tree(REPO), dev_entries())
    # A write through a device is gathered in a temporary file first: the temporary folder's entries must be as
    # they were, though its own modification time moved.
    before[0][str(tmp)] = after[0][str(tmp)]
    assert after == before
    assert sorted(p.name for p in out.iterdir()) == [
        "csv", "kb.db", "kb.json", "null", "schema.json", "timeline.json", "timeline.svg"
    ]  # fmt: skip
    assert "id: footprint" in (data / "topics.yaml").read_text() and stat.S_ISCHR(null.lstat().st_mode)
