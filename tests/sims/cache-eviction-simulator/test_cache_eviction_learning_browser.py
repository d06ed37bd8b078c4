"""The eviction sim as a learner uses it, in Chromium: predictions that are not given away,
Step back to any earlier step, the picture kept when "More settings" opens, and Random's
dependence on the seed. Everything is driven through accessible names, by keyboard where the
control allows it; what the canvas shows is read from its fillText calls.
"""

from __future__ import annotations

import json

from tests.browser.helpers import axe_violations, sim_state, sim_step

SIM = "cache-eviction-simulator"

# Every text the canvas draws on a fresh redraw (fillText calls).
DRAWN = """async () => {
    if (!window.__learnDrawn) {
        window.__learnDrawn = [];
        const fillText = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
            window.__learnDrawn.push(String(text));
            return fillText.call(this, text, ...rest);
        };
    }
    window.__learnDrawn.length = 0;
    await window.microsim._sim.p5.redraw();
    return window.__learnDrawn.slice();
}"""

MARKERS = ("▼ next out", "▼ out", "evicts the bottom slot")


def drawn(page) -> list[str]:
    return page.evaluate(DRAWN)


def wait_step(page, step: int) -> dict:
    page.wait_for_function("s => window.microsim.state().step === s", arg=step, timeout=10_000)
    page.wait_for_function("() => !window.microsim.state().animating")
    return sim_state(page)


def same(a: dict, b: dict) -> bool:
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


def test_prediction_mode_draws_no_victim_marker_until_the_answer(open_sim):
    page = open_sim(SIM, "theme=light")
    page.set_viewport_size({"width": 780, "height": 482})
    state = sim_step(page, 13)  # full cache, GET C next is a miss: LRU is about to drop A
    assert state["nextEvict"] == "A" and state["upcoming"]["evicts"]
    texts = drawn(page)
    assert any(m in t for t in texts for m in MARKERS), texts  # default mode: marked
    # prediction mode, switched on with the keyboard (under More settings)
    page.get_by_text("More settings").focus()
    page.keyboard.press("Enter")
    page.get_by_label("Prediction mode", exact=True).focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => window.microsim.state().predicting === true")
    state = sim_state(page)
    assert state["nextEvict"] is None
    assert not any(slot["nextEvict"] for slot in state["slots"])
    keys = [slot["key"] for slot in state["slots"]]
    assert keys == sorted(keys)  # neutral order: by key, not by eviction order
    texts = drawn(page)
    assert not any(m in t for t in texts for m in MARKERS), texts
    assert any("evicts a key: which?" in t for t in texts), texts
    # each key's numbers stay on screen: uses and last use
    assert any("last t=" in t for t in texts) and any(" use" in t for t in texts)
    canvas_label = page.locator("canvas").get_attribute("aria-label")
    assert "next out" not in canvas_label and "Prediction mode" in canvas_label
    # predict B (wrong), by keyboard
    page.get_by_label("Predict next eviction", exact=True).focus()
    for _ in range(keys.index("B") + 1):
        page.keyboard.press("ArrowDown")
    page.wait_for_function("() => window.microsim.state().prediction === 'B'")
    assert not any(m in t for t in drawn(page) for m in MARKERS)
    # the answer comes with Next Access: A, with its reason, in the log and the narration
    page.get_by_role("button", name="Next Access").focus()
    page.keyboard.press("Enter")
    state = wait_step(page, 14)
    entry = state["log"][-1]
    assert entry["evicted"] == "A" and entry["prediction"] == {"key": "B", "correct": False}
    narration = page.locator(".ms-narration").inner_text()
    assert "evicted A: idle 7 s, the longest" in narration and "wrong, it was A" in narration
    texts = drawn(page)
    assert any(t.startswith(f"14. GET {entry['key']}") and "evicted A" in t for t in texts), texts
    assert any("idle 7 s, the longest" in t for t in texts), texts
    assert axe_violations(page) == []
    # prediction mode off: the marker is back
    page.get_by_label("Prediction mode", exact=True).focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => window.microsim.state().predicting === false")
    sim_step(page, 1)  # step 15: full again, the next miss evicts
    state = sim_state(page)
    if state["nextEvict"]:
        assert any(m in t for t in drawn(page) for m in MARKERS)


def test_prediction_mode_from_the_address_hides_the_victim_from_the_start(open_sim):
    page = open_sim(SIM, "predict=on")
    assert page.get_by_label("Prediction mode", exact=True).is_checked()
    state = sim_step(page, 13)
    assert state["predicting"] is True and state["nextEvict"] is None
    assert not any(m in t for t in drawn(page) for m in MARKERS)
    state = sim_step(page, 1)
    assert state["log"][-1]["evicted"] == "A"  # the answer, after the step


def test_step_back_returns_exactly_the_previous_state(open_sim):
    page = open_sim(SIM, "policy=random&seed=7")
    back = page.get_by_role("button", name="Back")
    page.get_by_role("button", name="Next Access").focus()
    states = [sim_state(page)]
    for step in range(1, 16):
        if step == 9:  # a pending prediction is part of the state Step back restores
            key = sim_state(page)["slots"][0]["key"]
            page.get_by_label("Predict next eviction", exact=True).select_option(key)
            page.wait_for_function("k => window.microsim.state().prediction === k", arg=key)
            states[-1] = sim_state(page)
            page.get_by_role("button", name="Next Access").focus()
        page.keyboard.press("Enter")
        states.append(wait_step(page, step))
    back.focus()
    for step in range(14, 4, -1):
        page.keyboard.press("Enter")
        got = wait_step(page, step)
        assert same(got, states[step]), step


def test_log_reaches_step_one_after_full_sequence(open_sim):
    page = open_sim(SIM)
    page.get_by_role("button", name="Full Sequence").click()
    page.wait_for_function("() => window.microsim.state().finished === true", timeout=30_000)
    page.wait_for_function("() => window.microsim.state().running === false")
    texts = drawn(page)
    assert not any(t.startswith("1. GET A") for t in texts)  # the log shows the latest steps
    page.get_by_role("button", name="Back").focus()
    for step in range(19, 0, -1):
        page.keyboard.press("Enter")
        wait_step(page, step)
    texts = drawn(page)
    assert any(t.startswith("1. GET A") for t in texts), texts
    state = sim_state(page)
    assert state["step"] == 1 and state["log"][0]["key"] == "A"
    # at step 0, Step back says so and changes nothing
    page.keyboard.press("Enter")
    wait_step(page, 0)
    page.keyboard.press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.ms-notice').textContent.includes('step 0')"
    )
    assert sim_state(page)["step"] == 0


def test_more_settings_does_not_change_the_canvas_size(open_sim):
    for width in (780, 660, 390):
        page = open_sim(SIM)
        page.set_viewport_size({"width": width, "height": 700})
        page.wait_for_function("w => document.querySelector('canvas').clientWidth <= w", arg=width)
        page.wait_for_timeout(200)
        before = page.locator("canvas").bounding_box()
        page.get_by_text("More settings").focus()
        page.keyboard.press("Enter")
        page.get_by_label("Seed", exact=True).wait_for(state="visible")
        page.wait_for_timeout(300)
        after = page.locator("canvas").bounding_box()
        assert (after["width"], after["height"]) == (before["width"], before["height"]), width
        assert page.get_by_label("Capacity", exact=True).is_visible()
        # closed again: the page gives the controls' room back
        page.keyboard.press("Enter")
        page.wait_for_timeout(300)
        closed = page.locator("canvas").bounding_box()
        assert closed["height"] == before["height"], width


def test_random_says_it_depends_on_the_seed_and_shows_the_spread(open_sim):
    page = open_sim(SIM, "policy=random")
    assert "depend on the seed" in page.locator(".ms-narration").inner_text()
    state = sim_step(page, 20)
    row = next(r for r in state["comparison"] if r["id"] == "random")
    spread = row["spread"]
    assert spread["seeds"] == 200 and spread["low"] <= row["hitRate"] <= spread["high"]
    assert spread["low"] < spread["high"]  # on this sequence Random really varies
    texts = drawn(page)
    assert any(f"{spread['low']:g}–{spread['high']:g}%" in t for t in texts), texts
    assert all(r["spread"] is None for r in state["comparison"] if r["id"] != "random")
    # another seed, by keyboard in More settings: a different run of the same sequence
    rates = {state["hitRate"]}
    page.get_by_text("More settings").focus()
    page.keyboard.press("Enter")
    seed = page.get_by_label("Seed", exact=True)
    seed.focus()
    for n in range(2, 7):
        page.keyboard.press("ArrowRight")
        page.wait_for_function("n => window.microsim.state().seed === n", arg=n)
        rates.add(sim_step(page, 20)["hitRate"])
    assert len(rates) > 1, rates
    narration = page.locator(".ms-narration").inner_text()
    assert "Random depends on the seed" in narration and "Try other seeds" in narration
