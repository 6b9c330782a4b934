"""A knowledge base's settings file, `talkbase.yaml` at the root of its data directory: the actor and source
kinds its curator adds to the built-in ones. Read like any data file, with every mistake a located problem."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from talkbase.load.kb import settings_path
from talkbase.load.loader import display_path, follow_symlinks, parse_document, path_problem, read_text
from talkbase.load.nodes import REPORTED, YList, YMap
from talkbase.records.hints import did_you_mean
from talkbase.records.problems import Problem
from talkbase.records.schema import EXTENSIBLE, ID_RE, KINDS, Vocabulary

_EXAMPLE = {"actor_kinds": "party", "source_kinds": "manifesto"}
_WORD = ID_RE  # a declared kind is written like an id: `party`, `armed-group`


def _document(root: Path) -> tuple[YMap | None, str, list[Problem]]:
    """The settings file read as a mapping (None without one, or when it cannot be read), as shown, and why not."""
    path = settings_path(root)
    if path is None:
        return None, "", []
    shown = display_path(path)
    refused = path_problem(path, shown, Path(os.path.realpath(root)), follow_symlinks())
    if refused:
        return None, shown, [refused]
    text, problems = read_text(path, shown)
    if text is None:
        return None, shown, problems
    document, problems = parse_document(text, shown)
    if problems or document is None:
        return None, shown, problems
    if not isinstance(document, YMap):
        hint = "write e.g. `actor_kinds: [party]`"
        return (
            None,
            shown,
            [Problem(shown, 1, 1, "not-a-mapping", "the settings file must be a mapping of settings", hint)],
        )
    return document, shown, []


def read_settings(root: Path) -> tuple[Vocabulary, list[Problem]]:
    """The extra vocabulary the settings file declares (none without one), and the problems in it (its saved
    queries' too)."""
    document, shown, problems = _document(root)
    if document is None:
        return (), problems
    extra: list[tuple[str, tuple[str, ...]]] = []
    for key, value in document.items():
        if key == QUERIES:
            problems.extend(_queries(value, document.value_at(key), shown)[1])
            continue
        if key not in EXTENSIBLE:
            known = [*EXTENSIBLE, QUERIES]
            hint = did_you_mean(key, known) or f"the settings are {', '.join(known)}"
            problems.append(Problem(shown, *document.key_at(key), "unknown-field", f"unknown setting `{key}`", hint))
            continue
        words, found = _words(key, value, document.value_at(key), shown)
        problems.extend(found)
        extra.append((key, words))
    return tuple(extra), problems


def read_queries(root: Path) -> dict[str, str]:
    """The saved queries (`queries:` in the settings file): name -> expression; those with a problem left out
    (check reports them)."""
    document, shown, _ = _document(root)
    if document is None or QUERIES not in document:
        return {}
    return _queries(document[QUERIES], document.value_at(QUERIES), shown)[0]


def _loop_from(start: str, names: dict[str, list[str]]) -> list[str] | None:
    """The saved queries from `start` back to it (`[a, b, a]`), when its names lead back to it."""
    pending, seen = [(start, [start])], {start}
    while pending:
        name, path = pending.pop()
        for step in names.get(name, ()):
            if step == start:
                return [*path, start]
            if step in names and step not in seen:
                seen.add(step)
                pending.append((step, [*path, step]))
    return None


QUERIES = "queries"
_QUERY_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]*")


def query_places(root: Path) -> dict[str, tuple[str, int, int]]:
    """Where each saved query is written: the settings file as shown, and the line and column of its query."""
    document, shown, _ = _document(root)
    value = document.get(QUERIES) if document is not None else None
    if not isinstance(value, YMap):
        return {}
    return {name: (shown, *value.value_at(name)) for name in value if isinstance(name, str)}


def _queries(value: Any, place: tuple[int, int], shown: str) -> tuple[dict[str, str], list[Problem]]:
    """`queries:` — a mapping of names to query expressions, each read to find its mistakes."""
    from talkbase.records.expr import ExprError, parse, saved_names

    if value is None:
        return {}, []
    if not isinstance(value, YMap):
        message = '`queries` must be a mapping of names to queries, e.g. `queries: {ceasefire: "topic:ceasefire"}`'
        return {}, [] if value is REPORTED else [Problem(shown, *place, "wrong-type", message)]
    found: dict[str, str] = {}
    uses: dict[str, list[str]] = {}  # the saved queries each one names
    problems: list[Problem] = []
    for name, expression in value.items():
        line, col = value.value_at(name)
        if not isinstance(name, str) or not _QUERY_NAME.fullmatch(name):
            message = f"`queries`: {name!r} is not a name of lowercase letters, digits, `.`, `_` and `-`"
            problems.append(Problem(shown, *value.key_at(name), "bad-id", message, "e.g. `russia-rejects`"))
            continue
        if not isinstance(expression, str):
            message = f"saved query `{name}` must be a query written as text"
            problems.append(Problem(shown, line, col, "wrong-type", message, 'e.g. "actor:russia stance:rejects"'))
            continue
        try:
            uses[name] = saved_names(parse(expression))
        except ExprError as exc:
            message = f"saved query `{name}`: {exc.message} at column {exc.column} of the query"
            problems.append(Problem(shown, line, col, "bad-query", message, exc.hint))
            continue
        found[name] = expression
    problems += _saved_references(value, uses, shown)
    return found, problems


def _saved_references(value: YMap, names: dict[str, list[str]], shown: str) -> list[Problem]:
    """A saved query naming one that is not saved, or saved queries naming each other in a loop."""
    problems: list[Problem] = []
    for name, used in names.items():
        line, col = value.value_at(name)
        for missing in sorted(set(used) - set(names)):
            message = f"saved query `{name}` uses `@{missing}`, which is not saved"
            problems.append(Problem(shown, line, col, "bad-query", message, "save it, or correct the name"))
    for name in names:  # one loop, reported at the first of its queries in the file, is enough to fix the rest
        loop = _loop_from(name, names)
        if loop:
            message = f"saved queries loop: {' → '.join(f'@{n}' for n in loop)}"
            problems.append(Problem(shown, *value.value_at(name), "bad-query", message))
            break
    return problems


def _words(key: str, value: Any, place: tuple[int, int], shown: str) -> tuple[tuple[str, ...], list[Problem]]:
    kind_key, field = EXTENSIBLE[key]
    if value is None:
        return (), []
    if not isinstance(value, YList):
        message = f"`{key}` must be a list of words, e.g. `{key}: [{_EXAMPLE[key]}]`"
        return (), [] if value is REPORTED else [Problem(shown, *place, "wrong-type", message)]
    words: list[str] = []
    problems: list[Problem] = []
    built_in = KINDS[kind_key].field(field).vocab  # type: ignore[union-attr]
    for word, at in zip(value, value.item_pos):
        if not isinstance(word, str) or not _WORD.fullmatch(word):
            message = f"`{key}`: {word!r} is not a word of lowercase letters, digits, `.`, `_` and `-`"
            problems.append(Problem(shown, *at, "bad-id", message, f"e.g. `{_EXAMPLE[key]}`"))
        elif word not in built_in and word not in words:
            words.append(word)
    return tuple(words), problems
