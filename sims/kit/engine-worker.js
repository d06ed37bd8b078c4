// @ts-check
// engine-worker.js -- runs Pyodide, the engine and the sims' controllers off the main thread.
//
// Started by engine-client.js as a module SharedWorker named "kvengine", so every sim of one
// origin (all the iframes of a chapter page) shares ONE Python interpreter; each sim gets its own
// controller handle inside it. Where SharedWorker is missing it runs as a dedicated module Worker
// (one interpreter per sim -- slower, same protocol).
//
// Protocol (docs/contracts.md): the page sends {rid, op, ...}; ops create/call/dispose/hello are
// passed as JSON to microsims.bridge.handle (microsims/bridge.py), which never raises; the reply
// goes back as {rid, ...reply}. Extra ops handled here: "retry" (start loading again after a failure) and
// "load_python" {url, module} (fetch a sim's own .py module into the interpreter, then import it).
// Status messages {op: "status", phase: "loading" | "ready" | "error", message} go to every port.
//
// Loading is split in two cached stages -- the interpreter, then kvengine.zip (the engine, the
// microsims runtime and every sim's controller.py and sim.json, unpacked under ENGINE_DIR with the
// repository's own paths, so `microsims` finds the sims beside it as in CPython) -- so a Retry
// after a failed engine download does not reload the 10 MB interpreter. In CDN mode every asset
// is fetched with its Subresource Integrity hash from config.js (fetch() is wrapped for the files
// Pyodide loads itself; the two .mjs modules are verified, then imported from blob: URLs).
//
// Memory snapshot: where config.js names one (scripts/build_snapshot.mjs makes it at build time),
// the interpreter is restored from it -- Python already started, the engine already imported --
// instead of starting Python and importing the engine here, which is most of the wait. The
// snapshot's header names the Pyodide and engine versions it was made from; a snapshot for other
// versions, one that cannot be downloaded, or one Pyodide refuses (its build id differs) is
// ignored with a console warning, and Python starts the normal way. `?snapshot=0` on the worker's
// URL (engine-client.js passes the page's own) forces the normal start, for comparisons.
//
// Progress: fetch() is wrapped to count the bytes of the files Pyodide downloads (a clone of each
// response is read, so the original keeps its URL and the browser's compiled-WebAssembly cache);
// status messages say "Downloading Python: 3.1 of 18.6 MB", then "Starting Python", then
// "Loading the engine".

import { ASSETS } from "./config.js";

const ENGINE_DIR = "/home/pyodide/engine"; // the same paths as in scripts/build_snapshot.mjs
const EXTRA_DIR = "/home/pyodide/simextra";
const SNAPSHOT_MAGIC = "KVSNAP1\n";
const PROGRESS_EVERY_MS = 100;
const ports = new Set();
let phase = { phase: "loading", message: "Starting the Python engine" };
let started = null; // how the interpreter started: "snapshot" | "normal" (+ why, for the page)
const timings = {}; // worker time (ms since it started) at each stage, for the benchmark

function mark(stage) {
  timings[stage] = Math.round(performance.now());
}
let pyodidePromise = null;
let enginePromise = null;
let bridgeHandle = null;
const portHandles = new Map(); // port -> Set(handle) so a closed page's controllers are freed

function broadcast(message) {
  for (const port of ports) port.postMessage(message);
}

function setPhase(name, message, extra = {}) {
  phase = { op: "status", phase: name, message, ...extra };
  broadcast(phase);
}

// ---- download progress ---------------------------------------------------------------------
const progress = { files: new Map(), received: 0, total: 0, lastSent: 0, counting: false };

function megabytes(bytes) {
  return (bytes / 1e6).toFixed(1);
}

function reportProgress(force = false) {
  const now = performance.now();
  if (!force && now - progress.lastSent < PROGRESS_EVERY_MS) return;
  progress.lastSent = now;
  if (progress.received < progress.total) {
    setPhase(
      "loading",
      `Downloading Python: ${megabytes(progress.received)} of ${megabytes(progress.total)} MB`,
      { received: progress.received, total: progress.total },
    );
  } else {
    setPhase("loading", "Starting Python", { received: progress.received, total: progress.total });
  }
}

/** Expect `name` (a file of config.js's sizes) to be downloaded; it adds to the total. */
function expectDownload(name) {
  const size = ASSETS.sizes?.[name];
  if (!size || progress.files.has(name)) return;
  progress.files.set(name, { size, received: 0 });
  progress.total += size;
}

function countBytes(name, count, done = false) {
  const file = progress.files.get(name);
  if (!file) return;
  const next = done ? file.size : Math.min(file.size, count);
  if (done && file.received < file.size) mark(name);
  progress.received += next - file.received;
  file.received = next;
  reportProgress(done && progress.received >= progress.total);
}

/** The expected file a URL points at, or null. */
function downloadName(url) {
  const name = url.split("?")[0].split("/").pop();
  return progress.files.has(name) ? name : null;
}

// Reads a clone of the response to count its bytes; the page's own copy is untouched.
async function countResponse(name, response) {
  if (!response.ok || !response.body) return;
  try {
    const reader = response.clone().body.getReader();
    let count = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      count += value.byteLength;
      countBytes(name, count);
    }
    countBytes(name, count, true);
  } catch {
    /* the real reader reports errors; counting is only for the progress line */
  }
}

function installProgressFetch() {
  if (progress.counting) return;
  progress.counting = true;
  const innerFetch = self.fetch.bind(self);
  self.fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const response = await innerFetch(input, init);
    const name = downloadName(new URL(url, self.location.href).href);
    if (name) countResponse(name, response);
    return response;
  };
}

async function importCounted(name, load) {
  const module = await load();
  countBytes(name, 0, true);
  return module;
}

function resolveAsset(url) {
  return new URL(url, import.meta.url).href;
}

function integrityFor(url) {
  const sri = ASSETS.pyodide.integrity || {};
  const index = resolveAsset(ASSETS.pyodide.indexURL);
  if (!url.startsWith(index)) return null;
  return sri[url.slice(index.length).split("?")[0]] || null;
}

async function importVerified(url) {
  const integrity = integrityFor(url);
  if (!integrity) return import(url);
  const response = await fetch(url, { integrity, mode: "cors" });
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  const blob = new Blob([await response.text()], { type: "text/javascript" });
  return import(URL.createObjectURL(blob));
}

function installIntegrityFetch() {
  const plainFetch = self.fetch.bind(self);
  self.fetch = (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input); // string or URL object
    const integrity = integrityFor(new URL(url, self.location.href).href);
    return plainFetch(input, integrity ? { ...init, integrity, mode: "cors" } : init);
  };
}

function describeFailure(error, what) {
  const text = String(error?.message || error);
  if (typeof WebAssembly !== "object")
    return "This browser cannot run WebAssembly, which the Python engine needs.";
  if (/HTTP (\d+)/.test(text) || /Failed to fetch|NetworkError|Load failed/i.test(text)) {
    return `Could not download ${what} (${text}). Check the connection and try again.`;
  }
  return `Could not start ${what}: ${text}`;
}

// ---- memory snapshot -----------------------------------------------------------------------
function snapshotWanted() {
  return Boolean(ASSETS.snapshot?.url) && !/[?&]snapshot=0(&|$)/.test(self.location.search);
}

function concat(first, second) {
  const joined = new Uint8Array(first.length + second.length);
  joined.set(first);
  joined.set(second, first.length);
  return joined;
}

/**
 * Start downloading the snapshot; resolves, as soon as its header has arrived and matches this
 * page's Pyodide and engine, with {snapshot, filled}: `snapshot` is a buffer of the final size,
 * which the rest of the download fills as it is decompressed (a stream, while Pyodide compiles its
 * WebAssembly); `filled` resolves when it is complete, or rejects if the data is damaged.
 */
async function openSnapshot() {
  const response = await fetch(resolveAsset(ASSETS.snapshot.url));
  if (!response.ok) throw new Error(`the snapshot answered HTTP ${response.status}`);
  const reader = response.body.getReader();
  const start = SNAPSHOT_MAGIC.length;
  let head = new Uint8Array(0);
  let length = null;
  while (length === null || head.length < start + 4 + length) {
    const { done, value } = await reader.read();
    if (done) throw new Error("the snapshot file is truncated");
    head = concat(head, value);
    if (length === null && head.length >= start + 4) {
      const magic = new TextDecoder("latin1").decode(head.subarray(0, start));
      if (magic !== SNAPSHOT_MAGIC) throw new Error("the snapshot file has an unknown format");
      length = new DataView(head.buffer, start, 4).getUint32(0, true);
    }
  }
  const header = JSON.parse(new TextDecoder().decode(head.subarray(start + 4, start + 4 + length)));
  if (header.pyodide !== ASSETS.pyodide.version || header.engine !== ASSETS.engine.version) {
    reader.cancel();
    throw new Error(
      `the snapshot was made for Pyodide ${header.pyodide} and engine ${header.engine}, ` +
        `this page runs Pyodide ${ASSETS.pyodide.version} and engine ${ASSETS.engine.version}`,
    );
  }
  const rest = head.subarray(start + 4 + length);
  const body = new ReadableStream({
    start(controller) {
      if (rest.length) controller.enqueue(rest);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else controller.enqueue(value);
    },
    cancel(reason) {
      return reader.cancel(reason);
    },
  });
  const snapshot = new Uint8Array(header.bytes);
  const filled = (async () => {
    const inflated = body.pipeThrough(new DecompressionStream("gzip")).getReader();
    let offset = 0;
    for (;;) {
      const { done, value } = await inflated.read();
      if (done) break;
      if (offset + value.length > snapshot.length) throw new Error("the snapshot is too long");
      snapshot.set(value, offset);
      offset += value.length;
    }
    if (offset !== snapshot.length) throw new Error("the snapshot is truncated");
    mark("snapshotDecompressed");
  })();
  filled.catch(() => {}); // handled where the restore waits for it
  return { snapshot, filled };
}

// Pyodide sizes its memory from the snapshot before compiling the WebAssembly, and copies the
// snapshot in right after. So that compiling need not wait for the download and decompression,
// Pyodide gets the (still filling) buffer at once, and the WebAssembly instantiation it starts
// does not report back until the buffer is full.
let snapshotFilled = null;

function holdInstantiationUntilFilled() {
  for (const name of ["instantiateStreaming", "instantiate"]) {
    const plain = WebAssembly[name];
    if (typeof plain !== "function" || plain.heldForSnapshot) continue;
    const held = async (...args) => {
      const result = await plain.apply(WebAssembly, args);
      mark("webAssemblyInstantiated");
      if (snapshotFilled) await snapshotFilled;
      return result;
    };
    held.heldForSnapshot = true;
    WebAssembly[name] = held;
  }
}

async function loadInterpreter() {
  if (typeof WebAssembly !== "object") throw new Error("WebAssembly is not available");
  const indexURL = resolveAsset(ASSETS.pyodide.indexURL);
  if (ASSETS.mode === "cdn") installIntegrityFetch();
  installProgressFetch();
  started = null;
  const useSnapshot = snapshotWanted();
  const snapshotName = useSnapshot ? ASSETS.snapshot.url.split("?")[0].split("/").pop() : null;
  for (const name of ASSETS.pyodide.files) expectDownload(name);
  expectDownload(ASSETS.engine.url.split("?")[0]);
  if (useSnapshot) expectDownload(snapshotName);
  reportProgress(true);
  // The snapshot downloads while Pyodide fetches and compiles its WebAssembly.
  const opened = useSnapshot ? openSnapshot() : null;
  opened?.catch(() => {}); // a failure is handled below
  const { loadPyodide } = await importCounted("pyodide.mjs", () =>
    importVerified(`${indexURL}pyodide.mjs`),
  );
  mark("pyodideImported");
  const options = { indexURL, env: { HOME: "/home/pyodide" }, fullStdLib: false };
  if (ASSETS.mode === "cdn") {
    options.createPyodideModule = (
      await importCounted("pyodide.asm.mjs", () => importVerified(`${indexURL}pyodide.asm.mjs`))
    ).default;
  }
  if (opened) {
    try {
      const { snapshot, filled } = await opened;
      mark("snapshotHeader");
      holdInstantiationUntilFilled();
      snapshotFilled = filled;
      // Damaged data stops the wait at once (Pyodide itself would wait for ever).
      const damaged = filled.then(() => new Promise(() => {}));
      const pyodide = await Promise.race([
        loadPyodide({ ...options, _loadSnapshot: snapshot }),
        damaged,
      ]);
      countBytes("pyodide.asm.mjs", 0, true);
      started = { start: "snapshot" };
      return pyodide;
    } catch (error) {
      const reason = String(error?.message || error).split("\n")[0];
      console.warn("[kvengine worker] memory snapshot ignored, starting Python normally:", reason);
      started = { start: "normal", snapshotIgnored: reason };
      countBytes(snapshotName, 0, true);
    } finally {
      snapshotFilled = null;
    }
  }
  const pyodide = await loadPyodide(options);
  countBytes("pyodide.asm.mjs", 0, true);
  started ??= { start: "normal" };
  return pyodide;
}

let engineZip = null; // the engine download starts with the interpreter's

function fetchEngine() {
  engineZip ??= fetch(resolveAsset(ASSETS.engine.url)).then(async (response) => {
    if (!response.ok) throw new Error(`kvengine.zip answered HTTP ${response.status}`);
    return response.arrayBuffer();
  });
  engineZip.catch(() => {
    engineZip = null; // a Retry downloads it again
  });
  return engineZip;
}

// Pyodide only logs a standard library it could not install (a download or integrity failure);
// a restored interpreter would even run without it until it needs a module it has not imported.
function checkStdlib(pyodide) {
  const installed = pyodide.FS.readdir("/lib").some((name) => /^python\d+\.zip$/.test(name));
  if (!installed) throw new Error("the Python standard library (python_stdlib.zip) is missing");
}

async function loadEngine(pyodide) {
  setPhase("loading", "Loading the engine", {
    received: progress.received,
    total: progress.total,
  });
  mark("interpreterStarted");
  const buffer = await fetchEngine();
  pyodide.FS.mkdirTree(ENGINE_DIR);
  pyodide.FS.mkdirTree(EXTRA_DIR);
  const restored = started?.start === "snapshot";
  const unpack = () => pyodide.unpackArchive(buffer, "zip", { extractDir: ENGINE_DIR });
  // After a restore the engine's modules are already imported (those of this very zip: the
  // header said so), so its files are only needed for tracebacks and later imports: they are
  // unpacked just after the first replies. After a normal start they are imported from there.
  if (restored) setTimeout(unpack, 0);
  else unpack();
  // After a normal start (or a Retry) an earlier, failed import is forgotten.
  const fresh = restored ? "False" : "True";
  pyodide.runPython(`
import sys, importlib
for path in (${JSON.stringify(EXTRA_DIR)}, ${JSON.stringify(ENGINE_DIR)}):
    if path not in sys.path:
        sys.path.insert(0, path)
if ${fresh}:
    for name in [m for m in sys.modules if m.split(".")[0] in ("kvengine", "microsims")]:
        del sys.modules[name]
importlib.invalidate_caches()
import microsims.bridge
`);
  bridgeHandle = pyodide.pyimport("microsims.bridge").handle;
  return pyodide;
}

function ensureReady() {
  if (!pyodidePromise) {
    pyodidePromise = loadInterpreter()
      .then((pyodide) => {
        checkStdlib(pyodide);
        return pyodide;
      })
      .catch((error) => {
        pyodidePromise = null;
        throw new Error(describeFailure(error, "the Python interpreter"));
      });
  }
  if (!engineZip) fetchEngine().catch(() => {}); // after loadInterpreter() counts downloads
  if (!enginePromise) {
    enginePromise = pyodidePromise
      .then((pyodide) =>
        loadEngine(pyodide).catch((error) => {
          throw new Error(describeFailure(error, "the kvengine package"));
        }),
      )
      .then(
        (pyodide) => {
          mark("engineLoaded");
          setPhase("ready", "The Python engine is ready", { ...started, timings });
          return pyodide;
        },
        (error) => {
          enginePromise = null;
          console.error("[kvengine worker]", error);
          setPhase("error", error.message);
          throw error;
        },
      );
  }
  return enginePromise;
}

async function loadPython(pyodide, { url, module }) {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(String(module)))
    throw new Error(`bad module name ${module}`);
  const response = await fetch(new URL(url).href);
  if (!response.ok) throw new Error(`${url} answered HTTP ${response.status}`);
  pyodide.FS.writeFile(`${EXTRA_DIR}/${module}.py`, await response.text());
  return JSON.parse(bridgeHandle(JSON.stringify({ op: "import", module })));
}

async function onRequest(port, message) {
  const { rid, ...request } = message;
  if (request.op === "retry") {
    ensureReady().catch(() => {});
    port.postMessage({ rid, ok: true });
    return;
  }
  let reply;
  try {
    const pyodide = await ensureReady();
    if (request.op === "load_python") {
      reply = await loadPython(pyodide, request);
    } else {
      reply = JSON.parse(bridgeHandle(JSON.stringify(request)));
      const handles = portHandles.get(port);
      if (request.op === "create" && reply.ok) handles.add(reply.handle);
      if (request.op === "dispose") handles.delete(request.handle);
    }
  } catch (error) {
    reply = { ok: false, error: { kind: "load", message: String(error.message || error) } };
  }
  port.postMessage({ rid, ...reply });
}

function disposeAll(port) {
  const handles = portHandles.get(port) || new Set();
  if (bridgeHandle) {
    for (const handle of handles) bridgeHandle(JSON.stringify({ op: "dispose", handle }));
  }
  portHandles.delete(port);
  ports.delete(port);
}

function attach(port) {
  ports.add(port);
  portHandles.set(port, new Set());
  port.onmessage = (event) => {
    if (event.data && event.data.op === "bye") {
      disposeAll(port);
      return;
    }
    onRequest(port, event.data);
  };
  port.addEventListener?.("close", () => disposeAll(port));
  port.postMessage(phase.op ? phase : { op: "status", ...phase });
  ensureReady().catch(() => {});
}

const scope = /** @type {any} */ (self); // a worker's global scope (tsc checks with DOM types)
if (
  typeof scope.SharedWorkerGlobalScope === "function" &&
  self instanceof scope.SharedWorkerGlobalScope
) {
  scope.onconnect = (event) => {
    const port = event.ports[0];
    attach(port);
    port.start?.();
  };
} else {
  attach(self);
}
