"""Checks for the models' constructor arguments (one place, one wording).

A model is built from URL parameters and from students' Python consoles, so a bad argument must
fail early with a sentence that names it, never deep inside a run.

>>> int_param("shards", 3, 1, 16)
3
>>> number_param("hot_share", 0.7, 0.0, 1.0)
0.7
>>> int_param("shards", True, 1, 16)
Traceback (most recent call last):
...
ValueError: shards must be a whole number from 1 to 16
"""

from __future__ import annotations


def int_param(name: str, value: object, low: int, high: int) -> int:
    """``value`` if it is an int (not a bool) in ``[low, high]``, else ``ValueError``."""
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}")
    return value


def number_param(
    name: str, value: object, low: float, high: float, *, low_inclusive: bool = True, hint: str = ""
) -> float:
    """``value`` as a float if it is a number (not a bool) in the range, else ``ValueError``.

    ``low_inclusive=False`` excludes ``low`` itself; ``hint`` is appended to the message.
    """
    ok = (
        not isinstance(value, bool)
        and isinstance(value, int | float)
        and (low <= value if low_inclusive else low < value)
        and value <= high
    )
    if not ok:
        lower = f"from {low:g}" if low_inclusive else f"above {low:g} and at most"
        sep = " to " if low_inclusive else " "
        raise ValueError(f"{name} must be a number {lower}{sep}{high:g}{hint}")
    return float(value)  # type: ignore[arg-type]
