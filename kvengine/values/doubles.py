"""Scores as Redis 7.0 reads and prints them: ``strtod``, ``string2d``, ``zslParseRange``.

Redis parses a double with C's ``strtod`` and prints one with ``%.17g``. Python's ``float()``
accepts things C does not ("1_000", Unicode digits) and refuses things C accepts ("0x1p3",
leading blanks in a range), so this module reproduces C's grammar with a regular expression
and only then lets Python convert the digits (both round correctly, so the values agree).

Three readers, as in Redis:

* :func:`string2d` (``getDoubleFromObject``, used by ZADD, ZINCRBY, WEIGHTS): the whole text
  must be a number, no leading blank, no NaN, no overflow to ``inf`` ("1e999" is refused, while
  the literal "inf" is fine) and no underflow to zero ("1e-999" is refused).
* :func:`parse_score_bound` (``zslParseRange``, used by ZCOUNT, ZRANGEBYSCORE...): an optional
  ``(`` for an open bound; ``strtod`` may skip leading blanks, overflow is allowed, only NaN and
  trailing garbage are refused; an empty text reads as 0 (C's ``strtod`` converts nothing).
* :func:`format_double` (``addReplyDouble`` in RESP2): ``inf``/``-inf``, else ``%.17g``, so a
  score of 1.1 is printed "1.1000000000000001", exactly as redis-server 7.0 prints it.

    >>> string2d("1.5"), string2d(" 1"), string2d("0x10"), string2d("1e999"), string2d("-inf")
    (1.5, None, 16.0, None, -inf)
    >>> parse_score_bound("(2.5"), parse_score_bound("+inf"), parse_score_bound("x")
    ((2.5, True), (inf, False), None)
    >>> format_double(3.0), format_double(1.1), format_double(float("-inf")), format_double(-0.0)
    ('3', '1.1000000000000001', '-inf', '-0')
"""

from __future__ import annotations

import math
import re

C_SPACE = " \t\n\v\f\r"  # isspace() in the C locale

_STRTOD = re.compile(
    r"[ \t\n\v\f\r]*"
    r"(?P<num>[+-]?(?:"
    r"(?P<inf>inf(?:inity)?)"
    r"|(?P<nan>nan(?:\([0-9a-z_]*\))?)"
    r"|(?P<hex>0x(?:[0-9a-f]+\.?[0-9a-f]*|\.[0-9a-f]+)(?:p[+-]?[0-9]+)?)"
    r"|(?P<dec>(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?)"
    r"))",
    re.IGNORECASE | re.ASCII,
)


def strtod(text: str) -> tuple[float, int, bool]:
    """C's ``strtod``: ``(value, characters consumed, ERANGE)``; consumed is 0 if no number.

    >>> strtod("1.5abc"), strtod("  -2"), strtod("abc"), strtod("1e999")
    ((1.5, 3, False), (-2.0, 4, False), (0.0, 0, False), (inf, 5, True))
    """
    m = _STRTOD.match(text)
    if m is None:
        return 0.0, 0, False
    num = m.group("num")
    negative = num.startswith("-")
    if m.group("inf") is not None:
        return (-math.inf if negative else math.inf), m.end(), False
    if m.group("nan") is not None:
        return math.nan, m.end(), False
    if m.group("hex") is not None:
        try:
            value = float.fromhex(num)
        except OverflowError:
            return (-math.inf if negative else math.inf), m.end(), True
    else:
        value = float(num)
        if math.isinf(value):  # a finite literal that overflowed
            return value, m.end(), True
    mantissa = m.group("hex") or m.group("dec")
    mantissa = re.split("[pPeE]", mantissa[2:] if m.group("hex") else mantissa)[0]
    if value == 0.0 and any(c not in "0." for c in mantissa):
        return value, m.end(), True  # a non-zero literal that underflowed to zero
    return value, m.end(), False


def string2d(text: str) -> float | None:
    """Redis's ``string2d``: the value, or None where Redis answers "not a valid float"."""
    if not text or text[0] in C_SPACE:
        return None
    value, used, erange = strtod(text)
    if used != len(text) or math.isnan(value):
        return None
    if erange and (math.isinf(value) or value == 0.0):
        return None
    return value


def parse_score_bound(text: str) -> tuple[float, bool] | None:
    """One bound of ``zslParseRange``: ``(value, exclusive)`` or None ("min or max is not a
    float"). C stops reading at a NUL byte, so text after a "\\0" is ignored, as in Redis.
    """
    exclusive = text.startswith("(")
    body = text[1:] if exclusive else text
    body = body.split("\0", 1)[0]
    value, used, _ = strtod(body)
    if used != len(body) or math.isnan(value):
        return None
    return value, exclusive


def format_double(value: float) -> str:
    """``addReplyDouble`` (RESP2): "inf", "-inf", else C's ``%.17g``."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.17g}"


def d2string(value: float) -> str:
    """Redis's ``d2string``, how a listpack stores a score (and ZSCAN of a listpack shows it):
    integral values in the safe range as integers ("100000000000000000", where ``%.17g``
    gives "1e+17"), others as ``%.17g``."""
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    if -(1 << 62) <= value <= (1 << 62) and value == int(value):
        return str(int(value))
    return f"{value:.17g}"
