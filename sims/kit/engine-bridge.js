// @ts-check
// engine-bridge.js -- one sim's link to the engine: its controller in the shared Python
// interpreter, and the queue its calls go through.
//
// Every sim of a page shares one EngineClient (engine-client.js: the SharedWorker "kvengine", or a
// dedicated worker), and so one interpreter; each sim creates its own controller there (a handle).
// connect() creates it from the sim's URL parameters (falling back to the defaults, with a
// notice, when the controller refuses them), after asking the worker to add the sim's controller
// from the site when it is not in kvengine.zip (controllerFromSite, a test's sim). Calls are
// queued, never interleaved: a call starts when the one before it has answered. A setter whose
// newest value is all that matters passes a key: while the last queued task has the same key and
// has not started, the new task replaces it -- input faster than the engine answers then costs
// one call per answer, not one per event, and nothing else waits behind a backlog.
//
// Usage:
//   const bridge = createBridge({ id, spec, params, controllerFromSite, onStatus, notice });
//   const result = await bridge.connect();       // {ok: true, handle, state} | {ok: false, message}
//   bridge.handle = result.handle;
//   bridge.enqueue(async () => bridge.client.call(bridge.handle, "hash", { key: "a" }));
//   bridge.enqueue(async () => ..., "resize");  // latest wins among queued "resize" tasks

import { EngineClient } from "./engine-client.js";

/**
 * What connect() gives: `ok` with the controller's handle and first state, or the reason not.
 * @typedef {{ok: boolean, handle?: string, state?: any, message?: string}} Connected
 */

/** @type {(EngineClient & {dead?: boolean}) | null} */
let sharedEngine = null; // the page's one client, shared by every sim of the page

/**
 * The page's engine client (a new one when there is none or it died).
 * @param {(status: import("./engine-client.js").EngineStatus) => void} onStatus
 * @returns {EngineClient & {dead?: boolean}}
 */
function engine(onStatus) {
  if (!sharedEngine || sharedEngine.dead) {
    // after a dead worker, a fresh one: the old may still run (and answer with its error)
    sharedEngine = new EngineClient({ onStatus, fresh: Boolean(sharedEngine?.dead) });
  } else sharedEngine.onStatus = onStatus;
  return sharedEngine;
}

/**
 * @param {object} options
 * @param {string} options.id  the sim-id
 * @param {{params: Record<string, {default: unknown}>}} options.spec  the sim's sim.json
 * @param {Record<string, any>} options.params  the checked URL parameters (seed included)
 * @param {boolean | undefined} options.controllerFromSite  the controller is not in kvengine.zip
 * @param {(status: import("./engine-client.js").EngineStatus) => void} options.onStatus
 * @param {(text: string) => void} options.notice
 */
export function createBridge({ id, spec, params, controllerFromSite, onStatus, notice }) {
  /** @type {Promise<unknown>} */
  let queue = Promise.resolve();
  /** @type {{key: string | undefined, task: () => Promise<any>, result: Promise<any> | null} | null} */
  let waiting = null; // the last queued task that has not started

  function simParams() {
    /** @type {Record<string, unknown>} */
    const own = {};
    for (const name of Object.keys(spec.params)) own[name] = params[name];
    return own;
  }

  function defaultParams() {
    /** @type {Record<string, unknown>} */
    const own = {};
    for (const [name, param] of Object.entries(spec.params)) own[name] = param.default;
    return own;
  }

  /**
   * @param {string} message
   * @returns {Connected}
   */
  const failure = (message) => ({ ok: false, message });

  const bridge = {
    /** @type {string | null} the controller's handle (a token), once connected */
    handle: null,
    /** The shared client (null before the first connect). */
    get client() {
      return sharedEngine;
    },

    /**
     * Create this sim's controller (a fresh one on a retry).
     * @returns {Promise<Connected>}
     */
    async connect() {
      const client = engine(onStatus);
      if (bridge.handle !== null) {
        client.dispose(bridge.handle); // a retry after a drawing failure: start afresh
        bridge.handle = null;
      }
      if (typeof WebAssembly !== "object") {
        return failure("This browser cannot run WebAssembly, which the Python engine needs.");
      }
      if (controllerFromSite) {
        const loaded = await client.loadPython(id);
        if (!loaded.ok) {
          return failure(
            loaded.error ? loaded.error.message : "Could not load the sim's Python controller.",
          );
        }
      }
      let reply = await client.create(id, simParams(), params.seed);
      if (!reply.ok && reply.error && reply.error.kind === "input") {
        notice(`${reply.error.message} Using the default settings.`);
        reply = await client.create(id, defaultParams(), params.seed);
      }
      if (!reply.ok) {
        if (reply.error?.detail) console.error(`[${id}] engine error:`, reply.error.detail);
        return failure(reply.error ? reply.error.message : "The engine did not answer.");
      }
      return { ok: true, handle: reply.handle, state: reply.state };
    },

    /**
     * Run `task` after every task queued before it has finished (whatever their outcome). With
     * a `key`, it replaces the last queued task if that has the same key and has not started
     * (and shares its promise).
     * @template T
     * @param {() => Promise<T>} task
     * @param {string} [key]
     * @returns {Promise<T>}
     */
    enqueue(task, key) {
      if (key !== undefined && waiting && waiting.key === key && waiting.result) {
        waiting.task = task;
        return waiting.result;
      }
      const entry = { key, task, result: null };
      const run = () => {
        if (waiting === entry) waiting = null;
        return entry.task();
      };
      entry.result = queue.then(run, run);
      queue = entry.result.catch(() => {});
      waiting = entry;
      return entry.result;
    },

    /** A start-up failure that means the worker itself is gone: the next connect makes a new one. */
    forgetIfDead(/** @type {string} */ reason) {
      if (sharedEngine && /worker could not start|worker stopped|Web Workers/.test(reason))
        sharedEngine.dead = true;
    },

    /** Ask the shared worker to start over (a Retry). */
    async retry() {
      if (sharedEngine && !sharedEngine.dead) await sharedEngine.retry();
    },

    /** Let the controller go (the page is leaving). */
    dispose() {
      if (bridge.handle !== null && sharedEngine) sharedEngine.dispose(bridge.handle);
    },
  };
  return bridge;
}
