"""The knowledge base shipped in data/: clean, every record sourced, and faithful to the seed article."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from talkbase.load.kb import DataLocation, bundled_path, open_kb
from talkbase.records.model import KnowledgeBase
from talkbase.records.provenance import chain
from talkbase.records.quotes import find_quote

from conftest import REPO

ARTICLE = "kyiv-independent-2025-07-talks-resume"  # the text we hold: a summary relaying The Kyiv Independent
REPORT = "kyiv-independent-report"  # The Kyiv Independent's own report, known only through the summary
ADDRESS = "zelensky-evening-address-2025-07-21"
AUTHOR = "summary-author"  # the summary's unnamed author: the text names no author or publisher
SEED = Path("/work/shared/seed-article.md")


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    opened = open_kb(DataLocation(bundled_path(), "bundled"))
    # Two warnings, both true of the article: it gives no order for Zelensky's two statements on a summit, and it
    # names neither its own publisher nor its address.
    assert sorted((p.code, p.severity.value) for p in opened.problems) == [
        ("no-provenance", "warning"),
        ("order-unknown", "warning"),
    ]
    assert opened.kb is not None
    return opened.kb


def via_of(kb: KnowledgeBase):
    return lambda source: kb.by_id[source].via


def article_text() -> str:
    return (bundled_path() / "texts" / "kyiv-independent-2025-07.md").read_text(encoding="utf-8")


def test_the_bundled_kb_is_the_repository_data_folder_or_its_installed_copy() -> None:
    path = bundled_path()
    assert path.name in ("data", "bundled")
    assert sorted(p.name for p in path.glob("*.yaml")) == ["actors.yaml", "events.yaml", "sources.yaml", "topics.yaml"]


def test_every_record_cites_a_source(kb: KnowledgeBase) -> None:
    for record in (*kb.actors, *kb.topics, *kb.events, *kb.positions):
        assert record.sources, record.id
        for source in record.sources:  # everything is known through the article, directly or by `via`
            assert chain(source, via_of(kb))[-1] == ARTICLE, (record.id, source)


def test_the_rounds_of_talks(kb: KnowledgeBase) -> None:
    rounds = {e.id: (e.date.text, e.status, e.location) for e in kb.events if e.kind == "talks"}
    assert rounds == {
        "istanbul-round-1": ("2025-05-16", "held", "Istanbul"),
        "istanbul-round-2": ("2025-06-02", "held", "Istanbul"),
        "istanbul-round-3": ("2025-07-23", "scheduled", "Istanbul"),
    }
    assert set(kb.by_id["istanbul-round-3"].topics) == {
        "third-round-date",
        "prisoners-of-war",
        "abducted-children",
        "leaders-summit",
    }


def test_the_announcement_and_the_denial_that_contests_it(kb: KnowledgeBase) -> None:
    address = kb.by_id["zelensky-address-2025-07-21"]
    assert (address.date.text, address.kind, address.sources) == ("2025-07-21", "address", (ADDRESS, ARTICLE))
    denial = kb.by_id["peskov-no-final-date"]
    assert (denial.actor, denial.stance) == ("peskov", "disputes")
    assert set(denial.contests) == {"istanbul-round-3", "zelensky-third-round-announced"}


def test_quotes_are_the_articles_words(kb: KnowledgeBase) -> None:
    quotes = {p.id: p.quote for p in kb.positions if p.quote}
    assert quotes == {"peskov-delegation-unchanged": "no changes", "peskov-war-goals-battlefield": "on the battlefield"}


# Issue 14: the article's text is the bundled source's text, and every quote is verified against it.
def test_the_article_text_is_the_seed_article_byte_for_byte(kb: KnowledgeBase) -> None:
    import hashlib

    assert kb.by_id[ARTICLE].text_file == "texts/kyiv-independent-2025-07.md"
    raw = (bundled_path() / "texts" / "kyiv-independent-2025-07.md").read_bytes()
    assert raw.startswith(b"**Ukraine and Russia to Resume Peace Talks on July 23**\n")
    assert raw.endswith(b"\nRead More @ kyivindependent.com")  # as received: no newline after it
    assert hashlib.sha256(raw).hexdigest() == "91be5064331e4afc38029d8392841d5649e5b957b337b611ce419254d8130105"
    if SEED.is_file():  # where the seed article is at hand, the text is exactly its ```text block
        seed = SEED.read_text(encoding="utf-8")
        assert raw.decode("utf-8") == seed.split("```text\n", 1)[1].rsplit("```", 1)[0]


def test_every_quote_is_verified_against_the_article_text(kb: KnowledgeBase) -> None:
    from conftest import run

    result = run("check", "--format", "json")
    assert result.code == 0, result.out
    problems = json.loads(result.out)
    assert [p for p in problems if p["code"] in ("quote-not-found", "text-file")] == []
    assert sorted(p["code"] for p in problems) == ["no-provenance", "order-unknown"]
    text = article_text()
    quoted = [p for p in kb.positions if p.quote]
    assert quoted
    for position in quoted:
        texts = {s for source in position.sources for s in chain(source, via_of(kb))}
        assert ARTICLE in texts, position.id  # the quote is checked against the article's text
        assert find_quote(position.quote, text), position.id


def test_a_quote_not_in_the_article_is_reported(tmp_path: Path) -> None:
    """The check above is real: change one bundled quote and check finds it missing from the article's text."""
    from conftest import run

    data = tmp_path / "data"
    shutil.copytree(bundled_path(), data)
    russia = data / "positions" / "russia.yaml"
    russia.write_text(russia.read_text(encoding="utf-8").replace("quote: no changes", "quote: no change at all"))
    result = run("check", "--data", str(data), "--format", "json")
    assert result.code == 1
    missing = [p for p in json.loads(result.out) if p["code"] == "quote-not-found"]
    assert len(missing) == 1 and "no changes" in missing[0]["hint"]


# Issue 14: where each source comes from.
def test_the_article_is_a_summary_with_no_publisher_or_url_it_does_not_give(kb: KnowledgeBase) -> None:
    article = kb.by_id[ARTICLE]
    assert (article.title, article.date.text, article.via) == (
        "Ukraine and Russia to Resume Peace Talks on July 23",
        "2025-07",
        None,  # it is the text we hold: the origin of every chain
    )
    assert article.url is None  # "kyivindependent.com" is the site's home page, not the article's address
    assert article.publisher is None  # the summary names no publisher of its own
    assert "Read More @ kyivindependent.com" in (REPO / "data" / "sources.yaml").read_text(encoding="utf-8")


def test_the_kyiv_independent_report_is_known_only_through_the_summary(kb: KnowledgeBase) -> None:
    report = kb.by_id[REPORT]
    assert (report.publisher, report.via, report.url) == ("The Kyiv Independent", ARTICLE, None)
    assert report.date.text == "2025-07"  # relayed by the July 2025 summary, with the same news
    # Only its publisher cites it: no claim is the report's, since the summary never says which words are its.
    assert [r.id for r in (*kb.actors, *kb.events, *kb.positions) if REPORT in r.sources] == ["kyiv-independent"]
    assert all(s.url is None for s in kb.sources)  # the text gives no address of any source


def test_the_address_is_known_only_through_the_article(kb: KnowledgeBase) -> None:
    address = kb.by_id[ADDRESS]
    assert (address.via, address.kind, address.date.text) == (ARTICLE, "speech", "2025-07-21")


def test_every_claim_rests_on_one_origin_and_sources_sole_says_so(kb: KnowledgeBase) -> None:
    from conftest import run

    for position in kb.positions:
        assert {chain(s, via_of(kb))[-1] for s in position.sources} == {ARTICLE}, position.id
        assert len(position.sources) == 1, position.id  # never two citations of one origin (single-origin)
    out = run("sources", "--sole", "--format", "json").out
    assert sorted(p["id"] for p in json.loads(out)) == sorted(p.id for p in kb.positions)
    assert len(kb.positions) == 24  # README: "lists every claim, all 24 of them"


# Issue 14: the positions say only what the article says, attributed to whoever says it.
def test_peskovs_positions_hold_only_what_the_article_attributes_to_him(kb: KnowledgeBase) -> None:
    peskov = {p.id: p for p in kb.positions if p.actor == "peskov"}
    assert set(peskov) == {
        "peskov-supports-next-round",
        "peskov-no-final-date",
        "peskov-delegation-unchanged",
        "peskov-war-goals-battlefield",
    }
    unchanged = peskov["peskov-delegation-unchanged"]
    assert (unchanged.claim, unchanged.quote) == ("There will be no changes to the Russian delegation.", "no changes")
    assert "Medinsky" not in unchanged.claim and "led by" not in unchanged.claim
    # "This stance is at odds with ...": the article's judgment, not a contest of Peskov's.
    assert peskov["peskov-war-goals-battlefield"].contests == ()
    # The article does not say Peskov answered Zelensky's announcement of 21 July.
    for position in peskov.values():
        assert position.after == (), position.id
        assert (position.date.text, position.before) == ("2025", ("2025-08",)), position.id


def test_the_articles_narration_and_judgments_are_its_unnamed_authors(kb: KnowledgeBase) -> None:
    """Issue 14 and a new user's review: the summary names no author or publisher, and never says its words are
    The Kyiv Independent's; so its own claims are its unnamed author's, cited to the summary itself."""
    author = kb.by_id[AUTHOR]
    assert (author.kind, author.sources) == ("organization", (ARTICLE,))
    assert "unnamed author" in author.name and "names no author or publisher" in author.description
    own = {p.id: p for p in kb.positions if p.actor == AUTHOR}
    assert set(own) == {
        "summary-putin-declines-in-person",
        "summary-medinsky-leads-delegation",
        "summary-commitment-questioned",
        "summary-war-goals-at-odds",
        "summary-breakthrough-unlikely",
        "summary-talks-an-opportunity",
        "summary-leaders-engagement",
        "summary-no-end-in-sight",
    }
    for position in own.values():
        assert position.sources == (ARTICLE,), position.id  # the summary's words, in the text we hold
    leads = own["summary-medinsky-leads-delegation"]
    assert leads.topic == "russian-delegation-composition"
    assert "continues to be led by Putin's aide, Vladimir Medinsky" in leads.claim
    at_odds = own["summary-war-goals-at-odds"]
    assert (at_odds.topic, "at odds" in at_odds.claim) == ("war-goals", True)
    assert "peskov-war-goals-battlefield" in at_odds.after


def test_no_claim_is_the_kyiv_independents(kb: KnowledgeBase) -> None:
    """The Kyiv Independent is kept as the publisher of the report the summary points to, with no position."""
    publisher = kb.by_id["kyiv-independent"]
    assert (publisher.kind, publisher.sources) == ("organization", (ARTICLE, REPORT))
    assert [p.id for p in kb.positions if p.actor == "kyiv-independent"] == []
    assert [p.id for p in kb.positions if REPORT in p.sources] == []


def test_putins_refusal_in_person_is_the_articles_description_not_his_statement(kb: KnowledgeBase) -> None:
    assert [p.id for p in kb.positions if p.actor == "putin"] == []  # the article reports no words of Putin's
    on_topic = [(p.actor, p.stance) for p in kb.positions if p.topic == "putin-in-person"]
    assert on_topic == [(AUTHOR, "disputes")]
    assert "repeatedly declined to participate in person" in kb.by_id["summary-putin-declines-in-person"].claim


def test_forecasts_are_prospects_and_not_undecided(kb: KnowledgeBase) -> None:
    breakthrough = kb.by_id["summary-breakthrough-unlikely"]
    assert breakthrough.topic == "peace-prospects"
    no_end = kb.by_id["summary-no-end-in-sight"]
    assert (no_end.topic, no_end.stance != "undecided") == ("peace-prospects", True)
    assert [p.id for p in kb.positions if p.topic == "russian-commitment"] == ["summary-commitment-questioned"]
    assert [p.id for p in kb.positions if p.stance == "undecided"] == []


def test_umerovs_report_names_no_recipient(kb: KnowledgeBase) -> None:
    umerov = kb.by_id["umerov-talks-on-wednesday"]
    assert "Zelensky" not in umerov.claim  # the article does not say to whom Umerov reported
    assert umerov.sources == (ARTICLE,)  # given "according to Zelensky", not tied to the address
    assert ADDRESS not in umerov.before and "zelensky-address-2025-07-21" not in umerov.before


def test_round_3_keeps_the_announcement_and_the_denial_in_its_history(kb: KnowledgeBase) -> None:
    round3 = kb.by_id["istanbul-round-3"]
    assert "third-round-date" in round3.topics
    assert "no final date" in round3.summary and "Peskov" in round3.summary
    history = [(h.date.text, h.status, h.sources) for h in round3.history]
    assert history == [("2025-07-21", "scheduled", (ADDRESS,)), ("2025-07", "scheduled", (ARTICLE,))]
    assert "Zelensky" in round3.history[0].note and "23 July" in round3.history[0].note
    assert "Peskov" in round3.history[1].note and "No final date" in round3.history[1].note
    assert round3.status == "scheduled"


def test_medinsky_leads_the_russian_delegation_in_an_event_and_a_position(kb: KnowledgeBase) -> None:
    round3 = kb.by_id["istanbul-round-3"]
    assert "medinsky" not in round3.participants  # the text does not say he will attend
    assert "continues to be led by Putin's aide Vladimir Medinsky" in round3.summary
    assert any("Medinsky" in p.claim and "led by" in p.claim for p in kb.positions)
    assert "Head of the Russian delegation to the Istanbul talks" in [r.title for r in kb.by_id["medinsky"].roles]


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
    out = run("positions", "--actor", "U.S.", "--format", "json").out
    assert [p["id"] for p in json.loads(out)] == ["united-states-supports-ceasefire"]


def test_names_are_only_those_the_article_writes(kb: KnowledgeBase) -> None:
    article = (REPO / "data" / "texts" / "kyiv-independent-2025-07.md").read_text(encoding="utf-8")
    for actor in kb.actors:
        assert actor.wikidata is None, actor.id  # no Wikidata id: the article gives none
        for alias in actor.aliases:
            assert alias in article, (actor.id, alias)
    assert kb.by_id["erdogan"].name == "Recep Tayyip Erdogan"


def test_sources_by_url_host_or_publisher() -> None:
    from conftest import run

    # The Kyiv Independent publishes the report the summary relays, which no claim cites; the summary names no
    # publisher and no URL, and every claim cites it (Peskov's words and its author's own judgment alike).
    for wanted in ("kyiv independent", "Kyiv Independent", REPORT):
        result = run("grep", "battlefield", "--source", wanted, "-l")
        assert (result.code, result.out) == (1, ""), wanted
    for wanted in (ARTICLE, "Resume Peace Talks"):
        out = run("grep", "battlefield", "--source", wanted, "-l").out
        assert out == "peskov-war-goals-battlefield\nsummary-war-goals-at-odds\n", wanted


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


def test_sources_sole_shows_dates_as_positions_does() -> None:
    """A date narrowed by `before` reads the same in `sources --sole` as in `positions`: `2025 (by 2025-07-31)`."""
    import re

    from conftest import run

    def lines_by_claim(*args: str) -> dict[str, str]:
        table = run(*args).out.splitlines()
        return {row["claim"]: next(line for line in table if row["claim"][:40] in line)
                for row in json.loads(run(*args, "--format", "json").out)}  # fmt: skip

    sole, listed = lines_by_claim("sources", "--sole"), lines_by_claim("positions")
    narrowed = {claim: re.search(r"\(by [0-9-]+\)", line) for claim, line in listed.items()}
    assert any(narrowed.values())
    for claim, found in narrowed.items():
        assert found is None or found.group(0) in sole[claim], claim
