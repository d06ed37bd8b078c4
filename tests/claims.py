"""The engine's figures behind the pages' claims, over seeds 1-200 (computed once per test run).

A page may state a number only if it holds for every seed from 1 to 200, or as a distribution
("2-4 (median 3)") computed here, or if the sim computes it live. The tests that compare page
text with these figures (``tests/test_claims.py``, ``tests/test_questions.py``) share the runs
below, which are cached: the stampede grid alone is 1,600 runs of 300 ticks.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable, Iterable
from functools import cache

from kvengine.scenarios import HotKeyModel, StampedeModel
from microsims import controller_class

Controller = controller_class("cache-eviction-simulator")

SEEDS = range(1, 201)
STAMPEDE_WINDOW = 300  # ticks: the failure-modes sim's results-table window
HOTKEY_WINDOW = 120
STAMPEDE_FIELDS = ("dbPeak", "recomputes", "staleReads", "misses", "everOverloaded", "expiries")
HOTKEY_FIELDS = ("maxShare", "localHitRate", "staleLocalReads")


@cache
def stampede_runs(keys: int, mitigation: str, servers: int = 10) -> tuple[dict, ...]:
    """The results-table figures of ``StampedeModel`` for every seed (window: 300 ticks)."""
    runs = []
    for seed in SEEDS:
        snap = StampedeModel(servers=servers, keys=keys, mitigation=mitigation, seed=seed).run(
            STAMPEDE_WINDOW
        )
        runs.append({field: snap[field] for field in STAMPEDE_FIELDS})
    return tuple(runs)


@cache
def hotkey_runs(mitigation: str) -> tuple[dict, ...]:
    """``HotKeyModel`` after 120 ticks for every seed: shares, local hits, overloads."""
    runs = []
    for seed in SEEDS:
        snap = HotKeyModel(mitigation=mitigation, seed=seed).run(HOTKEY_WINDOW)
        run = {field: snap[field] for field in HOTKEY_FIELDS}
        run["hotShare"] = snap["shards"][0]["share"]
        run["overloadedTicks"] = sum(shard["overloadedTicks"] for shard in snap["shards"])
        run["replicaShares"] = list(snap["shards"][0]["replicaShare"])  # the hot shard's
        run["primaryShare"] = snap["shards"][0]["share"]
        run["overloadedShards"] = [s["id"] for s in snap["shards"] if s["overloadedTicks"]]
        runs.append(run)
    return tuple(runs)


@cache
def eviction_comparisons(mode: str = "exact") -> tuple[dict[str, float], ...]:
    """The eviction sim's end-of-run comparison (hit rate per policy) for every seed."""
    params = {} if mode == "exact" else {"mode": mode}
    rows = []
    for seed in SEEDS:
        sim = Controller(dict(params), seed=seed)
        sim.cmd_step(20)
        rows.append({row["policy"]: row["hitRate"] for row in sim.state()["comparison"]})
    return tuple(rows)


def number(value: float) -> str:
    """A figure as a page writes it: 2250 -> "2,250", 14.5 -> "14.5", 0.5 -> "0.5"."""
    return f"{value:,g}" if value != int(value) else f"{int(value):,}"


def spread(values: Iterable[float], fmt: Callable[[float], str] = number, unit: str = "") -> str:
    """``"10"`` when every seed agrees, else ``"2–4 (median 3)"`` (``unit`` after each figure)."""
    values = list(values)
    low, high = min(values), max(values)
    if low == high:
        return fmt(low) + unit
    return f"{fmt(low)}–{fmt(high)}{unit} (median {fmt(statistics.median(values))}{unit})"


def count_of(values: Iterable[bool]) -> str:
    """How many runs of the 200 a condition held in: ``"149 of 200"``."""
    values = list(values)
    return f"{sum(1 for v in values if v)} of {len(values)}"


def percent(value: float) -> str:
    """A share (0..1) as a page writes a percentage, without the sign: 0.797 -> "79.7"."""
    return f"{100 * value:.1f}"


def percents(values: Iterable[float]) -> str:
    """Shares over the seeds as ``"79.3–80.7 % (median 80.0 %)"``."""
    return spread(values, percent, " %")
