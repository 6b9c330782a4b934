"""The json export: the selected records in one document, by kind, with the record format's field names."""

from __future__ import annotations

from talkbase.records.text import json_text
from talkbase.show.exports import Document, Export
from talkbase.show.formats import record_dict

FORMAT_VERSION = 1  # raised only when a change would break a reader of the previous layout


def render(export: Export) -> Document:
    """`{"format_version": 1, "actors": [...], ...}`: dates as written, references as ids, every field present
    (null or [] when the record leaves it out)."""
    document: dict[str, object] = {"format_version": FORMAT_VERSION}
    for kind, records in export.records().items():
        document[kind] = [record_dict(r) for r in records]
    return Document(json_text(document, indent=2) + "\n")
