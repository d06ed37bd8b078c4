"""User text is bidi-isolated: microsims/bidi.py and sims/kit/bidi.js agree, and a key with an
unbalanced RIGHT-TO-LEFT OVERRIDE sits in the narration inside FSI ... PDI."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from microsims import SimInputError, create
from microsims.bidi import FSI, PDI, isolate

ROOT = Path(__file__).resolve().parents[2]
RLO = "\u202e"
SAMPLES = [
    "user:42",
    "caf\u00e9 \u2603 1.5",
    f"{RLO}abc",
    f"a{RLO}b",
    "\u05e9\u05dc\u05d5\u05dd",  # Hebrew
    "\u0645\u0631\u062d\u0628\u0627 42",  # Arabic
    "x\u2069\u202e",  # a stray PDI that would close the isolate early
    "\u2067open",  # an isolate never closed
    "\U00010900",  # Phoenician (right-to-left, outside the BMP)
]


def closes_everything(text: str) -> bool:
    """True if text is FSI ... PDI with every isolate inside balanced (so X6a closes all)."""
    if not (text.startswith(FSI) and text.endswith(PDI)):
        return False
    depth = 0
    for char in text:
        depth += char in "\u2066\u2067\u2068"
        depth -= char == PDI
        if depth < 0:
            return False
    return depth == 0


@pytest.mark.parametrize("text", SAMPLES)
def test_isolate_wraps_only_text_that_can_move_its_neighbours(text: str) -> None:
    result = isolate(text)
    if text.isascii() or text == "caf\u00e9 \u2603 1.5":
        assert result == text
    else:
        assert closes_everything(result)
        bare = str.maketrans("", "", FSI + PDI)
        assert result.translate(bare) == text.translate(bare)  # only isolate marks change


def test_the_page_isolates_alike() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (
        f"import {{ isolate }} from {json.dumps((ROOT / 'sims/kit/bidi.js').as_uri())};\n"
        f"console.log(JSON.stringify({json.dumps(SAMPLES)}.map(isolate)));\n"
    )
    out = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    assert json.loads(out.stdout) == [isolate(text) for text in SAMPLES]


def test_a_key_with_an_override_is_isolated_in_the_narration() -> None:
    sim = create("hash-table-lookup", {"key": f"{RLO}abc"}, seed=1)
    narration = sim.state()["narration"]
    assert narration.startswith(f"{FSI}{RLO}abc{PDI} hashes to ")
    assert RLO not in narration.split(PDI, 1)[1]  # nothing after the isolate is overridden


def test_a_refused_sequence_token_is_isolated_in_the_notice() -> None:
    sim = create("cache-eviction-simulator", {}, seed=1)
    with pytest.raises(SimInputError, match="is not a key") as refused:
        sim.cmd_set_sequence(text=f"A {RLO}B")
    assert f"{FSI}{RLO}B{PDI}" in str(refused.value)
