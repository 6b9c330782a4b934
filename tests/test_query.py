"""The query language: read into a tree and written back (--explain), applied as the one filter, the options
standing for its terms, saved queries, errors pointing at their column; and docs/queries.md's examples."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from talkbase.ask.filter import bind
from talkbase.load.kb import DataLocation, open_kb
from talkbase.records.expr import FIELDS, WHITESPACE, And, ExprError, Field, Not, Or, Regex, Text, explain, parse
from talkbase.records.model import KnowledgeBase

from conftest import REPO, console_examples, run, talkbase_env, write_kb

DOC = (REPO / "docs" / "queries.md").read_text(encoding="utf-8")


def test_the_doc_has_ten_questions_and_a_table_of_every_term() -> None:
    questions = DOC.split("## Ten questions", 1)[1]
    assert len(re.findall(r"```console\n", questions)) == 10
    table = DOC.split("## Terms", 1)[1].split("##", 1)[0]
    assert {f for f in FIELDS} <= set(re.findall(r"^\| `(\w+):", table, flags=re.M))


@pytest.mark.parametrize(("command", "expected"), console_examples(DOC))
def test_doc_examples_are_real_output(command: str, expected: str) -> None:
    words = shlex.split(command)
    assert words[0] == "talkbase"
    result = run(*words[1:])
    assert result.code == 0, result.err
    assert result.out == expected


# Reading -------------------------------------------------------------------------------------------------------


def test_precedence_not_then_and_then_or() -> None:
    assert parse("a or b c") == Or((Text("a"), And((Text("b"), Text("c")))))
    assert parse("not a b") == And((Not(Text("a")), Text("b")))
    assert parse("-(a or b) and c") == And((Not(Or((Text("a"), Text("b")))), Text("c")))
    assert parse('actor:a,"b c" /x\\/y/') == And((Field("actor", ("a", "b c")), Regex("x/y")))
    assert parse("   ") is None


@pytest.mark.parametrize(
    ("text", "column", "message"),
    [
        ("actor:russia stanse:rej", 14, "unknown field 'stanse' at column 14 (did you mean 'stance'?)"),
        ("(actor:a", 1, "unclosed `(`"),
        ("actor:a )", 9, "`)` without its `(`"),
        ('"open', 1, "unclosed quote"),
        ("/open", 1, "unclosed regular expression"),
        ("a or", 5, "the expression ends where a term was expected"),
        ("actor:", 7, "`actor:` needs a value"),
        ("@", 1, "`@` must be followed by a saved query's name"),
    ],
)
def test_a_syntax_error_points_at_its_column(text: str, column: int, message: str) -> None:
    with pytest.raises(ExprError) as caught:
        parse(text)
    assert caught.value.column == column
    assert message in str(caught.value)


VALUES = st.text(alphabet="abcdefxyz-_.é", min_size=1, max_size=6)
WORDS = st.text(alphabet="abc é:\"'/()-,@", min_size=1, max_size=8)
TERMS = st.one_of(
    st.builds(lambda f, v: Field(f, tuple(v)), st.sampled_from(FIELDS), st.lists(VALUES, min_size=1, max_size=3)),
    st.builds(Text, WORDS),
    st.builds(Regex, st.text(alphabet="ab./*+?()[] ", min_size=1, max_size=6)),
)


def trees_of(terms: st.SearchStrategy[object], leaves: int) -> st.SearchStrategy[object]:
    """Query trees of these terms under not, and, or."""
    return st.recursive(
        terms,
        lambda inner: st.one_of(
            st.builds(Not, inner),
            st.builds(lambda n: And(tuple(n)), st.lists(inner, min_size=2, max_size=3)),
            st.builds(lambda n: Or(tuple(n)), st.lists(inner, min_size=2, max_size=3)),
        ),
        max_leaves=leaves,
    )


TREES = trees_of(TERMS, 8)


@settings(max_examples=300, deadline=None)
@given(TREES)
def test_every_tree_written_by_explain_reads_back_as_itself(tree: object) -> None:
    written = explain(tree)  # type: ignore[arg-type]
    assert parse(written) == tree
    assert explain(parse(written)) == written


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_junk_is_read_or_refused_with_a_column(text: str) -> None:
    try:
        tree = parse(text)
    except ExprError as exc:
        assert 1 <= exc.column <= len(text) + 1
    else:
        assert tree is None or parse(explain(tree)) == tree


# Applying ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bundled() -> KnowledgeBase:
    kb = open_kb(DataLocation(REPO / "data", "--data"), use_cache=False).kb
    assert kb is not None
    return kb


def _python(kb: KnowledgeBase, name: str) -> set[str]:
    """The ids a plain Python filter over the model gives, for the questions below."""
    ps = kb.positions
    return {
        "russia-no": {p.id for p in ps if p.actor in ("russia", "peskov") and p.stance in ("rejects", "disputes")},
        "zelensky-not-proposes": {p.id for p in ps if p.actor == "zelensky" and p.stance != "proposes"},
        "cease-or-summit": {p.id for p in ps if p.topic in ("ceasefire", "leaders-summit")},
        "battlefield": {p.id for p in ps if "battlefield" in p.claim.casefold()},
        "july": {p.id for p in ps if p.date.text.startswith("2025-07") or p.date.text == "2025"},
    }[name]


@pytest.mark.parametrize(
    ("name", "query"),
    [
        ("russia-no", "actor:russia,peskov stance:rejects,disputes"),
        ("russia-no", "(actor:russia or actor:peskov) (stance:rej or stance:disp)"),
        ("zelensky-not-proposes", "actor:zelensky -stance:proposes"),
        ("zelensky-not-proposes", "actor:volodymyr not stance:prop"),
        ("cease-or-summit", "topic:ceasefire or topic:leaders-summit"),
        ("cease-or-summit", "topic:cease,summit"),
        ("battlefield", "battlefield"),
        ("battlefield", "/BATTLE.?FIELD/ or /battle.?field/"),
        ("july", "date:2025-07"),
    ],
)
def test_a_query_gives_the_records_a_python_filter_gives(bundled: KnowledgeBase, name: str, query: str) -> None:
    test = bind(bundled, parse(query)).test("positions")
    assert {p.id for p in bundled.positions if test(p)} == _python(bundled, name)


BUNDLED_IDS = {  # values a generated query picks from: ids of the bundled knowledge base, and the stances
    "actor": ["russia", "peskov", "zelensky", "ukraine", "summary-author", "erdogan"],
    "topic": ["ceasefire", "leaders-summit", "third-round-date", "war-goals", "direct-talks"],
    "stance": ["supports", "proposes", "rejects", "disputes", "opposes"],
}
QUERY_TERMS = st.sampled_from(sorted(BUNDLED_IDS)).flatmap(
    lambda name: st.lists(st.sampled_from(BUNDLED_IDS[name]), min_size=1, max_size=3, unique=True).map(
        lambda values: Field(name, tuple(values))
    )
)
QUERY_TREES = trees_of(QUERY_TERMS, 6)


def _reference(tree: object, position: object) -> bool:
    """What a query means, said in plain Python over the model."""
    if isinstance(tree, Field):
        return getattr(position, tree.name) in tree.values
    if isinstance(tree, Not):
        return not _reference(tree.node, position)
    if isinstance(tree, And):
        return all(_reference(n, position) for n in tree.nodes)
    assert isinstance(tree, Or)
    return any(_reference(n, position) for n in tree.nodes)


@settings(max_examples=200, deadline=None)
@given(QUERY_TREES)
def test_every_generated_query_gives_the_records_of_plain_python(tree: object) -> None:
    kb = open_kb(DataLocation(REPO / "data", "--data"), use_cache=False).kb if not _KB else _KB[0]
    _KB[:] = [kb]
    read = parse(explain(tree))  # type: ignore[arg-type]  # as the command line reads it written out
    test = bind(kb, read).test("positions")
    assert [p.id for p in kb.positions if test(p)] == [p.id for p in kb.positions if _reference(tree, p)]


_KB: list[KnowledgeBase] = []


@pytest.mark.parametrize(
    ("command", "options", "query"),
    [
        ("positions", ["--actor", "russia", "--actor", "peskov"], "actor:russia,peskov"),
        ("positions", ["--topic", "ceasefire", "--stance", "rej"], "topic:ceasefire stance:rejects"),
        ("positions", ["--since", "2025-07", "--until", "2025-07-22"], "date:2025-07..2025-07-22"),
        ("positions", ["--source", "kyiv-independent-2025-07"], "source:kyiv-independent-2025-07"),
        ("positions", ["--known-at", "2025-07-21"], "known:2025-07-21"),
        ("actors", ["--kind", "pers"], "kind:person"),
        ("actors", ["--affiliation", "Russia"], "affiliation:russia"),
        ("actors", ["--affiliation", "ukraine", "--kind", "person"], "affiliation:ukr kind:person"),
    ],
)
def test_options_and_terms_give_the_same_records(command: str, options: list[str], query: str) -> None:
    by_options = run(command, *options, "--format", "json")
    by_query = run(command, query, "--format", "json")
    assert by_options.code == by_query.code == 0, by_options.err + by_query.err
    assert by_options.out == by_query.out
    assert json.loads(by_query.out)


def test_a_kind_talkbase_yaml_declares_is_a_kind_term_before_any_record_has_it(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(REPO / "data", tmp_path / "data")
    (tmp_path / "data" / "talkbase.yaml").write_text("actor_kinds: [party]\n", encoding="utf-8")
    for words in (["kind:party"], ["--kind", "party"]):
        none = run("actors", *words, cwd=tmp_path)
        assert (none.code, none.out, none.err) == (0, "", "no actors match\n")
    wrong = run("actors", "kind:partyy", cwd=tmp_path)
    assert wrong.code == 2 and "did you mean" in wrong.err


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (["positions", "--bogus"], "talkbase: error: no such option: --bogus"),
        (
            ["positions", "--stanse", "x"],
            "talkbase: error: no such option: --stanse (did you mean --since or --stance?)",
        ),
        (
            ["timeline", "-n", "abc"],
            "talkbase: error: invalid value for '--limit' / '-n': `abc` is not a number: give "
            "a number of rows of 1 or more",
        ),
        (["grep"], "talkbase: error: missing argument 'PATTERN'."),
        (["bogus"], "talkbase: error: no such command 'bogus'."),
        (
            ["positions", "actor:putn"],
            "talkbase: error: actor `putn` not found at column 7 (did you mean `putin`?); searched",
        ),
    ],
)
def test_every_usage_error_is_said_one_way_and_exits_2(args: list[str], first_line: str) -> None:
    result = run(*args)
    assert result.code == 2
    assert result.err.splitlines()[0].startswith(first_line)
    assert "Error:" not in result.err and "Possible options" not in result.err and "Input should" not in result.err


def test_check_warns_of_a_saved_query_that_fits_nothing(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(REPO / "data", tmp_path / "data")
    saved = 'queries:\n  ghost: "stance:rej actor:nobody"\n  fine: "actor:pes"\n'
    (tmp_path / "data" / "talkbase.yaml").write_text(saved, encoding="utf-8")
    checked = run("check", cwd=tmp_path)
    assert checked.code == 0
    assert ("data/talkbase.yaml:2:10: warning: saved query `ghost` fits nothing here: actor `nobody` not found at "
            "column 18 of it") in checked.out  # fmt: skip
    assert "`fine`" not in checked.out
    strict = run("check", "--strict", cwd=tmp_path)
    assert strict.code == 1 and "error: saved query `ghost` fits nothing here" in strict.out


def test_type_keeps_records_of_those_kinds_and_list_takes_no_query() -> None:
    found = json.loads(run("query", "type:pos,events", "actor:peskov,zelensky", "-f", "json").out)
    assert {r["type"] for r in found} == {"position", "event"}
    assert run("query", "--list", "actor:x").code == 2
    assert "unknown type `zz`" in run("query", "type:zz").err


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["positions", "-summit"], "hint: to leave out records holding a word, write `not summit`"),
        (["query", "--actor", "peskov"], "hint: write it in the query: actor:peskov"),
        (["--data", "data", "positions"], "hint: give --data after the command"),
        (["--data=data", "positions"], "hint: give --data after the command"),
        (["positions", "--no-cache"], "hint: give --no-cache before the command: talkbase --no-cache COMMAND"),
        (["grep", "x", "--follow-symlinks"], "hint: give --follow-symlinks before the command"),
    ],
)
def test_a_usage_error_says_what_was_probably_meant(args: list[str], hint: str) -> None:
    result = run(*args)
    assert result.code == 2 and hint in result.err
    assert "did you mean" not in result.err  # not Click's guess too (`--no-cache`: "did you mean --known-at?")


def test_an_option_without_its_value_gets_no_hint_meant_for_an_option_the_command_lacks() -> None:
    result = run("positions", "--since")
    assert result.code == 2 and "option '--since' requires an argument" in result.err
    assert "hint" not in result.err  # not "write it in the query: date:VALUE", which is not what --since means


def test_an_unknown_option_talkbase_has_no_hint_for_gets_clicks_guess() -> None:
    result = run("matrix", "--sinse", "2025")
    assert result.code == 2 and "no such option: --sinse (did you mean " in result.err and "--since" in result.err


@pytest.mark.parametrize(
    ("args", "header"),
    [
        (["positions", "actor:peskov", "stance:rej"], "id,actor,topic,stance,claim,quote,date,event,contests,sources"),
        (["timeline", "--since", "2030"], "type,id,title,date,end,status,kind,location,participants,topics"),
        (["grep", "zzzqqq"], "type,id,date,actor,participants,field,text,matches"),
        (["disputes", "actor:trump"], "type,topic,claim,claim_actor,claim_stance,claim_date,claim_text"),
        (["sources", "date:2030"], "id,title,publisher,url,date,kind,via"),
    ],
)
def test_an_empty_csv_still_has_its_header_row(args: list[str], header: str) -> None:
    result = run(*args, "-f", "csv")
    assert result.code == (1 if args[0] == "grep" else 0)  # grep, as ripgrep, says "nothing found" by its status
    assert result.out.startswith(header) and len(result.out.splitlines()) == 1
    assert "match" in result.err


def test_typographic_apostrophes_match_plain_ones() -> None:
    plain = run("positions", "Ukraine's", "-f", "json").out
    assert json.loads(plain) and run("positions", "Ukraine’s", "-f", "json").out == plain
    assert run("grep", "Ukraine’s", "-c").out == run("grep", "Ukraine's", "-c").out == "4\n"


def test_typographic_dashes_match_plain_ones() -> None:
    """A hyphen typed finds the en dash written (`Ukraine–Russia`) in grep, in names and in the query words."""
    assert run("grep", "Ukraine-Russia", "-c").out == run("grep", "Ukraine–Russia", "-c").out == "3\n"
    assert run("grep", "ukraine−russia", "-c").out == "3\n"  # a minus sign, as pasted from a PDF
    found = run("timeline", "event:ukraine-russia")
    assert found.code == 2 and "istanbul-round-1 (First round of direct Ukraine–Russia talks)" in found.err
    assert run("show", "Direct Ukraine-Russia talks").out.startswith("topic direct-talks")
    assert run("timeline", '"Ukraine-Russia talks"', "-f", "csv").out.count("\n") == 4  # header and 3 rounds


@pytest.mark.parametrize(
    ("pattern", "count"),
    [
        ("agreed[,–;]", "0\n"),  # a comma, a dash or a semicolon: not the range from `,` to `;` (`.` is in it)
        ("agreed[,-;]", "2\n"),  # typed so, it is that range: "had been agreed."
        ("Ukraine[–]Russia", "3\n"),
        ("Ukraine\\–Russia", "3\n"),  # an escaped dash
        ("Ukraine(–)Russia", "3\n"),
    ],
)
def test_a_typographic_dash_in_a_regular_expression_is_a_plain_dash(pattern: str, count: str) -> None:
    assert run("grep", pattern, "-c").out == count


def test_a_count_in_csv_has_a_header() -> None:
    assert run("grep", "summit", "-c", "-f", "csv").out == "count\n3\n"


def test_every_listing_takes_a_query() -> None:
    for command in ("timeline", "positions", "matrix", "history", "disputes", "actors", "sources", "topics"):
        result = run(command, "id:zz-no-such-record")
        assert result.code == 2 and "no record `zz-no-such-record`" in result.err, command
    assert run("grep", "x", "id:zz-nothing").code == 2
    assert run("export", "json", "id:zz-nothing").code == 2
    assert json.loads(run("export", "json", "actor:peskov").out)["positions"]


def test_an_error_in_a_query_points_at_its_column_and_exits_2() -> None:
    result = run("positions", "actor:russia stanse:rej")
    assert result.code == 2
    assert result.err == (
        "talkbase: error: unknown field 'stanse' at column 14 (did you mean 'stance'?)\n"
        "  actor:russia stanse:rej\n"
        "               ^\n"
    )
    unknown = run("positions", "actor:putn")
    assert unknown.code == 2
    assert "actor `putn` not found at column 7 (did you mean `putin`?); searched" in unknown.err
    assert run("positions", "known:2025-13").code == 2
    assert "`known:` applies to the whole query" in run("positions", "not known:2025").err


def test_options_take_prefixes_in_any_case_and_say_what_is_allowed() -> None:
    assert (
        run("positions", "--stance", "REJ", "--format", "json").out
        == run("positions", "--stance", "rejects", "--format", "json").out
    )
    assert "Third round" in run("timeline", "--kind", "Talks").out
    refused = run("positions", "--stance", "maybe")
    assert refused.code == 2
    assert "unknown stance `maybe` (use one of supports, opposes, proposes, rejects" in refused.err
    assert "Input should be" not in run("timeline", "-n", "0").err  # no validation library's wording


def test_saved_queries_are_used_listed_and_checked(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(REPO / "data", tmp_path / "data")
    settings_file = tmp_path / "data" / "talkbase.yaml"
    settings_file.write_text(
        'queries:\n  russia-no: "actor:russia,peskov stance:rejects,disputes"\n  peskov: "@russia-no actor:peskov"\n',
        encoding="utf-8",
    )
    saved = run("positions", "@russia-no", "--format", "json", cwd=tmp_path)
    assert [p["id"] for p in json.loads(saved.out)] == ["peskov-no-final-date", "russia-rejects-ceasefire"]
    nested = run("positions", "@peskov", "--format", "json", cwd=tmp_path)
    assert [p["id"] for p in json.loads(nested.out)] == ["peskov-no-final-date"]
    listed = run("query", "--list", "--format", "json", cwd=tmp_path)
    assert [q["name"] for q in json.loads(listed.out)] == ["peskov", "russia-no"]
    assert "did you mean '@russia-no'?" in run("positions", "@russia", cwd=tmp_path).err
    settings_file.write_text('queries:\n  bad: "stanse:x"\n  a: "@b"\n  b: "@a x"\n  c: "@undef"\n', encoding="utf-8")
    check = run("check", cwd=tmp_path)
    assert check.code == 1
    errors = [line for line in check.out.splitlines() if "talkbase.yaml" in line]
    assert errors == [
        "data/talkbase.yaml:2:8: error: saved query `bad`: unknown field 'stanse' at column 1 of the query "
        "(did you mean 'stance'?)",
        "data/talkbase.yaml:3:6: error: saved queries loop: @a → @b → @a",
        "data/talkbase.yaml:5:6: error: saved query `c` uses `@undef`, which is not saved (save it, or correct the "
        "name)",
    ]
    assert run("positions", "actor:peskov", cwd=tmp_path).code == 1  # the knowledge base has errors


# grep, as ripgrep -------------------------------------------------------------------------------------------------


def test_grep_matches_every_record_with_the_empty_pattern_or_a_caret() -> None:
    everything = run("grep", "x*", "--count").out
    assert run("grep", "", "--count").out == run("grep", "^", "--count").out == everything
    assert int(everything) == 24 + 4  # every position and event


def test_grep_folds_diacritics_unless_told_not_to(tmp_path: Path) -> None:
    from conftest import write_kb

    write_kb(
        tmp_path / "data",
        {
            "kb.yaml": "actors:\n  - {id: sf, name: Sinn Féin, kind: organization}\ntopics:\n  - {id: t, name: T}\n"
            "sources:\n  - {id: s, title: S, publisher: P}\npositions:\n  - {id: p, actor: sf, topic: t, stance: "
            "supports, claim: Sinn Féin backs it., date: 2025, sources: [s]}\n"
        },
    )
    assert run("grep", "sinn fein", "-l", cwd=tmp_path).out == "p\n"
    assert run("grep", "sinn fein", "-l", "--no-fold", cwd=tmp_path).code == 1
    assert run("grep", "sinn féin", "-l", cwd=tmp_path).out == "p\n"
    assert run("query", "sinn fein", "--format", "json", cwd=tmp_path).out.count('"id"') == 2  # actor, position


def test_grep_searches_locations_names_who_and_counts_as_json() -> None:
    hits = json.loads(run("grep", "istanbul", "--format", "json").out)
    assert {h["id"] for h in hits if h["field"] == "location"} == {"istanbul-round-1", "istanbul-round-2",
                                                                   "istanbul-round-3"}  # fmt: skip
    event = next(h for h in hits if h["id"] == "istanbul-round-1")
    assert (event["actor"], event["participants"]) == (None, ["ukraine", "russia", "russian-delegation"])
    claim = next(h for h in hits if h["type"] == "position")
    assert claim["actor"] == "zelensky"
    assert "Ukraine, Russia, Russian delegation" in run("grep", "istanbul").out  # the who column
    assert json.loads(run("grep", "cease", "--count", "--format", "json").out) == {"count": 5}
    assert run("grep", "ceasefire", "-s", "kyiv-independent-2025-07", "--count").out == "5\n"  # -s: --source


# Options that behave the same everywhere ------------------------------------------------------------------------


def test_one_short_flag_means_one_thing_in_every_command() -> None:
    import typer

    from talkbase.cli import app

    meaning: dict[str, set[str]] = {}

    def walk(command: typer.core.TyperCommand) -> None:
        for param in command.params:
            if isinstance(param, typer.core.TyperOption):
                longs = [o for o in param.opts + param.secondary_opts if o.startswith("--")]
                for short in (o for o in param.opts if len(o) == 2):
                    meaning.setdefault(short, set()).update(longs)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    assert {short: longs for short, longs in meaning.items() if len(longs) > 1} == {}
    assert meaning["-s"] == {"--source"} and meaning["-f"] == {"--format"}


# Tables in a narrow terminal ------------------------------------------------------------------------------------


def _in_terminal(columns: int, *args: str) -> list[str]:
    """The lines a command prints in a pseudo-terminal `columns` wide, colours taken off."""
    import fcntl
    import os
    import pty
    import struct
    import subprocess
    import sys
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "NO_COLOR") and "TALKBASE" not in k}
    process = subprocess.Popen(
        [sys.executable, "-m", "talkbase", *args], stdout=slave, stderr=slave, cwd=REPO, env={**env, "TERM": "xterm"}
    )
    os.close(slave)
    output = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:
            break
        if not chunk:
            break
        output += chunk
    process.wait(timeout=60)
    os.close(master)
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", output.decode("utf-8"))
    return [line.rstrip("\r") for line in text.split("\n")]


LISTINGS = [
    ["positions"], ["grep", "ceasefire"], ["timeline", "--positions"], ["sources", "--sole"], ["query", "e"],
    ["actors"], ["sources"], ["topics"], ["disputes"], ["history"],
]  # fmt: skip


@pytest.mark.parametrize("columns", [60, 80, 120])
@pytest.mark.parametrize("args", LISTINGS, ids=lambda a: " ".join(a))
def test_tables_fit_the_terminal_and_keep_words_whole(columns: int, args: list[str]) -> None:
    from rich.cells import cell_len

    lines = _in_terminal(columns, *args)
    assert all(cell_len(line) <= columns for line in lines), max(lines, key=cell_len)
    if columns < 80:
        return  # at 60 columns some words must be cut: only the width is promised
    whole = {word for line in _in_terminal(400, *args) for word in line.split()}  # nothing is cut at 400

    def broken_at_hyphens(token: str) -> bool:  # a run of a word's parts: it breaks after a `-` or `–` only
        return any(
            (word.startswith(token) or word[at - 1] in "-–") and (word.endswith(token) or token.endswith(("-", "–")))
            for word in whole
            for at in [word.find(token)]
            if at >= 0
        )

    def part_of_an_id(token: str) -> bool:  # ids give way first: cut only where nothing else could
        return any(token in word for word in whole if re.fullmatch(r"[a-z0-9][a-z0-9._-]*-[a-z0-9._-]+", word))

    shown = {word for line in lines for word in line.split()}
    cut = sorted(t for t in shown - whole if not broken_at_hyphens(t))
    if args == ["sources", "--sole"] and columns == 80:  # seven columns whose longest words take 83 cells
        assert cut and all(part_of_an_id(t) for t in cut)
    else:
        assert cut == []


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("act", ["actor:"]),
        ("stance:re", ["stance:rejects"]),
        ("actor:pes", ["actor:peskov"]),
        ("actor:russia,pe", ["actor:russia,peskov"]),
        ("@ru", ["@russia-no"]),
    ],
)
def test_the_shell_completes_a_query(tmp_path: Path, word: str, expected: list[str]) -> None:
    import os
    import shutil
    import subprocess
    import sys

    shutil.copytree(REPO / "data", tmp_path / "data")
    (tmp_path / "data" / "talkbase.yaml").write_text('queries:\n  russia-no: "actor:russia"\n', encoding="utf-8")
    script = Path(sys.executable).parent / "talkbase"
    env = {**os.environ, "_TALKBASE_COMPLETE": "complete_bash", "COMP_CWORD": "2",
           "COMP_WORDS": f"talkbase positions {word}"}  # fmt: skip
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert done.stdout.split() == expected


def _bash_completes(tmp_path: Path, typed: str, expected: str = "") -> str:
    """The command line after typing `typed` and a tab in an interactive bash that sourced talkbase's script
    (waiting up to 20 s for `expected` to be drawn, on a slow machine, then until bash says nothing for 1 s)."""
    import os
    import pty
    import select
    import shutil
    import subprocess
    import sys
    import time

    bin_dir = Path(sys.executable).parent
    script = subprocess.run(
        [str(bin_dir / "talkbase"), "--show-completion", "bash"], capture_output=True, text=True, timeout=60
    ).stdout
    (tmp_path / "complete.sh").write_text(script, encoding="utf-8")
    if not (tmp_path / "data").exists():
        shutil.copytree(REPO / "data", tmp_path / "data")
        (tmp_path / "data" / "talkbase.yaml").write_text('queries:\n  russia-no: "actor:russia"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if "TALKBASE" not in k}
    pid, fd = pty.fork()
    if pid == 0:  # the child: a user's bash (its default COMP_WORDBREAKS holds ':' and '@')
        os.chdir(tmp_path)
        os.execvpe("bash", ["bash", "--norc", "--noprofile", "-i"],
                   {**env, "PS1": "$ ", "TERM": "dumb", "PATH": f"{bin_dir}:{env['PATH']}"})  # fmt: skip
    output = b""

    def read_until(done: bytes, seconds: float, quiet: float = 0) -> None:  # or until bash says nothing for `quiet`
        nonlocal output
        end = time.monotonic() + seconds
        while done not in output and time.monotonic() < end:
            if not select.select([fd], [], [], quiet or 0.1)[0]:
                if quiet:
                    return
                continue
            try:
                output += os.read(fd, 65536)
            except OSError:
                return

    os.write(fd, b'source complete.sh; echo "READ""Y"\n')  # READY is in its output only
    read_until(b"READY\r\n$ ", 20)
    output = b""
    os.write(fd, typed.encode() + b"\t")
    read_until(expected.encode() or b"\x00", 20, quiet=0 if expected else 1.0)  # until the completion is drawn
    read_until(b"\x00", 2, quiet=1.0)  # and nothing more follows
    os.write(fd, b"\x15exit\n")
    os.waitpid(pid, 0)
    os.close(fd)
    return output.decode().split("\r")[0].replace("\x07", "")


@pytest.mark.skipif(not __import__("shutil").which("bash"), reason="needs bash")
@pytest.mark.parametrize(
    ("typed", "completed"),
    [
        ("talkbase positions actor:pes", "talkbase positions actor:peskov "),
        ("talkbase positions actor:russia,pes", "talkbase positions actor:russia,peskov "),
        ("talkbase positions stance:rej", "talkbase positions stance:rejects "),
        ("talkbase positions stan", "talkbase positions stance:"),  # no space: the value follows
        ("talkbase grep 'sinn f' actor:pes", "talkbase grep 'sinn f' actor:peskov "),
        ("talkbase positions @ru", "talkbase positions @russia-no "),
        ("talkbase timeline kind:ta", "talkbase timeline kind:talks "),
        ("talkbase timeline --kind ta", "talkbase timeline --kind talks "),
        ("talkbase positions 'actor:russia stance:re", "talkbase positions 'actor:russia stance:rejects' "),
        ('talkbase positions "actor:russia or actor:pes', 'talkbase positions "actor:russia or actor:peskov" '),
    ],
)
def test_bash_completes_a_query_word_it_breaks_at_colons_and_at_signs(
    tmp_path: Path, typed: str, completed: str
) -> None:
    assert _bash_completes(tmp_path, typed, completed) == completed


# Found by trying it as a new user would ----------------------------------------------------------------------------


def test_a_negated_term_given_as_its_own_word_is_a_query_not_an_option() -> None:
    negated = run("positions", "actor:peskov", "-stance:supports", "--format", "json")
    assert negated.code == 0, negated.err
    assert [p["id"] for p in json.loads(negated.out)] == ["peskov-no-final-date"]
    assert run("query", "--explain", "-(a or b)").out == "not (a or b)\n"
    assert run("positions", "-stance:supports actor:peskov", "--format", "json").out == negated.out
    assert run("grep", "summit", "-c").out == "3\n"  # a short option stays an option


@pytest.mark.parametrize(
    ("text", "read_as"),
    [
        ("/no final/i", "/(?i)no final/"),
        ("'no final date' Russia's", '"no final date" and Russia\'s'),
        ("actor:'russia' 'say \"x\"'", 'actor:russia and "say \\"x\\""'),
        ("a -- b", 'a and "--" and b'),  # a double dash is a word, not `not -`
    ],
)
def test_single_quotes_regex_flags_and_dashes_read_as_a_user_means(text: str, read_as: str) -> None:
    assert explain(parse(text)) == read_as


def test_a_quoted_word_of_several_terms_is_a_group_of_its_own() -> None:
    grouped = run("query", "--explain", "actor:russia or actor:peskov", "stance:sup")
    assert grouped.out == "(actor:russia or actor:peskov) and stance:sup\n"
    assert run("query", "--explain", "actor:russia", "or", "actor:peskov", "stance:sup").out == (
        "actor:russia or (actor:peskov and stance:sup)\n"
    )  # words the shell split stay one expression
    for halves in (["actor:russia or", "actor:peskov"], ["(actor:russia", "or actor:peskov)"]):  # not groups
        assert run("query", "--explain", *halves).out == "actor:russia or actor:peskov\n"
    found = run("positions", "actor:russia or actor:peskov", "stance:sup", "-f", "json")
    ids = {p["id"] for p in json.loads(found.out)}
    assert ids and "russia-rejects-ceasefire" not in ids


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("date:2025-13", "impossible date `2025-13` at column 6: there is no month 13;"),
        ("date:99999", "malformed date `99999` at column 6; write YYYY"),
        ("id:pesk", "id `pesk` is ambiguous at column 4: it could be peskov, "),
        ("stance:rej,", "`stance:` needs a value after its comma at column 12"),
        ("()", "empty parentheses `()` at column 1: put a term in them, or leave them out"),
        ("“no changes” stanse:x", "unknown field 'stanse' at column 14"),  # typographic quotes read as quotes
    ],
)
def test_errors_say_the_column_after_what_is_wrong(query: str, message: str) -> None:
    result = run("positions", query)
    assert result.code == 2 and message in result.err.splitlines()[0], result.err


def test_a_long_query_shows_the_part_around_its_error() -> None:
    result = run("positions", "a " * 3000 + "stanse:x")
    line, caret = result.err.splitlines()[1:3]
    assert line.startswith("  …") and line.endswith("stanse:x") and len(line) < 140
    assert caret.index("^") == line.index("stanse:x")


def test_saved_names_any_case_and_spaces_of_any_kind() -> None:
    assert run("query", "--explain", "@Russia-No").out.splitlines()[0] == "@russia-no"
    assert run("query", "--explain", "a\u2028b\u3000c").out == "a and b and c\n"


@pytest.mark.parametrize(
    ("args", "ids"),
    [
        (["actors", "kind:s"], ["ukraine", "russia", "turkey", "united-states"]),  # among actors, `s` is state
        (["actors", "--kind", "s"], ["ukraine", "russia", "turkey", "united-states"]),  # (not speech, statement)
        (["timeline", "--kind", "a"], ["zelensky-address-2025-07-21"]),  # an event kind, not `article`
        (["query", "kind:art"], ["kyiv-independent-2025-07-talks-resume"]),
        (["sources", "kind:sp"], ["zelensky-evening-address-2025-07-21"]),
        (["query", "type:s", "kind:sp"], ["zelensky-evening-address-2025-07-21"]),  # type:s is only source
    ],
)
def test_a_kind_is_read_among_the_kinds_of_each_kind_of_record(args: list[str], ids: list[str]) -> None:
    result = run(*args, "-f", "json")
    assert result.code == 0, result.err
    assert [r["id"] for r in json.loads(result.out)] == ids


@pytest.mark.parametrize("args", [["sources", "kind:s"], ["query", "kind:s"]])
def test_a_kind_prefix_two_kinds_share_is_ambiguous_not_nothing(args: list[str]) -> None:
    result = run(*args)
    assert result.code == 2 and "kind `s` is ambiguous at column 6: it could be social, speech, statement" in result.err


def test_an_option_s_kind_is_one_of_its_records_kinds() -> None:
    result = run("timeline", "--kind", "person")
    assert result.code == 2 and "unknown kind `person` (use one of address, talks)" in result.err


def test_a_regex_flag_other_than_i_points_at_itself() -> None:
    with pytest.raises(ExprError) as caught:
        parse("x /a/g")
    assert (caught.value.column, caught.value.message) == (6, "unknown regular expression flag `g`")
    assert run("positions", "/NO FINAL/i", "-f", "json").out == run("positions", "'no final'", "-f", "json").out


def test_junk_queries_are_usage_errors_not_tracebacks() -> None:
    deep = run("positions", "(" * 250 + "a" + ")" * 250)
    assert deep.code == 2 and "nested more than 100 deep at column 101" in deep.err
    assert run("positions", "not " * 1000 + "a").code == 2
    assert run("query", "caf\udcff").code == 2  # a byte that is not UTF-8, as the command line passes it
    assert "Traceback" not in run("grep", "\udcff").err


def test_the_column_stands_before_a_hint_not_inside_it() -> None:
    result = run("positions", "actor:vladimir")
    assert "is ambiguous at column 7: it could be medinsky (Vladimir Medinsky), putin (Vladimir Putin)\n" in result.err


def test_actors_kind_takes_any_case_and_a_prefix() -> None:
    assert run("actors", "--kind", "Pers", "-f", "json").out == run("actors", "--kind", "person", "-f", "json").out


def test_matrix_and_history_tell_the_latest_and_the_changes_from_every_position() -> None:
    from conftest import FIXTURES

    small = str(FIXTURES / "kb-small")
    every = {(c["actor"], c["topic"]): c for c in json.loads(run("matrix", "--data", small, "-f", "json").out)}
    rejecting = json.loads(run("matrix", "stance:rejects", "--data", small, "-f", "json").out)
    assert rejecting and all(every[(c["actor"], c["topic"])] == c for c in rejecting)  # the same cells as without
    steps = json.loads(run("history", "--data", small, "-f", "json").out)
    chosen = json.loads(run("history", "stance:rejects", "--data", small, "-f", "json").out)
    assert chosen == [s for s in steps if s["stance"] == "rejects"]  # changes told against the whole history


def test_known_leaves_out_the_sources_not_yet_published() -> None:
    ids = [s["id"] for s in json.loads(run("sources", "known:2025-07-22", "-f", "json").out)]
    assert ids == ["zelensky-evening-address-2025-07-21"]  # the article, of July, is out only at its end


def test_grep_ids_as_json() -> None:
    assert json.loads(run("grep", "cease", "-l", "-f", "json").out) == [
        "ukraine-ceasefire-proposal", "united-states-supports-ceasefire", "russia-rejects-ceasefire",
        "summary-war-goals-at-odds", "summary-breakthrough-unlikely",
    ]  # fmt: skip


def test_the_readmes_source_examples_match_on_the_bundled_knowledge_base() -> None:
    counts = {}
    for wanted in ("evening address", "volodymyr", "ukraine and russia"):
        result = run("positions", "--source", wanted, "--format", "json")
        assert result.code == 0, (wanted, result.err)
        counts[wanted] = len(json.loads(result.out))
    assert counts == {"evening address": 1, "volodymyr": 1, "ukraine and russia": 24}


def test_explain_reads_out_the_saved_queries_and_the_caret_counts_wide_characters(tmp_path: Path) -> None:
    import shutil

    shutil.copytree(REPO / "data", tmp_path / "data")
    (tmp_path / "data" / "talkbase.yaml").write_text('queries:\n  no: "stance:rej or stance:disp"\n', encoding="utf-8")
    explained = run("query", "--explain", "@no actor:peskov @gone", cwd=tmp_path)
    assert explained.out == "@no and actor:peskov and @gone\n@no = stance:rej or stance:disp\n@gone = (not saved)\n"
    wide = run("positions", '"中文" stanse:rej')
    assert wide.err.splitlines()[1:] == ['  "中文" stanse:rej', "         ^"]  # 中文 takes four columns


def test_every_filtering_command_has_the_same_options() -> None:
    import typer

    from talkbase.cli import app

    group = typer.main.get_command(app)
    wanted = {"--actor", "--topic", "--source", "--since", "--until", "--stance", "--known-at"}
    for name in ("timeline", "positions", "grep", "matrix", "history", "disputes", "export"):
        options = {o for p in group.commands[name].params for o in getattr(p, "opts", ())}  # type: ignore[attr-defined]
        missing = wanted - options - ({"--stance"} if name == "timeline" else set())  # events have no stance
        assert missing == set(), name
    assert run("matrix", "--stance", "rej", "--since", "2025").out == run("matrix", "stance:rejects date:2025..").out


def test_completion_offers_no_kind_with_a_control_character_or_a_space(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import write_kb

    kb = write_kb(tmp_path / "data", {"kb.yaml": """
        sources:
          - id: s
            title: S
        events:
          - {id: a, title: A, date: 2025, kind: "\\e[31mred", sources: [s]}
          - {id: b, title: B, date: 2025, kind: two words, sources: [s]}
          - {id: c, title: C, date: 2025, kind: talks, sources: [s]}
        """})  # fmt: skip
    env = {**os.environ, "_TALKBASE_COMPLETE": "complete_bash", "COMP_CWORD": "2",
           "COMP_WORDS": "talkbase timeline kind:"}  # fmt: skip
    script = Path(sys.executable).parent / "talkbase"
    done = subprocess.run([str(script)], env=env, capture_output=True, text=True, timeout=60, cwd=kb.parent)
    assert "kind:talks" in done.stdout.split("\n")
    assert "\x1b" not in done.stdout and "two words" not in done.stdout


SHELL_UNDETECTED = """
import sys, typer.completion, typer._completion_shared
typer.completion._get_shell_name = typer._completion_shared._get_shell_name = lambda: None
from talkbase.cli import main
sys.argv[0] = "talkbase"
sys.exit(main())
"""


@pytest.mark.parametrize(
    ("words", "starts"),
    [
        (["--show-completion", "bash"], "_talkbase_completion() {"),
        (["--show-completion=bash"], "_talkbase_completion() {"),
        (["--show-completion", "zsh"], "#compdef talkbase"),
    ],
)
def test_a_shell_named_after_show_completion_is_used_where_none_can_be_detected(words: list[str], starts: str) -> None:
    """Typer's --show-completion is a flag that asks the process tree for the shell; run from a script, make or
    cron it finds none ("Shell  not supported"). The shell the user names is used instead."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", SHELL_UNDETECTED, *words], capture_output=True, text=True, timeout=60, env=talkbase_env()
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout.startswith(starts)


def test_whitespace_is_every_character_python_calls_space() -> None:
    assert "".join(c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()) == WHITESPACE


def test_an_id_names_its_record_even_when_another_has_it_as_an_alias(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "data", kb)
    actors = kb / "actors.yaml"
    text = actors.read_text(encoding="utf-8")
    assert "    name: Russian delegation\n" in text
    actors.write_text(
        text.replace("    name: Russian delegation\n", "    name: Russian delegation\n    aliases: [Russia]\n")
    )
    by_id = run("positions", "--actor", "russia", "--format", "json", "--data", str(kb))
    assert by_id.code == 0 and {p["actor"] for p in json.loads(by_id.out)} == {"russia"}
    by_name = run("positions", "--actor", "Russia", "--data", str(kb))  # a name two actors go by: still ambiguous
    assert by_name.code == 2 and "could be russia (Russia), russian-delegation (Russian delegation)" in by_name.err


def test_a_name_many_records_share_lists_a_few_and_counts_the_rest(tmp_path: Path) -> None:
    many = "".join(f"  - id: envoy-{n}\n    name: Envoy {n}\n    kind: person\n" for n in range(30))
    kb = write_kb(tmp_path, {"actors.yaml": "actors:\n" + many})
    result = run("positions", "--actor", "envoy", "--data", str(kb))
    assert result.code == 2
    assert "could be envoy-0 (Envoy 0), envoy-1 (Envoy 1), envoy-10 (Envoy 10)" in result.err
    assert "envoy-15 (Envoy 15) and 22 more (give more of the name, or an id)\n" in result.err
    assert "…" not in result.err


def test_an_empty_source_is_a_usage_error_as_an_empty_actor_is() -> None:
    for option in ("--source", "--actor", "--topic"):
        result = run("grep", "a", option, "", "--count")
        assert result.code == 2 and "is named by an empty text" in result.err, option
