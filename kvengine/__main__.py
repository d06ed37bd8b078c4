"""``python -m kvengine [--port 6379] [--bind 127.0.0.1] [--maxmemory N] [--maxmemory-policy P]``

Starts :class:`kvengine.server.Server` on the system clock; see that module.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys

from .evict import POLICIES
from .memory import parse_memory
from .resp import PROTO_MAX_BULK_LEN
from .server import Server, banner
from .store import Store


def _memory(text: str) -> int:
    value = parse_memory(text)
    if value is None:
        raise argparse.ArgumentTypeError(f"not a memory size: {text!r} (e.g. 100mb, 1gb)")
    return value


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m kvengine",
        description="Serve kvengine over RESP2 so redis-cli and redis-py can use it "
        "(a teaching engine: no persistence, no replication, no cluster).",
    )
    parser.add_argument("--port", type=int, default=6379, help="TCP port (0: any free port)")
    parser.add_argument("--bind", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--maxmemory", type=_memory, default=0, help="e.g. 100mb; 0: no limit")
    parser.add_argument("--maxmemory-policy", choices=POLICIES, default="noeviction")
    parser.add_argument(
        "--proto-max-bulk-len",
        type=_memory,
        default=PROTO_MAX_BULK_LEN,
        help="largest argument accepted (default 512mb, as Redis)",
    )
    return parser.parse_args(argv)


async def _main(args: argparse.Namespace) -> None:
    store = Store(policy=args.maxmemory_policy, maxmemory=args.maxmemory)
    server = Server(store, args.bind, args.port, args.proto_max_bulk_len)
    await server.start()
    print(banner(server), flush=True)
    await server.serve_forever()


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        asyncio.run(_main(args))
    except OSError as err:  # the port is taken, the address is not ours...
        print(f"kvengine: cannot listen on {args.bind}:{args.port}: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        pass
    print("kvengine: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
