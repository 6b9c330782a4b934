"""Sources' texts kept in files (`text_file:`): found and read only inside the data folder, as UTF-8 text files
(`.txt` or `.md`), whatever a hostile knowledge base names; and the list of such files, for the parse cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from talkbase.load.loader import YAML_SUFFIXES, discover_files, follow_symlinks, read_text

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
        self.read: dict[Path, tuple[str | None, str]] = {}
        self.placed = placed or {}  # a draft or import file -> the YAML file its records will be written to
        self.follow = follow_symlinks()  # the user trusts links leading out of the data folder

    def __call__(self, defined_in: str, name: str) -> tuple[str | None, str]:
        """The text, or None and why it cannot be read (said as the end of "`text_file`: ...")."""
        if not name.endswith(TEXT_SUFFIXES):
            return None, f"`{name}` is not a .txt or .md file"
        if os.path.isabs(name) or name.startswith("~"):
            return None, f"`{name}` is not a path relative to this file's folder"
        base = Path(os.path.realpath(self.placed.get(defined_in, Path(defined_in)).parent))
        if not base.is_relative_to(self.real_root):  # a record being imported: named from the data folder's top
            base = self.real_root
        path = base / name
        if not Path(os.path.normpath(path)).is_relative_to(self.real_root):
            return None, f"`{name}` lies outside the data folder; not read"
        real = Path(os.path.realpath(path))
        if not real.is_relative_to(self.real_root) and not self.follow:
            return None, f"`{name}` is a symbolic link leading outside the data folder (to {real}); not read"
        if real not in self.read:
            text, problems = read_text(path, name, MAX_TEXT_BYTES)
            self.read[real] = (text, problems[0].message if problems else "")
        return self.read[real]


def source_text(source: Any, reader: TextReader) -> str | None:
    """A source's text: its `text`, or its `text_file` read (None when it has neither, or the file cannot be
    read: check reports that)."""
    if source.text is not None:
        return str(source.text)
    if source.text_file is None:
        return None
    return reader(source.loc.path, source.text_file)[0]
