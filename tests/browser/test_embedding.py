"""Embedding anywhere: the sim pages' embed code pasted into a page on another origin, the height
messages (microsim-resize and lti.frameResize, growing and shrinking), the book's palette toggle
reaching inside the sims (microsim-theme), and the full-screen button.

The pasted page is written from the embed box of the built sim page exactly as a reader copies
it (the Copy button, read back from the clipboard), so these tests fail if the snippet carries a
placeholder address, a fixed height that cuts the sim, or no resize script.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import READY_TIMEOUT_MS, origin_of

ROOT = Path(__file__).resolve().parents[2]
SIM_IDS = sorted(path.parent.name for path in (ROOT / "sims").glob("*/sim.json"))
CONTROLS = "button:not([hidden]), input, select"
FRAME_IS = "d => Math.abs(document.querySelector('iframe').getBoundingClientRect().height - "


def canvas_height(sim_id: str) -> int:
    spec = json.loads((ROOT / "sims" / sim_id / "sim.json").read_text(encoding="utf-8"))
    return int(spec["canvasHeight"])


def copied_snippet(context, site_url: str, sim_id: str) -> str:
    """The embed code of the sim's page, copied with the keyboard through its Copy button."""
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin_of(site_url))
    page = context.new_page()
    try:
        page.goto(f"{site_url}sims/{sim_id}/")
        button = page.get_by_role("button", name="Copy embed code")
        button.focus()
        page.keyboard.press("Enter")
        status = page.locator(".sim-embed [role=status]")
        status.filter(has_text="Copied").wait_for()
        shown = page.locator("#sim-embed-code").inner_text()
        copied = page.evaluate("navigator.clipboard.readText()")
    finally:
        page.close()
    assert copied.strip() == shown.strip()
    return str(copied)


def frame_height(page, index: int = 0) -> float:
    return page.evaluate(
        f"document.querySelectorAll('iframe')[{index}].getBoundingClientRect().height"
    )


def controls_inside_frame(page, frame_locator) -> list[str]:
    """Names of the sim's controls that lie (partly) outside its iframe's box: cut off."""
    box = page.locator("iframe").first.bounding_box()
    bottom = box["y"] + box["height"]
    cut = []
    controls = frame_locator.locator(CONTROLS)
    for index in range(controls.count()):
        control = controls.nth(index)
        if not control.is_visible():
            continue
        rect = control.bounding_box()
        if (
            rect["y"] + rect["height"] > bottom + 0.5
            or rect["x"] + rect["width"] > box["x"] + box["width"] + 0.5
        ):
            cut.append(
                control.evaluate(
                    "e => e.getAttribute('aria-label') || e.labels?.[0]?.textContent"
                    " || e.textContent"
                )
            )
    return cut


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_embed_code_shows_the_real_address_and_everything_it_needs(browser, site_url, sim_id):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        snippet = copied_snippet(context, site_url, sim_id)
    finally:
        context.close()
    height = canvas_height(sim_id) + 2
    assert f'src="{site_url}sims/{sim_id}/main.html"' in snippet, snippet
    assert f'<script src="{site_url}javascripts/microsim-embed.js"></script>' in snippet
    for attribute in ('title="', 'allow="fullscreen"', "allowfullscreen", 'loading="lazy"'):
        assert attribute in snippet
    assert f'height="{height}"' in snippet
    assert "your-site" not in snippet.lower() and "example" not in snippet


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_pasted_snippet_on_another_origin_fits_a_phone_and_shrinks_back(
    browser, site_url, other_origin_url, other_origin_dir, watch_page, sim_id
):
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        snippet = copied_snippet(context, site_url, sim_id)
        (other_origin_dir / f"pasted-{sim_id}.html").write_text(
            "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            "<title>My course</title><link rel='icon' href='data:,'>"
            "<script>window.got = []; addEventListener('message', e => window.got.push(e.data));"
            "</script></head><body><main><h1>My course</h1>\n"
            f"{snippet}\n<p>After the sim.</p></main></body></html>",
            encoding="utf-8",
        )
        page = context.new_page()
        page.set_viewport_size({"width": 390, "height": 800})
        watch_page(page, {origin_of(other_origin_url), origin_of(site_url)})
        page.goto(f"{other_origin_url}pasted-{sim_id}.html")
        frame = page.frame_locator("iframe")
        frame.locator("html[data-sim-state=ready]").wait_for(
            state="attached", timeout=READY_TIMEOUT_MS
        )
        declared = canvas_height(sim_id) + 2
        # the sim reports its height on a phone, more than the declared one; the frame follows
        page.wait_for_function(
            "d => document.querySelector('iframe').getBoundingClientRect().height > d + 2",
            arg=declared,
        )
        page.wait_for_function(
            """() => {
                const sizes = window.got.filter(m => m.type === 'microsim-resize');
                const last = sizes[sizes.length - 1];
                const frame = document.querySelector('iframe').getBoundingClientRect().height;
                return last && Math.abs(frame - (last.height + 2 + 4)) <= 1;
            }"""
        )  # + 2 (the snippet's border allowance) + 4 (the iframe's default 2 px border)
        got = page.evaluate("window.got")
        resize = [m["height"] for m in got if m.get("type") == "microsim-resize"]
        lti = [m["height"] for m in got if m.get("subject") == "lti.frameResize"]
        assert resize == lti, "each height goes out in both forms"
        assert controls_inside_frame(page, frame) == []
        # all controls inside the frame: scroll each one into view and it is there, not cut
        assert frame.locator(CONTROLS).count() >= 3
        # wider again: the sim needs less, and the frame shrinks back to the declared height
        page.set_viewport_size({"width": 1000, "height": 800})
        page.wait_for_function(
            FRAME_IS + "(d + 4)) <= 1",
            arg=declared,
        )
        assert controls_inside_frame(page, frame) == []
    finally:
        context.close()


def test_a_frame_taller_than_the_sim_shrinks_to_it(
    sim_context, site_url, other_origin_url, other_origin_dir, watch_page
):
    sim_id = "hash-table-lookup"
    (other_origin_dir / "too-tall.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Tall</title>"
        "<link rel='icon' href='data:,'></head><body><main>"
        f"<iframe src='{site_url}sims/{sim_id}/main.html' width='100%' height='1200'"
        " scrolling='no' title='Hash table'></iframe>"
        f"<script src='{site_url}javascripts/microsim-embed.js'></script></main></body></html>",
        encoding="utf-8",
    )
    page = sim_context.new_page()
    watch_page(page, {origin_of(other_origin_url), origin_of(site_url)})
    try:
        page.set_viewport_size({"width": 1000, "height": 800})
        page.goto(f"{other_origin_url}too-tall.html")
        page.wait_for_function(
            FRAME_IS.replace("d =>", "h =>") + "h) <= 1",
            arg=canvas_height(sim_id) + 2 + 4,
            timeout=READY_TIMEOUT_MS,
        )
    finally:
        page.close()


def sim_colours(frame) -> dict[str, str]:
    return frame.evaluate(
        """() => ({theme: document.documentElement.dataset.theme,
                   canvas: window.microsim._sim.colors.bg,
                   panel: getComputedStyle(document.querySelector('.ms-panel')).backgroundColor,
                   text: getComputedStyle(document.querySelector('.ms-narration')).color})"""
    )


def test_the_books_palette_toggle_reaches_inside_every_sim(sim_context, site_url, watch_page):
    page = sim_context.new_page()
    watch_page(page, {origin_of(site_url)})
    try:
        page.emulate_media(color_scheme="light")
        page.goto(f"{site_url}chapters/05-key-value-stores/")
        frames = []
        for sim_id in SIM_IDS:
            page.locator(f"#sim-{sim_id}").scroll_into_view_if_needed()
            frame = page.frame_locator(f"#sim-{sim_id}")
            frame.locator("html[data-sim-state=ready]").wait_for(
                state="attached", timeout=READY_TIMEOUT_MS
            )
            frames.append(page.frame(url=f"{site_url}sims/{sim_id}/main.html"))
        before = [sim_colours(frame) for frame in frames]
        assert {colours["theme"] for colours in before} == {"light"}
        # the reader flips Material's palette toggle: the page turns slate and so do the sims,
        # although the reader's system setting (prefers-color-scheme) is still light
        page.locator("label[title='Switch to dark mode']").click()
        assert page.evaluate("document.body.dataset.mdColorScheme") == "slate"
        for frame in frames:
            frame.wait_for_function("document.documentElement.dataset.theme === 'dark'")
        after = [sim_colours(frame) for frame in frames]
        for light, dark in zip(before, after, strict=True):
            assert light["canvas"] != dark["canvas"]
            assert light["panel"] != dark["panel"] and light["text"] != dark["text"]
        page.locator("label[title='Switch to light mode']").click()
        for frame, light in zip(frames, before, strict=True):
            frame.wait_for_function("document.documentElement.dataset.theme === 'light'")
            assert sim_colours(frame) == light
    finally:
        page.close()


def test_a_theme_message_from_another_window_is_ignored(open_sim):
    page = open_sim("hash-table-lookup")
    page.emulate_media(color_scheme="light")
    page.wait_for_function("document.documentElement.dataset.theme === 'light'")
    # the page itself (not a parent) posts the message: no effect
    page.evaluate("postMessage({type: 'microsim-theme', scheme: 'dark'}, '*')")
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.dataset.theme") == "light"


@pytest.mark.parametrize("sim_id", SIM_IDS)
def test_full_screen_fills_the_screen_and_comes_back(open_sim, sim_id):
    page = open_sim(sim_id, "theme=light")
    page.set_viewport_size({"width": 1000, "height": 800})
    before = page.evaluate("window.microsim._sim.height")
    button = page.get_by_role("button", name="Full screen", exact=True)
    for _ in range(40):  # reachable with Tab alone
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.getAttribute('aria-label')") == "Full screen":
            break
    else:
        pytest.fail("Tab never reaches the Full screen button")
    page.keyboard.press("Enter")
    page.wait_for_function("document.fullscreenElement === document.getElementById('microsim')")
    page.wait_for_function(
        "() => Math.abs(document.getElementById('microsim').getBoundingClientRect().height"
        " - innerHeight) <= 1 && window.microsim._sim.height > 0"
    )
    screen = page.evaluate("({w: innerWidth, h: innerHeight})")
    # the stage (a sim's canvas, the console's log) is laid out again for the screen: taller
    # than in the page, as wide as the screen
    page.wait_for_function("h => window.microsim._sim.height > h", arg=before)
    canvas = page.locator(".ms-stage").bounding_box()
    assert abs(canvas["width"] - screen["w"]) <= 1
    exit_button = page.get_by_role("button", name="Exit full screen")
    assert exit_button.is_visible()
    exit_button.click()
    page.wait_for_function("document.fullscreenElement === null")
    page.wait_for_function("h => window.microsim._sim.height === h", arg=before)
    assert button.is_visible()
    # Esc is the browser's own way out (headless Chromium has no browser UI to press it in):
    # leaving full screen from outside the sim brings its layout back too
    button.click()
    page.wait_for_function("h => window.microsim._sim.height > h", arg=before)
    page.evaluate("document.exitFullscreen()")
    page.wait_for_function("h => window.microsim._sim.height === h", arg=before)
    assert button.is_visible()


def test_full_screen_button_is_hidden_where_the_frame_forbids_it(
    sim_context, site_url, other_origin_url, other_origin_dir, watch_page
):
    (other_origin_dir / "no-fullscreen.html").write_text(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Frames</title>"
        "<link rel='icon' href='data:,'></head><body><main>"
        f"<iframe id='no' src='{site_url}sims/kit-fixture/main.html' width='100%' height='402'"
        " title='without allowfullscreen'></iframe>"
        f"<iframe id='yes' src='{site_url}sims/kit-fixture/main.html?seed=2' width='100%'"
        " height='402' allow='fullscreen' allowfullscreen title='with allowfullscreen'></iframe>"
        "</main></body></html>",
        encoding="utf-8",
    )
    page = sim_context.new_page()
    watch_page(page, {origin_of(other_origin_url), origin_of(site_url)})
    try:
        page.goto(f"{other_origin_url}no-fullscreen.html")
        for name in ("no", "yes"):
            page.frame_locator(f"#{name}").locator("html[data-sim-state=ready]").wait_for(
                state="attached", timeout=READY_TIMEOUT_MS
            )
        hidden = page.frame_locator("#no").locator(".ms-fullscreen")
        shown = page.frame_locator("#yes").locator(".ms-fullscreen")
        assert hidden.is_hidden() and shown.is_visible()
        assert shown.get_attribute("aria-label") == "Full screen"
    finally:
        page.close()


def test_sim_pages_link_main_html_as_its_own_page(sim_context, site_url):
    page = sim_context.new_page()
    try:
        for sim_id in SIM_IDS:
            page.goto(f"{site_url}sims/{sim_id}/")
            link = page.get_by_role("link", name="Open on its own page")
            assert link.get_attribute("href") == "main.html"
            assert page.get_by_role("link", name="Open the simulator full screen").count() == 0
    finally:
        page.close()
