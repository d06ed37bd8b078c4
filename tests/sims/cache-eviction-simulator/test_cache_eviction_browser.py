"""The cache-eviction-simulator page in Chromium, driven through its accessible controls.

Every eviction the page reports is checked against a reference cache written here from the
textbook definitions (exact LRU, exact LFU with LRU tie-break, nearest TTL), independent of
kvengine and of the controller.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.browser.helpers import (
    axe_violations,
    horizontal_overflow,
    sim_call,
    sim_state,
    sim_step,
)

SIM = "cache-eviction-simulator"
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT = ROOT / "sims" / SIM / f"{SIM}.png"
SEQUENCE = "A B A C A D A E B F G B H C G D B E H C".split()
TTLS = {"A": 120, "B": 90, "C": 40, "D": 50, "E": 60, "F": 70, "G": 48, "H": 80}


def reference(policy: str, capacity: int = 6) -> list[tuple[str, bool, str | None]]:
    """(key, hit, evicted) per step of a textbook cache-aside cache, one access per second."""
    now, cache, out = 0, {}, []
    for key in SEQUENCE:
        now += 1
        if key in cache:
            cache[key]["last"] = now
            cache[key]["uses"] += 1
            out.append((key, True, None))
            continue
        victim = None
        if len(cache) >= capacity:
            rank = {
                "lru": lambda k: cache[k]["last"],
                "lfu": lambda k: (cache[k]["uses"], cache[k]["last"]),
                "ttl": lambda k: (cache[k]["expires"], cache[k]["last"]),
            }[policy]
            victim = min(cache, key=rank)
            del cache[victim]
        cache[key] = {"last": now, "uses": 1, "expires": now + TTLS[key]}
        out.append((key, False, victim))
    return out


def wait_step(page, step: int) -> dict:
    page.wait_for_function("s => window.microsim.state().step === s", arg=step, timeout=10_000)
    return sim_state(page)


def log_tuples(state: dict) -> list[tuple[str, bool, str | None]]:
    return [(e["key"], e["hit"], e["evicted"]) for e in state["log"]]


def test_each_policy_matches_the_reference_and_the_a_claim(open_sim):
    page = open_sim(SIM)
    policy = page.get_by_label("Policy", exact=True)
    next_access = page.get_by_role("button", name="Next Access")
    for value, label in [("lru", "LRU"), ("lfu", "LFU"), ("ttl", "TTL-based")]:
        policy.select_option(value)
        page.wait_for_function("p => window.microsim.state().policy === p", arg=label)
        assert sim_state(page)["step"] == 0
        for step in range(1, 21):
            before = sim_state(page)
            next_access.click()
            after = wait_step(page, step)
            entry = after["log"][-1]
            if entry["evicted"]:  # the red-bordered bottom slot was the one to go
                assert before["slots"][-1]["nextEvict"] is True
                assert before["slots"][-1]["key"] == before["nextEvict"] == entry["evicted"]
        state = sim_state(page)
        assert log_tuples(state) == reference(value), value
        assert state["hits"] == sum(hit for _, hit, _ in reference(value))
        if value == "lru":
            evicted = [e["evicted"] for e in state["log"]]
            assert "A" in evicted and evicted.index("A") < 19  # LRU drops A before the end
        if value == "lfu":
            assert "A" not in [e["evicted"] for e in state["log"]]  # LFU keeps A
            assert "A" in [s["key"] for s in state["slots"]]
    # Random: seeded, and every victim was the bottom slot a moment before
    policy.select_option("random")
    page.wait_for_function("() => window.microsim.state().policy === 'Random'")
    for step in range(1, 21):
        before = sim_state(page)
        after = sim_step(page, 1)
        assert after["step"] == step
        evicted = after["log"][-1]["evicted"]
        if evicted:
            assert evicted == before["nextEvict"] == before["slots"][-1]["key"]
    # the statistics panel's numbers are the engine's
    text = page.locator("canvas").get_attribute("aria-label")
    assert f"Hit rate {after['hitRate']:g}%" in text or f"Hit rate {after['hitRate']}%" in text


def test_full_sequence_plays_at_two_steps_a_second_pauses_and_compares(open_sim):
    page = open_sim(SIM)
    full = page.get_by_role("button", name="Full Sequence")
    next_access = page.get_by_role("button", name="Next Access")
    assert full.get_attribute("aria-pressed") == "false"
    full.click()
    page.wait_for_function("() => window.microsim.state().running === true")
    assert full.get_attribute("aria-pressed") == "true"
    page.wait_for_function("() => window.microsim.state().step >= 3", timeout=10_000)
    for _ in range(4):
        next_access.click()  # ignored while running: never a double step
    full.click()  # pause
    page.wait_for_function("() => window.microsim.state().running === false")
    paused = sim_state(page)["step"]
    page.wait_for_timeout(1200)
    assert sim_state(page)["step"] == paused
    assert full.get_attribute("aria-pressed") == "false"
    full.click()  # resume
    started = time.monotonic()
    page.wait_for_function("() => window.microsim.state().finished === true", timeout=30_000)
    elapsed = time.monotonic() - started
    remaining = 20 - paused
    assert 0.8 * remaining * 0.5 <= elapsed <= remaining * 0.5 + 3.0, (remaining, elapsed)
    state = sim_state(page)
    assert [e["step"] for e in state["log"]] == list(range(1, 21))
    assert log_tuples(state) == reference("lru")
    page.wait_for_function("() => window.microsim.state().running === false")
    assert full.get_attribute("aria-pressed") == "false"
    rows = {row["policy"]: row for row in state["comparison"]}
    assert list(rows) == ["LRU", "LFU", "Random", "TTL-based"]
    for policy, label in [("lru", "LRU"), ("lfu", "LFU"), ("ttl", "TTL-based")]:
        assert rows[label]["hits"] == sum(hit for _, hit, _ in reference(policy))
    # a whole run from the start takes 20 ticks of 500 ms: about 10 s
    assert state["stepMs"] == 1000 and len(state["sequence"]) == 20


def test_keyboard_only_prediction_policy_and_custom_sequence(open_sim):
    page = open_sim(SIM)
    page.locator("body").focus()
    page.keyboard.press("Tab")  # Policy
    assert page.evaluate("document.activeElement.tagName") == "SELECT"
    page.keyboard.press("ArrowDown")  # LRU -> LFU
    page.wait_for_function("() => window.microsim.state().policy === 'LFU'")
    page.keyboard.press("Tab")  # Next Access
    for step in range(1, 11):
        page.keyboard.press("Enter" if step % 2 else "Space")
        wait_step(page, step)
    state = sim_state(page)
    assert state["nextEvict"] == "C"
    # predict with the keyboard: Tab to "Predict next eviction" and pick the bottom slot's key
    page.get_by_label("Predict next eviction", exact=True).focus()
    keys = [s["key"] for s in state["slots"]]
    for _ in range(keys.index("C") + 1):
        page.keyboard.press("ArrowDown")
    page.wait_for_function("() => window.microsim.state().prediction === 'C'")
    page.get_by_role("button", name="Next Access").focus()
    page.keyboard.press("Enter")
    state = wait_step(page, 11)
    assert state["score"] == {"correct": 1, "total": 1}
    assert "right" in page.locator(".ms-narration").inner_text()
    # a click on the bottom slot of the canvas is a prediction too
    box = page.locator("canvas").bounding_box()
    height = box["height"]
    pitch = (height - 16 - 48 - 6) / state["capacity"]
    page.mouse.click(box["x"] + 120, box["y"] + 8 + 48 + (state["capacity"] - 0.5) * pitch)
    page.wait_for_function("k => window.microsim.state().prediction === k", arg=state["nextEvict"])
    # "More settings": open with the keyboard, type a sequence, Enter
    page.get_by_text("More settings").focus()
    page.keyboard.press("Enter")
    field = page.get_by_label("Custom sequence", exact=True)
    field.focus()
    page.keyboard.type("x y x z w")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.microsim.state().total === 5")
    assert "restarted" in page.locator(".ms-notice").inner_text()  # mid-run change: notice
    capacity = page.get_by_label("Capacity", exact=True)
    capacity.focus()
    for _ in range(3):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => window.microsim.state().capacity === 3")
    page.get_by_role("button", name="Next Access").focus()
    for step in range(1, 6):
        page.keyboard.press("Enter")
        wait_step(page, step)
    assert [e["evicted"] for e in sim_state(page)["log"]] == [None, None, None, None, "y"]
    # the Redis approximation checkbox toggles with Space
    page.get_by_label("Redis approximation", exact=True).focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => window.microsim.state().mode === 'redis'")


def test_axe_clean_in_light_and_dark_and_url_parameters_apply(open_sim):
    page = open_sim(SIM, "theme=light")
    sim_step(page, 13)
    assert axe_violations(page) == []
    page = open_sim(SIM, "theme=dark&policy=ttl&capacity=3&sequence=p%20q%20p%20r%20s@9")
    state = sim_step(page, 5)
    assert (state["policy"], state["capacity"], state["total"]) == ("TTL-based", 3, 5)
    assert state["sequence"][4] == {"op": "GET", "key": "s", "ttl": 9}
    # TTL-based: p (60 s, set at t=1 s) expires first; reading p at t=3 s does not extend it
    assert [e["evicted"] for e in state["log"]] == [None, None, None, None, "p"]
    assert page.get_by_label("Policy", exact=True).input_value() == "ttl"
    assert axe_violations(page) == []


def test_bad_parameters_show_a_notice_and_use_defaults(open_sim):
    page = open_sim(SIM, "policy=fifo&capacity=99&seed=abc&sequence=A%20%3Cb%3E&mode=fast")
    notice = page.locator(".ms-notice")
    page.wait_for_function("() => document.querySelector('.ms-notice').textContent.length > 0")
    state = sim_state(page)
    assert (state["policy"], state["capacity"], state["seed"]) == ("LRU", 6, 1)
    assert state["sequenceText"] == " ".join(SEQUENCE)
    assert notice.is_visible()
    text = page.evaluate("document.querySelector('.ms-notice').textContent")
    assert "policy" in text or "capacity" in text
    assert sim_step(page, 20)["step"] == 20  # still works
    # a bad custom sequence typed in: a notice, the run is untouched
    page.get_by_text("More settings").click()
    page.get_by_label("Custom sequence", exact=True).fill("A <script>")
    page.get_by_label("Custom sequence", exact=True).press("Enter")
    page.wait_for_function(
        "() => document.querySelector('.ms-notice').textContent.includes('is not a key')"
    )
    assert sim_state(page)["step"] == 20


def test_resize_mid_run_keeps_the_state(open_sim):
    page = open_sim(SIM, "policy=lfu")
    page.set_viewport_size({"width": 780, "height": 482})
    before = sim_step(page, 8)
    page.set_viewport_size({"width": 420, "height": 700})
    page.wait_for_function("() => document.querySelector('canvas').width <= 420 * devicePixelRatio")
    assert sim_state(page)["log"] == before["log"]
    after = sim_step(page, 12)
    assert log_tuples(after) == reference("lfu")
    page.set_viewport_size({"width": 780, "height": 482})
    page.wait_for_function("() => document.querySelector('canvas').clientWidth >= 700")
    assert page.evaluate("document.documentElement.dataset.simState") == "ready"
    # with reduced motion a step shows at once: no eviction flash, no slide-in
    page.emulate_media(reduced_motion="reduce")
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("() => window.microsim.state().step === 0")
    sim_step(page, 10)
    page.get_by_role("button", name="Next Access").click()
    wait_step(page, 11)
    assert sim_state(page)["animating"] is False
    assert sim_state(page)["log"][-1]["evicted"] == "C"


def test_redis_approximation_shows_a_sampling_miss(open_sim):
    page = open_sim(SIM, "mode=redis&seed=10")
    assert page.get_by_label("Redis approximation", exact=True).is_checked()
    before = sim_step(page, 10)
    oldest = max(before["slots"], key=lambda s: s["idle"])["key"]
    state = sim_step(page, 1)
    entry = state["log"][-1]
    assert entry["evicted"] == before["nextEvict"] != oldest
    assert entry["sampled"] == 5
    assert oldest not in [c["key"] for c in entry["candidates"]]
    narration = page.locator(".ms-narration").inner_text()
    assert f"Exact LRU would have evicted {oldest} (it was not sampled)" in narration
    assert state["samples"] == 5 and state["lfuCounter"] == "log"


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot(open_sim, theme):
    # the catalogue's picture (light) and its dark twin, <id>-dark.png, in the same state
    shot = SCREENSHOT if theme == "light" else SCREENSHOT.with_name(f"{SIM}-dark.png")
    page = open_sim(SIM, f"theme={theme}")
    page.set_viewport_size({"width": 780, "height": 482})
    page.wait_for_function("() => document.querySelector('canvas').clientWidth === 780")
    state = sim_step(page, 13)  # cache full, A idle longest: LRU is about to drop it
    assert state["nextEvict"] == "A"
    page.get_by_label("Predict next eviction", exact=True).select_option("A")
    page.wait_for_function("() => window.microsim.state().prediction === 'A'")
    page.wait_for_timeout(200)
    page.locator("#microsim").screenshot(path=str(shot), animations="disabled")
    assert shot.stat().st_size > 10_000


# ---------------------------------------------------------------- QA pass: what the canvas says
RECORD_TEXT = """() => {
  if (!window.__drawnText) {
    const fillText = CanvasRenderingContext2D.prototype.fillText;
    CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
      window.__drawnText.push(String(text));
      return fillText.call(this, text, ...rest);
    };
  }
  window.__drawnText = [];
}"""


def drawn_after(page, action) -> list[str]:
    """Every text the canvas draws from when `action(page)` runs until its frame has settled."""
    page.evaluate(RECORD_TEXT)
    state = action(page)
    page.wait_for_function(
        "s => window.__drawnText.some(t => t.startsWith(`step ${s}/`) || t.includes(`${s}/20`))",
        arg=state["step"],
    )
    page.wait_for_timeout(700)  # past the 440 ms step animation
    return page.evaluate("window.__drawnText")


def test_book_column_shows_whole_statistics_and_value_previews(open_sim):
    """At the book's 660 px column the statistics used to end in "…" ("Hit rate 36.4% (4 o…")."""
    page = open_sim(SIM, "policy=ttl&theme=dark")
    page.set_viewport_size({"width": 660, "height": 482})
    page.wait_for_function("() => document.querySelector('canvas').clientWidth <= 660")
    texts = drawn_after(page, lambda pg: sim_step(pg, 11))
    state = sim_state(page)
    assert not [t for t in texts if "…" in t], [t for t in texts if "…" in t]
    assert any(t.startswith(f"Hit rate {state['hitRate']:g}%") for t in texts), texts
    assert any(t.startswith(f"Evictions {state['evictions']} ·") for t in texts)
    # each slot keeps its value preview even when the slots are one line tall
    for slot in state["slots"]:
        assert slot["value"] in texts, (slot["value"], texts)


def test_redis_mode_under_lru_counts_uses_instead_of_a_null_counter(open_sim):
    """Redis keeps no LFU counter under allkeys-lru: the slots said "counter null"."""
    page = open_sim(SIM, "mode=redis&policy=lru&capacity=3")
    texts = drawn_after(page, lambda pg: sim_step(pg, 11))
    assert not [t for t in texts if "null" in t or "undefined" in t]
    assert any(t in ("1 use", "2 uses") for t in texts), texts
    # under LFU the Redis counter is what the slot shows
    page.get_by_label("Policy", exact=True).select_option("lfu")
    page.wait_for_function("() => window.microsim.state().policy === 'LFU'")
    texts = drawn_after(page, lambda pg: sim_step(pg, 11))
    assert any(t.startswith("counter ") and "null" not in t for t in texts), texts


def test_phone_header_keeps_hit_rate_and_the_next_access(open_sim):
    page = open_sim(SIM, "policy=lfu")
    page.set_viewport_size({"width": 375, "height": 482})
    page.wait_for_function("() => document.querySelector('canvas').clientWidth <= 375")
    texts = drawn_after(page, lambda pg: sim_step(pg, 11))
    state = sim_state(page)
    header = [t for t in texts if t.startswith("Hit") and f"GET {state['upcoming']['key']}" in t]
    assert header and "…" not in header[0], texts
    assert f"{state['hitRate']:g}%" in header[0]


def test_prediction_list_says_when_the_sequence_is_finished(open_sim):
    page = open_sim(SIM)
    predict = page.get_by_label("Predict next eviction", exact=True)
    sim_step(page, 20)
    page.wait_for_function(
        "el => el.options[0].text === 'sequence finished'", arg=predict.element_handle()
    )
    assert predict.locator("option").all_inner_texts() == ["sequence finished"]
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "el => el.options[0].text === 'no keys yet'", arg=predict.element_handle()
    )
    sim_step(page, 1)
    page.wait_for_function("el => el.options.length === 2", arg=predict.element_handle())
    assert predict.locator("option").all_inner_texts() == ["choose a key", "A"]


def test_ten_slots_in_a_short_canvas_stay_one_readable_line_each(open_sim):
    """In a short canvas ten slots used to be 8 px tall, their 16 px text running over each
    other. They now take two columns when one is too tight. (Opening "More settings" made the
    canvas that short; it now keeps the canvas height, so the layout is asked for 250 px.)"""
    page = open_sim(SIM, "capacity=10&policy=lfu")
    page.set_viewport_size({"width": 780, "height": 482})
    state = sim_step(page, 12)
    slot_rects = """async ([capacity, height]) => {
          const view = await import("./cache-view.js");
          const c = document.querySelector("canvas");
          const g = view.layout(c.clientWidth, height || c.clientHeight);
          return Array.from({ length: capacity }, (_, i) => view.slotRect(g.cache, capacity, i));
        }"""
    short = page.evaluate(slot_rects, [state["capacity"], 250])
    assert len({r["x"] for r in short}) == 2  # two columns
    rects = page.evaluate(slot_rects, [state["capacity"], 0])
    for rect_list in (short, rects):
        assert_apart_and_readable(rect_list)
    # a click on a slot still predicts that slot's key (the click map follows the layout)
    box = page.locator("canvas").bounding_box()
    last = rects[len(state["slots"]) - 1]
    page.mouse.click(box["x"] + last["x"] + last["w"] / 2, box["y"] + last["y"] + last["h"] / 2)
    page.wait_for_function(
        "k => window.microsim.state().prediction === k", arg=state["slots"][-1]["key"]
    )


def assert_apart_and_readable(rects: list[dict]) -> None:
    assert len(rects) == 10
    for i, a in enumerate(rects):
        assert a["h"] >= 18, a  # room for one 16 px line
        for b in rects[i + 1 :]:
            apart = (
                a["x"] + a["w"] <= b["x"]
                or b["x"] + b["w"] <= a["x"]
                or a["y"] + a["h"] <= b["y"]
                or b["y"] + b["h"] <= a["y"]
            )
            assert apart, (a, b)


def test_restart_notice_follows_the_capacity_set_by_arrow_keys(open_sim):
    """Arrow keys on Capacity send one change per press: the notice used to stay at the first
    value ("Capacity set to 7 slots; the run restarted") while the slider showed 9."""
    page = open_sim(SIM)
    sim_step(page, 5)
    page.get_by_text("More settings").click()
    capacity = page.get_by_label("Capacity", exact=True)
    capacity.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.microsim.state().capacity === 9")
    page.wait_for_function(
        "() => document.querySelector('.ms-notice').textContent.trim()"
        ".endsWith('Capacity set to 9 slots; the run restarted from step 0.')"
    )


# ---- phones: the statistics and the access log stacked under the cache ------------------------

# What the canvas draws on a fresh redraw (fillText calls) with the font size and the drawing
# scale at each call, and the view's own record of its panels and log lines (sim.viewInfo: a
# view fact, not simulation state).
PHONE_DRAWN = """async () => {
    if (!window.__phoneDrawn) {
        window.__phoneDrawn = [];
        const fillText = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
            const m = this.getTransform();
            window.__phoneDrawn.push({ text: String(text), font: this.font,
                                       scale: Math.min(Math.abs(m.a), Math.abs(m.d)) });
            return fillText.call(this, text, ...rest);
        };
    }
    window.__phoneDrawn.length = 0;
    const p = window.microsim._sim.p5;
    await p.redraw();
    const c = document.querySelector("canvas");
    return { drawn: window.__phoneDrawn.slice(), info: window.microsim._sim.viewInfo ?? null,
             density: p.pixelDensity(), width: p.width, height: p.height,
             cssWidth: c.getBoundingClientRect().width,
             cssHeight: c.getBoundingClientRect().height };
}"""


def phone_page(open_sim, query: str, width: int):
    page = open_sim(SIM, query)
    page.set_viewport_size({"width": width, "height": 700})
    page.wait_for_function("w => document.querySelector('canvas').clientWidth <= w", arg=width)
    return page


def settled_phone_drawing(page, state: dict) -> dict:
    """The drawing once the page has been laid out for `state` (the log shows its last step)."""
    head = f"{state['step']}. GET {state['log'][-1]['key']}" if state["log"] else "No accesses"
    page.wait_for_function(
        """h => { const i = window.microsim._sim.viewInfo;
                 return Boolean(i && i.logLines && i.logLines.some(l => l.startsWith(h))); }""",
        arg=head,
        timeout=10_000,
    )
    page.wait_for_timeout(100)  # a relayout the last frame asked for
    return page.evaluate(PHONE_DRAWN)


def assert_readable_phone_log(page, got: dict, state: dict) -> None:
    info = got["info"]
    texts = [d["text"] for d in got["drawn"]]
    # (1) the statistics and the log are drawn, stacked under the cache, inside the canvas
    assert info and info["panels"] == ["cache", "stats", "log"], info
    rects = info["rects"]
    assert rects["cache"]["y"] + rects["cache"]["h"] <= rects["stats"]["y"], rects
    assert rects["stats"]["y"] + rects["stats"]["h"] <= rects["log"]["y"], rects
    for name, r in rects.items():
        assert r["x"] >= 0 and r["x"] + r["w"] <= got["width"], (name, r, got["width"])
        assert r["y"] >= 0 and r["y"] + r["h"] <= got["height"], (name, r, got["height"])
    assert any(t.startswith(f"Hit rate {state['hitRate']:g}%") for t in texts), texts
    assert any(t.startswith(f"Evictions {state['evictions']} ·") for t in texts), texts
    lines = info["logLines"]
    for entry in state["log"][-4:]:  # at least the last four entries
        assert any(line.startswith(f"{entry['step']}. GET {entry['key']}") for line in lines), (
            entry["step"],
            lines,
        )
    # (2) the last eviction's reason is there whole: wrapped over lines, never cut with "…"
    last = next((e for e in reversed(state["log"]) if e["evicted"]), None)
    if last:
        assert last["reason"] in " ".join(lines), (last["reason"], lines)
    assert not [t for t in texts if "…" in t], [t for t in texts if "…" in t]
    for line in lines:
        assert line in texts  # the view's record is what the canvas drew
    # (3) no text below 16 px, no scaling below 1, the canvas shown at its own size
    for d in got["drawn"]:
        px = float(d["font"].split("px")[0].split()[-1])
        assert px >= 16 and d["scale"] / got["density"] >= 1, d
    assert abs(got["cssWidth"] - got["width"]) < 1 and abs(got["cssHeight"] - got["height"]) < 1
    # (4) no horizontal overflow
    assert horizontal_overflow(page) == 0


@pytest.mark.parametrize("width", [375, 440])
def test_phone_draws_statistics_and_the_log_below_the_cache(open_sim, width):
    """On phones the cache used to take the whole ~240 px canvas: no statistics, no log."""
    page = phone_page(open_sim, "policy=lfu&capacity=4", width)
    state = sim_step(page, 10)
    assert state["log"][-3]["evicted"] and "tie broken" in state["log"][-3]["reason"], state["log"]
    got = settled_phone_drawing(page, state)
    assert_readable_phone_log(page, got, state)
    # the page grows with the capacity (ten slot rows, then the log)
    four = got["height"]
    sim_call(page, "set_capacity", {"capacity": 10})
    state = sim_step(page, 10)
    got = settled_phone_drawing(page, state)
    assert got["height"] >= four + 6 * 30, (four, got["height"])
    assert_readable_phone_log(page, got, state)


def test_phone_log_explains_a_redis_eviction_by_an_out_of_date_pool_score(open_sim):
    page = phone_page(open_sim, "mode=redis&capacity=6&seed=1", 375)
    state = sim_step(page, 18)
    last = state["log"][-1]
    assert last["evicted"] and "out of date" in last["reason"], last
    assert "Exact LRU would have evicted" in last["reason"]
    got = settled_phone_drawing(page, state)
    assert_readable_phone_log(page, got, state)
    lines = got["info"]["logLines"]
    assert any(line.startswith("candidates:") for line in lines), lines


# ---- the learner's path: predictions not given away, Back, More settings, chance ------------

# Every text the canvas draws on a fresh redraw (fillText calls).
LEARN_DRAWN = """async () => {
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


def drawn_now(page) -> list[str]:
    return page.evaluate(LEARN_DRAWN)


def wait_settled_step(page, step: int) -> dict:
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
    texts = drawn_now(page)
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
    texts = drawn_now(page)
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
    assert not any(m in t for t in drawn_now(page) for m in MARKERS)
    # the answer comes with Next Access: A, with its reason, in the log and the narration
    page.get_by_role("button", name="Next Access").focus()
    page.keyboard.press("Enter")
    state = wait_settled_step(page, 14)
    entry = state["log"][-1]
    assert entry["evicted"] == "A" and entry["prediction"] == {"key": "B", "correct": False}
    narration = page.locator(".ms-narration").inner_text()
    assert "evicted A: idle 7 s, the longest" in narration and "wrong, it was A" in narration
    texts = drawn_now(page)
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
        assert any(m in t for t in drawn_now(page) for m in MARKERS)


def test_prediction_mode_from_the_address_hides_the_victim_from_the_start(open_sim):
    page = open_sim(SIM, "predict=on")
    assert page.get_by_label("Prediction mode", exact=True).is_checked()
    state = sim_step(page, 13)
    assert state["predicting"] is True and state["nextEvict"] is None
    assert not any(m in t for t in drawn_now(page) for m in MARKERS)
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
        states.append(wait_settled_step(page, step))
    back.focus()
    for step in range(14, 4, -1):
        page.keyboard.press("Enter")
        got = wait_settled_step(page, step)
        assert same(got, states[step]), step


def test_log_reaches_step_one_after_full_sequence(open_sim):
    page = open_sim(SIM)
    page.get_by_role("button", name="Full Sequence").click()
    page.wait_for_function("() => window.microsim.state().finished === true", timeout=30_000)
    page.wait_for_function("() => window.microsim.state().running === false")
    texts = drawn_now(page)
    assert not any(t.startswith("1. GET A") for t in texts)  # the log shows the latest steps
    page.get_by_role("button", name="Back").focus()
    for step in range(19, 0, -1):
        page.keyboard.press("Enter")
        wait_settled_step(page, step)
    texts = drawn_now(page)
    assert any(t.startswith("1. GET A") for t in texts), texts
    state = sim_state(page)
    assert state["step"] == 1 and state["log"][0]["key"] == "A"
    # at step 0, Step back says so and changes nothing
    page.keyboard.press("Enter")
    wait_settled_step(page, 0)
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
    texts = drawn_now(page)
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
