"""The built site in Chromium: every page and every sim is clean, accessible and self-contained.

For every HTML page of the built site and every ``sims/<id>/main.html``: no console errors or page
errors, no request to another origin (default, self-hosted build), no WCAG 2.1 A/AA violation that
axe-core (from node_modules) finds, no horizontal scroll at a 375 px wide viewport. An instructor's
page on a second origin embeds every sim by iframe and each one reaches ``ready``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser.helpers import axe_violations, horizontal_overflow
from tests.conftest import BYPASS_CSP, READY_TIMEOUT_MS, origin_of, wait_sim_settled

ROOT = Path(__file__).resolve().parents[2]
SIM_IDS = tuple(sorted(path.parent.name for path in (ROOT / "sims").glob("*/sim.json")))
TEST_ONLY = {"kit-fixture"}


def site_pages() -> list[str]:
    """Paths of the site's pages as MkDocs builds them (docs/*.md and sims/<id>/index.md)."""
    pages = []
    for md in sorted((ROOT / "docs").rglob("*.md")):
        relative = md.relative_to(ROOT / "docs").with_suffix("")
        parts = relative.parts[:-1] if relative.name in ("index", "README") else relative.parts
        pages.append("/".join(parts) + "/" if parts else "")
    for sim in sorted((ROOT / "sims").glob("*/index.md")):
        page = f"sims/{sim.parent.name}/"
        if page not in pages:
            pages.append(page)
    return pages


def existing_sims() -> list[str]:
    return [sim for sim in SIM_IDS if (ROOT / "sims" / sim / "main.html").exists()]


def wait_embedded_sims(page) -> None:
    """Load every sim iframe on the page (also lazy ones) and wait until each is ready."""
    page.evaluate(
        "document.querySelectorAll('iframe[loading=\"lazy\"]').forEach(f => f.loading = 'eager')"
    )
    page.wait_for_load_state("load")
    for frame in page.frames:
        if frame.url.endswith("main.html") or "/main.html?" in frame.url:
            frame.wait_for_function(
                "() => ['ready', 'error'].includes(document.documentElement.dataset.simState)",
                timeout=READY_TIMEOUT_MS,
            )
            assert frame.evaluate("document.documentElement.dataset.simState") == "ready", (
                f"{frame.url} did not become ready"
            )


def check_page(page, url: str) -> None:
    for scheme in ("light", "dark"):  # Material follows prefers-color-scheme on a first visit
        page.emulate_media(color_scheme=scheme)
        page.goto(url)
        page.wait_for_load_state("load")
        wait_embedded_sims(page)
        violations = axe_violations(page)
        assert violations == [], f"axe WCAG 2.1 A/AA violations, {url} ({scheme}): {violations}"
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_timeout(150)
    assert horizontal_overflow(page) == 0, f"{url} scrolls sideways at 375 px"


@pytest.mark.parametrize("path", site_pages())
def test_site_page_is_clean_accessible_and_narrow_friendly(path, sim_context, site_url, watch_page):
    page = sim_context.new_page()
    watch_page(page, {origin_of(site_url)})
    try:
        check_page(page, f"{site_url}{path}")
    finally:
        page.close()


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_sim_page_is_clean_accessible_and_narrow_friendly(sim_id, open_sim, sim_context):
    if sim_id not in existing_sims():
        pytest.skip(f"sims/{sim_id}/main.html does not exist yet")
    page = open_sim(sim_id)
    violations = axe_violations(page)
    assert violations == [], f"axe-core violations in {sim_id}: {violations}"
    page.set_viewport_size({"width": 375, "height": 800})
    page.wait_for_function("window.microsim._sim.width <= 375")
    assert horizontal_overflow(page) == 0
    assert page.evaluate("document.documentElement.dataset.simState") == "ready"
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    violations = axe_violations(page)
    assert violations == [], f"axe-core violations in {sim_id} (dark, 375 px): {violations}"
    # WCAG 1.4.10 reflow: at 320 CSS px every visible control still fits inside the viewport
    page.set_viewport_size({"width": 320, "height": 800})
    page.wait_for_function("window.microsim._sim.width <= 320")
    assert horizontal_overflow(page) == 0
    outside = page.evaluate(
        "[...document.querySelectorAll('button, select, input, label')]"
        ".filter(e => e.offsetParent !== null)"
        ".filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)"
        ".map(e => e.textContent.trim() || e.getAttribute('aria-label') || e.tagName)"
    )
    assert outside == [], f"{sim_id}: controls past the right edge at 320 px: {outside}"


def test_sims_embedded_from_another_origin_all_become_ready(
    sim_context, site_url, other_origin_url, other_origin_dir, watch_page
):
    sims = existing_sims()
    if not sims:
        pytest.skip("no sim exists yet")
    frames = "".join(
        f"<h2>{sim}</h2><iframe title='{sim}' src='{site_url}sims/{sim}/main.html'"
        " width='100%' height='502' scrolling='no' allowfullscreen></iframe>"
        for sim in sims
    )
    (other_origin_dir / "course.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Course page</title>"
        "<link rel='icon' href='data:,'><script>window.got = [];"
        "addEventListener('message', (e) => window.got.push(e.data));</script></head>"
        f"<body><main><h1>Week 5: caching</h1>{frames}</main></body></html>"
    )
    page = sim_context.browser.new_context(
        **BYPASS_CSP
    ).new_page()  # a cold engine, like a real visit
    watch_page(page, {origin_of(other_origin_url), origin_of(site_url)})
    try:
        page.goto(f"{other_origin_url}course.html")
        wait_embedded_sims(page)
        page.wait_for_function(
            f"window.got.filter(m => m.type === 'microsim-ready').length >= {len(sims)}",
            timeout=READY_TIMEOUT_MS,
        )
        ready = {m["id"] for m in page.evaluate("window.got") if m.get("type") == "microsim-ready"}
        assert ready == set(sims)
    finally:
        page.context.close()
    missing = set(SIM_IDS) - set(sims)
    if missing:
        pytest.skip(f"embedded {sorted(sims)}; not written yet: {sorted(missing)}")


def test_direct_visit_to_each_sim_reaches_ready(page, site_url, watch_page):
    """A cold visit (fresh browser context) to each sim alone, as a student following a link."""
    watch_page(page, {origin_of(site_url)})
    for sim in existing_sims():
        page.goto(f"{site_url}sims/{sim}/main.html")
        assert wait_sim_settled(page) == "ready", sim


@pytest.mark.parametrize("missing", ["sim.js", "sim.json"])
@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_sim_whose_own_code_is_missing_shows_an_error_not_loading(
    sim_id, missing, sim_context, site_server, watch_page
):
    """With the kit's boot.js in main.html, a sim whose module (or its sim.json) cannot load
    says so, naming the file, with Retry."""
    if sim_id not in existing_sims():
        pytest.skip(f"sims/{sim_id}/main.html does not exist yet")
    page = sim_context.new_page()
    page.allow_console_errors = True
    watch_page(page, {origin_of(site_server.url)})
    site_server.fail_paths.add(f"/sims/{sim_id}/{missing}")
    try:
        page.goto(f"{site_server.url}sims/{sim_id}/main.html")
        assert wait_sim_settled(page, timeout=15_000) == "error"
        assert missing in page.get_by_role("alert").inner_text()
        assert page.get_by_role("button", name="Retry").is_visible()
    finally:
        site_server.fail_paths.discard(f"/sims/{sim_id}/{missing}")
        page.close()
