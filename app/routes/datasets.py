"""The datasets API: generate, upload, describe, list, draw and delete datasets.

Errors answer `{"detail": message}`: 400 unreadable file, 404 unknown id, 413 over a size,
row or column limit, 422 unusable content or arguments, 503 the store cannot be written.
"""

from collections.abc import AsyncGenerator
from contextlib import aclosing
from dataclasses import asdict

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from app.data import service
from app.data.generators import KINDS
from app.data.store import DatasetError, DatasetInfo
from app.deps import PlayersDep, RegistryDep, SettingsDep, StoreDep
from app.schemas.datasets import Dataset, GenerateRequest, KindInfo, Points
from app.schemas.errors import errors
from app.strict_json import StrictJSONRoute

# JSON bodies (generate) refuse NaN, Infinity and 1e400 by name; uploads read the raw stream
router = APIRouter(prefix="/api/datasets", tags=["datasets"], route_class=StrictJSONRoute)

UPLOAD_SLACK = 64 * 1024  # room for the multipart envelope and the small form fields
CHUNK = 64 * 1024


def _out(info: DatasetInfo) -> Dataset:
    return Dataset.model_validate(asdict(info.info()) | {"n_features": info.n_features})


def _too_large(limit: int) -> DatasetError:
    return DatasetError(f"the file is larger than the upload limit of {limit} bytes "
                        f"({limit / 2**20:.1f} MB)", 413)


async def _limited(request: Request, limit: int) -> AsyncGenerator[bytes, None]:
    """The request body, stopping with 413 as soon as it passes `limit` bytes."""
    total = 0
    async with aclosing(request.stream()) as stream:
        async for chunk in stream:
            total += len(chunk)
            if total > limit:
                raise _too_large(limit - UPLOAD_SLACK)
            yield chunk


async def _read_file(file: UploadFile, limit: int) -> bytes:
    """The uploaded file's bytes, read in chunks; 413 as soon as it passes `limit`."""
    chunks, total = [], 0
    while chunk := await file.read(CHUNK):
        total += len(chunk)
        if total > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {"multipart/form-data": {"schema": {
            "type": "object",
            "required": ["file"],
            "properties": {
                "file": {"type": "string", "format": "binary",
                         "description": "a CSV file with a header row"},
                "name": {"type": "string", "description": "default: the file name"},
                "target": {"type": "string", "description": "target column; default: "
                           "guessed (the last column when it is a class label, else the text "
                           "column with the fewest distinct values, else the last column), "
                           "and the answer's target_reason says why"},
                "task": {"type": "string", "enum": ["auto", "classification", "regression"],
                         "description": "auto: a text target or a numeric one with at most 20 "
                         "distinct integer values is classification, else regression"},
            },
        }}},
    },
}


@router.post("", status_code=201, summary="Upload a CSV file", openapi_extra=_UPLOAD_BODY,
             responses=errors(400, 413, 422, 503))
async def upload(request: Request, settings: SettingsDep, store: StoreDep) -> Dataset:
    """Upload a CSV (multipart field `file`; optional `name`, `target`, `task`) as a dataset.

    Without `target`, the target is guessed and `target_reason` says how; every other column
    a session could take as its target (`SessionConfig.target`, no new upload) is listed in
    `target_candidates` with the task it would give.

    Refuses files over the size limit while reading (413), and every unusable file with a
    message naming the line and column; nothing is stored then.
    """
    limit = settings.max_upload_bytes
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > limit + UPLOAD_SLACK:
        raise _too_large(limit)
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise DatasetError("send the file as multipart/form-data, in a field named 'file'",
                           400)
    parser = MultiPartParser(request.headers, _limited(request, limit + UPLOAD_SLACK),
                             max_files=1, max_fields=10, max_part_size=limit + 1)
    try:
        form = await parser.parse()
    except MultiPartException as e:
        raise DatasetError(f"could not read the upload: {e.message}", 400) from None
    try:
        file = form.get("file")
        if isinstance(file, UploadFile):
            data, filename = await _read_file(file, limit), file.filename
        elif isinstance(file, str):  # sent as a plain field, e.g. curl -F "file=<x.csv"
            data, filename = file.encode(), None
            if len(data) > limit:
                raise _too_large(limit)
        else:
            raise DatasetError("no file: send the CSV in a multipart field named 'file'")
        fields = {k: form.get(k) for k in ("name", "target", "task")}
        text = {k: v if isinstance(v, str) else None for k, v in fields.items()}
    finally:
        await form.close()
    ds = await run_in_threadpool(service.create_uploaded, store, settings, data,
                                 filename, text["name"], text["target"], text["task"])
    return _out(ds)


@router.post("/generate", status_code=201, summary="Make a built-in dataset",
             responses=errors(400, 422, 503))
def generate(body: GenerateRequest, store: StoreDep, settings: SettingsDep) -> Dataset:
    """Generate `n` points of a built-in kind; deterministic for (kind, n, noise, seed)."""
    ds = service.create_generated(store, body.kind, body.n, body.noise, body.seed,
                                  body.classes, body.name, settings.max_classes)
    return _out(ds)


@router.get("/kinds", summary="The built-in dataset kinds")
def kinds() -> list[KindInfo]:
    """Every built-in kind: description, task, number of features and classes, noise."""
    return [KindInfo.model_validate(asdict(k)) for k in KINDS.values()]


@router.get("", summary="List datasets", responses=errors(503))
def list_datasets(store: StoreDep) -> list[Dataset]:
    """Every stored dataset, oldest first."""
    return [_out(info) for info in store.list_datasets()]


@router.get("/{dataset_id}", summary="Describe a dataset", responses=errors(404, 503))
def get_dataset(dataset_id: str, store: StoreDep) -> Dataset:
    """The dataset's columns (kind, min, max, mean, distinct), features, target and classes."""
    return _out(service.get_info(store, dataset_id))


@router.get("/{dataset_id}/points", summary="The rows as numbers",
            responses=errors(404, 503))
def points(dataset_id: str, store: StoreDep) -> Points:
    """Every kept row: `columns[feature][i]` and `target[i]` (a class label or a number)."""
    ds = service.get_dataset(store, dataset_id)
    return Points(features=ds.features,
                  columns={k: v.tolist() for k, v in ds.numeric.items()},
                  target_name=ds.target,
                  target=ds.target_values(),
                  classes=ds.classes)


@router.delete("/{dataset_id}", status_code=204, summary="Delete a dataset",
               responses=errors(404, 503))
async def delete_dataset(
    dataset_id: str, store: StoreDep, registry: RegistryDep, players: PlayersDep
) -> Response:
    """Delete the dataset and every session trained on it; works on a full disk too (the
    store deletes in its reserved room), and the space comes back to the disk."""
    # first the sessions other processes hold (make class): they hand them over, so that none
    # saves one back after the delete
    await run_in_threadpool(registry.hold_sessions_of, dataset_id)
    for session_id in registry.live_ids_of(dataset_id):
        # before the delete (a pause saves the session); its watchers are told why it stops
        await players.stop(session_id, "the dataset of this session was deleted")
    await run_in_threadpool(service.delete, store, dataset_id)
    registry.forget_dataset(dataset_id)
    return Response(status_code=204)
