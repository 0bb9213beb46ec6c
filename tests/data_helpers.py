"""Helpers for the dataset tests: build CSV bytes and upload them through the real API."""

from typing import Any

import httpx
from fastapi.testclient import TestClient


def csv_bytes(rows: list[list[Any]], delimiter: str = ",", end: str = "\n",
              encoding: str = "utf-8") -> bytes:
    """Rows (the header first) joined into a file."""
    return end.join(delimiter.join(str(c) for c in row) for row in rows).encode(encoding) + \
        end.encode(encoding)


def upload(client: TestClient, data: bytes, filename: str = "x.csv",
           **fields: str) -> httpx.Response:
    """POST the file to /api/datasets with optional form fields (name, target, task)."""
    return client.post("/api/datasets", files={"file": (filename, data, "text/csv")},
                       data=fields)


def two_class_rows(n: int = 8) -> list[list[Any]]:
    """A small valid table: two numeric features and a 0/1 label."""
    return [["a", "b", "y"]] + [[i, i * 2 + 0.5, i % 2] for i in range(n)]
