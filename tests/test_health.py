"""The app starts and says so."""

from fastapi.testclient import TestClient


def test_health_says_ok(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_home_page_renders(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "Logistic Lens" in r.text
