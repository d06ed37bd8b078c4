"""A ``python -m kvengine`` subprocess on a free loopback port, always stopped.

``--port 0`` lets the server pick a free port; the test reads it from the start banner
("Listening on 127.0.0.1:PORT"), so no port can be taken between choosing and binding.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT = 20.0


class KvServer:
    def __init__(self, *extra: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kvengine", "--port", "0", *extra],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.banner: list[str] = []
        deadline = time.monotonic() + START_TIMEOUT
        assert self.proc.stdout is not None
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                break
            self.banner.append(line.rstrip("\n"))
            match = re.search(r"Listening on 127\.0\.0\.1:(\d+)", line)
            if match:
                self.port = int(match.group(1))
                for _ in range(2):  # the rest of the banner
                    self.banner.append(self.proc.stdout.readline().rstrip("\n"))
                return
        self.stop()
        raise RuntimeError(f"kvengine did not start: {self.banner}")

    def stop(self) -> str:
        """Stop the server (SIGTERM, then SIGKILL); return what it logged on stderr."""
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.stderr.read() if self.proc.stderr else ""


@pytest.fixture
def kv_server_factory() -> Iterator[Callable[..., KvServer]]:
    servers: list[KvServer] = []

    def start(*extra: str) -> KvServer:
        server = KvServer(*extra)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def kv_server(kv_server_factory: Callable[..., KvServer]) -> KvServer:
    return kv_server_factory()
