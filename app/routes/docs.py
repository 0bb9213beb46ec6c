"""The API documentation at /docs, from local files only: it works offline.

FastAPI's own /docs loads Swagger UI from a CDN (offline: a blank page, "SwaggerUIBundle is
not defined"). This one serves Swagger UI 5 from static/vendor/swagger-ui (vendored from
npm's swagger-ui-dist; see its README), as FastAPI documents for self-hosting the docs
assets. It must be 5.x: FastAPI's schema is OpenAPI 3.1, which Swagger UI 4.x cannot read.
There is no /redoc: ReDoc 2 fetches its fonts and logo from CDNs.
"""

from fastapi import APIRouter
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse

from app.routes.pages import static_url

SWAGGER_UI_VERSION = "5.35.0"
VENDOR = "vendor/swagger-ui"
DOCS_URL, OAUTH2_REDIRECT_URL, OPENAPI_URL = "/docs", "/docs/oauth2-redirect", "/openapi.json"

router = APIRouter(include_in_schema=False)


@router.get(DOCS_URL)
def swagger_ui() -> HTMLResponse:
    """Swagger UI over /openapi.json, every asset from /static."""
    return get_swagger_ui_html(
        openapi_url=OPENAPI_URL,
        title="Logistic Lens API",
        oauth2_redirect_url=OAUTH2_REDIRECT_URL,
        swagger_js_url=static_url(f"{VENDOR}/swagger-ui-bundle.js"),
        swagger_css_url=static_url(f"{VENDOR}/swagger-ui.css"),
        swagger_favicon_url=static_url(f"{VENDOR}/favicon-32x32.png"),
        # no badge from validator.swagger.io (it would send the schema's URL there)
        swagger_ui_parameters={"validatorUrl": None},
    )


@router.get(OAUTH2_REDIRECT_URL)
def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page (inline script only)."""
    return get_swagger_ui_oauth2_redirect_html()
