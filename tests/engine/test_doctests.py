"""The usage examples in the engine's docstrings are run, so they cannot go stale."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "kvengine",
    "kvengine.clock",
    "kvengine.hashing",
    "kvengine.hashtable",
    "kvengine.store",
    "kvengine.evict",
    "kvengine.commands",
    "kvengine.keyspace",
    "kvengine.lfu",
    "kvengine.ttl",
    "kvengine.util",
    "kvengine.values",
    "kvengine.values.hash",
    "kvengine.values.list",
    "kvengine.listpack",
    "kvengine.longdouble",
    "kvengine.errors",
    "kvengine.events",
    "kvengine.memory",
    "kvengine.glob",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
    if name not in ("kvengine.errors",):
        assert result.attempted > 0, f"{name} has no usage example"
