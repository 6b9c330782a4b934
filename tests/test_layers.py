"""The package's folders are the pipeline's stages, and a stage imports only stages below it.

records → load → ask → write → show → cli: every import in talkbase/ (at the top of a module, inside a
function or under TYPE_CHECKING) is checked against that order and the rules each package's docstring states.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "talkbase"
ORDER = ("records", "load", "ask", "write", "show", "cli")
# Imports that the order alone would allow but a stage's docstring forbids.
FORBIDDEN = {
    ("ask", "load"): "ask works on the model, wherever it came from",
}
NO_THIRD_PARTY = {
    "records": {"rich", "yaml", "typer"},
    "load": {"rich", "typer"},
    "ask": {"rich", "yaml", "typer"},
    "write": {"typer"},
    "show": {"yaml", "typer"},
    "cli": {"yaml"},
}


def stage_of(module: str) -> str | None:
    """`talkbase.load.cache` → `load`; the package root (`talkbase`, its __version__) belongs to no stage."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "talkbase" and parts[1] in ORDER else None


def imported_modules(source: str, module: str) -> list[tuple[int, str]]:
    """Every module a source imports, anywhere in it, as (line, absolute module name)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # a relative import, resolved against the importing module's package
                package = module.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            if base == "talkbase":  # `from talkbase import load` names the stage in the alias
                found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
            else:
                found.append((node.lineno, base))
    return found


def violations(source: str, module: str) -> list[str]:
    """Why each import of `module` breaks the layering, if any does."""
    own = stage_of(module)
    if own is None:
        return []
    found = []
    for line, target in imported_modules(source, module):
        theirs, top = stage_of(target), target.split(".")[0]
        if theirs and ORDER.index(theirs) > ORDER.index(own):
            found.append(f"{module}:{line}: {own} imports {target}, a stage above it")
        elif (own, theirs) in FORBIDDEN:
            found.append(f"{module}:{line}: {own} imports {target}: {FORBIDDEN[own, theirs]}")
        elif own == "records" and top == "talkbase" and theirs != "records":
            found.append(f"{module}:{line}: records imports {target}; it imports nothing of talkbase")
        elif top in NO_THIRD_PARTY.get(own, ()):
            found.append(f"{module}:{line}: {own} imports {top}")
    return found


def package_modules() -> list[tuple[str, Path]]:
    modules = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        modules.append((".".join(parts[:-1] if parts[-1] == "__init__" else parts), path))
    return modules


def test_no_stage_imports_a_stage_above_it() -> None:
    problems = [v for module, path in package_modules() for v in violations(path.read_text("utf-8"), module)]
    assert problems == []


def test_every_module_belongs_to_a_stage() -> None:
    loose = [m for m, _ in package_modules() if stage_of(m) is None and m not in ("talkbase", "talkbase.__main__")]
    assert loose == []


@pytest.mark.parametrize("stage", ORDER)
def test_each_stage_says_what_it_takes_gives_and_never_imports(stage: str) -> None:
    doc = ast.get_docstring(ast.parse((PACKAGE / stage / "__init__.py").read_text("utf-8"))) or ""
    assert doc.startswith(f"{stage} — ")
    for phrase in ("Takes in:", "Gives out:", "Never imports:"):
        assert phrase in doc


def test_the_package_root_imports_nothing() -> None:
    root = (PACKAGE / "__init__.py").read_text("utf-8")
    assert imported_modules(root, "talkbase") == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("talkbase.load.loader", "from talkbase.show.render import make_console", "a stage above it"),
        ("talkbase.ask.query", "def f():\n    from talkbase.cli import app", "a stage above it"),
        ("talkbase.write.prompts", "from ..show import render", "a stage above it"),
        ("talkbase.ask.query", "from talkbase.load import loader", "works on the model"),
        ("talkbase.records.model", "from talkbase import __version__", "imports nothing of talkbase"),
        ("talkbase.records.model", "if TYPE_CHECKING:\n    from talkbase.load.nodes import RawRecord", "above"),
        ("talkbase.ask.views", "from rich.text import Text", "ask imports rich"),
        ("talkbase.load.parser", "import rich.console", "load imports rich"),
    ],
)
def test_the_check_catches_each_kind_of_wrong_import(module: str, source: str, expected: str) -> None:
    found = violations(source, module)
    assert len(found) == 1 and expected in found[0]


def test_imports_downward_and_within_a_stage_are_fine() -> None:
    source = "from talkbase.records.model import build\nfrom talkbase.load import nodes\nfrom . import formats"
    assert violations(source, "talkbase.show.views") == []
