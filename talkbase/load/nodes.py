"""What the parser makes of a YAML file: mappings and sequences that remember where each key and value stood,
and the raw records a file splits into. The parser builds them, the loader splits them, the validator reads them.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass
from typing import Any

MAX_DEPTH = 64  # records need four levels at most; anything deeper is a mistake or an attack


class _Reported:
    """Stands in for a value the loader already reported (a bad tag, too deep), so no check reports it again."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "REPORTED"


REPORTED = _Reported()


class YMap(dict):
    """A mapping that remembers its own position and, per key, where the key and its value stand.

    The places are kept compactly, four integers per key in one array in the keys' order (a dict of
    tuples cost a third of all the memory of a large knowledge base); they are looked up only to report."""

    __slots__ = ("_at", "col", "line")

    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line, self.col = line, col
        self._at = array("I")  # key line, key col, value line, value col; per key, in insertion order

    def places(self, key: str) -> tuple[int, int, int, int]:
        i = 4 * list(self).index(key)
        at = self._at
        return at[i], at[i + 1], at[i + 2], at[i + 3]

    def key_at(self, key: str) -> tuple[int, int]:
        return self.places(key)[:2]

    def value_at(self, key: str) -> tuple[int, int]:
        return self.places(key)[2:]

    def put(self, key: str, value: Any, places: tuple[int, int, int, int]) -> None:
        """Add a key (not yet in the mapping) with the places of its key and value."""
        self[key] = value
        self._at.extend(places)

    def drop(self, key: str) -> None:
        i = 4 * list(self).index(key)
        del self._at[i : i + 4]
        del self[key]


class YList(list):
    """A sequence that remembers its own position and where each item stands (compactly, like YMap)."""

    __slots__ = ("_at", "col", "line")

    def __init__(self, line: int, col: int) -> None:
        super().__init__()
        self.line, self.col = line, col
        self._at = array("I")  # line, col per item

    @property
    def item_pos(self) -> list[tuple[int, int]]:
        """(line, column) of each item."""
        return list(zip(self._at[0::2], self._at[1::2]))


@dataclass(slots=True)
class RawRecord:
    """One record as written: its kind key, its fields (a YMap, or whatever else was written) and place."""

    kind: str
    data: Any
    path: str
    line: int
    col: int
