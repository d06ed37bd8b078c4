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
// goes back as {rid, ...reply}. Extra ops handled here: "retry" (abandon a load that failed or is
// stuck and start again, for every page connected) and "load_python" {sim} (add a sim that is not
// in kvengine.zip: its sims/<id>/sim.json and controller.py, fetched from this site's own sims
// folder). Status messages {op: "status", phase: "loading" | "ready" | "error", message} go to
// every port.
//
// Strangers. Any page of the origin can connect (a shared host may put unrelated pages on one
// origin), so the worker gives each port its own client id and stamps it on every request it
// passes on -- a page can reach only the controllers it created, by handles that are random
// tokens (bridge.py) -- passes on no other op, and loads Python only from this site's sims
// folder, by sim id (never a URL from the page: no data:, blob: or other origin). The bridge's
// tracebacks are turned on only when config.js says `development` (mkdocs serve).
//
// Loading is split in two cached stages -- the interpreter, then kvengine.zip (the engine, the
// microsims runtime and every sim's controller.py and sim.json, unpacked under ENGINE_DIR with the
// repository's own paths, so `microsims` finds the sims beside it as in CPython) -- so a Retry
// after a failed engine download does not reload the 10 MB interpreter. In CDN mode every asset
// is fetched with its Subresource Integrity hash from config.js (fetch() is wrapped for the files
// Pyodide loads itself; the two .mjs modules are verified, then imported from blob: URLs).
//
// Failures. Every download is watched: a file that answers an HTTP error or whose connection
// fails is remembered, and a download during which nothing arrives for STALL_MS is aborted
// (`?stall=<seconds>` on the page's URL shortens it, for tests); a whole attempt has ATTEMPT_MS.
// The error then names the stage in words ("The Python interpreter could not be downloaded (HTTP
// 503)"), not what Pyodide made of the missing file ("Program terminated with exit(1)"). A Retry
// abandons the attempt -- its downloads aborted, its result ignored -- and starts a new one (the
// modules imported again under a fresh URL, since a browser remembers a failed import); pages
// still waiting are answered by the new attempt. WebAssembly blocked by a security policy (no
// 'wasm-unsafe-eval' in this worker's Content-Security-Policy header) cannot get better in this
// worker: it reports the error as `fatal`, and a Retry opens a fresh worker under a new name
// (engine-client.js). This worker does not close itself: a page connecting to a closing shared
// worker may be left unanswered; it keeps answering with the same error.
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
const SIMS_DIR = `${ENGINE_DIR}/sims`; // microsims.SIMS_DIR: the registry's sim folders
const SNAPSHOT_MAGIC = "KVSNAP1\n";
const PROGRESS_EVERY_MS = 100;
const STALL_MS = stallFromURL() ?? 30000; // a download with no byte for this long is stuck
const ATTEMPT_MS = 240000; // a whole load, downloads and start-up included
const BRIDGE_OPS = new Set(["create", "call", "dispose", "hello"]);
const SIM_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;
// What each file is, for the student: the stage it belongs to.
const STAGE_OF = {
  "pyodide.mjs": "interpreter",
  "pyodide.asm.mjs": "interpreter",
  "pyodide.asm.wasm": "interpreter",
  "pyodide-lock.json": "interpreter",
  "python_stdlib.zip": "stdlib",
  "kvengine.zip": "engine",
};
const STAGE_WORDS = {
  interpreter: "The Python interpreter",
  stdlib: "Python's standard library",
  engine: "The simulation engine (kvengine.zip)",
};
const ports = new Set();
let phase = { phase: "loading", message: "Starting the Python engine" };
let started = null; // how the interpreter started: "snapshot" | "normal" (+ why, for the page)
const timings = {}; // worker time (ms since it started) at each stage, for the benchmark

function mark(stage) {
  timings[stage] = Math.round(performance.now());
}
let interpreter = null; // a started Pyodide, kept across retries
let bridgeHandle = null;
let current = null; // the load attempt: {number, abort, promise, failures, superseded}
let attempts = 0;
let failedWith = null; // the last attempt's error, until a Retry
let nextClient = 1;
const portClients = new Map(); // port -> its client id (the bridge's owner of its controllers)

function stallFromURL() {
  const match = /[?&]stall=(\d{1,3})(&|$)/.exec(self.location.search);
  return match && Number(match[1]) > 0 ? Number(match[1]) * 1000 : null;
}

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

// Reads a clone of the response to count its bytes; the page's own copy is untouched. Each
// chunk also tells the stall watch that the download is alive.
async function countResponse(name, response, download) {
  if (!response.ok || !response.body) return;
  try {
    const reader = response.clone().body.getReader();
    let count = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      count += value.byteLength;
      if (download) download.last = performance.now();
      countBytes(name, count);
    }
    countBytes(name, count, true);
  } catch {
    /* the real reader reports errors; counting is only for the progress line */
  } finally {
    if (download) inflight.delete(download);
  }
}

// ---- watched downloads: failures remembered, stalls aborted ---------------------------------
const inflight = new Set(); // {name, last, abort, stalled} of each watched download in progress
let stallTimer = null;

function fileName(url) {
  return new URL(url, self.location.href).pathname.split("/").pop() || "";
}

/**
 * Remember that `name` failed (`how`: "HTTP 503", ...) in `attempt`, the attempt that started
 * the download (first wins). A file of the interpreter ends the attempt at once (Pyodide may
 * otherwise wait, or say only "Program terminated"); the engine's zip is awaited once the
 * interpreter is up, which is kept for the Retry. A download of an attempt that is over (one a
 * Retry abandoned: its downloads are aborted) counts for nothing: it must not fail the new one.
 */
function noteFailure(name, how, attempt = current) {
  if (!attempt || attempt.over || attempt.failures.has(name)) return;
  attempt.failures.set(name, how);
  if (STAGE_OF[name] === "interpreter" || STAGE_OF[name] === "stdlib") {
    attempt.fail(new Error(`${name}: ${how}`));
  }
}

function watchStalls() {
  if (stallTimer !== null) return;
  stallTimer = setInterval(
    () => {
      const now = performance.now();
      for (const download of inflight) {
        if (now - download.last < STALL_MS) continue;
        download.stalled = true;
        inflight.delete(download);
        noteFailure(download.name, "stalled", download.attempt);
        download.abort(new Error(`${download.name} stalled`));
      }
      if (inflight.size === 0) {
        clearInterval(stallTimer);
        stallTimer = null;
      }
    },
    Math.min(1000, STALL_MS / 4),
  );
}

/** Track a download (or an import) of `name` for the current attempt; `abort` if it stalls. */
function watch(name, abort) {
  const download = { name, last: performance.now(), abort, stalled: false, attempt: current };
  inflight.add(download);
  watchStalls();
  return download;
}

function installProgressFetch() {
  if (progress.counting) return;
  progress.counting = true;
  const innerFetch = self.fetch.bind(self);
  self.fetch = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input), self.location.href);
    const name = fileName(url.href);
    if (!(name in STAGE_OF) && !downloadName(url.href)) return innerFetch(input, init);
    // The attempt's abort (a Retry) and the stall watch's abort both end this download.
    const controller = new AbortController();
    const attempt = current; // the attempt this download belongs to
    attempt?.abort.signal.addEventListener("abort", () => controller.abort(), { once: true });
    const download = watch(name, (reason) => controller.abort(reason));
    try {
      const response = await innerFetch(input, { ...init, signal: controller.signal });
      if (!response.ok) noteFailure(name, `HTTP ${response.status}`, attempt);
      if (!response.ok || !response.body) inflight.delete(download);
      else countResponse(name, response, download);
      return response;
    } catch (error) {
      inflight.delete(download);
      noteFailure(name, download.stalled ? "stalled" : "the connection failed", attempt);
      throw error;
    }
  };
}

/** Import a module through `load`, watched like a download (an import cannot be aborted). */
async function importWatched(name, load) {
  let stalled;
  const stall = new Promise((_, reject) => {
    stalled = reject;
  });
  const download = watch(name, () => stalled(new Error(`${name} stalled`)));
  try {
    const module = await Promise.race([load(), stall]);
    countBytes(name, 0, true);
    return module;
  } catch (error) {
    noteFailure(name, download.stalled ? "stalled" : "the connection failed", download.attempt);
    throw error;
  } finally {
    inflight.delete(download);
  }
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

let integrityFetch = false;

function installIntegrityFetch() {
  if (integrityFetch) return; // once: a Retry's attempt keeps it
  integrityFetch = true;
  const plainFetch = self.fetch.bind(self);
  self.fetch = (input, init = {}) => {
    const url = input instanceof Request ? input.url : String(input); // string or URL object
    const integrity = integrityFor(new URL(url, self.location.href).href);
    return plainFetch(input, integrity ? { ...init, integrity, mode: "cors" } : init);
  };
}

const FIX_CONNECTION = "Check the connection, then press Retry.";

/** A load failure that this worker cannot get over (a Retry needs a fresh worker). */
class FatalLoadError extends Error {}

/** The words for a failed attempt: the first file that failed, by its stage, else the error. */
function describeFailure(error, failures) {
  if (error instanceof FatalLoadError) return error.message;
  for (const [name, how] of failures) {
    const stage = STAGE_OF[name];
    if (!stage) continue; // the snapshot is optional: Python then starts the normal way
    if (how === "stalled") {
      return (
        `${STAGE_WORDS[stage]} stopped downloading: nothing arrived for ` +
        `${Math.round(STALL_MS / 1000)} s. ${FIX_CONNECTION}`
      );
    }
    return `${STAGE_WORDS[stage]} could not be downloaded (${how}). ${FIX_CONNECTION}`;
  }
  const text = String(error?.message || error).split("\n")[0];
  if (/took longer/.test(text)) return text;
  const imported = /dynamically imported module: (\S+)/.exec(text);
  if (imported) {
    const stage = STAGE_OF[fileName(imported[1])] || "interpreter";
    return `${STAGE_WORDS[stage]} could not be downloaded. ${FIX_CONNECTION}`;
  }
  return `The Python engine could not start (${text}). Press Retry, or reload the page.`;
}

// A page or host whose Content-Security-Policy lacks 'wasm-unsafe-eval' stops every WebAssembly
// compile; an empty module shows it at once, before anything is downloaded.
const EMPTY_WASM = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]);

function checkWebAssembly() {
  if (typeof WebAssembly !== "object") {
    throw new FatalLoadError("This browser cannot run WebAssembly, which the Python engine needs.");
  }
  try {
    new WebAssembly.Module(EMPTY_WASM);
  } catch (error) {
    console.error("[kvengine worker]", error);
    throw new FatalLoadError(
      "This page's security policy blocks WebAssembly, which Python needs: " +
        "allow 'wasm-unsafe-eval' in its script-src.",
    );
  }
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

/** A module URL for this attempt: a browser remembers a failed import, so a Retry's differs. */
function attemptURL(url, attempt) {
  return attempt > 1 ? `${url}${url.includes("?") ? "&" : "?"}attempt=${attempt}` : url;
}

async function loadInterpreter(attempt) {
  checkWebAssembly();
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
  const { loadPyodide } = await importWatched("pyodide.mjs", () =>
    importVerified(attemptURL(`${indexURL}pyodide.mjs`, attempt)),
  );
  mark("pyodideImported");
  const options = { indexURL, env: { HOME: "/home/pyodide" }, fullStdLib: false };
  // Imported here rather than by Pyodide, so that it is watched and a Retry imports it afresh.
  options.createPyodideModule = (
    await importWatched("pyodide.asm.mjs", () =>
      importVerified(attemptURL(`${indexURL}pyodide.asm.mjs`, attempt)),
    )
  ).default;
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
  if (!installed) {
    noteFailure("python_stdlib.zip", "it is missing");
    throw new Error("the Python standard library (python_stdlib.zip) is missing");
  }
}

async function loadEngine(pyodide, stillWanted) {
  setPhase("loading", "Loading the engine", {
    received: progress.received,
    total: progress.total,
  });
  mark("interpreterStarted");
  const buffer = await fetchEngine();
  stillWanted();
  pyodide.FS.mkdirTree(SIMS_DIR);
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
if ${JSON.stringify(ENGINE_DIR)} not in sys.path:
    sys.path.insert(0, ${JSON.stringify(ENGINE_DIR)})
if ${fresh}:
    for name in [m for m in sys.modules if m.split(".")[0] in ("kvengine", "microsims")]:
        del sys.modules[name]
importlib.invalidate_caches()
import microsims.bridge
microsims.bridge.set_development(${ASSETS.development ? "True" : "False"})
`);
  bridgeHandle = pyodide.pyimport("microsims.bridge").handle;
  return pyodide;
}

/** Reject after `ms` with `message`, unless `promise` settles first. */
function deadline(promise, ms, message) {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/** Start a new load attempt (the interpreter only if none has started yet, then the engine). */
function startAttempt() {
  attempts += 1;
  let fail = (_error) => {};
  const failed = new Promise((_, reject) => {
    fail = reject;
  });
  const attempt = {
    number: attempts,
    abort: new AbortController(),
    failures: new Map(),
    superseded: false, // abandoned by a Retry: pages waiting on it wait for the next attempt
    over: false, // failed or abandoned: what it still does is thrown away
    fail,
    promise: null,
  };
  current = attempt;
  const stillWanted = () => {
    if (attempt.over) throw new Error("this load was abandoned");
  };
  const load = async () => {
    if (!interpreter) {
      const pyodide = await loadInterpreter(attempt.number);
      stillWanted();
      checkStdlib(pyodide);
      interpreter = pyodide;
    }
    if (!engineZip) fetchEngine().catch(() => {}); // after loadInterpreter() counts downloads
    return loadEngine(interpreter, stillWanted);
  };
  if (interpreter) setPhase("loading", "Loading the engine");
  else fetchEngineSoon();
  attempt.promise = deadline(
    Promise.race([load(), failed]),
    ATTEMPT_MS,
    `Loading the Python engine took longer than ${ATTEMPT_MS / 60000} minutes. ${FIX_CONNECTION}`,
  ).then(
    (pyodide) => {
      if (attempt.superseded) return pyodide;
      mark("engineLoaded");
      setPhase("ready", "The Python engine is ready", { ...started, timings });
      return pyodide;
    },
    (error) => {
      attempt.over = true;
      attempt.abort.abort(); // its downloads still running stop
      if (attempt.superseded) throw error;
      current = null;
      const message = describeFailure(error, attempt.failures);
      failedWith = message; // until a Retry: pages and requests get this answer at once
      console.error("[kvengine worker]", error);
      const fatal = error instanceof FatalLoadError;
      // fatal: no attempt in this worker can do better; a Retry opens a fresh worker
      setPhase("error", message, fatal ? { fatal } : {});
      throw new Error(message);
    },
  );
  attempt.promise.catch(() => {});
  return attempt;
}

// The engine download starts once the interpreter's downloads are counted (in loadInterpreter).
function fetchEngineSoon() {
  queueMicrotask(() => {
    if (!engineZip && current) fetchEngine().catch(() => {});
  });
}

/** Abandon the attempt in progress (a Retry): its downloads stop, its outcome is ignored. */
function abandonAttempt() {
  if (!current) return;
  current.superseded = true;
  current.over = true;
  current.abort.abort();
  current = null;
  engineZip = null;
}

/**
 * The ready interpreter; waits through Retries (a page waiting is answered by the new attempt).
 * After a failure it answers with that failure until a Retry starts over: a page or request
 * arriving meanwhile does not start a load of its own behind the reader's back.
 */
async function ensureReady() {
  for (;;) {
    if (bridgeHandle && phase.phase === "ready") return interpreter;
    if (!current && failedWith !== null) throw new Error(failedWith);
    const attempt = current ?? startAttempt();
    try {
      return await attempt.promise;
    } catch (error) {
      if (!attempt.superseded) throw error;
    }
  }
}

// ---- a sim that is not in kvengine.zip (a test's sim): from this site's own sims folder -------
async function loadPython(pyodide, { sim }) {
  const id = String(sim);
  if (!SIM_ID.test(id)) throw new Error(`"${id.slice(0, 40)}" is not a sim id`);
  const known = JSON.parse(bridgeHandle(JSON.stringify({ op: "hello" }))).sims;
  if (known.includes(id)) return { ok: true }; // in the zip: nothing to add, nothing replaced
  const folder = new URL(`../${id}/`, import.meta.url); // sims/<id>/ beside sims/kit/
  const files = {};
  for (const name of ["sim.json", "controller.py"]) {
    const url = new URL(name, folder);
    const response = await fetch(url, { credentials: "same-origin", redirect: "error" });
    if (!response.ok) throw new Error(`sims/${id}/${name} answered HTTP ${response.status}`);
    files[name] = await response.text();
  }
  if (JSON.parse(files["sim.json"]).id !== id)
    throw new Error(`sims/${id}/sim.json has another id`);
  pyodide.FS.mkdirTree(`${SIMS_DIR}/${id}`);
  for (const [name, text] of Object.entries(files)) {
    pyodide.FS.writeFile(`${SIMS_DIR}/${id}/${name}`, text);
  }
  return { ok: true };
}

async function onRequest(port, message) {
  const { rid, ...request } = message || {};
  if (request.op === "retry") {
    if (!(bridgeHandle && phase.phase === "ready")) {
      abandonAttempt();
      failedWith = null;
      startAttempt();
    }
    port.postMessage({ rid, ok: true });
    return;
  }
  let reply;
  try {
    const pyodide = await ensureReady();
    if (request.op === "load_python") {
      reply = await loadPython(pyodide, request);
    } else if (BRIDGE_OPS.has(request.op)) {
      // The client id is the worker's, never the page's: a page reaches its own controllers only.
      const client = portClients.get(port);
      reply = JSON.parse(bridgeHandle(JSON.stringify({ ...request, client })));
    } else {
      reply = {
        ok: false,
        error: { kind: "internal", message: "The engine hit an internal error." },
      };
    }
  } catch (error) {
    reply = { ok: false, error: { kind: "load", message: String(error.message || error) } };
  }
  port.postMessage({ rid, ...reply });
}

function release(port) {
  const client = portClients.get(port);
  if (client && bridgeHandle) bridgeHandle(JSON.stringify({ op: "release", client }));
  portClients.delete(port);
  ports.delete(port);
}

function attach(port) {
  ports.add(port);
  portClients.set(port, `page-${nextClient++}`);
  port.onmessage = (event) => {
    if (event.data && event.data.op === "bye") {
      release(port);
      return;
    }
    onRequest(port, event.data);
  };
  port.addEventListener?.("close", () => release(port));
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
