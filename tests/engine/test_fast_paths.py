"""The engine's fast paths give exactly the results of its plain, step-by-step paths.

``Store.get``/``Store.set`` take inlined paths when nobody listens (no event objects built), a
miss in a full ``allkeys-lru`` cache reuses the victim's entry and bucket bookkeeping
(``HashTable.replace``), and ``Evictor.choose_lru`` samples buckets in slices instead of calling
``HashTable.sample_keys``. Attaching a listener switches all of that off, so a store with a
listener is the reference: the same seed and calls must evict the same keys, leave the same
keys, counters and random-generator state.
"""

from __future__ import annotations

import random
import time

import pytest

from kvengine import EventLog, HashTable, ResponseError, Store, SystemClock, VirtualClock
from kvengine.memory import TTL_OVERHEAD, entry_bytes


def run_pair(ops: list[tuple], **store_kw) -> tuple[Store, Store, list[str]]:
    """Run ``ops`` on a quiet store and on a listened-to one; assert equal replies throughout."""
    clocks = (VirtualClock(0), VirtualClock(0))
    quiet = Store(clock=clocks[0], **store_kw)
    traced = Store(clock=clocks[1], **store_kw)
    log = EventLog()
    traced.add_listener(log)
    for n, (op, *args) in enumerate(ops):
        for clock in clocks:
            clock.advance(args[-1] if op == "tick" else 1)
        if op == "tick":
            replies = [s.tick()["expired"] for s in (quiet, traced)]
        else:
            replies = [reply(getattr(s, op), *args) for s in (quiet, traced)]
        assert replies[0] == replies[1], f"op {n} {op}{tuple(args)}"
        assert quiet.dbsize() == traced.dbsize(), f"op {n}"
    return quiet, traced, [e["key"] for e in log.of_type("evict")]


def reply(method, *args) -> object:
    try:
        return method(*args)
    except ResponseError as err:
        return ("error", str(err))


def assert_same_state(quiet: Store, traced: Store) -> None:
    assert quiet.keys() == traced.keys()  # same keys in the same bucket order
    assert quiet.stats == traced.stats
    assert quiet.used_memory == traced.used_memory
    assert quiet.rng.getstate() == traced.rng.getstate()  # same randomness consumed
    assert quiet.snapshot()["eviction_pool"] == traced.snapshot()["eviction_pool"]
    for key in quiet.keys():
        assert quiet.key_info(key) == traced.key_info(key)


def cache_trace(seed: int, n: int, key_count: int) -> list[tuple]:
    """get-then-set on a skewed key distribution, with some deletes, TTLs and SET options."""
    rng = random.Random(seed)
    ops: list[tuple] = []
    for _ in range(n):
        key = f"user:{int(key_count * rng.random() ** 3)}"
        roll = rng.random()
        if roll < 0.01:
            ops.append(("tick", 40))  # cron: active expiry, shrinking, rehash steps
        elif roll < 0.05:
            ops.append(("delete", key))
        elif roll < 0.06:  # the entry moves with its access data (and its sequence number)
            ops.append(("rename", key, f"user:{rng.randrange(key_count)}"))
        elif roll < 0.08:
            ops.append(("set", key, "v" * rng.randrange(1, 9), rng.randrange(1, 30)))  # with EX
        else:
            ops.append(("get", key))
            ops.append(("set", key, f"value:{key}"))
    return ops


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_quiet_lru_cache_evicts_exactly_like_the_traced_one(seed: int) -> None:
    ops = cache_trace(seed, 3000, 600)
    quiet, traced, evicted = run_pair(ops, seed=seed, policy="allkeys-lru", maxkeys=100, samples=5)
    assert len(evicted) > 500  # the eviction path really ran
    assert_same_state(quiet, traced)


def test_sparse_table_jumps_and_wraps_like_dict_get_some_keys() -> None:
    # 1000 keys, then a cap of 40: the table keeps 1024 buckets (no cron, no shrink), so
    # sampling meets long runs of empty buckets (the jump rule) and wraps around the end
    fill = [("set", f"k{i}", "x") for i in range(1000)]
    quiet, traced, _ = run_pair(fill, seed=7, policy="allkeys-lru", samples=5)
    for store in (quiet, traced):
        store.set_maxkeys(40)
    assert quiet.snapshot()["table"]["size"] == 1024
    assert_same_state(quiet, traced)
    for i in range(400):  # misses in the sparse, full cache
        key = f"new{i}"
        assert quiet.set(key, "y") == traced.set(key, "y") == "OK"
        assert quiet.get(f"k{i}") == traced.get(f"k{i}")
    assert_same_state(quiet, traced)


@pytest.mark.parametrize("samples", [1, 3, 5, 10, 64])
def test_every_sample_size_matches_the_reference(samples: int) -> None:
    ops = cache_trace(samples, 1500, 300)
    quiet, traced, _ = run_pair(
        ops, seed=samples, policy="allkeys-lru", maxkeys=60, samples=samples
    )
    assert_same_state(quiet, traced)


def test_preview_names_the_key_the_fast_path_evicts() -> None:
    store = Store(clock=VirtualClock(0), seed=3, policy="allkeys-lru", maxkeys=50, samples=5)
    for i in range(50):
        store.set(f"k{i}", "v")
    for i in range(300):
        store.get(f"k{(i * 7) % 50}")
        victim = store.eviction_preview()
        assert victim is not None and store.exists(victim) == 1
        store.set(f"n{i}", "v")
        assert store.exists(victim) == 0, f"step {i}"
        store.set(victim, "back")  # and back in: another miss in the full cache


def test_reused_entry_starts_fresh_and_the_victim_leaves_no_trace() -> None:
    clock = VirtualClock(0)
    store = Store(clock=clock, seed=1, policy="allkeys-lru", maxkeys=2, samples=5)
    store.set("old", "a-long-value", ex=100)
    clock.advance(10)
    store.set("hot", "h")
    for _ in range(5):
        store.get("hot")
    clock.advance(10)
    assert store.set("new", "n") == "OK"  # evicts "old" (with its TTL)
    assert sorted(store.keys()) == ["hot", "new"]
    assert store.ttl("old") == -2 and store.info_fields()["expires"] == 0
    info = store.key_info("new")
    assert info is not None
    assert (info["access_count"], info["idle_ms"], info["ttl_ms"]) == (1, 0, None)
    assert info["bytes"] == entry_bytes("new", "n")
    assert store.used_memory == entry_bytes("hot", "h") + entry_bytes("new", "n")
    assert store.stats["evicted_keys"] == 1
    store.expire("new", 5)
    assert store.used_memory == entry_bytes("hot", "h") + entry_bytes("new", "n") + TTL_OVERHEAD


def test_system_clock_fast_path_records_real_access_times() -> None:
    store = Store(clock=SystemClock(), seed=1, policy="allkeys-lru", maxkeys=1)
    before = time.time_ns() // 1_000_000
    store.set("a", "1")
    store.get("a")
    store.set("b", "2")  # evicts "a" on the fast path
    after = time.time_ns() // 1_000_000
    info = store.key_info("b")
    assert info is not None and before <= info["last_access_ms"] <= after
    assert store.get("b") == "2" and store.get("a") is None


def test_execute_plain_set_takes_the_same_path_as_the_native_api() -> None:
    a = Store(clock=VirtualClock(0), seed=5, policy="allkeys-lru", maxkeys=20)
    b = Store(clock=VirtualClock(0), seed=5, policy="allkeys-lru", maxkeys=20)
    for i in range(200):
        key = f"k{(i * 37) % 90}"
        assert a.execute("GET", key) == b.get(key)
        assert a.execute("SET", key, f"v{i}") == b.set(key, f"v{i}") == "OK"
    assert a.keys() == b.keys() and a.stats["evicted_keys"] == b.stats["evicted_keys"] > 0


@pytest.mark.parametrize("size, resizable", [(4, True), (5, False), (16, False)])
def test_hashtable_replace_equals_pop_then_insert(size: int, resizable: bool) -> None:
    rng = random.Random(size)
    one = HashTable(size=size, resizable=resizable)
    two = HashTable(size=size, resizable=resizable)
    live: list[str] = []
    for i in range(400):
        key = f"key:{i}"
        if live and rng.random() < 0.6:
            victim = live.pop(rng.randrange(len(live)))
            moved = two.pop(victim)
            assert one.replace(victim, key) == moved  # the victim's value, now under key
            two.insert_new(key, moved)
        else:
            one.set(key, i)
            two.set(key, i)
        live.append(key)
        assert one.bucket_keys(0) == two.bucket_keys(0)
        assert one.bucket_keys(1) == two.bucket_keys(1)
        assert one.stats() == two.stats()
    assert dict(one.items()) == dict(two.items())


def test_chains_list_the_newest_key_first_through_a_rehash() -> None:
    t = HashTable(size=4, resizable=True)
    for i in range(4):
        t.set(f"k{i}", i)
    layout = t.bucket_keys(0)
    for chain in layout:  # within a bucket, later inserts come first
        assert chain == sorted(chain, key=lambda k: -int(k[1:]))
    t.set("k4", 4)  # 4 keys in 4 buckets: grows, one bucket moved per operation
    while t.rehashing:
        t.rehash_step(1)
    assert sorted(t.keys()) == [f"k{i}" for i in range(5)]
    assert t.size == 8 and all(t.lookup_trace(f"k{i}")["found"] for i in range(5))


@pytest.mark.parametrize("cap", [0, 2])
def test_a_cap_lowered_by_hand_is_enforced_on_the_next_write(cap: int) -> None:
    stores = [
        Store(clock=VirtualClock(0), seed=4, policy="allkeys-lru", maxkeys=5) for _ in range(2)
    ]
    stores[1].add_listener(EventLog())
    replies = []
    for store in stores:
        for i in range(5):
            store.set(f"k{i}", "v")
        store.maxkeys = cap  # the attribute, not set_maxkeys(): nothing evicted yet
        replies.append(reply(store.set, "new", "v"))
    assert replies[0] == replies[1]
    if cap == 0:
        assert replies[0] == ("error", "OOM command not allowed when used memory > 'maxmemory'.")
        assert stores[0].dbsize() == 0
    else:
        assert replies[0] == "OK" and stores[0].dbsize() == cap and "new" in stores[0].keys()
    assert_same_state(*stores)


def test_a_key_sampled_again_gets_a_second_pool_entry_as_in_redis() -> None:
    # 10 samples from 30 keys: most evictions sample keys already in the pool. As in Redis's
    # evictionPoolPopulate, such a key gets a second entry (the older one drops off the worst
    # end or is skipped as a ghost later). The pool must match the traced store's after every
    # miss and never hold more than 16 entries.
    quiet = Store(clock=VirtualClock(0), seed=11, policy="allkeys-lru", maxkeys=30, samples=10)
    traced = Store(clock=VirtualClock(0), seed=11, policy="allkeys-lru", maxkeys=30, samples=10)
    traced.add_listener(EventLog())
    rng = random.Random(11)
    duplicated = 0
    for step in range(2000):
        key = f"k{int(90 * rng.random() ** 2)}"
        for store in (quiet, traced):
            store.clock.advance(1)
            if store.get(key) is None:
                store.set(key, "v")
        pool = quiet.snapshot()["eviction_pool"]
        assert pool == traced.snapshot()["eviction_pool"], f"step {step}"
        assert len(pool) <= 16
        duplicated += len(pool) != len(set(pool))
    assert duplicated > 0
    assert_same_state(quiet, traced)


@pytest.mark.parametrize("samples", [1, 3, 5, 12])
def test_sparse_table_walks_that_jump_or_run_past_the_slice_match_the_plain_walk(
    samples: int,
) -> None:
    # 50 keys left in 256 buckets (no cron, so no shrink): runs of empty buckets make the
    # walk jump to a random bucket, and the 16-bucket slice of the hot path often ends before
    # it has its keys; both hand over to HashTable.sample_keys_from mid-walk
    stores = [
        Store(
            clock=VirtualClock(0), seed=samples, policy="allkeys-lru", maxkeys=200, samples=samples
        )
        for _ in range(2)
    ]
    log = EventLog()
    stores[1].add_listener(log)
    for store in stores:
        for i in range(200):
            store.set(f"k{i}", "v")
        for i in range(0, 200, 4):
            store.get(f"k{i}")
        store.delete(*[f"k{i}" for i in range(200) if i % 4])
        store.set_maxkeys(50)
    assert stores[0]._keys.size == 256 and stores[0].dbsize() == 50
    rng = random.Random(samples)
    for step in range(600):
        key = f"n{rng.randrange(400)}"
        replies = []
        for store in stores:
            store.clock.advance(1)
            replies.append(store.get(key))
            if replies[-1] is None:
                store.set(key, "v")
        assert replies[0] == replies[1], f"step {step}"
        assert stores[0].snapshot()["eviction_pool"] == stores[1].snapshot()["eviction_pool"]
    assert log.of_type("evict")
    assert_same_state(*stores)


def test_end_of_empty_run_counts_buckets_up_to_the_jump() -> None:
    from kvengine.evict import _end_of_empty_run

    x = ["a"]
    assert _end_of_empty_run([x, None, None, x, None, None, None], 3) == 7
    assert _end_of_empty_run([None, None, None, x], 3) == 3
    with pytest.raises(ValueError):
        _end_of_empty_run([None, x, None], 2)
