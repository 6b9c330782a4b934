"""The parse cache: a snapshot of a clean knowledge base, reused while none of its files has changed, and
each file's parse, so that after an edit only the changed files are parsed again.

A snapshot is keyed by the data directory, talkbase's version and, for every YAML file, its path, size and
modification time. It is stored under `$XDG_CACHE_HOME/talkbase` with a checksum, so a corrupt, truncated,
stale or foreign file is detected and ignored (the knowledge base is then loaded from the YAML and the
snapshot rewritten). Only knowledge bases without errors are cached: their problems (warnings) carry no
paths in their messages, and paths are re-made relative to the current directory on every use.
`--no-cache` or `TALKBASE_NO_CACHE=1` bypasses it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path
from typing import Any

from talkbase import __version__
from talkbase.loader import REPORTED, RawRecord, YList, YMap, display_path, follow_symlinks
from talkbase.problems import Problem, Severity

FORMAT = 1
MAGIC = b"talkbase-cache\n"
DIGEST_SIZE = 16

Signature = tuple[tuple[str, int, int], ...]


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "talkbase"


def disabled_by_environment() -> bool:
    return os.environ.get("TALKBASE_NO_CACHE", "") not in ("", "0")


def signature(files: list[Path]) -> Signature | None:
    """Path, size and modification time of every file; None when one cannot be read (never cache then)."""
    try:
        return tuple((str(p.absolute()), (st := p.stat()).st_size, st.st_mtime_ns) for p in files)
    except OSError:
        return None


def snapshot_path(root: Path) -> Path:
    # following links changes which files may be read, so each choice has a snapshot of its own
    follow = follow_symlinks()
    key = hashlib.sha256(f"{root.absolute()}\0{__version__}\0{FORMAT}\0{follow}".encode()).hexdigest()[:32]
    return cache_dir() / f"kb-{key}.bin"


def load(root: Path, sig: Signature) -> tuple[list[RawRecord], list[Problem]] | None:
    """The cached records and problems of `root` if the snapshot matches `sig` exactly, else None."""
    try:
        body = _checked(snapshot_path(root).read_bytes())
        if body is None:
            return None
        version, cached_root, cached_sig, records, problems = marshal.loads(body)
        if (version, cached_root, cached_sig) != (__version__, str(root.absolute()), sig):
            return None
        return _decode(sig, records, problems)
    except Exception:  # any unreadable or unexpected snapshot is simply not used
        return None


def save(root: Path, sig: Signature, records: list[RawRecord], problems: list[Problem]) -> None:
    """Write the snapshot atomically; a cache that cannot be written is not an error."""
    from talkbase.atomic import write_bytes_atomic

    index = {display: i for i, display in enumerate(display_path(Path(path)) for path, _, _ in sig)}
    try:
        body = marshal.dumps(
            (
                __version__,
                str(root.absolute()),
                sig,
                [(r.kind, index[r.path], r.line, r.col, _plain(r.data)) for r in records],
                [(index[p.path], p.line, p.col, p.code, p.message, p.hint, p.severity.value) for p in problems],
            )
        )
        target = snapshot_path(root)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_bytes_atomic(target, _sealed(body))
    except (OSError, ValueError, KeyError):
        pass


def _plain(value: Any) -> Any:
    """Located values as plain dicts and lists (positions are not needed once a record is valid)."""
    if isinstance(value, YMap):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, YList):
        return [_plain(v) for v in value]
    return value


def _decode(sig: Signature, records: list[Any], problems: list[Any]) -> tuple[list[RawRecord], list[Problem]]:
    shown = [display_path(Path(path)) for path, _, _ in sig]
    raw = [RawRecord(kind, data, shown[path], line, col) for kind, path, line, col, data in records]
    found = [
        Problem(shown[path], line, col, code, message, hint, Severity(severity))
        for path, line, col, code, message, hint, severity in problems
    ]
    return raw, found


class FileCache:
    """Per-file parse results (records with every position, and the file's own problems), so that after an
    edit only the changed files are parsed again. Entries are checksummed like snapshots; a bad one is a miss."""

    def __init__(self) -> None:
        self.folder = cache_dir() / "files"

    def _path(self, source: Path) -> Path:
        key = hashlib.sha256(f"{source.absolute()}\0{__version__}\0{FORMAT}".encode()).hexdigest()[:32]
        return self.folder / f"{key}.bin"

    def get(self, source: Path, shown: str, stamp: tuple[int, int]) -> tuple[list[RawRecord], list[Problem]] | None:
        try:
            body = _checked(self._path(source).read_bytes())
            if body is None:
                return None
            version, path, cached_stamp, records, problems = marshal.loads(body)
            if (version, path, tuple(cached_stamp)) != (__version__, str(source.absolute()), stamp):
                return None
            raw = [RawRecord(kind, _unpack(data), shown, line, col) for kind, line, col, data in records]
            found = [Problem(shown, *p[:5], Severity(p[5])) for p in problems]
            return raw, found
        except Exception:  # an unreadable or unexpected entry is simply not used
            return None

    def put(self, source: Path, stamp: tuple[int, int], records: list[RawRecord], problems: list[Problem]) -> None:
        from talkbase.atomic import write_bytes_atomic

        try:
            body = marshal.dumps(
                (
                    __version__,
                    str(source.absolute()),
                    stamp,
                    [(r.kind, r.line, r.col, _pack(r.data)) for r in records],
                    [(p.line, p.col, p.code, p.message, p.hint, p.severity.value) for p in problems],
                )
            )
            self.folder.mkdir(parents=True, exist_ok=True)
            write_bytes_atomic(self._path(source), _sealed(body))
        except (OSError, ValueError):
            pass


def _sealed(body: bytes) -> bytes:
    return MAGIC + hashlib.blake2b(body, digest_size=DIGEST_SIZE).digest() + body


def _checked(blob: bytes) -> bytes | None:
    """The body of a sealed blob, or None when its magic or checksum is wrong."""
    if not blob.startswith(MAGIC):
        return None
    digest, body = blob[len(MAGIC) : len(MAGIC) + DIGEST_SIZE], blob[len(MAGIC) + DIGEST_SIZE :]
    return body if hashlib.blake2b(body, digest_size=DIGEST_SIZE).digest() == digest else None


_MAP, _LIST, _REPORTED = 0, 1, 2


def _pack(value: Any) -> Any:
    """A located value as marshal-able tuples, positions included (scalars never are tuples)."""
    if isinstance(value, YMap):
        return (_MAP, value.line, value.col, [(k, *value.pos[k], _pack(v)) for k, v in value.items()])
    if isinstance(value, YList):
        return (_LIST, value.line, value.col, [(*p, _pack(v)) for p, v in zip(value.item_pos, value)])
    if value is REPORTED:
        return (_REPORTED,)
    return value


def _unpack(value: Any) -> Any:
    if type(value) is not tuple:
        return value
    if value[0] == _MAP:
        result = YMap(value[1], value[2])
        for key, kl, kc, vl, vc, item in value[3]:
            result[key] = _unpack(item)
            result.pos[key] = (kl, kc, vl, vc)
        return result
    if value[0] == _LIST:
        items = YList(value[1], value[2])
        for line, col, item in value[3]:
            items.append(_unpack(item))
            items.item_pos.append((line, col))
        return items
    return REPORTED
