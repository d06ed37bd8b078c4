"""Every seed-dependent figure on the pages, re-derived from the engine over seeds 1-200.

Each claim below names a page, a pattern that finds the figure in the page's text (whitespace
squashed) and a function that computes what the figure must be. The figure is read from the
page, so a test fails when the text changes, when the model changes, or when the sentence
disappears. The runs come from ``tests/claims.py`` (computed once per test session).
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from microsims import controller_class
from tests.claims import (
    SEEDS,
    count_of,
    eviction_comparisons,
    hotkey_runs,
    number,
    percents,
    spread,
    stampede_runs,
)

Controller = controller_class("cache-eviction-simulator")

ROOT = Path(__file__).resolve().parent.parent
FAILURE_MODES = ROOT / "sims" / "cache-failure-modes" / "index.md"
EVICTION = ROOT / "sims" / "cache-eviction-simulator" / "index.md"
MODELS = ROOT / "docs" / "models.md"

SCENARIOS = {
    "Batch of 10 entries cached together (default)": 10,
    "One hot key read by all 10 servers (`keys=1`)": 1,
}
STAMPEDE_LABELS = {
    "None": "none",
    "Jitter TTL": "jitter",
    "Mutex lock": "lock",
    "Early expiration": "early",
}


def text(page: Path) -> str:
    return re.sub(r"\s+", " ", page.read_text(encoding="utf-8"))


def find(page: Path, pattern: str) -> tuple[str, ...]:
    """The groups of the one place ``pattern`` matches in ``page`` (fails if none or several)."""
    matches = list(re.finditer(pattern, text(page)))
    assert len(matches) == 1, f"{page.name}: {len(matches)} matches for {pattern!r}"
    return matches[0].groups()


def field(keys: int, mitigation: str, name: str) -> list:
    return [run[name] for run in stampede_runs(keys, mitigation)]


# ---------------------------------------------------------------- the stampede comparison table


def stampede_table() -> list[list[str]]:
    rows = []
    for line in FAILURE_MODES.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.strip().startswith("|") and cells[0] in SCENARIOS:
            rows.append(cells)
    return rows


def test_stampede_table_covers_every_scenario_and_mitigation() -> None:
    pairs = {(row[0], row[1]) for row in stampede_table()}
    assert pairs == {(s, m) for s in SCENARIOS for m in STAMPEDE_LABELS}


@pytest.mark.parametrize("row", stampede_table(), ids=lambda row: f"{row[0][:5]}-{row[1]}")
def test_stampede_table_row_is_what_the_engine_gives(row: list[str]) -> None:
    keys, mitigation = SCENARIOS[row[0]], STAMPEDE_LABELS[row[1]]
    expected = [
        spread(field(keys, mitigation, "dbPeak")),
        spread(field(keys, mitigation, "recomputes")),
        spread(field(keys, mitigation, "staleReads")),
        spread(field(keys, mitigation, "misses")),
        count_of(field(keys, mitigation, "everOverloaded")),
    ]
    assert row[2:] == expected


def test_the_lessons_the_table_teaches_hold_for_every_seed() -> None:
    """The issue's four statements: one key + lock -> 1; batch + lock -> N; jitter; early."""
    assert set(field(1, "none", "dbPeak")) == {10}  # one hot key, no mitigation: all servers
    assert set(field(1, "lock", "dbPeak")) == {1}  # one hot key + per-key mutex
    assert set(field(10, "lock", "dbPeak")) == {10}  # a batch + per-key mutex: still N
    assert max(field(10, "jitter", "dbPeak")) < 10  # jitter spreads a batch...
    assert not any(field(10, "jitter", "everOverloaded"))  # ...within capacity, every seed
    assert set(field(1, "jitter", "dbPeak")) == {10}  # ...and cannot spread one key
    for keys in (10, 1):  # early expiration: no miss at all, paid in recomputes
        assert set(field(keys, "early", "misses")) == {0}
        assert min(field(keys, "early", "recomputes")) > min(field(keys, "lock", "recomputes"))
        assert max(field(keys, "early", "dbPeak")) < 10


# ---------------------------------------------------------------- sentences on the pages

PEAK_RE = r"(\d+)–(\d+)"

Claim = tuple[Path, str, Callable[[], tuple[str, ...]]]


def _jitter_peak() -> tuple[str, ...]:
    peaks = field(10, "jitter", "dbPeak")
    return (number(min(peaks)), number(max(peaks)), number(statistics.median(peaks)))


def _early_batch() -> tuple[str, ...]:
    peaks = field(10, "early", "dbPeak")
    over = sum(field(10, "early", "everOverloaded"))
    return (
        number(min(peaks)),
        number(max(peaks)),
        number(statistics.median(peaks)),
        number(over),
    )


def _random_vs_lru() -> tuple[str, ...]:
    runs = eviction_comparisons("exact")
    return (
        str(sum(r["Random"] > r["LRU"] for r in runs)),
        str(sum(r["Random"] == r["LRU"] for r in runs)),
        str(sum(r["Random"] < r["LRU"] for r in runs)),
    )


def _redis_sampling() -> tuple[str, ...]:
    total = differed = never = 0
    per_run_max = 0
    evictions_per_run = []
    for seed in SEEDS:
        sim = Controller({"mode": "redis"}, seed=seed)
        sim.cmd_step(20)
        evictions = [e for e in sim.state()["log"] if e["evicted"]]
        wrong = sum(1 for e in evictions if e.get("exactVictim"))
        total += len(evictions)
        differed += wrong
        never += wrong == 0
        per_run_max = max(per_run_max, wrong)
        evictions_per_run.append(len(evictions))
    same = total - differed
    return (
        number(same),
        number(total),
        str(round(100 * same / total)),
        str(never),
        str(per_run_max),
        f"{min(evictions_per_run)}–{max(evictions_per_run)}",
    )


def _deterministic_rate(policy: str) -> Callable[[], tuple[str, ...]]:
    def rates() -> tuple[str, ...]:
        values = {r[policy] for r in eviction_comparisons("exact")}
        assert len(values) == 1, f"{policy} depends on the seed: {sorted(values)}"
        return (number(values.pop()),)

    return rates


CLAIMS: dict[str, Claim] = {
    "jitter peak (failure-modes question 2)": (
        FAILURE_MODES,
        r"the peak is (\d+) to (\d+) queries across seeds 1–200, median (\d+), never above the "
        r"capacity of 4",
        _jitter_peak,
    ),
    "lock stale reads on one key (question 3)": (
        FAILURE_MODES,
        r"serve the stale value: ([\d,]+) stale reads in the window",
        lambda: (spread(field(1, "lock", "staleReads")),),
    ),
    "early expiration on a batch (question 5)": (
        FAILURE_MODES,
        r"\((\d+) to (\d+) across seeds 1–200, median (\d+), above the capacity of 4 in (\d+) "
        r"runs of 200\)",
        _early_batch,
    ),
    "jitter never above capacity (answer box)": (
        FAILURE_MODES,
        r"the database never sees more than (\d+) at once \(never above its capacity\)",
        lambda: (number(max(field(10, "jitter", "dbPeak"))),),
    ),
    "models page summary": (
        MODELS,
        r"the lock fixes one key \(peak (\d+)\) and not the batch \(peak (\d+)\); jitter fixes the "
        r"batch \(peak (\d+–\d+), never above the capacity\) and not one key \(peak (\d+)\)",
        lambda: (
            spread(field(1, "lock", "dbPeak")),
            spread(field(10, "lock", "dbPeak")),
            spread(field(10, "jitter", "dbPeak")).split(" ")[0],
            spread(field(1, "jitter", "dbPeak")),
        ),
    ),
    "hot shard share (models page text)": (
        MODELS,
        r"about 80 % of all requests \(over seeds 1–200: ([^)]*\))\)",
        lambda: (percents(r["hotShare"] for r in hotkey_runs("none")),),
    ),
    "hot key, no mitigation (models table)": (
        MODELS,
        r"\| none \| \| Shard 1 carries (.*?) of all requests and is overloaded in (\d+) of 120 "
        r"ticks \|",
        lambda: (
            percents(r["hotShare"] for r in hotkey_runs("none")),
            spread(r["overloadedTicks"] for r in hotkey_runs("none")),
        ),
    ),
    "key replicas (models table)": (
        MODELS,
        r"largest share of one node (.*?\)); overloaded ticks: (\d+) \|",
        lambda: (
            percents(r["maxShare"] for r in hotkey_runs("replicas")),
            spread(r["overloadedTicks"] for r in hotkey_runs("replicas")),
        ),
    ),
    "local cache (models table)": (
        MODELS,
        r"local hit rate (.*?\)); .*?their copy expires: (.*?\)) stale local reads",
        lambda: (
            percents(r["localHitRate"] for r in hotkey_runs("local-cache")),
            spread(r["staleLocalReads"] for r in hotkey_runs("local-cache")),
        ),
    ),
    "read replicas (models table)": (
        MODELS,
        r"each replica serves (.*?\)), the primary (.*?\)); overloaded ticks: (\d+) \|",
        lambda: (
            percents(s for r in hotkey_runs("read-replicas") for s in r["replicaShares"]),
            percents(r["primaryShare"] for r in hotkey_runs("read-replicas")),
            spread(r["overloadedTicks"] for r in hotkey_runs("read-replicas")),
        ),
    ),
    "LRU hit rate (eviction Compare)": (
        EVICTION,
        r"\*\*LRU (\d+) %\*\*",
        _deterministic_rate("LRU"),
    ),
    "TTL hit rate (eviction Compare)": (
        EVICTION,
        r"\*\*TTL-based (\d+) %\*\*",
        _deterministic_rate("TTL-based"),
    ),
    "LFU hit rate (eviction Compare)": (
        EVICTION,
        r"\*\*LFU (\d+) %\*\*",
        _deterministic_rate("LFU"),
    ),
    "Random's distribution (eviction Compare)": (
        EVICTION,
        r"(\d+–\d+ %) across seeds 1–200 \(median (\d+) %\)",
        lambda: (
            spread(r["Random"] for r in eviction_comparisons("exact")).split(" ")[0] + " %",
            number(statistics.median(r["Random"] for r in eviction_comparisons("exact"))),
        ),
    ),
    "Random against LRU (eviction Compare)": (
        EVICTION,
        r"It beats LRU in (\d+) runs of 200, ties in (\d+) and loses in (\d+)",
        _random_vs_lru,
    ),
    "Random with seed 1 (eviction Compare)": (
        EVICTION,
        r"with the default seed 1 it scores (\d+) % against LRU's (\d+) %",
        lambda: (
            number(eviction_comparisons("exact")[0]["Random"]),
            number(eviction_comparisons("exact")[0]["LRU"]),
        ),
    ),
    "Redis sampling (eviction extension)": (
        EVICTION,
        r"([\d,]+) of the ([\d,]+) LRU evictions \((\d+) %\) took the key exact LRU would have "
        r"taken; (\d+) runs of 200 never differed, and no run differed more than (\d+) times in "
        r"its (\d+–\d+) evictions",
        _redis_sampling,
    ),
}


@pytest.mark.parametrize("name", sorted(CLAIMS))
def test_page_figure_is_what_the_engine_computes(name: str) -> None:
    page, pattern, compute = CLAIMS[name]
    assert find(page, pattern) == compute()


def test_hot_shard_is_about_80_percent_for_every_seed() -> None:
    """The sim page's "about 80% of all requests" (twice), as a bound: 79-81 % every seed."""
    assert text(FAILURE_MODES).count("about 80% of all requests") == 2
    shares = [r["hotShare"] for r in hotkey_runs("none")]
    assert all(0.79 <= share <= 0.81 for share in shares)


# ---------------------------------------------------------------- the eviction sim's activities


def _run(params: dict, steps: int, seed: int = 1) -> Controller:
    sim = Controller(params, seed=seed)
    sim.cmd_step(steps)
    return sim


def test_lru_evicts_a_at_step_14_and_lfu_keeps_it_to_the_end() -> None:
    page = text(EVICTION)
    assert "LRU evicts A at step 14" in page and "LFU keeps it to the end" in page
    assert "*(A: idle 7 s, the longest of all 6 keys.)*" in page
    lru = _run({"policy": "lru"}, 14).state()["log"][-1]
    assert lru["step"] == 14 and lru["evicted"] == "A"
    assert lru["reason"] == "A: idle 7 s, the longest of all 6 keys"
    lfu = _run({"policy": "lfu"}, 20).state()
    assert "A" in {slot["key"] for slot in lfu["slots"]}
    assert all(entry["evicted"] != "A" for entry in lfu["log"])
    assert lfu["log"][13]["evicted"] == "E"  # question 2


def test_redis_mode_seed_10_extension() -> None:
    page = text(EVICTION)
    assert "`?mode=redis&seed=10`" in page and "The bottom slot is D, not the older C" in page
    sim = _run({"mode": "redis", "policy": "lru"}, 10, seed=10)
    assert sim.state()["nextEvict"] == "D"
    sim.cmd_step(1)
    entry = sim.state()["log"][-1]
    assert entry["step"] == 11 and entry["evicted"] == "D"
    assert "Exact LRU would have evicted C (it was not sampled)" in entry["reason"]


def test_custom_sequence_where_lfu_beats_lru() -> None:
    sequence = "A A A B C D E F G A"
    assert f"`{sequence}`" in text(EVICTION)
    for seed in (1, 2, 3):
        rates = {
            r["policy"]: r["hitRate"]
            for r in _run({"sequence": sequence}, 10, seed).state()["comparison"]
        }
        assert rates["LFU"] > rates["LRU"]
