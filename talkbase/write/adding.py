"""Adding a record: choose its file, check the knowledge base with the record in it, and work out the file's
new bytes. Nothing here writes; the command line writes the result atomically (talkbase.write.atomic).

The new record is checked as a separate draft file next to the knowledge base, so every problem it causes is
reported at a line of the draft the user can open. Then the record is spliced into the target file's text
and that text is parsed again: it must hold exactly the records it held before plus the new one, or
nothing is written.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from talkbase.load.loader import (
    SHARED_PREFIX,
    YAML_SUFFIXES,
    Loaded,
    discover_files,
    display_path,
    load_text,
    records_of,
)
from talkbase.load.nodes import RawRecord, YList, YMap
from talkbase.load.texts import TextReader
from talkbase.load.validate import date_text, validate
from talkbase.records.hints import did_you_mean
from talkbase.records.problems import DUPLICATE_CODES, Problem, unread_files
from talkbase.records.schema import DATE, KINDS, Kind, with_vocabulary
from talkbase.write.answers import Known
from talkbase.write.writer import AppendError, insert_record, insert_records, new_file_text, record_yaml


class AddError(Exception):
    """A record that cannot be added where asked (the file's layout, its encoding, its place)."""


@dataclass
class Workspace:
    """A knowledge base as raw records: enough to check answers and plan an add even when it has errors."""

    root: Path
    files: list[Path]
    loaded: Loaded
    problems: list[Problem]  # the settings', the loader's and the validator's
    known: Known
    kinds: dict[str, Kind]  # the record format with the vocabulary the knowledge base declares

    @property
    def shown_files(self) -> dict[str, Path]:
        return {display_path(path): path for path in self.files}


def open_workspace(root: Path, use_cache: bool = True) -> Workspace:
    from talkbase.load import cache
    from talkbase.load.loader import load_tree
    from talkbase.load.settings import read_settings

    files = discover_files(root)
    file_cache = cache.FileCache() if use_cache and not cache.disabled_by_environment() else None
    vocabulary, problems = read_settings(root)
    kinds = with_vocabulary(vocabulary)
    loaded = load_tree(root, files, file_cache=file_cache)
    problems += loaded.problems
    problems += validate(loaded.records, kinds, all_read=not unread_files(problems), text_files=TextReader(root))
    return Workspace(root, files, loaded, problems, Known.from_records(loaded.records), kinds)


def default_file(ws: Workspace, kind_key: str, values: dict[str, Any]) -> Path:
    """Where a new record goes unless the user says: a position beside most of its actor's positions,
    anything else beside most records of its kind, else a new `<kind>.yaml` at the top of the KB."""
    if ws.root.is_file():
        return ws.root
    same_kind = [r for r in ws.loaded.records if r.kind == kind_key]
    if kind_key == "positions":
        actor = values.get("actor")
        side = _side_of(ws, actor)
        same_actor = [r for r in same_kind if _field(r, "actor") == actor]
        same_side = [r for r in same_kind if _field(r, "actor") in side]
        same_kind = same_actor or same_side or same_kind
    if same_kind:
        busiest, _ = Counter(r.path for r in same_kind).most_common(1)[0]
        return ws.shown_files.get(busiest, ws.root / f"{kind_key}.yaml")
    return ws.root / f"{kind_key}.yaml"


def _field(record: RawRecord, name: str) -> Any:
    return record.data.get(name) if isinstance(record.data, YMap) else None


def _side_of(ws: Workspace, actor: Any) -> set[str]:
    """The actors on the same side as `actor`: its affiliation and whatever shares that affiliation."""
    actors = {_field(r, "id"): r for r in ws.loaded.records if r.kind == "actors"}
    home = _field(actors[actor], "affiliation") if actor in actors else None
    if not isinstance(home, str):
        return set()
    return {home} | {i for i, r in actors.items() if _field(r, "affiliation") == home}


def check_target(ws: Workspace, path: Path) -> Path:
    """A --file path the knowledge base will actually read: a .yaml/.yml file inside it, not hidden."""
    if ws.root.is_file():
        if path.resolve() != ws.root.resolve():
            raise AddError(f"the knowledge base is the single file {ws.root}; --file can only name it")
        return ws.root
    if not path.name.endswith(YAML_SUFFIXES):
        raise AddError(f"{path}: the file must end in .yaml or .yml")
    root = ws.root.resolve()
    real = path.resolve()
    if real != root and root not in real.parents:
        raise AddError(f"{path} is outside the knowledge base ({ws.root}), so the record would not be part of it")
    if any(part.startswith(".") for part in real.relative_to(root).parts[:-1]):
        raise AddError(f"{path} is inside a hidden folder, which talkbase does not read")
    if real.exists() and not real.is_file():
        raise AddError(f"{path} is not a regular file")
    return path


@dataclass
class Plan:
    """What adding a record would do: the file's new bytes, or the problems that stop it."""

    target: Path
    old: bytes | None  # None: the file is new
    new: bytes
    line: int  # where the record starts in the new file
    item: str  # the record's YAML as inserted
    errors: list[Problem]  # new errors, at lines of the draft
    warnings: list[Problem]  # new warnings, likewise


DRAFT_RECORD_LINE = 3  # a draft is a header line, the kind's key, then the record


def draft_text(kind_key: str, values: dict[str, Any], note: str = "") -> str:
    """A draft file: one header line, then the record (so problems found in it keep their lines), then the
    note as trailing comments."""
    command = f"talkbase add {KINDS[kind_key].singular} --from THIS-FILE"
    header = f"# A talkbase draft: fix it, then add it with `{command}`.\n"
    trailer = "".join(f"# {line}\n" for line in note.splitlines())
    return new_file_text(kind_key, values, header) + trailer


def plan_add(
    ws: Workspace, kind_key: str, values: dict[str, Any], target: Path, draft_shown: str, allow_duplicate: bool = False
) -> Plan:
    """Check the record against the knowledge base and splice it into `target`'s text. A record that repeats
    one already there is refused like an error, unless `allow_duplicate`."""
    draft = Loaded()
    load_text(draft_text(kind_key, values), draft_shown, draft)
    errors, warnings = new_problems(ws, draft.records, draft.problems, allow_duplicate, target)
    old = target.read_bytes() if target.exists() else None
    if errors:
        return Plan(target, old, b"", 0, record_yaml(kind_key, values), errors, warnings)
    new_bytes, line, item = _spliced(ws, kind_key, values, target, old, draft.records)
    moved = [_moved(p, draft_shown, display_path(target), line, _indent(item)) for p in warnings]
    return Plan(target, old, new_bytes, line, item, [], moved)


def new_problems(
    ws: Workspace, added: list[RawRecord], read_problems: list[Problem], allow_duplicate: bool, target: Path
) -> tuple[list[Problem], list[Problem]]:
    """The errors and warnings the knowledge base would have with the `added` records in it (to be written to
    `target`) that it has not now; a record repeating another is an error unless `allow_duplicate`."""
    all_read = not unread_files(ws.problems)
    texts = TextReader(ws.root, {record.path: target for record in added})  # a text_file is named from there
    after = read_problems + validate(ws.loaded.records + added, ws.kinds, all_read, texts)
    new = [_as_refusal(p) if is_duplicate(p) and not allow_duplicate else p for p in _new_problems(ws.problems, after)]
    return [p for p in new if p.is_error], [p for p in new if not p.is_error]


def is_duplicate(problem: Problem) -> bool:
    return problem.code in DUPLICATE_CODES


def _as_refusal(problem: Problem) -> Problem:
    hint = f"{problem.hint}; to add it all the same, pass --allow-duplicate"
    return replace(problem.as_warning_or_error(strict=True), hint=hint)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip(" "))


def _moved(problem: Problem, draft_shown: str, target_shown: str, line: int, indent: int) -> Problem:
    """A problem found in the draft, placed where the record now is in the target file."""
    if problem.path != draft_shown:
        return problem
    return replace(
        problem,
        path=target_shown,
        line=problem.line - DRAFT_RECORD_LINE + line,
        col=problem.col - 2 + indent,
    )


def _new_problems(before: list[Problem], after: list[Problem]) -> list[Problem]:
    """The problems in `after` that `before` does not have (as many times as it has them)."""
    fresh = Counter(_key(p) for p in after) - Counter(_key(p) for p in before)
    new = []
    for problem in after:
        if fresh[_key(problem)] > 0:
            fresh[_key(problem)] -= 1
            new.append(problem)
    return new


def _key(problem: Problem) -> tuple[Any, ...]:
    return (problem.path, problem.line, problem.col, problem.code, problem.message, problem.severity)


def _spliced(
    ws: Workspace, kind_key: str, values: dict[str, Any], target: Path, old: bytes | None, added: list[RawRecord]
) -> tuple[bytes, int, str]:
    shown = display_path(target)
    if old is None:
        text = new_file_text(kind_key, values)
        _check_result(text, shown, [], [], added)
        return text.encode("utf-8"), 2, text.split("\n", 1)[1]
    bom = b"\xef\xbb\xbf" if old.startswith(b"\xef\xbb\xbf") else b""
    try:
        old_text = old[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise AddError(f"{shown} is not valid UTF-8; fix it first (talkbase check shows where)") from None
    try:
        insertion = insert_record(old_text, kind_key, values)
    except AppendError as exc:
        raise AddError(f"cannot add to {shown}: {exc}") from None
    before = Loaded()
    load_text(old_text, shown, before)
    _check_result(insertion.text, shown, before.records, before.problems, added)
    added_text = insertion.text[insertion.offset : insertion.offset + len(insertion.text) - len(old_text)]
    at = len(bom) + len(old_text[: insertion.offset].encode("utf-8"))
    new_bytes = old[:at] + added_text.encode("utf-8") + old[at:]
    return new_bytes, insertion.line, added_text.lstrip("\r\n")


def splice_records(
    target: Path, old: bytes | None, records: list[tuple[str, dict[str, Any]]]
) -> tuple[bytes, list[int]]:
    """`target`'s new bytes with the records appended (each kind's at the end of its list, in order), and the line
    each record starts on; the result must read as the old records plus these, or it is an AddError."""
    shown = display_path(target)
    bom = b"\xef\xbb\xbf" if old is not None and old.startswith(b"\xef\xbb\xbf") else b""
    try:
        text = "" if old is None else old[len(bom) :].decode("utf-8")
    except UnicodeDecodeError:
        raise AddError(f"{shown} is not valid UTF-8; fix it first (talkbase check shows where)") from None
    before, added = Loaded(), Loaded()
    load_text(text, shown, before)
    new_text, lines = text, {}
    for kind_key in dict.fromkeys(kind for kind, _ in records):
        batch = [(n, values) for n, (kind, values) in enumerate(records) if kind == kind_key]
        try:
            insertion = insert_records(new_text, kind_key, [values for _, values in batch])
        except AppendError as exc:
            raise AddError(f"cannot add to {shown}: {exc}") from None
        grown = insertion.text.count("\n") - new_text.count("\n")  # later records move down
        lines = {n: line + (grown if line >= insertion.line else 0) for n, line in lines.items()}
        lines.update({n: line for (n, _), line in zip(batch, insertion.lines)})
        new_text = insertion.text
        load_text(f"{kind_key}:\n" + "".join(record_yaml(kind_key, v) for _, v in batch), shown, added)
    _check_result(new_text, shown, before.records, before.problems, added.records)
    return bom + new_text.encode("utf-8"), [lines[n] for n in range(len(records))]


def _check_result(
    text: str, shown: str, old_records: list[RawRecord], old_problems: list[Problem], added: list[RawRecord]
) -> None:
    """The new text must hold the old records unchanged plus the new one, and no new parse problems."""
    after = Loaded()
    load_text(text, shown, after)
    expected = [(r.kind, r.data) for r in old_records + added]
    got = [(r.kind, r.data) for r in after.records]
    same_problems = Counter((p.code, p.message) for p in after.problems) == Counter(
        (p.code, p.message) for p in old_problems
    )
    if sorted(map(repr, got)) != sorted(map(repr, expected)) or not same_problems:
        raise AddError(f"cannot add to {shown} safely: its layout would change how the file reads; add it by hand")


class DraftError(AddError):
    """A draft that cannot be read as one record: every problem found in it."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems[0].format())
        self.problems = problems


def values_from_draft(path: Path, kind_key: str, stdin: Any = None) -> dict[str, Any]:
    """The fields of the one record of `kind_key` in a draft (or any YAML file; with `stdin`, a binary stream,
    `-` reads that), as `add` takes them. The record may be written in a file of the record format (under its
    kind's key), or alone: its fields as the whole document, or as the one item of a list."""
    from talkbase.load.loader import parse_document, read_stream, read_text

    shown = display_path(path)
    if stdin is not None and str(path) == "-":
        shown = "<stdin>"
        data, _, problems = read_stream(stdin, shown)
        text = None if data is None else data.decode("utf-8")
    else:
        text, problems = read_text(path, shown)
    document = None
    if text is not None:
        document, parse_problems = parse_document(text, shown)
        problems += parse_problems
    if problems:
        raise DraftError(problems)
    record = _draft_record(document, kind_key, shown)
    unknown = [key for key in record if key not in KINDS[kind_key].field_names]
    if unknown:
        line, col = record.key_at(unknown[0])
        hint = did_you_mean(unknown[0], KINDS[kind_key].field_names)
        raise DraftError([Problem(shown, line, col, "unknown-field", f"unknown field `{unknown[0]}`", hint)])
    return record_values(kind_key, record)


def _draft_record(document: Any, kind_key: str, shown: str) -> YMap:
    """The one record of `kind_key` a draft's document holds, however it is written."""
    noun = KINDS[kind_key].singular
    if isinstance(document, YList) and len(document) == 1:
        document = document[0]  # `- actor: ...`
    if isinstance(document, YMap) and not all(key in KINDS or key.startswith(SHARED_PREFIX) for key in document):
        return document  # the record's fields alone (`sources` may be one of them, not a kind)
    if isinstance(document, YMap):
        loaded = Loaded()
        loaded.records.extend(records_of(document, shown, loaded.problems))
        records = [r for r in loaded.records if r.kind == kind_key]
        if len(records) == 1 and isinstance(records[0].data, YMap):
            return records[0].data
        found = f"{len(records)} {noun} records" if len(records) != 1 else f"a {noun} that is not a mapping"
    else:
        found = "no mapping of fields"
    message = f"a draft holds one {noun}: its fields, or `{kind_key}:` with one record under it; found {found}"
    raise DraftError([Problem(shown, 1, 1, "not-a-record", message)])


def record_values(kind_key: str, data: Any) -> Any:
    """A record as read (located values) in plain terms, dates as written: what `add` and the writer take."""
    if not isinstance(data, YMap):
        return _plain(data)
    spec = KINDS[kind_key].field
    return {key: _plain(value, (spec(key) is not None and spec(key).type == DATE)) for key, value in data.items()}


def _plain(value: Any, is_date: bool = False) -> Any:
    if isinstance(value, YMap):
        return {k: _plain(v, k in ("date", "since", "until")) for k, v in value.items()}
    if isinstance(value, YList):
        return [_plain(v) for v in value]
    if is_date:
        return date_text(value) or value
    return value


def state_dir() -> Path:
    from talkbase.load.xdg import xdg_dir

    return xdg_dir("XDG_STATE_HOME", os.path.join(".local", "state")) / "talkbase"


def find_id_line(files: list[Path], wanted: str) -> tuple[str, int] | None:
    """The file and line of `id: wanted` in the text of the files, whether or not they parse."""
    import re

    pattern = re.compile(rf"^[ \t]*(?:-[ \t]+)?id:[ \t]*(['\"]?){re.escape(wanted)}\1[ \t]*(?:#.*)?$", re.M)
    for path in files:
        try:
            text = path.read_bytes().decode("utf-8", errors="replace")
        except OSError:
            continue
        match = pattern.search(text)
        if match:
            return display_path(path), text.count("\n", 0, match.start()) + 1
    return None
