"""MkDocs hook: put the MicroSims, their runtime, the engine and p5/Pyodide into the built site.

What it adds to MkDocs' file collection (so ``mkdocs build`` and ``mkdocs serve`` behave alike):

* every ``sims/<id>/index.md`` of the repository as the page ``sims/<id>/index.md`` (a page of
  the same path under ``docs/`` wins), and every other file under ``sims/`` as a static file
  (developer notes -- other ``.md`` files --, Python sources, dotfiles and caches are left out);
  the parameter table of a sim's page is generated from its ``sim.json`` (``on_page_markdown``
  replaces the line ``<!-- sim-parameters -->``);
* ``sims/kit/kvengine.zip``: everything the browser's Python needs, ``.py`` and ``sim.json``
  files only, under the same paths as in the repository: the ``kvengine`` engine, the
  ``microsims`` runtime (registry, parameter checker, bridge) and each sim's
  ``sims/<id>/controller.py`` and ``sims/<id>/sim.json``. The zip is *deterministic* (sorted
  names, fixed timestamps and modes), so the same sources give the same bytes;
  the ``docs/sims/<id>`` symlinks to ``sims/<id>`` (the MicroSim series' layout) are not collected a
  second time; a ``metadata.json`` gets the ``identifier`` of the configured ``site_url``, and a
  sim page the ``image`` (its screenshot) that ``overrides/main.html`` puts in ``og:image``;
* ``sims/vendor/p5/p5.min.js`` and ``sims/vendor/pyodide/*`` from ``node_modules`` (self-hosted
  mode, the default: the site then requests nothing from other origins);
* ``sims/vendor/<package>/LICENSE*`` beside the vendored files: the package's licence text from
  ``node_modules/<package>/LICENSE*`` (or ``license*``), and any text in ``licenses/<package>/``
  of this repository (Pyodide's npm package has none; CPython's licence goes beside it); a
  vendored package without a licence text fails the build. Material's licence goes to
  ``assets/LICENSE-mkdocs-material.txt``. THIRD_PARTY_NOTICES.md lists them all;
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
import importlib.metadata
import io
import json
import logging
import os
import re
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
PYTHON_PACKAGES = ("kvengine", "microsims")
SIM_SPEC = "sim.json"
SIM_CONTROLLER = "controller.py"
PARAMETERS_MARKER = "<!-- sim-parameters -->"


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


def python_sources(root: Path) -> list[Path]:
    """The files the worker's Python imports: ``kvengine/``, ``microsims/`` and each sim's
    ``controller.py`` and ``sim.json`` (a folder of ``sims/`` is a sim when it has a sim.json)."""
    paths = [
        path
        for package in PYTHON_PACKAGES
        for path in (root / package).rglob("*.py")
        if "__pycache__" not in path.parts and not path.name.startswith(".")
    ]
    for spec in (root / "sims").glob(f"*/{SIM_SPEC}"):
        paths.append(spec)
        if (spec.parent / SIM_CONTROLLER).is_file():
            paths.append(spec.parent / SIM_CONTROLLER)
    return sorted(paths, key=lambda path: path.relative_to(root).as_posix())


def engine_zip(root: Path) -> bytes:
    """:func:`python_sources` as a deterministic zip; names are relative to ``root``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in python_sources(root):
            arcname = path.relative_to(root).as_posix()
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
    if relative.suffix == ".py":
        return False  # Python reaches the browser in kvengine.zip
    if relative.name.endswith(".d.ts"):
        return False  # types for the kit's type check (tsc), not for the browser
    generated = parts[:2] in (("kit", "config.js"), ("kit", "kvengine.zip"))
    return not (generated or relative.suffix == ".kvsnap")


def _add(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)


# ------------------------------------------------------------------ third-party licences

VENDORED_PACKAGES = ("p5", "pyodide")  # npm packages copied under sims/vendor/<package>/


def licence_texts(root: Path, package: str) -> dict[str, Path]:
    """The licence files to ship beside ``sims/vendor/<package>/``: site name -> source file.

    The npm package's own ``LICENSE*``/``license*`` file becomes ``LICENSE.txt``; files in the
    repository's ``licenses/<package>/`` keep their names (and win on a clash).
    """
    texts: dict[str, Path] = {}
    npm_dir = root / "node_modules" / package
    candidates = sorted(
        path
        for path in npm_dir.glob("*")
        if path.is_file() and path.name.lower().startswith(("license", "licence"))
    )
    if candidates:
        texts["LICENSE.txt"] = candidates[0]
    extra_dir = root / "licenses" / package
    if extra_dir.is_dir():
        for path in sorted(extra_dir.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                texts[path.name] = path
    if not texts:
        raise PluginError(
            f"no licence text for the vendored package {package!r}: add one to "
            f"licenses/{package}/ and an entry to THIRD_PARTY_NOTICES.md"
        )
    return texts


def material_licence() -> Path | None:
    """The installed mkdocs-material's LICENSE file, if the distribution lists one."""
    try:
        dist = importlib.metadata.distribution("mkdocs-material")
    except importlib.metadata.PackageNotFoundError:
        return None
    for entry in dist.files or ():
        if entry.name == "LICENSE" and "dist-info" in str(entry):
            return Path(str(dist.locate_file(entry)))
    return None


def add_licences(files: Files, config: Any, root: Path, mode: str) -> None:
    """Ship the licence texts of what the site vendors (see THIRD_PARTY_NOTICES.md)."""
    if mode == "self":
        for package in VENDORED_PACKAGES:
            for name, source in licence_texts(root, package).items():
                uri = f"sims/vendor/{package}/{name}"
                _add(files, File.generated(config, uri, abs_src_path=str(source)))
    theme_licence = material_licence()
    if theme_licence is not None and theme_licence.is_file():
        uri = "assets/LICENSE-mkdocs-material.txt"
        _add(files, File.generated(config, uri, abs_src_path=str(theme_licence)))


# ------------------------------------------------------------------ series layout, metadata, og

SIM_PAGE = re.compile(r"^sims/([a-z0-9-]+)/index\.md$")


def drop_linked_sims(files: Files, config: Any, root: Path) -> None:
    """Forget what MkDocs found through the ``docs/sims/<id>`` symlinks to ``sims/<id>``.

    The links exist for the MicroSim series' tools, which look for ``docs/sims/<id>/``; the hook
    adds ``sims/`` itself (with its filter), so nothing is collected twice.
    """
    sims_dir = (root / "sims").resolve()
    docs_dir = Path(config.docs_dir).resolve()
    for file in list(files):
        if file.generated_by or not file.abs_src_path or not file.src_uri.startswith("sims/"):
            continue
        source = Path(file.abs_src_path)
        if source.resolve().is_relative_to(sims_dir) and source.absolute().is_relative_to(docs_dir):
            files.remove(file)


def site_metadata(path: Path, sim_id: str, site_url: str | None) -> str | None:
    """The built ``metadata.json`` when ``site_url`` moves the sim's identifier, else None.

    ``identifier`` is the sim page's URL; the repository's copy holds the default site's, and a
    fork built with its own SITE_URL publishes its own.
    """
    if not site_url:
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    identifier = site_url.rstrip("/") + f"/sims/{sim_id}/"
    if data.get("identifier") == identifier:
        return None
    data["identifier"] = identifier
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def sim_page_meta(page: Any, config: Any, files: Files) -> None:
    """A sim page's og:image is its screenshot; its description, if it has none, its metadata's."""
    match = SIM_PAGE.match(page.file.src_uri)
    if match:
        sim_id = match.group(1)
        screenshot = f"sims/{sim_id}/{sim_id}.png"
        if files.get_file_from_path(screenshot) is not None:
            page.meta.setdefault("image", screenshot)
            page.meta.setdefault("image_alt", f"Screenshot of the {page.title or sim_id} MicroSim")
        if not page.meta.get("description"):
            metadata = project_root(config) / "sims" / sim_id / "metadata.json"
            if metadata.is_file():
                text = json.loads(metadata.read_text(encoding="utf-8")).get("description", "")
                page.meta["description"] = text.split(". ")[0].rstrip(".") + "."


def on_files(files: Files, config: Any) -> Files:
    root = project_root(config)
    sims_dir = root / "sims"
    site_dir = config.site_dir
    use_urls = config.use_directory_urls
    drop_linked_sims(files, config, root)
    if sims_dir.is_dir():
        for path in sorted(p for p in sims_dir.rglob("*") if p.is_file()):
            relative = path.relative_to(sims_dir)
            if not _is_site_file(relative):
                continue
            src_uri = f"sims/{relative.as_posix()}"
            if relative.suffix == ".md" and files.get_file_from_path(src_uri) is not None:
                log.info("build_assets: docs/%s wins over %s", src_uri, path)
                continue
            if relative.name == "metadata.json" and len(relative.parts) == 2:
                moved = site_metadata(path, relative.parts[0], config.site_url)
                if moved is not None:
                    _add(files, File.generated(config, src_uri, content=moved))
                    continue
            _add(files, File(src_uri, str(root), site_dir, use_urls))

    mode = assets_mode(config)
    engine = engine_zip(root)
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
    add_licences(files, config, root, mode)
    log.info(
        "build_assets: MicroSim assets in %s mode, engine %s", mode, assets["engine"]["version"]
    )
    return files


# ---- a sim's parameter table, generated from its sim.json ---------------------------------------


def param_values(param: dict[str, Any]) -> str:
    """What a parameter accepts, in words: ``4–16 buckets``, ```lru`, `lfu``` or ``text``.

    >>> param_values({"type": "int", "min": 2, "max": 6, "unit": "shards"})
    '2–6 shards'
    """
    kind = param["type"]
    unit = f" {param['unit']}" if param.get("unit") else ""
    if kind in ("int", "number"):
        return f"{param['min']:g}\u2013{param['max']:g}{unit}"
    if kind == "enum":
        return ", ".join(f"`{option['value']}`" for option in param["options"])
    if kind == "bool":
        return "`true`, `false`"
    limit = param.get("maxLength")
    return f"text, up to {limit:,} characters" if limit else "text"


def parameters_table(spec: dict[str, Any]) -> str:
    """The Markdown table of a sim's URL parameters (name, values, default, what it sets)."""
    lines = ["| parameter | values | default | what it sets |", "|---|---|---|---|"]
    for name, param in spec["params"].items():
        default = param["default"]
        shown = f"`{default}`" if default != "" else "empty"
        lines.append(f"| `{name}` | {param_values(param)} | {shown} | {param['help']} |")
    return "\n".join(lines)


def on_page_markdown(markdown: str, page: Any, config: Any, files: Files) -> str:
    """A sim page: its og:image and description (:func:`sim_page_meta`), and the line
    ``<!-- sim-parameters -->`` replaced by the table from its sim.json."""
    sim_page_meta(page, config, files)
    if PARAMETERS_MARKER not in markdown:
        return markdown
    parts = page.file.src_uri.split("/")
    spec_path = project_root(config) / "sims" / parts[1] / SIM_SPEC if len(parts) == 3 else None
    if parts[0] != "sims" or spec_path is None or not spec_path.is_file():
        raise PluginError(f"{page.file.src_uri}: {PARAMETERS_MARKER} outside a sim's page")
    spec = json.loads(spec_path.read_text(encoding="utf-8"))
    return markdown.replace(PARAMETERS_MARKER, parameters_table(spec))
