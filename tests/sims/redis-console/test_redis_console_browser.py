"""The Redis console in Chromium: typed by keyboard, read from its log, embedded in the chapter.

Every reply checked here is the engine's, formatted by the controller in Pyodide; what is
checked is what a student sees in the log region (its text), not the state object alone.
"""

from __future__ import annotations

from pathlib import Path

from tests.browser.helpers import axe_violations, horizontal_overflow, sim_state
from tests.browser.test_hardening import RECORD_VIOLATIONS, policy_of, settle
from tests.conftest import wait_sim_settled

SIM = "redis-console"
ROOT = Path(__file__).resolve().parents[3]
SCREENSHOT = ROOT / "sims" / SIM / f"{SIM}.png"


def prompt(page):
    return page.get_by_role("textbox", name="Redis command")


def log(page):
    return page.get_by_role("log", name="Console output")


def entries(page) -> list[str]:
    return page.locator(".rc-entry").all_inner_texts()


def type_line(page, line: str) -> None:
    """Type a line and press Enter, then wait until its reply is on screen."""
    before = page.evaluate("window.microsim.state().count")
    box = prompt(page)
    box.fill(line)
    box.press("Enter")
    page.wait_for_function("n => window.microsim.state().count > n", arg=before)
    page.wait_for_function("() => !document.querySelector('.rc-pending')")


def last_output(page) -> str:
    return page.locator(".rc-entry").last.locator(".rc-output").inner_text()


def test_typing_replies_history_completion_help_clear_and_screenshot(open_sim):
    page = open_sim(SIM)
    page.set_viewport_size({"width": 780, "height": 482})
    box = prompt(page)
    box.focus()
    box.press_sequentially("SET user:1 alice")
    box.press("Enter")
    page.wait_for_function("() => !document.querySelector('.rc-pending')")
    assert entries(page)[-1] == "kvengine> SET user:1 alice\nOK"
    type_line(page, "GET user:1")
    assert last_output(page) == '"alice"'
    type_line(page, "GET nobody")
    assert last_output(page) == "(nil)"
    type_line(page, "RPUSH queue a b")
    assert last_output(page) == "(integer) 2"
    type_line(page, "LRANGE queue 0 -1")
    assert last_output(page) == '1) "a"\n2) "b"'
    type_line(page, "INCR user:1")
    assert last_output(page) == "(error) ERR value is not an integer or out of range"
    assert page.locator(".rc-entry").last.locator(".rc-error").count() == 1
    page.screenshot(path=str(SCREENSHOT))

    # its dark twin, <id>-dark.png: the same lines with the dark scheme
    dark = open_sim(SIM, "theme=dark")
    dark.set_viewport_size({"width": 780, "height": 482})
    for line in ("SET user:1 alice", "GET user:1", "GET nobody", "RPUSH queue a b"):
        type_line(dark, line)
    type_line(dark, "LRANGE queue 0 -1")
    type_line(dark, "INCR user:1")
    assert dark.evaluate("document.documentElement.dataset.theme") == "dark"
    assert entries(dark) == entries(page)
    dark.screenshot(path=str(SCREENSHOT.with_name(f"{SIM}-dark.png")))
    dark.close()

    # history: ArrowUp walks back, ArrowDown forward to the line being typed
    box.fill("half-typed")
    box.press("ArrowUp")
    assert box.input_value() == "INCR user:1"
    box.press("ArrowUp")
    box.press("ArrowUp")
    assert box.input_value() == "RPUSH queue a b"
    box.press("ArrowDown")
    box.press("ArrowDown")
    box.press("ArrowDown")
    assert box.input_value() == "half-typed"

    # Tab completes a command name from the engine's table
    box.fill("hgeta")
    box.press("Tab")
    assert box.input_value() == "HGETALL "
    assert page.evaluate("document.activeElement.id") == "rc-input"
    box.fill("zra")
    box.press("Tab")  # several matches: the common prefix, and the list
    assert box.input_value() == "ZRAN"
    assert "ZRANGE" in page.locator(".rc-matches").inner_text()

    # HELP <command> and HELP
    type_line(page, "HELP EXPIRE")
    help_text = last_output(page)
    assert help_text.startswith("EXPIRE key seconds [NX|XX|GT|LT]")
    assert "summary: Set a key's time to live in seconds" in help_text
    type_line(page, "HELP")
    assert "CLEAR" in last_output(page) and "real time" in last_output(page)

    # CLEAR empties the screen; the server keeps its keys
    type_line(page, "CLEAR")
    assert page.locator(".rc-entry").count() == 0
    type_line(page, "GET user:1")
    assert entries(page) == ['kvengine> GET user:1\n"alice"']


def test_bad_input_is_shown_as_text(open_sim):
    page = open_sim(SIM)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    type_line(page, 'GET "unbalanced')
    assert last_output(page) == "Invalid argument(s)"
    type_line(page, "FLY me to the moon")
    assert last_output(page).startswith("(error) ERR unknown command 'FLY'")
    html = "<img src=x onerror=alert(1)>"
    type_line(page, f"SET h '{html}'")
    type_line(page, "GET h")
    assert last_output(page) == f'"{html}"'
    assert page.locator(".rc-log img").count() == 0  # echoed and printed as text, never markup
    assert html in page.locator(".rc-entry").nth(-2).inner_text()
    type_line(page, "SET e 😀")
    type_line(page, "GET e")
    assert last_output(page) == '"\\xf0\\x9f\\x98\\x80"'
    big = "x" * 100_000
    type_line(page, f"SET big {big}")
    assert last_output(page) == "OK"
    type_line(page, "STRLEN big")
    assert last_output(page) == "(integer) 100000"
    assert len(page.locator(".rc-entry").nth(-2).inner_text()) > 100_000
    assert dialogs == []  # the onerror handler never ran
    assert horizontal_overflow(page) == 0


def test_keyboard_only_and_screen_reader_structure(open_sim):
    page = open_sim(SIM)
    page.keyboard.press("Tab")  # the log is scrollable by keyboard, then the prompt
    focused = [
        page.evaluate("document.activeElement.getAttribute('role') || document.activeElement.id")
    ]
    for _ in range(3):
        if focused[-1] == "rc-input":
            break
        page.keyboard.press("Tab")
        focused.append(
            page.evaluate(
                "document.activeElement.getAttribute('role') || document.activeElement.id"
            )
        )
    assert focused[-1] == "rc-input", focused
    page.keyboard.type("PING")
    page.keyboard.press("Enter")
    page.wait_for_function("() => window.microsim.state().count >= 1")
    page.wait_for_function("() => !document.querySelector('.rc-pending')")
    assert last_output(page) == "PONG"
    # an empty prompt: Tab moves on (no keyboard trap)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") != "rc-input"
    region = log(page)
    assert region.get_attribute("aria-live") == "polite"
    assert prompt(page).count() == 1
    assert page.get_by_role("button", name="Run command").count() == 1


def test_axe_in_both_schemes_and_phone_width(open_sim):
    for theme in ("light", "dark"):
        page = open_sim(SIM, f"theme={theme}")
        type_line(page, "SET k v")
        type_line(page, "GET nothing k")
        type_line(page, "INCR k")
        assert axe_violations(page) == [], theme
    for width in (320, 390):
        page.set_viewport_size({"width": width, "height": 700})
        assert horizontal_overflow(page) == 0
        box = prompt(page).bounding_box()
        assert box and box["width"] >= 100 and box["x"] + box["width"] <= width
        sizes = page.evaluate(
            "[...document.querySelectorAll('.rc-output, .rc-input, .rc-keys, .ms-narration')]"
            ".map(e => parseFloat(getComputedStyle(e).fontSize))"
        )
        assert min(sizes) >= 16
        type_line(page, "LRANGE nothing 0 -1")
        assert last_output(page) == "(empty array)"


def test_lines_typed_while_loading_run_when_ready(browser, site_url, watch_page):
    """A cold start (a new browser context: its own engine worker, Pyodide not loaded yet).

    The snapshot's download is held back (a dedicated worker, whose requests Playwright can
    route), so the console stays in its loading state while the lines are typed.
    """
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    page.add_init_script("delete window.SharedWorker;")
    held: list = []
    page.route("**/*.kvsnap", lambda route: held.append(route))
    watch_page(page, {site_url.rstrip("/")})
    page.goto(f"{site_url}sims/{SIM}/main.html")
    box = prompt(page)
    box.wait_for()
    assert page.evaluate("document.documentElement.dataset.simState") == "loading"
    assert "Loading the Python engine" in page.locator(".ms-narration").inner_text()
    box.press_sequentially("SET early 1")
    box.press("Enter")
    box.press_sequentially("INCR early")
    box.press("Enter")
    assert page.evaluate("document.documentElement.dataset.simState") == "loading"
    assert entries(page) == [
        "kvengine> SET early 1 (waiting for the engine)",
        "kvengine> INCR early (waiting for the engine)",
    ]
    for route in held:
        route.fallback()
    page.wait_for_function(
        "() => document.documentElement.dataset.simState === 'ready'", timeout=120_000
    )
    page.wait_for_function("() => document.querySelectorAll('.rc-output').length === 2")
    assert entries(page) == ["kvengine> SET early 1\nOK", "kvengine> INCR early\n(integer) 2"]
    assert "real clock" in page.locator(".ms-narration").inner_text()
    context.close()


def test_bounded_log(open_sim):
    page = open_sim(SIM)
    page.evaluate(
        "async () => { for (let i = 0; i < 6; i++)"
        " await window.microsim.run(Array.from({length: 200}, (_, j) => `PING ${i}-${j}`)); }"
    )
    assert page.locator(".rc-entry").count() == 1000
    assert last_output(page) == '"5-199"'
    assert page.locator(".rc-entry").first.inner_text().endswith('"1-0"')


def test_embed_contract_and_run_message_from_the_parent_only(
    sim_context, site_url, other_origin_url, other_origin_dir, watch_page
):
    (other_origin_dir / "console.html").write_text(
        f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course</title>
<link rel="icon" href="data:,"></head><body><main>
<iframe id="c" src="{site_url}sims/{SIM}/main.html?policy=allkeys-lru&maxmemory=nope"
 width="100%" height="482" title="Redis Console"></iframe></main>
<script>window.messages = [];
addEventListener("message", (e) => window.messages.push(e.data));</script></body></html>""",
        encoding="utf-8",
    )
    page = sim_context.new_page()
    watch_page(page, {site_url.rstrip("/"), other_origin_url.rstrip("/")})
    page.goto(f"{other_origin_url}console.html")
    page.wait_for_function("() => window.messages.some(m => m.type === 'microsim-ready')")
    ready = next(m for m in page.evaluate("window.messages") if m.get("type") == "microsim-ready")
    assert ready == {"type": "microsim-ready", "id": SIM}
    frame = page.frame_locator("#c")
    assert "maxmemory" in frame.locator(".ms-notice").inner_text()  # bad value: a notice
    page.evaluate(
        """() => document.getElementById('c').contentWindow.postMessage(
            {type: 'microsim-console-run', lines: ['CONFIG GET maxmemory-policy']}, '*')"""
    )
    frame.locator(".rc-output").first.wait_for()
    assert (
        frame.locator(".rc-output").first.inner_text() == '1) "maxmemory-policy"\n2) "allkeys-lru"'
    )
    # the same message from the console's own window (not its parent) is ignored
    inner = page.frame(url=lambda url: "redis-console" in url)
    inner.evaluate("() => window.postMessage({type: 'microsim-console-run', lines: ['PING']}, '*')")
    page.wait_for_timeout(300)
    assert frame.locator(".rc-entry").count() == 1
    assert inner.evaluate("document.documentElement.dataset.simState") == "ready"
    state = inner.evaluate("window.microsim.state()")
    assert state["policy"] == "allkeys-lru" and state["maxmemory"] == 0
    page.close()


def test_state_and_reset(open_sim):
    page = open_sim(SIM)
    type_line(page, "SET a 1")
    state = sim_state(page)
    assert state["last"][0]["output"] == "OK" and state["clock"] == "system"
    page.evaluate("window.microsim.reset()")
    assert page.locator(".rc-entry").count() == 0
    type_line(page, "GET a")
    assert last_output(page) == "(nil)"


def test_run_buttons_on_the_chapter_type_into_the_console(sim_context, site_url, watch_page):
    page = sim_context.new_page()
    watch_page(page, {site_url.rstrip("/")})
    page.goto(f"{site_url}chapters/05-key-value-stores/")
    blocks = page.locator(".redis-run")
    assert blocks.count() == 6
    console = page.frame_locator("#sim-redis-console")
    # the leaderboard block, by mouse (the lazy console may still be loading: the lines wait)
    leaderboard = blocks.nth(2)
    assert "ZADD leaderboard" in leaderboard.locator("code").inner_text()
    leaderboard.get_by_role("button", name="Run these 5 commands in the Redis console").click()
    status = leaderboard.get_by_role("status")
    assert status.inner_text() in (
        "Typed into the Redis console: its replies are there.",
        "The Redis console is still loading; these commands run as soon as it is ready.",
    )
    console.locator(".rc-entry").nth(4).locator(".rc-output").wait_for(timeout=120_000)
    texts = console.locator(".rc-entry").all_inner_texts()
    assert texts[0] == "kvengine> ZADD leaderboard 3200 alice 2900 bob 3550 carol\n(integer) 3"
    assert texts[1].endswith('\n"3400"')
    assert texts[2].endswith('1) "carol"\n2) "3550"\n3) "bob"\n4) "3400"\n5) "alice"\n6) "3200"')
    assert texts[4].endswith("(nil)")
    # the queue block, by keyboard only
    queue = blocks.nth(5)
    button = queue.get_by_role("button", name="Run these 7 commands in the Redis console")
    button.focus()
    page.keyboard.press("Enter")
    assert queue.get_by_role("status").inner_text() == (
        "Typed into the Redis console: its replies are there."
    )
    console.locator(".rc-entry").nth(11).locator(".rc-output").wait_for()
    assert console.locator(".rc-entry").nth(7).inner_text().endswith('"welcome:alice"')
    assert console.locator(".rc-entry").nth(11).inner_text().endswith("(nil)")
    # the page's own state agrees with what is on screen
    inner = page.frame(url=lambda url: "redis-console" in url)
    assert inner.evaluate("window.microsim.state().count") == 12
    assert axe_violations(page) == []
    page.close()


SANDBOXED = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course</title>
<link rel="icon" href="data:,"></head><body><main><iframe title="Redis Console"
 sandbox="{sandbox}" src="{src}" width="800" height="482"></iframe></main>
<script>window.messages = [];
addEventListener("message", (e) => window.messages.push(e.data));</script></body></html>"""


def test_a_sandbox_without_same_origin_is_named_with_its_fix(
    sim_context, site_url, other_origin_url, other_origin_dir
):
    src = f"{site_url}sims/{SIM}/main.html"
    for name, sandbox in (("no", "allow-scripts"), ("yes", "allow-scripts allow-same-origin")):
        (other_origin_dir / f"console-sandbox-{name}.html").write_text(
            SANDBOXED.format(sandbox=sandbox, src=src), encoding="utf-8"
        )
    page = sim_context.new_page()
    try:
        page.goto(f"{other_origin_url}console-sandbox-no.html")
        page.wait_for_function(
            "() => window.messages.some(m => m.type === 'microsim-error')", timeout=60_000
        )
        error = next(
            m for m in page.evaluate("window.messages") if m.get("type") == "microsim-error"
        )
        assert error["id"] == SIM
        assert "sandboxed frame without allow-same-origin" in error["message"]
        alert = page.frame_locator("iframe").get_by_role("alert")
        assert "Add allow-same-origin to the iframe's sandbox" in alert.inner_text()
        assert "Could not download" not in alert.inner_text()
        # with allow-same-origin the console runs
        page.goto(f"{other_origin_url}console-sandbox-yes.html")
        page.wait_for_function(
            "() => window.messages.some(m => m.type === 'microsim-ready')", timeout=120_000
        )
        assert not [
            m for m in page.evaluate("window.messages") if m.get("type") == "microsim-error"
        ]
    finally:
        page.close()


def test_a_failed_engine_download_is_named_and_retry_keeps_the_typed_lines(
    page, site_server, watch_page
):
    """A fresh browser context (its own worker): the engine's zip answers 404, the console says
    which file failed, the lines typed meanwhile wait, and Retry loads the engine and runs them."""
    page.allow_console_errors = True
    watch_page(page, {site_server.url.rstrip("/")})
    site_server.fail_paths.add("/kvengine.zip")
    try:
        page.goto(f"{site_server.url}sims/{SIM}/main.html")
        prompt(page).fill("SET kept 1")
        prompt(page).press("Enter")
        assert wait_sim_settled(page) == "error"
        alert = page.get_by_role("alert")
        assert "kvengine" in alert.inner_text() and "404" in alert.inner_text()
        assert "The console could not start." in alert.inner_text()
        rejected = page.evaluate("window.microsim.ready.then(() => 'resolved', e => e.message)")
        assert "kvengine" in rejected
        assert entries(page) == ["kvengine> SET kept 1 (waiting for the engine)"]
    finally:
        site_server.fail_paths.discard("/kvengine.zip")
    page.get_by_role("button", name="Retry").click()
    assert wait_sim_settled(page) == "ready"
    page.wait_for_function("() => !document.querySelector('.rc-pending')")
    assert entries(page) == ["kvengine> SET kept 1\nOK"]
    assert page.get_by_role("alert").count() == 0
    type_line(page, "GET kept")
    assert last_output(page) == '"1"'


def test_the_console_passes_its_content_security_policy(browser, site_url):
    """Enforced (the other tests bypass the policy): no violation while it loads, runs a typed
    line and a Run message's lines, resets; no inline style."""
    context = browser.new_context(viewport={"width": 800, "height": 600})
    context.add_init_script(RECORD_VIOLATIONS)
    try:
        page = context.new_page()
        page.goto(f"{site_url}sims/{SIM}/main.html")
        assert policy_of(page)["script-src"] == ["'self'", "'wasm-unsafe-eval'"]
        assert settle(page) == "ready"
        box = prompt(page)
        box.fill("SET k v")
        box.press("Enter")
        page.evaluate("() => window.microsim.run(['GET k', 'HELP SET'])")
        page.evaluate("() => window.microsim.reset()")
        assert page.evaluate("window.__violations") == []
        assert page.locator("style").count() == 0, "no inline <style> element"
        assert page.locator("[style]:not(main):not(.ms-stage)").count() == 0
    finally:
        context.close()
