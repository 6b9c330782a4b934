"""`talkbase serve`: started on a free port as a user would start it, it answers every page of the site, shows an
edit on the next request and the knowledge base's errors while it has some, refuses every path outside the
site and every method but GET and HEAD, survives malformed requests and clients that go away, and stops
cleanly on Ctrl-C."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, talkbase_env


class Server:
    def __init__(self, *args: str, cwd: Path | None = None) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "talkbase", "serve", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=cwd or REPO,
            env=talkbase_env(),
        )
        line = self.process.stdout.readline() if self.process.stdout else ""
        found = re.search(r"at (http://127\.0\.0\.1:(\d+)/) \(Ctrl-C stops\)", line)
        assert found, (line, self.process.stderr.read() if self.process.stderr else "")
        self.url, self.port = found.group(1), int(found.group(2))

    def get(self, path: str, method: str = "GET") -> tuple[int, str]:
        request = urllib.request.Request(self.url + path.lstrip("/"), method=method)
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                return answer.status, answer.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def raw(self, data: bytes, read: bool = True) -> bytes:
        with socket.create_connection(("127.0.0.1", self.port), timeout=10) as conn:
            conn.sendall(data)
            if not read:
                return b""
            conn.shutdown(socket.SHUT_WR)
            chunks = []
            while chunk := conn.recv(65536):
                chunks.append(chunk)
            return b"".join(chunks)

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGINT)  # Ctrl-C
        _, err = self.process.communicate(timeout=30)
        return self.process.returncode, err


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "data", tmp_path / "data")
    return tmp_path / "data"


@pytest.fixture
def server(kb: Path) -> Iterator[Server]:
    running = Server("--data", str(kb))
    yield running
    if running.process.poll() is None:
        running.process.kill()
        running.process.communicate()


def test_it_serves_every_page_of_the_site(server: Server, tmp_path: Path, kb: Path) -> None:
    from conftest import run

    assert run("site", str(tmp_path / "site"), "--data", str(kb)).code == 0
    files = [p.relative_to(tmp_path / "site").as_posix() for p in (tmp_path / "site").rglob("*") if p.is_file()]
    assert len(files) > 50
    for name in files:
        status, body = server.get(name)
        assert status == 200, name
        assert body == (tmp_path / "site" / name).read_text(encoding="utf-8"), name
    assert server.get("/")[1] == server.get("index.html")[1]
    assert server.get("actors/")[1] == server.get("actors/index.html")[1]


def test_an_edit_shows_on_the_next_request_and_errors_show_as_a_page(server: Server, kb: Path) -> None:
    actors = kb / "actors.yaml"
    original = actors.read_text(encoding="utf-8")
    actors.write_text(original.replace("name: Dmitry Peskov", "name: Dmitry S. Peskov"), encoding="utf-8")
    time.sleep(0.7)
    status, body = server.get("actors/peskov.html")
    assert status == 200 and "Dmitry S. Peskov" in body
    actors.write_text(original + "  - id: broken\n    kind: person\n", encoding="utf-8")
    time.sleep(0.7)
    status, body = server.get("actors/peskov.html")
    assert status == 503 and "The knowledge base has errors" in body
    assert re.search(r"actors\.yaml:\d+:\d+: error: ", body)
    assert server.get("site.css")[0] == 200  # the error page keeps its style
    actors.write_text(original, encoding="utf-8")
    time.sleep(0.7)
    status, body = server.get("actors/peskov.html")
    assert status == 200 and "Dmitry Peskov" in body


@pytest.mark.parametrize(
    "target",
    [
        "/../../etc/passwd",
        "/actors/../../etc/passwd",
        "/actors/%2e%2e/%2e%2e/etc/passwd",
        "/%2e%2e%2fetc%2fpasswd",
        "/..%5c..%5cetc%5cpasswd",
        "//etc/passwd",
        "/actors/peskov.html%00.png",
        "/.git/config",
        "/%ff%fe",
        "/actors/./peskov.html",
    ],
)
def test_paths_outside_the_site_are_404(server: Server, target: str) -> None:
    answer = server.raw(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 404 "), answer[:200]
    assert b"root:" not in answer


def test_only_this_machine_s_names_are_answered(server: Server) -> None:
    for host, status in (("attacker.example", b"421"), ("localhost", b"200"), ("127.0.0.1", b"200")):
        answer = server.raw(f"GET / HTTP/1.1\r\nHost: {host}:{server.port}\r\nConnection: close\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.1 " + status), (host, answer[:80])  # a rebound name reads nothing
    moved = server.raw(b"GET /actors HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert moved.startswith(b"HTTP/1.1 301") and b"Location: /actors/\r\n" in moved


def test_only_reading_is_allowed(server: Server) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "TRACE", "FOO"):
        assert server.get("index.html", method=method)[0] == 405
    status, body = server.get("index.html", method="HEAD")
    assert status == 200 and body == ""


def test_it_survives_malformed_requests_and_clients_that_go_away(server: Server) -> None:
    junk = [
        b"\x00\x01\x02 garbage\r\n\r\n",
        b"GET\r\n\r\n",  # HTTP/0.9: answered without a status line, as that version has none
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /" + b"a" * 70000 + b" HTTP/1.1\r\n\r\n",
        b"GET / HTTP/1.1\r\n" + b"X: y\r\n" * 200 + b"\r\n",
    ]
    for request in junk:
        answer = server.raw(request)
        said = re.match(rb"HTTP/1\.[01] [45]\d\d ", answer) or re.search(rb"Error code: [45]\d\d", answer)
        assert answer == b"" or said, answer[:99]
    for _ in range(5):  # ask for the largest page and hang up before reading it
        server.raw(b"GET /index.html HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", read=False)
        server.raw(b"GET /ind", read=False)
    assert server.get("index.html")[0] == 200
    assert server.process.poll() is None


def test_ctrl_c_stops_it_cleanly(server: Server) -> None:
    assert server.get("index.html")[0] == 200
    code, err = server.stop()
    assert code == 0 and "stopped" in err and "Traceback" not in err


def test_another_host_than_this_machine_is_warned_about(kb: Path) -> None:
    running = subprocess.Popen(
        [sys.executable, "-m", "talkbase", "serve", "--data", str(kb), "--host", "0.0.0.0", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=talkbase_env(),
    )  # fmt: skip
    try:
        assert running.stdout is not None and "serving" in running.stdout.readline()
    finally:
        running.send_signal(signal.SIGINT)
        _, err = running.communicate(timeout=30)
    assert "warning: listening on 0.0.0.0: anyone who can reach this machine can read" in err


def test_on_every_address_it_answers_addresses_and_its_own_name_never_another_domain(kb: Path) -> None:
    running = Server("--data", str(kb), "--host", "0.0.0.0")
    try:
        for host, status in (("evil.example", b"421"), ("192.0.2.7", b"200"), ("127.0.0.1", b"200"),
                             (socket.gethostname(), b"200")):  # fmt: skip
            answer = running.raw(f"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            assert answer.startswith(b"HTTP/1.1 " + status), (host, answer[:60])
    finally:
        running.stop()


def test_a_port_in_use_or_out_of_range_is_said(server: Server, kb: Path) -> None:
    from conftest import run

    taken = run("serve", "--data", str(kb), "--port", str(server.port))
    assert taken.code == 1 and f"cannot listen on 127.0.0.1 port {server.port}" in taken.err
    assert run("serve", "--port", "70000").code == 2
    assert "is not a port number" in run("serve", "--port", "http").err


def test_a_knowledge_base_with_errors_is_served_as_its_error_page(tmp_path: Path) -> None:
    broken = tmp_path / "kb"
    broken.mkdir()
    (broken / "kb.yaml").write_text("actors:\n  - id: x\n", encoding="utf-8")
    running = Server("--data", str(broken))
    try:
        status, body = running.get("index.html")
        assert status == 503 and re.search(r"kb\.yaml:2:\d+: error: ", body)
    finally:
        running.stop()
    assert os.path.exists(broken / "kb.yaml")
