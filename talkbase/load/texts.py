"""Sources' texts kept in files (`text_file:`): found and read only inside the data folder, as UTF-8 text files
(`.txt` or `.md`), whatever a hostile knowledge base names; and the list of such files, for the parse cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from talkbase.load.loader import (
    FOLLOW_ENV,
    YAML_SUFFIXES,
    discover_files,
    display_path,
    follow_symlinks,
    read_text,
)

TEXT_SUFFIXES = (".txt", ".md")
# A source's text is an article, a speech, a treaty: a few hundred kilobytes at most. The limit keeps checking
# every quote against it quick (a few seconds at the limit) whatever a hostile knowledge base holds.
MAX_TEXT_BYTES = 4 * 1024 * 1024


def discover_with_texts(root: Path) -> tuple[list[Path], list[Path]]:
    """The knowledge base's YAML files (as discover_files lists them) and every file a `text_file` may name,
    from one walk of the data folder: the texts are part of the parse cache's signature, so that a changed text
    is checked again."""
    if not root.is_dir():
        return discover_files(root), []
    found = discover_files(root, YAML_SUFFIXES + TEXT_SUFFIXES)
    # a link to a folder is listed to be reported whatever its name: it stays with the YAML files
    texts = [p for p in found if p.name.endswith(TEXT_SUFFIXES) and not p.is_dir()]
    chosen = set(texts)
    return [p for p in found if p not in chosen], texts


class TextReader:
    """Reads the text a source's `text_file` names, relative to the folder of the YAML file defining the
    source: for a record being added or imported, the file it will be written to (`placed`), or else the data
    folder; each file once."""

    def __init__(self, root: Path, placed: dict[str, Path] | None = None) -> None:
        folder = root if root.is_dir() else root.parent
        self.real_root = Path(os.path.realpath(folder))
        self.read: dict[Path, tuple[str | None, str, str]] = {}
        self.placed = placed or {}  # a draft or import file -> the YAML file its records will be written to
        self.follow = follow_symlinks()  # the user trusts links leading out of the data folder

    def __call__(self, defined_in: str, name: str) -> tuple[str | None, str, str]:
        """The text, or None, why it cannot be read (said as the end of "`text_file`: ...") and a hint."""
        where = "name a .txt or .md file in the data folder, relative to this YAML file's folder"
        if not name.endswith(TEXT_SUFFIXES):
            return None, f"`{name}` is not a .txt or .md file", where
        if os.path.isabs(name) or name.startswith("~"):
            return None, f"`{name}` is not a path relative to this file's folder", where
        base = Path(os.path.realpath(self.placed.get(defined_in, Path(defined_in)).parent))
        if not base.is_relative_to(self.real_root):  # a record being imported: named from the data folder's top
            base = self.real_root
        path = base / name
        if not Path(os.path.normpath(path)).is_relative_to(self.real_root):
            return None, f"`{name}` lies outside the data folder; not read", where
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(self.real_root) and not self.follow:
            why = f"`{name}` is a symbolic link leading outside the data folder (to {real}); not read"
            return None, why, f"pass --follow-symlinks or set {FOLLOW_ENV}=1 to read it"
        if real not in self.read:
            shown = display_path(path)
            text, problems = read_text(path, shown, MAX_TEXT_BYTES)
            if not problems:
                self.read[real] = (text, "", "")
            else:
                problem = problems[0]
                at = f":{problem.line}:{problem.col}" if (problem.line, problem.col) != (1, 1) else ""
                why = f"{shown}{at}: {problem.message}"  # the path tried, and where in the file
                if "larger" in problem.message:
                    hint = (
                        f"a source's text is at most {MAX_TEXT_BYTES // 2**20} MiB; keep the part the quotes come from"
                    )
                else:
                    hint = problem.hint or where
                self.read[real] = (None, why, hint)
        return self.read[real]


def source_text(source: Any, reader: TextReader) -> str | None:
    """A source's text: its `text`, or its `text_file` read (None when it has neither, or the file cannot be
    read: check reports that)."""
    if source.text is not None:
        return str(source.text)
    if source.text_file is None:
        return None
    return reader(source.loc.path, source.text_file)[0]
