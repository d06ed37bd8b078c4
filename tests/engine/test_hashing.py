"""Hash functions and the step-by-step trace the hash-table sim animates."""

from __future__ import annotations

import json

import pytest

from kvengine.hashing import (
    FNV_OFFSET_BASIS,
    FNV_PRIME,
    HASH_FUNCTIONS,
    djb2_32,
    fnv1a_32,
    hash_key,
    hash_trace,
    sum_bytes_32,
)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", 0x811C9DC5),  # the published FNV-1a 32-bit test vectors
        (b"a", 0xE40C292C),
        (b"foobar", 0xBF9CF968),
    ],
)
def test_fnv1a_matches_published_vectors(data: bytes, expected: int) -> None:
    assert fnv1a_32(data) == expected


def test_architecture_example_hash() -> None:
    assert fnv1a_32(b"user:42") == 795573122
    assert 795573122 % 8 == 2


def test_djb2_and_sum_bytes() -> None:
    assert djb2_32(b"") == 5381
    assert djb2_32(b"a") == 5381 * 33 + 97
    assert sum_bytes_32(b"ab") == sum_bytes_32(b"ba") == 195  # anagrams collide
    assert fnv1a_32(b"ab") != fnv1a_32(b"ba")


def test_all_hashes_are_32_bit() -> None:
    for fn in HASH_FUNCTIONS.values():
        for data in (b"", b"x" * 10_000, "ключ".encode(), bytes(range(256))):
            assert 0 <= fn(data) < 2**32


@pytest.mark.parametrize("name", list(HASH_FUNCTIONS))
@pytest.mark.parametrize("key", ["user:42", "", "ключ:é", "a" * 50])
def test_trace_reproduces_the_hash_step_by_step(name: str, key: str) -> None:
    trace = hash_trace(name, key)
    data = key.encode()
    assert trace["bytes"] == list(data)
    assert trace["hash"] == HASH_FUNCTIONS[name](data)
    assert len(trace["steps"]) == len(data)
    json.dumps(trace)  # JSON-able for the worker
    h = {"fnv1a-32": FNV_OFFSET_BASIS, "djb2-32": 5381, "sum-bytes": 0}[name]
    for step, byte in zip(trace["steps"], data, strict=True):
        if name == "fnv1a-32":
            assert step["after_xor"] == h ^ byte
            h = step["after_multiply"]
            assert h == (step["after_xor"] * FNV_PRIME) % 2**32
        elif name == "djb2-32":
            assert step["after_multiply"] == (h * 33) % 2**32
            h = step["after_add"]
        else:
            h = step["after_add"]
    if data:
        assert h == trace["hash"]


def test_trace_names_characters_of_multibyte_keys() -> None:
    steps = hash_trace("fnv1a-32", "é!")["steps"]
    assert [s["char"] for s in steps] == ["é", "\\xa9", "!"]


def test_unknown_hash_name_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="fnv1a-32"):
        hash_trace("md5", "k")


def test_memoised_hash_equals_direct_hash() -> None:
    for key in ("a", "user:42", "ключ"):
        assert hash_key(key) == fnv1a_32(key.encode()) == hash_key(key)
