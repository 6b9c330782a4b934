"""What `mv` and `rm` share: a knowledge base's files read as exact text with their records, edits made at
exact character spans, the check that an edit changed only what it meant to, and the changes as a diff."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from talkbase.load.loader import Loaded, load_text
from talkbase.load.nodes import RawRecord, YList, YMap
from talkbase.records.problems import UNREAD_FILE, Problem

# Problems after which some records are not read, or not where the file says: renaming or removing then could
# miss a reference, so nothing is changed until they are fixed.
HIDING = UNREAD_FILE | {"not-a-mapping", "not-a-list", "unknown-kind", "duplicate-key", "line-break", "too-deep"}
_BREAKS = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # what YAML counts as a line break, as its marks do


class KeepError(Exception):
    """A rename or removal that cannot be made safely; nothing was written."""


@dataclass
class Source:
    """One file as read: its bytes, its text (without a byte-order mark) and the records parsed from that text."""

    path: Path
    shown: str
    data: bytes
    bom: bool
    text: str
    records: list[RawRecord]
    starts: list[int]

    def offset(self, line: int, col: int) -> int:
        """The index in `text` of a 1-based line and column, as the loader recorded them."""
        return self.starts[line - 1] + col - 1

    def encoded(self, text: str) -> bytes:
        return (codecs.BOM_UTF8 if self.bom else b"") + text.encode("utf-8")


def hiding_problems(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.code in HIDING]


def read_source(path: Path, shown: str) -> Source:
    """The file as it is now, parsed again from these very bytes (so positions and bytes agree)."""
    try:
        data = path.read_bytes()
        text = data.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KeepError(f"{shown}: cannot read it: {getattr(exc, 'strerror', None) or exc}") from None
    bom = text.startswith("\ufeff")
    text = text[1:] if bom else text
    loaded = parse(text, shown)
    return Source(path, shown, data, bom, text, loaded.records, line_starts(text))


def parse(text: str, shown: str) -> Loaded:
    loaded = Loaded()
    load_text(text, shown, loaded)
    hiding = hiding_problems(loaded.problems)
    if hiding:
        raise KeepError(f"{hiding[0].format()} (the file changed since it was read?)")
    return loaded


def line_starts(text: str) -> list[int]:
    return [0, *(m.end() for m in _BREAKS.finditer(text))]


def apply_edits(text: str, edits: list[tuple[int, int, str]]) -> str:
    """`text` with each (start, end, replacement) made; the spans must not overlap."""
    pieces, at = [], 0
    for start, end, replacement in sorted(set(edits)):
        if start < at and replacement == pieces[-1] == "":  # two cuts that share a blank line: one cut
            at = max(at, end)
            continue
        if start < at:
            raise KeepError("two edits overlap (a value shared through a YAML alias?); nothing was changed")
        pieces += [text[at:start], replacement]
        at = end
    return "".join([*pieces, text[at:]])


def plain(value: Any) -> Any:
    """A parsed value without its positions, to compare what two texts mean."""
    if isinstance(value, YMap):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, YList):
        return [plain(v) for v in value]
    return value


def meaning(records: list[RawRecord]) -> list[tuple[str, Any]]:
    return [(r.kind, plain(r.data)) for r in records]


def verify(source: Source, new_text: str, expected: list[tuple[str, Any]]) -> None:
    """Parse the new text again: it must hold exactly the `expected` records (kind and data, in order)."""
    got = meaning(parse(new_text, source.shown).records)
    if got != expected:
        raise KeepError(
            f"{source.shown}: the edited file would not hold exactly the intended records; nothing was changed "
            "(please report this, with the file)"
        )


@dataclass(frozen=True)
class FileChange:
    """A file's new bytes, to be written only if it still holds `old` (None: only if it does not exist yet)."""

    path: Path
    shown: str
    old: bytes | None
    new: bytes


def unified_diff(changes: list[FileChange]) -> str:
    """Every change as a unified diff with a/PATH and b/PATH names (paths as shown, relative to here)."""
    import difflib

    parts = []
    for change in changes:
        old = (change.old or b"").decode("utf-8").splitlines(keepends=True)
        new = change.new.decode("utf-8").splitlines(keepends=True)
        for line in difflib.unified_diff(old, new, f"a/{change.shown}", f"b/{change.shown}"):
            parts.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
    return "".join(parts)
