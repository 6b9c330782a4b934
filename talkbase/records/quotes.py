"""Quotes against a source's text: whether a quote is there word for word, where, and the passage nearest to it
when it is not. Differences of whitespace (line breaks included) and of typographic quotes and apostrophes do
not count; every other character does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import NamedTuple

# Every mark that opens or closes a quotation, or stands for an apostrophe, compares as one: a curator writes a
# quote inside a quote in whichever marks (`"a fragile beginning"` for the text's ‘a fragile beginning’).
_TYPOGRAPHIC = str.maketrans(dict.fromkeys("'‘’‚‛′“”„‟″«»‹›", '"'))
# Characters that show as nothing: a soft hyphen (a PDF's or a web page's hyphenation point), zero-width
# spaces and joiners, a word joiner, a byte-order mark. They are not compared.
_INVISIBLE = "\u00ad\u200b\u200c\u200d\u2060\ufeff"
_DROPPED = str.maketrans(dict.fromkeys(_INVISIBLE))
_SPACES = re.compile(r"\s+")


NEAREST_WITHIN = 200_000  # characters: a longer text is not searched for the passage nearest a missed quote
# How much comparing the nearest-passage search may do (text length × quote length, in characters): within it,
# difflib finds the longest common run in a fraction of a second; beyond it, only whole words are looked for.
NEAREST_BUDGET = 4_000_000


class Found(NamedTuple):
    """Where a quote stands in a text: its start and end (character offsets in the text as written)."""

    start: int
    end: int


def _normal(text: str) -> str:
    """Composed (NFC, so that a decomposed `ğ` is the typed one), invisible characters dropped."""
    import unicodedata

    return unicodedata.normalize("NFC", text).translate(_DROPPED)


def comparable(text: str) -> tuple[str, list[int], list[int]]:
    """The text as `plain` makes it, and for each of its characters where the characters it comes from start
    and end in the text as written, so that a match maps back to the text as written."""
    import unicodedata

    out: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    i, size = 0, len(text)
    while i < size:
        j = i + 1
        while j < size and unicodedata.combining(text[j]):  # a letter and its marks compose as one
            j += 1
        if text[i].isspace():
            if out and out[-1] != " ":
                out.append(" ")
                starts.append(i)
                ends.append(j)
        else:
            for c in _normal(text[i:j]).translate(_TYPOGRAPHIC):
                out.append(c)
                starts.append(i)
                ends.append(j)
        i = j
    if out and out[-1] == " ":
        del out[-1], starts[-1], ends[-1]
    return "".join(out), starts, ends


def plain(text: str) -> str:
    """The text as quotes are compared: composed, invisible characters dropped, typographic quotes made
    plain, each run of whitespace one space."""
    return _SPACES.sub(" ", _normal(text).translate(_TYPOGRAPHIC)).strip()


def quote_in(quote: str, plain_text: str) -> bool:
    """Whether the quote stands word for word in a text already made `plain` (the fast test check runs)."""
    wanted = plain(quote)
    return bool(wanted) and wanted in plain_text


def find_quote(quote: str, text: str) -> Found | None:
    """Where the quote stands in the text, or None when it is not there word for word."""
    wanted = plain(quote)
    haystack, starts, ends = comparable(text)
    at = haystack.find(wanted) if wanted else -1
    if at < 0:
        return None
    return Found(starts[at], ends[at + len(wanted) - 1])


def closest_passage(quote: str, text: str) -> str:
    """The passage of the text most like the quote (as long as it, on word boundaries), for a hint; nothing for a
    text longer than NEAREST_WITHIN. Within NEAREST_BUDGET the longest run the two share anchors it; beyond,
    the longest run of the quote's first or last words found in the text does, so that no hint takes long."""
    wanted = plain(quote)
    if not wanted or len(text) > NEAREST_WITHIN:
        return ""
    haystack, starts, ends = comparable(text)
    if not haystack:
        return ""
    start = _anchor(haystack, wanted)
    if start is None:
        return ""
    end = min(start + len(wanted), len(haystack))
    start = haystack.rfind(" ", 0, start) + 1  # widen to whole words
    space = haystack.find(" ", end)
    end = space if space >= 0 else len(haystack)
    while end > start + 1 and haystack[end - 1] in _CLOSING and not wanted.endswith(haystack[end - 1]):
        end -= 1  # the sentence's full stop is no part of the passage the quote misses
    return _SPACES.sub(" ", text[starts[start] : ends[end - 1]])  # as written, on one line


def _anchor(haystack: str, wanted: str) -> int | None:
    """Where in the text the passage nearest the quote starts."""
    if len(haystack) * len(wanted) <= NEAREST_BUDGET:
        from difflib import SequenceMatcher

        matcher = SequenceMatcher(None, haystack, wanted, autojunk=False)
        block = matcher.find_longest_match(0, len(haystack), 0, len(wanted))
        return max(block.a - block.b, 0)
    words = wanted.split(" ")
    head = _longest_found(haystack, lambda n: " ".join(words[:n]), len(words))
    tail = _longest_found(haystack, lambda n: " ".join(words[-n:]), len(words))
    if head is None and tail is None:
        return None
    if tail is None or (head is not None and len(head[1]) >= len(tail[1])):
        return head[0]  # type: ignore[index]
    return max(tail[0] - (len(wanted) - len(tail[1])), 0)


def _longest_found(haystack: str, run: Callable[[int], str], most: int) -> tuple[int, str] | None:
    """The longest `run(n)` (n words of the quote, n up to `most`) found in the text, and where: a binary
    search, since a run is there only if the shorter ones are."""
    found, low, high = None, 1, most
    while low <= high:
        middle = (low + high) // 2
        words = run(middle)
        at = haystack.find(words)
        if at >= 0:
            found, low = (at, words), middle + 1
        else:
            high = middle - 1
    return found


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
