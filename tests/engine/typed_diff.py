"""Differential harness for the collection types: the string harness plus the loose rules that
Redis's own randomness and hash order make necessary (and nothing looser).

:class:`TypedPair` is :class:`~tests.engine.test_differential_redis.Pair` with these rules:

- ``HGETALL`` / ``HKEYS`` / ``HVALS``: exact order while the hash is a listpack (insertion
  order, deterministic); compared as multisets of pairs / fields / values when *both* sides
  say ``OBJECT ENCODING`` hashtable (Redis's dict order depends on its random hash seed).
- ``HRANDFIELD``: the replies must have the same shape and length, and each side's reply is
  checked against that side's own hash (``HGETALL`` on both, so the statistics stay equal):
  every field exists, values match their fields, no repeats for a positive count, and the
  whole hash in HGETALL's order when a positive count covers it.
- ``HSCAN``: a single step is compared exactly for a listpack (cursor 0, whole hash in order);
  :class:`HScanAll` walks the cursor to 0 on both sides and compares the sets of pairs.

Everything else (lists, strings, errors, TYPE, OBJECT ENCODING, TTLs...) is compared exactly
by the string harness's rules.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from tests.engine.redis_server import RespClient
from tests.engine.test_differential_redis import Outcome, Pair, Step, fresh_pair

# Settings the collection tests change on the shared redis-server, and their 7.0 defaults;
# reset before and after each test so no other test sees them.
TYPE_CONFIG = {
    "hash-max-listpack-entries": "512",
    "hash-max-listpack-value": "64",
    "list-max-listpack-size": "-2",
}


@dataclass(frozen=True)
class CollectionEncoding:
    """``TYPE key`` on both sides, then ``OBJECT ENCODING key`` unless it holds a string.

    For the random sequences: a string's ``int``/``embstr``/``raw`` in Redis depends on the
    command that wrote it (SETRANGE and APPEND leave ``raw``, INCRBYFLOAT ``embstr`` even for
    "3"), while the engine keeps strings as plain ``str`` and derives the encoding from the
    text. That is a known limit of the engine's string model, not of the types tested here.
    """

    key: str


@dataclass(frozen=True)
class HScanAll:
    """HSCAN ``key`` from cursor 0 until 0 on both sides; compare the sets of field/value."""

    key: str
    options: tuple[str, ...] = ()


def typed_pair_for(redis_client: RespClient) -> Iterator[TypedPair]:
    """A fixture body: an emptied, default-configured Redis and a new Store, as TypedPair."""
    for name, value in TYPE_CONFIG.items():
        redis_client.call("CONFIG", "SET", name, value)
    base = fresh_pair(redis_client)
    yield TypedPair(base.redis, base.store)
    for name, value in TYPE_CONFIG.items():
        redis_client.call("CONFIG", "SET", name, value)


def _pairs(flat: list) -> list[tuple[object, object]]:
    return [(flat[i], flat[i + 1]) for i in range(0, len(flat) - 1, 2)]


@dataclass
class TypedPair(Pair):
    """A :class:`Pair` that knows the collection types' loose rules."""

    def step(self, step: Step | HScanAll | CollectionEncoding, label: str = "") -> None:
        if isinstance(step, HScanAll):
            self._hscan_all(step, label)
            return
        if isinstance(step, CollectionEncoding):
            types = self.both("TYPE", step.key)
            if types[0] != types[1]:
                self.mismatch(label, ("TYPE", step.key), *types)
            elif types[0] != Outcome(True, "string"):
                super().step(("OBJECT", "ENCODING", step.key), label)
            return
        if isinstance(step, tuple) and step:
            name = str(step[0]).upper()
            if name in ("HGETALL", "HKEYS", "HVALS") and len(step) == 2:
                self._hash_listing(step, label)
                return
            if name == "HRANDFIELD" and len(step) >= 2:
                self._hrandfield(step, label)
                return
        super().step(step, label)  # type: ignore[arg-type]

    # ---------------------------------------------------------------- listings
    def _hash_listing(self, step: tuple, label: str) -> None:
        redis_out, engine_out = self.both(*step)
        if redis_out == engine_out and type(redis_out.value) is type(engine_out.value):
            return
        same_items = (
            redis_out.ok
            and engine_out.ok
            and isinstance(redis_out.value, list)
            and isinstance(engine_out.value, list)
            and self._multiset(step, redis_out.value) == self._multiset(step, engine_out.value)
        )
        if same_items:
            encodings = self.both("OBJECT", "ENCODING", step[1])
            if encodings[0] == encodings[1] == Outcome(True, "hashtable"):
                return
        self.mismatch(label, step, redis_out, engine_out)

    @staticmethod
    def _multiset(step: tuple, flat: list) -> Counter:
        if str(step[0]).upper() == "HGETALL":
            return Counter(_pairs(flat))
        return Counter(flat)

    # -------------------------------------------------------------- HRANDFIELD
    def _hrandfield(self, step: tuple, label: str) -> None:
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
                hashes = self.both("HGETALL", step[1])
                for side, reply, hashed in (("redis", r, hashes[0]), ("kvengine", e, hashes[1])):
                    why = _hrandfield_problem(step, reply, hashed)
                    if why:
                        problem = f"{side}: {why}"
                        break
        if problem:
            self.mismatch(f"{label} ({problem})", step, redis_out, engine_out)

    # ------------------------------------------------------------------- HSCAN
    def _hscan_all(self, step: HScanAll, label: str) -> None:
        results = []
        calls = []
        for call in (self.redis_call, self.engine_call):
            calls.append(0)
            seen: set[tuple[object, object]] = set()
            cursor = "0"
            outcome = Outcome(True, None)
            for _ in range(100_000):
                reply = call("HSCAN", step.key, cursor, *step.options)
                calls[-1] += 1
                if not reply.ok:
                    outcome = reply
                    break
                value = reply.value
                if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], list)):
                    outcome = Outcome(False, f"malformed HSCAN reply {value!r}")
                    break
                cursor = str(value[0])
                seen.update(_pairs(value[1]))
                if cursor == "0":
                    break
            if outcome.ok:
                outcome = Outcome(True, sorted(seen, key=repr))
            results.append(outcome)
        # A hashtable's walk takes a number of calls that depends on each side's hash order;
        # each call counts a keyspace hit, so the shorter walk is topped up with the same call
        # to keep the statistics comparable.
        for call, made in zip((self.redis_call, self.engine_call), calls, strict=True):
            for _ in range(max(calls) - made):
                call("HSCAN", step.key, "0", *step.options)
        if results[0] != results[1]:
            self.mismatch(label, ("HSCAN*", step.key, *step.options), results[0], results[1])


def _hrandfield_problem(step: tuple, reply: object, hashed: Outcome) -> str | None:
    """Why ``reply`` cannot be HRANDFIELD's answer on a side whose HGETALL is ``hashed``."""
    if not hashed.ok or not isinstance(hashed.value, list):
        return f"HGETALL failed: {hashed!r}"
    pairs = _pairs(hashed.value)
    fields = dict(pairs)
    if len(step) == 2:
        if reply is None:
            return None if not fields else "nil from a non-empty hash"
        return None if reply in fields else f"{reply!r} is not a field"
    if not isinstance(reply, list):
        return "not an array"
    count = int(str(step[2]))
    with_values = len(step) == 4
    got = _pairs(reply) if with_values else [(f, fields.get(f)) for f in reply]  # type: ignore[arg-type]
    for field, value in got:
        if field not in fields:
            return f"{field!r} is not a field"
        if with_values and fields[field] != value:
            return f"{field!r} paired with {value!r}"
    names = [f for f, _ in got]
    if count > 0 and len(set(names)) != len(names):
        return "a field repeated for a positive count"
    expected_len = min(count, len(fields)) if count > 0 else -count if fields else 0
    if len(names) != expected_len:
        return f"{len(names)} fields, expected {expected_len}"
    if count >= len(fields) and names != [f for f, _ in pairs]:
        return "a count covering the hash must list it in its own order"
    return None
