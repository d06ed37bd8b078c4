"""Cache stampede model: the chapter's numbers, seeded, in virtual time (100 ms ticks)."""

from __future__ import annotations

import json

import pytest

from kvengine.scenarios import StampedeModel

TEN_TTL_PERIODS = 1000  # ticks: 10 periods of the default 100-tick TTL


def test_no_mitigation_all_servers_hit_the_database_at_once() -> None:
    model = StampedeModel(mitigation="none", seed=1)
    before = model.run(100)
    assert before["dbLoad"] == 0 and before["dbPeak"] == 0 and not before["everOverloaded"]
    expiry = model.step()  # tick 101: the batch expires
    assert sum(e["type"] == "expired" for e in expiry["events"]) == 10
    assert sum(e["type"] == "miss" for e in expiry["events"]) == 10
    assert {s["state"] for s in expiry["servers"]} == {"querying"}
    assert expiry["dbLoad"] == 10 == expiry["dbPeak"]  # peak = N
    assert expiry["dbOverloaded"] and expiry["dbLoad"] > expiry["dbCapacity"]
    assert expiry["ttlRemaining"] == 0


def test_no_mitigation_full_cycle_within_300_ticks() -> None:
    model = StampedeModel(mitigation="none", seed=1)
    ticks = [model.step() for _ in range(300)]
    loads = [t["dbLoad"] for t in ticks]
    first_spike = loads.index(10)
    recovered = next(i for i in range(first_spike, 300) if loads[i] == 0)
    assert first_spike < recovered < 300
    assert {s["state"] for s in ticks[recovered]["servers"]} == {"hit"}
    assert ticks[recovered]["ttlRemaining"] == 100
    # steady state: one query per entry refresh; the stampede is ten of them at once (10x)
    single_refresh = StampedeModel(mitigation="lock", keys=1, seed=1).run(300)["dbPeak"]
    assert max(loads) == 10 * single_refresh


def test_jitter_spreads_the_batch_no_overload() -> None:
    # The distribution over seeds 1-200 is checked in test_claims.py; here one run's mechanics.
    snap = StampedeModel(mitigation="jitter", seed=1).run(TEN_TTL_PERIODS)
    assert snap["dbPeak"] < 10
    assert not snap["everOverloaded"]
    assert snap["expiries"] >= 50  # the entries did expire
    assert snap["misses"] == snap["expiries"]  # one server per entry


def test_jitter_first_expiries_are_staggered() -> None:
    model = StampedeModel(mitigation="jitter", seed=1)
    expiry_ticks = []
    for _ in range(300):
        snap = model.step()
        expiry_ticks += [snap["tick"]] * sum(e["type"] == "expired" for e in snap["events"])
    first_ten = expiry_ticks[:10]
    assert len(first_ten) == 10 and len(set(first_ten)) >= 8
    assert 100 < min(first_ten) and max(first_ten) <= 201


@pytest.mark.parametrize("keys", [10, 1, 3])
def test_lock_exactly_one_recompute_per_expiry_of_each_key(keys: int) -> None:
    snap = StampedeModel(mitigation="lock", keys=keys, seed=2).run(TEN_TTL_PERIODS)
    assert snap["expiries"] > 0
    assert snap["recomputes"] == snap["expiries"]
    assert snap["maxRecomputesPerExpiry"] == 1
    assert snap["dbPeak"] == keys  # one query per key that expired at that instant


def test_lock_is_per_key_set_nx_px_in_the_cache() -> None:
    model = StampedeModel(mitigation="lock", keys=1, seed=1)
    snap = model.run(101)
    locks = [e for e in snap["events"] if e["type"] == "lock"]
    assert [e["key"] for e in locks] == ["lock:hot:0"]
    holder = str(locks[0]["server"])
    assert model.store.get("lock:hot:0") == holder
    assert 0 < model.store.pttl("lock:hot:0") <= 4 * 5 * 100  # PX: a lease of 4 recomputes
    model.run(5)  # the holder's query completes: it refreshes the entry and releases the lock
    assert model.store.get("lock:hot:0") is None and model.store.get("hot:0") is not None


def test_lock_on_a_batch_takes_one_lock_per_entry_and_does_not_cap_the_peak() -> None:
    model = StampedeModel(mitigation="lock", seed=1)
    snap = model.run(101)
    locks = sorted(e["key"] for e in snap["events"] if e["type"] == "lock")
    assert locks == sorted(f"lock:hot:{i}" for i in range(10))
    assert snap["dbLoad"] == 10 and snap["staleReads"] == 0  # nobody else reads those entries


def test_lock_on_one_shared_key_serves_stale_instead_of_a_herd() -> None:
    none = StampedeModel(mitigation="none", seed=1, keys=1).run(300)
    lock = StampedeModel(mitigation="lock", seed=1, keys=1).run(300)
    assert none["maxRecomputesPerExpiry"] == 10 and none["dbPeak"] == 10  # the herd on one key
    assert lock["maxRecomputesPerExpiry"] == 1 and lock["dbPeak"] == 1
    assert lock["recomputes"] == lock["expiries"]
    model = StampedeModel(mitigation="lock", seed=1, keys=1)
    snap = model.run(101)
    states = sorted(s["state"] for s in snap["servers"])
    assert states == ["querying"] + ["stale"] * 9


def test_keys_between_one_and_servers_map_servers_round_robin() -> None:
    snap = StampedeModel(servers=10, keys=3, seed=1).snapshot()
    assert [s["key"] for s in snap["servers"]] == [f"hot:{i % 3}" for i in range(10)]
    assert StampedeModel(servers=6).snapshot()["servers"][5]["key"] == "hot:5"  # default: N


def test_jitter_cannot_spread_one_key() -> None:
    snap = StampedeModel(mitigation="jitter", keys=1, seed=1).run(300)
    assert snap["dbPeak"] == 10 and snap["maxRecomputesPerExpiry"] == 10


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_xfetch_no_miss_in_ten_ttl_periods(seed: int) -> None:
    snap = StampedeModel(mitigation="early", seed=seed).run(TEN_TTL_PERIODS)
    assert snap["misses"] == 0
    assert snap["expiries"] == 0  # refreshed before expiry
    assert snap["recomputes"] >= 10 * 9  # ~ one per entry per TTL


def test_xfetch_recomputes_are_early() -> None:
    model = StampedeModel(mitigation="early", seed=1)
    early_events = []
    for _ in range(300):
        early_events += [e for e in model.step()["events"] if e["type"] == "recompute"]
    assert early_events and all(e["early"] for e in early_events)


def test_cache_entries_live_in_the_store_with_real_ttls() -> None:
    model = StampedeModel(seed=1)
    snap = model.run(40)
    assert model.store.pttl("hot:0") == 6000
    assert snap["ttlRemaining"] == 60 and snap["servers"][0]["ttl"] == 60
    assert snap["ttlFull"] == 100 and snap["tickMs"] == 100


def test_snapshot_shape_and_json() -> None:
    snap = StampedeModel(servers=6, mitigation="jitter", seed=5).run(150)
    json.dumps(snap)
    for field in (
        "mitigation",
        "tick",
        "ttlRemaining",
        "servers",
        "dbLoad",
        "dbPeak",
        "dbOverloaded",
        "recomputes",
        "staleReads",
        "misses",
        "dbCapacity",
        "history",
        "events",
    ):
        assert field in snap
    assert len(snap["servers"]) == 6 and snap["tick"] == 150
    assert len(snap["history"]) == 150
    assert {s["state"] for s in snap["servers"]} <= {"hit", "querying", "waiting", "stale"}


def test_history_is_bounded() -> None:
    assert len(StampedeModel(seed=1).run(500)["history"]) == 200


def test_same_seed_same_run_other_seed_other_run() -> None:
    run1 = StampedeModel(mitigation="jitter", seed=7).run(400)
    run2 = StampedeModel(mitigation="jitter", seed=7).run(400)
    run3 = StampedeModel(mitigation="jitter", seed=8).run(400)
    assert run1 == run2 and run1["history"] != run3["history"]


def test_snapshot_does_not_advance() -> None:
    model = StampedeModel(seed=1)
    model.run(3)
    assert model.snapshot() == model.snapshot() and model.snapshot()["tick"] == 3


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mitigation": "magic"},
        {"servers": 0},
        {"servers": 101},
        {"servers": "10"},
        {"keys": 11},
        {"keys": 0},
        {"servers": 4, "keys": 5},
        {"ttl_ticks": 0},
        {"jitter": -1},
        {"beta": 0},
        {"seed": 1.5},
    ],
)
def test_bad_parameters_raise_readable_errors(kwargs: dict) -> None:
    with pytest.raises(ValueError) as info:
        StampedeModel(**kwargs)
    assert str(info.value)[0].isalpha() and len(str(info.value)) < 120
