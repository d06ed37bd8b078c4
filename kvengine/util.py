"""Argument conversion shared by the native API and the commands (Redis's util.c, and more).

Every text that enters the engine passes :func:`to_str` (native API) or :func:`check_text`
(``execute``), so a bad argument is refused *before* a command changes anything. A Python
``str`` is accepted when it can be written out as UTF-8 bytes: bytes that are not UTF-8 arrive
as ``surrogateescape`` code points (U+DC80..U+DCFF) and round-trip; a lone surrogate such as
``"\\ud800"`` (JavaScript strings can hold one) cannot, and is refused with
:data:`~kvengine.errors.INVALID_TEXT`::

    >>> to_str(b"caf\\xc3\\xa9"), to_str(42), parse_int("-7")
    ('café', '42', -7)
    >>> check_text("\\ud800")
    Traceback (most recent call last):
    ...
    kvengine.errors.ResponseError: ERR invalid argument: not valid UTF-8 text (a lone surrogate)
"""

from __future__ import annotations

from typing import Any

from . import errors
from .errors import ResponseError

LLONG_MAX = (1 << 63) - 1
LLONG_MIN = -(1 << 63)


def check_text(text: str) -> str:
    """``text`` if it can be encoded as UTF-8 (surrogate escapes allowed), else the error."""
    if not text.isascii():
        try:
            text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError:
            raise ResponseError(errors.INVALID_TEXT) from None
    return text


def to_str(value: Any) -> str:
    """A native-API argument as a Redis string (bytes are UTF-8, ints in decimal)."""
    if isinstance(value, str):
        return check_text(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", "surrogateescape")
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        try:
            return str(value)
        except ValueError:  # more digits than Python converts (sys.get_int_max_str_digits)
            raise ResponseError(errors.NOT_INTEGER) from None
    if isinstance(value, float):
        return repr(value)
    raise ResponseError(
        f"ERR invalid argument type {type(value).__name__}: use str, bytes, int or float"
    )


def parse_int(text: str) -> int | None:
    """Redis's ``string2ll``: strict decimal in the signed 64-bit range, else None.

    >>> parse_int("42"), parse_int("-7"), parse_int("007"), parse_int(" 1"), parse_int("+1")
    (42, -7, None, None, None)
    """
    n = len(text)
    if n == 0 or n > 20:
        return None
    if text == "0":
        return 0
    start = 1 if text[0] == "-" else 0
    if start == n or not ("1" <= text[start] <= "9"):
        return None
    digits = text[start:]
    if not (digits.isascii() and digits.isdigit()):
        return None
    value = int(text)
    if value > LLONG_MAX or value < LLONG_MIN:
        return None
    return value


def int_arg(value: Any) -> int:
    """An integer argument (``getLongLongFromObjectOrReply``): an int in range, or a string
    that :func:`parse_int` accepts; otherwise Redis's "not an integer" error."""
    if isinstance(value, int) and not isinstance(value, bool):
        if LLONG_MIN <= value <= LLONG_MAX:
            return value
        raise ResponseError(errors.NOT_INTEGER)
    n = parse_int(to_str(value))
    if n is None:
        raise ResponseError(errors.NOT_INTEGER)
    return n
