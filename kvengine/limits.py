"""The engine's own size limits: where a short command would make Redis build something huge.

Redis 7.0 accepts a few requests whose reply or value is far larger than the request:

- ``SRANDMEMBER``, ``HRANDFIELD`` and ``ZRANDMEMBER`` with a negative count reply with that
  many independent picks (repeats allowed), whatever the size of the collection. Redis only
  bounds the count to ``-LONG_MAX..LONG_MAX`` (``LONG_MAX/2`` in absolute value with
  ``WITHVALUES``/``WITHSCORES``), so ``SRANDMEMBER s -4294967296`` asks for four billion picks.
- ``SETRANGE`` pads a string with zero bytes up to its offset, and ``APPEND`` grows one; Redis's
  ``checkStringLength`` (t_string.c) refuses only results above ``proto-max-bulk-len``
  (512 MB), so ``SETRANGE k 500000000 x`` allocates half a gigabyte.

kvengine runs in one shared browser worker: such a request would freeze every sim on the page
for minutes or end in a ``MemoryError``. So the engine keeps Redis's own checks and errors,
then refuses, with an error that names the limit, what Redis would accept but the engine cannot
hold: more than :data:`MAX_RANDOM_PICKS` picks in one reply, or a string grown past
:data:`MAX_STRING_BYTES`. docs/engine.md lists these deliberate differences.
"""

from __future__ import annotations

from .errors import ResponseError
from .resp import PROTO_MAX_BULK_LEN  # proto-max-bulk-len's default: Redis's longest string

MAX_STRING_BYTES = 16 * 1024 * 1024  # the longest string SETRANGE or APPEND may build here
MAX_RANDOM_PICKS = 100_000  # the most picks one SRANDMEMBER/HRANDFIELD/ZRANDMEMBER replies


def check_string_length(size: int, append: int) -> None:
    """``checkStringLength``: a string of ``size`` bytes grown by ``append`` must fit in
    ``proto-max-bulk-len`` (Redis's error), then in :data:`MAX_STRING_BYTES` (the engine's)."""
    total = size + append
    if total > PROTO_MAX_BULK_LEN:
        raise ResponseError("ERR string exceeds maximum allowed size (proto-max-bulk-len)")
    if total > MAX_STRING_BYTES:
        raise ResponseError(
            f"ERR string exceeds maximum allowed size (kvengine keeps strings up to "
            f"{MAX_STRING_BYTES} bytes; Redis allows proto-max-bulk-len, {PROTO_MAX_BULK_LEN})"
        )


def check_random_picks(count: int) -> None:
    """Refuse a reply of more than :data:`MAX_RANDOM_PICKS` random picks (a negative count
    Redis accepts): called once the key is known to exist, where Redis would start replying."""
    if count > MAX_RANDOM_PICKS:
        raise ResponseError(
            f"ERR count asks for {count} random picks; kvengine replies with at most "
            f"{MAX_RANDOM_PICKS} (Redis would send them all)"
        )
