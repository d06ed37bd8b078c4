"""The store: one Redis 7.0 server with one database, as a Python object.

``Store`` is what a sim, a model or a test holds. It puts together the pieces, each in its own
module and each depending only on those below it:

* :mod:`kvengine.keyspace` (db.c): the two tables, ``lookupKey`` with lazy expiry, ``dbAdd`` /
  ``dbOverwrite`` / ``dbDelete``, the memory estimate and ``signalModifiedKey``;
* :mod:`kvengine.evict` (evict.c): the eviction pool and ``performEvictions``;
* :mod:`kvengine.expire` (expire.c): ``activeExpireCycle``, run by :meth:`Store.tick`;
* :mod:`kvengine.ttl`: the rules of the EXPIRE family, SET's EX/PX and TTL's replies;
* :mod:`kvengine.native`: the *native API*, one method per command with the command's replies
  and errors, in one class per family (strings as t_string.c, expiry as expire.c, generic key
  commands as db.c) that ``Store`` inherits.

This module adds the configuration (``maxmemory``, ``maxmemory-policy``, the ``maxkeys`` cap,
an engine extension), the event listeners, the statistics, the interface every command family
uses (``processCommand``'s eviction, ``lookupKeyRead`` / ``lookupKeyWrite``, ``dbAdd`` ...),
OBJECT and MEMORY, and what a sim inspects. ``execute`` runs a command by name through
:mod:`kvengine.commands`, which uses only public methods::

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

**Out of memory.** Before every command (:meth:`Store.before_command`) and before every write
(:meth:`Store.make_room`) the store evicts by the policy while it is over a limit, as Redis's
``performEvictions`` does. When it cannot get under (``noeviction``, a ``volatile-*`` policy
with too few keys with a TTL), a write that may use more memory fails with Redis's
``OOM command not allowed when used memory > 'maxmemory'.``, under every policy; reads, DEL,
EXPIRE and the like still work. The limits are ``maxmemory`` (estimated bytes, see
:mod:`kvengine.memory`) and ``maxkeys``, a cap on the number of keys: a store holding more
keys than the cap is over its limit as a store over ``maxmemory`` is, and a write that would
add keys first evicts until they fit (a write that can never fit, more new keys than the cap,
fails at once without evicting).

Commands for other types (hashes, lists, ...) use :meth:`Store.lookup_read`,
:meth:`Store.lookup_write`, :meth:`Store.make_room`, :meth:`Store.db_add`,
:meth:`Store.db_delete` and :meth:`Store.signal_modified_key`; a transaction layer uses
:meth:`Store.watch_key` and :meth:`Store.key_version`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from . import errors
from .clock import Clock, SystemClock
from .commands.registry import dispatch
from .errors import ResponseError
from .events import EventHub
from .evict import Evictor
from .expire import ActiveExpireCycle
from .hashtable import CRON_REHASH_STEPS
from .keyspace import Entry, Keyspace
from .native.expiry import ExpiryCommands
from .native.keys import KeyCommands
from .native.strings import StringCommands
from .util import to_str
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


class Store(StringCommands, ExpiryCommands, KeyCommands):
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
        self.perform_evictions()

    def set_maxmemory(self, maxmemory: int) -> None:
        """Cap the estimated bytes; evicts at once if over the new limit."""
        self.maxmemory = maxmemory
        self.perform_evictions()

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
    def perform_evictions(self) -> bool:
        """``performEvictions``: evict by the policy while over ``maxmemory`` or holding more
        keys than ``maxkeys``; False if still over a limit (nothing more can be evicted)."""
        try:
            self.make_room()
        except ResponseError:
            return False
        return True

    def before_command(self, denyoom: bool) -> None:
        """What ``processCommand`` does before running a command: count it, evict while over a
        limit, and refuse a command that may use more memory (``denyoom``) when the store
        cannot get under its limits (``EVICT_FAIL``), whatever the policy."""
        self._commands += 1
        if not self.perform_evictions() and denyoom:
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
        """Before a write that may add ``keys``: evict while over ``maxmemory``, and while the
        keys stored plus the new ones are more than ``maxkeys``; Redis's OOM error if that is
        impossible. Call it once, after checking every argument and before changing anything:
        Redis evicts before a command, never in the middle of one."""
        if self._maxmemory and not self._evictor.perform_evictions(self._maxmemory):
            raise ResponseError(errors.OOM)
        maxkeys = self.maxkeys
        if maxkeys is not None:
            data = self._db.data
            n = len(keys)
            new = (keys[0] not in data) if n == 1 else len(set(keys).difference(data)) if n else 0
            if new > maxkeys:  # can never fit
                raise ResponseError(errors.OOM)
            while len(data) + new > maxkeys:
                if self._evictor.evict_one() is None:
                    raise ResponseError(errors.OOM)
                if n > 1:  # the eviction may have removed one of the keys
                    new = len(set(keys).difference(data))

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

    # -------------------------------------------------------------- commands
    def execute(self, *args: Any) -> Any:
        """Run one command as redis-server 7.0 would; see :mod:`kvengine.commands`."""
        return dispatch(self, args)

    # ---------------------------------------------------- native API: objects
    def object_encoding(self, key: Any) -> str | None:
        """OBJECT ENCODING (see :func:`kvengine.values.encoding`)."""
        value = self.lookup_read(to_str(key), touch=False)
        return None if value is None else encoding(value)

    def object_freq(self, key: Any) -> int | None:
        """OBJECT FREQ: the LFU counter (after decay); error unless an LFU policy is set."""
        e = self._db.lookup(to_str(key), touch=False)
        if e is None:
            return None
        if not self._db.lfu:
            raise ResponseError(errors.LFU_NOT_SELECTED)
        return self._db.freq(e, self.now_ms())

    def object_idletime(self, key: Any) -> int | None:
        """OBJECT IDLETIME: seconds since the last access; error under an LFU policy."""
        e = self._db.lookup(to_str(key), touch=False)
        if e is None:
            return None
        if self._db.lfu:
            raise ResponseError(errors.LFU_SELECTED)
        return (self.now_ms() - e.lru) // 1000

    def memory_usage(self, key: Any) -> int | None:
        """MEMORY USAGE: the key's estimated bytes (see :mod:`kvengine.memory`), or None.

        Redis finds the key with a bare ``dictFind`` (object.c): no keyspace hit or miss, no
        access recorded, no lazy expiry (a key past its TTL still answers until it is reclaimed);
        only a rehash step, as every dict lookup takes one."""
        db = self._db
        if db.main.rehashidx >= 0:
            db.main.rehash_step(1)
        e = db.data.get(to_str(key))
        return None if e is None else e.mem

    # ------------------------------------------------------------- inspection
    def key_info(self, key: Any) -> dict | None:
        """What a sim shows about a key, without touching it or expiring it (None if absent).

        ``{"key", "value", "ttl_ms", "idle_ms", "freq", "access_count", "last_access_ms",
        "bytes", "bucket"}``; ``freq`` is the LFU counter (None unless an LFU policy is set).
        """
        return self._db.key_info(to_str(key))

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
