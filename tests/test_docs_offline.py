"""/docs works offline: Swagger UI 5 from /static, nothing from a CDN (issue 12 §4)."""

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient

from app.config import ROOT
from app.routes.docs import SWAGGER_UI_VERSION

VENDOR = ROOT / "static" / "vendor" / "swagger-ui"


class Links(HTMLParser):
    """Every URL the page's elements load (src, href)."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in ("src", "href") and v]


def urls_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.urls


def test_docs_reference_only_local_assets(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    urls = urls_of(r.text)
    assert len(urls) == 3  # the bundle, its stylesheet, the favicon
    assert all(u.startswith("/static/vendor/swagger-ui/") for u in urls), urls
    assert not re.search(r"https?://", r.text), "the page names no other host"
    assert "url: '/openapi.json'" in r.text
    assert '"validatorUrl": null' in r.text  # no badge fetched from validator.swagger.io


def test_the_assets_are_served(client: TestClient) -> None:
    html = client.get("/docs").text
    kinds = {}
    for url in urls_of(html):
        r = client.get(url)
        assert r.status_code == 200, url
        kinds[url.split("?")[0].rsplit("/", 1)[-1]] = (r.headers["content-type"], len(r.content))
    assert kinds["swagger-ui-bundle.js"][0].startswith(("text/javascript",
                                                         "application/javascript"))
    assert kinds["swagger-ui-bundle.js"][1] > 1_000_000
    assert kinds["swagger-ui.css"][0].startswith("text/css")
    assert kinds["favicon-32x32.png"][0] == "image/png"


def test_the_bundle_is_swagger_ui_5_with_its_licence(client: TestClient) -> None:
    """FastAPI's schema is OpenAPI 3.1, which Swagger UI 4.x cannot read."""
    assert client.get("/openapi.json").json()["openapi"].startswith("3.1")
    bundle = (VENDOR / "swagger-ui-bundle.js").read_text()
    versions = set(re.findall(r'PACKAGE_VERSION:"([0-9.]+)"', bundle))
    assert versions == {SWAGGER_UI_VERSION} and SWAGGER_UI_VERSION.startswith("5.")
    assert f"Swagger UI {SWAGGER_UI_VERSION}" in (VENDOR / "README.md").read_text()
    assert "Apache License" in (VENDOR / "LICENSE").read_text()
    assert (VENDOR / "NOTICE").is_file() and (VENDOR / "swagger-ui-bundle.js.LICENSE.txt").is_file()


def test_no_redoc_and_the_oauth2_redirect_is_local(client: TestClient) -> None:
    assert client.get("/redoc").status_code == 404
    r = client.get("/docs/oauth2-redirect")
    assert r.status_code == 200 and not re.search(r"<script[^>]+src=", r.text)
    paths = client.get("/openapi.json").json()["paths"]
    assert not any(p.startswith(("/docs", "/redoc")) for p in paths)
