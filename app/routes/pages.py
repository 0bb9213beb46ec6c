"""Server-rendered pages."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from app.config import ROOT

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=ROOT / "templates")


@router.get("/", response_class=HTMLResponse)
def playground(request: Request) -> HTMLResponse:
    """The playground: train a network and watch every neuron."""
    return templates.TemplateResponse(request, "playground.html")
