"""Differential test of the list type against a real redis-server 7.0: every reply, error text
included, must be identical (lists have no hash order, so nothing is compared loosely).

Scripted cases cover every command, option and error (arity, WRONGTYPE both ways, integers
that do not parse, out-of-range indexes, negative counts, LPOS's RANK/COUNT/MAXLEN rules,
LMOVE onto itself and onto a key of another type, empty-list deletion, TTL kept by writes and
lost with the key), ``OBJECT ENCODING`` (always ``quicklist`` in 7.0, whatever
``list-max-listpack-size``), ``TYPE``, ``SCAN ... TYPE list``, ``RENAME``, ``EXPIRE`` and
eviction of a list under ``allkeys-lru``. Seeded random sequences mix lists with strings,
hashes, TTLs and deletions.
"""

from __future__ import annotations

import random

import pytest

from tests.engine.differential import CollectionEncoding, Info, Outcome, Pair, ScanAll, c, cs

pytestmark = pytest.mark.redis

LONG_MAX = "9223372036854775807"
LONG_MIN = "-9223372036854775808"


def rpush_n(key: str, n: int, value: str | None = None) -> tuple[str, ...]:
    """``RPUSH key 0 1 2 ...`` (or n copies of ``value``) in one command."""
    return ("RPUSH", key, *(value if value is not None else str(i) for i in range(n)))


CASES: dict[str, list] = {
    "arity": cs(
        "LPUSH",
        "LPUSH l",
        "RPUSH l",
        "LPUSHX l",
        "RPUSHX",
        "LPOP",
        "LPOP l 1 2",
        "RPOP l 1 2",
        "RPOP",
        "LRANGE l 0",
        "LLEN",
        "LLEN l x",
        "LINDEX l",
        "LSET l 0",
        "LREM l 0",
        "LTRIM l 0",
        "LINSERT l BEFORE x",
        "LPOS l",
        "LMOVE a b LEFT",
        "RPOPLPUSH a",
        "RPOPLPUSH a b c",
    ),
    "push_pop_basic": [
        *cs(
            "LPUSH l a",
            "LPUSH l b c",
            "RPUSH l d e",
            "LRANGE l 0 -1",
            "LLEN l",
            "LPOP l",
            "RPOP l",
            "LRANGE l 0 -1",
            "TYPE l",
            "OBJECT ENCODING l",
            "LPOP nokey",
            "RPOP nokey",
            "LLEN nokey",
            "LPUSHX nokey a",
            "RPUSHX nokey a",
            "EXISTS nokey",
            "LPUSHX l x y",
            "RPUSHX l z",
            "LRANGE l 0 -1",
            "lpush L one",
            "LrAnGe L 0 -1",
        ),
        ("RPUSH", "u", "", "ü✓", "sp ace", "42", "-7", "9223372036854775808"),
        c("LRANGE u 0 -1"),
        c("LPOP u"),
        c("LPOP u"),
    ],
    "pop_with_count": cs(
        "RPUSH l a b c d e",
        "LPOP l 2",
        "RPOP l 2",
        "LRANGE l 0 -1",
        "LPOP l 0",
        "RPOP l 0",
        "LPOP l -1",
        "LPOP l abc",
        "RPOP l 1.5",
        "LPOP l 10",
        "EXISTS l",
        "LPOP l 1",
        "LPOP nokey 0",
        "LPOP nokey 3",
        "RPOP nokey 3",
        "LPOP nokey -1",
        "RPUSH m x y",
        "RPOP m 100",
        "EXISTS m",
        "RPUSH n x",
        "LPOP n",
        "EXISTS n",
        "LPOP l 9223372036854775807",
        "LPOP l 9223372036854775808",
    ),
    "lrange_indexes": cs(
        "RPUSH l 0 1 2 3 4 5 6 7 8 9",
        "LRANGE l 0 0",
        "LRANGE l 0 4",
        "LRANGE l -3 -1",
        "LRANGE l -100 2",
        "LRANGE l 5 100",
        "LRANGE l 7 3",
        "LRANGE l -1 -3",
        "LRANGE l 10 20",
        "LRANGE l -100 -50",
        "LRANGE l 3 -8",
        "LRANGE l 0 9223372036854775807",
        "LRANGE l -9223372036854775808 1",
        "LRANGE l 0 9223372036854775808",
        "LRANGE l abc 1",
        "LRANGE l 0 1.0",
        "LRANGE nokey 0 -1",
        "LRANGE nokey abc 1",
    ),
    "lindex_lset": cs(
        "RPUSH l a b c",
        "LINDEX l 0",
        "LINDEX l 2",
        "LINDEX l 3",
        "LINDEX l -1",
        "LINDEX l -3",
        "LINDEX l -4",
        "LINDEX l abc",
        "LINDEX nokey abc",
        "LINDEX nokey 0",
        "LINDEX l 9223372036854775807",
        "LINDEX l -9223372036854775808",
        "LSET l 0 A",
        "LSET l -1 C",
        "LSET l 3 D",
        "LSET l -4 D",
        "LSET l abc x",
        "LSET nokey 0 x",
        "LSET nokey abc x",
        "EXISTS nokey",
        "LRANGE l 0 -1",
    ),
    "lrem": cs(
        "RPUSH l a b a c a b a",
        "LREM l 2 a",
        "LRANGE l 0 -1",
        "LREM l -1 a",
        "LRANGE l 0 -1",
        "LREM l 0 b",
        "LRANGE l 0 -1",
        "LREM l 0 nothing",
        "LREM l abc a",
        "LREM nokey 0 a",
        "LREM nokey abc a",
        "LREM l 0 c",
        "LREM l -5 a",
        "EXISTS l",
        "RPUSH n 1 01 1 +1",
        "LREM n 0 1",
        "LRANGE n 0 -1",
    ),
    "ltrim": cs(
        "RPUSH l 0 1 2 3 4 5 6 7 8 9",
        "LTRIM l 1 -2",
        "LRANGE l 0 -1",
        "LTRIM l -3 -1",
        "LRANGE l 0 -1",
        "LTRIM l 0 100",
        "LRANGE l 0 -1",
        "LTRIM l abc 1",
        "LTRIM l 0 x",
        "LTRIM nokey 0 1",
        "LTRIM nokey abc 1",
        "EXISTS nokey",
        "LTRIM l 2 1",
        "EXISTS l",
        "RPUSH m a b c",
        "LTRIM m 5 10",
        "EXISTS m",
        "RPUSH n a b c",
        "LTRIM n -100 100",
        "LRANGE n 0 -1",
        "LTRIM n 0 0",
        "LRANGE n 0 -1",
    ),
    "linsert": cs(
        "RPUSH l a b c",
        "LINSERT l BEFORE b x",
        "LINSERT l AFTER c y",
        "LINSERT l after a z",
        "LRANGE l 0 -1",
        "LINSERT l BEFORE nothing q",
        "LINSERT l MIDDLE a q",
        "LINSERT nokey BEFORE a q",
        "LINSERT nokey MIDDLE a q",
        "EXISTS nokey",
        "RPUSH d v v v",
        "LINSERT d BEFORE v first",
        "LINSERT d AFTER v second",
        "LRANGE d 0 -1",
    ),
    "lpos": cs(
        "RPUSH l a b c a b c a",
        "LPOS l a",
        "LPOS l c",
        "LPOS l z",
        "LPOS l a RANK 2",
        "LPOS l a RANK -1",
        "LPOS l a RANK -2",
        "LPOS l a RANK 5",
        "LPOS l a RANK 0",
        "LPOS l a RANK abc",
        "LPOS l a COUNT 0",
        "LPOS l a COUNT 2",
        "LPOS l a COUNT 10",
        "LPOS l z COUNT 10",
        "LPOS l a COUNT -1",
        "LPOS l a COUNT abc",
        "LPOS l a MAXLEN 1",
        "LPOS l a MAXLEN 3 COUNT 0",
        "LPOS l a MAXLEN 4 COUNT 0",
        "LPOS l a MAXLEN -1",
        "LPOS l a MAXLEN abc",
        "LPOS l a RANK -1 COUNT 2",
        "LPOS l a RANK 2 COUNT 0",
        "LPOS l a RANK -2 COUNT 0 MAXLEN 5",
        "LPOS l a rank 1 count 1 maxlen 0",
        "LPOS l a RANK",
        "LPOS l a BOGUS 1",
        "LPOS l a COUNT 1 RANK 0",
        "LPOS l a RANK 9223372036854775807",
        "LPOS l a RANK -9223372036854775807",
        "LPOS l a RANK -9223372036854775808",
        "LPOS l a RANK -9223372036854775808 COUNT 1",
        "LPOS l a RANK -9223372036854775808 COUNT 2",
        "LPOS l a RANK -9223372036854775808 COUNT 0 MAXLEN 4",
        "LPOS l z RANK -9223372036854775808",
        "LPOS l a RANK -9223372036854775809",
        "LPOS nokey a",
        "LPOS nokey a COUNT 1",
        "LPOS nokey a RANK 0",
        "LPOS nokey a COUNT -1",
    ),
    "lmove_rpoplpush": cs(
        "RPUSH src a b c",
        "LMOVE src dst LEFT RIGHT",
        "LMOVE src dst RIGHT LEFT",
        "LRANGE src 0 -1",
        "LRANGE dst 0 -1",
        "LMOVE src dst left left",
        "EXISTS src",
        "LRANGE dst 0 -1",
        "LMOVE src dst LEFT RIGHT",
        "LMOVE dst dst LEFT RIGHT",
        "LRANGE dst 0 -1",
        "LMOVE dst dst RIGHT LEFT",
        "LRANGE dst 0 -1",
        "LMOVE dst other UP LEFT",
        "LMOVE dst other LEFT DOWN",
        "LMOVE nokey other UP LEFT",
        "RPOPLPUSH dst q",
        "RPOPLPUSH dst q",
        "LRANGE q 0 -1",
        "RPOPLPUSH nokey q",
        "RPUSH one x",
        "RPOPLPUSH one one",
        "LRANGE one 0 -1",
        "SET str v",
        "LMOVE dst str LEFT LEFT",
        "RPOPLPUSH dst str",
        "LRANGE dst 0 -1",
        "LMOVE str dst LEFT LEFT",
        "LMOVE nokey str LEFT LEFT",
        "RPOPLPUSH str dst",
        "GET str",
    ),
    "encoding_always_quicklist": [
        c("RPUSH small a"),
        c("OBJECT ENCODING small"),
        rpush_n("big", 2000),
        *cs("OBJECT ENCODING big", "LLEN big", "LINDEX big 1500", "LRANGE big 995 1004"),
        rpush_n("huge", 3, "x" * 10000),
        *cs("OBJECT ENCODING huge", "LLEN huge", "STRLEN nokey"),
        *cs("CONFIG SET list-max-listpack-size 2", "RPUSH c 1 2 3 4 5", "OBJECT ENCODING c"),
        *cs("LINSERT c BEFORE 3 x", "LINSERT c AFTER 3 y", "LRANGE c 0 -1", "LSET c 6 z"),
        *cs("LREM c 0 x", "LTRIM c 1 -2", "LRANGE c 0 -1", "LPOP c 2", "RPOP c 2", "LLEN c"),
        *cs("CONFIG GET list-max-listpack-size", "CONFIG GET list-max-ziplist-size"),
        *cs("CONFIG SET list-max-ziplist-size -5", "CONFIG GET list-max-listpack-size"),
        *cs("CONFIG SET list-max-listpack-size abc", "CONFIG SET list-max-listpack-size 0"),
        *cs("CONFIG GET list-max-listpack-size", "CONFIG SET list-max-listpack-size -2"),
    ],
    "big_list_operations": [
        rpush_n("l", 3000),
        *cs("LINDEX l 0", "LINDEX l 2999", "LINDEX l -1500", "LSET l 1500 mid", "LINDEX l 1500"),
        *cs("LINSERT l BEFORE mid before", "LINSERT l AFTER 2998 after", "LLEN l"),
        *cs("LRANGE l 1495 1505", "LREM l 0 mid", "LREM l 1 before", "LLEN l"),
        *cs("LTRIM l 1000 -1000", "LLEN l", "LRANGE l 0 3", "LRANGE l -3 -1", "LPOS l 1500"),
        *cs("LPOP l 500", "RPOP l 490", "LLEN l", "LRANGE l 0 -1", "LPOS l 1500 MAXLEN 2"),
    ],
    "wrongtype_both_ways": cs(
        "SET s hello",
        "LPUSH s x",
        "RPUSH s x",
        "LPUSHX s x",
        "RPUSHX s x",
        "LPOP s",
        "RPOP s 2",
        "LPOP s abc",
        "LLEN s",
        "LRANGE s 0 -1",
        "LRANGE s abc 1",
        "LINDEX s 0",
        "LINDEX s abc",
        "LSET s 0 x",
        "LSET s abc x",
        "LREM s 0 x",
        "LREM s abc x",
        "LTRIM s 0 1",
        "LINSERT s BEFORE a b",
        "LINSERT s MIDDLE a b",
        "LPOS s a",
        "LPOS s a RANK 0",
        "LMOVE s d LEFT LEFT",
        "RPOPLPUSH s d",
        "GET s",
        "HSET h f v",
        "LPUSH h x",
        "LRANGE h 0 -1",
        "RPUSH l a",
        "GET l",
        "INCR l",
        "APPEND l x",
        "STRLEN l",
        "GETRANGE l 0 1",
        "SETRANGE l 0 x",
        "INCRBYFLOAT l 1",
        "HSET l f v",
        "HGET l f",
        "SET l x",
        "TYPE l",
    ),
    "ttl_kept_and_dropped": cs(
        "RPUSH l a b c",
        "EXPIRE l 100",
        "LPUSH l x",
        "RPOP l",
        "LSET l 0 y",
        "LINSERT l AFTER y z",
        "LREM l 1 z",
        "LTRIM l 0 -1",
        "TTL l",
        "RPUSH m q",
        "LMOVE l m LEFT LEFT",
        "TTL l",
        "TTL m",
        "LPOP l 10",
        "EXISTS l",
        "TTL l",
        "RPUSH l new",
        "TTL l",
        "EXPIRE m 200",
        "RENAME m l",
        "TTL l",
        "LRANGE l 0 -1",
        "PERSIST l",
        "TTL l",
        "EXPIRE l 0",
        "EXISTS l",
    ),
    "keyspace_commands": [
        *cs(
            "RPUSH l1 a",
            "RPUSH l2 a b",
            "HSET h f v",
            "SET s v",
            "TYPE l1",
            "KEYS l*",
            "DBSIZE",
            "RENAME l1 l3",
            "LRANGE l3 0 -1",
            "RENAME l2 h",
            "TYPE h",
            "LRANGE h 0 -1",
            "RENAMENX h l3",
            "DEL h l3 nokey",
            "UNLINK s",
            "EXISTS h l3 s",
            "RPUSH t x",
            "TOUCH t",
            "OBJECT ENCODING t",
        ),
        ScanAll(options=("TYPE", "list")),
        ScanAll(options=("TYPE", "LIST")),
        ScanAll(options=("TYPE", "hash")),
        ScanAll(options=("MATCH", "t*", "TYPE", "list")),
        c("FLUSHDB"),
        c("LLEN t"),
    ],
    "eviction_allkeys_lru": [
        *cs("RPUSH l a b", "SET s v", "CONFIG SET maxmemory-policy allkeys-lru"),
        *cs("CONFIG SET maxmemory 1", "LLEN l", "EXISTS l s", "DBSIZE"),
        *cs("LRANGE l 0 -1", "LINDEX l 0", "TYPE l"),
        Info("stats"),
        *cs("CONFIG SET maxmemory 0", "CONFIG SET maxmemory-policy noeviction"),
    ],
    "oom_noeviction": [
        *cs("SET s v", "RPUSH l a b", "CONFIG SET maxmemory 1"),
        *cs("LPUSH l x", "RPUSHX l x", "LINSERT l BEFORE a x", "LSET l 0 z", "LMOVE l m LEFT LEFT"),
        *cs("RPOPLPUSH l m", "LPOP l", "LREM l 0 b", "EXISTS l", "LTRIM nokey 0 1"),
        *cs("CONFIG SET maxmemory 0", "RPUSH l a", "LRANGE l 0 -1"),
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_scripted_case(pair: Pair, name: str) -> None:
    pair.run_case(CASES[name], name)


# --------------------------------------------------------------------------- random sequences

KEYS = ["l", "m", "s", "é"]
ELEMENTS = ["a", "b", "1", "", "ü", "x" * 70]
INDEXES = ["0", "1", "-1", "2", "-3", "10", "abc"]


def random_command(rng: random.Random) -> tuple[str, ...] | CollectionEncoding:
    k = rng.choice(KEYS)
    e = rng.choice(ELEMENTS)
    kind = rng.randrange(24)
    if kind <= 2:
        return (rng.choice(["LPUSH", "RPUSH"]), k, *rng.choices(ELEMENTS, k=rng.randint(1, 4)))
    if kind == 3:
        return (rng.choice(["LPUSHX", "RPUSHX"]), k, e)
    if kind <= 5:
        return (rng.choice(["LPOP", "RPOP"]), k, *rng.choice([[], [], ["2"], ["0"], ["-1"]]))
    if kind == 6:
        return ("LRANGE", k, rng.choice(INDEXES), rng.choice(INDEXES))
    if kind == 7:
        return ("LLEN", k)
    if kind == 8:
        return ("LINDEX", k, rng.choice(INDEXES))
    if kind == 9:
        return ("LSET", k, rng.choice(INDEXES), e)
    if kind == 10:
        return ("LREM", k, rng.choice(["0", "1", "-2", "x"]), e)
    if kind == 11:
        return ("LTRIM", k, rng.choice(INDEXES), rng.choice(INDEXES))
    if kind == 12:
        return ("LINSERT", k, rng.choice(["BEFORE", "AFTER", "X"]), rng.choice(ELEMENTS), e)
    if kind == 13:
        opts = rng.choice([[], ["RANK", "-1"], ["COUNT", "0"], ["RANK", "2", "COUNT", "2"]])
        return ("LPOS", k, e, *opts)
    if kind == 14:
        sides = [rng.choice(["LEFT", "RIGHT"]), rng.choice(["LEFT", "RIGHT"])]
        return ("LMOVE", k, rng.choice(KEYS), *sides)
    if kind == 15:
        return ("RPOPLPUSH", k, rng.choice(KEYS))
    if kind == 16:
        return ("SET", k, e)
    if kind == 17:
        return ("HSET", k, "f", e)
    if kind == 18:
        return ("EXPIRE", k, rng.choice(["100", "0"]))
    if kind == 19:
        return (rng.choice(["TTL", "TYPE", "PERSIST"]), k)
    if kind == 20:
        return CollectionEncoding(k)
    if kind == 21:
        return ("DEL", k)
    if kind == 22:
        return ("RENAME", k, rng.choice(KEYS))
    return ("GET", k)


@pytest.mark.parametrize("fill", ["-2", "2"])
@pytest.mark.parametrize("seed", range(10))
def test_random_sequence(pair: Pair, seed: int, fill: str) -> None:
    pair.run([("CONFIG", "SET", "list-max-listpack-size", fill)], "setup")
    reads = [(CollectionEncoding(k), ("PTTL", k), ("LRANGE", k, "0", "-1")) for k in KEYS]
    final = [("KEYS", "*"), Info("keyspace"), Info("stats"), *(s for r in reads for s in r)]
    pair.run_random(random_command, seed, 250, final)


def test_memory_usage_grows_with_the_list(pair: Pair) -> None:
    """MEMORY USAGE is an int on both sides and grows with the list (jemalloc's exact bytes
    are not comparable)."""
    sizes: dict[str, list[int]] = {"redis": [], "kvengine": []}
    for n in (1, 100, 3000):
        pair.both(*rpush_n("l", n))
        redis_out, engine_out = pair.both("MEMORY", "USAGE", "l")
        for side, out in (("redis", redis_out), ("kvengine", engine_out)):
            assert out.ok and isinstance(out.value, int), (side, out)
            sizes[side].append(out.value)
    for side, values in sizes.items():
        assert values == sorted(values) and len(set(values)) == 3, (side, values)
    redis_out, engine_out = pair.both("MEMORY", "USAGE", "nokey")
    assert redis_out == engine_out == Outcome(True, None)
