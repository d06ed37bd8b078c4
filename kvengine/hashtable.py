"""A chained hash table with explicit buckets and Redis-style incremental rehashing.

This is Redis's ``dict`` (dict.c) in Python, used two ways:

* the **teaching table** (``resizable=False``): a fixed number of buckets, any size from 4 up,
  bucket = ``hash % size``; ``resize(n)`` re-buckets everything at once so a sim can show how
  a bigger table spreads keys out;
* the **key space** of a :class:`~kvengine.store.Store` (``resizable=True``): power-of-two sizes
  starting at 4, expansion to the next power of two above ``used`` when ``used >= size``,
  shrinking (from the cron) when fewer than 10% of the buckets are used. A resize does not move
  everything at once: a second table is allocated and ``rehashidx`` walks the old one, moving one
  bucket per operation (and 100 per cron step); lookups check both tables meanwhile, and new
  keys go to the new table. This keeps every operation O(1) even while the table doubles.

Each bucket is a chain: a list of keys whose item 0 is the head, where new entries go, as in
Redis (so walking a chain head first is a plain ``for``, with no ``reversed``; chains are short,
so inserting at index 0 costs no more than appending). Beside the buckets a flat ``dict``
indexes key -> value, so a lookup costs one C-level dict probe while the bucket model stays
exact for the sims (``lookup_trace`` walks the chain the way ``dictFind`` does). Hashes are
memoised per key.

    >>> t = HashTable(size=8, resizable=False)
    >>> t.set("user:42", "alice")
    True
    >>> t.bucket_index("user:42"), t.get("user:42")
    (2, 'alice')
    >>> t.lookup_trace("user:42")["chain"]
    ['user:42']
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from itertools import cycle, islice, repeat
from typing import Any

from .hashing import _memo, get_hash_function, hash_key, key_bytes

INITIAL_SIZE = 4  # DICT_HT_INITIAL_SIZE
MIN_FILL_PERCENT = 10  # HASHTABLE_MIN_FILL: shrink below 10% fill
CRON_REHASH_STEPS = 100  # buckets moved per cron call (dictRehashMilliseconds works in 100s)
TEACHING_MIN_SIZE = 1
MAX_BUCKETS = 1 << 26  # a guard against a typo allocating gigabytes (Redis caps at 2**63)

Listener = Callable[[dict], None]


def _next_power(size: int) -> int:
    """Smallest power of two >= size, at least 4 (``_dictNextExp``)."""
    real = INITIAL_SIZE
    while real < size:
        real *= 2
    return real


def _check_size(size: int) -> int:
    """A bucket count from 1 to MAX_BUCKETS, or ValueError saying what is allowed."""
    if isinstance(size, bool) or not isinstance(size, int):
        raise ValueError(f"a table size must be an integer, got {size!r}")
    if not TEACHING_MIN_SIZE <= size <= MAX_BUCKETS:
        raise ValueError(
            f"a table size must be between {TEACHING_MIN_SIZE} and {MAX_BUCKETS}, got {size}"
        )
    return size


def _rev64(v: int) -> int:
    """Reverse the bits of a 64-bit unsigned integer (used by the SCAN cursor)."""
    return int(f"{v & 0xFFFFFFFFFFFFFFFF:064b}"[::-1], 2)


class HashTable:
    """Key -> value table with explicit chained buckets. See the module docstring."""

    def __init__(
        self, size: int = INITIAL_SIZE, hash_name: str = "fnv1a-32", resizable: bool = True
    ) -> None:
        self._hash_fn = get_hash_function(hash_name)
        self.hash_name = hash_name
        self._memo_hash = hash_name == "fnv1a-32"
        self.resizable = resizable
        size = _check_size(size)
        if resizable:
            size = _next_power(size)
        self._index: dict[str, Any] = {}
        self._hashes: dict[str, int] = {}
        self._t0: list[list[str] | None] = [None] * size
        self._t1: list[list[str] | None] | None = None
        self._used0 = 0
        self._used1 = 0
        self.rehashidx = -1
        self.observer: Listener | None = None
        # called when a rehash starts or ends (the store keeps its fast-path flag with it)

    # ----------------------------------------------------------------- hashing
    def hash_of(self, key: str) -> int:
        """The 32-bit hash of ``key`` with this table's function (memoised)."""
        h = self._hashes.get(key)
        if h is None:
            h = hash_key(key) if self._memo_hash else self._hash_fn(key_bytes(key))
        return h

    def bucket_index(self, key: str) -> int:
        """The bucket ``key`` is in (or would go to): ``hash % size`` of that table."""
        h = self.hash_of(key)
        if self._t1 is not None:
            i0 = h % len(self._t0)
            if key in self._index and i0 >= self.rehashidx and self._in_chain(self._t0, i0, key):
                return i0
            return h % len(self._t1)
        return h % len(self._t0)

    @staticmethod
    def _in_chain(table: list[list[str] | None], i: int, key: str) -> bool:
        chain = table[i]
        return chain is not None and key in chain

    # -------------------------------------------------------------- basic ops
    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, key: object) -> bool:
        return key in self._index

    def get(self, key: str, default: Any = None) -> Any:
        """The value of ``key`` or ``default`` (one rehash step first, as ``dictFind``)."""
        if self.rehashidx >= 0:
            self.rehash_step(1)
        return self._index.get(key, default)

    def set(self, key: str, value: Any) -> bool:
        """Insert or update; True when ``key`` is new (it then goes to the head of its chain)."""
        if self.rehashidx >= 0:
            self.rehash_step(1)
        index = self._index
        if key in index:
            index[key] = value
            return False
        self.insert_new(key, value)
        return True

    def insert_new(self, key: str, value: Any, h: int | None = None) -> None:
        """Add a key known to be absent (no rehash step; the caller did it)."""
        if h is None:
            h = _memo.get(key) if self._memo_hash else None
            if h is None:
                h = hash_key(key) if self._memo_hash else self._hash_fn(key_bytes(key))
        if self._t1 is None and self._used0 >= len(self._t0) and self.resizable:
            self.expand(self._used0 + 1)  # a rehash starts (or an empty table grows)
        table = self._t1
        if table is None:
            table = self._t0
            self._used0 += 1
        else:
            self._used1 += 1
        i = h % len(table)
        chain = table[i]
        if chain is None:
            table[i] = [key]
        else:
            chain.insert(0, key)  # chain[0] is the head
        self._index[key] = value
        self._hashes[key] = h

    def delete(self, key: str) -> bool:
        """Remove ``key``; True if it was there."""
        if self.rehashidx >= 0:
            self.rehash_step(1)
        return self.remove(key)

    def remove(self, key: str) -> bool:
        """Remove without a rehash step (for callers that already did one)."""
        if key not in self._index:
            return False
        self.pop(key)
        return True

    def pop(self, key: str) -> Any:
        """Remove a key known to be present, without a rehash step; returns its value."""
        h = self._hashes.pop(key)
        table = self._t0
        i = h % len(table)
        chain = table[i]
        if chain is not None and key in chain:
            self._used0 -= 1
        else:  # during a rehash: the key has moved to the new table
            table = self._t1
            assert table is not None
            i = h % len(table)
            chain = table[i]
            assert chain is not None
            self._used1 -= 1
        if len(chain) == 1:
            table[i] = None
        else:
            chain.remove(key)
        return self._index.pop(key)

    def clear(self) -> None:
        """Drop every key; back to the initial size."""
        size = len(self._t0) if not self.resizable else INITIAL_SIZE
        self._index.clear()
        self._hashes.clear()
        self._t0 = [None] * size
        self._t1 = None
        self._used0 = self._used1 = 0
        if self.rehashidx >= 0:
            self.rehashidx = -1

    def keys(self) -> Iterator[str]:
        """Keys in bucket order (table 0, then table 1 during a rehash), each chain head first."""
        for table in (self._t0, self._t1):
            if table is None:
                continue
            for chain in table:
                if chain:
                    yield from chain

    def items(self) -> Iterator[tuple[str, Any]]:
        index = self._index
        for key in self.keys():
            yield key, index[key]

    # ---------------------------------------------------------------- teaching
    def lookup_trace(self, key: str) -> dict:
        """Walk the chain(s) the way ``dictFind`` does and report every key looked at.

        Returns ``{"key", "hash", "bucket", "table", "chain", "found", "value", "probes"}``;
        ``chain`` lists the keys compared, head first, ending with ``key`` when found.
        """
        h = self.hash_of(key)
        probes = []
        walked: list[str] = []
        found = False
        bucket = h % len(self._t0)
        table_no = 0
        for table_no, table in enumerate((self._t0, self._t1)):
            if table is None:
                break
            bucket = h % len(table)
            chain = table[bucket] or []
            seen = []
            for k in chain:
                seen.append(k)
                if k == key:
                    found = True
                    break
            probes.append({"table": table_no, "bucket": bucket, "chain": seen})
            walked.extend(seen)
            if found or self._t1 is None:
                break
        return {
            "key": key,
            "hash": h,
            "bucket": bucket,
            "table": table_no,
            "chain": walked,
            "found": found,
            "value": self._index.get(key) if found else None,
            "probes": probes,
        }

    def buckets(self, table: int = 0) -> list[list[tuple[str, Any]]]:
        """``[[(key, value), ...], ...]``: each bucket's chain, head first."""
        t = self._t0 if table == 0 else self._t1
        if t is None:
            return []
        index = self._index
        return [[(k, index[k]) for k in chain] if chain else [] for chain in t]

    def bucket_keys(self, table: int = 0) -> list[list[str]]:
        """Like :meth:`buckets` but keys only (cheap, JSON-able)."""
        t = self._t0 if table == 0 else self._t1
        if t is None:
            return []
        return [list(chain) if chain else [] for chain in t]

    @property
    def size(self) -> int:
        """Number of buckets of the main table (table 0)."""
        return len(self._t0)

    @property
    def rehashing(self) -> bool:
        return self._t1 is not None

    def stats(self) -> dict:
        """Shape of the table: size, used, load_factor, longest_chain, empty_buckets, rehashing."""
        chains = [len(c) if c else 0 for c in self._t0]
        if self._t1 is not None:
            chains += [len(c) if c else 0 for c in self._t1]
        size = len(self._t0)
        used = len(self._index)
        return {
            "size": size,
            "used": used,
            "load_factor": round(used / size, 4) if size else 0.0,
            "longest_chain": max(chains, default=0),
            "empty_buckets": sum(1 for c in chains if c == 0),
            "rehashing": self._t1 is not None,
            "rehashidx": self.rehashidx,
            "new_size": len(self._t1) if self._t1 is not None else None,
        }

    # ---------------------------------------------------------------- resizing
    def resize(self, size: int) -> None:
        """Teaching table: re-bucket everything now. Redis table: start an incremental rehash."""
        size = _check_size(size)
        if self.resizable:
            self.expand(size)
            return
        order = list(self.keys())
        new: list[list[str] | None] = [None] * size
        for key in order:  # old chains head first, each pushed onto the head of its new chain
            i = self._hashes[key] % size
            chain = new[i]
            if chain is None:
                new[i] = [key]
            else:
                chain.insert(0, key)
        self._t0 = new
        self._used0 = len(order)

    def expand(self, size: int) -> bool:
        """``dictExpand``: allocate a table of the next power of two >= size and start moving."""
        if self._t1 is not None or self._used0 > size:
            return False
        real = _next_power(size)
        if real == len(self._t0):
            return False
        if self._used0 == 0:
            self._t0 = [None] * real
            return True
        self._t1 = [None] * real
        self.rehashidx = 0
        if self.observer is not None:
            self.observer(
                {
                    "type": "rehash_start",
                    "from_size": len(self._t0),
                    "to_size": real,
                    "used": len(self._index),
                }
            )
        return True

    def needs_shrink(self) -> bool:
        """``htNeedsResize``: more than 4 buckets and under 10% of them used."""
        size = len(self._t0)
        return (
            self.resizable and size > INITIAL_SIZE and self._used0 * 100 // size < MIN_FILL_PERCENT
        )

    def shrink_to_fit(self) -> bool:
        """``dictResize``: start a rehash into the smallest table that holds every key."""
        if self._t1 is not None:
            return False
        return self.expand(max(self._used0, INITIAL_SIZE))

    def rehash_step(self, n: int = 1) -> bool:
        """``dictRehash(d, n)``: move up to ``n`` buckets; True while more remain to move.

        Visits at most ``n * 10`` empty buckets per call, like Redis, so a step stays O(1).
        """
        t0, t1 = self._t0, self._t1
        if t1 is None:
            return False
        empty_visits = n * 10
        size0, size1 = len(t0), len(t1)
        moved_keys: list[str] | None = [] if self.observer is not None else None
        first = self.rehashidx
        hashes = self._hashes
        while n > 0 and self._used0 != 0:
            n -= 1
            while t0[self.rehashidx] is None:
                self.rehashidx += 1
                empty_visits -= 1
                if empty_visits == 0:
                    self._report_step(first, moved_keys, size0, size1)
                    return True
            chain = t0[self.rehashidx]
            assert chain is not None
            for key in chain:  # head first; each becomes the head of its new chain
                i = hashes[key] % size1
                dest = t1[i]
                if dest is None:
                    t1[i] = [key]
                else:
                    dest.insert(0, key)
                if moved_keys is not None:
                    moved_keys.append(key)
            self._used0 -= len(chain)
            self._used1 += len(chain)
            t0[self.rehashidx] = None
            self.rehashidx += 1
        if self._used0 == 0:
            self._t0 = t1
            self._used0 = self._used1
            self._t1 = None
            self._used1 = 0
            self.rehashidx = -1
            self._report_step(first, moved_keys, size0, size1, done=True)
            return False
        self._report_step(first, moved_keys, size0, size1)
        return True

    def _report_step(
        self, first: int, moved: list[str] | None, size0: int, size1: int, done: bool = False
    ) -> None:
        if self.observer is not None:
            self.observer(
                {
                    "type": "rehash_step",
                    "from_bucket": first,
                    "rehashidx": self.rehashidx,
                    "moved": moved or [],
                    "from_size": size0,
                    "to_size": size1,
                    "done": done,
                }
            )

    # ---------------------------------------------------------------- sampling
    def sample_keys(self, count: int, rng: random.Random) -> list[str]:
        """``dictGetSomeKeys``: up to ``count`` keys from consecutive buckets at a random start.

        The walk starts at a random bucket and takes whole chains until it has ``count`` keys;
        more than ``max(4, count)`` empty buckets in a row jump to a new random start, and it
        gives up after ``count * 10`` steps. During a rehash each step visits bucket ``i`` of
        both tables, over the range of the larger one: the old table only from ``rehashidx``
        on (below it the buckets have moved; a step there that is also past the end of the
        new table jumps to ``rehashidx``), and a table smaller than ``i`` not at all.

        When ``count`` is at least the number of keys, every key is returned (in bucket
        order), which makes sampled eviction exact. (Redis also does ``count`` rehash steps
        here; this version does not, so ``eviction_preview`` can predict without mutating.)
        """
        if count >= len(self._index):
            return list(self.keys())
        t0, t1 = self._t0, self._t1
        size = len(t0)
        if size & (size - 1):  # a teaching table whose size is not a power of two
            start = rng.getrandbits(64) % size
            out = []
            for j in range(size):
                out.extend(t0[(start + j) % size] or ())
                if len(out) >= count:
                    break
            return out[:count]
        # count * 10 steps from a random index of the larger table (``maxsizemask``); a step
        # visits bucket i of each table, listed as (table, advance) pairs: advance is 1 for
        # the last table of a step, after which i moves on to the next bucket
        if t1 is None:
            mask = size - 1
            size1 = 0
            visits = repeat((t0, 1), count * 10)
        else:
            size1 = len(t1)
            mask = (size if size > size1 else size1) - 1
            visits = islice(cycle(((t0, 0), (t1, 1))), count * 20)
        rehashidx = self.rehashidx  # -1 when not rehashing
        jump_after = count if count > 4 else 4
        i = rng.getrandbits(64) & mask
        emptylen = 0
        out: list[str] = []
        for table, advance in visits:
            if i < rehashidx and table is t0:  # bucket i of the old table has moved
                if i < size1:
                    continue  # visit it in the new table only
                i = rehashidx  # past the end of the new table too: go on from rehashidx
            try:
                chain = table[i]
            except IndexError:
                chain = ()  # i is past the end of the smaller table: nothing to visit
            if chain:
                emptylen = 0
                out += chain
                if len(out) >= count:
                    return out[:count]
            elif chain is None:  # an empty bucket
                emptylen += 1
                if emptylen > jump_after:
                    i = rng.getrandbits(64) & mask
                    emptylen = 0
            i = (i + advance) & mask
        return out

    def random_key(self, rng: random.Random) -> str | None:
        """``dictGetRandomKey``: a random non-empty bucket, then a random entry of its chain."""
        if not self._index:
            return None
        t0, t1 = self._t0, self._t1
        if t1 is not None:
            s0 = len(t0)
            span = s0 + len(t1) - self.rehashidx
            while True:
                h = self.rehashidx + rng.getrandbits(64) % span
                chain = t1[h - s0] if h >= s0 else t0[h]
                if chain:
                    break
        else:
            mask = len(t0) - 1
            size = len(t0)
            while True:
                h = (rng.getrandbits(64) & mask) if size & mask == 0 else rng.getrandbits(64) % size
                chain = t0[h]
                if chain:
                    break
        pos = rng.getrandbits(31) % len(chain)
        return chain[pos]

    def fair_random_key(self, rng: random.Random) -> str | None:
        """``dictGetFairRandomKey``: sample 15 keys, pick one uniformly (fairer on long chains)."""
        sample = self.sample_keys(15, rng) if len(self._index) > 15 else None
        if not sample:
            return self.random_key(rng)
        return sample[rng.getrandbits(31) % len(sample)]

    # -------------------------------------------------------------------- scan
    def scan(self, cursor: int, emit: Callable[[str], None]) -> int:
        """``dictScan``: visit one bucket (and its expansions in the bigger table during a
        rehash), calling ``emit(key)``; return the next cursor (0 when the scan is complete).

        The reverse-binary cursor guarantees that every key present for the whole scan is
        returned at least once even if the table grows or shrinks in between.
        """
        if not self._index:
            return 0
        v = cursor
        t0, t1 = self._t0, self._t1
        size = len(t0)
        if t1 is None and size & (size - 1):
            # a teaching table of a size that is not a power of two: plain bucket order
            v %= size
            for key in t0[v] or ():
                emit(key)
            return (v + 1) % size
        if t1 is None:
            m0 = len(t0) - 1
            for key in t0[v & m0] or ():
                emit(key)
            v |= ~m0 & 0xFFFFFFFFFFFFFFFF
            v = _rev64(v)
            v = (v + 1) & 0xFFFFFFFFFFFFFFFF
            return _rev64(v)
        small, big = (t0, t1) if len(t0) <= len(t1) else (t1, t0)
        m0, m1 = len(small) - 1, len(big) - 1
        for key in small[v & m0] or ():
            emit(key)
        while True:
            for key in big[v & m1] or ():
                emit(key)
            v |= ~m1 & 0xFFFFFFFFFFFFFFFF
            v = _rev64(v)
            v = (v + 1) & 0xFFFFFFFFFFFFFFFF
            v = _rev64(v)
            if not v & (m0 ^ m1):
                break
        return v
