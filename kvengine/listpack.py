"""The size of a listpack, Redis 7.0's compact encoding for small hashes, lists and sets.

A listpack (listpack.c) is one contiguous block of bytes: a 6-byte header (total bytes, number
of entries), the entries one after another, and an end byte (0xFF). Each entry is its
encoding, its data and a ``backlen`` (the entry's own length, so the list can be walked
backwards). A string that reads as a 64-bit integer is stored as that integer in 1 to 9
bytes; other strings carry a 1, 2 or 5-byte length header. There are no pointers and no
per-entry allocations, which is why small collections cost a fraction of a hash table; the
price is that finding an element means walking the block (O(n)) and an insert may move
everything after it, so Redis converts to a real hash table or splits into several listpacks
(a quicklist) beyond a size limit.

The engine keeps the elements in Python containers (the replies only depend on their order)
and uses this module to know, byte for byte, how big the listpack Redis would build is: for
``hash-max-listpack-*`` style limits, for the quicklist node sizes and for ``MEMORY USAGE``.

    >>> entry_size("7"), entry_size("1000"), entry_size("hello"), entry_size("x" * 100)
    (2, 3, 7, 103)
    >>> listpack_bytes(["name", "alice", "age", "42"])
    27
"""

from __future__ import annotations

from collections.abc import Iterable

from .memory import byte_len

HEADER_SIZE = 6  # LP_HDR_SIZE: 32-bit total bytes + 16-bit element count
END_SIZE = 1  # LP_EOF
LLONG_MIN = -(1 << 63)
LLONG_MAX = (1 << 63) - 1


def as_int64(text: str) -> int | None:
    """``lpStringToInt64``: the integer a canonical decimal string spells, else None.

    Strict like ``string2ll``: no sign but ``-``, no leading zeros, no spaces, 64-bit range.
    """
    n = len(text)
    if n == 0 or n > 20 or not text.isascii():
        return None
    if text == "0":
        return 0
    digits = text[1:] if text[0] == "-" else text
    if not digits.isdigit() or digits[0] == "0":
        return None
    value = int(text)
    return value if LLONG_MIN <= value <= LLONG_MAX else None


def _int_size(v: int) -> int:
    """``lpEncodeIntegerGetType``: 7, 13, 16, 24, 32 or 64-bit integer encodings."""
    if 0 <= v <= 127:
        return 1
    if -4096 <= v <= 4095:
        return 2
    if -32768 <= v <= 32767:
        return 3
    if -8388608 <= v <= 8388607:
        return 4
    if -2147483648 <= v <= 2147483647:
        return 5
    return 9


def _backlen_size(length: int) -> int:
    """``lpEncodeBacklen``: 1 to 5 bytes, 7 bits each."""
    if length <= 127:
        return 1
    if length < 16383:
        return 2
    if length < 2097151:
        return 3
    if length < 268435455:
        return 4
    return 5


def entry_size(text: str) -> int:
    """Bytes one element takes in a listpack: encoding + data + backlen."""
    v = as_int64(text)
    if v is not None:
        size = _int_size(v)
    else:
        n = byte_len(text)
        size = (1 if n < 64 else 2 if n < 4096 else 5) + n
    return size + _backlen_size(size)


def listpack_bytes(elements: Iterable[str]) -> int:
    """``lpBytes`` of a listpack holding ``elements`` in order."""
    return HEADER_SIZE + END_SIZE + sum(entry_size(e) for e in elements)
