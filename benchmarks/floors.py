"""Floors: the least each talkbase answer still over its goal could cost, made from talkbase's snapshot.

    python benchmarks/floors.py                          # matrix, history and cold at L, disputes at M
    python benchmarks/floors.py --large M --medium S     # smaller and quicker (the floors matter at L and M)

The goals are issue 17's (TARGETS in benchmarks/run.py: a command's warm time as a ratio to a minimal Typer app
printing a 20-row Rich table; a cold load's as a ratio to PyYAML's plain parse of the same files). benchmarks/run.py
times the commands; this times the part of each answer that any way of making it from talkbase's snapshot and
printing it as talkbase's table must do, next to the same Typer app, as ratios to it (medians; by wall clock, and
by CPU time, which this machine keeps steadier):

- matrix: a Typer command that prints the same unfiltered grid straight from the standings the snapshot keeps
  (no other work: no standings made, no listing, no legend): opening the snapshot, wording each cell, padding;
- history --changes-only and disputes: in one process, with the knowledge base open, finding the answer's
  records, and measuring and padding the answer's cells once they are made (the time to make them left out);
- cold: the CPU time a cold load takes on all cores (talkbase's parsing workers included), beside PyYAML's C
  parser producing the events of every file and talkbase's parse of them, in one process; at 0.3x the plain
  parse, two cores give a cold load 0.6 times the plain parse's time of CPU, if neither is ever idle.

Keeping a printed answer itself beside the snapshot would go under these floors. It uses talkbase's own
modules, some private: it is a measuring tool, kept working by tests/test_benchmarks.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import SIZES, generate  # noqa: E402
from run import RAW_PARSE, TARGETS, TYPER_APP, WORKDIR, Timing, measure, medians, runs_count  # noqa: E402

# A Typer command printing the matrix grid from the kept standings, and nothing else.
MATRIX_FLOOR = """
import sys
import typer

app = typer.Typer()

@app.command()
def main(data: str) -> None:
    from talkbase.ask.query import _KEPT_STANDINGS
    from talkbase.cli.app import load_valid
    from talkbase.show.render import column_widths, plain_rows
    from talkbase.show.views import STANCE_ABBREVIATIONS as SHORT

    kb = load_valid(data)
    kept = kb._keeper.get(_KEPT_STANDINGS)
    column = {topic.id: i for i, topic in enumerate(kb.topics, start=1)}
    rows = {actor.id: [actor.name, *[""] * len(column)] for actor in kb.actors}
    for actor, topic, certain, candidates in kept:
        mark = "" if certain else "?"
        rows[actor][column[topic]] = " | ".join(f"{SHORT[stance]}{mark} {date}" for _, date, stance in candidates)
    cells = [["actor", *map(str, range(1, len(column) + 1))], *(row for row in rows.values() if any(row[1:]))]
    sys.stdout.write(plain_rows(cells, column_widths(cells)))

app()
"""

# In one process: the answer's records found, then its ready cells measured and padded. Prints seconds as JSON.
ANSWER_FLOOR = """
import json, sys, time
from talkbase.cli.app import Query, build_filters, load_valid
from talkbase.ask import analysis
from talkbase.show import views
from talkbase.show.formats import plain_cells
from talkbase.show.render import column_widths, plain_rows

data, command = sys.argv[1:]
clock = time.perf_counter
started = clock()
kb = load_valid(data)
opened = clock()
filters = build_filters(kb, None, None, None, None, None, stances=None, query=Query(None, None))
if command == "history":
    listing = views.history_listing(kb, analysis.history(kb, filters, None, True))
else:
    listing = views.disputes_listing(kb, analysis.disputes(kb, filters))
found = clock()
cells = [[column.header for column in listing.columns], *plain_cells(listing.columns, listing.rows)]
made = clock()
text = plain_rows(cells, column_widths(cells))
padded = clock()
print(json.dumps({"open": opened - started, "find": found - opened, "pad": padded - made, "mb": len(text) / 1e6}))
"""

# In one process, one core: PyYAML's C parser producing every file's events, then talkbase's parse of them.
PARSE_FLOOR = """
import glob, json, sys, time
from yaml import CSafeLoader
from yaml.events import StreamEndEvent
from talkbase.load.parser import parse_document

files = [(name, open(name, "rb").read()) for name in sorted(glob.glob(sys.argv[1] + "/*.yaml"))]
clock = time.process_time
started = clock()
for _, text in files:
    next_event = CSafeLoader(text).get_event
    while not isinstance(next_event(), StreamEndEvent):
        pass
events = clock()
for name, text in files:
    parse_document(text, name)
parsed = clock()
print(json.dumps({"events": events - started, "parse": parsed - events}))
"""


def probe(code: str, *args: str, env: dict[str, str]) -> dict[str, float]:
    """The figures a probe prints, from a process of its own."""
    done = subprocess.run([sys.executable, "-c", code, *args], env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def median_probe(runs: int, code: str, *args: str, env: dict[str, str]) -> dict[str, float]:
    found = [probe(code, *args, env=env) for _ in range(runs)]
    return {key: statistics.median(f[key] for f in found) for key in found[0]}


def by_turns(runs: int, commands: list[list[str]], env: dict[str, str]) -> list[Timing]:
    """Median times of the commands, each run of one right after one of the others."""
    found: list[list[Timing]] = [[] for _ in commands]
    for _ in range(runs):
        for i, argv in enumerate(commands):
            found[i].append(measure(argv, env))
    return [medians(timings) for timings in found]


def ratio(timing: Timing, typer: Timing) -> str:
    """A time and its ratios to the Typer app's, by wall clock and by CPU time."""
    return f"{timing.wall:.3f} s = {timing.wall / typer.wall:.2f}x (CPU {timing.cpu / typer.cpu:.2f}x)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sizes = sorted(SIZES)
    parser.add_argument("--large", default="L", choices=sizes, help="the size for matrix, history and cold (default L)")
    parser.add_argument("--medium", default="M", choices=sizes, help="the size for disputes (default M)")
    parser.add_argument("--runs", type=runs_count, default=5, help="runs per figure; the median is shown (default 5)")
    parser.add_argument(
        "--workdir", type=Path, default=WORKDIR, help=f"where the knowledge bases go (default {WORKDIR})"
    )
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    for size in {args.large, args.medium}:
        if not (args.workdir / f"kb-{size}").exists():
            print(f"generating {size} into {args.workdir / f'kb-{size}'} ...", flush=True)
            generate(size, args.workdir / f"kb-{size}")
    scratch = Path(tempfile.mkdtemp(prefix="talkbase-floors-"))
    try:
        floors(args, scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def floors(args: argparse.Namespace, scratch: Path) -> None:
    python, runs = sys.executable, args.runs
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBASE_")}
    env["XDG_CACHE_HOME"] = str(scratch / "cache")
    subprocess.run([python, "-m", "compileall", "-q", str(HERE.parent / "talkbase")], check=False)
    typer_app, matrix_app = [python, str(scratch / "typer_app.py")], [python, str(scratch / "matrix_floor.py")]
    (scratch / "typer_app.py").write_text(TYPER_APP, encoding="utf-8")
    (scratch / "matrix_floor.py").write_text(MATRIX_FLOOR, encoding="utf-8")
    large, medium = (str(args.workdir / f"kb-{size}") for size in (args.large, args.medium))
    talkbase = [python, "-m", "talkbase"]
    for data in (large, medium):
        for words in (["matrix"], ["history", "--changes-only"], ["disputes"]):
            for _ in range(2):  # the snapshot; then what the command keeps beside it (read from the snapshot)
                measure([*talkbase, *words, "--data", data], env)
    subprocess.run([*matrix_app, large], env=env, stdout=subprocess.DEVNULL, check=True)  # it runs, and reads that
    print(f"floors: medians of {runs} run(s), wall clock and CPU time; load average {os.getloadavg()[0]:.2f}")

    typer, command, floor = by_turns(
        runs, [typer_app, [*talkbase, "matrix", "--data", large], [*matrix_app, large]], env
    )
    print(f"\nmatrix ({args.large}), goal {TARGETS['matrix'][1]:.1f}x: the Typer app {typer.wall:.3f} s, "
          f"talkbase {ratio(command, typer)}; a Typer command printing the grid from the kept standings "
          f"{ratio(floor, typer)}")  # fmt: skip

    for name, size, data in (("history --changes-only", args.large, large), ("disputes", args.medium, medium)):
        typer, command = by_turns(runs, [typer_app, [*talkbase, *name.split(), "--data", data]], env)
        parts = median_probe(runs, ANSWER_FLOOR, data, name.split()[0], env=env)
        least, found = typer.wall + parts["open"] + parts["pad"], parts["find"]
        print(f"{name} ({size}), goal {TARGETS[name][1]:.1f}x: the Typer app {typer.wall:.3f} s, "
              f"talkbase {ratio(command, typer)}; opening the snapshot {parts['open']:.3f} s, finding the answer "
              f"{found:.3f} s, padding its ready cells ({parts['mb']:.1f} MB) {parts['pad']:.3f} s = "
              f"{parts['pad'] / typer.wall:.2f}x; the Typer app with opening and padding alone "
              f"{least / typer.wall:.2f}x, with finding too {(least + found) / typer.wall:.2f}x")  # fmt: skip

    plain = statistics.median(measure([python, "-c", RAW_PARSE, large], env).wall for _ in range(runs))
    cold = []
    for run in range(runs):
        cold.append(measure([*talkbase, "timeline", "--limit", "50", "--data", large],
                            dict(env, XDG_CACHE_HOME=str(scratch / f"cold-{run}"))))  # fmt: skip
    wall, cpu = statistics.median(t.wall for t in cold), statistics.median(t.cpu for t in cold)
    parse = median_probe(runs, PARSE_FLOOR, large, env=env)
    cores = os.cpu_count() or 1
    print(f"\ncold ({args.large}), goal 0.3x the plain parse ({plain:.3f} s): timeline --limit 50 took {wall:.3f} s "
          f"= {wall / plain:.2f}x and {cpu:.3f} s of CPU on all cores; at 0.3x, {cores} cores give "
          f"{0.3 * plain * cores:.3f} s of CPU if never idle ({cpu / cores / plain:.2f}x if this CPU time were spread "
          f"perfectly). Of it, on one core: PyYAML's C parser making every file's events {parse['events']:.3f} s, "
          f"talkbase's parse of them into located values {parse['parse'] - parse['events']:.3f} s more")  # fmt: skip


if __name__ == "__main__":
    main()
