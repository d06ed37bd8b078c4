"""The memory estimate behind ``maxmemory`` and ``INFO memory``.

Redis measures real allocations; a Python engine cannot, so it charges each key what the same
key costs in Redis 7.0 on a 64-bit build, roughly::

    entry_bytes = 24 (dictEntry) + 16 (key sds header + NUL, rounded) + len(key)
                + 16 (robj) + the value's own bytes
    a string's own bytes = 8 (sds header + NUL, rounded) + len(value)
                so a string key costs 64 + len(key) + len(value)   # lengths in UTF-8 bytes
    + 24 when the key has a TTL (its entry in the expires dict)

Any other type reports its own bytes with ``memory_usage()`` (see :mod:`kvengine.values`).

``used_memory`` is the sum over the keys (no fixed baseline: an empty store uses 0 bytes, so a
small ``maxmemory`` such as 1000 bytes gives a cache of a handful of keys in a sim).

    >>> entry_bytes("user:42", "alice")
    76
"""

from __future__ import annotations

from typing import Any

KEY_OVERHEAD = 56  # dictEntry + key sds header + robj
STRING_OVERHEAD = 8  # the value's sds header and NUL
ENTRY_OVERHEAD = KEY_OVERHEAD + STRING_OVERHEAD  # what a string key costs beyond its bytes
TTL_OVERHEAD = 24


def byte_len(text: str) -> int:
    """Length of ``text`` in UTF-8 bytes (fast path for ASCII)."""
    if text.isascii():
        return len(text)
    return len(text.encode("utf-8", "surrogateescape"))


def entry_bytes(key: str, value: Any) -> int:
    """Estimated bytes for one key without TTL: a string, or any value with ``memory_usage()``."""
    if value.__class__ is str:
        if key.isascii() and value.isascii():
            return ENTRY_OVERHEAD + len(key) + len(value)
        return ENTRY_OVERHEAD + byte_len(key) + byte_len(value)
    return KEY_OVERHEAD + byte_len(key) + value.memory_usage()


def parse_memory(text: str) -> int | None:
    """Redis's ``memtoull``: "100", "10kb" (1024), "10k" (1000), "1mb", "2g"... or None.

    >>> parse_memory("1kb"), parse_memory("1k"), parse_memory("2MB"), parse_memory("x")
    (1024, 1000, 2097152, None)
    """
    units = {
        "": 1,
        "b": 1,
        "k": 1000,
        "kb": 1024,
        "m": 1000**2,
        "mb": 1024**2,
        "g": 1000**3,
        "gb": 1024**3,
    }
    if text == "":
        return 0  # as memtoull: an empty value is 0 (no limit)
    s = text.lower() if text == text.strip() else None
    if not s:
        return None
    digits = len(s)
    while digits and not s[digits - 1].isdigit():
        digits -= 1
    number, unit = s[:digits], s[digits:]
    if unit not in units or not number or not number.isascii() or not number.isdigit():
        return None
    value = int(number) * units[unit]
    if value >= 1 << 64:
        return None
    return value
