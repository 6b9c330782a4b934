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


# Every problem's `code`, stable across versions (editors and CI match on it), with what it means. A code is
# never renamed or reused for another class of problem; new classes get new codes. README lists them all.
CODES: dict[str, str] = {
    # the file cannot be read at all
    "unreadable": "the file cannot be opened or read",
    "encoding": "the file is not UTF-8 text",
    "too-large": "the file, or the knowledge base, is larger than talkbase reads",
    "too-long": "a line is longer than talkbase reads",
    "yaml-syntax": "the YAML does not parse (the message says what to fix where it can)",
    "tab": "a tab in the indentation",
    "line-break": "a character YAML reads as a line break but editors do not",
    "alias-bomb": "YAML aliases that expand the file far beyond its size",
    # the YAML parses, but is not the shape of records
    "missing-dash": "a record written without its `- `, read as more of the record above",
    "duplicate-key": "a key written twice in one mapping",
    "bad-key": "a key that is not a word, or a YAML merge key that cannot be applied",
    "unsafe-tag": "a YAML tag that would build a Python object",
    "unknown-tag": "a YAML tag talkbase does not take",
    "too-deep": "values nested deeper than any record needs",
    "not-a-mapping": "the file's top level is not a mapping of kinds",
    "not-a-list": "a kind that does not hold a list of records",
    "unknown-kind": "a top-level key that is no kind of record, or an actor's or source's kind not in the vocabulary",
    "empty-record": "a `-` with no record after it",
    "not-a-record": "a list item that is not a mapping of fields",
    # one record's fields
    "unknown-field": "a field the record format does not have (with a did-you-mean)",
    "missing-field": "a required field is missing",
    "empty-value": "a field with no value",
    "wrong-type": "a field holding the wrong type of value (a list for text, a number for a date...)",
    "bad-id": "an id that is not a lowercase slug",
    "bad-date": "a date that is not YYYY, YYYY-MM or YYYY-MM-DD, or no such day",
    "bad-url": "a URL that is not http(s)",
    "bad-wikidata": "a Wikidata id that is not Q and digits",
    "bad-order": "an `after`/`before` item that is neither a date nor an id",
    "unknown-stance": "a stance not in the fixed list",
    "unknown-status": "an event status not in the list",
    "date-order": "an end (or until) before its start",
    "status-history": "an event's status that disagrees with its latest history entry",
    # the knowledge base as a whole
    "duplicate-id": "an id used by two records",
    "unknown-ref": "a reference to an id no record has",
    "wrong-kind-ref": "a reference to a record of the wrong kind",
    "order-cycle": "`after`/`before` that loop back to where they start",
    "order-conflict": "`after`/`before` that the dates rule out, or that leave a record no day",
    "via-cycle": "sources whose `via` go round in a loop",
    "text-file": "a source's `text_file` that cannot be read (or lies outside the data folder), or text given twice",
    "quote-not-found": "a `quote` that is not word for word in the text of the sources it cites",
    "bad-query": "a saved query (talkbase.yaml `queries:`) that does not read as a query",
    # files being imported (talkbase import)
    "json-syntax": "an import file that is not valid JSON",
    "csv-syntax": "a CSV row that cannot be read, or has more cells than the header",
    "csv-formula": "a CSV cell that a spreadsheet would run as a formula",
    "unknown-table": "a CSV file that is no table `talkbase export csv` writes",
    "unknown-reference": "a CSV link row naming a record or entry the import does not have",
    # warnings (errors with --strict)
    "order-unknown": "warning: two positions of one actor on one topic differ in stance, and which came first is "
    "unknown",
    "duplicate-position": "warning: a position with the same actor, topic, stance, date and claim as another",
    "duplicate-source": "warning: a source with the same URL or title as another",
    "duplicate-topic": "warning: a topic with the same name as another",
    "duplicate-actor": "warning: an actor with the same name and kind as another",
    "duplicate-event": "warning: an event with the same title and date as another",
    "unused-topic": "warning: a topic no record refers to",
    "unused-source": "warning: a source no record cites",
    "no-provenance": "warning: a source with neither a URL nor a publisher",
    "single-origin": "warning: a position citing several sources that are all known through one",
}

# Problems that stop a whole file from being read. They are listed first: the records in such a file are
# missing, so references to them elsewhere fail too, and those errors follow from these.
UNREAD_FILE = frozenset({"unreadable", "encoding", "yaml-syntax", "tab", "alias-bomb", "too-large", "too-long"})


def sorted_problems(problems: list[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.code not in UNREAD_FILE, *p.sort_key()))


def unread_files(problems: list[Problem]) -> set[str]:
    return {p.path for p in problems if p.code in UNREAD_FILE}


# Warnings that a record repeats another: `add` and `import` refuse to write such a record unless told to.
DUPLICATE_CODES = frozenset(
    {"duplicate-position", "duplicate-source", "duplicate-topic", "duplicate-actor", "duplicate-event"}
)
