"""Seeing the negotiation: who stands where (matrix), how that changed (history), and who contradicts whom
(disputes). Pure functions over a KnowledgeBase, like query.py, built on its filters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from talkbase.ask.filter import KIND_OF, Filter
from talkbase.ask.query import (
    Standing,
    anything,
    chronology,
    id_views,
    latest_standings,
    origins_finder,
    records_of,
    standings,
    views_of,
)
from talkbase.records.dates import Chronology, PartialDate
from talkbase.records.model import Actor, Event, KnowledgeBase, Position, Topic, collector_paused
from talkbase.records.schema import stance_change, stance_side


def polarity(stance: str) -> int:
    """For `disputes`: +1 for for, -1 for against, 0 for conditional or undecided. Disputing a claim stands
    against whoever supports it, so here `disputes` counts as against (in `history` it is a side of its own)."""
    side = stance_side(stance)
    return 1 if side == "for" else -1 if side in ("against", "disputes") else 0


def stated_by(chron: Chronology, positions: Iterable[Position], as_of: PartialDate | None) -> list[Position]:
    """Positions that may have been stated by `as_of` (all of them without it)."""
    return [p for p in positions if as_of is None or chron.span(p).stated_by(as_of) != "no"]


@dataclass(frozen=True, slots=True)
class Matrix:
    """Actors × topics, each cell where the actor stands on the topic (absent where it said nothing). A cell's
    candidates are views of positions (their id, actor, topic, stance and dates: `_groups_of`), not the
    positions themselves, so that a matrix of 100,000 positions builds none."""

    actors: list[Actor]
    topics: list[Topic]
    cells: dict[tuple[str, str], Standing]

    def cell(self, actor: str, topic: str) -> Standing | None:
        return self.cells.get((actor, topic))


def matrix(kb: KnowledgeBase, filters: Filter, as_of: PartialDate | None = None) -> Matrix:
    """Where every actor stands on every topic, as of a day; only actors and topics with a position appear. A
    cell is certain only when one stance is certainly the latest; otherwise it holds every candidate. With a
    filter, a cell appears when a position that may be its latest matches (`stance:rejects`: who now rejects,
    not who once did)."""
    if filters.empty and as_of is None:
        cells = latest_standings(kb)
    else:
        test = filters.test("positions")
        found = standings(chronology(kb), _groups_of(kb, filters), as_of)
        cells = {key: cell for key, cell in found.items() if any(test(p) for p in cell.candidates)}
    with_cells = {actor for actor, _ in cells}
    on_topics = {topic for _, topic in cells}
    actors = [a for a in kb.actors if a.id in with_cells]
    topics = [t for t in kb.topics if t.id in on_topics]
    return Matrix(actors, topics, cells)


@dataclass(frozen=True, slots=True)
class Step:
    """One position in an actor's history on a topic. `change` is '' (the same side as before, or the first),
    'changed', 'reversal' (for turned against, or back), or 'order-unknown' (a differing stance whose order
    against this one is unknown, then named as `previous`). `stated` is False for a position that may not yet
    have been stated by the --as-of day."""

    position: Position
    previous: Position | None
    change: str = ""
    stated: bool = True


def history(
    kb: KnowledgeBase,
    filters: Filter,
    as_of: PartialDate | None = None,
    changes_only: bool = False,
    chron: Chronology | None = None,
) -> list[Step]:
    """For each actor × topic (in the knowledge base's order), its positions over time; a change is asserted
    only against a position certainly before. Unfiltered and now, the steps are kept by the parse cache between
    commands (as the ids of each step's position and of the one before it, and its change): ordering 100,000
    positions costs more than reading them."""
    if not filters.empty or as_of is not None:
        return _with_records(kb, _history_steps(kb, filters, as_of, changes_only, chron))

    def make() -> list[tuple[str, str | None, str]]:
        steps = _history_steps(kb, filters, None, changes_only, chron)
        return [(s.position.id, s.previous and s.previous.id, s.change) for s in steps]

    view = id_views(Position)
    kept = kb.memo(f"history 1 {'changes' if changes_only else 'all'}", make, keep=True)
    with collector_paused():  # (tens of thousands of steps at L)
        steps = [Step(view((i,)), None if b is None else view((b,)), change) for i, b, change in kept]
    return _with_records(kb, steps)


def _history_steps(
    kb: KnowledgeBase, filters: Filter, as_of: PartialDate | None, changes_only: bool, chron: Chronology | None
) -> list[Step]:
    chron, test = chron or chronology(kb), filters.test("positions")
    chosen = stated_by(chron, _groups_of(kb, filters), as_of)  # a change is told against the whole history
    pairs: dict[tuple[str, str], list[Position]] = {}
    for p in chron.ordered(chosen):
        pairs.setdefault((p.actor, p.topic), []).append(p)
    actor_rank, topic_rank = (_ranks(kb, kind) for kind in ("actors", "topics"))
    steps: list[Step] = []
    for key in sorted(pairs, key=lambda k: (actor_rank[k[0]], topic_rank[k[1]])):
        if changes_only and len(pairs[key]) == 1:
            continue  # one position: no change
        seq = _steps(chron, pairs[key], as_of)
        if not changes_only or any(step.change for step in seq):
            steps.extend(step for step in seq if test(step.position))
    return steps


def _ranks(kb: KnowledgeBase, kind: str) -> dict[str, int]:
    """Each record's place in the file order of its kind, by id (read from the cache's columns)."""
    return {record_id: i for i, (record_id,) in enumerate(kb.values(kind, ("id",), anything, ("id",)))}


def _with_records(kb: KnowledgeBase, steps: list[Step]) -> list[Step]:
    """The steps with the positions their views stand for: only those listed are built."""
    views = [step.position for step in steps] + [step.previous for step in steps if step.previous is not None]
    found = {p.id: p for p in records_of(kb, views)}
    with collector_paused():
        return [Step(found[s.position.id], s.previous and found[s.previous.id], s.change, s.stated) for s in steps]


def _groups_of(kb: KnowledgeBase, filters: Filter) -> list[Any]:
    """Every position of each actor × topic in which one matches the filter: what is latest, and what changed,
    is told from the whole of each. As views (`views_of`): what the order, the stance and the filter read."""
    views = views_of(kb, "positions", {"actor", "topic", "stance", *filters.fields("positions")})
    if filters.empty:
        return views
    test = filters.test("positions")
    groups = {(p.actor, p.topic) for p in views if test(p)}
    return [p for p in views if (p.actor, p.topic) in groups]


def _steps(chron: Chronology, seq: list[Position], as_of: PartialDate | None) -> list[Step]:
    """One actor's positions on one topic, in time order, each with its change. Bit i of a mask is seq[i]."""
    if len(seq) == 1:  # most actors say one thing on a topic: nothing to compare
        return [Step(seq[0], None, "", as_of is None or chron.span(seq[0]).stated_by(as_of) == "yes")]
    if not chron.masked(seq):
        return _steps_of_a_large_group(chron, seq, as_of)
    sides = [stance_side(p.stance) for p in seq]
    on_side: dict[str, int] = {}
    for i, side in enumerate(sides):
        on_side[side] = on_side.get(side, 0) | 1 << i
    relations = chron.relations(seq)
    steps = []
    for i, p in enumerate(seq):
        stated = as_of is None or chron.span(p).stated_by(as_of) == "yes"
        differing = relations.unordered(i) & ~on_side[sides[i]]
        if differing:  # a differing stance may come before or after this one: assert neither
            steps.append(Step(p, seq[_lowest(differing)], "order-unknown", stated))
            continue
        earlier = relations.before[i]
        if not earlier:
            steps.append(Step(p, None, "", stated))
            continue
        # The last of the earlier ones in time order is one of the latest; any other latest one is unordered with
        # it. Where one of those takes another side, which stance came just before is unknown.
        last = earlier.bit_length() - 1
        rivals = earlier & relations.unordered(last)
        if any(not relations.after[j] & rivals for j in _bits(rivals & ~on_side[sides[last]])):
            steps.append(Step(p, seq[last], "order-unknown", stated))
        else:
            steps.append(Step(p, seq[last], stance_change(seq[last].stance, p.stance), stated))
    return steps


def _steps_of_a_large_group(chron: Chronology, seq: list[Position], as_of: PartialDate | None) -> list[Step]:
    """As `_steps`, by the dates alone and never asserting more: a change is counted against the last position
    certainly before, unless one of another side may come after that one (then the order is unknown). Where a
    curator's after/before links a position, a change is not asserted where it could depend on that order."""
    sides = [stance_side(p.stance) for p in seq]
    spans = [chron.span(p) for p in seq]
    peers = chron.unordered_peers(seq, lambda p: stance_side(p.stance))
    linked = [chron.linked(p) for p in seq]
    by_last = sorted(range(len(seq)), key=lambda i: spans[i].last)
    steps, taken, last, latest_end = [], 0, -1, {}  # taken: how many of by_last end before this one begins
    for i in sorted(range(len(seq)), key=lambda i: spans[i].first):
        while taken < len(by_last) and spans[by_last[taken]].before(spans[i]):
            q = by_last[taken]
            last = max(last, q)  # seq is in time order: the greatest index is the last in it
            latest_end[sides[q]] = max(latest_end.get(sides[q], spans[q].last), spans[q].last)
            taken += 1
        p, stated = seq[i], as_of is None or chron.span(seq[i]).stated_by(as_of) == "yes"
        if i in peers:
            steps.append((i, Step(p, seq[peers[i]], "order-unknown", stated)))
        elif last < 0:
            steps.append((i, Step(p, None, "", stated)))
        elif (linked[i] and len(latest_end) > 1) or any(
            side != sides[last] and end >= spans[last].first for side, end in latest_end.items()
        ):
            steps.append((i, Step(p, seq[last], "order-unknown", stated)))
        else:
            steps.append((i, Step(p, seq[last], stance_change(seq[last].stance, p.stance), stated)))
    return [step for _, step in sorted(steps, key=lambda pair: pair[0])]


def _lowest(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def _bits(mask: int) -> list[int]:
    found = []
    while mask:
        found.append(_lowest(mask))
        mask &= mask - 1
    return found


@dataclass(frozen=True, slots=True)
class Dispute:
    """Two records at odds: a position and the record it contests, or two actors' opposed latest stances."""

    kind: str  # "contests" or "opposed"
    topic: str
    claim: Position
    other: Event | Position


def disputes(kb: KnowledgeBase, filters: Filter, as_of: PartialDate | None = None) -> list[Dispute]:
    """Contradictions: positions that contest another record, then topics where latest stances oppose."""
    chron = chronology(kb)
    found = contested(kb, chron, as_of)
    sides = opposed_sides(kb, chron, as_of)
    for topic in kb.topics:
        pro, con = sides.get(topic.id, ([], []))
        found += [Dispute("opposed", topic.id, a, b) for a in pro for b in con]
    return [d for d in found if _dispute_matches(d, filters)]


def contested(kb: KnowledgeBase, chron: Chronology, as_of: PartialDate | None = None) -> list[Dispute]:
    """Positions (stated by `as_of`) that contest another record, each pair in time order."""
    stated = [p for p in kb.positions if as_of is None or chron.span(p).stated_by(as_of) == "yes"]
    return [
        Dispute("contests", p.topic, p, kb.by_id[target])
        for p in chron.ordered(stated)
        for target in p.contests
        if target in kb.by_id
    ]


def opposed_sides(
    kb: KnowledgeBase, chron: Chronology, as_of: PartialDate | None = None
) -> dict[str, tuple[list[Position], list[Position]]]:
    """For each topic where latest stances oppose: the actors' latest positions for it and those against it, in
    time order. Only where each side's latest is certain: an uncertain standing opposes nothing for sure."""
    cells = standings(chron, kb.positions, as_of).values()  # what may have been stated counts against certainty
    sides: dict[str, tuple[list[Position], list[Position]]] = {}
    for p in chron.ordered(cell.candidates[0] for cell in cells if cell.certain):
        side = polarity(p.stance)
        if side:
            sides.setdefault(p.topic, ([], []))[0 if side > 0 else 1].append(p)
    return {topic: (pro, con) for topic, (pro, con) in sides.items() if pro and con}


def _dispute_matches(dispute: Dispute, filters: Filter) -> bool:
    """A dispute is listed when one of its two sides matches the filter."""
    return any(filters.test(KIND_OF[type(side)])(side) for side in (dispute.claim, dispute.other))


def sole_source_claims(kb: KnowledgeBase) -> list[Position]:
    """Positions that rest on a single independent origin (however many sources they cite, when all are known
    through one), in time order."""
    found = origins_finder(kb)
    sole = kb.where("positions", ("sources",), lambda sources: len(found(sources)) == 1)  # only they are built
    return chronology(kb).ordered(sole)
