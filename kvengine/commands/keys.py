"""Generic keyspace commands (db.c): DEL, EXISTS, TYPE, RENAME, KEYS, SCAN, RANDOMKEY...

They work on a key of any type: the store asks the value its type (see
:mod:`kvengine.values`) and moves or deletes it whole.
"""

from __future__ import annotations

from .. import errors
from ..errors import ResponseError
from ..store import Store
from ..util import int_arg
from .registry import command


@command("del", -2, "write")
def cmd_del(store: Store, argv: list[str]) -> int:
    return store.delete(*argv[1:])


@command("unlink", -2, "write")
def cmd_unlink(store: Store, argv: list[str]) -> int:
    return store.delete(*argv[1:])


@command("exists", -2)
def cmd_exists(store: Store, argv: list[str]) -> int:
    return store.exists(*argv[1:])


@command("touch", -2)
def cmd_touch(store: Store, argv: list[str]) -> int:
    return store.touch(*argv[1:])


@command("type", 2)
def cmd_type(store: Store, argv: list[str]) -> str:
    return store.type(argv[1])


@command("keys", 2)
def cmd_keys(store: Store, argv: list[str]) -> list[str]:
    return store.keys(argv[1])


@command("randomkey", 1)
def cmd_randomkey(store: Store, argv: list[str]) -> str | None:
    return store.randomkey()


@command("rename", 3, "write")
def cmd_rename(store: Store, argv: list[str]) -> str | int:
    return store.rename(argv[1], argv[2])


@command("renamenx", 3, "write")
def cmd_renamenx(store: Store, argv: list[str]) -> int:
    return store.renamenx(argv[1], argv[2])


def parse_cursor(text: str) -> int:
    """``parseScanCursorOrReply``: C's ``strtoul`` (optional sign, "-1" wraps to 2**64-1,
    "" is 0) but no leading white space and nothing after the digits."""
    if not text:
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:] if text[0] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ResponseError(errors.INVALID_CURSOR)
    n = int(digits)
    if n >= 1 << 64:
        raise ResponseError(errors.INVALID_CURSOR)
    return (sign * n) % (1 << 64)


@command("scan", -2)
def cmd_scan(store: Store, argv: list[str]) -> list:
    cursor = parse_cursor(argv[1])
    count = 10
    pattern: str | None = None
    type_name: str | None = None
    i = 2
    while i < len(argv):
        opt = argv[i].lower()
        left = len(argv) - i - 1
        if opt == "count" and left >= 1:
            count = int_arg(argv[i + 1])
            if count < 1:
                raise ResponseError(errors.SYNTAX_ERROR)
        elif opt == "match" and left >= 1:
            pattern = argv[i + 1]
        elif opt == "type" and left >= 1:
            type_name = argv[i + 1]
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
        i += 2
    return store.scan(cursor, count=count, match=pattern, type_name=type_name)
