"""A column of texts kept packed: one string holding them all, and where each ends.

The parse cache keeps prose fields (claims, quotes, titles, summaries) so: one string is read back at the speed
of a copy where a hundred thousand strings would each be made, and a plain search runs over all of them in one
pass of Python's substring search (`Pattern.rows_in`) instead of a call per record. Beside each such column it
keeps its `Words`: which rows hold each word, where a plain pattern without a space is looked up without reading
the texts at all (`Pattern.rows_by_words`).
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
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


@dataclass(frozen=True, slots=True)
class Words:
    """Which rows of a packed column hold each word: `vocabulary` the words (runs of non-space characters, as
    written, sorted), and the rows holding word i are `postings[starts[i]:starts[i + 1]]`, in order. `ascii` says
    whether every text of the column is ASCII.

    A needle holding no space lies, wherever it occurs, within one such word: the rows holding it are those of
    the words holding it, found without reading the texts (`grep --count` at 100,000 positions reads 100 kB of
    words where it read 20 MB of claims and quotes)."""

    vocabulary: tuple[str, ...]
    starts: array
    postings: array
    ascii: bool

    @classmethod
    def of(cls, values: Iterable[str | None]) -> Words:
        texts = list(values)
        found = cls.of_items(text.split() if text else () for text in texts)
        ascii = all(text.isascii() for text in texts if text)  # (a space that is not ASCII splits words too)
        return cls(found.vocabulary, found.starts, found.postings, ascii)

    @classmethod
    def of_items(cls, rows: Iterable[Iterable[str]]) -> Words:
        """The words of rows given as their words: the ids a list field holds (`sources`), say."""
        rows_of: dict[str, array] = {}
        for row, items in enumerate(rows):
            for word in set(items):
                found = rows_of.get(word)
                if found is None:
                    found = rows_of[word] = array("i")
                found.append(row)
        vocabulary = tuple(sorted(rows_of))
        starts, postings = array("q", [0]), array("i")
        for word in vocabulary:
            postings.extend(rows_of.pop(word))
            starts.append(len(postings))
        return cls(vocabulary, starts, postings, all(map(str.isascii, vocabulary)))

    def rows_with_any(self, wanted: Iterable[str]) -> list[int]:
        """The rows holding one of the words `wanted` (whole words, not parts of them), in order, each once."""
        vocabulary, starts, postings = self.vocabulary, self.starts, self.postings
        found = []
        for word in wanted:
            i = bisect_left(vocabulary, word)
            if i < len(vocabulary) and vocabulary[i] == word:
                found.append(postings[starts[i] : starts[i + 1]])
        if len(found) == 1:
            return found[0].tolist()
        return sorted(set().union(*found))

    def rows_holding(self, needle: str, lower: bool = False) -> list[int] | None:
        """The rows whose text holds `needle` (lower-case, when `lower`: compared with each word lower-cased),
        in order; None when a needle with a space in it, or no needle, cannot be looked up by words."""
        if not needle or any(c.isspace() for c in needle):
            return None
        words = (word.lower() for word in self.vocabulary) if lower else self.vocabulary
        starts, postings = self.starts, self.postings
        found = [postings[starts[i] : starts[i + 1]] for i, word in enumerate(words) if needle in word]
        if len(found) == 1:
            return found[0].tolist()
        return sorted(set().union(*found))
