"""Every load failure is reported in words and recoverable; strangers get nothing from the worker.

The runtime's files are made to fail ON THE SERVER (tests/conftest.py's SiteServer), since
Playwright's routing does not see the shared worker's requests: each file in turn answers 503,
or hangs (then the worker's stall watch, shortened by ``?stall=2``, gives up on it), or the
worker script comes with a security policy that blocks WebAssembly. Each time two tabs of the
site share the worker; both show the reason, and after the file is back one Retry (one per tab
where the worker had to close) makes both ready.

Also here: a sandboxed embed says why it cannot run and how to fix it (and runs when the fix is
applied); a same-origin stranger page reaches no other page's controllers, no import, no code
of its own, and no traceback; and the check for requests to other origins sees a worker's.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.conftest import (
    BYPASS_CSP,
    ForeignRecorder,
    PageWatch,
    SiteServer,
    origin_of,
    wait_sim_settled,
)

TABS = ["hash-table-lookup", "cache-eviction-simulator"]
LOAD_FAILURE_MS = 60_000  # an HTTP error is reported at once; a hang after the 2 s stall watch


@pytest.fixture(scope="module")
def failing_server(site_dir):
    """The built site on a server of its own, so files can fail without disturbing other tests."""
    server = SiteServer(site_dir)
    yield server
    server.close()


@pytest.fixture
def fresh_context(browser):
    """A browser context of its own: a new shared worker, a cold start."""
    context = browser.new_context(**BYPASS_CSP)
    yield context
    context.close()


def open_tabs(context: Any, server: SiteServer, query: str = "") -> list[Any]:
    pages = []
    for sim in TABS:
        page = context.new_page()
        page.goto(f"{server.url}sims/{sim}/main.html{query}")
        pages.append(page)
    return pages


def error_text(page: Any) -> str:
    return page.get_by_role("alert").inner_text()


def retry_until_ready(pages: list[Any], clicks: list[Any]) -> None:
    for page in clicks:
        page.get_by_role("button", name="Retry").click()
    for page in pages:
        assert wait_sim_settled(page) == "ready", error_text(page)
        page.wait_for_function("window.microsim.state() !== null")


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("pyodide.asm.wasm", "The Python interpreter could not be downloaded (HTTP 503)"),
        ("pyodide.asm.mjs", "The Python interpreter could not be downloaded"),
        ("pyodide.mjs", "The Python interpreter could not be downloaded"),
        ("python_stdlib.zip", "Python's standard library could not be downloaded (HTTP 503)"),
        ("kvengine.zip", "The simulation engine (kvengine.zip) could not be downloaded (HTTP 503)"),
    ],
)
def test_a_file_that_fails_is_named_and_retry_recovers_every_tab(
    failing_server, fresh_context, file, words
):
    failing_server.fail_with[file] = 503
    try:
        pages = open_tabs(fresh_context, failing_server)
        for page in pages:
            assert wait_sim_settled(page, LOAD_FAILURE_MS) == "error"
            text = error_text(page)
            assert words in text, text
            assert "Program terminated" not in text and "exit(" not in text
    finally:
        failing_server.fail_with.pop(file, None)
    retry_until_ready(pages, pages[:1])  # one Retry restarts the shared load for both tabs


@pytest.mark.parametrize(
    ("file", "words"),
    [
        ("pyodide.asm.wasm", "The Python interpreter stopped downloading"),
        ("pyodide.mjs", "The Python interpreter stopped downloading"),
        ("python_stdlib.zip", "Python's standard library stopped downloading"),
        ("kvengine.zip", "The simulation engine (kvengine.zip) stopped downloading"),
    ],
)
def test_a_download_that_hangs_is_abandoned_and_retry_starts_over(
    failing_server, fresh_context, file, words
):
    failing_server.fail_with[file] = "hang"
    try:
        pages = open_tabs(fresh_context, failing_server, "?stall=2")
        for page in pages:
            assert wait_sim_settled(page, LOAD_FAILURE_MS) == "error"
            assert words in error_text(page)
            assert "nothing arrived for 2 s" in error_text(page)
    finally:
        failing_server.fail_with.pop(file, None)  # the hung answer is dropped now
    retry_until_ready(pages, pages[:1])


def test_a_policy_that_blocks_webassembly_is_named_and_a_fresh_worker_recovers(
    failing_server, fresh_context
):
    failing_server.extra_headers["engine-worker.js"] = {
        "Content-Security-Policy": "script-src 'self'"
    }
    try:
        pages = open_tabs(fresh_context, failing_server)
        for page in pages:
            page.allow_console_errors = True
            assert wait_sim_settled(page, LOAD_FAILURE_MS) == "error"
            text = error_text(page)
            assert "security policy blocks WebAssembly" in text, text
            assert "'wasm-unsafe-eval'" in text
    finally:
        failing_server.extra_headers.clear()
    # that worker cannot recover: each tab's Retry opens a fresh worker of its own
    retry_until_ready(pages, pages)


# ---- a sandboxed embed ----------------------------------------------------------------------

EMBED = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>embed</title></head>
<body><script>
window.__messages = [];
addEventListener("message", (event) => window.__messages.push(event.data));
</script>
<iframe title="sim" sandbox="{sandbox}" src="{src}" width="800" height="452"></iframe>
</body></html>"""


def messages_of(page: Any, kind: str, timeout_s: float = 120) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = [m for m in page.evaluate("window.__messages") if m.get("type") == kind]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {kind} message")


def test_a_sandbox_without_same_origin_says_why_and_how_to_fix_it(
    sim_context, site_url, other_origin_url, other_origin_dir
):
    src = f"{site_url}sims/hash-table-lookup/main.html"
    (other_origin_dir / "sandboxed.html").write_text(
        EMBED.format(sandbox="allow-scripts", src=src), encoding="utf-8"
    )
    page = sim_context.new_page()
    page.goto(f"{other_origin_url}sandboxed.html")
    error = messages_of(page, "microsim-error")[0]
    assert "sandboxed frame without allow-same-origin" in error["message"]
    assert 'sandbox="allow-scripts allow-same-origin"' in error["message"]
    frame = page.frame_locator("iframe")
    alert = frame.get_by_role("alert")
    assert "Add allow-same-origin to the iframe's sandbox" in alert.inner_text()
    assert "Could not download" not in alert.inner_text()
    page.close()


def test_a_sandbox_with_same_origin_runs_the_sim(
    sim_context, site_url, other_origin_url, other_origin_dir
):
    src = f"{site_url}sims/hash-table-lookup/main.html"
    (other_origin_dir / "sandboxed-same-origin.html").write_text(
        EMBED.format(sandbox="allow-scripts allow-same-origin", src=src), encoding="utf-8"
    )
    page = sim_context.new_page()
    page.goto(f"{other_origin_url}sandboxed-same-origin.html")
    assert messages_of(page, "microsim-ready")[0]["id"] == "hash-table-lookup"
    assert page.evaluate("window.__messages").count({"type": "microsim-error"}) == 0
    page.close()


# ---- a stranger on the same origin ------------------------------------------------------------

STRANGER = """async () => {
  const url = new URL("../kit/engine-worker.js", location.href);
  const connect = () => {
    const worker = new SharedWorker(url, { type: "module", name: "kvengine" });
    const waiting = new Map();
    let rid = 1000;
    worker.port.onmessage = (event) => {
      const done = waiting.get(event.data.rid);
      if (done) done(event.data);
    };
    worker.port.start();
    return (message) =>
      new Promise((resolve) => {
        rid += 1;
        waiting.set(rid, resolve);
        worker.port.postMessage({ rid, ...message });
      });
  };
  const owner = connect();
  const stranger = connect();
  const mine = await owner({ op: "create", sim: "hash-table-lookup", params: {}, seed: 1 });
  const handle = mine.handle;
  const call = { op: "call", handle, method: "reset", args: {} };
  return {
    handle,
    stolen: await stranger(call),
    spoofed: await stranger({ ...call, client: "page-1" }),
    guessed: await stranger({ ...call, handle: 1 }),
    disposed: await stranger({ op: "dispose", handle }),
    stillMine: await owner(call),
    imported: await stranger({ op: "import", module: "os" }),
    fromData: await stranger({ op: "load_python", url: "data:text/x-python,1", module: "m" }),
    traversal: await stranger({ op: "load_python", sim: "../kit" }),
    released: await stranger({ op: "release", client: "page-1" }),
    afterRelease: await owner(call),
    fixture: await stranger({ op: "load_python", sim: "kit-fixture" }),
    crash: await (async () => {
      const made = await stranger({ op: "create", sim: "kit-fixture", params: {}, seed: 1 });
      return stranger({ op: "call", handle: made.handle, method: "crash", args: {} });
    })(),
  };
}"""


def test_a_stranger_page_reaches_nothing_but_its_own_controllers(open_sim):
    page = open_sim("hash-table-lookup")
    seen = page.evaluate(STRANGER)
    assert len(seen["handle"]) == 32, "a random token, not a counter"
    for refused in (
        "stolen",
        "spoofed",
        "guessed",
        "imported",
        "fromData",
        "traversal",
        "released",
    ):
        assert seen[refused]["ok"] is False, (refused, seen[refused])
    assert seen["stolen"]["error"] == seen["guessed"]["error"]  # no hint that the handle exists
    assert seen["stillMine"]["ok"] is True and seen["afterRelease"]["ok"] is True
    assert seen["fixture"]["ok"] is True  # a sim of the site's own sims folder, by id
    crash = seen["crash"]["error"]
    assert crash == {"kind": "internal", "message": "The engine hit an internal error."}


# ---- requests to other origins, from workers too ----------------------------------------------

FOREIGN_FROM_A_WORKER = """() => {
  const code = "fetch('https://cdn.jsdelivr.net/npm/pyodide/pyodide.mjs').catch(() => {});";
  const url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
  new SharedWorker(url, { name: "stray" });
}"""


def test_the_other_origin_check_sees_a_shared_workers_requests(
    sim_context, site_url, foreign_recorder: ForeignRecorder
):
    page = sim_context.new_page()
    watch = PageWatch(page, {origin_of(site_url)}, foreign_recorder)
    page.goto(f"{site_url}sims/hash-table-lookup/main.html")
    assert wait_sim_settled(page) == "ready"
    assert watch.problems() == []
    page.evaluate(FOREIGN_FROM_A_WORKER)
    deadline = time.monotonic() + 30
    while not watch.problems() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert watch.foreign_requests == [], "Playwright's page events do not see it ..."
    problems = set(watch.problems())  # (the browser may open more than one connection)
    assert problems == {"connection to another host (page or worker): cdn.jsdelivr.net"}, (
        "... the recorder does"
    )
    page.close()


def test_retry_while_the_engine_still_loads_starts_a_clean_load(failing_server, fresh_context):
    """A sim whose page failed on its own (p5.js missing) is retried while the shared engine is
    still downloading: the Retry starts the engine's load over, and the abandoned load's aborted
    downloads do not count as failures of the new one."""
    first_hit = len(failing_server.hits)  # the server is shared by this module's tests
    failing_server.fail_paths.add("/p5.min.js")
    failing_server.fail_with["python_stdlib.zip"] = "hold-first"
    try:
        page = fresh_context.new_page()
        page.goto(f"{failing_server.url}sims/hash-table-lookup/main.html")
        assert wait_sim_settled(page, 15_000) == "error"
        assert "p5.js" in error_text(page)
        deadline = time.monotonic() + 30
        while not any(hit.endswith("python_stdlib.zip") for hit in failing_server.hits[first_hit:]):
            assert time.monotonic() < deadline, "the engine's load never asked for the stdlib"
            time.sleep(0.05)
        failing_server.fail_paths.discard("/p5.min.js")
        page.get_by_role("button", name="Retry").click()  # the first stdlib request still held
        page.wait_for_selector("html:not([data-sim-state=error])", state="attached")
        assert wait_sim_settled(page) == "ready", error_text(page)
        hits = failing_server.hits[first_hit:]
        stdlib = [hit for hit in hits if hit.endswith("python_stdlib.zip")]
        assert len(stdlib) == 2  # the abandoned load's, then the new load's
    finally:
        failing_server.fail_paths.discard("/p5.min.js")
        failing_server.fail_with.pop("python_stdlib.zip", None)
