"""The primary database model: latency in virtual time, load, capacity, versions, faults."""

from __future__ import annotations

import pytest

from kvengine.clock import VirtualClock
from kvengine.scenarios.database import Database, DatabaseUnavailable


def make(capacity: int = 2) -> tuple[VirtualClock, Database]:
    clock = VirtualClock(0)
    db = Database(clock, read_latency_ms=50, write_latency_ms=80, capacity=capacity)
    db.load({"a": "1", "b": "2"})
    return clock, db


def test_async_queries_are_in_flight_until_their_latency_has_passed() -> None:
    clock, db = make()
    db.begin_read("a")
    db.begin_write("b", "3")
    assert db.in_flight == 2 and not db.overloaded
    clock.advance(49)
    assert db.poll() == [] and db.in_flight == 2
    clock.advance(1)
    done = db.poll()
    assert [(q.kind, q.record.value) for q in done] == [("read", "1")]
    assert db.peek("b").value == "2"  # a write applies when it completes
    clock.advance(30)
    assert [q.record.version for q in db.poll()] == [2]
    assert db.peek("b").value == "3" and db.in_flight == 0


def test_overloaded_above_capacity_and_peak_is_remembered() -> None:
    _, db = make(capacity=2)
    for _ in range(3):
        db.begin_read("a")
    assert db.overloaded and db.peak == 3


def test_overload_factor_slows_queries_started_at_capacity() -> None:
    clock = VirtualClock(0)
    db = Database(clock, read_latency_ms=10, capacity=1, overload_factor=3.0)
    assert db.begin_read("x").done_ms == 10
    assert db.begin_read("x").done_ms == 30


def test_versions_count_writes_including_out_of_band_ones() -> None:
    clock, db = make()
    record, latency = db.write("a", "x")
    assert (record.version, latency) == (2, 80)
    clock.advance(5)
    direct = db.update_directly("a", "y")
    assert (direct.version, direct.updated_ms) == (3, 5)
    assert db.read("a") == (direct, 50)


def test_fault_injection_down_then_back() -> None:
    clock, db = make()
    db.fail_for(1000)
    with pytest.raises(DatabaseUnavailable, match="down until t = 1000 ms"):
        db.read("a")
    with pytest.raises(DatabaseUnavailable):
        db.begin_read("a")
    clock.advance(1000)
    assert db.read("a")[0].value == "1"


def test_fault_injection_slow() -> None:
    clock, db = make()
    db.slow_for(100, 4)
    assert db.read("a")[1] == 200
    clock.advance(100)
    assert db.read("a")[1] == 50


@pytest.mark.parametrize(
    "kwargs", [{"read_latency_ms": 0}, {"capacity": 0}, {"capacity": 1.5}, {"overload_factor": 0.5}]
)
def test_bad_parameters_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        Database(VirtualClock(0), **kwargs)
