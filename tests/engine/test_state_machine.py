"""Stateful property test: random command sequences against a plain-dict model of Redis.

The model is the textbook semantics written as simply as possible: a dict of key -> [value,
expiry_ms, last_access_seq], lazy expiry on access (a key is gone when now > expiry), and, in the
eviction machine, exact LRU over the keys physically present (a sample size above the key count
makes kvengine's sampled LRU exact). Every reply must match.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from kvengine import ResponseError, Store, VirtualClock

KEYS = st.sampled_from(["a", "b", "c", "d", "e", "f", "g"])
VALUES = st.sampled_from(["1", "-7", "x", "", "10", "héllo"])
LLONG_MAX = 2**63 - 1


def reply(store: Store, *args):
    try:
        return store.execute(*args)
    except ResponseError as exc:
        return ("error", str(exc))


class Model:
    def __init__(self, clock: VirtualClock, maxkeys: int | None, lfu: bool = False) -> None:
        self.clock = clock
        self.maxkeys = maxkeys
        self.lfu = lfu
        self.data: dict[str, list] = {}  # key -> [value, expiry or None, seq, accesses]
        self.seq = 0

    def _alive(self, key: str) -> bool:
        item = self.data.get(key)
        if item is None:
            return False
        if item[1] is not None and self.clock.now_ms() > item[1]:
            del self.data[key]
            return False
        return True

    def _touch(self, key: str) -> None:
        self.seq += 1
        self.data[key][2] = self.seq
        self.data[key][3] += 1

    def lookup(self, key: str, touch: bool = True) -> str | None:
        if not self._alive(key):
            return None
        if touch:
            self._touch(key)
        return self.data[key][0]

    def create(self, key: str, value: str, expiry: int | None = None) -> None:
        if self.maxkeys is not None and len(self.data) >= self.maxkeys:
            if self.lfu:  # fewest accesses, then least recently used
                victim = min(self.data, key=lambda k: (self.data[k][3], self.data[k][2]))
            else:
                victim = min(self.data, key=lambda k: self.data[k][2])
            del self.data[victim]
        self.seq += 1
        self.data[key] = [value, expiry, self.seq, 1]


class EngineVsModel(RuleBasedStateMachine):
    maxkeys: int | None = None
    policy = "noeviction"

    @initialize()
    def setup(self) -> None:
        self.clock = VirtualClock(1_000_000)
        self.store = Store(
            clock=self.clock,
            seed=1,
            policy=self.policy,
            maxkeys=self.maxkeys,
            samples=64,
            lfu_counter="exact",
        )
        self.model = Model(self.clock, self.maxkeys, lfu=self.policy.endswith("lfu"))

    @rule(
        key=KEYS,
        value=VALUES,
        ttl=st.none() | st.integers(1, 3000),
        cond=st.sampled_from([None, "NX", "XX"]),
        keepttl=st.booleans(),
        get=st.booleans(),
    )
    def set(self, key, value, ttl, cond, keepttl, get) -> None:
        args = ["SET", key, value]
        if ttl is not None:
            args += ["PX", str(ttl)]
        elif keepttl:
            args.append("KEEPTTL")
        if cond:
            args.append(cond)
        if get:
            args.append("GET")
        m = self.model
        old = m.lookup(key) if get else None
        exists = m.lookup(key) is not None
        if (cond == "NX" and exists) or (cond == "XX" and not exists):
            expected = old if get else None
        else:
            expiry = self.clock.now_ms() + ttl if ttl is not None else None
            if exists:
                m.data[key][0] = value
                if ttl is not None or not keepttl:
                    m.data[key][1] = expiry
            else:
                m.create(key, value, expiry)
            expected = old if get else "OK"
        assert reply(self.store, *args) == expected

    @rule(key=KEYS)
    def get(self, key) -> None:
        assert reply(self.store, "GET", key) == self.model.lookup(key)

    @rule(key=KEYS)
    def delete(self, key) -> None:
        expected = 1 if self.model._alive(key) else 0
        self.model.data.pop(key, None)
        assert reply(self.store, "DEL", key) == expected

    @rule(key=KEYS, by=st.integers(-5, 5) | st.just(LLONG_MAX))
    def incrby(self, key, by) -> None:
        m = self.model
        current = m.lookup(key)
        if current is None:
            m.create(key, str(by))
            expected = by
        else:
            try:
                n = int(current)
                ok = str(n) == current and current != "-0" and -(2**63) <= n <= LLONG_MAX
            except ValueError:
                ok = False
            if not ok:
                expected = ("error", "ERR value is not an integer or out of range")
            elif n + by > LLONG_MAX:
                expected = ("error", "ERR increment or decrement would overflow")
            else:
                m.data[key][0] = str(n + by)
                expected = n + by
        assert reply(self.store, "INCRBY", key, str(by)) == expected

    @rule(key=KEYS, value=VALUES)
    def append(self, key, value) -> None:
        m = self.model
        current = m.lookup(key)
        if current is None:
            m.create(key, value)
        else:
            m.data[key][0] = current + value
        assert reply(self.store, "APPEND", key, value) == len(m.data[key][0].encode())

    @rule(key=KEYS, seconds=st.integers(-2, 5))
    def expire(self, key, seconds) -> None:
        m = self.model
        if m.lookup(key) is None:
            expected = 0
        else:
            expected = 1
            when = self.clock.now_ms() + seconds * 1000
            if when <= self.clock.now_ms():
                del m.data[key]
            else:
                m.data[key][1] = when
        assert reply(self.store, "EXPIRE", key, str(seconds)) == expected

    @rule(key=KEYS)
    def persist(self, key) -> None:
        m = self.model
        expected = 0
        if m.lookup(key) is not None and m.data[key][1] is not None:
            m.data[key][1] = None
            expected = 1
        assert reply(self.store, "PERSIST", key) == expected

    @rule(key=KEYS)
    def pttl_and_ttl(self, key) -> None:
        m = self.model
        if m.lookup(key, touch=False) is None:
            expected = (-2, -2)
        elif m.data[key][1] is None:
            expected = (-1, -1)
        else:
            left = m.data[key][1] - self.clock.now_ms()
            expected = (left, (left + 500) // 1000)
        assert (reply(self.store, "PTTL", key), reply(self.store, "TTL", key)) == expected

    @rule(keys=st.lists(KEYS, min_size=1, max_size=3))
    def exists(self, keys) -> None:
        expected = sum(1 for k in keys if self.model.lookup(k, touch=False) is not None)
        assert reply(self.store, "EXISTS", *keys) == expected

    @rule(ms=st.integers(0, 1500))
    def advance(self, ms) -> None:
        self.clock.advance(ms)

    @invariant()
    def same_live_keys(self) -> None:
        if not hasattr(self, "store"):
            return
        now = self.clock.now_ms()
        live = sorted(k for k, (_, exp, *_) in self.model.data.items() if exp is None or now <= exp)
        assert sorted(self.store.execute("KEYS", "*")) == live


class EngineVsModelWithEviction(EngineVsModel):
    maxkeys = 4
    policy = "allkeys-lru"


class EngineVsModelWithExactLFU(EngineVsModel):
    """lfu_counter="exact": the textbook LFU (fewest accesses; ties: least recently used)."""

    maxkeys = 4
    policy = "allkeys-lfu"


class EngineVsModelWithCron(EngineVsModel):
    """The cron may remove expired keys any time; replies must not change."""

    @rule()
    def tick(self) -> None:
        self.store.tick()
        now = self.clock.now_ms()
        for key in [k for k, v in self.model.data.items() if v[1] is not None and now > v[1]]:
            self.model.data.pop(key)


SETTINGS = settings(max_examples=100, stateful_step_count=40, deadline=None)
TestEngineVsModel = EngineVsModel.TestCase
TestEngineVsModel.settings = SETTINGS
TestEngineVsModelWithEviction = EngineVsModelWithEviction.TestCase
TestEngineVsModelWithEviction.settings = SETTINGS
TestEngineVsModelWithExactLFU = EngineVsModelWithExactLFU.TestCase
TestEngineVsModelWithExactLFU.settings = SETTINGS
TestEngineVsModelWithCron = EngineVsModelWithCron.TestCase
TestEngineVsModelWithCron.settings = SETTINGS
