"""Finding and opening a knowledge base: which data directory, then load → validate → model in one call."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from talkbase.load.loader import SETTINGS_FILE, discover_files, display_path
from talkbase.records.model import collector_paused
from talkbase.records.problems import Problem, sorted_problems, unread_files

if TYPE_CHECKING:
    from talkbase.records.model import KnowledgeBase

ENV_VAR = "TALKBASE_DATA"


@dataclass(frozen=True, slots=True)
class DataLocation:
    """The knowledge base a command reads, and how it was chosen."""

    path: Path
    origin: str  # how it was chosen: "--data", "TALKBASE_DATA", "data/ folder", "bundled"

    def describe(self) -> str:
        if self.origin == "bundled":
            return f"the bundled knowledge base ({self.path})"
        return f"{self.path} (from {self.origin})"


class DataLocationError(Exception):
    """The data directory the user named does not exist."""


def settings_path(root: Path) -> Path | None:
    """The settings file of the knowledge base at `root`, if it has one (a one-file knowledge base has none)."""
    path = root / SETTINGS_FILE
    return path if root.is_dir() and (path.exists() or path.is_symlink()) else None


def bundled_path() -> Path:
    """The knowledge base shipped with talkbase: inside the installed package, or data/ of a source checkout."""
    package = Path(__file__).resolve().parent.parent  # talkbase/, where the wheel installs bundled/
    installed = package / "bundled"
    return installed if installed.is_dir() else package.parent / "data"


def find_nearest_data(start: Path) -> Path | None:
    """The `data/` folder in `start` or its nearest parent that has one, even while it is still empty: a
    curator who made it means it to be the knowledge base."""
    for folder in (start, *start.parents):
        candidate = folder / "data"
        if candidate.is_dir():
            return candidate
    return None


def locate(data_option: str | Path | None, containing: Path | None = None) -> DataLocation:
    """Choose the data: --data, then $TALKBASE_DATA, then the nearest data/ folder (to `containing`, a path
    given on the command line, if any, else to the current directory), then the bundled KB."""
    if data_option is not None:
        if not str(data_option):
            raise DataLocationError("--data is empty: give a knowledge base directory or YAML file")
        return _existing(Path(data_option), "--data")
    if os.environ.get(ENV_VAR):
        return _existing(Path(os.environ[ENV_VAR]), ENV_VAR)
    nearest = find_nearest_data(containing.absolute()) if containing is not None else None
    nearest = nearest or find_nearest_data(Path.cwd())
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
    with collector_paused():  # loading makes millions of objects, which live as long as the command
        return _open_kb(location, strict, use_cache, progress)


def _open_kb(
    location: DataLocation, strict: bool, use_cache: bool, progress: Callable[[int, int], None] | None
) -> Opened:
    from talkbase.load import cache

    use_cache = use_cache and not cache.disabled_by_environment()
    if use_cache:  # the settings and the sources' text files too: new kinds or a changed text change the problems
        from talkbase.load.texts import discover_with_texts

        files, texts = discover_with_texts(location.path)
        settings = settings_path(location.path)
        sig = cache.signature(files + ([settings] if settings else []) + texts)
    else:
        files, sig = discover_files(location.path), None

    def reload() -> KnowledgeBase:
        """The knowledge base from its files, for a snapshot found inconsistent after it was opened."""
        kb, problems, _ = _load_yaml(location.path, files, None, cache.FileCache())
        if kb is None or sig is None:
            raise cache.CacheMismatch("the parse cache disagreed with the data and has been removed")
        cache.save(location.path, sig, kb, problems)
        return kb

    snapshot = cache.load(location.path, sig, reload) if sig is not None else None
    if snapshot is not None:
        kb, problems, counts = snapshot.kb, snapshot.problems, snapshot.counts
    else:
        kb, problems, counts = _load_yaml(location.path, files, progress, cache.FileCache() if use_cache else None)
        if sig is not None and kb is not None:
            cache.save(location.path, sig, kb, problems)
    problems = sorted_problems([p.as_warning_or_error(strict) for p in problems])
    if any(p.is_error for p in problems):
        kb = None
    shown = [display_path(f) for f in files]
    return Opened(location, shown, counts, problems, kb, from_cache=snapshot is not None)


def _load_yaml(
    root: Path, files: list[Path], progress: Callable[[int, int], None] | None, file_cache: Any
) -> tuple[KnowledgeBase | None, list[Problem], dict[str, int]]:
    """Parse and validate the YAML files; the model is built only when there is no error."""
    from talkbase.load.loader import load_tree
    from talkbase.load.settings import read_settings
    from talkbase.load.texts import TextReader
    from talkbase.load.validate import Validation
    from talkbase.records.model import build
    from talkbase.records.schema import with_vocabulary

    vocabulary, problems = read_settings(root)
    validation = Validation(with_vocabulary(vocabulary))
    loaded = load_tree(root, files, progress, file_cache, each=validation.check)
    problems += loaded.problems
    all_read = not unread_files(problems)
    problems += validation.finish(loaded.records, all_read, text_files=TextReader(root))
    counts = {kind: 0 for kind in ("actors", "sources", "topics", "events", "positions")}
    for record in loaded.records:
        counts[record.kind] += 1
    kb = None if any(p.is_error for p in problems) else build(loaded.records, consume=True)  # not used again
    return kb, problems, counts
