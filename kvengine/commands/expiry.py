"""Expiry commands (expire.c): EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX/XX/GT/LT, TTL,
PTTL, EXPIRETIME, PEXPIRETIME, PERSIST. The time rules are in :mod:`kvengine.ttl`.
"""

from __future__ import annotations

from .. import errors
from ..errors import ResponseError
from ..store import Store
from .registry import Handler, command


def _expire_command(name: str) -> Handler:
    def handler(store: Store, argv: list[str]) -> int:
        flags = {"nx": False, "xx": False, "gt": False, "lt": False}
        for opt in argv[3:]:
            low = opt.lower()
            if low not in flags:
                raise ResponseError(errors.sanitize(f"ERR Unsupported option {opt}"))
            flags[low] = True
        return getattr(store, name)(argv[1], argv[2], **flags)

    return handler


for _name in ("expire", "pexpire", "expireat", "pexpireat"):
    command(_name, -3, "write")(_expire_command(_name))


@command("ttl", 2)
def cmd_ttl(store: Store, argv: list[str]) -> int:
    return store.ttl(argv[1])


@command("pttl", 2)
def cmd_pttl(store: Store, argv: list[str]) -> int:
    return store.pttl(argv[1])


@command("expiretime", 2)
def cmd_expiretime(store: Store, argv: list[str]) -> int:
    return store.expiretime(argv[1])


@command("pexpiretime", 2)
def cmd_pexpiretime(store: Store, argv: list[str]) -> int:
    return store.pexpiretime(argv[1])


@command("persist", 2, "write")
def cmd_persist(store: Store, argv: list[str]) -> int:
    return store.persist(argv[1])
