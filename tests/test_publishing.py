"""Publishable as it is: one rights statement, third-party notices, citation, site metadata.

* the rights statement agrees everywhere: LICENSE (MIT, code), LICENSE-CONTENT.md (CC BY-NC-SA
  4.0, text and sims), the site footer (mkdocs.yml ``copyright``), every ``metadata.json``,
  ``pyproject.toml``, ``package.json`` and the README's Licence section;
* every package the build vendors under ``site/sims/vendor/`` ships its licence text beside it
  and has an entry, at its installed version, in THIRD_PARTY_NOTICES.md;
* CITATION.cff validates against the Citation File Format 1.2.0 schema; CHANGELOG.md keeps an
  Unreleased section;
* the MicroSim series' layout: ``docs/sims/<id>/`` (symlinks to ``sims/<id>``) with index.md,
  main.html (with the series' schema ``<meta>``) and metadata.json; metadata agrees with the sim
  (canvas height, learning objective) and with ``site_url``;
* ``sitemap.xml`` lists every page under ``site_url``, canonical links and ``og:`` tags are right.
"""

from __future__ import annotations

import datetime
import importlib.metadata
import importlib.util
import json
import re
import tomllib
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import jsonschema
import pytest
import yaml
from mkdocs.config import load_config
from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
SIMS = sorted(p.name for p in (ROOT / "sims").iterdir() if (p / "main.html").is_file())
CONTENT_LICENCE = "CC BY-NC-SA 4.0"
CONTENT_SPDX = "CC-BY-NC-SA-4.0"
SERIES_SCHEMA_META = '<meta name="schema" content="https://dmccreary.github.io/intelligent-textbooks/ns/microsim/v1">'

spec = importlib.util.spec_from_file_location("build_assets", ROOT / "hooks" / "build_assets.py")
assert spec and spec.loader
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


def metadata(sim_id: str) -> dict[str, Any]:
    return json.loads((ROOT / "sims" / sim_id / "metadata.json").read_text(encoding="utf-8"))


def default_site_url() -> str:
    config = load_config(str(ROOT / "mkdocs.yml"))  # SITE_URL unset in the test environment
    return str(config.site_url)


# ---------------------------------------------------------------- one rights statement


def test_code_is_mit_everywhere() -> None:
    assert (ROOT / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["license"] == "MIT"
    assert json.loads((ROOT / "package.json").read_text(encoding="utf-8"))["license"] == "MIT"


def test_content_licence_agrees_everywhere(site_dir: Path) -> None:
    content = (ROOT / "LICENSE-CONTENT.md").read_text(encoding="utf-8")
    assert CONTENT_LICENCE in content and "creativecommons.org/licenses/by-nc-sa/4.0/" in content
    footer = str(load_config(str(ROOT / "mkdocs.yml")).copyright)
    assert CONTENT_LICENCE in footer and "MIT" in footer
    built_footer = (site_dir / "index.html").read_text(encoding="utf-8")
    assert re.search(r'class="md-copyright__highlight">[^<]*Text and MicroSims', built_footer)
    assert CONTENT_LICENCE in built_footer
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## Licence\n", 1)
    assert len(section) == 2, "README.md has no '## Licence' section"
    licence_text = section[1].split("\n## ", 1)[0]
    for needle in (CONTENT_LICENCE, "MIT", "LICENSE-CONTENT.md", "THIRD_PARTY_NOTICES.md"):
        assert needle in licence_text, needle
    for sim_id in SIMS:
        data = metadata(sim_id)
        assert data["rights"] == CONTENT_LICENCE, sim_id
        assert data["license"] == CONTENT_SPDX, sim_id
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["license"] == CONTENT_SPDX


# ---------------------------------------------------------------- third-party notices


def npm_version(package: str) -> str:
    manifest = ROOT / "node_modules" / package / "package.json"
    return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])


def test_every_vendored_package_has_its_licence_and_a_notice(site_dir: Path) -> None:
    notices = (ROOT / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    vendor = site_dir / "sims" / "vendor"
    packages = sorted(p.name for p in vendor.iterdir() if p.is_dir())
    assert packages == sorted(hook.VENDORED_PACKAGES)
    for package in packages:
        licences = sorted(p.name for p in (vendor / package).glob("LICENSE*"))
        assert licences, f"site/sims/vendor/{package}/ ships no licence text"
        for name in licences:
            assert len((vendor / package / name).read_text(encoding="utf-8")) > 500, name
        heading = re.search(
            rf"^## .* {re.escape(npm_version(package))} \(`site/sims/vendor/{package}/`\)$",
            notices,
            re.M,
        )
        assert heading, f"THIRD_PARTY_NOTICES.md has no entry for {package}@{npm_version(package)}"
    assert "GNU LESSER GENERAL PUBLIC LICENSE" in (vendor / "p5" / "LICENSE.txt").read_text(
        encoding="utf-8"
    )
    assert "Mozilla Public License" in (vendor / "pyodide" / "LICENSE.txt").read_text("utf-8")
    assert "PYTHON SOFTWARE FOUNDATION LICENSE" in (
        vendor / "pyodide" / "LICENSE-CPython.txt"
    ).read_text(encoding="utf-8")
    python = json.loads((vendor / "pyodide" / "pyodide-lock.json").read_text("utf-8"))["info"]
    assert f"CPython {python['python']}" in notices
    material = site_dir / "assets" / "LICENSE-mkdocs-material.txt"
    assert material.is_file() and "Permission is hereby granted" in material.read_text("utf-8")
    assert f"Material for MkDocs {importlib.metadata.version('mkdocs-material')}" in notices


def test_a_vendored_package_without_a_licence_fails_the_build(tmp_path: Path) -> None:
    (tmp_path / "node_modules" / "newlib").mkdir(parents=True)
    (tmp_path / "node_modules" / "newlib" / "newlib.js").write_text("//", encoding="utf-8")
    with pytest.raises(PluginError, match="no licence text for the vendored package 'newlib'"):
        hook.licence_texts(tmp_path, "newlib")
    (tmp_path / "licenses" / "newlib").mkdir(parents=True)
    (tmp_path / "licenses" / "newlib" / "LICENSE.txt").write_text("text", encoding="utf-8")
    assert set(hook.licence_texts(tmp_path, "newlib")) == {"LICENSE.txt"}


# ---------------------------------------------------------------- citation and changelog


def test_citation_cff_is_valid_cff_1_2_0() -> None:
    schema_path = ROOT / "tests" / "schemas" / "citation-file-format-1.2.0.schema.json"
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    data = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    # YAML reads dates as date objects; the CFF schema expects strings.
    data = json.loads(json.dumps(data, default=lambda v: v.isoformat()))
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(data)]
    assert not errors, errors
    assert data["cff-version"] == "1.2.0"
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert data["version"] == pyproject["project"]["version"]
    assert data["url"] == default_site_url()


def test_changelog_keeps_an_unreleased_section() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert "keepachangelog.com" in text
    headings = re.findall(r"^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?$", text, re.M)
    assert headings and headings[0] == ("Unreleased", "")
    for version, date in headings[1:]:
        datetime.date.fromisoformat(date)
        assert re.fullmatch(r"\d+\.\d+\.\d+", version), version


# ---------------------------------------------------------------- the MicroSim series' layout


def canvas_height(sim_id: str) -> int:
    """The sim's authored height: ``sim.json``'s canvasHeight, else its ``// CANVAS_HEIGHT``."""
    sim_json = ROOT / "sims" / sim_id / "sim.json"
    if sim_json.is_file():
        return int(json.loads(sim_json.read_text(encoding="utf-8"))["canvasHeight"])
    source = (ROOT / "sims" / sim_id / f"{sim_id}.js").read_text(encoding="utf-8")
    match = re.search(r"^\s*//\s*CANVAS_HEIGHT:\s*(\d+)\s*$", source, re.M)
    assert match, f"sims/{sim_id} states its height neither in sim.json nor in // CANVAS_HEIGHT"
    return int(match.group(1))


def page_sentence(markdown: str, label: str) -> str:
    """The text after ``**<label>.**`` up to the end of its paragraph, on one line."""
    match = re.search(rf"\*\*{label}\.\*\*\s+(.+?)(?:\n\s*\n|\Z)", markdown, re.S)
    assert match, f"no '**{label}.**' paragraph"
    return " ".join(match.group(1).split())


@pytest.mark.parametrize("sim_id", SIMS)
def test_series_layout_in_the_repository(sim_id: str) -> None:
    linked = ROOT / "docs" / "sims" / sim_id
    assert linked.is_symlink() and linked.resolve() == (ROOT / "sims" / sim_id).resolve(), (
        f"docs/sims/{sim_id} must be a symlink: ln -s ../../sims/{sim_id} docs/sims/{sim_id}"
    )
    for name in ("index.md", "main.html", "metadata.json"):
        assert (linked / name).is_file(), f"docs/sims/{sim_id}/{name}"
    assert SERIES_SCHEMA_META in (linked / "main.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("sim_id", SIMS)
def test_metadata_agrees_with_the_sim(sim_id: str) -> None:
    data = metadata(sim_id)
    assert data["canvasHeight"] == canvas_height(sim_id)
    assert data["identifier"] == f"{default_site_url()}sims/{sim_id}/"
    page = (ROOT / "sims" / sim_id / "index.md").read_text(encoding="utf-8")
    assert data["learningObjectives"] == [page_sentence(page, "Learning objective")]


@pytest.mark.parametrize("sim_id", SIMS)
def test_series_layout_in_the_built_site(site_dir: Path, sim_id: str) -> None:
    for name in ("index.html", "main.html", "metadata.json"):
        assert (site_dir / "sims" / sim_id / name).is_file(), f"site/sims/{sim_id}/{name}"
    assert SERIES_SCHEMA_META in (site_dir / "sims" / sim_id / "main.html").read_text("utf-8")
    built = json.loads((site_dir / "sims" / sim_id / "metadata.json").read_text("utf-8"))
    assert built == metadata(sim_id)


def test_symlinked_sims_are_collected_once(site_dir: Path) -> None:
    # what the hook leaves out of sims/ (developer notes, caches) stays out through the links too
    assert not list(site_dir.glob("sims/*/__pycache__"))
    assert not (site_dir / "sims" / "kit" / "README" / "index.html").exists()
    sims_in_nav = re.findall(r'href="sims/([a-z0-9-]+)/"', (site_dir / "index.html").read_text())
    assert sorted(set(sims_in_nav)) == SIMS


# ---------------------------------------------------------------- sitemap, canonical, og


def site_pages(site_dir: Path) -> list[str]:
    pages = []
    for html in sorted(site_dir.rglob("index.html")):
        relative = html.parent.relative_to(site_dir).as_posix()
        if relative.startswith(("sims/vendor", "sims/kit", "sims/kit-fixture")):
            continue
        pages.append("" if relative == "." else relative + "/")
    return pages


def test_sitemap_lists_every_page_under_site_url(site_dir: Path) -> None:
    base = default_site_url()
    namespace = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    tree = ElementTree.parse(site_dir / "sitemap.xml")
    listed = sorted(loc.text or "" for loc in tree.findall(".//s:loc", namespace))
    assert listed == sorted(base + page for page in site_pages(site_dir))
    assert len(listed) >= 8


def meta_property(html: str, prop: str) -> str | None:
    match = re.search(rf'<meta property="{re.escape(prop)}" content="([^"]*)"', html)
    return match.group(1) if match else None


def test_every_page_has_canonical_and_open_graph_tags(site_dir: Path) -> None:
    base = default_site_url()
    for page in site_pages(site_dir):
        html = (site_dir / page / "index.html").read_text(encoding="utf-8")
        assert f'<link rel="canonical" href="{base}{page}">' in html, page
        assert meta_property(html, "og:url") == base + page, page
        assert (meta_property(html, "og:title") or "").strip(), page
        assert len(meta_property(html, "og:description") or "") >= 40, page
        image = meta_property(html, "og:image") or ""
        assert image.startswith(base), page
        assert (site_dir / image[len(base) :]).is_file(), f"{page}: {image} is not in the site"
        match = re.fullmatch(r"sims/([a-z0-9-]+)/", page)
        if match and match.group(1) in SIMS:
            sim_id = match.group(1)
            assert image == f"{base}sims/{sim_id}/{sim_id}.png", page
