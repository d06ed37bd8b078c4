"""Set commands (t_set.c): SADD, SREM, SMEMBERS, SINTER/SUNION/SDIFF and their STORE forms...

Each handler reads its arguments completely before it changes anything, as Redis does, so a
command that fails leaves the keyspace as it was. The value is a
:class:`~kvengine.values.set.RedisSet` (``intset`` or ``hashtable``). The handlers reach the
keyspace only through a :class:`~kvengine.commands.typed.TypedDb` (lookups that raise
``WRONGTYPE``, add, store, delete, and the "key changed" signal), so this module is about sets
only.

Replies in random order (SPOP, SRANDMEMBER) draw from the engine's seeded generator: they are
reproducible for a seed, not equal to a given redis-server's.
"""

from __future__ import annotations

from .. import errors
from ..errors import ResponseError
from ..limits import check_random_picks
from ..values.set import RedisSet
from .typed import TypedDb, positive_long_arg, range_long_arg, scan_args, typed_command

SPOP_MOVE_STRATEGY_MUL = 5  # SPOP with a count keeps the rest in a new set past this ratio
SRANDMEMBER_SUB_STRATEGY_MUL = 3
LONG_MAX = (1 << 63) - 1


@typed_command("sadd", -3, "write denyoom")
def sadd(db: TypedDb, argv: list[str]) -> int:
    key = argv[1]
    db.room(key)
    s = db.write(key, "set")
    if s is None:
        s = RedisSet.for_member(argv[2], db.set_max_intset_entries)
        db.add(key, s)
    added = sum(s.add(m) for m in argv[2:])
    if added:
        db.changed(key)
    return added


@typed_command("srem", -3, "write")
def srem(db: TypedDb, argv: list[str]) -> int:
    key = argv[1]
    s = db.write(key, "set")
    if s is None:
        return 0
    deleted = 0
    for m in argv[2:]:
        if s.remove(m):
            deleted += 1
            if not len(s):
                break
    if deleted:
        db.changed_or_deleted(key, s)
    return deleted


@typed_command("smove", 4, "write")
def smove(db: TypedDb, argv: list[str]) -> int:
    src_key, dst_key, member = argv[1], argv[2], argv[3]  # not denyoom in Redis: no room()
    src = db.write_any(src_key)
    dst = db.write_any(dst_key)
    if src is None:
        return 0
    db.check(src, "set")
    db.check(dst, "set")
    if src is dst:
        return int(member in src)
    if not src.remove(member):
        return 0
    db.changed_or_deleted(src_key, src)
    if dst is None:
        dst = RedisSet.for_member(member, db.set_max_intset_entries)
        db.add(dst_key, dst)
    if dst.add(member):
        db.changed(dst_key)
    return 1


@typed_command("sismember", 3)
def sismember(db: TypedDb, argv: list[str]) -> int:
    s = db.read(argv[1], "set")
    return int(s is not None and argv[2] in s)


@typed_command("smismember", -3)
def smismember(db: TypedDb, argv: list[str]) -> list[int]:
    s = db.read(argv[1], "set")
    return [int(s is not None and m in s) for m in argv[2:]]


@typed_command("scard", 2)
def scard(db: TypedDb, argv: list[str]) -> int:
    s = db.read(argv[1], "set")
    return 0 if s is None else len(s)


@typed_command("smembers", 2)
def smembers(db: TypedDb, argv: list[str]) -> list[str]:
    s = db.read(argv[1], "set")
    return [] if s is None else list(s)


@typed_command("spop", -2, "write")
def spop(db: TypedDb, argv: list[str]) -> str | list[str] | None:
    if len(argv) > 3:
        raise ResponseError(errors.SYNTAX_ERROR)
    key = argv[1]
    if len(argv) == 3:
        return _spop_count(db, key, positive_long_arg(argv[2]))
    s = db.write(key, "set")
    if s is None:
        return None
    member = s.random_member(db.rng)
    s.remove(member)
    db.changed_or_deleted(key, s)
    return member


def _spop_count(db: TypedDb, key: str, count: int) -> list[str]:
    s = db.write(key, "set")
    if s is None or count == 0:
        return []
    size = len(s)
    if count >= size:  # the whole set, as SUNION gives it, then the key goes
        db.read(key, "set")  # SUNION's own lookupKeyRead: Redis counts a keyspace hit here
        out = list(RedisSet.built_from(s, db.set_max_intset_entries))
        db.delete(key)
        return out
    remaining = size - count
    if remaining * SPOP_MOVE_STRATEGY_MUL > count:  # few to pop: pop them one by one
        out = []
        for _ in range(count):
            member = s.random_member(db.rng)
            s.remove(member)
            out.append(member)
        db.changed(key)
        return out
    # Many to pop: move the few that stay into a new set, reply with the old one.
    rest: RedisSet | None = None
    for _ in range(remaining):
        member = s.random_member(db.rng)
        if rest is None:
            rest = RedisSet.for_member(member, db.set_max_intset_entries)
        rest.add(member)
        s.remove(member)
    out = list(s)
    assert rest is not None
    s.take_contents(rest)  # dbOverwrite: the key keeps its TTL
    db.changed(key)
    return out


@typed_command("srandmember", -2)
def srandmember(db: TypedDb, argv: list[str]) -> str | list[str] | None:
    if len(argv) > 3:
        raise ResponseError(errors.SYNTAX_ERROR)
    if len(argv) == 2:
        s = db.read(argv[1], "set")
        return None if s is None else s.random_member(db.rng)
    n = range_long_arg(argv[2], -LONG_MAX, LONG_MAX)
    s = db.read(argv[1], "set")
    if s is None or n == 0:
        return []
    count, unique = abs(n), n > 0
    if not unique:
        check_random_picks(count)
    if not unique or count == 1:
        return [s.random_member(db.rng) for _ in range(count)]
    size = len(s)
    if count >= size:
        return list(s)
    if count * SRANDMEMBER_SUB_STRATEGY_MUL > size:  # take all, drop random ones
        picked = dict.fromkeys(s)
        members = list(picked)
        while len(picked) > count:
            victim = members[db.rng.randrange(len(members))]
            if victim in picked:
                del picked[victim]
        return list(picked)
    chosen: dict[str, None] = {}
    while len(chosen) < count:
        chosen[s.random_member(db.rng)] = None
    return list(chosen)


# ----------------------------------------------------------- SINTER / SUNION / SDIFF
def _sets(db: TypedDb, keys: list[str]) -> list[RedisSet | None]:
    """Look every key up first: a wrong type anywhere fails the command before any change."""
    return [db.read(k, "set") for k in keys]


def _inter(sets: list[RedisSet | None], limit: int = 0) -> list[str]:
    """``sinterGenericCommand``: walk the smallest set, keep members found in all the others."""
    if any(s is None for s in sets):
        return []
    ordered = sorted(sets, key=len)  # type: ignore[arg-type]
    first, rest = ordered[0], ordered[1:]
    out = []
    for m in first:  # type: ignore[union-attr]
        if all(o is first or m in o for o in rest):  # type: ignore[operator]
            out.append(m)
            if limit and len(out) >= limit:
                break
    return out


def _union(sets: list[RedisSet | None], max_entries: int) -> RedisSet:
    result = RedisSet(True, max_entries)
    for s in sets:
        for m in s or ():
            result.add(m)
    return result


def _diff(sets: list[RedisSet | None], max_entries: int) -> RedisSet:
    result = RedisSet(True, max_entries)
    first = sets[0]
    if first is None or any(s is first for s in sets[1:]):
        return result
    for m in first:
        if not any(s is not None and m in s for s in sets[1:]):
            result.add(m)
    return result


@typed_command("sinter", -2)
def sinter(db: TypedDb, argv: list[str]) -> list[str]:
    return _inter(_sets(db, argv[1:]))


@typed_command("sunion", -2)
def sunion(db: TypedDb, argv: list[str]) -> list[str]:
    return list(_union(_sets(db, argv[1:]), db.set_max_intset_entries))


@typed_command("sdiff", -2)
def sdiff(db: TypedDb, argv: list[str]) -> list[str]:
    return list(_diff(_sets(db, argv[1:]), db.set_max_intset_entries))


def _store(db: TypedDb, dst: str, result: RedisSet) -> int:
    """Write a result to ``dst`` (any old value and TTL go); an empty result deletes ``dst``."""
    if len(result):
        db.store(dst, result)
        return len(result)
    db.delete(dst)
    return 0


@typed_command("sinterstore", -3, "write denyoom")
def sinterstore(db: TypedDb, argv: list[str]) -> int:
    members = _inter(_sets(db, argv[2:]))  # sources first: a WRONGTYPE evicts nothing
    db.room(argv[1])
    return _store(db, argv[1], RedisSet.built_from(members, db.set_max_intset_entries))


@typed_command("sunionstore", -3, "write denyoom")
def sunionstore(db: TypedDb, argv: list[str]) -> int:
    result = _union(_sets(db, argv[2:]), db.set_max_intset_entries)
    db.room(argv[1])
    return _store(db, argv[1], result)


@typed_command("sdiffstore", -3, "write denyoom")
def sdiffstore(db: TypedDb, argv: list[str]) -> int:
    result = _diff(_sets(db, argv[2:]), db.set_max_intset_entries)
    db.room(argv[1])
    return _store(db, argv[1], result)


@typed_command("sintercard", -3)
def sintercard(db: TypedDb, argv: list[str]) -> int:
    numkeys = range_long_arg(argv[1], 1, LONG_MAX, "ERR numkeys should be greater than 0")
    if numkeys > len(argv) - 2:
        raise ResponseError("ERR Number of keys can't be greater than number of args")
    limit = 0
    j = 2 + numkeys
    while j < len(argv):
        if argv[j].lower() == "limit" and j + 1 < len(argv):
            limit = positive_long_arg(argv[j + 1], "ERR LIMIT can't be negative")
            j += 2
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
    return len(_inter(_sets(db, argv[2 : 2 + numkeys]), limit))


@typed_command("sscan", -3)
def sscan(db: TypedDb, argv: list[str]) -> list:
    cursor = db.parse_cursor(argv[2])
    s = db.read(argv[1], "set")
    if s is None:
        return ["0", []]
    count, match = scan_args(argv, 3)
    found: list[str] = []
    cursor = s.scan(cursor, count, found.append)
    return [str(cursor), [m for m in found if match is None or match(m)]]
