"""The command line as a user meets it: version, help, where the data comes from, exit codes, no tracebacks."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, REPO, run, write_kb

SMALL = FIXTURES / "kb-small"
COMMANDS = ("check", "timeline", "actors", "positions", "grep", "show", "sources", "topics", "matrix", "history",
            "disputes", "export", "schema", "mv", "rm", "query")  # fmt: skip
BROKEN = FIXTURES / "errors" / "dangling-ref"


def test_version() -> None:
    from talkbase import __version__

    result = run("--version")
    assert (result.code, result.out) == (0, f"talkbase {__version__}\n")


def test_console_script_is_installed() -> None:
    script = shutil.which("talkbase") or str(Path(sys.executable).parent / "talkbase")
    assert Path(script).exists()


def test_help_lists_commands_and_real_examples() -> None:
    result = run("--help")
    assert result.code == 0
    for word in ("check", "timeline", "Examples:", "talkbase timeline"):
        assert word in result.out


def test_every_command_has_help_with_examples() -> None:
    for command in COMMANDS:
        result = run(command, "--help")
        assert result.code == 0, command
        assert "Examples:" in result.out, command
        assert f"talkbase {command}" in result.out, command
        assert "--data" in result.out, command


def test_no_arguments_shows_help() -> None:
    result = run()
    assert "Usage:" in result.out + result.err
    assert "check" in result.out + result.err


def test_unknown_command_and_option_are_usage_errors() -> None:
    assert run("timelne").code == 2
    result = run("check", "--strictt")
    assert result.code == 2
    assert "--strict" in result.err


def test_check_on_the_bundled_kb_is_clean_from_any_directory(tmp_path: Path) -> None:
    result = run("check", cwd=tmp_path)
    assert result.code == 0, result.out
    summary = result.out.splitlines()[-1]
    # Two warnings, both honest: the article gives no order for Zelensky's two statements on a leaders' summit, and
    # names neither its own publisher nor its address.
    assert "0 errors, 2 warnings" in summary
    assert "`kyiv-independent-2025-07-talks-resume` has neither `url` nor `publisher`" in result.out
    assert "`zelensky-agenda-summit` (proposes, 2025) and `zelensky-leaders-level` (supports, 2025)" in result.out
    assert "bundled knowledge base" in summary


def test_check_summary_counts_files_and_records_and_names_the_kb() -> None:
    result = run("check", "--data", str(SMALL))
    assert result.code == 0
    assert result.out == (
        f"5 files, 7 actors, 3 sources, 3 topics, 6 events, 6 positions: 0 errors, 0 warnings — {SMALL} (from --data)\n"
    )


def test_data_option_beats_environment_which_beats_nearest_data_folder(tmp_path: Path) -> None:
    project = write_kb(tmp_path / "project", {"data/kb.yaml": "topics:\n  - id: t\n    name: T\n"})
    nested = project / "notes" / "deeper"
    nested.mkdir(parents=True)
    from_folder = run("check", cwd=nested)
    assert "1 topic" in from_folder.out
    assert "(from data/ folder)" in from_folder.out
    from_env = run("check", cwd=nested, env={"TALKBASE_DATA": str(SMALL)})
    assert "(from TALKBASE_DATA)" in from_env.out and "6 events" in from_env.out
    from_option = run("check", "--data", str(BROKEN), cwd=nested, env={"TALKBASE_DATA": str(SMALL)})
    assert "(from --data)" in from_option.out and from_option.code == 1


def test_a_missing_data_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run("check", "--data", str(tmp_path / "nope"))
    assert result.code == 2
    assert result.err == f"talkbase: error: --data: no such file or directory: {tmp_path / 'nope'}\n"
    assert run("timeline", env={"TALKBASE_DATA": str(tmp_path / "nope")}).code == 2


def test_a_single_file_can_be_the_knowledge_base() -> None:
    result = run("check", "--data", str(SMALL / "topics.yaml"))
    assert result.code == 0
    assert "1 file, 0 actors, 0 sources, 3 topics" in result.out


def test_other_commands_refuse_broken_data_with_the_same_messages() -> None:
    expected = (BROKEN / "expected.txt").read_text(encoding="utf-8").splitlines()
    result = run("timeline", "--data", "dangling-ref", cwd=BROKEN.parent)
    assert result.code == 1
    assert result.out == ""
    lines = result.err.splitlines()
    assert lines[:-1] == expected
    assert lines[-1].startswith("talkbase: error: dangling-ref (from --data) has 7 errors")


def test_warnings_do_not_stop_other_commands() -> None:
    result = run("timeline", "--data", "warnings", cwd=FIXTURES / "errors")
    assert result.code == 0
    assert "Evening address" in result.out


def test_the_bundled_kb_is_used_outside_any_project(tmp_path: Path) -> None:
    result = run("timeline", cwd=tmp_path)
    assert result.code == 0
    assert "Istanbul" in result.out


def test_python_dash_m_and_the_repository_layout() -> None:
    for path in ("talkbase", "data", "tests", "pyproject.toml", "README.md"):
        assert (REPO / path).exists(), path


def help_examples() -> list[str]:
    """Every example command line shown in any --help, on the bundled knowledge base."""
    examples = []
    for command in ("", *COMMANDS):
        out = run(*([command] if command else []), "--help").out
        block = out.split("Examples:", 1)[1].split("\n\n", 1)[0]
        examples += [re.match(r"\s+(talkbase.*?)(\s{2,}|$)", line).group(1) for line in block.splitlines() if line]
    return examples


def test_help_examples_run_cleanly_on_the_bundled_kb(tmp_path: Path) -> None:
    import shlex

    examples = help_examples()
    assert len(examples) >= 20
    for example in examples:
        words = shlex.split(example.replace("~/my-kb", str(SMALL)).replace("~/negotiations/data", str(SMALL)))
        assert words[0] == "talkbase"
        if words[1] in ("add", "edit", "init", "mv", "rm"):
            continue  # they write or open an editor: tests/test_add.py, test_init.py and test_keeping.py run them
        checked_file = words[1] == "check" and any(word.startswith("data/") for word in words)
        result = run(*words[1:], cwd=REPO if checked_file else tmp_path)  # data/...: a file of the bundled data
        assert result.code == 0, (example, result.err)
        written = next((words[i + 1] for i, word in enumerate(words) if word in ("--save", "-o")), None)
        if written:
            assert (tmp_path / written).exists(), example
        else:
            assert result.out, example


def test_a_folder_without_yaml_says_so(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("nothing here", encoding="utf-8")
    result = run("check", "--data", str(tmp_path))
    assert result.code == 0
    assert result.err == (
        f"note: the knowledge base {tmp_path} is empty (no *.yaml or *.yml files): add a first record with "
        "`talkbase add actor --name NAME --kind person`\n"
    )
    assert result.out.startswith("0 files, 0 actors")


def test_an_empty_data_option_is_a_usage_error_not_the_current_folder() -> None:
    result = run("timeline", "--data", "")
    assert result.code == 2 and "--data is empty" in result.err


def test_since_after_until_is_a_usage_error() -> None:
    result = run("timeline", "--since", "2025-07", "--until", "2025-06")
    assert result.code == 2 and "2025-07 is after --until 2025-06: nothing could match" in result.err


def test_show_offers_only_the_formats_it_writes_and_names_ambiguity() -> None:
    assert run("show", "peskov", "--format", "csv").code == 2
    assert "csv" not in run("show", "--help").out
    result = run("show", "vladimir")
    assert result.code == 2
    assert "actor `vladimir` is ambiguous: it could be medinsky (Vladimir Medinsky), putin" in result.err


@pytest.mark.parametrize("args", [["timeline"], ["export", "json"], ["export", "ics"], ["matrix"]])
def test_a_reader_that_stops_early_ends_the_command_quietly(args: list[str]) -> None:
    import subprocess

    shell = subprocess.run(
        f"'{sys.executable}' -m talkbase {' '.join(args)} | true; echo \"status=${{PIPESTATUS[0]}}\"",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    assert shell.stderr == ""
    assert shell.stdout.strip() in ("status=0", "status=141")


def test_a_file_that_cannot_be_parsed_is_reported_first(tmp_path: Path) -> None:
    kb = tmp_path / "kb"
    shutil.copytree(REPO / "data", kb)
    topics = kb / "topics.yaml"
    lines = topics.read_text().splitlines(keepends=True)
    lines[26] = " bad: [unclosed\n"
    topics.write_text("".join(lines))
    result = run("check", "--data", str(kb))
    assert result.code == 1
    first = result.out.splitlines()[0]
    assert "topics.yaml:27:" in first and "invalid YAML" in first
    assert "note: 1 file could not be read (listed first)" in result.err


@pytest.mark.parametrize("command", ["timeline", "matrix"])
def test_save_with_another_format_is_a_usage_error(command: str, tmp_path: Path) -> None:
    result = run(command, "--save", str(tmp_path / "x.svg"), "--format", "json")
    assert result.code == 2 and "--save draws the table" in result.err
    assert not (tmp_path / "x.svg").exists()


def test_an_empty_data_folder_is_the_knowledge_base_and_says_it_is_empty(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "notes").mkdir()
    for command in ("timeline", "actors", "positions", "check"):
        result = run(command, cwd=tmp_path / "notes")  # found from a folder below, as an editor opens it
        assert result.code == 0, result.err
        assert f"note: the knowledge base {tmp_path / 'data'} is empty (no *.yaml or *.yml files): add a first " in (
            result.err
        )
        assert "talkbase add actor --name NAME --kind person" in result.err
        assert "Zelensky" not in result.out  # not the bundled knowledge base


def test_falling_back_to_the_bundled_knowledge_base_says_so_at_a_terminal_only(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    from conftest import talkbase_env

    leader, follower = os.openpty()
    done = subprocess.run(
        [sys.executable, "-m", "talkbase", "actors"],
        cwd=tmp_path, env=talkbase_env({"COLUMNS": "100"}), stdout=follower, stderr=subprocess.PIPE, timeout=60,
    )  # fmt: skip
    os.close(follower)
    os.close(leader)
    assert done.returncode == 0
    assert done.stderr.decode().strip() == "using the bundled knowledge base: no data/ folder here or above"
    piped = run("actors", cwd=tmp_path)
    assert piped.code == 0 and piped.err == "" and "Zelensky" in piped.out


def test_a_name_not_found_says_which_knowledge_base_was_searched(tmp_path: Path) -> None:
    result = run("positions", "--actor", "trimble", cwd=tmp_path)
    assert result.code == 2
    assert "actor `trimble` not found; searched the bundled knowledge base (" in result.err
    result = run("show", "nothing-here", "--data", str(SMALL))
    assert result.code == 2
    assert f"no record `nothing-here`; searched {SMALL} (from --data)" in result.err.replace("\n", " ")
