"""Redis's ``long double`` arithmetic for INCRBYFLOAT and HINCRBYFLOAT, bit for bit.

Redis does float increments in C's ``long double``, which on x86-64 Linux (where redis-server
7.0 runs) is the x87 80-bit *extended* format: a 64-bit significand and a 15-bit exponent,
11 more bits of precision than a Python ``float``. The replies show it: ``INCRBYFLOAT k 0.1``
ten times from 0 gives ``1``, where doubles give ``0.9999999999999999``. So this module
models a long double exactly, as a :class:`~fractions.Fraction` rounded to that format:

* :func:`parse` is ``string2ld`` (util.c): ``strtold`` of the whole string (decimal, hex such
  as ``0x1p3``, ``inf``), no leading space, no embedded NUL, shorter than
  ``MAX_LONG_DOUBLE_CHARS`` (5 KB), and neither NaN nor an overflow or an underflow to 0;
* :func:`add` is one x87 addition: the exact sum rounded to nearest, ties to even;
* :func:`format_human` is ``ld2string(..., LD_STR_HUMAN)``: ``printf("%.17Lf")`` of the exact
  binary value, then trailing zeros (and a bare ``.``) dropped, and ``-0`` written ``0``.

    >>> x = parse("0")
    >>> for _ in range(10):
    ...     x = add(x, parse("0.1"))
    >>> format_human(x)
    '1'
    >>> format_human(add(parse("1e17"), parse("1.5"))), format_human(parse("0x1p-3"))
    ('100000000000000001.5', '0.125')
    >>> parse("1e5000") is None, parse(" 1") is None, parse("nan") is None
    (True, True, True)

Infinity is kept as ``float('inf')`` (it parses, and the commands then refuse the result).
"""

from __future__ import annotations

import re
from fractions import Fraction

LongDouble = Fraction | float  # a finite value, or +/- infinity as a float

SIGNIFICAND_BITS = 64  # LDBL_MANT_DIG on x86-64
MIN_EXP = -16382  # the smallest normal exponent: 2**-16382; below it, subnormals
MAX_EXP = 16383  # the largest finite value is just under 2**16384
MAX_LONG_DOUBLE_CHARS = 5 * 1024
HUMAN_DECIMALS = 17  # "%.17Lf"

_C_SPACE = " \t\n\v\f\r"
_DECIMAL = re.compile(r"([+-]?)([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")
_HEX = re.compile(r"([+-]?)0[xX]([0-9a-fA-F]*)(?:\.([0-9a-fA-F]*))?(?:[pP]([+-]?[0-9]+))?")
_INF = re.compile(r"([+-]?)(?:inf|infinity)", re.IGNORECASE)


_CHUNK = 4000  # Python refuses int <-> str conversions of more than 4300 digits at once


def _digits_to_int(digits: str, base: int) -> int:
    """``int(digits, base)`` for any length (the long strings Redis accepts are up to 5 KB)."""
    value = 0
    for start in range(0, len(digits), _CHUNK):
        chunk = digits[start : start + _CHUNK]
        value = value * base ** len(chunk) + int(chunk, base)
    return value


def _signed(text: str) -> int:
    """An exponent such as ``-12`` or ``+0004``, of any length."""
    magnitude = _digits_to_int(text.lstrip("+-") or "0", 10)
    return -magnitude if text.startswith("-") else magnitude


def _int_to_digits(n: int) -> str:
    """``str(n)`` for any n >= 0 (a %.17Lf of 1e4000 has over 4000 digits)."""
    if n < 10**_CHUNK:
        return str(n)
    high, low = divmod(n, 10**_CHUNK)
    return _int_to_digits(high) + str(low).rjust(_CHUNK, "0")


def _pow2(exp: int) -> Fraction:
    return Fraction(1 << exp) if exp >= 0 else Fraction(1, 1 << -exp)


def _floor_log2(a: Fraction) -> int:
    """The exponent e with 2**e <= a < 2**(e+1), for a > 0."""
    e = a.numerator.bit_length() - a.denominator.bit_length()
    return e if a >= _pow2(e) else e - 1


def round_to_long_double(x: Fraction) -> LongDouble:
    """``x`` rounded to the nearest extended value (ties to even); +/-inf on overflow."""
    if x == 0:
        return Fraction(0)
    a = abs(x)
    quantum = max(_floor_log2(a), MIN_EXP) - (SIGNIFICAND_BITS - 1)
    rounded = round(a / _pow2(quantum)) * _pow2(quantum)  # round() on a Fraction: half-even
    if rounded >= _pow2(MAX_EXP + 1):
        rounded_value: LongDouble = float("inf")
    else:
        rounded_value = rounded
    return rounded_value if x > 0 else -rounded_value


def _exact(text: str) -> Fraction | float | None:
    """The exact value ``strtold`` reads from all of ``text`` (inf as a float), else None
    (also None for a number beyond the long double range).

    Huge exponents are settled without building huge numbers: anything above ~1e4933 is an
    overflow and anything below ~1e-4951 (the smallest subnormal) rounds to 0.
    """
    m = _INF.fullmatch(text)
    if m:
        return float("-inf") if m.group(1) == "-" else float("inf")
    m = _HEX.fullmatch(text)
    if m:
        sign, whole, frac, exp = m.group(1), m.group(2), m.group(3) or "", m.group(4) or "0"
        if not whole and not frac:
            return None
        mantissa = _digits_to_int(whole + frac or "0", 16)
        exp2 = _signed(exp) - 4 * len(frac)
        if mantissa and exp2 + mantissa.bit_length() > MAX_EXP + 2:
            return None  # overflow: strtold gives HUGE_VALL with ERANGE, string2ld refuses it
        if mantissa and exp2 + mantissa.bit_length() < MIN_EXP - SIGNIFICAND_BITS - 2:
            value = Fraction(1, 1 << (SIGNIFICAND_BITS - MIN_EXP + 4))  # rounds to 0
        else:
            value = mantissa * _pow2(exp2)
        return -value if sign == "-" else value
    m = _DECIMAL.fullmatch(text)
    if m:
        sign, whole, frac, exp = m.group(1), m.group(2), m.group(3) or "", m.group(4) or "0"
        if not whole and not frac:
            return None
        significant = (whole + frac).lstrip("0")
        mantissa = _digits_to_int(significant or "0", 10)
        exp10 = _signed(exp) - len(frac)
        digits = len(significant)
        if mantissa and exp10 + digits > 4934:
            return None  # overflow
        if mantissa and exp10 + digits < -4955:
            value = Fraction(1, 1 << (SIGNIFICAND_BITS - MIN_EXP + 4))  # rounds to 0
        else:
            value = mantissa * (Fraction(10) ** exp10)
        return -value if sign == "-" else value
    return None


def parse(text: str) -> LongDouble | None:
    """``string2ld``: the long double ``text`` spells, or None when Redis rejects it."""
    if "\x00" in text or not text or text[0] in _C_SPACE:
        return None
    size = len(text.encode("utf-8", "surrogateescape"))
    if size >= MAX_LONG_DOUBLE_CHARS or not text.isascii():
        return None
    exact = _exact(text)
    if exact is None or isinstance(exact, float):
        return exact
    value = round_to_long_double(exact)
    if isinstance(value, float) or (value == 0 and exact != 0):
        return None  # ERANGE: overflow to HUGE_VALL or underflow to zero
    return value


def from_int(n: int) -> Fraction:
    """``(long double)ll``: exact for every 64-bit integer."""
    return Fraction(n)


def add(a: LongDouble, b: LongDouble) -> LongDouble | None:
    """``a + b`` in long double; None when the result is NaN or infinite."""
    if isinstance(a, float) or isinstance(b, float):
        return None  # inf + x is inf, inf - inf is NaN: both refused by the commands
    total = round_to_long_double(a + b)
    return None if isinstance(total, float) else total


def is_finite(value: LongDouble) -> bool:
    return not isinstance(value, float)


def format_human(value: Fraction) -> str:
    """``ld2string(LD_STR_HUMAN)``: "%.17Lf", trailing zeros dropped, "-0" as "0"."""
    scaled = round(abs(value) * 10**HUMAN_DECIMALS)  # printf rounds the exact value, half-even
    whole, frac = divmod(scaled, 10**HUMAN_DECIMALS)
    text = f"{_int_to_digits(whole)}.{frac:0{HUMAN_DECIMALS}d}".rstrip("0").rstrip(".")
    if value < 0:
        text = "-" + text
    return "0" if text == "-0" else text
