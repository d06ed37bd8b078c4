"""Active expiry: the cron half of Redis's expiration (expire.c, ``activeExpireCycle``).

Keys with a TTL are removed two ways. *Lazily*: any access first checks the key and deletes it
when ``now > expiry`` (milliseconds). *Actively*: keys nobody reads again would otherwise stay
forever, so each cron tick walks the ``expires`` table with a persistent cursor, looking at
about 20 keys (bucket by bucket, at most 20 buckets per key wanted), deletes the expired ones,
and repeats while more than 10% of what it looked at had expired, i.e. while expired keys still
seem common. Redis bounds a cycle by CPU time (25% of a cron period); this engine bounds it by
at most 16 rounds per tick so runs are deterministic.

An expired key is removed by :meth:`Keyspace.expire_key`, the same path as lazy expiry (the
``expire`` event says which way it went). The cycle needs the keyspace and nothing else:

    >>> from kvengine.clock import VirtualClock
    >>> from kvengine.keyspace import Keyspace
    >>> clock = VirtualClock(0)
    >>> ks = Keyspace(clock.now_ms)
    >>> for i in range(30):
    ...     _ = ks.add(f"k{i}", "v")
    ...     ks.set_expire(f"k{i}", 100)
    >>> _ = clock.advance(101)
    >>> cycle = ActiveExpireCycle(ks)
    >>> cycle.run()["expired"], len(ks.data)
    (30, 0)
"""

from __future__ import annotations

from .keyspace import Keyspace

KEYS_PER_LOOP = 20  # ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP
ACCEPTABLE_STALE = 10  # ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE (percent)
MAX_ROUNDS_PER_TICK = 16


class ActiveExpireCycle:
    """``activeExpireCycle`` for one keyspace, with its persistent bucket cursor."""

    def __init__(self, keyspace: Keyspace) -> None:
        self.ks = keyspace
        self.cursor = 0  # db->expires_cursor
        self.sampled = 0  # the stat expire_cycle_sampled

    def run(self) -> dict:
        """Run one cycle; returns ``{"rounds", "sampled", "expired"}``."""
        ks = self.ks
        expires = ks.expires
        now = ks.now()
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
                    chain = table[self.cursor & (len(table) - 1)]
                    checked += 1
                    if not chain:
                        continue
                    for key in list(chain):  # a copy: expiring edits the chain
                        sampled += 1
                        when = expires._index.get(key)
                        if when is not None and now > when:
                            ks.expire_key(key, "active")
                            expired += 1
                self.cursor += 1
            total_sampled += sampled
            total_expired += expired
            if sampled and expired * 100 // sampled <= ACCEPTABLE_STALE:
                break
        self.sampled += total_sampled
        return {"rounds": rounds, "sampled": total_sampled, "expired": total_expired}
