"""Scenario models: the caching patterns and the two failure modes of Chapter 5, in virtual time.

Every model here is deterministic: the same constructor arguments (``seed`` included) give the
same snapshots in CPython and in Pyodide. Time is a :class:`kvengine.VirtualClock` the model owns
(or is given); cached entries live in a real :class:`kvengine.Store` with real TTLs, so an entry
expires exactly as it would in Redis. Snapshots are plain JSON-able dicts.

Modules (one job each)::

    cluster.py    CRC16-XMODEM hash slots, {hash tags}, `redis-cli --cluster create`'s slot split
    database.py   the primary database: latency, queries in flight, capacity, versions, faults
    patterns.py   read-through, write-through, write-behind, cache warming, invalidation
    stampede.py   StampedeModel: N application servers, a batch of hot entries, 4 mitigations
    hotkey.py     HotKeyModel: request stream over a cluster, one hot key, 4 mitigations

Interface used by the cache-failure-modes controller (``sims/cache-failure-modes/controller.py``)
------------------------------------------------------------------------------------------------

Both models: ``Model(..., seed=1)``; ``.step()`` advances one tick and returns the snapshot;
``.run(ticks)`` advances ``ticks`` ticks and returns the last snapshot; ``.snapshot()`` reads the
state without changing it. Bad arguments raise ``ValueError`` with a sentence a student can read.
To compare mitigations, build a new model with the same seed (runs are reproducible).

``StampedeModel(servers=10, mitigation="none", seed=1, keys=None, ttl_ticks=100,
recompute_ticks=5, jitter=1.0, requests_per_tick=10, db_capacity=4, tick_ms=100)``

  ``mitigation`` is ``"none" | "jitter" | "lock" | "early"``. One tick is 100 ms of virtual time.
  ``keys`` (1 to ``servers``, default ``servers``) chooses the failure's shape: ``keys ==
  servers`` is a batch of N hot entries (``hot:0``...) cached together by one warm-up at tick 0,
  one per server; ``keys == 1`` is one hot key (``hot:0``) read by every server; in between,
  server *i* reads entry ``i % keys``. The default run: the batch expires together at tick 101,
  all servers miss at once (dbLoad 10 for 5 ticks), all refreshed at tick 106; the next
  synchronized expiry is at tick 207, and so on.
  Mitigations: ``jitter`` adds U{0..jitter*ttl} ticks to every TTL (warm-up included);
  ``lock`` takes the entry's own lock, ``SET lock:<key> <server> NX PX <ms>``, on a miss: one
  recompute per expiry of each entry (one hot key: peak 1; a batch of N: peak N), the other
  readers of that entry serve ``stale:<key>``; ``early`` is XFetch with beta = 1.
  ``snapshot()`` ->::

    {"mitigation": "none", "tick": 0, "tickMs": 100,
     "ttlRemaining": 100,          # ticks until the first hot entry expires (0: one is missing)
     "ttlFull": 100,               # the base TTL in ticks (the full countdown bar)
     "servers": [{"id": 0, "key": "hot:0",
                  "state": "hit" | "querying" | "waiting" | "stale",
                  #  hit: served from the cache this tick; querying: waiting on its own database
                  #  query (after a miss, or an early XFetch recompute: then "early": True);
                  #  stale: served the stale copy (another server holds the lock);
                  #  waiting: lock taken and no stale copy yet, waits for the next tick
                  "early": False,
                  "ttl": 100}],    # ticks left on this server's entry, None if missing
     "dbLoad": 0,                  # database queries in flight this tick
     "dbPeak": 0, "dbCapacity": 4, "dbOverloaded": False,   # dbLoad > dbCapacity (this tick)
     "everOverloaded": False,      # at any tick of this run
     "recomputes": 0,              # database recomputes started in this run
     "expiries": 0,                # hot entries that expired in this run
     "maxRecomputesPerExpiry": 0,  # most recomputes of one missing entry (>1: a herd on a key)
     "misses": 0, "staleReads": 0, "hits": 0,    # counted per request
     "history": [0, ...],          # dbLoad per tick, last 200 ticks, oldest first
     "events": [                   # what happened during the last tick
        {"type": "expired", "key": "hot:3"},
        {"type": "miss", "server": 3, "key": "hot:3"},
        {"type": "recompute", "server": 3, "key": "hot:3", "early": False},
        {"type": "refreshed", "server": 3, "key": "hot:3", "ttl": 100},
        {"type": "lock", "server": 3, "key": "lock:hot:3"},
        {"type": "stale", "server": 4, "key": "hot:4"}]}

``HotKeyModel(shards=3, mitigation="none", seed=1, hot_key="popular_key", hot_share=0.7,
requests_per_tick=200, capacity=120, replicas=3, read_replicas=2, app_servers=10,
local_ttl_ticks=1, write_ratio=0.01, tick_ms=1000, servers=None)``

  ``mitigation`` is ``"none" | "replicas" | "local-cache" | "read-replicas"``. One tick is one
  second. ``servers`` is another name for ``app_servers`` (the application servers, each with
  its own local cache), so both models take ``servers``; there is no ``keys`` argument: the
  model has one hot key by definition (``replicas`` sets how many copies the mitigation
  makes). Shards are numbered from 1 in slot order ("Shard 1" owns slots 0-5460 when S = 3);
  ``popular_key`` hashes to slot 1727, so it lands on Shard 1. ``snapshot()`` ->::

    {"mitigation": "none", "tick": 0, "requestsPerTick": 200,
     "shards": [{"id": 1, "slots": [0, 5460],
                 "load": 0,          # requests the shard's primary served this tick
                 "share": 0.0,       # this shard's fraction of all requests of this run (0..1)
                 "overloaded": False,  # load > capacity (primary or any read replica)
                 "capacity": 120,
                 "replicaLoad": [0, 0]}],   # per read replica (read-replicas mitigation only)
     "hotKeys": [{"key": "popular_key", "slot": 1727, "shard": 1}],   # or popular_key:1..N
     "requests": [{"key": "popular_key", "shard": 1, "served_by": "shard" | "replica" |
                   "local-cache", "op": "read" | "write"}],   # a sample of at most 40 this tick
     "maxShare": 0.0,                # largest share of any node (primary or read replica)
     "localHitRate": 0.0,            # local-cache hits / hot-key reads (local-cache only)
     "hotShard": 1, "hotShare": 0.0, # the hot key's own shard and its share
     "clusterRequests": 0,           # requests that reached the cluster in this run
     "hotReads": 0, "hotClusterReads": 0, "localHits": 0,
     "staleLocalReads": 0}           # local-cache hits older than the latest write
  Each shard also has "overloadedTicks" (ticks overloaded in this run) and "replicaShare".

Example::

    >>> from kvengine.scenarios import StampedeModel, HotKeyModel
    >>> StampedeModel(mitigation="none", seed=1).run(300)["dbPeak"]
    10
    >>> HotKeyModel(mitigation="none", seed=1).run(120)["shards"][0]["overloaded"]
    True
"""

from __future__ import annotations

from kvengine.scenarios.cluster import (
    CLUSTER_SLOTS,
    crc16_xmodem,
    hash_tag,
    key_hash_slot,
    shard_for_slot,
    slot_ranges,
)
from kvengine.scenarios.database import Database, DatabaseUnavailable, Record
from kvengine.scenarios.hotkey import HOT_KEY_MITIGATIONS, HotKeyModel
from kvengine.scenarios.patterns import (
    OpResult,
    ReadThroughCache,
    WriteBehindCache,
    WriteThroughCache,
)
from kvengine.scenarios.stampede import STAMPEDE_MITIGATIONS, StampedeModel

__all__ = [
    "CLUSTER_SLOTS",
    "HOT_KEY_MITIGATIONS",
    "STAMPEDE_MITIGATIONS",
    "Database",
    "DatabaseUnavailable",
    "HotKeyModel",
    "OpResult",
    "ReadThroughCache",
    "Record",
    "StampedeModel",
    "WriteBehindCache",
    "WriteThroughCache",
    "crc16_xmodem",
    "hash_tag",
    "key_hash_slot",
    "shard_for_slot",
    "slot_ranges",
]
