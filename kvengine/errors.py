"""Errors raised by the engine, with Redis 7.0's exact error texts.

Every failure a client can see is a :class:`ResponseError` whose ``str()`` is the text
redis-server 7.0.15 sends after the ``-`` of an error reply, for example::

    >>> str(ResponseError(SYNTAX_ERROR))
    'ERR syntax error'
"""

from __future__ import annotations


class ResponseError(Exception):
    """An error reply. ``str(err)`` is Redis's text, e.g. ``ERR syntax error``."""


SYNTAX_ERROR = "ERR syntax error"
NOT_INTEGER = "ERR value is not an integer or out of range"
OVERFLOW = "ERR increment or decrement would overflow"
DECR_OVERFLOW = "ERR decrement would overflow"
NO_SUCH_KEY = "ERR no such key"
INVALID_CURSOR = "ERR invalid cursor"
WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value"
# not a Redis text (Redis takes bytes): a str that cannot become UTF-8 bytes, see kvengine.util
INVALID_TEXT = "ERR invalid argument: not valid UTF-8 text (a lone surrogate)"
OOM = "OOM command not allowed when used memory > 'maxmemory'."
LFU_NOT_SELECTED = (
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note "
    "that when switching between policies at runtime LRU and LFU data will take some time to "
    "adjust."
)
LFU_SELECTED = (
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when "
    "switching between policies at runtime LRU and LFU data will take some time to adjust."
)


def wrong_arity(name: str) -> str:
    """``ERR wrong number of arguments for 'get' command`` (name as Redis spells it)."""
    return f"ERR wrong number of arguments for '{name}' command"


def invalid_expire(name: str) -> str:
    """``ERR invalid expire time in 'set' command``."""
    return f"ERR invalid expire time in '{name}' command"


def sanitize(text: str) -> str:
    """Redis replaces CR and LF in error texts by spaces (protocol safety)."""
    return text.replace("\r", " ").replace("\n", " ")
