"""Run every `bench/*_bench.py` in its own process and print what each reports.

Usage: python bench/run.py [name-fragment …]. Each bench makes and drops its own database."""

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    benches = sorted(HERE.glob("*_bench.py"))
    if argv:
        benches = [b for b in benches if any(part in b.name for part in argv)]
    failed = 0
    for bench in benches:
        print(f"== {bench.stem}", flush=True)
        result = subprocess.run([sys.executable, str(bench)], cwd=HERE.parent, check=False)
        failed += result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
