// Runs a Python script under Pyodide in Node, with the kvengine package from the source tree.
//
// Usage:
//   node tests/engine/pyodide_runner.mjs --engine kvengine --script scenario.py [--out result.txt]
//
// The engine's .py files are copied into Pyodide's in-memory file system (/home/pyodide/src),
// as the site's worker does with kvengine.zip, and that folder is put on sys.path. The value of the
// script's last expression must be a str; it is written to --out (or to stdout, where nothing
// else is written; a file is safer for large results, as Node may cut a piped stdout). Python's own
// print output goes to stderr. Exit code 0 on success, 1 on any error (the traceback on stderr).
//
// Needs only the npm `pyodide` package (node_modules); no network, no browser.

import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { loadPyodide } from "pyodide";

function parseArgs(argv) {
  const args = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i];
    const value = argv[i + 1];
    if (!name?.startsWith("--") || value === undefined) {
      throw new Error(`bad arguments: ${argv.join(" ")}`);
    }
    args[name.slice(2)] = value;
  }
  if (!args.engine || !args.script) {
    throw new Error("usage: pyodide_runner.mjs --engine <kvengine dir> --script <file.py>");
  }
  return args;
}

// Every .py file under `dir`, as paths relative to its parent (so they start with "kvengine/").
function pythonFiles(dir) {
  const found = [];
  const walk = (current) => {
    for (const name of readdirSync(current).sort()) {
      if (name === "__pycache__") continue;
      const full = join(current, name);
      if (statSync(full).isDirectory()) walk(full);
      else if (name.endsWith(".py")) found.push(full);
    }
  };
  walk(dir);
  return found;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const engineDir = resolve(args.engine);
  const parent = resolve(engineDir, "..");
  const script = readFileSync(resolve(args.script), "utf8");

  const pyodide = await loadPyodide({
    stdout: (line) => process.stderr.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
  const root = "/home/pyodide/src";
  for (const file of pythonFiles(engineDir)) {
    const target = `${root}/${relative(parent, file).split("\\").join("/")}`;
    pyodide.FS.mkdirTree(target.slice(0, target.lastIndexOf("/")));
    pyodide.FS.writeFile(target, readFileSync(file));
  }
  pyodide.runPython(`import sys\nsys.path.insert(0, ${JSON.stringify(root)})`);
  const result = await pyodide.runPythonAsync(script);
  if (typeof result !== "string") {
    throw new Error(`the script's last expression must be a str, got ${typeof result}`);
  }
  if (args.out) {
    writeFileSync(resolve(args.out), result, "utf8");
  } else {
    await new Promise((done) => process.stdout.write(result, done));
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    process.stderr.write(`${error?.stack ?? error}\n`);
    process.exit(1);
  },
);
