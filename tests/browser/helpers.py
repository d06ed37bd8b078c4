"""Helpers for the Playwright tests: axe-core checks and the window.microsim interface.

Usage::

    from tests.browser.helpers import axe_violations, sim_state, sim_step
    assert axe_violations(page) == []
    state = sim_step(page, 5)          # window.microsim.step(5), resolves with the new state
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Any, *, include_iframes: bool = False) -> list[dict[str, Any]]:
    """WCAG 2.1 A/AA violations axe-core finds on the page now (empty list = none).

    Each item is ``{"id", "impact", "help", "nodes": [html snippets]}``, short enough to print.
    """
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async ([tags, iframes]) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                               iframes, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                           nodes: v.nodes.slice(0, 5).map(n => n.html)}));
        }""",
        [WCAG_21_AA, include_iframes],
    )
    return list(result)


def sim_state(page: Any) -> dict[str, Any]:
    """``window.microsim.state()`` of a sim page."""
    return page.evaluate("window.microsim.state()")  # type: ignore[no-any-return]


def sim_step(page: Any, n: int = 1) -> dict[str, Any]:
    """``await window.microsim.step(n)``; returns the new state."""
    return page.evaluate("n => window.microsim.step(n)", n)  # type: ignore[no-any-return]


def sim_reset(page: Any) -> dict[str, Any]:
    """``await window.microsim.reset()``; returns the state."""
    return page.evaluate("window.microsim.reset()")  # type: ignore[no-any-return]


def sim_call(page: Any, method: str, args: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a controller command the way a control would (test convenience, not a public API)."""
    return page.evaluate(  # type: ignore[no-any-return]
        "([m, a]) => window.microsim._sim.call(m, a)", [method, args or {}]
    )


def sim_status(page: Any) -> str:
    """``<html data-sim-state>``: "loading", "ready" or "error"."""
    return page.evaluate("document.documentElement.dataset.simState")  # type: ignore[no-any-return]


def horizontal_overflow(page: Any) -> int:
    """How many CSS pixels the page is wider than its viewport (0 = no horizontal scroll)."""
    return page.evaluate(  # type: ignore[no-any-return]
        "Math.max(0, document.documentElement.scrollWidth - document.documentElement.clientWidth)"
    )
