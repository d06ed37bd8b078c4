"""What a test does when an external tool it needs (redis-server, Node + Pyodide) is missing.

On a developer's machine a missing tool is a skip, so the rest of the suite still runs; in CI
(``CI`` set to 1/true/yes, as GitHub Actions does) it is a failure, so a broken setup cannot pass
as green with the differential and Pyodide tests silently skipped.

Usage::

    from tests.external_tools import missing_tool

    if shutil.which("node") is None:
        missing_tool("node not found; run `make setup`")   # skips locally, fails in CI
"""

from __future__ import annotations

import os
from typing import NoReturn

import pytest


def in_ci() -> bool:
    """True when the ``CI`` environment variable says this is a CI run."""
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing_tool(message: str) -> NoReturn:
    """Skip the current test (or fixture's tests) with ``message``; fail instead in CI."""
    if in_ci():
        pytest.fail(f"{message} (a failure in CI, not a skip)", pytrace=False)
    pytest.skip(message)
