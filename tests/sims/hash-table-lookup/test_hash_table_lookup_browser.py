"""The hash-table-lookup MicroSim in Chromium, driven through its accessible controls.

Every number checked here comes from kvengine running in Pyodide; the reference FNV-1a below is
written from the definition, independently of the engine.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.browser.helpers import axe_violations, horizontal_overflow, sim_state, sim_step

SIM = "hash-table-lookup"
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT = ROOT / "sims" / SIM / f"{SIM}.png"
TOOLTIP = "Collision: two keys map to the same bucket \u2014 chaining stores both."


def fnv1a(key: str) -> int:
    h = 0x811C9DC5
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) % 2**32
    return h


def wait_key(page, key: str) -> dict:
    page.wait_for_function("k => window.microsim.state().last.key === k", arg=key)
    return sim_state(page)


def keys_in(state: dict) -> list[str]:
    return [entry["key"] for chain in state["buckets"] for entry in chain]


def test_lookup_collision_resize_and_screenshot(open_sim):
    page = open_sim(SIM)
    page.set_viewport_size({"width": 760, "height": 440})
    state = sim_state(page)
    # the default key lands in bucket FNV-1a("user:42") mod 8, and the state says so
    assert state["last"]["key"] == "user:42"
    assert state["last"]["hash"] == fnv1a("user:42") == 795573122
    assert state["last"]["bucket"] == fnv1a("user:42") % 8 == 2
    assert {"key": "user:42", "value": "alice"} in state["buckets"][2]
    assert page.locator(".ms-narration").inner_text() == (
        "user:42 hashes to 795573122; 795573122 mod 8 = 2; bucket 2 holds alice."
    )
    assert 'hash("user:42") mod 8 = 2' in page.locator("canvas").get_attribute("aria-label")

    # a new key is inserted, then found again; the animation can be skipped with step()
    page.get_by_label("Enter key").fill("order:9001")
    page.get_by_role("button", name="Hash", exact=True).click()
    state = wait_key(page, "order:9001")
    assert state["last"]["inserted"] is True
    assert state["last"]["bucket"] == fnv1a("order:9001") % 8
    assert sim_step(page, 1)["animating"] is False
    page.get_by_role("button", name="Hash", exact=True).click()
    page.wait_for_function("window.microsim.state().last.found === true")
    assert keys_in(sim_state(page)).count("order:9001") == 1

    # "Show Collision" puts two keys with equal bucket into one chain
    page.get_by_label("Enter key").fill("user:42")
    page.get_by_role("button", name="Hash", exact=True).click()
    page.wait_for_function(
        "window.microsim.state().last.found && window.microsim.state().last.key === 'user:42'"
    )
    page.get_by_role("button", name="Show Collision", exact=True).click()
    page.wait_for_function("window.microsim.state().collision !== null")
    state = sim_step(page, 1)
    collision = state["collision"]
    chain = [entry["key"] for entry in state["buckets"][collision["bucket"]]]
    assert collision["tooltip"] == TOOLTIP and TOOLTIP in page.locator(".ms-narration").inner_text()
    assert "user:42" in chain and collision["newKey"] in chain and len(chain) >= 2
    assert {fnv1a(key) % 8 for key in chain} == {collision["bucket"]}
    assert page.evaluate("document.documentElement.dataset.simState") == "ready"

    # the screenshot for the catalogue: the whole sim at the spec's 760 x 440, collision shown
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    page.locator("#microsim").screenshot(path=str(SCREENSHOT))
    assert SCREENSHOT.stat().st_size > 10_000

    # its dark twin, <id>-dark.png: the same steps with the dark scheme
    dark = open_sim(SIM, "theme=dark")
    dark.set_viewport_size({"width": 760, "height": 440})
    for key in ("order:9001", "order:9001", "user:42"):
        dark.get_by_label("Enter key").fill(key)
        dark.get_by_role("button", name="Hash", exact=True).click()
        wait_key(dark, key)
        sim_step(dark, 1)
    dark.get_by_role("button", name="Show Collision", exact=True).click()
    dark.wait_for_function("window.microsim.state().collision !== null")
    assert sim_step(dark, 1)["collision"] == collision
    assert dark.evaluate("document.documentElement.dataset.theme") == "dark"
    dark.locator("#microsim").screenshot(path=str(SCREENSHOT.with_name(f"{SIM}-dark.png")))
    dark.close()

    # "Table size" to 16 (keyboard on the slider): every key in bucket fnv1a(key) % 16
    slider = page.get_by_role("slider", name="Table size")
    slider.focus()
    page.keyboard.press("End")
    page.wait_for_function("window.microsim.state().tableSize === 16")
    state = sim_step(page, 1)
    assert len(state["buckets"]) == 16
    for index, chain in enumerate(state["buckets"]):
        for entry in chain:
            assert fnv1a(entry["key"]) % 16 == index
    assert state["stats"]["loadFactor"] == round(len(keys_in(state)) / 16, 3)
    assert "Table resized from 8 to 16 buckets" in page.locator(".ms-narration").inner_text()

    assert axe_violations(page) == []


def test_keyboard_only_and_step_through(open_sim):
    page = open_sim(SIM)
    focused = "document.activeElement.textContent"
    page.get_by_label("Enter key").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("cart:42")
    page.keyboard.press("Enter")  # Enter in the key field hashes it
    state = wait_key(page, "cart:42")
    assert state["last"]["found"] is True and state["last"]["value"] == "3 items"
    page.keyboard.press("Tab")  # -> Hash
    assert page.evaluate(focused) == "Hash"
    page.keyboard.press("Tab")  # -> Show Collision
    page.keyboard.press("Space")
    page.wait_for_function("window.microsim.state().collision !== null")
    for _ in range(3):  # Back, Step, Table size
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("window.microsim.state().tableSize === 7")
    page.keyboard.press("Tab")  # -> Hash function
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.keyboard.press("ArrowDown")
    page.wait_for_function("window.microsim.state().hashName === 'djb2-32'")
    for _ in range(5):  # back to Hash: slider, Step, Back, Show Collision, Hash
        page.keyboard.press("Shift+Tab")
    assert page.evaluate(focused) == "Hash"
    page.keyboard.press("Enter")  # hash cart:42 again, under djb2
    page.wait_for_function("window.microsim.state().event === 'hash'")
    for _ in range(3):  # Show Collision, Back, Step
        page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Step"
    # Step replays the lookup one stage at a time; the narration reads each stage
    page.keyboard.press("Enter")
    page.wait_for_function("window.microsim.state().stage === 1")
    state = sim_state(page)
    assert state["stepMode"] is True and state["animating"] is True
    narration = page.locator(".ms-narration").inner_text()
    assert narration == state["stages"][0]["narration"]
    assert narration.startswith("Key cart:42 (7 UTF-8 bytes) enters the djb2")
    page.keyboard.press("Enter")
    page.wait_for_function("window.microsim.state().stage === 2")
    assert page.locator(".ms-narration").inner_text().startswith('Byte 1 of 7: "c" = 99')
    page.keyboard.press("Shift+Tab")  # -> Back
    page.keyboard.press("Enter")
    page.wait_for_function("window.microsim.state().stage === 1")
    # microsim.step() finishes the pending stages
    state = sim_step(page, 1)
    assert state["stage"] == len(state["stages"]) and state["animating"] is False
    # Reset (keyboard): the starting table, and the controls follow the state
    for _ in range(4):  # Step, Table size, Hash function, Reset
        page.keyboard.press("Tab")
    assert page.evaluate(focused) == "Reset"
    page.keyboard.press("Enter")
    page.wait_for_function("window.microsim.state().event === 'reset'")
    state = sim_state(page)
    assert state["tableSize"] == 8 and state["hashName"] == "fnv1a-32"
    assert state["last"]["key"] == "user:42" and state["stepMode"] is False
    assert page.get_by_role("slider", name="Table size").input_value() == "8"
    assert page.get_by_role("combobox", name="Hash function").input_value() == "fnv1a-32"
    assert page.get_by_label("Enter key").input_value() == "user:42"
    # every control has its spec name
    for name in ("Hash", "Show Collision", "Back", "Step", "Reset"):
        assert page.get_by_role("button", name=name, exact=True).count() == 1
    assert page.get_by_role("slider", name="Table size").count() == 1
    assert page.get_by_role("textbox", name="Enter key").count() == 1


def test_bad_inputs_never_break_the_sim(open_sim):
    page = open_sim(SIM)
    page.emulate_media(reduced_motion="reduce")
    before = sim_state(page)
    key_field = page.get_by_label("Enter key")
    hash_button = page.get_by_role("button", name="Hash", exact=True)

    # empty key: a clear message, nothing hashed
    key_field.fill("")
    hash_button.click()
    notice = page.locator(".ms-notice")
    notice.wait_for(state="visible")
    assert "empty key" in notice.inner_text()
    assert sim_state(page)["buckets"] == before["buckets"]

    # a 10,000-character key: hashed in full, shown with an ellipsis
    long_key = "k" * 10_000
    key_field.fill(long_key)
    hash_button.click()
    state = wait_key(page, long_key)
    assert state["last"]["hash"] == fnv1a(long_key)
    assert state["last"]["keyDisplay"].endswith("\u2026")
    assert "10,000 bytes" in state["trace"]["bytesHex"]

    # emoji and non-Latin keys: their UTF-8 bytes are shown
    key_field.fill("\U0001f511")
    hash_button.click()
    state = wait_key(page, "\U0001f511")
    assert state["trace"]["bytesHex"] == "F0 9F 94 91"
    assert state["last"]["bucket"] == fnv1a("\U0001f511") % 8
    key_field.fill("ключ")
    hash_button.click()
    state = wait_key(page, "ключ")
    assert state["trace"]["bytesHex"].startswith("D0 BA D0 BB")
    # reduced motion: the stages are still walked (without movement), and the state says so
    assert state["animating"] is True
    assert sim_step(page)["animating"] is False

    # an HTML-looking key is text, never markup
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    html_key = '<img src=x onerror="alert(1)"><b>bold</b>'
    key_field.fill(html_key)
    hash_button.click()
    state = wait_key(page, html_key)
    assert html_key in keys_in(state)
    assert page.locator("#microsim img, #microsim b").count() == 0
    assert dialogs == []

    # Hash pressed during an animation: the second lookup wins, the picture restarts cleanly
    page.emulate_media(reduced_motion="no-preference")
    key_field.fill("user:7")
    hash_button.click()
    key_field.fill("user:8")
    hash_button.click()
    state = wait_key(page, "user:8")
    # and a resize of the window mid-animation redraws at the new width
    page.set_viewport_size({"width": 420, "height": 800})
    page.wait_for_function("document.querySelector('canvas').width > 0")
    page.wait_for_function("!window.microsim.state().animating", timeout=10_000)
    assert page.evaluate("document.documentElement.dataset.simState") == "ready"
    assert horizontal_overflow(page) == 0
    width = page.evaluate("document.querySelector('canvas').getBoundingClientRect().width")
    assert 400 <= width <= 420
    assert "user:8" in keys_in(sim_state(page)) and "user:7" in keys_in(sim_state(page))


def test_bad_url_parameters_fall_back_with_a_notice(open_sim):
    page = open_sim(SIM, "size=99&hash=md5&key=cart%3A42")
    notice = page.locator(".ms-notice")
    notice.wait_for(state="visible")
    text = notice.inner_text()
    assert 'size="99"' in text and "md5" in text
    state = sim_state(page)
    assert state["tableSize"] == 8 and state["hashName"] == "fnv1a-32"
    assert state["last"]["key"] == "cart:42" and state["last"]["found"] is True
    assert page.get_by_role("slider", name="Table size").input_value() == "8"
    assert json.loads(json.dumps(state))["last"]["bucket"] == fnv1a("cart:42") % 8


# A p5 stand-in for the view's pure text helpers: every character is 9 px wide (16 px text).
FAKE_P5 = """{textWidth: (s) => 9 * [...String(s)].length, push() {}, pop() {}, textSize() {},
               textStyle() {}, BOLD: 'bold'}"""


def test_colliding_keys_stay_distinguishable_in_a_narrow_chain(open_sim):
    """QA fix: keys in a shared bucket were cut at the end ("ord…", "ord…") and looked equal."""
    page = open_sim(SIM)
    shown = page.evaluate(
        f"""async () => {{
            const view = await import('./hash-table-view.js');
            const p = {FAKE_P5};
            return ['order:9009', 'order:9001', 'cart:42'].map((k) => view.fitMiddle(p, k, 72));
        }}"""
    )
    assert shown[2] == "cart:42"
    assert shown[0] != shown[1] and shown[0].endswith("09") and shown[1].endswith("01")
    assert all("\u2026" in s and 9 * len(s) <= 72 for s in shown[:2])


def test_formula_never_cuts_off_the_bucket_number(open_sim):
    """QA fix: at 375 px the box showed 'hash("…") mod 8 …': the answer itself was cut off."""
    page = open_sim(SIM, "key=order%3A9009")
    lines = page.evaluate(
        f"""async () => {{
            const view = await import('./hash-table-view.js');
            const s = window.microsim.state();
            const p = {FAKE_P5};
            return [300, 180].map((w) => [w, view.formulaLines(p, s.trace, s.last.keyDisplay, w)]);
        }}"""
    )
    bucket = fnv1a("order:9009") % 8
    for width, (mod_line, formula) in lines:
        assert 9 * len(mod_line) <= width and 9 * len(formula) <= width
        assert formula.endswith(f"= {bucket}") or formula == f"= bucket {bucket}"
        assert str(fnv1a("order:9009")) in mod_line
    assert lines[0][1][1] == f'hash("order:9009") mod 8 = {bucket}'


def test_book_column_leaves_room_for_a_chain_of_three(open_sim):
    """QA fix: at the book's 660 px column the bucket rows were 218 px wide, so a 3-key chain
    showed as '+ ord…', 'order…', '+1' with values cut to 'v6…'."""
    page = open_sim(SIM)
    page.set_viewport_size({"width": 660, "height": 442})
    widths = page.evaluate(
        """async () => {
            const { computeLayout } = await import('./hash-table-layout.js');
            const L = computeLayout(660, 300, { size: 8, expanded: 1 });
            return { buckets: L.buckets.w, box: L.box.w, right: L.buckets.x + L.buckets.w };
        }"""
    )
    assert widths["buckets"] >= 320 and widths["box"] >= 280 and widths["right"] <= 660
    page.get_by_label("Enter key").fill("order:9001")
    page.get_by_role("button", name="Hash", exact=True).click()
    wait_key(page, "order:9001")
    page.get_by_role("button", name="Show Collision").click()
    page.wait_for_function("window.microsim.state().collision !== null")
    state = sim_step(page, 1)
    chain = state["buckets"][state["last"]["bucket"]]
    assert len(chain) == 3 and state["animating"] is False
    assert page.evaluate("document.documentElement.dataset.simState") == "ready"


def test_collision_tooltip_is_never_cut_on_a_phone(open_sim):
    """QA fix: at 375 px the tooltip box held 3 lines and showed 'chaining st…'."""
    page = open_sim(SIM)
    result = page.evaluate(
        """async (tooltip) => {
            const view = await import('./hash-table-view.js');
            const { computeLayout, MIN_WIDTH } = await import('./hash-table-layout.js');
            const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = '16px sans-serif';
            const p = {textWidth: (s) => ctx.measureText(String(s)).width, push() {}, pop() {},
                       textSize() {}, textStyle() {}, BOLD: 'bold'};
            return [MIN_WIDTH, 660, 780].map((w) => {
                const L = computeLayout(w, 220, { size: 8, expanded: 1 });
                return view.tooltipLines(p, tooltip, L.box.w).join(' ');
            });
        }""",
        TOOLTIP,
    )
    assert result == [TOOLTIP] * 3


# ---- phone widths: the stacked layout (below 440 px nothing is scaled) ----------------------

PHONE = {"width": 375, "height": 800}


def view_info(page) -> dict:
    """What the view drew last (sim.viewInfo: scale, smallest text, every text with its box)."""
    return page.evaluate(
        """() => { const v = window.microsim._sim.viewInfo;
                   return {scale: v.scale, minTextPx: v.minTextPx, texts: v.texts,
                           layout: v.layout, width: window.microsim._sim.width,
                           height: window.microsim._sim.height}; }"""
    )


def settle_phone(page) -> dict:
    """Finish the animation, then wait until the page is laid out for the phone picture."""
    sim_step(page, 1)
    page.wait_for_function(
        """() => { const s = window.microsim._sim, v = s.viewInfo;
                   return s.width === 375 && v && v.layout.narrow && s.height >= v.layout.needed
                          && !window.microsim.state().animating; }"""
    )
    return view_info(page)


def texts_in(info: dict, rect: dict) -> list[str]:
    """The texts drawn wholly inside `rect` (x, y, w, h in canvas px)."""
    return [
        t["text"]
        for t in info["texts"]
        if rect["x"] <= t["x"]
        and t["x"] + t["w"] <= rect["x"] + rect["w"] + 0.5
        and rect["y"] <= t["y"] <= rect["y"] + rect["h"]
    ]


def assert_all_text_readable_and_inside(page, info: dict) -> None:
    assert info["scale"] == 1
    assert info["minTextPx"] >= 16
    assert all(t["size"] >= 16 for t in info["texts"])
    for t in info["texts"]:  # nothing drawn past the canvas edges (cut off for the reader)
        assert t["x"] >= 0 and t["x"] + t["w"] <= info["width"] + 0.5, t
        assert 0 <= t["y"] <= info["height"], t
    assert horizontal_overflow(page) == 0


def test_phone_layout_draws_16px_text_unscaled_and_whole_keys(open_sim):
    """At 375 px the picture was laid out at 440 px and scaled to 0.85: 13.6 px text and keys
    cut to 'con…me' in the bucket rows. Now it is stacked at scale 1 and the page grows."""
    page = open_sim(SIM)
    page.set_viewport_size(PHONE)
    page.get_by_label("Enter key").fill("user:42")
    page.get_by_role("button", name="Hash", exact=True).click()
    page.wait_for_function("window.microsim.state().event === 'hash'")
    info = settle_phone(page)
    assert_all_text_readable_and_inside(page, info)
    # the page grew past the 440 px the iframe has by default, so nothing is squeezed
    assert page.evaluate("document.documentElement.scrollHeight") > 440 + 2
    state = sim_state(page)
    rows = info["layout"]["buckets"]["rows"]
    # the looked-up key, whole, in its bucket row; and the two-key chain of bucket 0 too
    bucket = state["last"]["bucket"]
    assert "user:42" in texts_in(info, rows[bucket])
    assert f"\u25b6{bucket}" in texts_in(info, rows[bucket])  # the marker, not colour alone
    chain0 = [entry["key"] for entry in state["buckets"][0]]
    assert chain0 == ["config:theme", "product:1001"]
    assert set(chain0) <= set(texts_in(info, rows[0]))
    # the box, the formula and the stats are drawn whole as well
    drawn = [t["text"] for t in info["texts"]]
    assert 'hash("user:42") mod 8 = 2' in drawn
    assert not any(t.endswith("\u2026") for t in drawn)

    # a collision: both keys of the chain whole in the row, the tooltip whole under the rows
    page.get_by_role("button", name="Show Collision", exact=True).click()
    page.wait_for_function("window.microsim.state().collision !== null")
    info = settle_phone(page)
    assert_all_text_readable_and_inside(page, info)
    state = sim_state(page)
    collision = state["collision"]
    row = info["layout"]["buckets"]["rows"][collision["bucket"]]
    assert {"user:42", collision["newKey"]} <= set(texts_in(info, row))
    tooltip = info["layout"]["tooltip"]
    assert tooltip["y"] >= row["y"] + row["h"]  # stacked under the rows
    assert " ".join(texts_in(info, tooltip)) == TOOLTIP


def test_phone_layout_with_16_buckets_shows_every_bucket(open_sim):
    page = open_sim(SIM)
    page.set_viewport_size(PHONE)
    info = settle_phone(page)
    height_at_8 = info["height"]
    slider = page.get_by_role("slider", name="Table size")
    slider.focus()
    page.keyboard.press("End")
    page.wait_for_function("window.microsim.state().tableSize === 16")
    info = settle_phone(page)
    assert_all_text_readable_and_inside(page, info)
    rows = info["layout"]["buckets"]["rows"]
    assert len(rows) == 16
    state = sim_state(page)
    last = state["last"]["bucket"]
    for index, row in enumerate(rows):  # every bucket number, in its own row, at 16 px
        number = f"\u25b6{index}" if index == last else str(index)
        assert number in texts_in(info, row), index
    # the looked-up key's chain is drawn whole in the full-width strip under the two columns
    strip = info["layout"]["buckets"]["strip"]
    assert strip is not None and state["last"]["key"] in texts_in(info, strip)
    # and back to 8 buckets: the canvas shrinks again once the keys have moved
    page.keyboard.press("Home")
    page.wait_for_function("window.microsim.state().tableSize === 4")
    info = settle_phone(page)
    assert_all_text_readable_and_inside(page, info)
    assert info["height"] < height_at_8


def test_phone_layout_animates_the_arrow_down_to_the_row(open_sim):
    """The stages still play at 375 px: during the lookup the box fills and the arrow grows
    from the box down to the bucket row; the picture stays at 16 px throughout."""
    page = open_sim(SIM)
    page.set_viewport_size(PHONE)
    settle_phone(page)
    page.get_by_label("Enter key").fill("order:9001")
    page.get_by_role("button", name="Hash", exact=True).click()
    seen = page.evaluate(
        """async () => {
            const s = window.microsim._sim;
            const canvas = document.querySelector('canvas');
            const d = canvas.width / s.width;
            const gutterPixel = (v) => {  // half way down the gutter, between box and row
                const L = v.layout, row = L.buckets.rows[window.microsim.state().last.bucket];
                const y = (L.box.y + L.box.h + row.y + row.h / 2) / 2;
                const px = canvas.getContext('2d').getImageData(Math.round(L.gutter.x0 * d),
                                                               Math.round(y * d), 1, 1).data;
                return Array.from(px.slice(0, 3));
            };
            const out = [];
            while (!window.microsim.state() || window.microsim.state().last.key !== 'order:9001'
                   || !window.microsim.state().animating) await new Promise(r => setTimeout(r, 10));
            while (window.microsim.state().animating) {
                const v = s.viewInfo;
                out.push({min: v.minTextPx, scale: v.scale, texts: v.texts.map(t => t.text),
                          gutter: gutterPixel(v)});
                await new Promise(r => setTimeout(r, 40));
            }
            const hex = (c) => [1, 3, 5].map(i => parseInt(c.slice(i, i + 2), 16));
            return {frames: out, bg: hex(s.colors.bg), accent: hex(s.colors.accent),
                    end: gutterPixel(s.viewInfo)};
        }"""
    )
    frames = seen["frames"]
    assert len(frames) > 10
    assert all(frame["min"] >= 16 and frame["scale"] == 1 for frame in frames)
    assert any("waiting for the key\u2026" in frame["texts"] for frame in frames)
    assert any(any(t.startswith("xor ") for t in frame["texts"]) for frame in frames)
    assert 'hash("order:9001") mod 8 = 1' in frames[-1]["texts"]
    # the gutter between the box and the row: empty at first, the accent-coloured arrow at the end
    assert frames[0]["gutter"] == seen["bg"]
    assert all(abs(a - b) <= 8 for a, b in zip(seen["end"], seen["accent"], strict=True))


# ---- the learner's path: the looked-up chain whole, the result when the animation reaches it

TEXTS = """() => window.microsim._sim.viewInfo.texts.map(t => t.text)"""


def settled(page) -> dict:
    """The state once the drawing has caught up (the kit's animation timeline is over)."""
    page.wait_for_function("() => !window.microsim._sim.animating", timeout=15_000)
    page.wait_for_function(
        """() => { const s = window.microsim._sim, v = s.viewInfo;
                   return v && (!v.layout.narrow || s.height >= v.layout.needed); }"""
    )
    page.wait_for_timeout(150)  # a relayout the last frame asked for
    page.evaluate("() => window.microsim._sim.p5.redraw()")
    return sim_state(page)


@pytest.mark.parametrize("width", [760, 660, 390])
def test_the_looked_up_chain_is_readable_at_4_buckets(open_sim, width):
    page = open_sim(SIM, "size=4")
    page.set_viewport_size({"width": width, "height": 800})
    page.wait_for_function("w => window.microsim._sim.width <= w", arg=width)
    collide = page.get_by_role("button", name="Show Collision", exact=True)
    collide.focus()
    longest = 0
    for _ in range(4):  # the chain grows to five or more keys
        action = sim_state(page)["action"]
        page.keyboard.press("Enter")
        page.wait_for_function("a => window.microsim.state().action > a", arg=action)
        state = settled(page)
        chain = state["buckets"][state["last"]["bucket"]]
        longest = max(longest, len(chain))
        texts = page.evaluate(TEXTS)
        for entry in chain:
            assert entry["key"] in texts, (entry["key"], texts)  # the key whole
            assert any(t.startswith(f"= {entry['value']}") for t in texts), (entry, texts)
        # no shortened copy of a chain key either ("us…4"); other buckets may shorten theirs
        for text in (t for t in texts if "\u2026" in t):
            head, tail = text.split("\u2026", 1)
            assert not any(e["key"].startswith(head) and e["key"].endswith(tail) for e in chain), (
                text
            )
    assert longest >= 5
    assert axe_violations(page) == []


def test_result_waits_for_the_animation_to_reach_the_bucket(open_sim):
    page = open_sim(SIM)
    page.set_viewport_size({"width": 760, "height": 440})
    before = sim_state(page)
    # record, frame by frame, the narration and whether the new key is drawn yet
    page.evaluate(
        """() => {
            window.__frames = [];
            const sim = window.microsim._sim;
            const tick = () => {
                const v = sim.viewInfo, s = sim.state;
                if (s && s.collision) {
                    window.__frames.push({
                        animating: Boolean(window.microsim.state().animating),
                        narration: document.querySelector('.ms-narration').textContent,
                        // texts drawn in the bucket rows (right of the hash box)
                        drawn: v.texts.filter(t => t.x >= v.layout.buckets.x).map(t => t.text),
                        all: v.texts.map(t => t.text),
                    });
                }
                if (!window.__stopFrames) requestAnimationFrame(tick);
            };
            requestAnimationFrame(tick);
        }"""
    )
    page.get_by_role("button", name="Show Collision", exact=True).click()
    page.wait_for_function("() => window.microsim.state().collision !== null")
    state = settled(page)
    page.evaluate("() => { window.__stopFrames = true; }")
    frames = page.evaluate("window.__frames")
    new_key = state["collision"]["newKey"]
    result = state["narration"]
    assert "also lands in bucket" in result
    early = [f for f in frames if f["animating"]]
    assert len(early) >= 3, len(early)
    first = early[0]
    # while the key is still on its way: no result announced, the key not yet in its bucket,
    # and the statistics still count the keys stored before it
    assert first["narration"] != result and "enters" in first["narration"]
    assert new_key not in first["drawn"]
    keys_before = f"{before['stats']['used']} keys"
    assert any(keys_before in t for t in first["all"]), first["all"]
    # at the end: the result, the key and the new count
    assert page.locator(".ms-narration").inner_text() == result
    drawn = page.evaluate(TEXTS)
    assert new_key in drawn
    assert any(f"{state['stats']['used']} keys" in t for t in drawn)


def test_reduced_motion_announces_the_result_at_once(open_sim, sim_context):
    page = open_sim(SIM)
    page.emulate_media(reduced_motion="reduce")
    page.wait_for_function("() => window.microsim._sim.reducedMotion === true")
    page.get_by_role("button", name="Show Collision", exact=True).click()
    page.wait_for_function("() => window.microsim.state().collision !== null")
    assert "also lands in bucket" in page.locator(".ms-narration").inner_text()


def test_back_and_step_walk_the_stages_and_back_restores_the_stage(open_sim):
    page = open_sim(SIM)
    page.get_by_role("button", name="Show Collision", exact=True).click()
    page.wait_for_function("() => window.microsim.state().collision !== null")
    settled(page)
    step = page.get_by_role("button", name="Step", exact=True)
    back = page.get_by_role("button", name="Back", exact=True)
    step.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.microsim.state().stage === 1")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.microsim.state().stage === 2")
    at_two = settled(page)
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.microsim.state().stage === 3")
    back.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.microsim.state().stage === 2")
    again = settled(page)
    for key in ("stage", "narration", "buckets", "last", "stats", "stepMode"):
        assert again[key] == at_two[key], key
