"""The usage examples in the scenario modules' docstrings run and give what they claim."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "kvengine.scenarios",
    "kvengine.scenarios.cluster",
    "kvengine.scenarios.database",
    "kvengine.scenarios.patterns",
    "kvengine.scenarios.stampede",
    "kvengine.scenarios.hotkey",
    "kvengine.scenarios.params",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0, f"{name} has no usage example"
    assert result.failed == 0
