"""A throwaway redis-server for the differential tests, and a minimal RESP2 client.

The differential tests compare kvengine's ``execute()`` replies with a real redis-server 7.0.
redis-py reshapes many replies (``SET`` -> ``True``, ``CONFIG GET`` -> dict, ``INFO`` -> dict,
``SCAN`` -> tuple), so this module speaks raw RESP2 over a socket instead and maps the wire types
onto exactly the shapes kvengine's contract uses:

    simple string -> str      bulk string -> str (UTF-8)     nil bulk / nil array -> None
    integer       -> int      array       -> list            error -> RedisError(text)

The server runs on a free 127.0.0.1 port in a temporary directory with persistence switched off
(``--save '' --appendonly no``), and is stopped with SHUTDOWN NOSAVE (then SIGTERM/SIGKILL).
``cluster=True`` starts it cluster-enabled (no slots assigned, enough for CLUSTER KEYSLOT) on a
port whose cluster bus port, port + 10000, is free too.

Usage::

    path = require_redis_server()        # $REDIS_SERVER or PATH; else skip (fail in CI)
    with RedisServer(path) as server:
        client = server.client()
        client.call("SET", "k", "v")      # -> "OK"
        client.call("GET", "k")           # -> "v"
        client.call("INCR", "k")          # raises RedisError("ERR value is not an integer ...")
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from tests.external_tools import missing_tool

CLUSTER_BUS_OFFSET = 10000  # a cluster node also listens on port + 10000 (its cluster bus)

Reply = str | int | None | list


class RedisError(Exception):
    """An error reply from redis-server; ``str()`` is its text, e.g. ``ERR syntax error``."""


def find_redis_server() -> str | None:
    """The redis-server binary: ``$REDIS_SERVER`` if set, else ``redis-server`` on PATH."""
    env = os.environ.get("REDIS_SERVER")
    if env:
        return env if os.access(env, os.X_OK) else None
    return shutil.which("redis-server")


def require_redis_server() -> str:
    """The redis-server binary, or skip the calling test or fixture (fail it in CI) if missing."""
    path = find_redis_server()
    if path is None:
        env = os.environ.get("REDIS_SERVER")
        where = f"REDIS_SERVER={env} is not executable" if env else "no redis-server on PATH"
        missing_tool(f"redis-server not found ({where}); run `make system-deps`")
    return path


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_cluster_port(attempts: int = 50) -> int:
    """A free port whose cluster bus port (port + 10000) is free too and below 65536."""
    for _ in range(attempts):
        port = free_port()
        if port + CLUSTER_BUS_OFFSET > 65535:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bus:
            try:
                bus.bind(("127.0.0.1", port + CLUSTER_BUS_OFFSET))
            except OSError:
                continue
        return port
    raise RuntimeError("no free port pair for a cluster-enabled redis-server")


def _encode(args: tuple[object, ...]) -> bytes:
    parts = [b"*%d\r\n" % len(args)]
    for arg in args:
        data = arg if isinstance(arg, bytes) else str(arg).encode("utf-8")
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class RespClient:
    """A blocking RESP2 connection; ``call(*args)`` sends one command and returns its reply."""

    def __init__(self, port: int, timeout: float = 10.0) -> None:
        self._sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self._file = self._sock.makefile("rb")

    def close(self) -> None:
        self._file.close()
        self._sock.close()

    def call(self, *args: object) -> Reply:
        """Send one command; return the decoded reply or raise RedisError for an error reply."""
        self._sock.sendall(_encode(args))
        reply = self._read()
        if isinstance(reply, RedisError):
            raise reply
        return reply

    def _line(self) -> bytes:
        line = self._file.readline()
        if not line.endswith(b"\r\n"):
            raise ConnectionError("redis-server closed the connection")
        return line[:-2]

    def _read(self) -> Reply | RedisError:
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest.decode("utf-8")
        if kind == b"-":
            return RedisError(rest.decode("utf-8"))
        if kind == b":":
            return int(rest)
        if kind == b"$":
            length = int(rest)
            if length < 0:
                return None
            data = self._file.read(length + 2)[:-2]
            return data.decode("utf-8", errors="surrogateescape")
        if kind == b"*":
            count = int(rest)
            if count < 0:
                return None
            items = [self._read() for _ in range(count)]
            # An error nested in an array (not used by the commands under test) stays an object.
            return items
        raise ConnectionError(f"unexpected RESP line {line!r}")


class RedisServer:
    """A redis-server process on a free loopback port, in a temporary directory.

    ``cluster=True``: cluster-enabled (nodes.conf in the temporary directory), on a port from
    ``free_cluster_port``. A port taken between the check and redis-server's bind costs a retry.
    """

    def __init__(self, executable: str, *, cluster: bool = False) -> None:
        self.executable = executable
        self.cluster = cluster
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._tmp: tempfile.TemporaryDirectory[str] | None = None

    def start(self, attempts: int = 3) -> None:
        last_error = ""
        for _ in range(attempts):
            self._tmp = tempfile.TemporaryDirectory(prefix="kv-redis-")
            self.port = free_cluster_port() if self.cluster else free_port()
            log = Path(self._tmp.name) / "redis.log"
            nodes = Path(self._tmp.name) / "nodes.conf"
            cluster_args = ["--cluster-enabled", "yes", "--cluster-config-file", str(nodes)]
            self._proc = subprocess.Popen(
                [
                    self.executable,
                    "--port",
                    str(self.port),
                    "--bind",
                    "127.0.0.1",
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--dir",
                    self._tmp.name,
                    "--logfile",
                    str(log),
                    "--daemonize",
                    "no",
                    *(cluster_args if self.cluster else []),
                ],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._wait_ready(timeout=10.0):
                return
            last_error = log.read_text(errors="replace")[-2000:] if log.exists() else "no log"
            self.stop()
        raise RuntimeError(f"redis-server did not start: {last_error}")

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                return False
            try:
                client = RespClient(self.port, timeout=1.0)
            except OSError:
                time.sleep(0.05)
                continue
            try:
                return client.call("PING") == "PONG"
            except (OSError, RedisError):
                time.sleep(0.05)
            finally:
                client.close()
        return False

    def client(self) -> RespClient:
        return RespClient(self.port)

    def version(self) -> str:
        client = self.client()
        try:
            info = client.call("INFO", "server")
        finally:
            client.close()
        for line in str(info).splitlines():
            if line.startswith("redis_version:"):
                return line.split(":", 1)[1].strip()
        return "unknown"

    def stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None and proc.poll() is None:
            try:
                client = RespClient(self.port, timeout=1.0)
                try:
                    client.call("SHUTDOWN", "NOSAVE")
                except (OSError, ConnectionError, RedisError):
                    pass  # the server closes the connection as it exits
                finally:
                    client.close()
            except OSError:
                pass
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def __enter__(self) -> RedisServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
