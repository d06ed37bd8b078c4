"""Eviction: which key goes when the store is full (Redis's evict.c, in Python).

Redis does not keep an exact LRU list (that would cost two pointers per key). Instead, when
memory is over the limit it *samples* ``maxmemory-samples`` keys (5 by default) from random
consecutive buckets, scores each one, and merges them into a small **eviction pool** of 16
candidates kept sorted by score across evictions; it then evicts the best candidate that still
exists. Scores, higher = evict first:

* ``*-lru``: idle time (now - last access, in ms here);
* ``*-lfu``: ``255 - counter``, where the counter is Redis's 8-bit logarithmic frequency
  (``LFULogIncr``: a hit increments it with probability ``1 / ((counter - 5) * lfu_log_factor
  + 1)``, so it saturates at 255 after about a million hits with factor 10; new keys start at
  ``LFU_INIT_VAL = 5`` so they are not evicted at once; ``LFUDecrAndReturn`` takes one off per
  ``lfu-decay-time`` minutes without access). With ``lfu_counter="exact"`` (an engine
  extension) the counter is a plain count of accesses, the textbook definition of LFU;
* ``volatile-ttl``: the nearest expiry;
* ``*-random``: no score, a random key from the seeded RNG.

``volatile-*`` policies sample only keys with a TTL. With no candidate (``noeviction``, or
``volatile-*`` and no key with a TTL) the write fails with Redis's OOM error.

Two deliberate refinements over Redis, both invisible with Redis's defaults: equal scores are
broken by idle time (least recently used first), and a key sampled again replaces its older
pool entry instead of sitting in the pool twice with a stale score. Together they make the
choice exact when ``samples`` is at least the number of keys.
"""

from __future__ import annotations

import random
from bisect import bisect_left
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store

EVPOOL_SIZE = 16
LFU_INIT_VAL = 5
LFU_COUNTER_MAX = 255

POLICIES = (
    "volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl",
    "allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction",
)


def lfu_minutes(now_ms: int) -> int:
    """``LFUGetTimeInMinutes``: minutes since the epoch, 16 bits."""
    return (now_ms // 60000) & 65535


def lfu_time_elapsed(ldt: int, now_ms: int) -> int:
    """``LFUTimeElapsed``: minutes since ``ldt`` (handles the 16-bit wrap)."""
    now = lfu_minutes(now_ms)
    if now >= ldt:
        return now - ldt
    return 65535 - ldt + now


def lfu_decr_and_return(counter: int, ldt: int, now_ms: int, decay_time: int) -> int:
    """``LFUDecrAndReturn``: the counter after decay (one per ``decay_time`` minutes idle).

        >>> lfu_decr_and_return(10, 0, 3 * 60000, 1)
        7
    """
    periods = lfu_time_elapsed(ldt, now_ms) // decay_time if decay_time else 0
    if periods:
        return 0 if periods > counter else counter - periods
    return counter


def lfu_log_incr(counter: int, log_factor: int, rng: random.Random) -> int:
    """``LFULogIncr``: increment with probability ``1/((counter-5)*log_factor+1)``."""
    if counter >= LFU_COUNTER_MAX:
        return LFU_COUNTER_MAX
    base = counter - LFU_INIT_VAL
    if base < 0:
        base = 0
    if rng.random() < 1.0 / (base * log_factor + 1):
        return counter + 1
    return counter


def describe_policy(policy: str) -> str:
    return {"lru": "idle", "lfu": "frequency", "ttl": "expiry", "random": "random",
            "noeviction": "none"}[policy_kind(policy)]


def policy_kind(policy: str) -> str:
    """"lru", "lfu", "ttl", "random" or "noeviction"."""
    if policy == "noeviction":
        return "noeviction"
    return policy.split("-", 1)[1]


class Evictor:
    """The eviction pool and the victim choice for one store.

    The pool is kept as two parallel lists sorted ascending by score (``scores``/``keys``; the
    best candidate is at the end, where Redis starts looking) plus ``where`` (key -> score) to
    find a re-sampled key. Scores are unique (they end with the access sequence number), so
    ``bisect`` finds every entry exactly.
    """

    def __init__(self) -> None:
        self.scores: list[tuple] = []
        self.keys: list[str] = []
        self.where: dict[str, tuple] = {}

    def clear(self) -> None:
        self.scores.clear()
        self.keys.clear()
        self.where.clear()

    def save(self) -> tuple:
        return (list(self.scores), list(self.keys), dict(self.where))

    def restore(self, saved: tuple) -> None:
        self.scores, self.keys, self.where = saved

    @property
    def pool(self) -> list[tuple[tuple, str]]:
        """``[(score, key), ...]`` ascending (read-only view for snapshots and tests)."""
        return list(zip(self.scores, self.keys, strict=True))

    def choose(self, store: Store, collect: bool = False) -> tuple[str | None, dict | None]:
        """Pick the next victim and remove it from the pool; None when there is no candidate.

        With ``collect`` also return ``{"candidates": [...], "reason": str, "sampled": n}``.
        """
        policy = store.policy
        kind = policy_kind(policy)
        if kind == "noeviction":
            return None, None
        volatile = policy.startswith("volatile-")
        table = store._expires if volatile else store._keys
        if len(table) == 0:
            return None, None
        rng = store.rng
        if kind == "random":
            key = table.random_key(rng)
            info = None
            if collect and key is not None:
                info = {"candidates": [store._candidate_info(key)],
                        "reason": "picked at random by the seeded generator"
                        + (" among keys with a TTL" if volatile else ""),
                        "sampled": 1}
            return key, info
        exists = table._index
        now = store.clock.now_ms()
        scores, keys, where = self.scores, self.keys, self.where
        score_of = store._evict_score
        data = store._data
        seen: dict[str, tuple] = {}
        while True:
            sampled = table.sample_keys(store.samples, rng)
            for key in sampled:
                if kind == "lru":
                    score: tuple = (-data[key].seq,)
                else:
                    score = score_of(key, kind, now)
                if collect:
                    seen[key] = score
                self._insert(key, score)
            while keys:
                key = keys.pop()
                score = scores.pop()
                del where[key]
                if key in exists:
                    info = None
                    if collect:
                        for s, k in zip(scores, keys, strict=True):
                            seen.setdefault(k, s)
                        seen[key] = score
                        info = self._explain(store, key, kind, seen, len(sampled))
                    return key, info
            # every pooled candidate was a ghost (deleted since): sample again

    def _insert(self, key: str, score: tuple) -> None:
        """``evictionPoolPopulate``'s insertion: keep the 16 best, sorted ascending."""
        scores, keys, where = self.scores, self.keys, self.where
        old = where.get(key)
        if old is not None:
            i = bisect_left(scores, old)
            while keys[i] != key:
                i += 1
            del scores[i]
            del keys[i]
        k = bisect_left(scores, score)
        n = len(scores)
        if k == 0 and n >= EVPOOL_SIZE:
            if old is not None:
                del where[key]
            return  # worse than everything in a full pool
        scores.insert(k, score)
        keys.insert(k, key)
        where[key] = score
        if n >= EVPOOL_SIZE:  # full: drop the worst candidate
            del scores[0]
            del where[keys.pop(0)]

    @staticmethod
    def _explain(store: Store, victim: str, kind: str, seen: dict[str, tuple],
                 sampled: int) -> dict:
        ranked = sorted(seen.items(), key=lambda item: item[1], reverse=True)
        candidates = [store._candidate_info(k) for k, _ in ranked if k in store._keys._index]
        n = len(candidates)
        v = store._candidate_info(victim)
        if kind == "lru":
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
