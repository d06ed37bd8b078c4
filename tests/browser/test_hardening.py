"""Hardening of the sim pages, as a hostile or unlucky visitor would meet it.

* Every sim page carries the site's Content Security Policy and passes it: loaded and operated
  in a browser context that enforces the policy (the other tests bypass it, see conftest.py),
  no ``securitypolicyviolation`` event fires, in the self-hosted and the CDN build.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.test_runtime import cdn_site, serve_cdn_from_node_modules  # noqa: F401
from tests.conftest import READY_TIMEOUT_MS

SIMS = ["hash-table-lookup", "cache-eviction-simulator", "cache-failure-modes"]
RECORD_VIOLATIONS = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}`);
});
"""


def settle(page: Any, timeout_ms: float = READY_TIMEOUT_MS) -> str:
    """Wait for data-sim-state to leave "loading" without wait_for_function (it needs eval())."""
    deadline = time.monotonic() + timeout_ms / 1000
    while time.monotonic() < deadline:
        state = page.evaluate("document.documentElement.dataset.simState")
        if state != "loading":
            return str(state)
        time.sleep(0.1)
    raise AssertionError("the sim did not leave the loading state")


def policy_of(page: Any) -> dict[str, list[str]]:
    text = page.evaluate(
        "document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]')?.content ?? ''"
    )
    directives = [part.split() for part in text.split(";") if part.strip()]
    return {words[0]: words[1:] for words in directives}


@pytest.fixture(scope="module")
def enforcing_context(browser: Any) -> Any:
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    context.add_init_script(RECORD_VIOLATIONS)
    yield context
    context.close()


@pytest.mark.parametrize("sim_id", SIMS)
def test_each_sim_passes_its_content_security_policy(enforcing_context, site_url, sim_id):
    page = enforcing_context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{site_url}sims/{sim_id}/main.html")
    policy = policy_of(page)
    assert policy["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["worker-src"] == ["'self'"] and policy["connect-src"] == ["'self'"]
    assert settle(page) == "ready"
    page.evaluate("() => window.microsim.step(3)")
    page.evaluate("() => window.microsim.reset()")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.evaluate("() => window.microsim.step(1)")
    assert page.evaluate("window.__violations") == []
    assert not [e for e in errors if "Content Security Policy" in e]
    assert page.locator("style").count() == 0, "no inline <style> element"
    assert page.locator("[style]:not(canvas):not(main):not(.ms-stage)").count() == 0
    page.close()


def test_the_cdn_build_passes_its_policy_with_the_cdn_added(browser, cdn_site):  # noqa: F811
    context = browser.new_context()
    context.add_init_script(RECORD_VIOLATIONS)
    context.add_init_script("delete window.SharedWorker;")  # routing sees a dedicated worker only
    serve_cdn_from_node_modules(context)
    page = context.new_page()
    page.goto(f"{cdn_site.url}sims/hash-table-lookup/main.html")
    policy = policy_of(page)
    assert "https://cdn.jsdelivr.net" in policy["script-src"]
    assert "'unsafe-inline'" not in policy["style-src"]
    assert settle(page) == "ready"
    page.evaluate("() => window.microsim.step(1)")
    assert page.evaluate("window.__violations") == []
    context.close()
