"""grep's patterns: RE2 regular expressions (matching in linear time, compiled in bounded memory) with
ripgrep's habits: smart case, -F for a fixed string, -w for whole words.

RE2 (google-re2) is imported only when a pattern is compiled, so no other command pays for it. It has no
look-around and no backreferences, `\\w` and `\\b` are ASCII-only (`\\pL` is any letter), and a repetition
counts at most 1000; in exchange no pattern can make a search take more than linear time in the text, however
it nests, and a pattern too large for RE2's memory budget (8 MiB) is refused when compiled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from talkbase.records.hints import DASHES, strip_marks
from talkbase.records.texts import SEPARATOR, Texts, Words

# A word character for -w, as Python's `\w` would have it (RE2's `\w` knows only ASCII).
_WORD = r"\pL\pN_"
# A count RE2 takes for literal text when it has 9 digits or more (`a{4294967296}` would look for those
# characters); refused instead, as RE2 refuses any count over 1000. Only a count where RE2 reads one: not in an
# escape (`\x{2013}`, `\p{Greek}`), a character class (`[{2025}]`) or quoted text (`\Q{2025}\E`).
_COUNT = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_SKIPPED = re.compile(r"\\Q.*?(?:\\E|$)|\\[xpP]\{[^}]*\}?|\\.|\[\^?\]?(?:\[:[^\]]*:\]|\\.|[^\]])*\]?", re.S)
_MAX_COUNT = 1000
_SYNTAX = re.compile(r"[\\.^$*+?{}\[\]|()]")  # what makes a pattern more than the text it is
_TYPED_DASH = re.compile(rf"\\?[{DASHES}]")  # (with the backslash escaping it, if any)


class PatternError(ValueError):
    """A pattern RE2 cannot compile: its syntax, or its size."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled grep pattern: `found(text)` for a yes or no, `spans(text)` for every match, as character
    offsets, in the order and with the empty matches Python's `finditer` would give. With `fold`, the pattern
    (written without diacritics) is searched in the text with its diacritics taken off, and the spans are those
    of the text as written: `erdogan` finds `Erdoğan`."""

    text: str  # as typed
    regex: Any  # a compiled re2 pattern
    word: bool  # -w: the regex has a word boundary on each side and the match proper is group 1
    fold: bool = True
    # A pattern that is plain text (no regex syntax, or -F) is also kept as that text, lower-cased when case is
    # ignored: `found` then asks Python's substring search, in C, before RE2, whose call costs more than a
    # search (at 100,000 positions most of `grep --count`).
    literal: str | None = None
    sensitive: bool = True

    def found(self, text: str) -> bool:
        """Whether the pattern matches `text` anywhere (as ripgrep, an empty match counts: `^` matches all)."""
        if self.fold and not text.isascii():  # (ASCII text has nothing to fold: no call for it)
            text = _folded(text)[0]
        if self.literal is not None:
            if self.sensitive:
                return self.literal in text
            if text.isascii():  # ASCII lower-casing is RE2's case folding for ASCII text; other text goes to RE2
                return self.literal in text.lower()
        if not self.word:
            return self.regex.search(text) is not None
        return bool(self._word_spans(text))

    def rows_in(self, texts: Texts) -> list[int] | None:
        """The rows of `texts` where `found` is true, in one pass of substring search over them all; None when
        it cannot be done so (a regex, an empty pattern or one holding a line break, or text that is not ASCII,
        which `found` folds): ask `found` of each text then."""
        literal = self.literal
        if not literal or SEPARATOR in literal or not texts.joined.isascii():
            return None
        return texts.rows_holding(literal, None if self.sensitive else texts.joined.lower())

    def rows_by_words(self, words: Words) -> list[int] | None:
        """What `rows_in` gives, from a column's words (see `Words`) instead of its texts; None when it cannot
        be told so (as for `rows_in`, or when the pattern holds a space)."""
        if not self.literal or SEPARATOR in self.literal or not words.ascii:
            return None
        return words.rows_holding(self.literal, lower=not self.sensitive)

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        searched, starts = _folded(text) if self.fold else (text, None)
        if not self.word:
            found = [match.span() for match in self.regex.finditer(searched)]
        else:
            found = self._word_spans(searched)
        if starts is None:
            return tuple(found)
        return tuple((_at(starts, a, len(text)), _at(starts, b, len(text))) for a, b in found)

    def _word_spans(self, text: str) -> list[tuple[int, int]]:
        """Group 1 of each match of `(?:^|[^w])(body)(?:[^w]|$)`. The next search starts one back from where
        the next match proper may begin when that character is not a word character, so that the boundary
        between two matches serves both (`foo foo` is two matches); never at 0, where `^` would find the same
        match again. Each search starts further on than the last."""
        found: list[tuple[int, int]] = []
        pos = 0
        while pos <= len(text):
            match = self.regex.search(text, pos)
            if match is None:
                break
            start, end = match.span(1)
            found.append((start, end))
            after = end if end > start else end + 1  # an empty match: the next one starts further on
            boundary = 2 <= after <= len(text) and not _is_word(text[after - 1])
            pos = after - 1 if boundary else after
        return found


def _folded(text: str) -> tuple[str, list[int] | None]:
    """The text without diacritics, and where each of its characters starts in the text (None when the text
    has none to take off, the usual case, decided at C speed)."""
    import unicodedata

    from talkbase.records.hints import PLAIN_PUNCTUATION

    if text.isascii():
        return text, None
    text = text.translate(PLAIN_PUNCTUATION)  # one for one: the offsets stay
    if unicodedata.normalize("NFKD", text) == text and not any(map(unicodedata.combining, text)):
        return text, None
    from talkbase.records.hints import strip_marks_mapped

    return strip_marks_mapped(text)


def _at(starts: list[int] | None, offset: int, end: int) -> int:
    """Where an offset in the folded text falls in the text as written."""
    if starts is None:
        return offset
    return starts[offset] if offset < len(starts) else end


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def compile_pattern(
    pattern: str,
    ignore_case: bool = False,
    case_sensitive: bool = False,
    fixed: bool = False,
    word: bool = False,
    fold: bool = True,
) -> Pattern:
    """ripgrep's habits: smart case unless forced, -F for a fixed string, -w for whole words; and diacritics
    folded unless `fold` is off (`sinn fein` finds `Sinn Féin`)."""
    import re2

    if any("\ud800" <= c <= "\udfff" for c in pattern):  # a byte the command line could not decode
        raise PatternError("the pattern is not valid UTF-8 text")
    if not fixed:
        _check_counts(pattern)
    searched = pattern
    if fold and not fixed and _SYNTAX.search(pattern):  # a typographic dash reads as `-` in the text searched: as
        searched = _TYPED_DASH.sub(r"\\-", pattern)  # a plain `-` in the pattern too, never a range (`[,–;]`)
    searched = strip_marks(searched) if fold else searched
    body = re2.escape(searched) if fixed else searched
    if word:
        body = rf"(?:^|[^{_WORD}])({body})(?:[^{_WORD}]|$)"
    smart_insensitive = not any(c.isupper() for c in pattern)
    options = re2.Options()
    options.case_sensitive = not (ignore_case or (smart_insensitive and not case_sensitive))
    options.never_capture = not word  # only the whole match is wanted: RE2 then needs less memory and time
    options.log_errors = False  # RE2 would also write the error to stderr
    plain = fixed or not _SYNTAX.search(searched)
    literal = None if word or not plain or not (options.case_sensitive or searched.isascii()) else searched
    if literal is not None and not options.case_sensitive:
        literal = literal.lower()
    try:
        return Pattern(pattern, re2.compile(body, options), word, fold, literal, options.case_sensitive)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise PatternError(reason) from None


def _check_counts(pattern: str) -> None:
    for match in _COUNT.finditer(_SKIPPED.sub(lambda m: "_" * len(m.group()), pattern)):
        count = max(int(n) for n in match.groups() if n)
        if count > _MAX_COUNT:
            raise PatternError(f"repetition count {count} is over the limit of {_MAX_COUNT}")
