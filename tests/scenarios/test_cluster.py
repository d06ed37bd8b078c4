"""Hash slots and the slot split match Redis Cluster (CRC16-XMODEM, hash tags, redis-cli)."""

from __future__ import annotations

import binascii

import pytest

from kvengine.scenarios.cluster import (
    CLUSTER_SLOTS,
    crc16_xmodem,
    hash_tag,
    key_hash_slot,
    shard_for_slot,
    slot_ranges,
)

# Values from the Redis Cluster specification / CLUSTER KEYSLOT, and the chapter's check values.
KNOWN_SLOTS = {
    "foo": 12182,
    "bar": 5061,
    "hello": 866,
    "{user1000}.following": 3443,
    "{user1000}.followers": 3443,
    "foo{}{bar}": 8363,
    "popular_key": 1727,
    "popular_key:1": 11046,
    "popular_key:2": 6981,
    "popular_key:3": 2916,
}


def test_crc16_check_value() -> None:
    # The standard CRC-16/XMODEM check value, also the one in Redis's crc16.c comment
    # ("Output for "123456789" : 31C3") and the Redis Cluster specification's appendix.
    assert crc16_xmodem(b"123456789") == 0x31C3
    assert crc16_xmodem(b"") == 0


def test_crc16_is_the_standard_library_crc_hqx() -> None:
    # binascii.crc_hqx(data, 0) is CRC-16/XMODEM; the engine uses it rather than its own table.
    for data in (b"", b"A", b"123456789", "café".encode(), bytes(range(256))):
        assert crc16_xmodem(data) == binascii.crc_hqx(data, 0)


@pytest.mark.parametrize(("key", "slot"), sorted(KNOWN_SLOTS.items()))
def test_known_slots(key: str, slot: int) -> None:
    assert key_hash_slot(key) == slot


def test_hash_tags_follow_the_spec() -> None:
    assert hash_tag("{user1000}.following") == b"user1000"
    assert hash_tag("foo{}{bar}") == b"foo{}{bar}"  # empty first tag: hash the whole key
    assert hash_tag("foo{{bar}}zap") == b"{bar"  # first "{" to the first "}" after it
    assert hash_tag("foo{bar}{zap}") == b"bar"  # only the first tag counts
    assert hash_tag("no-close{brace") == b"no-close{brace"
    assert key_hash_slot("{a}x") == key_hash_slot("{a}y") == key_hash_slot("a")


def test_slot_of_non_ascii_key_uses_utf8_bytes() -> None:
    assert key_hash_slot("café") == crc16_xmodem("café".encode()) % CLUSTER_SLOTS


def test_three_masters_split_like_redis_cli() -> None:
    assert slot_ranges(3) == [(0, 5460), (5461, 10922), (10923, 16383)]


@pytest.mark.parametrize("masters", [1, 2, 3, 4, 5, 6, 7, 10, 16, 100])
def test_ranges_cover_every_slot_once(masters: int) -> None:
    ranges = slot_ranges(masters)
    assert len(ranges) == masters
    assert ranges[0][0] == 0 and ranges[-1][1] == CLUSTER_SLOTS - 1
    for (_, last), (first, _) in zip(ranges, ranges[1:], strict=False):
        assert first == last + 1
    sizes = [last - first + 1 for first, last in ranges]
    assert max(sizes) - min(sizes) <= 1  # "split evenly"


def test_shard_numbering_starts_at_one_in_slot_order() -> None:
    ranges = slot_ranges(3)
    assert [shard_for_slot(s, ranges) for s in (0, 5460, 5461, 10922, 10923, 16383)] == [
        1,
        1,
        2,
        2,
        3,
        3,
    ]
    assert shard_for_slot(key_hash_slot("popular_key"), ranges) == 1
    replica_shards = {shard_for_slot(key_hash_slot(f"popular_key:{i}"), ranges) for i in (1, 2, 3)}
    assert replica_shards == {1, 2, 3}


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "3", CLUSTER_SLOTS + 1])
def test_bad_shard_counts_are_refused(bad: object) -> None:
    with pytest.raises(ValueError):
        slot_ranges(bad)  # type: ignore[arg-type]


def test_bad_slot_is_refused() -> None:
    with pytest.raises(ValueError):
        shard_for_slot(CLUSTER_SLOTS, slot_ranges(3))
