"""The record format as data: every kind's fields, their types, vocabularies and reference targets.

The validator, the "did you mean" hints and the docs all read these tables; nothing else restates them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import cache

ID_RE = re.compile(r"[a-z0-9][a-z0-9._-]*")
WIKIDATA_RE = re.compile(r"Q[1-9][0-9]*")

# Field types understood by the validator.
TEXT = "text"  # a non-empty string
ID = "id"  # a slug
DATE = "date"  # YYYY, YYYY-MM or YYYY-MM-DD
CHOICE = "choice"  # one word of `vocab`
REF = "ref"  # the id of a record of one of `refs`
REFS = "refs"  # a list of such ids
TEXTS = "texts"  # a list of strings
URL = "url"  # an http(s) URL
WIKIDATA = "wikidata"  # Q + digits
ENTRIES = "entries"  # a list of mappings, each with its own `subfields` (roles, event history)
ORDER = "order"  # a list of ids of records of `refs`, or dates: what a record certainly comes after / before


@dataclass(frozen=True, slots=True)
class Field:
    """One field of a kind of record: its name, type and rules."""

    name: str
    type: str
    required: bool = False
    vocab: tuple[str, ...] = ()
    refs: tuple[str, ...] = ()  # the kinds (plural keys) a reference may point to
    subfields: tuple[Field, ...] = ()
    item: str = ""  # for a list of mappings, how a message names one of them: "role"


@dataclass(frozen=True, slots=True)
class Kind:
    """A kind of record: its top-level key, how one is named, and its fields."""

    key: str  # the top-level key in a file: "actors"
    singular: str  # how a message names one record: "actor"
    fields: tuple[Field, ...]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


ACTOR_KINDS = ("person", "state", "organization", "delegation", "group")
SOURCE_KINDS = (
    "article",
    "speech",
    "statement",
    "briefing",
    "interview",
    "document",
    "social",
)
EVENT_STATUSES = ("held", "scheduled", "postponed", "cancelled")
STANCES = (
    "supports",
    "opposes",
    "proposes",
    "rejects",
    "conditional",
    "disputes",
    "undecided",
)

# Which stances are on one side: a turn between for and against is a reversal; conditional, undecided and disputes
# (which contests a claim rather than taking a side) are each a side of their own, so moving to or from one is a
# change, never a reversal; supports and proposes (or opposes and rejects) are the same side, no change at all.
STANCE_SIDES = {"supports": "for", "proposes": "for", "opposes": "against", "rejects": "against"}


def stance_side(stance: str) -> str:
    """`for`, `against`, or the stance itself for one that takes neither side."""
    return STANCE_SIDES.get(stance, stance)


def stance_change(before: str, after: str) -> str:
    """'' when both stances are on one side, 'reversal' for a turn between for and against, else 'changed'."""
    sides = {stance_side(before), stance_side(after)}
    if len(sides) == 1:
        return ""
    return "reversal" if sides == {"for", "against"} else "changed"


ORDER_REFS = ("events", "positions")


def order_fields() -> tuple[Field, Field]:
    return (Field("after", ORDER, refs=ORDER_REFS), Field("before", ORDER, refs=ORDER_REFS))


ROLE_FIELDS = (
    Field("title", TEXT, required=True),
    Field("since", DATE),
    Field("until", DATE),
)
# Extension: an event's status changes as reported (announced, moved, postponed, cancelled).
HISTORY_FIELDS = (
    Field("date", DATE, required=True),
    Field("status", CHOICE, required=True, vocab=EVENT_STATUSES),
    Field("sources", REFS, required=True, refs=("sources",)),
    Field("note", TEXT),
)

KINDS: dict[str, Kind] = {
    kind.key: kind
    for kind in (
        Kind(
            "actors",
            "actor",
            (
                Field("id", ID, required=True),
                Field("name", TEXT, required=True),
                Field("kind", CHOICE, required=True, vocab=ACTOR_KINDS),
                Field("aliases", TEXTS),
                Field("affiliation", REF, refs=("actors",)),
                Field("roles", ENTRIES, subfields=ROLE_FIELDS, item="role"),
                Field("description", TEXT),
                Field("wikidata", WIKIDATA),
                Field("sources", REFS, refs=("sources",)),  # extension: where the actor and its roles are named
            ),
        ),
        Kind(
            "sources",
            "source",
            (
                Field("id", ID, required=True),
                Field("title", TEXT, required=True),
                Field("publisher", TEXT),
                Field("url", URL),
                Field("date", DATE),
                Field("kind", CHOICE, vocab=SOURCE_KINDS),
                Field("via", REF, refs=("sources",)),  # the source this one is known through
                Field("retrieved", DATE),
                Field("archive", URL),
                Field("text", TEXT),
                Field("text_file", TEXT),  # a file holding the text, relative to the YAML file's folder
            ),
        ),
        Kind(
            "topics",
            "topic",
            (
                Field("id", ID, required=True),
                Field("name", TEXT, required=True),
                Field("description", TEXT),
                Field("sources", REFS, refs=("sources",)),  # extension: where the topic is discussed
            ),
        ),
        Kind(
            "events",
            "event",
            (
                Field("id", ID, required=True),
                Field("title", TEXT, required=True),
                Field("date", DATE, required=True),
                Field("end", DATE),
                Field("status", CHOICE, vocab=EVENT_STATUSES),
                Field("kind", TEXT),
                Field("location", TEXT),
                Field("participants", REFS, refs=("actors",)),
                Field("topics", REFS, refs=("topics",)),
                Field("summary", TEXT),
                Field("sources", REFS, required=True, refs=("sources",)),
                Field(
                    "history", ENTRIES, subfields=HISTORY_FIELDS, item="history entry"
                ),  # extension: status changes as reported
                *order_fields(),
            ),
        ),
        Kind(
            "positions",
            "position",
            (
                Field("id", ID, required=True),
                Field("actor", REF, required=True, refs=("actors",)),
                Field("topic", REF, required=True, refs=("topics",)),
                Field("stance", CHOICE, required=True, vocab=STANCES),
                Field("claim", TEXT, required=True),
                Field("quote", TEXT),
                Field("date", DATE, required=True),
                Field("event", REF, refs=("events",)),
                Field("contests", REFS, refs=("events", "positions")),
                Field("sources", REFS, required=True, refs=("sources",)),
                *order_fields(),
            ),
        ),
    )
}


# The vocabularies a knowledge base may extend in its settings file (talkbase.yaml): settings key -> (kind,
# field). Stances and statuses stay fixed: the analysis depends on what they mean.
EXTENSIBLE: dict[str, tuple[str, str]] = {"actor_kinds": ("actors", "kind"), "source_kinds": ("sources", "kind")}
Vocabulary = tuple[tuple[str, tuple[str, ...]], ...]  # settings key -> the extra words, as a hashable value


@cache
def with_vocabulary(extra: Vocabulary) -> dict[str, Kind]:
    """The kinds with the extra words a knowledge base declares added to their vocabularies (after the built-in
    ones), or KINDS itself when it declares none."""
    if not any(words for _, words in extra):
        return KINDS
    kinds = dict(KINDS)
    for key, words in extra:
        kind_key, name = EXTENSIBLE[key]
        kind = kinds[kind_key]
        fields = tuple(
            replace(f, vocab=f.vocab + tuple(w for w in words if w not in f.vocab)) if f.name == name else f
            for f in kind.fields
        )
        kinds[kind_key] = replace(kind, fields=fields)
    return kinds


# Kinds whose exports also say how many independent origins a record's sources come to (`origins`).
ORIGIN_COUNTED = ("events", "positions")


def extending(spec: Field) -> str | None:
    """The settings key that may add words to this field's vocabulary (its built-in words or more), if any."""
    for key, (kind_key, name) in EXTENSIBLE.items():
        built_in = KINDS[kind_key].field(name)
        if spec.name == name and built_in is not None and spec.vocab[: len(built_in.vocab)] == built_in.vocab:
            return key
    return None


def singular(kind_key: str) -> str:
    return KINDS[kind_key].singular


_WHOLE_DATES = {"after": "after 2025-07: from August", "before": "before 2025-07: by 30 June"}


# Fields whose type alone does not say what they take.
_FIELD_HELP = {
    "text": "the source's text, which every quote citing the source must stand in (or give text_file, not both)",
    "text_file": "a .txt or .md file in the data folder holding the source's text, relative to the YAML file "
    "(or give text, not both)",
    "retrieved": "the day you read it: YYYY, YYYY-MM or YYYY-MM-DD",
    "archive": "an http(s) URL of an archived copy",
    "via": "the source this one is known through (the report quoting a speech, the paper "
    "relaying a wire story): its claims then rest on that one",
    "quote": "the words as the source has them: checked word for word against the text of the sources cited, "
    "when each has one",
}


def named_help(spec: Field) -> str | None:
    """What a field takes, when its type alone does not say (`via`, `quote`, `text_file`)."""
    return _FIELD_HELP.get(spec.name)


def field_help(spec: Field) -> str:
    """What a field takes, for option help and prompts."""
    if spec.name in _FIELD_HELP:
        return _FIELD_HELP[spec.name]
    targets = " or ".join(KINDS[k].singular for k in spec.refs)
    described = {
        ID: "a new lowercase slug (made from the name, title, or actor-topic-date if not given)",
        DATE: "YYYY, YYYY-MM or YYYY-MM-DD",
        CHOICE: f"one of {', '.join(spec.vocab)}" + (", or a kind talkbase.yaml declares" * bool(extending(spec))),
        REF: f"the id or name of the {targets}",
        REFS: f"ids or names of {' or '.join(spec.refs)}, separated by commas",
        ORDER: f"what it certainly comes {spec.name}: ids of {' or '.join(spec.refs)} (possibly the same day), or "
        f"dates, each counted whole ({_WHOLE_DATES.get(spec.name, '')}), separated by commas",
        TEXTS: "text (several: separate them with ;)",
        URL: "an http(s) URL",
        WIKIDATA: "Q and digits, e.g. Q212",
        ENTRIES: "; ".join(f"{f.name}=…" for f in spec.subfields),
    }
    return described.get(spec.type, "free text")
