"""Values: what a key holds, and what every command may ask of it whatever its type.

Redis wraps each value in a ``robj`` with a *type* (string, list, set, zset, hash) and an
*encoding* (the representation chosen for its size: ``int``/``embstr``/``raw`` for strings,
``listpack``/``quicklist``/``intset``/``hashtable``/``skiplist`` for the others). This engine
keeps the same two facts:

* a **string** is a plain Python ``str`` (the fastest thing to store; bytes that are not UTF-8
  travel as surrogate escapes, see :mod:`kvengine.util`);
* every **other type** is an instance of a :class:`Value` subclass that names its
  ``type_name`` and answers ``encoding()`` and ``memory_usage()``.

So ``TYPE``, ``OBJECT ENCODING``, ``MEMORY USAGE``, ``SCAN ... TYPE``, ``DEL``, ``RENAME``,
eviction and expiry work on any type through :func:`type_name`, :func:`encoding` and
:func:`kvengine.memory.entry_bytes`, without knowing the types. A new type is a new module
(for example ``kvengine/values/hash.py``) with a ``Value`` subclass, and a command family in
``kvengine/commands/`` that uses ``Store.lookup_read`` / ``Store.lookup_write`` with its
type name (they raise ``WRONGTYPE`` for a key of another type).

    >>> type_name("42"), encoding("42"), encoding("hello"), encoding("x" * 45)
    ('string', 'int', 'embstr', 'raw')
"""

from __future__ import annotations

from typing import Any, ClassVar

from ..memory import byte_len
from ..util import parse_int

TYPE_NAMES = ("string", "list", "set", "zset", "hash")
EMBSTR_SIZE_LIMIT = 44  # OBJ_ENCODING_EMBSTR_SIZE_LIMIT
SHARED_INTEGERS = 10000  # OBJ_SHARED_INTEGERS: 0..9999 are shared objects


class Value:
    """Base class of every value that is not a string.

    A subclass sets ``type_name`` (one of :data:`TYPE_NAMES`) and implements ``encoding()``
    (what ``OBJECT ENCODING`` replies) and ``memory_usage()`` (the value's estimated bytes,
    without the key; keep it O(1), e.g. a running total, as the store asks after each write).
    A container left empty by a command must be deleted by that command, as Redis does.
    """

    __slots__ = ()
    type_name: ClassVar[str] = ""

    def encoding(self) -> str:
        raise NotImplementedError

    def memory_usage(self) -> int:
        raise NotImplementedError


def type_name(value: Any) -> str:
    """``TYPE``'s reply for a stored value."""
    return "string" if value.__class__ is str else value.type_name


def encoding(value: Any) -> str:
    """``OBJECT ENCODING``'s reply: for a string ``int`` (a 64-bit integer in canonical form),
    ``embstr`` (up to 44 bytes) or ``raw``."""
    if value.__class__ is not str:
        return value.encoding()
    if len(value) <= 20 and parse_int(value) is not None:
        return "int"
    return "embstr" if byte_len(value) <= EMBSTR_SIZE_LIMIT else "raw"


def is_shared_integer(value: Any) -> bool:
    """A string Redis stores as one of its shared integer objects 0..9999 (``OBJECT REFCOUNT``
    then answers INT_MAX)."""
    if value.__class__ is not str or len(value) > 4:
        return False
    n = parse_int(value)
    return n is not None and 0 <= n < SHARED_INTEGERS
