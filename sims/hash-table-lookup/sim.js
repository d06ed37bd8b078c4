// sim.js -- the Interactive Hash Table Lookup MicroSim (Chapter 5), the entry of main.html.
// CANVAS_HEIGHT: 440
//
// Model/view split: the whole state lives in the Python controller controller.py (hash, bucket,
// chain walk, insert, collision search, re-bucketing, the animation stages and their narration).
// This module only builds the controls (names, ranges and options from sim.json), forwards them
// to the controller with sim.call(), and draws sim.state (hash-table-view.js) at the animation
// position kept by stage-clock.js. Stage timings come from the state (the spec's
// 0.3 s, 0.5 s per shown step, 0.4 s, 0.3 s); reduced motion shows each stage's end state
// without movement; window.microsim.step() finishes the pending stages. The narration of a
// lookup's result waits for the picture too: while the stages play, the line says the key is
// entering the hash function, then the result once the bucket is reached (reduced motion: the
// result at once). Back and Step (the controller's prev_stage / next_stage) step through the
// stages; the result card, the stored key and the statistics appear at the "bucket" stage.
// On a phone (below 440 px) the picture is stacked in one column at 16 px text
// (hash-table-layout.js); it
// tells the kit the height it needs (minCanvasHeight), which follows a table-size change or a
// collision tooltip; the kit re-lays the page out when it changes, so the page grows or shrinks.

import { createMicroSim, loadSpec, optionPairs } from "../kit/microsim.js";
import { drawScene, sceneHeight } from "./hash-table-view.js";
import { StageClock } from "./stage-clock.js";

const SPEC = await loadSpec(import.meta.url);
const P = SPEC.params;

/**
 * This sim's view state, one per instance (on `sim.view`): the animation position, its controls
 * and, while a resize re-buckets the rows, the old table size; the result's narration, held
 * until the animation reaches the bucket.
 * @returns {{clock: StageClock, controls: Record<string, any>, ui: any, holdSize: number,
 *   pendingNarration: string | null}}
 */
function viewOf(sim) {
  if (!sim.view.clock)
    Object.assign(sim.view, {
      clock: new StageClock(),
      controls: {},
      ui: null,
      holdSize: 0,
      pendingNarration: null,
    });
  return sim.view;
}

/** The least canvas height at `width` for the current state (the kit's minCanvasHeight). */
function minCanvasHeight(width, sim) {
  const p = sim.p5?.canvas ? sim.p5 : null;
  return sceneHeight(p, sim.state, width, sim.params.size, viewOf(sim).holdSize);
}

/** Keep the DOM controls in step with the controller state (after Reset, URL params, ...). */
function syncControls(sim, state) {
  const { ui, controls } = viewOf(sim);
  if (!ui || !state) return;
  const { size, hash, key } = controls;
  if (key && state.event === "reset" && key.value !== state.last.key)
    ui.setValue(key, state.last.key);
  if (size && Number(size.value) !== state.tableSize) ui.setValue(size, state.tableSize);
  if (hash && hash.value !== state.hashName) ui.setValue(hash, state.hashName);
}

createMicroSim({
  spec: SPEC,
  minCanvasHeight,

  controls(ui, sim) {
    const { controls } = viewOf(sim);
    viewOf(sim).ui = ui;
    const hash = () => sim.call("hash", { key: controls.key.value });
    controls.key = ui.text({
      name: P.key.label,
      value: sim.params.key,
      maxLength: P.key.maxLength,
      size: 8,
      onEnter: hash,
    });
    ui.button({ name: "Hash", onClick: hash });
    ui.button({ name: "Show Collision", onClick: () => sim.call("collision") });
    // step-through: Step replays the last action one stage at a time, Back goes back a stage
    ui.button({ name: "Back", onClick: () => sim.call("prev_stage") });
    ui.button({ name: "Step", onClick: () => sim.call("next_stage") });
    ui.row();
    controls.size = ui.range({
      name: P.size.label,
      min: P.size.min,
      max: P.size.max,
      step: 1,
      value: sim.params.size,
      onChange: (v) => sim.call("resize", { size: v }, { latest: true }),
    });
    controls.hash = ui.select({
      name: P.hash.label,
      options: optionPairs(P.hash),
      value: sim.params.hash,
      onChange: (name) => sim.call("hash_function", { name }, { latest: true }),
    });
    ui.button({ name: "Reset", onClick: () => sim.call("reset") });
  },

  sketch(p, sim) {
    const view = viewOf(sim);
    const { clock } = view;
    let seen = null;
    p.draw = () => {
      const state = sim.state;
      const now = performance.now();
      if (state !== seen) {
        seen = state;
        clock.sync(state, now);
        syncControls(sim, state);
        const left = clock.remainingMs(now);
        // under reduced motion the kit keeps this timeline (so `animating` is true) but never moves
        if (left > 0) sim.animate([{ name: "stages", ms: left }]);
        // the result is announced when the picture reaches the bucket, not while the key is
        // still entering the hash box (reduced motion: at once, as the kit already did)
        view.pendingNarration = null;
        const lookup = state.stages.some((stage) => stage.kind === "bucket");
        if (lookup && left > 0 && !state.stepMode && !sim.reducedMotion) {
          view.pendingNarration = state.narration;
          sim.narrate(state.stages[0].narration);
        }
      }
      const busy = clock.busy(now);
      if (view.pendingNarration && !busy) {
        sim.narrate(view.pendingNarration);
        view.pendingNarration = null;
      }
      const rebucketing = busy && state.resize && state.stages.some((s) => s.kind === "rebucket");
      view.holdSize = rebucketing ? state.resize.statsBefore.size : 0;
      sim.loop(busy); // redraw every frame only while the picture catches up
      sim.viewInfo = drawScene(p, state, sim.colors, clock.position(now, sim.reducedMotion));
    };
  },

  describe(state) {
    return state.description;
  },
});
