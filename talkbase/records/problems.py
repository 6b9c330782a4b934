"""The one shape every mistake in user data takes: a Problem with file, line, column, message and hint."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    """A mistake found in a knowledge base, pinned to a place in a file (1-based line and column)."""

    path: str
    line: int
    col: int
    code: str
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.col, self.code)

    def as_warning_or_error(self, strict: bool) -> Problem:
        """Warnings become errors under --strict."""
        if strict and not self.is_error:
            return Problem(self.path, self.line, self.col, self.code, self.message, self.hint)
        return self

    def format(self) -> str:
        """`path:line:col: error: message (hint)` — the layout editors and grep understand, on one line even
        when the message quotes a value that holds line breaks (they are shown as `\\n`)."""
        text = f"{self.path}:{self.line}:{self.col}: {self.severity.value}: {self.message}"
        text = f"{text} ({self.hint})" if self.hint else text
        return text.replace("\r", "\\r").replace("\n", "\\n")


# Problems that stop a whole file from being read. They are listed first: the records in such a file are
# missing, so references to them elsewhere fail too, and those errors follow from these.
UNREAD_FILE = frozenset({"unreadable", "encoding", "yaml-syntax", "tab", "alias-bomb", "too-large", "too-long"})


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.code not in UNREAD_FILE, *p.sort_key()))


def unread_files(problems: list[Problem]) -> set[str]:
    return {p.path for p in problems if p.code in UNREAD_FILE}


# Warnings that a record repeats another: `add` and `import` refuse to write such a record unless told to.
DUPLICATE_CODES = frozenset({"duplicate-position", "duplicate-source"})
