"""Where a source is known from: its chain of `via` sources, and the independent origins of a set of citations.

Two citations are independent only when neither chain leads to the other and they meet in no common source;
since each source names at most one `via`, that is: when their chains end in different sources (origins).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable


def chain(source: str, via_of: Callable[[str], str | None]) -> list[str]:
    """The source, the source it is known through, and so on to the origin; a chain that loops back stops
    before repeating itself (check reports the loop)."""
    found = [source]
    seen = {source}
    while (via := via_of(found[-1])) is not None and via not in seen:
        found.append(via)
        seen.add(via)
    return found


def origins(sources: Iterable[str], via_of: Callable[[str], str | None]) -> list[str]:
    """The distinct origins of the sources, in the order first reached: how many independent texts they are."""
    return list(dict.fromkeys(chain(source, via_of)[-1] for source in sources))
