"""`talkbase init`: a knowledge base to start from, refusing to overwrite anything."""

from __future__ import annotations

from pathlib import Path

from conftest import run


def test_init_makes_a_knowledge_base_that_check_accepts_and_says_what_next(tmp_path: Path) -> None:
    result = run("init", "talks", cwd=tmp_path)
    assert result.code == 0, result.err
    assert result.out == (
        "made a knowledge base with 5 example files and talkbase.yaml in talks/data\n"
        "next:\n  cd talks\n  talkbase check\n  talkbase add position\n  talkbase timeline --positions\n"
    )
    data = tmp_path / "talks" / "data"
    assert sorted(p.name for p in data.iterdir()) == [
        "actors.yaml", "events.yaml", "positions.yaml", "sources.yaml", "talkbase.yaml", "topics.yaml",
    ]  # fmt: skip
    check = run("check", cwd=tmp_path / "talks")
    assert check.code == 0
    assert "5 files, 2 actors, 1 source, 1 topic, 1 event, 1 position: 0 errors, 0 warnings" in check.out
    assert all(p.read_text().startswith("# ") for p in data.iterdir())  # every file says what it holds


def test_init_refuses_to_overwrite_anything(tmp_path: Path) -> None:
    assert run("init", cwd=tmp_path).code == 0
    actors = tmp_path / "data" / "actors.yaml"
    actors.write_text("actors: []\n")
    again = run("init", cwd=tmp_path)
    assert again.code == 1
    assert again.err == "talkbase: error: data already holds files; nothing was changed\n"
    assert actors.read_text() == "actors: []\n"
    (tmp_path / "file").mkdir()
    (tmp_path / "file" / "data").write_text("not a folder")
    assert run("init", "file", cwd=tmp_path).code == 1


def test_init_bare_makes_an_empty_knowledge_base_that_commands_use(tmp_path: Path) -> None:
    result = run("init", "--bare", cwd=tmp_path)
    assert result.code == 0
    assert result.out.startswith("made an empty knowledge base in data\nnext:\n  talkbase add actor --name NAME")
    assert list((tmp_path / "data").iterdir()) == []
    timeline = run("timeline", cwd=tmp_path)
    assert timeline.code == 0 and timeline.out == "" and "is empty" in timeline.err
