"""Differential test: kvengine's ``execute()`` against a real redis-server 7.0.

The strings, keys, expiry and server commands. Every step goes to a redis-server and to a
fresh ``kvengine.Store``; tests/engine/differential.py says what is compared, and which few
replies loosely (time, hash order, random picks), never more loosely than that.

Three kinds of tests: scripted cases (``CASES``: these families' commands, with their options,
conflicts, error texts, argument-check order, TTL edge cases, expiry after real sleeps, LFU/LRU
touch rules, OOM under maxmemory), each followed by an INFO stats/keyspace comparison; seeded
random sequences (``random_command``; also in an exact-LFU mode that checks OBJECT FREQ), which
name the first command after which the INFO counters differ; and a hypothesis test over the same
grammar that shrinks a failing sequence to a short repro.

Between cases Redis is FLUSHALLed, its config reset to the defaults and its stats reset; kvengine
gets a fresh Store (``fresh_pair``). A missing redis-server skips the module, except in CI
(``CI=true``) where it fails. Discrepancies found here are reported to the engine author in
``.coord/engine-discrepancies.md``.
"""

from __future__ import annotations

import random
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.engine.differential import (
    Info,
    Outcome,
    Pair,
    ScanAll,
    Sleep,
    Step,
    c,
    cs,
    format_command,
    fresh_pair,
    info_fields,
    replies_match,
)
from tests.engine.redis_server import RespClient

pytestmark = pytest.mark.redis

CASES: dict[str, list[Step]] = {
    "ping_echo": [
        *cs("PING", "PING hello", "PING a b", "ECHO hi", "ECHO", "ECHO a b"),
        ("ECHO", ""),
        ("PING", ""),
        ("ECHO", "héllo wörld ✓"),
        *cs("ping", "PiNg x"),
    ],
    "unknown_and_arity": [
        *cs(
            "FOO",
            "FOO a b",
            "FOO a b c d e f",
            "GET",
            "GET a b",
            "SET k",
            "DEL",
            "EXISTS",
            "TTL",
            "TTL a b",
            "INCR",
            "INCRBY k",
            "DECRBY k 1 2",
            "APPEND k",
            "STRLEN",
            "GETSET k",
            "SETNX k",
            "SETEX k 10",
            "PSETEX k 10",
            "MGET",
            "MSET",
            "MSET k",
            "MSET a 1 b",
            "MSETNX a",
            "RENAME a",
            "RENAMENX a",
            "EXPIRE k",
            "PEXPIRE k",
            "EXPIREAT k",
            "PEXPIREAT k",
            "PERSIST",
            "EXPIRETIME",
            "PEXPIRETIME",
            "TYPE",
            "KEYS",
            "SCAN",
            "DBSIZE x",
            "RANDOMKEY x",
            "GETDEL",
            "GETEX",
            "TOUCH",
            "UNLINK",
            "CONFIG",
            "OBJECT",
            "OBJECT FREQ",
            "ECHO",
            "INCR a b",
            "DECR",
            "GETDEL a b",
        ),
        ("",),
        ("", "a"),
    ],
    "set_get_basic": [
        *cs(
            "GET k",
            "SET k v",
            "GET k",
            "SET k w",
            "GET k",
            "STRLEN k",
            "STRLEN nokey",
            "TYPE k",
            "TYPE nokey",
            "EXISTS k nokey k",
            "DBSIZE",
        ),
        ("SET", "empty", ""),
        ("GET", "empty"),
        ("STRLEN", "empty"),
        ("SET", "ключ", "значение ✓"),
        ("GET", "ключ"),
        ("STRLEN", "ключ"),
        ("SET", "sp ace", "a b c"),
        ("GET", "sp ace"),
        ("SET", "x" * 2000, "y" * 5000),
        ("STRLEN", "x" * 2000),
    ],
    "set_options": cs(
        "SET k v NX",
        "SET k v2 NX",
        "GET k",
        "SET k v3 XX",
        "GET k",
        "SET nokey v XX",
        "EXISTS nokey",
        "SET k v NX XX",
        "SET k v XX NX",
        "SET k v EX 10 PX 100",
        "SET k v EX 10 KEEPTTL",
        "SET k v PX 10 EXAT 99999999999",
        "SET k v EX",
        "SET k v PX",
        "SET k v EX abc",
        "SET k v EX 1.5",
        "SET k v EX 0",
        "SET k v EX -5",
        "SET k v PX 0",
        "SET k v EXAT 0",
        "SET k v PXAT -1",
        "SET k v EX 9223372036854775807",
        "SET k v PX 9223372036854775807",
        "SET k v EX 9223372036854775808",
        "SET k v BOGUS",
        "SET k v ex 100",
        "TTL k",
        "SET k v KEEPTTL",
        "TTL k",
        "SET k v",
        "TTL k",
        "SET k v EX 100 EX 200",
        "TTL k",
        "SET k v NX NX",
        "SET k v KEEPTTL KEEPTTL",
        "GET k",
        "SET k v nx",
        "SET k v xx px 5000",
        "PTTL k",
    ),
    "set_get_option": cs(
        "SET k v1 GET",
        "SET k v2 GET",
        "GET k",
        "SET k v3 NX GET",
        "GET k",
        "SET n v NX GET",
        "GET n",
        "SET k v4 XX GET",
        "SET missing v XX GET",
        "EXISTS missing",
        "SET k v5 GET EX 100",
        "TTL k",
        "SET k v6 GET KEEPTTL",
        "TTL k",
        "SET k v7 GET GET",
        "GET k",
    ),
    "set_exat_pxat": [
        ("SET", "k", "v", "EXAT", str(int(time.time()) + 3600)),
        c("TTL k"),
        ("SET", "p", "v", "PXAT", str(int(time.time() * 1000) + 50_000)),
        c("PTTL p"),
        c("SET past v EXAT 1"),
        c("GET past"),
        c("EXISTS past"),
        c("SET past2 v PXAT 1000"),
        c("GET past2"),
        Info("stats"),
    ],
    "getset_setnx_setex_psetex": cs(
        "GETSET k v1",
        "GETSET k v2",
        "GET k",
        "SETNX k x",
        "SETNX n x",
        "GET n",
        "SETEX k 100 v",
        "TTL k",
        "GET k",
        "SETEX k 0 v",
        "SETEX k -1 v",
        "SETEX k abc v",
        "SETEX k 9223372036854775807 v",
        "PSETEX p 5000 v",
        "PTTL p",
        "PSETEX p 0 v",
        "PSETEX p -10 v",
        "PSETEX p 1.5 v",
        "SET t v EX 100",
        "GETSET t w",
        "TTL t",
        "GET t",
    ),
    "getdel_getex": cs(
        "GETDEL nokey",
        "SET k v EX 100",
        "GETDEL k",
        "EXISTS k",
        "GETDEL k",
        "SET k v",
        "GETEX k",
        "TTL k",
        "GETEX k EX 100",
        "TTL k",
        "GETEX k PX 50000",
        "PTTL k",
        "GETEX k PERSIST",
        "TTL k",
        "GETEX k EX 0",
        "GETEX k EX -1",
        "GETEX k EX abc",
        "GETEX k EX 10 PX 100",
        "GETEX k EX 10 PERSIST",
        "GETEX k PERSIST EX 10",
        "GETEX k BOGUS",
        "GETEX k EX",
        "GETEX nokey EX 10",
        "GETEX nokey PERSIST",
        "GETEX k EXAT 99999999999",
        "EXPIRETIME k",
        "GETEX k PXAT 99999999999000",
        "PEXPIRETIME k",
        "GETEX k EXAT 1",
        "EXISTS k",
        "GET k",
        "SET k v",
        "GETEX k EX 9223372036854775807",
        "GETEX k KEEPTTL",
        "GETEX k NX",
    ),
    "mset_mget_msetnx": cs(
        "MSET a 1 b 2 c 3",
        "MGET a b c nokey a",
        "MSET a x a y",
        "GET a",
        "MSETNX a 1 z 2",
        "EXISTS z",
        "MSETNX y 1 z 2",
        "MGET y z",
        "MSETNX q 1 q 2",
        "GET q",
        "MSET a",
        "MSETNX a 1 b",
        "SET t v EX 100",
        "MSET t w",
        "TTL t",
    ),
    "incr_decr": cs(
        "INCR n",
        "INCR n",
        "INCRBY n 10",
        "DECR n",
        "DECRBY n 5",
        "GET n",
        "INCRBY n -3",
        "DECRBY n -3",
        "SET s abc",
        "INCR s",
        "INCRBY s 1",
        "DECR s",
        "SET f 1.5",
        "INCR f",
        "SET plus +1",
        "INCR plus",
        "SET lead 01",
        "INCR lead",
        "SET neg -5",
        "INCR neg",
        "SET z -0",
        "INCR z",
        "INCRBY n abc",
        "INCRBY n 1.0",
        "INCRBY n 99999999999999999999",
        "SET max 9223372036854775807",
        "INCR max",
        "INCRBY max 0",
        "SET min -9223372036854775808",
        "DECR min",
        "DECRBY min 1",
        "DECRBY n -9223372036854775808",
        "INCRBY n -9223372036854775808",
        "GET n",
        "SET big 9223372036854775808",
        "INCR big",
        "SET e ''",
        "INCR e",
        "SET t 10 EX 100",
        "INCR t",
        "TTL t",
        "INCRBY t 5",
        "TTL t",
        "DECR t",
        "TTL t",
    )
    + [("SET", "sp", " 1"), ("INCR", "sp"), ("SET", "tab", "1\t"), ("INCR", "tab")],
    "append_strlen": [
        *cs(
            "APPEND k abc",
            "APPEND k def",
            "GET k",
            "STRLEN k",
            "SET t 1 EX 100",
            "APPEND t 2",
            "TTL t",
            "GET t",
            "INCR t",
            "APPEND t x",
            "STRLEN t",
        ),
        ("APPEND", "u", "é✓"),
        ("STRLEN", "u"),
        ("APPEND", "k", ""),
        ("GET", "k"),
    ],
    "del_unlink_exists_touch_type": cs(
        "MSET a 1 b 2 c 3",
        "DEL a nokey",
        "DEL a",
        "UNLINK b c nokey",
        "DBSIZE",
        "MSET a 1 b 2",
        "EXISTS a a b nokey",
        "TOUCH a b nokey a",
        "TYPE a",
        "TYPE nokey",
        "DEL a a",
        "EXISTS a",
        "DBSIZE",
    ),
    "keys_patterns": [
        c("MSET user:1 a user:2 b user:10 c uxer:1 d admin e u f h?llo g h*llo h hello i"),
        ("MSET", "[x]", "1", "a\\b", "2", "", "3", "é", "4", "hallo", "5", "hxllo", "6"),
        *cs(
            "KEYS *",
            "KEYS user:*",
            "KEYS user:?",
            "KEYS u*",
            "KEYS u?er:1",
            "KEYS *1*",
            "KEYS h[ae]llo",
            "KEYS h[^e]llo",
            "KEYS h[a-f]llo",
            "KEYS h\\?llo",
            "KEYS h\\*llo",
            "KEYS nomatch*",
            "KEYS [[]x]",
            "KEYS a\\\\b",
            "KEYS ?",
            "KEYS h[!e]llo",
            "KEYS h[e-a]llo",
            "KEYS *[",
            "KEYS [",
            "KEYS \\",
            "KEYS h[a-]llo",
        ),
        ("KEYS", ""),
        ("KEYS", "é"),
        ("KEYS", "?"),
        ("KEYS", "*\u00e9*"),
    ],
    "scan": [
        *[c(f"SET key:{i} v{i}") for i in range(40)],
        *cs("SET other x", "SET t v EX 100"),
        ScanAll(),
        ScanAll(options=("COUNT", "3")),
        ScanAll(options=("MATCH", "key:1*")),
        ScanAll(options=("MATCH", "key:1*", "COUNT", "1000")),
        ScanAll(options=("TYPE", "string")),
        ScanAll(options=("TYPE", "list")),
        ScanAll(options=("MATCH", "nomatch")),
        *cs(
            "SCAN abc",
            "SCAN 0 COUNT 0",
            "SCAN 0 COUNT -1",
            "SCAN 0 COUNT abc",
            "SCAN 0 MATCH",
            "SCAN 0 BOGUS x",
            "SCAN 0 COUNT",
            "SCAN 18446744073709551616",
        ),
    ],
    "scan_empty": cs("SCAN 0", "SCAN 0 MATCH x* COUNT 10"),
    "argument_check_order": cs(
        # Which check wins when several are wrong, and lookups that come before validation.
        "GETEX nokey EX abc",
        "GETEX nokey EX 0",
        "GETEX nokey PX -5",
        "GETEX nokey EX 10 PX 5",
        "GETEX nokey BOGUS",
        "SET k v",
        "GETEX k EX abc",
        "EXPIRE k abc BOGUS",
        "EXPIRE nokey abc",
        "EXPIRE nokey -5",
        "EXPIRE nokey 10 BOGUS",
        "PEXPIREAT nokey abc NX XX",
        "EXPIRE k abc NX GT",
        "EXPIRE k abc GT LT",
        "SET n v EX abc NX XX",
        "SET k v EX 0 GET",
        "SET k v EX abc GET",
        "SETEX k abc v",
        "INCRBY nokey abc",
        "DECRBY k 1",
        "SET k v GET NX XX",
        "SET k v PX abc KEEPTTL",
        "RENAME nokey nokey",
        "OBJECT FREQ nokey extra",
        "CONFIG GET",
        "CONFIG SET hz",
        "CONFIG SET hz 10 maxmemory",
        "EXPIRETIME k extra",
        "SCAN abc COUNT 0",
    ),
    "rename": cs(
        "RENAME nokey x",
        "RENAMENX nokey x",
        "SET a 1 EX 100",
        "RENAME a b",
        "EXISTS a",
        "GET b",
        "TTL b",
        "SET c 3",
        "RENAME b c",
        "TTL c",
        "GET c",
        "SET d 4",
        "RENAMENX c d",
        "RENAMENX c e",
        "GET e",
        "TTL e",
        "RENAME e e",
        "RENAMENX e e",
        "GET e",
        "RENAME d d",
        "TTL d",
    ),
    "randomkey": cs("RANDOMKEY", "SET only v", "RANDOMKEY", "DEL only", "RANDOMKEY"),
    "expire_family": cs(
        "EXPIRE nokey 10",
        "SET k v",
        "EXPIRE k 100",
        "TTL k",
        "PTTL k",
        "EXPIRE k abc",
        "EXPIRE k 1.5",
        "EXPIRE k 9223372036854775807",
        "EXPIRE k 9223372036854775",
        "TTL k",
        "PEXPIRE k 9223372036854775807",
        "EXPIREAT k 9223372036854775807",
        "PEXPIREAT k 9223372036854775807",
        "EXPIRE k 200",
        "PEXPIRE k 300000",
        "PTTL k",
        "EXPIREAT k 99999999999",
        "EXPIRETIME k",
        "PEXPIRETIME k",
        "PEXPIREAT k 99999999999999",
        "PEXPIRETIME k",
        "EXPIRETIME k",
        "EXPIRETIME nokey",
        "PEXPIRETIME nokey",
        "SET p v",
        "EXPIRETIME p",
        "PEXPIRETIME p",
        "PERSIST p",
        "PERSIST k",
        "TTL k",
        "PERSIST k",
        "PERSIST nokey",
        "EXPIRE k -1",
        "EXISTS k",
        "SET k v",
        "PEXPIRE k 0",
        "EXISTS k",
        "SET k v",
        "EXPIREAT k 1",
        "EXISTS k",
        "SET k v",
        "PEXPIREAT k 0",
        "GET k",
        "TTL nokey",
        "PTTL nokey",
        "SET k v",
        "TTL k",
        "PTTL k",
        "EXPIRE k -9223372036854775808",
        "SET k v",
        "PEXPIRE k -9223372036854775808",
    ),
    "expire_options": cs(
        "SET k v",
        "EXPIRE k 100 XX",
        "TTL k",
        "EXPIRE k 100 GT",
        "TTL k",
        "EXPIRE k 100 LT",
        "TTL k",
        "EXPIRE k 100 NX",
        "TTL k",
        "EXPIRE k 50 NX",
        "TTL k",
        "EXPIRE k 200 XX",
        "TTL k",
        "EXPIRE k 100 GT",
        "EXPIRE k 300 GT",
        "TTL k",
        "EXPIRE k 400 LT",
        "EXPIRE k 150 LT",
        "TTL k",
        "EXPIRE k 10 NX XX",
        "EXPIRE k 10 GT LT",
        "EXPIRE k 10 NX GT",
        "EXPIRE k 10 NX LT",
        "EXPIRE k 10 XX GT",
        "TTL k",
        "EXPIRE k 10 BOGUS",
        "EXPIRE k 10 nx",
        "EXPIRE k 10 xx gt",
        "TTL k",
        "PEXPIRE k 5000 LT",
        "PTTL k",
        "PEXPIRE k 99999999 GT",
        "PTTL k",
        "EXPIREAT k 99999999999 GT",
        "EXPIRETIME k",
        "PEXPIREAT k 1 XX GT",
        "EXISTS k",
        "SET k v",
        "EXPIRE k -1 LT",
        "EXISTS k",
        "SET k v",
        "EXPIRE k 100 GT GT",
        "EXPIRE k 100 XX XX",
        "EXPIRE nokey 10 NX",
        "EXPIRE k 10 NX NX",
        "TTL k",
    ),
    "ttl_rounding": [
        c("SET a v PX 1499"),
        c("TTL a"),
        c("SET b v PX 1501"),
        c("TTL b"),
        c("SET c v PX 400"),
        c("TTL c"),
        c("SET d v PX 600"),
        c("TTL d"),
        c("SET e v PX 999999"),
        c("TTL e"),
        c("PTTL e"),
    ],
    "expiry_after_sleep": [
        c("SET a v PX 150"),
        c("SET b v EX 100"),
        c("PSETEX c 150 v"),
        c("SET d 5 PX 150"),
        c("SET e v"),
        c("PEXPIRE e 150"),
        c("SET f v PX 150"),
        c("SET g v PX 150"),
        c("SET h v PX 150"),
        c("SET i v PX 150"),
        c("SET j v PX 150"),
        c("EXISTS a c d e f"),
        Sleep(0.45),
        c("GET a"),
        c("TTL a"),
        c("PTTL c"),
        c("EXISTS c e"),
        c("INCR d"),
        c("TTL d"),
        c("APPEND f x"),
        c("TTL f"),
        c("SETNX g new"),
        c("GETDEL h"),
        c("RENAME i z"),
        c("STRLEN j"),
        c("TYPE j"),
        c("GET b"),
        c("KEYS *"),
        c("DBSIZE"),
        Info("stats"),
        Info("keyspace"),
    ],
    "expiry_with_set_options": [
        c("SET a old PX 150"),
        c("SET b old PX 150"),
        c("SET c old PX 150"),
        c("SET d old PX 150"),
        c("SET e old PX 150"),
        c("SET f old PX 150"),
        Sleep(0.45),
        c("SET a new NX"),
        c("SET b new XX"),
        c("SET c new GET"),
        c("GETSET d new"),
        c("MSETNX e 1 f 2"),
        c("MGET a b c d e f"),
        c("EXPIRE b 10"),
        c("EXPIRETIME c"),
        c("PERSIST d"),
        c("TOUCH a b c d e f"),
        c("GETEX e PERSIST"),
        Info("stats"),
    ],
    "expired_keys_under_writes": [
        *cs(
            "SET a v PX 150",
            "SET b v PX 150",
            "SET c v PX 150",
            "SET d v PX 150",
            "SET e v PX 150",
            "SET f v PX 150",
            "SET g v PX 150",
            "SET h v PX 150",
            "SET i v PX 150",
            "SET live v EX 100",
            "SET dest v EX 100",
        ),
        Sleep(0.45),
        *cs(
            "DEL a live",
            "UNLINK b",
            "EXPIRE c 100",
            "PEXPIRE d 100 XX",
            "PERSIST e",
            "TOUCH f live",
            "GETEX g EX 100",
            "MSETNX h 1 new 2",
            "GET h",
            "RENAME live dest",
            "TTL dest",
            "SET i v GET EXAT 1",
            "EXISTS i",
            "MGET a b c d e f g h i live dest new",
            "DBSIZE",
        ),
    ],
    "integer_argument_forms": cs(
        "SET n 10",
        "INCRBY n +5",
        "INCRBY n 05",
        "INCRBY n -0",
        "INCRBY n ' 1'",
        "DECRBY n +1",
        "SET k v",
        "EXPIRE k 010",
        "TTL k",
        "EXPIRE k +20",
        "TTL k",
        "EXPIRE k -0",
        "EXISTS k",
        "SET k v EX 010",
        "TTL k",
        "SET k v EX +10",
        "SET k v PX 0x10",
        "SETEX k 07 v",
        "TTL k",
        "SCAN 00",
        "SCAN +0",
        "SCAN 0 COUNT 05",
        "SCAN 0 COUNT +5",
        "CONFIG SET maxmemory-samples 05",
        "CONFIG GET maxmemory-samples",
        "CONFIG SET maxmemory-samples +6",
        "CONFIG GET maxmemory-samples",
        "CONFIG SET hz 07",
        "CONFIG GET hz",
        "CONFIG SET maxmemory 1GB",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 1Gb",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 1g",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 1.5mb",
        "CONFIG SET maxmemory 10000b",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 2K",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 010",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory +5",
        "CONFIG SET maxmemory 05mb",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 0",
        "CONFIG SET lfu-log-factor 010",
        "CONFIG GET lfu-log-factor",
        "CONFIG SET hz -1",
        "CONFIG SET lfu-decay-time -1",
        "CONFIG SET lfu-decay-time +1",
    ),
    "rename_ttl_rules": cs(
        "SET src v",
        "SET dst w EX 100",
        "RENAME src dst",
        "TTL dst",
        "SET src v PX 90000",
        "RENAME src dst",
        "PTTL dst",
        "SET other x",
        "RENAMENX dst other",
        "RENAMENX dst fresh",
        "PTTL fresh",
        "EXISTS dst",
    ),
    "keepttl_and_overwrite": cs(
        "SET k v EX 100",
        "SET k v2 KEEPTTL",
        "TTL k",
        "SET k v3",
        "TTL k",
        "SET k v4 EX 50",
        "SET k v5 KEEPTTL XX",
        "TTL k",
        "SET k v6 KEEPTTL NX",
        "SET k v7 KEEPTTL GET",
        "TTL k",
        "MSET k plain",
        "TTL k",
        "SET k v EX 100",
        "SETEX k 200 v",
        "TTL k",
        "SET k 1 EX 100",
        "INCRBY k 2",
        "TTL k",
        "GET k",
    ),
    "dbsize_flush": cs(
        "DBSIZE",
        "MSET a 1 b 2 c 3",
        "DBSIZE",
        "FLUSHDB",
        "DBSIZE",
        "MSET a 1 b 2",
        "FLUSHALL",
        "DBSIZE",
        "SET a 1",
        "FLUSHALL ASYNC",
        "DBSIZE",
        "SET a 1",
        "FLUSHALL SYNC",
        "DBSIZE",
        "FLUSHALL BOGUS",
        "FLUSHDB x y",
        "FLUSHDB ASYNC",
        "FLUSHDB SYNC",
        "flushall",
    ),
    "config_get_set": cs(
        "CONFIG GET maxmemory",
        "CONFIG GET maxmemory-policy",
        "CONFIG GET maxmemory-samples",
        "CONFIG GET lfu-log-factor",
        "CONFIG GET lfu-decay-time",
        "CONFIG GET hz",
        "CONFIG GET MAXMEMORY-POLICY",
        "CONFIG GET nosuchoption",
        "CONFIG SET maxmemory-policy allkeys-lru",
        "CONFIG GET maxmemory-policy",
        "CONFIG SET maxmemory-policy ALLKEYS-LFU",
        "CONFIG GET maxmemory-policy",
        "CONFIG SET maxmemory-policy volatile-ttl",
        "CONFIG SET maxmemory-policy volatile-random",
        "CONFIG SET maxmemory-policy allkeys-random",
        "CONFIG SET maxmemory-policy volatile-lfu",
        "CONFIG SET maxmemory-policy volatile-lru",
        "CONFIG GET maxmemory-policy",
        "CONFIG SET maxmemory-policy bogus",
        "CONFIG GET maxmemory-policy",
        "CONFIG SET maxmemory 100mb",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 1gb",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 1024k",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory 12345",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory -1",
        "CONFIG SET maxmemory abc",
        "CONFIG SET maxmemory 0",
        "CONFIG GET maxmemory",
        "CONFIG SET maxmemory-samples 10",
        "CONFIG GET maxmemory-samples",
        "CONFIG SET maxmemory-samples 0",
        "CONFIG SET maxmemory-samples abc",
        "CONFIG SET lfu-log-factor 0",
        "CONFIG GET lfu-log-factor",
        "CONFIG SET lfu-log-factor -1",
        "CONFIG SET lfu-decay-time 5",
        "CONFIG GET lfu-decay-time",
        "CONFIG SET lfu-decay-time x",
        "CONFIG SET hz 100",
        "CONFIG GET hz",
        "CONFIG SET hz 0",
        "CONFIG GET hz",
        "CONFIG SET hz 1000",
        "CONFIG GET hz",
        "CONFIG SET hz 501",
        "CONFIG GET hz",
        "CONFIG SET nosuchoption 1",
        "CONFIG SET maxmemory",
        "CONFIG GET",
        "CONFIG BOGUS",
        "CONFIG SET maxmemory-samples 5 maxmemory-policy allkeys-lru",
        "CONFIG GET maxmemory-policy",
        "CONFIG GET maxmemory-samples",
    ),
    "info_stats": [
        *cs(
            "SET a 1",
            "GET a",
            "GET a",
            "GET nokey",
            "MGET a nokey b",
            "EXISTS a nokey",
            "TTL a",
            "STRLEN a",
            "INCR a",
            "GETDEL a",
            "GETDEL a",
        ),
        Info("stats"),
        Info("memory"),
        Info("keyspace"),
        Info(),
        *cs("SET t v EX 100", "SET u v"),
        Info("keyspace"),
        c("CONFIG SET maxmemory-policy allkeys-lfu"),
        c("CONFIG SET maxmemory 1000000000"),
        Info("memory"),
        Info("Stats"),
        c("INFO bogus"),
        Info("stats keyspace"),
        Info("memory stats"),
        Info("all"),
        Info("default"),
        Info("everything"),
    ],
    "refcount_memory_resetstat": cs(
        "SET a 1",
        "SET b hello",
        "SET big 123456789012",
        "RPUSH l x",
        "OBJECT REFCOUNT a",
        "OBJECT REFCOUNT b",
        "OBJECT REFCOUNT big",
        "OBJECT REFCOUNT l",
        "OBJECT REFCOUNT nokey",
        "OBJECT REFCOUNT",
        "OBJECT REFCOUNT a b",
        "MEMORY",
        "MEMORY USAGE",
        "MEMORY NOPE",
        "MEMORY USAGE a SAMPLES x",
        "MEMORY USAGE a SAMPLES",
        "MEMORY USAGE a FOO 1",
        "MEMORY USAGE nokey",
        "MEMORY USAGE nokey SAMPLES 0",
        "MEMORY HELP",
        "memory help",
        "MEMORY HELP x",
        "OBJECT HELP",
        "OBJECT HELP x",
        "CONFIG HELP",
        "Config Help",
        "CONFIG HELP x",
        "CONFIG REWRITE",
        "CONFIG REWRITE x",
        "GET a",
        "GET nokey",
        "CONFIG RESETSTAT x",
        "CONFIG RESETSTAT",
        "GET a",
    ),
    "object_lfu": cs(
        "CONFIG SET maxmemory-policy allkeys-lfu",
        "SET k v",
        "OBJECT FREQ k",
        "SET k v2",
        "OBJECT FREQ k",
        "SET n v",
        "GET n",
        "OBJECT FREQ n",
        "OBJECT FREQ nokey",
        "OBJECT IDLETIME n",
        "OBJECT IDLETIME nokey",
        "OBJECT BOGUS n",
        "OBJECT FREQ",
        "OBJECT FREQ a b",
        "CONFIG SET maxmemory-policy volatile-lfu",
        "SET m v",
        "OBJECT FREQ m",
        "OBJECT IDLETIME m",
        "CONFIG SET maxmemory-policy allkeys-lru",
        "SET r v",
        "OBJECT IDLETIME r",
        "OBJECT FREQ r",
        "OBJECT FREQ nokey",
        "OBJECT IDLETIME nokey",
        "CONFIG SET maxmemory-policy noeviction",
        "SET q v",
        "OBJECT FREQ q",
        "OBJECT IDLETIME q",
    ),
    "object_idletime_after_sleep": [
        c("SET a v"),
        c("SET b v"),
        Sleep(1.2),
        c("GET a"),
        c("OBJECT IDLETIME a"),
        c("OBJECT IDLETIME b"),
    ],
    "oom_noeviction": [
        c("SET a v"),
        c("SET b v EX 100"),
        c("CONFIG SET maxmemory 1"),
        c("SET c v"),
        c("GET a"),
        c("INCR a"),
        c("APPEND a x"),
        c("MSET x 1"),
        c("SETNX y 1"),
        c("EXPIRE a 100"),
        c("DEL a"),
        c("EXISTS a b"),
        c("DBSIZE"),
        c("CONFIG SET maxmemory 0"),
        c("SET c v"),
        c("GET c"),
        Info("stats"),
    ],
    "oom_volatile_without_ttl_keys": [
        c("SET a v"),
        c("SET b v"),
        c("CONFIG SET maxmemory-policy volatile-lru"),
        c("CONFIG SET maxmemory 1"),
        c("SET c v"),
        c("CONFIG SET maxmemory-policy volatile-ttl"),
        c("SET c v"),
        c("CONFIG SET maxmemory-policy volatile-random"),
        c("SET c v"),
        c("CONFIG SET maxmemory-policy volatile-lfu"),
        c("SET c v"),
        c("DBSIZE"),
        c("CONFIG SET maxmemory 0"),
        Info("stats"),
    ],
    # over maxmemory with nothing evictable: every denyoom write is refused before it is
    # parsed (OOM before a syntax error or WRONGTYPE; an arity error still comes first), the
    # other commands run
    "oom_denyoom_writes_refused_reads_and_deletes_run": [
        c("SET a 1"),
        c("SET s v"),
        c("SET t v EX 100"),
        c("CONFIG SET maxmemory 1"),
        *cs(
            "SET a 2 XX",
            "SET new v NX",
            "SET a v NX XX",
            "SET a",
            "GETSET a 3",
            "SETEX a 10 v",
            "PSETEX a 100 v",
            "SETNX a v",
            "MSETNX p 1 q 2",
            "MSET a",
            "INCRBY a 5",
            "DECRBY a 5",
            "DECR a",
            "INCR s",
            "APPEND s x",
            "APPEND s",
            "GET a",
            "MGET a s t",
            "STRLEN s",
            "GETEX a PX 5000",
            "PTTL a",
            "PERSIST a",
            "EXPIRE s 100 GT",
            "EXPIRE s 100 LT",
            "TTL s",
            "RENAME s s2",
            "GETDEL s2",
            "DEL t",
            "DBSIZE",
            "CONFIG SET maxmemory 0",
            "SET a 9",
            "GET a",
        ),
        Info("stats"),
    ],
    **{
        f"oom_{policy}_cannot_get_under": [
            c("SET plain1 v"),
            c("SET plain2 v"),
            c("SET v1 v EX 100"),
            c("SET v2 v EX 200"),
            c(f"CONFIG SET maxmemory-policy {policy}"),
            c("CONFIG SET maxmemory 1"),
            c("SET x v"),  # evicts both keys with a TTL, still over: OOM
            c("EXISTS plain1 plain2 v1 v2 x"),
            c("INCR plain1"),
            c("GET plain1"),
            c("EXPIRE plain1 100"),
            c("SET plain1 v"),  # the key just given a TTL goes, still over
            c("DBSIZE"),
            c("CONFIG SET maxmemory 0"),
            Info("stats"),
        ]
        for policy in ("volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl")
    },
    # no TTL counts as an infinite one: GT never sets it, LT always does
    "expire_gt_lt_on_a_key_without_ttl": cs(
        "SET k v",
        "EXPIRE k 100 GT",
        "TTL k",
        "PEXPIRE k 100000 GT",
        "EXPIREAT k 99999999999 GT",
        "PEXPIREAT k 99999999999999 GT",
        "TTL k",
        "EXPIRE k 100 LT",
        "TTL k",
        "PERSIST k",
        "PEXPIRE k 200000 LT",
        "PTTL k",
        "PERSIST k",
        "EXPIREAT k 99999999999 LT",
        "EXPIRETIME k",
        "PERSIST k",
        "PEXPIREAT k 99999999999999 LT",
        "PEXPIRETIME k",
        "PERSIST k",
        "EXPIRE k 100 XX GT",
        "EXPIRE k 100 XX LT",
        "TTL k",
        "EXPIRE k -5 GT",
        "EXISTS k",
        "EXPIRE k -5 LT",
        "EXISTS k",
        "PEXPIRE nokey 100 LT",
        "EXPIRE nokey 100 GT",
    ),
    "volatile_eviction_empties_ttl_keys": [
        c("SET a v"),
        c("SET b v EX 100"),
        c("SET c v EX 200"),
        c("SET d v PX 300000"),
        c("CONFIG SET maxmemory-policy volatile-ttl"),
        c("CONFIG SET maxmemory 1"),
        c("SET e v"),
        c("DBSIZE"),
        c("EXISTS a b c d e"),
        c("CONFIG SET maxmemory 0"),
        Info("stats"),
    ],
}


# With lfu-log-factor 0 every access increments the LFU counter by exactly 1 (p = 1/(b*0+1)), and
# with lfu-decay-time 0 it never decays, so OBJECT FREQ shows which commands count as an access.
# A non-zero maxmemory stops Redis from sharing small-integer value objects (whose LRU/LFU field
# would be shared by every key holding that integer).
CASES["lfu_counter_touch_rules"] = [
    *cs(
        "CONFIG SET lfu-log-factor 0",
        "CONFIG SET lfu-decay-time 0",
        "CONFIG SET maxmemory 1gb",
        "CONFIG SET maxmemory-policy allkeys-lfu",
        "SET k 1",
        "OBJECT FREQ k",
    ),
    *[
        c(line)
        for cmd in (
            "GET k",
            "STRLEN k",
            "INCR k",
            "APPEND k 0",
            "GETEX k",
            "MGET k k",
            "SET k 5",
            "SET k 6 XX",
            "GETSET k 7",
            "TOUCH k",
            "EXISTS k",
            "TTL k",
            "PTTL k",
            "TYPE k",
            "EXPIRETIME k",
            "EXPIRE k 100",
            "PERSIST k",
            "OBJECT FREQ k",
            "SETNX k x",
            "SET k 8 NX",
            "MSET k 9",
            "INCRBY k 2",
            "GETDEL k",
        )
        for line in (cmd, "OBJECT FREQ k")
    ],
    # (no access after lfu-log-factor goes back to 10: the increment is then random, p = 1/21,
    # and Redis's own RNG would make the comparison flaky)
    *cs(
        "SET r v",
        "RENAME r r2",
        "OBJECT FREQ r2",
        "GET r2",
        "OBJECT FREQ r2",
        "CONFIG SET lfu-log-factor 10",
        "OBJECT FREQ r2",
    ),
]
CASES["lru_touch_rules_after_sleep"] = [
    *cs(
        "CONFIG SET maxmemory 1gb",
        "CONFIG SET maxmemory-policy allkeys-lru",
        "MSET a 1 b 2 c 3 d 4 e 5 f 6",
    ),
    Sleep(2.3),
    *cs(
        "EXISTS a",
        "TTL a",
        "TYPE a",
        "OBJECT FREQ a",
        "TOUCH b",
        "GET c",
        "STRLEN d",
        "SET e x",
        "EXPIRE f 100",
        "OBJECT IDLETIME a",
        "OBJECT IDLETIME b",
        "OBJECT IDLETIME c",
        "OBJECT IDLETIME d",
        "OBJECT IDLETIME e",
        "OBJECT IDLETIME f",
    ),
]


@pytest.mark.parametrize("name", sorted(CASES))
def test_scripted_case(pair: Pair, name: str) -> None:
    # hit/miss/expired/evicted counters and the keyspace line must agree after every case
    pair.run_case(CASES[name], name)


# --------------------------------------------------------------------------- random sequences

KEYS = ["a", "b", "c", "d", "n", "user:1", "user:2", "é"]
VALUES = ["x", "hello", "0", "1", "-7", "42", "9223372036854775807", "", "3.5", " 1", "ü✓"]
INTS = [
    "0",
    "1",
    "-1",
    "5",
    "100",
    "-100",
    "abc",
    "1.5",
    "9223372036854775807",
    "-9223372036854775808",
    "",
]


def _ttl_option(rng: random.Random) -> list[str]:
    choice = rng.randrange(8)
    now = int(time.time())
    if choice == 0:
        return ["EX", str(rng.randint(100, 1000))]
    if choice == 1:
        return ["PX", str(rng.randint(100_000, 1_000_000))]
    if choice == 2:
        return ["EXAT", str(now + rng.randint(100, 1000))]
    if choice == 3:
        return ["PXAT", str((now + rng.randint(100, 1000)) * 1000)]
    if choice == 4:
        return ["KEEPTTL"]
    if choice == 5:
        return ["EX", rng.choice(["0", "-1", "abc"])]
    return []


def random_command(rng: random.Random) -> tuple[str, ...]:
    """One command from the engine's list, with arguments drawn from small pools.

    TTLs are long (100 s or more) or already in the past, so nothing expires while the sequence
    runs and the replies do not depend on timing.
    """
    k = rng.choice(KEYS)
    k2 = rng.choice(KEYS)
    v = rng.choice(VALUES)
    n = rng.choice(INTS)
    kind = rng.randrange(30)
    if kind == 0:
        opts = _ttl_option(rng) + rng.sample(["NX", "XX", "GET"], rng.randint(0, 2))
        if rng.random() < 0.1:
            rng.shuffle(opts)
        return ("SET", k, v, *opts)
    if kind == 1:
        return ("GET", k)
    if kind == 2:
        return (rng.choice(["INCR", "DECR"]), k)
    if kind == 3:
        return (rng.choice(["INCRBY", "DECRBY"]), k, n)
    if kind == 4:
        return ("APPEND", k, v)
    if kind == 5:
        return (rng.choice(["DEL", "UNLINK", "EXISTS", "TOUCH"]), k, k2)
    if kind == 6:
        return ("MSET", k, v, k2, rng.choice(VALUES))
    if kind == 7:
        return ("MSETNX", k, v, k2, rng.choice(VALUES))
    if kind == 8:
        return ("MGET", k, k2, rng.choice(KEYS))
    if kind == 9:
        return (rng.choice(["RENAME", "RENAMENX"]), k, k2)
    if kind == 10:
        opt = rng.choice([[], [], ["NX"], ["XX"], ["GT"], ["LT"], ["NX", "GT"]])
        return ("EXPIRE", k, rng.choice(["100", "500", "-1", "abc", "2000"]), *opt)
    if kind == 11:
        return (
            "PEXPIRE",
            k,
            rng.choice(["100000", "900000", "0"]),
            *rng.choice([[], ["GT"], ["LT"], ["XX"]]),
        )
    if kind == 12:
        when = int(time.time()) + rng.choice([300, 600, -10])
        name = rng.choice(["EXPIREAT", "PEXPIREAT"])
        stamp = when * 1000 if name == "PEXPIREAT" else when
        return (name, k, str(stamp), *rng.choice([[], ["NX"], ["GT"]]))
    if kind == 13:
        return (rng.choice(["TTL", "PTTL", "EXPIRETIME", "PEXPIRETIME"]), k)
    if kind == 14:
        return ("PERSIST", k)
    if kind == 15:
        return ("TYPE", k)
    if kind == 16:
        return ("STRLEN", k)
    if kind == 17:
        return ("GETDEL", k)
    if kind == 18:
        return (
            "GETEX",
            k,
            *rng.choice(
                [
                    [],
                    ["PERSIST"],
                    ["EX", "300"],
                    ["PX", "400000"],
                    ["EX", "0"],
                    ["EX", "1", "PX", "2"],
                ]
            ),
        )
    if kind == 19:
        return ("GETSET", k, v)
    if kind == 20:
        return ("SETNX", k, v)
    if kind == 21:
        return (rng.choice(["SETEX", "PSETEX"]), k, rng.choice(["200", "0", "abc", "300000"]), v)
    if kind == 22:
        return ("KEYS", rng.choice(["*", "user:*", "?", "[a-c]", "*:?"]))
    if kind == 23:
        return ("DBSIZE",)
    if kind == 24:
        return ("RANDOMKEY",)
    if kind == 25:
        return ("EXISTS", k, k, k2)
    if kind == 26:
        return ("DEL", k)
    if kind == 27:
        return ("SET", k, v)
    if kind == 28:
        return ("ECHO", v) if rng.random() < 0.5 else ("PING",)
    return rng.choice([("GET",), ("SET", k), ("NOSUCH", k), ("INCRBY", k), ("MSET", k)])


# "lfu": counters that count every access exactly (see lfu_counter_touch_rules), so OBJECT FREQ
# after a random sequence shows whether each command touched the key as Redis does.
RANDOM_MODES = {
    "plain": [],
    "lfu": [
        c("CONFIG SET lfu-log-factor 0"),
        c("CONFIG SET lfu-decay-time 0"),
        c("CONFIG SET maxmemory 1gb"),
        c("CONFIG SET maxmemory-policy allkeys-lfu"),
    ],
}


@pytest.mark.parametrize("mode", sorted(RANDOM_MODES))
@pytest.mark.parametrize("seed", range(12))
def test_random_sequence(pair: Pair, seed: int, mode: str) -> None:
    rng = random.Random(seed)
    pair.run(RANDOM_MODES[mode], f"{mode} setup")
    stats_diverged = False
    for index in range(300):
        if mode == "lfu" and rng.random() < 0.15:
            command: tuple[str, ...] = ("OBJECT", "FREQ", rng.choice(KEYS))
        else:
            command = random_command(rng)
        label = f"{mode} seed {seed} step {index}"
        pair.step(command, label)
        if command[0] == "RANDOMKEY":
            _check_randomkey(pair, label)
        if not stats_diverged:  # name the first command after which the counters differ
            before = len(pair.mismatches)
            pair.step(Info("stats"), f"{label} (stats after {format_command(command)})")
            stats_diverged = len(pair.mismatches) > before
    final = f"{mode} seed {seed} final"
    pair.step(("KEYS", "*"), final)
    pair.step(Info("keyspace"), final)
    pair.step(Info("stats"), final)
    for key in KEYS:
        pair.step(("OBJECT", "FREQ", key) if mode == "lfu" else ("GET", key), final)
        pair.step(("PTTL", key), final)
    pair.check()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seeds=st.lists(st.integers(min_value=0, max_value=2**32 - 1), min_size=1, max_size=40))
def test_hypothesis_sequence(redis_client: RespClient, seeds: list[int]) -> None:
    """Like test_random_sequence, but hypothesis shrinks a failing sequence to a short one."""
    pair = fresh_pair(redis_client)
    for index, seed in enumerate(seeds):
        pair.step(random_command(random.Random(seed)), f"step {index}")
    pair.step(("KEYS", "*"), "final")
    pair.step(Info("stats"), "final")
    pair.step(Info("keyspace"), "final")
    for key in KEYS:
        pair.step(("PTTL", key), "final")
    pair.check()


def _check_randomkey(pair: Pair, label: str) -> None:
    """RANDOMKEY from kvengine must name a key that exists (checked on both sides)."""
    key = pair.engine_call("RANDOMKEY")
    if key.ok and key.value is not None:
        redis_has = pair.redis_call("EXISTS", key.value)
        engine_has = pair.engine_call("EXISTS", key.value)
        if redis_has != Outcome(True, 1) or engine_has != Outcome(True, 1):
            pair.mismatch(label, ("EXISTS", key.value), redis_has, engine_has)


def test_harness_compares_loose_replies() -> None:
    """The tolerance rules are the documented ones (guards the harness itself)."""
    ok = Outcome
    assert replies_match(("TTL", "k"), ok(True, 10), ok(True, 9))
    assert not replies_match(("TTL", "k"), ok(True, 10), ok(True, 8))
    assert not replies_match(("TTL", "k"), ok(True, -1), ok(True, 0))
    assert replies_match(("PTTL", "k"), ok(True, 5000), ok(True, 4900))
    assert not replies_match(("PTTL", "k"), ok(True, -2), ok(True, -1))
    assert replies_match(("KEYS", "*"), ok(True, ["a", "b"]), ok(True, ["b", "a"]))
    assert not replies_match(("KEYS", "*"), ok(True, ["a", "b"]), ok(True, ["a", "a"]))
    assert not replies_match(("GET", "k"), ok(True, "1"), ok(True, 1))
    assert not replies_match(("GET", "k"), ok(False, "ERR x"), ok(False, "ERR y"))
    assert info_fields(
        "# Stats\r\nkeyspace_hits:3\r\nother:1\r\n# Keyspace\r\ndb0:keys=2,expires=1,avg_ttl=5\r\n"
    ) == {"keyspace_hits": "3", "db0.keys": "2", "db0.expires": "1"}


def test_harness_loose_rules_still_catch_wrong_replies(pair: Pair) -> None:
    """The rules for hash order and random picks pass Redis's own answers and fail wrong ones
    (an engine whose replies are garbled after the fact)."""
    pair.run(
        cs(
            "HSET h a 1 b 2 c 3",
            "SADD s 1 2 3",
            "SADD t x y z",
            "ZADD z 1 a 2 b",
            "SADD p p1 p2 p3",
        ),
        "setup",
    )
    honest = pair.store.execute
    wrong = {
        ("HGETALL", "h"): ["c", "3", "b", "2", "a", "1"],  # a listpack answers in order
        ("SMEMBERS", "s"): ["3", "2", "1"],  # an intset answers in ascending order
        ("SSCAN", "s", "0"): ["0", ["2", "1", "3"]],
        ("HRANDFIELD", "h", "2"): ["a", "a"],  # a positive count never repeats
        ("HRANDFIELD", "h", "3"): ["b", "a", "c"],  # covering the hash: in its order
        ("SRANDMEMBER", "t", "-2"): ["x", "w"],  # not a member
        ("ZRANDMEMBER", "z", "1", "WITHSCORES"): ["a", "2"],  # not its score
        ("SMEMBERS", "t"): ["x", "y"],  # one member short
        ("SPOP", "p", "2"): ["p1", "p1"],  # the honest SPOP leaves one member to pop
    }
    for command, reply in wrong.items():
        before = len(pair.mismatches)
        pair.step(command, "honest")
        assert len(pair.mismatches) == before, pair.mismatches[before:]
        pair.store.execute = (  # type: ignore[method-assign]
            lambda *args, command=command, reply=reply: reply if args == command else honest(*args)
        )
        pair.step(command, "garbled")
        pair.store.execute = honest  # type: ignore[method-assign]
        assert len(pair.mismatches) == before + 1, command
