"""Property-based tests: whatever the files hold, talkbase ends with a result or with problems, never worse.

Arbitrary text and bytes, YAML-shaped noise, generated knowledge bases and mutations of the bundled knowledge
base's files (deleted, duplicated or swapped lines, swapped values, truncation, random bytes) are fed to the
loader in-process and to every command through Typer's test runner. The only acceptable outcomes are exit
0, 1 or 2 with no exception (a traceback), within a time limit (no hang), with the data directory unchanged
(no write), and problems that name a file of the knowledge base and a line in it.

The run in the test suite is bounded (a few dozen seconds). A longer run is two commands, for example:

    TALKBASE_FUZZ_EXAMPLES=20000 pytest tests/test_properties.py -k "not every_command"   # about 12 minutes
    TALKBASE_FUZZ_EXAMPLES=300 pytest tests/test_properties.py -k every_command           # about 3 minutes

which give every test that many examples (and no deadline); failures print a `@reproduce_failure` line.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from talkbase.cli import app
from talkbase.load.kb import DataLocation, open_kb
from talkbase.load.loader import parse_document
from talkbase.records.schema import DATE, ENTRIES, ID, KINDS, ORDER, REF, REFS, TEXTS, URL, WIKIDATA, Field

from conftest import REPO

FUZZ_EXAMPLES = int(os.environ.get("TALKBASE_FUZZ_EXAMPLES", "0"))
SECONDS_PER_EXAMPLE = 30  # a hang is a failure; the slowest honest example takes well under a second
# The bundled knowledge base: its YAML files, and the texts its sources name in `text_file` (data/texts/).
BUNDLED = {
    p.relative_to(REPO / "data").as_posix(): p.read_bytes()
    for p in sorted((REPO / "data").rglob("*"))
    if p.suffix in (".yaml", ".md", ".txt") and p.is_file()
}
PROBLEM_LINE = re.compile(r"^(?P<path>.+?):(?P<line>\d+):(?P<col>\d+): (error|warning): \S")


def examples(in_ci: int) -> settings:
    """`in_ci` examples in the test suite, or TALKBASE_FUZZ_EXAMPLES of them for a long run."""
    return settings(
        max_examples=FUZZ_EXAMPLES or in_ci,
        deadline=None,  # a slow example on a busy machine is not a failure; a hang is caught by time_limit
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
        print_blob=True,
    )


@contextlib.contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging forever) when the block takes longer than `seconds`."""

    def expire(signum: int, frame: Any) -> None:
        raise TimeoutError(f"took longer than {seconds} s: a hang?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@contextlib.contextmanager
def knowledge_base(files: dict[str, bytes]) -> Iterator[Path]:
    """A fresh data directory holding `files`; a fresh path each time, so no cache entry is ever shared."""
    folder = Path(tempfile.mkdtemp(prefix="talkbase-fuzz-"))
    try:
        for name, content in files.items():
            (folder / "kb" / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / "kb" / name).write_bytes(content)
        yield folder / "kb"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def snapshot(folder: Path) -> dict[str, tuple[str, int]]:
    """Every entry under folder with a digest of its content and its modification time."""
    found = {}
    for path in sorted(folder.rglob("*")):
        digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else "folder"
        found[path.relative_to(folder).as_posix()] = (digest, path.stat().st_mtime_ns)
    return found


def line_counts(files: dict[str, bytes]) -> dict[str, int]:
    return {name: content.count(b"\n") + 1 for name, content in files.items()}


# ---------------------------------------------------------------------------------------------- the loader


def assert_loads_cleanly_or_with_located_problems(files: dict[str, bytes]) -> None:
    """Load, validate and model in-process: no exception, and every problem names one of the files and a line
    that exists in it."""
    with knowledge_base(files) as kb, time_limit(SECONDS_PER_EXAMPLE):
        opened = open_kb(DataLocation(kb, "--data"), use_cache=False)
        lines = {str(kb / name): count for name, count in line_counts(files).items()}
        for problem in opened.problems:
            shown = str(Path(problem.path).absolute())
            assert shown in lines, problem
            assert 1 <= problem.line <= lines[shown], problem
            assert problem.col >= 1, problem
            assert problem.message, problem
        assert (opened.kb is None) == any(p.is_error for p in opened.problems)


YAML_PIECES = [
    *("- ", ": ", "? ", "[", "]", "{", "}", ", ", "'", '"', "#", "|\n", ">-\n", "\n", "  ", "    ", "\t", "\r\n"),
    *("---\n", "...\n", "%YAML 1.1\n", "%TAG ! tag:x,2000:\n", "&a ", "*a", "&b ", "*b", "<<: *a\n", "!!str "),
    *("!!python/object/apply:os.system ", "!!binary ", "!local ", "!!map ", "!!seq ", "!!set ", "!!omap "),
    *("actors", "sources", "topics", "events", "positions", "id", "name", "kind", "date", "sources", "claim"),
    *("person", "2025-07-23", "2025-13-40", "2025", "~", "null", "true", "0x1F", "1e400", ".nan", "-.inf"),
    *("x", "é", "Зеленський", "\ufeff", "\x00", "\x1b[31m", "\u202e", "\\", "\\u00", "[bold]", "%", "@", "`"),
]
yaml_noise = st.lists(st.sampled_from(YAML_PIECES), max_size=60).map("".join)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@examples(150)
@given(st.binary(max_size=400))
def test_any_bytes(content: bytes) -> None:
    assert_loads_cleanly_or_with_located_problems({"kb.yaml": content})


@examples(150)
@given(st.text(max_size=400))
def test_any_text(text: str) -> None:
    assert_loads_cleanly_or_with_located_problems({"kb.yaml": text.encode("utf-8", "surrogatepass")})


@examples(300)
@given(yaml_noise)
def test_yaml_shaped_noise(text: str) -> None:
    assert_loads_cleanly_or_with_located_problems({"kb.yaml": text.encode("utf-8", "surrogatepass")})
    _, problems = parse_document(text, "kb.yaml")  # the parser alone, on text that was never a file
    assert all(p.path == "kb.yaml" and p.line >= 1 for p in problems)


@examples(150)
@given(json_like, st.sampled_from(["block", "flow", "canonical"]))
def test_any_yaml_document(value: Any, style: str) -> None:
    text = yaml.safe_dump(
        value, default_flow_style={"block": False, "flow": True}.get(style), canonical=style == "canonical"
    )
    assert_loads_cleanly_or_with_located_problems({"kb.yaml": text.encode("utf-8")})


# ------------------------------------------------------------------ mutations of the bundled knowledge base

MUTATIONS = ("delete-line", "duplicate-line", "swap-lines", "swap-values", "truncate", "insert-bytes", "replace-value")
mutation = st.tuples(st.sampled_from(MUTATIONS), st.integers(0, 10**6), st.integers(0, 10**6), st.binary(max_size=8))


def mutate(content: bytes, step: tuple[str, int, int, bytes]) -> bytes:
    """One mutation of a file's content; positions are taken modulo the file's length."""
    name, a, b, noise = step
    lines = content.split(b"\n")
    i, j = a % len(lines), b % len(lines)
    if name == "delete-line":
        del lines[i]
    elif name == "duplicate-line":  # in a mapping, a key written twice
        lines.insert(i, lines[i])
    elif name == "swap-lines":
        lines[i], lines[j] = lines[j], lines[i]
    elif name == "swap-values":
        if b": " in lines[i] and b": " in lines[j]:
            (key_i, value_i), (key_j, value_j) = lines[i].split(b": ", 1), lines[j].split(b": ", 1)
            lines[i], lines[j] = key_i + b": " + value_j, key_j + b": " + value_i
    elif name == "replace-value":
        if b": " in lines[i]:
            lines[i] = lines[i].split(b": ", 1)[0] + b": " + (noise or b"[]")
    elif name == "truncate":
        return content[: a % (len(content) + 1)]
    else:
        at = a % (len(content) + 1)
        return content[:at] + noise + content[at:]
    return b"\n".join(lines)


bundled_mutations = st.lists(
    st.tuples(st.sampled_from(sorted(n for n in BUNDLED if n.endswith(".yaml"))), mutation), min_size=1, max_size=4
)


def mutated(steps: list[tuple[str, tuple[str, int, int, bytes]]]) -> dict[str, bytes]:
    files = dict(BUNDLED)
    for name, step in steps:
        files[name] = mutate(files[name], step)
    return files


@examples(150)
@given(bundled_mutations)
def test_mutations_of_the_bundled_kb_load(steps: list[tuple[str, tuple[str, int, int, bytes]]]) -> None:
    assert_loads_cleanly_or_with_located_problems(mutated(steps))


# ------------------------------------------------------------------------ generated knowledge bases

HOSTILE_TEXT = ["[bold red]x[/]", "\x1b[31mred\x1b[0m", "\x1b]8;;http://x\x07link\x1b]8;;\x07", "\u202eevil", "a\u200b"]
texts = st.text(min_size=1, max_size=30) | st.sampled_from(HOSTILE_TEXT)
GOOD_DATES = ["2025", "2025-07", "2025-07-21", "2024-02-29", "1999-12-31"]
BAD_DATES = ["2025-02-30", "2025-7-3", "07/21/2025", ""]
POOL = 3  # records per kind: a0..a2, s0..s2, t0..t2, e0..e2, p0..p2, so that every reference resolves
# Fields whose valid values depend on others (history against status, end after date, until after since):
# only a sloppy knowledge base has them, so that a tidy one is usually clean and reaches every renderer.
ORDERED = {"history", "end", "until", "after", "before"}


def record_id(kind: str, index: int) -> str:
    return f"{kind[0]}{index}"


def field_value(field: Field, kind: str, index: int, sloppy: bool) -> st.SearchStrategy[Any]:
    if field.type == ID:
        return st.just(record_id(kind, index))
    if field.type in (REF, REFS):
        ids = st.sampled_from([record_id(target, i) for target in field.refs for i in range(POOL + sloppy)])
        return ids if field.type == REF else st.lists(ids, min_size=1, max_size=3)
    if field.type == DATE:
        return st.sampled_from(GOOD_DATES + BAD_DATES * sloppy)
    if field.type == ORDER:  # ids and dates, which may loop or contradict the dates: only in sloppy knowledge bases
        named = [record_id(target, i) for target in field.refs for i in range(POOL + 1)]
        return st.lists(st.sampled_from(named + GOOD_DATES + BAD_DATES), max_size=3)
    if field.vocab:
        return st.sampled_from(field.vocab + ("nonsense",) * sloppy)
    if field.type == TEXTS:
        return st.lists(texts, max_size=4)
    if field.type == URL:
        return st.sampled_from(["https://example.org/", "http://x.example/a?b=c#d", *["ftp://x"] * sloppy])
    if field.type == WIKIDATA:
        return st.integers(1, 10**6).map(lambda n: f"Q{n}")
    if field.type == ENTRIES:
        return st.lists(fields(field.subfields, kind, index, sloppy), max_size=2)
    return texts


def fields(specs: tuple[Field, ...], kind: str, index: int, sloppy: bool) -> st.SearchStrategy[dict[str, Any]]:
    wanted = [f for f in specs if sloppy or f.name not in ORDERED]
    return st.fixed_dictionaries(
        {f.name: field_value(f, kind, index, sloppy) for f in wanted if f.required},
        optional={f.name: field_value(f, kind, index, sloppy) for f in wanted if not f.required},
    )


def knowledge_bases(sloppy: bool) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            kind: st.tuples(*(fields(KINDS[kind].fields, kind, i, sloppy) for i in range(POOL))).map(list)
            for kind in KINDS
        }
    )


generated_kb = st.booleans().flatmap(knowledge_bases)


def as_files(document: dict[str, Any]) -> dict[str, bytes]:
    """The generated knowledge base, half of the kinds in a second file to exercise cross-file references."""
    first = {k: v for i, (k, v) in enumerate(document.items()) if i % 2 == 0}
    second = {k: v for k, v in document.items() if k not in first}
    dump = lambda part: yaml.safe_dump(part, allow_unicode=True, sort_keys=False).encode("utf-8")  # noqa: E731
    return {"a.yaml": dump(first), "more/b.yaml": dump(second)}


@examples(60)
@given(generated_kb)
def test_generated_kbs_load(document: dict[str, Any]) -> None:
    assert_loads_cleanly_or_with_located_problems(as_files(document))


# ------------------------------------------------------------------------------------- every command

runner = CliRunner()


def commands(out: Path) -> list[list[str]]:
    """Every command, several in more than one format; exports and the schema write into `out`."""
    return [
        ["timeline", "--positions"],
        ["timeline", "--format", "json", "--known-at", "2025-07"],
        ["actors", "--format", "csv"],
        ["positions", "--format", "jsonl", "--as-of", "2025-07-21"],
        ["grep", "a"],
        ["grep", "-F", "[", "--format", "markdown"],
        ["show", "a0"],
        ["show", "zelensky", "--format", "json"],
        ["sources", "--sole"],
        ["topics", "--format", "markdown"],
        ["matrix"],
        ["matrix", "--format", "csv"],
        ["history"],
        ["disputes"],
        ["export", "json", "-o", str(out / "kb.json")],
        ["export", "csv", "-o", str(out / "csv")],
        ["export", "sqlite", "-o", str(out / "kb.db")],
        ["export", "ics"],
        ["export", "timelinejs"],
        ["schema", "-o", str(out / "schema.json")],
        ["add", "topic", "--name", "Fuzz topic", "--dry-run", "--no-input"],
        ["edit", "zelensky"],  # $EDITOR is `true`: opens nothing, then checks
    ]


def invoke(args: list[str], kb: Path) -> Any:
    env = {"NO_COLOR": "1", "TALKBASE_NO_CACHE": "", "EDITOR": "true", "VISUAL": ""}
    result = runner.invoke(app, [*args, "--data", str(kb)], env=env)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"talkbase {' '.join(args)} raised") from result.exception
    assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output)
    assert "Traceback" not in result.stdout + result.stderr
    return result


def assert_every_command_survives(files: dict[str, bytes]) -> None:
    """`check` reports located problems; every other command exits 0, 1 or 2; nothing writes into the data."""
    with knowledge_base(files) as kb, time_limit(SECONDS_PER_EXAMPLE):
        before = snapshot(kb)
        checked = invoke(["check"], kb)
        *problems, summary = checked.stdout.splitlines()
        assert "file" in summary, checked.stdout
        lines = {str(kb / name): count for name, count in line_counts(files).items()}
        for line in problems:
            match = PROBLEM_LINE.match(line)
            assert match, line
            assert str(Path(match["path"]).absolute()) in lines, line
            assert 1 <= int(match["line"]) <= lines[str(Path(match["path"]).absolute())], line
        out = kb.parent / "out"
        out.mkdir()
        for args in commands(out) if checked.exit_code == 0 else commands(out)[::5]:
            result = invoke(args, kb)
            if checked.exit_code == 1 and args[0] not in ("add", "edit"):  # errors: every query is refused
                assert result.exit_code == (2 if args[0] == "grep" else 1), (args, result.output)
        assert snapshot(kb) == before


@examples(12)
@given(bundled_mutations)
def test_every_command_on_mutations_of_the_bundled_kb(steps: list[tuple[str, tuple[str, int, int, bytes]]]) -> None:
    assert_every_command_survives(mutated(steps))


@examples(12)
@given(generated_kb)
def test_every_command_on_generated_kbs(document: dict[str, Any]) -> None:
    assert_every_command_survives(as_files(document))


def test_the_properties_would_catch_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    """The command harness fails on an exception inside a command, not only on a bad exit code."""
    import talkbase.ask.query

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("boom")

    monkeypatch.setattr(talkbase.ask.query, "timeline", broken)
    with pytest.raises(AssertionError, match="raised"):
        assert_every_command_survives(BUNDLED)
