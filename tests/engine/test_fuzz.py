"""Fuzz: ``Store.execute`` with junk raises nothing but ``kvengine.ResponseError``.

docs/contracts.md: "No other exception escapes execute, whatever the input." The sims pass user
text straight into the engine, so a TypeError or OverflowError here would surface as an internal
error in front of a student. Hypothesis throws at ``execute``: real command names (any case) and
junk names; arguments of the wrong type (int, float incl. nan/inf, bytes, None, bool, lists,
dicts), huge and boundary numbers as int and as text, empty strings, unicode (incl. lone
surrogates), 10,000-character keys, and option words in the wrong places, with and without an
event listener (every event must be a JSON-able dict). After each sequence the
store must still answer sensibly (PING, DBSIZE >= number of KEYS, replies of the documented types).
"""

from __future__ import annotations

import json
import math

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kvengine
from kvengine.commands.registry import COMMANDS as REGISTRY
from kvengine.limits import MAX_RANDOM_PICKS, MAX_STRING_BYTES
from tests.engine.option_words import OPTION_WORDS

# Every registered command is fuzzed. A junk number can make a valid but huge request (a
# negative SRANDMEMBER/HRANDFIELD/ZRANDMEMBER count asks for that many picks; a SETRANGE offset
# pads the string up to it); the engine refuses those past its limits (kvengine/limits.py)
# instead of working for minutes, so they are fuzzed too. Add a command here only with a reason.
NOT_FUZZED: dict[str, str] = {}
COMMANDS = sorted(name.upper() for name in REGISTRY if name not in NOT_FUZZED)
WORDS = OPTION_WORDS
NUMBER_TEXTS = [
    "0",
    "-0",
    "+1",
    "01",
    "1.5",
    "1e3",
    " 1",
    "1 ",
    "0x10",
    "nan",
    "inf",
    "-inf",
    "9223372036854775807",
    "9223372036854775808",
    "-9223372036854775808",
    "-9223372036854775809",
    "18446744073709551616",
    "99999999999999999999999999999",
    "4294967296",
    "2147483648",
    "1" * 400,
    "-" + "9" * 50,
]
HUGE_INTS = [2**63 - 1, 2**63, -(2**63), -(2**63) - 1, 2**64, 10**100, -(10**100)]

long_keys = st.integers(min_value=1000, max_value=10_000).map(lambda n: "k" * n) | st.sampled_from(
    ["é" * 10_000, "🙂" * 2_500, "user:" + "x" * 9_995]
)
junk_value = st.one_of(
    st.text(max_size=30),
    st.sampled_from(WORDS),
    st.sampled_from(NUMBER_TEXTS),
    st.integers(),
    st.sampled_from(HUGE_INTS),
    st.floats(allow_nan=True, allow_infinity=True),
    st.binary(max_size=20),
    st.none(),
    st.booleans(),
    st.just(""),
    long_keys,
    st.text(alphabet=st.characters(blacklist_categories=()), max_size=10),  # lone surrogates too
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
command_name = st.one_of(
    st.sampled_from(COMMANDS),
    st.sampled_from(COMMANDS).map(str.lower),
    st.sampled_from(COMMANDS).map(lambda c: c[:1] + c[1:].lower()),
    st.text(max_size=12),
    st.sampled_from([b"GET", b"SET", None, 0, "", " ", "GET ", "\x00"]),
)
command = st.tuples(command_name, st.lists(junk_value, max_size=7)).map(lambda t: (t[0], *t[1]))
# Mostly well-formed commands with junk in one position: reaches the code after arity checks.
shaped_command = st.tuples(
    st.sampled_from(COMMANDS),
    st.lists(st.one_of(st.sampled_from(["k", "a", "user:1"]), junk_value), min_size=1, max_size=6),
).map(lambda t: (t[0], *t[1]))

store_options = st.sampled_from(
    [
        {},
        {"policy": "allkeys-lru", "maxkeys": 3, "samples": 5},
        {"policy": "allkeys-lfu", "maxkeys": 3, "samples": 5},
        {"policy": "volatile-ttl", "maxmemory": 500, "samples": 3},
        {"policy": "allkeys-random", "maxmemory": 300},
        {"policy": "allkeys-lfu", "maxkeys": 4, "samples": 16, "lfu_counter": "exact"},
    ]
)


def _is_reply(value: object) -> bool:
    """The contract's reply shapes: str, int, None, or a list of those (nested)."""
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, int):
        return not isinstance(value, bool)
    if isinstance(value, list):
        return all(_is_reply(item) for item in value)
    return False


def _execute(store: kvengine.Store, args: tuple[object, ...]) -> None:
    try:
        reply = store.execute(*args)
    except kvengine.ResponseError as exc:
        text = str(exc)
        assert text and "\n" not in text and "\r" not in text, f"bad error text {text!r}"
        assert text.split(" ", 1)[0].isupper(), f"error without a Redis prefix: {text!r}"
        return
    assert _is_reply(reply), f"{args!r:.300} returned {type(reply).__name__}: {reply!r:.200}"


def _still_healthy(store: kvengine.Store, clock: kvengine.VirtualClock) -> None:
    assert store.execute("PING") == "PONG"
    keys = store.execute("KEYS", "*")
    assert isinstance(keys, list)
    # DBSIZE counts keys that expired but were not reclaimed yet (as Redis does); KEYS skips them
    assert store.execute("DBSIZE") >= len(keys)
    try:
        assert store.execute("SET", "after-fuzz", "ok") == "OK"
        assert store.execute("GET", "after-fuzz") in ("ok", None)  # None: evicted at once
    except kvengine.ResponseError as exc:  # the fuzz may have set a tiny maxmemory + noeviction
        assert str(exc).startswith("OOM"), str(exc)
    clock.advance(10_000)
    store.tick()
    snapshot = store.snapshot()
    assert isinstance(snapshot, dict)


FUZZ = settings(
    max_examples=600,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _listen(store: kvengine.Store) -> None:
    """Attach a listener: turns on the event-building code paths; every event must be JSON."""

    def check(event: dict) -> None:
        assert isinstance(event, dict) and isinstance(event.get("type"), str), event
        json.dumps(event)

    store.add_listener(check)


@FUZZ
@given(
    options=store_options, listen=st.booleans(), commands=st.lists(command, min_size=1, max_size=12)
)
def test_junk_commands_raise_only_response_error(
    options: dict, listen: bool, commands: list[tuple[object, ...]]
) -> None:
    clock = kvengine.VirtualClock(0)
    store = kvengine.Store(clock=clock, seed=1, **options)
    if listen:
        _listen(store)
    for args in commands:
        _execute(store, args)
        clock.advance(137)
    _still_healthy(store, clock)


@FUZZ
@given(
    options=store_options,
    listen=st.booleans(),
    commands=st.lists(shaped_command, min_size=1, max_size=15),
)
def test_junk_arguments_to_real_commands(
    options: dict, listen: bool, commands: list[tuple[object, ...]]
) -> None:
    clock = kvengine.VirtualClock(1_700_000_000_000)
    store = kvengine.Store(clock=clock, seed=2, **options)
    if listen:
        _listen(store)
    store.execute("SET", "k", "10", "EX", "100")
    store.execute("SET", "a", "text")
    for args in commands:
        _execute(store, args)
        clock.advance(501)
    _still_healthy(store, clock)


SIZED = st.one_of(
    st.integers(),
    st.sampled_from(HUGE_INTS),
    st.sampled_from(NUMBER_TEXTS),
    st.integers(min_value=-3 * MAX_RANDOM_PICKS, max_value=3 * MAX_RANDOM_PICKS),
)


@settings(max_examples=300, deadline=None)
@given(
    calls=st.lists(
        st.tuples(
            st.sampled_from(
                [
                    ("SRANDMEMBER", "s"),
                    ("HRANDFIELD", "h"),
                    ("HRANDFIELD", "h", "WITHVALUES"),
                    ("ZRANDMEMBER", "z"),
                    ("ZRANDMEMBER", "z", "WITHSCORES"),
                    ("SETRANGE", "k"),
                    ("SPOP", "s2"),
                ]
            ),
            SIZED,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_huge_counts_and_offsets_on_existing_values(calls: list[tuple[tuple, object]]) -> None:
    """Counts and offsets of any size, on keys that exist: an answer within the engine's
    limits or an error, never minutes of work or a MemoryError."""
    clock = kvengine.VirtualClock(0)
    store = kvengine.Store(clock=clock, seed=3)
    store.execute("SADD", "s", "a", "b", "c")
    store.execute("SADD", "s2", "a", "b", "c")
    store.execute("HSET", "h", "f", "v", "g", "w")
    store.execute("ZADD", "z", "1", "m", "2", "n")
    store.execute("SET", "k", "v")
    for (name, key, *option), size in calls:
        args = (name, key, size, *option) if name != "SETRANGE" else (name, key, size, "x")
        try:
            reply = store.execute(*args)
        except kvengine.ResponseError:
            continue
        if isinstance(reply, list):
            assert len(reply) <= 2 * MAX_RANDOM_PICKS, args
        elif name == "SETRANGE":
            assert reply <= MAX_STRING_BYTES, args
    _still_healthy(store, clock)


def test_fuzz_covers_every_registered_command() -> None:
    """A command the registry gains is fuzzed unless it is excluded here, with a reason."""
    assert set(NOT_FUZZED) <= set(REGISTRY), "an exclusion names no registered command"
    assert {name.upper() for name in REGISTRY} == set(COMMANDS) | {n.upper() for n in NOT_FUZZED}
    assert {"HSET", "LPUSH", "SADD", "ZADD", "SET", "OBJECT"} <= set(COMMANDS)


def test_execute_with_no_arguments_is_a_response_error() -> None:
    store = kvengine.Store(clock=kvengine.VirtualClock(0), seed=0)
    for args in [(), (None,), ("",), (b"\xff\xfe",), (math.nan,), ([],)]:
        _execute(store, args)
    assert store.execute("PING") == "PONG"


def test_ten_thousand_character_keys_round_trip() -> None:
    store = kvengine.Store(clock=kvengine.VirtualClock(0), seed=0)
    key = "é" * 10_000
    assert store.execute("SET", key, "v", "PX", "5000") == "OK"
    assert store.execute("GET", key) == "v"
    assert store.execute("STRLEN", key) == 1
    assert store.execute("KEYS", "é*") == [key]
    assert store.execute("PTTL", key) == 5000
    assert store.execute("DEL", key) == 1
