"""``Store.execute(*args)``: Redis 7.0.15's command parsing, replies and error texts.

Each command is a small function ``(store, argv) -> reply`` registered with its Redis arity
(positive: exact argument count including the name; negative: at least that many) and whether
it is a write that may use more memory (``denyoom``: refused with the OOM error when memory
cannot be freed). Dispatch follows ``processCommand``: unknown command, then unknown
subcommand, then arity, then eviction, then the command itself. Replies use RESP2 shapes:
status and bulk strings as ``str``, integers as ``int``, nil as ``None``, arrays as ``list``.

    >>> from kvengine.store import Store
    >>> from kvengine.clock import VirtualClock
    >>> s = Store(clock=VirtualClock(0))
    >>> s.execute("SET", "k", "v", "PX", 1500), s.execute("TTL", "k")
    ('OK', 2)
    >>> s.execute("GET")
    Traceback (most recent call last):
    ...
    kvengine.errors.ResponseError: ERR wrong number of arguments for 'get' command

No exception other than :class:`ResponseError` leaves :func:`execute`: anything unexpected is
reported as ``ERR internal error ...`` and the store stays usable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import errors
from .errors import ResponseError
from .evict import POLICIES
from .glob import compile_pattern
from .memory import parse_memory
from .store import LLONG_MAX, Store, parse_int, to_str

REDIS_VERSION = "7.0.15"
INT_MAX = (1 << 31) - 1

Handler = Callable[[Store, list[str]], Any]


@dataclass(frozen=True)
class Command:
    name: str
    handler: Handler
    arity: int
    denyoom: bool = False
    subcommands: dict[str, Command] | None = None


COMMANDS: dict[str, Command] = {}


def command(name: str, arity: int, denyoom: bool = False) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        COMMANDS[name] = Command(name, fn, arity, denyoom)
        return fn

    return register


# --------------------------------------------------------------------- helpers
def _int(text: str) -> int:
    n = parse_int(text)
    if n is None:
        raise ResponseError(errors.NOT_INTEGER)
    return n


def _opt(argv: list[str], i: int) -> str:
    return argv[i].lower()


def _parse_ext(argv: list[str], start: int, for_set: bool) -> dict:
    """``parseExtendedStringArgumentsOrReply`` for SET (``for_set``) and GETEX."""
    flags: set[str] = set()
    expire: tuple[str, str] | None = None
    j = start
    n = len(argv)
    timed = {"ex", "px", "exat", "pxat"}
    while j < n:
        opt = _opt(argv, j)
        nxt = argv[j + 1] if j + 1 < n else None
        if opt == "nx" and "xx" not in flags and for_set:
            flags.add("nx")
        elif opt == "xx" and "nx" not in flags and for_set:
            flags.add("xx")
        elif opt == "get" and for_set:
            flags.add("get")
        elif opt == "keepttl" and "persist" not in flags and not flags & timed and for_set:
            flags.add("keepttl")
        elif opt == "persist" and not for_set and not flags & (timed | {"keepttl"}):
            flags.add("persist")
        elif (
            opt in timed
            and "keepttl" not in flags
            and "persist" not in flags
            and not flags & (timed - {opt})
            and nxt is not None
        ):
            flags.add(opt)
            expire = (opt, nxt)
            j += 1
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
        j += 1
    return {"flags": flags, "expire": expire}


def _expire_kwargs(expire: tuple[str, str] | None) -> dict:
    return {} if expire is None else {expire[0]: expire[1]}


# ------------------------------------------------------------ connection/server
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


COMMANDS["flushall"] = Command("flushall", _flush, -1)
COMMANDS["flushdb"] = Command("flushdb", _flush, -1)


# --------------------------------------------------------------------- strings
@command("get", 2)
def cmd_get(store: Store, argv: list[str]) -> str | None:
    return store.get(argv[1])


@command("set", -3, denyoom=True)
def cmd_set(store: Store, argv: list[str]) -> str | None:
    if len(argv) == 3:  # plain SET key value: no options to parse
        return store.set(argv[1], argv[2])
    p = _parse_ext(argv, 3, for_set=True)
    f = p["flags"]
    return store.set(
        argv[1],
        argv[2],
        nx="nx" in f,
        xx="xx" in f,
        keepttl="keepttl" in f,
        get="get" in f,
        **_expire_kwargs(p["expire"]),
    )


@command("getex", -2)
def cmd_getex(store: Store, argv: list[str]) -> str | None:
    p = _parse_ext(argv, 2, for_set=False)
    return store.getex(argv[1], persist="persist" in p["flags"], **_expire_kwargs(p["expire"]))


@command("getdel", 2)
def cmd_getdel(store: Store, argv: list[str]) -> str | None:
    return store.getdel(argv[1])


@command("getset", 3, denyoom=True)
def cmd_getset(store: Store, argv: list[str]) -> str | None:
    return store.getset(argv[1], argv[2])


@command("setnx", 3, denyoom=True)
def cmd_setnx(store: Store, argv: list[str]) -> int:
    return store.setnx(argv[1], argv[2])


@command("setex", 4, denyoom=True)
def cmd_setex(store: Store, argv: list[str]) -> str | None:
    return store.setex(argv[1], argv[2], argv[3])


@command("psetex", 4, denyoom=True)
def cmd_psetex(store: Store, argv: list[str]) -> str | None:
    return store.psetex(argv[1], argv[2], argv[3])


def _pairs(name: str, argv: list[str]) -> list[tuple[str, str]]:
    if len(argv) % 2 == 0:
        raise ResponseError(errors.wrong_arity(name))
    return [(argv[i], argv[i + 1]) for i in range(1, len(argv), 2)]


@command("mset", -3, denyoom=True)
def cmd_mset(store: Store, argv: list[str]) -> str:
    return store.mset(_pairs("mset", argv))


@command("msetnx", -3, denyoom=True)
def cmd_msetnx(store: Store, argv: list[str]) -> int:
    return store.msetnx(_pairs("msetnx", argv))


@command("mget", -2)
def cmd_mget(store: Store, argv: list[str]) -> list[str | None]:
    return store.mget(*argv[1:])


@command("incr", 2, denyoom=True)
def cmd_incr(store: Store, argv: list[str]) -> int:
    return store.incrby(argv[1], 1)


@command("decr", 2, denyoom=True)
def cmd_decr(store: Store, argv: list[str]) -> int:
    return store.incrby(argv[1], -1)


@command("incrby", 3, denyoom=True)
def cmd_incrby(store: Store, argv: list[str]) -> int:
    return store.incrby(argv[1], _int(argv[2]))


@command("decrby", 3, denyoom=True)
def cmd_decrby(store: Store, argv: list[str]) -> int:
    return store.decrby(argv[1], _int(argv[2]))


@command("append", 3, denyoom=True)
def cmd_append(store: Store, argv: list[str]) -> int:
    return store.append(argv[1], argv[2])


@command("strlen", 2)
def cmd_strlen(store: Store, argv: list[str]) -> int:
    return store.strlen(argv[1])


# -------------------------------------------------------------------- keyspace
@command("del", -2)
def cmd_del(store: Store, argv: list[str]) -> int:
    return store.delete(*argv[1:])


@command("unlink", -2)
def cmd_unlink(store: Store, argv: list[str]) -> int:
    return store.delete(*argv[1:])


@command("exists", -2)
def cmd_exists(store: Store, argv: list[str]) -> int:
    return store.exists(*argv[1:])


@command("touch", -2)
def cmd_touch(store: Store, argv: list[str]) -> int:
    return store.touch(*argv[1:])


@command("type", 2)
def cmd_type(store: Store, argv: list[str]) -> str:
    return store.type(argv[1])


@command("keys", 2)
def cmd_keys(store: Store, argv: list[str]) -> list[str]:
    return store.keys(argv[1])


@command("randomkey", 1)
def cmd_randomkey(store: Store, argv: list[str]) -> str | None:
    return store.randomkey()


@command("rename", 3)
def cmd_rename(store: Store, argv: list[str]) -> str | int:
    return store.rename(argv[1], argv[2])


@command("renamenx", 3)
def cmd_renamenx(store: Store, argv: list[str]) -> int:
    return store.renamenx(argv[1], argv[2])


def _parse_cursor(text: str) -> int:
    """``parseScanCursorOrReply``: C's ``strtoul`` (optional sign, "-1" wraps to 2**64-1,
    "" is 0) but no leading white space and nothing after the digits."""
    if not text:
        return 0
    sign = -1 if text[0] == "-" else 1
    digits = text[1:] if text[0] in "+-" else text
    if not digits or not digits.isascii() or not digits.isdigit():
        raise ResponseError(errors.INVALID_CURSOR)
    n = int(digits)
    if n >= 1 << 64:
        raise ResponseError(errors.INVALID_CURSOR)
    return (sign * n) % (1 << 64)


@command("scan", -2)
def cmd_scan(store: Store, argv: list[str]) -> list:
    cursor = _parse_cursor(argv[1])
    count = 10
    pattern: str | None = None
    type_name: str | None = None
    i = 2
    while i < len(argv):
        opt = _opt(argv, i)
        left = len(argv) - i - 1
        if opt == "count" and left >= 1:
            count = _int(argv[i + 1])
            if count < 1:
                raise ResponseError(errors.SYNTAX_ERROR)
        elif opt == "match" and left >= 1:
            pattern = argv[i + 1]
        elif opt == "type" and left >= 1:
            type_name = argv[i + 1]
        else:
            raise ResponseError(errors.SYNTAX_ERROR)
        i += 2
    return store.scan(cursor, count=count, match=pattern, type_name=type_name)


# ------------------------------------------------------------------------ TTLs
def _expire_cmd(name: str) -> Handler:
    def handler(store: Store, argv: list[str]) -> int:
        flags = {"nx": False, "xx": False, "gt": False, "lt": False}
        for opt in argv[3:]:
            low = opt.lower()
            if low not in flags:
                raise ResponseError(errors.sanitize(f"ERR Unsupported option {opt}"))
            flags[low] = True
        return getattr(store, name)(argv[1], argv[2], **flags)

    return handler


for _name in ("expire", "pexpire", "expireat", "pexpireat"):
    COMMANDS[_name] = Command(_name, _expire_cmd(_name), -3)


@command("ttl", 2)
def cmd_ttl(store: Store, argv: list[str]) -> int:
    return store.ttl(argv[1])


@command("pttl", 2)
def cmd_pttl(store: Store, argv: list[str]) -> int:
    return store.pttl(argv[1])


@command("expiretime", 2)
def cmd_expiretime(store: Store, argv: list[str]) -> int:
    return store.expiretime(argv[1])


@command("pexpiretime", 2)
def cmd_pexpiretime(store: Store, argv: list[str]) -> int:
    return store.pexpiretime(argv[1])


@command("persist", 2)
def cmd_persist(store: Store, argv: list[str]) -> int:
    return store.persist(argv[1])


# ---------------------------------------------------------------------- OBJECT
def _object_encoding(store: Store, argv: list[str]) -> str | None:
    e = store._lookup(argv[2], touch=False)
    if e is None:
        return None
    v = e.value
    if len(v) <= 20 and parse_int(v) is not None:
        return "int"
    return "embstr" if len(v.encode("utf-8", "surrogateescape")) <= 44 else "raw"


def _object_refcount(store: Store, argv: list[str]) -> int | None:
    e = store._lookup(argv[2], touch=False)
    if e is None:
        return None
    n = parse_int(e.value) if len(e.value) <= 20 else None
    return INT_MAX if n is not None and 0 <= n < 10000 else 1


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
    "    Print this help.",
]

COMMANDS["object"] = Command(
    "object",
    lambda s, a: None,
    -2,
    subcommands={
        "freq": Command("object|freq", lambda s, a: s.object_freq(a[2]), 3),
        "idletime": Command("object|idletime", lambda s, a: s.object_idletime(a[2]), 3),
        "encoding": Command("object|encoding", _object_encoding, 3),
        "refcount": Command("object|refcount", _object_refcount, 3),
        "help": Command("object|help", lambda s, a: list(OBJECT_HELP), 2),
    },
)


# ---------------------------------------------------------------------- CONFIG
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
    }


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


def _config_set(store: Store, argv: list[str]) -> str:
    if len(argv) % 2 == 1:
        raise ResponseError(errors.SYNTAX_ERROR)
    changes: dict[str, Any] = {}
    for i in range(2, len(argv), 2):
        name, value = argv[i].lower(), argv[i + 1]
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
    if "maxmemory" in changes:
        store.maxmemory = changes["maxmemory"]
        store._perform_evictions()
    return "OK"


def _config_resetstat(store: Store, argv: list[str]) -> str:
    store.reset_stats()
    return "OK"


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
    "    Print this help.",
]

COMMANDS["config"] = Command(
    "config",
    lambda s, a: None,
    -2,
    subcommands={
        "get": Command("config|get", _config_get, -3),
        "set": Command("config|set", _config_set, -4),
        "resetstat": Command("config|resetstat", _config_resetstat, 2),
        "help": Command("config|help", lambda s, a: list(CONFIG_HELP), 2),
    },
)


# ------------------------------------------------------------------------ INFO
def _info_sections(store: Store) -> dict[str, list[tuple[str, Any]]]:
    f = store.info_fields()
    now = store.clock.now_ms()
    keyspace: list[tuple[str, Any]] = []
    if f["keys"]:
        ttls = [when - now for when in store._exp.values() if when > now]
        avg = sum(ttls) // len(ttls) if ttls else 0
        keyspace.append(("db0", f"keys={f['keys']},expires={f['expires']},avg_ttl={avg}"))
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


# -------------------------------------------------------------------- dispatch
def _arg(value: Any) -> str:
    if type(value) is str:
        return value
    try:
        return to_str(value)
    except ResponseError:
        raise
    except Exception:
        raise ResponseError("ERR invalid argument") from None


def _unknown_command(argv: list[str]) -> ResponseError:
    described = ""
    for a in argv[1:]:
        if len(described) >= 128:
            break
        described += "'" + a[: 128 - len(described)] + "' "
    return ResponseError(
        errors.sanitize(
            f"ERR unknown command '{argv[0][:128]}', with args beginning with: {described}"
        )
    )


def _resolve(argv: list[str]) -> Command:
    cmd = COMMANDS.get(argv[0].lower())
    if cmd is None:
        raise _unknown_command(argv)
    if cmd.subcommands is not None and len(argv) >= 2:
        sub = cmd.subcommands.get(argv[1].lower())
        if sub is None:
            raise ResponseError(
                errors.sanitize(
                    f"ERR unknown subcommand '{argv[1][:128]}'. Try {argv[0].upper()} HELP."
                )
            )
        cmd = sub
    n = len(argv)
    if (cmd.arity > 0 and n != cmd.arity) or n < -cmd.arity:
        raise ResponseError(errors.wrong_arity(cmd.name))
    return cmd


def execute(store: Store, args: tuple) -> Any:
    """Run one command; see the module docstring."""
    try:
        if not args:
            raise ResponseError("ERR empty command")
        argv = [a if type(a) is str else _arg(a) for a in args]
        cmd = _resolve(argv)
        store._commands += 1
        if store._maxmemory and not store._perform_evictions() and cmd.denyoom:
            raise ResponseError(errors.OOM)
        return cmd.handler(store, argv)
    except ResponseError:
        raise
    except RecursionError:
        raise ResponseError("ERR internal error: input too deeply nested") from None
    except Exception as exc:  # never let a Python error reach a student
        raise ResponseError(f"ERR internal error ({type(exc).__name__})") from None


__all__ = ["COMMANDS", "Command", "execute", "LLONG_MAX"]
