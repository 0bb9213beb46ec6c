"""One channel for live work: `set_parameters` over the stream, `init` with the model and the
history, `history` messages after every change, checkpoints in frames while playing."""

import json
import re
import time
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from app.routes.stream import _enqueue
from app.schemas.sessions import Control, LayerValues, SetControl, SetParametersControl
from tests.helpers import make_dataset, make_session, wait_until
from tests.test_stream import receive

Layers = list[dict[str, Any]]


def frame_with(ws: WebSocketTestSession, layers: Layers, limit: int = 100) -> dict[str, Any]:
    """The first frame whose weights and biases are `layers`."""
    for _ in range(limit):
        frame = receive(ws, "frame")
        if same_layers(frame["layers"], layers):
            return frame
    raise AssertionError("no frame with the layers sent")


def same_layers(a: Layers, b: Layers) -> bool:
    return len(a) == len(b) and all(
        np.allclose(x["weights"], y["weights"]) and np.allclose(x["bias"], y["bias"])
        for x, y in zip(a, b, strict=True))


def layers_like(client: TestClient, sid: str, value: float) -> Layers:
    """Every weight and bias of the session's network set to `value` (+ a little per place)."""
    model = client.get(f"/api/sessions/{sid}/model").json()
    return [{"weights": (np.asarray(layer["weights"]) * 0 + value
                         + 0.01 * np.arange(np.size(layer["weights"])).reshape(
                             np.shape(layer["weights"]))).tolist(),
             "bias": [value - 0.5] * len(layer["bias"])} for layer in model["layers"]]


def opened(ws: WebSocketTestSession) -> dict[str, Any]:
    """The init message, and the first frame after it."""
    init: dict[str, Any] = ws.receive_json()
    assert init["type"] == "init"
    receive(ws, "frame")
    return init


# ---- init carries what the page draws from ---------------------------------------------------
def test_init_carries_the_model_and_the_history(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client, "sine"), hidden_layers=[3])
    client.post(f"/api/sessions/{sid}/step", json={"steps": 30})
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        init = opened(ws)
    assert init["model"] == client.get(f"/api/sessions/{sid}/model").json()
    assert init["history"] == client.get(f"/api/sessions/{sid}/history").json()
    model = init["model"]
    assert set(model) >= {"standardize", "target_standardize", "transforms", "features",
                          "classes", "layers"}
    assert set(model["standardize"]) == {"mean", "std"} and model["target_standardize"]


# ---- set_parameters over the stream ---------------------------------------------------------
def test_set_parameters_reaches_every_watcher_and_the_model(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3, 2])
    new = layers_like(client, sid, 0.25)
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as a, \
            client.websocket_connect(f"/api/sessions/{sid}/stream") as b:
        opened(a)
        opened(b)
        a.send_json({"type": "set_parameters", "layers": new})
        for ws in (a, b):
            frame = frame_with(ws, new)
            assert frame["step"] == 0 and not frame["peek"]
    model = client.get(f"/api/sessions/{sid}/model").json()
    assert same_layers(model["layers"], new)
    snap = client.get(f"/api/sessions/{sid}/snapshot?grid=4").json()
    assert same_layers(snap["layers"], new)


def test_set_parameters_while_playing_goes_on_from_the_new_weights(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4])
    new = layers_like(client, sid, 0.1)
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)
        ws.send_json({"type": "play", "speed": 30})
        receive(ws, "frame")
        ws.send_json({"type": "set_parameters", "layers": new})
        ws.send_json({"type": "pause"})
        # the two may be carried out in one turn or in two (each then sends a history and a
        # frame): the paused frame comes right after the history of the pause
        history, frame = None, ws.receive_json()
        while not (frame["type"] == "frame" and frame["status"] == "paused"):
            history = frame if frame["type"] == "history" else history
            frame = ws.receive_json()
    assert history is not None and history["steps"][-1] == frame["step"]
    step = client.get(f"/api/sessions/{sid}").json()["step"]
    assert step == frame["step"]


def rest_and_stream_answers(client: TestClient, sid: str, layers: Any) -> tuple[str, str]:
    r = client.put(f"/api/sessions/{sid}/parameters", json={"layers": layers})
    assert r.status_code == 422, r.text
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)
        ws.send_json({"type": "set_parameters", "layers": layers})
        detail: str = receive(ws, "error")["detail"]
        ws.send_json({"type": "step", "steps": 2})  # the stream stays open and usable
        assert receive(ws, "frame")["step"] == 2
    client.post(f"/api/sessions/{sid}/reset")
    rest = r.json()["detail"]
    return rest if isinstance(rest, str) else json.dumps(rest), detail


def test_bad_shapes_get_the_rest_message_and_the_stream_stays_open(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3])
    good = layers_like(client, sid, 0.3)
    cases = {
        "one layer missing": good[:1],
        "a short row": [{"weights": [row[:-1] for row in good[0]["weights"]],
                         "bias": good[0]["bias"]}, good[1]],
        "a ragged row": [{"weights": [good[0]["weights"][0], good[0]["weights"][1][:1]],
                          "bias": good[0]["bias"]}, good[1]],
        "a bias too long": [good[0], {"weights": good[1]["weights"], "bias": [0.0, 0.0]}],
    }
    for what, layers in cases.items():
        rest, stream = rest_and_stream_answers(client, sid, layers)
        assert rest == stream, what  # the same validation, the same words
        assert re.search(r"layer|weights|bias", stream), (what, stream)
    before = client.get(f"/api/sessions/{sid}/model").json()["layers"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)
        for text in ('{"type": "set_parameters", "layers": "many"}',
                     '{"type": "set_parameters"}',
                     '{"type": "set_parameters", "layers": [{"weights": [[NaN]], "bias": [0]}]}'):
            ws.send_text(text)
            assert "set_parameters" in receive(ws, "error")["detail"]
        ws.send_json({"type": "set_parameters", "layers": good})
        frame_with(ws, good)
    assert not same_layers(before, good)


def test_a_large_network_fits_in_one_message(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[32] * 6)
    new = layers_like(client, sid, -0.2)
    text = json.dumps({"type": "set_parameters", "layers": new})
    assert len(text) > 4096  # over the other controls' limit
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)
        ws.send_text(text)
        frame_with(ws, new)
        ws.send_text("x" * (len(text) * 4))  # still bounded
        assert "over the limit" in receive(ws, "error")["detail"]


def test_a_burst_of_set_parameters_folds_to_the_last() -> None:
    def control(bias: float) -> SetParametersControl:
        return SetParametersControl(type="set_parameters",
                                    layers=[LayerValues(weights=[[1.0]], bias=[bias])])
    pending: list[Control] = []
    for bias in (0.1, 0.2, 0.3):
        _enqueue(pending, control(bias))
    assert pending == [control(0.3)]
    _enqueue(pending, SetControl(type="set", learning_rate=0.1))
    _enqueue(pending, control(0.4))
    assert len(pending) == 3 and pending[-1] == control(0.4)


def test_a_burst_over_the_stream_ends_at_the_last(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4])
    bursts = [layers_like(client, sid, v) for v in np.linspace(-1, 1, 40)]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)
        for layers in bursts:
            ws.send_json({"type": "set_parameters", "layers": layers})
        frames = 0
        while True:
            frame = receive(ws, "frame")
            frames += 1
            if same_layers(frame["layers"], bursts[-1]):
                break
    assert frames < len(bursts)  # a burst costs about a frame, never one each
    assert same_layers(client.get(f"/api/sessions/{sid}/model").json()["layers"], bursts[-1])


# ---- history over the stream ---------------------------------------------------------------
def test_a_history_message_after_every_change(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4])
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)

        def history_after(control: dict[str, Any]) -> dict[str, Any]:
            ws.send_json(control)
            msg = receive(ws, "history")
            receive(ws, "frame")
            return msg

        def rest_history() -> dict[str, Any]:
            return {"type": "history", **client.get(f"/api/sessions/{sid}/history").json()}

        h = history_after({"type": "step", "steps": 20})
        assert h == rest_history() and h["steps"][-1] == 20 and 20 in h["checkpoints"]
        h = history_after({"type": "rewind", "step": 10})
        assert h == rest_history() and h["steps"][-1] == 10 and max(h["checkpoints"]) == 10
        h = history_after({"type": "set_parameters",
                           "layers": layers_like(client, sid, 0.05)})
        assert h == rest_history() and h["steps"][-1] == 10
        ws.send_json({"type": "play", "speed": 200})
        receive(ws, "frame")
        h = history_after({"type": "pause"})
        assert h == rest_history() and h["steps"][-1] > 10
        h = history_after({"type": "reset"})
        assert h == rest_history() and h["steps"] == [0] and h["checkpoints"] == [0]


def test_rest_changes_send_history_and_frames_with_the_layers(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[2])
    new = layers_like(client, sid, 0.4)
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)
        assert client.put(f"/api/sessions/{sid}/parameters",
                          json={"layers": new}).status_code == 200
        assert receive(ws, "history")["steps"] == [0]
        frame_with(ws, new)
        client.post(f"/api/sessions/{sid}/step", json={"steps": 7})
        assert receive(ws, "history")["steps"][-1] == 7
        assert receive(ws, "frame")["step"] == 7


def test_frames_carry_the_checkpoints_while_playing(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4])
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)
        ws.send_json({"type": "play"})
        t0, seen = time.monotonic(), []
        while time.monotonic() - t0 < 10:
            frame = receive(ws, "frame")
            seen.append(frame)
            if frame["step"] > 300:
                break
        ws.send_json({"type": "pause"})
        history = receive(ws, "history")
    assert seen[-1]["step"] > 300
    for frame in seen:
        checkpoints = frame["checkpoints"]
        assert checkpoints == sorted(checkpoints) and checkpoints[0] == 0
        assert checkpoints[-1] <= frame["step"]
    assert history["checkpoints"][-1] >= seen[-1]["checkpoints"][-1]  # and none is lost


def test_divergence_while_playing_sends_the_history(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client, "sine"), hidden_layers=[8],
                       activation="relu", optimizer="sgd", learning_rate=10.0)
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        opened(ws)
        ws.send_json({"type": "play"})
        history = receive(ws, "history", limit=2000)
        wait_until(lambda: client.get(f"/api/sessions/{sid}").json()["status"] == "diverged",
                   10, "the run diverged")
    assert history == {"type": "history", **client.get(f"/api/sessions/{sid}/history").json()}


# ---- the page --------------------------------------------------------------------------------
def test_the_page_embeds_the_vocabulary(client: TestClient) -> None:
    html = client.get("/").text
    found = re.search(r'<script type="application/json" id="vocabulary">(.*?)</script>', html,
                      re.S)
    assert found and json.loads(found.group(1))["activations"][0]["key"] == "sigmoid"
