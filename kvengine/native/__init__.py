"""The native API: one method per command, grouped by family as Redis groups its source files.

:class:`kvengine.store.Store` is assembled from these classes (mixins): each holds the methods
of one family and reaches the store through the few things every family needs (``self._db``,
the :class:`~kvengine.keyspace.Keyspace`; ``self._events``; ``self.make_room``,
``self.lookup_read`` and ``self.lookup_write``, defined in :mod:`kvengine.store`).

* :mod:`.strings` (t_string.c): GET, SET and its options, GETEX, MSET, INCRBY, APPEND...;
* :mod:`.expiry` (expire.c): EXPIRE and its relatives, TTL, PERSIST;
* :mod:`.keys` (db.c): DEL, EXISTS, TYPE, RENAME, KEYS, SCAN, RANDOMKEY, FLUSHALL.

Every method converts and checks all of its arguments first (:mod:`kvengine.util`), then makes
room (eviction, before the command, as Redis does), then changes the keyspace, so a call that
fails has changed nothing. Bad input raises :class:`~kvengine.errors.ResponseError` with
Redis's text, never another exception.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..events import EventHub
from ..evict import Evictor
from ..keyspace import Keyspace


class Family:
    """The base of each family: what its methods use of the store (annotations only; the
    attributes are set and the methods defined by :class:`kvengine.store.Store`)."""

    _db: Keyspace
    _events: EventHub
    _evictor: Evictor
    _maxmemory: int
    make_room: Callable[..., None]
    lookup_read: Callable[..., Any]
    lookup_write: Callable[..., Any]
    pttl_of: Callable[[str], int | None]
