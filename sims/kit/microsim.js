// @ts-check
// microsim.js -- createMicroSim(): everything a MicroSim page needs except its own picture.
//
// A sim is one folder, sims/<id>/: its spec (sim.json: id, title, canvas height, parameters,
// commands, option labels), a Python controller (controller.py, the model) and a p5 view
// (sim.js and its views) that draws `sim.state` and forwards input. The kit does the rest, once
// for every sim, one concern per module:
//   * layout.js: the page's skeleton, the canvas's size (the whole sim fits in `canvasHeight`
//     px; a view may ask for more on a phone with minCanvasHeight), full screen, and the height
//     posted to the parent (microsim-resize, lti.frameResize);
//   * controls.js: the control rows (`ui`), real labelled DOM controls;
//   * animation.js: the animation clock (sim.animate(stages), sim.animation);
//   * text.js: the aria-live narration, the notices, the canvas's text alternative;
//   * lifecycle.js: start-up, ready, error with Retry, the sandbox check, window.microsim.ready
//     and the microsim-ready / microsim-error messages, over engine-bridge.js (the sim's
//     controller in the shared Python interpreter, calls queued and never interleaved);
//   * params.js (URL parameters checked against sim.json, with notices), theme.js (colours,
//     light/dark, reduced motion), p5-host.js (p5.js and the loading picture).
// This module joins them: start-up (canvas, controls and a loading indicator at once; the engine
// loads meanwhile; <html data-sim-state> goes loading -> ready -- engine answered AND first real
// frame drawn -- or error, with the reason and Retry) and window.microsim {id, ready, state(),
// step(n), reset()} (docs/contracts.md). The canvas is redrawn when something changes (state,
// size, theme, animation) rather than 60 times a second: three sims in one chapter page then
// cost almost nothing while idle.
//
// Every callback a sim gives receives `sim`, so a sim keeps its view state on `sim.view`, never
// in module variables: controls(ui, sim), sketch(p, sim), describe(state, sim),
// minCanvasHeight(width, sim), resized(sim), step(sim, n).
//
// Usage: see sims/kit/README.md for the whole API and a complete minimal sim.
//   import { createMicroSim, loadSpec } from "../kit/microsim.js";
//   const spec = await loadSpec(import.meta.url); // the sim.json beside sim.js
//   createMicroSim({ spec, controls(ui, sim), sketch(p, sim), describe(state, sim) });

import { createAnimationClock } from "./animation.js";
import { createControls } from "./controls.js";
import { buildPage, createLayout } from "./layout.js";
import { createLifecycle } from "./lifecycle.js";
import { drawLoading, loadP5 } from "./p5-host.js";
import { parseParams } from "./params.js";
import { canvasDescription, createText } from "./text.js";
import { OKABE_ITO, watchReducedMotion, watchTheme } from "./theme.js";

// A control used while Python is still loading is queued; the reader is told it will run.
const QUEUED_NOTICE = "Waiting for the Python engine: your action will run as soon as it is ready.";

function clone(value) {
  return value == null ? value : JSON.parse(JSON.stringify(value));
}

/**
 * @typedef {import("./params.js").ParamSpec} ParamSpec
 * @typedef {{value: string | number, label: string, short?: string}} Option
 * @typedef {{label: string, default: string | number, options: Option[]}} OptionList
 * @typedef {object} SimSpec  A sim's sims/<id>/sim.json (see sims/README.md).
 * @property {string} id  the sim-id, the folder's name
 * @property {string} title
 * @property {number} canvasHeight  the height the whole sim fits in (an iframe of this + 2 px)
 * @property {Record<string, ParamSpec>} params  URL parameters (seed and theme are the kit's)
 * @property {Record<string, OptionList>} [options]  other choices the controls offer
 * @property {string[]} commands  the controller's commands (its cmd_<name> methods)
 */

/**
 * The sim's spec: the sim.json beside the module at `base` (a sim passes `import.meta.url`).
 * @param {string | URL} base
 * @returns {Promise<SimSpec>}
 */
export async function loadSpec(base) {
  const url = new URL("sim.json", base);
  let response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new Error(`Could not download the simulation's settings (sim.json): ${error}`);
  }
  if (!response.ok) {
    throw new Error(
      `Could not download the simulation's settings (sim.json, HTTP ${response.status}).`,
    );
  }
  return response.json();
}

/** `[value, label]` pairs of an option list of sim.json, for ui.select(). */
export function optionPairs(/** @type {{options: Option[]}} */ list) {
  return list.options.map((option) => [String(option.value), option.label]);
}

/**
 * @typedef {object} SimOptions  what a sim gives createMicroSim (sims/kit/README.md)
 * @property {SimSpec} spec
 * @property {(ui: ReturnType<typeof createControls>, sim: MicroSim) => void} [controls]
 * @property {(p: any, sim: MicroSim) => void} [sketch]
 * @property {(state: any, sim: MicroSim) => unknown} [describe]
 * @property {(width: number, sim: MicroSim) => number} [minCanvasHeight]
 * @property {(sim: MicroSim) => void} [resized]
 * @property {(sim: MicroSim, n: number) => Promise<unknown>} [step]
 * @property {boolean} [controllerFromSite]  the controller is not in kvengine.zip (a test's sim)
 *
 * @typedef {object} MicroSim  the `sim` object every callback receives (sims/kit/README.md)
 * @property {string} id
 * @property {string} title
 * @property {SimSpec} spec
 * @property {Record<string, any>} params  the checked URL parameters
 * @property {any} state  the controller's latest state
 * @property {Record<string, any>} view  the sim's own per-instance view state
 * @property {number} width
 * @property {number} height
 * @property {any} p5
 * @property {(method: string, args?: object) => Promise<any>} call
 * @property {(text: unknown) => void} narrate
 * @property {(text: unknown) => void} notice
 * @property {() => void} redraw
 * @property {(stages: Array<number | object>) => Promise<void>} animate
 * @property {() => void} finishAnimation
 * @property {(on?: boolean) => void} loop
 */

/**
 * Create the sim described by `options` (see the module comment and README). Returns `sim`.
 * @param {SimOptions & Record<string, any>} options
 * @returns {MicroSim & Record<string, any>}
 */
export function createMicroSim(options) {
  const { spec } = options;
  const { id, title = id, canvasHeight } = spec;
  const { values: params, notices } = parseParams(location.search, spec.params);
  const page = buildPage(title, canvasHeight);
  const { main, stage, placeholder, overlay, controlsBox } = page;
  const text = createText({ id, page });
  const { narrate, notice, report } = text;

  let p5instance = null;
  let looping = false;

  const theme = watchTheme(params.theme, () => redraw());
  const motion = watchReducedMotion(() => {
    updateLoop();
    redraw();
  });
  const clock = createAnimationClock({
    motion,
    onStart: () => updateLoop(),
    onEnd: () => {
      updateLoop();
      redraw();
    },
    redraw: () => redraw(),
  });
  const life = createLifecycle({
    id,
    spec,
    params,
    controllerFromSite: options.controllerFromSite,
    overlay,
    narrate,
    notice,
    onConnected(state) {
      applyState(state);
      // Ready = engine answered + the first real frame drawn (draw() marks it).
      if (p5instance) redraw();
    },
    onLoading(status) {
      sim.phase = status.message;
      // While downloading: the share of the bytes received, drawn as a bar under the words.
      sim.progress =
        status.total > 0 && status.received < status.total ? status.received / status.total : null;
      updateDescription();
      redraw();
    },
    onReady() {
      text.dropNotice(QUEUED_NOTICE);
      sizes.postHeight(true);
      updateLoop();
    },
    onFailed() {
      updateLoop();
      redraw();
    },
    onRetrying: () => updateLoop(),
    async beforeRetry() {
      if (!p5instance) await startSketch();
    },
    // Recover when another sim's Retry brought the engine up (once this one can draw).
    canRecover: () => Boolean(p5instance),
  });
  const { bridge } = life;

  /** @type {MicroSim & Record<string, any>} */
  const sim = {
    id,
    title,
    spec,
    params,
    state: null,
    phase: "Starting the Python engine",
    colors: theme.colors,
    palette: OKABE_ITO,
    width: Math.max(1, stage.clientWidth || main.clientWidth || 300),
    height: Math.round(canvasHeight * 0.7),
    p5: null,
    view: {},
    get theme() {
      return theme.name;
    },
    get reducedMotion() {
      return motion.reduced;
    },
    get animating() {
      return clock.running;
    },
    get animation() {
      return clock.current;
    },
    call,
    narrate,
    notice,
    redraw,
    animate: clock.animate,
    finishAnimation: clock.finish,
    /** Keep redrawing every frame (true) or only on change (false, the default). */
    loop(on = true) {
      looping = Boolean(on);
      updateLoop();
    },
  };

  const sizes = createLayout({
    id,
    page,
    canvasHeight,
    sim,
    minCanvasHeight: options.minCanvasHeight,
    onResize() {
      if (p5instance?.canvas) {
        p5instance.resizeCanvas(sim.width, sim.height);
        if (typeof options.resized === "function") options.resized(sim);
        redraw();
      }
    },
  });

  const api = {
    id,
    /** @type {Promise<unknown>} resolves when ready; a new one after Retry (lifecycle.js) */
    ready: Promise.resolve(),
    state: () => {
      if (!sim.state) return null;
      const snapshot = clone(sim.state);
      snapshot.animating = Boolean(sim.state.animating) || clock.running;
      return snapshot;
    },
    async step(n = 1) {
      const count = Number(n);
      if (!Number.isInteger(count) || count < 1)
        throw new Error("step(n) needs a whole number n >= 1");
      await api.ready;
      clock.finish();
      if (options.step) await options.step(sim, count);
      else await call("step", { n: count });
      clock.finish();
      return api.state();
    },
    async reset() {
      await api.ready;
      clock.finish();
      await call("reset");
      clock.finish();
      return api.state();
    },
  };
  Object.defineProperty(api, "_sim", { value: sim }); // for tests and debugging only
  life.publish(api);

  // ---- engine calls (queued) ----------------------------------------------------------------
  function applyState(state) {
    sim.state = state;
    if (state?.narration) narrate(state.narration);
    updateDescription();
    updateLoop();
    redraw();
  }

  /** Run a controller command; resolves with the new state (unchanged on a refused input). */
  // `latest` (true or a key such as the panel): a setter whose newest value is all that matters;
  // a burst of such calls runs the newest one only (engine-bridge.js, enqueue).
  function call(method, args = {}, { latest = undefined } = {}) {
    if (!life.ready && !life.failed && text.controlUsedWithin(100)) notice(QUEUED_NOTICE);
    const key = latest === undefined ? undefined : `${method}\u0000${latest}`;
    return bridge.enqueue(async () => {
      await api.ready;
      const reply = await bridge.client.call(bridge.handle, method, args);
      if (reply.ok) {
        applyState(reply.state);
        return sim.state;
      }
      handleError(reply.error);
      return sim.state;
    }, key);
  }

  function handleError(error = {}) {
    if (error.kind === "input") {
      notice(error.message);
    } else if (error.kind === "load") {
      life.fail(error.message);
    } else {
      console.error(`[${id}] engine error:`, error.detail || error.message);
      notice(error.message || "The engine hit an internal error.");
    }
  }

  // ---- ready --------------------------------------------------------------------------------
  function markReady() {
    if (life.ready || life.failed || !sim.state) return;
    life.markReady();
  }

  // ---- drawing ----------------------------------------------------------------------------
  function updateLoop() {
    if (!p5instance) return;
    const spinning = !sim.state && !life.failed && !motion.reduced;
    const want = looping || clock.running || spinning;
    if (want && !p5instance.isLooping()) p5instance.loop();
    if (!want && p5instance.isLooping()) p5instance.noLoop();
  }

  // Draw now, not at the next animation frame: browsers stop animation frames in hidden tabs and
  // in cross-origin iframes scrolled out of view, and `ready` must not wait for the reader to
  // scroll (the first real frame is drawn as soon as the state arrives).
  function redraw() {
    if (p5instance?._setupDone) p5instance.redraw();
  }

  function updateDescription() {
    const canvas = p5instance?.canvas;
    if (!canvas) return;
    const { describe } = options;
    const label = canvasDescription({
      id,
      title,
      failed: life.failed,
      state: sim.state,
      phase: sim.phase,
      describe,
      sim,
    });
    canvas.setAttribute("aria-label", label);
  }

  function frame(p, userDraw) {
    clock.advance();
    if (!sim.state || life.failed) {
      drawLoading(p, {
        colors: sim.colors,
        width: sim.width,
        height: sim.height,
        phase: sim.phase,
        progress: sim.progress,
        failed: Boolean(life.failed),
        reduced: motion.reduced,
      });
      return;
    }
    try {
      if (userDraw) userDraw.call(p);
      else p.background(sim.colors.bg);
      sizes.relayoutIfNeeded();
    } catch (error) {
      console.error(`[${id}] draw() failed`, error);
      life.breakDown(`The simulation could not draw its picture (${error.message}).`);
      return;
    }
    markReady();
  }

  async function startSketch() {
    const P5 = await loadP5();
    await new Promise((resolve, reject) => {
      p5instance = new P5((p) => {
        sim.p5 = p;
        try {
          options.sketch?.(p, sim);
        } catch (error) {
          reject(error);
          return;
        }
        const userSetup = p.setup;
        const userDraw = p.draw;
        p.setup = async () => {
          const canvas = p.createCanvas(sim.width, sim.height);
          const node = canvas.elt || p.canvas;
          node.setAttribute("role", "img");
          node.classList.add("ms-canvas");
          p.textFont("system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif");
          placeholder.remove();
          p.frameRate(60);
          if (userSetup) await userSetup.call(p);
          updateDescription();
          resolve(undefined);
        };
        p.draw = () => frame(p, userDraw);
        p.windowResized = () => sizes.layout();
      }, stage);
      sim.p5 = p5instance;
    });
    p5instance = sim.p5;
    updateLoop();
    redraw();
  }

  // ---- boot -------------------------------------------------------------------------------
  try {
    options.controls?.(createControls(controlsBox, report), sim);
  } catch (error) {
    report(error);
  }
  if (notices.length) notice(notices.join(" "));
  sizes.watch();

  startSketch()
    .then(updateLoop)
    .catch((error) => {
      console.warn(`[${id}]`, error);
      life.fail(error.message);
    });
  life.start();
  return sim;
}
