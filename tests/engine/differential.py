"""The differential harness: kvengine's ``Store.execute`` against a real redis-server 7.0.

Every step goes to a redis-server (tests/engine/redis_server.py, started once per session by
the ``redis_server`` fixture in tests/engine/conftest.py) and to a fresh ``kvengine.Store`` on a
``SystemClock``; the replies must be identical, errors by their text. A reply is compared more
loosely only where it depends on wall-clock time, on Redis's private hash seed or on a random
draw, never on semantics, and never more loosely than that:

- TTL / EXPIRETIME / OBJECT IDLETIME: within 1 s; PTTL / PEXPIRETIME: within
  ``PTTL_TOLERANCE_MS`` (the two servers receive the command a few ms apart); negative codes
  (-1, -2) must be equal.
- KEYS: as a set (Redis answers in its dict order). RANDOMKEY: nil on both or on neither.
- Listings of one value: HGETALL / HKEYS / HVALS exactly while the hash is a listpack
  (insertion order), as multisets when both sides say ``OBJECT ENCODING`` hashtable; SMEMBERS /
  SINTER / SUNION / SDIFF as multisets, exactly when Redis answered from intsets (ascending
  numbers; SUNION and SDIFF build their answer as a new set, an intset when it can be).
- A single SCAN step: the same cursor and the same set of keys. A single SSCAN / ZSCAN / HSCAN
  step: exactly for a compact value (intset, listpack: the whole value in one call); on a hash
  table the cursor walk depends on the table's size and hash, so the step is checked for its
  shape (the same members when both walks end in one call) and :class:`ScanAll` walks both
  cursors to 0 and compares the sets of keys, members or pairs seen.
- HRANDFIELD / SRANDMEMBER / ZRANDMEMBER: the same shape and length; each side's reply is
  checked against that side's own value (HGETALL / SMEMBERS / ZRANGE ... WITHSCORES on both
  sides, so the statistics stay equal): every pick is in the value, with its own value or
  score, no repeats for a positive count, and HRANDFIELD with a count covering the hash lists
  it in HGETALL's order.
- SPOP: both sides pop as many members, each a member of the set before and none twice; the
  engine is then re-synchronised to Redis's choice (its own picks put back, Redis's removed)
  so the sequence goes on comparing everything else exactly.
- INFO (:class:`Info`): only the fields the engine models (hits, misses, expired/evicted keys,
  maxmemory, maxmemory_policy, and ``keys``/``expires`` in db0's keyspace line).

Where a rule needs ``OBJECT ENCODING`` or the value's contents, both sides are asked the same
question, so the keyspace statistics stay comparable. :func:`fresh_pair` empties Redis, resets
every setting the tests change (``DEFAULT_CONFIG``) and its statistics, and makes a new Store.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import pytest

import kvengine
from kvengine.commands.registry import COMMANDS
from tests.engine.redis_server import RedisError, RespClient

PTTL_TOLERANCE_MS = 250
TTL_TOLERANCE_S = 1

# Settings the differential tests change on the shared redis-server, with their 7.0 defaults.
DEFAULT_CONFIG = {
    "maxmemory": "0",
    "maxmemory-policy": "noeviction",
    "maxmemory-samples": "5",
    "lfu-log-factor": "10",
    "lfu-decay-time": "1",
    "hz": "10",
    "hash-max-listpack-entries": "512",
    "hash-max-listpack-value": "64",
    "list-max-listpack-size": "-2",
    "set-max-intset-entries": "512",
    "zset-max-listpack-entries": "128",
    "zset-max-listpack-value": "64",
}

INFO_FIELDS = (
    "keyspace_hits",
    "keyspace_misses",
    "expired_keys",
    "evicted_keys",
    "maxmemory",
    "maxmemory_policy",
)

COMPACT = {"intset", "listpack"}  # encodings whose *SCAN answers the whole value in one call


# --------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class Outcome:
    """One side's answer: a reply, or an error text."""

    ok: bool
    value: object

    def __repr__(self) -> str:
        return repr(self.value) if self.ok else f"(error) {self.value}"


@dataclass(frozen=True)
class Sleep:
    """A real pause between steps (expiry after real time)."""

    seconds: float


@dataclass(frozen=True)
class ScanAll:
    """Walk a cursor from 0 until 0 on both sides and compare what was seen.

    ``command`` is the scan without its cursor: ``("SCAN",)``, ``("SSCAN", key)``,
    ``("ZSCAN", key)`` or ``("HSCAN", key)``; ``options`` follow the cursor."""

    command: tuple[str, ...] = ("SCAN",)
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Info:
    """Compare the INFO fields the engine models."""

    section: str | None = None


@dataclass(frozen=True)
class CollectionEncoding:
    """``TYPE key`` on both sides, then ``OBJECT ENCODING key`` unless it holds a string.

    For the random sequences: a string's ``int``/``embstr``/``raw`` in Redis depends on the
    command that wrote it (SETRANGE and APPEND leave ``raw``, INCRBYFLOAT ``embstr`` even for
    "3"), while the engine keeps strings as plain ``str`` and derives the encoding from the
    text. That is a known limit of the engine's string model, not of the types tested here.
    """

    key: str


Step = tuple[object, ...] | Sleep | ScanAll | Info | CollectionEncoding


def c(text: str) -> tuple[str, ...]:
    """A command written as one string, split on spaces: ``c("SET k v EX 10")``."""
    return tuple(text.split(" "))


def cs(*lines: str) -> list[Step]:
    return [c(line) for line in lines]


# --------------------------------------------------------------------------- the pair


def fresh_pair(redis_client: RespClient, seed: int = 0) -> Pair:
    """An emptied, default-configured Redis with reset stats, and a new Store."""
    redis_client.call("FLUSHALL")
    for name, value in DEFAULT_CONFIG.items():
        redis_client.call("CONFIG", "SET", name, value)
    redis_client.call("CONFIG", "RESETSTAT")
    return Pair(redis_client, kvengine.Store(clock=kvengine.SystemClock(), seed=seed))


@dataclass
class Pair:
    """Sends each step to redis-server and to kvengine and collects the mismatches."""

    redis: RespClient
    store: kvengine.Store
    mismatches: list[str] = field(default_factory=list)
    compared: int = 0

    def redis_call(self, *args: object) -> Outcome:
        try:
            return Outcome(True, self.redis.call(*args))
        except RedisError as exc:
            return Outcome(False, str(exc))

    def engine_call(self, *args: object) -> Outcome:
        try:
            return Outcome(True, self.store.execute(*args))
        except kvengine.ResponseError as exc:
            return Outcome(False, str(exc))

    def both(self, *args: object) -> tuple[Outcome, Outcome]:
        return self.redis_call(*args), self.engine_call(*args)

    def mismatch(self, label: str, command: object, redis_out: object, engine_out: object) -> None:
        self.mismatches.append(
            f"{label}: {format_command(command)}\n    redis:    {redis_out!r}\n"
            f"    kvengine: {engine_out!r}"
        )

    def run(self, steps: Sequence[Step], name: str) -> None:
        for index, step in enumerate(steps):
            self.step(step, f"{name} step {index}")

    def run_case(self, steps: Sequence[Step], name: str) -> None:
        """A scripted case: its steps, then INFO stats and keyspace, then :meth:`check`."""
        self.run(steps, name)
        self.step(Info("stats"), f"{name} end")
        self.step(Info("keyspace"), f"{name} end")
        self.check()

    def run_random(
        self, draw: Callable[[random.Random], Step], seed: int, count: int, final: Sequence[Step]
    ) -> None:
        """A seeded random sequence: ``count`` steps drawn by ``draw``, then the ``final``
        reads of the keys it used, then :meth:`check`."""
        rng = random.Random(seed)
        self.run([draw(rng) for _ in range(count)], f"seed {seed}")
        self.run(final, f"seed {seed} final")
        self.check()

    def check(self) -> None:
        if self.mismatches:
            pytest.fail(
                f"{len(self.mismatches)} of {self.compared} replies differ from redis-server:\n"
                + "\n".join(self.mismatches[:30]),
                pytrace=False,
            )

    # ---------------------------------------------------------------- one step
    def step(self, step: Step, label: str = "") -> None:
        if isinstance(step, Sleep):
            time.sleep(step.seconds)
            return
        self.compared += 1
        if isinstance(step, ScanAll):
            self._scan_all(step, label)
        elif isinstance(step, Info):
            self._info(step, label)
        elif isinstance(step, CollectionEncoding):
            self._encoding(step, label)
        else:
            name = str(step[0]).upper() if step else ""
            rule = _RULES.get(name) if len(step) >= 2 else None
            if rule is not None:
                rule(self, step, label)
                return
            redis_out, engine_out = self.both(*step)
            if not replies_match(step, redis_out, engine_out):
                self.mismatch(label, step, redis_out, engine_out)

    def _compared_by(self, step: tuple, label: str, same: Callable[..., bool]) -> None:
        """Run ``step``; equal outcomes pass, else ``same(step, redis, engine)`` decides."""
        redis_out, engine_out = self.both(*step)
        if redis_out == engine_out and type(redis_out.value) is type(engine_out.value):
            return
        loose_ok = (
            redis_out.ok
            and engine_out.ok
            and isinstance(redis_out.value, list)
            and isinstance(engine_out.value, list)
            and same(step, redis_out.value, engine_out.value)
        )
        if not loose_ok:
            self.mismatch(label, step, redis_out, engine_out)

    def _encoding_of(self, key: object) -> object:
        """Redis's ``OBJECT ENCODING key`` (asked on both sides: it counts a keyspace hit)."""
        redis_out, _ = self.both("OBJECT", "ENCODING", key)
        return redis_out.value if redis_out.ok else None

    def _contents(self, name: str, key: object) -> tuple[Outcome, Outcome]:
        """The value a random pick draws from, on each side: HGETALL, SMEMBERS or ZRANGE."""
        if name == "HRANDFIELD":
            return self.both("HGETALL", key)
        if name == "ZRANDMEMBER":
            return self.both("ZRANGE", key, "0", "-1", "WITHSCORES")
        return self.both("SMEMBERS", key)

    # ---------------------------------------------------------------- listings
    def _listing(self, step: tuple, label: str) -> None:
        self._compared_by(step, label, self._same_listing)

    def _same_listing(self, step: tuple, r: list, e: list) -> bool:
        name = str(step[0]).upper()
        if _multiset(name, r) != _multiset(name, e):
            return False
        if name.startswith("H"):  # a hash table's order: both sides must say hashtable
            encodings = self.both("OBJECT", "ENCODING", step[1])
            return encodings[0] == encodings[1] == Outcome(True, "hashtable")
        return not (_ascending_numbers(r) and self._from_intset(step))

    def _from_intset(self, step: tuple) -> bool:
        """Whether Redis's reply to a set command was read from intsets only (ordered)."""
        name = str(step[0]).upper()
        if name in ("SUNION", "SDIFF"):
            return True  # the result is built as a new set: an intset when it can be
        keys = step[1:] if name == "SINTER" else step[1:2]
        return {self._encoding_of(k) for k in keys} <= {"intset", None}

    def _scan_step(self, step: tuple, label: str) -> None:
        self._compared_by(step, label, self._same_scan_step)

    def _same_scan_step(self, step: tuple, r: list, e: list) -> bool:
        name = str(step[0]).upper()
        if self._encoding_of(step[1]) in COMPACT or len(r) != 2 or len(e) != 2:
            return False  # a compact value is answered whole and in order, in one call
        if not (isinstance(r[1], list) and isinstance(e[1], list)):
            return False
        if r[0] == "0" and e[0] == "0":  # both walks ended at once: the same members
            return _multiset(name, r[1]) == _multiset(name, e[1])
        return True  # a hash table's cursor walk: compared by ScanAll

    # ---------------------------------------------------------- random picks
    def _random_pick(self, step: tuple, label: str) -> None:
        name = str(step[0]).upper()
        redis_out, engine_out = self.both(*step)
        problem = None
        if redis_out.ok != engine_out.ok or not redis_out.ok:
            if redis_out != engine_out:
                problem = "different outcome"
        else:
            r, e = redis_out.value, engine_out.value
            if type(r) is not type(e) or (isinstance(r, list) and len(r) != len(e)):
                problem = "different shape"
            else:
                contents = self._contents(name, step[1])
                for side, reply, value in (
                    ("redis", r, contents[0]),
                    ("kvengine", e, contents[1]),
                ):
                    why = _random_pick_problem(step, reply, value)
                    if why:
                        problem = f"{side}: {why}"
                        break
        if problem:
            self.mismatch(f"{label} ({problem})", step, redis_out, engine_out)

    def _spop(self, step: tuple, label: str) -> None:
        key = step[1]
        before = self._contents("SPOP", key)[0]
        members = set(before.value) if before.ok and isinstance(before.value, list) else set()
        redis_out, engine_out = self.both(*step)
        if redis_out.ok != engine_out.ok or not redis_out.ok or redis_out == engine_out:
            if redis_out != engine_out:
                self.mismatch(label, step, redis_out, engine_out)
            return
        r, e = redis_out.value, engine_out.value
        picks = [[x] if isinstance(x, str) else x for x in (r, e)]
        same_shape = type(r) is type(e) and all(isinstance(p, list) for p in picks)
        if (
            not same_shape
            or len(picks[0]) != len(picks[1])
            or not all(set(p) <= members and len(set(p)) == len(p) for p in picks)
        ):
            self.mismatch(label, step, redis_out, engine_out)
            return
        if set(members) - set(picks[0]):  # put the engine's picks back, take Redis's
            self.store.execute("SADD", key, *picks[1])
            self.store.execute("SREM", key, *picks[0])

    # ------------------------------------------------------------ whole walks
    def _scan_all(self, step: ScanAll, label: str) -> None:
        results = []
        calls = []
        for call in (self.redis_call, self.engine_call):
            calls.append(0)
            items: list[object] = []
            cursor = "0"
            outcome = Outcome(True, None)
            for _ in range(100_000):
                reply = call(*step.command, cursor, *step.options)
                calls[-1] += 1
                if not reply.ok:
                    outcome = reply
                    break
                value = reply.value
                if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
                    outcome = Outcome(False, f"malformed {step.command[0]} reply {value!r}")
                    break
                cursor = str(value[0])
                items.extend(value[1])
                if cursor == "0":
                    break
            if outcome.ok:
                seen = _multiset(step.command[0].upper(), items)
                outcome = Outcome(True, sorted(seen, key=repr))
            results.append(outcome)
        # A hash table's walk takes a number of calls that depends on each side's hash order;
        # each HSCAN/SSCAN/ZSCAN call counts one keyspace hit (its key's lookup), so the
        # shorter walk is topped up with the same call to keep the statistics comparable.
        # (SCAN looks no key up, except once per key it visits with TYPE: a whole walk visits
        # each key once on both sides.)
        if step.command[0].upper() != "SCAN":
            for call, made in zip((self.redis_call, self.engine_call), calls, strict=True):
                for _ in range(max(calls) - made):
                    call(*step.command, "0", *step.options)
        if results[0] != results[1]:
            walked = (*step.command, "*", *step.options)
            self.mismatch(label, walked, results[0], results[1])

    def _info(self, step: Info, label: str) -> None:
        args = ("INFO",) if step.section is None else ("INFO", *step.section.split(" "))
        redis_out, engine_out = self.both(*args)
        if not (redis_out.ok and engine_out.ok):
            if redis_out != engine_out:
                self.mismatch(label, args, redis_out, engine_out)
            return
        redis_fields = info_fields(str(redis_out.value))
        engine_fields = info_fields(str(engine_out.value))
        if redis_fields != engine_fields:
            self.mismatch(label, args, redis_fields, engine_fields)

    def _encoding(self, step: CollectionEncoding, label: str) -> None:
        types = self.both("TYPE", step.key)
        if types[0] != types[1]:
            self.mismatch(label, ("TYPE", step.key), *types)
        elif types[0] != Outcome(True, "string"):
            encodings = self.both("OBJECT", "ENCODING", step.key)
            if encodings[0] != encodings[1]:
                self.mismatch(label, ("OBJECT", "ENCODING", step.key), *encodings)


_RULES = {
    **dict.fromkeys(("HGETALL", "HKEYS", "HVALS"), Pair._listing),
    **dict.fromkeys(("SMEMBERS", "SINTER", "SUNION", "SDIFF"), Pair._listing),
    **dict.fromkeys(("SSCAN", "ZSCAN", "HSCAN"), Pair._scan_step),
    **dict.fromkeys(("HRANDFIELD", "SRANDMEMBER", "ZRANDMEMBER"), Pair._random_pick),
    "SPOP": Pair._spop,
}


# --------------------------------------------------------------------------- the rules


def format_command(command: object) -> str:
    if isinstance(command, tuple):
        return " ".join(
            repr(a) if (not isinstance(a, str) or " " in a or not a) else a for a in command
        )
    return repr(command)


def info_fields(text: str) -> dict[str, str]:
    """The comparable subset of an INFO reply: modelled stats and db0's keys/expires."""
    wanted: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or ":" not in line:
            continue
        name, value = line.split(":", 1)
        if name in INFO_FIELDS:
            wanted[name] = value
        elif name == "db0":
            parts = dict(p.split("=", 1) for p in value.split(",") if "=" in p)
            wanted["db0.keys"] = parts.get("keys", "?")
            wanted["db0.expires"] = parts.get("expires", "?")
    return wanted


def _within(a: object, b: object, tolerance: int) -> bool:
    if not (isinstance(a, int) and isinstance(b, int)):
        return a == b
    if a < 0 or b < 0:
        return a == b
    return abs(a - b) <= tolerance


TOLERANT: dict[str, int] = {
    "TTL": TTL_TOLERANCE_S,
    "EXPIRETIME": TTL_TOLERANCE_S,
    "PTTL": PTTL_TOLERANCE_MS,
    "PEXPIRETIME": PTTL_TOLERANCE_MS,
}


def replies_match(command: tuple[object, ...], redis_out: Outcome, engine_out: Outcome) -> bool:
    """The rules that need nothing but the two outcomes (time, KEYS, SCAN, RANDOMKEY)."""
    if redis_out.ok != engine_out.ok:
        return False
    if not redis_out.ok:
        return redis_out.value == engine_out.value
    name = str(command[0]).upper()
    r, e = redis_out.value, engine_out.value
    if name in TOLERANT:
        return _within(r, e, TOLERANT[name])
    if name == "OBJECT" and len(command) > 1 and str(command[1]).upper() == "IDLETIME":
        return _within(r, e, TTL_TOLERANCE_S)
    if name == "KEYS":
        return (
            isinstance(r, list)
            and isinstance(e, list)
            and sorted(r) == sorted(e)
            and len(set(e)) == len(e)
        )
    if name == "SCAN" and isinstance(r, list) and isinstance(e, list) and len(r) == len(e) == 2:
        # the order within one reply follows each side's own hash order
        return (
            r[0] == e[0]
            and isinstance(r[1], list)
            and isinstance(e[1], list)
            and sorted(r[1]) == sorted(e[1])
        )
    if name == "RANDOMKEY":
        return (r is None) == (e is None)  # membership is checked by the random-sequence test
    return type(r) is type(e) and r == e


def _pairs(flat: list) -> list[tuple[object, object]]:
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)]


def _multiset(name: str, flat: list) -> Counter:
    """A listing's items regardless of order: field/value or member/score pairs where the
    reply interleaves them (HGETALL, HSCAN, ZSCAN)."""
    if name in ("HGETALL", "HSCAN", "ZSCAN"):
        return Counter(_pairs(flat))
    return Counter(flat)


def _ascending_numbers(items: list) -> bool:
    try:
        numbers = [int(x) for x in items]
    except (TypeError, ValueError):
        return False
    return numbers == sorted(numbers) and [str(n) for n in numbers] == items and len(items) > 1


def _random_pick_problem(step: tuple, reply: object, contents: Outcome) -> str | None:
    """Why ``reply`` cannot be HRANDFIELD's / SRANDMEMBER's / ZRANDMEMBER's answer on a side
    whose value reads ``contents`` (HGETALL, SMEMBERS, ZRANGE ... WITHSCORES)."""
    name = str(step[0]).upper()
    if not contents.ok or not isinstance(contents.value, list):
        return f"reading the value failed: {contents!r}"
    if name == "SRANDMEMBER":
        pairs: list[tuple[object, object]] = [(m, None) for m in contents.value]
    else:
        pairs = _pairs(contents.value)
    values = dict(pairs)
    if len(step) == 2:
        if reply is None:
            return None if not values else "nil from a non-empty value"
        return None if reply in values else f"{reply!r} is not in the value"
    if not isinstance(reply, list):
        return "not an array"
    count = int(str(step[2]))
    with_values = len(step) == 4
    got = _pairs(reply) if with_values else [(m, values.get(m)) for m in reply]  # type: ignore[arg-type]
    for member, value in got:
        if member not in values:
            return f"{member!r} is not in the value"
        if with_values and values[member] != value:
            return f"{member!r} paired with {value!r}"
    names = [m for m, _ in got]
    if count > 0 and len(set(names)) != len(names):
        return "a pick repeated for a positive count"
    expected_len = min(count, len(values)) if count > 0 else -count if values else 0
    if len(names) != expected_len:
        return f"{len(names)} picks, expected {expected_len}"
    if name == "HRANDFIELD" and count >= len(values) and names != [f for f, _ in pairs]:
        return "a count covering the hash must list it in its own order"
    return None


# --------------------------------------------------------------------------- coverage


def registry_commands() -> set[str]:
    """Every command the engine registers, as ``NAME`` or ``NAME SUBCOMMAND``."""
    names = set()
    for name, command in COMMANDS.items():
        names.add(name.upper())
        for sub in command.subcommands or {}:
            names.add(f"{name} {sub}".upper())
    return names


def commands_in(steps: Sequence[Step]) -> set[str]:
    """The commands ``steps`` send, named as :func:`registry_commands` names them."""
    seen: set[str] = set()
    for step in steps:
        if isinstance(step, ScanAll):
            seen.add(step.command[0].upper())
        elif isinstance(step, Info):
            seen.add("INFO")
        elif isinstance(step, CollectionEncoding):
            seen.update(("TYPE", "OBJECT", "OBJECT ENCODING"))
        elif isinstance(step, tuple) and step:
            name = str(step[0]).upper()
            seen.add(name)
            container = COMMANDS.get(name.lower())
            if container is not None and container.subcommands is not None and len(step) > 1:
                seen.add(f"{name} {str(step[1]).upper()}")
    return seen
