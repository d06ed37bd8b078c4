"""Redis glob matching (KEYS, SCAN MATCH, CONFIG GET) and the memory estimate."""

from __future__ import annotations

import pytest

from kvengine import Store, VirtualClock
from kvengine.glob import compile_pattern, matches
from kvengine.memory import TTL_OVERHEAD, entry_bytes, parse_memory


@pytest.mark.parametrize(
    ("pattern", "key", "expected"),
    [
        ("h?llo", "hello", True),
        ("h?llo", "hllo", False),
        ("h*llo", "heeeello", True),
        ("h*llo", "hlo", False),
        ("h[ae]llo", "hallo", True),
        ("h[ae]llo", "hillo", False),
        ("h[^e]llo", "hallo", True),
        ("h[^e]llo", "hello", False),
        ("h[a-b]llo", "hbllo", True),
        ("h[b-a]llo", "hallo", True),  # reversed range
        ("a\\*", "a*", True),
        ("a\\*", "ab", False),
        ("*", "", True),
        ("**", "", False),
        ("", "", True),  # Redis's empty-key rules
        ("[", "x", False),
        ("[^", "x", True),
        ("[abc", "b", True),  # unterminated sets
        ("?", "é", False),
        ("??", "é", True),  # ? matches one byte
        ("*a*a*a*a*a*a*a*a*b", "a" * 60, False),  # no exponential blow-up
    ],
)
def test_redis_glob(pattern: str, key: str, expected: bool) -> None:
    assert matches(pattern, key) is expected


def test_star_alone_needs_no_matching() -> None:
    assert compile_pattern("*") is None


def test_memory_estimate_and_units() -> None:
    assert entry_bytes("user:42", "alice") == 64 + 7 + 5
    assert entry_bytes("é", "") == 64 + 2
    assert parse_memory("100") == 100 and parse_memory("") == 0
    assert parse_memory("1k") == 1000 and parse_memory("1KB") == 1024
    assert parse_memory("3gb") == 3 * 1024**3
    for bad in ("1x", "-1", " 1", "+5", "kb", "1.5mb"):
        assert parse_memory(bad) is None


def test_used_memory_follows_writes_ttls_and_deletes() -> None:
    store = Store(clock=VirtualClock(0))
    store.set("k", "abc")
    assert store.used_memory == entry_bytes("k", "abc")
    store.expire("k", 10)
    assert store.used_memory == entry_bytes("k", "abc") + TTL_OVERHEAD
    store.append("k", "de")
    assert store.used_memory == entry_bytes("k", "abcde") + TTL_OVERHEAD
    store.rename("k", "longer-name")
    assert store.used_memory == entry_bytes("longer-name", "abcde") + TTL_OVERHEAD
    store.delete("longer-name")
    assert store.used_memory == 0
