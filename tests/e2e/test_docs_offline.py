"""/docs in a real Chromium with the network cut off at 127.0.0.1: Swagger UI still renders
every operation, with no console error (issue 12 §4)."""

import json
import urllib.request
from typing import Any
from urllib.parse import urlparse

from tests.e2e.conftest import PageLog, shot


def operations(live_server: str) -> list[str]:
    """"METHOD /path" of every operation the schema lists."""
    with urllib.request.urlopen(f"{live_server}/openapi.json") as r:
        spec = json.load(r)
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return [f"{m.upper()} {p}" for p, ops in spec["paths"].items() for m in ops if m in methods]


def test_docs_render_offline(page: Any, live_server: str, log: PageLog) -> None:
    aborted: list[str] = []

    def offline(route: Any) -> None:
        url = route.request.url
        if urlparse(url).hostname == "127.0.0.1":
            route.continue_()
        else:
            aborted.append(url)
            route.abort()

    page.route("**/*", offline)
    page.goto(f"{live_server}/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    expected = operations(live_server)
    assert len(expected) > 20 and "POST /api/sessions" in expected

    rendered = page.eval_on_selector_all(
        ".opblock .opblock-summary",
        "els => els.map(e => e.querySelector('.opblock-summary-method').textContent.trim() + "
        "' ' + e.querySelector('.opblock-summary-path').getAttribute('data-path'))")
    assert sorted(rendered) == sorted(expected)
    assert page.locator(".opblock-summary-path[data-path='/api/sessions']").count() >= 1
    assert page.locator("text=Logistic Lens").first.is_visible()
    # the schema's title and version are shown: Swagger UI read OpenAPI 3.1
    assert page.locator(".info .title").inner_text().startswith("Logistic Lens")
    assert not page.locator(".errors-wrapper").count()  # no "Unable to render this definition"

    shot(page, "docs-offline-top")

    # open one operation: its example body (SessionConfig, with `target`) renders too
    page.click(".opblock-post .opblock-summary-path[data-path='/api/sessions']")
    page.wait_for_selector(".opblock.is-open .opblock-body", timeout=10_000)
    assert '"target"' in page.locator(".opblock.is-open .body-param__example, "
                                      ".opblock.is-open .microlight").first.inner_text()
    shot(page, "docs-offline-session")

    assert log.errors == [], log.errors
    assert aborted == [] and log.foreign == [], (aborted, log.foreign)
