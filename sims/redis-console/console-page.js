// @ts-check
// console-page.js -- the Redis console's page: the engine, the queue of typed lines and the
// series' embed contract (docs/contracts.md).
//
// The console talks to the page's engine worker through the kit's EngineClient: the module
// SharedWorker "kvengine", one Python interpreter for every sim and console of the origin. It
// creates one controller (sims/redis-console/controller.py) and sends it the typed lines with
// `run`. Lines typed while the engine loads are shown at once, marked as waiting, and run in
// order as soon as it is ready; nothing typed is lost. While a call is on its way, new lines
// wait and go together in the next call, so the console never falls behind a fast typist.
//
// The contract, as for the p5 sims: <html data-sim-state> loading -> ready | error (reason and a
// Retry button); window.microsim {id, ready, state(), reset(), run(lines)}; messages to the parent
// microsim-ready, microsim-error, microsim-resize; URL parameters from sim.json checked by the
// kit's params.js (a bad value falls back to the default with a notice); `theme`.
// One more message, from the parent only: {type: "microsim-console-run", lines: [...]} types
// the lines into the console (the chapter's Run buttons use it).

import { EngineClient } from "../kit/engine-client.js";
import { parseParams } from "../kit/params.js";
import { watchTheme } from "../kit/theme.js";
import { createConsoleView } from "./console-view.js";

const LOAD_TIMEOUT_MS = 120000;
const MAX_LINES_PER_CALL = 200; // the controller's limit for one call
const MAX_LINES_PER_MESSAGE = 200;
const LOADING =
  "Loading the Python engine… You can type already: your commands run when it is ready.";
const READY =
  "Ready: a Redis 7.0 server (kvengine) in your browser, on the real clock, so TTLs count down as you watch. Type HELP for help.";

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
 * Start the console page for `spec` (the console's sim.json).
 * @param {{spec: import("../kit/microsim.js").SimSpec}} options
 */
export function createConsolePage({ spec }) {
  const { id, title, canvasHeight } = spec;
  const root = document.documentElement;
  root.dataset.simState = "loading";
  const { values: params, notices } = parseParams(location.search, spec.params);
  watchTheme(String(params.theme));

  const main =
    document.getElementById("microsim") ||
    document.body.appendChild(document.createElement("main"));
  main.classList.add("microsim", "rc");
  main.replaceChildren();
  main.style.height = `${canvasHeight}px`;
  const view = createConsoleView(main, { title, onSubmit: (line) => enqueue([line]) });
  view.showNotices(notices);
  view.setStatus(LOADING);

  /** @type {EngineClient | null} */
  let engine = null;
  let handle = null;
  let ready = false;
  let failed = null;
  let busy = false;
  let state = null;
  let loadTimer = 0;
  /** @type {{node: HTMLElement, line: string, done: (reply: any) => void}[]} */
  const waiting = [];
  let readyResolve = (_value) => {};
  let readyReject = (_error) => {};

  function makeReady() {
    const promise = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    promise.catch(() => {}); // a failure is shown on the page; it must not be "unhandled"
    return promise;
  }

  const api = {
    id,
    ready: makeReady(),
    /** The controller's latest state: prompt, inMulti, the replies of the last call (`last`), ... */
    state: () => clone(state),
    /** An empty server and an empty screen; resolves with the state. */
    async reset() {
      await api.ready;
      await settled();
      const reply = await call("reset");
      if (reply?.ok) state = reply.state;
      view.log.replaceChildren();
      view.setPrompt(state.prompt);
      return api.state();
    },
    /**
     * Type `lines` into the console; resolves with their replies once they have run.
     * @param {string[] | string} lines
     */
    run(lines) {
      return Promise.all(enqueue(Array.isArray(lines) ? lines : [lines]));
    },
  };
  window.microsim = /** @type {any} */ (api);

  /** Run the controller's cmd_<method>(**args); resolves with the worker's reply. */
  function call(method, args = {}) {
    return engine.call(handle, method, args);
  }

  // ---- typed lines ---------------------------------------------------------------------
  /**
   * Show `lines` at once and queue them; returns one Promise per line (its reply).
   * @param {string[]} lines
   */
  function enqueue(lines) {
    const prompt = state?.prompt ?? "kvengine> ";
    const promises = [];
    for (const text of lines) {
      for (const line of String(text).split(/\r\n|\r|\n/)) {
        promises.push(
          new Promise((done) => {
            const shown = view.echo(line, prompt, !ready);
            waiting.push({ ...shown, done });
          }),
        );
      }
    }
    pump();
    return promises;
  }

  let idle = Promise.resolve();
  let idleResolve = () => {};
  function settled() {
    return busy || waiting.length ? idle : Promise.resolve();
  }

  async function pump() {
    if (busy || !ready || failed || waiting.length === 0) return;
    busy = true;
    idle = new Promise((resolve) => {
      idleResolve = resolve;
    });
    while (waiting.length && ready && engine) {
      const batch = waiting.splice(0, MAX_LINES_PER_CALL);
      const reply = await call("run", { lines: batch.map((p) => p.line) });
      if (reply.ok) {
        state = reply.state;
        batch.forEach((pending, index) => {
          const answer = state.last[index];
          view.answer(pending, answer);
          pending.done(answer);
        });
        view.setPrompt(state.prompt);
      } else {
        const error = reply.error || {};
        if (error.kind !== "input")
          console.error(`[${id}] engine error:`, error.detail || error.message);
        for (const pending of batch) {
          const answer = {
            prompt: state?.prompt ?? "kvengine> ",
            input: pending.line,
            output: error.message || "The engine did not answer.",
            kind: "local",
          };
          view.answer(pending, answer);
          pending.done(answer);
        }
      }
    }
    busy = false;
    idleResolve();
  }

  // ---- the embedding page's Run buttons ---------------------------------------------------
  addEventListener("message", (event) => {
    if (window.parent === window || event.source !== window.parent) return;
    const data = event.data;
    if (data?.type !== "microsim-console-run") return;
    const { lines } = data;
    const valid =
      Array.isArray(lines) &&
      lines.length <= MAX_LINES_PER_MESSAGE &&
      lines.every((line) => typeof line === "string");
    if (!valid) {
      view.showNotices([
        `The page sent something the console cannot run (it takes up to ${MAX_LINES_PER_MESSAGE} lines of text).`,
      ]);
      return;
    }
    enqueue(lines);
  });

  // ---- start-up, error and retry --------------------------------------------------------
  function onStatus(status) {
    if (status.phase === "loading" && !ready && !failed) {
      view.setStatus(`${LOADING} (${status.message})`);
    } else if (status.phase === "error" && !ready) {
      fail(status.message);
    }
  }

  /** @returns {Record<string, unknown>} the sim's own parameters (seed apart) */
  function ownParams() {
    /** @type {Record<string, unknown>} */
    const own = {};
    for (const name of Object.keys(spec.params)) own[name] = params[name];
    return own;
  }

  async function start() {
    clearTimeout(loadTimer);
    loadTimer = window.setTimeout(() => {
      if (!ready && !failed)
        fail("The Python engine took too long to start. Try again, or reload the page.");
    }, LOAD_TIMEOUT_MS);
    if (typeof WebAssembly !== "object") {
      fail("This browser cannot run WebAssembly, which the Python engine needs.");
      return;
    }
    if (!engine) engine = new EngineClient({ onStatus });
    const reply = await engine.create(id, ownParams(), Number(params.seed));
    if (!reply.ok) {
      if (reply.error?.detail) console.error(`[${id}] engine error:`, reply.error.detail);
      fail(reply.error ? reply.error.message : "The engine did not answer.");
      return;
    }
    if (failed) return;
    handle = reply.handle;
    state = reply.state;
    view.setCommands(state.commands);
    view.setPrompt(state.prompt);
    for (const node of view.log.querySelectorAll(".rc-badge")) node.textContent = " (running)";
    ready = true;
    clearTimeout(loadTimer);
    root.dataset.simState = "ready";
    view.setStatus(READY);
    readyResolve(api);
    postToParent({ type: "microsim-ready", id });
    pump();
  }

  function fail(reason) {
    if (failed || ready) return;
    failed = String(reason || "The console could not start.");
    clearTimeout(loadTimer);
    root.dataset.simState = "error";
    view.setStatus(`Error: ${failed}`);
    view.showError(failed, retry);
    readyReject(new Error(failed));
    postToParent({ type: "microsim-error", id, message: failed });
  }

  async function retry() {
    const failedBefore = failed;
    view.hideError();
    failed = null;
    root.dataset.simState = "loading";
    api.ready = makeReady();
    view.setStatus(LOADING);
    try {
      // A worker that could not start is replaced; otherwise the worker loads again.
      const workerFailed = /worker could not start|worker stopped|Web Workers/.test(
        String(failedBefore),
      );
      if (workerFailed) engine = null;
      if (engine) await engine.retry();
      await start();
    } catch (error) {
      fail(error.message);
    }
  }

  let lastHeight = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(document.documentElement.scrollHeight);
    if (height !== lastHeight) {
      lastHeight = height;
      postToParent({ type: "microsim-resize", id, height });
    }
  }).observe(main);
  addEventListener("pagehide", () => {
    if (handle !== null && engine) engine.dispose(handle);
  });

  start().catch((error) => {
    console.warn(`[${id}]`, error);
    fail(error.message);
  });
}
