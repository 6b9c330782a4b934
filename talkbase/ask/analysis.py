"""Seeing the negotiation: who stands where (matrix), how that changed (history), and who contradicts whom
(disputes). Pure functions over a KnowledgeBase, like query.py, built on its filters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from talkbase.ask.query import Filters, latest_by_actor_topic, position_matches
from talkbase.records.dates import PartialDate
from talkbase.records.model import Actor, Event, KnowledgeBase, Position, Topic

POSITIVE = frozenset({"supports", "proposes"})
NEGATIVE = frozenset({"opposes", "rejects", "disputes"})


def polarity(stance: str) -> int:
    """+1 for for, -1 for against, 0 for conditional or undecided."""
    return 1 if stance in POSITIVE else -1 if stance in NEGATIVE else 0


def stated_by(positions: Iterable[Position], as_of: PartialDate | None) -> list[Position]:
    """Positions stated on or before `as_of` (a partial date covers its whole period)."""
    return [p for p in positions if as_of is None or p.date.start <= as_of.end]


@dataclass(frozen=True, slots=True)
class Matrix:
    """Actors × topics, each cell the actor's latest position on the topic (absent where it said nothing)."""

    actors: list[Actor]
    topics: list[Topic]
    cells: dict[tuple[str, str], Position]

    def cell(self, actor: str, topic: str) -> Position | None:
        return self.cells.get((actor, topic))


def matrix(kb: KnowledgeBase, filters: Filters, as_of: PartialDate | None = None) -> Matrix:
    """Where every actor stands on every topic, as of a day; only actors and topics with a position appear."""
    chosen = [p for p in stated_by(kb.positions, as_of) if position_matches(p, filters)]
    cells = {(p.actor, p.topic): p for p in latest_by_actor_topic(chosen)}
    with_cells = {actor for actor, _ in cells}
    on_topics = {topic for _, topic in cells}
    actors = [a for a in kb.actors if a.id in with_cells]
    topics = [t for t in kb.topics if t.id in on_topics]
    return Matrix(actors, topics, cells)


@dataclass(frozen=True, slots=True)
class Step:
    """One position in an actor's history on a topic, and how its stance differs from the one before."""

    position: Position
    previous: Position | None

    @property
    def change(self) -> str:
        """'' when unchanged (or first), 'reversal' when for turns against or back, else 'changed'."""
        if self.previous is None or self.previous.stance == self.position.stance:
            return ""
        before, after = polarity(self.previous.stance), polarity(self.position.stance)
        return "reversal" if before * after < 0 else "changed"


def history(
    kb: KnowledgeBase, filters: Filters, as_of: PartialDate | None = None, changes_only: bool = False
) -> list[Step]:
    """For each actor × topic (in the knowledge base's order), its positions over time."""
    chosen = [p for p in stated_by(kb.positions, as_of) if position_matches(p, filters)]
    pairs: dict[tuple[str, str], list[Position]] = {}
    for p in sorted(chosen, key=lambda p: p.date.sort_key()):
        pairs.setdefault((p.actor, p.topic), []).append(p)
    actor_rank = {a.id: i for i, a in enumerate(kb.actors)}
    topic_rank = {t.id: i for i, t in enumerate(kb.topics)}
    steps: list[Step] = []
    for key in sorted(pairs, key=lambda k: (actor_rank[k[0]], topic_rank[k[1]])):
        seq = [Step(p, prev) for prev, p in zip([None, *pairs[key][:-1]], pairs[key])]
        if not changes_only or any(step.change for step in seq):
            steps.extend(seq)
    return steps


@dataclass(frozen=True, slots=True)
class Dispute:
    """Two records at odds: a position and the record it contests, or two actors' opposed latest stances."""

    kind: str  # "contests" or "opposed"
    topic: str
    claim: Position
    other: Event | Position


def disputes(kb: KnowledgeBase, filters: Filters, as_of: PartialDate | None = None) -> list[Dispute]:
    """Contradictions: positions that contest another record, then topics where latest stances oppose."""
    stated = stated_by(kb.positions, as_of)
    found = [
        Dispute("contests", p.topic, p, kb.by_id[target])
        for p in sorted(stated, key=lambda p: p.date.sort_key())
        for target in p.contests
        if target in kb.by_id
    ]
    latest = latest_by_actor_topic(stated)
    for topic in kb.topics:
        on_topic = sorted((p for p in latest if p.topic == topic.id), key=lambda p: p.date.sort_key())
        found += [
            Dispute("opposed", topic.id, pro, con)
            for pro in on_topic
            if polarity(pro.stance) > 0
            for con in on_topic
            if polarity(con.stance) < 0
        ]
    return [d for d in found if _dispute_matches(d, filters)]


def _dispute_matches(dispute: Dispute, filters: Filters) -> bool:
    sides = [dispute.claim, dispute.other]
    actors = {getattr(side, "actor", None) for side in sides} | set(getattr(dispute.other, "participants", ()))
    cited = {s for side in sides for s in side.sources}
    return (
        (not filters.topics or dispute.topic in filters.topics)
        and (not filters.actors or bool(filters.actors & actors))
        and (filters.sources is None or bool(filters.sources & cited))
    )


def sole_source_claims(kb: KnowledgeBase) -> list[Position]:
    """Positions that rest on a single source, in date order."""
    return sorted((p for p in kb.positions if len(set(p.sources)) == 1), key=lambda p: p.date.sort_key())
