"""Active expiry: the cron half of Redis's expiration (expire.c, ``activeExpireCycle``).

Keys with a TTL are removed two ways. *Lazily*: any access first checks the key and deletes it
when ``now > expiry`` (milliseconds). *Actively*: keys nobody reads again would otherwise stay
forever, so each cron tick walks the ``expires`` table with a persistent cursor, looking at
about 20 keys (bucket by bucket, at most 20 buckets per key wanted), deletes the expired ones,
and repeats while more than 10% of what it looked at had expired, i.e. while expired keys still
seem common. Redis bounds a cycle by CPU time (25% of a cron period); this engine bounds it by
at most 16 rounds per tick so runs are deterministic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Store

KEYS_PER_LOOP = 20  # ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
ACCEPTABLE_STALE = 10  # ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE (percent)
MAX_ROUNDS_PER_TICK = 16


def active_expire_cycle(store: Store) -> dict:
    """Run one cycle; returns ``{"rounds", "sampled", "expired"}``."""
    expires = store._expires
    now = store.clock.now_ms()
    total_sampled = total_expired = rounds = 0
    while rounds < MAX_ROUNDS_PER_TICK:
        num = len(expires)
        if num == 0:
            break
        rounds += 1
        num = min(num, KEYS_PER_LOOP)
        max_buckets = num * 20
        sampled = expired = checked = 0
        while sampled < num and checked < max_buckets:
            for table in (expires._t0, expires._t1):
                if table is None:
                    break
                chain = table[store._expire_cursor & (len(table) - 1)]
                checked += 1
                if not chain:
                    continue
                for key in list(chain):  # a copy: expiring edits the chain
                    sampled += 1
                    when = expires._index.get(key)
                    if when is not None and now > when:
                        store._expire_key(key, "active")
                        expired += 1
            store._expire_cursor += 1
        total_sampled += sampled
        total_expired += expired
        if sampled and expired * 100 // sampled <= ACCEPTABLE_STALE:
            break
    return {"rounds": rounds, "sampled": total_sampled, "expired": total_expired}
