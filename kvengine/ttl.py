"""TTL arithmetic: the rules of Redis's expire.c commands, apart from any table.

A TTL is stored as an absolute time in ms (the keyspace's ``expires`` table). These functions
turn what a client sends into that time, with Redis's errors, and decide what the ``NX``,
``XX``, ``GT`` and ``LT`` options allow. They change nothing, so a command can validate every
argument before it touches the keyspace.

    >>> expire_at("set", "ex", 10, now=1000)          # SET ... EX 10 at t = 1 s
    11000
    >>> when_from_argument("pexpire", 500, unit=1, relative=True, now=1000)
    1500
    >>> expire_allowed(current=None, when=5000, nx=False, xx=False, gt=True, lt=False)
    False
    >>> ttl_reply(when=2600, now=1000, ms=False, absolute=False)   # 1.6 s rounds to 2
    2
"""

from __future__ import annotations

from typing import Any

from . import errors
from .errors import ResponseError
from .util import LLONG_MAX, LLONG_MIN, int_arg

UNITS = ("ex", "px", "exat", "pxat")


def expire_at(cmd: str, unit: str, amount: Any, now: int) -> int:
    """``getExpireMillisecondsOrReply`` (SET, GETEX): the absolute expiry in ms of ``EX``,
    ``PX``, ``EXAT`` or ``PXAT`` with ``amount``, or Redis's error for ``cmd``."""
    n = int_arg(amount)
    if n <= 0 or (unit in ("ex", "exat") and n > LLONG_MAX // 1000):
        raise ResponseError(errors.invalid_expire(cmd))
    if unit in ("ex", "exat"):
        n *= 1000
    if unit in ("ex", "px"):
        n += now
        if n > LLONG_MAX:
            raise ResponseError(errors.invalid_expire(cmd))
    return n


def expire_option(
    cmd: str, now: int, ex: Any = None, px: Any = None, exat: Any = None, pxat: Any = None
) -> int | None:
    """SET's ``EX``, ``PX``, ``EXAT`` or ``PXAT``: the absolute expiry in ms, None when none is
    given; Redis's syntax error when more than one is."""
    values = (ex, px, exat, pxat)
    given = [(unit, v) for unit, v in zip(UNITS, values, strict=True) if v is not None]
    if not given:
        return None
    if len(given) > 1:
        raise ResponseError(errors.SYNTAX_ERROR)
    return expire_at(cmd, *given[0], now)


def check_expire_options(nx: bool, xx: bool, gt: bool, lt: bool) -> None:
    """The option combinations ``EXPIRE`` refuses."""
    if nx and (xx or gt or lt):
        raise ResponseError("ERR NX and XX, GT or LT options at the same time are not compatible")
    if gt and lt:
        raise ResponseError("ERR GT and LT options at the same time are not compatible")


def when_from_argument(cmd: str, amount: Any, unit: int, relative: bool, now: int) -> int:
    """``expireGenericCommand``'s time: ``amount`` in s (``unit`` 1000) or ms (1), relative
    to ``now`` or absolute; Redis's "invalid expire time" error on overflow."""
    when = int_arg(amount)
    if unit == 1000:
        if when > LLONG_MAX // 1000 or when < LLONG_MIN // 1000:
            raise ResponseError(errors.invalid_expire(cmd))
        when *= 1000
    if relative:
        when += now
        if when > LLONG_MAX or when < LLONG_MIN:
            raise ResponseError(errors.invalid_expire(cmd))
    return when


def expire_allowed(current: int | None, when: int, nx: bool, xx: bool, gt: bool, lt: bool) -> bool:
    """Whether ``EXPIRE ... NX|XX|GT|LT`` sets ``when`` over the key's ``current`` expiry
    (None: no TTL, which counts as an infinite one for GT and LT)."""
    if nx and current is not None:
        return False
    if xx and current is None:
        return False
    if gt and (current is None or when <= current):
        return False
    return not (lt and current is not None and when >= current)


def ttl_reply(when: int | None, now: int, ms: bool, absolute: bool) -> int:
    """``ttlGenericCommand`` for an existing key: -1 without TTL, else the remaining (or
    absolute) time in ms or in seconds rounded to the nearest."""
    if when is None:
        return -1
    t = when if absolute else max(0, when - now)
    return t if ms else (t + 500) // 1000
