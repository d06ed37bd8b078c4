"""``python -m kvengine`` as a subprocess, used by redis-cli, redis-py and raw sockets."""

from __future__ import annotations

import shutil
import socket
import subprocess

import pytest
import redis

from kvengine.resp import encode_command
from tests.server.conftest import KvServer

REDIS_CLI = shutil.which("redis-cli") or "/usr/bin/redis-cli"


def cli(server: KvServer, *args: str, stdin: str | None = None) -> str:
    result = subprocess.run(
        [REDIS_CLI, "-p", str(server.port), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=20,
    )
    return result.stdout


def connect(server: KvServer) -> redis.Redis:
    return redis.Redis(port=server.port, protocol=2, socket_timeout=10, decode_responses=True)


def raw(server: KvServer, data: bytes) -> tuple[bytes, bool]:
    """Send ``data``; return what came back and whether the server closed the connection."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_WR)  # the server reads to EOF or closes first
        out = b""
        while chunk := sock.recv(65536):
            out += chunk
    return out, True


def test_banner_says_what_it_is(kv_server: KvServer) -> None:
    text = "\n".join(kv_server.banner)
    assert "teaching" in text and "RESP2" in text
    assert f"127.0.0.1:{kv_server.port}" in text
    assert "no persistence" in text and "no replication" in text and "no cluster" in text


@pytest.mark.skipif(not shutil.which(REDIS_CLI), reason="redis-cli not installed")
def test_redis_cli_round_trips(kv_server: KvServer) -> None:
    assert cli(kv_server, "SET", "user:42", "alice", "EX", "3600") == "OK\n"
    assert cli(kv_server, "GET", "user:42") == "alice\n"
    assert cli(kv_server, "TTL", "user:42") == "3600\n"
    assert cli(kv_server, "INCR", "visits") == "1\n"
    assert cli(kv_server, "--raw", "GET", "visits") == "1\n"
    assert cli(kv_server, "GET", "missing") == "\n"
    # interactive-style output (redis-cli prints types when not piped to --no-raw? force it)
    out = cli(kv_server, "--no-raw", "MGET", "user:42", "missing", "visits")
    assert out == '1) "alice"\n2) (nil)\n3) "1"\n'
    out = cli(kv_server, "--no-raw", stdin="MULTI\nSET v OK\nGET v\nINCR v\nEXEC\n")
    assert out.splitlines()[-3:] == [
        "1) OK",
        '2) "OK"',
        "3) (error) ERR value is not an integer or out of range",
    ]
    assert cli(kv_server, "--no-raw", "INCR", "user:42") == (
        "(error) ERR value is not an integer or out of range\n"
    )


def test_redis_py_commands_pipeline_and_client_name(kv_server: KvServer) -> None:
    r = redis.Redis(port=kv_server.port, protocol=2, client_name="reader", decode_responses=True)
    assert r.ping() is True
    assert r.client_getname() == "reader"
    assert r.set("k", "v", ex=100) is True and r.get("k") == "v" and r.ttl("k") == 100
    pipe = r.pipeline(transaction=False)
    pipe.set("n", 5).incr("n").incrby("n", 10).get("n")
    assert pipe.execute() == [True, 6, 16, "16"]
    with pytest.raises(redis.ResponseError, match="not an integer"):
        r.incr("k")
    r.close()


def test_redis_py_transaction_retries_after_watch_abort(kv_server: KvServer) -> None:
    r, other = connect(kv_server), connect(kv_server)
    r.set("balance", 100)
    attempts = []

    def double(pipe: redis.client.Pipeline) -> None:
        value = int(pipe.get("balance"))
        if not attempts:
            other.incrby("balance", 1)  # another client writes between WATCH and EXEC
        attempts.append(value)
        pipe.multi()
        pipe.set("balance", value * 2)

    assert r.transaction(double, "balance") == [True]
    assert attempts == [100, 101]  # the first EXEC was aborted, the retry saw 101
    assert r.get("balance") == "202"
    r.close()
    other.close()


def test_two_clients_interleave_multi_exec(kv_server: KvServer) -> None:
    a, b = connect(kv_server), connect(kv_server)
    ca, cb = a.client(), b.client()  # one dedicated connection each
    try:
        assert ca.execute_command("MULTI") == "OK"
        assert cb.execute_command("MULTI") == "OK"
        assert ca.execute_command("INCR", "c") == "QUEUED"
        assert cb.execute_command("INCRBY", "c", "10") == "QUEUED"
        assert ca.execute_command("GET", "c") == "QUEUED"
        assert cb.execute_command("EXEC") == [10]
        assert ca.execute_command("EXEC") == [11, "11"]
        # a WATCH abort between two connections
        assert ca.execute_command("WATCH", "c") is True
        cb.execute_command("SET", "c", "0")
        ca.execute_command("MULTI")
        ca.execute_command("INCR", "c")
        assert ca.execute_command("EXEC") is None
        assert cb.execute_command("GET", "c") == "0"
    finally:
        ca.close()
        cb.close()


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"*abc\r\n", b"-ERR Protocol error: invalid multibulk length\r\n"),
        (b"*1\r\nfoo\r\n", b"-ERR Protocol error: expected '$', got 'f'\r\n"),
        (b"*1\r\n$-5\r\n", b"-ERR Protocol error: invalid bulk length\r\n"),
        (b'SET k "v\r\n', b"-ERR Protocol error: unbalanced quotes in request\r\n"),
    ],
)
def test_malformed_protocol_closes_only_that_connection(
    kv_server: KvServer, data: bytes, error: bytes
) -> None:
    healthy = connect(kv_server)
    healthy.set("still", "here")
    # a good command before the bad bytes is answered; what follows them is not
    out, _ = raw(kv_server, encode_command("PING") + data + encode_command("SET", "x", "1"))
    assert out == b"+PONG\r\n" + error
    assert healthy.get("still") == "here" and healthy.get("x") is None
    healthy.close()


def test_oversize_bulk_with_small_cap(kv_server_factory) -> None:  # type: ignore[no-untyped-def]
    server = kv_server_factory("--proto-max-bulk-len", "1kb")
    healthy = connect(server)
    assert healthy.set("small", "x" * 1024) is True
    out, _ = raw(server, encode_command("SET", "big", "x" * 1025))
    assert out == b"-ERR Protocol error: invalid bulk length\r\n"
    assert healthy.exists("big") == 0 and healthy.strlen("small") == 1024
    healthy.close()


def test_garbage_never_stops_the_server(kv_server: KvServer) -> None:
    for junk in (b"\x00\xff\xfe garbage\r\n", b"$3\r\n", b"+PING\r\n", bytes(range(256))):
        raw(kv_server, junk)
    r = connect(kv_server)
    assert r.ping() is True and kv_server.proc.poll() is None
    r.close()


def test_inline_commands_and_quit(kv_server: KvServer) -> None:
    out, closed = raw(kv_server, b"SET greeting 'hello world'\r\nGET greeting\r\nQUIT\r\nPING\r\n")
    assert out == b"+OK\r\n$11\r\nhello world\r\n+OK\r\n" and closed


def test_hello_and_select(kv_server: KvServer) -> None:
    out, _ = raw(kv_server, b"HELLO 3\r\nSELECT 1\r\nSELECT 0\r\nHELLO 2\r\n")
    assert out.startswith(
        b"-NOPROTO unsupported protocol version\r\n-ERR DB index is out of range\r\n+OK\r\n"
        b"*14\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n7.0.15\r\n"
    )
