"""String commands of the native API (t_string.c): GET, SET, GETEX, MSET, INCRBY, APPEND...

A string value is a plain ``str``. Every write of one goes through :meth:`StringCommands._set_key`
(Redis's ``setKey``): a new key is added (``dbAdd``), an existing one overwritten
(``dbOverwrite``), and its TTL cleared unless the command keeps it (``SET ... KEEPTTL``,
``INCR``, ``APPEND``). ``SET`` is ``setGenericCommand``: check every option, make room, read
the old value for ``GET``, apply ``NX`` / ``XX``, write.

    >>> from kvengine import Store, VirtualClock
    >>> s = Store(clock=VirtualClock(0))
    >>> s.set("n", "41", ex=60), s.incr("n"), s.ttl("n"), s.set("n", "x", nx=True)
    ('OK', 42, 60, None)
    >>> s.mset({"a": "1", "b": "2"}), s.mget("a", "b", "zzz"), s.append("a", "23")
    ('OK', ['1', '2', None], 3)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import errors
from ..errors import ResponseError
from ..keyspace import Entry
from ..limits import check_string_length
from ..memory import byte_len
from ..ttl import UNITS, expire_at, expire_option
from ..util import LLONG_MAX, LLONG_MIN, int_arg, parse_int, to_str
from . import Family


def _pairs(cmd: str, mapping: dict | Iterable[tuple[Any, Any]]) -> list[tuple[str, str]]:
    """MSET's argument, a dict or (key, value) pairs, as text; at least one pair."""
    items = mapping.items() if isinstance(mapping, dict) else mapping
    try:
        pairs = [(k, v) for k, v in items]
    except (TypeError, ValueError):
        raise ResponseError(f"ERR {cmd} takes a dict or (key, value) pairs") from None
    if not pairs:
        raise ResponseError(errors.wrong_arity(cmd))
    return [(to_str(k), to_str(v)) for k, v in pairs]


class StringCommands(Family):
    """GET, SET (EX PX EXAT PXAT NX XX KEEPTTL GET), GETEX, GETDEL, GETSET, SETNX, SETEX,
    PSETEX, MGET, MSET, MSETNX, INCR, INCRBY, DECR, DECRBY, APPEND, STRLEN."""

    def get(self, key: Any) -> str | None:
        """GET: the value, or None if missing or expired."""
        if type(key) is not str or not key.isascii():
            key = to_str(key)
        if self._maxmemory:  # maxkeys is enforced by writes (make_room)
            self._evictor.perform_evictions(self._maxmemory)
        e = self._db.lookup(key)
        if e is None:
            return None
        if e.value.__class__ is not str:
            raise ResponseError(errors.WRONGTYPE)
        return e.value

    def set(
        self,
        key: Any,
        value: Any,
        ex: Any = None,
        px: Any = None,
        exat: Any = None,
        pxat: Any = None,
        nx: bool = False,
        xx: bool = False,
        keepttl: bool = False,
        get: bool = False,
    ) -> str | None:
        """SET with Redis's options. Returns "OK", or None if NX/XX prevented the write;
        with ``get=True`` returns the old value (or None) instead."""
        if type(key) is not str or not key.isascii():
            key = to_str(key)
        if type(value) is not str or not value.isascii():
            value = to_str(value)
        if nx and xx:
            raise ResponseError(errors.SYNTAX_ERROR)
        if ex is None and px is None and exat is None and pxat is None:
            when = None
        elif keepttl:
            raise ResponseError(errors.SYNTAX_ERROR)
        else:
            when = expire_option("set", self._db.now(), ex, px, exat, pxat)
        if xx:
            self.make_room()  # XX never adds a key
        else:
            self.make_room(key)
        old = self.lookup_read(key, "string") if get else None
        e = self._db.lookup(key, True, False)  # lookupKeyWrite
        if (nx and e is not None) or (xx and e is None):
            return old
        self._set_key(key, e, value, when, keepttl)
        return old if get else "OK"

    def _set_key(self, key: str, e: Entry | None, value: str, when: int | None, keep: bool) -> None:
        """``setKey``: write ``value`` to ``key`` (``e``: its entry, just looked up, or None),
        expiring at ``when`` (ms) if given, else keeping the TTL only if ``keep``."""
        db = self._db
        if e is None:
            db.add(key, value)
        else:
            db.overwrite(key, e, value)
            if not keep and key in db.exp:
                db.remove_expire(key)
        if when is not None:
            db.set_expire(key, when)
        if self._events.active:
            self._events.emit({"type": "set", "key": key, "ttl_ms": self.pttl_of(key)})

    def _string_entry(self, key: str) -> Entry | None:
        """``lookupKeyWrite`` for a command that reads a string before writing it: the entry,
        None, or Redis's WRONGTYPE error."""
        e = self._db.lookup(key, True, False)
        if e is not None and e.value.__class__ is not str:
            raise ResponseError(errors.WRONGTYPE)
        return e

    def setex(self, key: Any, seconds: Any, value: Any) -> str | None:
        """SETEX: SET with a TTL in seconds (its errors name ``setex``)."""
        when = expire_at("setex", "ex", seconds, self._db.now())
        return self.set(key, value, pxat=when)

    def psetex(self, key: Any, ms: Any, value: Any) -> str | None:
        when = expire_at("psetex", "px", ms, self._db.now())
        return self.set(key, value, pxat=when)

    def setnx(self, key: Any, value: Any) -> int:
        return 1 if self.set(key, value, nx=True) == "OK" else 0

    def getset(self, key: Any, value: Any) -> str | None:
        """GETSET: set and return the old value (the TTL is cleared)."""
        return self.set(key, value, get=True)

    def getex(
        self,
        key: Any,
        ex: Any = None,
        px: Any = None,
        exat: Any = None,
        pxat: Any = None,
        persist: bool = False,
    ) -> str | None:
        """GETEX: the value, and set or remove its TTL."""
        key = to_str(key)
        given = [(u, v) for u, v in zip(UNITS, (ex, px, exat, pxat), strict=True) if v is not None]
        if len(given) > 1 or (persist and given):
            raise ResponseError(errors.SYNTAX_ERROR)
        value = self.lookup_read(key, "string")
        if value is None:
            return None
        # the time is validated after the lookup, as getexCommand does (a miss replies nil)
        db = self._db
        now = db.now()
        when = expire_at("getex", *given[0], now) if given else None
        if when is not None and when <= now:
            db.delete(key)
        elif when is not None:
            db.set_expire(key, when)
        elif persist:
            db.remove_expire(key)
        return value

    def getdel(self, key: Any) -> str | None:
        key = to_str(key)
        value = self.lookup_read(key, "string")
        if value is not None:
            self._db.delete(key)
        return value

    def mget(self, *keys: Any) -> list[str | None]:
        """MGET: a value per key; None for a missing key or one of another type."""
        names = [to_str(k) for k in keys]
        if self._maxmemory:  # maxkeys is enforced by writes (make_room)
            self._evictor.perform_evictions(self._maxmemory)
        out = []
        for key in names:
            e = self._db.lookup(key)
            out.append(e.value if e is not None and e.value.__class__ is str else None)
        return out

    def mset(self, mapping: dict | Iterable[tuple[Any, Any]]) -> str:
        """MSET: set every pair (TTLs cleared); room is made for all of them first."""
        pairs = _pairs("mset", mapping)
        self.make_room(*(k for k, _ in pairs))
        self._set_pairs(pairs)
        return "OK"

    def _set_pairs(self, pairs: list[tuple[str, str]]) -> None:
        """MSET's writes, in order (a key named twice keeps its last value)."""
        db = self._db
        for k, v in pairs:
            self._set_key(k, db.lookup(k, True, False), v, None, False)

    def msetnx(self, mapping: dict | Iterable[tuple[Any, Any]]) -> int:
        """MSETNX: set every pair only if none of the keys exists."""
        pairs = _pairs("msetnx", mapping)
        self.make_room(*(k for k, _ in pairs))
        if any(self._db.lookup(k, True, False) is not None for k, _ in pairs):
            return 0
        self._set_pairs(pairs)
        return 1

    def incrby(self, key: Any, amount: Any = 1) -> int:
        """INCRBY (keeps the TTL). Errors as Redis for non-integers and overflow."""
        key = to_str(key)
        incr = int_arg(amount)
        self.make_room(key)
        e = self._string_entry(key)
        n = 0 if e is None else parse_int(e.value)
        if n is None:
            raise ResponseError(errors.NOT_INTEGER)
        result = n + incr
        if result > LLONG_MAX or result < LLONG_MIN:
            raise ResponseError(errors.OVERFLOW)
        self._set_key(key, e, str(result), None, True)
        return result

    def incr(self, key: Any) -> int:
        return self.incrby(key, 1)

    def decr(self, key: Any) -> int:
        return self.incrby(key, -1)

    def decrby(self, key: Any, amount: Any) -> int:
        n = int_arg(amount)
        if n == LLONG_MIN:
            raise ResponseError(errors.DECR_OVERFLOW)
        return self.incrby(key, -n)

    def append(self, key: Any, value: Any) -> int:
        """APPEND: the new length in bytes (keeps the TTL)."""
        key, value = to_str(key), to_str(value)
        self.make_room(key)
        e = self._string_entry(key)
        if e is not None:  # as Redis: a new key takes the argument as it is
            check_string_length(byte_len(e.value), byte_len(value))
        new = value if e is None else e.value + value
        self._set_key(key, e, new, None, True)
        return byte_len(new)

    def strlen(self, key: Any) -> int:
        value = self.lookup_read(to_str(key), "string")
        return 0 if value is None else byte_len(value)
