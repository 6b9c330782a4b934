"""Writing files atomically: a file is either its old self or complete, never half-written."""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(target: Path, directory: bool = False) -> Iterator[Path]:
    """A temporary path beside `target` to write into; on success it replaces `target` in one rename.

    On any error (or Ctrl-C) the temporary file is removed and `target` is left as it was. The temporary
    path is in the same directory, so the final rename never crosses file systems.
    """
    target = Path(target).absolute()  # also gives `.` and other bare names a real parent and name
    parent = target.parent
    prefix = f".{target.name}."
    temp = Path(tempfile.mkdtemp(dir=parent, prefix=prefix) if directory else _temp_file(parent, prefix))
    if directory:
        os.chmod(temp, 0o777 & ~_umask())
    try:
        yield temp
        if not directory:
            _fsync(temp)
        _replace(temp, target, directory)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True) if temp.is_dir() else temp.unlink(missing_ok=True)
        raise


def _temp_file(parent: Path, prefix: str) -> str:
    handle, name = tempfile.mkstemp(dir=parent, prefix=prefix, suffix=".tmp")
    os.close(handle)
    os.chmod(name, 0o666 & ~_umask())  # mkstemp makes it private; a written file gets the usual mode
    return name


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    with open(path, "rb+") as handle:
        os.fsync(handle.fileno())


def _replace(temp: Path, target: Path, directory: bool) -> None:
    if directory and target.exists():
        # Directories cannot be swapped in one rename: move the old one aside first, then drop it.
        old = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.old."))
        os.replace(target, old / target.name)
        os.replace(temp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(temp, target)
        _fsync_directory(target.parent)


def _fsync_directory(path: Path) -> None:
    """Make the rename itself durable; not every file system lets a directory be synced."""
    try:
        handle = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(handle)
    except OSError:
        pass
    finally:
        os.close(handle)


def write_text_atomic(target: Path, text: str) -> None:
    with atomic_path(target) as temp:
        temp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: Path, data: bytes) -> None:
    with atomic_path(target) as temp:
        temp.write_bytes(data)


class FileChangedError(Exception):
    """The file changed on disk since it was read, so writing would lose someone else's edit."""


def replace_file_atomic(target: Path, data: bytes, expected: bytes | None) -> None:
    """Give `target` the new contents `data`, provided it still holds `expected` (None: it must not exist).

    A symbolic link is kept and the file it points to is replaced; the file's permissions are kept too."""
    real = target.resolve() if target.is_symlink() else target
    real.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(real) as temp:
        temp.write_bytes(data)
        current = real.read_bytes() if real.exists() else None
        if current != expected:
            raise FileChangedError(f"{target} changed while the record was being added")
        if current is not None:
            os.chmod(temp, stat.S_IMODE(real.stat().st_mode))


@contextlib.contextmanager
def locked(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock on `lock_file` (made if missing) while the block runs; other talkbase processes
    wait for it. Where the platform has no `fcntl`, the block runs unlocked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_file, "a") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
