"""String commands (t_string.c): GET, SET and its options, INCR family, APPEND, MSET...

Each handler parses its options (``parseExtendedStringArgumentsOrReply`` for SET and GETEX)
and calls the store's native method of the same name, which validates every value before it
writes anything.
"""

from __future__ import annotations

from .. import errors
from ..errors import ResponseError
from ..store import Store
from ..util import int_arg
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
