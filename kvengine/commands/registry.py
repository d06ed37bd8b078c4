"""The command table and ``processCommand``: how ``Store.execute`` runs a command by name.

A command is a function ``handler(store, argv) -> reply`` registered under its lower-case name
with its Redis arity (positive: exact argument count including the name; negative: at least
that many) and flags (``denyoom``: a write that may use more memory, refused with the OOM
error when memory cannot be freed; ``write``: it may change the keyspace). A *container*
(``CONFIG``, ``OBJECT``, ``MEMORY``) holds subcommands registered the same way.

:func:`dispatch` follows ``processCommand``: unknown command, then unknown subcommand, then
arity, then ``Store.before_command`` (count it, evict for ``maxmemory``, OOM for ``denyoom``),
then the handler. Every argument is text by then: ``str`` as given (refused up front if it
cannot become UTF-8), bytes decoded, numbers in decimal. Replies use RESP2 shapes: status and
bulk strings as ``str``, integers as ``int``, nil as ``None``, arrays as ``list``. No exception
other than :class:`ResponseError` leaves :func:`dispatch`: anything unexpected is reported as
``ERR internal error ...`` and the store stays usable.

The registry knows nothing of the store's class (the store imports this module to run
commands; the command families import the store).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .. import errors
from ..errors import ResponseError
from ..util import to_str

Handler = Callable[[Any, list[str]], Any]


@dataclass(frozen=True)
class Command:
    name: str  # as Redis spells it in errors: "get", "config|set"
    handler: Handler
    arity: int
    flags: frozenset[str] = frozenset()
    subcommands: dict[str, Command] | None = field(default=None, compare=False)

    @property
    def denyoom(self) -> bool:
        return "denyoom" in self.flags


COMMANDS: dict[str, Command] = {}


def command(name: str, arity: int, flags: str = "") -> Callable[[Handler], Handler]:
    """Register ``handler`` as the command ``name`` (``flags``: space-separated words)."""

    def register(fn: Handler) -> Handler:
        if name in COMMANDS:
            raise ValueError(f"command {name!r} is registered twice")
        COMMANDS[name] = Command(name, fn, arity, frozenset(flags.split()))
        return fn

    return register


def container(name: str, help_lines: list[str]) -> None:
    """Register a command made of subcommands, with its ``HELP`` subcommand."""
    subs: dict[str, Command] = {}
    COMMANDS[name] = Command(name, lambda store, argv: None, -2, subcommands=subs)
    subs["help"] = Command(f"{name}|help", lambda store, argv: list(help_lines), 2)


def subcommand(parent: str, name: str, arity: int, flags: str = "") -> Callable[[Handler], Handler]:
    """Register ``handler`` as ``parent name`` (the parent made by :func:`container`)."""

    def register(fn: Handler) -> Handler:
        subs = COMMANDS[parent].subcommands
        assert subs is not None, f"{parent} is not a container"
        subs[name] = Command(f"{parent}|{name}", fn, arity, frozenset(flags.split()))
        return fn

    return register


def _unknown_command(argv: list[str]) -> ResponseError:
    described = ""
    for a in argv[1:]:
        if len(described) >= 128:
            break
        described += "'" + a[: 128 - len(described)] + "' "
    return ResponseError(
        errors.sanitize(
            f"ERR unknown command '{argv[0][:128]}', with args beginning with: {described}"
        )
    )


def resolve(argv: list[str], table: dict[str, Any] = COMMANDS) -> Any:
    """The command (or subcommand) ``argv`` names in ``table``, with its arity checked.

    ``table`` maps names to objects with ``name``, ``arity`` and ``subcommands`` (the
    transaction layer passes its own connection commands)."""
    cmd = table.get(argv[0].lower())
    if cmd is None:
        raise _unknown_command(argv)
    if cmd.subcommands is not None and len(argv) >= 2:
        sub = cmd.subcommands.get(argv[1].lower())
        if sub is None:
            raise ResponseError(
                errors.sanitize(
                    f"ERR unknown subcommand '{argv[1][:128]}'. Try {argv[0].upper()} HELP."
                )
            )
        cmd = sub
    n = len(argv)
    if (cmd.arity > 0 and n != cmd.arity) or n < -cmd.arity:
        raise ResponseError(errors.wrong_arity(cmd.name))
    return cmd


def dispatch(store: Any, args: tuple) -> Any:
    """Run one command on ``store``; see the module docstring."""
    try:
        if not args:
            raise ResponseError("ERR empty command")
        argv = [a if type(a) is str and a.isascii() else to_str(a) for a in args]
        cmd = resolve(argv)
        store.before_command(cmd.denyoom)
        return cmd.handler(store, argv)
    except ResponseError:
        raise
    except RecursionError:
        raise ResponseError("ERR internal error: input too deeply nested") from None
    except Exception as exc:  # never let a Python error reach a student
        raise ResponseError(f"ERR internal error ({type(exc).__name__})") from None
