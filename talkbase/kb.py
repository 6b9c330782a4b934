"""Finding and opening a knowledge base: which data directory, then load → validate → model in one call."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from talkbase.loader import discover_files, display_path, load_tree
from talkbase.model import KnowledgeBase, build
from talkbase.problems import Problem, sorted_problems
from talkbase.validate import validate

ENV_VAR = "TALKBASE_DATA"


@dataclass(frozen=True, slots=True)
class DataLocation:
    path: Path
    origin: str  # how it was chosen: "--data", "TALKBASE_DATA", "data/ folder", "bundled"

    def describe(self) -> str:
        if self.origin == "bundled":
            return f"the bundled knowledge base ({self.path})"
        return f"{self.path} (from {self.origin})"


class DataLocationError(Exception):
    """The data directory the user named does not exist."""


def bundled_path() -> Path:
    """The knowledge base shipped with talkbase: inside the installed package, or data/ of a source checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "bundled"
    return installed if installed.is_dir() else here.parent / "data"


def _holds_yaml(folder: Path) -> bool:
    return any(any(f.endswith((".yaml", ".yml")) for f in files) for _, _, files in os.walk(folder))


def find_nearest_data(start: Path) -> Path | None:
    """The `data/` folder holding YAML in `start` or its nearest parent that has one."""
    for folder in (start, *start.parents):
        candidate = folder / "data"
        if candidate.is_dir() and _holds_yaml(candidate):
            return candidate
    return None


def locate(data_option: str | Path | None) -> DataLocation:
    """Choose the data: --data, then $TALKBASE_DATA, then the nearest data/ folder, then the bundled KB."""
    if data_option is not None:
        if not str(data_option):
            raise DataLocationError("--data is empty: give a knowledge base directory or YAML file")
        return _existing(Path(data_option), "--data")
    if os.environ.get(ENV_VAR):
        return _existing(Path(os.environ[ENV_VAR]), ENV_VAR)
    nearest = find_nearest_data(Path.cwd())
    if nearest is not None:
        return DataLocation(nearest, "data/ folder")
    return DataLocation(bundled_path(), "bundled")


def _existing(path: Path, origin: str) -> DataLocation:
    if not path.exists():
        raise DataLocationError(f"{origin}: no such file or directory: {path}")
    return DataLocation(path, origin)


@dataclass(slots=True)
class Opened:
    """The outcome of opening a knowledge base: problems always, the model only when there are no errors."""

    location: DataLocation
    files: list[str]
    record_counts: dict[str, int]
    problems: list[Problem]
    kb: KnowledgeBase | None  # None when the data has errors
    from_cache: bool = False

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.is_error]


def open_kb(
    location: DataLocation,
    strict: bool = False,
    use_cache: bool = True,
    progress: Callable[[int, int], None] | None = None,
) -> Opened:
    """Load, validate and (when clean) model the knowledge base at `location`, from the parse cache when
    none of its files has changed since a clean load."""
    gc_was_enabled = gc.isenabled()
    gc.disable()  # loading makes millions of objects and no cycles; the collector would only rescan them
    try:
        return _open_kb(location, strict, use_cache, progress)
    finally:
        if gc_was_enabled:
            gc.enable()


def _open_kb(
    location: DataLocation, strict: bool, use_cache: bool, progress: Callable[[int, int], None] | None
) -> Opened:
    from talkbase import cache

    files = discover_files(location.path)
    use_cache = use_cache and not cache.disabled_by_environment()
    sig = cache.signature(files) if use_cache else None
    cached = cache.load(location.path, sig) if sig is not None else None
    if cached is not None:
        records, problems = cached
    else:
        file_cache = cache.FileCache() if use_cache else None
        loaded = load_tree(location.path, files, progress, file_cache)
        records, problems = loaded.records, loaded.problems + validate(loaded.records)
        if sig is not None and not any(p.is_error for p in problems):
            cache.save(location.path, sig, records, problems)
    problems = sorted_problems([p.as_warning_or_error(strict) for p in problems])
    counts = {kind: 0 for kind in ("actors", "sources", "topics", "events", "positions")}
    for record in records:
        counts[record.kind] += 1
    has_errors = any(p.is_error for p in problems)
    kb = None if has_errors else build(records)
    shown = [display_path(f) for f in files]
    return Opened(location, shown, counts, problems, kb, from_cache=cached is not None)
