"""The datasets API end to end: upload, describe, points, list, delete, restart, failures;
each test on both store backends (SQLite, a real PostgreSQL)."""

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.config import Settings
from app.main import create_app
from tests.conftest import BACKENDS, backend_settings, local_client, refusing_writes
from tests.data_helpers import upload


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    return backend_settings(request, tmp_path)

IRIS = (b"sepal length;petal width;note;species\r\n5.1;0.2;a;setosa\r\n4.9;0,2;b;setosa\r\n"
        b"6.3;1.8;c;virginica\r\n5.8;;d;virginica\r\n6.0;1.5;e;versicolor\r\n"
        b"5.5;1.3;f;versicolor\r\n6.7;2.1;g;virginica\r\n")


def test_upload_describes_the_dataset(client: TestClient) -> None:
    r = upload(client, IRIS, filename="iris.csv")
    assert r.status_code == 201, r.text
    d = r.json()
    assert d == {
        "id": d["id"], "name": "iris", "task": "classification", "n_rows": 6,
        "columns": [
            {"name": "sepal length", "kind": "numeric", "min": 4.9, "max": 6.7,
             "mean": pytest.approx(5.75), "distinct": 6},
            {"name": "petal width", "kind": "numeric", "min": 0.2, "max": 2.1,
             "mean": pytest.approx(7.1 / 6), "distinct": 5},
            {"name": "note", "kind": "text", "min": None, "max": None, "mean": None,
             "distinct": 6},
            {"name": "species", "kind": "text", "min": None, "max": None, "mean": None,
             "distinct": 3},
        ],
        "features": ["sepal length", "petal width"],
        "non_features": [{"name": "note", "reason": "text (values like 'a')"}],
        "target": "species", "classes": ["setosa", "versicolor", "virginica"],
        "class_counts": {"setosa": 2, "versicolor": 2, "virginica": 2},
        "dropped_rows": 1,  # line 5 has no petal width
        "source": "upload", "kind": None, "n_features": 2, "created_at": d["created_at"],
        "target_reason": "the last column, text with 3 distinct values: a class label",
        "target_candidates": [  # 'note' has a value per row: an id, never a target
            {"name": "sepal length", "task": "regression", "n_classes": None},
            {"name": "petal width", "task": "regression", "n_classes": None},
            {"name": "species", "task": "classification", "n_classes": 3}],
    }
    assert len(d["id"]) == 12


def test_upload_get_points_list_delete(client: TestClient) -> None:
    data = b"x,y,cls\n1,2,a\n2,4,b\n3,6,a\n4,8,b\n5,10,a\n6,12,b\n"
    d = upload(client, data, name="  my data ", target="cls").json()
    assert d["name"] == "my data" and d["classes"] == ["a", "b"] and d["features"] == ["x", "y"]
    assert client.get(f"/api/datasets/{d['id']}").json() == d
    pts = client.get(f"/api/datasets/{d['id']}/points").json()
    assert pts == {"features": ["x", "y"],
                   "columns": {"x": [1, 2, 3, 4, 5, 6], "y": [2, 4, 6, 8, 10, 12]},
                   "target_name": "cls", "target": ["a", "b", "a", "b", "a", "b"],
                   "classes": ["a", "b"]}
    r = upload(client, data, target="y", task="regression")
    assert r.json()["task"] == "regression" and r.json()["features"] == ["x"]
    pts = client.get(f"/api/datasets/{r.json()['id']}/points").json()
    assert pts["target"] == [2, 4, 6, 8, 10, 12] and pts["classes"] is None
    assert [x["id"] for x in client.get("/api/datasets").json()] == [d["id"], r.json()["id"]]
    assert client.delete(f"/api/datasets/{d['id']}").status_code == 204
    assert [x["id"] for x in client.get("/api/datasets").json()] == [r.json()["id"]]


@pytest.mark.parametrize(("method", "path"), [
    ("get", "/api/datasets/abc123"), ("get", "/api/datasets/abc123/points"),
    ("delete", "/api/datasets/abc123"),
])
def test_unknown_ids_are_404(client: TestClient, method: str, path: str) -> None:
    r = client.request(method, path)
    assert r.status_code == 404
    assert r.json() == {"detail": "no dataset with id 'abc123'"}


def test_datasets_survive_a_restart(settings: Settings) -> None:
    with local_client(create_app(settings)) as c:
        up = upload(c, b"a,b,y\n0.1,2,p\n1e-3,4,q\n3,6.25,p\n4,8,q\n", filename="f.csv").json()
        gen = c.post("/api/datasets/generate", json={"kind": "moons", "n": 40}).json()
        before = {i: c.get(f"/api/datasets/{i}/points").json() for i in (up["id"], gen["id"])}
    with local_client(create_app(settings)) as c:
        assert [d["id"] for d in c.get("/api/datasets").json()] == [up["id"], gen["id"]]
        assert c.get(f"/api/datasets/{up['id']}").json() == up
        for i, pts in before.items():
            assert c.get(f"/api/datasets/{i}/points").json() == pts
        assert c.delete(f"/api/datasets/{up['id']}").status_code == 204
    with local_client(create_app(settings)) as c:
        assert [d["id"] for d in c.get("/api/datasets").json()] == [gen["id"]]


def test_a_store_that_cannot_write_answers_503(client: TestClient) -> None:
    with refusing_writes(client.app.state.store):  # type: ignore[attr-defined]
        r = upload(client, b"a,y\n1,0\n2,1\n3,0\n4,1\n")
        assert r.status_code == 503 and "read-only" in r.json()["detail"]
        r = client.post("/api/datasets/generate", json={"kind": "xor"})
        assert r.status_code == 503
        assert client.get("/api/datasets").json() == []
    assert upload(client, b"a,y\n1,0\n2,1\n3,0\n4,1\n").status_code == 201


def test_openapi_documents_the_upload(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    body = spec["paths"]["/api/datasets"]["post"]["requestBody"]["content"]
    assert set(body["multipart/form-data"]["schema"]["properties"]) == {
        "file", "name", "target", "task"}
    assert "/api/datasets/kinds" in spec["paths"]


@pytest.mark.parametrize(("filename", "name"), [
    ("iris.csv", "iris"), ("C:\\Users\\me\\data.CSV", "data"), ("dir/f.txt", "f"), ("", "upload"),
])
def test_name_defaults_to_the_file_name(client: TestClient, filename: str, name: str) -> None:
    r = upload(client, b"a,y\n1,0\n2,1\n3,0\n4,1\n", filename=filename)
    assert r.status_code == 201, r.text
    assert r.json()["name"] == name


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "1e400"])
def test_a_raw_non_finite_number_in_generate_is_a_422_naming_it(client: TestClient,
                                                                 raw: str) -> None:
    r = client.post("/api/datasets/generate", content=f'{{"kind": "xor", "noise": {raw}}}',
                    headers={"content-type": "application/json"})
    assert r.status_code == 422, r.text
    issue = r.json()["detail"][0]
    assert issue["loc"] == ["body", "noise"] and "finite" in issue["msg"]


def test_uploads_are_not_held_to_the_json_body_limit(settings: Settings) -> None:
    """The upload limit (LL_MAX_UPLOAD_BYTES), not LL_MAX_BODY_BYTES, bounds a CSV upload."""
    small = settings.model_copy(update={"max_body_bytes": 1000})
    with local_client(create_app(small)) as c:
        data = b"a,y\n" + b"".join(b"%d,%d\n" % (i, i % 2) for i in range(500))
        assert len(data) > 1000
        assert upload(c, data).status_code == 201
