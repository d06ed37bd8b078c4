"""Server commands (server.c, config.c, object.c): PING, ECHO, DBSIZE, FLUSHALL, INFO,
CONFIG GET/SET/RESETSTAT, OBJECT ENCODING/FREQ/IDLETIME/REFCOUNT, MEMORY USAGE.

``CONFIG SET`` validates every pair before it applies any (Redis applies all or none), and a
lower ``maxmemory`` evicts at once. ``OBJECT`` and ``MEMORY USAGE`` work on any type through
:mod:`kvengine.values`.
"""

from __future__ import annotations

from typing import Any

from .. import errors
from ..errors import ResponseError
from ..evict import POLICIES
from ..glob import compile_pattern
from ..memory import parse_memory
from ..store import Store
from ..util import int_arg, parse_int
from ..values import is_shared_integer
from .registry import command, container, subcommand

REDIS_VERSION = "7.0.15"
INT_MAX = (1 << 31) - 1
INT_MIN = -(1 << 31)
LONG_MAX = (1 << 63) - 1


@command("ping", -1)
def cmd_ping(store: Store, argv: list[str]) -> str:
    if len(argv) > 2:
        raise ResponseError(errors.wrong_arity("ping"))
    return "PONG" if len(argv) == 1 else argv[1]


@command("echo", 2)
def cmd_echo(store: Store, argv: list[str]) -> str:
    return argv[1]


@command("dbsize", 1)
def cmd_dbsize(store: Store, argv: list[str]) -> int:
    return store.dbsize()


def _flush(store: Store, argv: list[str]) -> str:
    if len(argv) > 2 or (len(argv) == 2 and argv[1].lower() not in ("sync", "async")):
        raise ResponseError(errors.SYNTAX_ERROR)
    return store.flushall()


command("flushall", -1, "write")(_flush)
command("flushdb", -1, "write")(_flush)


# ---------------------------------------------------------------------- OBJECT
# The HELP replies are Redis 7.0.15's, line for line (object.c, config.c, and the header and
# footer of networking.c's addReplyHelp), so the console shows what redis-cli shows.
OBJECT_HELP = [
    "OBJECT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "ENCODING <key>",
    "    Return the kind of internal representation used in order to store the value",
    "    associated with a <key>.",
    "FREQ <key>",
    "    Return the access frequency index of the <key>. The returned integer is",
    "    proportional to the logarithm of the recent access frequency of the key.",
    "IDLETIME <key>",
    "    Return the idle time of the <key>, that is the approximated number of",
    "    seconds elapsed since the last access to the key.",
    "REFCOUNT <key>",
    "    Return the number of references of the value associated with the specified",
    "    <key>.",
    "HELP",
    "    Prints this help.",
]

container("object", OBJECT_HELP)


@subcommand("object", "encoding", 3)
def _object_encoding(store: Store, argv: list[str]) -> str | None:
    return store.object_encoding(argv[2])


@subcommand("object", "refcount", 3)
def _object_refcount(store: Store, argv: list[str]) -> int | None:
    value = store.lookup_read(argv[2], touch=False)
    if value is None:
        return None
    return INT_MAX if is_shared_integer(value) else 1


@subcommand("object", "freq", 3)
def _object_freq(store: Store, argv: list[str]) -> int | None:
    return store.object_freq(argv[2])


@subcommand("object", "idletime", 3)
def _object_idletime(store: Store, argv: list[str]) -> int | None:
    return store.object_idletime(argv[2])


# ---------------------------------------------------------------------- MEMORY
# MEMORY HELP lists Redis's five subcommands, as redis-cli users see them. kvengine answers
# only USAGE: DOCTOR, MALLOC-STATS, PURGE and STATS report on Redis's allocator (jemalloc) and
# process, which the engine does not have, so they reply an error that says so and points to
# what the engine does measure, rather than "unknown subcommand" for a listed one.
MEMORY_HELP = [
    "MEMORY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "DOCTOR",
    "    Return memory problems reports.",
    "MALLOC-STATS",
    "    Return internal statistics report from the memory allocator.",
    "PURGE",
    "    Attempt to purge dirty pages for reclamation by the allocator.",
    "STATS",
    "    Return information about the memory usage of the server.",
    "USAGE <key> [SAMPLES <count>]",
    "    Return memory in bytes used by <key> and its value. Nested values are",
    "    sampled up to <count> times (default: 5, 0 means sample all).",
    "HELP",
    "    Prints this help.",
]
container("memory", MEMORY_HELP)


def _allocator_report(store: Store, argv: list[str]) -> None:
    raise ResponseError(
        f"ERR MEMORY {argv[1].upper()} is not available in kvengine: it reports on Redis's "
        "memory allocator, which the engine does not have (MEMORY USAGE and INFO memory give "
        "its estimates)"
    )


for _name in ("doctor", "malloc-stats", "purge", "stats"):
    subcommand("memory", _name, 2)(_allocator_report)


@subcommand("memory", "usage", -3)
def _memory_usage(store: Store, argv: list[str]) -> int | None:
    j = 3
    while j < len(argv):  # SAMPLES only bounds Redis's estimate of big values: checked, unused
        if argv[j].lower() == "samples" and j + 1 < len(argv):
            if int_arg(argv[j + 1]) < 0:
                raise ResponseError(errors.SYNTAX_ERROR)
            j += 2
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
    return store.memory_usage(argv[2])


# ---------------------------------------------------------------------- CONFIG
CONFIG_HELP = [
    "CONFIG <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GET <pattern>",
    "    Return parameters matching the glob-like <pattern> and their values.",
    "SET <directive> <value>",
    "    Set the configuration <directive> to <value>.",
    "RESETSTAT",
    "    Reset statistics reported by the INFO command.",
    "REWRITE",
    "    Rewrite the configuration file.",
    "HELP",
    "    Prints this help.",
]
container("config", CONFIG_HELP)


@subcommand("config", "rewrite", 2)
def _config_rewrite(store: Store, argv: list[str]) -> None:
    """kvengine never reads a config file: Redis's reply when it was started without one."""
    raise ResponseError("ERR The server is running without a config file")


# The size limits of the compact encodings: store attribute, range, and whether the value may
# be written as a memory size ("1kb"). Redis 7.0 still accepts their pre-7.0 "ziplist" names.
ENCODING_LIMITS: dict[str, tuple[str, int, int, bool]] = {
    "hash-max-listpack-entries": ("hash_max_listpack_entries", 0, LONG_MAX, False),
    "hash-max-listpack-value": ("hash_max_listpack_value", 0, LONG_MAX, True),
    "list-max-listpack-size": ("list_max_listpack_size", INT_MIN, INT_MAX, False),
}
ALIASES = {
    "hash-max-ziplist-entries": "hash-max-listpack-entries",
    "hash-max-ziplist-value": "hash-max-listpack-value",
    "list-max-ziplist-size": "list-max-listpack-size",
}


def _encoding_limit(name: str, value: str) -> int:
    attribute, low, high, memory = ENCODING_LIMITS[name]
    if memory:
        n = parse_memory(value)
        if n is None:
            raise _cfg_error(name, "argument must be a memory value")
        if n > high:
            raise _cfg_error(name, f"argument must be between {low} and {high} inclusive")
        return n
    return _cfg_int(name, value, low, high)


def _cfg_get_values(store: Store) -> dict[str, str]:
    return {
        "maxmemory": str(store.maxmemory),
        "maxmemory-policy": store.policy,
        "maxmemory-samples": str(store.samples),
        "maxmemory-eviction-tenacity": str(store.maxmemory_eviction_tenacity),
        "maxmemory-clients": store.maxmemory_clients,
        "lfu-log-factor": str(store.lfu_log_factor),
        "lfu-decay-time": str(store.lfu_decay_time),
        "hz": str(store.hz),
        **{name: str(getattr(store, limit[0])) for name, limit in ENCODING_LIMITS.items()},
        **{alias: str(getattr(store, ENCODING_LIMITS[name][0])) for alias, name in ALIASES.items()},
    }


@subcommand("config", "get", -3)
def _config_get(store: Store, argv: list[str]) -> list[str]:
    values = _cfg_get_values(store)
    out: dict[str, str] = {}
    for pattern in argv[2:]:
        low = pattern.lower()
        if not any(c in pattern for c in "[*?"):  # a plain name is echoed as given
            if low in values and not any(k.lower() == low for k in out):
                out[pattern] = values[low]
            continue
        m = compile_pattern(low)
        for name, value in values.items():
            if (m is None or m(name)) and not any(k.lower() == name for k in out):
                out[name] = value
    reply: list[str] = []
    for name, value in out.items():
        reply += [name, value]
    return reply


def _cfg_error(name: str, why: str) -> ResponseError:
    return ResponseError(
        errors.sanitize(f"ERR CONFIG SET failed (possibly related to argument '{name}') - {why}")
    )


def _cfg_int(name: str, text: str, low: int, high: int) -> int:
    n = parse_int(text)  # Redis's strict string2ll: no "+", no leading zeros, no spaces
    if n is None:
        raise _cfg_error(name, "argument couldn't be parsed into an integer")
    if n < low or n > high:
        raise _cfg_error(name, f"argument must be between {low} and {high} inclusive")
    return n


def _client_limit(name: str, value: str) -> str:
    """maxmemory-clients: a memory value or a percentage ("5%"), reported as given."""
    if value.endswith("%"):
        n = parse_int(value[:-1])
        if n is None or n < 0:
            raise _cfg_error(name, "argument must be a memory or percent value")
        return value
    mem = parse_memory(value)
    if mem is None:
        raise _cfg_error(name, "argument must be a memory or percent value")
    return str(mem)


@subcommand("config", "set", -4)
def _config_set(store: Store, argv: list[str]) -> str:
    if len(argv) % 2 == 1:
        raise ResponseError(errors.SYNTAX_ERROR)
    changes: dict[str, Any] = {}
    for i in range(2, len(argv), 2):
        name, value = argv[i].lower(), argv[i + 1]
        name = ALIASES.get(name, name)
        if name not in _cfg_get_values(store) or name in changes:
            if name in changes:
                raise _cfg_error(name, "duplicate parameter")
            raise ResponseError(
                errors.sanitize(
                    f"ERR Unknown option or number of arguments for CONFIG SET - '{argv[i]}'"
                )
            )
        if name == "maxmemory":
            mem = parse_memory(value)
            if mem is None:
                raise _cfg_error(name, "argument must be a memory value")
            changes[name] = mem
        elif name == "maxmemory-policy":
            if value.lower() not in POLICIES:
                raise _cfg_error(
                    name, "argument(s) must be one of the following: " + ", ".join(POLICIES)
                )
            changes[name] = value.lower()
        elif name == "maxmemory-samples":
            changes[name] = _cfg_int(name, value, 1, INT_MAX)
        elif name in ("lfu-log-factor", "lfu-decay-time"):
            changes[name] = _cfg_int(name, value, 0, INT_MAX)
        elif name == "hz":
            changes[name] = _cfg_int(name, value, 0, INT_MAX)
        elif name == "maxmemory-eviction-tenacity":
            changes[name] = _cfg_int(name, value, 0, 100)
        elif name == "maxmemory-clients":
            changes[name] = _client_limit(name, value)
        elif name in ENCODING_LIMITS:
            changes[name] = _encoding_limit(name, value)
    for name, value in changes.items():
        if name == "maxmemory-policy":
            store.set_policy(value)
        elif name == "maxmemory-samples":
            store.samples = value
        elif name == "lfu-log-factor":
            store.lfu_log_factor = value
        elif name == "lfu-decay-time":
            store.lfu_decay_time = value
        elif name == "hz":
            store.hz = max(1, min(500, value))
        elif name == "maxmemory-eviction-tenacity":
            store.maxmemory_eviction_tenacity = value
        elif name == "maxmemory-clients":
            store.maxmemory_clients = value
        elif name in ENCODING_LIMITS:
            setattr(store, ENCODING_LIMITS[name][0], value)
    if "maxmemory" in changes:
        store.set_maxmemory(changes["maxmemory"])
    return "OK"


@subcommand("config", "resetstat", 2)
def _config_resetstat(store: Store, argv: list[str]) -> str:
    store.reset_stats()
    return "OK"


# ------------------------------------------------------------------------ INFO
def _info_sections(store: Store) -> dict[str, list[tuple[str, Any]]]:
    f = store.info_fields()
    keyspace: list[tuple[str, Any]] = []
    if f["keys"]:
        keyspace.append(("db0", f"keys={f['keys']},expires={f['expires']},avg_ttl={f['avg_ttl']}"))
    return {
        "server": [
            ("redis_version", REDIS_VERSION),
            ("redis_mode", "standalone"),
            ("engine", "kvengine (pure Python)"),
            ("hz", store.hz),
        ],
        "memory": [
            ("used_memory", f["used_memory"]),
            ("maxmemory", f["maxmemory"]),
            ("maxmemory_policy", f["maxmemory_policy"]),
            ("maxkeys", "" if f["maxkeys"] is None else f["maxkeys"]),
        ],
        "stats": [
            ("total_commands_processed", f["total_commands_processed"]),
            ("expired_keys", f["expired_keys"]),
            ("evicted_keys", f["evicted_keys"]),
            ("keyspace_hits", f["keyspace_hits"]),
            ("keyspace_misses", f["keyspace_misses"]),
        ],
        "keyspace": keyspace,
    }


@command("info", -1)
def cmd_info(store: Store, argv: list[str]) -> str:
    sections = _info_sections(store)
    wanted = [a.lower() for a in argv[1:]] or ["default"]
    names: list[str] = []
    for w in wanted:
        if w in ("all", "default", "everything"):
            names += list(sections)
        elif w in sections:
            names.append(w)
    out: list[str] = []
    for name in dict.fromkeys(names):
        if out:
            out.append("")
        out.append("# " + ("Keyspace" if name == "keyspace" else name.capitalize()))
        out += [f"{k}:{v}" for k, v in sections[name]]
    return "".join(line + "\r\n" for line in out)
