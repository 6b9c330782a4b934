"""`talkbase site`: the static site of a knowledge base, written atomically and byte for byte the same each time,
with every link leading to a page it holds and text from the data shown as text; then in a real browser
(headless Chromium driven by Playwright): every page loads with no error and no request leaving the machine,
the timeline draws every record, search folds diacritics, and hostile data runs nothing.

The browser tests need Chromium (`apt-get install -y chromium`; README, Development) and are skipped without it.
They take screenshots of the timeline, a topic page and an actor page, into a temporary folder, or into the
folder TALKBASE_SCREENSHOTS names: `TALKBASE_SCREENSHOTS=docs/screenshots` renews those the README shows (a
plain run leaves the checkout as it was).
"""

from __future__ import annotations

import atexit
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import pytest

from conftest import FIXTURES, REPO, run, write_kb

SCREENSHOTS = os.environ.get("TALKBASE_SCREENSHOTS")
if not SCREENSHOTS:  # taken only to be seen working: into a folder of the tests' own, removed at the end
    SCREENSHOTS = tempfile.mkdtemp(prefix="talkbase-screenshots-")
    atexit.register(shutil.rmtree, SCREENSHOTS, ignore_errors=True)


def build(out: Path, *args: str, env: dict[str, str] | None = None) -> dict[str, bytes]:
    result = run("site", str(out), *args, env=env)
    assert result.code == 0, result.err
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name in ("href", "src") and value is not None:
                self.links.append(value)


def links_of(page: bytes) -> list[str]:
    parser = _Links()
    parser.feed(page.decode("utf-8"))
    return parser.links


@pytest.fixture(scope="module")
def bundled_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "public"
    build(out)
    return out


def test_a_site_has_a_page_for_every_record_and_every_link_leads_to_a_page(bundled_site: Path) -> None:
    from talkbase.load.kb import DataLocation, open_kb

    kb = open_kb(DataLocation(REPO / "data", "--data"), use_cache=False).kb
    assert kb is not None
    for kind in ("actors", "sources", "topics", "events", "positions"):
        for record in getattr(kb, kind):
            assert (bundled_site / kind / f"{record.id}.html").is_file(), (kind, record.id)
    for page in bundled_site.rglob("*.html"):
        for link in links_of(page.read_bytes()):
            parts = urlsplit(link)
            if parts.scheme in ("http", "https"):
                continue  # a source's own address
            assert not parts.scheme and not parts.netloc, (page, link)  # nothing else leaves the site
            target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            assert target.is_file() and bundled_site in target.parents, (page, link)


def test_the_same_knowledge_base_gives_the_same_bytes(tmp_path: Path, bundled_site: Path) -> None:
    again = build(tmp_path / "again")
    first = {str(p.relative_to(bundled_site)): p.read_bytes() for p in bundled_site.rglob("*") if p.is_file()}
    assert again == first
    epoch = build(tmp_path / "epoch", env={"SOURCE_DATE_EPOCH": "1753228800"})
    assert b"built 2025-07-23 00:00 UTC" in epoch["index.html"]
    assert b"built" not in first["index.html"]
    assert (tmp_path / "epoch" / "actors" / "peskov.html").stat().st_mtime == 1753228800


def test_the_site_reports_what_it_wrote_and_keeps_pages_small(tmp_path: Path) -> None:
    result = run("site", str(tmp_path / "out"))
    assert result.code == 0
    assert re.search(r"^\d+ pages, \d+\.\d MB in all \(largest page: .+\); open .+index\.html$", result.err, re.M)
    assert all(p.stat().st_size < 1_000_000 for p in (tmp_path / "out").rglob("*"))


def test_large_listings_are_split_into_pages_that_link_each_other(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from talkbase.ask.filter import Filter
    from talkbase.load.kb import DataLocation, open_kb
    from talkbase.show.exports import select
    from talkbase.show.site import SiteOptions, build, pages
    from talkbase.show.site.timeline import GUTTER

    kb = open_kb(DataLocation(REPO / "data", "--data"), use_cache=False).kb
    assert kb is not None
    for name, size in (("PAGE_ROWS", 5), ("DISPUTE_ROWS", 1), ("TIMELINE_MARKS", 10)):
        monkeypatch.setattr(pages, name, size)
    files = build(select(kb, Filter(), dt.datetime(2025, 1, 1)), SiteOptions("t"))
    assert [n for n in files if n.startswith("positions/page-")] == [f"positions/page-{n}.html" for n in (2, 3, 4, 5)]
    second = files["positions/page-2.html"].decode()
    assert 'rel="prev" href="../positions/index.html"' in second and 'href="../positions/page-3.html"' in second
    assert "disputes/page-2.html" in files and "audits/page-2.html" in files
    months = sorted(n for n in files if n.startswith("timeline/"))  # the timeline, a page per month of 2025
    assert months[0] == "timeline/2025-01.html" and "timeline/2025-07.html" in months
    marks = {m for n in months for m in re.findall(r'href="../positions/([^"]+)\.html" class="mark', files[n].decode())}
    assert marks == {p.id for p in kb.positions}  # every position is drawn on the pages of its months
    xs = [float(x) for n in months for x in re.findall(r'<rect x="([-\d.]+)" y="[\d.]+" width', files[n].decode())]
    assert min(xs) >= GUTTER  # a year's bar is cut to the month, never drawn over the lane names


def test_a_query_selects_the_positions_and_names_outside_it_are_not_links(tmp_path: Path) -> None:
    files = build(tmp_path / "out", "topic:ceasefire")
    positions = {name for name in files if name.startswith("positions/") and name != "positions/index.html"}
    assert positions == {
        "positions/ukraine-ceasefire-proposal.html",
        "positions/united-states-supports-ceasefire.html",
        "positions/russia-rejects-ceasefire.html",
    }
    assert "actors/peskov.html" in files  # actors, sources and topics are always all there
    for name, page in files.items():
        if name.endswith(".html"):
            for link in links_of(page):
                if not urlsplit(link).scheme:
                    assert (tmp_path / "out" / Path(name).parent / unquote(urlsplit(link).path)).exists(), link


def test_a_failed_or_refused_build_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = build(out)
    broken = write_kb(tmp_path / "broken", {"kb.yaml": "actors:\n  - id: x\n"})
    failed = run("site", str(out), "--data", str(broken))
    assert failed.code == 1 and "error:" in failed.err
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("my own notes", encoding="utf-8")
    refused = run("site", str(mine))
    assert refused.code == 1 and "holds files no earlier site wrote, or changed since (notes.txt)" in refused.err
    assert (mine / "notes.txt").read_text(encoding="utf-8") == "my own notes"
    assert build(out) == before  # an earlier site is replaced


def test_only_an_earlier_site_is_replaced_and_nothing_of_the_user_s_in_it(tmp_path: Path) -> None:
    out = tmp_path / "out"
    build(out)
    (out / "actors" / "my-notes.txt").write_text("precious", encoding="utf-8")
    refused = run("site", str(out))
    assert refused.code == 1 and "wrote, or changed since (actors/my-notes.txt)" in refused.err
    assert (out / "actors" / "my-notes.txt").read_text(encoding="utf-8") == "precious"
    shaped = tmp_path / "shaped"  # named like a site's folders, but no site wrote them
    (shaped / "actors").mkdir(parents=True)
    (shaped / "index.html").write_text("<p>my homepage</p>", encoding="utf-8")
    assert run("site", str(shaped)).code == 1 and (shaped / "index.html").exists()
    (out / "actors" / "my-notes.txt").unlink()
    index = out / "index.html"
    index.write_text(index.read_text(encoding="utf-8") + "<p>my edit</p>", encoding="utf-8")
    edited = run("site", str(out))  # a page changed by hand is the user's now
    assert edited.code == 1 and "(index.html)" in edited.err and "my edit" in index.read_text(encoding="utf-8")
    nested = run("site", str(tmp_path / "new" / "deeper" / "out"))
    assert nested.code == 0 and (tmp_path / "new" / "deeper" / "out" / "index.html").is_file()
    here = run("site", ".", cwd=tmp_path / "out")
    assert here.code == 1 and "it is the current folder or holds it" in here.err


def test_pages_name_a_record_s_file_from_the_knowledge_base_never_the_builder_s_folders(tmp_path: Path) -> None:
    files = build(tmp_path / "out", "--data", str(REPO / "data"))
    assert "Defined in <code>actors.yaml</code>" in files["actors/peskov.html"].decode()
    assert str(REPO) not in b"".join(files.values()).decode()


def test_a_selection_of_nothing_is_said_and_draws_nothing(tmp_path: Path) -> None:
    result = run("site", str(tmp_path / "out"), "date:1990")
    assert result.code == 0 and "note: no events or positions match" in result.err
    page = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Nothing to draw" in page and '<svg class="timeline"' not in page
    assert "selected by <code>date:1990</code>" in page


def test_a_folder_of_other_files_or_a_file_is_never_replaced(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("mine", encoding="utf-8")
    for target, said in ((tmp_path, "holds files no earlier site wrote, or changed since (README.md)"),
                         (readme, "is a file, and this writes a folder"),
                         (Path("/dev/null"), "is a device or FIFO")):  # fmt: skip
        result = run("site", str(target))
        assert result.code == 1 and said in result.err, result.err
    assert readme.read_text(encoding="utf-8") == "mine"
    hostile = tmp_path / "x\x1b[31m"
    result = run("site", str(hostile))
    assert result.code == 0 and "\x1b" not in result.err and "x\\x1b[31m" in result.err


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/", "example.org", "https://"])
def test_base_url_must_be_an_http_address(tmp_path: Path, url: str) -> None:
    result = run("site", str(tmp_path / "out"), "--base-url", url)
    assert result.code == 2 and "is not an http(s) address" in result.err
    assert not (tmp_path / "out").exists()


def test_base_url_makes_every_link_absolute(tmp_path: Path) -> None:
    files = build(tmp_path / "out", "--base-url", "https://example.org/talks/")
    links = links_of(files["topics/ceasefire.html"])
    assert "https://example.org/talks/actors/russia.html" in links
    assert all(link.startswith(("https://", "#")) for link in links)


# Hostile data --------------------------------------------------------------------------------------------------

# Each would call tbPwned(where) if it ever ran as script; the browser test counts the calls.
ATTACKS = {
    "script": "<script>tbPwned('script')</script>",
    "img": "<img src=x onerror=tbPwned('img')>",
    "attr": "\"'><svg onload=tbPwned('attr')>",
    "close": "</script><script>tbPwned('close')</script>",
    "entity": "&lt;b&gt;not bold&lt;/b&gt;",
}
CONTROLS = "\x1b[31mred\u202eevil\u202c\x07zero\u200bwidth"
URLS = {  # addresses check accepts (http, a host) that would break out of an attribute if not escaped
    "url": "https://example.org/?a=1&b=\"><script>tbPwned('url')</script>",
    "archive": "https://archive.example/\"onmouseover=\"tbPwned('archive')",
    "relay": "https://example.org/'><svg/onload=tbPwned('relay-url')>",
}


def hostile_kb(folder: Path) -> Path:
    def q(where: str) -> str:
        return json.dumps(" ".join(ATTACKS.values()).replace("tbPwned('", f"tbPwned('{where}-") + " " + CONTROLS)

    return write_kb(folder, {"kb.yaml": f"""
        sources:
          - id: src
            title: {q("title")}
            publisher: {q("publisher")}
            url: {json.dumps(URLS["url"])}
            archive: {json.dumps(URLS["archive"])}
            text: {q("text")}
          - id: relay
            title: {q("relay")}
            via: src
            url: {json.dumps(URLS["relay"])}
        actors:
          - id: a
            name: {q("name")}
            aliases: [{q("alias")}]
            kind: person
            description: {q("description")}
            roles:
              - title: {q("role")}
          - id: b
            name: plain
            kind: state
        topics:
          - id: t
            name: {q("topic")}
            description: {q("topic-description")}
        events:
          - id: e
            title: {q("event")}
            date: 2025-07
            location: {q("location")}
            summary: {q("summary")}
            participants: [a, b]
            topics: [t]
            sources: [relay]
        positions:
          - id: p
            actor: a
            topic: t
            stance: supports
            claim: {q("claim")}
            quote: {q("text")}
            date: 2025-07-02
            event: e
            sources: [relay]
          - id: p2
            actor: b
            topic: t
            stance: rejects
            claim: plain
            date: 2025-07-03
            contests: [p]
            sources: [src]
        """})  # fmt: skip


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("hostile")
    out = folder / "public"
    result = run("site", str(out), "--data", str(hostile_kb(folder / "kb")))
    assert result.code == 0, result.err
    return out


def test_hostile_text_is_escaped_in_every_page_and_the_search_index(hostile_site: Path) -> None:
    for path in hostile_site.rglob("*"):
        if path.suffix not in (".html", ".js") or path.name == "site.js":
            continue
        text = path.read_text(encoding="utf-8")
        assert "<script>tbPwned" not in text and "<img src=x" not in text and "<svg onload" not in text, path
        assert "\x1b" not in text and "\u202e" not in text and "\u200b" not in text, path
        assert not re.search(r"href=[\"']?\s*(javascript|data):", text, re.I), path
    page = (hostile_site / "sources" / "src.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;tbPwned(&#39;title-script&#39;)&lt;/script&gt;" in page
    assert "\\x1b[31mred\\u202eevil" in page  # controls shown as escapes
    assert "&amp;lt;b&amp;gt;not bold" in page  # an entity in the data shows as typed
    assert 'href="https://example.org/?a=1&amp;b=&#34;&gt;&lt;script&gt;tbPwned(&#39;url&#39;)&lt;/script&gt;"' in page
    index = (hostile_site / "search-index.js").read_text(encoding="utf-8")
    assert "</script" not in index and "<" not in index


@pytest.mark.parametrize(
    ("url", "link"),
    [
        ("https://example.org/a?b=1", "https://example.org/a?b=1"),
        ("HTTP://EXAMPLE.ORG", "HTTP://EXAMPLE.ORG"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("data:text/html,<script>x</script>", None),
        ("https://exa mple.org", None),
        ("https://\u202eevil.example", None),
        ("//example.org", None),
        ("", None),
    ],
)
def test_only_http_addresses_become_links(url: str, link: str | None) -> None:
    from talkbase.records.text import web_url

    assert web_url(url) == link


# In a real browser ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("no chromium on PATH (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        found = playwright.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield found
        found.close()


class Visit:
    """A page opened in the browser, with what it logged and every request it made."""

    def __init__(self, browser: Any, url: str) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.add_init_script("window.tbRan = []; window.tbPwned = (where) => window.tbRan.push(where);")
        self.page.goto(url)

    def close(self) -> None:
        self.page.close()


def test_every_page_loads_with_no_error_and_no_request_leaving_the_machine(browser: Any, bundled_site: Path) -> None:
    pages = sorted(bundled_site.rglob("*.html"))
    assert len(pages) > 50
    for path in pages:
        visit = Visit(browser, path.as_uri())
        assert visit.errors == [], (path, visit.errors)
        assert all(url.startswith("file://") for url in visit.requests), (path, visit.requests)
        visit.close()


def test_the_timeline_draws_one_mark_per_event_and_position(browser: Any, bundled_site: Path) -> None:
    from talkbase.load.kb import DataLocation, open_kb

    kb = open_kb(DataLocation(REPO / "data", "--data"), use_cache=False).kb
    assert kb is not None
    visit = Visit(browser, (bundled_site / "index.html").as_uri())
    page = visit.page
    every = {*(e.id for e in kb.events), *(p.id for p in kb.positions)}
    for lanes in ("actor", "topic"):
        page.check(f"input[name=lanes][value={lanes}]")
        marks = page.locator(".drawing:visible svg a.mark")
        assert marks.count() == len(every)
        shown = {href.rsplit("/", 1)[-1].removesuffix(".html") for href in marks.evaluate_all(
            "marks => marks.map(m => m.getAttribute('href'))")}  # fmt: skip
        assert shown == every
    page.check("input[name=lanes][value=actor]")
    page.screenshot(path=str(_screenshot("timeline.png")))
    page.fill("input[name=from]", "2025-07-01")
    page.fill("input[name=to]", "2025-07-31")
    page.dispatch_event("input[name=to]", "change")
    visible = page.locator(".drawing:visible svg a.mark:visible").count()
    assert 0 < visible < len(every)  # zoomed to July: the May and June rounds are out of view
    assert visit.errors == []
    visit.close()


def _screenshot(name: str) -> Path:
    folder = Path(SCREENSHOTS)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def test_topic_and_actor_pages_show_the_matrix_and_history(browser: Any, bundled_site: Path) -> None:
    visit = Visit(browser, (bundled_site / "topics" / "third-round-date.html").as_uri())
    cells = visit.page.locator("table.matrix a.cell").all_text_contents()
    assert sorted(cells) == ["disputes", "supports", "supports"]  # the stance in words, not colour alone
    assert visit.page.locator("svg.timeline a.mark").count() == 3
    visit.page.screenshot(path=str(_screenshot("topic.png")), full_page=False)
    visit.close()
    visit = Visit(browser, (bundled_site / "actors" / "peskov.html").as_uri())
    assert visit.page.locator("svg.timeline a.mark").count() == 4
    visit.page.screenshot(path=str(_screenshot("actor.png")), full_page=False)
    visit.close()


def test_search_finds_a_record_by_an_alias_written_without_diacritics(browser: Any, tmp_path: Path) -> None:
    out = tmp_path / "small"
    build(out, "--data", str(FIXTURES / "kb-small"))
    for query, expected in (("erdoglu", "Kemal Erdoğlu"), ("ASA nordin", "Åsa Nordin"), ("судов", "Ivan Sudov"),
                            ("ivan sudov", "Ivan Sudov: A ceasefire only after a political settlement.")):  # fmt: skip
        visit = Visit(browser, (out / "search.html").as_uri() + "?q=" + query)
        names = visit.page.locator("#search-results a").all_text_contents()
        assert expected in names, (query, names)
        visit.page.fill("#search-q", "")
        assert visit.page.locator("#search-results li").count() == 0
        visit.close()


def test_search_reads_typographic_dashes_as_the_plain_ones_and_quotes_a_phrase(browser: Any, tmp_path: Path) -> None:
    """The page folds a query as the command line does, and as the index was folded (PLAIN_PUNCTUATION); a
    phrase in double quotes is found as written, as a query's phrase is."""
    out = tmp_path / "bundled"
    build(out, "--data", str(REPO / "data"))
    for query, found in (("direct ukraine-russia talks", True), ("direct Ukraine–Russia talks", True),
                         ("direct ukraine‒russia talks", True), ('"Ukraine-Russia talks"', True),
                         ("“direct  Ukraine–Russia”", True), ('"talks Ukraine-Russia"', False)):  # fmt: skip
        visit = Visit(browser, (out / "search.html").as_uri() + "?q=" + quote(query))
        titles = visit.page.locator("#search-results a").all_text_contents()
        assert ("Third round of direct Ukraine–Russia talks" in titles) == found, (query, titles)
        visit.close()


def test_hostile_data_renders_as_text_and_runs_nothing(browser: Any, hostile_site: Path) -> None:
    for path in sorted(hostile_site.rglob("*.html")):
        visit = Visit(browser, path.as_uri() + ("?q=script" if path.name == "search.html" else ""))
        assert visit.page.evaluate("window.tbRan") == [], path
        hrefs = visit.page.locator("a").evaluate_all(  # an SVG link's href is an object: its text, resolved
            "links => links.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"
        )
        assert all(h.startswith(("file://", "http://", "https://")) for h in hrefs), (path, hrefs)
        visit.close()
    visit = Visit(browser, (hostile_site / "positions" / "p.html").as_uri())
    claim = visit.page.locator("dd").nth(4).text_content() or ""
    assert "<script>tbPwned('claim-script')</script>" in claim and "\\x1b[31mred" in claim
    visit.close()
