"""Run one Python script against kvengine in CPython and in Pyodide, to compare their outputs.

The browser runs kvengine in Pyodide (Python 3.14 on WebAssembly), the tests in CPython 3.11, and
docs/contracts.md promises the same results in both. A twin test writes a script whose source
defines a function returning a str (JSON), then runs it here:

- ``copy_engine`` freezes one copy of ``kvengine/`` for all runs (the tree may change meanwhile);
- ``run_cpython`` runs the script in a CPython subprocess under a given PYTHONHASHSEED (two seeds
  catch iteration over hash-ordered sets) and returns what the function returned;
- ``run_pyodide`` runs it in Pyodide under Node through ``tests/engine/pyodide_runner.mjs``; a
  missing ``node`` or ``node_modules/pyodide`` skips the test, or fails it in CI.

Usage::

    from tests.pyodide_harness import copy_engine, run_cpython, run_pyodide

    engine = copy_engine(tmp_path)
    source = "def main():\\n    import kvengine\\n    return kvengine.__name__\\n"
    assert run_cpython(source, "main", engine, hash_seed="0") == run_pyodide(source, "main", engine)
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.external_tools import missing_tool

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "tests" / "engine" / "pyodide_runner.mjs"
PYODIDE_PACKAGE = ROOT / "node_modules" / "pyodide" / "pyodide.mjs"


def copy_engine(workdir: Path) -> Path:
    """Copy ``kvengine/`` to ``workdir/src/kvengine`` (no __pycache__); returns the copy."""
    target = workdir / "src" / "kvengine"
    shutil.copytree(ROOT / "kvengine", target, ignore=shutil.ignore_patterns("__pycache__"))
    return target


def run_cpython(
    source: str, entry: str, engine: Path, *, hash_seed: str, timeout: float = 120
) -> str:
    """Run ``source`` in CPython with ``engine`` importable; return ``entry()``'s str result."""
    workdir = engine.parent.parent
    script = workdir / f"{entry}_cpython_{hash_seed}.py"
    script.write_text(f"{source}\nimport sys\nsys.stdout.write({entry}())\n", encoding="utf-8")
    env = dict(
        os.environ,
        PYTHONHASHSEED=hash_seed,
        PYTHONPATH=str(engine.parent),
        PYTHONDONTWRITEBYTECODE="1",
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"CPython run of {entry}() failed:\n{done.stderr[-4000:]}"
    return done.stdout


def run_pyodide(source: str, entry: str, engine: Path, *, timeout: float = 240) -> str:
    """Run ``source`` in Pyodide under Node with ``engine``; return ``entry()``'s str result."""
    node = shutil.which("node")
    if node is None or not PYODIDE_PACKAGE.exists():
        missing_tool("node or node_modules/pyodide missing; run `make setup`")
    workdir = engine.parent.parent
    script = workdir / f"{entry}_pyodide.py"
    script.write_text(f"{source}\n{entry}()\n", encoding="utf-8")
    out = workdir / f"{entry}_pyodide.out"
    done = subprocess.run(
        [node, str(RUNNER), "--engine", str(engine), "--script", str(script), "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert done.returncode == 0, f"Pyodide run of {entry}() failed:\n{done.stderr[-4000:]}"
    return out.read_text(encoding="utf-8")
