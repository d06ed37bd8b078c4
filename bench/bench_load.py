"""Load benchmark of the MicroSim runtime in headless Chromium: today's start vs the snapshot.

Measures, in one run, against the site built by MkDocs and served on loopback with the cache
headers the README recommends (vendored, versioned files: ``max-age=31536000, immutable``; the
rest: ``no-cache``), for two start-ups of the engine side by side:

* **old** -- ``?snapshot=0``: Pyodide starts Python and imports the engine in the worker;
* **new** -- the default: the worker restores the build-time memory snapshot.

Figures (medians of ``--runs`` loads; ratios are within this run, so the machine's speed cancels):

1. **cold**: navigation -> ``data-sim-state="ready"`` for each sim alone in a fresh browser context
   (empty cache, fresh engine worker), with the bytes the server sent;
2. **repeat**: the same, in a persistent profile that has loaded the sim before (warm HTTP cache
   and compiled-WebAssembly cache; the previous page closed, so a fresh worker);
3. **three-sim page**: a course page on another origin embedding every sim by iframe (cross-origin
   embeds: the worker and the HTTP cache are partitioned by the top-level site), cold and repeat;
   target <= 1.3x the slowest single sim;
4. **interaction**: a control clicked -> the next animation frame after the engine's reply was
   drawn, p95 over ``--interactions`` clicks per sim; target <= 16 ms. Beside it, on the same
   clicks, the floor: the first frame after the click, the soonest any change could be shown,
   and the share of replies shown in that frame. A click lands at a random moment of a frame, so
   the floor's own p95 is close to a whole frame (16.7 ms at 60 Hz);
5. main-thread blocking while loading (sum over long tasks of duration - 50 ms; target < 200 ms)
   and the time until the canvas and the controls are visible (target <= 1000 ms).

Usage::

    .venv/bin/python bench/bench_load.py                   # builds the site, 5 runs
    .venv/bin/python bench/bench_load.py --runs 5 --site site   # reuse an existing build
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM_ARGS, FIXTURE_SIMS, chromium_path  # noqa: E402

SIM_IDS = ("hash-table-lookup", "cache-eviction-simulator", "cache-failure-modes")
# The control each sim's interaction figure clicks (its accessible name).
INTERACTION = {
    "hash-table-lookup": "Hash",
    "cache-eviction-simulator": "Next Access",
    "cache-failure-modes": "Mitigate: Jitter TTL",
    "kit-fixture": "Set",
}
MODES = {"old": "snapshot=0", "new": ""}
TIMEOUT_MS = 180_000
TARGET_RATIO = 1.3
TARGET_BLOCKING_MS = 200.0
TARGET_VISIBLE_MS = 1000.0
TARGET_COLD_MS = 1200.0
TARGET_COLD_RATIO = 0.5
TARGET_REPEAT_MS = 600.0
TARGET_REPEAT_RATIO = 0.25
TARGET_INTERACTION_MS = 16.0
IMMUTABLE = "public, max-age=31536000, immutable"


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Static files with realistic cache headers; counts the body bytes it sends."""

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".zip": "application/zip",
        ".kvsnap": "application/octet-stream",
    }

    def __init__(self, *args: Any, counter: dict[str, int], **kwargs: Any) -> None:
        self.counter = counter
        super().__init__(*args, **kwargs)

    def send_header(self, keyword: str, value: str) -> None:
        if keyword.lower() == "content-length":
            with self.counter["lock"]:  # type: ignore[attr-defined]
                self.counter["bytes"] += int(value)
        super().send_header(keyword, value)

    def end_headers(self) -> None:
        url = urlsplit(self.path)
        versioned = "/vendor/" in url.path or url.path.endswith(".kvsnap") or "v=" in url.query
        self.send_header("Cache-Control", IMMUTABLE if versioned else "no-cache")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class CountingServer:
    """A threaded static server on 127.0.0.1; ``bytes`` is the body bytes sent so far."""

    def __init__(self, directory: Path) -> None:
        self.counter: dict[str, Any] = {"bytes": 0, "lock": threading.Lock()}
        handler = functools.partial(_Handler, directory=str(directory), counter=self.counter)
        server_class = type(
            "Server",
            (http.server.ThreadingHTTPServer,),
            {"daemon_threads": True, "allow_reuse_address": True},
        )
        self._server = server_class(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    @property
    def bytes(self) -> int:
        return int(self.counter["bytes"])

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


# Runs in every frame before its own scripts: long-task sum and first-visible time.
PROBE = """
(() => {
  const probe = { blockingMs: 0, longTasks: 0, tasks: [], visibleMs: null, readyMs: null };
  window.__loadProbe = probe;
  try {
    new PerformanceObserver((list) => {
      if (probe.readyMs !== null) return;
      for (const task of list.getEntries()) {
        probe.longTasks += 1;
        probe.blockingMs += Math.max(0, task.duration - 50);
        probe.tasks.push([Math.round(performance.timeOrigin + task.startTime), task.duration]);
      }
    }).observe({ type: "longtask", buffered: true });
  } catch (error) { probe.error = String(error); }
  const visible = (el) => el && el.getBoundingClientRect().width > 0 &&
                          el.getBoundingClientRect().height > 0;
  const poll = () => {
    const root = document.documentElement;
    // any control shown (the first in the DOM may be hidden at this width, e.g. a panel switch)
    const controls = document.querySelectorAll(
      ".ms-controls button, .ms-controls input, .ms-controls select");
    const shown = [...controls].some(visible);
    if (probe.visibleMs === null && visible(document.querySelector("canvas")) && shown) {
      probe.visibleMs = performance.now();
    }
    if (probe.visibleMs === null) requestAnimationFrame(poll);
  };
  requestAnimationFrame(poll);
  // data-sim-state through a MutationObserver: animation frames stop in off-screen iframes.
  new MutationObserver(() => {
    if (probe.readyMs === null && document.documentElement.dataset.simState === "ready") {
      probe.readyMs = performance.now();
    }
  }).observe(document, { attributes: true, subtree: true, attributeFilter: ["data-sim-state"] });
})();
"""


def build(site: Path) -> None:
    command = [sys.executable, "-m", "mkdocs", "build", "--no-strict", "-q", "-d", str(site)]
    subprocess.run(command, cwd=ROOT, check=True, timeout=900)
    for fixture in FIXTURE_SIMS.iterdir():
        if fixture.is_dir():
            shutil.copytree(fixture, site / "sims" / fixture.name, dirs_exist_ok=True)


def wait_until(target: Any, condition: str, timeout_ms: float = TIMEOUT_MS) -> None:
    """Poll ``condition`` (a JavaScript expression) in a page or frame until it holds.

    Not ``wait_for_function``: Playwright evaluates its predicate with eval(), which the sim
    pages' Content Security Policy forbids, and the bench measures the pages as they are served,
    policy enforced. The probe records its times itself, so the polling does not move them.
    """
    deadline = time.monotonic() + timeout_ms / 1000
    while not target.evaluate(f"() => Boolean({condition})"):
        if time.monotonic() > deadline:
            state = target.evaluate("() => document.documentElement.dataset.simState")
            raise TimeoutError(
                f"{condition} did not hold within {timeout_ms / 1000:.0f} s (sim state: {state})"
            )
        time.sleep(0.02)


def frame_probe(frame: Any, *, visible: bool = True) -> dict[str, Any]:
    condition = "window.__loadProbe && window.__loadProbe.readyMs !== null"
    if visible:
        condition += " && window.__loadProbe.visibleMs !== null"
    wait_until(frame, condition)
    frame.wait_for_timeout(100)  # let the observer deliver the last entries
    return frame.evaluate("window.__loadProbe")  # type: ignore[no-any-return]


def with_query(url: str, query: str) -> str:
    return f"{url}?{query}" if query else url


def load_single(context: Any, url: str, mode: str, server: CountingServer) -> dict[str, float]:
    """One load of a sim page in ``context``; the page is closed afterwards."""
    page = context.new_page()
    sent = server.bytes
    try:
        page.goto(with_query(url, MODES[mode]), wait_until="commit")
        probe = frame_probe(page.main_frame)
        state = page.evaluate(
            "[document.documentElement.dataset.simState,"
            " document.documentElement.dataset.engineStart]"
        )
        expected = "snapshot" if mode == "new" else "normal"
        if state != ["ready", expected]:
            raise RuntimeError(f"{url} ({mode}) ended as {state}")
        return {
            "ready": probe["readyMs"],
            "visible": probe["visibleMs"],
            "blocking": probe["blockingMs"],
            "bytes": server.bytes - sent,
        }
    finally:
        page.close()
        # The worker ends with its last page; give it time, so the next load starts a new one.
        context.pages[0].wait_for_timeout(300) if context.pages else None


def load_course(context: Any, url: str, count: int, server: CountingServer) -> dict[str, float]:
    page = context.new_page()
    sent = server.bytes
    try:
        page.goto(url, wait_until="commit")
        wait_until(page, f"window.readyAt && Object.keys(window.readyAt).length >= {count}")
        ready_all = page.evaluate("Math.max(...Object.values(window.readyAt))")
        frames = [frame for frame in page.frames if "main.html" in frame.url]
        probes = [frame_probe(frame, visible=False) for frame in frames]
        top = page.evaluate("window.__loadProbe")
        # Frames of one site share a main thread, so several observers may see the same task:
        # count each task (by its absolute start time) once.
        tasks = {
            round(start / 5): duration for p in [top, *probes] for start, duration in p["tasks"]
        }
        blocking = sum(max(0.0, duration - 50) for duration in tasks.values())
        return {"ready": ready_all, "blocking": blocking, "bytes": server.bytes - sent}
    finally:
        page.close()


INTERACT = """
async ([name, count]) => {
  const sim = window.microsim._sim;
  const button = [...document.querySelectorAll(".ms-controls button")]
    .find((b) => b.textContent.trim() === name);
  if (!button) throw new Error(`no button ${name}`);
  const p5 = sim.p5;
  const plainRedraw = p5.redraw.bind(p5);
  const frames = [];
  const drawn = [];
  const floor = [];
  for (let i = 0; i < count; i++) {
    // A reader clicks at any moment of a frame, not just after one: wait 0-16 ms first.
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 16));
    const before = sim.state;
    const t0 = performance.now();
    // The floor: the first frame after the click, the soonest any change can be shown (what a
    // control that needs no engine at all would get), measured on the same click.
    const first = new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
    const shown = new Promise((resolve) => {
      p5.redraw = (...args) => {
        const result = plainRedraw(...args);
        if (sim.state !== before) {
          p5.redraw = plainRedraw;
          drawn.push(performance.now() - t0);
          requestAnimationFrame(() => resolve(performance.now()));
        }
        return result;
      };
    });
    button.click();
    frames.push((await shown) - t0);
    floor.push((await first) - t0);
    sim.finishAnimation();
  }
  p5.redraw = plainRedraw;
  return { frames, drawn, floor };
}
"""


def interactions(context: Any, url: str, sim: str, count: int) -> dict[str, list[float]]:
    """Per click: ms to the canvas drawn with the engine's reply, and to the next frame."""
    page = context.new_page()
    try:
        page.bring_to_front()  # a background tab gets animation frames once a second
        page.goto(url)
        wait_until(page, "document.documentElement.dataset.simState === 'ready'")
        times = page.evaluate(INTERACT, [INTERACTION[sim], count])
        return {key: [float(t) for t in values] for key, values in times.items()}
    finally:
        page.close()


def course_html(site_url: str, sims: list[str], query: str) -> str:
    frames = "".join(
        f"<h2>{sim}</h2><iframe title='{sim}'"
        f" src='{with_query(f'{site_url}sims/{sim}/main.html', query)}'"
        " width='100%' height='502' scrolling='no'></iframe>"
        for sim in sims
    )
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Course page</title>"
        "<link rel='icon' href='data:,'><script>window.readyAt = {};"
        "addEventListener('message', (e) => { if (e.data && e.data.type === 'microsim-ready')"
        " window.readyAt[e.data.id] = performance.now(); });</script></head>"
        f"<body><h1>All the sims of Chapter 5</h1>{frames}</body></html>"
    )


def first_frame_share(got: dict[str, list[float]]) -> float:
    """The share of clicks whose reply was shown in the first frame after the click."""
    pairs = list(zip(got["frames"], got["floor"], strict=True))
    return sum(1 for frame, floor in pairs if frame - floor < 1.0) / len(pairs)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def download_sizes(site: Path) -> dict[str, tuple[int, int]]:
    """(raw, gzip -9) bytes of the big files a cold visit downloads."""
    kit = site / "sims" / "kit"
    files = {
        "pyodide.asm.wasm": site / "sims/vendor/pyodide/pyodide.asm.wasm",
        "python_stdlib.zip": site / "sims/vendor/pyodide/python_stdlib.zip",
        "pyodide.asm.mjs": site / "sims/vendor/pyodide/pyodide.asm.mjs",
        "p5.min.js": site / "sims/vendor/p5/p5.min.js",
        "kvengine.zip": kit / "kvengine.zip",
    }
    for snapshot in kit.glob("*.kvsnap"):
        files["snapshot (.kvsnap)"] = snapshot
    return {
        name: (path.stat().st_size, len(gzip.compress(path.read_bytes(), compresslevel=9)))
        for name, path in files.items()
        if path.exists()
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", "--repeat", type=int, default=5, help="loads per figure")
    parser.add_argument("--interactions", type=int, default=200, help="clicks per sim")
    parser.add_argument("--site", type=Path, help="use this built site instead of building")
    parser.add_argument(
        "--interactions-only", action="store_true", help="measure only the interaction figures"
    )
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = args.site or Path(tmp) / "site"
        if not args.site:
            print("building the site ...", flush=True)
            build(site)
        sims = [sim for sim in SIM_IDS if (site / "sims" / sim / "main.html").exists()]
        if not sims:
            sims = ["kit-fixture"]
            print("no sim exists yet: measuring the kit fixture sim")
        server = CountingServer(site)
        other_dir = Path(tmp) / "other"
        other_dir.mkdir()
        for mode, query in MODES.items():
            (other_dir / f"course-{mode}.html").write_text(course_html(server.url, sims, query))
        other = CountingServer(other_dir)
        launch: dict[str, Any] = {"args": CHROMIUM_ARGS}
        if chromium_path():
            launch["executable_path"] = chromium_path()
        cold: dict[tuple[str, str], list[dict[str, float]]] = {}
        repeat: dict[tuple[str, str], list[dict[str, float]]] = {}
        clicks: dict[tuple[str, str], dict[str, list[float]]] = {}
        viewport = {"width": 1000, "height": 900}
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch)
                for run in range(0 if args.interactions_only else args.runs):
                    for mode in MODES:
                        for sim in sims:
                            context = browser.new_context(viewport=viewport)
                            context.add_init_script(PROBE)
                            url = f"{server.url}sims/{sim}/main.html"
                            row = load_single(context, url, mode, server)
                            cold.setdefault((mode, sim), []).append(row)
                            context.close()
                        context = browser.new_context(viewport=viewport)
                        context.add_init_script(PROBE)
                        row = load_course(
                            context, f"{other.url}course-{mode}.html", len(sims), server
                        )
                        cold.setdefault((mode, "course"), []).append(row)
                        context.close()
                    print(f"cold run {run + 1}/{args.runs} done", flush=True)
                browser.close()
                # Repeat visits: one persistent profile per mode (a real disk cache), warmed once.
                for mode in MODES:
                    profile = Path(tmp) / f"profile-{mode}"
                    context = playwright.chromium.launch_persistent_context(
                        str(profile), viewport=viewport, **launch
                    )
                    context.add_init_script(PROBE)
                    urls = {sim: f"{server.url}sims/{sim}/main.html" for sim in sims}
                    loads = 0 if args.interactions_only else args.runs
                    for sim in sims if loads else []:
                        load_single(context, urls[sim], mode, server)  # the first visit
                    if loads:
                        load_course(context, f"{other.url}course-{mode}.html", len(sims), server)
                    for _ in range(loads):
                        for sim in sims:
                            row = load_single(context, urls[sim], mode, server)
                            repeat.setdefault((mode, sim), []).append(row)
                        row = load_course(
                            context, f"{other.url}course-{mode}.html", len(sims), server
                        )
                        repeat.setdefault((mode, "course"), []).append(row)
                    for sim in sims:
                        url = with_query(urls[sim], MODES[mode])
                        clicks[(mode, sim)] = interactions(context, url, sim, args.interactions)
                    context.close()
                    print(f"repeat and interaction runs ({mode}) done", flush=True)
        finally:
            server.close()
            other.close()
        sizes = download_sizes(site)

    def interaction_lines(mode: str) -> None:
        print(f"\ninteraction, {mode} start: p95 ms from the click to the canvas drawn with the")
        print("reply / to the next animation frame (the frame that shows it); medians in brackets")
        for sim in sims:
            got = clicks[(mode, sim)]
            print(
                f"  {sim:30} drawn p95 {p95(got['drawn']):5.1f}"
                f"  frame p95 {p95(got['frames']):5.1f}"
                f"  ({statistics.median(got['drawn']):4.1f} / "
                f"{statistics.median(got['frames']):4.1f})"
                f"  floor p95 {p95(got['floor']):5.1f}"
                f"  in the first frame {first_frame_share(got):4.0%}"
            )

    if args.interactions_only:
        print(f"CPU cores: {os.cpu_count()}; {args.interactions} clicks per sim")
        for mode in MODES:
            interaction_lines(mode)
        return 0

    def med(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    print(f"\nCPU cores: {os.cpu_count()}; {args.runs} loads each; medians; old = ?snapshot=0")
    print(
        f"{'page':30} {'cold old':>9} {'cold new':>9} {'new/old':>8} {'rep old':>8}"
        f" {'rep new':>8} {'MB old':>7} {'MB new':>7} {'p95 old':>8} {'p95 new':>8}"
    )
    for sim in [*sims, "course"]:
        name = f"{sim} alone" if sim != "course" else f"course page, all {len(sims)} (x-origin)"
        co, cn = med(cold[("old", sim)], "ready"), med(cold[("new", sim)], "ready")
        ro, rn = med(repeat[("old", sim)], "ready"), med(repeat[("new", sim)], "ready")
        bo = med(cold[("old", sim)], "bytes") / 1e6
        bn = med(cold[("new", sim)], "bytes") / 1e6
        po = f"{p95(clicks[('old', sim)]['frames']):8.1f}" if ("old", sim) in clicks else ""
        pn = f"{p95(clicks[('new', sim)]['frames']):8.1f}" if ("new", sim) in clicks else ""
        print(
            f"{name:30} {co:9.0f} {cn:9.0f} {cn / co:7.2f}x {ro:8.0f} {rn:8.0f}"
            f" {bo:7.2f} {bn:7.2f} {po} {pn}"
        )
    print(
        f"\n{'page':30} {'block old':>10} {'block new':>10} {'visible old':>12} {'visible new':>12}"
    )
    for sim in [*sims, "course"]:
        name = f"{sim} alone" if sim != "course" else f"course page, all {len(sims)} (x-origin)"
        cells = [med(cold[(mode, sim)], "blocking") for mode in MODES]
        seen = [
            f"{med(cold[(mode, sim)], 'visible'):12.0f}" if sim != "course" else f"{'':>12}"
            for mode in MODES
        ]
        print(f"{name:30} {cells[0]:10.0f} {cells[1]:10.0f} {seen[0]} {seen[1]}")
    print(
        "\nrepeat-visit bytes (MB, median):",
        ", ".join(f"{mode} {med(repeat[(mode, sims[0])], 'bytes') / 1e6:.3f}" for mode in MODES),
    )
    print("\nfiles of a cold visit (raw / gzip -9 MB):")
    for name, (raw, packed) in sizes.items():
        print(f"  {name:24} {raw / 1e6:7.2f} / {packed / 1e6:6.2f}")

    worst_cold = max(med(cold[("new", sim)], "ready") for sim in sims)
    worst_cold_ratio = max(
        med(cold[("new", sim)], "ready") / med(cold[("old", sim)], "ready") for sim in sims
    )
    worst_repeat = max(med(repeat[("new", sim)], "ready") for sim in sims)
    old_cold = min(med(cold[("old", sim)], "ready") for sim in sims)
    slowest_single = max(med(cold[("new", sim)], "ready") for sim in sims)
    ratio = med(cold[("new", "course")], "ready") / slowest_single
    blocking = max(
        [med(cold[("new", sim)], "blocking") for sim in sims]
        + [med(cold[("new", "course")], "blocking")]
    )
    visible = max(med(cold[("new", sim)], "visible") for sim in sims)
    interaction = max(p95(clicks[("new", sim)]["frames"]) for sim in sims)
    interaction_lines("new")
    repeat_ratio = worst_repeat / old_cold
    fast = interaction <= TARGET_INTERACTION_MS

    def verdict(ok: bool) -> str:
        return "OK" if ok else "MISSED"

    print()
    print(
        f"1. cold, worst sim: {worst_cold:.0f} ms, {worst_cold_ratio:.2f}x today's"
        f"  target <= {TARGET_COLD_MS:.0f} ms or <= {TARGET_COLD_RATIO}x"
        f"  {verdict(worst_cold <= TARGET_COLD_MS or worst_cold_ratio <= TARGET_COLD_RATIO)}"
    )
    print(
        f"2. repeat, worst sim: {worst_repeat:.0f} ms, {repeat_ratio:.2f}x today's cold"
        f"  target <= {TARGET_REPEAT_MS:.0f} ms or <= {TARGET_REPEAT_RATIO}x"
        f"  {verdict(worst_repeat <= TARGET_REPEAT_MS or repeat_ratio <= TARGET_REPEAT_RATIO)}"
    )
    print(
        f"3. all {len(sims)} sims / slowest single sim (new): {ratio:.2f}x"
        f"  target <= {TARGET_RATIO}x  {verdict(ratio <= TARGET_RATIO)}"
    )
    floor = max(p95(clicks[("new", sim)]["floor"]) for sim in sims)
    share = min(first_frame_share(clicks[("new", sim)]) for sim in sims)
    print(
        f"4. interaction p95, worst sim (new): {interaction:.1f} ms"
        f"  target <= {TARGET_INTERACTION_MS:.0f} ms  {verdict(fast)}"
        f"  (the first frame after a click, with no engine: p95 {floor:.1f} ms;"
        f" replies shown in it: {share:.0%} or more)"
    )
    print(
        f"5. main-thread blocking while loading (worst page): {blocking:.0f} ms"
        f"  target < {TARGET_BLOCKING_MS:.0f} ms  {verdict(blocking < TARGET_BLOCKING_MS)}"
    )
    print(
        f"6. canvas + controls visible after (worst sim): {visible:.0f} ms"
        f"  target <= {TARGET_VISIBLE_MS:.0f} ms  {verdict(visible <= TARGET_VISIBLE_MS)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
