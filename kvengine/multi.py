"""A client connection: MULTI/EXEC transactions, WATCH, and the per-connection commands.

Redis keeps per-connection state in its ``client`` struct; this module is that struct plus
Redis's ``multi.c`` and the connection commands of ``networking.c`` / ``server.c``. One
:class:`Client` per connection (the server makes one per socket; the in-page console one per
console) wraps the shared :class:`~kvengine.store.Store`::

    >>> from kvengine import Client, Store, VirtualClock
    >>> store = Store(clock=VirtualClock(0))
    >>> alice, bob = Client(store, client_id=1), Client(store, client_id=2)
    >>> alice.execute("WATCH", "balance"), alice.execute("MULTI")
    ('OK', 'OK')
    >>> alice.execute("INCRBY", "balance", "10")
    'QUEUED'
    >>> bob.execute("SET", "balance", "100")        # someone else writes the watched key
    'OK'
    >>> alice.execute("EXEC") is None                # so the transaction is aborted (nil)
    True

How it follows Redis (``processCommand`` then ``multi.c``):

- Before queuing, a command is looked up and its arity checked, as ``processCommand`` does.
  An unknown command or a wrong argument count is refused at once and flags the transaction
  (``CLIENT_DIRTY_EXEC``): EXEC then fails with ``EXECABORT``. Errors that only running the
  command can find (``WRONGTYPE``, a bad option) appear inside EXEC's reply.
- While in MULTI every command is queued (reply ``QUEUED``) except EXEC, DISCARD, MULTI,
  WATCH, QUIT and RESET, which run at once (so MULTI and WATCH give their errors).
- WATCH records each key's :meth:`Store.key_version`; the store gives a key a new version on
  every modification (``signalModifiedKey``): a write, delete, expiry, eviction, rename or
  flush, by any client, this one included. EXEC compares: any change sets the ``dirty`` CAS
  flag (``CLIENT_DIRTY_CAS``) and EXEC replies nil without running anything. A key that
  expires between WATCH and EXEC counts as changed (``isWatchedKeyExpired``); one already
  expired when watched counts as absent. EXEC, DISCARD and UNWATCH forget the watched keys.

EXEC's reply is a list with one reply per queued command. A command that failed has a
:class:`~kvengine.errors.ResponseError` *instance* in its place (not raised): the server
writes it as a RESP error inside the array (``-ERR ...``), and a console prints
``str(err)`` as ``(error) ERR ...``.

Connection commands answered here: ``CLIENT ID|GETNAME|SETNAME|HELP``, ``HELLO`` (RESP2 only:
``HELLO 3`` gets ``NOPROTO``), ``SELECT`` (database 0 only), ``QUIT``, ``RESET`` and
``COMMAND COUNT|LIST|DOCS|HELP``. Everything else goes to :meth:`Store.execute`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from . import errors
from .commanddocs import DOCS
from .commands.registry import COMMANDS, resolve
from .errors import ResponseError
from .store import Store
from .util import parse_int

REDIS_VERSION = "7.0.15"
EXECABORT = "EXECABORT Transaction discarded because of previous errors."
# Commands that run at once inside MULTI instead of being queued (processCommand).
NOT_QUEUED = frozenset({"exec", "discard", "multi", "watch", "quit", "reset"})


@dataclass(frozen=True)
class ClientCommand:
    """A command answered by :class:`Client` itself (Redis's arity convention)."""

    name: str
    arity: int
    handler: Callable[[Client, list[str]], Any] | None
    subcommands: dict[str, ClientCommand] | None = None


def _text(arg: Any) -> str:
    if type(arg) is str:
        return arg
    if isinstance(arg, bytes | bytearray):
        return bytes(arg).decode("utf-8", "surrogateescape")
    return str(arg)


class Client:
    """One connection's state: id, name, MULTI queue, WATCHed keys; see the module docstring.

    Public attributes: ``store``, ``id``, ``name`` (``""`` when unset), ``in_multi``,
    ``queue`` (the queued commands, each a list of strings), ``watched`` (key -> version),
    ``dirty_exec`` (a command was refused while queuing), ``closing`` (QUIT was sent: the
    server closes the connection after the reply). ``dirty`` is the CAS flag: True when a
    watched key changed since WATCH.
    """

    def __init__(self, store: Store, client_id: int = 1, name: str = "") -> None:
        self.store = store
        self.id = client_id
        self.name = name
        self.in_multi = False
        self.queue: list[list[str]] = []
        self.watched: dict[str, int] = {}
        self.dirty_exec = False
        self._dirty_cas = False
        self.closing = False

    # ------------------------------------------------------------------ dispatch
    def execute(self, *args: Any) -> Any:
        """Run (or queue) one command as redis-server 7.0 would for this connection.

        Replies as :meth:`Store.execute` does; EXEC's list may hold ResponseError instances.
        Raises :class:`ResponseError` for an error reply, nothing else.
        """
        if not args:
            raise ResponseError("ERR empty command")
        argv = [_text(a) for a in args]
        name = argv[0].lower()
        try:
            own = self._lookup(argv)
        except ResponseError:
            if self.in_multi:
                self.dirty_exec = True  # flagTransaction
            raise
        if self.in_multi and name not in NOT_QUEUED:
            if not (self.dirty_exec or self._dirty_cas):  # no point keeping a doomed queue
                self.queue.append(argv)
            return "QUEUED"
        return self._call(own, argv)

    def _lookup(self, argv: list[str]) -> ClientCommand | None:
        """The command (None for the store's), after processCommand's existence/arity checks."""
        if argv[0].lower() in CLIENT_COMMANDS:
            return resolve(argv, CLIENT_COMMANDS)
        resolve(argv)
        return None

    def _call(self, own: ClientCommand | None, argv: list[str]) -> Any:
        if own is None:
            return self.store.execute(*argv)
        assert own.handler is not None
        return own.handler(self, argv)

    # --------------------------------------------------------------- multi.c
    @property
    def dirty(self) -> bool:
        """CLIENT_DIRTY_CAS: a watched key was modified (or expired) since WATCH."""
        if not self._dirty_cas:
            version = self.store.key_version
            self._dirty_cas = any(version(k) != v for k, v in self.watched.items())
        return self._dirty_cas

    def multi(self) -> str:
        if self.in_multi:
            raise ResponseError("ERR MULTI calls can not be nested")
        self.in_multi = True
        return "OK"

    def discard(self) -> str:
        if not self.in_multi:
            raise ResponseError("ERR DISCARD without MULTI")
        self._discard_transaction()
        return "OK"

    def _discard_transaction(self) -> None:
        self.in_multi = False
        self.queue = []
        self.dirty_exec = False
        self.unwatch()

    def exec(self) -> list[Any] | None:
        """EXEC: the replies of the queued commands (errors as ResponseError objects), or
        None when a watched key changed; raises EXECABORT after a refused command."""
        if not self.in_multi:
            raise ResponseError("ERR EXEC without MULTI")
        if self.dirty_exec:
            self._discard_transaction()
            raise ResponseError(EXECABORT)
        if self.dirty:
            self._discard_transaction()
            return None
        queue = self.queue
        self.unwatch()  # unwatch first: the transaction's own writes must not matter
        self.in_multi = False
        self.queue = []
        replies: list[Any] = []
        for argv in queue:
            try:
                replies.append(self._call(self._lookup(argv), argv))
            except ResponseError as err:
                replies.append(err)
        self._discard_transaction()
        return replies

    def watch(self, keys: Iterable[str]) -> str:
        if self.in_multi:
            raise ResponseError("ERR WATCH inside MULTI is not allowed")
        if self.dirty:  # no point in watching if the client is already dirty
            return "OK"
        for key in keys:
            if key not in self.watched:
                self.store.watch_key(key)  # exact versions from now on
                self.watched[key] = self.store.key_version(key)
        return "OK"

    def unwatch(self) -> str:
        for key in self.watched:
            self.store.unwatch_key(key)
        self.watched = {}
        self._dirty_cas = False
        return "OK"

    # ----------------------------------------------------- connection commands
    def set_name(self, name: str) -> None:
        """``clientSetNameOrReply``: printable ASCII without spaces; "" clears the name."""
        if any(not 33 <= ord(ch) <= 126 for ch in name):
            raise ResponseError(
                "ERR Client names cannot contain spaces, newlines or special characters."
            )
        self.name = name

    def hello(self, argv: list[str]) -> list[Any]:
        if len(argv) >= 2:
            version = parse_int(argv[1])
            if version is None:
                raise ResponseError("ERR Protocol version is not an integer or out of range")
            # Redis 7.0 also speaks RESP3 (version 3); kvengine's server speaks RESP2 only.
            if version != 2:
                raise ResponseError("NOPROTO unsupported protocol version")
        j = 2
        while j < len(argv):
            more = len(argv) - 1 - j
            opt = argv[j]
            if opt.lower() == "auth" and more >= 2:
                if argv[j + 1] != "default":  # no users and no passwords: only "default"
                    raise ResponseError(
                        "WRONGPASS invalid username-password pair or user is disabled."
                    )
                j += 3
            elif opt.lower() == "setname" and more >= 1:
                self.set_name(argv[j + 1])
                j += 2
            else:
                raise ResponseError(f"ERR Syntax error in HELLO option '{opt}'")
        return [
            "server",
            "redis",
            "version",
            REDIS_VERSION,
            "proto",
            2,
            "id",
            self.id,
            "mode",
            "standalone",
            "role",
            "master",
            "modules",
            [],
        ]

    def select(self, index: str) -> str:
        n = parse_int(index)
        if n is None or not -(1 << 31) <= n < (1 << 31):
            raise ResponseError(errors.NOT_INTEGER)
        if n != 0:  # one database, as a server started with `databases 1`
            raise ResponseError("ERR DB index is out of range")
        return "OK"

    def reset(self) -> str:
        """RESET: leave MULTI, forget WATCHed keys and the name; db 0 and RESP2 stay."""
        if self.in_multi:
            self._discard_transaction()
        self.unwatch()
        self.name = ""
        return "RESET"

    # ----------------------------------------------------------- COMMAND
    def command_names(self) -> list[str]:
        """Every top-level command this connection can run, lower case, sorted."""
        return sorted(set(CLIENT_COMMANDS) | set(COMMANDS))

    def command_docs(self, names: list[str]) -> list[Any]:
        """COMMAND DOCS as a RESP2 flat map: name, [summary, .., since, .., group, ..]."""
        wanted = [n.lower() for n in names] if names else self.command_names()
        known = set(self.command_names())
        reply: list[Any] = []
        for name in wanted:
            if name not in known or name not in DOCS:
                continue
            reply += [name, self._doc_fields(name)]
        return reply

    def _doc_fields(self, name: str) -> list[Any]:
        summary, since, group, _syntax = DOCS[name]
        fields: list[Any] = ["summary", summary, "since", since, "group", group]
        table = CLIENT_COMMANDS if name in CLIENT_COMMANDS else COMMANDS
        subs = table[name].subcommands
        if subs:
            nested: list[Any] = []
            for sub in sorted(s.name for s in subs.values()):
                if sub in DOCS:
                    nested += [sub, self._doc_fields_leaf(sub)]
            fields += ["subcommands", nested]
        return fields

    @staticmethod
    def _doc_fields_leaf(name: str) -> list[Any]:
        summary, since, group, _syntax = DOCS[name]
        return ["summary", summary, "since", since, "group", group]


# ------------------------------------------------------------ the table
CLIENT_HELP = [
    "CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "GETNAME",
    "    Return the name of the current connection.",
    "ID",
    "    Return the ID of the current connection.",
    "SETNAME <name>",
    "    Assign the name <name> to the current connection.",
    "HELP",
    "    Prints this help.",  # addReplyHelp's footer
]
COMMAND_HELP = [
    "COMMAND <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
    "COUNT",
    "    Return the total number of commands in this Redis server.",
    "LIST",
    "    Return a list of all commands in this Redis server.",
    "DOCS [<command-name> ...]",
    "    Return documentation details about multiple Redis commands.",
    "    If no command names are given, documentation details for all",
    "    commands are returned.",
    "HELP",
    "    Prints this help.",  # addReplyHelp's footer
]


def _command_list(client: Client, argv: list[str]) -> list[str]:
    if len(argv) > 2:  # FILTERBY is not offered
        raise ResponseError(errors.SYNTAX_ERROR)
    return client.command_names()


def _bare_command(client: Client, argv: list[str]) -> Any:
    raise ResponseError(
        "ERR kvengine does not describe commands with COMMAND or COMMAND INFO; "
        "use COMMAND COUNT, COMMAND LIST or COMMAND DOCS"
    )


CLIENT_COMMANDS: dict[str, ClientCommand] = {
    "multi": ClientCommand("multi", 1, lambda c, a: c.multi()),
    "exec": ClientCommand("exec", 1, lambda c, a: c.exec()),
    "discard": ClientCommand("discard", 1, lambda c, a: c.discard()),
    "watch": ClientCommand("watch", -2, lambda c, a: c.watch(a[1:])),
    "unwatch": ClientCommand("unwatch", 1, lambda c, a: c.unwatch()),
    "client": ClientCommand(
        "client",
        -2,
        None,
        {
            "id": ClientCommand("client|id", 2, lambda c, a: c.id),
            "getname": ClientCommand("client|getname", 2, lambda c, a: c.name or None),
            "setname": ClientCommand("client|setname", 3, lambda c, a: (c.set_name(a[2]), "OK")[1]),
            "help": ClientCommand("client|help", 2, lambda c, a: list(CLIENT_HELP)),
        },
    ),
    "hello": ClientCommand("hello", -1, lambda c, a: c.hello(a)),
    "select": ClientCommand("select", 2, lambda c, a: c.select(a[1])),
    "quit": ClientCommand("quit", -1, lambda c, a: (setattr(c, "closing", True), "OK")[1]),
    "reset": ClientCommand("reset", 1, lambda c, a: c.reset()),
    "command": ClientCommand(
        "command",
        -1,
        _bare_command,
        {
            "count": ClientCommand("command|count", 2, lambda c, a: len(c.command_names())),
            "list": ClientCommand("command|list", -2, _command_list),
            "docs": ClientCommand("command|docs", -2, lambda c, a: c.command_docs(a[2:])),
            "help": ClientCommand("command|help", 2, lambda c, a: list(COMMAND_HELP)),
        },
    ),
}
