"""Start-up: a command imports only what it uses (PyYAML only on a cache miss), checked in fresh processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, REPO

PROBE = """
import json, sys
from talkbase.cli import main
sys.argv = ["talkbase", *sys.argv[1:]]
try:
    main()
finally:
    sys.stdout.flush()
    print("\\n" + json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_after(*args: str, cache: Path) -> set[str]:
    """The modules imported by one `talkbase ARGS` process (run with the given cache directory)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBASE_")}
    env.update({"XDG_CACHE_HOME": str(cache), "NO_COLOR": "", "TERM": "dumb"})
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *args], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stderr.strip().splitlines()[-1]))


def test_a_warm_command_never_imports_yaml(tmp_path: Path) -> None:
    kb = str(FIXTURES / "kb-small")
    cold = modules_after("timeline", "--data", kb, cache=tmp_path)
    assert "yaml" in cold and "talkbase.load.parser" in cold  # the first run parsed the files
    for args in (["timeline"], ["positions", "--actor", "nordin"], ["grep", "ceasefire", "--count"]):
        warm = modules_after(*args, "--data", kb, cache=tmp_path)
        assert not {"yaml", "talkbase.load.parser", "talkbase.load.validate"} & warm, args
    counted = modules_after("grep", "ceasefire", "--count", "--data", kb, cache=tmp_path)
    assert "rich.console" not in counted and "talkbase.show.views" not in counted  # a count needs no table


def test_a_command_imports_only_the_module_that_defines_it(tmp_path: Path) -> None:
    kb = str(FIXTURES / "kb-small")
    modules = modules_after("--no-cache", "timeline", "--data", kb, cache=tmp_path)
    assert "talkbase.cli.listing" in modules
    assert not {"talkbase.cli.analysis", "talkbase.cli.export", "talkbase.cli.entry", "talkbase.cli.keeping"} & modules
    everything = {
        "talkbase.cli.listing",
        "talkbase.cli.analysis",
        "talkbase.cli.export",
        "talkbase.cli.entry",
        "talkbase.cli.keeping",
    }
    assert everything <= modules_after("--help", cache=tmp_path)


def test_the_command_map_names_the_module_of_every_command() -> None:
    from talkbase.cli import COMMANDS, app

    found = {(c.name or c.callback.__name__).replace("_", "-"): c.callback.__module__ for c in app.registered_commands}
    for group in app.registered_groups:  # a group's module is the one that holds its Typer app
        holders = [name for name, m in sys.modules.items() if name.startswith("talkbase.cli.")]
        found[group.name] = next(
            n for n in holders if any(v is group.typer_instance for v in vars(sys.modules[n]).values())
        )
    assert {name: module.rsplit(".", 1)[1] for name, module in found.items()} == COMMANDS


def test_main_registers_every_command_again_for_later_readers() -> None:
    code = (
        "import sys\nfrom talkbase.cli import main, app\n"
        "sys.argv = ['talkbase', 'timeline', '--help']\nmain()\n"
        "print(len(app.registered_commands), len(app.registered_groups))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.split()[-2:] == ["21", "1"], done.stderr  # every command but `add`, a group


def test_narrowing_builds_one_command_and_keeps_what_is_registered_meanwhile() -> None:
    from talkbase.cli import app
    from talkbase.cli.app import command_name

    everything = [command_name(c) for c in app.registered_commands]
    with app.narrowed("grep"):
        assert [command_name(c) for c in app.registered_commands] == ["grep"] and not app.registered_groups

        @app.command()
        def probe_only() -> None: ...

    with app.narrowed("add"):
        assert not app.registered_commands and [g.name for g in app.registered_groups] == ["add"]
    assert [command_name(c) for c in app.registered_commands] == [*everything, "probe-only"]
    app.registered_commands.pop()
