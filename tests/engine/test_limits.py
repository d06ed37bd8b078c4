"""The engine's own size limits (kvengine/limits.py), where it deliberately differs from Redis,
and the few replies of Redis 7.0.15 that a differential case cannot show (Redis would hang or
allocate gigabytes to answer them, or needs an expired key it has not reclaimed yet)."""

from __future__ import annotations

import pytest

from kvengine import ResponseError, Store, VirtualClock
from kvengine.limits import MAX_RANDOM_PICKS, MAX_STRING_BYTES


@pytest.fixture
def store() -> Store:
    return Store(clock=VirtualClock(1_700_000_000_000), seed=1)


def err(store: Store, *args: object) -> str:
    with pytest.raises(ResponseError) as info:
        store.execute(*args)
    return str(info.value)


RANDOM_PICKS = [
    ("SADD", "s", "a", "b", "c", "SRANDMEMBER", "s", ()),
    ("HSET", "h", "f", "v", "HRANDFIELD", "h", ("WITHVALUES",)),
    ("ZADD", "z", "1", "m", "ZRANDMEMBER", "z", ("WITHSCORES",)),
]


@pytest.mark.parametrize("setup", RANDOM_PICKS, ids=lambda s: s[-3])
def test_a_negative_count_past_the_limit_is_refused_at_once(setup: tuple) -> None:
    *write, read, key, option = setup
    store = Store(clock=VirtualClock(0), seed=1)
    store.execute(*write)
    for count in (-4294967296, -(MAX_RANDOM_PICKS + 1), -(2**62)):
        for extra in ((), option):
            if extra and count < -(2**62 - 1):
                continue  # with values Redis's own bound comes first (next test)
            text = err(store, read, key, str(count), *extra)
            assert text.startswith("ERR count asks for ") and str(MAX_RANDOM_PICKS) in text
    picks = store.execute(read, key, str(-MAX_RANDOM_PICKS))
    assert len(picks) == MAX_RANDOM_PICKS
    # A missing key answers an empty array for any count, as in Redis: nothing to refuse.
    assert store.execute(read, "nokey", "-4294967296") == []


def test_redis_bounds_come_first(store: Store) -> None:
    """getRangeLongFromObjectOrReply(-LONG_MAX, LONG_MAX), then LONG_MAX/2 with values, where C
    divides toward zero: -LONG_MAX/2 is -4611686018427387903."""
    store.execute("HSET", "h", "f", "v")
    store.execute("ZADD", "z", "1", "m")
    assert err(store, "SRANDMEMBER", "nokey", "-9223372036854775808") == (
        "ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807"
    )
    for read, key, option in (
        ("HRANDFIELD", "h", "WITHVALUES"),
        ("ZRANDMEMBER", "z", "WITHSCORES"),
    ):
        assert err(store, read, key, "-4611686018427387904", option) == "ERR value is out of range"
        assert err(store, read, key, "4611686018427387904", option) == "ERR value is out of range"
        assert err(store, read, key, "-4611686018427387903", option).startswith("ERR count asks")


def test_setrange_and_append_past_the_string_limit(store: Store) -> None:
    assert err(store, "SETRANGE", "k", str(600 * 1024 * 1024), "x") == (
        "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    )
    text = err(store, "SETRANGE", "k", str(MAX_STRING_BYTES), "x")
    assert text.startswith("ERR string exceeds maximum allowed size (kvengine keeps strings up to")
    assert store.execute("EXISTS", "k") == 0
    assert store.execute("SETRANGE", "k", str(MAX_STRING_BYTES - 2), "xy") == MAX_STRING_BYTES
    assert err(store, "APPEND", "k", "z").startswith("ERR string exceeds maximum allowed size")
    assert store.execute("STRLEN", "k") == MAX_STRING_BYTES
    assert store.execute("SETRANGE", "k", "0", "abc") == MAX_STRING_BYTES  # within: fine


def test_memory_allocator_subcommands_say_why_they_are_refused(store: Store) -> None:
    help_lines = store.execute("MEMORY", "HELP")
    for sub in ("DOCTOR", "MALLOC-STATS", "PURGE", "STATS"):
        assert sub in help_lines
        text = err(store, "MEMORY", sub.lower())
        assert text.startswith(f"ERR MEMORY {sub} is not available in kvengine")
        assert err(store, "MEMORY", sub, "x") == (
            f"ERR wrong number of arguments for 'memory|{sub.lower()}' command"
        )
    assert "REWRITE" in store.execute("CONFIG", "HELP")
    assert err(store, "CONFIG", "REWRITE") == "ERR The server is running without a config file"


def test_memory_usage_finds_the_key_as_dictfind_does() -> None:
    """No hit, no miss, no access recorded, no lazy expiry (object.c's memoryCommand)."""
    clock = VirtualClock(0)
    store = Store(clock=clock, seed=1)
    store.execute("SET", "k", "v", "PX", "100")
    clock.advance(50_000)
    size = store.execute("MEMORY", "USAGE", "k")
    assert isinstance(size, int) and size > 0  # past its TTL, not reclaimed yet
    assert store.execute("MEMORY", "USAGE", "nokey") is None
    stats = store.stats
    assert (stats["keyspace_hits"], stats["keyspace_misses"], stats["expired_keys"]) == (0, 0, 0)
    assert store.execute("GET", "k") is None  # a real lookup expires it
    assert store.stats["expired_keys"] == 1


def test_the_engine_page_states_the_limits_the_code_has() -> None:
    """docs/engine.md names both limits; this keeps its numbers equal to kvengine/limits.py."""
    from pathlib import Path

    page = (Path(__file__).resolve().parents[2] / "docs" / "engine.md").read_text(encoding="utf-8")
    assert f"at most {MAX_RANDOM_PICKS} (" in page and f"{MAX_RANDOM_PICKS:,} picks" in page
    assert f"up to {MAX_STRING_BYTES} bytes" in page and f"({MAX_STRING_BYTES:,} bytes)" in page
