"""What ``redis-cli`` does with a line you type and with the reply it gets (Redis's redis-cli.c).

The in-page console (``sims/redis-console``) answers exactly as ``redis-cli`` 7.0 prints in a
terminal, so a student sees the same text here as on a real server. Three pieces of redis-cli:

* **Splitting the line** (``cliSplitArgs``, which is ``sdssplitargs``): words separated by
  spaces; ``"double quotes"`` with escapes (``\\n``, ``\\t``, ``\\"``, ``\\xHH`` for any byte);
  ``'single quotes'`` taken literally except ``\\'``. A quote that is never closed, or a closing
  quote followed by something other than a space, makes the whole line invalid: redis-cli prints
  ``Invalid argument(s)`` and sends nothing. A first word that is a number repeats the command
  (``3 INCR hits`` runs INCR three times), as redis-cli's ``repeat`` option does.
* **Printing the reply** (``cliFormatReplyTTY``): a status reply as it is (``OK``, ``PONG``,
  ``string`` from TYPE); a bulk string quoted by ``sdscatrepr`` (``"alice"``: a byte that is
  not printable ASCII appears as ``\\xHH``, so ``é`` is ``"\\xc3\\xa9"``); ``(integer) 1``;
  ``(nil)``; ``(error) ERR ...``; an array as numbered lines ``1) "a"``, an empty one as
  ``(empty array)``. A nested array (SCAN's reply, EXEC's replies) is indented under its
  number by the width of the numbers plus two, as redis-cli does.
* **Help** (``cliOutputHelp``): ``HELP SET`` prints the command's syntax, summary, the version
  it appeared in and its group, from the same documentation redis-cli asks the server for
  (``COMMAND DOCS``, here :mod:`kvengine.commanddocs`); ``HELP @list`` lists a group.

The engine's replies do not say whether a ``str`` is a status or a bulk string; Redis's
choice depends on the command (:func:`kvengine.resp.is_status_reply`). EXEC's reply holds one
reply per queued command, so each element is judged by its own command.

    >>> from kvengine import Client, Store, VirtualClock
    >>> client = Client(Store(clock=VirtualClock(0)))
    >>> print(run_line(client, 'RPUSH fruit apple "passion fruit"').text)
    (integer) 2
    >>> print(run_line(client, "LRANGE fruit 0 -1").text)
    1) "apple"
    2) "passion fruit"
    >>> print(run_line(client, "GET 'unbalanced").text)
    Invalid argument(s)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .commanddocs import DOCS
from .errors import ResponseError
from .multi import NOT_QUEUED, Client
from .resp import _bytes, format_double, is_status_reply, split_args

__all__ = [
    "INVALID_ARGUMENTS",
    "INVALID_REPEAT",
    "MAX_REPEAT",
    "Output",
    "command_help",
    "format_reply",
    "help_groups",
    "repr_bulk",
    "run_line",
    "split_line",
]

INVALID_ARGUMENTS = "Invalid argument(s)"
INVALID_REPEAT = "Invalid redis-cli repeat command option value."
# redis-cli repeats as often as asked; a page must stay responsive, so this console stops here.
MAX_REPEAT = 1000
# Commands whose reply redis-cli prints raw (unquoted, as the server wrote it): cliSendCommand.
_RAW_OUTPUT = {("info",), ("client", "list"), ("client", "info"), ("memory", "doctor")}
_REPEAT = re.compile(r"[ \t\n\v\f\r]*([+-]?[0-9]+)?")
_LONG_MAX = (1 << 63) - 1


@dataclass(frozen=True)
class Output:
    """What the console prints for one line: ``text`` (no final newline) and its ``kind``.

    Kinds: ``reply`` (a reply that is not an error), ``error`` (an error reply, or a line
    redis-cli refuses), ``help``, ``clear`` (the CLEAR command: empty the screen), ``local``
    (a message of the console itself, not of Redis).
    """

    text: str
    kind: str


# ------------------------------------------------------------------ the line
def split_line(line: str) -> list[str] | None:
    """``cliSplitArgs``: the words of ``line``, or None when its quotes are unbalanced.

    ``\\xHH`` escapes may produce bytes that are not UTF-8; they are kept as lone surrogates
    (``surrogateescape``), the engine's way of holding arbitrary bytes in a ``str``.
    """
    words = split_args(_bytes(line))
    if words is None:
        return None
    return [word.decode("utf-8", "surrogateescape") for word in words]


def _repeat_count(argv: Sequence[str]) -> tuple[int, bool] | None:
    """redis-cli's ``repeat`` prefix: (count, whether the first word was the count), or None
    when the first word is a number redis-cli refuses (0, negative, too large)."""
    if len(argv) < 2:
        return 1, False
    match = _REPEAT.fullmatch(argv[0])  # strtol() must consume the whole first word
    if match is None or (match.group(1) is None and argv[0] != ""):
        return 1, False  # not a number: an ordinary command
    value = int(match.group(1) or 0)  # strtol("") is 0 with nothing left over
    if value <= 0 or value > _LONG_MAX:
        return None
    return value, True


# ------------------------------------------------------------------ the reply
def repr_bulk(data: bytes) -> str:
    """``sdscatrepr``: a bulk string as redis-cli prints it, in double quotes."""
    out = ['"']
    for byte in data:
        char = chr(byte)
        if char in '\\"':
            out.append("\\" + char)
        elif char in _CONTROL_ESCAPES:
            out.append(_CONTROL_ESCAPES[char])
        elif 0x20 <= byte <= 0x7E:  # isprint() in the C locale
            out.append(char)
        else:
            out.append(f"\\x{byte:02x}")
    out.append('"')
    return "".join(out)


_CONTROL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\a": "\\a", "\b": "\\b"}


def _typed(reply: Any, argv: Sequence[str], top: bool) -> tuple[str, Any]:
    """The engine's reply as RESP types: (status|bulk|integer|nil|error|array, value)."""
    if reply is None:
        return ("nil", None)
    if isinstance(reply, ResponseError):
        return ("error", str(reply))
    if isinstance(reply, bool):
        return ("integer", int(reply))
    if isinstance(reply, int):
        return ("integer", reply)
    if isinstance(reply, float):
        return ("bulk", format_double(reply).encode())
    if isinstance(reply, str):
        if top and is_status_reply(argv, reply):
            return ("status", reply)
        return ("bulk", _bytes(reply))
    if isinstance(reply, bytes | bytearray):
        return ("bulk", bytes(reply))
    if isinstance(reply, dict):
        reply = [x for pair in reply.items() for x in pair]
    if isinstance(reply, list | tuple):
        return ("array", [_typed(item, argv, top=False) for item in reply])
    raise TypeError(f"no RESP2 type for {type(reply).__name__}")


def _format_tty(node: tuple[str, Any], prefix: str) -> str:
    """``cliFormatReplyTTY`` for one typed reply; every line ends with a newline."""
    kind, value = node
    if kind == "error":
        return f"(error) {value}\n"
    if kind == "status":
        return f"{value}\n"
    if kind == "integer":
        return f"(integer) {value}\n"
    if kind == "bulk":
        return repr_bulk(value) + "\n"
    if kind == "nil":
        return "(nil)\n"
    if not value:
        return "(empty array)\n"
    width = len(str(len(value)))  # the digits of the largest index
    inner = prefix + " " * (width + 2)  # nested arrays start under the element, not its number
    out = []
    for index, item in enumerate(value):
        # The first element follows its parent's number on the same line: no prefix.
        out.append(f"{'' if index == 0 else prefix}{index + 1:>{width}}) ")
        out.append(_format_tty(item, inner))
    return "".join(out)


def format_reply(
    reply: Any, argv: Sequence[str], queued: Sequence[Sequence[str]] | None = None
) -> str:
    """The reply to ``argv`` as redis-cli prints it (without the final newline).

    ``reply`` is what :meth:`Client.execute` returned, or the :class:`ResponseError` it
    raised. For EXEC, ``queued`` lists the queued commands so that each element of the reply
    is typed by its own command (``OK`` from a queued SET is a status).

        >>> print(format_reply(["0", ["k1", "k2"]], ["SCAN", "0"]))
        1) "0"
        2) 1) "k1"
           2) "k2"
        >>> print(format_reply(["OK", 2, ResponseError("ERR no")], ["EXEC"],
        ...                    queued=[["SET", "a", "1"], ["INCR", "a"], ["X"]]))
        1) OK
        2) (integer) 2
        3) (error) ERR no
    """
    words = tuple(a.lower() for a in argv[:2])
    if isinstance(reply, str) and (words[:1] in _RAW_OUTPUT or words in _RAW_OUTPUT):
        return reply.rstrip("\r\n").replace("\r\n", "\n")  # printed raw, as the server wrote it
    if queued is not None and isinstance(reply, list) and argv and argv[0].lower() == "exec":
        node: tuple[str, Any] = (
            "array",
            [_typed(item, cmd, top=True) for item, cmd in zip(reply, queued, strict=False)],
        )
    else:
        node = _typed(reply, argv, top=True)
    return _format_tty(node, "")[:-1]


# ------------------------------------------------------------------ help
def help_groups() -> list[str]:
    """The command groups HELP @<group> knows, as redis-cli names them (``sorted-set``)."""
    return sorted({_group_name(doc[2]) for doc in DOCS.values()})


def _group_name(group: str) -> str:
    return group.replace("_", "-")


def command_help(words: Sequence[str], known: set[str]) -> str | None:
    """``cliOutputHelp`` for ``HELP <words>`` (without redis-cli's colours), or None if no
    command matches. ``known``: the commands this engine runs; others are marked as missing.

        >>> print(command_help(["get"], {"get"}))
        GET key
        summary: Get the value of a key
        since: 1.0.0
        group: string
    """
    if not words:
        return None
    blocks = []
    if words[0].startswith("@"):
        group = words[0][1:].lower()
        for name, doc in sorted(DOCS.items()):
            if _group_name(doc[2]) == group and "|" not in name and name in known:
                blocks.append(_entry(name, doc, with_group=False))
        return "\n\n".join(blocks) or None
    wanted = [w.lower() for w in words]
    for name, doc in sorted(DOCS.items()):
        entry_words = name.split("|")
        if len(wanted) <= len(entry_words) and entry_words[: len(wanted)] == wanted:
            text = _entry(name, doc, with_group=True)
            if entry_words[0] not in known:
                text += "\n(kvengine does not have this command)"
            blocks.append(text)
    return "\n\n".join(blocks) or None


def _entry(name: str, doc: tuple[str, str, str, str], with_group: bool) -> str:
    summary, since, group, syntax = doc
    title = name.replace("|", " ").upper()
    lines = [f"{title} {syntax}".rstrip(), f"summary: {summary}", f"since: {since}"]
    if with_group:
        lines.append(f"group: {_group_name(group)}")
    return "\n".join(lines)


# ------------------------------------------------------------------ one line
def run_line(client: Client, line: str) -> Output:
    """Run one typed line as redis-cli would against ``client``'s server.

    HELP is answered here (redis-cli answers it without the server); CLEAR gives an Output
    of kind ``clear``. QUIT and EXIT would end redis-cli; here they only say so.
    """
    argv = split_line(line)
    if argv is None:
        return Output(INVALID_ARGUMENTS, "error")
    if not argv:
        return Output("", "local")
    counted = _repeat_count(argv)
    if counted is None:
        return Output(INVALID_REPEAT, "error")
    repeat, skip = counted
    if argv[0].lower() in ("quit", "exit"):
        return Output("redis-cli would exit here; this console stays open.", "local")
    if len(argv) == 1 and argv[0].lower() == "clear":
        return Output("", "clear")
    if skip:
        argv = argv[1:]
    name = argv[0].lower()
    if name in ("help", "?"):
        return _help(client, argv[1:])
    if repeat > MAX_REPEAT:
        return Output(f"This console repeats a command at most {MAX_REPEAT} times.", "local")
    texts = []
    kind = "reply"
    for _ in range(repeat):
        queued = [list(cmd) for cmd in client.queue] if name == "exec" else None
        queuing = client.in_multi and name not in NOT_QUEUED
        try:
            reply: Any = client.execute(*argv)
        except ResponseError as error:
            reply = error
        kind = "error" if isinstance(reply, ResponseError) else "reply"
        if queuing and reply == "QUEUED":
            texts.append("QUEUED")  # a status reply, whatever the queued command
            continue
        texts.append(format_reply(reply, argv, queued))
    return Output("\n".join(texts), kind)


def _help(client: Client, words: Sequence[str]) -> Output:
    if not words:
        return Output("", "help")  # the caller prints its own introduction
    text = command_help(words, set(client.command_names()))
    if text is None:
        topic = " ".join(words)
        return Output(f"No help for '{topic}'. Type HELP for what there is.", "local")
    return Output(text, "help")
