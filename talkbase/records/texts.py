"""A column of texts kept packed: one string holding them all, and where each ends.

The parse cache keeps prose fields (claims, quotes, titles, summaries) so: one string is read back at the speed
of a copy where a hundred thousand strings would each be made, and a plain search runs over all of them in one
pass of Python's substring search (`Pattern.rows_in`) instead of a call per record.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import compress, repeat

SEPARATOR = "\n"  # between two texts; a text may hold it too: `ends` says where each one ends
DENSE = 8  # a needle found more often than once in DENSE rows is searched for row by row
SAMPLES = 32  # how often a needle occurs is judged from the first 1/SAMPLES of the text


@dataclass(frozen=True, slots=True)
class Texts:
    """Texts, some of them None: `joined` is them all, each followed by SEPARATOR (None as the empty text), and
    `ends[i]` is where text i ends in `joined`; `missing` holds the rows whose value is None."""

    joined: str
    ends: array
    missing: frozenset[int]

    @classmethod
    def of(cls, values: Iterable[str | None]) -> Texts:
        values = list(values)
        ends = array("q")
        at = 0
        for value in values:
            at += len(value or "")
            ends.append(at)
            at += len(SEPARATOR)
        missing = frozenset(i for i, value in enumerate(values) if value is None)
        return cls(SEPARATOR.join(value or "" for value in values), ends, missing)

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> str | None:
        if i in self.missing:
            return None
        start = self.ends[i - 1] + len(SEPARATOR) if i else 0
        return self.joined[start : self.ends[i]]

    def values(self) -> list[str | None]:
        """The texts, None where there was none."""
        joined = self.joined
        if self._split_by_separator():  # no text holds a separator: split in one call
            found: list[str | None] = list(joined.split(SEPARATOR)) if self.ends else []
        else:
            starts = [0, *(end + len(SEPARATOR) for end in self.ends[:-1])]
            found = [joined[start:end] for start, end in zip(starts, self.ends)]
        for i in self.missing:
            found[i] = None
        return found

    def _split_by_separator(self) -> bool:
        """Whether splitting `joined` at SEPARATOR gives the texts: none holds one."""
        return self.joined.count(SEPARATOR) == len(self.ends) - 1

    def _dense(self, needle: str, text: str) -> bool:
        """Whether `needle` is likely in more than one row in DENSE, judged by a sample of `text`'s start."""
        sample = max(len(text) // SAMPLES, 1)
        return text.count(needle, 0, sample) * SAMPLES * DENSE > len(self.ends)

    def rows_holding(self, needle: str, haystack: str | None = None) -> list[int]:
        """The rows whose text holds `needle` (not empty, without SEPARATOR), in order, each once. `haystack`
        is `joined` changed character for character (lower-cased, say) to be searched instead."""
        text = self.joined if haystack is None else haystack
        if self._dense(needle, text) and self._split_by_separator():
            # Found in many rows: asking each row (in C, through map) beats locating each match by bisection
            # (twice as fast when half the rows hold it, as "ceasefire" in 100,000 synthetic claims).
            rows = text.split(SEPARATOR)
            return list(compress(range(len(rows)), map(str.__contains__, rows, repeat(needle))))
        ends, found = self.ends, []
        at = text.find(needle)
        while at != -1:
            row = bisect_right(ends, at)  # the first text ending after the match begins holds it
            found.append(row)
            at = text.find(needle, ends[row] + len(SEPARATOR))
        return found
