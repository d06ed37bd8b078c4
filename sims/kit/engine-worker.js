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

import { ASSETS } from "./config.js";

const ENGINE_DIR = "/home/pyodide/engine";
const EXTRA_DIR = "/home/pyodide/simextra";
const ports = new Set();
let phase = { phase: "loading", message: "Starting the Python engine" };
let pyodidePromise = null;
let enginePromise = null;
let bridgeHandle = null;
const portHandles = new Map(); // port -> Set(handle) so a closed page's controllers are freed

function broadcast(message) {
  for (const port of ports) port.postMessage(message);
}

function setPhase(name, message) {
  phase = { op: "status", phase: name, message };
  broadcast(phase);
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

async function loadInterpreter() {
  if (typeof WebAssembly !== "object") throw new Error("WebAssembly is not available");
  const indexURL = resolveAsset(ASSETS.pyodide.indexURL);
  if (ASSETS.mode === "cdn") installIntegrityFetch();
  setPhase("loading", "Downloading the Python interpreter");
  const { loadPyodide } = await importVerified(`${indexURL}pyodide.mjs`);
  const options = { indexURL, env: { HOME: "/home/pyodide" }, fullStdLib: false };
  if (ASSETS.mode === "cdn") {
    options.createPyodideModule = (await importVerified(`${indexURL}pyodide.asm.mjs`)).default;
  }
  const pyodide = await loadPyodide(options);
  return pyodide;
}

async function loadEngine(pyodide) {
  setPhase("loading", "Loading the kvengine package");
  const url = resolveAsset(ASSETS.engine.url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`kvengine.zip answered HTTP ${response.status}`);
  const buffer = await response.arrayBuffer();
  pyodide.FS.mkdirTree(ENGINE_DIR);
  pyodide.FS.mkdirTree(EXTRA_DIR);
  pyodide.unpackArchive(buffer, "zip", { extractDir: ENGINE_DIR });
  pyodide.runPython(`
import sys, importlib
for path in (${JSON.stringify(EXTRA_DIR)}, ${JSON.stringify(ENGINE_DIR)}):
    if path not in sys.path:
        sys.path.insert(0, path)
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
    pyodidePromise = loadInterpreter().catch((error) => {
      pyodidePromise = null;
      throw new Error(describeFailure(error, "the Python interpreter"));
    });
  }
  if (!enginePromise) {
    enginePromise = pyodidePromise
      .then((pyodide) =>
        loadEngine(pyodide).catch((error) => {
          throw new Error(describeFailure(error, "the kvengine package"));
        }),
      )
      .then(
        (pyodide) => {
          setPhase("ready", "The Python engine is ready");
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
