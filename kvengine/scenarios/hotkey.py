"""The hot key problem: one key's traffic overloads the one shard that owns it.

Model. A Redis Cluster of S shards (default 3) splits the 16384 hash slots as
``redis-cli --cluster create`` does (:mod:`kvengine.scenarios.cluster`); a key lives on the
shard owning ``CRC16(key) mod 16384``. Each tick (one second of virtual time) the application
tier sends ``requests_per_tick`` requests, spread evenly over the second. A request is for the
hot key with probability ``hot_share`` (default 0.7), otherwise for one of ``cold_keys`` ordinary
keys (``item:0`` ...) chosen uniformly; a fraction ``write_ratio`` of requests are writes. The
cold keys spread over all shards, so the hot key's shard carries about
``hot_share + (1 - hot_share) / S`` of the traffic: 80 % at the defaults. A node (a shard's
primary, or a read replica) serving more than ``capacity`` requests in a tick is overloaded.

Mitigations, each a change to where a request goes:

* ``replicas``: the hot value is stored under ``popular_key:1`` .. ``popular_key:N`` (default
  N = 3), whose real slots (11046, 6981, 2916) fall on different shards; a read picks one replica
  key at random, a write updates all N (so writes cost N requests);
* ``local-cache``: each of ``servers`` (alias ``app_servers``) application servers keeps the
  hot key in a small in-process cache (a :class:`kvengine.Store` of its own) for
  ``local_ttl_ticks``; a read that hits it never reaches the cluster. A write goes to the
  cluster and refreshes only the writing server's copy, so the other servers may serve a
  stale value until their copy expires (``staleLocalReads`` counts those reads: the price of
  this mitigation);
* ``read-replicas``: each shard has ``read_replicas`` replicas; hot-key reads are routed to the
  hot shard's replicas in turn, writes still go to the primary.

Shares are over the whole run (they settle as requests accumulate; within 120 ticks at the
defaults); loads and overload flags are per tick. The random choices come from one seeded
``random.Random``, so a run is reproducible in CPython and Pyodide.

    >>> model = HotKeyModel(mitigation="none", seed=1)
    >>> snap = model.run(120)
    >>> snap["hotKeys"], round(snap["shards"][0]["share"], 2), snap["shards"][0]["overloaded"]
    ([{'key': 'popular_key', 'slot': 1727, 'shard': 1}], 0.8, True)
    >>> HotKeyModel(mitigation="replicas", seed=1).run(120)["maxShare"] <= 0.45
    True
"""

from __future__ import annotations

import random

from kvengine.clock import VirtualClock
from kvengine.scenarios.cluster import key_hash_slot, shard_for_slot, slot_ranges
from kvengine.scenarios.params import int_param, number_param
from kvengine.store import Store

HOT_KEY_MITIGATIONS = ("none", "replicas", "local-cache", "read-replicas")
SAMPLE_SIZE = 40


class HotKeyModel:
    """A cluster with one hot key (see the module docstring). ``step()`` is one second."""

    def __init__(
        self,
        shards: int = 3,
        mitigation: str = "none",
        seed: int = 1,
        hot_key: str = "popular_key",
        hot_share: float = 0.7,
        requests_per_tick: int = 200,
        capacity: int = 120,
        replicas: int = 3,
        read_replicas: int = 2,
        app_servers: int = 10,
        local_ttl_ticks: int = 1,
        write_ratio: float = 0.01,
        cold_keys: int = 1000,
        tick_ms: int = 1000,
        servers: int | None = None,
    ) -> None:
        if mitigation not in HOT_KEY_MITIGATIONS:
            raise ValueError("mitigation must be one of: " + ", ".join(HOT_KEY_MITIGATIONS))
        if not isinstance(hot_key, str) or not hot_key or len(hot_key) > 200:
            raise ValueError("hot_key must be a non-empty string of at most 200 characters")
        self.shard_count = int_param("shards", shards, 1, 16)
        self.mitigation = mitigation
        self.seed = int_param("seed", seed, -(2**63), 2**63 - 1)
        self.hot_key = hot_key
        self.hot_share = number_param("hot_share", hot_share, 0.0, 1.0)
        self.requests_per_tick = int_param("requests_per_tick", requests_per_tick, 1, 10_000)
        self.capacity = int_param("capacity", capacity, 1, 10_000_000)
        self.replica_count = int_param("replicas", replicas, 1, 64)
        self.read_replica_count = int_param("read_replicas", read_replicas, 1, 16)
        if servers is not None and app_servers not in (10, servers):
            raise ValueError("give servers or app_servers (the same thing), not both")
        self.app_servers = int_param(
            "servers", app_servers if servers is None else servers, 1, 1000
        )
        self.local_ttl_ticks = int_param("local_ttl_ticks", local_ttl_ticks, 1, 3600)
        self.write_ratio = number_param("write_ratio", write_ratio, 0.0, 1.0)
        self.cold_key_count = int_param("cold_keys", cold_keys, 1, 100_000)
        self.tick_ms = int_param("tick_ms", tick_ms, 1, 3_600_000)

        self.ranges = slot_ranges(self.shard_count)
        self.rng = random.Random(self.seed)
        self.clock = VirtualClock(0)
        self.tick = 0
        self.hot_shard = self.shard_of(hot_key)
        self.replica_keys = [f"{hot_key}:{i}" for i in range(1, self.replica_count + 1)]
        self.replica_shards = [self.shard_of(k) for k in self.replica_keys]
        self.cold_shards = [self.shard_of(f"item:{i}") for i in range(self.cold_key_count)]
        self.local_caches = (
            [
                Store(clock=self.clock, seed=self.seed + i, policy="allkeys-lru", maxkeys=16)
                for i in range(self.app_servers)
            ]
            if mitigation == "local-cache"
            else []
        )

        s = self.shard_count
        self.total_primary = [0] * s
        self.total_replica = [[0] * self.read_replica_count for _ in range(s)]
        self.cluster_requests = 0
        self.hot_reads = 0
        self.hot_cluster_reads = 0
        self.local_hits = 0
        self.stale_local_reads = 0
        self.hot_version = 1
        self.overloaded_ticks = [0] * s
        self._next_read_replica = 0
        self.load = [0] * s
        self.replica_load = [[0] * self.read_replica_count for _ in range(s)]
        self.requests: list[dict] = []

    def shard_of(self, key: str) -> int:
        """The 1-based shard holding ``key``."""
        return shard_for_slot(key_hash_slot(key), self.ranges)

    # -- one tick ---------------------------------------------------------------------------
    def step(self) -> dict:
        """Send one tick's requests; returns the snapshot."""
        s = self.shard_count
        self.load = [0] * s
        self.replica_load = [[0] * self.read_replica_count for _ in range(s)]
        self.requests = []
        n = self.requests_per_tick
        sample_every = max(1, n // SAMPLE_SIZE)
        start = self.tick * self.tick_ms
        for j in range(n):
            self.clock.set(start + j * self.tick_ms // n)
            served = self._one_request()
            if j % sample_every == 0 and len(self.requests) < SAMPLE_SIZE:
                self.requests.extend(served[: SAMPLE_SIZE - len(self.requests)])
        self.tick += 1
        self.clock.set(self.tick * self.tick_ms)
        for i in range(s):
            if self._node_overloaded(i):
                self.overloaded_ticks[i] += 1
        return self.snapshot()

    def run(self, ticks: int) -> dict:
        """Advance ``ticks`` ticks; returns the last snapshot."""
        int_param("ticks", ticks, 0, 1_000_000)
        for _ in range(ticks):
            self.step()
        return self.snapshot()

    def _one_request(self) -> list[dict]:
        rng = self.rng
        is_hot = rng.random() < self.hot_share
        is_write = rng.random() < self.write_ratio
        op = "write" if is_write else "read"
        if not is_hot:
            idx = rng.randrange(self.cold_key_count)
            shard = self.cold_shards[idx]
            self._hit_primary(shard)
            return [{"key": f"item:{idx}", "shard": shard, "served_by": "shard", "op": op}]
        if is_write:
            return self._hot_write()
        self.hot_reads += 1
        return [self._hot_read()]

    def _hit_primary(self, shard: int) -> None:
        self.load[shard - 1] += 1
        self.total_primary[shard - 1] += 1
        self.cluster_requests += 1

    def _hot_write(self) -> list[dict]:
        self.hot_version += 1
        if self.mitigation == "replicas":
            out = []
            for key, shard in zip(self.replica_keys, self.replica_shards, strict=True):
                self._hit_primary(shard)
                out.append({"key": key, "shard": shard, "served_by": "shard", "op": "write"})
            return out
        self._hit_primary(self.hot_shard)
        if self.mitigation == "local-cache":
            server = self.rng.randrange(self.app_servers)
            self.local_caches[server].set(
                self.hot_key, str(self.hot_version), px=self.local_ttl_ticks * self.tick_ms
            )
        return [{"key": self.hot_key, "shard": self.hot_shard, "served_by": "shard", "op": "write"}]

    def _hot_read(self) -> dict:
        if self.mitigation == "replicas":
            idx = self.rng.randrange(self.replica_count)
            shard = self.replica_shards[idx]
            self._hit_primary(shard)
            self.hot_cluster_reads += 1
            return {
                "key": self.replica_keys[idx],
                "shard": shard,
                "served_by": "shard",
                "op": "read",
            }
        if self.mitigation == "local-cache":
            server = self.rng.randrange(self.app_servers)
            cache = self.local_caches[server]
            cached = cache.get(self.hot_key)
            if cached is not None:
                self.local_hits += 1
                if int(cached) < self.hot_version:
                    self.stale_local_reads += 1
                return {
                    "key": self.hot_key,
                    "shard": self.hot_shard,
                    "served_by": "local-cache",
                    "op": "read",
                    "server": server,
                }
            self._hit_primary(self.hot_shard)
            self.hot_cluster_reads += 1
            cache.set(self.hot_key, str(self.hot_version), px=self.local_ttl_ticks * self.tick_ms)
            return {
                "key": self.hot_key,
                "shard": self.hot_shard,
                "served_by": "shard",
                "op": "read",
                "server": server,
            }
        if self.mitigation == "read-replicas":
            replica = self._next_read_replica
            self._next_read_replica = (replica + 1) % self.read_replica_count
            i = self.hot_shard - 1
            self.replica_load[i][replica] += 1
            self.total_replica[i][replica] += 1
            self.cluster_requests += 1
            self.hot_cluster_reads += 1
            return {
                "key": self.hot_key,
                "shard": self.hot_shard,
                "served_by": "replica",
                "op": "read",
                "replica": replica + 1,
            }
        self._hit_primary(self.hot_shard)
        self.hot_cluster_reads += 1
        return {"key": self.hot_key, "shard": self.hot_shard, "served_by": "shard", "op": "read"}

    # -- reading the state ------------------------------------------------------------------
    def _node_overloaded(self, i: int) -> bool:
        return self.load[i] > self.capacity or any(r > self.capacity for r in self.replica_load[i])

    def _share(self, count: int) -> float:
        return count / self.cluster_requests if self.cluster_requests else 0.0

    def snapshot(self) -> dict:
        """The JSON-able state (shape in :mod:`kvengine.scenarios`)."""
        with_replicas = self.mitigation == "read-replicas"
        shards = []
        for i, (first, last) in enumerate(self.ranges):
            shards.append(
                {
                    "id": i + 1,
                    "slots": [first, last],
                    "load": self.load[i],
                    "share": self._share(self.total_primary[i]),
                    "overloaded": self._node_overloaded(i),
                    "capacity": self.capacity,
                    "replicaLoad": list(self.replica_load[i]) if with_replicas else [],
                    "replicaShare": (
                        [self._share(c) for c in self.total_replica[i]] if with_replicas else []
                    ),
                    "overloadedTicks": self.overloaded_ticks[i],
                }
            )
        node_shares = [sh["share"] for sh in shards]
        node_shares += [r for sh in shards for r in sh["replicaShare"]]
        if self.mitigation == "replicas":
            hot_keys = [
                {"key": k, "slot": key_hash_slot(k), "shard": sh}
                for k, sh in zip(self.replica_keys, self.replica_shards, strict=True)
            ]
        else:
            hot_keys = [
                {"key": self.hot_key, "slot": key_hash_slot(self.hot_key), "shard": self.hot_shard}
            ]
        return {
            "mitigation": self.mitigation,
            "tick": self.tick,
            "tickMs": self.tick_ms,
            "requestsPerTick": self.requests_per_tick,
            "shards": shards,
            "hotKeys": hot_keys,
            "hotShard": self.hot_shard,
            "hotShare": self._share(self.total_primary[self.hot_shard - 1]),
            "requests": [dict(r) for r in self.requests],
            "maxShare": max(node_shares) if node_shares else 0.0,
            "clusterRequests": self.cluster_requests,
            "hotReads": self.hot_reads,
            "hotClusterReads": self.hot_cluster_reads,
            "localHits": self.local_hits,
            "localHitRate": self.local_hits / self.hot_reads if self.hot_reads else 0.0,
            "staleLocalReads": self.stale_local_reads,
        }
