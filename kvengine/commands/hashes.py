"""Hash commands (t_hash.c): HSET, HGET, HDEL, HINCRBY, HRANDFIELD, HSCAN...

Every handler follows its Redis counterpart step for step: parse the numeric arguments, look
the key up (``WRONGTYPE`` for a key of another type), then change the :class:`Hash` and call
``signal_modified_key``. Nothing is written before every check has passed, and a hash left
without fields is deleted, as Redis never keeps an empty collection. The listpack/hashtable
limits are the store's ``hash-max-listpack-entries`` and ``hash-max-listpack-value``.
"""

from __future__ import annotations

from .. import errors, longdouble
from ..errors import ResponseError
from ..glob import compile_pattern
from ..limits import check_random_picks
from ..store import Store
from ..util import parse_int
from ..values.hash import Hash
from .keys import parse_cursor
from .registry import command

LONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)
HASH_NOT_INTEGER = "ERR hash value is not an integer"
HASH_NOT_FLOAT = "ERR hash value is not a float"
NOT_FLOAT = "ERR value is not a valid float"
NAN_OR_INFINITY = "ERR value is NaN or Infinity"
WOULD_BE_NAN_OR_INFINITY = "ERR increment would produce NaN or Infinity"
OUT_OF_RANGE = "ERR value is out of range"


def _limits(store: Store) -> tuple[int, int]:
    return store.hash_max_listpack_entries, store.hash_max_listpack_value


def _read(store: Store, key: str) -> Hash | None:
    return store.lookup_read(key, "hash")


def _write_or_create(store: Store, key: str) -> tuple[Hash, bool]:
    """``hashTypeLookupWriteOrCreate``, except that a new hash is only stored by
    :func:`_commit`, once the command knows it will succeed."""
    h = store.lookup_write(key, "hash")
    if h is not None:
        return h, False
    return Hash(), True


def _commit(store: Store, key: str, h: Hash, new: bool) -> None:
    if new:
        store.make_room(key)
        store.db_add(key, h)
    store.signal_modified_key(key)


def _set_pairs(store: Store, key: str, pairs: list[str]) -> int:
    h, new = _write_or_create(store, key)
    max_entries, max_value = _limits(store)
    h.try_conversion(pairs, max_value)
    created = 0
    for i in range(0, len(pairs), 2):
        created += h.set(pairs[i], pairs[i + 1], max_entries, max_value)
    _commit(store, key, h, new)
    return created


@command("hset", -4, "write denyoom")
def cmd_hset(store: Store, argv: list[str]) -> int:
    if len(argv) % 2 == 1:
        raise ResponseError(errors.wrong_arity("hset"))
    return _set_pairs(store, argv[1], argv[2:])


@command("hmset", -4, "write denyoom")
def cmd_hmset(store: Store, argv: list[str]) -> str:
    if len(argv) % 2 == 1:
        raise ResponseError(errors.wrong_arity("hmset"))
    _set_pairs(store, argv[1], argv[2:])
    return "OK"


@command("hsetnx", 4, "write denyoom")
def cmd_hsetnx(store: Store, argv: list[str]) -> int:
    key, field, value = argv[1], argv[2], argv[3]
    h, new = _write_or_create(store, key)
    if field in h:
        return 0
    max_entries, max_value = _limits(store)
    h.try_conversion((field, value), max_value)
    h.set(field, value, max_entries, max_value)
    _commit(store, key, h, new)
    return 1


@command("hget", 3)
def cmd_hget(store: Store, argv: list[str]) -> str | None:
    h = _read(store, argv[1])
    return None if h is None else h.get(argv[2])


@command("hmget", -3)
def cmd_hmget(store: Store, argv: list[str]) -> list[str | None]:
    h = _read(store, argv[1])
    return [None if h is None else h.get(field) for field in argv[2:]]


@command("hdel", -3, "write")
def cmd_hdel(store: Store, argv: list[str]) -> int:
    key = argv[1]
    h = store.lookup_write(key, "hash")
    if h is None:
        return 0
    deleted = 0
    for field in argv[2:]:
        if h.delete(field):
            deleted += 1
            if len(h) == 0:
                store.db_delete(key)
                return deleted
    if deleted:
        store.signal_modified_key(key)
    return deleted


@command("hlen", 2)
def cmd_hlen(store: Store, argv: list[str]) -> int:
    h = _read(store, argv[1])
    return 0 if h is None else len(h)


@command("hstrlen", 3)
def cmd_hstrlen(store: Store, argv: list[str]) -> int:
    h = _read(store, argv[1])
    value = None if h is None else h.get(argv[2])
    return 0 if value is None else len(value.encode("utf-8", "surrogateescape"))


@command("hexists", 3)
def cmd_hexists(store: Store, argv: list[str]) -> int:
    h = _read(store, argv[1])
    return int(h is not None and argv[2] in h)


@command("hgetall", 2)
def cmd_hgetall(store: Store, argv: list[str]) -> list[str]:
    h = _read(store, argv[1])
    flat: list[str] = []
    if h is not None:
        for field, value in h.items():
            flat += (field, value)
    return flat


@command("hkeys", 2)
def cmd_hkeys(store: Store, argv: list[str]) -> list[str]:
    h = _read(store, argv[1])
    return [] if h is None else [field for field, _ in h.items()]


@command("hvals", 2)
def cmd_hvals(store: Store, argv: list[str]) -> list[str]:
    h = _read(store, argv[1])
    return [] if h is None else [value for _, value in h.items()]


@command("hincrby", 4, "write denyoom")
def cmd_hincrby(store: Store, argv: list[str]) -> int:
    key, field = argv[1], argv[2]
    incr = parse_int(argv[3])
    if incr is None:
        raise ResponseError(errors.NOT_INTEGER)
    h, new = _write_or_create(store, key)
    old_text = h.get(field)
    old = 0 if old_text is None else parse_int(old_text)
    if old is None:
        raise ResponseError(HASH_NOT_INTEGER)
    value = old + incr
    if not LLONG_MIN <= value <= LONG_MAX:
        raise ResponseError(errors.OVERFLOW)
    h.set(field, str(value), *_limits(store))
    _commit(store, key, h, new)
    return value


@command("hincrbyfloat", 4, "write denyoom")
def cmd_hincrbyfloat(store: Store, argv: list[str]) -> str:
    key, field = argv[1], argv[2]
    incr = longdouble.parse(argv[3])
    if incr is None:
        raise ResponseError(NOT_FLOAT)
    if not longdouble.is_finite(incr):
        raise ResponseError(NAN_OR_INFINITY)
    h, new = _write_or_create(store, key)
    old_text = h.get(field)
    old = longdouble.from_int(0) if old_text is None else longdouble.parse(old_text)
    if old is None:
        raise ResponseError(HASH_NOT_FLOAT)
    total = longdouble.add(old, incr)
    if total is None:
        raise ResponseError(WOULD_BE_NAN_OR_INFINITY)
    text = longdouble.format_human(total)
    h.set(field, text, *_limits(store))
    _commit(store, key, h, new)
    return text


@command("hrandfield", -2)
def cmd_hrandfield(store: Store, argv: list[str]) -> str | list[str] | None:
    if len(argv) == 2:
        h = _read(store, argv[1])
        return None if h is None else h.random_field(store.rng)
    count = parse_int(argv[2])
    if count is None:
        raise ResponseError(errors.NOT_INTEGER)
    if count < -LONG_MAX:
        raise ResponseError(
            f"ERR value is out of range, value must between {-LONG_MAX} and {LONG_MAX}"
        )
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != "withvalues"):
        raise ResponseError(errors.SYNTAX_ERROR)
    with_values = len(argv) == 4
    if with_values and not -(LONG_MAX // 2) <= count <= LONG_MAX // 2:  # C: -LONG_MAX/2
        raise ResponseError(OUT_OF_RANGE)
    h = _read(store, argv[1])
    if h is None or count == 0:
        return []
    if count >= len(h) and count != 1:  # the whole hash, in its own (HGETALL's) order
        pairs = list(h.items())
    else:
        if count < 0:
            check_random_picks(-count)
        if count < 0 or count == 1:  # with repetitions (or just one): independent draws
            fields = [h.random_field(store.rng) for _ in range(abs(count))]
        else:
            fields = h.random_unique_fields(count, store.rng)
        pairs = [(field, h.get(field) or "") for field in fields]
    flat: list[str] = []
    for field, value in pairs:
        flat += (field, value) if with_values else (field,)
    return flat


@command("hscan", -3)
def cmd_hscan(store: Store, argv: list[str]) -> list:
    cursor = parse_cursor(argv[2])
    h = _read(store, argv[1])
    if h is None:
        return ["0", []]
    count = 10
    pattern = None
    i = 3
    while i < len(argv):
        opt = argv[i].lower()
        if opt == "count" and i + 1 < len(argv):
            count = parse_int(argv[i + 1])  # type: ignore[assignment]
            if count is None:
                raise ResponseError(errors.NOT_INTEGER)
            if count < 1:
                raise ResponseError(errors.SYNTAX_ERROR)
        elif opt == "match" and i + 1 < len(argv):
            pattern = argv[i + 1]
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
        i += 2
    # scanGenericCommand: up to COUNT pairs (2 * COUNT strings), at most 10 * COUNT buckets
    found: list[str] = []
    budget = count * 2 * 10 + 1
    while True:
        cursor, flat = h.scan(cursor)
        found += flat
        budget -= 1
        if not cursor or budget <= 0 or len(found) >= count * 2:
            break
    match = compile_pattern(pattern) if pattern is not None else None
    if match is not None:
        found = [s for i in range(0, len(found), 2) if match(found[i]) for s in found[i : i + 2]]
    return [str(cursor), found]
