// sim.js -- Cache Stampede and Hot Key Failure Mode Simulator (sim-id: cache-failure-modes).
// CANVAS_HEIGHT: 600
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
  EXTRA_ROWS,
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
const PANEL_NAME = { stampede: "Stampede", hotKey: "Hot key" }; // control names' prefix
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

/** The keys menu's words for `k` hot keys of `servers` ("10: a batch cached together"). */
function keysWords(k, servers) {
  if (k === 1) return "1: one hot key";
  if (k === servers) return `${k}: a batch`;
  return `${k} keys`;
}

function syncControls(view, state) {
  const { ui, controls: c } = view;
  for (const panel of ["stampede", "hotKey"]) {
    const on = state[panel].playing;
    const word = on ? "Pause" : "Play";
    const button = c[`play_${panel}`];
    if (button.textContent !== word) {
      ui.setLabel(button, word);
      button.setAttribute("aria-label", `${PANEL_NAME[panel]}: ${word}`);
    }
    if (c[`select_${panel}`].value !== state[panel].mitigation) {
      c[`select_${panel}`].value = state[panel].mitigation;
    }
  }
  if (c.keys.value !== String(state.stampede.keys)) c.keys.value = String(state.stampede.keys);
  if (c.speed.value !== String(state.speed)) c.speed.value = String(state.speed);
}

/**
 * Narrow layouts (below WIDE px) show one panel at a time: the switch comes first, then the shown
 * panel's controls only (the other group is hidden), then Speed, which moves to the switch's row.
 */
function updateSwitch(sim) {
  const view = viewOf(sim);
  const c = view.controls;
  if (!c.switchRow) return;
  const narrow = sim.width < WIDE;
  if (c.switchRow.hidden === narrow) c.switchRow.hidden = !narrow;
  c.grid.classList.toggle("cfm-one", narrow);
  for (const panel of ["stampede", "hotKey"]) {
    const hide = narrow && panel !== view.shown;
    if (c.groups[panel].hidden !== hide) c.groups[panel].hidden = hide;
    const pressed = String(panel === view.shown);
    if (c.show[panel].getAttribute("aria-pressed") !== pressed) {
      c.show[panel].setAttribute("aria-pressed", pressed);
    }
  }
  const speedField = c.speed.parentElement;
  const home = narrow ? c.switchRow : c.groups.hotKey.lastElementChild;
  if (speedField.parentElement !== home) home.append(speedField);
}

function describeStampede(st) {
  const kinds = { hit: 0, querying: 0, waiting: 0, stale: 0 };
  for (const s of st.servers) kinds[serverKind(s.state)] += 1;
  const cache =
    st.ttlRemaining > 0
      ? `${st.scenario}, TTL ${st.ttlRemaining} ticks`
      : `${st.scenario}: ${st.keys === 1 ? "the key has" : "an entry has"} expired`;
  const rows = st.results
    .map(
      (r) =>
        `${r.scenario}, ${r.label}: peak ${r.dbPeak}, ${r.recomputes} recomputes, ` +
        `${r.staleReads} stale reads, ` +
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
  return Math.max(
    stampedeMinHeight(servers, MAX_ROWS + EXTRA_ROWS),
    hotKeyMinHeight(MAX_KEY_LINES, MAX_ROWS),
  );
}

createMicroSim({
  spec: SPEC,
  minCanvasHeight: (width, sim) => minCanvasHeight(width, sim.params.servers),

  controls(ui, sim) {
    // One group per panel, under its panel, with a visible heading; each control's accessible
    // name starts with the panel ("Stampede: Play"), and its visible text is part of that name
    // (WCAG 2.5.3). The panel switch (narrow layouts) comes first; Speed serves both panels.
    const options = SPEC.options;
    const view = viewOf(sim);
    view.ui = ui;
    const c = view.controls;
    const box = document.querySelector(".ms-controls");
    const act = (panel, command, args = {}) => {
      view.shown = panel;
      // a mitigation choice: latest wins, so a burst of changes (arrow keys held on the select)
      // runs the newest only
      const coalesce = command === "mitigate" ? { latest: panel } : {};
      return sim.call(command, { panel, ...args }, coalesce);
    };
    const named = (el, panel, words) => {
      el.setAttribute("aria-label", `${PANEL_NAME[panel]}: ${words}`);
      return el;
    };

    c.switchRow = ui.row();
    c.switchRow.classList.add("cfm-switch");
    c.show = {};
    for (const panel of ["stampede", "hotKey"]) {
      c.show[panel] = ui.button({
        name: PANEL_TITLE[panel],
        pressed: panel === view.shown,
        onClick: () => {
          view.shown = panel;
          updateSwitch(sim);
          sim.redraw();
          return sim.call("focus", { panel });
        },
      });
      c.show[panel].setAttribute("aria-label", `Show ${PANEL_TITLE[panel]} panel`);
    }
    c.switchRow.hidden = true;

    const grid = document.createElement("div");
    grid.className = "cfm-panels";
    box.append(grid);
    c.grid = grid;
    c.groups = {};
    const group = (panel, build) => {
      const section = document.createElement("div");
      section.className = "cfm-group";
      section.setAttribute("role", "group");
      const heading = document.createElement("span");
      heading.className = "cfm-heading";
      heading.id = `cfm-heading-${panel}`;
      heading.textContent = PANEL_TITLE[panel];
      section.setAttribute("aria-labelledby", heading.id);
      const first = ui.row();
      first.prepend(heading);
      build();
      // ui.row() appends to the controls box: move this group's rows into its section.
      const rows = [...box.children].slice([...box.children].indexOf(first));
      section.append(...rows);
      grid.append(section);
      c.groups[panel] = section;
    };
    const panelControls = (panel, spec) => {
      c[`play_${panel}`] = named(
        ui.button({ name: "Play", onClick: () => act(panel, "play") }),
        panel,
        "Play",
      );
      named(
        ui.button({ name: "Step", onClick: () => act(panel, "step", { n: 1 }) }),
        panel,
        "Step one tick",
      );
      c[`back_${panel}`] = named(
        ui.button({ name: "Back", onClick: () => act(panel, "back") }),
        panel,
        "Back one tick",
      );
      ui.row();
      named(
        ui.button({
          name: spec.button,
          onClick: () => act(panel, "mitigate", { mitigation: spec.mitigation }),
        }),
        panel,
        spec.button,
      );
      const menu = options[`${panel}Mitigation`];
      const select = ui.select({
        name: menu.label,
        options: optionPairs(menu),
        value: String(menu.default),
        onChange: (v) => act(panel, "mitigate", { mitigation: v }),
      });
      select.msLabel.classList.add("ms-visually-hidden"); // the options say what they are
      c[`select_${panel}`] = select;
      // Third row: Reset, then the panel's own menu (the caller adds Hot keys or Speed).
      ui.row();
      named(ui.button({ name: "Reset", onClick: () => act(panel, "reset") }), panel, "Reset");
    };
    group("stampede", () => {
      panelControls("stampede", { button: "Mitigate: Jitter TTL", mitigation: "jitter" });
      const keys = SPEC.params.keys;
      const servers = sim.params.servers;
      const choices = [];
      for (let k = servers; k >= keys.min; k--) choices.push([String(k), keysWords(k, servers)]);
      c.keys = ui.select({
        name: keys.label,
        options: choices,
        value: String(sim.params.keys),
        onChange: (v) => {
          view.shown = "stampede";
          return sim.call("keys", { keys: Number(v) });
        },
      });
      c.keys.setAttribute("aria-label", `${PANEL_NAME.stampede}: ${keys.label}`);
    });
    group("hotKey", () => {
      panelControls("hotKey", { button: "Mitigate: Key Replicas", mitigation: "replicas" });
      // Speed serves both panels; it ends the hot-key group, beside its Reset.
      c.speed = ui.select({
        name: options.speed.label,
        options: optionPairs(options.speed),
        value: String(options.speed.default),
        onChange: (v) => sim.call("speed", { speed: Number(v) }, { latest: true }),
      });
      c.speed.msLabel.textContent = `${options.speed.label} (both panels)`;
    });
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
