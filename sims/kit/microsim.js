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
//   * engine-bridge.js (over engine-client.js): the sim's controller in the shared Python
//     interpreter, calls queued and never interleaved;
//   * params.js (URL parameters checked against sim.json, with notices), theme.js (colours,
//     light/dark, reduced motion), p5-host.js (p5.js and the loading picture).
// This module joins them: start-up (canvas, controls and a loading indicator at once; the engine
// loads meanwhile; <html data-sim-state> goes loading -> ready -- engine answered AND first real
// frame drawn -- or error, with the reason and Retry), window.microsim {id, ready, state(),
// step(n), reset()} and the microsim-ready / microsim-error messages (docs/contracts.md). The
// canvas is redrawn when something changes (state, size, theme, animation) rather than 60 times a
// second: three sims in one chapter page then cost almost nothing while idle.
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
import { createBridge } from "./engine-bridge.js";
import { buildPage, createLayout, el, postToParent } from "./layout.js";
import { drawLoading, loadP5 } from "./p5-host.js";
import { parseParams } from "./params.js";
import { canvasDescription, createText } from "./text.js";
import { OKABE_ITO, watchReducedMotion, watchTheme } from "./theme.js";

// A backstop only: the worker gives each download and its whole load their own deadlines and
// names what failed (engine-worker.js); this one covers a worker that never answers at all.
const LOAD_TIMEOUT_MS = 300000;
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
  const root = document.documentElement;
  root.dataset.simState = "loading";
  const { values: params, notices } = parseParams(location.search, spec.params);
  const page = buildPage(title, canvasHeight);
  const { main, stage, placeholder, overlay, controlsBox } = page;
  const text = createText({ id, page });
  const { narrate, notice, report } = text;

  let readyMarked = false;
  /** @type {string | null} */
  let failed = null;
  let p5instance = null;
  let looping = false;
  let readyResolve;
  let readyReject;
  let loadTimer = null;

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
  const bridge = createBridge({
    id,
    spec,
    params,
    controllerFromSite: options.controllerFromSite,
    onStatus,
    notice,
  });

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

  function makeReady() {
    const promise = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    promise.catch(() => {}); // a rejection is shown on the page; it must not be "unhandled"
    return promise;
  }

  const api = {
    id,
    ready: makeReady(),
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
  window.microsim = api;

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
    if (!readyMarked && !failed && text.controlUsedWithin(100)) notice(QUEUED_NOTICE);
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
      fail(error.message);
    } else {
      console.error(`[${id}] engine error:`, error.detail || error.message);
      notice(error.message || "The engine hit an internal error.");
    }
  }

  // ---- start-up, error and retry ------------------------------------------------------------
  function onStatus(status) {
    if (status.phase === "loading") {
      sim.phase = status.message;
      // While downloading: the share of the bytes received, drawn as a bar under the words.
      sim.progress =
        status.total > 0 && status.received < status.total ? status.received / status.total : null;
      updateDescription();
      redraw();
    } else if (status.phase === "error" && !readyMarked) {
      fail(status.message);
    } else if (status.phase === "ready" && failed && p5instance && bridge.handle === null) {
      // Another sim of this page pressed Retry and the shared engine is up now: recover too.
      retryStart();
    }
  }

  async function start() {
    clearTimeout(loadTimer);
    loadTimer = setTimeout(() => {
      if (!readyMarked && !failed)
        fail("The Python engine took too long to start. Try again, or reload the page.");
    }, LOAD_TIMEOUT_MS);
    const blocked = /** @type {any} */ (window).microsimBlocked; // boot.js: a sandboxed frame
    if (blocked) {
      fail(blocked);
      return;
    }
    const result = await bridge.connect();
    if (!result.ok) {
      fail(result.message);
      return;
    }
    if (failed) return;
    bridge.handle = result.handle;
    applyState(result.state);
    // Ready = engine answered + the first real frame drawn (draw() marks it).
    if (p5instance) redraw();
  }

  function markReady() {
    if (readyMarked || failed || !sim.state) return;
    readyMarked = true;
    clearTimeout(loadTimer);
    text.dropNotice(QUEUED_NOTICE);
    root.dataset.simState = "ready";
    readyResolve(api);
    postToParent({ type: "microsim-ready", id });
    sizes.postHeight(true);
    updateLoop();
  }

  function fail(reason) {
    if (failed || readyMarked) return;
    failed = String(reason || "The simulation could not start.");
    clearTimeout(loadTimer);
    root.dataset.simState = "error";
    bridge.forgetIfDead(failed);
    overlay.replaceChildren();
    overlay.setAttribute("role", "alert");
    const message = el("p", "ms-error-text", failed);
    const retry = el("button", "ms-button ms-retry", "Retry");
    /** @type {HTMLButtonElement} */ (retry).type = "button";
    retry.addEventListener("click", retryStart);
    overlay.append(el("p", "ms-error-title", "The simulation could not start."), message, retry);
    overlay.hidden = false;
    narrate(`Error: ${failed}`);
    readyReject(new Error(failed));
    postToParent({ type: "microsim-error", id, message: failed });
    updateLoop();
    redraw();
  }

  let retrying = false;
  async function retryStart() {
    if (retrying) return;
    retrying = true;
    overlay.hidden = true;
    overlay.replaceChildren();
    failed = null;
    root.dataset.simState = "loading";
    api.ready = makeReady();
    narrate("Loading the Python engine…");
    updateLoop();
    try {
      if (!p5instance) await startSketch();
      await bridge.retry();
      await start();
    } catch (error) {
      fail(error.message);
    } finally {
      retrying = false;
    }
  }

  // ---- drawing ----------------------------------------------------------------------------
  function updateLoop() {
    if (!p5instance) return;
    const spinning = !sim.state && !failed && !motion.reduced;
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
      failed,
      state: sim.state,
      phase: sim.phase,
      describe,
      sim,
    });
    canvas.setAttribute("aria-label", label);
  }

  function frame(p, userDraw) {
    clock.advance();
    if (!sim.state || failed) {
      drawLoading(p, {
        colors: sim.colors,
        width: sim.width,
        height: sim.height,
        phase: sim.phase,
        progress: sim.progress,
        failed: Boolean(failed),
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
      readyMarked = false;
      fail(`The simulation could not draw its picture (${error.message}).`);
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
  addEventListener("pagehide", () => bridge.dispose());

  startSketch()
    .then(updateLoop)
    .catch((error) => {
      console.warn(`[${id}]`, error);
      fail(error.message);
    });
  start().catch((error) => {
    console.warn(`[${id}]`, error);
    fail(error.message);
  });
  return sim;
}
