"""Transactions per client (kvengine.multi.Client): unit tests and a differential test
of MULTI/EXEC/WATCH sequences on two connections against a real redis-server."""

from __future__ import annotations

import doctest
from collections.abc import Iterator
from typing import Any

import pytest

import kvengine.multi
from kvengine import Client, ResponseError, Store, VirtualClock
from tests.engine.redis_server import RedisError, RedisServer, require_redis_server

EXECABORT = "EXECABORT Transaction discarded because of previous errors."


def pair() -> tuple[Store, Client, Client]:
    store = Store(clock=VirtualClock(0))
    return store, Client(store, client_id=1), Client(store, client_id=2)


def error_of(client: Client, *args: str) -> str:
    with pytest.raises(ResponseError) as err:
        client.execute(*args)
    return str(err.value)


def test_doctests() -> None:
    assert doctest.testmod(kvengine.multi).failed == 0


def test_queued_commands_run_at_exec_with_errors_inside_the_array() -> None:
    _, a, _ = pair()
    assert a.execute("MULTI") == "OK"
    assert [a.execute(*c) for c in (["SET", "k", "x"], ["INCR", "k"], ["GET", "k"])] == [
        "QUEUED"
    ] * 3
    assert a.execute("GET", "k") == "QUEUED"  # nothing ran yet
    replies = a.execute("EXEC")
    assert replies[0] == "OK" and replies[2:] == ["x", "x"]
    assert isinstance(replies[1], ResponseError)
    assert str(replies[1]) == "ERR value is not an integer or out of range"
    assert not a.in_multi


def test_refused_command_aborts_the_transaction() -> None:
    store, a, _ = pair()
    a.execute("MULTI")
    a.execute("SET", "k", "1")
    assert error_of(a, "GET") == "ERR wrong number of arguments for 'get' command"
    assert error_of(a, "NOPE", "x").startswith("ERR unknown command 'NOPE'")
    assert error_of(a, "EXEC") == EXECABORT
    assert store.execute("EXISTS", "k") == 0
    assert error_of(a, "EXEC") == "ERR EXEC without MULTI"


def test_multi_exec_discard_watch_misuse() -> None:
    _, a, _ = pair()
    assert error_of(a, "EXEC") == "ERR EXEC without MULTI"
    assert error_of(a, "DISCARD") == "ERR DISCARD without MULTI"
    a.execute("MULTI")
    assert error_of(a, "MULTI") == "ERR MULTI calls can not be nested"
    assert error_of(a, "WATCH", "k") == "ERR WATCH inside MULTI is not allowed"
    assert a.execute("EXEC") == []  # these errors do not abort the transaction
    a.execute("MULTI")
    a.execute("SET", "k", "v")
    assert a.execute("DISCARD") == "OK"
    assert a.execute("GET", "k") is None


def test_watch_aborts_when_another_client_writes() -> None:
    _, a, b = pair()
    b.execute("SET", "k", "1")
    a.execute("WATCH", "k")
    b.execute("SET", "k", "1")  # same value: still a modification
    a.execute("MULTI")
    a.execute("INCR", "k")
    assert a.execute("EXEC") is None
    assert b.execute("GET", "k") == "1"
    assert not a.watched and not a.dirty  # EXEC forgets the watched keys


def test_watch_aborts_on_own_write_delete_and_flush() -> None:
    for change in (["SET", "k", "2"], ["DEL", "k"], ["FLUSHALL"], ["EXPIRE", "k", "10"]):
        _, a, _ = pair()
        a.execute("SET", "k", "1")
        a.execute("WATCH", "k")
        a.execute(*change)
        assert a.dirty
        a.execute("MULTI")
        a.execute("SET", "k", "3")
        assert a.execute("EXEC") is None, change


def test_watch_passes_when_nothing_changed_or_unwatched() -> None:
    _, a, b = pair()
    a.execute("WATCH", "k", "other")
    b.execute("GET", "k")  # reads do not count
    b.execute("SET", "unrelated", "x")
    a.execute("MULTI")
    a.execute("SET", "k", "mine")
    assert a.execute("EXEC") == ["OK"]
    a.execute("WATCH", "k")
    b.execute("SET", "k", "theirs")
    assert a.execute("UNWATCH") == "OK"
    a.execute("MULTI")
    a.execute("GET", "k")
    assert a.execute("EXEC") == ["theirs"]


def test_watch_missing_key_aborts_when_it_is_created() -> None:
    _, a, b = pair()
    a.execute("WATCH", "k")
    b.execute("SET", "k", "1")
    a.execute("MULTI")
    assert a.execute("EXEC") is None


def test_watched_key_that_expires_before_exec_aborts() -> None:
    store, a, _ = pair()
    clock = store.clock
    assert isinstance(clock, VirtualClock)
    a.execute("SET", "k", "1", "PX", "100")
    a.execute("WATCH", "k")
    clock.advance(200)  # nobody touches the key: it just expires
    a.execute("MULTI")
    a.execute("GET", "k")
    assert a.execute("EXEC") is None


def test_key_already_expired_when_watched_counts_as_absent() -> None:
    store, a, _ = pair()
    clock = store.clock
    assert isinstance(clock, VirtualClock)
    a.execute("SET", "k", "1", "PX", "100")
    clock.advance(200)
    a.execute("WATCH", "k")
    store.tick()  # active expiry removes it: logically no change
    a.execute("MULTI")
    a.execute("GET", "k")
    assert a.execute("EXEC") == [None]


def test_eviction_of_a_watched_key_aborts() -> None:
    store = Store(clock=VirtualClock(0), policy="allkeys-lru", maxkeys=1)
    a = Client(store)
    a.execute("SET", "k", "1")
    a.execute("WATCH", "k")
    a.execute("SET", "other", "2")  # evicts k
    a.execute("MULTI")
    assert a.execute("EXEC") is None


def test_connection_commands() -> None:
    _, a, _ = pair()
    assert a.execute("CLIENT", "ID") == 1
    assert a.execute("CLIENT", "GETNAME") is None
    assert a.execute("CLIENT", "SETNAME", "worker-1") == "OK"
    assert a.execute("client", "getname") == "worker-1"
    assert error_of(a, "CLIENT", "SETNAME", "a b") == (
        "ERR Client names cannot contain spaces, newlines or special characters."
    )
    assert error_of(a, "CLIENT", "SETINFO", "LIB-NAME", "x") == (
        "ERR unknown subcommand 'SETINFO'. Try CLIENT HELP."
    )
    assert error_of(a, "CLIENT") == "ERR wrong number of arguments for 'client' command"
    assert a.execute("SELECT", "0") == "OK"
    assert error_of(a, "SELECT", "1") == "ERR DB index is out of range"
    assert error_of(a, "SELECT", "x") == "ERR value is not an integer or out of range"
    hello = a.execute("HELLO", "2")
    assert dict(zip(hello[::2], hello[1::2], strict=True))["proto"] == 2
    assert error_of(a, "HELLO", "3") == "NOPROTO unsupported protocol version"
    assert a.execute("COMMAND", "COUNT") == len(a.execute("COMMAND", "LIST"))
    assert "multi" in a.execute("COMMAND", "LIST")
    assert a.execute("COMMAND", "DOCS", "get") == [
        "get",
        ["summary", "Get the value of a key", "since", "1.0.0", "group", "string"],
    ]
    assert a.execute("QUIT") == "OK" and a.closing


def test_every_command_has_docs() -> None:
    _, a, _ = pair()
    docs = a.execute("COMMAND", "DOCS")
    assert sorted(docs[::2]) == a.execute("COMMAND", "LIST")


# ------------------------------------------------------------- differential
SEQUENCES: list[list[tuple[int, list[str]]]] = [
    [(0, ["MULTI"]), (0, ["SET", "a", "1"]), (0, ["INCR", "a"]), (0, ["EXEC"])],
    [(0, ["MULTI"]), (0, ["SET", "a", "x"]), (0, ["INCR", "a"]), (0, ["GET", "a"]), (0, ["EXEC"])],
    [(0, ["MULTI"]), (0, ["SET", "a", "1"]), (0, ["FOO"]), (0, ["GET"]), (0, ["EXEC"])],
    [(0, ["MULTI"]), (0, ["MULTI"]), (0, ["WATCH", "a"]), (0, ["PING"]), (0, ["EXEC"])],
    [(0, ["EXEC"]), (0, ["DISCARD"]), (0, ["WATCH"]), (0, ["UNWATCH"])],
    [(0, ["MULTI"]), (0, ["SET", "a", "1"]), (0, ["DISCARD"]), (0, ["GET", "a"])],
    [
        (0, ["SET", "a", "1"]),
        (0, ["WATCH", "a"]),
        (1, ["SET", "a", "2"]),
        (0, ["MULTI"]),
        (0, ["INCR", "a"]),
        (0, ["EXEC"]),
        (0, ["GET", "a"]),
    ],
    [(0, ["WATCH", "a"]), (1, ["GET", "a"]), (0, ["MULTI"]), (0, ["SET", "a", "1"]), (0, ["EXEC"])],
    [
        (0, ["WATCH", "a"]),
        (0, ["SET", "a", "own"]),
        (0, ["MULTI"]),
        (0, ["GET", "a"]),
        (0, ["EXEC"]),
    ],
    [
        (0, ["SET", "a", "1"]),
        (0, ["WATCH", "a"]),
        (1, ["DEL", "a"]),
        (0, ["UNWATCH"]),
        (0, ["MULTI"]),
        (0, ["GET", "a"]),
        (0, ["EXEC"]),
    ],
    [
        (0, ["WATCH", "a", "b"]),
        (1, ["SET", "b", "1"]),
        (0, ["WATCH", "c"]),
        (0, ["MULTI"]),
        (0, ["EXEC"]),
        (0, ["MULTI"]),
        (0, ["EXEC"]),
    ],
    [
        (0, ["SET", "a", "1"]),
        (0, ["WATCH", "a"]),
        (1, ["EXPIRE", "a", "100"]),
        (0, ["MULTI"]),
        (0, ["TTL", "a"]),
        (0, ["EXEC"]),
    ],
    [
        (0, ["SET", "a", "1"]),
        (0, ["WATCH", "a"]),
        (1, ["RENAME", "a", "b"]),
        (0, ["MULTI"]),
        (0, ["EXEC"]),
    ],
    [(0, ["SET", "a", "1"]), (0, ["WATCH", "a"]), (1, ["FLUSHALL"]), (0, ["MULTI"]), (0, ["EXEC"])],
    [(0, ["WATCH", "a"]), (1, ["FLUSHALL"]), (0, ["MULTI"]), (0, ["EXEC"])],
    [
        (0, ["SET", "a", "1"]),
        (0, ["WATCH", "a"]),
        (1, ["PERSIST", "a"]),
        (1, ["SET", "a", "1", "NX"]),
        (0, ["MULTI"]),
        (0, ["EXEC"]),
    ],
    [
        (0, ["MULTI"]),
        (1, ["SET", "a", "1"]),
        (0, ["GET", "a"]),
        (1, ["INCR", "a"]),
        (0, ["INCR", "a"]),
        (0, ["EXEC"]),
        (1, ["GET", "a"]),
    ],
    [
        (0, ["MULTI"]),
        (0, ["CLIENT", "SETNAME", "x"]),
        (0, ["CLIENT", "GETNAME"]),
        (0, ["SELECT", "0"]),
        (0, ["EXEC"]),
        (0, ["CLIENT", "GETNAME"]),
    ],
    [(0, ["MULTI"]), (0, ["SET", "a", "1"]), (0, ["SELECT", "x", "y"]), (0, ["EXEC"])],
    [(0, ["MULTI"]), (0, ["UNWATCH"]), (0, ["SET", "a", "1"]), (0, ["EXEC"])],
]


def normalise(reply: Any) -> Any:
    if isinstance(reply, ResponseError | RedisError):
        return ("error", str(reply))
    if isinstance(reply, list):
        return [normalise(x) for x in reply]
    return reply


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    with RedisServer(require_redis_server()) as server:
        yield server


@pytest.mark.redis
@pytest.mark.parametrize("sequence", SEQUENCES, ids=[str(i) for i in range(len(SEQUENCES))])
def test_matches_redis_server(
    redis_server: RedisServer, sequence: list[tuple[int, list[str]]]
) -> None:
    admin = redis_server.client()
    admin.call("FLUSHALL")
    admin.close()
    redis_clients = [redis_server.client(), redis_server.client()]
    store = Store()
    ours = [Client(store, client_id=1), Client(store, client_id=2)]
    try:
        for who, command in sequence:
            try:
                expected = normalise(redis_clients[who].call(*command))
            except RedisError as err:
                expected = normalise(err)
            try:
                got = normalise(ours[who].execute(*command))
            except ResponseError as err:
                got = normalise(err)
            assert got == expected, (who, command)
    finally:
        for client in redis_clients:
            client.close()
