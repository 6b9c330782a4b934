"""The shortcuts that make large knowledge bases fast give the answers of the plain queries: grep's --count
and --ids, and one actor's positions, whether the knowledge base was built from YAML or read from the cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from talkbase.ask.filter import Filter, filter_of
from talkbase.ask.query import compile_pattern, grep, grep_count, grep_ids, list_positions
from talkbase.load import cache
from talkbase.load.kb import DataLocation, open_kb
from talkbase.records.model import KINDS_IN_ORDER, KnowledgeBase

from conftest import FIXTURES, REPO


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TALKBASE_NO_CACHE", raising=False)


def both(source: Path) -> tuple[KnowledgeBase, KnowledgeBase]:
    """The knowledge base built from YAML, and the same read back from a snapshot (nothing built yet)."""
    location = DataLocation(source, "--data")
    built = open_kb(location, use_cache=False).kb
    open_kb(location)
    warm = open_kb(location)
    assert warm.from_cache and built is not None and warm.kb is not None
    return built, warm.kb


FILTERS = [
    Filter(),
    filter_of(status=["held"]),
    filter_of(actor=["sudov", "peskov"]),
    filter_of(topic=["ceasefire"], source=["kyivindependent", "reuters"]),
    filter_of(date=["2025-06..2025-07-20"]),
]
PATTERNS = ["ceasefire", "Ceasefire", "e", "x*", "", "^", r"\b", "talks|summit", "zzz-no-match", "(?i)A$"]


@pytest.mark.parametrize("source", [REPO / "data", FIXTURES / "kb-small", FIXTURES / "kb-views"])
@pytest.mark.parametrize("pattern", PATTERNS)
def test_grep_ids_are_the_records_of_grep_hits(source: Path, pattern: str) -> None:
    regex = compile_pattern(pattern)
    built, warm = both(source)
    for filters in FILTERS:
        assert grep_ids(warm, regex, filters) == grep_ids(built, regex, filters)
        assert grep_count(warm, regex, filters) == grep_count(built, regex, filters)
    assert set(warm._pending) == {"actors", "sources", "topics", "events", "positions"}  # nothing built
    for kb in (built, warm):
        for filters in FILTERS:
            expected = list(dict.fromkeys(hit.record.id for hit in grep(kb, regex, filters)))
            assert grep_ids(kb, regex, filters) == expected
            assert grep_count(kb, regex, filters) == len(expected)


@pytest.mark.parametrize("source", [REPO / "data", FIXTURES / "kb-small"])
def test_grep_hits_are_the_same_built_or_from_the_cache(source: Path) -> None:
    built, warm = both(source)
    for pattern in PATTERNS:
        regex = compile_pattern(pattern)
        assert grep(warm, regex, Filter()) == grep(built, regex, Filter())


@pytest.mark.parametrize("source", [REPO / "data", FIXTURES / "kb-small"])
def test_one_actors_positions_are_the_same_built_or_from_the_cache(source: Path) -> None:
    built, warm = both(source)
    for actor in sorted({p.actor for p in built.positions}):
        filters = filter_of(actor=[actor])
        assert list_positions(warm, filters) == list_positions(built, filters)
    assert "positions" not in warm._pending or len(warm.positions) == len(built.positions)


@pytest.mark.parametrize("lookups", [3, 256])
@pytest.mark.parametrize("source", [REPO / "data", FIXTURES / "kb-small"])
def test_records_found_by_id_are_those_of_the_files(
    source: Path, lookups: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """By the snapshot's sorted ids, and (past LOOKUPS of them) by its id column."""
    monkeypatch.setattr(cache, "LOOKUPS", lookups)
    built, warm = both(source)
    for kind in KINDS_IN_ORDER:
        ids = [record.id for record in getattr(built, kind)]
        for wanted in (ids[::2], ids[1:2], ["no-such-id", *ids[-1:]], []):
            assert warm.with_ids(kind, wanted) == built.with_ids(kind, wanted)
    for record_id in built.by_id:
        assert warm.by_id[record_id] == built.by_id[record_id]
    assert "no-such-id" not in warm.by_id
