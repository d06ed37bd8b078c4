"""String commands (t_string.c): GET, SET and its options, INCR family, APPEND, MSET,
INCRBYFLOAT, SETRANGE, GETRANGE...

Each handler parses its options (``parseExtendedStringArgumentsOrReply`` for SET and GETEX)
and calls the store's native method of the same name, which validates every value before it
writes anything.
"""

from __future__ import annotations

from .. import errors, longdouble
from ..errors import ResponseError
from ..limits import check_string_length
from ..store import Store
from ..util import int_arg, parse_int
from .registry import command

TIMED = frozenset(("ex", "px", "exat", "pxat"))


def parse_extended(argv: list[str], start: int, for_set: bool) -> tuple[set[str], dict]:
    """``parseExtendedStringArgumentsOrReply`` for SET (``for_set``) and GETEX: the flags
    given and the expiry as keyword arguments (``{"ex": "10"}``)."""
    flags: set[str] = set()
    expire: dict = {}
    j = start
    n = len(argv)
    while j < n:
        opt = argv[j].lower()
        nxt = argv[j + 1] if j + 1 < n else None
        if opt == "nx" and "xx" not in flags and for_set:
            flags.add("nx")
        elif opt == "xx" and "nx" not in flags and for_set:
            flags.add("xx")
        elif opt == "get" and for_set:
            flags.add("get")
        elif opt == "keepttl" and "persist" not in flags and not flags & TIMED and for_set:
            flags.add("keepttl")
        elif opt == "persist" and not for_set and not flags & (TIMED | {"keepttl"}):
            flags.add("persist")
        elif (
            opt in TIMED
            and "keepttl" not in flags
            and "persist" not in flags
            and not flags & (TIMED - {opt})
            and nxt is not None
        ):
            flags.add(opt)
            expire = {opt: nxt}
            j += 1
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
        j += 1
    return flags, expire


@command("get", 2)
def cmd_get(store: Store, argv: list[str]) -> str | None:
    return store.get(argv[1])


@command("set", -3, "write denyoom")
def cmd_set(store: Store, argv: list[str]) -> str | None:
    flags, expire = parse_extended(argv, 3, for_set=True)
    return store.set(
        argv[1],
        argv[2],
        nx="nx" in flags,
        xx="xx" in flags,
        keepttl="keepttl" in flags,
        get="get" in flags,
        **expire,
    )


@command("getex", -2, "write")
def cmd_getex(store: Store, argv: list[str]) -> str | None:
    flags, expire = parse_extended(argv, 2, for_set=False)
    return store.getex(argv[1], persist="persist" in flags, **expire)


@command("getdel", 2, "write")
def cmd_getdel(store: Store, argv: list[str]) -> str | None:
    return store.getdel(argv[1])


@command("getset", 3, "write denyoom")
def cmd_getset(store: Store, argv: list[str]) -> str | None:
    return store.getset(argv[1], argv[2])


@command("setnx", 3, "write denyoom")
def cmd_setnx(store: Store, argv: list[str]) -> int:
    return store.setnx(argv[1], argv[2])


@command("setex", 4, "write denyoom")
def cmd_setex(store: Store, argv: list[str]) -> str | None:
    return store.setex(argv[1], argv[2], argv[3])


@command("psetex", 4, "write denyoom")
def cmd_psetex(store: Store, argv: list[str]) -> str | None:
    return store.psetex(argv[1], argv[2], argv[3])


def _pairs(name: str, argv: list[str]) -> list[tuple[str, str]]:
    if len(argv) % 2 == 0:
        raise ResponseError(errors.wrong_arity(name))
    return [(argv[i], argv[i + 1]) for i in range(1, len(argv), 2)]


@command("mset", -3, "write denyoom")
def cmd_mset(store: Store, argv: list[str]) -> str:
    return store.mset(_pairs("mset", argv))


@command("msetnx", -3, "write denyoom")
def cmd_msetnx(store: Store, argv: list[str]) -> int:
    return store.msetnx(_pairs("msetnx", argv))


@command("mget", -2)
def cmd_mget(store: Store, argv: list[str]) -> list[str | None]:
    return store.mget(*argv[1:])


@command("incr", 2, "write denyoom")
def cmd_incr(store: Store, argv: list[str]) -> int:
    return store.incrby(argv[1], 1)


@command("decr", 2, "write denyoom")
def cmd_decr(store: Store, argv: list[str]) -> int:
    return store.incrby(argv[1], -1)


@command("incrby", 3, "write denyoom")
def cmd_incrby(store: Store, argv: list[str]) -> int:
    return store.incrby(argv[1], int_arg(argv[2]))


@command("decrby", 3, "write denyoom")
def cmd_decrby(store: Store, argv: list[str]) -> int:
    return store.decrby(argv[1], int_arg(argv[2]))


@command("append", 3, "write denyoom")
def cmd_append(store: Store, argv: list[str]) -> int:
    return store.append(argv[1], argv[2])


@command("strlen", 2)
def cmd_strlen(store: Store, argv: list[str]) -> int:
    return store.strlen(argv[1])


# ------------------------------------------------------- floats and byte ranges
NOT_FLOAT = "ERR value is not a valid float"
WOULD_BE_NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity"


def _write(store: Store, key: str, exists: bool, value: str) -> None:
    """Store ``value`` under ``key``: ``dbOverwrite`` (TTL kept) or ``dbAdd``."""
    if exists:
        store.db_overwrite(key, value)
    else:
        store.make_room(key)
        store.db_add(key, value)


@command("incrbyfloat", 3, "write denyoom")
def cmd_incrbyfloat(store: Store, argv: list[str]) -> str:
    """In C's long double, as Redis (see :mod:`kvengine.longdouble`); the TTL is kept."""
    key = argv[1]
    current = store.lookup_write(key, "string")
    value = longdouble.from_int(0) if current is None else longdouble.parse(current)
    increment = longdouble.parse(argv[2])
    if value is None or increment is None:
        raise ResponseError(NOT_FLOAT)
    total = longdouble.add(value, increment)
    if total is None:
        raise ResponseError(WOULD_BE_NAN_OR_INFINITY)
    text = longdouble.format_human(total)
    _write(store, key, current is not None, text)
    return text


def _bytes(text: str) -> bytes:
    return text.encode("utf-8", "surrogateescape")


def _text(data: bytes) -> str:
    """Bytes back to the engine's text (a cut through a UTF-8 sequence stays as escapes)."""
    return data.decode("utf-8", "surrogateescape")


@command("setrange", 4, "write denyoom")
def cmd_setrange(store: Store, argv: list[str]) -> int:
    """Overwrite bytes from ``offset``, padding with zero bytes; the TTL is kept."""
    key = argv[1]
    offset = parse_int(argv[2])
    if offset is None:
        raise ResponseError(errors.NOT_INTEGER)
    if offset < 0:
        raise ResponseError("ERR offset is out of range")
    patch = _bytes(argv[3])
    current = store.lookup_write(key, "string")
    old = b"" if current is None else _bytes(current)
    if not patch:
        return len(old)  # nothing to write: no key is created, nothing changes
    check_string_length(offset, len(patch))
    data = bytearray(old)
    if len(data) < offset + len(patch):
        data.extend(bytes(offset + len(patch) - len(data)))
    data[offset : offset + len(patch)] = patch
    _write(store, key, current is not None, _text(bytes(data)))
    return len(data)


@command("getrange", 4)
def cmd_getrange(store: Store, argv: list[str]) -> str:
    """Bytes ``start..end`` inclusive, negative from the end, clipped to the string."""
    start, end = parse_int(argv[2]), parse_int(argv[3])
    if start is None or end is None:
        raise ResponseError(errors.NOT_INTEGER)
    current = store.lookup_read(argv[1], "string")
    if current is None:
        return ""
    data = _bytes(current)
    size = len(data)
    if start < 0 and end < 0 and start > end:
        return ""
    if start < 0:
        start += size
    if end < 0:
        end += size
    start, end = max(start, 0), max(end, 0)
    end = min(end, size - 1)
    if start > end or size == 0:
        return ""
    return _text(data[start : end + 1])
