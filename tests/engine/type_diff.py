"""Shared harness of the per-type differential tests (sets, sorted sets) against redis-server.

Every step goes to a real redis-server (tests/engine/redis_server.py) and to a fresh
``kvengine.Store``; the replies must be identical, errors by their text. Only what depends on
Redis's private hash seed or on a random draw is compared by its shape, never looser:

- replies that list a hash table's members (SMEMBERS, SINTER, SUNION, SDIFF, a whole-set SPOP,
  HGETALL-like replies) are compared as sorted lists, *except* when the set was an intset on
  the Redis side: then Redis's order is ascending numbers and the engine's must be the same;
- SPOP: both sides pop the same number of members, each a member of the set before; the engine
  is then re-synchronised to Redis's choice (its own pick put back, Redis's removed) so the
  sequence can go on comparing everything else exactly;
- SRANDMEMBER / ZRANDMEMBER: the same count, members of the value, distinct when the count is
  positive, and with WITHSCORES each member followed by its true score;
- SSCAN / ZSCAN: a single step is compared exactly for an intset or a listpack (one call,
  cursor 0); on a hash table the cursor walk depends on its size and hash, so a single step is
  only checked for its shape, and :class:`ScanAll` walks both cursors to the end and compares
  the sets of members seen.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

import pytest

import kvengine
from tests.engine.redis_server import RedisError, RedisServer, RespClient, require_redis_server

UNORDERED = {"SMEMBERS", "SINTER", "SUNION", "SDIFF", "KEYS"}
TTL_COMMANDS = {"TTL": 1, "PTTL": 250}
COMPACT = {"intset", "listpack"}  # encodings whose SSCAN/ZSCAN answers in one call


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: object

    def __repr__(self) -> str:
        return repr(self.value) if self.ok else f"(error) {self.value}"


@dataclass(frozen=True)
class ScanAll:
    """Walk SSCAN/ZSCAN/SCAN from cursor 0 to the end on both sides; compare what was seen."""

    command: tuple[str, ...]  # e.g. ("SSCAN", "s") or ("SCAN",)
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Sleep:
    seconds: float


Step = tuple[str, ...] | ScanAll | Sleep


@pytest.fixture(scope="module")
def redis_client() -> Iterator[RespClient]:
    server = RedisServer(require_redis_server())
    server.start()
    try:
        assert server.version().startswith("7.0"), "these tests need redis-server 7.0"
        client = server.client()
        yield client
        client.close()
    finally:
        server.stop()


def c(text: str) -> tuple[str, ...]:
    """A command written as one string, split on spaces."""
    return tuple(text.split(" "))


def cs(*lines: str) -> list[Step]:
    return [c(line) for line in lines]


@dataclass
class Pair:
    redis: RespClient
    store: kvengine.Store
    compared: int = 0
    mismatches: list[str] = field(default_factory=list)

    @classmethod
    def fresh(cls, client: RespClient, seed: int = 0) -> Pair:
        client.call("FLUSHALL")
        client.call("CONFIG", "SET", "maxmemory", "0")
        client.call("CONFIG", "SET", "maxmemory-policy", "noeviction")
        return cls(client, kvengine.Store(clock=kvengine.SystemClock(), seed=seed))

    def redis_call(self, *args: str) -> Outcome:
        try:
            return Outcome(True, self.redis.call(*args))
        except RedisError as exc:
            return Outcome(False, str(exc))

    def engine_call(self, *args: str) -> Outcome:
        try:
            return Outcome(True, self.store.execute(*args))
        except kvengine.ResponseError as exc:
            return Outcome(False, str(exc))

    def mismatch(self, label: str, command: object, r: object, e: object) -> None:
        self.mismatches.append(f"{label}: {command!r}\n    redis:    {r!r}\n    kvengine: {e!r}")

    def run(self, steps: Sequence[Step], name: str) -> None:
        for i, step in enumerate(steps):
            self.step(step, f"{name} step {i}")

    def check(self) -> None:
        if self.mismatches:
            pytest.fail(
                f"{len(self.mismatches)} of {self.compared} replies differ from redis-server:\n"
                + "\n".join(self.mismatches[:25]),
                pytrace=False,
            )

    # ---------------------------------------------------------------- one step
    def step(self, step: Step, label: str) -> None:
        if isinstance(step, Sleep):
            import time

            time.sleep(step.seconds)
            return
        self.compared += 1
        if isinstance(step, ScanAll):
            self._scan_all(step, label)
            return
        name = step[0].upper()
        before = self._members_before(step) if name in RANDOM else None
        r, e = self.redis_call(*step), self.engine_call(*step)
        if r.ok != e.ok or (not r.ok and r.value != e.value):
            self.mismatch(label, step, r, e)
            return
        if not r.ok:
            return
        if name in RANDOM:
            if not RANDOM[name](self, step, before, r.value, e.value):
                self.mismatch(label, step, r, e)
            return
        if not self._same(step, r.value, e.value):
            self.mismatch(label, step, r, e)

    def _same(self, step: tuple[str, ...], r: object, e: object) -> bool:
        name = step[0].upper()
        if name in TTL_COMMANDS and isinstance(r, int) and isinstance(e, int):
            return r == e if min(r, e) < 0 else abs(r - e) <= TTL_COMMANDS[name]
        if name in UNORDERED and isinstance(r, list) and isinstance(e, list):
            if sorted(r) != sorted(e) or len(set(e)) != len(e):
                return False
            # an intset's order (ascending numbers) is not a hash order: it must be equal
            return r == e or not (_ascending_numbers(r) and self._from_intset(step))
        if name in ("SSCAN", "ZSCAN", "SCAN") and isinstance(r, list) and isinstance(e, list):
            if r[0] == "0" and e[0] == "0":
                if name == "SSCAN":
                    return sorted(r[1]) == sorted(e[1]) and (
                        r[1] == e[1] or not (_ascending_numbers(r[1]) and self._from_intset(step))
                    )
                if name == "SCAN":
                    return sorted(r[1]) == sorted(e[1])
                if r == e:
                    return True
                pairs = [sorted(zip(x[1][::2], x[1][1::2], strict=True)) for x in (r, e)]
                listpack = self.redis_call("OBJECT", "ENCODING", step[1]).value == "listpack"
                return pairs[0] == pairs[1] and not listpack  # a dict's order is its own
            # a hash table's cursor walk depends on its size and hash: compared by ScanAll
            compact = self.redis_call("OBJECT", "ENCODING", step[1]).value in COMPACT
            return not compact and len(r) == len(e) == 2 and isinstance(e[1], list)
        return type(r) is type(e) and r == e

    def _from_intset(self, step: tuple[str, ...]) -> bool:
        """Whether Redis's reply to a set command was read from intsets only (ordered)."""
        name = step[0].upper()
        keys = step[1:] if name in ("SINTER", "SUNION", "SDIFF") else step[1:2]
        if name in ("SUNION", "SDIFF"):
            return True  # the result is built as a new set: an intset when it can be
        encodings = set()
        for k in keys:
            out = self.redis_call("OBJECT", "ENCODING", k)
            encodings.add(out.value if out.ok else None)
        return encodings <= {"intset", None}

    def _members_before(self, step: tuple[str, ...]) -> dict[str, str | None] | None:
        """The value's members (and scores) on the Redis side before a random command."""
        if len(step) < 2:
            return None
        key = step[1]
        kind = self.redis.call("TYPE", key)
        if kind == "set":
            return dict.fromkeys(self.redis.call("SMEMBERS", key))  # type: ignore[arg-type]
        if kind == "zset":
            flat = self.redis.call("ZRANGE", key, "0", "-1", "WITHSCORES")
            assert isinstance(flat, list)
            return dict(zip(flat[::2], flat[1::2], strict=True))
        return None

    def _scan_all(self, step: ScanAll, label: str) -> None:
        seen = []
        for call in (self.redis_call, self.engine_call):
            items: list[str] = []
            cursor = "0"
            error = None
            for _ in range(100_000):
                out = call(*step.command, cursor, *step.options)
                if not out.ok:
                    error = f"(error) {out.value}"
                    break
                assert isinstance(out.value, list)
                cursor = out.value[0]
                items += out.value[1]
                if cursor == "0":
                    break
            if error is not None:
                seen.append(error)
            elif step.command[0].upper() in ("ZSCAN", "HSCAN"):
                pairs = sorted(set(zip(items[::2], items[1::2], strict=True)))
                seen.append(pairs)
            else:
                seen.append(sorted(set(items)))
        if seen[0] != seen[1]:
            self.mismatch(label, (*step.command, "*", *step.options), seen[0], seen[1])


def _ascending_numbers(items: list) -> bool:
    try:
        numbers = [int(x) for x in items]
    except (TypeError, ValueError):
        return False
    return numbers == sorted(numbers) and [str(n) for n in numbers] == items and len(items) > 1


# ------------------------------------------------------------- random commands
def _check_spop(pair: Pair, step, before, r, e) -> bool:
    key = step[1]
    members = before or {}
    if r is None or e is None:
        return r is None and e is None
    rl = [r] if isinstance(r, str) else r
    el = [e] if isinstance(e, str) else e
    if not isinstance(rl, list) or not isinstance(el, list) or len(rl) != len(el):
        return False
    if not all(m in members for m in el) or len(set(el)) != len(el):
        return False
    if sorted(rl) != sorted(el) and members:  # put the engine's picks back, take Redis's
        still = set(members) - set(rl)
        if still:
            pair.store.execute("SADD", key, *el)
            pair.store.execute("SREM", key, *rl)
    return True


def _check_random_member(pair: Pair, step, before, r, e) -> bool:
    name = step[0].upper()
    members = before or {}
    if len(step) == 2:
        return (r is None and e is None) or (isinstance(e, str) and e in members and r in members)
    withscores = len(step) == 4
    if not isinstance(r, list) or not isinstance(e, list) or len(r) != len(e):
        return False
    names = e[::2] if withscores else e
    if withscores:
        if any(members.get(m) != s for m, s in zip(e[::2], e[1::2], strict=True)):
            return False
    if any(m not in members for m in names):
        return False
    count = int(step[2])
    if count > 0 and len(set(names)) != len(names):
        return False
    del name
    return True


RANDOM = {
    "SPOP": _check_spop,
    "SRANDMEMBER": _check_random_member,
    "ZRANDMEMBER": _check_random_member,
}


def seeded_rng(seed: int) -> random.Random:
    return random.Random(seed)
