"""execute(): Redis 7.0.15 replies and error texts (checked against redis-server by the
differential test; here without a server, so they run everywhere)."""

from __future__ import annotations

import pytest

from kvengine import ResponseError, Store, VirtualClock


@pytest.fixture
def store() -> Store:
    return Store(clock=VirtualClock(1_700_000_000_000), seed=1)


def err(store: Store, *args) -> str:
    with pytest.raises(ResponseError) as info:
        store.execute(*args)
    return str(info.value)


def test_basic_replies(store: Store) -> None:
    assert store.execute("PING") == "PONG"
    assert store.execute("ping", "hi") == "hi"
    assert store.execute("SET", "k", "v") == "OK"
    assert store.execute("GET", "k") == "v"
    assert store.execute("GET", "nope") is None
    assert store.execute("MSET", "a", "1", "b", "2") == "OK"
    assert store.execute("MGET", "a", "zz", "b") == ["1", None, "2"]
    assert store.execute("INCRBY", "a", "41") == 42
    assert store.execute("DEL", "a", "b", "zz") == 2
    assert store.execute("TYPE", "k") == "string" and store.execute("TYPE", "x") == "none"
    assert store.execute("DBSIZE") == 1
    assert store.execute("FLUSHALL") == "OK" and store.execute("DBSIZE") == 0


def test_arguments_may_be_bytes_or_ints(store: Store) -> None:
    assert store.execute(b"SET", b"k", 5) == "OK"
    assert store.execute("INCR", b"k") == 6
    assert store.execute("APPEND", "k", "é") == 3  # bytes, not characters
    assert store.execute("STRLEN", "k") == 3


def test_set_options(store: Store) -> None:
    assert store.execute("SET", "k", "v", "NX") == "OK"
    assert store.execute("SET", "k", "w", "NX") is None
    assert store.execute("SET", "k", "w", "XX", "GET") == "v"
    assert store.execute("SET", "new", "x", "NX", "GET") is None
    assert store.execute("SET", "k", "v", "EX", "10", "EX", "20") == "OK"
    assert store.execute("TTL", "k") == 20
    assert store.execute("SET", "k", "v", "PXAT", str(1_700_000_005_000)) == "OK"
    assert store.execute("PTTL", "k") == 5000


@pytest.mark.parametrize(
    ("args", "text"),
    [
        (("SET", "k"), "ERR wrong number of arguments for 'set' command"),
        (("SET", "k", "v", "NX", "XX"), "ERR syntax error"),
        (("SET", "k", "v", "EX", "10", "KEEPTTL"), "ERR syntax error"),
        (("SET", "k", "v", "EX", "0"), "ERR invalid expire time in 'set' command"),
        (("SET", "k", "v", "EX", "x"), "ERR value is not an integer or out of range"),
        (("SETEX", "k", "-1", "v"), "ERR invalid expire time in 'setex' command"),
        (("FOO", "a", "b"), "ERR unknown command 'FOO', with args beginning with: 'a' 'b' "),
        (("CONFIG", "NOPE"), "ERR unknown subcommand 'NOPE'. Try CONFIG HELP."),
        (("CONFIG", "GET"), "ERR wrong number of arguments for 'config|get' command"),
        (
            ("CONFIG", "SET", "maxmemory-policy", "lru"),
            "ERR CONFIG SET failed (possibly related to argument 'maxmemory-policy') - argument(s) "
            "must be one of the following: volatile-lru, volatile-lfu, volatile-random, "
            "volatile-ttl, "
            "allkeys-lru, allkeys-lfu, allkeys-random, noeviction",
        ),
        (
            ("EXPIRE", "k", "10", "NX", "XX"),
            "ERR NX and XX, GT or LT options at the same time are not compatible",
        ),
        (("EXPIRE", "k", "10", "bogus"), "ERR Unsupported option bogus"),
        (("RENAME", "nope", "x"), "ERR no such key"),
        (("DECRBY", "k", "-9223372036854775808"), "ERR decrement would overflow"),
        (("SCAN", "abc"), "ERR invalid cursor"),
        (("MSET", "a", "1", "b"), "ERR wrong number of arguments for 'mset' command"),
    ],
)
def test_error_texts(store: Store, args: tuple, text: str) -> None:
    assert err(store, *args) == text


def test_integer_edges(store: Store) -> None:
    store.execute("SET", "n", "9223372036854775807")
    assert err(store, "INCR", "n") == "ERR increment or decrement would overflow"
    for bad in (" 1", "01", "+1", "1.5", "", "-0"):
        store.execute("SET", "n", bad)
        assert err(store, "INCR", "n") == "ERR value is not an integer or out of range"
    store.execute("SET", "n", "-5")
    assert store.execute("DECRBY", "n", "5") == -10


def test_keys_glob_and_scan(store: Store) -> None:
    for k in ("user:1", "user:2", "user:10", "item:1", "h[x]"):
        store.execute("SET", k, "v")
    assert sorted(store.execute("KEYS", "user:?")) == ["user:1", "user:2"]
    assert sorted(store.execute("KEYS", "*:1*")) == ["item:1", "user:1", "user:10"]
    assert store.execute("KEYS", "h\\[x]") == ["h[x]"]
    assert sorted(store.execute("KEYS", "[iu]*:[^2]")) == ["item:1", "user:1"]
    seen: list[str] = []
    cursor = "0"
    while True:
        cursor, keys = store.execute("SCAN", cursor, "MATCH", "user:*", "COUNT", "2")
        seen += keys
        if cursor == "0":
            break
    assert sorted(seen) == ["user:1", "user:10", "user:2"]
    assert store.execute("SCAN", "0", "TYPE", "hash", "COUNT", "100") == ["0", []]


def test_rename_and_randomkey(store: Store) -> None:
    store.execute("SET", "a", "1")
    assert store.execute("RENAMENX", "a", "b") == 1
    store.execute("SET", "c", "2")
    assert store.execute("RENAMENX", "b", "c") == 0
    assert store.execute("RENAME", "b", "c") == "OK"
    assert store.execute("GET", "c") == "1"
    assert store.execute("RANDOMKEY") == "c"
    store.execute("FLUSHDB")
    assert store.execute("RANDOMKEY") is None


def test_config_get_and_set(store: Store) -> None:
    assert (
        store.execute("CONFIG", "SET", "maxmemory", "1mb", "maxmemory-policy", "allkeys-lfu")
        == "OK"
    )
    assert store.execute("CONFIG", "GET", "maxmemory") == ["maxmemory", "1048576"]
    assert store.policy == "allkeys-lfu"
    reply = store.execute("CONFIG", "GET", "lfu-*")
    assert dict(zip(reply[::2], reply[1::2], strict=True)) == {
        "lfu-log-factor": "10",
        "lfu-decay-time": "1",
    }
    store.execute("CONFIG", "SET", "hz", "1000")
    assert store.execute("CONFIG", "GET", "hz") == ["hz", "500"]


def test_info_sections(store: Store) -> None:
    store.execute("SET", "a", "1", "EX", "100")
    store.execute("GET", "a")
    store.execute("GET", "b")
    stats = store.execute("INFO", "stats")
    assert stats.startswith("# Stats\r\n") and stats.endswith("\r\n")
    fields = dict(line.split(":", 1) for line in stats.split("\r\n")[1:] if line)
    assert fields["keyspace_hits"] == "1" and fields["keyspace_misses"] == "1"
    assert "db0:keys=1,expires=1,avg_ttl=100000" in store.execute("INFO", "keyspace")
    assert store.execute("INFO", "nosuchsection") == ""
    everything = store.execute("INFO")
    assert "# Memory\r\nused_memory:" in everything and "\r\n\r\n# Keyspace" in everything


def test_object_subcommands(store: Store) -> None:
    store.execute("SET", "n", "123")
    store.execute("SET", "s", "hello")
    store.execute("SET", "l", "x" * 45)
    assert [store.execute("OBJECT", "ENCODING", k) for k in "nsl"] == ["int", "embstr", "raw"]
    assert store.execute("OBJECT", "HELP")[0].startswith("OBJECT <subcommand>")


def test_unexpected_python_errors_become_response_errors(store: Store, monkeypatch) -> None:
    def broken(self, key):
        raise KeyError("bug")

    monkeypatch.setattr(Store, "get", broken)
    assert err(store, "GET", "k").startswith("ERR internal error")
    assert err(store, "SET", "k", object()).startswith("ERR")
