"""talkbase's own files (the parse cache, drafts and locks) go where the XDG Base Directory spec says: a relative
`XDG_CACHE_HOME` or `XDG_STATE_HOME` is invalid and ignored, so nothing lands in the directory a command runs in."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import REPO, run


def files_under(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*"))


def test_a_relative_xdg_cache_home_is_ignored(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": "relative-cache"}
    result = run("check", "--data", str(REPO / "data"), cwd=work, env=env)
    assert result.code == 0, result.err
    assert files_under(work) == []
    assert (home / ".cache" / "talkbase" / "files").is_dir()  # the spec's default instead
    assert run("check", "--data", str(REPO / "data"), cwd=work, env=env).out == result.out


def test_a_relative_xdg_state_home_is_ignored(tmp_path: Path) -> None:
    home, work, kb = tmp_path / "home", tmp_path / "work", tmp_path / "kb"
    work.mkdir()
    shutil.copytree(REPO / "data", kb)
    env = {"HOME": str(home), "XDG_STATE_HOME": "relative-state", "TALKBASE_NO_CACHE": "1"}
    args = ["--title", "Fourth round", "--date", "2025-08-10", "--status", "held"]
    history = "date=2025-07-30; status=scheduled; sources=kyiv-independent-2025-07-talks-resume"
    result = run(
        "add",
        "event",
        *args,
        "--history",
        history,
        "--source",
        "kyiv-independent-2025-07-talks-resume",
        "--data",
        str(kb),
        cwd=work,
        env=env,
    )
    assert result.code == 1  # kept as a draft, which must not be written relative to the current directory
    assert files_under(work) == []
    [draft] = (home / ".local" / "state" / "talkbase" / "drafts").glob("event-fourth-round-*.yaml")
    assert f"talkbase add event --from {draft}" in result.err
