"""The cache-failure-modes controller: panels, mitigations, results tables, narration, errors.

The numbers asserted here are the ones a student sees (docs/contracts.md and the sim's spec): a
stampede without mitigation peaks at the number of servers and overloads the database, jitter
keeps the peak at 3 or less, the hot key's shard carries about 80% and is overloaded, and key
replicas leave no shard overloaded. Every results row must equal what the model itself reports.
"""

from __future__ import annotations

import json

import pytest

from kvengine.scenarios.hotkey import HotKeyModel
from kvengine.scenarios.stampede import StampedeModel
from microsims import SimInputError, bridge, controller_module, create

controller = controller_module("cache-failure-modes")
SERVERS, SHARDS = controller.SPEC["params"]["servers"], controller.SPEC["params"]["shards"]
HOTKEY_MITIGATIONS = controller.HOTKEY_MITIGATIONS
HOTKEY_WINDOW = controller.HOTKEY_WINDOW
STAMPEDE_MITIGATIONS = controller.STAMPEDE_MITIGATIONS
STAMPEDE_WINDOW = controller.STAMPEDE_WINDOW
Controller = controller.Controller


def fresh(**params: object) -> Controller:
    return Controller(dict(params), seed=1)


def row(state: dict, panel: str, mitigation: str) -> dict:
    rows = [r for r in state[panel]["results"] if r["mitigation"] == mitigation]
    assert len(rows) == 1, state[panel]["results"]
    return rows[0]


def model_after(cls: type, ticks: int, **kwargs: object) -> dict:
    model = cls(**kwargs)
    for _ in range(ticks):
        model.step()
    return model.snapshot()


# ---- initial state ------------------------------------------------------------------------


def test_initial_state_has_the_contract_shape_and_is_json() -> None:
    state = fresh().state()
    json.dumps(state, allow_nan=False)
    st, hk = state["stampede"], state["hotKey"]
    for field in (
        "mitigation",
        "tick",
        "ttlRemaining",
        "servers",
        "dbLoad",
        "dbPeak",
        "dbOverloaded",
        "recomputes",
    ):
        assert field in st
    for field in ("mitigation", "tick", "shards", "hotKeys"):
        assert field in hk
    assert st["mitigation"] == hk["mitigation"] == "none"
    assert st["tick"] == hk["tick"] == 0
    assert len(st["servers"]) == 10
    assert len(hk["shards"]) == 3
    assert st["playing"] is False and hk["playing"] is False  # panels start paused
    assert state["animating"] is False
    assert "Press Play" in state["narration"]


def test_registry_creates_this_controller() -> None:
    sim = create("cache-failure-modes", {"servers": 4}, seed=1)
    assert isinstance(sim, Controller)
    assert len(sim.state()["stampede"]["servers"]) == 4


# ---- the stampede panel -------------------------------------------------------------------


def test_stampede_without_mitigation_peaks_at_the_server_count_and_overloads() -> None:
    sim = fresh()
    sim.cmd_step(STAMPEDE_WINDOW)
    state = sim.state()
    st = state["stampede"]
    assert st["dbPeak"] == 10
    none = row(state, "stampede", "none")
    assert none["complete"] and none["overloaded"] and none["dbPeak"] == 10
    expired = [m for m in state["moments"] if "TTL expired" in m]
    assert expired, state["moments"]
    assert "10 of 10 servers miss at once; 10 queries hit the database" in expired[0]
    assert any("DB Overload" in m for m in state["moments"])


def test_jitter_button_reruns_the_panel_and_keeps_the_db_green() -> None:
    sim = fresh()
    sim.cmd_step(STAMPEDE_WINDOW)
    sim.cmd_mitigate(panel="stampede", mitigation="jitter")
    state = sim.state()
    assert state["stampede"]["tick"] == 0  # re-run from the start
    assert state["stampede"]["mitigation"] == "jitter"
    assert state["stampede"]["playing"] is True
    assert "Jitter TTL" in state["narration"]
    sim.cmd_step(STAMPEDE_WINDOW, panel="stampede")
    state = sim.state()
    assert state["stampede"]["dbPeak"] <= 3
    jitter = row(state, "stampede", "jitter")
    assert jitter["complete"] and not jitter["overloaded"] and jitter["dbPeak"] <= 3
    assert [r["mitigation"] for r in state["stampede"]["results"]] == ["none", "jitter"]
    assert row(state, "stampede", "none")["overloaded"]  # the comparison row survives


@pytest.mark.parametrize("mitigation", list(STAMPEDE_MITIGATIONS))
def test_every_stampede_row_is_what_the_model_reports(mitigation: str) -> None:
    sim = fresh()
    sim.cmd_mitigate(panel="stampede", mitigation=mitigation)
    sim.cmd_step(STAMPEDE_WINDOW + 50, panel="stampede")
    snap = model_after(StampedeModel, STAMPEDE_WINDOW, servers=10, mitigation=mitigation, seed=1)
    got = row(sim.state(), "stampede", mitigation)
    assert got["ticks"] == STAMPEDE_WINDOW
    assert got["dbPeak"] == snap["dbPeak"]
    assert got["recomputes"] == snap["recomputes"]
    assert got["staleReads"] == snap["staleReads"]
    assert got["misses"] == snap["misses"]
    assert got["overloaded"] == snap["everOverloaded"] == (snap["dbPeak"] > snap["dbCapacity"])


def test_the_mitigations_give_different_results() -> None:
    sim = fresh()
    for mitigation in STAMPEDE_MITIGATIONS:
        sim.cmd_mitigate(panel="stampede", mitigation=mitigation)
        sim.cmd_step(STAMPEDE_WINDOW, panel="stampede")
    rows = {r["mitigation"]: r for r in sim.state()["stampede"]["results"]}
    assert set(rows) == set(STAMPEDE_MITIGATIONS)
    assert rows["none"]["overloaded"]
    assert not rows["jitter"]["overloaded"]
    # The default is a batch of ten entries, one per server: a per-key lock has no herd to stop,
    # each server takes its own entry's lock and the ten recomputes still coincide.
    assert rows["lock"]["overloaded"] and rows["lock"]["dbPeak"] == 10
    assert rows["lock"]["recomputes"] == rows["none"]["recomputes"]
    assert rows["lock"]["staleReads"] == 0
    assert rows["none"]["staleReads"] == rows["jitter"]["staleReads"] == 0
    assert not rows["early"]["overloaded"]
    assert rows["early"]["misses"] == 0  # XFetch refreshes before expiry: nobody misses
    assert rows["early"]["recomputes"] > rows["none"]["recomputes"]  # ...with extra recomputes


def test_a_completed_row_is_frozen_and_rerunning_reproduces_it() -> None:
    sim = fresh()
    sim.cmd_step(STAMPEDE_WINDOW)
    first = row(sim.state(), "stampede", "none")
    sim.cmd_step(400)
    assert row(sim.state(), "stampede", "none") == first
    sim.cmd_mitigate(panel="stampede", mitigation="none")
    sim.cmd_step(STAMPEDE_WINDOW)
    assert row(sim.state(), "stampede", "none") == first
    assert sim.state()["stampede"]["dbPeak"] == first["dbPeak"]


def test_servers_param_sets_the_stampede_size() -> None:
    sim = fresh(servers=20)
    assert len(sim.state()["stampede"]["servers"]) == 20
    sim.cmd_step(STAMPEDE_WINDOW, panel="stampede")
    assert sim.state()["stampede"]["dbPeak"] == 20


# ---- the hot-key panel --------------------------------------------------------------------


def test_hot_key_without_mitigation_overloads_one_shard_with_about_80_percent() -> None:
    sim = fresh()
    sim.cmd_step(HOTKEY_WINDOW, panel="hotKey")
    state = sim.state()
    shards = state["hotKey"]["shards"]
    hot = max(shards, key=lambda s: s["share"])
    assert abs(hot["share"] - 0.80) <= 0.03
    assert hot["overloaded"]
    assert [s["id"] for s in shards if s["overloaded"]] == [hot["id"]]
    none = row(state, "hotKey", "none")
    assert none["complete"] and none["overloaded"] and none["overloadedShards"] == [hot["id"]]
    assert abs(none["maxShare"] - 0.80) <= 0.03
    assert any("OVERLOADED" in m for m in state["moments"])
    assert state["hotKey"]["hotKeys"][0]["key"] == "popular_key"
    assert state["hotKey"]["hotKeys"][0]["shard"] == hot["id"]


def test_key_replicas_show_real_slots_and_no_shard_is_overloaded() -> None:
    sim = fresh()
    sim.cmd_mitigate(panel="hotKey", mitigation="replicas")
    sim.cmd_step(HOTKEY_WINDOW, panel="hotKey")
    state = sim.state()
    hot_keys = state["hotKey"]["hotKeys"]
    assert [(k["key"], k["slot"]) for k in hot_keys] == [
        ("popular_key:1", 11046),
        ("popular_key:2", 6981),
        ("popular_key:3", 2916),
    ]
    assert len({k["shard"] for k in hot_keys}) == 3
    assert not any(s["overloaded"] for s in state["hotKey"]["shards"])
    replicas = row(state, "hotKey", "replicas")
    assert replicas["complete"] and not replicas["overloaded"] and replicas["maxShare"] <= 0.45


@pytest.mark.parametrize("mitigation", list(HOTKEY_MITIGATIONS))
def test_every_hot_key_row_is_what_the_model_reports(mitigation: str) -> None:
    sim = fresh()
    sim.cmd_mitigate(panel="hotKey", mitigation=mitigation)
    sim.cmd_step(HOTKEY_WINDOW + 30, panel="hotKey")
    model = HotKeyModel(shards=3, mitigation=mitigation, seed=1)
    ever: set[int] = set()
    for _ in range(HOTKEY_WINDOW):
        snap = model.step()
        ever.update(s["id"] for s in snap["shards"] if s["overloaded"])
    got = row(sim.state(), "hotKey", mitigation)
    assert got["ticks"] == HOTKEY_WINDOW
    assert got["maxShare"] == snap["maxShare"]
    assert got["overloadedShards"] == sorted(ever)
    assert got["overloaded"] == bool(ever)
    assert got["localHitRate"] == snap["localHitRate"]


def test_local_cache_takes_hot_traffic_off_the_cluster() -> None:
    sim = fresh()
    sim.cmd_step(HOTKEY_WINDOW, panel="hotKey")
    sim.cmd_mitigate(panel="hotKey", mitigation="local-cache")
    sim.cmd_step(HOTKEY_WINDOW, panel="hotKey")
    state = sim.state()
    local = row(state, "hotKey", "local-cache")
    assert local["localHitRate"] > 0
    assert local["maxShare"] < row(state, "hotKey", "none")["maxShare"]


def test_shards_param_sets_the_cluster_size() -> None:
    state = fresh(shards=6).state()
    assert len(state["hotKey"]["shards"]) == 6


# ---- commands, play state, reset ----------------------------------------------------------


def test_step_advances_both_panels_by_default_or_only_the_named_one() -> None:
    sim = fresh()
    sim.cmd_step(7)
    assert sim.state()["stampede"]["tick"] == 7 and sim.state()["hotKey"]["tick"] == 7
    sim.cmd_step(3, panel="hotKey")
    assert sim.state()["stampede"]["tick"] == 7 and sim.state()["hotKey"]["tick"] == 10


def test_a_play_loop_step_queued_before_pause_does_not_move_the_paused_panel() -> None:
    # QA: the page's timer queues step(panel="hotKey"); if Pause is handled first, that step used
    # to advance the paused panel and replace the "paused" narration with the next key moment.
    sim = fresh()
    sim.cmd_mitigate(panel="hotKey", mitigation="replicas")  # starts playing
    sim.cmd_play(panel="hotKey")  # Pause
    sim.cmd_step(2, panel="hotKey", if_playing=True)  # the queued timer step arrives
    state = sim.state()
    assert state["hotKey"]["tick"] == 0 and not state["hotKey"]["playing"]
    assert state["narration"] == "Hot key: paused at tick 0."
    sim.cmd_play(panel="stampede")
    sim.cmd_step(2, panel="both", if_playing=True)  # only the playing panel moves
    assert sim.state()["stampede"]["tick"] == 2 and sim.state()["hotKey"]["tick"] == 0
    sim.cmd_step(2)  # window.microsim.step still advances both, playing or not
    assert sim.state()["stampede"]["tick"] == 4 and sim.state()["hotKey"]["tick"] == 2


def test_lock_narration_on_the_batch_says_every_server_missed() -> None:
    # One lock per entry: on the default batch the ten servers each take their own entry's lock,
    # so the narration reports the ten misses and ten queries, as with no mitigation.
    sim = fresh()
    sim.cmd_mitigate(panel="stampede", mitigation="lock")
    sim.cmd_step(101, panel="stampede")
    narration = sim.state()["narration"]
    assert "Stampede: tick 101: TTL expired: 10 of 10 servers miss at once; 10 queries hit" in (
        narration
    )


def test_play_toggles_and_sets_each_panel_independently() -> None:
    sim = fresh()
    sim.cmd_play(panel="stampede")
    assert sim.state()["stampede"]["playing"] and not sim.state()["hotKey"]["playing"]
    assert "Stampede: playing" in sim.state()["narration"]
    sim.cmd_play(panel="stampede")
    assert not sim.state()["stampede"]["playing"]
    sim.cmd_play(panel="hotKey", playing=True)
    assert sim.state()["hotKey"]["playing"]


def test_speed_is_one_of_the_offered_values() -> None:
    sim = fresh()
    sim.cmd_speed(50)
    assert sim.state()["speed"] == 50
    assert 50 in sim.state()["speeds"]


def test_panel_reset_keeps_the_results_and_pauses() -> None:
    sim = fresh()
    sim.cmd_mitigate(panel="stampede", mitigation="lock")
    sim.cmd_step(STAMPEDE_WINDOW)
    sim.cmd_reset(panel="stampede")
    state = sim.state()
    assert state["stampede"]["tick"] == 0 and state["stampede"]["playing"] is False
    assert state["stampede"]["mitigation"] == "lock"
    assert row(state, "stampede", "lock")["complete"]
    assert state["hotKey"]["tick"] == STAMPEDE_WINDOW  # the other panel is untouched


def test_full_reset_returns_to_the_initial_state() -> None:
    sim = fresh()
    initial = sim.state()
    sim.cmd_mitigate(panel="hotKey", mitigation="replicas")
    sim.cmd_speed(5)
    sim.cmd_step(150)
    sim.cmd_reset()
    assert sim.state() == initial


def test_same_seed_same_run() -> None:
    a, b = fresh(), fresh()
    for sim in (a, b):
        sim.cmd_mitigate(panel="stampede", mitigation="early")
        sim.cmd_step(257)
    assert a.state() == b.state()


@pytest.mark.parametrize(
    ("method", "kwargs", "message"),
    [
        ("cmd_step", {"n": 0}, "between 1 and"),
        ("cmd_step", {"n": -3}, "between 1 and"),
        ("cmd_step", {"n": 1.5}, "whole number"),
        ("cmd_step", {"n": "ten"}, "whole number"),
        ("cmd_step", {"n": 10**9}, "between 1 and"),
        ("cmd_step", {"n": float("inf")}, "whole number"),
        ("cmd_mitigate", {"panel": "stampede", "mitigation": ["jitter"]}, "Unknown"),
        ("cmd_step", {"n": 1, "panel": "left"}, "Unknown panel"),
        ("cmd_mitigate", {"panel": "stampede", "mitigation": "replicas"}, "jitter"),
        ("cmd_mitigate", {"panel": "hotKey", "mitigation": "jitter"}, "replicas"),
        ("cmd_mitigate", {"panel": 3, "mitigation": "none"}, "Unknown panel"),
        ("cmd_play", {"panel": "stampede", "playing": "yes"}, "true or false"),
        ("cmd_speed", {"speed": 7}, "Speed must be one of"),
        ("cmd_speed", {"speed": True}, "Speed must be one of"),
        ("cmd_reset", {"panel": "both"}, "Unknown panel"),
    ],
)
def test_bad_input_is_a_clear_input_error_and_changes_nothing(
    method: str, kwargs: dict, message: str
) -> None:
    sim = fresh()
    sim.cmd_step(5)
    before = sim.state()
    with pytest.raises(SimInputError, match=message):
        getattr(sim, method)(**kwargs)
    assert sim.state() == before


@pytest.mark.parametrize(
    "params",
    [
        {"servers": SERVERS["min"] - 1},
        {"servers": SERVERS["max"] + 1},
        {"servers": "many"},
        {"servers": 2.5},
        {"servers": None},
        {"shards": SHARDS["min"] - 1},
        {"shards": SHARDS["max"] + 1},
        {"shards": True},
        {"shards": "3x"},
    ],
)
def test_out_of_range_params_fall_back_to_the_defaults(params: dict) -> None:
    state = fresh(**params).state()
    assert len(state["stampede"]["servers"]) == SERVERS["default"]
    assert len(state["hotKey"]["shards"]) == SHARDS["default"]


def test_string_params_from_a_url_are_accepted() -> None:
    state = fresh(servers="12", shards="4").state()
    assert state["params"] == {"servers": 12, "keys": 12, "shards": 4, "seed": 1}


# ---- through the JSON bridge, as the browser worker calls it --------------------------------


def call(request: dict) -> dict:
    return json.loads(bridge.handle(json.dumps(request)))


def test_bridge_round_trip_and_input_errors() -> None:
    created = call(
        {"op": "create", "sim": "cache-failure-modes", "params": {"servers": 10}, "seed": 1}
    )
    assert created["ok"], created
    handle = created["handle"]
    try:
        stepped = call({"op": "call", "handle": handle, "method": "step", "args": {"n": 300}})
        assert stepped["ok"] and stepped["state"]["stampede"]["dbPeak"] == 10
        bad = call(
            {
                "op": "call",
                "handle": handle,
                "method": "mitigate",
                "args": {"panel": "stampede", "mitigation": "magic"},
            }
        )
        assert bad == {"ok": False, "error": {"kind": "input", "message": bad["error"]["message"]}}
        assert "magic" in bad["error"]["message"]
        again = call(
            {
                "op": "call",
                "handle": handle,
                "method": "mitigate",
                "args": {"panel": "hotKey", "mitigation": "replicas"},
            }
        )
        assert again["ok"] and again["state"]["hotKey"]["mitigation"] == "replicas"
    finally:
        call({"op": "dispose", "handle": handle})


def test_results_start_empty_and_an_unfinished_run_is_dropped_when_switching() -> None:
    sim = fresh()
    assert sim.state()["stampede"]["results"] == [] and sim.state()["hotKey"]["results"] == []
    sim.cmd_step(40)
    partial = row(sim.state(), "stampede", "none")
    assert partial["ticks"] == 40 and not partial["complete"]
    sim.cmd_mitigate(panel="stampede", mitigation="lock")
    assert sim.state()["stampede"]["results"] == []  # a run cut short cannot be compared
    sim.cmd_step(STAMPEDE_WINDOW, panel="stampede")
    sim.cmd_mitigate(panel="stampede", mitigation="none")
    assert [r["mitigation"] for r in sim.state()["stampede"]["results"]] == ["lock"]


# ---- scenarios (keys), the window's pause, step back, the narration's panel ------------------


@pytest.mark.parametrize("keys", [1, 10])
@pytest.mark.parametrize("mitigation", list(STAMPEDE_MITIGATIONS))
def test_each_scenario_row_is_what_the_model_reports(keys: int, mitigation: str) -> None:
    sim = fresh(keys=keys)
    sim.cmd_mitigate(panel="stampede", mitigation=mitigation)
    sim.cmd_step(STAMPEDE_WINDOW, panel="stampede")
    got = row(sim.state(), "stampede", mitigation)
    model = StampedeModel(keys=keys, mitigation=mitigation, seed=1).run(STAMPEDE_WINDOW)
    assert got["keys"] == keys and got["complete"]
    assert (got["dbPeak"], got["recomputes"], got["staleReads"], got["overloaded"]) == (
        model["dbPeak"],
        model["recomputes"],
        model["staleReads"],
        model["everOverloaded"],
    )


def test_the_lesson_holds_for_every_seed_1_to_200() -> None:
    """One key + mutex peaks at 1; a batch + mutex at N; jitter fixes the batch, not one key;
    early expiration leaves no miss on either (at the price of more recomputes than None)."""
    from tests.claims import stampede_runs

    peaks = {
        (k, m): {r["dbPeak"] for r in stampede_runs(k, m)}
        for k in (1, 10)
        for m in STAMPEDE_MITIGATIONS
    }
    assert peaks[(1, "lock")] == {1} and peaks[(10, "lock")] == {10}
    assert peaks[(1, "none")] == peaks[(10, "none")] == {10}
    assert max(peaks[(10, "jitter")]) <= 4 and peaks[(1, "jitter")] == {10}
    for k in (1, 10):
        runs = stampede_runs(k, "early")
        assert {r["misses"] for r in runs} == {0}
        none = stampede_runs(k, "none")
        assert all(e["recomputes"] > n["recomputes"] for e, n in zip(runs, none, strict=True)) or (
            k == 1
        )


def test_keys_switches_the_scenario_and_keeps_the_other_scenarios_rows() -> None:
    sim = fresh()
    sim.cmd_mitigate(panel="stampede", mitigation="lock")
    sim.cmd_step(STAMPEDE_WINDOW, panel="stampede")
    sim.cmd_keys(1)
    st = sim.state()["stampede"]
    assert st["keys"] == 1 and st["tick"] == 0 and not st["playing"]
    assert st["scenario"] == "1 hot key, 10 servers reading it"
    assert [g["keys"] for g in st["scenarios"]] == [10, 1]
    assert [g["current"] for g in st["scenarios"]] == [False, True]
    sim.cmd_step(STAMPEDE_WINDOW, panel="stampede")
    rows = sim.state()["stampede"]["results"]
    assert [(r["keys"], r["mitigation"], r["dbPeak"]) for r in rows] == [
        (10, "lock", 10),
        (1, "lock", 1),
    ]
    assert sim.state()["params"]["keys"] == 1


@pytest.mark.parametrize("bad", [0, 11, "x", 2.5, True, None])
def test_keys_out_of_range_is_refused_and_changes_nothing(bad: object) -> None:
    sim = fresh()
    sim.cmd_step(5)
    before = sim.state()
    with pytest.raises(SimInputError, match="Hot keys must be a whole number from 1 to 10"):
        sim.cmd_keys(bad)
    assert sim.state() == before


def test_keys_param_defaults_to_servers_and_is_capped_by_it() -> None:
    assert fresh(servers=20).state()["stampede"]["keys"] == 20
    assert fresh(servers=4, keys=9).state()["stampede"]["keys"] == 4
    assert fresh(keys="1").state()["stampede"]["scenario"].startswith("1 hot key")


@pytest.mark.parametrize("panel", ["stampede", "hotKey"])
def test_a_playing_panel_pauses_at_the_end_of_its_window(panel: str) -> None:
    sim = fresh()
    sim.cmd_play(panel=panel, playing=True)
    window = controller.WINDOWS[panel]
    sim.cmd_step(window - 1, panel=panel, if_playing=True)
    assert sim.state()[panel]["playing"]
    sim.cmd_step(50, panel=panel, if_playing=True)  # the play loop overshooting the window
    state = sim.state()[panel]
    assert state["tick"] == window and not state["playing"]
    assert "paused" in sim.state()["narration"]


def test_step_back_is_the_previous_state() -> None:
    sim = fresh(keys=1)
    sim.cmd_mitigate(panel="stampede", mitigation="lock")
    sim.cmd_play(panel="stampede", playing=False)
    sim.cmd_step(100, panel="stampede")
    before = sim.state()["stampede"]
    sim.cmd_step(1, panel="stampede")  # tick 101: the key has expired, one server recomputes
    assert before["dbLoad"] == 0 and sim.state()["stampede"]["dbLoad"] == 1  # the recompute
    sim.cmd_back(panel="stampede")
    after = sim.state()["stampede"]
    assert after == before
    assert sim.state()["narration"].startswith("Stampede: back to tick 100")
    fresh_sim = fresh()
    with pytest.raises(SimInputError, match="tick 0"):
        fresh_sim.cmd_back(panel="hotKey")


def test_narration_follows_one_panel_and_names_it() -> None:
    sim = fresh()
    sim.cmd_play(panel="hotKey", playing=False)  # the student follows the hot key
    sim.cmd_step(101)  # both panels: the stampede's expiry happens now
    narration = sim.state()["narration"]
    assert narration.startswith("Hot key: ") and "TTL" not in narration
    assert any(m.startswith("Stampede: tick 101: TTL expired") for m in sim.state()["moments"])
    sim.cmd_focus(panel="stampede")
    assert sim.state()["narration"].startswith("Stampede: shown")
    sim.cmd_reset()
    sim.cmd_step(101)
    assert sim.state()["narration"].startswith("Stampede: tick 101: TTL expired")
