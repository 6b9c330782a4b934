"""A deterministic generator of synthetic talkbase knowledge bases at sizes S, M and L, for benchmarks.

The text is random but realistic in length (claims of one or two sentences, some non-Latin aliases, partial
dates), and every generated knowledge base passes `talkbase check`. Usage:

    python benchmarks/generate.py M /tmp/kb-m
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

SIZES = {  # positions, events, sources, actors, topics, files per big kind
    "S": (100, 10, 20, 20, 8, 2),
    "M": (10_000, 1_000, 2_000, 300, 60, 15),
    "L": (100_000, 10_000, 20_000, 1_500, 200, 15),
}
WORDS = [
    "talks",
    "ceasefire",
    "prisoners",
    "exchange",
    "delegation",
    "summit",
    "leaders",
    "agreement",
    "proposal",
    "security",
    "guarantees",
    "territory",
    "sanctions",
    "humanitarian",
    "corridor",
    "grain",
    "port",
    "energy",
    "infrastructure",
    "monitoring",
    "withdrawal",
    "negotiations",
    "mediator",
    "round",
    "statement",
    "condition",
    "verification",
    "timetable",
    "referendum",
    "elections",
    "aid",
]
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщыэюя"
STANCES = ("supports", "opposes", "proposes", "rejects", "conditional", "disputes", "undecided")
STATUSES = ("held", "held", "held", "scheduled", "postponed", "cancelled")


def sentence(rng: random.Random, low: int, high: int) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(low, high))]
    return " ".join(words).capitalize() + "."


def date(rng: random.Random) -> str:
    year, month, day = rng.randint(2019, 2025), rng.randint(1, 12), rng.randint(1, 28)
    roll = rng.random()
    return f"{year}" if roll < 0.03 else f"{year}-{month:02d}" if roll < 0.15 else f"{year}-{month:02d}-{day:02d}"


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def ids(rng: random.Random, prefix: str, count: int, k: int) -> str:
    return "[" + ", ".join(f"{prefix}-{rng.randrange(count)}" for _ in range(k)) + "]"


def actors(rng: random.Random, n: int) -> str:
    lines = ["actors:"]
    for i in range(n):
        alias = "".join(rng.choice(CYRILLIC) for _ in range(rng.randint(5, 10)))
        kind = rng.choice(("person", "state", "organization"))
        lines += [f"  - id: actor-{i}", f"    name: Actor {i} {rng.choice(WORDS).title()}",
                  f"    aliases: [A{i}, {alias}]", f"    kind: {kind}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def topics(rng: random.Random, n: int) -> str:
    lines = ["topics:"]
    for i in range(n):
        lines += [f"  - id: topic-{i}", f"    name: {rng.choice(WORDS).title()} {i}"]
    return "\n".join(lines) + "\n"


def sources(rng: random.Random, first: int, count: int) -> str:
    lines = ["sources:"]
    for i in range(first, first + count):
        lines += [f"  - id: source-{i}", f"    title: {quoted(sentence(rng, 4, 9))}",
                  f"    publisher: Publisher {i % 40}", f"    url: https://news{i % 40}.example/{i}",
                  f"    date: {date(rng)}", "    kind: article"]  # fmt: skip
    return "\n".join(lines) + "\n"


def events(rng: random.Random, first: int, count: int, n: tuple[int, ...]) -> str:
    lines = ["events:"]
    for i in range(first, first + count):
        lines += [f"  - id: event-{i}", f"    title: {quoted(sentence(rng, 3, 8))}", f"    date: {date(rng)}",
                  f"    status: {rng.choice(STATUSES)}", "    kind: talks", "    location: Istanbul",
                  f"    participants: {ids(rng, 'actor', n[3], 3)}", f"    topics: {ids(rng, 'topic', n[4], 2)}",
                  f"    summary: {quoted(sentence(rng, 10, 30))}",
                  f"    sources: {ids(rng, 'source', n[2], 2)}"]  # fmt: skip
    return "\n".join(lines) + "\n"


def positions(rng: random.Random, first: int, count: int, n: tuple[int, ...]) -> str:
    lines = ["positions:"]
    for i in range(first, first + count):
        lines += [f"  - id: position-{i}", f"    actor: actor-{rng.randrange(n[3])}",
                  f"    topic: topic-{rng.randrange(n[4])}", f"    stance: {rng.choice(STANCES)}",
                  f"    claim: {quoted(sentence(rng, 8, 30))}", f"    date: {date(rng)}",
                  f"    sources: {ids(rng, 'source', n[2], rng.randint(1, 2))}"]  # fmt: skip
        if rng.random() < 0.2:
            lines.append(f"    quote: {quoted(sentence(rng, 3, 10))}")
    return "\n".join(lines) + "\n"


def generate(size: str, target: Path) -> None:
    """Write the knowledge base of `size` into `target` (about 50 files for M and L)."""
    rng = random.Random(size)
    n = SIZES[size]
    target.mkdir(parents=True, exist_ok=True)
    (target / "actors.yaml").write_text(actors(rng, n[3]), encoding="utf-8")
    (target / "topics.yaml").write_text(topics(rng, n[4]), encoding="utf-8")
    files = n[5]
    for kind, total, write in (("sources", n[2], sources), ("events", n[1], events), ("positions", n[0], positions)):
        step = -(-total // files)
        for part, first in enumerate(range(0, total, step)):
            text = (
                write(rng, first, min(step, total - first))
                if kind == "sources"
                else write(rng, first, min(step, total - first), n)
            )
            (target / f"{kind}-{part:02d}.yaml").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    if sys.argv[1:] in (["-h"], ["--help"]):
        print(__doc__)
    elif len(sys.argv) != 3 or sys.argv[1] not in SIZES:
        sys.exit("usage: python benchmarks/generate.py S|M|L TARGET_DIR")
    else:
        generate(sys.argv[1], Path(sys.argv[2]))
