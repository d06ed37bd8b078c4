"""Event listeners: how a sim sees inside an operation, at no cost when nobody listens.

Events are plain JSON-able dicts with a ``"type"``::

    {"type": "hash", "key": "user:42", "hash": 795573122, "bucket": 2}
    {"type": "probe", "key": "user:42", "bucket": 2, "chain": ["user:42"], "found": True}
    {"type": "rehash_step", "from_bucket": 0, "rehashidx": 3, "moved": [...], "done": False}
    {"type": "expire", "key": "session", "how": "lazy" | "active"}
    {"type": "evict", "key": "A", "policy": "allkeys-lru", "candidates": [...], "reason": "..."}
    {"type": "set" | "del" | "insert", "key": ...}

Code that emits checks ``hub.active`` (a plain bool) before building an event, so a store
without listeners builds no dicts at all.

    >>> hub = EventHub()
    >>> seen = []
    >>> hub.add(seen.append)
    >>> hub.emit({"type": "expire", "key": "k", "how": "lazy"})
    >>> seen
    [{'type': 'expire', 'key': 'k', 'how': 'lazy'}]
"""

from __future__ import annotations

from collections.abc import Callable

Listener = Callable[[dict], None]


class EventHub:
    """A list of listeners; ``active`` is True while there is at least one."""

    __slots__ = ("_listeners", "active")

    def __init__(self) -> None:
        self._listeners: list[Listener] = []
        self.active = False

    def add(self, fn: Listener) -> None:
        if not callable(fn):
            raise TypeError("a listener must be callable")
        self._listeners.append(fn)
        self.active = True

    def remove(self, fn: Listener) -> None:
        """Remove ``fn`` (no error if it was not listening)."""
        if fn in self._listeners:
            self._listeners.remove(fn)
        self.active = bool(self._listeners)

    def emit(self, event: dict) -> None:
        for fn in list(self._listeners):
            fn(event)


class EventLog:
    """A listener that keeps events in a list (handy for tests and sims).

    >>> log = EventLog()
    >>> log({"type": "del", "key": "k"})
    >>> log.types()
    ['del']
    """

    def __init__(self) -> None:
        self.events: list[dict] = []

    def __call__(self, event: dict) -> None:
        self.events.append(event)

    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    def of_type(self, kind: str) -> list[dict]:
        return [e for e in self.events if e["type"] == kind]

    def clear(self) -> None:
        self.events.clear()
