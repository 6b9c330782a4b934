"""The json export: the selected records in one document, by kind, with the record format's field names."""

from __future__ import annotations

from talkbase.records.text import json_text
from talkbase.show.exports import Document, Export
from talkbase.show.formats import record_dict

FORMAT_VERSION = 1  # raised only when a change would break a reader of the previous layout


def render(export: Export) -> Document:
    """`{"format_version": 1, "actors": [...], ...}`: dates as written, references as ids, every field present
    (null or [] when the record leaves it out); events and positions also say their number of `origins`."""
    from talkbase.ask.query import origins_of
    from talkbase.records.schema import ORIGIN_COUNTED

    document: dict[str, object] = {"format_version": FORMAT_VERSION}
    for kind, records in export.records().items():
        if kind in ORIGIN_COUNTED:  # how many independent origins the sources come to (one `via` another: one)
            document[kind] = [{**record_dict(r), "origins": len(origins_of(export.kb, r.sources))} for r in records]
        else:
            document[kind] = [record_dict(r) for r in records]
    return Document(json_text(document, indent=2) + "\n")
