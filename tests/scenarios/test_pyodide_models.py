"""The models give identical snapshots under Pyodide (the browser) and CPython (the tests).

One seeded script runs every mitigation of both models and the three caching patterns and
returns all snapshots as JSON; it is run in CPython (two hash seeds) and in Pyodide under Node
(``tests/engine/pyodide_runner.mjs``), and the outputs must match byte for byte.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUNNER = ROOT / "tests" / "engine" / "pyodide_runner.mjs"
PYODIDE_PACKAGE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"

SCRIPT = '''
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
'''


def _engine_copy(tmp_path: Path) -> Path:
    target = tmp_path / "src" / "kvengine"
    shutil.copytree(ROOT / "kvengine", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def _cpython(tmp_path: Path, engine: Path, hash_seed: str) -> str:
    script = tmp_path / f"models_{hash_seed}.py"
    script.write_text(SCRIPT + "\nimport sys\nsys.stdout.write(run_models())\n")
    env = dict(os.environ, PYTHONHASHSEED=hash_seed, PYTHONPATH=str(engine.parent),
               PYTHONDONTWRITEBYTECODE="1")
    done = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stdout


def _pyodide(tmp_path: Path, engine: Path) -> str:
    node = shutil.which("node")
    if node is None or not PYODIDE_PACKAGE.exists():
        message = "node or node_modules/pyodide missing; run `make setup`"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    script = tmp_path / "models_pyodide.py"
    script.write_text(SCRIPT + "\nrun_models()\n")
    out = tmp_path / "models_pyodide.json"
    done = subprocess.run([node, str(RUNNER), "--engine", str(engine), "--script", str(script),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stderr[-4000:]
    return out.read_text(encoding="utf-8")


@pytest.mark.slow
def test_models_identical_in_cpython_and_pyodide(tmp_path: Path) -> None:
    engine = _engine_copy(tmp_path)
    first = _cpython(tmp_path, engine, "0")
    second = _cpython(tmp_path, engine, "4242")
    assert first == second, "the models depend on Python's hash seed"
    browser = _pyodide(tmp_path, engine)
    assert len(first) > 10_000
    assert browser == first, "Pyodide and CPython runs differ"
