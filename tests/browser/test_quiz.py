"""The chapter's questions in Chromium: every ``data-quiz`` block answered right and wrong by
keyboard alone, feedback in a live region, the prompts' answers equal to what the embedded sims
show, the jump links, the page without JavaScript, axe clean, at desktop and phone widths."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.helpers import axe_violations, horizontal_overflow
from tests.conftest import READY_TIMEOUT_MS

CHAPTER = "chapters/05-key-value-stores/"
WIDTHS = (1280, 390)


def blocks(page: Any) -> list[dict[str, Any]]:
    """Every question on the page: id, kind, answer, options' values, the answer's sim state."""
    return page.evaluate(
        """() => [...document.querySelectorAll('[data-quiz]')].map(b => ({
            id: b.dataset.quiz, kind: b.dataset.kind, answer: b.dataset.answer,
            options: [...b.querySelectorAll('input[type=radio]')].map(i => i.value),
            where: (b.querySelector('.quiz__where')?.textContent || '')
                     .replace('Where to see it:', '').trim()}))"""
    )


def feedback(page: Any, qid: str) -> dict[str, str]:
    return page.evaluate(
        """id => { const b = document.querySelector(`[data-quiz="${id}"]`);
                   const f = b.querySelector('.quiz__feedback');
                   return {text: f.textContent.trim(), status: f.dataset.status || '',
                           role: f.getAttribute('role') || '',
                           live: f.getAttribute('aria-live') || ''}; }""",
        qid,
    )


def open_chapter(sim_context: Any, site_url: str, width: int, scheme: str = "light") -> Any:
    page = sim_context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme, reduced_motion="reduce")
    page.goto(f"{site_url}{CHAPTER}")
    page.wait_for_load_state("load")
    page.wait_for_function("document.querySelectorAll('.quiz__check:not([hidden])').length > 0")
    return page


def answer_choice(page: Any, qid: str, index: int) -> None:
    """Keyboard only: focus the radio group, Space on the first option, arrows to ``index``,
    Tab to Check, Enter."""
    first = page.locator(f'[data-quiz="{qid}"] input[type=radio]').first
    first.focus()  # the starting point; everything after is keys
    page.keyboard.press("Space")
    for _ in range(index):
        page.keyboard.press("ArrowDown")
    checked = page.evaluate(
        'id => [...document.querySelectorAll(`[data-quiz="${id}"] input[type=radio]`)]'
        ".findIndex(i => i.checked)",
        qid,
    )
    assert checked == index, f"{qid}: arrows should select option {index}"
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.classList.contains('quiz__check')"), (
        f"{qid}: Tab from the options should reach Check"
    )
    page.keyboard.press("Enter")


def answer_number(page: Any, qid: str, value: str, *, via_button: bool) -> None:
    field = page.locator(f'[data-quiz="{qid}"] input')
    field.focus()
    page.keyboard.press("Control+A")
    page.keyboard.press("Delete")
    page.keyboard.type(value)
    if via_button:
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.classList.contains('quiz__check')")
        page.keyboard.press("Space")
    else:
        page.keyboard.press("Enter")


@pytest.mark.parametrize("width", WIDTHS)
def test_every_question_answers_wrong_then_right_by_keyboard(
    sim_context: Any, site_url: str, width: int
) -> None:
    page = open_chapter(sim_context, site_url, width)
    try:
        questions = blocks(page)
        assert len(questions) >= 19
        for q in questions:
            qid = q["id"]
            if q["kind"] == "choice":
                right = q["options"].index(q["answer"])
                wrong = next(i for i in range(len(q["options"])) if i != right)
                answer_choice(page, qid, wrong)
                got = feedback(page, qid)
                assert got["status"] == "wrong" and got["text"].startswith("✗ Not quite."), got
                answer_choice(page, qid, right)
            else:
                answer_number(page, qid, "abc", via_button=False)
                got = feedback(page, qid)
                assert got["status"] == "empty" and "not a whole number" in got["text"], got
                answer_number(page, qid, str(int(q["answer"]) + 1), via_button=False)
                got = feedback(page, qid)
                assert got["status"] == "wrong", got
                assert got["text"].startswith(f"✗ Not {int(q['answer']) + 1}."), got
                answer_number(page, qid, q["answer"], via_button=True)
            got = feedback(page, qid)
            assert got["status"] == "right" and got["text"].startswith("✓ Right"), (qid, got)
            assert got["role"] == "status" and got["live"] == "polite", "a live region"
            if q["where"]:
                assert q["where"][:40] in got["text"], f"{qid}: the feedback names the sim state"
        assert horizontal_overflow(page) == 0, f"the chapter scrolls sideways at {width} px"
    finally:
        page.close()


def test_an_unanswered_choice_says_what_to_do(sim_context: Any, site_url: str) -> None:
    page = open_chapter(sim_context, site_url, 1280)
    try:
        page.locator('[data-quiz="kv-model"] .quiz__check').focus()
        page.keyboard.press("Enter")
        assert feedback(page, "kv-model")["text"].endswith("Choose one of the options first.")
    finally:
        page.close()


@pytest.mark.parametrize(("width", "scheme"), [(1280, "light"), (1280, "dark"), (390, "light")])
def test_chapter_with_answered_questions_is_axe_clean(
    sim_context: Any, site_url: str, width: int, scheme: str
) -> None:
    page = open_chapter(sim_context, site_url, width, scheme)
    try:
        answer_choice(page, "kv-model", 1)  # a wrong answer's feedback
        answer_number(page, "sim-hash-cart", "99", via_button=False)
        page.locator('[data-quiz="kv-opaque"] details summary').focus()
        page.keyboard.press("Enter")  # an opened "Check your answer"
        assert page.evaluate("document.querySelector('[data-quiz=\"kv-opaque\"] details').open")
        violations = axe_violations(page)
        assert violations == [], f"axe ({width} px, {scheme}): {violations}"
        small = page.evaluate(
            """() => [...document.querySelectorAll('.quiz, .quiz *')]
                .filter(e => e.textContent.trim() && parseFloat(getComputedStyle(e).fontSize) < 16)
                .map(e => e.tagName + '.' + e.className)"""
        )
        assert small == [], f"question text under 16 px: {small[:5]}"
    finally:
        page.close()


def test_without_javascript_questions_and_answers_still_read(browser: Any, site_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(f"{site_url}{CHAPTER}")
        block = page.locator('[data-quiz="hash-bucket-16"]')
        assert block.locator(".quiz__check").is_hidden(), "no dead Check button"
        summary = block.locator("summary")
        assert summary.inner_text() == "Check your answer"
        summary.click()
        answer = block.get_attribute("data-answer")
        assert f"Answer: {answer}." in block.locator(".quiz__explain").inner_text()
    finally:
        context.close()


def test_jump_link_moves_keyboard_focus_into_the_sim(sim_context: Any, site_url: str) -> None:
    page = open_chapter(sim_context, site_url, 1280)
    try:
        page.keyboard.press("Tab")  # Material's "Skip to content"
        page.keyboard.press("Enter")
        for _ in range(3):  # the first links of the content: the three jump links
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.getAttribute('href')") == (
                "#sim-cache-eviction-simulator"
            ):
                break
        assert page.evaluate("document.activeElement.getAttribute('href')") == (
            "#sim-cache-eviction-simulator"
        )
        page.keyboard.press("Enter")  # focus moves onto the sim's frame: Tab goes into the sim
        assert page.evaluate("document.activeElement.id") == "sim-cache-eviction-simulator"
    finally:
        page.close()


def _sim_frame(page: Any, sim_id: str) -> Any:
    page.locator(f"#sim-{sim_id}").scroll_into_view_if_needed()
    # the chapter's iframes are loading="lazy": the frame starts loading once scrolled near
    page.frame_locator(f"#sim-{sim_id}").locator("html[data-sim-state=ready]").wait_for(
        state="attached", timeout=READY_TIMEOUT_MS
    )
    for candidate in page.frames:
        if f"/sims/{sim_id}/main.html" in candidate.url:
            return candidate
    raise AssertionError(f"no frame for {sim_id}")


def test_prompts_answers_are_what_the_embedded_sims_show(sim_context: Any, site_url: str) -> None:
    page = open_chapter(sim_context, site_url, 1280)
    try:
        answers = {q["id"]: q["answer"] for q in blocks(page)}
        hash_sim = _sim_frame(page, "hash-table-lookup")
        state = hash_sim.evaluate("window.microsim._sim.call('hash', {key: 'cart:42'})")
        assert str(state["last"]["bucket"]) == answers["sim-hash-cart"]
        hash_sim.evaluate("window.microsim._sim.call('hash', {key: 'user:42'})")
        state = hash_sim.evaluate("window.microsim._sim.call('collision', {})")
        assert state["collision"]["newKey"] == answers["sim-hash-collision"]

        evict = _sim_frame(page, "cache-eviction-simulator")
        state = evict.evaluate("window.microsim.step(14)")
        assert state["log"][-1]["evicted"] == answers["sim-evict-lru"]
        state = evict.evaluate("window.microsim.step(6)")
        assert str(state["hits"]) == answers["sim-evict-hits"]

        modes = _sim_frame(page, "cache-failure-modes")
        state = modes.evaluate("window.microsim.step(300)")
        assert str(state["stampede"]["dbPeak"]) == answers["sim-stampede-peak"]
        hot = [s["id"] for s in state["hotKey"]["shards"] if s["overloaded"]]
        assert [str(s) for s in hot] == [answers["sim-hotkey-shard"]]
    finally:
        page.close()
