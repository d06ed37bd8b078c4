"""Tests for the cache-eviction-simulator controller (sims/cache-eviction-simulator/controller.py).

Every eviction the engine makes is checked against an independent reference cache written
here from the textbook definitions (exact LRU, exact LFU with LRU tie-break, nearest TTL).
"""

from __future__ import annotations

import json
import statistics

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microsims import SimInputError, controller_module, create

controller = controller_module("cache-eviction-simulator")
CAPACITY = controller.SPEC["params"]["capacity"]  # sim.json: the range the tests follow
LOW, HIGH = CAPACITY["min"], CAPACITY["max"]
DEFAULT_SEQUENCE = controller.DEFAULT_SEQUENCE
DEFAULT_TTLS_S = controller.DEFAULT_TTLS_S
SIM_ID = controller.SIM_ID
Controller = controller.Controller
parse_sequence = controller.parse_sequence
sequence_text = controller.sequence_text

SEQ = DEFAULT_SEQUENCE.split()


def reference_run(
    keys: list[str], capacity: int, policy: str, ttls: dict[str, int] | None = None
) -> list[dict]:
    """A textbook cache-aside cache: one access per second, GET then SET on a miss.

    Returns one entry per step: hit, evicted key (or None), and the cache contents after.
    """
    now = 0
    cache: dict[str, dict] = {}  # key -> {"last", "count", "expires"}
    out = []
    for step, key in enumerate(keys, start=1):
        now += 1000
        entry = cache.get(key)
        if entry is not None and entry["expires"] is not None and now > entry["expires"]:
            del cache[key]
            entry = None
        if entry is not None:
            entry["last"] = now
            entry["count"] += 1
            out.append({"step": step, "hit": True, "evicted": None, "cache": dict(cache)})
            continue
        evicted = None
        if len(cache) >= capacity:
            if policy == "lru":
                evicted = min(cache, key=lambda k: cache[k]["last"])
            elif policy == "lfu":
                evicted = min(cache, key=lambda k: (cache[k]["count"], cache[k]["last"]))
            elif policy == "ttl":
                evicted = min(cache, key=lambda k: (cache[k]["expires"], cache[k]["last"]))
            else:
                raise AssertionError(policy)
            del cache[evicted]
        expires = now + ttls[key] * 1000 if policy == "ttl" else None
        cache[key] = {"last": now, "count": 1, "expires": expires}
        out.append({"step": step, "hit": False, "evicted": evicted, "cache": dict(cache)})
    return out


def run_all(sim: Controller, n: int) -> list[dict]:
    """Step one at a time, recording the state before each step."""
    before = []
    for _ in range(n):
        before.append(sim.state())
        sim.cmd_step(1)
    return before


# ------------------------------------------------------------------------- the headline claim
def test_lru_evicts_a_before_the_end_and_lfu_keeps_it() -> None:
    lru = Controller({"policy": "lru"}, seed=1)
    lru.cmd_step(20)
    evicted_lru = [e["evicted"] for e in lru.state()["log"]]
    assert "A" in evicted_lru
    assert evicted_lru.index("A") + 1 < 20
    assert "A" not in [s["key"] for s in lru.state()["slots"]]

    lfu = Controller({"policy": "lfu"}, seed=1)
    lfu.cmd_step(20)
    assert "A" not in [e["evicted"] for e in lfu.state()["log"]]
    assert "A" in [s["key"] for s in lfu.state()["slots"]]


def test_reference_agrees_on_the_a_claim() -> None:
    lru = reference_run(SEQ, 6, "lru")
    lfu = reference_run(SEQ, 6, "lfu")
    assert [e["step"] for e in lru if e["evicted"] == "A"] == [14]
    assert all(e["evicted"] != "A" for e in lfu)
    # A is read often early, then never again.
    a_steps = [i for i, k in enumerate(SEQ, 1) if k == "A"]
    assert len(a_steps) >= 4 and max(a_steps) <= 8
    assert len(SEQ) == 20


# ------------------------------------------------------------------------- engine vs reference
@pytest.mark.parametrize("policy", ["lru", "lfu", "ttl"])
@pytest.mark.parametrize("capacity", [LOW, CAPACITY["default"], HIGH])
def test_every_eviction_matches_the_reference(policy: str, capacity: int) -> None:
    sim = Controller({"policy": policy, "capacity": capacity}, seed=7)
    sim.cmd_step(20)
    state = sim.state()
    expected = reference_run(SEQ, capacity, policy, DEFAULT_TTLS_S)
    assert [(e["step"], e["key"], e["hit"], e["evicted"]) for e in state["log"]] == [
        (r["step"], k, r["hit"], r["evicted"]) for r, k in zip(expected, SEQ, strict=True)
    ]
    assert sorted(s["key"] for s in state["slots"]) == sorted(expected[-1]["cache"])
    assert state["hits"] == sum(r["hit"] for r in expected)
    assert state["evictions"] == sum(r["evicted"] is not None for r in expected)


@settings(max_examples=60, deadline=None)
@given(
    keys=st.lists(st.sampled_from("ABCDEFGH"), min_size=1, max_size=40),
    capacity=st.integers(3, 7),
    policy=st.sampled_from(["lru", "lfu", "ttl"]),
)
def test_any_sequence_matches_the_reference(keys: list[str], capacity: int, policy: str) -> None:
    sim = Controller({"policy": policy, "capacity": capacity, "sequence": " ".join(keys)}, seed=1)
    expected = reference_run(keys, capacity, policy, DEFAULT_TTLS_S)
    for ref in expected:
        before = sim.state()
        sim.cmd_step(1)
        entry = sim.state()["log"][-1]
        assert (entry["hit"], entry["evicted"]) == (ref["hit"], ref["evicted"])
        if entry["evicted"]:
            assert before["nextEvict"] == entry["evicted"] == before["slots"][-1]["key"]


@pytest.mark.parametrize("capacity", range(LOW, HIGH + 1))
def test_ttl_reference_has_no_ties_in_the_default_sequence(capacity: int) -> None:
    """The nearest expiry is always unique, so TTL-based needs no tie-break rule."""
    now = 0
    for step in reference_run(SEQ, capacity, "ttl", DEFAULT_TTLS_S):
        now += 1000
        expires = {k: v["expires"] for k, v in step["cache"].items()}
        assert len(set(expires.values())) == len(expires)
        assert min(expires.values()) > now  # nothing expires within the 20 steps


@pytest.mark.parametrize("policy", ["lru", "lfu", "random", "ttl"])
@pytest.mark.parametrize("mode", ["exact", "redis"])
def test_bottom_slot_is_the_next_victim(policy: str, mode: str) -> None:
    sim = Controller({"policy": policy, "mode": mode}, seed=3)
    for _ in range(20):
        before = sim.state()
        sim.cmd_step(1)
        entry = sim.state()["log"][-1]
        if len(before["slots"]) < before["capacity"]:
            assert before["nextEvict"] is None
            assert entry["evicted"] is None
            continue
        assert before["slots"][-1]["key"] == before["nextEvict"]
        assert before["slots"][-1]["nextEvict"] is True
        assert sum(s["nextEvict"] for s in before["slots"]) == 1
        if entry["evicted"] is not None:
            assert entry["evicted"] == before["nextEvict"]
            assert entry["evicted"] in [s["key"] for s in before["slots"]]


def test_lru_slots_are_ordered_most_recent_first() -> None:
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(12)
    last = [s["lastAccess"] for s in sim.state()["slots"]]
    assert last == sorted(last, reverse=True)
    assert sim.state()["slots"][0]["key"] == SEQ[11]


def test_lfu_slots_show_access_counts_and_sort_by_them() -> None:
    sim = Controller({"policy": "lfu"}, seed=1)
    sim.cmd_step(10)
    slots = {s["key"]: s for s in sim.state()["slots"]}
    assert slots["A"]["accessCount"] - slots["C"]["accessCount"] == 3  # 4 reads vs 1
    assert sim.state()["slots"][0]["key"] == "A"
    counts = [s["freq"] for s in sim.state()["slots"]]
    assert counts == sorted(counts, reverse=True)


def test_ttl_countdown_ticks_one_second_per_step() -> None:
    sim = Controller({"policy": "ttl"}, seed=1)
    sim.cmd_step(1)
    assert sim.state()["slots"][0]["ttl"] == DEFAULT_TTLS_S["A"]
    sim.cmd_step(3)
    a = next(s for s in sim.state()["slots"] if s["key"] == "A")
    assert a["ttl"] == DEFAULT_TTLS_S["A"] - 3
    lru = Controller({"policy": "lru"}, seed=1)
    lru.cmd_step(2)
    assert all(s["ttl"] is None for s in lru.state()["slots"])


def test_random_is_seeded_and_only_evicts_cached_keys() -> None:
    a = Controller({"policy": "random"}, seed=5)
    b = Controller({"policy": "random"}, seed=5)
    a.cmd_step(20)
    b.cmd_step(20)
    assert a.state()["log"] == b.state()["log"]
    assert a.state()["evictions"] > 0
    differs = False
    for seed in range(1, 8):
        other = Controller({"policy": "random"}, seed=seed)
        other.cmd_step(20)
        differs |= other.state()["log"] != a.state()["log"]
    assert differs


# ------------------------------------------------------------------------- log and statistics
def test_log_explains_the_lru_eviction_of_a() -> None:
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(14)
    entry = sim.state()["log"][-1]
    assert entry == {**entry, "step": 14, "op": "GET", "key": "C", "hit": False, "evicted": "A"}
    assert entry["reason"].startswith("A: idle 7 s, the longest")
    assert "evicted A: idle 7 s" in sim.state()["narration"]
    assert {c["key"] for c in entry["candidates"]} == {"A", "B", "E", "F", "G", "H"}


def test_statistics_come_from_the_run() -> None:
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(20)
    st = sim.state()
    ref = reference_run(SEQ, 6, "lru")
    hits = sum(r["hit"] for r in ref)
    assert (st["hits"], st["misses"]) == (hits, 20 - hits)
    assert st["hitRate"] == round(100 * hits / 20, 1)
    assert st["memoryUsed"] == len(st["slots"]) == 6
    assert isinstance(st["memoryBytes"], int) and st["memoryBytes"] > 0
    assert st["step"] == 20 and st["finished"] is True
    json.dumps(st)


def test_memory_bytes_grow_with_keys() -> None:
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(1)
    one = sim.state()["memoryBytes"]
    sim.cmd_step(3)
    assert sim.state()["memoryBytes"] > one


def test_comparison_appears_after_a_full_run() -> None:
    sim = Controller({"policy": "lfu"}, seed=1)
    sim.cmd_step(19)
    assert sim.state()["comparison"] is None
    sim.cmd_step(1)
    rows = {r["policy"]: r for r in sim.state()["comparison"]}
    assert list(rows) == ["LRU", "LFU", "Random", "TTL-based"]
    for policy, label in [("lru", "LRU"), ("lfu", "LFU"), ("ttl", "TTL-based")]:
        ref = reference_run(SEQ, 6, policy, DEFAULT_TTLS_S)
        assert rows[label]["hits"] == sum(r["hit"] for r in ref)
    assert rows["LFU"]["hitRate"] == sim.state()["hitRate"]
    assert rows["LRU"]["hitRate"] > rows["LFU"]["hitRate"]  # keeping stale A costs LFU hits


# ------------------------------------------------------------------------- prediction
def test_prediction_right_and_wrong_keep_score() -> None:
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(10)
    sim.cmd_predict(key=sim.state()["nextEvict"])  # C
    sim.cmd_step(1)
    st = sim.state()
    assert st["score"] == {"correct": 1, "total": 1}
    assert st["log"][-1]["prediction"] == {"key": "C", "correct": True}
    assert "You predicted C: right" in st["narration"]
    sim.cmd_predict(key="A")
    sim.cmd_step(1)  # step 12 is a hit: the prediction waits for the next eviction
    assert sim.state()["prediction"] == "A" and sim.state()["score"]["total"] == 1
    sim.cmd_step(1)  # step 13 evicts D
    st = sim.state()
    assert st["score"] == {"correct": 1, "total": 2}
    assert "wrong, it was D" in st["narration"]
    assert st["prediction"] is None


def test_prediction_of_a_key_not_cached_is_refused() -> None:
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(3)
    before = sim.state()
    with pytest.raises(SimInputError, match="not in the cache"):
        sim.cmd_predict(key="Z")
    assert sim.state() == before


# ------------------------------------------------------------------------- running, controls
def test_full_sequence_ticks_and_next_is_ignored_while_running() -> None:
    sim = Controller({}, seed=1)
    sim.cmd_tick()
    assert sim.state()["step"] == 0  # the timer does nothing unless running
    sim.cmd_set_running(running=True)
    assert sim.state()["running"] is True
    sim.cmd_tick()
    sim.cmd_next()  # ignored: never double-steps
    assert sim.state()["step"] == 1
    assert "running" in sim.state()["narration"]
    sim.cmd_set_running(running=False)
    sim.cmd_next()
    assert sim.state()["step"] == 2
    sim.cmd_set_running(running=True)
    for _ in range(25):
        sim.cmd_tick()
    st = sim.state()
    assert st["step"] == 20 and st["running"] is False and st["finished"] is True
    sim.cmd_set_running(running=True)  # replay from the start
    assert sim.state()["step"] == 0 and sim.state()["running"] is True


def test_next_at_the_end_does_nothing() -> None:
    sim = Controller({}, seed=1)
    sim.cmd_step(25)
    assert sim.state()["step"] == 20
    sim.cmd_next()
    assert sim.state()["step"] == 20
    assert "finished" in sim.state()["narration"]


def test_policy_change_mid_run_restarts_with_a_notice() -> None:
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(5)
    sim.cmd_set_policy(policy="lfu")
    st = sim.state()
    assert (st["policy"], st["step"], st["log"], st["hits"]) == ("LFU", 0, [], 0)
    assert "restarted" in st["narration"]
    with pytest.raises(SimInputError):
        sim.cmd_set_policy(policy="fifo")
    assert sim.state()["policy"] == "LFU"


def test_redis_mode_samples_five_and_uses_the_log_counter() -> None:
    sim = Controller({"policy": "lru"}, seed=1)
    sim.cmd_step(3)
    sim.cmd_set_mode(redis=True)
    assert sim.state()["step"] == 0 and sim.state()["samples"] == 5
    assert sim.state()["lfuCounter"] == "log"
    sim.cmd_step(20)
    evictions = [e for e in sim.state()["log"] if e["evicted"]]
    assert evictions
    for e in evictions:
        assert e["sampled"] == 5  # 6 keys, 5 sampled: the pool may add earlier candidates
        assert 1 <= len(e["candidates"]) <= 6
        assert e["evicted"] in [c["key"] for c in e["candidates"]]
        assert "Redis samples 5" in e["reason"]
    sim.cmd_set_mode(redis=False)
    assert sim.state()["mode"] == "exact"


def test_redis_lru_can_miss_the_true_lru_key() -> None:
    """Over a few seeds, sampled LRU sometimes evicts a key that exact LRU would keep."""
    exact = [e["evicted"] for e in reference_run(SEQ, 6, "lru")]
    differs = False
    for seed in range(1, 30):
        sim = Controller({"policy": "lru", "mode": "redis"}, seed=seed)
        sim.cmd_step(20)
        differs |= [e["evicted"] for e in sim.state()["log"]] != exact
    assert differs


def test_redis_mode_says_when_sampling_missed_the_exact_victim() -> None:
    sim = Controller({"policy": "lru", "mode": "redis"}, seed=10)
    sim.cmd_step(10)
    before = sim.state()
    oldest = max(before["slots"], key=lambda s: s["idle"])["key"]
    sim.cmd_step(1)
    entry = sim.state()["log"][-1]
    assert entry["evicted"] != oldest  # seed 10: the 5-key sample missed the oldest key
    assert entry["evicted"] == before["nextEvict"] == before["slots"][-1]["key"]
    assert entry["exactVictim"] == oldest
    assert oldest not in [c["key"] for c in entry["candidates"]]
    assert f"Exact LRU would have evicted {oldest} (it was not sampled)" in entry["reason"]
    exact = Controller({"policy": "lru"}, seed=10)
    exact.cmd_step(20)
    assert all("exactVictim" not in e for e in exact.state()["log"])


def test_redis_mode_explains_a_victim_ranked_by_an_out_of_date_pool_score() -> None:
    # Redis's eviction pool keeps the score a key had when it was sampled: with 6 slots and 5
    # samples, seed 1 evicts B at step 18 although B was used after it entered the pool
    sim = Controller({"policy": "lru", "mode": "redis", "capacity": 6}, seed=1)
    sim.cmd_step(18)
    entry = sim.state()["log"][-1]
    assert entry["evicted"] == "B" and entry["candidates"][0] == {
        **entry["candidates"][0],
        "key": "B",
        "stale": True,
    }
    assert "its pooled idle time (from when Redis sampled it)" in entry["reason"]
    assert "Redis does not re-check pooled keys" in entry["reason"]
    assert entry["exactVictim"] != "B"
    assert "the pool's score for B was out of date" in entry["reason"]
    exact = Controller({"policy": "lru", "capacity": 6}, seed=1)  # every key, fresh scores
    exact.cmd_step(20)
    assert not any(c["stale"] for e in exact.state()["log"] for c in e["candidates"])


def test_capacity_command_and_bad_values() -> None:
    sim = Controller({}, seed=1)
    sim.cmd_set_capacity(capacity=3)
    assert sim.state()["capacity"] == 3
    for bad in (LOW - 1, HIGH + 1, "six", None):
        with pytest.raises(SimInputError):
            sim.cmd_set_capacity(capacity=bad)
    assert sim.state()["capacity"] == 3


@pytest.mark.parametrize(
    "params",
    [
        {"policy": "nope", "capacity": HIGH + 1, "sequence": "A B <script>"},
        {"policy": None, "capacity": "x", "sequence": ""},
        {"capacity": LOW - 1, "sequence": " ".join(["A"] * 41)},
    ],
)
def test_bad_params_fall_back_to_defaults(params: dict) -> None:
    st = Controller(params, seed=1).state()
    assert (st["policy"], st["capacity"], st["sequenceText"]) == (
        "LRU",
        CAPACITY["default"],
        DEFAULT_SEQUENCE,
    )


def test_custom_sequence_runs_and_bad_ones_are_refused() -> None:
    sim = Controller({"sequence": "x y x z w", "capacity": 3}, seed=1)
    assert sim.state()["total"] == 5
    sim.cmd_step(5)
    assert [e["evicted"] for e in sim.state()["log"]] == [None, None, None, None, "y"]
    for bad in ("A B <b>", " ".join(["k"] * 41), "   ", "A@0", "a" * 13):
        before = sim.state()
        if bad.strip():
            with pytest.raises(SimInputError):
                sim.cmd_set_sequence(text=bad)
            assert sim.state() == before
    sim.cmd_set_sequence(text="")
    assert sim.state()["sequenceText"] == DEFAULT_SEQUENCE
    sim.cmd_set_sequence(text="p,q, r@30")
    assert [a["key"] for a in sim.state()["sequence"]] == ["p", "q", "r"]
    assert sim.state()["sequence"][2]["ttl"] == 30


def test_parse_sequence_ttls_and_round_trip() -> None:
    parsed = parse_sequence("A C@25 C Q")
    assert [(a.key, a.ttl_s) for a in parsed] == [("A", 120), ("C", 25), ("C", 25), ("Q", 60)]
    assert sequence_text(parsed) == "A C@25 C Q"
    assert parse_sequence(sequence_text(parsed)) == parsed
    assert sequence_text(parse_sequence("A@120 x@60")) == "A x"  # defaults are not written


def test_short_ttl_keys_expire_and_miss() -> None:
    sim = Controller({"policy": "ttl", "sequence": "k@1 m k m"}, seed=1)
    sim.cmd_step(4)
    log = sim.state()["log"]
    assert [e["hit"] for e in log] == [False, False, False, True]  # k expired after 1 s
    assert log[2]["evicted"] is None


def test_flags_must_be_booleans() -> None:
    sim = Controller({}, seed=1)
    with pytest.raises(SimInputError):
        sim.cmd_set_running(running="false")
    with pytest.raises(SimInputError):
        sim.cmd_set_mode(redis="yes")
    assert sim.state()["running"] is False and sim.state()["mode"] == "exact"


def test_step_argument_is_checked() -> None:
    sim = Controller({}, seed=1)
    for bad in (0, -1, "two", 10_001):
        with pytest.raises(SimInputError):
            sim.cmd_step(bad)
    assert sim.state()["step"] == 0


def test_registry_and_bridge_create_this_sim() -> None:
    sim = create(SIM_ID, {"policy": "ttl"}, seed=2)
    assert sim.state()["policy"] == "TTL-based"
    try:
        from microsims import bridge
    except ImportError:  # the bridge is the runtime's; its own tests cover it
        return
    reply = json.loads(
        bridge.handle(
            json.dumps({"op": "create", "sim": SIM_ID, "params": {"policy": "lfu"}, "seed": 1})
        )
    )
    assert reply["ok"] and reply["state"]["policy"] == "LFU"
    handle = reply["handle"]
    step = json.loads(
        bridge.handle(json.dumps({"op": "call", "handle": handle, "method": "next", "args": {}}))
    )
    assert step["ok"] and step["state"]["step"] == 1
    bad = json.loads(
        bridge.handle(
            json.dumps(
                {"op": "call", "handle": handle, "method": "predict", "args": {"key": "nope"}}
            )
        )
    )
    assert bad["ok"] is False and bad["error"]["kind"] == "input"
    json.loads(bridge.handle(json.dumps({"op": "dispose", "handle": handle})))


def test_settings_changed_again_before_a_step_still_say_the_run_restarted() -> None:
    """Capacity 6 -> 7 -> 8 by arrow keys mid-run: each change is one command; the later ones
    used to say just "Capacity set to 8 slots." although the student's run had restarted."""
    sim = create(SIM_ID, {}, seed=1)
    sim.cmd_step(5)
    sim.cmd_set_capacity(7)
    assert sim.state()["restarted"] is True
    sim.cmd_set_capacity(8)
    state = sim.state()
    assert state["restarted"] is True and state["step"] == 0 and state["capacity"] == 8
    assert state["narration"] == "Capacity set to 8 slots; the run restarted from step 0."
    sim.cmd_next()  # a step ends the restart; a later change at step 1 restarts again
    assert sim.state()["restarted"] is False
    sim.cmd_reset()
    sim.cmd_set_policy("lfu")  # after Reset nothing was in progress
    state = sim.state()
    assert state["restarted"] is False and state["narration"] == "Policy changed to LFU."


# ---------------------------------------------------------------- the learner's path


def _snapshot(sim) -> str:
    return json.dumps(sim.state(), sort_keys=True)


@pytest.mark.parametrize("policy", ["lru", "lfu", "random", "ttl"])
@pytest.mark.parametrize("mode", ["exact", "redis"])
def test_back_returns_exactly_the_state_before_each_step(policy, mode):
    sim = Controller({"policy": policy, "mode": mode}, seed=5)
    before = []
    for step in range(20):
        if step == 12:  # a pending prediction and the score come back too
            sim.cmd_predict(sim.state()["slots"][0]["key"])
        before.append(_snapshot(sim))
        sim.cmd_next()
    for step in range(19, -1, -1):
        sim.cmd_back()
        assert _snapshot(sim) == before[step], step
    with pytest.raises(SimInputError, match="step 0"):
        sim.cmd_back()
    assert _snapshot(sim) == before[0]


def test_back_pauses_full_sequence():
    sim = Controller({}, seed=1)
    sim.cmd_set_running(True)
    sim.cmd_tick()
    sim.cmd_tick()
    sim.cmd_back()
    state = sim.state()
    assert state["step"] == 1 and state["running"] is False


def test_prediction_mode_hides_the_victim_and_the_eviction_order():
    shown = Controller({}, seed=1)
    hidden = Controller({"predict": "on"}, seed=1)
    shown.cmd_step(13)
    hidden.cmd_step(13)
    a, b = shown.state(), hidden.state()
    assert a["nextEvict"] == "A" and a["slots"][-1]["nextEvict"] is True
    assert b["predicting"] is True and b["nextEvict"] is None
    assert not any(slot["nextEvict"] for slot in b["slots"])
    assert [s["key"] for s in b["slots"]] == sorted(s["key"] for s in a["slots"])
    # the same numbers, only not ordered or marked
    assert {s["key"]: s["idle"] for s in a["slots"]} == {s["key"]: s["idle"] for s in b["slots"]}
    hidden.cmd_predict("B")
    hidden.cmd_next()
    entry = hidden.state()["log"][-1]
    assert entry["evicted"] == "A" and "the longest" in entry["reason"]
    assert "wrong, it was A" in hidden.state()["narration"]
    hidden.cmd_set_predicting(False)
    assert hidden.state()["predicting"] is False
    with pytest.raises(SimInputError):
        hidden.cmd_set_predicting("yes")


def test_random_spread_is_the_grid_the_page_cites():
    from tests.claims import eviction_comparisons

    rates = [row["Random"] for row in eviction_comparisons("exact")]
    sim = Controller({"policy": "random"}, seed=1)
    assert "depend on the seed" in sim.state()["narration"]
    sim.cmd_step(20)
    spread = next(r for r in sim.state()["comparison"] if r["id"] == "random")["spread"]
    assert (spread["low"], spread["high"]) == (min(rates), max(rates))
    assert spread["seeds"] == 200 and spread["median"] == statistics.median(rates)
    assert f"{spread['low']:g}-{spread['high']:g}%" in sim.state()["narration"]


def test_set_seed_restarts_with_another_draw():
    sim = Controller({"policy": "random"}, seed=1)
    sim.cmd_step(20)
    first = sim.state()["log"]
    sim.cmd_set_seed(2)
    assert sim.state()["step"] == 0 and sim.state()["seed"] == 2
    assert "restarted" in sim.state()["narration"]
    sim.cmd_step(20)
    assert [e["evicted"] for e in sim.state()["log"]] != [e["evicted"] for e in first]
    for bad in (0, -1, "x", 1.5):
        with pytest.raises(SimInputError):
            sim.cmd_set_seed(bad)
