"""Showing data text safely: control, bidi, invisible and zero-width characters become visible escapes.

Kept free of Rich so that writers that only need escaping (JSON exports) stay light.
"""

from __future__ import annotations

import re
from typing import Any

# The one set of characters never written raw: C0/C1 controls (but newline and tab) and DEL; characters that
# change the direction of text (bidi overrides and isolates, the Arabic letter mark); characters that show
# nothing or hide what follows: soft hyphen, combining grapheme joiner, Hangul fillers, Mongolian vowel
# separator, zero-width characters and joiners, word joiner and invisible operators, interlinear annotation
# marks, the byte-order mark, variation selectors and tag characters; and the line and paragraph separators,
# which break a line where no newline is seen.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u115f\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\u3164"
    "\ufe00-\ufe0f\ufeff\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef"
    "\udc80-\udcff]"  # and a byte of a file name that is not UTF-8, as Python keeps it (surrogateescape)
)


def json_text(value: Any, indent: int | None = None) -> str:
    """JSON that keeps non-ASCII text readable but writes every character of the unsafe set as a \\u escape
    (a surrogate pair beyond U+FFFF), so JSON printed on a terminal cannot control it either, and parses back
    to the same text."""
    import json

    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _UNSAFE.sub(lambda m: _json_escape(m.group()), text)


def script_json(value: Any) -> str:
    """JSON (as json_text writes it) that is also safe inside an HTML <script> element or a script file a page
    loads: `<`, `>` and `&` as \\u escapes, so no `</script>` or `<!--` in the data can end or bend the script."""
    return json_text(value).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def web_url(url: str | None) -> str | None:
    """A URL from the data that may be made a link: http or https with a host, nothing else (never
    `javascript:`, `data:` or `file:`); None for any other."""
    from urllib.parse import urlsplit

    if not url or any(c.isspace() or _UNSAFE.match(c) for c in url.strip()):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def escape_controls(text: str, one_line: bool = False) -> str:
    """Make invisible or terminal-controlling characters visible: ESC becomes `\\x1b`, U+202E `\\u202e`,
    U+E0041 `\\U000e0041`. With `one_line` (a file name, an id), a line break and a tab too: `\\n`, `\\t`."""
    if text.isascii() and text.isprintable():  # nothing to escape (most text, asked in C: 100,000 claims)
        return text
    shown = _UNSAFE.sub(lambda m: _escape_char(m.group()), text)
    return shown.replace("\n", "\\n").replace("\t", "\\t") if one_line else shown


def _escape_char(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # the byte itself: `bad\xff.yaml`
        code -= 0xDC00
    if code < 0x100:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _json_escape(char: str) -> str:
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte of a file name that is not UTF-8: shown as `\xff`, not a lone surrogate
        return "\\\\x" + f"{code - 0xDC00:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    code -= 0x10000  # JSON has no astral escape: a UTF-16 surrogate pair, as json.dumps writes with ensure_ascii
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def html_text(text: str) -> str:
    """Data text for an HTML page: control characters shown as escapes, then `&`, `<`, `>`, `"` and `'` as
    entities, so data never becomes markup and an entity in the data (`&lt;`) shows as those four characters."""
    import html

    return html.escape(escape_controls(text), quote=True)


def html_lines(text: str) -> str:
    """Data text for HTML that keeps its line breaks: escaped as by `html_text`, then each line break a `<br>`
    (HTML would run the lines together), so the only markup is talkbase's own."""
    return html_text(text).replace("\n", "<br>")


# What Markdown (CommonMark, GitHub's tables) would take for markup: emphasis, code, links and images, HTML
# tags and entities, headings, strikethrough and the table's own pipes. Each gets a backslash, which CommonMark
# allows before any ASCII punctuation.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>#|&!~])")


def markdown_text(text: str) -> str:
    """Data text for a Markdown document: control characters shown as escapes, line breaks as spaces, and every
    character Markdown would read as markup backslash-escaped, so `<img onerror=…>`, `[x](javascript:…)` or
    `**b**` in the data show as typed and never become HTML, links or emphasis."""
    return _MARKDOWN.sub(r"\\\1", escape_controls(text).replace("\n", " "))


# What a spreadsheet takes for the start of a formula (OWASP's list): =, +, -, @, a tab and a carriage return.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(cell: str) -> str:
    """A CSV cell that spreadsheets show as text instead of running it as a formula: one starting with
    =, +, -, @, a tab or a carriage return gets a leading `'` (so `-5` becomes `'-5` too)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell
