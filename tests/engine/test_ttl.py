"""TTLs: lazy and active expiry, rounding and the -1/-2 codes, as Redis 7.0 does them."""

from __future__ import annotations

import pytest

from kvengine import EventLog, Store, VirtualClock


@pytest.fixture
def clock() -> VirtualClock:
    return VirtualClock(1_000_000)


@pytest.fixture
def store(clock: VirtualClock) -> Store:
    return Store(clock=clock, seed=7)


def test_ttl_codes_and_rounding(store: Store, clock: VirtualClock) -> None:
    assert store.ttl("missing") == -2 and store.pttl("missing") == -2
    store.set("plain", "v")
    assert store.ttl("plain") == -1 and store.pttl("plain") == -1
    store.set("k", "v", px=1500)
    assert store.pttl("k") == 1500
    assert store.ttl("k") == 2  # (1500 + 500) // 1000
    clock.advance(1)
    assert store.ttl("k") == 1  # 1499 ms rounds to 1 s
    assert store.execute("EXPIRETIME", "k") == (clock.now_ms() + 1499 + 500) // 1000
    assert store.execute("PEXPIRETIME", "k") == 1_001_500


def test_key_lives_until_now_passes_expiry(store: Store, clock: VirtualClock) -> None:
    store.set("k", "v", px=100)
    clock.advance(100)  # now == expiry: still there (Redis: now > when)
    assert store.get("k") == "v" and store.pttl("k") == 0
    clock.advance(1)
    assert store.get("k") is None
    assert store.stats["expired_keys"] == 1
    assert store.dbsize() == 0


def test_expired_keys_count_in_dbsize_until_removed(store: Store, clock: VirtualClock) -> None:
    store.set("k", "v", ex=1)
    clock.advance(5000)
    assert store.dbsize() == 1  # DBSIZE counts it, as in Redis
    assert store.keys() == []  # KEYS skips it
    assert store.exists("k") == 0  # any access removes it lazily
    assert store.dbsize() == 0


def test_set_clears_ttl_keepttl_keeps_it(store: Store) -> None:
    store.set("k", "v", ex=100)
    store.set("k", "w", keepttl=True)
    assert store.ttl("k") == 100
    store.set("k", "x")
    assert store.ttl("k") == -1
    store.set("k", "v", ex=100)
    store.getset("k", "y")
    assert store.ttl("k") == -1


def test_incr_and_append_keep_ttl_rename_moves_it(store: Store) -> None:
    store.set("n", "1", ex=100)
    store.incr("n")
    store.append("n", "0")
    assert store.get("n") == "20" and store.ttl("n") == 100
    assert store.rename("n", "m") == "OK"
    assert store.ttl("m") == 100 and store.ttl("n") == -2


def test_expire_options_and_past_times(store: Store, clock: VirtualClock) -> None:
    store.set("k", "v")
    assert store.expire("k", 100, xx=True) == 0
    assert store.expire("k", 100, nx=True) == 1
    assert store.expire("k", 50, gt=True) == 0
    assert store.expire("k", 500, gt=True) == 1
    assert store.expire("k", 600, lt=True) == 0
    assert store.expire("k", 60, lt=True) == 1 and store.ttl("k") == 60
    assert store.persist("k") == 1 and store.persist("k") == 0
    assert store.expire("k", -1) == 1  # a time in the past deletes the key at once
    assert store.exists("k") == 0
    store.set("k", "v")
    assert store.expireat("k", clock.now_ms() // 1000 - 1) == 1 and store.exists("k") == 0
    assert store.expire("missing", 10) == 0


def test_getex_sets_and_removes_ttl(store: Store) -> None:
    store.set("k", "v")
    assert store.getex("k", ex=10) == "v" and store.ttl("k") == 10
    assert store.getex("k", persist=True) == "v" and store.ttl("k") == -1
    assert store.getex("missing", ex=10) is None


def test_active_expiry_removes_keys_nobody_reads(store: Store, clock: VirtualClock) -> None:
    for i in range(300):
        store.set(f"s:{i}", "v", px=100 if i % 2 else 10_000)
    clock.advance(200)
    total = 0
    for _ in range(50):
        total += store.tick()["expired"]
    assert total == 150
    assert store.stats["expired_keys"] == 150
    assert store.dbsize() == 150
    assert all(store.ttl(k) > 0 for k in store.keys())


def test_active_cycle_stops_when_few_keys_expired(store: Store, clock: VirtualClock) -> None:
    for i in range(1000):
        store.set(f"k{i}", "v", ex=1000)
    store.set("gone", "v", px=1)
    clock.advance(10)
    report = store.tick()
    # under 10% of the first sample expired: one round only
    assert report["rounds"] == 1 and report["sampled"] <= 40


def test_active_cycle_repeats_while_many_keys_expired(store: Store, clock: VirtualClock) -> None:
    for i in range(1000):
        store.set(f"k{i}", "v", px=5)
    clock.advance(10)
    report = store.tick()
    assert report["rounds"] > 1 and report["expired"] == report["sampled"] > 20


def test_expiry_events_say_lazy_or_active(store: Store, clock: VirtualClock) -> None:
    log = EventLog()
    store.add_listener(log)
    store.set("a", "v", px=10)
    store.set("b", "v", px=10)
    clock.advance(11)
    store.get("a")
    store.tick()
    hows = {e["key"]: e["how"] for e in log.of_type("expire")}
    assert hows == {"a": "lazy", "b": "active"}
