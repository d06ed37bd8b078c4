"""Hash functions for the key space and the hash-table sim, with a step-by-step trace.

The default is 32-bit FNV-1a over the key's UTF-8 bytes: start from the offset basis
2166136261, then for every byte xor it in and multiply by the FNV prime 16777619 (mod 2**32).
It is cheap and spreads similar keys ("user:1", "user:2") over all buckets. (Redis itself uses
SipHash with a random seed, which would make bucket numbers differ on every run; FNV-1a keeps
them reproducible for teaching.)

Two more functions show what worse choices look like: djb2 (``h*33 + byte`` from 5381), which
is fine but clusters on short keys, and "sum-bytes", which adds the bytes and so sends every
anagram ("ab", "ba") to the same bucket.

    >>> fnv1a_32(b"user:42")
    795573122
    >>> hash_key("user:42") == fnv1a_32("user:42".encode())
    True
    >>> hash_trace("fnv1a-32", "ab")["steps"][0]["after_xor"]
    2166136228
"""

from __future__ import annotations

from collections.abc import Callable

FNV_OFFSET_BASIS = 2166136261
FNV_PRIME = 16777619
DJB2_START = 5381
MASK32 = 0xFFFFFFFF


def key_bytes(key: str | bytes) -> bytes:
    """The bytes a key is hashed as: UTF-8 (lone surrogates from raw bytes round-trip)."""
    if isinstance(key, bytes):
        return key
    return key.encode("utf-8", "surrogateescape")


def fnv1a_32(data: bytes) -> int:
    """32-bit FNV-1a of ``data``."""
    h = FNV_OFFSET_BASIS
    for byte in data:
        h = ((h ^ byte) * FNV_PRIME) & MASK32
    return h


def djb2_32(data: bytes) -> int:
    """Bernstein's djb2 (``h = h*33 + byte`` from 5381), kept to 32 bits."""
    h = DJB2_START
    for byte in data:
        h = (h * 33 + byte) & MASK32
    return h


def sum_bytes_32(data: bytes) -> int:
    """The sum of the bytes: a deliberately poor hash (anagrams collide)."""
    return sum(data) & MASK32


HashFunction = Callable[[bytes], int]

HASH_FUNCTIONS: dict[str, HashFunction] = {
    "fnv1a-32": fnv1a_32,
    "djb2-32": djb2_32,
    "sum-bytes": sum_bytes_32,
}

_MEMO_LIMIT = 1 << 16
_memo: dict[str, int] = {}


def hash_key(key: str) -> int:
    """FNV-1a of a str key, memoised (keys recur: caches see the same keys again and again)."""
    h = _memo.get(key)
    if h is None:
        h = fnv1a_32(key.encode("utf-8", "surrogateescape"))
        if len(_memo) >= _MEMO_LIMIT:
            _memo.clear()
        _memo[key] = h
    return h


def get_hash_function(name: str) -> HashFunction:
    """The function registered as ``name``; ValueError naming the choices otherwise."""
    try:
        return HASH_FUNCTIONS[name]
    except KeyError:
        choices = ", ".join(HASH_FUNCTIONS)
        raise ValueError(f"unknown hash function {name!r}; choose one of {choices}") from None


def _char_of(data: bytes, index: int) -> str:
    """The printable character a byte starts, or a hex form for continuation bytes."""
    byte = data[index]
    if byte < 0x80:
        return chr(byte) if 32 <= byte < 127 else f"\\x{byte:02x}"
    if byte >= 0xC0:  # lead byte of a multi-byte UTF-8 sequence
        end = index + 1
        while end < len(data) and 0x80 <= data[end] < 0xC0:
            end += 1
        try:
            return data[index:end].decode("utf-8")
        except UnicodeDecodeError:
            return f"\\x{byte:02x}"
    return f"\\x{byte:02x}"


def hash_trace(hash_name: str, key: str | bytes) -> dict:
    """Every step of hashing ``key`` with ``hash_name``, as JSON-able data for the sim.

    fnv1a-32 steps carry ``after_xor`` and ``after_multiply``; djb2-32 steps carry
    ``after_multiply`` (h*33) and ``after_add``; sum-bytes steps carry ``after_add``.

        >>> t = hash_trace("sum-bytes", "ab")
        >>> [s["after_add"] for s in t["steps"]], t["hash"]
        ([97, 195], 195)
    """
    fn = get_hash_function(hash_name)
    data = key_bytes(key)
    text = key if isinstance(key, str) else data.decode("utf-8", "replace")
    steps: list[dict] = []
    trace: dict = {"hash_name": hash_name, "key": text, "bytes": list(data)}
    if hash_name == "fnv1a-32":
        h = FNV_OFFSET_BASIS
        trace.update(offset_basis=FNV_OFFSET_BASIS, prime=FNV_PRIME)
        for i, byte in enumerate(data):
            x = h ^ byte
            h = (x * FNV_PRIME) & MASK32
            steps.append(
                {
                    "index": i,
                    "byte": byte,
                    "char": _char_of(data, i),
                    "after_xor": x,
                    "after_multiply": h,
                }
            )
    elif hash_name == "djb2-32":
        h = DJB2_START
        trace.update(start=DJB2_START, multiplier=33)
        for i, byte in enumerate(data):
            m = (h * 33) & MASK32
            h = (m + byte) & MASK32
            steps.append(
                {
                    "index": i,
                    "byte": byte,
                    "char": _char_of(data, i),
                    "after_multiply": m,
                    "after_add": h,
                }
            )
    else:
        h = 0
        trace.update(start=0)
        for i, byte in enumerate(data):
            h = (h + byte) & MASK32
            steps.append({"index": i, "byte": byte, "char": _char_of(data, i), "after_add": h})
    assert h == fn(data)
    trace["steps"] = steps
    trace["hash"] = h
    return trace
