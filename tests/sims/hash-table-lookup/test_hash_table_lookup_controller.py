"""The hash-table-lookup controller: every number the sim shows, checked against the definition.

The reference hashes below are written from their definitions (FNV-1a, djb2, sum of bytes),
independently of ``kvengine.hashing``, so a wrong engine or a wrong controller both fail here.
"""

from __future__ import annotations

import json

import pytest

from microsims import SimInputError, controller_module, create

controller = controller_module("hash-table-lookup")
SIZE = controller.SPEC["params"]["size"]  # sim.json: the range the tests follow
LOW, HIGH = SIZE["min"], SIZE["max"]
COLLISION_TOOLTIP = controller.COLLISION_TOOLTIP
MAX_KEYS = controller.MAX_KEYS
Controller = controller.Controller


def fnv1a(key: str) -> int:
    h = 0x811C9DC5
    for byte in key.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) % 2**32
    return h


def djb2(key: str) -> int:
    h = 5381
    for byte in key.encode("utf-8"):
        h = (h * 33 + byte) % 2**32
    return h


def sum_bytes(key: str) -> int:
    return sum(key.encode("utf-8")) % 2**32


REFERENCE = {"fnv1a-32": fnv1a, "djb2-32": djb2, "sum-bytes": sum_bytes}


def make(**params) -> Controller:
    return Controller(params, seed=1)


def all_keys(state: dict) -> list[str]:
    return [entry["key"] for chain in state["buckets"] for entry in chain]


def assert_every_key_in_its_bucket(state: dict) -> None:
    ref = REFERENCE[state["hashName"]]
    assert len(state["buckets"]) == state["tableSize"]
    for index, chain in enumerate(state["buckets"]):
        for entry in chain:
            assert ref(entry["key"]) % state["tableSize"] == index, entry["key"]


# ------------------------------------------------------------------ the default picture


def test_default_key_lands_in_fnv1a_bucket_and_the_state_says_so():
    state = make().state()
    assert state["tableSize"] == 8
    assert state["hashName"] == "fnv1a-32"
    assert state["last"]["key"] == "user:42"
    assert state["last"]["hash"] == fnv1a("user:42") == 795573122
    assert state["last"]["bucket"] == 795573122 % 8 == 2
    assert {"key": "user:42", "value": "alice"} in state["buckets"][2]
    assert state["trace"]["formula"] == 'hash("user:42") mod 8 = 2'
    assert state["animating"] is False
    assert state["narration"] == (
        "user:42 hashes to 795573122; 795573122 mod 8 = 2; bucket 2 holds alice."
    )


def test_starting_table_holds_realistic_keys_each_in_its_bucket():
    state = make().state()
    keys = all_keys(state)
    assert "session:abc123" in keys and len(keys) >= 5
    assert_every_key_in_its_bucket(state)
    assert state["stats"]["used"] == len(keys)
    assert state["stats"]["loadFactor"] == pytest.approx(len(keys) / 8, abs=1e-3)
    assert state["stats"]["emptyBuckets"] == sum(1 for c in state["buckets"] if not c)
    assert state["stats"]["longestChain"] == max(len(c) for c in state["buckets"])


def test_state_is_json_serialisable_and_has_the_contract_fields():
    state = make().state()
    again = json.loads(json.dumps(state))
    for field in ("tableSize", "hashName", "buckets", "last", "animating", "narration"):
        assert field in again
    assert set(again["last"]) >= {"key", "hash", "bucket"}


# --------------------------------------------------------------------- lookup / insert


def test_looking_up_a_stored_key_is_a_hit_and_changes_no_bucket():
    sim = make()
    before = sim.state()["buckets"]
    sim.cmd_hash(key="session:abc123")
    state = sim.state()
    assert state["buckets"] == before
    assert state["last"]["found"] is True and state["last"]["inserted"] is False
    assert state["last"]["value"] == "uid=42"
    assert state["last"]["chain"][-1] == "session:abc123"
    bucket = fnv1a("session:abc123") % 8
    assert state["last"]["bucket"] == bucket
    assert "holds uid=42" in state["narration"]


def test_new_key_is_inserted_at_the_head_of_its_chain_and_kept():
    sim = make()
    sim.cmd_hash(key="order:9001")
    state = sim.state()
    bucket = fnv1a("order:9001") % 8
    assert state["last"]["found"] is False and state["last"]["inserted"] is True
    assert state["buckets"][bucket][0]["key"] == "order:9001"
    value = state["buckets"][bucket][0]["value"]
    assert value
    assert (
        f"stored at the head of its chain with value {value}" in state["narration"]
        or f"stored there with value {value}" in state["narration"]
    )
    # the table keeps it: later lookups of other keys, then this one again, find it
    sim.cmd_hash(key="user:42")
    sim.cmd_hash(key="order:9001")
    state = sim.state()
    assert state["last"]["found"] is True and state["last"]["value"] == value
    assert all_keys(state).count("order:9001") == 1
    assert_every_key_in_its_bucket(state)


def test_a_hit_behind_another_key_walks_the_chain():
    sim = make()
    state = sim.state()
    chain = next(c for c in state["buckets"] if len(c) >= 2)
    tail = chain[-1]["key"]
    sim.cmd_hash(key=tail)
    last = sim.state()["last"]
    assert last["found"] is True
    assert last["chain"] == [entry["key"] for entry in chain]
    assert f"(key {len(chain)} of its chain)" in sim.state()["narration"]


def test_new_keys_get_seeded_values():
    one, two = Controller({}, seed=7), Controller({}, seed=7)
    for sim in (one, two):
        sim.cmd_hash(key="user:1")
        sim.cmd_hash(key="misc")
    assert one.state()["buckets"] == two.state()["buckets"]


# ------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", ["", None, 42])
def test_empty_or_non_text_key_is_refused_and_nothing_changes(bad):
    sim = make()
    before = sim.state()
    with pytest.raises(SimInputError) as error:
        sim.cmd_hash(key=bad)
    assert str(error.value)
    assert sim.state() == before


def test_empty_key_message_is_clear():
    with pytest.raises(SimInputError, match="empty key"):
        make().cmd_hash(key="")


def test_ten_thousand_character_key_is_hashed_and_shown_truncated():
    key = "k" * 10_000
    sim = make()
    sim.cmd_hash(key=key)
    state = sim.state()
    assert state["last"]["key"] == key
    assert state["last"]["hash"] == fnv1a(key)
    assert state["last"]["keyDisplay"].endswith("\u2026") and len(state["last"]["keyDisplay"]) <= 20
    assert "\u2026" in state["trace"]["formula"]
    assert "10,000 bytes" in state["trace"]["bytesHex"]
    assert len(state["trace"]["steps"]) <= 4  # three byte steps and one summary
    assert state["trace"]["steps"][-1]["kind"] == "summary"
    assert len(state["narration"]) < 400
    with pytest.raises(SimInputError, match="10,000"):
        sim.cmd_hash(key="k" * 10_001)


def test_emoji_and_non_latin_keys_show_their_utf8_bytes():
    sim = make()
    sim.cmd_hash(key="\U0001f511")  # key emoji: F0 9F 94 91
    state = sim.state()
    assert state["trace"]["bytesHex"] == "F0 9F 94 91"
    assert state["last"]["hash"] == fnv1a("\U0001f511")
    assert state["trace"]["byteCount"] == 4 and state["trace"]["charCount"] == 1
    sim.cmd_hash(key="ключ")
    state = sim.state()
    assert state["trace"]["bytesHex"].startswith("D0 BA")
    assert state["last"]["bucket"] == fnv1a("ключ") % 8
    assert "starts" in state["trace"]["steps"][0]["title"]


def test_html_looking_key_is_kept_as_plain_text():
    key = '<img src=x onerror="alert(1)">'
    sim = make()
    sim.cmd_hash(key=key)
    state = sim.state()
    assert state["last"]["key"] == key
    assert key in all_keys(state)
    assert state["last"]["bucket"] == fnv1a(key) % 8


def test_unpaired_surrogate_is_refused():
    with pytest.raises(SimInputError):
        make().cmd_hash(key="a\ud800b")


# ------------------------------------------------------------------------- collisions


def test_show_collision_puts_two_keys_with_equal_bucket_in_one_chain():
    sim = make()
    sim.cmd_collision()
    state = sim.state()
    collision = state["collision"]
    bucket = fnv1a("user:42") % 8
    assert collision["bucket"] == bucket == state["last"]["bucket"]
    new_key = collision["newKey"]
    assert new_key.startswith("user:") and new_key != "user:42"
    assert fnv1a(new_key) % 8 == bucket
    chain = [entry["key"] for entry in state["buckets"][bucket]]
    assert chain[0] == new_key and "user:42" in chain
    assert collision["tooltip"] == COLLISION_TOOLTIP
    assert COLLISION_TOOLTIP in state["narration"]
    # the engine's first hit among user:43, user:44, ...
    first = next(f"user:{n}" for n in range(43, 10_000) if fnv1a(f"user:{n}") % 8 == bucket)
    assert new_key == first and collision["tried"] == int(first[5:]) - 42


def test_repeated_collisions_grow_the_chain():
    sim = make()
    lengths = []
    for _ in range(3):
        sim.cmd_collision()
        state = sim.state()
        lengths.append(len(state["buckets"][state["collision"]["bucket"]]))
    assert lengths == sorted(lengths) and lengths[-1] == lengths[0] + 2
    assert_every_key_in_its_bucket(sim.state())


@pytest.mark.parametrize("hash_name", ["djb2-32", "sum-bytes"])
def test_collision_under_other_hashes_and_sizes(hash_name):
    sim = make(size=16)
    sim.cmd_hash_function(name=hash_name)
    sim.cmd_hash(key="note")  # no digits: candidates are note:1, note:2, ...
    sim.cmd_collision()
    state = sim.state()
    ref = REFERENCE[hash_name]
    new_key = state["collision"]["newKey"]
    assert new_key.startswith("note:")
    assert ref(new_key) % 16 == ref("note") % 16
    assert_every_key_in_its_bucket(state)


# ------------------------------------------------------------------- table size, hash


def test_slider_to_16_puts_every_key_in_fnv1a_mod_16_and_reduces_collisions():
    sim = make()
    before = sim.state()["stats"]
    sim.cmd_resize(size=16)
    state = sim.state()
    assert state["tableSize"] == 16 and len(state["buckets"]) == 16
    assert_every_key_in_its_bucket(state)
    assert state["stats"]["longestChain"] < before["longestChain"]
    assert state["stats"]["loadFactor"] == pytest.approx(before["loadFactor"] / 2, abs=1e-3)
    assert state["last"]["bucket"] == fnv1a("user:42") % 16
    assert state["trace"]["formula"] == f'hash("user:42") mod 16 = {fnv1a("user:42") % 16}'
    moves = state["resize"]["moves"]
    assert {m["key"] for m in moves} == set(all_keys(state))
    for move in moves:
        assert move["from"] == fnv1a(move["key"]) % 8 and move["to"] == fnv1a(move["key"]) % 16
    assert "longest chain 2 \u2192 1" in state["narration"]


@pytest.mark.parametrize("action", ["resize", "hash_function"])
def test_rebucket_narration_fits_the_two_visible_lines(action: str):
    """QA fix: the resize narration ran past the two lines the page shows (cut at 780 px)."""
    sim = make()
    if action == "resize":
        sim.cmd_resize(size=16)
    else:
        sim.cmd_hash_function(name="sum-bytes")
    narration = sim.state()["narration"]
    assert len(narration) <= 155
    bucket = sim.state()["last"]["bucket"]
    assert narration.endswith(f"user:42 is now in bucket {bucket}.")
    assert "Load factor" in narration and "empty buckets" in narration


def test_every_size_from_4_to_16_rebuckets_correctly():
    sim = make()
    for size in range(LOW, HIGH + 1):
        sim.cmd_resize(size=size)
        assert_every_key_in_its_bucket(sim.state())


@pytest.mark.parametrize("bad", [LOW - 1, HIGH + 1, 0, -1, "abc", True, 8.5, None])
def test_bad_table_size_is_refused_and_nothing_changes(bad):
    sim = make()
    before = sim.state()
    with pytest.raises(SimInputError, match=f"{LOW} to {HIGH}"):
        sim.cmd_resize(size=bad)
    assert sim.state() == before


def test_weak_hash_clusters_anagrams_into_one_bucket():
    sim = make()
    sim.cmd_hash_function(name="sum-bytes")
    for key in ("user:24", "user:42"):
        sim.cmd_hash(key=key)
    state = sim.state()
    assert state["hashName"] == "sum-bytes"
    assert_every_key_in_its_bucket(state)
    bucket = sum_bytes("user:42") % 8
    chain = [entry["key"] for entry in state["buckets"][bucket]]
    assert {"user:24", "user:42"} <= set(chain)
    assert state["last"]["hash"] == sum_bytes("user:42")
    with pytest.raises(SimInputError, match="Unknown hash"):
        sim.cmd_hash_function(name="md5")


# --------------------------------------------------------------- stages, step-through


def test_stages_follow_the_spec_timings_and_show_real_arithmetic():
    state = make().state()
    kinds = [s["kind"] for s in state["stages"]]
    assert kinds[0] == "enter" and kinds[-2:] == ["arrow", "bucket"]
    durations = {s["kind"]: s["duration"] for s in state["stages"]}
    assert durations == {"enter": 0.3, "step": 0.5, "mod": 0.5, "arrow": 0.4, "bucket": 0.3}
    steps = state["trace"]["steps"]
    # user:42 has 7 bytes: 3 shown one by one, the other 4 summarised
    assert [s["kind"] for s in steps] == ["byte", "byte", "byte", "summary"]
    assert steps[0]["title"] == 'byte 1 of 7: "u" = 117'
    after_xor = 2166136261 ^ 117
    after_mul = after_xor * 16777619 % 2**32
    assert steps[0]["lines"] == [f"xor 117 = {after_xor}", f"\u00d7 16777619 = {after_mul}"]
    assert steps[0]["value"] == after_mul
    assert steps[-1]["value"] == 795573122
    assert state["trace"]["modLine"] == "795573122 mod 8 = 2"


def test_short_key_shows_every_byte_without_summary():
    sim = make()
    sim.cmd_hash(key="ab")
    steps = sim.state()["trace"]["steps"]
    assert [s["kind"] for s in steps] == ["byte", "byte"]
    assert steps[-1]["value"] == fnv1a("ab")


def test_step_replays_the_last_lookup_one_stage_at_a_time_and_back_goes_back():
    sim = make()
    total = len(sim.state()["stages"])
    seen = []
    for _ in range(total):
        sim.cmd_next_stage()
        state = sim.state()
        assert state["stepMode"] is True
        seen.append(state["narration"])
    assert [sim.state()["stage"]] == [total] and sim.state()["animating"] is False
    assert seen[0].startswith("Key user:42 (7 UTF-8 bytes) enters the FNV-1a")
    assert seen[1].startswith('Byte 1 of 7: "u" = 117: xor 117 = 2166136240')
    assert seen[-1] == ("user:42 hashes to 795573122; 795573122 mod 8 = 2; bucket 2 holds alice.")
    assert "795573122 mod 8 = 2." in seen
    with pytest.raises(SimInputError, match="last stage"):
        sim.cmd_next_stage()
    sim.cmd_prev_stage()
    assert sim.state()["stage"] == total - 1
    assert sim.state()["narration"] == "The key goes to bucket 2."
    for _ in range(total - 1):
        sim.cmd_prev_stage()
    state = sim.state()
    assert state["stage"] == 0 and state["animating"] is True
    assert "press Step" in state["narration"]
    with pytest.raises(SimInputError, match="first stage"):
        sim.cmd_prev_stage()
    assert sim.state() == state


def test_back_right_after_an_action_pauses_one_stage_before_its_end():
    sim = make()
    sim.cmd_hash(key="order:9001")
    sim.cmd_prev_stage()
    state = sim.state()
    assert state["stepMode"] is True and state["stage"] == len(state["stages"]) - 1
    # the model's truth is already there: the key is stored, only the picture is paused
    assert "order:9001" in all_keys(state)


def test_a_new_action_plays_in_full_and_step_finishes_a_paused_one():
    sim = make()
    sim.cmd_next_stage()
    sim.cmd_hash(key="order:9001")
    state = sim.state()
    assert state["stepMode"] is False and state["stage"] == len(state["stages"])
    sim.cmd_next_stage()
    sim.cmd_next_stage()
    assert sim.state()["stage"] == 2
    sim.cmd_step(n=1)
    state = sim.state()
    assert state["animating"] is False and state["stepMode"] is False
    assert state["stage"] == len(state["stages"])
    with pytest.raises(SimInputError):
        sim.cmd_step(n=0)


def test_each_action_gets_a_new_action_id():
    sim = make()
    ids = [sim.state()["action"]]
    sim.cmd_hash(key="user:42")
    ids.append(sim.state()["action"])
    sim.cmd_resize(size=12)
    ids.append(sim.state()["action"])
    sim.cmd_collision()
    ids.append(sim.state()["action"])
    assert ids == sorted(set(ids))
    assert sim.state()["animate"] is True


# ------------------------------------------------------------- params, limits, reset


def test_params_choose_key_size_and_hash():
    sim = make(key="cart:42", size=16, hash="djb2-32")
    state = sim.state()
    assert state["tableSize"] == 16 and state["hashName"] == "djb2-32"
    assert state["last"]["key"] == "cart:42"
    assert state["last"]["bucket"] == djb2("cart:42") % 16
    assert_every_key_in_its_bucket(state)


@pytest.mark.parametrize(
    "params", [{"size": HIGH + 1}, {"size": "x"}, {"key": ""}, {"hash": "md5"}, {"key": 5}]
)
def test_bad_params_fall_back_to_defaults(params):
    state = make(**params).state()
    assert state["tableSize"] in (8,)
    assert state["last"]["key"] == "user:42"
    assert state["hashName"] == "fnv1a-32"


def test_the_table_stops_growing_at_its_drawing_limit_but_lookups_still_work():
    sim = make()
    n = len(all_keys(sim.state()))
    for i in range(MAX_KEYS - n):
        sim.cmd_hash(key=f"item:{i}")
    before = sim.state()
    with pytest.raises(SimInputError, match="Reset"):
        sim.cmd_hash(key="one-too-many")
    with pytest.raises(SimInputError):
        sim.cmd_collision()
    assert sim.state() == before
    sim.cmd_hash(key="user:42")
    assert sim.state()["last"]["found"] is True


def test_reset_restores_the_starting_table():
    sim = make()
    start = sim.state()
    sim.cmd_resize(size=5)
    sim.cmd_hash_function(name="sum-bytes")
    sim.cmd_collision()
    sim.cmd_next_stage()
    sim.cmd_reset()
    state = sim.state()
    for field in ("buckets", "last", "tableSize", "hashName", "trace", "stats", "narration"):
        assert state[field] == start[field]
    assert state["stepMode"] is False


def test_description_lists_every_bucket():
    text = make().state()["description"]
    assert "8 buckets" in text and "bucket 7:" in text
    assert 'hash("user:42") mod 8 = 2' in text


def test_registry_and_bridge_reach_the_controller():
    from microsims import bridge

    assert create("hash-table-lookup", {"size": 8}, seed=1).state()["last"]["bucket"] == 2
    reply = json.loads(
        bridge.handle(
            json.dumps(
                {
                    "op": "create",
                    "sim": "hash-table-lookup",
                    "params": {"key": "user:42"},
                    "seed": 1,
                }
            )
        )
    )
    assert reply["ok"] is True
    handle = reply["handle"]
    bad = json.loads(
        bridge.handle(
            json.dumps({"op": "call", "handle": handle, "method": "hash", "args": {"key": ""}})
        )
    )
    assert bad["ok"] is False and bad["error"]["kind"] == "input"
    good = json.loads(
        bridge.handle(
            json.dumps({"op": "call", "handle": handle, "method": "collision", "args": {}})
        )
    )
    assert good["ok"] is True and good["state"]["collision"]["tooltip"] == COLLISION_TOOLTIP
    json.loads(bridge.handle(json.dumps({"op": "dispose", "handle": handle})))


def test_state_names_the_last_event():
    sim = make()
    assert sim.state()["event"] == "reset"
    for call, event in (
        (lambda: sim.cmd_hash(key="a"), "hash"),
        (sim.cmd_collision, "collision"),
        (lambda: sim.cmd_resize(size=9), "resize"),
        (lambda: sim.cmd_hash_function(name="djb2-32"), "hash_function"),
        (sim.cmd_next_stage, "next_stage"),
        (sim.cmd_prev_stage, "prev_stage"),
        (sim.cmd_step, "step"),
    ):
        call()
        assert sim.state()["event"] == event


def test_collision_search_on_a_huge_key_is_bounded():
    sim = make()
    sim.cmd_hash(key="z" * 10_000)
    try:
        sim.cmd_collision()
    except SimInputError as error:  # allowed: the search gives up with a clear message
        assert "try another key" in str(error)
    else:
        state = sim.state()
        assert fnv1a(state["collision"]["newKey"]) % 8 == fnv1a("z" * 10_000) % 8
        assert state["collision"]["tried"] <= 200


def test_stats_before_a_new_key_are_what_the_page_shows_until_the_bucket_stage():
    sim = Controller({"size": 4}, seed=1)
    before = sim.state()["stats"]
    sim.cmd_collision()
    state = sim.state()
    assert state["last"]["inserted"] is True
    assert state["last"]["statsBefore"] == before
    assert state["stats"]["used"] == before["used"] + 1
    sim.cmd_hash(key=state["last"]["key"])  # found: nothing to hold back
    assert sim.state()["last"]["statsBefore"] is None
