// Cache Stampede and Hot Key Failure Mode Simulator (sim-id: cache-failure-modes).
// CANVAS_HEIGHT: 500
//
// The view: two panels side by side (one at a time below WIDE px, with a button to switch),
// DOM controls with the spec's labels, the play loop timer, describe() and narration. The whole
// state lives in the Python controller kvengine/microsims/failure_modes.py; this file draws
// sim.state and forwards input. The play loop is here because time on the page is a view matter:
// while a panel plays, a timer asks the controller for `speed / 10` ticks every 100 ms, the same
// `step` command window.microsim.step(n) uses, so both advance the models identically.

import { createMicroSim } from "../kit/microsim.js";
import { drawHotKey, FALL_MS } from "./hotkey-view.js";
import { drawStampede, serverKind } from "./stampede-view.js";

const CANVAS_HEIGHT = 500;
const WIDE = 700; // px: below this the panels are shown one at a time
const TIMER_MS = 100;
const PANEL_TITLE = { stampede: "Cache Stampede", hotKey: "Hot Key" };

// View-only state (never model data): which panel narrow layouts show, the falling dots, timers.
const view = {
  shown: "stampede",
  dots: [],
  dotSeq: 0,
  lastHotTick: -1,
  lastState: null,
  budget: 0,
  busy: false,
  timer: null,
  ui: null,
  controls: {},
};

function playing(state) {
  return state ? { stampede: state.stampede.playing, hotKey: state.hotKey.playing } : {};
}

/** The play loop: while a panel plays, step it at the chosen speed (ticks per second). */
function tick(sim) {
  const state = sim.state;
  if (!state || view.busy) return;
  const on = playing(state);
  if (!on.stampede && !on.hotKey) {
    view.budget = 0;
    return;
  }
  view.budget += (state.speed * TIMER_MS) / 1000;
  const n = Math.floor(view.budget);
  if (n < 1) return;
  view.budget -= n;
  const panel = on.stampede && on.hotKey ? "both" : on.stampede ? "stampede" : "hotKey";
  view.busy = true;
  sim.call("step", { n, panel }).finally(() => {
    view.busy = false;
  });
}

/** New hot-key requests become falling dots (view-only motion of the model's own sample). */
function collectDots(state, now) {
  if (state === view.lastState) return;
  view.lastState = state;
  const hk = state.hotKey;
  if (hk.tick < view.lastHotTick) view.dots = []; // the run restarted
  if (hk.tick !== view.lastHotTick) {
    for (const r of hk.requests || []) {
      view.dots.push({ ...r, born: now, n: view.dotSeq++ });
    }
    view.lastHotTick = hk.tick;
  }
  view.dots = view.dots.filter((d) => now - d.born < FALL_MS * 1.5).slice(-160);
}

function syncControls(ui, state) {
  const c = view.controls;
  for (const panel of ["stampede", "hotKey"]) {
    const on = state[panel].playing;
    const text = `${on ? "Pause" : "Play"} ${PANEL_TITLE[panel]}`;
    if (c[`play_${panel}`].textContent !== text) {
      ui.setLabel(c[`play_${panel}`], text);
      ui.setPressed(c[`play_${panel}`], on);
    }
    if (c[`select_${panel}`].value !== state[panel].mitigation) {
      c[`select_${panel}`].value = state[panel].mitigation;
    }
  }
  if (c.speed.value !== String(state.speed)) c.speed.value = String(state.speed);
}

function describeStampede(st) {
  const kinds = { hit: 0, query: 0, wait: 0, stale: 0 };
  for (const s of st.servers) kinds[serverKind(s.state)] += 1;
  const m = st.mitigation === "none" ? "no mitigation" : st.mitigation;
  const cache = st.ttlRemaining > 0 ? `cache entry TTL ${st.ttlRemaining} ticks` : "cache entry expired";
  const rows = st.results
    .map((r) => `${r.label}: peak ${r.dbPeak}, ${r.recomputes} recomputes, ${r.staleReads} stale reads, `
      + `${r.complete ? (r.overloaded ? "DB overloaded" : "DB not overloaded") : `running, tick ${r.ticks}`}`)
    .join("; ");
  return `Cache Stampede panel, ${m}, tick ${st.tick}: ${cache}; ${st.servers.length} servers: `
    + `${kinds.hit} hit, ${kinds.query} querying the database, ${kinds.wait} waiting, ${kinds.stale} stale; `
    + `primary database ${st.dbLoad} queries, capacity ${st.dbCapacity}, `
    + `${st.dbOverloaded ? "DB Overload" : "OK"}; peak ${st.dbPeak}. Results: ${rows || "none yet"}.`;
}

function describeHotKey(hk) {
  const m = hk.mitigation === "none" ? "no mitigation" : hk.mitigation;
  const keys = hk.hotKeys.map((k) => `${k.key} to slot ${k.slot}, shard ${k.shard}`).join("; ");
  const shards = hk.shards
    .map((s) => `Shard ${s.id} ${Math.round(100 * s.share)}%${s.overloaded ? " OVERLOADED" : " OK"}`)
    .join(", ");
  const rows = hk.results
    .map((r) => `${r.label}: largest share ${Math.round(100 * r.maxShare)}%, `
      + `${r.complete ? (r.overloaded ? "a shard overloaded" : "no shard overloaded") : `running, tick ${r.ticks}`}`)
    .join("; ");
  return `Hot Key panel, ${m}, tick ${hk.tick}: ${keys}. ${shards}. Results: ${rows || "none yet"}.`;
}

createMicroSim({
  id: "cache-failure-modes",
  title: "Cache Stampede and Hot Key Failure Mode Simulator",
  canvasHeight: CANVAS_HEIGHT,
  params: {
    servers: { type: "int", min: 2, max: 20, default: 10 },
    shards: { type: "int", min: 2, max: 6, default: 3 },
  },

  controls(ui, sim) {
    view.ui = ui;
    const c = view.controls;
    const mitigate = (panel, mitigation) => {
      view.shown = panel;
      return sim.call("mitigate", { panel, mitigation });
    };
    const panelRow = (panel, spec) => {
      c[`play_${panel}`] = ui.button({
        name: `Play ${PANEL_TITLE[panel]}`,
        onClick: () => {
          view.shown = panel;
          sim.call("play", { panel });
        },
      });
      ui.setPressed(c[`play_${panel}`], false);
      ui.button({
        name: `Reset ${PANEL_TITLE[panel]}`,
        onClick: () => {
          view.shown = panel;
          sim.call("reset", { panel });
        },
      });
      ui.button({ name: spec.button, onClick: () => mitigate(panel, spec.mitigation) });
      c[`select_${panel}`] = ui.select({
        name: `${PANEL_TITLE[panel]} mitigation`,
        options: spec.options,
        value: "none",
        onChange: (v) => mitigate(panel, v),
      });
    };
    panelRow("stampede", {
      button: "Mitigate: Jitter TTL",
      mitigation: "jitter",
      options: [["none", "None"], ["jitter", "Jitter TTL"], ["lock", "Mutex lock"],
        ["early", "Early expiration"]],
    });
    ui.row();
    panelRow("hotKey", {
      button: "Mitigate: Key Replicas",
      mitigation: "replicas",
      options: [["none", "None"], ["replicas", "Key replicas"], ["local-cache", "Local cache"],
        ["read-replicas", "Read replicas"]],
    });
    ui.row();
    c.speed = ui.select({
      name: "Speed",
      options: [["5", "5 ticks/s"], ["10", "10 ticks/s"], ["20", "20 ticks/s"], ["50", "50 ticks/s"]],
      value: "20",
      onChange: (v) => sim.call("speed", { speed: Number(v) }),
    });
    c.switch = ui.button({
      name: "Show Hot Key panel",
      onClick: () => {
        view.shown = view.shown === "stampede" ? "hotKey" : "stampede";
      },
    });
    if (view.timer === null) view.timer = setInterval(() => tick(sim), TIMER_MS);
  },

  sketch(p, sim) {
    p.draw = () => {
      const state = sim.state;
      const c = sim.colors;
      p.background(c.bg);
      if (!state) return;
      const now = p.millis();
      collectDots(state, now);
      if (view.ui) syncControls(view.ui, state);

      const wide = sim.width >= WIDE;
      const sw = view.controls.switch;
      if (sw) {
        sw.hidden = wide;
        const other = view.shown === "stampede" ? "Hot Key" : "Cache Stampede";
        if (!wide && sw.textContent !== `Show ${other} panel`) sw.textContent = `Show ${other} panel`;
      }
      const opts = { reducedMotion: sim.reducedMotion, progress: 1, dots: view.dots, now };
      if (wide) {
        const half = sim.width / 2;
        drawStampede(p, c, state.stampede, { x: 0, y: 0, w: half - 4, h: CANVAS_HEIGHT }, opts);
        p.stroke(c.grid);
        p.strokeWeight(1);
        p.line(half, 8, half, CANVAS_HEIGHT - 8);
        drawHotKey(p, c, state.hotKey, { x: half + 4, y: 0, w: half - 4, h: CANVAS_HEIGHT }, opts);
      } else if (view.shown === "stampede") {
        drawStampede(p, c, state.stampede, { x: 0, y: 0, w: sim.width, h: CANVAS_HEIGHT }, opts);
      } else {
        drawHotKey(p, c, state.hotKey, { x: 0, y: 0, w: sim.width, h: CANVAS_HEIGHT }, opts);
      }
    };
  },

  describe(state) {
    return `${describeStampede(state.stampede)} ${describeHotKey(state.hotKey)}`;
  },
});
