"""The kit's two palettes (sims/kit/theme.js): the same colour-blind-safe hues, WCAG AA contrast.

Read from theme.js itself, so a colour changed there is checked here: text (fg, muted) at least
4.5:1 on the background and on panels, in both schemes; `onFill` text at least 4.5:1 on every
status fill; the accent and grid lines at least 3:1 (WCAG 1.4.11, graphics) where they mark
something; every status colour one of the Okabe-Ito colours.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

THEME = (Path(__file__).resolve().parents[2] / "sims" / "kit" / "theme.js").read_text()
FILLS = ("ok", "bad", "warn", "info", "hit", "miss", "highlight", "purple")


def palettes() -> dict[str, dict[str, str]]:
    found = {}
    for name in ("light", "dark"):
        block = re.search(rf"\n  {name}: \{{(.*?)\n  \}}", THEME, re.S)
        assert block, f"the {name} palette in theme.js"
        found[name] = dict(re.findall(r"(\w+): \"(#[0-9a-fA-F]{6})\"", block.group(1)))
    return found


def okabe_ito() -> set[str]:
    block = re.search(r"OKABE_ITO = Object.freeze\(\[(.*?)\]\)", THEME, re.S)
    assert block
    return {colour.upper() for colour in re.findall(r"#[0-9a-fA-F]{6}", block.group(1))}


def luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_both_schemes_name_the_same_colours() -> None:
    light, dark = palettes().values()
    assert set(light) == set(dark)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_and_marks_meet_wcag_aa(scheme: str) -> None:
    c = palettes()[scheme]
    for text in ("fg", "muted"):
        for ground in ("bg", "panel"):
            assert contrast(c[text], c[ground]) >= 4.5, (scheme, text, ground)
    for fill in FILLS:
        assert contrast(c["onFill"], c[fill]) >= 4.5, (scheme, fill)
    assert contrast(c["accent"], c["bg"]) >= 3, scheme


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_status_colours_are_okabe_ito(scheme: str) -> None:
    c = palettes()[scheme]
    assert {c[fill].upper() for fill in FILLS} <= okabe_ito()
