"""User text inside an English sentence, shown in its own direction: Unicode bidi isolation.

A key the student typed can hold right-to-left letters (Hebrew, Arabic) or explicit direction
controls, such as an unbalanced U+202E RIGHT-TO-LEFT OVERRIDE. Put into a sentence as it is, such
a key reverses or reorders the rest of the line ("abc hashes to 9" would read "9 ot sehsah cba").
The Unicode Bidirectional Algorithm (UAX #9) has the tool for this: an *isolate*, U+2068 FIRST
STRONG ISOLATE ... U+2069 POP DIRECTIONAL ISOLATE, inside which the text takes its own direction
and whose end closes every embedding and override opened inside it (rule X6a). :func:`isolate`
wraps text that needs it; plain left-to-right text (``user:42``) is returned unchanged, so most
sentences stay byte-for-byte what they were. Isolates already inside the text are balanced first
(a stray PDI dropped, an unclosed FSI/LRI/RLI closed), so the text cannot close ours early.

The page shows each isolate as a ``<bdi>`` element (``sims/kit/bidi.js``, which applies the same
rule to text it draws on the canvas).

>>> isolate("user:42")
'user:42'
>>> isolate("a\\u202eb") == "\\u2068a\\u202eb\\u2069"
True
>>> isolate("x\\u2069\\u202e") == "\\u2068x\\u202e\\u2069"
True
"""

from __future__ import annotations

import unicodedata

__all__ = ["FSI", "PDI", "isolate"]

FSI = "\u2068"
PDI = "\u2069"
_INITIATORS = {"\u2066", "\u2067", "\u2068"}  # LRI, RLI, FSI
# bidi classes that can move the text around them: right-to-left letters, Arabic digits and
# every explicit embedding, override and isolate control
_MOVING = {"R", "AL", "AN", "LRE", "RLE", "LRO", "RLO", "PDF", "LRI", "RLI", "FSI", "PDI"}


def _balanced(text: str) -> str:
    """``text`` with each PDI matched to an isolate initiator before it, and none left open."""
    out: list[str] = []
    depth = 0
    for char in text:
        if char in _INITIATORS:
            depth += 1
        elif char == PDI:
            if depth == 0:
                continue
            depth -= 1
        out.append(char)
    return "".join(out) + PDI * depth


def isolate(text: str) -> str:
    """``text`` ready to sit in a left-to-right sentence (see the module docstring)."""
    if not any(unicodedata.bidirectional(char) in _MOVING for char in text):
        return text
    return f"{FSI}{_balanced(text)}{PDI}"
