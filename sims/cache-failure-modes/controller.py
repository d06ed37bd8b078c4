"""Controller for the cache-failure-modes MicroSim (cache stampede and hot key, side by side).

The sim shows two failure modes of a cache at scale, each in its own panel, each driven by a
scenario model from ``kvengine.scenarios`` ticking in virtual time:

* left, **Cache Stampede**: ``StampedeModel`` -- N application servers reading ``keys`` hot
  entries cached together (same TTL): ``keys`` = N (the default) is a batch of N entries, one
  per server; ``keys`` = 1 is one hot key read by every server. When the TTL runs out the
  servers miss at once and all query the primary database. Mitigations: jittered TTLs, a mutex
  lock per key on miss, probabilistic early expiration (XFetch).
* right, **Hot Key**: ``HotKeyModel`` -- requests routed by Redis Cluster hash slot; one hot key
  pins about 80% of the traffic on one shard. Mitigations: key replicas ``key:1..N``, a local
  in-process cache, read replicas.

This module owns only what the page needs around the models: which mitigation each panel runs,
whether each panel is playing, the play speed, and one results row per mitigation tried (per
scenario, ``keys``, in the stampede panel), so a student can compare them (the L4-L5 "evaluate"
part of the objective). It computes no number of its own: every figure on screen is a field of a
model snapshot.

Fair comparison, the main design choice: every run of a panel uses the same seed, so the traffic
is identical and only the mitigation differs, and a results row is measured over a fixed
evaluation window (the first ``STAMPEDE_WINDOW`` / ``HOTKEY_WINDOW`` ticks, which the public
contract, docs/contracts.md, guarantees hold a whole stampede cycle and settled hot-key shares).
Once a run has covered its window its row is frozen and the panel pauses; re-running the same
mitigation reproduces the same row. Stepping back one tick replays the run from tick 0 to the
tick before (the models are seeded, so the replay is the same run).

The narration reads one panel, the one the student last operated (``focus``), and names it
("Stampede: ...", "Hot key: ..."); the other panel's moments go to ``moments`` only.

Play/pause and speed are flags only: the page's timer calls ``step`` while a panel plays (the
controller has no clock of its own), so ``window.microsim.step(n)`` and the play loop advance the
models in exactly the same way.

Usage::

    >>> sim = Controller({"servers": 10, "shards": 3}, seed=1)
    >>> sim.cmd_step(300)
    >>> sim.state()["stampede"]["dbPeak"]
    10
    >>> sim.cmd_mitigate(panel="stampede", mitigation="jitter")   # re-runs the left panel
    >>> sim.cmd_step(300, panel="stampede")
    >>> [row["mitigation"] for row in sim.state()["stampede"]["results"]]
    ['none', 'jitter']
    >>> sim.cmd_keys(1)        # one hot key read by all ten servers
    >>> sim.state()["stampede"]["scenario"]
    '1 hot key, 10 servers reading it'
"""

from __future__ import annotations

import math
from typing import Any

from kvengine.scenarios.hotkey import HotKeyModel
from kvengine.scenarios.stampede import StampedeModel
from microsims import SimInputError, spec_beside
from microsims.params import check, choices, labels, read_params

SPEC = spec_beside(__file__)  # sim.json: parameters, mitigation names and labels, speeds
SIM_ID: str = SPEC["id"]
OPTIONS = SPEC["options"]

PANELS = ("stampede", "hotKey")
PANEL_TITLES = {"stampede": "Cache Stampede", "hotKey": "Hot Key"}
PANEL_NAMES = {"stampede": "Stampede", "hotKey": "Hot key"}  # narration and control prefixes

# value -> label (the menus, the narration); SHORT: value -> short label (tables, canvas)
STAMPEDE_MITIGATIONS: dict[str, str] = labels(OPTIONS["stampedeMitigation"])
HOTKEY_MITIGATIONS: dict[str, str] = labels(OPTIONS["hotKeyMitigation"])
MITIGATIONS = {"stampede": STAMPEDE_MITIGATIONS, "hotKey": HOTKEY_MITIGATIONS}
SHORT = {
    "stampede": labels(OPTIONS["stampedeMitigation"], "short"),
    "hotKey": labels(OPTIONS["hotKeyMitigation"], "short"),
}

STAMPEDE_WINDOW = 300  # ticks: a whole stampede cycle at default parameters (docs/contracts.md)
HOTKEY_WINDOW = 120  # ticks: the hot-key shares have settled (docs/contracts.md)
WINDOWS = {"stampede": STAMPEDE_WINDOW, "hotKey": HOTKEY_WINDOW}

SPEEDS = tuple(choices(OPTIONS["speed"]))  # ticks per second of wall time while a panel plays
DEFAULT_SPEED: int = OPTIONS["speed"]["default"]
MAX_STEP = 1000  # ticks per step call: one call stays short for the shared browser interpreter


class Controller:
    """The cache-failure-modes sim: two scenario models, their mitigations and results tables.

    >>> sim = Controller({}, seed=1)
    >>> sim.state()["stampede"]["mitigation"], sim.state()["hotKey"]["mitigation"]
    ('none', 'none')
    """

    def __init__(self, params: dict[str, Any], seed: int) -> None:
        values, _notices = read_params(SPEC, params)  # the page shows its own URL notices
        self.servers: int = values["servers"]
        self.keys: int = values["keys"]
        self.shards: int = values["shards"]
        self.seed = seed if isinstance(seed, int) and not isinstance(seed, bool) else 1
        self.cmd_reset()

    # ---- model construction -------------------------------------------------------------

    def _new_model(self, panel: str) -> StampedeModel | HotKeyModel:
        mitigation = self.mitigation[panel]
        if panel == "stampede":
            return StampedeModel(
                servers=self.servers, keys=self.keys, mitigation=mitigation, seed=self.seed
            )
        return HotKeyModel(shards=self.shards, mitigation=mitigation, seed=self.seed)

    def _restart(self, panel: str) -> None:
        """Start the panel's run again at tick 0 with its current mitigation.

        Rows of runs that stopped before their window are dropped: they could never be compared.
        """
        self.results[panel] = [row for row in self.results[panel] if row["complete"]]
        self.models[panel] = self._new_model(panel)
        self.snapshots[panel] = self.models[panel].snapshot()
        self.seen[panel] = set()
        if panel == "hotKey":
            self.overloaded_shards: set[int] = set()
        self._record(panel)

    # ---- scenarios of the stampede panel ------------------------------------------------------

    def scenario(self, keys: int) -> str:
        """What the stampede panel models with ``keys`` hot keys, in words for the canvas.

        >>> sim = Controller({"servers": 10}, seed=1)
        >>> sim.scenario(10)
        '10 hot entries cached together'
        >>> sim.scenario(1)
        '1 hot key, 10 servers reading it'
        >>> sim.scenario(3)
        '3 hot keys cached together, 10 servers reading them'
        """
        if keys == 1:
            return f"1 hot key, {self.servers} servers reading it"
        if keys == self.servers:
            return f"{keys} hot entries cached together"
        return f"{keys} hot keys cached together, {self.servers} servers reading them"

    def scenario_short(self, keys: int) -> str:
        """The scenario's heading in the results table ("Batch of 10", "1 hot key")."""
        if keys == 1:
            return "1 hot key"
        return f"Batch of {keys}" if keys == self.servers else f"{keys} hot keys"

    def _scenarios(self) -> list[dict[str, Any]]:
        """The two scenarios the results table compares: the current one and the one run last
        before it (else the other shape: 1 key for a batch, a batch for 1 key), most keys first."""
        runs = [r["keys"] for r in self.results["stampede"] if r["keys"] != self.keys]
        other = runs[-1] if runs else (self.servers if self.keys == 1 else 1)
        if other == self.keys:  # one server: a batch of one is one key
            chosen = [self.keys]
        else:
            chosen = sorted((self.keys, other), reverse=True)
        return [
            {"keys": k, "label": self.scenario_short(k), "current": k == self.keys} for k in chosen
        ]

    # ---- results table --------------------------------------------------------------------

    def _row(self, panel: str, snap: dict[str, Any]) -> dict[str, Any]:
        mitigation = self.mitigation[panel]
        row: dict[str, Any] = {
            "mitigation": mitigation,
            "label": SHORT[panel][mitigation],
            "ticks": min(snap["tick"], WINDOWS[panel]),
            "complete": snap["tick"] >= WINDOWS[panel],
        }
        if panel == "stampede":
            row.update(
                keys=self.keys,
                scenario=self.scenario_short(self.keys),
                dbPeak=snap["dbPeak"],
                recomputes=snap["recomputes"],
                staleReads=snap["staleReads"],
                misses=snap["misses"],
                overloaded=bool(snap["everOverloaded"]),
            )
        else:
            row.update(
                maxShare=snap["maxShare"],
                overloaded=bool(self.overloaded_shards),
                overloadedShards=sorted(self.overloaded_shards),
                localHitRate=snap["localHitRate"],
            )
        return row

    def _record(self, panel: str) -> None:
        """Update the current mitigation's row unless a run already completed its window."""
        if self.snapshots[panel]["tick"] == 0:
            return  # nothing measured yet
        rows = self.results[panel]
        mitigation = self.mitigation[panel]
        row = self._row(panel, self.snapshots[panel])
        for i, old in enumerate(rows):
            if old["mitigation"] == mitigation and old.get("keys") == row.get("keys"):
                if not old["complete"]:
                    rows[i] = row
                return
        rows.append(row)

    # ---- narration: the key moments of a run ----------------------------------------------

    def _first(self, panel: str, what: str) -> bool:
        """True the first time ``what`` happens in the panel's current run."""
        if what in self.seen[panel]:
            return False
        self.seen[panel].add(what)
        return True

    def _stampede_moments(self, before: dict[str, Any], snap: dict[str, Any]) -> list[str]:
        events = snap["events"]
        tick = snap["tick"]
        expired = sum(1 for e in events if e["type"] == "expired")
        misses = sum(1 for e in events if e["type"] == "miss")
        load = snap["dbLoad"]
        queries = f"{load} {'query hits' if load == 1 else 'queries hit'} the database"
        moments = []
        if expired and misses > 1:
            moments.append(
                f"Tick {tick}: TTL expired: {misses} of {self.servers} servers miss at once; "
                f"{queries}."
            )
        elif expired and self._first("stampede", "expired"):
            what = (
                f"{expired} cached entries expired at once"
                if expired > 1
                else ("a cached entry expired")
            )
            moments.append(f"Tick {tick}: {what}; {queries}.")
        if any(e["type"] == "stale" for e in events) and self._first("stampede", "stale"):
            holder = next((e["server"] for e in events if e["type"] == "lock"), None)
            who = (
                f"server {holder + 1} holds the lock and recomputes"
                if holder is not None
                else ("one server holds the lock")
            )
            moments.append(f"Tick {tick}: {who}; the other servers serve the stale value.")
        early = [e for e in events if e["type"] == "recompute" and e.get("early")]
        if early and self._first("stampede", "early"):
            moments.append(
                f"Tick {tick}: server {early[0]['server'] + 1} recomputes its entry early, "
                f"{snap['servers'][early[0]['server']].get('ttl')} ticks before it expires."
            )
        if snap["dbOverloaded"] and not before["dbOverloaded"]:
            moments.append(f"DB Overload: {load} queries in flight, capacity {snap['dbCapacity']}.")
        if before["dbOverloaded"] and not snap["dbOverloaded"]:
            moments.append(f"Tick {tick}: the database is back under its capacity.")
        return moments

    def _hotkey_moments(self, before: dict[str, Any], snap: dict[str, Any]) -> list[str]:
        moments = []
        if snap["tick"] == 1:
            keys = "; ".join(
                f"{k['key']} \u2192 slot {k['slot']} \u2192 shard {k['shard']}"
                for k in snap["hotKeys"]
            )
            moments.append(f"Requests arrive: {keys}.")
        for shard in snap["shards"]:
            if shard["overloaded"] and self._first("hotKey", f"over{shard['id']}"):
                moments.append(
                    f"Tick {snap['tick']}: Shard {shard['id']} OVERLOADED: {shard['load']} "
                    f"requests this tick, capacity {shard['capacity']}; "
                    f"{round(100 * shard['share'])}% of all requests so far."
                )
        return moments

    def _window_moment(self, panel: str) -> str:
        row = next(r for r in self.results[panel] if r["mitigation"] == self.mitigation[panel])
        return f"results recorded over {WINDOWS[panel]} ticks; paused. " + self._row_sentence(
            panel, row
        )

    @staticmethod
    def _row_sentence(panel: str, row: dict[str, Any]) -> str:
        if panel == "stampede":
            status = "overloaded" if row["overloaded"] else "never overloaded"
            return (
                f"{row['label']}: peak database load {row['dbPeak']}, {row['recomputes']} "
                f"recomputes, {row['staleReads']} stale reads; the database was {status}."
            )
        shards = ", ".join(f"Shard {s}" for s in row["overloadedShards"])
        return (
            f"{row['label']}: largest share {round(100 * row['maxShare'])}%; "
            f"{shards + ' overloaded' if shards else 'no shard overloaded'}."
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
            self.focus = "stampede"
            self.results: dict[str, list[dict[str, Any]]] = {"stampede": [], "hotKey": []}
            self.models: dict[str, Any] = {}
            self.snapshots: dict[str, dict[str, Any]] = {}
            self.seen: dict[str, set[str]] = {}
            self.moments: list[str] = []
            for name in PANELS:
                self._restart(name)
            self.narration = (
                f"Ready. Stampede: {self.scenario(self.keys)}, TTL "
                f"{self.snapshots['stampede']['ttlRemaining']} ticks. Hot key: {self.shards} "
                "shards. Press Play on a panel."
            )
            return
        name = self._focus(panel)
        self.playing[name] = False
        self._restart(name)
        self.narration = f"{PANEL_NAMES[name]}: reset to tick 0 ({self._label(name)}), paused."

    def _focus(self, panel: Any) -> str:
        """The panel named by ``panel``, which the narration now follows."""
        name = self._panel(panel)
        self.focus = name
        return name

    def _label(self, panel: str) -> str:
        mitigation = self.mitigation[panel]
        label = MITIGATIONS[panel][mitigation]
        return (
            label.lower() if mitigation == "none" else label
        )  # "Re-running ... with no mitigation"

    def _tick(self, name: str) -> list[str]:
        """Advance one panel by one tick; returns its key moments, prefixed with its name.

        A panel that reaches the end of its measured window pauses there (its row is final).
        """
        before = self.snapshots[name]
        snap = self.models[name].step()
        self.snapshots[name] = snap
        was_complete = before["tick"] >= WINDOWS[name]
        if name == "hotKey" and not was_complete:
            over = (shard["id"] for shard in snap["shards"] if shard["overloaded"])
            self.overloaded_shards.update(over)
        self._record(name)
        if name == "stampede":
            moments = self._stampede_moments(before, snap)
        else:
            moments = self._hotkey_moments(before, snap)
        if not was_complete and snap["tick"] == WINDOWS[name]:
            self.playing[name] = False
            moments.append(self._window_moment(name))
        return [f"{PANEL_NAMES[name]}: {m.replace('Tick ', 'tick ', 1)}" for m in moments]

    @staticmethod
    def _count(n: Any) -> int:
        if (
            isinstance(n, bool)
            or not isinstance(n, int | float)
            or not math.isfinite(n)
            or (n != int(n))
        ):
            raise SimInputError(f"Step count must be a whole number, not {n!r}.")
        n = int(n)
        if not 1 <= n <= MAX_STEP:
            raise SimInputError(f"Step count must be between 1 and {MAX_STEP}, not {n}.")
        return n

    def cmd_step(self, n: int = 1, panel: str = "both", if_playing: bool = False) -> None:
        """Advance ``n`` ticks: both panels (the default, as ``window.microsim.step``) or one.

        ``if_playing=True`` (the page's play loop) advances only panels that are still playing: a
        step the timer queued just before a Pause must not move the paused panel on, and a panel
        that pauses at the end of its window stops there.
        """
        n = self._count(n)
        panels = PANELS if panel == "both" else (self._focus(panel),)
        moments: list[str] = []
        for _ in range(n):
            for name in panels:
                if if_playing is True and not self.playing[name]:
                    continue
                got = self._tick(name)
                self.moments = (self.moments + got)[-12:]
                if name == self.focus:
                    moments += got
        if moments:
            # The live line reads the key moments of this step in the panel the student follows
            # (the last two if many happened); a step with none leaves it as it was, so playing
            # does not chatter every tick.
            self.narration = " ".join(moments[-2:])

    def cmd_back(self, panel: str) -> None:
        """Step ``panel`` back one tick: replay its run from tick 0 to the tick before, paused.

        The models are seeded, so the replay is the same run; the results row is rebuilt by it.
        """
        name = self._panel(panel)
        target = self.snapshots[name]["tick"] - 1
        if target < 0:
            raise SimInputError(f"{PANEL_TITLES[name]} is at tick 0: there is no tick before.")
        self.focus = name
        self.playing[name] = False
        self._restart(name)
        for _ in range(target):
            self._tick(name)
        self.playing[name] = False
        self.narration = f"{PANEL_NAMES[name]}: back to tick {target}, paused. " + (
            self._stampede_now() if name == "stampede" else self._hotkey_now()
        )

    def _stampede_now(self) -> str:
        snap = self.snapshots["stampede"]
        ttl = snap["ttlRemaining"]
        cache = f"TTL {ttl} ticks left" if ttl > 0 else "an entry has expired"
        return f"{cache}; {snap['dbLoad']} queries at the database."

    def _hotkey_now(self) -> str:
        snap = self.snapshots["hotKey"]
        over = [f"Shard {s['id']}" for s in snap["shards"] if s["overloaded"]]
        return (", ".join(over) + " overloaded.") if over else "No shard overloaded."

    def cmd_keys(self, keys: int) -> None:
        """Choose the stampede's scenario: ``keys`` hot keys (1 to ``servers``); re-run, paused.

        The results of the other scenario stay, so the table compares the two.
        """
        param = SPEC["params"]["keys"]
        value = check("keys", {**param, "max": self.servers}, keys)
        self.keys = value
        self.focus = "stampede"
        self.playing["stampede"] = False
        self._restart("stampede")
        self.narration = (
            f"Stampede: {self.scenario(value)} ({self._label('stampede')}); tick 0, paused."
        )

    def cmd_focus(self, panel: str) -> None:
        """Follow ``panel`` in the narration (the page shows one panel at a time on a phone)."""
        name = self._focus(panel)
        self.narration = (
            f"{PANEL_NAMES[name]}: shown, tick {self.snapshots[name]['tick']}, "
            f"{self._label(name)}, {'playing' if self.playing[name] else 'paused'}."
        )

    def cmd_mitigate(self, panel: str, mitigation: str) -> None:
        """Choose a panel's mitigation ("none" compares against no mitigation) and re-run it.

        The re-run starts playing at once, as the spec's "Mitigate" buttons do.
        """
        name = self._panel(panel)
        if not isinstance(mitigation, str) or mitigation not in MITIGATIONS[name]:
            choices = ", ".join(MITIGATIONS[name])
            raise SimInputError(
                f"Unknown {PANEL_TITLES[name]} mitigation {mitigation!r}: use one of {choices}."
            )
        self.focus = name
        self.mitigation[name] = mitigation
        self._restart(name)
        self.playing[name] = True
        self.narration = f"{PANEL_NAMES[name]}: re-running with {self._label(name)}."

    def cmd_play(self, panel: str, playing: bool | None = None) -> None:
        """Play or pause a panel (``playing`` omitted: toggle)."""
        if playing is not None and not isinstance(playing, bool):
            raise SimInputError("playing must be true or false.")
        name = self._focus(panel)
        self.playing[name] = (not self.playing[name]) if playing is None else playing
        word = "playing" if self.playing[name] else "paused"
        self.narration = f"{PANEL_NAMES[name]}: {word} at tick {self.snapshots[name]['tick']}."

    def cmd_speed(self, speed: int) -> None:
        """Set the play speed in ticks per second (one of ``SPEEDS``)."""
        if isinstance(speed, bool) or speed not in SPEEDS:
            choices = ", ".join(str(s) for s in SPEEDS)
            raise SimInputError(f"Speed must be one of {choices} ticks per second, not {speed!r}.")
        self.speed = int(speed)
        self.narration = f"Speed: {self.speed} ticks per second."

    # ---- state ----------------------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """JSON-able state: the shape in docs/contracts.md plus view fields."""
        panels = {}
        for name in PANELS:
            panel = dict(self.snapshots[name])
            panel["playing"] = self.playing[name]
            panel["window"] = WINDOWS[name]
            panel["results"] = [dict(row) for row in self.results[name]]
            panel["mitigations"] = [[k, v, SHORT[name][k]] for k, v in MITIGATIONS[name].items()]
            panels[name] = panel
        panels["stampede"]["keys"] = self.keys
        panels["stampede"]["scenario"] = self.scenario(self.keys)
        panels["stampede"]["scenarios"] = self._scenarios()
        return {
            "stampede": panels["stampede"],
            "hotKey": panels["hotKey"],
            "params": {
                "servers": self.servers,
                "keys": self.keys,
                "shards": self.shards,
                "seed": self.seed,
            },
            "focus": self.focus,
            "speed": self.speed,
            "speeds": list(SPEEDS),
            "moments": list(self.moments),
            "animating": False,
            "narration": self.narration,
        }
