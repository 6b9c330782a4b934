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
    assert "yaml" in cold and "talkbase.parser" in cold  # the first run parsed the files
    for args in (["timeline"], ["positions", "--actor", "nordin"], ["grep", "ceasefire", "--count"]):
        warm = modules_after(*args, "--data", kb, cache=tmp_path)
        assert not {"yaml", "talkbase.parser", "talkbase.validate"} & warm, args
