"""The engine gives the same replies and the same event log under Pyodide as under CPython.

The browser runs kvengine in Pyodide (Python 3.14 compiled to WebAssembly); the tests and the
benchmarks run it in CPython 3.11. docs/contracts.md promises determinism across both: the same
seed, clock and calls give the same replies and the same event log. This test runs one seeded
scenario (``run_scenario`` below: a few hundred commands with expiry on a VirtualClock, eviction
under allkeys-lru and allkeys-lfu with 5 samples, volatile-ttl under maxmemory, FNV-1a / djb2 hash
traces, snapshots) three times and compares the JSON outputs byte for byte:

- CPython in a subprocess with PYTHONHASHSEED=0,
- CPython in a subprocess with PYTHONHASHSEED=4242 (catches iteration over hash-ordered sets),
- Pyodide under Node (``pyodide_runner.mjs`` copies ``kvengine/`` into Pyodide's file system),

all three through ``tests/pyodide_harness.py`` on one frozen copy of ``kvengine/``.

``run_scenario`` is shipped to both interpreters as source (``inspect.getsource``), so it imports
everything it needs inside its body and uses nothing from this module.
"""

from __future__ import annotations

import inspect
import json

import pytest

from tests.pyodide_harness import copy_engine, run_cpython, run_pyodide


def run_scenario() -> str:
    """Drive kvengine through a seeded scenario; return replies, events and snapshots as JSON."""
    import json
    import random

    import kvengine
    from kvengine.hashing import HASH_FUNCTIONS, hash_trace

    def capture(log: list) -> object:
        # A deep copy through JSON: proves the events are JSON-able and freezes them as emitted.
        return lambda event: log.append(json.loads(json.dumps(event)))

    def call(store: object, replies: list, *args: str) -> None:
        try:
            replies.append(["ok", store.execute(*args)])
        except kvengine.ResponseError as exc:
            replies.append(["err", str(exc)])

    def command(rng: random.Random, keys: list[str]) -> tuple[str, ...]:
        k = rng.choice(keys)
        kind = rng.randrange(16)
        if kind < 4:
            opts = rng.choice(
                [
                    (),
                    (),
                    ("EX", str(rng.randint(1, 5))),
                    ("PX", str(rng.randint(50, 4000))),
                    ("NX",),
                    ("XX",),
                    ("KEEPTTL",),
                    ("GET",),
                ]
            )
            return ("SET", k, f"v{rng.randint(0, 999)}", *opts)
        if kind < 9:
            return ("GET", k)
        if kind == 9:
            return ("INCR", k)
        if kind == 10:
            return ("EXPIRE", k, str(rng.randint(-1, 6)), *rng.choice([(), ("NX",), ("GT",)]))
        if kind == 11:
            return (rng.choice(["TTL", "PTTL", "EXISTS", "TYPE", "PERSIST"]), k)
        if kind == 12:
            return ("DEL", k, rng.choice(keys))
        if kind == 13:
            return ("APPEND", k, "x")
        if kind == 14:
            return ("GETEX", k, *rng.choice([(), ("PERSIST",), ("PX", "700")]))
        return rng.choice(
            [
                ("DBSIZE",),
                ("RANDOMKEY",),
                ("KEYS", "k1*"),
                ("SCAN", "0"),
                ("INCRBY", k, "notanumber"),
                ("SET", k),
            ]
        )

    def run_part(name: str, seed: int, steps: int, nkeys: int, **options: object) -> dict:
        clock = kvengine.VirtualClock(1_000_000)
        store = kvengine.Store(clock=clock, seed=seed, **options)
        events: list = []
        store.add_listener(capture(events))
        rng = random.Random(seed * 7919)
        keys = [f"k{i}" for i in range(nkeys)]
        replies: list = []
        for step in range(steps):
            call(store, replies, *command(rng, keys))
            clock.advance(rng.choice([0, 1, 5, 20, 100, 250]))
            if step % 10 == 9:
                store.tick()
            if step % 50 == 49:
                replies.append(["preview", store.eviction_preview()])
                replies.append(["info", store.key_info(rng.choice(keys))])
        call(store, replies, "INFO")
        call(store, replies, "DBSIZE")
        return {
            "name": name,
            "replies": replies,
            "events": events,
            "snapshot": json.loads(json.dumps(store.snapshot())),
        }

    parts = [
        run_part("expiry", seed=1, steps=300, nkeys=30),
        run_part(
            "allkeys-lru", seed=2, steps=250, nkeys=60, policy="allkeys-lru", maxkeys=20, samples=5
        ),
        run_part(
            "allkeys-lfu", seed=3, steps=250, nkeys=60, policy="allkeys-lfu", maxkeys=20, samples=5
        ),
        run_part(
            "volatile-ttl-maxmemory",
            seed=4,
            steps=150,
            nkeys=40,
            policy="volatile-ttl",
            maxmemory=900,
            samples=5,
        ),
        run_part(
            "allkeys-random",
            seed=5,
            steps=120,
            nkeys=40,
            policy="allkeys-random",
            maxkeys=15,
            samples=5,
        ),
        # the eviction sim's configuration: exact choices among 6 slots
        run_part(
            "exact-lfu-6",
            seed=6,
            steps=120,
            nkeys=12,
            policy="allkeys-lfu",
            maxkeys=6,
            samples=16,
            lfu_counter="exact",
        ),
    ]
    traces = [
        hash_trace(name, key)
        for name in sorted(HASH_FUNCTIONS)
        for key in ["user:42", "", "ключ", "a" * 40, "🙂"]
    ]
    # The teaching table of the hash-table sim: sizes 4..16, every hash function, a resize.
    teaching = []
    for hash_name in sorted(HASH_FUNCTIONS):
        table = kvengine.HashTable(size=5, hash_name=hash_name, resizable=False)
        for i in range(12):
            table.set(f"user:{i * 7}", f"name{i}")
        lookups = [table.lookup_trace(k) for k in ("user:14", "user:999", "")]
        table.resize(16)
        teaching.append(
            {
                "hash_name": hash_name,
                "lookups": lookups,
                "stats": table.stats(),
                "buckets": [[list(pair) for pair in b] for b in table.buckets()],
            }
        )
    return json.dumps({"parts": parts, "hash_traces": traces, "teaching": teaching}, sort_keys=True)


SCENARIO_SOURCE = inspect.getsource(run_scenario)


def _first_difference(a: object, b: object, path: str = "$") -> str:
    """Where two JSON values first differ, for a readable failure message."""
    if type(a) is not type(b):
        return f"{path}: {a!r:.200} != {b!r:.200}"
    if isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in a or key not in b:
                return f"{path}.{key}: only on one side"
            if a[key] != b[key]:
                return _first_difference(a[key], b[key], f"{path}.{key}")
    if isinstance(a, list):
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            if x != y:
                return _first_difference(x, y, f"{path}[{index}]")
        if len(a) != len(b):
            return f"{path}: lengths {len(a)} != {len(b)}"
    return f"{path}: {a!r:.300} != {b!r:.300}"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    engine = copy_engine(tmp_path_factory.mktemp("pyodide-scenario"))
    texts = {
        "cpython-hashseed-0": run_cpython(SCENARIO_SOURCE, "run_scenario", engine, hash_seed="0"),
        "cpython-hashseed-4242": run_cpython(
            SCENARIO_SOURCE, "run_scenario", engine, hash_seed="4242"
        ),
        "pyodide": run_pyodide(SCENARIO_SOURCE, "run_scenario", engine, timeout=180),
    }
    return {name: json.loads(text) for name, text in texts.items()}


def test_cpython_is_deterministic_across_hash_seeds(outputs: dict[str, dict]) -> None:
    a, b = outputs["cpython-hashseed-0"], outputs["cpython-hashseed-4242"]
    assert a == b, _first_difference(a, b)


def test_pyodide_matches_cpython(outputs: dict[str, dict]) -> None:
    a, b = outputs["cpython-hashseed-0"], outputs["pyodide"]
    assert a == b, _first_difference(a, b)


def test_scenario_exercises_expiry_and_eviction(outputs: dict[str, dict]) -> None:
    """The comparison only means something if the scenario hit the mechanisms it claims to."""
    parts = {part["name"]: part for part in outputs["pyodide"]["parts"]}
    expiry_hows = {e.get("how") for e in parts["expiry"]["events"] if e.get("type") == "expire"}
    assert {"lazy", "active"} <= expiry_hows
    for name in (
        "allkeys-lru",
        "allkeys-lfu",
        "volatile-ttl-maxmemory",
        "allkeys-random",
        "exact-lfu-6",
    ):
        evictions = [e for e in parts[name]["events"] if e.get("type") == "evict"]
        assert evictions, f"no eviction happened in part {name}"
        assert all(e.get("candidates") for e in evictions), f"{name}: eviction without candidates"
    for name in ("allkeys-lru", "allkeys-lfu"):
        dbsize = parts[name]["replies"][-1]
        assert dbsize[0] == "ok" and 0 < dbsize[1] <= 20, f"{name}: maxkeys=20 broken: {dbsize}"
    errors = [r for p in parts.values() for r in p["replies"] if r[0] == "err"]
    assert errors, "the scenario should include commands that fail"
    traces = outputs["pyodide"]["hash_traces"]
    fnv = [t for t in traces if t["hash_name"] == "fnv1a-32" and t["key"] == "user:42"]
    assert fnv and fnv[0]["hash"] == 795573122  # ARCHITECTURE seam 1's documented example
