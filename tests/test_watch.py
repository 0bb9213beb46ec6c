"""Watching a live session (`?role=watch`) and handing a session over to another process."""

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from app.routes.stream import NOT_YOURS
from app.training.player import MOVED, Players
from tests.test_sessions_api import make_dataset, make_session
from tests.test_stream import frame_at, receive


def until(ws: WebSocketTestSession, test: Any, kind: str = "frame", limit: int = 300
          ) -> dict[str, Any]:
    """The first message of type `kind` for which `test(msg)` holds."""
    for _ in range(limit):
        msg = receive(ws, kind)
        if test(msg):
            return msg
    raise AssertionError(f"no {kind} message passing the test in {limit}")


def test_a_watcher_sees_the_owners_run_and_cannot_change_it(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client), hidden_layers=[3])["id"]
    base = f"/api/sessions/{sid}/stream"
    with client.websocket_connect(base) as owner, \
            client.websocket_connect(f"{base}?role=watch") as watcher:
        owner.receive_json()
        watcher.receive_json()
        assert until(owner, lambda m: m["count"] == 1, "watchers")["allow_control"] is False
        owner.send_json({"type": "play"})
        steps = [until(watcher, lambda f: f["step"] > 0)["step"] for _ in range(4)]
        assert steps == sorted(steps) and steps[-1] > steps[0]  # the watcher's frames advance
        for control in ({"type": "pause"}, {"type": "step", "steps": 3}, {"type": "reset"},
                        {"type": "set", "learning_rate": 0.5},
                        {"type": "share", "allow_control": True}):
            watcher.send_json(control)
            detail = receive(watcher, "error")["detail"]
            assert detail in (NOT_YOURS, "only the session's owner can share control")
        assert until(watcher, lambda f: True)["status"] == "running"  # the pause was refused
        owner.send_json({"type": "pause"})  # the owner's pause pauses everyone
        last = until(watcher, lambda f: f["status"] == "paused")
        owner.send_json({"type": "step", "steps": 2})
        assert frame_at(watcher, last["step"] + 2)["status"] == "paused"
    session = client.get(f"/api/sessions/{sid}").json()
    assert session["step"] == last["step"] + 2
    assert session["config"]["learning_rate"] != 0.5  # the watcher's set never landed


def test_the_owner_can_let_watchers_control_and_sees_how_many_watch(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    base = f"/api/sessions/{sid}/stream"
    with client.websocket_connect(base) as owner:
        owner.receive_json()
        with client.websocket_connect(f"{base}?role=watch") as a, \
                client.websocket_connect(f"{base}?role=watch") as b:
            a.receive_json()
            b.receive_json()
            until(owner, lambda m: m["count"] == 2, "watchers")
            owner.send_json({"type": "share", "allow_control": True})
            until(a, lambda m: m["allow_control"], "watchers")
            a.send_json({"type": "step", "steps": 5})
            frame_at(b, 5)
        until(owner, lambda m: m["count"] == 0, "watchers")
    assert client.get(f"/api/sessions/{sid}").json()["step"] == 5


def test_an_unknown_role_is_refused(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    with pytest.raises(WebSocketDisconnect) as info, \
            client.websocket_connect(f"/api/sessions/{sid}/stream?role=boss") as ws:
        ws.receive_json()
    assert info.value.code == 4422 and "role must be 'own' or 'watch'" in info.value.reason


def test_a_handover_closes_every_stream_with_1012_and_changes_nothing_after(
        app: FastAPI, client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    players: Players = app.state.players
    with client.websocket_connect(f"/api/sessions/{sid}/stream") as ws:
        ws.receive_json()
        ws.send_json({"type": "step", "steps": 3})
        frame_at(ws, 3)
        ws.portal.call(players.hand_over, sid)  # type: ignore[attr-defined]
        with pytest.raises(WebSocketDisconnect) as info:
            for _ in range(50):
                ws.receive_json()
        assert (info.value.code, info.value.reason) == MOVED
    assert sid not in players.by_id


def test_watchers_are_told_which_session_the_owner_went_on_to(client: TestClient) -> None:
    sid = make_session(client, make_dataset(client))["id"]
    base = f"/api/sessions/{sid}/stream"
    with client.websocket_connect(base) as owner, \
            client.websocket_connect(f"{base}?role=watch") as watcher:
        owner.receive_json()
        watcher.receive_json()
        until(owner, lambda m: m["count"] == 1, "watchers")
        owner.send_json({"type": "share", "follow": "<script>", "hash": "#x"})
        assert "follow" in str(receive(owner, "error")["detail"])
        owner.send_json({"type": "share", "follow": "abc123", "hash": "#data=xor&layers=4"})
        moved = receive(watcher, "moved")
        assert moved == {"type": "moved", "session": "abc123", "hash": "#data=xor&layers=4"}
        owner.send_json({"type": "step", "steps": 1})  # the owner itself was not sent `moved`
        for _ in range(20):
            msg = owner.receive_json()
            assert msg["type"] != "moved"
            if msg["type"] == "frame" and msg["step"] == 1:
                break
