"""Hardening of the sim pages, as a hostile or unlucky visitor would meet it.

* Every sim page carries the site's Content Security Policy and passes it: loaded and operated
  in a browser context that enforces the policy (the other tests bypass it, see conftest.py),
  no ``securitypolicyviolation`` event fires, in the self-hosted and the CDN build.
* A key with an unbalanced U+202E RIGHT-TO-LEFT OVERRIDE reverses neither the narration line
  (measured: the words after the key keep their left-to-right order) nor any canvas label (every
  drawn override sits inside a balanced FSI ... PDI isolate).
* Input faster than the engine answers is coalesced: 500 quick changes of the hot-key
  mitigation reach the engine as a handful of calls (counted at the worker's port), and the sim
  ends on the last choice.
"""

from __future__ import annotations

import time
from typing import Any

import pytest

from tests.browser.test_runtime import cdn_site, serve_cdn_from_node_modules  # noqa: F401
from tests.conftest import READY_TIMEOUT_MS, origin_of, wait_sim_settled

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


RLO = "\u202e"
RECORD_CANVAS_TEXT = """
window.__drawn = [];
const fill = CanvasRenderingContext2D.prototype.fillText;
CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
  if (window.__drawn.length < 5000) window.__drawn.push(String(text));
  return fill.call(this, text, ...rest);
};
"""
WORD_LEFT = """(words) => {
  const line = document.querySelector(".ms-narration");
  const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT);
  const left = {};
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    for (const word of words) {
      const at = node.data.indexOf(` ${word} `);
      if (at < 0 || word in left) continue;
      const range = document.createRange();
      range.setStart(node, at + 1);
      range.setEnd(node, at + 1 + word.length);
      left[word] = range.getBoundingClientRect().left;
    }
  }
  return left;
}"""


def inside_isolates(text: str) -> bool:
    """True if every RLO of text lies inside an FSI/LRI/RLI ... PDI isolate that is closed."""
    depth = 0
    opened_at: list[int] = []
    for index, char in enumerate(text):
        if char in "\u2066\u2067\u2068":
            depth += 1
            opened_at.append(index)
        elif char == "\u2069" and depth:
            depth -= 1
            opened_at.pop()
        elif char == RLO and depth == 0:
            return False
    return depth == 0


def test_an_override_in_a_key_reverses_nothing_around_it(sim_context, site_url, watch_page):
    page = sim_context.new_page()
    watch_page(page, {origin_of(site_url)})
    page.add_init_script(RECORD_CANVAS_TEXT)
    page.goto(f"{site_url}sims/hash-table-lookup/main.html?key=%E2%80%AEabc")
    assert wait_sim_settled(page) == "ready"
    left = page.evaluate(WORD_LEFT, ["hashes", "to"])
    assert left["hashes"] < left["to"], "the words after the key read left to right"
    narration = page.locator(".ms-narration")
    assert narration.locator("bdi").first.inner_text() == f"{RLO}abc"
    assert "\u2068" not in narration.inner_text()  # the marks became a <bdi> element
    drawn = [text for text in page.evaluate("window.__drawn") if RLO in text]
    assert drawn, "the key is drawn on the canvas"
    assert [text for text in drawn if not inside_isolates(text)] == []
    page.close()


COUNT_CALLS = """
window.__calls = [];
for (const proto of [MessagePort.prototype, Worker.prototype]) {
  const post = proto.postMessage;
  proto.postMessage = function (message, ...rest) {
    if (message && message.op === "call") window.__calls.push(message.method);
    return post.call(this, message, ...rest);
  };
}
"""
QUICK_CHANGES = """(values) => {
  const select = [...document.querySelectorAll("select")].find(
    (s) => s.labels[0]?.textContent === "Hot Key mitigation");
  for (let i = 0; i < 500; i++) {
    select.value = values[(i % 3) + 1];
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }
  return select.value;
}"""


def test_quick_changes_of_a_setter_are_coalesced(sim_context, site_url, watch_page):
    page = sim_context.new_page()
    watch_page(page, {origin_of(site_url)})
    page.add_init_script(COUNT_CALLS)
    page.goto(f"{site_url}sims/cache-failure-modes/main.html")
    assert wait_sim_settled(page) == "ready"
    values = ["none", "replicas", "local-cache", "read-replicas"]
    last = page.evaluate(QUICK_CHANGES, values)
    assert last == "local-cache"
    state = page.evaluate("window.microsim.step(1)")  # queued behind every change: all drained
    assert state["hotKey"]["mitigation"] == "local-cache"
    calls = page.evaluate("window.__calls")
    assert 1 <= calls.count("mitigate") <= 3, f"{calls.count('mitigate')} calls for 500 changes"
    assert page.get_by_role("combobox", name="Hot Key mitigation").input_value() == "local-cache"
    page.close()
