"""The cache-failure-modes page in Chromium, driven through its accessible controls.

What a student would notice: the stampede without mitigation peaks at the number of servers and
overloads the database; "Mitigate: Jitter TTL" keeps the peak at 3 or less; the hot key's shard
carries about 80% and is OVERLOADED until "Mitigate: Key Replicas"; every other mitigation fills
its results row with exactly what the scenario model (run here in CPython) reports.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kvengine.scenarios.hotkey import HotKeyModel
from kvengine.scenarios.stampede import StampedeModel
from tests.browser.helpers import (
    axe_violations,
    horizontal_overflow,
    sim_call,
    sim_state,
    sim_step,
)

SIM = "cache-failure-modes"
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT = ROOT / "sims" / SIM / f"{SIM}.png"
STAMPEDE_WINDOW, HOTKEY_WINDOW = 300, 120
HEIGHT = json.loads((ROOT / "sims" / SIM / "sim.json").read_text(encoding="utf-8"))["canvasHeight"]


def wait(page, expression: str, arg=None) -> dict:
    page.wait_for_function(expression, arg=arg, timeout=20_000)
    return sim_state(page)


def pause(page, panel: str, title: str) -> None:
    """Press the panel's Pause button (a Mitigate button starts the re-run playing)."""
    wait(page, "p => window.microsim.state()[p].playing === true", panel)
    page.get_by_role("button", name=f"{title}: Pause").click()
    wait(page, "p => window.microsim.state()[p].playing === false", panel)


def row(state: dict, panel: str, mitigation: str) -> dict:
    return next(r for r in state[panel]["results"] if r["mitigation"] == mitigation)


def canvas_text(page) -> str:
    return page.locator("canvas").get_attribute("aria-label") or ""


def test_stampede_then_jitter_and_hot_key_then_replicas(open_sim):
    page = open_sim(SIM)
    state = sim_state(page)
    assert len(state["stampede"]["servers"]) == 10 and len(state["hotKey"]["shards"]) == 3
    assert not state["stampede"]["playing"] and not state["hotKey"]["playing"]  # start paused

    # The TTL runs out at tick 101: all ten servers miss at once and query the database.
    state = sim_step(page, 101)
    st = state["stampede"]
    assert st["ttlRemaining"] == 0
    assert st["dbLoad"] == 10 and st["dbOverloaded"]
    assert [s["state"] for s in st["servers"]] == ["querying"] * 10
    narration = page.locator(".ms-narration").inner_text()
    assert "TTL expired: 10 of 10 servers miss at once; 10 queries hit the database" in narration
    assert "DB Overload" in canvas_text(page)
    state = sim_step(page, STAMPEDE_WINDOW - 101)
    none = row(state, "stampede", "none")
    assert none["complete"] and none["dbPeak"] == 10 and none["overloaded"]

    # The hot key has been running as long: Shard 1 carries about 80% and is OVERLOADED.
    hk = state["hotKey"]
    hot = hk["shards"][0]
    assert abs(hot["share"] - 0.80) <= 0.03 and hot["overloaded"]
    assert not any(s["overloaded"] for s in hk["shards"][1:])
    assert "Shard 1" in canvas_text(page) and "OVERLOADED" in canvas_text(page)

    page.get_by_role("button", name="Mitigate: Jitter TTL").click()
    state = wait(page, "() => window.microsim.state().stampede.mitigation === 'jitter'")
    assert state["stampede"]["tick"] < 20  # the panel re-ran from the start
    pause(page, "stampede", "Stampede")
    page.get_by_role("button", name="Mitigate: Key Replicas").click()
    wait(page, "() => window.microsim.state().hotKey.mitigation === 'replicas'")
    pause(page, "hotKey", "Hot key")

    state = sim_step(page, STAMPEDE_WINDOW)
    st = state["stampede"]
    assert st["dbPeak"] <= 3 and not st["everOverloaded"]  # the DB bar stayed green
    jitter = row(state, "stampede", "jitter")
    assert jitter["complete"] and jitter["dbPeak"] <= 3 and not jitter["overloaded"]
    assert [r["mitigation"] for r in st["results"]] == ["none", "jitter"]

    hk = state["hotKey"]
    assert [(k["key"], k["slot"]) for k in hk["hotKeys"]] == [
        ("popular_key:1", 11046),
        ("popular_key:2", 6981),
        ("popular_key:3", 2916),
    ]
    assert not any(s["overloaded"] for s in hk["shards"])
    replicas = row(state, "hotKey", "replicas")
    assert replicas["complete"] and not replicas["overloaded"] and replicas["maxShare"] <= 0.45
    assert "popular_key:1 to slot 11046, shard 3" in canvas_text(page)


def test_every_other_mitigation_fills_its_row_as_the_model_says(open_sim):
    page = open_sim(SIM)
    stampede_menu = page.get_by_label("Cache Stampede mitigation", exact=True)
    hot_menu = page.get_by_label("Hot Key mitigation", exact=True)
    for stampede, hot in (("lock", "local-cache"), ("early", "read-replicas")):
        stampede_menu.select_option(stampede)
        hot_menu.select_option(hot)
        wait(
            page,
            "([s, h]) => window.microsim.state().stampede.mitigation === s"
            " && window.microsim.state().hotKey.mitigation === h",
            [stampede, hot],
        )
        pause(page, "stampede", "Stampede")
        pause(page, "hotKey", "Hot key")
        state = sim_step(page, STAMPEDE_WINDOW)

        model = StampedeModel(servers=10, mitigation=stampede, seed=1).run(STAMPEDE_WINDOW)
        got = row(state, "stampede", stampede)
        assert got["complete"]
        assert (got["dbPeak"], got["recomputes"], got["staleReads"], got["overloaded"]) == (
            model["dbPeak"],
            model["recomputes"],
            model["staleReads"],
            model["everOverloaded"],
        )

        model = HotKeyModel(shards=3, mitigation=hot, seed=1).run(HOTKEY_WINDOW)
        got = row(state, "hotKey", hot)
        assert got["complete"]
        assert got["maxShare"] == model["maxShare"]
        assert got["localHitRate"] == model["localHitRate"]
    state = sim_state(page)
    lock, early = row(state, "stampede", "lock"), row(state, "stampede", "early")
    # the default batch: one lock per entry, so all ten still recompute at once
    assert lock["dbPeak"] == 10 and lock["staleReads"] == 0
    assert early["misses"] == 0 and not early["overloaded"]  # refreshed before expiry
    assert row(state, "hotKey", "local-cache")["localHitRate"] > 0.5
    assert not row(state, "hotKey", "read-replicas")["overloaded"]
    text = canvas_text(page)
    assert "Mutex lock: peak 10" in text and "Read replicas: largest share" in text


def test_keyboard_only(open_sim):
    page = open_sim(SIM)
    page.locator("body").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == ("Stampede: Play")
    page.keyboard.press("Enter")
    wait(page, "() => window.microsim.state().stampede.playing === true")
    wait(page, "() => window.microsim.state().stampede.tick >= 3")
    page.keyboard.press("Space")  # the same button is now Pause
    wait(page, "() => window.microsim.state().stampede.playing === false")
    page.keyboard.press("Tab")  # Step
    page.keyboard.press("Tab")  # Back
    page.keyboard.press("Tab")  # Mitigate: Jitter TTL (second row)
    page.keyboard.press("Space")
    wait(page, "() => window.microsim.state().stampede.mitigation === 'jitter'")
    page.keyboard.press("Tab")  # the stampede's mitigation menu
    page.keyboard.press("ArrowDown")  # Jitter TTL -> Mutex lock
    wait(page, "() => window.microsim.state().stampede.mitigation === 'lock'")
    page.keyboard.press("Tab")  # Reset (third row)
    page.keyboard.press("Enter")
    wait(page, "() => window.microsim.state().stampede.tick === 0")
    page.keyboard.press("Tab")  # Hot keys
    assert (
        page.evaluate("document.activeElement.getAttribute('aria-label')") == "Stampede: Hot keys"
    )
    page.keyboard.press("Tab")  # the hot-key group: Play
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == "Hot key: Play"
    for _ in range(3):  # Step, Back, Mitigate: Key Replicas
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    state = wait(page, "() => window.microsim.state().hotKey.mitigation === 'replicas'")
    assert state["hotKey"]["playing"]
    for _ in range(3):
        page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")  # Pause Hot Key
    wait(page, "() => window.microsim.state().hotKey.playing === false")
    page.wait_for_function(
        "() => document.querySelector('.ms-narration').textContent"
        ".startsWith('Hot key: paused at tick')"
    )
    for _ in range(6):  # Step, Back, Mitigate: Key Replicas, the hot key's menu, Reset, Speed
        page.keyboard.press("Tab")
    assert (
        page.evaluate(
            "document.activeElement.getAttribute('aria-label')"
            " || document.activeElement.labels[0].textContent"
        ).strip()
        == "Speed (both panels)"
    )
    page.keyboard.press("ArrowDown")  # 20 -> 50 ticks per second
    wait(page, "() => window.microsim.state().speed === 50")


def test_axe_clean_and_parameters(open_sim):
    page = open_sim(SIM, "servers=99&shards=x&seed=abc")
    page.wait_for_function("() => document.querySelector('.ms-notice').textContent.length > 0")
    assert page.locator(".ms-notice").is_visible()
    state = sim_state(page)
    assert len(state["stampede"]["servers"]) == 10 and len(state["hotKey"]["shards"]) == 3
    assert state["params"] == {"servers": 10, "keys": 10, "shards": 3, "seed": 1}
    sim_step(page, 102)
    assert axe_violations(page) == []

    page = open_sim(SIM, "servers=20&shards=6&theme=dark")
    state = sim_step(page, 102)
    assert state["stampede"]["dbPeak"] == 20 and len(state["hotKey"]["shards"]) == 6
    assert len(state["hotKey"]["hotKeys"]) == 1
    page.get_by_role("button", name="Mitigate: Key Replicas").click()
    wait(page, "() => window.microsim.state().hotKey.mitigation === 'replicas'")
    assert axe_violations(page) == []


def test_resize_mid_run_and_reduced_motion(open_sim):
    page = open_sim(SIM)
    page.get_by_role("button", name="Stampede: Play").click()
    page.get_by_role("button", name="Hot key: Play").click()
    wait(page, "() => window.microsim.state().hotKey.tick >= 5")
    looping = "window.microsim._sim.p5.isLooping()"
    assert page.evaluate(looping)  # dots fall and query arrows pulse while playing
    page.set_viewport_size({"width": 375, "height": 800})
    wait(page, "() => document.querySelector('canvas').getBoundingClientRect().width <= 375")
    assert horizontal_overflow(page) == 0
    # One panel at a time at this width (the one last used: Hot Key), with a switch.
    switch = page.get_by_role("button", name="Show Cache Stampede panel")
    assert switch.is_visible()
    switch.click()
    page.get_by_role("button", name="Show Hot Key panel").wait_for()
    tick = sim_state(page)["stampede"]["tick"]
    wait(page, "t => window.microsim.state().stampede.tick > t + 5", tick)  # still running
    assert page.evaluate("document.documentElement.dataset.simState") == "ready"

    page.emulate_media(reduced_motion="reduce")
    page.wait_for_function(f"() => !{looping}", timeout=5_000)  # nothing moves...
    tick = sim_state(page)["hotKey"]["tick"]
    wait(page, "t => window.microsim.state().hotKey.tick > t + 3", tick)  # ...time still runs
    page.set_viewport_size({"width": 780, "height": 800})
    wait(page, "() => document.querySelector('canvas').getBoundingClientRect().width >= 700")
    assert not page.get_by_role("button", name="Show Hot Key panel").is_visible()
    assert horizontal_overflow(page) == 0
    page.get_by_role("button", name="Stampede: Pause").click()
    page.get_by_role("button", name="Hot key: Pause").click()
    wait(
        page,
        "() => !window.microsim.state().stampede.playing"
        " && !window.microsim.state().hotKey.playing",
    )


def test_book_column_keeps_the_load_chart(open_sim):
    """At the book's 660 px column (iframe HEIGHT + 2 px high) the stampede panel still draws the
    spec's load spike chart, even with a full results table. QA found it dropped there: the
    controls took four lines, and the table took the room before the chart did."""
    page = open_sim(SIM)
    page.set_viewport_size({"width": 660, "height": HEIGHT + 2})
    wait(page, "() => document.querySelector('canvas').getBoundingClientRect().width <= 660")
    for mitigation in ("none", "jitter", "lock", "early"):
        sim_call(page, "mitigate", {"panel": "stampede", "mitigation": mitigation})
        sim_call(page, "step", {"n": STAMPEDE_WINDOW, "panel": "stampede"})
    sim_call(page, "play", {"panel": "stampede", "playing": False})
    assert len(sim_state(page)["stampede"]["results"]) == 4
    layout = page.evaluate("""async () => {
        const { layout } = await import("./stampede-view.js");
        const c = document.querySelector("canvas").getBoundingClientRect();
        const L = layout({ x: 0, y: 0, w: c.width, h: c.height }, 10, 4);
        return { height: c.height, chart: L.chart, rows: L.rows, table: L.showTable };
    }""")
    assert layout["chart"] is not None and layout["chart"]["h"] >= 60, layout
    assert layout["table"] and layout["rows"] >= 1, layout
    # The speed menu shares a line with the panel switch: three control lines, not four.
    speed = page.get_by_label("Speed (both panels)", exact=True).bounding_box()
    switch = page.get_by_role("button", name="Show Hot Key panel").bounding_box()
    assert abs(speed["y"] + speed["height"] / 2 - switch["y"] - switch["height"] / 2) < 10
    assert horizontal_overflow(page) == 0

    # The hot-key panel with the replicas' three key lines kept no results table at all there.
    for mitigation in ("none", "local-cache", "read-replicas", "replicas"):
        sim_call(page, "mitigate", {"panel": "hotKey", "mitigation": mitigation})
        sim_call(page, "step", {"n": HOTKEY_WINDOW, "panel": "hotKey"})
    sim_call(page, "play", {"panel": "hotKey", "playing": False})
    hot = page.evaluate("""async () => {
        const { layout, hotKeyLines } = await import("./hotkey-view.js");
        const c = document.querySelector("canvas").getBoundingClientRect();
        const hk = window.microsim.state().hotKey;
        const L = layout({ x: 0, y: 0, w: c.width, h: c.height }, hotKeyLines(hk).length, 4);
        return { lines: hotKeyLines(hk).length, rows: L.rows, table: L.showTable,
                 columns: L.columnsBottom - L.columnsTop };
    }""")
    assert hot["lines"] == 3 and hot["table"] and hot["rows"] >= 1, hot
    assert hot["columns"] >= 40, hot


# ---- phones (375 px): one panel at a time, in a canvas tall enough for all of it --------------

# The words the canvas draws (fillText calls) on a fresh redraw, with their fonts: what a student
# reads on the canvas. The view's own record of what it drew (sim.viewInfo: panels, whether the
# load chart fitted, how many results rows) is a view fact, not simulation state.
DRAWN = """async () => {
    if (!window.__drawn) {
        window.__drawn = [];
        const fillText = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (text, ...rest) {
            window.__drawn.push({ text: String(text), font: this.font });
            return fillText.call(this, text, ...rest);
        };
    }
    window.__drawn.length = 0;
    await window.microsim._sim.p5.redraw();
    return { texts: window.__drawn.slice(), info: window.microsim._sim.viewInfo };
}"""


def drawn(page) -> tuple[list[str], dict]:
    """(the texts drawn on the canvas, sim.viewInfo), after a redraw."""
    got = page.evaluate(DRAWN)
    return [t["text"] for t in got["texts"]], got["info"]


def laid_out(page, width: int) -> None:
    """Wait until the sim has laid itself out for a viewport ``width`` wide: its own width (the
    one it draws with), not only the canvas's CSS box, which shrinks first."""
    wait(
        page,
        "w => document.querySelector('canvas').getBoundingClientRect().width <= w"
        " && window.microsim._sim.width <= w",
        width,
    )


def on_phone(page, width: int = 375) -> None:
    page.set_viewport_size({"width": width, "height": 800})
    laid_out(page, width)


def full_runs(page, panel: str, mitigations: tuple[str, ...], ticks: int) -> dict:
    """One complete measured run per mitigation (a results row each), then paused."""
    for mitigation in mitigations:
        sim_call(page, "mitigate", {"panel": panel, "mitigation": mitigation})
        sim_call(page, "step", {"n": ticks, "panel": panel})
    return sim_call(page, "play", {"panel": panel, "playing": False})


def test_phone_stampede_panel_draws_its_load_chart(open_sim):
    """At 375 px the stampede panel used to get a 225 px canvas and drop its load chart."""
    page = open_sim(SIM)
    on_phone(page)
    page.get_by_role("button", name="Stampede: Play").click()
    wait(page, "() => window.microsim.state().stampede.tick >= 5")
    page.get_by_role("button", name="Stampede: Pause").click()
    wait(page, "() => window.microsim.state().stampede.playing === false")
    texts, info = drawn(page)
    assert any(t.startswith("DB load per tick") for t in texts), texts
    assert "capacity 4" in texts  # the chart's capacity line
    assert info["panels"] == ["stampede"] and info["stampede"]["chart"], info
    sim_step(page, 101)  # the spike: the chart is still there, with its peak
    texts, info = drawn(page)
    assert "DB load per tick · peak 10 (10x one query)" in texts, texts
    assert info["stampede"]["chart"], info


def test_phone_stampede_table_lists_the_four_mitigations(open_sim):
    """At 375 px the comparison table showed only its header ("Play to measure this run.")."""
    page = open_sim(SIM)
    on_phone(page)
    state = full_runs(page, "stampede", ("none", "jitter", "lock", "early"), STAMPEDE_WINDOW)
    assert len(state["stampede"]["results"]) == 4
    texts, info = drawn(page)
    for name in (SHORT[m] for m in ("none", "jitter", "lock", "early")):
        assert name in texts, (name, texts)
    assert "Play to measure this run." not in texts
    assert not [t for t in texts if "…" in t]  # nothing cut short
    assert info["stampede"]["tableRows"] == 4 and info["stampede"]["chart"], info


def test_phone_hot_key_panel_shows_all_three_shards(open_sim):
    """The hot-key panel on a phone: all shard columns with their labels, the OVERLOADED word
    whole (it was "OVERLOAD…") and the whole comparison table (it had no room for one)."""
    page = open_sim(SIM)
    on_phone(page)
    full_runs(page, "hotKey", ("replicas", "local-cache", "read-replicas", "none"), HOTKEY_WINDOW)
    sim_call(page, "reset", {"panel": "hotKey"})
    sim_call(page, "step", {"n": 102, "panel": "hotKey"})
    page.get_by_role("button", name="Show Hot Key panel").click()
    page.get_by_role("button", name="Show Cache Stampede panel").wait_for()
    texts, info = drawn(page)
    shard_labels = [t for t in texts if t.startswith("Shard ")]
    assert [t.split(":")[0] for t in shard_labels] == ["Shard 1", "Shard 2", "Shard 3"], texts
    assert "OVERLOADED" in texts, texts
    for name in (SHORT[m] for m in ("none", "replicas", "local-cache", "read-replicas")):
        assert name in texts, (name, texts)
    assert not [t for t in texts if "…" in t], texts
    assert info["panels"] == ["hotKey"] and info["hotKey"]["shards"] == 3, info
    assert info["hotKey"]["tableRows"] == 4, info


def test_desktop_draws_the_chart_and_every_row_of_both_scenarios(open_sim):
    """At 780 px in its authored height the page's exercise can be done: the stampede panel keeps
    its load chart and shows all four mitigations for both scenarios (batch and one hot key), and
    the hot-key panel all four of its rows, without the page growing."""
    page = open_sim(SIM)
    page.set_viewport_size({"width": 780, "height": HEIGHT})
    wait(page, "() => document.querySelector('canvas').getBoundingClientRect().width >= 700")
    for keys in (10, 1):
        sim_call(page, "keys", {"keys": keys})
        for mitigation in ("none", "jitter", "lock", "early"):
            sim_call(page, "mitigate", {"panel": "stampede", "mitigation": mitigation})
            sim_call(page, "step", {"n": STAMPEDE_WINDOW, "panel": "stampede"})
    for mitigation in ("none", "replicas", "local-cache", "read-replicas"):
        sim_call(page, "mitigate", {"panel": "hotKey", "mitigation": mitigation})
        sim_call(page, "step", {"n": HOTKEY_WINDOW, "panel": "hotKey"})
    state = sim_state(page)
    assert len({r["scenario"] for r in state["stampede"]["results"]}) == 2
    assert len(state["stampede"]["results"]) == 8 and len(state["hotKey"]["results"]) == 4
    texts, info = drawn(page)
    assert info["panels"] == ["stampede", "hotKey"], info
    assert info["stampede"]["chart"] and info["stampede"]["tableRows"] == 4, info
    assert info["hotKey"]["tableRows"] == 4, info
    assert page.evaluate("document.querySelector('main').offsetHeight") == HEIGHT
    assert not [t for t in texts if "…" in t], texts


def test_phone_page_grows_instead_of_squeezing(open_sim):
    """minCanvasHeight: on a phone the canvas is as tall as the fuller panel needs, the page grows
    (no horizontal scroll), and every canvas text stays at least 16 px. The book's 660 px column
    keeps its authored HEIGHT px."""
    page = open_sim(SIM)
    on_phone(page)
    need = page.evaluate("""async () => {
        const stampede = await import("./stampede-view.js");
        const hotKey = await import("./hotkey-view.js");
        return Math.max(stampede.minHeight(10, 4 + stampede.EXTRA_ROWS), hotKey.minHeight(3, 4));
    }""")
    wait(page, "h => document.querySelector('canvas').getBoundingClientRect().height >= h", need)
    texts, info = drawn(page)
    canvas = page.locator("canvas").bounding_box()
    assert info["minCanvasHeight"] == need > 400
    assert canvas["height"] >= info["minCanvasHeight"] and canvas["width"] <= 375
    assert horizontal_overflow(page) == 0
    fonts = page.evaluate("window.__drawn.map(t => parseFloat(t.font.match(/([0-9.]+)px/)[1]))")
    assert fonts and min(fonts) >= 16
    page.get_by_role("button", name="Show Hot Key panel").click()
    assert page.locator("canvas").bounding_box()["height"] == canvas["height"]  # no jump
    assert horizontal_overflow(page) == 0

    page.set_viewport_size({"width": 660, "height": HEIGHT + 2})
    wait(page, "() => document.querySelector('canvas').getBoundingClientRect().width > 600")
    wait(page, "h => document.querySelector('main').offsetHeight === h", HEIGHT)
    _, info = drawn(page)
    assert info["minCanvasHeight"] == 0


@pytest.mark.parametrize("theme", ["light", "dark"])
def test_screenshot(open_sim, theme):
    # the catalogue's picture (light) and its dark twin, <id>-dark.png, in the same state
    shot = SCREENSHOT if theme == "light" else SCREENSHOT.with_name(f"{SIM}-dark.png")
    page = open_sim(SIM, f"theme={theme}")
    page.set_viewport_size({"width": 780, "height": HEIGHT})
    sim_step(page, STAMPEDE_WINDOW)  # "None" rows
    for name, panel, title in (
        ("Mitigate: Jitter TTL", "stampede", "Stampede"),
        ("Mitigate: Key Replicas", "hotKey", "Hot key"),
    ):
        page.get_by_role("button", name=name).click()
        pause(page, panel, title)
    sim_step(page, STAMPEDE_WINDOW)  # rows for the spec's mitigations
    for stampede, hot in (("lock", "local-cache"), ("early", "read-replicas")):
        page.get_by_label("Cache Stampede mitigation", exact=True).select_option(stampede)
        pause(page, "stampede", "Stampede")
        page.get_by_label("Hot Key mitigation", exact=True).select_option(hot)
        pause(page, "hotKey", "Hot key")
        sim_step(page, STAMPEDE_WINDOW)
    page.get_by_label("Cache Stampede mitigation", exact=True).select_option("none")
    pause(page, "stampede", "Stampede")
    page.get_by_label("Hot Key mitigation", exact=True).select_option("none")
    pause(page, "hotKey", "Hot key")
    for panel in ("stampede", "hotKey"):  # to tick 102: the stampede, the overloaded shard
        sim_call(page, "step", {"n": 102 - sim_state(page)[panel]["tick"], "panel": panel})
    state = sim_state(page)
    assert state["stampede"]["dbOverloaded"] and state["hotKey"]["shards"][0]["overloaded"]
    assert len(state["stampede"]["results"]) == len(state["hotKey"]["results"]) == 4
    page.wait_for_timeout(900)  # the falling dots land
    sim = page.locator("#microsim")
    box = sim.bounding_box()
    assert 770 <= box["width"] <= 790 and HEIGHT - 10 <= box["height"] <= HEIGHT + 10
    sim.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000


OPTIONS = json.loads((ROOT / "sims" / SIM / "sim.json").read_text(encoding="utf-8"))["options"]
SHORT = {  # the canvas's short names, from sim.json (short, else label)
    option["value"]: option.get("short", option["label"])
    for name in ("stampedeMitigation", "hotKeyMitigation")
    for option in OPTIONS[name]["options"]
}
HEADER_NAMES = {**SHORT, "none": "no mitigation"}


def cut_or_small(page, panel: str) -> list[str]:
    """The canvas texts of a fresh redraw that are cut with "…" (a lone "…" is a running row's
    status, not a cut) or drawn below 16 px, and the panel header's "Jitter TTL · tick 300" if
    it is missing (it was dropped to "tick 300")."""
    got = page.evaluate(DRAWN)
    state = sim_state(page)[panel]
    header = f"{HEADER_NAMES[state['mitigation']]} · tick {state['tick']}"
    bad = [] if header in [t["text"] for t in got["texts"]] else [f"no header {header!r}"]
    for t in got["texts"]:
        size = float(t["font"].split("px")[0].split()[-1])
        if (t["text"].endswith("…") and t["text"] != "…") or size < 16:
            bad.append(f"{t['text']!r} at {size} px")
    return bad


@pytest.mark.parametrize("width", [320, 341])
def test_phone_narrow_texts_are_whole(open_sim, width):
    """In the book on a 375 px phone the iframe is 341 px wide; there (and at 320 px) the DB bar,
    the chart caption, the table headings and names, the shard labels and the legends were cut
    with "…". Every text is whole and at least 16 px, in every state a student reaches."""
    page = open_sim(SIM)
    on_phone(page, width)
    bad: list[str] = []

    def check(what: str, panel: str = "stampede") -> None:
        bad.extend(f"{what}: {t}" for t in cut_or_small(page, panel))

    check("stampede, start")
    sim_step(page, 101)  # the spike: DB overload, chart peak 10
    check("stampede, spike")
    for mitigation in ("none", "jitter", "lock", "early"):
        sim_call(page, "mitigate", {"panel": "stampede", "mitigation": mitigation})
        sim_call(page, "play", {"panel": "stampede", "playing": False})
        sim_call(page, "step", {"n": 110, "panel": "stampede"})  # waiting, stale servers
        check(f"stampede, {mitigation}, tick 110")
        sim_call(page, "step", {"n": STAMPEDE_WINDOW - 110, "panel": "stampede"})
        check(f"stampede, {mitigation}, done")
    assert len(sim_state(page)["stampede"]["results"]) == 4

    page.get_by_role("button", name="Show Hot Key panel").click()
    page.get_by_role("button", name="Show Cache Stampede panel").wait_for()
    for mitigation in ("none", "replicas", "local-cache", "read-replicas"):
        sim_call(page, "mitigate", {"panel": "hotKey", "mitigation": mitigation})
        sim_call(page, "play", {"panel": "hotKey", "playing": False})
        sim_call(page, "step", {"n": HOTKEY_WINDOW, "panel": "hotKey"})
        check(f"hot key, {mitigation}", "hotKey")
    assert len(sim_state(page)["hotKey"]["results"]) == 4
    texts, info = drawn(page)
    assert info["panels"] == ["hotKey"] and info["hotKey"]["tableRows"] == 4, info
    assert bad == [], "\n".join(bad)
    assert horizontal_overflow(page) == 0


# ---- tablets (700-779 px): the two panels side by side, ~348-388 px each ------------------------

# Like DRAWN, with where each text went: its box in CSS px (left, top, width, height 16).
PLACED = """async () => {
    if (!window.__placed) {
        window.__placed = [];
        const fillText = CanvasRenderingContext2D.prototype.fillText;
        CanvasRenderingContext2D.prototype.fillText = function (text, x, y, ...rest) {
            const w = this.measureText(String(text)).width;
            const m = this.getTransform();
            const s = m.a || 1;  // the canvas' pixel density
            const px = m.e / s + x, py = m.f / s + y;
            const left = this.textAlign === "center" ? px - w / 2
                : (this.textAlign === "right" || this.textAlign === "end") ? px - w : px;
            const size = parseFloat(this.font.match(/([0-9.]+)px/)[1]);
            const top = this.textBaseline === "top" ? py
                : this.textBaseline === "middle" ? py - size / 2
                : this.textBaseline === "bottom" ? py - size : py - 0.8 * size;
            window.__placed.push({ text: String(text), font: this.font, left, top, w, size });
            return fillText.call(this, text, x, y, ...rest);
        };
    }
    window.__placed.length = 0;
    await window.microsim._sim.p5.redraw();
    return window.__placed.slice();
}"""


def overlapping(placed: list[dict]) -> list[str]:
    """Pairs of drawn texts on one line (boxes overlapping down) less than 4 px apart across."""
    found = []
    for i, a in enumerate(placed):
        for b in placed[i + 1 :]:
            if not a["text"].strip() or not b["text"].strip():
                continue
            across = min(a["left"] + a["w"], b["left"] + b["w"]) - max(a["left"], b["left"])
            down = min(a["top"] + a["size"], b["top"] + b["size"]) - max(a["top"], b["top"])
            if across > -4 and down > 1:  # less than a space apart on a line: words run together
                found.append(
                    f"{a['text']!r} at x {a['left']:.0f} overlaps "
                    f"{b['text']!r} at x {b['left']:.0f}"
                )
    return found


def placed_problems(page, what: str) -> list[str]:
    placed = page.evaluate(PLACED)
    bad = [
        f"{what}: {t['text']!r} at {t['size']} px"
        for t in placed
        if (t["text"].endswith("…") and t["text"] != "…") or t["size"] < 16
    ]
    return bad + [f"{what}: {o}" for o in overlapping(placed)]


@pytest.mark.parametrize("width", [700, 720, 740, 760])
def test_tablet_side_by_side_texts_are_whole(open_sim, width):
    """A tablet in portrait shows the book's iframe at about 720-740 px: both panels side by side,
    ~350 px each. There the stampede table's headings and names were cut ("Pe…", "Reco…",
    "Early ex…") and the hot key's shard labels ran into each other. Every text is whole, at
    least 16 px, no two overlap, and the panels keep their chart, table rows and shards."""
    page = open_sim(SIM)
    page.set_viewport_size({"width": width, "height": 900})
    wait(
        page,
        "w => Math.abs(document.querySelector('canvas').getBoundingClientRect().width - w) < 30",
        width,
    )
    height = page.locator("canvas").bounding_box()["height"]
    bad: list[str] = []
    bad += placed_problems(page, "start")
    sim_call(page, "play", {"panel": "stampede", "playing": False})
    sim_call(page, "play", {"panel": "hotKey", "playing": False})
    sim_call(page, "step", {"n": 102, "panel": "stampede"})
    sim_call(page, "step", {"n": 102, "panel": "hotKey"})
    bad += placed_problems(page, "spike")
    pairs = (
        ("none", "none"),
        ("jitter", "replicas"),
        ("lock", "local-cache"),
        ("early", "read-replicas"),
    )
    for stampede, hot in pairs:
        sim_call(page, "mitigate", {"panel": "stampede", "mitigation": stampede})
        sim_call(page, "mitigate", {"panel": "hotKey", "mitigation": hot})
        sim_call(page, "play", {"panel": "stampede", "playing": False})
        sim_call(page, "play", {"panel": "hotKey", "playing": False})
        sim_call(page, "step", {"n": 110, "panel": "stampede"})  # waiting, stale servers
        sim_call(page, "step", {"n": 102, "panel": "hotKey"})  # the overloaded shard
        bad += placed_problems(page, f"{stampede}/{hot}, running")
        sim_call(page, "step", {"n": STAMPEDE_WINDOW - 110, "panel": "stampede"})
        sim_call(page, "step", {"n": HOTKEY_WINDOW - 102, "panel": "hotKey"})
        bad += placed_problems(page, f"{stampede}/{hot}, done")
    for panel in ("stampede", "hotKey"):  # the overloaded "None" rows next to "Early expiry"
        sim_call(page, "mitigate", {"panel": panel, "mitigation": "none"})
        sim_call(page, "play", {"panel": panel, "playing": False})
        sim_call(page, "step", {"n": 110, "panel": panel})
    bad += placed_problems(page, "none again, running")
    state = sim_state(page)
    assert len(state["stampede"]["results"]) == len(state["hotKey"]["results"]) == 4
    texts, info = drawn(page)
    assert info["panels"] == ["stampede", "hotKey"], info
    assert info["stampede"]["chart"] and info["stampede"]["table"], info
    assert info["hotKey"]["shards"] == 3 and info["hotKey"]["table"], info
    assert bad == [], "\n".join(bad)
    assert page.locator("canvas").bounding_box()["height"] == height  # no jump
    assert page.evaluate("document.querySelector('main').offsetHeight") == HEIGHT
    assert horizontal_overflow(page) == 0


# ---- the hot-keys scenario, per-panel controls, Step and Back ----------------------------------


def test_keys_parameter_one_hot_key_and_a_refused_value(open_sim):
    page = open_sim(SIM, "keys=1")
    state = sim_state(page)
    assert state["stampede"]["keys"] == 1 == state["params"]["keys"]
    assert state["stampede"]["scenario"] == "1 hot key, 10 servers reading it"
    assert page.get_by_role("combobox", name="Stampede: Hot keys").input_value() == "1"
    assert "1 hot key" in canvas_text(page)
    assert not page.locator(".ms-notice").is_visible()

    page = open_sim(SIM, "keys=99")
    page.wait_for_function("() => document.querySelector('.ms-notice').textContent.length > 0")
    notice = page.locator(".ms-notice").inner_text()
    assert "keys" in notice and "Using 10" in notice, notice
    assert "from 1 to 10 (the servers)" in notice, notice  # the range the servers allow
    state = sim_state(page)
    assert state["stampede"]["keys"] == 10 == state["params"]["keys"]
    assert state["stampede"]["scenario"] == "10 hot entries cached together"

    page = open_sim(SIM, "servers=4&keys=6")  # within 1-20, but more keys than servers
    page.wait_for_function("() => document.querySelector('.ms-notice').textContent.length > 0")
    notice = page.locator(".ms-notice").inner_text()
    assert "from 1 to 4 (the servers)" in notice and "Using 4" in notice, notice
    assert sim_state(page)["stampede"]["keys"] == 4


def test_every_control_names_its_panel(open_sim):
    page = open_sim(SIM)
    for prefix in ("Stampede", "Hot key"):
        for words in ("Play", "Step one tick", "Back one tick", "Reset"):
            assert page.get_by_role("button", name=f"{prefix}: {words}", exact=True).count() == 1
    assert page.get_by_role("button", name="Stampede: Mitigate: Jitter TTL", exact=True).count()
    assert page.get_by_role("button", name="Hot key: Mitigate: Key Replicas", exact=True).count()
    assert page.get_by_role("combobox", name="Stampede: Hot keys", exact=True).count() == 1
    groups = page.get_by_role("group")
    assert page.get_by_role("group", name="Cache Stampede", exact=True).count() == 1
    assert page.get_by_role("group", name="Hot Key", exact=True).count() == 1
    assert groups.count() >= 2
    # Each panel's controls are inside its own group.
    stampede = page.get_by_role("group", name="Cache Stampede", exact=True)
    assert stampede.get_by_role("button", name="Stampede: Play", exact=True).count() == 1
    assert stampede.get_by_role("button", name="Hot key: Play", exact=True).count() == 0


def test_phone_shows_only_the_shown_panels_controls(open_sim):
    page = open_sim(SIM)
    on_phone(page, 390)
    stampede_play = page.get_by_role("button", name="Stampede: Play", exact=True)
    hot_play = page.get_by_role("button", name="Hot key: Play", exact=True)
    speed = page.get_by_label("Speed (both panels)")
    assert stampede_play.is_visible() and not hot_play.is_visible() and speed.is_visible()
    # The switch comes first in the reading order.
    page.locator("body").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.getAttribute('aria-label')") == (
        "Show Cache Stampede panel"
    )
    page.get_by_role("button", name="Show Hot Key panel").click()
    hot_play.wait_for(state="visible")
    assert not stampede_play.is_visible() and speed.is_visible()
    assert sim_state(page)["focus"] == "hotKey"
    narration = page.locator(".ms-narration").inner_text()
    assert narration.startswith("Hot key: shown"), narration
    assert horizontal_overflow(page) == 0
    assert axe_violations(page) == []


def test_narration_follows_and_names_its_panel(open_sim):
    page = open_sim(SIM)
    narration = page.locator(".ms-narration")
    page.get_by_role("button", name="Hot key: Reset", exact=True).click()
    page.wait_for_function("() => window.microsim.state().focus === 'hotKey'")
    assert narration.inner_text().startswith("Hot key: reset to tick 0"), narration.inner_text()
    # Steps of both panels: the live line reads only the followed panel's moments.
    sim_call(page, "step", {"n": 101})
    text = narration.inner_text()
    assert "Stampede:" not in text, text
    page.get_by_role("button", name="Stampede: Back one tick", exact=True).click()
    page.wait_for_function("() => window.microsim.state().focus === 'stampede'")
    assert narration.inner_text().startswith("Stampede: back to tick 100"), narration.inner_text()


def test_single_step_shows_the_expiry_instant(open_sim):
    page = open_sim(SIM)
    sim_call(page, "step", {"n": 100, "panel": "stampede"})
    before = sim_state(page)["stampede"]
    assert before["dbLoad"] == 0 and not before["dbOverloaded"]
    page.get_by_role("button", name="Stampede: Step one tick", exact=True).click()
    state = wait(page, "() => window.microsim.state().stampede.tick === 101")
    st = state["stampede"]
    assert st["ttlRemaining"] == 0 and st["dbLoad"] == 10 and st["dbOverloaded"]
    assert not st["playing"] and state["hotKey"]["tick"] == 0  # only its own panel moved
    narration = page.locator(".ms-narration").inner_text()
    assert narration.startswith("Stampede: tick 101: TTL expired"), narration


def test_back_returns_exactly_the_previous_state(open_sim):
    page = open_sim(SIM, "keys=1")
    sim_call(page, "mitigate", {"panel": "stampede", "mitigation": "lock"})
    sim_call(page, "play", {"panel": "stampede", "playing": False})
    sim_call(page, "step", {"n": 104 - sim_state(page)["stampede"]["tick"], "panel": "stampede"})
    sim_call(page, "step", {"n": 7, "panel": "hotKey"})
    previous = sim_state(page)
    sim_call(page, "step", {"n": 1, "panel": "stampede"})
    assert sim_state(page)["stampede"] != previous["stampede"]
    page.get_by_role("button", name="Stampede: Back one tick", exact=True).click()
    state = wait(page, "() => window.microsim.state().stampede.tick === 104")
    assert state["stampede"] == previous["stampede"]
    assert state["hotKey"] == previous["hotKey"]  # the other panel is untouched


@pytest.mark.parametrize("width", [780, 390, 320])
def test_twenty_servers_circles_do_not_overlap(open_sim, width):
    page = open_sim(SIM, "servers=20")
    page.set_viewport_size({"width": width, "height": 900})
    laid_out(page, width)
    _, info = drawn(page)
    circles = info["stampede"]["circles"]
    assert len(circles) == 20
    clashes = [
        (i, j)
        for i, a in enumerate(circles)
        for j, b in enumerate(circles[i + 1 :], i + 1)
        if ((a["x"] - b["x"]) ** 2 + (a["y"] - b["y"]) ** 2) ** 0.5 < a["r"] + b["r"]
    ]
    assert not clashes, (clashes, circles)
    left = min(c["x"] - c["r"] for c in circles)
    right = max(c["x"] + c["r"] for c in circles)
    panel_width = width / 2 if width >= 700 else width
    assert left >= 0 and right <= panel_width, circles
