"""Parsing on every core (talkbase.load.parallel): the same records, positions and problems as parsing in
process, with and without the file cache, and a parse that still completes when a worker dies."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from talkbase.load import cache, parallel
from talkbase.load.kb import DataLocation, open_kb
from talkbase.load.loader import Loaded, load_tree

from conftest import FIXTURES

BROKEN_YAML = "positions:\n  - id: broken\n    claim: [unclosed\n"
INVALID = (
    "events:\n  - id: round-9\n    title: A round\n    date: 2025-02-30\n    status: held\n    sources: [nowhere]\n"
)


@pytest.fixture
def many_files(tmp_path: Path) -> Path:
    """kb-small split over more files, one of them not YAML and one with errors in its records."""
    kb = tmp_path / "kb"
    shutil.copytree(FIXTURES / "kb-small", kb)
    (kb / "more").mkdir()
    (kb / "more" / "broken.yaml").write_text(BROKEN_YAML, encoding="utf-8")
    (kb / "more" / "invalid.yaml").write_text(INVALID, encoding="utf-8")
    return kb


def in_pool(monkeypatch: pytest.MonkeyPatch, jobs: int) -> None:
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)  # any size: a small knowledge base shows the same
    monkeypatch.setenv("TALKBASE_JOBS", str(jobs))


def parsed(loaded: Loaded) -> tuple:
    """Everything a load gives, positions of every value included."""

    def located(value):
        if isinstance(value, dict):
            items = [(k, value.key_at(k), value.value_at(k), located(v)) for k, v in value.items()]
            return ("map", value.line, value.col, items)
        if isinstance(value, list):
            return ("list", value.line, value.col, value.item_pos, [located(v) for v in value])
        return value

    records = [(r.kind, r.path, r.line, r.col, located(r.data)) for r in loaded.records]
    return loaded.files, records, sorted(loaded.problems, key=repr)


@pytest.mark.parametrize("file_cache", [False, True], ids=["no-file-cache", "file-cache"])
def test_a_parse_on_two_cores_is_the_parse_in_process(
    many_files: Path, monkeypatch: pytest.MonkeyPatch, file_cache: bool
) -> None:
    in_process = load_tree(many_files)
    in_pool(monkeypatch, 2)
    with monkeypatch.context() as no_fallback:
        no_fallback.setattr(parallel, "_parse_here", lambda *args: pytest.fail("a file was parsed in process"))
        pooled = load_tree(many_files, file_cache=cache.FileCache() if file_cache else None)
    assert parsed(pooled) == parsed(in_process)
    assert any(p.code == "yaml-syntax" for p in pooled.problems)
    if file_cache:  # each worker kept its files' parses: read back, they are the same again
        again = load_tree(many_files, file_cache=cache.FileCache())
        assert parsed(again) == parsed(in_process)


def test_a_knowledge_base_opens_the_same_parsed_on_two_cores(many_files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    location = DataLocation(many_files, "--data")
    alone = open_kb(location, use_cache=False)
    in_pool(monkeypatch, 2)
    pooled = open_kb(location, use_cache=False)
    assert pooled.problems == alone.problems and pooled.problems
    (many_files / "more" / "broken.yaml").unlink()
    (many_files / "more" / "invalid.yaml").unlink()
    clean_alone = open_kb(location, use_cache=False)
    clean_pooled = open_kb(location)
    assert clean_pooled.kb == clean_alone.kb and clean_pooled.kb is not None


def _dies(path: str, shown: str, stamp) -> bytes:
    os._exit(3)  # as a worker killed by the system


def test_a_worker_that_dies_leaves_its_files_to_be_parsed_in_process(
    many_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_process = load_tree(many_files)
    in_pool(monkeypatch, 2)
    monkeypatch.setattr(parallel, "_parse_packed", _dies)
    assert parsed(load_tree(many_files)) == parsed(in_process)


@pytest.mark.parametrize(("value", "expected"), [("1", 1), ("3", 3), ("0", None), ("many", None), ("", None)])
def test_talkbase_jobs_sets_how_many_processes_parse(monkeypatch: pytest.MonkeyPatch, value: str, expected) -> None:
    monkeypatch.setenv("TALKBASE_JOBS", value)
    assert parallel.jobs() == (expected or os.cpu_count() or 1)


def test_a_small_knowledge_base_or_one_job_is_parsed_in_process(
    many_files: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parallel, "_parse_in_pool", lambda *args: pytest.fail("a pool was started"))
    monkeypatch.setenv("TALKBASE_JOBS", "2")
    load_tree(many_files)  # far under PARALLEL_FROM
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 0)
    monkeypatch.setenv("TALKBASE_JOBS", "1")
    assert load_tree(many_files).records
