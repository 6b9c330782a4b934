"""Where talkbase keeps its own files (the parse cache, drafts and locks): the XDG base directories."""

from __future__ import annotations

import os
from pathlib import Path


def xdg_dir(variable: str, fallback: str) -> Path:
    """`$variable`, or `~/fallback` when it is unset, empty or relative: the XDG Base Directory spec says a
    relative path there is invalid and must be ignored (else the files would land in whatever directory a
    command happens to run in, the data directory included)."""
    value = os.environ.get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path(os.path.expanduser("~"), fallback)
