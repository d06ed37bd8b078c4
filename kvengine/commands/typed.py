"""What the commands of a container type (set, zset) need from the keyspace, and their
argument readers (object.c's ``get...FromObjectOrReply``).

:class:`TypedDb` is the narrow door such commands use, built on the store's public methods:
``read``/``write`` look a key up (``lookupKeyRead``/``lookupKeyWrite``: lazy expiry, access
stats) and raise ``WRONGTYPE`` when it holds another type; ``room`` makes room before a write
that may add a key (eviction, OOM); ``add`` (``dbAdd``), ``store`` (``setKey``: replaces any
value and drops the TTL), ``delete`` and ``changed`` (the value was modified in place: its
memory is re-estimated and ``signalModifiedKey`` is called). A container a command leaves empty
is deleted (``changed_or_deleted``): Redis never keeps an empty set or sorted set.

:func:`typed_command` registers a handler ``(db, argv) -> reply`` in the command table.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from .. import errors
from ..errors import ResponseError
from ..glob import compile_pattern
from ..util import parse_int
from ..values import type_name
from .registry import command

LONG_MIN, LONG_MAX = -(1 << 63), (1 << 63) - 1


def long_arg(text: str, msg: str | None = None) -> int:
    """``getLongFromObjectOrReply``."""
    n = parse_int(text)
    if n is None:
        raise ResponseError(msg or errors.NOT_INTEGER)
    return n


def range_long_arg(text: str, lo: int, hi: int, msg: str | None = None) -> int:
    """``getRangeLongFromObjectOrReply``: with ``msg``, every failure says ``msg``."""
    n = long_arg(text, msg)
    if not lo <= n <= hi:
        raise ResponseError(msg or f"ERR value is out of range, value must between {lo} and {hi}")
    return n


def positive_long_arg(text: str, msg: str | None = None) -> int:
    """``getPositiveLongFromObjectOrReply``."""
    return range_long_arg(text, 0, LONG_MAX, msg or "ERR value is out of range, must be positive")


def scan_args(argv: list[str], start: int) -> tuple[int, Callable[[str], bool] | None]:
    """The COUNT and MATCH options of SSCAN/ZSCAN/HSCAN (``scanGenericCommand``; TYPE is for
    SCAN only): ``(count, predicate or None)``."""
    count, match = 10, None
    j = start
    while j < len(argv):
        opt = argv[j].lower()
        if opt == "count" and j + 1 < len(argv):
            count = long_arg(argv[j + 1])
            if count < 1:
                raise ResponseError(errors.SYNTAX_ERROR)
        elif opt == "match" and j + 1 < len(argv):
            match = compile_pattern(argv[j + 1])
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
        j += 2
    return count, match


def parse_cursor(text: str) -> int:
    """``parseScanCursorOrReply``: an unsigned 64-bit decimal (strtoul), else invalid cursor."""
    if text == "":
        return 0  # strtoul converts nothing and stops at the end: Redis takes 0
    body = text[1:] if text[0] in "+-" else text
    if not (body.isascii() and body.isdigit()):
        raise ResponseError(errors.INVALID_CURSOR)
    n = int(body)
    if n >= 1 << 64:
        raise ResponseError(errors.INVALID_CURSOR)
    return (-n) & ((1 << 64) - 1) if text[0] == "-" else n


def typed_command(name: str, arity: int, flags: str = "") -> Callable:
    """``@command`` for a handler that takes a :class:`TypedDb` instead of the store."""

    def register(fn: Callable[[TypedDb, list[str]], Any]) -> Callable:
        def handler(store: Any, argv: list[str]) -> Any:
            return fn(TypedDb(store), argv)

        handler.__doc__ = fn.__doc__
        command(name, arity, flags)(handler)
        return fn

    return register


class TypedDb:
    """The keyspace as the set and sorted-set commands see it (see the module docstring).

    ``store`` is a :class:`~kvengine.store.Store`; only its public methods are used.
    """

    def __init__(self, store: Any) -> None:
        self._store = store
        self.rng: random.Random = store.rng
        self.set_max_intset_entries: int = getattr(store, "set_max_intset_entries", 512)
        self.zset_limits: dict[str, int] = getattr(store, "zset_limits", {})

    parse_cursor = staticmethod(parse_cursor)

    @staticmethod
    def check(value: Any, tname: str) -> None:
        """``checkType``: WRONGTYPE unless ``value`` is None or of type ``tname``."""
        if value is not None and type_name(value) != tname:
            raise ResponseError(errors.WRONGTYPE)

    def read(self, key: str, tname: str) -> Any:
        return self._store.lookup_read(key, tname)

    def write(self, key: str, tname: str) -> Any:
        return self._store.lookup_write(key, tname)

    def read_any(self, key: str) -> Any:
        return self._store.lookup_read(key, None)

    def write_any(self, key: str) -> Any:
        return self._store.lookup_write(key, None)

    def room(self, *keys: str) -> None:
        self._store.make_room(*keys)

    def add(self, key: str, value: Any) -> None:
        self._store.db_add(key, value)
        self._store.signal_modified_key(key)

    def store(self, key: str, value: Any) -> None:
        """``setKey``: the new value replaces whatever ``key`` held, and its TTL."""
        self._store.db_delete(key)
        self.add(key, value)

    def delete(self, key: str) -> bool:
        return self._store.db_delete(key)

    def changed(self, key: str) -> None:
        self._store.signal_modified_key(key)

    def changed_or_deleted(self, key: str, value: Any) -> None:
        if len(value):
            self.changed(key)
        else:
            self.delete(key)
