"""Quotes against a source's text: whether a quote is there word for word, where, and the passage nearest to it
when it is not. Differences of whitespace (line breaks included) and of typographic quotes and apostrophes do
not count; every other character does."""

from __future__ import annotations

import re
from typing import NamedTuple

# Every mark that opens or closes a quotation, or stands for an apostrophe, compares as one: a curator writes a
# quote inside a quote in whichever marks (`"a fragile beginning"` for the text's ‘a fragile beginning’).
_TYPOGRAPHIC = str.maketrans(dict.fromkeys("'‘’‚‛′“”„‟″«»‹›", '"'))
_SPACES = re.compile(r"\s+")


NEAREST_WITHIN = 200_000  # characters: a longer text is not searched for the passage nearest a missed quote


class Found(NamedTuple):
    """Where a quote stands in a text: its start and end (character offsets in the text as written)."""

    start: int
    end: int


def comparable(text: str) -> tuple[str, list[int]]:
    """The text with typographic quotes made plain and every run of whitespace one space, and for each of its
    characters the offset of the character it comes from, so that a match maps back to the text as written."""
    plain = text.translate(_TYPOGRAPHIC)
    out: list[str] = []
    offsets: list[int] = []
    for match in re.finditer(r"\s+|\S+", plain):
        if match.group()[0].isspace():
            if out and out[-1] != " ":
                out.append(" ")
                offsets.append(match.start())
        else:
            out.extend(match.group())
            offsets.extend(range(match.start(), match.end()))
    if out and out[-1] == " ":
        out.pop()
        offsets.pop()
    return "".join(out), offsets


def plain(text: str) -> str:
    """The text as quotes are compared: typographic quotes made plain, each run of whitespace one space."""
    return _SPACES.sub(" ", text.translate(_TYPOGRAPHIC)).strip()


def quote_in(quote: str, plain_text: str) -> bool:
    """Whether the quote stands word for word in a text already made `plain` (the fast test check runs)."""
    wanted = plain(quote)
    return bool(wanted) and wanted in plain_text


def find_quote(quote: str, text: str) -> Found | None:
    """Where the quote stands in the text, or None when it is not there word for word."""
    wanted, _ = comparable(quote)
    haystack, offsets = comparable(text)
    at = haystack.find(wanted) if wanted else -1
    if at < 0:
        return None
    return Found(offsets[at], offsets[at + len(wanted) - 1] + 1)


def closest_passage(quote: str, text: str) -> str:
    """The passage of the text most like the quote (as long as it, on word boundaries), for a hint; nothing for a
    text longer than NEAREST_WITHIN, where the search would take long."""
    from difflib import SequenceMatcher

    wanted = plain(quote)
    if not wanted or len(text) > NEAREST_WITHIN:
        return ""
    haystack, offsets = comparable(text)
    if not haystack:
        return ""
    matcher = SequenceMatcher(None, haystack, wanted, autojunk=False)
    block = matcher.find_longest_match(0, len(haystack), 0, len(wanted))
    start = max(block.a - block.b, 0)
    end = min(start + len(wanted), len(haystack))
    start = haystack.rfind(" ", 0, start) + 1  # widen to whole words
    space = haystack.find(" ", end)
    end = space if space >= 0 else len(haystack)
    while end > start + 1 and haystack[end - 1] in _CLOSING and not wanted.endswith(haystack[end - 1]):
        end -= 1  # the sentence's full stop is no part of the passage the quote misses
    return _SPACES.sub(" ", text[offsets[start] : offsets[end - 1] + 1])  # as written, on one line


_CLOSING = ".,;:!?"


class Passage(NamedTuple):
    """A quote where it stands in a text, with up to a dozen words either side, each on one line."""

    before: str
    quote: str
    after: str


def passage_around(found: Found, text: str, words: int = 12) -> Passage:
    """The quote where it stands, with up to `words` words of text before and after it."""
    before, after = text[: found.start], text[found.end :]
    lead = _SPACES.split(before.strip())[-words:] if before.strip() else []
    tail = _SPACES.split(after.strip())[:words] if after.strip() else []
    shown_before = ("… " if len(lead) == words else "") + " ".join(lead)
    shown_before += " " if lead and before[-1:].isspace() else ""
    shown_after = (" " if tail and after[:1].isspace() else "") + " ".join(tail)
    shown_after += " …" if len(tail) == words else ""
    return Passage(shown_before, _SPACES.sub(" ", text[found.start : found.end]), shown_after)
