"""`talkbase check`: PATH (a file or folder checked with the whole knowledge base), --format json, and the
stable problem codes README lists."""

from __future__ import annotations

import ast
import json
import re
from pathlib import Path

import pytest

from talkbase.records.problems import CODES

from conftest import REPO, run, write_kb

ACTORS = """
actors:
  - id: hume
    name: John Hume
    kind: person
sources:
  - id: irish-times
    title: Talks at Stormont
    publisher: The Irish Times
topics:
  - id: decommissioning
    name: Decommissioning
"""
POSITIONS = """
positions:
  - id: hume-1
    actor: hume
    topic: decommissioning
    stance: supports
    claim: Talks first.
    date: 1998-04
    sources: [irish-times]
"""
BROKEN = """
positions:
  - id: hume-2
    actor: humme
    topic: decommissioning
    stance: supports
    claim: Talks first, again.
    date: 1998-04
    sources: [irish-times]
"""


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    write_kb(tmp_path / "data", {"people.yaml": ACTORS, "positions/hume.yaml": POSITIONS, "broken.yaml": BROKEN})
    return tmp_path


def test_a_file_is_checked_with_the_whole_knowledge_base_and_only_its_problems_reported(kb: Path) -> None:
    result = run("check", "data/positions/hume.yaml", cwd=kb)
    assert result.code == 0, result.out + result.err
    assert result.out == (
        f"data/positions/hume.yaml (1 file): 0 errors, 0 warnings — checked with {kb / 'data'} (from data/ folder)\n"
    )
    broken = run("check", "data/broken.yaml", cwd=kb)
    assert broken.code == 1
    assert broken.out.splitlines()[0] == "data/broken.yaml:3:12: error: actor `humme` not found (did you mean `hume`?)"
    assert len(broken.out.splitlines()) == 2


def test_a_folder_reports_the_problems_of_the_files_in_it(kb: Path) -> None:
    assert run("check", "data/positions", cwd=kb).code == 0
    whole = run("check", "data", cwd=kb)
    assert whole.code == 1
    assert "data/positions/hume.yaml (" not in whole.out
    assert whole.out.splitlines()[-1].startswith("data (3 files): 1 error, 0 warnings — checked with ")


def test_the_knowledge_base_is_the_one_holding_the_path(kb: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run("check", str(kb / "data" / "broken.yaml"), cwd=elsewhere)
    assert result.code == 1
    assert "error: actor `humme` not found" in result.out
    assert f"checked with {kb / 'data'} (from data/ folder)" in result.out


@pytest.mark.parametrize(
    "path, message",
    [
        ("nope.yaml", "nope.yaml: no such file or folder (searched the knowledge base "),
        ("notes.txt", "notes.txt: not a file of the knowledge base "),
    ],
)
def test_a_path_outside_the_knowledge_base_is_a_usage_error(kb: Path, path: str, message: str) -> None:
    (kb / "notes.txt").write_text("x", encoding="utf-8")
    result = run("check", path, cwd=kb)
    assert result.code == 2
    assert result.err.startswith(f"talkbase: error: {message}")


def test_json_gives_one_object_per_problem(kb: Path) -> None:
    result = run("check", "--format", "json", cwd=kb)
    assert result.code == 1
    assert json.loads(result.out) == [
        {
            "path": "data/broken.yaml",
            "line": 3,
            "column": 12,
            "severity": "error",
            "code": "unknown-ref",
            "message": "actor `humme` not found",
            "hint": "did you mean `hume`?",
        }
    ]
    clean = run("check", "data/positions", "-f", "json", cwd=kb)
    assert (clean.code, json.loads(clean.out)) == (0, [])


def test_json_warnings_and_strict(tmp_path: Path) -> None:
    write_kb(tmp_path / "data", {"a.yaml": ACTORS})
    result = run("check", "--format", "json", cwd=tmp_path)
    assert result.code == 0
    assert {(p["code"], p["severity"]) for p in json.loads(result.out)} == {
        ("unused-topic", "warning"),
        ("unused-source", "warning"),
    }
    strict = run("check", "--format", "json", "--strict", cwd=tmp_path)
    assert strict.code == 1
    assert {p["severity"] for p in json.loads(strict.out)} == {"error"}


def _codes_in_source() -> set[str]:
    """Every problem code the package can emit: the code argument of each Problem(...) and Where.problem(...),
    with the codes an f-string makes expanded against CODES."""
    found: set[str] = set()
    for path in (REPO / "talkbase").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.arguments):  # def f(..., code: str = "json-syntax")
                named = node.args[len(node.args) - len(node.defaults) :]
                found |= {
                    d.value
                    for a, d in zip(named, node.defaults)
                    if a.arg == "code" and isinstance(d, ast.Constant) and isinstance(d.value, str)
                }
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            args = node.args
            if any(isinstance(a, ast.Starred) for a in args):  # Problem(path, *place, code, ...)
                args = [a for a in args if not isinstance(a, ast.Starred)]
                args = [ast.Constant(None), ast.Constant(None), *args]
            code = args[0] if name == "problem" and args else args[3] if name == "Problem" and len(args) >= 4 else None
            if isinstance(code, ast.Constant) and isinstance(code.value, str):
                found.add(code.value)
            elif isinstance(code, ast.JoinedStr):
                pattern = "".join(re.escape(v.value) if isinstance(v, ast.Constant) else "[a-z]+" for v in code.values)
                expanded = {c for c in CODES if re.fullmatch(pattern, c)}
                assert expanded, f"{path.name}: no code in CODES matches {ast.unparse(code)}"
                found |= expanded
    return found


def test_every_code_the_package_emits_is_registered() -> None:
    emitted = _codes_in_source()
    assert emitted - set(CODES) == set()
    assert set(CODES) - emitted == set()


def test_readme_lists_every_code_with_its_meaning() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("#### Problem codes", 1)[1].split("\n#", 1)[0]
    listed = dict(re.findall(r"^\| `([a-z-]+)` \| (.+?) \|$", section, re.M))
    assert listed == {code: meaning.replace("|", "\\|") for code, meaning in CODES.items()}


def test_nothing_is_called_unused_while_a_file_cannot_be_read(kb: Path) -> None:
    (kb / "data" / "positions" / "hume.yaml").write_text("positions:\n  - id: [\n", encoding="utf-8")
    result = run("check", cwd=kb)
    assert "not referred to" not in result.out
    assert "note: 1 file could not be read (listed first); problems about the records in it may follow" in result.err


def test_a_file_is_told_when_a_record_elsewhere_repeats_one_of_its_records(kb: Path) -> None:
    (kb / "data" / "a-copy.yaml").write_text(POSITIONS.replace("hume-1", "hume-copy"), encoding="utf-8")
    result = run("check", "data/a-copy.yaml", cwd=kb)  # read first, so the warning is on hume.yaml's record
    assert result.code == 0
    assert "data/positions/hume.yaml:2:5: warning: position `hume-1` repeats position `hume-copy` at " in result.out
