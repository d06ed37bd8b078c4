// Types of config.js, which hooks/build_assets.py generates at build time (not in git), for the
// type check (`make lint` runs tsc --noEmit over the kit).
export const ASSETS: {
  mode: "self" | "cdn";
  engine: { url: string; version: string };
  p5: { version: string; url: string; integrity: string | null };
  pyodide: {
    version: string;
    files: string[];
    indexURL: string;
    integrity: Record<string, string>;
  };
  /** The memory snapshot of Pyodide with the engine imported, when the build made one. */
  snapshot?: { url: string };
  /** Bytes of each downloaded file, for the loading progress line. */
  sizes?: Record<string, number>;
};
