// sim.js -- Cache Stampede and Hot Key Failure Mode Simulator (sim-id: cache-failure-modes).
// CANVAS_HEIGHT: 500
//
// The view: two panels side by side (one at a time below WIDE px, with a button to switch; the
// one shown then gets the canvas height it needs to draw all its parts, see minCanvasHeight),
// DOM controls with the spec's labels (mitigations and speeds from sim.json), the play loop
// timer, describe() and narration. The whole state lives in the Python controller
// controller.py; this file draws
// sim.state and forwards input. The play loop is here because time on the page is a view matter:
// while a panel plays, a timer asks the controller for `speed / 10` ticks every 100 ms, the same
// `step` command window.microsim.step(n) uses, so both advance the models identically.

import { createMicroSim, loadSpec, optionPairs } from "../kit/microsim.js";
import { drawHotKey, FALL_MS, minHeight as hotKeyMinHeight } from "./hotkey-view.js";
import {
  drawStampede,
  minHeight as stampedeMinHeight,
  mitigationLabel,
  serverKind,
} from "./stampede-view.js";

const SPEC = await loadSpec(import.meta.url);
const WIDE = 700; // px: below this the panels are shown one at a time
const PHONE = 600; // px: below this the shown panel gets all the height it needs (minCanvasHeight)
const TIMER_MS = 100;
const DOTS_PER_TICK = 12;
const PANEL_TITLE = { stampede: "Cache Stampede", hotKey: "Hot Key" };
const MAX_ROWS = 4; // results rows: one per mitigation of a panel
const MAX_KEY_LINES = 3; // hot-key lines: hotKeyLines() folds more keys into the third line

/**
 * View-only state of one instance (never model data), kept on `sim.view`: which panel narrow
 * layouts show, the falling dots, the play timer, the controls.
 */
function viewOf(sim) {
  if (!sim.view.controls) {
    Object.assign(sim.view, {
      shown: "stampede",
      dots: [],
      dotSeq: 0,
      lastHotTick: -1,
      lastState: null,
      budget: 0,
      busy: false,
      timer: null,
      looping: false,
      ui: null,
      controls: {},
    });
  }
  return sim.view;
}

function playing(state) {
  return state ? { stampede: state.stampede.playing, hotKey: state.hotKey.playing } : {};
}

/** The play loop: while a panel plays, step it at the chosen speed (ticks per second). */
function tick(sim) {
  const view = viewOf(sim);
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
  // if_playing: a Pause that lands while this call waits in the queue wins (nothing moves on).
  sim.call("step", { n, panel, if_playing: true }).finally(() => {
    view.busy = false;
  });
}

/**
 * New hot-key requests become falling dots: a view-only animation of the model's own sample of
 * the latest tick (every k-th request, at most DOTS_PER_TICK, so the 80/20 split stays visible).
 */
function collectDots(view, state, now) {
  if (state === view.lastState) return;
  view.lastState = state;
  const hk = state.hotKey;
  if (hk.tick < view.lastHotTick) view.dots = []; // the run restarted
  if (hk.tick !== view.lastHotTick && hk.tick > 0) {
    const requests = hk.requests || [];
    const every = Math.max(1, Math.ceil(requests.length / DOTS_PER_TICK));
    requests.forEach((r, i) => {
      if (i % every === 0) view.dots.push({ ...r, born: now, tick: hk.tick, n: view.dotSeq++ });
    });
  }
  view.lastHotTick = hk.tick;
  view.dots = view.dots.slice(-4 * DOTS_PER_TICK);
}

function syncControls(view, state) {
  const { ui, controls: c } = view;
  for (const panel of ["stampede", "hotKey"]) {
    const on = state[panel].playing;
    const word = on ? "Pause" : "Play";
    const button = c[`play_${panel}`];
    if (button.textContent !== word) {
      ui.setLabel(button, word);
      button.setAttribute("aria-label", `${word} ${PANEL_TITLE[panel]}`);
    }
    if (c[`select_${panel}`].value !== state[panel].mitigation) {
      c[`select_${panel}`].value = state[panel].mitigation;
    }
  }
  if (c.speed.value !== String(state.speed)) c.speed.value = String(state.speed);
}

/** The "Show ... panel" button: only at narrow widths, naming the panel it switches to. */
function updateSwitch(sim) {
  const view = viewOf(sim);
  const sw = view.controls.switch;
  if (!sw) return;
  const narrow = sim.width < WIDE;
  if (sw.hidden === narrow) sw.hidden = !narrow;
  const words = `Show ${view.shown === "stampede" ? "Hot Key" : "Cache Stampede"} panel`;
  if (sw.textContent !== words) view.ui.setLabel(sw, words);
}

function describeStampede(st) {
  const kinds = { hit: 0, querying: 0, waiting: 0, stale: 0 };
  for (const s of st.servers) kinds[serverKind(s.state)] += 1;
  const cache =
    st.ttlRemaining > 0
      ? `hot entries cached, TTL ${st.ttlRemaining} ticks`
      : "an entry has expired";
  const rows = st.results
    .map(
      (r) =>
        `${r.label}: peak ${r.dbPeak}, ${r.recomputes} recomputes, ${r.staleReads} stale reads, ` +
        (r.complete
          ? r.overloaded
            ? "DB overloaded"
            : "DB never overloaded"
          : `running, tick ${r.ticks}`),
    )
    .join("; ");
  return (
    `Cache Stampede panel, ${mitigationLabel(st)}, tick ${st.tick}: ${cache}; ` +
    `${st.servers.length} servers: ${kinds.hit} hit, ${kinds.querying} querying the database, ` +
    `${kinds.waiting} waiting, ${kinds.stale} serving stale; primary database ${st.dbLoad} queries, ` +
    `capacity ${st.dbCapacity}, ${st.dbOverloaded ? "DB Overload" : "OK"}; peak ${st.dbPeak}. ` +
    `Results over the first ${st.window} ticks: ${rows || "none yet"}.`
  );
}

function describeHotKey(hk) {
  const keys = hk.hotKeys.map((k) => `${k.key} to slot ${k.slot}, shard ${k.shard}`).join("; ");
  const shards = hk.shards
    .map(
      (s) =>
        `Shard ${s.id} ${s.load} requests this tick, ${Math.round(100 * s.share)}% of all, ` +
        (s.overloaded ? "OVERLOADED" : "OK"),
    )
    .join("; ");
  const rows = hk.results
    .map(
      (r) =>
        `${r.label}: largest share ${Math.round(100 * r.maxShare)}%, ` +
        (r.overloaded
          ? `shard ${r.overloadedShards.join(" and ")} overloaded`
          : r.complete
            ? "no shard overloaded"
            : `running, tick ${r.ticks}`),
    )
    .join("; ");
  return (
    `Hot Key panel, ${mitigationLabel(hk)}, tick ${hk.tick}: ${keys}. ${shards}. ` +
    `Results over the first ${hk.window} ticks: ${rows || "none yet"}.`
  );
}

/**
 * Phones (below PHONE px) show one panel at a time in a canvas as tall as the taller panel needs
 * for everything it draws at full width (the load chart, all four results rows, the shard
 * columns); the page grows past the canvas height (microsim-resize) instead of dropping parts. Sized
 * for the fullest tables, so the canvas does not jump during a run or on the panel switch.
 * From PHONE px up the page keeps its authored CANVAS_HEIGHT (0 = no minimum): the book's 660 px
 * column (one panel, chart and the latest rows) and the side-by-side panels from WIDE px, so an
 * iframe of CANVAS_HEIGHT + 2 px without the resize listener is never clipped there.
 */
function minCanvasHeight(width, servers) {
  if (width >= PHONE) return 0;
  return Math.max(stampedeMinHeight(servers, MAX_ROWS), hotKeyMinHeight(MAX_KEY_LINES, MAX_ROWS));
}

createMicroSim({
  spec: SPEC,
  minCanvasHeight: (width, sim) => minCanvasHeight(width, sim.params.servers),

  controls(ui, sim) {
    // Two rows, one per panel (the row with "Mitigate: Jitter TTL" drives the left panel). To fit
    // 780 px, the visible texts are short ("Play", "Reset") and the accessible names carry the
    // panel ("Play Cache Stampede"); each visible text is part of its name (WCAG 2.5.3).
    const options = SPEC.options;
    const view = viewOf(sim);
    view.ui = ui;
    const c = view.controls;
    const mitigate = (panel, mitigation) => {
      view.shown = panel;
      // latest wins: a burst of changes (arrow keys held on the select) runs the newest only
      return sim.call("mitigate", { panel, mitigation }, { latest: panel });
    };
    const panelRow = (panel, spec) => {
      const play = ui.button({
        name: "Play",
        onClick: () => {
          view.shown = panel;
          return sim.call("play", { panel });
        },
      });
      play.setAttribute("aria-label", `Play ${PANEL_TITLE[panel]}`);
      c[`play_${panel}`] = play;
      const reset = ui.button({
        name: "Reset",
        onClick: () => {
          view.shown = panel;
          return sim.call("reset", { panel });
        },
      });
      reset.setAttribute("aria-label", `Reset ${PANEL_TITLE[panel]}`);
      ui.button({ name: spec.button, onClick: () => mitigate(panel, spec.mitigation) });
      const select = ui.select({
        name: options[`${panel}Mitigation`].label,
        options: spec.options,
        value: String(options[`${panel}Mitigation`].default),
        onChange: (v) => mitigate(panel, v),
      });
      select.msLabel.classList.add("ms-visually-hidden"); // the options say what they are
      c[`select_${panel}`] = select;
    };
    panelRow("stampede", {
      button: "Mitigate: Jitter TTL",
      mitigation: "jitter",
      options: optionPairs(options.stampedeMitigation),
    });
    ui.row();
    panelRow("hotKey", {
      button: "Mitigate: Key Replicas",
      mitigation: "replicas",
      options: optionPairs(options.hotKeyMitigation),
    });
    // Speed (both panels) ends the second row: at the book's 660 px it then wraps together with
    // the panel switch, one control line fewer, which leaves the canvas room for the load chart.
    c.speed = ui.select({
      name: options.speed.label,
      options: optionPairs(options.speed),
      value: String(options.speed.default),
      onChange: (v) => sim.call("speed", { speed: Number(v) }, { latest: true }),
    });
    c.switch = ui.button({
      name: "Show Hot Key panel",
      onClick: () => {
        view.shown = view.shown === "stampede" ? "hotKey" : "stampede";
        sim.redraw();
      },
    });
    c.switch.hidden = true;
    if (view.timer === null) view.timer = setInterval(() => tick(sim), TIMER_MS);
  },

  sketch(p, sim) {
    const view = viewOf(sim);
    p.draw = () => {
      const state = sim.state;
      const c = sim.colors;
      p.background(c.bg);
      const now = p.millis();
      collectDots(view, state, now);
      if (view.ui) syncControls(view, state);

      // Motion (falling dots, pulses on the query arrows) needs frames; otherwise redraw on change.
      const on = state.stampede.playing || state.hotKey.playing;
      const falling = view.dots.some((d) => now - d.born < FALL_MS);
      const moving = !sim.reducedMotion && (on || falling);
      if (moving !== view.looping) {
        view.looping = moving;
        sim.loop(moving);
      }
      // Landed dots of older ticks go; the latest tick's stay where they landed.
      view.dots = view.dots.filter((d) => d.tick === state.hotKey.tick || now - d.born < FALL_MS);

      const wide = sim.width >= WIDE;
      updateSwitch(sim);
      const opts = {
        reducedMotion: sim.reducedMotion,
        pulse: sim.reducedMotion || !state.stampede.playing ? null : (now % 800) / 800,
        dots: view.dots,
        now,
      };
      const full = { x: 0, y: 0, w: sim.width, h: sim.height };
      // What was drawn, for tests (view facts, not simulation state): sim.viewInfo.
      const drawn = { panels: [], minCanvasHeight: minCanvasHeight(sim.width, sim.params.servers) };
      if (wide) {
        const half = Math.floor(sim.width / 2);
        drawn.stampede = drawStampede(p, c, state.stampede, { ...full, w: half - 2 }, opts);
        p.push();
        p.stroke(c.grid);
        p.strokeWeight(2);
        p.line(half, 6, half, sim.height - 6);
        p.pop();
        const right = { ...full, x: half + 2, w: sim.width - half - 2 };
        drawn.hotKey = drawHotKey(p, c, state.hotKey, right, opts);
      } else if (view.shown === "stampede") {
        drawn.stampede = drawStampede(p, c, state.stampede, full, opts);
      } else {
        drawn.hotKey = drawHotKey(p, c, state.hotKey, full, opts);
      }
      drawn.panels = Object.keys(drawn).filter((k) => k in PANEL_TITLE);
      sim.viewInfo = drawn;
    };
  },

  resized(sim) {
    updateSwitch(sim);
  },

  describe(state) {
    return `${describeStampede(state.stampede)} ${describeHotKey(state.hotKey)}`;
  },
});
