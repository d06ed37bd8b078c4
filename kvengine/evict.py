"""Eviction: which key goes when the store is full (Redis's evict.c, in Python).

Redis does not keep an exact LRU list (that would cost two pointers per key). Instead, when
memory is over the limit it *samples* ``maxmemory-samples`` keys (5 by default) from random
consecutive buckets, scores each one, and merges them into a small **eviction pool** of 16
candidates kept sorted by score across evictions; it then evicts the best candidate that still
exists. Scores, higher = evict first:

* ``*-lru``: idle time (now - last access, in ms here);
* ``*-lfu``: ``255 - counter``, where the counter is Redis's 8-bit logarithmic frequency (see
  :mod:`kvengine.lfu`). With ``lfu_counter="exact"`` (an engine extension) the counter is a
  plain count of accesses, the textbook definition of LFU;
* ``volatile-ttl``: the nearest expiry;
* ``*-random``: no score, a random key from the seeded RNG.

``volatile-*`` policies sample only keys with a TTL. With no candidate (``noeviction``, or
``volatile-*`` and no key with a TTL) the write fails with Redis's OOM error.

The pool behaves as Redis's does: a key sampled again while it is in the pool gets a second
entry (the first is dropped off the worst end, or skipped as a ghost once the key is gone), and a
pooled score is the one the key had when it was sampled, even if it has been used since. Two
deliberate refinements, both invisible with Redis's defaults: equal scores are broken by access
order (least recently used first), and when a sample holds every key of the table (``samples``
at least the key count) the pool is emptied first, since its older scores can only be stale.
Together they make the choice exact when ``samples`` is at least the number of keys.

:meth:`Evictor.perform_evictions` is ``performEvictions``: evict until the memory estimate is
under ``maxmemory``; the store's ``maxkeys`` cap (an engine extension) calls
:meth:`Evictor.evict_one` until a new key fits. An eviction deletes through
:meth:`Keyspace.delete`, so an evicted key is signalled as modified like any other. The
evictor works on the keyspace alone.

    >>> from kvengine.clock import VirtualClock
    >>> from kvengine.keyspace import Keyspace
    >>> ks = Keyspace(VirtualClock(0).now_ms)
    >>> for key in "abc":
    ...     _ = ks.add(key, "v")
    >>> _ = ks.lookup("a")                  # "b" is now the least recently used
    >>> ev = Evictor(ks, "allkeys-lru", samples=5)
    >>> ev.evict_one(), sorted(ks.data)
    ('b', ['a', 'c'])
"""

from __future__ import annotations

from bisect import insort

from .hashtable import HashTable
from .keyspace import Keyspace
from .lfu import lfu_decr_and_return

EVPOOL_SIZE = 16

POLICIES = (
    "volatile-lru",
    "volatile-lfu",
    "volatile-random",
    "volatile-ttl",
    "allkeys-lru",
    "allkeys-lfu",
    "allkeys-random",
    "noeviction",
)


def policy_kind(policy: str) -> str:
    """ "lru", "lfu", "ttl", "random" or "noeviction"."""
    if policy == "noeviction":
        return "noeviction"
    return policy.split("-", 1)[1]


class Evictor:
    """The eviction pool and the victim choice for one keyspace.

    ``pool`` is a list of ``(score, key)`` sorted ascending, at most :data:`EVPOOL_SIZE` long:
    the best candidate is at the end, where Redis starts looking. As in Redis, a key sampled
    while it is already in the pool gets a second entry; the older one is either dropped off
    the worst end or, once its key is evicted, skipped as a ghost. Scores end with the key's
    access sequence number, so two entries compare equal only if they are the same key with
    the same score.
    """

    def __init__(self, keyspace: Keyspace, policy: str = "noeviction", samples: int = 5) -> None:
        self.ks = keyspace
        self.pool: list[tuple[int, str]] = []  # (score, key), see score()
        self.samples = samples
        self.evicted = 0  # INFO's evicted_keys
        self.table: HashTable | None = None  # where victims are sampled from (set_policy)
        self.policy = "noeviction"
        self.set_policy(policy)

    def set_policy(self, policy: str) -> None:
        """Change ``maxmemory-policy`` (empties the pool). ValueError for an unknown name."""
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
        self.policy = policy
        self.kind = policy_kind(policy)
        self.volatile = policy.startswith("volatile-")
        # where victims are sampled from: every key, or only the keys with a TTL
        if self.kind == "noeviction":
            self.table = None
        else:
            self.table = self.ks.expires if self.volatile else self.ks.main
        self.ks.lfu = self.kind == "lfu"
        self.pool.clear()

    def clear(self) -> None:
        self.pool.clear()

    def best_first(self) -> list[str]:
        """The pooled keys, best candidate first (a key sampled twice appears twice)."""
        return [key for _, key in reversed(self.pool)]

    # ------------------------------------------------------------ evicting
    def perform_evictions(self, maxmemory: int) -> bool:
        """``performEvictions``: evict while over ``maxmemory`` (0 = no limit); False if
        still over it because nothing more can be evicted."""
        if maxmemory:
            ks = self.ks
            while ks.used_memory > maxmemory:
                if self.evict_one() is None:
                    return False
        return True

    def preview(self) -> str | None:
        """The key the next eviction would pick now, without changing anything (or None)."""
        rng = self.ks.rng
        state = rng.getstate()
        pool = list(self.pool)
        try:
            return self.evict_one(dry_run=True)
        finally:
            rng.setstate(state)
            self.pool = pool

    def evict_one(self, dry_run: bool = False) -> str | None:
        """Evict one key by the policy and return it; None when there is no candidate.

        The sampled policies do ``evictionPoolPopulate`` (sample, score, merge into the pool)
        and take the best pooled key that still exists; a pool of ghosts only (keys deleted
        since they were pooled) means sampling again. With ``dry_run`` the victim is chosen
        (and taken from the pool) but neither announced nor deleted.
        """
        table = self.table
        if table is None or not table._index:
            return None  # noeviction, or no candidate
        ks = self.ks
        exists = table._index
        kind = self.kind
        if kind == "random":
            key = table.random_key(ks.rng)
            score = now = 0
            sampled = [key]
        else:
            pool = self.pool
            data = ks.data
            lru = kind == "lru"
            now = 0 if lru else ks.now()  # an LRU score is the access order: no clock
            key = None
            while key is None:
                sampled = table.sample_keys(self.samples, ks.rng)
                if len(sampled) >= len(exists):
                    pool.clear()  # the sample is every key, freshly scored: the rest is stale
                # keep the 16 best, sorted ascending; once the pool is full, a candidate no
                # better than the worst (pool[0]) is skipped, else it goes in and the worst
                # drops out
                room = EVPOOL_SIZE - len(pool)
                for k in sampled:
                    score = -data[k].seq if lru else self.score(k, now)
                    if room:
                        insort(pool, (score, k))
                        room -= 1
                    elif score > pool[0][0]:
                        insort(pool, (score, k))
                        del pool[0]
                while pool:
                    score, k = pool.pop()
                    if k in exists:
                        key = k
                        break
        if dry_run:
            return key
        if ks.events.active:
            event = {"type": "evict", "key": key, "policy": self.policy}
            event.update(self._explain(key, score, sampled, now))
            ks.events.emit(event)
        ks.delete(key)
        self.evicted += 1
        return key

    def score(self, key: str, now: int) -> int:
        """A candidate's score, higher = evict first: ``primary * 2**64 - seq``, where
        ``seq`` is the key's access sequence number, so one integer compare ranks by the
        policy's measure and breaks ties least recently used first."""
        ks = self.ks
        e = ks.data[key]
        if self.kind == "lru":
            # the access order is the order of last-access times, ties included: ranking by
            # -seq alone ranks by idle time exactly and breaks equal times least recent first
            return -e.seq
        if self.kind == "lfu":
            counter = (
                e.lfu if ks.exact else lfu_decr_and_return(e.lfu, e.ldt, now, ks.lfu_decay_time)
            )
            return (-counter << 64) - e.seq
        return (-ks.exp.get(key, 0) << 64) - e.seq

    def measure(self, score: int) -> int:
        """What a score ranks by, without its tie-break (for LRU the recency is the measure)."""
        return score if self.kind == "lru" else -(-score >> 64)

    def candidate_info(self, key: str) -> dict:
        ks = self.ks
        e = ks.data[key]
        now = ks.now()
        when = ks.exp.get(key)
        return {
            "key": key,
            "idle_ms": now - e.lru,
            "freq": ks.freq(e, now),
            "access_count": e.hits,
            "ttl_ms": None if when is None else max(0, when - now),
        }

    def _explain(self, victim: str, score: int, sampled: list[str], now: int) -> dict:
        """The evict event's ``candidates`` (best first), the ``reason`` the victim won and
        how many keys were ``sampled``; ``score`` is the victim's (pooled) score.

        The candidates are the keys sampled and those left in the pool. Each says whether it
        is ``stale``: ranked by a score its key no longer has (a pooled key used since it was
        sampled, or whose counter has decayed since).
        """
        if self.kind == "random":
            return {
                "candidates": [self.candidate_info(victim)],
                "reason": "picked at random by the seeded generator"
                + (" among keys with a TTL" if self.volatile else ""),
                "sampled": 1,
            }
        seen = {k: self.score(k, now) for k in sampled if k in self.ks.data}
        for s, k in self.pool:
            seen.setdefault(k, s)
        seen[victim] = score
        ranked = sorted(seen.items(), key=lambda item: item[1], reverse=True)
        kind = self.kind
        now = self.ks.now()
        candidates = []
        for k, score in ranked:
            if k in self.ks.data:
                info = self.candidate_info(k)
                fresh = self.score(k, now)
                info["stale"] = self.measure(fresh) != self.measure(score)
                candidates.append(info)
        n = len(candidates)
        v = next(c for c in candidates if c["key"] == victim)
        if v["stale"]:  # Redis does not re-check a pooled key: it ranks by the old score
            now_is = {
                "lru": f"idle {v['idle_ms']} ms now",
                "lfu": f"frequency {v['freq']} now",
                "ttl": f"expires in {v['ttl_ms']} ms",
            }[kind]
            reason = (
                f"{now_is}, but ranked by the score it had when it was sampled into the "
                f"eviction pool, the best of {n} candidates (Redis does not re-check a "
                f"pooled key; it has been used or has aged since)"
            )
        elif kind == "lru":
            reason = f"idle {v['idle_ms']} ms, the longest of {n} candidates"
            if sum(1 for c in candidates if c["idle_ms"] == v["idle_ms"]) > 1:
                reason += " (equal idle times: least recently used first)"
        elif kind == "lfu":
            reason = f"frequency {v['freq']}, the lowest of {n} candidates"
            if sum(1 for c in candidates if c["freq"] == v["freq"]) > 1:
                reason += " (tie broken by recency: least recently used first)"
        else:
            reason = f"expires in {v['ttl_ms']} ms, the soonest of {n} candidates"
        return {"candidates": candidates, "reason": reason, "sampled": len(sampled)}
