"""The knowledge base shipped in data/: clean, every record sourced, and faithful to the seed article."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest

from talkbase.load.kb import DataLocation, bundled_path, open_kb
from talkbase.records.model import KnowledgeBase

ARTICLE = "kyiv-independent-2025-07-talks-resume"
ADDRESS = "zelensky-evening-address-2025-07-21"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    opened = open_kb(DataLocation(bundled_path(), "bundled"))
    # One warning, which the article cannot settle: it gives no order for Zelensky's two statements on a summit.
    assert [(p.code, p.severity.value) for p in opened.problems] == [("order-unknown", "warning")]
    assert opened.kb is not None
    return opened.kb


def test_the_bundled_kb_is_the_repository_data_folder_or_its_installed_copy() -> None:
    path = bundled_path()
    assert path.name in ("data", "bundled")
    assert sorted(p.name for p in path.glob("*.yaml")) == ["actors.yaml", "events.yaml", "sources.yaml", "topics.yaml"]


def test_every_record_cites_a_source(kb: KnowledgeBase) -> None:
    for record in (*kb.actors, *kb.topics, *kb.events, *kb.positions):
        assert record.sources, record.id
        assert ARTICLE in record.sources, record.id  # everything is known through the article


def test_the_rounds_of_talks(kb: KnowledgeBase) -> None:
    rounds = {e.id: (e.date.text, e.status, e.location) for e in kb.events if e.kind == "talks"}
    assert rounds == {
        "istanbul-round-1": ("2025-05-16", "held", "Istanbul"),
        "istanbul-round-2": ("2025-06-02", "held", "Istanbul"),
        "istanbul-round-3": ("2025-07-23", "scheduled", "Istanbul"),
    }
    assert set(kb.by_id["istanbul-round-3"].topics) == {"prisoners-of-war", "abducted-children", "leaders-summit"}


def test_the_announcement_and_the_denial_that_contests_it(kb: KnowledgeBase) -> None:
    address = kb.by_id["zelensky-address-2025-07-21"]
    assert (address.date.text, address.kind, address.sources) == ("2025-07-21", "address", (ADDRESS, ARTICLE))
    denial = kb.by_id["peskov-no-final-date"]
    assert (denial.actor, denial.stance) == ("peskov", "disputes")
    assert set(denial.contests) == {"istanbul-round-3", "zelensky-third-round-announced"}


def test_quotes_are_the_articles_words(kb: KnowledgeBase) -> None:
    quotes = {p.id: p.quote for p in kb.positions if p.quote}
    assert quotes == {"peskov-delegation-unchanged": "no changes", "peskov-war-goals-battlefield": "on the battlefield"}


def test_days_appear_only_where_the_article_gives_them(kb: KnowledgeBase) -> None:
    days = {p.date.text for p in kb.positions if p.date.precision == "day"}
    assert days == {"2025-07-21"}  # the evening address is the only dated statement
    assert kb.by_id[ARTICLE].date.text == "2025-07"


def test_the_ceasefire_positions(kb: KnowledgeBase) -> None:
    stances = {p.actor: p.stance for p in kb.positions if p.topic == "ceasefire"}
    assert stances == {"ukraine": "proposes", "united-states": "supports", "russia": "rejects"}


# The command line on the bundled knowledge base, as the README promises.
def test_names_with_diacritics_and_other_scripts_find_actors() -> None:
    from conftest import run

    for name in ("erdogan", "Erdoğan", "ERDOGAN"):
        out = run("positions", "--actor", name, "--format", "json").out
        assert [p["id"] for p in json.loads(out)] == ["erdogan-joint-meeting"], name
    out = run("positions", "--actor", "Зеленський", "--format", "json").out
    assert {p["actor"] for p in json.loads(out)} == {"zelensky"}


def test_sources_by_url_host_or_publisher() -> None:
    from conftest import run

    for wanted in ("kyivindependent", "kyiv independent", "Kyiv Independent"):
        out = run("grep", "battlefield", "--source", wanted, "-l").out
        assert out == "peskov-war-goals-battlefield\n", wanted


@pytest.mark.parametrize(
    "args",
    [
        ["timeline", "--positions"],
        ["actors"],
        ["positions"],
        ["grep", "talks"],
        ["show", "zelensky"],
        ["show", "leaders-summit"],
        ["show", ARTICLE],
        ["show", "istanbul-round-3"],
        ["sources"],
        ["topics"],
    ],
)
def test_json_of_every_command_parses(args: list[str]) -> None:
    from conftest import run

    result = run(*args, "--format", "json")
    assert result.code == 0
    assert json.loads(result.out)


@pytest.mark.skipif(shutil.which("jq") is None, reason="jq is not installed on this machine")
def test_json_output_works_with_jq() -> None:
    from conftest import run

    out = run("positions", "--topic", "ceasefire", "--format", "json").out
    done = subprocess.run(["jq", "-r", ".[].actor"], input=out, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["ukraine", "united-states", "russia"]  # the proposal, then what answered it
