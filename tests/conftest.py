"""Shared helpers: run the real `talkbase` command, and write small knowledge bases inline."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

# The tests use a parse cache of their own, never the user's (~/.cache/talkbase) ...
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="talkbase-tests-cache-")
# ... and drafts of their own, never the user's (~/.local/state/talkbase); both are removed at the end.
os.environ["XDG_STATE_HOME"] = tempfile.mkdtemp(prefix="talkbase-tests-state-")
for _folder in (os.environ["XDG_CACHE_HOME"], os.environ["XDG_STATE_HOME"]):
    atexit.register(shutil.rmtree, _folder, ignore_errors=True)

TESTS = Path(__file__).resolve().parent
FIXTURES = TESTS / "fixtures"
REPO = TESTS.parent


@dataclass
class Result:
    code: int
    out: str
    err: str


def talkbase_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment a test runs talkbase in: none of the user's TALKBASE_ settings, plain UTF-8 output."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBASE_")}
    full_env.update({"PYTHONIOENCODING": "utf-8", "NO_COLOR": "", "TERM": "dumb"})
    full_env.update(env or {})
    return full_env


def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, stdin: str = "") -> Result:
    """Run `python -m talkbase ARGS` as a separate process, as a user would, with output piped."""
    done = subprocess.run(
        [sys.executable, "-m", "talkbase", *args],
        cwd=cwd or REPO,
        env=talkbase_env(env),
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=60,
    )
    return Result(done.returncode, done.stdout, done.stderr)


def console_examples(markdown: str) -> list[tuple[str, str]]:
    """(command, expected output) for each ```console block of a Markdown text."""
    import re

    examples = []
    for block in re.findall(r"```console\n(.*?)```", markdown, flags=re.S):
        command, _, output = block.partition("\n")
        examples.append((command.removeprefix("$ "), output))
    return examples


def write_kb(folder: Path, files: dict[str, str]) -> Path:
    """Write {relative path: YAML text} under folder (dedented) and return folder."""
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return folder


@pytest.fixture
def kb_dir(tmp_path: Path) -> Path:
    return tmp_path / "kb"
