// @ts-check
// microsim.js -- createMicroSim(): everything a MicroSim page needs except its own picture.
//
// A sim is one folder, sims/<id>/: its spec (sim.json: id, title, canvas height, parameters,
// commands, option labels), a Python controller (controller.py, the model) and a p5 view
// (sim.js and its views) that draws `sim.state` and forwards input. This kit does the rest, once
// for every sim:
//   * layout: a canvas of responsive width; the whole sim (canvas + controls + status lines)
//     fits in `canvasHeight` px, so an iframe of height canvasHeight + 2 shows it all -- the
//     canvas gets the height the controls leave (`sim.height`), recomputed when they wrap; a
//     view that needs more at some width (a phone layout stacked in one column) says so with
//     `minCanvasHeight(width)`, and the page then grows past canvasHeight (microsim-resize);
//   * start-up: canvas, controls and a loading indicator appear at once; the engine (Pyodide in
//     a shared worker, engine-client.js) loads meanwhile; <html data-sim-state> goes
//     loading -> ready (engine answered AND first real frame drawn) or error (reason + Retry);
//   * window.microsim {id, ready, state(), step(n), reset()} and the parent postMessage events
//     microsim-ready / microsim-error / microsim-resize (docs/contracts.md);
//   * URL parameters checked against sim.json with visible fallback notices (params.js), a
//     seeded start (`seed`), theme
//     (`theme`, else prefers-color-scheme) and reduced motion (theme.js);
//   * the aria-live narration line (from state.narration), the canvas text alternative
//     (describe(state)) and input-error notices.
// Calls to Python are queued, never interleaved. The canvas is redrawn when something changes
// (state, size, theme, animation) rather than 60 times a second: three sims in one chapter page
// then cost almost nothing while idle.
//
// Usage: see sims/kit/README.md for the whole API and a complete minimal sim.
//   import { createMicroSim, loadSpec } from "../kit/microsim.js";
//   const spec = await loadSpec(import.meta.url); // the sim.json beside sim.js
//   createMicroSim({ spec, controls(ui, sim), sketch(p, sim), describe(state) });

import { ASSETS } from "./config.js";
import { createControls } from "./controls.js";
import { EngineClient } from "./engine-client.js";
import { parseParams } from "./params.js";
import { OKABE_ITO, watchReducedMotion, watchTheme } from "./theme.js";

const MIN_CANVAS_SHARE = 0.45; // the canvas never shrinks below this share of canvasHeight
const LOAD_TIMEOUT_MS = 120000;

let sharedEngine = null;

function engine(onStatus) {
  if (!sharedEngine || sharedEngine.dead) sharedEngine = new EngineClient({ onStatus });
  else sharedEngine.onStatus = onStatus;
  return sharedEngine;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

// p5 listens to device motion/orientation on start-up; inside a cross-origin iframe that breaks
// the Permissions Policy (Chromium logs an error per listener). The sims use no motion sensors,
// so those two listeners are simply not registered on this page.
function ignoreMotionSensors() {
  const add = /** @type {any} */ (window.addEventListener);
  if (add.msFiltered) return;
  const filtered = function (type, ...rest) {
    if (type === "devicemotion" || type === "deviceorientation") return undefined;
    return add.call(this, type, ...rest);
  };
  filtered.msFiltered = true;
  window.addEventListener = filtered;
}

function loadP5() {
  ignoreMotionSensors();
  if (typeof window.p5 === "function") return Promise.resolve(window.p5);
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = new URL(ASSETS.p5.url, import.meta.url).href;
    if (ASSETS.p5.integrity) {
      script.integrity = ASSETS.p5.integrity;
      script.crossOrigin = "anonymous";
    }
    script.onload = () =>
      typeof window.p5 === "function"
        ? resolve(window.p5)
        : reject(new Error("p5.js did not start"));
    script.onerror = () => {
      script.remove();
      reject(
        new Error(
          "Could not download the drawing library (p5.js). Check the connection and try again.",
        ),
      );
    };
    document.head.append(script);
  });
}

function postToParent(message) {
  if (window.parent && window.parent !== window) {
    try {
      window.parent.postMessage(message, "*");
    } catch {
      /* a parent that cannot receive messages is fine */
    }
  }
}

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
 * Create the sim described by `options` (see the module comment and README). Returns `sim`.
 * @param {{spec: SimSpec} & Record<string, any>} options
 */
export function createMicroSim(options) {
  const { spec } = options;
  const { id, title = id, canvasHeight } = spec;
  const root = document.documentElement;
  root.dataset.simState = "loading";
  const { values: params, notices } = parseParams(location.search, spec.params);

  // ---- DOM -------------------------------------------------------------------------------
  const main = document.getElementById("microsim") || document.body.appendChild(el("main"));
  main.classList.add("microsim");
  main.replaceChildren();
  main.style.height = `${canvasHeight}px`;
  const heading = el("h1", "ms-visually-hidden", title);
  const stage = el("div", "ms-stage");
  const placeholder = el("div", "ms-placeholder", "Loading the simulation…");
  placeholder.setAttribute("role", "img");
  placeholder.setAttribute("aria-label", `${title}: loading`);
  stage.append(placeholder);
  const overlay = el("div", "ms-overlay");
  overlay.hidden = true;
  stage.append(overlay);
  const panel = el("div", "ms-panel");
  const controlsBox = el("div", "ms-controls");
  controlsBox.setAttribute("role", "group");
  controlsBox.setAttribute("aria-label", `${title} controls`);
  const noticeLine = el("p", "ms-notice");
  noticeLine.setAttribute("role", "status");
  noticeLine.hidden = true;
  const narration = el("p", "ms-narration");
  narration.setAttribute("aria-live", "polite");
  narration.setAttribute("aria-atomic", "true");
  narration.textContent = "Loading the Python engine…";
  panel.append(controlsBox, noticeLine, narration);
  main.append(heading, stage, panel);

  // ---- the sim object handed to controls() and sketch() ------------------------------------
  let readyMarked = false;
  let failed = null;
  let handle = null;
  let queue = Promise.resolve();
  let animation = null;
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
    get theme() {
      return theme.name;
    },
    get reducedMotion() {
      return motion.reduced;
    },
    get animating() {
      return animation !== null;
    },
    get animation() {
      return animation?.current;
    },
    call,
    narrate,
    notice,
    redraw,
    animate,
    finishAnimation,
    /** Keep redrawing every frame (true) or only on change (false, the default). */
    loop(on = true) {
      looping = Boolean(on);
      updateLoop();
    },
  };

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
      snapshot.animating = Boolean(sim.state.animating) || animation !== null;
      return snapshot;
    },
    async step(n = 1) {
      const count = Number(n);
      if (!Number.isInteger(count) || count < 1)
        throw new Error("step(n) needs a whole number n >= 1");
      await api.ready;
      finishAnimation();
      if (options.step) await options.step(sim, count);
      else await call("step", { n: count });
      finishAnimation();
      return api.state();
    },
    async reset() {
      await api.ready;
      finishAnimation();
      await call("reset");
      finishAnimation();
      return api.state();
    },
  };
  Object.defineProperty(api, "_sim", { value: sim }); // for tests and debugging only
  window.microsim = api;

  // ---- status lines -------------------------------------------------------------------------
  function narrate(text) {
    // Rewriting the same text would make some screen readers announce it again.
    if (!text || narration.textContent === String(text)) return;
    narration.textContent = String(text);
  }

  // Notices say what just went wrong (a bad URL parameter, a refused input). They stay until the
  // reader next operates a control, so a stale message never sits beside a new one; the same text
  // is never shown twice, and at most the two newest are kept, so the line cannot grow and squeeze
  // the canvas. (The panel's ResizeObserver re-lays out the canvas when the line changes.)
  const noticeList = [];
  function notice(text) {
    if (!text) return;
    text = String(text);
    if (noticeList.includes(text)) return;
    noticeList.push(text);
    while (noticeList.length > 2) noticeList.shift();
    noticeLine.textContent = noticeList.join(" ");
    noticeLine.hidden = false;
  }
  function dropNotice(text) {
    const index = noticeList.indexOf(text);
    if (index < 0) return;
    noticeList.splice(index, 1);
    noticeLine.textContent = noticeList.join(" ");
    noticeLine.hidden = noticeList.length === 0;
  }
  function clearNotices() {
    noticeList.length = 0;
    noticeLine.textContent = "";
    noticeLine.hidden = true;
  }
  // Capture phase: cleared before the control's own handler runs and perhaps posts a new notice.
  let controlEventAt = -Infinity; // when the reader last operated a control
  for (const type of ["click", "change", "input", "keydown"]) {
    controlsBox.addEventListener(
      type,
      () => {
        controlEventAt = performance.now();
        if (type !== "keydown") clearNotices();
      },
      { capture: true },
    );
  }

  function report(error) {
    console.error(`[${id}]`, error);
    notice(`Something went wrong: ${error?.message ? error.message : error}`);
  }

  // ---- engine calls (queued) ----------------------------------------------------------------
  function applyState(state, { announce = true } = {}) {
    sim.state = state;
    if (announce && state?.narration) narrate(state.narration);
    updateDescription();
    updateLoop();
    redraw();
  }

  // A control used while Python is still loading is queued; the reader is told it will run.
  const QUEUED_NOTICE =
    "Waiting for the Python engine: your action will run as soon as it is ready.";

  function call(method, args = {}) {
    const fromControl = performance.now() - controlEventAt < 100;
    if (!readyMarked && !failed && fromControl) notice(QUEUED_NOTICE);
    const run = async () => {
      await api.ready;
      const reply = await sharedEngine.call(handle, method, args);
      if (reply.ok) {
        applyState(reply.state);
        return sim.state;
      }
      handleError(reply.error);
      return sim.state;
    };
    const result = queue.then(run, run);
    queue = result.catch(() => {});
    return result;
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
    } else if (status.phase === "ready" && failed && p5instance && handle === null) {
      // Another sim of this page pressed Retry and the shared engine is up now: recover too.
      retryStart();
    }
  }

  function simParams() {
    const own = {};
    for (const name of Object.keys(spec.params)) own[name] = params[name];
    return own;
  }

  function defaultParams() {
    const own = {};
    for (const [name, param] of Object.entries(spec.params)) own[name] = param.default;
    return own;
  }

  async function start() {
    clearTimeout(loadTimer);
    loadTimer = setTimeout(() => {
      if (!readyMarked && !failed)
        fail("The Python engine took too long to start. Try again, or reload the page.");
    }, LOAD_TIMEOUT_MS);
    const client = engine(onStatus);
    if (handle !== null) {
      client.dispose(handle); // a retry after a drawing failure: start from a fresh controller
      handle = null;
    }
    if (typeof WebAssembly !== "object") {
      fail("This browser cannot run WebAssembly, which the Python engine needs.");
      return;
    }
    if (options.python) {
      const loaded = await client.loadPython(
        new URL(options.python.url, location.href).href,
        options.python.module,
      );
      if (!loaded.ok) {
        if (loaded.error?.detail) console.error(`[${id}]`, loaded.error.detail);
        fail(loaded.error ? loaded.error.message : "Could not load the sim's Python module.");
        return;
      }
    }
    let reply = await client.create(id, simParams(), params.seed);
    if (!reply.ok && reply.error && reply.error.kind === "input") {
      notice(`${reply.error.message} Using the default settings.`);
      reply = await client.create(id, defaultParams(), params.seed);
    }
    if (!reply.ok) {
      if (reply.error?.detail) console.error(`[${id}] engine error:`, reply.error.detail);
      fail(reply.error ? reply.error.message : "The engine did not answer.");
      return;
    }
    if (failed) return;
    handle = reply.handle;
    applyState(reply.state);
    settleWhenDrawn();
  }

  function settleWhenDrawn() {
    // Ready = engine answered + the first real frame drawn (draw() marks it).
    if (p5instance) redraw();
  }

  function markReady() {
    if (readyMarked || failed || !sim.state) return;
    readyMarked = true;
    clearTimeout(loadTimer);
    dropNotice(QUEUED_NOTICE);
    root.dataset.simState = "ready";
    readyResolve(api);
    postToParent({ type: "microsim-ready", id });
    updateLoop();
  }

  function fail(reason) {
    if (failed || readyMarked) return;
    failed = String(reason || "The simulation could not start.");
    clearTimeout(loadTimer);
    root.dataset.simState = "error";
    if (sharedEngine && /worker could not start|worker stopped|Web Workers/.test(failed))
      sharedEngine.dead = true;
    overlay.replaceChildren();
    overlay.setAttribute("role", "alert");
    const message = el("p", "ms-error-text", failed);
    const retry = el("button", "ms-button ms-retry", "Retry");
    retry.type = "button";
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
      if (sharedEngine && !sharedEngine.dead) await sharedEngine.retry();
      await start();
    } catch (error) {
      fail(error.message);
    } finally {
      retrying = false;
    }
  }

  // ---- animation timeline -----------------------------------------------------------------
  function animate(stages) {
    finishAnimation();
    const list = (stages || []).map((stage, index) =>
      typeof stage === "number" ? { name: `stage${index}`, ms: stage } : { ms: 400, ...stage },
    );
    if (list.length === 0) {
      redraw();
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      animation = { stages: list, start: performance.now(), resolve, current: null };
      advanceAnimation();
      updateLoop();
    });
  }

  function advanceAnimation() {
    if (!animation) return;
    let elapsed = performance.now() - animation.start;
    for (let index = 0; index < animation.stages.length; index++) {
      const stage = animation.stages[index];
      if (elapsed < stage.ms) {
        // Reduced motion keeps the stages and their timing but never moves: each stage is shown
        // at its end state (progress 1).
        const progress = motion.reduced || stage.ms <= 0 ? 1 : elapsed / stage.ms;
        animation.current = { ...stage, index, progress, reduced: motion.reduced };
        return;
      }
      elapsed -= stage.ms;
    }
    finishAnimation();
  }

  function finishAnimation() {
    if (!animation) return;
    const { resolve } = animation;
    animation = null;
    resolve();
    updateLoop();
    redraw();
  }

  // ---- drawing ----------------------------------------------------------------------------
  function updateLoop() {
    if (!p5instance) return;
    const spinning = !sim.state && !failed && !motion.reduced;
    const want = looping || animation !== null || spinning;
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
    let text = `${title}: loading${sim.phase ? ` (${sim.phase})` : ""}`;
    if (failed) text = `${title}: could not start`;
    else if (sim.state) {
      try {
        text = options.describe ? String(options.describe(sim.state)) : title;
      } catch (error) {
        console.error(`[${id}] describe() failed`, error);
        text = title;
      }
    }
    canvas.setAttribute("aria-label", text);
  }

  function drawLoading(p) {
    const c = sim.colors;
    p.background(c.bg);
    p.noStroke();
    p.fill(c.fg);
    p.textAlign(p.CENTER, p.CENTER);
    p.textSize(Math.min(22, Math.max(16, sim.width / 30)));
    const cx = sim.width / 2;
    const cy = sim.height / 2;
    if (failed) {
      p.text("The simulation could not start.", cx, cy - 60);
      return;
    }
    p.text("Loading the Python engine…", cx, cy + 28);
    p.fill(c.muted);
    p.textSize(16);
    p.text(sim.phase || "", cx, cy + 56);
    if (typeof sim.progress === "number") {
      const barWidth = Math.min(240, sim.width * 0.6);
      p.noStroke();
      p.fill(c.grid);
      p.rect(cx - barWidth / 2, cy + 76, barWidth, 8, 4);
      p.fill(c.accent);
      p.rect(cx - barWidth / 2, cy + 76, barWidth * Math.min(1, sim.progress), 8, 4);
    }
    const t = motion.reduced ? 0 : performance.now() / 1000;
    p.noFill();
    p.strokeWeight(5);
    p.stroke(c.grid);
    p.circle(cx, cy - 16, 40);
    p.stroke(c.accent);
    if (motion.reduced) p.circle(cx, cy - 16, 40);
    else p.arc(cx, cy - 16, 40, 40, t * 4, t * 4 + 1.6);
  }

  function frame(p, userDraw) {
    advanceAnimation();
    if (!sim.state || failed) {
      drawLoading(p);
      return;
    }
    try {
      if (userDraw) userDraw.call(p);
      else p.background(sim.colors.bg);
      relayoutIfNeeded();
    } catch (error) {
      console.error(`[${id}] draw() failed`, error);
      readyMarked = false;
      fail(`The simulation could not draw its picture (${error.message}).`);
      return;
    }
    markReady();
  }

  let laidOutWith = 0; // the minCanvasHeight of the last layout
  let relayoutQueued = false;

  function neededHeight(width) {
    if (typeof options.minCanvasHeight !== "function") return 0;
    const needed = Number(options.minCanvasHeight(width));
    return Number.isFinite(needed) && needed > 0 ? Math.ceil(needed) : 0;
  }

  // After each frame: if the view now needs another height (a new state, an animation step),
  // lay the page out again once the frame is done.
  function relayoutIfNeeded() {
    if (relayoutQueued || typeof options.minCanvasHeight !== "function") return;
    if (neededHeight(sim.width) === laidOutWith) return;
    relayoutQueued = true;
    setTimeout(() => {
      relayoutQueued = false;
      layout();
    }, 0);
  }

  function layout() {
    const width = Math.max(1, Math.floor(main.clientWidth));
    const free = canvasHeight - panel.offsetHeight;
    laidOutWith = neededHeight(width);
    const height = Math.max(
      Math.round(canvasHeight * MIN_CANVAS_SHARE),
      Math.floor(free),
      laidOutWith,
    );
    main.style.height = height + panel.offsetHeight > canvasHeight ? "auto" : `${canvasHeight}px`;
    stage.style.height = `${height}px`;
    if (width === sim.width && height === sim.height) return;
    sim.width = width;
    sim.height = height;
    if (p5instance?.canvas) {
      p5instance.resizeCanvas(width, height);
      if (typeof options.resized === "function") options.resized(sim);
      redraw();
    }
  }

  let lastPostedHeight = 0;
  function postHeight() {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== lastPostedHeight) {
      lastPostedHeight = height;
      postToParent({ type: "microsim-resize", id, height });
    }
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
          resolve();
        };
        p.draw = () => frame(p, userDraw);
        p.windowResized = () => layout();
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
  layout();
  new ResizeObserver(() => {
    layout();
    postHeight();
  }).observe(main);
  new ResizeObserver(() => layout()).observe(panel);
  addEventListener("pagehide", () => {
    if (handle !== null && sharedEngine) sharedEngine.dispose(handle);
  });

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
