"""Commands are atomic, bad text is refused up front, values are typed, key versions move.

A failing command changes nothing; a str that cannot become UTF-8 (a lone surrogate, which a
JavaScript string can hold) is refused with one clear error by every entry point; the native
API raises only ResponseError; a key of another type gets Redis's WRONGTYPE; and every
modification of a key changes ``Store.key_version`` (what WATCH compares).
"""

from __future__ import annotations

import pytest

from kvengine import EventLog, ResponseError, Store, SystemClock, VirtualClock
from kvengine.errors import INVALID_TEXT, WRONGTYPE
from kvengine.memory import TTL_OVERHEAD, entry_bytes
from kvengine.values import Value

BAD = "\ud800"


def state(store: Store) -> tuple:
    """Keys, values, TTLs and memory (a failed command may still have touched a key, as in
    Redis: the lookup that finds the wrong value records an access)."""
    infos = [store.key_info(k) for k in sorted(store.keys())]
    return (
        store.used_memory,
        [(i["key"], i["value"], i["ttl_ms"], i["bytes"]) for i in infos if i is not None],
    )


@pytest.mark.parametrize(
    "args",
    [
        ("SET", "k", BAD),
        ("SET", BAD, "v"),
        ("MSET", "a", "1", "b", BAD),
        ("MSET", "a", "1", BAD, "2"),
        ("APPEND", "k", BAD),
        ("DEL", "k", BAD),
        ("RENAME", "k", BAD),
        ("SET", "k", "v", "EX", BAD),
        ("EXPIRE", "k", "10", BAD),
    ],
)
def test_a_lone_surrogate_is_refused_before_anything_changes(args: tuple) -> None:
    store = Store(clock=VirtualClock(0), seed=1, policy="allkeys-lru", maxkeys=3)
    store.mset({"k": "v", "x": "1", "y": "2"})
    before = state(store)
    with pytest.raises(ResponseError) as err:
        store.execute(*args)
    assert str(err.value) == INVALID_TEXT
    assert state(store) == before


def test_the_native_api_refuses_bad_text_and_huge_numbers_with_response_errors() -> None:
    store = Store(clock=VirtualClock(0))
    store.set("k", "v")
    for call in (
        lambda: store.set("k", BAD),
        lambda: store.get(BAD),
        lambda: store.mset({"a": "1", "b": BAD}),
        lambda: store.delete("k", BAD),
        lambda: store.get(10**5000),
        lambda: store.set("k", "v", ex=10**5000),
        lambda: store.incrby("k", 10**30),
        lambda: store.scan(0, count="x"),
    ):
        with pytest.raises(ResponseError):
            call()
    assert store.get("k") == "v" and store.dbsize() == 1 and store.get("a") is None
    assert store.set("raw", b"\xff\xfe") == "OK"  # bytes that are not UTF-8 round-trip
    assert store.strlen("raw") == 2


def test_failing_commands_leave_the_store_as_it_was() -> None:
    store = Store(clock=VirtualClock(0))
    store.set("n", "notanumber", ex=100)
    before = state(store)
    for args in (
        ("INCR", "n"),
        ("SET", "k", "v", "EX", "0"),
        ("SET", "k", "v", "NX", "XX"),
        ("EXPIRE", "n", "10", "NX", "XX"),
        ("GETEX", "n", "EX", "-1"),
        ("CONFIG", "SET", "maxmemory-samples", "7", "hz", "nope"),
    ):
        with pytest.raises(ResponseError):
            store.execute(*args)
    assert state(store) == before and store.samples == 5


class Box(Value):
    """A minimal value of another type, as a hash or list module would define one."""

    __slots__ = ("items",)
    type_name = "hash"

    def __init__(self) -> None:
        self.items: dict[str, str] = {}

    def encoding(self) -> str:
        return "listpack"

    def memory_usage(self) -> int:
        return 16 + sum(len(k) + len(v) for k, v in self.items.items())


def test_any_value_type_works_with_the_generic_commands() -> None:
    clock = VirtualClock(0)
    store = Store(clock=clock, seed=1)
    store.make_room("h")
    box = Box()
    store.db_add("h", box)
    assert store.execute("TYPE", "h") == "hash"
    assert store.execute("OBJECT", "ENCODING", "h") == "listpack"
    assert store.execute("MEMORY", "USAGE", "h") == entry_bytes("h", box)
    box.items["field"] = "value"  # a change in place, then the signal
    store.signal_modified_key("h")
    assert store.used_memory == entry_bytes("h", box) == store.execute("MEMORY", "USAGE", "h")
    assert store.execute("SCAN", "0", "TYPE", "hash")[1] == ["h"]
    assert store.execute("SCAN", "0", "TYPE", "string")[1] == []
    for args in (("GET", "h"), ("APPEND", "h", "x"), ("INCR", "h"), ("SET", "h", "v", "GET")):
        with pytest.raises(ResponseError) as err:
            store.execute(*args)
        assert str(err.value) == WRONGTYPE
    assert store.execute("MGET", "h") == [None]
    with pytest.raises(ResponseError, match="^WRONGTYPE"):
        store.lookup_read("h", "list")
    assert store.lookup_write("h", "hash") is box
    assert store.execute("RENAME", "h", "h2") == "OK" and store.lookup_read("h2") is box
    assert store.execute("EXPIRE", "h2", "1") == 1
    assert store.used_memory == entry_bytes("h2", box) + TTL_OVERHEAD
    clock.advance(1001)
    assert store.execute("EXISTS", "h2") == 0 and store.used_memory == 0
    store.db_add("h3", Box())
    assert store.execute("SET", "h3", "now a string") == "OK"  # SET overwrites any type
    assert store.execute("TYPE", "h3") == "string"


def test_every_modification_changes_the_key_version() -> None:
    clock = VirtualClock(0)
    store = Store(clock=clock, seed=1, policy="allkeys-lru", maxkeys=3)
    store.watch_key("k")
    seen = [store.key_version("k")]

    def changed() -> bool:
        seen.append(store.key_version("k"))
        return seen[-1] != seen[-2]

    store.set("k", "1")
    assert changed()
    store.get("k")
    store.set("other", "x")
    assert not changed()  # reads and other keys leave it alone while it is watched
    store.incr("k")
    assert changed()
    store.expire("k", 5)
    assert changed()
    store.persist("k")
    assert changed()
    store.rename("k", "k2")
    assert changed()
    store.rename("k2", "k")
    assert changed()
    store.set("k", "v", px=10)
    assert changed()
    clock.advance(11)
    assert store.get("k") is None and changed()  # lazy expiry
    store.set("k", "v")
    changed()
    for i in range(5):  # evicted
        store.set(f"n{i}", "v")
    assert "k" not in store.keys() and changed()
    store.set("k", "v")
    changed()
    store.delete("k")
    assert changed()
    store.set("k", "v")
    changed()
    store.flushall()
    assert changed()
    store.unwatch_key("k")
    unwatched = store.key_version("k")
    store.set("k", "again")
    assert store.key_version("k") != unwatched  # without a watcher: at least as often


def test_the_victim_previewed_is_the_one_evicted_and_leaves_no_trace() -> None:
    clock = VirtualClock(0)
    store = Store(clock=clock, seed=3, policy="allkeys-lru", maxkeys=50, samples=5)
    for i in range(50):
        store.set(f"k{i}", "v")
    for i in range(300):
        store.get(f"k{(i * 7) % 50}")
        victim = store.eviction_preview()
        assert victim is not None and store.exists(victim) == 1
        store.set(f"n{i}", "v")
        assert store.exists(victim) == 0, f"step {i}"
        store.set(victim, "back")
    small = Store(clock=clock, seed=1, policy="allkeys-lru", maxkeys=2)
    small.set("old", "a-long-value", ex=100)
    clock.advance(10)
    small.set("hot", "h")
    clock.advance(10)
    small.set("new", "n")  # evicts "old", with its TTL
    assert sorted(small.keys()) == ["hot", "new"] and small.info_fields()["expires"] == 0
    info = small.key_info("new")
    assert info is not None and (info["access_count"], info["idle_ms"], info["ttl_ms"]) == (
        1,
        0,
        None,
    )
    assert small.used_memory == entry_bytes("hot", "h") + entry_bytes("new", "n")


def test_a_listener_changes_no_result() -> None:
    quiet = Store(clock=VirtualClock(0), seed=5, policy="allkeys-lru", maxkeys=20)
    traced = Store(clock=VirtualClock(0), seed=5, policy="allkeys-lru", maxkeys=20)
    traced.add_listener(EventLog())
    for i in range(300):
        key = f"k{(i * 37) % 90}"
        assert quiet.execute("GET", key) == traced.get(key)
        assert quiet.execute("SET", key, f"v{i}") == traced.set(key, f"v{i}") == "OK"
    assert quiet.keys() == traced.keys() and quiet.snapshot()["keys"] == traced.snapshot()["keys"]
    assert quiet.stats["evicted_keys"] == traced.stats["evicted_keys"] > 0
    assert quiet.rng.getstate() == traced.rng.getstate()


def test_system_clock_records_real_access_times() -> None:
    import time

    store = Store(clock=SystemClock(), seed=1, policy="allkeys-lru", maxkeys=1)
    before = time.time_ns() // 1_000_000
    store.set("a", "1")
    store.set("b", "2")
    after = time.time_ns() // 1_000_000
    info = store.key_info("b")
    assert info is not None and before <= info["last_access_ms"] <= after
