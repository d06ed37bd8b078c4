"""HashTable: the teaching table (hash % size) and the Redis-style incremental rehash."""

from __future__ import annotations

import random

import pytest

from kvengine.hashing import djb2_32, fnv1a_32
from kvengine.hashtable import HashTable


def test_teaching_table_buckets_by_hash_mod_size() -> None:
    t = HashTable(size=5, resizable=False)
    keys = [f"user:{i}" for i in range(20)]
    for k in keys:
        t.set(k, k.upper())
    assert t.size == 5
    for k in keys:
        assert t.bucket_index(k) == fnv1a_32(k.encode()) % 5
        assert t.get(k) == k.upper()
    buckets = t.buckets()
    assert sum(len(b) for b in buckets) == 20
    for i, bucket in enumerate(buckets):
        assert all(fnv1a_32(k.encode()) % 5 == i for k, _ in bucket)


def test_new_entries_go_to_the_head_of_the_chain() -> None:
    t = HashTable(size=1, resizable=False)
    t.set("first", 1)
    t.set("second", 2)
    assert t.buckets() == [[("second", 2), ("first", 1)]]
    trace = t.lookup_trace("first")
    assert trace["chain"] == ["second", "first"] and trace["found"]
    assert t.lookup_trace("missing")["chain"] == ["second", "first"]
    assert not t.lookup_trace("missing")["found"]


def test_update_keeps_position_and_delete_removes() -> None:
    t = HashTable(size=4, resizable=False)
    assert t.set("k", 1) is True
    assert t.set("k", 2) is False
    assert t.get("k") == 2 and len(t) == 1
    assert t.delete("k") is True and t.delete("k") is False
    assert t.get("k") is None and t.stats()["used"] == 0


def test_teaching_resize_rebuckets_everything() -> None:
    t = HashTable(size=4, resizable=False)
    for i in range(12):
        t.set(f"k{i}", i)
    before = t.stats()["longest_chain"]
    t.resize(16)
    assert t.size == 16 and len(t) == 12
    for i in range(12):
        assert t.bucket_index(f"k{i}") == fnv1a_32(f"k{i}".encode()) % 16
        assert t.get(f"k{i}") == i
    assert t.stats()["longest_chain"] <= before
    assert t.stats()["load_factor"] == 0.75


def test_other_hash_functions_are_selectable() -> None:
    t = HashTable(size=8, hash_name="djb2-32", resizable=False)
    t.set("abc", 1)
    assert t.bucket_index("abc") == djb2_32(b"abc") % 8
    bad = HashTable(size=8, hash_name="sum-bytes", resizable=False)
    bad.set("ab", 1)
    bad.set("ba", 2)
    assert bad.stats()["longest_chain"] == 2  # anagrams share a bucket
    with pytest.raises(ValueError):
        HashTable(hash_name="nope")


def test_growth_starts_incremental_rehash_at_used_equals_size() -> None:
    t = HashTable()
    assert t.size == 4
    for i in range(4):
        t.set(f"k{i}", i)
    assert not t.rehashing
    t.set("k4", 4)  # used (4) >= size (4): expand to 8
    st = t.stats()
    assert st["rehashing"] and st["new_size"] == 8
    # every key is reachable while both tables are in use
    assert all(t.get(f"k{i}") == i for i in range(5))


def test_rehash_finishes_after_one_step_per_nonempty_bucket() -> None:
    t = HashTable()
    for i in range(64):
        t.set(f"key:{i}", i)
    while t.rehash_step(100):
        pass
    t.set("trigger", 0)  # 64 keys in 64 buckets -> expand to 128
    assert t.rehashing
    steps = 0
    while t.rehash_step(1):
        steps += 1
    # one non-empty bucket per step (the final step returns False)
    assert steps + 1 <= 64
    assert not t.rehashing and t.size == 128 and len(t) == 65
    assert sorted(t.keys()) == sorted([f"key:{i}" for i in range(64)] + ["trigger"])


def test_operations_advance_the_rehash_one_bucket_each() -> None:
    t = HashTable()
    for i in range(8):
        t.set(f"k{i}", i)
    while t.rehash_step(100):
        pass
    t.set("x", 1)
    assert t.rehashing
    idx = t.rehashidx
    t.get("k0")
    assert t.rehashidx > idx or not t.rehashing


def test_shrink_below_ten_percent() -> None:
    t = HashTable()
    for i in range(200):
        t.set(f"k{i}", i)
    while t.rehash_step(100):
        pass
    assert t.size == 256
    for i in range(190):
        t.delete(f"k{i}")
    assert t.needs_shrink()
    assert t.shrink_to_fit()
    while t.rehash_step(100):
        pass
    assert t.size == 16 and sorted(t.keys()) == sorted(f"k{i}" for i in range(190, 200))


def _full_scan(t: HashTable, between=None) -> list[str]:
    seen: list[str] = []
    cursor = 0
    while True:
        cursor = t.scan(cursor, seen.append)
        if between:
            between()
        if cursor == 0:
            return seen


def test_scan_returns_every_key_even_if_the_table_grows_meanwhile() -> None:
    t = HashTable()
    for i in range(50):
        t.set(f"old{i}", i)
    counter = iter(range(10_000))

    def grow() -> None:
        for _ in range(5):
            t.set(f"new{next(counter)}", 0)

    seen = _full_scan(t, grow)
    assert {f"old{i}" for i in range(50)} <= set(seen)


def test_scan_during_rehash_sees_all_keys() -> None:
    t = HashTable()
    for i in range(33):
        t.set(f"k{i}", i)
    assert t.rehashing
    assert set(_full_scan(t)) == {f"k{i}" for i in range(33)}


def test_sampling() -> None:
    t = HashTable()
    for i in range(100):
        t.set(f"k{i}", i)
    rng = random.Random(3)
    sample = t.sample_keys(5, rng)
    assert len(sample) == 5 and len(set(sample)) == 5 and all(k in t for k in sample)
    assert sorted(t.sample_keys(100, rng)) == sorted(t.keys())
    picks = {t.random_key(rng) for _ in range(2000)}
    assert len(picks) > 90  # spread over nearly every key
    assert HashTable().random_key(rng) is None


def test_teaching_table_of_odd_size_scans_and_samples() -> None:
    t = HashTable(size=6, resizable=False)
    for i in range(20):
        t.set(f"k{i}", i)
    assert sorted(_full_scan(t)) == sorted(f"k{i}" for i in range(20))
    sample = t.sample_keys(7, random.Random(1))
    assert len(set(sample)) == 7 and all(k in t for k in sample)


@pytest.mark.parametrize("size", [0, -3, 2**40, "8", 2.5])
def test_bad_sizes_are_clear_errors(size) -> None:
    with pytest.raises(ValueError, match="table size"):
        HashTable(size=size, resizable=False)
    t = HashTable(size=4, resizable=False)
    with pytest.raises(ValueError, match="table size"):
        t.resize(size)
    assert t.size == 4
