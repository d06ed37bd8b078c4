"""Differential: our hash slots against a real redis-server's CLUSTER KEYSLOT.

Starts a cluster-enabled redis-server (no slots assigned; CLUSTER KEYSLOT needs none) on a free
loopback port, then compares the slot of several hundred keys: known keys, hash-tag edge cases,
non-ASCII keys and seeded random ones.
"""

from __future__ import annotations

import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "engine"))
from redis_server import RedisError, RespClient, find_redis_server, free_port  # noqa: E402

from kvengine.scenarios.cluster import key_hash_slot  # noqa: E402

pytestmark = pytest.mark.redis


def _cluster_port() -> int:
    """A free port whose cluster bus port (port + 10000) is also free and below 65536."""
    for _ in range(50):
        port = free_port()
        if port + 10000 > 65535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bus:
            try:
                bus.bind(("127.0.0.1", port + 10000))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster-enabled redis-server")


def _start(path: str, workdir: Path) -> tuple[subprocess.Popen[bytes], RespClient | None]:
    port = _cluster_port()
    proc = subprocess.Popen(
        [path, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--cluster-enabled", "yes", "--cluster-config-file", str(workdir / f"nodes-{port}.conf"),
         "--dir", str(workdir), "--logfile", str(workdir / f"redis-{port}.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            client = RespClient(port, timeout=5.0)
        except OSError:
            time.sleep(0.05)
            continue
        try:
            if client.call("PING") == "PONG":
                return proc, client
        except (OSError, RedisError):
            pass
        client.close()
        time.sleep(0.05)
    return proc, None


def _stop(proc: subprocess.Popen[bytes], client: RespClient | None) -> None:
    if client is not None:
        try:
            client.call("SHUTDOWN", "NOSAVE")
        except (OSError, ConnectionError, RedisError):
            pass                                  # the server closes the connection as it exits
        client.close()
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="module")
def cluster_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RespClient]:
    path = find_redis_server()
    if path is None:
        pytest.skip("redis-server not found (make test installs it)")
    workdir = tmp_path_factory.mktemp("redis-cluster")
    for _ in range(3):                            # a port may be taken between check and bind
        proc, client = _start(path, workdir)
        if client is not None:
            break
        _stop(proc, None)
    else:
        logs = "".join(p.read_text(errors="replace")[-500:] for p in workdir.glob("*.log"))
        pytest.fail(f"cluster-enabled redis-server did not start: {logs}")
    try:
        yield client
    finally:
        _stop(proc, client)


def _keys() -> list[str]:
    rng = random.Random(6)
    alphabet = "abc{}:_-01é✓"
    keys = ["foo", "bar", "hello", "{user1000}.following", "foo{}{bar}", "foo{{bar}}zap",
            "foo{bar}{zap}", "{}", "{", "}", "{a", "a}", "", "popular_key", "café", "ключ"]
    keys += [f"popular_key:{i}" for i in range(1, 11)]
    keys += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 12)))
             for _ in range(300)]
    return keys


def test_slots_match_cluster_keyslot(cluster_client: RespClient) -> None:
    mismatches = [(k, key_hash_slot(k), cluster_client.call("CLUSTER", "KEYSLOT", k))
                  for k in _keys()]
    mismatches = [m for m in mismatches if m[1] != m[2]]
    assert mismatches == []
