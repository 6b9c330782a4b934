"""The one filter: a query expression (talkbase.records.expr), or the options that stand for its terms, applied to a
knowledge base's records.

`bind` resolves each term's values against the knowledge base (names, aliases and unique prefixes to ids,
vocabulary prefixes to words, dates to spans) and `Filter.test(kind)` compiles the tree, once per kind of
record, into a function of one record. A term says something only of the kinds that have its field
(`stance:` of positions, `status:` of events): for any other kind it is false, so `stance:rejects` lists no
event and `not stance:rejects` every one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from talkbase.records.dates import Chronology, PartialDate, span_of
from talkbase.records.expr import And, ExprError, Field, Node, Not, Or, Regex, Saved, Text
from talkbase.records.hints import choose_word, close_matches, fold
from talkbase.records.model import Actor, Event, KnowledgeBase, Position, Source, Topic
from talkbase.records.schema import ACTOR_KINDS, EVENT_STATUSES, SOURCE_KINDS, STANCES

if TYPE_CHECKING:
    from talkbase.records.texts import Words

KIND_OF = {Event: "events", Position: "positions", Actor: "actors", Source: "sources", Topic: "topics"}
# The text a bare word, a "phrase" or a /regex/ is searched for in, per kind of record.
TEXT_FIELDS = {
    "positions": ("claim", "quote"),
    "events": ("title", "summary", "location"),
    "actors": ("name", "aliases", "description"),
    "sources": ("title", "publisher"),
    "topics": ("name", "description"),
}
# The record field each term tests, per kind; a kind without it is never matched by the term.
TERM_FIELDS: dict[str, dict[str, str]] = {
    "actor": {"positions": "actor", "events": "participants", "actors": "id"},
    "topic": {"positions": "topic", "events": "topics", "topics": "id"},
    "source": {"positions": "sources", "events": "sources", "sources": "id"},
    "event": {"positions": "event", "events": "id"},
    "stance": {"positions": "stance"},
    "status": {"events": "status"},
    "kind": {"events": "kind", "actors": "kind", "sources": "kind"},
    "affiliation": {"actors": "affiliation"},
    "location": {"events": "location"},
    "date": {"positions": "date", "events": "date", "sources": "date"},
    "id": {kind: "id" for kind in TEXT_FIELDS},
    "type": {kind: "" for kind in TEXT_FIELDS},  # the kind of record itself: no field is read
}
RECORD_TYPES = ("actor", "source", "topic", "event", "position")
MANY = {"participants", "topics", "sources", "aliases"}  # fields holding a list


class BindError(Exception):
    """A term whose value does not fit the knowledge base: where it was given (a column of the expression, or
    the option it came from) and why."""

    def __init__(self, message: str, term: Field | Text | Regex | Saved, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.term = term
        self.column = column


@dataclass(frozen=True)
class Matcher:
    """A term resolved against the knowledge base: which field of which kinds it tests, and how."""

    name: str  # the term's field, or "text"
    test: Callable[[Any], bool]  # of the field's value (text: of the record's searched text)
    wanted: frozenset[str] = frozenset()  # for actor: the ids (an index can serve the test)
    by_kind: dict[str, frozenset[str]] | None = None  # for kind: the words it stands for, per kind of record


Bound = Matcher | tuple  # ("not", Bound) | ("and", [Bound...]) | ("or", [Bound...])


@dataclass
class Filter:
    """What the user asked to narrow a listing to; `Filter()` keeps everything."""

    tree: Any = None  # Bound
    chron: Chronology | None = None  # with a date term: its spans narrowed by after/before
    _compiled: dict[str, Callable[[Any], bool]] = field(default_factory=dict)

    def test(self, kind: str) -> Callable[[Any], bool]:
        """A function telling whether a record of this kind (`positions`, `events`, ...) matches."""
        if kind not in self._compiled:
            self._compiled[kind] = _compile(self.tree, kind, self.chron) if self.tree is not None else _always
        return self._compiled[kind]

    def __call__(self, record: Any) -> bool:
        return self.test(KIND_OF[type(record)])(record)

    def fields(self, kind: str) -> set[str]:
        """The record fields the test reads for this kind (a view of a record needs only these)."""
        return _fields(self.tree, kind) if self.tree is not None else set()

    def narrowing(self, kind: str) -> tuple[str, Callable[[Any], bool]] | None:
        """A field of `kind` and a test of its value every match passes: from the first of the actor, source,
        topic and event terms every match needs (one of these ids, in the field or among its items). Asked of a
        stored column first, it leaves the rest of the test to a few records; None when no term is needed."""
        for term in ("actor", "source", "topic", "event") if self.tree is not None else ():
            name, wanted = TERM_FIELDS[term].get(kind), _required(self.tree, term)
            if name is not None and wanted is not None:
                return name, _Meets(wanted) if name in MANY else wanted.__contains__
        return None

    @property
    def empty(self) -> bool:
        return self.tree is None


class _Meets:
    """A test of a list field: whether one of its items is wanted. The parse cache finds the rows passing it by
    the field's items, without reading the field (`rows_by_items`): the positions citing one source of 1,000."""

    __slots__ = ("wanted",)

    def __init__(self, wanted: frozenset[str]) -> None:
        self.wanted = wanted

    def __call__(self, items: Iterable[str]) -> bool:
        return not self.wanted.isdisjoint(items)

    def rows_by_items(self, items: Words) -> list[int]:
        return items.rows_with_any(self.wanted)


def _always(_record: Any) -> bool:
    return True


def _never(_record: Any) -> bool:
    return False


def _compile(tree: Any, kind: str, chron: Chronology | None) -> Callable[[Any], bool]:
    if isinstance(tree, Matcher):
        return _compile_matcher(tree, kind, chron)
    op, inner = tree
    if op == "not":
        test = _compile(inner, kind, chron)
        return lambda r: not test(r)
    tests = [_compile(t, kind, chron) for t in inner]
    if op == "and":
        if _never in tests:
            return _never
        tests = [t for t in tests if t is not _always]
        if not tests:
            return _always
        if len(tests) == 1:
            return tests[0]
        return lambda r: all(t(r) for t in tests)
    if _always in tests:
        return _always
    tests = [t for t in tests if t is not _never]
    if not tests:
        return _never
    return tests[0] if len(tests) == 1 else lambda r: any(t(r) for t in tests)


def _compile_matcher(matcher: Matcher, kind: str, chron: Chronology | None) -> Callable[[Any], bool]:
    if matcher.name == "text":
        names = TEXT_FIELDS[kind]
        test = matcher.test

        def searched(record: Any) -> bool:
            for name in names:
                value = getattr(record, name)
                if value and any(test(v) for v in (value if name in MANY else (value,))):
                    return True
            return False

        return searched
    if matcher.name == "type":
        return _always if kind in matcher.wanted else _never
    name = TERM_FIELDS[matcher.name].get(kind)
    if name is None:
        return _never
    if matcher.by_kind is not None:  # `kind:s`: a state among actors, whatever it would be among sources
        words = matcher.by_kind.get(kind)
        return (lambda r: r.kind is not None and fold(r.kind) in words) if words else _never
    test = matcher.test
    if matcher.name == "date":
        if kind == "sources":
            return lambda r: r.date is not None and test(span_of(r.date))
        if chron is not None:
            return lambda r: test(chron.span(r))
        return lambda r: test(span_of(r.date, getattr(r, "end", None)))
    if name in MANY:
        return lambda r: any(test(v) for v in getattr(r, name))
    return lambda r: test(getattr(r, name))


def _fields(tree: Any, kind: str) -> set[str]:
    if isinstance(tree, Matcher):
        if tree.name == "text":
            return set(TEXT_FIELDS[kind])
        name = TERM_FIELDS[tree.name].get(kind)
        if not name:  # no field of this kind, or `type:`, which reads none
            return set()
        return ({"date", "id"} | ({"end"} if kind == "events" else set())) if tree.name == "date" else {name}
    op, inner = tree
    return _fields(inner, kind) if op == "not" else set().union(*(_fields(t, kind) for t in inner))


def _required(tree: Any, name: str) -> frozenset[str] | None:
    if isinstance(tree, Matcher):
        return tree.wanted if tree.name == name else None
    op, inner = tree
    if op == "and":
        found = [r for r in (_required(t, name) for t in inner) if r is not None]
        return frozenset.intersection(*found) if found else None
    if op == "or":
        each = [_required(t, name) for t in inner]
        return None if any(r is None for r in each) else frozenset().union(*each)  # type: ignore[arg-type]
    return None


# Binding: the expression's terms resolved against a knowledge base -------------------------------------------


@dataclass
class Binder:
    """Resolves a tree's terms; `saved` holds the knowledge base's saved queries (name -> expression), and
    `declared_kinds` gives the kinds its settings declare, by kind of record (asked only for a `kind:` term)."""

    kb: KnowledgeBase
    saved: dict[str, str] = field(default_factory=dict)
    declared_kinds: Callable[[], dict[str, list[str]]] = dict
    lists: tuple[str, ...] = ()  # the kinds of record the command lists: `kind:` is read among theirs
    expanding: tuple[str, ...] = ()
    has_date: bool = False

    def bind(self, node: Node) -> Any:
        if isinstance(node, Not):
            return ("not", self.bind(node.node))
        if isinstance(node, (And, Or)):
            return ("and" if isinstance(node, And) else "or", [self.bind(n) for n in node.nodes])
        if isinstance(node, Saved):
            return self.bind_saved(node)
        if isinstance(node, Text):
            return text_matcher(node.text)
        if isinstance(node, Regex):
            return regex_matcher(node)
        return self.bind_field(node)

    def bind_saved(self, node: Saved) -> Any:
        from talkbase.records.expr import parse

        if node.name not in self.saved:
            close = close_matches(node.name, self.saved)
            hint = f" (did you mean '@{close[0]}'?)" if close else ""
            listed = "" if hint else " (`talkbase query --list` lists them)" if self.saved else " (none is saved)"
            raise BindError(f"no saved query '@{node.name}'{hint or listed}", node, node.at)
        if node.name in self.expanding:
            loop = " → ".join(f"@{n}" for n in (*self.expanding[self.expanding.index(node.name) :], node.name))
            raise BindError(f"saved queries refer to each other in a loop: {loop}", node, node.at)
        try:
            tree = parse(self.saved[node.name])
        except ExprError as exc:
            raise BindError(f"saved query '@{node.name}': {exc}", node, node.at) from None
        if tree is None:
            return ("and", [])
        inner = Binder(self.kb, self.saved, self.declared_kinds, self.lists, (*self.expanding, node.name))
        try:
            bound = inner.bind(tree)
        except BindError as exc:
            said = (
                exc.message if exc.message.startswith("saved queries") else f"saved query '@{node.name}': {exc.message}"
            )
            raise BindError(said, node, node.at) from None
        self.has_date = self.has_date or inner.has_date
        return bound

    def bind_field(self, node: Field) -> Matcher:
        if node.name == "known":
            raise BindError("`known:` applies to the whole query: give it beside the other terms, not under "
                            "`not` or `or`", node, node.at)  # fmt: skip
        if node.name == "date":
            self.has_date = True
        if node.name == "kind":
            return self.bind_kind(node)
        if node.name == "type":
            return self.bind_type(node)
        wanted: set[str] = set()
        for value, at in zip(node.values, node.value_at or (node.at,) * len(node.values)):
            try:
                wanted |= resolve_value(self.kb, node.name, value)
            except ValueError as exc:
                raise BindError(str(exc), node, at) from None
        return term(node.name, wanted if node.name not in ("date", "location") else node.values)

    def bind_type(self, node: Field) -> Matcher:
        """`type:position,event`: records of these kinds (a plural, or a prefix only one has, does as well)."""
        wanted = set()
        for value, at in zip(node.values, node.value_at or (node.at,) * len(node.values)):
            typed = fold(value)
            singular = typed[:-1] if typed.endswith("s") and typed[:-1] in RECORD_TYPES else typed
            try:
                wanted.add(choose_word(singular, RECORD_TYPES, "type") + "s")
            except ValueError as exc:
                raise BindError(str(exc).replace(f"`{singular}`", f"`{value}`"), node, at) from None
        return Matcher("type", _never, frozenset(wanted))

    def bind_kind(self, node: Field) -> Matcher:
        """Each value read as a kind of each kind of record that has one (of events only for `timeline
        --kind`): `kind:s` is `state` among actors even though `speech` and `statement` are source kinds."""
        vocabularies = kind_vocabularies(self.kb, self.declared_kinds())
        listed = {kind: words for kind, words in vocabularies.items() if kind in self.lists}
        if node.scope:
            vocabularies = {node.scope: vocabularies.get(node.scope, [])}
        elif listed:  # `sources kind:s`: a kind of source, and `s` is three of them
            vocabularies = listed
        by_kind: dict[str, set[str]] = {}
        for value, at in zip(node.values, node.value_at or (node.at,) * len(node.values)):
            try:
                for kind, word in kind_of_each(value, vocabularies).items():
                    by_kind.setdefault(kind, set()).add(word)
            except ValueError as exc:
                raise BindError(str(exc), node, at) from None
        return Matcher("kind", _never, by_kind={k: frozenset(v) for k, v in by_kind.items()})


def term(name: str, values: Iterable[str]) -> Matcher:
    """A term of already resolved values: ids, vocabulary words, folded kinds, date ranges (FROM..TO) or the
    texts a location holds."""
    if name == "date":
        spans = [_date_range(v) for v in values]
        return Matcher("date", lambda span: any(span.overlaps(a, b) for a, b in spans))
    if name == "location":
        keys = [fold(v) for v in values]
        return Matcher("location", lambda text: bool(text) and any(k in fold(text) for k in keys))
    if name == "kind":
        kinds = frozenset(values)
        return Matcher("kind", lambda value: value is not None and fold(value) in kinds)
    ids = frozenset(values)
    return Matcher(name, ids.__contains__, ids)


def filter_of(**terms: Iterable[str]) -> Filter:
    """A filter of resolved terms, all required (`filter_of(actor=["peskov"], status=["held"])`)."""
    tree = ("and", [term(name, values) for name, values in terms.items()])
    return Filter(tree)


def text_matcher(text: str) -> Matcher:
    """A word or phrase, found as grep finds a fixed string: ignoring diacritics, and case unless it has a
    capital (smart case)."""
    from talkbase.ask.query import compile_pattern

    return Matcher("text", compile_pattern(text, fixed=True).found)


def regex_matcher(node: Regex) -> Matcher:
    from talkbase.ask.query import QueryError, compile_pattern

    try:
        pattern = compile_pattern(node.pattern)
    except QueryError as exc:
        raise BindError(str(exc), node, node.at) from None
    return Matcher("text", pattern.found)


def _date_range(value: str) -> tuple[PartialDate | None, PartialDate | None]:
    from talkbase.records.dates import parse_date

    first, sep, last = value.partition("..")
    if not sep:
        day = parse_date(value)
        return day, day
    return (parse_date(first) if first else None), (parse_date(last) if last else None)


def resolve_value(kb: KnowledgeBase, name: str, value: str) -> set[str]:
    """The ids (or words) a term's value stands for; ValueError saying why it stands for none."""
    from talkbase.ask.query import (
        QueryError,
        resolve_actor,
        resolve_event,
        resolve_id,
        resolve_sources,
        resolve_topic,
        resting_on_any,
    )

    try:
        if name in ("actor", "affiliation"):
            return {resolve_actor(kb, value)}
        if name == "topic":
            return {resolve_topic(kb, value)}
        if name == "source":  # and the sources known through those (`via`): what rests on them
            return resting_on_any(kb, resolve_sources(kb, value))
        if name == "event":
            return {resolve_event(kb, value)}
        if name == "id":
            return {resolve_id(kb, value)}
    except QueryError as exc:
        raise ValueError(str(exc)) from None
    if name == "stance":
        return {choose_word(value, STANCES, "stance")}
    if name == "status":
        return {choose_word(value, EVENT_STATUSES, "status")}
    if name == "date":
        check_date_range(value)
    return set()


def kind_vocabularies(kb: KnowledgeBase, declared: dict[str, list[str]]) -> dict[str, list[str]]:
    """The kinds a record of each kind may have here: actors' and sources' vocabularies, with the words the
    settings declare, and every kind the records use (events' kinds are free text)."""
    built_in = {"actors": ACTOR_KINDS, "sources": SOURCE_KINDS, "events": ()}
    return {
        kind: sorted({*built_in[kind], *declared.get(kind, ()), *(fold(r.kind) for r in getattr(kb, kind) if r.kind)})
        for kind in ("events", "actors", "sources")
    }


def kind_of_each(value: str, vocabularies: dict[str, list[str]]) -> dict[str, str]:
    """The word `value` picks out among each kind of record's kinds (the word itself, or a prefix only one word of
    that vocabulary has); a ValueError when it picks out none anywhere."""
    found: dict[str, str] = {}
    ambiguous: set[str] = set()
    for kind, words in vocabularies.items():
        try:
            found[kind] = choose_word(value, words, "kind")
        except ValueError:
            starting = [w for w in words if fold(value) and w.startswith(fold(value))]
            ambiguous.update(starting if len(starting) > 1 else ())
    if ambiguous:  # a prefix two kinds of one kind of record have: say so, rather than match neither
        raise ValueError(f"kind `{value}` is ambiguous: it could be {', '.join(sorted(ambiguous))}")
    if found:
        return found
    choose_word(value, sorted({w for words in vocabularies.values() for w in words}), "kind")  # unknown: it says so
    return found


def check_date_range(value: str) -> None:
    from talkbase.records.dates import DATE_FORMAT_HINT, DateError

    try:
        first, last = _date_range(value)
    except DateError as exc:
        raise ValueError(f"{exc}; {DATE_FORMAT_HINT}, or a range FROM..TO (either may be left out)") from None
    if first is not None and last is not None and span_of(last).before(span_of(first)):
        raise ValueError(f"`{value}`: {first} is after {last}, so nothing could match")


def known_at_of(tree: Node | None) -> tuple[Node | None, list[Field]]:
    """The tree without its top-level `known:` terms, and those terms (as `--known-at`, they choose what the
    knowledge base is read as, so they stand beside the rest of the query, never under `not` or `or`)."""
    if isinstance(tree, Field) and tree.name == "known":
        return None, [tree]
    if isinstance(tree, And):
        known = [n for n in tree.nodes if isinstance(n, Field) and n.name == "known"]
        rest = tuple(n for n in tree.nodes if not (isinstance(n, Field) and n.name == "known"))
        if not rest:
            return None, known
        return (rest[0] if len(rest) == 1 else And(rest)), known
    return tree, []


def bind(
    kb: KnowledgeBase,
    tree: Node | None,
    saved: dict[str, str] | None = None,
    declared_kinds: Callable[[], dict[str, list[str]]] = dict,
    lists: tuple[str, ...] = (),
) -> Filter:
    """The filter a tree stands for in this knowledge base (BindError for a value that fits nothing)."""
    if tree is None:
        return Filter()
    binder = Binder(kb, saved or {}, declared_kinds, lists)
    bound = binder.bind(tree)
    chron = None
    if binder.has_date:
        from talkbase.ask.query import chronology

        chron = chronology(kb)
    return Filter(bound, chron=chron)
