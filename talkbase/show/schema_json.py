"""The JSON Schema (draft 2020-12) of knowledge-base files, generated from the field specs in talkbase.records.schema.

Editors validate and complete YAML against it (the YAML language server's `$schema` comment). It checks what a
file can show on its own: fields, types, required fields, vocabularies and the shapes of ids, dates and URLs.
References between records, duplicate ids and impossible days (2025-02-30) need the whole knowledge base:
`talkbase check` finds those.
"""

from __future__ import annotations

from typing import Any

from talkbase.records.dates import DATE_LIKE
from talkbase.records.hints import with_article
from talkbase.records.schema import (
    CHOICE,
    DATE,
    ENTRIES,
    EXTENSIBLE,
    ID,
    ID_RE,
    KINDS,
    ORDER,
    REF,
    REFS,
    TEXT,
    TEXTS,
    URL,
    WIKIDATA,
    WIKIDATA_RE,
    Field,
    Kind,
    named_help,
)

DRAFT = "https://json-schema.org/draft/2020-12/schema"
# What names each schema. talkbase has no web address of its own to put the schemas under, so a URN: an identifier
# that no tool tries to fetch. The schema still differs by the kinds a knowledge base declares; the name does not.
SCHEMA_ID = "urn:talkbase:schema:knowledge-base-file"
SETTINGS_SCHEMA_ID = "urn:talkbase:schema:settings"
# A date as written; YAML reads an unquoted `2025` as a number, which is a valid year too. ASCII digits only:
# `\d` is ASCII in ECMA-262 regexes but any Unicode digit (٢٠٢٥) in Python's, which some validators use. No
# look-ahead either (years 0001-9999, not 0000, spelled out): RE2, Go's regexp and Rust's regex, which some
# validators use, have none. Every pattern here is one RE2 compiles (tests/test_schema_json.py).
YEAR = "(000[1-9]|00[1-9][0-9]|0[1-9][0-9]{2}|[1-9][0-9]{3})"
DATE_PATTERN = rf"^{YEAR}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$"
URL_PATTERN = r"^https?://[^\s/?#]+[^\s]*$"
_ID = {"type": "string", "pattern": f"^{ID_RE.pattern}$"}
_TEXT = {"type": "string", "pattern": r"\S"}  # not empty, not only spaces


def json_schema(kinds: dict[str, Kind] = KINDS) -> dict[str, Any]:
    """The schema of one YAML file of a knowledge base: any mix of kinds, each a list of records (`kinds`: with
    the vocabulary a knowledge base's settings declare)."""
    return {
        "$schema": DRAFT,
        "$id": SCHEMA_ID,
        "title": "talkbase knowledge base file",
        "description": "Records of a talkbase knowledge base, by kind. `talkbase check` also checks references "
        "between records and that ids are unique.",
        "type": ["object", "null"],  # an empty or comments-only file is fine
        "properties": {key: _kind_list(kind) for key, kind in kinds.items()},
        "patternProperties": {
            "^x-": {"description": "Not read: a place for values to share with YAML anchors and `<<` merge keys."}
        },
        "additionalProperties": False,
        "$defs": {kind.singular: _record(kind) for kind in kinds.values()},
    }


def settings_schema() -> dict[str, Any]:
    """The schema of a knowledge base's settings file, talkbase.yaml at the root of its data directory."""
    words = {"type": ["array", "null"], "items": _ID, "uniqueItems": True}
    kinds = {
        key: {
            "description": f"{KINDS[kind_key].singular.capitalize()} kinds to accept besides "
            f"{', '.join(KINDS[kind_key].field(name).vocab)}."  # type: ignore[union-attr]
            " Each is a lowercase word, e.g. `party`.",
            **words,
        }
        for key, (kind_key, name) in EXTENSIBLE.items()
    }
    queries = {
        "description": 'Named queries, each usable as @name in any query, e.g. `ceasefire: "topic:ceasefire"`.',
        "type": ["object", "null"],
        "propertyNames": _ID,
        "additionalProperties": {"type": "string", "description": "A query, as typed after a command."},
    }
    return {
        "$schema": DRAFT,
        "$id": SETTINGS_SCHEMA_ID,
        "title": "talkbase settings (talkbase.yaml)",
        "description": "Settings of one knowledge base: words it adds to the built-in vocabularies, saved queries.",
        "type": ["object", "null"],
        "properties": {**kinds, "queries": queries},
        "additionalProperties": False,
    }


def _kind_list(kind: Kind) -> dict[str, Any]:
    return {
        "description": f"A list of {kind.key}.",
        "type": ["array", "null"],  # `events:` with nothing under it yet
        "items": {"$ref": f"#/$defs/{kind.singular}"},
    }


def _record(kind: Kind) -> dict[str, Any]:
    return _mapping(kind.singular, kind.fields, title=kind.singular)


def _mapping(owner: str, fields: tuple[Field, ...], **extra: str) -> dict[str, Any]:
    """An object with exactly these fields (a typo is an error, as in `talkbase check`); `owner` names what holds
    them (`actor`, `role`), for their descriptions."""
    return {
        "type": "object",
        **extra,
        "properties": {f.name: _field(owner, f) for f in fields},
        "required": [f.name for f in fields if f.required],
        "additionalProperties": False,
    }


def _field(owner: str, spec: Field) -> dict[str, Any]:
    return {"description": _describe(owner, spec), **_TYPES[spec.type](spec)}


def _date(_spec: Field) -> dict[str, Any]:
    return {
        "anyOf": [{"type": "string", "pattern": DATE_PATTERN}, {"type": "integer", "minimum": 1000, "maximum": 9999}]
    }


def _refs(spec: Field) -> dict[str, Any]:
    return {"type": "array", "items": _ID, **({"minItems": 1} if spec.required else {})}


def _order(spec: Field) -> dict[str, Any]:
    # An item that looks like a date is a date (as `check` reads it), so only other slugs count as ids: said
    # with `not` rather than a regex look-ahead, which not every validator's regex engine has.
    an_id = {**_ID, "not": {"pattern": f"^{DATE_LIKE.pattern}$"}}
    return {"type": "array", "items": {"anyOf": [an_id, *_date(spec)["anyOf"]]}}


def _entries(spec: Field) -> dict[str, Any]:
    return {"type": "array", "items": _mapping(spec.item, spec.subfields)}


_TYPES = {
    TEXT: lambda _: _TEXT,
    ID: lambda _: _ID,
    DATE: _date,
    CHOICE: lambda spec: {"type": "string", "enum": list(spec.vocab)},
    REF: lambda _: _ID,
    REFS: _refs,
    TEXTS: lambda _: {"type": "array", "items": _TEXT},
    URL: lambda _: {"type": "string", "format": "uri", "pattern": URL_PATTERN},
    WIKIDATA: lambda _: {"type": "string", "pattern": f"^{WIKIDATA_RE.pattern}$"},
    ENTRIES: _entries,
    ORDER: _order,
}


# What the free-text fields hold, by (record or entry, field): their type says nothing more than "text". The
# other fields are described from their specs (_describe).
_TEXT_FIELDS = {
    ("actor", "name"): "The actor's name as usually written, e.g. Volodymyr Zelensky.",
    ("actor", "aliases"): "Other spellings and transliterations of the name; each matches wherever an actor is named.",
    ("actor", "description"): "A short description of the actor.",
    ("role", "title"): "The role, e.g. Head of delegation.",
    ("source", "title"): "The source's title, e.g. the headline of an article.",
    ("source", "publisher"): "Who published it, e.g. The Kyiv Independent.",
    ("topic", "name"): "The topic's name, e.g. Ceasefire.",
    ("topic", "description"): "A short description of the topic.",
    ("event", "title"): "What happened, in a few words, e.g. Third round of direct talks.",
    ("event", "kind"): "A free word for the kind of event: talks, summit, address, briefing, call, exchange, ...",
    ("event", "location"): "Where it took place.",
    ("event", "summary"): "What happened, in the curator's words.",
    ("history entry", "note"): "A note on the change, e.g. No new date was given.",
    ("position", "claim"): "The position, in the curator's words.",
}


def _describe(owner: str, spec: Field) -> str:
    """What an editor shows for a field, said from its spec (or for free text, from _TEXT_FIELDS)."""
    named = named_help(spec)
    if named:
        return named[0].upper() + named[1:] + "."
    if (owner, spec.name) in _TEXT_FIELDS:
        return _TEXT_FIELDS[owner, spec.name]
    targets = " or ".join(with_article(KINDS[k].singular) for k in spec.refs)
    return {
        ID: "A lowercase slug of a-z, 0-9, `.`, `_`, `-`, unique across the knowledge base.",
        DATE: "YYYY, YYYY-MM or YYYY-MM-DD: as precise as the source, e.g. 2025-07 or 2025-07-23.",
        CHOICE: f"One of {', '.join(spec.vocab)}.",
        REF: f"The id of {targets}.",
        REFS: f"Ids, each of {targets}{' (at least one)' * spec.required}.",
        ORDER: f"What this record certainly comes {spec.name}: ids, each of {targets}, or dates (YYYY, YYYY-MM or "
        "YYYY-MM-DD). A date counts whole: `before: [2025-07]` means by 30 June.",
        URL: "A full http(s) URL.",
        WIKIDATA: "A Wikidata item id: Q followed by digits, e.g. Q212.",
        ENTRIES: f"A list of {spec.item} mappings: " + ", ".join(_entry_field(f) for f in spec.subfields) + ".",
    }.get(spec.type, "")


def _entry_field(spec: Field) -> str:
    return f"{spec.name} (required)" if spec.required else spec.name
