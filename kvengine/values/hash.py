"""The hash type (Redis's t_hash.c): a key holding field -> value pairs.

Redis 7.0 keeps a hash in one of two encodings and converts one way only:

* ``listpack`` while it is small: fields and values alternate in one compact block
  (see :mod:`kvengine.listpack`), in insertion order; an update rewrites the value in place,
  a delete closes the gap. Lookups walk the block, which is fast for a few dozen pairs and
  costs no pointers at all.
* ``hashtable`` (a ``dict``, :class:`kvengine.hashtable.HashTable` here) once it holds more
  than ``hash-max-listpack-entries`` pairs (default 512) or any field or value longer than
  ``hash-max-listpack-value`` bytes (default 64). O(1) lookups, ~50 bytes of overhead per pair,
  and no defined order: ``HGETALL`` then follows the buckets. A hash never goes back to a
  listpack, even when it shrinks (``hashTypeConvert`` from a hashtable is "Not implemented").

The listpack is modelled by an insertion-ordered Python ``dict`` (it gives the same order and
the same replies; the byte size of the real listpack is kept beside it for ``MEMORY USAGE``).

    >>> h = Hash()
    >>> h.set("name", "alice", max_entries=512, max_value=64), h.set("age", "41", 512, 64)
    (True, True)
    >>> h.set("age", "42", 512, 64), h.get("age"), h.encoding(), list(h.items())
    (False, '42', 'listpack', [('name', 'alice'), ('age', '42')])
    >>> h.set("bio", "x" * 65, 512, 64), h.encoding(), len(h)
    (True, 'hashtable', 3)
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from typing import ClassVar

from ..hashtable import HashTable
from ..listpack import END_SIZE, HEADER_SIZE, entry_size
from ..memory import byte_len
from . import Value

HASH_MAX_LISTPACK_ENTRIES = 512  # defaults of redis.conf 7.0
HASH_MAX_LISTPACK_VALUE = 64

DICT_SIZE = 56  # struct dict
DICT_ENTRY_SIZE = 24  # dictEntry: key, value and next pointers
SDS_OVERHEAD = 4  # an sds's header (type + lengths, for short strings) and NUL, rounded up
POINTER_SIZE = 8  # one bucket slot


def _sds_size(text: str) -> int:
    return byte_len(text) + SDS_OVERHEAD


class Hash(Value):
    """A Redis hash; ``encoding()`` says which representation holds it right now."""

    __slots__ = ("_pairs", "_table", "_lp_bytes", "_ht_bytes")
    type_name: ClassVar[str] = "hash"

    def __init__(self) -> None:
        self._pairs: dict[str, str] | None = {}  # the listpack, while there is one
        self._table: HashTable | None = None  # the dict, after conversion
        self._lp_bytes = HEADER_SIZE + END_SIZE
        self._ht_bytes = 0  # the pairs' dictEntry + sds bytes once converted

    # ----------------------------------------------------------------- facts
    def encoding(self) -> str:
        return "listpack" if self._table is None else "hashtable"

    def __repr__(self) -> str:
        return f"<hash {self.encoding()}, {len(self)} fields>"

    def memory_usage(self) -> int:
        """Estimated bytes of the value (without the key): the listpack block, or the dict
        with its bucket array, entries and strings."""
        if self._table is None:
            return self._lp_bytes
        buckets = self._table.size
        return DICT_SIZE + POINTER_SIZE * buckets + self._ht_bytes

    def __len__(self) -> int:
        return len(self._pairs) if self._table is None else len(self._table)

    # ----------------------------------------------------------------- reads
    def get(self, field: str) -> str | None:
        if self._table is None:
            assert self._pairs is not None
            return self._pairs.get(field)
        return self._table.get(field)

    def __contains__(self, field: object) -> bool:
        if self._table is None:
            assert self._pairs is not None
            return field in self._pairs
        return field in self._table

    def items(self) -> Iterator[tuple[str, str]]:
        """Pairs in the encoding's order: insertion order, or bucket order for a hashtable."""
        if self._table is None:
            assert self._pairs is not None
            return iter(list(self._pairs.items()))
        return iter(list(self._table.items()))

    # ---------------------------------------------------------------- writes
    def try_conversion(self, strings: Iterable[str], max_value: int) -> None:
        """``hashTypeTryConversion``: go to a hashtable before a write that brings a field or
        value longer than ``hash-max-listpack-value`` bytes."""
        if self._table is None and any(byte_len(s) > max_value for s in strings):
            self.convert()

    def set(self, field: str, value: str, max_entries: int, max_value: int) -> bool:
        """``hashTypeSet``: add or overwrite; True when the field is new. Converts first when
        the field or value is too long for a listpack, after when there are too many pairs."""
        if self._table is None and (byte_len(field) > max_value or byte_len(value) > max_value):
            self.convert()
        if self._table is None:
            pairs = self._pairs
            assert pairs is not None
            old = pairs.get(field)
            if old is not None:
                self._lp_bytes += entry_size(value) - entry_size(old)
            else:
                self._lp_bytes += entry_size(field) + entry_size(value)
            pairs[field] = value
            if len(pairs) > max_entries:
                self.convert()
            return old is None
        old = self._table.get(field)
        if old is not None:
            self._ht_bytes += _sds_size(value) - _sds_size(old)
        else:
            self._ht_bytes += DICT_ENTRY_SIZE + _sds_size(field) + _sds_size(value)
        self._table.set(field, value)
        return old is None

    def delete(self, field: str) -> bool:
        """``hashTypeDelete``; a hashtable shrinks its bucket array when under 10% full."""
        if self._table is None:
            pairs = self._pairs
            assert pairs is not None
            old = pairs.pop(field, None)
            if old is None:
                return False
            self._lp_bytes -= entry_size(field) + entry_size(old)
            return True
        old = self._table.get(field)
        if old is None:
            return False
        self._table.delete(field)
        self._ht_bytes -= DICT_ENTRY_SIZE + _sds_size(field) + _sds_size(old)
        if self._table.needs_shrink():
            self._table.shrink_to_fit()
        return True

    def convert(self) -> None:
        """``hashTypeConvertListpack``: copy every pair into a dict presized for them."""
        if self._table is not None:
            return
        pairs = self._pairs
        assert pairs is not None
        table = HashTable(size=max(len(pairs), 1))
        for field, value in pairs.items():
            table.set(field, value)
            self._ht_bytes += DICT_ENTRY_SIZE + _sds_size(field) + _sds_size(value)
        self._table, self._pairs = table, None

    # --------------------------------------------------------------- random
    def random_field(self, rng: random.Random) -> str:
        """One field, uniformly (``dictGetFairRandomKey`` / ``lpRandomPair``)."""
        if self._table is None:
            assert self._pairs is not None
            fields = list(self._pairs)
            return fields[rng.randrange(len(fields))]
        field = self._table.fair_random_key(rng)
        assert field is not None
        return field

    def random_unique_fields(self, count: int, rng: random.Random) -> list[str]:
        """``count`` distinct fields (count < len), in the encoding's order for a listpack
        (``lpRandomPairsUnique`` walks it once) and in draw order for a hashtable."""
        if self._table is None:
            assert self._pairs is not None
            fields = list(self._pairs)
            chosen = set(rng.sample(range(len(fields)), count))
            return [f for i, f in enumerate(fields) if i in chosen]
        picked: dict[str, None] = {}
        while len(picked) < count:
            picked[self.random_field(rng)] = None
        return list(picked)

    # ----------------------------------------------------------------- scan
    def scan(self, cursor: int) -> tuple[int, list[str]]:
        """One HSCAN step before filtering: ``(next cursor, [field, value, ...])``.

        A listpack is returned whole with cursor 0 (it is small by construction); a hashtable
        visits one bucket per :meth:`HashTable.scan` call, as ``dictScan``. The caller loops
        until it has ``COUNT`` pairs or the cursor is back to 0.
        """
        if self._table is None:
            assert self._pairs is not None
            flat: list[str] = []
            for field, value in self._pairs.items():
                flat += (field, value)
            return 0, flat
        table = self._table
        fields: list[str] = []
        cursor = table.scan(cursor, fields.append)
        flat = []
        for field in fields:  # values are read after the bucket walk, which must not rehash
            flat += (field, table.get(field))
        return cursor, flat
