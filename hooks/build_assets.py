"""MkDocs hook: put the MicroSims, their runtime, the engine and p5/Pyodide into the built site.

What it adds to MkDocs' file collection (so ``mkdocs build`` and ``mkdocs serve`` behave alike):

* every ``sims/<id>/index.md`` of the repository as the page ``sims/<id>/index.md`` (a page of
  the same path under ``docs/`` wins), and every other file under ``sims/`` as a static file
  (developer notes -- other ``.md`` files -- dotfiles and caches are left out);
* ``sims/kit/kvengine.zip``: the ``kvengine`` package, ``.py`` files only, as a *deterministic*
  zip (sorted names, fixed timestamps and modes), so the same source gives the same bytes;
* ``sims/vendor/p5/p5.min.js`` and ``sims/vendor/pyodide/*`` from ``node_modules`` (self-hosted
  mode, the default: the site then requests nothing from other origins);
* ``sims/kit/kvengine-<pyodide>-<engine>.kvsnap``: a memory snapshot of Pyodide with that engine
  zip imported, made by ``node scripts/build_snapshot.mjs`` (see there); the worker restores it
  instead of starting Python. Made once per (engine, Pyodide, script) and kept in
  ``build/snapshot-cache/``; ``MICROSIM_SNAPSHOT=0`` (or no Node) builds a site without one, which
  then starts Python the normal way;
* ``sims/kit/config.js``: the asset URLs the kit and the worker load. In CDN mode
  (``MICROSIM_ASSETS=cdn`` or ``extra: microsim_assets: cdn``) p5 and Pyodide come from jsDelivr
  at the versions pinned in ``package-lock.json``, each with a Subresource Integrity hash computed
  from the local npm copy, and nothing is vendored.

Trade-off: files are added in ``on_files`` rather than copied in ``on_post_build`` so that
``mkdocs serve`` serves them too, the nav can list the sim pages, and MkDocs' own copying skips
unchanged files on rebuilds.

Usage (``mkdocs.yml``)::

    hooks: [hooks/build_assets.py]
    extra: {microsim_assets: self}     # or cdn; the environment variable MICROSIM_ASSETS wins
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import logging
import os
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files

log = logging.getLogger("mkdocs.hooks.build_assets")

PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)
P5_FILE = "lib/p5.min.js"
CDN_BASE = "https://cdn.jsdelivr.net/npm"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)
MODES = ("self", "cdn")


def project_root(config: Any) -> Path:
    """The folder that holds mkdocs.yml (and sims/, kvengine/, node_modules/)."""
    return Path(config.config_file_path).resolve().parent


def assets_mode(config: Any) -> str:
    """ "self" or "cdn": the environment variable ``MICROSIM_ASSETS`` beats ``extra``."""
    mode = os.environ.get("MICROSIM_ASSETS") or config.extra.get("microsim_assets") or "self"
    mode = str(mode).strip().lower()
    if mode not in MODES:
        raise PluginError(f"microsim_assets must be one of {MODES}, not {mode!r}")
    return mode


def sri(data: bytes) -> str:
    """Subresource Integrity value of ``data`` (SHA-384, base64).

    >>> sri(b"")[:20]
    'sha384-OLBgp1GsljhM2'
    """
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode("ascii")


def npm_version(root: Path, package: str) -> str:
    """The installed version of an npm package (``node_modules/<package>/package.json``)."""
    manifest = root / "node_modules" / package / "package.json"
    if not manifest.is_file():
        raise PluginError(
            f"{manifest} is missing: run `npm ci` (or `make setup`) to install p5 and Pyodide"
        )
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


def engine_zip(package_dir: Path) -> bytes:
    """The package's ``.py`` files as a deterministic zip; names are ``kvengine/...``."""
    buffer = io.BytesIO()
    paths = sorted(
        path
        for path in package_dir.rglob("*.py")
        if "__pycache__" not in path.parts and not path.name.startswith(".")
    )
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in paths:
            arcname = path.relative_to(package_dir.parent).as_posix()
            info = zipfile.ZipInfo(arcname, date_time=ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o100644 << 16
            info.create_system = 3
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    return buffer.getvalue()


def asset_config(root: Path, mode: str, engine: bytes) -> dict[str, Any]:
    """What config.js exports. Self-hosted URLs are relative to ``sims/kit/``."""
    p5_version = npm_version(root, "p5")
    pyodide_version = npm_version(root, "pyodide")
    pyodide_dir = root / "node_modules" / "pyodide"
    engine_version = hashlib.sha256(engine).hexdigest()[:16]
    config: dict[str, Any] = {
        "mode": mode,
        "engine": {"url": f"kvengine.zip?v={engine_version}", "version": engine_version},
        "p5": {"version": p5_version},
        "pyodide": {"version": pyodide_version, "files": list(PYODIDE_FILES)},
    }
    if mode == "self":
        config["p5"].update(url="../vendor/p5/p5.min.js", integrity=None)
        config["pyodide"].update(indexURL="../vendor/pyodide/", integrity={})
    else:
        p5_bytes = (root / "node_modules" / "p5" / P5_FILE).read_bytes()
        config["p5"].update(url=f"{CDN_BASE}/p5@{p5_version}/{P5_FILE}", integrity=sri(p5_bytes))
        config["pyodide"].update(
            indexURL=f"{CDN_BASE}/pyodide@{pyodide_version}/",
            integrity={name: sri((pyodide_dir / name).read_bytes()) for name in PYODIDE_FILES},
        )
    return config


# ---- memory snapshot of the interpreter ----------------------------------------------------------
SNAPSHOT_SCRIPT = Path("scripts") / "build_snapshot.mjs"
SNAPSHOT_CACHE = Path("build") / "snapshot-cache"


def snapshot_wanted() -> bool:
    """``MICROSIM_SNAPSHOT=0`` builds the site without a snapshot (the normal start only)."""
    return os.environ.get("MICROSIM_SNAPSHOT", "1").strip() not in ("0", "false", "no")


def snapshot_name(pyodide_version: str, engine_version: str) -> str:
    """The snapshot's file name: both versions in it, so a host may cache it for ever."""
    return f"kvengine-{pyodide_version}-{engine_version}.kvsnap"


def build_snapshot(root: Path, engine: bytes) -> tuple[str, bytes] | None:
    """(file name, bytes) of the snapshot for this engine zip, or None where it cannot be made.

    The key of the cache is everything the bytes depend on: the engine zip, the Pyodide runtime
    and the script, so a change to any of them makes a new snapshot.
    """
    node = shutil.which("node")
    script = root / SNAPSHOT_SCRIPT
    pyodide_dir = root / "node_modules" / "pyodide"
    if node is None or not script.is_file() or not (pyodide_dir / "pyodide.mjs").is_file():
        log.warning("build_assets: no node or no npm pyodide, so no memory snapshot")
        return None
    engine_version = hashlib.sha256(engine).hexdigest()[:16]
    name = snapshot_name(npm_version(root, "pyodide"), engine_version)
    key = hashlib.sha256(engine)
    for part in ("pyodide.asm.wasm", "pyodide.asm.mjs", "pyodide.mjs", "python_stdlib.zip"):
        key.update(hashlib.sha256((pyodide_dir / part).read_bytes()).digest())
    key.update(script.read_bytes())
    cached = root / SNAPSHOT_CACHE / f"{key.hexdigest()[:24]}-{name}"
    if not cached.is_file():
        cached.parent.mkdir(parents=True, exist_ok=True)
        zip_path = cached.with_suffix(".zip.tmp")
        zip_path.write_bytes(engine)
        partial = cached.with_suffix(".tmp")
        command = [node, str(script), "--engine-zip", str(zip_path)]
        command += ["--engine-version", engine_version, "--out", str(partial)]
        try:
            done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=300)
        finally:
            zip_path.unlink(missing_ok=True)
        if done.returncode != 0:
            log.warning("build_assets: the memory snapshot failed:\n%s", done.stderr[-2000:])
            partial.unlink(missing_ok=True)
            return None
        partial.replace(cached)
        log.info("build_assets: %s", done.stderr.strip().splitlines()[-1])
    return name, cached.read_bytes()


def config_js(config: dict[str, Any]) -> str:
    """The generated ES module ``sims/kit/config.js``."""
    body = json.dumps(config, indent=2, sort_keys=True)
    return (
        "// Generated by hooks/build_assets.py at build time -- do not edit.\n"
        "// Asset URLs for the MicroSim kit; relative URLs are relative to this file.\n"
        f"export const ASSETS = {body};\n"
    )


def _is_site_file(relative: Path) -> bool:
    parts = relative.parts
    if any(part.startswith(".") or part == "__pycache__" for part in parts):
        return False
    if relative.suffix == ".md":
        return len(parts) == 2 and relative.name == "index.md"
    generated = parts[:2] in (("kit", "config.js"), ("kit", "kvengine.zip"))
    return not (generated or relative.suffix == ".kvsnap")


def _add(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)


def on_files(files: Files, config: Any) -> Files:
    root = project_root(config)
    sims_dir = root / "sims"
    site_dir = config.site_dir
    use_urls = config.use_directory_urls
    if sims_dir.is_dir():
        for path in sorted(p for p in sims_dir.rglob("*") if p.is_file()):
            relative = path.relative_to(sims_dir)
            if not _is_site_file(relative):
                continue
            src_uri = f"sims/{relative.as_posix()}"
            if relative.suffix == ".md" and files.get_file_from_path(src_uri) is not None:
                log.info("build_assets: docs/%s wins over %s", src_uri, path)
                continue
            _add(files, File(src_uri, str(root), site_dir, use_urls))

    mode = assets_mode(config)
    engine = engine_zip(root / "kvengine")
    _add(files, File.generated(config, "sims/kit/kvengine.zip", content=engine))
    assets = asset_config(root, mode, engine)
    # The memory snapshot and the sizes of the downloads (for the progress line).
    pyodide_dir = root / "node_modules" / "pyodide"
    sizes = {name: (pyodide_dir / name).stat().st_size for name in PYODIDE_FILES}
    sizes["kvengine.zip"] = len(engine)
    snapshot = build_snapshot(root, engine) if snapshot_wanted() else None
    if snapshot is not None:
        name, data = snapshot
        _add(files, File.generated(config, f"sims/kit/{name}", content=data))
        assets["snapshot"] = {"url": name}
        sizes[name] = len(data)
    assets["sizes"] = sizes
    _add(files, File.generated(config, "sims/kit/config.js", content=config_js(assets)))
    if mode == "self":
        p5_path = root / "node_modules" / "p5" / P5_FILE
        _add(files, File.generated(config, "sims/vendor/p5/p5.min.js", abs_src_path=str(p5_path)))
        for name in PYODIDE_FILES:
            source = root / "node_modules" / "pyodide" / name
            if not source.is_file():
                raise PluginError(f"{source} is missing: run `npm ci` to install Pyodide")
            _add(
                files,
                File.generated(config, f"sims/vendor/pyodide/{name}", abs_src_path=str(source)),
            )
    log.info(
        "build_assets: MicroSim assets in %s mode, engine %s", mode, assets["engine"]["version"]
    )
    return files
