"""The LFU access counter (Redis's evict.c ``LFULogIncr`` / ``LFUDecrAndReturn``).

A key's frequency is an 8-bit *logarithmic* counter: a hit increments it with probability
``1 / ((counter - LFU_INIT_VAL) * lfu_log_factor + 1)``, so with factor 10 it saturates at 255
after about a million hits. New keys start at ``LFU_INIT_VAL = 5`` so they are not evicted at
once. ``lfu-decay-time`` minutes without access take one off. The last decrement time is kept
in 16 bits of minutes, as Redis keeps it in the object's 24-bit ``lru`` field.

    >>> lfu_decr_and_return(10, 0, 3 * 60000, 1)   # idle 3 minutes, decay time 1: 10 - 3
    7
"""

from __future__ import annotations

import random

LFU_INIT_VAL = 5
LFU_COUNTER_MAX = 255


def lfu_minutes(now_ms: int) -> int:
    """``LFUGetTimeInMinutes``: minutes since the epoch, 16 bits."""
    return (now_ms // 60000) & 65535


def lfu_time_elapsed(ldt: int, now_ms: int) -> int:
    """``LFUTimeElapsed``: minutes since ``ldt`` (handles the 16-bit wrap)."""
    now = lfu_minutes(now_ms)
    if now >= ldt:
        return now - ldt
    return 65535 - ldt + now


def lfu_decr_and_return(counter: int, ldt: int, now_ms: int, decay_time: int) -> int:
    """``LFUDecrAndReturn``: the counter after decay (one per ``decay_time`` minutes idle)."""
    periods = lfu_time_elapsed(ldt, now_ms) // decay_time if decay_time else 0
    if periods:
        return 0 if periods > counter else counter - periods
    return counter


def lfu_log_incr(counter: int, log_factor: int, rng: random.Random) -> int:
    """``LFULogIncr``: increment with probability ``1/((counter-5)*log_factor+1)``."""
    if counter >= LFU_COUNTER_MAX:
        return LFU_COUNTER_MAX
    base = counter - LFU_INIT_VAL
    if base < 0:
        base = 0
    if rng.random() < 1.0 / (base * log_factor + 1):
        return counter + 1
    return counter
