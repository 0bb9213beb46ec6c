"""The live stream: init first, frames while playing, controls, errors, several watchers."""

import base64
import itertools
import json
import math
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from websockets.sync.client import connect as ws_connect

from tests.helpers import make_dataset as make_api_dataset
from tests.helpers import make_session as make_api_session
from tests.helpers import server, wait_until
from tests.test_sessions_api import make_dataset, make_session


def receive(ws: WebSocketTestSession, kind: str, limit: int = 300) -> dict[str, Any]:
    """The next message of type `kind` (skipping others)."""
    for _ in range(limit):
        msg: dict[str, Any] = ws.receive_json()
        if msg["type"] == kind:
            return msg
    raise AssertionError(f"no {kind} message in {limit}")


def frame_at(ws: WebSocketTestSession, step: int, limit: int = 50) -> dict[str, Any]:
    """The first frame showing `step` (earlier frames may still be on their way)."""
    for _ in range(limit):
        frame = receive(ws, "frame")
        if frame["step"] == step:
            return frame
    raise AssertionError(f"no frame at step {step}")


def decode(grid: dict[str, Any]) -> np.ndarray:
    u = np.frombuffer(base64.b64decode(grid["data"]), dtype=np.uint8)
    return np.asarray(grid["lo"] + (grid["hi"] - grid["lo"]) * u / 255.0)


def test_init_then_a_frame_with_every_map(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3, 2])["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        init = ws.receive_json()
        assert init["type"] == "init"
        assert init["network"]["sizes"] == [2, 3, 2, 1]
        assert init["session"]["id"] == sid
        assert len(init["points"]["train"]["x"]) == 160
        assert [m["name"] for m in init["input_maps"]] == ["x1", "x2"]
        g, ng = init["grid"]["size"], init["grid"]["neuron_size"]
        frame = receive(ws, "frame")
        assert frame["step"] == 0
        assert decode(frame["output"][0]).shape == (g * g,)
        assert [len(layer) for layer in frame["neurons"]] == [3, 2]
        assert decode(frame["neurons"][1][0]).shape == (ng * ng,)


def test_frame_maps_match_the_snapshot(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4])["id"]
    client.post(f"/api/sessions/{sid}/step", json={"steps": 40})
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        init = ws.receive_json()
        frame = receive(ws, "frame")
    g = init["grid"]["size"]
    snap = client.get(f"/api/sessions/{sid}/snapshot?grid={g}").json()
    out = decode(frame["output"][0]).reshape(g, g)
    assert np.abs(out - np.asarray(snap["output"])).max() <= 1 / 255 + 1e-6


def test_step_control_trains_exactly_n_steps(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        receive(ws, "frame")
        ws.send_json({"type": "step", "steps": 7})
        frame_at(ws, 7)
    assert client.get(f"/api/sessions/{sid}").json()["step"] == 7


def test_play_streams_frames_and_pause_stops_them(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4])["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        receive(ws, "frame")
        ws.send_json({"type": "play"})
        steps = [receive(ws, "frame")["step"] for _ in range(5)]
        assert steps == sorted(steps) and steps[-1] > steps[0] > 0
        ws.send_json({"type": "pause"})
        last = receive(ws, "frame")
        while last["status"] != "paused":
            last = receive(ws, "frame")
        # nothing trains after the pause: one more step lands exactly one step further
        # (controls are carried out in order; a play loop still running would be ahead)
        ws.send_json({"type": "step", "steps": 1})
        assert frame_at(ws, last["step"] + 1)["status"] == "paused"
        assert client.get(f"/api/sessions/{sid}").json()["step"] == last["step"] + 1


def test_play_at_a_given_speed_is_paced(client: TestClient) -> None:
    """At 60 steps/s a tick (1/30 s) trains 2 steps. A tick stretches only while frames take
    over FRAME_SHARE of it: past 1/6 s only if a frame takes over 67 ms, so at most 10 steps
    a frame, where full speed trains thousands in the first tick. Every frame reaches this
    client (the test client queues them all). (The rate in steps per second over a real
    socket: `make bench`, tests/bench/bench_play.py.)"""
    most = 10
    sid = make_session(client, make_dataset(client))["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        receive(ws, "frame")
        ws.send_json({"type": "play", "speed": 60})
        steps = [0]
        while steps[-1] < 30:
            steps.append(receive(ws, "frame")["step"])
        ws.send_json({"type": "pause"})
    increments = [b - a for a, b in itertools.pairwise(steps)]
    assert min(increments) >= 0, steps
    assert max(increments) <= most, steps
    assert len(steps) >= 1 + math.ceil(30 / most), steps


def test_bad_control_messages_get_errors_and_the_stream_stays_open(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        for bad, words in [
            ("not json", "bad control message"),
            (json.dumps({"type": "dance"}), "type"),
            (json.dumps({"type": "step", "steps": -3}), "steps"),
            (json.dumps({"type": "rewind", "step": 999}), "no checkpoint at step 999"),
            ("x" * 5000, "over the limit"),
        ]:
            ws.send_text(bad)
            err = receive(ws, "error")
            assert words in err["detail"]
        ws.send_json({"type": "step", "steps": 2})
        frame_at(ws, 2)


def test_set_reset_and_rewind_controls(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "set", "learning_rate": 0.2, "l2": 0.001})
        receive(ws, "frame")
        cfg = client.get(f"/api/sessions/{sid}").json()["config"]
        assert (cfg["learning_rate"], cfg["l2"]) == (0.2, 0.001)
        ws.send_json({"type": "step", "steps": 5})
        frame_at(ws, 5)
        ws.send_json({"type": "rewind", "step": 3})
        frame_at(ws, 3)
        ws.send_json({"type": "reset"})
        frame_at(ws, 0)


def test_two_watchers_see_the_same_session(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as a, \
            client.websocket_connect(f"/api/sessions/{sid}/stream") as b:
        a.receive_json()
        b.receive_json()
        a.send_json({"type": "step", "steps": 4})
        frame_at(a, 4)
        frame_at(b, 4)


def test_unknown_session_closes_the_socket(client: TestClient) -> None:
    import pytest
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as info, \
            client.websocket_connect("/api/sessions/nope/stream") as ws:
        ws.receive_json()
    assert info.value.code == 4404


def test_last_watcher_leaving_pauses_training(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "play"})
        receive(ws, "frame")
        receive(ws, "frame")

    def paused() -> bool:
        return bool(client.get(f"/api/sessions/{sid}").json()["status"] == "paused")

    wait_until(paused, 30, "the session pausing once its last watcher left")
    first = client.get(f"/api/sessions/{sid}").json()
    assert first["step"] > 0
    # nothing trains it any more: one more step lands exactly one step further
    r = client.post(f"/api/sessions/{sid}/step", json={"steps": 1})
    assert r.status_code == 200 and r.json()["step"] == first["step"] + 1


def test_peek_shows_a_past_step_to_the_asker_only(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3])["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        first = frame_at(ws, 0)
        ws.send_json({"type": "step", "steps": 20})
        frame_at(ws, 20)
        ws.send_json({"type": "peek", "step": 0})
        peek = receive(ws, "frame")
        while not peek["peek"]:
            peek = receive(ws, "frame")
        assert peek["step"] == 0 and peek["output"] == first["output"]
        assert peek["layers"] == first["layers"]
    assert client.get(f"/api/sessions/{sid}").json()["step"] == 20


def test_frames_carry_the_points_in_hidden_space(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4, 2])["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        init = ws.receive_json()
        frame = receive(ws, "frame")
    hp = frame["hidden_points"]
    assert len(hp["train"]) == 2 and len(hp["test"]) == 2  # one column per last-hidden neuron
    h0 = decode(hp["train"][0])
    assert h0.shape == (len(init["points"]["train"]["x"]),)
    pred = client.post(f"/api/sessions/{sid}/predict",
                       json={"points": init["points"]["train"]["x"]}).json()
    np.testing.assert_allclose(h0, np.asarray(pred["activations"][1])[:, 0], atol=1 / 255)


def test_a_diverged_run_streams_valid_json_with_its_last_finite_weights(
    client: TestClient,
) -> None:
    sid = make_session(client, make_dataset(client, "sine"), hidden_layers=[8],
                       activation="relu", optimizer="sgd", learning_rate=10.0)["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "play"})
        frame = receive(ws, "frame")
        while frame["status"] != "diverged":
            frame = receive(ws, "frame")
        text = json.dumps(frame, allow_nan=False)  # no NaN or Infinity anywhere
        assert "NaN or inf" in frame["message"]
        assert np.isfinite(np.asarray(frame["layers"][0]["weights"])).all()
        ws.send_json({"type": "play"})
        assert "reset or rewind" in receive(ws, "error")["detail"]
    assert text
    snap = client.get(f"/api/sessions/{sid}/snapshot?grid=5")
    assert snap.status_code == 200
    layers = [{"weights": (0.1 * np.sign(la["weights"])).tolist(), "bias": [0.0] * len(la["bias"])}
              for la in snap.json()["layers"]]  # tame, hand-set weights of the same shape
    r = client.put(f"/api/sessions/{sid}/parameters", json={"layers": layers})
    assert r.json()["status"] == "paused"  # a hand edit recovers too
    client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.001})
    assert client.post(f"/api/sessions/{sid}/step", json={"steps": 3}).json()["status"] == "paused"


def test_the_live_session_limit_refuses_a_new_session_while_all_play(
    client: TestClient,
) -> None:
    client.app.state.settings.max_live_sessions = 1  # type: ignore[attr-defined]
    ds = make_dataset(client)
    sid = make_session(client, ds)["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "play"})
        receive(ws, "frame")
        r = client.post("/api/sessions", json={"dataset_id": ds})
        assert r.status_code == 429
        assert "LL_MAX_LIVE_SESSIONS=1" in r.json()["detail"]
        ws.send_json({"type": "pause"})
    assert client.post("/api/sessions", json={"dataset_id": ds}).status_code == 201




def test_changes_sent_while_a_step_runs_still_land_after_closing(tmp_path: Path) -> None:
    """A learning rate and new weights sent while 10 000 steps run, then the socket closed,
    are carried out after the steps (they were dropped when the client left during a burst:
    the learning rate stayed 0.03); a play sent with them is not (nobody is left to watch).
    A real server: the test client cancels the app's task when its socket closes."""
    with server(tmp_path / "data", tmp_path / "log") as base, httpx.Client(base_url=base) as api:
        sid = make_api_session(api, make_api_dataset(api))
        layers = api.get(f"/api/sessions/{sid}/model").json()["layers"]
        edited = [{"weights": la["weights"], "bias": [0.25] * len(la["bias"])} for la in layers]
        with ws_connect(base.replace("http", "ws") + f"/api/sessions/{sid}/stream") as ws:
            ws.recv()
            ws.send(json.dumps({"type": "step", "steps": 10000}))
            time.sleep(0.3)  # the steps are under way (about 1 s of them)
            for msg in ({"type": "set", "learning_rate": 0.07},
                        {"type": "set_parameters", "layers": edited}, {"type": "play"}):
                ws.send(json.dumps(msg))
        wait_until(lambda: api.get(f"/api/sessions/{sid}").json()["config"]["learning_rate"]
                   == 0.07, 30, "the learning rate sent before closing")
        session = api.get(f"/api/sessions/{sid}").json()
        assert session["step"] == 10000 and session["status"] != "running"
        model = api.get(f"/api/sessions/{sid}/model").json()
        assert all(b == 0.25 for la in model["layers"] for b in la["bias"])


def test_a_change_sent_behind_a_step_that_takes_its_whole_time_still_lands(
        tmp_path: Path) -> None:
    """A step that runs out LL_MAX_SECONDS_PER_REQUEST (12 s here), then a learning rate,
    then the socket closed: the rate lands after the step stops (the gone client's changes
    were given 10 s in all, so it was dropped)."""
    with server(tmp_path / "data", tmp_path / "log", LL_MAX_SECONDS_PER_REQUEST="12") as base, \
            httpx.Client(base_url=base, timeout=60) as api:
        sid = make_api_session(api, make_api_dataset(api))
        with ws_connect(base.replace("http", "ws") + f"/api/sessions/{sid}/stream") as ws:
            ws.recv()
            ws.send(json.dumps({"type": "step", "steps": 1_000_000}))
            time.sleep(0.3)  # the steps are under way
            ws.send(json.dumps({"type": "set", "learning_rate": 0.07}))
        wait_until(lambda: api.get(f"/api/sessions/{sid}").json()["config"]["learning_rate"]
                   == 0.07, 40, "the learning rate sent behind the long step")
        assert 0 < api.get(f"/api/sessions/{sid}").json()["step"] < 1_000_000
