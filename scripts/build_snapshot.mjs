// build_snapshot.mjs -- a memory snapshot of Pyodide with the engine already imported.
//
// Starting Python and importing the engine is the same work for every student on every visit.
// Pyodide can save the interpreter's whole WebAssembly memory after that work
// (loadPyodide({_makeSnapshot: true}) + pyodide.makeMemorySnapshot()) and a later start can
// restore it (loadPyodide({_loadSnapshot: bytes})) instead of running Python's start-up and the
// imports again. This script makes that snapshot at build time, in Node, from the pinned npm
// `pyodide` and the very `kvengine.zip` the site ships, so every build from the same sources gives
// the same file.
//
// What it does, in the order the browser worker (sims/kit/engine-worker.js) will repeat it:
//   1. start Pyodide in Node with _makeSnapshot (no JS object may be kept by Python: nothing
//      below touches the `js` module, so the snapshot holds no reference into Node);
//   2. unpack the engine zip into ENGINE_DIR, put it on sys.path and import every module in the
//      zip (the engine, the bridge, every sim's controller), so no import is left for the page;
//   3. write <out>: a small uncompressed header, then the snapshot gzip-compressed.
//
// File format (all integers little-endian):
//   bytes 0..7   "KVSNAP1\n"                 magic and format version
//   bytes 8..11  uint32 n                     length of the JSON header
//   next n bytes {"pyodide": "314.0.7", "engine": "<engine version>", "bytes": <raw length>}
//   the rest     gzip(snapshot made by Pyodide; Pyodide itself embeds and checks its BUILD_ID)
// The worker reads the header first and ignores a snapshot whose Pyodide or engine version is not
// the one it runs (then it starts Python the normal way).
//
// Usage:
//   node scripts/build_snapshot.mjs --engine-zip site/sims/kit/kvengine.zip \
//        --engine-version 0123456789abcdef --out kvengine.kvsnap

import nodeCrypto from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

export const MAGIC = "KVSNAP1\n";
// The worker's paths: the snapshot remembers them (module __file__, sys.path).
export const ENGINE_DIR = "/home/pyodide/engine";
export const EXTRA_DIR = "/home/pyodide/simextra";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PYODIDE_DIR = join(ROOT, "node_modules", "pyodide");

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i]?.startsWith("--") || argv[i + 1] === undefined) {
      throw new Error(`bad arguments: ${argv.join(" ")}`);
    }
    args[argv[i].slice(2)] = argv[i + 1];
  }
  for (const name of ["engine-zip", "engine-version", "out"]) {
    if (!args[name]) throw new Error(`missing --${name}`);
  }
  return args;
}

/** The Python that prepares the interpreter; the worker runs the same after a normal start. */
export function preparePython(engineDir, extraDir) {
  return `
import sys, importlib, zipfile
sys.dont_write_bytecode = True
for path in (${JSON.stringify(extraDir)}, ${JSON.stringify(engineDir)}):
    if path not in sys.path:
        sys.path.insert(0, path)
importlib.invalidate_caches()
`;
}

/**
 * Import every module of the engine zip (the same list the hook zipped), sorted by name: the
 * packages (`kvengine`, `microsims`) by module name, then every sim's controller through the
 * sims' registry, which loads `sims/<id>/controller.py` by its path as the page would.
 */
function importAllPython(engineDir) {
  return `
import importlib, os
names = []
for folder, _dirs, files in os.walk(${JSON.stringify(engineDir)}):
    for file in files:
        if file.endswith(".py"):
            rel = os.path.relpath(os.path.join(folder, file), ${JSON.stringify(engineDir)})
            parts = rel[:-3].split(os.sep)
            if parts[0] == "sims":
                continue  # controllers: loaded by the registry below
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
for name in sorted(names):
    importlib.import_module(name)
import microsims
sims = microsims.sim_ids()
for sim_id in sims:
    microsims.controller_module(sim_id)
len(names) + len(sims)
`;
}

/**
 * Make the build deterministic: Python draws random bytes (for `random`'s default instance and
 * temporary names) and reads the clock (file times) while it starts and imports. The snapshot
 * would freeze those values anyway -- every restored interpreter starts from the same ones --
 * so a fixed stream of bytes and a fixed clock lose nothing and make the bytes reproducible.
 * (The engine's own randomness is seeded by the sims and does not come from here.)
 */
function freezeEntropy() {
  let state = 0x9e3779b9;
  nodeCrypto.randomFillSync = (view) => {
    const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
    for (let i = 0; i < bytes.length; i++) {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      bytes[i] = state >>> 24;
    }
    return view;
  };
  const epoch = Date.UTC(2024, 0, 1);
  let ticks = 0; // a clock that advances by one millisecond per reading
  Date.now = () => epoch + ticks++;
  performance.now = () => ticks++;
}

async function main() {
  freezeEntropy();
  const args = parseArgs(process.argv.slice(2));
  const pyodideVersion = JSON.parse(
    readFileSync(join(PYODIDE_DIR, "package.json"), "utf8"),
  ).version;
  const { loadPyodide } = await import(join(PYODIDE_DIR, "pyodide.mjs"));
  const pyodide = await loadPyodide({
    indexURL: `${PYODIDE_DIR}/`,
    // A fixed hash seed: the same sources give the same snapshot (kvengine's results do not
    // depend on it; the tests run it under two seeds).
    env: { HOME: "/home/pyodide", PYTHONHASHSEED: "0" },
    _makeSnapshot: true,
    // The program name a browser has (Node would put this script's path into argv and $_).
    _sysExecutable: "./this.program",
    stdout: (line) => process.stderr.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
  pyodide.FS.mkdirTree(ENGINE_DIR);
  pyodide.FS.mkdirTree(EXTRA_DIR);
  // Unpacked by Python's zipfile, so no JavaScript object is handed to Python.
  pyodide.FS.writeFile(
    "/tmp/kvengine.zip",
    new Uint8Array(readFileSync(resolve(args["engine-zip"]))),
  );
  pyodide.runPython(
    `import zipfile\nwith zipfile.ZipFile("/tmp/kvengine.zip") as z: z.extractall(${JSON.stringify(ENGINE_DIR)})`,
  );
  pyodide.FS.unlink("/tmp/kvengine.zip");
  pyodide.runPython(preparePython(ENGINE_DIR, EXTRA_DIR));
  const count = pyodide.runPython(importAllPython(ENGINE_DIR));
  // Collect garbage now so the snapshot does not carry it, then freeze what is left (the
  // interpreter and the engine's modules): the collector never walks those objects again, so a
  // sim's replies do not pause for it (CPython's gc.freeze(), meant for the same "start once,
  // copy many times" pattern of fork()).
  pyodide.runPython("import gc; gc.collect(); gc.freeze()");
  const snapshot = pyodide.makeMemorySnapshot();
  const header = Buffer.from(
    JSON.stringify({
      pyodide: pyodideVersion,
      engine: args["engine-version"],
      bytes: snapshot.length,
    }),
    "utf8",
  );
  const length = Buffer.alloc(4);
  length.writeUInt32LE(header.length);
  // mtime 0 and a fixed OS byte come from zlib's gzipSync: the output depends only on the input.
  const body = gzipSync(snapshot, { level: 9 });
  writeFileSync(
    resolve(args.out),
    Buffer.concat([Buffer.from(MAGIC, "latin1"), length, header, body]),
  );
  process.stderr.write(
    `snapshot: ${count} modules imported, ${snapshot.length} bytes, ${body.length} gzipped\n`,
  );
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
