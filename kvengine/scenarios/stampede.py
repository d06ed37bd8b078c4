"""Cache stampede: cached entries expire and the servers that read them all hit the database.

Model. ``servers`` application servers (default 10) sit in front of one cache (a real
:class:`kvengine.Store`) and one primary database (:class:`~kvengine.scenarios.database.Database`).
The cache holds ``keys`` hot entries (``hot:0`` ...), all written by the same warm-up at tick 0
with the same TTL (``ttl_ticks``, 10 s). Server *i* serves ``requests_per_tick`` requests per tick
for entry ``hot:{i % keys}`` (servers map to entries round-robin). Two shapes of the failure:

* ``keys == servers`` (the default): **a batch of N entries cached together**, one per server,
  the specification's picture. Each entry has one reader; the danger is that N *different*
  entries expire at the same instant;
* ``keys == 1``: **one hot key and a herd of readers**, the chapter's "a popular cached key
  expires and hundreds of concurrent requests ... miss": every server reads the same entry.

Values in between mix the two (``keys = 2`` with 10 servers: two entries, five readers each).

A server handles its requests one after another: a request that misses makes the server query
the database to recompute the entry, which takes ``recompute_ticks`` (0.5 s); the server waits
for that query (state ``querying``) and then writes the entry back with a fresh TTL. One tick
is 100 ms. The database is overloaded when more than ``db_capacity`` (4) queries are in flight.
In steady state an entry costs one query per TTL; when the entries expire at one instant, every
server misses at once: peak N, for a batch or for one key alike. The mitigations:

* ``jitter`` (staggered TTLs): every TTL, the warm-up's included, gets a random extra
  ``U{0 .. jitter * ttl_ticks}`` ticks, so entries cached together expire at different times.
  It cannot help one key: its readers all see the same (jittered) expiry and miss together;
* ``lock`` (mutex on miss, one lock per entry): a server that misses first takes the entry's
  lock in the cache, ``SET lock:<key> <server> NX PX <4 recomputes>``; only the lock holder
  queries the database, the other readers of that entry serve the stale copy kept under
  ``stale:<key>`` (state ``stale``), or wait a tick if there is none (``waiting``). Exactly one
  recompute per expiry of an entry. For one hot key that caps the database at 1 query; for a
  batch of N entries each has its own lock, so all N are recomputed at once: peak N;
* ``early`` (probabilistic early expiration, XFetch: Vattani, Chierichetti and Lowenstein,
  VLDB 2015): on every hit a server recomputes ahead of time when
  ``now - delta * beta * ln(rand()) >= expiry`` with ``delta`` the last recompute's duration
  (stored with the value) and ``beta = 1``. The chance grows as expiry nears, so with enough
  reads the entry is refreshed before it expires and nobody misses; the price is extra
  recomputes (several readers of one key may fire before the first refresh lands).

Trade-offs of the model: latency is constant (no queueing collapse: the database's
``overload_factor`` is 1), so the overload is visible as concurrency, not as a slower database;
servers are single-threaded, so one server adds at most one query at a time. Releasing the lock
is a check-then-delete by the holder (in production a Lua script makes it atomic).

Figures that depend on the seed are stated as distributions over seeds 1-200 in
``docs/models.md`` and checked by ``tests/scenarios/test_claims.py``.

    >>> StampedeModel(mitigation="none", seed=1).run(300)["dbPeak"]
    10
    >>> StampedeModel(mitigation="lock", seed=1).run(300)["dbPeak"]   # a batch: one lock each
    10
    >>> StampedeModel(mitigation="lock", keys=1, seed=1).run(300)["dbPeak"]   # one hot key
    1
    >>> StampedeModel(mitigation="early", seed=1).run(1000)["misses"]
    0
"""

from __future__ import annotations

import math
import random

from kvengine.clock import VirtualClock
from kvengine.scenarios.database import Database, Query
from kvengine.scenarios.params import int_param, number_param
from kvengine.store import Store

STAMPEDE_MITIGATIONS = ("none", "jitter", "lock", "early")
LOCK_PREFIX = "lock:"
HISTORY_TICKS = 200


class _Server:
    """One application server: what it did this tick and the query it waits for."""

    __slots__ = ("id", "key", "state", "early", "query")

    def __init__(self, sid: int, key: str) -> None:
        self.id = sid
        self.key = key
        self.state = "hit"
        self.early = False
        self.query: Query | None = None


class StampedeModel:
    """Application servers, a cache and a database in virtual time (see the module docstring)."""

    def __init__(
        self,
        servers: int = 10,
        mitigation: str = "none",
        seed: int = 1,
        keys: int | None = None,
        ttl_ticks: int = 100,
        recompute_ticks: int = 5,
        jitter: float = 1.0,
        requests_per_tick: int = 10,
        db_capacity: int = 4,
        beta: float = 1.0,
        tick_ms: int = 100,
    ) -> None:
        if mitigation not in STAMPEDE_MITIGATIONS:
            raise ValueError("mitigation must be one of: " + ", ".join(STAMPEDE_MITIGATIONS))
        self.server_count = int_param("servers", servers, 1, 100)
        self.mitigation = mitigation
        self.seed = int_param("seed", seed, -(2**63), 2**63 - 1)
        self.key_count = int_param(
            "keys", self.server_count if keys is None else keys, 1, self.server_count
        )
        self.ttl_ticks = int_param("ttl_ticks", ttl_ticks, 1, 100_000)
        self.recompute_ticks = int_param("recompute_ticks", recompute_ticks, 1, 10_000)
        self.jitter = number_param("jitter", jitter, 0, 10, hint=" (a fraction of the TTL)")
        self.requests_per_tick = int_param("requests_per_tick", requests_per_tick, 1, 100)
        self.db_capacity = int_param("db_capacity", db_capacity, 1, 1000)
        self.beta = number_param("beta", beta, 0, 100, low_inclusive=False)
        self.tick_ms = int_param("tick_ms", tick_ms, 1, 3_600_000)

        self.rng = random.Random(self.seed)
        self.clock = VirtualClock(0)
        self.store = Store(clock=self.clock, seed=self.seed, policy="noeviction")
        self.db = Database(
            self.clock,
            read_latency_ms=self.recompute_ticks * self.tick_ms,
            capacity=self.db_capacity,
            overload_factor=1.0,
        )
        self.entry_keys = [f"hot:{i}" for i in range(self.key_count)]
        self.db.load({key: "v1" for key in self.entry_keys})
        self.servers = [
            _Server(i, self.entry_keys[i % self.key_count]) for i in range(self.server_count)
        ]
        self.tick = 0
        self.recomputes = 0
        self.misses = 0
        self.hits = 0
        self.stale_reads = 0
        self.expiries = 0
        self.db_peak = 0
        self.ever_overloaded = False
        self.history: list[int] = []
        self.events: list[dict] = []
        self._expire_at: dict[str, int | None] = {}
        self._recomputes_since_expiry: dict[str, int] = {key: 0 for key in self.entry_keys}
        self.max_recomputes_per_expiry = 0
        for key in self.entry_keys:  # the warm-up: the whole batch cached at once
            self._cache_put(key, "v1", delta_ms=self.recompute_ticks * self.tick_ms)
        self.events = []

    # -- the cache --------------------------------------------------------------------------
    def _ttl_ms(self) -> int:
        ticks = self.ttl_ticks
        if self.mitigation == "jitter":
            ticks += self.rng.randint(0, int(self.jitter * self.ttl_ticks))
        return ticks * self.tick_ms

    def _cache_put(self, key: str, value: str, delta_ms: int) -> None:
        """Write ``key`` with a TTL; the value carries the recompute time (XFetch's delta)."""
        ttl_ms = self._ttl_ms()
        self.store.set(key, f"{value}|{delta_ms}", px=ttl_ms)
        self._expire_at[key] = self.store.pexpiretime(key)
        self._recomputes_since_expiry[key] = 0
        if self.mitigation == "lock":
            self.store.set("stale:" + key, value)

    def _note_expiries(self) -> None:
        now = self.clock.now_ms()
        for key in self.entry_keys:
            when = self._expire_at.get(key)
            if when is not None and now > when:  # Redis: expired when now > expiry
                self._expire_at[key] = None
                self.expiries += 1
                self.events.append({"type": "expired", "key": key})

    # -- one tick ---------------------------------------------------------------------------
    def step(self) -> dict:
        """Advance one tick (100 ms); returns the snapshot."""
        self._advance()
        return self.snapshot()

    def _advance(self) -> None:
        self.events = []
        self.tick += 1
        self.clock.advance(self.tick_ms)
        self.store.tick()  # serverCron: active expiry, as Redis does
        self._note_expiries()
        for query in self.db.poll():
            self._finish_recompute(query)
        order = list(self.servers)
        self.rng.shuffle(order)  # who reaches the cache first varies per tick
        for server in order:
            if server.query is None:
                self._serve(server)
        load = self.db.in_flight
        self.db_peak = max(self.db_peak, load)
        if load > self.db_capacity:
            self.ever_overloaded = True
        self.history.append(load)
        if len(self.history) > HISTORY_TICKS:
            del self.history[0]

    def run(self, ticks: int) -> dict:
        """Advance ``ticks`` ticks; returns the last snapshot."""
        int_param("ticks", ticks, 0, 1_000_000)
        for _ in range(ticks):
            self._advance()
        return self.snapshot()

    def _finish_recompute(self, query: Query) -> None:
        server = self.servers[query.owner]
        record = query.record
        delta_ms = query.done_ms - query.started_ms
        self._cache_put(query.key, record.value if record else "", delta_ms)
        lock = LOCK_PREFIX + query.key
        if self.mitigation == "lock" and self.store.get(lock) == str(server.id):
            self.store.delete(lock)
        server.query = None
        server.early = False
        self.events.append(
            {
                "type": "refreshed",
                "server": server.id,
                "key": query.key,
                "ttl": self._ticks_left(query.key),
            }
        )

    def _start_recompute(self, server: _Server, early: bool) -> None:
        server.query = self.db.begin_read(server.key, owner=server.id)
        server.state = "querying"
        server.early = early
        self.recomputes += 1
        if not early:  # recomputes of one missing entry (duplicates = herd)
            count = self._recomputes_since_expiry[server.key] + 1
            self._recomputes_since_expiry[server.key] = count
            self.max_recomputes_per_expiry = max(self.max_recomputes_per_expiry, count)
        self.events.append(
            {"type": "recompute", "server": server.id, "key": server.key, "early": early}
        )

    def _serve(self, server: _Server) -> None:
        """Handle this tick's requests of one server, one after another."""
        server.state = "hit"
        server.early = False
        for _ in range(self.requests_per_tick):
            cached = self.store.get(server.key)
            if cached is not None:
                self.hits += 1
                if self.mitigation == "early" and self._xfetch_fires(server.key, cached):
                    self._start_recompute(server, early=True)
                    return
                continue
            if self.mitigation == "lock":
                lock = LOCK_PREFIX + server.key
                lease_ms = str(4 * self.recompute_ticks * self.tick_ms)
                if self.store.execute("SET", lock, str(server.id), "NX", "PX", lease_ms) is None:
                    if self.store.get("stale:" + server.key) is None:
                        server.state = "waiting"
                        return
                    self.stale_reads += 1
                    if server.state != "stale":
                        self.events.append(
                            {"type": "stale", "server": server.id, "key": server.key}
                        )
                    server.state = "stale"
                    continue
                self.events.append({"type": "lock", "server": server.id, "key": lock})
            self.misses += 1
            self.events.append({"type": "miss", "server": server.id, "key": server.key})
            self._start_recompute(server, early=False)
            return

    def _xfetch_fires(self, key: str, cached: str) -> bool:
        """XFetch: recompute early when ``now - delta * beta * ln(rand()) >= expiry``."""
        expiry = self._expire_at.get(key)  # the PEXPIRETIME recorded when the entry was written
        if expiry is None:
            return False
        ttl_ms = expiry - self.clock.now_ms()  # = PTTL: the entry was just read, so it exists
        delta_ms = int(cached.rsplit("|", 1)[1])
        rand = 1.0 - self.rng.random()  # in (0, 1]: ln is defined
        return -delta_ms * self.beta * math.log(rand) >= ttl_ms

    # -- reading the state ------------------------------------------------------------------
    def _ticks_left(self, key: str) -> int | None:
        ms = self.store.pttl_of(key)
        if ms is None or key not in self._expire_at or self._expire_at[key] is None:
            return None
        return -(-ms // self.tick_ms)

    def snapshot(self) -> dict:
        """The JSON-able state (shape in :mod:`kvengine.scenarios`)."""
        ttls = [self._ticks_left(key) for key in self.entry_keys]
        load = self.db.in_flight
        return {
            "mitigation": self.mitigation,
            "tick": self.tick,
            "tickMs": self.tick_ms,
            "ttlRemaining": 0 if any(t is None for t in ttls) else min(ttls),
            "ttlFull": self.ttl_ticks,
            "servers": [
                {
                    "id": s.id,
                    "key": s.key,
                    "state": s.state,
                    "early": s.early,
                    "ttl": self._ticks_left(s.key),
                }
                for s in self.servers
            ],
            "dbLoad": load,
            "dbPeak": self.db_peak,
            "dbCapacity": self.db_capacity,
            "dbOverloaded": load > self.db_capacity,
            "everOverloaded": self.ever_overloaded,
            "recomputes": self.recomputes,
            "expiries": self.expiries,
            "maxRecomputesPerExpiry": self.max_recomputes_per_expiry,
            "misses": self.misses,
            "staleReads": self.stale_reads,
            "hits": self.hits,
            "history": list(self.history),
            "events": [dict(e) for e in self.events],
        }
