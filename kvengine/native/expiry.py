"""Expiry commands of the native API (expire.c): EXPIRE and its relatives, TTL, PERSIST.

The time arithmetic and the rules of ``NX``, ``XX``, ``GT`` and ``LT`` are in
:mod:`kvengine.ttl` (a key without a TTL counts as one that never expires: ``GT`` never sets
it, ``LT`` always does); the keyspace stores the absolute time (``setExpire``). A time already
past deletes the key, as Redis does, and the reply is still 1.

    >>> from kvengine import Store, VirtualClock
    >>> s = Store(clock=VirtualClock(0))
    >>> s.set("k", "v"), s.expire("k", 100, gt=True), s.expire("k", 100, lt=True), s.ttl("k")
    ('OK', 0, 1, 100)
    >>> s.pexpire("k", -1), s.ttl("k")
    (1, -2)
"""

from __future__ import annotations

from typing import Any

from ..ttl import check_expire_options, expire_allowed, ttl_reply, when_from_argument
from ..util import to_str
from . import Family


class ExpiryCommands(Family):
    """EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT (NX XX GT LT), TTL, PTTL, EXPIRETIME,
    PEXPIRETIME, PERSIST."""

    def ttl(self, key: Any) -> int:
        """TTL in seconds (rounded), -1 without TTL, -2 if missing."""
        return self._ttl(key, False, False)

    def pttl(self, key: Any) -> int:
        return self._ttl(key, True, False)

    def expiretime(self, key: Any) -> int:
        return self._ttl(key, False, True)

    def pexpiretime(self, key: Any) -> int:
        return self._ttl(key, True, True)

    def _ttl(self, key: Any, ms: bool, absolute: bool) -> int:
        """``ttlGenericCommand``."""
        key = to_str(key)
        db = self._db
        if db.lookup(key, touch=False) is None:
            return -2
        return ttl_reply(db.exp.get(key), db.now(), ms, absolute)

    def pttl_of(self, key: str) -> int | None:
        """Remaining ms of ``key``'s TTL without touching it (None: no TTL or missing)."""
        when = self._db.exp.get(key)
        return None if when is None else max(0, when - self._db.now())

    def expire(self, key: Any, seconds: Any, **options: bool) -> int:
        """EXPIRE key seconds [NX|XX|GT|LT] (``nx=True`` ...): 1 if the timeout was set."""
        return self._expire("expire", key, seconds, 1000, True, **options)

    def pexpire(self, key: Any, ms: Any, **options: bool) -> int:
        return self._expire("pexpire", key, ms, 1, True, **options)

    def expireat(self, key: Any, timestamp: Any, **options: bool) -> int:
        return self._expire("expireat", key, timestamp, 1000, False, **options)

    def pexpireat(self, key: Any, timestamp_ms: Any, **options: bool) -> int:
        return self._expire("pexpireat", key, timestamp_ms, 1, False, **options)

    def _expire(
        self,
        cmd: str,
        key: Any,
        amount: Any,
        unit: int,
        relative: bool,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> int:
        """``expireGenericCommand``: options, then the time, then the key."""
        key = to_str(key)
        check_expire_options(nx, xx, gt, lt)
        db = self._db
        when = when_from_argument(cmd, amount, unit, relative, db.now())
        if db.lookup(key, True, False) is None:
            return 0
        if not expire_allowed(db.exp.get(key), when, nx, xx, gt, lt):
            return 0
        if when <= db.now():
            db.delete(key)
            if self._events.active:
                self._events.emit({"type": "del", "key": key, "why": "expire time in the past"})
            return 1
        db.set_expire(key, when)
        return 1

    def persist(self, key: Any) -> int:
        """PERSIST: 1 if a TTL was removed."""
        key = to_str(key)
        if self._db.lookup(key, True, False) is None:
            return 0
        return 1 if self._db.remove_expire(key) else 0
