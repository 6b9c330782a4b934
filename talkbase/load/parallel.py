"""Parsing a knowledge base's files on every core.

A cold load of 100,000 positions spends about half its time parsing YAML, one file after another, each file on
its own. Here the files to parse are shared among worker processes (as many as the machine has cores, or
TALKBASE_JOBS): each parses whole files and sends back their records in the file cache's packed form (marshal:
compact, and quick to read back; see talkbase.load.cache.pack_parse), writing the file's cache entry itself. The
parent rebuilds the located values, in the files' order, so the outcome is the same as parsing in process.

Less YAML than PARALLEL_FROM bytes, a single file, a single core or TALKBASE_JOBS=1 is parsed in process, where
starting workers would cost more than it gains; so is any file after the pool fails to start or dies.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any

from talkbase.load.nodes import RawRecord
from talkbase.records.problems import Problem

PARALLEL_FROM = 4 << 20  # bytes of YAML to parse: below it, a cold load takes well under a second in process
JOBS_ENV = "TALKBASE_JOBS"

Parse = tuple[list[RawRecord], list[Problem]]
Job = tuple[Path, str, Any]  # a file, how it is shown, and its stamp for the file cache (None: not cached)


def jobs() -> int:
    """How many processes may parse: TALKBASE_JOBS when it is a whole number from 1, else the cores there are."""
    wanted = os.environ.get(JOBS_ENV, "").strip()
    if wanted.isdigit() and int(wanted) >= 1:
        return int(wanted)
    return os.cpu_count() or 1


def parse_files(todo: list[Job], file_cache: Any) -> Iterator[Parse]:
    """Each file's records and problems, in the order of `todo`; each parse is kept in `file_cache` (a
    talkbase.load.cache.FileCache, or None) under the file's stamp."""
    workers = min(jobs(), len(todo))
    if workers < 2 or _size(todo) < PARALLEL_FROM:
        for job in todo:
            yield _parse_here(job, file_cache)
        return
    yield from _parse_in_pool(todo, file_cache, workers)


def _size(todo: list[Job]) -> int:
    total = 0
    for path, _, _ in todo:
        with suppress(OSError):  # reported when read
            total += os.stat(path).st_size
    return total


def _parse_here(job: Job, file_cache: Any) -> Parse:
    from talkbase.load.loader import Loaded, load_file

    path, shown, stamp = job
    one = Loaded()
    load_file(path, shown, one)
    if file_cache is not None and stamp is not None:
        file_cache.put(path, stamp, one.records, one.problems)
    return one.records, one.problems


def _parse_in_pool(todo: list[Job], file_cache: Any, workers: int) -> Iterator[Parse]:
    import marshal
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from talkbase.load.cache import unpack_parse

    # fork: a worker starts as a copy of this process, with nothing to import again (where there is no fork,
    # spawn, which imports talkbase in each worker).
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    caching = file_cache is not None
    try:
        pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context(method))
        futures = [
            pool.submit(_parse_packed, str(path), shown, stamp if caching else None) for path, shown, stamp in todo
        ]
    except (OSError, RuntimeError, ValueError):  # no processes to be had here: parse in process
        for job in todo:
            yield _parse_here(job, file_cache)
        return
    with pool:
        for job, future in zip(todo, futures):
            try:
                parsed = unpack_parse(marshal.loads(future.result()), job[1])
            except Exception:  # the pool broke (a worker was killed): this file, and what follows, in process
                parsed = _parse_here(job, file_cache)
            yield parsed


def _parse_packed(path: str, shown: str, stamp: Any) -> bytes:
    """In a worker: one file's parse, packed, and kept in the file cache when it has a stamp."""
    import marshal

    from talkbase.load.cache import FileCache, pack_parse
    from talkbase.load.loader import Loaded, load_file

    one = Loaded()
    load_file(Path(path), shown, one)
    packed = pack_parse(one.records, one.problems)
    if stamp is not None:
        FileCache().put_packed(Path(path), tuple(stamp), packed)
    return marshal.dumps(packed)
