"""The set and sorted-set values on their own: encodings, conversions, and the skiplist
against a plain sorted-list model (hypothesis)."""

from __future__ import annotations

import math
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from kvengine.values.doubles import d2string, format_double, parse_score_bound, string2d, strtod
from kvengine.values.set import RedisSet
from kvengine.values.zset import (
    ADD_GT,
    ADD_INCR,
    ADD_LT,
    ADD_NX,
    ADD_XX,
    OUT_ADDED,
    OUT_NOP,
    OUT_UPDATED,
    RedisZSet,
    ScoreRange,
    parse_lex_range,
)


# ------------------------------------------------------------------------ doubles
def test_string2d_follows_c_strtod_and_redis_rules() -> None:
    assert string2d("0x10") == 16.0 and string2d("0x1p3") == 8.0
    assert string2d("+.5e1") == 5.0 and string2d("5.") == 5.0
    assert string2d("-INFINITY") == -math.inf and string2d("inf") == math.inf
    for bad in ("", " 1", "1 ", "1_0", "nan", "1e999", "1e-999", "0x", "abc", "١"):
        assert string2d(bad) is None, bad
    assert string2d("1e-310") == 1e-310  # a subnormal is kept, only zero underflow is refused


def test_range_bounds_allow_what_strtod_allows() -> None:
    assert parse_score_bound(" 1") == (1.0, False)
    assert parse_score_bound("(") == (0.0, True)
    assert parse_score_bound("") == (0.0, False)
    assert parse_score_bound("1e999") == (math.inf, False)
    assert parse_score_bound("(nan") is None and parse_score_bound("1x") is None
    assert strtod("12abc")[:2] == (12.0, 2)


def test_doubles_print_as_redis_does() -> None:
    assert [format_double(x) for x in (1.0, 1.5, 1.1, -0.0, math.inf, 0.1 + 0.2)] == [
        "1",
        "1.5",
        "1.1000000000000001",
        "-0",
        "inf",
        "0.30000000000000004",
    ]
    assert format_double(1e17) == "1e+17" and d2string(1e17) == "100000000000000000"


# ---------------------------------------------------------------------------- set
def test_set_starts_as_intset_and_converts_once() -> None:
    s = RedisSet.for_member("1")
    for n in (5, -3, 1):
        s.add(str(n))
    assert s.encoding() == "intset" and list(s) == ["-3", "1", "5"]
    assert "007" not in s and "5" in s
    s.add("007")  # not canonical: a string member
    assert s.encoding() == "hashtable" and sorted(s) == sorted(["-3", "1", "5", "007"])
    s.remove("007")
    assert s.encoding() == "hashtable"  # never back


def test_set_converts_past_max_intset_entries() -> None:
    s = RedisSet(True, max_intset_entries=4)
    for n in range(4):
        s.add(str(n))
    assert s.encoding() == "intset"
    s.add("4")
    assert s.encoding() == "hashtable" and len(s) == 5


def test_set_memory_grows_with_members() -> None:
    s = RedisSet(True)
    before = s.memory_usage()
    s.add("1")
    small = s.memory_usage()
    s.add("100000")  # widens every integer to 4 bytes
    assert before < small < s.memory_usage()


@settings(deadline=None)
@given(st.lists(st.tuples(st.booleans(), st.sampled_from(["1", "2", "-7", "a", "b", "10", "x"]))))
def test_set_matches_a_python_set(ops: list[tuple[bool, str]]) -> None:
    s, model = RedisSet(True, max_intset_entries=3), set()
    for add, m in ops:
        if add:
            assert s.add(m) == (m not in model)
            model.add(m)
        else:
            assert s.remove(m) == (m in model)
            model.discard(m)
        assert sorted(s) == sorted(model) and len(s) == len(model)
    rng = random.Random(1)
    if model:
        assert s.random_member(rng) in model


# --------------------------------------------------------------------------- zset
def check_skiplist(z: RedisZSet) -> None:
    """Every level is ordered and each span counts the nodes it jumps over."""
    zsl = z._zsl
    if zsl is None:
        return
    order = [(n.score, n.ele) for n in zsl]
    position = {ele: i + 1 for i, (_, ele) in enumerate(order)}
    assert order == sorted(order) and zsl.length == len(order)
    for level in range(zsl.level):
        x, rank = zsl.header, 0
        while x.forward[level] is not None:
            rank += x.span[level]
            x = x.forward[level]
            assert position[x.ele] == rank
    assert (zsl.tail.ele if zsl.tail else None) == (order[-1][1] if order else None)


members = st.sampled_from(["a", "b", "c", "d", "e", "f", "g", "h", "x" * 70])
scores = st.sampled_from([-math.inf, -1.5, 0.0, 1.0, 1.0, 2.5, 3.0, math.inf])
flags = st.sampled_from([0, ADD_NX, ADD_XX, ADD_GT, ADD_LT, ADD_INCR, ADD_XX | ADD_GT])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "del"]), scores, members, flags), max_size=60))
def test_zset_matches_a_sorted_list_model(ops: list) -> None:
    z = RedisZSet(random.Random(7), max_entries=4)
    model: dict[str, float] = {}
    for op, score, member, flag in ops:
        if op == "del":
            assert z.delete(member) == (member in model)
            model.pop(member, None)
        else:
            cur = model.get(member)
            new = score + cur if flag & ADD_INCR and cur is not None else score
            out, _ = z.add(score, member, flag)
            if math.isnan(new):
                continue
            if cur is None:
                assert out == (OUT_NOP if flag & ADD_XX else OUT_ADDED)
                if not flag & ADD_XX:
                    model[member] = score
            elif flag & ADD_NX or (flag & ADD_GT and new <= cur) or (flag & ADD_LT and new >= cur):
                assert out == OUT_NOP
            else:
                assert out == (OUT_UPDATED if new != cur else 0)
                model[member] = new
        expected = sorted((s, m) for m, s in model.items())
        assert [(s, m) for m, s in z.range_by_rank(0, len(z) - 1)] == expected
        assert [(s, m) for m, s in z.range_by_rank(0, len(z) - 1, True)] == expected[::-1]
        for i, (s, m) in enumerate(expected):
            assert z.rank(m) == i and z.score(m) == s
            assert z.rank(m, reverse=True) == len(expected) - 1 - i
        spec = ScoreRange(0.0, 2.5, True, False)
        lo, end = z.score_span(spec)
        assert [m for m, _ in z.range_by_rank(lo, end - 1)] == [
            m for s, m in expected if 0.0 < s <= 2.5
        ]
        check_skiplist(z)
    if len(model) > 4 or any(len(m) > 64 for m in model):
        assert z.encoding() == "skiplist"


def test_zset_encoding_limits_and_compaction() -> None:
    z = RedisZSet(random.Random(1))
    for i in range(128):
        z.add(float(i), f"m{i}")
    assert z.encoding() == "listpack"
    z.add(200.0, "one-more")
    assert z.encoding() == "skiplist"
    z.delete("one-more")
    assert z.encoding() == "skiplist"  # never back on its own
    z.compact_if_fits()  # only for a freshly built result
    assert z.encoding() == "listpack"
    assert RedisZSet.for_member(random.Random(1), "y" * 65).encoding() == "skiplist"


def test_lex_ranges() -> None:
    z = RedisZSet(random.Random(1))
    for m in "abcdefg":
        z.add(0.0, m)
    spec = parse_lex_range("[b", "(e")
    assert spec is not None
    lo, end = z.lex_span(spec)
    assert [m for m, _ in z.range_by_rank(lo, end - 1)] == ["b", "c", "d"]
    assert parse_lex_range("b", "+") is None and parse_lex_range("-+", "+") is None
    full = parse_lex_range("-", "+")
    assert full is not None and z.lex_span(full) == (0, 7)
    assert z.lex_span(parse_lex_range("+", "-")) == (0, 0)  # type: ignore[arg-type]
