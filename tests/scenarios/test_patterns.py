"""Caching patterns: the chapter's trade-offs, measured (latency, staleness, loss on a crash)."""

from __future__ import annotations

import pytest

from kvengine.clock import VirtualClock
from kvengine.scenarios.database import Database
from kvengine.scenarios.patterns import ReadThroughCache, WriteBehindCache, WriteThroughCache
from kvengine.store import Store

DB_READ_MS = 20
DB_WRITE_MS = 30
CACHE_MS = 0.5


def setup(pattern: type, **kwargs: object):  # noqa: ANN201 - returns a tuple of three objects
    clock = VirtualClock(0)
    db = Database(clock, read_latency_ms=DB_READ_MS, write_latency_ms=DB_WRITE_MS)
    db.load({f"user:{i}": f"name{i}" for i in range(10)})
    cache = pattern(Store(clock=clock, seed=1), db, **kwargs)
    return clock, db, cache


# -- read-through -----------------------------------------------------------------------------
def test_read_through_cold_miss_pays_database_latency_then_hits() -> None:
    _, _, cache = setup(ReadThroughCache, ttl_ms=60_000)
    first = cache.read("user:1")
    second = cache.read("user:1")
    assert (first.hit, first.value, first.latency_ms) == (False, "name1", CACHE_MS * 2 + DB_READ_MS)
    assert (second.hit, second.value, second.latency_ms) == (True, "name1", CACHE_MS)
    assert cache.store.pttl("user:1") == 60_000  # stored with its TTL in the Store


def test_read_through_entry_expires_after_its_ttl() -> None:
    clock, _, cache = setup(ReadThroughCache, ttl_ms=1000)
    cache.read("user:1")
    clock.advance(1000)
    assert cache.read("user:1").hit is True  # Redis: expired only when now > expiry
    clock.advance(1)
    assert cache.read("user:1").hit is False


def test_read_through_jitter_spreads_ttls_of_a_batch() -> None:
    _, _, plain = setup(ReadThroughCache, ttl_ms=10_000)
    _, _, jittered = setup(ReadThroughCache, ttl_ms=10_000, jitter_ms=5_000, seed=3)
    keys = [f"user:{i}" for i in range(10)]
    plain.warm(keys)
    jittered.warm(keys)
    assert {plain.store.pttl(k) for k in keys} == {10_000}
    ttls = [jittered.store.pttl(k) for k in keys]
    assert all(10_000 <= t <= 15_000 for t in ttls) and len(set(ttls)) >= 8


def test_missing_row_is_not_cached() -> None:
    _, _, cache = setup(ReadThroughCache)
    result = cache.read("nobody")
    assert (result.value, result.hit, result.ok) == (None, False, True)
    assert cache.store.exists("nobody") == 0


def test_cache_warming_removes_the_cold_miss() -> None:
    _, _, cold = setup(ReadThroughCache)
    _, _, warm = setup(ReadThroughCache)
    warm.warm(["user:1", "user:2"])
    assert warm.read("user:1").hit and warm.read("user:2").hit
    assert cold.read("user:1").latency_ms > warm.read("user:1").latency_ms * 10


def test_out_of_band_update_is_stale_until_invalidated() -> None:
    _, db, cache = setup(ReadThroughCache, ttl_ms=60_000)
    cache.read("user:1")
    db.update_directly("user:1", "renamed")  # a bulk SQL update
    stale = cache.read("user:1")
    assert (stale.value, stale.stale, stale.version, stale.db_version) == ("name1", True, 1, 2)
    assert cache.staleness("user:1") == 1
    cache.invalidate("user:1")
    fresh = cache.read("user:1")
    assert (fresh.value, fresh.stale, fresh.hit) == ("renamed", False, False)
    assert cache.stats()["staleReads"] == 1


def test_out_of_band_update_is_stale_until_the_ttl_ends() -> None:
    clock, db, cache = setup(ReadThroughCache, ttl_ms=5_000)
    cache.read("user:1")
    db.update_directly("user:1", "renamed")
    clock.advance(5_000)
    assert cache.read("user:1").stale is True
    clock.advance(1)
    assert cache.read("user:1").value == "renamed"


def test_write_with_invalidation_keeps_reads_fresh() -> None:
    _, _, cache = setup(ReadThroughCache)
    cache.read("user:1")
    cache.write("user:1", "new")
    assert cache.read("user:1").value == "new"
    cache.write("user:1", "newer", invalidate=False)
    assert cache.read("user:1").stale is True


def test_read_through_with_database_down_reports_the_failure() -> None:
    _, db, cache = setup(ReadThroughCache)
    db.fail_for(100)
    result = cache.read("user:1")
    assert (result.ok, result.value) == (False, None) and "down" in result.error


# -- write-through ----------------------------------------------------------------------------
def test_write_through_is_acknowledged_after_the_database() -> None:
    _, db, cache = setup(WriteThroughCache)
    result = cache.write("user:1", "x")
    assert result.latency_ms == CACHE_MS + DB_WRITE_MS  # no speed-up for writes
    assert db.peek("user:1").value == "x"  # in the database at the ack
    read = cache.read("user:1")
    assert (read.hit, read.value, read.stale) == (True, "x", False)


def test_write_through_never_stale_and_crash_loses_nothing() -> None:
    clock, db, cache = setup(WriteThroughCache)
    for i in range(20):
        cache.write(f"user:{i % 5}", f"v{i}")
        clock.advance(7)
        assert cache.read(f"user:{i % 5}").stale is False
    assert cache.crash() == {"lost": []}
    assert [db.peek(f"user:{k}").value for k in range(5)] == ["v15", "v16", "v17", "v18", "v19"]


def test_write_through_with_database_down_is_not_acknowledged() -> None:
    _, db, cache = setup(WriteThroughCache)
    cache.read("user:1")
    db.fail_for(100)
    result = cache.write("user:1", "x")
    assert result.ok is False
    assert cache.read("user:1").value == "name1"  # the cache was not changed


# -- write-behind -----------------------------------------------------------------------------
def test_write_behind_acknowledges_at_once_and_flushes_in_batches() -> None:
    clock, db, cache = setup(WriteBehindCache, flush_interval_ms=1000)
    results = [cache.write(f"user:{i}", f"w{i}") for i in range(3)]
    assert [r.latency_ms for r in results] == [CACHE_MS] * 3  # sub-millisecond writes
    assert db.peek("user:0").value == "name0"  # not in the database yet
    assert cache.read("user:0").value == "w0"  # the cache is the newest copy
    clock.advance(999)
    cache.tick()
    assert cache.stats()["pending"] == 3
    clock.advance(1)
    cache.tick()
    assert [db.peek(f"user:{i}").value for i in range(3)] == ["w0", "w1", "w2"]
    assert cache.flushes == 1 and cache.stats()["pending"] == 0


def test_write_behind_crash_loses_exactly_the_unflushed_writes() -> None:
    clock, db, cache = setup(WriteBehindCache, flush_interval_ms=1000)
    for i in range(5):
        cache.write(f"user:{i}", f"flushed{i}")
        clock.advance(100)
    clock.advance(500)
    cache.tick()  # t = 1000: first flush
    cache.write("user:1", "late1")
    cache.write("user:7", "late7")
    clock.advance(300)
    cache.write("user:8", "late8")
    report = cache.crash()
    assert [(w["key"], w["value"]) for w in report["lost"]] == [
        ("user:1", "late1"),
        ("user:7", "late7"),
        ("user:8", "late8"),
    ]
    assert [db.peek(f"user:{i}").value for i in range(5)] == [f"flushed{i}" for i in range(5)]
    assert db.peek("user:7").value == "name7" and db.peek("user:8").value == "name8"
    assert cache.store.dbsize() == 0 and cache.stats()["lost"] == 3
    clock.advance(5000)
    cache.tick()  # nothing left to flush
    assert db.peek("user:1").value == "flushed1"


def test_write_behind_survives_a_database_outage_with_growing_risk() -> None:
    clock, db, cache = setup(WriteBehindCache, flush_interval_ms=1000)
    db.fail_for(2500)
    cache.write("user:1", "a")
    assert cache.write("user:2", "b").ok is True  # acknowledged while the DB is down
    clock.advance(2000)
    cache.tick()
    assert cache.stats()["pending"] == 2  # flushes failed, retried later
    clock.advance(1000)
    cache.tick()
    assert cache.stats()["pending"] == 0 and db.peek("user:2").value == "b"


def test_write_latency_ordering_matches_the_chapter() -> None:
    _, _, wt = setup(WriteThroughCache)
    _, _, wb = setup(WriteBehindCache)
    for i in range(10):
        wt.write(f"user:{i}", "x")
        wb.write(f"user:{i}", "x")
    assert wb.stats()["meanWriteLatencyMs"] * 50 < wt.stats()["meanWriteLatencyMs"]


@pytest.mark.parametrize("kwargs", [{"ttl_ms": 0}, {"jitter_ms": -1}, {"ttl_ms": 1.5}])
def test_bad_parameters_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        setup(ReadThroughCache, **kwargs)


def test_write_behind_long_idle_gap_flushes_once_and_keeps_the_interval() -> None:
    clock, db, cache = setup(WriteBehindCache, flush_interval_ms=1000)
    cache.write("user:1", "a")
    clock.advance(10**9 + 500)  # a very long quiet period
    cache.tick()
    assert cache.flushes == 1 and db.peek("user:1").value == "a"
    assert cache.next_flush_ms == 10**9 + 1000 and cache.next_flush_ms > clock.now_ms()
