"""Run every `bench/*_bench.py`, each in its own process with its own throwaway database, then
print one summary table of every row they reported and write it to bench/results/latest.md.

Usage: python bench/run.py [name-fragment …]   (or `make bench`)

Each bench measures the trivial view in its own process, next to its own pages, so "× trivial"
compares a page with the bare stack on the same machine in the same run."""

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from harness import RESULTS_ENV, ROOT, TABLE_HEADER, Measurement, format_table, table_row

HERE = Path(__file__).resolve().parent
LATEST = HERE / "results" / "latest.md"


def run_benches(benches: list[Path], results: Path) -> tuple[list[tuple[str, float, int]], float]:
    """Run each bench with RESULTS_ENV pointing at `results`; return (name, seconds, exit
    code) per bench and the total seconds."""
    env = {**os.environ, RESULTS_ENV: str(results)}
    runs = []
    started = time.perf_counter()
    for bench in benches:
        print(f"== {bench.stem}", flush=True)
        start = time.perf_counter()
        child = subprocess.Popen([sys.executable, str(bench)], cwd=ROOT, env=env)
        try:
            code = child.wait()
        except KeyboardInterrupt:
            # The bench got the same Ctrl-C; let it drop its database before stopping.
            child.wait()
            raise
        runs.append((bench.stem, time.perf_counter() - start, code))
    return runs, time.perf_counter() - started


def summary(results: Path) -> str:
    """Every reported row, bench by bench, with each bench's trivial view first and every
    median also given as a multiple of that trivial view's."""
    records = [json.loads(line) for line in results.read_text(encoding="utf-8").splitlines()]
    trivial = {
        r["bench"]: Measurement(r["median_ms"], r["p95_ms"], r["queries"], r["runs"])
        for r in records
        if r["baseline"]
    }
    rows = []
    for r in records:
        measurement = Measurement(r["median_ms"], r["p95_ms"], r["queries"], r["runs"])
        rows.append((r["bench"], *table_row(r["label"], measurement, trivial[r["bench"]])))
    return format_table(("bench", *TABLE_HEADER), rows)


def git_revision() -> str:
    try:
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return described.stdout.strip()


def main(argv: list[str]) -> int:
    benches = sorted(HERE.glob("*_bench.py"))
    if argv:
        benches = [b for b in benches if any(part in b.name for part in argv)]
    if not benches:
        print("No bench matches.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as folder:
        results = Path(folder) / "rows.jsonl"
        results.touch()
        runs, total = run_benches(benches, results)
        table = summary(results)
    failed = [name for name, _, code in runs if code != 0]
    timings = ", ".join(f"{name} {seconds:.0f} s" for name, seconds, _ in runs)
    footer = f"Total {total:.0f} s ({timings})."
    if failed:
        footer += f" Failed: {', '.join(failed)}."
    print("== summary")
    print(table)
    print(footer)
    LATEST.parent.mkdir(exist_ok=True)
    LATEST.write_text(
        "# Bench results\n\n"
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, revision {git_revision()}, "
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs.\n\n"
        f"{table}\n\n{footer}\n",
        encoding="utf-8",
    )
    print(f"Written to {LATEST.relative_to(ROOT)}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
