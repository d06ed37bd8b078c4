"""Differential test of the hash type (and the string commands INCRBYFLOAT, SETRANGE, GETRANGE)
against a real redis-server 7.0: every reply, error text included, must be identical.

Scripted cases cover every command, option and error (arity, WRONGTYPE both ways, integers
and floats that do not parse, overflow, NaN/infinity, empty-hash deletion, TTL kept by writes
and lost with the key), the listpack -> hashtable conversion at both limits with
``OBJECT ENCODING``, ``TYPE``, ``SCAN ... TYPE``, ``RENAME``, ``EXPIRE``, and eviction of a hash
under ``allkeys-lru``. Seeded random sequences mix hashes with strings, TTLs and deletions.
Orders that depend on Redis's random hash seed (a hashtable's HGETALL, HRANDFIELD, HSCAN) are
compared by the documented rules of :mod:`tests.engine.differential`; nothing else is loose.
"""

from __future__ import annotations

import random

import pytest

from tests.engine.differential import CollectionEncoding, Info, Outcome, Pair, ScanAll, c, cs

pytestmark = pytest.mark.redis

LONG = "v" * 65  # one byte over hash-max-listpack-value
LONG_MAX = "9223372036854775807"
LONG_MIN = "-9223372036854775808"


def many_fields(key: str, n: int, start: int = 0) -> tuple[str, ...]:
    """``HSET key f<start> <start> ...``: n pairs in one command."""
    args: list[str] = ["HSET", key]
    for i in range(start, start + n):
        args += [f"f{i}", str(i)]
    return tuple(args)


CASES: dict[str, list] = {
    "arity": cs(
        "HSET",
        "HSET h",
        "HSET h f",
        "HSET h f v g",
        "HMSET h f",
        "HMSET h f v g",
        "HSETNX h f",
        "HGET h",
        "HGET h f g",
        "HMGET h",
        "HDEL h",
        "HLEN",
        "HLEN h x",
        "HSTRLEN h",
        "HEXISTS h",
        "HGETALL",
        "HKEYS",
        "HVALS h x",
        "HINCRBY h f",
        "HINCRBYFLOAT h f",
        "HRANDFIELD",
        "HSCAN h",
        "INCRBYFLOAT k",
        "SETRANGE k 0",
        "GETRANGE k 0",
        "EXISTS h",
    ),
    "hset_hget_basic": [
        *cs(
            "HSET h f1 v1",
            "HSET h f1 v1",
            "HSET h f2 v2 f3 v3",
            "HSET h f1 new f4 v4",
            "HGET h f1",
            "HGET h nofield",
            "HGET nokey f",
            "HLEN h",
            "HLEN nokey",
            "HGETALL h",
            "HKEYS h",
            "HVALS h",
            "HGETALL nokey",
            "HKEYS nokey",
            "HVALS nokey",
            "TYPE h",
            "OBJECT ENCODING h",
            "EXISTS h",
            "HSET h f1 again f1 twice",
            "HGET h f1",
            "HLEN h",
        ),
        ("HSET", "h", "", ""),
        ("HGET", "h", ""),
        ("HSET", "h", "ключ", "значение ✓"),
        ("HGET", "h", "ключ"),
        ("HSTRLEN", "h", "ключ"),
        ("HSET", "h", "sp ace", "a b"),
        c("HGETALL h"),
        c("hset H x y"),
        c("HgetAll H"),
    ],
    "hmset_hsetnx": cs(
        "HMSET h a 1 b 2",
        "HMSET h a 3",
        "HGETALL h",
        "HSETNX h a 9",
        "HSETNX h c 9",
        "HSETNX new f v",
        "HGETALL h",
        "HGETALL new",
        "TYPE new",
    ),
    "hmget_hexists_hstrlen": cs(
        "HSET h a 1 b hello c -42",
        "HMGET h a b nofield c",
        "HMGET nokey a b",
        "HEXISTS h a",
        "HEXISTS h z",
        "HEXISTS nokey a",
        "HSTRLEN h a",
        "HSTRLEN h b",
        "HSTRLEN h c",
        "HSTRLEN h z",
        "HSTRLEN nokey a",
        "HSET h big 9223372036854775807",
        "HSTRLEN h big",
    ),
    "hdel_and_empty_key": cs(
        "HSET h a 1 b 2 c 3",
        "HDEL h a",
        "HDEL h a",
        "HDEL h nofield",
        "HDEL nokey a",
        "HDEL h b b c",
        "EXISTS h",
        "TYPE h",
        "HLEN h",
        "HSET h x 1 y 2",
        "HDEL h x y z",
        "EXISTS h",
        "DBSIZE",
    ),
    "hincrby": cs(
        "HINCRBY h n 5",
        "HINCRBY h n -7",
        "HGET h n",
        "HINCRBY h n abc",
        "HINCRBY h n 1.5",
        "HINCRBY h n 99999999999999999999",
        "HSET h s hello f 1.5 sp _1 lz 007 plus +1",
        "HINCRBY h s 1",
        "HINCRBY h f 1",
        "HINCRBY h lz 1",
        "HINCRBY h plus 1",
        "HSET h max 9223372036854775807 min -9223372036854775808",
        "HINCRBY h max 1",
        "HINCRBY h max 0",
        "HINCRBY h min -1",
        "HINCRBY h min 9223372036854775807",
        "HGETALL h",
        "HINCRBY nokey f abc",
        "EXISTS nokey",
        "HINCRBY h2 f 9223372036854775807",
        "HINCRBY h2 f 1",
        "HINCRBY h2 g -9223372036854775808",
        "HGETALL h2",
    )
    + [("HINCRBY", "h", "n", ""), ("HSET", "h", "sp", " 1"), ("HINCRBY", "h", "sp", "1")],
    "hincrbyfloat": [
        *cs(
            "HINCRBYFLOAT h x 0.1",
            "HINCRBYFLOAT h x 0.2",
            "HINCRBYFLOAT h x -0.3",
            "HGET h x",
            "HINCRBYFLOAT h y 10",
            "HINCRBYFLOAT h y 1e3",
            "HINCRBYFLOAT h y 0x1p3",
            "HINCRBYFLOAT h y -2.5E-2",
            "HINCRBYFLOAT h y 5.",
            "HINCRBYFLOAT h y .5",
            "HINCRBYFLOAT h y abc",
            "HINCRBYFLOAT h y inf",
            "HINCRBYFLOAT h y -infinity",
            "HINCRBYFLOAT h y nan",
            "HINCRBYFLOAT h y 1e5000",
            "HINCRBYFLOAT h y 1e-5000",
            "HINCRBYFLOAT h y 1e",
            "HSET h s hello i 42 big 1e4000",
            "HINCRBYFLOAT h s 1",
            "HINCRBYFLOAT h i 0.5",
            "HINCRBYFLOAT h big 1e4000",
            "HINCRBYFLOAT h big 1",
            "HSET h inf inf",
            "HINCRBYFLOAT h inf 1",
            "HGETALL h",
            "HINCRBYFLOAT nokey f abc",
            "EXISTS nokey",
        ),
        ("HINCRBYFLOAT", "h", "y", " 1"),
        ("HINCRBYFLOAT", "h", "z", ""),
        ("HINCRBYFLOAT", "h", "z", " 1"),
        ("HINCRBYFLOAT", "h", "z", "1 "),
        ("HINCRBYFLOAT", "h", "z", "3.0000000000000000001"),
        ("HINCRBYFLOAT", "h", "z", "-3"),
        ("HINCRBYFLOAT", "h", "z", "-0.00000000000000000001"),
        ("HGET", "h", "z"),
    ],
    "hrandfield": [
        *cs(
            "HRANDFIELD nokey",
            "HRANDFIELD nokey 5",
            "HRANDFIELD nokey 5 WITHVALUES",
            "HRANDFIELD nokey abc",
            "HSET h a 1 b 2 c 3 d 4 e 5",
            "HRANDFIELD h",
            "HRANDFIELD h 0",
            "HRANDFIELD h 0 WITHVALUES",
            "HRANDFIELD h 1",
            "HRANDFIELD h 2",
            "HRANDFIELD h 4",
            "HRANDFIELD h 5",
            "HRANDFIELD h 10",
            "HRANDFIELD h 10 withvalues",
            "HRANDFIELD h 3 WITHVALUES",
            "HRANDFIELD h -1",
            "HRANDFIELD h -12",
            "HRANDFIELD h -7 WITHVALUES",
            "HRANDFIELD h abc",
            "HRANDFIELD h 1.5",
            "HRANDFIELD h 3 WITHSCORES",
            "HRANDFIELD h 3 WITHVALUES x",
            "HRANDFIELD h 9223372036854775807 WITHVALUES",
            "HRANDFIELD h -9223372036854775807 WITHVALUES",
            "HRANDFIELD h 4611686018427387903 WITHVALUES",
            "HRANDFIELD h 4611686018427387904 WITHVALUES",
            "HRANDFIELD h -4611686018427387904 WITHVALUES",
            "HRANDFIELD h -9223372036854775808",
            "HRANDFIELD h 9223372036854775808",
            "HRANDFIELD nokey -9223372036854775808",
            "HRANDFIELD nokey 3 BAD",
        ),
        many_fields("big", 200),
        ("HSET", "big", "long", LONG),
        *cs(
            "OBJECT ENCODING big",
            "HRANDFIELD big",
            "HRANDFIELD big 5",
            "HRANDFIELD big 100",
            "HRANDFIELD big 150 WITHVALUES",
            "HRANDFIELD big 300",
            "HRANDFIELD big -20 WITHVALUES",
        ),
    ],
    "hscan": [
        *cs(
            "HSCAN nokey 0",
            "HSCAN nokey abc",
            "HSCAN nokey 0 COUNT 0",
            "HSET h name alice age 42 city paris name2 bob",
            "HSCAN h 0",
            "HSCAN h 0 COUNT 1",
            "HSCAN h 0 MATCH name*",
            "HSCAN h 0 match *a* count 100",
            "HSCAN h 0 MATCH *",
            "HSCAN h 0 COUNT 0",
            "HSCAN h 0 COUNT -1",
            "HSCAN h 0 COUNT abc",
            "HSCAN h 0 MATCH",
            "HSCAN h 0 TYPE hash",
            "HSCAN h 0 NOVALUES",
            "HSCAN h -1",
            "HSCAN h 1x",
            "HSCAN h 18446744073709551616",
        ),
        ("HSCAN", "h", ""),
        ("HSCAN", "h", " 0"),
        many_fields("big", 300),
        ScanAll(("HSCAN", "big")),
        ScanAll(("HSCAN", "big"), ("COUNT", "7")),
        ScanAll(("HSCAN", "big"), ("MATCH", "f1*")),
        ScanAll(("HSCAN", "big"), ("MATCH", "nomatch*", "COUNT", "1000")),
        c("HSCAN big 0 COUNT 0"),
        c("HSCAN big abc"),
    ],
    "encoding_entries_limit": [
        many_fields("h", 512),
        *cs("OBJECT ENCODING h", "HLEN h"),
        many_fields("h", 1, start=511),
        c("OBJECT ENCODING h"),
        many_fields("h", 1, start=512),
        *cs("OBJECT ENCODING h", "HLEN h", "HDEL h f0 f1 f2", "OBJECT ENCODING h", "HLEN h"),
        *cs("CONFIG SET hash-max-listpack-entries 3", "HSET s a 1 b 2 c 3", "OBJECT ENCODING s"),
        *cs("HSETNX s d 4", "OBJECT ENCODING s", "HDEL s a b c d", "EXISTS s"),
        *cs("HINCRBY t a 1", "HINCRBY t b 1", "HINCRBY t c 1", "OBJECT ENCODING t"),
        *cs("HINCRBYFLOAT t d 1.5", "OBJECT ENCODING t", "HGETALL t"),
        *cs("CONFIG SET hash-max-listpack-entries 0", "HSET z a 1", "OBJECT ENCODING z"),
        *cs("CONFIG GET hash-max-listpack-entries", "CONFIG GET hash-max-ziplist-entries"),
        *cs("CONFIG SET hash-max-ziplist-entries 7", "CONFIG GET hash-max-listpack-entries"),
    ],
    "encoding_value_limit": [
        ("HSET", "h", "f", "v" * 64),
        c("OBJECT ENCODING h"),
        ("HSET", "h", "g", LONG),
        c("OBJECT ENCODING h"),
        ("HSET", "k", "f" * 65, "v"),
        c("OBJECT ENCODING k"),
        ("HSETNX", "n", "f", LONG),
        c("OBJECT ENCODING n"),
        c("HSETNX m f v"),
        ("HSETNX", "m", "f", LONG),
        c("OBJECT ENCODING m"),
        ("HINCRBY", "i", "f" * 65, "1"),
        c("OBJECT ENCODING i"),
        ("HSET", "u", "a", "1", "b", LONG),
        c("OBJECT ENCODING u"),
        ("HSET", "w", "ü" * 32, "x"),  # 64 bytes in UTF-8
        c("OBJECT ENCODING w"),
        ("HSET", "w", "ü" * 33, "x"),  # 66 bytes
        c("OBJECT ENCODING w"),
        c("CONFIG SET hash-max-listpack-value 3"),
        c("HSET x abc def"),
        c("OBJECT ENCODING x"),
        c("HSET x abcd e"),
        c("OBJECT ENCODING x"),
        c("HSET y 1000 x"),
        c("OBJECT ENCODING y"),
        *cs("CONFIG GET hash-max-listpack-value", "CONFIG GET hash-max-ziplist-value"),
        c("CONFIG SET hash-max-listpack-value abc"),
        c("CONFIG SET hash-max-listpack-value -1"),
    ],
    "hashtable_listings": [
        many_fields("h", 600),
        *cs("OBJECT ENCODING h", "HLEN h", "HGETALL h", "HKEYS h", "HVALS h", "HGET h f599"),
        *cs("HMGET h f0 f1 nofield", "HDEL h f0 f1", "HLEN h", "HEXISTS h f0", "HEXISTS h f2"),
        *cs("HINCRBY h f2 10", "HINCRBYFLOAT h f3 0.5", "HSTRLEN h f3", "HSETNX h f4 x"),
    ],
    "wrongtype_both_ways": cs(
        "SET s hello",
        "HSET s f v",
        "HMSET s f v",
        "HSETNX s f v",
        "HGET s f",
        "HMGET s f",
        "HDEL s f",
        "HLEN s",
        "HSTRLEN s f",
        "HEXISTS s f",
        "HGETALL s",
        "HKEYS s",
        "HVALS s",
        "HINCRBY s f 1",
        "HINCRBY s f abc",
        "HINCRBYFLOAT s f 1",
        "HINCRBYFLOAT s f abc",
        "HRANDFIELD s",
        "HRANDFIELD s 2",
        "HRANDFIELD s abc",
        "HSCAN s 0",
        "HSCAN s abc",
        "HSCAN s 0 COUNT 0",
        "GET s",
        "HSET h f v",
        "GET h",
        "INCR h",
        "INCRBY h 2",
        "APPEND h x",
        "STRLEN h",
        "GETSET h x",
        "GETDEL h",
        "GETEX h",
        "SETNX h x",
        "MGET h s",
        "INCRBYFLOAT h 1",
        "SETRANGE h 0 x",
        "GETRANGE h 0 1",
        "LPUSH h x",
        "HGETALL h",
        "SET h now-a-string",
        "TYPE h",
        "GET h",
        "HSET h f v",
        "MSET h again",
        "TYPE h",
    ),
    "ttl_kept_and_dropped": cs(
        "HSET h a 1 b 2",
        "EXPIRE h 100",
        "TTL h",
        "HSET h c 3",
        "HDEL h a",
        "HINCRBY h b 5",
        "HINCRBYFLOAT h b 0.5",
        "HSETNX h d 4",
        "TTL h",
        "HDEL h b c d",
        "EXISTS h",
        "TTL h",
        "HSET h z 1",
        "TTL h",
        "PEXPIRE h 100000",
        "PERSIST h",
        "TTL h",
        "EXPIRE h 0",
        "EXISTS h",
        "HSET h a 1",
        "EXPIRE h 100",
        "SET h str",
        "TTL h",
        "TYPE h",
    ),
    "keyspace_commands": [
        *cs(
            "HSET h1 a 1",
            "HSET h2 a 1 b 2",
            "SET s v",
            "RPUSH l x",
            "TYPE h1",
            "TYPE nokey",
            "KEYS h*",
            "DBSIZE",
            "EXPIRE h2 500",
            "RENAME h1 h3",
            "HGETALL h3",
            "EXISTS h1",
            "RENAME h2 s",
            "TYPE s",
            "TTL s",
            "HGETALL s",
            "RENAMENX s h3",
            "RENAMENX s h4",
            "TYPE h4",
            "DEL h3 h4 nokey",
            "EXISTS h3 h4",
            "HSET a f v",
            "UNLINK a",
            "HSET t f v",
            "TOUCH t",
            "OBJECT ENCODING t",
            "OBJECT ENCODING nokey",
        ),
        ScanAll(options=("TYPE", "hash")),
        ScanAll(options=("TYPE", "HASH")),
        ScanAll(options=("TYPE", "string")),
        ScanAll(options=("TYPE", "list")),
        ScanAll(options=("MATCH", "h*", "TYPE", "hash")),
        c("FLUSHALL"),
        c("HLEN t"),
    ],
    "eviction_allkeys_lru": [
        *cs("HSET h a 1 b 2", "SET s v", "CONFIG SET maxmemory-policy allkeys-lru"),
        *cs("CONFIG SET maxmemory 1", "HLEN h", "EXISTS h s", "DBSIZE"),
        *cs("HGET h a", "HGETALL h", "TYPE h"),
        Info("stats"),
        *cs("CONFIG SET maxmemory 0", "CONFIG SET maxmemory-policy noeviction"),
    ],
    "oom_noeviction": [
        *cs("SET s v", "HSET h a 1", "CONFIG SET maxmemory 1"),
        *cs("HSET h b 2", "HSETNX h c 3", "HINCRBY h a 1", "HINCRBYFLOAT h a 1", "HMSET h x y"),
        *cs("HDEL h a", "EXISTS h", "HGET h a", "INCRBYFLOAT s 1", "SETRANGE s 0 x"),
        *cs("GETRANGE s 0 -1", "CONFIG SET maxmemory 0", "HSET h a 1", "HGETALL h"),
    ],
    "incrbyfloat": [
        *cs(
            "INCRBYFLOAT f 0.1",
            "INCRBYFLOAT f 0.2",
            "GET f",
            "INCRBYFLOAT f -0.3",
            "INCRBYFLOAT f 1e17",
            "INCRBYFLOAT f 1.5",
            "INCRBYFLOAT f 5.0e3",
            "INCRBYFLOAT f 0x10",
            "INCRBYFLOAT f abc",
            "INCRBYFLOAT f inf",
            "INCRBYFLOAT f -inf",
            "INCRBYFLOAT f nan",
            "INCRBYFLOAT f 1e5000",
            "INCRBYFLOAT f 1e-5000",
            "GET f",
            "SET i 10",
            "INCRBYFLOAT i 0.5",
            "INCRBYFLOAT i -10.5",
            "GET i",
            "SET s hello",
            "INCRBYFLOAT s 1",
            "SET inf inf",
            "INCRBYFLOAT inf 1",
            "SET e 1e3",
            "INCRBYFLOAT e 0",
            "SET big 1e4000",
            "INCRBYFLOAT big 1e4000",
            "STRLEN big",
            "SET t 1",
            "EXPIRE t 100",
            "INCRBYFLOAT t 1",
            "TTL t",
            "INCRBYFLOAT nokey abc",
            "EXISTS nokey",
        ),
        ("SET", "sp", " 1"),
        ("INCRBYFLOAT", "sp", "1"),
        ("INCRBYFLOAT", "z", ""),
        ("INCRBYFLOAT", "z", "-0"),
        ("GET", "z"),
        ("INCRBYFLOAT", "z", "3.0000000000000000001"),
        ("INCRBYFLOAT", "z", "-0.00000000000000000001"),
        ("INCRBYFLOAT", "w", "0.000003814697265625"),
        ("INCRBYFLOAT", "w", "1" * 300),
    ],
    "setrange_getrange": [
        *cs(
            "SETRANGE k 0 hello",
            "GET k",
            "SETRANGE k 6 world",
            "GET k",
            "STRLEN k",
            "SETRANGE k 1 ipp",
            "GET k",
            "SETRANGE k -1 x",
            "SETRANGE k abc x",
            "SETRANGE k 1.5 x",
            "SETRANGE k 536870912 x",
            "EXISTS nokey",
            "SETRANGE nokey2 536870912 x",
            "EXISTS nokey2",
            "SETRANGE p 3 x",
            "STRLEN p",
            "GETRANGE p 0 -1",
            "SET n 12345",
            "SETRANGE n 1 9",
            "GET n",
            "SET t abc",
            "EXPIRE t 100",
            "SETRANGE t 1 X",
            "TTL t",
            "GETRANGE k 0 4",
            "GETRANGE k -5 -1",
            "GETRANGE k 0 -1",
            "GETRANGE k 0 100",
            "GETRANGE k 5 3",
            "GETRANGE k -1 -5",
            "GETRANGE k -100 -90",
            "GETRANGE k -100 2",
            "GETRANGE k 100 200",
            "GETRANGE k 0 0",
            "GETRANGE k abc 1",
            "GETRANGE k 0 abc",
            "GETRANGE nokey 0 -1",
            "GETRANGE nokey abc 1",
            "GETRANGE n 0 -1",
            "GETRANGE n -2 -1",
            "GETRANGE k 9223372036854775807 9223372036854775807",
            "GETRANGE k -9223372036854775808 9223372036854775807",
            "GETRANGE k 0 9223372036854775808",
        ),
        ("SETRANGE", "k", "0", ""),
        ("SETRANGE", "k", "536870911", ""),
        ("SETRANGE", "nokey", "5", ""),
        c("EXISTS nokey"),
        ("SET", "e", ""),
        c("GETRANGE e 0 -1"),
        c("GETRANGE e 0 0"),
        c("GETRANGE e -1 0"),
        ("SET", "u", "héllo ✓"),
        c("GETRANGE u 0 1"),
        c("GETRANGE u 1 2"),
        c("GETRANGE u -3 -1"),
        c("SETRANGE u 1 e"),
        c("STRLEN u"),
        ("SETRANGE", "u", "0", "ü"),
        c("GET u"),
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_scripted_case(pair: Pair, name: str) -> None:
    pair.run_case(CASES[name], name)


# --------------------------------------------------------------------------- random sequences

KEYS = ["h", "g", "s", "n", "ü"]
FIELDS = ["a", "b", "c", "f1", "", "ü✓"]
VALUES = ["1", "-5", "x", "", "0.5", "9223372036854775807", "hello world", LONG]
INCRS = ["1", "-1", "100", "abc", "1.5", "9223372036854775807", "-9223372036854775808"]
FLOATS = ["0.1", "-2.5", "1e3", "abc", "inf", "3", "0x1p-2", ""]


def random_command(rng: random.Random) -> tuple[str, ...] | ScanAll | CollectionEncoding:
    k = rng.choice(KEYS)
    f = rng.choice(FIELDS)
    v = rng.choice(VALUES)
    kind = rng.randrange(26)
    if kind <= 3:
        pairs: list[str] = []
        for _ in range(rng.randint(1, 3)):
            pairs += [rng.choice(FIELDS), rng.choice(VALUES)]
        return (rng.choice(["HSET", "HSET", "HMSET"]), k, *pairs)
    if kind == 4:
        return ("HSETNX", k, f, v)
    if kind == 5:
        return ("HGET", k, f)
    if kind == 6:
        return ("HMGET", k, f, rng.choice(FIELDS))
    if kind == 7:
        return ("HDEL", k, *rng.sample(FIELDS, rng.randint(1, 3)))
    if kind == 8:
        return (rng.choice(["HEXISTS", "HSTRLEN"]), k, f)
    if kind == 9:
        return (rng.choice(["HGETALL", "HKEYS", "HVALS", "HLEN"]), k)
    if kind == 10:
        return ("HINCRBY", k, f, rng.choice(INCRS))
    if kind == 11:
        return ("HINCRBYFLOAT", k, f, rng.choice(FLOATS))
    if kind == 12:
        return ("HRANDFIELD", k, *rng.choice([[], ["2"], ["-3"], ["9", "WITHVALUES"], ["0"]]))
    if kind == 13:
        return ScanAll(("HSCAN", k), tuple(rng.choice([[], ["COUNT", "2"], ["MATCH", "f*"]])))
    if kind == 14:
        return ("SET", k, v)
    if kind == 15:
        return ("GET", k)
    if kind == 16:
        return ("INCRBYFLOAT", k, rng.choice(FLOATS))
    if kind == 17:
        return ("SETRANGE", k, rng.choice(["0", "3", "-1", "x"]), rng.choice(["ab", ""]))
    if kind == 18:
        return ("GETRANGE", k, rng.choice(["0", "-3", "2"]), rng.choice(["-1", "1", "100"]))
    if kind == 19:
        return ("EXPIRE", k, rng.choice(["100", "500", "0"]))
    if kind == 20:
        return (rng.choice(["TTL", "PERSIST", "TYPE", "PTTL"]), k)
    if kind == 21:
        return CollectionEncoding(k)
    if kind == 22:
        return ("DEL", k)
    if kind == 23:
        return (rng.choice(["RENAME", "RENAMENX"]), k, rng.choice(KEYS))
    if kind == 24:
        return ("EXISTS", k, rng.choice(KEYS))
    return ("LPUSH", k, v) if rng.random() < 0.5 else ("INCR", k)


@pytest.mark.parametrize("small", [False, True], ids=["default-limits", "small-limits"])
@pytest.mark.parametrize("seed", range(10))
def test_random_sequence(pair: Pair, seed: int, small: bool) -> None:
    if small:  # conversions happen after a few fields
        pair.run(
            cs("CONFIG SET hash-max-listpack-entries 3", "CONFIG SET hash-max-listpack-value 8"),
            "setup",
        )
    reads = [(CollectionEncoding(k), ("PTTL", k), ("HGETALL", k)) for k in KEYS]
    final = [("KEYS", "*"), Info("keyspace"), Info("stats"), *(s for r in reads for s in r)]
    pair.run_random(random_command, seed, 250, final)


# --------------------------------------------------------------------------- MEMORY USAGE


def test_memory_usage_grows_with_the_hash(pair: Pair) -> None:
    """MEMORY USAGE is an int on both sides and grows with the hash (jemalloc's exact bytes
    are not comparable), also across the hashtable conversion."""
    sizes: dict[str, list[int]] = {"redis": [], "kvengine": []}
    for n in (1, 50, 600):
        pair.both(*many_fields("h", n))
        redis_out, engine_out = pair.both("MEMORY", "USAGE", "h")
        for side, out in (("redis", redis_out), ("kvengine", engine_out)):
            assert out.ok and isinstance(out.value, int), (side, out)
            sizes[side].append(out.value)
    for side, values in sizes.items():
        assert values == sorted(values) and len(set(values)) == 3, (side, values)
    redis_out, engine_out = pair.both("MEMORY", "USAGE", "nokey")
    assert redis_out == engine_out == Outcome(True, None)
    pair.step(Info("stats"), "MEMORY USAGE counts no keyspace hit or miss")
    pair.check()
