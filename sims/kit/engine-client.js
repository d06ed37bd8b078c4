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

// `?snapshot=0` on the page starts Python without the memory snapshot (benchmarks, comparisons).
// It is a separate worker (its own URL and name), so it never shares the snapshot-started one.
const NO_SNAPSHOT = /[?&]snapshot=0(&|$)/.test(globalThis.location?.search || "");
const WORKER_URL = new URL(
  `./engine-worker.js${NO_SNAPSHOT ? "?snapshot=0" : ""}`,
  import.meta.url,
);
const WORKER_NAME = NO_SNAPSHOT ? "kvengine-no-snapshot" : "kvengine";

/** @typedef {{op?: string, phase?: string, message?: string}} EngineStatus */

export class EngineClient {
  /**
   * @param {{onStatus?: (status: EngineStatus) => void, shared?: boolean}} [options]
   */
  constructor({ onStatus = (_status) => {}, shared = true } = {}) {
    this.onStatus = onStatus;
    this.pending = new Map();
    this.nextRid = 1;
    this.heard = false;
    this.mode = null;
    this.port = null;
    this.connect(shared);
    addEventListener("pagehide", () => this.port?.postMessage({ op: "bye" }));
  }

  connect(shared) {
    if (shared && typeof SharedWorker === "function") {
      try {
        const worker = new SharedWorker(WORKER_URL, { type: "module", name: WORKER_NAME });
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
      const worker = new Worker(WORKER_URL, { type: "module", name: WORKER_NAME });
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
   * @param {number} handle
   * @param {string} method
   * @param {Record<string, unknown>} [args]
   */
  call(handle, method, args = {}) {
    return this.request("call", { handle, method, args });
  }

  /** @param {number} handle */
  dispose(handle) {
    return this.request("dispose", { handle });
  }

  /**
   * @param {string} url
   * @param {string} module
   */
  loadPython(url, module) {
    return this.request("load_python", { url: new URL(url, location.href).href, module });
  }

  retry() {
    return this.request("retry");
  }
}
