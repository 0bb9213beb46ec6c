"""Binary frames and views: the documented layout, the same maps as JSON frames, only the maps
a client asks for, nothing built for nobody, and fair turns for fifty sessions."""

import base64
import json
import struct
import threading
import time
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession

from app.training import framing, player
from tests.helpers import wait_until
from tests.test_sessions_api import make_dataset, make_session
from tests.test_stream import receive

NO_MAPS = {"type": "view", "output": 0, "neurons": "none", "hidden_points": False}


def unpack(data: bytes) -> dict[str, Any]:
    """A binary frame decoded as the README says, into the JSON frame's shape: every map's
    "data" as base64 again, every layer's weights and bias as lists."""
    (n,) = struct.unpack_from("<I", data)
    assert (4 + n) % 8 == 0  # the payload starts aligned
    header: dict[str, Any] = json.loads(data[4:4 + n].decode("utf-8"))
    payload = memoryview(data)[4 + n:]

    def floats(part: dict[str, Any]) -> Any:
        assert part["dtype"] == "float64"
        count = int(np.prod(part["shape"]))
        values = np.frombuffer(payload, "<f8", count, part["offset"])
        return values.reshape(part["shape"]).tolist()

    def levels(m: dict[str, Any] | None) -> dict[str, Any] | None:
        if m is None:
            return None
        size = m["shape"][0] * m["shape"][1]
        u8 = bytes(payload[m.pop("offset"):][:size])
        return {**m, "data": base64.b64encode(u8).decode("ascii")}

    header["layers"] = [{"weights": floats(la["weights"]), "bias": floats(la["bias"])}
                        for la in header["layers"]]
    header["output"] = [levels(m) for m in header["output"]]
    header["neurons"] = [[levels(m) for m in layer] for layer in header["neurons"]]
    if header["hidden_points"] is not None:
        header["hidden_points"] = {k: [levels(m) for m in maps]
                                   for k, maps in header["hidden_points"].items()}
    return header


def next_frame(ws: WebSocketTestSession, limit: int = 300) -> dict[str, Any]:
    """The next frame, from a JSON or a binary stream (other messages skipped)."""
    for _ in range(limit):
        message = ws.receive()
        if message.get("bytes") is not None:
            return unpack(message["bytes"])
        msg: dict[str, Any] = json.loads(message["text"])
        if msg["type"] == "frame":
            return msg
    raise AssertionError(f"no frame in {limit} messages")


def frame_at(ws: WebSocketTestSession, step: int) -> dict[str, Any]:
    for _ in range(50):
        frame = next_frame(ws)
        if frame["step"] == step:
            return frame
    raise AssertionError(f"no frame at step {step}")


def values(m: dict[str, Any]) -> np.ndarray:
    u = np.frombuffer(base64.b64decode(m["data"]), dtype=np.uint8)
    return np.asarray(m["lo"] + (m["hi"] - m["lo"]) * u / 255.0).reshape(m["shape"])


def test_binary_and_json_frames_carry_the_same_maps_and_parameters(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4, 3])["id"]
    url = f"/api/sessions/{sid}/stream"
    with client.websocket_connect(url) as text, \
            client.websocket_connect(url + "?format=binary") as binary:
        assert text.receive_json()["type"] == "init"
        assert binary.receive_json()["type"] == "init"  # every other message stays JSON text
        text.send_json({"type": "step", "steps": 25})
        a, b = frame_at(text, 25), frame_at(binary, 25)
    assert b["layers"] == a["layers"]  # float64: exactly the JSON numbers
    for key in ("step", "epoch", "status", "metrics", "checkpoints", "peek"):
        assert b[key] == a[key]
    g = client.get(f"/api/sessions/{sid}/snapshot?grid=100").json()
    for ma, mb in zip(a["output"], b["output"], strict=True):
        assert mb["shape"] == [100, 100]
        assert np.abs(values(mb) - values(ma)).max() <= 1 / 255 + 1e-9
        assert np.abs(values(mb) - np.asarray(g["output"])).max() <= 1 / 255 + 1e-6
    for la, lb in zip(a["neurons"], b["neurons"], strict=True):
        for ma, mb in zip(la, lb, strict=True):
            assert mb["shape"] == [64, 64] and (mb["lo"], mb["hi"]) == (ma["lo"], ma["hi"])
            np.testing.assert_array_equal(values(mb), values(ma))
    for k in ("train", "test"):
        for ma, mb in zip(a["hidden_points"][k], b["hidden_points"][k], strict=True):
            np.testing.assert_array_equal(values(mb), values(ma))


def test_a_client_that_asks_for_no_maps_gets_none(client: TestClient,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4, 3])["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream?format=binary") as ws:
        ws.receive_json()
        next_frame(ws)
        grids = count_calls(monkeypatch, framing, "evaluate_at")
        ws.send_json(NO_MAPS)
        ws.send_json({"type": "step", "steps": 3})
        while (message := ws.receive()).get("bytes") is None or unpack(
                message["bytes"])["step"] != 3:
            pass
    frame = unpack(message["bytes"])
    assert frame["output"] == [] and frame["hidden_points"] is None
    assert frame["neurons"] == [[None] * 4, [None] * 3]
    assert len(frame["layers"]) == 3 and frame["metrics"]["train_loss"] is not None
    (n,) = struct.unpack_from("<I", message["bytes"])
    assert len(message["bytes"]) - 4 - n == 8 * (2 * 4 + 4 * 3 + 3 + 4 + 3 + 1)  # parameters
    assert grids.calls == 0


def test_a_view_of_some_neurons_at_a_small_size(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4, 3])["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream?format=binary") as ws:
        ws.receive_json()
        next_frame(ws)
        ws.send_json({"type": "view", "output": 40, "neuron_size": 24,
                      "neurons": [{"layer": 1, "index": 2}, {"layer": 2, "index": 0}]})
        ws.send_json({"type": "step", "steps": 2})
        frame = frame_at(ws, 2)
        with client.websocket_connect(f"/api/sessions/{sid}/stream") as other:  # its own view
            other.receive_json()
            assert next_frame(other)["neurons"][0][0]["shape"] == [64, 64]
    assert [m["shape"] for m in frame["output"]] == [[40, 40]]
    shown = [[m is not None for m in layer] for layer in frame["neurons"]]
    assert shown == [[False, False, True, False], [True, False, False]]
    assert frame["neurons"][0][2]["shape"] == [24, 24]
    assert frame["hidden_points"] is not None
    snap = client.get(f"/api/sessions/{sid}/snapshot?grid=24").json()
    assert np.abs(values(frame["neurons"][1][0]) - np.asarray(snap["neurons"][1][0])).max() \
        <= 1 / 255 + 1e-6


@pytest.mark.parametrize(("view", "words"), [
    ({"output": 500}, "output 500 is over the limit of 200"),
    ({"neuron_size": 201}, "neuron_size 201 is over the limit of 200"),
    ({"neuron_size": 1}, "neuron_size"),
    ({"output": -1}, "output"),
    ({"neurons": "some"}, "neurons"),
    ({"neurons": [{"layer": 3, "index": 0}]}, "no neuron 0 in hidden layer 3"),
    ({"neurons": [{"layer": 1, "index": 4}]}, "hidden layers have [4, 3] neurons"),
    ({"neurons": [{"layer": 0, "index": 0}]}, "layer"),
    ({"hidden_points": "yes"}, "hidden_points"),
    ({"colour": "red"}, "colour"),
])
def test_bad_view_messages_get_clear_errors(client: TestClient, view: dict[str, Any],
                                            words: str) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[4, 3])["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "view", **view})
        detail = receive(ws, "error")["detail"]
        assert words in detail and "view" in detail
        ws.send_json({"type": "step", "steps": 1})  # still open, the default view kept
        frame = frame_at(ws, 1)
        assert frame["output"][0]["shape"] == [100, 100]


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.args: list[tuple[Any, ...]] = []

    def rows(self) -> list[int]:
        """Of forward passes (evaluate_at): how many points each one took."""
        return [len(args[1]) for args in self.args]


def count_calls(monkeypatch: pytest.MonkeyPatch, module: Any, name: str) -> Counter:
    """Count the calls of module.name, and keep their arguments (still calling it)."""
    counter, real = Counter(), getattr(module, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counter.calls += 1
        counter.args.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, counted)
    return counter


def test_no_frame_is_built_for_a_session_nobody_watches(
    client: TestClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    built = count_calls(monkeypatch, player, "frames_for")
    sid = make_session(client, make_dataset(client))["id"]
    assert client.post(f"/api/sessions/{sid}/step", json={"steps": 50}).status_code == 200
    client.patch(f"/api/sessions/{sid}", json={"learning_rate": 0.5})
    assert built.calls == 0
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "play"})
        next_frame(ws)
        next_frame(ws)
    wait_until(lambda: client.get(f"/api/sessions/{sid}").json()["status"] == "paused", 30,
               "the session pausing once its last watcher left")
    after = built.calls
    assert client.post(f"/api/sessions/{sid}/step", json={"steps": 5}).status_code == 200
    assert built.calls == after


def test_a_frame_of_unmoved_parameters_evaluates_nothing_again(
    client: TestClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3])["id"]
    passes = count_calls(monkeypatch, framing, "evaluate_at")
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        first = next_frame(ws)
        points = passes.rows()[1]  # the hidden points' pass: its own points
        assert passes.rows() == [100 * 100 + 64 * 64, points]  # both grids in one pass
        ws.send_json({"type": "set", "learning_rate": 0.2})  # a frame, the same weights
        again = next_frame(ws)
        assert passes.calls == 2 and again["output"] == first["output"]
        ws.send_json({"type": "view", "output": 64})  # one size for both
        ws.send_json({"type": "step", "steps": 1})
        frame_at(ws, 1)
        assert passes.rows()[2:] == [64 * 64, points]


def test_a_frame_lists_the_checkpoints_and_leaves_the_pending_steps_unscored(
    client: TestClient,
) -> None:
    """A frame's checkpoints are the history's, read without scoring the steps waiting to be
    scored together (a frame at every tick would score them a few at a time)."""
    sid = make_session(client, make_dataset(client), hidden_layers=[3])["id"]
    s = client.app.state.registry.get(sid)  # type: ignore[attr-defined]
    s.train(7)
    waiting = len(s._pending)
    assert waiting == 7  # every step of a young run is recorded, and scored later
    (frame,) = framing.frames_for(s, {(framing.DEFAULT_VIEW, "json")}).values()
    assert len(s._pending) == waiting
    history = client.get(f"/api/sessions/{sid}/history").json()
    assert json.loads(frame)["checkpoints"] == history["checkpoints"]
    assert history["steps"] == list(range(8))  # and every step is scored when read


def test_fifty_sessions_playing_at_once_all_advance(client: TestClient) -> None:
    """Every playing session gets its turns: none is starved by the others (their frames
    carry no maps, so the test client's unread queues stay small)."""
    ds = make_dataset(client, n=100)
    sids = [make_session(client, ds, hidden_layers=[8, 8] if i % 2 else [4])["id"]
            for i in range(50)]
    registry = client.app.state.registry  # type: ignore[attr-defined]
    sockets = [client.websocket_connect(f"/api/sessions/{sid}/stream?format=binary")
               for sid in sids]
    try:
        for ws in sockets:
            ws.__enter__()
            ws.receive_json()
            ws.send_json(NO_MAPS)
            ws.send_json({"type": "play"})
        start = {sid: registry.get(sid).step_count for sid in sids}

        def all_advanced() -> bool:
            return all(registry.get(sid).step_count > start[sid] + 20 for sid in sids)

        wait_until(all_advanced, 120, "every one of 50 sessions training")
    finally:
        for ws in sockets:
            ws.send_json({"type": "pause"})
            ws.__exit__(None, None, None)


def test_a_tick_builds_frames_for_the_watchers_ready_once_it_has_trained(
    client: TestClient,
) -> None:
    """Who gets a frame is asked after the tick's training, not when the tick began: a watcher
    still sending the last frame at the start (its send outlasted the short sleep between
    ticks) but done by then gets this tick's frame; one still sending gets none."""
    sid = make_session(client, make_dataset(client))["id"]
    s = client.app.state.registry.get(sid)  # type: ignore[attr-defined]
    p = client.app.state.players.of(s)  # type: ignore[attr-defined]

    async def unused(_: str | bytes) -> None:
        raise AssertionError("nothing is sent here")

    done, busy = player.Watcher(unused, "binary"), player.Watcher(unused, "binary")
    done.sending = busy.sending = True
    sent = threading.Timer(0.01, setattr, (done, "sending", False))
    sent.start()
    frames = p._advance(10**6, 0.6, (done, busy))  # 0.6 s of training: the send ends in it
    sent.join()
    assert s.step_count > 0 and list(frames) == [done.key]
    assert p._advance(10**6, 0.01, (busy,)) == {}


def test_a_tick_alone_on_the_worker_ends_on_time_and_a_queued_one_trains_its_budget(
    client: TestClient,
) -> None:
    """A tick whose job the worker took up at once ends its training by the tick's due time
    (so that a late start does not make its frame late, and late frames do not add up to a
    lost one); a job that waited behind other sessions' trains its whole budget (frames
    never come before steps), as does one whose tick is due already."""
    sid = make_session(client, make_dataset(client))["id"]
    p = client.app.state.players.of(client.app.state.registry.get(sid))  # type: ignore[attr-defined]

    def took(budget: float, due_in: float, waited: float) -> float:
        start = time.monotonic()
        p._advance(10**6, budget, (), start + due_in, start - waited)
        return time.monotonic() - start

    assert took(1.0, 0.05, 0.0) < 0.5  # (a wide margin: a busy machine stalls a step)
    assert took(0.2, 0.05, 0.01) >= 0.19
    assert took(0.2, -0.01, 0.0) >= 0.19  # more than a tick late: the clock starts afresh


def test_sessions_playing_together_train_about_as_many_steps_each(client: TestClient) -> None:
    """A tick's training time is shared out in equal numbers of steps: a network whose steps
    cost several times another's still trains about as many (equal slices of time gave it
    a fraction of the other's steps)."""
    ds = make_dataset(client, n=300)
    small, large = (make_session(client, ds, hidden_layers=h)["id"] for h in ([2], [24, 24, 24]))
    registry = client.app.state.registry  # type: ignore[attr-defined]
    sockets = [client.websocket_connect(f"/api/sessions/{sid}/stream?format=binary")
               for sid in (small, large)]
    try:
        for ws in sockets:
            ws.__enter__()
            ws.receive_json()
            ws.send_json(NO_MAPS)
            ws.send_json({"type": "play"})
        steps = {sid: registry.get(sid).step_count for sid in (small, large)}
        wait_until(lambda: all(registry.get(sid).step_count > steps[sid] + 3000
                               for sid in steps), 60, "both sessions warming up")
        steps = {sid: registry.get(sid).step_count for sid in steps}
        started = time.monotonic()
        while time.monotonic() - started < 3:
            time.sleep(0.1)
        done = {sid: registry.get(sid).step_count - steps[sid] for sid in steps}
    finally:
        for ws in sockets:
            ws.send_json({"type": "pause"})
            ws.__exit__(None, None, None)
    assert done[large] >= 0.6 * done[small], done


def test_a_heavy_session_weighs_at_most_twice_the_median() -> None:
    """Nine sessions at 0.1 ms a step and one at 10 ms: the heavy one's slice of training
    time weighs as a 0.2 ms session (HEAVY × the median), not its own 100 times, so the
    others keep 82 % of the time; a session not measured yet weighs as the median one."""
    def at(cost: float | None) -> Any:
        return SimpleNamespace(_cost=SimpleNamespace(value=cost))

    light, heavy, new = [at(1e-4) for _ in range(9)], at(1e-2), at(None)
    playing = (*light, heavy)
    assert player._slice(heavy, playing) == pytest.approx(2e-4 / 11e-4)
    assert sum(player._slice(p, playing) for p in light) == pytest.approx(9e-4 / 11e-4)
    assert player._slice(new, (*light, new)) == pytest.approx(0.1)
    assert player._slice(new, (new, at(None))) == 0.5


def test_one_stalled_tick_hardly_moves_a_sessions_step_cost() -> None:
    """Ticks of 10 steps in 1 ms, then one whose single step waited 10 ms for the interpreter
    lock: the step cost rises to about 0.2 ms (the time over the steps of the recent ticks),
    where a running mean of each tick's ratio jumped to 2.1 ms and gave the session ten times
    its share of the next ticks."""
    cost = player.StepCost()
    assert cost.value is None
    cost.add(0.001, 10)
    assert cost.value == pytest.approx(1e-4)
    for _ in range(30):
        cost.add(0.001, 10)
    cost.add(0.010, 1)
    assert cost.value is not None and 1e-4 < cost.value < 2.5e-4
    stalled = cost.value
    cost.add(0.5, 0)  # a tick that trained nothing counts for nothing
    assert cost.value == stalled


def test_a_burst_of_views_folds_to_the_last() -> None:
    from app.routes.stream import _enqueue
    from app.schemas.sessions import Control, ViewControl

    pending: list[Control] = []
    for size in (10, 20, 30):
        _enqueue(pending, ViewControl(type="view", output=size))
    assert pending == [ViewControl(type="view", output=30)]


def test_watchers_of_one_view_share_its_frame_and_every_view_its_passes(
    client: TestClient, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three watchers, two formats, one view: one read of the session, one forward pass for
    its grids and one for the hidden points; the JSON and binary frames say the same."""
    sid = make_session(client, make_dataset(client), hidden_layers=[3])["id"]
    url = f"/api/sessions/{sid}/stream"
    with client.websocket_connect(url) as a, client.websocket_connect(url) as b, \
            client.websocket_connect(url + "?format=binary") as c:
        for ws in (a, b, c):
            ws.receive_json()
            next_frame(ws)
        grids = count_calls(monkeypatch, framing, "evaluate_at")
        built = count_calls(monkeypatch, player, "frames_for")
        a.send_json({"type": "step", "steps": 4})
        fa, fb, fc = frame_at(a, 4), frame_at(b, 4), frame_at(c, 4)
    assert (built.calls, grids.calls) == (1, 2)
    assert fa == fb and fc["output"] == fa["output"] and fc["neurons"] == fa["neurons"]


def test_a_binary_client_peeks_in_binary(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3])["id"]
    with client.websocket_connect(f"/api/sessions/{sid}/stream?format=binary") as ws:
        ws.receive_json()
        first = next_frame(ws)
        ws.send_json({"type": "step", "steps": 10})
        frame_at(ws, 10)
        ws.send_json({"type": "peek", "step": 0})
        while not (peek := next_frame(ws))["peek"]:
            pass
    assert peek["step"] == 0 and peek["output"] == first["output"]
    assert peek["layers"] == first["layers"]


def test_an_unknown_format_is_refused_with_4422_and_a_reason(client: TestClient) -> None:
    from starlette.websockets import WebSocketDisconnect

    sid = make_session(client, make_dataset(client))["id"]
    with pytest.raises(WebSocketDisconnect) as info, \
            client.websocket_connect(f"/api/sessions/{sid}/stream?format=xml") as ws:
        ws.receive_json()
    assert info.value.code == 4422 and "'json' or 'binary', got 'xml'" in info.value.reason


@pytest.mark.parametrize(("kind", "extra", "out_shape", "channels", "neuron_shape"), [
    ("sine", {}, [1, 100], 1, [1, 24]),  # 1-D: a map is one row along x
    ("blobs", {"classes": 3}, [100, 100], 3, [24, 24]),  # one map per class
])
def test_one_d_and_multiclass_binary_frames(
    client: TestClient, kind: str, extra: dict[str, Any], out_shape: list[int], channels: int,
    neuron_shape: list[int],
) -> None:
    sid = make_session(client, make_dataset(client, kind, **extra), hidden_layers=[3])["id"]
    url = f"/api/sessions/{sid}/stream"
    with client.websocket_connect(url) as text, \
            client.websocket_connect(url + "?format=binary") as binary:
        text.receive_json()
        binary.receive_json()
        binary.send_json({"type": "view", "neuron_size": 24})
        for _ in range(50):  # the view is carried out in its own turn: wait for its frame
            if next_frame(binary)["neurons"][0][0]["shape"] == neuron_shape:
                break
        text.send_json({"type": "step", "steps": 5})
        a, b = frame_at(text, 5), frame_at(binary, 5)
    assert [m["shape"] for m in b["output"]] == [out_shape] * channels
    assert b["output"] == a["output"]
    assert b["neurons"][0][0]["shape"] == neuron_shape
