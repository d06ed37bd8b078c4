"""List commands (t_list.c): LPUSH, RPOP, LRANGE, LSET, LREM, LPOS, LMOVE...

Each handler follows its Redis counterpart step for step (which argument is checked first is
visible in the replies): parse the numeric arguments, look the key up (``WRONGTYPE`` for a key
of another type), then change the :class:`QuickList` and call ``signal_modified_key``. Nothing
is written before every check has passed, and a list left empty is deleted, as in Redis.
New lists take the store's ``list-max-listpack-size`` as their node size.
"""

from __future__ import annotations

from .. import errors
from ..errors import ResponseError
from ..store import Store
from ..util import parse_int
from ..values.list import QuickList
from .registry import command

MUST_BE_POSITIVE = "ERR value is out of range, must be positive"
INDEX_OUT_OF_RANGE = "ERR index out of range"
LONG_MIN_MAGNITUDE = 1 << 63  # -LONG_MIN, which a C long cannot hold
RANK_ZERO = (
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... "
    "or use negative to start from the end of the list"
)


def _long(text: str, message: str = errors.NOT_INTEGER) -> int:
    """``getLongFromObjectOrReply``: a strict 64-bit integer, else ``message``."""
    n = parse_int(text)
    if n is None:
        raise ResponseError(message)
    return n


def _positive(text: str, message: str = MUST_BE_POSITIVE) -> int:
    """``getPositiveLongFromObjectOrReply``: the same message for a non-number and a
    negative one."""
    n = _long(text, message)
    if n < 0:
        raise ResponseError(message)
    return n


def _read(store: Store, key: str) -> QuickList | None:
    return store.lookup_read(key, "list")


def _write(store: Store, key: str) -> QuickList | None:
    return store.lookup_write(key, "list")


def _new_list(store: Store, key: str) -> QuickList:
    store.make_room(key)
    q = QuickList(fill=store.list_max_listpack_size)
    store.db_add(key, q)
    return q


def _removed(store: Store, key: str, q: QuickList) -> None:
    """``listElementsRemoved``: delete the key if the list is now empty, then signal it."""
    if len(q) == 0:
        store.db_delete(key)
    else:
        store.signal_modified_key(key)


def _push(store: Store, argv: list[str], head: bool, only_existing: bool) -> int:
    key = argv[1]
    q = _write(store, key)
    if q is None:
        if only_existing:
            return 0
        q = _new_list(store, key)
    push = q.push_head if head else q.push_tail
    for element in argv[2:]:
        push(element)
    store.signal_modified_key(key)
    return len(q)


@command("lpush", -3, "write denyoom")
def cmd_lpush(store: Store, argv: list[str]) -> int:
    return _push(store, argv, head=True, only_existing=False)


@command("rpush", -3, "write denyoom")
def cmd_rpush(store: Store, argv: list[str]) -> int:
    return _push(store, argv, head=False, only_existing=False)


@command("lpushx", -3, "write denyoom")
def cmd_lpushx(store: Store, argv: list[str]) -> int:
    return _push(store, argv, head=True, only_existing=True)


@command("rpushx", -3, "write denyoom")
def cmd_rpushx(store: Store, argv: list[str]) -> int:
    return _push(store, argv, head=False, only_existing=True)


def _pop(store: Store, argv: list[str], head: bool) -> str | list[str] | None:
    if len(argv) > 3:
        raise ResponseError(errors.wrong_arity(argv[0].lower()))
    has_count = len(argv) == 3
    count = _positive(argv[2]) if has_count else 0
    key = argv[1]
    q = _write(store, key)
    if q is None:
        return None
    if has_count and count == 0:
        return []
    if not has_count:
        element = q.pop_head() if head else q.pop_tail()
        _removed(store, key, q)
        return element
    n = min(count, len(q))
    if head:
        out = q.range(0, n - 1)
        q.delete_range(0, n)
    else:
        out = q.range(len(q) - n, len(q) - 1, reverse=True)
        q.delete_range(-n, n)
    _removed(store, key, q)
    return out


@command("lpop", -2, "write")
def cmd_lpop(store: Store, argv: list[str]) -> str | list[str] | None:
    return _pop(store, argv, head=True)


@command("rpop", -2, "write")
def cmd_rpop(store: Store, argv: list[str]) -> str | list[str] | None:
    return _pop(store, argv, head=False)


@command("llen", 2)
def cmd_llen(store: Store, argv: list[str]) -> int:
    q = _read(store, argv[1])
    return 0 if q is None else len(q)


def _clamp(start: int, end: int, length: int) -> tuple[int, int] | None:
    """Negative indexes from the tail, then clipped to the list; None for an empty range."""
    if start < 0:
        start += length
    if end < 0:
        end += length
    start = max(start, 0)
    if start > end or start >= length:
        return None
    return start, min(end, length - 1)


@command("lrange", 4)
def cmd_lrange(store: Store, argv: list[str]) -> list[str]:
    start, end = _long(argv[2]), _long(argv[3])
    q = _read(store, argv[1])
    if q is None:
        return []
    span = _clamp(start, end, len(q))
    return [] if span is None else q.range(*span)


@command("lindex", 3)
def cmd_lindex(store: Store, argv: list[str]) -> str | None:
    q = _read(store, argv[1])
    if q is None:
        return None
    return q.index(_long(argv[2]))


@command("lset", 4, "write denyoom")
def cmd_lset(store: Store, argv: list[str]) -> str:
    key = argv[1]
    q = _write(store, key)
    if q is None:
        raise ResponseError(errors.NO_SUCH_KEY)
    if not q.replace(_long(argv[2]), argv[3]):
        raise ResponseError(INDEX_OUT_OF_RANGE)
    store.signal_modified_key(key)
    return "OK"


@command("ltrim", 4, "write")
def cmd_ltrim(store: Store, argv: list[str]) -> str:
    start, end = _long(argv[2]), _long(argv[3])
    key = argv[1]
    q = _write(store, key)
    if q is None:
        return "OK"
    length = len(q)
    span = _clamp(start, end, length)
    if span is None:
        q.delete_range(0, length)
    else:
        q.delete_range(span[1] + 1, length - span[1] - 1)  # the tail first, then the head
        q.delete_range(0, span[0])
    _removed(store, key, q)
    return "OK"


@command("lrem", 4, "write")
def cmd_lrem(store: Store, argv: list[str]) -> int:
    count = _long(argv[2])
    key = argv[1]
    q = _write(store, key)
    if q is None:
        return 0
    removed = q.remove(argv[3], count)
    if removed:
        _removed(store, key, q)
    return removed


@command("linsert", 5, "write denyoom")
def cmd_linsert(store: Store, argv: list[str]) -> int:
    where = argv[2].lower()
    if where not in ("before", "after"):
        raise ResponseError(errors.SYNTAX_ERROR)
    key = argv[1]
    q = _write(store, key)
    if q is None:
        return 0
    if not q.insert(argv[3], argv[4], after=where == "after"):
        return -1
    store.signal_modified_key(key)
    return len(q)


@command("lpos", -3)
def cmd_lpos(store: Store, argv: list[str]) -> int | list[int] | None:
    rank, count, maxlen = 1, -1, 0  # count -1: no COUNT option
    j = 3
    while j < len(argv):
        opt = argv[j].lower()
        more = j + 1 < len(argv)
        if opt == "rank" and more:
            rank = _long(argv[j + 1])
            if rank == 0:
                raise ResponseError(RANK_ZERO)
        elif opt == "count" and more:
            count = _positive(argv[j + 1], "ERR COUNT can't be negative")
        elif opt == "maxlen" and more:
            maxlen = _positive(argv[j + 1], "ERR MAXLEN can't be negative")
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
        j += 2
    q = _read(store, argv[1])
    if q is None:
        return [] if count != -1 else None
    element = argv[2]
    from_tail = rank < 0
    rank = abs(rank)
    if rank == LONG_MIN_MAGNITUDE:
        # Redis negates RANK in a C long: -LONG_MIN overflows back to LONG_MIN, so the scan
        # goes from the tail, every match passes "matches >= rank" (the first one answers),
        # and COUNT's "matches - rank + 1 >= count" overflows negative: COUNT never stops it.
        rank = 1
        if count > 0:
            count = 0
    length = len(q)
    matches: list[int] = []
    seen = 0
    for scanned, item in enumerate(reversed(q) if from_tail else q):
        if maxlen and scanned >= maxlen:
            break
        if item != element:
            continue
        seen += 1
        if seen >= rank:
            matches.append(length - 1 - scanned if from_tail else scanned)
            if count == -1 or (count and len(matches) >= count):
                break
    if count != -1:
        return matches
    return matches[0] if matches else None


def _side(text: str) -> bool:
    """LEFT (the head) -> True, RIGHT -> False, else a syntax error."""
    side = text.lower()
    if side not in ("left", "right"):
        raise ResponseError(errors.SYNTAX_ERROR)
    return side == "left"


def _move(store: Store, src: str, dst: str, from_head: bool, to_head: bool) -> str | None:
    """``lmoveGenericCommand``: pop from ``src``, push onto ``dst`` (created if missing)."""
    source = _write(store, src)
    if source is None:
        return None
    target = _write(store, dst)  # WRONGTYPE here leaves the source untouched
    if target is None:
        target = _new_list(store, dst)
        if _write(store, src) is not source:  # the room made for dst took src (maxkeys)
            store.db_delete(dst)
            return None
    element = source.pop_head() if from_head else source.pop_tail()
    assert element is not None
    if to_head:
        target.push_head(element)
    else:
        target.push_tail(element)
    store.signal_modified_key(dst)
    _removed(store, src, source)
    return element


@command("lmove", 5, "write denyoom")
def cmd_lmove(store: Store, argv: list[str]) -> str | None:
    from_head, to_head = _side(argv[3]), _side(argv[4])
    return _move(store, argv[1], argv[2], from_head, to_head)


@command("rpoplpush", 3, "write denyoom")
def cmd_rpoplpush(store: Store, argv: list[str]) -> str | None:
    return _move(store, argv[1], argv[2], from_head=False, to_head=True)
