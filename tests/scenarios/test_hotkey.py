"""Hot-key model: one key overloads its shard; replicas, local caches and read replicas fix it."""

from __future__ import annotations

import json

import pytest

from kvengine.scenarios import HotKeyModel

SETTLE = 120


def test_no_mitigation_hot_shard_carries_80_percent_and_is_overloaded() -> None:
    snap = HotKeyModel(mitigation="none", seed=1).run(SETTLE)
    shard1, shard2, shard3 = snap["shards"]
    assert snap["hotKeys"] == [{"key": "popular_key", "slot": 1727, "shard": 1}]
    assert abs(shard1["share"] - 0.80) <= 0.03
    assert shard1["overloaded"] and shard1["overloadedTicks"] == SETTLE
    assert not shard2["overloaded"] and not shard3["overloaded"]
    assert shard2["overloadedTicks"] == shard3["overloadedTicks"] == 0
    assert shard1["load"] > shard1["capacity"] > 2 * max(shard2["load"], shard3["load"])


def test_replicas_land_on_three_shards_and_balance_the_load() -> None:
    snap = HotKeyModel(mitigation="replicas", seed=1).run(SETTLE)
    assert snap["hotKeys"] == [
        {"key": "popular_key:1", "slot": 11046, "shard": 3},
        {"key": "popular_key:2", "slot": 6981, "shard": 2},
        {"key": "popular_key:3", "slot": 2916, "shard": 1},
    ]
    assert snap["maxShare"] <= 0.45
    assert not any(s["overloaded"] or s["overloadedTicks"] for s in snap["shards"])


def test_replica_writes_update_all_copies() -> None:
    model = HotKeyModel(
        mitigation="replicas", seed=1, write_ratio=1.0, hot_share=1.0, requests_per_tick=10
    )
    snap = model.step()
    assert snap["clusterRequests"] == 30  # 10 writes x 3 replica keys
    assert {r["key"] for r in snap["requests"]} == {
        "popular_key:1",
        "popular_key:2",
        "popular_key:3",
    }


def test_local_cache_cuts_hot_key_cluster_traffic_by_the_hit_rate() -> None:
    none = HotKeyModel(mitigation="none", seed=1).run(SETTLE)
    local = HotKeyModel(mitigation="local-cache", seed=1).run(SETTLE)
    rate = local["localHitRate"]
    assert 0.8 < rate < 1.0
    assert local["hotClusterReads"] == local["hotReads"] - local["localHits"]
    assert local["hotClusterReads"] == pytest.approx(local["hotReads"] * (1 - rate))
    # the same request stream reaches the cluster, minus the local hits
    assert none["hotClusterReads"] == pytest.approx(local["hotReads"], rel=0.05)
    assert local["hotShare"] < none["hotShare"] - 0.3
    assert not any(s["overloaded"] for s in local["shards"])
    assert any(r["served_by"] == "local-cache" for r in local["requests"])


def test_local_cache_costs_stale_reads_after_writes() -> None:
    assert HotKeyModel(mitigation="local-cache", seed=1).run(30)["staleLocalReads"] > 0
    clean = HotKeyModel(mitigation="local-cache", seed=1, write_ratio=0.0).run(30)
    assert clean["staleLocalReads"] == 0


def test_read_replicas_take_the_hot_reads_off_the_primary() -> None:
    snap = HotKeyModel(mitigation="read-replicas", seed=1).run(SETTLE)
    shard1 = snap["shards"][0]
    assert len(shard1["replicaLoad"]) == 2 and min(shard1["replicaLoad"]) > 0
    assert shard1["load"] < shard1["capacity"] and not shard1["overloaded"]
    assert snap["maxShare"] <= 0.45
    assert {r["served_by"] for r in snap["requests"]} >= {"replica", "shard"}
    assert all(s["replicaLoad"] == [0, 0] for s in snap["shards"][1:])


def test_shares_settle_within_120_ticks() -> None:
    for mitigation in ("none", "replicas", "local-cache", "read-replicas"):
        model = HotKeyModel(mitigation=mitigation, seed=2)
        at_120 = [s["share"] for s in model.run(SETTLE)["shards"]]
        at_240 = [s["share"] for s in model.run(SETTLE)["shards"]]
        assert max(abs(a - b) for a, b in zip(at_120, at_240, strict=True)) < 0.01, mitigation


def test_requests_sample_is_bounded_and_consistent() -> None:
    snap = HotKeyModel(mitigation="none", seed=1).step()
    assert 0 < len(snap["requests"]) <= 40
    for request in snap["requests"]:
        assert request["served_by"] in ("shard", "replica", "local-cache")
        assert 1 <= request["shard"] <= 3
    assert sum(s["load"] for s in snap["shards"]) == snap["requestsPerTick"] == 200


def test_more_shards_do_not_fix_a_hot_key() -> None:
    snap = HotKeyModel(shards=6, mitigation="none", seed=1).run(60)
    hot = snap["shards"][snap["hotShard"] - 1]
    assert hot["overloaded"] and hot["share"] > 0.7
    assert [s["slots"] for s in snap["shards"]][0] == [0, 2730]


def test_snapshot_shape_json_and_determinism() -> None:
    a = HotKeyModel(mitigation="replicas", seed=4).run(20)
    b = HotKeyModel(mitigation="replicas", seed=4).run(20)
    c = HotKeyModel(mitigation="replicas", seed=5).run(20)
    json.dumps(a)
    assert a == b and a["requests"] != c["requests"]
    for field in (
        "mitigation",
        "tick",
        "shards",
        "hotKeys",
        "requests",
        "maxShare",
        "localHitRate",
    ):
        assert field in a
    assert [s["id"] for s in a["shards"]] == [1, 2, 3]
    assert a["shards"][0]["slots"] == [0, 5460]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"mitigation": "sharding"},
        {"shards": 0},
        {"shards": 17},
        {"hot_share": 1.5},
        {"hot_key": ""},
        {"requests_per_tick": 0},
        {"capacity": -1},
        {"seed": "x"},
    ],
)
def test_bad_parameters_raise_readable_errors(kwargs: dict) -> None:
    with pytest.raises(ValueError) as info:
        HotKeyModel(**kwargs)
    assert str(info.value)[0].isalpha()
