"""Fixtures of the differential tests (tests/engine/differential.py): one redis-server per
session (persistence off, a free loopback port; a missing redis-server skips, except in CI)
and a fresh :class:`~tests.engine.differential.Pair` per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.engine.differential import Pair, fresh_pair
from tests.engine.redis_server import RedisServer, RespClient, require_redis_server


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer(require_redis_server())
    server.start()
    try:
        version = server.version()
        assert version.startswith("7.0"), f"the differential tests need redis 7.0, got {version}"
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_client(redis_server: RedisServer) -> Iterator[RespClient]:
    client = redis_server.client()
    yield client
    client.close()


@pytest.fixture()
def pair(redis_client: RespClient) -> Pair:
    """An emptied, default-configured redis-server and a new Store (seed 0)."""
    return fresh_pair(redis_client)
