"""Events and snapshots: what the sims see inside an operation, free when nobody listens."""

from __future__ import annotations

import json

from kvengine import EventLog, Store, VirtualClock
from kvengine.events import EventHub
from kvengine.hashing import fnv1a_32


def test_no_listener_builds_no_events(monkeypatch) -> None:
    store = Store(clock=VirtualClock(0), seed=1, policy="allkeys-lru", maxkeys=3)

    def boom(self, event):  # pragma: no cover - must never run
        raise AssertionError(f"event built without a listener: {event}")

    monkeypatch.setattr(EventHub, "emit", boom)
    for i in range(50):
        store.set(f"k{i}", "v", ex=1)
        store.get(f"k{i}")
    store.clock.advance(5000)
    store.tick()
    assert store.stats["evicted_keys"] == 47


def test_lookup_reports_hash_and_probe() -> None:
    store = Store(clock=VirtualClock(0), seed=1)
    store.set("user:42", "alice")
    log = EventLog()
    store.add_listener(log)
    assert store.get("user:42") == "alice"
    hash_event, probe = log.events[0], log.events[1]
    size = store.snapshot()["table"]["size"]
    assert hash_event == {
        "type": "hash",
        "key": "user:42",
        "hash": 795573122,
        "bucket": fnv1a_32(b"user:42") % size,
        "table_size": size,
    }
    assert probe["type"] == "probe" and probe["found"] and probe["chain"][-1] == "user:42"
    store.remove_listener(log)
    store.get("user:42")
    assert len(log.events) == 2


def test_eviction_event_lists_candidates_and_reason() -> None:
    clock = VirtualClock(0)
    store = Store(clock=clock, seed=1, policy="allkeys-lru", maxkeys=6, samples=16)
    for k in "ABCDEF":
        store.set(k, "v")
        clock.advance(1000)
    store.get("A")
    log = EventLog()
    store.add_listener(log)
    store.set("G", "v")
    (event,) = log.of_type("evict")
    assert event["key"] == "B" and event["policy"] == "allkeys-lru"
    assert [c["key"] for c in event["candidates"]][0] == "B"
    assert {c["key"] for c in event["candidates"]} == set("ABCDEF")
    assert event["reason"] == "idle 5000 ms, the longest of 6 candidates"
    json.dumps(log.events)


def test_rehash_steps_are_reported() -> None:
    store = Store(clock=VirtualClock(0), seed=1)
    log = EventLog()
    store.add_listener(log)
    for i in range(5):
        store.set(f"k{i}", "v")
    assert log.of_type("rehash_start")[0]["to_size"] == 8
    for _ in range(10):
        store.get("k0")
    steps = log.of_type("rehash_step")
    assert steps and steps[-1]["done"] is True
    assert sorted(k for s in steps for k in s["moved"]) == [f"k{i}" for i in range(4)]


def test_snapshot_is_json_and_complete() -> None:
    clock = VirtualClock(0)
    store = Store(clock=clock, seed=1, policy="allkeys-lfu", maxkeys=10, lfu_counter="exact")
    store.set("a", "1", ex=10)
    store.set("b", "2")
    store.get("b")
    clock.advance(500)
    snap = json.loads(json.dumps(store.snapshot()))
    keys = {k["key"]: k for k in snap["keys"]}
    assert keys["a"]["ttl_ms"] == 9500 and keys["b"]["ttl_ms"] is None
    assert keys["b"]["freq"] == 2 and keys["b"]["idle_ms"] == 500
    assert snap["dbsize"] == 2 and snap["policy"] == "allkeys-lfu"
    assert len(snap["buckets"]) == snap["table"]["size"]
    assert sorted(k for b in snap["buckets"] for k in b) == ["a", "b"]


def test_key_info_does_not_touch() -> None:
    clock = VirtualClock(0)
    store = Store(clock=clock, seed=1)
    store.set("k", "v")
    clock.advance(100)
    info = store.key_info("k")
    assert info["idle_ms"] == 100 and info["access_count"] == 1
    assert store.key_info("k")["access_count"] == 1
    assert store.key_info("missing") is None
    store.set("t", "v", px=10)
    clock.advance(11)
    assert store.key_info("t") is None and store.stats["expired_keys"] == 0


def test_same_seed_same_event_log() -> None:
    def run() -> list[dict]:
        clock = VirtualClock(0)
        store = Store(clock=clock, seed=11, policy="allkeys-lfu", maxkeys=20, samples=5)
        log = EventLog()
        store.add_listener(log)
        for i in range(300):
            key = f"k{(i * 7919) % 53}"
            if store.get(key) is None:
                store.set(key, str(i), px=500 + i)
            clock.advance(3)
            if i % 25 == 0:
                store.tick()
        return log.events

    assert json.dumps(run()) == json.dumps(run())
