"""Showing data text safely: control, bidi and zero-width characters become visible escapes.

Kept free of Rich so that writers that only need escaping (JSON exports) stay light.
"""

from __future__ import annotations

import re
from typing import Any

# C0/C1 controls (but newline and tab), DEL, bidi overrides/isolates and zero-width characters.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


def json_text(value: Any, indent: int | None = None) -> str:
    """JSON that keeps non-ASCII text readable but writes every control, bidi or zero-width character as a
    \\u escape, so JSON printed on a terminal cannot control it either (and parses back to the same text)."""
    import json

    text = json.dumps(value, ensure_ascii=False, indent=indent)
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def escape_controls(text: str) -> str:
    """Make invisible or terminal-controlling characters visible: ESC becomes `\\x1b`, U+202E `\\u202e`."""
    return _UNSAFE.sub(lambda m: _escape_char(m.group()), text)


def _escape_char(char: str) -> str:
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def html_text(text: str) -> str:
    """Data text for an HTML page: control characters shown as escapes, then `&`, `<`, `>`, `"` and `'` as
    entities, so data never becomes markup and an entity in the data (`&lt;`) shows as those four characters."""
    import html

    return html.escape(escape_controls(text), quote=True)


# What a spreadsheet takes for the start of a formula (OWASP's list): =, +, -, @, a tab and a carriage return.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_text(cell: str) -> str:
    """A CSV cell that spreadsheets show as text instead of running it as a formula: one starting with
    =, +, -, @, a tab or a carriage return gets a leading `'` (so `-5` becomes `'-5` too)."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell
