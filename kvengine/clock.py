"""Clocks: everything time-based in the engine reads the store's clock, never ``time`` itself.

``SystemClock`` reads the wall clock (what redis-server does); ``VirtualClock`` only moves
when told to, which makes every scenario, test and sim step reproducible::

    >>> clock = VirtualClock(start_ms=1_000)
    >>> clock.advance(250)
    1250
    >>> clock.now_ms()
    1250
"""

from __future__ import annotations

import time
from typing import Protocol


class Clock(Protocol):
    """Anything with ``now_ms() -> int`` (milliseconds since an epoch)."""

    def now_ms(self) -> int: ...


class SystemClock:
    """Real time in integer milliseconds since the Unix epoch (Redis's ``mstime()``)."""

    def now_ms(self) -> int:
        return time.time_ns() // 1_000_000

    def __repr__(self) -> str:
        return "SystemClock()"


class VirtualClock:
    """A clock that moves only through :meth:`advance` or :meth:`set`."""

    def __init__(self, start_ms: int = 0) -> None:
        self._now = int(start_ms)

    def now_ms(self) -> int:
        return self._now

    def advance(self, ms: int) -> int:
        """Move forward by ``ms`` milliseconds (never backwards); returns the new time."""
        ms = int(ms)
        if ms < 0:
            raise ValueError("a clock cannot go backwards")
        self._now += ms
        return self._now

    def set(self, now_ms: int) -> int:
        """Jump to ``now_ms`` if it is not in the past; returns the new time."""
        now_ms = int(now_ms)
        if now_ms < self._now:
            raise ValueError("a clock cannot go backwards")
        self._now = now_ms
        return self._now

    def __repr__(self) -> str:
        return f"VirtualClock({self._now})"
