"""The TimelineJS export in a real browser with the real TimelineJS: hostile text from the data is shown as
text, and nothing in it runs; a summary keeps its line breaks, and the title slide names the knowledge base.

Needs `chromium` and the npm package @knight-lab/timelinejs installed under /tmp/talkbase-timelinejs (or the
folder in $TALKBASE_TIMELINEJS); see README, Development. Without them the test is skipped.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from conftest import run, write_kb

PACKAGE = Path(os.environ.get("TALKBASE_TIMELINEJS", "/tmp/talkbase-timelinejs"))
DIST = PACKAGE / "node_modules" / "@knight-lab" / "timelinejs" / "dist"

# Each hostile string calls tbPwned(where) if it ever runs; the page records every call.
HOSTILE = {
    "title": "<img src=x onerror=tbPwned('title')>",
    "title-entity": "&lt;img src=x onerror=tbPwned('title-entity')&gt;",
    "kind": "&lt;img src=x onerror=tbPwned('kind')&gt;",
    "kind-raw": "<img src=x onerror=tbPwned('kind-raw')>",
    "kind-double": "&amp;lt;img src=x onerror=tbPwned('kind-double')&amp;gt;",
    "kind-quotes": "\"'><svg onload=\"tbPwned('kind-quotes')\">",
    "summary": "&amp;lt;b&amp;gt;double&amp;lt;/b&amp;gt; <script>tbPwned('summary')</script>",
    "location": "\"><img src=x onerror=\"tbPwned('location')\"> 'single' &quot;",
    "source": "<svg onload=tbPwned('source')> &lt;i&gt;",
    "publisher": "&lt;img src=x onerror=tbPwned('publisher')&gt;",
}


LINES = "\nsecond <b>line</b>\n\nthird & last"  # after the hostile summary: its line breaks must stay


def hostile_kb(folder: Path) -> Path:
    def q(text: str) -> str:
        return json.dumps(text)  # a JSON string is a YAML double-quoted scalar

    return write_kb(folder, {"kb.yaml": f"""
        sources:
          - id: s
            title: {q(HOSTILE["source"])}
            publisher: {q(HOSTILE["publisher"])}
            url: https://example.org/?a=1&b="2"
        events:
          - id: e1
            title: {q(HOSTILE["title"])}
            date: 2025-07-01
            kind: {q(HOSTILE["kind"])}
            summary: {q(HOSTILE["summary"] + LINES)}
            location: {q(HOSTILE["location"])}
            status: scheduled
            sources: [s]
          - id: e2
            title: {q(HOSTILE["title-entity"])}
            date: 2025-07-05
            kind: {q(HOSTILE["kind-raw"])}
            sources: [s]
          - id: e3
            title: plain
            date: 2025-07-09
            kind: {q(HOSTILE["kind-double"])}
            sources: [s]
          - id: e4
            title: quotes
            date: 2025-07-12
            kind: {q(HOSTILE["kind-quotes"])}
            sources: [s]
        """})  # fmt: skip


PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>talkbase timeline</title>
<link rel="stylesheet" href="{dist}/css/timeline.css">
<script>
window.tbRan = [];
function tbPwned(where) {{ window.tbRan.push(where); document.title = "PWNED"; }}
</script>
<script src="{dist}/js/timeline.js"></script>
<script src="data.js"></script>
</head><body>
<div id="timeline-embed" style="width: 1200px; height: 650px"></div>
<pre id="tb-report"></pre>
<script>
new TL.Timeline("timeline-embed", window.tbData);
setTimeout(function () {{
  function texts(selector) {{
    return Array.from(document.querySelectorAll(selector), function (e) {{ return e.textContent; }});
  }}
  document.getElementById("tb-report").textContent = JSON.stringify({{
    ran: window.tbRan,
    title: document.title,
    groups: texts(".tl-timegroup-message"),
    headlines: texts(".tl-slide .tl-headline"),
    texts: texts(".tl-slide .tl-text-content"),
    htmls: Array.from(document.querySelectorAll(".tl-slide .tl-text-content"), function (e) {{ return e.innerHTML; }}),
    markers: texts(".tl-timemarker-text"),
    links: Array.from(document.querySelectorAll(".tl-slide .tl-text-content a"), function (a) {{ return a.href; }}),
  }});
}}, 4000);
</script>
</body></html>
"""


def write_page(folder: Path, document: str) -> Path:
    """A page that shows `document` (TimelineJS JSON) with the installed TimelineJS, and after rendering
    writes a report (what ran, what each part shows) into #tb-report."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "data.js").write_text(f"window.tbData = {document};\n", encoding="utf-8")
    page = folder / "page.html"
    page.write_text(PAGE.format(dist=DIST.as_uri()), encoding="utf-8")
    return page


def chromium() -> str:
    """The browser, or a skip when it or TimelineJS is missing (CI may have neither)."""
    found = next(filter(None, map(shutil.which, ("chromium", "chromium-browser", "google-chrome"))), None)
    if not found:
        pytest.skip("no chromium on PATH (apt-get install -y chromium)")
    if not (DIST / "js" / "timeline.js").is_file():
        pytest.skip(f"TimelineJS not found at {DIST} (npm install --prefix {PACKAGE} @knight-lab/timelinejs)")
    return found


def render_in_browser(browser: str, page: Path) -> dict[str, Any]:
    done = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--allow-file-access-from-files",
         "--virtual-time-budget=15000", "--dump-dom", page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    found = re.search(r'<pre id="tb-report">(.*?)</pre>', done.stdout, re.S)
    assert found and found.group(1), (done.returncode, done.stderr[-2000:])
    return json.loads(html.unescape(found.group(1)))


def test_hostile_text_shows_literally_and_runs_nothing_in_timelinejs(tmp_path: Path) -> None:
    browser = chromium()
    result = run("export", "timelinejs", "--data", str(hostile_kb(tmp_path / "kb")))
    assert result.code == 0, result.err
    report = render_in_browser(browser, write_page(tmp_path / "page", result.out))
    assert report["ran"] == [] and report["title"] == "talkbase timeline"
    # It rendered: the title slide and four events, their markers, and one group per kind.
    assert len(report["headlines"]) == 5 and len(report["markers"]) == 4
    kinds = ["kind", "kind-raw", "kind-double", "kind-quotes"]
    assert sorted(report["groups"]) == sorted(HOSTILE[k] for k in kinds)
    assert HOSTILE["title"] in report["headlines"] and HOSTILE["title-entity"] in report["headlines"]
    assert any(HOSTILE["title"] in marker for marker in report["markers"])
    text = next(t for t in report["texts"] if HOSTILE["summary"] in t)
    for key in ("location", "source", "publisher"):
        assert HOSTILE[key] in text, key
    assert report["links"][0] == "https://example.org/?a=1&b=%222%22"
    # The title slide bears the knowledge base's name (its folder's); a summary's lines stay lines.
    assert report["headlines"][0] == "kb"
    assert any(
        "&lt;/script&gt;<br>second &lt;b&gt;line&lt;/b&gt;<br><br>third &amp; last</p>" in h for h in report["htmls"]
    )
