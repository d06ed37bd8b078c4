"""The benchmarks still run and measure what they say (tiny inputs; no timing is asserted).

The figures themselves come from ``make bench``; these tests only keep the scripts from rotting:
each must finish, print its verdict line, and agree with the engine on what it measures.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(script: str, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / script), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_engine_benchmark_reports_ratios_hit_ratios_and_memory() -> None:
    out = run(
        "bench_engine.py", "--ops", "3000", "--repeat", "1", "--memory-keys", "2000", "--json"
    )
    assert "throughput ratio" in out and "hit ratio gap" in out
    result = json.loads(out.strip().splitlines()[-1])
    runs = result["throughput"]
    assert runs["kvengine"]["hits"] == runs["execute"]["hits"]  # same engine, same evictions
    assert 0 < result["ratio"] and 0 < result["execute_ratio"]
    assert abs(result["hit_gap"]) < 0.03  # sampled LRU stays close to exact LRU
    assert result["memory"]["keys"] == 2000 and result["memory"]["ratio_vs_dict"] > 1


def test_ceiling_benchmark_runs_the_same_algorithm_as_the_engine() -> None:
    out = run("bench_ceiling.py", "--ops", "3000", "--repeat", "1")
    assert "ceiling for a faithful engine" in out
    rows = {
        line.split("  ")[1].strip(): line.split()
        for line in out.splitlines()
        if line.startswith("  minimal") or line.startswith("  cachetools")
    }
    minimal = float(rows["minimal sampled LRU"][-2])
    engine = json.loads(
        run("bench_engine.py", "--ops", "3000", "--repeat", "1", "--memory-keys", "100", "--json")
        .strip()
        .splitlines()[-1]
    )
    # Redis's sampled LRU in both: hit ratios within a point of each other on the same trace
    assert abs(minimal - engine["throughput"]["kvengine"]["hit_ratio"]) < 0.01
