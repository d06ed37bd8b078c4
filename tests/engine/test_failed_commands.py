"""A command that fails changes nothing, and no reply is ever an internal error.

A seeded loop sends thousands of random commands to a store under each ``maxmemory-policy``,
with limits small enough that eviction happens all the time: real command names and unknown
ones, too few and too many arguments, options in the wrong place, numbers that are not numbers
or do not fit in 64 bits (``10**5000`` included), lone surrogates, bytes that are not UTF-8.
Around every command that fails, the whole keyspace (each key's value and TTL) and the
configuration are compared: they must be exactly as before, apart from keys evicted *before*
the command (Redis's ``performEvictions`` runs before a command and may evict and still fail
with OOM) and keys whose TTL had passed. The same for the native API (``store.get(...)``,
``store.set(...)``, ...) with arguments of every bad kind: they raise ``ResponseError`` only.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from kvengine import POLICIES, ResponseError, Store, VirtualClock
from kvengine.commands.registry import COMMANDS
from kvengine.errors import INVALID_TEXT, OOM
from tests.engine.option_words import OPTION_WORDS

LONE = "\ud800"  # a lone surrogate: a JavaScript string can carry one into the engine
HUGE = 10**5000  # more digits than Python converts to text by default

KEYS: list[Any] = ["a", "b", "c", "d", "n", LONE, "é", b"\xff\xfe", 7]
VALUES: list[Any] = [
    "1",
    "old",
    "",
    "x" * 60,
    LONE,
    "a" + LONE,
    "-1",
    "0",
    "10",
    "9223372036854775807",
    "-9223372036854775808",
    "99999999999999999999",
    "1.5",
    " 1",
    "+1",
    "007",
    10**30,
    HUGE,
    -HUGE,
    -7,
    b"\xc3",
    "\U0001f600",
]
WORDS = OPTION_WORDS
NAMES = sorted(COMMANDS) + ["nosuchcommand", "Set", "gEt", "", LONE, "config", "object"]


def show(value: Any) -> str:
    """``repr`` that survives ``10**5000``."""
    if isinstance(value, int) and abs(value) > 10**100:
        return "-HUGE" if value < 0 else "HUGE"
    if isinstance(value, tuple | list):
        return "(" + ", ".join(map(show, value)) + ")"
    return repr(value)


def random_command(rng: random.Random) -> tuple[Any, ...]:
    name = rng.choice(NAMES)
    argv: list[Any] = [name]
    if COMMANDS.get(name.lower()) is not None and COMMANDS[name.lower()].subcommands:
        argv.append(rng.choice(["get", "set", "encoding", "freq", "usage", "help", "x", LONE]))
    n = rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 8])
    for i in range(n):
        pool = KEYS if i == 0 and rng.random() < 0.8 else rng.choice([KEYS, VALUES, WORDS])
        argv.append(rng.choice(pool))
    return tuple(argv)


def keyspace(store: Store) -> dict[str, tuple[Any, Any]]:
    """Every live key's value and TTL (public API only; nothing is touched or expired)."""
    out = {}
    for key in store.keys():
        info = store.key_info(key)
        assert info is not None
        out[key] = (info["value"], info["ttl_ms"])
    return out


def configuration(store: Store) -> tuple:
    return (
        store.policy,
        store.maxmemory,
        store.maxkeys,
        store.samples,
        store.lfu_log_factor,
        store.lfu_decay_time,
        store.hz,
        store.maxmemory_eviction_tenacity,
        store.maxmemory_clients,
    )


class Watcher:
    """Records the keys evicted (a listener on the store's events)."""

    def __init__(self, store: Store) -> None:
        self.evicted: set[str] = set()
        store.add_listener(self)

    def __call__(self, event: dict) -> None:
        if event["type"] == "evict":
            self.evicted.add(event["key"])


def check_atomic(store: Store, watcher: Watcher, call: Callable[[], Any], what: str) -> str:
    """Run ``call``; if it fails, the keyspace and configuration must be as before (minus
    keys evicted before it ran). Returns "ok" or the error text."""
    before, config = keyspace(store), configuration(store)
    over = (store.maxmemory and store.used_memory > store.maxmemory) or (
        store.maxkeys is not None and store.dbsize() > store.maxkeys
    )
    watcher.evicted.clear()
    try:
        call()
    except ResponseError as err:
        text = str(err)
        assert "internal error" not in text, f"{what} -> {text}"
        after = keyspace(store)
        expected = {k: v for k, v in before.items() if k not in watcher.evicted}
        assert after == expected, f"{what} failed with {text!r} but changed the keyspace"
        assert configuration(store) == config, f"{what} failed with {text!r} but changed CONFIG"
        if watcher.evicted and text != OOM:  # performEvictions runs before any command
            assert over, f"{what}: keys evicted, though under the limits, before {text!r}"
        return text
    return "ok"


def make_store(policy: str, seed: int) -> Store:
    rng = random.Random(seed)
    store = Store(clock=VirtualClock(0), seed=seed, policy=policy, samples=rng.choice([1, 3, 5]))
    if rng.random() < 0.5:
        store.set_maxkeys(rng.choice([0, 1, 2, 3, 5]))
    else:
        store.set_maxmemory(rng.choice([1, 150, 300, 600]))
    return store


@pytest.mark.parametrize("policy", POLICIES)
def test_random_commands_fail_whole_or_not_at_all(policy: str) -> None:
    outcomes: dict[str, int] = {}
    for seed in range(6):
        rng = random.Random(f"{policy}-{seed}")
        store = make_store(policy, seed)
        watcher = Watcher(store)
        for step in range(500):
            if rng.random() < 0.4:  # well-formed writes keep the store full
                key, value = rng.choice(KEYS[:5]), rng.choice(["1", "v", "x" * 30])
                ttl = ["EX", str(rng.randint(1, 5))] if rng.random() < 0.5 else []
                command: tuple[Any, ...] = ("SET", key, value, *ttl)
            else:
                command = random_command(rng)
            what = f"seed {seed} step {step}: {show(command)}"
            result = check_atomic(store, watcher, lambda c=command, s=store: s.execute(*c), what)
            kind = "ok" if result == "ok" else result.split(" ")[0] + " " + result[:30]
            outcomes[kind] = outcomes.get(kind, 0) + 1
            if rng.random() < 0.2:
                store.clock.advance(rng.choice([1, 500, 1500, 4000]))
            if rng.random() < 0.05:
                store.tick()
    # the loop really exercised failures of several kinds, OOM among them, and successes
    assert outcomes.get("ok", 0) > 500
    assert sum(n for k, n in outcomes.items() if k != "ok") > 500
    assert any(k.startswith("OOM") for k in outcomes) or policy != "noeviction"


BAD: list[Any] = [
    LONE,
    "k" + LONE,
    HUGE,
    -HUGE,
    10**30,
    None,
    1.5,
    float("nan"),
    float("inf"),
    [],
    {},
    object(),
    b"\xff",
    True,
    "",
    "x",
    "-1",
    "9223372036854775808",
]


def native_calls(store: Store, rng: random.Random) -> tuple[str, Callable[[], Any]]:
    k = rng.choice(KEYS + BAD)
    k2 = rng.choice(KEYS + BAD)
    v = rng.choice(VALUES + BAD)
    n = rng.choice(BAD + [1, 10, -5, "10", 0])
    calls: list[tuple[str, Callable[[], Any]]] = [
        ("get", lambda: store.get(k)),
        ("set", lambda: store.set(k, v)),
        ("set ex", lambda: store.set(k, v, ex=n)),
        ("set px xx", lambda: store.set(k, v, px=n, xx=True)),
        ("set pxat get", lambda: store.set(k, v, pxat=n, get=True)),
        ("set nx keepttl", lambda: store.set(k, v, nx=True, keepttl=True)),
        ("setex", lambda: store.setex(k, n, v)),
        ("psetex", lambda: store.psetex(k, n, v)),
        ("setnx", lambda: store.setnx(k, v)),
        ("getset", lambda: store.getset(k, v)),
        ("getex", lambda: store.getex(k, ex=n)),
        ("getex persist", lambda: store.getex(k, persist=True)),
        ("getdel", lambda: store.getdel(k)),
        ("mget", lambda: store.mget(k, k2)),
        ("mset", lambda: store.mset([(k, v), (k2, "1")])),
        ("mset pairs", lambda: store.mset([(k, v), (k2, n)])),
        ("mset bad", lambda: store.mset(rng.choice([None, 5, [("a",)], {}, [1, 2]]))),
        ("msetnx", lambda: store.msetnx([(k, v), (k2, v)])),
        ("incr", lambda: store.incr(k)),
        ("incrby", lambda: store.incrby(k, n)),
        ("decrby", lambda: store.decrby(k, n)),
        ("append", lambda: store.append(k, v)),
        ("strlen", lambda: store.strlen(k)),
        ("delete", lambda: store.delete(k, k2)),
        ("exists", lambda: store.exists(k, k2)),
        ("touch", lambda: store.touch(k)),
        ("type", lambda: store.type(k)),
        ("rename", lambda: store.rename(k, k2)),
        ("renamenx", lambda: store.renamenx(k, k2)),
        ("keys", lambda: store.keys(v)),
        ("scan", lambda: store.scan(n, count=n, match=v)),
        ("scan type", lambda: store.scan(0, type_name=v)),
        ("expire", lambda: store.expire(k, n)),
        ("expire gt", lambda: store.expire(k, n, gt=True)),
        ("pexpire lt", lambda: store.pexpire(k, n, lt=True)),
        ("expireat", lambda: store.expireat(k, n, nx=True)),
        ("pexpireat", lambda: store.pexpireat(k, n, xx=True)),
        ("persist", lambda: store.persist(k)),
        ("ttl", lambda: store.ttl(k)),
        ("pexpiretime", lambda: store.pexpiretime(k)),
        ("object_encoding", lambda: store.object_encoding(k)),
        ("object_freq", lambda: store.object_freq(k)),
        ("object_idletime", lambda: store.object_idletime(k)),
        ("memory_usage", lambda: store.memory_usage(k)),
        ("key_info", lambda: store.key_info(k)),
    ]
    name, call = rng.choice(calls)
    return f"{name}({show((k, k2, v, n))})", call


@pytest.mark.parametrize("policy", ["allkeys-lru", "volatile-lfu", "noeviction"])
def test_native_api_raises_response_error_only_and_fails_whole(policy: str) -> None:
    failures = 0
    for seed in range(4):
        rng = random.Random(f"native-{policy}-{seed}")
        store = make_store(policy, seed)
        watcher = Watcher(store)
        for _ in range(600):
            what, call = native_calls(store, rng)
            if check_atomic(store, watcher, call, what) != "ok":
                failures += 1
            if rng.random() < 0.2:
                store.clock.advance(rng.choice([1, 1500, 4000]))
    assert failures > 300


# ------------------------------------------------------------------ the known cases
def test_rename_to_a_lone_surrogate_fails_and_keeps_the_key() -> None:
    store = Store(clock=VirtualClock(0))
    store.execute("SET", "a", "1")
    with pytest.raises(ResponseError, match="lone surrogate"):
        store.execute("RENAME", "a", LONE)
    assert store.execute("GET", "a") == "1"
    with pytest.raises(ResponseError, match="lone surrogate"):
        store.rename("a", LONE)
    assert store.get("a") == "1"


def test_a_bad_value_in_a_full_store_evicts_nothing() -> None:
    store = Store(clock=VirtualClock(0), policy="allkeys-lru", maxkeys=2)
    store.execute("SET", "a", "old")
    store.execute("SET", "b", "x")
    with pytest.raises(ResponseError) as err:
        store.execute("SET", "c", LONE)
    assert str(err.value) == INVALID_TEXT
    assert sorted(store.keys()) == ["a", "b"]
    assert store.execute("GET", "c") is None
    assert store.execute("GET", "a") == "old"
    assert store.stats["evicted_keys"] == 0


def test_mset_with_a_bad_key_sets_nothing() -> None:
    store = Store(clock=VirtualClock(0))
    with pytest.raises(ResponseError, match="lone surrogate"):
        store.execute("MSET", "a", "1", LONE, "2", "b", "3")
    assert store.keys() == []
    with pytest.raises(ResponseError, match="lone surrogate"):
        store.mset({"a": "1", LONE: "2", "b": "3"})
    assert store.keys() == []


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.get(HUGE),
        lambda s: s.set("k", HUGE),
        lambda s: s.set(HUGE, "v"),
        lambda s: s.set("k", "v", ex=HUGE),
        lambda s: s.expire("k", HUGE),
        lambda s: s.incrby("k", HUGE),
        lambda s: s.scan(HUGE),
        lambda s: s.mset(None),
        lambda s: s.mset([("a",)]),
        lambda s: s.mset({}),
        lambda s: s.get(None),
        lambda s: s.set("k", "v", px=float("nan")),
    ],
)
def test_native_bad_input_is_a_response_error(call: Callable[[Store], Any]) -> None:
    store = Store(clock=VirtualClock(0))
    store.set("k", "1")
    with pytest.raises(ResponseError):
        call(store)
    assert keyspace(store) == {"k": ("1", None)}


# ------------------------------------------------------------------ maxkeys and OOM
def test_maxkeys_full_under_noeviction_refuses_new_keys_only() -> None:
    store = Store(clock=VirtualClock(0), policy="noeviction", maxkeys=2)
    store.execute("MSET", "a", "1", "b", "2")
    with pytest.raises(ResponseError, match="^OOM command not allowed"):
        store.execute("SET", "c", "3")
    assert store.execute("SET", "a", "10") == "OK"  # overwriting adds no key
    assert store.execute("INCR", "b") == 3
    assert sorted(store.keys()) == ["a", "b"]


def test_over_maxkeys_refuses_every_write_that_may_use_memory() -> None:
    store = Store(clock=VirtualClock(0), policy="noeviction")
    store.execute("MSET", "a", "1", "b", "2", "c", "3")
    store.set_maxkeys(2)  # nothing can be evicted: the store stays over its cap
    assert store.dbsize() == 3
    for command in (
        ("SET", "a", "x"),
        ("INCR", "a"),
        ("APPEND", "b", "x"),
        ("SET", "a", "x", "XX"),
    ):
        with pytest.raises(ResponseError, match="^OOM"):
            store.execute(*command)
    # reads, DEL and EXPIRE still run, as under maxmemory
    assert store.execute("GET", "a") == "1"
    assert store.execute("EXPIRE", "a", "100") == 1
    assert store.execute("DEL", "c") == 1
    assert store.execute("SET", "a", "x") == "OK"  # back under the cap


def test_volatile_policy_without_ttl_keys_fills_up_with_oom() -> None:
    store = Store(clock=VirtualClock(0), policy="volatile-lru", maxkeys=2)
    store.execute("SET", "a", "1")
    store.execute("SET", "b", "2")
    with pytest.raises(ResponseError, match="^OOM"):
        store.execute("SET", "c", "3")
    store.execute("EXPIRE", "a", "100")
    assert store.execute("SET", "c", "3") == "OK"  # the key with a TTL is evicted
    assert sorted(store.keys()) == ["b", "c"]


def test_a_write_of_more_new_keys_than_the_cap_fails_without_evicting() -> None:
    store = Store(clock=VirtualClock(0), policy="allkeys-lru", maxkeys=2)
    store.execute("SET", "a", "1")
    with pytest.raises(ResponseError, match="^OOM"):
        store.execute("MSET", "x", "1", "y", "2", "z", "3")
    assert store.keys() == ["a"]
    zero = Store(clock=VirtualClock(0), policy="allkeys-lru", maxkeys=0)
    with pytest.raises(ResponseError, match="^OOM"):
        zero.set("a", "1")
