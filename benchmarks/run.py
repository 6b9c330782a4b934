"""Benchmarks of talkbase as whole processes, with medians, peak memory and ratios to fixed references.

    python benchmarks/run.py                 # sizes S and M, 5 runs each
    python benchmarks/run.py --sizes S,M,L   # L (100,000 positions, 44 MB of YAML): about 15 minutes
    python benchmarks/run.py --clock cpu     # user+system CPU time: steadier on a busy, shared machine

It generates the synthetic knowledge bases (benchmarks/generate.py) into --workdir if they are not there,
then times each command cold (empty parse cache) and warm (cache filled by a previous run), next to
`python3 -c pass`, a minimal Typer app printing a 20-row Rich table, and the plain PyYAML CSafeLoader
parse of the same files. Nothing here asserts: it prints figures for people to read and compare.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

TYPER_APP = """
import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer()

@app.command()
def main() -> None:
    table = Table("id", "name", "value")
    for i in range(20):
        table.add_row(str(i), f"row {i}", str(i * i))
    Console().print(table)

app()
"""
RAW_PARSE = "import glob, yaml, sys\nfor f in sorted(glob.glob(sys.argv[1] + '/*.yaml')):\n" \
    "    yaml.load(open(f, encoding='utf-8'), Loader=yaml.CSafeLoader)\n"  # fmt: skip
JQ_FILTER = '[.positions[] | select((.claim + " " + (.quote // "")) | test("ceasefire"; "i"))] | length'
# Issue 17's goal for a command: the size it is set at, and the warm time as a ratio to the Typer app's. The goal
# column shows it on that size's row only; the other sizes' rows show how the cost grows.
TARGETS = {
    "timeline --limit 50": ("L", 1.3),
    "positions --actor X": ("L", 1.3),
    "grep ceasefire --count": ("L", 1.3),
    "grep ceasefire --source S": ("L", 1.5),
    "matrix": ("L", 2.0),
    "history --changes-only": ("L", 2.0),
    "disputes": ("M", 2.0),
    "sources --sole": ("M", 2.0),
}


def goal_of(name: str, size: str) -> str:
    """The command's goal at this size, as the goal column shows it ('' where the issue sets none)."""
    at, ratio = TARGETS.get(name, ("", 0.0))
    return f"{ratio:.1f}x" if at == size else ""


COMMANDS = {
    "timeline --limit 50": ["timeline", "--limit", "50"],
    "positions --actor X": ["positions", "--actor", "actor-1"],
    "grep ceasefire --count": ["grep", "ceasefire", "--count"],
    "grep ceasefire --source S": ["grep", "ceasefire", "--source", "source-1"],
    "matrix": ["matrix"],
    "history --changes-only": ["history", "--changes-only"],
    "disputes": ["disputes"],
    "sources --sole": ["sources", "--sole"],
    "check": ["check"],
}


# One question asked two ways, warm: as options, and as a five-term query expression (goal: within 1.2x).
QUESTION_FLAGS = ["positions", "--actor", "actor-1", "--actor", "actor-2", "--actor", "actor-3", "--topic", "topic-1",
                  "--topic", "topic-2", "--topic", "topic-3", "--stance", "supports", "--stance", "rejects",
                  "--since", "2021-06", "--until", "2024-06", "--source", "publisher 1"]  # fmt: skip
QUESTION_QUERY = ["positions", "actor:actor-1,actor-2,actor-3 topic:topic-1,topic-2,topic-3 stance:supports,rejects "
                  'date:2021-06..2024-06 source:"publisher 1"']  # fmt: skip


WORKDIR = Path(tempfile.gettempdir()) / "talkbase-bench"  # the generated knowledge bases, kept between runs
CLOCK = "wall"  # or "cpu": user + system time, steadier than wall time on a machine shared with other work


@dataclass(frozen=True)
class Timing:
    """A whole process's wall time and CPU time (user + system) in seconds, and its peak memory in MB."""

    wall: float
    cpu: float
    peak: float

    @property
    def t(self) -> float:
        """The time the --clock option chose."""
        return self.cpu if CLOCK == "cpu" else self.wall


def runs_count(text: str) -> int:
    """--runs: a whole number from 1 (a median needs a run)."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"a whole number from 1, not {text!r}")
    return int(text)


def measure(argv: list[str], env: dict[str, str]) -> Timing:
    """Wall and CPU time and peak memory of one whole process."""
    import time

    started = time.perf_counter()
    process = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode not in (0, 1):
        raise SystemExit(f"benchmark command failed ({process.returncode}): {' '.join(argv)}")
    return Timing(elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def answer_lines(argv: list[str], env: dict[str, str]) -> int:
    """How many lines the command prints: the size of its answer. Counted as it comes, so that this process
    never holds an answer (its children start with its peak memory as theirs, which would skew their peaks)."""
    lines = 0
    with subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as process:
        for chunk in iter(lambda: process.stdout.read(1 << 16), b""):  # type: ignore[union-attr]
            lines += chunk.count(b"\n")
    return lines


def load() -> str:
    """The machine's load averages (1, 5 and 15 minutes) and its cores: how busy it was."""
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def paired_medians(runs: int, argv: list[str], reference: list[str], env: dict[str, str]) -> tuple[Timing, Timing]:
    """The medians of `runs` warm runs of `argv` and of as many of `reference`, each run of one right after one
    of the other: a ratio of the two holds while the machine's speed drifts (a neighbour's load, a cooler CPU)."""
    pairs = [(measure(reference, env), measure(argv, env)) for _ in range(runs)]
    references, timings = ([pair[i] for pair in pairs] for i in (0, 1))
    return medians(references), medians(timings)


def medians(found: list[Timing]) -> Timing:
    """The medians of wall and CPU times, and the highest peak."""
    return Timing(statistics.median(t.wall for t in found), statistics.median(t.cpu for t in found),
                  max(t.peak for t in found))  # fmt: skip


def median_of(runs: int, argv: list[str], env: dict[str, str], fresh_cache: bool) -> Timing:
    """The medians of `runs` runs' wall and CPU times, and the highest peak."""
    found = []
    for _ in range(runs):
        run_env = dict(env)
        if fresh_cache:
            run_env["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="talkbase-bench-cache-")
        found.append(measure(argv, run_env))
        if fresh_cache:
            shutil.rmtree(run_env["XDG_CACHE_HOME"], ignore_errors=True)
    return medians(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="S,M", help="comma-separated sizes among S, M, L (default S,M)")
    parser.add_argument("--runs", type=runs_count, default=5, help="runs per figure; the median is shown (default 5)")
    parser.add_argument(
        "--workdir", type=Path, default=WORKDIR, help=f"where the knowledge bases go (default {WORKDIR})"
    )
    parser.add_argument(
        "--clock", choices=("wall", "cpu"), default="wall", help="wall time (default) or user+system CPU time"
    )
    args = parser.parse_args()
    global CLOCK
    CLOCK = args.clock
    python = sys.executable
    talkbase = [python, "-m", "talkbase"]
    args.workdir.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TALKBASE_")}
    # Time talkbase as installed: with its bytecode compiled, as pip does and as a first run leaves it (the
    # Typer and Rich it is compared with have theirs). PYTHONDONTWRITEBYTECODE would otherwise make every
    # run compile talkbase's source again.
    subprocess.run([python, "-m", "compileall", "-q", str(HERE.parent / "talkbase")], check=False)
    warm_cache = tempfile.mkdtemp(prefix="talkbase-bench-warm-")
    env["XDG_CACHE_HOME"] = warm_cache
    (args.workdir / "typer_app.py").write_text(TYPER_APP, encoding="utf-8")

    pass_time = median_of(args.runs, [python, "-c", "pass"], env, False).t
    typer = median_of(args.runs, [python, str(args.workdir / "typer_app.py")], env, False)
    typer_time = typer.t
    print(f"times: {CLOCK} clock, medians of {args.runs} runs; at the start: {load()}")
    print(f"python3 -c pass: {pass_time:.3f} s   minimal Typer + Rich table app (at the start): {typer_time:.3f} s")
    bundled_cold = median_of(args.runs, [*talkbase, "timeline"], env, True).t
    typer_argv = [python, str(args.workdir / "typer_app.py")]
    beside, bundled = paired_medians(args.runs, [*talkbase, "timeline"], typer_argv, env)
    bundled_warm, bundled_peak = bundled.t, bundled.peak
    print(
        f"bundled KB, talkbase timeline: cold {bundled_cold:.3f} s, warm {bundled_warm:.3f} s "
        f"= {bundled_warm / beside.t:.2f}x the Typer app (target <= 1.0x), peak {bundled_peak:.0f} MB"
    )
    for size in args.sizes.split(","):
        kb = args.workdir / f"kb-{size}"
        if not kb.exists():
            print(f"generating {size} into {kb} ...", flush=True)
            generate(size, kb)
        raw = median_of(args.runs, [python, "-c", RAW_PARSE, str(kb)], env, False)
        raw_time, raw_peak = raw.t, raw.peak
        print(f"\n{size}: plain yaml.load(CSafeLoader) of all files: {raw_time:.3f} s, peak {raw_peak:.0f} MB")
        if shutil.which("jq"):
            copy = args.workdir / f"kb-{size}.json"
            if not copy.exists():
                export = [*talkbase, "export", "json", "--data", str(kb), "-o", str(copy)]
                subprocess.run(export, env=env, check=True, stderr=subprocess.DEVNULL)
            jq_time = median_of(args.runs, ["jq", JQ_FILTER, str(copy)], env, False).t
            print(f"{size}: jq over a JSON copy, counting claims that match ceasefire: {jq_time:.3f} s")
        header = f"{'command':26} {'cold s':>7} {'warm s':>7} {'warm cpu':>8} {'peak MB':>7} {'cold/parse':>10}"
        print(f"{header} {'warm/typer':>10} {'cpu/typer':>9} {'goal':>5} {'above s':>7} {'answer':>8}")
        for name, words in COMMANDS.items():
            if name == "disputes" and size == "L":  # every opposed pair: at M 118,521 of them, at L far more
                print(f"{name:26} (not run at L: its answer grows with the square of the actors; issue 17)")
                continue
            argv = [*talkbase, *words, "--data", str(kb)]
            cold = median_of(args.runs, argv, env, True)
            measure(argv, env)  # fill the warm cache
            beside, warm = paired_medians(args.runs, argv, typer_argv, env)  # the Typer app run by turns with it
            peak = max(cold.peak, warm.peak)
            ratios = f"{cold.t / raw_time:10.2f} {warm.t / beside.t:10.2f} {warm.cpu / beside.cpu:9.2f}"
            goal = goal_of(name, size)
            growth = f"{warm.t - beside.t:7.3f} {answer_lines(argv, env):8,}"  # talkbase's own work; what it printed
            print(f"{name:26} {cold.t:7.3f} {warm.t:7.3f} {warm.cpu:8.3f} {peak:7.0f} {ratios} {goal:>5} {growth}")
        flags, query = ([*talkbase, *words, "--data", str(kb)] for words in (QUESTION_FLAGS, QUESTION_QUERY))
        measure(query, env)  # the warm cache is filled already; this compiles nothing new
        as_options, as_query = paired_medians(args.runs, query, flags, env)  # by turns, as the commands above
        flags_time, query_time = as_options.t, as_query.t
        print(f"{size}: one question, warm, by turns: as options {flags_time:.3f} s, as a five-term query "
              f"{query_time:.3f} s = {query_time / flags_time:.2f}x (goal <= 1.2x)")  # fmt: skip
        if size in ("S", "M"):  # the site of L would take minutes a run
            site_row(size, talkbase, kb, env, args.runs)
    shutil.rmtree(warm_cache, ignore_errors=True)
    print(f"\nat the end: {load()}")
    print("warm/typer, cpu/typer: to the Typer app run by turns with the command (its time drifts with the machine's)")
    print("above s: the warm time less the Typer app's (talkbase's own work); answer: lines printed")


def site_row(size: str, talkbase: list[str], kb: Path, env: dict[str, str], runs: int) -> None:
    """`talkbase site` of the knowledge base, warm: seconds, megabytes written, pages, and the largest page."""
    out = Path(tempfile.mkdtemp(prefix="talkbase-bench-site-")) / "site"
    argv = [*talkbase, "site", str(out), "--data", str(kb)]
    measure(argv, env)  # the warm cache, and a first site for the next to replace
    timing = median_of(max(1, runs // 2), argv, env, False)
    took, peak = timing.t, timing.peak
    files = [p for p in out.rglob("*") if p.is_file()]
    pages = [p for p in files if p.suffix == ".html"]
    largest = max(pages, key=lambda p: p.stat().st_size)
    megabytes = sum(p.stat().st_size for p in files) / 1e6
    biggest = f"{largest.relative_to(out)} ({largest.stat().st_size / 1e3:.0f} kB, goal < 1,000 kB)"
    print(f"{size}: talkbase site, warm: {took:.2f} s, {megabytes:.1f} MB written, {len(pages)} pages, largest page "
          f"{biggest}, peak {peak:.0f} MB")  # fmt: skip
    shutil.rmtree(out.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
