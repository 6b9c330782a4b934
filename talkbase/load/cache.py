"""The parse cache: a snapshot of a clean knowledge base, reused while none of its files has changed, and
each file's parse, so that after an edit only the changed files are parsed again.

A snapshot is keyed by the data directory, talkbase's version and, for every YAML file, its path, size,
modification time, change time and inode, and a hash of its content when it is small (HASH_UP_TO); an entry
written too soon after a file's modification to vouch for it (RACY_NS) is not trusted. It is stored under
`$XDG_CACHE_HOME/talkbase`, sealed (below), so a corrupt, truncated, stale or foreign file is detected and
ignored (the knowledge base is then loaded from the YAML and the snapshot rewritten). Only knowledge bases
without errors are cached; the paths of their problems (warnings), and the one a duplicate's message names, are
re-made relative to the current directory on every use. `--no-cache` or `TALKBASE_NO_CACHE=1` bypasses it.

A snapshot file is MAGIC, a keyed digest of the header (HMAC-SHA-256 with a secret made once per cache folder,
readable by its owner only, so an entry edited by hand, checksum and all, fails it), the header's length, the
header (key, record layout, counts, problems, and where each section lies with the keyed digest of its bytes),
then the sections. The file is mapped, not read: a section is read, checked against its digest and unmarshalled
only when a command uses it. Each kind is kept twice: as columns (one section per plain or date field, for
commands that test or read a few fields of every record) and as rows in chunks of CHUNK records (for building
the records a command chose, reading only their chunks), and its ids sorted, with the row of each (to find a
record by id without reading every id). The id index is one more section.
"""

from __future__ import annotations

import hashlib
import hmac
import marshal
import os
import sys
import time
from array import array
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, fields
from functools import cache, partial
from itertools import chain, compress
from operator import attrgetter
from pathlib import Path
from stat import S_ISREG
from typing import Any

from talkbase import __version__
from talkbase.load.loader import display_path, follow_symlinks
from talkbase.load.nodes import REPORTED, RawRecord, YList, YMap
from talkbase.load.xdg import xdg_dir
from talkbase.records.model import collector_paused
from talkbase.records.problems import Problem, Severity
from talkbase.records.texts import Texts, Words

FORMAT = 12
# marshal's format may change between Python versions, and a snapshot's records are unmarshalled lazily
# (outside the checks of `load`), so an entry is only ever read by the talkbase and Python that wrote it.
STAMP = f"{__version__} {sys.implementation.name}-{sys.version_info[0]}.{sys.version_info[1]}"
MAGIC = b"talkbase-cache\n"
DIGEST_SIZE = 16  # of an HMAC-SHA-256: 11 ms over 20 MB here (a CRC-32 took 5 ms, but anyone can recompute it)
KEY_SIZE = 32

Signature = tuple[tuple[str, int, int, int, int, bytes | None], ...]


def cache_dir() -> Path:
    return xdg_dir("XDG_CACHE_HOME", ".cache") / "talkbase"


def disabled_by_environment() -> bool:
    return os.environ.get("TALKBASE_NO_CACHE", "") not in ("", "0")


# A file up to this size is also known by a hash of its content: a write that keeps its size and times (through
# a shared memory map, or within the time stamps' granularity) is still seen. Hashing costs reading the file on
# every command, about 1 ms per MiB; a bigger file is known by its stamps alone, under the rule of RACY_NS.
HASH_UP_TO = 1 << 20
# A file whose stamp alone is kept, modified less than this before its cache entry was written, may have changed
# again since within the same tick of a coarse clock (FAT keeps 2 s) without its stamp showing it: such an entry
# is not trusted, and the file is parsed again (the new entry, written later, then is).
RACY_NS = 2_000_000_000

Stamp = tuple[int, int, int, int, bytes | None]


def file_stamp(path: Path, st: os.stat_result, buffer: bytearray | None = None) -> Stamp:
    """What identifies a version of a file: size, modification time, and the change time and inode, which
    no tool can set back (`touch -r`, `cp -p`, `rsync -a` and tar restore the modification time), and, up to
    HASH_UP_TO bytes, a hash of its content, read into `buffer` when one is given (stamping many files, one
    buffer read into costs half what a new one per file does). Raises OSError when the file cannot be read."""
    digest = None
    if S_ISREG(st.st_mode) and st.st_size <= HASH_UP_TO:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            digest = hashlib.sha256(_read_up_to_limit(fd, buffer)).digest()[:16]
        finally:
            os.close(fd)
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, digest)


def _read_up_to_limit(fd: int, buffer: bytearray | None) -> memoryview:
    """The first HASH_UP_TO + 1 bytes of an open file (all of it, if shorter), in `buffer` or a new one."""
    view = memoryview(buffer if buffer is not None and len(buffer) > HASH_UP_TO else bytearray(HASH_UP_TO + 1))
    got = 0
    while got <= HASH_UP_TO:
        read = os.readv(fd, [view[got : HASH_UP_TO + 1]])
        if not read:
            break
        got += read
    return view[:got]


def racy(stamp: Stamp | list[Any], written_ns: int) -> bool:
    """Whether an entry written at `written_ns` cannot vouch for the file of `stamp` (see RACY_NS)."""
    return stamp[4] is None and stamp[1] + RACY_NS > written_ns


def signature(files: list[Path]) -> Signature | None:
    """Path and stamp of every file; None when one cannot be read (never cache then)."""
    buffer = bytearray(HASH_UP_TO + 1)
    try:
        return tuple((str(p.absolute()), *file_stamp(p, p.stat(), buffer)) for p in files)
    except OSError:
        return None


def snapshot_path(root: Path) -> Path:
    # following links changes which files may be read, so each choice has a snapshot of its own
    follow = follow_symlinks()
    key = hashlib.sha256(f"{root.absolute()}\0{STAMP}\0{FORMAT}\0{follow}".encode()).hexdigest()[:32]
    return cache_dir() / f"kb-{key}.bin"


@dataclass(slots=True)
class Snapshot:
    """A clean knowledge base read back from the cache: its warnings, its record counts, and its records,
    each kind built from the snapshot only when a command first uses it."""

    kb: Any  # a talkbase.records.model.KnowledgeBase
    problems: list[Problem]
    counts: dict[str, int]


class CacheMismatch(Exception):
    """A snapshot found inconsistent while its records were built, over files that no longer load cleanly:
    it has been removed, and the command must be run again to report the files' problems."""


def load(root: Path, sig: Signature, reload: Callable[[], Any] | None = None) -> Snapshot | None:
    """The snapshot of `root` if it matches `sig` exactly and its header is intact, else None.

    Only the header is read here; each section is checked against its digest when a command first uses it, so
    a damaged section is never half-used. A snapshot is trusted no further than its checksums: should a section
    fail its digest, or a kind's records turn out inconsistent when they are built (an impossible date, a value
    of the wrong type: an entry edited by hand, checksum and all), the snapshot is removed and the records come
    from `reload()`, the knowledge base loaded from its files."""
    from talkbase.records import model

    try:
        opened = _open_sealed(snapshot_path(root))
        if opened is None:
            return None
        header, sections = opened
        version, cached_root, cached_sig, layout, counts, problems, spans, written = header
        if (version, cached_root, cached_sig) != (STAMP, str(root.absolute()), sig):
            return None
        if any(racy(stamp[1:], written) for stamp in sig):
            return None
        if layout != _layout():
            return None  # written for records of another shape
        if sorted(counts) != sorted(model.KINDS_IN_ORDER) or any(type(n) is not int or n < 0 for n in counts.values()):
            return None
        if [name for name, *_ in spans] != _section_names(counts):
            return None
        if sum(size for _, _, size, _ in spans) != sections.end - sections.base:
            return None  # truncated, or grown: found before any section is read
        sections.spans = {name: tuple(where) for name, *where in spans}
        shown = [display_path(Path(path)) for path, *_ in sig]
        found = [_problem(shown[path], line, col, code, _placed(message, shown), *rest)
                 for path, line, col, code, message, *rest in problems]  # fmt: skip
        fallback = _Fallback(root, reload)
        builders = {kind: _KindBuilder(kind, counts[kind], sections, shown, fallback) for kind in model.KINDS_IN_ORDER}
        kb = model.KnowledgeBase.deferred(builders, lambda kb: _Index(builders, sections, fallback), _Kept(sections))
        return Snapshot(kb, found, dict(counts))
    except Exception:  # any unreadable or unexpected snapshot is simply not used
        return None


# Records per chunk of rows: building the seventy positions one actor stated reads seventy chunks of rows (about
# 9,000 rows at 100,000 positions) rather than every row; a whole kind reads every chunk.
CHUNK = 128
SPARSE = 8  # a column of which at least 7 in 8 values are empty tuples is kept as the others and their rows
FEW = 64  # fewer than one record in FEW chosen: their records are built rather than whole columns read
# Ids are looked up one by one (by bisection of the sorted ids, a few µs each) up to LOOKUPS of them; past that,
# in a dict of the whole id column (10 ms to read at 100,000 positions).
LOOKUPS = 256
_COLUMN_CODECS = ("", "date")  # the fields kept as columns too: those a command tests or reads of every record


def _listed_fields(kind: str) -> frozenset[str]:
    """The fields of a kind listing ids (sources, participants: refs in the schema), kept with their words
    (`Words` of the ids each holds), where the records holding one id are found without reading the field."""
    from talkbase.records.schema import REFS

    return _plain_fields_of(kind, REFS)


def _packed_fields(kind: str) -> frozenset[str]:
    """The prose fields of a kind (claims, quotes, titles: text in the schema), whose columns are kept packed
    (talkbase.records.texts): read back as one string, and searched in one pass."""
    from talkbase.records.schema import TEXT

    return _plain_fields_of(kind, TEXT)


@cache
def _plain_fields_of(kind: str, field_type: str) -> frozenset[str]:
    """The fields of a kind of this type in the schema that are stored as they are (no codec)."""
    from talkbase.records.model import _CLASSES
    from talkbase.records.schema import KINDS

    plain = {name for name, codec in _codecs(_CLASSES[kind]) if codec == ""}
    return frozenset(f.name for f in KINDS[kind].fields if f.type == field_type and f.name in plain)


def _section_names(counts: Mapping[str, int]) -> list[str]:
    """Every section of a snapshot with these counts, in file order: each kind's columns (`positions:actor`;
    after a packed or listed one, its words: `positions:claim~words`), then its chunks of rows (`positions#0`)
    and its sorted ids (`positions:id~rows`), and last the id index."""
    from talkbase.records.model import _CLASSES, KINDS_IN_ORDER

    names = []
    for kind in KINDS_IN_ORDER:
        worded = _packed_fields(kind) | _listed_fields(kind)
        for name, codec in _codecs(_CLASSES[kind]):
            if codec in _COLUMN_CODECS:
                names += [f"{kind}:{name}", f"{kind}:{name}~words"] if name in worded else [f"{kind}:{name}"]
        names += [f"{kind}#{n}" for n in range(-(-counts[kind] // CHUNK))]
        names.append(f"{kind}:id~rows")
    return [*names, "index"]


class _Sections:
    """A snapshot's sections, read from its file when first asked for, each checked against the digest the
    sealed header gives for it, and unmarshalled (the caller keeps what it needs). The file is opened for each
    read, and must still be the one whose header was read (a snapshot rewritten meanwhile is another file):
    holding it open would hold a descriptor for as long as the knowledge base lives."""

    def __init__(self, path: Path, identity: tuple[int, ...], base: int, end: int, key: bytes, seal: bytes) -> None:
        self.path, self.identity, self.base, self.end, self.key = path, identity, base, end, key
        self.seal = seal  # the keyed digest of the header: no two snapshots written share it
        self.spans: dict[str, tuple[Any, ...]] = {}

    def __call__(self, name: str) -> Any:
        return self.many([name])[0]

    def many(self, names: list[str]) -> list[Any]:
        """Several sections, read in one opening of the file."""
        with _opened(self.path) as (handle, identity):
            if identity != self.identity:
                raise ValueError("the snapshot was replaced since its header was read")
            found = []
            for name in names:
                start, size, digest = self.spans[name]
                if not (type(start) is type(size) is int and min(start, size) >= 0 and type(digest) is bytes):
                    raise ValueError(f"a span of the wrong shape for {name}")
                if self.base + start + size > self.end:
                    raise ValueError(f"section {name} lies past the sections")
                blob = os.pread(handle, size, self.base + start)
                if len(blob) != size or not hmac.compare_digest(_digest(self.key, blob), digest):
                    raise ValueError(f"section {name} fails its digest")
                found.append(blob)
        with collector_paused():
            return [marshal.loads(blob) for blob in found]


@contextmanager
def _opened(path: Path) -> Iterator[tuple[int, tuple[int, ...]]]:
    """A cache file's descriptor and identity (device, inode, size, modification time), if it is a regular file
    of at most MAX_ENTRY_BYTES: a FIFO, a device or a link put in the cache folder is never waited on, followed
    or read without end. Raises OSError (or ValueError) otherwise."""
    handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    try:
        info = os.fstat(handle)
        if not S_ISREG(info.st_mode) or info.st_size > MAX_ENTRY_BYTES:
            raise ValueError("not a cache file")
        yield handle, (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns)
    finally:
        os.close(handle)


def _digest(key: bytes, blob: bytes | memoryview) -> bytes:
    return hmac.digest(key, blob, "sha256")[:DIGEST_SIZE]


def _open_sealed(path: Path) -> tuple[Any, _Sections] | None:
    """A snapshot's header and its sections (not read yet), once its magic and the keyed digest of its tail
    (the header and its length, at the end of the file) are checked; None when there is no such file, or it
    fails them."""
    key = _key(create=False)
    start = len(MAGIC) + DIGEST_SIZE
    try:
        with _opened(path) as (handle, identity):
            total = identity[2]
            head = os.pread(handle, start, 0)
            size = int.from_bytes(os.pread(handle, 8, total - 8), "big") if total >= start + 8 else -1
            if key is None or len(head) != start or not head.startswith(MAGIC) or not 0 <= size <= total - start - 8:
                return None
            tail = os.pread(handle, size + 8, total - 8 - size)
    except (OSError, ValueError):
        return None
    if len(tail) != size + 8 or not hmac.compare_digest(_digest(key, tail), head[len(MAGIC) :]):
        return None
    with collector_paused():
        header = marshal.loads(tail[:-8])
    return header, _Sections(path, identity, start, total - 8 - size, key, head[len(MAGIC) :])


def _unplaced(problem: Problem, files: dict[str, int]) -> Any:
    """A problem's message as a snapshot keeps it. A duplicate's warning names where the first one is (`… repeats
    actor `x` at b.yaml:2:5: the same …`), by a path relative to the current directory, which the next run may
    not share: that path is kept as its file's number, `(before, number, after)`, and made again on reading
    (`_placed`). The place is the last ` at PATH:` of the message, since only fixed words follow it."""
    if not problem.code.startswith("duplicate-"):
        return problem.message
    places = [(problem.message.rfind(f" at {path}:"), path) for path in files]
    at, path = max(places, key=lambda place: place[0], default=(-1, ""))
    if at < 0:
        return problem.message
    start = at + len(" at ")
    return (problem.message[:start], files[path], problem.message[start + len(path) :])


def _placed(message: Any, shown: list[str]) -> Any:
    """A message as `_unplaced` kept it, with the file's path as this run shows it."""
    if type(message) is tuple and len(message) == 3 and type(message[0]) is type(message[2]) is str:
        return message[0] + shown[message[1]] + message[2]
    return message


def _problem(path: str, line: Any, col: Any, code: Any, message: Any, hint: Any, severity: Any) -> Problem:
    """A problem read back from a cache entry, its fields checked: a wrong type means the entry is not used."""
    if not (type(line) is type(col) is int and type(code) is type(message) is type(hint) is str):
        raise ValueError("a problem of the wrong shape")
    return Problem(path, line, col, code, message, hint, Severity(severity))


class _Fallback:
    """The knowledge base loaded from its files, for when a snapshot turns out inconsistent: the snapshot is
    removed first (the load rewrites it), and the files are loaded once, whichever kind asks first."""

    def __init__(self, root: Path, reload: Callable[[], Any] | None) -> None:
        self.root, self.reload = root, reload
        self.kb: Any = None

    def __call__(self) -> Any:
        if self.kb is None:
            with suppress(OSError):
                snapshot_path(self.root).unlink()
            if self.reload is None:
                raise CacheMismatch("the parse cache was inconsistent and has been removed")
            self.kb = self.reload()
        return self.kb


def save(root: Path, sig: Signature, kb: Any, problems: list[Problem]) -> None:
    """Write the snapshot of a clean knowledge base atomically; a cache that cannot be written is not an error.
    Sections are written as they are made, so that no more than one is held at a time."""
    from talkbase.records.model import KINDS_IN_ORDER

    index = {display: i for i, display in enumerate(display_path(Path(path)) for path, *_ in sig)}

    def header(spans: list[tuple[str, int, int, bytes]]) -> bytes:
        shown = [(index[p.path], p.line, p.col, p.code, _unplaced(p, index), p.hint, p.severity.value)
                 for p in problems]  # fmt: skip
        # written after the files were read: a later time than theirs, so never too trusting
        return marshal.dumps((STAMP, str(root.absolute()), sig, _layout(), kb.counts(), shown, spans, time.time_ns()))

    try:
        sections = (blob for kind in KINDS_IN_ORDER for blob in _kind_sections(kind, getattr(kb, kind), index))
        named = zip(_section_names(kb.counts()), chain(sections, [_index_section(kb)]), strict=True)
        _write_snapshot(snapshot_path(root), named, header)
    except (OSError, ValueError, KeyError):
        pass


def _kind_sections(kind: str, records: list[Any], paths: dict[str, int]) -> Iterator[bytes]:
    """A kind's sections in the order of `_section_names`: its columns, its chunks of rows, its sorted ids."""
    from talkbase.records.model import _CLASSES

    columns = _columns(kind, records, paths)
    packed, listed = _packed_fields(kind), _listed_fields(kind)
    for (name, codec), column in zip(_codecs(_CLASSES[kind]), columns):
        if name in packed:  # each made, written and let go in turn: at L the claims alone are 10 MB
            yield _texts_section(column)
            yield _words_section(Words.of(column))
        elif codec in _COLUMN_CODECS:
            yield marshal.dumps(_sparse(column) or column)
            if name in listed:
                yield _words_section(Words.of_items(column))
    for start in range(0, len(records), CHUNK):  # a chunk's rows at a time: all of them at once were 19 MB at L
        yield marshal.dumps(list(zip(*[column[start : start + CHUNK] for column in columns])))
    yield _id_rows_section([record.id for record in records])


def _id_rows_section(ids: list[str]) -> bytes:
    """The ids sorted, packed (as `Texts`: bisected where a hundred thousand strings would each be made), and
    the row of each, in the same order."""
    rows = sorted(range(len(ids)), key=ids.__getitem__)
    texts = Texts.of([ids[i] for i in rows])
    return marshal.dumps((texts.joined, texts.ends, array("i", rows)))


def _sparse(column: list[Any]) -> tuple[bytes, list[Any]] | None:
    """A column of mostly empty tuples (`after`, `before`: few records give an order) as the rows holding one
    that is not empty, and those: read back, 100,000 empty tuples took 5 ms each time the order was asked."""
    if column.count(()) * SPARSE < (SPARSE - 1) * len(column):
        return None
    rows = array("i", [i for i, value in enumerate(column) if value != ()])
    return rows.tobytes(), [column[i] for i in rows]


def _texts_section(column: list[str | None]) -> bytes:
    texts = Texts.of(column)  # (marshal writes an array as the bytes it holds, with no copy made first)
    return marshal.dumps((texts.joined, texts.ends, tuple(sorted(texts.missing))))


def _words_section(words: Words) -> bytes:
    return marshal.dumps((words.vocabulary, words.starts, words.postings, words.ascii))


def _index_section(kb: Any) -> bytes:
    from talkbase.records.model import KINDS_IN_ORDER, kind_key

    ids = list(kb.by_id)
    return marshal.dumps((ids, bytes(KINDS_IN_ORDER.index(kind_key(kb.by_id[i])) for i in ids)))


# How each field of a record is kept in a snapshot, by its declared type: plain values as they are (marshal
# keeps str, None and tuples exactly), dates as the text written, nested records as tuples of their fields,
# a Loc as (file number, line, column). A field of any other type means no snapshot is written.
_CODECS = {
    "str": "",
    "str | None": "",
    "tuple[str, ...]": "",
    "PartialDate": "date",
    "PartialDate | None": "date",
    "tuple[Role, ...]": "roles",
    "tuple[HistoryEntry, ...]": "history",
    "Loc": "loc",
}


# What a field's stored value must be, by its declared type: a row whose values are not so was not written by
# save() and is not used.
_STORED: dict[str, Callable[[Any], bool]] = {
    "str": lambda v: type(v) is str,
    "str | None": lambda v: v is None or type(v) is str,
    "tuple[str, ...]": lambda v: type(v) is tuple and all(type(x) is str for x in v),
    "PartialDate": lambda v: type(v) is str,
    "PartialDate | None": lambda v: v is None or type(v) is str,
    "tuple[Role, ...]": lambda v: type(v) is tuple,
    "tuple[HistoryEntry, ...]": lambda v: type(v) is tuple,
    "Loc": lambda v: type(v) is tuple and len(v) == 3 and all(type(x) is int for x in v) and min(v[1:]) >= 1,
}


@cache
def _stored_checks(cls: type) -> list[Callable[[Any], bool]]:
    """What each field of `cls` must hold in a snapshot: its type, a word of its vocabulary where it has one (a
    status, a stance: what a clean knowledge base can hold, so an edited entry cannot reach an export's lookup)."""
    vocabularies = _vocabularies(cls)
    checks = []
    for f in fields(cls):
        check, allowed = _STORED[f.type], vocabularies.get(f.name)
        if allowed is not None:  # (a vocabulary holds words and perhaps None: nothing unhashable is asked of it)
            check = partial(_in_vocabulary, allowed)
        checks.append(check)
    return checks


def _in_vocabulary(allowed: frozenset[Any], value: Any) -> bool:
    return (value is None or type(value) is str) and value in allowed


# The same checks as one expression per declared type, for a whole row at once (`_row_check`): at 100,000
# positions a function call per field was a second of a warm `matrix`.
_STORED_EXPRESSIONS: dict[str, str] = {
    "str": "type({v}) is str",
    "str | None": "({v} is None or type({v}) is str)",
    "tuple[str, ...]": "(type({v}) is tuple and (not {v} or set(map(type, {v})) == _STR))",
    "PartialDate": "type({v}) is str",
    "PartialDate | None": "({v} is None or type({v}) is str)",
    "tuple[Role, ...]": "type({v}) is tuple",
    "tuple[HistoryEntry, ...]": "type({v}) is tuple",
    "Loc": "(type({v}) is tuple and len({v}) == 3 and set(map(type, {v})) == _INT and min({v}[1:]) >= 1)",
}


_TEXT_TYPES = {"str": {str}, "str | None": {str, type(None)}}


@cache
def _row_check(cls: type) -> Callable[[tuple[Any, ...]], bool]:
    """One function telling whether a stored row (or nested item) of `cls` holds what `_stored_checks` asks of
    each of its fields, and has as many. It is made from the field types above, never from stored data."""
    vocabularies = _vocabularies(cls)
    names: dict[str, Any] = {"_STR": {str}, "_INT": {int}}
    tests = [f"type(r) is tuple and len(r) == {len(fields(cls))}"]
    for i, f in enumerate(fields(cls)):
        value = f"r[{i}]"
        if f.name in vocabularies:
            names[f"_V{i}"] = vocabularies[f.name]
            tests.append(f"({value} is None or type({value}) is str) and {value} in _V{i}")
        else:
            tests.append(_STORED_EXPRESSIONS[f.type].format(v=value))
    return eval(f"lambda r: {' and '.join(tests)}", names)  # the source is built from the types above


@cache
def _vocabularies(cls: type) -> dict[str, frozenset[Any]]:
    from talkbase.records.model import _CLASSES, HistoryEntry, Role
    from talkbase.records.schema import EXTENSIBLE, KINDS

    owners = {Role: ("actors", "roles"), HistoryEntry: ("events", "history")}
    kind = next((key for key, c in _CLASSES.items() if c is cls), None)
    if kind is not None:
        specs = KINDS[kind].fields
    elif cls in owners:
        owner, name = owners[cls]
        specs = KINDS[owner].field(name).subfields  # type: ignore[union-attr]
    else:
        return {}
    extensible = {field for kind_key, field in EXTENSIBLE.values() if kind == kind_key}  # any word a KB declares
    return {
        s.name: frozenset(s.vocab) | ({None} if not s.required else set())
        for s in specs
        if s.vocab and s.name not in extensible
    }


def _codecs(cls: type) -> list[tuple[str, str]]:
    try:
        return [(f.name, _CODECS[f.type]) for f in fields(cls)]
    except KeyError as exc:
        raise ValueError(f"no snapshot codec for a field of type {exc}") from None


def _layout() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """Every kind's fields and codecs; a snapshot written for another layout is not used."""
    from talkbase.records.model import _CLASSES

    return tuple((kind, tuple(_codecs(cls))) for kind, cls in _CLASSES.items())


def _columns(kind: str, records: list[Any], paths: dict[str, int]) -> list[list[Any]]:
    """Each field of the records as a column of stored values, in the order of the model's fields."""
    from talkbase.records.model import _CLASSES, HistoryEntry, Role

    role_codecs, history_codecs = _codecs(Role), _codecs(HistoryEntry)

    def encode(value: Any, codec: str) -> Any:
        if codec == "" or value is None:
            return value
        if codec == "date":
            return value.text
        if codec == "loc":
            return (paths[value.path], value.line, value.col)
        nested = role_codecs if codec == "roles" else history_codecs
        return tuple(tuple(encode(getattr(item, n), c) for n, c in nested) for item in value)

    # Ids, dates and other short texts recur thousands of times: stored once (marshal then writes references
    # to the first), the snapshot is smaller, and reading it back makes one string instead of thousands.
    shared: dict[str, str] = {}

    def once(value: Any) -> Any:
        if type(value) is str:
            return shared.setdefault(value, value) if len(value) <= 64 else value
        if type(value) is tuple and all(type(v) is str for v in value):
            return tuple([shared.setdefault(v, v) for v in value])
        return value

    columns = []  # a column at a time: one attrgetter map per field is cheaper than a loop per record
    for name, codec in _codecs(_CLASSES[kind]):
        column = list(map(attrgetter(name), records))
        if codec:
            column = [encode(value, codec) for value in column]
        if codec in ("", "date"):  # the others hold numbers and nested tuples, never a text to share
            column = list(map(once, column))
        columns.append(column)
    return columns


class _KindBuilder:
    """Builds one kind's records from a snapshot: all of them (when called), only those whose plain fields pass
    a test (`select`, reading those fields' columns and the chosen records' chunks of rows), or one by id; a
    record is built once, whichever asks first. `values` reads fields of the chosen records from the columns
    without building any."""

    def __init__(self, kind: str, count: int, sections: _Sections, paths: list[str], fallback: _Fallback) -> None:
        self.kind, self.count, self.sections, self.paths, self.fallback = kind, count, sections, paths, fallback
        self.columns: dict[str, list[Any]] = {}
        self.sparse: dict[str, dict[int, Any]] = {}  # columns kept sparse, as read: values not (), by row
        self.texts: dict[str, Texts] = {}
        self.chunks: dict[int, list[tuple[Any, ...]]] = {}
        self.built: list[Any] = [None] * count
        self.row_of_id: dict[str, int] | None = None
        self.id_rows: tuple[Texts, array] | None = None
        self.lookups = 0  # ids looked up in id_rows
        self.make: Callable[[tuple[Any, ...]], Any] | None = None

    def __call__(self) -> list[Any]:
        try:
            return self._build(range(self.count))
        except Exception:  # an inconsistent snapshot: the records as the files give them
            return getattr(self.fallback(), self.kind)

    def select(self, names: tuple[str, ...], test: Callable[..., Any]) -> list[Any] | None:
        try:
            return self._select(names, test)
        except Exception:
            return self.fallback().where(self.kind, names, test)

    def values(
        self, names: tuple[str, ...], test: Callable[..., Any], fields: tuple[str, ...]
    ) -> list[tuple[Any, ...]] | None:
        """The values of `fields` (as the model holds them) of the records whose plain fields `names` pass
        `test`, in file order, read from the columns without building a record; None when a field is kept
        otherwise than plainly or as a date."""
        try:
            return self._values(names, test, fields)
        except Exception:
            return self.fallback().values(self.kind, names, test, fields)

    def row(self, record_id: str) -> int | None:
        """Where the record of this kind with `record_id` is, if this kind has it: looked up in the sorted ids
        (see `_id_rows`), or, once many have been or the id column is read anyway, in a dict of that column."""
        if self.row_of_id is None and ("id" in self.columns or self.lookups >= LOOKUPS):
            self.row_of_id = {value: i for i, value in enumerate(self._column("id"))}
        if self.row_of_id is not None:
            return self.row_of_id.get(record_id)
        self.lookups += 1
        ids, rows = self._id_rows()
        at = bisect_left(ids, record_id)  # type: ignore[call-overload]  # Texts is a sequence of str
        return rows[at] if at < len(ids) and ids[at] == record_id else None

    def record(self, record_id: str) -> Any:
        """The record of this kind with `record_id` (None if this kind has none)."""
        i = self.row(record_id)
        return None if i is None else self._with_ids([i], {record_id})[0]

    def with_ids(self, wanted: set[str]) -> list[Any] | None:
        """The records of this kind with the ids `wanted`, in file order, each found by `row`; None when so many
        are wanted that testing every id costs less (see `KnowledgeBase.with_ids`)."""
        if self.lookups + len(wanted) > LOOKUPS:
            return None
        try:
            return self._with_ids(sorted({i for i in map(self.row, wanted) if i is not None}), wanted)
        except Exception:
            return self.fallback().where(self.kind, ("id",), wanted.__contains__)

    def _with_ids(self, chosen: list[int], wanted: set[str]) -> list[Any]:
        found = self._build(chosen)
        if any(record.id not in wanted for record in found):
            raise ValueError(f"a stored {self.kind} row disagrees with the sorted ids")
        return found

    def _id_rows(self) -> tuple[Texts, array]:
        """The ids sorted, as `Texts`, and the row of each."""
        if self.id_rows is None:
            joined, ends, rows = self.sections(f"{self.kind}:id~rows")
            if not (type(joined) is str and type(ends) is bytes and type(rows) is bytes):
                raise ValueError("sorted ids of the wrong shape")
            ids, at = Texts(joined, array("q", ends), frozenset()), array("i", rows)
            if not len(ids) == len(at) == self.count or (at and not 0 <= min(at) <= max(at) < self.count):
                raise ValueError("sorted ids of the wrong length")
            self.id_rows = ids, at
        return self.id_rows

    def _chosen(self, names: tuple[str, ...], test: Callable[..., Any]) -> list[int] | None:
        """The rows whose plain fields `names` pass `test`; None when one of them is not kept plainly."""
        codecs = dict(_codecs(self._class()))
        if any(codecs.get(name) != "" for name in names):
            return None  # only plain fields are kept as the model holds them
        packed = _packed_fields(self.kind)
        first, then = getattr(test, "first", None), getattr(test, "then", None)  # a test in two steps
        if first is not None and then is not None and len(names) > 1:
            narrowed = self._chosen(names[:1], first)
            if narrowed is None:
                return None
            if self._few(narrowed):  # the rest read from the records themselves, not from whole columns
                records = self._build(narrowed, self._read(names[:1]))
                rest_of = [attrgetter(name) for name in names[1:]]
                return [i for i, r in zip(narrowed, records) if then(*[value(r) for value in rest_of])]
            rest = [self._texts(name) if name in packed else self._column(name) for name in names[1:]]
            return [i for i in narrowed if then(*[column[i] for column in rest])]
        by_items = getattr(test, "rows_by_items", None)  # a test of which ids a list holds (see filter._Meets)
        if by_items is not None and len(names) == 1 and names[0] in _listed_fields(self.kind):
            return self._in_bounds(by_items(self._words(names[0])))
        by_words = getattr(test, "rows_by_words", None)  # a test that can look words up (see Mentions)
        if by_words is not None and all(name in packed for name in names):
            found = by_words(*[self._words(name) for name in names])
            if found is not None:
                return self._in_bounds(found)
        rows = getattr(test, "rows", None)  # a test that can search packed texts at once (see Mentions)
        if rows is not None and all(name in packed for name in names):
            found = rows(*[self._texts(name) for name in names])
            if found is not None:
                return found
        sparse = [self._sparse_column(name) for name in names]
        if all(column is not None for column in sparse) and not test(*[()] * len(names)):
            # only the few rows holding something can pass: `after` and `before`, asked by every chronology
            rows = sorted(set().union(*sparse))  # type: ignore[arg-type]
            return [i for i in rows if test(*[column.get(i, ()) for column in sparse])]  # type: ignore[union-attr]
        tested = map(test, *[self._column(name) for name in names])
        return list(compress(range(self.count), tested))

    def _in_bounds(self, found: list[int]) -> list[int]:
        """Rows found (in order) by words, once their ends are known to be rows of this kind."""
        if found and not 0 <= found[0] <= found[-1] < self.count:
            raise ValueError("words said to be in rows that are not there")
        return found

    def _select(self, names: tuple[str, ...], test: Callable[..., Any]) -> list[Any] | None:
        chosen = self._chosen(names, test)
        if chosen is None:
            return None
        return self._build(chosen, self._read(names))

    def _values(
        self, names: tuple[str, ...], test: Callable[..., Any], fields: tuple[str, ...]
    ) -> list[tuple[Any, ...]] | None:
        from talkbase.records.dates import parse_date

        codecs = dict(_codecs(self._class()))
        if any(codecs.get(f) not in _COLUMN_CODECS for f in fields):
            return None
        chosen = self._chosen(names, test)
        if chosen is None:
            return None
        if not fields:  # (zip of no columns would give no rows at all)
            return [()] * len(chosen)
        if self._few(chosen):  # read from the few records (built once, and kept), not from whole columns
            return [tuple([getattr(r, f) for f in fields]) for r in self._build(chosen, self._read(names))]
        columns = []  # a column at a time, and each date parsed once however often it recurs
        for name in fields:
            column = self._column(name)
            column = [column[i] for i in chosen]
            if codecs[name] == "date":
                dates = {text: parse_date(text) for text in set(column) if text is not None}
                column = list(map(dates.get, column))  # None stays None
            columns.append(column)
        return list(zip(*columns))

    def _read(self, names: tuple[str, ...]) -> dict[str, Sequence[Any]]:
        """Those of the columns of `names` read already, plain or packed (rows chosen by them must agree)."""
        read = {name: self.columns.get(name, self.texts.get(name)) for name in names}
        return {name: column for name, column in read.items() if column is not None}

    def _few(self, chosen: list[int]) -> bool:
        """Whether so few rows are chosen that building their records (reading the chunks of rows they are in)
        costs less than reading whole columns of every record."""
        return len(chosen) * FEW < self.count

    def _class(self) -> type:
        from talkbase.records.model import _CLASSES

        return _CLASSES[self.kind]

    def _column(self, name: str) -> list[Any]:
        """A field's stored values, every record's, checked as `_stored_checks` asks (each distinct value once:
        a date, a stance recurs)."""
        if name not in self.columns:
            sparse = self._sparse_column(name)
            if sparse is not None:
                column: list[Any] = [()] * self.count
                for row, value in sparse.items():
                    column[row] = value
                self.columns[name] = column
        return self.columns[name]

    def _sparse_column(self, name: str) -> dict[int, Any] | None:
        """A column kept sparse (see `_sparse`): the values that are not an empty tuple, by row; None when it
        is kept whole (it is read then, as `_column` gives it)."""
        if name not in self.columns and name not in self.sparse:
            packed = name in _packed_fields(self.kind)
            column = self._texts(name).values() if packed else self.sections(f"{self.kind}:{name}")
            if type(column) is tuple:  # kept sparse: the rows holding a tuple that is not empty, and those tuples
                self.sparse[name] = self._unpacked_sparse(name, column)
            elif type(column) is not list or len(column) != self.count or not self._holds(name, column):
                raise ValueError(f"a stored {name} column of the wrong shape")
            else:
                self.columns[name] = column
        return self.sparse.get(name)

    def _unpacked_sparse(self, name: str, sparse: tuple[Any, ...]) -> dict[int, Any]:
        """A sparse column's section (its rows holding a tuple that is not empty, and those tuples), checked."""
        rows, values = sparse
        if type(rows) is not bytes or type(values) is not list or not self._holds(name, [(), *values]):
            raise ValueError(f"a sparse {name} column of the wrong shape")
        at = array("i", rows)
        if len(at) != len(values) or (at and not 0 <= min(at) <= max(at) < self.count):
            raise ValueError(f"a sparse {name} column of the wrong length")
        return dict(zip(at, values))

    def _texts(self, name: str) -> Texts:
        """A prose field's packed column."""
        if name not in self.texts:
            joined, ends, missing = self.sections(f"{self.kind}:{name}")
            if not (type(joined) is str and type(ends) is bytes and type(missing) is tuple):
                raise ValueError(f"a packed {name} column of the wrong shape")
            texts = Texts(joined, array("q", ends), frozenset(missing))
            if len(texts) != self.count or not all(type(i) is int and 0 <= i < self.count for i in missing):
                raise ValueError(f"a packed {name} column of the wrong length")
            self.texts[name] = texts
        return self.texts[name]

    def _words(self, name: str) -> Words:
        """A prose or listed field's words: which rows hold each (see `Words`)."""
        vocabulary, starts, postings, ascii = self.sections(f"{self.kind}:{name}~words")
        if not (type(vocabulary) is tuple and type(starts) is bytes and type(postings) is bytes):
            raise ValueError(f"the words of {name} of the wrong shape")
        words = Words(vocabulary, array("q", starts), array("i", postings), ascii)
        shaped = set(map(type, vocabulary)) <= {str} and type(ascii) is bool
        if not shaped or len(words.starts) != len(vocabulary) + 1:
            raise ValueError(f"the words of {name} of the wrong shape")
        if words.starts[0] != 0 or words.starts[-1] != len(words.postings):
            raise ValueError(f"the words of {name} out of bounds")
        return words

    def _holds(self, name: str, column: list[Any]) -> bool:
        """Whether a stored column holds what `_stored_checks` asks of its field: a column of plain text by the
        types it holds (ids, claims: each value differs), any other by each distinct value once."""
        at = [f.name for f in fields(self._class())].index(name)
        declared = fields(self._class())[at].type
        if declared in _TEXT_TYPES and name not in _vocabularies(self._class()):
            return set(map(type, column)) <= _TEXT_TYPES[declared]
        if declared == "tuple[str, ...]":  # sources, participants: tuples of text, checked without a call each
            return set(map(type, column)) <= {tuple} and set(map(type, chain.from_iterable(column))) <= {str}
        return all(map(_stored_checks(self._class())[at], set(column)))

    def _rows(self, chosen: list[int]) -> list[tuple[Any, ...]]:
        """The stored rows at `chosen`, reading only the chunks they are in."""
        width = len(fields(self._class()))
        wanted = sorted({i // CHUNK for i in chosen} - self.chunks.keys())
        for n, chunk in zip(wanted, self.sections.many([f"{self.kind}#{n}" for n in wanted])):
            expected = min(CHUNK, self.count - n * CHUNK)
            if type(chunk) is not list or len(chunk) != expected:
                raise ValueError("a chunk of the wrong length")
            if not all(type(row) is tuple and len(row) == width for row in chunk):
                raise ValueError("rows of the wrong shape")
            self.chunks[n] = chunk
        if len(chosen) == self.count:  # every row, in order: the chunks one after another
            return [row for n in range(len(self.chunks)) for row in self.chunks[n]]
        chunks = self.chunks
        return [chunks[i // CHUNK][i % CHUNK] for i in chosen]

    def _build(self, chosen: Iterable[int], seen: Mapping[str, Sequence[Any]] | None = None) -> list[Any]:
        """The records at `chosen`; each row must agree with the columns `seen` it was chosen by."""
        built = self.built
        chosen = list(chosen)
        missing = [i for i in chosen if built[i] is None]
        if missing:
            order = [n for n, _ in _codecs(self._class())]
            agree = [(order.index(name), column) for name, column in (seen or {}).items()]
            if self.make is None:
                self.make = self._maker()
            make = self.make
            rows = self._rows(missing)
            with collector_paused():
                for i, row in zip(missing, rows):
                    if any(row[at] != column[i] for at, column in agree):
                        raise ValueError(f"a stored {self.kind} row disagrees with its columns")
                    built[i] = make(row)
        return [built[i] for i in chosen]

    def _maker(self) -> Callable[[tuple[Any, ...]], Any]:
        from talkbase.records.dates import parse_date
        from talkbase.records.model import HistoryEntry, Loc, Role

        paths = self.paths

        def date(text: str | None) -> Any:
            return None if text is None else parse_date(text)

        def nested(cls: type) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
            codecs, check = _codecs(cls), _row_check(cls)

            def one(item: tuple[Any, ...]) -> Any:
                if not check(item):
                    raise ValueError(f"a stored {cls.__name__} of the wrong shape")
                return cls(**{n: decode[c](v) for (n, c), v in zip(codecs, item)})

            return lambda items: tuple(map(one, items))

        decode: dict[str, Callable[[Any], Any]] = {
            "": lambda v: v,
            "date": date,
            "loc": lambda v: Loc(paths[v[0]], v[1], v[2]),
        }
        decode["roles"], decode["history"] = nested(Role), nested(HistoryEntry)
        cls = self._class()
        # One call with every field named, made from the codecs (`cls(id=r[0], date=_date(r[6]), ...)`): a dict
        # built and walked per record was a fifth of building 100,000 positions.
        codecs = enumerate(_codecs(cls))
        arguments = ", ".join(f"{name}=_{codec}(r[{i}])" if codec else f"{name}=r[{i}]" for i, (name, codec) in codecs)
        build = eval(f"lambda r: _cls({arguments})", {"_cls": cls, **{f"_{c}": f for c, f in decode.items() if c}})
        check = _row_check(cls)

        def make(row: tuple[Any, ...]) -> Any:
            if not check(row):
                raise ValueError(f"a stored {self.kind} row of the wrong types")
            return build(row)

        return make


class _Index(Mapping[str, Any]):
    """`by_id` of a knowledge base read from a snapshot: an id's kind is looked up in the snapshot's index,
    and only that record is built."""

    def __init__(self, builders: dict[str, _KindBuilder], sections: _Sections, fallback: _Fallback) -> None:
        self._builders, self._sections, self._fallback = builders, sections, fallback
        self._ids: list[str] | None = None
        self._kind_of: dict[str, str] = {}
        self._fresh: Mapping[str, Any] | None = None  # the files' by_id, once the snapshot proved inconsistent

    def _index(self) -> list[str]:
        if self._fresh is None and self._fallback.kb is not None:
            self._fresh = self._fallback.kb.by_id  # a kind was found inconsistent: the files' records only
        if self._ids is None and self._fresh is None:
            from talkbase.records.model import KINDS_IN_ORDER

            try:
                ids, kinds = self._sections("index")
                if len(ids) != len(kinds) or not all(type(i) is str for i in ids):
                    raise ValueError("an index of the wrong shape")
                self._kind_of = dict(zip(ids, [KINDS_IN_ORDER[k] for k in kinds]))
                self._ids = ids
            except Exception:
                self._fresh = self._fallback().by_id
        return list(self._fresh) if self._fresh is not None else self._ids  # type: ignore[return-value]

    def __getitem__(self, key: str) -> Any:
        found = self._find(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return type(key) is str and self._find(key, build=False) is not None

    def _find(self, key: str, build: bool = True) -> Any:
        """The record with id `key` (or True, without `build`), looked for kind by kind, the largest last: an
        actor is found without reading a position's id. None if there is none."""
        if self._fresh is None and self._fallback.kb is not None:
            self._fresh = self._fallback.kb.by_id  # a kind was found inconsistent: the files' records only
        if self._fresh is None:
            try:
                for builder in self._builders.values():
                    if builder.row(key) is not None:
                        return builder.record(key) if build else True
                return None
            except Exception:  # an inconsistent snapshot
                self._fresh = self._fallback().by_id
        return self._fresh.get(key) if build else (key in self._fresh or None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._index())

    def __len__(self) -> int:
        return len(self._index())


class _Kept:
    """What commands derived from a snapshot's records (KnowledgeBase.memo with `keep`: a matrix's standings),
    each kept in a sealed file beside the snapshot, and trusted only with the snapshot it was derived from:
    written for another (the knowledge base was edited since), it is made again and replaces it."""

    def __init__(self, sections: _Sections) -> None:
        self.sections = sections

    def _path(self, key: str) -> Path:
        snapshot = self.sections.path
        return snapshot.with_name(f"{snapshot.stem}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.bin")

    def get(self, key: str) -> Any:
        body = _checked(_read_cache_file(self._path(key)))
        if body is None:
            return None
        try:
            with collector_paused():
                seal, kept_key, value = marshal.loads(body)
        except (EOFError, ValueError, TypeError):
            return None
        return value if (seal, kept_key) == (self.sections.seal, key) else None

    def put(self, key: str, value: Any) -> None:
        with suppress(OSError, ValueError):  # a cache that cannot be written is not an error
            _write_sealed(self._path(key), [marshal.dumps((self.sections.seal, key, value))])


class FileCache:
    """Per-file parse results (records with every position, and the file's own problems), so that after an
    edit only the changed files are parsed again. Entries are checksummed like snapshots; a bad one is a miss."""

    def __init__(self) -> None:
        self.folder = cache_dir() / "files"

    def _path(self, source: Path) -> Path:
        key = hashlib.sha256(f"{source.absolute()}\0{STAMP}\0{FORMAT}".encode()).hexdigest()[:32]
        return self.folder / f"{key}.bin"

    stamp = staticmethod(file_stamp)

    def get(self, source: Path, shown: str, stamp: Stamp) -> tuple[list[RawRecord], list[Problem]] | None:
        try:
            body = _checked(_read_cache_file(self._path(source)))
            if body is None:
                return None
            version, path, cached_stamp, written, records, problems = marshal.loads(body)
            if (version, path, tuple(cached_stamp)) != (STAMP, str(source.absolute()), stamp):
                return None
            if racy(stamp, written):
                return None
            return unpack_parse((records, problems), shown)
        except Exception:  # an unreadable or unexpected entry is simply not used
            return None

    def put(self, source: Path, stamp: Stamp, records: list[RawRecord], problems: list[Problem]) -> None:
        self.put_packed(source, stamp, pack_parse(records, problems))

    def put_packed(self, source: Path, stamp: Stamp, packed: tuple[list[Any], list[Any]]) -> None:
        """`put` of what `pack_parse` made."""
        try:
            body = marshal.dumps((STAMP, str(source.absolute()), stamp, time.time_ns(), *packed))
            _write_sealed(self._path(source), [body])
        except (OSError, ValueError):
            pass


def pack_parse(records: list[RawRecord], problems: list[Problem]) -> tuple[list[Any], list[Any]]:
    """A file's parse (its records, every value located, and its problems) as values marshal can write: for
    the file cache, and for a parse made in another process (talkbase.load.parallel)."""
    return (
        [(r.kind, r.line, r.col, _pack(r.data)) for r in records],
        [(p.line, p.col, p.code, p.message, p.hint, p.severity.value) for p in problems],
    )


def unpack_parse(packed: Any, shown: str) -> tuple[list[RawRecord], list[Problem]]:
    """What `pack_parse` made, for the file shown as `shown`; raises on anything else."""
    records, problems = packed
    raw = [_raw_record(kind, _unpack(data), shown, line, col) for kind, line, col, data in records]
    return raw, [_problem(shown, *p) for p in problems]


def _write_sealed(target: Path, parts: list[bytes]) -> None:
    """Write MAGIC, the keyed digest of the parts, then the parts (a file cache entry)."""

    def write(out: Any) -> None:
        seal = hmac.new(_key(create=True), digestmod="sha256")
        for part in parts:
            seal.update(part)
        out.write(MAGIC + seal.digest()[:DIGEST_SIZE])
        for part in parts:
            out.write(part)

    _replace(target, write)


def _write_snapshot(
    target: Path, sections: Iterable[tuple[str, bytes]], header: Callable[[list[tuple[str, int, int, bytes]]], bytes]
) -> None:
    """Write MAGIC, room for the keyed digest of the tail, the named sections as they come, then the tail: the
    header `header(spans)` makes from each section's name, place, size and digest, and the header's length.
    The digest is written last, into its room."""

    def write(out: Any) -> None:
        key = _key(create=True)
        out.write(MAGIC + bytes(DIGEST_SIZE))
        spans, offset = [], 0
        for name, blob in sections:
            spans.append((name, offset, len(blob), _digest(key, blob)))  # counted from the first section
            out.write(blob)
            offset += len(blob)
        packed = header(spans)
        tail = packed + len(packed).to_bytes(8, "big")
        out.write(tail)
        out.seek(len(MAGIC))
        out.write(_digest(key, tail))

    _replace(target, write)


def _replace(target: Path, write: Callable[[Any], None]) -> None:
    """`write(file)` into a temporary file renamed over `target`. There is no fsync: a cache file is
    disposable, and one torn by a crash fails its digest and is rebuilt."""
    import tempfile  # only a command that writes the cache needs it

    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            write(out)
        os.replace(temp, target)
    except BaseException:
        os.unlink(temp)
        raise


def _checked(blob: bytes) -> memoryview | None:
    """The body of a sealed blob (a view into it, not a copy), or None when its magic or digest is wrong."""
    key = _key(create=False)
    if key is None or not blob.startswith(MAGIC):
        return None
    view = memoryview(blob)
    digest, body = blob[len(MAGIC) : len(MAGIC) + DIGEST_SIZE], view[len(MAGIC) + DIGEST_SIZE :]
    return body if hmac.compare_digest(hmac.digest(key, body, "sha256")[:DIGEST_SIZE], digest) else None


def _key(create: bool) -> bytes | None:
    """The secret cache files are sealed with, kept in the cache folder (mode 600); made when first needed to
    write. Without it no entry is trusted; a damaged one is replaced (every entry is then rewritten)."""
    path = cache_dir() / "key"
    key = _read_cache_file(path, KEY_SIZE)
    if len(key) == KEY_SIZE:
        return key
    if not create:
        return None
    import tempfile

    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=".key.")  # mode 600
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(os.urandom(KEY_SIZE))
        os.replace(temp, path)
    except BaseException:
        os.unlink(temp)
        raise
    return _read_cache_file(path, KEY_SIZE)


MAX_ENTRY_BYTES = 1 << 31  # far past the snapshot of the largest knowledge base talkbase reads (MAX_KB_BYTES)


def _read_cache_file(path: Path, limit: int = MAX_ENTRY_BYTES) -> bytes:
    """A cache file's bytes, or b"" (no entry) unless it is a regular file of at most `limit` bytes: a FIFO, a
    device or a link put in the cache folder is never waited on, followed or read without end."""
    try:
        with _opened(path) as (handle, identity):
            blob = os.pread(handle, identity[2] + 1, 0) if identity[2] <= limit else b""
            return blob if len(blob) <= limit else b""
    except (OSError, ValueError):  # none, or not a regular file (a folder, a FIFO, a link)
        return b""


_MAP, _LIST, _REPORTED = 0, 1, 2


_SCALAR_TYPES = frozenset({str, int, float, bool, type(None)})


def _raw_record(kind: Any, data: Any, shown: str, line: Any, col: Any) -> RawRecord:
    from talkbase.records.schema import KINDS

    if kind not in KINDS or not type(line) is type(col) is int:
        raise ValueError("a record of the wrong shape")
    return RawRecord(kind, data, shown, line, col)


def _pack(value: Any) -> Any:
    """A located value as marshal-able tuples, positions included (scalars never are tuples)."""
    scalar = _SCALAR_TYPES  # most values are: they are kept without a call
    if isinstance(value, YMap):
        items = [v if type(v) in scalar else _pack(v) for v in value.values()]
        return (_MAP, value.line, value.col, list(value), value._at.tobytes(), items)
    if isinstance(value, YList):
        items = [v if type(v) in scalar else _pack(v) for v in value]
        return (_LIST, value.line, value.col, value._at.tobytes(), items)
    if value is REPORTED:
        return (_REPORTED,)
    return value


def _unpack(value: Any) -> Any:
    """The located value _pack made; anything else in an entry (a value YAML can't give, a tuple of another
    shape, keys that are not text) raises, so the entry is not used."""
    kind = type(value)
    if kind is not tuple:
        if kind in _SCALAR_TYPES:
            return value
        raise ValueError(f"a stored value of type {kind.__name__}")
    if value[0] == _MAP and len(value) == 6:
        _, line, col, keys, places, items = value
        result = YMap(line, col)
        if type(keys) is not list or not all(type(k) is str for k in keys) or len(keys) != len(items):
            raise ValueError("keys of the wrong shape")
        scalar = _SCALAR_TYPES  # most values are: they are taken without a call
        result.update(zip(keys, [v if type(v) in scalar else _unpack(v) for v in items]))
        result._at.frombytes(places)
        if len(result._at) != 4 * len(result):
            raise ValueError("positions do not match the keys")
        return result
    if value[0] == _LIST and len(value) == 5:
        _, line, col, places, items = value
        sequence = YList(line, col)
        scalar = _SCALAR_TYPES
        sequence.extend([v if type(v) in scalar else _unpack(v) for v in items])
        sequence._at.frombytes(places)
        if len(sequence._at) != 2 * len(sequence):
            raise ValueError("positions do not match the items")
        return sequence
    if value == (_REPORTED,):
        return REPORTED
    raise ValueError("a stored value of an unknown shape")
