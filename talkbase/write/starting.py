"""A new knowledge base to start from: a `data/` folder with one commented file per kind, each holding a complete
example record that `talkbase check` accepts, for the curator to edit or delete (or an empty folder, `bare`)."""

from __future__ import annotations

from pathlib import Path

from talkbase.write.atomic import write_text_atomic

# One file per kind; together the examples pass `check` with no warning (every reference resolves, every topic
# and source is cited). Example names say they are examples: nothing here is a fact.
EXAMPLES = {
    "actors.yaml": """\
# Actors: people, states, organizations, delegations, groups. Edit or delete these examples.
# Required: id, name, kind (person, state, organization, delegation, group).
# Optional: aliases, affiliation (an actor id), roles (title, since, until), description, wikidata.
actors:
  - id: example-minister
    name: Example Minister
    kind: person
    affiliation: example-state
  - id: example-state
    name: Example State
    kind: state
""",
    "sources.yaml": """\
# Sources: where every claim comes from. Edit or delete this example.
# Required: id, title. Optional: publisher, url, date, kind (article, speech, statement, briefing, ...),
# via (the source this one is known through), retrieved, archive, and its text (text, or text_file naming a
# .txt or .md file in this folder) to check every quote against.
sources:
  - id: example-article
    title: An example article about the talks
    publisher: Example News
    url: https://example.org/talks
    date: 2025-07
    kind: article
""",
    "topics.yaml": """\
# Topics: what positions are about. Edit or delete this example. Required: id, name. Optional: description.
topics:
  - id: example-ceasefire
    name: Ceasefire
""",
    "events.yaml": """\
# Events: talks, summits, addresses. Edit or delete this example.
# Required: id, title, date (YYYY, YYYY-MM or YYYY-MM-DD: no more precise than the source), sources.
# Optional: end, status (held, scheduled, postponed, cancelled), kind, location, participants, topics, summary,
# after and before (what it certainly comes after or before, when the dates do not show it).
events:
  - id: example-talks
    title: Example round of talks
    date: 2025-07-10
    kind: talks
    participants: [example-state]
    topics: [example-ceasefire]
    sources: [example-article]
""",
    "positions.yaml": """\
# Positions: who said what, on which topic, when, according to which sources. Edit or delete this example.
# Required: id, actor, topic, stance (supports, opposes, proposes, rejects, conditional, disputes, undecided),
# claim, date, sources. Optional: quote, event, contests, after, before.
positions:
  - id: example-minister-ceasefire
    actor: example-minister
    topic: example-ceasefire
    stance: supports
    claim: A ceasefire should start before the next round.
    date: 2025-07-10
    event: example-talks
    sources: [example-article]
""",
    "talkbase.yaml": """\
# Settings of this knowledge base (not records). Uncomment a line to add words to a vocabulary:
# actor kinds besides person, state, organization, delegation, group; source kinds besides article, speech,
# statement, briefing, interview, document, social.
# actor_kinds: [party]
# source_kinds: [manifesto]
""",
}


class StartError(Exception):
    """A knowledge base cannot be started there without overwriting something."""


def start_knowledge_base(root: Path, bare: bool = False) -> Path:
    """Make `root/data` (the folder may exist, empty) and, unless `bare`, the example files. Refuses before
    writing anything when a file it would write, or anything else in `data/`, exists; a failure half-way removes
    what it wrote."""
    data = root / "data"
    if data.exists() and not data.is_dir():
        raise StartError(f"{data} exists and is not a folder")
    if data.is_dir() and any(data.iterdir()):
        raise StartError(f"{data} already holds files; nothing was changed")
    data.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    try:
        for name, text in ({} if bare else EXAMPLES).items():
            write_text_atomic(data / name, text)
            written.append(data / name)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return data
