"""The models give identical snapshots under Pyodide (the browser) and CPython (the tests).

One seeded script runs every mitigation of both models and the three caching patterns and
returns all snapshots as JSON; it is run in CPython (two hash seeds) and in Pyodide under Node
(``tests/engine/pyodide_runner.mjs``), all through ``tests/pyodide_harness.py``, and the outputs
must match byte for byte.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pyodide_harness import copy_engine, run_cpython, run_pyodide

SCRIPT = """
import json
from kvengine.clock import VirtualClock
from kvengine.scenarios import (Database, HotKeyModel, ReadThroughCache, StampedeModel,
                                WriteBehindCache, WriteThroughCache)
from kvengine.store import Store

def run_models():
    out = {}
    for mitigation in ("none", "jitter", "lock", "early"):
        model = StampedeModel(mitigation=mitigation, seed=3)
        out["stampede-" + mitigation] = [model.run(50) for _ in range(6)]
    for mitigation in ("none", "replicas", "local-cache", "read-replicas"):
        model = HotKeyModel(mitigation=mitigation, seed=3)
        out["hotkey-" + mitigation] = [model.run(10) for _ in range(3)]
    clock = VirtualClock(0)
    db = Database(clock)
    db.load({"k%d" % i: "v%d" % i for i in range(20)})
    log = []
    for cls in (ReadThroughCache, WriteThroughCache, WriteBehindCache):
        cache = cls(Store(clock=clock, seed=2), db, ttl_ms=700, jitter_ms=300, seed=2)
        for i in range(200):
            key = "k%d" % (i * 7 % 20)
            result = cache.write(key, "w%d" % i) if i % 3 == 0 else cache.read(key)
            log.append(result.to_dict())
            clock.advance(37)
        log.append(cache.crash())
        log.append(cache.stats())
    out["patterns"] = log
    return json.dumps(out, sort_keys=True)
"""


@pytest.mark.slow
def test_models_identical_in_cpython_and_pyodide(tmp_path: Path) -> None:
    engine = copy_engine(tmp_path)
    first = run_cpython(SCRIPT, "run_models", engine, hash_seed="0")
    second = run_cpython(SCRIPT, "run_models", engine, hash_seed="4242")
    assert first == second, "the models depend on Python's hash seed"
    browser = run_pyodide(SCRIPT, "run_models", engine)
    assert len(first) > 10_000
    assert browser == first, "Pyodide and CPython runs differ"
