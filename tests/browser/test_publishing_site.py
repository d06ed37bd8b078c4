"""The published site in Chromium: tables keep names whole on phones; the 404 page under a sub-path.

* At phone widths (320, 360 and 390 px) no word of a table's header row or first column (the
  parameter names of the sims' parameter tables, the policies, the mitigations) is split across
  two lines, and no page scrolls sideways.
* Built with ``SITE_URL`` at a sub-path (as GitHub Pages serves a project site) and served there
  by a server that answers a missing page with ``404.html`` (as GitHub Pages does), a missing
  page deep under the sub-path shows the 404 page with Material's CSS and JS loaded and links
  that resolve; the build's sitemap and each sim's metadata ``identifier`` use the sub-path.
"""

from __future__ import annotations

import functools
import http.server
import json
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.test_site import site_pages
from tests.conftest import BYPASS_CSP, build_site

SUB = "/sub/"
PHONE_WIDTHS = (320, 360, 390)

# Words (split at spaces, hyphens, slashes, commas and full stops) of the header cells and of the
# first column of every content table whose glyphs sit on more than one line.
BROKEN_NAMES_JS = """() => {
  const broken = [];
  for (const table of document.querySelectorAll('.md-typeset table')) {
    for (const cell of table.querySelectorAll('th, td:first-child')) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        for (const match of node.data.matchAll(/[^\\s\\-\\/,.]+/g)) {
          const range = document.createRange();
          range.setStart(node, match.index);
          range.setEnd(node, match.index + match[0].length);
          const lines = new Set([...range.getClientRects()]
            .filter((rect) => rect.width > 0).map((rect) => Math.round(rect.top)));
          if (lines.size > 1) broken.push(match[0]);
        }
      }
    }
  }
  return broken;
}"""


def pages_with_tables(site_dir: Path) -> list[str]:
    return [
        path
        for path in site_pages()
        if "<table>" in (site_dir / path / "index.html").read_text(encoding="utf-8")
    ]


def test_tables_keep_names_whole_at_phone_width(browser: Any, site_dir: Path, site_url: str):
    paths = pages_with_tables(site_dir)
    assert any(p.startswith("sims/") for p in paths), "no sim page with a parameter table"
    for width in PHONE_WIDTHS:
        context = browser.new_context(viewport={"width": width, "height": 800}, **BYPASS_CSP)
        page = context.new_page()
        page.route("**/main.html*", lambda route: route.abort())  # the sims are not under test
        try:
            for path in paths:
                page.goto(f"{site_url}{path}")
                page.wait_for_load_state("load")
                broken = page.evaluate(BROKEN_NAMES_JS)
                assert broken == [], f"{path} at {width} px breaks {broken} mid-word"
                overflow = page.evaluate(
                    "document.documentElement.scrollWidth - document.documentElement.clientWidth"
                )
                assert overflow <= 0, f"{path} scrolls sideways by {overflow} px at {width} px"
        finally:
            context.close()


# ---------------------------------------------------------------- 404 under a sub-path


class _SubPathHandler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` at ``/sub/`` and answers anything missing with 404.html (404)."""

    def translate_path(self, path: str) -> str:
        route = urlsplit(path).path
        if not route.startswith(SUB):
            return str(Path(self.directory) / "__outside__")
        return super().translate_path("/" + route[len(SUB) :])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None):
        page = Path(self.directory) / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def sub_path_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    folder = tmp_path_factory.mktemp("sub-path-site") / "site"
    folder.mkdir()
    handler = functools.partial(_SubPathHandler, directory=str(folder))
    server = _Server(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}{SUB}"
    build_site(folder, env={"SITE_URL": base})
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, folder
    server.shutdown()
    server.server_close()


def test_404_page_works_under_a_sub_path(browser: Any, sub_path_site: tuple[str, Path]):
    base, _ = sub_path_site
    context = browser.new_context(**BYPASS_CSP)
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(f"{request.url} failed"))
    page.on(
        "response",
        lambda response: (
            failed.append(f"{response.url} {response.status}")
            if response.status >= 400 and response.request.resource_type != "document"
            else None
        ),
    )
    try:
        response = page.goto(f"{base}no/such/chapter/page/")
        assert response is not None and response.status == 404
        page.wait_for_load_state("load")
        assert "404" in page.locator("article").inner_text()
        # Material's stylesheet and JavaScript are loaded and applied
        assert page.evaluate(
            "[...document.querySelectorAll('link[rel=stylesheet]')]"
            ".every((link) => link.sheet && link.sheet.cssRules.length > 0)"
        )
        assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).position") == (
            "sticky"
        )
        assert page.evaluate("typeof window.document$ === 'object'"), "Material's JS did not run"
        assert failed == [], failed
        # every link of the page leads to a page that exists
        hrefs = page.evaluate(
            "[...document.querySelectorAll('a[href]')].map((a) => a.href)"
            ".filter((href) => href.startsWith(location.origin))"
        )
        assert hrefs, "the 404 page has no links"
        for href in sorted({href.split("#")[0] for href in hrefs}):
            assert href.startswith(base), f"{href} leaves the site's sub-path"
            assert context.request.get(href).status == 200, href
    finally:
        context.close()


def test_sub_path_build_publishes_its_own_addresses(sub_path_site: tuple[str, Path]) -> None:
    base, folder = sub_path_site
    sitemap = (folder / "sitemap.xml").read_text(encoding="utf-8")
    assert f"<loc>{base}</loc>" in sitemap and "databases-hands-on.github.io" not in sitemap
    for metadata in sorted(folder.glob("sims/*/metadata.json")):
        sim_id = metadata.parent.name
        if sim_id == "kit-fixture":
            continue
        identifier = json.loads(metadata.read_text(encoding="utf-8"))["identifier"]
        assert identifier == f"{base}sims/{sim_id}/"
    html = (folder / "sims" / "hash-table-lookup" / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{base}sims/hash-table-lookup/">' in html
    assert f'content="{base}sims/hash-table-lookup/hash-table-lookup.png"' in html
