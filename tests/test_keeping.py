"""`talkbase mv` and `talkbase rm`, run as real commands on small knowledge bases written inline: exact spans
edited, every other byte kept, all files or none (an exception half-way, a kill half-way and recovery)."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Result, run, write_kb

KB = {
    "actors.yaml": """\
        # The parties.
        actors:
          - id: north
            name: North
            kind: state
          - id: nordin
            name: "Åsa Nordin"   # the president
            kind: person
            affiliation: 'north'
        """,
    "sources.yaml": """\
        sources:
          - id: paper
            title: The paper
          - id: radio
            title: The radio
        topics:
          - id: truce
            name: Truce
        """,
    "more/events.yaml": """\
        events:
          - id: talks
            title: Talks
            date: 2025-05
            status: postponed
            participants:
              - north
              - "nordin"
            topics: [truce]
            sources: [paper, radio]
            history:
              - date: 2025-04
                status: scheduled
                sources: [paper]
              - date: 2025-04-20
                status: postponed
                sources: [radio]
        positions:
          # Nordin's offer, as the paper reported it.
          - id: offer
            actor: nordin
            topic: truce
            stance: proposes
            claim: A truce.
            date: 2025-05
            event: talks
            sources: [paper]
            after: [2025-04, talks]

          - id: answer
            actor: north
            topic: truce
            stance: supports
            claim: Yes.
            date: 2025-06
            contests: [offer]
            sources: [radio, paper]
        """,
}


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    return write_kb(tmp_path / "data", KB)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def talkbase(kb: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    return run(*args, "--data", str(kb), cwd=kb.parent, env=env)


def test_mv_edits_only_the_id_characters_in_every_file(kb: Path) -> None:
    before = snapshot(kb)
    result = talkbase(kb, "mv", "nordin", "asa-nordin")
    assert result.code == 0, result.err
    assert result.out == (
        "renamed `nordin` to `asa-nordin`: 2 references in 2 files\n  data/actors.yaml\n  data/more/events.yaml\n"
    )
    after = snapshot(kb)
    assert after["sources.yaml"] == before["sources.yaml"]
    assert after["actors.yaml"] == before["actors.yaml"].replace(b"- id: nordin", b"- id: asa-nordin")
    events = before["more/events.yaml"].replace(b'- "nordin"', b'- "asa-nordin"')
    assert after["more/events.yaml"] == events.replace(b"actor: nordin", b"actor: asa-nordin")
    assert talkbase(kb, "check").code == 0


def test_mv_keeps_quotes_flow_lists_dates_entries_crlf_and_byte_order_mark(kb: Path) -> None:
    events = kb / "more" / "events.yaml"
    events.write_bytes(b"\xef\xbb\xbf" + events.read_bytes().replace(b"\n", b"\r\n"))
    before = events.read_bytes()
    assert talkbase(kb, "mv", "talks", "talks-2025").code == 0
    assert talkbase(kb, "mv", "paper", "the-paper").code == 0
    assert talkbase(kb, "mv", "north", "n").code == 0
    text = events.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf") and b"\r\n" in text and b"\n" not in text.replace(b"\r\n", b"")
    assert b"after: [2025-04, talks-2025]" in text and b"event: talks-2025" in text
    assert b"sources: [the-paper, radio]" in text and b"sources: [radio, the-paper]" in text
    assert text.count(b"sources: [the-paper]") == 2  # the position's and the first history entry's
    assert len(text) == len(before) + 3 * 5 + 4 * 4 - 2 * 4  # ids the only difference
    assert b"affiliation: 'n'" in (kb / "actors.yaml").read_bytes()
    assert talkbase(kb, "check").code == 0


def test_mv_dry_run_prints_a_diff_and_writes_nothing(kb: Path) -> None:
    before = snapshot(kb)
    result = talkbase(kb, "mv", "truce", "ceasefire", "--dry-run")
    assert result.code == 0
    assert snapshot(kb) == before
    assert result.out.startswith("--- a/data/sources.yaml\n+++ b/data/sources.yaml\n@@ -4,5 +4,5 @@\n")
    assert "-  - id: truce\n+  - id: ceasefire\n" in result.out
    assert "-    topics: [truce]\n+    topics: [ceasefire]\n" in result.out
    summary = "would have renamed `truce` to `ceasefire`: 3 references in 2 files"
    assert result.err == f"(dry run: nothing written) {summary}\n"


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["nordn", "x"], 2, "no record `nordn` (did you mean `nordin`?); searched "),
        (["nordin", "Nordin"], 2, "`Nordin` is not a valid id"),
        (["nordin", "2025-07"], 2, "reads as a date"),
        (["nordin", "north"], 2, "`north` is already the id of actor at data/actors.yaml:3: pick another id"),
    ],
)
def test_mv_refuses_a_bad_old_or_new_id(kb: Path, args: list[str], code: int, message: str) -> None:
    before = snapshot(kb)
    result = talkbase(kb, "mv", *args)
    assert (result.code, result.out) == (code, "")
    assert result.err.startswith("talkbase: error: ") and message in result.err
    assert snapshot(kb) == before


def test_mv_refuses_while_a_file_cannot_be_read_or_an_id_is_escaped(kb: Path) -> None:
    (kb / "broken.yaml").write_text("actors:\n  - id: x\n    name: [unclosed\n", encoding="utf-8")
    result = talkbase(kb, "mv", "nordin", "asa")
    assert result.code == 1
    assert "data/broken.yaml:3:11: error: invalid YAML" in result.err
    (kb / "broken.yaml").unlink()
    (kb / "actors.yaml").write_text((kb / "actors.yaml").read_text().replace("'north'", '"nor\\x74h"'))
    before = snapshot(kb)
    result = talkbase(kb, "mv", "north", "n")
    assert result.code == 1
    assert 'talkbase: error: data/actors.yaml:9:18: `north` is written as `"nor\\x74h"`, which' in result.err
    assert snapshot(kb) == before


def test_an_exception_half_way_rolls_every_file_back_byte_for_byte(kb: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from talkbase.write import transaction
    from talkbase.write.renaming import plan_rename

    files = [(p, str(p)) for p in sorted(kb.rglob("*.yaml"))]
    changes = plan_rename(files, "truce", "ceasefire").changes
    assert len(changes) == 2
    real = transaction.replace_if_unchanged
    calls = []

    def failing(temp: Path, target: Path, expected: bytes) -> None:
        calls.append(target)
        if len(calls) == 2:
            raise OSError(28, "No space left on device")
        real(temp, target, expected)

    monkeypatch.setattr(transaction, "replace_if_unchanged", failing)
    before = snapshot(kb)
    with pytest.raises(OSError, match="No space"):
        transaction.commit(kb, changes, "test")
    assert snapshot(kb) == before  # the first file was replaced, then put back; no temporary or journal is left
    assert sorted(p.name for p in kb.rglob(".*")) == []


def test_a_file_changed_since_it_was_read_is_not_overwritten(kb: Path) -> None:
    from talkbase.write import transaction
    from talkbase.write.atomic import FileChangedError
    from talkbase.write.renaming import plan_rename

    changes = plan_rename([(p, str(p)) for p in sorted(kb.rglob("*.yaml"))], "truce", "ceasefire").changes
    events = kb / "more" / "events.yaml"
    events.write_text(events.read_text() + "# someone's edit\n")
    before = snapshot(kb)
    with pytest.raises(FileChangedError):
        transaction.commit(kb, changes, "test")
    assert snapshot(kb) == before


def test_killed_half_way_mv_refuses_until_recover_puts_every_file_back(kb: Path) -> None:
    before = snapshot(kb)
    killed = talkbase(kb, "mv", "nordin", "asa", env={"TALKBASE_TEST_KILL_AFTER_REPLACING": "1"})
    assert killed.code == -9  # SIGKILL, after the first of the two files was replaced
    now = snapshot(kb)
    changed = [name for name in before if now[name] != before[name]]
    assert changed == ["actors.yaml"]
    assert (kb / ".talkbase-journal" / "manifest.json").exists()
    refused = talkbase(kb, "rm", "offer")
    assert refused.code == 1 and "run `talkbase mv --recover`" in refused.err
    recovered = talkbase(kb, "mv", "--recover")
    assert recovered.code == 0, recovered.err
    assert recovered.out.endswith("recovered: every file is as it was before the interrupted command (1 put back)\n")
    assert snapshot(kb) == before  # journal, backups and staged files all gone
    assert not any(p.name.startswith(".") for p in kb.parent.rglob("*") if p.parent != kb.parent)
    assert talkbase(kb, "check").code == 0
    assert talkbase(kb, "mv", "nordin", "asa").code == 0
    assert talkbase(kb, "check").code == 0


def test_recover_with_nothing_to_recover(kb: Path) -> None:
    result = talkbase(kb, "rm", "--recover")
    assert (result.code, result.out) == (0, "nothing to recover: no interrupted mv, rm or import left a journal here\n")


def test_rm_refuses_while_referred_to_and_lists_each_reference(kb: Path) -> None:
    before = snapshot(kb)
    result = talkbase(kb, "rm", "paper")
    assert result.code == 1
    assert result.err.splitlines() == [
        "data/more/events.yaml:10:15: event talks refers to it in sources",
        "data/more/events.yaml:14:19: event talks refers to it in history[1].sources",
        "data/more/events.yaml:27:15: position offer refers to it in sources",
        "data/more/events.yaml:37:22: position answer refers to it in sources",
        "talkbase: error: `paper` is still referred to (4 references above): remove them first, or use --cascade",
    ]
    assert snapshot(kb) == before


def test_rm_removes_the_item_and_its_comments_and_keeps_the_rest(kb: Path) -> None:
    assert talkbase(kb, "rm", "answer").code == 0
    assert talkbase(kb, "rm", "offer").code == 0
    events = (kb / "more" / "events.yaml").read_text()
    assert events.endswith("        sources: [radio]\npositions:\n")  # the kind's list left empty, which is valid
    assert talkbase(kb, "check").code == 0
    assert talkbase(kb, "rm", "north").code == 1  # the event still names it


def test_rm_cascade_removes_what_would_dangle_and_edits_the_rest(kb: Path) -> None:
    result = talkbase(kb, "rm", "paper", "--cascade")
    assert result.code == 0, result.err
    assert result.out.splitlines() == [
        "removed `paper` and 1 record with it",
        "edits event `talks` (data/more/events.yaml:2): drops `paper` from sources",
        "edits event `talks` (data/more/events.yaml:2): removes its history entries 1, which cite only `paper`",
        "removes position `offer` (data/more/events.yaml:20): its sources would be gone",
        "edits position `answer` (data/more/events.yaml:30): removes its contests (it named `offer`)",
        "edits position `answer` (data/more/events.yaml:30): drops `paper` from sources",
        "  data/sources.yaml",
        "  data/more/events.yaml",
    ]
    events = (kb / "more" / "events.yaml").read_text()
    assert "Nordin's offer" not in events and "id: offer" not in events
    assert "    sources: [radio]\n    history:\n      - date: 2025-04-20\n" in events
    assert events.endswith(
        "positions:\n  - id: answer\n    actor: north\n    topic: truce\n    stance: supports\n"
        "    claim: Yes.\n    date: 2025-06\n    sources: [radio]\n"
    )
    assert talkbase(kb, "check").code == 0


def test_rm_cascade_removes_an_optional_reference_field(kb: Path) -> None:
    result = talkbase(kb, "rm", "north", "--cascade", "--dry-run")
    assert result.code == 0
    assert "-    affiliation: 'north'\n" in result.out
    assert "-      - north\n" in result.out
    assert "removes position `answer` (data/more/events.yaml:30): its actor would be gone" in result.err
    assert "removes its affiliation (it named `north`)" in result.err  # the id, not its letters
    assert talkbase(kb, "rm", "north", "--cascade").code == 0
    assert talkbase(kb, "check").code == 0
