"""Shared pytest fixtures (ARCHITECTURE seam 5): the built site, its servers, Chromium, open_sim.

The site is built once per test session with ``mkdocs build --strict`` into a
temporary folder and served by a small threaded HTTP server on a free 127.0.0.1 port; a second
server on another port is "another origin" for the embed tests. The test-only sim in
``tests/browser/fixtures/kit-fixture`` is copied into the built site at ``sims/kit-fixture/`` (it
is never part of the real site).

Browser pages that open sims share one browser context whose keep-alive page holds the engine's
SharedWorker open, so Pyodide starts once per session instead of once per test; every sim still
gets its own controller. Tests that need a fresh interpreter use pytest-playwright's ``page``.

Environment: ``CHROMIUM`` (else /usr/bin/chromium, else Playwright's own), ``KIT_BUILD_STRICT=0``
to build without --strict while the site's content is incomplete (development only).

Usage::

    def test_hash(open_sim):
        page = open_sim("hash-table-lookup", "key=user:42")
        assert sim_state(page)["tableSize"] == 8
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import os
import re
import shutil
import socket
import socketserver
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # so tests can `from tests.browser.helpers import ...`
    sys.path.insert(0, str(ROOT))
FIXTURE_SIMS = ROOT / "tests" / "browser" / "fixtures"
READY_TIMEOUT_MS = 120_000
HANG_LIMIT_S = 120
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-default-apps",
    "--disable-extensions",
    # Chromium's own calls home (autofill, hints, translation): the tests record every host the
    # browser contacts (ForeignRecorder), so the browser itself must contact none.
    "--disable-features=AutofillServerCommunication,OptimizationHints,Translate,MediaRouter",
    "--disable-client-side-phishing-detection",
    "--no-pings",
]


# ---- the built site and its servers -------------------------------------------------------------


def build_site(target: Path, *, env: dict[str, str] | None = None) -> Path:
    """Build the site into ``target`` (strict unless KIT_BUILD_STRICT=0); returns ``target``.

    No ``-q``: MkDocs 1.6 drops the warnings that strict mode counts when it is quiet.
    """
    strict = os.environ.get("KIT_BUILD_STRICT", "1") != "0"
    command = [sys.executable, "-m", "mkdocs", "build", "--clean", "-d", str(target)]
    command.append("--strict" if strict else "--no-strict")
    result = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
    if result.returncode != 0:
        pytest.fail(f"mkdocs build failed:\n{result.stdout}\n{result.stderr}", pytrace=False)
    mode = (env or {}).get("MICROSIM_ASSETS") or os.environ.get("MICROSIM_ASSETS") or "self"
    for fixture in FIXTURE_SIMS.iterdir():
        if fixture.is_dir():
            folder = target / "sims" / fixture.name
            shutil.copytree(fixture, folder, dirs_exist_ok=True)
            page = folder / "main.html"  # the site's security policy, as the hook gives sim pages
            page.write_text(build_hook().with_policy(page.read_text("utf-8"), mode), "utf-8")
    return target


@functools.cache
def build_hook() -> Any:
    """hooks/build_assets.py as a module (it is loaded by MkDocs, not imported as a package)."""
    spec = importlib.util.spec_from_file_location("build_assets", ROOT / "hooks/build_assets.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class _Handler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".wasm": "application/wasm",
        ".json": "application/json",
        ".zip": "application/zip",
    }

    def __init__(self, *args: Any, server_state: SiteServer, **kwargs: Any) -> None:
        self.state = server_state
        super().__init__(*args, **kwargs)

    def send_head(self):  # type: ignore[no-untyped-def]
        path = urlsplit(self.path).path
        self.state.hits.append(path)
        if any(path.endswith(suffix) for suffix in self.state.fail_paths):
            self.send_error(404, "made unavailable by a test")
            return None
        for suffix, how in list(self.state.fail_with.items()):
            if not path.endswith(suffix) or how == "held-first":
                continue  # ("held-first": the first request is held; later ones are served)
            if how == "hold-first":
                self.state.fail_with[suffix] = how = "held-first"
                deadline = time.monotonic() + HANG_LIMIT_S
                while self.state.fail_with.get(suffix) == how and time.monotonic() < deadline:
                    time.sleep(0.05)
                self.close_connection = True
                return None
            if how == "hang":  # nothing at all until the test lets go, then a dropped connection
                deadline = time.monotonic() + HANG_LIMIT_S
                while self.state.fail_with.get(suffix) == "hang" and time.monotonic() < deadline:
                    time.sleep(0.05)
                self.close_connection = True
                return None
            self.send_error(int(how), "made unavailable by a test")
            return None
        return super().send_head()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        path = urlsplit(self.path).path
        for suffix, headers in self.state.extra_headers.items():
            if path.endswith(suffix):
                for name, value in headers.items():
                    self.send_header(name, value)
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class SiteServer:
    """A static server on a free 127.0.0.1 port that tests can make fail, file by file.

    * ``fail_paths``: path suffixes that answer 404;
    * ``fail_with``: path suffix -> an HTTP status (``503``) or ``"hang"``: nothing is sent until
      the suffix leaves the dict (or HANG_LIMIT_S pass), then the connection is dropped;
      ``"hold-first"``: the same for the first request only, later ones are served;
    * ``extra_headers``: path suffix -> headers added to its answers (a Content-Security-Policy);
    * ``hits``: every path asked for, in order (this sees workers' requests too).

    >>> server = SiteServer(Path("site")); server.url  # doctest: +SKIP
    'http://127.0.0.1:40123/'
    """

    def __init__(self, directory: Path) -> None:
        self.fail_paths: set[str] = set()
        self.fail_with: dict[str, int | str] = {}
        self.extra_headers: dict[str, dict[str, str]] = {}
        self.hits: list[str] = []
        handler = functools.partial(_Handler, directory=str(directory), server_state=self)
        self._server = _Server(("127.0.0.1", 0), handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self.fail_with.clear()  # lets hanging answers go
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture(scope="session")
def site_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site built once for the session by ``mkdocs build --strict``."""
    return build_site(tmp_path_factory.mktemp("site") / "site")


@pytest.fixture(scope="session")
def site_server(site_dir: Path) -> Iterator[SiteServer]:
    server = SiteServer(site_dir)
    yield server
    server.close()


@pytest.fixture(scope="session")
def site_url(site_server: SiteServer) -> str:
    """``http://127.0.0.1:<port>/`` serving ``site_dir``."""
    return site_server.url


@pytest.fixture(scope="session")
def other_origin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiteServer]:
    """A second server on another port (another origin), serving an empty folder."""
    folder = tmp_path_factory.mktemp("other-origin")
    server = SiteServer(folder)
    server.folder = folder  # type: ignore[attr-defined]
    yield server
    server.close()


@pytest.fixture(scope="session")
def other_origin_url(other_origin: SiteServer) -> str:
    """URL of the second origin; write pages into ``other_origin_dir`` to serve them there."""
    return other_origin.url


@pytest.fixture(scope="session")
def other_origin_dir(other_origin: SiteServer) -> Path:
    """The folder that ``other_origin_url`` serves."""
    return other_origin.folder  # type: ignore[attr-defined,no-any-return]


# ---- requests to other origins, workers' included ------------------------------------------------


def _tls_server_name(data: bytes) -> str | None:
    """The host name (SNI) of a TLS ClientHello, or None."""
    try:
        at = 5 + 4 + 2 + 32  # record header, handshake header, version, random
        at += 1 + data[at]  # session id
        at += 2 + int.from_bytes(data[at : at + 2], "big")  # cipher suites
        at += 1 + data[at]  # compression methods
        end = at + 2 + int.from_bytes(data[at : at + 2], "big")
        at += 2
        while at + 4 <= end:
            kind = int.from_bytes(data[at : at + 2], "big")
            size = int.from_bytes(data[at + 2 : at + 4], "big")
            if kind == 0:  # server_name: list length, name type, name length, name
                length = int.from_bytes(data[at + 7 : at + 9], "big")
                return data[at + 9 : at + 9 + length].decode("ascii", "replace")
            at += 4 + size
    except IndexError:
        return None
    return None


class ForeignRecorder:
    """Where the browser's requests to other hosts end up: every host name resolves here.

    Chromium is started with ``--host-resolver-rules`` mapping every host name to this listener
    (the tests' own servers are addressed by IP, which no rule touches), so any request to
    another origin -- from a page, a dedicated worker or the shared engine worker, which
    Playwright's page events do not see -- arrives here as a connection and is recorded with its
    host (the HTTP Host header, or the TLS server name). Nothing is ever answered.
    """

    # Hosts Chromium itself calls on a fresh profile whatever the flags (sign-in, autofill,
    # updates); no page of the site names them. Any other host is recorded.
    BROWSER_OWN = frozenset(
        {
            "accounts.google.com",
            "clients2.google.com",
            "content-autofill.googleapis.com",
            "optimizationguide-pa.googleapis.com",
            "safebrowsingohttpgateway.googleapis.com",
            "update.googleapis.com",
        }
    )

    def __init__(self) -> None:
        self.hits: list[str] = []
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self._socket.accept()
            except OSError:
                return
            threading.Thread(target=self._record, args=(connection,), daemon=True).start()

    def _record(self, connection: socket.socket) -> None:
        with connection:
            connection.settimeout(5)
            try:
                data = connection.recv(4096)
            except OSError:
                data = b""
            host = None
            if data.startswith(b"\x16\x03"):
                host = _tls_server_name(data)
            elif data:
                match = re.search(rb"^Host:\s*(\S+)", data, re.M | re.I)
                host = match.group(1).decode("ascii", "replace") if match else None
            if host not in self.BROWSER_OWN:
                self.hits.append(host or "a host this listener could not name")

    def close(self) -> None:
        self._socket.close()


@pytest.fixture(scope="session")
def foreign_recorder() -> Iterator[ForeignRecorder]:
    recorder = ForeignRecorder()
    yield recorder
    recorder.close()


# ---- Chromium ---------------------------------------------------------------------------------


def chromium_path() -> str | None:
    """$CHROMIUM, else /usr/bin/chromium, else None (Playwright's own browser)."""
    env = os.environ.get("CHROMIUM")
    if env:
        return env
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="session")
def browser_type_launch_args(
    browser_type_launch_args: dict[str, Any], foreign_recorder: ForeignRecorder
) -> dict[str, Any]:
    resolver = (
        f"--host-resolver-rules=MAP * 127.0.0.1:{foreign_recorder.port}, "
        "EXCLUDE 127.0.0.1, EXCLUDE localhost"
    )
    args = {**browser_type_launch_args, "args": [*CHROMIUM_ARGS, resolver]}
    path = chromium_path()
    if path:
        args["executable_path"] = path
    return args


# Playwright's wait_for_function evaluates its predicate with eval(), which the sim pages'
# Content Security Policy forbids (no 'unsafe-eval'); test contexts therefore bypass the policy,
# and the policy itself is tested in contexts that enforce it (tests/browser/test_hardening.py).
BYPASS_CSP = {"bypass_csp": True}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict[str, Any]) -> dict[str, Any]:
    return {**browser_context_args, **BYPASS_CSP}


# ---- pages that record problems ---------------------------------------------------------------


class PageWatch:
    """Records console errors, page errors and requests to other origins of one page; with a
    ForeignRecorder, also any other host the browser reached meanwhile (workers included)."""

    def __init__(
        self, page: Any, allowed_origins: set[str], recorder: ForeignRecorder | None = None
    ) -> None:
        self.page = page
        self.allowed = allowed_origins
        self.recorder = recorder
        self.recorded_from = len(recorder.hits) if recorder else 0
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.foreign_requests: list[str] = []
        self.failed_responses: list[str] = []
        page.on("console", self._console)
        page.on("response", self._response)
        page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        page.on("request", self._request)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.console_errors.append(message.text)

    def _response(self, response: Any) -> None:
        if response.status >= 400:
            self.failed_responses.append(f"HTTP {response.status} {response.url}")

    def _request(self, request: Any) -> None:
        parts = urlsplit(request.url)
        if parts.scheme in ("data", "blob", "about"):
            return
        if f"{parts.scheme}://{parts.netloc}" not in self.allowed:
            self.foreign_requests.append(request.url)

    def problems(self) -> list[str]:
        found = []
        if not getattr(self.page, "allow_console_errors", False):
            found += [f"console error: {text}" for text in self.console_errors]
            found += [f"page error: {text}" for text in self.page_errors]
            found += [f"failed response: {text}" for text in self.failed_responses]
        found += [f"request to another origin: {url}" for url in self.foreign_requests]
        if self.recorder is not None:
            hosts = self.recorder.hits[self.recorded_from :]
            found += [f"connection to another host (page or worker): {host}" for host in hosts]
        return found


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def wait_sim_settled(page: Any, timeout: float = READY_TIMEOUT_MS) -> str:
    """Wait until data-sim-state leaves "loading"; returns "ready" or "error"."""
    page.wait_for_function(
        "() => ['ready', 'error'].includes(document.documentElement.dataset.simState)",
        timeout=timeout,
    )
    return page.evaluate("document.documentElement.dataset.simState")


@pytest.fixture(scope="session")
def sim_context(browser: Any, site_url: str) -> Iterator[Any]:
    """One browser context for sim pages, kept warm by a page that holds the engine worker."""
    context = browser.new_context(viewport={"width": 1000, "height": 800}, **BYPASS_CSP)
    keeper = context.new_page()
    keeper.goto(f"{site_url}sims/kit-fixture/main.html")
    wait_sim_settled(keeper)
    yield context
    context.close()


@pytest.fixture
def watch_page(
    foreign_recorder: ForeignRecorder,
) -> Iterator[Callable[[Any, set[str]], PageWatch]]:
    """Attach a PageWatch to any page; fails the test at teardown if it saw problems."""
    watches: list[PageWatch] = []

    def attach(page: Any, allowed_origins: set[str]) -> PageWatch:
        watch = PageWatch(page, allowed_origins, foreign_recorder)
        watches.append(watch)
        return watch

    yield attach
    problems = [problem for watch in watches for problem in watch.problems()]
    if problems:
        pytest.fail("the page reported problems:\n" + "\n".join(problems), pytrace=False)


@pytest.fixture
def open_sim(
    sim_context: Any, site_url: str, watch_page: Callable[[Any, set[str]], PageWatch]
) -> Iterator[Callable[..., Any]]:
    """``open_sim(sim_id, query="", *, wait_ready=True) -> Page`` at ``sims/<id>/main.html?query``.

    Waits for ``window.microsim.ready``; at teardown fails the test if the page logged console
    errors or page errors (opt out: ``page.allow_console_errors = True``) or requested another
    origin.
    """
    pages: list[Any] = []

    def open_(sim_id: str, query: str = "", *, wait_ready: bool = True) -> Any:
        page = sim_context.new_page()
        pages.append(page)
        watch_page(page, {origin_of(site_url)})
        url = f"{site_url}sims/{sim_id}/main.html" + (f"?{query.lstrip('?')}" if query else "")
        page.goto(url)
        if wait_ready:
            state = wait_sim_settled(page)
            if state != "ready":
                reason = page.locator(".ms-overlay").inner_text()
                pytest.fail(f"{sim_id} did not become ready: {reason}", pytrace=False)
            page.evaluate("window.microsim.ready.then(() => true)")
        return page

    yield open_
    for page in pages:
        page.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the browser tests: those in tests/browser/ and each sim's ``test_*_browser.py``."""
    for item in items:
        path = item.path.as_posix()
        if "/tests/browser/" in path or item.path.name.endswith("_browser.py"):
            item.add_marker(pytest.mark.browser)
