"""RESP2, the Redis wire protocol: request parsing and reply encoding (Redis's networking.c).

A request is either a *multibulk* (what client libraries send)::

    *2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n

or an *inline* command, one line of words as typed into telnet (``GET k``), split like
``sdssplitargs``: double quotes with ``\\n``, ``\\xHH`` ... escapes, single quotes with
``\\'``. :class:`RequestParser` follows ``processMultibulkBuffer`` / ``processInlineBuffer``:
the same limits (``proto-max-bulk-len``, 512 MB by default; 64 KB for an inline line or a
length line) and the same errors, after which the server replies and closes the connection::

    >>> parser = RequestParser()
    >>> parser.feed(b"*2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\nPING 'a b'\\r\\n")
    >>> parser.next_request(), parser.next_request(), parser.next_request()
    ([b'GET', b'k'], [b'PING', b'a b'], None)
    >>> parser.feed(b"*1\\r\\nfoo\\r\\n")
    >>> parser.next_request()
    Traceback (most recent call last):
    ...
    kvengine.resp.ProtocolError: ERR Protocol error: expected '$', got 'f'

Replies: :func:`encode_reply` writes the engine's reply shapes (``str``, ``int``, ``None``,
``list``, ``float``, :class:`ResponseError`) as RESP2. The engine returns status and bulk
strings alike as ``str``; :func:`is_status_reply` says which ones Redis sends as status
(``+OK``, ``+PONG``, ``+string`` for TYPE ...), which ``redis-cli`` prints without quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .errors import ResponseError, sanitize

PROTO_INLINE_MAX_SIZE = 64 * 1024  # longest inline line or length line Redis buffers
PROTO_MAX_BULK_LEN = 512 * 1024 * 1024  # proto-max-bulk-len's default
INT_MAX = (1 << 31) - 1
_STRING2LL = re.compile(rb"0|-?[1-9][0-9]*")
_SPACE = b" \t\n\v\f\r"
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("a"): b"\a"}
_HEX = b"0123456789abcdefABCDEF"


class ProtocolError(Exception):
    """Malformed input: ``str()`` is Redis's error reply; the connection must then close."""


def string2ll(data: bytes) -> int | None:
    """Redis's strict integer parse: no sign +, no spaces, no leading zeros, 64-bit."""
    if not _STRING2LL.fullmatch(data):
        return None
    n = int(data)
    return n if -(1 << 63) <= n < (1 << 63) else None


def split_args(line: bytes) -> list[bytes] | None:
    """``sdssplitargs``: split an inline command; None for unbalanced quotes."""
    line = line.split(b"\0", 1)[0]
    args: list[bytes] = []
    i, n = 0, len(line)
    while True:
        while i < n and line[i] in _SPACE:
            i += 1
        if i >= n:
            return args
        current = bytearray()
        in_dq = in_sq = False
        while True:
            c = line[i] if i < n else None
            if in_dq:
                if c is None:
                    return None  # unterminated quotes
                if (
                    c == 0x5C  # backslash
                    and i + 3 < n
                    and line[i + 1] == ord("x")
                    and line[i + 2] in _HEX
                    and line[i + 3] in _HEX
                ):
                    current.append(int(line[i + 2 : i + 4], 16))
                    i += 3
                elif c == 0x5C and i + 1 < n:
                    i += 1
                    current += _ESCAPES.get(line[i], bytes([line[i]]))
                elif c == ord('"'):
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None  # closing quote must be followed by a space
                    i += 1
                    break
                else:
                    current.append(c)
            elif in_sq:
                if c is None:
                    return None
                if c == 0x5C and i + 1 < n and line[i + 1] == ord("'"):
                    i += 1
                    current.append(ord("'"))
                elif c == ord("'"):
                    if i + 1 < n and line[i + 1] not in _SPACE:
                        return None
                    i += 1
                    break
                else:
                    current.append(c)
            else:
                if c is None or c in b" \n\r\t":
                    break
                if c == ord('"'):
                    in_dq = True
                elif c == ord("'"):
                    in_sq = True
                else:
                    current.append(c)
            i += 1
        args.append(bytes(current))


class RequestParser:
    """Incremental request parser: :meth:`feed` bytes, then :meth:`next_request` until None.

    Raises :class:`ProtocolError` (Redis's text) for malformed input; after that the
    connection is unusable, as in Redis, which closes it after the error reply.
    """

    def __init__(self, max_bulk_len: int = PROTO_MAX_BULK_LEN) -> None:
        self.max_bulk_len = max_bulk_len
        self._buf = bytearray()
        self._pos = 0
        self._multibulk = 0  # arguments still to read in the current multibulk
        self._bulk = -1  # length of the bulk being read, -1 before its $ line
        self._args: list[bytes] = []

    def feed(self, data: bytes) -> None:
        if self._pos > 65536 and self._pos * 2 > len(self._buf):
            del self._buf[: self._pos]
            self._pos = 0
        self._buf += data

    @property
    def pending(self) -> int:
        """Bytes received and not yet part of a complete request."""
        return len(self._buf) - self._pos

    def next_request(self) -> list[bytes] | None:
        """The next complete command's arguments, or None until more bytes arrive."""
        while self._pos < len(self._buf):
            if self._multibulk == 0 and self._buf[self._pos] != ord("*"):
                request = self._inline()
            else:
                request = self._multibulk_request()
            if request is None:
                return None
            if request:  # empty lines and *0 / *-1 are skipped, as in Redis
                return request
        return None

    def _error(self, text: str) -> ProtocolError:
        return ProtocolError(sanitize(f"ERR Protocol error: {text}"))

    def _inline(self) -> list[bytes] | None:
        end = self._buf.find(b"\n", self._pos)
        if end < 0:
            if self.pending > PROTO_INLINE_MAX_SIZE:
                raise self._error("too big inline request")
            return None
        line = bytes(self._buf[self._pos : end])
        if line.endswith(b"\r"):
            line = line[:-1]
        args = split_args(line)
        if args is None:
            raise self._error("unbalanced quotes in request")
        self._pos = end + 1
        return args

    def _line(self, too_big: str) -> bytes | None:
        """The length line at the read position (without CRLF), or None if incomplete."""
        end = self._buf.find(b"\r", self._pos)
        if end < 0:
            if self.pending > PROTO_INLINE_MAX_SIZE:
                raise self._error(too_big)
            return None
        if end + 1 >= len(self._buf):  # the \n has not arrived yet
            return None
        return bytes(self._buf[self._pos : end])

    def _multibulk_request(self) -> list[bytes] | None:
        if self._multibulk == 0:
            line = self._line("too big mbulk count string")
            if line is None:
                return None
            count = string2ll(line[1:])
            if count is None or count > INT_MAX:
                raise self._error("invalid multibulk length")
            self._pos += len(line) + 2
            if count <= 0:
                return []
            self._multibulk = count
            self._args = []
        while self._multibulk:
            if self._bulk < 0:
                line = self._line("too big bulk count string")
                if line is None:
                    return None
                if line[:1] != b"$":
                    got = line[:1].decode("latin-1")
                    raise self._error(f"expected '$', got '{got}'")
                size = string2ll(line[1:])
                if size is None or size < 0 or size > self.max_bulk_len:
                    raise self._error("invalid bulk length")
                self._pos += len(line) + 2
                self._bulk = size
            if len(self._buf) - self._pos < self._bulk + 2:
                return None
            self._args.append(bytes(self._buf[self._pos : self._pos + self._bulk]))
            self._pos += self._bulk + 2  # the CRLF after the data is not checked, as in Redis
            self._bulk = -1
            self._multibulk -= 1
        args, self._args = self._args, []
        return args


# ------------------------------------------------------------------ replies
def _command_name(argv: Sequence[str]) -> str:
    name = argv[0].lower() if argv else ""
    if len(argv) >= 2 and name in ("client", "config", "memory"):
        return f"{name}|{argv[1].lower()}"
    return name


# Commands whose string reply Redis sends as a status (+OK) rather than a bulk string.
STATUS_COMMANDS = frozenset(
    {
        "set",
        "setex",
        "psetex",
        "mset",
        "hmset",
        "lset",
        "ltrim",
        "rename",
        "flushall",
        "flushdb",
        "swapdb",
        "type",
        "select",
        "multi",
        "discard",
        "watch",
        "unwatch",
        "quit",
        "reset",
        "client|setname",
        "config|set",
        "config|resetstat",
        "memory|purge",
    }
)


def is_status_reply(argv: Sequence[str], reply: Any) -> bool:
    """True when Redis sends this command's ``str`` reply as a status (``+OK``)."""
    if not isinstance(reply, str):
        return False
    name = _command_name(argv)
    if name == "ping":
        return len(argv) == 1
    if name == "set":  # SET ... GET replies with the old value, a bulk string
        return not any(a.lower() == "get" for a in argv[3:])
    return name in STATUS_COMMANDS


def _bytes(text: str) -> bytes:
    try:
        return text.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a lone surrogate that no byte maps to
        return text.encode("utf-8", "surrogatepass")


def format_double(value: float) -> str:
    """A float as Redis 7.0 writes a double reply in RESP2 (``%.17g``; inf, -inf, nan)."""
    if value != value:
        return "nan"
    if value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    return f"{value:.17g}"


def encode_reply(
    reply: Any,
    argv: Sequence[str] = (),
    queued: Sequence[Sequence[str]] | None = None,
) -> bytes:
    """RESP2 bytes for one reply to the command ``argv``.

    ``queued`` (for EXEC): the queued commands, so each element of EXEC's array is
    encoded as its own command's reply. A nil EXEC (aborted by WATCH) is a nil array.
    """
    out: list[bytes] = []
    name = _command_name(argv)
    if name == "exec" and reply is None:
        return b"*-1\r\n"
    if name == "exec" and isinstance(reply, list) and queued is not None:
        out.append(b"*%d\r\n" % len(reply))
        for item, item_argv in zip(reply, queued, strict=False):
            out.append(encode_reply(item, item_argv))
        return b"".join(out)
    _encode(reply, argv, out, top=True)
    return b"".join(out)


def _encode(reply: Any, argv: Sequence[str], out: list[bytes], top: bool) -> None:
    if reply is None:
        out.append(b"$-1\r\n")
    elif isinstance(reply, ResponseError):
        out.append(b"-" + _bytes(sanitize(str(reply))) + b"\r\n")
    elif isinstance(reply, bool):
        out.append(b":%d\r\n" % int(reply))
    elif isinstance(reply, int):
        out.append(b":%d\r\n" % reply)
    elif isinstance(reply, str):
        if top and is_status_reply(argv, reply):
            out.append(b"+" + _bytes(sanitize(reply)) + b"\r\n")
        else:
            data = _bytes(reply)
            out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    elif isinstance(reply, float):
        data = format_double(reply).encode()
        out.append(b"$%d\r\n%s\r\n" % (len(data), data))
    elif isinstance(reply, bytes | bytearray):
        out.append(b"$%d\r\n%s\r\n" % (len(reply), bytes(reply)))
    elif isinstance(reply, dict):
        _encode([x for pair in reply.items() for x in pair], argv, out, top=False)
    elif isinstance(reply, list | tuple):
        out.append(b"*%d\r\n" % len(reply))
        for item in reply:
            _encode(item, argv, out, top=False)
    else:
        raise TypeError(f"no RESP2 encoding for {type(reply).__name__}")


def encode_command(*args: Any) -> bytes:
    """A request as a client sends it (a multibulk of bulk strings)."""
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else _bytes(str(arg))
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)
