"""Caching patterns over a Store and a Database: read-through, write-through, write-behind.

Model. The cache is a real :class:`kvengine.Store`; the primary is a
:class:`~kvengine.scenarios.database.Database`. A cached value carries the database version it
corresponds to (stored as ``"<version>:<value>"``), so every read can say whether it is *stale*
(older than the database's current version). Every operation returns an :class:`OpResult` with
the latency the caller waited: ``cache_latency_ms`` per cache round trip (default 0.5 ms) plus
the database's latency for each database round trip. Operations never move the clock; the
caller does (``clock.advance``), which is when TTLs run out and write-behind flushes fall due.

* :class:`ReadThroughCache`: ``read`` hits the cache; a miss loads from the database and stores
  the value with ``ttl_ms`` (plus ``U{0..jitter_ms}``). ``warm(keys)`` pre-loads; ``invalidate``
  deletes; ``write`` goes to the database and, unless ``invalidate=False``, deletes the cached
  copy. A write that bypasses the cache (``Database.update_directly``) leaves a stale entry
  until its TTL ends or someone invalidates it: the chapter's "hard problem", measurable.
* :class:`WriteThroughCache`: ``write`` updates the cache and then the database, and is
  acknowledged only after the database answered: write latency = database latency; nothing is
  ever stale and ``crash()`` loses nothing.
* :class:`WriteBehindCache`: ``write`` updates the cache and a write buffer and is acknowledged
  at once (cache latency only); every ``flush_interval_ms`` the buffer is written to the
  database in one batch. ``crash()`` empties the cache and the buffer and reports exactly the
  writes that never reached the database. A database outage only delays the flush (retried
  at the next interval) while the buffer, the potential loss, grows.

    >>> from kvengine.clock import VirtualClock
    >>> from kvengine.store import Store
    >>> clock = VirtualClock(0)
    >>> db = Database(clock, read_latency_ms=20, write_latency_ms=30)
    >>> db.load({"user:1": "alice"})
    >>> cache = ReadThroughCache(Store(clock=clock), db, ttl_ms=60_000)
    >>> first, second = cache.read("user:1"), cache.read("user:1")
    >>> (first.hit, first.latency_ms), (second.hit, second.latency_ms)
    ((False, 21.0), (True, 0.5))
    >>> _ = db.update_directly("user:1", "alicia")      # a bulk SQL update: the cache is stale
    >>> cache.read("user:1").stale, cache.invalidate("user:1").ok, cache.read("user:1").value
    (True, True, 'alicia')
    >>> wb = WriteBehindCache(Store(clock=clock), db, flush_interval_ms=1000)
    >>> wb.write("user:2", "bob").latency_ms, db.peek("user:2")
    (0.5, None)
    >>> [lost["key"] for lost in wb.crash()["lost"]]
    ['user:2']
"""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass

from kvengine.scenarios.database import Database, DatabaseUnavailable
from kvengine.store import Store


@dataclass
class OpResult:
    """What one operation did and cost. ``stale``: the value is older than the database's."""

    op: str
    key: str
    value: str | None = None
    latency_ms: float = 0.0
    hit: bool | None = None
    stale: bool = False
    version: int | None = None
    db_version: int | None = None
    ok: bool = True
    error: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


class _CachePattern:
    """Shared plumbing: versioned cache entries, TTL with jitter, warming, invalidation, stats."""

    name = "pattern"

    def __init__(
        self,
        store: Store,
        db: Database,
        *,
        ttl_ms: int = 60_000,
        jitter_ms: int = 0,
        cache_latency_ms: float = 0.5,
        seed: int = 1,
    ) -> None:
        if not isinstance(ttl_ms, int) or isinstance(ttl_ms, bool) or ttl_ms < 1:
            raise ValueError("ttl_ms must be a whole number of milliseconds, at least 1")
        if not isinstance(jitter_ms, int) or isinstance(jitter_ms, bool) or jitter_ms < 0:
            raise ValueError("jitter_ms must be a whole number of milliseconds, 0 or more")
        if not cache_latency_ms >= 0:
            raise ValueError("cache_latency_ms must be 0 or more")
        self.store = store
        self.db = db
        self.ttl_ms = ttl_ms
        self.jitter_ms = jitter_ms
        self.cache_latency_ms = float(cache_latency_ms)
        self.rng = random.Random(seed)
        self.log: list[OpResult] = []
        self.lost: list[dict] = []

    # -- cache entries ----------------------------------------------------------------------
    def _cache_get(self, key: str) -> tuple[int, str] | None:
        raw = self.store.get(key)
        if raw is None:
            return None
        version, _, value = raw.partition(":")
        return int(version), value

    def _cache_put(self, key: str, version: int, value: str) -> None:
        ttl = self.ttl_ms + (self.rng.randint(0, self.jitter_ms) if self.jitter_ms else 0)
        self.store.set(key, f"{version}:{value}", px=ttl)

    def _db_version(self, key: str) -> int | None:
        record = self.db.peek(key)
        return record.version if record else None

    def _record(self, result: OpResult) -> OpResult:
        self.log.append(result)
        return result

    # -- operations common to every pattern -------------------------------------------------
    def read(self, key: str) -> OpResult:
        """Read through the cache: a hit costs one cache round trip, a miss loads and caches."""
        self._before_op()
        latency = self.cache_latency_ms
        cached = self._cache_get(key)
        if cached is not None:
            version, value = cached
            db_version = self._db_version(key)
            return self._record(
                OpResult(
                    "read",
                    key,
                    value,
                    latency,
                    True,
                    db_version is not None and version < db_version,
                    version,
                    db_version,
                )
            )
        try:
            record, db_latency = self.db.read(key)
        except DatabaseUnavailable as exc:
            return self._record(
                OpResult("read", key, None, latency, False, ok=False, error=str(exc))
            )
        latency += db_latency
        if record is None:
            return self._record(OpResult("read", key, None, latency, False))
        self._cache_put(key, record.version, record.value)
        latency += self.cache_latency_ms
        return self._record(
            OpResult(
                "read", key, record.value, latency, False, False, record.version, record.version
            )
        )

    def warm(self, keys: list[str]) -> list[OpResult]:
        """Cache warming: load ``keys`` from the database before anyone asks for them."""
        self._before_op()
        results = []
        for key in keys:
            try:
                record, db_latency = self.db.read(key)
            except DatabaseUnavailable as exc:
                results.append(self._record(OpResult("warm", key, ok=False, error=str(exc))))
                continue
            if record is not None:
                self._cache_put(key, record.version, record.value)
            results.append(
                self._record(
                    OpResult(
                        "warm",
                        key,
                        record.value if record else None,
                        db_latency + self.cache_latency_ms,
                        None,
                        False,
                        record.version if record else None,
                        record.version if record else None,
                    )
                )
            )
        return results

    def invalidate(self, key: str) -> OpResult:
        """Explicit invalidation: delete the cached copy so the next read reloads it."""
        self._before_op()
        self.store.delete(key)
        return self._record(OpResult("invalidate", key, latency_ms=self.cache_latency_ms))

    def staleness(self, key: str) -> int:
        """How many versions the cached copy is behind the database (0: fresh or not cached)."""
        cached = self.store.get(key)
        db_version = self._db_version(key)
        if cached is None or db_version is None:
            return 0
        return max(0, db_version - int(cached.partition(":")[0]))

    def crash(self) -> dict:
        """The cache fails: its memory is gone. Reports the writes that never reached the DB."""
        self.store.flushall()
        return {"lost": []}

    def tick(self) -> None:
        """Let time-driven work happen (write-behind flushes); call after moving the clock."""
        self._before_op()

    def _before_op(self) -> None:
        """Hook for time-driven work (the write-behind flush)."""

    def stats(self) -> dict:
        reads = [r for r in self.log if r.op == "read" and r.ok]
        writes = [r for r in self.log if r.op == "write" and r.ok]
        hits = sum(1 for r in reads if r.hit)

        def mean(values: list[float]) -> float:
            return sum(values) / len(values) if values else 0.0

        return {
            "pattern": self.name,
            "reads": len(reads),
            "hits": hits,
            "misses": len(reads) - hits,
            "hitRate": hits / len(reads) if reads else 0.0,
            "staleReads": sum(1 for r in reads if r.stale),
            "writes": len(writes),
            "meanReadLatencyMs": mean([r.latency_ms for r in reads]),
            "meanWriteLatencyMs": mean([r.latency_ms for r in writes]),
            "maxWriteLatencyMs": max((r.latency_ms for r in writes), default=0.0),
            "failed": sum(1 for r in self.log if not r.ok),
            "lost": len(self.lost),
        }


class ReadThroughCache(_CachePattern):
    """Read-through (lazy) caching; writes go to the database and invalidate the cached copy."""

    name = "read-through"

    def write(self, key: str, value: str, invalidate: bool = True) -> OpResult:
        """Write to the database; with ``invalidate`` also delete the (now old) cached copy."""
        self._before_op()
        try:
            record, latency = self.db.write(key, value)
        except DatabaseUnavailable as exc:
            return self._record(OpResult("write", key, value, 0.0, ok=False, error=str(exc)))
        if invalidate:
            self.store.delete(key)
            latency += self.cache_latency_ms
        return self._record(
            OpResult(
                "write", key, value, float(latency), None, False, record.version, record.version
            )
        )


class WriteThroughCache(_CachePattern):
    """Write-through: cache and database updated together; acknowledged after the database."""

    name = "write-through"

    def write(self, key: str, value: str) -> OpResult:
        self._before_op()
        try:
            record, db_latency = self.db.write(key, value)
        except DatabaseUnavailable as exc:  # not acknowledged: the cache is left unchanged
            return self._record(
                OpResult("write", key, value, self.cache_latency_ms, ok=False, error=str(exc))
            )
        self._cache_put(key, record.version, record.value)
        return self._record(
            OpResult(
                "write",
                key,
                value,
                self.cache_latency_ms + db_latency,
                None,
                False,
                record.version,
                record.version,
            )
        )


class WriteBehindCache(_CachePattern):
    """Write-behind (write-back): acknowledged at once, flushed to the database in batches."""

    name = "write-behind"

    def __init__(
        self, store: Store, db: Database, *, flush_interval_ms: int = 1000, **kwargs
    ) -> None:
        super().__init__(store, db, **kwargs)
        if (
            not isinstance(flush_interval_ms, int)
            or isinstance(flush_interval_ms, bool)
            or flush_interval_ms < 1
        ):
            raise ValueError("flush_interval_ms must be a whole number of milliseconds, >= 1")
        self.flush_interval_ms = flush_interval_ms
        self.next_flush_ms = db.clock.now_ms() + flush_interval_ms
        self.pending: list[dict] = []  # the write buffer, oldest first
        self.flushed: list[dict] = []  # every write that reached the database
        self.flushes = 0
        self._seq = 0

    def write(self, key: str, value: str) -> OpResult:
        """Update the cache and the buffer; acknowledged at once (one cache round trip)."""
        self._before_op()
        base = self._db_version(key) or 0
        version = base + sum(1 for w in self.pending if w["key"] == key) + 1
        self._seq += 1
        self.pending.append(
            {"seq": self._seq, "key": key, "value": str(value), "writtenMs": self.db.clock.now_ms()}
        )
        self._cache_put(key, version, str(value))
        return self._record(
            OpResult(
                "write", key, str(value), self.cache_latency_ms, None, False, version, base or None
            )
        )

    def read(self, key: str) -> OpResult:
        """Reads see the buffered value first (the cache is the newest copy)."""
        self._before_op()
        for write in reversed(self.pending):
            if write["key"] == key:
                cached = self._cache_get(key)
                version = cached[0] if cached else None
                return self._record(
                    OpResult(
                        "read",
                        key,
                        write["value"],
                        self.cache_latency_ms,
                        True,
                        False,
                        version,
                        self._db_version(key),
                    )
                )
        return super().read(key)

    def _before_op(self) -> None:
        now = self.db.clock.now_ms()
        if now >= self.next_flush_ms:  # one batch however many intervals have passed
            self.flush()
            missed = (now - self.next_flush_ms) // self.flush_interval_ms + 1
            self.next_flush_ms += missed * self.flush_interval_ms

    def flush(self) -> dict:
        """Write the whole buffer to the database in one batch (normally on the interval)."""
        if not self.pending:
            return {"flushed": 0, "latencyMs": 0}
        batch = [(w["key"], w["value"]) for w in self.pending]
        try:
            _, latency = self.db.write_many(batch)
        except DatabaseUnavailable as exc:
            return {"flushed": 0, "latencyMs": 0, "error": str(exc)}
        self.flushed.extend(self.pending)
        count = len(self.pending)
        self.pending = []
        self.flushes += 1
        return {"flushed": count, "latencyMs": latency}

    def crash(self) -> dict:
        """The cache dies before the next flush: the buffer and the cache are gone."""
        lost = list(self.pending)
        self.lost.extend(lost)
        self.pending = []
        self.store.flushall()
        return {"lost": lost}

    def stats(self) -> dict:
        out = super().stats()
        out.update(
            {
                "pending": len(self.pending),
                "flushes": self.flushes,
                "flushedWrites": len(self.flushed),
            }
        )
        return out
