"""Cache eviction simulator: a small cache-aside cache in front of a pretend database.

The sim replays an access sequence against a real ``kvengine.Store`` capped at ``capacity`` keys
(``maxkeys``, an engine extension standing in for ``maxmemory``). Each step is one access:

1. the virtual clock advances ``STEP_MS`` (1 s), so "idle 7 s" means "7 accesses ago";
2. ``GET key`` runs against the engine; a hit ends the step;
3. on a miss the application loads the row from the database and ``SET``s it (cache-aside). If
   the cache is full, the engine evicts one key first, using the chosen ``maxmemory-policy``.

Policies map onto Redis's names: LRU = allkeys-lru, LFU = allkeys-lfu, Random = allkeys-random,
TTL-based = volatile-ttl (each key then gets the TTL the sequence gives it).

Two engine modes:

- exact (default): ``samples`` >= capacity, so the engine sees every key and LRU / LFU / TTL are
  the textbook policies; LFU uses plain access counts. Good for predicting by hand.
- redis: Redis's real defaults, ``maxmemory-samples 5`` and the 8-bit logarithmic LFU counter.
  The eviction log then shows the sampled candidates, so students see why Redis's LRU is only an
  approximation: the true least-recently-used key may simply not be in the sample.

The controller owns all the sim's state (run, prediction score, running flag); the page only
renders ``state()`` and forwards input. The policy decision itself is always the engine's: slots
are ordered for display (next victim at the bottom) but the victim comes from
``Store.eviction_preview()`` and the evict events.

Example:
    >>> sim = Controller({"policy": "lru"}, seed=1)
    >>> sim.cmd_step(14)
    >>> sim.state()["log"][-1]["evicted"]
    'A'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from kvengine.clock import VirtualClock
from kvengine.store import Store
from microsims import SimInputError, spec_beside
from microsims.params import check, choices, labels, read_params

SPEC = spec_beside(__file__)  # sim.json: the parameters' ranges, defaults and labels
SIM_ID: str = SPEC["id"]
PARAMS = SPEC["params"]
STEP_MS = 1000  # one access per virtual second
REDIS_POLICY = {  # param value -> Redis maxmemory-policy
    "lru": "allkeys-lru",
    "lfu": "allkeys-lfu",
    "random": "allkeys-random",
    "ttl": "volatile-ttl",
}
POLICY_LABELS: dict[str, str] = labels(PARAMS["policy"])
POLICIES: dict[str, tuple[str, str]] = {  # param value -> (label, Redis maxmemory-policy)
    value: (POLICY_LABELS[value], REDIS_POLICY[value]) for value in choices(PARAMS["policy"])
}
MODES = tuple(choices(PARAMS["mode"]))
REDIS_SAMPLES = 5  # Redis's default maxmemory-samples
EXACT_SAMPLES = 64  # >= any capacity, so the engine examines every key
CAPACITY_MIN: int = PARAMS["capacity"]["min"]
CAPACITY_MAX: int = PARAMS["capacity"]["max"]
CAPACITY_DEFAULT: int = PARAMS["capacity"]["default"]
STEP_PARAM = {"type": "int", "min": 1, "max": 1000, "label": "step", "unit": "steps"}
MAX_STEPS = 40
MAX_KEY_LENGTH = 12
TTL_MAX_S = 3600

# "A" is read often early (steps 1, 3, 5, 7) and never after step 7. With 6 slots, LRU evicts it
# at step 14 (idle 7 s, the longest) while LFU keeps it to the end (4 accesses, the most).
DEFAULT_SEQUENCE = "A B A C A D A E B F G B H C G D B E H C"
# TTLs (seconds) for TTL-based: long enough that nothing expires within the 20 steps, distinct
# enough that the nearest expiry is never a tie.
DEFAULT_TTLS_S: dict[str, int] = {
    "A": 120,
    "B": 90,
    "C": 40,
    "D": 50,
    "E": 60,
    "F": 70,
    "G": 48,
    "H": 80,
}
OTHER_TTL_S = 60

_TOKEN = re.compile(r"^([A-Za-z0-9_:.\-]{1,12})(?:@(\d{1,4}))?$")  # KEY or KEY@SECONDS


@dataclass(frozen=True)
class Access:
    """One step of the sequence: a read of ``key``; ``ttl_s`` is used by TTL-based only."""

    key: str
    ttl_s: int

    def to_json(self) -> dict[str, Any]:
        return {"op": "GET", "key": self.key, "ttl": self.ttl_s}


def parse_sequence(text: str) -> list[Access]:
    """Parse ``"A B A C@30 ..."`` (spaces or commas) into accesses.

    ``KEY@SECONDS`` sets that key's TTL for TTL-based; otherwise keys A-H keep their default TTL
    and other keys get 60 s. The first TTL given for a key wins.

    >>> [a.key for a in parse_sequence("A, B A")]
    ['A', 'B', 'A']
    >>> parse_sequence("x@5 x")[1].ttl_s
    5
    """
    tokens = [t for t in re.split(r"[\s,]+", text.strip()) if t]
    if not tokens:
        raise SimInputError("The sequence is empty: type keys separated by spaces, e.g. A B A C.")
    if len(tokens) > MAX_STEPS:
        raise SimInputError(f"The sequence has {len(tokens)} steps; at most {MAX_STEPS} fit.")
    ttls: dict[str, int] = {}
    keys: list[str] = []
    for token in tokens:
        match = _TOKEN.match(token)
        if not match:
            shown = token if len(token) <= 20 else token[:20] + "…"
            raise SimInputError(
                f'"{shown}" is not a key: use up to {MAX_KEY_LENGTH} letters, digits or _ : . -, '
                "optionally followed by @seconds for the TTL."
            )
        key, ttl = match.group(1), match.group(2)
        if ttl is not None:
            seconds = int(ttl)
            if not 1 <= seconds <= TTL_MAX_S:
                raise SimInputError(f"TTL {seconds} s for {key} must be 1 to {TTL_MAX_S} s.")
            ttls.setdefault(key, seconds)
        keys.append(key)
    return [Access(k, ttls.get(k, DEFAULT_TTLS_S.get(k, OTHER_TTL_S))) for k in keys]


def sequence_text(accesses: list[Access]) -> str:
    """The canonical text of a sequence: ``parse_sequence(sequence_text(s)) == s``.

    A key's TTL is written (``KEY@SECONDS``) at its first occurrence when it is not the default.

    >>> sequence_text(parse_sequence("A, q@30 q"))
    'A q@30 q'
    """
    seen: set[str] = set()
    words = []
    for access in accesses:
        default = DEFAULT_TTLS_S.get(access.key, OTHER_TTL_S)
        if access.key not in seen and access.ttl_s != default:
            words.append(f"{access.key}@{access.ttl_s}")
        else:
            words.append(access.key)
        seen.add(access.key)
    return " ".join(words)


def _seconds(ms: int | float | None) -> str:
    if ms is None:
        return "?"
    value = ms / 1000
    return f"{value:g} s"


@dataclass
class CacheRun:
    """One run of a sequence against the engine, with no UI concerns.

    >>> run = CacheRun(parse_sequence("A B C D"), 3, "lru", redis_mode=False, seed=1)
    >>> entries = [run.advance() for _ in range(4)]
    >>> entries[-1]["evicted"], entries[-1]["hit"]
    ('A', False)
    """

    accesses: list[Access]
    capacity: int
    policy: str
    redis_mode: bool
    seed: int
    clock: VirtualClock = field(init=False)
    store: Store = field(init=False)
    step: int = 0
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    log: list[dict[str, Any]] = field(default_factory=list)
    loads: dict[str, int] = field(default_factory=dict)  # key -> times loaded from the database
    _events: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.clock = VirtualClock(0)
        self.store = Store(
            clock=self.clock,
            seed=self.seed,
            policy=POLICIES[self.policy][1],
            maxkeys=self.capacity,
            samples=REDIS_SAMPLES if self.redis_mode else EXACT_SAMPLES,
            lfu_counter="log" if self.redis_mode else "exact",
        )
        self.store.add_listener(self._events.append)

    @property
    def finished(self) -> bool:
        return self.step >= len(self.accesses)

    def keys(self) -> list[str]:
        """Keys in the cache now, as the engine reports them (KEYS skips expired keys)."""
        return sorted(self.store.keys())

    def advance(self) -> dict[str, Any]:
        """Run the next access; return its log entry."""
        if self.finished:
            raise SimInputError("The sequence is finished; press Reset to run it again.")
        access = self.accesses[self.step]
        self.step += 1
        self.clock.advance(STEP_MS)
        self._events.clear()
        hit = self.store.get(access.key) is not None
        exact_victim = None
        if hit:
            self.hits += 1
        else:  # cache-aside: load the row from the database, then SET it
            if self.redis_mode and self.policy != "random":
                exact_victim = self._exact_victim()
            self.misses += 1
            self.loads[access.key] = self.loads.get(access.key, 0) + 1
            row = f"{access.key.lower()}-row v{self.loads[access.key]}"
            ttl = access.ttl_s if self.policy == "ttl" else None
            self.store.set(access.key, row, ex=ttl)
        # serverCron runs between accesses (Redis: hz=10, ten times per virtual second):
        # active expiry and the incremental rehash finish before the next access, so the
        # eviction_preview() shown now is exactly what the next eviction picks.
        self.store.tick()
        entry: dict[str, Any] = {
            "step": self.step,
            "op": "GET",
            "key": access.key,
            "hit": hit,
            "set": not hit,
            "evicted": None,
            "reason": None,
            "candidates": [],
            "sampled": 0,
            "expired": [],
        }
        for event in self._events:
            if event.get("type") == "expire":
                entry["expired"].append(event["key"])
            elif event.get("type") == "evict":
                self.evictions += 1
                entry["evicted"] = event["key"]
                entry["candidates"] = [_candidate_json(c) for c in event.get("candidates", [])]
                entry["sampled"] = int(event.get("sampled", len(entry["candidates"])))
                entry["reason"] = self._reason(event["key"], entry["candidates"])
                if exact_victim is not None and exact_victim != event["key"]:
                    sampled = {c["key"] for c in entry["candidates"]}
                    if entry["candidates"] and entry["candidates"][0].get("stale"):
                        why = f"the pool's score for {event['key']} was out of date"
                    elif exact_victim not in sampled:
                        why = "it was not sampled"
                    else:
                        why = "a tie"
                    entry["exactVictim"] = exact_victim
                    entry["reason"] += (
                        f". Exact {POLICIES[self.policy][0]} would have evicted {exact_victim} "
                        f"({why})"
                    )
        self.log.append(entry)
        return entry

    def _exact_victim(self) -> str | None:
        """What an exact policy would evict now, from the engine's own per-key numbers (only
        when the cache is full). Used in Redis mode to show where sampling chose differently."""
        infos = [i for i in (self.store.key_info(k) for k in self.store.keys()) if i]
        if len(infos) < self.capacity:
            return None
        if self.policy == "lru":
            best = max(infos, key=lambda i: i["idle_ms"])
        elif self.policy == "lfu":
            best = min(infos, key=lambda i: (i["freq"], -i["idle_ms"]))
        else:
            best = min(infos, key=lambda i: (i["ttl_ms"], -i["idle_ms"]))
        return str(best["key"])

    def run_to_end(self) -> None:
        while not self.finished:
            self.advance()

    @property
    def hit_rate(self) -> float:
        """Hits as a percentage of accesses so far (0 before the first access)."""
        total = self.hits + self.misses
        return round(100 * self.hits / total, 1) if total else 0.0

    def _reason(self, victim: str, candidates: list[dict[str, Any]]) -> str:
        """Why the engine picked ``victim``, in words, from the candidates it examined."""
        mine = next((c for c in candidates if c["key"] == victim), None)
        n = len(candidates)
        if self.redis_mode:
            scope = f"{n} candidates (Redis samples {REDIS_SAMPLES})"
        else:
            scope = f"all {n} keys"
        if self.policy == "random" or mine is None:
            return f"{victim}: picked at random from {self.capacity} keys"
        if mine.get("stale"):  # Redis mode: a pooled key keeps the score it was sampled with
            word = {"lru": "idle time", "lfu": "LFU counter", "ttl": "TTL"}[self.policy]
            return (
                f"{victim}: its pooled {word} (from when Redis sampled it) was the best of "
                f"{scope}; it has changed since, and Redis does not re-check pooled keys"
            )
        if self.policy == "lru":
            return f"{victim}: idle {_seconds(mine['idleMs'])}, the longest of {scope}"
        if self.policy == "lfu":
            freq = mine["freq"]
            if self.redis_mode:
                text = f"{victim}: LFU counter {freq}, the lowest of {scope}"
            else:
                text = f"{victim}: {freq} {'use' if freq == 1 else 'uses'}, the fewest of {scope}"
            if sum(1 for c in candidates if c["freq"] == freq) > 1:
                text += f"; tie broken by idle time, {_seconds(mine['idleMs'])}"
            return text
        return f"{victim}: TTL {_seconds(mine['ttlMs'])}, the nearest expiry of {scope}"


def _candidate_json(candidate: dict[str, Any]) -> dict[str, Any]:
    return {
        "key": candidate.get("key"),
        "idleMs": candidate.get("idle_ms"),
        "freq": candidate.get("freq"),
        "ttlMs": candidate.get("ttl_ms"),
        "stale": bool(candidate.get("stale", False)),
    }


class Controller:
    """The cache-eviction-simulator's whole state (seam 2).

    Commands the page sends: ``next`` (Next Access), ``set_running`` / ``tick`` (Full Sequence:
    the page's 500 ms timer calls ``tick``, which steps only while running), ``step`` (the
    test hook ``window.microsim.step``), ``set_policy``, ``set_mode``, ``set_capacity``,
    ``set_sequence``, ``predict``, ``reset``.

    >>> sim = Controller({"policy": "lfu", "capacity": 6}, seed=1)
    >>> sim.cmd_step(20)
    >>> "A" in [slot["key"] for slot in sim.state()["slots"]]
    True
    """

    def __init__(self, params: dict[str, Any] | None, seed: int = 1) -> None:
        values, notices = read_params(SPEC, params)
        self.param_notices: list[str] = notices  # shown once by the page: bad values fell back
        self.seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else 1
        self.policy: str = values["policy"]
        self.capacity: int = values["capacity"]
        self.redis_mode = values["mode"] == "redis"
        text = values["sequence"] or DEFAULT_SEQUENCE
        try:
            self.accesses = parse_sequence(str(text))
        except SimInputError as error:
            self.param_notices.append(f"Sequence not used: {error} Using the default sequence.")
            self.accesses = parse_sequence(DEFAULT_SEQUENCE)
        self.cmd_reset()

    # ----------------------------------------------------------------------------- commands
    def cmd_reset(self) -> None:
        """Back to step 0 for the current policy, mode, capacity and sequence."""
        self.run = CacheRun(self.accesses, self.capacity, self.policy, self.redis_mode, self.seed)
        self.running = False
        self.prediction: str | None = None
        self.score = {"correct": 0, "total": 0}
        self._comparison: list[dict[str, Any]] | None = None
        self.restarted = False  # a settings change restarted a run and no step has run since
        self.narration = (
            f"Ready: {POLICIES[self.policy][0]} cache with {self.capacity} slots, "
            f"{len(self.accesses)} accesses to replay. Press Next Access."
        )

    def cmd_step(self, n: int = 1) -> None:
        """Advance ``n`` accesses exactly as the play loop would (stops at the end)."""
        count = check("n", STEP_PARAM, n)
        for _ in range(count):
            if self.run.finished:
                break
            self._advance()

    def cmd_next(self) -> None:
        """Next Access: one step; ignored while Full Sequence is running (never double-steps)."""
        if self.running:
            self.narration = "Full Sequence is running; press Full Sequence to pause first."
            return
        if self.run.finished:
            self.narration = "The sequence is finished. Press Reset, or Full Sequence to replay it."
            return
        self._advance()

    def cmd_set_running(self, running: bool = True) -> None:
        """Full Sequence on/off. Starting at the end replays the sequence from step 0."""
        if not isinstance(running, bool):
            raise SimInputError("set_running needs running = true or false.")
        if running and self.run.finished:
            self.cmd_reset()
        self.running = bool(running)
        if self.running:
            left = len(self.accesses) - self.run.step
            self.narration = f"Running the sequence: {left} accesses, one every half second."
        else:
            self.narration = f"Paused at step {self.run.step} of {len(self.accesses)}."

    def cmd_tick(self) -> None:
        """One beat of the Full Sequence timer: a step while running, nothing otherwise."""
        if not self.running:
            return
        self._advance()
        if self.run.finished:
            self.running = False
            self.narration += " Sequence complete."

    def cmd_set_policy(self, policy: str = "lru") -> None:
        if policy not in POLICIES:
            raise SimInputError(f'Unknown policy "{policy}": choose LRU, LFU, Random or TTL-based.')
        restarted = self.run.step > 0 or self.restarted
        self.policy = policy
        self.cmd_reset()
        self._note_restart(f"Policy changed to {POLICIES[policy][0]}", restarted)

    def cmd_set_mode(self, redis: bool = False) -> None:
        """Redis approximation on (5 samples, log LFU counter) or off (exact); restarts."""
        if not isinstance(redis, bool):
            raise SimInputError("set_mode needs redis = true or false.")
        restarted = self.run.step > 0 or self.restarted
        self.redis_mode = bool(redis)
        self.cmd_reset()
        what = (
            f"Redis approximation on: {REDIS_SAMPLES} sampled keys per eviction, 8-bit log LFU"
            if self.redis_mode
            else "Redis approximation off: exact policies"
        )
        self._note_restart(what, restarted)

    def cmd_set_capacity(self, capacity: int = CAPACITY_DEFAULT) -> None:
        value = check("capacity", PARAMS["capacity"], capacity)
        restarted = self.run.step > 0 or self.restarted
        self.capacity = value
        self.cmd_reset()
        self._note_restart(f"Capacity set to {value} slots", restarted)

    def cmd_set_sequence(self, text: str = "") -> None:
        """Replace the sequence (empty text restores the default 20 steps) and restart."""
        raw = str(text if text is not None else "")
        accesses = parse_sequence(raw) if raw.strip() else parse_sequence(DEFAULT_SEQUENCE)
        restarted = self.run.step > 0 or self.restarted
        self.accesses = accesses
        self.cmd_reset()
        self._note_restart(f"Sequence set: {len(accesses)} accesses", restarted)

    def cmd_predict(self, key: str = "") -> None:
        """The student's guess for the next eviction; checked when that eviction happens."""
        keys = self.run.keys()
        if self.run.finished:
            raise SimInputError("The sequence is finished: there is no next eviction to predict.")
        if key not in keys:
            raise SimInputError(f'"{str(key)[:20]}" is not in the cache: pick one of the slots.')
        self.prediction = key
        self.narration = (
            f"Your prediction: {key} goes at the next eviction. Press Next Access to check."
        )

    # ----------------------------------------------------------------------------- stepping
    def _advance(self) -> None:
        self.restarted = False
        entry = self.run.advance()
        entry["prediction"] = None
        if entry["evicted"] is not None and self.prediction is not None:
            correct = self.prediction == entry["evicted"]
            entry["prediction"] = {"key": self.prediction, "correct": correct}
            self.score["total"] += 1
            self.score["correct"] += int(correct)
            self.prediction = None
        elif self.prediction is not None and self.prediction not in self.run.keys():
            self.prediction = None  # e.g. the key expired: nothing left to judge
        self.narration = self._narrate(entry)

    def _narrate(self, entry: dict[str, Any]) -> str:
        total = len(self.accesses)
        head = f"Step {entry['step']} of {total}: GET {entry['key']}"
        expired = f" ({', '.join(entry['expired'])} expired)" if entry["expired"] else ""
        if entry["hit"]:
            text = f"{head} is a hit.{expired}"
        elif entry["evicted"] is not None:
            text = f"{head} is a miss{expired}; evicted {entry['reason']}."
        else:
            text = f"{head} is a miss{expired}; loaded from the database into a free slot."
        guess = entry.get("prediction")
        if guess:
            verdict = "right" if guess["correct"] else f"wrong, it was {entry['evicted']}"
            text += (
                f" You predicted {guess['key']}: {verdict}. "
                f"Score {self.score['correct']} of {self.score['total']}."
            )
        text += f" Hit rate {self.run.hit_rate:g}%."
        return text

    def _note_restart(self, what: str, restarted: bool) -> None:
        """Narrate a settings change. A run in progress restarted, and so did every further
        change before the next step (Capacity 7, 8, 9 by arrow keys), so the notice says so."""
        self.restarted = restarted
        self.narration = f"{what}; the run restarted from step 0." if restarted else f"{what}."

    # ----------------------------------------------------------------------------- state
    def comparison(self) -> list[dict[str, Any]] | None:
        """Hit rates of all four policies on this sequence (same seed/capacity/mode), once the
        run is finished; ``None`` before."""
        if not self.run.finished:
            return None
        if self._comparison is None:
            rows = []
            for policy, (label, redis_name) in POLICIES.items():
                run = CacheRun(self.accesses, self.capacity, policy, self.redis_mode, self.seed)
                run.run_to_end()
                rows.append(
                    {
                        "policy": label,
                        "id": policy,
                        "engine": redis_name,
                        "hits": run.hits,
                        "misses": run.misses,
                        "evictions": run.evictions,
                        "hitRate": run.hit_rate,
                    }
                )
            self._comparison = rows
        return self._comparison

    def _slots(self, victim: str | None) -> list[dict[str, Any]]:
        now = self.run.clock.now_ms()
        slots = []
        for key in self.run.keys():
            info = self.run.store.key_info(key)
            if info is None:
                continue
            ttl_ms = info.get("ttl_ms")
            ttl_ms = ttl_ms if isinstance(ttl_ms, int) and ttl_ms >= 0 else None
            last = info.get("last_access_ms")
            slots.append(
                {
                    "key": key,
                    "value": info.get("value"),
                    "accessCount": info.get("access_count"),
                    "freq": info.get("freq"),
                    "lastAccess": last,
                    "lastAccessS": None if last is None else last / 1000,
                    "idle": info.get("idle_ms"),
                    "idleS": None if info.get("idle_ms") is None else info["idle_ms"] / 1000,
                    "ttl": None if ttl_ms is None else ttl_ms / 1000,
                    "ttlMs": ttl_ms,
                    "expiresAt": None if ttl_ms is None else now + ttl_ms,
                    "nextEvict": key == victim,
                }
            )
        slots.sort(key=self._display_rank, reverse=True)
        slots.sort(key=lambda s: s["nextEvict"])  # stable: the victim sinks to the bottom
        for position, slot in enumerate(slots):
            slot["position"] = position
        return slots

    def _display_rank(self, slot: dict[str, Any]) -> tuple:
        """Sort key, largest = safest (top). Display only: the victim is the engine's choice."""
        last = slot["lastAccess"] if slot["lastAccess"] is not None else 0
        if self.policy == "lfu":
            freq = slot["freq"] if slot["freq"] is not None else 0
            return (freq, last, slot["key"])
        if self.policy == "ttl":
            ttl = slot["ttlMs"] if slot["ttlMs"] is not None else 0
            return (ttl, last, slot["key"])
        if self.policy == "random":
            return (0, slot["key"])
        return (last, slot["key"])

    def state(self) -> dict[str, Any]:
        """Everything the page shows (the shape in docs/contracts.md plus extras), JSON-able.

        Units: ``clockMs``, ``slots[].lastAccess`` / ``idle`` / ``ttlMs`` in virtual ms (one
        access = 1000 ms); ``slots[].ttl`` / ``lastAccessS`` / ``idleS`` in seconds; ``hitRate``
        in percent. ``slots`` are in display order, the next victim (``nextEvict``, the engine's
        ``eviction_preview()``, set only when the cache is full) last. ``log[]`` entries add
        ``reason``, ``candidates`` (the keys the engine compared), ``sampled``, ``expired``,
        ``prediction`` and, in Redis mode, ``exactVictim`` when sampling chose differently.
        ``comparison`` holds the four policies' hit rates once the run is finished.
        """
        run = self.run
        keys_now = run.keys()
        full = len(keys_now) >= self.capacity
        # The engine's pick for the next eviction; it only matters (red border) when full.
        victim = run.store.eviction_preview() if full else None
        slots = self._slots(victim)
        upcoming = None
        if not run.finished:
            nxt = self.accesses[run.step]
            upcoming = {
                "key": nxt.key,
                "hit": nxt.key in keys_now,
                "evicts": nxt.key not in keys_now and full,
            }
        return {
            "simId": SIM_ID,
            "policy": POLICIES[self.policy][0],
            "policyId": self.policy,
            "enginePolicy": POLICIES[self.policy][1],
            "mode": "redis" if self.redis_mode else "exact",
            "samples": REDIS_SAMPLES if self.redis_mode else EXACT_SAMPLES,
            "lfuCounter": "log" if self.redis_mode else "exact",
            "capacity": self.capacity,
            "seed": self.seed,
            "step": run.step,
            "total": len(self.accesses),
            "stepMs": STEP_MS,
            "clockMs": run.clock.now_ms(),
            "sequence": [a.to_json() for a in self.accesses],
            "sequenceText": sequence_text(self.accesses),
            "isDefaultSequence": sequence_text(self.accesses) == DEFAULT_SEQUENCE,
            "slots": slots,
            "nextEvict": victim,
            "upcoming": upcoming,
            "log": [dict(e) for e in run.log],
            "hits": run.hits,
            "misses": run.misses,
            "evictions": run.evictions,
            "hitRate": run.hit_rate,
            "memoryUsed": len(keys_now),
            "memoryBytes": run.store.used_memory,
            "running": self.running,
            "finished": run.finished,
            "prediction": self.prediction,
            "score": dict(self.score),
            "comparison": self.comparison(),
            "paramNotices": list(self.param_notices),
            "narration": self.narration,
            "restarted": self.restarted,
            "animating": False,
        }
