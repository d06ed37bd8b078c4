// @ts-check
// lifecycle.js -- a sim page's life in its frame, whatever it draws with: start-up, ready, error
// with the reason and Retry, and the messages to the parent window (docs/contracts.md).
//
// The states, on <html data-sim-state>: loading -> ready | error. Start-up: a page in a
// sandboxed frame without allow-same-origin fails at once with boot.js's reason
// (window.microsimBlocked); otherwise the sim's controller is created in the shared engine
// (engine-bridge.js). The page says when it is ready (markReady: a p5 sim after its first real
// frame, the console as soon as the controller answered): window.microsim.ready resolves and the
// parent gets microsim-ready. A failure (the engine's load, named by stage; a worker that died; a
// backstop deadline) shows the reason and a Retry button over the sim's stage, rejects
// window.microsim.ready and posts microsim-error. Retry asks the shared worker to start over (a
// fresh worker when the old one died) and starts again; when another sim of the page retried
// first and the engine came up, this one recovers by itself.
//
// Usage (microsim.js and sims/redis-console/console-page.js):
//   const life = createLifecycle({ id, spec, params, overlay, narrate, notice, onConnected });
//   life.publish(api);       // window.microsim = api; api.ready follows the retries
//   life.start();            // then life.markReady() once the page shows the engine's state
//   life.bridge.enqueue(() => life.bridge.client.call(life.bridge.handle, "reset"));

import { createBridge } from "./engine-bridge.js";
import { el, postToParent } from "./layout.js";

// A backstop only: the worker gives each download and its whole load their own deadlines and
// names what failed (engine-worker.js); this one covers a worker that never answers at all.
const LOAD_TIMEOUT_MS = 300000;
const LOADING = "Loading the Python engine…";

/**
 * @typedef {import("./engine-client.js").EngineStatus} EngineStatus
 *
 * @typedef {object} LifecycleOptions
 * @property {string} id  the sim-id
 * @property {{params: Record<string, any>}} spec  the sim's sim.json
 * @property {Record<string, any>} params  the checked URL parameters (seed included)
 * @property {boolean} [controllerFromSite]  the controller is not in kvengine.zip (a test's sim)
 * @property {HTMLElement} overlay  where the error and its Retry button go (over the stage)
 * @property {(text: string) => void} narrate  the aria-live line
 * @property {(text: string) => void} notice  a notice (the defaults used instead of the URL's)
 * @property {string} [failTitle]  the error's first line
 * @property {(state: any) => void} onConnected  the controller's first state
 * @property {(status: EngineStatus) => void} [onLoading]  the engine's loading progress
 * @property {() => void} [onReady]  after ready was marked and announced
 * @property {() => void} [onFailed]  after the error is shown
 * @property {() => void} [onRetrying]  Retry pressed: the page is loading again
 * @property {() => Promise<void>} [beforeRetry]  what the page must redo first (its p5 sketch)
 * @property {() => boolean} [canRecover]  whether it may restart when the engine comes up
 */

/**
 * The lifecycle of sim `id` (see the module comment).
 * @param {LifecycleOptions} options
 */
export function createLifecycle(options) {
  const { id, spec, params, overlay, narrate, notice } = options;
  const failTitle = options.failTitle ?? "The simulation could not start.";
  const root = document.documentElement;
  root.dataset.simState = "loading";

  let readyMarked = false;
  /** @type {string | null} */
  let failed = null;
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let loadTimer;
  let retrying = false;
  /** @type {Record<string, any> | null} */
  let api = null; // window.microsim, once published
  let readyResolve = (/** @type {unknown} */ _value) => {};
  let readyReject = (/** @type {Error} */ _error) => {};
  let readyPromise = makeReady();

  const bridge = createBridge({
    id,
    spec,
    params,
    controllerFromSite: options.controllerFromSite,
    onStatus,
    notice,
  });

  function makeReady() {
    /** @type {Promise<unknown>} */
    const promise = new Promise((resolve, reject) => {
      readyResolve = resolve;
      readyReject = reject;
    });
    promise.catch(() => {}); // a rejection is shown on the page; it must not be "unhandled"
    if (api) api.ready = promise;
    return promise;
  }

  /** @param {EngineStatus} status */
  function onStatus(status) {
    if (status.phase === "loading") {
      options.onLoading?.(status);
    } else if (status.phase === "error" && !readyMarked) {
      fail(status.message);
    } else if (
      status.phase === "ready" &&
      failed &&
      bridge.handle === null &&
      (options.canRecover?.() ?? true)
    ) {
      // Another sim of this page pressed Retry and the shared engine is up now: recover too.
      retry();
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
    bridge.handle = result.handle ?? null;
    options.onConnected(result.state);
  }

  function markReady() {
    if (readyMarked || failed) return;
    readyMarked = true;
    clearTimeout(loadTimer);
    root.dataset.simState = "ready";
    readyResolve(api);
    postToParent({ type: "microsim-ready", id });
    options.onReady?.();
  }

  /** @param {unknown} reason */
  function fail(reason) {
    if (failed || readyMarked) return;
    failed = String(reason || failTitle);
    clearTimeout(loadTimer);
    root.dataset.simState = "error";
    bridge.forgetIfDead(failed);
    overlay.replaceChildren();
    overlay.setAttribute("role", "alert");
    const message = el("p", "ms-error-text", failed);
    const button = /** @type {HTMLButtonElement} */ (el("button", "ms-button ms-retry", "Retry"));
    button.type = "button";
    button.addEventListener("click", retry);
    overlay.append(el("p", "ms-error-title", failTitle), message, button);
    overlay.hidden = false;
    narrate(`Error: ${failed}`);
    readyReject(new Error(failed));
    postToParent({ type: "microsim-error", id, message: failed });
    options.onFailed?.();
  }

  async function retry() {
    if (retrying) return;
    retrying = true;
    overlay.hidden = true;
    overlay.replaceChildren();
    failed = null;
    root.dataset.simState = "loading";
    readyPromise = makeReady();
    narrate(LOADING);
    options.onRetrying?.();
    try {
      await options.beforeRetry?.();
      await bridge.retry();
      await start();
    } catch (error) {
      fail(/** @type {Error} */ (error).message);
    } finally {
      retrying = false;
    }
  }

  addEventListener("pagehide", () => bridge.dispose());

  return {
    bridge,
    /** Set window.microsim to `target`; its `ready` is the current start's promise. */
    publish(/** @type {Record<string, any>} */ target) {
      api = target;
      api.ready = readyPromise;
      window.microsim = /** @type {any} */ (api);
    },
    /** Start (or, after a failure of the page's own, start again); failures are shown. */
    start() {
      return start().catch((error) => {
        console.warn(`[${id}]`, error);
        fail(error.message);
      });
    },
    markReady,
    fail,
    /** A page that was ready and can no longer show the sim (its view broke): the error state. */
    breakDown(/** @type {string} */ reason) {
      readyMarked = false;
      fail(reason);
    },
    retry,
    get ready() {
      return readyMarked;
    },
    get failed() {
      return failed;
    },
  };
}
