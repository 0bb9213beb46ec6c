"""The lessons: an index at /lessons and one page per lesson at /lessons/{slug}."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.lessons import BY_SLUG, LESSONS, inline
from app.routes.pages import templates

router = APIRouter(include_in_schema=False)
templates.env.filters["inline"] = inline


@router.get("/lessons", response_class=HTMLResponse)
def lessons_index(request: Request) -> HTMLResponse:
    """Every lesson, in order, each with a link to its page and to its preset."""
    return templates.TemplateResponse(request, "lessons.html", {"lessons": LESSONS})


@router.get("/lessons/{slug}", response_class=HTMLResponse)
def lesson_page(request: Request, slug: str) -> HTMLResponse:
    """One lesson; an unknown slug is a 404 page that lists the lessons there are."""
    lesson = BY_SLUG.get(slug)
    if lesson is None:
        return templates.TemplateResponse(request, "lessons.html",
                                          {"lessons": LESSONS, "missing": slug}, status_code=404)
    i = lesson.number - 1
    return templates.TemplateResponse(request, "lesson.html", {
        "lesson": lesson,
        "lessons": LESSONS,
        "prev": LESSONS[i - 1] if i > 0 else None,
        "next": LESSONS[i + 1] if i + 1 < len(LESSONS) else None,
    })
