// @ts-check
// engine-client.js -- the page's side of the engine worker (the worker protocol: docs/contracts.md).
//
// Opens the module SharedWorker "kvengine" (one Python interpreter for every sim of the origin),
// or a dedicated module Worker where SharedWorker is missing or fails to start, and turns its
// {rid, ...} replies into Promises. Only small JSON messages cross: no Python object lives on
// the page. Status messages ({op: "status", phase, message}) go to the onStatus callback.
//
// Usage:
//   const engine = new EngineClient({ onStatus: ({ phase, message }) => ... });
//   const { handle, state } = await engine.create("hash-table-lookup", { key: "user:42" }, 1);
//   const reply = await engine.call(handle, "hash", { key: "user:7" });  // {ok, state} | {ok: false, error}
//   engine.dispose(handle);

// `?snapshot=0` on the page starts Python without the memory snapshot (benchmarks, comparisons);
// `?stall=<seconds>` shortens the worker's wait for a download that stopped (tests). Either makes
// a separate worker (its own URL and name), which never shares the default one. boot.js, which
// starts the worker early, computes the same URL and name.
const WORKER_QUERY = new URLSearchParams();
/** @type {[string, RegExp][]} */
const WORKER_PARAMS = [
  ["snapshot", /^0$/],
  ["stall", /^\d{1,3}$/],
];
for (const [name, pattern] of WORKER_PARAMS) {
  const value = new URLSearchParams(globalThis.location?.search || "").get(name);
  if (value !== null && pattern.test(value)) WORKER_QUERY.set(name, value);
}
const WORKER_URL = new URL(
  `./engine-worker.js${String(WORKER_QUERY) ? `?${WORKER_QUERY}` : ""}`,
  import.meta.url,
);
const WORKER_NAME = String(WORKER_QUERY) ? `kvengine?${WORKER_QUERY}` : "kvengine";

/** @typedef {{op?: string, phase?: string, message?: string, received?: number, total?: number}} EngineStatus */

export class EngineClient {
  /**
   * `fresh`: a worker of its own name, never one already running (after a worker reported a
   * fatal error, e.g. WebAssembly blocked by its security policy).
   * @param {{onStatus?: (status: EngineStatus) => void, shared?: boolean, fresh?: boolean}} [options]
   */
  constructor({ onStatus = (_status) => {}, shared = true, fresh = false } = {}) {
    this.name = fresh ? `${WORKER_NAME}#${Date.now().toString(36)}` : WORKER_NAME;
    this.onStatus = onStatus;
    this.pending = new Map();
    this.nextRid = 1;
    this.heard = false;
    this.mode = null;
    this.port = null;
    this.dead = false;
    this.connect(shared);
    addEventListener("pagehide", () => this.port?.postMessage({ op: "bye" }));
  }

  connect(shared) {
    if (shared && typeof SharedWorker === "function") {
      try {
        const worker = new SharedWorker(WORKER_URL, { type: "module", name: this.name });
        // A browser with SharedWorker but without module SharedWorkers fails here before the
        // worker has said anything: fall back to a dedicated worker and resend what is pending.
        worker.onerror = () => {
          if (this.heard) this.fail("The engine worker stopped.");
          else this.fallBack();
        };
        this.port = worker.port;
        this.mode = "shared";
        this.port.onmessage = (event) => this.receive(event.data);
        this.port.start();
        return;
      } catch (error) {
        console.warn("[kvengine] SharedWorker unavailable, using a dedicated worker:", error);
      }
    }
    if (typeof Worker !== "function") {
      queueMicrotask(() =>
        this.fail("This browser cannot run Web Workers, which the engine needs."),
      );
      return;
    }
    try {
      const worker = new Worker(WORKER_URL, { type: "module", name: this.name });
      worker.onerror = (event) => {
        event.preventDefault?.();
        this.fail("The engine worker could not start.");
      };
      this.port = worker;
      this.mode = "dedicated";
      worker.onmessage = (event) => this.receive(event.data);
    } catch (error) {
      queueMicrotask(() => this.fail(`The engine worker could not start: ${error.message}`));
    }
  }

  fallBack() {
    console.warn("[kvengine] the shared worker did not start; using a dedicated worker");
    this.connect(false);
    if (this.mode !== "dedicated") return;
    for (const [rid, { message }] of this.pending) this.port.postMessage({ rid, ...message });
  }

  fail(message) {
    this.onStatus({ op: "status", phase: "error", message });
    for (const { resolve } of this.pending.values()) {
      resolve({ ok: false, error: { kind: "load", message } });
    }
    this.pending.clear();
  }

  receive(message) {
    if (!message) return;
    this.heard = true;
    if (message.op === "status") {
      // A worker that cannot recover (WebAssembly blocked): a Retry needs a new one.
      if (message.phase === "error" && message.fatal) this.dead = true;
      // How the interpreter started ("snapshot" or "normal"), for tests and the benchmark.
      if (message.phase === "ready" && message.start && globalThis.document) {
        document.documentElement.dataset.engineStart = message.start;
        if (message.timings) {
          document.documentElement.dataset.engineTimings = JSON.stringify(message.timings);
        }
      }
      this.onStatus(message);
      return;
    }
    const waiter = this.pending.get(message.rid);
    if (!waiter) return;
    this.pending.delete(message.rid);
    const { rid, ...reply } = message;
    waiter.resolve(reply);
  }

  /** Send one request; resolves with the reply object ({ok: true, ...} or {ok: false, error}). */
  /**
   * @param {string} op
   * @param {Record<string, unknown>} [fields]
   * @returns {Promise<Record<string, any>>}
   */
  request(op, fields = {}) {
    if (!this.port) {
      return Promise.resolve({
        ok: false,
        error: { kind: "load", message: "The engine worker is not running." },
      });
    }
    const rid = this.nextRid++;
    return new Promise((resolve) => {
      const message = { op, ...fields };
      this.pending.set(rid, { resolve, message });
      this.port.postMessage({ rid, ...message });
    });
  }

  /**
   * Create a controller for sim `sim`; resolves with {ok, handle, state} or {ok: false, error}.
   * @param {string} sim
   * @param {Record<string, unknown>} params
   * @param {number} seed
   */
  create(sim, params, seed) {
    return this.request("create", { sim, params, seed });
  }

  /**
   * Run the controller's cmd_<method>(**args); resolves with {ok, state} or {ok: false, error}.
   * @param {string} handle  the token create() answered
   * @param {string} method
   * @param {Record<string, unknown>} [args]
   */
  call(handle, method, args = {}) {
    return this.request("call", { handle, method, args });
  }

  /** @param {string} handle */
  dispose(handle) {
    return this.request("dispose", { handle });
  }

  /**
   * Add sim `sim`, which is not in kvengine.zip (a test's sim), from the site's own
   * sims/<sim>/sim.json and controller.py; the worker fetches them itself.
   * @param {string} sim
   */
  loadPython(sim) {
    return this.request("load_python", { sim });
  }

  retry() {
    return this.request("retry");
  }
}
