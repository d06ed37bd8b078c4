"""The primary database behind the cache: latency, load, capacity, versions and faults.

Model. The database is a dict of records, each with a value, a version (1 on insert, +1 per
write) and the virtual time of its last write. Time is the shared clock; the database never
moves it. Two ways to talk to it:

* asynchronous, as many application servers do at once: ``begin_read`` / ``begin_write`` start
  a query that is *in flight* until ``clock >= done_ms``; ``poll()`` completes the due queries
  (a write is applied when it completes, a read sees the record at completion). ``in_flight``
  is the database's load; above ``capacity`` it is *overloaded*, and a query that starts while
  the database is at or above capacity takes ``overload_factor`` times longer (queueing), which
  is how an overload feeds on itself;
* synchronous, for one client that waits: ``read`` / ``write`` return the result and the
  latency the caller would have waited (the caller decides whether to move the clock).

Faults: ``fail_for(ms)`` makes every query raise :class:`DatabaseUnavailable` until then;
``slow_for(ms, factor)`` multiplies latencies. ``update_directly`` is a write that bypasses
every cache (a bulk SQL update, a migration): the source of stale cache entries.

Trade-off: latency is a constant per query kind (plus the factors above), not a distribution,
so every number a test asserts is exact and explainable; the randomness in the scenarios lives
in the request streams and the mitigations, where the chapter's argument needs it.

    >>> from kvengine.clock import VirtualClock
    >>> clock = VirtualClock(0)
    >>> db = Database(clock, read_latency_ms=50, capacity=2)
    >>> db.load({"user:1": "alice"})
    >>> q = db.begin_read("user:1")
    >>> db.in_flight, q.done_ms
    (1, 50)
    >>> _ = clock.advance(50)
    >>> [done.record.value for done in db.poll()]
    ['alice']
    >>> db.read("user:1")
    (Record(value='alice', version=1, updated_ms=0), 50)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from kvengine.clock import Clock


class DatabaseUnavailable(Exception):
    """The database is down (fault injection); the message says until when."""


@dataclass(frozen=True)
class Record:
    """One row: its value, version (1 on insert, +1 per write) and last write time (ms)."""

    value: str
    version: int
    updated_ms: int


@dataclass
class Query:
    """A query in flight. ``record`` is filled in when it completes."""

    id: int
    kind: str  # "read" | "write"
    key: str
    started_ms: int
    done_ms: int
    value: str | None = None
    owner: Any = None
    record: Record | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "kind": self.kind,
            "key": self.key,
            "startedMs": self.started_ms,
            "doneMs": self.done_ms,
        }


class Database:
    """The primary database (see the module docstring for the model)."""

    def __init__(
        self,
        clock: Clock,
        *,
        read_latency_ms: int = 50,
        write_latency_ms: int = 50,
        capacity: int = 4,
        overload_factor: float = 2.0,
    ) -> None:
        for name, value in (
            ("read_latency_ms", read_latency_ms),
            ("write_latency_ms", write_latency_ms),
        ):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a whole number of milliseconds, at least 1")
        if not isinstance(capacity, int) or isinstance(capacity, bool) or capacity < 1:
            raise ValueError("capacity must be a whole number of queries, at least 1")
        if not overload_factor >= 1:
            raise ValueError("overload_factor must be at least 1")
        self.clock = clock
        self.read_latency_ms = read_latency_ms
        self.write_latency_ms = write_latency_ms
        self.capacity = capacity
        self.overload_factor = float(overload_factor)
        self._records: dict[str, Record] = {}
        self._in_flight: list[Query] = []
        self._next_id = 1
        self._down_until = -1
        self._slow_until = -1
        self._slow_factor = 1.0
        self.peak = 0
        self.reads = 0
        self.writes = 0

    # -- data -------------------------------------------------------------------------------
    def load(self, items: Mapping[str, str]) -> None:
        """Insert initial rows (version 1, no latency): the data the cache will front."""
        now = self.clock.now_ms()
        for key, value in items.items():
            self._records[str(key)] = Record(str(value), 1, now)

    def peek(self, key: str) -> Record | None:
        """The current record, for inspection and tests: no latency, no load."""
        return self._records.get(key)

    def keys(self) -> list[str]:
        return sorted(self._records)

    def update_directly(self, key: str, value: str) -> Record:
        """A write that bypasses the cache (bulk SQL, migration, another service)."""
        return self._apply_write(key, value)

    def _apply_write(self, key: str, value: str) -> Record:
        old = self._records.get(key)
        record = Record(str(value), (old.version + 1) if old else 1, self.clock.now_ms())
        self._records[key] = record
        self.writes += 1
        return record

    # -- faults -----------------------------------------------------------------------------
    def fail_for(self, ms: int) -> None:
        """Be down for ``ms`` milliseconds from now: queries raise DatabaseUnavailable."""
        self._down_until = self.clock.now_ms() + int(ms)

    def slow_for(self, ms: int, factor: float) -> None:
        """Multiply every latency by ``factor`` for ``ms`` milliseconds from now."""
        if not factor >= 1:
            raise ValueError("a slowdown factor is at least 1")
        self._slow_until = self.clock.now_ms() + int(ms)
        self._slow_factor = float(factor)

    @property
    def down(self) -> bool:
        return self.clock.now_ms() < self._down_until

    def _check_up(self) -> None:
        if self.down:
            raise DatabaseUnavailable(f"the database is down until t = {self._down_until} ms")

    def latency(self, kind: str) -> int:
        """The latency a query of ``kind`` started now would have, in ms."""
        base = self.read_latency_ms if kind == "read" else self.write_latency_ms
        factor = 1.0
        if self.clock.now_ms() < self._slow_until:
            factor *= self._slow_factor
        if len(self._in_flight) >= self.capacity:
            factor *= self.overload_factor
        return max(1, round(base * factor))

    # -- asynchronous queries ---------------------------------------------------------------
    @property
    def in_flight(self) -> int:
        """Queries in flight now: the database's load."""
        return len(self._in_flight)

    @property
    def overloaded(self) -> bool:
        return len(self._in_flight) > self.capacity

    def begin_read(self, key: str, owner: Any = None) -> Query:
        return self._begin("read", key, None, owner)

    def begin_write(self, key: str, value: str, owner: Any = None) -> Query:
        return self._begin("write", key, str(value), owner)

    def _begin(self, kind: str, key: str, value: str | None, owner: Any) -> Query:
        self._check_up()
        now = self.clock.now_ms()
        query = Query(self._next_id, kind, key, now, now + self.latency(kind), value, owner)
        self._next_id += 1
        self._in_flight.append(query)
        self.peak = max(self.peak, len(self._in_flight))
        if kind == "read":
            self.reads += 1
        return query

    def poll(self) -> list[Query]:
        """Complete every query whose time has come, in completion order; return them."""
        now = self.clock.now_ms()
        due = [q for q in self._in_flight if q.done_ms <= now]
        if not due:
            return []
        self._in_flight = [q for q in self._in_flight if q.done_ms > now]
        due.sort(key=lambda q: (q.done_ms, q.id))
        for query in due:
            if query.kind == "write":
                query.record = self._apply_write(query.key, query.value or "")
            else:
                query.record = self._records.get(query.key)
        return due

    # -- synchronous queries ----------------------------------------------------------------
    def read(self, key: str) -> tuple[Record | None, int]:
        """Read now; returns ``(record or None, latency_ms)``."""
        self._check_up()
        self.reads += 1
        return self._records.get(key), self.latency("read")

    def write(self, key: str, value: str) -> tuple[Record, int]:
        """Write now; returns ``(new record, latency_ms)``."""
        self._check_up()
        latency = self.latency("write")
        return self._apply_write(key, value), latency

    def write_many(self, items: list[tuple[str, str]]) -> tuple[list[Record], int]:
        """One batched write (one round trip): ``(records, latency_ms)``."""
        self._check_up()
        latency = self.latency("write")
        return [self._apply_write(k, v) for k, v in items], latency

    def snapshot(self) -> dict:
        return {
            "inFlight": self.in_flight,
            "peak": self.peak,
            "capacity": self.capacity,
            "overloaded": self.overloaded,
            "down": self.down,
            "reads": self.reads,
            "writes": self.writes,
            "records": len(self._records),
        }
