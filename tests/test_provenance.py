"""Where a claim comes from: sources known through others (`via`), independent origins, and quotes checked
against sources' texts — run as real commands on small inline knowledge bases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from talkbase.records.provenance import chain, origins
from talkbase.records.quotes import closest_passage, find_quote

from conftest import run, write_kb

HEAD = """
actors:
  - id: zelensky
    name: Volodymyr Zelensky
    kind: person
topics:
  - id: talks
    name: Talks
"""


def kb_with(tmp_path: Path, sources: str, positions: str, files: dict[str, str] | None = None) -> Path:
    write_kb(tmp_path / "data", {"kb.yaml": HEAD + sources + positions, **(files or {})})
    return tmp_path


def source(sid: str, via: str = "", extra: str = "") -> str:
    lines = f"  - id: {sid}\n    title: {sid.title()}\n    publisher: P\n"
    return lines + (f"    via: {via}\n" if via else "") + extra


def position(pid: str, sources: str, quote: str = "") -> str:
    text = f"  - id: {pid}\n    actor: zelensky\n    topic: talks\n    stance: supports\n    claim: {pid} said so.\n"
    text += f"    quote: {json.dumps(quote)}\n" if quote else ""
    return text + f"    date: 2025\n    sources: [{sources}]\n"


# Chains -----------------------------------------------------------------------------------------------------


def test_a_chain_is_followed_to_its_origin_and_a_loop_stops_it() -> None:
    via = {"speech": "report", "report": "wire", "a": "b", "b": "a"}
    assert chain("speech", via.get) == ["speech", "report", "wire"]
    assert chain("a", via.get) == ["a", "b"]
    assert origins(["speech", "report", "wire", "other"], via.get) == ["wire", "other"]


def test_a_loop_of_via_is_an_error_reported_once(tmp_path: Path) -> None:
    sources = "sources:\n" + source("a", "b") + source("b", "c") + source("c", "a") + source("d", "d")
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "a, d"))
    result = run("check", cwd=kb)
    assert result.code == 1
    loops = [line for line in result.out.splitlines() if "via" in line and ": error: " in line]
    assert loops == [
        "data/kb.yaml:12:10: error: the sources' `via` go round in a loop: a ← b ← c ← a (one of them is the "
        "original: remove its `via`)",
        "data/kb.yaml:24:10: error: source `d` is known through itself (remove `via`)",
    ]


def test_a_chain_through_a_missing_source_is_an_unknown_reference(tmp_path: Path) -> None:
    kb = kb_with(
        tmp_path, "sources:\n" + source("speech", "reprot") + source("report"), "positions:\n" + position("p", "speech")
    )
    result = run("check", cwd=kb)
    assert result.code == 1
    assert "data/kb.yaml:12:10: error: source `reprot` not found (did you mean `report`?)" in result.out


def test_via_must_name_a_source(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, "sources:\n" + source("speech", "zelensky"), "positions:\n" + position("p", "speech"))
    assert "`via` refers to `zelensky`, which is an actor, not a source" in run("check", cwd=kb).out


# Independence -----------------------------------------------------------------------------------------------

DIAMOND = "sources:\n" + source("wire") + source("report-a", "wire") + source("report-b", "wire") + source("other")
CLAIMS = "positions:\n" + position("one-origin", "report-a, report-b") + position("two-origins", "report-a, other")
CLAIMS += position("only", "other")


def test_sources_known_through_one_source_count_as_one_origin(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, DIAMOND, CLAIMS)
    check = run("check", cwd=kb)
    assert check.code == 0
    assert "warning: position `one-origin` cites 2 sources, but all come from one origin, `wire`" in check.out
    assert "two-origins" not in check.out
    sole = json.loads(run("sources", "--sole", "--format", "json", cwd=kb).out)
    assert sorted((p["id"], p["origin"]) for p in sole) == [("one-origin", "wire"), ("only", "other")]
    assert run("sources", "--sole", cwd=kb).out.splitlines()[0].split()[-2:] == ["sources", "origin"]
    table = {s["id"]: s["sole_claims_count"] for s in json.loads(run("sources", "--format", "json", cwd=kb).out)}
    assert table == {"wire": 1, "report-a": 0, "report-b": 0, "other": 1}  # credited to the origin


def test_show_source_lists_the_claims_resting_on_it_through_another(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, DIAMOND, CLAIMS)
    shown = run("show", "wire", cwd=kb).out
    direct, through = shown.split("Citing a source known through it (via):")
    assert "source  report-a" in direct and "one-origin" not in direct
    assert "position  one-origin" in through and "two-origins" in through and "  only" not in through
    data = json.loads(run("show", "wire", "-f", "json", cwd=kb).out)
    assert [r["id"] for r in data["resting_on_it"]] == ["one-origin", "two-origins"]
    assert json.loads(run("show", "other", "-f", "json", cwd=kb).out)["resting_on_it"] == []


def test_show_prints_each_sources_chain_and_the_origins(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, DIAMOND, CLAIMS)
    shown = run("show", "one-origin", cwd=kb).out
    assert "sources  Report-A (report-a) ← Wire (wire)\n         Report-B (report-b) ← Wire (wire)\n" in shown
    assert "origins  1 independent: wire\n" in shown
    assert json.loads(run("show", "two-origins", "-f", "json", cwd=kb).out)["origins"] == ["wire", "other"]


def test_exports_carry_via_and_the_number_of_origins(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, DIAMOND, CLAIMS)
    document = json.loads(run("export", "json", cwd=kb).out)
    assert {s["id"]: s["via"] for s in document["sources"]}["report-a"] == "wire"
    assert {p["id"]: p["origins"] for p in document["positions"]} == {"one-origin": 1, "two-origins": 2, "only": 1}
    db = tmp_path / "kb.sqlite"
    assert run("export", "sqlite", "-o", str(db), cwd=kb).code == 0
    import sqlite3

    with sqlite3.connect(db) as conn:
        rows = dict(conn.execute("SELECT id, origins FROM positions"))
        via = dict(conn.execute("SELECT id, via FROM sources"))
    assert rows == {"one-origin": 1, "two-origins": 2, "only": 1}
    assert via["report-b"] == "wire" and via["wire"] is None


# Quotes -----------------------------------------------------------------------------------------------------

ARTICLE = "He said there would be “no changes” to the delegation,\nwhich continues to be led by Medinsky.\n"


@pytest.mark.parametrize(
    "quote",
    [
        'there would be "no changes" to the delegation',
        "there would be “no changes”  to\nthe delegation",
        "there would be 'no changes' to the delegation",  # a quote inside a quote, in other marks
    ],
)
def test_a_quote_is_found_whatever_its_quote_marks_and_line_breaks(quote: str) -> None:
    found = find_quote(quote, ARTICLE)
    assert found is not None
    assert ARTICLE[found.start : found.end] == "there would be “no changes” to the delegation"


def test_a_near_miss_gets_the_closest_passage() -> None:
    assert find_quote("there will be no changes to the delegation", ARTICLE) is None
    assert closest_passage("there will be no changes to the delegation", ARTICLE).startswith("there would be")
    assert closest_passage("to be led by Medinski", ARTICLE) == "to be led by Medinsky"  # not its full stop
    assert closest_passage("led by Medinsky.", ARTICLE) == "led by Medinsky."
    assert closest_passage("would be no\nchange", ARTICLE) == "would be “no changes”"  # as written, one line


def test_check_verifies_quotes_against_a_text_file_through_the_chain(tmp_path: Path) -> None:
    sources = "sources:\n" + source("article", extra="    text_file: texts/article.md\n") + source("speech", "article")
    good = position("good", "speech", 'there would be "no changes" to the delegation')
    bad = position("bad", "speech", "there will be no changes")
    kb = kb_with(tmp_path, sources, "positions:\n" + good + bad, {"texts/article.md": ARTICLE})
    result = run("check", cwd=kb)
    assert result.code == 1
    assert [line for line in result.out.splitlines() if "quote not found" in line] == [
        "data/kb.yaml:31:12: error: quote not found in the text of `article` (the closest passage reads: "
        "there would be “no changes”)"
    ]
    kb_with(tmp_path, sources, "positions:\n" + good)  # the bad quote gone, show can run
    shown = run("show", "good", cwd=kb).out
    passage = "He said there would be “no changes” to the delegation, which continues"  # the quote in bold
    assert f"quoted in  Article (article): {passage}" in shown
    quoted = json.loads(run("show", "good", "-f", "json", cwd=kb).out)["quoted_in"]
    assert quoted == {
        "source": "article",
        "before": "He said ",
        "quote": "there would be “no changes” to the delegation",
        "after": ", which continues to be led by Medinsky.",
    }


def test_show_says_when_a_quote_has_no_text_to_be_checked_against(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, "sources:\n" + source("article"), "positions:\n" + position("p", "article", "no changes"))
    assert (
        "quoted in  not checked: a source it cites has no text (nor has one it is known through)"
        in run("show", "p", cwd=kb).out
    )
    assert json.loads(run("show", "p", "-f", "json", cwd=kb).out)["quoted_in"] is None
    unquoted = kb_with(tmp_path, "sources:\n" + source("article"), "positions:\n" + position("p", "article"))
    assert "quoted in" not in run("show", "p", cwd=unquoted).out
    assert "quoted_in" not in json.loads(run("show", "p", "-f", "json", cwd=unquoted).out)


def test_a_changed_text_file_is_checked_again_through_the_cache(tmp_path: Path) -> None:
    sources = "sources:\n" + source("article", extra="    text_file: texts/article.md\n")
    kb = kb_with(
        tmp_path, sources, "positions:\n" + position("p", "article", "no changes"), {"texts/article.md": ARTICLE}
    )
    assert run("check", cwd=kb).code == 0
    (kb / "data" / "texts" / "article.md").write_text("Something else entirely.\n", encoding="utf-8")
    assert run("check", cwd=kb).code == 1


@pytest.mark.parametrize(
    "name, reason",
    [
        ("../../outside.md", "lies outside the data folder; not read"),
        ("/etc/passwd.md", "is not a path relative to this file's folder"),
        ("texts/article.yaml", "is not a .txt or .md file"),
        ("texts/missing.md", "data/texts/missing.md: cannot read file: no such file"),
    ],
)
def test_a_text_file_is_read_only_inside_the_data_folder(tmp_path: Path, name: str, reason: str) -> None:
    (tmp_path / "outside.md").write_text("secret", encoding="utf-8")
    sources = "sources:\n" + source("article", extra=f"    text_file: {name}\n")
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "article", "secret"))
    result = run("check", cwd=kb)
    assert result.code == 1
    assert f"error: `text_file`: `{name}` {reason}" in result.out or f"error: `text_file`: {reason}" in result.out
    assert "quote not found" not in result.out  # an unread text checks no quote


def test_a_text_file_linked_from_outside_is_read_only_when_links_are_followed(tmp_path: Path) -> None:
    (tmp_path / "outside.md").write_text(ARTICLE, encoding="utf-8")
    sources = "sources:\n" + source("article", extra="    text_file: texts/article.md\n")
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "article", "no changes"), {"texts/x.md": ""})
    (kb / "data" / "texts" / "article.md").symlink_to(tmp_path / "outside.md")
    refused = run("check", cwd=kb)
    assert refused.code == 1
    assert (
        "error: `text_file`: `texts/article.md` is a symbolic link leading outside the data folder (to "
        f"{tmp_path / 'outside.md'}); not read (pass --follow-symlinks or set TALKBASE_FOLLOW_SYMLINKS=1 to read it)"
    ) in refused.out
    assert run("--follow-symlinks", "check", cwd=kb).code == 0
    (kb / "data" / "texts" / "gone.md").symlink_to(kb / "data" / "texts" / "deleted.md")
    gone = run("check", cwd=kb_with(tmp_path, sources.replace("article.md", "gone.md"), "positions:\n"))
    assert "error: `text_file`: data/texts/gone.md: cannot read file: a link to a file that does not exist" in gone.out


def test_text_and_text_file_together_is_an_error(tmp_path: Path) -> None:
    sources = "sources:\n" + source("article", extra="    text: Here.\n    text_file: texts/article.md\n")
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "article"), {"texts/article.md": ARTICLE})
    assert "error: a source has its text in `text` or in `text_file`, not both" in run("check", cwd=kb).out


def test_show_of_a_source_others_are_known_through(tmp_path: Path) -> None:
    sources = "sources:\n" + source("wire") + source("report", "wire")  # no dates: nothing to order them by
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "report"))
    result = run("show", "wire", cwd=kb)
    assert result.code == 0, result.err
    assert "source  report                       Report" in result.out


def test_an_export_carries_the_text_a_file_holds_and_imports_elsewhere(tmp_path: Path) -> None:
    sources = "sources:\n" + source("article", extra="    text_file: texts/article.md\n")
    kb = kb_with(
        tmp_path / "one",
        sources,
        "positions:\n" + position("p", "article", "no changes"),
        {"texts/article.md": ARTICLE},
    )
    document = json.loads(run("export", "json", cwd=kb).out)
    [article] = document["sources"]
    assert (article["text"], article["text_file"]) == (ARTICLE, None)
    other = tmp_path / "two" / "data"
    other.mkdir(parents=True)
    (tmp_path / "all.json").write_text(json.dumps(document), encoding="utf-8")
    assert run("import", str(tmp_path / "all.json"), "--data", str(other)).code == 0
    assert run("check", "--data", str(other)).code == 0  # the quote checked against the text that came along


def test_a_folder_or_a_too_large_file_as_text_is_a_located_error_not_a_traceback(tmp_path: Path) -> None:
    sources = (
        "sources:\n" + source("a", extra="    text_file: texts/dir.md\n") + source("b", extra="    text_file: big.md\n")
    )
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "a, b", "x"), {"big.md": "word " * 900_000})
    (kb / "data" / "texts" / "dir.md").mkdir(parents=True)
    result = run("check", cwd=kb)
    assert result.code == 1 and "Traceback" not in result.err
    assert "error: `text_file`: data/texts/dir.md: cannot read file: not a regular file" in result.out
    assert "error: `text_file`: data/big.md: file is larger than 4 MiB; not read (a source's text is at most 4 MiB" in (
        result.out
    )


def test_add_reads_a_text_file_from_the_folder_of_the_file_it_writes_to(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, "sources:\n" + source("s0"), "positions:\n" + position("p", "s0"), {"texts/i.md": "Hi."})
    (kb / "data" / "sub").mkdir()
    (kb / "data" / "sub" / "more.yaml").write_text("sources:\n" + source("s1"), encoding="utf-8")
    args = ["add", "source", "--title", "I", "--publisher", "P", "--file", "data/sub/more.yaml", "--no-input"]
    assert run(*args, "--text-file", "texts/i.md", cwd=kb).code == 1  # from data/sub, that is data/sub/texts
    assert run(*args, "--text-file", "../texts/i.md", cwd=kb).code == 0
    assert run("check", cwd=kb).code == 0


def test_reports_relaying_one_earlier_wire_count_as_one_origin(tmp_path: Path) -> None:
    sources = "sources:\n" + source("wire", extra="    date: 2025-07-08\n")
    sources += source("report-a", "wire", "    date: 2025-07-09\n")
    sources += source("report-b", "wire", "    date: 2025-07-10\n")
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "report-a, report-b"))
    result = run("check", cwd=kb)
    assert result.code == 0, result.out
    assert "cites 2 sources, but all come from one origin, `wire`" in result.out


def test_show_of_a_source_prints_its_whole_chain(tmp_path: Path) -> None:
    sources = "sources:\n" + source("paper") + source("speech", "paper") + source("interview", "speech")
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "interview"))
    assert "via        Speech (speech) ← Paper (paper)\n" in run("show", "interview", cwd=kb).out


# Found by trying it as a new user would ------------------------------------------------------------------------


def test_a_quote_matches_a_text_in_another_unicode_form_or_with_invisible_characters() -> None:
    import unicodedata

    text = unicodedata.normalize("NFD", "Recep Tayyip Erdoğan said the nego\u00adtiations were\u200b over.")
    found = find_quote("Erdoğan said the negotiations were over", text)
    assert found is not None and text[found.start : found.end].endswith("were\u200b over")
    assert closest_passage("Erdogan said", text) == unicodedata.normalize("NFD", "Erdoğan said")  # as written


def test_the_nearest_passage_of_a_long_quote_in_a_long_text_is_found_by_its_words() -> None:
    from talkbase.records.quotes import NEAREST_BUDGET

    text = "filler " * 10_000 + "the delegation will not change, said the spokesman. " + "filler " * 10_000
    quote = "the delegation will not change, said the spokesperson " + "and more words " * 20
    assert len(text) * len(quote) > NEAREST_BUDGET  # past the budget: anchored by whole words, quickly
    assert closest_passage(quote, text).startswith("the delegation will not change, said the spokesman.")
    assert closest_passage("nothing of this is " * 50 + "there", text) == ""


def test_a_quote_is_not_reported_when_a_source_it_cites_has_no_text(tmp_path: Path) -> None:
    sources = "sources:\n" + source("wire", extra="    text: Other words entirely.\n") + source("paper")
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "wire, paper", "words only the paper has"))
    assert run("check", cwd=kb).code == 0  # the paper, which has no text, may hold it
    kb = kb_with(tmp_path, sources, "positions:\n" + position("p", "wire", "words only the paper has"))
    assert "quote not found in the text of `wire`" in run("check", cwd=kb).out


def test_an_empty_via_text_or_quote_is_reported_as_empty_once(tmp_path: Path) -> None:
    sources = "sources:\n" + source("a", extra='    via: ""\n') + source("b", extra='    text: ""\n')
    claim = position("p", "b").replace("    date:", '    quote: ""\n    date:')
    result = run("check", cwd=kb_with(tmp_path, sources, "positions:\n" + claim))
    errors = [line.split(": error: ")[1] for line in result.out.splitlines() if ": error: " in line]
    assert sorted(errors) == [
        "`quote` is empty (give it text or remove it)",
        "`text` is empty (give it text or remove it)",
        "`via` is empty (give it an id or remove it)",
    ]


def test_a_long_chain_of_via_is_checked_in_one_walk(tmp_path: Path) -> None:
    chain_of = "sources:\n" + "".join(source(f"s{n}", f"s{n + 1}") for n in range(3000)) + source("s3000", "s0")
    result = run("check", cwd=kb_with(tmp_path, chain_of, "positions:\n" + position("p", "s5")))
    loops = [line for line in result.out.splitlines() if "go round in a loop" in line]
    assert len(loops) == 1 and loops[0].startswith("data/kb.yaml:12:10: error:") and "s0 ← s1 ← s2 ←" in loops[0]


def test_an_encoding_error_after_a_byte_order_mark_is_located_as_without_it(tmp_path: Path) -> None:
    body = b"actors:\n  - id: a\n    name: Caf\xe9 owner\n    kind: person\n"
    for data in (body, b"\xef\xbb\xbf" + body):
        (tmp_path / "data").mkdir(exist_ok=True)
        (tmp_path / "data" / "a.yaml").write_bytes(data)
        out = run("--no-cache", "check", cwd=tmp_path).out
        assert "data/a.yaml:3:14: error: file is not valid UTF-8 (byte 0xe9)" in out, data[:3]


def test_a_source_filter_takes_in_the_sources_known_through_it(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, DIAMOND, CLAIMS)
    listed = json.loads(run("positions", "--source", "wire", "-f", "json", cwd=kb).out)
    assert [p["id"] for p in listed] == ["one-origin", "two-origins"]  # through report-a and report-b
    assert json.loads(run("positions", "source:wire", "-f", "json", cwd=kb).out) == listed
    assert [p["id"] for p in json.loads(run("positions", "source:report-b", "-f", "json", cwd=kb).out)] == [
        "one-origin"
    ]


def test_rm_cascade_refuses_to_make_a_relayed_source_an_origin(tmp_path: Path) -> None:
    kb = kb_with(tmp_path, DIAMOND, CLAIMS)
    before = (kb / "data" / "kb.yaml").read_bytes()
    result = run("rm", "wire", "--cascade", cwd=kb)
    assert result.code == 1
    assert "data/kb.yaml:15:10: source report-a is known through it (via)" in result.err
    assert "`wire` is how other sources are known (above)" in result.err
    assert (kb / "data" / "kb.yaml").read_bytes() == before
    assert run("rm", "other", "--cascade", cwd=kb).code == 0  # an origin nothing is known through goes
