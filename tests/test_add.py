"""`talkbase add` and `talkbase edit`, run as real commands on copies of the bundled knowledge base."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO, Result, run, talkbase_env

SOURCE = "kyiv-independent-2025-07-talks-resume"
POSITION = ["--actor", "Zelensky", "--topic", "ceasefire", "--stance", "rejects", "--claim", "No freeze."]
POSITION += ["--date", "2025-07-21", "--source", SOURCE]


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "data", tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def state(tmp_path: Path) -> dict[str, str]:
    return {"XDG_STATE_HOME": str(tmp_path / "state")}


def add(kb: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run("add", *args, "--data", str(kb), env=env)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def line_of(path: Path, text: str) -> int:
    """The number of the line of `path` holding `text`."""
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if text in line)


def drafts(env: dict[str, str]) -> list[Path]:
    return sorted(Path(env["XDG_STATE_HOME"], "talkbase", "drafts").glob("*.yaml"))


def test_a_position_given_by_options_is_appended_and_the_rest_kept_byte_for_byte(kb: Path) -> None:
    target = kb / "positions" / "ukraine.yaml"
    old = target.read_bytes()
    result = add(kb, "position", *POSITION)
    assert result.code == 0, result.err
    assert result.out.startswith("added position `zelensky-ceasefire-2025-07-21` to ")
    line = old.count(b"\n") + 2  # after a blank line
    assert result.out.rstrip().endswith(f"positions/ukraine.yaml:{line}")
    new = target.read_bytes()
    assert new.startswith(old)
    assert new[len(old) :].decode() == (
        "\n"
        "  - id: zelensky-ceasefire-2025-07-21\n"
        "    actor: zelensky\n"
        "    topic: ceasefire\n"
        "    stance: rejects\n"
        "    claim: No freeze.\n"
        "    date: 2025-07-21\n"
        f"    sources: [{SOURCE}]\n"
    )
    checked = run("check", "--data", str(kb))
    assert checked.code == 0 and "25 positions: 0 errors" in checked.out
    shown = run("positions", "--data", str(kb), "--actor", "zelensky", "--topic", "ceasefire", "--format", "csv")
    assert "No freeze." in shown.out


def test_a_position_goes_beside_its_actors_other_positions(kb: Path) -> None:
    before = snapshot(kb)
    args = ["--actor", "peskov", "--topic", "ceasefire", "--stance", "opposes", "--claim", "x", "--date", "2025"]
    assert add(kb, "position", *args, "--source", SOURCE).code == 0
    changed = [name for name, data in snapshot(kb).items() if before.get(name) != data]
    assert changed == ["positions/russia.yaml"]


def test_a_new_kind_in_a_file_that_lacks_it_and_a_new_file(kb: Path) -> None:
    result = add(kb, "topic", "--name", "Energy infrastructure", "--file", str(kb / "topics" / "energy.yaml"))
    assert result.code == 0, result.err
    assert (
        kb / "topics" / "energy.yaml"
    ).read_text() == "topics:\n  - id: energy-infrastructure\n    name: Energy infrastructure\n"
    assert "energy.yaml:2" in result.out
    # the new topic is cited by nothing yet: a warning, at its place in the file it went to
    assert "topics/energy.yaml:2:5: warning: topic `energy-infrastructure` is not referred to" in result.err


def test_comments_crlf_and_a_byte_order_mark_survive(kb: Path) -> None:
    target = kb / "extra.yaml"
    old = "\ufeff# Kept as is.\r\ntopics:\r\n  - id: t1   # trailing\r\n    name: 'T one'\r\n".encode()
    target.write_bytes(old)
    result = add(kb, "topic", "--name", "T two", "--file", str(target))
    assert result.code == 0, result.err
    assert target.read_bytes() == old + b"  - id: t-two\r\n    name: T two\r\n"


def test_every_bad_option_is_reported_at_once_and_nothing_is_written(kb: Path) -> None:
    before = snapshot(kb)
    result = add(
        kb, "position", "--actor", "Volodymyr Zelensky", "--topic", "ceasfire", "--stance", "maybe", "--claim", " ",
        "--date", "2025-13-01", "--source", "nope", "--id", "Bad Id",
    )  # fmt: skip
    assert result.code == 2
    assert result.err.splitlines() == [
        "talkbase: error: --id: bad id `Bad Id`: ids are lowercase slugs of a-z, 0-9, `.`, `_`, `-` (e.g. `bad-id`)",
        "talkbase: error: --topic: topic `ceasfire` not found (did you mean `ceasefire`?)",
        "talkbase: error: --stance: unknown stance `maybe` (use one of supports, opposes, proposes, rejects, "
        "conditional, disputes, undecided)",
        "talkbase: error: --claim: `claim` is empty (give it text or remove it)",
        "talkbase: error: --date: `date`: impossible date `2025-13-01`: there is no month 13 (write YYYY, YYYY-MM "
        "or YYYY-MM-DD, e.g. 2025-07 or 2025-07-23)",
        f"talkbase: error: --source: source `nope` not found (e.g. {SOURCE}, kyiv-independent-report, "
        "zelensky-evening-address-2025-07-21)",
    ]
    assert snapshot(kb) == before


def test_a_taken_id_and_a_reference_to_the_wrong_kind_are_refused(kb: Path) -> None:
    result = add(kb, "topic", "--name", "X", "--id", "zelensky")
    assert result.code == 2
    assert "--id: id `zelensky` is already taken by the actor `zelensky` (" in result.err
    result = add(kb, "position", *POSITION, "--event", "ceasefire")
    assert "--event: `ceasefire` is the topic `ceasefire`" in result.err and "not an event" in result.err


def test_without_a_terminal_missing_required_fields_are_a_usage_error(kb: Path) -> None:
    result = add(kb, "position", "--actor", "peskov", "--claim", "x")
    assert result.code == 2
    assert "a position needs --topic, --stance, --date, --source; stdin is not a terminal" in result.err


def test_a_record_that_would_add_an_error_is_kept_as_a_draft_and_can_be_resumed(
    kb: Path, state: dict[str, str]
) -> None:
    before = snapshot(kb)
    history = f"date=2025-07-30; status=scheduled; sources={SOURCE}"
    args = ["--title", "Fourth round", "--date", "2025-08-10", "--status", "held", "--history", history]
    result = add(kb, "event", *args, "--source", SOURCE, env=state)
    assert result.code == 1
    [draft] = drafts(state)
    assert draft.name.startswith("event-fourth-round-")
    assert f"{draft}:6:13: error: `status` is `held` but the latest history entry (2025-07-30) says `scheduled`" in (
        result.err
    )
    assert "not added: 1 error with this event in the knowledge base; nothing was written." in result.err
    assert f"talkbase add event --from {draft}" in result.err
    assert snapshot(kb) == before
    draft.write_text(draft.read_text().replace("status: held", "status: scheduled"))
    resumed = add(kb, "event", "--from", str(draft), env=state)
    assert resumed.code == 0, resumed.err
    assert "added event `fourth-round` to " in resumed.out
    assert "    status: scheduled\n" in (kb / "events.yaml").read_text()
    assert not draft.exists()  # a draft of ours is done with once its record is added


def test_end_before_date_and_until_before_since_are_caught_as_given(kb: Path) -> None:
    result = add(kb, "event", "--title", "T", "--date", "2025-08-10", "--end", "2025-08-01", "--source", SOURCE)
    assert result.code == 2 and "`end` 2025-08-01 is before `date` 2025-08-10" in result.err
    result = add(kb, "actor", "--name", "X", "--kind", "person", "--role", "title=M; since=2025; until=2024")
    assert result.code == 2 and "`until` 2024 is before `since` 2025" in result.err


def test_role_and_history_keys_are_checked(kb: Path) -> None:
    result = add(kb, "actor", "--name", "X", "--kind", "person", "--role", "Title=Minister; Since=2024")
    assert result.code == 2 and "unknown role field `Title` (did you mean `title`?)" in result.err
    result = add(kb, "event", "--title", "T", "--date", "2025", "--source", SOURCE, "--history", "date=2025; statuz=x")
    assert result.code == 2 and "unknown history entry field `statuz` (did you mean `status`?)" in result.err
    assert "title=…; since=…; until=…" in run("add", "actor", "--help").out


def test_names_with_spaces_work_in_list_fields(kb: Path) -> None:
    args = ["--title", "T", "--date", "2025", "--participants", "Vladimir Putin, Ukraine", "--dry-run"]
    result = add(kb, "event", *args, "--topics", "Prisoners of war", "--source", SOURCE)
    assert result.code == 0, result.err
    assert "participants: [putin, ukraine]" in result.out and "topics: [prisoners-of-war]" in result.out


def test_a_draft_may_use_names_and_short_words_like_answers(kb: Path, tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    draft.write_text(
        "positions:\n  - actor: Putin\n    topic: ceasefire\n    stance: rej\n    claim: x\n    date: 2025\n"
        f"    sources: [{SOURCE}]\n"
    )
    result = add(kb, "position", "--from", str(draft), "--dry-run")
    assert result.code == 0, result.err
    assert "  - id: putin-ceasefire-2025\n    actor: putin\n    topic: ceasefire\n    stance: rejects\n" in result.out


def test_options_override_a_draft(kb: Path, tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    draft.write_text("topics:\n  - id: from-draft\n    name: Draft name\n")
    result = add(kb, "topic", "--from", str(draft), "--name", "Given name", "--dry-run")
    assert result.code == 0
    assert result.out == "  - id: from-draft\n    name: Given name\n"


def test_a_draft_with_an_unknown_field_is_refused(kb: Path, tmp_path: Path) -> None:
    draft = tmp_path / "d.yaml"
    draft.write_text("topics:\n  - id: t\n    nmae: X\n")
    result = add(kb, "topic", "--from", str(draft))
    assert result.code == 2 and "unknown field `nmae`" in result.err


def test_dry_run_prints_the_yaml_and_writes_nothing(kb: Path) -> None:
    # The quote below tests escaping, and is no word of the article: the copy's article carries no text to check it.
    sources = kb / "sources.yaml"
    text_file = "    text_file: texts/kyiv-independent-2025-07.md"
    assert text_file in sources.read_text(encoding="utf-8")
    sources.write_text(sources.read_text(encoding="utf-8").replace(text_file, ""), encoding="utf-8")
    before = snapshot(kb)
    result = add(kb, "position", *POSITION, "--quote", "[bold]No[/] \x1b[31mfreeze", "--dry-run")
    assert result.code == 0
    assert snapshot(kb) == before
    end = (kb / "positions" / "ukraine.yaml").read_bytes().count(b"\n") + 2
    assert result.err.startswith("# would add this position to ") and f"ukraine.yaml:{end}" in result.err
    assert '    quote: "[bold]No[/] \\e[31mfreeze"\n' in result.out
    assert "\x1b" not in result.out + result.err


def test_hostile_text_is_stored_exactly(kb: Path) -> None:
    claim = "[red]x[/red] \x1b]8;;http://e\x07link \u202eevil\u200b ok"
    args = [a if a != "No freeze." else claim for a in POSITION]
    assert add(kb, "position", *args).code == 0
    shown = run("show", "zelensky-ceasefire-2025-07-21", "--data", str(kb), "--format", "json")
    import json

    assert json.loads(shown.out)["claim"] == claim


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("../outside.yaml", "is outside the knowledge base"),
        ("notes.txt", "must end in .yaml or .yml"),
        (".hidden/x.yaml", "inside a hidden folder"),
    ],
)
def test_a_file_talkbase_would_not_read_is_refused(kb: Path, where: str, message: str) -> None:
    result = add(kb, "topic", "--name", "X", "--file", str(kb / where))
    assert result.code == 2 and message in result.err


def test_a_flow_list_is_not_guessed_at(kb: Path, state: dict[str, str]) -> None:
    target = kb / "flow.yaml"
    target.write_text("topics: [{id: f, name: F}]\n")
    result = add(kb, "topic", "--name", "X", "--file", str(target), env=state)
    assert result.code == 1
    assert "is written as a [flow, list]" in result.err and "Nothing was written." in result.err
    assert target.read_text() == "topics: [{id: f, name: F}]\n"
    assert len(drafts(state)) == 1


def test_the_bundled_knowledge_base_is_not_written_to(tmp_path: Path) -> None:
    result = run("add", "topic", "--name", "X", cwd=tmp_path)
    assert result.code == 2 and "pass --data PATH" in result.err


def _add_pausing_before_rename(kb: Path, flag: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    """Run `talkbase add` with the fsync of the temporary file slowed down: the file is fully written
    but not yet renamed into place, the moment an interruption would do the most harm."""
    code = (
        "import sys, time, talkbase.write.atomic as a\n"
        "fsync = a._fsync\n"
        "def slow(path):\n"
        "    fsync(path)\n"
        "    if path.name.startswith('.ukraine.yaml.'):\n"
        f"        open({str(flag)!r}, 'w').close()\n"
        "        time.sleep(60)\n"
        "a._fsync = slow\n"
        "from talkbase.cli import main\n"
        "sys.exit(main())\n"
    )
    argv = [sys.executable, "-c", code, "add", "position", *POSITION, "--data", str(kb)]
    return subprocess.Popen(argv, env={**os.environ, **env}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT, signal.SIGTERM])
def test_killing_add_during_the_write_leaves_the_file_as_it_was(
    kb: Path, tmp_path: Path, state: dict[str, str], sig: signal.Signals
) -> None:
    target = kb / "positions" / "ukraine.yaml"
    old = target.read_bytes()
    flag = tmp_path / "writing"
    process = _add_pausing_before_rename(kb, flag, state)
    deadline = time.monotonic() + 30
    while not flag.exists() and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.02)
    assert flag.exists(), process.communicate()
    temporaries = list(target.parent.glob(".ukraine.yaml.*.tmp"))
    assert len(temporaries) == 1 and b"No freeze." in temporaries[0].read_bytes()
    process.send_signal(sig)
    _, err = process.communicate(timeout=30)
    assert process.returncode != 0
    assert target.read_bytes() == old
    assert b"Traceback" not in err
    if sig != signal.SIGKILL:  # a caught signal cleans up; after SIGKILL only a hidden *.tmp is left
        assert not list(target.parent.glob(".ukraine.yaml.*"))
    assert run("check", "--data", str(kb)).code == 0


def _add_on_a_full_disk(kb: Path, env: dict[str, str], failing: str) -> subprocess.CompletedProcess[str]:
    """Run `talkbase add` with fsync failing for ENOSPC on files whose names start with `failing`."""
    code = (
        "import errno, os, sys, talkbase.write.atomic as a\n"
        "fsync = a._fsync\n"
        "def full(path):\n"
        f"    if path.name.startswith({failing!r}):\n"
        "        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))\n"
        "    fsync(path)\n"
        "a._fsync = full\n"
        "from talkbase.cli import main\n"
        "sys.exit(main())\n"
    )
    argv = [sys.executable, "-c", code, "add", "position", *POSITION, "--data", str(kb)]
    return subprocess.run(argv, env={**os.environ, **env}, capture_output=True, text=True, timeout=60)


def test_a_full_disk_leaves_the_file_intact_and_keeps_the_record_as_a_draft(kb: Path, state: dict[str, str]) -> None:
    target = kb / "positions" / "ukraine.yaml"
    old = target.read_bytes()
    done = _add_on_a_full_disk(kb, state, ".ukraine.yaml.")
    assert done.returncode == 1
    assert "ukraine.yaml: No space left on device; talkbase did not change it." in done.stderr
    assert target.read_bytes() == old
    assert not list(target.parent.glob(".ukraine.yaml.*"))
    [draft] = drafts(state)
    assert "claim: No freeze." in draft.read_text() and str(draft) in done.stderr


def test_when_not_even_the_draft_can_be_saved_the_record_is_printed(kb: Path, state: dict[str, str]) -> None:
    done = _add_on_a_full_disk(kb, state, ".")
    assert done.returncode == 1
    assert "cannot save the draft (No space left on device); here is your record:" in done.stderr
    assert "  - id: zelensky-ceasefire-2025-07-21\n" in done.stderr and "claim: No freeze." in done.stderr
    assert not drafts(state)


def _fake_editor(tmp_path: Path, change: tuple[str, str] | None = None) -> str:
    """An $EDITOR that records how it was called and optionally changes the file."""
    script = tmp_path / "editor.py"
    log = tmp_path / "editor.log"
    lines = [
        "import sys, pathlib",
        f"pathlib.Path({str(log)!r}).write_text(repr(sys.argv[1:]))",
    ]
    if change:
        lines += [
            "path = pathlib.Path(sys.argv[-1])",
            f"path.write_text(path.read_text().replace({change[0]!r}, {change[1]!r}))",
        ]
    script.write_text("\n".join(lines) + "\n")
    return f"{sys.executable} {script}"


def test_edit_opens_the_editor_at_the_records_line_then_checks(kb: Path, tmp_path: Path) -> None:
    editor = _fake_editor(tmp_path)
    result = run("edit", "zelensky-agenda-children", "--data", str(kb), env={"EDITOR": editor, "VISUAL": ""})
    assert result.code == 0, result.err
    args = eval((tmp_path / "editor.log").read_text())
    assert args[0] == f"+{line_of(kb / 'positions' / 'ukraine.yaml', '- id: zelensky-agenda-children')}"
    assert args[1].endswith("positions/ukraine.yaml")
    assert "0 errors" in result.out


def test_edit_finds_actors_by_name_and_reports_what_the_edit_broke(kb: Path, tmp_path: Path) -> None:
    editor = _fake_editor(tmp_path, ("kind: person", "kind: persona"))
    result = run("edit", "Peskov", "--data", str(kb), env={"VISUAL": editor})
    assert result.code == 1
    assert "actors.yaml" in eval((tmp_path / "editor.log").read_text())[1]
    assert "error: unknown kind `persona` (did you mean `person`?)" in result.out


def test_edit_of_an_unknown_id_suggests_one(kb: Path) -> None:
    result = run("edit", "istanbul-round-5", "--data", str(kb), env={"EDITOR": "true"})
    assert result.code == 2 and "did you mean" in result.err and "istanbul-round-" in result.err


@pytest.mark.parametrize("variable", ["EDITOR", "VISUAL"])
def test_an_editor_command_with_an_unbalanced_quote_is_a_clear_error(kb: Path, variable: str) -> None:
    result = run("edit", "peskov", "--data", str(kb), env={"EDITOR": "", "VISUAL": "", variable: "vim 'x"})
    assert result.code == 2 and "cannot read the editor command `vim 'x`: No closing quotation" in result.err
    assert "Traceback" not in result.err


def test_edit_names_a_missing_editor(kb: Path) -> None:
    result = run("edit", "peskov", "--data", str(kb), env={"EDITOR": "no-such-editor-here"})
    assert result.code == 2 and "cannot run the editor `no-such-editor-here`" in result.err


@pytest.mark.parametrize(
    ("editor", "argv"),
    [
        ("vim", ["vim", "+12", "--", "/kb/f.yaml"]),
        ("nano -w", ["nano", "-w", "+12", "--", "/kb/f.yaml"]),
        ("code", ["code", "--wait", "--goto", "/kb/f.yaml:12"]),
        ("/usr/bin/subl -w", ["/usr/bin/subl", "-w", "/kb/f.yaml:12"]),
        ("'my editor' --flag", ["my editor", "--flag", "+12", "/kb/f.yaml"]),
    ],
)
def test_editor_command_line(editor: str, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    from talkbase.cli.entry import editor_command

    monkeypatch.chdir("/")
    assert editor_command(editor, "kb/f.yaml", 12) == argv


@pytest.mark.parametrize("name", ["+!touch PWNED.yaml", "-c!touch PWNED.yaml", "--cmd=!touch PWNED.yaml"])
def test_a_file_name_is_never_an_editor_option_or_command(tmp_path: Path, name: str) -> None:
    """A data file named like a vim command: the editor gets an absolute path, after `--`."""
    data = tmp_path / "data"
    data.mkdir()
    (data / name).write_text("topics:\n  - id: t1\n    name: T1\n")
    editor = _fake_editor(tmp_path)
    result = run("edit", "t1", "--data", str(data), cwd=data, env={"EDITOR": editor, "VISUAL": ""})
    assert result.code == 0, result.err
    args = eval((tmp_path / "editor.log").read_text())
    assert args[-1] == str(data / name) and args[0] == "+2"


@pytest.mark.skipif(shutil.which("vim") is None, reason="vim is not installed")
def test_vim_does_not_run_a_command_named_by_a_file(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / "+!touch PWNED.yaml").write_text("topics:\n  - id: t1\n    name: T1\n")
    env = {"EDITOR": "vim -es -u NONE -i NONE", "VISUAL": "", "HOME": str(tmp_path)}
    result = run("edit", "t1", "--data", str(data), cwd=data, env=env)
    assert result.code == 0, result.err
    assert not list(tmp_path.rglob("PWNED*"))


def test_add_help_lists_every_field_as_an_option() -> None:
    result = run("add", "event", "--help")
    assert result.code == 0
    for option in ("--id", "--title", "--date", "--end", "--status", "--participant", "--source", "--history"):
        assert option in result.out
    assert "talkbase add event --title" in result.out


class Conversation:
    """`talkbase add` on a terminal: stdin is a pseudo-terminal, answers are typed when a prompt shows."""

    def __init__(self, *args: str, env: dict[str, str]) -> None:
        import pty

        self.master, slave = pty.openpty()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "talkbase", *args],
            stdin=slave,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=talkbase_env({**env, "NO_COLOR": "1"}),
        )
        os.close(slave)
        self.err = b""

    def expect(self, text: str, timeout: float = 30) -> None:
        import select

        assert self.process.stderr is not None
        deadline = time.monotonic() + timeout
        while text.encode() not in self.err:
            ready, _, _ = select.select([self.process.stderr], [], [], max(0.0, deadline - time.monotonic()))
            chunk = os.read(self.process.stderr.fileno(), 65536) if ready else b""
            assert chunk, f"no {text!r} in {self.err.decode()!r}"
            self.err += chunk

    def answer(self, prompt: str, text: str) -> None:
        self.expect(prompt)
        self.err = self.err[self.err.index(prompt.encode()) + len(prompt) :]
        os.write(self.master, text.encode() + b"\n")

    def finish(self) -> Result:
        out, err = self.process.communicate(timeout=30)
        os.close(self.master)
        return Result(self.process.returncode, out.decode(), (self.err + err).decode())


def test_add_asks_for_each_field_and_checks_each_answer(kb: Path, state: dict[str, str]) -> None:
    talk = Conversation("add", "position", "--data", str(kb), "--source", SOURCE, env=state)
    talk.answer("actor: ", "Volodymyr Zelensky")
    talk.expect("→ zelensky")
    talk.answer("topic: ", "ceasfire")
    talk.expect("topic `ceasfire` not found (did you mean `ceasefire`?)")
    talk.answer("topic: ", "ceasefire")
    talk.answer("stance: ", "rej")
    talk.answer("claim: ", "")
    talk.expect("`claim` is required")
    talk.answer("claim: ", "No freeze.")
    talk.answer("quote (optional): ", "")
    talk.answer("date: ", "2025-7-21")
    talk.expect("write YYYY, YYYY-MM or YYYY-MM-DD")
    talk.answer("date: ", "2025-07-21")
    talk.answer("id [zelensky-ceasefire-2025-07-21]: ", "")
    talk.answer("event (optional): ", "zelensky-address-2025-07-21")
    talk.answer("contests (optional): ", "")
    talk.answer("after (optional): ", "2025-7")
    talk.expect("malformed date `2025-7`")
    talk.answer("after (optional): ", "evening address")
    talk.answer("before (optional): ", "2025-08, istanbul-round-3")
    result = talk.finish()
    assert result.code == 0, result.err
    assert "added position `zelensky-ceasefire-2025-07-21` to " in result.out
    text = (kb / "positions" / "ukraine.yaml").read_text()
    assert "    stance: rejects\n    claim: No freeze.\n    date: 2025-07-21\n    event: zelensky-address" in text
    assert "    after: [zelensky-address-2025-07-21]\n    before: [2025-08, istanbul-round-3]\n" in text


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143), (signal.SIGHUP, 129)])
def test_interrupting_the_questions_keeps_the_answers_in_a_draft(
    kb: Path, state: dict[str, str], sig: signal.Signals, code: int
) -> None:
    """Ctrl-C, kill or a closed terminal while answering: nothing is written, what was typed is kept."""
    before = snapshot(kb)
    talk = Conversation("add", "topic", "--data", str(kb), env=state)
    talk.answer("name: ", "Energy [b]infrastructure[/b]")
    talk.expect("id [energy-b-infrastructure-b]: ")
    talk.process.send_signal(sig)
    result = talk.finish()
    assert result.code == code
    [draft] = drafts(state)
    assert "interrupted." in result.err and f"Your record is saved in {draft}" in result.err
    assert "name: Energy [b]infrastructure[/b]" in draft.read_text()
    assert snapshot(kb) == before
    resumed = add(kb, "topic", "--from", str(draft), env=state)  # not a terminal: the id is made from the name
    assert resumed.code == 0 and "added topic `energy-b-infrastructure-b`" in resumed.out
    assert not draft.exists()


def test_end_of_input_at_the_first_question_just_stops(kb: Path, state: dict[str, str]) -> None:
    talk = Conversation("add", "source", "--data", str(kb), env=state)
    talk.expect("title: ")
    os.write(talk.master, b"\x04")
    result = talk.finish()
    assert result.code == 130 and not drafts(state)


def test_replacing_a_file_keeps_its_mode_and_a_symbolic_link(tmp_path: Path) -> None:
    from talkbase.write.atomic import replace_file_atomic

    real = tmp_path / "real.yaml"
    real.write_bytes(b"old")
    real.chmod(0o640)
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    replace_file_atomic(link, b"new", b"old")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert real.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.yaml", "real.yaml"]


def test_a_file_changed_meanwhile_is_not_overwritten(tmp_path: Path) -> None:
    from talkbase.write.atomic import FileChangedError, replace_file_atomic

    target = tmp_path / "f.yaml"
    target.write_bytes(b"edited by someone else")
    with pytest.raises(FileChangedError):
        replace_file_atomic(target, b"new", b"what we read")
    with pytest.raises(FileChangedError):
        replace_file_atomic(tmp_path / "g.yaml", b"new", b"it existed")
    assert target.read_bytes() == b"edited by someone else"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.yaml"]


def test_a_bad_file_is_refused_before_any_question(kb: Path, state: dict[str, str]) -> None:
    talk = Conversation("add", "topic", "--data", str(kb), "--file", str(kb.parent / "elsewhere.yaml"), env=state)
    result = talk.finish()
    assert result.code == 2 and "is outside the knowledge base" in result.err
    assert "name: " not in result.err


def test_adds_at_the_same_time_all_land(kb: Path, state: dict[str, str]) -> None:
    """Each add checks and writes under the knowledge base's lock: none may overwrite another's record."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "talkbase", "add", "topic", "--name", f"Topic {n}", "--file", "topics.yaml"],
            cwd=kb,
            env={**os.environ, **state},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
        )
        for n in range(6)
    ]
    results = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0] * 6, results
    text = (kb / "topics.yaml").read_text()
    assert all(f"  - id: topic-{n}\n" in text for n in range(6))
    assert run("check", "--data", str(kb)).code == 0


def test_no_add_while_a_file_cannot_be_read(kb: Path) -> None:
    (kb / "broken.yaml").write_text("topics:\n  - id: hidden\n    name: [unclosed\n")
    result = add(kb, "topic", "--name", "X")
    assert result.code == 1
    assert "broken.yaml:3:11: error: invalid YAML" in result.err
    assert "cannot add while a file of the knowledge base cannot be read" in result.err


def test_a_new_actors_first_position_goes_to_its_sides_file(kb: Path) -> None:
    new_actor = ["--name", "Dmitry Polyansky", "--kind", "person", "--affiliation", "russia", "--source", SOURCE]
    assert add(kb, "actor", *new_actor).code == 0
    args = ["--actor", "polyansky", "--topic", "ceasefire", "--stance", "rejects", "--claim", "x", "--date", "2025"]
    result = add(kb, "position", *args, "--source", SOURCE, "--dry-run")
    assert "positions/russia.yaml:" in result.err


def test_edit_finds_a_record_in_a_file_that_does_not_parse(kb: Path, tmp_path: Path) -> None:
    with (kb / "events.yaml").open("a") as events:
        events.write("  - id: broken\n    title: [unclosed\n")
    editor = _fake_editor(tmp_path)
    result = run("edit", "istanbul-round-3", "--data", str(kb), env={"EDITOR": editor, "VISUAL": ""})
    assert result.code == 1  # the check after the edit still finds the syntax error
    args = eval((tmp_path / "editor.log").read_text())
    assert args[1].endswith("events.yaml") and args[0] == f"+{line_of(kb / 'events.yaml', '- id: istanbul-round-3')}"


def _tiny_kb(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "topics.yaml").write_text("topics:\n  - id: t0\n    name: Topic zero\n")
    return folder


def _start_add(kb: Path, n: int, state: Path) -> subprocess.Popen[str]:
    argv = [sys.executable, "-m", "talkbase", "add", "topic", "--name", f"Topic {n}", "--data", str(kb)]
    env = {**talkbase_env(), "XDG_STATE_HOME": str(state / f"user-{n}")}
    return subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_parallel_adds_of_users_with_different_state_folders_all_land(tmp_path: Path) -> None:
    """Two users on one shared knowledge base: the lock is on the data directory, not in anyone's state folder."""
    kb = _tiny_kb(tmp_path / "kb")
    processes = [_start_add(kb, n, tmp_path / "state") for n in range(1, 21)]
    outputs = [p.communicate(timeout=240) for p in processes]
    assert [p.returncode for p in processes] == [0] * 20, outputs
    text = (kb / "topics.yaml").read_text()
    assert all(f"  - id: topic-{n}\n" in text for n in range(1, 21))
    assert run("check", "--data", str(kb)).code == 0


def test_a_foreign_writer_appending_in_a_loop_loses_nothing_and_every_added_record_is_there(tmp_path: Path) -> None:
    """A script that appends lines without any lock, while adds run: its lines all stay, and every add that
    says `added` is in the file (an add that kept seeing the file change is refused, its record in a draft)."""
    kb = _tiny_kb(tmp_path / "kb")
    target = kb / "topics.yaml"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "for n in range(400):\n"
            "    with open(sys.argv[1], 'a') as f:\n"
            "        f.write(f'# foreign {n}\\n')\n"
            "    print(n, flush=True)\n"
            "    time.sleep(0.02)\n",
            str(target),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    processes = [_start_add(kb, n, tmp_path / "state") for n in range(1, 13)]
    outputs = [p.communicate(timeout=240) for p in processes]
    written = writer.communicate(timeout=60)[0].split()
    text = target.read_text()
    assert all(f"# foreign {n}\n" in text for n in written)
    added = [n for n, (out, _) in zip(range(1, 13), outputs) if b"added topic" in out]
    assert all(f"  - id: topic-{n}\n" in text for n in added)
    for n, p, (_, err) in zip(range(1, 13), processes, outputs):
        assert p.returncode in (0, 1) and b"Traceback" not in err
        if p.returncode == 1:
            assert list((tmp_path / "state" / f"user-{n}" / "talkbase" / "drafts").glob("*.yaml"))


def _replace_after_a_foreign_write(monkeypatch: pytest.MonkeyPatch, target: Path, mode: str, text: bytes) -> None:
    """Make the rename of replace_file_atomic come just after another program wrote into the old file."""
    from talkbase.write import atomic

    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        with open(target, mode) as foreign:  # lands in the old file, after the check
            foreign.write(text)
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)


def test_a_write_into_the_old_file_at_the_instant_of_the_rename_is_carried_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talkbase.write.atomic import replace_file_atomic

    target = tmp_path / "f.yaml"
    target.write_bytes(b"a: 1\n")
    _replace_after_a_foreign_write(monkeypatch, target, "ab", b"# theirs\n")
    replace_file_atomic(target, b"a: 1\nb: 2\n", b"a: 1\n")
    assert target.read_bytes() == b"a: 1\nb: 2\n# theirs\n"


def test_a_late_change_that_is_not_an_append_is_kept_beside_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from talkbase.write.atomic import LateWriteError, replace_file_atomic

    target = tmp_path / "f.yaml"
    target.write_bytes(b"a: 1\n")
    _replace_after_a_foreign_write(monkeypatch, target, "r+b", b"a: 9\n")
    with pytest.raises(LateWriteError) as caught:
        replace_file_atomic(target, b"a: 1\nb: 2\n", b"a: 1\n")
    assert target.read_bytes() == b"a: 1\nb: 2\n" and caught.value.kept.read_bytes() == b"a: 9\n"


@pytest.mark.parametrize("record_is_good", [True, False])
def test_a_state_folder_that_cannot_be_made_costs_no_record(kb: Path, tmp_path: Path, record_is_good: bool) -> None:
    """XDG_STATE_HOME pointing at a file: the add still works (its lock is on the data directory), and a record
    that cannot be added is printed, since no draft can be saved."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    status = "scheduled" if record_is_good else "held"  # held contradicts its history: refused, and kept
    history = f"date=2025-07-30; status=scheduled; sources={SOURCE}"
    args = ["--title", "Fourth round", "--date", "2025-08-10", "--status", status, "--history", history]
    result = add(kb, "event", *args, "--source", SOURCE, env={"XDG_STATE_HOME": str(blocker)})
    assert "Traceback" not in result.err
    if record_is_good:
        assert result.code == 0 and "added event `fourth-round`" in result.out
    else:
        assert result.code == 1 and "cannot save the draft (Not a directory); here is your record:" in result.err
        assert "  - id: fourth-round\n" in result.err and "Your record is printed above" in result.err
        assert "Your record is saved in" not in result.err


def test_appends_before_the_check_are_carried_into_the_new_file(tmp_path: Path) -> None:
    """A program that appends without pause would otherwise keep every add from landing."""
    from talkbase.write.atomic import replace_file_atomic

    target = tmp_path / "f.yaml"
    target.write_bytes(b"a: 1\n# theirs\n")  # appended after `add` read "a: 1\n"
    replace_file_atomic(target, b"a: 1\nb: 2\n", b"a: 1\n")
    assert target.read_bytes() == b"a: 1\nb: 2\n# theirs\n"


def test_a_record_lands_while_another_program_appends_without_pause(tmp_path: Path) -> None:
    kb = _tiny_kb(tmp_path / "kb")
    target = kb / "topics.yaml"
    writer = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "end = time.monotonic() + 8\n"
            "n = 0\n"
            "while time.monotonic() < end:\n"
            "    with open(sys.argv[1], 'a') as f:\n"
            "        f.write(f'# foreign {n}\\n')\n"
            "    n += 1\n"
            "    time.sleep(0.005)\n"
            "print(n)\n",
            str(target),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(0.5)
    result = run("add", "topic", "--name", "Steady", "--data", str(kb), env={"XDG_STATE_HOME": str(tmp_path / "s")})
    written = int(writer.communicate(timeout=60)[0])
    text = target.read_text()
    assert result.code == 0 and "  - id: steady\n" in text, result.err
    assert all(f"# foreign {n}\n" in text for n in range(written))


def test_adding_the_same_position_twice_is_refused_unless_allowed(kb: Path, state: dict[str, str]) -> None:
    assert add(kb, "position", *POSITION, env=state).code == 0
    before = snapshot(kb)
    again = [*POSITION[:7], "NO FREEZE", *POSITION[8:]]  # the claim differs in case and punctuation only
    refused = add(kb, "position", *again, env=state)
    assert refused.code == 1
    repeats = "position `zelensky-ceasefire-2025-07-21-2` repeats position `zelensky-ceasefire-2025-07-21` at "
    assert f": error: {repeats}" in refused.err
    assert "pass --allow-duplicate" in refused.err
    assert snapshot(kb) == before
    assert len(drafts(state)) == 1
    allowed = add(kb, "position", *again, "--allow-duplicate", env=state)
    assert allowed.code == 0, allowed.err
    assert ": warning: position `zelensky-ceasefire-2025-07-21-2` repeats " in allowed.err


@pytest.mark.parametrize(
    "title, url",
    [("Ukraine and Russia to resume peace talks", "https://example.org/new"), ("Another", "KYIV_URL")],
)
def test_a_source_with_a_known_title_or_url_is_refused(kb: Path, state: dict[str, str], title: str, url: str) -> None:
    if url == "KYIV_URL":  # the bundled article gives no URL of its own: give the copy one to repeat
        sources = kb / "sources.yaml"
        title_line = "    title: Ukraine and Russia to Resume Peace Talks on July 23\n"
        text = sources.read_text(encoding="utf-8")
        assert text.count(title_line) == 1
        sources.write_text(text.replace(title_line, title_line + "    url: https://example.org/talks-resume\n"))
    known = run("show", SOURCE, "--format", "json", "--data", str(kb))
    import json

    record = json.loads(known.out)
    title = record["title"] if title.startswith("Ukraine") else title
    url = record["url"].replace("https://", "http://www.") + "/" if url == "KYIV_URL" else url
    result = add(kb, "source", "--title", title.upper(), "--url", url, "--publisher", "X", env=state)
    assert result.code == 1
    what = "title" if title != "Another" else "URL"
    assert f"repeats source `{SOURCE}` at " in result.err
    assert f": the same {what} (" in result.err
