"""Unit tests of the hash and list value types, the listpack size model and the long double
arithmetic, on their own (no store): each checked against a plain Python model or against
values read from redis-server 7.0.15 by hand."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kvengine import longdouble
from kvengine.listpack import as_int64, entry_size, listpack_bytes
from kvengine.values.hash import Hash
from kvengine.values.list import OPTIMIZATION_LEVEL, QuickList

# ------------------------------------------------------------------------------- long double


@pytest.mark.parametrize(
    ("start", "increments", "expected"),
    [  # replies of INCRBYFLOAT on redis-server 7.0.15 (x86-64)
        ("0", ["0.1"] * 10, "1"),
        ("0", ["0.1", "0.2"], "0.3"),
        ("1e17", ["1.5"], "100000000000000001.5"),
        ("1e17", ["1.5", "0.000000000000000005"], "100000000000000001.5"),
        ("0", ["3.0000000000000000001e-5"], "0.00003"),
        ("0", ["0x1p3", "2.5e-5"], "8.000025"),
        ("0", ["-0"], "0"),
        ("0", ["-0.00000000000000000001"], "0"),
    ],
)
def test_long_double_matches_redis(start: str, increments: list[str], expected: str) -> None:
    value = longdouble.parse(start)
    for inc in increments:
        step = longdouble.parse(inc)
        assert value is not None and step is not None
        value = longdouble.add(value, step)
    assert value is not None and not isinstance(value, float)
    assert longdouble.format_human(value) == expected


@pytest.mark.parametrize(
    "text",
    ["", " 1", "1 ", "abc", "nan", "1e", "0x", ".", "1e5000", "1e-5000", "1\x002", "1" * 5120],
)
def test_long_double_rejects_what_string2ld_rejects(text: str) -> None:
    assert longdouble.parse(text) is None


def test_long_double_keeps_64_bits_and_refuses_infinity() -> None:
    one = longdouble.parse("1")
    assert one == 1
    tiny = longdouble.parse("0x1p-63")  # one unit in the last place of 1.0 in 80-bit extended
    half = longdouble.parse("0x1p-64")
    assert one is not None and tiny is not None and half is not None
    assert longdouble.add(one, tiny) == 1 + Fraction(1, 2**63)
    assert longdouble.add(one, half) == 1  # a tie rounds to even
    assert longdouble.parse("inf") == float("inf")
    assert longdouble.add(one, float("inf")) is None
    big = longdouble.parse("0x1.fffffffffffffffep16383")  # the largest finite value
    assert big is not None and longdouble.add(big, big) is None


# ---------------------------------------------------------------------------------- listpack


def test_listpack_entry_sizes_follow_the_encodings() -> None:
    # integers: 7-bit, 13-bit, 16, 24, 32, 64-bit, each + 1 byte of backlen
    assert [entry_size(s) for s in ["0", "127", "128", "-4096", "4096", "-32768"]] == [
        2,
        2,
        3,
        3,
        4,
        4,
    ]
    assert entry_size("8388608") == 6 and entry_size("9223372036854775807") == 10
    # strings: 1-byte header under 64 bytes, 2 under 4096, then 5; backlen grows past 127
    assert entry_size("a" * 63) == 65 and entry_size("a" * 64) == 67
    assert entry_size("a" * 200) == 204
    assert entry_size("a" * 5000) == 5007
    assert entry_size("é") == 4  # UTF-8 bytes
    assert as_int64("007") is None and as_int64("-0") is None and as_int64("+1") is None
    assert listpack_bytes([]) == 7


# -------------------------------------------------------------------------------------- hash


def test_hash_converts_one_way_at_either_limit() -> None:
    h = Hash()
    for i in range(4):
        assert h.set(f"f{i}", str(i), max_entries=4, max_value=64)
    assert h.encoding() == "listpack"
    h.set("f4", "4", 4, 64)
    assert h.encoding() == "hashtable" and len(h) == 5
    for i in range(5):
        assert h.delete(f"f{i}")
    assert h.encoding() == "hashtable" and len(h) == 0  # never back to a listpack

    long_value = Hash()
    long_value.set("a", "x" * 64, 512, 64)
    assert long_value.encoding() == "listpack"
    long_value.try_conversion(["b", "y" * 65], 64)
    assert long_value.encoding() == "hashtable" and long_value.get("a") == "x" * 64


def test_hash_listpack_keeps_insertion_order_and_updates_in_place() -> None:
    h = Hash()
    for field in "cab":
        h.set(field, field.upper(), 512, 64)
    h.set("a", "new", 512, 64)
    h.delete("c")
    h.set("c", "again", 512, 64)
    assert list(h.items()) == [("a", "new"), ("b", "B"), ("c", "again")]
    assert h.scan(0) == (0, ["a", "new", "b", "B", "c", "again"])


@settings(max_examples=60, deadline=None)
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["set", "del"]), st.integers(0, 40), st.integers(0, 80)),
        max_size=200,
    )
)
def test_hash_behaves_like_a_dict(ops: list[tuple[str, int, int]]) -> None:
    h, model = Hash(), {}
    for op, field_no, size in ops:
        field = f"f{field_no}"
        if op == "set":
            value = "v" * size
            assert h.set(field, value, 8, 64) == (field not in model)
            model[field] = value
        else:
            assert h.delete(field) == (model.pop(field, None) is not None)
        assert len(h) == len(model)
    assert dict(h.items()) == model
    if h.encoding() == "listpack":
        assert list(h.items()) == list(model.items())
        assert h.memory_usage() == listpack_bytes([s for pair in model.items() for s in pair])
    cursor, seen = 0, {}
    while True:
        cursor, flat = h.scan(cursor)
        seen.update(zip(flat[::2], flat[1::2], strict=True))
        if cursor == 0:
            break
    assert seen == model


def test_hash_memory_grows_with_its_contents() -> None:
    h = Hash()
    sizes = []
    for n in (1, 10, 100, 1000):
        while len(h) < n:
            h.set(f"field:{len(h)}", "value", 512, 64)
        sizes.append(h.memory_usage())
    assert sizes == sorted(sizes) and len(set(sizes)) == 4


def test_hash_random_fields_are_fields() -> None:
    rng = random.Random(1)
    for n in (5, 600):
        h = Hash()
        for i in range(n):
            h.set(f"f{i}", str(i), 512, 64)
        assert h.random_field(rng) in h
        unique = h.random_unique_fields(4, rng)
        assert len(set(unique)) == 4 and all(f in h for f in unique)


# -------------------------------------------------------------------------------------- list


@settings(max_examples=80, deadline=None)
@given(
    fill=st.sampled_from([-1, -2, 1, 2, 5]),
    ops=st.lists(
        st.tuples(
            st.sampled_from(["lpush", "rpush", "lpop", "rpop", "set", "ins", "rem", "del"]),
            st.integers(-12, 12),
            st.sampled_from(["a", "b", "1", "x" * 300, "y" * 3000]),
        ),
        max_size=120,
    ),
)
def test_quicklist_behaves_like_a_python_list(fill: int, ops: list[tuple[str, int, str]]) -> None:
    q, model = QuickList(fill=fill), []
    for op, n, value in ops:
        if op == "lpush":
            q.push_head(value)
            model.insert(0, value)
        elif op == "rpush":
            q.push_tail(value)
            model.append(value)
        elif op == "lpop":
            assert q.pop_head() == (model.pop(0) if model else None)
        elif op == "rpop":
            assert q.pop_tail() == (model.pop() if model else None)
        elif op == "set":
            ok = -len(model) <= n < len(model)
            assert q.replace(n, value) == ok
            if ok:
                model[n] = value
        elif op == "ins":
            ok = value in model
            assert q.insert(value, "new", after=n > 0) == ok
            if ok:
                i = model.index(value)
                model.insert(i + 1 if n > 0 else i, "new")
        elif op == "rem":
            removed = q.remove(value, n)
            positions = [i for i, x in enumerate(model) if x == value]
            if n < 0:
                positions.reverse()
            if n:
                positions = positions[: abs(n)]
            for i in sorted(positions, reverse=True):
                del model[i]
            assert removed == len(positions)
        else:
            start, count = n, abs(n) // 2 + 1
            q.delete_range(start, count)
            s = start + len(model) if start < 0 else start
            if 0 <= s < len(model):
                del model[s : s + count]
        assert list(q) == model and len(q) == len(model)
        assert list(reversed(q)) == model[::-1]
        assert all(q.index(i) == model[i] for i in (0, -1, len(model) // 2) if model)
        assert sum(len(node.items) for node in q._nodes) == len(model)
        assert all(node.items for node in q._nodes)  # no empty node is kept
        assert q.memory_usage() == 40 + sum(32 + node.size for node in q._nodes)
        assert all(node.size == listpack_bytes(node.items) for node in q._nodes)
    if model:
        assert q.range(0, len(model) - 1) == model
        assert q.range(1, len(model) - 1, reverse=True) == model[1:][::-1]


def test_quicklist_nodes_respect_the_fill_limit() -> None:
    q = QuickList(fill=-2)  # 8 KB listpacks
    for i in range(5000):
        q.push_tail(f"element-{i}")
    assert q.node_count() > 1
    assert all(node.size <= OPTIMIZATION_LEVEL[1] for node in q._nodes)
    by_count = QuickList(fill=3)
    for i in range(10):
        by_count.push_head(str(i))
    assert [len(node.items) for node in by_count._nodes] == [1, 3, 3, 3]
    assert q.encoding() == by_count.encoding() == "quicklist"
    assert by_count.memory_usage() < q.memory_usage()
