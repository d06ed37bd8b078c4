"""Generic keyspace commands of the native API (db.c): DEL, EXISTS, TOUCH, TYPE, RENAME,
KEYS, SCAN, RANDOMKEY, DBSIZE, FLUSHALL.

They work on a key of any type: the value is asked its type (:mod:`kvengine.values`) and is
moved or deleted whole. Reads that only inspect a key (``EXISTS``, ``TYPE``) do not count as an
access; ``TOUCH`` does.

    >>> from kvengine import Store, VirtualClock
    >>> s = Store(clock=VirtualClock(0))
    >>> s.mset({"a": "1", "b": "2"}), s.rename("a", "c"), s.exists("a", "c", "c"), s.delete("b")
    ('OK', 'OK', 2, 1)
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..errors import ResponseError
from ..glob import compile_pattern
from ..util import int_arg, to_str
from ..values import type_name as value_type
from . import Family


class KeyCommands(Family):
    """DEL, UNLINK, EXISTS, TOUCH, TYPE, RENAME, RENAMENX, KEYS, SCAN, RANDOMKEY, DBSIZE,
    FLUSHALL, FLUSHDB."""

    def delete(self, *keys: Any) -> int:
        """DEL: how many of ``keys`` existed (expired keys do not count)."""
        names = [to_str(k) for k in keys]
        db = self._db
        now = db.now()
        n = 0
        for key in names:
            if db.exp:
                db.expire_if_needed(key, now)
            if db.delete(key):
                n += 1
                if self._events.active:
                    self._events.emit({"type": "del", "key": key})
        return n

    unlink = delete

    def exists(self, *keys: Any) -> int:
        """EXISTS: how many of ``keys`` exist (a key named twice counts twice)."""
        names = [to_str(k) for k in keys]
        return sum(1 for k in names if self._db.lookup(k, touch=False) is not None)

    def touch(self, *keys: Any) -> int:
        """TOUCH: records an access to each existing key; returns how many existed."""
        names = [to_str(k) for k in keys]
        return sum(1 for k in names if self._db.lookup(k) is not None)

    def type(self, key: Any) -> str:
        """TYPE: ``string``, ``hash``, ``list``, ``set``, ``zset``, or ``none``."""
        value = self.lookup_read(to_str(key), touch=False)
        return "none" if value is None else value_type(value)

    def rename(self, src: Any, dst: Any, nx: bool = False) -> str | int:
        """RENAME (or RENAMENX with ``nx``): the value, its TTL and its access data move."""
        src, dst = to_str(src), to_str(dst)
        db = self._db
        if db.lookup(src, True, False) is None:
            raise ResponseError(errors.NO_SUCH_KEY)
        if src == dst:
            return 0 if nx else "OK"
        if db.lookup(dst, True, False) is not None:
            if nx:
                return 0
            db.delete(dst)
        db.rename(src, dst)
        return 1 if nx else "OK"

    def renamenx(self, src: Any, dst: Any) -> int:
        return 1 if self.rename(src, dst, nx=True) else 0

    def keys(self, pattern: Any = "*") -> list[str]:
        """KEYS: the matching keys that are not expired (bucket order)."""
        match = compile_pattern(to_str(pattern))
        now = self._db.now()
        alive = self._db.alive
        return [k for k in self._db.main.keys() if alive(k, now) and (match is None or match(k))]

    def scan(
        self,
        cursor: int = 0,
        count: int = 10,
        match: Any = None,
        type_name: Any = None,
    ) -> list:
        """SCAN: ``[next_cursor (str), [keys]]``; walks buckets with Redis's reverse-binary
        cursor (``count`` buckets' worth, at most ``count * 10`` bucket visits per call).
        """
        if not isinstance(cursor, int) or isinstance(cursor, bool) or not 0 <= cursor < 1 << 64:
            raise ResponseError(errors.INVALID_CURSOR)
        count = int_arg(count)
        if count < 1:
            raise ResponseError(errors.SYNTAX_ERROR)
        m = compile_pattern(to_str(match)) if match is not None else None
        wanted = to_str(type_name).lower() if type_name is not None else None
        db = self._db
        found: list[str] = []
        budget = count * 10
        while True:
            cursor = db.main.scan(cursor, found.append)
            budget -= 1
            if not (cursor and budget > 0 and len(found) < count):
                break
        now = db.now()
        out = []
        for key in found:
            if m is not None and not m(key):
                continue
            if wanted is not None:
                # Redis looks the key up to learn its type (counting a keyspace hit or miss)
                value = self.lookup_read(key, touch=False)
                if value is None or value_type(value) != wanted:
                    continue
            elif db.exp and db.expire_if_needed(key, now):
                continue
            out.append(key)
        return [str(cursor), out]

    def randomkey(self) -> str | None:
        """RANDOMKEY: a random key (expired ones met on the way are deleted)."""
        db = self._db
        while db.data:  # each expired key met is deleted, so this ends
            key = db.main.fair_random_key(db.rng)
            assert key is not None
            if key in db.exp and db.expire_if_needed(key, db.now()):
                continue
            return key
        return None

    def dbsize(self) -> int:
        """DBSIZE: keys stored (keys that expired but were not yet removed count, as in Redis)."""
        return len(self._db.data)

    def flushall(self) -> str:
        self._db.flush()
        self._evictor.clear()
        if self._events.active:
            self._events.emit({"type": "flush"})
        return "OK"

    flushdb = flushall
