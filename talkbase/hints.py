"""'Did you mean' suggestions, shared by the validator and the command line."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def close_matches(word: str, candidates: Iterable[str], n: int = 3) -> list[str]:
    return difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """`did you mean `x`?` for the closest candidate, or an empty string when none is close."""
    matches = close_matches(word, candidates, n=1)
    return f"did you mean `{matches[0]}`?" if matches else ""
