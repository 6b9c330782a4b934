"""Writing files atomically: a file is either its old self or complete, never half-written.

Every file talkbase writes goes through here, and so does the choice of what a path given with `-o` or `--save`
really is: a regular file (or a link to one) is replaced atomically where it really is; a character device, a
FIFO or a named descriptor (`/dev/stdout`, `/dev/fd/3`) is written through, never replaced; anything else is
refused with a TargetError.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

# Paths that name an open descriptor of this process: written to that descriptor, as a shell would.
_DESCRIPTOR = re.compile(r"/dev/(?:fd/(\d+)|std(out|err))|/proc/self/fd/(\d+)")
_SYSTEM = ("/dev/", "/proc/", "/sys/")  # no file is ever created or replaced under these (but /dev/shm/)


class TargetError(OSError):
    """A path talkbase will not write to: a folder where a file goes, a block device, a socket, ..."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(0, reason, str(path))


@dataclass(frozen=True)
class Destination:
    """Where a write really goes: `path` to replace atomically, or a descriptor or device to write through."""

    path: Path
    through: bool = False  # a character device or FIFO: opened and written, never replaced
    descriptor: int | None = None  # /dev/stdout and friends: this process's open descriptor
    mode: os.stat_result | None = None  # the file or folder being replaced, whose mode and owner are kept


def destination(target: Path | str, directory: bool = False) -> Destination:
    """Decide what writing `target` means, following symbolic links to where they lead."""
    path = Path(os.path.abspath(target))
    hops = _link_hops(path)
    for hop in hops:
        match = _DESCRIPTOR.fullmatch(str(hop))
        if match and not directory:
            number = match.group(1) or match.group(3)
            return Destination(path, descriptor=int(number) if number else 1 if match.group(2) == "out" else 2)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        info = None
    real = Path(os.path.realpath(path))
    what = "a folder" if directory else "a file"
    if info is not None and (stat.S_ISCHR(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        if directory:
            raise TargetError(target, f"is a device or FIFO, and this export writes {what}")
        return Destination(path, through=True)
    if info is not None and not (stat.S_ISREG(info.st_mode) or stat.S_ISDIR(info.st_mode)):
        raise TargetError(
            target, f"is {_kind_of(info.st_mode)}; talkbase writes only files, folders, devices and FIFOs"
        )
    if any(str(hop).startswith(_SYSTEM) and not str(hop).startswith("/dev/shm/") for hop in (*hops, real)):
        raise TargetError(target, "is a system path; talkbase creates and replaces no files there")
    if info is not None and stat.S_ISDIR(info.st_mode) != directory:
        raise TargetError(target, f"is {'a folder' if not directory else 'a file'}, and this writes {what}")
    return Destination(real, mode=info)


def _link_hops(path: Path) -> list[Path]:
    """`path` and each path its chain of symbolic links leads to (a loop or a long chain is cut short)."""
    hops = [path]
    for _ in range(40):
        try:
            link = os.readlink(hops[-1])
        except OSError:
            break
        hops.append(Path(os.path.abspath(os.path.join(os.path.dirname(hops[-1]), link))))
    return hops


def _kind_of(mode: int) -> str:
    if stat.S_ISBLK(mode):
        return "a block device"
    return "a socket" if stat.S_ISSOCK(mode) else "not a regular file"


@contextlib.contextmanager
def atomic_path(target: Path, directory: bool = False) -> Iterator[Path]:
    """A temporary path to write into; on success it becomes `target` (see `destination` for what that is).

    A regular file is replaced in one rename from beside it (so the rename never crosses file systems), keeping
    its mode; on any error (or Ctrl-C) the temporary is removed and `target` is left as it was. A device, FIFO or
    descriptor gets the finished bytes written through it."""
    where = destination(target, directory)
    if where.through or where.descriptor is not None:
        with _through(where) as temp:
            yield temp
        return
    parent, prefix = where.path.parent, f".{where.path.name}."
    temp = Path(tempfile.mkdtemp(dir=parent, prefix=prefix) if directory else _temp_file(parent, prefix))
    if directory:
        os.chmod(temp, 0o777 & ~_umask())
    try:
        yield temp
        _keep_mode(temp, where.mode)
        if not directory:
            _fsync(temp)
        _replace(temp, where.path, directory)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True) if temp.is_dir() else temp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def _through(where: Destination) -> Iterator[Path]:
    """Collect the output in a private temporary file, then write it through the device or descriptor."""
    handle, name = tempfile.mkstemp(prefix="talkbase-out.")
    os.close(handle)
    temp = Path(name)
    try:
        yield temp
        if where.descriptor is not None:
            if where.descriptor in (1, 2):
                (sys.stdout if where.descriptor == 1 else sys.stderr).flush()
            _copy(temp, where.descriptor)
        else:
            out = os.open(where.path, os.O_WRONLY)
            try:
                _copy(temp, out)
            finally:
                os.close(out)
    finally:
        temp.unlink(missing_ok=True)


def _copy(source: Path, descriptor: int) -> None:
    with open(source, "rb") as handle:
        while chunk := handle.read(1 << 16):
            view = memoryview(chunk)
            while view:
                view = view[os.write(descriptor, view) :]


def _keep_mode(temp: Path, old: os.stat_result | None) -> None:
    """The replacement keeps the replaced file's permissions (and, for root, its owner)."""
    if old is None:
        return
    os.chmod(temp, stat.S_IMODE(old.st_mode))
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        with contextlib.suppress(OSError):
            os.chown(temp, old.st_uid, old.st_gid)


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


class FileChangedError(Exception):
    """The file changed on disk since it was read, so writing would lose someone else's edit."""


class LateWriteError(Exception):
    """Another program changed the file in the instant of the replacement, in a way that cannot be carried
    over; its version is kept in `kept`."""

    def __init__(self, target: Path, kept: Path) -> None:
        super().__init__(f"{target} was changed by another program as the record was written")
        self.kept = kept


def replace_file_atomic(target: Path, data: bytes, expected: bytes | None) -> None:
    """Give `target` the new contents `data`, provided it still holds `expected` (None: it must not exist).

    A symbolic link is kept and the file it points to is replaced; its permissions are kept too. The check is
    made once the replacement is ready, just before the rename, on a descriptor of the old file that stays open
    across the rename. A program that does not take talkbase's lock can still write at any instant: what it
    appends before the rename is carried into the new file (after the record), and so is what it appends to the
    old file in the instant between the check and the rename; any other change raises FileChangedError before
    the rename (nothing written), or LateWriteError after it, with the changed file kept beside it."""
    where = destination(target)
    if where.through or where.descriptor is not None:
        raise TargetError(target, "is not a regular file")
    real = where.path
    real.parent.mkdir(parents=True, exist_ok=True)
    temp = Path(_temp_file(real.parent, f".{real.name}."))
    try:
        temp.write_bytes(data)
        old = _open_if_exists(real)
        try:
            seen = _with_appends(temp, expected, old)
            _fsync(temp)
            _keep_mode(temp, None if old is None else os.fstat(old))
            os.replace(temp, real)
            _fsync_directory(real.parent)
            late = None if old is None or seen is None else _read_from(old, 0)
        finally:
            if old is not None:
                os.close(old)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    if late is not None and seen is not None and late != seen:
        _carry_over(real, seen, late)


def _with_appends(temp: Path, expected: bytes | None, old: int | None) -> bytes | None:
    """The old file's contents as they are now, once what was appended to it since `expected` was read is
    appended to `temp` too; FileChangedError if it changed in any other way."""
    carried, seen = expected, None if old is None else _read_from(old, 0)
    for _ in range(1000):  # a writer that appends without pause still leaves gaps of a few microseconds
        if seen == carried:
            return seen
        if carried is None or seen is None or not seen.startswith(carried):
            break
        with open(temp, "ab") as handle:
            handle.write(seen[len(carried) :])
        carried, seen = seen, _read_from(old, 0) if old is not None else None
    raise FileChangedError("it changed while the record was being added")


def _open_if_exists(path: Path) -> int | None:
    try:
        return os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None


def _read_from(descriptor: int, offset: int) -> bytes:
    chunks = []
    while chunk := os.pread(descriptor, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _carry_over(real: Path, seen: bytes, late: bytes) -> None:
    """Another program wrote into the old file after it was checked: append what it appended, or keep its
    version beside the file when it changed more than the end."""
    if late.startswith(seen):
        with open(real, "ab") as handle:
            handle.write(late[len(seen) :])
            handle.flush()
            os.fsync(handle.fileno())
        return
    handle, name = tempfile.mkstemp(dir=real.parent, prefix=f".{real.name}.", suffix=".theirs")
    with os.fdopen(handle, "wb") as kept:
        kept.write(late)
    raise LateWriteError(real, Path(name))


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """Hold an exclusive lock on a knowledge base's data directory while the block runs. Every talkbase
    process that writes into it takes this lock first, whoever runs it and whatever its state folder; a
    script can take the same one with `flock DATA-DIR command`. Where the platform has no `fcntl`, the
    block runs unlocked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    handle = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield
    finally:
        os.close(handle)  # closing the descriptor releases the lock


def replace_files_atomic(changes: list[tuple[Path, bytes, bytes | None]]) -> list[LateWriteError]:
    """Give each (target, data, expected) its new contents as `replace_file_atomic` does, all or none: when one
    fails, the files already replaced get back the bytes they held (a file that was new is removed) and the
    error is raised. Another program's change in the instant of a replacement does not undo the others; it is
    returned, its version kept beside the file. (One small function, to be swapped for a shared transaction.)"""
    done: list[tuple[Path, bytes, bytes | None]] = []
    late: list[LateWriteError] = []
    try:
        for target, data, expected in changes:
            try:
                replace_file_atomic(target, data, expected)
            except LateWriteError as exc:
                late.append(exc)
            done.append((target, data, expected))
    except BaseException:
        for target, data, expected in reversed(done):
            with contextlib.suppress(OSError, FileChangedError, LateWriteError):
                if expected is None:
                    if target.read_bytes() == data:
                        target.unlink()
                else:
                    replace_file_atomic(target, expected, data)
        raise
    return late
