"""GET /api/vocabulary: every name, range, limit and explanatory text the page shows."""

import json

from fastapi import APIRouter, FastAPI, Request

from app.vocabulary import Vocabulary, build

router = APIRouter(prefix="/api/vocabulary", tags=["vocabulary"])


def vocabulary_of(app: FastAPI) -> Vocabulary:
    """The app's vocabulary, built once from its settings."""
    vocabulary: Vocabulary | None = getattr(app.state, "vocabulary", None)
    if vocabulary is None:
        vocabulary = app.state.vocabulary = build(app.state.settings)
    return vocabulary


def vocabulary_text(app: FastAPI) -> str:
    """The vocabulary as JSON text, the same document GET /api/vocabulary answers (cached)."""
    text: str | None = getattr(app.state, "vocabulary_text", None)
    if text is None:
        document = vocabulary_of(app).model_dump(mode="json")
        text = app.state.vocabulary_text = json.dumps(document, ensure_ascii=False)
    return text


@router.get("", summary="Every name, limit and explanatory text the page shows")
def read_vocabulary(request: Request) -> Vocabulary:
    """Activations (key, label, formula, range), tasks with their output and loss, inits,
    optimizers, transforms, dataset kinds, limits, SessionConfig's defaults, and the texts
    that explain the network and each neuron per activation × task × depth. Built from the
    server's registries and settings; every page embeds the same document as
    `<script type="application/json" id="vocabulary">`."""
    return vocabulary_of(request.app)
