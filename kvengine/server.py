"""``python -m kvengine``: the engine as a RESP2 server that redis-cli and redis-py can use.

One asyncio event loop plays the part of Redis's ``ae`` loop: it reads from every connection,
parses requests with :class:`~kvengine.resp.RequestParser`, runs each through that
connection's :class:`~kvengine.multi.Client` (its own MULTI queue and WATCHed keys) against
one shared :class:`~kvengine.store.Store` on the system clock, and writes the replies. Like
Redis, it runs one command at a time (no locks are needed: commands never interleave), and
``serverCron`` runs ``hz`` times a second (:meth:`Store.tick`: active expiry, rehashing).

Malformed input gets Redis's ``Protocol error`` reply and that connection is closed; the
others are not affected. An unexpected Python exception in a command is logged and answered
``ERR internal error (...)``: the server keeps serving.

It is a teaching engine, not Redis: no persistence, no replication, no cluster, no pub/sub,
no scripting, RESP2 only, one database (see docs/engine.md).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import signal
from typing import Any

from .errors import ResponseError
from .multi import NOT_QUEUED, Client
from .resp import PROTO_MAX_BULK_LEN, ProtocolError, RequestParser, encode_reply
from .store import Store

log = logging.getLogger("kvengine.server")
READ_SIZE = 64 * 1024


class Server:
    """Serve ``store`` over RESP2 on ``host:port`` (port 0: any free port)."""

    def __init__(
        self,
        store: Store,
        host: str = "127.0.0.1",
        port: int = 6379,
        max_bulk_len: int = PROTO_MAX_BULK_LEN,
    ) -> None:
        self.store = store
        self.host = host
        self.port = port
        self.max_bulk_len = max_bulk_len
        self.clients: dict[int, Client] = {}
        self._ids = itertools.count(1)
        self._server: asyncio.Server | None = None

    # ------------------------------------------------------------- commands
    def run_command(self, client: Client, argv: list[str]) -> bytes:
        """One command's reply bytes (errors included): nothing raised."""
        name = argv[0].lower()
        queuing = client.in_multi and name not in NOT_QUEUED
        queued = list(client.queue) if name == "exec" else None
        try:
            reply: Any = client.execute(*argv)
        except ResponseError as err:
            return encode_reply(err)
        except Exception:  # a bug in the engine must not take the server down
            log.exception("command %r failed", argv[:1])
            return b"-ERR internal error (see the server log)\r\n"
        if queuing and reply == "QUEUED":
            return b"+QUEUED\r\n"
        try:
            return encode_reply(reply, argv, queued)
        except Exception:
            log.exception("reply to %r could not be encoded", argv[:1])
            return b"-ERR internal error (see the server log)\r\n"

    # ---------------------------------------------------------- connections
    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        client = Client(self.store, client_id=next(self._ids))
        self.clients[client.id] = client
        parser = RequestParser(self.max_bulk_len)
        peer = writer.get_extra_info("peername")
        try:
            while not client.closing:
                data = await reader.read(READ_SIZE)
                if not data:
                    break
                parser.feed(data)
                out: list[bytes] = []
                try:
                    while not client.closing:
                        request = parser.next_request()
                        if request is None:
                            break
                        argv = [a.decode("utf-8", "surrogateescape") for a in request]
                        out.append(self.run_command(client, argv))
                except ProtocolError as err:
                    log.info("protocol error from %s (client %d): %s", peer, client.id, err)
                    out.append(encode_reply(ResponseError(str(err))))
                    client.closing = True
                writer.write(b"".join(out))
                await writer.drain()
        except (ConnectionError, OSError):
            pass  # the peer went away
        except Exception:
            log.exception("connection %d failed", client.id)
        finally:
            self.clients.pop(client.id, None)
            writer.close()
            try:
                await writer.wait_closed()
            except (ConnectionError, OSError):
                pass

    async def cron(self) -> None:
        """``serverCron``: ``store.hz`` times a second, active expiry and rehashing."""
        while True:
            await asyncio.sleep(1 / self.store.hz)
            try:
                self.store.tick()
            except Exception:
                log.exception("cron tick failed")

    async def start(self) -> None:
        self._server = await asyncio.start_server(self.handle, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def serve_forever(self) -> None:
        if self._server is None:
            await self.start()
        assert self._server is not None
        cron = asyncio.create_task(self.cron())
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, stop.set)
            except (NotImplementedError, RuntimeError):
                pass  # not on this platform: Ctrl-C still raises KeyboardInterrupt
        async with self._server:
            await stop.wait()
        cron.cancel()


def banner(server: Server) -> str:
    """What the server says on start: what it is, where it listens, what it is not."""
    from . import __version__

    store = server.store
    lines = [
        f"kvengine {__version__}: a teaching key-value engine in pure Python that speaks "
        "Redis 7.0's protocol (RESP2).",
        f"Listening on {server.host}:{server.port}  (try: redis-cli -p {server.port}; "
        f"redis-py: redis.Redis(port={server.port}, protocol=2))",
        f"maxmemory {store.maxmemory} bytes, maxmemory-policy {store.policy}, "
        f"proto-max-bulk-len {server.max_bulk_len}",
        "Not Redis: no persistence (data lives only while this process runs), no replication, "
        "no cluster, RESP2 only, one database. Ctrl-C stops it.",
    ]
    if server.host not in ("127.0.0.1", "::1", "localhost"):
        lines.append(
            f"WARNING: bound to {server.host}, not loopback: anyone who can reach this "
            "address can read and change the data (there is no password)."
        )
    return "\n".join(lines)
