"""Differential: our hash slots against a real redis-server's CLUSTER KEYSLOT.

Starts a cluster-enabled redis-server (no slots assigned; CLUSTER KEYSLOT needs none) on a free
loopback port, then compares the slot of several hundred keys: known keys, hash-tag edge cases,
non-ASCII keys and seeded random ones. The server comes from ``tests/engine/redis_server.py``; a
missing redis-server skips the module, except in CI (``CI=true``) where it fails.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from kvengine.scenarios.cluster import key_hash_slot
from tests.engine.redis_server import RedisServer, RespClient, require_redis_server

pytestmark = pytest.mark.redis


@pytest.fixture(scope="module")
def cluster_client() -> Iterator[RespClient]:
    with RedisServer(require_redis_server(), cluster=True) as server:
        client = server.client()
        try:
            yield client
        finally:
            client.close()


def _keys() -> list[str]:
    rng = random.Random(6)
    alphabet = "abc{}:_-01é✓"
    keys = [
        "foo",
        "bar",
        "hello",
        "{user1000}.following",
        "foo{}{bar}",
        "foo{{bar}}zap",
        "foo{bar}{zap}",
        "{}",
        "{",
        "}",
        "{a",
        "a}",
        "",
        "popular_key",
        "café",
        "ключ",
    ]
    keys += [f"popular_key:{i}" for i in range(1, 11)]
    keys += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12))) for _ in range(300)]
    return keys


def test_slots_match_cluster_keyslot(cluster_client: RespClient) -> None:
    mismatches = [
        (k, key_hash_slot(k), cluster_client.call("CLUSTER", "KEYSLOT", k)) for k in _keys()
    ]
    mismatches = [m for m in mismatches if m[1] != m[2]]
    assert mismatches == []
