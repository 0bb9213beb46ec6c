"""Browser tests: the real app on a free port, driven by Debian's Chromium through Playwright.

Without Chromium the tests skip with a loud message, except under CI (CI=true), where a
missing browser is a failure: CI installs it (.ci/run).

The tests never sleep: they wait for a condition (`wait_frame`, `wait_drawn`, `play_until`,
`open_pane` below, or Playwright's own waits). How fast the page draws is measured
by `make bench` (tests/bench/bench_page.py), not asserted here.
"""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest

from tests.helpers import server

ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"
CHROMIUM_ARGS = [
    "--disable-gpu", "--disable-sync", "--no-sandbox", "--disable-background-networking",
    "--disable-component-update", "--no-first-run",
]

pytestmark = pytest.mark.e2e


def find_chromium() -> str | None:
    """Debian's Chromium, if installed."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture(scope="session")
def chromium_path() -> str:
    path = find_chromium()
    if path is None:
        message = ("\n\n*** BROWSER TESTS NOT RUN: no Chromium found. "
                   "Install it with `apt-get install -y chromium`. ***\n")
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real app (`python -m uvicorn app.main:app`, tests/helpers.py's one launcher) on
    127.0.0.1 and a free port, with a data directory of its own."""
    data = tmp_path_factory.mktemp("e2e-data")
    with server(data, data / "server.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[object]:
    """Chromium, one per test module: Playwright's sync API keeps an event loop running in the
    main thread while it is open, so it must be closed before other modules' async tests."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield b
        b.close()


@dataclass
class PageLog:
    """What a page said and asked for: console errors, uncaught errors, foreign requests."""

    errors: list[str] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)


@pytest.fixture
def log() -> PageLog:
    return PageLog()


@pytest.fixture
def page(browser: object, live_server: str, log: PageLog) -> Iterator[object]:
    """A fresh 1280×800 page that records console errors and any request off 127.0.0.1."""
    context = browser.new_context(viewport={"width": 1280, "height": 800},  # type: ignore[attr-defined]
                                  accept_downloads=True)
    pg = context.new_page()
    pg.on("console", lambda m: log.errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda e: log.errors.append(str(e)))

    def watch(request: object) -> None:
        url = request.url  # type: ignore[attr-defined]
        host = urlparse(url).hostname
        if url.startswith(("http", "ws")) and host != "127.0.0.1":
            log.foreign.append(url)

    pg.on("request", watch)
    pg.on("websocket", lambda ws: watch(ws))
    yield pg
    context.close()


def shot(page: object, name: str) -> Path:
    """Save a screenshot to tests/artifacts/<name>.png."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))  # type: ignore[attr-defined]
    return path


# ---- waiting on the page ------------------------------------------------------------------------
Page = Any

LIVE = ("window.__ll && window.__ll.latest && "
        "document.getElementById('conn-status').dataset.state === 'open'")


def wait_frame(page: Page, condition: str = "true", timeout: float = 20_000) -> None:
    """Wait for the stream to be live with a frame for which `condition` (JS, on f) holds."""
    page.wait_for_function(f"{LIVE} && (f => {condition})(window.__ll.latest)", timeout=timeout)


def wait_drawn(page: Page, condition: str = "true", timeout: float = 20_000) -> None:
    """Wait until the frame on show satisfies `condition` (JS, on f) and has been drawn: its
    canvases, counters, card and views show it (they are all updated in the same draw)."""
    wait_frame(page, f"({condition}) && window.__ll.drawn === f", timeout)


def play_until(page: Page, condition: str, timeout: float = 20_000) -> None:
    """Play until the latest frame satisfies `condition` (JS, on f), pause, and wait until the
    paused frame is drawn."""
    page.click("#btn-play")
    page.wait_for_function(f"(f => f && ({condition}))(window.__ll.latest)", timeout=timeout)
    page.click("#btn-play")
    wait_drawn(page, "f.status !== 'running'", timeout)


def open_pane(page: Page, pane: str) -> None:
    """Click the output column's tab for `pane` (a view is drawn only while it is shown) and
    wait until its panel is in the viewport."""
    from playwright.sync_api import expect

    tab = page.locator(f"#view-tabs [data-pane={pane}]")
    tab.click()
    panel = page.locator("#" + (tab.get_attribute("aria-controls") or ""))
    expect(panel).to_be_in_viewport(timeout=20_000)

