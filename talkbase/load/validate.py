"""Validation: every rule of the record format as a small check that returns problems, never raises or prints.

`validate(records)` runs the per-record field checks, then the checks that need the whole knowledge base
(duplicate ids, references, unused topics and sources). All problems are collected in one pass.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlsplit

from talkbase.load.nodes import REPORTED, RawRecord, YList, YMap
from talkbase.records.dates import (
    DATE_FORMAT_HINT,
    Chronology,
    DateError,
    PartialDate,
    last_written,
    looks_like_date,
    parse_date,
    span_of,
    timed,
)
from talkbase.records.hints import did_you_mean, fold, unusual_characters, with_article
from talkbase.records.problems import Problem, Severity
from talkbase.records.provenance import chain, origins
from talkbase.records.quotes import NEAREST_WITHIN, closest_passage, plain, quote_in
from talkbase.records.schema import (
    CHOICE,
    DATE,
    ENTRIES,
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
    extending,
    singular,
)


class Where(NamedTuple):
    """The place of one value, for problems about it."""

    path: str
    line: int
    col: int

    def problem(self, code: str, message: str, hint: str = "", warning: bool = False) -> Problem:
        severity = Severity.WARNING if warning else Severity.ERROR
        return Problem(self.path, self.line, self.col, code, message, hint, severity)


class Reference(NamedTuple):
    """An id one record names in a field, to be resolved once all ids are known. Its place is looked up
    only when it turns out to be wrong: `container[key]` is the value (a mapping and a field name, or a
    list and an index)."""

    field: Field
    target: str
    path: str
    container: YMap | YList
    key: str | int

    @property
    def where(self) -> Where:
        if isinstance(self.container, YList):
            return Where(self.path, *self.container.item_pos[self.key])
        return Where(self.path, *self.container.value_at(self.key))


# (file defining a source, its text_file) -> the text, or None, why not and a hint
TextFiles = Callable[[str, str], tuple["str | None", str, str]]


def validate(
    records: list[RawRecord],
    kinds: dict[str, Kind] = KINDS,
    all_read: bool = True,
    text_files: TextFiles | None = None,
) -> list[Problem]:
    """All problems in a knowledge base's records: fields, ids, references, and warnings. `kinds` is the record
    format with the vocabulary the knowledge base declares (talkbase.records.schema.with_vocabulary); without
    `all_read` (a file could not be read), nothing is called unused, since what uses it may be in that file.
    `text_files` reads a source's `text_file` (talkbase.load.texts.TextReader); without it, quotes are checked
    against inline texts only."""
    validation = Validation(kinds)
    validation.check(records)
    return validation.finish(records, all_read, text_files)


class Validation:
    """`validate` in two steps, so that a load can check each file's records as its parse arrives (while other
    files are still being parsed): `check` the records' own fields, a file at a time, then `finish` with all the
    records, for the checks that need the whole knowledge base."""

    def __init__(self, kinds: dict[str, Kind] = KINDS) -> None:
        self.kinds = kinds
        self.problems: list[Problem] = []
        # The ids named, each with the kinds its field accepts. The references themselves are not kept (at
        # 100,000 positions they were half a million, the largest part of a cold load's peak memory): where one
        # turns out not to resolve, the records are read again for its place.
        self.named: dict[tuple[str, tuple[str, ...]], None] = {}

    def check(self, records: list[RawRecord]) -> None:
        """Problems in these records' own fields."""
        references: list[Reference] = []
        named = self.named
        for record in records:
            self.problems.extend(check_record(record, references, self.kinds))
            for ref in references:
                named[ref.target, ref.field.refs] = None
            references.clear()

    def finish(
        self, records: list[RawRecord], all_read: bool = True, text_files: TextFiles | None = None
    ) -> list[Problem]:
        """Every problem: those `check` found in `records` (all of them, checked), then the whole knowledge
        base's (see `validate`)."""
        problems = self.problems
        ids, duplicate_problems = index_ids(records)
        problems.extend(duplicate_problems)
        wrong = {target for target, accepted in self.named if not _resolves_to(ids.get(target), accepted)}
        problems.extend(check_references(_references_to(wrong, records, self.kinds), ids))
        problems.extend(check_chronology(records, ids))
        if all_read:
            problems.extend(check_unused(records, {target for target, _ in self.named}))
        problems.extend(check_source_provenance(records))
        problems.extend(check_duplicates(records, ids))
        texts, text_problems = source_texts(records, text_files)
        problems.extend(text_problems)
        problems.extend(check_via(records, ids))
        problems.extend(check_quotes(records, ids, texts))
        problems.extend(check_single_origin(records, ids))
        return list(dict.fromkeys(problems))  # a value merged into several records (`<<: *x`) is reported once


def _references_to(targets: set[str], records: list[RawRecord], kinds: dict[str, Kind]) -> list[Reference]:
    """The references naming these ids, in the records' order (found by checking the records again: only a
    knowledge base with a wrong reference pays for it)."""
    if not targets:
        return []
    found: list[Reference] = []
    references: list[Reference] = []
    for record in records:
        check_record(record, references, kinds)
        found += [ref for ref in references if ref.target in targets]
        references.clear()
    return found


def describe(value: Any) -> str:
    """How a message names the type of a value the curator wrote."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return "text"


def record_where(record: RawRecord) -> Where:
    return Where(record.path, record.line, record.col)


def value_where(record_map: YMap, key: str, path: str) -> Where:
    return Where(path, *record_map.value_at(key))


def check_record(record: RawRecord, references: list[Reference], kinds: dict[str, Kind] = KINDS) -> list[Problem]:
    """Problems in one record's own fields; the references it makes are appended to `references`."""
    kind = kinds[record.kind]
    where = record_where(record)
    if record.data is REPORTED:
        return []
    if record.data is None or record.data == {}:
        return [
            where.problem(
                "empty-record",
                f"empty {kind.singular} record",
                "remove the `-` or fill it in",
            )
        ]
    if not isinstance(record.data, YMap):
        message = f"{with_article(kind.singular)} record must be a mapping of fields, not {describe(record.data)}"
        return [where.problem("not-a-record", message, "write `- id: ...` with fields below it")]
    label = _record_label(kind.singular, record.data)
    return list(check_fields(record.data, kind.fields, label, record.path, references))


def _record_label(singular_name: str, data: YMap) -> str:
    record_id = data.get("id")
    return f"{singular_name} `{record_id}`" if isinstance(record_id, str) else singular_name


def check_fields(
    data: YMap,
    fields: tuple[Field, ...],
    label: str,
    path: str,
    references: list[Reference],
) -> Iterator[Problem]:
    """Unknown, missing and ill-typed fields of one mapping (a record, or a role inside one).

    Most values are valid, so each is first given a quick look; only a value that fails it goes to its
    type's full check, which works out what exactly is wrong and where."""
    by_name = _fields_by_name(fields)
    for key in data:
        if key not in by_name:
            where = Where(path, *data.key_at(key))
            yield where.problem("unknown-field", f"unknown field `{key}`", did_you_mean(key, by_name))
    for spec in fields:
        name = spec.name
        if name not in data:
            if spec.required:
                where = Where(path, data.line, data.col)
                yield where.problem("missing-field", f"{label} is missing required field `{name}`")
            continue
        value = data[name]
        if value is REPORTED:
            continue
        if spec.type == REF and type(value) is str and value.strip():
            references.append(Reference(spec, value, path, data, name))
        elif spec.type == REFS and type(value) is YList and value and all(type(v) is str for v in value):
            references.extend(Reference(spec, v, path, value, i) for i, v in enumerate(value))
        elif not _looks_valid(spec, value):
            yield from CHECKERS[spec.type](spec, value, value_where(data, name, path), label, path, references)


_BY_NAME: dict[int, dict[str, Field]] = {}


def _fields_by_name(fields: tuple[Field, ...]) -> dict[str, Field]:
    # Keyed by identity: the field tuples live as long as the schema, and hashing them is slow.
    if id(fields) not in _BY_NAME:
        _BY_NAME[id(fields)] = {f.name: f for f in fields}
    return _BY_NAME[id(fields)]


def _looks_valid(spec: Field, value: Any) -> bool:
    """A quick look that says yes only for values certainly valid; everything else gets the full check."""
    if type(value) is not str:
        return False
    kind = spec.type
    if kind == TEXT:
        return bool(value.strip())
    if kind == DATE:
        return _date_or_none(value) is not None
    if kind == ID:
        return ID_RE.fullmatch(value) is not None
    return kind == CHOICE and value in spec.vocab


Checker = Callable[[Field, Any, Where, str, str, list[Reference]], Iterator[Problem]]


def _wrong_type(spec: Field, value: Any, where: Where, wanted: str, hint: str = "") -> Problem:
    if value is None:
        return where.problem(
            "empty-value",
            f"`{spec.name}` is empty",
            hint or f"give it {wanted} or remove it",
        )
    return where.problem("wrong-type", f"`{spec.name}` must be {wanted}, not {describe(value)}", hint)


def _text_hint(value: Any) -> str:
    return "put it in quotes" if isinstance(value, (bool, int, float)) else ""


def check_text(spec: Field, value: Any, where: Where, *_: Any) -> Iterator[Problem]:
    if not isinstance(value, str):
        yield _wrong_type(spec, value, where, "text", _text_hint(value))
    elif not value.strip():
        what = "a file's path" if spec.name == "text_file" else "text"
        yield where.problem("empty-value", f"`{spec.name}` is empty", f"give it {what} or remove it")


def check_id(spec: Field, value: Any, where: Where, *_: Any) -> Iterator[Problem]:
    if not isinstance(value, str):
        yield _wrong_type(spec, value, where, "a lowercase slug", _text_hint(value))
    elif not ID_RE.fullmatch(value):
        yield where.problem(
            "bad-id",
            f"bad id `{value}`: ids are lowercase slugs of a-z, 0-9, `.`, `_`, `-`",
            _slug_hint(value),
        )


def _slug_hint(value: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-._")
    return f"e.g. `{slug}`" if slug and ID_RE.fullmatch(slug) else "e.g. `zelensky` or `istanbul-round-3`"


def date_text(value: Any) -> str | None:
    """A date value as text: strings as written, and a bare year written without quotes."""
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None


def check_date(spec: Field, value: Any, where: Where, *_: Any) -> Iterator[Problem]:
    text = date_text(value)
    if text is None:
        yield _wrong_type(spec, value, where, "a date", DATE_FORMAT_HINT)
        return
    try:
        parse_date(text)
    except DateError as exc:
        unusual = unusual_characters(text) or ("it has spaces around it" if text.strip() != text else "")
        yield where.problem("bad-date", f"`{spec.name}`: {exc}", DATE_FORMAT_HINT + (f"; {unusual}" if unusual else ""))


def check_choice(spec: Field, value: Any, where: Where, *_: Any) -> Iterator[Problem]:
    if not isinstance(value, str):
        yield _wrong_type(spec, value, where, f"one of {', '.join(spec.vocab)}")
    elif value not in spec.vocab:
        hint = did_you_mean(value, spec.vocab) or f"use one of {', '.join(spec.vocab)}"
        setting = extending(spec)
        if setting and ID_RE.fullmatch(value) and not hint.startswith("did you mean"):
            hint += f", or declare it in talkbase.yaml: `{setting}: [{value}]`"
        yield where.problem(f"unknown-{spec.name}", f"unknown {spec.name} `{value}`", hint)


def check_ref(spec: Field, value: Any, where: Where, *_: Any) -> Iterator[Problem]:
    """A reference that is empty or not a string (strings are collected by check_fields and resolved later)."""
    if isinstance(value, str):
        yield where.problem("empty-value", f"`{spec.name}` is empty", "give it an id or remove it")
    else:
        yield _wrong_type(spec, value, where, "an id", _text_hint(value))


def check_refs(
    spec: Field, value: Any, where: Where, label: str, path: str, refs: list[Reference]
) -> Iterator[Problem]:
    if isinstance(value, str):
        yield where.problem("wrong-type", f"`{spec.name}` must be a list of ids", f"write `[{value}]`")
        return
    if not isinstance(value, YList):
        yield _wrong_type(spec, value, where, "a list of ids")
        return
    if spec.required and not value:
        yield where.problem("empty-value", f"`{spec.name}` needs at least one id", "write `[some-id]`")
        return
    for index, item in enumerate(value):
        if type(item) is str:
            refs.append(Reference(spec, item, path, value, index))
        elif item is not REPORTED:
            yield from check_ref(spec, item, Where(path, *value.item_pos[index]))


def check_order_items(
    spec: Field, value: Any, where: Where, label: str, path: str, refs: list[Reference]
) -> Iterator[Problem]:
    """`after`/`before`: a list whose items are dates or ids of events and positions."""
    if isinstance(value, (str, int)) and not isinstance(value, bool):
        yield where.problem("wrong-type", f"`{spec.name}` must be a list", f"write `[{value}]`")
        return
    if not isinstance(value, YList):
        yield _wrong_type(spec, value, where, "a list of ids or dates")
        return
    for index, item in enumerate(value):
        item_where = Where(path, *value.item_pos[index])
        text = date_text(item)
        if item is REPORTED:
            continue
        if item is None:
            yield item_where.problem(
                "empty-value", f"an empty item in `{spec.name}`", "remove it, or give an id or a date"
            )
        elif text is None:
            yield _wrong_type(spec, item, item_where, "an id or a date")
        elif isinstance(item, int) or looks_like_date(text) or (text[:4].isdigit() and not ID_RE.fullmatch(text)):
            yield from check_date(spec, text, item_where)  # `2025-07-21T10:00` is a date, wrongly written
        elif not ID_RE.fullmatch(unicodedata.normalize("NFKC", text).lower()):  # `P2`, `ｐ2`: ids, to hint `p2`
            message = f"`{spec.name}`: `{text}` is neither a date nor a record id"
            hint = unusual_characters(text) or f"{DATE_FORMAT_HINT}, or give an event's or a position's id"
            yield item_where.problem("bad-order", message, hint)
        else:
            refs.append(Reference(spec, item, path, value, index))


def check_texts(spec: Field, value: Any, where: Where, _label: str, path: str, *_: Any) -> Iterator[Problem]:
    if not isinstance(value, YList):
        hint = f"write `[{value}]`" if isinstance(value, str) else ""
        yield _wrong_type(spec, value, where, "a list of text", hint)
        return
    for item, pos in _items(value):
        if not isinstance(item, str) or not item.strip():
            yield _wrong_type(spec, item, Where(path, *pos), "text", _text_hint(item))


def _items(values: YList) -> Iterator[tuple[Any, tuple[int, int]]]:
    """A list's items with their positions, leaving out those the loader already reported."""
    return ((item, pos) for item, pos in zip(values, values.item_pos) if item is not REPORTED)


def check_url(spec: Field, value: Any, where: Where, *_: Any) -> Iterator[Problem]:
    if not isinstance(value, str):
        yield _wrong_type(spec, value, where, "an http(s) URL")
        return
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        yield where.problem(
            "bad-url",
            f"bad URL `{value}`",
            "write a full http(s) URL, e.g. https://example.org/page",
        )


def check_wikidata(spec: Field, value: Any, where: Where, *_: Any) -> Iterator[Problem]:
    if not isinstance(value, str) or not WIKIDATA_RE.fullmatch(value):
        yield where.problem(
            "bad-wikidata",
            f"bad Wikidata id `{value}`",
            "write Q followed by digits, e.g. Q212",
        )


def check_entries(
    spec: Field, value: Any, where: Where, label: str, path: str, refs: list[Reference]
) -> Iterator[Problem]:
    """A list of small mappings (roles, history entries), each checked against the field's subfields."""
    first = spec.subfields[0].name
    if not isinstance(value, YList):
        yield _wrong_type(spec, value, where, f"a list of {spec.name}", f"write `- {first}: ...` items")
        return
    for item, pos in _items(value):
        item_where = Where(path, *pos)
        if not isinstance(item, YMap) or not item:
            yield _wrong_type(spec, item, item_where, f"a mapping with `{first}`", f"write `- {first}: ...`")
            continue
        yield from check_fields(item, spec.subfields, f"{with_article(spec.item)} of {label}", path, refs)
        yield from check_order(item, "since", "until", path)


def check_order(data: YMap, first: str, last: str, path: str) -> Iterator[Problem]:
    """`last` (end, until) must not come before `first` (date, since) when both are valid dates."""
    start, stop = _valid_date(data.get(first)), _valid_date(data.get(last))
    if start and stop and span_of(stop).before(span_of(start)):
        where = value_where(data, last, path)
        yield where.problem("date-order", f"`{last}` {stop} is before `{first}` {start}")


def _valid_date(value: Any) -> PartialDate | None:
    text = date_text(value)
    return _date_or_none(text) if text is not None else None


@lru_cache(maxsize=8192)
def _date_or_none(text: str) -> PartialDate | None:
    try:
        return parse_date(text)
    except DateError:
        return None


CHECKERS: dict[str, Checker] = {
    TEXT: check_text,
    ID: check_id,
    DATE: check_date,
    CHOICE: check_choice,
    REF: check_ref,
    REFS: check_refs,
    TEXTS: check_texts,
    ORDER: check_order_items,
    URL: check_url,
    WIKIDATA: check_wikidata,
    ENTRIES: check_entries,
}


def index_ids(records: list[RawRecord]) -> tuple[dict[str, RawRecord], list[Problem]]:
    """Map every valid id to the record defining it; a second definition is a problem naming both places."""
    ids: dict[str, RawRecord] = {}
    problems: list[Problem] = []
    for record in records:
        data = record.data
        if type(data) is not YMap or type(data.get("id")) is not str:
            continue
        record_id = data["id"]
        if record_id in ids:
            first = ids[record_id]
            place = ":".join(map(str, (first.path, *first.data.value_at("id"))))
            message = f"duplicate id `{record_id}`: already used by the {singular(first.kind)} at {place}"
            hint = "ids are unique across the whole knowledge base"
            if first.path == record.path and first.data.value_at("id") == data.value_at("id"):
                # one record written once, listed again through a YAML alias (`- *name`)
                noun = singular(record.kind)
                message = f"{noun} `{record_id}` is written once but read twice: a YAML alias or merge repeats its id"
                hint = "list each record once, and give a record that merges another (`<<: *name`) an id of its own"
            problems.append(value_where(data, "id", record.path).problem("duplicate-id", message, hint))
        else:
            ids[record_id] = record
        if record.kind == "events" and ("end" in data or "history" in data):
            problems.extend(check_order(data, "date", "end", record.path))
            problems.extend(check_history_status(record))
    return ids, problems


def check_history_status(record: RawRecord) -> Iterator[Problem]:
    """An event's `status` is its current status, so it must agree with its latest history entry."""
    data = record.data
    history = data.get("history")
    if not isinstance(history, YList):
        return
    dated = [(d, e) for e in history if isinstance(e, YMap) and (d := _valid_date(e.get("date"))) is not None]
    if not dated:
        return
    latest_date, latest = last_written(dated, lambda pair: pair[0])  # type: ignore[misc]
    if not isinstance(latest.get("status"), str):
        return
    status = data.get("status", "held")
    if status != latest.get("status"):
        where = value_where(data, "status", record.path) if "status" in data else record_where(record)
        message = f"`status` is `{status}` but the latest history entry ({latest_date}) says `{latest.get('status')}`"
        yield where.problem("status-history", message, "update `status` or the history")


def _resolves(ref: Reference, ids: dict[str, RawRecord]) -> bool:
    return _resolves_to(ids.get(ref.target), ref.field.refs)


def _resolves_to(found: RawRecord | None, accepted: tuple[str, ...]) -> bool:
    return found is not None and found.kind in accepted


def check_references(references: list[Reference], ids: dict[str, RawRecord]) -> Iterator[Problem]:
    """Each reference must name an existing record of a kind its field accepts."""
    names: dict[str, list[tuple[str, str]]] | None = None  # made at the first reference not found
    for ref in references:
        found = ids.get(ref.target)
        if _resolves(ref, ids):
            continue
        wanted = " or ".join(singular(k) for k in ref.field.refs)
        if found is None:
            noun = wanted if len(ref.field.refs) == 1 else "record"
            names = names if names is not None else _names(ids)
            named = [i for i, kind in names.get(fold(ref.target), []) if kind in ref.field.refs]
            if len(named) == 1:
                hint = f"that names `{named[0]}`, but references are by id: write `{named[0]}`"
            else:
                candidates = [i for i, record in ids.items() if record.kind in ref.field.refs]
                hint = did_you_mean(ref.target, candidates) or unusual_characters(ref.target)
            yield ref.where.problem("unknown-ref", f"{noun} `{ref.target}` not found", hint)
        else:
            found_kind = with_article(singular(found.kind))
            message = f"`{ref.field.name}` refers to `{ref.target}`, which is {found_kind}, not {with_article(wanted)}"
            yield ref.where.problem("wrong-kind-ref", message)


def _names(ids: dict[str, RawRecord]) -> dict[str, list[tuple[str, str]]]:
    """Each folded name, title and alias of the records, with the (id, kind) of each record it names."""
    names: dict[str, list[tuple[str, str]]] = {}
    for record_id, record in ids.items():
        data = record.data
        aliases = data.get("aliases")
        written = [data.get("name"), data.get("title"), *(aliases if type(aliases) is YList else ())]
        for name in {fold(n) for n in written if isinstance(n, str)}:
            names.setdefault(name, []).append((record_id, record.kind))
    return names


def _dated(record: RawRecord) -> Any:
    """A valid event or position as the chronology reads it, or None when its dates are not valid."""
    data = record.data
    if record.kind not in ("events", "positions") or type(data) is not YMap or type(data.get("id")) is not str:
        return None
    date, end = _valid_date(data.get("date")), _valid_date(data.get("end"))
    if date is None or ("end" in data and end is None):
        return None
    order = {name: tuple(_order_items(data.get(name))) for name in ("after", "before")}
    return _Dated(data["id"], date, end, order["after"], order["before"], record)


def _order_items(value: Any) -> Iterator[str]:
    if isinstance(value, YList):
        yield from (text for item in value if (text := date_text(item)) is not None)


class _Dated(NamedTuple):
    id: str
    date: PartialDate
    end: PartialDate | None
    after: tuple[str, ...]
    before: tuple[str, ...]
    record: RawRecord


def check_chronology(records: list[RawRecord], ids: dict[str, RawRecord]) -> Iterator[Problem]:
    """Orders the curator gave (`after`, `before`) that loop or that the dates rule out, and pairs of positions
    of one actor on one topic whose stances differ while their order is unknown."""
    dated = {d.id: d for d in map(_dated, records) if d is not None and ids.get(d.id) is d.record}
    ordering = [d for d in dated.values() if d.after or d.before]
    named = {item for d in ordering for item in (*d.after, *d.before) if item in dated}
    nodes = {d.id: d for d in ordering} | {i: dated[i] for i in named}
    chronology = Chronology(timed(d) for d in nodes.values())
    yield from _order_problems(chronology, dated)
    if not chronology.cycles and not chronology.conflicts:
        yield from check_unknown_order(chronology, [d for d in dated.values() if d.record.kind == "positions"])


_LOOP_NAMED = 12  # records named in a loop's message at most


def _order_problems(chronology: Chronology, dated: dict[str, _Dated]) -> Iterator[Problem]:
    for loop in chronology.cycles:
        first = dated[loop[0]]
        field = "after" if first.after else "before"
        if len(loop) == 1:
            message = f"`{loop[0]}` is said to come after (or before) itself"
            where = value_where(first.record.data, field, first.record.path)
            yield where.problem("order-cycle", message, "remove it from its own `after`/`before`")
            continue
        names = [f"`{i}`" for i in [*loop, loop[0]]]
        if len(names) > _LOOP_NAMED:  # every record named would make one line of a thousand
            names = [*names[: _LOOP_NAMED - 3], f"… {len(loop) - _LOOP_NAMED + 2} more …", *names[-2:]]
        chain = " → ".join(names)
        message = f"a loop of `after`/`before`: {chain} (each before the next), so none of them can come first"
        hint = "remove the `after` or `before` that a source does not support"
        yield value_where(first.record.data, field, first.record.path).problem("order-cycle", message, hint)
    for conflict in chronology.conflicts:
        data = dated[conflict.record].record.data
        path = dated[conflict.record].record.path
        if conflict.index is None:  # only the combination is impossible: at the field
            where = value_where(data, conflict.field, path)
        else:
            where = Where(path, *data[conflict.field].item_pos[conflict.index])
        yield where.problem("order-conflict", conflict.message, "check the dates, or remove this `after`/`before`")


def check_unknown_order(chronology: Chronology, positions: list[_Dated]) -> Iterator[Problem]:
    """Warn where one actor's stances on one topic differ while the dates (and orders given) leave unknown which
    came first: `history` and `matrix` can then say nothing about the change."""
    groups: dict[tuple[Any, Any], list[_Dated]] = {}
    for d in positions:
        data = d.record.data
        if type(data.get("actor")) is str and type(data.get("topic")) is str and type(data.get("stance")) is str:
            groups.setdefault((data["actor"], data["topic"]), []).append(d)
    for (actor, topic), group in groups.items():
        if len(group) < 2:
            continue
        # Any two stances, not only two sides: `matrix` cannot show a latest stance where they may come in either order
        said = {id(d): d.record.data["stance"] for d in group}
        for i, mask in sorted(chronology.unordered_pairs(group, lambda d, said=said: said[id(d)]).items()):
            yield _unknown_order_warning(group[i], group, mask, said, actor, topic)


# A record is named with this many of its peers at most, then "and N more": every pair is reported, readably.
_PEERS_NAMED = 5


def _unknown_order_warning(
    mine: _Dated, group: list[_Dated], mask: int, said: dict[int, str], actor: str, topic: str
) -> Problem:
    others, rest = [], mask
    while rest and len(others) < _PEERS_NAMED:  # the first few of the peers (bits of `mask`) by name
        others.append(group[(rest & -rest).bit_length() - 1])
        rest &= rest - 1
    count = mask.bit_count()
    named = [f"`{d.id}` ({said[id(d)]}, {d.date})" for d in (mine, *others)]
    if count > _PEERS_NAMED:
        named.append(f"{count - _PEERS_NAMED} more")
    message = (
        f"positions {', '.join(named[:-1])} and {named[-1]} of `{actor}` on `{topic}` differ in "
        f"stance, but which came first is unknown, so {'neither' if count == 1 else 'none'} is certainly "
        "the latest"
    )
    other = others[0]
    hint = f"`after: [{other.id}]` or `before: [{other.id}]` where a source says which"
    if mine.date.precision != "day" or any(d.date.precision != "day" for d in others):
        hint = "give a more precise date, or " + hint
    where = value_where(mine.record.data, "date", mine.record.path)
    return where.problem("order-unknown", message, hint, warning=True)


def check_unused(records: list[RawRecord], used: set[str]) -> Iterator[Problem]:
    """Warn about topics and sources that no record refers to (none of the ids `used`): usually a typo or a
    forgotten record."""
    for record in records:
        if record.kind not in ("topics", "sources") or not isinstance(record.data, YMap):
            continue
        record_id = record.data.get("id")
        if isinstance(record_id, str) and record_id not in used:
            noun = singular(record.kind)
            field = "`topic` or `topics`" if noun == "topic" else "`sources`"
            message = f"{noun} `{record_id}` is not referred to by any record"
            yield record_where(record).problem(
                f"unused-{noun}",
                message,
                f"cite it in a record's {field}, or remove it",
                warning=True,
            )


def check_source_provenance(records: list[RawRecord]) -> Iterator[Problem]:
    """Warn about sources a reader could not find again: neither a URL nor a publisher."""
    for record in records:
        data = record.data
        if (
            record.kind == "sources"
            and isinstance(data, YMap)
            and data
            and "url" not in data
            and "publisher" not in data
        ):
            label = _record_label("source", data)
            yield record_where(record).problem(
                "no-provenance",
                f"{label} has neither `url` nor `publisher`",
                "add one so readers can find it",
                warning=True,
            )


def check_duplicates(records: list[RawRecord], ids: dict[str, RawRecord]) -> Iterator[Problem]:
    """Warn about a record that repeats an earlier one: a position with the same actor, topic, stance, date and
    claim (up to case, punctuation and spacing), a source with the same URL or the same title. Each warning is
    on the later record and names the place of the first. A record whose id another has is a duplicate id
    already (`ids` holds the first of each), and is not warned about again."""
    # Claims are compared (which costs most) only between positions that agree on everything else.
    keyed = [(record, _position_key(record)) for record in records if _own_id(record, ids)]
    alike = Counter(key for _, key in keyed if key is not None)
    seen: dict[tuple[Any, ...], RawRecord] = {}
    for record, key in keyed:
        if record.kind == "positions" and (key is None or alike[key] < 2):
            continue
        repeated: dict[int, tuple[RawRecord, list[str]]] = {}
        for same, what in _duplicate_keys(record.kind, record.data, key):
            first = seen.setdefault(same, record)
            if first is not record:
                repeated.setdefault(id(first), (first, []))[1].append(what)
        if repeated:
            first, whats = next(iter(repeated.values()))
            yield _duplicate_warning(record, first, " and ".join(whats))


def _own_id(record: RawRecord, ids: dict[str, RawRecord]) -> bool:
    """A record (a mapping) whose id, if it has one, is its own, not one an earlier record has."""
    if type(record.data) is not YMap:
        return False
    record_id = record.data.get("id")
    return type(record_id) is not str or ids.get(record_id, record) is record


def _position_key(record: RawRecord) -> tuple[str, ...] | None:
    """A position's actor, topic, stance and date as written, when all are there."""
    if record.kind != "positions":
        return None
    data = record.data
    actor, topic, stance, date = data.get("actor"), data.get("topic"), data.get("stance"), data.get("date")
    if type(actor) is not str or type(topic) is not str or type(stance) is not str:
        return None
    date = date if type(date) is str else date_text(date)
    return (actor, topic, stance, date) if date else None


def _duplicate_keys(kind: str, data: YMap, position: tuple[str, ...] | None) -> Iterator[tuple[tuple[Any, ...], str]]:
    """What makes a record the same as another of its kind, each with the words a warning says it in."""
    if kind == "positions":
        claim = data.get("claim")
        if position is not None and type(claim) is str and same_words(claim):
            yield (kind, *position, same_words(claim)), "actor, topic, stance, date and claim"
    elif kind == "sources":
        url, title = data.get("url"), data.get("title")
        if type(url) is str and url.strip():
            yield (kind, "url", same_url(url)), "URL"
        if type(title) is str and same_words(title):
            yield (kind, "title", same_words(title)), "title"
    elif kind == "topics" and type(data.get("name")) is str and same_words(data["name"]):
        yield (kind, same_words(data["name"])), "name"
    elif kind == "actors" and type(data.get("name")) is str and type(data.get("kind")) is str:
        if same_words(data["name"]):
            yield (kind, same_words(data["name"]), data["kind"]), "name and kind"
    elif kind == "events" and type(data.get("title")) is str and same_words(data["title"]):
        yield (kind, same_words(data["title"]), date_text(data.get("date"))), "title and date"


def _duplicate_warning(record: RawRecord, first: RawRecord, what: str) -> Problem:
    noun = singular(record.kind)
    place = f"{first.path}:{first.line}:{first.col}"
    repeated = _record_label(noun, first.data)
    message = f"{_record_label(noun, record.data)} repeats {repeated} at {place}: the same {what}"
    hint = {
        "position": "keep one; a position may cite several sources",
        "source": "keep one and cite it from both places, or tell them apart if they are different sources",
    }.get(noun, f"keep one and refer to it from both places, or tell them apart if they are different {noun}s")
    return record_where(record).problem(f"duplicate-{noun}", message, hint, warning=True)


_NOT_WORDS = re.compile(r"[\W_]+")


def same_words(text: str) -> str:
    """Text reduced to its words: what two texts share when they differ only in case, punctuation, spacing or
    compatibility forms (fullwidth letters, ligatures)."""
    return " ".join(_NOT_WORDS.sub(" ", unicodedata.normalize("NFKC", text).casefold()).split())


# A URL's parts as same_url compares them: (scheme)://(user@)(host)(:port)(path and query)(#fragment)
_URL_PARTS = re.compile(r"\s*(?:[A-Za-z][A-Za-z0-9+.-]*:)?(?://)?(?:[^@/?#]*@)?([^/?#:]*)(?::(\d*))?([^#]*)")


def same_url(url: str) -> str:
    """A URL as two spellings of one address share: the host in lowercase, without `www.`, the scheme, a
    default port, a fragment or a trailing slash (a regex, not urlsplit: this runs once per source)."""
    match = _URL_PARTS.match(url)
    assert match is not None  # every part may be empty
    host, port, rest = match.groups()
    port = f":{port}" if port and port not in ("80", "443") else ""
    path, _, query = rest.strip().partition("?")
    return f"{host.lower().removeprefix('www.')}{port}{path.rstrip('/')}{'?' + query if query else ''}"


# Sources: their chains (`via`), their texts, the quotes checked against them ------------------------------------


def _via_of(ids: dict[str, RawRecord]) -> Callable[[str], str | None]:
    """A source's `via`, when it names a source (unknown ids and wrong kinds are check_references' to report)."""

    def via_of(source_id: str) -> str | None:
        record = ids.get(source_id)
        if record is None or record.kind != "sources" or type(record.data) is not YMap:
            return None
        via = record.data.get("via")
        target = ids.get(via) if type(via) is str else None
        return via if target is not None and target.kind == "sources" else None

    return via_of


def check_via(records: list[RawRecord], ids: dict[str, RawRecord]) -> Iterator[Problem]:
    """A source known through itself, or through a chain that comes back to it: reported once per loop, at the
    `via` of its first source in file order. Each source is walked once, so a long chain costs no more than
    its length."""
    via_of = _via_of(ids)
    sources = [r for r in records if r.kind == "sources" and type(r.data) is YMap and type(r.data.get("id")) is str]
    order = {r.data["id"]: n for n, r in reversed(list(enumerate(sources)))}  # the first of a repeated id
    walked: set[str] = set()
    loops: list[list[str]] = []
    for record in sources:
        path: dict[str, int] = {}
        node: str | None = record.data["id"]
        while node is not None and node not in walked and node not in path:
            path[node] = len(path)
            node = via_of(node)
        if node is not None and node in path:
            loop = list(path)[path[node] :]
            first = loop.index(min(loop, key=lambda s: order.get(s, len(order))))
            loops.append(loop[first:] + loop[:first])
        walked.update(path)
    for loop in sorted(loops, key=lambda loop: order.get(loop[0], len(order))):
        where = value_where(ids[loop[0]].data, "via", ids[loop[0]].path)
        if len(loop) == 1:
            yield where.problem("via-cycle", f"source `{loop[0]}` is known through itself", "remove `via`")
        else:
            message = f"the sources' `via` go round in a loop: {' ← '.join([*loop, loop[0]])}"
            yield where.problem("via-cycle", message, "one of them is the original: remove its `via`")


def source_texts(records: list[RawRecord], text_files: TextFiles | None) -> tuple[dict[str, str], list[Problem]]:
    """Each source's text (inline or from its file), and the problems of reading them."""
    texts: dict[str, str] = {}
    problems: list[Problem] = []
    for record in records:
        data = record.data
        if record.kind != "sources" or type(data) is not YMap or type(data.get("id")) is not str:
            continue
        text, name = data.get("text"), data.get("text_file")
        if type(text) is str and type(name) is str:
            where = value_where(data, "text_file", record.path)
            message = "a source has its text in `text` or in `text_file`, not both"
            problems.append(where.problem("text-file", message, "keep one"))
        elif type(text) is str:
            texts[data["id"]] = text
        elif type(name) is str and name.strip() and text_files is not None:
            read, why, hint = text_files(record.path, name)
            if read is None:
                where = value_where(data, "text_file", record.path)
                problems.append(where.problem("text-file", f"`text_file`: {why}", hint))
            else:
                texts[data["id"]] = read
    return texts, problems


def check_quotes(records: list[RawRecord], ids: dict[str, RawRecord], texts: dict[str, str]) -> Iterator[Problem]:
    """A position's `quote` must stand word for word in the text of a source it cites, or of a source one of them
    is known through, when each source it cites has a text on its chain (one without could hold the quote, so
    nothing is said). An empty quote or text is reported as empty, not as a quote not found."""
    if not texts:
        return
    via_of = _via_of(ids)
    plain_texts: dict[str, str] = {}  # made once a source, when a quote first needs it
    for record in records:
        data = record.data
        if record.kind != "positions" or type(data) is not YMap or type(data.get("quote")) is not str:
            continue
        cited = data.get("sources")
        cited = [s for s in cited if type(s) is str] if type(cited) is YList else []
        chains = [[s for s in chain(source, via_of) if s in texts and texts[s].strip()] for source in cited]
        quote = data["quote"]
        if not quote.strip() or not all(chains):
            continue
        known = list(dict.fromkeys(s for found in chains for s in found))
        for source_id in known:
            if source_id not in plain_texts:
                plain_texts[source_id] = plain(texts[source_id])
        if not known or any(quote_in(quote, plain_texts[s]) for s in known):
            continue
        nearest = closest_passage(quote, texts[known[0]])
        names = ", ".join(f"`{s}`" for s in known)
        message = f"quote not found in the text of {names}"
        hint = f"the closest passage reads: {nearest}" if nearest else ""
        if len(texts[known[0]]) > NEAREST_WITHIN:
            hint = f"no closest passage is looked for in a text over {NEAREST_WITHIN:,} characters"
        yield value_where(data, "quote", record.path).problem("quote-not-found", message, hint)


def check_single_origin(records: list[RawRecord], ids: dict[str, RawRecord]) -> Iterator[Problem]:
    """Warn about a position citing several sources that are all known through one: it rests on a single text."""
    via_of = _via_of(ids)
    known_through = {i for i, r in ids.items() if r.kind == "sources" and via_of(i) is not None}
    for record in records:
        data = record.data
        cited = data.get("sources") if record.kind == "positions" and type(data) is YMap else None
        if type(cited) is not YList or len(cited) < 2:
            continue
        try:
            distinct = set(cited)
        except TypeError:  # a list inside the list: check_fields reports it
            continue
        if len(distinct) == len(cited) and known_through.isdisjoint(distinct):
            continue  # sources known through none: as many origins as sources
        if not all(type(s) is str and s in ids for s in cited):
            continue
        found = origins(cited, via_of)
        if len(found) == 1:
            label = _record_label("position", data)
            message = f"{label} cites {len(cited)} sources, but all come from one origin, `{found[0]}`"
            hint = "cite an independent source too, or only the origin"
            yield value_where(data, "sources", record.path).problem("single-origin", message, hint, warning=True)
