"""A knowledge base's settings file, `talkbase.yaml` at the root of its data directory: the actor and source
kinds its curator adds to the built-in ones. Read like any data file, with every mistake a located problem."""

from __future__ import annotations

import os
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


def read_settings(root: Path) -> tuple[Vocabulary, list[Problem]]:
    """The extra vocabulary the settings file declares (none without one), and the problems in it."""
    path = settings_path(root)
    if path is None:
        return (), []
    shown = display_path(path)
    refused = path_problem(path, shown, Path(os.path.realpath(root)), follow_symlinks())
    if refused:
        return (), [refused]
    text, problems = read_text(path, shown)
    if text is None:
        return (), problems
    document, problems = parse_document(text, shown)
    if problems or document is None:
        return (), problems
    if not isinstance(document, YMap):
        hint = "write e.g. `actor_kinds: [party]`"
        return (), [Problem(shown, 1, 1, "not-a-mapping", "the settings file must be a mapping of settings", hint)]
    extra: list[tuple[str, tuple[str, ...]]] = []
    for key, value in document.items():
        if key not in EXTENSIBLE:
            hint = did_you_mean(key, EXTENSIBLE) or f"the settings are {', '.join(EXTENSIBLE)}"
            problems.append(Problem(shown, *document.key_at(key), "unknown-field", f"unknown setting `{key}`", hint))
            continue
        words, found = _words(key, value, document.value_at(key), shown)
        problems.extend(found)
        extra.append((key, words))
    return tuple(extra), problems


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
