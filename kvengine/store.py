"""The store: a Redis 7.0 string database on explicit hash tables, with TTLs and eviction.

One ``Store`` is one Redis database (db 0). Keys live in a :class:`HashTable` (``_keys``) whose
values are :class:`Entry` objects (value + access metadata); keys with a TTL are also in a
second table, ``_expires`` (key -> absolute expiry in ms), exactly as Redis keeps ``db->dict``
and ``db->expires``. Every read goes through ``_lookup`` (Redis's ``lookupKey``): lazy expiry
first, then the access is recorded (LRU clock, LFU counter, access count) and the keyspace
hit/miss statistics are counted. Writes that add a key may first evict (``maxkeys``, an engine
extension, caps the key count; ``maxmemory`` caps the estimated bytes of :mod:`memory`).

The native API mirrors the commands (same replies, same errors)::

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

Performance: the hot paths (``get``/``set``) touch a flat dict index beside the buckets,
read the hash from a memo, build no event dicts unless a listener is attached, and read a
:class:`SystemClock` inline (``time.time_ns() // 1_000_000``, once per operation). A miss in a
full ``allkeys-lru`` cache (``_replace_lru_victim``) evicts and inserts in one step: the
victim's :class:`Entry` object and bucket bookkeeping are reused for the new key. Attaching a
listener switches every fast path off; tests/engine/test_fast_paths.py checks both give the
same results.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import errors
from .clock import Clock, SystemClock
from .errors import ResponseError
from .events import EventHub
from .evict import (
    LFU_INIT_VAL,
    POLICIES,
    Evictor,
    lfu_decr_and_return,
    lfu_log_incr,
    lfu_minutes,
)
from .expire import active_expire_cycle
from .glob import compile_pattern
from .hashtable import CRON_REHASH_STEPS, HashTable
from .memory import ENTRY_OVERHEAD, TTL_OVERHEAD, entry_bytes

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)
LFU_COUNTER_MODES = ("log", "exact")
_dispatch: list[Callable[[Store, tuple], Any] | None] = [None]


class Entry:
    """A value plus what eviction needs to know about its use."""

    __slots__ = ("value", "lru", "seq", "lfu", "ldt", "hits", "mem")

    def __init__(self, value: str, now: int, seq: int, lfu: int, mem: int) -> None:
        self.value = value
        self.lru = now  # last access, ms of the store clock
        self.seq = seq  # store-wide access order (breaks ties of equal times)
        self.lfu = lfu  # LFU counter (log: 0..255; exact: plain count)
        self.ldt = (now // 60000) & 65535  # LFU last decrement time (lfu_minutes), 16 bits
        self.hits = 1  # accesses including the write that created the key
        self.mem = mem  # estimated bytes (memory.entry_bytes)


def _system_time_ns(clock: Clock) -> Callable[[], int] | None:
    """``time.time_ns`` when ``clock`` is a plain :class:`SystemClock`, else None.

    The hot paths then compute ``time_ns() // 1_000_000`` inline, which is exactly what
    ``SystemClock.now_ms`` returns, without a Python-level method call per access.
    """
    return time.time_ns if type(clock) is SystemClock else None


def to_str(value: Any) -> str:
    """Coerce a native-API argument to a Redis string (bytes are UTF-8, ints in decimal)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "surrogateescape")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    raise ResponseError(
        f"ERR invalid argument type {type(value).__name__}: use str, bytes, int or float"
    )


class Store:
    """A Redis-faithful key-value store. See the module docstring and CONTRACTS section 4."""

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
        self._now = clock.now_ms  # bound once: the hot paths call it on every access
        self._time_ns = _system_time_ns(clock)
        self._maxmemory = 0
        self._slow = False  # True when the fast paths must not be used
        self.seed = seed
        self.rng = random.Random(seed)
        self._keys = HashTable()
        self._keys.on_rehash = self._update_fast_path
        self._expires = HashTable()
        self._data: dict[str, Entry] = self._keys._index
        self._exp: dict[str, int] = self._expires._index
        self._events = EventHub()
        # WATCH: versions of the keys someone asked about (key_version), bumped on change
        self._key_versions: dict[str, int] = {}
        self._version_seq = 0
        self._evictor = Evictor()
        self._expire_cursor = 0
        self._seq = 0
        self.used_memory = 0
        self._hits = 0
        self._misses = 0
        self._expired = 0
        self._evicted = 0
        self._commands = 0
        self._cycle_sampled = 0
        self.policy = "noeviction"
        self._lfu = False
        self._exact = False
        self.set_policy(policy)
        self.set_lfu_counter(lfu_counter)
        self._maxmemory = self._check_int("maxmemory", maxmemory, 0)
        self._update_fast_path()
        self.maxkeys = None if maxkeys is None else self._check_int("maxkeys", maxkeys, 0)
        self.samples = self._check_int("samples", samples, 1, (1 << 31) - 1)
        self.lfu_log_factor = self._check_int("lfu_log_factor", lfu_log_factor, 0)
        self.lfu_decay_time = self._check_int("lfu_decay_time", lfu_decay_time, 0)
        self.hz = max(1, min(500, self._check_int("hz", hz, 0)))
        # accepted by CONFIG SET like Redis, but without effect here (no CPU-time budgets,
        # no client buffers): see docs/engine.md
        self.maxmemory_eviction_tenacity = 10
        self.maxmemory_clients = "0"

    # ------------------------------------------------------------ configuration
    @property
    def clock(self) -> Clock:
        """The store's clock (replaceable; everything time-based reads it)."""
        return self._clock

    @clock.setter
    def clock(self, clock: Clock) -> None:
        self._clock = clock
        self._now = clock.now_ms
        self._time_ns = _system_time_ns(clock)

    @property
    def maxmemory(self) -> int:
        """``maxmemory`` in estimated bytes (0 = no limit)."""
        return self._maxmemory

    @maxmemory.setter
    def maxmemory(self, value: int) -> None:
        self._maxmemory = self._check_int("maxmemory", value, 0)
        self._update_fast_path()

    def _update_fast_path(self) -> None:
        """get/set take their inlined fast path only with no limit in bytes, no listener, no
        LFU bookkeeping and no rehash of the key space in progress (the table calls this when
        a rehash starts or ends)."""
        self._slow = bool(
            self._maxmemory or self._events.active or self._lfu or self._keys.rehashidx >= 0
        )

    @staticmethod
    def _check_int(name: str, value: Any, low: int, high: int | None = None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{name} must be an integer, got {value!r}")
        if value < low or (high is not None and value > high):
            bound = f"between {low} and {high}" if high is not None else f">= {low}"
            raise ValueError(f"{name} must be {bound}, got {value}")
        return value

    def set_policy(self, policy: str) -> None:
        """Change ``maxmemory-policy`` (Redis's names). ValueError for an unknown name."""
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
        self.policy = policy
        self._lfu = policy.endswith("-lfu")
        if hasattr(self, "_events"):
            self._update_fast_path()
        self._fast_lru = policy.endswith("-lru")
        self._volatile = policy.startswith("volatile-")
        self._allkeys_lru = policy == "allkeys-lru"
        self._evictor.clear()

    def set_lfu_counter(self, mode: str) -> None:
        """``"log"`` (Redis's probabilistic 8-bit counter) or ``"exact"`` (plain counts)."""
        if mode not in LFU_COUNTER_MODES:
            raise ValueError(f"lfu_counter must be 'log' or 'exact', got {mode!r}")
        self.lfu_counter = mode
        self._exact = mode == "exact"

    def set_maxkeys(self, maxkeys: int | None) -> None:
        """Cap the key count (engine extension); evicts at once if over the new cap."""
        self.maxkeys = None if maxkeys is None else self._check_int("maxkeys", maxkeys, 0)
        if self.maxkeys is not None:
            while len(self._data) > self.maxkeys and self._evict_one():
                pass

    def set_maxmemory(self, maxmemory: int) -> None:
        """Cap the estimated bytes; evicts at once if over the new limit."""
        self.maxmemory = maxmemory
        self._perform_evictions()

    @property
    def stats(self) -> dict[str, int]:
        """The INFO stats counters (a fresh dict)."""
        return {
            "keyspace_hits": self._hits,
            "keyspace_misses": self._misses,
            "expired_keys": self._expired,
            "evicted_keys": self._evicted,
            "total_commands_processed": self._commands,
            "expire_cycle_sampled": self._cycle_sampled,
        }

    def reset_stats(self) -> None:
        """CONFIG RESETSTAT."""
        self._hits = self._misses = self._expired = self._evicted = 0
        self._commands = self._cycle_sampled = 0

    # ------------------------------------------------------------------ events
    def add_listener(self, fn: Callable[[dict], None]) -> None:
        """Call ``fn(event)`` for every event (see :mod:`kvengine.events`)."""
        self._events.add(fn)
        self._keys.observer = self._events.emit
        self._expires.observer = None
        self._update_fast_path()

    def remove_listener(self, fn: Callable[[dict], None]) -> None:
        self._events.remove(fn)
        if not self._events.active:
            self._keys.observer = None
        self._update_fast_path()

    @property
    def listening(self) -> bool:
        return self._events.active

    def _emit(self, event: dict) -> None:
        self._events.emit(event)

    def _trace_lookup(self, key: str) -> None:
        trace = self._keys.lookup_trace(key)
        self._emit(
            {
                "type": "hash",
                "key": key,
                "hash": trace["hash"],
                "bucket": trace["bucket"],
                "table_size": len(self._keys._t0),
            }
        )
        self._emit(
            {
                "type": "probe",
                "key": key,
                "bucket": trace["bucket"],
                "table": trace["table"],
                "chain": trace["chain"],
                "found": trace["found"],
            }
        )

    # ------------------------------------------------------------- key access
    def _expire_key(self, key: str, how: str) -> None:
        self._delete(key)
        self._expired += 1
        if self._events.active:
            self._emit({"type": "expire", "key": key, "how": how, "time_ms": self._now()})

    def _expire_if_needed(self, key: str, now: int) -> bool:
        """Lazy expiry: delete ``key`` if its TTL has passed; True if it did."""
        when = self._exp.get(key)
        if when is not None and now > when:
            self._expire_key(key, "lazy")
            return True
        return False

    def _touch(self, e: Entry, now: int) -> None:
        """Record an access (``lookupKey`` without LOOKUP_NOTOUCH)."""
        e.hits += 1
        e.lru = now
        self._seq += 1
        e.seq = self._seq
        if self._lfu:
            if self._exact:
                e.lfu += 1
            else:
                counter = lfu_decr_and_return(e.lfu, e.ldt, now, self.lfu_decay_time)
                e.lfu = lfu_log_incr(counter, self.lfu_log_factor, self.rng)
                e.ldt = lfu_minutes(now)

    def _lookup(self, key: str, touch: bool = True, count: bool = True) -> Entry | None:
        """``lookupKey``: lazy expiry, then touch; counts hits/misses when ``count``."""
        if self._keys.rehashidx >= 0:
            self._keys.rehash_step(1)
        if self._events.active:
            self._trace_lookup(key)
        e = self._data.get(key)
        if e is not None:
            now = self._now()
            if self._exp and self._expire_if_needed(key, now):
                e = None
            elif touch:
                self._touch(e, now)
        if count:
            if e is None:
                self._misses += 1
            else:
                self._hits += 1
        return e

    def _lookup_write(self, key: str) -> Entry | None:
        """``lookupKeyWrite``: lazy expiry and touch, no hit/miss statistics."""
        return self._lookup(key, True, False)

    def _add(self, key: str, value: str) -> Entry:
        """Insert a new key (evicting first when ``maxkeys`` is reached).

        The last evicted key's :class:`Entry` (referenced by nothing else any more) is reused
        for the new key instead of allocating another. The most common case, a miss in a full
        ``allkeys-lru`` cache, has its own path: :meth:`_replace_lru_victim`.
        """
        data = self._data
        keys = self._keys
        maxkeys = self.maxkeys
        e = None
        if maxkeys is not None and len(data) >= maxkeys:
            if self._fast_lru and not self._volatile and not self._events.active:
                # allkeys-lru, nobody listening: _evict_one inlined
                choose = self._evictor.choose_lru
                exp = self._exp
                while len(data) >= maxkeys:
                    if not data:
                        raise ResponseError(errors.OOM)
                    victim = choose(self, keys)
                    if keys.rehashidx >= 0:
                        keys.rehash_step(1)
                    e = keys.pop(victim)
                    self.used_memory -= e.mem
                    if self._key_versions:
                        self.signal_modified_key(victim)
                    if exp and victim in exp:
                        self._remove_expire(victim)
                    self._evicted += 1
            else:
                while len(data) >= maxkeys:
                    if not self._evict_one():
                        raise ResponseError(errors.OOM)
        if keys.rehashidx >= 0:
            keys.rehash_step(1)
        time_ns = self._time_ns
        now = time_ns() // 1_000_000 if time_ns is not None else self._now()
        if key.isascii() and value.isascii():
            mem = ENTRY_OVERHEAD + len(key) + len(value)
        else:
            mem = entry_bytes(key, value)
        seq = self._seq = self._seq + 1
        if e is None:
            e = Entry(value, now, seq, 1 if self._exact else LFU_INIT_VAL, mem)
        else:  # the evicted key's Entry: the fields of Entry.__init__
            e.value = value
            e.lru = now
            e.seq = seq
            e.lfu = 1 if self._exact else LFU_INIT_VAL
            e.ldt = (now // 60000) & 65535
            e.hits = 1
            e.mem = mem
        keys.insert_new(key, e)
        self.used_memory += mem
        if self._key_versions:
            self.signal_modified_key(key)
        if self._events.active:
            self._emit({"type": "insert", "key": key, "bucket": self._keys.bucket_index(key)})
        return e

    def _replace_lru_victim(self, key: str, value: str) -> None:
        """Add ``key`` to a full ``allkeys-lru`` cache: evict one key, add one (the hot path of
        every cache miss). Same steps and result as :meth:`_add`, for the case its caller
        checked: nobody listening, no rehash in progress, exactly ``maxkeys`` keys. The
        victim's :class:`Entry` and bucket bookkeeping are reused for the new key.
        """
        keys = self._keys
        victim = self._evictor.choose_lru(self, keys)
        if self._exp and victim in self._exp:
            self._remove_expire(victim)
        e = keys.replace(victim, key)
        self._evicted += 1
        if self._key_versions:
            self.signal_modified_key(victim)
            self.signal_modified_key(key)
        time_ns = self._time_ns
        now = time_ns() // 1_000_000 if time_ns is not None else self._now()
        if key.isascii() and value.isascii():
            mem = ENTRY_OVERHEAD + len(key) + len(value)
        else:
            mem = entry_bytes(key, value)
        self.used_memory += mem - e.mem
        e.value = value  # the fields of Entry.__init__
        e.lru = now
        e.seq = self._seq = self._seq + 1
        e.lfu = 1 if self._exact else LFU_INIT_VAL
        e.ldt = (now // 60000) & 65535
        e.hits = 1
        e.mem = mem

    def _replace_value(self, key: str, e: Entry, value: str) -> None:
        mem = entry_bytes(key, value)
        self.used_memory += mem - e.mem
        e.mem = mem
        e.value = value
        if self._key_versions:
            self.signal_modified_key(key)

    def _delete(self, key: str) -> bool:
        e = self._data.get(key)
        if e is None:
            return False
        keys = self._keys
        if keys.rehashidx >= 0:  # dictDelete does one rehash step, like every dict operation
            keys.rehash_step(1)
        keys.remove(key)
        self.used_memory -= e.mem
        if key in self._exp:
            self._remove_expire(key)
        if self._key_versions:
            self.signal_modified_key(key)
        return True

    def _set_expire(self, key: str, when: int) -> None:
        expires = self._expires
        if expires.rehashidx >= 0:
            expires.rehash_step(1)
        if key in self._exp:
            self._exp[key] = when
        else:
            expires.insert_new(key, when, self._keys._hashes.get(key))
            self.used_memory += TTL_OVERHEAD
        if self._key_versions:
            self.signal_modified_key(key)

    def _remove_expire(self, key: str) -> bool:
        if key in self._exp:
            expires = self._expires
            if expires.rehashidx >= 0:
                expires.rehash_step(1)
            expires.remove(key)
            self.used_memory -= TTL_OVERHEAD
            if self._key_versions:
                self.signal_modified_key(key)
            return True
        return False

    # ---------------------------------------------------------------- eviction
    def _evict_score(self, key: str, kind: str, now: int) -> Any:
        e = self._data[key]
        if kind == "lru":
            # the access order is the order of last-access times, ties included: scoring by
            # -seq ranks by idle time exactly and breaks equal times least recent first
            return -e.seq
        if kind == "lfu":
            if self._exact:
                return (-e.lfu, -e.seq)
            return (255 - lfu_decr_and_return(e.lfu, e.ldt, now, self.lfu_decay_time), -e.seq)
        return (-self._exp.get(key, 0), -e.seq)

    def _freq(self, e: Entry, now: int) -> int | None:
        if not self._lfu:
            return None
        if self._exact:
            return e.lfu
        return lfu_decr_and_return(e.lfu, e.ldt, now, self.lfu_decay_time)

    def _candidate_info(self, key: str) -> dict:
        e = self._data[key]
        now = self._now()
        when = self._exp.get(key)
        return {
            "key": key,
            "idle_ms": now - e.lru,
            "freq": self._freq(e, now),
            "access_count": e.hits,
            "ttl_ms": None if when is None else max(0, when - now),
        }

    def _evict_one(self) -> bool:
        """Evict one key by the policy; False when there is nothing to evict."""
        listening = self._events.active
        if self._fast_lru and not listening:
            table = self._expires if self._volatile else self._keys
            if not table._index:
                return False
            self._delete(self._evictor.choose_lru(self, table))
            self._evicted += 1
            return True
        key, info = self._evictor.choose(self, collect=listening)
        if key is None:
            return False
        if listening:
            event = {"type": "evict", "key": key, "policy": self.policy}
            if info:
                event.update(info)
            self._emit(event)
        self._delete(key)
        self._evicted += 1
        return True

    def _perform_evictions(self) -> bool:
        """``performEvictions`` for ``maxmemory``: False if still over the limit."""
        if not self._maxmemory:
            return True
        while self.used_memory > self._maxmemory:
            if not self._evict_one():
                return False
        return True

    def _before_write(self) -> None:
        """What Redis does before a command that may use more memory (CMD_DENYOOM)."""
        if self._maxmemory and self.used_memory > self._maxmemory:
            if not self._perform_evictions():
                raise ResponseError(errors.OOM)

    def _room_for(self, key: str) -> None:
        """With ``maxkeys``, evict *before* a write that may add ``key`` (as Redis evicts
        before a command, not in the middle of it), so that no lookup or rehash step runs
        between :meth:`eviction_preview` and the eviction it predicts."""
        maxkeys = self.maxkeys
        if maxkeys is not None and key not in self._data:
            while len(self._data) >= maxkeys:
                if not self._evict_one():
                    raise ResponseError(errors.OOM)

    def eviction_preview(self) -> str | None:
        """The key the next eviction would pick now, without changing anything (or None)."""
        state = self.rng.getstate()
        pool = self._evictor.save()
        try:
            key, _ = self._evictor.choose(self, collect=False)
        finally:
            self.rng.setstate(state)
            self._evictor.restore(pool)
        return key

    # ------------------------------------------------- WATCH (signalModifiedKey)
    def key_version(self, key: str) -> int:
        """A number that changes whenever ``key`` is modified (written, deleted, expired,
        evicted, renamed, flushed): what WATCH compares at EXEC. A key whose TTL has passed is
        expired first, so a key that expires after WATCH changes its version by EXEC
        (``isWatchedKeyExpired``), while one already expired at WATCH counts as absent.
        """
        if self._exp:
            self._expire_if_needed(key, self._now())
        version = self._key_versions.get(key)
        if version is None:
            self._version_seq += 1
            version = self._key_versions[key] = self._version_seq
        return version

    def signal_modified_key(self, key: str) -> None:
        """``signalModifiedKey``: give ``key`` a new version if anyone asked for it."""
        if key in self._key_versions:
            self._version_seq += 1
            self._key_versions[key] = self._version_seq

    # ---------------------------------------------------------------- the cron
    def tick(self) -> dict:
        """One ``serverCron`` pass: active expiry, shrink if sparse, incremental rehash."""
        report = active_expire_cycle(self)
        self._cycle_sampled += report["sampled"]
        for table in (self._keys, self._expires):
            if table.rehashidx < 0 and table.needs_shrink():
                table.shrink_to_fit()
            if table.rehashidx >= 0:
                table.rehash_step(CRON_REHASH_STEPS)
        report["rehashing"] = self._keys.rehashing
        return report

    # -------------------------------------------------------------- native API
    def execute(self, *args: Any) -> Any:
        """Run one command as redis-server 7.0 would; see :mod:`kvengine.commands`."""
        run = _dispatch[0]
        if run is None:  # commands imports this module, so it is bound on first use
            from .commands import execute as run

            _dispatch[0] = run
        return run(self, args)

    def get(self, key: Any) -> str | None:
        """GET: the value, or None if missing or expired."""
        if type(key) is not str:
            key = to_str(key)
        if self._slow:
            if self._maxmemory:
                self._perform_evictions()
            e = self._lookup(key)
            return None if e is None else e.value
        # fast path (LRU bookkeeping, no listener, no rehash): the same steps, inlined
        e = self._data.get(key)
        if e is None:
            self._misses += 1
            return None
        time_ns = self._time_ns
        now = time_ns() // 1_000_000 if time_ns is not None else self._now()
        if self._exp:
            when = self._exp.get(key)
            if when is not None and now > when:
                self._expire_key(key, "lazy")
                self._misses += 1
                return None
        self._hits += 1
        e.hits += 1
        e.lru = now
        e.seq = self._seq = self._seq + 1
        return e.value

    def set(
        self,
        key: Any,
        value: Any,
        ex: int | None = None,
        px: int | None = None,
        exat: int | None = None,
        pxat: int | None = None,
        nx: bool = False,
        xx: bool = False,
        keepttl: bool = False,
        get: bool = False,
        _cmd: str = "set",
    ) -> str | None:
        """SET with Redis's options. Returns "OK", or None if NX/XX prevented the write;
        with ``get=True`` returns the old value (or None) instead.
        """
        if type(key) is not str:
            key = to_str(key)
        if type(value) is not str:
            value = to_str(value)
        if (
            ex is None
            and px is None
            and exat is None
            and pxat is None
            and not (nx or xx or keepttl or get or self._slow)
        ):
            # fast path for a plain SET: same steps as below, inlined
            data = self._data
            e = data.get(key)
            if e is None:
                if self._allkeys_lru and len(data) == self.maxkeys and data:
                    self._replace_lru_victim(key, value)  # a miss in a full LRU cache
                else:
                    self._add(key, value)
                return "OK"
            now = self._now()
            if self._exp and key in self._exp:
                if now > self._exp[key]:
                    self._expire_key(key, "lazy")
                    self._add(key, value)
                    return "OK"
                self._remove_expire(key)
            e.hits += 1
            e.lru = now
            e.seq = self._seq = self._seq + 1
            self._replace_value(key, e, value)
            return "OK"
        given = [
            o for o, v in (("ex", ex), ("px", px), ("exat", exat), ("pxat", pxat)) if v is not None
        ]
        if len(given) > 1 or (nx and xx) or (keepttl and given):
            raise ResponseError(errors.SYNTAX_ERROR)
        when = None
        if given:
            when = self._expire_ms(
                _cmd, given[0], {"ex": ex, "px": px, "exat": exat, "pxat": pxat}[given[0]]
            )
        self._before_write()
        if not xx:
            self._room_for(key)
        old = None
        if get:
            e = self._lookup(key)
            old = None if e is None else e.value
        e = self._lookup_write(key)
        if (nx and e is not None) or (xx and e is None):
            return old
        if e is None:
            self._add(key, value)
        else:
            self._replace_value(key, e, value)
            if not keepttl:
                self._remove_expire(key)
        if when is not None:
            self._set_expire(key, when)
        if self._events.active:
            self._emit({"type": "set", "key": key, "ttl_ms": self.pttl_of(key)})
        return old if get else "OK"

    def _expire_ms(self, cmd: str, unit: str, amount: Any) -> int:
        """``getExpireMillisecondsOrReply``: absolute expiry in ms, or Redis's error."""
        n = self._int_arg(amount)
        if n <= 0 or (unit in ("ex", "exat") and n > LLONG_MAX // 1000):
            raise ResponseError(errors.invalid_expire(cmd))
        if unit in ("ex", "exat"):
            n *= 1000
        if unit in ("ex", "px"):
            n += self._now()
            if n > LLONG_MAX:
                raise ResponseError(errors.invalid_expire(cmd))
        return n

    @staticmethod
    def _int_arg(value: Any) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            if LLONG_MIN <= value <= LLONG_MAX:
                return value
            raise ResponseError(errors.NOT_INTEGER)
        n = parse_int(to_str(value))
        if n is None:
            raise ResponseError(errors.NOT_INTEGER)
        return n

    def pttl_of(self, key: str) -> int | None:
        """Remaining ms of ``key``'s TTL without touching it (None: no TTL or missing)."""
        when = self._exp.get(key)
        return None if when is None else max(0, when - self._now())

    def delete(self, *keys: Any) -> int:
        """DEL: how many of ``keys`` existed (expired keys do not count)."""
        now = self._now()
        n = 0
        for key in keys:
            key = to_str(key)
            if self._exp:
                self._expire_if_needed(key, now)
            if self._delete(key):
                n += 1
                if self._events.active:
                    self._emit({"type": "del", "key": key})
        return n

    unlink = delete

    def exists(self, *keys: Any) -> int:
        """EXISTS: how many of ``keys`` exist (a key named twice counts twice)."""
        return sum(1 for k in keys if self._lookup(to_str(k), touch=False) is not None)

    def touch(self, *keys: Any) -> int:
        """TOUCH: records an access to each existing key; returns how many existed."""
        return sum(1 for k in keys if self._lookup(to_str(k)) is not None)

    def type(self, key: Any) -> str:
        return "none" if self._lookup(to_str(key), touch=False) is None else "string"

    def _ttl(self, key: Any, ms: bool, absolute: bool) -> int:
        key = to_str(key)
        if self._lookup(key, touch=False) is None:
            return -2
        when = self._exp.get(key)
        if when is None:
            return -1
        t = when if absolute else max(0, when - self._now())
        return t if ms else (t + 500) // 1000

    def ttl(self, key: Any) -> int:
        """TTL in seconds (rounded), -1 without TTL, -2 if missing."""
        return self._ttl(key, False, False)

    def pttl(self, key: Any) -> int:
        return self._ttl(key, True, False)

    def expiretime(self, key: Any) -> int:
        return self._ttl(key, False, True)

    def pexpiretime(self, key: Any) -> int:
        return self._ttl(key, True, True)

    def expire(
        self,
        key: Any,
        seconds: Any,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> int:
        """EXPIRE key seconds [NX|XX|GT|LT]: 1 if the timeout was set, else 0."""
        return self._expire_generic("expire", key, seconds, 1000, True, nx, xx, gt, lt)

    def pexpire(
        self,
        key: Any,
        ms: Any,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> int:
        return self._expire_generic("pexpire", key, ms, 1, True, nx, xx, gt, lt)

    def expireat(
        self,
        key: Any,
        timestamp: Any,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> int:
        return self._expire_generic("expireat", key, timestamp, 1000, False, nx, xx, gt, lt)

    def pexpireat(
        self,
        key: Any,
        timestamp_ms: Any,
        nx: bool = False,
        xx: bool = False,
        gt: bool = False,
        lt: bool = False,
    ) -> int:
        return self._expire_generic("pexpireat", key, timestamp_ms, 1, False, nx, xx, gt, lt)

    def _expire_generic(
        self,
        cmd: str,
        key: Any,
        amount: Any,
        unit: int,
        relative: bool,
        nx: bool,
        xx: bool,
        gt: bool,
        lt: bool,
    ) -> int:
        key = to_str(key)
        if nx and (xx or gt or lt):
            raise ResponseError(
                "ERR NX and XX, GT or LT options at the same time are not compatible"
            )
        if gt and lt:
            raise ResponseError("ERR GT and LT options at the same time are not compatible")
        when = self._int_arg(amount)
        if unit == 1000:
            if when > LLONG_MAX // 1000 or when < LLONG_MIN // 1000:
                raise ResponseError(errors.invalid_expire(cmd))
            when *= 1000
        if relative:
            when += self._now()
            if when > LLONG_MAX or when < LLONG_MIN:
                raise ResponseError(errors.invalid_expire(cmd))
        if self._lookup_write(key) is None:
            return 0
        current = self._exp.get(key)
        if nx and current is not None:
            return 0
        if xx and current is None:
            return 0
        if gt and (current is None or when <= current):
            return 0
        if lt and current is not None and when >= current:
            return 0
        if when <= self._now():
            self._delete(key)
            if self._events.active:
                self._emit({"type": "del", "key": key, "why": "expire time in the past"})
            return 1
        self._set_expire(key, when)
        return 1

    def persist(self, key: Any) -> int:
        """PERSIST: 1 if a TTL was removed."""
        key = to_str(key)
        if self._lookup_write(key) is None:
            return 0
        return 1 if self._remove_expire(key) else 0

    def incrby(self, key: Any, amount: Any = 1) -> int:
        """INCRBY (keeps the TTL). Errors as Redis for non-integers and overflow."""
        key = to_str(key)
        incr = self._int_arg(amount)
        self._before_write()
        self._room_for(key)
        e = self._lookup_write(key)
        if e is None:
            current = 0
        else:
            n = parse_int(e.value) if len(e.value) <= 20 else None
            if n is None:
                raise ResponseError(errors.NOT_INTEGER)
            current = n
        result = current + incr
        if result > LLONG_MAX or result < LLONG_MIN:
            raise ResponseError(errors.OVERFLOW)
        if e is None:
            self._add(key, str(result))
        else:
            self._replace_value(key, e, str(result))
        return result

    def incr(self, key: Any) -> int:
        return self.incrby(key, 1)

    def decr(self, key: Any) -> int:
        return self.incrby(key, -1)

    def decrby(self, key: Any, amount: Any) -> int:
        n = self._int_arg(amount)
        if n == LLONG_MIN:
            raise ResponseError(errors.DECR_OVERFLOW)
        return self.incrby(key, -n)

    def append(self, key: Any, value: Any) -> int:
        """APPEND: the new length in bytes (keeps the TTL)."""
        key, value = to_str(key), to_str(value)
        self._before_write()
        self._room_for(key)
        e = self._lookup_write(key)
        if e is None:
            e = self._add(key, value)
        else:
            self._replace_value(key, e, e.value + value)
        return len(e.value.encode("utf-8", "surrogateescape"))

    def strlen(self, key: Any) -> int:
        e = self._lookup(to_str(key))
        return 0 if e is None else len(e.value.encode("utf-8", "surrogateescape"))

    def getdel(self, key: Any) -> str | None:
        key = to_str(key)
        e = self._lookup(key)
        if e is None:
            return None
        self._delete(key)
        return e.value

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
        given = [
            o for o, v in (("ex", ex), ("px", px), ("exat", exat), ("pxat", pxat)) if v is not None
        ]
        if len(given) > 1 or (persist and given):
            raise ResponseError(errors.SYNTAX_ERROR)
        e = self._lookup(key)
        if e is None:
            return None
        when = None
        if given:  # validated after the lookup, as getexCommand does
            when = self._expire_ms(
                "getex", given[0], {"ex": ex, "px": px, "exat": exat, "pxat": pxat}[given[0]]
            )
        value = e.value
        if when is not None and when <= self._now():
            self._delete(key)
        elif when is not None:
            self._set_expire(key, when)
        elif persist:
            self._remove_expire(key)
        return value

    def getset(self, key: Any, value: Any) -> str | None:
        """GETSET: set and return the old value (the TTL is cleared)."""
        return self.set(key, value, get=True, _cmd="getset")

    def setnx(self, key: Any, value: Any) -> int:
        return 1 if self.set(key, value, nx=True) == "OK" else 0

    def setex(self, key: Any, seconds: Any, value: Any) -> str | None:
        return self.set(key, value, ex=seconds, _cmd="setex")

    def psetex(self, key: Any, ms: Any, value: Any) -> str | None:
        return self.set(key, value, px=ms, _cmd="psetex")

    def mget(self, *keys: Any) -> list[str | None]:
        return [self.get(k) for k in keys]

    def mset(self, mapping: dict | Iterable[tuple[Any, Any]]) -> str:
        """MSET: set every pair (TTLs cleared); with ``maxkeys`` room is made first."""
        pairs = [
            (to_str(k), to_str(v))
            for k, v in (mapping.items() if isinstance(mapping, dict) else mapping)
        ]
        self._before_write()
        self._make_room([k for k, _ in pairs])
        for k, v in pairs:
            self.set(k, v)
        return "OK"

    def msetnx(self, mapping: dict | Iterable[tuple[Any, Any]]) -> int:
        pairs = [
            (to_str(k), to_str(v))
            for k, v in (mapping.items() if isinstance(mapping, dict) else mapping)
        ]
        self._before_write()
        if any(self._lookup_write(k) is not None for k, _ in pairs):
            return 0
        self._make_room([k for k, _ in pairs])
        for k, v in pairs:
            self.set(k, v)
        return 1

    def _make_room(self, keys: list[str]) -> None:
        """Evict up front so a multi-key write adding ``n`` keys never stops half-way."""
        if self.maxkeys is None:
            return
        new = len({k for k in keys if k not in self._data})
        if new > self.maxkeys:
            raise ResponseError(errors.OOM)
        while len(self._data) + new > self.maxkeys:
            if not self._evict_one():
                raise ResponseError(errors.OOM)

    def rename(self, src: Any, dst: Any, nx: bool = False) -> str | int:
        """RENAME (or RENAMENX with ``nx``): the value, its TTL and its access data move."""
        src, dst = to_str(src), to_str(dst)
        e = self._lookup_write(src)
        if e is None:
            raise ResponseError(errors.NO_SUCH_KEY)
        if src == dst:
            return 0 if nx else "OK"
        when = self._exp.get(src)
        if self._lookup_write(dst) is not None:
            if nx:
                return 0
            self._delete(dst)
        self._delete(src)
        mem = entry_bytes(dst, e.value)
        e.mem = mem
        self._keys.insert_new(dst, e)
        self.used_memory += mem
        if self._key_versions:
            self.signal_modified_key(dst)
        if when is not None:
            self._set_expire(dst, when)
        return 1 if nx else "OK"

    def renamenx(self, src: Any, dst: Any) -> int:
        result = self.rename(src, dst, nx=True)
        assert isinstance(result, int)
        return result

    def keys(self, pattern: str = "*") -> list[str]:
        """KEYS: the matching keys that are not expired (bucket order)."""
        match = compile_pattern(to_str(pattern))
        now = self._now()
        exp = self._exp
        return [
            k
            for k in self._keys.keys()
            if (k not in exp or now <= exp[k]) and (match is None or match(k))
        ]

    def scan(
        self,
        cursor: int = 0,
        count: int = 10,
        match: str | None = None,
        type_name: str | None = None,
    ) -> list:
        """SCAN: ``[next_cursor (str), [keys]]``; walks buckets with Redis's reverse-binary
        cursor (``count`` buckets' worth, at most ``count * 10`` bucket visits per call).
        """
        if not isinstance(cursor, int) or isinstance(cursor, bool) or not 0 <= cursor < 1 << 64:
            raise ResponseError(errors.INVALID_CURSOR)
        if count < 1:
            raise ResponseError(errors.SYNTAX_ERROR)
        found: list[str] = []
        budget = count * 10
        while True:
            cursor = self._keys.scan(cursor, found.append)
            budget -= 1
            if not (cursor and budget > 0 and len(found) < count):
                break
        m = compile_pattern(to_str(match)) if match is not None else None
        now = self._now()
        out = []
        for key in found:
            if m is not None and not m(key):
                continue
            if type_name is not None:
                # Redis looks the key up to learn its type (counting a keyspace hit or miss)
                if self._lookup(key, touch=False) is None or type_name.lower() != "string":
                    continue
            elif self._exp and self._expire_if_needed(key, now):
                continue
            out.append(key)
        return [str(cursor), out]

    def randomkey(self) -> str | None:
        """RANDOMKEY: a random key (expired ones met on the way are deleted)."""
        while self._data:  # each expired key met is deleted, so this ends
            key = self._keys.fair_random_key(self.rng)
            assert key is not None
            if key in self._exp and self._expire_if_needed(key, self._now()):
                continue
            return key
        return None

    def dbsize(self) -> int:
        """DBSIZE: keys stored (keys that expired but were not yet removed count, as in Redis)."""
        return len(self._data)

    def flushall(self) -> str:
        for key in [k for k in self._key_versions if k in self._data]:
            self.signal_modified_key(key)
        self._keys.clear()
        self._expires.clear()
        self._evictor.clear()
        self.used_memory = 0
        if self._events.active:
            self._emit({"type": "flush"})
        return "OK"

    flushdb = flushall

    def object_freq(self, key: Any) -> int | None:
        """OBJECT FREQ: the LFU counter (after decay); error unless an LFU policy is set."""
        e = self._lookup(to_str(key), touch=False)
        if e is None:
            return None
        if not self._lfu:
            raise ResponseError(errors.LFU_NOT_SELECTED)
        return self._freq(e, self._now())

    def object_idletime(self, key: Any) -> int | None:
        """OBJECT IDLETIME: seconds since the last access; error under an LFU policy."""
        e = self._lookup(to_str(key), touch=False)
        if e is None:
            return None
        if self._lfu:
            raise ResponseError(errors.LFU_SELECTED)
        return (self._now() - e.lru) // 1000

    # ------------------------------------------------------------- inspection
    def key_info(self, key: Any) -> dict | None:
        """What a sim shows about a key, without touching it or expiring it (None if absent).

        ``{"key", "value", "ttl_ms", "idle_ms", "freq", "access_count", "last_access_ms",
        "bytes", "bucket"}``; ``freq`` is the LFU counter (None unless an LFU policy is set).
        """
        key = to_str(key)
        e = self._data.get(key)
        if e is None:
            return None
        now = self._now()
        when = self._exp.get(key)
        if when is not None and now > when:
            return None
        return {
            "key": key,
            "value": e.value,
            "ttl_ms": None if when is None else when - now,
            "idle_ms": now - e.lru,
            "freq": self._freq(e, now),
            "access_count": e.hits,
            "last_access_ms": e.lru,
            "bytes": e.mem + (TTL_OVERHEAD if when else 0),
            "bucket": self._keys.bucket_index(key),
        }

    def info_fields(self) -> dict:
        """The numbers INFO reports, as a dict."""
        return {
            "used_memory": self.used_memory,
            "maxmemory": self.maxmemory,
            "maxmemory_policy": self.policy,
            "maxkeys": self.maxkeys,
            "keys": len(self._data),
            "expires": len(self._exp),
            **self.stats,
        }

    def snapshot(self, include_buckets: bool = True) -> dict:
        """Everything a sim may draw, as JSON-able data."""
        now = self._now()
        keys = []
        for k in self._keys.keys():
            info = self.key_info(k)
            if info is not None:
                keys.append(info)
        snap = {
            "time_ms": now,
            "policy": self.policy,
            "lfu_counter": self.lfu_counter,
            "maxkeys": self.maxkeys,
            "maxmemory": self.maxmemory,
            "samples": self.samples,
            "used_memory": self.used_memory,
            "dbsize": len(self._data),
            "keys": keys,
            "stats": dict(self.stats),
            "table": self._keys.stats(),
            "expires_table": self._expires.stats(),
            "eviction_pool": self._evictor.best_first(),
        }
        if include_buckets:
            snap["buckets"] = self._keys.bucket_keys(0)
            if self._keys.rehashing:
                snap["buckets_new"] = self._keys.bucket_keys(1)
        return snap


def parse_int(text: str) -> int | None:
    """Redis's ``string2ll``: strict decimal in the signed 64-bit range, else None.

    >>> parse_int("42"), parse_int("-7"), parse_int("007"), parse_int(" 1"), parse_int("+1")
    (42, -7, None, None, None)
    """
    n = len(text)
    if n == 0 or n > 20:
        return None
    if text == "0":
        return 0
    start = 1 if text[0] == "-" else 0
    if start == n or not ("1" <= text[start] <= "9"):
        return None
    digits = text[start:]
    if not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    if value > LLONG_MAX or value < LLONG_MIN:
        return None
    return value
