"""hooks/build_assets.py: the engine zip, config.js in self-hosted and CDN mode, SRI hashes."""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from mkdocs.config import load_config
from mkdocs.structure.files import Files

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"

spec = importlib.util.spec_from_file_location("build_assets", ROOT / "hooks" / "build_assets.py")
assert spec and spec.loader
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


def sri_of(path: Path) -> str:
    digest = hashlib.sha384(path.read_bytes()).digest()
    return "sha384-" + base64.b64encode(digest).decode()


@pytest.fixture
def mkdocs_config(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.delenv("MICROSIM_ASSETS", raising=False)
    config = load_config(str(ROOT / "mkdocs.yml"))
    config.plugins._current_plugin = "build_assets"  # what MkDocs sets while it runs a hook
    return config


def generated(files: Files, uri: str) -> bytes:
    file = files.get_file_from_path(uri)
    assert file is not None, f"{uri} is not in the site"
    return file.content_bytes


def exported_assets(files: Files) -> dict[str, Any]:
    text = generated(files, "sims/kit/config.js").decode()
    match = re.search(r"export const ASSETS = (\{.*\});", text, re.S)
    assert match, text
    return json.loads(match.group(1))


def test_engine_zip_is_deterministic_and_holds_the_python_of_engine_runtime_and_sims() -> None:
    first = hook.engine_zip(ROOT)
    assert first == hook.engine_zip(ROOT)
    names = zipfile.ZipFile(io.BytesIO(first)).namelist()
    assert "kvengine/__init__.py" in names
    assert "microsims/bridge.py" in names
    for sim_id in ("hash-table-lookup", "cache-eviction-simulator", "cache-failure-modes"):
        assert f"sims/{sim_id}/controller.py" in names
        assert f"sims/{sim_id}/sim.json" in names
    assert all(name.endswith((".py", "/sim.json")) and "__pycache__" not in name for name in names)
    assert names == sorted(names)
    expected = sorted(
        [
            p.relative_to(ROOT).as_posix()
            for package in ("kvengine", "microsims")
            for p in (ROOT / package).rglob("*.py")
            if "__pycache__" not in p.parts
        ]
        + [
            p.relative_to(ROOT).as_posix()
            for spec in (ROOT / "sims").glob("*/sim.json")
            for p in (spec, spec.parent / "controller.py")
        ]
    )
    assert names == expected
    for info in zipfile.ZipFile(io.BytesIO(first)).infolist():
        assert info.date_time == (1980, 1, 1, 0, 0, 0)


def test_self_hosted_build_vendors_p5_and_pyodide(mkdocs_config: Any) -> None:
    files = hook.on_files(Files([]), mkdocs_config)
    assets = exported_assets(files)
    assert assets["mode"] == "self"
    assert assets["p5"]["url"] == "../vendor/p5/p5.min.js"
    assert assets["pyodide"]["indexURL"] == "../vendor/pyodide/"
    assert not any("http" in json.dumps(value) for value in (assets["p5"], assets["pyodide"]))
    p5_file = files.get_file_from_path("sims/vendor/p5/p5.min.js")
    assert Path(p5_file.abs_src_path).read_bytes() == (NODE / "p5/lib/p5.min.js").read_bytes()
    for name in hook.PYODIDE_FILES:
        assert files.get_file_from_path(f"sims/vendor/pyodide/{name}") is not None
    engine = generated(files, "sims/kit/kvengine.zip")
    assert assets["engine"]["url"].startswith("kvengine.zip?v=")
    assert assets["engine"]["version"] == hashlib.sha256(engine).hexdigest()[:16]


def test_cdn_mode_points_at_pinned_versions_with_matching_sri(
    mkdocs_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MICROSIM_ASSETS", "cdn")
    files = hook.on_files(Files([]), mkdocs_config)
    assets = exported_assets(files)
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    p5_version = lock["node_modules/p5"]["version"]
    pyodide_version = lock["node_modules/pyodide"]["version"]
    assert assets["mode"] == "cdn"
    assert assets["p5"]["url"] == f"https://cdn.jsdelivr.net/npm/p5@{p5_version}/lib/p5.min.js"
    assert assets["p5"]["integrity"] == sri_of(NODE / "p5/lib/p5.min.js")
    assert (
        assets["pyodide"]["indexURL"] == f"https://cdn.jsdelivr.net/npm/pyodide@{pyodide_version}/"
    )
    for name in hook.PYODIDE_FILES:
        assert assets["pyodide"]["integrity"][name] == sri_of(NODE / "pyodide" / name)
    # CDN mode vendors nothing, but the engine is always served by the site itself.
    assert files.get_file_from_path("sims/vendor/p5/p5.min.js") is None
    assert files.get_file_from_path("sims/vendor/pyodide/pyodide.asm.wasm") is None
    assert files.get_file_from_path("sims/kit/kvengine.zip") is not None


def test_extra_setting_selects_cdn_and_env_wins(
    mkdocs_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    mkdocs_config.extra["microsim_assets"] = "cdn"
    assert hook.assets_mode(mkdocs_config) == "cdn"
    monkeypatch.setenv("MICROSIM_ASSETS", "self")
    assert hook.assets_mode(mkdocs_config) == "self"
    monkeypatch.setenv("MICROSIM_ASSETS", "nearby")
    with pytest.raises(Exception, match="microsim_assets"):
        hook.assets_mode(mkdocs_config)


def test_sim_folders_become_pages_and_static_files(mkdocs_config: Any) -> None:
    files = hook.on_files(Files([]), mkdocs_config)
    kit_files = {"microsim.js", "engine-client.js", "engine-worker.js", "draw.js", "microsim.css"}
    for name in kit_files:
        assert files.get_file_from_path(f"sims/kit/{name}") is not None, name
    assert files.get_file_from_path("sims/kit/README.md") is None  # developer notes stay out
    for sim in sorted(p for p in (ROOT / "sims").iterdir() if p.is_dir() and p.name != "kit"):
        if (sim / "index.md").exists():
            page = files.get_file_from_path(f"sims/{sim.name}/index.md")
            assert page is not None and page.is_documentation_page()
            assert page.dest_uri == f"sims/{sim.name}/index.html"
        if (sim / "main.html").exists():
            main = files.get_file_from_path(f"sims/{sim.name}/main.html")
            assert main is not None and not main.is_documentation_page()


def test_sri_helper_matches_the_spec_example() -> None:
    assert hook.sri(b"") == (
        "sha384-OLBgp1GsljhM2TJ+sbHjaiH9txEUvgdDTAzHv2P24donTt6/529l+9Ua0vFImLlb"
    )


def test_sim_json_is_served_and_controllers_only_reach_the_browser_in_the_zip(
    mkdocs_config: Any,
) -> None:
    files = hook.on_files(Files([]), mkdocs_config)
    for spec in sorted((ROOT / "sims").glob("*/sim.json")):
        sim_id = spec.parent.name
        assert files.get_file_from_path(f"sims/{sim_id}/sim.json") is not None  # fetched by sim.js
        assert files.get_file_from_path(f"sims/{sim_id}/sim.js") is not None
        assert files.get_file_from_path(f"sims/{sim_id}/controller.py") is None


class _Page:
    def __init__(self, src_uri: str) -> None:
        self.file = type("F", (), {"src_uri": src_uri})()
        self.meta: dict[str, Any] = {}
        self.title = None


def test_parameter_table_follows_sim_json(mkdocs_config: Any) -> None:
    spec = json.loads((ROOT / "sims/cache-failure-modes/sim.json").read_text())
    page = _Page("sims/cache-failure-modes/index.md")
    text = hook.on_page_markdown(
        "Intro\n\n<!-- sim-parameters -->\n", page, mkdocs_config, Files([])
    )
    assert "<!--" not in text
    servers = spec["params"]["servers"]
    assert f"| `servers` | {servers['min']}\u2013{servers['max']} servers | `10` |" in text
    # a changed range in sim.json changes the page
    spec["params"]["servers"]["max"] = 30
    assert "| `servers` | 2\u201330 servers |" in hook.parameters_table(spec)


def test_parameter_marker_outside_a_sim_page_is_an_error(mkdocs_config: Any) -> None:
    with pytest.raises(Exception, match="sim-parameters"):
        hook.on_page_markdown(
            "<!-- sim-parameters -->", _Page("index.md"), mkdocs_config, Files([])
        )


def test_snapshot_is_listed_with_both_versions_and_can_be_left_out(
    mkdocs_config: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = hook.on_files(Files([]), mkdocs_config)
    assets = exported_assets(files)
    name = assets["snapshot"]["url"]
    assert name == f"kvengine-{assets['pyodide']['version']}-{assets['engine']['version']}.kvsnap"
    assert len(generated(files, f"sims/kit/{name}")) == assets["sizes"][name]
    assert assets["sizes"]["pyodide.asm.wasm"] == (NODE / "pyodide/pyodide.asm.wasm").stat().st_size
    monkeypatch.setenv("MICROSIM_SNAPSHOT", "0")
    files = hook.on_files(Files([]), mkdocs_config)
    assert "snapshot" not in exported_assets(files)
    assert not [f for f in files if f.src_uri.endswith(".kvsnap")]


def test_snapshot_script_gives_the_same_bytes_for_the_same_sources(tmp_path: Path) -> None:
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None or not (NODE / "pyodide" / "pyodide.mjs").exists():
        pytest.skip("node or node_modules/pyodide missing; run `make setup`")
    zip_path = tmp_path / "kvengine.zip"
    zip_path.write_bytes(hook.engine_zip(ROOT))
    outputs = []
    for run in ("a", "b"):
        out = tmp_path / f"{run}.kvsnap"
        command = [node, str(ROOT / hook.SNAPSHOT_SCRIPT), "--engine-zip", str(zip_path)]
        subprocess.run([*command, "--engine-version", "v", "--out", str(out)], check=True)
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]
    assert outputs[0].startswith(b"KVSNAP1\n")
