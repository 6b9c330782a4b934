"""`talkbase serve`: the site's pages over HTTP on this machine, built again whenever the knowledge base changes.

Read-only by construction: the server answers GET and HEAD from the mapping `build` gives (path -> bytes) and
never touches the file system for a request, so no path, however it is spelled (`..`, `%2e%2e`, `//`,
backslashes), reaches a file outside the site: anything not in the mapping is 404. While the knowledge base
has errors, every page is the list of them (`path:line:col: error: ...`), with status 503, until they are fixed.
"""

from __future__ import annotations

import posixpath
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".png": "image/png",
}
# Pages are built from the data, so the browser may keep nothing: a reload always shows the knowledge base now.
HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "connect-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
}
RECHECK = 0.5  # seconds: how often at most the data's files are looked at again


@dataclass(frozen=True)
class Built:
    """The site as last built: its files, or (while the data has errors) the page saying what they are."""

    files: dict[str, bytes]
    problems_page: bytes | None = None


class LiveSite:
    """The site, built again when `stamp()` (the data's files: paths, sizes, times) changes."""

    def __init__(self, build: Callable[[], Built], stamp: Callable[[], object], first: Built | None = None) -> None:
        self._build, self._stamp = build, stamp
        self._lock = threading.Lock()
        self._seen: object = stamp()
        self._checked = time.monotonic()
        self.current = first if first is not None else build()

    def get(self) -> Built:
        with self._lock:
            now = time.monotonic()
            if now - self._checked >= RECHECK:
                self._checked = now
                stamp = self._stamp()
                if stamp != self._seen:
                    self.current = self._build()
                    self._seen = stamp
            return self.current


def site_path(target: str) -> str | None:
    """The site file a request's target names (`/` is `index.html`, `/actors/` its index), or None for a
    target no file of the site could be: one with `..`, a backslash, a NUL or a control character."""
    path = unquote(urlsplit(target).path, errors="strict") if target.startswith("/") else None
    if path is None or any(c in path for c in "\\\x00") or any(ord(c) < 0x20 or ord(c) == 0x7F for c in path):
        return None
    parts = path.split("/")
    if ".." in parts or "." in parts:
        return None
    name = posixpath.normpath(path).lstrip("/")
    if path.endswith("/") or name in ("", "."):
        name = posixpath.join(name, "index.html") if name not in ("", ".") else "index.html"
    return name


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    server_version = "talkbase"
    sys_version = ""
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(with_body=True)

    def do_HEAD(self) -> None:
        self._answer(with_body=False)

    def _refuse(self) -> None:
        self.send_error(HTTPStatus.METHOD_NOT_ALLOWED, "talkbase serve only reads")

    def __getattr__(self, name: str) -> Any:
        if name.startswith("do_"):  # every method but GET and HEAD, whatever its name: 405, not 501
            return self._refuse
        raise AttributeError(name)

    def _answer(self, with_body: bool) -> None:
        if not self.server.allows(self.headers.get("Host", "")):
            # A page elsewhere may make its own name lead here (DNS rebinding): only this machine's names are served.
            self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                       b"421: this server answers only to the address it printed\n", with_body)  # fmt: skip
            return
        try:
            name = site_path(self.path)
        except UnicodeDecodeError:
            name = None
        if (
            name is not None
            and name not in self.server.site.get().files
            and f"{name}/index.html" in (self.server.site.get().files)
        ):  # `/actors`: the folder, as a browser should address it
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", f"/{name}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        built = self.server.site.get()
        if built.problems_page is not None and (name is None or name.endswith(".html") or "." not in name):
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, TYPES[".html"], built.problems_page, with_body)
        elif name is None or name not in built.files:
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", b"404: no such page in this site\n",
                       with_body)  # fmt: skip
        else:
            kind = TYPES.get(posixpath.splitext(name)[1], "application/octet-stream")
            self._send(HTTPStatus.OK, kind, built.files[name], with_body)

    def _send(self, status: HTTPStatus, kind: str, body: bytes, with_body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for header, value in HEADERS.items():
            self.send_header(header, value)
        self.end_headers()
        if with_body:
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log is not None:
            from talkbase.records.text import escape_controls

            self.server.log(escape_controls(f"{self.address_string()} {format % args}", one_line=True))


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # Ctrl-C does not wait for a client that keeps its connection open

    def __init__(self, address: tuple[str, int], site: LiveSite, log: Callable[[str], None] | None) -> None:
        super().__init__(address, _Handler)
        self.site = site
        self.log = log
        self.host = address[0]

    def allows(self, host_header: str) -> bool:
        """Whether a request's Host names this server: a loopback name, the address it was told to listen on, or,
        listening on every address, an address (never a domain name: one a page elsewhere controls could lead
        here, DNS rebinding) or this machine's own name. Any port: a browser sends the one it connected to."""
        import ipaddress

        name = host_header.rsplit(":", 1)[0] if not host_header.endswith("]") else host_header
        name = name.strip("[]").lower()
        if name in ("localhost", "127.0.0.1", "::1") or name == self.host.strip("[]").lower():
            return True
        if self.host not in ("0.0.0.0", "::"):
            return False
        try:
            ipaddress.ip_address(name)
            return True
        except ValueError:
            return name in {socket.gethostname().lower(), socket.getfqdn().lower()}

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that went away mid-answer is no error of the server's; anything else is said in one line."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        if self.log is not None:
            self.log(f"error answering {client_address[0]}: {type(error).__name__}: {error}")


class _Server6(_Server):
    address_family = socket.AF_INET6


def serve(site: LiveSite, host: str, port: int, log: Callable[[str], None] | None) -> _Server:
    """A server of `site` bound to host:port (port 0: a free one, see `server_address`); `serve_forever` runs it."""
    return (_Server6 if ":" in host else _Server)((host, port), site, log)


LOOPBACK = ("127.0.0.1", "::1", "localhost")


def is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")
