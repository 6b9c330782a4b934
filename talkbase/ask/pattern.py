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

# A word character for -w, as Python's `\w` would have it (RE2's `\w` knows only ASCII).
_WORD = r"\pL\pN_"
# A count RE2 takes for literal text when it has 9 digits or more (`a{4294967296}` would look for those
# characters); refused instead, as RE2 refuses any count over 1000. Only a count where RE2 reads one: not in an
# escape (`\x{2013}`, `\p{Greek}`), a character class (`[{2025}]`) or quoted text (`\Q{2025}\E`).
_COUNT = re.compile(r"\{(\d+)(?:,(\d*))?\}")
_SKIPPED = re.compile(r"\\Q.*?(?:\\E|$)|\\[xpP]\{[^}]*\}?|\\.|\[\^?\]?(?:\[:[^\]]*:\]|\\.|[^\]])*\]?", re.S)
_MAX_COUNT = 1000


class PatternError(ValueError):
    """A pattern RE2 cannot compile: its syntax, or its size."""


@dataclass(frozen=True, slots=True)
class Pattern:
    """A compiled grep pattern: `found(text)` for a yes or no, `spans(text)` for every match, as character
    offsets, in the order and with the empty matches Python's `finditer` would give."""

    text: str  # as typed
    regex: Any  # a compiled re2 pattern
    word: bool  # -w: the regex has a word boundary on each side and the match proper is group 1

    def found(self, text: str) -> bool:
        """Whether the pattern finds anything but an empty match in `text`."""
        if not self.word:
            match = self.regex.search(text)
            if match is None:
                return False
            start, end = match.span()
            if start != end:
                return True
        return any(start != end for start, end in self.spans(text))

    def spans(self, text: str) -> tuple[tuple[int, int], ...]:
        if not self.word:
            return tuple(match.span() for match in self.regex.finditer(text))
        return tuple(self._word_spans(text))

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


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def compile_pattern(
    pattern: str, ignore_case: bool = False, case_sensitive: bool = False, fixed: bool = False, word: bool = False
) -> Pattern:
    """ripgrep's habits: smart case unless forced, -F for a fixed string, -w for whole words."""
    import re2

    if not fixed:
        _check_counts(pattern)
    body = re2.escape(pattern) if fixed else pattern
    if word:
        body = rf"(?:^|[^{_WORD}])({body})(?:[^{_WORD}]|$)"
    smart_insensitive = not any(c.isupper() for c in pattern)
    options = re2.Options()
    options.case_sensitive = not (ignore_case or (smart_insensitive and not case_sensitive))
    options.never_capture = not word  # only the whole match is wanted: RE2 then needs less memory and time
    options.log_errors = False  # RE2 would also write the error to stderr
    try:
        return Pattern(pattern, re2.compile(body, options), word)
    except re2.error as exc:
        reason = exc.args[0] if exc.args else exc
        reason = reason.decode("utf-8", "replace") if isinstance(reason, bytes) else str(reason)
        raise PatternError(reason) from None


def _check_counts(pattern: str) -> None:
    for match in _COUNT.finditer(_SKIPPED.sub(lambda m: "_" * len(m.group()), pattern)):
        count = max(int(n) for n in match.groups() if n)
        if count > _MAX_COUNT:
            raise PatternError(f"repetition count {count} is over the limit of {_MAX_COUNT}")
