"""Replacing several files all or none: a journal of the originals, then one rename per file; any failure puts
back the files already replaced, and a crash leaves the journal from which `recover` puts them all back.

The journal is a hidden folder `.talkbase-journal` in the data directory (talkbase reads no hidden files or
folders): `manifest.json` names each file, its staged replacement and a backup of its original, and says whether
renames had begun. The caller holds the knowledge base's lock (talkbase.write.atomic.locked) throughout.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talkbase.load.loader import display_path
from talkbase.write.atomic import destination, replace_if_unchanged, stage_file, write_text_atomic
from talkbase.write.changes import FileChange

JOURNAL = ".talkbase-journal"
MANIFEST = "manifest.json"
# For tests only: kill this process (SIGKILL, as a crash or power cut would) once this many files are replaced.
KILL_HOOK = "TALKBASE_TEST_KILL_AFTER_REPLACING"


class JournalPending(Exception):
    """An earlier rename or removal was interrupted and left its journal: recover first."""

    def __init__(self, journal: Path) -> None:
        super().__init__(str(journal))
        self.journal = journal


def lock_dir(root: Path) -> Path:
    """The folder whose lock every writer of this knowledge base takes (a one-file knowledge base: its folder)."""
    return root if root.is_dir() else root.parent


def journal_of(root: Path) -> Path:
    return lock_dir(root) / JOURNAL


def _digest(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


@dataclass
class _Entry:
    path: Path  # where the file really is (a link's file)
    temp: Path
    backup: Path
    old: bytes | None  # None: the file is new
    new: bytes

    def as_json(self) -> dict[str, Any]:
        names = {"path": str(self.path), "temp": str(self.temp), "backup": self.backup.name}
        return {**names, "old": _digest(self.old), "new": _digest(self.new)}


def commit(root: Path, changes: list[FileChange], command: str) -> None:
    """Give every file its new bytes, or (on any error, Ctrl-C or kill) leave every file as it was."""
    journal = journal_of(root)
    entries = [_entry(journal, change, n) for n, change in enumerate(changes)]  # before the journal: may refuse
    try:
        journal.mkdir()
    except FileExistsError:
        raise JournalPending(journal) from None
    replaced: list[_Entry] = []
    try:
        _write_manifest(journal, command, "preparing", entries)
        for entry in entries:
            if entry.old is not None:
                _write_synced(entry.backup, entry.old)
            stage_file(entry.path, entry.new, entry.temp)
        _write_manifest(journal, command, "replacing", entries)
        for entry in entries:
            replace_if_unchanged(entry.temp, entry.path, entry.old)
            replaced.append(entry)
            if os.environ.get(KILL_HOOK) == str(len(replaced)):
                os.kill(os.getpid(), signal.SIGKILL)
    except BaseException:
        _roll_back(journal, entries, replaced)
        raise
    shutil.rmtree(journal)


def _entry(journal: Path, change: FileChange, n: int) -> _Entry:
    real = destination(change.path).path
    temp = real.parent / f".{real.name}.talkbase-{os.getpid()}-{n}.tmp"
    return _Entry(real, temp, journal / f"{n}.orig", change.old, change.new)


def _write_manifest(journal: Path, command: str, state: str, entries: list[_Entry]) -> None:
    manifest = {"command": command, "state": state, "files": [e.as_json() for e in entries]}
    write_text_atomic(journal / MANIFEST, json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")


def _write_synced(path: Path, data: bytes) -> None:
    with open(path, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _roll_back(journal: Path, entries: list[_Entry], replaced: list[_Entry]) -> None:
    """Put back the originals of the files already replaced; the journal stays if that fails, for `recover`."""
    for entry in replaced:
        if entry.path.read_bytes() == entry.new:  # else another program wrote it since: its version stays
            _restore(entry.path, entry.old, entry.temp)  # a new file: removed
    for entry in entries:
        entry.temp.unlink(missing_ok=True)
    shutil.rmtree(journal, ignore_errors=True)


def _restore(path: Path, old: bytes | None, temp: Path) -> None:
    """Give `path` back its old bytes (remove it, None, if it was new)."""
    temp.unlink(missing_ok=True)
    if old is None:
        path.unlink(missing_ok=True)
        return
    stage_file(path, old, temp)
    os.replace(temp, path)


def recover(root: Path) -> list[str]:
    """Put back every file an interrupted rename or removal had replaced, from its journal; what was done, as
    lines to show. A file changed by hand since the crash is kept, and its original saved beside it."""
    journal = journal_of(root)
    manifest_path = journal / MANIFEST
    if not manifest_path.exists():  # interrupted before anything was staged
        shutil.rmtree(journal, ignore_errors=True)
        return []
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    done = []
    for item in manifest["files"]:
        path, temp, backup = Path(item["path"]), Path(item["temp"]), journal / item["backup"]
        temp.unlink(missing_ok=True)
        if manifest["state"] != "replacing":
            continue
        current = path.read_bytes() if path.exists() else None
        if _digest(current) == item["old"]:
            continue
        old = backup.read_bytes() if item["old"] is not None else None
        if _digest(current) == item["new"] or current is None:
            _restore(path, old, temp)
            done.append(f"{'restored' if old is not None else 'removed the new file'} {display_path(path)}")
        else:
            kept = path.with_name(path.name + ".before-talkbase")
            _write_synced(kept, old)
            done.append(f"kept {display_path(path)}, changed since; its original is in {display_path(kept)}")
    shutil.rmtree(journal)
    return done
