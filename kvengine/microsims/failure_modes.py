"""Controller for the cache-failure-modes MicroSim (cache stampede and hot key, side by side).

The sim shows two failure modes of a cache at scale, each in its own panel, each driven by a
scenario model from ``kvengine.scenarios`` ticking in virtual time:

* left, **Cache Stampede**: ``StampedeModel`` -- N application servers read one hot entry through
  the cache; when its TTL runs out they all miss at once and all query the primary database.
  Mitigations: jittered TTLs, a mutex lock on miss, probabilistic early expiration (XFetch).
* right, **Hot Key**: ``HotKeyModel`` -- requests routed by Redis Cluster hash slot; one hot key
  pins about 80% of the traffic on one shard. Mitigations: key replicas ``key:1..N``, a local
  in-process cache, read replicas.

This module owns only what the page needs around the models: which mitigation each panel runs,
whether each panel is playing, the play speed, and one results row per mitigation tried, so a
student can compare them (the L4-L5 "evaluate" part of the objective). It computes no number of
its own: every figure on screen is a field of a model snapshot.

Fair comparison, the main design choice: every run of a panel uses the same seed, so the traffic
is identical and only the mitigation differs, and a results row is measured over a fixed
evaluation window (the first ``STAMPEDE_WINDOW`` / ``HOTKEY_WINDOW`` ticks, which CONTRACTS
section 3 guarantees hold a whole stampede cycle and settled hot-key shares). Once a run has
covered its window its row is frozen; re-running the same mitigation reproduces the same row.

Play/pause and speed are flags only: the page's timer calls ``step`` while a panel plays (the
controller has no clock of its own), so ``window.microsim.step(n)`` and the play loop advance the
models in exactly the same way.

Usage::

    >>> sim = FailureModesController({"servers": 10, "shards": 3}, seed=1)
    >>> sim.cmd_step(300)
    >>> sim.state()["stampede"]["dbPeak"]
    10
    >>> sim.cmd_mitigate(panel="stampede", mitigation="jitter")   # re-runs the left panel
    >>> sim.cmd_step(300, panel="stampede")
    >>> [row["mitigation"] for row in sim.state()["stampede"]["results"]]
    ['none', 'jitter']
"""

from __future__ import annotations

from typing import Any

from kvengine.scenarios import HotKeyModel, StampedeModel

from kvengine.microsims import SimInputError


SIM_ID = "cache-failure-modes"

PANELS = ("stampede", "hotKey")
PANEL_TITLES = {"stampede": "Cache Stampede", "hotKey": "Hot Key"}

STAMPEDE_MITIGATIONS = {
    "none": "None",
    "jitter": "Jitter TTL",
    "lock": "Mutex lock",
    "early": "Early expiration",
}
HOTKEY_MITIGATIONS = {
    "none": "None",
    "replicas": "Key replicas",
    "local-cache": "Local cache",
    "read-replicas": "Read replicas",
}
MITIGATIONS = {"stampede": STAMPEDE_MITIGATIONS, "hotKey": HOTKEY_MITIGATIONS}

STAMPEDE_WINDOW = 300  # ticks: a whole stampede cycle at default parameters (CONTRACTS 3)
HOTKEY_WINDOW = 120  # ticks: the hot-key shares have settled (CONTRACTS 3)
WINDOWS = {"stampede": STAMPEDE_WINDOW, "hotKey": HOTKEY_WINDOW}

SPEEDS = (5, 10, 20, 50)  # ticks per second of wall time while a panel plays
DEFAULT_SPEED = 20
MAX_STEP = 5000  # ticks per step call: keeps one call short in the browser

PARAM_RANGES = {"servers": (2, 20, 10), "shards": (2, 6, 3)}


def _int_param(params: dict[str, Any], name: str) -> int:
    """The integer parameter ``name`` if it is in range, else its default."""
    low, high, default = PARAM_RANGES[name]
    value = params.get(name, default)
    if isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    if number != value and str(number) != str(value).strip():
        return default
    return number if low <= number <= high else default


class FailureModesController:
    """The cache-failure-modes sim: two scenario models, their mitigations and results tables.

    >>> sim = FailureModesController({}, seed=1)
    >>> sim.state()["stampede"]["mitigation"], sim.state()["hotKey"]["mitigation"]
    ('none', 'none')
    """

    SIM_ID = SIM_ID

    def __init__(self, params: dict[str, Any], seed: int) -> None:
        params = params if isinstance(params, dict) else {}
        self.servers = _int_param(params, "servers")
        self.shards = _int_param(params, "shards")
        self.seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else 1
        self.cmd_reset()

    # ---- model construction -------------------------------------------------------------

    def _new_model(self, panel: str) -> StampedeModel | HotKeyModel:
        mitigation = self.mitigation[panel]
        if panel == "stampede":
            return StampedeModel(servers=self.servers, mitigation=mitigation, seed=self.seed)
        return HotKeyModel(shards=self.shards, mitigation=mitigation, seed=self.seed)

    def _restart(self, panel: str) -> None:
        """Start the panel's run again at tick 0 with its current mitigation."""
        self.models[panel] = self._new_model(panel)
        self.snapshots[panel] = self.models[panel].snapshot()
        self._record(panel)

    # ---- results table --------------------------------------------------------------------

    def _row(self, panel: str, snap: dict[str, Any]) -> dict[str, Any]:
        mitigation = self.mitigation[panel]
        row: dict[str, Any] = {
            "mitigation": mitigation,
            "label": MITIGATIONS[panel][mitigation],
            "ticks": min(snap["tick"], WINDOWS[panel]),
            "complete": snap["tick"] >= WINDOWS[panel],
        }
        if panel == "stampede":
            row.update(
                dbPeak=snap["dbPeak"],
                recomputes=snap["recomputes"],
                staleReads=snap.get("staleReads", 0),
                misses=snap.get("misses", 0),
                overloaded=bool(snap["dbPeak"] > snap.get("dbCapacity", snap["dbPeak"])),
            )
        else:
            shards = snap["shards"]
            row.update(
                maxShare=snap.get("maxShare", max((s["share"] for s in shards), default=0)),
                overloaded=any(s["overloaded"] for s in shards),
                overloadedShards=[s["id"] for s in shards if s["overloaded"]],
                localHitRate=snap.get("localHitRate", 0),
            )
        return row

    def _record(self, panel: str) -> None:
        """Update the current mitigation's row unless a run already completed its window."""
        rows = self.results[panel]
        mitigation = self.mitigation[panel]
        row = self._row(panel, self.snapshots[panel])
        for i, old in enumerate(rows):
            if old["mitigation"] == mitigation:
                if not old["complete"]:
                    rows[i] = row
                return
        rows.append(row)

    # ---- narration ------------------------------------------------------------------------

    def _stampede_moments(self, before: dict[str, Any], snap: dict[str, Any]) -> list[str]:
        events = snap.get("events", [])
        types = [e.get("type") for e in events]
        misses = sum(1 for t in types if t == "miss")
        moments = []
        if "expired" in types:
            moments.append(
                f"Tick {snap['tick']}: TTL expired: {misses} of {self.servers} servers miss "
                f"at once; {snap['dbLoad']} queries hit the database."
                if misses > 1
                else f"Tick {snap['tick']}: TTL expired; {snap['dbLoad']} "
                f"{'query hits' if snap['dbLoad'] == 1 else 'queries hit'} the database."
            )
        elif misses > 1:
            moments.append(
                f"Tick {snap['tick']}: {misses} servers miss; "
                f"{snap['dbLoad']} queries hit the database."
            )
        if snap["dbOverloaded"] and not before["dbOverloaded"]:
            moments.append(
                f"DB Overload: {snap['dbLoad']} queries in flight, "
                f"capacity {snap.get('dbCapacity', '?')}."
            )
        if before["dbOverloaded"] and not snap["dbOverloaded"]:
            moments.append("The database has recovered.")
        if "early-recompute" in types or "early_recompute" in types:
            moments.append(
                f"Tick {snap['tick']}: one server recomputes the entry before it expires."
            )
        return moments

    def _hotkey_moments(self, before: dict[str, Any], snap: dict[str, Any]) -> list[str]:
        moments = []
        was = {s["id"] for s in before["shards"] if s["overloaded"]}
        now = {s["id"] for s in snap["shards"] if s["overloaded"]}
        for shard in snap["shards"]:
            if shard["id"] in now - was:
                moments.append(
                    f"Tick {snap['tick']}: Shard {shard['id']} OVERLOADED: "
                    f"{round(100 * shard['share'])}% of requests."
                )
            elif shard["id"] in was - now:
                moments.append(f"Tick {snap['tick']}: Shard {shard['id']} is no longer overloaded.")
        return moments

    def _window_moment(self, panel: str) -> str:
        row = next(r for r in self.results[panel] if r["mitigation"] == self.mitigation[panel])
        return f"{PANEL_TITLES[panel]} results recorded. " + self._row_sentence(panel, row)

    @staticmethod
    def _row_sentence(panel: str, row: dict[str, Any]) -> str:
        status = "overloaded" if row["overloaded"] else "not overloaded"
        if panel == "stampede":
            return (
                f"{row['label']}: peak database load {row['dbPeak']}, {row['recomputes']} "
                f"recomputes, {row['staleReads']} stale reads; the database was {status}."
            )
        return (
            f"{row['label']}: largest shard share {round(100 * row['maxShare'])}%; "
            f"{'a shard was' if row['overloaded'] else 'no shard was'} overloaded."
        )

    # ---- commands -------------------------------------------------------------------------

    def _panel(self, panel: Any) -> str:
        aliases = {"stampede": "stampede", "hotKey": "hotKey", "hotkey": "hotKey"}
        if not isinstance(panel, str) or panel not in aliases:
            raise SimInputError(f"Unknown panel {panel!r}: use 'stampede' or 'hotKey'.")
        return aliases[panel]

    def cmd_reset(self, panel: str | None = None) -> None:
        """Reset. Without ``panel``: everything back to the start (both runs, tables, speed).

        With ``panel``: that panel's run restarts at tick 0 with its chosen mitigation and pauses;
        its results table is kept, so the comparison survives a replay.
        """
        if panel is None:
            self.mitigation = {"stampede": "none", "hotKey": "none"}
            self.playing = {"stampede": False, "hotKey": False}
            self.speed = DEFAULT_SPEED
            self.results: dict[str, list[dict[str, Any]]] = {"stampede": [], "hotKey": []}
            self.models: dict[str, Any] = {}
            self.snapshots: dict[str, dict[str, Any]] = {}
            self.moments: list[str] = []
            for name in PANELS:
                self._restart(name)
            self.narration = (
                f"Ready. Cache Stampede: {self.servers} servers share one cached entry, TTL "
                f"{self.snapshots['stampede']['ttlRemaining']} ticks. Hot Key: "
                f"{self.shards} shards. Press Play on a panel."
            )
            return
        name = self._panel(panel)
        self.playing[name] = False
        self._restart(name)
        self.narration = f"{PANEL_TITLES[name]} reset to tick 0 ({self._label(name)}), paused."

    def _label(self, panel: str) -> str:
        mitigation = self.mitigation[panel]
        return "no mitigation" if mitigation == "none" else MITIGATIONS[panel][mitigation]

    def cmd_step(self, n: int = 1, panel: str = "both") -> None:
        """Advance ``n`` ticks: both panels (the default, as ``window.microsim.step``) or one."""
        if isinstance(n, bool) or not isinstance(n, int | float) or n != int(n):
            raise SimInputError(f"Step count must be a whole number, not {n!r}.")
        n = int(n)
        if not 1 <= n <= MAX_STEP:
            raise SimInputError(f"Step count must be between 1 and {MAX_STEP}, not {n}.")
        panels = PANELS if panel == "both" else (self._panel(panel),)
        moments: list[str] = []
        for _ in range(n):
            for name in panels:
                before = self.snapshots[name]
                self.models[name].step()
                snap = self.models[name].snapshot()
                self.snapshots[name] = snap
                was_complete = before["tick"] >= WINDOWS[name]
                self._record(name)
                if name == "stampede":
                    moments += self._stampede_moments(before, snap)
                else:
                    moments += self._hotkey_moments(before, snap)
                if not was_complete and snap["tick"] == WINDOWS[name]:
                    moments.append(self._window_moment(name))
        if moments:
            # The live line reads the key moments of this step (the last two if many happened);
            # a step with none leaves it as it was, so playing does not chatter every tick.
            self.moments = (self.moments + moments)[-12:]
            self.narration = " ".join(moments[-2:])

    def cmd_mitigate(self, panel: str, mitigation: str) -> None:
        """Choose a panel's mitigation ("none" compares against no mitigation) and re-run it.

        The re-run starts playing at once, as the spec's "Mitigate" buttons do.
        """
        name = self._panel(panel)
        if mitigation not in MITIGATIONS[name]:
            choices = ", ".join(MITIGATIONS[name])
            raise SimInputError(
                f"Unknown {PANEL_TITLES[name]} mitigation {mitigation!r}: use one of {choices}."
            )
        self.mitigation[name] = mitigation
        self._restart(name)
        self.playing[name] = True
        self.narration = f"Re-running {PANEL_TITLES[name]} with {self._label(name)}."

    def cmd_play(self, panel: str, playing: bool | None = None) -> None:
        """Play or pause a panel (``playing`` omitted: toggle)."""
        name = self._panel(panel)
        if playing is not None and not isinstance(playing, bool):
            raise SimInputError("playing must be true or false.")
        self.playing[name] = (not self.playing[name]) if playing is None else playing
        word = "playing" if self.playing[name] else "paused"
        self.narration = f"{PANEL_TITLES[name]} {word} at tick {self.snapshots[name]['tick']}."

    def cmd_speed(self, speed: int) -> None:
        """Set the play speed in ticks per second (one of ``SPEEDS``)."""
        if isinstance(speed, bool) or speed not in SPEEDS:
            choices = ", ".join(str(s) for s in SPEEDS)
            raise SimInputError(f"Speed must be one of {choices} ticks per second, not {speed!r}.")
        self.speed = int(speed)
        self.narration = f"Speed: {self.speed} ticks per second."

    # ---- state ----------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """JSON-able state: CONTRACTS section 3 ``cache-failure-modes`` shape plus view fields."""
        panels = {}
        for name in PANELS:
            panel = dict(self.snapshots[name])
            panel["playing"] = self.playing[name]
            panel["window"] = WINDOWS[name]
            panel["results"] = [dict(row) for row in self.results[name]]
            panel["mitigations"] = [[k, v] for k, v in MITIGATIONS[name].items()]
            panels[name] = panel
        return {
            "stampede": panels["stampede"],
            "hotKey": panels["hotKey"],
            "params": {"servers": self.servers, "shards": self.shards, "seed": self.seed},
            "speed": self.speed,
            "speeds": list(SPEEDS),
            "moments": list(self.moments),
            "animating": False,
            "narration": self.narration,
        }
