"""Run every benchmark in bench/ (files named bench_*.py) and print their outputs.

Each benchmark runs in its own interpreter (the same one that runs this script), one after the
other, so they do not share warm caches or memory; their output is passed through unchanged.
Extra arguments after ``--`` go to every benchmark. Exit status: 0 when all of them exited 0.

Usage::

    python bench/run_all.py                 # all benchmarks
    python bench/run_all.py engine          # only those whose name contains "engine"
    python bench/run_all.py -- --repeat 1   # pass options through
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent


def discover(filters: list[str]) -> list[Path]:
    """The benchmark scripts, sorted by name, optionally filtered by substrings."""
    scripts = sorted(BENCH_DIR.glob("bench_*.py"))
    if filters:
        scripts = [s for s in scripts if any(f in s.stem for f in filters)]
    return scripts


def main(argv: list[str]) -> int:
    if "--" in argv:
        split = argv.index("--")
        filters, passthrough = argv[:split], argv[split + 1 :]
    else:
        filters, passthrough = argv, []
    scripts = discover(filters)
    if not scripts:
        print(f"no benchmarks found in {BENCH_DIR} matching {filters}", file=sys.stderr)
        return 1
    results: list[tuple[str, int, float]] = []
    for script in scripts:
        print(f"\n### {script.name}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(script), *passthrough], cwd=BENCH_DIR.parent)
        results.append((script.name, code, time.perf_counter() - start))
    print("\n### summary")
    for name, code, seconds in results:
        print(f"  {name:32} {'ok' if code == 0 else f'FAILED (exit {code})':18} {seconds:6.1f} s")
    return 0 if all(code == 0 for _, code, _ in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
