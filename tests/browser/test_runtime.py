"""The kit's runtime end to end, through the test-only kit-fixture sim (tests/browser/fixtures).

The fixture's controller stores keys in the engine's real HashTable, so the numbers checked here
come from kvengine running in Pyodide in the browser.
"""

from __future__ import annotations

import json
import time

import pytest

from tests.browser.helpers import (
    horizontal_overflow,
    sim_call,
    sim_reset,
    sim_state,
    sim_status,
    sim_step,
)
from tests.conftest import wait_sim_settled

SIM = "kit-fixture"


def test_fixture_sim_shows_engine_numbers(open_sim):
    page = open_sim(SIM, "key=user:42&size=8")
    assert sim_status(page) == "ready"
    state = sim_call(page, "set", {"key": "user:42", "value": "alice"})
    assert state["last"] == {"key": "user:42", "hash": 795573122, "bucket": 2}
    assert page.locator(".ms-narration").inner_text().startswith("user:42 hashes to 795573122")
    assert page.locator(".ms-narration").get_attribute("aria-live") == "polite"


def test_controls_are_real_labelled_and_keyboard_operable(open_sim):
    page = open_sim(SIM)
    key = page.get_by_role("textbox", name="Key")
    key.fill("user:7")
    key.press("Enter")
    page.wait_for_function("window.microsim.state().last !== null")
    assert sim_state(page)["last"]["key"] == "user:7"
    key.fill("cart:1")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Set"
    page.keyboard.press("Enter")
    page.wait_for_function("window.microsim.state().last.key === 'cart:1'")
    canvas = page.locator("canvas")
    assert canvas.get_attribute("role") == "img"
    assert "buckets" in canvas.get_attribute("aria-label")


def test_step_and_reset_follow_the_contract(open_sim):
    page = open_sim(SIM)
    assert sim_step(page, 1)["steps"] == 1
    assert sim_step(page, 4)["steps"] == 5
    sim_call(page, "set", {"key": "a", "value": "1"})
    state = sim_reset(page)
    assert state["steps"] == 0 and state["last"] is None
    assert state["animating"] is False
    with pytest.raises(Exception, match="whole number"):
        page.evaluate("window.microsim.step(0)")


def test_invalid_url_parameters_fall_back_with_a_visible_notice(open_sim):
    page = open_sim(SIM, "size=99&seed=abc&theme=purple")
    state = sim_state(page)
    assert state["tableSize"] == 8 and state["seed"] == 1
    notice = page.locator(".ms-notice")
    assert notice.is_visible()
    text = notice.inner_text()
    assert 'size="99"' in text and "Using 8" in text
    assert "Using 1" in text and "theme" in text


def test_seed_and_params_reach_the_controller(open_sim):
    page = open_sim(SIM, "size=16&seed=42")
    state = sim_state(page)
    assert (state["tableSize"], state["seed"]) == (16, 42)
    assert page.locator(".ms-notice").is_hidden()


def test_input_error_becomes_a_notice_and_keeps_the_state(open_sim):
    page = open_sim(SIM)
    before = sim_call(page, "set", {"key": "x", "value": "1"})
    page.get_by_role("button", name="Refuse").click()
    page.wait_for_selector(".ms-notice:not([hidden])")
    assert "refused on purpose" in page.locator(".ms-notice").inner_text()
    assert sim_state(page) == before
    assert sim_status(page) == "ready"


def test_internal_error_is_logged_not_shown(open_sim):
    page = open_sim(SIM)
    page.allow_console_errors = True
    messages = []
    page.on("console", lambda m: messages.append(m.text) if m.type == "error" else None)
    sim_call(page, "crash")
    notice = page.locator(".ms-notice").inner_text()
    assert "internal error" in notice and "Traceback" not in notice
    # using a control clears the old notice; the control's own notice then stands alone
    page.get_by_role("button", name="Refuse").click()
    page.wait_for_function(
        "document.querySelector('.ms-notice').textContent.includes('refused on purpose')"
    )
    assert "internal error" not in page.locator(".ms-notice").inner_text()
    # a built site keeps Python's internals to itself: no traceback, even in the console (only
    # `mkdocs serve` adds it, see tests/sims/test_bridge.py and tests/test_build_hook.py)
    assert any("internal error" in text for text in messages)
    assert not any("deliberate crash" in text or "Traceback" in text for text in messages)
    assert sim_call(page, "step", {"n": 1})["steps"] == 1  # the sim keeps working


def test_theme_follows_the_page_or_the_url(open_sim, sim_context):
    page = open_sim(SIM, "theme=dark")
    assert page.evaluate("document.documentElement.dataset.theme") == "dark"
    assert page.evaluate("window.microsim._sim.colors.bg") == "#1d1e24"
    page.emulate_media(color_scheme="dark")
    page = open_sim(SIM)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("document.documentElement.dataset.theme === 'dark'")
    page.emulate_media(color_scheme="light")
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")
    page = open_sim(SIM, "theme=light")
    page.emulate_media(color_scheme="dark")
    page.wait_for_timeout(100)
    assert page.evaluate("document.documentElement.dataset.theme") == "light"


def test_reduced_motion_shows_end_states_and_step_skips_animations(open_sim):
    page = open_sim(SIM)
    page.emulate_media(reduced_motion="reduce")
    page.wait_for_function("window.microsim._sim.reducedMotion === true")
    # stages keep their timing, but every frame shows a stage's end state (no movement)
    page.evaluate("() => { window.microsim._sim.animate([{name: 'a', ms: 60000}]); }")
    assert sim_state(page)["animating"] is True
    assert page.evaluate("window.microsim._sim.animation.progress") == 1
    assert sim_step(page, 1)["animating"] is False
    page.emulate_media(reduced_motion="no-preference")
    page.wait_for_function("window.microsim._sim.reducedMotion === false")
    page.evaluate("() => { window.microsim._sim.animate([{name: 'slow', ms: 60000}]); }")
    assert sim_state(page)["animating"] is True
    assert page.evaluate("window.microsim._sim.animation.name") == "slow"
    assert page.evaluate("window.microsim._sim.animation.progress") < 1
    sim_step(page, 1)  # step() skips the animation
    assert sim_state(page)["animating"] is False


def test_narrow_viewport_keeps_the_sim_inside_the_width(open_sim):
    page = open_sim(SIM)
    page.set_viewport_size({"width": 375, "height": 700})
    page.wait_for_function("window.microsim._sim.width <= 375")
    assert horizontal_overflow(page) == 0
    box = page.locator("canvas").bounding_box()
    assert box["width"] <= 375
    assert page.evaluate("document.querySelector('main').offsetHeight") == 400


def test_narration_is_whole_on_a_phone_and_two_lines_on_a_wide_screen(open_sim):
    page = open_sim(SIM)
    long_text = "Step 18 of 20: " + "a long explanation of why this key was evicted " * 6
    page.evaluate("(t) => window.microsim._sim.narrate(t)", long_text)
    clipped = (
        "(() => { const n = document.querySelector('.ms-narration');"
        " return n.scrollHeight > n.clientHeight + 1; })()"
    )
    page.set_viewport_size({"width": 780, "height": 700})
    page.wait_for_function(clipped)  # wide: the sim keeps to its height, two lines shown
    page.set_viewport_size({"width": 375, "height": 900})
    page.wait_for_function(f"!{clipped}")  # phone: the page grows, the whole text shows
    box = page.locator(".ms-narration").bounding_box()
    assert box["height"] > 5 * 16
    assert page.locator(".ms-narration").inner_text() == long_text.strip()


def test_a_view_that_needs_more_height_on_a_narrow_screen_gets_it(open_sim):
    # minCanvasHeight(width): the fixture asks for 520 px below 360 px wide; the page then
    # grows past canvasHeight (400) instead of squeezing the picture
    page = open_sim(SIM)
    page.set_viewport_size({"width": 340, "height": 700})
    page.wait_for_function("window.microsim._sim.height >= 520")
    assert page.locator("canvas").bounding_box()["height"] >= 520
    assert page.evaluate("document.querySelector('main').offsetHeight") > 520
    assert horizontal_overflow(page) == 0
    page.set_viewport_size({"width": 600, "height": 700})  # wide again: back inside 400 px
    page.wait_for_function("window.microsim._sim.height < 400")
    assert page.evaluate("document.querySelector('main').offsetHeight") == 400


def test_embedded_sim_posts_ready_and_resize_to_the_parent(
    open_sim, sim_context, site_url, other_origin_url, other_origin_dir, watch_page
):
    (other_origin_dir / "embed-one.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Embed</title>"
        "<link rel='icon' href='data:,'></head><body><main><h1>Course page</h1>"
        "<script>window.got = []; addEventListener('message', e => window.got.push(e.data));"
        "</script>"
        f"<iframe title='Kit fixture' src='{site_url}sims/{SIM}/main.html' width='100%'"
        " height='402' scrolling='no' allowfullscreen></iframe></main></body></html>"
    )
    page = sim_context.new_page()
    watch_page(page, {other_origin_url.rstrip("/"), site_url.rstrip("/")})
    try:
        page.goto(f"{other_origin_url}embed-one.html")
        page.wait_for_function("window.got.some(m => m.type === 'microsim-ready')", timeout=120_000)
        got = page.evaluate("window.got")
        assert {"type": "microsim-ready", "id": SIM} in got
        resize = [m for m in got if m.get("type") == "microsim-resize"]
        assert resize and resize[-1]["id"] == SIM and 300 < resize[-1]["height"] <= 402
    finally:
        page.close()


def test_failed_engine_download_shows_reason_and_retry_recovers(page, site_server, watch_page):
    # `page` is a fresh browser context, so it starts its own engine worker.
    page.allow_console_errors = True
    watch_page(page, {site_server.url.rstrip("/")})
    site_server.fail_paths.add("/kvengine.zip")
    try:
        started = time.monotonic()
        page.goto(f"{site_server.url}sims/{SIM}/main.html")
        assert wait_sim_settled(page) == "error"
        overlay = page.locator(".ms-overlay")
        assert overlay.is_visible()
        assert "kvengine" in overlay.inner_text() and "404" in overlay.inner_text()
        assert page.locator("canvas").is_visible()  # never a blank area
        rejected = page.evaluate("window.microsim.ready.then(() => 'resolved', e => e.message)")
        assert "kvengine" in rejected
        assert time.monotonic() - started < 120
    finally:
        site_server.fail_paths.discard("/kvengine.zip")
    page.get_by_role("button", name="Retry").click()
    assert wait_sim_settled(page) == "ready"
    assert page.evaluate("window.microsim.ready.then(() => 'resolved')") == "resolved"
    assert overlay.is_hidden()
    assert sim_call(page, "set", {"key": "user:42"})["last"]["bucket"] == 2


def test_missing_p5_shows_an_error_not_a_blank_page(page, site_server, watch_page):
    page.allow_console_errors = True
    watch_page(page, {site_server.url.rstrip("/")})
    site_server.fail_paths.add("/p5.min.js")
    try:
        page.goto(f"{site_server.url}sims/{SIM}/main.html")
        assert wait_sim_settled(page) == "error"
        assert "p5.js" in page.locator(".ms-overlay").inner_text()
        assert page.get_by_role("button", name="Retry").is_visible()
    finally:
        site_server.fail_paths.discard("/p5.min.js")
    page.get_by_role("button", name="Retry").click()
    # Retry starts over: wait until the error state is left before waiting for the outcome
    page.wait_for_selector("html:not([data-sim-state=error])", state="attached")
    assert wait_sim_settled(page) == "ready", page.locator(".ms-overlay").inner_text()


def test_dedicated_worker_fallback_without_shared_worker(page, site_server, watch_page):
    watch_page(page, {site_server.url.rstrip("/")})
    page.add_init_script("delete window.SharedWorker;")
    page.goto(f"{site_server.url}sims/{SIM}/main.html?size=4")
    assert wait_sim_settled(page) == "ready"
    assert sim_state(page)["tableSize"] == 4
    assert sim_call(page, "set", {"key": "user:42"})["last"]["hash"] == 795573122


def test_canvas_controls_and_loading_indicator_appear_before_python(page, site_server):
    """The page is drawn and usable while Python loads. The snapshot's download is held back
    (a dedicated worker, whose requests Playwright can route), so "while" lasts long enough to
    look: restored from the snapshot, the engine can be ready within the first few frames."""
    page.add_init_script("delete window.SharedWorker;")
    held: list = []
    page.route("**/*.kvsnap", lambda route: held.append(route))
    page.goto(f"{site_server.url}sims/{SIM}/main.html", wait_until="commit")
    page.wait_for_selector("canvas", timeout=5_000)
    assert page.get_by_role("button", name="Set").is_visible()
    assert sim_status(page) == "loading"
    assert "Loading" in page.locator(".ms-narration").inner_text()
    assert json.loads(page.evaluate("JSON.stringify(window.microsim.state())")) is None
    for route in held:
        route.fallback()
    page.unroute("**/*.kvsnap")
    assert wait_sim_settled(page) == "ready"


def test_a_sim_whose_code_fails_to_load_shows_an_error(page, site_server, watch_page):
    page.allow_console_errors = True
    watch_page(page, {site_server.url.rstrip("/")})
    site_server.fail_paths.add("/kit-fixture.js")
    try:
        page.goto(f"{site_server.url}sims/{SIM}/main.html")
        assert wait_sim_settled(page, timeout=10_000) == "error"
        assert "kit-fixture.js" in page.get_by_role("alert").inner_text()
        assert page.get_by_role("button", name="Retry").is_visible()
    finally:
        site_server.fail_paths.discard("/kit-fixture.js")
    page.get_by_role("button", name="Retry").click()  # reloads the page
    assert wait_sim_settled(page) == "ready"


@pytest.fixture(scope="module")
def cdn_site(tmp_path_factory):
    """The site built in CDN mode, served locally; jsDelivr is answered from node_modules."""
    from tests.conftest import SiteServer, build_site

    site = build_site(tmp_path_factory.mktemp("cdn") / "site", env={"MICROSIM_ASSETS": "cdn"})
    server = SiteServer(site)
    yield server
    server.close()


def serve_cdn_from_node_modules(context, tamper: str | None = None) -> list[str]:
    """Route jsDelivr to the npm copies (the network is closed); optionally corrupt one file."""
    import re
    from pathlib import Path

    node = Path(__file__).resolve().parents[2] / "node_modules"
    types = {
        ".js": "text/javascript",
        ".mjs": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".zip": "application/zip",
    }
    seen: list[str] = []

    def answer(route):
        cdn = r"https://cdn\.jsdelivr\.net/npm/(p5|pyodide)@[^/]+/(.+)"
        match = re.match(cdn, route.request.url)
        if not match:
            route.abort()
            return
        path = node / match.group(1) / match.group(2)
        body = path.read_bytes()
        if path.name == tamper:
            body = body[:-1] + bytes([body[-1] ^ 1])
        seen.append(path.name)
        route.fulfill(
            status=200,
            body=body,
            headers={"Content-Type": types[path.suffix], "Access-Control-Allow-Origin": "*"},
        )

    context.route("https://cdn.jsdelivr.net/**", answer)
    return seen


def test_cdn_mode_loads_p5_and_pyodide_with_integrity(page, cdn_site):
    # Playwright cannot route a SharedWorker's requests, so this runs the dedicated-worker path
    # (same loader code).
    seen = serve_cdn_from_node_modules(page.context)
    page.add_init_script("delete window.SharedWorker;")
    page.goto(f"{cdn_site.url}sims/{SIM}/main.html")
    assert wait_sim_settled(page) == "ready"
    assert {
        "p5.min.js",
        "pyodide.mjs",
        "pyodide.asm.mjs",
        "pyodide.asm.wasm",
        "python_stdlib.zip",
    } <= set(seen)
    script = page.locator("script[src*='cdn.jsdelivr.net/npm/p5@']")
    assert script.get_attribute("integrity").startswith("sha384-")
    assert sim_call(page, "set", {"key": "user:42"})["last"]["hash"] == 795573122


def test_cdn_mode_refuses_a_tampered_file(page, cdn_site):
    page.allow_console_errors = True
    serve_cdn_from_node_modules(page.context, tamper="python_stdlib.zip")
    page.add_init_script("delete window.SharedWorker;")
    page.goto(f"{cdn_site.url}sims/{SIM}/main.html")
    assert wait_sim_settled(page) == "error"
    assert page.get_by_role("button", name="Retry").is_visible()


def test_a_shared_worker_that_fails_to_start_falls_back_to_a_dedicated_one(
    page, site_server, watch_page
):
    page.allow_console_errors = True  # the browser logs the failed shared worker script
    watch_page(page, {site_server.url.rstrip("/")})
    page.add_init_script(
        "const Real = window.SharedWorker;"
        "window.SharedWorker = function (url, options) {"
        "  return new Real(String(url).replace('engine-worker.js', 'no-such-worker.js'), options);"
        "};"
    )
    warnings = []
    page.on("console", lambda m: warnings.append(m.text) if m.type == "warning" else None)
    page.goto(f"{site_server.url}sims/{SIM}/main.html")
    assert wait_sim_settled(page) == "ready"
    assert sim_call(page, "set", {"key": "user:42"})["last"]["bucket"] == 2
    assert any("using a dedicated worker" in text for text in warnings)


def test_one_retry_recovers_every_sim_sharing_the_engine(
    page, site_server, other_origin_url, other_origin_dir, watch_page
):
    page.allow_console_errors = True
    watch_page(page, {site_server.url.rstrip("/"), other_origin_url.rstrip("/")})
    frames = "".join(
        f"<iframe title='Sim {n}' src='{site_server.url}sims/{SIM}/main.html?seed={n}'"
        " width='100%' height='402' scrolling='no'></iframe>"
        for n in (1, 2)
    )
    (other_origin_dir / "two.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Two</title>"
        f"<link rel='icon' href='data:,'></head><body><main>{frames}</main></body></html>"
    )
    site_server.fail_paths.add("/kvengine.zip")
    try:
        page.goto(f"{other_origin_url}two.html")
        sims = [frame for frame in page.frames if frame.url.endswith(("seed=1", "seed=2"))]
        assert len(sims) == 2
        assert [wait_sim_settled(frame) for frame in sims] == ["error", "error"]
    finally:
        site_server.fail_paths.discard("/kvengine.zip")
    sims[0].get_by_role("button", name="Retry").click()
    assert [wait_sim_settled(frame) for frame in sims] == ["ready", "ready"]
    assert sorted(frame.evaluate("window.microsim.state().seed") for frame in sims) == [1, 2]
