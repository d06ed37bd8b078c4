"""What a reader sees while the engine loads: stages in words, and queued controls that say so.

The snapshot's download is held back (a dedicated worker, whose requests Playwright can route),
so the page stays in its loading state while the test looks at it.
"""

from __future__ import annotations

from typing import Any

from tests.browser.helpers import sim_state
from tests.conftest import wait_sim_settled


def test_loading_shows_progress_and_a_queued_control_runs_when_ready(sim_context, site_url):
    page = sim_context.new_page()
    page.add_init_script("delete window.SharedWorker;")
    held: list[Any] = []
    page.route("**/*.kvsnap", lambda route: held.append(route))
    try:
        page.goto(f"{site_url}sims/hash-table-lookup/main.html?seed=2")
        page.wait_for_function("document.querySelector('canvas')")
        canvas = page.locator("canvas")
        # Every other file arrives; the held snapshot keeps the download under its total.
        page.wait_for_function(
            "/Downloading Python: [0-9.]+ of [0-9.]+ MB/.test("
            "document.querySelector('canvas').getAttribute('aria-label'))"
        )
        assert page.evaluate("document.documentElement.dataset.simState") == "loading"
        page.get_by_role("textbox", name="Key").fill("cart:9")
        page.get_by_role("button", name="Hash").click()
        notice = page.locator(".ms-notice")
        assert "will run as soon as it is ready" in notice.inner_text()
        assert notice.is_visible()
        for route in held:
            route.fallback()
        assert wait_sim_settled(page) == "ready"
        page.wait_for_function("window.microsim.state().last?.key === 'cart:9'")
        assert "will run" not in notice.inner_text()
        assert sim_state(page)["last"]["key"] == "cart:9"
        assert "loading" not in (canvas.get_attribute("aria-label") or "")
    finally:
        page.close()
