"""Sets and sorted sets inside the engine: memory, eviction, all-or-nothing writes, bad text,
reproducible random picks. (Reply-for-reply fidelity is in test_differential_set/_zset.py.)"""

from __future__ import annotations

import pytest

import kvengine
from kvengine import ResponseError, Store, VirtualClock


def store(**kwargs) -> Store:
    return Store(clock=VirtualClock(0), seed=1, **kwargs)


def test_memory_usage_grows_with_the_value() -> None:
    s = store()
    s.execute("SADD", "s", "1")
    s.execute("ZADD", "z", "1", "a")
    small = s.execute("MEMORY", "USAGE", "s"), s.execute("MEMORY", "USAGE", "z")
    used = s.used_memory
    s.execute("SADD", "s", *(f"member-{i}" for i in range(200)))
    s.execute("ZADD", "z", *(x for i in range(200) for x in (str(i), f"member-{i}")))
    big = s.execute("MEMORY", "USAGE", "s"), s.execute("MEMORY", "USAGE", "z")
    assert big[0] > small[0] + 200 * 8 and big[1] > small[1] + 200 * 8
    assert s.used_memory > used + 400 * 8
    s.execute("DEL", "s", "z")
    assert s.used_memory == 0


def test_allkeys_lru_evicts_sets_and_sorted_sets() -> None:
    s = store(policy="allkeys-lru", maxmemory=3000)
    for i in range(40):
        s.execute("SADD", f"s{i}", *(f"m{j}" for j in range(5)))
        s.execute("ZADD", f"z{i}", "1", "a", "2", "b")
    assert s.used_memory <= 3000 + 400
    assert s.stats["evicted_keys"] > 0
    kinds = {s.execute("TYPE", k) for k in s.keys()}
    assert kinds <= {"set", "zset"} and s.execute("DBSIZE") < 80


def test_noeviction_refuses_growing_writes_with_oom() -> None:
    s = store(policy="noeviction", maxmemory=500)
    with pytest.raises(ResponseError, match="OOM"):
        for i in range(100):
            s.execute("SADD", "s", f"member-{i}")
    assert s.execute("SREM", "s", "member-0") == 1  # a write that frees memory still runs
    assert s.execute("SMOVE", "s", "t", "member-1") == 1  # not denyoom in Redis either


@pytest.mark.parametrize(
    "command",
    [
        ("ZADD", "z", "5", "a", "x", "b"),
        ("ZADD", "z", "XX", "NX", "1", "a"),
        ("ZUNIONSTORE", "dst", "2", "z", "s", "WEIGHTS", "1", "x"),
        ("ZINTERSTORE", "dst", "2", "z", "str"),
        ("SINTERSTORE", "dst", "s", "str"),
        ("SUNIONSTORE", "dst", "s", "str"),
        ("ZRANGESTORE", "dst", "z", "0", "1", "LIMIT", "0", "1"),
        ("ZRANGESTORE", "dst", "str", "0", "1"),
        ("SMOVE", "s", "str", "1"),
        ("SPOP", "s", "-1"),
        ("ZINCRBY", "z", "x", "a"),
    ],
)
def test_a_failing_command_changes_nothing(command: tuple[str, ...]) -> None:
    s = store()
    s.execute("ZADD", "z", "1", "a", "2", "b")
    s.execute("SADD", "s", "1", "2")
    s.execute("SET", "str", "v")
    s.execute("SADD", "dst", "keep")
    before = {k: s.execute("TYPE", k) for k in s.keys()}
    contents = (
        s.execute("ZRANGE", "z", "0", "-1", "WITHSCORES"),
        sorted(s.execute("SMEMBERS", "s")),
        s.execute("SMEMBERS", "dst"),
    )
    with pytest.raises(ResponseError):
        s.execute(*command)
    assert {k: s.execute("TYPE", k) for k in s.keys()} == before
    assert contents == (
        s.execute("ZRANGE", "z", "0", "-1", "WITHSCORES"),
        sorted(s.execute("SMEMBERS", "s")),
        s.execute("SMEMBERS", "dst"),
    )


def test_text_that_cannot_be_utf8_is_refused_before_any_change() -> None:
    s = store()
    for command in (("SADD", "s", "ok", "\ud800"), ("ZADD", "z", "1", "\udfff")):
        with pytest.raises(ResponseError, match="invalid argument"):
            s.execute(*command)
    assert s.execute("EXISTS", "s", "z") == 0


def test_random_picks_follow_the_seed() -> None:
    def picks(seed: int) -> list:
        s = Store(clock=VirtualClock(0), seed=seed)
        s.execute("SADD", "s", *(f"m{i}" for i in range(50)))
        s.execute("ZADD", "z", *(x for i in range(50) for x in (str(i), f"m{i}")))
        return [
            s.execute("SRANDMEMBER", "s", "5"),
            s.execute("SPOP", "s", "3"),
            s.execute("ZRANDMEMBER", "z", "-4", "WITHSCORES"),
        ]

    assert picks(7) == picks(7)
    assert picks(7) != picks(8)


def test_generic_commands_see_the_types() -> None:
    s = store()
    s.execute("SADD", "s", "1")
    s.execute("ZADD", "z", "1", "a")
    assert s.execute("TYPE", "s") == "set" and s.execute("TYPE", "z") == "zset"
    assert s.execute("OBJECT", "ENCODING", "s") == "intset"
    assert s.execute("OBJECT", "ENCODING", "z") == "listpack"
    assert s.execute("SCAN", "0", "TYPE", "zset")[1] == ["z"]
    assert s.execute("RENAME", "z", "z2") == "OK" and s.execute("ZSCORE", "z2", "a") == "1"
    assert kvengine.Store is Store
