"""Asking for a record's fields one at a time on a terminal, checking each answer as it is given.

Prompts go to stderr (so `--dry-run > file` keeps only YAML on stdout). Tab completes ids and vocabulary
words where readline is available. Text from the knowledge base is shown literally (no Rich markup).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text

from talkbase.records.schema import CHOICE, ENTRIES, ID, ORDER, REF, REFS, Field, Kind, field_help
from talkbase.records.text import escape_controls
from talkbase.write.answers import AnswerError, Known, check_in_record, parse_answer, split_list, suggest_id

if TYPE_CHECKING:
    from collections.abc import Callable

    from rich.console import Console


class Asker:
    def __init__(self, known: Known, console: Console, read: Callable[[Text], str] | None = None) -> None:
        self.known = known
        self.console = console  # the command line's (talkbase.show.render.make_console), on stderr
        self.read = read or self.console.input
        self._completion = _Completion()

    def intro(self, kind: Kind, given: dict[str, Any]) -> None:
        self.console.print(
            Text.assemble(
                (f"New {kind.singular}. ", "bold"),
                "Enter skips an optional field; Tab completes ids; Ctrl-C stops (what you typed is kept).",
            )
        )
        for name, value in given.items():
            self.console.print(Text(f"  {name}: {escape_controls(_shown(value))}", style="dim"))

    def ask(self, kind: Kind, spec: Field, values: dict[str, Any]) -> Any:
        """Ask until the answer fits the field; an empty answer skips an optional field."""
        default = suggest_id(kind.key, values, self.known) if spec.type == ID else None
        self.console.print(Text(f"{field_help(spec)}{self._examples(spec)}", style="dim"))
        self._completion.offer(self._candidates(spec))
        if spec.type == ENTRIES:
            return self._ask_entries(spec)
        label = spec.name + ("" if spec.required else " (optional)")
        while True:
            prompt = Text.assemble((label, "bold"), f" [{default}]" if default else "", ": ")
            answer = self.read(prompt).strip()
            if not answer and default:
                answer = default
            if not answer:
                if not spec.required:
                    return None
                self._error(f"`{spec.name}` is required")
                continue
            try:
                value = self._checked(spec, answer)
                check_in_record(kind.key, {**values, spec.name: value})
                return value
            except AnswerError as exc:
                self._error(str(exc))

    def _ask_entries(self, spec: Field) -> list[dict[str, Any]]:
        entries: list[dict[str, Any]] = []
        while True:
            answer = self.read(Text.assemble((f"{spec.item} {len(entries) + 1}", "bold"), " (Enter: done): "))
            if not answer.strip():
                return entries
            try:
                entries.extend(parse_answer(spec, answer, self.known))
            except AnswerError as exc:
                self._error(str(exc))

    def _checked(self, spec: Field, answer: str) -> Any:
        value = parse_answer(spec, answer, self.known)
        if spec.type in (REF, REFS):
            ids = value if isinstance(value, list) else [value]
            typed = split_list(answer)
            if ids != typed:
                self.console.print(Text(f"  → {', '.join(ids)}", style="green"))
        return value

    def _error(self, message: str) -> None:
        self.console.print(Text(f"  {escape_controls(message)}", style="red"))

    def _candidates(self, spec: Field) -> list[str]:
        if spec.type == CHOICE:
            return list(spec.vocab)
        if spec.type in (REF, REFS, ORDER):
            return self.known.ids_of(spec.refs)
        return []

    def _examples(self, spec: Field) -> str:
        if spec.type not in (REF, REFS) or spec.refs == ("events", "positions"):
            return ""
        ids = self.known.ids_of(spec.refs)
        if not ids or len(ids) > 12:
            return ""
        return f" — {', '.join(ids)}"


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={_shown(v)}" for k, v in value.items())
    return str(value)


class _Completion:
    """Tab completion of the current field's words through readline, when the platform has it."""

    def __init__(self) -> None:
        self.words: list[str] = []
        try:
            import readline
        except ImportError:
            self.readline = None
            return
        self.readline = readline
        readline.set_completer_delims(" ,;=")
        readline.parse_and_bind("tab: complete")
        readline.set_completer(self._complete)

    def offer(self, words: list[str]) -> None:
        self.words = words

    def _complete(self, text: str, state: int) -> str | None:
        matches = [w for w in self.words if w.startswith(text)]
        return matches[state] if state < len(matches) else None
