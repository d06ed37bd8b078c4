"""The hash-table-lookup sim as a learner reads it, in Chromium: the chain of the looked-up
bucket is drawn whole (no key cut to "us…4") at every table size and width, and the result
(the stored key, the statistics, the narration) appears when the animation reaches the bucket,
not before. What the canvas shows is read from the view's record of its texts (sim.viewInfo).
"""

from __future__ import annotations

import pytest

from tests.browser.helpers import axe_violations, sim_state

SIM = "hash-table-lookup"

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
