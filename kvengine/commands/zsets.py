"""Sorted-set commands (t_zset.c): ZADD, ZRANGE in all its forms, ZUNIONSTORE...

Every handler parses and checks all its arguments (options, scores, ranges) before it touches
the keyspace, as Redis does, so a failing command changes nothing. Scores are read with
:func:`~kvengine.values.doubles.string2d` ("value is not a valid float") or, for ranges,
:func:`~kvengine.values.doubles.parse_score_bound` ("min or max is not a float"), and printed
with :func:`~kvengine.values.doubles.format_double` (``%.17g``, as redis-server 7.0 prints
them). The value is a :class:`~kvengine.values.zset.RedisZSet` (``listpack`` or ``skiplist``).

ZRANGE's forms share one function, as ``zrangeGenericCommand`` does: a range *by rank*
(indexes, negative from the end), *by score* (``(`` for open bounds, ``-inf``/``+inf``) or *by
lex* (``[a``, ``(a``, ``-``, ``+``: for members of equal score), forward or ``REV``, with
``LIMIT offset count`` for the last two; the STORE form writes the result to a key.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from .. import errors
from ..errors import ResponseError
from ..limits import check_random_picks
from ..values.doubles import d2string, format_double, parse_score_bound, string2d
from ..values.set import RedisSet
from ..values.zset import (
    ADD_GT,
    ADD_INCR,
    ADD_LT,
    ADD_NX,
    ADD_XX,
    OUT_ADDED,
    OUT_NAN,
    OUT_NOP,
    OUT_UPDATED,
    LexRange,
    RedisZSet,
    ScoreRange,
    parse_lex_range,
)
from .typed import TypedDb, long_arg, positive_long_arg, range_long_arg, scan_args, typed_command

NOT_FLOAT = "ERR value is not a valid float"
RANGE_NOT_FLOAT = "ERR min or max is not a float"
RANGE_NOT_LEX = "ERR min or max not valid string range item"
NAN_RESULT = "ERR resulting score is not a number (NaN)"
LONG_MAX = (1 << 63) - 1


def _score_arg(text: str, msg: str = NOT_FLOAT) -> float:
    value = string2d(text)
    if value is None:
        raise ResponseError(msg)
    return value


def _new_zset(db: TypedDb, listpack: bool = True) -> RedisZSet:
    return RedisZSet(db.rng, listpack, **db.zset_limits)


def _flat(pairs: list[tuple[str, float]], withscores: bool) -> list[str]:
    if not withscores:
        return [m for m, _ in pairs]
    out: list[str] = []
    for m, s in pairs:
        out += (m, format_double(s))
    return out


# ----------------------------------------------------------------------- ZADD
def _zadd_generic(db: TypedDb, argv: list[str], flags: int) -> int | str | None:
    ch = False
    i = 2
    options = {"nx": ADD_NX, "xx": ADD_XX, "gt": ADD_GT, "lt": ADD_LT, "incr": ADD_INCR}
    while i < len(argv):
        opt = argv[i].lower()
        if opt == "ch":
            ch = True
        elif opt in options:
            flags |= options[opt]
        else:
            break
        i += 1
    rest = argv[i:]
    if not rest or len(rest) % 2:
        raise ResponseError(errors.SYNTAX_ERROR)
    if flags & ADD_NX and flags & ADD_XX:
        raise ResponseError("ERR XX and NX options at the same time are not compatible")
    if (flags & ADD_NX and flags & (ADD_GT | ADD_LT)) or (flags & ADD_GT and flags & ADD_LT):
        raise ResponseError("ERR GT, LT, and/or NX options at the same time are not compatible")
    incr = bool(flags & ADD_INCR)
    if incr and len(rest) > 2:
        raise ResponseError("ERR INCR option supports a single increment-element pair")
    pairs = [(_score_arg(rest[j]), rest[j + 1]) for j in range(0, len(rest), 2)]
    key = argv[1]
    db.room(key)
    z = db.write(key, "zset")
    added = updated = processed = 0
    score: float | None = None
    if z is None and not flags & ADD_XX:
        z = RedisZSet.for_member(db.rng, pairs[0][1], **db.zset_limits)
        db.add(key, z)
    if z is not None:
        if incr:  # one pair: NaN can only come from it, before anything changed
            cur = z.score(pairs[0][1])
            if cur is not None and math.isnan(cur + pairs[0][0]) and not flags & ADD_NX:
                raise ResponseError(NAN_RESULT)
        for value, member in pairs:
            out, score = z.add(value, member, flags)
            assert not out & OUT_NAN
            added += bool(out & OUT_ADDED)
            updated += bool(out & OUT_UPDATED)
            processed += not out & OUT_NOP
        if added or updated:
            db.changed(key)
    if incr:
        return format_double(score) if processed and score is not None else None
    return added + updated if ch else added


@typed_command("zadd", -4, "write denyoom")
def zadd(db: TypedDb, argv: list[str]) -> int | str | None:
    return _zadd_generic(db, argv, 0)


@typed_command("zincrby", 4, "write denyoom")
def zincrby(db: TypedDb, argv: list[str]) -> int | str | None:
    return _zadd_generic(db, argv, ADD_INCR)


@typed_command("zrem", -3, "write")
def zrem(db: TypedDb, argv: list[str]) -> int:
    key = argv[1]
    z = db.write(key, "zset")
    if z is None:
        return 0
    deleted = 0
    for m in argv[2:]:
        deleted += z.delete(m)
        if not len(z):
            break
    if deleted:
        db.changed_or_deleted(key, z)
    return deleted


# --------------------------------------------------------------- lookups, counts
@typed_command("zscore", 3)
def zscore(db: TypedDb, argv: list[str]) -> str | None:
    z = db.read(argv[1], "zset")
    s = None if z is None else z.score(argv[2])
    return None if s is None else format_double(s)


@typed_command("zmscore", -3)
def zmscore(db: TypedDb, argv: list[str]) -> list[str | None]:
    z = db.read(argv[1], "zset")
    out: list[str | None] = []
    for m in argv[2:]:
        s = None if z is None else z.score(m)
        out.append(None if s is None else format_double(s))
    return out


@typed_command("zcard", 2)
def zcard(db: TypedDb, argv: list[str]) -> int:
    z = db.read(argv[1], "zset")
    return 0 if z is None else len(z)


def _score_range(lo: str, hi: str) -> ScoreRange:
    a, b = parse_score_bound(lo), parse_score_bound(hi)
    if a is None or b is None:
        raise ResponseError(RANGE_NOT_FLOAT)
    return ScoreRange(a[0], b[0], a[1], b[1])


def _lex_range(lo: str, hi: str) -> LexRange:
    spec = parse_lex_range(lo, hi)
    if spec is None:
        raise ResponseError(RANGE_NOT_LEX)
    return spec


@typed_command("zcount", 4)
def zcount(db: TypedDb, argv: list[str]) -> int:
    spec = _score_range(argv[2], argv[3])
    z = db.read(argv[1], "zset")
    if z is None:
        return 0
    first, end = z.score_span(spec)
    return end - first


@typed_command("zlexcount", 4)
def zlexcount(db: TypedDb, argv: list[str]) -> int:
    spec = _lex_range(argv[2], argv[3])
    z = db.read(argv[1], "zset")
    if z is None:
        return 0
    first, end = z.lex_span(spec)
    return end - first


def _rank(db: TypedDb, argv: list[str], reverse: bool) -> int | None:
    z = db.read(argv[1], "zset")
    return None if z is None else z.rank(argv[2], reverse)


@typed_command("zrank", 3)
def zrank(db: TypedDb, argv: list[str]) -> int | None:
    return _rank(db, argv, False)


@typed_command("zrevrank", 3)
def zrevrank(db: TypedDb, argv: list[str]) -> int | None:
    return _rank(db, argv, True)


# --------------------------------------------------------------------- ZRANGE
def _range_generic(
    db: TypedDb,
    argv: list[str],
    start: int,
    store: bool,
    rangetype: str | None,
    reverse: bool | None,
) -> list[str] | int:
    """``zrangeGenericCommand``: ``argv[start]`` is the source key, then min and max."""
    withscores = False
    offset, limit = 0, -1
    j = start + 3
    while j < len(argv):
        opt = argv[j].lower()
        left = len(argv) - j - 1
        if not store and opt == "withscores":
            withscores = True
        elif opt == "limit" and left >= 2:
            offset, limit = long_arg(argv[j + 1]), long_arg(argv[j + 2])
            j += 2
        elif reverse is None and opt == "rev":
            reverse = True
        elif rangetype is None and opt in ("byscore", "bylex"):
            rangetype = opt[2:]
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
        j += 1
    reverse = bool(reverse)
    rangetype = rangetype or "rank"
    if limit != -1 and rangetype == "rank":
        raise ResponseError(
            "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX"
        )
    if withscores and rangetype == "lex":
        raise ResponseError("ERR syntax error, WITHSCORES not supported in combination with BYLEX")
    lo, hi = argv[start + 1], argv[start + 2]
    if reverse and rangetype != "rank":
        lo, hi = hi, lo  # given as max, min
    spec: ScoreRange | LexRange | None = None
    first = last = 0
    if rangetype == "rank":
        first, last = long_arg(lo), long_arg(hi)
    elif rangetype == "score":
        spec = _score_range(lo, hi)
    else:
        spec = _lex_range(lo, hi)
    z = db.read(argv[start], "zset")
    pairs = [] if z is None else _select(z, rangetype, first, last, spec, offset, limit, reverse)
    if store:
        db.room(argv[1])  # after the source's type check: a WRONGTYPE evicts nothing
        return _store_result(db, argv[1], pairs)
    return _flat(pairs, withscores)


def _select(
    z: RedisZSet,
    rangetype: str,
    first: int,
    last: int,
    spec: ScoreRange | LexRange | None,
    offset: int,
    limit: int,
    reverse: bool,
) -> list[tuple[str, float]]:
    """The members a range names, in reply order."""
    n = len(z)
    if rangetype == "rank":
        if first < 0:
            first += n
        if last < 0:
            last += n
        return z.range_by_rank(max(first, 0), last, reverse)
    if offset < 0 or (offset > 0 and offset >= n):
        return []  # Redis walks a negative offset off the end of the set
    if isinstance(spec, ScoreRange):
        lo, end = z.score_span(spec)
    else:
        assert isinstance(spec, LexRange)
        lo, end = z.lex_span(spec)
    count = end - lo - offset
    if limit >= 0:
        count = min(count, limit)
    if count <= 0:
        return []
    if reverse:
        top = n - end + offset  # reverse rank of the first member to reply
        return z.range_by_rank(top, top + count - 1, True)
    return z.range_by_rank(lo + offset, lo + offset + count - 1)


def _store_result(db: TypedDb, dst: str, pairs: list[tuple[str, float]]) -> int:
    """Write a range to ``dst`` as a new sorted set (an empty one deletes ``dst``)."""
    if not pairs:
        db.delete(dst)
        return 0
    z = _new_zset(db)
    for m, s in pairs:
        z.add(s, m)
    db.store(dst, z)
    return len(z)


@typed_command("zrange", -4)
def zrange(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _range_generic(db, argv, 1, False, None, None)


@typed_command("zrangestore", -5, "write denyoom")
def zrangestore(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _range_generic(db, argv, 2, True, None, None)


@typed_command("zrevrange", -4)
def zrevrange(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _range_generic(db, argv, 1, False, "rank", True)


@typed_command("zrangebyscore", -4)
def zrangebyscore(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _range_generic(db, argv, 1, False, "score", False)


@typed_command("zrevrangebyscore", -4)
def zrevrangebyscore(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _range_generic(db, argv, 1, False, "score", True)


@typed_command("zrangebylex", -4)
def zrangebylex(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _range_generic(db, argv, 1, False, "lex", False)


@typed_command("zrevrangebylex", -4)
def zrevrangebylex(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _range_generic(db, argv, 1, False, "lex", True)


# ------------------------------------------------------------------- pops, random
def _zpop(db: TypedDb, argv: list[str], reverse: bool) -> list[str]:
    if len(argv) > 3:
        raise ResponseError(errors.SYNTAX_ERROR)
    count = positive_long_arg(argv[2]) if len(argv) == 3 else 1
    key = argv[1]
    z = db.write(key, "zset")
    if z is None or count == 0:
        return []
    pairs = z.range_by_rank(0, min(count, len(z)) - 1, reverse)
    for m, _ in pairs:
        z.delete(m)
    db.changed_or_deleted(key, z)
    return _flat(pairs, True)


@typed_command("zpopmin", -2, "write")
def zpopmin(db: TypedDb, argv: list[str]) -> list[str]:
    return _zpop(db, argv, False)


@typed_command("zpopmax", -2, "write")
def zpopmax(db: TypedDb, argv: list[str]) -> list[str]:
    return _zpop(db, argv, True)


@typed_command("zrandmember", -2)
def zrandmember(db: TypedDb, argv: list[str]) -> str | list[str] | None:
    if len(argv) == 2:
        z = db.read(argv[1], "zset")
        return None if z is None else z.random_pair()[0]
    n = range_long_arg(argv[2], -LONG_MAX, LONG_MAX)
    if len(argv) > 4 or (len(argv) == 4 and argv[3].lower() != "withscores"):
        raise ResponseError(errors.SYNTAX_ERROR)
    withscores = len(argv) == 4
    if withscores and not -(LONG_MAX // 2) <= n <= LONG_MAX // 2:  # C: -LONG_MAX/2
        raise ResponseError("ERR value is out of range")
    z = db.read(argv[1], "zset")
    if z is None or n == 0:
        return []
    count = abs(n)
    if n < 0:
        check_random_picks(count)
    if n < 0 or count == 1:
        return _flat([z.random_pair() for _ in range(count)], withscores)
    if count >= len(z):
        return _flat(list(z.items()), withscores)
    chosen: dict[str, float] = {}
    while len(chosen) < count:
        m, s = z.random_pair()
        chosen[m] = s
    return _flat(list(chosen.items()), withscores)


# --------------------------------------------------- ZUNIONSTORE / ZINTERSTORE / ...
def _source_items(value: RedisZSet | RedisSet | None) -> Iterator[tuple[str, float]]:
    """``zuiNext``: a sorted set's pairs, or a set's members with score 1."""
    if value is None:
        return iter(())
    if isinstance(value, RedisSet):
        return ((m, 1.0) for m in value)
    return value.items()


def _source_score(value: RedisZSet | RedisSet, member: str) -> float | None:
    if isinstance(value, RedisSet):
        return 1.0 if member in value else None
    return value.score(member)


def _aggregate(how: str, acc: float, value: float) -> float:
    """``zunionInterAggregate``: SUM (inf + -inf counts as 0), MIN or MAX."""
    if how == "sum":
        total = acc + value
        return 0.0 if math.isnan(total) else total
    if how == "min":
        return value if value < acc else acc
    return value if value > acc else acc


def _setop(
    db: TypedDb, argv: list[str], numkeys_at: int, op: str, dst: str | None, card_only: bool = False
) -> list[str] | int:
    """``zunionInterDiffGenericCommand``; ``op`` is "union", "inter" or "diff"."""
    name = argv[0].lower()
    setnum = long_arg(argv[numkeys_at])
    if setnum < 1:
        raise ResponseError(f"ERR at least 1 input key is needed for '{name}' command")
    if setnum > len(argv) - numkeys_at - 1:
        raise ResponseError(errors.SYNTAX_ERROR)
    keys = argv[numkeys_at + 1 : numkeys_at + 1 + setnum]
    sources = []
    for k in keys:  # the type check comes before the options are read, as in Redis
        v = db.read_any(k)
        if v is not None and not isinstance(v, RedisZSet | RedisSet):
            raise ResponseError(errors.WRONGTYPE)
        sources.append(v)
    weights = [1.0] * setnum
    how, withscores, limit = "sum", False, 0
    j = numkeys_at + 1 + setnum
    while j < len(argv):
        opt, left = argv[j].lower(), len(argv) - j
        if op != "diff" and not card_only and left >= setnum + 1 and opt == "weights":
            weights = [
                _score_arg(w, "ERR weight value is not a float")
                for w in argv[j + 1 : j + 1 + setnum]
            ]
            j += setnum + 1
        elif op != "diff" and not card_only and left >= 2 and opt == "aggregate":
            how = argv[j + 1].lower()
            if how not in ("sum", "min", "max"):
                raise ResponseError(errors.SYNTAX_ERROR)
            j += 2
        elif dst is None and not card_only and opt == "withscores":
            withscores = True
            j += 1
        elif card_only and left >= 2 and opt == "limit":
            limit = positive_long_arg(argv[j + 1], "ERR LIMIT can't be negative")
            j += 2
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
    if dst is not None:
        db.room(dst)
    srcs = list(zip(sources, weights, strict=True))
    if op != "diff":  # smallest input first, as Redis sorts them (a stable sort)
        srcs.sort(key=lambda p: 0 if p[0] is None else len(p[0]))
    result: dict[str, float] = {}
    if op == "inter":
        first, w0 = srcs[0]
        for member, score in _source_items(first):
            acc = score * w0
            if math.isnan(acc):
                acc = 0.0
            for other, w in srcs[1:]:
                value = score if other is first else _source_score(other, member)
                if value is None:
                    break
                acc = _aggregate(how, acc, value * w)
            else:
                result[member] = acc
                if card_only and limit and len(result) >= limit:
                    break
    elif op == "union":
        for src, w in srcs:
            for member, score in _source_items(src):
                value = score * w
                if math.isnan(value):
                    value = 0.0
                result[member] = (
                    value if member not in result else _aggregate(how, result[member], value)
                )
    else:
        first = srcs[0][0]
        for member, score in _source_items(first):
            if not any(o is not None and _source_score(o, member) is not None for o, _ in srcs[1:]):
                result[member] = score
    if card_only:
        return len(result)
    z = _new_zset(db, listpack=False)
    for member, score in result.items():
        z.add(score, member)
    if dst is None:
        return _flat(list(z.items()), withscores)
    if not len(z):
        db.delete(dst)
        return 0
    z.compact_if_fits()
    db.store(dst, z)
    return len(z)


@typed_command("zunionstore", -4, "write denyoom")
def zunionstore(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _setop(db, argv, 2, "union", argv[1])


@typed_command("zinterstore", -4, "write denyoom")
def zinterstore(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _setop(db, argv, 2, "inter", argv[1])


@typed_command("zdiffstore", -4, "write denyoom")
def zdiffstore(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _setop(db, argv, 2, "diff", argv[1])


@typed_command("zunion", -3)
def zunion(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _setop(db, argv, 1, "union", None)


@typed_command("zinter", -3)
def zinter(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _setop(db, argv, 1, "inter", None)


@typed_command("zdiff", -3)
def zdiff(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _setop(db, argv, 1, "diff", None)


@typed_command("zintercard", -3)
def zintercard(db: TypedDb, argv: list[str]) -> list[str] | int:
    return _setop(db, argv, 1, "inter", None, card_only=True)


@typed_command("zscan", -3)
def zscan(db: TypedDb, argv: list[str]) -> list:
    cursor = db.parse_cursor(argv[2])
    z = db.read(argv[1], "zset")
    if z is None:
        return ["0", []]
    count, match = scan_args(argv, 3)
    found: list[tuple[str, float]] = []
    listpack = z.encoding() == "listpack"
    cursor = z.scan(cursor, count, lambda m, s: found.append((m, s)))
    out: list[str] = []
    for m, s in found:
        if match is None or match(m):
            out += (m, d2string(s) if listpack else format_double(s))
    return [str(cursor), out]
