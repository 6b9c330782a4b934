"""What `-o`, `--save` and `schema -o` write to: a file is replaced atomically where it really is, a device, FIFO
or descriptor is written through, anything else is refused; nothing is ever replaced by a regular file.

The tests run as root (as CI does), where a mistake would replace system files: they make their device nodes,
FIFOs and links in a temporary folder and never name /dev/null, /dev/full or /dev/stdout (which the unfixed
code replaced with regular files, system-wide).
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from conftest import REPO, run, talkbase_env

# Each command that writes a file, as (argv before the path, argv after it).
WRITERS = {
    "export json": (["export", "json", "-o"], []),
    "export ics": (["export", "ics", "-o"], []),
    "export sqlite": (["export", "sqlite", "-o"], []),
    "schema": (["schema", "-o"], []),
}


def write(name: str, target: Path | str) -> subprocess.CompletedProcess[str]:
    before, after = WRITERS[name]
    return subprocess.run(
        [sys.executable, "-m", "talkbase", *before, str(target), *after],
        cwd=REPO,
        env=talkbase_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )


def mknod(path: Path, kind: int, major: int, minor: int) -> Path:
    if os.geteuid() != 0:
        pytest.skip("making device nodes needs root")
    os.mknod(path, kind | 0o666, os.makedev(major, minor))
    return path


@pytest.mark.parametrize("name", WRITERS)
def test_a_character_device_is_written_through_not_replaced(tmp_path: Path, name: str) -> None:
    null = mknod(tmp_path / "null", stat.S_IFCHR, 1, 3)  # the same device as /dev/null
    done = write(name, null)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISCHR(null.lstat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null"]  # no temporary file left beside it


def test_a_full_device_is_a_clear_error(tmp_path: Path) -> None:
    full = mknod(tmp_path / "full", stat.S_IFCHR, 1, 7)
    done = write("export json", full)
    assert done.returncode == 1 and "No space left on device" in done.stderr and "Traceback" not in done.stderr
    assert stat.S_ISCHR(full.lstat().st_mode)


@pytest.mark.parametrize("name", ["export json", "schema"])
def test_a_fifo_is_written_through(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    done = write(name, fifo)
    reader.join(timeout=30)
    assert done.returncode == 0, done.stderr
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
    assert json.loads(received[0])  # the whole document came through the pipe


@pytest.mark.parametrize("named", ["/proc/self/fd/1", "/dev/fd/1", "link"])
def test_a_named_descriptor_writes_to_standard_output_without_replacing_it(tmp_path: Path, named: str) -> None:
    """/dev/stdout itself is not used here: before the fix it was replaced by a file, system-wide."""
    if named == "link":
        named = str(tmp_path / "stdout")
        os.symlink("/proc/self/fd/1", named)
    out = tmp_path / "out.json"
    with open(out, "wb") as handle:
        done = subprocess.run(
            [sys.executable, "-m", "talkbase", "export", "json", "-o", named],
            cwd=REPO,
            env=talkbase_env(),
            stdout=handle,
            stderr=subprocess.PIPE,
            timeout=60,
        )
    assert done.returncode == 0
    assert json.loads(out.read_text())["format_version"] == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "stdout") == ["out.json"]


def test_a_named_descriptor_into_a_pipe() -> None:
    done = run("export", "json", "-o", "/dev/fd/1")
    assert done.code == 0 and json.loads(done.out)["format_version"] == 1


@pytest.mark.parametrize("name", ["export json", "export sqlite", "schema"])
def test_a_link_to_a_file_is_followed_and_the_file_replaced(tmp_path: Path, name: str) -> None:
    real = tmp_path / "real" / "out"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link"
    link.symlink_to(real)
    done = write(name, link)
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_bytes() != b"old" and stat.S_IMODE(real.stat().st_mode) == 0o640


def test_a_link_to_a_device_writes_through_it(tmp_path: Path) -> None:
    null = mknod(tmp_path / "null", stat.S_IFCHR, 1, 3)
    link = tmp_path / "link"
    link.symlink_to(null)
    assert write("export json", link).returncode == 0
    assert link.is_symlink() and stat.S_ISCHR(null.lstat().st_mode)


def test_a_dangling_link_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "made.json")
    assert write("export json", link).returncode == 0
    assert link.is_symlink() and json.loads((tmp_path / "made.json").read_text())


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda p: mknod(p, stat.S_IFBLK, 7, 0), "is a block device"),
        (lambda p: p.mkdir(), "is a folder"),
    ],
)
@pytest.mark.parametrize("name", ["export json", "export sqlite", "schema"])
def test_anything_else_is_refused_and_left_alone(tmp_path: Path, name: str, make, message: str) -> None:
    target = tmp_path / "target"
    make(target)
    before = target.lstat()
    done = write(name, target)
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr
    after = target.lstat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def test_a_missing_file_under_dev_is_not_created() -> None:
    try:
        done = run("export", "json", "-o", "/dev/talkbase-test-not-here")
        assert done.code == 1 and "system path" in done.err
        assert not os.path.lexists("/dev/talkbase-test-not-here")
    finally:
        Path("/dev/talkbase-test-not-here").unlink(missing_ok=True)


def test_a_folder_export_refuses_a_device_and_a_fifo(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for target in (fifo, mknod(tmp_path / "null", stat.S_IFCHR, 1, 3)):
        done = run("export", "csv", "-o", str(target))
        assert done.code != 0 and "Traceback" not in done.err
        assert not stat.S_ISREG(target.lstat().st_mode) and not stat.S_ISDIR(target.lstat().st_mode)


def test_save_writes_through_a_device_and_follows_a_link(tmp_path: Path) -> None:
    null = mknod(tmp_path / "null.svg", stat.S_IFCHR, 1, 3)
    assert run("timeline", "--save", str(null)).code == 0
    assert stat.S_ISCHR(null.lstat().st_mode)
    real = tmp_path / "picture.svg"
    real.write_text("old")
    link = tmp_path / "link.svg"
    link.symlink_to(real)
    assert run("timeline", "--save", str(link)).code == 0
    assert link.is_symlink() and real.read_text().startswith("<svg")


def test_schema_to_dash_is_standard_output(tmp_path: Path) -> None:
    done = run("schema", "-o", "-", cwd=tmp_path)
    assert done.code == 0 and json.loads(done.out)["$schema"]
    assert not (tmp_path / "-").exists()


def test_the_path_written_is_told_escaped(tmp_path: Path) -> None:
    target = tmp_path / "\x1b]0;owned\x07report.json"
    done = run("export", "json", "-o", str(target))
    assert done.code == 0 and "\x1b" not in done.err and "\\x1b]0;owned\\x07report.json" in done.err
    assert target.exists()


def test_no_wrote_note_lands_in_a_stream(tmp_path: Path) -> None:
    done = run("export", "json", "-o", "/dev/fd/2")
    assert done.code == 0 and "wrote" not in done.err and json.loads(done.err)["format_version"] == 1
    assert "wrote" in run("export", "json", "-o", str(tmp_path / "x.json")).err
