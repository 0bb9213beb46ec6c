"""Server-rendered pages, and the static URL helper that keeps browsers off stale assets."""

import hashlib
import json
from functools import lru_cache

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from app.config import ROOT
from app.routes.vocabulary import vocabulary_of, vocabulary_text
from app.vocabulary import Vocabulary

STATIC = ROOT / "static"

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=ROOT / "templates")


@lru_cache(maxsize=1024)
def _content_hash(path: str, mtime_ns: int, size: int) -> str:
    """The first 10 hex digits of the file's SHA-256 (cached per path, mtime and size)."""
    return hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:10]


def static_url(path: str) -> str:
    """`/static/<path>?v=<content hash>`: a new URL whenever the file's bytes change."""
    file = (STATIC / path).resolve()
    if not file.is_relative_to(STATIC.resolve()) or not file.is_file():
        return f"/static/{path}"
    stat = file.stat()
    return f"/static/{path}?v={_content_hash(path, stat.st_mtime_ns, stat.st_size)}"


def import_map() -> Markup:
    """An import map sending every ES module's plain URL to its hashed one.

    Modules import each other by relative path (`./api.js`); the map makes those imports
    hashed too, so a changed module is never served from a stale cache.
    """
    imports = {
        f"/static/js/{f.relative_to(STATIC / 'js').as_posix()}": static_url(
            f"js/{f.relative_to(STATIC / 'js').as_posix()}"
        )
        for f in sorted((STATIC / "js").rglob("*.js"))
    }
    text = json.dumps({"imports": imports}, indent=1).replace("</", "<\\/")
    return Markup(text)  # JSON of our own file names, with "</" escaped


@pass_context
def vocabulary_json(context: Context) -> Markup:
    """GET /api/vocabulary's JSON, to embed in the page (with "</" escaped, so no text in it
    can close the script element)."""
    request: Request = context["request"]
    return Markup(vocabulary_text(request.app).replace("</", "<\\/"))


@pass_context
def vocabulary(context: Context) -> Vocabulary:
    """The same vocabulary, for templates that render its lists (selects, dataset thumbnails)."""
    return vocabulary_of(context["request"].app)


templates.env.globals["static_url"] = static_url
templates.env.globals["import_map"] = import_map
templates.env.globals["vocabulary_json"] = vocabulary_json
templates.env.globals["vocabulary"] = vocabulary


@router.get("/", response_class=HTMLResponse)
def playground(request: Request) -> HTMLResponse:
    """The playground: train a network and watch every neuron."""
    return templates.TemplateResponse(request, "playground.html")


@router.get("/runs", response_class=HTMLResponse)
def runs(request: Request) -> HTMLResponse:
    """Runs side by side: `#ids=ID1,ID2` compares sessions on one dataset; `#seeds=K&<a
    playground hash>` trains that setup from K seeds and shows how far apart they end."""
    return templates.TemplateResponse(request, "runs.html")
