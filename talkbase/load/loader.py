"""Reading a knowledge base: find the YAML files, parse them safely, and keep the line and column of everything.

Each file is parsed (by talkbase.load.parser, imported on the first parse only, so that a command answered from the
parse cache never imports PyYAML) into plain dicts and lists that remember where every key and value stood,
then split into raw records. The loader returns problems as values and never prints.
"""

from __future__ import annotations

import codecs
import errno
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR, S_ISREG
from typing import Any

from talkbase.load.nodes import RawRecord, YList, YMap
from talkbase.records.hints import did_you_mean
from talkbase.records.model import collector_paused
from talkbase.records.problems import Problem
from talkbase.records.schema import KINDS

YAML_SUFFIXES = (".yaml", ".yml")
MAX_FILE_BYTES = 64 * 1024 * 1024  # the 100,000-position benchmark KB would fit in one file this size
MAX_KB_BYTES = 128 * 1024 * 1024  # all files together; peak memory is about 8 bytes per byte of YAML (README)
MAX_LINE_BYTES = 1_000_000  # far beyond any hand-written line; bounds what one scalar can cost
FOLLOW_ENV = "TALKBASE_FOLLOW_SYMLINKS"  # set to 1 (or --follow-symlinks) to read links leading outside the data


@dataclass(slots=True)
class Loaded:
    """What loading read: the files (as shown), their raw records, and every problem found."""

    files: list[str] = field(default_factory=list)
    records: list[RawRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def display_path(path: Path) -> str:
    """The path relative to the current directory when the file lies below it, else absolute."""
    absolute = path.absolute()
    try:
        return str(absolute.relative_to(Path.cwd()))
    except ValueError:
        return str(absolute)


def follow_symlinks() -> bool:
    """Whether links leading outside the data directory may be read (the user asked: --follow-symlinks)."""
    return os.environ.get(FOLLOW_ENV, "") not in ("", "0")


SETTINGS_FILE = "talkbase.yaml"  # at the root of a data directory: its settings, not records


# Emacs marks a file being edited with a link beside it, `.#events.yaml` (to `user@host.pid`, a file that does not
# exist): no record is in it, and reading it would stop every command while a change is unsaved.
EDITOR_LOCK = ".#"


def discover_files(root: Path, suffixes: tuple[str, ...] = YAML_SUFFIXES) -> list[Path]:
    """Every *.yaml / *.yml file (or file of other `suffixes`) under root (or root itself), sorted; hidden
    folders and editors' lock files are skipped.

    A link to a folder inside root is not followed (its files are read where they really are); one leading
    outside is followed, each such folder once, only when the user asked to follow links. A link that loops
    back, a link leading outside, and a folder that cannot be listed are listed themselves, so that loading
    reports them as problems instead of skipping them in silence."""
    if not root.is_dir():
        return [root]
    settings = root / SETTINGS_FILE  # not records (see talkbase.load.settings)
    found: list[Path] = []
    real_root = Path(os.path.realpath(root))
    follow, seen = follow_symlinks(), {real_root}
    pending = [root]  # a stack, not recursion: a tree thousands of folders deep is no problem
    while pending:
        folder = pending.pop()
        files, folders = _listing(folder, real_root, follow, seen, suffixes)
        found.extend(files)
        pending.extend(reversed(folders))  # so that subfolders are read in name order, each before the next
    return [path for path in found if path != settings]


def _listing(
    folder: Path, real_root: Path, follow: bool, seen: set[Path], suffixes: tuple[str, ...] = YAML_SUFFIXES
) -> tuple[list[Path], list[Path]]:
    """The YAML files (and the paths to report) in one folder, and its subfolders to read, in name order."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda e: e.name)
    except OSError:
        return [folder], []  # reported by path_problem
    files: list[Path] = []
    folders: list[Path] = []
    for entry in entries:
        path = Path(folder, entry.name)
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if not is_dir:
            if entry.name.endswith(suffixes) and not entry.name.startswith(EDITOR_LOCK):
                files.append(path)
        elif entry.name.startswith("."):
            continue
        elif not entry.is_symlink():
            folders.append(path)
        else:
            real, real_folder = Path(os.path.realpath(path)), Path(os.path.realpath(folder))
            inside = real.is_relative_to(real_root)
            if real == real_folder or real in real_folder.parents or not (inside or follow):
                files.append(path)  # loops back, or leads outside: reported when loading
            elif not inside and real not in seen:  # a folder inside is read where it really is
                seen.add(real)
                folders.append(path)
    return files, folders


def load_tree(
    root: Path,
    files: list[Path] | None = None,
    progress: Callable[[int, int], None] | None = None,
    file_cache: Any = None,
    each: Callable[[list[RawRecord]], None] | None = None,
) -> Loaded:
    """Load every YAML file under root (or the given files of it) into raw records, with all problems.

    `progress(done, total)` is called after each file, for a progress display the caller may show.
    `file_cache` (a talkbase.load.cache.FileCache) gives the results of files unchanged since they were parsed.
    `each(records)` is given each file's records once, as soon as they are read (while other files may still be
    parsed on other cores), in no particular order of files."""
    loaded = Loaded()
    paths = discover_files(root) if files is None else files
    real_root, follow = Path(os.path.realpath(root)), follow_symlinks()
    over_budget = _over_budget(root, paths)
    if over_budget is not None:
        loaded.files.extend(display_path(path) for path in paths)
        loaded.problems.append(over_budget)
        return loaded
    with collector_paused():  # the collector rescanning millions of fresh objects is the largest cost at scale
        parses: list[tuple[list[RawRecord], list[Problem]] | None] = []
        todo: list[tuple[int, tuple[Path, str, Any]]] = []  # what the file cache does not hold: to parse
        for path in paths:
            shown = display_path(path)
            loaded.files.append(shown)
            refused = path_problem(path, shown, real_root, follow)
            if refused is not None:
                parses.append(([], [refused]))
                continue
            stamp, cached = _from_file_cache(path, shown, file_cache)
            parses.append(cached)
            if cached is None:
                todo.append((len(parses) - 1, (path, shown, stamp)))
        done = len(paths) - len(todo)
        held = [parsed for parsed in parses if parsed is not None]  # by the file cache
        from talkbase.load.parallel import parse_files

        for (at, _), parsed in zip(todo, parse_files([job for _, job in todo], file_cache)):
            parses[at] = parsed
            if each is not None:
                each(parsed[0])
            done += 1
            if progress is not None:
                progress(done, len(paths))
        for records, _ in held if each is not None else ():  # after those parsed: their parse starts sooner
            each(records)
        for records, problems in filter(None, parses):
            loaded.records.extend(records)
            loaded.problems.extend(problems)
    return loaded


def _over_budget(root: Path, paths: list[Path]) -> Problem | None:
    """The problem when the files to read hold more than MAX_KB_BYTES in all, from their sizes alone (a file
    over MAX_FILE_BYTES is not read, and reported on its own), so that nothing is read or parsed."""
    total = 0
    for path in paths:
        try:
            st = os.stat(path)
        except OSError:
            continue  # reported when loading
        if S_ISREG(st.st_mode) and st.st_size <= MAX_FILE_BYTES:
            total += st.st_size
    if total <= MAX_KB_BYTES:
        return None
    message = (
        f"the knowledge base's YAML files hold {total / 2**20:,.1f} MiB in all, more than the "
        f"{MAX_KB_BYTES // 2**20} MiB talkbase reads at once; nothing was read"
    )
    hint = "split it into several knowledge bases, each in its own data directory, or pass --data one part of it"
    return Problem(display_path(root), 1, 1, "too-large", message, hint)


def load_file(path: Path, shown: str, loaded: Loaded) -> None:
    """Read and parse one file into `loaded`'s records and problems."""
    data, length, problems = read_utf8(path, shown)
    loaded.problems.extend(problems)
    if data is not None:
        load_text(data, shown, loaded, length)


def load_text(text: str | bytes, shown: str, loaded: Loaded, length: int | None = None) -> None:
    """Parse one file's text (already read; or its UTF-8 bytes and their length in characters, which spares the
    parse a copy of the text as a str) into `loaded`'s records and problems."""
    document, problems = parse_document(text, shown, length)
    loaded.problems.extend(problems)
    if document is not None:
        loaded.records.extend(records_of(document, shown, loaded.problems))


def _from_file_cache(
    path: Path, shown: str, file_cache: Any
) -> tuple[Any, tuple[list[RawRecord], list[Problem]] | None]:
    """The file's stamp (None when it is not to be cached) and its parse from the file cache, if it holds it."""
    if file_cache is None:
        return None, None
    try:
        stamp = file_cache.stamp(path, path.stat())
    except OSError:  # read (and its problem reported) without the cache
        return None, None
    return stamp, file_cache.get(path, shown, stamp)


def path_problem(path: Path, shown: str, real_root: Path, follow: bool) -> Problem | None:
    """Why a listed path must not be read: a link loop, a link leading outside the data directory (unless the
    user asked to follow links), or a folder that discovery could not list or walk into."""
    try:
        st = os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _unreadable(shown, "symbolic link loop: the link leads back to itself", "remove or fix the link")
        return None  # read_text says why
    real = Path(os.path.realpath(path))
    if not follow and not real.is_relative_to(real_root):
        message = f"symbolic link leads outside the data directory (to {real}); not read"
        return _unreadable(shown, message, f"pass --follow-symlinks or set {FOLLOW_ENV}=1 to read it")
    if not S_ISDIR(st.st_mode):
        return None
    real_parent = Path(os.path.realpath(path.parent))
    if real == real_parent or real in real_parent.parents:
        return _unreadable(shown, "symbolic link loop: a link to a folder that holds it; not followed")
    try:
        os.listdir(path)
    except OSError as exc:
        return _unreadable(shown, f"cannot read folder: {exc.strerror or exc}")
    return _unreadable(shown, "cannot read file: a folder")


def _unreadable(shown: str, message: str, hint: str = "") -> Problem:
    return Problem(shown, 1, 1, "unreadable", message, hint)


def read_text(path: Path, shown: str, limit: int = MAX_FILE_BYTES) -> tuple[str | None, list[Problem]]:
    """The file's text as UTF-8 (a byte-order mark is allowed), or a problem saying why it can't be read."""
    data, _, problems = read_utf8(path, shown, limit)
    return (None if data is None else data.decode("utf-8")), problems


def read_utf8(path: Path, shown: str, limit: int = MAX_FILE_BYTES) -> tuple[bytes | None, int, list[Problem]]:
    """The file's bytes, checked to be UTF-8 and without a byte-order mark, with their length in characters;
    or a problem saying why it can't be read.

    Only regular files are read (a FIFO or device would block or never end; a folder is not a file), never
    more than `limit` bytes, and no line may be longer than MAX_LINE_BYTES: each is reported as a problem
    before any parsing."""
    try:  # non-blocking, so that opening a FIFO (even one swapped in after discovery) cannot hang
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        return None, 0, [_unreadable(shown, f"cannot read file: {_reason(exc)}")]
    try:
        st = os.fstat(fd)
        regular = S_ISREG(st.st_mode)
    except OSError as exc:
        os.close(fd)
        return None, 0, [_unreadable(shown, f"cannot read file: {_reason(exc)}")]
    if not regular:  # checked before the descriptor becomes a file object, which a folder cannot be
        os.close(fd)
        return None, 0, [_unreadable(shown, "cannot read file: not a regular file")]
    with open(fd, "rb", closefd=True) as handle:
        try:
            if st.st_size > limit:
                return None, 0, [_too_large(shown, limit)]
            data = handle.read(limit + 1)  # the size may have grown since fstat
        except OSError as exc:
            return None, 0, [_unreadable(shown, f"cannot read file: {_reason(exc)}")]
    if len(data) > limit:
        return None, 0, [_too_large(shown, limit)]
    return checked_utf8(data, shown)


def read_stream(stream: Any, shown: str) -> tuple[bytes | None, int, list[Problem]]:
    """What a binary stream (standard input) holds, checked like a file's bytes: at most MAX_FILE_BYTES of
    UTF-8, no line longer than MAX_LINE_BYTES."""
    try:
        data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, 0, [_unreadable(shown, f"cannot read: {_reason(exc)}")]
    return checked_utf8(data, shown)


def checked_utf8(data: bytes, shown: str) -> tuple[bytes | None, int, list[Problem]]:
    """The bytes without a byte-order mark and their length in characters, or the problem with them."""
    if len(data) > MAX_FILE_BYTES:
        return None, 0, [_too_large(shown)]
    long_line = _long_line(data)
    if long_line:
        message = f"line {long_line} is longer than {MAX_LINE_BYTES:,} bytes; not read"
        hint = "a hand-written knowledge base has no such line; fold long text over several lines"
        return None, 0, [Problem(shown, long_line, 1, "too-long", message, hint)]
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        length = len(data[bom:].decode("utf-8"))  # the check; the text itself is not kept (see load_text)
    except UnicodeDecodeError as exc:
        at = exc.start + bom  # in the file, byte-order mark included
        line = data.count(b"\n", 0, at) + 1
        col = at - (data.rfind(b"\n", 0, at) + 1) + 1 - (bom if line == 1 else 0)
        byte = data[at : at + 1].hex()
        message = f"file is not valid UTF-8 (byte 0x{byte})"
        return None, 0, [Problem(shown, line, col, "encoding", message, "save the file as UTF-8")]
    return data[bom:], length, []


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        dangling = exc.filename is not None and os.path.islink(exc.filename)
        return "a link to a file that does not exist" if dangling else "no such file"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or str(exc)


def _too_large(shown: str, limit: int = MAX_FILE_BYTES) -> Problem:
    message = f"file is larger than {limit // 2**20} MiB; not read"
    return Problem(shown, 1, 1, "too-large", message, "split it into several files")


def _long_line(data: bytes) -> int | None:
    """The number of the first line longer than MAX_LINE_BYTES, if any. Each step jumps to the last line
    break within the next MAX_LINE_BYTES + 1 bytes, so an ordinary file costs a few C-speed scans."""
    start, size = 0, len(data)
    while size - start > MAX_LINE_BYTES:
        newline = data.rfind(b"\n", start, start + MAX_LINE_BYTES + 1)
        if newline < 0:
            return data.count(b"\n", 0, start) + 1
        start = newline + 1
    return None


def parse_document(text: str | bytes, shown: str, length: int | None = None) -> tuple[Any, list[Problem]]:
    """Parse one YAML document into located values; syntax errors become problems."""
    from talkbase.load import parser  # PyYAML is imported only when a file must be parsed

    return parser.parse_document(text, shown, length)


# Top-level keys that talkbase does not read, as Compose files have: `x-defaults: &defaults {...}` holds values
# records merge with `<<: *defaults`.
SHARED_PREFIX = "x-"


def records_of(document: Any, shown: str, problems: list[Problem]) -> Iterator[RawRecord]:
    """Split a file's top-level mapping into raw records, reporting a wrong top level or unknown kinds."""
    if not isinstance(document, YMap):
        hint = "start the file with a kind such as `actors:` or `events:`"
        problems.append(
            Problem(
                shown,
                1,
                1,
                "not-a-mapping",
                "the top level of a file must be a mapping",
                hint,
            )
        )
        return
    for key, items in document.items():
        key_line, key_col = document.key_at(key)
        if key.startswith(SHARED_PREFIX) and key not in KINDS:
            continue  # values written to be shared through anchors and merge keys, not records
        if key not in KINDS:
            message = f"unknown top-level key `{key}`"
            hint = did_you_mean(key, KINDS) or f"the kinds are {', '.join(KINDS)}"
            problems.append(Problem(shown, key_line, key_col, "unknown-kind", message, hint))
        elif items is None:
            continue  # `events:` with nothing under it yet
        elif not isinstance(items, YList):
            line, col = document.value_at(key)
            message = f"`{key}` must be a list of records"
            problems.append(
                Problem(
                    shown,
                    line,
                    col,
                    "not-a-list",
                    message,
                    "start each record with `- `",
                )
            )
        else:
            for item, (line, col) in zip(items, items.item_pos):
                yield RawRecord(key, item, shown, line, col)
