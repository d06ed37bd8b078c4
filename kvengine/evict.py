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
    (True, ['a', 'c'])
"""

from __future__ import annotations

from bisect import insort
from typing import Any

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
        self.pool: list[tuple[Any, str]] = []  # score: -seq (LRU) or a tuple (LFU/TTL)
        self.samples = samples
        self.evicted = 0  # INFO's evicted_keys
        self.policy = "noeviction"
        self.set_policy(policy)

    def set_policy(self, policy: str) -> None:
        """Change ``maxmemory-policy`` (empties the pool). ValueError for an unknown name."""
        if policy not in POLICIES:
            raise ValueError(f"unknown policy {policy!r}; choose one of {', '.join(POLICIES)}")
        self.policy = policy
        self.kind = policy_kind(policy)
        self.volatile = policy.startswith("volatile-")
        self.ks.lfu = self.kind == "lfu"
        self.pool.clear()

    def clear(self) -> None:
        self.pool.clear()

    def best_first(self) -> list[str]:
        """The pooled keys, best candidate first (a key sampled twice appears twice)."""
        return [key for _, key in reversed(self.pool)]

    # ------------------------------------------------------------ evicting
    def evict_one(self) -> bool:
        """Evict one key by the policy; False when there is nothing to evict."""
        ks = self.ks
        listening = ks.events.active
        key, info = self.choose(collect=listening)
        if key is None:
            return False
        if listening:
            event = {"type": "evict", "key": key, "policy": self.policy}
            if info:
                event.update(info)
            ks.events.emit(event)
        ks.delete(key)
        self.evicted += 1
        return True

    def perform_evictions(self, maxmemory: int) -> bool:
        """``performEvictions``: evict while over ``maxmemory`` (0 = no limit); False if
        still over it because nothing more can be evicted."""
        if maxmemory:
            ks = self.ks
            while ks.used_memory > maxmemory:
                if not self.evict_one():
                    return False
        return True

    def preview(self) -> str | None:
        """The key the next eviction would pick now, without changing anything (or None)."""
        rng = self.ks.rng
        state = rng.getstate()
        pool = list(self.pool)
        try:
            key, _ = self.choose()
        finally:
            rng.setstate(state)
            self.pool = pool
        return key

    # ------------------------------------------------------------ choosing
    def choose(self, collect: bool = False) -> tuple[str | None, dict | None]:
        """Pick the next victim and remove it from the pool; None when there is no candidate.

        With ``collect`` also return ``{"candidates": [...], "reason": str, "sampled": n}``.
        """
        kind = self.kind
        if kind == "noeviction":
            return None, None
        ks = self.ks
        table = ks.expires if self.volatile else ks.main
        exists = table._index
        if not exists:
            return None, None
        rng = ks.rng
        if kind == "random":
            key = table.random_key(rng)
            info = None
            if collect and key is not None:
                info = {
                    "candidates": [self.candidate_info(key)],
                    "reason": "picked at random by the seeded generator"
                    + (" among keys with a TTL" if self.volatile else ""),
                    "sampled": 1,
                }
            return key, info
        pool = self.pool
        data = ks.data
        lru = kind == "lru"
        now = 0 if lru else ks.now()  # an LRU score is the access order: no clock needed
        seen: dict[str, Any] = {}
        samples = self.samples
        while True:
            sampled = table.sample_keys(samples, rng)
            if len(sampled) >= len(exists):
                pool.clear()  # the sample is every key, freshly scored: older entries are stale
            # evictionPoolPopulate: keep the 16 best, sorted ascending; once the pool is full,
            # a candidate no better than the worst (pool[0]) is skipped, else it goes in and
            # the worst drops out
            full = len(pool) >= EVPOOL_SIZE
            for key in sampled:
                score = -data[key].seq if lru else self.score(key, now)
                if collect:
                    seen[key] = score
                if not full:
                    insort(pool, (score, key))
                    full = len(pool) >= EVPOOL_SIZE
                elif (score, key) > pool[0]:
                    insort(pool, (score, key))
                    del pool[0]
            while pool:
                score, key = pool.pop()
                if key in exists:
                    info = None
                    if collect:
                        for s, k in pool:
                            seen.setdefault(k, s)
                        seen[key] = score
                        info = self._explain(key, seen, len(sampled))
                    return key, info
            # every pooled candidate was a ghost (deleted since): sample again

    def score(self, key: str, now: int) -> Any:
        """A candidate's score, higher = evict first, ties broken least recently used first."""
        ks = self.ks
        e = ks.data[key]
        if self.kind == "lru":
            # the access order is the order of last-access times, ties included: scoring by
            # -seq ranks by idle time exactly and breaks equal times least recent first
            return -e.seq
        if self.kind == "lfu":
            if ks.exact:
                return (-e.lfu, -e.seq)
            return (255 - lfu_decr_and_return(e.lfu, e.ldt, now, ks.lfu_decay_time), -e.seq)
        return (-ks.exp.get(key, 0), -e.seq)

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

    def _explain(self, victim: str, seen: dict[str, Any], sampled: int) -> dict:
        """The evict event's ``candidates`` (best first) and the ``reason`` the victim won.

        Each candidate says whether it is ``stale``: ranked by a score its key no longer has (a
        pooled key used since it was sampled, or whose counter has decayed since).
        """
        ranked = sorted(seen.items(), key=lambda item: item[1], reverse=True)
        kind = self.kind
        now = self.ks.now()
        candidates = []
        for k, score in ranked:
            if k in self.ks.data:
                info = self.candidate_info(k)
                fresh = self.score(k, now)
                info["stale"] = primary_score(fresh) != primary_score(score)
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
        return {"candidates": candidates, "reason": reason, "sampled": sampled}


def primary_score(score: Any) -> Any:
    """What a pool score ranks by, without its tie-break (LRU scores are one number)."""
    return score if isinstance(score, int) else score[0]
