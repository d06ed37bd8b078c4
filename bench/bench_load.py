"""Load benchmark of the MicroSim runtime in headless Chromium.

Measures, in one run, against the site built by MkDocs and served on loopback:

1. navigation -> ``data-sim-state="ready"`` for each sim alone (cold: a fresh browser context, so
   a fresh engine worker and an empty cache), and for an instructor's page on another origin that
   embeds all the sims by iframe (until every one is ready). Target: instructor page <= 1.3x the
   slowest single sim -- the sims share one Pyodide interpreter (a module SharedWorker), so the
   second and third sims cost little;
2. main-thread blocking while loading: the sum over long tasks of (duration - 50 ms), from a
   ``PerformanceObserver('longtask')`` installed in every frame before any page script runs, up to
   ready. Target < 200 ms;
3. time from navigation until the canvas and the controls are visible (long before Python is
   ready). Target <= 1000 ms.

Each figure is the median of ``--runs`` cold loads. Ratios are against a baseline measured in the
same process, so the machine's speed cancels out; absolute times are printed for context.

Usage::

    .venv/bin/python bench/bench_load.py            # builds the site, prints the three figures
    .venv/bin/python bench/bench_load.py --runs 5 --site site   # reuse an existing build
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import CHROMIUM_ARGS, FIXTURE_SIMS, SiteServer, chromium_path  # noqa: E402

SIM_IDS = ("hash-table-lookup", "cache-eviction-simulator", "cache-failure-modes")
TIMEOUT_MS = 180_000
TARGET_RATIO = 1.3
TARGET_BLOCKING_MS = 200.0
TARGET_VISIBLE_MS = 1000.0

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
    const control = document.querySelector(
      ".ms-controls button, .ms-controls input, .ms-controls select");
    if (probe.visibleMs === null && visible(document.querySelector("canvas")) && visible(control)) {
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
    subprocess.run(command, cwd=ROOT, check=True, timeout=600)
    for fixture in FIXTURE_SIMS.iterdir():
        if fixture.is_dir():
            shutil.copytree(fixture, site / "sims" / fixture.name, dirs_exist_ok=True)


def frame_probe(frame: Any, *, visible: bool = True) -> dict[str, Any]:
    condition = "window.__loadProbe && window.__loadProbe.readyMs !== null"
    if visible:
        condition += " && window.__loadProbe.visibleMs !== null"
    frame.wait_for_function(f"() => {condition}", timeout=TIMEOUT_MS)
    frame.wait_for_timeout(100)  # let the observer deliver the last entries
    return frame.evaluate("window.__loadProbe")  # type: ignore[no-any-return]


def load_single(browser: Any, url: str) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.add_init_script(PROBE)
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        probe = frame_probe(page.main_frame)
        state = page.evaluate("document.documentElement.dataset.simState")
        if state != "ready":
            raise RuntimeError(f"{url} ended in state {state}")
        return {
            "ready": probe["readyMs"],
            "visible": probe["visibleMs"],
            "blocking": probe["blockingMs"],
        }
    finally:
        context.close()


def load_instructor_page(browser: Any, url: str, count: int) -> dict[str, float]:
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    context.add_init_script(PROBE)
    page = context.new_page()
    try:
        page.goto(url, wait_until="commit")
        page.wait_for_function(
            f"window.readyAt && Object.keys(window.readyAt).length >= {count}", timeout=TIMEOUT_MS
        )
        ready_all = page.evaluate("Math.max(...Object.values(window.readyAt))")
        frames = [frame for frame in page.frames if frame.url.endswith("main.html")]
        probes = [frame_probe(frame, visible=False) for frame in frames]
        top = page.evaluate("window.__loadProbe")
        # Frames of one site share a main thread, so several observers may see the same task:
        # count each task (by its absolute start time) once.
        tasks = {
            round(start / 5): duration for p in [top, *probes] for start, duration in p["tasks"]
        }
        blocking = sum(max(0.0, duration - 50) for duration in tasks.values())
        return {"ready": ready_all, "blocking": blocking}
    finally:
        context.close()


def instructor_html(site_url: str, sims: list[str]) -> str:
    frames = "".join(
        f"<h2>{sim}</h2><iframe title='{sim}' src='{site_url}sims/{sim}/main.html'"
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--runs", "--repeat", type=int, default=3, help="cold loads per figure (median)"
    )
    parser.add_argument("--site", type=Path, help="use this built site instead of building")
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
        server = SiteServer(site)
        other_dir = Path(tmp) / "other"
        other_dir.mkdir()
        (other_dir / "course.html").write_text(instructor_html(server.url, sims))
        other = SiteServer(other_dir)
        launch: dict[str, Any] = {"args": CHROMIUM_ARGS}
        if chromium_path():
            launch["executable_path"] = chromium_path()
        singles: dict[str, list[dict[str, float]]] = {sim: [] for sim in sims}
        together: list[dict[str, float]] = []
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(**launch)
                for run in range(args.runs):
                    for sim in sims:
                        url = f"{server.url}sims/{sim}/main.html"
                        singles[sim].append(load_single(browser, url))
                    together.append(
                        load_instructor_page(browser, f"{other.url}course.html", len(sims))
                    )
                    print(f"run {run + 1}/{args.runs} done", flush=True)
                browser.close()
        finally:
            server.close()
            other.close()

    def median(rows: list[dict[str, float]], key: str) -> float:
        return statistics.median(row[key] for row in rows)

    print(f"\nCPU cores: {os.cpu_count()}; {args.runs} cold loads each; medians\n")
    print(f"{'page':34} {'ready ms':>9} {'visible ms':>11} {'blocking ms':>12}")
    for sim in sims:
        rows = singles[sim]
        print(
            f"{sim + ' alone':34} {median(rows, 'ready'):9.0f} {median(rows, 'visible'):11.0f}"
            f" {median(rows, 'blocking'):12.0f}"
        )
    print(
        f"{'instructor page, all ' + str(len(sims)):34} {median(together, 'ready'):9.0f}"
        f" {'':>11} {median(together, 'blocking'):12.0f}"
    )

    slowest_single = max(median(singles[sim], "ready") for sim in sims)
    mean_single = statistics.mean(median(singles[sim], "ready") for sim in sims)
    ratio = median(together, "ready") / slowest_single
    blocking = max(
        [median(singles[sim], "blocking") for sim in sims] + [median(together, "blocking")]
    )
    visible = max(median(singles[sim], "visible") for sim in sims)
    print()
    print(
        f"1. all {len(sims)} sims / one sim alone (slowest single): {ratio:.2f}x"
        f"  (vs mean single: {median(together, 'ready') / mean_single:.2f}x)"
        f"  target <= {TARGET_RATIO}x  {'OK' if ratio <= TARGET_RATIO else 'MISSED'}"
    )
    print(
        f"2. main-thread blocking while loading (worst page): {blocking:.0f} ms"
        f"  target < {TARGET_BLOCKING_MS:.0f} ms"
        f"  {'OK' if blocking < TARGET_BLOCKING_MS else 'MISSED'}"
    )
    print(
        f"3. canvas + controls visible after (worst sim): {visible:.0f} ms"
        f"  target <= {TARGET_VISIBLE_MS:.0f} ms"
        f"  {'OK' if visible <= TARGET_VISIBLE_MS else 'MISSED'}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
