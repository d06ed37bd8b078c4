// sim.js -- the page of the Cache Eviction Policy Simulator (view only), the entry of main.html.
// CANVAS_HEIGHT: 480
//
// The whole sim state lives in the Python controller controller.py; this module builds the
// controls (names, ranges and options from sim.json), forwards input as controller commands and
// draws `sim.state` (cache-view.js). Commands (listed in sim.json): next, set_running, tick,
// set_policy, set_mode, set_capacity, set_sequence, set_seed, predict, set_predicting, back,
// reset, step (the test hook).
//
// Back (`back`) is the controller's: it replays the seeded run to the step before, so any
// earlier step (and its log entry) can be reached after Full Sequence. Prediction mode
// (`set_predicting`, or ?predict=on) hides the next victim: the controller then lists the slots
// by key and marks none, and the header drops "evicts the bottom slot".
// "More settings" opens below the controls without shrinking the picture: while it is open,
// minCanvasHeight asks the kit for the canvas height it had closed, so the page grows instead.
//
// Full Sequence: the button toggles the controller's `running` flag (set_running); while the
// state says running, this page calls `tick` every 500 ms. `tick` steps only while running and
// `next` is ignored while running, so a click can never double-step; the timer follows
// state.running (synced after every call and every frame), so reset() or the end of the
// sequence stops it. Animation (an evicted slot flashes red and fades, the new key slides in
// from the top) is view-only, lasts 440 ms (< one tick), and is skipped with reduced motion.
//
// Phones (canvas narrower than 600 px): cache-view.js stacks the cache, the statistics and the
// access log in one column; the height that needs (it follows the capacity and the length of
// the last reasons) goes to the kit as minCanvasHeight; the kit re-lays the page out when it
// changes, so the page (and the book's iframe) grows or shrinks with it.
//
// Usage: open main.html?policy=lfu&capacity=6&seed=1&sequence=A%20B%20A%20C&mode=redis&predict=on

import { createMicroSim, loadSpec, optionPairs } from "../kit/microsim.js";
import { describeState, drawScene, layout, sceneHeight, slotAt } from "./cache-view.js";

const SPEC = await loadSpec(import.meta.url);
const P = SPEC.params;
const TICK_MS = 500;
const RESTARTS = new Set(["set_policy", "set_mode", "set_capacity", "set_sequence", "set_seed"]);
const SEEDS = { min: 1, max: 200 }; // the seeds the Random spread is computed over
// Commands that set a value: a queued one takes the newest value (sim.call({latest})).
const SETTERS = new Set([
  "set_policy",
  "set_mode",
  "set_capacity",
  "set_seed",
  "set_predicting",
  "predict",
]);

// The view state of one instance lives on `sim.view`: `timer` (the Full Sequence interval) and
// `anim` ({before, evicted, newKey, touchedKey, hit}: the last step, for its animation),
// `more` (the "More settings" <details>) and `closedHeight` (the canvas height while it is closed).

/** The least canvas height at `width` (0 when wide): from the state, else the URL's capacity;
 *  while More settings is open, at least the height the canvas had with it closed. */
function minCanvasHeight(width, sim) {
  const held = sim.view?.more?.open ? sim.view.closedHeight || 0 : 0;
  const p = sim.p5?.canvas ? sim.p5 : null;
  return Math.max(held, sceneHeight(p, sim.state, width, sim.params.capacity));
}

function capacityOf(sim) {
  return sim.state ? sim.state.capacity : sim.params.capacity;
}

function syncTimer(sim) {
  const running = Boolean(sim.state?.running);
  const view = sim.view;
  if (running && !view.timer) {
    view.timer = setInterval(() => {
      act(sim, "tick");
    }, TICK_MS);
  } else if (!running && view.timer) {
    clearInterval(view.timer);
    view.timer = null;
  }
}

/** Call the controller, then start the step animation if exactly one access happened. */
async function act(sim, method, args = {}) {
  const before = sim.state;
  // a setter's newest value is all that matters: a burst of changes runs the newest only
  const after = await sim.call(method, args, SETTERS.has(method) ? { latest: true } : {});
  syncTimer(sim);
  if (RESTARTS.has(method) && before && after?.restarted && after.narration !== before.narration) {
    // e.g. "Policy changed to LFU; the run restarted from step 0."; further changes before the
    // next step (Capacity 7, 8, 9 by arrow keys) update the notice
    sim.notice(after.narration);
  }
  if (!before || !after || after.step !== before.step + 1 || after.policy !== before.policy) {
    sim.view.anim = null;
    return after;
  }
  const entry = after.log[after.log.length - 1];
  sim.view.anim = {
    before,
    evicted: entry.evicted,
    newKey: entry.hit ? null : entry.key,
    touchedKey: entry.key,
    hit: entry.hit,
  };
  if (!sim.reducedMotion) {
    sim.animate(
      entry.evicted
        ? [
            { name: "out", ms: 220 },
            { name: "in", ms: 220 },
          ]
        : [{ name: "in", ms: 260 }],
    );
  }
  return after;
}

/** Animation progress for cache-view.js from the kit's timeline (null = none running). */
function animationFrame(sim) {
  const anim = sim.view.anim;
  if (!anim) return null;
  const stage = sim.animation;
  if (!stage) return { ...anim, progressOut: 1, progressIn: 1 };
  if (stage.name === "out") return { ...anim, progressOut: stage.progress, progressIn: 0 };
  return { ...anim, progressOut: 1, progressIn: stage.progress };
}

createMicroSim({
  spec: SPEC,
  minCanvasHeight,

  controls(ui, sim) {
    const policy = ui.select({
      name: P.policy.label,
      options: optionPairs(P.policy),
      value: sim.params.policy,
      onChange: (value) => act(sim, "set_policy", { policy: value }),
    });
    ui.button({ name: "Next Access", onClick: () => act(sim, "next") });
    ui.button({ name: "Back", onClick: () => act(sim, "back") });
    const full = ui.button({
      name: "Full Sequence",
      pressed: false,
      onClick: () => act(sim, "set_running", { running: !sim.state?.running }),
    });
    ui.row();
    const predict = ui.select({
      name: "Predict next eviction",
      options: [["", "choose a key"]],
      value: "",
      onChange: (value) => (value ? act(sim, "predict", { key: value }) : undefined),
    });
    ui.button({ name: "Reset", onClick: () => act(sim, "reset") });
    const predicting = ui.checkbox({
      name: P.predict.label,
      checked: sim.params.predict === "on",
      onChange: (checked) => act(sim, "set_predicting", { on: checked }),
    });
    const redis = ui.checkbox({
      name: P.mode.label,
      checked: sim.params.mode === "redis",
      onChange: (checked) => act(sim, "set_mode", { redis: checked }),
    });
    const capacity = ui.range({
      name: P.capacity.label,
      min: P.capacity.min,
      max: P.capacity.max,
      step: 1,
      value: sim.params.capacity,
      format: (v) => `${v} ${P.capacity.unit}`,
      onChange: (value) => act(sim, "set_capacity", { capacity: value }),
    });
    const sequence = ui.text({
      name: P.sequence.label,
      value: sim.params.sequence,
      maxLength: P.sequence.maxLength,
      size: 22,
      placeholder: "A B A C … then Enter",
      onEnter: (value) => act(sim, "set_sequence", { text: value }),
    });
    const seed = ui.range({
      name: "Seed",
      min: SEEDS.min,
      max: SEEDS.max,
      step: 1,
      value: Math.min(SEEDS.max, Math.max(SEEDS.min, sim.params.seed)),
      onChange: (value) => act(sim, "set_seed", { seed: value }),
    });
    // Prediction mode, Redis approximation, Capacity, Custom sequence and Seed live in a
    // "More settings" disclosure so that both rows fit the book's 660 px column; opening it puts
    // them on a row of their own and the page grows (the picture keeps its size, see
    // minCanvasHeight).
    const more = document.createElement("details");
    sim.view.more = more;
    more.className = "ce-more";
    const summary = document.createElement("summary");
    summary.textContent = "More settings";
    const moreRow = document.createElement("div");
    moreRow.className = "ms-row";
    moreRow.append(
      predicting.closest(".ms-field"),
      redis.closest(".ms-field"),
      capacity.closest(".ms-field"),
      sequence.closest(".ms-field"),
      seed.closest(".ms-field"),
    );
    summary.addEventListener("click", () => {
      if (!more.open && sim.p5?.canvas) sim.view.closedHeight = sim.height; // the height to keep
    });
    more.append(summary, moreRow);
    predict.closest(".ms-row").append(more);

    // Keep the DOM controls in step with the controller (URL params, reset, end of run).
    let shownKeys = null;
    let noticesShown = false;
    sim.syncControls = (state) => {
      if (!state) return;
      if (!noticesShown) {
        noticesShown = true;
        for (const text of state.paramNotices || []) sim.notice(text);
      }
      ui.setPressed(full, state.running);
      if (policy.value !== state.policyId) ui.setValue(policy, state.policyId);
      if (redis.checked !== (state.mode === "redis")) ui.setValue(redis, state.mode === "redis");
      if (predicting.checked !== state.predicting) ui.setValue(predicting, state.predicting);
      if (Number(seed.value) !== state.seed && document.activeElement !== seed) {
        if (state.seed >= SEEDS.min && state.seed <= SEEDS.max) ui.setValue(seed, state.seed);
      }
      if (Number(capacity.value) !== state.capacity && document.activeElement !== capacity) {
        ui.setValue(capacity, state.capacity);
      }
      if (
        document.activeElement !== sequence &&
        sequence.value.trim() &&
        sequence.value !== state.sequenceText
      ) {
        ui.setValue(sequence, state.isDefaultSequence ? "" : state.sequenceText);
      }
      const keys = state.finished ? [] : state.slots.map((s) => s.key);
      const signature = `${state.finished}\u0001${keys.join("\u0000")}`;
      if (signature !== shownKeys) {
        shownKeys = signature;
        const empty = state.finished
          ? "sequence finished"
          : keys.length
            ? "choose a key"
            : "no keys yet";
        predict.replaceChildren(new Option(empty, ""));
        for (const key of keys) predict.append(new Option(key, key));
      }
      const want = state.prediction && keys.includes(state.prediction) ? state.prediction : "";
      if (predict.value !== want && document.activeElement !== predict) predict.value = want;
    };
  },

  sketch(p, sim) {
    let geometry = layout(sim.width, sim.height, capacityOf(sim));
    p.draw = () => {
      geometry = layout(p.width, p.height, capacityOf(sim));
      if (!sim.view.more?.open) sim.view.closedHeight = p.height;
      syncTimer(sim);
      sim.syncControls?.(sim.state);
      // what the view drew (panels, log lines): a view fact for tests, not simulation state
      sim.viewInfo = drawScene(
        p,
        sim.state,
        sim.colors,
        geometry,
        sim.reducedMotion ? null : animationFrame(sim),
      );
    };
    p.setup = () => {
      // a click on a slot is a prediction (the "Predict next eviction" list does the same by keyboard)
      p.canvas.addEventListener("click", (event) => {
        if (!sim.state || sim.state.finished) return;
        const rect = p.canvas.getBoundingClientRect();
        const x = ((event.clientX - rect.left) * p.width) / rect.width;
        const y = ((event.clientY - rect.top) * p.height) / rect.height;
        const key = slotAt(sim.state, geometry, x, y);
        if (key) act(sim, "predict", { key });
      });
    };
  },

  describe: describeState,

  async step(sim, n) {
    sim.view.anim = null;
    await sim.call("step", { n });
    syncTimer(sim);
  },
});
