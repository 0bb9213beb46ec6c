"""No JSON body reaches a 500 (issue 10 §2), tried as a class: every number of every JSON body.

Faults on the old main, each a 500 that also broke the client's next keep-alive request:
- a raw `NaN`, `Infinity`, `-Infinity` or `1e400` anywhere in a JSON body, e.g.
  `POST /api/sessions {"dataset_id": …, "learning_rate": NaN}` (the 422 could not be
  serialised, or the value reached the engine);
- `POST /predict` with 10⁶ points echoed ~6 MB back in its 422.
Now each is a 422 naming the field, answers stay short, and nothing stored changes.
"""

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from tests.helpers import make_dataset, make_session, server

NON_FINITE = ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"]
Path_ = tuple[str | int, ...]


def bodies(client: TestClient) -> list[tuple[str, str, dict[str, Any]]]:
    """(method, url, a valid body) for every JSON body the API takes."""
    ds = make_dataset(client)
    sid = make_session(client, ds)
    layers = [{"weights": la["weights"], "bias": la["bias"]}
              for la in client.get(f"/api/sessions/{sid}/model").json()["layers"]]
    s = f"/api/sessions/{sid}"
    return [
        ("POST", "/api/datasets/generate", {"kind": "xor", "n": 50, "noise": 0.1, "seed": 1}),
        ("POST", "/api/sessions", {"dataset_id": ds, "hidden_layers": [3, 2],
                                   "learning_rate": 0.1, "batch_size": 10, "l1": 0.0, "l2": 0.1,
                                   "init_value": 0.5, "seed": 3, "test_fraction": 0.2}),
        ("PATCH", s, {"learning_rate": 0.1, "l1": 0.01, "l2": 0.01, "batch_size": 8}),
        ("POST", f"{s}/step", {"steps": 3}),
        ("POST", f"{s}/step", {"epochs": 1}),
        ("POST", f"{s}/reset", {"seed": 2}),
        ("POST", f"{s}/rewind", {"step": 0}),
        ("POST", f"{s}/predict", {"points": [[0.5, -0.5], [1.0, 2.0]]}),
        ("PUT", f"{s}/parameters", {"layers": layers}),
    ]


def number_paths(value: Any, path: Path_ = ()) -> list[Path_]:
    """Where the numbers of a JSON document are."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in number_paths(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in number_paths(v, (*path, i))]
    return [path] if isinstance(value, int | float) and not isinstance(value, bool) else []


def with_raw(body: dict[str, Any], path: Path_, raw: str) -> str:
    """`body` as JSON text with the number at `path` replaced by the raw token `raw`."""
    marker = "@@raw@@"
    doc = json.loads(json.dumps(body))
    target = doc
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = marker
    return json.dumps(doc).replace(json.dumps(marker), raw)


def test_a_non_finite_number_anywhere_in_any_body_is_a_422_naming_it(
        client: TestClient) -> None:
    tried = 0
    for method, url, body in bodies(client):
        before = client.get(url).json() if url.startswith("/api/sessions/") else None
        paths = number_paths(body)
        assert paths, url
        for path in paths[:6]:  # the first numbers of each body (weights have dozens)
            for raw in NON_FINITE:
                r = client.request(method, url, content=with_raw(body, path, raw),
                                   headers={"content-type": "application/json"})
                tried += 1
                assert r.status_code == 422, (method, url, path, raw, r.text)
                issue = r.json()["detail"][0]
                assert issue["loc"] == ["body", *path], (url, raw, issue)
                assert "finite" in issue["msg"]
        if before is not None:  # nothing stored changed
            assert client.get(url).json() == before
    print(f"\n{tried} bodies with a non-finite number: all 422")


def test_an_error_never_echoes_a_huge_input(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))
    r = client.post(f"/api/sessions/{sid}/predict", json={"points": [[1, 2, 3]] * 1_000_000})
    assert r.status_code == 422
    assert "at most 10000 items" in r.json()["detail"][0]["msg"]
    assert len(r.content) < 1000
    r = client.post(f"/api/sessions/{sid}/step", json={"steps": "x" * 100_000})
    assert r.status_code == 422 and len(r.content) < 1000
    many = client.post("/api/sessions", json={"dataset_id": 1, "hidden_layers": ["a"] * 5000})
    assert many.status_code == 422
    assert len(many.json()["detail"]) <= 11 and len(many.content) < 5000


def test_a_body_over_the_limit_is_a_413_before_it_is_read(client: TestClient,
                                                          settings: Any) -> None:
    sid = make_session(client, make_dataset(client))
    big = b'{"points": [' + b"[1.0, 2.0]," * (settings.max_body_bytes // 10) + b"[1, 2]]}"
    r = client.post(f"/api/sessions/{sid}/predict", content=big,
                    headers={"content-type": "application/json"})
    assert r.status_code == 413
    assert "LL_MAX_BODY_BYTES" in r.json()["detail"]


@pytest.mark.parametrize("raw", ["NaN", "1e400"])
def test_a_stream_control_with_a_non_finite_number_is_an_error_and_the_stream_stays(
        client: TestClient, raw: str) -> None:
    sid = make_session(client, make_dataset(client))
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        assert ws.receive_json()["type"] == "init"
        ws.send_text(f'{{"type": "play", "speed": {raw}}}')
        ws.send_text(f'{{"type": "set", "learning_rate": {raw}}}')
        ws.send_text('{"type": "step", "steps": 2}')
        errors = []
        while True:
            msg = ws.receive_json()
            if msg["type"] == "error":
                errors.append(msg["detail"])
            if msg["type"] == "frame" and msg["step"] == 2:
                break
    assert errors == ["bad control message: play.speed: Input should be a finite number",
                      "bad control message: set.learning_rate: Input should be a finite number"]


def test_keep_alive_survives_a_bad_body(tmp_path: Path) -> None:
    """One connection, a NaN body then a good request, three times: all answered over the
    one kept-alive connection (a 500 used to drop it under the next request)."""
    connects: list[str] = []

    def trace(name: str, info: dict[str, Any]) -> None:
        if name == "connection.connect_tcp.complete":
            connects.append(name)

    with server(tmp_path / "data", tmp_path / "log") as base, \
            httpx.Client(base_url=base, timeout=20) as api:
        sid = make_session(api, make_dataset(api))
        traced = {"trace": trace}
        for _ in range(3):
            bad = api.post(f"/api/sessions/{sid}/step", content='{"steps": NaN}',
                           headers={"content-type": "application/json"}, extensions=traced)
            assert bad.status_code == 422
            assert api.get(f"/api/sessions/{sid}", extensions=traced).status_code == 200
    assert len(connects) <= 1, f"{len(connects)} connections for 6 requests"
