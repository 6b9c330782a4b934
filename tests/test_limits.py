"""Resource limits and the data directory's edges: every hostile input fails fast, in bounded time and memory,
with a problem naming the file; links never lead outside the data directory unless asked; nothing in the
data is ever executed or imported.

Each hostile input runs `talkbase check` in a fresh process that reports its own peak memory, so the bounds
asserted here (and stated in the README's "Limits") are those of a real run.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from talkbase.load import loader
from talkbase.load.loader import MAX_FILE_BYTES, MAX_KB_BYTES, MAX_LINE_BYTES, load_tree, parse_document

from conftest import REPO, run, talkbase_env, write_kb

SECONDS = 10.0  # every hostile input must be refused well within this, even on a busy CI machine
PEAK_MB = 400  # and within this much memory (a bare `talkbase check` peaks near 40 MB)

# Runs the command in-process and prints the process's own peak memory on its last line: VmHWM on Linux
# (ru_maxrss there would carry over the high-water mark of the forking pytest process), else ru_maxrss.
_MEASURED = """
import resource, sys
from talkbase.cli import main
sys.argv = ["talkbase", *sys.argv[1:]]
code = main()
sys.stdout.flush()
try:
    with open("/proc/self/status") as status:
        peak = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmHWM:"))
except OSError:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
print("peak-bytes", peak, file=sys.stderr)
sys.exit(code)
"""


@dataclass
class Measured:
    code: int
    out: str
    err: str
    seconds: float
    peak_mb: float


def measured(*args: str, env: dict[str, str] | None = None) -> Measured:
    """Run `talkbase ARGS` in a fresh process, with its wall time and peak resident memory."""
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, *args],
        cwd=REPO,
        env=talkbase_env(env),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    seconds = time.monotonic() - started
    *err, last = done.stderr.splitlines() or [""]
    assert last.startswith("peak-bytes "), done.stderr[-2000:]
    peak_mb = int(last.split()[1]) / 2**20
    print(f"talkbase {' '.join(args)[:80]}: {seconds:.2f} s, peak {peak_mb:.0f} MB")  # shown with pytest -s
    return Measured(done.returncode, done.stdout, "\n".join(err), seconds, peak_mb)


def refused_fast(folder: Path, file: str, message: str) -> Measured:
    """`talkbase check` on folder exits 1 at once, within the bounds, with the problem on `file`."""
    result = measured("check", "--data", str(folder))
    assert result.code == 1, result.out + result.err
    assert "Traceback" not in result.out + result.err
    shown = str(folder / file)
    lines = [line for line in result.out.splitlines() if line.startswith(f"{shown}:")]
    assert lines, result.out
    assert message in lines[0], lines[0]
    assert result.seconds < SECONDS
    assert result.peak_mb < PEAK_MB
    return result


def billion_laughs(levels: int = 10, width: int = 10) -> str:
    lines = ["actors:", "  - id: a0", '    name: &a0 "lol"', "    kind: person"]
    for i in range(1, levels):
        lines.append(f"    description{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    (tmp_path / "bomb.yaml").write_text(billion_laughs(), encoding="utf-8")
    refused_fast(tmp_path, "bomb.yaml", "an alias bomb?")


def test_a_big_text_aliased_by_every_record_is_refused_at_once(tmp_path: Path) -> None:
    # 500 records whose `kind` aliases a 200,000-character text: expanded, 100 MB, each copy a problem to print
    lines = ["topics:", "  - id: t", f"    name: &c {'x' * 200_000}"]
    lines += [
        f"actors:\n  - id: a{i}\n    name: A\n    kind: *c" if i == 0 else f"  - id: a{i}\n    name: A\n    kind: *c"
        for i in range(500)
    ]
    (tmp_path / "kb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = refused_fast(tmp_path, "kb.yaml", "an alias bomb?")
    assert len(result.out) < 2_000 and result.out.count("error:") == 1


def test_a_big_claim_aliased_over_and_over_is_refused_before_an_export(tmp_path: Path) -> None:
    # a 300,000-character claim aliased by 200 positions: `export json` would write 60 MB
    lines = ["sources:\n  - id: s\n    title: T\n    publisher: P\n    date: 2025"]
    lines += ["actors:\n  - id: a\n    name: A\n    kind: person", "topics:\n  - id: t\n    name: T", "positions:"]
    for i in range(200):
        lines.append(
            f"  - id: p{i}\n    actor: a\n    topic: t\n    stance: supports\n    date: 2025\n    sources: [s]"
        )
        lines.append(f"    claim: &c {'c' * 300_000}" if i == 0 else "    claim: *c")
    (tmp_path / "kb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out.json"
    result = measured("export", "json", "--data", str(tmp_path), "--output", str(out))
    assert result.code == 1, result.err[-2000:]
    assert "an alias bomb?" in result.out + result.err and "Traceback" not in result.out + result.err
    assert not out.exists()
    assert result.seconds < SECONDS and result.peak_mb < PEAK_MB


def test_honest_aliases_of_shared_source_lists_are_read(tmp_path: Path) -> None:
    lines = ["sources:"] + [f"  - id: s{i}\n    title: T\n    publisher: P\n    date: 2025" for i in range(3)]
    lines += ["actors:\n  - id: a\n    name: A\n    kind: &k person", "topics:\n  - id: t\n    name: T", "positions:"]
    for i in range(300):
        lines.append(f"  - id: p{i}\n    actor: a\n    topic: t\n    stance: supports\n    claim: C\n    date: 2025")
        lines.append("    sources: &s [s0, s1, s2]" if i == 0 else "    sources: *s")
    (tmp_path / "kb.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("check", "--data", str(tmp_path))
    assert result.code == 0, result.out
    assert "300 positions: 0 errors" in result.out


@pytest.mark.parametrize(
    "name, text",
    [
        ("flow-lists", "actors: " + "[" * 10_000 + "]" * 10_000 + "\n"),
        ("flow-maps", "actors: " + "{a: " * 10_000 + "x" + "}" * 10_000 + "\n"),
        ("block-lists", "actors:\n  " + "- " * 10_000 + "x\n"),
        ("block-maps", "actors:\n" + "".join(" " * i + "a:\n" for i in range(1, 10_000))),  # 50 MB of indents
    ],
)
def test_ten_thousand_deep_nesting_is_refused_fast(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    refused_fast(tmp_path, f"{name}.yaml", "nested more than 64 levels deep")


def test_a_50_mb_line_is_refused_before_parsing(tmp_path: Path) -> None:
    text = "actors:\n  - id: a\n    kind: person\n    name: " + "x" * 50_000_000 + "\n"
    (tmp_path / "long.yaml").write_text(text, encoding="utf-8")
    result = refused_fast(tmp_path, "long.yaml", f"line 4 is longer than {MAX_LINE_BYTES:,} bytes")
    assert f"{tmp_path / 'long.yaml'}:4:1: error:" in result.out


def test_long_but_honest_lines_are_read(tmp_path: Path) -> None:
    text = "topics:\n  - id: t\n    name: " + "x" * (MAX_LINE_BYTES - 20) + "\n" * 3 + "  - id: u\n    name: U\n"
    (tmp_path / "kb.yaml").write_text(text * 1, encoding="utf-8")
    loaded = load_tree(tmp_path)
    assert [p.code for p in loaded.problems] == []
    assert len(loaded.records) == 2


def test_a_file_over_the_size_limit_is_refused_without_reading_it(tmp_path: Path) -> None:
    with open(tmp_path / "huge.yaml", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written, but the file says it is that big
    refused_fast(tmp_path, "huge.yaml", "file is larger than 64 MiB")


def test_a_knowledge_base_over_the_total_budget_is_refused_from_its_sizes(tmp_path: Path) -> None:
    files = -(-MAX_KB_BYTES // MAX_FILE_BYTES) + 1  # each file within the size limit, all of them over the budget
    for i in range(files):
        with open(tmp_path / f"part-{i}.yaml", "wb") as handle:
            handle.truncate(MAX_FILE_BYTES)  # sparse: no disk, and nothing is read
    result = measured("check", "--data", str(tmp_path))
    assert result.code == 1, result.out + result.err
    assert result.seconds < SECONDS and result.peak_mb < PEAK_MB
    problems = [line for line in result.out.splitlines() if ": error: " in line]
    total = files * MAX_FILE_BYTES / 2**20
    assert problems == [
        f"{tmp_path}:1:1: error: the knowledge base's YAML files hold {total:,.1f} MiB in all, more than the "
        f"{MAX_KB_BYTES // 2**20} MiB talkbase reads at once; nothing was read (split it into several knowledge "
        "bases, each in its own data directory, or pass --data one part of it)"
    ]
    assert f"{files} files" in result.out.splitlines()[-1]


def test_the_budget_counts_the_files_read_and_only_those(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    kb = write_kb(
        tmp_path, {"a.yaml": "topics:\n  - id: t\n    name: T\n", "b.yaml": "topics:\n  - id: u\n    name: U\n"}
    )
    with open(tmp_path / "huge.yaml", "wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # refused on its own, so not counted in the budget
    (tmp_path / "notes.txt").write_text("x" * 1000, encoding="utf-8")  # not YAML: not read, not counted
    size = sum((kb / name).stat().st_size for name in ("a.yaml", "b.yaml"))
    monkeypatch.setattr(loader, "MAX_KB_BYTES", size)
    assert [p.code for p in load_tree(kb).problems] == ["too-large"]  # huge.yaml's own
    assert len(load_tree(kb).records) == 2
    monkeypatch.setattr(loader, "MAX_KB_BYTES", size - 1)
    loaded = load_tree(kb)
    assert [(p.path, p.code) for p in loaded.problems] == [(loader.display_path(kb), "too-large")]
    assert loaded.records == [] and len(loaded.files) == 3


def honest_kb(positions: int) -> str:
    """A knowledge base in one file, shaped like a real one: a few actors (one with a Cyrillic alias, which
    makes a Python str of the text two bytes a character), sources and topics, and many positions, each its own
    claim (a knowledge base of copies would be all duplicate warnings)."""
    words = ["talks", "ceasefire", "prisoners", "exchange", "delegation", "summit", "security", "guarantees"]
    lines = ["actors:", "  - id: a-0", "    name: Actor", "    aliases: [Актор]", "    kind: state"]
    lines += ["topics:", "  - id: t-0", "    name: Topic", "sources:", "  - id: s-0", "    title: Source"]
    lines.append("positions:")
    for i in range(positions):
        claim = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(8 + i % 23)).capitalize() + f" {i}"
        lines += [f"  - id: position-{i}", "    actor: a-0", "    topic: t-0", "    stance: supports",
                  f'    claim: "{claim}."', f"    date: 2025-{1 + i % 12:02d}", "    sources: [s-0]"]  # fmt: skip
    return "\n".join(lines) + "\n"


def test_memory_of_a_cold_check_stays_under_ten_times_the_yaml(tmp_path: Path) -> None:
    (tmp_path / "kb.yaml").write_text(honest_kb(40_000), encoding="utf-8")
    size_mb = (tmp_path / "kb.yaml").stat().st_size / 2**20
    assert 8 < size_mb < 16
    bare = measured("--no-cache", "check", "--data", str(REPO / "tests" / "fixtures" / "kb-small"))
    result = measured("--no-cache", "check", "--data", str(tmp_path))
    assert result.code == 0, result.out[-2000:] + result.err[-2000:]
    assert result.peak_mb - bare.peak_mb < 10 * size_mb, f"{result.peak_mb:.0f} MB for {size_mb:.1f} MB of YAML"


def test_a_symlink_loop_in_the_data_directory_is_reported(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", {"topics.yaml": "topics:\n  - id: t\n    name: T\n"})
    (kb / "sub").mkdir()
    (kb / "sub" / "again").symlink_to(kb)  # a folder link back up the tree
    (kb / "a.yaml").symlink_to(kb / "b.yaml")  # two file links to each other
    (kb / "b.yaml").symlink_to(kb / "a.yaml")
    result = refused_fast(kb, "sub/again", "symbolic link loop: a link to a folder that holds it")
    assert f"{kb / 'a.yaml'}:1:1: error: symbolic link loop: the link leads back to itself" in result.out
    assert f"{kb / 'b.yaml'}:1:1: error: symbolic link loop" in result.out
    assert "1 topic" in result.out  # the real file was still read, once


def test_a_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.yaml")
    refused_fast(tmp_path, "pipe.yaml", "cannot read file: not a regular file")


def test_a_link_to_a_device_is_refused_even_when_following_links(tmp_path: Path) -> None:
    (tmp_path / "zero.yaml").symlink_to("/dev/zero")
    problems = load_tree(tmp_path).problems
    assert [p.code for p in problems] == ["unreadable"]
    assert "leads outside the data directory" in problems[0].message
    started = time.monotonic()
    result = run("--follow-symlinks", "check", "--data", str(tmp_path))
    assert time.monotonic() - started < SECONDS
    assert "zero.yaml:1:1: error: cannot read file: not a regular file" in result.out


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_and_folder_are_reported(tmp_path: Path) -> None:
    write_kb(tmp_path, {"secret.yaml": "topics: []\n", "locked/kb.yaml": "topics: []\n"})
    (tmp_path / "secret.yaml").chmod(0)
    (tmp_path / "locked").chmod(0)
    try:
        result = refused_fast(tmp_path, "secret.yaml", "cannot read file: Permission denied")
        assert f"{tmp_path / 'locked'}:1:1: error: cannot read folder: Permission denied" in result.out
    finally:
        (tmp_path / "locked").chmod(0o755)


def test_an_unreadable_file_is_reported_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As root (CI containers often are), chmod cannot make a file unreadable: the refusal is simulated."""
    write_kb(tmp_path, {"secret.yaml": "topics: []\n", "ok.yaml": "topics: []\n"})
    real_open = os.open

    def denying_open(path: object, *args: object, **kwargs: object) -> int:
        if str(path).endswith("secret.yaml"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", denying_open)
    problems = load_tree(tmp_path).problems
    assert [(Path(p.path).name, p.line, p.col, p.message) for p in problems] == [
        ("secret.yaml", 1, 1, "cannot read file: Permission denied")
    ]


def outside_kb(tmp_path: Path) -> Path:
    """A knowledge base with a file link and a folder link that both lead outside it."""
    outside = write_kb(tmp_path / "outside", {"secret.yaml": "topics:\n  - id: secret\n    name: Secret\n"})
    write_kb(outside / "folder", {"more.yaml": "topics:\n  - id: more\n    name: More\n"})
    kb = write_kb(tmp_path / "kb", {"topics.yaml": "topics:\n  - id: t\n    name: T\n"})
    (kb / "secret.yaml").symlink_to(outside / "secret.yaml")
    (kb / "linked").symlink_to(outside / "folder")
    return kb


def test_links_leading_outside_the_data_directory_are_not_followed(tmp_path: Path) -> None:
    kb = outside_kb(tmp_path)
    result = run("check", "--data", str(kb))
    assert result.code == 1
    hint = "(pass --follow-symlinks or set TALKBASE_FOLLOW_SYMLINKS=1 to read it)"
    assert [line for line in result.out.splitlines() if ": error: " in line] == [
        f"{kb / 'linked'}:1:1: error: symbolic link leads outside the data directory "
        f"(to {(tmp_path / 'outside' / 'folder').resolve()}); not read {hint}",
        f"{kb / 'secret.yaml'}:1:1: error: symbolic link leads outside the data directory "
        f"(to {(tmp_path / 'outside' / 'secret.yaml').resolve()}); not read {hint}",
    ]


@pytest.mark.parametrize("how", ["option", "environment"])
def test_links_leading_outside_are_read_when_asked(tmp_path: Path, how: str) -> None:
    kb = outside_kb(tmp_path)
    if how == "option":
        result = run("--follow-symlinks", "topics", "--data", str(kb), "--format", "jsonl")
    else:
        result = run("topics", "--data", str(kb), "--format", "jsonl", env={"TALKBASE_FOLLOW_SYMLINKS": "1"})
    assert result.code == 0, result.err
    assert sorted(json.loads(line)["id"] for line in result.out.splitlines()) == ["more", "secret", "t"]
    # the parse cache of a run that followed links is never used by one that does not
    assert run("check", "--data", str(kb)).code == 1


def test_links_inside_the_data_directory_are_fine_and_read_once(tmp_path: Path) -> None:
    kb = write_kb(tmp_path / "kb", {"real/topics.yaml": "topics:\n  - id: t\n    name: T\n"})
    (kb / "alias").symlink_to(kb / "real")  # a folder link inside: its files are read where they really are
    loaded = load_tree(kb)
    assert [p.code for p in loaded.problems] == []
    assert [r.data["id"] for r in loaded.records] == ["t"]


@pytest.mark.parametrize(
    "tagged",
    [
        '!!python/object/apply:os.system ["touch {marker}"]',
        "!!python/object/new:subprocess.Popen [[touch, {marker}]]",
        '!!python/name:os.system ""',
        '!!python/module:antigravity ""',
        "!!python/object:talkbase.load.nodes.YMap {{line: 1}}",
        '!<tag:yaml.org,2002:python/object/apply:os.system> ["touch {marker}"]',
        '!!binary "aGVsbG8="',
        "!custom {{x: 1}}",
    ],
)
def test_nothing_in_the_data_is_executed_or_imported(tmp_path: Path, tagged: str) -> None:
    marker = tmp_path / "pwned"
    text = f"actors:\n  - id: x\n    name: {tagged.format(marker=marker)}\n    kind: person\n"
    modules = set(sys.modules)
    _, problems = parse_document(text, "kb.yaml")
    assert set(sys.modules) == modules  # nothing was imported
    assert [(p.line, p.col, p.code) for p in problems] in ([(3, 11, "unsafe-tag")], [(3, 11, "unknown-tag")])
    assert not marker.exists()
    (tmp_path / "kb.yaml").write_text(text, encoding="utf-8")
    result = run("check", "--data", str(tmp_path))
    assert result.code == 1 and "Traceback" not in result.err
    assert not marker.exists()


def test_following_links_is_documented_in_help() -> None:
    result = run("--help")
    assert "--follow-symlinks" in result.out
    assert "TALKBASE_FOLLOW_SYMLINKS=1" in " ".join(result.out.split())


def test_a_folder_tree_thousands_deep_is_walked_without_recursion(tmp_path: Path) -> None:
    try:
        make_deep_tree(tmp_path, 1_200)  # deeper than Python's recursion limit
        started = time.monotonic()
        loaded = load_tree(tmp_path)
        assert time.monotonic() - started < SECONDS
        assert [r.data["id"] for r in loaded.records] == ["t"]
    finally:
        remove_deep_tree(tmp_path)  # pytest's own clean-up (shutil.rmtree) would recurse and fail


def make_deep_tree(top: Path, depth: int) -> None:
    """top/d/d/.../d/kb.yaml, made one level at a time (pathlib's mkdir(parents=True) recurses)."""
    fd = os.open(top, os.O_RDONLY)
    try:
        for _ in range(depth):
            os.mkdir("d", dir_fd=fd)
            fd, parent = os.open("d", os.O_RDONLY, dir_fd=fd), fd
            os.close(parent)
        with open(os.open("kb.yaml", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), "w", encoding="utf-8") as handle:
            handle.write("topics:\n  - id: t\n    name: T\n")
    finally:
        os.close(fd)


def remove_deep_tree(top: Path) -> None:
    """Take top/d/d/... apart from the top, one level at a time."""
    while (top / "d").exists():
        for child in (top / "d").iterdir():
            child.rename(top / f"{child.name}.up")
        (top / "d").rmdir()
        if (top / "d.up").exists():
            (top / "d.up").rename(top / "d")


def test_a_chain_of_ten_thousand_after_is_read_within_the_bounds(tmp_path: Path) -> None:
    """The order of one actor's positions on one topic, each after the one before: masks, not pairs."""
    lines = ["actors: [{id: a, name: A, kind: person}]", "topics: [{id: t, name: T}]",
             "sources: [{id: s, title: S, publisher: P}]", "positions:"]  # fmt: skip
    for i in range(10_000):
        after = f", after: [p{i - 1}]" if i else ""
        stance = ("rejects", "supports")[i % 2]
        lines.append(
            f"  - {{id: p{i}, actor: a, topic: t, stance: {stance}, claim: c, date: 2025{after}, sources: [s]}}"
        )
    (tmp_path / "chain.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for command in ("check", "history", "matrix"):
        result = measured(command, "--data", str(tmp_path), env={"TALKBASE_NO_CACHE": "1"})
        assert result.code == 0, result.err
        assert result.seconds < SECONDS and result.peak_mb < PEAK_MB
    assert result.out.split("\n")[1].split()[1:3] == ["sup", "2025"]  # certainly the latest: the chain's last
