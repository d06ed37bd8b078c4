"""Redis's glob matching (``stringmatchlen`` in util.c) for KEYS, SCAN MATCH and CONFIG GET.

``*`` any run of bytes, ``?`` one byte, ``[abc]`` / ``[^abc]`` / ``[a-z]`` a set, ``\\x`` a
literal ``x``. An unterminated ``[`` set runs to the end of the pattern. Matching works on the
UTF-8 bytes, like Redis, and is iterative (a two-pointer backtracking match that remembers only
the last ``*``), so no pattern can make it recurse deeply or take exponential time.

    >>> m = compile_pattern("user:[0-9]*")
    >>> m("user:42"), m("user:x")
    (True, False)
    >>> compile_pattern("*") is None   # "match everything": callers skip the test
    True
"""

from __future__ import annotations

from collections.abc import Callable

_STAR = ("*",)
_ANY = ("?",)


def _tokens(p: bytes) -> list[tuple]:
    n = len(p)
    out: list[tuple] = []
    i = 0
    while i < n:
        c = p[i]
        if c == 0x2A:  # *
            if not out or out[-1] is not _STAR:
                out.append(_STAR)
        elif c == 0x3F:  # ?
            out.append(_ANY)
        elif c == 0x5B:  # [
            i += 1
            neg = i < n and p[i] == 0x5E  # ^
            if neg:
                i += 1
            ranges: list[tuple[int, int]] = []
            while True:
                if i < n and p[i] == 0x5C and n - i >= 2:  # backslash escape
                    i += 1
                    ranges.append((p[i], p[i]))
                elif i < n and p[i] == 0x5D:  # ]
                    break
                elif i >= n:
                    i -= 1
                    break
                elif n - i >= 3 and p[i + 1] == 0x2D:  # a-z
                    lo, hi = p[i], p[i + 2]
                    if lo > hi:
                        lo, hi = hi, lo
                    ranges.append((lo, hi))
                    i += 2
                else:
                    ranges.append((p[i], p[i]))
                i += 1
            out.append(("[", neg, tuple(ranges)))
        elif c == 0x5C and n - i >= 2:  # backslash
            i += 1
            out.append(("=", p[i]))
        else:
            out.append(("=", c))
        i += 1
    return out


def _one(tok: tuple, b: int) -> bool:
    kind = tok[0]
    if kind == "=":
        return tok[1] == b
    if kind == "?":
        return True
    hit = any(lo <= b <= hi for lo, hi in tok[2])
    return hit != tok[1]


def match_bytes(tokens: list[tuple], s: bytes) -> bool:
    """Does ``s`` match the whole token list?"""
    if not s:
        return not tokens  # Redis: an empty string matches only the empty pattern
    ti = si = 0
    star_ti = -1
    star_si = 0
    nt, ns = len(tokens), len(s)
    while si < ns:
        if ti < nt and tokens[ti] is _STAR:
            star_ti = ti
            star_si = si
            ti += 1
        elif ti < nt and _one(tokens[ti], s[si]):
            ti += 1
            si += 1
        elif star_ti >= 0:
            ti = star_ti + 1
            star_si += 1
            si = star_si
        else:
            return False
    while ti < nt and tokens[ti] is _STAR:
        ti += 1
    return ti == nt


def compile_pattern(pattern: str) -> Callable[[str], bool] | None:
    """A predicate for ``pattern``, or None when the pattern is exactly ``*`` (matches all)."""
    if pattern == "*":
        return None
    tokens = _tokens(pattern.encode("utf-8", "surrogateescape"))

    def match(key: str) -> bool:
        return match_bytes(tokens, key.encode("utf-8", "surrogateescape"))

    return match


def matches(pattern: str, key: str) -> bool:
    """One-off match: ``matches("h?llo", "hello")`` -> True."""
    m = compile_pattern(pattern)
    return True if m is None else m(key)
