"""URL parameter forms: the page's checker (sims/kit/params.js) and Python's (microsims/params.py)
decide the same way (docs/contracts.md): a number written with spaces, a plus sign or leading
zeros is read as its canonical value with a notice that says so; a repeated parameter takes the
first value, with a notice naming it; text parameters are taken as they are."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from microsims.params import read_params

ROOT = Path(__file__).resolve().parents[2]
SPEC: dict[str, Any] = {
    "size": {"type": "int", "min": 4, "max": 16, "default": 8, "label": "Table size"},
    "policy": {
        "type": "enum",
        "default": "lru",
        "options": [{"value": "lru", "label": "LRU"}, {"value": "lfu", "label": "LFU"}],
    },
    "key": {"type": "string", "default": "user:42", "maxLength": 100},
    "rate": {"type": "number", "min": 0, "max": 10, "default": 1},
    "servers": {"type": "int", "min": 2, "max": 20, "default": 10, "label": "Servers"},
    "keys": {
        "type": "int",
        "min": 1,
        "max": 20,
        "default": 10,
        "maxFrom": "servers",
        "label": "Hot keys",
    },
}

# query -> (the values that differ from the defaults, words every notice list must contain)
CASES: dict[str, tuple[dict[str, Any], list[str]]] = {
    "size=5": ({"size": 5}, []),
    "size=%2B5": ({"size": 5}, ['Read size="+5" as 5.']),
    "size=+5": ({"size": 5}, ['Read size=" 5" as 5.']),  # a URL's "+" is a space
    "size=%208%20": ({"size": 8}, ['Read size=" 8 " as 8.']),
    "size=08": ({"size": 8}, ['Read size="08" as 8.']),
    "rate=2.50": ({"rate": 2.5}, ['Read rate="2.50" as 2.5.']),
    "policy=%20lfu": ({"policy": "lfu"}, ['Read policy=" lfu" as lfu.']),
    "key=%20a%20b%20": ({"key": " a b "}, []),
    "size=4&size=99": ({"size": 4}, ['size is given 2 times; using the first, size="4".']),
    "size=99&size=4&size=5": ({}, ['size is given 3 times; using the first, size="99".', "99"]),
    # a bounded parameter's notice gives the range its bound allows, not only its declared one
    "keys=99": ({}, ["from 1 to 10 (the servers)", "10."]),
    "servers=4&keys=99": ({"servers": 4, "keys": 4}, ["from 1 to 4 (the servers)", "4."]),
    "servers=4&keys=6": ({"servers": 4, "keys": 4}, ["from 1 to 4 (the servers)", "4."]),
    "servers=4": ({"servers": 4, "keys": 4}, []),
}


def python_reading(query: str) -> tuple[dict[str, Any], list[str]]:
    return read_params({"params": SPEC}, parse_qs(query, keep_blank_values=True))


def javascript_readings() -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed")
    script = (
        f"import {{ parseParams }} from {json.dumps((ROOT / 'sims/kit/params.js').as_uri())};\n"
        f"const spec = {json.dumps(SPEC)};\n"
        f"const out = {{}};\n"
        f"for (const q of {json.dumps(list(CASES))}) out[q] = parseParams('?' + q, spec);\n"
        "console.log(JSON.stringify(out));\n"
    )
    result = subprocess.run(
        [node, "--input-type=module", "-e", script], capture_output=True, text=True, check=True
    )
    return json.loads(result.stdout)  # type: ignore[no-any-return]


@pytest.mark.parametrize("query", list(CASES))
def test_python_reads_each_form_and_says_so(query: str) -> None:
    changed, words = CASES[query]
    values, notices = python_reading(query)
    defaults = {name: param["default"] for name, param in SPEC.items()}
    assert values == {**defaults, **changed}
    text = " ".join(notices)
    for word in words:
        assert word in text
    if not words:
        assert notices == []


def test_the_page_decides_like_python() -> None:
    readings = javascript_readings()
    for query, (changed, words) in CASES.items():
        values = readings[query]["values"]
        notices = readings[query]["notices"]
        for name, param in SPEC.items():
            assert values[name] == changed.get(name, param["default"]), query
        text = " ".join(notices)
        for word in words:
            assert word in text, (query, notices)
        if not words:
            assert notices == [], query
        if "=" in " ".join(words) and "given" not in " ".join(words):
            assert notices == python_reading(query)[1], query
