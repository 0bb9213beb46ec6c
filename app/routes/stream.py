"""The live stream: WS /api/sessions/{id}/stream — controls in, frames out."""

import asyncio
import json

from fastapi import APIRouter, WebSocket, WebSocketDisconnect
from pydantic import TypeAdapter, ValidationError

from app.schemas.sessions import Control
from app.training import payloads
from app.training.player import Players
from app.training.registry import SessionRegistry
from app.training.session import SessionError

router = APIRouter(tags=["stream"])
controls: TypeAdapter[Control] = TypeAdapter(Control)


def _problem(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "message"
    return f"bad control message: {where}: {first['msg']}"


@router.websocket("/api/sessions/{session_id}/stream")
async def stream(ws: WebSocket, session_id: str) -> None:
    """First an `init` message, then frames while playing; see the README for the messages."""
    registry: SessionRegistry = ws.app.state.registry
    players: Players = ws.app.state.players
    limit = ws.app.state.settings.max_control_message_bytes
    try:
        session = await asyncio.to_thread(registry.get, session_id)
    except SessionError as err:
        await ws.close(code=4404, reason=str(err)[:120])
        return
    await ws.accept()
    try:
        await ws.send_text(json.dumps(await asyncio.to_thread(payloads.init_message, session)))
    except WebSocketDisconnect:  # gone before the first message: nothing to clean up
        return
    player, watcher = players.watch(session, ws.send_text)
    pump = asyncio.create_task(watcher.pump())
    try:
        watcher.offer(await asyncio.to_thread(player.frame))
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                break
            text = message.get("text")
            if text is None:
                watcher.reply({"type": "error", "detail": "control messages are JSON text; "
                               "a binary frame was received"})
                continue
            if len(text) > limit:
                watcher.reply({"type": "error", "detail": f"control message of {len(text)} "
                               f"bytes is over the limit of {limit}"})
                continue
            try:
                msg = controls.validate_json(text)
            except ValidationError as err:
                watcher.reply({"type": "error", "detail": _problem(err)})
                continue
            await player.control(msg, watcher)
    except WebSocketDisconnect:
        pass
    finally:
        pump.cancel()
        await players.unwatch(player, watcher)
