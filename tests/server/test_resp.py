"""RESP2 parsing and encoding (kvengine.resp) against Redis's networking.c rules."""

from __future__ import annotations

import doctest

import pytest

import kvengine.resp
from kvengine.errors import ResponseError
from kvengine.resp import (
    ProtocolError,
    RequestParser,
    encode_command,
    encode_reply,
    is_status_reply,
    split_args,
    string2ll,
)


def parse_all(data: bytes, **kwargs: int) -> list[list[bytes]]:
    parser = RequestParser(**kwargs)
    parser.feed(data)
    out = []
    while (request := parser.next_request()) is not None:
        out.append(request)
    return out


def test_doctests() -> None:
    assert doctest.testmod(kvengine.resp).failed == 0


def test_multibulk_and_inline_requests() -> None:
    data = encode_command("SET", "k", "a b\r\nc") + b"GET k\r\n" + b"PING\n"
    assert parse_all(data) == [[b"SET", b"k", b"a b\r\nc"], [b"GET", b"k"], [b"PING"]]


def test_request_split_across_reads_byte_by_byte() -> None:
    data = encode_command("SET", "key", "x" * 40) + b"ECHO 'hi there'\r\n"
    parser = RequestParser()
    got = []
    for i in range(len(data)):
        parser.feed(data[i : i + 1])
        while (request := parser.next_request()) is not None:
            got.append(request)
    assert got == [[b"SET", b"key", b"x" * 40], [b"ECHO", b"hi there"]]


def test_empty_requests_are_skipped() -> None:
    assert parse_all(b"\r\n\r\n*0\r\n*-1\r\nPING\r\n") == [[b"PING"]]


@pytest.mark.parametrize(
    ("line", "args"),
    [
        (b'SET k "a\\x41\\n\\"b"', [b"SET", b"k", b'aA\n"b']),
        (b"SET k 'it\\'s'", [b"SET", b"k", b"it's"]),
        (b'a"b c"', [b"ab c"]),
        (b"  spaced\t out  ", [b"spaced", b"out"]),
        (b'"\\xzz"', [b"xzz"]),
        (b'"a"b', None),
        (b'"unterminated', None),
        (b"'open", None),
    ],
)
def test_split_args_like_sdssplitargs(line: bytes, args: list[bytes] | None) -> None:
    assert split_args(line) == args


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"*abc\r\n", "ERR Protocol error: invalid multibulk length"),
        (b"*3000000000\r\n", "ERR Protocol error: invalid multibulk length"),
        (b"*1\r\nfoo\r\n", "ERR Protocol error: expected '$', got 'f'"),
        (b"*1\r\n$-1\r\n", "ERR Protocol error: invalid bulk length"),
        (b"*1\r\n$01\r\n", "ERR Protocol error: invalid bulk length"),
        (b'PING "a\r\n', "ERR Protocol error: unbalanced quotes in request"),
        (b"x" * (64 * 1024 + 1), "ERR Protocol error: too big inline request"),
        (b"*" + b"1" * (64 * 1024 + 1), "ERR Protocol error: too big mbulk count string"),
    ],
)
def test_protocol_errors(data: bytes, message: str) -> None:
    with pytest.raises(ProtocolError) as err:
        parse_all(data)
    assert str(err.value) == message


def test_proto_max_bulk_len_caps_an_argument() -> None:
    assert parse_all(encode_command("SET", "k", "x" * 100), max_bulk_len=100)
    with pytest.raises(ProtocolError, match="invalid bulk length"):
        parse_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$101\r\n", max_bulk_len=100)


def test_string2ll_is_strict() -> None:
    assert [string2ll(x) for x in (b"0", b"-12", b"9223372036854775807")] == [
        0,
        -12,
        (1 << 63) - 1,
    ]
    for bad in (b"", b"+1", b"01", b"-0", b" 1", b"9223372036854775808", b"1.0"):
        assert string2ll(bad) is None


def test_status_versus_bulk_strings() -> None:
    assert encode_reply("OK", ["SET", "k", "v"]) == b"+OK\r\n"
    assert encode_reply("OK", ["GET", "k"]) == b"$2\r\nOK\r\n"  # a value that reads OK
    assert encode_reply("old", ["SET", "k", "v", "GET"]) == b"$3\r\nold\r\n"
    assert encode_reply("PONG", ["PING"]) == b"+PONG\r\n"
    assert encode_reply("PONG", ["PING", "PONG"]) == b"$4\r\nPONG\r\n"
    assert encode_reply("string", ["TYPE", "k"]) == b"+string\r\n"
    assert is_status_reply(["client", "SETNAME", "x"], "OK")
    assert not is_status_reply(["CLIENT", "GETNAME"], "OK")


def test_arrays_nil_integers_errors_floats_and_bytes() -> None:
    reply = ["a", None, 3, ["é", []], ResponseError("ERR boom"), 1.5, "\udcff"]
    assert encode_reply(reply, ["X"]) == (
        b"*7\r\n$1\r\na\r\n$-1\r\n:3\r\n*2\r\n$2\r\n\xc3\xa9\r\n*0\r\n-ERR boom\r\n"
        b"$3\r\n1.5\r\n$1\r\n\xff\r\n"
    )
    assert encode_reply(None, ["GET", "k"]) == b"$-1\r\n"
    assert encode_reply(ResponseError("ERR a\r\nb")) == b"-ERR a  b\r\n"


def test_exec_replies_are_encoded_per_queued_command() -> None:
    queued = [["SET", "k", "OK"], ["GET", "k"], ["INCR", "k"]]
    reply = ["OK", "OK", ResponseError("ERR value is not an integer or out of range")]
    assert encode_reply(reply, ["EXEC"], queued) == (
        b"*3\r\n+OK\r\n$2\r\nOK\r\n-ERR value is not an integer or out of range\r\n"
    )
    assert encode_reply(None, ["EXEC"]) == b"*-1\r\n"  # aborted by WATCH: a nil array
