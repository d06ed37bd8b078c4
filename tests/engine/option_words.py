"""The words the engine's commands take as options, sub-commands or settings, for the tests
that put them in the wrong places (tests/engine/test_fuzz.py, test_failed_commands.py).

Both cases on purpose: command words are case-insensitive in Redis, setting names are not.
"""

from __future__ import annotations

OPTION_WORDS = [
    # SET, GETEX, EXPIRE, SCAN, MEMORY USAGE, FLUSHALL
    *("EX", "PX", "EXAT", "PXAT", "NX", "XX", "GT", "LT", "KEEPTTL", "GET", "PERSIST"),
    *("MATCH", "COUNT", "TYPE", "SAMPLES", "ASYNC", "SYNC", "sync", "string"),
    # CONFIG, OBJECT, MEMORY, INFO
    *("SET", "FREQ", "IDLETIME", "HELP", "help", "encoding", "freq", "usage"),
    *("maxmemory", "maxmemory-policy", "maxmemory-samples", "lfu-log-factor", "lfu-decay-time"),
    *("hz", "allkeys-lru", "allkeys-lfu", "volatile-ttl", "allkeys-random", "noeviction"),
    *("stats", "memory", "keyspace"),
    # lists, hashes, sets, sorted sets
    *("BEFORE", "AFTER", "LEFT", "RIGHT", "RANK", "MAXLEN", "WITHVALUES", "WITHSCORES"),
    *("BYSCORE", "BYLEX", "REV", "LIMIT", "WEIGHTS", "AGGREGATE", "SUM", "MIN", "MAX", "CH"),
    *("INCR", "-inf", "+inf", "(1", "[a", "-", "+"),
    # patterns and small numbers
    *("*", "a*", "?", "[", "[^a-", "\\", "0", "-1"),
]
