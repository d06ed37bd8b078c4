"""Hash and list commands (and INCRBYFLOAT, SETRANGE, GETRANGE) are atomic, refuse bad text up
front, move the key version on every change and keep the memory estimate exact.

A failing command changes nothing (contents, TTLs, memory); a lone surrogate is refused with
the engine's one error before anything happens; every write changes ``Store.key_version``
(what WATCH compares) and no read does; after every command ``used_memory`` is the sum of
``entry_bytes`` over the keys, so a value changed in place was re-estimated.
"""

from __future__ import annotations

import random

import pytest

from kvengine import ResponseError, Store, VirtualClock
from kvengine.errors import INVALID_TEXT
from kvengine.memory import TTL_OVERHEAD, entry_bytes

BAD = "\ud800"


def contents(store: Store) -> dict:
    """Every key's type, contents and TTL, read without touching anything observable."""
    out = {}
    for key in sorted(store.keys()):
        kind = store.execute("TYPE", key)
        if kind == "hash":
            value: object = sorted(store.execute("HGETALL", key))
        elif kind == "list":
            value = store.execute("LRANGE", key, "0", "-1")
        else:
            value = store.execute("GET", key)
        out[key] = (
            kind,
            value,
            store.execute("PTTL", key),
            store.execute("OBJECT", "ENCODING", key),
        )
    return out


def exact_memory(store: Store) -> int:
    total = 0
    for key in store.keys():
        value = store.lookup_read(key, touch=False)
        total += entry_bytes(key, value) + (TTL_OVERHEAD if store.pttl(key) >= 0 else 0)
    return total


def filled() -> Store:
    store = Store(clock=VirtualClock(0), seed=1)
    store.execute("HSET", "h", "a", "1", "b", "x", "n", "9223372036854775807")
    store.execute("RPUSH", "l", "a", "b", "c")
    store.execute("SET", "s", "text")
    store.execute("EXPIRE", "h", "100")
    return store


@pytest.mark.parametrize(
    "args",
    [
        ("HSET", "h", "a", BAD),
        ("HSET", "h", "ok", "1", BAD, "2"),
        ("HSETNX", "new", BAD, "v"),
        ("HINCRBY", "h", BAD, "1"),
        ("HDEL", "h", "a", BAD),
        ("LPUSH", "l", "x", BAD),
        ("RPUSH", "new", BAD),
        ("LSET", "l", "0", BAD),
        ("LINSERT", "l", "BEFORE", "a", BAD),
        ("LREM", "l", "0", BAD),
        ("LMOVE", "l", BAD, "LEFT", "LEFT"),
        ("SETRANGE", "s", "0", BAD),
        ("INCRBYFLOAT", BAD, "1"),
    ],
)
def test_a_lone_surrogate_is_refused_before_anything_changes(args: tuple) -> None:
    store = filled()
    before = contents(store)
    with pytest.raises(ResponseError) as err:
        store.execute(*args)
    assert str(err.value) == INVALID_TEXT
    assert contents(store) == before


@pytest.mark.parametrize(
    "args",
    [
        ("HSET", "h", "a", "1", "b"),
        ("HINCRBY", "h", "b", "1"),
        ("HINCRBY", "h", "n", "1"),
        ("HINCRBY", "new", "f", "x"),
        ("HINCRBYFLOAT", "h", "b", "1"),
        ("HINCRBYFLOAT", "h", "a", "inf"),
        ("HINCRBYFLOAT", "new", "f", "nan"),
        ("HRANDFIELD", "h", "3", "WITHVALUES", "x"),
        ("HSCAN", "h", "0", "COUNT", "0"),
        ("HSET", "s", "f", "v"),
        ("LPUSH", "h", "x"),
        ("LSET", "l", "5", "x"),
        ("LSET", "new", "0", "x"),
        ("LPOP", "l", "-1"),
        ("LPOS", "l", "a", "RANK", "0"),
        ("LINSERT", "l", "MIDDLE", "a", "x"),
        ("LMOVE", "l", "s", "LEFT", "LEFT"),
        ("LMOVE", "l", "new", "UP", "LEFT"),
        ("RPOPLPUSH", "l", "h"),
        ("LTRIM", "l", "0", "x"),
        ("INCRBYFLOAT", "s", "1"),
        ("INCRBYFLOAT", "new", "1e5000"),
        ("SETRANGE", "s", "-1", "x"),
        ("SETRANGE", "new", "536870912", "x"),
        ("GETRANGE", "l", "0", "1"),
    ],
)
def test_a_failing_command_changes_nothing(args: tuple) -> None:
    store = filled()
    before, memory = contents(store), store.used_memory
    with pytest.raises(ResponseError):
        store.execute(*args)
    assert contents(store) == before and store.used_memory == memory == exact_memory(store)


WRITES = [
    ("HSET", "k", "f", "v"),
    ("HSET", "k", "f", "v2", "g", "w"),
    ("HSETNX", "k", "h", "x"),
    ("HINCRBY", "k", "n", "3"),
    ("HINCRBYFLOAT", "k", "n", "0.5"),
    ("HDEL", "k", "f"),
    ("HMSET", "k", "big", "x" * 100),
    ("HDEL", "k", "g", "h", "n", "big"),
    ("RPUSH", "k", "a", "b"),
    ("LPUSH", "k", "c"),
    ("LPUSHX", "k", "d"),
    ("RPUSHX", "k", "e"),
    ("LSET", "k", "0", "z"),
    ("LINSERT", "k", "AFTER", "z", "y"),
    ("LREM", "k", "1", "y"),
    ("LTRIM", "k", "1", "-1"),
    ("LPOP", "k"),
    ("RPOP", "k", "1"),
    ("LMOVE", "k", "k", "LEFT", "RIGHT"),
    ("RPOPLPUSH", "k", "other"),
    ("RPOPLPUSH", "k", "other"),  # the last element: the key goes
    ("INCRBYFLOAT", "k", "1.5"),
    ("SETRANGE", "k", "1", "xyz"),
]
READS = [
    ("HGET", "k", "f"),
    ("HGETALL", "k"),
    ("LRANGE", "k", "0", "-1"),
    ("LPOS", "k", "a"),
    ("GETRANGE", "k", "0", "-1"),
    ("HRANDFIELD", "k"),
    ("LINDEX", "k", "0"),
]


def test_every_write_moves_the_key_version_and_no_read_does() -> None:
    store = Store(clock=VirtualClock(0), seed=1)
    store.watch_key("k")
    for write in WRITES:
        before = store.key_version("k")
        store.execute(*write)
        assert store.key_version("k") != before, write
        for read in READS:
            version = store.key_version("k")
            try:
                store.execute(*read)
            except ResponseError:
                pass  # WRONGTYPE for the other types
            assert store.key_version("k") == version, (write, read)
        assert store.used_memory == exact_memory(store), write


def test_memory_stays_exact_through_random_commands() -> None:
    rng = random.Random(7)
    store = Store(clock=VirtualClock(0), seed=2)
    store.execute("CONFIG", "SET", "hash-max-listpack-entries", "4")
    values = ["1", "x", "y" * 80, "-3", "0.5"]
    for step in range(2000):
        key = rng.choice("abc")
        value = rng.choice(values)
        args = rng.choice(
            [
                ("HSET", key, rng.choice("fgh"), value),
                ("HDEL", key, rng.choice("fgh")),
                ("HINCRBYFLOAT", key, rng.choice("fgh"), "1"),
                ("RPUSH", key, value),
                ("LPOP", key),
                ("LREM", key, "0", value),
                ("LSET", key, "-1", value),
                ("LMOVE", key, rng.choice("abc"), "LEFT", "RIGHT"),
                ("SETRANGE", key, "2", value),
                ("INCRBYFLOAT", key, "2.5"),
                ("EXPIRE", key, "100"),
                ("DEL", key),
            ]
        )
        try:
            store.execute(*args)
        except ResponseError:
            pass
        assert store.used_memory == exact_memory(store), (step, args)


def test_a_value_shows_its_type_and_size_in_key_info() -> None:
    store = Store(clock=VirtualClock(0), seed=1)
    store.execute("HSET", "h", "a", "1", "b", "2")
    store.execute("RPUSH", "l", "x", "y", "z")
    info_h, info_l = store.key_info("h"), store.key_info("l")
    assert info_h is not None and info_h["value"] == "<hash listpack, 2 fields>"
    assert info_l is not None and info_l["value"] == "<list quicklist, 3 elements>"
