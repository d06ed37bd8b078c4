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

The pool behaves as Redis's does: a key sampled again while it is in the pool gets a second
entry (the first is dropped off the worst end, or skipped as a ghost once the key is gone), and a
pooled score is the one the key had when it was sampled, even if it has been used since. Two
deliberate refinements, both invisible with Redis's defaults: equal scores are broken by access
order (least recently used first), and when a sample holds every key of the table (``samples``
at least the key count) the pool is emptied first, since its older scores can only be stale.
Together they make the choice exact when ``samples`` is at least the number of keys.
"""

from __future__ import annotations

import random
from bisect import insort
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .store import Store

EVPOOL_SIZE = 16
WALK_WINDOW = 16  # buckets the LRU hot path slices at once (about 5 are needed at load 1)
_NOT_FULL = float("-inf")  # the "worst score" of a pool with free slots: anything goes in
LFU_INIT_VAL = 5
LFU_COUNTER_MAX = 255

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


def policy_kind(policy: str) -> str:
    """ "lru", "lfu", "ttl", "random" or "noeviction"."""
    if policy == "noeviction":
        return "noeviction"
    return policy.split("-", 1)[1]


class Evictor:
    """The eviction pool and the victim choice for one store.

    ``pool`` is a list of ``(score, key)`` sorted ascending, at most :data:`EVPOOL_SIZE` long:
    the best candidate is at the end, where Redis starts looking. As in Redis, a key sampled
    while it is already in the pool gets a second entry; the older one is either dropped off
    the worst end or, once its key is evicted, skipped as a ghost. Scores end with the key's
    access sequence number, so two entries compare equal only if they are the same key with
    the same score.
    """

    def __init__(self) -> None:
        self.pool: list[tuple[Any, str]] = []  # score: -seq (LRU) or a tuple (LFU/TTL)

    def clear(self) -> None:
        self.pool.clear()

    def save(self) -> list[tuple[Any, str]]:
        return list(self.pool)

    def restore(self, saved: list[tuple[Any, str]]) -> None:
        self.pool = saved

    def best_first(self) -> list[str]:
        """The pooled keys, best candidate first (a key sampled twice appears twice)."""
        return [key for _, key in reversed(self.pool)]

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
                info = {
                    "candidates": [store._candidate_info(key)],
                    "reason": "picked at random by the seeded generator"
                    + (" among keys with a TTL" if volatile else ""),
                    "sampled": 1,
                }
            return key, info
        if kind == "lru" and not collect:
            return self.choose_lru(store, table), None
        exists = table._index
        now = store._now()
        pool = self.pool
        score_of = store._evict_score
        seen: dict[str, Any] = {}
        while True:
            sampled = table.sample_keys(store.samples, rng)
            if len(sampled) >= len(exists):
                pool.clear()  # the sample is every key, freshly scored: older entries are stale
            for key in sampled:
                score = score_of(key, kind, now)
                if collect:
                    seen[key] = score
                self._insert(key, score)
            while pool:
                score, key = pool.pop()
                if key in exists:
                    info = None
                    if collect:
                        for s, k in pool:
                            seen.setdefault(k, s)
                        seen[key] = score
                        info = self._explain(store, key, kind, seen, len(sampled))
                    return key, info
            # every pooled candidate was a ghost (deleted since): sample again

    def choose_lru(self, store: Store, table: Any) -> str:
        """The hot path of :meth:`choose` for ``*-lru`` without listeners (same result).

        ``table`` must not be empty. Score = -(access sequence number): larger = older. This
        runs once per eviction, i.e. on every miss of a full cache, so for the common case
        (no rehash in progress, more keys than samples) ``HashTable.sample_keys`` and
        :meth:`_insert` are inlined: consecutive buckets from a random start, a jump to a new
        random bucket after more than ``max(4, samples)`` empty ones in a row, at most
        ``samples * 10`` buckets, as ``dictGetSomeKeys`` does; a sampled key no better than the
        worst of a full pool costs one comparison. (Sampling from a list of keys kept in bucket
        order, by bisect and slice, was measured: keeping that list ordered costs more per miss
        than this loop; see docs/engine.md.) tests/engine/test_fast_paths.py checks that the
        victims, the pool and the random generator's state equal those of :meth:`choose`.
        """
        pool = self.pool
        data = store._data
        exists = table._index
        samples = store.samples
        while True:
            t0 = table._t0
            size = len(t0)
            if table._t1 is not None or samples >= len(exists) or size & (size - 1):
                sampled = table.sample_keys(samples, store.rng)
                if len(sampled) >= len(exists):
                    pool.clear()
                for key in sampled:
                    self._insert(key, -data[key].seq)
            else:
                rng = store.rng
                mask = size - 1
                i = rng.getrandbits(64) & mask
                need = samples
                steps = samples * 10
                empty = 0
                jump_after = samples if samples > 4 else 4
                room = EVPOOL_SIZE - len(pool)  # free slots; once full, the worst score counts
                worst = pool[0][0] if room <= 0 else _NOT_FULL
                # the buckets as one slice: no index arithmetic per bucket; a run of empty
                # buckets long enough to jump (rare) or the end of the slice hands over below
                window = t0[i : i + (steps if steps < WALK_WINDOW else WALK_WINDOW)]
                jumped = False
                for chain in window:
                    if chain is None:
                        empty += 1
                        if empty > jump_after:
                            jumped = True
                            break
                        continue
                    empty = 0
                    for key in chain:
                        score = -data[key].seq
                        if score > worst:  # _insert: in (and the worst out, once full)
                            insort(pool, (score, key))
                            if room > 0:
                                room -= 1
                                if not room:
                                    worst = pool[0][0]
                            else:
                                del pool[0]
                                worst = pool[0][0]
                        need -= 1
                        if not need:
                            break
                    if not need:
                        break
                if need:  # go on bucket by bucket, exactly where the slice stopped
                    if jumped:
                        used = _end_of_empty_run(window, jump_after + 1)
                        i = (rng.getrandbits(64) + 1) & mask
                        empty = 0
                    else:
                        used = len(window)
                        i = (i + used) & mask
                    for key in table.sample_keys_from(i, need, steps - used, empty, samples, rng):
                        self._insert(key, -data[key].seq)
            while pool:
                key = pool.pop()[1]
                if key in exists:
                    return key

    def _insert(self, key: str, score: Any) -> None:
        """``evictionPoolPopulate``'s insertion: keep the 16 best, sorted ascending.

        Redis finds the first entry with a score not below the new one; if that is the very
        first slot of a full pool the candidate is no better than all and skipped, otherwise
        it is inserted and, the pool being full, the worst entry (slot 0) drops out.
        """
        pool = self.pool
        entry = (score, key)
        if len(pool) >= EVPOOL_SIZE:
            if entry <= pool[0]:
                return
            insort(pool, entry)
            del pool[0]
        else:
            insort(pool, entry)

    @staticmethod
    def _explain(store: Store, victim: str, kind: str, seen: dict[str, Any], sampled: int) -> dict:
        """The evict event's ``candidates`` (best first) and the ``reason`` the victim won.

        Each candidate says whether it is ``stale``: ranked by a score its key no longer has (a
        pooled key used since it was sampled, or whose counter has decayed since).
        """
        ranked = sorted(seen.items(), key=lambda item: item[1], reverse=True)
        now = store._now()
        candidates = []
        for k, score in ranked:
            if k in store._data:
                info = store._candidate_info(k)
                fresh = store._evict_score(k, kind, now)
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


def _end_of_empty_run(buckets: list, run: int) -> int:
    """How many of ``buckets`` a walk uses up to and including the first ``run`` empty ones
    in a row (the point where ``dictGetSomeKeys`` jumps)."""
    empty = 0
    for n, chain in enumerate(buckets, 1):
        empty = empty + 1 if chain is None else 0
        if empty == run:
            return n
    raise ValueError("no run of empty buckets that long")


def primary_score(score: Any) -> Any:
    """What a pool score ranks by, without its tie-break (LRU scores are one number)."""
    return score if isinstance(score, int) else score[0]
