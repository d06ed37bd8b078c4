"""The interpreter's memory snapshot in the browser: same engine as a normal start, safe fall-back.

The site ships ``sims/kit/kvengine-<pyodide>-<engine>.kvsnap`` (scripts/build_snapshot.mjs); the
worker restores it instead of starting Python. ``?snapshot=0`` starts Python the normal way.
``<html data-engine-start>`` says which way the interpreter started.
"""

from __future__ import annotations

import gzip
import json
import re
import struct
from pathlib import Path
from typing import Any

import pytest

from tests.browser.helpers import sim_call, sim_step
from tests.conftest import wait_sim_settled

MAGIC = b"KVSNAP1\n"

# What each sim is put through, on both starts: (method, args) calls, then step(n).
ACTIONS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "hash-table-lookup": [
        ("hash", {"key": "user:42"}),
        ("collision", {}),
        ("resize", {"size": 12}),
    ],
    "cache-eviction-simulator": [("set_policy", {"policy": "lfu"}), ("step", {"n": 12})],
    # reset pauses both panels, so the page's play loop does not step them meanwhile
    "cache-failure-modes": [
        ("reset", {}),
        ("step", {"n": 40}),
        ("step", {"n": 5, "panel": "hotKey"}),
    ],
}


def engine_start(page: Any) -> str:
    return page.evaluate("document.documentElement.dataset.engineStart")  # type: ignore[no-any-return]


def run_actions(page: Any, sim: str) -> list[dict[str, Any]]:
    states = []
    for method, args in ACTIONS[sim]:
        states.append(sim_call(page, method, args))
    states.append(sim_step(page, 7))
    return states


@pytest.mark.parametrize("sim", sorted(ACTIONS))
def test_restored_and_normal_start_give_the_same_sim(open_sim, sim):
    restored = open_sim(sim, "seed=3")
    assert engine_start(restored) == "snapshot"
    normal = open_sim(sim, "seed=3&snapshot=0")
    assert engine_start(normal) == "normal"
    assert run_actions(restored, sim) == run_actions(normal, sim)


def snapshot_file(site_dir: Path) -> Path:
    (found,) = (site_dir / "sims" / "kit").glob("*.kvsnap")
    return found


def split(data: bytes) -> tuple[dict[str, Any], bytes]:
    assert data.startswith(MAGIC)
    (length,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4
    return json.loads(data[start : start + length]), data[start + length :]


def join(header: dict[str, Any], body: bytes) -> bytes:
    text = json.dumps(header).encode()
    return MAGIC + struct.pack("<I", len(text)) + text + body


def test_the_snapshot_names_its_versions(site_dir):
    path = snapshot_file(site_dir)
    config = (site_dir / "sims" / "kit" / "config.js").read_text()
    assets = json.loads(re.search(r"ASSETS = (\{.*\});", config, re.S).group(1))
    header, body = split(path.read_bytes())
    assert header["pyodide"] == assets["pyodide"]["version"]
    assert header["engine"] == assets["engine"]["version"]
    assert path.name == f"kvengine-{header['pyodide']}-{header['engine']}.kvsnap"
    assert assets["snapshot"]["url"] == path.name
    assert len(gzip.decompress(body)) == header["bytes"]


def other_engine(data: bytes) -> bytes:
    header, body = split(data)
    return join({**header, "engine": "0" * 16}, body)


def other_pyodide_build(data: bytes) -> bytes:
    # Pyodide's own header keeps its BUILD_ID in bytes 16..47; another build refuses it.
    header, body = split(data)
    raw = bytearray(gzip.decompress(body))
    raw[16:48] = bytes(32)
    return join(header, gzip.compress(bytes(raw), compresslevel=1))


def not_found(data: bytes) -> None:
    return None


@pytest.mark.parametrize("tamper", [other_engine, other_pyodide_build, not_found])
def test_a_snapshot_that_does_not_match_falls_back_to_a_normal_start(
    sim_context, site_url, site_dir, tamper
):
    data = snapshot_file(site_dir).read_bytes()
    replaced = tamper(data)
    page = sim_context.new_page()
    warnings: list[str] = []
    page.on("console", lambda message: warnings.append(message.text))
    # Playwright routes a dedicated worker's requests (not a shared worker's): same loader code.
    page.add_init_script("delete window.SharedWorker;")

    def answer(route: Any) -> None:
        if replaced is None:
            route.fulfill(status=404, body="not here")
        else:
            route.fulfill(status=200, body=replaced, content_type="application/octet-stream")

    page.route("**/*.kvsnap", answer)
    try:
        page.goto(f"{site_url}sims/hash-table-lookup/main.html?seed=3")
        assert wait_sim_settled(page) == "ready"
        assert engine_start(page) == "normal"
        assert any("snapshot ignored" in text for text in warnings), warnings
        state = sim_call(page, "hash", {"key": "user:42"})
        assert state["last"]["hash"] == 795573122
    finally:
        page.close()
