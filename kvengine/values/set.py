"""The set value, as Redis 7.0 keeps it (t_set.c): an *intset* or a *hashtable*.

A set starts in the compact encoding when its first member is an integer: an **intset**, a
sorted array of 64-bit integers searched by binary search (O(log n) lookups, O(n) inserts, a
few bytes per member and no pointers). It is converted, once and for good, to a
**hashtable** (Redis's ``dict``, here :class:`~kvengine.hashtable.HashTable`, member -> None)
as soon as a member is not an integer in canonical form ("12" is, "012", "1.0" and "a" are
not) or it holds more than ``set-max-intset-entries`` (512) members. Removing members never
converts back; only a freshly built set (SINTERSTORE, SUNIONSTORE, SDIFFSTORE, the rest of a
big SPOP, a new SMOVE destination) starts compact again. Redis 7.0 has no listpack sets (they
came in 7.2), so ``OBJECT ENCODING`` of a set is always ``intset`` or ``hashtable``.

Iteration order is what a client sees in SMEMBERS: ascending numbers for an intset, bucket
order for a hashtable (Redis's order there depends on its random hash seed, so tests compare
such replies as sets).

    >>> s = RedisSet.for_member("3")
    >>> s.add("3"), s.add("1"), s.add("3"), s.encoding(), list(s)
    (True, True, False, 'intset', ['1', '3'])
    >>> s.add("x"), s.encoding(), sorted(s)
    (True, 'hashtable', ['1', '3', 'x'])
"""

from __future__ import annotations

import bisect
import random
from collections.abc import Callable, Iterable, Iterator

from ..hashtable import HashTable
from ..memory import byte_len
from ..util import parse_int
from . import Value

SET_MAX_INTSET_ENTRIES = 512  # set-max-intset-entries (redis.conf default)

# Memory estimate (MEMORY USAGE, maxmemory): what the value costs in Redis 7.0, 64-bit build,
# beyond the key and its robj (kvengine.memory charges those).
INTSET_HEADER = 8  # encoding + length
DICT_BYTES = 96  # the dict struct and its two table headers
DICT_ENTRY_BYTES = 24 + 8  # dictEntry + its bucket slot
SDS_HEADER = 4  # sds header + NUL for short strings, rounded


def _intset_width(values: list[int]) -> int:
    """Bytes per integer in an intset: 2, 4 or 8, set by the widest member (intset.c)."""
    if not values:
        return 2
    lo, hi = values[0], values[-1]
    if -(1 << 15) <= lo and hi < 1 << 15:
        return 2
    if -(1 << 31) <= lo and hi < 1 << 31:
        return 4
    return 8


class RedisSet(Value):
    """A Redis set value: ``encoding`` is ``"intset"`` or ``"hashtable"``."""

    type_name = "set"
    __slots__ = ("_ints", "_table", "max_intset_entries", "_width", "_bytes")

    def __init__(self, intset: bool = True, max_intset_entries: int = SET_MAX_INTSET_ENTRIES):
        self.max_intset_entries = max_intset_entries
        self._width = 2  # an intset's bytes per integer: it widens, never narrows
        self._bytes = 0  # a hashtable's entries and member strings (a running total)
        self._ints: list[int] | None = [] if intset else None
        self._table: HashTable | None = None if intset else HashTable()

    @classmethod
    def for_member(cls, first: str, max_intset_entries: int = SET_MAX_INTSET_ENTRIES) -> RedisSet:
        """``setTypeCreate``: an empty set in the encoding that can hold ``first``."""
        return cls(parse_int(first) is not None, max_intset_entries)

    @classmethod
    def built_from(
        cls, members: Iterable[str], max_intset_entries: int = SET_MAX_INTSET_ENTRIES
    ) -> RedisSet:
        """A new set filled by SADD-style adds, starting as an intset (the *STORE commands)."""
        s = cls(True, max_intset_entries)
        for m in members:
            s.add(m)
        return s

    # ------------------------------------------------------------------ encoding
    def encoding(self) -> str:
        """``OBJECT ENCODING``: ``intset`` or ``hashtable``."""
        return "intset" if self._ints is not None else "hashtable"

    def _entry_bytes(self, member: str) -> int:
        return DICT_ENTRY_BYTES + SDS_HEADER + byte_len(member)

    def _convert_to_hashtable(self) -> None:
        """``setTypeConvert``: move every integer into a hash table (as its decimal text)."""
        assert self._ints is not None
        table = HashTable()
        self._bytes = 0
        for n in self._ints:
            table.set(str(n), None)
            self._bytes += self._entry_bytes(str(n))
        self._ints, self._table = None, table

    # ------------------------------------------------------------------ members
    def __len__(self) -> int:
        return len(self._ints) if self._ints is not None else len(self._table)  # type: ignore[arg-type]

    def __contains__(self, member: object) -> bool:
        if self._ints is None:
            return member in self._table  # type: ignore[operator]
        n = parse_int(member) if isinstance(member, str) else None
        if n is None:
            return False
        i = bisect.bisect_left(self._ints, n)
        return i < len(self._ints) and self._ints[i] == n

    def __iter__(self) -> Iterator[str]:
        if self._ints is not None:
            return (str(n) for n in list(self._ints))
        return iter(list(self._table.keys()))  # type: ignore[union-attr]

    def add(self, member: str) -> bool:
        """``setTypeAdd``: True when ``member`` was not there; converts the encoding if needed."""
        if self._ints is not None:
            n = parse_int(member)
            if n is None:
                self._convert_to_hashtable()
            else:
                i = bisect.bisect_left(self._ints, n)
                if i < len(self._ints) and self._ints[i] == n:
                    return False
                self._ints.insert(i, n)
                self._width = max(self._width, _intset_width([n]))
                if len(self._ints) > min(self.max_intset_entries, 1 << 30):
                    self._convert_to_hashtable()
                return True
        assert self._table is not None
        if member in self._table:
            return False
        self._table.set(member, None)
        self._bytes += self._entry_bytes(member)
        return True

    def remove(self, member: str) -> bool:
        """``setTypeRemove``: True when ``member`` was there."""
        if self._ints is not None:
            n = parse_int(member)
            if n is None:
                return False
            i = bisect.bisect_left(self._ints, n)
            if i < len(self._ints) and self._ints[i] == n:
                del self._ints[i]
                return True
            return False
        assert self._table is not None
        if not self._table.delete(member):
            return False
        self._bytes -= self._entry_bytes(member)
        if self._table.needs_shrink():
            self._table.shrink_to_fit()
        return True

    def random_member(self, rng: random.Random) -> str:
        """``setTypeRandomElement``: one member, uniformly for an intset, ``dictGetFairRandomKey``
        for a hashtable. The set must not be empty."""
        if self._ints is not None:
            return str(self._ints[rng.randrange(len(self._ints))])
        key = self._table.fair_random_key(rng)  # type: ignore[union-attr]
        assert key is not None
        return key

    def scan(self, cursor: int, count: int, emit: Callable[[str], None]) -> int:
        """One SSCAN step: an intset is returned whole (cursor 0); a hashtable is walked with
        the reverse-binary cursor of ``dictScan`` until about ``count`` members are found."""
        if self._ints is not None:
            for n in self._ints:
                emit(str(n))
            return 0
        assert self._table is not None
        found = 0

        def counting(key: str) -> None:
            nonlocal found
            found += 1
            emit(key)

        budget = count * 10
        while True:
            cursor = self._table.scan(cursor, counting)
            budget -= 1
            if not (cursor and budget > 0 and found < count):
                return cursor

    def memory_usage(self) -> int:
        """Estimated bytes, O(1): the intset array, or the dict, its buckets and entries."""
        if self._ints is not None:
            return INTSET_HEADER + self._width * len(self._ints)
        assert self._table is not None
        return DICT_BYTES + 8 * self._table.size + self._bytes

    def take_contents(self, other: RedisSet) -> None:
        """Become ``other`` (its members and encoding): SPOP's "new set for the rest"."""
        self._ints, self._table = other._ints, other._table
        self._width, self._bytes = other._width, other._bytes

    def copy(self) -> RedisSet:
        """``setTypeDup``: the same members in the same encoding."""
        other = RedisSet(self._ints is not None, self.max_intset_entries)
        if self._ints is not None:
            other._ints = list(self._ints)
            other._width = self._width
        else:
            for m in self:
                other.add(m)
        return other
