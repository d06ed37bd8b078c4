"""The keyspace: one Redis database's two tables and every change made to them (db.c).

``main`` maps each key to an :class:`Entry` (Redis's ``robj``: the value plus what eviction
needs, the access time and the LFU counter); ``expires`` maps each key with a TTL to its
absolute expiry in ms, exactly as Redis keeps ``db->dict`` and ``db->expires``. Both are
:class:`~kvengine.hashtable.HashTable` s, so the buckets and the incremental rehash are real.

Every read goes through :meth:`Keyspace.lookup` (``lookupKey``): one rehash step if a rehash is
in progress, lazy expiry (``expireIfNeeded``: a key past its TTL is deleted on access), then the
access is recorded (LRU time, LFU counter, access count) and the keyspace hits and misses are
counted. Every change goes through :meth:`add` (``dbAdd``), :meth:`overwrite`
(``dbOverwrite``), :meth:`delete` (``dbDelete``), :meth:`set_expire` / :meth:`remove_expire`,
:meth:`rename` or :meth:`flush`, which keep ``used_memory`` (see :mod:`kvengine.memory`) and
call :meth:`signal_modified_key`. That is Redis's hook for ``WATCH``: here it advances a
counter, and :meth:`key_version` lets a transaction see whether a key changed.

    >>> from kvengine.clock import VirtualClock
    >>> ks = Keyspace(VirtualClock(0).now_ms)
    >>> e = ks.add("user:42", "alice")
    >>> ks.lookup("user:42").value, ks.lookup("nobody"), (ks.hits, ks.misses)
    ('alice', None, (1, 1))
    >>> v = ks.key_version("user:42")
    >>> ks.overwrite("user:42", e, "bob")
    >>> ks.key_version("user:42") != v, ks.used_memory
    (True, 74)
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .events import EventHub
from .hashtable import HashTable
from .lfu import LFU_INIT_VAL, lfu_decr_and_return, lfu_log_incr, lfu_minutes
from .memory import TTL_OVERHEAD, entry_bytes


class Entry:
    """A value plus what eviction needs to know about its use (Redis's ``robj`` header)."""

    __slots__ = ("value", "lru", "seq", "lfu", "ldt", "hits", "mem")

    def __init__(self, value: Any, now: int, seq: int, lfu: int, mem: int) -> None:
        self.value = value  # a str, or a kvengine.values.Value
        self.lru = now  # last access, ms of the store clock
        self.seq = seq  # keyspace-wide access order (breaks ties of equal times)
        self.lfu = lfu  # LFU counter (log: 0..255; exact: plain count)
        self.ldt = (now // 60000) & 65535  # LFU last decrement time: lfu_minutes(now)
        self.hits = 1  # accesses including the write that created the key
        self.mem = mem  # estimated bytes (memory.entry_bytes)


class Keyspace:
    """Db 0: the tables, the memory estimate, the access bookkeeping and the key versions."""

    def __init__(
        self,
        now: Callable[[], int],
        rng: random.Random | None = None,
        events: EventHub | None = None,
    ) -> None:
        self.now = now  # the store's clock (replaced when the clock is)
        self.rng = rng if rng is not None else random.Random(0)
        self.events = events if events is not None else EventHub()
        self.main = HashTable()
        self.expires = HashTable()
        self.data: dict[str, Entry] = self.main._index  # the flat views: one dict probe each
        self.exp: dict[str, int] = self.expires._index
        self.used_memory = 0
        self.hits = self.misses = self.expired = 0
        self.seq = 0  # access counter: Entry.seq
        self.lfu = False  # access tracking, set by the store from its policy
        self.exact = False
        self.lfu_log_factor = 10
        self.lfu_decay_time = 1
        self.dirty = 0  # modifications so far (Redis's server.dirty)
        self.watched: dict[str, list[int]] = {}  # key -> [version, watchers]

    # ------------------------------------------------------------------ lookup
    def lookup(self, key: str, touch: bool = True, count: bool = True) -> Entry | None:
        """``lookupKey``: lazy expiry, then record the access (unless ``touch`` is False);
        counts a keyspace hit or miss when ``count``."""
        if self.main.rehashidx >= 0:
            self.main.rehash_step(1)
        if self.events.active:
            self._trace_lookup(key)
        e = self.data.get(key)
        if e is not None:
            now = self.now()
            if self.exp and self.expire_if_needed(key, now):
                e = None
            elif touch:
                e.hits += 1
                e.lru = now
                e.seq = self.seq = self.seq + 1
                if self.lfu:
                    self._update_lfu(e, now)
        if count:
            if e is None:
                self.misses += 1
            else:
                self.hits += 1
        return e

    def _update_lfu(self, e: Entry, now: int) -> None:
        """``updateLFU``: decay, then a logarithmic increment (or +1 with the exact counter)."""
        if self.exact:
            e.lfu += 1
        else:
            counter = lfu_decr_and_return(e.lfu, e.ldt, now, self.lfu_decay_time)
            e.lfu = lfu_log_incr(counter, self.lfu_log_factor, self.rng)
            e.ldt = lfu_minutes(now)

    def freq(self, e: Entry, now: int) -> int | None:
        """The LFU counter as ``OBJECT FREQ`` reports it (None unless LFU is tracked)."""
        if not self.lfu:
            return None
        if self.exact:
            return e.lfu
        return lfu_decr_and_return(e.lfu, e.ldt, now, self.lfu_decay_time)

    def _trace_lookup(self, key: str) -> None:
        trace = self.main.lookup_trace(key)
        emit = self.events.emit
        emit(
            {
                "type": "hash",
                "key": key,
                "hash": trace["hash"],
                "bucket": trace["bucket"],
                "table_size": len(self.main._t0),
            }
        )
        emit(
            {
                "type": "probe",
                "key": key,
                "bucket": trace["bucket"],
                "table": trace["table"],
                "chain": trace["chain"],
                "found": trace["found"],
            }
        )

    def alive(self, key: str, now: int) -> bool:
        """``key`` exists and has not expired (no side effect)."""
        if key not in self.data:
            return False
        when = self.exp.get(key)
        return when is None or now <= when

    # ------------------------------------------------------------------ expiry
    def expire_if_needed(self, key: str, now: int) -> bool:
        """``expireIfNeeded``: delete ``key`` if its TTL has passed; True if it did."""
        when = self.exp.get(key)
        if when is not None and now > when:
            self.expire_key(key, "lazy")
            return True
        return False

    def expire_key(self, key: str, how: str) -> None:
        """Delete an expired key (``deleteExpiredKeyAndPropagate``); ``how`` is lazy/active."""
        self.delete(key)
        self.expired += 1
        if self.events.active:
            self.events.emit({"type": "expire", "key": key, "how": how, "time_ms": self.now()})

    def set_expire(self, key: str, when: int) -> None:
        """``setExpire``: ``key`` (present) expires at ``when`` ms."""
        expires = self.expires
        if expires.rehashidx >= 0:
            expires.rehash_step(1)
        if key in self.exp:
            self.exp[key] = when
        else:
            expires.insert_new(key, when, self.main._hashes.get(key))
            self.used_memory += TTL_OVERHEAD
        self.signal_modified_key(key)

    def remove_expire(self, key: str) -> bool:
        """``removeExpire``: True if ``key`` had a TTL."""
        if key not in self.exp:
            return False
        expires = self.expires
        if expires.rehashidx >= 0:
            expires.rehash_step(1)
        expires.remove(key)
        self.used_memory -= TTL_OVERHEAD
        self.signal_modified_key(key)
        return True

    # ----------------------------------------------------------------- changes
    def add(self, key: str, value: Any) -> Entry:
        """``dbAdd``: insert ``key``, known to be absent (the caller has made room)."""
        main = self.main
        if main.rehashidx >= 0:
            main.rehash_step(1)
        mem = entry_bytes(key, value)
        seq = self.seq = self.seq + 1
        e = Entry(value, self.now(), seq, 1 if self.exact else LFU_INIT_VAL, mem)
        main.insert_new(key, e)
        self.used_memory += mem
        self.signal_modified_key(key)
        if self.events.active:
            self.events.emit({"type": "insert", "key": key, "bucket": main.bucket_index(key)})
        return e

    def overwrite(self, key: str, e: Entry, value: Any) -> None:
        """``dbOverwrite``: ``key``'s entry ``e`` gets a new value (TTL and access data kept)."""
        mem = entry_bytes(key, value)
        self.used_memory += mem - e.mem
        e.mem = mem
        e.value = value
        self.signal_modified_key(key)

    def delete(self, key: str) -> bool:
        """``dbDelete``: remove ``key`` and its TTL; False if it was not there."""
        e = self.data.get(key)
        if e is None:
            return False
        main = self.main
        if main.rehashidx >= 0:  # dictDelete does one rehash step, like every dict operation
            main.rehash_step(1)
        main.pop(key)
        self.used_memory -= e.mem
        if key in self.exp:
            self.remove_expire(key)
        self.signal_modified_key(key)
        return True

    def rename(self, src: str, dst: str) -> None:
        """Move ``src`` (present) to ``dst`` (absent) with its TTL and access data."""
        e = self.data[src]
        when = self.exp.get(src)
        self.delete(src)
        self.main.insert_new(dst, e)
        e.mem = entry_bytes(dst, e.value)
        self.used_memory += e.mem
        if when is not None:
            self.set_expire(dst, when)
        self.signal_modified_key(dst)

    def flush(self) -> None:
        """``emptyData``: drop every key (watched keys that existed count as modified)."""
        for key in self.watched:
            if key in self.data:
                self.signal_modified_key(key)
        self.main.clear()
        self.expires.clear()
        self.used_memory = 0

    # ---------------------------------------------------------------- versions
    def signal_modified_key(self, key: str) -> None:
        """``signalModifiedKey``: ``key`` changed (written, deleted, expired, evicted,
        renamed, flushed, or its TTL changed): its version moves on."""
        self.dirty += 1
        if self.watched:
            w = self.watched.get(key)
            if w is not None:
                w[0] = self.dirty

    def recharge(self, key: str) -> None:
        """Re-estimate the memory of ``key``, whose value was changed in place."""
        e = self.data.get(key)
        if e is not None:
            mem = entry_bytes(key, e.value)
            self.used_memory += mem - e.mem
            e.mem = mem

    def watch_key(self, key: str) -> None:
        """Start tracking ``key``'s version exactly (one more watcher)."""
        w = self.watched.get(key)
        if w is None:
            self.watched[key] = [self.dirty, 1]
        else:
            w[1] += 1

    def unwatch_key(self, key: str) -> None:
        """One watcher fewer; the key is no longer tracked when none is left."""
        w = self.watched.get(key)
        if w is not None:
            w[1] -= 1
            if w[1] <= 0:
                del self.watched[key]

    def key_version(self, key: str) -> int:
        """A number that changes whenever ``key`` is modified: exact for a watched key; for
        any other key the count of all modifications (it changes at least as often)."""
        w = self.watched.get(key)
        return self.dirty if w is None else w[0]

    # -------------------------------------------------------------- inspection
    def key_info(self, key: str) -> dict | None:
        """What a sim shows about a key, without touching or expiring it (None if absent)."""
        e = self.data.get(key)
        if e is None:
            return None
        now = self.now()
        when = self.exp.get(key)
        if when is not None and now > when:
            return None
        return {
            "key": key,
            "value": e.value if e.value.__class__ is str else repr(e.value),
            "ttl_ms": None if when is None else when - now,
            "idle_ms": now - e.lru,
            "freq": self.freq(e, now),
            "access_count": e.hits,
            "last_access_ms": e.lru,
            "bytes": e.mem + (TTL_OVERHEAD if when else 0),
            "bucket": self.main.bucket_index(key),
        }
