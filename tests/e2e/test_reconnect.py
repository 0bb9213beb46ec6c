"""The page survives its server going away: it says so, reconnects with back-off, and resumes
the same session where the store left it (a restart, or a process change behind the proxy)."""

import signal
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest

from tests.e2e.conftest import PageLog, shot, wait_frame
from tests.helpers import start_server, stop

pytestmark = pytest.mark.e2e

Page = Any
DURABLE_S = 1.5  # DESIGN.md, Persistence: "durable within 1 s of its answer", with slack


def test_the_page_reconnects_to_a_restarted_server_and_resumes_its_session(
        page: Page, tmp_path: Path, log: PageLog) -> None:
    proc, base = start_server(tmp_path, tmp_path / "server.log")
    try:
        page.goto(f"{base}/")
        wait_frame(page)
        sid = page.evaluate("window.__ll.session.id")
        r = httpx.post(f"{base}/api/sessions/{sid}/step", json={"steps": 25})
        assert r.status_code == 200
        page.wait_for_function("window.__ll.latest.step === 25")  # REST steps reach the page
        time.sleep(DURABLE_S)  # the contract's bound: a REST change is stored within 1 s
        stop(proc, signal.SIGKILL)  # gone without a goodbye
        page.wait_for_function(
            "document.getElementById('conn-status').dataset.state === 'retrying'")
        assert "reconnecting" in page.inner_text("#conn-status")
        page.wait_for_function("document.getElementById('messages').textContent"
                               ".includes('The connection to the server was lost; reconnecting')")
        shot(page, "reconnecting")
        proc, _ = start_server(tmp_path, tmp_path / "server.log",
                               port=urlparse(base).port)  # the same address, a new process
        wait_frame(page, "f.step === 25", timeout=30_000)  # back on the same session
        assert page.evaluate("window.__ll.session.id") == sid
        page.wait_for_function("document.getElementById('messages').textContent"
                               ".includes('Reconnected')")
        assert "was lost" not in page.inner_text("#messages")
        page.click("#btn-step")
        page.wait_for_function("window.__ll.latest.step === 26")
        assert httpx.get(f"{base}/api/sessions/{sid}").json()["step"] == 26
    finally:
        stop(proc)
    assert not [e for e in log.errors if "WebSocket" not in e]  # the drop itself may be logged
