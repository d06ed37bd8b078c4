"""Redis Cluster key distribution: hash slots and the slot split of ``redis-cli --cluster create``.

Algorithm. A cluster has 16384 hash slots. A key's slot is ``CRC16(key) mod 16384``, where
CRC16 is the XMODEM variant (polynomial 0x1021, initial value 0, no reflection), the one Redis
uses in cluster.c. If the key contains a ``{...}`` hash tag (the first ``{`` and the first ``}``
after it, with at least one byte between them), only the bytes inside the braces are hashed, so
``{user1000}.following`` and ``{user1000}.followers`` share a slot. The CRC is computed over the
UTF-8 bytes by the standard library's ``binascii.crc_hqx(data, 0)``, which is exactly this
CRC-16/XMODEM (Redis's crc16.c computes the same function from a 256-entry table).

``redis-cli --cluster create`` gives master *i* a contiguous run of slots: it keeps a float
cursor, advances it by ``16384 / masters`` and rounds ``cursor + per_node - 1`` to the nearest
integer for each master's last slot; the last master takes everything up to 16383. The C code
does this in 32-bit ``float``; we repeat the float32 rounding so the split is the same for every
S (3 masters: 0-5460, 5461-10922, 10923-16383).

    >>> key_hash_slot("foo"), key_hash_slot("{user1000}.following")
    (12182, 3443)
    >>> slot_ranges(3)
    [(0, 5460), (5461, 10922), (10923, 16383)]
    >>> shard_for_slot(key_hash_slot("popular_key"), slot_ranges(3))
    1
"""

from __future__ import annotations

import binascii
import struct
from bisect import bisect_left

CLUSTER_SLOTS = 16384


def crc16_xmodem(data: bytes) -> int:
    """CRC16-XMODEM (poly 0x1021, init 0): ``crc16_xmodem(b"123456789") == 0x31C3``.

    >>> hex(crc16_xmodem(b"123456789"))
    '0x31c3'
    """
    return binascii.crc_hqx(data, 0)


def hash_tag(key: str | bytes) -> bytes:
    """The bytes Redis hashes for ``key``: the ``{tag}`` contents if there is one, else the key.

    >>> hash_tag("{user1000}.following"), hash_tag("foo{}{bar}"), hash_tag("foo{{bar}}zap")
    (b'user1000', b'foo{}{bar}', b'{bar')
    """
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    start = raw.find(b"{")
    if start == -1:
        return raw
    end = raw.find(b"}", start + 1)
    if end == -1 or end == start + 1:
        return raw
    return raw[start + 1 : end]


def key_hash_slot(key: str | bytes) -> int:
    """The cluster slot (0..16383) of ``key``, as ``CLUSTER KEYSLOT`` answers."""
    return crc16_xmodem(hash_tag(key)) & (CLUSTER_SLOTS - 1)


def _f32(x: float) -> float:
    """Round a Python float to the nearest IEEE 754 single-precision value (C ``float``)."""
    return struct.unpack("<f", struct.pack("<f", x))[0]


def _lround(x: float) -> int:
    """C ``lround``: nearest integer, halves away from zero."""
    return int(x + 0.5) if x >= 0 else -int(-x + 0.5)


def slot_ranges(masters: int) -> list[tuple[int, int]]:
    """The ``(first, last)`` slot range of each master, as ``redis-cli --cluster create`` assigns.

    >>> slot_ranges(1)
    [(0, 16383)]
    """
    if not isinstance(masters, int) or isinstance(masters, bool) or masters < 1:
        raise ValueError("a cluster needs at least one shard")
    if masters > CLUSTER_SLOTS:
        raise ValueError(f"a cluster has only {CLUSTER_SLOTS} slots")
    per_node = _f32(CLUSTER_SLOTS / _f32(float(masters)))
    cursor = 0.0
    first = 0
    ranges: list[tuple[int, int]] = []
    for i in range(masters):
        last = _lround(_f32(_f32(cursor + per_node) - 1.0))
        if last > CLUSTER_SLOTS or i == masters - 1:
            last = CLUSTER_SLOTS - 1
        if last < first:
            last = first
        ranges.append((first, last))
        first = last + 1
        cursor = _f32(cursor + per_node)
    return ranges


def shard_for_slot(slot: int, ranges: list[tuple[int, int]]) -> int:
    """The 1-based shard number owning ``slot`` ("Shard 1" owns the first range)."""
    if not 0 <= slot < CLUSTER_SLOTS:
        raise ValueError(f"a slot is between 0 and {CLUSTER_SLOTS - 1}")
    lasts = [last for _, last in ranges]
    return bisect_left(lasts, slot) + 1
