"""Importing a batch of records: ids made where missing, the whole knowledge base checked with all of them in
it, each record placed in the file `add` would choose, and every file's new bytes worked out. Nothing here
writes; the command line writes the files all or none (talkbase.write.atomic.replace_files_atomic).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talkbase.load.loader import display_path
from talkbase.load.nodes import YMap
from talkbase.records.problems import Problem
from talkbase.write.adding import (
    AddError,
    Workspace,
    default_file,
    new_problems,
    record_values,
    splice_records,
    state_dir,
)
from talkbase.write.answers import Known, suggest_id
from talkbase.write.changes import FileChange
from talkbase.write.import_read import Batch
from talkbase.write.writer import batch_text


@dataclass
class ImportedFile:
    """One file an import writes (its old bytes, None when it is new, and its new ones) and the records it gains."""

    change: FileChange
    added: list[tuple[str, str, int]]  # kind, id, line

    @property
    def target(self) -> Path:
        return self.change.path


@dataclass
class ImportPlan:
    records: list[tuple[str, Any]]  # kind and values of each record read, ids made where missing
    changes: list[ImportedFile]
    errors: list[Problem]  # at places in the import file (or in the knowledge base's files)
    warnings: list[Problem]
    fully_read: bool = True  # False: part of the import file could not be read, so `records` lacks it


def plan_import(ws: Workspace, batch: Batch, file: Path | None, allow_duplicate: bool) -> ImportPlan:
    """Check the batch in the knowledge base and work out each file's new bytes (an AddError when a file's
    layout leaves no safe place)."""
    make_ids(batch, ws.known)
    records = [(r.kind, record_values(r.kind, r.data)) for r in batch.records]
    read = [batch.located(p) for p in batch.problems]
    sources_file = file or default_file(ws, "sources", {})  # where imported sources go: their text_file's folder
    errors, warnings = new_problems(ws, batch.records, [], allow_duplicate, sources_file)
    errors = [p for p in read if p.is_error] + [batch.located(p) for p in errors]
    warnings = [p for p in read if not p.is_error] + [batch.located(p) for p in warnings]
    if errors:
        return ImportPlan(records, [], errors, warnings, fully_read=not any(p.is_error for p in read))
    return ImportPlan(records, _changes(ws, records, file), [], warnings)


def make_ids(batch: Batch, known: Known) -> None:
    """Give each record without an id the one `add` would suggest, free in the knowledge base and the batch."""
    taken = Known(kinds=dict(known.kinds))
    for record in batch.records:
        if isinstance(record.data, YMap) and isinstance(record.data.get("id"), str):
            taken.kinds.setdefault(record.data["id"], record.kind)
    for record in batch.records:
        data = record.data
        if isinstance(data, YMap) and "id" not in data:
            made = suggest_id(record.kind, record_values(record.kind, data), taken)
            if made:
                data["id"] = made
                data._at.extend((data.line, data.col, data.line, data.col))
                taken.kinds[made] = record.kind


def _changes(ws: Workspace, records: list[tuple[str, Any]], file: Path | None) -> list[ImportedFile]:
    groups: dict[Path, tuple[Path, list[tuple[str, Any]]]] = {}
    for kind_key, values in records:
        target = file or default_file(ws, kind_key, values)
        groups.setdefault(target.resolve(), (target, []))[1].append((kind_key, values))
    changes = []
    for target, batch in groups.values():
        try:
            old = target.read_bytes() if target.exists() else None
        except OSError as exc:
            raise AddError(f"cannot read {target}: {exc.strerror or exc}") from None
        new, lines = splice_records(target, old, batch)
        added = [(kind_key, values["id"], line) for (kind_key, values), line in zip(batch, lines)]
        changes.append(ImportedFile(FileChange(target, display_path(target), old, new), added))
    return changes


def draft_path() -> Path:
    """A new draft for a refused import, in the state folder's drafts like `add`'s."""
    return state_dir() / "drafts" / f"import-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}.yaml"


def is_draft(path: Path) -> bool:
    return str(path) != "-" and path.resolve().parent == (state_dir() / "drafts").resolve()


def import_draft_text(records: list[tuple[str, Any]], note: str) -> str:
    header = "# A talkbase draft: fix it, then import it with `talkbase import THIS-FILE`.\n"
    return batch_text(records, header) + "".join(f"# {line}\n" for line in note.splitlines())
