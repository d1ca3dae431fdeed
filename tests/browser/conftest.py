"""Fixtures of the browser tests: the Debian Chromium at /usr/bin/chromium driven by Playwright (never
`playwright install`), and `serve --sim 4` processes to point it at.

Where Chromium or Playwright is missing the tests are skipped with the reason; CI (.ci/run) installs
Chromium first, so they always run there. With DROIDLEDGER_SCREENSHOTS=1 the tests also save the
README's screenshots under docs/ (never otherwise: `make test` leaves docs/ alone).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.e2e.sim_server import SimServer

CHROMIUM = Path("/usr/bin/chromium")
DOCS = Path(__file__).resolve().parents[2] / "docs"


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module (the sync API runs an event loop in this thread until it stops:
    left running for the session, every later asyncio test would fail)."""
    if not CHROMIUM.exists():
        pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium); .ci/run installs it")
    sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    """A fresh page at 1280×800 whose script errors fail the test."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.set_default_timeout(30_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert not errors, f"script errors in the board: {errors}"


@pytest.fixture
def start_server(tmp_path) -> Iterator[Callable[..., SimServer]]:
    """`start_server(*flags, sim=4, port=None, data_dir=None)`: a ready `serve --sim` process; stopped at the end."""
    servers: list[SimServer] = []

    def start(
        *flags: str, sim: int = 4, time_scale: float = 0.01, port: int | None = None, data_dir: Path | None = None
    ) -> SimServer:
        server = SimServer(data_dir or tmp_path / "data", *flags, sim=sim, time_scale=time_scale, port=port)
        servers.append(server)
        return server.wait_ready()

    yield start
    for server in servers:
        if server.process.poll() is None:
            server.stop()


@pytest.fixture
def save_screenshot() -> Callable:
    """save_screenshot(page, "board-phones.png"): written under docs/ only with DROIDLEDGER_SCREENSHOTS=1."""
    wanted = os.environ.get("DROIDLEDGER_SCREENSHOTS") == "1"

    def save(page, name: str) -> None:
        if wanted:
            page.screenshot(path=str(DOCS / name))

    return save
