"""The store: one Redis 7.0 server with one database, as a Python object.

``Store`` is what a sim, a model or a test holds. It puts together the pieces, each in its own
module and each depending only on those below it:

* :mod:`kvengine.keyspace` (db.c): the two tables, ``lookupKey`` with lazy expiry, ``dbAdd`` /
  ``dbOverwrite`` / ``dbDelete``, the memory estimate and ``signalModifiedKey``;
* :mod:`kvengine.evict` (evict.c): the eviction pool and ``performEvictions``;
* :mod:`kvengine.expire` (expire.c): ``activeExpireCycle``, run by :meth:`Store.tick`;
* :mod:`kvengine.ttl`: the rules of the EXPIRE family, SET's EX/PX and TTL's replies.

The store adds the configuration (``maxmemory``, ``maxmemory-policy``, the ``maxkeys`` cap, an
engine extension), the event listeners, the statistics, and the *native API*: one method per
command, with the command's replies and errors. Every method first converts and checks all of
its arguments (:mod:`kvengine.util`), then makes room (eviction, before the command as Redis
does), then changes the keyspace, so a command that fails has changed nothing. ``execute``
runs a command by name through :mod:`kvengine.commands`, which uses only these methods::

    >>> from kvengine.clock import VirtualClock
    >>> store = Store(clock=VirtualClock(0), seed=1, policy="allkeys-lru", maxkeys=2)
    >>> store.set("a", "1"), store.set("b", "2", ex=10), store.get("a")
    ('OK', 'OK', '1')
    >>> store.set("c", "3")       # full: evicts the least recently used key, "b"
    'OK'
    >>> sorted(store.keys()), store.ttl("c")
    (['a', 'c'], -1)
    >>> store.execute("INCRBY", "a", 41)
    42

Commands for other types (hashes, lists, ...) use :meth:`Store.lookup_read`,
:meth:`Store.lookup_write`, :meth:`Store.make_room`, :meth:`Store.db_add`,
:meth:`Store.db_delete` and :meth:`Store.signal_modified_key`; a transaction layer uses
:meth:`Store.watch_key` and :meth:`Store.key_version`.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from typing import Any

from . import errors
from .clock import Clock, SystemClock
from .commands.registry import dispatch
from .errors import ResponseError
from .events import EventHub
from .evict import Evictor
from .expire import ActiveExpireCycle
from .glob import compile_pattern
from .hashtable import CRON_REHASH_STEPS
from .keyspace import Entry, Keyspace
from .ttl import (
    UNITS,
    check_expire_options,
    expire_allowed,
    expire_at,
    ttl_reply,
    when_from_argument,
)
from .util import LLONG_MAX, LLONG_MIN, int_arg, parse_int, to_str
from .values import encoding
from .values import type_name as value_type

LFU_COUNTER_MODES = ("log", "exact")


def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
    """A constructor or setter argument (a programming error is a ValueError, not a reply)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{name} must be an integer, got {value!r}")
    if value < low or (high is not None and value > high):
        bound = f"between {low} and {high}" if high is not None else f">= {low}"
        raise ValueError(f"{name} must be {bound}, got {value}")
    return value


def _key(key: Any) -> str:
    """An argument as text: an ASCII str as it is, anything else through :func:`to_str`."""
    return key if type(key) is str and key.isascii() else to_str(key)


def _pairs(mapping: dict | Iterable[tuple[Any, Any]]) -> list[tuple[str, str]]:
    items = mapping.items() if isinstance(mapping, dict) else mapping
    return [(_key(k), _key(v)) for k, v in items]


class Store:
    """A Redis-faithful key-value store. See the module docstring."""

    def __init__(
        self,
        clock: Clock | None = None,
        seed: int = 0,
        policy: str = "noeviction",
        maxmemory: int = 0,
        maxkeys: int | None = None,
        samples: int = 5,
        lfu_counter: str = "log",
        lfu_log_factor: int = 10,
        lfu_decay_time: int = 1,
        hz: int = 10,
    ) -> None:
        clock = clock if clock is not None else SystemClock()
        if not callable(getattr(clock, "now_ms", None)):
            raise TypeError("clock must have a now_ms() method")
        self._clock: Clock = clock
        self.seed = seed
        self._events = EventHub()
        self._db = Keyspace(clock.now_ms, random.Random(seed), self._events)
        self._evictor = Evictor(self._db, policy, _check_int("samples", samples, 1, (1 << 31) - 1))
        self._cron = ActiveExpireCycle(self._db)
        self._commands = 0
        self.set_lfu_counter(lfu_counter)
        self._maxmemory = _check_int("maxmemory", maxmemory, 0)
        self.maxkeys = None if maxkeys is None else _check_int("maxkeys", maxkeys, 0)
        self.lfu_log_factor = _check_int("lfu_log_factor", lfu_log_factor, 0)
        self.lfu_decay_time = _check_int("lfu_decay_time", lfu_decay_time, 0)
        self.hz = max(1, min(500, _check_int("hz", hz, 0)))
        # accepted by CONFIG SET like Redis, but without effect here (no CPU-time budgets,
        # no client buffers): see docs/engine.md
        self.maxmemory_eviction_tenacity = 10
        self.maxmemory_clients = "0"
        # the size limits of the compact encodings (redis.conf 7.0 defaults; CONFIG SET)
        self.hash_max_listpack_entries = 512
        self.hash_max_listpack_value = 64
        self.list_max_listpack_size = -2

    # ------------------------------------------------------------ configuration
    @property
    def clock(self) -> Clock:
        """The store's clock (replaceable; everything time-based reads it)."""
        return self._clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock
        self._db.now = clock.now_ms

    def now_ms(self) -> int:
        """The store clock's time in ms."""
        return self._db.now()

    @property
    def rng(self) -> random.Random:
        """The seeded generator behind every random choice (sampling, LFU, RANDOMKEY)."""
        return self._db.rng

    @property
    def maxmemory(self) -> int:
        """``maxmemory`` in estimated bytes (0 = no limit)."""
        return self._maxmemory

    @maxmemory.setter
    def maxmemory(self, value: int) -> None:
        self._maxmemory = _check_int("maxmemory", value, 0)

    @property
    def used_memory(self) -> int:
        """The memory estimate of every key (see :mod:`kvengine.memory`)."""
        return self._db.used_memory

    @property
    def policy(self) -> str:
        """``maxmemory-policy``; change it with :meth:`set_policy`."""
        return self._evictor.policy

    @property
    def samples(self) -> int:
        """``maxmemory-samples``."""
        return self._evictor.samples

    @samples.setter
    def samples(self, value: int) -> None:
        self._evictor.samples = _check_int("samples", value, 1, (1 << 31) - 1)

    @property
    def lfu_log_factor(self) -> int:
        return self._db.lfu_log_factor

    @lfu_log_factor.setter
    def lfu_log_factor(self, value: int) -> None:
        self._db.lfu_log_factor = _check_int("lfu_log_factor", value, 0)

    @property
    def lfu_decay_time(self) -> int:
        return self._db.lfu_decay_time

    @lfu_decay_time.setter
    def lfu_decay_time(self, value: int) -> None:
        self._db.lfu_decay_time = _check_int("lfu_decay_time", value, 0)

    def set_policy(self, policy: str) -> None:
        """Change ``maxmemory-policy`` (Redis's names). ValueError for an unknown name."""
        self._evictor.set_policy(policy)

    def set_lfu_counter(self, mode: str) -> None:
        """``"log"`` (Redis's probabilistic 8-bit counter) or ``"exact"`` (plain counts)."""
        if mode not in LFU_COUNTER_MODES:
            raise ValueError(f"lfu_counter must be 'log' or 'exact', got {mode!r}")
        self.lfu_counter = mode
        self._db.exact = mode == "exact"

    def set_maxkeys(self, maxkeys: int | None) -> None:
        """Cap the key count (engine extension); evicts at once if over the new cap."""
        self.maxkeys = None if maxkeys is None else _check_int("maxkeys", maxkeys, 0)
        if self.maxkeys is not None:
            while len(self._db.data) > self.maxkeys and self._evictor.evict_one():
                pass

    def set_maxmemory(self, maxmemory: int) -> None:
        """Cap the estimated bytes; evicts at once if over the new limit."""
        self.maxmemory = maxmemory
        self._evictor.perform_evictions(self._maxmemory)

    @property
    def stats(self) -> dict[str, int]:
        """The INFO stats counters (a fresh dict)."""
        db = self._db
        return {
            "keyspace_hits": db.hits,
            "keyspace_misses": db.misses,
            "expired_keys": db.expired,
            "evicted_keys": self._evictor.evicted,
            "total_commands_processed": self._commands,
            "expire_cycle_sampled": self._cron.sampled,
        }

    def reset_stats(self) -> None:
        """CONFIG RESETSTAT."""
        self._db.hits = self._db.misses = self._db.expired = self._evictor.evicted = 0
        self._commands = self._cron.sampled = 0

    # ------------------------------------------------------------------ events
    def add_listener(self, fn: Callable[[dict], None]) -> None:
        """Call ``fn(event)`` for every event (see :mod:`kvengine.events`)."""
        self._events.add(fn)
        self._db.main.observer = self._events.emit

    def remove_listener(self, fn: Callable[[dict], None]) -> None:
        self._events.remove(fn)
        if not self._events.active:
            self._db.main.observer = None

    @property
    def listening(self) -> bool:
        return self._events.active

    # ------------------------------------------- the interface of the commands
    def before_command(self, denyoom: bool) -> None:
        """What ``processCommand`` does before running a command: count it, evict while over
        ``maxmemory``, and refuse a command that may use more memory (``denyoom``) when
        memory cannot be freed."""
        self._commands += 1
        if self._maxmemory and not self._evictor.perform_evictions(self._maxmemory) and denyoom:
            raise ResponseError(errors.OOM)

    def lookup_read(self, key: str, type_name: str | None = None, touch: bool = True) -> Any:
        """``lookupKeyRead``: the value of ``key`` or None (expired keys are deleted); records
        the access unless ``touch`` is False and counts a keyspace hit or miss. With
        ``type_name``, a value of another type raises Redis's ``WRONGTYPE`` error."""
        e = self._db.lookup(key, touch)
        return None if e is None else self._typed(e, type_name)

    def lookup_write(self, key: str, type_name: str | None = None) -> Any:
        """``lookupKeyWrite``: as :meth:`lookup_read`, without hit/miss statistics."""
        e = self._db.lookup(key, True, False)
        return None if e is None else self._typed(e, type_name)

    @staticmethod
    def _typed(e: Entry, type_name: str | None) -> Any:
        if type_name is not None and value_type(e.value) != type_name:
            raise ResponseError(errors.WRONGTYPE)
        return e.value

    def make_room(self, *keys: str) -> None:
        """Before a write that may add ``keys``: evict while over ``maxmemory``, and under
        ``maxkeys`` until the new ones fit; Redis's OOM error if that is impossible (before
        the command changes anything: Redis evicts before a command, not in the middle)."""
        if self._maxmemory and self._db.used_memory > self._maxmemory:
            if not self._evictor.perform_evictions(self._maxmemory):
                raise ResponseError(errors.OOM)
        maxkeys = self.maxkeys
        if maxkeys is not None:
            data = self._db.data
            new = len(set(keys).difference(data))  # a dict argument: O(len(keys))
            if new > 1 and new > maxkeys:  # a multi-key write that can never fit
                raise ResponseError(errors.OOM)
            while len(data) + new > maxkeys:
                if not self._evictor.evict_one():
                    raise ResponseError(errors.OOM)

    def db_add(self, key: str, value: Any) -> None:
        """``dbAdd``: store a new key (absent: check with :meth:`lookup_write` first, and call
        :meth:`make_room` before)."""
        self._db.add(key, value)

    def db_overwrite(self, key: str, value: Any) -> None:
        """``dbOverwrite``: a new value for the existing ``key`` (its TTL is kept)."""
        self._db.overwrite(key, self._db.data[key], value)

    def db_delete(self, key: str) -> bool:
        """``dbDelete``: remove ``key`` and its TTL (e.g. a container left empty)."""
        return self._db.delete(key)

    def signal_modified_key(self, key: str) -> None:
        """``signalModifiedKey``: call after changing ``key``'s value in place; its version
        changes and its memory is re-estimated (every write here calls it already)."""
        self._db.recharge(key)
        self._db.signal_modified_key(key)

    def watch_key(self, key: str) -> None:
        """Track ``key``'s version exactly from now on (one more watcher; see WATCH)."""
        self._db.watch_key(key)

    def unwatch_key(self, key: str) -> None:
        """One watcher fewer for ``key``."""
        self._db.unwatch_key(key)

    def key_version(self, key: str) -> int:
        """A number that changes whenever ``key`` is modified (exact while watched).

        A key whose TTL has passed is expired first, so a key that expires after WATCH has a
        new version by EXEC (``isWatchedKeyExpired``) and one already expired at WATCH counts
        as absent."""
        self._db.expire_if_needed(key, self.now_ms())
        return self._db.key_version(key)

    # ---------------------------------------------------------------- the cron
    def tick(self) -> dict:
        """One ``serverCron`` pass: active expiry, shrink if sparse, incremental rehash."""
        report = self._cron.run()
        for table in (self._db.main, self._db.expires):
            if table.rehashidx < 0 and table.needs_shrink():
                table.shrink_to_fit()
            if table.rehashidx >= 0:
                table.rehash_step(CRON_REHASH_STEPS)
        report["rehashing"] = self._db.main.rehashing
        return report

    def eviction_preview(self) -> str | None:
        """The key the next eviction would pick now, without changing anything (or None)."""
        return self._evictor.preview()

    # ------------------------------------------------------- native API: strings
    def execute(self, *args: Any) -> Any:
        """Run one command as redis-server 7.0 would; see :mod:`kvengine.commands`."""
        return dispatch(self, args)

    def get(self, key: Any) -> str | None:
        """GET: the value, or None if missing or expired."""
        key = key if type(key) is str and key.isascii() else to_str(key)
        if self._maxmemory:
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
        with ``get=True`` returns the old value (or None) instead.
        """
        return self._set("set", key, value, (ex, px, exat, pxat), nx, xx, keepttl, get)

    def _set(
        self,
        cmd: str,
        key: Any,
        value: Any,
        expiry: tuple = (None, None, None, None),
        nx: bool = False,
        xx: bool = False,
        keepttl: bool = False,
        get: bool = False,
    ) -> str | None:
        """``setGenericCommand``: validate everything, make room, then write."""
        key = key if type(key) is str and key.isascii() else to_str(key)
        value = value if type(value) is str and value.isascii() else to_str(value)
        db = self._db
        when = None
        if nx and xx:
            raise ResponseError(errors.SYNTAX_ERROR)
        if expiry != (None, None, None, None):
            given = [(u, v) for u, v in zip(UNITS, expiry, strict=True) if v is not None]
            if len(given) > 1 or keepttl:
                raise ResponseError(errors.SYNTAX_ERROR)
            when = expire_at(cmd, *given[0], db.now())
        self.make_room() if xx else self.make_room(key)
        old = None
        if get:
            old = self.lookup_read(key, "string")
        e = db.lookup(key, True, False)
        if (nx and e is not None) or (xx and e is None):
            return old
        if e is None:
            db.add(key, value)
        else:
            db.overwrite(key, e, value)
            if not keepttl and key in db.exp:
                db.remove_expire(key)
        if when is not None:
            db.set_expire(key, when)
        if self._events.active:
            self._events.emit({"type": "set", "key": key, "ttl_ms": self.pttl_of(key)})
        return old if get else "OK"

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
        key = _key(key)
        given = [(u, v) for u, v in zip(UNITS, (ex, px, exat, pxat), strict=True) if v is not None]
        if len(given) > 1 or (persist and given):
            raise ResponseError(errors.SYNTAX_ERROR)
        value = self.lookup_read(key, "string")
        if value is None:
            return None
        # validated after the lookup, as getexCommand does (a miss replies nil regardless)
        when = expire_at("getex", *given[0], self.now_ms()) if given else None
        if when is not None and when <= self.now_ms():
            self._db.delete(key)
        elif when is not None:
            self._db.set_expire(key, when)
        elif persist:
            self._db.remove_expire(key)
        return value

    def getdel(self, key: Any) -> str | None:
        key = _key(key)
        value = self.lookup_read(key, "string")
        if value is not None:
            self._db.delete(key)
        return value

    def getset(self, key: Any, value: Any) -> str | None:
        """GETSET: set and return the old value (the TTL is cleared)."""
        return self._set("getset", key, value, get=True)

    def setnx(self, key: Any, value: Any) -> int:
        return 1 if self._set("setnx", key, value, nx=True) == "OK" else 0

    def setex(self, key: Any, seconds: Any, value: Any) -> str | None:
        return self._set("setex", key, value, (seconds, None, None, None))

    def psetex(self, key: Any, ms: Any, value: Any) -> str | None:
        return self._set("psetex", key, value, (None, ms, None, None))

    def mget(self, *keys: Any) -> list[str | None]:
        """MGET: a value per key; None for a missing key or one of another type."""
        names = [_key(k) for k in keys]
        if self._maxmemory:
            self._evictor.perform_evictions(self._maxmemory)
        out = []
        for key in names:
            e = self._db.lookup(key)
            out.append(e.value if e is not None and e.value.__class__ is str else None)
        return out

    def mset(self, mapping: dict | Iterable[tuple[Any, Any]]) -> str:
        """MSET: set every pair (TTLs cleared); room is made for all of them first."""
        pairs = _pairs(mapping)
        self.make_room(*(k for k, _ in pairs))
        for k, v in pairs:
            self._set("mset", k, v)
        return "OK"

    def msetnx(self, mapping: dict | Iterable[tuple[Any, Any]]) -> int:
        """MSETNX: set every pair only if none of the keys exists."""
        pairs = _pairs(mapping)
        if any(self._db.lookup(k, True, False) is not None for k, _ in pairs):
            return 0
        self.make_room(*(k for k, _ in pairs))
        for k, v in pairs:
            self._set("msetnx", k, v)
        return 1

    def incrby(self, key: Any, amount: Any = 1) -> int:
        """INCRBY (keeps the TTL). Errors as Redis for non-integers and overflow."""
        key = _key(key)
        incr = int_arg(amount)
        self.make_room(key)
        current = self.lookup_write(key, "string")
        n = 0 if current is None else parse_int(current)
        if n is None:
            raise ResponseError(errors.NOT_INTEGER)
        result = n + incr
        if result > LLONG_MAX or result < LLONG_MIN:
            raise ResponseError(errors.OVERFLOW)
        self._write_string(key, str(result))
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
        key, value = _key(key), _key(value)
        self.make_room(key)
        current = self.lookup_write(key, "string")
        new = value if current is None else current + value
        self._write_string(key, new)
        return len(new.encode("utf-8", "surrogateescape"))

    def _write_string(self, key: str, value: str) -> None:
        """Add ``key`` or overwrite its value, keeping its TTL (looked up just before)."""
        e = self._db.data.get(key)
        if e is None:
            self._db.add(key, value)
        else:
            self._db.overwrite(key, e, value)

    def strlen(self, key: Any) -> int:
        value = self.lookup_read(_key(key), "string")
        return 0 if value is None else len(value.encode("utf-8", "surrogateescape"))

    # ------------------------------------------------------ native API: keyspace
    def delete(self, *keys: Any) -> int:
        """DEL: how many of ``keys`` existed (expired keys do not count)."""
        names = [_key(k) for k in keys]
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
        names = [_key(k) for k in keys]
        return sum(1 for k in names if self._db.lookup(k, touch=False) is not None)

    def touch(self, *keys: Any) -> int:
        """TOUCH: records an access to each existing key; returns how many existed."""
        names = [_key(k) for k in keys]
        return sum(1 for k in names if self._db.lookup(k) is not None)

    def type(self, key: Any) -> str:
        """TYPE: ``string``, ``hash``, ``list``, ``set``, ``zset``, or ``none``."""
        value = self.lookup_read(_key(key), touch=False)
        return "none" if value is None else value_type(value)

    def rename(self, src: Any, dst: Any, nx: bool = False) -> str | int:
        """RENAME (or RENAMENX with ``nx``): the value, its TTL and its access data move."""
        src, dst = _key(src), _key(dst)
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
        match = compile_pattern(_key(pattern))
        now = self.now_ms()
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
        m = compile_pattern(_key(match)) if match is not None else None
        wanted = _key(type_name).lower() if type_name is not None else None
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

    # -------------------------------------------------------- native API: TTLs
    def _ttl(self, key: Any, ms: bool, absolute: bool) -> int:
        key = _key(key)
        if self._db.lookup(key, touch=False) is None:
            return -2
        return ttl_reply(self._db.exp.get(key), self.now_ms(), ms, absolute)

    def ttl(self, key: Any) -> int:
        """TTL in seconds (rounded), -1 without TTL, -2 if missing."""
        return self._ttl(key, False, False)

    def pttl(self, key: Any) -> int:
        return self._ttl(key, True, False)

    def expiretime(self, key: Any) -> int:
        return self._ttl(key, False, True)

    def pexpiretime(self, key: Any) -> int:
        return self._ttl(key, True, True)

    def pttl_of(self, key: str) -> int | None:
        """Remaining ms of ``key``'s TTL without touching it (None: no TTL or missing)."""
        when = self._db.exp.get(key)
        return None if when is None else max(0, when - self.now_ms())

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
        """``expireGenericCommand``."""
        key = _key(key)
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
        key = _key(key)
        if self._db.lookup(key, True, False) is None:
            return 0
        return 1 if self._db.remove_expire(key) else 0

    # ---------------------------------------------------- native API: objects
    def object_encoding(self, key: Any) -> str | None:
        """OBJECT ENCODING (see :func:`kvengine.values.encoding`)."""
        value = self.lookup_read(_key(key), touch=False)
        return None if value is None else encoding(value)

    def object_freq(self, key: Any) -> int | None:
        """OBJECT FREQ: the LFU counter (after decay); error unless an LFU policy is set."""
        e = self._db.lookup(_key(key), touch=False)
        if e is None:
            return None
        if not self._db.lfu:
            raise ResponseError(errors.LFU_NOT_SELECTED)
        return self._db.freq(e, self.now_ms())

    def object_idletime(self, key: Any) -> int | None:
        """OBJECT IDLETIME: seconds since the last access; error under an LFU policy."""
        e = self._db.lookup(_key(key), touch=False)
        if e is None:
            return None
        if self._db.lfu:
            raise ResponseError(errors.LFU_SELECTED)
        return (self.now_ms() - e.lru) // 1000

    def memory_usage(self, key: Any) -> int | None:
        """MEMORY USAGE: the key's estimated bytes (see :mod:`kvengine.memory`), or None."""
        e = self._db.lookup(_key(key), touch=False)
        return None if e is None else e.mem

    # ------------------------------------------------------------- inspection
    def key_info(self, key: Any) -> dict | None:
        """What a sim shows about a key, without touching it or expiring it (None if absent).

        ``{"key", "value", "ttl_ms", "idle_ms", "freq", "access_count", "last_access_ms",
        "bytes", "bucket"}``; ``freq`` is the LFU counter (None unless an LFU policy is set).
        """
        return self._db.key_info(_key(key))

    def info_fields(self) -> dict:
        """The numbers INFO reports, as a dict (``avg_ttl`` in ms over keys with a TTL)."""
        now = self.now_ms()
        ttls = [when - now for when in self._db.exp.values() if when > now]
        return {
            "used_memory": self.used_memory,
            "maxmemory": self.maxmemory,
            "maxmemory_policy": self.policy,
            "maxkeys": self.maxkeys,
            "keys": len(self._db.data),
            "expires": len(self._db.exp),
            "avg_ttl": sum(ttls) // len(ttls) if ttls else 0,
            **self.stats,
        }

    def snapshot(self, include_buckets: bool = True) -> dict:
        """Everything a sim may draw, as JSON-able data."""
        db = self._db
        keys = [info for info in map(db.key_info, db.main.keys()) if info is not None]
        snap = {
            "time_ms": self.now_ms(),
            "policy": self.policy,
            "lfu_counter": self.lfu_counter,
            "maxkeys": self.maxkeys,
            "maxmemory": self.maxmemory,
            "samples": self.samples,
            "used_memory": self.used_memory,
            "dbsize": len(db.data),
            "keys": keys,
            "stats": dict(self.stats),
            "table": db.main.stats(),
            "expires_table": db.expires.stats(),
            "eviction_pool": self._evictor.best_first(),
        }
        if include_buckets:
            snap["buckets"] = db.main.bucket_keys(0)
            if db.main.rehashing:
                snap["buckets_new"] = db.main.bucket_keys(1)
        return snap


__all__ = ["Store"]
