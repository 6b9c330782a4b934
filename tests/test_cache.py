"""The parse cache never changes an answer: same problems, same records and line numbers, with or without it,
and a corrupt, truncated, stale or foreign snapshot is ignored and rebuilt."""

from __future__ import annotations

import marshal
import os
import shutil
import time
from array import array
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkbase.load import cache
from talkbase.load.kb import DataLocation, Opened, open_kb
from talkbase.records.texts import Texts

from conftest import FIXTURES, REPO, run


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("TALKBASE_NO_CACHE", raising=False)
    return tmp_path / "cache"


def copy_kb(source: Path, tmp_path: Path) -> Path:
    target = tmp_path / "kb"
    shutil.copytree(source, target)
    return target


def same_outcome(a: Opened, b: Opened) -> None:
    assert a.problems == b.problems
    assert a.record_counts == b.record_counts
    assert a.files == b.files
    assert (a.kb is None) == (b.kb is None)
    if a.kb is not None and b.kb is not None:
        for kind in ("actors", "sources", "topics", "events", "positions"):
            assert getattr(a.kb, kind) == getattr(b.kb, kind), kind  # records include their file and line
        assert list(a.kb.by_id.items()) == list(b.kb.by_id.items())


@pytest.mark.parametrize(
    "source", [REPO / "data", FIXTURES / "kb-small", FIXTURES / "kb-views", FIXTURES / "errors" / "warnings"]
)
def test_same_problems_and_records_with_and_without_the_cache(source: Path) -> None:
    location = DataLocation(source, "--data")
    fresh = open_kb(location, use_cache=False)
    first = open_kb(location)
    second = open_kb(location)
    assert (first.from_cache, second.from_cache) == (False, True)
    same_outcome(fresh, first)
    same_outcome(fresh, second)
    same_outcome(open_kb(location, strict=True, use_cache=False), open_kb(location, strict=True))


def test_a_snapshot_builds_only_the_kinds_a_command_uses() -> None:
    location = DataLocation(FIXTURES / "kb-small", "--data")
    fresh = open_kb(location, use_cache=False).kb
    open_kb(location)
    warm = open_kb(location)
    assert warm.from_cache and warm.kb is not None and fresh is not None
    assert warm.record_counts == fresh.counts()
    assert warm.kb.events == fresh.events
    assert warm.kb.by_id["sudov"] == fresh.by_id["sudov"]  # an actor: the actors are built, nothing else
    assert "positions" in warm.kb._pending and "sources" in warm.kb._pending
    assert "nobody" not in warm.kb.by_id and warm.kb.by_id.get("nobody") is None
    assert len(warm.kb.by_id) == len(fresh.by_id)
    assert warm.kb == fresh


@pytest.mark.parametrize("kind", ["positions", "events", "actors"])
def test_where_on_a_snapshot_builds_only_what_passes_and_agrees_with_the_full_list(kind: str) -> None:
    location = DataLocation(FIXTURES / "kb-small", "--data")
    fresh = open_kb(location, use_cache=False).kb
    open_kb(location)
    warm = open_kb(location).kb
    assert fresh is not None and warm is not None
    test = lambda record_id: record_id < "o"  # noqa: E731
    chosen = warm.where(kind, ("id",), test)
    assert chosen == fresh.where(kind, ("id",), test) == [r for r in getattr(fresh, kind) if test(r.id)]
    assert 0 < len(chosen) < len(getattr(fresh, kind))
    assert sum(r is not None for r in warm._pending[kind].built) == len(chosen)
    assert all(any(r is c for r in getattr(warm, kind)) for c in chosen)  # the full list reuses them
    assert warm.where("positions", ("claim", "quote"), lambda *t: True) == fresh.positions


@pytest.mark.parametrize("few", [1, 10**9], ids=["records-of-few-rows", "whole-columns"])
def test_a_few_chosen_rows_are_read_from_their_records_as_from_the_columns(monkeypatch, few: int) -> None:
    from talkbase.ask.query import _After

    monkeypatch.setattr(cache, "FEW", few)  # 1: any choice short of every row counts as few
    location = DataLocation(FIXTURES / "kb-small", "--data")
    fresh = open_kb(location, use_cache=False).kb
    open_kb(location)
    warm = open_kb(location).kb
    assert fresh is not None and warm is not None
    by_sudov = _After(lambda actor: actor == "sudov", lambda claim, quote: "e" in claim + (quote or ""))
    names, fields = ("actor", "claim", "quote"), ("id", "date", "stance")
    assert warm.values("positions", names, by_sudov, fields) == fresh.values("positions", names, by_sudov, fields)
    chosen = warm.where("positions", names, by_sudov)
    assert chosen == fresh.where("positions", names, by_sudov) and 0 < len(chosen) < len(fresh.positions)
    assert sum(r is not None for r in warm._pending["positions"].built) == len(chosen)  # only those, either way
    assert ("claim" in warm._pending["positions"].texts) == (few != 1)  # few rows: no column of claims read


def test_a_column_of_mostly_empty_tuples_is_kept_sparse_and_read_back_whole(tmp_path: Path) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    extra = "".join(
        f"  - {{id: extra-{i}, actor: nordin, topic: ceasefire, stance: proposes, claim: Again {i}., "
        f"date: 2024-01-{i + 1:02}, sources: [planet-may]}}\n"
        for i in range(20)
    )
    (kb / "more-positions.yaml").write_text("positions:\n" + extra, encoding="utf-8")
    location = DataLocation(kb, "--data")
    fresh = open_kb(location, use_cache=False).kb
    open_kb(location)
    assert fresh is not None and sum(bool(p.after) for p in fresh.positions) * cache.SPARSE < len(fresh.positions)
    header, sections = cache._open_sealed(cache.snapshot_path(kb))
    sections.spans = {name: tuple(where) for name, *where in header[6]}
    rows, values = sections("positions:after")  # the rows giving an order, and theirs
    assert [fresh.positions[i].after for i in array("i", rows)] == values and all(values)
    warm = open_kb(location).kb
    assert warm is not None and warm._pending["positions"]._column("after") == [p.after for p in fresh.positions]
    assert type(sections("positions:id")) is list  # no id is empty: kept whole


def test_a_snapshot_of_records_of_another_shape_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    location = DataLocation(FIXTURES / "kb-small", "--data")
    open_kb(location)
    assert open_kb(location).from_cache
    layout = cache._layout()
    monkeypatch.setattr(cache, "_layout", lambda: (*layout[:-1], ("positions", (("id", ""),))))
    assert not open_kb(location).from_cache


def test_a_snapshot_written_by_another_python_is_not_used(monkeypatch: pytest.MonkeyPatch) -> None:
    location = DataLocation(FIXTURES / "kb-small", "--data")
    ours, stamp = cache.snapshot_path(location.path), cache.STAMP
    monkeypatch.setattr(cache, "STAMP", "0.0 otherpython-9.9")
    open_kb(location)
    theirs = cache.snapshot_path(location.path)
    assert theirs != ours and theirs.exists()
    monkeypatch.setattr(cache, "STAMP", stamp)
    assert cache.snapshot_path(location.path) == ours
    ours.parent.mkdir(parents=True, exist_ok=True)
    ours.write_bytes(theirs.read_bytes())  # even under our name, its header says who wrote it
    assert not open_kb(location).from_cache


def test_a_record_field_of_an_unknown_type_means_no_snapshot(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "_CODECS", {k: v for k, v in cache._CODECS.items() if k != "Loc"})
    location = DataLocation(FIXTURES / "kb-small", "--data")
    first = open_kb(location)
    assert first.kb is not None and not cache.snapshot_path(location.path).exists()
    assert not open_kb(location).from_cache


def test_editing_a_file_is_seen_at_once(tmp_path: Path) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    location = DataLocation(kb, "--data")
    open_kb(location)
    topics = kb / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("name: Ceasefire", "name: Truce"), encoding="utf-8")
    opened = open_kb(location)
    assert not opened.from_cache
    assert opened.kb is not None and opened.kb.by_id["ceasefire"].name == "Truce"
    assert open_kb(location).from_cache


def test_an_edit_that_keeps_the_size_and_gets_its_old_mtime_back_is_seen(tmp_path: Path) -> None:
    """`cp -p`, `rsync -a` and tar give a file its old modification time back; the cache must not trust it."""
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    location = DataLocation(kb, "--data")
    topics = kb / "topics.yaml"
    before = topics.stat()
    assert open_kb(location).kb.by_id["ceasefire"].name == "Ceasefire"
    text = topics.read_text(encoding="utf-8").replace("name: Ceasefire", "name: Armistice")  # same size
    topics.write_text(text, encoding="utf-8")
    os.utime(topics, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert topics.stat().st_size == before.st_size and topics.stat().st_mtime_ns == before.st_mtime_ns
    opened = open_kb(location)
    assert not opened.from_cache
    assert opened.kb.by_id["ceasefire"].name == "Armistice"
    assert open_kb(location, use_cache=False).kb.by_id["ceasefire"].name == "Armistice"


def test_a_new_or_removed_file_is_seen(tmp_path: Path) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    location = DataLocation(kb, "--data")
    open_kb(location)
    (kb / "more.yaml").write_text("topics:\n  - id: extra\n    name: Extra\n", encoding="utf-8")
    opened = open_kb(location)
    assert not opened.from_cache and opened.record_counts["topics"] == 4
    (kb / "more.yaml").unlink()
    assert open_kb(location).record_counts["topics"] == 3


def test_a_kb_with_errors_gets_no_snapshot() -> None:
    location = DataLocation(FIXTURES / "errors" / "dangling-ref", "--data")
    open_kb(location)
    assert not open_kb(location).from_cache
    assert not cache.snapshot_path(location.path).exists()


@pytest.mark.parametrize("case", sorted(p.name for p in (FIXTURES / "errors").iterdir() if p.is_dir()))
def test_error_fixtures_give_the_same_problems_from_the_file_cache(case: str) -> None:
    location = DataLocation(FIXTURES / "errors" / case, "--data")
    fresh = open_kb(location, use_cache=False)
    open_kb(location)
    same_outcome(fresh, open_kb(location))


def test_editing_one_file_parses_that_file_only(tmp_path: Path, monkeypatch) -> None:
    from talkbase.load import loader

    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    location = DataLocation(kb, "--data")
    parsed: list[str] = []
    real = loader.load_file
    monkeypatch.setattr(loader, "load_file", lambda path, *rest: (parsed.append(path.name), real(path, *rest)))
    first = open_kb(location)
    assert sorted(parsed) == ["actors.yaml", "events.yaml", "positions.yaml", "sources.yaml", "topics.yaml"]
    parsed.clear()
    topics = kb / "topics.yaml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("name: Ceasefire", "name: Truce"), encoding="utf-8")
    second = open_kb(location)
    assert parsed == ["topics.yaml"]
    assert second.kb is not None and second.kb.by_id["ceasefire"].name == "Truce"
    assert second.kb.by_id["sudov"].loc == first.kb.by_id["sudov"].loc  # positions from the file cache


@pytest.mark.parametrize(
    "damage",
    [
        lambda blob: b"",
        lambda blob: blob[: len(blob) // 2],
        lambda blob: blob + b"\x00",
        lambda blob: b"not a cache at all",
        lambda blob: cache.MAGIC + b"\x00" * 16 + b"garbage",
        lambda blob: blob[:-20] + bytes([blob[-20] ^ 1]) + blob[-19:],  # in the sealed header
        lambda blob: blob[:-1] + bytes([blob[-1] ^ 1]),  # the header's length
    ],
    ids=["empty", "truncated", "grown", "foreign", "bad-checksum", "header-bit-flip", "header-length"],
)
def test_a_damaged_snapshot_is_ignored_and_rebuilt(damage, tmp_path: Path) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    location = DataLocation(kb, "--data")
    fresh = open_kb(location, use_cache=False)
    open_kb(location)
    snapshot = cache.snapshot_path(kb)
    snapshot.write_bytes(damage(snapshot.read_bytes()))
    reopened = open_kb(location)
    assert not reopened.from_cache
    same_outcome(fresh, reopened)
    assert open_kb(location).from_cache  # rewritten


def test_a_damaged_section_is_found_when_read_and_the_files_answer(tmp_path: Path) -> None:
    """Sections are checked against their digests when first read: a flipped bit in the first one (the actors'
    ids) is found then, the snapshot removed and rewritten, and the answer is the files'."""
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    location = DataLocation(kb, "--data")
    fresh = open_kb(location, use_cache=False)
    open_kb(location)
    snapshot = cache.snapshot_path(kb)
    blob = snapshot.read_bytes()
    at = len(cache.MAGIC) + cache.DIGEST_SIZE + 3
    snapshot.write_bytes(blob[:at] + bytes([blob[at] ^ 1]) + blob[at + 1 :])
    reopened = open_kb(location)
    assert reopened.from_cache and reopened.kb is not None  # the header is intact
    assert reopened.kb.by_id["sudov"] == fresh.kb.by_id["sudov"]
    same_outcome(fresh, reopened)
    assert snapshot.read_bytes() == blob or cache._open_sealed(snapshot) is not None  # a good one again
    assert open_kb(location).from_cache


def test_a_snapshot_of_another_kb_is_not_used(tmp_path: Path) -> None:
    one = copy_kb(FIXTURES / "kb-small", tmp_path)
    other = tmp_path / "other"
    shutil.copytree(FIXTURES / "kb-views", other)
    open_kb(DataLocation(other, "--data"))
    shutil.copy(cache.snapshot_path(other), cache.snapshot_path(one))
    opened = open_kb(DataLocation(one, "--data"))
    assert not opened.from_cache
    assert opened.record_counts["actors"] == 7


def test_paths_are_relative_to_the_current_directory_of_each_run(tmp_path: Path, monkeypatch) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    monkeypatch.chdir(tmp_path)
    open_kb(DataLocation(kb, "--data"))
    monkeypatch.chdir(kb)
    opened = open_kb(DataLocation(kb, "--data"))
    assert opened.from_cache
    assert opened.kb is not None and opened.kb.by_id["sudov"].loc.path == "actors.yaml"


def test_an_unwritable_cache_directory_is_not_an_error(tmp_path: Path, monkeypatch) -> None:
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    opened = open_kb(DataLocation(FIXTURES / "kb-small", "--data"))
    assert opened.kb is not None and not opened.from_cache


def test_no_cache_option_and_environment_bypass_it(tmp_path: Path) -> None:
    cache_home = tmp_path / "c"
    env = {"XDG_CACHE_HOME": str(cache_home)}
    assert run("--no-cache", "check", "--data", str(FIXTURES / "kb-small"), env=env).code == 0
    assert run("check", "--data", str(FIXTURES / "kb-small"), env={**env, "TALKBASE_NO_CACHE": "1"}).code == 0
    assert not cache_home.exists()
    assert run("check", "--data", str(FIXTURES / "kb-small"), env=env).code == 0
    assert sorted(p.name for p in (cache_home / "talkbase").iterdir()) == [
        "files",
        cache.snapshot_path(FIXTURES / "kb-small").name,
        "key",
    ]
    assert len(list((cache_home / "talkbase" / "files").iterdir())) == 5


def test_cli_answers_are_the_same_cold_and_warm(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "c")}
    for args in (
        ["positions", "--format", "json"],
        ["positions", "--actor", "sudov", "--format", "json"],
        ["grep", "ceasefire", "--format", "json"],
        ["grep", "e", "--count"],
        ["check"],
        ["show", "sudov"],
    ):
        cold = run(*args, "--data", str(FIXTURES / "kb-small"), env=env)
        warm = run(*args, "--data", str(FIXTURES / "kb-small"), env=env)
        assert (cold.code, cold.out, cold.err) == (warm.code, warm.out, warm.err)


class FakeTerminal:
    """A stderr that says it is a terminal and keeps what is written."""

    def __init__(self) -> None:
        self.text = ""

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.text += text
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("is_terminal", [True, False])
def test_load_progress_shows_only_on_a_terminal_after_a_delay(monkeypatch, is_terminal: bool) -> None:
    import io
    import sys

    from talkbase.show.progress import LoadProgress

    stream = FakeTerminal() if is_terminal else io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    quick = LoadProgress()
    quick(1, 2)  # within the first half second: nothing
    assert quick._bar is None
    monkeypatch.setattr(LoadProgress, "DELAY", 0.0)
    slow = LoadProgress()
    slow(1, 2)
    slow(2, 2)
    slow.close()
    assert (slow._bar is not None) == is_terminal
    written = stream.text if is_terminal else stream.getvalue()
    assert ("reading YAML files" in written) == is_terminal


def reseal_snapshot(path: Path, change, change_header=None) -> None:
    """Edit a snapshot's sections (and its header) as a hand would, then give each, and the header, a matching
    digest, so it passes every check."""
    opened = cache._open_sealed(path)
    assert opened is not None
    header, sections = list(opened[0]), opened[1]
    sections.spans = {name: tuple(where) for name, *where in header[6]}
    values = {name: sections(name) for name in sections.spans}
    change(values)
    values = [marshal.dumps(values[name]) for name in sections.spans]
    if change_header is not None:
        change_header(header)

    def resealed(spans: list) -> bytes:
        header[6] = spans
        return marshal.dumps(tuple(header))

    cache._write_snapshot(path, zip(sections.spans, values), resealed)  # sealed with the key _key gives


def set_field(kind: str, name: str, value, rows: bool = True) -> Callable[[dict], None]:
    """Set the field of the first record of `kind`, in its row (unless not `rows`) and in its column."""
    from talkbase.records import model

    column = [n for n, _ in cache._codecs(model._CLASSES[kind])].index(name)

    def change(sections: dict) -> None:
        if rows:
            row = list(sections[f"{kind}#0"][0])
            row[column] = value
            sections[f"{kind}#0"][0] = tuple(row)
        stored = sections.get(f"{kind}:{name}")
        if type(stored) is list:
            stored[0] = value
        elif type(stored) is tuple and (value is None or type(value) is str):  # a packed text column
            texts = Texts(stored[0], array("q", stored[1]), frozenset(stored[2])).values()
            texts[0] = value
            packed = Texts.of(texts)
            sections[f"{kind}:{name}"] = (packed.joined, packed.ends.tobytes(), tuple(sorted(packed.missing)))

    return change


def set_words(kind: str, name: str, words: tuple) -> Callable[[dict], None]:
    """A change putting `words` (vocabulary, starts, postings, ascii) as the words of a packed column."""
    return lambda sections: sections.__setitem__(f"{kind}:{name}~words", words)


def _q(*numbers: int) -> bytes:
    return array("q", numbers).tobytes()


def _i(*numbers: int) -> bytes:
    return array("i", numbers).tobytes()


def shifted_id_rows(kind: str) -> Callable[[dict], None]:
    """A change making each of a kind's sorted ids point at the next one's row."""

    def change(sections: dict) -> None:
        joined, ends, rows = sections[f"{kind}:id~rows"]
        at = array("i", rows)
        sections[f"{kind}:id~rows"] = (joined, ends, (at[1:] + at[:1]).tobytes())

    return change


def wrong_index(sections: dict) -> None:
    ids, kinds = sections["index"]
    sections["index"] = (ids, bytes(4 - k for k in kinds))  # every id said to be of another kind


@pytest.mark.parametrize(
    "change, command",
    [
        (set_field("events", "date", "2025-02-30"), ["timeline"]),
        (set_field("events", "date", "2025-02-30"), ["timeline", "--since", "2025-05"]),
        (set_field("events", "title", 5), ["timeline", "--format", "json"]),
        (set_field("positions", "date", None), ["positions", "--actor", "nordin"]),
        (set_field("positions", "claim", ("a", 1)), ["grep", "ceasefire", "--count"]),
        (lambda sections: sections["events#0"].append(("too", "short")), ["timeline"]),
        (wrong_index, ["show", "round-1"]),
        (set_field("events", "status", "bogus"), ["timeline", "--format", "json"]),
        (set_field("positions", "stance", "bogus"), ["matrix"]),
        (set_field("events", "loc", (0, -5, 1)), ["show", "round-1"]),
        (set_field("positions", "actor", "nordin", rows=False), ["positions", "--actor", "nordin"]),
        (set_field("positions", "claim", "ceasefire", rows=False), ["grep", "ceasefire"]),
        (set_words("positions", "claim", ((), b"", b"", True)), ["grep", "ceasefire", "--count"]),
        (lambda sections: sections.__setitem__("positions:after", (_i(999), [("x",)])), ["timeline", "-p"]),
        (lambda sections: sections.__setitem__("positions:after", (_i(0), [5])), ["timeline", "-p"]),
        (set_words("positions", "claim", (("ceasefire",), _q(0, 1), _i(999), True)), ["grep", "ceasefire", "--ids"]),
        (
            set_words("positions", "sources", (("planet-july",), _q(0, 1), _i(999), True)),
            ["positions", "source:planet-july"],
        ),
        (shifted_id_rows("events"), ["show", "round-1"]),
        (shifted_id_rows("positions"), ["show", "sudov-no-date"]),
        (shifted_id_rows("events"), ["timeline", "--limit", "2"]),
        (lambda sections: sections.__setitem__("events:id~rows", ("round-1", _q(7), _i(0, 1))), ["show", "round-1"]),
        (lambda sections: sections.__setitem__("events:id~rows", ["round-1"]), ["show", "round-1"]),
    ],
    ids=[
        "impossible-date",
        "impossible-date-filtered",
        "int-title",
        "no-date",
        "claim-tuple",
        "short-row",
        "index",
        "status-out-of-vocabulary",
        "stance-out-of-vocabulary",
        "negative-line",
        "column-disagrees-with-row",
        "text-column-disagrees-with-row",
        "words-of-the-wrong-shape",
        "words-in-rows-not-there",
        "sparse-column-beyond-its-rows",
        "sparse-column-of-the-wrong-type",
        "items-in-rows-not-there",
        "sorted-ids-at-wrong-rows",
        "sorted-position-ids-at-wrong-rows",
        "sorted-ids-at-wrong-rows-kept-order",
        "sorted-ids-of-the-wrong-length",
        "sorted-ids-of-the-wrong-shape",
    ],
)
def test_a_snapshot_edited_consistently_is_discarded_when_found_out(change, command: list[str], tmp_path: Path) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    expected = run("--no-cache", *command, "--data", str(kb))
    assert run("check", "--data", str(kb)).code == 0  # writes the snapshot
    snapshot = cache.snapshot_path(kb)
    reseal_snapshot(snapshot, change)
    assert cache._open_sealed(snapshot) is not None  # it passes the checksum
    result = run(*command, "--data", str(kb))
    assert "Traceback" not in result.err
    assert (result.code, result.out, result.err) == (expected.code, expected.out, expected.err)
    assert b"2025-02-30" not in snapshot.read_bytes()  # replaced by a good one
    assert run(*command, "--data", str(kb)).out == expected.out
    assert open_kb(DataLocation(kb, "--data")).from_cache


@pytest.mark.parametrize(
    "change",
    [
        lambda records: records.__setitem__(0, (records[0][0], "1", *records[0][2:])),  # a line as text
        lambda records: records.__setitem__(0, (*records[0][:3], {"id": "x"})),  # a dict, not a located map
        lambda records: records.__setitem__(0, (*records[0][:3], (7, 1))),  # a tuple _pack never makes
        lambda records: records.__setitem__(0, ("people", *records[0][1:])),  # no such kind
    ],
    ids=["line-text", "plain-dict", "unknown-tuple", "unknown-kind"],
)
def test_a_file_cache_entry_edited_consistently_is_discarded(change, tmp_path: Path) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    expected = run("--no-cache", "check", "--data", str(kb))
    assert run("check", "--data", str(kb)).code == 0
    cache.snapshot_path(kb).unlink()  # so that the files' parses are read
    entry = cache.FileCache()._path(kb / "actors.yaml")
    good = entry.read_bytes()
    body = cache._checked(good)
    version, path, stamp, written, records, problems = marshal.loads(body)
    change(records := list(records))
    cache._write_sealed(entry, [marshal.dumps((version, path, stamp, written, records, problems))])
    result = run("check", "--data", str(kb))
    assert "Traceback" not in result.err
    assert (result.code, result.out) == (expected.code, expected.out)
    assert marshal.loads(cache._checked(entry.read_bytes()))[4] == marshal.loads(body)[4]  # parsed again, rewritten


def test_a_forged_snapshot_over_files_that_now_hold_errors_asks_for_a_rerun(tmp_path: Path) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    assert run("check", "--data", str(kb)).code == 0
    snapshot = cache.snapshot_path(kb)
    events = kb / "events.yaml"
    events.write_text(events.read_text(encoding="utf-8").replace("date: 2025-05-16", "date: 2025-02-30"))

    def forge(sections: dict) -> None:  # the snapshot made to match the edited files, and inconsistent
        set_field("events", "date", "2025-02-31")(sections)

    signature = cache.signature(sorted(kb.glob("*.yaml")))
    reseal_snapshot(snapshot, forge, lambda header: header.__setitem__(2, signature))
    result = run("timeline", "--data", str(kb))
    assert "Traceback" not in result.err
    assert result.code == 2 and "parse cache disagreed with the data" in result.err
    assert not snapshot.exists()
    again = run("timeline", "--data", str(kb))
    assert again.code == 1 and "events.yaml:4:11: error: `date`: impossible date `2025-02-30`" in again.err + again.out


def test_a_write_that_keeps_the_size_and_every_stamp_is_seen_in_a_small_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as a write through a shared memory map may: size, times and inode all unchanged
    real_stat = Path.stat

    def frozen(self: Path, *args, **kwargs) -> os.stat_result:
        st = real_stat(self, *args, **kwargs)
        if self.suffix != ".yaml":
            return st
        fields = (st.st_mode, 1, st.st_dev, st.st_nlink, st.st_uid, st.st_gid, st.st_size, 0, 0, 0)
        return os.stat_result(fields, {"st_atime_ns": 0, "st_mtime_ns": 0, "st_ctime_ns": 0})

    monkeypatch.setattr(Path, "stat", frozen)
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    location = DataLocation(kb, "--data")
    open_kb(location)
    assert open_kb(location).from_cache
    actors = kb / "actors.yaml"
    actors.write_text(actors.read_text(encoding="utf-8").replace("name: Northland", "name: Northlant"))
    opened = open_kb(location)
    assert not opened.from_cache
    assert opened.kb is not None and opened.kb.by_id["northland"].name == "Northlant"
    assert open_kb(location).from_cache


def big_kb(folder: Path) -> Path:
    """A knowledge base of one file over HASH_UP_TO, known by its stamps alone."""
    topics = "".join(f"  - id: topic-{i}\n    name: Topic number {i} of many\n" for i in range(30_000))
    folder.mkdir()
    (folder / "topics.yaml").write_text("topics:\n" + topics, encoding="utf-8")
    assert (folder / "topics.yaml").stat().st_size > cache.HASH_UP_TO
    return folder


def test_a_cache_written_within_the_time_stamps_granularity_of_an_edit_is_not_trusted(tmp_path: Path) -> None:
    kb = big_kb(tmp_path / "kb")
    location = DataLocation(kb, "--data")
    # Modified just now, as far as a cache written in the next RACY_NS can tell: a second edit this tick would
    # not show. (The stamp is set a little ahead, so that the two loads below fit in the window on a slow machine.)
    now = time.time_ns() + 5 * 10**9
    os.utime(kb / "topics.yaml", ns=(now, now))
    assert not open_kb(location).from_cache
    assert not open_kb(location).from_cache  # the snapshot cannot vouch for it
    assert (
        cache.FileCache().get(
            kb / "topics.yaml", "t", cache.file_stamp(kb / "topics.yaml", (kb / "topics.yaml").stat())
        )
        is None
    )
    past = now - 10 * cache.RACY_NS
    os.utime(kb / "topics.yaml", ns=(past, past))  # safely older than any entry written from now on
    assert not open_kb(location).from_cache
    assert open_kb(location).from_cache


@pytest.mark.parametrize(
    ("change", "command"),
    [
        (set_field("events", "status", "bogus"), ["export", "ics"]),
        (set_field("events", "participants", ("no-such-actor",)), ["export", "json"]),
    ],
    ids=["status-out-of-vocabulary", "dangling-reference"],
)
def test_a_snapshot_resealed_without_the_key_is_never_used(
    change, command: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values that are well-typed but impossible in a clean knowledge base: only the seal can tell, and a hand
    that recomputes a checksum has no key."""
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    stamp = {"SOURCE_DATE_EPOCH": "1750000000"}  # the same DTSTAMP in both runs
    expected = run("--no-cache", *command, "--data", str(kb), env=stamp)
    assert run("check", "--data", str(kb)).code == 0  # writes the snapshot
    snapshot = cache.snapshot_path(kb)
    real_key = cache._key
    with monkeypatch.context() as forger:  # reads the snapshot as anyone can, seals it with a key of its own
        forger.setattr(
            cache, "_key", lambda create: b"not the key".ljust(cache.KEY_SIZE) if create else real_key(create)
        )
        reseal_snapshot(snapshot, change)
    assert cache._open_sealed(snapshot) is None
    result = run(*command, "--data", str(kb), env=stamp)
    assert (result.code, result.out, result.err) == (expected.code, expected.out, expected.err)
    assert cache._open_sealed(snapshot) is not None  # rewritten from the files


def test_the_key_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    assert run("check", "--data", str(FIXTURES / "kb-small"), env={"XDG_CACHE_HOME": str(tmp_path)}).code == 0
    key = tmp_path / "talkbase" / "key"
    assert key.stat().st_mode & 0o777 == 0o600 and len(key.read_bytes()) == cache.KEY_SIZE


@pytest.mark.parametrize("what", ["key", "snapshot"])
@pytest.mark.parametrize("make", ["fifo", "link-to-zero"])
def test_a_fifo_or_endless_file_in_the_cache_folder_is_not_read(tmp_path: Path, what: str, make: str) -> None:
    kb = copy_kb(FIXTURES / "kb-small", tmp_path)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    expected = run("--no-cache", "timeline", "--data", str(kb))
    assert run("check", "--data", str(kb), env=env).code == 0
    folder = tmp_path / "cache" / "talkbase"
    target = folder / "key" if what == "key" else next(folder.glob("kb-*.bin"))
    target.unlink()
    if make == "fifo":
        os.mkfifo(target)
    else:
        target.symlink_to("/dev/zero")
    started = time.monotonic()
    result = run("timeline", "--data", str(kb), env=env)
    assert time.monotonic() - started < 20
    assert (result.code, result.out) == (0, expected.out) and "Traceback" not in result.err


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_the_row_check_is_the_field_checks_in_one_expression(data: st.DataObject) -> None:
    """A stored row passes `_row_check` exactly when every field passes its check in `_stored_checks`."""
    from dataclasses import fields

    from talkbase.load.cache import _row_check, _stored_checks
    from talkbase.records.model import _CLASSES, HistoryEntry, Role

    cls = data.draw(st.sampled_from([*_CLASSES.values(), Role, HistoryEntry]))
    pool = st.one_of(
        st.none(), st.text(max_size=3), st.integers(-1, 3), st.sampled_from(["supports", "held", "talks", "person"]),
        st.tuples(), st.tuples(st.text(max_size=2)), st.tuples(st.text(max_size=2), st.integers()),
        st.tuples(st.integers(0, 2), st.integers(0, 2), st.integers(0, 2)), st.lists(st.text(max_size=2)),
    )  # fmt: skip
    width = len(fields(cls))
    row = tuple(data.draw(st.lists(pool, min_size=width - 1, max_size=width + 1)))
    expected = len(row) == width and all(check(value) for check, value in zip(_stored_checks(cls), row))
    assert _row_check(cls)(row) is expected
    assert _row_check(cls)(list(row)) is False  # a row is a tuple


def test_a_duplicate_warning_names_the_first_place_as_this_run_shows_it(tmp_path: Path) -> None:
    """A duplicate's warning names where the first one is (`… repeats … at b.yaml:2:5`): read from a snapshot
    written by a run in another directory, that path is this run's, as without the cache."""
    kb = tmp_path / "dup"
    shutil.copytree(FIXTURES / "errors" / "duplicates", kb)
    (kb / "expected.txt").unlink(missing_ok=True)
    moved = "  - id: paisley-again\n    name: Ian  Paisley\n    kind: person\n"
    records = (kb / "records.yaml").read_text(encoding="utf-8")
    assert moved in records
    (kb / "records.yaml").write_text(records.replace(moved, ""), encoding="utf-8")
    (kb / "b.yaml").write_text("actors:\n" + moved, encoding="utf-8")  # the first of the two, in another file
    assert run("check", "--data", "dup", cwd=tmp_path).code == 0  # writes the snapshot, paths from tmp_path
    expected = run("--no-cache", "check", "--data", ".", cwd=kb)
    cached = run("check", "--data", ".", cwd=kb)
    assert "repeats actor `paisley-again` at b.yaml:2:5" in expected.out + expected.err
    assert (cached.code, cached.out, cached.err) == (expected.code, expected.out, expected.err)
    assert open_kb(DataLocation(kb, "--data")).from_cache


def _kept_files(cache_home: Path) -> list[Path]:
    """The answers kept beside snapshots (`kb-KEY-ANSWER.bin`), not the snapshots (`kb-KEY.bin`)."""
    return sorted(p for p in (cache_home / "talkbase").glob("kb-*-*.bin"))


@pytest.mark.parametrize("source", [REPO / "data", FIXTURES / "kb-views"])
def test_answers_from_what_is_kept_are_the_answers_from_the_files(source: Path, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "c")}
    for args in (
        ["matrix"],
        ["matrix", "--format", "json"],
        ["matrix", "--format", "markdown"],
        ["history"],
        ["history", "--changes-only"],
        ["history", "--changes-only", "--format", "json"],
        ["timeline"],
        ["timeline", "--limit", "2", "--format", "json"],
        ["timeline", "--positions", "--reverse", "--limit", "3"],
        ["timeline", "--reverse"],  # after a reversed one: what is kept is never changed by a command
        ["timeline", "--since", "2025-06"],  # filtered: nothing kept is used
        ["matrix", "--known-at", "2025-06-01"],  # another knowledge base: what was known then (nothing kept)
        ["history", "--known-at", "2025-06-01"],
        ["matrix", "--as-of", "2025-06-01"],
        ["history", "--changes-only", "--as-of", "2025-06-01"],
    ):
        files = run(*args, "--data", str(source), env={**env, "TALKBASE_NO_CACHE": "1"})
        cold, warm = (run(*args, "--data", str(source), env=env) for _ in range(2))
        assert files.code == 0 and (files.out or files.err == "no positions match\n")
        assert (cold.code, cold.out, cold.err) == (warm.code, warm.out, warm.err) == (files.code, files.out, files.err)
    # kept by the first warm command and read by the rest: the standings, both histories and both timelines
    assert len(_kept_files(tmp_path / "c")) == 5


def test_names_resolved_from_what_is_kept_are_resolved_as_from_the_files(tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "c")}
    source = FIXTURES / "kb-small"
    for args in (
        ["positions", "--actor", "asa nordin"],  # an alias, folded
        ["positions", "--actor", "Судов", "--topic", "ceasefire"],
        ["positions", "--actor", "erdo"],  # a part only one name has
        ["positions", "--actor", "land"],  # ambiguous: an error naming both
        ["positions", "--actor", "nordn"],  # not found: an error with a suggestion
        ["timeline", "--topic", "prisoner"],
        ["positions", "event:third round"],
        ["positions", "event:round"],  # ambiguous
    ):
        files = run(*args, "--data", str(source), env={**env, "TALKBASE_NO_CACHE": "1"})
        cold, warm = (run(*args, "--data", str(source), env=env) for _ in range(2))
        assert files.out or files.err
        assert (cold.code, cold.out, cold.err) == (warm.code, warm.out, warm.err) == (files.code, files.out, files.err)
    assert len(_kept_files(tmp_path / "c")) == 3  # the names of actors, topics and events, folded


def test_what_is_kept_is_made_again_when_the_kb_changes(tmp_path: Path) -> None:
    kb = copy_kb(FIXTURES / "kb-views", tmp_path)
    env = {"XDG_CACHE_HOME": str(tmp_path / "c")}
    before = run("matrix", "--format", "json", "--data", str(kb), env=env)
    assert '"stance": "rejects",\n    "date": "2025-07-18"' in before.out  # alpha's latest on the ceasefire
    text = (kb / "kb.yaml").read_text(encoding="utf-8")
    (kb / "kb.yaml").write_text(text.replace("stance: rejects", "stance: undecided", 1), encoding="utf-8")
    after = run("matrix", "--format", "json", "--data", str(kb), env=env)
    files = run("matrix", "--format", "json", "--data", str(kb), env={**env, "TALKBASE_NO_CACHE": "1"})
    assert after.out == files.out and '"stance": "undecided",\n    "date": "2025-07-18"' in after.out
    for args in (["history"], ["history", "--changes-only"]):
        run(*args, "--data", str(kb), env=env)  # kept for these records
    (kb / "kb.yaml").write_text(text, encoding="utf-8")  # back to rejecting: a reversal again
    for args in (["history"], ["history", "--changes-only"]):
        files = run(*args, "--data", str(kb), env={**env, "TALKBASE_NO_CACHE": "1"})
        assert run(*args, "--data", str(kb), env=env).out == files.out and "rejects" in files.out
    first = run("timeline", "--limit", "1", "--data", str(kb), env=env)
    assert "First talks" in first.out  # 2025-05-09: the first event
    (kb / "kb.yaml").write_text(
        text.replace("    date: 2025-05-09\n    participants", "    date: 2025-09-09\n    participants"),
        encoding="utf-8",
    )
    first = run("timeline", "--limit", "1", "--data", str(kb), env=env)
    assert first.code == 0 and "First talks" not in first.out
    assert first.out == run("timeline", "--limit", "1", "--data", str(kb), env={**env, "TALKBASE_NO_CACHE": "1"}).out


@pytest.mark.parametrize("damage", ["garbage", "truncated", "a folder", "another snapshot's"])
def test_a_damaged_or_foreign_kept_answer_is_not_used(damage: str, tmp_path: Path) -> None:
    env = {"XDG_CACHE_HOME": str(tmp_path / "c")}
    views, small = FIXTURES / "kb-views", copy_kb(FIXTURES / "kb-small", tmp_path)
    expected = run("matrix", "--data", str(views), env={**env, "TALKBASE_NO_CACHE": "1"}).out
    for _ in range(2):  # the first writes the snapshot, the second keeps the standings of its records
        run("matrix", "--data", str(views), env=env)
    (kept,) = _kept_files(tmp_path / "c")
    if damage == "garbage":
        kept.write_bytes(b"talkbase-cache\n" + os.urandom(200))
    elif damage == "truncated":
        kept.write_bytes(kept.read_bytes()[:-10])
    elif damage == "a folder":
        kept.unlink()
        kept.mkdir()
    else:  # sealed with the right key, but derived from the records of another knowledge base
        for _ in range(2):
            run("matrix", "--data", str(small), env=env)
        (other,) = set(_kept_files(tmp_path / "c")) - {kept}
        shutil.copyfile(other, kept)
    for _ in range(2):  # and the one made again (where it could be) is sound
        again = run("matrix", "--data", str(views), env=env)
        assert (again.code, again.out, again.err) == (0, expected, "")


def test_memo_keeps_what_it_makes_and_uses_what_is_kept() -> None:
    from talkbase.records.model import KnowledgeBase

    class Keeper:
        def __init__(self, held: dict[str, object]) -> None:
            self.held, self.put_calls = held, 0

        def get(self, key: str) -> object:
            return self.held.get(key)

        def put(self, key: str, value: object) -> None:
            self.put_calls += 1
            self.held[key] = value

    made: list[str] = []
    empty, full = Keeper({}), Keeper({"answer 1": [1, 2]})
    first = KnowledgeBase.deferred({}, lambda kb: {}, empty)
    assert first.memo("answer 1", lambda: made.append("x") or [3], keep=True) == [3]
    assert (empty.held, empty.put_calls, made) == ({"answer 1": [3]}, 1, ["x"])
    second = KnowledgeBase.deferred({}, lambda kb: {}, full)
    assert second.memo("answer 1", lambda: made.append("y") or [3], keep=True) == [1, 2]
    assert second.memo("other", lambda: "not kept") == "not kept" and "other" not in full.held
    assert made == ["x"] and full.put_calls == 0
