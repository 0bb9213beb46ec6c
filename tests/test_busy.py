"""Busy never means stuck, and a burst never means a backlog (issue 10 §3 and §5).

Faults on the old main:
- `set` × 10 000 on the stream built a frame for each: a later `peek` waited 22 s, and the
  server kept working after the client left.
- Six 10-second `POST /step` requests filled the event loop's default thread pool: a new
  WebSocket's `init` waited 8.8 s behind them.
- A dataset deleted while its sessions streamed: watchers kept showing "running", told nothing.
- Stream refusals were a bare HTTP 403 on the handshake: the page could not say why.
"""

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect
from websockets.asyncio.client import connect as ws_connect

from app.config import Settings
from app.main import create_app
from tests.helpers import make_dataset, make_session, server, wait_until


def test_a_burst_of_ten_thousand_sets_costs_about_one_frame(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        assert ws.receive_json()["type"] == "init"
        assert ws.receive_json()["type"] == "frame"
        t0 = time.monotonic()
        for i in range(10_000):
            ws.send_text(json.dumps({"type": "set", "learning_rate": 0.001 * (1 + i % 7)}))
        ws.send_text('{"type": "set", "learning_rate": 0.5}')
        ws.send_text('{"type": "peek", "step": 0}')
        frames, errors = 0, []
        while (msg := ws.receive_json())["type"] != "frame" or not msg.get("peek"):
            frames += msg["type"] == "frame"
            if msg["type"] == "error":
                errors.append(msg["detail"])
        elapsed = time.monotonic() - t0
    print(f"\n10 001 sets in {elapsed:.2f} s: {frames} frames before the peek's answer")
    assert errors == []
    # at most one frame per frame period while they arrive (30/s), however many messages
    assert frames <= 30 * elapsed + 2
    assert client.get(f"/api/sessions/{sid}").json()["config"]["learning_rate"] == 0.5


def test_controls_that_cannot_fold_are_capped_and_stop_with_the_client(
        tmp_path: Path) -> None:
    """200 `step` messages of 2 000 steps: at most 64 wait, the rest are refused with an
    error, and no refused one is trained. (The test client cancels the app's task when its
    socket closes, so here the waiting ones are dropped with it; on a real server they land:
    test_stream's test of changes sent while a step runs.)"""
    app = create_app(Settings(data_dir=tmp_path, allowed_hosts=["testserver"]))
    with TestClient(app, client=("127.0.0.1", 5000)) as client:
        sid = make_session(client, make_dataset(client))
        with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
            assert ws.receive_json()["type"] == "init"
            for _ in range(200):
                ws.send_text('{"type": "step", "steps": 2000}')
            refused = 0
            while refused < 200 - 64 - 1:  # the first may already be under way
                msg = ws.receive_json()
                refused += msg["type"] == "error" and "already waiting" in msg["detail"]
        players = app.state.players
        wait_until(lambda: players.rest.running == 0, 60, "the step under way finishing")
        first = client.get(f"/api/sessions/{sid}").json()["step"]
        wait_until(lambda: client.get(f"/api/sessions/{sid}").json()["step"] == first, 5,
                   "training standing still")
    print(f"\nclient gone after 200 step messages: trained {first} steps")
    assert first % 2000 == 0 and first <= 2000 * (200 - refused), "a refused step was trained"


def test_long_rest_steps_do_not_hold_up_the_stream_and_a_full_pool_is_429(
        tmp_path: Path) -> None:
    """Two step requests fill LL_REST_TRAINING_THREADS=2; a third is a 429; while both still
    run, a new stream's init arrives and health answers."""
    with server(tmp_path / "data", tmp_path / "log", LL_REST_TRAINING_THREADS="2",
                LL_MAX_SECONDS_PER_REQUEST="6") as base:
        with httpx.Client(base_url=base, timeout=60) as api:
            ds = make_dataset(api, n=2000)
            sids = [make_session(api, ds, hidden_layers=[32, 32]) for _ in range(3)]

        async def scenario() -> tuple[list[int], dict[str, Any], bool]:
            async with httpx.AsyncClient(base_url=base, timeout=60) as api:
                def long_step(sid: str) -> asyncio.Task[httpx.Response]:
                    return asyncio.create_task(
                        api.post(f"/api/sessions/{sid}/step", json={"steps": 1_000_000}))

                long = [long_step(sid) for sid in sids[:2]]
                while True:  # probe until both long steps hold the pool's two threads
                    third = await api.post(f"/api/sessions/{sids[2]}/step", json={"steps": 1})
                    if third.status_code == 429:
                        break
                    for i, task in enumerate(long):  # the probe took a thread: start again
                        if task.done():
                            long[i] = long_step(sids[i])
                    await asyncio.sleep(0.02)
                url = base.replace("http", "ws") + f"/api/sessions/{sids[2]}/stream"
                async with ws_connect(url) as ws:
                    init = json.loads(await ws.recv())
                health = (await api.get("/api/health")).status_code
                still_running = not any(t.done() for t in long)
                await asyncio.gather(*long)
                return [third.status_code, health], {**init, "detail": third.json()["detail"]}, \
                    still_running

        codes, init, still_running = asyncio.run(scenario())
    assert codes == [429, 200]
    assert "LL_REST_TRAINING_THREADS=2" in init["detail"]
    assert init["type"] == "init"
    assert still_running, "the stream and health answered while both long steps ran"


def test_watchers_are_told_when_their_dataset_is_deleted(client: TestClient) -> None:
    ds = make_dataset(client)
    sid = make_session(client, ds)
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        assert ws.receive_json()["type"] == "init"
        ws.send_text('{"type": "play"}')
        wait_until(lambda: client.get(f"/api/sessions/{sid}").json()["status"] == "running",
                   10, "playing")
        assert client.delete(f"/api/datasets/{ds}").status_code == 204
        while (msg := ws.receive_json())["type"] != "error":
            pass
        assert msg["detail"] == "the dataset of this session was deleted"
        ws.send_text('{"type": "play"}')
        while (msg := ws.receive_json())["type"] != "error":
            pass
        assert msg["detail"] == "this session was deleted; create a new one"


def test_a_stream_of_no_session_closes_with_4404_and_a_reason(client: TestClient) -> None:
    with pytest.raises(WebSocketDisconnect) as closed, \
            client.websocket_connect("/api/sessions/nope/stream") as ws:
        ws.receive_json()
    assert closed.value.code == 4404
    assert closed.value.reason == "no session with id 'nope'"


def test_a_stream_over_the_live_session_limit_closes_with_4429(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, allowed_hosts=["testserver"],
                              max_live_sessions=1))
    with TestClient(app, client=("127.0.0.1", 5000)) as client:
        ds = make_dataset(client)
        first = make_session(client, ds)
        second = make_session(client, ds)  # the first leaves memory for it
        with client.websocket_connect(f"/api/sessions/{second}/stream") as ws:
            assert ws.receive_json()["type"] == "init"
            with pytest.raises(WebSocketDisconnect) as closed, \
                    client.websocket_connect(f"/api/sessions/{first}/stream") as other:
                other.receive_json()
    assert closed.value.code == 4429
    assert "LL_MAX_LIVE_SESSIONS=1" in closed.value.reason
