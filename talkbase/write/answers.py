"""Checking what a curator types for one field (at a prompt or as an option) before it becomes YAML.

The rules are the validator's own, so `add` accepts exactly what `check` accepts. On top of them: an id must
be new, references may be given by name or alias ("did you mean" when they match nothing), a vocabulary
word may be abbreviated, and lists may be written as `a, b`. Works from raw records, so it also helps on a
knowledge base that still has errors elsewhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from talkbase.ask.query import QueryError, fold, resolve_among
from talkbase.load.nodes import RawRecord, YMap
from talkbase.load.validate import CHECKERS, Where
from talkbase.records.dates import Chronology, looks_like_date, parse_date, span_of, timed
from talkbase.records.hints import did_you_mean, vocabulary_word, with_article
from talkbase.records.problems import Problem
from talkbase.records.schema import (
    CHOICE,
    DATE,
    ENTRIES,
    ID,
    ID_RE,
    ORDER,
    REF,
    REFS,
    TEXT,
    TEXTS,
    Field,
    singular,
)


class AnswerError(Exception):
    """An answer that does not fit its field; `hint` says what would."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


@dataclass
class Known:
    """The ids the knowledge base already holds, with their kinds, names and places."""

    kinds: dict[str, str] = field(default_factory=dict)  # id -> kind key
    places: dict[str, str] = field(default_factory=dict)  # id -> "path:line"
    names: dict[str, list[str]] = field(default_factory=dict)  # id -> folded id, name or title, aliases
    labels: dict[str, str] = field(default_factory=dict)  # id -> name or title as written

    @classmethod
    def from_records(cls, records: Iterable[RawRecord]) -> Known:
        known = cls()
        for record in records:
            data = record.data
            record_id = data.get("id") if isinstance(data, YMap) else None
            if not isinstance(record_id, str) or record_id in known.kinds:
                continue
            label = data.get("name") or data.get("title")
            label = label if isinstance(label, str) else record_id
            aliases = data.get("aliases")
            aliases = [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else []
            known.kinds[record_id] = record.kind
            known.places[record_id] = f"{record.path}:{record.line}"
            known.names[record_id] = [fold(n) for n in (record_id, label, *aliases)]
            known.labels[record_id] = label
        return known

    def ids_of(self, kind_keys: Iterable[str]) -> list[str]:
        wanted = set(kind_keys)
        return sorted(i for i, kind in self.kinds.items() if kind in wanted)

    def describe(self, record_id: str) -> str:
        return f"{singular(self.kinds[record_id])} `{record_id}` ({self.places[record_id]})"


def parse_answer(spec: Field, text: str, known: Known) -> Any:
    """The value one typed answer stands for, or an AnswerError saying what is wrong with it."""
    if spec.type == REFS:
        return parse_refs(spec, split_list(text), known)
    if spec.type == ORDER:
        return parse_order(spec, split_list(text), known)
    if spec.type == TEXTS:
        return [check_scalar(Field(spec.name, TEXT), item) for item in split_list(text, ";")]
    if spec.type == ENTRIES:
        return [parse_entry(spec, text, known)]
    return parse_scalar(spec, text.strip(), known)


def parse_scalar(spec: Field, text: str, known: Known) -> str:
    if spec.type == REF:
        return resolve_ref(spec, text, known)
    if spec.type == CHOICE:
        text = complete_word(spec, text)
    value = check_scalar(spec, text)
    if spec.type == ID and value in known.kinds:
        raise AnswerError(f"id `{value}` is already taken by the {known.describe(value)}", "choose another id")
    return value


def check_scalar(spec: Field, value: str) -> str:
    """Run the validator's own check for the field's type on the value."""
    problems: list[Problem] = list(CHECKERS[spec.type](spec, value, Where("", 0, 0), "", "", []))
    if problems:
        raise AnswerError(problems[0].message, problems[0].hint)
    return value


def complete_word(spec: Field, text: str) -> str:
    """A vocabulary word from itself in any case or from a prefix only it has: `sup` -> `supports`."""
    return vocabulary_word(text, spec.vocab) or text


def parse_refs(spec: Field, items: list[str], known: Known) -> list[str]:
    ids: list[str] = []
    for item in items:
        record_id = resolve_ref(spec, item, known)
        if record_id not in ids:
            ids.append(record_id)
    if spec.required and not ids:
        raise AnswerError(f"`{spec.name}` needs at least one id")
    return ids


def parse_order(spec: Field, items: list[str], known: Known) -> list[str]:
    """`after`/`before`: dates as written, and events or positions by id or name."""
    found: list[str] = []
    for item in items:
        value = check_scalar(Field(spec.name, DATE), item) if looks_like_date(item) else resolve_ref(spec, item, known)
        if value not in found:
            found.append(value)
    return found


def resolve_ref(spec: Field, text: str, known: Known) -> str:
    """The id a reference names: the id itself, or a unique name, alias or part of one."""
    wanted = text.strip()
    targets = " or ".join(singular(k) for k in spec.refs)
    if not wanted:
        raise AnswerError(f"`{spec.name}` needs the id of {with_article(targets)}")
    if known.kinds.get(wanted) in spec.refs:
        return wanted
    if wanted in known.kinds:
        raise AnswerError(f"`{wanted}` is the {known.describe(wanted)}, not {with_article(targets)}")
    candidates = {i: known.names[i] for i in known.ids_of(spec.refs)}
    try:
        return resolve_among(targets, wanted, candidates, known.labels)
    except QueryError as exc:
        hint = "" if "did you mean" in str(exc) or "ambiguous" in str(exc) else _some_ids(list(candidates))
        raise AnswerError(str(exc), hint) from None


def _some_ids(ids: list[str]) -> str:
    if not ids:
        return "the knowledge base has none yet: add one first"
    shown = ", ".join(ids[:8])
    return f"e.g. {shown}" + (", …" if len(ids) > 8 else "")


def split_list(text: str, separator: str = ",") -> list[str]:
    """`a, b` into items (names may hold spaces: `Vladimir Putin, Ukraine`); empty items are dropped."""
    return [item.strip() for item in text.split(separator) if item.strip()]


_ENTRY_KEY = re.compile(r"(?:^|;)\s*([A-Za-z_][\w-]*)\s*=")


def parse_entry(spec: Field, text: str, known: Known) -> dict[str, Any]:
    """One role or history entry written as `title=Head of delegation; since=2025-05`.

    A first part without `name=` is the first subfield (`title`, `date`); a `;` only separates parts when
    a word and `=` follow it, so a note may hold semicolons. A word that is no subfield is an error."""
    names = [f.name for f in spec.subfields]
    marks = list(_ENTRY_KEY.finditer(text))
    for mark in marks:
        if mark.group(1) not in names:
            hint = did_you_mean(mark.group(1).lower(), names) or f"the fields are {', '.join(names)}"
            raise AnswerError(f"unknown {spec.item} field `{mark.group(1)}`", hint)
    parts: dict[str, str] = {}
    lead = text[: marks[0].start()] if marks else text
    if lead.strip():
        parts[names[0]] = lead.strip()
    for mark, following in zip(marks, [*marks[1:], None]):
        end = following.start() if following else len(text)
        parts[mark.group(1)] = text[mark.end() : end].strip()
    entry: dict[str, Any] = {}
    for sub in spec.subfields:
        if sub.name in parts:
            entry[sub.name] = parse_answer(sub, parts[sub.name], known)
        elif sub.required:
            example = "; ".join(f"{f.name}=…" for f in spec.subfields if f.required)
            raise AnswerError(f"{with_article(spec.item)} needs `{sub.name}`", f"write `{example}`")
    check_order(entry, "since", "until")
    return entry


def check_in_record(kind_key: str, values: dict[str, Any]) -> None:
    """Rules between fields of one record that can be checked as soon as both are given."""
    if kind_key == "events":
        check_order(values, "date", "end")
    if kind_key in ("events", "positions") and isinstance(values.get("date"), str):
        check_order_dates(values)


def check_order_dates(values: dict[str, Any]) -> None:
    """`after`/`before` dates the record's own date rules out (`check` also weighs the records they name)."""
    end = values.get("end")
    record = SimpleNamespace(
        id=values.get("id") or "",
        date=parse_date(values["date"]),
        end=parse_date(end) if isinstance(end, str) else None,
        after=tuple(values.get("after") or ()),
        before=tuple(values.get("before") or ()),
    )
    conflicts = Chronology([timed(record)]).conflicts
    if conflicts:
        raise AnswerError(conflicts[0].message)


def check_order(values: dict[str, Any], first: str, last: str) -> None:
    """`last` (end, until) must not come before `first` (date, since), as `check` requires."""
    start, stop = values.get(first), values.get(last)
    if (
        isinstance(start, str)
        and isinstance(stop, str)
        and span_of(parse_date(stop)).before(span_of(parse_date(start)))
    ):
        raise AnswerError(f"`{last}` {stop} is before `{first}` {start}")


def suggest_id(kind_key: str, values: dict[str, Any], known: Known) -> str | None:
    """A free id made from the record's name or title, or for a position from actor, topic and date."""
    if kind_key == "positions":
        parts = [values.get("actor"), values.get("topic"), values.get("date")]
        words = [p if ID_RE.fullmatch(p) else slug(p) for p in parts if isinstance(p, str)]  # a name is slugged
        base = "-".join(w for w in words if w)
    else:
        label = values.get("name") or values.get("title")
        base = slug(label)[:48].rstrip("-._") if isinstance(label, str) else ""
    if not base or not ID_RE.fullmatch(base):
        return None
    candidate, n = base, 2
    while candidate in known.kinds:
        candidate, n = f"{base}-{n}", n + 1
    return candidate


def slug(text: str) -> str:
    """`Peace talks in Istanbul` -> `peace-talks-in-istanbul` (letters outside a-z are dropped after folding)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")
